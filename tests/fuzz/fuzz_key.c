/*
** libFuzzer target for what the user types or hands over about RSS, under ASan and UBSan:
** Toeplitz keys in hex (rss_set_key), field sets (fieldset_parse, rss_set_fields), RETA lists
** (rss_set_reta), port names, NIC profiles, IPv4 prefixes (portmap_parse_cidr, for --lan), the
** JSON that 'check --config' reads (json_parse, rss_config_from_val), constraints given by hand
** (rss_cons_from_val), and the trace generator's options (tracegen_opts_set: 'pcap gen' and
** 'check --gen'). Parses are checked against small models written apart from the
** code, and what is parsed, written back and parsed again must be the same.
**
** Input: a mode byte, a parameter byte (NIC profile, port, cores), then the text: up to the
** first NUL for the parsers of C strings, every byte for JSON (which must refuse a NUL).
*/

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fieldset.h"
#include "engine/json.h"
#include "engine/nic.h"
#include "engine/portmap.h"
#include "engine/rss.h"
#include "engine/sbuf.h"
#include "engine/toeplitz.h"
#include "engine/tracegen.h"
#include "engine/val.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const port_names[] = { "lan", "wan", "2", "p" };

static void
check_err(const struct err *e)
{
	if (e->code >= 0 || !e->msg[0])
		__builtin_trap();
}

/* A configuration on profile number 'param' (mod the count), with 1 to 4 ports. */
static struct rss_config *
config_for(uint8_t param, unsigned *out_ports)
{
	unsigned n;
	const struct nic *list = nic_list(&n);
	const struct nic *nic = &list[param % n];
	unsigned ports = 1 + (param >> 4) % 4;

	*out_ports = ports;
	return rss_config_new(nic, 1 + (param >> 6), nic->reta_default, ports, port_names);
}

/* rss_hash (the table version) agrees with the bitwise reference on a few tuples. */
static void
check_hash(const struct rss_config *c)
{
	static const uint32_t tuples[][4] = {
		{ 0x0a000001, 0xc0a80001, 1234, 80 }, { 0, 0, 0, 0 },
		{ 0xffffffff, 0xffffffff, 65535, 65535 }, { 0x42a36c4a, 0x8d2ab5c4, 2794, 1766 },
	};

	for (unsigned p = 0; p < c->n_ports; p++) {
		for (size_t t = 0; t < sizeof tuples / sizeof tuples[0]; t++) {
			uint16_t sp = (uint16_t)tuples[t][2], dp = (uint16_t)tuples[t][3];
			uint8_t in[12];
			unsigned n = fieldset_input(&c->port[p].fs, tuples[t][0], tuples[t][1],
						    sp, dp, in);
			struct rss_hit h = rss_hash(c, p, tuples[t][0], tuples[t][1], sp, dp);

			if (h.hash != toeplitz_ref(c->port[p].key, c->key_len, in, n) ||
			    h.index >= c->reta_size || h.core >= c->cores)
				__builtin_trap();
		}
	}
}

/*---- Keys ----*/

/* The model: separators (':', '-', ' ') only between bytes, then an even count of hex digits
** of at most 64 bytes. Returns the byte count or -1. */
static int
model_key(const char *text, uint8_t out[TOEPLITZ_KEY_MAX])
{
	char digits[2 * TOEPLITZ_KEY_MAX + 2];
	size_t nd = 0;

	if ((text[0] == '0' && (text[1] == 'x' || text[1] == 'X')))
		text += 2;
	for (; *text; text++) {
		if (strchr(":- ", *text)) {
			if (nd % 2)
				return -1;
			continue;
		}
		if (!isxdigit((unsigned char)*text) || nd == sizeof digits - 1)
			return -1;
		digits[nd++] = *text;
	}
	if (nd % 2 || nd > 2 * TOEPLITZ_KEY_MAX)
		return -1;
	for (size_t i = 0; i < nd / 2; i++) {
		unsigned v;

		if (sscanf(digits + 2 * i, "%2x", &v) != 1)
			__builtin_trap();
		out[i] = (uint8_t)v;
	}
	return (int)(nd / 2);
}

