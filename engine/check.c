/*
** Checking a sharding on a trace: RSS per packet, a sequential and a sharded run of the traced
** NF, entry lifetimes from the sequential run's state touches, per-core counts.
*/

#include "engine/check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/clock.h"
#include "engine/htab.h"
#include "engine/pcapw.h"
#include "engine/trace.h"
#include "engine/tracegen.h"
#include "engine/xalloc.h"

#define MAX_FRAME	65535u
#define ENTRY_KEY	(2 + CHECK_KEY_MAX)	/* object id, key length, key bytes */
#define MAX_PENDING	64
#define MAX_ALLOCS	16

/* An entry's value in the table of the sequential run: live, counted, owner core, and the
** packet that began its lifetime. */
#define E_LIVE		1u
#define E_VIOLATED	2u
#define E_CORE(v)	((unsigned)((v) >> 2) & 0x3fffu)
#define E_INDEX(v)	((v) >> 16)
#define E_PACK(core, index)	(E_LIVE | (uint64_t)(core) << 2 | (uint64_t)(index) << 16)

/* State calls the check tells apart, by the name the library reports. */
enum fn { FN_OTHER, FN_REMOVE, FN_ALLOC, FN_PUT, FN_EXPIRE };

/* Call names by address, direct-mapped: the names are the library's string constants, so one
** address is one name; a collision only costs a strcmp again. */
#define FN_SLOTS 64

struct fn_cache {
	const char *ptr[FN_SLOTS];
	enum fn code[FN_SLOTS];
};

struct touch {
	uint8_t key[ENTRY_KEY];
	enum nf_op op;
	uint64_t snap;		/* pending reads: the entry's value when read */
};

struct objinfo {
	int link;		/* index-keyed objects: the chain whose indices they follow */
};

/* What the sequential instance's hooks see. */
struct seqtrace {
	struct check_result *r;
	struct nf_env *env;	/* the sequential instance's, once nf_init has run */
	bool active;
	struct htab *entries;
	struct fn_cache fns;
	struct objinfo obj[64];
	/* The call being made: its touches wait for the call's name. */
	unsigned nbuf;
	struct touch buf[8];
	/* The packet being run. */
	uint64_t index;
	uint16_t core, port;
	const struct flow_key *key;
	unsigned n_alloc;
	uint8_t alloc[MAX_ALLOCS][ENTRY_KEY];
	unsigned n_pending;
	struct touch pending[MAX_PENDING];
	bool violated;
	uint64_t first_refused;	/* packet number of the first refused allocation, 0: none */
};

/* What one core's instance hooks see: only refused allocations (capacity). */
struct coretrace {
	struct fn_cache *fns;
	uint64_t *refused;
	uint64_t first_refused;	/* packet number, 0: never */
	const uint64_t *index;
};

static enum fn
fn_code(struct fn_cache *c, const char *fn)
{
	unsigned h = (unsigned)((uintptr_t)fn >> 3) & (FN_SLOTS - 1);
	enum fn code = FN_OTHER;

	if (c->ptr[h] == fn)
		return c->code[h];
	if (strcmp(fn, "map_erase") == 0 || strcmp(fn, "dchain_free") == 0)
		code = FN_REMOVE;
	else if (strcmp(fn, "dchain_allocate") == 0)
		code = FN_ALLOC;
	else if (strcmp(fn, "map_put") == 0)
		code = FN_PUT;
	else if (strcmp(fn, "expire_items") == 0)
		code = FN_EXPIRE;
	c->ptr[h] = fn;
	c->code[h] = code;
	return code;
}

/* The object's number: names are the instance's stored copies (nf_env_name). */
static int
obj_id(const struct nf_env *env, const char *name)
{
	const char *base = env->names[0];

	if (name < base || name >= base + sizeof env->names)
		return -1;
	return (int)((name - base) / NF_NAME_MAX);
}

/* memcpy without a call for a variable size, which costs more than the copy for short keys
** and frames: two fixed-size moves that overlap. */
static void
copy_bytes(uint8_t *dst, const uint8_t *src, size_t len)
{
	if (len > 128) {
		memcpy(dst, src, len);
	} else if (len >= 64) {
		memcpy(dst, src, 64);
		memcpy(dst + len - 64, src + len - 64, 64);
	} else if (len >= 32) {
		memcpy(dst, src, 32);
		memcpy(dst + len - 32, src + len - 32, 32);
	} else if (len >= 16) {
		memcpy(dst, src, 16);
		memcpy(dst + len - 16, src + len - 16, 16);
	} else if (len >= 8) {
		memcpy(dst, src, 8);
		memcpy(dst + len - 8, src + len - 8, 8);
	} else if (len >= 4) {
		memcpy(dst, src, 4);
		memcpy(dst + len - 4, src + len - 4, 4);
	} else {
		for (size_t i = 0; i < len; i++)
			dst[i] = src[i];
	}
}

static void
entry_key(uint8_t out[ENTRY_KEY], int id, const void *key, size_t len)
{
	memset(out, 0, ENTRY_KEY);
	out[0] = (uint8_t)id;
	out[1] = (uint8_t)(len > 255 ? 255 : len);
	if (len <= CHECK_KEY_MAX) {
		copy_bytes(out + 2, key, len);
	} else {
		/* Long keys keep a prefix and a hash of the whole. */
		uint64_t h = htab_hash(key, len);
		memcpy(out + 2, key, CHECK_KEY_MAX - 8);
		memcpy(out + 2 + CHECK_KEY_MAX - 8, &h, 8);
	}
}

static void
fill_pkt(struct check_pkt *p, uint64_t index, unsigned port, unsigned core,
	 const struct flow_key *k)
{
	p->index = index;
	p->port = (uint16_t)port;
	p->core = (uint16_t)core;
	p->key = *k;
	p->known = true;
}

/* Counts a lifetime touched from a second core (once per lifetime), with an example. */
static void
violation(struct seqtrace *t, const uint8_t *key, uint64_t *v, uint64_t snap, enum nf_op op)
{
	struct check_result *r = t->r;
	struct check_violation *x;
	unsigned id = key[0];

	t->violated = true;
	if (v && (*v & E_VIOLATED))
		return;
	if (v)
		*v |= E_VIOLATED;
	r->violations++;
	if (id < r->n_objects)
		r->objects[id].violations++;
	if (r->n_vex >= CHECK_EXAMPLES)
		return;
	x = &r->vex[r->n_vex++];
	memset(x, 0, sizeof *x);
	snprintf(x->object, sizeof x->object, "%s", id < r->n_objects ? r->objects[id].name : "?");
	x->key_cut = key[1] > CHECK_KEY_MAX;
	x->key_len = x->key_cut ? CHECK_KEY_MAX - 8 : key[1];	/* not the hash after the prefix */
	memcpy(x->key, key + 2, x->key_len);
	x->op = op;
	x->owner.index = E_INDEX(snap);
	x->owner.core = (uint16_t)E_CORE(snap);
	fill_pkt(&x->other, t->index, t->port, t->core, t->key);
}

