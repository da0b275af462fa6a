/*
** lb: a Maglev-like load balancer. Clients reach a virtual service through wan; the NF picks a
** backend for each flow and sends the flow's packets to it on lan, rewriting the destination IPv4
** address and MAC to the backend's.
**
** Backends announce themselves: every IPv4 packet arriving on lan (a heartbeat, or simply a
** backend's reply) registers its source IPv4 address as a backend, with the source MAC as the
** backend's MAC, or refreshes it. A backend silent for 'backend_expiry' seconds is dropped from
** the set. The MAC is learned when the backend registers; a backend that changes its MAC is
** seen under the new one only after it expired and registered again. When the backend table is
** full a new backend is not registered (its packets are still forwarded).
**
** A new flow (5-tuple: source and destination address and port, protocol) gets the backend a
** consistent-hash table (cht.h) prefers among the live ones, and keeps it while that backend
** lives (sticky), even when backends come and go; a flow whose backend expired moves to the
** table's next choice, flows of live backends stay put. A flow idle for 'expiry' seconds is
** forgotten. When the flow table is full, a new flow is sent to the table's choice without being
** remembered: it stays on that backend as long as the set of live backends does not change.
** A backend slot freed by expiry may be taken by a backend that registers later; flows still
** recorded on that slot then go to the new backend.
**
** State: the backend table (map "backends" IPv4 -> slot, "backends.keys", "backends.info" with
** IPv4 and MAC per slot, dchain "backends.alive"), the hash table "cht" over the slots, and the
** flow table (map "flows" 5-tuple -> slot, "flows.keys", "flows.backend", dchain "flows.chain").
** The backend table is written by lan packets and read by every wan packet: global state.
**
** Config: capacity (flows), backends (slots, 1..4000, so the cht table stays under 64 MiB),
** cht_height (a prime above backends), expiry and backend_expiry (seconds).
**
** Edge cases:
**  - lan: every packet is forwarded to wan unchanged. Only IPv4 packets with a whole header
**    (any protocol, fragments and options included) register their source; others register
**    nothing.
**  - wan: only unfragmented IPv4 TCP or UDP is balanced (options are fine). Non-IPv4, other
**    protocols, packets cut short inside the IPv4 or TCP/UDP header, and every fragment are
**    dropped: later fragments carry no ports to pick a backend by, and a first fragment alone is
**    of no use to the backend. With no live backend, wan packets are dropped.
*/

#include <string.h>

#include "cht.h"
#include "dchain.h"
#include "expire.h"
#include "map.h"
#include "nf.h"
#include "packet.h"
#include "vector.h"

enum { PORT_LAN, PORT_WAN };

/* The 5-tuple as it lies in the packet (network byte order), packed: the map hashes raw bytes. */
struct lb_flow_key {
	uint32_t src_ip;
	uint32_t dst_ip;
	uint16_t src_port;
	uint16_t dst_port;
	uint8_t proto;
} __attribute__((packed));

struct lb_backend {
	uint32_t ip;		/* network order */
	uint8_t mac[6];
} __attribute__((packed));

struct lb_state {
	struct map *flows;
	struct vector *flow_keys;
	struct vector *flow_backend;	/* uint32_t backend slot per flow */
	struct dchain *flow_chain;
	struct map *backends;
	struct vector *backend_keys;	/* uint32_t IPv4 per slot, the map's keys */
	struct vector *backend_info;	/* struct lb_backend per slot */
	struct dchain *alive;
	struct cht *cht;
	uint64_t expiry_ns;
	uint64_t backend_expiry_ns;
};

