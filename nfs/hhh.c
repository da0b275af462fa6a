/*
** hhh: hierarchical heavy hitters, a policer of wan -> lan traffic by source prefix. For each
** prefix length in 'prefixes' (default 24,28,32: up to four, increasing) every source subnet of
** that length has a token bucket of frame bytes (Ethernet header included). A packet passes
** only when every level's bucket of its source holds enough for it, and then takes its length
** from every level; otherwise it is dropped and takes nothing. So a single heavy /32 is cut at
** the /32 budget, while its siblings go on until their common /28 (then /24) budget is spent.
** lan -> wan traffic is forwarded unchanged, whatever it is.
**
** Budgets: 'rate' (bytes per second) and 'burst' (bytes, the bucket size) are lists with one
** value per prefix, in the same order, or a single value for all levels. A new bucket starts
** full; tokens come back at exactly 'rate' (integer arithmetic in billionths of a byte). A bucket
** idle for 'expiry' seconds is forgotten; 'expiry' must be at least every level's refill time
** (burst / rate), so a forgotten bucket comes back full no sooner than it would have refilled.
** A burst smaller than a frame never lets that frame through.
**
** State per level, named after the prefix (here for /24): map "p24" (masked source IPv4 ->
** slot), "p24.keys", "p24.buckets" (tokens and time of the last refill), dchain "p24.chain".
**
** Config: prefixes, rate and burst (above), capacity (subnets per prefix length), expiry
** (seconds).
**
** Table full: a level whose table has no room for a new subnet does not police the packet; the
** other levels still do, and the coarser ones have far fewer subnets to hold.
**
** Edge cases on wan: every IPv4 packet with a whole header is policed by its source, whatever
** the protocol; fragments and packets with options included. Non-IPv4 packets, and IPv4 whose
** header is cut short, are forwarded unpoliced (hhh polices IPv4 sources only). Frames shorter
** than an Ethernet header are dropped.
*/

#include <string.h>

#include "dchain.h"
#include "expire.h"
#include "map.h"
#include "nf.h"
#include "packet.h"
#include "vector.h"

enum { PORT_LAN, PORT_WAN };

#define HHH_MAX_LEVELS	4
#define HHH_NANO	1000000000ull	/* tokens are counted in billionths of a byte */

struct hhh_bucket {
	uint64_t credit;	/* bytes * HHH_NANO */
	uint64_t last_ns;	/* when the credit was last brought up to date */
};

struct hhh_level {
	struct map *subnets;
	struct vector *keys;		/* uint32_t masked source per slot */
	struct vector *buckets;		/* struct hhh_bucket per slot */
	struct dchain *chain;
	uint32_t mask;			/* network order, as the source in the packet */
	uint64_t rate;			/* bytes per second = billionths of a byte per ns */
	uint64_t burst;			/* bytes * HHH_NANO */
	uint64_t fill_ns;		/* from empty to full: a longer idle time just fills */
};

struct hhh_state {
	unsigned n_levels;
	uint64_t expiry_ns;
	struct hhh_level level[HHH_MAX_LEVELS];
};

