/* Unit tests for engine/rss: solved keys re-verified on random linked packet pairs by this
** file's own reading of the constraints (never through rss internals), the symmetric firewall
** key, known bad keys (all zero, 6d5a repeated) and their counterexamples, quality and the
** field-set recommendation, unsatisfiable sets, key and RETA parsing, configurations through
** values and back, rss_check_run against brute force, and the solve time. */
#include "engine/rss.h"

#include <errno.h>

#include "engine/clock.h"
#include "engine/rng.h"
#include "engine/toeplitz.h"
#include "engine/val.h"

#include "tests/test.h"

/*---- Constraint sets, written down independently of the engine ----*/

/* field_a of packet p equals field_b of packet q on their first 'bits' bits (0: all). */
struct tpair {
	enum shard_field fa, fb;
	unsigned bits;
};

/* Packets p on port pa and q on port pb that agree on every pair must share a core. */
struct tcons {
	const char *pa, *pb;
	unsigned n;
	struct tpair p[4];
};

struct tset {
	const char *name;
	unsigned n_ports;
	const char *ports[2];
	unsigned n;
	struct tcons k[3];
	const char *alt[2];	/* another field set per port, satisfiable */
};

#define SRC SHARD_SRC
#define DST SHARD_DST
#define SP SHARD_SPORT
#define DP SHARD_DPORT
#define IDENT { { SRC, SRC, 0 }, { DST, DST, 0 }, { SP, SP, 0 }, { DP, DP, 0 } }
#define SWAP { { SRC, DST, 0 }, { DST, SRC, 0 }, { SP, DP, 0 }, { DP, SP, 0 } }

static const struct tset set_dst = {
	"same ipv4.dst", 1, { "p" }, 1, { { "p", "p", 1, { { DST, DST, 0 } } } }, { "d" },
};
static const struct tset set_src24 = {
	"same ipv4.src/24", 1, { "p" }, 1, { { "p", "p", 1, { { SRC, SRC, 24 } } } }, { "s" },
};
static const struct tset set_fw = {
	"firewall", 2, { "lan", "wan" }, 3,
	{ { "lan", "wan", 4, SWAP }, { "lan", "lan", 4, IDENT }, { "wan", "wan", 4, IDENT } },
	{ "sd", "sd" },
};
static const struct tset set_nat = {
	"nat", 2, { "lan", "wan" }, 1,
	{ { "lan", "wan", 2, { { DST, SRC, 0 }, { DP, SP, 0 } } } }, { "dn", "sf" },
};
static const struct tset set_sym = {
	"self-symmetric", 1, { "p" }, 1, { { "p", "p", 4, SWAP } }, { "sd" },
};
/* Written with the higher port first, which the engine stores the other way round. */
static const struct tset set_mix = {
	"b.src/13 = a.dst/13, same sport", 2, { "a", "b" }, 1,
	{ { "b", "a", 2, { { SRC, DST, 13 }, { SP, SP, 0 } } } }, { "df", "sf" },
};
/* Prefixes that end inside a byte: the masks matter bit by bit. */
static const struct tset set_masked = {
	"same ipv4.src/20, l4.dport/12", 1, { "p" }, 1,
	{ { "p", "p", 2, { { SRC, SRC, 20 }, { DP, DP, 12 } } } }, { "sn" },
};
static const struct tset set_wan_dst = {
	"wan: same ipv4.dst", 2, { "lan", "wan" }, 1, { { "wan", "wan", 1, { { DST, DST, 0 } } } },
	{ "sdfn", "d" },
};
static const struct tset set_wan_src = {
	"wan: same ipv4.src", 2, { "lan", "wan" }, 1, { { "wan", "wan", 1, { { SRC, SRC, 0 } } } },
	{ "sdfn", "s" },
};

static const struct tset *const round_sets[] = {
	&set_dst, &set_src24, &set_fw, &set_nat, &set_sym, &set_mix, &set_masked,
};
#define N_ROUND (sizeof round_sets / sizeof round_sets[0])

static const char *
fname(enum shard_field f)
{
	static const char *const n[] = { "ipv4.src", "ipv4.dst", "l4.sport", "l4.dport" };
	return n[f];
}

static unsigned
width(enum shard_field f)
{
	return f < SHARD_SPORT ? 32 : 16;
}

static uint32_t
pmask(enum shard_field f, unsigned bits)
{
	uint32_t all = width(f) == 32 ? 0xffffffffu : 0xffffu;

	if (!bits || bits >= width(f))
		return all;
	return all & ~(all >> bits);
}

/* { ports = {...}, constraints = {{ports = {pa, pb}, pairs = {{"ipv4.src/24", ...}}}} } */
static struct val *
set_val(const struct tset *t)
{
	struct val *v = val_obj(), *ports = val_arr(), *list = val_arr();

	for (unsigned i = 0; i < t->n_ports; i++)
		val_push(ports, val_str(t->ports[i]));
	for (unsigned i = 0; i < t->n; i++) {
		const struct tcons *k = &t->k[i];
		struct val *o = val_obj(), *kp = val_arr(), *pairs = val_arr();

		val_push(kp, val_str(k->pa));
		val_push(kp, val_str(k->pb));
		for (unsigned j = 0; j < k->n; j++) {
			struct val *pr = val_arr();
			char a[32], b[32];

			if (k->p[j].bits) {
				snprintf(a, sizeof a, "%s/%u", fname(k->p[j].fa), k->p[j].bits);
				snprintf(b, sizeof b, "%s/%u", fname(k->p[j].fb), k->p[j].bits);
			} else {
				snprintf(a, sizeof a, "%s", fname(k->p[j].fa));
				snprintf(b, sizeof b, "%s", fname(k->p[j].fb));
			}
			val_push(pr, val_str(a));
			val_push(pr, val_str(b));
			val_push(pairs, pr);
		}
		val_set(o, "ports", kp);
		val_set(o, "pairs", pairs);
		val_push(list, o);
	}
	val_set(v, "ports", ports);
	val_set(v, "constraints", list);
	return v;
}

static bool
cons_of(const struct tset *t, struct rss_cons *c)
{
	struct val *v = set_val(t);
	struct err e = ERR_INIT;
	int rc = rss_cons_from_val(v, c, &e);

	val_free(v);
	if (rc < 0) {
		FAIL("%s: rss_cons_from_val: %s", t->name, e.msg);
		return false;
	}
	if (c->n != t->n || c->n_ports != t->n_ports) {
		FAIL("%s: %u constraints on %u ports, want %u on %u", t->name, c->n, c->n_ports,
		     t->n, t->n_ports);
		rss_cons_release(c);
		return false;
	}
	return true;
}

static int
port_of(const struct rss_config *c, const char *name)
{
	for (unsigned p = 0; p < c->n_ports; p++)
		if (!strcmp(c->ports[p], name))
			return (int)p;
	FAIL("no port %s", name);
	return 0;
}

/*---- Packets ----*/

struct tup {
	uint32_t f[SHARD_NFIELDS];	/* src, dst, sport, dport (ports below 65536) */
};

static void
rand_tup(struct rng *r, struct tup *t)
{
	uint64_t x = rng_u64(r), y = rng_u64(r);

	t->f[SRC] = (uint32_t)x;
	t->f[DST] = (uint32_t)(x >> 32);
	t->f[SP] = (uint32_t)(y & 0xffff);
	t->f[DP] = (uint32_t)(y >> 16 & 0xffff);
}

/* A random pair linked by k: p random, q random but for the bits it copies from p. */
static void
linked_pair(const struct tcons *k, struct rng *r, struct tup *p, struct tup *q)
{
	rand_tup(r, p);
	rand_tup(r, q);
	for (unsigned j = 0; j < k->n; j++) {
		uint32_t m = pmask(k->p[j].fb, k->p[j].bits);

		q->f[k->p[j].fb] = (q->f[k->p[j].fb] & ~m) | (p->f[k->p[j].fa] & m);
	}
}

static bool
agree(const struct tcons *k, const struct tup *p, const struct tup *q)
{
	for (unsigned j = 0; j < k->n; j++) {
		uint32_t m = pmask(k->p[j].fb, k->p[j].bits);

		if ((p->f[k->p[j].fa] & m) != (q->f[k->p[j].fb] & m))
			return false;
	}
	return true;
}

static struct rss_hit
hit(const struct rss_config *c, int port, const struct tup *t)
{
	return rss_hash(c, (unsigned)port, t->f[SRC], t->f[DST], (uint16_t)t->f[SP],
			(uint16_t)t->f[DP]);
}

/* Pairs linked by k (of 'n' random ones) that land on different cores; the first few FAIL
** when 'report'. */
static unsigned
violations(const struct rss_config *c, const struct tcons *k, struct rng *r, unsigned n,
	   bool report, const char *what)
{
	int a = port_of(c, k->pa), b = port_of(c, k->pb);
	unsigned bad = 0;

	for (unsigned i = 0; i < n; i++) {
		struct tup p, q;
		struct rss_hit hp, hq;

		linked_pair(k, r, &p, &q);
		hp = hit(c, a, &p);
		hq = hit(c, b, &q);
		if (hp.core == hq.core)
			continue;
		if (report && bad < 3)
			FAIL("%s: %s %08x %08x %u %u -> core %u, %s %08x %08x %u %u -> core %u",
			     what, k->pa, p.f[0], p.f[1], p.f[2], p.f[3], hp.core, k->pb, q.f[0],
			     q.f[1], q.f[2], q.f[3], hq.core);
		bad++;
	}
	return bad;
}

/* The verdict's counterexample, checked from scratch: ports, the constraint's equalities (in
** either orientation: the engine stores the lower port first), cores recomputed. */
static void
check_example(const struct rss_config *c, const struct tcons *k, const struct rss_verdict *v,
	      const char *what)
{
	int a = port_of(c, k->pa), b = port_of(c, k->pb);
	struct tup p = { { v->p.src, v->p.dst, v->p.sport, v->p.dport } };
	struct tup q = { { v->q.src, v->q.dst, v->q.sport, v->q.dport } };
	unsigned cp = rss_hash(c, v->p.port, v->p.src, v->p.dst, v->p.sport, v->p.dport).core;
	unsigned cq = rss_hash(c, v->q.port, v->q.src, v->q.dst, v->q.sport, v->q.dport).core;
	bool linked = ((int)v->p.port == a && (int)v->q.port == b && agree(k, &p, &q)) ||
		      ((int)v->p.port == b && (int)v->q.port == a && agree(k, &q, &p));

	if (!v->has_example) {
		FAIL("%s: fails without a counterexample", what);
		return;
	}
	if (!linked)
		FAIL("%s: counterexample %u:%08x %08x %u %u / %u:%08x %08x %u %u is not linked",
		     what, v->p.port, p.f[0], p.f[1], p.f[2], p.f[3], v->q.port, q.f[0], q.f[1],
		     q.f[2], q.f[3]);
	if (cp != v->p.core || cq != v->q.core)
		FAIL("%s: counterexample cores %u %u, recomputed %u %u", what, v->p.core, v->q.core,
		     cp, cq);
	if (cp == cq)
		FAIL("%s: counterexample packets share core %u", what, cp);
}

