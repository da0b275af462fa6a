/* Unit tests for nfs/lib/expire (plain build): a flow table (map + key vector + dchain) driven
** like an NF against a model of (key, stamp) in touch order; expiry with the map, without it,
** and with a vector that cannot hold the keys. */
#include "expire.h"

#include <time.h>

#include "tests/test.h"

static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t seeds[] = { 1, 42, 0xdeadbeef, 0 };
#define N_SEEDS (sizeof seeds / sizeof seeds[0])

static void
pick_time_seed(void)
{
	const char *e = getenv("BATON_TEST_SEED");

	seeds[N_SEEDS - 1] = e && *e ? strtoull(e, NULL, 0) : (uint64_t)time(NULL);
	printf("# seed %llu (set BATON_TEST_SEED to replay)\n",
	    (unsigned long long)seeds[N_SEEDS - 1]);
}

struct flow {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint8_t proto, pad[3];
};

#define MAXF 64
struct model {
	struct flow keys[MAXF];	/* in touch order, oldest first */
	uint64_t stamp[MAXF];
	unsigned n;
};

static int
model_find(const struct model *md, const struct flow *k)
{
	for (unsigned i = 0; i < md->n; i++) {
		if (memcmp(&md->keys[i], k, sizeof *k) == 0)
			return (int)i;
	}
	return -1;
}

static void
model_drop(struct model *md, unsigned at)
{
	memmove(md->keys + at, md->keys + at + 1, (md->n - at - 1) * sizeof md->keys[0]);
	memmove(md->stamp + at, md->stamp + at + 1, (md->n - at - 1) * sizeof md->stamp[0]);
	md->n--;
}

static void
run_random(uint64_t seed, uint32_t cap, unsigned universe, int ops)
{
	static struct model md;
	static struct flow pool[256];
	uint64_t s = seed, now = 5000, timeout = 60, before;
	struct nf_env env;
	struct map *m;
	struct vector *keys;
	struct dchain *c;
	uint32_t idx, n, want;
	int at;

	nf_env_setup(&env, NULL);
	m = map_new(&env, "flows", sizeof(struct flow), cap);
	keys = vector_new(&env, "keys", sizeof(struct flow), cap);
	c = dchain_new(&env, "ages", cap);
	CHECK(m && keys && c);
	memset(&md, 0, sizeof md);
	memset(pool, 0, sizeof pool);
	for (unsigned i = 0; i < universe; i++) {
		pool[i].src = (uint32_t)rnd(&s);
		pool[i].dst = (uint32_t)rnd(&s) % 4;
		pool[i].sport = (uint16_t)i;
		pool[i].proto = 6;
	}
	for (int op = 0; op < ops; op++) {
		if (rnd(&s) % 12 == 0)
			now -= rnd(&s) % 10;
		else
			now += rnd(&s) % 8;
		before = now - timeout;
		n = expire_items(c, m, keys, before);
		want = 0;
		while (md.n && md.stamp[0] < before) {
			model_drop(&md, 0);
			want++;
		}
		if (n != want) {
			FAIL("seed %llu op %d: expired %u, model %u", (unsigned long long)seed, op, n,
			    want);
			break;
		}
		const struct flow *k = &pool[rnd(&s) % universe];
		at = model_find(&md, k);
		if (map_get(m, k, &idx) != (at >= 0)) {
			FAIL("seed %llu op %d: map_get disagrees with the model (%d)",
			    (unsigned long long)seed, op, at >= 0);
			break;
		}
		if (at >= 0) {
			CHECK_EQ_INT(dchain_rejuvenate(c, idx, now), 1);
			model_drop(&md, (unsigned)at);
		} else if (dchain_allocate(c, now, &idx)) {
			memcpy(vector_mut(keys, idx), k, sizeof *k);
			CHECK_EQ_INT(map_put(m, k, idx), 0);
		} else {
			CHECK_EQ_INT(md.n, cap);
			continue;
		}
		md.keys[md.n] = *k;
		md.stamp[md.n++] = now;
		if (map_size(m) != md.n || dchain_allocated(c) != md.n) {
			FAIL("seed %llu op %d: map %u, dchain %u, model %u", (unsigned long long)seed,
			    op, map_size(m), dchain_allocated(c), md.n);
			break;
		}
	}
	CHECK_EQ_INT(env.misuse, 0);
	/* Everything goes in the end. */
	CHECK_EQ_INT(expire_items(c, m, keys, UINT64_MAX), md.n);
	CHECK_EQ_INT(map_size(m), 0);
	CHECK_EQ_INT(dchain_allocated(c), 0);
	nf_env_release(&env);
}

static void
test_expire__random(void)
{
	for (unsigned si = 0; si < N_SEEDS; si++) {
		run_random(seeds[si], 4, 10, 3000);
		run_random(seeds[si], 16, 40, 10000);
		run_random(seeds[si], 64, 100, 10000);
	}
}

static void
test_expire__edges(void)
{
	struct nf_env env;
	struct dchain *c;
	struct map *m;
	struct vector *small;
	uint32_t idx, k = 7;

	nf_env_setup(&env, NULL);
	c = dchain_new(&env, "c", 4);
	m = map_new(&env, "m", 4, 4);
	small = vector_new(&env, "small", 2, 4);	/* cannot hold 4-byte keys */
	CHECK_EQ_INT(expire_items(c, m, small, 100), 0);	/* nothing allocated */
	dchain_allocate(c, 10, &idx);
	dchain_allocate(c, 20, &idx);
	CHECK_EQ_INT(expire_items(c, NULL, NULL, 15), 1);	/* the chain alone */
	CHECK_EQ_INT(dchain_allocated(c), 1);
	map_put(m, &k, idx);
	CHECK_EQ_INT(expire_items(c, m, small, 100), 1);
	CHECK_EQ_INT(env.misuse, 1);	/* no key to erase */
	CHECK_EQ_INT(map_size(m), 1);
	CHECK_EQ_INT(expire_items(NULL, m, small, 100), 0);
	nf_env_release(&env);
}

int
main(void)
{
	pick_time_seed();
	RUN(test_expire__random);
	RUN(test_expire__edges);
	return TEST_DONE();
}
