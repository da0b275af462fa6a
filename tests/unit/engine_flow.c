/*
** Unit tests of engine/flow: frame parsing (VLANs, IPv4 options and fragments, IPv6 extension
** headers, TCP/UDP ports), keys and their format, and random bytes that must never make it read
** outside the frame.
*/
#include "engine/flow.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "tests/pkts.h"
#include "tests/test.h"

/* ------------------------------------------------------------------------------------------ */
/* flow */

/* An Ethernet frame around 'ip' with optional VLAN tags; returns its length. */
static uint32_t
eth_frame(uint8_t *out, int tags, uint16_t et, const uint8_t *ip, uint32_t n)
{
	uint32_t o = 12;
	int i;

	memcpy(out, mac_dst, 6);
	memcpy(out + 6, mac_src, 6);
	for (i = 0; i < tags; i++) {
		out[o] = i == 0 && tags == 2 ? 0x88 : 0x81;
		out[o + 1] = i == 0 && tags == 2 ? 0xa8 : 0x00;
		out[o + 2] = 0;
		out[o + 3] = (uint8_t)(10 + i);
		o += 4;
	}
	out[o] = (uint8_t)(et >> 8);
	out[o + 1] = (uint8_t)et;
	o += 2;
	memcpy(out + o, ip, n);
	return o + n;
}

static void
test_flow__ports_and_format(void)
{
	struct flow_info fi;
	struct flow_key rev;
	uint8_t f[256];
	char s[FLOW_KEY_STRLEN];
	uint32_t n;

	n = eth_frame(f, 0, 0x0800, ip4_udp, sizeof ip4_udp);
	CHECK_EQ_INT(flow_parse(f, n, &fi), 1);
	CHECK_EQ_INT(fi.l3, FLOW_L3_IPV4);
	CHECK_EQ_INT(fi.l4, FLOW_L4_UDP);
	CHECK_EQ_INT(fi.l3_off, 14);
	CHECK_EQ_INT(fi.l4_off, 34);
	CHECK_EQ_INT(fi.key.sport, 1234);
	CHECK_EQ_INT(fi.key.dport, 53);
	CHECK(!fi.fragment && !fi.truncated);
	flow_key_format(&fi.key, s, sizeof s);
	CHECK_STR(s, "udp 10.0.0.1:1234 -> 10.0.0.2:53");
	flow_key_reverse(&fi.key, &rev);
	flow_key_format(&rev, s, sizeof s);
	CHECK_STR(s, "udp 10.0.0.2:53 -> 10.0.0.1:1234");
	flow_key_reverse(&rev, &rev);
	CHECK(memcmp(&rev, &fi.key, sizeof rev) == 0);

	n = eth_frame(f, 0, 0x86DD, ip6_tcp, sizeof ip6_tcp);
	CHECK_EQ_INT(flow_parse(f, n, &fi), 1);
	CHECK_EQ_INT(fi.l4, FLOW_L4_TCP);
	flow_key_format(&fi.key, s, sizeof s);
	CHECK_STR(s, "tcp [2001:db8::1]:40000 -> [2001:db8::2]:443");
	CHECK_EQ_INT(flow_key_format(&fi.key, s, 8), strlen("tcp [2001:db8::1]:40000 -> [2001:db8::2]:443"));
	CHECK_STR(s, "tcp [20");

	/* Not IP. */
	f[12] = 0x08;
	f[13] = 0x06;
	CHECK_EQ_INT(flow_parse(f, 42, &fi), 0);
	CHECK_EQ_INT(fi.l3, FLOW_L3_OTHER);
	CHECK_EQ_INT(fi.ethertype, 0x0806);
	flow_key_format(&fi.key, s, sizeof s);
	CHECK_STR(s, "non-ip");
}

static void
test_flow__vlan(void)
{
	struct flow_info plain, fi;
	uint8_t f[256];
	uint32_t n;

	n = eth_frame(f, 0, 0x0800, ip4_udp, sizeof ip4_udp);
	flow_parse(f, n, &plain);
	n = eth_frame(f, 1, 0x0800, ip4_udp, sizeof ip4_udp);
	CHECK_EQ_INT(flow_parse(f, n, &fi), 1);
	CHECK_EQ_INT(fi.l3_off, 18);
	CHECK(memcmp(&fi.key, &plain.key, sizeof fi.key) == 0);
	n = eth_frame(f, 2, 0x0800, ip4_udp, sizeof ip4_udp);
	CHECK_EQ_INT(flow_parse(f, n, &fi), 1);
	CHECK_EQ_INT(fi.l3_off, 22);
	CHECK_EQ_INT(fi.ethertype, 0x0800);
	CHECK(memcmp(&fi.key, &plain.key, sizeof fi.key) == 0);
	/* A tag cut in the middle. */
	CHECK_EQ_INT(flow_parse(f, 20, &fi), 0);
	CHECK(fi.truncated);
}

