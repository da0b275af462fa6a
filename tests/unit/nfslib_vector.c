/* Unit tests for nfs/lib/vector (plain build): zeroed records, a byte model on random writes,
** out-of-range indices (misuse, scratch), the capacity share and bad arguments. */
#include "vector.h"

#include "tests/test.h"

static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void
test_vector__random(void)
{
	static const uint32_t sizes[] = { 1, 3, 8, 13, 64, 100 };
	static unsigned char model[64 * 100];
	uint64_t seeds[] = { 1, 2, 99 };

	for (unsigned si = 0; si < 3; si++) {
		for (unsigned zi = 0; zi < sizeof sizes / sizeof sizes[0]; zi++) {
			uint64_t s = seeds[si];
			uint32_t es = sizes[zi], cap = 64, i;
			struct nf_env env;
			struct vector *v;
			const unsigned char *r;
			unsigned char *w;

			nf_env_setup(&env, NULL);
			v = vector_new(&env, "v", es, cap);
			CHECK(v != NULL);
			memset(model, 0, sizeof model);
			for (int op = 0; op < 5000; op++) {
				i = (uint32_t)(rnd(&s) % cap);
				if (rnd(&s) % 2) {
					w = vector_mut(v, i);
					for (uint32_t b = 0; b < es; b++)
						w[b] = model[i * es + b] = (unsigned char)rnd(&s);
				} else {
					r = vector_get(v, i);
					if (memcmp(r, model + i * es, es) != 0) {
						FAIL("seed %llu op %d: record %u differs",
						    (unsigned long long)seeds[si], op, i);
						break;
					}
				}
			}
			CHECK_EQ_INT(env.misuse, 0);
			nf_env_release(&env);
		}
	}
}

static void
test_vector__range(void)
{
	struct nf_env env;
	struct vector *v;
	const uint32_t *r;
	uint32_t *w;

	nf_env_setup(&env, NULL);
	v = vector_new(&env, "v", 4, 10);
	CHECK_EQ_INT(vector_capacity(v), 10);
	for (uint32_t i = 0; i < 10; i++)
		CHECK_EQ_INT(*(const uint32_t *)vector_get(v, i), 0);
	w = vector_mut(v, 10);
	CHECK(w != NULL);
	CHECK_EQ_INT(env.misuse, 1);
	*w = 77;	/* lands in the scratch record, not the state */
	r = vector_get(v, 1000);
	CHECK(r != NULL);
	CHECK_EQ_INT(*r, 0);	/* the scratch is zeroed for reads */
	CHECK_EQ_INT(env.misuse, 2);
	for (uint32_t i = 0; i < 10; i++)
		CHECK_EQ_INT(*(const uint32_t *)vector_get(v, i), 0);
	*(uint32_t *)vector_mut(v, 9) = 5;
	CHECK_EQ_INT(*(const uint32_t *)vector_get(v, 9), 5);
	CHECK_EQ_INT(env.misuse, 2);
	CHECK(vector_get(NULL, 0) == NULL);
	CHECK(vector_mut(NULL, 0) == NULL);
	CHECK_EQ_INT(vector_capacity(NULL), 0);
	nf_env_release(&env);
}

static void
test_vector__share(void)
{
	struct nf_env env;

	nf_env_setup(&env, NULL);
	env.share_den = 4;
	CHECK_EQ_INT(vector_capacity(vector_new(&env, "a", 8, 100)), 25);
	CHECK_EQ_INT(vector_capacity(vector_new(&env, "b", 8, NF_FULL(100))), 100);
	CHECK_EQ_INT(vector_capacity(vector_new(&env, "c", 8, 3)), 1);	/* ceil(3/4) */
	CHECK(!env.failed);
	CHECK(vector_new(&env, "a", 8, 100) == NULL);
	CHECK(env.failed);
	nf_env_release(&env);

	nf_env_setup(&env, NULL);
	CHECK(vector_new(&env, "zero", 0, 10) == NULL);
	CHECK(strstr(env.error, "zero") != NULL);
	nf_env_release(&env);
}

int
main(void)
{
	RUN(test_vector__random);
	RUN(test_vector__range);
	RUN(test_vector__share);
	return TEST_DONE();
}
