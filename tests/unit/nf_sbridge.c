/* Behaviour tests for nfs/sbridge.c: forwarding by a static MAC table, and its configuration. */
#include "tests/test.h"
#include "tests/nfpkt.h"
#include "tests/nftest.h"

enum { LAN, WAN };

/* A TCP packet to 'dst' (and from 'src' when not NULL). */
static uint16_t
frame(uint8_t *b, const uint8_t *dst, const uint8_t *src)
{
	uint16_t len = tpkt_build(b, "10.0.0.1", 1234, "192.0.2.1", 80, 6, 0x02, 0);

	memcpy(b, dst, 6);
	if (src)
		memcpy(b + 6, src, 6);
	return len;
}

static const uint8_t host1[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t host2[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t other[6] = { 2, 0, 0, 0, 0, 9 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* The message nf_init leaves for "key=value" (with spaces allowed in value), or "" if it
** accepted it. */
static const char *
init_error(const char *key, const char *value)
{
	static char msg[256];
	const char *keys[1] = { key }, *values[1] = { value };
	struct nf_env env;
	void *st;

	nf_env_setup(&env, &nf_descriptor);
	env.keys = keys;
	env.values = values;
	env.n_config = 1;
	st = nf_init(&env);
	snprintf(msg, sizeof msg, "%s", st ? "" : env.error);
	nf_env_release(&env);
	return msg;
}

static void
test_sbridge__default_table(void)
{
	struct nft *t = nft_new("");
	uint8_t b[TPKT_MAX], copy[TPKT_MAX];
	uint16_t len;

	CHECK(t != NULL);
	if (!t)
		return;
	/* The default: 02:00:00:00:00:01 on lan, 02:00:00:00:00:02 on wan. */
	len = frame(b, host2, host1);
	memcpy(copy, b, len);
	CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), WAN);
	CHECK(memcmp(b, copy, len) == 0);
	len = frame(b, host1, host2);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
	nft_free(t);
}

static void
test_sbridge__configured_table(void)
{
	struct nft *t = nft_new("table=AA:bb:cc:dd:ee:0f=1,02:00:00:00:00:02=0,"
	    "ff:ff:ff:ff:ff:ff=wan");
	uint8_t b[TPKT_MAX];
	const uint8_t aa[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x0f };
	uint16_t len;

	CHECK(t != NULL);
	if (!t)
		return;
	len = frame(b, aa, NULL);
	CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), WAN);
	len = frame(b, host2, NULL);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), LAN);
	/* Broadcast is a MAC like any other: listed on wan here. */
	len = frame(b, bcast, NULL);
	CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), WAN);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	nft_free(t);
}

static void
test_sbridge__unknown_dropped(void)
{
	struct nft *t = nft_new("");
	uint8_t b[TPKT_MAX];
	uint16_t len;

	CHECK(t != NULL);
	if (!t)
		return;
	len = frame(b, other, host1);
	CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	len = frame(b, bcast, host1);
	CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), NF_DROP);
	nft_free(t);
}

static void
test_sbridge__same_port_dropped(void)
{
	struct nft *t = nft_new("");
	uint8_t b[TPKT_MAX];
	uint16_t len;

	CHECK(t != NULL);
	if (!t)
		return;
	len = frame(b, host2, NULL);
	CHECK_EQ_INT(nft_run(t, WAN, b, len, NFT_SEC), NF_DROP);
	len = frame(b, host1, NULL);
	CHECK_EQ_INT(nft_run(t, LAN, b, len, NFT_SEC), NF_DROP);
	nft_free(t);
}

