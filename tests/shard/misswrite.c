/*
** misswrite: nat whose wan side does nat's full check, but when the slot its destination port
** names belongs to another remote endpoint it refreshes that slot before dropping the packet.
** Rule exercised: a lookup on the wrong core must behave like a miss (no state written).
** Expected verdict: locks.
*/

#include "dchain.h"
#include "expire.h"
#include "map.h"
#include "nf.h"
#include "packet.h"
#include "vector.h"

enum { PORT_LAN, PORT_WAN };

#define BASE		1024
#define CAPACITY	1024
#define EXPIRY_NS	(60 * 1000000000ull)

static const struct nf_param misswrite_params[] = {
	{ "ext_ip", "203.0.113.1", "the external IPv4 address lan hosts share" },
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("misswrite", "test: nat whose wan side refreshes a mismatching flow",
    NF_PORTS("lan", "wan"), misswrite_params);

/* A flow as seen from lan; network order. */
struct flow_key {
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
	uint8_t proto;
} __attribute__((packed));

/* What a slot translates, network order. */
struct flow_entry {
	uint32_t int_ip, remote_ip;
	uint16_t int_port, remote_port;
	uint8_t proto;
} __attribute__((packed));

struct misswrite {
	struct map *flows;	/* lan 5-tuple -> slot */
	struct vector *keys;	/* slot -> lan 5-tuple */
	struct vector *entries;	/* slot -> endpoints */
	struct dchain *ports;	/* slots in use and when last seen */
	uint32_t ext_ip;	/* network order */
	uint32_t n_slots;	/* the chain's capacity (a share may shrink it) */
};

void *
nf_init(struct nf_env *env)
{
	struct misswrite *st = nf_alloc(env, sizeof *st);
	uint32_t ext_ip = nf_config_ipv4(env, "ext_ip");

	if (!nf_env_ok(env))
		return NULL;
	st->ext_ip = htonl(ext_ip);
	st->flows = map_new(env, "flows", sizeof(struct flow_key), CAPACITY);
	st->keys = vector_new(env, "keys", sizeof(struct flow_key), CAPACITY);
	st->entries = vector_new(env, "entries", sizeof(struct flow_entry), CAPACITY);
	st->ports = dchain_new(env, "ports", CAPACITY);
	if (nf_env_ok(env))
		st->n_slots = dchain_capacity(st->ports);
	return nf_env_ok(env) ? st : NULL;
}

/* lan -> wan: as in nat. */
static int
outbound(struct misswrite *st, struct pkt *p, uint64_t now_ns)
{
	struct flow_key key = {
		.src_ip = p->ip->src, .dst_ip = p->ip->dst,
		.src_port = pkt_sport(p), .dst_port = pkt_dport(p), .proto = p->proto,
	};
	struct flow_entry *e;
	uint32_t slot;

	if (map_get(st->flows, &key, &slot)) {
		dchain_rejuvenate(st->ports, slot, now_ns);
	} else {
		if (!dchain_allocate(st->ports, now_ns, &slot))
			return 0;
		*(struct flow_key *)vector_mut(st->keys, slot) = key;
		e = vector_mut(st->entries, slot);
		*e = (struct flow_entry){ key.src_ip, key.dst_ip, key.src_port, key.dst_port, key.proto };
		map_put(st->flows, &key, slot);
	}
	pkt_set_ipv4_src(p, st->ext_ip);
	pkt_set_sport(p, htons((uint16_t)(BASE + slot)));
	return 1;
}

/* wan -> lan: nat's check, but a slot that fails it is refreshed before the packet is dropped. */
static int
inbound(struct misswrite *st, struct pkt *p, uint64_t now_ns)
{
	const struct flow_entry *e;
	uint32_t dport = ntohs(pkt_dport(p)), slot;

	if (p->ip->dst != st->ext_ip)
		return 0;
	if (dport < BASE || dport - BASE >= st->n_slots)
		return 0;
	slot = dport - BASE;
	if (!dchain_is_allocated(st->ports, slot))
		return 0;
	e = vector_get(st->entries, slot);
	if (e->remote_ip != p->ip->src || e->remote_port != pkt_sport(p) || e->proto != p->proto) {
		dchain_rejuvenate(st->ports, slot, now_ns);
		return 0;
	}
	pkt_set_ipv4_dst(p, e->int_ip);
	pkt_set_dport(p, e->int_port);
	dchain_rejuvenate(st->ports, slot, now_ns);
	return 1;
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	struct misswrite *st = state;
	uint64_t before = now_ns > EXPIRY_NS ? now_ns - EXPIRY_NS : 0;
	struct pkt p;

	expire_items(st->ports, st->flows, st->keys, before);
	if (pkt_parse(pkt, len, &p) != PKT_L4 || p.fragment)
		return NF_DROP;
	if (port == PORT_LAN)
		return outbound(st, &p, now_ns) ? PORT_WAN : NF_DROP;
	return inbound(st, &p, now_ns) ? PORT_LAN : NF_DROP;
}
