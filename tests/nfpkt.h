#ifndef TESTS_NFPKT_H
#define TESTS_NFPKT_H
/*
** Concrete packets for the NF behaviour tests: Ethernet/IPv4/TCP or UDP built with checksums
** computed from scratch, and a from-scratch checker, so a test can verify what an NF's
** incremental updates produced.
*/

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TPKT_MAX 1514

/* "a.b.c.d" in network order; a malformed address is a bug in the test: exit. */
static inline uint32_t
tpkt_ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "tpkt_ip: bad address %s\n", s);
		exit(2);
	}
	return a.s_addr;
}

/* The Internet checksum of 'n' bytes, plus a starting sum (for the pseudo-header). */
static inline uint16_t
tpkt_csum(const uint8_t *b, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The pseudo-header sum of an IPv4 header at 'ip' for an L4 segment of 'l4_len' bytes. */
static inline uint32_t
tpkt_pseudo(const uint8_t *ip, uint16_t l4_len)
{
	uint32_t sum = 0;
	int i;

	for (i = 12; i < 20; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	return sum + ip[9] + l4_len;
}

/* Recomputes every checksum of an Ethernet/IPv4[/TCP|UDP] packet at 'b' (after a test edits it). */
static inline void
tpkt_fix(uint8_t *b, uint16_t len)
{
	uint8_t *ip = b + 14, *l4;
	uint16_t ihl = (ip[0] & 15) * 4, l4_len = len - 14 - ihl, c;

	ip[10] = ip[11] = 0;
	c = tpkt_csum(ip, ihl, 0);
	ip[10] = c >> 8;
	ip[11] = c & 0xff;
	l4 = ip + ihl;
	if (ip[9] == 6) {
		l4[16] = l4[17] = 0;
		c = tpkt_csum(l4, l4_len, tpkt_pseudo(ip, l4_len));
		l4[16] = c >> 8;
		l4[17] = c & 0xff;
	} else if (ip[9] == 17) {
		l4[6] = l4[7] = 0;
		c = tpkt_csum(l4, l4_len, tpkt_pseudo(ip, l4_len));
		if (c == 0)
			c = 0xffff;
		l4[6] = c >> 8;
		l4[7] = c & 0xff;
	}
}

/*
** Builds Ethernet (02:00:00:00:00:01 -> 02:00:00:00:00:02) / IPv4 (ttl 64, no options) /
** TCP (with 'tcp_flags') or UDP, src:sport -> dst:dport, 'payload' bytes of 'x'. Returns the
** length. proto 6 or 17; anything else gets no L4 header.
*/
static inline uint16_t
tpkt_build(uint8_t *b, const char *src, uint16_t sport, const char *dst, uint16_t dport,
    uint8_t proto, uint8_t tcp_flags, uint16_t payload)
{
	uint16_t l4_hlen = proto == 6 ? 20 : proto == 17 ? 8 : 0;
	uint16_t len = 14 + 20 + l4_hlen + payload;
	uint32_t a;
	uint8_t *ip = b + 14, *l4 = b + 34;

	memset(b, 0, len);
	memcpy(b, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00", 14);
	ip[0] = 0x45;
	ip[2] = (len - 14) >> 8;
	ip[3] = (len - 14) & 0xff;
	ip[8] = 64;
	ip[9] = proto;
	a = tpkt_ip(src);
	memcpy(ip + 12, &a, 4);
	a = tpkt_ip(dst);
	memcpy(ip + 16, &a, 4);
	if (l4_hlen) {
		l4[0] = sport >> 8;
		l4[1] = sport & 0xff;
		l4[2] = dport >> 8;
		l4[3] = dport & 0xff;
	}
	if (proto == 6) {
		l4[12] = 0x50;
		l4[13] = tcp_flags;
		l4[14] = 0xff;
		l4[15] = 0xff;
	} else if (proto == 17) {
		l4[4] = (8 + payload) >> 8;
		l4[5] = (8 + payload) & 0xff;
	}
	memset(l4 + l4_hlen, 'x', payload);
	tpkt_fix(b, len);
	return len;
}

/* 1 when the IPv4 header checksum and the TCP/UDP checksum of 'b' verify from scratch. */
static inline int
tpkt_csum_ok(const uint8_t *b, uint16_t len)
{
	const uint8_t *ip = b + 14, *l4;
	uint16_t ihl = (ip[0] & 15) * 4, l4_len = len - 14 - ihl;

	if (tpkt_csum(ip, ihl, 0) != 0)
		return 0;
	l4 = ip + ihl;
	if (ip[9] == 17 && l4[6] == 0 && l4[7] == 0)
		return 1;
	if (ip[9] == 6 || ip[9] == 17)
		return tpkt_csum(l4, l4_len, tpkt_pseudo(ip, l4_len)) == 0;
	return 1;
}

/* What the bytes say now: addresses in network order (compare with tpkt_ip), ports in host order. */
static inline uint32_t tpkt_src(const uint8_t *b) { uint32_t a; memcpy(&a, b + 26, 4); return a; }
static inline uint32_t tpkt_dst(const uint8_t *b) { uint32_t a; memcpy(&a, b + 30, 4); return a; }
static inline uint16_t tpkt_sport(const uint8_t *b) { return (uint16_t)(b[34] << 8 | b[35]); }
static inline uint16_t tpkt_dport(const uint8_t *b) { return (uint16_t)(b[36] << 8 | b[37]); }

#endif