static void
test_flow__ipv4_fragments(void)
{
	uint8_t ip[sizeof ip4_udp], f[256];
	struct flow_info fi;
	uint32_t n;

	memcpy(ip, ip4_udp, sizeof ip);
	ip[6] = 0x20;	/* MF, offset 0: the first fragment keeps its ports */
	n = eth_frame(f, 0, 0x0800, ip, sizeof ip);
	CHECK_EQ_INT(flow_parse(f, n, &fi), 1);
	CHECK(fi.fragment);
	CHECK_EQ_INT(fi.l4, FLOW_L4_UDP);
	CHECK_EQ_INT(fi.key.sport, 1234);

	ip[6] = 0x00;
	ip[7] = 0x03;	/* last fragment, offset 24 bytes: no ports */
	n = eth_frame(f, 0, 0x0800, ip, sizeof ip);
	CHECK_EQ_INT(flow_parse(f, n, &fi), 1);
	CHECK(fi.fragment);
	CHECK_EQ_INT(fi.l4, FLOW_L4_NONE);
	CHECK_EQ_INT(fi.key.proto, 17);
	CHECK_EQ_INT(fi.key.sport, 0);
	CHECK_EQ_INT(fi.key.dport, 0);
	CHECK_EQ_INT(fi.l4_off, 0);

	ip[6] = 0x40;	/* DF only: not a fragment */
	ip[7] = 0x00;
	n = eth_frame(f, 0, 0x0800, ip, sizeof ip);
	flow_parse(f, n, &fi);
	CHECK(!fi.fragment);
}

/* IPv6 with a hop-by-hop header and a fragment header in front of TCP. */
static uint32_t
ip6_with_ext(uint8_t *ip, uint16_t frag_off_flags)
{
	uint32_t o = 40;

	memcpy(ip, ip6_tcp, 40);
	ip[6] = 0;			/* hop-by-hop next */
	ip[o] = 44;			/* then fragment */
	ip[o + 1] = 0;			/* 8 bytes */
	memset(ip + o + 2, 0, 6);
	o += 8;
	ip[o] = 6;			/* then TCP */
	ip[o + 1] = 0;
	ip[o + 2] = (uint8_t)(frag_off_flags >> 8);
	ip[o + 3] = (uint8_t)frag_off_flags;
	memset(ip + o + 4, 0, 4);
	o += 8;
	memcpy(ip + o, ip6_tcp + 40, 20);
	return o + 20;
}

static void
test_flow__ipv6_ext_and_fragments(void)
{
	uint8_t ip[128], f[256];
	struct flow_info fi;
	uint32_t n;

	n = eth_frame(f, 0, 0x86DD, ip, ip6_with_ext(ip, 0x0001));	/* offset 0, M set */
	CHECK_EQ_INT(flow_parse(f, n, &fi), 1);
	CHECK(fi.fragment && !fi.truncated);
	CHECK_EQ_INT(fi.l4, FLOW_L4_TCP);
	CHECK_EQ_INT(fi.l4_off, 14 + 56);
	CHECK_EQ_INT(fi.key.dport, 443);

	n = eth_frame(f, 0, 0x86DD, ip, ip6_with_ext(ip, 0x0008));	/* offset 8 bytes */
	CHECK_EQ_INT(flow_parse(f, n, &fi), 1);
	CHECK(fi.fragment);
	CHECK_EQ_INT(fi.l4, FLOW_L4_NONE);
	CHECK_EQ_INT(fi.key.proto, 6);
	CHECK_EQ_INT(fi.key.dport, 0);

	/* Hop-by-hop announcing 88 bytes (len 10) in a shorter frame. */
	n = eth_frame(f, 0, 0x86DD, ip, ip6_with_ext(ip, 0));
	f[14 + 41] = 10;
	CHECK_EQ_INT(flow_parse(f, n, &fi), 1);
	CHECK(fi.truncated);
	CHECK_EQ_INT(fi.l4, FLOW_L4_NONE);
	/* Chain cut right after the fixed header. */
	CHECK_EQ_INT(flow_parse(f, 14 + 44, &fi), 1);
	CHECK(fi.truncated);
	/* IPv6 header itself cut. */
	CHECK_EQ_INT(flow_parse(f, 14 + 39, &fi), 0);
	CHECK(fi.truncated);
	CHECK_EQ_INT(fi.l3, FLOW_L3_IPV6);
}

