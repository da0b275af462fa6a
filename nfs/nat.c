/*
** nat: a network address and port translator. Hosts on lan share one external address,
** ext_ip, towards wan.
**
** lan -> wan: each TCP or UDP flow (5-tuple: source and destination address and port,
** protocol) gets its own external port, port_base + i, where i is the flow's slot. The packet's
** source becomes ext_ip and that port, with the IPv4 and TCP/UDP checksums fixed. A new flow
** takes a free slot; when none is free its packets are dropped. Known flows are refreshed.
**
** wan -> lan: a TCP or UDP packet is let in only if it is addressed to ext_ip, at a port that
** belongs to a live flow, and comes from exactly the remote address, port and protocol that
** flow talks to (so an external port is no open door: endpoint-dependent filtering). Its
** destination then becomes the internal host's address and port, checksums fixed, and the
** flow is refreshed. Everything else from wan is dropped.
**
** A flow not refreshed for 'expiry' seconds is forgotten and its external port reused.
**
** State: "flows", a map from the lan 5-tuple (13 bytes, as on the wire) to a slot; "keys", the
** 5-tuple of each slot (for expiry); "entries", each slot's internal endpoint, remote endpoint
** and protocol (what wan packets are checked against and translated to); "ports", the slot
** allocator that remembers when each flow was last seen. Slot i is external port port_base + i.
** In a parallel build each core has its own slots 0 .. its capacity - 1 and so reuses the same
** external ports; the remote endpoint check keeps another core's flows apart.
**
** Config: ext_ip, port_base (first external port), capacity (flows at once; port_base +
** capacity <= 65536), expiry (seconds).
**
** Edge cases: only whole, unfragmented TCP and UDP packets are translated (ports are needed to
** tell flows apart). Non-IPv4, IPv4 that is not TCP or UDP (no ICMP translation, so neither
** ping nor ICMP errors pass), fragments, and IPv4 or L4 headers cut short are dropped in both
** directions. IPv4 options are kept and skipped: the ports are read and rewritten after them.
** A UDP checksum of 0 (none) stays 0.
*/

#include <arpa/inet.h>

#include "dchain.h"
#include "expire.h"
#include "map.h"
#include "nf.h"
#include "packet.h"
#include "vector.h"

enum { PORT_LAN, PORT_WAN };