static void
fuzz_key(uint8_t param, const char *text)
{
	unsigned n_ports, len_before;
	struct rss_config *c = config_for(param, &n_ports);
	int port = (param & 8) ? -1 : (int)(param & 7) % 5 - 1;	/* -1 .. 3, some past the end */
	struct err e = ERR_INIT;
	uint8_t want[TOEPLITZ_KEY_MAX], before[RSS_MAX_PORTS][TOEPLITZ_KEY_MAX];
	int n = model_key(text, want), rc;
	bool ok;

	for (unsigned p = 0; p < n_ports; p++)
		memcpy(before[p], c->port[p].key, TOEPLITZ_KEY_MAX);
	len_before = c->key_len;
	rc = rss_set_key(c, port, text, &e);
	ok = port < (int)n_ports && n >= 0 && nic_check_key_len(c->nic, (unsigned)n, NULL) == 0 &&
	     !((unsigned)n != len_before && port >= 0 && n_ports > 1);
	if ((rc == 0) != ok)
		__builtin_trap();
	if (rc < 0) {
		check_err(&e);
		/* Nothing changed. */
		if (c->key_len != len_before)
			__builtin_trap();
		for (unsigned p = 0; p < n_ports; p++)
			if (memcmp(before[p], c->port[p].key, TOEPLITZ_KEY_MAX))
				__builtin_trap();
	} else {
		struct sbuf sb = SBUF_INIT;
		uint8_t again[TOEPLITZ_KEY_MAX];
		unsigned p0 = port < 0 ? 0 : (unsigned)port;

		if (c->key_len != (unsigned)n || memcmp(c->port[p0].key, want, (size_t)n))
			__builtin_trap();
		for (unsigned i = (unsigned)n; i < TOEPLITZ_KEY_MAX; i++)
			if (c->port[p0].key[i])
				__builtin_trap();
		for (unsigned p = 0; p < n_ports; p++)
			if (port >= 0 && (int)p != port && memcmp(before[p], c->port[p].key,
								    TOEPLITZ_KEY_MAX))
				__builtin_trap();
		/* Written back (three spellings) and parsed again: the same bytes. */
		if (param & 1)
			sbuf_adds(&sb, "0x");
		for (unsigned i = 0; i < c->key_len; i++)
			sbuf_printf(&sb, "%s%02X", i && (param & 2) ? (param & 4 ? "-" : ":") : "",
				    c->port[p0].key[i]);
		memcpy(again, c->port[p0].key, sizeof again);
		if (rss_set_key(c, port, sbuf_str(&sb), &e) != 0 ||
		    memcmp(again, c->port[p0].key, sizeof again))
			__builtin_trap();
		sbuf_release(&sb);
		check_hash(c);
	}
	rss_config_free(c);
}

/*---- Field sets ----*/

static void
fuzz_fields(uint8_t param, const char *text)
{
	struct fieldset fs, back, of;
	struct err e = ERR_INIT;
	char name[160], letters[8], rte[256];
	int pos[SHARD_NFIELDS];
	unsigned bits, n_ports;
	uint8_t in[12];
	struct rss_config *c;
	int rc = fieldset_parse(text, &fs, &e), rc2;

	if (rc < 0) {
		check_err(&e);
	} else {
		if (!fs.fields || fs.fields & ~FIELDSET_ALL || !fs.types ||
		    fs.types & ~(FIELDSET_T_OTHER | FIELDSET_T_TCP | FIELDSET_T_UDP))
			__builtin_trap();
		/* The testpmd name and, when they say the same, the letters parse back. */
		fieldset_name(&fs, name, sizeof name);
		if (fieldset_parse(name, &back, NULL) != 0 || !fieldset_eq(&fs, &back))
			__builtin_trap();
		fieldset_letters(&fs, letters, sizeof letters);
		of = fieldset_of(fs.fields);
		if (fieldset_parse(letters, &back, NULL) != 0 ||
		    (fieldset_eq(&of, &fs) && !fieldset_eq(&fs, &back)))
			__builtin_trap();
		fieldset_rte_text(&fs, rte, sizeof rte);
		if (fieldset_dpdk(&fs) != (fieldset_rte_flags(&fs) != 0) ||
		    fieldset_dpdk(&fs) != (rte[0] != '\0'))
			__builtin_trap();
		bits = fieldset_layout(&fs, pos);
		if (bits > 96 || bits % 16 ||
		    fieldset_input(&fs, 1, 2, 3, 4, in) * 8 != bits)
			__builtin_trap();
	}
	/* The same through a configuration on a profile: it may refuse more, never less. */
	c = config_for(param, &n_ports);
	rc2 = rss_set_fields(c, (param & 8) ? -1 : 0, text, &e);
	if (rc2 == 0 && rc != 0)
		__builtin_trap();
	if (rc2 == 0) {
		if (!fieldset_eq(&c->port[0].fs, &fs))
			__builtin_trap();
		check_hash(c);
	}
	rss_config_free(c);
}

