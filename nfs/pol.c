/*
** pol: a policer. Traffic from wan to lan is limited per destination IPv4 address by a token
** bucket: each destination may receive 'rate' bytes per second on average and bursts of up to
** 'burst' bytes. A packet passes when its destination's bucket holds at least as many tokens as
** the packet has bytes (the whole Ethernet frame, 'len'), and then takes them; otherwise it is
** dropped and takes nothing. Buckets refill continuously at 'rate' up to 'burst'. Traffic from
** lan to wan is forwarded untouched and not counted.
**
** A destination's bucket is created full on its first packet and forgotten after 'expiry'
** seconds without packets. Since a bucket refills completely in burst/rate seconds, the
** configuration must have expiry >= burst/rate, so forgetting a bucket never hands out tokens
** it would not have had anyway. When every bucket is in use, packets to new destinations are
** dropped (the policer fails closed: a flood of new addresses cannot get around it).
**
** Token arithmetic is exact integer math: tokens are counted in billionths of a byte, so a
** refill is elapsed_ns * rate with no rounding. Elapsed time is capped at the time a bucket
** takes to fill from empty, which with the configuration limits (rate <= 10^12 B/s, burst <=
** 10^9 B) keeps every product below 2^63.
**
** State: "dsts", a map from destination IPv4 address (4 bytes, network order) to a bucket;
** "keys", the address of each bucket (for expiry); "buckets", the tokens of each bucket and
** when they were last counted; "ages", the bucket allocator that remembers when each was used.
**
** Config: rate (bytes/s), burst (bytes), capacity (buckets at once), expiry (seconds).
**
** Edge cases, on wan (lan is never looked at): only the IPv4 header is needed, so non-TCP/UDP
** IPv4, fragments (every fragment counts) and packets with IPv4 options are policed by their
** destination like any other. Non-IPv4 and IPv4 cut short (no whole IPv4 header) are dropped:
** their destination cannot be policed, and passing them would open a way around the policer.
*/

#include "dchain.h"
#include "expire.h"
#include "map.h"
#include "nf.h"
#include "packet.h"
#include "vector.h"

enum { PORT_LAN, PORT_WAN };

#define NS_PER_SEC 1000000000ull

static const struct nf_param pol_params[] = {
	{ "rate", "1000000", "bytes per second each destination may receive (1..10^12)" },
	{ "burst", "100000", "bytes a destination may receive at once (1..10^9)" },
	{ "capacity", "65536", "destinations policed at once" },
	{ "expiry", "10", "seconds an idle destination's bucket is remembered (>= burst/rate)" },
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("pol", "per destination IPv4 token bucket on wan -> lan; lan -> wan forwarded",
    NF_PORTS("lan", "wan"), pol_params);

struct dst_key {
	uint32_t addr;		/* network order */
} __attribute__((packed));

struct bucket {
	uint64_t tokens;	/* billionths of a byte, <= burst * 10^9 */
	uint64_t time_ns;	/* when 'tokens' was last brought up to date */
};

struct pol {
	struct map *dsts;	/* destination -> bucket index */
	struct vector *keys;	/* bucket index -> destination */
	struct vector *buckets;
	struct dchain *ages;
	uint64_t rate;		/* bytes per second = billionths of a byte per ns */
	uint64_t full;		/* burst in billionths of a byte */
	uint64_t fill_ns;	/* an empty bucket is full after this long */
	uint64_t expiry_ns;
};

void *
nf_init(struct nf_env *env)
{
	struct pol *st = nf_alloc(env, sizeof *st);
	uint64_t rate = nf_config_uint(env, "rate", 1, 1000000000000ull);
	uint64_t burst = nf_config_uint(env, "burst", 1, 1000000000ull);
	uint32_t cap = (uint32_t)nf_config_uint(env, "capacity", 1, 1u << 24);
	uint64_t expiry = nf_config_uint(env, "expiry", 1, UINT32_MAX);

	if (!nf_env_ok(env))
		return NULL;
	if (expiry < (burst + rate - 1) / rate) {
		nf_env_fail(env, "expiry=%llu is shorter than burst/rate (%llu/%llu s): a bucket "
		    "would be forgotten before it refilled", (unsigned long long)expiry,
		    (unsigned long long)burst, (unsigned long long)rate);
		return NULL;
	}
	st->rate = rate;
	st->full = burst * NS_PER_SEC;
	st->fill_ns = (st->full + rate - 1) / rate;
	st->expiry_ns = expiry * NS_PER_SEC;
	st->dsts = map_new(env, "dsts", sizeof(struct dst_key), cap);
	st->keys = vector_new(env, "keys", sizeof(struct dst_key), cap);
	st->buckets = vector_new(env, "buckets", sizeof(struct bucket), cap);
	st->ages = dchain_new(env, "ages", cap);
	return nf_env_ok(env) ? st : NULL;
}

/* Brings bucket 'b' up to 'now_ns' and takes 'len' bytes from it if it has them; 1 if it did. */
static int
take(const struct pol *st, struct bucket *b, uint16_t len, uint64_t now_ns)
{
	uint64_t need = (uint64_t)len * NS_PER_SEC;
	uint64_t elapsed = now_ns > b->time_ns ? now_ns - b->time_ns : 0;

	if (elapsed >= st->fill_ns) {
		b->tokens = st->full;
	} else {
		b->tokens += elapsed * st->rate;
		if (b->tokens > st->full)
			b->tokens = st->full;
	}
	b->time_ns = now_ns;
	if (b->tokens < need)
		return 0;
	b->tokens -= need;
	return 1;
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	struct pol *st = state;
	uint64_t before = now_ns > st->expiry_ns ? now_ns - st->expiry_ns : 0;
	struct dst_key key;
	struct dst_key *k;
	struct bucket *b;
	struct pkt p;
	uint32_t index;

	expire_items(st->ages, st->dsts, st->keys, before);
	if (port == PORT_LAN)
		return PORT_WAN;
	if (pkt_parse(pkt, len, &p) < PKT_L3)
		return NF_DROP;
	key.addr = p.ip->dst;
	if (map_get(st->dsts, &key, &index)) {
		dchain_rejuvenate(st->ages, index, now_ns);
	} else {
		if (!dchain_allocate(st->ages, now_ns, &index))
			return NF_DROP;
		k = vector_mut(st->keys, index);
		*k = key;
		b = vector_mut(st->buckets, index);
		b->tokens = st->full;
		b->time_ns = now_ns;
		/* Cannot fail: the map has room for as many keys as the chain has indices. */
		map_put(st->dsts, &key, index);
	}
	b = vector_mut(st->buckets, index);
	return take(st, b, len, now_ns) ? PORT_LAN : NF_DROP;
}
