#include "engine/fieldset.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/sbuf.h"

static const struct {
	const char *word;
	uint8_t type;		/* FIELDSET_T_*, or 0 for a modifier */
	uint8_t drop;		/* a modifier: the field it drops unless its twin is given too */
} words[] = {
	{ "ipv4", FIELDSET_T_OTHER, 0 },
	{ "ip", FIELDSET_T_OTHER, 0 },
	{ "ipv4-tcp", FIELDSET_T_TCP, 0 },
	{ "tcp", FIELDSET_T_TCP, 0 },
	{ "ipv4-udp", FIELDSET_T_UDP, 0 },
	{ "udp", FIELDSET_T_UDP, 0 },
	{ "l3-src-only", 0, FIELDSET_D },
	{ "l3-dst-only", 0, FIELDSET_S },
	{ "l4-src-only", 0, FIELDSET_N },
	{ "l4-dst-only", 0, FIELDSET_F },
};

static const char *
letter_meaning(char c)
{
	switch (c) {
	case 'm': return "L2 destination address";
	case 'v': return "VLAN tag";
	case 't': return "L3 protocol";
	case 'r': return "discard";
	default: return NULL;
	}
}

static bool
all_letters(const char *w)
{
	if (!*w)
		return false;
	for (; *w; w++)
		if (!strchr("sdfnmvtr", *w))
			return false;
	return true;
}

static int
parse_letters(const char *w, struct fieldset *out, struct err *e)
{
	uint8_t f = 0;

	for (const char *c = w; *c; c++) {
		const char *m = letter_meaning(*c);
		uint8_t bit;

		if (m)
			return err_set(e, -EINVAL, "field set '%s': letter '%c' (%s) is not hashed by "
				       "baton's model (s d f n are: IP source, IP destination, L4 source "
				       "port, L4 destination port)", w, *c, m);
		bit = *c == 's' ? FIELDSET_S : *c == 'd' ? FIELDSET_D : *c == 'f' ? FIELDSET_F
			: FIELDSET_N;
		if (f & bit)
			return err_set(e, -EINVAL, "field set '%s': letter '%c' twice", w, *c);
		f |= bit;
	}
	*out = fieldset_of(f);
	return 0;
}

struct fieldset
fieldset_of(uint8_t fields)
{
	/* Addresses only: every IPv4 packet hashes on them, TCP and UDP included. */
	struct fieldset fs = { fields, fields & (FIELDSET_F | FIELDSET_N)
			       ? FIELDSET_T_TCP | FIELDSET_T_UDP
			       : FIELDSET_T_OTHER | FIELDSET_T_TCP | FIELDSET_T_UDP };
	return fs;
}