/*---- RETA ----*/

/* The model: numbers (decimal digits, optionally '+') separated by commas or blanks, each below
** 'cores', as many as the size or a pattern whose length divides it; or "default". */
static int
model_reta(const char *text, unsigned cores, unsigned size, uint16_t *out)
{
	unsigned n = 0;
	const char *p = text;

	while (isspace((unsigned char)*p))
		p++;
	if (!strcmp(p, "default") || !strcmp(p, "round-robin")) {
		for (unsigned i = 0; i < size; i++)
			out[i] = (uint16_t)(i % cores);
		return 0;
	}
	for (p = text; *p;) {
		unsigned long v = 0;
		bool big = false;

		if (*p == ',' || isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*p == '+')
			p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++) {
			v = v * 10 + (unsigned long)(*p - '0');
			if (v > 1000000)
				big = true, v = 1000000;
		}
		if (big || v >= cores || n == size)
			return -1;
		out[n++] = (uint16_t)v;
	}
	if (!n || size % n)
		return -1;
	for (unsigned i = n; i < size; i++)
		out[i] = out[i % n];
	return 0;
}

static void
fuzz_reta(uint8_t param, const char *text)
{
	unsigned n_ports;
	struct rss_config *c = config_for(param, &n_ports);
	uint16_t *want = malloc(c->reta_size * sizeof *want);
	struct err e = ERR_INIT;
	int rc, wrc;

	if (!want)
		abort();
	/* strtoul takes "-0" for 0, which the model refuses: texts with a '-' only must not
	** crash. */
	wrc = model_reta(text, c->cores, c->reta_size, want);
	rc = rss_set_reta(c, (param & 8) ? -1 : 0, text, &e);
	if (!strchr(text, '-') && (rc == 0) != (wrc == 0))
		__builtin_trap();
	if (rc < 0) {
		check_err(&e);
	} else {
		for (unsigned i = 0; i < c->reta_size; i++)
			if (c->port[0].reta[i] >= c->cores ||
			    (wrc == 0 && c->port[0].reta[i] != want[i]))
				__builtin_trap();
		check_hash(c);
	}
	free(want);
	rss_config_free(c);
}

/*---- Prefixes ----*/

/* The model: four dot-separated parts of 1 to 3 digits up to 255, then optionally '/' and
** digits up to 32; no bits past the prefix. */
static int
model_cidr(const char *s, uint32_t *net, uint32_t *mask)
{
	uint32_t a = 0;
	unsigned len = 32;

	for (int i = 0; i < 4; i++) {
		unsigned part = 0, d = 0;

		for (; isdigit((unsigned char)*s) && d < 4; s++, d++)
			part = part * 10 + (unsigned)(*s - '0');
		if (d == 0 || d > 3 || part > 255)
			return -1;
		a = a << 8 | part;
		if (i < 3 && *s++ != '.')
			return -1;
	}
	if (*s == '/') {
		unsigned long v = 0;

		if (!isdigit((unsigned char)*++s))
			return -1;
		for (; isdigit((unsigned char)*s); s++)
			if ((v = v * 10 + (unsigned long)(*s - '0')) > 32)
				return -1;
		len = (unsigned)v;
	}
	if (*s)
		return -1;
	*mask = len ? 0xffffffffu << (32 - len) : 0;
	*net = a;
	return a & ~*mask ? -1 : 0;
}

static void
fuzz_cidr(const char *text)
{
	uint32_t net, mask, wnet = 0, wmask = 0, net2, mask2;
	struct err e = ERR_INIT;
	int rc = portmap_parse_cidr(text, &net, &mask, &e);
	int wrc = model_cidr(text, &wnet, &wmask);
	char back[32];
	unsigned len = 0;

	if ((rc == 0) != (wrc == 0))
		__builtin_trap();
	if (rc < 0) {
		check_err(&e);
		return;
	}
	if (net != wnet || mask != wmask)
		__builtin_trap();
	for (uint32_t m = mask; m; m <<= 1)
		len++;
	snprintf(back, sizeof back, "%u.%u.%u.%u/%u", net >> 24, net >> 16 & 255, net >> 8 & 255,
		 net & 255, len);
	if (portmap_parse_cidr(back, &net2, &mask2, NULL) != 0 || net2 != net || mask2 != mask)
		__builtin_trap();
}

