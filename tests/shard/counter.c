/*
** counter: counts every IPv4 packet arriving on wan in one global record (vector index 0).
** Rule exercised: state reached with a constant key is global to all flows.
** Expected verdict: locks (global state).
*/

#include "nf.h"
#include "packet.h"
#include "vector.h"

enum { PORT_LAN, PORT_WAN };

static const struct nf_param counter_params[] = {
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("counter", "test: one global counter of wan IPv4 packets",
    NF_PORTS("lan", "wan"), counter_params);

struct counter {
	struct vector *count;	/* one uint64_t record */
};

void *
nf_init(struct nf_env *env)
{
	struct counter *st = nf_alloc(env, sizeof *st);

	if (!st)
		return NULL;
	/* NF_FULL: the single record is the whole state, not a share of it. */
	st->count = vector_new(env, "count", sizeof(uint64_t), NF_FULL(1));
	return nf_env_ok(env) ? st : NULL;
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	struct counter *st = state;
	uint64_t *n;
	struct pkt p;

	(void)now_ns;	/* no expiry: time does not matter */
	if (port == PORT_LAN)
		return PORT_WAN;
	if (pkt_parse(pkt, len, &p) < PKT_L3)
		return NF_DROP;
	n = vector_mut(st->count, 0);
	*n += 1;
	return PORT_LAN;
}
