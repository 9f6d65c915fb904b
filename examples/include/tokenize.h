#ifndef EX_TOKENIZE_H
#define EX_TOKENIZE_H
#include <stddef.h>

typedef void (*token_fn)(const char *word, size_t n, void *ctx);
/* Calls fn for each word (letters, digits, apostrophes), lower-cased in place. */
size_t tokenize(char *text, size_t n, token_fn fn, void *ctx);
#endif
