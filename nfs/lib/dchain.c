/*
** The index allocator and its age order.
**
** Allocation state (shared by all cores): a flag per index, the count of indices never used
** ('fresh': 0 .. fresh-1 have been handed out at least once) and a stack of freed indices.
** dchain_allocate takes 'fresh' while it is below the capacity, then the top of the stack, so
** the order is deterministic: 0, 1, 2, ... then the most recently freed.
**
** Age order: per index a timestamp and a place in a doubly linked list, oldest at the head,
** kept in arrays (cell 'capacity' is the list's head), so every call is O(1). Allocate and
** rejuvenate move the index to the tail; the list is in the order of those calls, not of the
** stamps, and expiry looks only at the head, so a stamp that goes backwards makes its index
** expire late, never early. The 'next' links are stored plus one, so the zeroes calloc gives
** read as "in no list" and a new dchain touches no page of its cells until they are used.
**
** Locked build (env->n_cores cores share one dchain under a readers-writer lock; the other
** builds have one core):
**  - the allocation state changes only in allocate and free, which are writes (they ask the
**    write hook first);
**  - each core has its own copy of the timestamps and list, and hooks.core says whose copy a
**    call uses. allocate stamps the index on the calling core's list only; rejuvenate (an
**    update, never a write) restamps it on the calling core's list, appending it there when
**    absent. So readers on different cores never write the same memory;
**  - free removes the index from every core's list (it holds the write lock, so this is safe);
**  - dchain_expire_one on core c looks at the head of c's list. When it is older than
**    'before_ns' the call asks for the write; then, if another core holds a stamp of the index
**    at or after 'before_ns', the index is only dropped from c's list (that core will expire it
**    when it gets old there) and the next candidate is looked at; else it is freed everywhere.
**    When nothing on c's list is old, nothing is asked, so read-mostly traffic keeps the read
**    lock.
*/

#include "dchain.h"

#include "hook.h"

#define DCHAIN_MAX_CAP	(1u << 28)
#define DCHAIN_MAX_CORES	1024

struct dchain_cell {
	uint64_t stamp;
	uint32_t prev;
	uint32_t next1;		/* the next cell + 1; 0: not in the list */
};

struct dchain {
	struct nf_env *env;
	const char *name;
	uint8_t *allocated;	/* per index */
	uint32_t *freed;	/* stack of freed indices, the most recent on top */
	uint32_t n_freed;
	uint32_t fresh;		/* indices never handed out: fresh .. capacity-1 */
	uint32_t n_allocated;
	uint32_t capacity;
	unsigned n_cores;
	struct dchain_cell *cells;	/* n_cores lists of capacity + 1 cells (the last: the head) */
};

struct dchain *
dchain_new(struct nf_env *env, const char *name, uint32_t capacity)
{
	const char *stored = nf_env_name(env, name);
	struct dchain_cell *cells;
	struct dchain *c;
	unsigned k;

	if (!stored)
		return NULL;
	capacity = nf_env_capacity(env, capacity);
	if (capacity < 1 || capacity > DCHAIN_MAX_CAP) {
		nf_env_fail(env, "dchain \"%s\": capacity %u is not in 1..%u", name, capacity,
		    DCHAIN_MAX_CAP);
		return NULL;
	}
	if (hook_cores(env) > DCHAIN_MAX_CORES) {
		nf_env_fail(env, "dchain \"%s\": %u cores, at most %u", name, hook_cores(env),
		    DCHAIN_MAX_CORES);
		return NULL;
	}
	c = nf_alloc(env, sizeof *c);
	if (!c)
		return NULL;
	c->env = env;
	c->name = stored;
	c->capacity = capacity;
	c->n_cores = hook_cores(env);
	c->allocated = nf_alloc(env, capacity);
	c->freed = nf_alloc(env, (size_t)capacity * sizeof *c->freed);
	c->cells = nf_alloc(env, (size_t)c->n_cores * (capacity + 1) * sizeof *c->cells);
	if (!c->allocated || !c->freed || !c->cells)
		return NULL;
	for (k = 0; k < c->n_cores; k++) {
		cells = c->cells + (size_t)k * (capacity + 1);
		cells[capacity].prev = capacity;
		cells[capacity].next1 = capacity + 1;
	}
	return c;
}

