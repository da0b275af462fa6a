#include "engine/tracegen.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/clock.h"
#include "engine/htab.h"
#include "engine/rng.h"
#include "engine/sbuf.h"
#include "engine/xalloc.h"

/* ======================================================================================== */
/* Names, applicability, help                                                               */
/* ======================================================================================== */

static const char *const kind_names[] = { "uniform", "zipf", "bidir", "churn", NULL };

#define BIT(o) (1u << (o))
#define COMMON (BIT(TRACEGEN_OPT_KIND) | BIT(TRACEGEN_OPT_FLOWS) | BIT(TRACEGEN_OPT_SEED) | \
		BIT(TRACEGEN_OPT_SIZE) | BIT(TRACEGEN_OPT_PROTO) | BIT(TRACEGEN_OPT_PPS))

/* Which options each kind reads; setting any other is a mistake worth reporting. */
static const uint32_t kind_opts[] = {
	[TRACEGEN_UNIFORM] = COMMON | BIT(TRACEGEN_OPT_PACKETS),
	[TRACEGEN_ZIPF] = COMMON | BIT(TRACEGEN_OPT_PACKETS) | BIT(TRACEGEN_OPT_ZIPF),
	[TRACEGEN_BIDIR] = COMMON | BIT(TRACEGEN_OPT_PACKETS) | BIT(TRACEGEN_OPT_LAN) |
		BIT(TRACEGEN_OPT_CLIENTS) | BIT(TRACEGEN_OPT_SERVERS) | BIT(TRACEGEN_OPT_REPLY),
	[TRACEGEN_CHURN] = COMMON | BIT(TRACEGEN_OPT_RATE) | BIT(TRACEGEN_OPT_DURATION),
};

struct opt_info {
	const char *name;
	const char *help;
};

/* Indexed by enum tracegen_opt. */
static const struct opt_info opt_info[TRACEGEN_OPT_COUNT] = {
	[TRACEGEN_OPT_KIND] = { "kind", "uniform|zipf|bidir|churn  trace shape (default uniform)" },
	[TRACEGEN_OPT_FLOWS] = { "flows", "N  distinct flows; churn: active flows (default 1000)" },
	[TRACEGEN_OPT_PACKETS] = { "packets", "N  packets, at least flows for uniform and bidir "
		"(default 10000; churn: pps * duration)" },
	[TRACEGEN_OPT_SEED] = { "seed", "N  random seed; same options, same bytes (default 1)" },
	[TRACEGEN_OPT_SIZE] = { "size", "60..1514|imix  frame bytes without FCS; imix = 64/576/1514 "
		"at 7:4:1 (default 64)" },
	[TRACEGEN_OPT_PROTO] = { "proto", "tcp|udp|mix  L4 protocol; mix = each flow tcp or udp "
		"(default mix)" },
	[TRACEGEN_OPT_ZIPF] = { "zipf", "S  zipf exponent, 0 < S <= 10 (default 1.0)" },
	[TRACEGEN_OPT_LAN] = { "lan", "CIDR  bidir client network (default 192.168.0.0/16)" },
	[TRACEGEN_OPT_CLIENTS] = { "clients", "N  bidir distinct client IPs (default min(flows, 256))" },
	[TRACEGEN_OPT_SERVERS] = { "servers", "N  bidir distinct server IPs (default min(flows, 64))" },
	[TRACEGEN_OPT_REPLY] = { "reply", "P  bidir probability that a packet is a reply "
		"(default 0.5)" },
	[TRACEGEN_OPT_RATE] = { "rate", "R  churn new flows per second, at most pps (default 1000)" },
	[TRACEGEN_OPT_DURATION] = { "duration", "T  churn seconds, e.g. 2, 0.5, 500ms (default 1)" },
	[TRACEGEN_OPT_PPS] = { "pps", "R  packets per second of trace time (default 1M; "
		"churn 100k)" },
};

static const char *const option_names[TRACEGEN_OPT_COUNT + 1] = {
	"kind", "flows", "packets", "seed", "size", "proto", "zipf", "lan", "clients", "servers",
	"reply", "rate", "duration", "pps", NULL
};

const char *const *
tracegen_option_names(void)
{
	return option_names;
}

const char *const *
tracegen_kind_names(void)
{
	return kind_names;
}

static int
opt_index(const char *name)
{
	for (int i = 0; i < TRACEGEN_OPT_COUNT; i++)
		if (strcmp(opt_info[i].name, name) == 0)
			return i;
	return -1;
}

const char *
tracegen_option_help(const char *name)
{
	int i = name ? opt_index(name) : -1;

	return i < 0 ? NULL : opt_info[i].help;
}

/* ======================================================================================== */
/* Option parsing                                                                           */
/* ======================================================================================== */

#define PACKETS_MAX 10000000000ULL	/* 10G: 640 GB of 64 B frames is plenty */
#define HOSTS_MAX 16000000u		/* clients or servers */
#define PPS_MAX 1e9
#define DURATION_MAX 86400.0
#define BASE_TIME 1767225600u		/* 2026-01-01 00:00:00 UTC: fixed, for reproducible files */

