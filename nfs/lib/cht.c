/*
** Maglev hashing (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load Balancer",
** NSDI 2016, section 3.4). Each backend b has a permutation of the buckets, bucket j of it being
** (offset_b + j * skip_b) mod height, with offset and skip from two hashes of b; 'height' is
** prime, so every skip in 1..height-1 visits every bucket. The paper's population (backends take
** turns, each claiming the next bucket of its permutation that is still free) gives each bucket
** its first choice, and each backend height/backends buckets, +-1.
**
** Unlike the paper we keep, per bucket, every backend in preference order: the first choice,
** then the others in the order their permutations reach the bucket. The table is fixed, so when
** a backend dies only the buckets it was first alive in move (to their next alive backend,
** spread over the others by their permutations), and they come back when it returns.
** cht_find walks the bucket's list and asks the dchain, so the traced build reports those reads.
**
** The table is height * backends * 4 bytes, at most CHT_MAX_BYTES, built once in cht_new.
*/

#include "cht.h"

#include "hash.h"
#include "hook.h"

#define CHT_MAX_BACKENDS	4096
#define CHT_MAX_HEIGHT		(1u << 20)
#define CHT_MAX_BYTES		(64u << 20)
#define CHT_SEED_KEY		0x6368746b6579ull	/* "chtkey" */
#define CHT_SEED_OFFSET		0x6368746f6666ull	/* "chtoff" */
#define CHT_SEED_SKIP		0x636874736b70ull	/* "chtskp" */

struct cht {
	struct nf_env *env;
	const char *name;
	uint32_t backends;
	uint32_t height;
	uint32_t *prefs;	/* height rows of 'backends' entries, preference order */
};

static int
is_prime(uint32_t n)
{
	uint32_t d;

	if (n < 2)
		return 0;
	for (d = 2; (uint64_t)d * d <= n; d++) {
		if (n % d == 0)
			return 0;
	}
	return 1;
}

static inline uint32_t
step(uint32_t x, uint32_t skip, uint32_t height)
{
	return x + skip >= height ? x + skip - height : x + skip;
}

/* Fills t->prefs; 'offset', 'skip', 'pos' (per backend) and 'fill', 'first' (per bucket) are
** scratch. */
static void
build(struct cht *t, uint32_t *offset, uint32_t *skip, uint32_t *pos, uint32_t *fill,
    uint32_t *first)
{
	uint32_t B = t->backends, M = t->height, b, j, x, filled;

	for (b = 0; b < B; b++) {
		offset[b] = (uint32_t)(hash_bytes(&b, sizeof b, CHT_SEED_OFFSET) % M);
		skip[b] = (uint32_t)(hash_bytes(&b, sizeof b, CHT_SEED_SKIP) % (M - 1)) + 1;
	}
	/* The paper's population: first choices. pos[b] is the next bucket of b's permutation. */
	for (x = 0; x < M; x++)
		first[x] = UINT32_MAX;
	for (b = 0; b < B; b++)
		pos[b] = offset[b];
	for (filled = 0; filled < M;) {
		for (b = 0; b < B && filled < M; b++) {
			while (first[pos[b]] != UINT32_MAX)
				pos[b] = step(pos[b], skip[b], M);
			first[pos[b]] = b;
			filled++;
		}
	}
	/* Every backend into every bucket in the order its permutation reaches it, the first choice
	** already in front. */
	for (x = 0; x < M; x++) {
		t->prefs[(size_t)x * B] = first[x];
		fill[x] = 1;
	}
	for (b = 0; b < B; b++)
		pos[b] = offset[b];
	for (j = 0; j < M; j++) {
		for (b = 0; b < B; b++) {
			x = pos[b];
			pos[b] = step(x, skip[b], M);
			if (first[x] != b)
				t->prefs[(size_t)x * B + fill[x]++] = b;
		}
	}
}

struct cht *
cht_new(struct nf_env *env, const char *name, uint32_t backends, uint32_t height)
{
	const char *stored = nf_env_name(env, name);
	uint32_t *offset, *skip, *pos, *fill, *first;
	struct cht *t;

	if (!stored)
		return NULL;
	/* Never split by the capacity share: every core needs the whole table. */
	if (backends < 1 || backends > CHT_MAX_BACKENDS) {
		nf_env_fail(env, "cht \"%s\": %u backends, not in 1..%u", name, backends,
		    CHT_MAX_BACKENDS);
		return NULL;
	}
	if (height <= backends || height > CHT_MAX_HEIGHT || !is_prime(height)) {
		nf_env_fail(env, "cht \"%s\": height %u must be a prime above %u backends, at "
		    "most %u", name, height, backends, CHT_MAX_HEIGHT);
		return NULL;
	}
	if ((uint64_t)height * backends * 4 > CHT_MAX_BYTES) {
		nf_env_fail(env, "cht \"%s\": %u backends x %u buckets is over %u MiB", name,
		    backends, height, CHT_MAX_BYTES >> 20);
		return NULL;
	}
	t = nf_alloc(env, sizeof *t);
	if (!t)
		return NULL;
	t->env = env;
	t->name = stored;
	t->backends = backends;
	t->height = height;
	t->prefs = nf_alloc(env, (size_t)height * backends * sizeof *t->prefs);
	offset = nf_alloc(env, (size_t)backends * 3 * sizeof *offset);
	fill = nf_alloc(env, (size_t)height * 2 * sizeof *fill);
	if (!t->prefs || !offset || !fill)
		return NULL;
	skip = offset + backends;
	pos = skip + backends;
	first = fill + height;
	build(t, offset, skip, pos, fill, first);
	return t;
}

int
cht_find(struct cht *t, const void *key, uint32_t key_size, struct dchain *alive,
    uint32_t *backend)
{
	const uint32_t *row;
	uint32_t i, n;

	if (!t)
		return 0;
	hook_read(t->env, t->name, key, key_size);
	if (!alive) {
		hook_call(t->env, "cht_find", t->name, 0, NULL, 0);
		return 0;
	}
	row = t->prefs + (size_t)hash_range(hash_bytes(key, key_size, CHT_SEED_KEY), t->height) *
	    t->backends;
	n = dchain_capacity(alive);
	/* The dchain reads are traced, but the NF made one call. */
	hook_inner_begin(t->env);
	for (i = 0; i < t->backends; i++) {
		if (row[i] < n && dchain_is_allocated(alive, row[i]))
			break;
	}
	hook_inner_end(t->env);
	if (i == t->backends) {
		hook_call(t->env, "cht_find", t->name, 0, NULL, 0);
		return 0;
	}
	*backend = row[i];
	hook_call_u32(t->env, "cht_find", t->name, 1, row[i]);
	return 1;
}

uint32_t
cht_backends(const struct cht *t)
{
	return t ? t->backends : 0;
}

uint32_t
cht_height(const struct cht *t)
{
	return t ? t->height : 0;
}

uint32_t
cht_preference(const struct cht *t, uint32_t bucket, uint32_t rank)
{
	if (!t || bucket >= t->height || rank >= t->backends)
		return UINT32_MAX;
	return t->prefs[(size_t)bucket * t->backends + rank];
}
