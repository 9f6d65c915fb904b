#include <cctype>
#include <regex>
#include "ngrams.hpp"

namespace ex {

std::vector<std::string> split_words(const std::string &text)
{
	static const std::regex word_re("[A-Za-z0-9']+");
	std::vector<std::string> words;
	for (auto it = std::sregex_iterator(text.begin(), text.end(), word_re); it != std::sregex_iterator(); ++it) {
		std::string w = it->str();
		for (auto &c : w)
			c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
		words.push_back(std::move(w));
	}
	return words;
}

} // namespace ex
