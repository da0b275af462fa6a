/*
** two_maps: on wan, remembers every IPv4 source in one map and every destination in another.
** Rule exercised: one port writing state keyed by two different field sets (src and dst).
** Expected verdict: locks (the wan port would need disjoint field sets).
*/

#include "dchain.h"
#include "expire.h"
#include "map.h"
#include "nf.h"
#include "packet.h"
#include "vector.h"

enum { PORT_LAN, PORT_WAN };

#define CAPACITY	1024
#define EXPIRY_NS	(10 * 1000000000ull)

static const struct nf_param two_maps_params[] = {
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("two_maps", "test: wan sources and destinations in two maps",
    NF_PORTS("lan", "wan"), two_maps_params);

/* One map with its keys (for expiry) and its index allocator. */
struct table {
	struct map *map;
	struct vector *keys;	/* uint32_t address per index */
	struct dchain *chain;
};

struct two_maps {
	struct table srcs, dsts;
};

/* Refreshes 'addr' (network order), adding it when absent; a full table leaves it out. */
static void
table_touch(struct table *t, uint32_t addr, uint64_t now_ns)
{
	uint32_t index;

	if (map_get(t->map, &addr, &index)) {
		dchain_rejuvenate(t->chain, index, now_ns);
		return;
	}
	if (!dchain_allocate(t->chain, now_ns, &index))
		return;
	*(uint32_t *)vector_mut(t->keys, index) = addr;
	map_put(t->map, &addr, index);
}

void *
nf_init(struct nf_env *env)
{
	struct two_maps *st = nf_alloc(env, sizeof *st);

	if (!st)
		return NULL;
	st->srcs.map = map_new(env, "srcs", sizeof(uint32_t), CAPACITY);
	st->srcs.keys = vector_new(env, "srcs.keys", sizeof(uint32_t), CAPACITY);
	st->srcs.chain = dchain_new(env, "srcs.chain", CAPACITY);
	st->dsts.map = map_new(env, "dsts", sizeof(uint32_t), CAPACITY);
	st->dsts.keys = vector_new(env, "dsts.keys", sizeof(uint32_t), CAPACITY);
	st->dsts.chain = dchain_new(env, "dsts.chain", CAPACITY);
	return nf_env_ok(env) ? st : NULL;
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	struct two_maps *st = state;
	uint64_t before = now_ns > EXPIRY_NS ? now_ns - EXPIRY_NS : 0;
	struct pkt p;

	expire_items(st->srcs.chain, st->srcs.map, st->srcs.keys, before);
	expire_items(st->dsts.chain, st->dsts.map, st->dsts.keys, before);
	if (port == PORT_LAN)
		return PORT_WAN;
	if (pkt_parse(pkt, len, &p) < PKT_L3)
		return NF_DROP;
	table_touch(&st->srcs, p.ip->src, now_ns);
	table_touch(&st->dsts, p.ip->dst, now_ns);
	return PORT_LAN;
}
