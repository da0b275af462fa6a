#include "engine/htab.h"

#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"

/* Open addressing with linear probing; a slot is [key][tag byte][value], kept in one array so a
** probe touches one cache line in the common case. The tag is 0 for an empty slot, else 8 bits
** of the key's hash (never 0), so most mismatches cost no key comparison. The key comes first
** so that keys of whole words are word-aligned and compared without a call. */
struct htab {
	size_t key_size;
	size_t slot_size;
	size_t cap;	/* power of two */
	size_t count;
	unsigned char *slots;
};

static size_t
align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

struct htab *
htab_new(size_t key_size)
{
	struct htab *h = xcalloc(1, sizeof *h);

	h->key_size = key_size;
	h->slot_size = align8(1 + key_size) + sizeof(uint64_t);
	h->cap = 64;
	h->slots = xcalloc(h->cap, h->slot_size);
	return h;
}

void
htab_free(struct htab *h)
{
	if (!h)
		return;
	free(h->slots);
	free(h);
}

static uint64_t
rotl(uint64_t x, unsigned r)
{
	return r ? x << r | x >> (64 - r) : x;
}

uint64_t
htab_hash(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t h = 0x9e3779b97f4a7c15ULL * (n + 1), w;
	unsigned r = 0;

	/* Each word's term is a bijection of the word, so every key bit matters; the terms do
	** not wait for each other (a lookup's latency is one multiply and the fold), and the
	** rotation tells equal words at different places apart. The fold brings the high bits
	** down to the low ones the table indexes with. */
	while (n >= 8) {
		memcpy(&w, p, 8);
		h ^= rotl((w + 0x632be59bd9b4e019ULL) * 0xff51afd7ed558ccdULL, r);
		r = (r + 23) & 63;
		p += 8;
		n -= 8;
	}
	if (n) {
		w = 0;
		memcpy(&w, p, n);
		h ^= rotl((w + 0x632be59bd9b4e019ULL) * 0xff51afd7ed558ccdULL, r);
	}
	h ^= h >> 32;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

static unsigned char *
slot(const struct htab *h, size_t i)
{
	return h->slots + i * h->slot_size;
}

static uint64_t *
slot_val(const struct htab *h, unsigned char *s)
{
	return (uint64_t *)(void *)(s + align8(h->key_size + 1));
}

static bool
key_eq(const unsigned char *a, const void *b, size_t n)
{
	const unsigned char *q = b;
	uint64_t x = 0, wa, wb;

	if (n & 7)
		return memcmp(a, b, n) == 0;
	for (size_t i = 0; i < n; i += 8) {
		memcpy(&wa, a + i, 8);
		memcpy(&wb, q + i, 8);
		x |= wa ^ wb;
	}
	return x == 0;
}

static unsigned char
tag_of(uint64_t hash)
{
	return (unsigned char)(hash >> 56) | 1;
}

/* The slot holding 'key' (whose hash is 'hash'), or the empty slot where it belongs. */
static unsigned char *
probe(const struct htab *h, const void *key, uint64_t hash)
{
	size_t mask = h->cap - 1;
	size_t i = hash & mask;
	unsigned char tag = tag_of(hash);

	for (;;) {
		unsigned char *s = slot(h, i);
		unsigned char t = s[h->key_size];
		if (!t || (t == tag && key_eq(s, key, h->key_size)))
			return s;
		i = (i + 1) & mask;
	}
}

static void
grow(struct htab *h)
{
	struct htab old = *h;

	h->cap *= 2;
	h->slots = xcalloc(h->cap, h->slot_size);
	for (size_t i = 0; i < old.cap; i++) {
		unsigned char *s = slot(&old, i);
		if (s[old.key_size])
			memcpy(probe(h, s, htab_hash(s, h->key_size)), s, h->slot_size);
	}
	free(old.slots);
}

uint64_t *
htab_upsert(struct htab *h, const void *key, bool *out_new)
{
	uint64_t hash = htab_hash(key, h->key_size);
	unsigned char *s = probe(h, key, hash);

	/* Grow only for a new key, so pointers to existing values stay valid. */
	if (!s[h->key_size] && (h->count + 1) * 10 > h->cap * 7) {
		grow(h);
		s = probe(h, key, hash);
	}
	if (out_new)
		*out_new = !s[h->key_size];
	if (!s[h->key_size]) {
		s[h->key_size] = tag_of(hash);
		memcpy(s, key, h->key_size);
		*slot_val(h, s) = 0;
		h->count++;
	}
	return slot_val(h, s);
}

uint64_t *
htab_find(const struct htab *h, const void *key)
{
	unsigned char *s = probe(h, key, htab_hash(key, h->key_size));

	return s[h->key_size] ? slot_val(h, s) : NULL;
}

size_t
htab_count(const struct htab *h)
{
	return h->count;
}

bool
htab_next(const struct htab *h, size_t *ref_pos, const void **out_key, uint64_t **out_val)
{
	while (*ref_pos < h->cap) {
		unsigned char *s = slot(h, (*ref_pos)++);
		if (s[h->key_size]) {
			*out_key = s;
			*out_val = slot_val(h, s);
			return true;
		}
	}
	return false;
}
