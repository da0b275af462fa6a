/* Unit tests for engine/fieldset: testpmd names and ethtool letters parsed, refused with a
** message naming the culprit, written back (name and letters round trips), DPDK's own
** RTE_ETH_RSS_* values, and the Toeplitz input layout and bytes. */
#include "engine/fieldset.h"

#include <errno.h>

#include "engine/toeplitz.h"

/* DPDK only for its flag values: the engine carries its own copies. */
#include <rte_ethdev.h>

#include "tests/test.h"

#define S FIELDSET_S
#define D FIELDSET_D
#define F FIELDSET_F
#define N FIELDSET_N
#define T_O FIELDSET_T_OTHER
#define T_T FIELDSET_T_TCP
#define T_U FIELDSET_T_UDP
#define T_ALL (T_O | T_T | T_U)

/* The field set 'text' parses to, or FAIL with the message; false on failure. */
static bool
parse_ok(const char *text, struct fieldset *out)
{
	struct err e = ERR_INIT;
	int rc = fieldset_parse(text, out, &e);

	if (rc != 0) {
		FAIL("fieldset_parse(\"%s\") = %d: %s", text, rc, e.msg);
		return false;
	}
	return true;
}

/* Parsing 'text' fails with -EINVAL and a message holding each of 'want' (NULL-ended). */
static void
parse_fails(const char *text, const char *const *want)
{
	struct err e = ERR_INIT;
	struct fieldset fs = { 0xee, 0xee };
	int rc = fieldset_parse(text, &fs, &e);

	if (rc != -EINVAL || e.code != -EINVAL) {
		FAIL("fieldset_parse(\"%s\") = %d (code %d), want -EINVAL", text, rc, e.code);
		return;
	}
	for (; *want; want++)
		if (!strstr(e.msg, *want))
			FAIL("fieldset_parse(\"%s\"): message \"%s\" does not name \"%s\"", text,
			     e.msg, *want);
}

static void
test_fieldset__parse_names(void)
{
	static const struct {
		const char *text;
		uint8_t fields, types;
	} cases[] = {
		{ "ipv4", S | D, T_ALL },
		{ "ip", S | D, T_ALL },
		{ "ipv4-tcp", S | D | F | N, T_T },
		{ "tcp", S | D | F | N, T_T },
		{ "ipv4-udp", S | D | F | N, T_U },
		{ "udp", S | D | F | N, T_U },
		{ "ipv4-tcp,ipv4-udp", S | D | F | N, T_T | T_U },
		{ "ipv4-tcp ipv4-udp", S | D | F | N, T_T | T_U },
		{ "ipv4-tcp+ipv4-udp", S | D | F | N, T_T | T_U },
		{ "  ipv4-tcp ,\tipv4-udp  ", S | D | F | N, T_T | T_U },
		{ "IPv4-TCP,IPV4-UDP", S | D | F | N, T_T | T_U },
		{ "ipv4,ipv4-tcp", S | D | F | N, T_O | T_T },
		{ "ipv4,ipv4-tcp,ipv4-udp", S | D | F | N, T_ALL },
		{ "ipv4-tcp,ipv4-udp,l3-src-only", S | F | N, T_T | T_U },
		{ "ipv4-tcp,l3-dst-only", D | F | N, T_T },
		{ "ipv4-tcp,l4-src-only", S | D | F, T_T },
		{ "ipv4-udp,l4-dst-only", S | D | N, T_U },
		{ "ipv4-tcp,l3-src-only,l4-dst-only", S | N, T_T },
		{ "ipv4-udp l3-dst-only l4-src-only", D | F, T_U },
		{ "ipv4+l3-dst-only", D, T_ALL },
		{ "ipv4,l3-src-only", S, T_ALL },
		/* Both modifiers of a level mean both fields, as DPDK's rte_eth_rss_hf_refine. */
		{ "ipv4,l3-src-only,l3-dst-only", S | D, T_ALL },
		{ "ipv4-tcp,l4-src-only,l4-dst-only", S | D | F | N, T_T },
		{ "ipv4-tcp,l3-dst-only,l3-src-only,l4-dst-only", S | D | N, T_T },
		/* Modifiers alone modify the usual TCP and UDP 4-tuple. */
		{ "l3-src-only", S | F | N, T_T | T_U },
		{ "l4-dst-only", S | D | N, T_T | T_U },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fieldset fs;

		if (!parse_ok(cases[i].text, &fs))
			continue;
		if (fs.fields != cases[i].fields || fs.types != cases[i].types)
			FAIL("\"%s\": fields %#x types %#x, want %#x %#x", cases[i].text, fs.fields,
			     fs.types, cases[i].fields, cases[i].types);
	}
}

