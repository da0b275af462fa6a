/* Unit tests for engine/rng: determinism, ranges, rough uniformity, Zipf shares. */
#include "engine/rng.h"

#include <math.h>

#include "tests/test.h"

static void
test_rng__deterministic(void)
{
	struct rng a, b, c;
	int same = 0;

	rng_init(&a, 42);
	rng_init(&b, 42);
	rng_init(&c, 43);
	for (int i = 0; i < 1000; i++) {
		uint64_t x = rng_u64(&a);
		CHECK(x == rng_u64(&b));
		same += x == rng_u64(&c);
	}
	CHECK_EQ_INT(same, 0);
	/* Seed 0 must not leave xoshiro in its all-zero fixed point. */
	rng_init(&a, 0);
	CHECK(rng_u64(&a) != 0 || rng_u64(&a) != 0);
}

static void
test_rng__ranges(void)
{
	static const uint64_t ns[] = { 1, 2, 3, 7, 10, 1000, 65535, 1ULL << 32, (1ULL << 63) + 1,
				       UINT64_MAX };
	struct rng r;

	rng_init(&r, 7);
	for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++)
		for (int i = 0; i < 10000; i++) {
			uint64_t v = rng_below(&r, ns[k]);
			if (v >= ns[k]) {
				FAIL("rng_below(%llu) gave %llu", (unsigned long long)ns[k],
				     (unsigned long long)v);
				return;
			}
		}
	CHECK_EQ_INT(rng_below(&r, 0), 0);
	for (int i = 0; i < 100000; i++) {
		double d = rng_double(&r);
		if (d < 0 || d >= 1) {
			FAIL("rng_double gave %g", d);
			return;
		}
	}
}

/* Chi-square over 10 and 37 buckets: with 9 and 36 degrees of freedom the statistic stays far
** below 3x its mean for a fair generator (p < 1e-6 of failing by chance). */
static void
test_rng__below_uniform(void)
{
	static const unsigned ks[] = { 10, 37 };
	struct rng r;

	rng_init(&r, 12345);
	for (size_t t = 0; t < 2; t++) {
		unsigned k = ks[t];
		uint64_t count[64] = { 0 };
		int n = 200000;
		double expect = (double)n / k, chi = 0;
		for (int i = 0; i < n; i++)
			count[rng_below(&r, k)]++;
		for (unsigned i = 0; i < k; i++)
			chi += (count[i] - expect) * (count[i] - expect) / expect;
		if (chi > 3.0 * (k - 1) + 20)
			FAIL("chi-square %.1f over %u buckets", chi, k);
	}
	/* A mean check on [0,1). */
	{
		double sum = 0;
		for (int i = 0; i < 100000; i++)
			sum += rng_double(&r);
		CHECK(fabs(sum / 100000 - 0.5) < 0.01);
	}
}

static double
harmonic(uint64_t n, double s)
{
	double h = 0;

	for (uint64_t k = n; k >= 1; k--)
		h += pow((double)k, -s);
	return h;
}

static void
test_rng__zipf_shares(void)
{
	static const struct { uint64_t n; double s; } cases[] = {
		{ 1000, 1.0 }, { 100, 0.8 }, { 100000, 1.2 }, { 1, 1.0 },
	};
	struct rng r;

	rng_init(&r, 99);
	for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
		struct rng_zipf *z = rng_zipf_new(cases[t].n, cases[t].s);
		double p1 = 1.0 / harmonic(cases[t].n, cases[t].s), share;
		uint64_t hits = 0, n = 200000;
		CHECK(z != NULL);
		if (!z)
			continue;
		CHECK(fabs(rng_zipf_prob(z, 1) - p1) < 1e-9);
		CHECK(rng_zipf_prob(z, 0) == 0);
		CHECK(rng_zipf_prob(z, cases[t].n + 1) == 0);
		for (uint64_t i = 0; i < n; i++) {
			uint64_t k = rng_zipf_next(z, &r);
			if (k < 1 || k > cases[t].n) {
				FAIL("rank %llu out of 1..%llu", (unsigned long long)k,
				     (unsigned long long)cases[t].n);
				break;
			}
			hits += k == 1;
		}
		share = (double)hits / n;
		if (fabs(share - p1) > 0.01 + 0.03 * p1)
			FAIL("n=%llu s=%g: rank-1 share %.4f, expected %.4f",
			     (unsigned long long)cases[t].n, cases[t].s, share, p1);
		rng_zipf_free(z);
	}
	CHECK(rng_zipf_new(0, 1.0) == NULL);
	CHECK(rng_zipf_new(10, 0) == NULL);
	CHECK(rng_zipf_new(10, -1) == NULL);
	CHECK(rng_zipf_new(10, NAN) == NULL);
	rng_zipf_free(NULL);
}

/* A few million ranks build in well under a second and still sample the head correctly. */
static void
test_rng__zipf_large(void)
{
	struct rng_zipf *z = rng_zipf_new(3000000, 1.0);
	struct rng r;
	uint64_t hits = 0, n = 100000;
	double p1;

	CHECK(z != NULL);
	if (!z)
		return;
	p1 = rng_zipf_prob(z, 1);
	CHECK(fabs(p1 - 1.0 / harmonic(3000000, 1.0)) < 1e-9);
	rng_init(&r, 5);
	for (uint64_t i = 0; i < n; i++)
		hits += rng_zipf_next(z, &r) == 1;
	CHECK(fabs((double)hits / n - p1) < 0.01);
	rng_zipf_free(z);
}

int
main(void)
{
	RUN(test_rng__deterministic);
	RUN(test_rng__ranges);
	RUN(test_rng__below_uniform);
	RUN(test_rng__zipf_shares);
	RUN(test_rng__zipf_large);
	return TEST_DONE();
}
