#ifndef ENGINE_ANALYSIS_H
#define ENGINE_ANALYSIS_H
/*
** analysis: the model of an NF (DESIGN.md section 4.1-4.3). Compiles the loaded NF to bitcode
** (cached), reads it (ir), runs it symbolically (sym), then names everything in packet terms:
** each path's condition as a readable summary, its verdict and the packet fields it writes; a
** call-path tree; the state objects; and every access with each key byte mapped to a packet
** field ("ipv4.src[0]", masks kept: "ipv4.src[3]&0xf0"), a constant, a value read from state,
** or a derived expression. Never prints: text goes into an sbuf, results into a val.
*/

#include <stdbool.h>
#include <stdint.h>

#include "engine/err.h"
#include "engine/nfload.h"
#include "engine/progress.h"
#include "engine/sbuf.h"
#include "engine/sym.h"
#include "engine/val.h"

struct analysis_opts {
	unsigned len_min, len_max;	/* packet length bounds; 0: Ethernet's 60 and 1514 */
	unsigned max_paths;		/* 0: sym's default (SYM_MAX_PATHS) */
	uint64_t max_steps;		/* instructions over all paths; 0: sym's default */
	double max_seconds;		/* the whole analysis, compiling included; 0: sym's */
	uint64_t max_memory;		/* bytes the process may grow by; 0: sym's default */
	const struct progress *progress;
};

/* What one key byte is. */
enum analysis_fkind {
	AF_PACKET,	/* a byte of a packet field, maybe masked */
	AF_CONST,	/* a constant */
	AF_STATE,	/* a value read from state (a map value, a record byte...) */
	AF_META,	/* the input port, length or time */
	AF_DERIVED,	/* any other function of the packet (a hash, a shifted or mixed byte) */
	AF_UNINIT	/* memory the NF never wrote */
};

struct analysis_field {
	enum analysis_fkind kind;
	char field[16];		/* AF_PACKET: "ipv4.src", "l4.sport", "pkt" (no known field) */
	int byte;		/* AF_PACKET: byte within the field (network order); pkt: offset */
	uint8_t mask;		/* AF_PACKET: 0xff unless masked */
	uint8_t value;		/* AF_CONST */
	char text[96];		/* "ipv4.src[0]", "ipv4.src[3]&0xf0", "0x06", "state:flows.get#2.value",
				** "derived:(ipv4.src[0] ^ ipv4.dst[0])" */
};

/* One kind of state access: the same call, object, operation, source line and key fields on
** one or more paths; 'ports' says on which input ports it happens. */
struct analysis_access {
	uint32_t obj;		/* index into the sym objects */
	const char *call;	/* "map_get" */
	enum sym_op op;
	uint32_t ports;		/* bit p: happens for packets arriving on port p */
	uint32_t n_key;
	struct analysis_field *key;
	char site[64];		/* "fw.c:88" */
	uint32_t n_paths;	/* paths it is on */
	bool keyed_by_packet;	/* some key byte is AF_PACKET or AF_DERIVED */
};

struct analysis_object {
	const struct sym_object *o;
	char site[64];		/* where nf_init made it */
	bool written;		/* nf_process writes (or updates) it on some path */
	bool read;		/* nf_process reads it on some path */
	bool filled;		/* nf_init wrote it (a table given in the configuration) */
};

struct analysis_path {
	const struct sym_path *p;
	uint32_t ports;		/* bit p: a packet arriving on port p can take it */
	char *summary;		/* "port=lan ∧ eth.type=0x0800 ∧ ipv4.proto=6 ∧ flows.get=miss" */
	char verdict[24];	/* "wan", "drop", "flood" */
	uint32_t n_writes;
	char **writes;		/* packet fields written, e.g. "ipv4.src", "l4.sport", "ipv4.csum" */
	struct analysis_field **keys;	/* by event: its key bytes classified */
	uint32_t *access;	/* by event: its access (analysis.accesses) */
};

