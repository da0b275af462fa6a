/* Behaviour tests for nfs/nat.c: translation both ways, checksums from scratch, filtering,
** port reuse after expiry, capacity. */
#include "tests/test.h"
#include "tests/nfpkt.h"
#include "tests/nftest.h"

enum { LAN, WAN };

#define EXT "203.0.113.1"

/* Sends src:sport -> dst:dport (TCP 6 or UDP 17) into 't' on 'port'; returns the verdict and
** leaves the packet in 'b' (TPKT_MAX bytes). */
static int
xmit(struct nft *t, uint16_t port, uint8_t *b, const char *src, uint16_t sport, const char *dst,
    uint16_t dport, uint8_t proto, uint64_t now_ns)
{
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

/* A translated packet must be exactly what the NF should have sent, checksums included. */
static void
check_packet(const uint8_t *got, uint16_t len, const char *src, uint16_t sport, const char *dst,
    uint16_t dport, uint8_t proto, uint8_t tcp_flags, uint16_t payload)
{
	uint8_t want[TPKT_MAX];
	uint16_t want_len = tpkt_build(want, src, sport, dst, dport, proto, tcp_flags, payload);

	CHECK_EQ_INT(len, want_len);
	CHECK(tpkt_csum_ok(got, len));
	CHECK_EQ_INT(tpkt_src(got), tpkt_ip(src));
	CHECK_EQ_INT(tpkt_sport(got), sport);
	CHECK_EQ_INT(tpkt_dst(got), tpkt_ip(dst));
	CHECK_EQ_INT(tpkt_dport(got), dport);
	if (len == want_len && memcmp(got, want, len) != 0)
		FAIL("translated packet differs from %s:%u -> %s:%u built from scratch", src, sport,
		    dst, dport);
}

static void
test_nat__tcp_out_and_back(void)
{
	struct nft *t = nft_new("");
	uint8_t b[TPKT_MAX];
	uint16_t len;

	CHECK(t != NULL);
	if (!t)
		return;
	len = tpkt_build(b, "10.0.0.1", 40000, "192.0.2.1", 443, 6, 0x02, 100);
	CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), WAN);
	check_packet(b, len, EXT, 1024, "192.0.2.1", 443, 6, 0x02, 100);
	len = tpkt_build(b, "192.0.2.1", 443, EXT, 1024, 6, 0x12, 100);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
	check_packet(b, len, "192.0.2.1", 443, "10.0.0.1", 40000, 6, 0x12, 100);
	/* The flow keeps its port. */
	len = tpkt_build(b, "10.0.0.1", 40000, "192.0.2.1", 443, 6, 0x10, 7);
	CHECK_EQ_INT(nft_run(t, LAN, b, len, 2 * NFT_SEC), WAN);
	check_packet(b, len, EXT, 1024, "192.0.2.1", 443, 6, 0x10, 7);
	nft_free(t);
}

static void
test_nat__udp_out_and_back(void)
{
	struct nft *t = nft_new("ext_ip=198.51.100.200 port_base=20000 capacity=100");
	uint8_t b[TPKT_MAX];
	uint16_t len;

	CHECK(t != NULL);
	if (!t)
		return;
	len = tpkt_build(b, "172.16.5.4", 5353, "192.0.2.53", 53, 17, 0, 33);
	CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), WAN);
	check_packet(b, len, "198.51.100.200", 20000, "192.0.2.53", 53, 17, 0, 33);
	len = tpkt_build(b, "192.0.2.53", 53, "198.51.100.200", 20000, 17, 0, 77);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
	check_packet(b, len, "192.0.2.53", 53, "172.16.5.4", 5353, 17, 0, 77);
	nft_free(t);
}