void
tracegen_opts_init(struct tracegen_opts *o)
{
	memset(o, 0, sizeof *o);
	o->kind = TRACEGEN_UNIFORM;
	o->flows = 1000;
	o->packets = 10000;
	o->seed = 1;
	o->size = 64;
	o->proto = TRACEGEN_MIX;
	o->zipf = 1.0;
	o->lan_addr = 0xc0a80000;	/* 192.168.0.0/16 */
	o->lan_len = 16;
	o->clients = 256;
	o->servers = 64;
	o->reply = 0.5;
	o->rate = 1000;
	o->duration = 1;
	o->pps = 1e6;
}

/* A finite number >= 0 with an optional k/K/M/G (powers of 1000) suffix. */
static bool
parse_num(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno == ERANGE)
		return false;
	switch (*end) {
	case 'k': case 'K': v *= 1e3; end++; break;
	case 'M': v *= 1e6; end++; break;
	case 'G': v *= 1e9; end++; break;
	}
	if (*end || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static int
range_err(const char *key, uint64_t min, uint64_t max, const char *s, struct err *e)
{
	return err_set(e, -EINVAL, "--%s: expected an integer in %llu..%llu, got '%s'", key,
		       (unsigned long long)min, (unsigned long long)max, s);
}

/* An integer in min..max; plain digits are read exactly (64-bit seeds), others through
** parse_num (1e6, 10k). */
static int
parse_uint(const char *key, const char *s, uint64_t min, uint64_t max, uint64_t *out,
	   struct err *e)
{
	const char *what = min > 0 ? "a positive integer" : "a non-negative integer";
	uint64_t v;
	double d;

	if (s && *s && strspn(s, "0123456789") == strlen(s)) {
		char *end;
		errno = 0;
		v = strtoull(s, &end, 10);
		if (errno == ERANGE)
			return range_err(key, min, max, s, e);
	} else {
		if (!parse_num(s, &d) || d != floor(d))
			return err_set(e, -EINVAL, "--%s: expected %s, got '%s'", key, what,
				       s ? s : "");
		/* (double)UINT64_MAX rounds up to 2^64, which does not fit a uint64_t. */
		if (d > (double)max || d >= 0x1p64)
			return range_err(key, min, max, s, e);
		v = (uint64_t)d;
	}
	if (v < min || v > max)
		return range_err(key, min, max, s, e);
	*out = v;
	return 0;
}

/* A number in lo..hi, lo excluded when 'lo_open'. */
static int
parse_real(const char *key, const char *s, double lo, bool lo_open, double hi, double *out,
	   struct err *e)
{
	double v;

	if (!parse_num(s, &v))
		return err_set(e, -EINVAL, "--%s: expected a number, got '%s'", key, s ? s : "");
	if ((lo_open ? v <= lo : v < lo) || v > hi)
		return err_set(e, -EINVAL, "--%s: expected a number in %s%g, %g], got '%s'", key,
			       lo_open ? "(" : "[", lo, hi, s);
	*out = v;
	return 0;
}

/* Seconds, with an optional "s" or "ms" unit. */
static int
parse_duration(const char *s, double *out, struct err *e)
{
	char buf[64];
	size_t n = s ? strlen(s) : 0;
	double scale = 1, v;

	if (n == 0 || n >= sizeof buf)
		goto bad;
	memcpy(buf, s, n + 1);
	if (n > 2 && strcmp(buf + n - 2, "ms") == 0) {
		scale = 1e-3;
		buf[n - 2] = '\0';
	} else if (n > 1 && buf[n - 1] == 's') {
		buf[n - 1] = '\0';
	}
	if (!parse_num(buf, &v))
		goto bad;
	v *= scale;
	if (v <= 0 || v > DURATION_MAX)
		return err_set(e, -EINVAL, "--duration: expected seconds in (0, %g], got '%s'",
			       DURATION_MAX, s);
	*out = v;
	return 0;
bad:
	return err_set(e, -EINVAL, "--duration: expected seconds like 1, 0.5 or 500ms, got '%s'",
		       s ? s : "");
}

static int
parse_cidr(const char *s, uint32_t *out_addr, unsigned *out_len, struct err *e)
{
	char buf[32];
	const char *slash = s ? strchr(s, '/') : NULL;
	struct in_addr a;
	size_t n;
	char *end;
	unsigned long len;

	if (!slash || (n = (size_t)(slash - s)) == 0 || n >= sizeof buf)
		goto bad;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1 || !isdigit((unsigned char)slash[1]))
		goto bad;
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (*end || errno || len > 32)
		goto bad;
	*out_len = (unsigned)len;
	/* Host bits are dropped, as ip(8) does for routes. */
	*out_addr = ntohl(a.s_addr) & (len ? ~0u << (32 - len) : 0);
	return 0;
bad:
	return err_set(e, -EINVAL, "--lan: expected an IPv4 CIDR like 192.168.0.0/16, got '%s'",
		       s ? s : "");
}