static const struct nf_param lb_params[] = {
	{ "capacity", "65536", "flows remembered at once" },
	{ "backends", "32", "backends at most (1..4000)" },
	{ "cht_height", "4099", "buckets of the consistent-hash table (a prime > backends)" },
	{ "expiry", "60", "seconds an idle flow keeps its backend" },
	{ "backend_expiry", "10", "seconds a silent backend stays in the set" },
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("lb", "Maglev-like load balancer: backends announce on lan, wan flows stick to one",
    NF_PORTS("lan", "wan"), lb_params);

void *
nf_init(struct nf_env *env)
{
	struct lb_state *st = nf_alloc(env, sizeof *st);
	uint32_t capacity, backends, height;

	if (!st)
		return NULL;
	capacity = (uint32_t)nf_config_uint(env, "capacity", 1, 1u << 24);
	backends = (uint32_t)nf_config_uint(env, "backends", 1, 4000);
	height = (uint32_t)nf_config_uint(env, "cht_height", 2, 1u << 20);
	st->expiry_ns = nf_config_uint(env, "expiry", 1, 1000000) * 1000000000ull;
	st->backend_expiry_ns = nf_config_uint(env, "backend_expiry", 1, 1000000) * 1000000000ull;
	if (!nf_env_ok(env))
		return NULL;

	st->flows = map_new(env, "flows", sizeof(struct lb_flow_key), capacity);
	st->flow_keys = vector_new(env, "flows.keys", sizeof(struct lb_flow_key), capacity);
	st->flow_backend = vector_new(env, "flows.backend", sizeof(uint32_t), capacity);
	st->flow_chain = dchain_new(env, "flows.chain", capacity);
	/* Whole on every instance: the hash table is not split by the share, and its slots
	** index these. */
	st->backends = map_new(env, "backends", sizeof(uint32_t), NF_FULL(backends));
	st->backend_keys = vector_new(env, "backends.keys", sizeof(uint32_t), NF_FULL(backends));
	st->backend_info = vector_new(env, "backends.info", sizeof(struct lb_backend),
	    NF_FULL(backends));
	st->alive = dchain_new(env, "backends.alive", NF_FULL(backends));
	st->cht = cht_new(env, "cht", backends, height);
	return nf_env_ok(env) ? st : NULL;
}

/* A lan packet: register or refresh its source as a backend. */
static void
lb_heartbeat(struct lb_state *st, const struct pkt *p, uint64_t now_ns)
{
	uint32_t ip = p->ip->src, slot;
	struct lb_backend *b;

	if (map_get(st->backends, &ip, &slot)) {
		dchain_rejuvenate(st->alive, slot, now_ns);
		return;
	}
	if (!dchain_allocate(st->alive, now_ns, &slot))
		return;		/* table full: not registered */
	map_put(st->backends, &ip, slot);
	*(uint32_t *)vector_mut(st->backend_keys, slot) = ip;
	b = vector_mut(st->backend_info, slot);
	b->ip = ip;
	memcpy(b->mac, p->eth->src, sizeof b->mac);
}

/* The backend slot of a wan flow, remembering new choices; 0 when no backend is alive. */
static int
lb_pick(struct lb_state *st, const struct lb_flow_key *key, uint64_t now_ns, uint32_t *backend)
{
	uint32_t flow, *recorded;

	if (map_get(st->flows, key, &flow)) {
		dchain_rejuvenate(st->flow_chain, flow, now_ns);
		*backend = *(const uint32_t *)vector_get(st->flow_backend, flow);
		if (dchain_is_allocated(st->alive, *backend))
			return 1;
		/* Its backend expired: move the flow to the table's next live choice. */
		if (!cht_find(st->cht, key, sizeof *key, st->alive, backend))
			return 0;
		recorded = vector_mut(st->flow_backend, flow);
		*recorded = *backend;
		return 1;
	}
	if (!cht_find(st->cht, key, sizeof *key, st->alive, backend))
		return 0;
	if (!dchain_allocate(st->flow_chain, now_ns, &flow))
		return 1;	/* table full: balanced, not remembered */
	map_put(st->flows, key, flow);
	memcpy(vector_mut(st->flow_keys, flow), key, sizeof *key);
	recorded = vector_mut(st->flow_backend, flow);
	*recorded = *backend;
	return 1;
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	struct lb_state *st = state;
	uint64_t before;
	struct lb_flow_key key;
	const struct lb_backend *b;
	uint32_t backend;
	struct pkt p;

	before = now_ns > st->backend_expiry_ns ? now_ns - st->backend_expiry_ns : 0;
	expire_items(st->alive, st->backends, st->backend_keys, before);
	before = now_ns > st->expiry_ns ? now_ns - st->expiry_ns : 0;
	expire_items(st->flow_chain, st->flows, st->flow_keys, before);

	pkt_parse(pkt, len, &p);
	if (port == PORT_LAN) {
		if (p.level >= PKT_L3)
			lb_heartbeat(st, &p, now_ns);
		return PORT_WAN;
	}
	if (port != PORT_WAN || p.level < PKT_L4 || p.fragment)
		return NF_DROP;

	memset(&key, 0, sizeof key);
	key.src_ip = p.ip->src;
	key.dst_ip = p.ip->dst;
	key.src_port = pkt_sport(&p);
	key.dst_port = pkt_dport(&p);
	key.proto = p.proto;
	if (!lb_pick(st, &key, now_ns, &backend))
		return NF_DROP;

	/* Rewrite last, after every state write. */
	b = vector_get(st->backend_info, backend);
	memcpy(p.eth->dst, b->mac, sizeof b->mac);
	pkt_set_ipv4_dst(&p, b->ip);
	return PORT_LAN;
}