static void
remove_entry(struct seqtrace *t, const uint8_t *key)
{
	uint64_t *v = htab_find(t->entries, key);
	uint8_t k2[ENTRY_KEY];

	if (v)
		*v = 0;
	/* Records kept by a chain's index end with it. */
	for (unsigned i = 0; i < t->r->n_objects; i++) {
		if (t->obj[i].link != key[0])
			continue;
		memcpy(k2, key, ENTRY_KEY);
		k2[0] = (uint8_t)i;
		v = htab_find(t->entries, k2);
		if (v)
			*v = 0;
	}
}

/* A record written at an index some chain allocated in this packet follows that chain. */
static void
maybe_link(struct seqtrace *t, const uint8_t *key)
{
	if (key[1] != 4 || t->obj[key[0]].link >= 0)
		return;
	for (unsigned i = t->n_alloc; i-- > 0;) {
		if (t->alloc[i][0] != key[0] && memcmp(t->alloc[i] + 1, key + 1, 5) == 0) {
			t->obj[key[0]].link = t->alloc[i][0];
			return;
		}
	}
}

/* One touch of an entry by the running packet; a write makes a dead entry live, unless it is
** a removal ('create' false). */
static void
touch(struct seqtrace *t, const uint8_t *key, enum nf_op op, bool create)
{
	struct check_result *r = t->r;
	uint64_t *v = htab_find(t->entries, key);

	if (op == NF_OP_WRITE)
		r->objects[key[0]].written = true;
	if (!v || !(*v & E_LIVE)) {
		if (op != NF_OP_WRITE || !create)
			return;		/* a miss, here as on every core */
		maybe_link(t, key);
		v = htab_upsert(t->entries, key, NULL);
		*v = E_PACK(t->core, t->index);
		r->objects[key[0]].lifetimes++;
		return;
	}
	if (E_CORE(*v) == t->core)
		return;
	if (op == NF_OP_READ) {
		/* Judged once both runs are done: a lookup that comes out the same is a miss there. */
		if (t->n_pending < MAX_PENDING) {
			struct touch *p = &t->pending[t->n_pending++];
			memcpy(p->key, key, ENTRY_KEY);
			p->op = op;
			p->snap = *v;
		} else {
			violation(t, key, v, *v, op);
		}
		return;
	}
	violation(t, key, v, *v, op);
}

static void
seq_trace(void *arg, const char *object, const void *key, size_t len, enum nf_op op)
{
	struct seqtrace *t = arg;
	uint8_t k[ENTRY_KEY];
	int id;

	if (!t->active || !len || (id = obj_id(t->env, object)) < 0)
		return;
	if (t->env->inner) {
		/* The library calling itself: expire_items removes, cht_find reads. */
		entry_key(k, id, key, len);
		if (op == NF_OP_WRITE)
			remove_entry(t, k);
		else
			touch(t, k, op, false);
		return;
	}
	/* Built in place: copying a key just built reads it back before its stores land. */
	if (t->nbuf < 8) {
		entry_key(t->buf[t->nbuf].key, id, key, len);
		t->buf[t->nbuf++].op = op;
	}
}

static void
seq_call(void *arg, const char *fn, const char *object, int64_t ret, const void *out,
	 size_t out_len)
{
	struct seqtrace *t = arg;
	enum fn code;

	(void)object;
	(void)out;
	(void)out_len;
	if (!t->active)
		return;
	code = fn_code(&t->fns, fn);
	if ((code == FN_ALLOC && ret == 0) || (code == FN_PUT && ret < 0)) {
		t->r->seq_refused++;
		if (!t->first_refused)
			t->first_refused = t->index;
	}
	for (unsigned i = 0; i < t->nbuf; i++) {
		struct touch *b = &t->buf[i];
		if (code == FN_REMOVE) {
			touch(t, b->key, b->op, false);
			remove_entry(t, b->key);
		} else {
			touch(t, b->key, b->op, true);
			if (code == FN_ALLOC && ret == 1 && t->n_alloc < MAX_ALLOCS)
				memcpy(t->alloc[t->n_alloc++], b->key, ENTRY_KEY);
		}
	}
	t->nbuf = 0;
}

static void
core_call(void *arg, const char *fn, const char *object, int64_t ret, const void *out,
	  size_t out_len)
{
	struct coretrace *c = arg;
	enum fn code;

	(void)object;
	(void)out;
	(void)out_len;
	if (ret > 0)
		return;
	code = fn_code(c->fns, fn);
	if ((code == FN_ALLOC && ret == 0) || (code == FN_PUT && ret < 0)) {
		(*c->refused)++;
		if (!c->first_refused)
			c->first_refused = *c->index;
	}
}

/*---- RSS ----*/

unsigned
check_rss_core(const struct rss_config *c, unsigned cp, const struct flow_info *fi,
	       unsigned *index, bool *hashed)
{
	const struct rss_port *rp = &c->port[cp];
	struct fieldset fs = rp->fs;
	uint8_t in[12];
	uint32_t src, dst, h = 0;
	unsigned cls, n;

	*hashed = false;
	if (fi->key.family == 4) {
		if (fi->fragment || fi->l4 == FLOW_L4_NONE || fi->l4 == FLOW_L4_OTHER)
			cls = FIELDSET_T_OTHER;
		else
			cls = fi->l4 == FLOW_L4_TCP ? FIELDSET_T_TCP : FIELDSET_T_UDP;
		if (cls == FIELDSET_T_OTHER)
			fs.fields &= FIELDSET_S | FIELDSET_D;
		if ((fs.types & cls) && fs.fields == FIELDSET_ALL && rp->tab->in_len == 12) {
			/* The 4-tuple, the common case: the key holds it in network order. */
			memcpy(in, fi->key.src, 4);
			memcpy(in + 4, fi->key.dst, 4);
			in[8] = (uint8_t)(fi->key.sport >> 8);
			in[9] = (uint8_t)fi->key.sport;
			in[10] = (uint8_t)(fi->key.dport >> 8);
			in[11] = (uint8_t)fi->key.dport;
			h = toeplitz_tab_hash12(rp->tab, in);
			*hashed = true;
		} else if ((fs.types & cls) && fs.fields) {
			memcpy(&src, fi->key.src, 4);
			memcpy(&dst, fi->key.dst, 4);
			n = fieldset_input(&fs, ntohl(src), ntohl(dst), fi->key.sport, fi->key.dport,
					   in);
			/* The addresses lead the layout, so a shorter input uses the first rows. */
			for (unsigned i = 0; i < n && i < rp->tab->in_len; i++)
				h ^= rp->tab->t[i][in[i]];
			*hashed = true;
		}
	}
	*index = h & (c->reta_size - 1);
	return rp->reta[*index];
}

/* Where a frame goes: the NF port portmap gives it, that port's place in the configuration
** ('cport'), and its RSS index and core. One place for the run, the owners and the loads. */
struct placed {
	uint16_t port;
	unsigned cp, index, core;
	bool ipv4, hashed;
	struct flow_info fi;
};

/* Flows seen, in two tables: IPv4 (and non-IP) under a 16-byte key, so the common case hashes
** and compares less, IPv6 under the whole flow key. A flow's value packs its packet count and
** its port and RSS placement, kept for IPv4 since everything the NIC hashes is in that key. */
struct flowtab {
	struct htab *v4, *v6;
};