static void
test_nat__udp_checksum_zero_stays_zero(void)
{
	struct nft *t = nft_new("");
	uint8_t b[TPKT_MAX];
	uint16_t len;

	CHECK(t != NULL);
	if (!t)
		return;
	len = tpkt_build(b, "10.0.0.1", 5353, "192.0.2.53", 53, 17, 0, 10);
	b[40] = b[41] = 0;
	CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), WAN);
	CHECK(b[40] == 0 && b[41] == 0);
	CHECK(tpkt_csum_ok(b, len));
	CHECK_EQ_INT(tpkt_src(b), tpkt_ip(EXT));
	CHECK_EQ_INT(tpkt_sport(b), 1024);
	len = tpkt_build(b, "192.0.2.53", 53, EXT, 1024, 17, 0, 10);
	b[40] = b[41] = 0;
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
	CHECK(b[40] == 0 && b[41] == 0);
	CHECK(tpkt_csum_ok(b, len));
	CHECK_EQ_INT(tpkt_dst(b), tpkt_ip("10.0.0.1"));
	CHECK_EQ_INT(tpkt_dport(b), 5353);
	nft_free(t);
}

static void
test_nat__checksums_many_endpoints(void)
{
	struct nft *t = nft_new("");
	uint8_t b[TPKT_MAX];
	char src[32], dst[32];
	uint16_t len, sport;
	int i;

	CHECK(t != NULL);
	if (!t)
		return;
	/* Varied addresses and ports exercise the carries of the incremental updates. */
	for (i = 0; i < 300; i++) {
		snprintf(src, sizeof src, "10.%d.%d.%d", i % 7, (i * 37) % 256, (i * 101) % 256);
		snprintf(dst, sizeof dst, "%d.%d.%d.%d", 1 + (i * 13) % 223, (i * 59) % 256,
		    (511 - i) % 256, (i * 7) % 256);
		sport = (uint16_t)(i * 211 + 1);
		len = tpkt_build(b, src, sport, dst, (uint16_t)(65535 - i), i % 2 ? 6 : 17, 0x10,
		    (uint16_t)(i % 50));
		CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), WAN);
		check_packet(b, len, EXT, (uint16_t)(1024 + i), dst, (uint16_t)(65535 - i),
		    i % 2 ? 6 : 17, 0x10, (uint16_t)(i % 50));
		len = tpkt_build(b, dst, (uint16_t)(65535 - i), EXT, (uint16_t)(1024 + i),
		    i % 2 ? 6 : 17, 0x10, (uint16_t)(i % 50));
		CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
		check_packet(b, len, dst, (uint16_t)(65535 - i), src, sport, i % 2 ? 6 : 17, 0x10,
		    (uint16_t)(i % 50));
	}
	nft_free(t);
}

static void
test_nat__wrong_replies_dropped(void)
{
	struct nft *t = nft_new("capacity=10");
	uint8_t b[TPKT_MAX], copy[TPKT_MAX];
	uint16_t len;

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, LAN, b, "10.0.0.1", 40000, "192.0.2.1", 443, 6, NFT_SEC), WAN);
	/* Another remote address or port, the other protocol, a free port, a port outside the
	** range, another external address. */
	CHECK_EQ_INT(xmit(t, WAN, b, "192.0.2.2", 443, EXT, 1024, 6, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, b, "192.0.2.1", 444, EXT, 1024, 6, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, b, "192.0.2.1", 443, EXT, 1024, 17, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, b, "192.0.2.1", 443, EXT, 1025, 6, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, b, "192.0.2.1", 443, EXT, 1023, 6, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, b, "192.0.2.1", 443, EXT, 1034, 6, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, b, "192.0.2.1", 443, EXT, 40000, 6, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, b, "192.0.2.1", 443, "203.0.113.2", 1024, 6, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, b, "192.0.2.1", 443, "10.0.0.1", 40000, 6, NFT_SEC), NF_DROP);
	/* Dropped packets are left as they came. */
	len = tpkt_build(b, "192.0.2.2", 443, EXT, 1024, 6, 0x10, 20);
	memcpy(copy, b, len);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	CHECK(memcmp(b, copy, len) == 0);
	CHECK_EQ_INT(xmit(t, WAN, b, "192.0.2.1", 443, EXT, 1024, 6, NFT_SEC), LAN);
	CHECK_EQ_INT(t->env.misuse, 0);
	nft_free(t);
}

