#ifndef EX_WC_H
#define EX_WC_H
#include "hashmap.h"
#include "strbuf.h"

#define WC_VERSION "1.0"
#define WC_DEFAULT_TOP 10

struct wc_stats {
	size_t bytes, words, lines;
	struct hashmap words_seen;
};

void wc_init(struct wc_stats *st);
void wc_feed(struct wc_stats *st, char *text, size_t n);
void wc_report(const struct wc_stats *st, int top, struct strbuf *out);
void wc_free(struct wc_stats *st);
#endif
