/*
** spin: a pathological NF for the analysis limits (tests/e2e/limits.sh). A loop of a hundred
** million trips on concrete values: nothing forks, but the steps pile up, so the step limit
** (or the time limit) must end it.
*/

#include "nf.h"

static const struct nf_param spin_params[] = {
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("spin", "hashes a counter 10^8 times", NF_PORTS("lan", "wan"), spin_params);

void *
nf_init(struct nf_env *env)
{
	void *st = nf_alloc(env, 1);

	return nf_env_ok(env) ? st : NULL;
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	uint32_t h = 0;

	for (uint32_t i = 0; i < 100000000; i++)
		h = (h ^ i) * 0x01000193;
	return h == 7 ? NF_DROP : (int)(port ^ 1);
}
