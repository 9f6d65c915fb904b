#include <ctype.h>
#include "tokenize.h"

static int is_word_char(int c)
{
	return isalnum(c) || c == '\'';
}

size_t tokenize(char *text, size_t n, token_fn fn, void *ctx)
{
	size_t words = 0, i = 0;
	while (i < n) {
		while (i < n && !is_word_char((unsigned char)text[i]))
			i++;
		size_t start = i;
		while (i < n && is_word_char((unsigned char)text[i])) {
			text[i] = (char)tolower((unsigned char)text[i]);
			i++;
		}
		if (i > start) {
			fn(text + start, i - start, ctx);
			words++;
		}
	}
	return words;
}