/*---- Helpers for configurations ----*/

static bool
solve(const struct rss_cons *k, const struct rss_solve_opts *o, struct rss_solution *s,
      const char *what)
{
	struct err e = ERR_INIT;

	if (rss_solve(k, o, s, &e) < 0 || !s->cfg) {
		FAIL("%s: rss_solve: %s", what, e.msg);
		return false;
	}
	return true;
}

static struct fieldset
fs_of(const char *text)
{
	struct err e = ERR_INIT;
	struct fieldset fs = FIELDSET_DEFAULT;

	if (fieldset_parse(text, &fs, &e) < 0)
		FAIL("fieldset_parse(\"%s\"): %s", text, e.msg);
	return fs;
}

static void
hex_of(const uint8_t *key, unsigned n, bool colons, char *out)
{
	for (unsigned i = 0; i < n; i++)
		out += sprintf(out, "%s%02x", colons && i ? ":" : "", key[i]);
}

static void
set_key_bytes(struct rss_config *c, int port, const uint8_t *key, unsigned n)
{
	char hex[3 * TOEPLITZ_KEY_MAX + 1];
	struct err e = ERR_INIT;

	hex_of(key, n, false, hex);
	if (rss_set_key(c, port, hex, &e) < 0)
		FAIL("rss_set_key: %s", e.msg);
}

static void
set_reta(struct rss_config *c, int port, const char *list)
{
	struct err e = ERR_INIT;

	if (rss_set_reta(c, port, list, &e) < 0)
		FAIL("rss_set_reta(\"%.40s\"): %s", list, e.msg);
}

static void
set_fields(struct rss_config *c, int port, const char *set)
{
	struct err e = ERR_INIT;

	if (rss_set_fields(c, port, set, &e) < 0)
		FAIL("rss_set_fields(\"%s\"): %s", set, e.msg);
}

/*---- 1. Solver round trips ----*/

static void
round_trip(const struct tset *t, struct rss_cons *k, uint64_t seed, unsigned cores,
	   unsigned reta, bool alt, struct rng *r)
{
	struct rss_solve_opts o = { 0 };
	struct rss_solution s;
	struct rss_check chk;
	char what[160];
	const char *nic = reta == 2048 ? "ice" : "software";

	snprintf(what, sizeof what, "%s, seed %llu, %u cores, RETA %u (%s), %s", t->name,
		 (unsigned long long)seed, cores, reta, nic, alt ? "alt fields" : "4-tuple");
	o.nic = nic_find(nic, NULL);
	o.cores = cores;
	o.reta_size = reta;
	o.seed = seed;
	if (alt) {
		o.fields_given = true;
		for (unsigned p = 0; p < t->n_ports; p++)
			o.fs[p] = fs_of(t->alt[p]);
	}
	if (!solve(k, &o, &s, what))
		return;
	if (!s.satisfiable)
		FAIL("%s: not satisfiable: %s", what, s.why_not ? s.why_not : "(no reason)");
	CHECK(s.cfg->nic == o.nic);
	CHECK_EQ_INT(s.cfg->cores, cores);
	CHECK_EQ_INT(s.cfg->reta_size, reta);
	CHECK_EQ_INT(s.cfg->key_len, 52);
	CHECK_EQ_INT(s.cfg->n_ports, t->n_ports);
	for (unsigned p = 0; p < t->n_ports; p++) {
		struct fieldset want = alt ? o.fs[p] : FIELDSET_DEFAULT;
		uint32_t seen = 0;

		CHECK_STR(s.cfg->ports[p], t->ports[p]);
		CHECK(fieldset_eq(&s.cfg->port[p].fs, &want));
		/* The RETA reaches every core, and so do the port's packets: the key spreads. */
		for (unsigned i = 0; i < reta; i++)
			seen |= 1u << s.cfg->port[p].reta[i];
		CHECK_EQ_INT(seen, (1u << cores) - 1);
		seen = 0;
		for (unsigned i = 0; i < 4000; i++) {
			struct tup tp;

			rand_tup(r, &tp);
			seen |= 1u << hit(s.cfg, (int)p, &tp).core;
		}
		if (seen != (1u << cores) - 1)
			FAIL("%s: port %s reaches cores %#x only", what, t->ports[p], seen);
	}
	rss_check_run(s.cfg, k, &chk);
	if (!chk.satisfied)
		FAIL("%s: rss_check_run fails its own solution", what);
	rss_check_release(&chk);
	for (unsigned i = 0; i < t->n; i++) {
		char w2[200];

		snprintf(w2, sizeof w2, "%s, constraint %u", what, i + 1);
		violations(s.cfg, &t->k[i], r, 20000, true, w2);
	}
	rss_solution_release(&s);
}

static void
test_rss__solve_round_trips(void)
{
	static const uint64_t seeds[] = { 1, 7, 20240601 };
	static const unsigned cores[] = { 2, 3, 4, 8, 16, 5 };
	static const unsigned retas[] = { 128, 512, 2048 };
	struct rng r;
	unsigned n = 0;

	rng_init(&r, 4242);
	for (size_t i = 0; i < N_ROUND; i++) {
		struct rss_cons k;

		if (!cons_of(round_sets[i], &k))
			continue;
		for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++)
			for (int alt = 0; alt < 2; alt++, n++)
				round_trip(round_sets[i], &k, seeds[s], cores[n % 6], retas[n % 3],
					   alt, &r);
		rss_cons_release(&k);
	}
}

/* The engine's reading of "ipv4.src/20", "l4.sport[1]&0x0f" and of a reversed pair of ports. */
static void
test_rss__cons_from_val(void)
{
	struct rss_cons c;
	struct val *v = val_obj(), *ports = val_arr(), *list = val_arr(), *k = val_obj();
	struct val *kp = val_arr(), *pairs = val_arr(), *p1 = val_arr(), *p2 = val_arr();
	struct err e = ERR_INIT;

	val_push(ports, val_str("lan"));
	val_push(ports, val_str("wan"));
	val_push(kp, val_str("wan"));
	val_push(kp, val_str("lan"));
	val_push(p1, val_str("ipv4.src/20"));
	val_push(p1, val_str("ipv4.dst/20"));
	val_push(p2, val_str("l4.sport[1]&0x0f"));
	val_push(p2, val_str("l4.dport[1]"));
	val_push(pairs, p1);
	val_push(pairs, p2);
	val_set(k, "ports", kp);
	val_set(k, "pairs", pairs);
	val_push(list, k);
	val_set(v, "ports", ports);
	val_set(v, "constraints", list);
	if (rss_cons_from_val(v, &c, &e) < 0) {
		FAIL("rss_cons_from_val: %s", e.msg);
	} else {
		/* wan.src/20 = lan.dst/20, wan.sport[1]&0x0f = lan.dport[1]; stored lan first. */
		static const struct shard_pair want[] = {
			{ DST, 0, SRC, 0, 0xff },
			{ DST, 1, SRC, 1, 0xff },
			{ DST, 2, SRC, 2, 0xf0 },
			{ DP, 1, SP, 1, 0x0f },
		};
		uint8_t seen = 0;

		CHECK_EQ_INT(c.n, 1);
		CHECK_EQ_INT(c.k[0].port_a, 0);
		CHECK_EQ_INT(c.k[0].port_b, 1);
		CHECK_EQ_INT(c.k[0].n_pairs, 4);
		for (uint32_t j = 0; j < c.k[0].n_pairs && c.n == 1; j++)
			for (unsigned w = 0; w < 4; w++)
				if (!memcmp(&c.k[0].pairs[j], &want[w], sizeof want[w]))
					seen |= (uint8_t)(1u << w);
		CHECK_EQ_INT(seen, 0xf);
		rss_cons_release(&c);
	}
	val_free(v);
	/* An unknown port is named. */
	{
		struct val *w = val_obj(), *pw = val_arr(), *lw = val_arr(), *kw = val_obj();
		struct val *kpw = val_arr(), *prw = val_arr(), *pr = val_arr();

		val_push(pw, val_str("lan"));
		val_push(kpw, val_str("lan"));
		val_push(kpw, val_str("dmz"));
		val_push(pr, val_str("ipv4.src"));
		val_push(pr, val_str("ipv4.src"));
		val_push(prw, pr);
		val_set(kw, "ports", kpw);
		val_set(kw, "pairs", prw);
		val_push(lw, kw);
		val_set(w, "ports", pw);
		val_set(w, "constraints", lw);
		CHECK_EQ_INT(rss_cons_from_val(w, &c, &e), -EINVAL);
		CHECK(strstr(e.msg, "'dmz'") != NULL);
		val_free(w);
	}
}

/*---- 2. The firewall's symmetric keys ----*/

