#ifndef EX_STRBUF_H
#define EX_STRBUF_H
#include <stddef.h>

/* A growable string: the word counter builds its report in one. */
struct strbuf {
	char *data;
	size_t len, cap;
};

void strbuf_init(struct strbuf *sb);
void strbuf_add(struct strbuf *sb, const char *s, size_t n);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...);
void strbuf_free(struct strbuf *sb);
#endif
