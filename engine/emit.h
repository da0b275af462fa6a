#ifndef ENGINE_EMIT_H
#define ENGINE_EMIT_H
/*
** Emitting a parallel build (DESIGN.md section 7): for a loaded NF, a mode (seq, sn, locks), a
** number of cores and an RSS configuration, writes build/<nf>-<mode>-<N>/ with a generated
** config.c (keys, field sets as RTE_ETH_RSS_* flags, RETAs, mode, cores, the NF's
** configuration) and a Makefile on pkg-config libdpdk that links the NF, the state library
** (plain, or locked for locks) and the runtime of nfs/dpdk, then runs make there. Refuses sn
** when the analysis says locks or the configuration breaks a constraint, unless forced (and
** then says what that breaks). Never prints.
*/

#include <stdbool.h>

#include "engine/err.h"
#include "engine/nfload.h"
#include "engine/progress.h"
#include "engine/rss.h"
#include "engine/sbuf.h"
#include "engine/val.h"

#define EMIT_MAX_CORES 64	/* worker lcores: DPDK's 128 lcores with room for the others */

enum emit_mode { EMIT_SEQ, EMIT_SN, EMIT_LOCKS };

struct emit_opts {
	enum emit_mode mode;
	unsigned cores;			/* workers; 0: the configuration's (seq: 1) */
	bool force;			/* sn against the verdict or the constraints */
	const struct rss_config *rss;	/* NULL: the defaults (Microsoft key, 4-tuple) */
	const struct rss_cons *cons;	/* the NF's needs from an analysis; NULL: not analyzed */
	const char *locks_why;		/* cons->locks: the first blocking reason, or NULL */
};

struct emit_build {
	char nf[NF_NAME_MAX];
	enum emit_mode mode;
	unsigned cores;
	char dir[4096];			/* build/fw-sn-2 */
	char binary[4200];		/* build/fw-sn-2/fw-sn-2 */
	unsigned nports;
	char ports[NF_MAX_PORTS][NF_NAME_MAX];
	struct rss_config *rss;		/* the configuration built in (owned) */
	bool forced;
	char broken[1024];		/* forced: what it breaks */
	char notes[1024];		/* what emit changed or assumed ("RETA round robin ...") */
	bool compiled;			/* make compiled it now (false: it was up to date) */
	double seconds;			/* make's wall time */
};

const char *emit_mode_name(enum emit_mode m);
/* "seq", "sn" or "locks" (also "shared-nothing"); -EINVAL naming the word otherwise. */
int emit_mode_parse(const char *s, enum emit_mode *m, struct err *e);

/* Writes and builds. *out gets the build (free with emit_free). Compiler errors come back in
** 'e' as the compiler printed them; Ctrl-C through 'p' stops make. */
int emit_run(struct nfload *nf, const struct emit_opts *o, const struct progress *p,
	     struct emit_build **out, struct err *e);
void emit_free(struct emit_build *b);

/* nf, mode, cores, dir, binary, ports, config (rss_config_val), forced, broken, notes,
** compiled, seconds. */
struct val *emit_to_val(const struct emit_build *b);
void emit_format(const struct emit_build *b, struct sbuf *out);

#endif
