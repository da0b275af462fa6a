/* Behaviour tests for nfs/lb.c: backends register from lan, wan flows spread over them and stick,
** a backend that falls silent loses only its own flows, odd packets are dropped, and random
** bytes never crash it. */
#include "tests/test.h"
#include "tests/nfpkt.h"
#include "tests/nftest.h"

enum { LAN, WAN };

#define VIP "192.0.2.1"

/* Backend k (1..) is 10.0.0.k with MAC 02:00:00:00:01:k. */
static void
backend_ip(char *buf, size_t size, int k)
{
	snprintf(buf, size, "10.0.0.%d", k);
}

/* A heartbeat (any IPv4 packet) from backend k on lan; checks it crosses unchanged. */
static int
heartbeat(struct nft *t, int k, uint64_t now)
{
	uint8_t b[TPKT_MAX], copy[TPKT_MAX];
	char ip[16];
	uint16_t len;
	int out;

	backend_ip(ip, sizeof ip, k);
	len = tpkt_build(b, ip, 8080, "198.51.100.7", 5555, 17, 0, 4);
	memcpy(b + 6, "\x02\0\0\0\x01", 5);
	b[11] = (uint8_t)k;
	memcpy(copy, b, len);
	out = nft_run(t, LAN, b, len, now);
	if (memcmp(b, copy, len) != 0)
		return -99;
	return out;
}

/* Client flow i: 203.0.(i/250).(i%250 + 1):(1000 + i % 7) -> VIP:80, TCP. */
static uint16_t
client_pkt(uint8_t *b, int i, uint8_t proto)
{
	char src[24];

	snprintf(src, sizeof src, "203.0.%d.%d", i / 250, i % 250 + 1);
	return tpkt_build(b, src, (uint16_t)(1000 + i % 7), VIP, 80, proto, 0x10, 20);
}

/* Sends client flow i on wan; returns the backend k it went to, 0 when dropped, -1 when the
** rewrite is wrong (destination IP and MAC of different backends, or bad checksums). */
static int
send_flow(struct nft *t, int i, uint64_t now)
{
	uint8_t b[TPKT_MAX];
	uint16_t len = client_pkt(b, i, i % 2 ? 17 : 6);
	int out = nft_run(t, WAN, b, len, now), k;
	char ip[16];

	if (out == NF_DROP)
		return 0;
	if (out != LAN)
		return -1;
	k = b[5];
	backend_ip(ip, sizeof ip, k);
	if (memcmp(b, "\x02\0\0\0\x01", 5) != 0 || tpkt_dst(b) != tpkt_ip(ip) ||
	    !tpkt_csum_ok(b, len))
		return -1;
	return k;
}

static void
test_lb__no_backend_drops(void)
{
	struct nft *t = nft_new("");
	uint8_t b[TPKT_MAX];
	uint16_t len;

	CHECK(t != NULL);
	if (!t)
		return;
	len = client_pkt(b, 1, 6);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(send_flow(t, 2, NFT_SEC), 0);
	/* A remembered flow whose only backend expired is dropped too. */
	CHECK_EQ_INT(heartbeat(t, 1, 2 * NFT_SEC), WAN);
	CHECK_EQ_INT(send_flow(t, 2, 2 * NFT_SEC), 1);
	CHECK_EQ_INT(send_flow(t, 2, 12 * NFT_SEC), 1);
	CHECK_EQ_INT(send_flow(t, 2, 13 * NFT_SEC), 0);
	nft_free(t);
}

static void
test_lb__spreads_and_sticks(void)
{
	static int first[3000];
	struct nft *t = nft_new("");
	int per[4] = { 0 }, i, k;

	CHECK(t != NULL);
	if (!t)
		return;
	for (k = 1; k <= 3; k++)
		CHECK_EQ_INT(heartbeat(t, k, NFT_SEC), WAN);
	for (i = 0; i < 3000; i++) {
		first[i] = k = send_flow(t, i, NFT_SEC + (uint64_t)i * 1000);
		if (k < 1 || k > 3) {
			FAIL("flow %d went to %d", i, k);
			break;
		}
		per[k]++;
	}
	for (k = 1; k <= 3; k++) {
		if (per[k] < 750)
			FAIL("backend %d got %d of 3000 flows (less than 25%%)", k, per[k]);
	}
	/* Later packets of every flow go to the same backend. */
	for (i = 0; i < 3000; i++) {
		k = send_flow(t, i, 3 * NFT_SEC);
		if (k != first[i]) {
			FAIL("flow %d moved from backend %d to %d", i, first[i], k);
			break;
		}
	}
	nft_free(t);
}