static void
test_rss__fw_symmetric(void)
{
	static const unsigned retas[] = { 128, 512, 2048 };
	struct rss_cons k;
	struct rng r;

	if (!cons_of(&set_fw, &k))
		return;
	rng_init(&r, 99);
	for (size_t i = 0; i < sizeof retas / sizeof retas[0]; i++) {
		struct rss_solve_opts o = { .nic = nic_find(retas[i] == 2048 ? "ice" : "software",
							    NULL),
					    .cores = 8, .reta_size = retas[i], .seed = 3 + i };
		struct rss_solution s;
		unsigned bad = 0, lan, wan;
		uint32_t mask = retas[i] - 1;

		if (!solve(&k, &o, &s, "fw"))
			continue;
		lan = (unsigned)port_of(s.cfg, "lan");
		wan = (unsigned)port_of(s.cfg, "wan");
		for (unsigned n = 0; n < 20000; n++) {
			struct tup t;
			uint8_t in[12];
			struct rss_hit hl, hw;

			rand_tup(&r, &t);
			hl = rss_hash(s.cfg, lan, t.f[0], t.f[1], (uint16_t)t.f[2],
				      (uint16_t)t.f[3]);
			hw = rss_hash(s.cfg, wan, t.f[1], t.f[0], (uint16_t)t.f[3],
				      (uint16_t)t.f[2]);
			if ((hl.hash ^ hw.hash) & mask && bad++ < 3)
				FAIL("RETA %u: H_lan %08x, H_wan swapped %08x", retas[i], hl.hash,
				     hw.hash);
			/* rss_hash: Toeplitz over the tuple in network order, with the key. */
			for (int b = 0; b < 4; b++) {
				in[b] = (uint8_t)(t.f[0] >> (24 - 8 * b));
				in[4 + b] = (uint8_t)(t.f[1] >> (24 - 8 * b));
			}
			in[8] = (uint8_t)(t.f[2] >> 8), in[9] = (uint8_t)t.f[2];
			in[10] = (uint8_t)(t.f[3] >> 8), in[11] = (uint8_t)t.f[3];
			if (toeplitz_ref(s.cfg->port[lan].key, s.cfg->key_len, in, 12) != hl.hash &&
			    bad++ < 3)
				FAIL("rss_hash %08x is not toeplitz_ref's", hl.hash);
			if (hl.index != (hl.hash & mask) ||
			    hl.core != s.cfg->port[lan].reta[hl.index])
				bad++;
		}
		CHECK_EQ_INT(bad, 0);
		rss_solution_release(&s);
	}
	rss_cons_release(&k);
}

/*---- 3. Known bad keys ----*/

static void
test_rss__zero_key(void)
{
	const char *ports[] = { "p" };
	struct rss_config *c = rss_config_new(NULL, 4, 0, 1, ports);
	uint8_t zero[52] = { 0 };
	struct rss_quality q;
	struct rng r;
	unsigned bad = 0;

	set_reta(c, -1, "2,0,1,3");
	set_key_bytes(c, -1, zero, sizeof zero);
	CHECK_EQ_INT(c->key_len, 52);
	rss_quality(c, NULL, &q);
	CHECK(q.port[0].zero_key);
	CHECK(!q.port[0].full);
	CHECK(!q.full);
	CHECK_EQ_INT(q.port[0].rank, 0);
	CHECK_EQ_INT(q.port[0].cores_hit_subnet, 1);
	rng_init(&r, 5);
	for (unsigned i = 0; i < 5000; i++) {
		struct tup t;
		struct rss_hit h;

		rand_tup(&r, &t);
		h = hit(c, 0, &t);
		bad += h.hash != 0 || h.core != 2;
	}
	CHECK_EQ_INT(bad, 0);
	rss_config_free(c);
}

/* 6d5a repeated to 52 bytes: period 16, symmetric, and useless for "same ipv4.dst". */
static void
test_rss__key_6d5a(void)
{
	const char *ports[] = { "p" };
	struct rss_config *c = rss_config_new(NULL, 8, 0, 1, ports);
	struct rss_cons kd, ks;
	struct rss_quality q;
	struct rss_check chk;
	uint8_t key[52];
	struct rng r;

	for (unsigned i = 0; i < sizeof key; i++)
		key[i] = i % 2 ? 0x5a : 0x6d;
	set_key_bytes(c, -1, key, sizeof key);
	rss_quality(c, NULL, &q);
	CHECK_EQ_INT(q.port[0].period, 16);
	CHECK(!q.port[0].zero_key);
	rng_init(&r, 6);
	if (cons_of(&set_dst, &kd)) {
		rss_check_run(c, &kd, &chk);
		CHECK(!chk.satisfied);
		CHECK_EQ_INT(chk.n, 1);
		if (chk.n == 1) {
			CHECK(!chk.v[0].holds);
			CHECK(!chk.v[0].same_index);
			check_example(c, &set_dst.k[0], &chk.v[0], "6d5a, same ipv4.dst");
			CHECK_EQ_INT(chk.v[0].p.dst, chk.v[0].q.dst);
		}
		rss_check_release(&chk);
		CHECK(violations(c, &set_dst.k[0], &r, 2000, false, "") > 0);
		rss_cons_release(&kd);
	}
	if (cons_of(&set_sym, &ks)) {
		rss_check_run(c, &ks, &chk);
		CHECK(chk.satisfied);
		CHECK(chk.n == 1 && chk.v[0].holds && chk.v[0].same_index);
		rss_check_release(&chk);
		violations(c, &set_sym.k[0], &r, 20000, true, "6d5a, symmetric");
		rss_cons_release(&ks);
	}
	rss_config_free(c);
}

/*---- 4. Quality, and the field set recommended ----*/

static void
quality_case(const struct tset *t, const char *only, enum shard_field field)
{
	struct rss_cons k;
	struct rss_solve_opts o = { .nic = NULL, .cores = 8, .reta_size = 512, .seed = 11 };
	struct rss_solution s;
	struct rss_fieldsets fsets;
	struct err e = ERR_INIT;
	const struct rss_candidate *rc;
	struct rng r;
	int wan;

	if (!cons_of(t, &k))
		return;
	rng_init(&r, 1234);
	/* The field alone, on every port: full. */
	o.fields_given = true;
	o.fs[0] = o.fs[1] = fs_of(only);
	if (solve(&k, &o, &s, only)) {
		CHECK(s.satisfiable);
		if (!s.q.full)
			FAIL("%s with %s: not full", t->name, only);
		violations(s.cfg, &t->k[0], &r, 20000, true, only);
		rss_solution_release(&s);
	}
	/* Per port: lan the 4-tuple, wan the field alone. */
	o.fs[0] = fs_of("sdfn");
	o.fs[1] = fs_of(t->alt[1]);
	if (solve(&k, &o, &s, "per port")) {
		CHECK(s.satisfiable);
		if (!s.q.full)
			FAIL("%s with lan=sdfn wan=%s: not full", t->name, t->alt[1]);
		rss_solution_release(&s);
	}
	/* The 4-tuple: satisfiable, never full, whatever the seed. */
	o.fields_given = false;
	for (uint64_t seed = 1; seed <= 4; seed++) {
		o.seed = seed;
		o.samples = 512;
		if (!solve(&k, &o, &s, "4-tuple"))
			continue;
		CHECK(s.satisfiable);
		if (s.q.full)
			FAIL("%s, seed %llu: the 4-tuple reached full quality", t->name,
			     (unsigned long long)seed);
		CHECK(!s.q.port[1].full);
		violations(s.cfg, &t->k[0], &r, 5000, true, "4-tuple");
		rss_solution_release(&s);
	}
	/* The recommendation hashes only the field on wan, and says it is full. */
	o.seed = 11;
	o.samples = 0;
	if (rss_fieldsets_run(&k, &o, &fsets, &e) < 0) {
		FAIL("rss_fieldsets_run: %s", e.msg);
		rss_cons_release(&k);
		return;
	}
	CHECK(fsets.recommended >= 0);
	CHECK(fsets.plain >= 0);
	if (fsets.plain >= 0) {
		CHECK(fieldset_eq(&fsets.c[fsets.plain].fs[1], &FIELDSET_DEFAULT));
		CHECK(!fsets.c[fsets.plain].sol.q.full);
	}
	if (fsets.recommended >= 0) {
		wan = 1;
		rc = &fsets.c[fsets.recommended];
		if (rc->fs[wan].fields != (1u << field))
			FAIL("%s: recommended '%s' hashes %#x on wan", t->name, rc->name,
			     rc->fs[wan].fields);
		CHECK(rc->sol.satisfiable);
		CHECK(rc->sol.q.full);
		if (!fsets.why || !strstr(fsets.why, "full quality"))
			FAIL("%s: why \"%s\" does not say full quality", t->name,
			     fsets.why ? fsets.why : "(null)");
		if (rc->sol.cfg)
			violations(rc->sol.cfg, &t->k[0], &r, 20000, true, "recommended");
	}
	rss_fieldsets_release(&fsets);
	rss_cons_release(&k);
}

static void
test_rss__quality_wan_dst(void)
{
	quality_case(&set_wan_dst, "ipv4,l3-dst-only", SHARD_DST);
}

static void
test_rss__quality_wan_src(void)
{
	quality_case(&set_wan_src, "ipv4,l3-src-only", SHARD_SRC);
}

/*---- 5. Unsatisfiable ----*/

static void
test_rss__unsatisfiable(void)
{
	struct rss_cons k;
	struct rss_solve_opts o = { .cores = 4, .seed = 2, .fields_given = true };
	struct rss_solution s;
	struct rss_check chk;
	struct rng r;

	if (!cons_of(&set_wan_src, &k))
		return;
	o.fs[0] = o.fs[1] = fs_of("ipv4,l3-dst-only");
	if (solve(&k, &o, &s, "l3-dst-only")) {
		CHECK(!s.satisfiable);
		if (!s.why_not || !strstr(s.why_not, "constraint 1") ||
		    !strstr(s.why_not, "ipv4.src") || !strstr(s.why_not, "wan"))
			FAIL("why_not \"%s\" does not name wan, constraint 1 and ipv4.src",
			     s.why_not ? s.why_not : "(null)");
		/* What it returns still keeps the constraint: wan goes to one core. */
		rss_check_run(s.cfg, &k, &chk);
		CHECK(chk.satisfied);
		rss_check_release(&chk);
		rng_init(&r, 8);
		violations(s.cfg, &set_wan_src.k[0], &r, 5000, true, "unsatisfiable");
		rss_solution_release(&s);
	}
	/* The NIC refusing the field set is an error, not an answer. */
	{
		struct err e = ERR_INIT;

		o.nic = nic_find("ixgbe", NULL);
		o.reta_size = 128;
		CHECK_EQ_INT(rss_solve(&k, &o, &s, &e), -EINVAL);
		CHECK(strstr(e.msg, "ixgbe") != NULL);
		o.nic = NULL;
		o.fields_given = false;
		o.cores = 600;
		o.reta_size = 512;
		CHECK_EQ_INT(rss_solve(&k, &o, &s, &e), -EINVAL);
		o.cores = 4;
		o.reta_size = 384;
		CHECK_EQ_INT(rss_solve(&k, &o, &s, &e), -EINVAL);
	}
	rss_cons_release(&k);
}

/*---- 6. Keys ----*/

struct snap {
	unsigned key_len;
	uint8_t key[2][TOEPLITZ_KEY_MAX];
	uint32_t hash[2];
};

