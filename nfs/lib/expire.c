/*
** expire_items on top of the public calls, so the traced build reports exactly what they
** report: per expired entry, the dchain's WRITE of the index, then the map's WRITE of the key.
** The locked build asks for both writes before touching anything, and only when something is
** old enough; the inner calls then ask again, which a host holding the write lock allows.
*/

#include "expire.h"

uint32_t
expire_items(struct dchain *chain, struct map *map, struct vector *keys_vector,
    uint64_t before_ns)
{
	const void *key;
	uint32_t n = 0, i;

	if (!chain || !dchain_expire_due(chain, before_ns))
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
