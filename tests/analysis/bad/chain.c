/*
** chain: a pathological NF for the analysis limits (tests/e2e/limits.sh). It walks a chain of
** headers, each saying how long it is and whether another follows (as IPv6 extension headers
** do), up to the end of the packet: the number of headers is up to the packet, so the paths
** go on as long as the packet does.
*/

#include "nf.h"

static const struct nf_param chain_params[] = {
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("chain", "walks a chain of headers to its end", NF_PORTS("lan", "wan"),
    chain_params);

void *
nf_init(struct nf_env *env)
{
	void *st = nf_alloc(env, 1);

	return nf_env_ok(env) ? st : NULL;
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	uint32_t off = 14, hops = 0;

	/* pkt[off]: another header follows; pkt[off + 1]: this one's length in 2-byte words */
	while (off + 2 <= len && pkt[off] != 0) {
		off += 2 + 2u * pkt[off + 1];
		hops++;
	}
	return hops > 3 ? NF_DROP : (int)(port ^ 1);
}