static void
test_sbridge__any_payload(void)
{
	struct nft *t = nft_new("");
	uint8_t b[TPKT_MAX];

	CHECK(t != NULL);
	if (!t)
		return;
	/* Only the Ethernet header matters: an ARP frame and a bare header pass; 13 bytes do not. */
	memset(b, 0, sizeof b);
	memcpy(b, host2, 6);
	b[12] = 0x08;
	b[13] = 0x06;
	CHECK_EQ_INT(nft_run(t, LAN, b, 42, NFT_SEC), WAN);
	CHECK_EQ_INT(nft_run(t, LAN, b, 14, NFT_SEC), WAN);
	CHECK_EQ_INT(nft_run(t, LAN, b, 13, NFT_SEC), NF_DROP);
	CHECK_EQ_INT(nft_run(t, LAN, b, 0, NFT_SEC), NF_DROP);
	nft_free(t);
}

static void
test_sbridge__whole_table_per_core(void)
{
	/* At a 1/4 share each core still holds every entry (NF_FULL). */
	struct nft *t = nft_new_share("table=02:00:00:00:00:01=lan,02:00:00:00:00:02=wan,"
	    "02:00:00:00:00:03=wan,02:00:00:00:00:04=lan,02:00:00:00:00:05=wan", 1, 4);
	uint8_t b[TPKT_MAX], mac[6] = { 2, 0, 0, 0, 0, 0 };
	uint16_t len;
	int i;

	CHECK(t != NULL);
	if (!t)
		return;
	for (i = 1; i <= 5; i++) {
		mac[5] = (uint8_t)i;
		len = frame(b, mac, NULL);
		CHECK_EQ_INT(nft_run(t, i == 1 || i == 4 ? WAN : LAN, b, len, NFT_SEC),
		    i == 1 || i == 4 ? LAN : WAN);
	}
	nft_free(t);
}

static void
test_sbridge__bad_table_refused(void)
{
	const char *msg;

	msg = init_error("table", "02:00:00:00:00:01=lan,02:00:00:00:00:02=dmz");
	CHECK(strstr(msg, "02:00:00:00:00:02=dmz") != NULL);
	CHECK(strstr(msg, "port") != NULL);
	msg = init_error("table", "02:00:00:00:00:1=lan");
	CHECK(strstr(msg, "\"02:00:00:00:00:1=lan\"") != NULL);
	msg = init_error("table", "02-00-00-00-00-01=lan");
	CHECK(strstr(msg, "02-00-00-00-00-01=lan") != NULL);
	msg = init_error("table", "02:00:00:00:00:0g=lan");
	CHECK(strstr(msg, "02:00:00:00:00:0g=lan") != NULL);
	msg = init_error("table", "02:00:00:00:00:01");
	CHECK(strstr(msg, "MAC=PORT") != NULL);
	msg = init_error("table", "02:00:00:00:00:01=2");
	CHECK(strstr(msg, "02:00:00:00:00:01=2") != NULL);
	msg = init_error("table", "02:00:00:00:00:01=lan,02:00:00:00:00:01=wan");
	CHECK(strstr(msg, "twice") != NULL);
	msg = init_error("table", "02:00:00:00:00:01=lan,");
	CHECK(strstr(msg, "\"\"") != NULL);
	msg = init_error("table", "");
	CHECK(strstr(msg, "empty") != NULL);
	CHECK_STR(init_error("table", "02:00:00:00:00:01=0"), "");
	CHECK(nft_new("table=02:00:00:00:00:01=dmz") == NULL);
}

static void
test_sbridge__random_packets(void)
{
	struct nft *t = nft_new("");

	CHECK(t != NULL);
	if (!t)
		return;
	nft_fuzz(t, 1, 4000);
	nft_free(t);
}

int
main(void)
{
	RUN(test_sbridge__default_table);
	RUN(test_sbridge__configured_table);
	RUN(test_sbridge__unknown_dropped);
	RUN(test_sbridge__same_port_dropped);
	RUN(test_sbridge__any_payload);
	RUN(test_sbridge__whole_table_per_core);
	RUN(test_sbridge__bad_table_refused);
	RUN(test_sbridge__random_packets);
	return TEST_DONE();
}
