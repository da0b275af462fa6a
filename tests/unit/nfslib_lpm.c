/* Unit tests for nfs/lib/lpm (plain build): against a linear longest-prefix scan on seeded
** random prefixes (any insertion order, replacements), capacity, bits beyond the length, /0 and
** /32, bad arguments. */
#include "lpm.h"

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

static uint32_t
mask(unsigned len)
{
	return len == 0 ? 0 : ~(UINT32_MAX >> (len - 1) >> 1);	/* no shift by 32 */
}

#define MAXP 600
struct model {
	uint32_t prefix[MAXP], value[MAXP];
	uint8_t len[MAXP];
	unsigned n;
};

static int
model_lookup(const struct model *md, uint32_t addr, uint32_t *value)
{
	int best = -1;

	for (unsigned i = 0; i < md->n; i++) {
		if ((addr & mask(md->len[i])) == md->prefix[i] &&
		    (best < 0 || md->len[i] > md->len[best]))
			best = (int)i;
	}
	if (best >= 0)
		*value = md->value[best];
	return best >= 0;
}

static void
run_random(uint64_t seed, uint32_t cap, int adds)
{
	static struct model md;
	uint64_t s = seed;
	struct nf_env env;
	struct lpm *t;
	uint32_t p, v, addr, got, want;
	unsigned len, i;
	int r, wr;

	nf_env_setup(&env, NULL);
	t = lpm_new(&env, "routes", cap);
	CHECK(t != NULL);
	memset(&md, 0, sizeof md);
	for (int op = 0; op < adds; op++) {
		/* Lengths around the byte boundaries, nested under earlier prefixes half the time. */
		len = (unsigned)(rnd(&s) % 33);
		p = (uint32_t)rnd(&s);
		if (md.n && rnd(&s) % 2) {
			i = (unsigned)(rnd(&s) % md.n);
			p = md.prefix[i] | ((uint32_t)rnd(&s) & ~mask(md.len[i]));
		}
		v = (uint32_t)rnd(&s);
		r = lpm_add(t, p, (uint8_t)len, v);
		p &= mask(len);
		for (i = 0; i < md.n && !(md.prefix[i] == p && md.len[i] == len); i++)
			;
		wr = i < md.n || md.n < cap ? 0 : -1;
		if (r != wr) {
			FAIL("seed %llu op %d: add %08x/%u: %d, model %d", (unsigned long long)seed,
			    op, p, len, r, wr);
			break;
		}
		if (wr == 0) {
			md.prefix[i] = p;
			md.len[i] = (uint8_t)len;
			md.value[i] = v;
			if (i == md.n)
				md.n++;
		}
		CHECK_EQ_INT(lpm_size(t), md.n);
		/* Lookups: near a known prefix, or anywhere. */
		for (int q = 0; q < 20; q++) {
			addr = (uint32_t)rnd(&s);
			if (md.n && rnd(&s) % 4) {
				i = (unsigned)(rnd(&s) % md.n);
				addr = md.prefix[i] | (addr & ~mask(md.len[i]));
			}
			r = lpm_lookup(t, addr, &got);
			wr = model_lookup(&md, addr, &want);
			if (r != wr || (r && got != want)) {
				FAIL("seed %llu op %d: lookup %08x: %d (%u), model %d (%u)",
				    (unsigned long long)seed, op, addr, r, r ? got : 0, wr,
				    wr ? want : 0);
				goto out;
			}
		}
	}
out:
	nf_env_release(&env);
}

static void
test_lpm__random(void)
{
	for (unsigned si = 0; si < N_SEEDS; si++) {
		run_random(seeds[si], 5, 100);
		run_random(seeds[si], 50, 400);
		run_random(seeds[si], 500, 600);
	}
}

static void
test_lpm__basics(void)
{
	struct nf_env env;
	struct lpm *t;
	uint32_t v = 0;

	nf_env_setup(&env, NULL);
	env.share_den = 4;	/* not split */
	t = lpm_new(&env, "r", 4);
	CHECK_EQ_INT(lpm_lookup(t, 0x01020304, &v), 0);
	/* Longer first, shorter after: the shorter does not override. */
	CHECK_EQ_INT(lpm_add(t, 0x0a010200, 24, 24), 0);
	CHECK_EQ_INT(lpm_add(t, 0x0a01ffff, 16, 16), 0);	/* bits beyond /16 ignored */
	CHECK_EQ_INT(lpm_add(t, 0, 0, 99), 0);
	CHECK_EQ_INT(lpm_add(t, 0x0a010203, 32, 32), 0);
	CHECK_EQ_INT(lpm_add(t, 0x0b000000, 8, 8), -1);	/* full */
	CHECK_EQ_INT(lpm_add(t, 0x0a010200, 24, 240), 0);	/* replacing needs no room */
	CHECK_EQ_INT(lpm_add(t, 0x0a010200, 33, 1), -1);
	CHECK_EQ_INT(lpm_size(t), 4);
	CHECK_EQ_INT(lpm_lookup(t, 0x0a010203, &v), 1);
	CHECK_EQ_INT(v, 32);
	CHECK_EQ_INT(lpm_lookup(t, 0x0a010204, &v), 1);
	CHECK_EQ_INT(v, 240);
	CHECK_EQ_INT(lpm_lookup(t, 0x0a01ff00, &v), 1);
	CHECK_EQ_INT(v, 16);
	CHECK_EQ_INT(lpm_lookup(t, 0xc0a80001, &v), 1);
	CHECK_EQ_INT(v, 99);
	CHECK(!env.failed);
	nf_env_release(&env);

	nf_env_setup(&env, NULL);
	CHECK(lpm_new(&env, "zero", 0) == NULL);
	CHECK(strstr(env.error, "zero") != NULL);
	nf_env_release(&env);
	CHECK_EQ_INT(lpm_lookup(NULL, 1, &v), 0);
	CHECK_EQ_INT(lpm_add(NULL, 1, 8, 1), -1);
}

int
main(void)
{
	pick_time_seed();
	RUN(test_lpm__random);
	RUN(test_lpm__basics);
	return TEST_DONE();
}
