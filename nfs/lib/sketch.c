/*
** Count-min with SKETCH_HASHES rows, each indexed by its own seed of the byte hash. Per counter:
** the count, the last touch, and a place in its row's list of nonzero counters in touch order
** (cell 'capacity' of a row is the list's head, as in dchain), so sketch_expire walks from the
** oldest and stops at the first that is recent: O(expired). As in dchain, a touch stamped
** earlier than the one before it expires late, never early.
*/

#include "sketch.h"

#include "hash.h"
#include "hook.h"

#define SKETCH_MAX_KEY	64
#define SKETCH_MAX_CAP	(1u << 26)

/* Fixed seeds, one per row (any distinct odd constants). */
static const uint64_t sketch_seeds[SKETCH_HASHES] = {
	0x736b657463683031ull, 0x736b657463683032ull, 0x736b657463683033ull,
	0x736b657463683034ull,
};

struct sketch_cell {
	uint64_t stamp;
	uint32_t count;		/* nonzero exactly while in the row's list */
	uint32_t prev, next;
};

struct sketch {
	struct nf_env *env;
	const char *name;
	uint32_t key_size;
	uint32_t capacity;
	struct sketch_cell *cells;	/* SKETCH_HASHES rows of capacity + 1 cells */
};

struct sketch *
sketch_new(struct nf_env *env, const char *name, uint32_t key_size, uint32_t capacity)
{
	const char *stored = nf_env_name(env, name);
	struct sketch_cell *row;
	struct sketch *s;
	uint32_t r;

	if (!stored)
		return NULL;
	capacity = nf_env_capacity(env, capacity);
	if (key_size < 1 || key_size > SKETCH_MAX_KEY) {
		nf_env_fail(env, "sketch \"%s\": key size %u is not in 1..%u", name, key_size,
		    SKETCH_MAX_KEY);
		return NULL;
	}
	if (capacity < 1 || capacity > SKETCH_MAX_CAP) {
		nf_env_fail(env, "sketch \"%s\": capacity %u is not in 1..%u", name, capacity,
		    SKETCH_MAX_CAP);
		return NULL;
	}
	s = nf_alloc(env, sizeof *s);
	if (!s)
		return NULL;
	s->env = env;
	s->name = stored;
	s->key_size = key_size;
	s->capacity = capacity;
	s->cells = nf_alloc(env, (size_t)SKETCH_HASHES * (capacity + 1) * sizeof *s->cells);
	if (!s->cells)
		return NULL;
	/* Only the heads: the counters stay as calloc made them (zero: in no list), so a large
	** sketch costs no page touches until used. */
	for (r = 0; r < SKETCH_HASHES; r++) {
		row = s->cells + (size_t)r * (capacity + 1);
		row[capacity].prev = row[capacity].next = capacity;
	}
	return s;
}

static inline struct sketch_cell *
row_of(const struct sketch *s, uint32_t r)
{
	return s->cells + (size_t)r * (s->capacity + 1);
}

static inline uint32_t
column(const struct sketch *s, const void *key, uint32_t r)
{
	return hash_range(hash_bytes(key, s->key_size, sketch_seeds[r]), s->capacity);
}

uint32_t
sketch_fetch(struct sketch *s, const void *key)
{
	uint32_t r, c, min = UINT32_MAX;

	if (!s)
		return 0;
	hook_read(s->env, s->name, key, s->key_size);
	for (r = 0; r < SKETCH_HASHES; r++) {
		c = row_of(s, r)[column(s, key, r)].count;
		if (c < min)
			min = c;
	}
	hook_call_u32(s->env, "sketch_fetch", s->name, min, min);
	return min;
}

/* sketch_touch past the hooks. */
static void
touch(struct sketch *s, const void *key, uint64_t now_ns)
{
	struct sketch_cell *row;
	uint32_t r, i, head, tail;

	head = s->capacity;
	for (r = 0; r < SKETCH_HASHES; r++) {
		row = row_of(s, r);
		i = column(s, key, r);
		row[i].stamp = now_ns;
		if (row[i].count == 0) {
			row[i].count = 1;
		} else {
			if (row[i].count < UINT32_MAX)
				row[i].count++;
			if (row[i].next == head)	/* already the newest */
				continue;
			row[row[i].prev].next = row[i].next;
			row[row[i].next].prev = row[i].prev;
		}
		tail = row[head].prev;
		row[i].prev = tail;
		row[i].next = head;
		row[tail].next = i;
		row[head].prev = i;
	}
}

void
sketch_touch(struct sketch *s, const void *key, uint64_t now_ns)
{
	if (!s)
		return;
	if (hook_write(s->env, s->name, key, s->key_size))
		return;
	touch(s, key, now_ns);
	hook_call(s->env, "sketch_touch", s->name, 0, NULL, 0);
}

/* Whether any row's oldest counter was touched before 'before_ns'. */
static int
expire_due(const struct sketch *s, uint64_t before_ns)
{
	const struct sketch_cell *row;
	uint32_t r, i;

	for (r = 0; r < SKETCH_HASHES; r++) {
		row = row_of(s, r);
		i = row[s->capacity].next;
		if (i != s->capacity && row[i].stamp < before_ns)
			return 1;
	}
	return 0;
}

/* sketch_expire past the call hook. */
static uint32_t
expire(struct sketch *s, uint64_t before_ns)
{
	struct sketch_cell *row;
	uint32_t r, i, head, n = 0;

	if (!expire_due(s, before_ns))
		return 0;
	/* Traced: one WRITE of the whole sketch (no key: the zeroed counters belong to no one key). */
	if (hook_write(s->env, s->name, NULL, 0))
		return 0;
	head = s->capacity;
	for (r = 0; r < SKETCH_HASHES; r++) {
		row = row_of(s, r);
		while ((i = row[head].next) != head && row[i].stamp < before_ns) {
			row[head].next = row[i].next;
			row[row[i].next].prev = head;
			row[i].count = 0;
			n++;
		}
	}
	return n;
}

uint32_t
sketch_expire(struct sketch *s, uint64_t before_ns)
{
	uint32_t n;

	if (!s)
		return 0;
	n = expire(s, before_ns);
	hook_call_u32(s->env, "sketch_expire", s->name, n, n);
	return n;
}

uint32_t
sketch_capacity(const struct sketch *s)
{
	return s ? s->capacity : 0;
}
