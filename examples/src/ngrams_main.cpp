#include <iostream>
#include <iterator>
#include "ngrams.hpp"

int main(int argc, char **argv)
{
	std::size_t n = argc > 1 ? std::stoul(argv[1]) : 2;
	std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
	ex::Ngrams grams(n);
	grams.add_text(text);
	std::cout << grams.distinct() << " distinct " << n << "-grams\n" << ex::format_table(grams.top(10));
	return 0;
}
