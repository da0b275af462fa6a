/*
** libFuzzer target for the state library (nfs/lib, plain build) under ASan and UBSan: the fuzz
** bytes size one instance's objects (small, so they fill up: every capacity 1 to a few dozen,
** key sizes 1 to 64, a capacity share) and then drive a sequence of calls on them, each checked
** against a naive model: map (a list of keys), vector (a shadow copy), dchain (flags, an age
** list and the freed stack), expire_items (the map + vector + dchain flow table of an NF), lpm
** (a list of prefixes), cht (the preference lists: the backend found is the first alive one, so
** it changes only when backends come and go) and sketch (count-min bounds: never below the
** touches that surely survived expiry, exact while one key is counted). Time moves on, stalls,
** jumps back and wraps. Keys come from the input, so they take every byte value. Constructor
** edges, object names and configuration values are checked too. Any mismatch traps.
*/

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cht.h"
#include "dchain.h"
#include "expire.h"
#include "lpm.h"
#include "map.h"
#include "nf.h"
#include "sketch.h"
#include "vector.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

/*---- Reading the input ----*/

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t
u8(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint16_t
u16(struct in *in)
{
	return (uint16_t)(u8(in) | u8(in) << 8);
}

static uint32_t
u32(struct in *in)
{
	return (uint32_t)u16(in) | (uint32_t)u16(in) << 16;
}

static void
bytes(struct in *in, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = u8(in);
}

/* Keys: a pool of 8 per object; a byte picks one, and with its top bit set refills it from the
** input first, so keys repeat (hits, overwrites) and still take any bytes. */
#define POOL 8
struct pool {
	uint8_t key[POOL][64];
	uint32_t size;
	uint8_t gen[POOL];	/* bumped on refill: what was remembered of the slot is stale */
};

static unsigned
pick(struct in *in, struct pool *pl)
{
	uint8_t b = u8(in);
	unsigned i = b % POOL;

	if (b & 0x80) {
		bytes(in, pl->key[i], pl->size);
		pl->gen[i]++;
	}
	return i;
}

/*---- The dchain model (also behind expire_items and the cht's alive set) ----*/

#define MAXC 64
struct dmodel {
	uint8_t alloc[MAXC];
	uint64_t stamp[MAXC];
	uint32_t order[MAXC], n_order;	/* oldest first */
	uint32_t freed[MAXC], n_freed;
	uint32_t fresh, cap;
};

static void
dm_remove(struct dmodel *d, uint32_t i)
{
	uint32_t j;

	for (j = 0; j < d->n_order && d->order[j] != i; j++)
		;
	CHECK(j < d->n_order);
	memmove(d->order + j, d->order + j + 1, (d->n_order - j - 1) * sizeof d->order[0]);
	d->n_order--;
}

static void
dm_free(struct dmodel *d, uint32_t i)
{
	dm_remove(d, i);
	d->alloc[i] = 0;
	d->freed[d->n_freed++] = i;
}

/* Returns 0 when full, else 1 and the index the model hands out. */
static int
dm_allocate(struct dmodel *d, uint64_t now, uint32_t *out)
{
	uint32_t i;

	if (d->fresh < d->cap)
		i = d->fresh++;
	else if (d->n_freed)
		i = d->freed[--d->n_freed];
	else
		return 0;
	d->alloc[i] = 1;
	d->stamp[i] = now;
	d->order[d->n_order++] = i;
	*out = i;
	return 1;
}

static int
dm_rejuvenate(struct dmodel *d, uint32_t i, uint64_t now)
{
	if (i >= d->cap || !d->alloc[i])
		return 0;
	d->stamp[i] = now;
	dm_remove(d, i);
	d->order[d->n_order++] = i;
	return 1;
}

/* The oldest by the age list, when stamped before 'before'. */
static int
dm_expire_one(struct dmodel *d, uint64_t before, uint32_t *out)
{
	uint32_t i;

	if (!d->n_order || d->stamp[d->order[0]] >= before)
		return 0;
	i = d->order[0];
	dm_free(d, i);
	*out = i;
	return 1;
}

/* The real dchain and the model agree on every index. */
static void
dm_check(struct dchain *c, const struct dmodel *d)
{
	CHECK(dchain_allocated(c) == d->n_order);
	for (uint32_t i = 0; i < d->cap; i++)
		CHECK(dchain_is_allocated(c, i) == d->alloc[i]);
}

/* The mask of a /len prefix. */
static uint32_t
prefix_mask(unsigned len)
{
	return len == 0 ? 0 : len >= 32 ? UINT32_MAX : ~(UINT32_MAX >> len);
}

/*---- The instance ----*/

#define MAXOPS 4096
struct touch {
	uint8_t key[64];
	uint64_t stamp;
	bool dead;	/* may have been zeroed by an expiry */
};

struct world {
	struct nf_env env;
	unsigned misuse;	/* what env.misuse must be */
	uint64_t now;

	/* map: the model is a list of keys and values */
	struct map *map;
	struct pool mkeys;
	uint32_t map_cap, mn;
	uint8_t mk[MAXC][64];
	uint32_t mv[MAXC];

	/* vector and its shadow copy */
	struct vector *vec;
	uint32_t vsize, vcap;
	uint8_t *shadow;

	/* a dchain on its own, and under expire_items without a map */
	struct dchain *chain;
	struct dmodel dm;

	/* a flow table: map + vector of keys + dchain, as NFs keep them */
	struct map *fmap;
	struct vector *fkeys;
	struct dchain *fchain;
	struct dmodel fdm;
	struct pool fpool;
	uint8_t fkey[MAXC][64];	/* by index */

	/* sketch: the touches since everything was last zeroed */
	struct sketch *sk;
	struct pool spool;
	struct touch *log;
	uint32_t n_log;
	bool sk_unchecked;	/* the log overflowed */

	/* cht and its alive set */
	struct cht *cht;
	uint32_t backends;
	struct dchain *alive;
	struct dmodel adm;
	struct pool cpool;
	struct {
		uint8_t gen;
		bool valid;
		uint32_t backend, alive;	/* what cht_find said, and the alive set then */
	} seen[POOL];

	/* lpm: a list of prefixes */
	struct lpm *lpm;
	uint32_t lcap, ln;
	uint32_t lp[MAXC], lv[MAXC];
	uint8_t ll[MAXC];
};

/* The capacity an object of 'cap' gets under the share (nf.h: ceil(cap * num / den), at
** least 1). */
static uint32_t
shared(const struct world *w, uint32_t cap)
{
	uint64_t c = ((uint64_t)cap * w->env.share_num + w->env.share_den - 1) / w->env.share_den;

	return c ? (uint32_t)c : 1;
}

static void
setup(struct world *w, struct in *in)
{
	uint8_t den = 1 + u8(in) % 4;
	static const uint32_t primes[] = { 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47,
					   53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 257 };
	uint32_t ks, cap, p;

	nf_env_setup(&w->env, NULL);
	w->env.share_den = den;
	w->env.share_num = 1 + u8(in) % den;
	w->now = 1000;

	ks = 1 + u8(in) % 64;
	w->map_cap = 1 + u8(in) % 24;
	w->map = map_new(&w->env, "map", ks, w->map_cap);
	w->mkeys.size = ks;
	CHECK(w->map && map_capacity(w->map) == shared(w, w->map_cap) &&
	      map_key_size(w->map) == ks);
	w->map_cap = map_capacity(w->map);

	w->vsize = 1 + u8(in) % 40;
	w->vcap = 1 + u8(in) % 16;
	w->vec = vector_new(&w->env, "vec", w->vsize, w->vcap);
	CHECK(w->vec && vector_capacity(w->vec) == shared(w, w->vcap));
	w->vcap = vector_capacity(w->vec);
	w->shadow = calloc(w->vcap, w->vsize);
	CHECK(w->shadow);

	cap = 1 + u8(in) % 16;
	w->chain = dchain_new(&w->env, "chain", cap);
	CHECK(w->chain && dchain_capacity(w->chain) == shared(w, cap));
	w->dm.cap = dchain_capacity(w->chain);

	ks = 1 + u8(in) % 16;
	cap = 1 + u8(in) % 12;
	w->fmap = map_new(&w->env, "flows", ks, cap);
	w->fkeys = vector_new(&w->env, "flow_keys", ks, cap);
	w->fchain = dchain_new(&w->env, "flow_ages", cap);
	CHECK(w->fmap && w->fkeys && w->fchain);
	w->fpool.size = ks;
	w->fdm.cap = dchain_capacity(w->fchain);
	CHECK(map_capacity(w->fmap) == w->fdm.cap && vector_capacity(w->fkeys) == w->fdm.cap);

	ks = 1 + u8(in) % 64;
	cap = 1 + u8(in) % 32;
	w->sk = sketch_new(&w->env, "sketch", ks, cap);
	CHECK(w->sk && sketch_capacity(w->sk) == shared(w, cap));
	w->spool.size = ks;
	w->log = calloc(MAXOPS, sizeof *w->log);
	CHECK(w->log);

	w->backends = 1 + u8(in) % 12;
	for (p = 0; primes[p] <= w->backends; p++)
		;
	p += u8(in) % 3;	/* the smallest prime above, or one of the next two */
	w->cht = cht_new(&w->env, "cht", w->backends, primes[p]);
	CHECK(w->cht && cht_backends(w->cht) == w->backends && cht_height(w->cht) == primes[p]);
	/* Fewer alive slots than backends sometimes: those past the end count as dead. */
	w->alive = dchain_new(&w->env, "alive", NF_FULL(1 + u8(in) % 16));
	CHECK(w->alive);
	w->adm.cap = dchain_capacity(w->alive);
	w->cpool.size = 1 + u8(in) % 64;

	w->lcap = 1 + u8(in) % 12;
	w->lpm = lpm_new(&w->env, "lpm", w->lcap);
	CHECK(w->lpm);

	/* Distinct keys to start with (all zeros, all ones, patterns), so a short input already
	** has hits and misses; refills bring the input's bytes. */
	for (unsigned i = 0; i < POOL; i++) {
		for (unsigned j = 0; j < 64; j++) {
			uint8_t b = i == 0 ? 0 : i == 1 ? 0xff : (uint8_t)(i * 0x9d + j * 0x3b);

			w->mkeys.key[i][j] = w->fpool.key[i][j] = b;
			w->spool.key[i][j] = w->cpool.key[i][j] = b;
		}
	}
	CHECK(nf_env_ok(&w->env));
}

/*---- Checks of the tables as built ----*/

/* Each bucket lists every backend once; first choices are spread to within one. */
static void
check_cht_table(const struct cht *t)
{
	uint32_t b = cht_backends(t), m = cht_height(t), firsts[16] = { 0 };

	for (uint32_t x = 0; x < m; x++) {
		uint32_t seen = 0;

		for (uint32_t r = 0; r < b; r++) {
			uint32_t v = cht_preference(t, x, r);

			CHECK(v < b && !(seen >> v & 1));
			seen |= 1u << v;
		}
		firsts[cht_preference(t, x, 0)]++;
		CHECK(cht_preference(t, x, b) == UINT32_MAX);
	}
	CHECK(cht_preference(t, m, 0) == UINT32_MAX);
	for (uint32_t v = 0; v < b; v++)
		CHECK(firsts[v] == m / b || firsts[v] == (m + b - 1) / b);
}

/*---- Operations ----*/

static uint64_t
before_of(struct world *w, struct in *in)
{
	uint8_t b = u8(in);

	switch (b % 8) {
	case 0: return 0;
	case 1: return UINT64_MAX;
	case 2: return w->now + 1;
	default: return w->now - (uint64_t)(b >> 3) * 3;	/* may wrap: everything is old */
	}
}

static void
op_map(struct world *w, struct in *in, unsigned what)
{
	unsigned k = pick(in, &w->mkeys);
	const uint8_t *key = w->mkeys.key[k];
	uint32_t at, v;
	int r;

	for (at = 0; at < w->mn && memcmp(w->mk[at], key, w->mkeys.size); at++)
		;
	switch (what) {
	case 0:
		v = u32(in);
		r = map_put(w->map, key, v);
		if (at < w->mn) {
			CHECK(r == 0);
			w->mv[at] = v;
		} else if (w->mn == w->map_cap) {
			CHECK(r == -1);
		} else {
			CHECK(r == 0);
			memcpy(w->mk[w->mn], key, w->mkeys.size);
			w->mv[w->mn++] = v;
		}
		break;
	case 1:
		v = 0xdeadbeef;
		r = map_get(w->map, key, &v);
		CHECK(r == (at < w->mn) && (!r || v == w->mv[at]));
		break;
	default:
		r = map_erase(w->map, key);
		CHECK(r == (at < w->mn));
		if (r) {
			w->mn--;
			memmove(w->mk[at], w->mk[w->mn], sizeof w->mk[0]);
			w->mv[at] = w->mv[w->mn];
		}
		break;
	}
	CHECK(map_size(w->map) == w->mn);
}

/* An index mostly in range, sometimes just past it, sometimes anywhere. */
static uint32_t
index_of(struct in *in, uint32_t cap)
{
	uint8_t b = u8(in);

	if (b == 0xff)
		return u32(in);
	return b % (cap + 2);
}

static void
op_vector(struct world *w, struct in *in, unsigned what)
{
	uint32_t i = index_of(in, w->vcap), size;
	uint8_t zero[64] = { 0 };
	const uint8_t *r;
	uint8_t *m;

	switch (what) {
	case 0:
		r = vector_get(w->vec, i);
		CHECK(r);
		if (i < w->vcap) {
			CHECK(!memcmp(r, w->shadow + (size_t)i * w->vsize, w->vsize));
		} else {
			w->misuse++;
			CHECK(!memcmp(r, zero, w->vsize));
		}
		break;
	case 1:
		m = vector_mut(w->vec, i);
		CHECK(m);
		if (i >= w->vcap) {
			w->misuse++;
			CHECK(!memcmp(m, zero, w->vsize));
		}
		bytes(in, m, w->vsize);	/* every byte of the record is writable */
		if (i < w->vcap)
			memcpy(w->shadow + (size_t)i * w->vsize, m, w->vsize);
		break;
	default:
		size = u8(in) % (w->vsize + 2);
		r = vector_record(w->vec, i, size);
		if (i < w->vcap && size <= w->vsize) {
			CHECK(r && !memcmp(r, w->shadow + (size_t)i * w->vsize, w->vsize));
		} else {
			w->misuse++;
			CHECK(!r);
		}
		break;
	}
}

static void
op_dchain(struct world *w, struct in *in, unsigned what)
{
	struct dmodel *d = &w->dm;
	uint32_t i, got = UINT32_MAX, want;
	uint64_t before;
	int r, wr;

	switch (what) {
	case 0:
		r = dchain_allocate(w->chain, w->now, &got);
		wr = dm_allocate(d, w->now, &want);
		CHECK(r == wr && (!r || got == want));
		break;
	case 1:
		i = index_of(in, d->cap);
		if (i >= d->cap)
			w->misuse++;
		CHECK(dchain_rejuvenate(w->chain, i, w->now) == dm_rejuvenate(d, i, w->now));
		break;
	case 2:
		i = index_of(in, d->cap);
		r = dchain_free(w->chain, i);
		wr = i < d->cap && d->alloc[i];
		if (i >= d->cap)
			w->misuse++;
		if (wr)
			dm_free(d, i);
		CHECK(r == wr);
		break;
	case 3:
		i = index_of(in, d->cap);
		if (i >= d->cap)
			w->misuse++;
		CHECK(dchain_is_allocated(w->chain, i) == (i < d->cap && d->alloc[i]));
		break;
	case 4:
		before = before_of(w, in);
		CHECK(dchain_expire_due(w->chain, before) ==
		      (d->n_order && d->stamp[d->order[0]] < before));
		r = dchain_expire_one(w->chain, before, &got);
		wr = dm_expire_one(d, before, &want);
		CHECK(r == wr && (!r || got == want));
		break;
	default:
		/* expire_items without a map: expire_one until nothing is old. */
		before = before_of(w, in);
		for (want = 0; dm_expire_one(d, before, &i); want++)
			;
		CHECK(expire_items(w->chain, NULL, NULL, before) == want);
		break;
	}
	CHECK(dchain_allocated(w->chain) == d->n_order);
}

/* An NF's flow table: look the key up, refresh or add it; or expire old flows. */
static void
op_flow(struct world *w, struct in *in, unsigned what)
{
	struct dmodel *d = &w->fdm;
	uint32_t idx = UINT32_MAX, want, i, n;
	uint64_t before;
	int found;

	if (what == 0) {
		unsigned k = pick(in, &w->fpool);
		const uint8_t *key = w->fpool.key[k];

		for (i = 0; i < d->cap && !(d->alloc[i] && !memcmp(w->fkey[i], key, w->fpool.size));
		     i++)
			;
		found = map_get(w->fmap, key, &idx);
		CHECK(found == (i < d->cap) && (!found || idx == i));
		if (found) {
			CHECK(dchain_rejuvenate(w->fchain, idx, w->now) == 1);
			dm_rejuvenate(d, idx, w->now);
		} else if (dchain_allocate(w->fchain, w->now, &idx)) {
			CHECK(dm_allocate(d, w->now, &want) && want == idx);
			memcpy(vector_mut(w->fkeys, idx), key, w->fpool.size);
			memcpy(w->fkey[idx], key, w->fpool.size);
			CHECK(map_put(w->fmap, key, idx) == 0);
		} else {
			CHECK(!dm_allocate(d, w->now, &want));
		}
	} else {
		before = before_of(w, in);
		for (want = 0; dm_expire_one(d, before, &i); want++)
			;
		n = expire_items(w->fchain, w->fmap, w->fkeys, before);
		CHECK(n == want);
	}
	CHECK(map_size(w->fmap) == d->n_order && dchain_allocated(w->fchain) == d->n_order);
}

static void
op_sketch(struct world *w, struct in *in, unsigned what)
{
	unsigned k = pick(in, &w->spool);
	const uint8_t *key = w->spool.key[k];
	uint32_t sz = w->spool.size, alive = 0, same = 0, r, distinct = 0;
	uint64_t before, min = UINT64_MAX, max = 0;
	bool one_key = true;

	for (uint32_t j = 0; j < w->n_log; j++) {
		bool mine = !memcmp(w->log[j].key, key, sz);

		same += mine;
		alive += mine && !w->log[j].dead;
		one_key &= !memcmp(w->log[j].key, w->log[0].key, sz);
		min = w->log[j].stamp < min ? w->log[j].stamp : min;
		max = w->log[j].stamp > max ? w->log[j].stamp : max;
	}
	switch (what) {
	case 0:
		sketch_touch(w->sk, key, w->now);
		if (w->n_log == MAXOPS) {
			w->sk_unchecked = true;
			break;
		}
		memcpy(w->log[w->n_log].key, key, sz);
		w->log[w->n_log].stamp = w->now;
		w->log[w->n_log++].dead = false;
		break;
	case 1:
		r = sketch_fetch(w->sk, key);
		if (w->sk_unchecked)
			break;
		/* Never below what surely survived, never above every touch counted. */
		CHECK(r >= alive && r <= w->n_log);
		if (one_key && w->n_log)
			CHECK(same ? r == w->n_log : (r == 0 || r == w->n_log));
		break;
	default:
		before = before_of(w, in);
		r = sketch_expire(w->sk, before);
		if (w->sk_unchecked)
			break;
		for (uint32_t j = 0; j < w->n_log; j++) {
			uint32_t l;

			for (l = 0; l < j && memcmp(w->log[l].key, w->log[j].key, sz); l++)
				;
			distinct += l == j;
		}
		CHECK(r <= SKETCH_HASHES * distinct);
		/* A counter's stamp is its last touch's: each is one of the log's. */
		if (!w->n_log || before <= min) {
			CHECK(r == 0);
		} else if (one_key) {
			/* Its SKETCH_HASHES counters, all stamped by the last touch. */
			if (w->log[w->n_log - 1].stamp < before) {
				CHECK(r == SKETCH_HASHES);
				w->n_log = 0;
			} else {
				CHECK(r == 0);
			}
		} else if (max < before) {
			/* Every counter is old: all of them go. */
			bool any = false;

			for (uint32_t j = 0; j < w->n_log; j++)
				any |= !w->log[j].dead;
			CHECK(!any || r >= SKETCH_HASHES);
			w->n_log = 0;
		} else {
			/* A touch may be gone when it or a later touch (which may share its
			** counter) was stamped before 'before'. */
			uint64_t low = UINT64_MAX;

			for (uint32_t j = w->n_log; j-- > 0;) {
				low = w->log[j].stamp < low ? w->log[j].stamp : low;
				if (low < before)
					w->log[j].dead = true;
			}
		}
		break;
	}
}

static uint32_t
alive_set(const struct world *w)
{
	uint32_t s = 0;

	for (uint32_t b = 0; b < w->backends && b < w->adm.cap; b++)
		if (w->adm.alloc[b])
			s |= 1u << b;
	return s;
}

static void
op_cht(struct world *w, struct in *in, unsigned what)
{
	uint32_t i, got = UINT32_MAX, want, now_alive;
	unsigned k;
	int r;

	switch (what) {
	case 0:
		r = dchain_allocate(w->alive, w->now, &got);
		CHECK(r == dm_allocate(&w->adm, w->now, &want) && (!r || got == want));
		break;
	case 1:
		i = u8(in) % (w->adm.cap + 1);
		r = dchain_free(w->alive, i);
		if (i >= w->adm.cap)
			w->misuse++;
		CHECK(r == (i < w->adm.cap && w->adm.alloc[i]));
		if (r)
			dm_free(&w->adm, i);
		break;
	default:
		k = pick(in, &w->cpool);
		now_alive = alive_set(w);
		r = cht_find(w->cht, w->cpool.key[k], w->cpool.size, w->alive, &got);
		CHECK(r == (now_alive != 0));
		if (!r)
			break;
		CHECK(got < w->backends && (now_alive >> got & 1));
		/* The first alive backend of a fixed list: another one only when the one found
		** before died, or one ahead of it came alive. */
		if (w->seen[k].valid && w->seen[k].gen == w->cpool.gen[k] &&
		    (now_alive >> w->seen[k].backend & 1))
			CHECK(got == w->seen[k].backend || !(w->seen[k].alive >> got & 1));
		w->seen[k].valid = true;
		w->seen[k].gen = w->cpool.gen[k];
		w->seen[k].backend = got;
		w->seen[k].alive = now_alive;
		break;
	}
}

static void
op_lpm(struct world *w, struct in *in, unsigned what)
{
	uint32_t addr = u32(in), v, best_v = 0, i;
	int best = -1, r;
	uint8_t len;

	if (what == 0) {
		len = u8(in);
		if (len > 40)
			len %= 33;	/* mostly valid, a few too long */
		v = u32(in);
		r = lpm_add(w->lpm, addr, len, v);
		if (len > 32) {
			CHECK(r == -1);
			return;
		}
		addr &= prefix_mask(len);
		for (i = 0; i < w->ln && !(w->lp[i] == addr && w->ll[i] == len); i++)
			;
		if (i < w->ln) {
			CHECK(r == 0);
			w->lv[i] = v;
		} else if (w->ln == w->lcap) {
			CHECK(r == -1);
		} else {
			CHECK(r == 0);
			w->lp[w->ln] = addr;
			w->ll[w->ln] = len;
			w->lv[w->ln++] = v;
		}
		CHECK(lpm_size(w->lpm) == w->ln);
		return;
	}
	for (i = 0; i < w->ln; i++) {
		if ((addr & prefix_mask(w->ll[i])) == w->lp[i] && (int)w->ll[i] > best) {
			best = w->ll[i];
			best_v = w->lv[i];
		}
	}
	v = 0xdeadbeef;
	r = lpm_lookup(w->lpm, addr, &v);
	CHECK(r == (best >= 0) && (!r || v == best_v));
}

static void
op_time(struct world *w, struct in *in)
{
	uint8_t b = u8(in);

	switch (b % 8) {
	case 0: w->now -= b >> 3; break;		/* back a little */
	case 1: w->now += (uint64_t)u16(in) << 20; break;	/* a jump */
	case 2: w->now = UINT64_MAX - (b >> 3); break;	/* the end of time */
	case 3: w->now = b >> 3; break;		/* the start */
	default: w->now += b >> 3; break;
	}
}

/*---- Names, configuration and constructor edges, in instances of their own ----*/

static bool
name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > NF_NAME_MAX - 1)
		return false;
	for (; *s; s++)
		if (!(*s == '_' || *s == '.' || *s == '-' || (*s >= '0' && *s <= '9') ||
		      (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			return false;
	return true;
}

static void
op_names(struct nf_env *env, struct in *in)
{
	char name[40];
	size_t n = u8(in) % sizeof name;
	bool want, dup = false;
	const char *got;

	bytes(in, (uint8_t *)name, n);
	name[n] = '\0';
	for (unsigned i = 0; i < env->n_objects; i++)
		dup |= !strcmp(env->names[i], name);
	want = name_ok(name) && !dup && env->n_objects < 64;
	got = nf_env_name(env, name);
	CHECK(!got == !want && (!got || !strcmp(got, name)));
	if (!got)
		CHECK(env->failed && env->error[0]);
}

/* A whole unsigned number: decimal, 0x hex or 0 octal, up to UINT64_MAX. */
static bool
model_uint(const char *s, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	int d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	else if (s[0] == '0')
		base = 8;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return false;
		if ((unsigned)d >= base || v > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return true;
}

static bool
model_ipv4(const char *s, uint32_t *out)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		unsigned part = 0, digits = 0;

		for (; *s >= '0' && *s <= '9'; s++)
			if (++digits > 3 || (part = part * 10 + (unsigned)(*s - '0')) > 255)
				return false;
		if (!digits || (i < 3 && *s++ != '.'))
			return false;
		a = a << 8 | part;
	}
	*out = a;
	return !*s;
}

static void
op_config(struct in *in)
{
	static const struct nf_param params[] = {
		{ "n", "7", "a number" }, { "ip", "10.0.0.1", "an address" }, { NULL, NULL, NULL },
	};
	static const struct nf_desc desc = { .name = "t", .summary = "t", .ports = { "p", NULL },
					     .params = params };
	const char *keys[1], *values[1];
	char text[32];
	size_t n = u8(in) % sizeof text;
	struct nf_env env;
	uint64_t v, want = 0, lo, hi;
	uint32_t a, wa = 0;
	bool ok;

	bytes(in, (uint8_t *)text, n);
	text[n] = '\0';
	lo = u8(in) % 16;
	hi = u8(in) & 1 ? UINT64_MAX : lo + u16(in);
	nf_env_setup(&env, &desc);
	keys[0] = "n";
	values[0] = text;
	env.keys = keys;
	env.values = values;
	env.n_config = 1;
	v = nf_config_uint(&env, "n", lo, hi);
	ok = model_uint(text, &want) && want >= lo && want <= hi;
	CHECK(nf_env_ok(&env) == ok && v == (ok ? want : lo));

	nf_env_setup(&env, &desc);
	keys[0] = "ip";
	env.keys = keys;
	env.values = values;
	env.n_config = 1;
	a = nf_config_ipv4(&env, "ip");
	ok = model_ipv4(text, &wa);
	CHECK(nf_env_ok(&env) == ok && a == (ok ? wa : 0));

	/* A key the descriptor does not declare fails the instance. */
	nf_env_setup(&env, &desc);
	CHECK(nf_config_str(&env, text)[0] == '\0' || !strcmp(text, "n") || !strcmp(text, "ip"));
	CHECK(nf_env_ok(&env) == (!strcmp(text, "n") || !strcmp(text, "ip")));
}

static bool
is_prime(uint32_t n)
{
	if (n < 2)
		return false;
	for (uint32_t d = 2; d * d <= n; d++)
		if (n % d == 0)
			return false;
	return true;
}

/* Each constructor in a fresh instance: it fails exactly on the sizes its header refuses. */
static void
op_edges(struct in *in)
{
	struct nf_env env;
	uint32_t ks = u8(in), cap = u8(in) % 5, b = u16(in) % 40, h = u16(in) % 400;
	struct cht *t;

	nf_env_setup(&env, NULL);
	CHECK(!map_new(&env, "m", ks, cap) == (ks < 1 || ks > 64));
	CHECK(!sketch_new(&env, "s", ks, cap) == (ks < 1 || ks > 64));
	CHECK(!vector_new(&env, "v", ks, cap) == (ks < 1));
	CHECK(!vector_new(&env, "w", 65536, 65537));	/* over 4 GiB */
	CHECK(!lpm_new(&env, "l", cap) == (cap == 0));
	t = cht_new(&env, "c", b, h);
	CHECK(!t == !(b >= 1 && h > b && is_prime(h)));
	if (t && b <= 16)
		check_cht_table(t);
	nf_env_release(&env);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct world *w = calloc(1, sizeof *w);
	struct nf_env names;
	unsigned ops = 0;

	CHECK(w);
	setup(w, &in);
	check_cht_table(w->cht);
	nf_env_setup(&names, NULL);
	while (in.n && ops++ < MAXOPS) {
		uint8_t op = u8(&in);

		switch (op % 27) {
		case 0: case 1: case 2: op_map(w, &in, op % 27); break;
		case 3: case 4: case 5: op_vector(w, &in, op % 27 - 3); break;
		case 6: case 7: case 8: case 9: case 10: case 11:
			op_dchain(w, &in, op % 27 - 6);
			break;
		case 12: case 13: op_flow(w, &in, op % 27 - 12); break;
		case 14: case 15: case 16: op_sketch(w, &in, op % 27 - 14); break;
		case 17: case 18: case 19: op_cht(w, &in, op % 27 - 17); break;
		case 20: case 21: op_lpm(w, &in, op % 27 - 20); break;
		case 22: case 23: op_time(w, &in); break;
		case 24: op_names(&names, &in); break;
		case 25: op_config(&in); break;
		default: op_edges(&in); break;
		}
		CHECK(w->env.misuse == w->misuse);
	}
	dm_check(w->chain, &w->dm);
	dm_check(w->fchain, &w->fdm);
	dm_check(w->alive, &w->adm);
	CHECK(w->env.misuse == w->misuse);
	/* Calls on a NULL object (nf_init failed) do nothing and say so. */
	{
		uint32_t v;

		const uint8_t *k = w->mkeys.key[0];

		CHECK(!map_get(NULL, k, &v) && map_put(NULL, k, 1) == -1 && !map_erase(NULL, k) &&
		      !vector_get(NULL, 0) && !vector_mut(NULL, 0) &&
		      !dchain_allocate(NULL, 0, &v) && !dchain_expire_one(NULL, 0, &v) &&
		      !sketch_fetch(NULL, k) &&
		      !cht_find(w->cht, "k", 1, NULL, &v) && !lpm_lookup(NULL, 0, &v) &&
		      lpm_add(NULL, 0, 0, 0) == -1 && !expire_items(NULL, NULL, NULL, 0));
	}
	nf_env_release(&w->env);
	free(w->shadow);
	free(w->log);
	free(w);
	return 0;
}