static const struct nf_param nat_params[] = {
	{ "ext_ip", "203.0.113.1", "the external IPv4 address lan hosts share" },
	{ "port_base", "1024", "the first external port" },
	{ "capacity", "64512", "flows at once (external ports port_base .. port_base+capacity-1)" },
	{ "expiry", "60", "seconds an idle flow keeps its external port" },
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("nat", "lan flows share ext_ip; wan replies translated back, others dropped",
    NF_PORTS("lan", "wan"), nat_params);

/* A flow as seen from lan; all fields in network order. */
struct flow_key {
	uint32_t src_ip;
	uint32_t dst_ip;
	uint16_t src_port;
	uint16_t dst_port;
	uint8_t proto;
} __attribute__((packed));

/* What a slot translates, in network order. */
struct flow_entry {
	uint32_t int_ip;
	uint32_t remote_ip;
	uint16_t int_port;
	uint16_t remote_port;
	uint8_t proto;
} __attribute__((packed));

struct nat {
	struct map *flows;	/* lan 5-tuple -> slot */
	struct vector *keys;	/* slot -> lan 5-tuple */
	struct vector *entries;	/* slot -> endpoints */
	struct dchain *ports;	/* slots in use and when last seen */
	uint32_t ext_ip;	/* network order */
	uint32_t port_base;
	uint32_t n_slots;	/* the chain's capacity: external ports in use are below base + this */
	uint64_t expiry_ns;
};

void *
nf_init(struct nf_env *env)
{
	struct nat *st = nf_alloc(env, sizeof *st);
	uint32_t ext_ip = nf_config_ipv4(env, "ext_ip");
	uint32_t base = (uint32_t)nf_config_uint(env, "port_base", 1, 65535);
	uint32_t cap = (uint32_t)nf_config_uint(env, "capacity", 1, 65535);
	uint64_t expiry = nf_config_uint(env, "expiry", 1, UINT32_MAX);

	if (!nf_env_ok(env))
		return NULL;
	if (base + cap > 65536) {
		nf_env_fail(env, "port_base=%u capacity=%u: external ports would go past 65535 "
		    "(port_base + capacity must be <= 65536)", base, cap);
		return NULL;
	}
	st->ext_ip = htonl(ext_ip);
	st->port_base = base;
	st->expiry_ns = expiry * 1000000000ull;
	st->flows = map_new(env, "flows", sizeof(struct flow_key), cap);
	st->keys = vector_new(env, "keys", sizeof(struct flow_key), cap);
	st->entries = vector_new(env, "entries", sizeof(struct flow_entry), cap);
	st->ports = dchain_new(env, "ports", cap);
	if (!nf_env_ok(env))
		return NULL;
	/* The share may have shrunk the chain; only its indices are ever handed out. */
	st->n_slots = dchain_capacity(st->ports);
	return st;
}

/* lan -> wan: finds or creates the flow's slot and rewrites the source; 0 when full. */
static int
outbound(struct nat *st, struct pkt *p, uint64_t now_ns)
{
	struct flow_key key = {
		.src_ip = p->ip->src,
		.dst_ip = p->ip->dst,
		.src_port = pkt_sport(p),
		.dst_port = pkt_dport(p),
		.proto = p->proto,
	};
	struct flow_entry *e;
	struct flow_key *k;
	uint32_t slot;

	if (map_get(st->flows, &key, &slot)) {
		dchain_rejuvenate(st->ports, slot, now_ns);
	} else {
		if (!dchain_allocate(st->ports, now_ns, &slot))
			return 0;
		k = vector_mut(st->keys, slot);
		*k = key;
		e = vector_mut(st->entries, slot);
		e->int_ip = key.src_ip;
		e->int_port = key.src_port;
		e->remote_ip = key.dst_ip;
		e->remote_port = key.dst_port;
		e->proto = key.proto;
		/* Cannot fail: the map has room for as many flows as the chain has slots. */
		map_put(st->flows, &key, slot);
	}
	pkt_set_ipv4_src(p, st->ext_ip);
	pkt_set_sport(p, htons((uint16_t)(st->port_base + slot)));
	return 1;
}

/* wan -> lan: checks the packet against the flow its destination port names and rewrites the
** destination back; 0 when it belongs to no live flow. */
static int
inbound(struct nat *st, struct pkt *p, uint64_t now_ns)
{
	const struct flow_entry *e;
	uint32_t dport = ntohs(pkt_dport(p)), slot, int_ip;
	uint16_t int_port;

	if (p->ip->dst != st->ext_ip)
		return 0;
	if (dport < st->port_base || dport - st->port_base >= st->n_slots)
		return 0;
	slot = dport - st->port_base;
	if (!dchain_is_allocated(st->ports, slot))
		return 0;
	e = vector_get(st->entries, slot);
	if (e->remote_ip != p->ip->src || e->remote_port != pkt_sport(p) || e->proto != p->proto)
		return 0;
	int_ip = e->int_ip;
	int_port = e->int_port;
	dchain_rejuvenate(st->ports, slot, now_ns);
	pkt_set_ipv4_dst(p, int_ip);
	pkt_set_dport(p, int_port);
	return 1;
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	struct nat *st = state;
	uint64_t before = now_ns > st->expiry_ns ? now_ns - st->expiry_ns : 0;
	struct pkt p;

	expire_items(st->ports, st->flows, st->keys, before);
	if (pkt_parse(pkt, len, &p) != PKT_L4 || p.fragment)
		return NF_DROP;
	if (port == PORT_LAN)
		return outbound(st, &p, now_ns) ? PORT_WAN : NF_DROP;
	return inbound(st, &p, now_ns) ? PORT_LAN : NF_DROP;
}