static void
test_flow__ipv4_malformed(void)
{
	uint8_t ip[sizeof ip4_udp], f[256];
	struct flow_info fi;
	uint32_t n;

	memcpy(ip, ip4_udp, sizeof ip);
	ip[0] = 0x44;	/* ihl 4 */
	n = eth_frame(f, 0, 0x0800, ip, sizeof ip);
	CHECK_EQ_INT(flow_parse(f, n, &fi), 0);
	CHECK(fi.truncated);
	CHECK_EQ_INT(fi.l3, FLOW_L3_IPV4);
	CHECK_EQ_INT(fi.key.family, 0);

	ip[0] = 0x4f;	/* ihl 15: 60 bytes, more than the 32 there are */
	n = eth_frame(f, 0, 0x0800, ip, sizeof ip);
	CHECK_EQ_INT(flow_parse(f, n, &fi), 0);
	CHECK(fi.truncated);

	ip[0] = 0x46;	/* ihl 6 with an option: ports move 4 bytes on */
	n = eth_frame(f, 0, 0x0800, ip, sizeof ip);
	CHECK_EQ_INT(flow_parse(f, n, &fi), 1);
	CHECK_EQ_INT(fi.l4_off, 14 + 24);
	CHECK_EQ_INT(fi.key.sport, 0x000c);	/* what was the UDP length field */

	/* Ports cut: the IP header is whole, the UDP ports are not. */
	n = eth_frame(f, 0, 0x0800, ip4_udp, sizeof ip4_udp);
	CHECK_EQ_INT(flow_parse(f, 14 + 20 + 3, &fi), 1);
	CHECK(fi.truncated);
	CHECK_EQ_INT(fi.l4, FLOW_L4_NONE);
	CHECK_EQ_INT(fi.key.sport, 0);
	/* Total length is not required to fit. */
	CHECK_EQ_INT(flow_parse(f, 14 + 20 + 4, &fi), 1);
	CHECK(!fi.truncated);
	CHECK_EQ_INT(fi.key.dport, 53);
	/* Frames under 14 bytes. */
	CHECK_EQ_INT(flow_parse(f, 13, &fi), 0);
	CHECK(fi.truncated);
	CHECK_EQ_INT(flow_parse(NULL, 0, &fi), 0);
}

static uint64_t
rnd_next(uint64_t *s)
{
	/* xorshift64*: enough for fuzzing and reproducible from the printed seed */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/* flow_parse on random bytes: each buffer is allocated at its exact length so that ASan and
** valgrind see any read past the end; the offsets it reports stay inside the frame. */
static void
test_flow__random_bytes(void)
{
	static const uint16_t ets[] = { 0x0800, 0x86DD, 0x8100, 0x88a8, 0x0806 };
	uint64_t seed, s;
	const char *env = getenv("TEST_SEED");
	int i, bad = 0;

	seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	s = seed ? seed : 1;
	printf("# flow random bytes: seed %" PRIu64 " (TEST_SEED=%" PRIu64 " repeats it)\n",
	       seed, seed);
	for (i = 0; i < 100000 && bad < 5; i++) {
		uint32_t len = (uint32_t)(rnd_next(&s) % 201), j;
		uint8_t *f = malloc(len ? len : 1);
		struct flow_info fi;
		int r;

		for (j = 0; j < len; j++)
			f[j] = (uint8_t)rnd_next(&s);
		/* Steer most frames into the interesting parsers. */
		if (len >= 14 && rnd_next(&s) % 4) {
			uint16_t et = ets[rnd_next(&s) % 5];
			uint32_t o = 12;

			f[12] = (uint8_t)(et >> 8);
			f[13] = (uint8_t)et;
			if (et == 0x8100 || et == 0x88a8)
				o = len >= 18 ? 16 : 12;
			if (o == 16) {
				et = ets[rnd_next(&s) % 2];
				f[16] = (uint8_t)(et >> 8);
				f[17] = (uint8_t)et;
			}
			if (len > o + 2)
				f[o + 2] = (uint8_t)((et == 0x86DD ? 0x60 : 0x45) |
						     (rnd_next(&s) % 3 ? 0 : f[o + 2] & 0x0f));
			if (et == 0x86DD && len > o + 8)
				f[o + 8] = (uint8_t[]){ 0, 43, 44, 60, 6, 17 }[rnd_next(&s) % 6];
		}
		r = flow_parse(f, len, &fi);
		if (fi.l3_off > len || fi.l4_off > len ||
		    ((fi.l4 == FLOW_L4_TCP || fi.l4 == FLOW_L4_UDP) && fi.l4_off + 4 > len) ||
		    (r == 1) != (fi.key.family != 0)) {
			FAIL("seed %" PRIu64 ", frame %d (len %u): bad offsets or result", seed, i, len);
			bad++;
		}
		free(f);
	}
}

int
main(void)
{
	RUN(test_flow__ports_and_format);
	RUN(test_flow__vlan);
	RUN(test_flow__ipv4_fragments);
	RUN(test_flow__ipv6_ext_and_fragments);
	RUN(test_flow__ipv4_malformed);
	RUN(test_flow__random_bytes);
	return TEST_DONE();
}
