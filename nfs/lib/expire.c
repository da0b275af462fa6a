/*
** expire_items on top of the public calls, so the traced build reports exactly what they
** report: per expired entry, the dchain's WRITE of the index, then the map's WRITE of the key.
** Those inner calls do not report to the call hook: the NF made one call, expire_items.
** The locked build asks for both writes before touching anything, and only when something is
** old enough; the inner calls then ask again, which a host holding the write lock allows.
*/

#include "expire.h"

#include "hook.h"

/* expire_items past the call hook. */
static uint32_t
expire(struct dchain *chain, struct map *map, struct vector *keys_vector, uint64_t before_ns)
{
	const void *key;
	uint32_t n = 0, i;

	if (!dchain_expire_due(chain, before_ns))
		return 0;
	if (dchain_ask(chain) || (map && map_ask(map)))
		return 0;
	while (dchain_expire_one(chain, before_ns, &i)) {
		n++;
		if (!map)
			continue;
		/* NULL (counted as misuse) when the vector cannot hold the map's keys. */
		key = vector_record(keys_vector, i, map_key_size(map));
		if (key)
			map_erase(map, key);
	}
	return n;
}

uint32_t
expire_items(struct dchain *chain, struct map *map, struct vector *keys_vector,
    uint64_t before_ns)
{
	struct nf_env *env;
	uint32_t n;

	if (!chain)
		return 0;
	env = dchain_env(chain);
	hook_inner_begin(env);
	n = expire(chain, map, keys_vector, before_ns);
	hook_inner_end(env);
	hook_call_u32(env, "expire_items", dchain_name(chain), n, n);
	return n;
}
