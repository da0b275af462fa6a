#ifndef ENGINE_RNG_H
#define ENGINE_RNG_H
/*
** Seeded, reproducible pseudo-random numbers for synthetic traces and randomized tests:
** xoshiro256** seeded through splitmix64, unbiased bounded draws, and a Zipf sampler.
** Same seed, same sequence, on every run and machine. Not for cryptography.
*/

#include <stdint.h>

/* Generator state; caller-allocated, no heap. Initialise with rng_init before use. */
struct rng {
	uint64_t s[4];
};

/* A Zipf distribution over ranks 1..n (opaque, heap). */
struct rng_zipf;

/* ---- Uniform draws ---- */

/* Seeds 'r' from 'seed' (any value, 0 included) by expanding it with splitmix64. */
void rng_init(struct rng *r, uint64_t seed);

/* The next 64 uniformly random bits. */
uint64_t rng_u64(struct rng *r);

/* A uniform integer in [0, n), without modulo bias (Lemire's method). n == 0 returns 0. */
uint64_t rng_below(struct rng *r, uint64_t n);

/* A uniform double in [0, 1), with 53 random bits. */
double rng_double(struct rng *r);

/* ---- Zipf ---- */

/* A sampler for P(rank k) = k^-s / H(n, s), k = 1..n, s > 0. Precomputes the CDF: 8 bytes per
** rank. Returns NULL when n == 0, s is not a positive finite number, or n > RNG_ZIPF_MAX.
** The caller frees it with rng_zipf_free. */
#define RNG_ZIPF_MAX 100000000u
struct rng_zipf *rng_zipf_new(uint64_t n, double s);

/* Frees 'z'; NULL is a no-op. */
void rng_zipf_free(struct rng_zipf *z);

/* A rank in 1..n drawn with one rng_double from 'r' (binary search over the CDF). */
uint64_t rng_zipf_next(const struct rng_zipf *z, struct rng *r);

/* The probability of 'rank' (0 outside 1..n), e.g. 1 / H(n, s) for rank 1. */
double rng_zipf_prob(const struct rng_zipf *z, uint64_t rank);

#endif
