#include "engine/rss.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"
#include "engine/gf2.h"
#include "engine/rng.h"
#include "engine/xalloc.h"

/* Byte offsets of the fields in a shard_pair's 12-byte view (src, dst, sport, dport). */
static const unsigned foff[SHARD_NFIELDS] = { 0, 4, 8, 10 };

#define NODES (2 * SHARD_BYTES * 8)	/* a bit of packet p (side 0) or q (side 1) */
#define KEY_VARS 128			/* key bits a 96-bit input can reach: 0..126 */
#define BALANCE_TUPLES 16384
#define DEFAULT_CORES 4

static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static unsigned
log2u(unsigned v)
{
	unsigned r = 0;

	while ((1u << r) < v)
		r++;
	return r;
}

static bool
key_bit(const uint8_t *key, unsigned len, unsigned b)
{
	return b / 8 < len && key[b / 8] >> (7 - b % 8) & 1;
}

/* Field of a byte of the 12-byte view. */
static enum shard_field
field_of(unsigned byte)
{
	return byte < 4 ? SHARD_SRC : byte < 8 ? SHARD_DST : byte < 10 ? SHARD_SPORT : SHARD_DPORT;
}

/*---- Constraints ----*/

static char **
copy_names(unsigned n, const char *const *names)
{
	char **v = xcalloc(n ? n : 1, sizeof *v);

	for (unsigned i = 0; i < n; i++)
		v[i] = xstrdup(names[i]);
	return v;
}

