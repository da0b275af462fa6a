/* Behaviour tests for nfs/fw.c: lan opens flows, wan gets in only on their replies. */
#include "tests/test.h"
#include "tests/nfpkt.h"
#include "tests/nftest.h"

enum { LAN, WAN };

/* Sends src:sport -> dst:dport (TCP 6 or UDP 17) into 't' on 'port'; returns the verdict. */
static int
xmit(struct nft *t, uint16_t port, const char *src, uint16_t sport, const char *dst,
    uint16_t dport, uint8_t proto, uint64_t now_ns)
{
	uint8_t b[TPKT_MAX];
	uint16_t len = tpkt_build(b, src, sport, dst, dport, proto, 0x10, 20);

	return nft_run(t, port, b, len, now_ns);
}

/* Inserts 4 bytes of IPv4 options (three NOPs, end of list) into a packet built by tpkt_build. */
static uint16_t
add_options(uint8_t *b, uint16_t len)
{
	memmove(b + 38, b + 34, (size_t)len - 34);
	memcpy(b + 34, "\x01\x01\x01\x00", 4);
	b[14] = 0x46;
	b[17] = (uint8_t)(b[17] + 4);
	tpkt_fix(b, (uint16_t)(len + 4));
	return (uint16_t)(len + 4);
}

static void
test_fw__lan_flow_lets_replies_in(void)
{
	struct nft *t = nft_new("");
	uint8_t b[TPKT_MAX], copy[TPKT_MAX];
	uint16_t len;

	CHECK(t != NULL);
	if (!t)
		return;
	len = tpkt_build(b, "10.0.0.1", 40000, "192.0.2.1", 443, 6, 0x02, 0);
	memcpy(copy, b, len);
	CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), WAN);
	CHECK(memcmp(b, copy, len) == 0);
	len = tpkt_build(b, "192.0.2.1", 443, "10.0.0.1", 40000, 6, 0x12, 0);
	memcpy(copy, b, len);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
	CHECK(memcmp(b, copy, len) == 0);
	CHECK_EQ_INT(xmit(t, LAN, "10.0.0.1", 40000, "192.0.2.1", 443, 6, NFT_SEC), WAN);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 443, "10.0.0.1", 40000, 6, 2 * NFT_SEC), LAN);
	nft_free(t);
}

static void
test_fw__udp_flows(void)
{
	struct nft *t = nft_new("");

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.53", 53, "10.0.0.1", 5353, 17, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, LAN, "10.0.0.1", 5353, "192.0.2.53", 53, 17, NFT_SEC), WAN);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.53", 53, "10.0.0.1", 5353, 17, NFT_SEC), LAN);
	/* The same ports over TCP are another flow. */
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.53", 53, "10.0.0.1", 5353, 6, NFT_SEC), NF_DROP);
	nft_free(t);
}

static void
test_fw__unknown_wan_dropped(void)
{
	struct nft *t = nft_new("");

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 443, "10.0.0.1", 40000, 6, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, LAN, "10.0.0.1", 40000, "192.0.2.1", 443, 6, NFT_SEC), WAN);
	/* The lan packet's own 5-tuple arriving from wan is not a reply. */
	CHECK_EQ_INT(xmit(t, WAN, "10.0.0.1", 40000, "192.0.2.1", 443, 6, NFT_SEC), NF_DROP);
	nft_free(t);
}

static void
test_fw__wrong_reply_dropped(void)
{
	struct nft *t = nft_new("");

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, LAN, "10.0.0.1", 40000, "192.0.2.1", 443, 6, NFT_SEC), WAN);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 444, "10.0.0.1", 40000, 6, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 443, "10.0.0.1", 40001, 6, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.2", 443, "10.0.0.1", 40000, 6, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 443, "10.0.0.2", 40000, 6, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 443, "10.0.0.1", 40000, 17, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 443, "10.0.0.1", 40000, 6, NFT_SEC), LAN);
	nft_free(t);
}

static void
test_fw__expiry(void)
{
	struct nft *t = nft_new("expiry=10");

	CHECK(t != NULL);
	if (!t)
		return;
	/* Seen at 1 s: alive at 11 s exactly, gone 1 s later. */
	CHECK_EQ_INT(xmit(t, LAN, "10.0.0.1", 40000, "192.0.2.1", 443, 6, NFT_SEC), WAN);
	CHECK_EQ_INT(xmit(t, LAN, "10.0.0.2", 40000, "192.0.2.1", 443, 6, NFT_SEC), WAN);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 443, "10.0.0.1", 40000, 6, 11 * NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 443, "10.0.0.2", 40000, 6, 12 * NFT_SEC), NF_DROP);
	/* The reply at 11 s refreshed the first flow; lan traffic keeps it alive too. */
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 443, "10.0.0.1", 40000, 6, 21 * NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, LAN, "10.0.0.1", 40000, "192.0.2.1", 443, 6, 28 * NFT_SEC), WAN);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 443, "10.0.0.1", 40000, 6, 37 * NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 443, "10.0.0.1", 40000, 6, 48 * NFT_SEC), NF_DROP);
	/* Drops do not refresh anything, and a new lan packet starts it over. */
	CHECK_EQ_INT(xmit(t, LAN, "10.0.0.1", 40000, "192.0.2.1", 443, 6, 48 * NFT_SEC), WAN);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 443, "10.0.0.1", 40000, 6, 49 * NFT_SEC), LAN);
	nft_free(t);
}