/*---- Profiles and ports ----*/

static void
fuzz_nic(uint8_t param, const char *text)
{
	struct err e = ERR_INIT;
	const struct nic *n = nic_find(text, &e);
	unsigned count, size = (unsigned)strtoul(text, NULL, 0);
	const struct nic *list = nic_list(&count);
	struct fieldset fs;

	if (!n) {
		check_err(&e);
		n = &list[param % count];
	} else if (strcmp(n->name, text)) {
		__builtin_trap();
	}
	/* Sizes from the text: the answer matches the profile's list. */
	if (nic_check_reta(n, size, &e) == 0) {
		bool listed = n->any_size && size && !(size & (size - 1)) &&
			      size <= nic_reta_max(n);

		for (unsigned i = 0; !n->any_size && n->reta_sizes[i]; i++)
			listed |= n->reta_sizes[i] == size;
		if (!listed)
			__builtin_trap();
	} else {
		check_err(&e);
	}
	if (nic_check_key_len(n, param, &e) == 0 &&
	    (n->any_size ? param < 16 || param > 64 : param != n->key_len))
		__builtin_trap();
	if (fieldset_parse(text, &fs, NULL) == 0 && nic_check_fields(n, &fs, &e) < 0)
		check_err(&e);
}

static void
fuzz_port(uint8_t param, const char *text)
{
	unsigned n_ports;
	struct rss_config *c = config_for(param, &n_ports);
	struct err e = ERR_INIT;
	int p = rss_port_find(c, text, &e);

	if (p < 0) {
		check_err(&e);
	} else if (p >= (int)n_ports ||
		   (strcmp(c->ports[p], text) && strtoul(text, NULL, 10) != (unsigned long)p)) {
		__builtin_trap();
	}
	rss_config_free(c);
}

/*---- JSON ----*/

static bool
config_eq(const struct rss_config *a, const struct rss_config *b)
{
	if (a->nic != b->nic || a->cores != b->cores || a->key_len != b->key_len ||
	    a->reta_size != b->reta_size || a->n_ports != b->n_ports || a->seed != b->seed)
		return false;
	for (unsigned p = 0; p < a->n_ports; p++) {
		if (strcmp(a->ports[p], b->ports[p]) || memcmp(a->port[p].key, b->port[p].key,
							       TOEPLITZ_KEY_MAX) ||
		    !fieldset_eq(&a->port[p].fs, &b->port[p].fs) ||
		    memcmp(a->port[p].reta, b->port[p].reta, a->reta_size * sizeof(uint16_t)))
			return false;
	}
	return true;
}

/* 'check --config FILE': a configuration as rss_config_val writes it; written back and read
** again it is the same configuration. */
static void
fuzz_config(const char *text, size_t n)
{
	struct err e = ERR_INIT;
	struct val *v = json_parse(text, n, "cfg.json", &e), *w;
	struct rss_config *c, *d;
	struct sbuf sb = SBUF_INIT;

	if (!v) {
		check_err(&e);
		return;
	}
	c = rss_config_from_val(val_get(v, "config") ? val_get(v, "config") : v, &e);
	val_free(v);
	if (!c) {
		check_err(&e);
		return;
	}
	if (!c->n_ports || c->n_ports > RSS_MAX_PORTS || !c->cores || c->cores > c->reta_size ||
	    c->reta_size & (c->reta_size - 1))
		__builtin_trap();
	for (unsigned p = 0; p < c->n_ports; p++)
		for (unsigned i = 0; i < c->reta_size; i++)
			if (c->port[p].reta[i] >= c->cores)
				__builtin_trap();
	check_hash(c);
	rss_format_config(c, &sb);
	w = rss_config_val(c);
	sbuf_reset(&sb);
	val_json(w, &sb);
	val_free(w);
	v = json_parse(sbuf_str(&sb), strlen(sbuf_str(&sb)), NULL, &e);
	if (!v)
		__builtin_trap();
	d = rss_config_from_val(v, &e);
	if (!d || !config_eq(c, d))
		__builtin_trap();
	val_free(v);
	sbuf_release(&sb);
	rss_config_free(d);
	rss_config_free(c);
}