#define F_CORE(v)	((unsigned)(v) & 0x3ffu)
#define F_PORT(v)	((unsigned)((v) >> 10) & 0x7u)
#define F_HASHED	(1ull << 13)
#define F_INDEX(v)	((unsigned)((v) >> 14) & 0xffffu)
#define F_PACKETS(v)	((v) >> 30)
#define F_ONE		(1ull << 30)
/* RETA indices fit 16 bits: software RETAs stop at 65536 entries (nic.c). */
_Static_assert(RSS_MAX_CORES <= 1024 && NF_MAX_PORTS <= 8, "a flow's value packs core and port");

/* The flow's slot: IPv4 (and non-IP) keys also hold the port and the L4 class, so the RSS
** placement stored with the flow holds for every packet that finds it. */
static uint64_t *
flow_slot(struct flowtab *ft, const struct placed *pl, bool *fresh)
{
	const struct flow_key *k = &pl->fi.key;
	uint64_t b[2];
	uint32_t src, dst;

	if (k->family == 6)
		return htab_upsert(ft->v6, k, fresh);
	/* Made in registers and stored as words: the hash reads words, and a word read back
	** from byte-sized stores waits for them to reach the cache. */
	memcpy(&src, k->src, 4);
	memcpy(&dst, k->dst, 4);
	b[0] = k->family | (uint64_t)k->proto << 8 | (uint64_t)k->sport << 16 |
	       (uint64_t)k->dport << 32 | (uint64_t)pl->port << 48 |
	       (uint64_t)(pl->fi.l4 | (unsigned)pl->fi.fragment << 4) << 56;
	b[1] = src | (uint64_t)dst << 32;
	return htab_upsert(ft->v4, b, fresh);
}

/* 'ft' (may be NULL) counts the packet in its flow's slot, returned in *slot. */
static void
place(const struct portmap *pm, const struct rss_config *c, const int *cport,
      const struct trace_pkt *pk, struct flowtab *ft, struct placed *pl, uint64_t **slot)
{
	uint64_t *v = NULL;
	bool fresh = true;

	pl->port = portmap_assign(pm, pk->data, pk->len, &pl->ipv4);
	flow_parse(pk->data, pk->len, &pl->fi);
	pl->cp = (unsigned)cport[pl->port];
	if (ft) {
		v = flow_slot(ft, pl, &fresh);
		*slot = v;
	}
	if (!fresh && pl->fi.key.family != 6) {
		pl->core = F_CORE(*v);
		pl->index = F_INDEX(*v);
		pl->hashed = (*v & F_HASHED) != 0;
	} else {
		pl->core = check_rss_core(c, pl->cp, &pl->fi, &pl->index, &pl->hashed);
	}
	if (v && fresh)
		*v = pl->core | (uint64_t)pl->port << 10 | (pl->hashed ? F_HASHED : 0) |
		     (uint64_t)pl->index << 14;
	if (v)
		*v += F_ONE;
}

/*---- Generated traces ----*/

int
check_gen_file(const char *spec, const struct progress *p, char **path, struct err *e)
{
	struct tracegen_opts o;
	char *copy = xstrdup(spec), *save = NULL, *tok;
	const char *dir = getenv("TMPDIR");
	char tmpl[4096];
	bool first = true;
	int fd, rc = 0;

	*path = NULL;
	tracegen_opts_init(&o);
	for (tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq && first) {
			rc = tracegen_opts_set(&o, "kind", tok, e);
		} else if (!eq) {
			rc = err_set(e, -EINVAL, "'%s' is not KEY=VALUE", tok);
		} else {
			*eq = '\0';
			rc = tracegen_opts_set(&o, tok, eq + 1, e);
		}
		first = false;
	}
	free(copy);
	if (rc < 0) {
		err_prefix(e, "--gen %s", spec);
		return rc;
	}
	if (!(o.set & (1u << TRACEGEN_OPT_KIND)))
		return err_set(e, -EINVAL, "--gen: the kind comes first (uniform, zipf, bidir, "
			       "churn), e.g. --gen bidir,flows=10000");
	snprintf(tmpl, sizeof tmpl, "%s/baton-check-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(tmpl);
	if (fd < 0)
		return err_set(e, -errno, "%s: %s", tmpl, strerror(errno));
	close(fd);
	rc = tracegen_write(&o, tmpl, p, NULL, e);
	if (rc < 0) {
		unlink(tmpl);
		return rc;
	}
	*path = xstrdup(tmpl);
	return 0;
}

/*---- The run ----*/

static void
flow_unpack(const void *kb, size_t size, struct flow_key *k)
{
	uint64_t w[2];
	uint32_t src, dst;

	if (size == sizeof *k) {
		memcpy(k, kb, sizeof *k);
		return;
	}
	/* As flow_slot made it. */
	memcpy(w, kb, sizeof w);
	memset(k, 0, sizeof *k);
	k->family = (uint8_t)w[0];
	k->proto = (uint8_t)(w[0] >> 8);
	k->sport = (uint16_t)(w[0] >> 16);
	k->dport = (uint16_t)(w[0] >> 32);
	src = (uint32_t)w[1];
	dst = (uint32_t)(w[1] >> 32);
	memcpy(k->src, &src, 4);
	memcpy(k->dst, &dst, 4);
}

struct loop {
	struct check_result *r;
	struct trace *t;
	const struct portmap *pm;
	const struct rss_config *c;
	int cport[NF_MAX_PORTS];	/* NF port -> config port */
	struct nfload_inst *seq;
	struct nfload_inst **inst;	/* by core */
	struct seqtrace *st;
	struct coretrace *ct;		/* by core */
	struct flowtab flows;
	const struct progress *p;
	uint8_t *bseq, *bsh;
	uint64_t index;
	struct err *e;
	struct pcapw *dump;		/* --out: the sharded outputs, [core * nports + port] */
	unsigned nports;
};

static unsigned
diff_field(const struct flow_info *fi, uint32_t j)
{
	uint32_t o;

	if (j < 6)
		return CHECK_F_ETH_DST;
	if (j < 12)
		return CHECK_F_ETH_SRC;
	if (fi->l3 != FLOW_L3_IPV4 || j < fi->l3_off)
		return CHECK_F_ETH_TYPE;
	if (!fi->l4_off || j < fi->l4_off) {
		o = j - fi->l3_off;
		if (o >= 12 && o < 16)
			return CHECK_F_IP_SRC;
		if (o >= 16 && o < 20)
			return CHECK_F_IP_DST;
		if (o == 10 || o == 11)
			return CHECK_F_IP_CSUM;
		return o < 20 || fi->l4_off ? CHECK_F_IP_OTHER : CHECK_F_PAYLOAD;
	}
	o = j - fi->l4_off;
	if (o < 2)
		return CHECK_F_SPORT;
	if (o < 4)
		return CHECK_F_DPORT;
	if ((fi->l4 == FLOW_L4_TCP && (o == 16 || o == 17)) ||
	    (fi->l4 == FLOW_L4_UDP && (o == 6 || o == 7)))
		return CHECK_F_L4_CSUM;
	if ((fi->l4 == FLOW_L4_TCP && o < 20) || (fi->l4 == FLOW_L4_UDP && o < 8))
		return CHECK_F_L4_OTHER;
	return CHECK_F_PAYLOAD;
}