int
fieldset_parse(const char *text, struct fieldset *out, struct err *e)
{
	char buf[256], *save = NULL;
	uint8_t types = 0, drop = 0, l3mods = 0, l4mods = 0;
	bool any = false, l4 = false;

	if (strlen(text) >= sizeof buf)
		return err_set(e, -EINVAL, "field set too long");
	strcpy(buf, text);
	for (char *w = strtok_r(buf, " \t,+", &save); w; w = strtok_r(NULL, " \t,+", &save)) {
		size_t i;

		for (char *c = w; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		for (i = 0; i < sizeof words / sizeof words[0]; i++)
			if (!strcmp(w, words[i].word))
				break;
		if (i == sizeof words / sizeof words[0]) {
			if (all_letters(w)) {
				if (any || strtok_r(NULL, " \t,+", &save))
					return err_set(e, -EINVAL, "field set '%s': ethtool letters "
						       "('%s') stand alone, without testpmd names", text, w);
				return parse_letters(w, out, e);
			}
			return err_set(e, -EINVAL, "field set '%s': unknown word '%s' (ipv4, ipv4-tcp, "
				       "ipv4-udp, l3-src-only, l3-dst-only, l4-src-only, l4-dst-only, or "
				       "ethtool letters such as sdfn)", text, w);
		}
		any = true;
		types |= words[i].type;
		l4 |= words[i].type & (FIELDSET_T_TCP | FIELDSET_T_UDP);
		drop |= words[i].drop;
		if (words[i].drop & (FIELDSET_S | FIELDSET_D))
			l3mods |= words[i].drop;
		else
			l4mods |= words[i].drop;
	}
	if (!any)
		return err_set(e, -EINVAL, "empty field set (try ipv4-tcp,ipv4-udp or sdfn)");
	if (!types) {
		/* Only modifiers: they modify DPDK's usual TCP and UDP 4-tuple. */
		types = FIELDSET_T_TCP | FIELDSET_T_UDP;
		l4 = true;
	}
	if (!l4 && l4mods)
		return err_set(e, -EINVAL, "field set '%s': l4-src-only and l4-dst-only need "
			       "ipv4-tcp or ipv4-udp", text);
	/* Both modifiers of one level mean both fields, as in DPDK. */
	if (l3mods == (FIELDSET_S | FIELDSET_D))
		drop &= (uint8_t)~l3mods;
	if (l4mods == (FIELDSET_F | FIELDSET_N))
		drop &= (uint8_t)~l4mods;
	out->fields = (uint8_t)((l4 ? FIELDSET_ALL : FIELDSET_S | FIELDSET_D) & ~drop);
	out->types = l4 ? types : FIELDSET_T_OTHER | FIELDSET_T_TCP | FIELDSET_T_UDP;
	return 0;
}

bool
fieldset_dpdk(const struct fieldset *fs)
{
	return fs->fields & (FIELDSET_S | FIELDSET_D);
}

void
fieldset_letters(const struct fieldset *fs, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s%s", fs->fields & FIELDSET_S ? "s" : "",
		 fs->fields & FIELDSET_D ? "d" : "", fs->fields & FIELDSET_F ? "f" : "",
		 fs->fields & FIELDSET_N ? "n" : "");
}

static bool
has_ports(const struct fieldset *fs)
{
	return fs->fields & (FIELDSET_F | FIELDSET_N);
}

void
fieldset_name(const struct fieldset *fs, char *buf, size_t n)
{
	struct sbuf sb = SBUF_INIT;
	uint8_t l3 = fs->fields & (FIELDSET_S | FIELDSET_D);
	uint8_t l4 = fs->fields & (FIELDSET_F | FIELDSET_N);

	if (!fieldset_dpdk(fs)) {
		fieldset_letters(fs, buf, n);
		return;
	}
	if (!has_ports(fs)) {
		sbuf_adds(&sb, "ipv4");
	} else {
		const char *sep = "";

		if (fs->types & FIELDSET_T_OTHER) {
			sbuf_adds(&sb, "ipv4");
			sep = ",";
		}
		if (fs->types & FIELDSET_T_TCP) {
			sbuf_printf(&sb, "%sipv4-tcp", sep);
			sep = ",";
		}
		if (fs->types & FIELDSET_T_UDP)
			sbuf_printf(&sb, "%sipv4-udp", sep);
	}
	if (l3 == FIELDSET_S)
		sbuf_adds(&sb, ",l3-src-only");
	else if (l3 == FIELDSET_D)
		sbuf_adds(&sb, ",l3-dst-only");
	if (l4 == FIELDSET_F)
		sbuf_adds(&sb, ",l4-src-only");
	else if (l4 == FIELDSET_N)
		sbuf_adds(&sb, ",l4-dst-only");
	snprintf(buf, n, "%s", sbuf_str(&sb));
	sbuf_release(&sb);
}

