/*
** psd: a port-scan detector guarding lan. For each source IPv4 address seen on wan it counts the
** distinct destination ports (TCP and UDP alike) the source touched. A packet to a port the
** source already touched passes. A packet to a new port passes and is counted while the count is
** below 'max_ports'; once the source has touched 'max_ports' ports, packets to further new ports
** are dropped (and not counted). lan -> wan traffic is forwarded unchanged, whatever it is.
**
** The window: every packet from a source, dropped or not, refreshes it, and a source silent for
** 'expiry' seconds is forgotten together with its ports, so the count covers the ports touched
** since the source was last idle that long; a scanner stays blocked while it keeps scanning.
** A (source, port) entry not touched for 'expiry' seconds expires on its own and would be
** counted again as new, but the count itself only goes down when the whole source is forgotten.
**
** State: map "sources" (source IPv4 -> slot) with "sources.keys", the port count per source in
** "sources.count" and dchain "sources.chain"; map "ports" ((source IPv4, destination port) ->
** slot) with "ports.keys" and dchain "ports.chain". Both expire after 'expiry'.
**
** Config: capacity (sources), port_capacity ((source, port) pairs, shared by all sources),
** max_ports, expiry (seconds).
**
** Tables full: the packet is forwarded without being tracked (fail open). psd detects scans; a
** flood of spoofed sources that filled the table would otherwise cut every new source off.
**
** Edge cases on wan: non-IPv4 packets, IPv4 that is neither TCP nor UDP (no ports), and packets
** cut short inside the TCP/UDP header are forwarded untracked. IPv4 options are fine. A first
** fragment carries the ports and is judged like any packet; later fragments are forwarded
** untracked, as the receiver cannot reassemble them without the first. Frames shorter than an
** Ethernet header are dropped.
*/

#include <string.h>

#include "dchain.h"
#include "expire.h"
#include "map.h"
#include "nf.h"
#include "packet.h"
#include "vector.h"

enum { PORT_LAN, PORT_WAN };

/* Packet fields in network byte order, packed: the map hashes raw bytes. */
struct psd_port_key {
	uint32_t src_ip;
	uint16_t dst_port;
} __attribute__((packed));

struct psd_state {
	struct map *sources;
	struct vector *source_keys;	/* uint32_t source IPv4 per slot */
	struct vector *counts;		/* uint32_t distinct ports per source slot */
	struct dchain *source_chain;
	struct map *ports;
	struct vector *port_keys;	/* struct psd_port_key per slot */
	struct dchain *port_chain;
	uint64_t expiry_ns;
	uint32_t max_ports;
};

static const struct nf_param psd_params[] = {
	{ "capacity", "65536", "sources tracked at once" },
	{ "port_capacity", "131072", "(source, port) pairs tracked at once" },
	{ "max_ports", "64", "distinct destination ports a source may touch" },
	{ "expiry", "60", "seconds a silent source (or an untouched port) is remembered" },
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("psd", "port-scan detector: drops new ports of a wan source over a threshold",
    NF_PORTS("lan", "wan"), psd_params);

void *
nf_init(struct nf_env *env)
{
	struct psd_state *st = nf_alloc(env, sizeof *st);
	uint32_t capacity, port_capacity;

	if (!st)
		return NULL;
	capacity = (uint32_t)nf_config_uint(env, "capacity", 1, 1u << 24);
	port_capacity = (uint32_t)nf_config_uint(env, "port_capacity", 1, 1u << 24);
	st->max_ports = (uint32_t)nf_config_uint(env, "max_ports", 1, 65536);
	st->expiry_ns = nf_config_uint(env, "expiry", 1, 1000000) * 1000000000ull;
	if (!nf_env_ok(env))
		return NULL;

	st->sources = map_new(env, "sources", sizeof(uint32_t), capacity);
	st->source_keys = vector_new(env, "sources.keys", sizeof(uint32_t), capacity);
	st->counts = vector_new(env, "sources.count", sizeof(uint32_t), capacity);
	st->source_chain = dchain_new(env, "sources.chain", capacity);
	st->ports = map_new(env, "ports", sizeof(struct psd_port_key), port_capacity);
	st->port_keys = vector_new(env, "ports.keys", sizeof(struct psd_port_key), port_capacity);
	st->port_chain = dchain_new(env, "ports.chain", port_capacity);
	return nf_env_ok(env) ? st : NULL;
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	struct psd_state *st = state;
	uint64_t before = now_ns > st->expiry_ns ? now_ns - st->expiry_ns : 0;
	struct psd_port_key key;
	uint32_t src, source, slot, *count;
	struct pkt p;

	expire_items(st->source_chain, st->sources, st->source_keys, before);
	expire_items(st->port_chain, st->ports, st->port_keys, before);

	if (port == PORT_LAN)
		return PORT_WAN;
	if (port != PORT_WAN || pkt_parse(pkt, len, &p) == PKT_SHORT)
		return NF_DROP;
	if (p.level < PKT_L4)
		return PORT_LAN;	/* no ports: untracked */

	src = p.ip->src;
	if (map_get(st->sources, &src, &source)) {
		dchain_rejuvenate(st->source_chain, source, now_ns);
	} else {
		if (!dchain_allocate(st->source_chain, now_ns, &source))
			return PORT_LAN;	/* table full: untracked */
		map_put(st->sources, &src, source);
		*(uint32_t *)vector_mut(st->source_keys, source) = src;
		*(uint32_t *)vector_mut(st->counts, source) = 0;
	}

	memset(&key, 0, sizeof key);
	key.src_ip = src;
	key.dst_port = pkt_dport(&p);
	if (map_get(st->ports, &key, &slot)) {
		dchain_rejuvenate(st->port_chain, slot, now_ns);
		return PORT_LAN;
	}
	if (*(const uint32_t *)vector_get(st->counts, source) >= st->max_ports)
		return NF_DROP;
	if (!dchain_allocate(st->port_chain, now_ns, &slot))
		return PORT_LAN;	/* table full: untracked */
	map_put(st->ports, &key, slot);
	memcpy(vector_mut(st->port_keys, slot), &key, sizeof key);
	count = vector_mut(st->counts, source);
	*count += 1;
	return PORT_LAN;
}