static void
snap_of(const struct rss_config *c, struct snap *s)
{
	memset(s, 0, sizeof *s);
	s->key_len = c->key_len;
	for (unsigned p = 0; p < 2 && p < c->n_ports; p++) {
		memcpy(s->key[p], c->port[p].key, TOEPLITZ_KEY_MAX);
		s->hash[p] = rss_hash(c, p, 0x01020304, 0x0a0b0c0d, 1234, 80).hash;
	}
}

static bool
snap_same(const struct rss_config *c, const struct snap *s)
{
	struct snap now;

	snap_of(c, &now);
	return !memcmp(&now, s, sizeof now);
}

/* Setting 'hex' on 'port' fails with -EINVAL, naming 'want', and changes nothing. */
static void
key_fails(struct rss_config *c, int port, const char *hex, const char *want)
{
	struct snap before;
	struct err e = ERR_INIT;
	int rc;

	memset(&before, 0, sizeof before);
	snap_of(c, &before);
	rc = rss_set_key(c, port, hex, &e);
	if (rc != -EINVAL)
		FAIL("rss_set_key(\"%.30s...\") = %d, want -EINVAL", hex, rc);
	else if (!strstr(e.msg, want))
		FAIL("rss_set_key(\"%.30s...\"): message \"%s\" does not name \"%s\"", hex, e.msg,
		     want);
	if (!snap_same(c, &before))
		FAIL("rss_set_key(\"%.30s...\") failed but changed the configuration", hex);
}

