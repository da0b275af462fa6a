/* Unit tests for engine/toeplitz: the Microsoft RSS verification suite, agreement with DPDK's
** rte_softrss on random tuples and keys, the table version against the reference at every input
** length, and key windows at the key's edges. */
#include "engine/toeplitz.h"

#include "engine/rng.h"

/* DPDK only for the comparison: the engine itself includes no DPDK header. */
#include <rte_thash.h>

#include "tests/test.h"

/* The Microsoft verification key (the default RSS key of many NICs). */
static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* The suite's IPv4 rows: the published table lists destination first, source second. */
static const struct {
	uint32_t dst, src;
	uint16_t dport, sport;
	uint32_t h_ip, h_tcp;	/* IPv4 only (8 bytes), IPv4 with TCP ports (12 bytes) */
} ms_v4[] = {
	{ IP4(161, 142, 100, 80), IP4(66, 9, 149, 187), 1766, 2794, 0x323e8fc2, 0x51ccc178 },
	{ IP4(65, 69, 140, 83), IP4(199, 92, 111, 2), 4739, 14230, 0xd718262a, 0xc626b0ea },
	{ IP4(12, 22, 207, 184), IP4(24, 19, 198, 95), 38024, 12898, 0xd2d0a5de, 0x5c2b394a },
	{ IP4(209, 142, 163, 6), IP4(38, 27, 205, 30), 2217, 48228, 0x82989176, 0xafc7327f },
	{ IP4(202, 188, 127, 2), IP4(153, 39, 163, 191), 1303, 44251, 0x5d1809c5, 0x10e828a2 },
};

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The hash input in network order: src IP, dst IP, src port, dst port. */
static void
tuple_bytes(uint8_t in[12], uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	put32(in, src);
	put32(in + 4, dst);
	put32(in + 8, (uint32_t)sport << 16 | dport);
}

static void
random_bytes(struct rng *r, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rng_u64(r);
}

static void
test_toeplitz__ms_vectors(void)
{
	static struct toeplitz_tab t8, t12;
	uint8_t in[12];

	toeplitz_tab_init(&t8, ms_key, sizeof ms_key, 8);
	toeplitz_tab_init(&t12, ms_key, sizeof ms_key, 12);
	CHECK_EQ_INT(t8.in_len, 8);
	CHECK_EQ_INT(t12.in_len, 12);
	for (size_t k = 0; k < sizeof ms_v4 / sizeof ms_v4[0]; k++) {
		tuple_bytes(in, ms_v4[k].src, ms_v4[k].dst, ms_v4[k].sport, ms_v4[k].dport);
		CHECK_EQ_INT(toeplitz_ref(ms_key, sizeof ms_key, in, 8), ms_v4[k].h_ip);
		CHECK_EQ_INT(toeplitz_ref(ms_key, sizeof ms_key, in, 12), ms_v4[k].h_tcp);
		CHECK_EQ_INT(toeplitz_tab_hash(&t8, in), ms_v4[k].h_ip);
		CHECK_EQ_INT(toeplitz_tab_hash(&t12, in), ms_v4[k].h_tcp);
		CHECK_EQ_INT(toeplitz_tab_hash12(&t12, in), ms_v4[k].h_tcp);
	}
}

static void
test_toeplitz__window_edges(void)
{
	static const uint8_t ff[1] = { 0xff };

	/* Bit 0 is the MSB of key[0]; whole-byte offsets are plain big-endian words. */
	CHECK_EQ_INT(toeplitz_window(ms_key, 40, 0), 0x6d5a56da);
	CHECK_EQ_INT(toeplitz_window(ms_key, 40, 1), 0xdab4adb4);
	CHECK_EQ_INT(toeplitz_window(ms_key, 40, 7), 0xad2b6d12);
	CHECK_EQ_INT(toeplitz_window(ms_key, 40, 8), 0x5a56da25);
	CHECK_EQ_INT(toeplitz_window(ms_key, 40, 32), 0x255b0ec2);
	/* The last whole window, then windows running off the end (0xfa = 11111010). */
	CHECK_EQ_INT(toeplitz_window(ms_key, 40, 288), 0xbeac01fa);
	CHECK_EQ_INT(toeplitz_window(ms_key, 40, 289), 0x7d5803f4);
	CHECK_EQ_INT(toeplitz_window(ms_key, 40, 300), 0xc01fa000);
	CHECK_EQ_INT(toeplitz_window(ms_key, 40, 312), 0xfa000000);
	CHECK_EQ_INT(toeplitz_window(ms_key, 40, 316), 0xa0000000);
	CHECK_EQ_INT(toeplitz_window(ms_key, 40, 318), 0x80000000);
	CHECK_EQ_INT(toeplitz_window(ms_key, 40, 319), 0);
	CHECK_EQ_INT(toeplitz_window(ms_key, 40, 320), 0);
	CHECK_EQ_INT(toeplitz_window(ms_key, 40, 100000), 0);
	CHECK_EQ_INT(toeplitz_window(ms_key, 40, UINT32_MAX), 0);
	/* A shorter key_len hides the rest of the same buffer. */
	CHECK_EQ_INT(toeplitz_window(ms_key, 2, 0), 0x6d5a0000);
	CHECK_EQ_INT(toeplitz_window(ms_key, 2, 4), 0xd5a00000);
	CHECK_EQ_INT(toeplitz_window(ms_key, 1, 0), 0x6d000000);
	CHECK_EQ_INT(toeplitz_window(ms_key, 0, 0), 0);
	CHECK_EQ_INT(toeplitz_window(NULL, 0, 5), 0);
	CHECK_EQ_INT(toeplitz_window(ff, 1, 4), 0xf0000000);
	CHECK_EQ_INT(toeplitz_window(ff, 1, 7), 0x80000000);
	CHECK_EQ_INT(toeplitz_window(ff, 1, 8), 0);
}

