/*
** The per-core-token lock: test-and-set spinning on 64-byte tokens.
*/

#include "rwlock.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_pause.h>

struct rwlock_token {
	uint32_t held;
} __rte_cache_aligned;

struct rwlock {
	struct rwlock_token writer;
	unsigned cores;
	struct rwlock_token token[];
};

struct rwlock *
rwlock_new(unsigned cores)
{
	size_t size = sizeof(struct rwlock) + (size_t)cores * sizeof(struct rwlock_token);
	struct rwlock *l;

	/* aligned_alloc wants a multiple of the alignment. */
	size = RTE_ALIGN_CEIL(size, RTE_CACHE_LINE_SIZE);
	l = aligned_alloc(RTE_CACHE_LINE_SIZE, size);
	if (!l)
		return NULL;
	memset(l, 0, size);
	l->cores = cores;
	return l;
}

void
rwlock_free(struct rwlock *l)
{
	free(l);
}

/* Test-and-test-and-set: spin on a plain load so a waiting core does not keep stealing the
** line from the holder. */
static void
token_take(struct rwlock_token *t)
{
	while (__atomic_exchange_n(&t->held, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&t->held, __ATOMIC_RELAXED))
			rte_pause();
	}
}

static void
token_give(struct rwlock_token *t)
{
	__atomic_store_n(&t->held, 0, __ATOMIC_RELEASE);
}

void
rwlock_read_lock(struct rwlock *l, unsigned core)
{
	token_take(&l->token[core]);
}

void
rwlock_read_unlock(struct rwlock *l, unsigned core)
{
	token_give(&l->token[core]);
}

void
rwlock_write_lock(struct rwlock *l)
{
	unsigned k;

	token_take(&l->writer);
	for (k = 0; k < l->cores; k++)
		token_take(&l->token[k]);
}

void
rwlock_write_unlock(struct rwlock *l)
{
	unsigned k;

	for (k = 0; k < l->cores; k++)
		token_give(&l->token[k]);
	token_give(&l->writer);
}