static void
test_nat__expiry_frees_port(void)
{
	struct nft *t = nft_new("capacity=1 expiry=10");
	uint8_t b[TPKT_MAX];

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, LAN, b, "10.0.0.1", 40000, "192.0.2.1", 443, 6, NFT_SEC), WAN);
	CHECK_EQ_INT(tpkt_sport(b), 1024);
	/* The only port is taken... */
	CHECK_EQ_INT(xmit(t, LAN, b, "10.0.0.2", 40000, "192.0.2.9", 80, 6, 5 * NFT_SEC), NF_DROP);
	/* ...until the flow has been idle for 10 s (replies refresh it too). */
	CHECK_EQ_INT(xmit(t, WAN, b, "192.0.2.1", 443, EXT, 1024, 6, 6 * NFT_SEC), LAN);
	CHECK_EQ_INT(xmit(t, LAN, b, "10.0.0.2", 40000, "192.0.2.9", 80, 6, 16 * NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, LAN, b, "10.0.0.2", 40000, "192.0.2.9", 80, 6, 17 * NFT_SEC), WAN);
	CHECK_EQ_INT(tpkt_sport(b), 1024);
	/* The old flow's remote is now refused on that port; the new one's gets in. */
	CHECK_EQ_INT(xmit(t, WAN, b, "192.0.2.1", 443, EXT, 1024, 6, 17 * NFT_SEC), NF_DROP);
	CHECK_EQ_INT(xmit(t, WAN, b, "192.0.2.9", 80, EXT, 1024, 6, 17 * NFT_SEC), LAN);
	CHECK_EQ_INT(tpkt_dst(b), tpkt_ip("10.0.0.2"));
	/* Gone entirely after its expiry: replies dropped. */
	CHECK_EQ_INT(xmit(t, WAN, b, "192.0.2.9", 80, EXT, 1024, 6, 28 * NFT_SEC), NF_DROP);
	nft_free(t);
}

static void
test_nat__distinct_ports_per_flow(void)
{
	struct nft *t = nft_new("");
	uint8_t b[TPKT_MAX];

	CHECK(t != NULL);
	if (!t)
		return;
	/* Two hosts with the same source port to the same server. */
	CHECK_EQ_INT(xmit(t, LAN, b, "10.0.0.1", 40000, "192.0.2.1", 443, 6, NFT_SEC), WAN);
	CHECK_EQ_INT(tpkt_sport(b), 1024);
	CHECK_EQ_INT(xmit(t, LAN, b, "10.0.0.2", 40000, "192.0.2.1", 443, 6, NFT_SEC), WAN);
	CHECK_EQ_INT(tpkt_sport(b), 1025);
	/* One host, another server: another flow, another port. */
	CHECK_EQ_INT(xmit(t, LAN, b, "10.0.0.1", 40000, "192.0.2.7", 443, 6, NFT_SEC), WAN);
	CHECK_EQ_INT(tpkt_sport(b), 1026);
	CHECK_EQ_INT(xmit(t, LAN, b, "10.0.0.2", 40000, "192.0.2.1", 443, 6, NFT_SEC), WAN);
	CHECK_EQ_INT(tpkt_sport(b), 1025);
	CHECK_EQ_INT(xmit(t, WAN, b, "192.0.2.1", 443, EXT, 1025, 6, NFT_SEC), LAN);
	CHECK_EQ_INT(tpkt_dst(b), tpkt_ip("10.0.0.2"));
	CHECK_EQ_INT(xmit(t, WAN, b, "192.0.2.1", 443, EXT, 1024, 6, NFT_SEC), LAN);
	CHECK_EQ_INT(tpkt_dst(b), tpkt_ip("10.0.0.1"));
	CHECK_EQ_INT(xmit(t, WAN, b, "192.0.2.7", 443, EXT, 1026, 6, NFT_SEC), LAN);
	CHECK_EQ_INT(tpkt_dst(b), tpkt_ip("10.0.0.1"));
	nft_free(t);
}

