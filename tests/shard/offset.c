/*
** offset: counts wan IPv4 packets per source address, keyed by the address plus one.
** Rule exercised: a key that is a one-to-one function of a field (ntohl(src) + 1, with carries):
** the solver shows equal keys mean equal addresses.
** Expected verdict: shared-nothing, sharded by ipv4.src.
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

static const struct nf_param offset_params[] = {
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("offset", "test: per source packet counter keyed by the address plus one",
    NF_PORTS("lan", "wan"), offset_params);

struct offset {
	struct map *subnets;	/* ntohl(source) + 1 -> index */
	struct vector *keys;	/* uint32_t subnet per index, for expiry */
	struct vector *counts;	/* uint64_t packets per index */
	struct dchain *chain;
};

void *
nf_init(struct nf_env *env)
{
	struct offset *st = nf_alloc(env, sizeof *st);

	if (!st)
		return NULL;
	st->subnets = map_new(env, "sources", sizeof(uint32_t), CAPACITY);
	st->keys = vector_new(env, "sources.keys", sizeof(uint32_t), CAPACITY);
	st->counts = vector_new(env, "sources.count", sizeof(uint64_t), CAPACITY);
	st->chain = dchain_new(env, "sources.chain", CAPACITY);
	return nf_env_ok(env) ? st : NULL;
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	struct offset *st = state;
	uint64_t before = now_ns > EXPIRY_NS ? now_ns - EXPIRY_NS : 0;
	uint32_t key, index;
	uint64_t *count;
	struct pkt p;

	expire_items(st->chain, st->subnets, st->keys, before);
	if (port == PORT_LAN)
		return PORT_WAN;
	if (pkt_parse(pkt, len, &p) < PKT_L3)
		return NF_DROP;
	key = ntohl(p.ip->src) + 1;
	if (map_get(st->subnets, &key, &index)) {
		dchain_rejuvenate(st->chain, index, now_ns);
	} else {
		if (!dchain_allocate(st->chain, now_ns, &index))
			return PORT_LAN;	/* table full: counted nowhere */
		*(uint32_t *)vector_mut(st->keys, index) = key;
		*(uint64_t *)vector_mut(st->counts, index) = 0;
		map_put(st->subnets, &key, index);
	}
	count = vector_mut(st->counts, index);
	*count += 1;
	return PORT_LAN;
}