/* The hash of one set input bit is that bit's window; of two inputs XORed, the XOR of hashes. */
static void
test_toeplitz__linear(void)
{
	uint8_t a[TOEPLITZ_IN_MAX], b[TOEPLITZ_IN_MAX], c[TOEPLITZ_IN_MAX], key[52];
	struct rng r;

	rng_init(&r, 11);
	random_bytes(&r, key, sizeof key);
	for (unsigned i = 0; i < TOEPLITZ_IN_MAX * 8; i++) {
		memset(a, 0, sizeof a);
		a[i / 8] = (uint8_t)(0x80 >> i % 8);
		if (toeplitz_ref(key, sizeof key, a, sizeof a) != toeplitz_window(key, sizeof key, i)) {
			FAIL("bit %u: hash is not its window", i);
			return;
		}
	}
	for (int n = 0; n < 1000; n++) {
		random_bytes(&r, a, sizeof a);
		random_bytes(&r, b, sizeof b);
		for (size_t k = 0; k < sizeof c; k++)
			c[k] = a[k] ^ b[k];
		CHECK_EQ_INT(toeplitz_ref(key, sizeof key, c, sizeof c),
			     toeplitz_ref(key, sizeof key, a, sizeof a) ^
			     toeplitz_ref(key, sizeof key, b, sizeof b));
	}
	memset(a, 0, sizeof a);
	CHECK_EQ_INT(toeplitz_ref(key, sizeof key, a, sizeof a), 0);
	CHECK_EQ_INT(toeplitz_ref(key, sizeof key, a, 0), 0);
}

/* DPDK's rte_softrss on host-order words, and rte_softrss_be on the converted key, against
** ours on the same tuple in network order. Full-length keys only: DPDK reads one word past the
** input's length of key without a length to stop it. */
static void
test_toeplitz__dpdk_v4(void)
{
	static struct toeplitz_tab t8, t12;
	static const size_t key_lens[] = { 40, 52, 40, 52, 40 };
	uint32_t key_w[13], key_be[13];	/* words, so DPDK's word loads are aligned */
	uint8_t *key = (uint8_t *)key_w, in[12];
	struct rng r;
	int bad = 0;

	rng_init(&r, 20240601);
	for (size_t k = 0; k < sizeof key_lens / sizeof key_lens[0] && !bad; k++) {
		size_t kl = key_lens[k];
		random_bytes(&r, key, kl);
		rte_convert_rss_key(key_w, key_be, (int)kl);
		toeplitz_tab_init(&t8, key, kl, 8);
		toeplitz_tab_init(&t12, key, kl, 12);
		for (int n = 0; n < 100000 && bad < 5; n++) {
			uint64_t x = rng_u64(&r), y = rng_u64(&r);
			uint32_t tuple[3] = { (uint32_t)x, (uint32_t)(x >> 32), (uint32_t)y };
			uint32_t d8 = rte_softrss(tuple, 2, key), d12 = rte_softrss(tuple, 3, key);
			uint32_t b8 = rte_softrss_be(tuple, 2, (const uint8_t *)key_be);
			uint32_t b12 = rte_softrss_be(tuple, 3, (const uint8_t *)key_be);
			uint32_t r8, r12, h8, h12, u12;

			tuple_bytes(in, tuple[0], tuple[1], (uint16_t)(tuple[2] >> 16),
				    (uint16_t)tuple[2]);
			r8 = toeplitz_ref(key, kl, in, 8);
			r12 = toeplitz_ref(key, kl, in, 12);
			h8 = toeplitz_tab_hash(&t8, in);
			h12 = toeplitz_tab_hash(&t12, in);
			u12 = toeplitz_tab_hash12(&t12, in);
			if (r8 != d8 || h8 != d8 || b8 != d8 || r12 != d12 || h12 != d12 ||
			    u12 != d12 || b12 != d12) {
				FAIL("key %zu (%zu bytes) tuple %08x %08x %08x: rte_softrss %08x %08x, "
				     "_be %08x %08x, ref %08x %08x, tab %08x %08x, tab12 %08x", k, kl,
				     tuple[0], tuple[1], tuple[2], d8, d12, b8, b12, r8, r12, h8, h12,
				     u12);
				bad++;
			}
		}
	}
}

