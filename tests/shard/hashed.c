/*
** hashed: on wan, remembers a non-linear hash of each IPv4 source in a map.
** Rule exercised: a key derived from packet fields by arithmetic no shard function can follow.
** Expected verdict: locks (derived key).
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

static const struct nf_param hashed_params[] = {
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("hashed", "test: wan sources remembered by a hash of the address",
    NF_PORTS("lan", "wan"), hashed_params);

struct hashed {
	struct map *map;	/* hash -> index */
	struct vector *keys;	/* uint32_t hash per index, for expiry */
	struct dchain *chain;
};

/* A multiply-xorshift mix: every output bit depends on every input bit. */
static uint32_t
mix(uint32_t h)
{
	h *= 0x9e3779b1u;
	h ^= h >> 15;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return h;
}

void *
nf_init(struct nf_env *env)
{
	struct hashed *st = nf_alloc(env, sizeof *st);

	if (!st)
		return NULL;
	st->map = map_new(env, "hashes", sizeof(uint32_t), CAPACITY);
	st->keys = vector_new(env, "hashes.keys", sizeof(uint32_t), CAPACITY);
	st->chain = dchain_new(env, "hashes.chain", CAPACITY);
	return nf_env_ok(env) ? st : NULL;
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	struct hashed *st = state;
	uint64_t before = now_ns > EXPIRY_NS ? now_ns - EXPIRY_NS : 0;
	uint32_t key, index;
	struct pkt p;

	expire_items(st->chain, st->map, st->keys, before);
	if (port == PORT_LAN)
		return PORT_WAN;
	if (pkt_parse(pkt, len, &p) < PKT_L3)
		return NF_DROP;
	key = mix(p.ip->src);
	if (map_get(st->map, &key, &index)) {
		dchain_rejuvenate(st->chain, index, now_ns);
		return PORT_LAN;
	}
	if (!dchain_allocate(st->chain, now_ns, &index))
		return PORT_LAN;	/* table full: untracked */
	*(uint32_t *)vector_mut(st->keys, index) = key;
	map_put(st->map, &key, index);
	return PORT_LAN;
}
