/*
** bridge: a learning bridge. It remembers on which port each source MAC address was last seen,
** and sends a packet to the port its destination was learned on. Unknown destinations and group
** destinations (broadcast and multicast: the I/G bit, the lowest bit of the first byte) are
** flooded; a destination learned on the port the packet came in from is dropped, since the
** packet is already on that segment. A MAC not seen for 'expiry' seconds is forgotten, as in the
** Linux bridge's ageing.
**
** Learning: a unicast source MAC is looked up; if known, its age is reset and, if it now shows
** up on the other port (the host moved), its port is updated; if unknown, it gets a free slot.
** With every slot taken, new MACs are not learned (their packets still go through, and replies
** to them are flooded) until old ones expire. Group source MACs are never learned (they are
** not hosts).
**
** State: "macs", a map from MAC (6 bytes, as on the wire) to a slot; "keys", the MAC of each
** slot (so expiry can remove it from the map); "ports", the port of each slot; "ages", the slot
** allocator that remembers when each slot was last refreshed.
**
** Config: capacity (MACs remembered at once), expiry (seconds).
**
** Edge cases: only the Ethernet header is read, so non-IPv4, non-TCP/UDP, fragments and IPv4
** options are bridged like anything else. Packets shorter than an Ethernet header (14 bytes)
** are dropped without learning.
*/

#include <string.h>

#include "dchain.h"
#include "expire.h"
#include "map.h"
#include "nf.h"
#include "packet.h"
#include "vector.h"

static const struct nf_param bridge_params[] = {
	{ "capacity", "65536", "MAC addresses remembered at once" },
	{ "expiry", "300", "seconds a MAC is remembered after it was last seen (Linux ageing)" },
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("bridge", "learning bridge: learns source MACs, floods unknown and broadcast",
    NF_PORTS("lan", "wan"), bridge_params);

struct mac_key {
	uint8_t addr[6];
} __attribute__((packed));

struct mac_port {
	uint32_t port;
};

struct bridge {
	struct map *macs;	/* MAC -> slot */
	struct vector *keys;	/* slot -> MAC */
	struct vector *ports;	/* slot -> port it was learned on */
	struct dchain *ages;	/* slots in use and when last seen */
	uint64_t expiry_ns;
};

void *
nf_init(struct nf_env *env)
{
	struct bridge *st = nf_alloc(env, sizeof *st);
	uint32_t cap = (uint32_t)nf_config_uint(env, "capacity", 1, 1u << 24);
	uint64_t expiry = nf_config_uint(env, "expiry", 1, UINT32_MAX);

	if (!nf_env_ok(env))
		return NULL;
	st->expiry_ns = expiry * 1000000000ull;
	st->macs = map_new(env, "macs", sizeof(struct mac_key), cap);
	st->keys = vector_new(env, "keys", sizeof(struct mac_key), cap);
	st->ports = vector_new(env, "ports", sizeof(struct mac_port), cap);
	st->ages = dchain_new(env, "ages", cap);
	return nf_env_ok(env) ? st : NULL;
}

/* Remembers that 'mac' is reachable through 'port'. */
static void
learn(struct bridge *st, const uint8_t *mac, uint16_t port, uint64_t now_ns)
{
	struct mac_key *key;
	struct mac_port *mp;
	uint32_t slot;

	if (map_get(st->macs, mac, &slot)) {
		dchain_rejuvenate(st->ages, slot, now_ns);
		if (((const struct mac_port *)vector_get(st->ports, slot))->port != port) {
			mp = vector_mut(st->ports, slot);
			mp->port = port;
		}
		return;
	}
	if (!dchain_allocate(st->ages, now_ns, &slot))
		return;
	key = vector_mut(st->keys, slot);
	memcpy(key->addr, mac, sizeof key->addr);
	mp = vector_mut(st->ports, slot);
	mp->port = port;
	/* Cannot fail: the map has room for as many MACs as the chain has slots. */
	map_put(st->macs, mac, slot);
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	struct bridge *st = state;
	uint64_t before = now_ns > st->expiry_ns ? now_ns - st->expiry_ns : 0;
	struct pkt p;
	uint32_t slot, out;

	expire_items(st->ages, st->macs, st->keys, before);
	if (pkt_parse(pkt, len, &p) < PKT_L2)
		return NF_DROP;
	if ((p.eth->src[0] & 1) == 0)
		learn(st, p.eth->src, port, now_ns);
	if (p.eth->dst[0] & 1)
		return NF_FLOOD;
	if (!map_get(st->macs, p.eth->dst, &slot))
		return NF_FLOOD;
	out = ((const struct mac_port *)vector_get(st->ports, slot))->port;
	if (out == port)
		return NF_DROP;
	return (int)out;
}