static void
test_fieldset__parse_letters(void)
{
	static const struct {
		const char *text;
		uint8_t fields, types;
	} cases[] = {
		{ "sdfn", S | D | F | N, T_T | T_U },
		{ "nfds", S | D | F | N, T_T | T_U },
		{ "SDFN", S | D | F | N, T_T | T_U },
		{ "sd", S | D, T_ALL },
		{ "ds", S | D, T_ALL },
		{ "s", S, T_ALL },
		{ "d", D, T_ALL },
		{ "fn", F | N, T_T | T_U },
		{ "f", F, T_T | T_U },
		{ "sf", S | F, T_T | T_U },
		{ "dn", D | N, T_T | T_U },
		{ " sdfn ", S | D | F | N, T_T | T_U },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fieldset fs;

		if (!parse_ok(cases[i].text, &fs))
			continue;
		if (fs.fields != cases[i].fields || fs.types != cases[i].types)
			FAIL("\"%s\": fields %#x types %#x, want %#x %#x", cases[i].text, fs.fields,
			     fs.types, cases[i].fields, cases[i].types);
	}
}

static void
test_fieldset__parse_errors(void)
{
	parse_fails("ipv4,bogus", (const char *const[]){ "'bogus'", NULL });
	parse_fails("ipv6", (const char *const[]){ "'ipv6'", NULL });
	parse_fails("ipv4-tcp,l3-src", (const char *const[]){ "'l3-src'", NULL });
	/* Letters baton does not model: refused, saying what they mean. */
	parse_fails("sdt", (const char *const[]){ "'t'", "L3 protocol", NULL });
	parse_fails("sdfnm", (const char *const[]){ "'m'", "L2 destination", NULL });
	parse_fails("v", (const char *const[]){ "'v'", "VLAN", NULL });
	parse_fails("ssd", (const char *const[]){ "'s'", "twice", NULL });
	/* Letters and names do not mix, whichever comes first. */
	parse_fails("ipv4 sd", (const char *const[]){ "'sd'", NULL });
	parse_fails("sd,ipv4-tcp", (const char *const[]){ "'sd'", NULL });
	parse_fails("sd fn", (const char *const[]){ "'sd'", NULL });
	/* Nothing to hash. */
	parse_fails("", (const char *const[]){ "empty", NULL });
	parse_fails(" , + ", (const char *const[]){ "empty", NULL });
	/* L4 modifiers on addresses only. */
	parse_fails("ipv4,l4-src-only", (const char *const[]){ "l4-src-only", "ipv4-tcp", NULL });
	parse_fails("ipv4+l4-dst-only", (const char *const[]){ "l4-dst-only", NULL });
	{
		char longer[400];

		memset(longer, 'x', sizeof longer - 1);
		longer[sizeof longer - 1] = 0;
		parse_fails(longer, (const char *const[]){ "too long", NULL });
	}
}

/* Every letter set round-trips through its letters and through its testpmd name, and the
** name is testpmd's (letters only where DPDK cannot say it: ports without an address). */
static void
test_fieldset__round_trip_letters(void)
{
	for (unsigned f = 1; f <= FIELDSET_ALL; f++) {
		char letters[8], want[8] = "", name[96];
		struct fieldset fs, back;
		unsigned n = 0;

		if (f & S)
			want[n++] = 's';
		if (f & D)
			want[n++] = 'd';
		if (f & F)
			want[n++] = 'f';
		if (f & N)
			want[n++] = 'n';
		want[n] = 0;
		if (!parse_ok(want, &fs))
			continue;
		CHECK_EQ_INT(fs.fields, f);
		fieldset_letters(&fs, letters, sizeof letters);
		CHECK_STR(letters, want);
		fieldset_name(&fs, name, sizeof name);
		if (parse_ok(name, &back) && !fieldset_eq(&back, &fs))
			FAIL("'%s' -> name '%s' -> fields %#x types %#x, want %#x %#x", want, name,
			     back.fields, back.types, fs.fields, fs.types);
		CHECK(fieldset_dpdk(&fs) == !!(f & (S | D)));
		if (f & (S | D)) {
			if (strncmp(name, "ipv4", 4) != 0)
				FAIL("'%s': name '%s' is not testpmd's", want, name);
		} else {
			CHECK_STR(name, want);
		}
	}
}

