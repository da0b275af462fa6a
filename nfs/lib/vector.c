/*
** One zeroed block of capacity * elem_size bytes, plus a scratch record outside the state for
** calls that must not touch it (an index out of range; a write refused in the locked build).
*/

#include "vector.h"

#include <string.h>

#include "hook.h"

#define VECTOR_MAX_BYTES	(1ull << 32)

struct vector {
	struct nf_env *env;
	const char *name;
	unsigned char *data;
	unsigned char *scratch;	/* elem_size bytes, never part of the state */
	uint32_t elem_size;
	uint32_t capacity;
};

struct vector *
vector_new(struct nf_env *env, const char *name, uint32_t elem_size, uint32_t capacity)
{
	const char *stored = nf_env_name(env, name);
	struct vector *v;

	if (!stored)
		return NULL;
	capacity = nf_env_capacity(env, capacity);
	if (elem_size < 1 || capacity < 1 ||
	    (uint64_t)elem_size * capacity > VECTOR_MAX_BYTES) {
		nf_env_fail(env, "vector \"%s\": %u records of %u bytes (1 or more of 1 or more, "
		    "at most 4 GiB)", name, capacity, elem_size);
		return NULL;
	}
	v = nf_alloc(env, sizeof *v);
	if (!v)
		return NULL;
	v->env = env;
	v->name = stored;
	v->elem_size = elem_size;
	v->capacity = capacity;
	v->data = nf_alloc(env, (size_t)elem_size * capacity);
	v->scratch = nf_alloc(env, elem_size);
	return v->data && v->scratch ? v : NULL;
}

/* The scratch record, zeroed so what a bad call sees does not depend on earlier calls. */
static void *
scratch(struct vector *v)
{
	memset(v->scratch, 0, v->elem_size);
	return v->scratch;
}

/* The record at 'index', or the scratch one (counted as misuse) when out of range. */
static inline unsigned char *
record(struct vector *v, uint32_t index)
{
	if (index >= v->capacity) {
		v->env->misuse++;
		return scratch(v);
	}
	return v->data + (size_t)index * v->elem_size;
}

const void *
vector_get(struct vector *v, uint32_t index)
{
	unsigned char *r;

	if (!v)
		return NULL;
	hook_trace_u32(v->env, v->name, index, NF_OP_READ);
	r = record(v, index);
	hook_call(v->env, "vector_get", v->name, 0, r, v->elem_size);
	return r;
}

void *
vector_mut(struct vector *v, uint32_t index)
{
	unsigned char *r;

	if (!v)
		return NULL;
	hook_trace_u32(v->env, v->name, index, NF_OP_WRITE);
	if (hook_ask(v->env, v->name))
		return scratch(v);
	r = record(v, index);
	hook_call(v->env, "vector_mut", v->name, 0, r, v->elem_size);
	return r;
}

uint32_t
vector_capacity(const struct vector *v)
{
	return v ? v->capacity : 0;
}

const void *
vector_record(struct vector *v, uint32_t index, uint32_t size)
{
	if (!v)
		return NULL;
	if (index >= v->capacity || size > v->elem_size) {
		v->env->misuse++;
		return NULL;
	}
	return v->data + (size_t)index * v->elem_size;
}