static void
test_fw__full_table(void)
{
	struct nft *t = nft_new("capacity=2 expiry=10");

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, LAN, "10.0.0.1", 1001, "192.0.2.1", 80, 6, NFT_SEC), WAN);
	CHECK_EQ_INT(xmit(t, LAN, "10.0.0.1", 1002, "192.0.2.1", 80, 6, NFT_SEC), WAN);
	/* No room: forwarded anyway, but its replies are dropped. */
	CHECK_EQ_INT(xmit(t, LAN, "10.0.0.1", 1003, "192.0.2.1", 80, 6, 2 * NFT_SEC), WAN);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 80, "10.0.0.1", 1003, 6, 2 * NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 80, "10.0.0.1", 1001, 6, 2 * NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 80, "10.0.0.1", 1002, 6, 3 * NFT_SEC), LAN);
	/* Once the first flow ages out (last seen at 2 s), the third gets its slot. */
	CHECK_EQ_INT(xmit(t, LAN, "10.0.0.1", 1003, "192.0.2.1", 80, 6, 12 * NFT_SEC + 1), WAN);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 80, "10.0.0.1", 1003, 6, 12 * NFT_SEC + 1), LAN);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 80, "10.0.0.1", 1001, 6, 12 * NFT_SEC + 1),
	    NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 80, "10.0.0.1", 1002, 6, 12 * NFT_SEC + 1), LAN);
	nft_free(t);
}

static void
test_fw__non_flow_packets(void)
{
	struct nft *t = nft_new("");
	uint8_t b[TPKT_MAX];
	uint16_t len;

	CHECK(t != NULL);
	if (!t)
		return;
	/* ICMP: out yes, in no. */
	len = tpkt_build(b, "10.0.0.1", 0, "192.0.2.1", 0, 1, 0, 40);
	CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), WAN);
	len = tpkt_build(b, "192.0.2.1", 0, "10.0.0.1", 0, 1, 0, 40);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	/* Non-IPv4 and short frames the same. */
	b[12] = 0x86;
	b[13] = 0xdd;
	CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), WAN);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(nft_run(t, LAN, b, 10, NFT_SEC), WAN);
	CHECK_EQ_INT(nft_run(t, WAN, b, 10, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(nft_run(t, LAN, NULL, 0, NFT_SEC), WAN);
	CHECK_EQ_INT(nft_run(t, WAN, NULL, 0, NFT_SEC), NF_DROP);
	/* Fragments never take part in a flow, first ones included. */
	len = tpkt_build(b, "10.0.0.1", 40000, "192.0.2.1", 443, 17, 0, 100);
	b[20] = 0x20;		/* MF: a first fragment, ports present */
	tpkt_fix(b, len);
	CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), WAN);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 443, "10.0.0.1", 40000, 17, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, LAN, "10.0.0.1", 40000, "192.0.2.1", 443, 17, NFT_SEC), WAN);
	len = tpkt_build(b, "192.0.2.1", 443, "10.0.0.1", 40000, 17, 0, 100);
	b[20] = 0x20;
	tpkt_fix(b, len);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	b[20] = 0x00;
	b[21] = 0x10;		/* a later fragment */
	tpkt_fix(b, len);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	/* Don't Fragment is not a fragment. */
	b[20] = 0x40;
	b[21] = 0x00;
	tpkt_fix(b, len);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
	/* A reply cut inside its TCP header is not a flow packet either. */
	CHECK_EQ_INT(xmit(t, LAN, "10.0.0.1", 40000, "192.0.2.1", 443, 6, NFT_SEC), WAN);
	len = tpkt_build(b, "192.0.2.1", 443, "10.0.0.1", 40000, 6, 0x10, 0);
	CHECK_EQ_INT(nft_run(t, WAN, b, 53, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
	nft_free(t);
}

static void
test_fw__ipv4_options(void)
{
	struct nft *t = nft_new("");
	uint8_t b[TPKT_MAX];
	uint16_t len;

	CHECK(t != NULL);
	if (!t)
		return;
	len = tpkt_build(b, "10.0.0.1", 40000, "192.0.2.1", 443, 6, 0x02, 0);
	len = add_options(b, len);
	CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), WAN);
	CHECK_EQ_INT(xmit(t, WAN, "192.0.2.1", 443, "10.0.0.1", 40000, 6, NFT_SEC), LAN);
	len = tpkt_build(b, "192.0.2.1", 443, "10.0.0.1", 40000, 6, 0x12, 0);
	len = add_options(b, len);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
	len = tpkt_build(b, "192.0.2.1", 443, "10.0.0.1", 40001, 6, 0x12, 0);
	len = add_options(b, len);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	nft_free(t);
}

static void
test_fw__bad_config_refused(void)
{
	CHECK(nft_new("capacity=0") == NULL);
	CHECK(nft_new("capacity=99999999") == NULL);
	CHECK(nft_new("expiry=") == NULL);
}

static void
test_fw__random_packets(void)
{
	struct nft *t = nft_new("capacity=3 expiry=1");

	CHECK(t != NULL);
	if (!t)
		return;
	nft_fuzz(t, 1, 4000);
	nft_free(t);
	t = nft_new_share("", 1, 8);
	CHECK(t != NULL);
	if (!t)
		return;
	nft_fuzz(t, 2, 4000);
	nft_free(t);
}

int
main(void)
{
	RUN(test_fw__lan_flow_lets_replies_in);
	RUN(test_fw__udp_flows);
	RUN(test_fw__unknown_wan_dropped);
	RUN(test_fw__wrong_reply_dropped);
	RUN(test_fw__expiry);
	RUN(test_fw__full_table);
	RUN(test_fw__non_flow_packets);
	RUN(test_fw__ipv4_options);
	RUN(test_fw__bad_config_refused);
	RUN(test_fw__random_packets);
	return TEST_DONE();
}
