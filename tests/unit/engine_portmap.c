/* engine/portmap: CIDR parsing and which port a frame arrives on. */
#include "engine/portmap.h"

#include "tests/nfpkt.h"
#include "tests/test.h"

static void
test_portmap__cidr(void)
{
	struct err e = ERR_INIT;
	uint32_t net, mask;

	CHECK_EQ_INT(portmap_parse_cidr("192.168.0.0/16", &net, &mask, &e), 0);
	CHECK_EQ_INT(net, 0xc0a80000);
	CHECK_EQ_INT(mask, 0xffff0000);
	CHECK_EQ_INT(portmap_parse_cidr("10.1.2.3", &net, &mask, &e), 0);
	CHECK_EQ_INT(mask, 0xffffffff);
	CHECK_EQ_INT(portmap_parse_cidr("0.0.0.0/0", &net, &mask, &e), 0);
	CHECK_EQ_INT(mask, 0);
	CHECK(portmap_parse_cidr("10.0.0.1/8", &net, &mask, &e) < 0);
	CHECK(strstr(e.msg, "did you mean 10.0.0.0/8") != NULL);
	CHECK(portmap_parse_cidr("10.0.0.0/33", &net, &mask, &e) < 0);
	CHECK(portmap_parse_cidr("10.0.0.256/32", &net, &mask, &e) < 0);
	CHECK(portmap_parse_cidr("10.0.0/8", &net, &mask, &e) < 0);
	CHECK(portmap_parse_cidr("10.0.0.0/", &net, &mask, &e) < 0);
	CHECK(portmap_parse_cidr(" 10.0.0.0/8", &net, &mask, &e) < 0);
	CHECK(portmap_parse_cidr("+10.0.0.0/8", &net, &mask, &e) < 0);
	CHECK(portmap_parse_cidr("", &net, &mask, &e) < 0);
	CHECK(portmap_parse_cidr("fe80::/10", &net, &mask, &e) < 0);
}

static void
test_portmap__assign(void)
{
	struct portmap pm = { .by_lan = true, .lan = 0, .wan = 1, .net = 0x0a000000,
			      .mask = 0xff000000 };
	uint8_t p[TPKT_MAX], v[TPKT_MAX];
	uint16_t len;
	bool ip4;

	len = tpkt_build(p, "10.9.8.7", 1, "8.8.8.8", 53, 17, 0, 4);
	CHECK_EQ_INT(portmap_assign(&pm, p, len, &ip4), 0);
	CHECK(ip4);
	len = tpkt_build(p, "11.0.0.1", 1, "10.0.0.1", 53, 17, 0, 4);
	CHECK_EQ_INT(portmap_assign(&pm, p, len, &ip4), 1);
	/* Behind a VLAN tag, still read. */
	len = tpkt_build(p, "10.9.8.7", 1, "8.8.8.8", 53, 17, 0, 4);
	memcpy(v, p, 12);
	memcpy(v + 12, "\x81\x00\x00\x05", 4);
	memcpy(v + 16, p + 12, len - 12);
	CHECK_EQ_INT(portmap_assign(&pm, v, len + 4, &ip4), 0);
	CHECK(ip4);
	/* Not IPv4, or cut short: wan, and said so. */
	p[12] = 0x86;
	p[13] = 0xdd;
	CHECK_EQ_INT(portmap_assign(&pm, p, len, &ip4), 1);
	CHECK(!ip4);
	len = tpkt_build(p, "10.9.8.7", 1, "8.8.8.8", 53, 17, 0, 4);
	for (uint32_t n = 0; n < 14 + 20; n++) {
		if (portmap_assign(&pm, p, n, &ip4) != 1 || ip4)
			FAIL("a frame of %u bytes is not a whole IPv4 header, yet went to lan", n);
	}
	pm.by_lan = false;
	pm.port = 1;
	CHECK_EQ_INT(portmap_assign(&pm, p, len, &ip4), 1);
}

int
main(void)
{
	RUN(test_portmap__cidr);
	RUN(test_portmap__assign);
	return TEST_DONE();
}
