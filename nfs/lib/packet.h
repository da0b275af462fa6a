#ifndef NFS_LIB_PACKET_H
#define NFS_LIB_PACKET_H
/*
** Packet helpers: parse Ethernet, IPv4 and TCP/UDP in place and rewrite addresses and ports with
** incremental checksum updates (RFC 1624). Everything is static inline so that it becomes part of
** the NF's own code, which the analysis executes symbolically byte by byte.
**
** Safety: pkt_parse checks every header against 'len' before pointing at it, and the setters
** only write through the pointers pkt_parse returned, so no helper reads or writes outside
** [pkt, pkt+len), whatever the bytes. Multi-byte header fields are in network byte order.
*/

#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>

#define ETH_HLEN	14
#define ETH_P_IPV4	0x0800

struct eth_hdr {
	uint8_t dst[6];
	uint8_t src[6];
	uint16_t type;
} __attribute__((packed));

struct ipv4_hdr {
	uint8_t ver_ihl;	/* version 4, header length in 32-bit words (>= 5) */
	uint8_t tos;
	uint16_t total_len;
	uint16_t id;
	uint16_t frag;		/* flags (DF 0x4000, MF 0x2000) and offset in 8-byte units */
	uint8_t ttl;
	uint8_t proto;
	uint16_t csum;
	uint32_t src;
	uint32_t dst;
} __attribute__((packed));

/* The first 8 bytes of TCP and UDP: the ports, then what differs. */
struct tcp_hdr {
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t off;		/* data offset in the high nibble */
	uint8_t flags;
	uint16_t win;
	uint16_t csum;
	uint16_t urg;
} __attribute__((packed));

struct udp_hdr {
	uint16_t sport;
	uint16_t dport;
	uint16_t len;
	uint16_t csum;		/* 0: no checksum */
} __attribute__((packed));

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

/* How far a packet parsed; each level implies the ones before. */
enum pkt_level {
	PKT_SHORT,	/* less than an Ethernet header */
	PKT_L2,		/* Ethernet only: not IPv4, or an IPv4 header that is bad or cut short */
	PKT_L3,		/* a whole IPv4 header (options included), but no TCP/UDP header to read */
	PKT_L4,		/* IPv4 with a whole TCP (20 bytes) or UDP (8 bytes) header */
};

struct pkt {
	enum pkt_level level;
	struct eth_hdr *eth;	/* level >= PKT_L2 */
	struct ipv4_hdr *ip;	/* level >= PKT_L3 */
	struct tcp_hdr *tcp;	/* level == PKT_L4 and proto TCP, else NULL */
	struct udp_hdr *udp;	/* level == PKT_L4 and proto UDP, else NULL */
	uint16_t l4_off;	/* level >= PKT_L3: where the L4 header starts (14 + 4 * ihl) */
	uint8_t proto;		/* level >= PKT_L3: ip->proto */
	uint8_t options;	/* level >= PKT_L3: 1 when the IPv4 header carries options */
	uint8_t fragment;	/* level >= PKT_L3: 1 for any fragment (MF set or offset != 0) */
};

/*
** Parses 'len' bytes at 'data'. A packet reaches PKT_L3 when it is IPv4 (EtherType 0x0800,
** version 4, ihl >= 5) and the whole header, options included, lies within 'len'. It reaches
** PKT_L4 when it is TCP or UDP, not a later fragment (offset != 0: no L4 header there), and the
** TCP or UDP header lies within 'len'. The IPv4 total length is not trusted for bounds.
*/
static inline enum pkt_level
pkt_parse(uint8_t *data, uint16_t len, struct pkt *p)
{
	uint16_t ihl, frag;

	p->level = PKT_SHORT;
	p->eth = NULL;
	p->ip = NULL;
	p->tcp = NULL;
	p->udp = NULL;
	p->l4_off = 0;
	p->proto = 0;
	p->options = 0;
	p->fragment = 0;
	if (len < ETH_HLEN)
		return p->level;
	p->eth = (struct eth_hdr *)data;
	p->level = PKT_L2;
	if (p->eth->type != htons(ETH_P_IPV4) || len < ETH_HLEN + 20)
		return p->level;
	if ((data[ETH_HLEN] >> 4) != 4)
		return p->level;
	ihl = (uint16_t)(data[ETH_HLEN] & 0x0f) * 4;
	if (ihl < 20 || len < ETH_HLEN + ihl)
		return p->level;
	p->ip = (struct ipv4_hdr *)(data + ETH_HLEN);
	p->level = PKT_L3;
	p->l4_off = ETH_HLEN + ihl;
	p->proto = p->ip->proto;
	p->options = ihl > 20;
	frag = ntohs(p->ip->frag);
	p->fragment = (frag & 0x3fff) != 0;
	if ((frag & 0x1fff) != 0)
		return p->level;
	if (p->proto == IPPROTO_TCP && len >= p->l4_off + 20) {
		p->tcp = (struct tcp_hdr *)(data + p->l4_off);
		p->level = PKT_L4;
	} else if (p->proto == IPPROTO_UDP && len >= p->l4_off + 8) {
		p->udp = (struct udp_hdr *)(data + p->l4_off);
		p->level = PKT_L4;
	}
	return p->level;
}

