/*
** nop: a wire. Every packet that arrives on lan leaves on wan and every packet that arrives on
** wan leaves on lan, byte for byte unchanged.
**
** State: none. Config: none.
**
** Edge cases: nothing is parsed, so non-IPv4, non-TCP/UDP, fragments, IPv4 options and short
** or truncated packets (even 0 bytes) are all forwarded the same way, untouched.
*/

#include "nf.h"

enum { PORT_LAN, PORT_WAN };

static const struct nf_param nop_params[] = {
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("nop", "forwards lan <-> wan unchanged", NF_PORTS("lan", "wan"), nop_params);

void *
nf_init(struct nf_env *env)
{
	/* Nothing to remember; the host only needs a non-NULL state to mean "created". */
	void *st = nf_alloc(env, 1);

	return nf_env_ok(env) ? st : NULL;
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	return port == PORT_LAN ? PORT_WAN : PORT_LAN;
}
