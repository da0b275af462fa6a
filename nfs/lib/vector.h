#ifndef NFS_LIB_VECTOR_H
#define NFS_LIB_VECTOR_H
/*
** vector: 'capacity' records of 'elem_size' bytes, zeroed in vector_new. Records are reached by
** index (typically one a dchain allocated). An index out of range is misuse: it is counted in
** env->misuse and the call returns a scratch record that is not part of the state, so an NF never
** touches memory outside its objects. On a NULL vector (nf_init failed) both calls return NULL.
*/

#include "nf.h"

struct vector;

struct vector *vector_new(struct nf_env *env, const char *name, uint32_t elem_size,
    uint32_t capacity);
/* Read: the record at 'index', valid until the next call on this vector. Do not write through it. */
const void *vector_get(struct vector *v, uint32_t index);
/* Write: the record at 'index' for reading and writing, valid until the next call on this vector.
** Locked build: when the write is refused (and nf_env_abort returns), a zeroed scratch record
** that is not part of the state. */
void *vector_mut(struct vector *v, uint32_t index);
uint32_t vector_capacity(const struct vector *v);

/* ---- for the state library (expire_items): not traced, never asks for a write ---- */

/* The record at 'index' when it is in range and holds at least 'size' bytes, else NULL (and
** counted as misuse). */
const void *vector_record(struct vector *v, uint32_t index, uint32_t size);

#endif
