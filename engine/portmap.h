#ifndef ENGINE_PORTMAP_H
#define ENGINE_PORTMAP_H
/*
** Which NF port a packet of a trace arrives on: all on one port (--port N), or split by source
** address (--lan CIDR: an IPv4 source inside CIDR arrives on the port named "lan", every other
** packet, IPv6 and ARP included, on the other port, "wan" when there is one). Shared by replay
** and trace checking so both see the same ports.
*/

#include <stdbool.h>
#include <stdint.h>

#include "engine/err.h"
#include "engine/nfload.h"
#include "engine/sbuf.h"

struct portmap {
	bool by_lan;
	uint16_t port;		/* !by_lan: every packet's port */
	uint16_t lan, wan;	/* by_lan: the two ports */
	uint32_t net, mask;	/* by_lan: the lan prefix, host order */
	char cidr[32];		/* by_lan: as normalised text, "192.168.0.0/16" */
};

/* Every packet on 'port' (a name or number of nf's ports). */
int portmap_one(struct portmap *pm, const struct nfload *nf, const char *port, struct err *e);
/* Split by 'cidr' ("10.0.0.0/8", or an address alone for /32); bits after the prefix must be
** zero. Needs a port named "lan" and another one. */
int portmap_lan(struct portmap *pm, const struct nfload *nf, const char *cidr, struct err *e);

/* Parses "a.b.c.d[/len]" into host-order net and mask; -EINVAL with a message otherwise. */
int portmap_parse_cidr(const char *s, uint32_t *net, uint32_t *mask, struct err *e);

/* The line replay and check print: how packets got their ports ('ports' names them; non_ipv4:
** --lan packets without an IPv4 source). */
void portmap_format(const struct portmap *pm, const char (*ports)[NF_NAME_MAX],
		    uint64_t non_ipv4, struct sbuf *out);

/* The port of an Ethernet frame (up to two VLAN tags skipped); *ipv4 says whether its source
** was an IPv4 address. Reads nothing outside [frame, frame+len). */
static inline uint16_t
portmap_assign(const struct portmap *pm, const uint8_t *frame, uint32_t len, bool *ipv4)
{
	uint32_t off = 12, src;
	uint16_t type;

	*ipv4 = false;
	if (!pm->by_lan)
		return pm->port;
	for (int tags = 0; tags < 3 && off + 2 <= len; tags++) {
		type = (uint16_t)(frame[off] << 8 | frame[off + 1]);
		if (type == 0x8100 || type == 0x88a8) {
			off += 4;
			continue;
		}
		/* The whole 20-byte IPv4 header must be there, and version 4. */
		if (type != 0x0800 || off + 2 + 20 > len || (frame[off + 2] >> 4) != 4)
			break;
		src = (uint32_t)frame[off + 14] << 24 | (uint32_t)frame[off + 15] << 16 |
		      (uint32_t)frame[off + 16] << 8 | frame[off + 17];
		*ipv4 = true;
		return (src & pm->mask) == pm->net ? pm->lan : pm->wan;
	}
	return pm->wan;
}

#endif
