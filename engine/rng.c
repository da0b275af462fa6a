#include "engine/rng.h"

#include <math.h>
#include <stdlib.h>

#include "engine/xalloc.h"

/* splitmix64 (Steele, Lea, Flood 2014): spreads a possibly small or zero seed over all four
** state words, so xoshiro never starts from the all-zero state. */
static uint64_t
splitmix64(uint64_t *ref_x)
{
	uint64_t z = (*ref_x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
rng_init(struct rng *r, uint64_t seed)
{
	uint64_t x = seed;

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** 1.0 (Blackman, Vigna 2018). */
uint64_t
rng_u64(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Lemire, "Fast random integer generation in an interval" (2019): multiply into 128 bits and
** reject only the few low products that would make some results more likely. */
uint64_t
rng_below(struct rng *r, uint64_t n)
{
	unsigned __int128 m;
	uint64_t low;

	if (n == 0)
		return 0;
	m = (unsigned __int128)rng_u64(r) * n;
	low = (uint64_t)m;
	if (low < n) {
		uint64_t threshold = -n % n;
		while (low < threshold) {
			m = (unsigned __int128)rng_u64(r) * n;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

double
rng_double(struct rng *r)
{
	return (double)(rng_u64(r) >> 11) * 0x1.0p-53;
}

struct rng_zipf {
	uint64_t n;
	double *cdf;	/* cdf[k-1] = P(rank <= k); cdf[n-1] == 1 */
};

struct rng_zipf *
rng_zipf_new(uint64_t n, double s)
{
	struct rng_zipf *z;
	double sum = 0, c = 0;

	if (n == 0 || n > RNG_ZIPF_MAX || !isfinite(s) || s <= 0)
		return NULL;
	z = xmalloc(sizeof *z);
	z->n = n;
	z->cdf = xmalloc(n * sizeof *z->cdf);
	/* Kahan summation: millions of tiny tail terms would otherwise drift the total. */
	for (uint64_t k = 1; k <= n; k++) {
		double y = pow((double)k, -s) - c;
		double t = sum + y;
		c = (t - sum) - y;
		sum = t;
		z->cdf[k - 1] = sum;
	}
	for (uint64_t k = 0; k < n; k++)
		z->cdf[k] /= sum;
	z->cdf[n - 1] = 1.0;	/* so every u in [0,1) finds a rank */
	return z;
}

void
rng_zipf_free(struct rng_zipf *z)
{
	if (!z)
		return;
	free(z->cdf);
	free(z);
}

uint64_t
rng_zipf_next(const struct rng_zipf *z, struct rng *r)
{
	double u = rng_double(r);
	uint64_t lo = 0, hi = z->n - 1;

	/* The first index whose cumulative probability exceeds u. */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (z->cdf[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo + 1;
}

double
rng_zipf_prob(const struct rng_zipf *z, uint64_t rank)
{
	if (rank == 0 || rank > z->n)
		return 0;
	return rank == 1 ? z->cdf[0] : z->cdf[rank - 1] - z->cdf[rank - 2];
}
