/*
** cl: a connection limiter guarding lan. Each client (source IPv4) may open at most 'max_conns'
** new connections to one server (destination IPv4) within a window; further new connections of
** that pair are dropped, while packets of connections already open keep passing. lan -> wan
** traffic is forwarded unchanged, whatever it is.
**
** A connection is a 5-tuple (source and destination address and port, protocol; TCP and UDP
** alike, any TCP flags) seen on wan; it is remembered while packets keep coming and forgotten
** after 'expiry' idle seconds, when its next packet counts as a new connection. New connections
** are counted per (client, server) pair in a count-min sketch, which never undercounts and may
** overcount a little when pairs collide. The count drops back to zero once the pair has opened
** no connection for 'window' seconds (a counter goes to zero 'window' seconds after the last
** connection it counted); dropped attempts are not counted, so they do not extend the wait.
**
** State: the connection table (map "flows" 5-tuple -> slot, "flows.keys", dchain
** "flows.chain") and the sketch "clients" keyed by (source IPv4, destination IPv4).
**
** Config: capacity (connections), sketch_capacity (counters per sketch row), max_conns, window
** and expiry (seconds).
**
** Table full: a new connection that finds no room in the connection table is dropped (and not
** counted): cl admits only connections it can track.
**
** Edge cases on wan: non-IPv4 packets, IPv4 that is neither TCP nor UDP, and packets cut short
** inside the TCP/UDP header are forwarded untracked (they are not connections). IPv4 options
** are fine. A first fragment carries the ports and is judged like any packet; later fragments
** are forwarded untracked, as the receiver cannot reassemble them without the first. Frames
** shorter than an Ethernet header are dropped.
*/

#include <string.h>

#include "dchain.h"
#include "expire.h"
#include "map.h"
#include "nf.h"
#include "packet.h"
#include "sketch.h"
#include "vector.h"

enum { PORT_LAN, PORT_WAN };

/* Packet fields in network byte order, packed: the map and the sketch hash raw bytes. */
struct cl_flow_key {
	uint32_t src_ip;
	uint32_t dst_ip;
	uint16_t src_port;
	uint16_t dst_port;
	uint8_t proto;
} __attribute__((packed));

struct cl_pair_key {
	uint32_t src_ip;
	uint32_t dst_ip;
} __attribute__((packed));

struct cl_state {
	struct map *flows;
	struct vector *flow_keys;
	struct dchain *flow_chain;
	struct sketch *clients;
	uint64_t expiry_ns;
	uint64_t window_ns;
	uint32_t max_conns;
};

static const struct nf_param cl_params[] = {
	{ "capacity", "65536", "connections tracked at once" },
	{ "sketch_capacity", "65536", "counters per row of the count-min sketch" },
	{ "max_conns", "100", "new connections a client may open to one server in a window" },
	{ "window", "10", "seconds without a new connection after which a pair's count resets" },
	{ "expiry", "60", "seconds an idle connection is remembered" },
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("cl", "connection limiter: caps new wan connections per (client, server) pair",
    NF_PORTS("lan", "wan"), cl_params);

void *
nf_init(struct nf_env *env)
{
	struct cl_state *st = nf_alloc(env, sizeof *st);
	uint32_t capacity, sketch_capacity;

	if (!st)
		return NULL;
	capacity = (uint32_t)nf_config_uint(env, "capacity", 1, 1u << 24);
	sketch_capacity = (uint32_t)nf_config_uint(env, "sketch_capacity", 1, 1u << 24);
	st->max_conns = (uint32_t)nf_config_uint(env, "max_conns", 1, 1u << 30);
	st->window_ns = nf_config_uint(env, "window", 1, 1000000) * 1000000000ull;
	st->expiry_ns = nf_config_uint(env, "expiry", 1, 1000000) * 1000000000ull;
	if (!nf_env_ok(env))
		return NULL;

	st->flows = map_new(env, "flows", sizeof(struct cl_flow_key), capacity);
	st->flow_keys = vector_new(env, "flows.keys", sizeof(struct cl_flow_key), capacity);
	st->flow_chain = dchain_new(env, "flows.chain", capacity);
	st->clients = sketch_new(env, "clients", sizeof(struct cl_pair_key), sketch_capacity);
	return nf_env_ok(env) ? st : NULL;
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	struct cl_state *st = state;
	uint64_t before;
	struct cl_flow_key key;
	struct cl_pair_key pair;
	uint32_t flow;
	struct pkt p;

	before = now_ns > st->expiry_ns ? now_ns - st->expiry_ns : 0;
	expire_items(st->flow_chain, st->flows, st->flow_keys, before);
	before = now_ns > st->window_ns ? now_ns - st->window_ns : 0;
	sketch_expire(st->clients, before);

	if (port == PORT_LAN)
		return PORT_WAN;
	if (port != PORT_WAN || pkt_parse(pkt, len, &p) == PKT_SHORT)
		return NF_DROP;
	if (p.level < PKT_L4)
		return PORT_LAN;	/* not a connection: untracked */

	memset(&key, 0, sizeof key);
	key.src_ip = p.ip->src;
	key.dst_ip = p.ip->dst;
	key.src_port = pkt_sport(&p);
	key.dst_port = pkt_dport(&p);
	key.proto = p.proto;
	if (map_get(st->flows, &key, &flow)) {
		dchain_rejuvenate(st->flow_chain, flow, now_ns);
		return PORT_LAN;
	}

	memset(&pair, 0, sizeof pair);
	pair.src_ip = p.ip->src;
	pair.dst_ip = p.ip->dst;
	if (sketch_fetch(st->clients, &pair) >= st->max_conns)
		return NF_DROP;
	if (!dchain_allocate(st->flow_chain, now_ns, &flow))
		return NF_DROP;		/* table full */
	map_put(st->flows, &key, flow);
	memcpy(vector_mut(st->flow_keys, flow), &key, sizeof key);
	sketch_touch(st->clients, &pair, now_ns);
	return PORT_LAN;
}
