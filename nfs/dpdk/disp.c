/*
** The dispatcher lcore: Toeplitz in software, exactly as a NIC programmed by port.c would do
** it, so a run without RSS hardware shards the traffic the way baton checked it.
*/

#include "disp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_thash.h>

/* Ethertypes (IEEE 802.1Q C-tag, 802.1ad S-tag) and IP protocols (IANA), as engine/flow.c. */
#define DISP_ETH_VLAN	0x8100
#define DISP_ETH_QINQ	0x88a8
#define DISP_ETH_IPV4	0x0800
#define DISP_MAX_VLANS	2
#define DISP_TCP	6
#define DISP_UDP	17

/* rte_softrss reads the key as 32-bit words, up to one past the input. */
struct disp_key {
	uint32_t w[RT_KEY_MAX / 4 + 1];
};

struct disp_port {
	uint16_t id;			/* ethdev port */
	unsigned nf_port;
	uint64_t rss_hf;
	struct disp_key key;
	const uint16_t *reta;
	unsigned reta_size;
};

struct disp {
	unsigned n_ports;		/* dispatched ports */
	struct disp_port port[NF_MAX_PORTS];
	unsigned workers;
	unsigned n_nf_ports;		/* all the NF's ports, dispatched or not */
	struct rte_ring **ring;		/* [nf_port * workers + worker]; NULL: not dispatched */
	struct rte_mbuf **out;		/* [worker * RT_BURST]: one burst sorted by worker */
	unsigned *n_out;		/* per worker */
	struct stats_disp *ctr;
	uint32_t stop;
	uint32_t done;
};

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The hash of 'f' under 'hf' and 'key'; see disp_hash. The rules mirror engine/check.c's
** check_rss_core, which baton's consistency check and pre-sharding use: a packet is "other"
** when it is a fragment (MF or an offset; DF does not count), not TCP or UDP, or has fewer
** than 4 bytes of L4 header; others hash on the addresses only. The field set's input is the
** selected fields concatenated in the order src IP, dst IP, src port, dst port (omitted fields
** take no room), which is what l3-src-only and friends do on NICs. */
static uint32_t
hash_frame(const struct disp_key *key, uint64_t hf, const uint8_t *f, uint32_t len)
{
	const uint64_t l4_flags = RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_UDP;
	uint32_t off = RTE_ETHER_HDR_LEN, ihl, words[3];
	uint8_t in[12];
	const uint8_t *ip;
	unsigned n = 0, tags, i;
	int src, dst, sport, dport, fragment, l4;
	uint16_t et;
	uint8_t proto;

	if (len < RTE_ETHER_HDR_LEN)
		return 0;
	et = be16(f + 12);
	for (tags = 0; tags < DISP_MAX_VLANS && (et == DISP_ETH_VLAN || et == DISP_ETH_QINQ);
	    tags++) {
		if (len - off < 4)
			return 0;
		et = be16(f + off + 2);
		off += 4;
	}
	if (et != DISP_ETH_IPV4 || len - off < 20)
		return 0;
	ip = f + off;
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	if (ip[0] >> 4 != 4 || ihl < 20 || ihl > len - off)
		return 0;
	proto = ip[9];
	fragment = (be16(ip + 6) & 0x3fff) != 0;
	l4 = !fragment && (proto == DISP_TCP || proto == DISP_UDP) && len - off - ihl >= 4;

	src = !(hf & RTE_ETH_RSS_L3_DST_ONLY) || (hf & RTE_ETH_RSS_L3_SRC_ONLY);
	dst = !(hf & RTE_ETH_RSS_L3_SRC_ONLY) || (hf & RTE_ETH_RSS_L3_DST_ONLY);
	sport = dport = 0;
	if (l4 && (hf & l4_flags)) {
		/* A field set with ports: only its own protocols are hashed. */
		if (!(hf & (proto == DISP_TCP ? RTE_ETH_RSS_NONFRAG_IPV4_TCP
		    : RTE_ETH_RSS_NONFRAG_IPV4_UDP)))
			return 0;
		sport = !(hf & RTE_ETH_RSS_L4_DST_ONLY) || (hf & RTE_ETH_RSS_L4_SRC_ONLY);
		dport = !(hf & RTE_ETH_RSS_L4_SRC_ONLY) || (hf & RTE_ETH_RSS_L4_DST_ONLY);
	} else if (l4) {
		/* Addresses only ("ipv4"): TCP and UDP hash on the addresses too. */
		if (!(hf & (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_OTHER)))
			return 0;
	} else if (fragment) {
		if (!(hf & (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_FRAG_IPV4)))
			return 0;
	} else if (!(hf & (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_OTHER))) {
		return 0;
	}
	if (src) {
		memcpy(in + n, ip + 12, 4);
		n += 4;
	}
	if (dst) {
		memcpy(in + n, ip + 16, 4);
		n += 4;
	}
	if (sport) {
		memcpy(in + n, ip + ihl, 2);
		n += 2;
	}
	if (dport) {
		memcpy(in + n, ip + ihl + 2, 2);
		n += 2;
	}
	if (n == 0)
		return 0;
	/* Toeplitz over zero bits adds nothing, so padding the input to whole words with zeroes
	** leaves the hash of the real bytes. rte_softrss wants the words as host numbers of the
	** big-endian stream. */
	memset(in + n, 0, sizeof in - n);
	for (i = 0; i < (n + 3) / 4; i++)
		words[i] = (uint32_t)in[4 * i] << 24 | (uint32_t)in[4 * i + 1] << 16 |
		    (uint32_t)in[4 * i + 2] << 8 | in[4 * i + 3];
	return rte_softrss(words, (n + 3) / 4, (const uint8_t *)key->w);
}

