#ifndef ENGINE_SYM_H
#define ENGINE_SYM_H
/*
** sym: exhaustive symbolic execution of an NF's IR (DESIGN.md section 4.2).
**
** nf_init runs first, concretely: configuration values come from the host (the NF's own
** nf_config_* on its configuration), every state-library constructor makes a named object.
** Then nf_process runs once with a symbolic port (one of the NF's ports), symbolic packet
** bytes, a symbolic length "len" (len_min..len_max) and a symbolic time "now", depth first,
** forking where a branch can go both ways. Each packet byte the NF reads is an 8-bit variable
** made on first read: "pkt[26]" at a constant offset, "pkt[@N+k]" at offset base + k where the
** base is an expression of other bytes (the L4 header at 14 + 4 * ihl); sym_result.pbytes says
** which offset each stands for, and a path where two of them may be one byte carries that
** equality. So every condition is plain bit-vector arithmetic, which the solver is fast at. State-library
** calls are not executed: each records an event (object, read/write/update, key bytes as
** expressions) and forks on its outcomes (hit / miss, allocated / full ...); what it returns
** from state are fresh variables named after the object and the event ("flows.get#2.value").
**
** Memory is a set of objects with concrete bases (object id << 32); contents are expressions per
** byte; pointers carry the object they point into. A symbolic offset into the packet stays
** symbolic (an array read); into any other object it forks over its feasible values, up to a
** bound. Every packet access is checked against 'len': an access the NF could make past the end
** is an error with its source line, as is anything the executor cannot model.
*/

#include <stdbool.h>
#include <stdint.h>

#include "engine/err.h"
#include "engine/ir.h"
#include "engine/progress.h"
#include "engine/smt.h"
#include "nfs/lib/nf.h"

/* Answers nf_init's configuration calls concretely (the host owns the NF's configuration). */
struct sym_host {
	void *arg;
	uint64_t (*config_uint)(void *arg, const char *key, uint64_t min, uint64_t max);
	uint32_t (*config_ipv4)(void *arg, const char *key);
	const char *(*config_str)(void *arg, const char *key);
	/* NULL when the configuration calls so far succeeded, else why not */
	const char *(*failed)(void *arg);
	/* nf_env_capacity: the capacity an object gets (NF_FULL flag handled) */
	uint32_t (*capacity)(void *arg, uint32_t capacity);
};

/* The limits' defaults: every run ends, with an error naming the limit, however the NF loops. */
#define SYM_MAX_PATHS		10000
#define SYM_MAX_STEPS		20000000
#define SYM_MAX_SECONDS		60.0
#define SYM_MAX_MEMORY		(4ull << 30)	/* or half the machine's memory, if less */
#define SYM_MAX_OBJECT		(16u << 20)	/* bytes of one object (a global, nf_alloc) */

struct sym_opts {
	unsigned n_ports;		/* the port is 0..n_ports-1 */
	unsigned len_min, len_max;	/* packet length bounds (Ethernet: 60..1514) */
	unsigned max_paths;		/* 0: SYM_MAX_PATHS */
	uint64_t max_steps;		/* instructions over all paths; 0: SYM_MAX_STEPS */
	double max_seconds;		/* 0: SYM_MAX_SECONDS; solver calls are cut to fit too */
	double started;			/* clock_seconds() max_seconds counts from; 0: now */
	uint64_t max_memory;		/* bytes the process may grow by; 0: SYM_MAX_MEMORY */
	unsigned max_offsets;		/* values a symbolic offset may take; 0: 64 */
	const struct progress *progress;	/* Ctrl-C and progress reports; may be NULL */
};

enum sym_kind { SYM_MAP, SYM_VECTOR, SYM_DCHAIN, SYM_SKETCH, SYM_CHT, SYM_LPM, SYM_NKINDS };

/* A state object made by a constructor in nf_init. */
struct sym_object {
	char name[NF_NAME_MAX];
	enum sym_kind kind;
	uint32_t capacity;	/* as the instance got it (share 1/1) */
	bool full;		/* NF_FULL: filled in nf_init, never split */
	uint32_t key_size;	/* map, sketch: key bytes; vector: record bytes */
	uint32_t extra;		/* cht: height */
	uint16_t file;		/* allocation site (ir_module files) */
	uint32_t line;
};

enum sym_op { SYM_READ, SYM_WRITE, SYM_UPDATE };

