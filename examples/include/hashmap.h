#ifndef EX_HASHMAP_H
#define EX_HASHMAP_H
#include <stddef.h>
#include <stdint.h>

struct hm_entry {
	char *key;
	long count;
	struct hm_entry *next;
};

struct hashmap {
	struct hm_entry **buckets;
	size_t nbuckets, size;
};

uint64_t hm_hash(const char *s, size_t n);
void hm_init(struct hashmap *m, size_t nbuckets);
long *hm_upsert(struct hashmap *m, const char *key, size_t n);
void hm_free(struct hashmap *m);
/* Entries sorted by count (descending), then key; caller frees the array. */
struct hm_entry **hm_sorted(const struct hashmap *m);
#endif