/* The calling core's list. */
static inline struct dchain_cell *
core_cells(struct dchain *c)
{
	unsigned k = hook_core(c->env);

	if (k >= c->n_cores)	/* n_cores grew after dchain_new: a host bug */
		k = 0;
	return c->cells + (size_t)k * (c->capacity + 1);
}

static inline uint32_t
next_of(const struct dchain_cell *cells, uint32_t i)
{
	return cells[i].next1 - 1;
}

static inline void
unlink_cell(struct dchain_cell *cells, uint32_t i)
{
	uint32_t next = next_of(cells, i), prev = cells[i].prev;

	cells[prev].next1 = next + 1;
	cells[next].prev = prev;
	cells[i].next1 = 0;
}

static inline void
append_cell(struct dchain_cell *cells, uint32_t head, uint32_t i)
{
	uint32_t tail = cells[head].prev;

	cells[i].prev = tail;
	cells[i].next1 = head + 1;
	cells[tail].next1 = i + 1;
	cells[head].prev = i;
}

int
dchain_allocate(struct dchain *c, uint64_t now_ns, uint32_t *index)
{
	struct dchain_cell *cells;
	uint32_t i;

	if (!c)
		return 0;
	if (c->fresh < c->capacity) {
		i = c->fresh;
	} else if (c->n_freed) {
		i = c->freed[c->n_freed - 1];
	} else {
		/* Full: reported with no key, since no index is written. */
		if (!hook_write(c->env, c->name, NULL, 0))
			hook_call(c->env, "dchain_allocate", c->name, 0, NULL, 0);
		return 0;
	}
	hook_trace_u32(c->env, c->name, i, NF_OP_WRITE);
	if (hook_ask(c->env, c->name))
		return 0;
	if (i == c->fresh)
		c->fresh++;
	else
		c->n_freed--;
	c->allocated[i] = 1;
	c->n_allocated++;
	cells = core_cells(c);
	cells[i].stamp = now_ns;
	append_cell(cells, c->capacity, i);
	*index = i;
	hook_call_u32(c->env, "dchain_allocate", c->name, 1, i);
	return 1;
}

int
dchain_is_allocated(struct dchain *c, uint32_t index)
{
	int rc;

	if (!c)
		return 0;
	hook_trace_u32(c->env, c->name, index, NF_OP_READ);
	if (index >= c->capacity) {
		c->env->misuse++;
		rc = 0;
	} else {
		rc = c->allocated[index];
	}
	hook_call(c->env, "dchain_is_allocated", c->name, rc, NULL, 0);
	return rc;
}

/* dchain_rejuvenate past the hooks. */
static int
rejuvenate(struct dchain *c, uint32_t index, uint64_t now_ns)
{
	struct dchain_cell *cells;

	if (index >= c->capacity) {
		c->env->misuse++;
		return 0;
	}
	if (!c->allocated[index])
		return 0;
	cells = core_cells(c);
	cells[index].stamp = now_ns;
	if (cells[index].next1 != c->capacity + 1) {	/* not already the newest */
		if (cells[index].next1)
			unlink_cell(cells, index);
		append_cell(cells, c->capacity, index);
	}
	return 1;
}

int
dchain_rejuvenate(struct dchain *c, uint32_t index, uint64_t now_ns)
{
	int rc;

	if (!c)
		return 0;
	hook_trace_u32(c->env, c->name, index, NF_OP_UPDATE);
	rc = rejuvenate(c, index, now_ns);
	hook_call(c->env, "dchain_rejuvenate", c->name, rc, NULL, 0);
	return rc;
}

