#ifndef ENGINE_NFLOAD_H
#define ENGINE_NFLOAD_H
/*
** Loading NFs natively: compile an NF's C file with the state library into a shared object
** (cached in the build directory by content, so an edit to the NF or to nfs/lib rebuilds it),
** dlopen it, read its descriptor, keep its configuration, and create instances of it. One .so
** per build of the state library (plain, traced, locked), made on first use. Never prints.
*/

#include <stdbool.h>
#include <stdint.h>

#include "engine/err.h"
#include "engine/progress.h"
#include "engine/sbuf.h"
#include "engine/val.h"
#include "nfs/lib/nf.h"

enum nfload_build { NFLOAD_PLAIN, NFLOAD_TRACED, NFLOAD_LOCKED, NFLOAD_NBUILDS };

struct nfload;

typedef int nfload_process_fn(void *state, uint16_t port, uint8_t *pkt, uint16_t len,
			      uint64_t now_ns);

/* One instance of a loaded NF: its context, its state and the entry point to call. */
struct nfload_inst {
	struct nf_env env;
	void *state;
	nfload_process_fn *process;
	struct nfload *nf;
	enum nfload_build build;
	char **keys, **values;	/* the configuration it was made with (owned copies) */
};

/* Loads 'what': a bundled NF name ("fw": nfs/fw.c under the source tree) or a path to a .c
** file. Compiles it if no cached build matches, and makes a trial instance with the defaults.
** NULL with 'e' set when the file is missing, does not compile (the message holds what the
** compiler printed), lacks the contract's symbols, or refuses its defaults. Compiler warnings
** of a successful build are left in 'warnings' when not NULL. nf_init runs through the guard
** of 'p' (kept for later instances; NULL: unguarded), so an NF that crashes is an error. */
struct nfload *nfload_open(const char *what, const struct progress *p, struct sbuf *warnings,
			   struct err *e);
/* Unloads; every instance must be freed first. NULL is fine. */
void nfload_close(struct nfload *nf);

const struct nf_desc *nfload_desc(const struct nfload *nf);
const char *nfload_source(const struct nfload *nf);	/* the .c file */
const char *nfload_object(const struct nfload *nf);	/* the plain .so */
unsigned nfload_nports(const struct nfload *nf);
/* Whether the last nfload_open compiled (false: the cache had it) and how long it took. */
bool nfload_compiled(const struct nfload *nf);
double nfload_compile_seconds(const struct nfload *nf);

/* The port named 'name' or given by number; -1 when there is none. */
int nfload_port(const struct nfload *nf, const char *name);

/* Sets configuration key 'key' to 'value' for instances made from now on. The key must be
** declared by the NF, and a trial instance must accept the value; otherwise nothing changes and
** 'e' says why ("expiry=abc: not a number"). */
int nfload_set(struct nfload *nf, const char *key, const char *value, struct err *e);
/* The value instances get for 'key' (set or default), or NULL when not declared. */
const char *nfload_get(const struct nfload *nf, const char *key);

/* A new instance of the given build with capacity share num/den and hooks (NULL: none) for
** n_cores cores. The .so of that build is compiled on first use. NULL with 'e' set when the
** build fails, nf_init refuses (its reason) or crashes (-EFAULT). */
struct nfload_inst *nfload_instance(struct nfload *nf, enum nfload_build build, uint32_t num,
				    uint32_t den, const struct nf_hooks *hooks, unsigned n_cores,
				    struct err *e);
void nfload_instance_free(struct nfload_inst *in);

/* The NF alone compiled to LLVM bitcode for the analysis (clang-14 -O1 -g, DESIGN.md 4.1),
** cached by content like the .so files; malloc'ed path. *compiled says whether it had to be
** compiled now, *seconds how long that took. NULL with 'e' set (the compiler's messages) when
** it does not compile. */
char *nfload_bitcode(struct nfload *nf, bool *compiled, double *seconds, struct err *e);

/* nf_init's view of the configuration, answered by the NF's own state library (the plain .so's
** nf_config_*), so the analysis runs nf_init with exactly the values an instance gets. */
struct nfload_config;
struct nfload_config *nfload_config_new(struct nfload *nf, struct err *e);
void nfload_config_free(struct nfload_config *c);
uint64_t nfload_config_uint(struct nfload_config *c, const char *key, uint64_t min, uint64_t max);
uint32_t nfload_config_ipv4(struct nfload_config *c, const char *key);
const char *nfload_config_str(struct nfload_config *c, const char *key);
/* NULL while every value so far was good, else why one was not. */
const char *nfload_config_failed(const struct nfload_config *c);
uint32_t nfload_config_capacity(const struct nfload_config *c, uint32_t capacity);

/* The NFs under nfs/ of the source tree, sorted, NULL-terminated; free with nfload_names_free. */
char **nfload_bundled(void);
void nfload_names_free(char **names);

/* The descriptor, source, ports and configuration as a result value (show nf, baton.load). */
struct val *nfload_to_val(const struct nfload *nf);
/* The same as text for the shell. */
void nfload_format(const struct nfload *nf, struct sbuf *out);

/* The source tree (BATON_ROOT, else where baton was built) and the cache of compiled NFs
** (BATON_CACHE, else the build directory's nfs/so). */
const char *nfload_root(void);
/* Makes directory 'path' and its parents (as mkdir -p; modes 0777 less the umask). 0 or -errno. */
int nfload_mkdirs(const char *path);
const char *nfload_cache(void);

#endif
