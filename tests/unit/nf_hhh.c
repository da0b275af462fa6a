/* Behaviour tests for nfs/hhh.c: per-prefix budgets nest (a heavy /32 is cut while its /28
** siblings go on until the /28 is spent), tokens come back at exactly the rate, a full level
** stops policing, bad configurations are refused with a reason, odd packets follow the
** documented rules, and random bytes never crash it. */
#include "tests/test.h"
#include "tests/nfpkt.h"
#include "tests/nftest.h"

enum { LAN, WAN };

/* A UDP frame of exactly 'size' bytes (>= 42) from 'src' on wan; the verdict. */
static int
send_bytes(struct nft *t, const char *src, uint16_t size, uint64_t now)
{
	uint8_t b[TPKT_MAX], copy[TPKT_MAX];
	uint16_t len = tpkt_build(b, src, 5000, "192.0.2.1", 53, 17, 0, (uint16_t)(size - 42));
	int out;

	memcpy(copy, b, len);
	out = nft_run(t, WAN, b, len, now);
	if (memcmp(b, copy, len) != 0)
		return -99;	/* hhh never rewrites */
	return out;
}

/* How many 100-byte frames from 'src' pass at 'now' before the first drop (at most 'max'). */
static int
passes(struct nft *t, const char *src, int max, uint64_t now)
{
	int n = 0;

	while (n < max && send_bytes(t, src, 100, now) == LAN)
		n++;
	return n;
}

static void
test_hhh__nested_budgets(void)
{
	struct nft *t = nft_new("prefixes=24,28,32 rate=100 burst=10000,3000,1000 expiry=3600");
	static const char *const others[] = { "10.1.1.17", "10.1.1.33", "10.1.1.49", "10.1.1.65",
					       "10.1.1.81", "10.1.1.97", "10.1.1.113" };
	uint64_t now = NFT_SEC;
	int i;

	CHECK(t != NULL);
	if (!t)
		return;
	/* One /32 is cut at its own 1000 bytes... */
	CHECK_EQ_INT(passes(t, "10.1.1.1", 50, now), 10);
	/* ...while siblings in its /28 pass until the /28's 3000 bytes are gone. */
	CHECK_EQ_INT(passes(t, "10.1.1.2", 50, now), 10);
	CHECK_EQ_INT(passes(t, "10.1.1.3", 50, now), 10);
	CHECK_EQ_INT(send_bytes(t, "10.1.1.4", 100, now), NF_DROP);
	CHECK_EQ_INT(send_bytes(t, "10.1.1.15", 42, now), NF_DROP);
	/* Other /28s of the /24 pass until the /24's 10000 bytes are gone. */
	for (i = 0; i < 7; i++)
		CHECK_EQ_INT(passes(t, others[i], 50, now), 10);
	CHECK_EQ_INT(send_bytes(t, "10.1.1.129", 100, now), NF_DROP);
	/* Another /24 is untouched. */
	CHECK_EQ_INT(passes(t, "10.1.2.1", 50, now), 10);
	/* One second later every bucket got 100 bytes back. The dropped packets took nothing:
	** 10.1.1.4's own bucket is still full, so one frame passes, then the /24 is empty again. */
	now += NFT_SEC;
	CHECK_EQ_INT(send_bytes(t, "10.1.1.4", 100, now), LAN);
	CHECK_EQ_INT(send_bytes(t, "10.1.1.4", 42, now), NF_DROP);
	CHECK_EQ_INT(send_bytes(t, "10.1.1.200", 42, now), NF_DROP);
	/* lan -> wan is never policed. */
	{
		uint8_t b[TPKT_MAX];
		uint16_t len = tpkt_build(b, "192.0.2.1", 53, "10.1.1.1", 5000, 17, 0, 1400);

		for (i = 0; i < 100; i++)
			CHECK_EQ_INT(nft_run(t, LAN, b, len, now), WAN);
	}
	nft_free(t);
}

