#ifndef NFS_LIB_NF_H
#define NFS_LIB_NF_H
/*
** The NF contract (DESIGN.md section 3). An NF is one C file that includes this header and
** defines:
**
**   void *nf_init(struct nf_env *env);
**	Creates all state through the state library (map_new, vector_new, ...) and returns it,
**	or NULL when the configuration is bad (after nf_env_fail says why).
**   int nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns);
**	Handles one packet that arrived on 'port' (an index into the descriptor's ports). May
**	rewrite bytes in [pkt, pkt+len). Returns the output port, NF_DROP or NF_FLOOD.
**   NF_DESCRIPTOR(name, summary, NF_PORTS(...), params);
**	What the shell shows and what configuration the NF accepts.
**
** No globals (const tables are fine), no I/O, no clock reads, no malloc: time is 'now_ns' only,
** and every byte of state comes from the state library, so several instances live in one
** process and the analysis sees every state access.
*/

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#define NF_DROP		(-1)	/* nf_process: free the packet */
#define NF_FLOOD	(-2)	/* nf_process: send to every port but the input */
#define NF_MAX_PORTS	8
#define NF_NAME_MAX	32	/* object and NF names, including the NUL */

/* One configuration key: name, default (as text) and what it means, e.g.
** { "expiry", "60", "seconds an idle flow is remembered" }. Arrays end with a NULL key. */
struct nf_param {
	const char *key;
	const char *def;
	const char *help;
};

struct nf_desc {
	const char *name;		/* "fw" */
	const char *summary;		/* one line */
	const char *ports[NF_MAX_PORTS + 1];	/* "lan", "wan", ..., NULL */
	const struct nf_param *params;	/* ends with { NULL } */
};

#define NF_PORTS(...)	{ __VA_ARGS__, NULL }

/* Declares the descriptor the loader finds by the symbol name 'nf_descriptor'. */
#define NF_DESCRIPTOR(name_, summary_, ports_, params_) \
	const struct nf_desc nf_descriptor = { \
		.name = (name_), .summary = (summary_), .ports = ports_, .params = (params_) }

/* The operation class of a state call, as reported to the trace hook (DESIGN.md section 3). */
enum nf_op {
	NF_OP_READ,
	NF_OP_WRITE,
	NF_OP_UPDATE,	/* dchain_rejuvenate: a per-core timestamp, not a write under locks */
};

/* What the host (engine, DPDK runtime, tests) plugs into an instance. All may be NULL. */
struct nf_hooks {
	/* Traced build: every state call reports the object, the entry's key bytes (map and
	** sketch: the key; vector and dchain: the 4-byte index, little-endian; lpm: the 4-byte
	** address; cht: the key) and the operation. */
	void (*trace)(void *arg, const char *object, const void *key, size_t key_len,
	    enum nf_op op);
	/* Traced build: called once at the end of every state call the NF makes (never for the
	** calls the library makes itself, inside expire_items or cht_find; not for constructors,
	** size queries or calls on a NULL object), with the function's name ("map_get"), the
	** object's name (the first argument's), what the call returned (int results; 0 for void
	** and pointer results) and the values it handed back, as engine/sym.c records an event's
	** fresh variables: map_get and lpm_lookup: the value (4 bytes little-endian) when found;
	** dchain_allocate and dchain_expire_one: the index (4 bytes LE) when they succeed;
	** cht_find: the backend (4 bytes LE) when found; vector_get and vector_mut: the record's
	** bytes as the call found them (the whole record); sketch_fetch, sketch_expire and
	** expire_items: the count they return (4 bytes LE); everything else, and every call that
	** fails: nothing (out NULL, out_len 0). 'out' is borrowed for the call. */
	void (*call)(void *arg, const char *fn, const char *object, int64_t ret, const void *out,
	    size_t out_len);
	/* Locked build: asked before every write call; 0 allows it, anything else refuses it, and
	** the call returns without touching state after nf_env_abort (see below). */
	int (*write)(void *arg, const char *object);
	/* Locked build: the calling core, 0 .. n_cores-1 (per-core dchain timestamps). */
	unsigned (*core)(void *arg);
	void *arg;
};

