#ifndef TESTS_PKTS_H
#define TESTS_PKTS_H
/*
** Packets shared by the unit tests of the trace reader and the flow parser: two MACs, an
** IPv4/UDP packet and an IPv6/TCP SYN, as bytes on the wire (no link-layer header).
*/

#include <stdint.h>

static const uint8_t mac_dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t mac_src[6] = { 0x02, 0, 0, 0, 0, 0x01 };

/* IPv4/UDP 10.0.0.1:1234 -> 10.0.0.2:53 with 4 bytes of payload. */
static const uint8_t ip4_udp[] = {
	0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 17, 0x00, 0x00,
	10, 0, 0, 1, 10, 0, 0, 2,
	0x04, 0xd2, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 'a', 'b', 'c', 'd',
};

/* IPv6/TCP [2001:db8::1]:40000 -> [2001:db8::2]:443, a bare SYN. */
static const uint8_t ip6_tcp[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x14, 6, 64,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	0x9c, 0x40, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
};

#endif