/* Which fields differ between the two outputs; *rewritten: both runs rewrote each of those
** fields (some byte of it differs from the input in both), as with allocated values. */
static uint32_t
diff_fields(const struct flow_info *fi, const uint8_t *in, const uint8_t *a, const uint8_t *b,
	    uint32_t len, bool *rewritten)
{
	uint32_t fields = 0, ra = 0, rb = 0;

	for (uint32_t j = 0; j < len; j++) {
		uint32_t f;
		if (a[j] == b[j] && a[j] == in[j])
			continue;
		f = 1u << diff_field(fi, j);
		if (a[j] != b[j])
			fields |= f;
		if (a[j] != in[j])
			ra |= f;
		if (b[j] != in[j])
			rb |= f;
	}
	*rewritten = (fields & ~(ra & rb)) == 0;
	return fields;
}

static void
add_diff(struct check_diff *x, unsigned *n, const struct seqtrace *t, int vs, int vh,
	 uint32_t fields, bool rewritten)
{
	struct check_diff *d;

	if (*n >= CHECK_EXAMPLES)
		return;
	d = &x[(*n)++];
	memset(d, 0, sizeof *d);
	fill_pkt(&d->pkt, t->index, t->port, t->core, t->key);
	d->seq = vs;
	d->sharded = vh;
	d->fields = fields;
	d->rewritten = rewritten;
}

/* memcmp(a, b, len) == 0 without the call, which costs more than the compare for short
** frames. */
static bool
frames_equal(const uint8_t *a, const uint8_t *b, uint32_t len)
{
	uint64_t x = 0, wa, wb;
	uint32_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&wa, a + i, 8);
		memcpy(&wb, b + i, 8);
		x |= wa ^ wb;
	}
	for (; i < len; i++)
		x |= (uint64_t)(a[i] ^ b[i]);
	return x == 0;
}

/* What the core's instance sent where: 'vh' is a port, NF_FLOOD (every port but the input) or
** a drop. */
static void
dump_output(struct loop *lp, const struct trace_pkt *pk, unsigned core, uint16_t in, int vh)
{
	for (unsigned p = 0; p < lp->nports; p++)
		if ((vh == NF_FLOOD && p != in) || vh == (int)p)
			pcapw_write(lp->dump, core * lp->nports + p, lp->bsh, pk->len, pk->wire_len,
				    pk->ts_ns);
}

static int
open_dumps(struct loop *lp, const char *prefix, const struct nf_desc *d, unsigned cores,
	   struct err *e)
{
	char path[4200];

	lp->dump = pcapw_new(cores * lp->nports);
	for (unsigned c = 0; c < cores; c++)
		for (unsigned p = 0; p < lp->nports; p++) {
			snprintf(path, sizeof path, "%s-core%u-%s.pcap", prefix, c, d->ports[p]);
			if (pcapw_open(lp->dump, c * lp->nports + p, path, e) < 0)
				return e->code;
		}
	return 0;
}

static void
one_packet(struct loop *lp, const struct trace_pkt *pk)
{
	struct check_result *r = lp->r;
	struct seqtrace *t = lp->st;
	struct placed pl;
	const struct flow_info *fi = &pl.fi;
	uint16_t len = (uint16_t)pk->len, port;
	unsigned core;
	bool same, rewritten = true;
	uint32_t fields = 0;
	uint64_t *fv;
	int vs, vh;

	place(lp->pm, lp->c, lp->cport, pk, &lp->flows, &pl, &fv);
	port = pl.port;
	core = pl.core;
	if (lp->pm->by_lan && !pl.ipv4)
		r->non_ipv4++;
	r->packets++;
	r->bytes += len;
	r->core_packets[core]++;
	if (F_PACKETS(*fv) == 1)
		r->core_flows[core]++;

	t->index = pk->index;
	t->core = (uint16_t)core;
	t->port = port;
	t->key = &fi->key;
	t->n_alloc = 0;
	t->n_pending = 0;
	t->nbuf = 0;
	t->violated = false;
	lp->index = pk->index;
	copy_bytes(lp->bseq, pk->data, len);
	copy_bytes(lp->bsh, pk->data, len);
	vs = lp->seq->process(lp->seq->state, port, lp->bseq, len, pk->ts_ns);
	vh = lp->inst[core]->process(lp->inst[core]->state, port, lp->bsh, len, pk->ts_ns);
	if (lp->dump)
		dump_output(lp, pk, core, port, vh);

	if (vs == vh && !frames_equal(lp->bseq, lp->bsh, len))
		fields = diff_fields(fi, pk->data, lp->bseq, lp->bsh, len, &rewritten);
	same = vs == vh && (!fields || rewritten);
	for (unsigned i = 0; i < t->n_pending; i++) {
		struct touch *pt = &t->pending[i];
		uint64_t *v;
		if (same) {
			r->benign++;
			continue;
		}
		v = htab_find(t->entries, pt->key);
		if (v && E_INDEX(*v) != E_INDEX(pt->snap))
			v = NULL;	/* removed and made again during the packet */
		violation(t, pt->key, v, pt->snap, pt->op);
	}
	if (t->violated)
		r->violating_packets++;
	if (vs != vh) {
		/* A full table, sharded or sequential, explains it unless state was shared. */
		if (!t->violated && (lp->ct[core].first_refused || t->first_refused)) {
			r->capacity_diffs++;
			add_diff(r->cex, &r->n_cex, t, vs, vh, 0, false);
		} else {
			r->verdict_diffs++;
			add_diff(r->dex, &r->n_dex, t, vs, vh, 0, false);
		}
	} else if (fields) {
		r->byte_diffs++;
		r->diff_fields |= fields;
		if (rewritten)
			r->rewrite_diffs++;
		add_diff(r->bex, &r->n_bex, t, vs, vh, fields, rewritten);
	}
}

static int
run_loop(void *arg)
{
	struct loop *lp = arg;
	struct check_result *r = lp->r;
	struct trace_pkt pk;
	int nr;

	for (;;) {
		nr = trace_next(lp->t, &pk, lp->e);
		if (nr <= 0) {
			if (nr < 0)
				r->truncated = true;
			return nr;
		}
		if (pk.len > MAX_FRAME) {
			r->oversize++;
			continue;
		}
		one_packet(lp, &pk);
		if ((r->packets & 0xffff) == 0) {
			if (progress_stopped(lp->p)) {
				r->stopped = true;
				return -EINTR;
			}
			progress_report(lp->p, "checking", r->packets, 0);
		}
	}
}

/* The NF's ports in the configuration, by name. */
static int
map_ports(const struct rss_config *c, const char *const *ports, unsigned nports, int *cport,
	  struct err *e)
{
	for (unsigned i = 0; i < nports; i++) {
		cport[i] = -1;
		for (unsigned j = 0; j < c->n_ports; j++) {
			if (strcmp(c->ports[j], ports[i]) == 0)
				cport[i] = (int)j;
		}
		if (cport[i] < 0)
			return err_set(e, -EINVAL, "the RSS configuration has no port '%s' (it has "
				       "%u ports: %s%s)", ports[i], c->n_ports, c->ports[0],
				       c->n_ports > 1 ? ", ..." : "");
	}
	return 0;
}

