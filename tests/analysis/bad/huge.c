/*
** huge: a pathological NF for the analysis limits (tests/e2e/limits.sh). Its state struct has a
** 256 MiB array in it and nf_process copies a 64 KiB struct by value: the analysis must either
** finish quickly or fail with a clear message, without taking the machine's memory.
*/

#include "nf.h"

static const struct nf_param huge_params[] = {
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("huge", "a 256 MiB state struct", NF_PORTS("lan", "wan"), huge_params);

struct huge {
	uint32_t count;
	uint8_t table[256u << 20];
};

struct blob {
	uint8_t b[65536];
};

void *
nf_init(struct nf_env *env)
{
	struct huge *st = nf_alloc(env, sizeof *st);

	if (st)
		st->count = 1;
	return nf_env_ok(env) ? st : NULL;
}

static int
pick(struct blob b, uint8_t k)
{
	return b.b[k] & 1;
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	struct huge *st = state;
	struct blob b;

	for (uint32_t i = 0; i < sizeof b.b; i++)
		b.b[i] = (uint8_t)i;
	if (st->table[pkt[14]] != 0)
		return NF_DROP;
	return pick(b, pkt[15]) ? NF_DROP : (int)(port ^ 1);
}