/* Source and destination ports (network order) of a PKT_L4 packet; 0 otherwise. */
static inline uint16_t
pkt_sport(const struct pkt *p)
{
	return p->tcp ? p->tcp->sport : p->udp ? p->udp->sport : 0;
}

static inline uint16_t
pkt_dport(const struct pkt *p)
{
	return p->tcp ? p->tcp->dport : p->udp ? p->udp->dport : 0;
}

/* RFC 1624 eqn. 3: the checksum after one 16-bit word of the covered data changes. */
static inline uint16_t
csum_update16(uint16_t csum, uint16_t old_word, uint16_t new_word)
{
	uint32_t sum = (uint16_t)~csum + (uint32_t)(uint16_t)~old_word + new_word;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The same for a 32-bit value (an address), both halves at once. */
static inline uint16_t
csum_update32(uint16_t csum, uint32_t old_value, uint32_t new_value)
{
	csum = csum_update16(csum, (uint16_t)(old_value >> 16), (uint16_t)(new_value >> 16));
	return csum_update16(csum, (uint16_t)old_value, (uint16_t)new_value);
}

/* Updates the L4 checksum of 'p' for a change in a covered 32-bit or 16-bit value (an address
** of the pseudo-header, or a port). UDP checksum 0 means "none" and stays 0; a computed 0 is
** sent as 0xffff (RFC 768). Later fragments carry no L4 header and are left alone. */
static inline void
pkt_l4_csum32(struct pkt *p, uint32_t old_value, uint32_t new_value)
{
	if (p->tcp) {
		p->tcp->csum = csum_update32(p->tcp->csum, old_value, new_value);
	} else if (p->udp && p->udp->csum != 0) {
		p->udp->csum = csum_update32(p->udp->csum, old_value, new_value);
		if (p->udp->csum == 0)
			p->udp->csum = 0xffff;
	}
}

static inline void
pkt_l4_csum16(struct pkt *p, uint16_t old_value, uint16_t new_value)
{
	if (p->tcp) {
		p->tcp->csum = csum_update16(p->tcp->csum, old_value, new_value);
	} else if (p->udp && p->udp->csum != 0) {
		p->udp->csum = csum_update16(p->udp->csum, old_value, new_value);
		if (p->udp->csum == 0)
			p->udp->csum = 0xffff;
	}
}

/* Rewrite the IPv4 source or destination ('addr' in network order) of a packet at PKT_L3 or
** more, fixing the IPv4 and TCP/UDP checksums. Below PKT_L3 they do nothing. */
static inline void
pkt_set_ipv4_src(struct pkt *p, uint32_t addr)
{
	if (!p->ip)
		return;
	p->ip->csum = csum_update32(p->ip->csum, p->ip->src, addr);
	pkt_l4_csum32(p, p->ip->src, addr);
	p->ip->src = addr;
}

static inline void
pkt_set_ipv4_dst(struct pkt *p, uint32_t addr)
{
	if (!p->ip)
		return;
	p->ip->csum = csum_update32(p->ip->csum, p->ip->dst, addr);
	pkt_l4_csum32(p, p->ip->dst, addr);
	p->ip->dst = addr;
}

/* Rewrite the source or destination port ('port' in network order) of a PKT_L4 packet, fixing
** its checksum. Below PKT_L4 they do nothing. */
static inline void
pkt_set_sport(struct pkt *p, uint16_t port)
{
	if (p->tcp) {
		pkt_l4_csum16(p, p->tcp->sport, port);
		p->tcp->sport = port;
	} else if (p->udp) {
		pkt_l4_csum16(p, p->udp->sport, port);
		p->udp->sport = port;
	}
}

static inline void
pkt_set_dport(struct pkt *p, uint16_t port)
{
	if (p->tcp) {
		pkt_l4_csum16(p, p->tcp->dport, port);
		p->tcp->dport = port;
	} else if (p->udp) {
		pkt_l4_csum16(p, p->udp->dport, port);
		p->udp->dport = port;
	}
}

#endif