/* The packets that began violated lifetimes are known only by number: read them again. */
static void
find_owners(struct check_result *r, const char *path, const struct portmap *pm,
	    const int *cport)
{
	struct trace *t;
	struct trace_pkt pk;
	struct err e = ERR_INIT;
	uint64_t last = 0;

	for (unsigned i = 0; i < r->n_vex; i++) {
		if (r->vex[i].owner.index > last)
			last = r->vex[i].owner.index;
	}
	if (!last || !(t = trace_open(path, &e)))
		return;
	while (trace_next(t, &pk, &e) > 0 && pk.index <= last) {
		for (unsigned i = 0; i < r->n_vex; i++) {
			struct check_pkt *o = &r->vex[i].owner;
			struct placed pl;
			if (o->index != pk.index || o->known)
				continue;
			place(pm, r->rss, cport, &pk, NULL, &pl, NULL);
			fill_pkt(o, pk.index, pl.port, pl.core, &pl.fi.key);
		}
	}
	trace_close(t);
}

static int
heavy_cmp(const void *a, const void *b)
{
	const struct check_flow *x = a, *y = b;

	return x->packets < y->packets ? 1 : x->packets > y->packets ? -1 : 0;
}

/* Per flow: the packet count into the heavy list, and into its RETA entry's load. */
static void
add_flows(struct check_result *r, struct htab *flows, size_t key_size, const int *cport)
{
	uint64_t *v;
	const void *k;
	size_t pos = 0;

	r->flows += htab_count(flows);
	while (htab_next(flows, &pos, &k, &v)) {
		struct check_flow f;
		f.packets = F_PACKETS(*v);
		r->buckets[cport[F_PORT(*v)]][F_INDEX(*v)] += f.packets;
		if (!(*v & F_HASHED))
			r->not_hashed += f.packets;
		if (f.packets * r->cores > r->packets && r->cores > 1)
			r->heavy_over++;
		if (r->n_heavy == CHECK_HEAVY && f.packets <= r->heavy[CHECK_HEAVY - 1].packets)
			continue;
		flow_unpack(k, key_size, &f.key);
		f.core = (uint16_t)F_CORE(*v);
		f.port = (uint16_t)F_PORT(*v);
		if (r->n_heavy < CHECK_HEAVY)
			r->heavy[r->n_heavy++] = f;
		else
			r->heavy[CHECK_HEAVY - 1] = f;
		qsort(r->heavy, r->n_heavy, sizeof *r->heavy, heavy_cmp);
	}
}

static void
summarise(struct check_result *r, struct flowtab *ft, const int *cport)
{
	uint64_t maxp = 0, maxf = 0;

	add_flows(r, ft->v4, 16, cport);
	add_flows(r, ft->v6, sizeof(struct flow_key), cport);
	for (unsigned c = 0; c < r->cores; c++) {
		if (r->core_packets[c] > maxp)
			maxp = r->core_packets[c];
		if (r->core_flows[c] > maxf)
			maxf = r->core_flows[c];
	}
	r->imbalance = r->packets ? (double)maxp * r->cores / r->packets : 0;
	r->flow_imbalance = r->flows ? (double)maxf * r->cores / r->flows : 0;
}

static void
result_init(struct check_result *r, struct nfload *nf, const char *pcap,
	    const struct check_opts *o)
{
	const struct nf_desc *d = nfload_desc(nf);

	memset(r, 0, sizeof *r);
	snprintf(r->pcap, sizeof r->pcap, "%s", pcap ? pcap : "");
	snprintf(r->gen, sizeof r->gen, "%s", o->gen ? o->gen : "");
	snprintf(r->nf, sizeof r->nf, "%s", d->name);
	r->nports = nfload_nports(nf);
	for (unsigned i = 0; i < r->nports; i++)
		snprintf(r->ports[i], sizeof r->ports[i], "%s", d->ports[i]);
	r->pm = *o->pm;
	r->rss = rss_config_copy(o->rss);
	r->cores = o->rss->cores;
	r->analyzed = o->analyzed;
	r->locks = o->analyzed && o->locks;
	snprintf(r->locks_why, sizeof r->locks_why, "%s", o->locks_why ? o->locks_why : "");
	r->core_packets = xcalloc(r->cores, sizeof *r->core_packets);
	r->core_flows = xcalloc(r->cores, sizeof *r->core_flows);
	r->core_refused = xcalloc(r->cores, sizeof *r->core_refused);
	for (unsigned i = 0; i < o->rss->n_ports; i++)
		r->buckets[i] = xcalloc(o->rss->reta_size, sizeof **r->buckets);
}

void
check_release(struct check_result *r)
{
	rss_config_free(r->rss);
	free(r->core_packets);
	free(r->core_flows);
	free(r->core_refused);
	for (unsigned i = 0; i < RSS_MAX_PORTS; i++)
		free(r->buckets[i]);
	memset(r, 0, sizeof *r);
}

int
check_run(struct nfload *nf, const char *pcap, const struct check_opts *o,
	  const struct progress *p, struct check_result *r, struct err *e)
{
	const struct nf_desc *d = nfload_desc(nf);
	struct loop lp = { 0 };
	struct seqtrace *st;
	struct fn_cache fns = { .ptr = { NULL } };
	struct nf_hooks h;
	char *genpath = NULL;
	const char *path = pcap;
	double t0;
	int rc, sig;

	result_init(r, nf, pcap, o);
	if (map_ports(o->rss, d->ports, r->nports, lp.cport, e) < 0)
		return -EINVAL;
	if (o->gen) {
		rc = check_gen_file(o->gen, p, &genpath, e);
		if (rc < 0)
			return rc;
		path = genpath;
	}
	lp.t = trace_open(path, e);
	if (!lp.t) {
		rc = e->code;
		goto out;
	}
	st = xcalloc(1, sizeof *st);
	st->r = r;
	st->entries = htab_new(ENTRY_KEY);
	for (unsigned i = 0; i < 64; i++)
		st->obj[i].link = -1;
	h = (struct nf_hooks){ .trace = seq_trace, .call = seq_call, .arg = st };
	lp.seq = nfload_instance(nf, NFLOAD_TRACED, 1, 1, &h, 1, e);
	lp.inst = xcalloc(r->cores, sizeof *lp.inst);
	lp.ct = xcalloc(r->cores, sizeof *lp.ct);
	rc = lp.seq ? 0 : e->code;
	for (unsigned c = 0; c < r->cores && rc == 0; c++) {
		lp.ct[c] = (struct coretrace){ .fns = &fns, .refused = &r->core_refused[c],
					       .index = &lp.index };
		h = (struct nf_hooks){ .call = core_call, .arg = &lp.ct[c] };
		lp.inst[c] = nfload_instance(nf, NFLOAD_TRACED, 1, r->cores, &h, 1, e);
		if (!lp.inst[c])
			rc = e->code;
	}
	lp.nports = r->nports;
	if (rc == 0 && o->out_prefix)
		rc = open_dumps(&lp, o->out_prefix, d, r->cores, e);
	if (rc == 0) {
		st->env = &lp.seq->env;
		st->active = true;
		r->n_objects = lp.seq->env.n_objects;
		for (unsigned i = 0; i < r->n_objects; i++)
			snprintf(r->objects[i].name, NF_NAME_MAX, "%s", lp.seq->env.names[i]);
		lp.r = r;
		lp.pm = o->pm;
		lp.c = o->rss;
		lp.st = st;
		lp.p = p;
		lp.e = e;
		lp.flows.v4 = htab_new(16);
		lp.flows.v6 = htab_new(sizeof(struct flow_key));
		lp.bseq = aligned_alloc(64, MAX_FRAME + 1);
		lp.bsh = aligned_alloc(64, MAX_FRAME + 1);
		if (!lp.bseq || !lp.bsh)
			abort();
		t0 = clock_seconds();
		rc = progress_guard(p, run_loop, &lp, &sig);
		r->seconds = clock_seconds() - t0;
		summarise(r, &lp.flows, lp.cport);
		htab_free(lp.flows.v4);
		htab_free(lp.flows.v6);
		free(lp.bseq);
		free(lp.bsh);
		if (rc == -EFAULT) {
			r->crashed = true;
			err_set(e, -EFAULT, "%s crashed (%s) on packet %llu of %s: it reads or "
				"writes memory it does not own (make fuzz finds such bugs)", d->name,
				strsignal(sig), (unsigned long long)lp.index, path);
		} else if (rc == -EINTR) {
			err_set(e, -EINTR, "check stopped after %llu packets",
				(unsigned long long)r->packets);
		}
		if (rc != -EFAULT)
			find_owners(r, path, o->pm, lp.cport);
	}
	pcapw_free(lp.dump);
	for (unsigned c = 0; c < r->cores; c++)
		nfload_instance_free(lp.inst[c]);
	nfload_instance_free(lp.seq);
	free(lp.inst);
	free(lp.ct);
	htab_free(st->entries);
	free(st);
	trace_close(lp.t);
out:
	if (genpath) {
		unlink(genpath);
		free(genpath);
	}
	return rc;
}