int
tracegen_opts_set(struct tracegen_opts *o, const char *key, const char *value, struct err *e)
{
	struct tracegen_opts t = *o;
	int i, rc = 0;

	if (!key)
		key = "";
	if (key[0] == '-' && key[1] == '-')
		key += 2;
	i = opt_index(key);
	if (i < 0) {
		struct sbuf sb = SBUF_INIT;
		for (int k = 0; k < TRACEGEN_OPT_COUNT; k++)
			sbuf_printf(&sb, "%s%s", k ? ", " : "", opt_info[k].name);
		rc = err_set(e, -EINVAL, "unknown option '--%s' (pcap gen takes %s)", key,
			     sbuf_str(&sb));
		sbuf_release(&sb);
		return rc;
	}
	if (!value)
		return err_set(e, -EINVAL, "--%s: missing value", key);
	switch ((enum tracegen_opt)i) {
	case TRACEGEN_OPT_KIND: {
		int k;
		for (k = 0; kind_names[k] && strcmp(kind_names[k], value) != 0; k++)
			;
		if (!kind_names[k])
			return err_set(e, -EINVAL, "--kind: expected uniform, zipf, bidir or churn, "
				       "got '%s'", value);
		t.kind = (enum tracegen_kind)k;
		break;
	}
	case TRACEGEN_OPT_FLOWS:
		rc = parse_uint(key, value, 1, TRACEGEN_FLOWS_MAX, &t.flows, e);
		break;
	case TRACEGEN_OPT_PACKETS:
		rc = parse_uint(key, value, 1, PACKETS_MAX, &t.packets, e);
		break;
	case TRACEGEN_OPT_SEED:
		rc = parse_uint(key, value, 0, UINT64_MAX, &t.seed, e);
		break;
	case TRACEGEN_OPT_SIZE: {
		uint64_t v;
		if (strcmp(value, "imix") == 0) {
			t.size = TRACEGEN_SIZE_IMIX;
			break;
		}
		if (parse_uint(key, value, 60, 1514, &v, NULL) < 0)
			return err_set(e, -EINVAL, "--size: expected a frame length in 60..1514 "
				       "(bytes, without FCS) or 'imix', got '%s'", value);
		t.size = (unsigned)v;
		break;
	}
	case TRACEGEN_OPT_PROTO:
		if (strcmp(value, "tcp") == 0)
			t.proto = TRACEGEN_TCP;
		else if (strcmp(value, "udp") == 0)
			t.proto = TRACEGEN_UDP;
		else if (strcmp(value, "mix") == 0)
			t.proto = TRACEGEN_MIX;
		else
			return err_set(e, -EINVAL, "--proto: expected tcp, udp or mix, got '%s'",
				       value);
		break;
	case TRACEGEN_OPT_ZIPF:
		rc = parse_real(key, value, 0, true, 10, &t.zipf, e);
		break;
	case TRACEGEN_OPT_LAN:
		rc = parse_cidr(value, &t.lan_addr, &t.lan_len, e);
		break;
	case TRACEGEN_OPT_CLIENTS:
		rc = parse_uint(key, value, 1, HOSTS_MAX, &t.clients, e);
		break;
	case TRACEGEN_OPT_SERVERS:
		rc = parse_uint(key, value, 1, HOSTS_MAX, &t.servers, e);
		break;
	case TRACEGEN_OPT_REPLY:
		rc = parse_real(key, value, 0, false, 1, &t.reply, e);
		break;
	case TRACEGEN_OPT_RATE:
		rc = parse_real(key, value, 0, true, PPS_MAX, &t.rate, e);
		break;
	case TRACEGEN_OPT_DURATION:
		rc = parse_duration(value, &t.duration, e);
		break;
	case TRACEGEN_OPT_PPS:
		rc = parse_real(key, value, 0, true, PPS_MAX, &t.pps, e);
		break;
	case TRACEGEN_OPT_COUNT:
		break;
	}
	if (rc < 0)
		return rc;
	t.set |= BIT(i);
	*o = t;
	return 0;
}

/* ======================================================================================== */
/* Validation                                                                               */
/* ======================================================================================== */

static uint64_t
lan_hosts(unsigned len)
{
	uint64_t n = 1ULL << (32 - len);

	/* Network and broadcast addresses are not hosts, except in /31 and /32 (RFC 3021). */
	return len >= 31 ? n : n - 2;
}

static uint32_t
lan_first_host(uint32_t net, unsigned len)
{
	return len >= 31 ? net : net + 1;
}

/* Server ports of bidir traces: well-known services, TCP except DNS and NTP. */
struct svc {
	uint16_t port;
	uint8_t proto;
};

static const struct svc services[] = {
	{ 80, IPPROTO_TCP }, { 443, IPPROTO_TCP }, { 53, IPPROTO_UDP }, { 8080, IPPROTO_TCP },
	{ 22, IPPROTO_TCP }, { 25, IPPROTO_TCP }, { 123, IPPROTO_UDP }, { 993, IPPROTO_TCP },
};

#define NSERVICES (sizeof services / sizeof services[0])

