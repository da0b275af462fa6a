/*
** libFuzzer target for the packet helpers (nfs/lib/packet.h) under ASan and UBSan: parse
** arbitrary bytes in a buffer of exactly their length, check what pkt_parse claims against the
** bytes, rewrite addresses and ports, and check that checksums that verified before still verify
** after (the incremental updates against a from-scratch sum).
**
** Input: 12 bytes of new values (source and destination address, ports), then the packet.
*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "tests/nfpkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
ip_ok(const uint8_t *pkt, const struct pkt *p)
{
	return tpkt_csum(pkt + ETH_HLEN, p->l4_off - ETH_HLEN, 0) == 0;
}

/* The L4 checksum over everything captured after the header, with that length in the
** pseudo-header: the convention does not matter, only that it is the same before and after. */
static int
l4_ok(const uint8_t *pkt, uint16_t len, const struct pkt *p)
{
	uint16_t l4_len = len - p->l4_off;

	return tpkt_csum(pkt + p->l4_off, l4_len, tpkt_pseudo(pkt + ETH_HLEN, l4_len)) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t src, dst;
	uint16_t sport, dport, len;
	uint8_t *pkt;
	struct pkt p;
	int ip_before, l4_before, udp_none;

	if (size < 12 || size - 12 > 65535)
		return 0;
	memcpy(&src, data, 4);
	memcpy(&dst, data + 4, 4);
	memcpy(&sport, data + 8, 2);
	memcpy(&dport, data + 10, 2);
	len = (uint16_t)(size - 12);
	pkt = malloc(len ? len : 1);
	if (!pkt)
		abort();
	memcpy(pkt, data + 12, len);
	pkt_parse(pkt, len, &p);
	/* What the parse claims must hold for the bytes. */
	if (p.level >= PKT_L2 && (len < ETH_HLEN || p.eth != (struct eth_hdr *)pkt))
		__builtin_trap();
	if (p.level >= PKT_L3 && (p.l4_off > len || (pkt[ETH_HLEN] >> 4) != 4 ||
				  p.l4_off != ETH_HLEN + (pkt[ETH_HLEN] & 15) * 4))
		__builtin_trap();
	if (p.level == PKT_L4 && (!p.tcp == !p.udp ||
				  p.l4_off + (p.tcp ? 20 : 8) > len))
		__builtin_trap();
	if (p.level < PKT_L3) {
		pkt_set_ipv4_src(&p, src);	/* must do nothing */
		pkt_set_sport(&p, sport);
		if (memcmp(pkt, data + 12, len) != 0)
			__builtin_trap();
		free(pkt);
		return 0;
	}
	ip_before = ip_ok(pkt, &p);
	udp_none = p.udp && p.udp->csum == 0;
	l4_before = p.level == PKT_L4 && !udp_none && l4_ok(pkt, len, &p);
	pkt_set_ipv4_src(&p, src);
	pkt_set_ipv4_dst(&p, dst);
	pkt_set_sport(&p, sport);
	pkt_set_dport(&p, dport);
	if (p.ip->src != src || p.ip->dst != dst)
		__builtin_trap();
	if (p.level == PKT_L4 && (pkt_sport(&p) != sport || pkt_dport(&p) != dport))
		__builtin_trap();
	if (ip_before && !ip_ok(pkt, &p))
		__builtin_trap();
	if (udp_none && p.udp->csum != 0)
		__builtin_trap();
	if (l4_before && !l4_ok(pkt, len, &p))
		__builtin_trap();
	free(pkt);
	return 0;
}