int64_t
check_loads(const char *pcap, const char *gen, const struct portmap *pm,
	    const struct rss_config *c, unsigned nports, const char *const *ports,
	    const struct progress *p, uint64_t *loads[RSS_MAX_PORTS], struct err *e)
{
	int cport[NF_MAX_PORTS];
	char *genpath = NULL;
	struct trace *t;
	struct trace_pkt pk;
	int64_t n = 0;
	int nr;

	for (unsigned i = 0; i < RSS_MAX_PORTS; i++)
		loads[i] = NULL;
	if (map_ports(c, ports, nports, cport, e) < 0)
		return -EINVAL;
	if (gen) {
		nr = check_gen_file(gen, p, &genpath, e);
		if (nr < 0)
			return nr;
		pcap = genpath;
	}
	t = trace_open(pcap, e);
	if (!t) {
		n = e->code;
		goto out;
	}
	for (unsigned i = 0; i < c->n_ports; i++)
		loads[i] = xcalloc(c->reta_size, sizeof **loads);
	while ((nr = trace_next(t, &pk, e)) > 0) {
		struct placed pl;
		place(pm, c, cport, &pk, NULL, &pl, NULL);
		loads[pl.cp][pl.index]++;
		if ((++n & 0xffff) == 0) {
			if (progress_stopped(p)) {
				nr = err_set(e, -EINTR, "stopped after %lld packets", (long long)n);
				break;
			}
			progress_report(p, "reading", (uint64_t)n, 0);
		}
	}
	trace_close(t);
	if (nr < 0) {
		for (unsigned i = 0; i < RSS_MAX_PORTS; i++) {
			free(loads[i]);
			loads[i] = NULL;
		}
		n = nr;
	}
out:
	if (genpath) {
		unlink(genpath);
		free(genpath);
	}
	return n;
}

int
check_config_cores(struct rss_config *c, unsigned cores, struct err *e)
{
	unsigned old = c->cores;

	if (!cores || cores == c->cores)
		return 0;
	if (cores > c->reta_size || cores > RSS_MAX_CORES)
		return err_set(e, -EINVAL, "%u cores: the RETA has only %u entries", cores,
			       c->reta_size);
	c->cores = cores;
	if (rss_set_reta(c, -1, "default", e) < 0) {
		c->cores = old;
		return e->code;
	}
	return 0;
}

/*---- Text and values ----*/

static const char *const field_names[CHECK_F_COUNT] = {
	"eth.dst", "eth.src", "eth.type", "ipv4.src", "ipv4.dst", "ipv4.csum", "ipv4.other",
	"l4.sport", "l4.dport", "l4.csum", "l4.other", "payload",
};

const char *
check_field_name(enum check_field f)
{
	return (unsigned)f < CHECK_F_COUNT ? field_names[f] : "?";
}

static void
fields_text(uint32_t fields, struct sbuf *out)
{
	const char *sep = "";

	for (unsigned f = 0; f < CHECK_F_COUNT; f++) {
		if (fields & (1u << f)) {
			sbuf_printf(out, "%s%s", sep, field_names[f]);
			sep = ", ";
		}
	}
}

static void
verdict_text(const struct check_result *r, int v, char *buf, size_t n)
{
	if (v >= 0 && (unsigned)v < r->nports)
		snprintf(buf, n, "%s", r->ports[v]);
	else if (v == NF_DROP)
		snprintf(buf, n, "drop");
	else if (v == NF_FLOOD)
		snprintf(buf, n, "flood");
	else
		snprintf(buf, n, "invalid (%d)", v);
}

static void
pkt_text(const struct check_result *r, const struct check_pkt *p, struct sbuf *out)
{
	char k[FLOW_KEY_STRLEN];

	if (!p->known) {
		sbuf_printf(out, "packet %llu", (unsigned long long)p->index);
		return;
	}
	flow_key_format(&p->key, k, sizeof k);
	sbuf_printf(out, "packet %llu (%s %s, core %u)", (unsigned long long)p->index,
		    p->port < r->nports ? r->ports[p->port] : "?", k, p->core);
}

static void
key_text(const struct check_violation *x, struct sbuf *out)
{
	if (x->key_len == 4 && !x->key_cut) {
		/* vector and dchain entries: an index, little-endian */
		sbuf_printf(out, "index %u", (unsigned)x->key[0] | (unsigned)x->key[1] << 8 |
			    (unsigned)x->key[2] << 16 | (unsigned)x->key[3] << 24);
		return;
	}
	sbuf_adds(out, "key ");
	for (unsigned i = 0; i < x->key_len; i++)
		sbuf_printf(out, "%02x", x->key[i]);
	if (x->key_cut)
		sbuf_adds(out, "...");
}

static const char *
op_name(enum nf_op op)
{
	return op == NF_OP_READ ? "read" : op == NF_OP_WRITE ? "written" : "updated";
}

static void
bar(struct sbuf *out, uint64_t n, uint64_t max)
{
	unsigned w = max ? (unsigned)((n * 40 + max - 1) / max) : 0;

	sbuf_addc(out, ' ');
	for (unsigned i = 0; i < w; i++)
		sbuf_addc(out, '#');
}

static void
format_config(const struct check_result *r, struct sbuf *out)
{
	const struct rss_config *c = r->rss;

	sbuf_printf(out, "rss: %s, %u cores, RETA of %u entries, %u-byte keys;", c->nic->name,
		    c->cores, c->reta_size, c->key_len);
	for (unsigned i = 0; i < c->n_ports; i++) {
		char l[16];
		fieldset_letters(&c->port[i].fs, l, sizeof l);
		sbuf_printf(out, " %s=%s", c->ports[i], l);
	}
	sbuf_printf(out, "; %llu packets not hashed (IPv6, ARP, or a class the field set "
		    "leaves out: RETA entry 0)\n", (unsigned long long)r->not_hashed);
}

