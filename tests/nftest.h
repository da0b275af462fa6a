#ifndef TESTS_NFTEST_H
#define TESTS_NFTEST_H
/*
** Instances of the NF linked into a behaviour test (tests/unit/nf_NAME.c, built with nfs/NAME.c
** and the plain state library): create one from "key=value ..." text, run packets through it,
** and run seeded random packets through it. Include it after tests/test.h: nft_fuzz fails the
** running case with FAIL and CHECK_EQ_INT.
*/

#ifndef TESTS_TEST_H
#error "include tests/test.h before tests/nftest.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nf.h"
#include "tests/nfpkt.h"

#define NFT_MAX_CONFIG 16

struct nft {
	struct nf_env env;
	void *state;
	char text[512];
	const char *keys[NFT_MAX_CONFIG], *values[NFT_MAX_CONFIG];
};

/* A new instance of the linked NF with 'config' ("expiry=2 capacity=8", or "" for the defaults),
** at capacity share num/den. NULL when nf_init refused; then why[0..n) holds its reason (the
** env's error text), else "". Prints nothing. */
static inline struct nft *
nft_open(const char *config, uint32_t num, uint32_t den, char *why, size_t n)
{
	struct nft *t = calloc(1, sizeof *t);
	char *save = NULL, *tok, *eq;
	unsigned k = 0;

	if (!t)
		exit(2);
	if (n)
		why[0] = '\0';
	snprintf(t->text, sizeof t->text, "%s", config);
	for (tok = strtok_r(t->text, " ", &save); tok && k < NFT_MAX_CONFIG;
	    tok = strtok_r(NULL, " ", &save)) {
		eq = strchr(tok, '=');
		if (!eq) {
			fprintf(stderr, "nft_new: \"%s\" is not key=value\n", tok);
			exit(2);
		}
		*eq = '\0';
		t->keys[k] = tok;
		t->values[k++] = eq + 1;
	}
	nf_env_setup(&t->env, &nf_descriptor);
	t->env.keys = t->keys;
	t->env.values = t->values;
	t->env.n_config = k;
	t->env.share_num = num;
	t->env.share_den = den;
	t->state = nf_init(&t->env);
	if (!t->state) {
		if (n)
			snprintf(why, n, "%s", t->env.error);
		nf_env_release(&t->env);
		free(t);
		return NULL;
	}
	return t;
}

/* nft_open at share 1/1, for a test of why nf_init refuses 'config'. */
static inline struct nft *
nft_new_err(const char *config, char *why, size_t n)
{
	return nft_open(config, 1, 1, why, n);
}

/* nft_open, printing the reason when nf_init refused. */
static inline struct nft *
nft_new_share(const char *config, uint32_t num, uint32_t den)
{
	char why[sizeof ((struct nf_env *)0)->error];
	struct nft *t = nft_open(config, num, den, why, sizeof why);

	if (!t)
		printf("#   nf_init(\"%s\"): %s\n", config, why);
	return t;
}

static inline struct nft *
nft_new(const char *config)
{
	return nft_new_share(config, 1, 1);
}

/* Runs one packet; returns the output port, NF_DROP or NF_FLOOD. */
static inline int
nft_run(struct nft *t, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	return nf_process(t->state, port, pkt, len, now_ns);
}

static inline void
nft_free(struct nft *t)
{
	if (!t)
		return;
	nf_env_release(&t->env);
	free(t);
}

#define NFT_SEC 1000000000ull

/* The number of ports of the linked NF (its descriptor's "lan", "wan", ...). */
static inline unsigned
nft_nports(void)
{
	unsigned n = 0;

	while (n < NF_MAX_PORTS && nf_descriptor.ports[n])
		n++;
	return n;
}

/*---- Random packets ----*/

