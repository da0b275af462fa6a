/*
** slow: a pathological NF for the analysis limits (tests/e2e/limits.sh). Its branches test
** products and quotients of 64-bit packet words (a toy multiplicative hash): each is a hard
** question for the solver, which it may give up on (both sides are then kept), so the time
** limit must hold inside and between slow solver calls, not only between steps.
*/

#include "nf.h"

static const struct nf_param slow_params[] = {
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("slow", "branches on a multiplicative hash of the packet", NF_PORTS("lan", "wan"),
    slow_params);

void *
nf_init(struct nf_env *env)
{
	void *st = nf_alloc(env, 1);

	return nf_env_ok(env) ? st : NULL;
}

static uint64_t
word(const uint8_t *p)
{
	return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
	       (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
	       (uint64_t)p[6] << 8 | p[7];
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	uint64_t a, b, c, d, h;

	if (len < 62)
		return NF_DROP;
	a = word(pkt + 14), b = word(pkt + 22), c = word(pkt + 30), d = word(pkt + 38);
	h = a * b + c;

	/* Each test marks a byte, so it stays a branch (a select would leave nothing to fork). */
	for (unsigned i = 0; i < 16; i++) {
		h = (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ull / ((d >> i) | 3);
		if (h % 0x1000193 == a * d)
			pkt[46 + i] = 1;
	}
	return (int)(port ^ 1);
}
