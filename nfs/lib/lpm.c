/*
** A trie of 256-slot nodes, one level per address byte. A prefix of length len lives in the
** node at level (len - 1) / 8 (level 0 for /0) reached by its first bytes, in the slots it
** covers there: 2^(8 - l) of them, l = len - 8 * level (one slot at /8, /16, /24 and /32; all 256
** at /0). Each slot keeps
** the longest prefix of its level that covers it (value and length), so the order of lpm_add
** calls does not matter, and a link to the next level. A lookup keeps the last match on its way
** down: deeper levels hold longer prefixes.
**
** Which prefixes exist (for the capacity count and replacing) is a bitmap per node: the 510
** prefixes of lengths 1..8 within a node's byte, heap-numbered from 1, and bit 0 for /0 at the
** root.
*/

#include "lpm.h"

#include "hook.h"

#define LPM_MAX_CAP	(1u << 20)

struct lpm_slot {
	uint32_t value;
	uint32_t child : 24;	/* node index of the next level; 0: none (the root is nobody's) */
	uint32_t len1 : 8;	/* 0: no prefix; else its length + 1 */
};

struct lpm_node {
	struct lpm_slot slots[256];
	uint64_t present[8];	/* bit (1 << l) - 1 + (byte >> (8 - l)): an l-bit prefix here */
};

struct lpm {
	struct nf_env *env;
	const char *name;
	struct lpm_node *nodes;
	uint32_t n_nodes, max_nodes;
	uint32_t n_prefixes, capacity;
};

struct lpm *
lpm_new(struct nf_env *env, const char *name, uint32_t capacity)
{
	const char *stored = nf_env_name(env, name);
	struct lpm *t;

	if (!stored)
		return NULL;
	/* Never split by the capacity share: every core needs every route. */
	capacity &= 0x7fffffffu;	/* NF_FULL means nothing more here */
	if (capacity < 1 || capacity > LPM_MAX_CAP) {
		nf_env_fail(env, "lpm \"%s\": capacity %u is not in 1..%u", name, capacity,
		    LPM_MAX_CAP);
		return NULL;
	}
	t = nf_alloc(env, sizeof *t);
	if (!t)
		return NULL;
	t->env = env;
	t->name = stored;
	t->capacity = capacity;
	/* Each prefix adds at most three nodes below the root. */
	t->max_nodes = 1 + 3 * capacity;
	t->n_nodes = 1;
	t->nodes = nf_alloc(env, (size_t)t->max_nodes * sizeof *t->nodes);
	return t->nodes ? t : NULL;
}

/* lpm_add past the call hook. */
static int
add(struct lpm *t, uint32_t prefix, uint8_t len, uint32_t value)
{
	struct lpm_node *node;
	struct lpm_slot *s;
	unsigned level, depth, l, byte, bit, i, n;

	if (len > 32)
		return -1;
	if (len < 32)
		prefix &= len ? ~(UINT32_MAX >> len) : 0;
	level = len ? (len - 1u) / 8 : 0;
	/* Enough nodes for the path: checked before touching anything. */
	node = t->nodes;
	for (depth = 0, n = 0; depth < level; depth++) {
		s = &node->slots[(prefix >> (24 - 8 * depth)) & 0xff];
		if (!s->child) {
			n = level - depth;
			break;
		}
		node = &t->nodes[s->child];
	}
	if (t->n_nodes + n > t->max_nodes)
		return -1;
	node = t->nodes;
	for (depth = 0; depth < level; depth++) {
		s = &node->slots[(prefix >> (24 - 8 * depth)) & 0xff];
		if (!s->child)
			s->child = t->n_nodes++ & 0xffffffu;
		node = &t->nodes[s->child];
	}
	byte = (prefix >> (24 - 8 * level)) & 0xff;
	l = len - 8 * level;	/* 1..8, or 0 for /0 */
	bit = l ? (1u << l) - 1 + (byte >> (8 - l)) : 0;
	if (!(node->present[bit / 64] >> (bit % 64) & 1)) {
		if (t->n_prefixes >= t->capacity)
			return -1;
		t->n_prefixes++;
		node->present[bit / 64] |= 1ull << (bit % 64);
	}
	for (i = byte; i < byte + (1u << (8 - l)); i++) {
		s = &node->slots[i];
		if (s->len1 <= len + 1u) {
			s->value = value;
			s->len1 = len + 1u;
		}
	}
	return 0;
}

int
lpm_add(struct lpm *t, uint32_t prefix, uint8_t len, uint32_t value)
{
	int rc;

	if (!t)
		return -1;
	rc = add(t, prefix, len, value);
	hook_call(t->env, "lpm_add", t->name, rc, NULL, 0);
	return rc;
}

int
lpm_lookup(struct lpm *t, uint32_t addr, uint32_t *value)
{
	const struct lpm_node *node;
	const struct lpm_slot *s;
	unsigned depth;
	int found = 0;

	if (!t)
		return 0;
	hook_trace_u32(t->env, t->name, addr, NF_OP_READ);
	node = t->nodes;
	for (depth = 0; depth < 4; depth++) {
		s = &node->slots[(addr >> (24 - 8 * depth)) & 0xff];
		if (s->len1) {
			*value = s->value;
			found = 1;
		}
		if (!s->child)
			break;
		node = &t->nodes[s->child];
	}
	if (found)
		hook_call_u32(t->env, "lpm_lookup", t->name, 1, *value);
	else
		hook_call(t->env, "lpm_lookup", t->name, 0, NULL, 0);
	return found;
}

uint32_t
lpm_size(const struct lpm *t)
{
	return t ? t->n_prefixes : 0;
}
