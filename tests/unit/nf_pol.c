/* Behaviour tests for nfs/pol.c: per destination token buckets on wan -> lan, exact refills. */
#include "tests/test.h"
#include "tests/nfpkt.h"
#include "tests/nftest.h"

enum { LAN, WAN };

/* Sends a UDP frame of exactly 'len' bytes (>= 42) to 'dst' on 'port'; returns the verdict. */
static int
xmit(struct nft *t, uint16_t port, const char *dst, uint16_t len, uint64_t now_ns)
{
	uint8_t b[TPKT_MAX];

	tpkt_build(b, "198.51.100.7", 5000, dst, 53, 17, 0, (uint16_t)(len - 42));
	return nft_run(t, port, b, len, now_ns);
}

/* 1000 bytes/s, bursts of 1500: a new bucket holds 1500 bytes. */
#define SMALL "rate=1000 burst=1500 expiry=10"

static void
test_pol__passes_under_rate(void)
{
	struct nft *t = nft_new(SMALL);
	uint64_t now = NFT_SEC;
	int i;

	CHECK(t != NULL);
	if (!t)
		return;
	/* 100 bytes every 100 ms is exactly the rate: never dropped. */
	for (i = 0; i < 200; i++, now += NFT_SEC / 10)
		CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 100, now), LAN);
	nft_free(t);
}

static void
test_pol__drops_over_burst(void)
{
	struct nft *t = nft_new(SMALL);

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 1000, NFT_SEC), LAN);
	/* 500 left: 1000 does not fit and takes nothing, 500 fits exactly, then nothing is left. */
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 1000, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 500, NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 60, NFT_SEC), NF_DROP);
	/* A frame bigger than the burst never passes. */
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.9", 1514, NFT_SEC), NF_DROP);
	nft_free(t);
}

static void
test_pol__refills_exactly(void)
{
	struct nft *t = nft_new(SMALL);
	uint64_t t0 = NFT_SEC;

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 1500, t0), LAN);
	/* 1 ns short of half a second is 499.999999 bytes: 500 does not fit... */
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 500, t0 + NFT_SEC / 2 - 1), NF_DROP);
	/* ...1 ns later it does, leaving nothing. */
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 500, t0 + NFT_SEC / 2), LAN);
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 42, t0 + NFT_SEC / 2), NF_DROP);
	/* Fractions are kept: 42 ms in 1 ms steps makes 42 bytes. */
	for (int i = 1; i < 42; i++)
		CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 42, t0 + NFT_SEC / 2 + i * NFT_SEC / 1000),
		    NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 42, t0 + NFT_SEC / 2 + 42 * NFT_SEC / 1000), LAN);
	/* Refills stop at the burst: after a long pause 1500 passes, then nothing. */
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 1500, t0 + 5 * NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 42, t0 + 5 * NFT_SEC), NF_DROP);
	/* Time going backwards refills nothing. */
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 42, t0), NF_DROP);
	nft_free(t);
}

static void
test_pol__independent_buckets(void)
{
	struct nft *t = nft_new(SMALL);

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 1500, NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 100, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.2", 1500, NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.3", 1000, NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.3", 500, NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.2", 42, NFT_SEC), NF_DROP);
	nft_free(t);
}

static void
test_pol__lan_to_wan_unaffected(void)
{
	struct nft *t = nft_new(SMALL);
	uint8_t b[TPKT_MAX], copy[TPKT_MAX];
	uint16_t len;
	int i;

	CHECK(t != NULL);
	if (!t)
		return;
	len = tpkt_build(b, "10.0.0.1", 5000, "198.51.100.7", 53, 17, 0, 1400);
	memcpy(copy, b, len);
	for (i = 0; i < 100; i++)
		CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), WAN);
	CHECK(memcmp(b, copy, len) == 0);
	/* Even non-IP and short frames. */
	CHECK_EQ_INT(nft_run(t, LAN, b, 10, NFT_SEC), WAN);
	CHECK_EQ_INT(nft_run(t, LAN, NULL, 0, NFT_SEC), WAN);
	/* Nothing was counted against 198.51.100.7 or 10.0.0.1. */
	CHECK_EQ_INT(xmit(t, WAN, "198.51.100.7", 1500, NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 1500, NFT_SEC), LAN);
	nft_free(t);
}

static void
test_pol__idle_bucket_expires(void)
{
	/* One bucket: a second destination finds no room until the first is forgotten. */
	struct nft *t = nft_new(SMALL " capacity=1");

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 100, NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 100, 3 * NFT_SEC), LAN);
	/* Full: new destinations are dropped (fails closed). */
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.2", 100, 4 * NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.2", 100, 13 * NFT_SEC), NF_DROP);
	/* 10.0.0.1, last seen at 3 s, is forgotten just after 13 s. */
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.2", 1500, 13 * NFT_SEC + 1), LAN);
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 100, 13 * NFT_SEC + 1), NF_DROP);
	nft_free(t);
}

