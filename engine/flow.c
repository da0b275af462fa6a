#include "engine/flow.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* Ethertypes (IEEE 802.1Q C-tag and 802.1ad S-tag) and IP protocol numbers (IANA). */
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86DD
#define ETH_HLEN 14
#define VLAN_HLEN 4
#define FLOW_MAX_VLANS 2

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_DSTOPTS_ 60
#define PROTO_TCP 6
#define PROTO_UDP 17

/* Keys are hashed as bytes: no padding may hide in them. */
_Static_assert(sizeof(struct flow_key) == 38, "struct flow_key has padding");

static uint16_t
flow_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The L4 part, at 'off' (<= len) with protocol 'proto'. The IP header was whole. */
static int
flow_l4(const uint8_t *f, uint32_t len, uint32_t off, struct flow_info *out)
{
	uint8_t proto = out->key.proto;

	if (proto != PROTO_TCP && proto != PROTO_UDP) {
		out->l4 = FLOW_L4_OTHER;
		out->l4_off = off;
		return 1;
	}
	/* Only the ports matter to a flow key; the rest of the TCP/UDP header may be snapped. */
	if (len - off < 4) {
		out->truncated = true;
		return 1;
	}
	out->l4 = proto == PROTO_TCP ? FLOW_L4_TCP : FLOW_L4_UDP;
	out->l4_off = off;
	out->key.sport = flow_be16(f + off);
	out->key.dport = flow_be16(f + off + 2);
	return 1;
}

static int
flow_ipv4(const uint8_t *f, uint32_t len, uint32_t off, struct flow_info *out)
{
	const uint8_t *ip = f + off;
	uint32_t ihl;
	uint16_t frag;

	out->l3 = FLOW_L3_IPV4;
	if (len - off < 20 || ip[0] >> 4 != 4) {
		out->truncated = true;
		return 0;
	}
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len - off) {
		out->truncated = true;
		return 0;
	}
	out->key.family = 4;
	out->key.proto = ip[9];
	memcpy(out->key.src, ip + 12, 4);
	memcpy(out->key.dst, ip + 16, 4);

	frag = flow_be16(ip + 6);
	if (frag & 0x3fff)	/* MF or a fragment offset */
		out->fragment = true;
	if (frag & 0x1fff)	/* not the first fragment: no L4 header here */
		return 1;
	return flow_l4(f, len, off + ihl, out);
}

static int
flow_ipv6(const uint8_t *f, uint32_t len, uint32_t off, struct flow_info *out)
{
	const uint8_t *ip = f + off;
	uint32_t hl;
	uint8_t nh;

	out->l3 = FLOW_L3_IPV6;
	if (len - off < 40 || ip[0] >> 4 != 6) {
		out->truncated = true;
		return 0;
	}
	out->key.family = 6;
	memcpy(out->key.src, ip + 8, 16);
	memcpy(out->key.dst, ip + 24, 16);
	nh = ip[6];
	off += 40;

	/* Every extension header is at least 8 bytes and must fit whole, so off only grows and
	** stays <= len: the walk ends. */
	for (;;) {
		out->key.proto = nh;
		switch (nh) {
		case IPPROTO_HOPOPTS_:
		case IPPROTO_ROUTING_:
		case IPPROTO_DSTOPTS_:
			if (len - off < 8)
				goto cut;
			hl = ((uint32_t)f[off + 1] + 1) * 8;	/* RFC 8200 4.3: 8-octet units */
			if (hl > len - off)
				goto cut;
			nh = f[off];
			off += hl;
			break;
		case IPPROTO_FRAGMENT_:
			if (len - off < 8)
				goto cut;
			out->fragment = true;
			nh = f[off];
			if (flow_be16(f + off + 2) >> 3) {	/* offset != 0 */
				out->key.proto = nh;
				return 1;
			}
			off += 8;
			break;
		default:
			return flow_l4(f, len, off, out);
		}
	}
cut:
	out->truncated = true;
	return 1;
}

int
flow_parse(const uint8_t *frame, uint32_t len, struct flow_info *out)
{
	uint32_t off = ETH_HLEN;
	uint16_t et;
	int tags;

	memset(out, 0, sizeof *out);
	if (len < ETH_HLEN) {
		out->truncated = true;
		return 0;
	}
	et = flow_be16(frame + 12);
	for (tags = 0; tags < FLOW_MAX_VLANS && (et == ETH_VLAN || et == ETH_QINQ); tags++) {
		if (len - off < VLAN_HLEN) {
			out->ethertype = et;
			out->l3_off = off;
			out->truncated = true;
			return 0;
		}
		et = flow_be16(frame + off + 2);
		off += VLAN_HLEN;
	}
	out->ethertype = et;
	out->l3_off = off;
	if (et == ETH_IPV4)
		return flow_ipv4(frame, len, off, out);
	if (et == ETH_IPV6)
		return flow_ipv6(frame, len, off, out);
	return 0;
}

void
flow_key_reverse(const struct flow_key *k, struct flow_key *out)
{
	struct flow_key r = *k;

	memcpy(r.src, k->dst, sizeof r.src);
	memcpy(r.dst, k->src, sizeof r.dst);
	r.sport = k->dport;
	r.dport = k->sport;
	*out = r;
}

static const char *
flow_proto_name(uint8_t proto, char *tmp, size_t n)
{
	switch (proto) {
	case 1: return "icmp";
	case 2: return "igmp";
	case PROTO_TCP: return "tcp";
	case PROTO_UDP: return "udp";
	case 47: return "gre";
	case 50: return "esp";
	case 58: return "icmpv6";
	case 132: return "sctp";
	default:
		snprintf(tmp, n, "proto %u", proto);
		return tmp;
	}
}

int
flow_key_format(const struct flow_key *k, char *buf, size_t n)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], tmp[16];
	const char *name;
	int af;

	if (k->family != 4 && k->family != 6)
		return snprintf(buf, n, "non-ip");
	af = k->family == 4 ? AF_INET : AF_INET6;
	inet_ntop(af, k->src, s, sizeof s);
	inet_ntop(af, k->dst, d, sizeof d);
	name = flow_proto_name(k->proto, tmp, sizeof tmp);
	if (k->proto != PROTO_TCP && k->proto != PROTO_UDP)
		return snprintf(buf, n, "%s %s -> %s", name, s, d);
	if (af == AF_INET)
		return snprintf(buf, n, "%s %s:%u -> %s:%u", name, s, k->sport, d, k->dport);
	return snprintf(buf, n, "%s [%s]:%u -> [%s]:%u", name, s, k->sport, d, k->dport);
}