static bool
svc_allowed(const struct svc *s, enum tracegen_proto proto)
{
	return proto == TRACEGEN_MIX || (proto == TRACEGEN_TCP) == (s->proto == IPPROTO_TCP);
}

/* Packets of a churn trace: pps * duration, rounded. */
static uint64_t
churn_packets(const struct tracegen_opts *o)
{
	return (uint64_t)llround(o->pps * o->duration);
}

/* Copies 'in' to 'o' with kind-dependent defaults filled in, after checking that every option
** set applies to the kind and that the combination can be generated. */
static int
resolve(const struct tracegen_opts *in, struct tracegen_opts *o, struct err *e)
{
	uint32_t stray = in->set & ~kind_opts[in->kind];
	const char *kind = kind_names[in->kind];

	*o = *in;
	if (stray) {
		int i = __builtin_ctz(stray);
		int only = -1, count = 0;
		for (int k = 0; kind_names[k]; k++)
			if (kind_opts[k] & BIT(i)) {
				only = k;
				count++;
			}
		if (count == 1)
			return err_set(e, -EINVAL, "--%s applies to %s only (this is %s)",
				       opt_info[i].name, kind_names[only], kind);
		return err_set(e, -EINVAL, "--%s does not apply to %s%s", opt_info[i].name, kind,
			       i == TRACEGEN_OPT_PACKETS ? " (packets = pps * duration)" : "");
	}
	if (!(in->set & BIT(TRACEGEN_OPT_PPS)))
		o->pps = in->kind == TRACEGEN_CHURN ? 1e5 : 1e6;
	if (!(in->set & BIT(TRACEGEN_OPT_CLIENTS)))
		o->clients = in->flows < 256 ? in->flows : 256;
	if (!(in->set & BIT(TRACEGEN_OPT_SERVERS)))
		o->servers = in->flows < 64 ? in->flows : 64;

	switch (in->kind) {
	case TRACEGEN_UNIFORM:
	case TRACEGEN_BIDIR:
		if (o->packets < o->flows)
			return err_set(e, -EINVAL, "--packets (%llu) must be at least --flows (%llu): "
				       "every flow appears at least once",
				       (unsigned long long)o->packets, (unsigned long long)o->flows);
		break;
	case TRACEGEN_ZIPF:
		break;
	case TRACEGEN_CHURN: {
		double news = o->rate * o->duration;
		if (o->rate > o->pps)
			return err_set(e, -EINVAL, "--rate (%g) cannot exceed --pps (%g): a new flow "
				       "needs a packet", o->rate, o->pps);
		if (o->pps * o->duration > (double)PACKETS_MAX)
			return err_set(e, -EINVAL, "--pps * --duration gives %.0f packets, at most "
				       "%llu", o->pps * o->duration, PACKETS_MAX);
		o->packets = churn_packets(o);
		if (o->packets < o->flows)
			return err_set(e, -EINVAL, "--flows (%llu) needs as many packets, but pps * "
				       "duration gives %llu", (unsigned long long)o->flows,
				       (unsigned long long)o->packets);
		if (news > 2.0 * TRACEGEN_FLOWS_MAX)
			return err_set(e, -EINVAL, "--rate * --duration gives %.0f new flows, at "
				       "most %u", news, 2 * TRACEGEN_FLOWS_MAX);
		break;
	}
	}

	if (in->kind == TRACEGEN_BIDIR) {
		uint64_t hosts = lan_hosts(o->lan_len);
		double space = 64512.0 * (double)o->clients * (double)o->servers;
		unsigned nsvc = 0;
		for (size_t i = 0; i < NSERVICES; i++)
			nsvc += svc_allowed(&services[i], o->proto);
		if (o->clients > o->flows)
			return err_set(e, -EINVAL, "--clients (%llu) cannot exceed --flows (%llu)",
				       (unsigned long long)o->clients, (unsigned long long)o->flows);
		if (o->servers > o->flows)
			return err_set(e, -EINVAL, "--servers (%llu) cannot exceed --flows (%llu)",
				       (unsigned long long)o->servers, (unsigned long long)o->flows);
		if (o->clients > hosts)
			return err_set(e, -EINVAL, "--clients (%llu) do not fit in --lan %u.%u.%u.%u/%u "
				       "(%llu hosts)", (unsigned long long)o->clients,
				       o->lan_addr >> 24, (o->lan_addr >> 16) & 255,
				       (o->lan_addr >> 8) & 255, o->lan_addr & 255, o->lan_len,
				       (unsigned long long)hosts);
		/* Keep random tuple draws at most half the space, so drawing distinct ones is quick. */
		if ((double)o->flows > space * nsvc / 2)
			return err_set(e, -EINVAL, "--flows (%llu) is too many for %llu clients x %llu "
				       "servers x %u ports (at most %.0f)", (unsigned long long)o->flows,
				       (unsigned long long)o->clients, (unsigned long long)o->servers,
				       nsvc, floor(space * nsvc / 2));
	}
	return 0;
}

/* ======================================================================================== */
/* Flows                                                                                    */
/* ======================================================================================== */