uint64_t
fieldset_rte_flags(const struct fieldset *fs)
{
	uint8_t l3 = fs->fields & (FIELDSET_S | FIELDSET_D);
	uint8_t l4 = fs->fields & (FIELDSET_F | FIELDSET_N);
	uint64_t f = 0;

	if (!fieldset_dpdk(fs))
		return 0;
	if (!has_ports(fs)) {
		f = FIELDSET_RTE_IPV4;
	} else {
		if (fs->types & FIELDSET_T_OTHER)
			f |= FIELDSET_RTE_IPV4;
		if (fs->types & FIELDSET_T_TCP)
			f |= FIELDSET_RTE_NONFRAG_IPV4_TCP;
		if (fs->types & FIELDSET_T_UDP)
			f |= FIELDSET_RTE_NONFRAG_IPV4_UDP;
		if (l4 == FIELDSET_F)
			f |= FIELDSET_RTE_L4_SRC_ONLY;
		else if (l4 == FIELDSET_N)
			f |= FIELDSET_RTE_L4_DST_ONLY;
	}
	if (l3 == FIELDSET_S)
		f |= FIELDSET_RTE_L3_SRC_ONLY;
	else if (l3 == FIELDSET_D)
		f |= FIELDSET_RTE_L3_DST_ONLY;
	return f;
}

void
fieldset_rte_text(const struct fieldset *fs, char *buf, size_t n)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} names[] = {
		{ FIELDSET_RTE_IPV4, "IPV4" },
		{ FIELDSET_RTE_NONFRAG_IPV4_TCP, "NONFRAG_IPV4_TCP" },
		{ FIELDSET_RTE_NONFRAG_IPV4_UDP, "NONFRAG_IPV4_UDP" },
		{ FIELDSET_RTE_L3_SRC_ONLY, "L3_SRC_ONLY" },
		{ FIELDSET_RTE_L3_DST_ONLY, "L3_DST_ONLY" },
		{ FIELDSET_RTE_L4_SRC_ONLY, "L4_SRC_ONLY" },
		{ FIELDSET_RTE_L4_DST_ONLY, "L4_DST_ONLY" },
	};
	uint64_t f = fieldset_rte_flags(fs);
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (f & names[i].bit)
			sbuf_printf(&sb, "%sRTE_ETH_RSS_%s", sb.len ? " | " : "", names[i].name);
	snprintf(buf, n, "%s", sbuf_str(&sb));
	sbuf_release(&sb);
}

unsigned
fieldset_field_bits(enum shard_field f)
{
	return f < SHARD_SPORT ? 32 : 16;
}

unsigned
fieldset_layout(const struct fieldset *fs, int pos[SHARD_NFIELDS])
{
	unsigned at = 0;

	for (int f = 0; f < SHARD_NFIELDS; f++) {
		pos[f] = -1;
		if (fs->fields & (1u << f)) {
			pos[f] = (int)at;
			at += fieldset_field_bits((enum shard_field)f);
		}
	}
	return at;
}

unsigned
fieldset_input(const struct fieldset *fs, uint32_t src, uint32_t dst, uint16_t sport,
	       uint16_t dport, uint8_t in[12])
{
	unsigned n = 0;

	if (fs->fields & FIELDSET_S) {
		in[n++] = (uint8_t)(src >> 24), in[n++] = (uint8_t)(src >> 16);
		in[n++] = (uint8_t)(src >> 8), in[n++] = (uint8_t)src;
	}
	if (fs->fields & FIELDSET_D) {
		in[n++] = (uint8_t)(dst >> 24), in[n++] = (uint8_t)(dst >> 16);
		in[n++] = (uint8_t)(dst >> 8), in[n++] = (uint8_t)dst;
	}
	if (fs->fields & FIELDSET_F)
		in[n++] = (uint8_t)(sport >> 8), in[n++] = (uint8_t)sport;
	if (fs->fields & FIELDSET_N)
		in[n++] = (uint8_t)(dport >> 8), in[n++] = (uint8_t)dport;
	return n;
}

bool
fieldset_eq(const struct fieldset *a, const struct fieldset *b)
{
	return a->fields == b->fields && a->types == b->types;
}
