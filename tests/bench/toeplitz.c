/* Toeplitz speed: nanoseconds per IPv4 4-tuple (12 bytes) for the table version, the reference
** and DPDK's rte_softrss / rte_softrss_be, all on the same pre-generated random tuples in one
** run; and the cost of building a table. Prints a table for tests/bench/run.sh; asserts nothing
** (shared machines are noisy) but says so when the implementations disagree. */
#include "engine/rng.h"
#include "engine/toeplitz.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <rte_thash.h>

#define BENCH_TUPLES (2u << 20)	/* 24 MiB of each layout: streamed, not cache resident */
#define BENCH_ROUNDS 3		/* the best round counts, the others absorb noise */
#define BENCH_INITS 20000

static volatile uint32_t bench_sink;	/* every hash feeds it, so none is optimised away */

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Times EXPR (using index i) over every tuple, BENCH_ROUNDS times; leaves the best ns per
** tuple in NS and the XOR of the hashes in X. A macro, so DPDK's inline functions stay inline. */
#define BENCH_LOOP(NS, X, EXPR) do { \
	(NS) = 1e30; \
	for (int round_ = 0; round_ < BENCH_ROUNDS; round_++) { \
		uint32_t acc_ = 0; \
		double t0_ = bench_now(), ns_; \
		for (size_t i = 0; i < n; i++) \
			acc_ ^= (EXPR); \
		ns_ = (bench_now() - t0_) * 1e9 / (double)n; \
		bench_sink = acc_; \
		(X) = acc_; \
		if (ns_ < (NS)) \
			(NS) = ns_; \
	} \
} while (0)

static void
bench_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int
main(void)
{
	enum { TAB12, TAB, REF, SOFT, SOFT_BE, N_IMPL };
	static const char *const names[N_IMPL] = {
		"toeplitz_tab_hash12", "toeplitz_tab_hash", "toeplitz_ref", "rte_softrss",
		"rte_softrss_be",
	};
	static struct toeplitz_tab tab;
	uint32_t key_w[13], key_be[13];	/* 52 bytes as words: DPDK loads the key by words */
	uint8_t *key = (uint8_t *)key_w;
	size_t n = BENCH_TUPLES;
	uint8_t *bytes = malloc(n * 12);	/* network order, for ours */
	uint32_t *words = malloc(n * 3 * sizeof *words);	/* host-order words, for DPDK */
	double ns[N_IMPL], t0, init12, init36;
	uint32_t x[N_IMPL];
	struct rng r;
	int agree = 1;

	if (!bytes || !words) {
		fprintf(stderr, "toeplitz bench: out of memory\n");
		return 1;
	}
	rng_init(&r, 1);
	for (size_t k = 0; k < sizeof key_w; k++)
		key[k] = (uint8_t)rng_u64(&r);
	rte_convert_rss_key(key_w, key_be, (int)sizeof key_w);
	for (size_t i = 0; i < n; i++) {
		uint64_t a = rng_u64(&r), b = rng_u64(&r);
		words[3 * i] = (uint32_t)a;
		words[3 * i + 1] = (uint32_t)(a >> 32);
		words[3 * i + 2] = (uint32_t)b;
		for (int w = 0; w < 3; w++)
			bench_put32(bytes + 12 * i + 4 * w, words[3 * i + w]);
	}

	/* Building a table: once per sampled key in the solver's loop. */
	t0 = bench_now();
	for (int k = 0; k < BENCH_INITS; k++) {
		key[0] = (uint8_t)k;
		toeplitz_tab_init(&tab, key, sizeof key_w, 36);
	}
	init36 = (bench_now() - t0) * 1e6 / BENCH_INITS;
	t0 = bench_now();
	for (int k = 0; k < BENCH_INITS; k++) {
		key[0] = (uint8_t)k;
		toeplitz_tab_init(&tab, key, sizeof key_w, 12);
	}
	init12 = (bench_now() - t0) * 1e6 / BENCH_INITS;
	bench_sink = tab.t[0][1];

	key[0] = (uint8_t)rng_u64(&r);
	rte_convert_rss_key(key_w, key_be, (int)sizeof key_w);
	toeplitz_tab_init(&tab, key, sizeof key_w, 12);
	BENCH_LOOP(ns[TAB12], x[TAB12], toeplitz_tab_hash12(&tab, bytes + 12 * i));
	BENCH_LOOP(ns[TAB], x[TAB], toeplitz_tab_hash(&tab, bytes + 12 * i));
	BENCH_LOOP(ns[REF], x[REF], toeplitz_ref(key, sizeof key_w, bytes + 12 * i, 12));
	BENCH_LOOP(ns[SOFT], x[SOFT], rte_softrss(words + 3 * i, 3, key));
	BENCH_LOOP(ns[SOFT_BE], x[SOFT_BE], rte_softrss_be(words + 3 * i, 3, (uint8_t *)key_be));

	printf("toeplitz (target: table <= 15 ns per IPv4 tuple; rte_softrss measured in the same "
	       "run)\n");
	printf("%-20s %9s %15s\n", "function", "ns/tuple", "vs rte_softrss");
	for (int k = 0; k < N_IMPL; k++) {
		printf("%-20s %9.2f %14.2fx\n", names[k], ns[k], ns[k] / ns[SOFT]);
		agree &= x[k] == x[SOFT];
	}
	printf("%-20s %9.2f us (52-byte key, 12-byte input); %.2f us for 36 bytes\n",
	       "toeplitz_tab_init", init12, init36);
	printf("%u random tuples, best of %d rounds; %s\n", (unsigned)n, BENCH_ROUNDS,
	       agree ? "all five agree on every hash (XOR of all)" : "MISMATCH between versions");
	free(bytes);
	free(words);
	return agree ? 0 : 1;
}