static void
load_key(struct disp_key *out, const struct rt_port_config *pc)
{
	memset(out, 0, sizeof *out);
	memcpy(out->w, pc->key, pc->key_len < RT_KEY_MAX ? pc->key_len : RT_KEY_MAX);
}

uint32_t
disp_hash(const struct rt_port_config *pc, const uint8_t *frame, uint32_t len)
{
	struct disp_key key;

	load_key(&key, pc);
	return hash_frame(&key, pc->rss_hf, frame, len);
}

struct disp *
disp_new(const struct rt_config *cfg, const uint16_t *port_id, const int *dispatched,
    unsigned workers, unsigned ring_size, struct stats_disp *ctr, char *err, size_t err_len)
{
	struct disp *d = calloc(1, sizeof *d);
	struct disp_port *dp;
	char name[RTE_RING_NAMESIZE];
	unsigned i, w;

	if (!d)
		goto oom;
	d->workers = workers;
	d->n_nf_ports = cfg->n_ports;
	d->ctr = ctr;
	d->ring = calloc((size_t)cfg->n_ports * workers, sizeof *d->ring);
	d->out = calloc((size_t)workers * RT_BURST, sizeof *d->out);
	d->n_out = calloc(workers, sizeof *d->n_out);
	if (!d->ring || !d->out || !d->n_out)
		goto oom;
	for (i = 0; i < cfg->n_ports; i++) {
		if (!dispatched[i])
			continue;
		dp = &d->port[d->n_ports++];
		dp->id = port_id[i];
		dp->nf_port = i;
		dp->rss_hf = cfg->port[i].rss_hf;
		load_key(&dp->key, &cfg->port[i]);
		dp->reta = cfg->port[i].reta;
		dp->reta_size = cfg->reta_size;
		for (w = 0; w < workers; w++) {
			snprintf(name, sizeof name, "baton_p%u_w%u", (uint8_t)i, (uint16_t)w);
			d->ring[i * workers + w] = rte_ring_create(name, ring_size, SOCKET_ID_ANY,
			    RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (!d->ring[i * workers + w]) {
				snprintf(err, err_len, "dispatcher ring %s (%u entries): %s", name,
				    ring_size, rte_strerror(rte_errno));
				disp_free(d);
				return NULL;
			}
		}
	}
	return d;
oom:
	snprintf(err, err_len, "dispatcher: out of memory");
	disp_free(d);
	return NULL;
}

void
disp_free(struct disp *d)
{
	struct rte_mbuf *m;
	size_t i;

	if (!d)
		return;
	for (i = 0; d->ring && i < (size_t)d->n_nf_ports * d->workers; i++) {
		if (!d->ring[i])
			continue;
		while (rte_ring_dequeue(d->ring[i], (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(d->ring[i]);
	}
	free(d->ring);
	free(d->out);
	free(d->n_out);
	free(d);
}

struct rte_ring *
disp_ring(const struct disp *d, unsigned port, unsigned worker)
{
	return d ? d->ring[port * d->workers + worker] : NULL;
}

/* One burst from one port, sorted onto the workers' rings. */
static void
dispatch(struct disp *d, const struct disp_port *dp)
{
	struct rte_mbuf *bufs[RT_BURST], **out;
	unsigned n, i, w, sent, dropped = 0;
	uint32_t h;

	n = rte_eth_rx_burst(dp->id, 0, bufs, RT_BURST);
	if (!n)
		return;
	for (i = 0; i < n; i++) {
		h = hash_frame(&dp->key, dp->rss_hf, rte_pktmbuf_mtod(bufs[i], const uint8_t *),
		    bufs[i]->data_len);
		w = dp->reta[h % dp->reta_size];
		if (w >= d->workers)	/* a bad generated RETA; rt checks, this stays safe */
			w = 0;
		d->out[w * RT_BURST + d->n_out[w]++] = bufs[i];
	}
	for (w = 0; w < d->workers; w++) {
		if (!d->n_out[w])
			continue;
		out = &d->out[w * RT_BURST];
		sent = rte_ring_enqueue_burst(d->ring[dp->nf_port * d->workers + w],
		    (void **)out, d->n_out[w], NULL);
		if (sent < d->n_out[w]) {
			rte_pktmbuf_free_bulk(out + sent, d->n_out[w] - sent);
			dropped += d->n_out[w] - sent;
		}
		d->n_out[w] = 0;
	}
	stats_add(&d->ctr->rx, n);
	stats_add(&d->ctr->dispatched, n - dropped);
	if (dropped)
		stats_add(&d->ctr->drops, dropped);
}

int
disp_main(void *arg)
{
	struct disp *d = arg;
	unsigned i;

	while (!__atomic_load_n(&d->stop, __ATOMIC_RELAXED)) {
		for (i = 0; i < d->n_ports; i++)
			dispatch(d, &d->port[i]);
	}
	/* Release: a worker that sees 'done' also sees every packet enqueued before it. */
	__atomic_store_n(&d->done, 1, __ATOMIC_RELEASE);
	return 0;
}

void
disp_stop(struct disp *d)
{
	if (d)
		__atomic_store_n(&d->stop, 1, __ATOMIC_RELAXED);
}

int
disp_done(const struct disp *d)
{
	return !d || __atomic_load_n(&d->done, __ATOMIC_ACQUIRE);
}