/* Every whole-word input length up to an IPv6 4-tuple (9 words), against rte_softrss. */
static void
test_toeplitz__dpdk_words(void)
{
	static struct toeplitz_tab t;
	uint32_t key_w[13], tuple[9];
	uint8_t *key = (uint8_t *)key_w, in[36];
	struct rng r;

	rng_init(&r, 77);
	for (int k = 0; k < 6; k++) {
		size_t kl = k % 2 ? 52 : 40;
		random_bytes(&r, key, kl);
		for (unsigned words = 1; words <= 9; words++) {
			toeplitz_tab_init(&t, key, kl, words * 4);
			for (int n = 0; n < 2000; n++) {
				uint32_t d, h, ref;
				for (unsigned w = 0; w < words; w++) {
					tuple[w] = (uint32_t)rng_u64(&r);
					put32(in + 4 * w, tuple[w]);
				}
				d = rte_softrss(tuple, words, key);
				h = toeplitz_tab_hash(&t, in);
				ref = toeplitz_ref(key, kl, in, words * 4);
				if (d != h || d != ref) {
					FAIL("%zu-byte key, %u words: rte_softrss %08x, tab %08x, ref %08x",
					     kl, words, d, h, ref);
					return;
				}
			}
		}
	}
}

/* The table version against the reference at every input length, with keys long, exact and
** too short (past its end a key reads as zero), one table reused for all (nothing stale). */
static void
test_toeplitz__tab_vs_ref(void)
{
	static const size_t key_lens[] = { 0, 1, 3, 4, 8, 13, 16, 20, 39, 40, 41, 52, 64 };
	static struct toeplitz_tab t;
	uint8_t key[TOEPLITZ_KEY_MAX], in[TOEPLITZ_IN_MAX];
	struct rng r;

	rng_init(&r, 5150);
	for (size_t len = 1; len <= TOEPLITZ_IN_MAX; len++)
		for (size_t k = 0; k < sizeof key_lens / sizeof key_lens[0]; k++) {
			size_t kl = key_lens[k];
			random_bytes(&r, key, sizeof key);
			toeplitz_tab_init(&t, key, kl, len);
			CHECK_EQ_INT(t.in_len, len);
			for (int n = 0; n < 200; n++) {
				uint32_t h, ref;
				random_bytes(&r, in, len);
				/* Sparse and saturated inputs too. */
				if (n == 0)
					memset(in, 0, len);
				else if (n == 1)
					memset(in, 0xff, len);
				h = toeplitz_tab_hash(&t, in);
				ref = toeplitz_ref(key, kl, in, len);
				if (h != ref) {
					FAIL("in_len %zu, key_len %zu: tab %08x, ref %08x", len, kl, h, ref);
					return;
				}
				if (len == 12 && toeplitz_tab_hash12(&t, in) != ref) {
					FAIL("key_len %zu: tab12 %08x, ref %08x", kl,
					     toeplitz_tab_hash12(&t, in), ref);
					return;
				}
			}
		}
	/* An over-long in_len is cut to the table's size, not written past it. */
	toeplitz_tab_init(&t, key, sizeof key, TOEPLITZ_IN_MAX + 10);
	CHECK_EQ_INT(t.in_len, TOEPLITZ_IN_MAX);
}

int
main(void)
{
	RUN(test_toeplitz__ms_vectors);
	RUN(test_toeplitz__window_edges);
	RUN(test_toeplitz__linear);
	RUN(test_toeplitz__dpdk_v4);
	RUN(test_toeplitz__dpdk_words);
	RUN(test_toeplitz__tab_vs_ref);
	return TEST_DONE();
}