#define FL_STARTED 1	/* the first (request) packet was written */
#define FL_REPLIED 2	/* the first reply was written */

/* A flow in its request direction a -> b; replies go b -> a. Addresses in host order. */
struct tg_flow {
	uint32_t a, b;
	uint16_t pa, pb;
	uint8_t proto;
	uint8_t state;		/* FL_* */
	uint32_t seq_ab, seq_ba;	/* next TCP sequence number per direction */
};

struct tg {
	struct tracegen_opts o;		/* resolved */
	struct rng rng;
	struct tg_flow *flows;		/* all flows; churn: the active ring */
	uint64_t nflows;
	struct htab *seen;		/* request tuples used so far: keeps flows distinct */
	struct rng_zipf *zipf;
	uint64_t appeared;		/* flows whose first packet was written */
	uint64_t bytes;
	uint16_t ip_id;
	unsigned char frame[1514];	/* bytes past the headers stay zero */
};

#define KEY_LEN 13

static void
tuple_key(uint32_t a, uint32_t b, uint16_t pa, uint16_t pb, uint8_t proto,
	  unsigned char k[KEY_LEN])
{
	memcpy(k, &a, 4);
	memcpy(k + 4, &b, 4);
	memcpy(k + 8, &pa, 2);
	memcpy(k + 10, &pb, 2);
	k[12] = proto;
}

/* Addresses that look like Internet hosts: unicast, not private, not loopback. */
static bool
is_public(uint32_t a)
{
	uint32_t o1 = a >> 24;

	if (o1 == 0 || o1 > 223 || o1 == 10 || o1 == 127)
		return false;
	if ((a & 0xfff00000) == 0xac100000 || (a & 0xffff0000) == 0xc0a80000)
		return false;
	return true;
}

static bool
in_lan(const struct tracegen_opts *o, uint32_t a)
{
	uint32_t mask = o->lan_len ? ~0u << (32 - o->lan_len) : 0;

	return (a & mask) == o->lan_addr;
}

/* A random public address; for bidir also outside the lan. False when none turns up in many
** tries (a lan covering nearly all of the public space). */
static bool
rand_public(struct tg *g, uint32_t *out)
{
	for (int tries = 0; tries < 100000; tries++) {
		uint32_t a = (uint32_t)rng_u64(&g->rng);
		if (is_public(a) && !(g->o.kind == TRACEGEN_BIDIR && in_lan(&g->o, a))) {
			*out = a;
			return true;
		}
	}
	return false;
}

static uint8_t
rand_proto(struct tg *g)
{
	switch (g->o.proto) {
	case TRACEGEN_TCP:
		return IPPROTO_TCP;
	case TRACEGEN_UDP:
		return IPPROTO_UDP;
	default:
		return (rng_u64(&g->rng) & 1) ? IPPROTO_TCP : IPPROTO_UDP;
	}
}

static void
flow_seqs(struct tg *g, struct tg_flow *f)
{
	uint64_t x = rng_u64(&g->rng);

	f->seq_ab = (uint32_t)x;
	f->seq_ba = (uint32_t)(x >> 32);
	f->state = 0;
}

/* A random flow between public hosts, distinct from every flow made before. */
static void
new_random_flow(struct tg *g, struct tg_flow *f)
{
	unsigned char k[KEY_LEN];
	bool fresh = false;

	/* is_public leaves about 3.5G addresses, so rand_public cannot fail here. */
	while (!fresh) {
		rand_public(g, &f->a);
		do
			rand_public(g, &f->b);
		while (f->b == f->a);
		f->pa = (uint16_t)(1024 + rng_below(&g->rng, 65536 - 1024));
		f->pb = (uint16_t)(1 + rng_below(&g->rng, 65535));
		f->proto = rand_proto(g);
		tuple_key(f->a, f->b, f->pa, f->pb, f->proto, k);
		htab_upsert(g->seen, k, &fresh);
	}
	flow_seqs(g, f);
}

/* 'n' distinct addresses: random hosts of the lan, or random public ones outside it. */
static int
pick_hosts(struct tg *g, bool lan, uint64_t n, uint32_t **out, struct err *e)
{
	uint32_t *v = xmalloc(n * sizeof *v);
	uint64_t hosts = lan_hosts(g->o.lan_len);
	uint32_t first = lan_first_host(g->o.lan_addr, g->o.lan_len);

	if (lan && n * 2 > hosts) {
		/* Dense: a partial Fisher-Yates shuffle of every host, which never retries. */
		uint32_t *all = xmalloc(hosts * sizeof *all);
		for (uint64_t i = 0; i < hosts; i++)
			all[i] = first + (uint32_t)i;
		for (uint64_t i = 0; i < n; i++) {
			uint64_t j = i + rng_below(&g->rng, hosts - i);
			uint32_t t = all[i];
			all[i] = all[j];
			all[j] = t;
			v[i] = all[i];
		}
		free(all);
	} else {
		struct htab *h = htab_new(4);
		for (uint64_t i = 0; i < n; ) {
			uint32_t a;
			bool fresh;
			if (lan) {
				a = first + (uint32_t)rng_below(&g->rng, hosts);
			} else if (!rand_public(g, &a)) {
				htab_free(h);
				free(v);
				return err_set(e, -EINVAL, "--lan %u.%u.%u.%u/%u leaves no public "
					       "addresses for servers", g->o.lan_addr >> 24,
					       (g->o.lan_addr >> 16) & 255, (g->o.lan_addr >> 8) & 255,
					       g->o.lan_addr & 255, g->o.lan_len);
			}
			htab_upsert(h, &a, &fresh);
			if (fresh)
				v[i++] = a;
		}
		htab_free(h);
	}
	*out = v;
	return 0;
}

