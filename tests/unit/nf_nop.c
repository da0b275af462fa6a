/* Behaviour tests for nfs/nop.c: every packet crosses to the other port, bytes untouched. */
#include "tests/test.h"
#include "tests/nfpkt.h"
#include "tests/nftest.h"

enum { LAN, WAN };

static void
test_nop__forwards_both_ways(void)
{
	struct nft *t = nft_new("");
	uint8_t b[TPKT_MAX], copy[TPKT_MAX];
	uint16_t len;

	CHECK(t != NULL);
	if (!t)
		return;
	len = tpkt_build(b, "10.0.0.1", 1234, "192.0.2.1", 80, 6, 0x02, 10);
	memcpy(copy, b, len);
	CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), WAN);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
	CHECK(memcmp(b, copy, len) == 0);
	nft_free(t);
}

static void
test_nop__short_and_odd_packets(void)
{
	struct nft *t = nft_new("");
	uint8_t b[64], copy[64];
	uint16_t len;
	int i;

	CHECK(t != NULL);
	if (!t)
		return;
	for (i = 0; i < 64; i++)
		b[i] = (uint8_t)(i * 37 + 5);
	memcpy(copy, b, sizeof b);
	for (len = 0; len <= 64; len++) {
		CHECK_EQ_INT(nft_run(t, LAN, len ? b : NULL, len, NFT_SEC), WAN);
		CHECK_EQ_INT(nft_run(t, WAN, len ? b : NULL, len, NFT_SEC), LAN);
	}
	CHECK(memcmp(b, copy, sizeof b) == 0);
	nft_free(t);
}

static void
test_nop__random_packets(void)
{
	struct nft *t = nft_new("");

	CHECK(t != NULL);
	if (!t)
		return;
	/* Never a drop: every packet goes to the other port, untouched. */
	CHECK_EQ_INT(nft_fuzz_filter(t, 1, 4000, NFT_SEC, 1), 0);
	nft_free(t);
}

int
main(void)
{
	RUN(test_nop__forwards_both_ways);
	RUN(test_nop__short_and_odd_packets);
	RUN(test_nop__random_packets);
	return TEST_DONE();
}
