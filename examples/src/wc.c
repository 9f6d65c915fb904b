#include <string.h>
#include <stdlib.h>
#include "tokenize.h"
#include "wc.h"

void wc_init(struct wc_stats *st)
{
	memset(st, 0, sizeof *st);
	hm_init(&st->words_seen, 1024);
}

static void count_word(const char *word, size_t n, void *ctx)
{
	struct wc_stats *st = ctx;
	(*hm_upsert(&st->words_seen, word, n))++;
}

void wc_feed(struct wc_stats *st, char *text, size_t n)
{
	st->bytes += n;
	for (size_t i = 0; i < n; i++)
		st->lines += text[i] == '\n';
	st->words += tokenize(text, n, count_word, st);
}

void wc_report(const struct wc_stats *st, int top, struct strbuf *out)
{
	strbuf_addf(out, "%zu lines, %zu words, %zu bytes, %zu distinct\n", st->lines, st->words, st->bytes,
		    st->words_seen.size);
	struct hm_entry **sorted = hm_sorted(&st->words_seen);
	for (int i = 0; i < top && sorted[i]; i++)
		strbuf_addf(out, "%6ld %s\n", sorted[i]->count, sorted[i]->key);
	free(sorted);
}

void wc_free(struct wc_stats *st)
{
	hm_free(&st->words_seen);
}
