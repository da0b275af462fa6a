/* Toeplitz speed: nanoseconds per IPv4 4-tuple (12 bytes) for the table version, the reference
** and DPDK's rte_softrss / rte_softrss_be, all on the same pre-generated random tuples in one
** run; and the cost of building a table. Asserts nothing about speed (shared machines are
** noisy); exits 1 when the implementations disagree on a hash.
**   toeplitz [--rounds N] [--tuples N] [--machine]
** Each round times every function once, one after the other, so a burst of noise hits them
** alike. --machine prints one line per measurement for tests/bench/bench.lua:
**   sample ROUND FUNCTION NS      (ns per tuple)
**   init ROUND BYTES US           (us per table build, 52-byte key, BYTES of input)
**   agree 1|0
** otherwise a table of the best, median and worst round. */
#include "engine/rng.h"
#include "engine/toeplitz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_thash.h>

#define BENCH_INITS 20000
#define BENCH_MAX_ROUNDS 100

static volatile uint32_t bench_sink;	/* every hash feeds it, so none is optimised away */

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Times EXPR (using index i) over the first N tuples once; leaves ns per tuple in NS and the
** XOR of the hashes in X. A macro, so DPDK's inline functions stay inline. */
#define BENCH_LOOP(NS, X, N, EXPR) do { \
	uint32_t acc_ = 0; \
	size_t n_ = (N); \
	double t0_ = bench_now(); \
	for (size_t i = 0; i < n_; i++) \
		acc_ ^= (EXPR); \
	(NS) = (bench_now() - t0_) * 1e9 / (double)n_; \
	bench_sink = acc_; \
	(X) = acc_; \
} while (0)

static void
bench_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
usage(void)
{
	fprintf(stderr, "usage: toeplitz [--rounds N (1..%d)] [--tuples N] [--machine]\n",
		BENCH_MAX_ROUNDS);
	exit(2);
}

