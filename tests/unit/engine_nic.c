/* Unit tests for engine/nic: the profiles listed and found by name, and what each accepts: key
** sizes, RETA sizes and field sets, with messages naming what would do. */
#include "engine/nic.h"

#include <errno.h>

#include "tests/test.h"

static const char *const names[] = { "software", "generic", "ixgbe", "i40e", "ice", "mlx5" };
#define N_NAMES (sizeof names / sizeof names[0])

static const struct nic *
find(const char *name)
{
	struct err e = ERR_INIT;
	const struct nic *n = nic_find(name, &e);

	if (!n)
		FAIL("nic_find(\"%s\"): %s", name, e.msg);
	return n;
}

static struct fieldset
fs_of(const char *text)
{
	struct err e = ERR_INIT;
	struct fieldset fs = { 0, 0 };

	if (fieldset_parse(text, &fs, &e) < 0)
		FAIL("fieldset_parse(\"%s\"): %s", text, e.msg);
	return fs;
}

static void
test_nic__list(void)
{
	unsigned n = 0;
	const struct nic *l = nic_list(&n);

	CHECK_EQ_INT(n, N_NAMES);
	for (unsigned i = 0; i < n && i < N_NAMES; i++) {
		struct fieldset plain = FIELDSET_DEFAULT, ipv4 = fs_of("ipv4");
		struct err e = ERR_INIT;

		CHECK_STR(l[i].name, names[i]);
		CHECK(nic_find(l[i].name, NULL) == &l[i]);
		CHECK(l[i].what && l[i].what[0]);
		CHECK(l[i].note && l[i].note[0]);
		/* What a profile proposes by default, it accepts. */
		if (nic_check_key_len(&l[i], l[i].key_len, &e) < 0)
			FAIL("%s: its own key length %u refused: %s", l[i].name, l[i].key_len,
			     e.msg);
		if (nic_check_reta(&l[i], l[i].reta_default, &e) < 0)
			FAIL("%s: its own RETA size %u refused: %s", l[i].name, l[i].reta_default,
			     e.msg);
		CHECK(l[i].reta_default <= nic_reta_max(&l[i]));
		if (nic_check_fields(&l[i], &plain, &e) < 0)
			FAIL("%s: the 4-tuple refused: %s", l[i].name, e.msg);
		if (nic_check_fields(&l[i], &ipv4, &e) < 0)
			FAIL("%s: ipv4 refused: %s", l[i].name, e.msg);
		/* Listed sizes: powers of two, ascending, each accepted. */
		for (unsigned j = 0; !l[i].any_size && l[i].reta_sizes[j]; j++) {
			unsigned s = l[i].reta_sizes[j];

			CHECK(!(s & (s - 1)));
			CHECK(j == 0 || s > l[i].reta_sizes[j - 1]);
			CHECK_EQ_INT(nic_check_reta(&l[i], s, NULL), 0);
		}
	}
	CHECK(nic_default() == nic_find("software", NULL));
	CHECK(nic_default()->any_size);
}

static void
test_nic__unknown(void)
{
	static const char *const bad[] = { "e1000", "", "ICE", "mlx", "software " };

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct err e = ERR_INIT;

		if (nic_find(bad[i], &e)) {
			FAIL("nic_find(\"%s\") found a profile", bad[i]);
			continue;
		}
		CHECK_EQ_INT(e.code, -EINVAL);
		if (bad[i][0] && !strstr(e.msg, bad[i]))
			FAIL("message \"%s\" does not name '%s'", e.msg, bad[i]);
		for (size_t j = 0; j < N_NAMES; j++)
			if (!strstr(e.msg, names[j]))
				FAIL("message \"%s\" does not list %s", e.msg, names[j]);
	}
	CHECK(nic_find("nothing", NULL) == NULL);
}

static void
test_nic__key_sizes(void)
{
	static const struct {
		const char *nic;
		unsigned len;
	} fixed[] = {
		{ "ixgbe", 40 }, { "i40e", 52 }, { "ice", 52 }, { "mlx5", 40 }, { "generic", 40 },
	};
	const struct nic *soft = find("software");

	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		const struct nic *n = find(fixed[i].nic);
		char want[16];

		if (!n)
			continue;
		CHECK_EQ_INT(n->key_len, fixed[i].len);
		CHECK(!n->any_size);
		snprintf(want, sizeof want, "%u", fixed[i].len);
		for (unsigned len = 0; len <= 80; len++) {
			struct err e = ERR_INIT;
			int rc = nic_check_key_len(n, len, &e);

			if (len == fixed[i].len) {
				if (rc != 0)
					FAIL("%s: %u-byte key refused: %s", n->name, len, e.msg);
				continue;
			}
			if (rc != -EINVAL) {
				FAIL("%s: %u-byte key accepted", n->name, len);
				continue;
			}
			if (!strstr(e.msg, want) || !strstr(e.msg, n->name))
				FAIL("%s, %u bytes: message \"%s\" does not name %s and %s",
				     n->name, len, e.msg, n->name, want);
		}
	}
	if (!soft)
		return;
	CHECK_EQ_INT(soft->key_len, 52);
	for (unsigned len = 0; len <= 80; len++) {
		struct err e = ERR_INIT;
		int rc = nic_check_key_len(soft, len, &e);

		if (len >= 16 && len <= 64)
			CHECK_EQ_INT(rc, 0);
		else if (rc != -EINVAL || !strstr(e.msg, "16") || !strstr(e.msg, "64"))
			FAIL("software, %u bytes: rc %d, message \"%s\"", len, rc, e.msg);
	}
}