static void
test_nat__full_table(void)
{
	struct nft *t = nft_new("capacity=2");
	uint8_t b[TPKT_MAX];

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, LAN, b, "10.0.0.1", 1, "192.0.2.1", 80, 6, NFT_SEC), WAN);
	CHECK_EQ_INT(xmit(t, LAN, b, "10.0.0.1", 2, "192.0.2.1", 80, 6, NFT_SEC), WAN);
	CHECK_EQ_INT(xmit(t, LAN, b, "10.0.0.1", 3, "192.0.2.1", 80, 6, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(tpkt_src(b), tpkt_ip("10.0.0.1"));
	CHECK_EQ_INT(xmit(t, LAN, b, "10.0.0.1", 2, "192.0.2.1", 80, 6, NFT_SEC), WAN);
	CHECK_EQ_INT(tpkt_sport(b), 1025);
	nft_free(t);
}

static void
test_nat__last_port(void)
{
	/* The range may end at 65535 exactly. */
	struct nft *t = nft_new("port_base=65534 capacity=2");
	uint8_t b[TPKT_MAX];

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, LAN, b, "10.0.0.1", 1, "192.0.2.1", 80, 17, NFT_SEC), WAN);
	CHECK_EQ_INT(xmit(t, LAN, b, "10.0.0.1", 2, "192.0.2.1", 80, 17, NFT_SEC), WAN);
	CHECK_EQ_INT(tpkt_sport(b), 65535);
	CHECK(tpkt_csum_ok(b, 62));
	CHECK_EQ_INT(xmit(t, WAN, b, "192.0.2.1", 80, EXT, 65535, 17, NFT_SEC), LAN);
	CHECK_EQ_INT(tpkt_dport(b), 2);
	CHECK_EQ_INT(xmit(t, WAN, b, "192.0.2.1", 80, EXT, 0, 17, NFT_SEC), NF_DROP);
	nft_free(t);
}

static void
test_nat__capacity_share(void)
{
	/* At a 1/4 share of 10 each core hands out 3 ports, 1024..1026, and never looks past them. */
	struct nft *t = nft_new_share("capacity=10", 1, 4);
	uint8_t b[TPKT_MAX];
	uint16_t i;

	CHECK(t != NULL);
	if (!t)
		return;
	for (i = 0; i < 3; i++)
		CHECK_EQ_INT(xmit(t, LAN, b, "10.0.0.1", i, "192.0.2.1", 80, 6, NFT_SEC), WAN);
	CHECK_EQ_INT(xmit(t, LAN, b, "10.0.0.1", 3, "192.0.2.1", 80, 6, NFT_SEC), NF_DROP);
	for (i = 1024; i < 1034; i++)
		CHECK_EQ_INT(xmit(t, WAN, b, "192.0.2.1", 80, EXT, i, 6, NFT_SEC),
		    i < 1027 ? LAN : NF_DROP);
	CHECK_EQ_INT(t->env.misuse, 0);
	nft_free(t);
}

static void
test_nat__ipv4_options(void)
{
	struct nft *t = nft_new("");
	uint8_t b[TPKT_MAX], want[TPKT_MAX];
	uint16_t len;
	int proto;

	CHECK(t != NULL);
	if (!t)
		return;
	for (proto = 6; proto <= 17; proto += 11) {
		len = tpkt_build(b, "10.0.0.1", 40000, "192.0.2.1", 443, (uint8_t)proto, 0x10, 30);
		len = add_options(b, len);
		CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), WAN);
		tpkt_build(want, EXT, proto == 6 ? 1024 : 1025, "192.0.2.1", 443, (uint8_t)proto,
		    0x10, 30);
		add_options(want, (uint16_t)(len - 4));
		CHECK(tpkt_csum_ok(b, len));
		CHECK(memcmp(b, want, len) == 0);
		len = tpkt_build(b, "192.0.2.1", 443, EXT, proto == 6 ? 1024 : 1025, (uint8_t)proto,
		    0x10, 30);
		len = add_options(b, len);
		CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
		tpkt_build(want, "192.0.2.1", 443, "10.0.0.1", 40000, (uint8_t)proto, 0x10, 30);
		add_options(want, (uint16_t)(len - 4));
		CHECK(tpkt_csum_ok(b, len));
		CHECK(memcmp(b, want, len) == 0);
	}
	nft_free(t);
}

