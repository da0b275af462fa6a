/* engine/nfload: bundled NFs through the loader, in each of the three library builds. */
#include "engine/nfload.h"

#include <setjmp.h>

#include "tests/nfpkt.h"
#include "tests/test.h"

#define SEC 1000000000ull

static struct nfload *
open_fw(void)
{
	struct err e = ERR_INIT;
	struct nfload *nf = nfload_open("fw", NULL, NULL, &e);

	if (!nf)
		FAIL("load fw: %s", e.msg);
	return nf;
}

static void
test_nfload__bundled(void)
{
	char **names = nfload_bundled();
	int fw = 0, n = 0;

	for (char **p = names; *p; p++, n++)
		fw += strcmp(*p, "fw") == 0;
	CHECK_EQ_INT(n, 10);
	CHECK_EQ_INT(fw, 1);
	nfload_names_free(names);
}

static void
test_nfload__descriptor_and_ports(void)
{
	struct nfload *nf = open_fw();

	if (!nf)
		return;
	CHECK_STR(nfload_desc(nf)->name, "fw");
	CHECK_EQ_INT(nfload_nports(nf), 2);
	CHECK_EQ_INT(nfload_port(nf, "lan"), 0);
	CHECK_EQ_INT(nfload_port(nf, "wan"), 1);
	CHECK_EQ_INT(nfload_port(nf, "1"), 1);
	CHECK_EQ_INT(nfload_port(nf, "2"), -1);
	CHECK_EQ_INT(nfload_port(nf, "dmz"), -1);
	CHECK_STR(nfload_get(nf, "capacity"), "65536");
	CHECK(nfload_get(nf, "nosuch") == NULL);
	nfload_close(nf);
}

static void
test_nfload__set(void)
{
	struct err e = ERR_INIT;
	struct nfload *nf = open_fw();

	if (!nf)
		return;
	CHECK(nfload_set(nf, "capacity", "many", &e) < 0);
	CHECK(strstr(e.msg, "capacity=many") != NULL);
	CHECK_STR(nfload_get(nf, "capacity"), "65536");
	err_clear(&e);
	CHECK(nfload_set(nf, "bogus", "1", &e) < 0);
	CHECK(strstr(e.msg, "keys: capacity expiry") != NULL);
	CHECK_EQ_INT(nfload_set(nf, "capacity", "4", &e), 0);
	CHECK_STR(nfload_get(nf, "capacity"), "4");
	nfload_close(nf);
}

/* A lan TCP packet of flow i, or its reply from wan. */
static uint16_t
flow_pkt(uint8_t *b, int i, int reply)
{
	char lan[32];

	snprintf(lan, sizeof lan, "10.0.0.%d", i + 1);
	if (reply)
		return tpkt_build(b, "198.51.100.7", 80, lan, (uint16_t)(40000 + i), 6, 0x12, 0);
	return tpkt_build(b, lan, (uint16_t)(40000 + i), "198.51.100.7", 80, 6, 0x02, 0);
}

static void
test_nfload__plain_instance(void)
{
	struct err e = ERR_INIT;
	struct nfload *nf = open_fw();
	struct nfload_inst *a, *b;
	uint8_t p[TPKT_MAX];
	uint16_t len;

	if (!nf)
		return;
	a = nfload_instance(nf, NFLOAD_PLAIN, 1, 1, NULL, 1, &e);
	b = nfload_instance(nf, NFLOAD_PLAIN, 1, 1, NULL, 1, &e);
	CHECK(a && b);
	if (a && b) {
		len = flow_pkt(p, 0, 0);
		CHECK_EQ_INT(a->process(a->state, 0, p, len, SEC), 1);
		len = flow_pkt(p, 0, 1);
		CHECK_EQ_INT(a->process(a->state, 1, p, len, SEC), 0);
		/* The other instance has its own table: the reply is unknown there. */
		CHECK_EQ_INT(b->process(b->state, 1, p, len, SEC), NF_DROP);
	}
	nfload_instance_free(a);
	nfload_instance_free(b);
	nfload_close(nf);
}

static void
test_nfload__capacity_share(void)
{
	struct err e = ERR_INIT;
	struct nfload *nf = open_fw();
	struct nfload_inst *in;
	uint8_t p[TPKT_MAX];
	int passed = 0;

	if (!nf)
		return;
	nfload_set(nf, "capacity", "8", &e);
	/* A quarter of 8 flows: the first two are remembered, the rest are not. */
	in = nfload_instance(nf, NFLOAD_PLAIN, 1, 4, NULL, 1, &e);
	CHECK(in != NULL);
	for (int i = 0; in && i < 5; i++) {
		uint16_t len = flow_pkt(p, i, 0);
		in->process(in->state, 0, p, len, SEC);
	}
	for (int i = 0; in && i < 5; i++) {
		uint16_t len = flow_pkt(p, i, 1);
		passed += in->process(in->state, 1, p, len, SEC) == 0;
	}
	CHECK_EQ_INT(passed, 2);
	nfload_instance_free(in);
	nfload_close(nf);
}

struct touch {
	char object[NF_NAME_MAX];
	uint8_t key[64];
	size_t len;
	enum nf_op op;
};

struct touches {
	struct touch t[64];
	int n;
};

static void
record(void *arg, const char *object, const void *key, size_t len, enum nf_op op)
{
	struct touches *ts = arg;

