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
	uint64_t s = 1, now = NFT_SEC;
	uint8_t *b, copy[TPKT_MAX];
	uint16_t len, port;
	int i;

	CHECK(t != NULL);
	if (!t)
		return;
	for (i = 0; i < 4000; i++) {
		b = nft_rnd_packet(&s, &len);
		if (len)
			memcpy(copy, b, len);
		port = (uint16_t)(nft_rnd(&s) % 2);
		CHECK_EQ_INT(nft_run(t, port, b, len, now), !port);
		if (len && memcmp(b, copy, len) != 0)
			FAIL("packet %d changed", i);
		free(b);
		now += nft_rnd(&s) % NFT_SEC;
	}
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
