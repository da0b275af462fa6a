/*
** Synthetic flows: templates built once, stamped with one 64-byte copy per packet.
*/

#include "synth.h"

#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "nf.h"

struct synth {
	unsigned flows;
	unsigned n_ports;
	unsigned next[NF_MAX_PORTS];	/* the flow each port stamps next */
	uint8_t *fwd;			/* flows frames as port 0 receives them */
	uint8_t *rev;			/* their replies, for the other ports */
};

/* One frame: the flow 'f' of worker 'w', or its reply. */
static void
synth_frame(uint8_t *out, unsigned w, unsigned f, int reply)
{
	static const struct rte_ether_addr client = {{ 0x02, 0, 0, 0, 0, 0x01 }};
	static const struct rte_ether_addr server = {{ 0x02, 0, 0, 0, 0, 0x02 }};
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)out;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint32_t src = RTE_IPV4(10, w & 0xff, (f >> 8) & 0xff, f & 0xff);
	uint32_t dst = RTE_IPV4(192, 168, (f >> 4) & 0xff, (f & 0x0f) + 1);
	uint16_t sport = (uint16_t)(10000 + f % 50000), dport = (uint16_t)(80 + f % 16);
	uint16_t l3_len = SYNTH_FRAME - RTE_ETHER_HDR_LEN;

	memset(out, 0, SYNTH_FRAME);
	if (reply) {
		uint32_t a = src;
		uint16_t p = sport;

		src = dst, dst = a;
		sport = dport, dport = p;
	}
	rte_ether_addr_copy(reply ? &server : &client, &eth->src_addr);
	rte_ether_addr_copy(reply ? &client : &server, &eth->dst_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(l3_len);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(l3_len - sizeof *ip));
	udp->dgram_cksum = 0;	/* none: legal for UDP over IPv4 */
}

struct synth *
synth_new(unsigned worker, unsigned flows, unsigned n_ports)
{
	struct synth *s;
	unsigned f;

	if (flows < 1 || flows > SYNTH_MAX_FLOWS || worker > 255 || n_ports > NF_MAX_PORTS)
		return NULL;
	s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->flows = flows;
	s->n_ports = n_ports;
	s->fwd = aligned_alloc(64, (size_t)flows * SYNTH_FRAME);
	s->rev = aligned_alloc(64, (size_t)flows * SYNTH_FRAME);
	if (!s->fwd || !s->rev) {
		synth_free(s);
		return NULL;
	}
	for (f = 0; f < flows; f++) {
		synth_frame(s->fwd + (size_t)f * SYNTH_FRAME, worker, f, 0);
		synth_frame(s->rev + (size_t)f * SYNTH_FRAME, worker, f, 1);
	}
	return s;
}

void
synth_free(struct synth *s)
{
	if (!s)
		return;
	free(s->fwd);
	free(s->rev);
	free(s);
}

void
synth_stamp(struct synth *s, unsigned port, struct rte_mbuf **bufs, unsigned n)
{
	const uint8_t *base = port == 0 ? s->fwd : s->rev;
	unsigned next = s->next[port], i;
	struct rte_mbuf *m;
	uint16_t grow;

	for (i = 0; i < n; i++) {
		m = bufs[i];
		if (m->data_len < SYNTH_FRAME) {
			grow = (uint16_t)(SYNTH_FRAME - m->data_len);
			/* Only a lone segment can grow without moving the rest. */
			if (m->nb_segs != 1 || rte_pktmbuf_tailroom(m) < grow)
				continue;
			m->data_len = (uint16_t)(m->data_len + grow);
			m->pkt_len += grow;
		}
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), base + (size_t)next * SYNTH_FRAME,
		    SYNTH_FRAME);
		if (++next == s->flows)
			next = 0;
	}
	s->next[port] = next;
}