static void
test_nat__untranslatable_dropped(void)
{
	struct nft *t = nft_new("");
	uint8_t b[TPKT_MAX];
	uint16_t len;
	int port;

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(xmit(t, LAN, b, "10.0.0.1", 40000, "192.0.2.1", 443, 17, NFT_SEC), WAN);
	for (port = LAN; port <= WAN; port++) {
		/* ICMP, non-IPv4, short frames, cut TCP/UDP headers, fragments. */
		len = tpkt_build(b, "10.0.0.1", 0, "192.0.2.1", 0, 1, 0, 40);
		CHECK_EQ_INT(nft_run(t, (uint16_t)port, b, len, NFT_SEC), NF_DROP);
		b[12] = 0x08;
		b[13] = 0x06;
		CHECK_EQ_INT(nft_run(t, (uint16_t)port, b, len, NFT_SEC), NF_DROP);
		CHECK_EQ_INT(nft_run(t, (uint16_t)port, b, 13, NFT_SEC), NF_DROP);
		CHECK_EQ_INT(nft_run(t, (uint16_t)port, NULL, 0, NFT_SEC), NF_DROP);
		len = port == LAN ?
		    tpkt_build(b, "10.0.0.1", 40000, "192.0.2.1", 443, 17, 0, 100) :
		    tpkt_build(b, "192.0.2.1", 443, EXT, 1024, 17, 0, 100);
		CHECK_EQ_INT(nft_run(t, (uint16_t)port, b, 41, NFT_SEC), NF_DROP);
		b[20] = 0x20;		/* MF: a first fragment */
		tpkt_fix(b, len);
		CHECK_EQ_INT(nft_run(t, (uint16_t)port, b, len, NFT_SEC), NF_DROP);
		b[20] = 0x00;
		b[21] = 0x10;		/* a later fragment */
		tpkt_fix(b, len);
		CHECK_EQ_INT(nft_run(t, (uint16_t)port, b, len, NFT_SEC), NF_DROP);
		b[20] = 0x40;		/* Don't Fragment: not a fragment */
		b[21] = 0x00;
		tpkt_fix(b, len);
		CHECK_EQ_INT(nft_run(t, (uint16_t)port, b, len, NFT_SEC), port == LAN ? WAN : LAN);
		CHECK(tpkt_csum_ok(b, len));
	}
	nft_free(t);
}

static void
test_nat__bad_config_refused(void)
{
	struct nft *t;

	CHECK(nft_new("port_base=1024 capacity=64513") == NULL);
	CHECK(nft_new("port_base=60000 capacity=5537") == NULL);
	t = nft_new("port_base=60000 capacity=5536");
	CHECK(t != NULL);
	nft_free(t);
	CHECK(nft_new("port_base=0") == NULL);
	CHECK(nft_new("ext_ip=203.0.113") == NULL);
	CHECK(nft_new("ext_ip=203.0.113.256") == NULL);
	CHECK(nft_new("capacity=0") == NULL);
}

static void
test_nat__random_packets(void)
{
	struct nft *t = nft_new("capacity=3 expiry=1");

	CHECK(t != NULL);
	if (!t)
		return;
	nft_fuzz(t, 1, 4000);
	nft_free(t);
	t = nft_new_share("", 1, 3);
	CHECK(t != NULL);
	if (!t)
		return;
	nft_fuzz(t, 2, 4000);
	nft_free(t);
}

int
main(void)
{
	RUN(test_nat__tcp_out_and_back);
	RUN(test_nat__udp_out_and_back);
	RUN(test_nat__udp_checksum_zero_stays_zero);
	RUN(test_nat__checksums_many_endpoints);
	RUN(test_nat__wrong_replies_dropped);
	RUN(test_nat__expiry_frees_port);
	RUN(test_nat__distinct_ports_per_flow);
	RUN(test_nat__full_table);
	RUN(test_nat__last_port);
	RUN(test_nat__capacity_share);
	RUN(test_nat__ipv4_options);
	RUN(test_nat__untranslatable_dropped);
	RUN(test_nat__bad_config_refused);
	RUN(test_nat__random_packets);
	return TEST_DONE();
}