/* A node of the call-path tree: a decision (a branch condition or a call's outcome) and the
** paths below it. */
struct analysis_node {
	char *label;		/* "eth.type=0x0800 (fw.c:71)", "flows.get=miss (fw.c:90)" */
	uint32_t n_children;
	struct analysis_node **children;
	int path;		/* a leaf: the path index; -1 otherwise */
};

struct analysis_pname {
	bool done;
	char field[16];
	int byte;		/* -1: no known field */
};

struct analysis {
	const char *nf;		/* the NF's name */
	unsigned n_ports;
	const char *const *ports;	/* names */
	struct sym_result *sym;
	struct smt *smt;
	struct ir_module *ir;
	uint32_t n_objects;
	struct analysis_object *objects;
	uint32_t n_accesses;
	struct analysis_access *accesses;
	uint32_t n_paths;
	struct analysis_path *paths;
	struct analysis_node *tree;	/* root: no label */
	smt_t base[3];		/* what holds for every input: port and length bounds */
	struct analysis_pname *pnames;	/* field names of sym->pbytes, made on first use */
	bool compiled;		/* the bitcode had to be compiled now */
	double compile_seconds, load_seconds, exec_seconds, model_seconds, seconds;
	uint64_t solved, from_models;	/* of all solver checks: run by Z3, answered by models */
	char *bitcode;		/* its path in the cache */
};

/* Analyzes the NF as configured now. NULL with 'e' set when it does not compile, uses something
** the executor cannot model (with its source line), hits a limit (sym_run's codes: -E2BIG
** paths, -EOVERFLOW steps, -ETIMEDOUT seconds, -ENOMEM memory), or is stopped (-EINTR). */
struct analysis *analysis_run(struct nfload *nf, const struct analysis_opts *o, struct err *e);
void analysis_free(struct analysis *a);

/* The object named 'name', or -1. */
int analysis_object(const struct analysis *a, const char *name);

/* Naming, for the modules built on the analysis (shard). */
void analysis_classify(struct analysis *a, smt_t e, struct analysis_field *f);
/* A packet byte variable's field ("ipv4.src", byte 0: network order); byte -1: none known. */
void analysis_pbyte_field(struct analysis *a, smt_t var, char *field, int *byte);
char *analysis_expr_text(struct analysis *a, smt_t e);	/* with field names; free it */
void analysis_site(const struct analysis *a, uint16_t file, uint32_t line, char *buf, size_t size);

/* Text for the shell. */
void analysis_format_summary(const struct analysis *a, struct sbuf *out);	/* analyze */
void analysis_format_paths(const struct analysis *a, struct sbuf *out);	/* show paths */
void analysis_format_tree(const struct analysis *a, struct sbuf *out);	/* show paths --tree */
/* show path N (0-based); -ERANGE with 'e' set when there is no such path. */
int analysis_format_path(const struct analysis *a, uint32_t n, struct sbuf *out, struct err *e);
void analysis_format_objects(const struct analysis *a, struct sbuf *out);	/* show objects */
/* show accesses [OBJECT]: every access, or those of one object (-ENOENT: no such object). */
int analysis_format_accesses(const struct analysis *a, const char *object, struct sbuf *out,
			     struct err *e);

/* Results (DESIGN.md section 9): nf, ports, paths (count), seconds, objects (by name: kind,
** capacity, access "r"|"rw", site, keys = list of {port, op, call, fields, site}), and the path
** list (path_list: {id, ports, summary, verdict, writes, events}). */
struct val *analysis_to_val(const struct analysis *a);
struct val *analysis_path_val(const struct analysis *a, uint32_t n);	/* NULL: no such path */
struct val *analysis_paths_val(const struct analysis *a);
struct val *analysis_objects_val(const struct analysis *a);
/* NULL when 'object' is given and there is no such object. */
struct val *analysis_accesses_val(const struct analysis *a, const char *object);

#endif
