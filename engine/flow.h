#ifndef ENGINE_FLOW_H
#define ENGINE_FLOW_H
/*
** Parsing an Ethernet frame (as trace.h hands them out) down to its flow key: VLAN tags, IPv4,
** IPv6 with extension headers, TCP and UDP ports, fragments and truncation. Every read is
** bounds-checked against the frame length; nothing allocates, so it suits per-packet loops (RSS,
** trace checking, statistics). Not a full dissector: no tunnels, no checksums, no reassembly.
*/

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A directional 5-tuple. Always fully zeroed before it is filled, so it can be hashed and
** compared as bytes (sizeof is 38, no padding). */
struct flow_key {
	uint8_t family;		/* 4 or 6; 0 = not IP, or an IP header too short to read */
	uint8_t proto;		/* IP protocol (IPv6: after the extension headers), 0 when not IP */
	uint16_t sport, dport;	/* host order; 0 unless TCP/UDP with the ports in this packet */
	uint8_t src[16], dst[16];	/* IPv4 in the first 4 bytes, the rest zero */
};

enum flow_l3 { FLOW_L3_OTHER, FLOW_L3_IPV4, FLOW_L3_IPV6 };
enum flow_l4 {
	FLOW_L4_NONE,	/* not IP, non-first fragment, or the headers ran out before L4 */
	FLOW_L4_TCP,
	FLOW_L4_UDP,
	FLOW_L4_OTHER,	/* IP with another protocol (ICMP, IGMP, ESP, ...) */
};

struct flow_info {
	struct flow_key key;
	uint16_t ethertype;	/* after up to two VLAN tags; 0 when the frame is under 14 bytes */
	enum flow_l3 l3;	/* from the ethertype: set even when the IP header is truncated */
	enum flow_l4 l4;	/* TCP/UDP only when the first 4 bytes (ports) are present */
	bool fragment;		/* IPv4 MF or offset, or an IPv6 fragment header */
	bool truncated;		/* a header the frame announces is cut short (or malformed:
				** IPv4 ihl < 5, IP version not matching the ethertype) */
	uint32_t l3_off;	/* offset of the IP (or other L3) header */
	uint32_t l4_off;	/* offset of the L4 header; 0 when l4 is FLOW_L4_NONE */
};

/* Largest text flow_key_format writes, NUL included. */
#define FLOW_KEY_STRLEN 128

/* Parses 'len' bytes of Ethernet frame at 'frame' into *out (fully overwritten). Reads nothing
** outside [frame, frame + len); 'frame' may be NULL when len is 0. The IPv4 total length and
** IPv6 payload length are not required to fit (snapped captures); the IP header, the extension
** headers and the 4 port bytes of TCP/UDP are. Returns 1 when out->key is an IP flow
** (key.family != 0), 0 otherwise; never fails. */
int flow_parse(const uint8_t *frame, uint32_t len, struct flow_info *out);

/* Writes the key of the opposite direction (addresses and ports swapped) to *out; 'k' and
** 'out' may be the same. */
void flow_key_reverse(const struct flow_key *k, struct flow_key *out);

/* Writes a one-line description such as "tcp 10.0.0.1:1234 -> 10.0.0.2:80",
** "udp [2001:db8::1]:53 -> [2001:db8::2]:5353", "icmp 10.0.0.1 -> 10.0.0.2" or "non-ip" into
** 'buf' of 'n' bytes (always NUL-terminated when n > 0; FLOW_KEY_STRLEN is always enough).
** Returns the length of the full text, as snprintf does. */
int flow_key_format(const struct flow_key *k, char *buf, size_t n);

#endif