static void
format_consistency(const struct check_result *r, struct sbuf *out)
{
	unsigned judged = 0;
	const char *sep = "";

	sbuf_printf(out, "consistency: %llu state entr%s touched from two cores", 
		    (unsigned long long)r->violations, r->violations == 1 ? "y" : "ies");
	if (r->violations)
		sbuf_printf(out, " (in %llu packets)", (unsigned long long)r->violating_packets);
	sbuf_adds(out, "; lifetimes per object:");
	for (unsigned i = 0; i < r->n_objects; i++) {
		const struct check_object *ob = &r->objects[i];
		if (!ob->written)
			continue;
		judged++;
		sbuf_printf(out, "%s %s %llu", sep, ob->name, (unsigned long long)ob->lifetimes);
		if (ob->violations)
			sbuf_printf(out, " (%llu broken)", (unsigned long long)ob->violations);
		sep = ",";
	}
	if (!judged)
		sbuf_adds(out, " none written (read-only state is replicated per core)");
	sbuf_addc(out, '\n');
	for (unsigned i = 0; i < r->n_vex; i++) {
		const struct check_violation *x = &r->vex[i];
		sbuf_printf(out, "  %s ", x->object);
		key_text(x, out);
		sbuf_adds(out, ": begun by ");
		pkt_text(r, &x->owner, out);
		sbuf_printf(out, ",\n      %s by ", op_name(x->op));
		pkt_text(r, &x->other, out);
		sbuf_addc(out, '\n');
	}
	if (r->benign)
		sbuf_printf(out, "  %llu lookups from another core came out as in the sequential "
			    "run (there, a miss behaves like this hit): not counted\n",
			    (unsigned long long)r->benign);
}

static void
format_balance(const struct check_result *r, struct sbuf *out)
{
	uint64_t max = 0;
	char k[FLOW_KEY_STRLEN];

	sbuf_printf(out, "balance: max/mean %.2f packets, %.2f flows (%llu flows)\n",
		    r->imbalance, r->flow_imbalance, (unsigned long long)r->flows);
	for (unsigned c = 0; c < r->cores; c++) {
		if (r->core_packets[c] > max)
			max = r->core_packets[c];
	}
	sbuf_printf(out, "  %5s %10s %7s %8s\n", "core", "packets", "share", "flows");
	for (unsigned c = 0; c < r->cores; c++) {
		sbuf_printf(out, "  %5u %10llu %6.1f%% %8llu", c,
			    (unsigned long long)r->core_packets[c],
			    r->packets ? 100.0 * r->core_packets[c] / r->packets : 0.0,
			    (unsigned long long)r->core_flows[c]);
		bar(out, r->core_packets[c], max);
		sbuf_addc(out, '\n');
	}
	if (!r->n_heavy)
		return;
	if (!r->heavy_over) {
		flow_key_format(&r->heavy[0].key, k, sizeof k);
		sbuf_printf(out, "  no flow alone exceeds a core's fair share (%llu packets); the "
			    "largest, %s on %s, has %llu\n",
			    (unsigned long long)(r->packets / (r->cores ? r->cores : 1)), k,
			    r->ports[r->heavy[0].port % NF_MAX_PORTS],
			    (unsigned long long)r->heavy[0].packets);
		return;
	}
	sbuf_printf(out, "  %llu flow%s alone exceed%s a core's fair share (%llu packets): "
		    "sharding cannot split %s\n", (unsigned long long)r->heavy_over,
		    r->heavy_over == 1 ? "" : "s", r->heavy_over == 1 ? "s" : "",
		    (unsigned long long)(r->packets / r->cores), r->heavy_over == 1 ? "it" : "them");
	for (unsigned i = 0; i < r->n_heavy; i++) {
		const struct check_flow *f = &r->heavy[i];
		if (f->packets * r->cores <= r->packets)
			break;
		flow_key_format(&f->key, k, sizeof k);
		sbuf_printf(out, "    %s on %s: %llu packets (%.1f%%), core %u\n", k,
			    r->ports[f->port % NF_MAX_PORTS], (unsigned long long)f->packets,
			    100.0 * f->packets / r->packets, f->core);
	}
}

static void
format_diffs(const struct check_result *r, const struct check_diff *x, unsigned n,
	     struct sbuf *out)
{
	char a[32], b[32];

	for (unsigned i = 0; i < n; i++) {
		sbuf_adds(out, "    ");
		pkt_text(r, &x[i].pkt, out);
		verdict_text(r, x[i].seq, a, sizeof a);
		verdict_text(r, x[i].sharded, b, sizeof b);
		if (x[i].fields) {
			sbuf_printf(out, ": %s in both, bytes differ in ", a);
			fields_text(x[i].fields, out);
		} else {
			sbuf_printf(out, ": sequential %s, sharded %s", a, b);
		}
		sbuf_addc(out, '\n');
	}
}

static void
format_semantics(const struct check_result *r, struct sbuf *out)
{
	uint64_t same = r->packets - r->verdict_diffs - r->capacity_diffs;

	sbuf_printf(out, "semantics: %llu/%llu packets same verdict as the sequential NF; %llu "
		    "verdict difference%s, %llu byte difference%s\n", (unsigned long long)same,
		    (unsigned long long)r->packets, (unsigned long long)r->verdict_diffs,
		    r->verdict_diffs == 1 ? "" : "s", (unsigned long long)r->byte_diffs,
		    r->byte_diffs == 1 ? "" : "s");
	if (r->verdict_diffs) {
		sbuf_adds(out, "  verdicts differ:\n");
		format_diffs(r, r->dex, r->n_dex, out);
	}
	if (r->capacity_diffs) {
		sbuf_printf(out, "  %llu more differ only after a table filled (each core has 1/%u of "
			    "the capacity; refused allocations per core:",
			    (unsigned long long)r->capacity_diffs, r->cores);
		for (unsigned c = 0; c < r->cores; c++)
			sbuf_printf(out, " %llu", (unsigned long long)r->core_refused[c]);
		sbuf_printf(out, ", sequential %llu); raise the NF's capacity:\n",
			    (unsigned long long)r->seq_refused);
		format_diffs(r, r->cex, r->n_cex, out);
	}
	if (r->byte_diffs) {
		sbuf_printf(out, "  bytes differ (same verdict) in ");
		fields_text(r->diff_fields, out);
		sbuf_addc(out, '\n');
		if (r->rewrite_diffs)
			sbuf_printf(out, "  %llu of them only in bytes both runs rewrote: values the "
				    "NF allocates from per-core state (nat's external ports), which "
				    "may legitimately differ\n", (unsigned long long)r->rewrite_diffs);
		format_diffs(r, r->bex, r->n_bex, out);
	}
}