/* 'accept' (0-ended) are the RETA sizes 'name' takes among 0..4096 and a few beyond. */
static void
reta_sizes(const char *name, const unsigned *accept, unsigned max)
{
	static const unsigned beyond[] = { 8192, 65536, 65537, 131072, 1u << 31, 0xffffffffu };
	const struct nic *n = find(name);

	if (!n)
		return;
	CHECK_EQ_INT(nic_reta_max(n), max);
	for (unsigned s = 0; s <= 4096 + sizeof beyond / sizeof beyond[0]; s++) {
		unsigned size = s <= 4096 ? s : beyond[s - 4097];
		bool want = false;
		struct err e = ERR_INIT;
		int rc;

		for (const unsigned *a = accept; *a; a++)
			want |= *a == size;
		if (!accept[0])	/* any power of two up to max */
			want = size && !(size & (size - 1)) && size <= max;
		rc = nic_check_reta(n, size, &e);
		if (want && rc != 0)
			FAIL("%s: RETA %u refused: %s", name, size, e.msg);
		if (!want && rc != -EINVAL)
			FAIL("%s: RETA %u accepted", name, size);
		if (!want && !strstr(e.msg, name))
			FAIL("%s: RETA %u: message \"%s\" does not name the profile", name, size,
			     e.msg);
	}
}

static void
test_nic__reta_sizes(void)
{
	struct err e = ERR_INIT;

	reta_sizes("ixgbe", (const unsigned[]){ 128, 0 }, 128);
	reta_sizes("generic", (const unsigned[]){ 128, 0 }, 128);
	reta_sizes("i40e", (const unsigned[]){ 128, 512, 0 }, 512);
	reta_sizes("ice", (const unsigned[]){ 128, 512, 2048, 0 }, 2048);
	reta_sizes("mlx5", (const unsigned[]){ 2, 4, 8, 16, 32, 64, 128, 256, 512, 0 }, 512);
	reta_sizes("software", (const unsigned[]){ 0 }, 65536);
	/* The message lists what would do. */
	CHECK_EQ_INT(nic_check_reta(find("i40e"), 256, &e), -EINVAL);
	CHECK(strstr(e.msg, "128, 512") != NULL);
	CHECK_EQ_INT(nic_check_reta(find("ice"), 1024, &e), -EINVAL);
	CHECK(strstr(e.msg, "128, 512, 2048") != NULL);
	CHECK_EQ_INT(nic_check_reta(find("software"), 3, &e), -EINVAL);
	CHECK(strstr(e.msg, "power of two") != NULL);
	CHECK_EQ_INT(nic_check_reta(find("software"), 0, NULL), -EINVAL);
}

/* nic 'name' accepts exactly the sets in 'yes' and refuses those in 'no' (NULL-ended), the
** refusal naming 'why'. */
static void
fields(const char *name, const char *const *yes, const char *const *no, const char *why)
{
	const struct nic *n = find(name);

	if (!n)
		return;
	for (; *yes; yes++) {
		struct fieldset fs = fs_of(*yes);
		struct err e = ERR_INIT;

		if (nic_check_fields(n, &fs, &e) != 0)
			FAIL("%s refuses '%s': %s", name, *yes, e.msg);
	}
	for (; *no; no++) {
		struct fieldset fs = fs_of(*no);
		struct err e = ERR_INIT;

		if (nic_check_fields(n, &fs, &e) != -EINVAL)
			FAIL("%s accepts '%s'", name, *no);
		else if (!strstr(e.msg, why))
			FAIL("%s, '%s': message \"%s\" does not say \"%s\"", name, *no, e.msg, why);
	}
}

static void
test_nic__fields(void)
{
	fields("ixgbe", (const char *const[]){ "sd", "sdfn", "ipv4", "ipv4-tcp", "ipv4-udp",
					       "ipv4-tcp,ipv4-udp", NULL },
	       (const char *const[]){ "ipv4,l3-src-only", "s", "d", "ipv4-tcp,l4-dst-only", "sdf",
				      NULL }, "ixgbe");
	fields("ixgbe", (const char *const[]){ NULL }, (const char *const[]){ "fn", "f", NULL },
	       "DPDK cannot");
	fields("generic", (const char *const[]){ "sd", "sdfn", NULL },
	       (const char *const[]){ "ipv4,l3-dst-only", "dn", NULL }, "modifiers");
	fields("i40e", (const char *const[]){ "sd", "sdfn", "s", "d", "dn", "sf", "sdn",
					      "ipv4-tcp,l3-src-only", NULL },
	       (const char *const[]){ "fn", "f", "n", NULL }, "DPDK cannot");
	fields("ice", (const char *const[]){ "s", "d", "sdfn", "ipv4-udp,l4-dst-only", NULL },
	       (const char *const[]){ "fn", NULL }, "DPDK cannot");
	fields("mlx5", (const char *const[]){ "s", "dn", "sdfn", NULL },
	       (const char *const[]){ "fn", "n", NULL }, "DPDK cannot");
	/* software: every one of the 15 letter sets. */
	{
		const struct nic *soft = find("software");

		for (unsigned f = 1; soft && f <= FIELDSET_ALL; f++) {
			uint8_t l4 = FIELDSET_T_TCP | FIELDSET_T_UDP;
			struct fieldset fs = { (uint8_t)f, f & (FIELDSET_F | FIELDSET_N)
					       ? l4 : l4 | FIELDSET_T_OTHER };

			CHECK_EQ_INT(nic_check_fields(soft, &fs, NULL), 0);
		}
		fields("software",
		       (const char *const[]){ "fn", "f", "n", "s", "ipv4,l3-dst-only", NULL },
		       (const char *const[]){ NULL }, "");
	}
}

int
main(void)
{
	RUN(test_nic__list);
	RUN(test_nic__unknown);
	RUN(test_nic__key_sizes);
	RUN(test_nic__reta_sizes);
	RUN(test_nic__fields);
	return TEST_DONE();
}