/* The instance context: configuration, capacity share and hooks in; errors and the memory of
** every object out. The host fills it with nf_env_setup, passes it to nf_init, keeps it alive
** as long as the state, and frees all state with nf_env_release. NFs only read it through the
** functions below. */
struct nf_env {
	const struct nf_desc *desc;
	const char *const *keys;	/* configuration, n_config pairs; missing keys take the */
	const char *const *values;	/* descriptor's default */
	unsigned n_config;
	uint32_t share_num, share_den;	/* capacity share: 1/1 sequential, 1/N per core */
	unsigned n_cores;		/* locked build: cores sharing this state (>= 1) */
	struct nf_hooks hooks;
	jmp_buf *abort_to;	/* locked build: where a refused write jumps; NULL: flag only */
	int aborted;		/* a write was refused during this run (host clears it) */
	unsigned misuse;	/* calls with an index out of range or a NULL object */
	unsigned inner;		/* traced build: depth of the library's calls to itself,
				** which hooks.call does not hear of (hook.h) */
	int failed;
	char error[256];	/* why nf_init failed, or why a constructor did */
	void *mem;		/* every allocation of this instance, freed by nf_env_release */
	unsigned n_objects;
	char names[64][NF_NAME_MAX];	/* object names, unique per instance */
};

/* What every NF defines (see the top of this file). */
void *nf_init(struct nf_env *env);
int nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns);
extern const struct nf_desc nf_descriptor;

/* ---- for hosts ---- */

/* Resets 'env' for a new instance of 'desc': share 1/1, one core, no hooks, no config. */
void nf_env_setup(struct nf_env *env, const struct nf_desc *desc);
/* Frees everything the instance allocated; the state pointer is invalid after. */
void nf_env_release(struct nf_env *env);
/* The capacity an object gets for 'capacity' under the share: ceil(capacity * num / den), at
** least 1; NF_FULL capacities are returned unchanged (without the flag). */
uint32_t nf_env_capacity(const struct nf_env *env, uint32_t capacity);

/* ---- for NFs, in nf_init ---- */

/* Capacity flag: every instance gets all of it whatever the share, for tables filled in nf_init
** from the configuration (static rules), which each core needs whole. */
#define NF_FULL(n)	((uint32_t)(n) | 0x80000000u)

/* Zeroed memory owned by the instance, for the NF's own state struct (pointers to its objects
** and constants from the configuration). NULL (and env failed) when out of memory. */
void *nf_alloc(struct nf_env *env, size_t size);

/* The configuration value of 'key' as text (the default when not set). A key not declared in the
** descriptor fails the instance and returns "". */
const char *nf_config_str(struct nf_env *env, const char *key);
/* The value as an unsigned decimal number (0x for hex) in [min, max]; otherwise fails the
** instance with "KEY=VALUE: ..." and returns min. */
uint64_t nf_config_uint(struct nf_env *env, const char *key, uint64_t min, uint64_t max);
/* A dotted-quad IPv4 address, returned in host byte order; fails the instance otherwise. */
uint32_t nf_config_ipv4(struct nf_env *env, const char *key);

/* Records why the instance cannot be created (printf-style); the first message wins. */
void nf_env_fail(struct nf_env *env, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Nonzero while nothing has failed: nf_init ends with 'return nf_env_ok(env) ? st : NULL'. */
int nf_env_ok(const struct nf_env *env);

/* ---- for the state library ---- */

/* Registers an object name: 1..NF_NAME_MAX-1 characters of [A-Za-z0-9_.-], unique in the
** instance, at most 64 objects. Returns the stored copy (stable for the instance's life), or
** NULL after failing the instance. */
const char *nf_env_name(struct nf_env *env, const char *name);
/* Locked build: a write was refused. Sets 'aborted' and jumps to 'abort_to' when the host set
** one; otherwise returns and the caller returns without touching state. */
void nf_env_abort(struct nf_env *env);

#endif