/* One state-library call on a path. */
struct sym_event {
	const char *call;	/* "map_get", ... (static strings) */
	uint32_t obj;		/* index into sym_result.objects */
	uint32_t also[2];	/* other objects it touches (expire_items: map, vector; cht_find:
				** the dchain), UINT32_MAX when none */
	enum sym_op op;
	smt_t ok;		/* a call that can fail: 1 bit, 1 when it succeeded (NULL otherwise,
				** and in nf_init); it returned rets[0] then, else rets[1] */
	int64_t rets[2];
	const char *outcomes[2];	/* the names of success and failure ("hit", "miss") */
	const char *outcome;	/* the one this path implies, NULL when either (or it cannot fail) */
	int64_t ret;		/* what the call returned when 'outcome' is set */
	uint32_t n_key;
	smt_t *key;		/* key bytes, in memory order (indices: 4 bytes little-endian) */
	smt_t value;		/* the value written (map_put), else NULL */
	uint32_t n_out;
	smt_t *out;		/* the fresh variables it returned, in the order the traced library
				** reports them: value / index / count / record bytes (those of a
				** call that failed mean nothing) */
	uint32_t n_stored;
	smt_t *stored;		/* vector_mut: the record's bytes as the NF left them (its pointer is
				** good until the next call), in terms of the packet and state read */
	bool init;		/* made by nf_init */
	uint16_t file;
	uint32_t line;
};

/* A branch condition a path took. */
struct sym_cond {
	smt_t e;		/* boolean */
	bool assumed;		/* not a branch: what a call's contract or the packet's layout implies
				** (an allocated index is below the capacity; two reads at offsets
				** that may be equal see the same byte) */
	uint32_t after;		/* number of events before it on the path */
	uint16_t file;
	uint32_t line;
};

/* A byte of the packet the path wrote (last write wins). */
struct sym_write {
	smt_t offset;		/* 64-bit offset expression (of packet byte variables) */
	smt_t value;		/* 8 bits */
	uint16_t file;
	uint32_t line;
};

#define SYM_VERDICT_DROP	NF_DROP
#define SYM_VERDICT_FLOOD	NF_FLOOD

struct sym_path {
	uint32_t n_conds;
	struct sym_cond *conds;
	uint32_t n_events;
	struct sym_event *events;
	uint32_t n_writes;
	struct sym_write *writes;
	int verdict;		/* a port, NF_DROP or NF_FLOOD */
	uint32_t ports;		/* bit p: a packet arriving on port p can take this path */
	uint16_t file;		/* where nf_process returned */
	uint32_t line;
	uint64_t steps;
};

/* A packet byte variable: the byte at offset base + k (base NULL: at k). */
struct sym_pbyte {
	smt_t var;		/* 8 bits */
	smt_t base;		/* 64-bit expression of earlier packet bytes, or NULL */
	uint64_t k;
};

struct sym_result {
	struct smt *smt;	/* owns every expression below (not freed by sym_result_free) */
	const struct ir_module *ir;
	smt_t len, port, now;	/* the inputs' variables (16, 16 and 64 bits) */
	uint32_t n_pbytes;	/* the packet's bytes, in the order they were made: a base only */
	struct sym_pbyte *pbytes;	/* uses bytes made before it */
	uint32_t n_objects;
	struct sym_object *objects;
	uint32_t n_init_events;
	struct sym_event *init_events;
	uint32_t n_paths;
	struct sym_path *paths;
	uint64_t steps;		/* instructions run, nf_init included */
	uint64_t checks;	/* solver calls */
	uint64_t unknown;	/* of which the solver gave up on (the path was kept) */
	double seconds;
};

/* Runs nf_init then nf_process of 'ir'. NULL with 'e' set when a limit is hit, the user stops it
** (-EINTR), or the NF does something the executor cannot model or that is wrong (reading past
** the packet, writing to nf_init's memory): the message names the source line. Each limit has
** its own code: -E2BIG paths, -EOVERFLOW steps, -ETIMEDOUT seconds, -ENOMEM memory (the
** growth of the whole process, Z3 included); their messages name the branch that forked most,
** and say when it is a loop's (a bound read from the packet makes one path per iteration). */
struct sym_result *sym_run(const struct ir_module *ir, struct smt *smt, const struct sym_host *host,
			   const struct sym_opts *opts, struct err *e);
void sym_result_free(struct sym_result *r);

/* The packet byte variable 'var' stands for, or NULL when it is not one. */
const struct sym_pbyte *sym_pbyte_of(const struct sym_result *r, smt_t var);

const char *sym_kind_name(enum sym_kind k);
const char *sym_op_name(enum sym_op op);

#endif