/* Bidir flows: every client and every server takes part in at least one flow. */
static int
setup_bidir(struct tg *g, struct err *e)
{
	const struct tracegen_opts *o = &g->o;
	struct svc svc[NSERVICES];
	unsigned nsvc = 0;
	uint32_t *clients = NULL, *servers = NULL;
	int rc;

	for (size_t i = 0; i < NSERVICES; i++)
		if (svc_allowed(&services[i], o->proto))
			svc[nsvc++] = services[i];
	rc = pick_hosts(g, true, o->clients, &clients, e);
	if (rc == 0)
		rc = pick_hosts(g, false, o->servers, &servers, e);
	if (rc < 0) {
		free(clients);
		return rc;
	}
	for (uint64_t i = 0; i < g->nflows; i++) {
		struct tg_flow *f = &g->flows[i];
		unsigned char k[KEY_LEN];
		bool fresh = false;
		while (!fresh) {
			const struct svc *s = &svc[rng_below(&g->rng, nsvc)];
			f->a = clients[i < o->clients ? i : rng_below(&g->rng, o->clients)];
			f->b = servers[i < o->servers ? i : rng_below(&g->rng, o->servers)];
			f->pa = (uint16_t)(1024 + rng_below(&g->rng, 65536 - 1024));
			f->pb = s->port;
			f->proto = s->proto;
			tuple_key(f->a, f->b, f->pa, f->pb, f->proto, k);
			htab_upsert(g->seen, k, &fresh);
		}
		flow_seqs(g, f);
	}
	free(clients);
	free(servers);
	return 0;
}

/* ======================================================================================== */
/* Frames                                                                                   */
/* ======================================================================================== */

#define ETH_LEN 14
#define IP_LEN 20
#define TCP_LEN 20
#define UDP_LEN 8
#define TH_SYN 0x02
#define TH_ACK 0x10

static inline void
put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static inline void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* Ones' complement sum of big-endian 16-bit words (RFC 1071); 'n' is even here. */
static inline uint32_t
sum16(const unsigned char *p, size_t n, uint32_t acc)
{
	for (size_t i = 0; i < n; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	return acc;
}

static inline uint16_t
fold(uint32_t acc)
{
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

/* Writes one frame of 'len' bytes for flow 'f' into g->frame, in the request direction or as a
** reply, and advances the flow's TCP state. Payload bytes are zero, so the L4 checksum covers
** only the pseudo-header and the L4 header. */
static void
build(struct tg *g, struct tg_flow *f, bool reply, unsigned len)
{
	unsigned char *eth = g->frame, *ip = eth + ETH_LEN, *l4 = ip + IP_LEN;
	uint32_t src = reply ? f->b : f->a, dst = reply ? f->a : f->b;
	uint16_t sport = reply ? f->pb : f->pa, dport = reply ? f->pa : f->pb;
	unsigned l4len = len - ETH_LEN - IP_LEN;
	uint32_t pseudo;

	/* Locally administered MACs that carry the IP, so a trace reads easily in tshark. */
	eth[0] = 0x02; eth[1] = 0x00; put32(eth + 2, dst);
	eth[6] = 0x02; eth[7] = 0x00; put32(eth + 8, src);
	put16(eth + 12, 0x0800);

	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(len - ETH_LEN));
	put16(ip + 4, g->ip_id++);
	put16(ip + 6, 0);
	ip[8] = 64;
	ip[9] = f->proto;
	put16(ip + 10, 0);
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, fold(sum16(ip, IP_LEN, 0)));

	pseudo = sum16(ip + 12, 8, f->proto + l4len);
	put16(l4, sport);
	put16(l4 + 2, dport);
	if (f->proto == IPPROTO_TCP) {
		uint32_t *mine = reply ? &f->seq_ba : &f->seq_ab;
		uint32_t theirs = reply ? f->seq_ab : f->seq_ba;
		unsigned flags;
		if (!reply)
			flags = (f->state & FL_STARTED) ? TH_ACK : TH_SYN;
		else
			flags = (f->state & FL_REPLIED) ? TH_ACK : TH_SYN | TH_ACK;
		put32(l4 + 4, *mine);
		put32(l4 + 8, (flags & TH_ACK) ? theirs : 0);
		l4[12] = 5 << 4;
		l4[13] = (unsigned char)flags;
		put16(l4 + 14, 65535);
		put16(l4 + 16, 0);
		put16(l4 + 18, 0);
		put16(l4 + 16, fold(sum16(l4, TCP_LEN, pseudo)));
		/* A SYN takes one sequence number (RFC 793 3.3). */
		*mine += (uint32_t)(l4len - TCP_LEN) + ((flags & TH_SYN) ? 1 : 0);
	} else {
		uint16_t c;
		put16(l4 + 4, (uint16_t)l4len);
		put16(l4 + 6, 0);
		/* Clear what a TCP header left behind: the payload must be zero. */
		memset(l4 + UDP_LEN, 0, TCP_LEN - UDP_LEN);
		c = fold(sum16(l4, UDP_LEN, pseudo));
		put16(l4 + 6, c ? c : 0xffff);	/* 0 means "no checksum" (RFC 768) */
	}
	if (!reply && !(f->state & FL_STARTED)) {
		f->state |= FL_STARTED;
		g->appeared++;
	}
	if (reply)
		f->state |= FL_REPLIED;
	g->bytes += len;
}

