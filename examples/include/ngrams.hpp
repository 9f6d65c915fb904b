#pragma once
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace ex {

// Counts word n-grams; the C++ half of the example exercises templates and the standard library,
// which is where remote compiles earn their keep.
class Ngrams {
public:
	explicit Ngrams(std::size_t n);
	void add_text(const std::string &text);
	std::vector<std::pair<std::string, long>> top(std::size_t k) const;
	std::size_t distinct() const { return counts_.size(); }

private:
	std::size_t n_;
	std::vector<std::string> window_;
	std::map<std::string, long> counts_;
};

std::vector<std::string> split_words(const std::string &text);
std::string format_table(const std::vector<std::pair<std::string, long>> &rows);

} // namespace ex