static void
test_lb__dead_backend_loses_only_its_flows(void)
{
	static int first[600];
	struct nft *t = nft_new("backend_expiry=10");
	int moved = 0, on3 = 0, i, k;
	uint64_t now;

	CHECK(t != NULL);
	if (!t)
		return;
	for (k = 1; k <= 3; k++)
		CHECK_EQ_INT(heartbeat(t, k, NFT_SEC), WAN);
	for (i = 0; i < 600; i++)
		first[i] = send_flow(t, i, NFT_SEC);
	/* Backends 1 and 2 keep talking, 3 falls silent after t = 1 s. */
	for (now = 2 * NFT_SEC; now <= 12 * NFT_SEC; now += 2 * NFT_SEC) {
		CHECK_EQ_INT(heartbeat(t, 1, now), WAN);
		CHECK_EQ_INT(heartbeat(t, 2, now), WAN);
	}
	for (i = 0; i < 600; i++) {
		k = send_flow(t, i, 12 * NFT_SEC);
		if (first[i] == 3) {
			on3++;
			moved += k == 1 || k == 2;
		} else if (k != first[i]) {
			FAIL("flow %d on live backend %d moved to %d", i, first[i], k);
			break;
		}
	}
	CHECK(on3 > 100);
	CHECK_EQ_INT(moved, on3);
	/* Once moved, they stay on their new backend even when 3 comes back. */
	CHECK_EQ_INT(heartbeat(t, 3, 13 * NFT_SEC), WAN);
	for (i = 0; i < 600; i++) {
		if (first[i] == 3 && send_flow(t, i, 13 * NFT_SEC) == 3) {
			FAIL("flow %d went back to backend 3", i);
			break;
		}
	}
	nft_free(t);
}

static void
test_lb__flows_expire(void)
{
	struct nft *t = nft_new("expiry=5 backend_expiry=100");
	int on2 = 0, i, k;

	CHECK(t != NULL);
	if (!t)
		return;
	/* With only backend 1 alive every flow lands there and stays while remembered. */
	CHECK_EQ_INT(heartbeat(t, 1, NFT_SEC), WAN);
	for (i = 0; i < 300; i++)
		CHECK_EQ_INT(send_flow(t, i, NFT_SEC), 1);
	CHECK_EQ_INT(heartbeat(t, 2, 2 * NFT_SEC), WAN);
	for (i = 0; i < 300; i++) {
		if (send_flow(t, i, 4 * NFT_SEC) != 1) {
			FAIL("remembered flow %d left backend 1", i);
			break;
		}
	}
	/* Idle for more than 5 s: forgotten, so the hash table spreads them again. */
	for (i = 0; i < 300; i++) {
		k = send_flow(t, i, 10 * NFT_SEC);
		CHECK(k == 1 || k == 2);
		on2 += k == 2;
	}
	CHECK(on2 > 75);
	nft_free(t);
}

static void
test_lb__tables_full(void)
{
	/* Two backend slots: the third backend is never registered. */
	struct nft *t = nft_new("backends=2 cht_height=7 capacity=4");
	int per[4] = { 0 }, first[200], i, k;

	CHECK(t != NULL);
	if (!t)
		return;
	for (k = 1; k <= 3; k++)
		CHECK_EQ_INT(heartbeat(t, k, NFT_SEC), WAN);
	/* Four flow slots for 200 flows: the rest are balanced without being remembered, and
	** stay put while the backends do. */
	for (i = 0; i < 200; i++) {
		first[i] = k = send_flow(t, i, NFT_SEC);
		CHECK(k >= 0 && k <= 3);
		per[k < 0 ? 0 : k]++;
	}
	CHECK_EQ_INT(per[0], 0);
	CHECK_EQ_INT(per[3], 0);
	CHECK(per[1] > 0 && per[2] > 0);
	for (i = 0; i < 200; i++)
		CHECK_EQ_INT(send_flow(t, i, 2 * NFT_SEC), first[i]);
	nft_free(t);
	CHECK(nft_new("backends=8 cht_height=7") == NULL);
	CHECK(nft_new("cht_height=4096") == NULL);
}

