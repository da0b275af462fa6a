/*
** bigstate: a pathological NF for the analysis limits (tests/e2e/limits.sh). Its state-library
** objects are as big as the library allows (a map of 2^24 64-byte keys, a vector of 2^18
** 4 KiB records): the analysis models them by their calls, not their bytes, so it must finish
** quickly and in little memory.
*/

#include "map.h"
#include "nf.h"
#include "vector.h"

static const struct nf_param bigstate_params[] = {
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("bigstate", "a 2^24-entry map and a 1 GiB vector", NF_PORTS("lan", "wan"),
    bigstate_params);

struct bigstate {
	struct map *keys;
	struct vector *records;
};

void *
nf_init(struct nf_env *env)
{
	struct bigstate *st = nf_alloc(env, sizeof *st);

	if (!nf_env_ok(env))
		return NULL;
	st->keys = map_new(env, "keys", 64, 1u << 24);
	st->records = vector_new(env, "records", 4096, 1u << 18);
	return nf_env_ok(env) ? st : NULL;
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	struct bigstate *st = state;
	uint32_t slot;
	const uint8_t *rec;

	if (len < 78 || !map_get(st->keys, pkt + 14, &slot))
		return NF_DROP;
	rec = vector_get(st->records, slot & ((1u << 18) - 1));
	return rec[(pkt[15] & 31) * 128] ? (int)(port ^ 1) : NF_DROP;
}
