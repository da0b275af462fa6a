/* Behaviour tests for nfs/psd.c: a scanner is cut off after max_ports distinct ports, known ports
** still pass, other sources are unaffected, the window ends after expiry, full tables fail open,
** odd packets follow the documented rules, and random bytes never crash it. */
#include "tests/test.h"
#include "tests/nfpkt.h"
#include "tests/nftest.h"

enum { LAN, WAN };

/* One packet from 'src' to 192.0.2.1:dport (TCP SYN or UDP) on wan; returns the verdict. */
static int
probe(struct nft *t, const char *src, uint16_t dport, uint8_t proto, uint64_t now)
{
	uint8_t b[TPKT_MAX], copy[TPKT_MAX];
	uint16_t len = tpkt_build(b, src, 40000, "192.0.2.1", dport, proto, 0x02, 0);
	int out;

	memcpy(copy, b, len);
	out = nft_run(t, WAN, b, len, now);
	if (memcmp(b, copy, len) != 0)
		return -99;	/* psd never rewrites */
	return out;
}

static void
test_psd__scanner_cut_off(void)
{
	struct nft *t = nft_new("max_ports=5 expiry=10");
	uint16_t port;

	CHECK(t != NULL);
	if (!t)
		return;
	for (port = 1; port <= 5; port++)
		CHECK_EQ_INT(probe(t, "198.51.100.9", port, 6, NFT_SEC), LAN);
	CHECK_EQ_INT(probe(t, "198.51.100.9", 6, 6, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(probe(t, "198.51.100.9", 7, 17, NFT_SEC), NF_DROP);
	/* Touched ports still pass, over TCP or UDP: a port is a port. */
	CHECK_EQ_INT(probe(t, "198.51.100.9", 3, 6, NFT_SEC), LAN);
	CHECK_EQ_INT(probe(t, "198.51.100.9", 3, 17, 2 * NFT_SEC), LAN);
	/* Another source, even in the same subnet, has its own count. */
	CHECK_EQ_INT(probe(t, "198.51.100.10", 6, 6, 2 * NFT_SEC), LAN);
	CHECK_EQ_INT(probe(t, "198.51.100.10", 7, 6, 2 * NFT_SEC), LAN);
	/* No ports: ICMP passes untracked, even from the blocked scanner. */
	{
		uint8_t b[TPKT_MAX];
		uint16_t len = tpkt_build(b, "198.51.100.9", 0, "192.0.2.1", 0, 1, 0, 20);

		CHECK_EQ_INT(nft_run(t, WAN, b, len, 2 * NFT_SEC), LAN);
	}
	/* lan -> wan is never judged. */
	{
		uint8_t b[TPKT_MAX];
		uint16_t len = tpkt_build(b, "192.0.2.1", 99, "198.51.100.9", 99, 6, 0x12, 0);

		CHECK_EQ_INT(nft_run(t, LAN, b, len, 2 * NFT_SEC), WAN);
	}
	nft_free(t);
}

static void
test_psd__window(void)
{
	struct nft *t = nft_new("max_ports=3 expiry=10");
	uint64_t now;
	uint16_t port;

	CHECK(t != NULL);
	if (!t)
		return;
	for (port = 1; port <= 3; port++)
		CHECK_EQ_INT(probe(t, "198.51.100.9", port, 6, NFT_SEC), LAN);
	/* Scanning on keeps the source remembered, and blocked, long past 'expiry': its ports
	** expire, but its count does not go down while it is not idle. */
	for (now = 5 * NFT_SEC; now <= 40 * NFT_SEC; now += 5 * NFT_SEC)
		CHECK_EQ_INT(probe(t, "198.51.100.9", (uint16_t)(100 + now / NFT_SEC), 6, now),
		    NF_DROP);
	/* Port 1 expired (untouched since 1 s): it is new again, and over the count. */
	CHECK_EQ_INT(probe(t, "198.51.100.9", 1, 6, 41 * NFT_SEC), NF_DROP);
	/* Idle for more than 'expiry': forgotten, counted from zero again. */
	CHECK_EQ_INT(probe(t, "198.51.100.9", 1000, 6, 52 * NFT_SEC), LAN);
	CHECK_EQ_INT(probe(t, "198.51.100.9", 1001, 6, 52 * NFT_SEC), LAN);
	CHECK_EQ_INT(probe(t, "198.51.100.9", 1002, 6, 52 * NFT_SEC), LAN);
	CHECK_EQ_INT(probe(t, "198.51.100.9", 1003, 6, 52 * NFT_SEC), NF_DROP);
	nft_free(t);
}

static void
test_psd__tables_full_fail_open(void)
{
	struct nft *t = nft_new("max_ports=2 capacity=1 port_capacity=3");
	uint16_t port;

	CHECK(t != NULL);
	if (!t)
		return;
	/* One source slot: the second source is not tracked and passes everything. */
	CHECK_EQ_INT(probe(t, "198.51.100.1", 1, 6, NFT_SEC), LAN);
	for (port = 1; port <= 20; port++)
		CHECK_EQ_INT(probe(t, "198.51.100.2", port, 6, NFT_SEC), LAN);
	CHECK_EQ_INT(probe(t, "198.51.100.1", 2, 6, NFT_SEC), LAN);
	CHECK_EQ_INT(probe(t, "198.51.100.1", 3, 6, NFT_SEC), NF_DROP);
	nft_free(t);

	/* Three port slots shared by the tracked sources: a fourth port passes untracked. */
	t = nft_new("max_ports=5 port_capacity=3");
	CHECK(t != NULL);
	if (!t)
		return;
	for (port = 1; port <= 3; port++)
		CHECK_EQ_INT(probe(t, "198.51.100.1", port, 6, NFT_SEC), LAN);
	for (port = 4; port <= 10; port++)
		CHECK_EQ_INT(probe(t, "198.51.100.1", port, 6, NFT_SEC), LAN);
	nft_free(t);
}

static void
test_psd__odd_packets(void)
{
	struct nft *t = nft_new("max_ports=1");
	uint8_t b[TPKT_MAX], opt[TPKT_MAX];
	uint16_t len, i;

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(probe(t, "198.51.100.9", 1, 6, NFT_SEC), LAN);
	CHECK_EQ_INT(probe(t, "198.51.100.9", 2, 6, NFT_SEC), NF_DROP);
	/* Runts are dropped; a TCP header cut short is no port: untracked. */
	len = tpkt_build(b, "198.51.100.9", 40000, "192.0.2.1", 2, 6, 0x02, 0);
	for (i = 0; i < 14; i++)
		CHECK_EQ_INT(nft_run(t, WAN, b, i, NFT_SEC), NF_DROP);
	for (i = 14; i < len; i++)
		CHECK_EQ_INT(nft_run(t, WAN, b, i, NFT_SEC), LAN);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	/* Non-IPv4 passes untracked. */
	b[12] = 0x86;
	b[13] = 0xdd;
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
	/* A first fragment is judged by its ports, a later one passes. */
	len = tpkt_build(b, "198.51.100.9", 40000, "192.0.2.1", 2, 17, 0, 40);
	b[20] = 0x20;
	tpkt_fix(b, len);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	b[20] = 0x00;
	b[21] = 0x05;
	tpkt_fix(b, len);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
	/* Options: the port is read after them. */
	len = tpkt_build(b, "198.51.100.9", 40000, "192.0.2.1", 2, 6, 0x02, 0);
	memcpy(opt, b, 34);
	memset(opt + 34, 1, 8);
	memcpy(opt + 42, b + 34, len - 34);
	opt[14] = 0x47;
	opt[17] += 8;
	tpkt_fix(opt, len + 8);
	CHECK_EQ_INT(nft_run(t, WAN, opt, len + 8, NFT_SEC), NF_DROP);
	memcpy(opt + 42, b + 34, len - 34);
	opt[44] = 0;
	opt[45] = 1;		/* port 1, already touched */
	tpkt_fix(opt, len + 8);
	CHECK_EQ_INT(nft_run(t, WAN, opt, len + 8, NFT_SEC), LAN);
	/* lan forwards even runts. */
	CHECK_EQ_INT(nft_run(t, LAN, b, 3, NFT_SEC), WAN);
	CHECK_EQ_INT(nft_run(t, LAN, NULL, 0, NFT_SEC), WAN);
	nft_free(t);
	CHECK(nft_new("max_ports=0") == NULL);
	CHECK(nft_new("expiry=x") == NULL);
}

static void
test_psd__random_packets(void)
{
	struct nft *t = nft_new("capacity=4 port_capacity=8 max_ports=3 expiry=1");

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK(nft_fuzz_filter(t, 42, 6000, NFT_SEC / 4, 1) > 0);
	nft_free(t);
}

int
main(void)
{
	RUN(test_psd__scanner_cut_off);
	RUN(test_psd__window);
	RUN(test_psd__tables_full_fail_open);
	RUN(test_psd__odd_packets);
	RUN(test_psd__random_packets);
	return TEST_DONE();
}
