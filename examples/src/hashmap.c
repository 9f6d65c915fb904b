#include <stdlib.h>
#include <string.h>
#include "hashmap.h"

/* FNV-1a: small, and good enough for words. */
uint64_t hm_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

void hm_init(struct hashmap *m, size_t nbuckets)
{
	m->buckets = calloc(nbuckets, sizeof *m->buckets);
	m->nbuckets = nbuckets;
	m->size = 0;
}

long *hm_upsert(struct hashmap *m, const char *key, size_t n)
{
	struct hm_entry **slot = &m->buckets[hm_hash(key, n) % m->nbuckets];
	for (struct hm_entry *e = *slot; e; e = e->next)
		if (strlen(e->key) == n && memcmp(e->key, key, n) == 0)
			return &e->count;
	struct hm_entry *e = malloc(sizeof *e);
	e->key = strndup(key, n);
	e->count = 0;
	e->next = *slot;
	*slot = e;
	m->size++;
	return &e->count;
}

void hm_free(struct hashmap *m)
{
	for (size_t i = 0; i < m->nbuckets; i++) {
		struct hm_entry *e = m->buckets[i];
		while (e) {
			struct hm_entry *next = e->next;
			free(e->key);
			free(e);
			e = next;
		}
	}
	free(m->buckets);
}

static int by_count(const void *a, const void *b)
{
	const struct hm_entry *x = *(struct hm_entry *const *)a, *y = *(struct hm_entry *const *)b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->key, y->key);
}

struct hm_entry **hm_sorted(const struct hashmap *m)
{
	struct hm_entry **all = malloc((m->size + 1) * sizeof *all);
	size_t k = 0;
	for (size_t i = 0; i < m->nbuckets; i++)
		for (struct hm_entry *e = m->buckets[i]; e; e = e->next)
			all[k++] = e;
	qsort(all, k, sizeof *all, by_count);
	all[k] = NULL;
	return all;
}