static const struct nf_param hhh_params[] = {
	{ "prefixes", "24,28,32", "source prefix lengths policed, increasing, up to four" },
	{ "rate", "12500000,3125000,1250000", "bytes per second per subnet (per prefix, or one)" },
	{ "burst", "1250000,312500,125000", "bucket size in bytes, one per prefix or one" },
	{ "capacity", "65536", "subnets tracked at once per prefix length" },
	{ "expiry", "60", "seconds an idle subnet's bucket is remembered" },
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("hhh", "hierarchical heavy hitters: token buckets per wan source prefix",
    NF_PORTS("lan", "wan"), hhh_params);

/* Parses 'key' as 1..HHH_MAX_LEVELS comma-separated numbers in [min, max] into 'out'; returns
** how many, or 0 after failing the instance. A hand loop: nf_init stays free of libc parsing. */
static unsigned
hhh_list(struct nf_env *env, const char *key, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *s = nf_config_str(env, key), *q = s;
	unsigned n = 0, digits;
	uint64_t v;

	if (!nf_env_ok(env))
		return 0;
	for (;;) {
		for (v = 0, digits = 0; *q >= '0' && *q <= '9'; q++, digits++) {
			if (digits < 19)
				v = v * 10 + (uint64_t)(*q - '0');
		}
		if (digits == 0 || (*q != ',' && *q != '\0')) {
			nf_env_fail(env, "%s=%s: expected numbers separated by commas, e.g. %s",
			    key, s, key[0] == 'p' ? "24,28,32" : "1000000");
			return 0;
		}
		if (digits >= 19 || v < min || v > max) {
			nf_env_fail(env, "%s=%s: each value must be in %llu..%llu", key, s,
			    (unsigned long long)min, (unsigned long long)max);
			return 0;
		}
		if (n == HHH_MAX_LEVELS) {
			nf_env_fail(env, "%s=%s: at most %d values", key, s, HHH_MAX_LEVELS);
			return 0;
		}
		out[n++] = v;
		if (*q == '\0')
			return n;
		q++;
	}
}

/* A rate or burst list gives one value per prefix, or one for all. */
static void
hhh_check_count(struct nf_env *env, const char *key, unsigned got, unsigned n)
{
	if (nf_env_ok(env) && got != 1 && got != n)
		nf_env_fail(env, "%s=%s: %u values for prefixes=%s (give one per prefix, or one "
		    "for all)", key, nf_config_str(env, key), got, nf_config_str(env, "prefixes"));
}

/* "p<len><suffix>" into 'buf' (NF_NAME_MAX bytes), e.g. "p24.buckets". */
static const char *
hhh_name(char *buf, unsigned len, const char *suffix)
{
	char *q = buf;

	*q++ = 'p';
	if (len >= 10)
		*q++ = (char)('0' + len / 10);
	*q++ = (char)('0' + len % 10);
	while (*suffix)
		*q++ = *suffix++;
	*q = '\0';
	return buf;
}

void *
nf_init(struct nf_env *env)
{
	struct hhh_state *st = nf_alloc(env, sizeof *st);
	uint64_t prefixes[HHH_MAX_LEVELS], rates[HHH_MAX_LEVELS], bursts[HHH_MAX_LEVELS];
	unsigned n, n_rates, n_bursts, i, plen;
	char name[NF_NAME_MAX];
	struct hhh_level *lv;
	uint32_t capacity;

	if (!st)
		return NULL;
	n = hhh_list(env, "prefixes", 1, 32, prefixes);
	for (i = 1; i < n && nf_env_ok(env); i++) {
		if (prefixes[i] <= prefixes[i - 1])
			nf_env_fail(env, "prefixes=%s: prefix lengths must increase, e.g. 24,28,32",
			    nf_config_str(env, "prefixes"));
	}
	n_rates = hhh_list(env, "rate", 1, 1000000000000ull, rates);
	n_bursts = hhh_list(env, "burst", 1, 1ull << 32, bursts);
	hhh_check_count(env, "rate", n_rates, n);
	hhh_check_count(env, "burst", n_bursts, n);
	capacity = (uint32_t)nf_config_uint(env, "capacity", 1, 1u << 24);
	st->expiry_ns = nf_config_uint(env, "expiry", 1, 1000000) * HHH_NANO;
	if (!nf_env_ok(env))
		return NULL;

	st->n_levels = n;
	for (i = 0; i < n; i++) {
		lv = &st->level[i];
		plen = (unsigned)prefixes[i];
		lv->mask = htonl(~0u << (32 - plen));
		lv->rate = rates[n_rates == 1 ? 0 : i];
		lv->burst = bursts[n_bursts == 1 ? 0 : i] * HHH_NANO;
		lv->fill_ns = (lv->burst + lv->rate - 1) / lv->rate;
		if (lv->fill_ns > st->expiry_ns) {
			nf_env_fail(env, "expiry=%s: shorter than the /%u refill time (burst / "
			    "rate = %llu s); raise expiry or the rate",
			    nf_config_str(env, "expiry"), plen,
			    (unsigned long long)((lv->fill_ns + HHH_NANO - 1) / HHH_NANO));
			return NULL;
		}
		lv->subnets = map_new(env, hhh_name(name, plen, ""), sizeof(uint32_t),
		    capacity);
		lv->keys = vector_new(env, hhh_name(name, plen, ".keys"), sizeof(uint32_t),
		    capacity);
		lv->buckets = vector_new(env, hhh_name(name, plen, ".buckets"),
		    sizeof(struct hhh_bucket), capacity);
		lv->chain = dchain_new(env, hhh_name(name, plen, ".chain"), capacity);
	}
	return nf_env_ok(env) ? st : NULL;
}

/* A bucket's credit brought up to 'now_ns'. Idle longer than the fill time just fills it, which
** also keeps elapsed * rate below burst: no overflow. Time going back adds nothing. Computed,
** not stored: refilling later from the same stamp gives the same credit, so a dropped packet
** writes no bucket. */
static uint64_t
hhh_credit(const struct hhh_level *lv, const struct hhh_bucket *b, uint64_t now_ns)
{
	uint64_t elapsed = now_ns > b->last_ns ? now_ns - b->last_ns : 0, credit;

	/* Minimums, not branches: the analysis then follows one path per level, not four.
	** fill_ns * rate >= burst, so a clamped idle time still fills the bucket. */
	elapsed = elapsed < lv->fill_ns ? elapsed : lv->fill_ns;
	credit = b->credit + elapsed * lv->rate;
	return credit < lv->burst ? credit : lv->burst;
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	struct hhh_state *st = state;
	uint64_t before = now_ns > st->expiry_ns ? now_ns - st->expiry_ns : 0;
	uint64_t cost = len * HHH_NANO;
	uint64_t credit[HHH_MAX_LEVELS];
	uint32_t slot[HHH_MAX_LEVELS], subnet;
	int held[HHH_MAX_LEVELS], enough = 1;
	struct hhh_level *lv;
	struct hhh_bucket *b;
	unsigned i;
	struct pkt p;

	for (i = 0; i < st->n_levels; i++) {
		lv = &st->level[i];
		expire_items(lv->chain, lv->subnets, lv->keys, before);
	}

	if (port == PORT_LAN)
		return PORT_WAN;
	if (port != PORT_WAN || pkt_parse(pkt, len, &p) == PKT_SHORT)
		return NF_DROP;
	if (p.level < PKT_L3)
		return PORT_LAN;	/* not IPv4: unpoliced */

	/* First every level's verdict, so a dropped packet takes nothing from any bucket. */
	for (i = 0; i < st->n_levels; i++) {
		lv = &st->level[i];
		subnet = p.ip->src & lv->mask;
		held[i] = 1;
		if (map_get(lv->subnets, &subnet, &slot[i])) {
			dchain_rejuvenate(lv->chain, slot[i], now_ns);
			credit[i] = hhh_credit(lv, vector_get(lv->buckets, slot[i]), now_ns);
		} else if (dchain_allocate(lv->chain, now_ns, &slot[i])) {
			map_put(lv->subnets, &subnet, slot[i]);
			*(uint32_t *)vector_mut(lv->keys, slot[i]) = subnet;
			b = vector_mut(lv->buckets, slot[i]);
			b->credit = credit[i] = lv->burst;
			b->last_ns = now_ns;
		} else {
			held[i] = 0;	/* table full: this level does not police */
			continue;
		}
		if (credit[i] < cost)
			enough = 0;
	}
	if (!enough)
		return NF_DROP;
	for (i = 0; i < st->n_levels; i++) {
		if (!held[i])
			continue;
		b = vector_mut(st->level[i].buckets, slot[i]);
		b->credit = credit[i] - cost;
		b->last_ns = now_ns > b->last_ns ? now_ns : b->last_ns;
	}
	return PORT_LAN;
}