/* Every combination of packet classes and modifiers testpmd can write round-trips through
** fieldset_name. */
static void
test_fieldset__round_trip_names(void)
{
	static const char *const types[] = { "ipv4", "ipv4-tcp", "ipv4-udp" };
	static const char *const l3[] = { "", ",l3-src-only", ",l3-dst-only",
					  ",l3-src-only,l3-dst-only" };
	static const char *const l4[] = { "", ",l4-src-only", ",l4-dst-only",
					  ",l4-dst-only,l4-src-only" };
	unsigned tried = 0;

	for (unsigned t = 1; t < 8; t++)
		for (unsigned a = 0; a < 4; a++)
			for (unsigned b = 0; b < 4; b++) {
				char text[160] = "", name[96], name2[96];
				struct fieldset fs, back;

				if (b && !(t & 6))
					continue;	/* l4 modifiers need ipv4-tcp or ipv4-udp */
				for (unsigned i = 0; i < 3; i++)
					if (t >> i & 1)
						snprintf(text + strlen(text),
							 sizeof text - strlen(text), "%s%s",
							 text[0] ? "," : "", types[i]);
				snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s",
					 l3[a], l4[b]);
				if (!parse_ok(text, &fs))
					continue;
				fieldset_name(&fs, name, sizeof name);
				if (!parse_ok(name, &back))
					continue;
				if (!fieldset_eq(&fs, &back))
					FAIL("'%s' -> '%s' -> fields %#x types %#x, want %#x %#x",
					     text, name, back.fields, back.types, fs.fields,
					     fs.types);
				fieldset_name(&back, name2, sizeof name2);
				CHECK_STR(name2, name);
				tried++;
			}
	CHECK_EQ_INT(tried, 7 * 4 + 6 * 4 * 3);
}

/* The engine's copies of the flag values are DPDK's. */
static void
test_fieldset__rte_constants(void)
{
	CHECK(FIELDSET_RTE_IPV4 == RTE_ETH_RSS_IPV4);
	CHECK(FIELDSET_RTE_FRAG_IPV4 == RTE_ETH_RSS_FRAG_IPV4);
	CHECK(FIELDSET_RTE_NONFRAG_IPV4_TCP == RTE_ETH_RSS_NONFRAG_IPV4_TCP);
	CHECK(FIELDSET_RTE_NONFRAG_IPV4_UDP == RTE_ETH_RSS_NONFRAG_IPV4_UDP);
	CHECK(FIELDSET_RTE_NONFRAG_IPV4_OTHER == RTE_ETH_RSS_NONFRAG_IPV4_OTHER);
	CHECK(FIELDSET_RTE_L3_SRC_ONLY == RTE_ETH_RSS_L3_SRC_ONLY);
	CHECK(FIELDSET_RTE_L3_DST_ONLY == RTE_ETH_RSS_L3_DST_ONLY);
	CHECK(FIELDSET_RTE_L4_SRC_ONLY == RTE_ETH_RSS_L4_SRC_ONLY);
	CHECK(FIELDSET_RTE_L4_DST_ONLY == RTE_ETH_RSS_L4_DST_ONLY);
}

#define RTE(x) { #x, x }
static const struct {
	const char *name;
	uint64_t bit;
} rte_names[] = {
	RTE(RTE_ETH_RSS_IPV4), RTE(RTE_ETH_RSS_FRAG_IPV4), RTE(RTE_ETH_RSS_NONFRAG_IPV4_TCP),
	RTE(RTE_ETH_RSS_NONFRAG_IPV4_UDP), RTE(RTE_ETH_RSS_NONFRAG_IPV4_OTHER),
	RTE(RTE_ETH_RSS_L3_SRC_ONLY), RTE(RTE_ETH_RSS_L3_DST_ONLY), RTE(RTE_ETH_RSS_L4_SRC_ONLY),
	RTE(RTE_ETH_RSS_L4_DST_ONLY),
};

/* The flags fieldset_rte_text's C text names, read with DPDK's own macro names; ~0 when it
** names something else. */
static uint64_t
flags_of_text(const char *text)
{
	char buf[512], *save = NULL;
	uint64_t f = 0;

	snprintf(buf, sizeof buf, "%s", text);
	for (char *w = strtok_r(buf, " |", &save); w; w = strtok_r(NULL, " |", &save)) {
		size_t i;

		for (i = 0; i < sizeof rte_names / sizeof rte_names[0]; i++)
			if (!strcmp(w, rte_names[i].name))
				break;
		if (i == sizeof rte_names / sizeof rte_names[0])
			return ~0ULL;
		f |= rte_names[i].bit;
	}
	return f;
}