static void
test_rss__keys(void)
{
	const char *ports[] = { "lan", "wan" };
	struct rss_config *c = rss_config_new(nic_find("ice", NULL), 4, 0, 2, ports);
	uint8_t key[64];
	char hex[256], buf[300];
	struct err e = ERR_INIT;
	struct rng r;

	rng_init(&r, 12);
	CHECK_EQ_INT(c->key_len, 52);
	/* Plain, with colons, with 0x, upper case: all the same key. */
	for (int form = 0; form < 4; form++) {
		for (unsigned i = 0; i < 52; i++)
			key[i] = (uint8_t)rng_u64(&r);
		hex_of(key, 52, form == 1, hex);
		if (form == 2) {
			snprintf(buf, sizeof buf, "0x%s", hex);
		} else if (form == 3) {
			snprintf(buf, sizeof buf, "0X%s", hex);
			for (char *p = buf + 2; *p; p++)
				if (*p >= 'a' && *p <= 'f')
					*p = (char)(*p - 'a' + 'A');
		} else {
			snprintf(buf, sizeof buf, "%s", hex);
		}
		if (rss_set_key(c, -1, buf, &e) < 0) {
			FAIL("form %d: %s", form, e.msg);
			continue;
		}
		for (unsigned p = 0; p < 2; p++) {
			uint8_t in[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

			if (memcmp(c->port[p].key, key, 52))
				FAIL("form %d: port %u has another key", form, p);
			/* The table is rebuilt: rss_hash uses the new key. */
			CHECK_EQ_INT(rss_hash(c, p, 0x01020304, 0x05060708, 0x090a, 0x0b0c).hash,
				     toeplitz_ref(key, 52, in, 12));
		}
	}
	/* One port only. */
	{
		uint8_t other[52];

		for (unsigned i = 0; i < 52; i++)
			other[i] = (uint8_t)~key[i];
		hex_of(other, 52, true, hex);
		CHECK_EQ_INT(rss_set_key(c, 1, hex, &e), 0);
		CHECK(!memcmp(c->port[0].key, key, 52));
		CHECK(!memcmp(c->port[1].key, other, 52));
	}
	/* Wrong lengths name the size expected. */
	hex_of(key, 40, false, hex);
	key_fails(c, -1, hex, "52");
	hex_of(key, 53, true, hex);
	key_fails(c, 0, hex, "52");
	hex_of(key, 64, false, hex);
	snprintf(buf, sizeof buf, "%s00", hex);
	key_fails(c, -1, buf, "64");
	key_fails(c, -1, "", "52");
	/* Odd digits before a colon, and a non-hex character: the column is named. */
	hex_of(key, 52, true, hex);
	snprintf(buf, sizeof buf, "6d5:%s", hex + 3);
	key_fails(c, -1, buf, "column 4");
	hex_of(key, 52, false, hex);
	memcpy(buf, hex, 105);
	buf[9] = 'g';
	key_fails(c, -1, buf, "column 10");
	buf[9] = 'z';
	key_fails(c, 1, buf, "'z'");
	/* An odd count with no separator to point at says it is odd. */
	snprintf(buf, sizeof buf, "%s0", hex);
	key_fails(c, -1, buf, "odd");
	/* software: any 16..64 bytes, but one length per configuration. */
	rss_config_free(c);
	c = rss_config_new(NULL, 4, 0, 2, ports);
	hex_of(key, 16, false, hex);
	key_fails(c, 1, hex, "all ports");
	CHECK_EQ_INT(rss_set_key(c, -1, hex, &e), 0);
	CHECK_EQ_INT(c->key_len, 16);
	hex_of(key, 15, false, hex);
	key_fails(c, -1, hex, "16");
	rss_config_free(c);
}

/* The column of a bad character is counted in the text as given, 0x included. */
static void
test_rss__key_column_after_0x(void)
{
	const char *ports[] = { "p" };
	struct rss_config *c = rss_config_new(NULL, 4, 0, 1, ports);
	char buf[200];

	/* "0x6d5g...": the 'g' is the 6th character typed. */
	snprintf(buf, sizeof buf, "0x6d5g");
	for (unsigned i = 6; i < 2 + 104; i++)
		buf[i] = 'a';
	buf[2 + 104] = 0;
	key_fails(c, -1, buf, "column 6");
	rss_config_free(c);
}

/*---- 7. RETA ----*/

static void
reta_fails(struct rss_config *c, int port, const char *list, const char *want)
{
	uint16_t before[2][512];
	struct err e = ERR_INIT;
	int rc;

	memcpy(before[0], c->port[0].reta, sizeof before[0]);
	memcpy(before[1], c->port[1].reta, sizeof before[1]);
	rc = rss_set_reta(c, port, list, &e);
	if (rc != -EINVAL)
		FAIL("rss_set_reta(\"%.30s\") = %d, want -EINVAL", list, rc);
	else if (!strstr(e.msg, want))
		FAIL("rss_set_reta(\"%.30s\"): message \"%s\" does not name \"%s\"", list, e.msg,
		     want);
	if (memcmp(before[0], c->port[0].reta, sizeof before[0]) ||
	    memcmp(before[1], c->port[1].reta, sizeof before[1]))
		FAIL("rss_set_reta(\"%.30s\") failed but changed a RETA", list);
}

static void
test_rss__reta(void)
{
	const char *ports[] = { "lan", "wan" };
	struct rss_config *c = rss_config_new(NULL, 4, 0, 2, ports);
	static char list[512 * 4 + 1];
	unsigned bad = 0;
	char *p = list;

	CHECK_EQ_INT(c->reta_size, 512);
	for (unsigned i = 0; i < 512; i++)
		bad += c->port[0].reta[i] != i % 4 || c->port[1].reta[i] != i % 4;
	/* A full list. */
	for (unsigned i = 0; i < 512; i++)
		p += sprintf(p, "%s%u", i ? (i % 3 ? "," : " ") : "", (i * 7 + i / 5) % 4);
	set_reta(c, -1, list);
	for (unsigned i = 0; i < 512; i++)
		bad += c->port[0].reta[i] != (i * 7 + i / 5) % 4 ||
		       c->port[1].reta[i] != (i * 7 + i / 5) % 4;
	/* A pattern, repeated; one port only. */
	set_reta(c, 1, "3, 2,1 0 0 1 2 3");
	for (unsigned i = 0; i < 512; i++) {
		static const uint16_t pat[] = { 3, 2, 1, 0, 0, 1, 2, 3 };

		bad += c->port[1].reta[i] != pat[i % 8];
		bad += c->port[0].reta[i] != (i * 7 + i / 5) % 4;
	}
	set_reta(c, -1, "default");
	for (unsigned i = 0; i < 512; i++)
		bad += c->port[0].reta[i] != i % 4 || c->port[1].reta[i] != i % 4;
	CHECK_EQ_INT(bad, 0);
	/* Refusals change nothing. */
	set_reta(c, 0, "1");
	reta_fails(c, -1, "0,1,4,2", "core 4");
	reta_fails(c, 1, "0,x,1,2", "'x");
	reta_fails(c, -1, "0,-1", "core");
	reta_fails(c, -1, "0,1,2", "divides 512");
	reta_fails(c, -1, "0 1 2 3 0 1", "divides 512");
	reta_fails(c, -1, "", "divides");
	reta_fails(c, -1, " , ", "divides");
	reta_fails(c, -1, "1.5", "'.5");
	strcat(list, ",0");	/* 513 entries */
	reta_fails(c, -1, list, "more than 512");
	rss_config_free(c);
}

/* Linked ports with different RETAs fail, with a counterexample; one core always holds. */
static void
test_rss__reta_linked(void)
{
	struct rss_cons k, kd;
	struct rss_solve_opts o = { .cores = 4, .reta_size = 512, .seed = 5 };
	struct rss_solution s;
	struct rss_check chk;
	struct rng r;

	if (!cons_of(&set_fw, &k))
		return;
	rng_init(&r, 31);
	if (solve(&k, &o, &s, "fw")) {
		set_reta(s.cfg, port_of(s.cfg, "lan"), "0,1,2,3");
		set_reta(s.cfg, port_of(s.cfg, "wan"), "1,2,3,0");
		rss_check_run(s.cfg, &k, &chk);
		CHECK(!chk.satisfied);
		if (chk.n == 3) {
			CHECK(chk.v[0].same_index);	/* the key is still symmetric */
			CHECK(!chk.v[0].holds);
			check_example(s.cfg, &set_fw.k[0], &chk.v[0], "different RETAs");
			CHECK(chk.v[1].holds && chk.v[2].holds);
		} else {
			FAIL("%u verdicts, want 3", chk.n);
		}
		rss_check_release(&chk);
		CHECK(violations(s.cfg, &set_fw.k[0], &r, 2000, false, "") > 0);
		/* The same RETA again: holds. */
		set_reta(s.cfg, -1, "3,1,0,2");
		rss_check_run(s.cfg, &k, &chk);
		CHECK(chk.satisfied);
		rss_check_release(&chk);
		rss_solution_release(&s);
	}
	/* One core: any key holds, even when linked packets' indices differ. */
	if (cons_of(&set_dst, &kd)) {
		const char *ports1[] = { "lan", "wan" };
		struct rss_config *c = rss_config_new(NULL, 1, 0, 2, ports1);
		const char *pp[] = { "p" };
		struct rss_config *c1 = rss_config_new(NULL, 1, 0, 1, pp);
		uint8_t key[52];

		for (int t = 0; t < 5; t++) {
			for (unsigned i = 0; i < sizeof key; i++)
				key[i] = (uint8_t)rng_u64(&r);
			set_key_bytes(c, -1, key, sizeof key);
			rss_check_run(c, &k, &chk);
			CHECK(chk.satisfied);
			CHECK(chk.n == 3 && !chk.v[0].same_index && chk.v[0].holds);
			rss_check_release(&chk);
			set_key_bytes(c1, -1, key, sizeof key);
			rss_check_run(c1, &kd, &chk);
			CHECK(chk.satisfied);
			rss_check_release(&chk);
			CHECK_EQ_INT(violations(c, &set_fw.k[0], &r, 500, true, "one core"), 0);
		}
		rss_config_free(c);
		rss_config_free(c1);
		rss_cons_release(&kd);
	}
	rss_cons_release(&k);
}

/*---- 8. Configurations through values ----*/

static void
same_config(const struct rss_config *a, const struct rss_config *b, const char *what)
{
	if (a->nic != b->nic || a->cores != b->cores || a->key_len != b->key_len ||
	    a->reta_size != b->reta_size || a->n_ports != b->n_ports || a->seed != b->seed) {
		FAIL("%s: nic %s/%s cores %u/%u key_len %u/%u reta %u/%u ports %u/%u seed "
		     "%llu/%llu",
		     what, a->nic->name, b->nic->name, a->cores, b->cores, a->key_len, b->key_len,
		     a->reta_size, b->reta_size, a->n_ports, b->n_ports,
		     (unsigned long long)a->seed, (unsigned long long)b->seed);
		return;
	}
	for (unsigned p = 0; p < a->n_ports; p++) {
		if (strcmp(a->ports[p], b->ports[p]))
			FAIL("%s: port %u is %s, was %s", what, p, b->ports[p], a->ports[p]);
		if (memcmp(a->port[p].key, b->port[p].key, a->key_len))
			FAIL("%s: port %u key differs", what, p);
		if (!fieldset_eq(&a->port[p].fs, &b->port[p].fs))
			FAIL("%s: port %u fields %#x/%#x types %#x/%#x", what, p,
			     a->port[p].fs.fields, b->port[p].fs.fields, a->port[p].fs.types,
			     b->port[p].fs.types);
		if (memcmp(a->port[p].reta, b->port[p].reta, a->reta_size * sizeof(uint16_t)))
			FAIL("%s: port %u RETA differs", what, p);
		if (rss_hash(a, p, 1, 2, 3, 4).hash != rss_hash(b, p, 1, 2, 3, 4).hash)
			FAIL("%s: port %u hashes differently", what, p);
	}
}

/* v with its "ports" object rebuilt in reverse order (what a Lua table may hand back). */
static void
reverse_ports(struct val *v)
{
	const struct val *ports = val_get(v, "ports");
	struct val *rev = val_obj();

	for (size_t i = ports->u.c.n; i-- > 0;) {
		const struct val *o = ports->u.c.items[i], *reta = val_get(o, "reta");
		struct val *n = val_obj();

		val_set_str(n, "key", val_get_str(o, "key"));
		val_set_str(n, "fields", val_get_str(o, "fields"));
		if (reta) {
			struct val *r = val_arr();

			for (size_t j = 0; j < reta->u.c.n; j++)
				val_push(r, val_int(reta->u.c.items[j]->u.i));
			val_set(n, "reta", r);
		}
		val_set(rev, ports->u.c.keys[i], n);
	}
	val_set(v, "ports", rev);
}

static void
round_trip_val(const struct rss_config *c, const char *what)
{
	struct val *v = rss_config_val(c);
	struct err e = ERR_INIT;
	struct rss_config *b = rss_config_from_val(v, &e);

	if (!b)
		FAIL("%s: rss_config_from_val: %s", what, e.msg);
	else
		same_config(c, b, what);
	rss_config_free(b);
	/* The port order comes from port_order, not from the table's key order. */
	reverse_ports(v);
	b = rss_config_from_val(v, &e);
	if (!b)
		FAIL("%s, reversed: rss_config_from_val: %s", what, e.msg);
	else
		same_config(c, b, what);
	rss_config_free(b);
	val_free(v);
}

static void
test_rss__config_val(void)
{
	struct rss_cons k;
	struct rss_solve_opts o = { .nic = nic_find("ice", NULL), .cores = 6, .reta_size = 2048,
				    .seed = 77, .fields_given = true };
	struct rss_solution s;
	const char *ports3[] = { "x", "lan", "wan" };
	struct rss_config *c;
	uint8_t key[16];

	if (!cons_of(&set_nat, &k))
		return;
	o.fs[0] = fs_of("ipv4-tcp,l3-dst-only,l4-dst-only");
	o.fs[1] = fs_of("ipv4-udp,l3-src-only,l4-src-only");
	if (solve(&k, &o, &s, "nat")) {
		round_trip_val(s.cfg, "nat on ice");
		/* A RETA per port. */
		set_reta(s.cfg, 1, "5,4,3,2,1,0,0,1");
		round_trip_val(s.cfg, "nat, RETA per port");
		rss_solution_release(&s);
	}
	rss_cons_release(&k);
	/* software: a short key, 'fn' and per-port RETAs on three ports, the last first. */
	c = rss_config_new(NULL, 3, 0, 3, ports3);
	for (unsigned i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)(i * 37 + 1);
	set_key_bytes(c, -1, key, sizeof key);
	key[3] ^= 0x40;
	set_key_bytes(c, 2, key, sizeof key);
	set_fields(c, 0, "fn");
	set_fields(c, 2, "ipv4,l3-src-only");
	set_reta(c, 0, "2,1,0,0");
	c->seed = 123456789;
	round_trip_val(c, "software, three ports");
	set_reta(c, -1, "1");
	round_trip_val(c, "software, one RETA");
	rss_config_free(c);
	/* Refusals. */
	{
		struct val *v = val_obj();
		struct err e = ERR_INIT;

		val_set_str(v, "nic", "e1000");
		CHECK(rss_config_from_val(v, &e) == NULL);
		CHECK(strstr(e.msg, "e1000") != NULL);
		val_set_str(v, "nic", "software");
		val_set_int(v, "reta_size", 100);
		CHECK(rss_config_from_val(v, &e) == NULL);
		val_free(v);
	}
	/* A port_order naming a port twice (found by fuzzing): it made two ports "a", dropped
	** "b", and the configuration did not read back. */
	{
		struct val *v = val_obj(), *ports = val_obj(), *order = val_arr();
		struct err e = ERR_INIT;

		val_set(ports, "a", val_obj());
		val_set(ports, "b", val_obj());
		val_set(v, "ports", ports);
		val_push(order, val_str("a"));
		val_push(order, val_str("a"));
		val_set(v, "port_order", order);
		CHECK(rss_config_from_val(v, &e) == NULL);
		CHECK(strstr(e.msg, "twice") != NULL);
		val_free(v);
	}
}

/*---- 9. rss_check_run against brute force ----*/

static const char *const fsets[] = { "sdfn", "sd", "d", "s", "dn", "sf", "fn", "sdn", "df" };

static void
random_key(struct rng *r, int kind, uint8_t key[52])
{
	if (kind == 1) {	/* period 16: symmetric windows */
		uint16_t w = (uint16_t)rng_u64(r);

		for (unsigned i = 0; i < 52; i++)
			key[i] = (uint8_t)(i % 2 ? w : w >> 8);
		return;
	}
	for (unsigned i = 0; i < 52; i++)
		key[i] = (uint8_t)rng_u64(r);
}

/* *c with a RETA of 'size' entries (all core 0), keys kept, through its value (a solved configuration resized). */
static void
resize_reta(struct rss_config **c, unsigned size)
{
	struct val *v = rss_config_val(*c), *reta = val_arr();
	struct err e = ERR_INIT;
	struct rss_config *d;

	val_set_int(v, "reta_size", size);
	val_push(reta, val_int(0));
	val_set(v, "reta", reta);
	d = rss_config_from_val(v, &e);
	val_free(v);
	if (!d) {
		FAIL("resize to %u: %s", size, e.msg);
		return;
	}
	rss_config_free(*c);
	*c = d;
}

/* One random case: the verdict per constraint against 'n' random linked pairs. When 'exact'
** (a RETA of at most 8 entries, so a few thousand pairs reach every pair of indices linked
** packets can take), a verdict that holds must match no violation found and the reverse. */
static void
brute_case(const struct tset *t, const struct rss_cons *k, struct rng *r, unsigned reta,
	   bool exact, unsigned *n_holds, unsigned *n_fails)
{
	struct rss_solve_opts o = { .cores = 2 + (unsigned)rng_below(r, reta < 4 ? 1 : 3),
				    .reta_size = reta, .seed = rng_u64(r) | 1, .samples = 8 };
	struct rss_solution s;
	struct rss_check chk;
	struct rss_config *c;
	char list[1024], what[200];
	int kind = (int)rng_below(r, 4);
	uint8_t key[52];

	if (kind == 3) {	/* a solved key, sometimes one bit off */
		if (!solve(k, &o, &s, "brute"))
			return;
		c = rss_config_copy(s.cfg);
		rss_solution_release(&s);
		if (rng_below(r, 2)) {
			memcpy(key, c->port[0].key, 52);
			key[rng_below(r, 16)] ^= (uint8_t)(1u << rng_below(r, 8));
			set_key_bytes(c, 0, key, 52);
		}
	} else {
		c = rss_config_new(NULL, o.cores, reta, t->n_ports, t->ports);
		for (unsigned p = 0; p < t->n_ports; p++) {
			random_key(r, kind, key);
			set_key_bytes(c, (int)p, key, 52);
			set_fields(c, (int)p, fsets[rng_below(r, sizeof fsets / sizeof fsets[0])]);
		}
	}
	/* A random RETA, one per port when kind is 2 and there are two ports. */
	for (unsigned p = 0; p < t->n_ports; p++) {
		char *q = list;

		if (p && kind != 2)
			break;
		for (unsigned i = 0; i < reta; i++)
			q += sprintf(q, "%s%u", i ? "," : "", (unsigned)rng_below(r, c->cores));
		set_reta(c, kind == 2 ? (int)p : -1, list);
	}
	rss_check_run(c, k, &chk);
	for (unsigned i = 0; i < t->n && i < chk.n; i++) {
		unsigned bad;

		snprintf(what, sizeof what, "%s, constraint %u, RETA %u, key kind %d", t->name,
			 i + 1, reta, kind);
		bad = violations(c, &t->k[i], r, exact ? 3000 : 1000, false, what);
		if (chk.v[i].holds) {
			(*n_holds)++;
			if (bad)
				FAIL("%s: check holds but %u of the random linked pairs split",
				     what, bad);
		} else {
			(*n_fails)++;
			check_example(c, &t->k[i], &chk.v[i], what);
			if (exact && !bad)
				FAIL("%s: check fails but no random linked pair splits", what);
		}
		if (chk.v[i].same_index && !chk.v[i].holds)
			FAIL("%s: same index yet fails", what);
	}
	rss_check_release(&chk);
	rss_config_free(c);
}

static void
test_rss__check_vs_brute(void)
{
	static const unsigned retas[] = { 2, 4, 8, 128 };
	static const struct tset *const sets[] = {
		&set_dst, &set_src24, &set_fw, &set_nat, &set_sym, &set_mix, &set_masked,
		&set_wan_dst,
	};
	struct rss_cons k[sizeof sets / sizeof sets[0]];
	unsigned holds = 0, fails = 0;
	struct rng r;

	for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
		if (!cons_of(sets[i], &k[i]))
			return;
	rng_init(&r, 2718);
	for (unsigned n = 0; n < 240; n++) {
		size_t i = rng_below(&r, sizeof sets / sizeof sets[0]);
		unsigned reta = retas[n % 4];

		brute_case(sets[i], &k[i], &r, reta, reta <= 8, &holds, &fails);
	}
	printf("# check vs brute force: %u verdicts hold, %u fail\n", holds, fails);
	CHECK(holds >= 40);
	CHECK(fails >= 40);
	for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
		rss_cons_release(&k[i]);
}

/* A key made for RETA bit 0 only holds under a RETA that looks at bit 0 only. */
static void
test_rss__check_index_bits(void)
{
	struct rss_cons k;
	struct rss_solve_opts o = { .cores = 2, .reta_size = 2, .seed = 13 };
	struct rss_solution s;
	struct rss_check chk;
	struct rng r;

	if (!cons_of(&set_sym, &k))
		return;
	rng_init(&r, 14);
	if (solve(&k, &o, &s, "sym, RETA 2")) {
		struct rss_config *c = rss_config_copy(s.cfg);
		unsigned found = 0;

		resize_reta(&c, 8);
		if (c->reta_size == 8) {
			set_reta(c, -1, "0,1");	/* core = index bit 0 */
			rss_check_run(c, &k, &chk);
			CHECK(chk.satisfied);
			rss_check_release(&chk);
			CHECK_EQ_INT(violations(c, &set_sym.k[0], &r, 3000, true, "bit 0"), 0);
			/* Nothing made index bit 1 symmetric (48 equations a sampled key meets by
			** chance once in 2^48). */
			set_reta(c, -1, "0,0,1,1");	/* core = index bit 1 */
			rss_check_run(c, &k, &chk);
			found = violations(c, &set_sym.k[0], &r, 3000, false, "");
			CHECK(!chk.satisfied);
			CHECK(found > 0);
			if (chk.n == 1 && !chk.v[0].holds) {
				CHECK(!chk.v[0].same_index);
				check_example(c, &set_sym.k[0], &chk.v[0], "bit 1");
			}
			rss_check_release(&chk);
			rss_config_free(c);
		}
		rss_solution_release(&s);
	}
	rss_cons_release(&k);
}

/* Past 4096 entries (software only) the index pairs are sampled, not enumerated: a failure
** is still found, and a shared index with a shared RETA still holds. */
static void
test_rss__check_large_reta(void)
{
	const char *ports[] = { "p" };
	struct rss_config *c = rss_config_new(NULL, 4, 8192, 1, ports);
	struct rss_cons kd, ks;
	struct rss_check chk;
	uint8_t key[52];
	struct rng r;

	rng_init(&r, 65);
	for (unsigned i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)rng_u64(&r);
	set_key_bytes(c, -1, key, sizeof key);
	if (cons_of(&set_dst, &kd)) {
		rss_check_run(c, &kd, &chk);
		CHECK(!chk.satisfied);
		if (chk.n == 1)
			check_example(c, &set_dst.k[0], &chk.v[0], "RETA 8192, same ipv4.dst");
		rss_check_release(&chk);
		rss_cons_release(&kd);
	}
	for (unsigned i = 0; i < sizeof key; i++)
		key[i] = i % 2 ? 0x5a : 0x6d;
	set_key_bytes(c, -1, key, sizeof key);
	if (cons_of(&set_sym, &ks)) {
		rss_check_run(c, &ks, &chk);
		CHECK(chk.satisfied);
		rss_check_release(&chk);
		CHECK_EQ_INT(violations(c, &set_sym.k[0], &r, 5000, true, "RETA 8192, 6d5a"), 0);
		rss_cons_release(&ks);
	}
	rss_config_free(c);
}

/*---- 10. Solve time ----*/

static void
test_rss__solve_time(void)
{
	struct rss_cons k;
	struct rss_solve_opts o = { .cores = 8, .reta_size = 512, .seed = 1 };
	struct rss_solution s;
	double t0, best = 1e9;

	if (!cons_of(&set_fw, &k))
		return;
	for (int i = 0; i < 3; i++) {
		t0 = clock_seconds();
		if (!solve(&k, &o, &s, "fw"))
			break;
		if (clock_seconds() - t0 < best)
			best = clock_seconds() - t0;
		CHECK(s.satisfiable);
		CHECK(s.seconds > 0);
		if (i == 2)
			printf("# rss_solve fw (2 ports, 3 constraints, RETA 512, %u samples): "
			       "%.2f ms "
			       "(best of 3; rank %u of %u equations, %u free key bits)\n",
			       s.samples, best * 1e3, s.rank, s.n_equations, s.free_bits);
		rss_solution_release(&s);
	}
	rss_cons_release(&k);
}

/*---- 11. Rebalancing for a measured load ----*/

/* Packets per core of port p's loads through port p's RETA now (sums added to 'sum'). */
static void
rb_through(const struct rss_config *c, unsigned p, const uint64_t *load, uint64_t *sum)
{
	for (unsigned i = 0; i < c->reta_size; i++)
		sum[c->port[p].reta[i]] += load[i];
}

static uint64_t
rb_max(const uint64_t *v, unsigned n)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

static bool
rb_near(double a, double b)
{
	return a - b < 1e-9 && b - a < 1e-9;
}

static bool
rb_run(struct rss_config *c, const struct rss_cons *k, const uint64_t *const loads[],
       struct rss_rebalance *r, const char *what)
{
	struct err e = ERR_INIT;

	if (rss_rebalance(c, k, loads, r, &e) < 0) {
		FAIL("%s: rss_rebalance: %s", what, e.msg);
		return false;
	}
	return true;
}

/* Zipf-like counts (1e6 / rank) on shuffled indices, every index some. */
static void
rb_skewed(struct rng *r, uint64_t *load, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		load[i] = 1000000 / (i + 1);
	for (unsigned i = n - 1; i > 0; i--) {
		unsigned j = (unsigned)rng_below(r, i + 1);
		uint64_t t = load[i];

		load[i] = load[j];
		load[j] = t;
	}
}

/* A group's own numbers against its ports' loads through the new RETA. */
static void
rb_check_group(const struct rss_config *c, const struct rss_rebalance_group *g,
	       const uint64_t *const loads[], const char *what)
{
	uint64_t *sum = calloc(c->cores, sizeof *sum), total = 0;

	for (unsigned j = 0; j < g->n_ports; j++) {
		unsigned p = g->ports[j];

		if (memcmp(c->port[p].reta, c->port[g->ports[0]].reta, c->reta_size * 2))
			FAIL("%s: %s's RETA differs from %s's", what, c->ports[p],
			     c->ports[g->ports[0]]);
		for (unsigned i = 0; i < c->reta_size; i++)
			if (c->port[p].reta[i] >= c->cores)
				FAIL("%s: RETA entry %u is core %u", what, i, c->port[p].reta[i]);
		if (loads[p]) {
			rb_through(c, p, loads[p], sum);
			for (unsigned i = 0; i < c->reta_size; i++)
				total += loads[p][i];
		}
	}
	CHECK_EQ_INT(g->packets, total);
	for (unsigned k = 0; k < c->cores; k++)
		if (sum[k] != g->after[k])
			FAIL("%s: core %u gets %llu through the new RETA, reported %llu", what, k,
			     (unsigned long long)sum[k], (unsigned long long)g->after[k]);
	if (total) {
		CHECK(rb_near(g->imbalance_after,
			      (double)rb_max(sum, c->cores) * c->cores / total));
		CHECK(rb_near(g->imbalance_before,
			      (double)rb_max(g->before, c->cores) * c->cores / total));
	}
	free(sum);
}

/* A skewed load on 4 cores: a strictly lower max, the sums are the new RETA's. */
static void
test_rss__rebalance_skewed(void)
{
	const char *ports[] = { "p" };
	struct rss_config *c = rss_config_new(NULL, 4, 128, 1, ports);
	uint64_t load[128], before[4] = { 0 };
	const uint64_t *const loads[] = { load };
	uint16_t old[128];
	struct rss_rebalance r;
	struct sbuf sb = SBUF_INIT;
	struct val *v;
	unsigned moved = 0;
	struct rng g;

	rng_init(&g, 77);
	rb_skewed(&g, load, 128);
	memcpy(old, c->port[0].reta, sizeof old);
	rb_through(c, 0, load, before);
	if (!rb_run(c, NULL, loads, &r, "skewed"))
		goto out;
	CHECK_EQ_INT(r.n_groups, 1);
	CHECK_EQ_INT(r.group[0].n_ports, 1);
	CHECK(!r.group[0].kept && !r.group[0].pinned);
	CHECK(!memcmp(before, r.group[0].before, sizeof before));
	CHECK(rb_max(r.group[0].after, 4) < rb_max(before, 4));
	CHECK(r.group[0].imbalance_after < r.group[0].imbalance_before);
	rb_check_group(c, &r.group[0], loads, "skewed");
	for (unsigned i = 0; i < 128; i++)
		moved += old[i] != c->port[0].reta[i];
	CHECK_EQ_INT(r.group[0].moved, moved);
	CHECK(moved > 0);
	printf("# skewed: max/mean %.3f -> %.3f, %u of 128 entries moved\n",
	       r.group[0].imbalance_before, r.group[0].imbalance_after, moved);
	rss_format_rebalance(c, &r, &sb);
	CHECK(strstr(sbuf_str(&sb), "p: ") == sbuf_str(&sb));
	CHECK(strstr(sbuf_str(&sb), "  core 3 #") != NULL);
	CHECK(strstr(sbuf_str(&sb), " entries moved") != NULL);
	v = rss_rebalance_val(c, &r);
	{
		const struct val *gs = val_get(v, "groups"), *g0, *ps;

		if (gs && gs->kind == VAL_ARR && gs->u.c.n == 1) {
			g0 = gs->u.c.items[0];
			ps = val_get(g0, "ports");
			CHECK(ps && ps->kind == VAL_ARR && ps->u.c.n == 1 &&
			      !strcmp(ps->u.c.items[0]->u.s, "p"));
			CHECK_EQ_INT(val_get_int(g0, "packets", -1), r.group[0].packets);
			CHECK_EQ_INT(val_get_int(g0, "moved", -1), moved);
			CHECK(val_get(g0, "after") && val_get(g0, "after")->u.c.n == 4);
			CHECK(val_get(g0, "kept") && !val_get(g0, "kept")->u.b);
		} else {
			FAIL("rss_rebalance_val: no groups list of one");
		}
	}
	val_free(v);
	sbuf_release(&sb);
	rss_rebalance_release(&r);
out:
	rss_config_free(c);
}

/* The firewall's ports are linked: one new RETA for both, and the constraints still hold. */
static void
test_rss__rebalance_linked(void)
{
	struct rss_cons k;
	struct rss_solve_opts o = { .cores = 4, .reta_size = 512, .seed = 5 };
	struct rss_solution s;
	struct rss_check chk;
	struct rss_rebalance r;
	static uint64_t lan[512], wan[512];
	const uint64_t *const loads[] = { lan, wan };
	struct rng g;

	if (!cons_of(&set_fw, &k))
		return;
	rng_init(&g, 78);
	rb_skewed(&g, lan, 512);
	rb_skewed(&g, wan, 512);
	if (solve(&k, &o, &s, "fw")) {
		rss_check_run(s.cfg, &k, &chk);
		CHECK(chk.satisfied);
		rss_check_release(&chk);
		if (rb_run(s.cfg, &k, loads, &r, "fw")) {
			CHECK_EQ_INT(r.n_groups, 1);
			CHECK_EQ_INT(r.group[0].n_ports, 2);
			CHECK(!r.group[0].kept);
			CHECK(r.group[0].imbalance_after < r.group[0].imbalance_before);
			rb_check_group(s.cfg, &r.group[0], loads, "fw");
			rss_check_run(s.cfg, &k, &chk);
			CHECK(chk.satisfied);
			rss_check_release(&chk);
			for (unsigned i = 0; i < set_fw.n; i++)
				CHECK_EQ_INT(violations(s.cfg, &set_fw.k[i], &g, 2000, true,
							"fw rebalanced"), 0);
			rss_rebalance_release(&r);
		}
		rss_solution_release(&s);
	}
	rss_cons_release(&k);
}

/* Without a constraint each port gets its own RETA; with no 'k', ports sharing a RETA stay
** together. */
static void
test_rss__rebalance_unlinked(void)
{
	const char *ports[] = { "lan", "wan" };
	struct rss_config *c = rss_config_new(NULL, 4, 128, 2, ports);
	struct rss_cons k;
	struct rss_rebalance r;
	uint64_t lan[128], wan[128];
	const uint64_t *const loads[] = { lan, wan };
	struct rng g;

	rng_init(&g, 79);
	rb_skewed(&g, lan, 128);
	rb_skewed(&g, wan, 128);
	rss_cons_none(&k, 2, ports);
	if (rb_run(c, &k, loads, &r, "unlinked")) {
		CHECK_EQ_INT(r.n_groups, 2);
		CHECK(r.group[0].n_ports == 1 && r.group[0].ports[0] == 0);
		CHECK(r.group[1].n_ports == 1 && r.group[1].ports[0] == 1);
		CHECK(!r.group[0].kept && !r.group[1].kept);
		CHECK(memcmp(c->port[0].reta, c->port[1].reta, 128 * 2) != 0);
		rb_check_group(c, &r.group[0], loads, "unlinked lan");
		rb_check_group(c, &r.group[1], loads, "unlinked wan");
		rss_rebalance_release(&r);
	}
	rss_cons_release(&k);
	/* No constraints given: the shared round-robin RETA stays shared. */
	set_reta(c, -1, "default");
	if (rb_run(c, NULL, loads, &r, "shared")) {
		CHECK_EQ_INT(r.n_groups, 1);
		CHECK_EQ_INT(r.group[0].n_ports, 2);
		rb_check_group(c, &r.group[0], loads, "shared");
		rss_rebalance_release(&r);
	}
	/* ... and RETAs that differ now stay apart. */
	set_reta(c, 1, "3,2,1,0");
	if (rb_run(c, NULL, loads, &r, "apart")) {
		CHECK_EQ_INT(r.n_groups, 2);
		rss_rebalance_release(&r);
	}
	rss_config_free(c);
}

/* A bucket over a core's fair share is named, and bounds the max. */
static void
test_rss__rebalance_heavy(void)
{
	const char *ports[] = { "p" };
	struct rss_config *c = rss_config_new(NULL, 4, 128, 1, ports);
	uint64_t load[128];
	const uint64_t *const loads[] = { load };
	struct rss_rebalance r;
	struct sbuf sb = SBUF_INIT;

	for (unsigned i = 0; i < 128; i++)
		load[i] = 10;
	load[17] = 1000;	/* 1000 of 2270 packets; a fair share is 567.5 */
	if (rb_run(c, NULL, loads, &r, "heavy")) {
		const struct rss_rebalance_group *g = &r.group[0];

		CHECK_EQ_INT(g->heavy, 1);
		CHECK_EQ_INT(g->heaviest_index, 17);
		CHECK_EQ_INT(g->heaviest, 1000);
		CHECK(!g->kept);
		CHECK_EQ_INT(rb_max(g->after, 4), 1000);	/* it alone, nothing beside it */
		CHECK(rb_near(g->imbalance_after, 4000.0 / 2270));
		rss_format_rebalance(c, &r, &sb);
		if (!strstr(sbuf_str(&sb), "RETA index 17 alone carries 44% of the packets: "
			    "no RETA can balance below 1.76"))
			FAIL("no sentence on index 17 in:\n%s", sbuf_str(&sb));
		rss_rebalance_release(&r);
	}
	/* Two of them: both counted, the heavier named. */
	load[3] = 900;
	sbuf_reset(&sb);
	if (rb_run(c, NULL, loads, &r, "two heavy")) {
		CHECK_EQ_INT(r.group[0].heavy, 2);
		CHECK_EQ_INT(r.group[0].heaviest_index, 17);
		rss_format_rebalance(c, &r, &sb);
		CHECK(strstr(sbuf_str(&sb), "more buckets carry over") != NULL);
		rss_rebalance_release(&r);
	}
	/* Equal to the fair share is not over it. */
	for (unsigned i = 0; i < 128; i++)
		load[i] = i < 4 ? 1 : 0;
	if (rb_run(c, NULL, loads, &r, "fair")) {
		CHECK_EQ_INT(r.group[0].heavy, 0);
		rss_rebalance_release(&r);
	}
	sbuf_release(&sb);
	rss_config_free(c);
}

/* Balanced already, or no better found, or one core, or no packets: kept, nothing moved. */
static void
test_rss__rebalance_kept(void)
{
	const char *ports[] = { "p" };
	struct rss_config *c = rss_config_new(NULL, 4, 128, 1, ports);
	struct rss_config *c2 = rss_config_new(NULL, 2, 8, 1, ports);
	struct rss_config *c1 = rss_config_new(NULL, 1, 128, 1, ports);
	uint64_t load[128], small[8] = { 3, 3, 2, 2, 2, 0, 0, 0 };
	const uint64_t *const loads[] = { load };
	const uint64_t *const smalls[] = { small };
	const uint64_t *const none[] = { NULL };
	uint16_t old[128];
	struct rss_rebalance r;
	struct sbuf sb = SBUF_INIT;

	for (unsigned i = 0; i < 128; i++)
		load[i] = 5;
	memcpy(old, c->port[0].reta, sizeof old);
	if (rb_run(c, NULL, loads, &r, "uniform")) {
		CHECK(r.group[0].kept);
		CHECK_EQ_INT(r.group[0].moved, 0);
		CHECK(rb_near(r.group[0].imbalance_before, 1.0));
		CHECK(rb_near(r.group[0].imbalance_after, 1.0));
		CHECK(!memcmp(r.group[0].before, r.group[0].after, 4 * sizeof(uint64_t)));
		rss_rebalance_release(&r);
	}
	CHECK(!memcmp(old, c->port[0].reta, sizeof old));
	/* 3+3 | 2+2+2 is optimal; LPT gets 7: no better, so kept. */
	set_reta(c2, -1, "0,0,1,1,1,0,1,0");
	memcpy(old, c2->port[0].reta, 8 * 2);
	if (rb_run(c2, NULL, smalls, &r, "LPT worse")) {
		CHECK(r.group[0].kept);
		CHECK_EQ_INT(r.group[0].moved, 0);
		CHECK_EQ_INT(rb_max(r.group[0].after, 2), 6);
		rss_format_rebalance(c2, &r, &sb);
		CHECK(strstr(sbuf_str(&sb), "RETA kept: no placement") != NULL);
		rss_rebalance_release(&r);
	}
	CHECK(!memcmp(old, c2->port[0].reta, 8 * 2));
	memcpy(old, c1->port[0].reta, sizeof old);
	for (unsigned i = 0; i < 128; i++)
		load[i] = i * i;
	if (rb_run(c1, NULL, loads, &r, "one core")) {
		CHECK(r.group[0].kept);
		CHECK_EQ_INT(r.group[0].moved, 0);
		CHECK(rb_near(r.group[0].imbalance_after, 1.0));
		rss_rebalance_release(&r);
	}
	CHECK(!memcmp(old, c1->port[0].reta, sizeof old));
	sbuf_reset(&sb);
	if (rb_run(c, NULL, none, &r, "no packets")) {
		CHECK(r.group[0].kept);
		CHECK_EQ_INT(r.group[0].packets, 0);
		CHECK(r.group[0].imbalance_before == 0 && r.group[0].imbalance_after == 0);
		rss_format_rebalance(c, &r, &sb);
		CHECK(strstr(sbuf_str(&sb), "no packets") != NULL);
		rss_rebalance_release(&r);
	}
	sbuf_release(&sb);
	rss_config_free(c);
	rss_config_free(c2);
	rss_config_free(c1);
}

/* Buckets without packets stay where they were. */
static void
test_rss__rebalance_zero_buckets(void)
{
	const char *ports[] = { "p" };
	struct rss_config *c = rss_config_new(NULL, 4, 128, 1, ports);
	uint64_t load[128];
	const uint64_t *const loads[] = { load };
	uint16_t old[128];
	struct rss_rebalance r;
	char list[128 * 3];
	char *q = list;
	struct rng g;

	rng_init(&g, 80);
	for (unsigned i = 0; i < 128; i++)
		q += sprintf(q, "%s%u", i ? "," : "", (unsigned)rng_below(&g, 4));
	set_reta(c, -1, list);
	rb_skewed(&g, load, 128);
	for (unsigned i = 0; i < 128; i += 2)
		load[i] = 0;
	memcpy(old, c->port[0].reta, sizeof old);
	if (rb_run(c, NULL, loads, &r, "zero buckets")) {
		unsigned moved_zero = 0, moved = 0;

		CHECK(!r.group[0].kept);
		for (unsigned i = 0; i < 128; i++) {
			moved += old[i] != c->port[0].reta[i];
			moved_zero += !load[i] && old[i] != c->port[0].reta[i];
		}
		CHECK_EQ_INT(moved_zero, 0);
		CHECK(moved > 0);
		rb_check_group(c, &r.group[0], loads, "zero buckets");
		rss_rebalance_release(&r);
	}
	rss_config_free(c);
}

/* Ties go to the bucket's current core, else to the lowest numbered core. */
static void
test_rss__rebalance_ties(void)
{
	const char *ports[] = { "p" };
	struct rss_config *c = rss_config_new(NULL, 3, 8, 1, ports);
	uint64_t load[8] = { 5, 4, 3, 0, 0, 0, 0, 0 };
	const uint64_t *const loads[] = { load };
	static const uint16_t want[8] = { 2, 0, 1, 2, 2, 2, 2, 2 };
	struct rss_rebalance r;

	set_reta(c, -1, "2");
	if (rb_run(c, NULL, loads, &r, "ties")) {
		/* 5 stays on core 2 (all empty), 4 to core 0 (2 is not least), 3 to core 1 */
		CHECK(!memcmp(c->port[0].reta, want, sizeof want));
		CHECK_EQ_INT(r.group[0].moved, 2);
		CHECK_EQ_INT(r.group[0].after[0], 4);
		CHECK_EQ_INT(r.group[0].after[1], 3);
		CHECK_EQ_INT(r.group[0].after[2], 5);
		rss_rebalance_release(&r);
	}
	rss_config_free(c);
}

/* A constraint that holds only through the RETA (core = index bit 0) pins it; ignoring the
** constraint would break it. */
static void
test_rss__rebalance_pinned(void)
{
	struct rss_cons k;
	struct rss_solve_opts o = { .cores = 2, .reta_size = 2, .seed = 13 };
	struct rss_solution s;
	struct rss_check chk;
	struct rss_rebalance r;
	uint64_t load[8] = { 100, 1, 100, 1, 1, 1, 1, 1 };
	const uint64_t *const loads[] = { load };

	if (!cons_of(&set_sym, &k))
		return;
	if (solve(&k, &o, &s, "sym, RETA 2")) {
		struct rss_config *c = rss_config_copy(s.cfg);
		struct rss_config *d;
		uint16_t old[8];

		resize_reta(&c, 8);
		if (c->reta_size == 8) {
			set_reta(c, -1, "0,1");
			memcpy(old, c->port[0].reta, sizeof old);
			d = rss_config_copy(c);
			if (rb_run(c, &k, loads, &r, "pinned")) {
				CHECK(r.group[0].kept && r.group[0].pinned);
				CHECK_EQ_INT(r.group[0].moved, 0);
				rss_rebalance_release(&r);
			}
			CHECK(!memcmp(old, c->port[0].reta, sizeof old));
			rss_check_run(c, &k, &chk);
			CHECK(chk.satisfied);
			rss_check_release(&chk);
			if (rb_run(d, NULL, loads, &r, "not told")) {
				CHECK(!r.group[0].kept && !r.group[0].pinned);
				rss_rebalance_release(&r);
			}
			rss_check_run(d, &k, &chk);
			CHECK(!chk.satisfied);
			rss_check_release(&chk);
			rss_config_free(d);
		}
		rss_config_free(c);
		rss_solution_release(&s);
	}
	rss_cons_release(&k);
}

/* Refusals change nothing and leave a result that is safe to release. */
static void
test_rss__rebalance_bad(void)
{
	const char *ports[] = { "lan", "wan" };
	struct rss_config *c = rss_config_new(NULL, 4, 128, 2, ports);
	struct rss_cons k1;
	struct rss_rebalance r;
	struct err e = ERR_INIT;
	uint64_t load[128] = { 0 }, big[128] = { 0 };
	const uint64_t *const loads[] = { load, big };
	uint16_t old[128];

	for (unsigned i = 0; i < 128; i++)
		load[i] = i;
	memcpy(old, c->port[0].reta, sizeof old);
	rss_cons_none(&k1, 1, ports);
	CHECK_EQ_INT(rss_rebalance(c, &k1, loads, &r, &e), -EINVAL);
	CHECK(strstr(e.msg, "constraints are for 1 ports") != NULL);
	CHECK_EQ_INT(r.n_groups, 0);
	rss_rebalance_release(&r);
	rss_cons_release(&k1);
	big[5] = UINT64_MAX - 3;
	err_clear(&e);
	CHECK_EQ_INT(rss_rebalance(c, NULL, loads, &r, &e), -EINVAL);
	CHECK(strstr(e.msg, "2^64") != NULL);
	rss_rebalance_release(&r);
	CHECK(!memcmp(old, c->port[0].reta, sizeof old));
	CHECK(!memcmp(old, c->port[1].reta, sizeof old));
	CHECK_EQ_INT(rss_rebalance(NULL, NULL, loads, &r, &e), -EINVAL);
	rss_config_free(c);
}

/* The best max of whole buckets over 'cores' cores, by trying every placement. */
static uint64_t
rb_optimum(const uint64_t *load, unsigned n, unsigned cores)
{
	unsigned pick[16] = { 0 };
	uint64_t best = UINT64_MAX;

	for (;;) {
		uint64_t sum[8] = { 0 }, m;
		unsigned i;

		for (i = 0; i < n; i++)
			sum[pick[i]] += load[i];
		m = rb_max(sum, cores);
		if (m < best)
			best = m;
		for (i = 0; i < n && ++pick[i] == cores; i++)
			pick[i] = 0;
		if (i == n)
			return best;
	}
}

/* LPT against exhaustive search: never worse than before, within (4/3 - 1/(3m)) of the best. */
static void
test_rss__rebalance_vs_brute(void)
{
	const char *ports[] = { "p" };
	unsigned optimal = 0, improved = 0, cases = 400;
	double worst = 1.0;
	struct rng g;

	rng_init(&g, 81);
	for (unsigned t = 0; t < cases; t++) {
		/* 2..4 cores, mostly 3 */
		unsigned cores = t % 3 ? 3 : 2 + (unsigned)rng_below(&g, 3);
		struct rss_config *c = rss_config_new(NULL, cores, 8, 1, ports);
		uint64_t load[8], before[4] = { 0 }, opt, got;
		const uint64_t *const loads[] = { load };
		struct rss_rebalance r;
		char list[32], *q = list;

		for (unsigned i = 0; i < 8; i++) {
			load[i] = rng_below(&g, 4) ? rng_below(&g, t % 2 ? 100 : 10000) : 0;
			q += sprintf(q, "%s%u", i ? "," : "", (unsigned)rng_below(&g, cores));
		}
		set_reta(c, -1, list);
		rb_through(c, 0, load, before);
		opt = rb_optimum(load, 8, cores);
		if (!rb_run(c, NULL, loads, &r, "brute")) {
			rss_config_free(c);
			continue;
		}
		got = rb_max(r.group[0].after, cores);
		rb_check_group(c, &r.group[0], loads, "brute");
		if (got > rb_max(before, cores))
			FAIL("case %u: max %llu after, %llu before", t, (unsigned long long)got,
			     (unsigned long long)rb_max(before, cores));
		/* got <= (4/3 - 1/(3 cores)) opt */
		if (3 * cores * got > (4 * cores - 1) * opt)
			FAIL("case %u: %u cores, max %llu, optimum %llu", t, cores,
			     (unsigned long long)got, (unsigned long long)opt);
		optimal += got == opt;
		improved += !r.group[0].kept;
		if (opt && (double)got / opt > worst)
			worst = (double)got / opt;
		rss_rebalance_release(&r);
		rss_config_free(c);
	}
	printf("# rebalance vs brute force: %u of %u optimal, %u rebalanced, worst max %.3f x "
	       "optimum\n", optimal, cases, improved, worst);
	CHECK(optimal > cases / 2);
}

int
main(void)
{
	RUN(test_rss__cons_from_val);
	RUN(test_rss__solve_round_trips);
	RUN(test_rss__fw_symmetric);
	RUN(test_rss__zero_key);
	RUN(test_rss__key_6d5a);
	RUN(test_rss__quality_wan_dst);
	RUN(test_rss__quality_wan_src);
	RUN(test_rss__unsatisfiable);
	RUN(test_rss__keys);
	RUN(test_rss__key_column_after_0x);
	RUN(test_rss__reta);
	RUN(test_rss__reta_linked);
	RUN(test_rss__config_val);
	RUN(test_rss__check_vs_brute);
	RUN(test_rss__check_index_bits);
	RUN(test_rss__check_large_reta);
	RUN(test_rss__solve_time);
	RUN(test_rss__rebalance_skewed);
	RUN(test_rss__rebalance_linked);
	RUN(test_rss__rebalance_unlinked);
	RUN(test_rss__rebalance_heavy);
	RUN(test_rss__rebalance_kept);
	RUN(test_rss__rebalance_zero_buckets);
	RUN(test_rss__rebalance_ties);
	RUN(test_rss__rebalance_pinned);
	RUN(test_rss__rebalance_bad);
	RUN(test_rss__rebalance_vs_brute);
	return TEST_DONE();
}