static void
test_lb__edge_packets(void)
{
	struct nft *t = nft_new("");
	uint8_t b[TPKT_MAX], copy[TPKT_MAX];
	uint16_t len;
	int i;

	CHECK(t != NULL);
	if (!t)
		return;
	/* lan: non-IPv4 crosses unchanged and registers nothing. */
	len = tpkt_build(b, "10.0.0.9", 1, "10.0.0.10", 2, 17, 0, 30);
	b[12] = 0x08;
	b[13] = 0x06;
	memcpy(copy, b, len);
	CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), WAN);
	CHECK(memcmp(b, copy, len) == 0);
	CHECK_EQ_INT(send_flow(t, 1, NFT_SEC), 0);
	for (len = 0; len < 34; len++)
		CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), WAN);
	/* Any IPv4 protocol registers: an ICMP packet from backend 1. */
	len = tpkt_build(b, "10.0.0.1", 0, "10.0.0.10", 0, 1, 0, 30);
	memcpy(b + 6, "\x02\0\0\0\x01\x01", 6);
	CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), WAN);
	CHECK_EQ_INT(send_flow(t, 1, NFT_SEC), 1);

	/* wan: ICMP, non-IPv4, fragments, and headers cut short are dropped. */
	len = tpkt_build(b, "203.0.0.1", 0, VIP, 0, 1, 0, 30);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	len = client_pkt(b, 1, 6);
	b[13] = 0xdd;		/* IPv6 EtherType */
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	len = client_pkt(b, 1, 6);
	b[20] = 0x20;		/* MF: a first fragment */
	tpkt_fix(b, len);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	len = client_pkt(b, 1, 17);
	b[21] = 0x10;		/* offset 16: a later fragment */
	tpkt_fix(b, len);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	len = client_pkt(b, 1, 6);
	for (i = 0; i < 54; i++)
		CHECK_EQ_INT(nft_run(t, WAN, b, (uint16_t)i, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(nft_run(t, WAN, b, 54, NFT_SEC), LAN);
	nft_free(t);
}

static void
test_lb__ip_options(void)
{
	struct nft *t = nft_new("");
	uint8_t b[TPKT_MAX], opt[TPKT_MAX];
	uint16_t len;

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(heartbeat(t, 4, NFT_SEC), WAN);
	/* The same TCP packet with 4 bytes of options (NOPs) after the IPv4 header. */
	len = client_pkt(b, 1, 6);
	memcpy(opt, b, 34);
	memset(opt + 34, 1, 4);
	memcpy(opt + 38, b + 34, len - 34);
	opt[14] = 0x46;
	opt[17] += 4;
	tpkt_fix(opt, len + 4);
	CHECK_EQ_INT(nft_run(t, WAN, opt, len + 4, NFT_SEC), LAN);
	CHECK(tpkt_csum_ok(opt, len + 4));
	CHECK(memcmp(opt + 30, "\x0a\0\0\x04", 4) == 0);
	CHECK_EQ_INT(opt[5], 4);
	/* Ports read after the options: the options-free twin is the same flow. */
	CHECK_EQ_INT(send_flow(t, 1, NFT_SEC), 4);
	nft_free(t);
}

static void
test_lb__random_packets(void)
{
	struct nft *t = nft_new("capacity=16 backends=4 cht_height=7 expiry=1 backend_expiry=1");

	CHECK(t != NULL);
	if (!t)
		return;
	/* lb rewrites what it balances, so the bytes may change. */
	nft_fuzz_filter(t, 42, 6000, NFT_SEC / 4, 0);
	nft_free(t);
}

int
main(void)
{
	RUN(test_lb__no_backend_drops);
	RUN(test_lb__spreads_and_sticks);
	RUN(test_lb__dead_backend_loses_only_its_flows);
	RUN(test_lb__flows_expire);
	RUN(test_lb__tables_full);
	RUN(test_lb__edge_packets);
	RUN(test_lb__ip_options);
	RUN(test_lb__random_packets);
	return TEST_DONE();
}
