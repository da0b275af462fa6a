/*
** fw: a stateful firewall. Hosts on lan may open connections to wan; wan may only answer.
**
** lan -> wan: a TCP or UDP packet records its flow, the 5-tuple (source and destination
** address, source and destination port, protocol), or refreshes it if already known, and is
** forwarded to wan. wan -> lan: a TCP or UDP packet is forwarded to lan only if it belongs to
** a known flow seen from the other side, i.e. its 5-tuple with source and destination swapped
** was recorded from lan; that also refreshes the flow. Anything else from wan is dropped. A
** flow not refreshed for 'expiry' seconds is forgotten. When the table is full, a new lan flow
** is still forwarded but not recorded, so its replies are dropped until room frees up.
**
** State: "flows", a map from the 5-tuple (13 bytes, as on the wire, lan's point of view) to a
** slot; "keys", the 5-tuple of each slot (for expiry); "ages", the slot allocator that
** remembers when each flow was last seen.
**
** Config: capacity (flows at once), expiry (seconds).
**
** Edge cases: only whole, unfragmented TCP and UDP packets take part in flows (the packets a
** NIC hashes by the 4-tuple). Everything else -- non-IPv4, IPv4 that is not TCP or UDP (ICMP),
** any fragment (first ones included, whose later fragments carry no ports), and IPv4 or L4
** headers cut short -- is forwarded from lan to wan without touching the table, and dropped
** from wan to lan. IPv4 options are skipped: the ports are read after them.
*/

#include "dchain.h"
#include "expire.h"
#include "map.h"
#include "nf.h"
#include "packet.h"
#include "vector.h"

enum { PORT_LAN, PORT_WAN };

static const struct nf_param fw_params[] = {
	{ "capacity", "65536", "flows tracked at once" },
	{ "expiry", "60", "seconds an idle flow is remembered" },
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("fw", "lan opens flows (5-tuple) to wan; wan gets in only on known flows",
    NF_PORTS("lan", "wan"), fw_params);

/* A flow as seen from lan; all fields in network order. */
struct flow_key {
	uint32_t src_ip;
	uint32_t dst_ip;
	uint16_t src_port;
	uint16_t dst_port;
	uint8_t proto;
} __attribute__((packed));

struct fw {
	struct map *flows;	/* 5-tuple -> slot */
	struct vector *keys;	/* slot -> 5-tuple */
	struct dchain *ages;	/* slots in use and when last seen */
	uint64_t expiry_ns;
};

void *
nf_init(struct nf_env *env)
{
	struct fw *st = nf_alloc(env, sizeof *st);
	uint32_t cap = (uint32_t)nf_config_uint(env, "capacity", 1, 1u << 24);
	uint64_t expiry = nf_config_uint(env, "expiry", 1, UINT32_MAX);

	if (!nf_env_ok(env))
		return NULL;
	st->expiry_ns = expiry * 1000000000ull;
	st->flows = map_new(env, "flows", sizeof(struct flow_key), cap);
	st->keys = vector_new(env, "keys", sizeof(struct flow_key), cap);
	st->ages = dchain_new(env, "ages", cap);
	return nf_env_ok(env) ? st : NULL;
}

/* Records or refreshes the flow of a lan packet. */
static void
track(struct fw *st, const struct pkt *p, uint64_t now_ns)
{
	struct flow_key key = {
		.src_ip = p->ip->src,
		.dst_ip = p->ip->dst,
		.src_port = pkt_sport(p),
		.dst_port = pkt_dport(p),
		.proto = p->proto,
	};
	struct flow_key *k;
	uint32_t slot;

	if (map_get(st->flows, &key, &slot)) {
		dchain_rejuvenate(st->ages, slot, now_ns);
		return;
	}
	if (!dchain_allocate(st->ages, now_ns, &slot))
		return;
	k = vector_mut(st->keys, slot);
	*k = key;
	/* Cannot fail: the map has room for as many flows as the chain has slots. */
	map_put(st->flows, &key, slot);
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	struct fw *st = state;
	uint64_t before = now_ns > st->expiry_ns ? now_ns - st->expiry_ns : 0;
	struct flow_key key;
	struct pkt p;
	uint32_t slot;
	int flow_pkt;

	expire_items(st->ages, st->flows, st->keys, before);
	flow_pkt = pkt_parse(pkt, len, &p) == PKT_L4 && !p.fragment;
	if (port == PORT_LAN) {
		if (flow_pkt)
			track(st, &p, now_ns);
		return PORT_WAN;
	}
	if (!flow_pkt)
		return NF_DROP;
	/* The reply's 5-tuple, turned around into the lan packet's point of view. */
	key.src_ip = p.ip->dst;
	key.dst_ip = p.ip->src;
	key.src_port = pkt_dport(&p);
	key.dst_port = pkt_sport(&p);
	key.proto = p.proto;
	if (!map_get(st->flows, &key, &slot))
		return NF_DROP;
	dchain_rejuvenate(st->ages, slot, now_ns);
	return PORT_LAN;
}