/* xorshift64*: seeded, so a failing run repeats. A zero state is replaced by a fixed one. */
static inline uint64_t
nft_rnd(uint64_t *s)
{
	if (*s == 0)
		*s = 0x9e3779b97f4a7c15ull;
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/*
** A random packet in a malloc'ed buffer of exactly *len bytes (0..TPKT_MAX), so ASan sees any
** access outside it; the caller frees it. One in eight is random bytes (sometimes with pool MACs
** and the start of an IPv4 header). The rest are built by tpkt_build, checksums right, from
** small pools so lookups hit. Each MAC, address and port is picked alone, seven in eight from
** the first half of its pool, the rest from the second, whose last entry means random:
**   MACs       02:00:00:00:00:01, :02 (sbridge's default table), :03, broadcast;
**              multicast 01:00:5e:00:00:01, an lb backend's 02:00:00:00:01:01, 02:00:00:00:00:09
**   addresses  10.0.0.1, 10.0.0.2, 192.0.2.1, 203.0.113.1; 10.0.0.3, 10.0.1.1, 198.51.100.9
**   ports      1024, 1025, 80, 53; 0, 1, 2
** with TCP (any flags) or UDP, one in eight ICMP or any protocol. Or, half the time, addresses,
** ports and protocol are one of eight flows (TCP or UDP between the first halves) either way,
** so replies match earlier packets; one reply in four comes back as through a nat with the
** defaults (to its ext_ip 203.0.113.1, ports 1024..1026). Payloads are mostly small, sometimes
** up to 1400 bytes. Then, at random: a first or later fragment, DF, or any flags and offset;
** real IPv4 options (ihl 6..15, the ports after them); an ihl that lies (any of 0..15); a total
** length that lies; a non-IPv4 EtherType; a few bytes changed anywhere; and the frame cut
** short, or cut or padded (random bytes) to any length.
*/
static inline uint8_t *
nft_rnd_packet(uint64_t *s, uint16_t *len)
{
	static const uint8_t macs[8][6] = {
		{ 2, 0, 0, 0, 0, 1 }, { 2, 0, 0, 0, 0, 2 }, { 2, 0, 0, 0, 0, 3 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 }, { 2, 0, 0, 0, 1, 1 }, { 2, 0, 0, 0, 0, 9 },
	};
	static const uint8_t ips[8][4] = {
		{ 10, 0, 0, 1 }, { 10, 0, 0, 2 }, { 192, 0, 2, 1 }, { 203, 0, 113, 1 },
		{ 10, 0, 0, 3 }, { 10, 0, 1, 1 }, { 198, 51, 100, 9 },
	};
	static const uint16_t ports[8] = { 1024, 1025, 80, 53, 0, 1, 2 };
	static const uint8_t protos[16] = { 6, 6, 6, 6, 6, 6, 6, 17, 17, 17, 17, 17, 17, 17, 1, 0 };
	static const uint16_t ethertypes[4] = { 0x86dd, 0x0806, 0x8100 };	/* 0: any */
	uint8_t tmpl[TPKT_MAX], *b, proto, addr[2][4];
	uint16_t n, want, j, port[2], payload, opt, ip_len;
	uint64_t r;
	unsigned i, f;
	int k;

	if (nft_rnd(s) % 8 == 0) {
		n = (uint16_t)(nft_rnd(s) % (TPKT_MAX + 1));
		for (j = 0; j < n; j++)
			tmpl[j] = (uint8_t)nft_rnd(s);
		if (n >= 12 && nft_rnd(s) % 2) {
			memcpy(tmpl, macs[nft_rnd(s) % 7], 6);
			memcpy(tmpl + 6, macs[nft_rnd(s) % 7], 6);
		}
		if (n >= 15 && nft_rnd(s) % 2) {
			tmpl[12] = 0x08;
			tmpl[13] = 0x00;
			tmpl[14] = (uint8_t)(0x40 | nft_rnd(s) % 16);
		}
		want = n;
	} else {
		for (k = 0; k < 2; k++) {
			r = nft_rnd(s);
			i = r % 8 ? (r >> 3) % 4 : 4 + (r >> 3) % 4;
			r >>= 16;
			memcpy(addr[k], i < 7 ? ips[i] : (const uint8_t *)&r, 4);
			r = nft_rnd(s);
			i = r % 8 ? (r >> 3) % 4 : 4 + (r >> 3) % 4;
			port[k] = i < 7 ? ports[i] : (uint16_t)(r >> 16);
		}
		proto = protos[nft_rnd(s) % 16];
		if (proto == 0)
			proto = (uint8_t)nft_rnd(s);	/* any */
		r = nft_rnd(s);
		if (r % 2) {					/* one of eight flows */
			f = (unsigned)(r >> 1) % 8;
			k = (int)((r >> 4) % 2);	/* 1: the reply */
			memcpy(addr[k], ips[f % 4], 4);
			memcpy(addr[!k], ips[(f + 1 + f / 4) % 4], 4);
			port[k] = ports[f / 2];
			port[!k] = ports[(f + 1) % 4];
			proto = f % 2 ? 6 : 17;
			if (k && (r >> 5) % 4 == 0) {		/* the reply through a nat */
				memcpy(addr[1], ips[3], 4);
				port[1] = (uint16_t)(1024 + (r >> 7) % 3);
			}
		}
		payload = (uint16_t)(nft_rnd(s) % 4 ? nft_rnd(s) % 80 : nft_rnd(s) % 1401);
		n = tpkt_build(tmpl, "0.0.0.0", port[0], "0.0.0.0", port[1], proto,
		    (uint8_t)nft_rnd(s), payload);
		memcpy(tmpl + 26, addr[0], 4);
		memcpy(tmpl + 30, addr[1], 4);
		for (k = 0; k < 2; k++) {
			r = nft_rnd(s);
			i = r % 8 ? (r >> 3) % 4 : 4 + (r >> 3) % 4;
			r >>= 16;
			memcpy(tmpl + 6 * k, i < 7 ? macs[i] : (const uint8_t *)&r, 6);
		}
		if (nft_rnd(s) % 6 == 0) {
			r = nft_rnd(s);
			switch (r % 4) {
			case 0:				/* MF: a first fragment */
				tmpl[20] = 0x20;
				break;
			case 1:				/* a later fragment, MF or not */
				tmpl[20] = (uint8_t)((r >> 8) & 0x3f);
				tmpl[21] = (uint8_t)(r >> 16 | 1);
				break;
			case 2:				/* DF: not a fragment */
				tmpl[20] = 0x40;
				break;
			default:			/* any flags and offset */
				tmpl[20] = (uint8_t)(r >> 8);
				tmpl[21] = (uint8_t)(r >> 16);
			}
		}
		if (nft_rnd(s) % 8 == 0) {
			opt = (uint16_t)(4 * (1 + nft_rnd(s) % 10));	/* options: ihl 6..15 */
			memmove(tmpl + 34 + opt, tmpl + 34, (size_t)n - 34);
			for (j = 0; j < opt; j++)
				tmpl[34 + j] = nft_rnd(s) % 4 ? 1 : (uint8_t)nft_rnd(s);
			tmpl[14] = (uint8_t)(0x45 + opt / 4);
			n = (uint16_t)(n + opt);
			ip_len = (uint16_t)(n - 14);
			tmpl[16] = (uint8_t)(ip_len >> 8);
			tmpl[17] = (uint8_t)ip_len;
		}
		tpkt_fix(tmpl, n);
		if (nft_rnd(s) % 16 == 0)
			tmpl[14] = (uint8_t)(0x40 | nft_rnd(s) % 16);	/* an ihl that lies */
		if (nft_rnd(s) % 16 == 0) {
			tmpl[16] = (uint8_t)nft_rnd(s);			/* a total length that lies */
			tmpl[17] = (uint8_t)nft_rnd(s);
		}
		if (nft_rnd(s) % 16 == 0) {
			r = nft_rnd(s);
			j = ethertypes[r % 4] ? ethertypes[r % 4] : (uint16_t)(r >> 16);
			tmpl[12] = (uint8_t)(j >> 8);
			tmpl[13] = (uint8_t)j;
		}
		if (nft_rnd(s) % 3 == 0) {
			for (k = 1 + (int)(nft_rnd(s) % 3); k > 0; k--)
				tmpl[nft_rnd(s) % n] = (uint8_t)nft_rnd(s);
		}
		switch (nft_rnd(s) % 4) {
		case 0:
			want = (uint16_t)(nft_rnd(s) % (n + 1));		/* cut short */
			break;
		case 1:
			want = (uint16_t)(nft_rnd(s) % (TPKT_MAX + 1));	/* cut or padded */
			break;
		default:
			want = n;
		}
	}
	b = malloc(want);
	if (want && !b)
		exit(2);
	for (j = 0; j < want; j++)
		b[j] = j < n ? tmpl[j] : (uint8_t)nft_rnd(s);
	*len = want;
	return b;
}

/* Runs n packets of nft_rnd_packet(seed) through 't', each on a random port of the NF, time
** moving forward (under 250 ms a step, one step in 256 up to a minute). Every verdict must be a
** port, NF_DROP or NF_FLOOD (else the case fails, with the seed and packet number), and no state
** call may be misused. */
static inline void
nft_fuzz(struct nft *t, uint64_t seed, int n)
{
	uint64_t s = seed, now = NFT_SEC;
	unsigned nports = nft_nports();
	uint16_t len, port;
	uint8_t *b;
	int i, r;

	for (i = 0; i < n; i++) {
		b = nft_rnd_packet(&s, &len);
		port = (uint16_t)(nft_rnd(&s) % nports);
		r = nft_run(t, port, b, len, now);
		free(b);
		if (r != NF_DROP && r != NF_FLOOD && (r < 0 || r >= (int)nports)) {
			FAIL("seed %" PRIu64 " packet %d (%u bytes on port %u): verdict %d", seed, i,
			    len, port, r);
			break;
		}
		now += nft_rnd(&s) % 256 ? nft_rnd(&s) % (NFT_SEC / 4) : nft_rnd(&s) % (60 * NFT_SEC);
	}
	CHECK_EQ_INT(t->env.misuse, 0);
}

/* For two-port NFs that only pass packets across or drop them (nop, lb, psd, cl, hhh): runs n
** packets of nft_rnd_packet(seed) on random ports, time moving forward by under 'max_step' ns.
** Every verdict must be the other port or NF_DROP, the bytes must stay as they came when
** 'unchanged' is set, and no state call may be misused. Returns the number of drops. */
static inline int
nft_fuzz_filter(struct nft *t, uint64_t seed, int n, uint64_t max_step, int unchanged)
{
	uint64_t s = seed, now = NFT_SEC;
	uint8_t *b, *copy;
	uint16_t len, port;
	int i, out, drops = 0;

	for (i = 0; i < n; i++) {
		b = nft_rnd_packet(&s, &len);
		copy = malloc(len ? len : 1);
		if (!copy)
			exit(2);
		if (len)
			memcpy(copy, b, len);
		port = (uint16_t)(nft_rnd(&s) % 2);
		out = nft_run(t, port, b, len, now);
		if (out != NF_DROP && out != !port)
			FAIL("seed %" PRIu64 " packet %d on port %d went to %d", seed, i, port, out);
		drops += out == NF_DROP;
		if (unchanged && len && memcmp(b, copy, len) != 0)
			FAIL("seed %" PRIu64 " packet %d changed", seed, i);
		free(copy);
		free(b);
		now += nft_rnd(&s) % max_step;
	}
	CHECK_EQ_INT(t->env.misuse, 0);
	return drops;
}

#endif
