#ifndef NFS_LIB_EXPIRE_H
#define NFS_LIB_EXPIRE_H
/*
** The expiry helper: the usual "flow table" triple is a map (key -> index), a vector of keys (the
** key of each index) and a dchain (which indices live, and since when). expire_items removes
** every entry older than 'before_ns' from all three.
*/

#include "dchain.h"
#include "map.h"
#include "vector.h"

/* Write. For each index the chain expires, erases keys_vector[index] from 'map' (when map is not
** NULL; the vector's records must be the map's keys) and frees the index. Returns how many.
** Traced build: per expired entry, the dchain's WRITE of the index, then the map's WRITE of the
** key (the vector read is not reported); nothing when nothing is old enough. The call hook hears
** one expire_items with the count, never the calls inside it. Locked build: asks
** for the writes of the chain and the map only when something is old enough. */
uint32_t expire_items(struct dchain *chain, struct map *map, struct vector *keys_vector,
    uint64_t before_ns);

#endif
