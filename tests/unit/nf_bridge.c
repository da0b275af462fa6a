/* Behaviour tests for nfs/bridge.c: learning, forwarding, flooding, filtering, ageing. */
#include "tests/test.h"
#include "tests/nfpkt.h"
#include "tests/nftest.h"

enum { LAN, WAN };

static const uint8_t mac_a[6] = { 2, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 2, 0, 0, 0, 0, 0x0b };
static const uint8_t mac_c[6] = { 2, 0, 0, 0, 0, 0x0c };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

/* Sends a UDP packet src -> dst into 't' on 'port' at now_ns; returns the verdict. */
static int
xmit(struct nft *t, uint16_t port, const uint8_t *src, const uint8_t *dst, uint64_t now_ns)
{
	uint8_t b[TPKT_MAX];
	uint16_t len = tpkt_build(b, "10.0.0.1", 1234, "10.0.0.2", 53, 17, 0, 4);

	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	return nft_run(t, port, b, len, now_ns);
}

static void
test_bridge__learns_and_forwards(void)
{
	struct nft *t = nft_new("");

	CHECK(t != NULL);
	if (!t)
		return;
	/* b is unknown: flood. a is learned on lan, so b's answer goes there. */
	CHECK_EQ_INT(xmit(t, LAN, mac_a, mac_b, NFT_SEC), NF_FLOOD);
	CHECK_EQ_INT(xmit(t, WAN, mac_b, mac_a, NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, LAN, mac_a, mac_b, NFT_SEC), WAN);
	CHECK_EQ_INT(xmit(t, WAN, mac_b, mac_a, 2 * NFT_SEC), LAN);
	nft_free(t);
}

static void
test_bridge__floods_broadcast_and_multicast(void)
{
	struct nft *t = nft_new("");

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, LAN, mac_a, bcast, NFT_SEC), NF_FLOOD);
	CHECK_EQ_INT(xmit(t, WAN, mac_b, bcast, NFT_SEC), NF_FLOOD);
	CHECK_EQ_INT(xmit(t, LAN, mac_a, mcast, NFT_SEC), NF_FLOOD);
	/* Both were learned from those floods. */
	CHECK_EQ_INT(xmit(t, LAN, mac_a, mac_b, NFT_SEC), WAN);
	nft_free(t);
}

static void
test_bridge__same_port_dropped(void)
{
	struct nft *t = nft_new("");

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, LAN, mac_a, bcast, NFT_SEC), NF_FLOOD);
	CHECK_EQ_INT(xmit(t, LAN, mac_c, mac_a, NFT_SEC), NF_DROP);
	/* A packet to itself is on its own segment too. */
	CHECK_EQ_INT(xmit(t, LAN, mac_a, mac_a, NFT_SEC), NF_DROP);
	nft_free(t);
}

static void
test_bridge__group_source_not_learned(void)
{
	/* With room for one MAC, a learned group source would keep a out. */
	struct nft *t = nft_new("capacity=1");

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, WAN, mcast, mac_b, NFT_SEC), NF_FLOOD);
	CHECK_EQ_INT(xmit(t, LAN, mac_a, mac_b, NFT_SEC), NF_FLOOD);
	CHECK_EQ_INT(xmit(t, WAN, mac_b, mac_a, NFT_SEC), LAN);
	nft_free(t);
}

static void
test_bridge__forgets_after_expiry(void)
{
	struct nft *t = nft_new("expiry=10");

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, LAN, mac_a, bcast, NFT_SEC), NF_FLOOD);
	/* Being a destination does not refresh a MAC; only sending does. */
	CHECK_EQ_INT(xmit(t, WAN, mac_b, mac_a, 5 * NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, WAN, mac_b, mac_a, 11 * NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, WAN, mac_b, mac_a, 11 * NFT_SEC + 1), NF_FLOOD);
	/* Relearned, then kept alive by its own traffic. */
	CHECK_EQ_INT(xmit(t, LAN, mac_a, mac_b, 12 * NFT_SEC), WAN);
	CHECK_EQ_INT(xmit(t, LAN, mac_a, mac_c, 20 * NFT_SEC), NF_FLOOD);
	CHECK_EQ_INT(xmit(t, WAN, mac_b, mac_a, 29 * NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, WAN, mac_c, mac_a, 31 * NFT_SEC), NF_FLOOD);
	nft_free(t);
}

