/* Behaviour tests for nfs/cl.c: a client gets max_conns new connections to a server per window,
** open connections keep passing, other pairs are unaffected, the count resets after the window,
** connections expire, a full table refuses, odd packets follow the documented rules, and random
** bytes never crash it. */
#include "tests/test.h"
#include "tests/nfpkt.h"
#include "tests/nftest.h"

enum { LAN, WAN };

/* A packet of connection src:sport -> dst:80 (TCP, or UDP for proto 17) on wan; the verdict. */
static int
conn(struct nft *t, const char *src, uint16_t sport, const char *dst, uint8_t proto,
    uint64_t now)
{
	uint8_t b[TPKT_MAX], copy[TPKT_MAX];
	uint16_t len = tpkt_build(b, src, sport, dst, 80, proto, 0x02, 10);
	int out;

	memcpy(copy, b, len);
	out = nft_run(t, WAN, b, len, now);
	if (memcmp(b, copy, len) != 0)
		return -99;	/* cl never rewrites */
	return out;
}

#define CLIENT "198.51.100.9"
#define SERVER "192.0.2.1"

static void
test_cl__limit_per_pair(void)
{
	struct nft *t = nft_new("max_conns=5 window=10");
	uint16_t sport;

	CHECK(t != NULL);
	if (!t)
		return;
	for (sport = 1; sport <= 5; sport++)
		CHECK_EQ_INT(conn(t, CLIENT, sport, SERVER, 6, NFT_SEC), LAN);
	CHECK_EQ_INT(conn(t, CLIENT, 6, SERVER, 6, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(conn(t, CLIENT, 7, SERVER, 17, NFT_SEC), NF_DROP);
	/* Open connections keep passing. */
	for (sport = 1; sport <= 5; sport++)
		CHECK_EQ_INT(conn(t, CLIENT, sport, SERVER, 6, 2 * NFT_SEC), LAN);
	/* Same port, other protocol: another connection, refused. */
	CHECK_EQ_INT(conn(t, CLIENT, 1, SERVER, 17, 2 * NFT_SEC), NF_DROP);
	/* Another server for the same client, another client for the same server. */
	CHECK_EQ_INT(conn(t, CLIENT, 6, "192.0.2.2", 6, 2 * NFT_SEC), LAN);
	CHECK_EQ_INT(conn(t, "198.51.100.10", 6, SERVER, 6, 2 * NFT_SEC), LAN);
	/* Refused attempts are not counted: the window runs from the last accepted one (1 s). */
	CHECK_EQ_INT(conn(t, CLIENT, 8, SERVER, 6, 10 * NFT_SEC), NF_DROP);
	CHECK_EQ_INT(conn(t, CLIENT, 9, SERVER, 6, 11 * NFT_SEC + 1), LAN);
	for (sport = 10; sport <= 13; sport++)
		CHECK_EQ_INT(conn(t, CLIENT, sport, SERVER, 6, 11 * NFT_SEC + 1), LAN);
	CHECK_EQ_INT(conn(t, CLIENT, 14, SERVER, 6, 11 * NFT_SEC + 1), NF_DROP);
	/* The first five, still open, still pass. */
	CHECK_EQ_INT(conn(t, CLIENT, 3, SERVER, 6, 12 * NFT_SEC), LAN);
	/* lan -> wan is never judged. */
	{
		uint8_t b[TPKT_MAX];
		uint16_t len = tpkt_build(b, SERVER, 80, CLIENT, 14, 6, 0x12, 0);

		CHECK_EQ_INT(nft_run(t, LAN, b, len, 12 * NFT_SEC), WAN);
	}
	nft_free(t);
}

static void
test_cl__connections_expire(void)
{
	struct nft *t = nft_new("max_conns=1 window=100 expiry=5");

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(conn(t, CLIENT, 1, SERVER, 6, NFT_SEC), LAN);
	CHECK_EQ_INT(conn(t, CLIENT, 1, SERVER, 6, 5 * NFT_SEC), LAN);
	CHECK_EQ_INT(conn(t, CLIENT, 1, SERVER, 6, 9 * NFT_SEC), LAN);
	/* Idle more than 5 s: forgotten, so its next packet is a new connection, over the limit. */
	CHECK_EQ_INT(conn(t, CLIENT, 1, SERVER, 6, 15 * NFT_SEC), NF_DROP);
	/* ... until the pair's window ends (100 s after the connection was counted). */
	CHECK_EQ_INT(conn(t, CLIENT, 1, SERVER, 6, 102 * NFT_SEC), LAN);
	nft_free(t);
}

static void
test_cl__table_full(void)
{
	struct nft *t = nft_new("max_conns=100 capacity=2");

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(conn(t, CLIENT, 1, SERVER, 6, NFT_SEC), LAN);
	CHECK_EQ_INT(conn(t, "198.51.100.10", 1, SERVER, 6, NFT_SEC), LAN);
	CHECK_EQ_INT(conn(t, CLIENT, 2, SERVER, 6, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(conn(t, CLIENT, 1, SERVER, 6, NFT_SEC), LAN);
	nft_free(t);
	/* Refused for lack of room is not counted: the pair's second connection still fits. */
	t = nft_new("max_conns=2 capacity=1 expiry=1 window=100");
	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(conn(t, CLIENT, 1, SERVER, 6, NFT_SEC), LAN);
	CHECK_EQ_INT(conn(t, CLIENT, 2, SERVER, 6, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(conn(t, CLIENT, 3, SERVER, 6, 3 * NFT_SEC), LAN);
	CHECK_EQ_INT(conn(t, CLIENT, 4, SERVER, 6, 5 * NFT_SEC), NF_DROP);
	nft_free(t);
}

static void
test_cl__odd_packets(void)
{
	struct nft *t = nft_new("max_conns=1");
	uint8_t b[TPKT_MAX];
	uint16_t len, i;

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(conn(t, CLIENT, 1, SERVER, 6, NFT_SEC), LAN);
	CHECK_EQ_INT(conn(t, CLIENT, 2, SERVER, 6, NFT_SEC), NF_DROP);
	/* ICMP and non-IPv4 are not connections: untracked. */
	len = tpkt_build(b, CLIENT, 0, SERVER, 0, 1, 0, 20);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
	len = tpkt_build(b, CLIENT, 2, SERVER, 80, 6, 0x02, 0);
	b[12] = 0x08;
	b[13] = 0x06;
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
	/* Runts dropped; cut inside the IPv4 or TCP header: untracked. */
	len = tpkt_build(b, CLIENT, 2, SERVER, 80, 6, 0x02, 0);
	for (i = 0; i < 14; i++)
		CHECK_EQ_INT(nft_run(t, WAN, b, i, NFT_SEC), NF_DROP);
	for (i = 14; i < len; i++)
		CHECK_EQ_INT(nft_run(t, WAN, b, i, NFT_SEC), LAN);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	/* A first fragment is a new connection (refused), a later one passes. */
	len = tpkt_build(b, CLIENT, 2, SERVER, 80, 17, 0, 40);
	b[20] = 0x20;
	tpkt_fix(b, len);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	b[20] = 0x00;
	b[21] = 0x05;
	tpkt_fix(b, len);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
	CHECK_EQ_INT(nft_run(t, LAN, NULL, 0, NFT_SEC), WAN);
	nft_free(t);
	CHECK(nft_new("max_conns=0") == NULL);
	CHECK(nft_new("window=0") == NULL);
}

static void
test_cl__random_packets(void)
{
	struct nft *t = nft_new("capacity=8 sketch_capacity=16 max_conns=2 window=2 expiry=1");

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK(nft_fuzz_filter(t, 42, 6000, NFT_SEC / 4, 1) > 0);
	nft_free(t);
}

int
main(void)
{
	RUN(test_cl__limit_per_pair);
	RUN(test_cl__connections_expire);
	RUN(test_cl__table_full);
	RUN(test_cl__odd_packets);
	RUN(test_cl__random_packets);
	return TEST_DONE();
}
