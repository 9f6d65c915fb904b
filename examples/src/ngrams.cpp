#include <algorithm>
#include <numeric>
#include "ngrams.hpp"

namespace ex {

Ngrams::Ngrams(std::size_t n) : n_(n == 0 ? 1 : n) {}

void Ngrams::add_text(const std::string &text)
{
	for (auto &w : split_words(text)) {
		window_.push_back(std::move(w));
		if (window_.size() > n_)
			window_.erase(window_.begin());
		if (window_.size() == n_) {
			std::string key = std::accumulate(std::next(window_.begin()), window_.end(), window_.front(),
							  [](std::string a, const std::string &b) { return a + ' ' + b; });
			++counts_[key];
		}
	}
}

std::vector<std::pair<std::string, long>> Ngrams::top(std::size_t k) const
{
	std::vector<std::pair<std::string, long>> rows(counts_.begin(), counts_.end());
	std::stable_sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
	if (rows.size() > k)
		rows.resize(k);
	return rows;
}

} // namespace ex