static void
test_bridge__moved_mac_updates(void)
{
	struct nft *t = nft_new("");

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, LAN, mac_a, bcast, NFT_SEC), NF_FLOOD);
	CHECK_EQ_INT(xmit(t, WAN, mac_b, mac_a, NFT_SEC), LAN);
	/* a shows up behind wan now. */
	CHECK_EQ_INT(xmit(t, WAN, mac_a, bcast, 2 * NFT_SEC), NF_FLOOD);
	CHECK_EQ_INT(xmit(t, LAN, mac_c, mac_a, 2 * NFT_SEC), WAN);
	CHECK_EQ_INT(xmit(t, WAN, mac_b, mac_a, 2 * NFT_SEC), NF_DROP);
	nft_free(t);
}

static void
test_bridge__full_table(void)
{
	struct nft *t = nft_new("capacity=1 expiry=10");

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, LAN, mac_a, bcast, NFT_SEC), NF_FLOOD);
	/* No room for b: its packets still pass, answers to it flood. */
	CHECK_EQ_INT(xmit(t, WAN, mac_b, mac_a, 2 * NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, LAN, mac_a, mac_b, 3 * NFT_SEC), NF_FLOOD);
	/* Once a has aged out (last seen at 3 s), b gets its slot. */
	CHECK_EQ_INT(xmit(t, WAN, mac_b, mac_a, 14 * NFT_SEC), NF_FLOOD);
	CHECK_EQ_INT(xmit(t, LAN, mac_a, mac_b, 14 * NFT_SEC), WAN);
	nft_free(t);
}

static void
test_bridge__short_and_non_ip(void)
{
	struct nft *t = nft_new("");
	uint8_t b[64];

	CHECK(t != NULL);
	if (!t)
		return;
	memset(b, 0, sizeof b);
	memcpy(b, mac_b, 6);
	memcpy(b + 6, mac_a, 6);
	/* 13 bytes: dropped and a is not learned. */
	CHECK_EQ_INT(nft_run(t, LAN, b, 13, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, mac_b, mac_a, NFT_SEC), NF_FLOOD);
	/* A bare Ethernet header (any EtherType) is bridged and learned from. */
	b[12] = 0x86;
	b[13] = 0xdd;
	CHECK_EQ_INT(nft_run(t, LAN, b, 14, NFT_SEC), WAN);
	CHECK_EQ_INT(xmit(t, WAN, mac_b, mac_a, NFT_SEC), LAN);
	CHECK_EQ_INT(nft_run(t, LAN, NULL, 0, NFT_SEC), NF_DROP);
	nft_free(t);
}

static void
test_bridge__bad_config_refused(void)
{
	CHECK(nft_new("capacity=0") == NULL);
	CHECK(nft_new("expiry=0") == NULL);
	CHECK(nft_new("expiry=soon") == NULL);
}

static void
test_bridge__random_packets(void)
{
	struct nft *t = nft_new("capacity=2 expiry=1");

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
	RUN(test_bridge__learns_and_forwards);
	RUN(test_bridge__floods_broadcast_and_multicast);
	RUN(test_bridge__same_port_dropped);
	RUN(test_bridge__group_source_not_learned);
	RUN(test_bridge__forgets_after_expiry);
	RUN(test_bridge__moved_mac_updates);
	RUN(test_bridge__full_table);
	RUN(test_bridge__short_and_non_ip);
	RUN(test_bridge__bad_config_refused);
	RUN(test_bridge__random_packets);
	return TEST_DONE();
}