int
main(int argc, char **argv)
{
	enum { TAB12, TAB, SOFT, SOFT_BE, REF, N_IMPL };
	static const char *const names[N_IMPL] = {
		"toeplitz_tab_hash12", "toeplitz_tab_hash", "rte_softrss", "rte_softrss_be",
		"toeplitz_ref",
	};
	static struct toeplitz_tab tab;
	static double ns[N_IMPL][BENCH_MAX_ROUNDS], init[2][BENCH_MAX_ROUNDS];
	uint32_t key_w[13], key_be[13];	/* 52 bytes as words: DPDK loads the key by words */
	uint8_t *key = (uint8_t *)key_w;
	size_t n = 2u << 20;	/* 24 MiB of each layout: streamed, not cache resident */
	size_t n_ref;
	int rounds = 3, machine = 0, agree = 1;
	uint8_t *bytes;
	uint32_t *words, x[N_IMPL], ref_x;
	struct rng r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--machine"))
			machine = 1;
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--tuples") && i + 1 < argc)
			n = (size_t)strtoull(argv[++i], NULL, 0);
		else
			usage();
	}
	if (rounds < 1 || rounds > BENCH_MAX_ROUNDS || n < 1024)
		usage();
	/* The bitwise reference is ~100x slower: a sixteenth of the tuples tells its speed. */
	n_ref = n / 16;

	bytes = malloc(n * 12);	/* network order, for ours */
	words = malloc(n * 3 * sizeof *words);	/* host-order words, for DPDK */
	if (!bytes || !words) {
		fprintf(stderr, "toeplitz bench: out of memory\n");
		return 1;
	}
	rng_init(&r, 1);
	for (size_t k = 0; k < sizeof key_w; k++)
		key[k] = (uint8_t)rng_u64(&r);
	for (size_t i = 0; i < n; i++) {
		uint64_t a = rng_u64(&r), b = rng_u64(&r);
		words[3 * i] = (uint32_t)a;
		words[3 * i + 1] = (uint32_t)(a >> 32);
		words[3 * i + 2] = (uint32_t)b;
		for (int w = 0; w < 3; w++)
			bench_put32(bytes + 12 * i + 4 * w, words[3 * i + w]);
	}
	rte_convert_rss_key(key_w, key_be, (int)sizeof key_w);
	toeplitz_tab_init(&tab, key, sizeof key_w, 12);

	for (int round = 0; round < rounds; round++) {
		double t0;
		uint8_t k0 = key[0];

		BENCH_LOOP(ns[TAB12][round], x[TAB12], n, toeplitz_tab_hash12(&tab, bytes + 12 * i));
		BENCH_LOOP(ns[TAB][round], x[TAB], n, toeplitz_tab_hash(&tab, bytes + 12 * i));
		BENCH_LOOP(ns[SOFT][round], x[SOFT], n, rte_softrss(words + 3 * i, 3, key));
		BENCH_LOOP(ns[SOFT_BE][round], x[SOFT_BE], n,
			   rte_softrss_be(words + 3 * i, 3, (uint8_t *)key_be));
		BENCH_LOOP(ns[REF][round], x[REF], n_ref, toeplitz_ref(key, sizeof key_w,
									bytes + 12 * i, 12));
		/* DPDK's rte_softrss on the same first sixteenth, to check the reference. */
		BENCH_LOOP(t0, ref_x, n_ref, rte_softrss(words + 3 * i, 3, key));
		agree &= x[TAB12] == x[SOFT] && x[TAB] == x[SOFT] && x[SOFT_BE] == x[SOFT] &&
			 x[REF] == ref_x;

		/* Building a table: once per sampled key in the solver's loop. */
		for (int b = 0; b < 2; b++) {
			size_t len = b ? 36 : 12;
			t0 = bench_now();
			for (int k = 0; k < BENCH_INITS; k++) {
				key[0] = (uint8_t)k;
				toeplitz_tab_init(&tab, key, sizeof key_w, len);
			}
			init[b][round] = (bench_now() - t0) * 1e6 / BENCH_INITS;
		}
		bench_sink = tab.t[0][1];
		key[0] = k0;
		toeplitz_tab_init(&tab, key, sizeof key_w, 12);
		if (machine) {
			for (int k = 0; k < N_IMPL; k++)
				printf("sample %d %s %.3f\n", round + 1, names[k], ns[k][round]);
			printf("init %d 12 %.3f\ninit %d 36 %.3f\n", round + 1, init[0][round],
			       round + 1, init[1][round]);
			fflush(stdout);
		}
	}
	if (machine) {
		printf("agree %d\n", agree);
	} else {
		printf("toeplitz: ns per IPv4 tuple, %zu random tuples (%zu for toeplitz_ref), "
		       "%d rounds\n", n, n_ref, rounds);
		printf("%-20s %9s %9s %9s %15s\n", "function", "best", "median", "worst",
		       "median/softrss");
		for (int k = 0; k < N_IMPL; k++)
			qsort(ns[k], (size_t)rounds, sizeof ns[k][0], cmp_double);
		for (int k = 0; k < N_IMPL; k++)
			printf("%-20s %9.2f %9.2f %9.2f %14.2fx\n", names[k], ns[k][0],
			       ns[k][rounds / 2], ns[k][rounds - 1],
			       ns[k][rounds / 2] / ns[SOFT][rounds / 2]);
		qsort(init[0], (size_t)rounds, sizeof init[0][0], cmp_double);
		qsort(init[1], (size_t)rounds, sizeof init[1][0], cmp_double);
		printf("toeplitz_tab_init: %.2f us (52-byte key, 12-byte input), %.2f us for 36 "
		       "bytes (medians)\n", init[0][rounds / 2], init[1][rounds / 2]);
		printf("%s\n", agree ? "all versions agree on every hash (XOR of all)"
			       : "MISMATCH between versions");
	}
	free(bytes);
	free(words);
	return agree ? 0 : 1;
}