void
check_format(const struct check_result *r, struct sbuf *out)
{
	sbuf_printf(out, "check %s through %s: %llu packets on %u cores in %.3f s (%.2f Mpps)%s\n",
		    r->gen[0] ? r->gen : r->pcap, r->nf, (unsigned long long)r->packets, r->cores,
		    r->seconds, r->seconds > 0 ? r->packets / r->seconds / 1e6 : 0.0,
		    r->stopped ? ", stopped early: what was seen so far" :
		    r->truncated ? ", trace cut short" : r->crashed ? ", the NF crashed" : "");
	portmap_format(&r->pm, r->ports, r->non_ipv4, out);
	if (r->rss)
		format_config(r, out);
	if (r->locks)
		sbuf_printf(out, "%s's verdict is locks%s%s%s: shared-nothing cannot hold. What a "
			    "naive sharding with this configuration breaks:\n", r->nf,
			    r->locks_why[0] ? " (" : "", r->locks_why, r->locks_why[0] ? ")" : "");
	format_consistency(r, out);
	format_balance(r, out);
	format_semantics(r, out);
	if (r->oversize)
		sbuf_printf(out, "skipped: %llu frames over 65535 bytes\n",
			    (unsigned long long)r->oversize);
}

static struct val *
pkt_val(const struct check_result *r, const struct check_pkt *p)
{
	struct val *v = val_obj();
	char k[FLOW_KEY_STRLEN];

	val_set_int(v, "packet", (int64_t)p->index);
	if (p->known) {
		flow_key_format(&p->key, k, sizeof k);
		val_set_str(v, "port", p->port < r->nports ? r->ports[p->port] : "?");
		val_set_int(v, "core", p->core);
		val_set_str(v, "flow", k);
	}
	return v;
}

static struct val *
diffs_val(const struct check_result *r, const struct check_diff *x, unsigned n)
{
	struct val *a = val_arr();
	char b[32];

	for (unsigned i = 0; i < n; i++) {
		struct val *d = pkt_val(r, &x[i].pkt);
		verdict_text(r, x[i].seq, b, sizeof b);
		val_set_str(d, "sequential", b);
		verdict_text(r, x[i].sharded, b, sizeof b);
		val_set_str(d, "sharded", b);
		if (x[i].fields) {
			struct val *f = val_arr();
			for (unsigned j = 0; j < CHECK_F_COUNT; j++) {
				if (x[i].fields & (1u << j))
					val_push(f, val_str(field_names[j]));
			}
			val_set(d, "fields", f);
			val_set_bool(d, "rewritten", x[i].rewritten);
		}
		val_push(a, d);
	}
	return a;
}

struct val *
check_to_val(const struct check_result *r)
{
	struct val *v = val_obj(), *pc = val_arr(), *vio = val_obj(), *ex = val_arr();
	struct val *objs = val_obj(), *heavy = val_arr(), *f = val_arr();
	char k[FLOW_KEY_STRLEN];

	val_set_str(v, "nf", r->nf);
	if (r->gen[0])
		val_set_str(v, "gen", r->gen);
	else
		val_set_str(v, "pcap", r->pcap);
	val_set_int(v, "packets", (int64_t)r->packets);
	val_set_int(v, "bytes", (int64_t)r->bytes);
	val_set_int(v, "cores", r->cores);
	if (r->analyzed)
		val_set_str(v, "verdict", r->locks ? "locks" : "shared-nothing");
	if (r->pm.by_lan)
		val_set_str(v, "lan", r->pm.cidr);
	else
		val_set_str(v, "port", r->ports[r->pm.port]);
	if (r->rss)
		val_set(v, "config", rss_config_val(r->rss));
	for (unsigned c = 0; c < r->cores; c++) {
		struct val *cv = val_obj();
		val_set_int(cv, "packets", (int64_t)r->core_packets[c]);
		val_set_int(cv, "flows", (int64_t)r->core_flows[c]);
		val_set_int(cv, "refused", (int64_t)r->core_refused[c]);
		val_push(pc, cv);
	}
	val_set(v, "per_core", pc);
	val_set_num(v, "imbalance", r->imbalance);
	val_set_num(v, "flow_imbalance", r->flow_imbalance);
	val_set_int(v, "flows", (int64_t)r->flows);
	val_set_int(v, "not_hashed", (int64_t)r->not_hashed);
	for (unsigned i = 0; i < r->n_heavy; i++) {
		struct val *hv = val_obj();
		flow_key_format(&r->heavy[i].key, k, sizeof k);
		val_set_str(hv, "flow", k);
		val_set_str(hv, "port", r->ports[r->heavy[i].port % NF_MAX_PORTS]);
		val_set_int(hv, "core", r->heavy[i].core);
		val_set_int(hv, "packets", (int64_t)r->heavy[i].packets);
		val_set_bool(hv, "over_share", r->heavy[i].packets * r->cores > r->packets);
		val_push(heavy, hv);
	}
	val_set(v, "heavy", heavy);
	val_set_int(v, "heavy_over", (int64_t)r->heavy_over);
	val_set_int(vio, "count", (int64_t)r->violations);
	val_set_int(vio, "packets", (int64_t)r->violating_packets);
	val_set_int(vio, "benign_lookups", (int64_t)r->benign);
	for (unsigned i = 0; i < r->n_vex; i++) {
		const struct check_violation *x = &r->vex[i];
		struct val *xv = val_obj();
		struct sbuf kb = SBUF_INIT;
		key_text(x, &kb);
		val_set_str(xv, "object", x->object);
		val_set_str(xv, "key", sbuf_str(&kb));
		val_set_str(xv, "op", op_name(x->op));
		val_set(xv, "first", pkt_val(r, &x->owner));
		val_set(xv, "other", pkt_val(r, &x->other));
		val_push(ex, xv);
		sbuf_release(&kb);
	}
	val_set(vio, "examples", ex);
	for (unsigned i = 0; i < r->n_objects; i++) {
		struct val *ov = val_obj();
		val_set_bool(ov, "written", r->objects[i].written);
		val_set_int(ov, "lifetimes", (int64_t)r->objects[i].lifetimes);
		val_set_int(ov, "violations", (int64_t)r->objects[i].violations);
		val_set(objs, r->objects[i].name, ov);
	}
	val_set(vio, "objects", objs);
	val_set(v, "violations", vio);
	val_set_int(v, "verdict_diffs", (int64_t)r->verdict_diffs);
	val_set_int(v, "capacity_diffs", (int64_t)r->capacity_diffs);
	val_set_int(v, "seq_refused", (int64_t)r->seq_refused);
	val_set_int(v, "byte_diffs", (int64_t)r->byte_diffs);
	val_set_int(v, "rewrite_diffs", (int64_t)r->rewrite_diffs);
	for (unsigned j = 0; j < CHECK_F_COUNT; j++) {
		if (r->diff_fields & (1u << j))
			val_push(f, val_str(field_names[j]));
	}
	val_set(v, "diff_fields", f);
	val_set(v, "verdict_examples", diffs_val(r, r->dex, r->n_dex));
	val_set(v, "capacity_examples", diffs_val(r, r->cex, r->n_cex));
	val_set(v, "byte_examples", diffs_val(r, r->bex, r->n_bex));
	val_set_num(v, "seconds", r->seconds);
	val_set_num(v, "mpps", r->seconds > 0 ? r->packets / r->seconds / 1e6 : 0);
	val_set_bool(v, "stopped", r->stopped);
	val_set_bool(v, "truncated", r->truncated);
	return v;
}
