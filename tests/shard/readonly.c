/*
** readonly: drops wan packets to one configured IPv4 destination, held in a map filled in nf_init.
** Rule exercised: state written only at start-up and only read per packet.
** Expected verdict: shared-nothing, the map replicated on every core.
*/

#include "map.h"
#include "nf.h"
#include "packet.h"

enum { PORT_LAN, PORT_WAN };

static const struct nf_param readonly_params[] = {
	{ "blocked", "10.0.0.1", "IPv4 destination whose packets from wan are dropped" },
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("readonly", "test: drops wan packets to a static blocked destination",
    NF_PORTS("lan", "wan"), readonly_params);

struct readonly {
	struct map *blocked;	/* IPv4 destination (network order) -> 1 */
};

void *
nf_init(struct nf_env *env)
{
	struct readonly *st = nf_alloc(env, sizeof *st);
	uint32_t addr = htonl(nf_config_ipv4(env, "blocked"));

	if (!nf_env_ok(env))
		return NULL;
	/* NF_FULL: a static table, which every core needs whole. */
	st->blocked = map_new(env, "blocked", sizeof(uint32_t), NF_FULL(1));
	if (st->blocked && map_put(st->blocked, &addr, 1) < 0)
		nf_env_fail(env, "blocked: the table is full");
	return nf_env_ok(env) ? st : NULL;
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	struct readonly *st = state;
	uint32_t dst, found;
	struct pkt p;

	(void)now_ns;	/* no expiry: time does not matter */
	if (port == PORT_LAN)
		return PORT_WAN;
	if (pkt_parse(pkt, len, &p) < PKT_L3)
		return PORT_LAN;	/* no IPv4 destination to judge */
	dst = p.ip->dst;
	if (map_get(st->blocked, &dst, &found))
		return NF_DROP;
	return PORT_LAN;
}