/* imix: 64, 576 and 1514 bytes at 7:4:1 (the classic simple IMIX). */
static unsigned
frame_len(struct tg *g)
{
	uint64_t r;

	if (g->o.size != TRACEGEN_SIZE_IMIX)
		return g->o.size;
	r = rng_below(&g->rng, 12);
	return r < 7 ? 64 : r < 11 ? 576 : 1514;
}

/* ======================================================================================== */
/* Writing                                                                                  */
/* ======================================================================================== */

#define PROGRESS_MASK ((1u << 20) - 1)

/* Churn: the packet index at which new flow j arrives, j = 0, 1, ...: j / rate seconds into the
** trace, but never before the initial flows have all started. */
static uint64_t
churn_arrival(const struct tracegen_opts *o, uint64_t j)
{
	uint64_t at = (uint64_t)floor((double)j * o->pps / o->rate);

	return at > o->flows + j ? at : o->flows + j;
}

static int
setup(struct tg *g, struct err *e)
{
	uint64_t n = g->o.flows;

	rng_init(&g->rng, g->o.seed);
	g->seen = htab_new(KEY_LEN);
	g->nflows = n;
	g->flows = xcalloc(n, sizeof *g->flows);
	if (g->o.kind == TRACEGEN_BIDIR)
		return setup_bidir(g, e);
	for (uint64_t i = 0; i < n; i++)
		new_random_flow(g, &g->flows[i]);
	if (g->o.kind == TRACEGEN_ZIPF) {
		g->zipf = rng_zipf_new(n, g->o.zipf);
		if (!g->zipf)
			return err_set(e, -EINVAL, "--zipf: cannot sample %g over %llu ranks",
				       g->o.zipf, (unsigned long long)n);
	}
	return 0;
}

/* The packets themselves, into an open dumper. */
static int
generate(struct tg *g, pcap_dumper_t *d, const struct progress *p, struct err *e)
{
	const struct tracegen_opts *o = &g->o;
	uint64_t total = o->packets, arrivals = 0;
	uint64_t next_arrival = o->kind == TRACEGEN_CHURN ? churn_arrival(o, 0) : UINT64_MAX;
	double us_per_packet = 1e6 / o->pps;
	struct pcap_pkthdr h;

	for (uint64_t i = 0; i < total; i++) {
		struct tg_flow *f;
		bool reply = false;
		uint64_t us;
		unsigned len;

		if ((i & PROGRESS_MASK) == 0) {
			if (progress_stopped(p))
				return err_set(e, -EINTR, "interrupted after %llu of %llu packets",
					       (unsigned long long)i, (unsigned long long)total);
			progress_report(p, "writing", i, total);
		}
		switch (o->kind) {
		case TRACEGEN_UNIFORM:
			f = &g->flows[i < g->nflows ? i : rng_below(&g->rng, g->nflows)];
			break;
		case TRACEGEN_ZIPF:
			/* Rank r is flow r-1: flows were drawn at random, so the mapping is too. */
			f = &g->flows[rng_zipf_next(g->zipf, &g->rng) - 1];
			break;
		case TRACEGEN_BIDIR:
			if (i < g->nflows) {
				f = &g->flows[i];
			} else {
				f = &g->flows[rng_below(&g->rng, g->nflows)];
				reply = rng_double(&g->rng) < o->reply;
			}
			break;
		default:	/* churn */
			if (i < g->nflows) {
				f = &g->flows[i];
			} else if (i == next_arrival) {
				/* Slots are replaced in arrival order, so slot j % flows is the oldest. */
				f = &g->flows[arrivals % g->nflows];
				new_random_flow(g, f);
				next_arrival = churn_arrival(o, ++arrivals);
			} else {
				f = &g->flows[rng_below(&g->rng, g->nflows)];
			}
			break;
		}
		len = frame_len(g);
		build(g, f, reply, len);
		us = (uint64_t)((double)i * us_per_packet);
		h.ts.tv_sec = (time_t)(BASE_TIME + us / 1000000);
		h.ts.tv_usec = (suseconds_t)(us % 1000000);
		h.caplen = h.len = len;
		pcap_dump((u_char *)d, &h, g->frame);
	}
	progress_report(p, "writing", total, total);
	return 0;
}