	if (ts->n == 64)
		return;
	snprintf(ts->t[ts->n].object, NF_NAME_MAX, "%s", object);
	memcpy(ts->t[ts->n].key, key, len < 64 ? len : 64);
	ts->t[ts->n].len = len;
	ts->t[ts->n++].op = op;
}

/* The first touch with a key that holds the bytes of 'needle' (an address in network order). */
static const struct touch *
find_touch(const struct touches *ts, enum nf_op op, uint32_t needle)
{
	for (int i = 0; i < ts->n; i++) {
		if (ts->t[i].op == op && ts->t[i].len >= 4 &&
		    memmem(ts->t[i].key, ts->t[i].len, &needle, 4))
			return &ts->t[i];
	}
	return NULL;
}

static void
test_nfload__traced(void)
{
	struct err e = ERR_INIT;
	struct nfload *nf = open_fw();
	struct touches ts = { .n = 0 };
	struct nf_hooks h = { .trace = record, .arg = &ts };
	struct nfload_inst *in;
	uint8_t p[TPKT_MAX];
	uint16_t len;

	if (!nf)
		return;
	in = nfload_instance(nf, NFLOAD_TRACED, 1, 1, &h, 1, &e);
	CHECK(in != NULL);
	if (!in) {
		printf("#   %s\n", e.msg);
		nfload_close(nf);
		return;
	}
	len = flow_pkt(p, 3, 0);
	CHECK_EQ_INT(in->process(in->state, 0, p, len, SEC), 1);
	/* A new lan flow: looked up, then written, keyed by bytes that hold its addresses. */
	CHECK(find_touch(&ts, NF_OP_READ, tpkt_ip("10.0.0.4")) != NULL);
	CHECK(find_touch(&ts, NF_OP_WRITE, tpkt_ip("10.0.0.4")) != NULL);
	ts.n = 0;
	len = flow_pkt(p, 3, 1);
	CHECK_EQ_INT(in->process(in->state, 1, p, len, SEC), 0);
	CHECK(find_touch(&ts, NF_OP_READ, tpkt_ip("198.51.100.7")) != NULL);
	CHECK(find_touch(&ts, NF_OP_WRITE, tpkt_ip("198.51.100.7")) == NULL);
	nfload_instance_free(in);
	nfload_close(nf);
}

static int refuse;
static int asked;

static int
permit(void *arg, const char *object)
{
	asked++;
	return refuse;
}

static void
test_nfload__locked(void)
{
	struct err e = ERR_INIT;
	struct nfload *nf = open_fw();
	struct nf_hooks h = { .write = permit };
	struct nfload_inst *in;
	uint8_t p[TPKT_MAX];
	uint16_t len;
	jmp_buf jb;
	volatile int jumped = 0;

	if (!nf)
		return;
	in = nfload_instance(nf, NFLOAD_LOCKED, 1, 1, &h, 2, &e);
	CHECK(in != NULL);
	if (!in) {
		printf("#   %s\n", e.msg);
		nfload_close(nf);
		return;
	}
	/* A new flow needs a write: refused, the run is abandoned through the jump. */
	refuse = 1;
	in->env.abort_to = &jb;
	len = flow_pkt(p, 0, 0);
	if (setjmp(jb) == 0)
		in->process(in->state, 0, p, len, SEC);
	else
		jumped = 1;
	CHECK(jumped);
	CHECK(in->env.aborted);
	/* Nothing was written: the reply is still unknown. */
	in->env.aborted = 0;
	in->env.abort_to = NULL;
	refuse = 0;
	len = flow_pkt(p, 0, 1);
	CHECK_EQ_INT(in->process(in->state, 1, p, len, SEC), NF_DROP);
	/* Allowed, the write happens; then the reply is read-only: no write asked. */
	len = flow_pkt(p, 0, 0);
	CHECK_EQ_INT(in->process(in->state, 0, p, len, SEC), 1);
	asked = 0;
	refuse = 1;
	len = flow_pkt(p, 0, 1);
	CHECK_EQ_INT(in->process(in->state, 1, p, len, 2 * SEC), 0);
	CHECK_EQ_INT(asked, 0);
	CHECK(!in->env.aborted);
	nfload_instance_free(in);
	nfload_close(nf);
}

static void
test_nfload__compile_error(void)
{
	struct err e = ERR_INIT;
	char path[4096];
	FILE *f;
	struct nfload *nf;

	test_dir_make("nfload");
	snprintf(path, sizeof path, "%s/bad.c", test_dir);
	f = fopen(path, "w");
	fputs("#include \"nf.h\"\nint nf_process(void) { return nope; }\n", f);
	fclose(f);
	setenv("BATON_CACHE", test_dir, 1);
	nf = nfload_open(path, NULL, NULL, &e);
	unsetenv("BATON_CACHE");
	CHECK(nf == NULL);
	CHECK(strstr(e.msg, "does not compile") != NULL);
	CHECK(strstr(e.msg, "bad.c:2:") != NULL);
	test_dir_done();
}

int
main(void)
{
	RUN(test_nfload__bundled);
	RUN(test_nfload__descriptor_and_ports);
	RUN(test_nfload__set);
	RUN(test_nfload__plain_instance);
	RUN(test_nfload__capacity_share);
	RUN(test_nfload__traced);
	RUN(test_nfload__locked);
	RUN(test_nfload__compile_error);
	return TEST_DONE();
}