/* Frees an allocated index: out of every core's list, onto the freed stack. */
static void
release(struct dchain *c, uint32_t i)
{
	struct dchain_cell *cells;
	unsigned k;

	for (k = 0; k < c->n_cores; k++) {
		cells = c->cells + (size_t)k * (c->capacity + 1);
		if (cells[i].next1)
			unlink_cell(cells, i);
	}
	c->allocated[i] = 0;
	c->n_allocated--;
	c->freed[c->n_freed++] = i;
}

int
dchain_free(struct dchain *c, uint32_t index)
{
	if (!c)
		return 0;
	hook_trace_u32(c->env, c->name, index, NF_OP_WRITE);
	if (hook_ask(c->env, c->name))
		return 0;
	if (index >= c->capacity) {
		c->env->misuse++;
		hook_call(c->env, "dchain_free", c->name, 0, NULL, 0);
		return 0;
	}
	if (!c->allocated[index]) {
		hook_call(c->env, "dchain_free", c->name, 0, NULL, 0);
		return 0;
	}
	release(c, index);
	hook_call(c->env, "dchain_free", c->name, 1, NULL, 0);
	return 1;
}

/* Whether a core other than the one owning 'mine' stamped 'i' at or after 'before_ns'. */
static int
newer_elsewhere(const struct dchain *c, const struct dchain_cell *mine, uint32_t i,
    uint64_t before_ns)
{
	const struct dchain_cell *cells;
	unsigned k;

	for (k = 0; k < c->n_cores; k++) {
		cells = c->cells + (size_t)k * (c->capacity + 1);
		if (cells != mine && cells[i].next1 && cells[i].stamp >= before_ns)
			return 1;
	}
	return 0;
}

/* dchain_expire_one past the call hook: 1 and *index, or 0 (also when the write is refused). */
static int
expire_one(struct dchain *c, uint64_t before_ns, uint32_t *index)
{
	struct dchain_cell *cells;
	int asked = 0;
	uint32_t i;

	cells = core_cells(c);
	for (;;) {
		i = next_of(cells, c->capacity);
		if (i == c->capacity || cells[i].stamp >= before_ns)
			return 0;
		if (!asked) {
			if (hook_ask(c->env, c->name))
				return 0;
			asked = 1;
		}
		if (c->n_cores > 1 && newer_elsewhere(c, cells, i, before_ns)) {
			unlink_cell(cells, i);
			continue;
		}
		hook_trace_u32(c->env, c->name, i, NF_OP_WRITE);
		release(c, i);
		*index = i;
		return 1;
	}
}

int
dchain_expire_one(struct dchain *c, uint64_t before_ns, uint32_t *index)
{
	uint32_t i;

	if (!c)
		return 0;
	if (!expire_one(c, before_ns, &i)) {
		hook_call(c->env, "dchain_expire_one", c->name, 0, NULL, 0);
		return 0;
	}
	*index = i;
	hook_call_u32(c->env, "dchain_expire_one", c->name, 1, i);
	return 1;
}

uint32_t
dchain_allocated(const struct dchain *c)
{
	return c ? c->n_allocated : 0;
}

uint32_t
dchain_capacity(const struct dchain *c)
{
	return c ? c->capacity : 0;
}

int
dchain_expire_due(struct dchain *c, uint64_t before_ns)
{
	struct dchain_cell *cells;
	uint32_t i;

	if (!c)
		return 0;
	cells = core_cells(c);
	i = next_of(cells, c->capacity);
	return i != c->capacity && cells[i].stamp < before_ns;
}

int
dchain_ask(struct dchain *c)
{
	return c ? hook_ask(c->env, c->name) : 0;
}

struct nf_env *
dchain_env(const struct dchain *c)
{
	return c->env;
}

const char *
dchain_name(const struct dchain *c)
{
	return c->name;
}