/* Constraints written by hand ({ports, constraints = {{ports, pairs}}}). */
static void
fuzz_cons(const char *text, size_t n)
{
	struct err e = ERR_INIT;
	struct val *v = json_parse(text, n, NULL, &e);
	struct rss_cons k;

	if (!v) {
		check_err(&e);
		return;
	}
	if (rss_cons_from_val(v, &k, &e) < 0) {
		check_err(&e);
		val_free(v);
		return;
	}
	if (!k.n_ports || k.n_ports > RSS_MAX_PORTS)
		__builtin_trap();
	for (uint32_t i = 0; i < k.n; i++) {
		const struct shard_constraint *sc = &k.k[i];

		if (sc->port_a > sc->port_b || sc->port_b >= k.n_ports || !k.text[i])
			__builtin_trap();
		for (uint32_t j = 0; j < sc->n_pairs; j++) {
			const struct shard_pair *pp = &sc->pairs[j];

			if (pp->fa >= SHARD_NFIELDS || pp->fb >= SHARD_NFIELDS || !pp->mask ||
			    pp->ba >= fieldset_field_bits(pp->fa) / 8 ||
			    pp->bb >= fieldset_field_bits(pp->fb) / 8)
				__builtin_trap();
		}
	}
	rss_cons_release(&k);
	val_free(v);
}

/* Any JSON: written back and read again, it writes the same. */
static void
fuzz_json(const char *text, size_t n)
{
	struct err e = ERR_INIT;
	struct val *v = json_parse(text, n, NULL, &e), *w;
	struct sbuf a = SBUF_INIT, b = SBUF_INIT;

	if (!v) {
		check_err(&e);
		return;
	}
	val_json(v, &a);
	w = json_parse(sbuf_str(&a), strlen(sbuf_str(&a)), NULL, &e);
	if (!w)
		__builtin_trap();
	val_json(w, &b);
	if (strcmp(sbuf_str(&a), sbuf_str(&b)))
		__builtin_trap();
	val_free(w);
	val_free(v);
	sbuf_release(&a);
	sbuf_release(&b);
}

/*---- Trace generator options ----*/

/* "name=value" (or a value for the option the parameter picks): a refused value changes
** nothing, an accepted one lands in its documented range. */
static void
fuzz_gen(uint8_t param, const char *text)
{
	const char *const *names = tracegen_option_names();
	const char *eq = strchr(text, '='), *value = text;
	struct tracegen_opts o, before;
	struct err e = ERR_INIT;
	char key[64];
	size_t n = 0;

	while (names[n])
		n++;
	if (eq && (size_t)(eq - text) < sizeof key) {
		memcpy(key, text, (size_t)(eq - text));
		key[eq - text] = '\0';
		value = eq + 1;
	} else {
		snprintf(key, sizeof key, "%s%s", param & 0x80 ? "--" : "", names[param % n]);
	}
	tracegen_opts_init(&o);
	before = o;
	if (tracegen_opts_set(&o, key, value, &e) < 0) {
		check_err(&e);
		if (memcmp(&o, &before, sizeof o))
			__builtin_trap();
		return;
	}
	if (o.set == 0 || o.flows < 1 || o.flows > TRACEGEN_FLOWS_MAX || o.packets < 1 ||
	    (o.size != TRACEGEN_SIZE_IMIX && (o.size < 60 || o.size > 1514)) ||
	    !(o.zipf > 0 && o.zipf <= 10) || o.lan_len > 32 ||
	    (o.lan_len < 32 && o.lan_addr & (0xffffffffu >> o.lan_len)) ||
	    !(o.reply >= 0 && o.reply <= 1) || !(o.rate > 0) || !(o.duration > 0) ||
	    !(o.pps > 0) || o.clients < 1 || o.servers < 1)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *raw;
	char *text;
	uint8_t mode, param;
	size_t n;

	if (size < 2)
		return 0;
	mode = data[0];
	param = data[1];
	raw = (const char *)data + 2;
	n = size - 2;
	text = strndup(raw, n);
	if (!text)
		abort();
	switch (mode % 10) {
	case 0: fuzz_key(param, text); break;
	case 1: fuzz_fields(param, text); break;
	case 2: fuzz_reta(param, text); break;
	case 3: fuzz_cidr(text); break;
	case 4: fuzz_nic(param, text); break;
	case 5: fuzz_port(param, text); break;
	case 6: fuzz_config(raw, n); break;
	case 7: fuzz_cons(raw, n); break;
	case 8: fuzz_json(raw, n); break;
	case 9: fuzz_gen(param, text); break;
	}
	free(text);
	return 0;
}
