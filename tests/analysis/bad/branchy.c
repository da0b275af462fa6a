/*
** branchy: a pathological NF for the analysis limits (tests/e2e/limits.sh). Forty independent
** tests of packet bits, each deciding whether a byte is written: 2^40 paths, so the analysis
** must stop at its path or time limit and say which.
*/

#include "nf.h"

static const struct nf_param branchy_params[] = {
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("branchy", "2^40 paths: one per combination of 40 packet bits",
    NF_PORTS("lan", "wan"), branchy_params);

void *
nf_init(struct nf_env *env)
{
	void *st = nf_alloc(env, 1);

	return nf_env_ok(env) ? st : NULL;
}

/* A store on one side only: the compiler cannot turn it into a select, so each test is a
** branch of its own. */
#define BIT(i) \
	if (pkt[14 + (i) / 8] & (1u << ((i) % 8))) \
		pkt[54 + (i)] = (uint8_t)(i);

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	if (len < 94)
		return NF_DROP;
	BIT(0) BIT(1) BIT(2) BIT(3) BIT(4) BIT(5) BIT(6) BIT(7)
	BIT(8) BIT(9) BIT(10) BIT(11) BIT(12) BIT(13) BIT(14) BIT(15)
	BIT(16) BIT(17) BIT(18) BIT(19) BIT(20) BIT(21) BIT(22) BIT(23)
	BIT(24) BIT(25) BIT(26) BIT(27) BIT(28) BIT(29) BIT(30) BIT(31)
	BIT(32) BIT(33) BIT(34) BIT(35) BIT(36) BIT(37) BIT(38) BIT(39)
	return (int)(port ^ 1);
}