static void
test_hhh__exact_refill(void)
{
	struct nft *t = nft_new("prefixes=32 rate=1000 burst=1000");
	uint64_t t0 = NFT_SEC, now;
	int i;

	CHECK(t != NULL);
	if (!t)
		return;
	/* A new bucket starts full: the whole frame length counts. */
	CHECK_EQ_INT(passes(t, "10.0.0.1", 50, t0), 10);
	/* 1000 bytes/s: 100 bytes take exactly 100 ms. */
	CHECK_EQ_INT(send_bytes(t, "10.0.0.1", 100, t0 + 100000000 - 1), NF_DROP);
	CHECK_EQ_INT(send_bytes(t, "10.0.0.1", 100, t0 + 100000000), LAN);
	CHECK_EQ_INT(send_bytes(t, "10.0.0.1", 42, t0 + 100000000), NF_DROP);
	CHECK_EQ_INT(send_bytes(t, "10.0.0.1", 50, t0 + 150000000), LAN);
	/* A steady 1000 bytes/s passes for good, nothing more does. */
	for (i = 1, now = t0 + 150000000; i <= 200; i++) {
		now += 100000000;
		if (send_bytes(t, "10.0.0.1", 100, now) != LAN ||
		    send_bytes(t, "10.0.0.1", 42, now) != NF_DROP) {
			FAIL("step %d: the rate is not exact", i);
			break;
		}
	}
	/* A long idle time fills the bucket to the burst, no more. */
	now += 10 * NFT_SEC;
	CHECK_EQ_INT(passes(t, "10.0.0.1", 50, now), 10);
	nft_free(t);

	/* A rate that does not divide a second: 3 bytes/s gives 42 bytes after exactly 14 s. */
	t = nft_new("prefixes=32 rate=3 burst=100");
	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(send_bytes(t, "10.0.0.1", 100, t0), LAN);
	CHECK_EQ_INT(send_bytes(t, "10.0.0.1", 42, t0 + 14 * NFT_SEC - 1), NF_DROP);
	CHECK_EQ_INT(send_bytes(t, "10.0.0.1", 42, t0 + 14 * NFT_SEC), LAN);
	/* Time going backwards adds nothing. */
	CHECK_EQ_INT(send_bytes(t, "10.0.0.1", 42, t0), NF_DROP);
	nft_free(t);
}

static void
test_hhh__expiry_and_full_tables(void)
{
	/* One slot per level: 10.1.1.2 finds no /32 slot, so only its /24 polices it. */
	struct nft *t = nft_new("prefixes=24,32 rate=100 burst=2000,1000 capacity=1 expiry=3600");

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(passes(t, "10.1.1.1", 5, NFT_SEC), 5);
	CHECK_EQ_INT(passes(t, "10.1.1.2", 50, NFT_SEC), 15);
	/* Another /24 finds no /24 slot either, and its /32 neither: unpoliced. */
	CHECK_EQ_INT(passes(t, "10.1.2.1", 50, NFT_SEC), 50);
	nft_free(t);

	/* A bucket idle past 'expiry' is forgotten and comes back full (it would have refilled). */
	t = nft_new("prefixes=32 rate=100 burst=1000 expiry=10");
	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_INT(passes(t, "10.0.0.1", 50, NFT_SEC), 10);
	CHECK_EQ_INT(passes(t, "10.0.0.1", 50, 12 * NFT_SEC), 10);
	nft_free(t);
}