static void
test_fieldset__rte_flags(void)
{
	/* Not static: two wants are computed by DPDK's rte_eth_rss_hf_refine. */
	const struct {
		const char *text;
		uint64_t want;
	} cases[] = {
		{ "ipv4", RTE_ETH_RSS_IPV4 },
		{ "sd", RTE_ETH_RSS_IPV4 },
		{ "ipv4-tcp", RTE_ETH_RSS_NONFRAG_IPV4_TCP },
		{ "ipv4-udp", RTE_ETH_RSS_NONFRAG_IPV4_UDP },
		{ "ipv4-tcp,ipv4-udp",
		  RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_UDP },
		{ "sdfn", RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_UDP },
		{ "ipv4,ipv4-tcp", RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP },
		{ "ipv4-tcp,ipv4-udp,l3-src-only", RTE_ETH_RSS_NONFRAG_IPV4_TCP |
		  RTE_ETH_RSS_NONFRAG_IPV4_UDP | RTE_ETH_RSS_L3_SRC_ONLY },
		{ "ipv4,l3-dst-only", RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_L3_DST_ONLY },
		{ "d", RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_L3_DST_ONLY },
		{ "s", RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_L3_SRC_ONLY },
		{ "ipv4-udp,l4-dst-only", RTE_ETH_RSS_NONFRAG_IPV4_UDP | RTE_ETH_RSS_L4_DST_ONLY },
		{ "sf", RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_UDP |
		  RTE_ETH_RSS_L3_SRC_ONLY | RTE_ETH_RSS_L4_SRC_ONLY },
		{ "dn", RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_UDP |
		  RTE_ETH_RSS_L3_DST_ONLY | RTE_ETH_RSS_L4_DST_ONLY },
		/* Both of a level: DPDK's refinement drops the pair; so must the flags. */
		{ "ipv4-tcp,l3-src-only,l3-dst-only",
		  rte_eth_rss_hf_refine(RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_L3_SRC_ONLY |
					RTE_ETH_RSS_L3_DST_ONLY) },
		{ "ipv4-udp,l4-src-only,l4-dst-only,l3-dst-only",
		  rte_eth_rss_hf_refine(RTE_ETH_RSS_NONFRAG_IPV4_UDP | RTE_ETH_RSS_L4_SRC_ONLY |
					RTE_ETH_RSS_L4_DST_ONLY | RTE_ETH_RSS_L3_DST_ONLY) },
		/* Ports without an address: DPDK cannot say it. */
		{ "fn", 0 },
		{ "f", 0 },
		{ "n", 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fieldset fs;
		char text[256];
		uint64_t got;

		if (!parse_ok(cases[i].text, &fs))
			continue;
		got = fieldset_rte_flags(&fs);
		if (got != cases[i].want)
			FAIL("\"%s\": flags %#llx, want %#llx", cases[i].text,
			     (unsigned long long)got, (unsigned long long)cases[i].want);
		fieldset_rte_text(&fs, text, sizeof text);
		if (flags_of_text(text) != cases[i].want)
			FAIL("\"%s\": text \"%s\" says %#llx, want %#llx", cases[i].text, text,
			     (unsigned long long)flags_of_text(text),
			     (unsigned long long)cases[i].want);
		CHECK(fieldset_dpdk(&fs) == (cases[i].want != 0));
	}
}

static void
test_fieldset__layout(void)
{
	static const struct {
		const char *text;
		int pos[SHARD_NFIELDS];
		unsigned bits;
	} cases[] = {
		{ "sdfn", { 0, 32, 64, 80 }, 96 },
		{ "sd", { 0, 32, -1, -1 }, 64 },
		{ "s", { 0, -1, -1, -1 }, 32 },
		{ "d", { -1, 0, -1, -1 }, 32 },
		{ "dn", { -1, 0, -1, 32 }, 48 },
		{ "sf", { 0, -1, 32, -1 }, 48 },
		{ "sdn", { 0, 32, -1, 64 }, 80 },
		{ "fn", { -1, -1, 0, 16 }, 32 },
		{ "n", { -1, -1, -1, 0 }, 16 },
	};

	CHECK_EQ_INT(fieldset_field_bits(SHARD_SRC), 32);
	CHECK_EQ_INT(fieldset_field_bits(SHARD_DST), 32);
	CHECK_EQ_INT(fieldset_field_bits(SHARD_SPORT), 16);
	CHECK_EQ_INT(fieldset_field_bits(SHARD_DPORT), 16);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fieldset fs;
		int pos[SHARD_NFIELDS];
		unsigned bits;

		if (!parse_ok(cases[i].text, &fs))
			continue;
		bits = fieldset_layout(&fs, pos);
		if (bits != cases[i].bits)
			FAIL("\"%s\": %u input bits, want %u", cases[i].text, bits, cases[i].bits);
		for (int f = 0; f < SHARD_NFIELDS; f++)
			if (pos[f] != cases[i].pos[f])
				FAIL("\"%s\": field %d at bit %d, want %d", cases[i].text, f,
				     pos[f], cases[i].pos[f]);
	}
}