/* The directory part of 'path', for messages. */
static void
dir_of(const char *path, char *buf, size_t n)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(buf, n, ".");
	else if (slash == path)
		snprintf(buf, n, "/");
	else
		snprintf(buf, n, "%.*s", (int)(slash - path), path);
}

int
tracegen_write(const struct tracegen_opts *opts, const char *path, const struct progress *p,
	       struct tracegen_result *out, struct err *e)
{
	struct tg *g;
	char tmp[PATH_MAX + 8];
	FILE *fp = NULL;
	pcap_t *pd = NULL;
	pcap_dumper_t *d = NULL;
	char *iobuf = NULL;
	double t0 = clock_seconds();
	int64_t file_bytes = 0;
	bool created = false;	/* tmp exists and must go on failure */
	struct stat st;
	int rc;

	if (!path || !*path)
		return err_set(e, -EINVAL, "pcap gen: no output file (-o PATH)");
	if (strlen(path) >= PATH_MAX)
		return err_set(e, -ENAMETOOLONG, "output path too long");
	g = xcalloc(1, sizeof *g);
	rc = resolve(opts, &g->o, e);
	if (rc == 0)
		rc = setup(g, e);
	if (rc < 0)
		goto done;

	/* rename() would replace a device such as /dev/null with a regular file. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		rc = err_set(e, -EINVAL, "cannot write '%s': it exists and is not a regular file",
			     path);
		goto done;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	fp = fopen(tmp, "wb");
	if (!fp) {
		int err = errno;
		char dir[PATH_MAX];
		dir_of(path, dir, sizeof dir);
		if (err == ENOENT)
			rc = err_set(e, -ENOENT, "cannot write '%s': directory '%s' does not exist",
				     path, dir);
		else
			rc = err_set(e, -err, "cannot write '%s': %s", tmp, strerror(err));
		goto done;
	}
	created = true;
	/* A large stdio buffer: per-packet fwrites then rarely reach the kernel. */
	iobuf = xmalloc(1 << 20);
	setvbuf(fp, iobuf, _IOFBF, 1 << 20);
	pd = pcap_open_dead(DLT_EN10MB, 65535);
	if (!pd) {
		rc = err_set(e, -ENOMEM, "cannot write '%s': libpcap could not start", path);
		goto done;
	}
	d = pcap_dump_fopen(pd, fp);
	if (!d) {
		rc = err_set(e, -EIO, "cannot write '%s': %s", tmp, pcap_geterr(pd));
		goto done;
	}
	rc = generate(g, d, p, e);
	if (rc < 0)
		goto done;
	if (pcap_dump_flush(d) < 0 || ferror(fp)) {
		int err = errno ? errno : EIO;
		rc = err_set(e, -err, "cannot write '%s': %s", tmp, strerror(err));
		goto done;
	}
	file_bytes = pcap_dump_ftell64(d);
	pcap_dump_close(d);	/* closes fp; everything was flushed and checked above */
	d = NULL;
	fp = NULL;
	if (rename(tmp, path) < 0) {
		int err = errno;
		rc = err_set(e, -err, "cannot rename '%s' to '%s': %s", tmp, path, strerror(err));
		goto done;
	}
	if (out) {
		memset(out, 0, sizeof *out);
		snprintf(out->path, sizeof out->path, "%s", path);
		out->kind = kind_names[g->o.kind];
		out->seed = g->o.seed;
		out->packets = g->o.packets;
		out->bytes = g->bytes;
		out->file_bytes = file_bytes > 0 ? (uint64_t)file_bytes : 0;
		out->flows = g->appeared;
		out->duration_s = (double)g->o.packets / g->o.pps;
		out->seconds = clock_seconds() - t0;
		out->gen_pps = out->seconds > 0 ? (double)g->o.packets / out->seconds : 0;
	}
done:
	if (d)
		pcap_dump_close(d);
	else if (fp)
		fclose(fp);
	if (rc < 0 && created)
		unlink(tmp);
	if (pd)
		pcap_close(pd);
	free(iobuf);
	rng_zipf_free(g->zipf);
	htab_free(g->seen);
	free(g->flows);
	free(g);
	return rc;
}

struct val *
tracegen_result_to_val(const struct tracegen_result *r)
{
	struct val *v = val_obj();

	val_set_str(v, "path", r->path);
	val_set_str(v, "kind", r->kind);
	val_set_int(v, "seed", (int64_t)r->seed);
	val_set_int(v, "packets", (int64_t)r->packets);
	val_set_int(v, "bytes", (int64_t)r->bytes);
	val_set_int(v, "file_bytes", (int64_t)r->file_bytes);
	val_set_int(v, "flows", (int64_t)r->flows);
	val_set_num(v, "duration_s", r->duration_s);
	val_set_num(v, "seconds", r->seconds);
	val_set_num(v, "gen_pps", r->gen_pps);
	return v;
}