static void
test_hhh__odd_packets(void)
{
	struct nft *t = nft_new("prefixes=32 rate=100 burst=1000");
	uint8_t b[TPKT_MAX];
	uint16_t len, i;

	CHECK(t != NULL);
	if (!t)
		return;
	/* ICMP and fragments are IPv4 from a source: policed. */
	len = tpkt_build(b, "10.0.0.1", 0, "192.0.2.1", 0, 1, 0, 966);
	CHECK_EQ_INT(len, 1000);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
	CHECK_EQ_INT(nft_run(t, WAN, b, 42, NFT_SEC), NF_DROP);
	len = tpkt_build(b, "10.0.0.2", 1, "192.0.2.1", 2, 17, 0, 958);
	b[21] = 0x20;		/* a later fragment */
	tpkt_fix(b, len);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
	CHECK_EQ_INT(nft_run(t, WAN, b, 42, NFT_SEC), NF_DROP);
	/* Runts dropped; non-IPv4 and IPv4 headers cut short pass unpoliced. */
	for (i = 0; i < 14; i++)
		CHECK_EQ_INT(nft_run(t, WAN, b, i, NFT_SEC), NF_DROP);
	for (i = 14; i < 34; i++)
		CHECK_EQ_INT(nft_run(t, WAN, b, i, NFT_SEC), LAN);
	CHECK_EQ_INT(nft_run(t, WAN, b, 34, NFT_SEC), NF_DROP);
	b[12] = 0x86;
	b[13] = 0xdd;
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
	CHECK_EQ_INT(nft_run(t, LAN, NULL, 0, NFT_SEC), WAN);
	nft_free(t);
}

/* nf_init must refuse 'config' ("key=value ..."), with 'why' in its message. */
static void
refused(const char *config, const char *why)
{
	char err[256];
	struct nft *t = nft_new_err(config, err, sizeof err);

	if (t)
		FAIL("\"%s\" accepted", config);
	else if (!strstr(err, why))
		FAIL("\"%s\": \"%s\" does not say \"%s\"", config, err, why);
	nft_free(t);
}

static void
test_hhh__config(void)
{
	struct nft *t;

	refused("prefixes=28,24", "prefixes=28,24: prefix lengths must increase");
	refused("prefixes=24,24", "must increase");
	refused("prefixes=0", "prefixes=0: each value must be in 1..32");
	refused("prefixes=33", "1..32");
	refused("prefixes=99999999999999999999999", "1..32");
	refused("prefixes=24,,32", "separated by commas");
	refused("prefixes=", "separated by commas");
	refused("prefixes=24,", "separated by commas");
	refused("prefixes=/24", "separated by commas");
	refused("prefixes=8,16,24,28,32", "at most 4");
	refused("prefixes=24,32", "rate=12500000,3125000,1250000: 3 values for prefixes=24,32");
	refused("prefixes=32 rate=1 burst=1,2", "burst=1,2: 2 values for prefixes=32");
	refused("rate=0", "rate=0");
	refused("prefixes=32 rate=1 burst=1000", "expiry=60: shorter than the /32 refill time");
	refused("capacity=0", "capacity=0");
	/* One value for every level, and four levels, are fine. */
	t = nft_new("prefixes=8,16,24,32 rate=1000000 burst=100000");
	CHECK(t != NULL);
	CHECK_EQ_INT(t ? t->env.n_objects : 0, 16);
	nft_free(t);
	t = nft_new("prefixes=1 rate=5 burst=42 expiry=9");
	CHECK(t != NULL);
	if (t) {
		CHECK_EQ_INT(send_bytes(t, "200.0.0.1", 42, NFT_SEC), LAN);
		CHECK_EQ_INT(send_bytes(t, "100.0.0.1", 42, NFT_SEC), LAN);
		CHECK_EQ_INT(send_bytes(t, "201.0.0.1", 42, NFT_SEC), NF_DROP);
	}
	nft_free(t);
}

static void
test_hhh__random_packets(void)
{
	struct nft *t = nft_new("capacity=4 rate=2000 burst=3000 expiry=2");

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK(nft_fuzz_filter(t, 42, 6000, NFT_SEC / 20, 1) > 0);
	nft_free(t);
}

int
main(void)
{
	RUN(test_hhh__nested_budgets);
	RUN(test_hhh__exact_refill);
	RUN(test_hhh__expiry_and_full_tables);
	RUN(test_hhh__odd_packets);
	RUN(test_hhh__config);
	RUN(test_hhh__random_packets);
	return TEST_DONE();
}