static void
test_pol__non_tcp_udp_fragments_options(void)
{
	struct nft *t = nft_new(SMALL);
	uint8_t b[TPKT_MAX];
	uint16_t len;

	CHECK(t != NULL);
	if (!t)
		return;
	/* ICMP (no L4 header we know), a fragment, and an IPv4 header with options: all policed by
	** destination, so the third 600-byte packet to 10.0.0.1 does not fit. */
	len = tpkt_build(b, "198.51.100.7", 0, "10.0.0.1", 0, 1, 0, 566);
	CHECK_EQ_INT(len, 600);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
	len = tpkt_build(b, "198.51.100.7", 5000, "10.0.0.1", 53, 17, 0, 558);
	b[20] = 0x00;
	b[21] = 0x10;		/* offset 128 bytes: a later fragment */
	tpkt_fix(b, len);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
	len = tpkt_build(b, "198.51.100.7", 5000, "10.0.0.1", 53, 17, 0, 554);
	memmove(b + 38, b + 34, (size_t)len - 34);
	memcpy(b + 34, "\x01\x01\x01\x00", 4);
	b[14] = 0x46;
	b[17] += 4;
	len += 4;
	tpkt_fix(b, len);
	CHECK_EQ_INT(len, 600);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(nft_run(t, WAN, b, 300, NFT_SEC), LAN);
	nft_free(t);
}

static void
test_pol__non_ipv4_and_short_on_wan_dropped(void)
{
	struct nft *t = nft_new(SMALL);
	uint8_t b[TPKT_MAX];
	uint16_t len;

	CHECK(t != NULL);
	if (!t)
		return;
	len = tpkt_build(b, "198.51.100.7", 5000, "10.0.0.1", 53, 17, 0, 100);
	CHECK_EQ_INT(nft_run(t, WAN, b, 33, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(nft_run(t, WAN, b, 34, NFT_SEC), LAN);
	CHECK_EQ_INT(nft_run(t, WAN, b, 13, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(nft_run(t, WAN, NULL, 0, NFT_SEC), NF_DROP);
	b[12] = 0x08;
	b[13] = 0x06;		/* ARP */
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	b[12] = 0x08;
	b[13] = 0x00;
	b[14] = 0x65;		/* IP version 6 in an IPv4 EtherType */
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	nft_free(t);
}

static void
test_pol__large_numbers(void)
{
	/* The extremes of the configuration and of time, where a naive elapsed * rate overflows. */
	struct nft *t = nft_new("rate=1000000000000 burst=1000000000 expiry=4294967295");
	uint64_t far = UINT64_MAX - NFT_SEC;

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 1514, NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 1514, far), LAN);
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 1514, far + 1), LAN);
	nft_free(t);
	/* 1 byte/s: 1 ns adds 1 billionth of a byte. */
	t = nft_new("rate=1 burst=100 expiry=100");
	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 100, NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.2", 60, NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.2", 42, NFT_SEC + 1), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.2", 42, 3 * NFT_SEC - 1), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.2", 42, 3 * NFT_SEC), LAN);
	nft_free(t);
}

static void
test_pol__bad_config_refused(void)
{
	struct nft *t;

	/* A bucket must not be forgotten before it would have refilled: 5000/1000 = 5 s. */
	CHECK(nft_new("rate=1000 burst=5000 expiry=4") == NULL);
	t = nft_new("rate=1000 burst=5000 expiry=5");
	CHECK(t != NULL);
	nft_free(t);
	CHECK(nft_new("rate=0") == NULL);
	CHECK(nft_new("burst=1000000001") == NULL);
	CHECK(nft_new("rate=1000000000001") == NULL);
}

static void
test_pol__random_packets(void)
{
	struct nft *t = nft_new("rate=3000 burst=3000 expiry=1 capacity=2");

	CHECK(t != NULL);
	if (!t)
		return;
	nft_fuzz(t, 1, 4000);
	nft_free(t);
	t = nft_new("");
	CHECK(t != NULL);
	if (!t)
		return;
	nft_fuzz(t, 2, 4000);
	nft_free(t);
}

int
main(void)
{
	RUN(test_pol__passes_under_rate);
	RUN(test_pol__drops_over_burst);
	RUN(test_pol__refills_exactly);
	RUN(test_pol__independent_buckets);
	RUN(test_pol__lan_to_wan_unaffected);
	RUN(test_pol__idle_bucket_expires);
	RUN(test_pol__non_tcp_udp_fragments_options);
	RUN(test_pol__non_ipv4_and_short_on_wan_dropped);
	RUN(test_pol__large_numbers);
	RUN(test_pol__bad_config_refused);
	RUN(test_pol__random_packets);
	return TEST_DONE();
}
