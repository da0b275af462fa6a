#ifndef ENGINE_IR_H
#define ENGINE_IR_H
/*
** ir: an NF's LLVM bitcode, read through LLVM-C 14 and turned into baton's own compact form, so
** that the symbolic executor (sym.c) never sees LLVM (only this module includes llvm-c/) and
** steps through plain arrays instead of calling LLVM for every instruction.
**
** Values are numbered per function: parameters are registers 0..n_params-1, then every
** instruction with a result gets the next register. Constant operands are folded at load time:
** integers (up to 64 bits), null, undef/poison (IR_V_UNDEF), addresses of globals and functions
** plus a constant byte offset (constant GEP and bitcast expressions on them). getelementptr keeps
** only its variable indices, each with its scale in bytes; every constant part is one offset.
** llvm.dbg.* calls are dropped; lifetime markers and llvm.assume become IR_NOP. An instruction
** the executor cannot run (floating point, vectors, atomics, indirect calls, aggregates...) loads
** as IR_UNSUPPORTED with its printed text, so only a path that reaches it fails.
*/

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/err.h"

enum ir_op {
	IR_NOP,
	/* terminators */
	IR_RET,		/* ops[0]: the value, absent (n_ops 0) for void */
	IR_BR,		/* targets[0] */
	IR_CONDBR,	/* ops[0]: i1; targets[0] when true, targets[1] when false */
	IR_SWITCH,	/* ops[0]: value; targets[0]: default; case i: cases[i] -> targets[1 + i] */
	IR_UNREACHABLE,
	/* integer arithmetic and bitwise: ops[0] op ops[1], all 'bits' wide */
	IR_ADD, IR_SUB, IR_MUL, IR_UDIV, IR_SDIV, IR_UREM, IR_SREM,
	IR_SHL, IR_LSHR, IR_ASHR, IR_AND, IR_OR, IR_XOR,
	IR_ICMP,	/* sub: enum ir_pred; ops[0], ops[1] (integers or pointers); bits 1 */
	IR_SELECT,	/* ops[0]: i1; ops[1] when true, ops[2] when false */
	IR_PHI,		/* ops[i] when coming from block targets[i] */
	/* casts: ops[0] (ops[0].bits wide) to 'bits' */
	IR_ZEXT, IR_SEXT, IR_TRUNC,
	IR_BITCAST,	/* same bits: pointer to pointer, or int to int of equal width */
	IR_PTRTOINT, IR_INTTOPTR,
	IR_FREEZE,	/* ops[0] unchanged */
	/* memory */
	IR_ALLOCA,	/* 'size' bytes times ops[0] (an integer, usually the constant 1) */
	IR_LOAD,	/* ops[0]: address; 'size' bytes, little-endian; result 'bits' wide */
	IR_STORE,	/* ops[0]: value (ops[0].bits wide), ops[1]: address; 'size' bytes */
	IR_GEP,		/* ops[0]: base; ops[1..n_ops-1]: indices (sign-extended to 64 bits) each
			** times scales[i - 1]; plus 'offset' */
	/* calls: ops are the arguments */
	IR_CALL,	/* 'callee' >= 0: a function of the module with a body; else 'name' is a
			** declared function (the state library, libc); sub: enum ir_intrinsic */
	IR_UNSUPPORTED,	/* 'text': the printed instruction */
	IR_NOPS
};

enum ir_pred {
	IR_EQ, IR_NE, IR_UGT, IR_UGE, IR_ULT, IR_ULE, IR_SGT, IR_SGE, IR_SLT, IR_SLE
};

/* Intrinsics the executor models; anything else called "llvm.*" is IR_I_OTHER. */
enum ir_intrinsic {
	IR_I_NONE,	/* not an intrinsic */
	IR_I_BSWAP,	/* ops[0] */
	IR_I_MEMCPY,	/* ops[0] dst, ops[1] src, ops[2] length (ops[3] volatile flag) */
	IR_I_MEMMOVE,	/* the same */
	IR_I_MEMSET,	/* ops[0] dst, ops[1] i8 value, ops[2] length */
	IR_I_UMIN, IR_I_UMAX, IR_I_SMIN, IR_I_SMAX,	/* ops[0], ops[1] */
	IR_I_ABS,	/* ops[0] (ops[1]: the i1 "poison if INT_MIN" flag) */
	IR_I_USUB_SAT, IR_I_UADD_SAT,	/* ops[0], ops[1] */
	IR_I_FSHL, IR_I_FSHR,	/* funnel shifts (rotates): ops[0], ops[1], ops[2] */
	IR_I_CTPOP,	/* ops[0] */
	IR_I_EXPECT,	/* ops[0] is the result */
	IR_I_OTHER
};