static void
free_names(unsigned n, char **v)
{
	for (unsigned i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void
rss_cons_none(struct rss_cons *c, unsigned n, const char *const *ports)
{
	memset(c, 0, sizeof *c);
	c->n_ports = n > RSS_MAX_PORTS ? RSS_MAX_PORTS : n;
	c->ports = copy_names(c->n_ports, ports);
}

static void
cons_add(struct rss_cons *c, const struct shard_constraint *k)
{
	struct shard_constraint *d;
	struct sbuf sb = SBUF_INIT;

	c->k = xrealloc(c->k, (c->n + 1) * sizeof *c->k);
	c->text = xrealloc(c->text, (c->n + 1) * sizeof *c->text);
	d = &c->k[c->n];
	memset(d, 0, sizeof *d);
	d->port_a = k->port_a;
	d->port_b = k->port_b;
	d->n_pairs = k->n_pairs;
	d->pairs = xmalloc((k->n_pairs ? k->n_pairs : 1) * sizeof *d->pairs);
	memcpy(d->pairs, k->pairs, k->n_pairs * sizeof *d->pairs);
	d->tie = k->tie;
	shard_constraint_text((const char *const *)c->ports, d, &sb);
	c->text[c->n++] = sbuf_detach(&sb);
}

void
rss_cons_from_shard(const struct analysis *a, const struct shard *sh, struct rss_cons *c)
{
	rss_cons_none(c, a->n_ports, a->ports);
	if (!sh->shared_nothing) {
		c->locks = true;
		return;
	}
	for (uint32_t i = 0; i < sh->n_constraints; i++)
		if (sh->constraints[i].port_a < c->n_ports && sh->constraints[i].port_b < c->n_ports)
			cons_add(c, &sh->constraints[i]);
}

void
rss_cons_release(struct rss_cons *c)
{
	for (uint32_t i = 0; i < c->n; i++) {
		free(c->k[i].pairs);
		free(c->text[i]);
	}
	free(c->k);
	free(c->text);
	free_names(c->n_ports, c->ports);
	memset(c, 0, sizeof *c);
}

/* One side of a pair as written by 'show constraints --json': "ipv4.src", "ipv4.src/24",
** "ipv4.src&0xffffff00", "l4.sport[1]", "l4.sport[1]&0x0f". Fills bytes (4 or 2, or 1 when a
** byte is named: *first is that byte) and their masks. */
static int
parse_side(const char *s, enum shard_field *f, unsigned *first, unsigned *n, uint8_t m[4],
	   struct err *e)
{
	const char *p = NULL;
	unsigned len;
	int fi;

	for (fi = 0; fi < SHARD_NFIELDS; fi++) {
		const char *name = shard_field_name((enum shard_field)fi);
		size_t l = strlen(name);

		if (!strncmp(s, name, l) && strchr("/&[", s[l])) {
			p = s + l;
			break;
		}
	}
	if (!p)
		return err_set(e, -EINVAL, "constraint field '%s': not ipv4.src, ipv4.dst, l4.sport "
			       "or l4.dport (with /N, &0xMASK or [BYTE])", s);
	*f = (enum shard_field)fi;
	len = fieldset_field_bits(*f) / 8;
	*first = 0;
	*n = len;
	memset(m, 0xff, 4);
	if (*p == '[') {
		char *end;
		unsigned long b = strtoul(p + 1, &end, 10);

		if (end == p + 1 || *end != ']' || b >= len)
			return err_set(e, -EINVAL, "constraint field '%s': byte out of range", s);
		*first = (unsigned)b;
		*n = 1;
		p = end + 1;
		if (*p == '&') {
			unsigned long v = strtoul(p + 1, &end, 16);

			if (*end || v > 0xff)
				return err_set(e, -EINVAL, "constraint field '%s': bad mask", s);
			m[0] = (uint8_t)v;
		} else if (*p) {
			return err_set(e, -EINVAL, "constraint field '%s': junk after ']'", s);
		}
		return 0;
	}
	if (*p == '/') {
		char *end;
		unsigned long bits = strtoul(p + 1, &end, 10);

		if (end == p + 1 || *end || bits > len * 8)
			return err_set(e, -EINVAL, "constraint field '%s': bad prefix length", s);
		for (unsigned i = 0; i < len; i++) {
			unsigned ones = bits > i * 8 ? bits - i * 8 : 0;

			m[i] = ones >= 8 ? 0xff : (uint8_t)(0xff00 >> ones);
		}
	} else if (*p == '&') {
		char *end;
		unsigned long long v = strtoull(p + 1, &end, 16);

		if (*end || (len == 2 && v > 0xffff) || v > 0xffffffffULL)
			return err_set(e, -EINVAL, "constraint field '%s': bad mask", s);
		for (unsigned i = 0; i < len; i++)
			m[i] = (uint8_t)(v >> (8 * (len - 1 - i)));
	}
	return 0;
}

static int
port_index(const struct rss_cons *c, const char *name)
{
	for (unsigned i = 0; i < c->n_ports; i++)
		if (!strcmp(c->ports[i], name))
			return (int)i;
	return -1;
}

int
rss_cons_from_val(const struct val *v, struct rss_cons *c, struct err *e)
{
	const struct val *ports = val_get(v, "ports"), *list = val_get(v, "constraints");
	const char *names[RSS_MAX_PORTS];
	const char *verdict = val_get_str(v, "verdict");

	memset(c, 0, sizeof *c);
	if (!ports || ports->kind != VAL_ARR || !ports->u.c.n)
		return err_set(e, -EINVAL, "the analysis has no 'ports' list of names");
	if (ports->u.c.n > RSS_MAX_PORTS)
		return err_set(e, -EINVAL, "%zu ports: at most %d", ports->u.c.n, RSS_MAX_PORTS);
	for (size_t i = 0; i < ports->u.c.n; i++) {
		if (ports->u.c.items[i]->kind != VAL_STR)
			return err_set(e, -EINVAL, "ports[%zu] is not a name", i + 1);
		names[i] = ports->u.c.items[i]->u.s;
	}
	rss_cons_none(c, (unsigned)ports->u.c.n, names);
	if (verdict && !strcmp(verdict, "locks")) {
		c->locks = true;
		return 0;
	}
	if (list && list->kind != VAL_ARR) {
		rss_cons_release(c);
		return err_set(e, -EINVAL, "'constraints' is not a list");
	}
	for (size_t i = 0; list && i < list->u.c.n; i++) {
		const struct val *k = list->u.c.items[i];
		const struct val *kp = val_get(k, "ports"), *pairs = val_get(k, "pairs");
		struct shard_constraint sc = { 0 };
		struct shard_pair pp[SHARD_BYTES * 2];
		int pa, pb;

		if (!kp || kp->kind != VAL_ARR || kp->u.c.n != 2 || kp->u.c.items[0]->kind != VAL_STR ||
		    kp->u.c.items[1]->kind != VAL_STR) {
			rss_cons_release(c);
			return err_set(e, -EINVAL, "constraint %zu: 'ports' must be two port names", i + 1);
		}
		pa = port_index(c, kp->u.c.items[0]->u.s);
		pb = port_index(c, kp->u.c.items[1]->u.s);
		if (pa < 0 || pb < 0) {
			err_set(e, -EINVAL, "constraint %zu: unknown port '%s'", i + 1,
				pa < 0 ? kp->u.c.items[0]->u.s : kp->u.c.items[1]->u.s);
			rss_cons_release(c);
			return -EINVAL;
		}
		if (!pairs || pairs->kind != VAL_ARR || !pairs->u.c.n) {
			rss_cons_release(c);
			return err_set(e, -EINVAL, "constraint %zu: 'pairs' must list field pairs", i + 1);
		}
		for (size_t j = 0; j < pairs->u.c.n; j++) {
			const struct val *pr = pairs->u.c.items[j];
			enum shard_field fa, fb;
			unsigned a0, an, b0, bn;
			uint8_t ma[4], mb[4];

			if (pr->kind != VAL_ARR || pr->u.c.n != 2 || pr->u.c.items[0]->kind != VAL_STR ||
			    pr->u.c.items[1]->kind != VAL_STR) {
				rss_cons_release(c);
				return err_set(e, -EINVAL, "constraint %zu pair %zu: two field names", i + 1,
					       j + 1);
			}
			if (parse_side(pr->u.c.items[0]->u.s, &fa, &a0, &an, ma, e) < 0 ||
			    parse_side(pr->u.c.items[1]->u.s, &fb, &b0, &bn, mb, e) < 0) {
				err_prefix(e, "constraint %zu", i + 1);
				rss_cons_release(c);
				return -EINVAL;
			}
			if (an != bn) {
				err_set(e, -EINVAL, "constraint %zu: %s and %s differ in width", i + 1,
					pr->u.c.items[0]->u.s, pr->u.c.items[1]->u.s);
				rss_cons_release(c);
				return -EINVAL;
			}
			for (unsigned b = 0; b < an; b++) {
				uint8_t m = ma[b] & mb[b];

				if (!m)
					continue;
				if (sc.n_pairs == sizeof pp / sizeof pp[0]) {
					rss_cons_release(c);
					return err_set(e, -EINVAL, "constraint %zu: too many pairs", i + 1);
				}
				pp[sc.n_pairs++] = (struct shard_pair){ (uint8_t)fa, (uint8_t)(a0 + b),
									 (uint8_t)fb, (uint8_t)(b0 + b), m };
			}
		}
		if (pa > pb) {	/* stored with port_a <= port_b, as the verdict does */
			int t = pa;

			pa = pb;
			pb = t;
			for (uint32_t q = 0; q < sc.n_pairs; q++)
				pp[q] = (struct shard_pair){ pp[q].fb, pp[q].bb, pp[q].fa, pp[q].ba,
							     pp[q].mask };
		}
		sc.port_a = (unsigned)pa;
		sc.port_b = (unsigned)pb;
		sc.pairs = pp;
		cons_add(c, &sc);
	}
	return 0;
}

/*---- Configurations ----*/

static void
port_rebuild(struct rss_config *c, unsigned p)
{
	int pos[SHARD_NFIELDS];
	unsigned bits = fieldset_layout(&c->port[p].fs, pos);

	if (!c->port[p].tab)
		c->port[p].tab = xmalloc(sizeof *c->port[p].tab);
	toeplitz_tab_init(c->port[p].tab, c->port[p].key, c->key_len, bits / 8);
}

static void
reta_round_robin(uint16_t *reta, unsigned size, unsigned cores)
{
	for (unsigned i = 0; i < size; i++)
		reta[i] = (uint16_t)(i % cores);
}

struct rss_config *
rss_config_new(const struct nic *nic, unsigned cores, unsigned reta_size, unsigned n,
	       const char *const *ports)
{
	struct rss_config *c = xcalloc(1, sizeof *c);

	c->nic = nic ? nic : nic_default();
	c->cores = cores ? cores : DEFAULT_CORES;
	c->key_len = c->nic->key_len;
	c->reta_size = reta_size ? reta_size : c->nic->reta_default;
	c->n_ports = n > RSS_MAX_PORTS ? RSS_MAX_PORTS : n;
	c->ports = copy_names(c->n_ports, ports);
	c->seed = 1;
	for (unsigned p = 0; p < c->n_ports; p++) {
		memcpy(c->port[p].key, ms_key, sizeof ms_key);
		c->port[p].fs = FIELDSET_DEFAULT;
		c->port[p].reta = xmalloc(c->reta_size * sizeof *c->port[p].reta);
		reta_round_robin(c->port[p].reta, c->reta_size, c->cores);
		port_rebuild(c, p);
	}
	return c;
}

struct rss_config *
rss_config_copy(const struct rss_config *c)
{
	struct rss_config *d = xmalloc(sizeof *d);

	*d = *c;
	d->ports = copy_names(c->n_ports, (const char *const *)c->ports);
	for (unsigned p = 0; p < c->n_ports; p++) {
		d->port[p].reta = xmalloc(c->reta_size * sizeof *d->port[p].reta);
		memcpy(d->port[p].reta, c->port[p].reta, c->reta_size * sizeof *d->port[p].reta);
		d->port[p].tab = xmalloc(sizeof *d->port[p].tab);
		memcpy(d->port[p].tab, c->port[p].tab, sizeof *d->port[p].tab);
	}
	return d;
}

void
rss_config_free(struct rss_config *c)
{
	if (!c)
		return;
	for (unsigned p = 0; p < c->n_ports; p++) {
		free(c->port[p].reta);
		free(c->port[p].tab);
	}
	free_names(c->n_ports, c->ports);
	free(c);
}

int
rss_port_find(const struct rss_config *c, const char *name, struct err *e)
{
	char *end;
	unsigned long n;

	for (unsigned p = 0; p < c->n_ports; p++)
		if (!strcmp(c->ports[p], name))
			return (int)p;
	n = strtoul(name, &end, 10);
	if (*name && !*end && n < c->n_ports)
		return (int)n;
	{
		struct sbuf sb = SBUF_INIT;

		for (unsigned p = 0; p < c->n_ports; p++)
			sbuf_printf(&sb, "%s%u=%s", p ? ", " : "", p, c->ports[p]);
		err_set(e, -EINVAL, "unknown port '%s' (%s)", name, sbuf_str(&sb));
		sbuf_release(&sb);
	}
	return -1;
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

int
rss_set_key(struct rss_config *c, int port, const char *hex, struct err *e)
{
	uint8_t key[TOEPLITZ_KEY_MAX];
	unsigned n = 0, digits = 0;
	int hi = -1;
	const char *start = hex;	/* columns count from what the user typed */

	if (port >= (int)c->n_ports)
		return err_set(e, -EINVAL, "no port %d", port);
	if (!strncmp(hex, "0x", 2) || !strncmp(hex, "0X", 2))
		hex += 2;
	for (const char *p = hex; *p; p++) {
		int v = hexval((unsigned char)*p);

		if (*p == ':' || *p == ' ' || *p == '-') {
			if (hi >= 0)
				return err_set(e, -EINVAL, "key: odd number of hex digits before column %d "
					       "(every byte takes two)", (int)(p - start) + 1);
			continue;
		}
		if (v < 0)
			return err_set(e, -EINVAL, "key: '%c' at column %d is not a hex digit", *p,
				       (int)(p - start) + 1);
		digits++;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == TOEPLITZ_KEY_MAX)
			return err_set(e, -EINVAL, "key: more than %d bytes", TOEPLITZ_KEY_MAX);
		key[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		return err_set(e, -EINVAL, "key: %u hex digits, an odd number (every byte takes two)",
			       digits);
	if (nic_check_key_len(c->nic, n, e) < 0)
		return -EINVAL;
	/* A software key of another size applies to every port: one key length per config. */
	if (n != c->key_len && port >= 0 && c->n_ports > 1)
		return err_set(e, -EINVAL, "the key has %u bytes but the other ports' have %u; set "
			       "all ports at once (rss set all key ...) to change the size", n,
			       c->key_len);
	c->key_len = n;
	for (unsigned p = 0; p < c->n_ports; p++) {
		if (port >= 0 && (int)p != port)
			continue;
		memset(c->port[p].key, 0, sizeof c->port[p].key);
		memcpy(c->port[p].key, key, n);
		port_rebuild(c, p);
	}
	return 0;
}

int
rss_set_fields(struct rss_config *c, int port, const char *set, struct err *e)
{
	struct fieldset fs;

	if (port >= (int)c->n_ports)
		return err_set(e, -EINVAL, "no port %d", port);
	if (fieldset_parse(set, &fs, e) < 0 || nic_check_fields(c->nic, &fs, e) < 0)
		return -EINVAL;
	for (unsigned p = 0; p < c->n_ports; p++) {
		if (port >= 0 && (int)p != port)
			continue;
		c->port[p].fs = fs;
		port_rebuild(c, p);
	}
	return 0;
}

int
rss_set_reta(struct rss_config *c, int port, const char *list, struct err *e)
{
	uint16_t *reta;
	unsigned n = 0;
	const char *p = list;

	if (port >= (int)c->n_ports)
		return err_set(e, -EINVAL, "no port %d", port);
	reta = xmalloc(c->reta_size * sizeof *reta);

	while (isspace((unsigned char)*p))
		p++;
	if (!strcmp(p, "default") || !strcmp(p, "round-robin")) {
		reta_round_robin(reta, c->reta_size, c->cores);
		n = c->reta_size;
	} else {
		while (*p) {
			char *end;
			unsigned long v;

			if (*p == ',' || isspace((unsigned char)*p)) {
				p++;
				continue;
			}
			v = strtoul(p, &end, 10);
			if (end == p) {
				free(reta);
				return err_set(e, -EINVAL, "RETA entry %u: '%.8s' is not a core number", n + 1,
					       p);
			}
			if (v >= c->cores) {
				free(reta);
				return err_set(e, -EINVAL, "RETA entry %u: core %lu, but there are %u cores "
					       "(0..%u)", n + 1, v, c->cores, c->cores - 1);
			}
			if (n == c->reta_size) {
				free(reta);
				return err_set(e, -EINVAL, "more than %u RETA entries (the RETA size)",
					       c->reta_size);
			}
			reta[n++] = (uint16_t)v;
			p = end;
		}
		if (!n || c->reta_size % n) {
			free(reta);
			return err_set(e, -EINVAL, "%u RETA entries: give %u, or a pattern whose length "
				       "divides %u (it repeats)", n, c->reta_size, c->reta_size);
		}
		for (unsigned i = n; i < c->reta_size; i++)
			reta[i] = reta[i % n];
	}
	for (unsigned q = 0; q < c->n_ports; q++)
		if (port < 0 || (int)q == port)
			memcpy(c->port[q].reta, reta, c->reta_size * sizeof *reta);
	free(reta);
	return 0;
}

struct rss_hit
rss_hash(const struct rss_config *c, unsigned port, uint32_t src, uint32_t dst, uint16_t sport,
	 uint16_t dport)
{
	uint8_t in[12];
	const struct rss_port *p = &c->port[port];
	struct rss_hit h;

	fieldset_input(&p->fs, src, dst, sport, dport, in);
	h.hash = toeplitz_tab_hash(p->tab, in);
	h.index = h.hash & (c->reta_size - 1);
	h.core = p->reta[h.index];
	return h;
}

/*---- Quality ----*/

/* The bits each port may hash: those every constraint on the port equates with something
** (any other bit's key window must be zero); every bit on a port no constraint names. */
static void
needs_of(const struct rss_cons *k, unsigned n_ports, uint8_t need[][SHARD_BYTES])
{
	memset(need, 0xff, n_ports * sizeof *need);
	for (uint32_t i = 0; k && i < k->n; i++) {
		const struct shard_constraint *sc = &k->k[i];
		uint8_t named[2][SHARD_BYTES] = { { 0 } };

		for (uint32_t j = 0; j < sc->n_pairs; j++) {
			const struct shard_pair *pp = &sc->pairs[j];

			named[0][foff[pp->fa] + pp->ba] |= pp->mask;
			named[1][foff[pp->fb] + pp->bb] |= pp->mask;
		}
		for (unsigned b = 0; b < SHARD_BYTES; b++) {
			if (sc->port_a == sc->port_b) {
				need[sc->port_a][b] &= named[0][b] | named[1][b];
			} else {
				need[sc->port_a][b] &= named[0][b];
				need[sc->port_b][b] &= named[1][b];
			}
		}
	}
}

static bool
need_bit(const uint8_t need[SHARD_BYTES], enum shard_field f, unsigned j)
{
	return need[foff[f] + j / 8] >> (7 - j % 8) & 1;
}

/* Row j of the RETA map: RETA index bit j (0 = least significant, hash bit 31 - j) over input
** bits: input bit i reaches it through key bit i + 31 - j. */
static void
reta_rows(const uint8_t *key, unsigned key_len, unsigned n_in, unsigned r, uint64_t rows[][2])
{
	for (unsigned j = 0; j < r; j++) {
		rows[j][0] = rows[j][1] = 0;
		for (unsigned i = 0; i < n_in; i++)
			if (key_bit(key, key_len, i + 31 - j))
				gf2_set(rows[j], i);
	}
}

static unsigned
key_period(const uint8_t *key, unsigned key_len, unsigned used, bool *zero)
{
	*zero = true;
	for (unsigned i = 0; i < used; i++)
		if (key_bit(key, key_len, i))
			*zero = false;
	for (unsigned p = 1; p <= 32 && p < used; p++) {
		bool per = true;

		for (unsigned i = 0; per && i + p < used; i++)
			per = key_bit(key, key_len, i) == key_bit(key, key_len, i + p);
		if (per)
			return p;
	}
	return 0;
}

/* Everything but the measured balance. */
static void
port_ranks(const struct rss_config *c, unsigned p, const uint8_t need[SHARD_BYTES],
	   struct rss_port_quality *q)
{
	const struct rss_port *rp = &c->port[p];
	unsigned r = log2u(c->reta_size), n_in;
	uint64_t rows[16][2];
	int pos[SHARD_NFIELDS];
	bool any_needed = false;

	memset(q, 0, sizeof *q);
	n_in = fieldset_layout(&rp->fs, pos);
	reta_rows(rp->key, c->key_len, n_in, r, rows);
	q->rank = gf2_rank(&rows[0][0], r, 2);
	q->period = key_period(rp->key, c->key_len, n_in + 31, &q->zero_key);
	q->full = true;
	for (int f = 0; f < SHARD_NFIELDS; f++) {
		struct rss_field_quality *fq = &q->f[f];
		unsigned width = fieldset_field_bits((enum shard_field)f), low[16], nlow = 0, m;
		uint64_t sub[16];

		for (unsigned j = 0; j < width; j++)
			fq->needed |= need_bit(need, (enum shard_field)f, j);
		fq->hashed = pos[f] >= 0;
		if (!fq->hashed)
			continue;
		fq->bits = width;
		for (unsigned j = 0; j < width; j++) {
			bool reach = false;

			for (unsigned b = 0; b < r; b++)
				reach |= gf2_get(rows[b], (unsigned)pos[f] + j);
			fq->reaching += reach;
		}
		if (!fq->needed)
			continue;
		any_needed = true;
		/* The low-order needed bits: 8 of an address (hosts in a subnet), a whole port. */
		for (int j = (int)width - 1; j >= 0 && nlow < (f < SHARD_SPORT ? 8u : 16u); j--)
			if (need_bit(need, (enum shard_field)f, (unsigned)j))
				low[nlow++] = (unsigned)j;
		m = fq->low_want = nlow < r ? nlow : r;
		for (unsigned b = 0; b < m; b++) {
			sub[b] = 0;
			for (unsigned t = 0; t < nlow; t++)
				if (gf2_get(rows[b], (unsigned)pos[f] + low[t]))
					sub[b] |= 1ULL << t;
		}
		fq->low_rank = gf2_rank(sub, m, 1);
		if (fq->low_rank < m)
			q->full = false;
	}
	if (!any_needed || q->zero_key)
		q->full = false;
}

/* Max / mean packets per core over 'n' tuples; *hit counts the cores that got any. */
static double
imbalance(const struct rss_config *c, unsigned p, bool subnet, unsigned *hit)
{
	unsigned loads[RSS_MAX_CORES] = { 0 }, max = 0;
	struct rng g;

	rng_init(&g, subnet ? 0x5b1e7 : 0x0f1a7);
	for (unsigned i = 0; i < BALANCE_TUPLES; i++) {
		uint64_t x = rng_u64(&g), y = rng_u64(&g);
		uint32_t src = (uint32_t)x, dst = (uint32_t)(x >> 32);
		struct rss_hit h;

		if (subnet) {
			src = 0x0a000000u | (src & 0xff);	/* 10.0.0.0/24 */
			dst = 0xc0a80000u | (dst & 0xff);	/* 192.168.0.0/24 */
		}
		h = rss_hash(c, p, src, dst, (uint16_t)y, (uint16_t)(y >> 16));
		loads[h.core % RSS_MAX_CORES]++;
	}
	*hit = 0;
	for (unsigned k = 0; k < c->cores; k++) {
		*hit += loads[k] > 0;
		if (loads[k] > max)
			max = loads[k];
	}
	return (double)max * c->cores / BALANCE_TUPLES;
}

static void
port_balance(const struct rss_config *c, unsigned p, struct rss_port_quality *q)
{
	unsigned hit;

	q->imbalance_uniform = imbalance(c, p, false, &hit);
	q->imbalance_subnet = imbalance(c, p, true, &q->cores_hit_subnet);
}

void
rss_quality(const struct rss_config *c, const struct rss_cons *k, struct rss_quality *q)
{
	uint8_t need[RSS_MAX_PORTS][SHARD_BYTES];

	memset(q, 0, sizeof *q);
	needs_of(k && !k->locks && k->n_ports == c->n_ports ? k : NULL, c->n_ports, need);
	q->reta_bits = log2u(c->reta_size);
	q->full = c->n_ports > 0;
	for (unsigned p = 0; p < c->n_ports; p++) {
		port_ranks(c, p, need[p], &q->port[p]);
		port_balance(c, p, &q->port[p]);
		q->full &= q->port[p].full;
		if (q->port[p].imbalance_uniform > q->imbalance_uniform)
			q->imbalance_uniform = q->port[p].imbalance_uniform;
		if (q->port[p].imbalance_subnet > q->imbalance_subnet)
			q->imbalance_subnet = q->port[p].imbalance_subnet;
	}
}

/*---- Linked bits: union-find over the bits of two packets ----*/

struct links {
	uint16_t up[NODES];
};

static unsigned
uf_find(struct links *l, unsigned x)
{
	while (l->up[x] != x) {
		l->up[x] = l->up[l->up[x]];
		x = l->up[x];
	}
	return x;
}

/* Node of bit 'bit' (0 = MSB) of byte 'byte' of the 12-byte view, for packet p (side 0) or q. */
static unsigned
node(unsigned side, unsigned byte, unsigned bit)
{
	return side * SHARD_BYTES * 8 + byte * 8 + bit;
}

/* Bits that constraint 'k' forces equal share a class. */
static void
links_of(const struct shard_constraint *k, struct links *l)
{
	for (unsigned i = 0; i < NODES; i++)
		l->up[i] = (uint16_t)i;
	for (uint32_t j = 0; j < k->n_pairs; j++) {
		const struct shard_pair *pp = &k->pairs[j];

		for (unsigned b = 0; b < 8; b++) {
			unsigned x, y;

			if (!(pp->mask >> (7 - b) & 1))
				continue;
			x = uf_find(l, node(0, foff[pp->fa] + pp->ba, b));
			y = uf_find(l, node(1, foff[pp->fb] + pp->bb, b));
			if (x != y)
				l->up[x] = (uint16_t)y;
		}
	}
}

/* Input bit of every node under the field sets of ports a (side 0) and b (side 1), or -1 where
** the NIC does not hash it. */
static void
input_bits(const struct fieldset *fa, const struct fieldset *fb, int ib[NODES])
{
	int pos[2][SHARD_NFIELDS];

	fieldset_layout(fa, pos[0]);
	fieldset_layout(fb, pos[1]);
	for (unsigned n = 0; n < NODES; n++) {
		unsigned side = n / (SHARD_BYTES * 8), byte = n % (SHARD_BYTES * 8) / 8;
		enum shard_field f = field_of(byte);

		ib[n] = pos[side][f] < 0 ? -1 : pos[side][f] + (int)((byte - foff[f]) * 8 + n % 8);
	}
}

/*---- Checking ----*/

struct span {
	unsigned dim;
	uint32_t vec[32];		/* echelon basis of the (index_p, index_q) pairs */
	uint64_t pre[32][3];		/* the classes summing to each */
	unsigned lead[32];
};

/* Adds v (with preimage pre) to the basis unless it depends on it. */
static void
span_add(struct span *s, uint32_t v, const uint64_t pre[3])
{
	uint64_t p[3] = { pre[0], pre[1], pre[2] };

	for (unsigned i = 0; i < s->dim; i++)
		if (v >> s->lead[i] & 1) {
			v ^= s->vec[i];
			for (int w = 0; w < 3; w++)
				p[w] ^= s->pre[i][w];
		}
	if (!v)
		return;
	s->lead[s->dim] = 31 - (unsigned)__builtin_clz(v);
	s->vec[s->dim] = v;
	memcpy(s->pre[s->dim], p, sizeof p);
	s->dim++;
}

/* The classes whose sum is v (which must lie in the span). */
static void
span_pre(const struct span *s, uint32_t v, uint64_t out[3])
{
	out[0] = out[1] = out[2] = 0;
	for (unsigned i = 0; i < s->dim; i++)
		if (v >> s->lead[i] & 1) {
			v ^= s->vec[i];
			for (int w = 0; w < 3; w++)
				out[w] ^= s->pre[i][w];
		}
}

#define ENUM_MAX_DIM 24	/* enumerate up to 16M index pairs; RETAs up to 4096 entries */

static void
check_one(const struct rss_config *c, const struct shard_constraint *k, struct rng *g,
	  struct rss_verdict *v)
{
	const struct rss_port *pa = &c->port[k->port_a], *pb = &c->port[k->port_b];
	unsigned r = log2u(c->reta_size), cls[NODES], n_cls = 0, root_cls[NODES];
	uint32_t mask = c->reta_size - 1, col[NODES] = { 0 }, target = 0;
	struct links l;
	struct span sp = { 0 };
	bool found = false;
	int ib[NODES];

	memset(v, 0, sizeof *v);
	links_of(k, &l);
	input_bits(&pa->fs, &pb->fs, ib);
	for (unsigned n = 0; n < NODES; n++)
		root_cls[n] = ~0u;
	for (unsigned n = 0; n < NODES; n++) {
		unsigned root = uf_find(&l, n), side = n / (SHARD_BYTES * 8);
		const struct rss_port *rp = side ? pb : pa;

		if (root_cls[root] == ~0u)
			root_cls[root] = n_cls++;
		cls[n] = root_cls[root];
		if (ib[n] >= 0) {
			uint32_t w = toeplitz_window(rp->key, c->key_len, (unsigned)ib[n]) & mask;

			col[cls[n]] ^= side ? w << r : w;
		}
	}
	v->same_index = true;
	for (unsigned i = 0; i < n_cls; i++) {
		uint64_t pre[3] = { 0 };

		v->same_index &= (col[i] & mask) == (col[i] >> r);
		pre[i / 64] |= 1ULL << (i % 64);
		span_add(&sp, col[i], pre);
	}
	/* The same index is the same core when both ports share the RETA. */
	if (v->same_index && (pa == pb || !memcmp(pa->reta, pb->reta,
						 c->reta_size * sizeof *pa->reta))) {
		v->holds = true;
		return;
	}
	/* Which (index_p, index_q) pairs linked packets reach: the span, enumerated in Gray
	** order; sampled past ENUM_MAX_DIM (RETAs of more than 4096 entries, software only). */
	if (sp.dim <= ENUM_MAX_DIM) {
		uint32_t u = 0;

		for (uint64_t i = 0; i < 1ULL << sp.dim; i++) {
			if (i)
				u ^= sp.vec[__builtin_ctzll(i)];
			if (pa->reta[u & mask] != pb->reta[u >> r]) {
				target = u;
				found = true;
				break;
			}
		}
	} else {
		for (unsigned i = 0; i < (1u << ENUM_MAX_DIM) && !found; i++) {
			uint32_t u = 0;
			uint64_t x = rng_u64(g);

			for (unsigned b = 0; b < sp.dim; b++)
				if (x >> b & 1)
					u ^= sp.vec[b];
			if (pa->reta[u & mask] != pb->reta[u >> r]) {
				target = u;
				found = true;
			}
		}
	}
	v->holds = !found;
	if (!found)
		return;
	/* A random-looking pair with that target: random classes, corrected by a preimage. */
	{
		uint64_t t[3] = { rng_u64(g), rng_u64(g), rng_u64(g) }, fix[3];
		uint32_t u0 = 0;
		uint8_t bytes[2][SHARD_BYTES] = { { 0 } };

		for (unsigned i = 0; i < n_cls; i++)
			if (t[i / 64] >> (i % 64) & 1)
				u0 ^= col[i];
		span_pre(&sp, u0 ^ target, fix);
		for (int w = 0; w < 3; w++)
			t[w] ^= fix[w];
		for (unsigned n = 0; n < NODES; n++) {
			unsigned side = n / (SHARD_BYTES * 8), byte = n % (SHARD_BYTES * 8) / 8;

			if (t[cls[n] / 64] >> (cls[n] % 64) & 1)
				bytes[side][byte] |= (uint8_t)(0x80 >> (n % 8));
		}
		for (int s = 0; s < 2; s++) {
			struct rss_packet *pk = s ? &v->q : &v->p;
			const uint8_t *b = bytes[s];

			pk->port = s ? k->port_b : k->port_a;
			pk->src = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
			pk->dst = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
			pk->sport = (uint16_t)(b[8] << 8 | b[9]);
			pk->dport = (uint16_t)(b[10] << 8 | b[11]);
			pk->core = rss_hash(c, pk->port, pk->src, pk->dst, pk->sport, pk->dport).core;
		}
		v->has_example = v->p.core != v->q.core;
	}
}

void
rss_check_run(const struct rss_config *c, const struct rss_cons *k, struct rss_check *out)
{
	struct rng g;

	memset(out, 0, sizeof *out);
	out->satisfied = true;
	if (!k || k->locks)
		return;
	rng_init(&g, c->seed ^ 0xc4ec4);
	out->n = k->n;
	out->v = xcalloc(k->n ? k->n : 1, sizeof *out->v);
	for (uint32_t i = 0; i < k->n; i++) {
		if (k->k[i].port_a >= c->n_ports || k->k[i].port_b >= c->n_ports)
			continue;
		check_one(c, &k->k[i], &g, &out->v[i]);
		out->satisfied &= out->v[i].holds;
	}
}

void
rss_check_release(struct rss_check *out)
{
	free(out->v);
	memset(out, 0, sizeof *out);
}

/*---- Solving ----*/

static unsigned
var(unsigned port, unsigned bit)
{
	return port * KEY_VARS + bit;
}

/* Constraint k as equations on key bits: for each class of linked bits and each RETA index
** bit j, the XOR of the key bits through which the class's hashed bits reach j is zero (a
** class of one bit: its window is zero; two bits: their windows are equal). */
static void
add_equations(struct gf2_sys *s, const struct shard_constraint *k, const struct fieldset *fs,
	      unsigned r, uint32_t tag)
{
	struct links l;
	int ib[NODES];
	uint64_t *row = xmalloc(s->words * sizeof *row);

	links_of(k, &l);
	input_bits(&fs[k->port_a], &fs[k->port_b], ib);
	for (unsigned root = 0; root < NODES; root++) {
		if (uf_find(&l, root) != root)
			continue;
		for (unsigned j = 0; j < r; j++) {
			memset(row, 0, s->words * sizeof *row);
			for (unsigned n = 0; n < NODES; n++) {
				unsigned port = n / (SHARD_BYTES * 8) ? k->port_b : k->port_a;

				if (ib[n] >= 0 && uf_find(&l, n) == root)
					gf2_flip(row, var(port, (unsigned)ib[n] + 31 - j));
			}
			gf2_add(s, row, tag);
		}
	}
	free(row);
}

/* Ports whose RETA index every solution makes constant (all key bits that reach it zero). */
static uint32_t
constant_ports(struct gf2_sys *s, const struct rss_cons *k, const struct fieldset *fs,
	       unsigned r)
{
	uint32_t named = 0, out = 0;

	for (uint32_t i = 0; i < k->n; i++)
		named |= 1u << k->k[i].port_a | 1u << k->k[i].port_b;
	for (unsigned p = 0; p < k->n_ports; p++) {
		int pos[SHARD_NFIELDS];
		unsigned n_in = fieldset_layout(&fs[p], pos);
		bool constant = true;

		if (!(named >> p & 1))
			continue;
		for (unsigned b = 32 - r; constant && b < n_in + 31; b++)
			constant = gf2_forced_zero(s, var(p, b));
		if (constant)
			out |= 1u << p;
	}
	return out;
}

static void
explain_constant(const struct rss_cons *k, const struct fieldset *fs, uint32_t t, bool alone,
		 unsigned p, struct sbuf *out)
{
	const struct shard_constraint *sc = &k->k[t];
	uint8_t want = 0;
	char name[96], letters[8];

	for (uint32_t j = 0; j < sc->n_pairs; j++) {
		if (sc->port_a == p)
			want |= (uint8_t)(1u << sc->pairs[j].fa);
		if (sc->port_b == p)
			want |= (uint8_t)(1u << sc->pairs[j].fb);
	}
	fieldset_name(&fs[p], name, sizeof name);
	fieldset_letters(&fs[p], letters, sizeof letters);
	sbuf_printf(out, "%s: every key sends all its packets to one RETA entry (one core): "
		    "constraint %u (%s)%s", k->ports[p], t + 1, k->text[t],
		    alone ? "" : " with the ones before it");
	if (!(want & fs[p].fields)) {
		bool first = true;

		sbuf_adds(out, " needs ");
		for (int f = 0; f < SHARD_NFIELDS; f++)
			if (want >> f & 1) {
				sbuf_printf(out, "%s%s", first ? "" : ", ", shard_field_name(f));
				first = false;
			}
		sbuf_printf(out, ", which field set %s (%s) does not hash, so every hashed bit's "
			    "key window must be zero", name, letters);
	} else {
		sbuf_printf(out, " leaves no key bit that reaches the RETA index under field set %s "
			    "(%s)", name, letters);
	}
}

static void
why_constant(const struct rss_cons *k, const struct fieldset *fs, unsigned r, unsigned n_vars,
	     uint32_t bad, struct sbuf *out)
{
	for (unsigned p = 0; p < k->n_ports; p++) {
		bool done = false;

		if (!(bad >> p & 1))
			continue;
		if (out->len)
			sbuf_adds(out, "; ");
		/* One constraint alone, else the shortest prefix. */
		for (uint32_t t = 0; t < k->n && !done; t++) {
			struct gf2_sys s;

			gf2_init(&s, n_vars);
			add_equations(&s, &k->k[t], fs, r, t);
			if (constant_ports(&s, k, fs, r) >> p & 1) {
				explain_constant(k, fs, t, true, p, out);
				done = true;
			}
			gf2_release(&s);
		}
		for (uint32_t t = 0; !done && t < k->n; t++) {
			struct gf2_sys s;

			gf2_init(&s, n_vars);
			for (uint32_t u = 0; u <= t; u++)
				add_equations(&s, &k->k[u], fs, r, u);
			if (constant_ports(&s, k, fs, r) >> p & 1) {
				explain_constant(k, fs, t, false, p, out);
				done = true;
			}
			gf2_release(&s);
		}
	}
}

struct score {
	unsigned low, clean, rank, reach;	/* higher is better, in this order */
	double imb;				/* lower is better (measured for finalists) */
};

static int
score_cmp(const struct score *a, const struct score *b)
{
	if (a->low != b->low)
		return a->low > b->low ? 1 : -1;
	if (a->clean != b->clean)
		return a->clean > b->clean ? 1 : -1;
	if (a->imb != b->imb)
		return a->imb < b->imb ? 1 : -1;
	if (a->rank != b->rank)
		return a->rank > b->rank ? 1 : -1;
	if (a->reach != b->reach)
		return a->reach > b->reach ? 1 : -1;
	return 0;
}

static struct score
score_of(const struct rss_config *c, uint8_t need[][SHARD_BYTES])
{
	struct score sc = { 0 };

	for (unsigned p = 0; p < c->n_ports; p++) {
		struct rss_port_quality q;

		port_ranks(c, p, need[p], &q);
		for (int f = 0; f < SHARD_NFIELDS; f++) {
			sc.low += q.f[f].low_rank;
			sc.reach += q.f[f].reaching;
		}
		sc.clean += !q.period && !q.zero_key;
		sc.rank += q.rank;
	}
	return sc;
}

static void
keys_from(struct rss_config *c, const uint64_t *x, struct rng *g)
{
	for (unsigned p = 0; p < c->n_ports; p++) {
		uint8_t *key = c->port[p].key;

		memset(key, 0, TOEPLITZ_KEY_MAX);
		for (unsigned b = 0; b < KEY_VARS; b++)
			if (gf2_get(x, var(p, b)))
				key[b / 8] |= (uint8_t)(0x80 >> (b % 8));
		/* Past what IPv4 reaches: random, as a NIC's own key would be. */
		for (unsigned i = KEY_VARS / 8; i < c->key_len; i++)
			key[i] = (uint8_t)rng_u64(g);
	}
}

#define FINALISTS 4

int
rss_solve(const struct rss_cons *k, const struct rss_solve_opts *o, struct rss_solution *out,
	  struct err *e)
{
	double t0 = clock_seconds();
	const struct nic *nic = o->nic ? o->nic : nic_default();
	unsigned cores = o->cores ? o->cores : DEFAULT_CORES, reta = o->reta_size;
	unsigned r, n_vars, samples = o->samples ? o->samples : 256;
	struct fieldset fs[RSS_MAX_PORTS];
	uint8_t need[RSS_MAX_PORTS][SHARD_BYTES];
	struct rss_config *c, *fin[FINALISTS] = { NULL };
	struct score fsc[FINALISTS];
	unsigned n_fin = 0;
	struct gf2_sys s;
	struct rng g;
	uint64_t *x;
	uint32_t bad;
	struct sbuf why = SBUF_INIT;

	memset(out, 0, sizeof *out);
	if (!reta)
		reta = nic->reta_default;
	if (cores > RSS_MAX_CORES)
		return err_set(e, -EINVAL, "%u cores: at most %d", cores, RSS_MAX_CORES);
	if (nic_check_reta(nic, reta, e) < 0)
		return -EINVAL;
	if (cores > reta)
		return err_set(e, -EINVAL, "%u cores but a RETA of %u entries: some cores would get "
			       "nothing", cores, reta);
	for (unsigned p = 0; p < k->n_ports; p++) {
		fs[p] = o->fields_given ? o->fs[p] : FIELDSET_DEFAULT;
		if (nic_check_fields(nic, &fs[p], e) < 0)
			return -EINVAL;
	}
	r = log2u(reta);
	n_vars = k->n_ports * KEY_VARS;
	c = rss_config_new(nic, cores, reta, k->n_ports, (const char *const *)k->ports);
	c->seed = o->seed ? o->seed : 1;
	for (unsigned p = 0; p < c->n_ports; p++)
		c->port[p].fs = fs[p];
	needs_of(k->locks ? NULL : k, k->n_ports, need);

	gf2_init(&s, n_vars);
	for (uint32_t t = 0; !k->locks && t < k->n; t++)
		add_equations(&s, &k->k[t], fs, r, t);
	out->n_equations = s.n_rows;
	out->rank = gf2_reduce(&s);
	out->n_vars = 0;
	for (unsigned p = 0; p < k->n_ports; p++) {
		int pos[SHARD_NFIELDS];
		unsigned n_in = fieldset_layout(&fs[p], pos);

		out->n_vars += n_in ? n_in + r - 1 : 0;
	}
	out->free_bits = out->n_vars - out->rank;
	bad = k->locks ? 0 : constant_ports(&s, k, fs, r);
	out->satisfiable = !bad;
	if (bad) {
		why_constant(k, fs, r, n_vars, bad, &why);
		out->why_not = sbuf_detach(&why);
	}

	/* Sample; keep the best few by rank, then measure their balance. */
	rng_init(&g, c->seed);
	x = xmalloc(s.words * sizeof *x);
	for (unsigned i = 0; i < samples; i++) {
		struct score sc;
		unsigned w;

		gf2_sample(&s, &g, NULL, NULL, x);
		keys_from(c, x, &g);
		sc = score_of(c, need);
		sc.imb = 0;
		for (w = 0; w < n_fin; w++)
			if (score_cmp(&sc, &fsc[w]) > 0)
				break;
		if (w == FINALISTS)
			continue;
		if (n_fin == FINALISTS)
			rss_config_free(fin[--n_fin]);
		memmove(&fin[w + 1], &fin[w], (n_fin - w) * sizeof fin[0]);
		memmove(&fsc[w + 1], &fsc[w], (n_fin - w) * sizeof fsc[0]);
		fin[w] = rss_config_copy(c);
		fsc[w] = sc;
		n_fin++;
	}
	out->samples = samples;
	free(x);
	gf2_release(&s);
	rss_config_free(c);
	{
		int best = 0;

		for (unsigned i = 0; i < n_fin; i++) {
			struct rss_quality q;

			for (unsigned p = 0; p < fin[i]->n_ports; p++)
				port_rebuild(fin[i], p);
			rss_quality(fin[i], k, &q);
			fsc[i].imb = q.imbalance_subnet + q.imbalance_uniform;
			if (!i || score_cmp(&fsc[i], &fsc[best]) > 0) {
				best = (int)i;
				out->q = q;
			}
		}
		out->cfg = fin[best];
		for (unsigned i = 0; i < n_fin; i++)
			if ((int)i != best)
				rss_config_free(fin[i]);
	}
	out->seconds = clock_seconds() - t0;
	return 0;
}

void
rss_solution_release(struct rss_solution *s)
{
	rss_config_free(s->cfg);
	free(s->why_not);
	memset(s, 0, sizeof *s);
}

/*---- Field sets ----*/

static void
cand_names(const struct rss_cons *k, struct rss_candidate *cd, bool uniform)
{
	char name[96], letters[8];
	struct sbuf n = SBUF_INIT, l = SBUF_INIT;

	for (unsigned p = 0; p < k->n_ports; p++) {
		fieldset_name(&cd->fs[p], name, sizeof name);
		fieldset_letters(&cd->fs[p], letters, sizeof letters);
		if (uniform) {
			sbuf_adds(&n, name);
			sbuf_adds(&l, letters);
			break;
		}
		sbuf_printf(&n, "%s%s=%s", p ? " " : "", k->ports[p], name);
		sbuf_printf(&l, "%s%s=%s", p ? " " : "", k->ports[p], letters);
	}
	snprintf(cd->name, sizeof cd->name, "%s", sbuf_str(&n));
	snprintf(cd->letters, sizeof cd->letters, "%s", sbuf_str(&l));
	sbuf_release(&n);
	sbuf_release(&l);
}

/* Hashed fields no constraint needs, over all ports: the key must zero their windows. */
static unsigned
ignored_fields(const struct rss_cons *k, const struct rss_candidate *cd,
	       uint8_t need[][SHARD_BYTES])
{
	unsigned n = 0;

	for (unsigned p = 0; p < k->n_ports; p++)
		for (int f = 0; f < SHARD_NFIELDS; f++) {
			bool needed = false;

			for (unsigned b = 0; b < fieldset_field_bits((enum shard_field)f) / 8; b++)
				needed |= need[p][foff[f] + b] != 0;
			n += (cd->fs[p].fields >> f & 1) && !needed;
		}
	return n;
}

static unsigned
hashed_fields(const struct rss_cons *k, const struct rss_candidate *cd)
{
	unsigned n = 0;

	for (unsigned p = 0; p < k->n_ports; p++)
		n += (unsigned)__builtin_popcount(cd->fs[p].fields);
	return n;
}

static unsigned
low_sum(const struct rss_quality *q, unsigned n_ports)
{
	unsigned s = 0;

	for (unsigned p = 0; p < n_ports; p++)
		for (int f = 0; f < SHARD_NFIELDS; f++)
			s += q->port[p].f[f].low_rank;
	return s;
}

/* The needed fields whose low-order bits fall short ("wan's ipv4.dst reaches 7 of the 8 low
** RETA bits"). */
static void
shortfalls(const struct rss_cons *k, const struct rss_quality *q, struct sbuf *out)
{
	bool first = true;

	for (unsigned p = 0; p < k->n_ports; p++)
		for (int f = 0; f < SHARD_NFIELDS; f++) {
			const struct rss_field_quality *fq = &q->port[p].f[f];

			if (!fq->needed || !fq->hashed || fq->low_rank >= fq->low_want)
				continue;
			sbuf_printf(out, "%s%s's %s reaches %u of the %u low RETA bits",
				    first ? "" : ", ", k->ports[p], shard_field_name(f), fq->low_rank,
				    fq->low_want);
			first = false;
		}
}

static void
explain(const struct rss_cons *k, struct rss_fieldsets *f, uint8_t need[][SHARD_BYTES])
{
	struct sbuf sb = SBUF_INIT;
	const struct rss_candidate *rc = &f->c[f->recommended];

	if (f->recommended == f->plain) {
		sbuf_adds(&sb, "the 4-tuple already reaches full quality: the low-order bits of "
			  "every field the constraints need reach every low RETA index bit");
	} else if (rc->sol.q.full) {
		unsigned ign = ignored_fields(k, rc, need);

		sbuf_printf(&sb, "full quality: the low-order bits of every field the constraints "
			    "need reach every low RETA index bit%s", ign ? "" : "; it hashes no field "
			    "the constraints leave out, so no key window has to be zeroed");
		if (f->plain >= 0) {
			const struct rss_candidate *pc = &f->c[f->plain];
			unsigned pi = ignored_fields(k, pc, need);

			if (!pc->sol.satisfiable) {
				sbuf_adds(&sb, ". The 4-tuple cannot shard at all here");
			} else {
				sbuf_printf(&sb, ". With the 4-tuple the key must ignore %u hashed field%s, "
					    "and a zeroed 32-bit key window hides the bits next to it "
					    "from the low RETA bits: ", pi, pi == 1 ? "" : "s");
				shortfalls(k, &pc->sol.q, &sb);
				sbuf_printf(&sb, " (max/mean per core on two /24s: %.2f, against %.2f "
					    "here)", pc->sol.q.imbalance_subnet, rc->sol.q.imbalance_subnet);
			}
		}
	} else {
		sbuf_adds(&sb, "no field set reaches full quality; this one comes closest: ");
		shortfalls(k, &rc->sol.q, &sb);
		sbuf_printf(&sb, " (max/mean per core on two /24s: %.2f). A key that must ignore "
			    "bits (the host part after a prefix, fields no constraint needs) has "
			    "zeroed windows that starve the low RETA bits, whatever the key",
			    rc->sol.q.imbalance_subnet);
		for (unsigned p = 0; p < k->n_ports; p++)
			for (int fl = SHARD_SRC; fl <= SHARD_DST; fl++)
				if (need[p][foff[fl]] && !need[p][foff[fl] + 3]) {
					sbuf_printf(&sb, ". %s keys on a prefix of %s: the packets of one "
						    "/24 must share a core, which no key or field set can "
						    "change", k->ports[p], shard_field_name(fl));
					p = k->n_ports - 1;
					break;
				}
	}
	f->why = sbuf_detach(&sb);
}

int
rss_fieldsets_run(const struct rss_cons *k, const struct rss_solve_opts *o,
		  struct rss_fieldsets *out, struct err *e)
{
	const struct nic *nic = o->nic ? o->nic : nic_default();
	uint8_t need[RSS_MAX_PORTS][SHARD_BYTES];
	struct rss_candidate per = { .name = "" };
	bool per_differs = false;

	memset(out, 0, sizeof *out);
	out->recommended = out->plain = -1;
	needs_of(k->locks ? NULL : k, k->n_ports, need);
	out->c = xcalloc(16, sizeof *out->c);
	/* The 4-tuple first, then the rest by their letters. */
	for (unsigned i = 0; i < 16; i++) {
		uint8_t fields = (uint8_t)(i == 0 ? FIELDSET_ALL : i == FIELDSET_ALL ? 0u : i);
		struct fieldset fs = fieldset_of(fields);
		struct rss_candidate *cd = &out->c[out->n];
		struct rss_solve_opts so = *o;

		if (!fields || nic_check_fields(nic, &fs, NULL) < 0)
			continue;
		for (unsigned p = 0; p < k->n_ports; p++)
			cd->fs[p] = so.fs[p] = fs;
		so.fields_given = true;
		cand_names(k, cd, true);
		if (rss_solve(k, &so, &cd->sol, e) < 0) {
			rss_fieldsets_release(out);
			return -EINVAL;
		}
		if (fields == FIELDSET_ALL)
			out->plain = (int)out->n;
		out->n++;
	}
	/* Each port hashing exactly what it needs (the 4-tuple where nothing is needed). */
	for (unsigned p = 0; p < k->n_ports; p++) {
		uint8_t fields = 0;

		for (int f = 0; f < SHARD_NFIELDS; f++)
			for (unsigned b = 0; b < fieldset_field_bits((enum shard_field)f) / 8; b++)
				if (need[p][foff[f] + b])
					fields |= (uint8_t)(1u << f);
		per.fs[p] = fieldset_of(fields ? fields : FIELDSET_ALL);
		if (p && !fieldset_eq(&per.fs[p], &per.fs[0]))
			per_differs = true;
		if (nic_check_fields(nic, &per.fs[p], NULL) < 0)
			per_differs = false, p = k->n_ports;
	}
	if (per_differs) {
		struct rss_solve_opts so = *o;

		memcpy(so.fs, per.fs, sizeof so.fs);
		so.fields_given = true;
		cand_names(k, &per, false);
		if (rss_solve(k, &so, &per.sol, e) < 0) {
			rss_fieldsets_release(out);
			return -EINVAL;
		}
		out->c[out->n++] = per;
	}
	/* The recommendation: the 4-tuple when it is full; else the full one ignoring the
	** fewest fields (then hashing the most, then balancing best); else the closest. */
	if (out->plain >= 0 && out->c[out->plain].sol.satisfiable && out->c[out->plain].sol.q.full) {
		out->recommended = out->plain;
	} else {
		for (uint32_t i = 0; i < out->n; i++) {
			const struct rss_candidate *cd = &out->c[i], *b;

			if (!cd->sol.satisfiable)
				continue;
			if (out->recommended < 0) {
				out->recommended = (int)i;
				continue;
			}
			b = &out->c[out->recommended];
			if (cd->sol.q.full != b->sol.q.full) {
				if (cd->sol.q.full)
					out->recommended = (int)i;
				continue;
			}
			if (!cd->sol.q.full && low_sum(&cd->sol.q, k->n_ports) !=
			    low_sum(&b->sol.q, k->n_ports)) {
				if (low_sum(&cd->sol.q, k->n_ports) > low_sum(&b->sol.q, k->n_ports))
					out->recommended = (int)i;
				continue;
			}
			if (ignored_fields(k, cd, need) != ignored_fields(k, b, need)) {
				if (ignored_fields(k, cd, need) < ignored_fields(k, b, need))
					out->recommended = (int)i;
				continue;
			}
			if (hashed_fields(k, cd) != hashed_fields(k, b)) {
				if (hashed_fields(k, cd) > hashed_fields(k, b))
					out->recommended = (int)i;
				continue;
			}
			if (cd->sol.q.imbalance_subnet < b->sol.q.imbalance_subnet)
				out->recommended = (int)i;
		}
	}
	if (out->recommended >= 0)
		explain(k, out, need);
	else
		out->why = xstrdup("no field set lets RSS spread these packets: every one sends a "
				   "constrained port's packets to one core (see the reasons)");
	return 0;
}

void
rss_fieldsets_release(struct rss_fieldsets *f)
{
	for (uint32_t i = 0; i < f->n; i++)
		rss_solution_release(&f->c[i].sol);
	free(f->c);
	free(f->why);
	memset(f, 0, sizeof *f);
}

/*---- Text ----*/

static void
key_hex(const uint8_t *key, unsigned len, bool colons, struct sbuf *out)
{
	for (unsigned i = 0; i < len; i++)
		sbuf_printf(out, "%s%02x", colons && i ? ":" : "", key[i]);
}

static bool
reta_shared(const struct rss_config *c)
{
	for (unsigned p = 1; p < c->n_ports; p++)
		if (memcmp(c->port[p].reta, c->port[0].reta, c->reta_size * sizeof(uint16_t)))
			return false;
	return true;
}

static bool
reta_is_rr(const struct rss_config *c, unsigned p)
{
	for (unsigned i = 0; i < c->reta_size; i++)
		if (c->port[p].reta[i] != i % c->cores)
			return false;
	return true;
}

void
rss_format_config(const struct rss_config *c, struct sbuf *out)
{
	sbuf_printf(out, "RSS on %s: %u-byte keys, %u-entry RETA, %u core%s\n", c->nic->name,
		    c->key_len, c->reta_size, c->cores, c->cores == 1 ? "" : "s");
	for (unsigned p = 0; p < c->n_ports; p++) {
		char name[96], letters[8], rte[192];

		fieldset_name(&c->port[p].fs, name, sizeof name);
		fieldset_letters(&c->port[p].fs, letters, sizeof letters);
		fieldset_rte_text(&c->port[p].fs, rte, sizeof rte);
		sbuf_printf(out, "  %-6s fields %s (%s; %s)\n", c->ports[p], name, letters,
			    rte[0] ? rte : "no RTE_ETH_RSS_* form");
		sbuf_printf(out, "  %-6s key    ", "");
		key_hex(c->port[p].key, c->key_len, true, out);
		sbuf_addc(out, '\n');
	}
	if (reta_shared(c))
		sbuf_printf(out, "  RETA   %s, shared by every port (rss reta shows it)\n",
			    reta_is_rr(c, 0) ? "round robin over the cores" : "as set");
	else
		sbuf_adds(out, "  RETA   differs between ports (rss reta shows them)\n");
}

void
rss_format_reta(const struct rss_config *c, struct sbuf *out)
{
	bool shared = reta_shared(c);

	for (unsigned p = 0; p < c->n_ports; p++) {
		sbuf_printf(out, "RSS indirection table of %s, %u entries over %u cores%s:\n",
			    shared ? "every port" : c->ports[p], c->reta_size, c->cores,
			    reta_is_rr(c, p) ? " (round robin)" : "");
		for (unsigned i = 0; i < c->reta_size; i++)
			sbuf_printf(out, "%s%6u", i % 8 ? "" : (i ? "\n" : ""), c->port[p].reta[i]);
		sbuf_addc(out, '\n');
		if (shared)
			break;
	}
}

void
rss_format_quality(const struct rss_config *c, const struct rss_quality *q, struct sbuf *out)
{
	sbuf_printf(out, "quality: %u RETA index bits (%u entries), %u cores\n", q->reta_bits,
		    c->reta_size, c->cores);
	for (unsigned p = 0; p < c->n_ports; p++) {
		const struct rss_port_quality *pq = &q->port[p];
		bool first = true;

		sbuf_printf(out, "  %-6s rank %u of %u; bits reaching the RETA index:", c->ports[p],
			    pq->rank, q->reta_bits);
		for (int f = 0; f < SHARD_NFIELDS; f++) {
			const struct rss_field_quality *fq = &pq->f[f];

			if (!fq->hashed)
				continue;
			sbuf_printf(out, "%s %s %u/%u%s", first ? "" : ",", shard_field_name(f),
				    fq->reaching, fq->bits, fq->needed ? "" : " (not needed)");
			first = false;
		}
		if (first)
			sbuf_adds(out, " none hashed");
		sbuf_printf(out, "\n  %-6s low-order bits -> low RETA bits:", "");
		first = true;
		for (int f = 0; f < SHARD_NFIELDS; f++) {
			const struct rss_field_quality *fq = &pq->f[f];

			if (!fq->hashed || !fq->needed)
				continue;
			sbuf_printf(out, "%s %s %u/%u", first ? "" : ",", shard_field_name(f),
				    fq->low_rank, fq->low_want);
			first = false;
		}
		if (first)
			sbuf_adds(out, " no needed field hashed");
		sbuf_printf(out, "\n  %-6s max/mean per core %.2f on uniform tuples, %.2f on "
			    "10.0.0.0/24 <-> 192.168.0.0/24 (%u of %u cores get any)\n", "",
			    pq->imbalance_uniform, pq->imbalance_subnet, pq->cores_hit_subnet, c->cores);
		if (pq->zero_key)
			sbuf_printf(out, "  warning: %s's key is all zero where it matters: every packet "
				    "hashes to 0 and lands on core %u\n", c->ports[p], c->port[p].reta[0]);
		else if (pq->period)
			sbuf_printf(out, "  warning: %s's key repeats every %u bits: the hash sees only "
				    "the XOR of the input's %u-bit words (at most %u bits of entropy; "
				    "swapped addresses and ports collide)\n", c->ports[p], pq->period,
				    pq->period, pq->period);
	}
	sbuf_printf(out, "full quality: %s\n", q->full ? "yes (every needed field's low-order "
		    "bits reach every low RETA bit)" : "no");
}

static const char *
ip_text(uint32_t a, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, a >> 16 & 0xff, a >> 8 & 0xff, a & 0xff);
	return buf;
}

void
rss_format_packet(const struct rss_config *c, const struct rss_packet *p, struct sbuf *out)
{
	char s[16], d[16];

	sbuf_printf(out, "tcp %s:%u -> %s:%u on %s (core %u)", ip_text(p->src, s), p->sport,
		    ip_text(p->dst, d), p->dport, c->ports[p->port], p->core);
}

void
rss_format_check(const struct rss_config *c, const struct rss_cons *k,
		 const struct rss_check *r, struct sbuf *out)
{
	uint32_t bad = 0;

	if (k->locks) {
		sbuf_adds(out, "the verdict is locks: no constraint for RSS to keep (any key will "
			  "do; it only spreads load)\n");
		return;
	}
	for (uint32_t i = 0; i < r->n; i++)
		bad += !r->v[i].holds;
	if (!r->n)
		sbuf_adds(out, "no constraint: every configuration keeps the NF correct\n");
	else if (!bad)
		sbuf_printf(out, "satisfied: all %u constraint%s hold for every pair of packets "
			    "(exact)\n", r->n, r->n == 1 ? "" : "s");
	else
		sbuf_printf(out, "NOT satisfied: %u of %u constraint%s fail%s\n", bad, r->n,
			    r->n == 1 ? "" : "s", bad == 1 ? "s" : "");
	for (uint32_t i = 0; i < r->n; i++) {
		const struct rss_verdict *v = &r->v[i];

		sbuf_printf(out, "  %u. %-5s %s\n", i + 1, v->holds ? "holds" : "FAILS", k->text[i]);
		if (v->holds && !v->same_index)
			sbuf_adds(out, "           (linked packets may get different RETA indices, "
				  "but the RETA maps them to one core)\n");
		if (!v->holds && v->has_example) {
			sbuf_adds(out, "           these share state but land on different cores:\n"
				  "           ");
			rss_format_packet(c, &v->p, out);
			sbuf_adds(out, "\n           ");
			rss_format_packet(c, &v->q, out);
			sbuf_addc(out, '\n');
		}
	}
}

static void
low_summary(const struct rss_quality *q, unsigned n_ports, unsigned *got, unsigned *want)
{
	*got = *want = 0;
	for (unsigned p = 0; p < n_ports; p++)
		for (int f = 0; f < SHARD_NFIELDS; f++)
			if (q->port[p].f[f].needed && q->port[p].f[f].hashed) {
				*got += q->port[p].f[f].low_rank;
				*want += q->port[p].f[f].low_want;
			}
}

void
rss_format_fieldsets(const struct rss_cons *k, const struct rss_fieldsets *f, struct sbuf *out)
{
	if (!f->n) {
		sbuf_adds(out, "no field set\n");
		return;
	}
	sbuf_printf(out, "field sets on %s (%u-entry RETA, %u cores)%s:\n",
		    f->c[0].sol.cfg->nic->name, f->c[0].sol.cfg->reta_size, f->c[0].sol.cfg->cores,
		    k->locks ? "; the verdict is locks, so nothing constrains them" : "");
	sbuf_printf(out, "    %-16s %-9s %5s %9s %5s %8s %6s  %s\n", "letters", "status", "free",
		    "low bits", "full", "uniform", "/24s", "set (testpmd names)");
	for (uint32_t i = 0; i < f->n; i++) {
		const struct rss_candidate *cd = &f->c[i];
		unsigned got, want;
		char low[24];

		low_summary(&cd->sol.q, k->n_ports, &got, &want);
		snprintf(low, sizeof low, "%u/%u", got, want);
		sbuf_printf(out, "  %c %-16s %-9s %5u %9s %5s %8.2f %6.2f  %s\n",
			    (int)i == f->recommended ? '*' : ' ', cd->letters,
			    cd->sol.satisfiable ? "ok" : "one core", cd->sol.free_bits, low,
			    cd->sol.q.full ? "yes" : "no", cd->sol.q.imbalance_uniform,
			    cd->sol.q.imbalance_subnet, cd->name);
	}
	sbuf_adds(out, "  (free: key bits left free by the constraints; low bits: RETA bits the "
		  "needed fields' low-order bits reach, summed; max/mean per core on uniform tuples "
		  "and on two /24s)\n");
	if (f->recommended >= 0)
		sbuf_printf(out, "recommended: %s (%s): %s\n", f->c[f->recommended].name,
			    f->c[f->recommended].letters, f->why);
	else
		sbuf_printf(out, "%s\n", f->why);
	for (uint32_t i = 0; i < f->n; i++)
		if (f->c[i].sol.why_not && (int)i == f->plain)
			sbuf_printf(out, "4-tuple: %s\n", f->c[i].sol.why_not);
}

void
rss_format_nics(struct sbuf *out)
{
	unsigned n;
	const struct nic *l = nic_list(&n);

	sbuf_printf(out, "%-9s %-5s %-22s %-10s %s\n", "profile", "key", "RETA", "modifiers",
		    "what");
	for (unsigned i = 0; i < n; i++) {
		char reta[64] = "", key[8];

		if (l[i].any_size)
			snprintf(reta, sizeof reta, "%u (any 2^n)", l[i].reta_default);
		else
			for (unsigned j = 0; l[i].reta_sizes[j]; j++)
				snprintf(reta + strlen(reta), sizeof reta - strlen(reta), "%s%u",
					 j ? "," : "", l[i].reta_sizes[j]);
		snprintf(key, sizeof key, "%u", l[i].key_len);
		sbuf_printf(out, "%-9s %-5s %-22s %-10s %s\n", l[i].name,
			    l[i].any_size ? "16-64" : key, reta,
			    l[i].modifiers ? "yes" : "no", l[i].what);
		sbuf_printf(out, "%-9s %s\n", "", l[i].note);
	}
}

/*---- Values ----*/

static struct val *
reta_val(const struct rss_config *c, unsigned p)
{
	struct val *v = val_arr();

	for (unsigned i = 0; i < c->reta_size; i++)
		val_push(v, val_int(c->port[p].reta[i]));
	return v;
}

struct val *
rss_config_val(const struct rss_config *c)
{
	struct val *v = val_obj(), *ports = val_obj();
	bool shared = reta_shared(c);

	val_set_str(v, "nic", c->nic->name);
	val_set_int(v, "cores", c->cores);
	val_set_int(v, "key_len", c->key_len);
	val_set_int(v, "reta_size", c->reta_size);
	if (c->n_ports)
		val_set(v, "reta", reta_val(c, 0));
	for (unsigned p = 0; p < c->n_ports; p++) {
		struct val *o = val_obj();
		struct sbuf sb = SBUF_INIT;
		char buf[192];

		key_hex(c->port[p].key, c->key_len, false, &sb);
		val_set_str(o, "key", sbuf_str(&sb));
		sbuf_release(&sb);
		fieldset_name(&c->port[p].fs, buf, sizeof buf);
		val_set_str(o, "fields", buf);
		fieldset_letters(&c->port[p].fs, buf, sizeof buf);
		val_set_str(o, "letters", buf);
		fieldset_rte_text(&c->port[p].fs, buf, sizeof buf);
		val_set_str(o, "rte_flags", buf);
		if (!shared)
			val_set(o, "reta", reta_val(c, p));
		val_set(ports, c->ports[p], o);
	}
	val_set(v, "ports", ports);
	{
		struct val *order = val_arr();	/* tables forget key order; port numbers do not */

		for (unsigned p = 0; p < c->n_ports; p++)
			val_push(order, val_str(c->ports[p]));
		val_set(v, "port_order", order);
	}
	val_set_int(v, "seed", (int64_t)c->seed);
	return v;
}

struct val *
rss_quality_val(const struct rss_config *c, const struct rss_quality *q)
{
	struct val *v = val_obj(), *ports = val_obj(), *reach = val_arr();
	unsigned rank = q->reta_bits;
	uint8_t seen = 0;

	for (unsigned p = 0; p < c->n_ports; p++) {
		const struct rss_port_quality *pq = &q->port[p];
		struct val *o = val_obj(), *fields = val_obj();

		if (pq->rank < rank)
			rank = pq->rank;
		val_set_int(o, "rank", pq->rank);
		val_set_int(o, "period", pq->period);
		val_set_bool(o, "zero_key", pq->zero_key);
		val_set_bool(o, "full", pq->full);
		val_set_num(o, "imbalance_uniform", pq->imbalance_uniform);
		val_set_num(o, "imbalance_subnet", pq->imbalance_subnet);
		val_set_int(o, "cores_hit_subnet", pq->cores_hit_subnet);
		for (int f = 0; f < SHARD_NFIELDS; f++) {
			const struct rss_field_quality *fq = &pq->f[f];
			struct val *fo;

			if (!fq->hashed && !fq->needed)
				continue;
			fo = val_obj();
			val_set_bool(fo, "hashed", fq->hashed);
			val_set_bool(fo, "needed", fq->needed);
			val_set_int(fo, "bits", fq->bits);
			val_set_int(fo, "reaching", fq->reaching);
			val_set_int(fo, "low_rank", fq->low_rank);
			val_set(fields, shard_field_name(f), fo);
			if (fq->reaching && !(seen >> f & 1)) {
				seen |= (uint8_t)(1u << f);
			}
		}
		val_set(o, "fields", fields);
		val_set(ports, c->ports[p], o);
	}
	for (int f = 0; f < SHARD_NFIELDS; f++)
		if (seen >> f & 1)
			val_push(reach, val_str(shard_field_name(f)));
	val_set_int(v, "rank", rank);
	val_set_int(v, "reta_bits", q->reta_bits);
	val_set(v, "fields_reaching_reta", reach);
	val_set_num(v, "imbalance_uniform", q->imbalance_uniform);
	val_set_num(v, "imbalance_subnet", q->imbalance_subnet);
	val_set_bool(v, "full", q->full);
	val_set(v, "ports", ports);
	return v;
}

static struct val *
packet_val(const struct rss_config *c, const struct rss_packet *p)
{
	struct val *v = val_obj();
	char a[16];

	val_set_str(v, "port", c->ports[p->port]);
	val_set_str(v, "src", ip_text(p->src, a));
	val_set_str(v, "dst", ip_text(p->dst, a));
	val_set_int(v, "sport", p->sport);
	val_set_int(v, "dport", p->dport);
	val_set_int(v, "core", p->core);
	return v;
}

struct val *
rss_check_val(const struct rss_config *c, const struct rss_cons *k, const struct rss_check *r)
{
	struct val *v = val_obj(), *list = val_arr();

	val_set_bool(v, "satisfied", r->satisfied);
	val_set_bool(v, "locks", k->locks);
	for (uint32_t i = 0; i < r->n; i++) {
		const struct rss_verdict *rv = &r->v[i];
		struct val *o = val_obj(), *ports = val_arr();

		val_push(ports, val_str(k->ports[k->k[i].port_a]));
		val_push(ports, val_str(k->ports[k->k[i].port_b]));
		val_set(o, "ports", ports);
		val_set_str(o, "text", k->text[i]);
		val_set_bool(o, "holds", rv->holds);
		val_set_bool(o, "same_index", rv->same_index);
		if (rv->has_example) {
			struct val *ex = val_arr();

			val_push(ex, packet_val(c, &rv->p));
			val_push(ex, packet_val(c, &rv->q));
			val_set(o, "counterexample", ex);
		}
		val_push(list, o);
	}
	val_set(v, "constraints", list);
	return v;
}

struct val *
rss_solution_val(const struct rss_solution *s)
{
	struct val *v = rss_config_val(s->cfg);

	val_set(v, "quality", rss_quality_val(s->cfg, &s->q));
	val_set_bool(v, "satisfiable", s->satisfiable);
	if (s->why_not)
		val_set_str(v, "why_not", s->why_not);
	val_set_int(v, "equations", s->n_equations);
	val_set_int(v, "key_bits", s->n_vars);
	val_set_int(v, "rank", s->rank);
	val_set_int(v, "free_bits", s->free_bits);
	val_set_int(v, "samples", s->samples);
	val_set_num(v, "seconds", s->seconds);
	return v;
}

struct val *
rss_fieldsets_val(const struct rss_fieldsets *f)
{
	struct val *v = val_obj(), *list = val_arr();

	for (uint32_t i = 0; i < f->n; i++) {
		const struct rss_candidate *cd = &f->c[i];
		struct val *o = val_obj();
		unsigned got, want;

		low_summary(&cd->sol.q, cd->sol.cfg->n_ports, &got, &want);
		val_set_str(o, "name", cd->name);
		val_set_str(o, "letters", cd->letters);
		val_set_bool(o, "satisfiable", cd->sol.satisfiable);
		if (cd->sol.why_not)
			val_set_str(o, "why_not", cd->sol.why_not);
		val_set_int(o, "free_bits", cd->sol.free_bits);
		val_set_int(o, "low_bits", got);
		val_set_int(o, "low_bits_wanted", want);
		val_set_bool(o, "full", cd->sol.q.full);
		val_set_num(o, "imbalance_uniform", cd->sol.q.imbalance_uniform);
		val_set_num(o, "imbalance_subnet", cd->sol.q.imbalance_subnet);
		val_set_bool(o, "recommended", (int)i == f->recommended);
		val_set_num(o, "seconds", cd->sol.seconds);
		val_push(list, o);
	}
	val_set(v, "candidates", list);
	if (f->recommended >= 0)
		val_set_str(v, "recommended", f->c[f->recommended].name);
	val_set_str(v, "why", f->why ? f->why : "");
	return v;
}

struct val *
rss_nics_val(void)
{
	unsigned n;
	const struct nic *l = nic_list(&n);
	struct val *v = val_arr();

	for (unsigned i = 0; i < n; i++) {
		struct val *o = val_obj(), *sizes = val_arr();

		val_set_str(o, "name", l[i].name);
		val_set_str(o, "what", l[i].what);
		val_set_int(o, "key_len", l[i].key_len);
		val_set_bool(o, "any_size", l[i].any_size);
		val_set_int(o, "reta_size", l[i].reta_default);
		for (unsigned j = 0; !l[i].any_size && l[i].reta_sizes[j]; j++)
			val_push(sizes, val_int(l[i].reta_sizes[j]));
		val_set(o, "reta_sizes", sizes);
		val_set_bool(o, "modifiers", l[i].modifiers);
		val_set_str(o, "note", l[i].note);
		val_push(v, o);
	}
	return v;
}

static int
reta_from_val(struct rss_config *c, int port, const struct val *r, struct err *e)
{
	struct sbuf sb = SBUF_INIT;
	int rc;

	if (r->kind != VAL_ARR)
		return err_set(e, -EINVAL, "'reta' must be a list of core numbers");
	for (size_t i = 0; i < r->u.c.n; i++) {
		if (r->u.c.items[i]->kind != VAL_INT) {
			sbuf_release(&sb);
			return err_set(e, -EINVAL, "reta[%zu] is not a whole number", i + 1);
		}
		sbuf_printf(&sb, "%lld,", (long long)r->u.c.items[i]->u.i);
	}
	rc = rss_set_reta(c, port, sbuf_str(&sb), e);
	sbuf_release(&sb);
	return rc;
}

struct rss_config *
rss_config_from_val(const struct val *v, struct err *e)
{
	const struct val *ports = val_get(v, "ports"), *reta = val_get(v, "reta"), *order;
	const char *nicname = val_get_str(v, "nic");
	const struct nic *nic = nic_default();
	int64_t cores = val_get_int(v, "cores", DEFAULT_CORES);
	int64_t size;
	const char *names[RSS_MAX_PORTS];
	struct rss_config *c;
	unsigned bad = 0;

	if (nicname && !(nic = nic_find(nicname, e)))
		return NULL;
	size = val_get_int(v, "reta_size", nic->reta_default);
	if (cores < 1 || cores > RSS_MAX_CORES) {
		err_set(e, -EINVAL, "cores: %lld, not 1..%d", (long long)cores, RSS_MAX_CORES);
		return NULL;
	}
	if (size < 1 || size > 65536 || nic_check_reta(nic, (unsigned)size, e) < 0) {
		if (!e || !e->code)
			err_set(e, -EINVAL, "reta_size %lld: not a RETA size", (long long)size);
		return NULL;
	}
	if (cores > size) {
		err_set(e, -EINVAL, "%lld cores but a RETA of %lld entries", (long long)cores,
			(long long)size);
		return NULL;
	}
	if (!ports || ports->kind != VAL_OBJ || !ports->u.c.n || ports->u.c.n > RSS_MAX_PORTS) {
		err_set(e, -EINVAL, "'ports' must map 1 to %d port names to {key, fields}",
			RSS_MAX_PORTS);
		return NULL;
	}
	order = val_get(v, "port_order");
	if (order && (order->kind != VAL_ARR || order->u.c.n != ports->u.c.n)) {
		err_set(e, -EINVAL, "'port_order' must list the %zu port names of 'ports'",
			ports->u.c.n);
		return NULL;
	}
	for (size_t i = 0; i < ports->u.c.n; i++) {
		names[i] = ports->u.c.keys[i];
		if (order) {
			if (order->u.c.items[i]->kind != VAL_STR ||
			    !val_get(ports, order->u.c.items[i]->u.s)) {
				err_set(e, -EINVAL, "port_order[%zu] names no port of 'ports'", i + 1);
				return NULL;
			}
			names[i] = order->u.c.items[i]->u.s;
			/* A name twice would drop another port and make two of one. */
			for (size_t j = 0; j < i; j++) {
				if (!strcmp(names[j], names[i])) {
					err_set(e, -EINVAL, "port_order names '%s' twice", names[i]);
					return NULL;
				}
			}
		}
	}
	c = rss_config_new(nic, (unsigned)cores, (unsigned)size, (unsigned)ports->u.c.n, names);
	c->seed = (uint64_t)val_get_int(v, "seed", 1);
	if (reta && reta_from_val(c, -1, reta, e) < 0)
		goto fail;
	for (unsigned p = 0; p < c->n_ports; p++) {
		const struct val *o = val_get(ports, c->ports[p]), *pr;
		const char *key = val_get_str(o, "key"), *fields = val_get_str(o, "fields");

		/* {} arrives as an empty list from Lua: the defaults */
		if (o->kind != VAL_OBJ && !(o->kind == VAL_ARR && !o->u.c.n)) {
			err_set(e, -EINVAL, "ports.%s must be a table {key = HEX, fields = SET}",
				c->ports[p]);
			goto fail;
		}
		bad = p;
		/* The first key sets the length for all (a software key may have any). */
		if (key && rss_set_key(c, p ? (int)p : -1, key, e) < 0)
			goto fail_port;
		if (fields && rss_set_fields(c, (int)p, fields, e) < 0)
			goto fail_port;
		if ((pr = val_get(o, "reta")) && reta_from_val(c, (int)p, pr, e) < 0)
			goto fail_port;
	}
	return c;
fail_port:
	err_prefix(e, "ports.%s", c->ports[bad]);
fail:
	rss_config_free(c);
	return NULL;
}

/*---- Rebalancing ----*/

struct rebal_bucket {
	uint64_t load;
	unsigned index;
};

/* Heaviest first; equal loads by index, so the result does not depend on qsort. */
static int
rebal_cmp(const void *a, const void *b)
{
	const struct rebal_bucket *x = a, *y = b;

	if (x->load != y->load)
		return x->load < y->load ? 1 : -1;
	return (x->index > y->index) - (x->index < y->index);
}

static unsigned
rebal_find(unsigned *up, unsigned x)
{
	while (up[x] != x)
		x = up[x] = up[up[x]];
	return x;
}

static uint64_t
rebal_max(const uint64_t *v, unsigned n)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

static double
rebal_imbalance(const uint64_t *per_core, unsigned cores, uint64_t packets)
{
	return packets ? (double)rebal_max(per_core, cores) * cores / (double)packets : 0;
}

/* Everything that could make rss_rebalance fail, checked before anything changes. */
static int
rebal_check(const struct rss_config *c, const struct rss_cons *k, const uint64_t *const loads[],
	    struct err *e)
{
	uint64_t total = 0;

	if (!c->cores)
		return err_set(e, -EINVAL, "no cores");
	if (k && !k->locks) {
		if (k->n_ports != c->n_ports)
			return err_set(e, -EINVAL, "the constraints are for %u ports, the "
				       "configuration has %u", k->n_ports, c->n_ports);
		for (uint32_t i = 0; i < k->n; i++)
			if (k->k[i].port_a >= c->n_ports || k->k[i].port_b >= c->n_ports)
				return err_set(e, -EINVAL, "constraint %u names port %u of %u", i + 1,
					       k->k[i].port_a > k->k[i].port_b ? k->k[i].port_a :
					       k->k[i].port_b, c->n_ports);
	}
	for (unsigned p = 0; p < c->n_ports; p++)
		for (unsigned i = 0; i < c->reta_size; i++) {
			if (c->port[p].reta[i] >= c->cores)
				return err_set(e, -EINVAL, "%s: RETA entry %u is core %u, but there "
					       "are %u cores", c->ports[p], i, c->port[p].reta[i],
					       c->cores);
			/* No sum below can overflow when the grand total does not. */
			if (loads && loads[p] && __builtin_add_overflow(total, loads[p][i], &total))
				return err_set(e, -EINVAL, "packet counts past 2^64");
		}
	return 0;
}

/* Groups whose RETA must stay: a constraint that holds though linked packets take different
** indices holds because this RETA maps those indices to one core. */
static void
rebal_pins(const struct rss_config *c, const struct rss_cons *k, unsigned *up, bool *pinned)
{
	struct rss_check chk;

	if (!k || k->locks || !k->n || c->cores < 2)
		return;
	rss_check_run(c, k, &chk);
	for (uint32_t i = 0; i < chk.n; i++)
		if (chk.v[i].holds && !chk.v[i].same_index)
			pinned[rebal_find(up, k->k[i].port_a)] = true;
	rss_check_release(&chk);
}

/* Longest processing time first, into 'reta' (holding the current cores) and 'acc' (zeroed):
** each bucket with packets on the least loaded core so far. */
static void
rebal_lpt(const uint64_t *load, unsigned size, unsigned cores, uint16_t *reta, uint64_t *acc,
	  struct rebal_bucket *b)
{
	unsigned n = 0;

	for (unsigned i = 0; i < size; i++)
		if (load[i]) {
			b[n].load = load[i];
			b[n++].index = i;
		}
	qsort(b, n, sizeof *b, rebal_cmp);
	for (unsigned j = 0; j < n; j++) {
		unsigned i = b[j].index, low = 0;

		for (unsigned q = 1; q < cores; q++)
			if (acc[q] < acc[low])
				low = q;
		/* Staying put when it costs nothing keeps 'moved' small. */
		if (acc[reta[i]] == acc[low])
			low = reta[i];
		reta[i] = (uint16_t)low;
		acc[low] += b[j].load;
	}
}

static void
rebal_group(struct rss_config *c, const uint64_t *const loads[], bool pinned,
	    struct rss_rebalance_group *g, uint64_t *load, uint16_t *reta, struct rebal_bucket *b)
{
	const uint16_t *cur = c->port[g->ports[0]].reta;

	g->before = xcalloc(c->cores, sizeof *g->before);
	g->after = xcalloc(c->cores, sizeof *g->after);
	memset(load, 0, c->reta_size * sizeof *load);
	for (unsigned j = 0; j < g->n_ports; j++) {
		unsigned p = g->ports[j];

		for (unsigned i = 0; loads && loads[p] && i < c->reta_size; i++) {
			load[i] += loads[p][i];
			g->before[c->port[p].reta[i]] += loads[p][i];
		}
	}
	for (unsigned i = 0; i < c->reta_size; i++) {
		g->packets += load[i];
		if (load[i] > g->heaviest) {
			g->heaviest = load[i];
			g->heaviest_index = i;
		}
	}
	/* load * cores > packets, without the product overflowing */
	for (unsigned i = 0; i < c->reta_size; i++)
		g->heavy += load[i] > g->packets / c->cores;
	memcpy(reta, cur, c->reta_size * sizeof *reta);
	rebal_lpt(load, c->reta_size, c->cores, reta, g->after, b);
	g->pinned = pinned;
	g->kept = pinned || rebal_max(g->after, c->cores) >= rebal_max(g->before, c->cores);
	if (g->kept) {
		memcpy(g->after, g->before, c->cores * sizeof *g->after);
	} else {
		for (unsigned i = 0; i < c->reta_size; i++) {
			bool changed = false;

			for (unsigned j = 0; j < g->n_ports; j++)
				changed |= c->port[g->ports[j]].reta[i] != reta[i];
			g->moved += changed;
		}
		for (unsigned j = 0; j < g->n_ports; j++)
			memcpy(c->port[g->ports[j]].reta, reta, c->reta_size * sizeof *reta);
	}
	g->imbalance_before = rebal_imbalance(g->before, c->cores, g->packets);
	g->imbalance_after = rebal_imbalance(g->after, c->cores, g->packets);
}

int
rss_rebalance(struct rss_config *c, const struct rss_cons *k, const uint64_t *const loads[],
	      struct rss_rebalance *out, struct err *e)
{
	unsigned up[RSS_MAX_PORTS], slot[RSS_MAX_PORTS];
	bool pinned[RSS_MAX_PORTS] = { false };
	uint64_t *load;
	uint16_t *reta;
	struct rebal_bucket *b;
	int rc;

	if (out)
		memset(out, 0, sizeof *out);
	if (!c || !out)
		return err_set(e, -EINVAL, "no configuration or no result to fill");
	if ((rc = rebal_check(c, k, loads, e)) < 0)
		return rc;
	for (unsigned p = 0; p < c->n_ports; p++)
		up[p] = p;
	if (k && !k->locks) {
		for (uint32_t i = 0; i < k->n; i++)
			up[rebal_find(up, k->k[i].port_b)] = rebal_find(up, k->k[i].port_a);
	} else {
		for (unsigned p = 1; p < c->n_ports; p++)
			for (unsigned q = 0; q < p; q++)
				if (!memcmp(c->port[p].reta, c->port[q].reta,
					    c->reta_size * sizeof *c->port[p].reta)) {
					up[rebal_find(up, p)] = rebal_find(up, q);
					break;
				}
	}
	rebal_pins(c, k, up, pinned);
	/* Groups in the order of their first port. */
	for (unsigned p = 0; p < c->n_ports; p++) {
		unsigned root = rebal_find(up, p);
		struct rss_rebalance_group *g = NULL;

		for (unsigned j = 0; j < out->n_groups; j++)
			if (slot[j] == root)
				g = &out->group[j];
		if (!g) {
			slot[out->n_groups] = root;
			g = &out->group[out->n_groups++];
		}
		g->ports[g->n_ports++] = p;
	}
	load = xmalloc(c->reta_size * sizeof *load);
	reta = xmalloc(c->reta_size * sizeof *reta);
	b = xmalloc(c->reta_size * sizeof *b);
	for (unsigned j = 0; j < out->n_groups; j++)
		rebal_group(c, loads, pinned[slot[j]], &out->group[j], load, reta, b);
	free(load);
	free(reta);
	free(b);
	return 0;
}

void
rss_rebalance_release(struct rss_rebalance *r)
{
	for (unsigned j = 0; j < r->n_groups; j++) {
		free(r->group[j].before);
		free(r->group[j].after);
	}
	memset(r, 0, sizeof *r);
}

static unsigned
rebal_digits(uint64_t v)
{
	unsigned n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static unsigned
bar_len(uint64_t v, uint64_t top, unsigned width)
{
	unsigned len = top ? (unsigned)((double)v * width / (double)top) : 0;

	return v && !len ? 1 : len;	/* a core with any packets shows some */
}

/* One line per core: a bar scaled so that the busiest core, before or after, gets 'width'
** characters, then "before -> after". The bar is '#' for what stays, then '-' for what the
** core sheds or '+' for what it gains (after NULL: '#' for 'before', one count). */
static void
histogram(const uint64_t *before, const uint64_t *after, unsigned n, unsigned width,
	  struct sbuf *out)
{
	uint64_t top = rebal_max(before, n);
	unsigned lw = rebal_digits(n ? n - 1 : 0), cw;

	if (after && rebal_max(after, n) > top)
		top = rebal_max(after, n);
	cw = rebal_digits(top);
	for (unsigned k = 0; k < n; k++) {
		unsigned lb = bar_len(before[k], top, width);
		unsigned la = after ? bar_len(after[k], top, width) : lb;

		sbuf_printf(out, "  core %-*u ", (int)lw, k);
		for (unsigned i = 0; i < width; i++)
			sbuf_addc(out, i < lb && i < la ? '#' : i < lb ? '-' : i < la ? '+' : ' ');
		sbuf_printf(out, " %*llu", (int)cw, (unsigned long long)before[k]);
		if (after)
			sbuf_printf(out, " -> %*llu", (int)cw, (unsigned long long)after[k]);
		sbuf_addc(out, '\n');
	}
}

void
rss_format_rebalance(const struct rss_config *c, const struct rss_rebalance *r, struct sbuf *out)
{
	for (unsigned j = 0; j < r->n_groups; j++) {
		const struct rss_rebalance_group *g = &r->group[j];
		unsigned long long maxb, maxa;

		for (unsigned i = 0; i < g->n_ports; i++)
			sbuf_printf(out, "%s%s", i ? ", " : "", c->ports[g->ports[i]]);
		sbuf_printf(out, "%s: %llu packets over %u core%s, %u-entry RETA\n",
			    g->n_ports > 1 ? " (one RETA)" : "", (unsigned long long)g->packets,
			    c->cores, c->cores == 1 ? "" : "s", c->reta_size);
		if (!g->packets) {
			sbuf_adds(out, "  no packets: RETA kept\n");
			continue;
		}
		maxb = rebal_max(g->before, c->cores);
		maxa = rebal_max(g->after, c->cores);
		sbuf_printf(out, "  max/mean per core %.2f -> %.2f; packets per core before -> "
			    "after ('-' shed, '+' gained):\n", g->imbalance_before,
			    g->imbalance_after);
		histogram(g->before, g->after, c->cores, 40, out);
		if (g->pinned)
			sbuf_adds(out, "  RETA kept: a constraint holds only because this RETA "
				  "maps linked packets' different indices to one core; moving "
				  "buckets would break it\n");
		else if (c->cores == 1)
			sbuf_adds(out, "  RETA kept: one core\n");
		else if (g->kept)
			sbuf_printf(out, "  RETA kept: no placement found of whole buckets beats "
				    "its busiest core's %llu packets\n", maxb);
		else
			sbuf_printf(out, "  %u of %u RETA entries moved; busiest core %llu -> "
				    "%llu packets\n", g->moved, c->reta_size, maxb, maxa);
		if (g->heavy)
			sbuf_printf(out, "  RETA index %u alone carries %.0f%% of the packets: no "
				    "RETA can balance below %.2f max/mean (buckets move whole)%s\n",
				    g->heaviest_index,
				    100.0 * (double)g->heaviest / (double)g->packets,
				    (double)g->heaviest * c->cores / (double)g->packets,
				    g->heavy > 1 ? "; more buckets carry over a core's fair share"
				    : "");
	}
}

static struct val *
counts_val(const uint64_t *v, unsigned n)
{
	struct val *a = val_arr();

	for (unsigned i = 0; i < n; i++)
		val_push(a, val_int((int64_t)v[i]));
	return a;
}

struct val *
rss_rebalance_val(const struct rss_config *c, const struct rss_rebalance *r)
{
	struct val *v = val_obj(), *groups = val_arr();

	for (unsigned j = 0; j < r->n_groups; j++) {
		const struct rss_rebalance_group *g = &r->group[j];
		struct val *o = val_obj(), *ports = val_arr();

		for (unsigned i = 0; i < g->n_ports; i++)
			val_push(ports, val_str(c->ports[g->ports[i]]));
		val_set(o, "ports", ports);
		val_set_int(o, "packets", (int64_t)g->packets);
		val_set(o, "before", counts_val(g->before, c->cores));
		val_set(o, "after", counts_val(g->after, c->cores));
		val_set_num(o, "imbalance_before", g->imbalance_before);
		val_set_num(o, "imbalance_after", g->imbalance_after);
		val_set_int(o, "moved", g->moved);
		val_set_int(o, "heavy", g->heavy);
		val_set_int(o, "heaviest_index", g->heaviest_index);
		val_set_int(o, "heaviest", (int64_t)g->heaviest);
		val_set_bool(o, "kept", g->kept);
		val_set_bool(o, "pinned", g->pinned);
		val_push(groups, o);
	}
	val_set(v, "groups", groups);
	return v;
}
