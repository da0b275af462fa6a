/*
** table: a pathological NF for the analysis limits (tests/e2e/limits.sh). A 64 MiB constant
** table indexed by packet bytes: the analysis would need a cell per byte of it, so it must say
** it cannot model it, at once and without taking the memory.
*/

#include "nf.h"

static const struct nf_param table_params[] = {
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("table", "looks packets up in a 64 MiB constant table", NF_PORTS("lan", "wan"),
    table_params);

static const uint8_t verdicts[64u << 20] = { 1, 2, 3 };

void *
nf_init(struct nf_env *env)
{
	void *st = nf_alloc(env, 1);

	return nf_env_ok(env) ? st : NULL;
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	uint32_t i = (uint32_t)pkt[14] << 18 | (uint32_t)pkt[15] << 10 | pkt[16];

	return verdicts[i] == 1 ? NF_DROP : (int)(port ^ 1);
}
