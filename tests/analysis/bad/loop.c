/*
** loop: a pathological NF for the analysis limits (tests/e2e/limits.sh). Its loop runs as many
** times as a packet byte says, so every count is a path of its own, each longer than the last;
** the analysis must stop within its limits and name the loop's line.
*/

#include "nf.h"

static const struct nf_param loop_params[] = {
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("loop", "sums as many bytes as byte 14 says", NF_PORTS("lan", "wan"), loop_params);

void *
nf_init(struct nf_env *env)
{
	void *st = nf_alloc(env, 1);

	return nf_env_ok(env) ? st : NULL;
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	uint32_t sum = 0, n = (uint32_t)pkt[14] << 8 | pkt[15];

	for (uint32_t i = 0; i < n; i++)
		sum = sum * 31 + i;
	return sum == 7 ? NF_DROP : (int)(port ^ 1);
}
