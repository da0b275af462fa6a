#ifndef TESTS_NFTEST_H
#define TESTS_NFTEST_H
/*
** Instances of the NF linked into a behaviour test (tests/unit/nf_NAME.c, built with nfs/NAME.c
** and the plain state library): create one from "key=value ..." text, run packets through it.
*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nf.h"

#define NFT_MAX_CONFIG 16

struct nft {
	struct nf_env env;
	void *state;
	char text[512];
	const char *keys[NFT_MAX_CONFIG], *values[NFT_MAX_CONFIG];
};

/* A new instance of the linked NF with 'config' ("expiry=2 capacity=8", or "" for the defaults),
** at capacity share num/den. NULL when nf_init refused; the reason is printed. */
static inline struct nft *
nft_new_share(const char *config, uint32_t num, uint32_t den)
{
	struct nft *t = calloc(1, sizeof *t);
	char *save = NULL, *tok, *eq;
	unsigned n = 0;

	if (!t)
		exit(2);
	snprintf(t->text, sizeof t->text, "%s", config);
	for (tok = strtok_r(t->text, " ", &save); tok && n < NFT_MAX_CONFIG;
	    tok = strtok_r(NULL, " ", &save)) {
		eq = strchr(tok, '=');
		if (!eq) {
			fprintf(stderr, "nft_new: \"%s\" is not key=value\n", tok);
			exit(2);
		}
		*eq = '\0';
		t->keys[n] = tok;
		t->values[n++] = eq + 1;
	}
	nf_env_setup(&t->env, &nf_descriptor);
	t->env.keys = t->keys;
	t->env.values = t->values;
	t->env.n_config = n;
	t->env.share_num = num;
	t->env.share_den = den;
	t->state = nf_init(&t->env);
	if (!t->state) {
		printf("#   nf_init(\"%s\"): %s\n", config, t->env.error);
		nf_env_release(&t->env);
		free(t);
		return NULL;
	}
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

#endif
