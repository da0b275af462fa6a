/*
** stack: a pathological NF for the analysis limits (tests/e2e/limits.sh). A 1 MiB local array
** that every branch writes to: each path needs its own copy of it, so memory grows with the
** depth of the search, and the memory limit (or the time limit) must end it.
*/

#include <string.h>

#include "nf.h"

static const struct nf_param stack_params[] = {
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("stack", "marks a 1 MiB local array on 32 packet bits", NF_PORTS("lan", "wan"),
    stack_params);

void *
nf_init(struct nf_env *env)
{
	void *st = nf_alloc(env, 1);

	return nf_env_ok(env) ? st : NULL;
}

#define MARK(i) \
	if (pkt[14 + (i) / 8] & (1u << ((i) % 8))) \
		buf[(i) << 14] = (uint8_t)(i + 1);

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	uint8_t buf[1u << 20];

	memset(buf, 0, sizeof buf);
	MARK(0) MARK(1) MARK(2) MARK(3) MARK(4) MARK(5) MARK(6) MARK(7)
	MARK(8) MARK(9) MARK(10) MARK(11) MARK(12) MARK(13) MARK(14) MARK(15)
	MARK(16) MARK(17) MARK(18) MARK(19) MARK(20) MARK(21) MARK(22) MARK(23)
	MARK(24) MARK(25) MARK(26) MARK(27) MARK(28) MARK(29) MARK(30) MARK(31)
	/* Any mark may be read, so none of them is dead. */
	return buf[(pkt[20] & 31) << 14] ? NF_DROP : (int)(port ^ 1);
}