static void
test_fieldset__input(void)
{
	const uint32_t src = 0x0a000001, dst = 0xc0a80102;
	const uint16_t sport = 0x1234, dport = 0xabcd;
	static const struct {
		const char *text;
		unsigned n;
		uint8_t bytes[12];
	} cases[] = {
		{ "sdfn", 12, { 0x0a, 0, 0, 1, 0xc0, 0xa8, 1, 2, 0x12, 0x34, 0xab, 0xcd } },
		{ "sd", 8, { 0x0a, 0, 0, 1, 0xc0, 0xa8, 1, 2 } },
		{ "d", 4, { 0xc0, 0xa8, 1, 2 } },
		{ "s", 4, { 0x0a, 0, 0, 1 } },
		{ "dn", 6, { 0xc0, 0xa8, 1, 2, 0xab, 0xcd } },
		{ "sf", 6, { 0x0a, 0, 0, 1, 0x12, 0x34 } },
		{ "fn", 4, { 0x12, 0x34, 0xab, 0xcd } },
		{ "n", 2, { 0xab, 0xcd } },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fieldset fs;
		uint8_t in[12];
		unsigned n;

		if (!parse_ok(cases[i].text, &fs))
			continue;
		memset(in, 0x5e, sizeof in);
		n = fieldset_input(&fs, src, dst, sport, dport, in);
		if (n != cases[i].n || memcmp(in, cases[i].bytes, n))
			FAIL("\"%s\": %u bytes %02x%02x%02x%02x..., want %u", cases[i].text, n,
			     in[0], in[1], in[2], in[3], cases[i].n);
		for (unsigned b = n; b < 12; b++)
			if (in[b] != 0x5e)
				FAIL("\"%s\": byte %u written past the input", cases[i].text, b);
	}
	/* The byte count is the layout's, for every set. */
	for (unsigned f = 1; f <= FIELDSET_ALL; f++) {
		struct fieldset fs = { (uint8_t)f, T_T | T_U };
		int pos[SHARD_NFIELDS];
		uint8_t in[12];

		CHECK_EQ_INT(fieldset_input(&fs, src, dst, sport, dport, in) * 8,
			     fieldset_layout(&fs, pos));
	}
}

/* The layout is the one of the Microsoft RSS verification suite: "sd" and "sdfn" inputs of
** its first row give its published IPv4 and IPv4/TCP hashes. */
static void
test_fieldset__ms_vector(void)
{
	static const uint8_t ms_key[40] = {
		0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
		0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
		0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
	};
	/* Destination 161.142.100.80:1766, source 66.9.149.187:2794. */
	const uint32_t src = 0x420995bb, dst = 0xa18e6450;
	struct fieldset fs;
	uint8_t in[12];
	unsigned n;

	if (parse_ok("ipv4", &fs)) {
		n = fieldset_input(&fs, src, dst, 2794, 1766, in);
		CHECK_EQ_INT(toeplitz_ref(ms_key, sizeof ms_key, in, n), 0x323e8fc2);
	}
	if (parse_ok("ipv4-tcp", &fs)) {
		n = fieldset_input(&fs, src, dst, 2794, 1766, in);
		CHECK_EQ_INT(toeplitz_ref(ms_key, sizeof ms_key, in, n), 0x51ccc178);
	}
}

static void
test_fieldset__eq(void)
{
	struct fieldset a = FIELDSET_DEFAULT, b = FIELDSET_DEFAULT;

	CHECK(fieldset_eq(&a, &b));
	b.types = T_T;
	CHECK(!fieldset_eq(&a, &b));
	b = a;
	b.fields = S | D | F;
	CHECK(!fieldset_eq(&a, &b));
	if (parse_ok("ipv4-tcp,ipv4-udp", &b))
		CHECK(fieldset_eq(&a, &b));
}

int
main(void)
{
	RUN(test_fieldset__parse_names);
	RUN(test_fieldset__parse_letters);
	RUN(test_fieldset__parse_errors);
	RUN(test_fieldset__round_trip_letters);
	RUN(test_fieldset__round_trip_names);
	RUN(test_fieldset__rte_constants);
	RUN(test_fieldset__rte_flags);
	RUN(test_fieldset__layout);
	RUN(test_fieldset__input);
	RUN(test_fieldset__ms_vector);
	RUN(test_fieldset__eq);
	return TEST_DONE();
}