enum ir_vkind {
	IR_V_REG,	/* 'idx': a register of the function */
	IR_V_CONST,	/* 'c': an integer constant, 'bits' wide (null pointers too) */
	IR_V_UNDEF,	/* undef or poison */
	IR_V_GLOBAL,	/* the address of global 'idx' plus 'c' bytes */
	IR_V_FUNC	/* the address of function 'idx' (plus 'c') */
};

struct ir_val {
	uint8_t kind;	/* enum ir_vkind */
	uint8_t bits;	/* integer width, 1..64; 64 for pointers */
	uint32_t idx;
	uint64_t c;
};

struct ir_inst {
	uint8_t op;		/* enum ir_op */
	uint8_t sub;		/* IR_ICMP: enum ir_pred; IR_CALL: enum ir_intrinsic */
	uint8_t bits;		/* result width; 0 when there is no result (store, void call) */
	uint32_t dst;		/* the register written when bits != 0 */
	uint32_t size;		/* IR_LOAD, IR_STORE: bytes accessed; IR_ALLOCA: bytes of one element */
	uint32_t n_ops;
	struct ir_val *ops;
	uint32_t n_targets;
	uint32_t *targets;	/* block indices (branches), or incoming blocks (phi) */
	uint64_t *cases;	/* IR_SWITCH: n_targets - 1 case values */
	int64_t *scales;	/* IR_GEP: n_ops - 1 scales */
	int64_t offset;		/* IR_GEP: the constant part, in bytes */
	int32_t callee;		/* IR_CALL: function index, or -1 */
	const char *name;	/* IR_CALL: the callee's name (always set) */
	const char *text;	/* IR_UNSUPPORTED: the instruction as LLVM prints it */
	uint16_t file;		/* index into ir_module.files; 0 when there is no debug location */
	uint32_t line;		/* 0 when unknown */
};

struct ir_block {
	uint32_t first;		/* index of its first instruction in ir_fn.insts */
	uint32_t n;
};

struct ir_fn {
	const char *name;
	bool body;		/* false: only declared (an external function) */
	uint32_t n_params;
	uint8_t *param_bits;	/* widths of the parameters */
	uint8_t ret_bits;	/* 0 for void */
	uint32_t n_regs;	/* parameters included */
	uint32_t n_blocks;	/* block 0 is the entry */
	struct ir_block *blocks;
	uint32_t n_insts;
	struct ir_inst *insts;
	uint16_t file;		/* where it is defined (debug info), 0 when unknown */
	uint32_t line;
};

/* A pointer inside a global's initializer (a table of strings, say). */
struct ir_reloc {
	uint32_t offset;	/* where in the global the 8-byte address goes */
	uint8_t kind;		/* IR_V_GLOBAL or IR_V_FUNC */
	uint32_t target;	/* global or function index */
	uint64_t addend;	/* bytes past the target's start */
};

struct ir_global {
	const char *name;
	uint32_t size;		/* bytes */
	uint8_t *init;		/* 'size' bytes: the initializer, zeros when there is none */
	bool constant;
	bool external;		/* declared here, defined elsewhere: no contents known */
	uint32_t n_relocs;
	struct ir_reloc *relocs;
};

struct ir_module {
	const char *path;	/* the bitcode file */
	uint32_t n_fns;
	struct ir_fn *fns;
	uint32_t n_globals;
	struct ir_global *globals;
	uint32_t n_files;
	const char **files;	/* files[0] is "?"; then every source file named by debug locations
				** (the base name, "nat.c", "packet.h") */
};

/* Reads a bitcode (or textual .ll) file and converts it. NULL with 'e' set (the file and what
** LLVM said) when it cannot be read, parsed or verified. */
struct ir_module *ir_load(const char *path, struct err *e);
void ir_free(struct ir_module *m);

/* The index of the function named 'name', or -1. */
int ir_find(const struct ir_module *m, const char *name);

/* "nat.c:42" (or "nat.c" / "?" when unknown) for an instruction, into buf. Returns buf. */
char *ir_loc(const struct ir_module *m, const struct ir_inst *in, char *buf, size_t size);

/* The LLVM name of an op ("getelementptr", "icmp"...), for messages. */
const char *ir_op_name(enum ir_op op);

/* Prints a function in a readable form (one instruction per line, with locations) into a
** malloc'ed string; for debugging and tests. */
char *ir_dump_fn(const struct ir_module *m, const struct ir_fn *f);

#endif
