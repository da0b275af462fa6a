/*
** ir: an NF's bitcode, read through LLVM-C 14, turned into the arrays of ir.h. Each function is
** walked twice: the first pass numbers blocks and registers, the second converts instructions,
** so phis and branches can name what comes later. Everything the module keeps lives in one
** arena, freed at once by ir_free; LLVM's context is gone before ir_load returns.
*/

#include "engine/ir.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/IRReader.h>
#include <llvm-c/Target.h>

#include "engine/htab.h"
#include "engine/sbuf.h"
#include "engine/xalloc.h"

/* ---- the arena ---- */

#define CHUNK_BYTES (64 * 1024)

struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

/* The module as handed out, plus the memory behind it (ir_free casts back). */
struct owned {
	struct ir_module m;
	struct chunk *chunks;
};

/* 'n' zeroed bytes, 8-aligned, owned by the module. */
static void *
arena_alloc(struct owned *o, size_t n)
{
	struct chunk *ch = o->chunks;
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (!ch || ch->cap - ch->used < n) {
		size_t cap = n > CHUNK_BYTES / 4 ? n : CHUNK_BYTES;
		struct chunk *nc = xcalloc(1, sizeof *nc + cap);

		nc->cap = cap;
		/* A big block gets its own chunk behind the current one, which keeps its room. */
		if (ch && cap == n) {
			nc->next = ch->next;
			ch->next = nc;
			nc->used = n;
			return nc->data;
		}
		nc->next = ch;
		o->chunks = ch = nc;
	}
	p = (unsigned char *)ch->data + ch->used;
	ch->used += n;
	return p;
}

static char *
arena_strndup(struct owned *o, const char *s, size_t n)
{
	char *d = arena_alloc(o, n + 1);

	memcpy(d, s, n);
	return d;
}

/* ---- conversion state ---- */

/* What the map knows about an LLVM value: the kind in the high word, the index in the low. */
enum { TAG_GLOBAL = 1, TAG_FUNC, TAG_REG, TAG_BLOCK };
#define TAG(t, i) ((uint64_t)(t) << 32 | (uint32_t)(i))

/* How a call to a function is treated, decided once per function from its name. */
enum { CALL_PLAIN, CALL_DROP, CALL_NOP };

struct file_seen {
	const char *ptr;	/* LLVM's string, the same pointer for every use of one DIFile */
	unsigned len;
	uint16_t idx;
};

struct conv {
	struct owned *o;
	struct ir_module *m;
	LLVMTargetDataRef td;
	struct htab *map;		/* LLVMValueRef / LLVMBasicBlockRef -> TAG() */
	uint8_t *call_kind;		/* per function: CALL_* */
	uint8_t *intrinsic;		/* per function: enum ir_intrinsic */
	struct file_seen *seen;
	size_t n_seen, cap_seen;
	const char **files;
	size_t n_files, cap_files;
	struct ir_reloc *relocs;	/* the global being serialized */
	size_t n_relocs, cap_relocs;
};

static void
map_put(struct conv *c, const void *ptr, uint64_t tag)
{
	*htab_upsert(c->map, &ptr, NULL) = tag;
}

/* The index of 'ptr' if the map holds it with tag 't'. */
static bool
map_get(const struct conv *c, const void *ptr, unsigned t, uint32_t *out)
{
	uint64_t *v = htab_find(c->map, &ptr);

	if (!v || *v >> 32 != t)
		return false;
	*out = (uint32_t)*v;
	return true;
}

/* The files[] index of a debug location's file: LLVM hands out one pointer per DIFile, so most
** calls end in the first loop; new names are reduced to their base name and deduplicated. */
static uint16_t
file_index(struct conv *c, const char *name, unsigned len)
{
	const char *base = name;
	size_t blen, idx;

	for (size_t i = 0; i < c->n_seen; i++)
		if (c->seen[i].ptr == name && c->seen[i].len == len)
			return c->seen[i].idx;
	for (unsigned i = 0; i < len; i++)
		if (name[i] == '/')
			base = name + i + 1;
	blen = len - (size_t)(base - name);
	for (idx = 1; idx < c->n_files; idx++)
		if (strlen(c->files[idx]) == blen && memcmp(c->files[idx], base, blen) == 0)
			break;
	if (idx == c->n_files) {
		if (idx > UINT16_MAX) {
			idx = 0;
		} else {
			if (c->n_files == c->cap_files) {
				c->cap_files *= 2;
				c->files = xrealloc(c->files, c->cap_files * sizeof *c->files);
			}
			c->files[c->n_files++] = arena_strndup(c->o, base, blen);
		}
	}
	if (c->n_seen == c->cap_seen) {
		c->cap_seen = c->cap_seen ? 2 * c->cap_seen : 8;
		c->seen = xrealloc(c->seen, c->cap_seen * sizeof *c->seen);
	}
	c->seen[c->n_seen++] = (struct file_seen){ .ptr = name, .len = len, .idx = (uint16_t)idx };
	return (uint16_t)idx;
}

/* Integer width (up to 64) or 64 for a pointer; 0 for anything the executor cannot hold. */
static unsigned
type_bits(LLVMTypeRef t)
{
	switch (LLVMGetTypeKind(t)) {
	case LLVMIntegerTypeKind: {
		unsigned w = LLVMGetIntTypeWidth(t);
		return w <= 64 ? w : 0;
	}
	case LLVMPointerTypeKind:
		return 64;
	default:
		return 0;
	}
}

static uint64_t
mask_bits(uint64_t x, unsigned bits)
{
	return bits >= 64 ? x : x & ((1ULL << bits) - 1);
}

/* ---- operands ---- */

static bool conv_val(struct conv *c, LLVMValueRef v, struct ir_val *out);

/* The constant byte offset of a GEP (instruction or constant expression) and, when 'vars' is
** given, its variable indices with their scales. False when an index cannot be expressed:
** a variable one in a constant expression, a vector, an integer wider than 64 bits. */
static bool
gep_walk(struct conv *c, LLVMValueRef gep, int64_t *out_off, struct ir_val *vars,
	 int64_t *scales, uint32_t *out_nvars)
{
	LLVMTypeRef t = LLVMGetGEPSourceElementType(gep);
	unsigned n = (unsigned)LLVMGetNumOperands(gep);
	uint32_t nv = 0;
	int64_t off = 0;

	for (unsigned i = 1; i < n; i++) {
		LLVMValueRef ix = LLVMGetOperand(gep, i);
		bool is_const = LLVMGetValueKind(ix) == LLVMConstantIntValueKind;
		LLVMTypeRef next = t;
		int64_t scale;

		if (i > 1) {
			switch (LLVMGetTypeKind(t)) {
			case LLVMStructTypeKind: {
				unsigned f;
				if (!is_const)
					return false;
				f = (unsigned)LLVMConstIntGetZExtValue(ix);
				off = (int64_t)((uint64_t)off + LLVMOffsetOfElement(c->td, t, f));
				t = LLVMStructGetTypeAtIndex(t, f);
				continue;
			}
			case LLVMArrayTypeKind:
			case LLVMVectorTypeKind:
				next = LLVMGetElementType(t);
				break;
			default:
				return false;
			}
		}
		/* The first index steps over whole objects of the source type, later ones inside. */
		scale = (int64_t)LLVMABISizeOfType(c->td, next);
		if (is_const) {
			if (type_bits(LLVMTypeOf(ix)) == 0)
				return false;
			/* wraps like the address arithmetic it stands for, without signed overflow */
			off = (int64_t)((uint64_t)off +
					(uint64_t)LLVMConstIntGetSExtValue(ix) * (uint64_t)scale);
		} else {
			if (!vars || !conv_val(c, ix, &vars[nv]))
				return false;
			scales[nv++] = scale;
		}
		t = next;
	}
	*out_off = off;
	if (out_nvars)
		*out_nvars = nv;
	return true;
}

/* Constant expressions that stay an address (or an integer): GEP and casts of a global, a
** function or a constant. */
static bool
conv_expr(struct conv *c, LLVMValueRef v, unsigned bits, struct ir_val *out)
{
	int64_t off;

	switch (LLVMGetConstOpcode(v)) {
	case LLVMGetElementPtr:
		if (!conv_val(c, LLVMGetOperand(v, 0), out) || !gep_walk(c, v, &off, NULL, NULL, NULL))
			return false;
		out->c += (uint64_t)off;
		break;
	case LLVMBitCast:
	case LLVMAddrSpaceCast:
	case LLVMPtrToInt:
	case LLVMIntToPtr:
		if (!conv_val(c, LLVMGetOperand(v, 0), out))
			return false;
		break;
	default:
		return false;
	}
	if (out->kind != IR_V_GLOBAL && out->kind != IR_V_FUNC && out->kind != IR_V_CONST)
		return false;
	out->bits = (uint8_t)bits;
	if (out->kind == IR_V_CONST)
		out->c = mask_bits(out->c, bits);
	return true;
}

/* One operand; false when the executor could not represent it (the instruction is then
** unsupported). */
static bool
conv_val(struct conv *c, LLVMValueRef v, struct ir_val *out)
{
	unsigned bits = type_bits(LLVMTypeOf(v));

	memset(out, 0, sizeof *out);
	if (!bits)
		return false;
	out->bits = (uint8_t)bits;
	switch (LLVMGetValueKind(v)) {
	case LLVMArgumentValueKind:
	case LLVMInstructionValueKind:
		out->kind = IR_V_REG;
		return map_get(c, v, TAG_REG, &out->idx);
	case LLVMConstantIntValueKind:
		out->kind = IR_V_CONST;
		out->c = LLVMConstIntGetZExtValue(v);
		return true;
	case LLVMConstantPointerNullValueKind:
		out->kind = IR_V_CONST;
		return true;
	case LLVMUndefValueValueKind:
	case LLVMPoisonValueValueKind:
		out->kind = IR_V_UNDEF;
		return true;
	case LLVMGlobalVariableValueKind:
		out->kind = IR_V_GLOBAL;
		return map_get(c, v, TAG_GLOBAL, &out->idx);
	case LLVMFunctionValueKind:
		out->kind = IR_V_FUNC;
		return map_get(c, v, TAG_FUNC, &out->idx);
	case LLVMConstantExprValueKind:
		return conv_expr(c, v, bits, out);
	case LLVMGlobalAliasValueKind:
		/* the verifier rules out cycles */
		if (!conv_val(c, LLVMAliasGetAliasee(v), out))
			return false;
		out->bits = (uint8_t)bits;
		return true;
	default:
		return false;
	}
}

/* ---- instructions ---- */

static const struct {
	const char *prefix;
	uint8_t kind;
} intrinsics[] = {
	/* The element-wise atomic forms take an element size: not the plain semantics. */
	{ "llvm.memcpy.element.", IR_I_OTHER },
	{ "llvm.memmove.element.", IR_I_OTHER },
	{ "llvm.memset.element.", IR_I_OTHER },
	{ "llvm.bswap.", IR_I_BSWAP },
	{ "llvm.memcpy.", IR_I_MEMCPY },
	{ "llvm.memmove.", IR_I_MEMMOVE },
	{ "llvm.memset.", IR_I_MEMSET },
	{ "llvm.umin.", IR_I_UMIN },
	{ "llvm.umax.", IR_I_UMAX },
	{ "llvm.smin.", IR_I_SMIN },
	{ "llvm.smax.", IR_I_SMAX },
	{ "llvm.abs.", IR_I_ABS },
	{ "llvm.usub.sat.", IR_I_USUB_SAT },
	{ "llvm.uadd.sat.", IR_I_UADD_SAT },
	{ "llvm.fshl.", IR_I_FSHL },
	{ "llvm.fshr.", IR_I_FSHR },
	{ "llvm.ctpop.", IR_I_CTPOP },
	{ "llvm.expect.", IR_I_EXPECT },
};

static bool
has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static void
classify_fn(struct conv *c, uint32_t idx, const char *name)
{
	c->call_kind[idx] = CALL_PLAIN;
	c->intrinsic[idx] = IR_I_NONE;
	if (!has_prefix(name, "llvm."))
		return;
	if (has_prefix(name, "llvm.dbg.")) {
		c->call_kind[idx] = CALL_DROP;
		return;
	}
	if (has_prefix(name, "llvm.lifetime.") || strcmp(name, "llvm.assume") == 0 ||
	    strcmp(name, "llvm.experimental.noalias.scope.decl") == 0) {
		c->call_kind[idx] = CALL_NOP;
		return;
	}
	c->intrinsic[idx] = IR_I_OTHER;
	for (size_t i = 0; i < sizeof intrinsics / sizeof intrinsics[0]; i++)
		if (has_prefix(name, intrinsics[i].prefix)) {
			c->intrinsic[idx] = intrinsics[i].kind;
			return;
		}
}

/* The function a call names, through pointer casts (K&R-style calls bitcast the callee). */
static bool
direct_callee(const struct conv *c, LLVMValueRef call, uint32_t *out)
{
	LLVMValueRef f = LLVMGetCalledValue(call);

	while (LLVMGetValueKind(f) == LLVMConstantExprValueKind &&
	       (LLVMGetConstOpcode(f) == LLVMBitCast || LLVMGetConstOpcode(f) == LLVMAddrSpaceCast))
		f = LLVMGetOperand(f, 0);
	if (LLVMGetValueKind(f) != LLVMFunctionValueKind)
		return false;
	return map_get(c, f, TAG_FUNC, out);
}

static bool
is_dropped(const struct conv *c, LLVMValueRef v)
{
	uint32_t f;

	return LLVMGetInstructionOpcode(v) == LLVMCall && direct_callee(c, v, &f) &&
	       c->call_kind[f] == CALL_DROP;
}

/* Operands first..first+n-1 of 'v' as the instruction's ops. */
static bool
set_ops(struct conv *c, struct ir_inst *in, LLVMValueRef v, unsigned first, unsigned n)
{
	in->n_ops = n;
	in->ops = n ? arena_alloc(c->o, n * sizeof *in->ops) : NULL;
	for (unsigned i = 0; i < n; i++)
		if (!conv_val(c, LLVMGetOperand(v, first + i), &in->ops[i]))
			return false;
	return true;
}

static bool
set_block(struct conv *c, LLVMBasicBlockRef bb, uint32_t *out)
{
	return map_get(c, bb, TAG_BLOCK, out);
}

static bool
conv_switch(struct conv *c, struct ir_inst *in, LLVMValueRef v)
{
	unsigned ns = LLVMGetNumSuccessors(v);

	if (!set_ops(c, in, v, 0, 1))
		return false;
	in->n_targets = ns;
	in->targets = arena_alloc(c->o, ns * sizeof *in->targets);
	in->cases = arena_alloc(c->o, (ns ? ns - 1 : 1) * sizeof *in->cases);
	/* Operands: condition, default, then (value, destination) pairs; no case accessor in 14. */
	for (unsigned i = 0; i < ns; i++) {
		if (!set_block(c, LLVMGetSuccessor(v, i), &in->targets[i]))
			return false;
		if (i > 0)
			in->cases[i - 1] = LLVMConstIntGetZExtValue(LLVMGetOperand(v, 2 * i));
	}
	return true;
}

static bool
conv_phi(struct conv *c, struct ir_inst *in, LLVMValueRef v)
{
	unsigned n = LLVMCountIncoming(v);

	in->n_ops = in->n_targets = n;
	in->ops = arena_alloc(c->o, (n ? n : 1) * sizeof *in->ops);
	in->targets = arena_alloc(c->o, (n ? n : 1) * sizeof *in->targets);
	for (unsigned i = 0; i < n; i++)
		if (!conv_val(c, LLVMGetIncomingValue(v, i), &in->ops[i]) ||
		    !set_block(c, LLVMGetIncomingBlock(v, i), &in->targets[i]))
			return false;
	return true;
}

static bool
conv_gep(struct conv *c, struct ir_inst *in, LLVMValueRef v)
{
	unsigned n = (unsigned)LLVMGetNumOperands(v);
	uint32_t nv;

	in->ops = arena_alloc(c->o, n * sizeof *in->ops);
	in->scales = arena_alloc(c->o, n * sizeof *in->scales);
	if (!conv_val(c, LLVMGetOperand(v, 0), &in->ops[0]) ||
	    !gep_walk(c, v, &in->offset, in->ops + 1, in->scales, &nv))
		return false;
	in->n_ops = 1 + nv;
	return true;
}

static bool
conv_call(struct conv *c, struct ir_inst *in, LLVMValueRef v)
{
	uint32_t f;

	if (!direct_callee(c, v, &f))
		return false;
	in->name = c->m->fns[f].name;
	if (c->call_kind[f] == CALL_NOP) {
		in->op = IR_NOP;
		return true;
	}
	in->callee = c->m->fns[f].body ? (int32_t)f : -1;
	in->sub = c->intrinsic[f];
	return set_ops(c, in, v, 0, LLVMGetNumArgOperands(v));
}

/* Opcodes whose operands map one to one onto ops: arithmetic, casts, freeze, select. */
static const uint8_t plain_ops[][2] = {
	{ LLVMAdd, IR_ADD }, { LLVMSub, IR_SUB }, { LLVMMul, IR_MUL }, { LLVMUDiv, IR_UDIV },
	{ LLVMSDiv, IR_SDIV }, { LLVMURem, IR_UREM }, { LLVMSRem, IR_SREM }, { LLVMShl, IR_SHL },
	{ LLVMLShr, IR_LSHR }, { LLVMAShr, IR_ASHR }, { LLVMAnd, IR_AND }, { LLVMOr, IR_OR },
	{ LLVMXor, IR_XOR }, { LLVMZExt, IR_ZEXT }, { LLVMSExt, IR_SEXT }, { LLVMTrunc, IR_TRUNC },
	{ LLVMBitCast, IR_BITCAST }, { LLVMAddrSpaceCast, IR_BITCAST },
	{ LLVMPtrToInt, IR_PTRTOINT }, { LLVMIntToPtr, IR_INTTOPTR }, { LLVMFreeze, IR_FREEZE },
	{ LLVMSelect, IR_SELECT },
};

/* The printed instruction, without its indentation and debug attachments. */
static const char *
print_inst(struct conv *c, LLVMValueRef v)
{
	char *s = LLVMPrintValueToString(v);
	const char *p = s, *end, *dbg;
	const char *r;

	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	if ((dbg = strstr(p, ", !dbg !")) != NULL)
		end = dbg;
	while (end > p && (end[-1] == ' ' || end[-1] == '\n'))
		end--;
	r = arena_strndup(c->o, p, (size_t)(end - p));
	LLVMDisposeMessage(s);
	return r;
}

/* Fills 'in' (zeroed, dst already set) for 'v'; false: the executor cannot run it. */
static bool
conv_inst(struct conv *c, struct ir_inst *in, LLVMValueRef v, bool has_result)
{
	LLVMOpcode op = LLVMGetInstructionOpcode(v);

	if (has_result && !in->bits)
		return false;	/* a float, vector, struct or token result */
	switch (op) {
	case LLVMRet:
		in->op = IR_RET;
		return set_ops(c, in, v, 0, (unsigned)LLVMGetNumOperands(v));
	case LLVMBr:
		in->targets = arena_alloc(c->o, 2 * sizeof *in->targets);
		if (!LLVMIsConditional(v)) {
			in->op = IR_BR;
			in->n_targets = 1;
			return set_block(c, LLVMGetSuccessor(v, 0), &in->targets[0]);
		}
		in->op = IR_CONDBR;
		in->n_targets = 2;
		in->n_ops = 1;
		in->ops = arena_alloc(c->o, sizeof *in->ops);
		return conv_val(c, LLVMGetCondition(v), &in->ops[0]) &&
		       set_block(c, LLVMGetSuccessor(v, 0), &in->targets[0]) &&
		       set_block(c, LLVMGetSuccessor(v, 1), &in->targets[1]);
	case LLVMSwitch:
		in->op = IR_SWITCH;
		return conv_switch(c, in, v);
	case LLVMUnreachable:
		in->op = IR_UNREACHABLE;
		return true;
	case LLVMICmp: {
		int pred = (int)LLVMGetICmpPredicate(v) - LLVMIntEQ;
		if (pred < 0 || pred > IR_SLE)
			return false;
		in->op = IR_ICMP;
		in->sub = (uint8_t)pred;
		return set_ops(c, in, v, 0, 2);
	}
	case LLVMPHI:
		in->op = IR_PHI;
		return conv_phi(c, in, v);
	case LLVMAlloca:
		in->op = IR_ALLOCA;
		in->size = (uint32_t)LLVMABISizeOfType(c->td, LLVMGetAllocatedType(v));
		return set_ops(c, in, v, 0, 1);
	case LLVMLoad:
		if (LLVMGetOrdering(v) != LLVMAtomicOrderingNotAtomic)
			return false;
		in->op = IR_LOAD;
		in->size = (uint32_t)LLVMStoreSizeOfType(c->td, LLVMTypeOf(v));
		return set_ops(c, in, v, 0, 1);
	case LLVMStore:
		if (LLVMGetOrdering(v) != LLVMAtomicOrderingNotAtomic)
			return false;
		in->op = IR_STORE;
		in->size = (uint32_t)LLVMStoreSizeOfType(c->td, LLVMTypeOf(LLVMGetOperand(v, 0)));
		return set_ops(c, in, v, 0, 2);
	case LLVMGetElementPtr:
		in->op = IR_GEP;
		return conv_gep(c, in, v);
	case LLVMCall:
		in->op = IR_CALL;
		return conv_call(c, in, v);
	default:
		break;
	}
	for (size_t i = 0; i < sizeof plain_ops / sizeof plain_ops[0]; i++)
		if (plain_ops[i][0] == op) {
			in->op = plain_ops[i][1];
			return set_ops(c, in, v, 0, (unsigned)LLVMGetNumOperands(v));
		}
	return false;
}

/* Keeps what the executor needs to name a failing instruction: its text and, for a call, the
** callee's name. */
static void
set_unsupported(struct conv *c, struct ir_inst *in, LLVMValueRef v)
{
	struct ir_inst keep = *in;

	memset(in, 0, sizeof *in);
	in->op = IR_UNSUPPORTED;
	in->dst = keep.dst;
	in->bits = keep.bits;
	in->callee = -1;
	in->name = keep.name;
	in->file = keep.file;
	in->line = keep.line;
	in->text = print_inst(c, v);
}

/* ---- functions ---- */

static bool
has_result(LLVMValueRef v)
{
	return LLVMGetTypeKind(LLVMTypeOf(v)) != LLVMVoidTypeKind;
}

static void
set_loc(struct conv *c, LLVMValueRef v, uint16_t *out_file, uint32_t *out_line)
{
	unsigned len = 0;
	const char *name = LLVMGetDebugLocFilename(v, &len);

	if (!name || !len)
		return;
	*out_file = file_index(c, name, len);
	*out_line = LLVMGetDebugLocLine(v);
}

static void
conv_body(struct conv *c, struct ir_fn *f, LLVMValueRef fn)
{
	uint32_t reg = f->n_params, nb = 0, ni = 0;
	LLVMBasicBlockRef bb;
	LLVMValueRef v;

	/* Pass 1: block and register numbers, so any operand can be resolved in pass 2. */
	for (bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
		map_put(c, bb, TAG(TAG_BLOCK, nb++));
		for (v = LLVMGetFirstInstruction(bb); v; v = LLVMGetNextInstruction(v)) {
			ni++;
			if (has_result(v))
				map_put(c, v, TAG(TAG_REG, reg++));
		}
	}
	f->n_regs = reg;
	f->n_blocks = nb;
	f->blocks = arena_alloc(c->o, nb * sizeof *f->blocks);
	f->insts = arena_alloc(c->o, ni * sizeof *f->insts);

	reg = f->n_params;
	nb = ni = 0;
	for (bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb), nb++) {
		f->blocks[nb].first = ni;
		for (v = LLVMGetFirstInstruction(bb); v; v = LLVMGetNextInstruction(v)) {
			bool res = has_result(v);
			struct ir_inst *in;

			if (!res && is_dropped(c, v))
				continue;
			in = &f->insts[ni++];
			if (res) {
				in->dst = reg++;
				in->bits = (uint8_t)type_bits(LLVMTypeOf(v));
			}
			in->callee = -1;
			set_loc(c, v, &in->file, &in->line);
			if (!f->file && in->file) {
				f->file = in->file;
				f->line = in->line;
			}
			if (!conv_inst(c, in, v, res))
				set_unsupported(c, in, v);
		}
		f->blocks[nb].n = ni - f->blocks[nb].first;
	}
	f->n_insts = ni;
}

static void
conv_fn(struct conv *c, struct ir_fn *f, LLVMValueRef fn)
{
	uint32_t n = 0;

	f->n_params = LLVMCountParams(fn);
	f->param_bits = arena_alloc(c->o, f->n_params);
	for (LLVMValueRef p = LLVMGetFirstParam(fn); p; p = LLVMGetNextParam(p), n++) {
		f->param_bits[n] = (uint8_t)type_bits(LLVMTypeOf(p));
		map_put(c, p, TAG(TAG_REG, n));
	}
	f->ret_bits = (uint8_t)type_bits(LLVMGetReturnType(LLVMGlobalGetValueType(fn)));
	/* The subprogram's line is the definition's; without one, the first located instruction. */
	set_loc(c, fn, &f->file, &f->line);
	if (f->body)
		conv_body(c, f, fn);
}

/* ---- globals ---- */

static void
put_le(struct ir_global *g, uint64_t off, uint64_t x, uint64_t n)
{
	for (uint64_t i = 0; i < n && i < 8; i++)
		g->init[off + i] = (uint8_t)(x >> (8 * i));
}

static void
add_reloc(struct conv *c, uint64_t off, const struct ir_val *x)
{
	if (c->n_relocs == c->cap_relocs) {
		c->cap_relocs = c->cap_relocs ? 2 * c->cap_relocs : 16;
		c->relocs = xrealloc(c->relocs, c->cap_relocs * sizeof *c->relocs);
	}
	c->relocs[c->n_relocs++] = (struct ir_reloc){
		.offset = (uint32_t)off, .kind = x->kind, .target = x->idx, .addend = x->c };
}

/* Writes constant 'v' into g's bytes at 'off'; addresses become relocations. Forms it does not
** know leave zeros. */
static void
init_write(struct conv *c, struct ir_global *g, LLVMValueRef v, uint64_t off)
{
	LLVMTypeRef t = LLVMTypeOf(v);
	uint64_t size, n, stride;
	struct ir_val x;

	if (!LLVMTypeIsSized(t))
		return;
	size = LLVMStoreSizeOfType(c->td, t);
	if (off > g->size || size > g->size - off)
		return;
	switch (LLVMGetValueKind(v)) {
	case LLVMConstantIntValueKind:
		if (type_bits(t))
			put_le(g, off, LLVMConstIntGetZExtValue(v), size);
		break;
	case LLVMConstantFPValueKind: {
		LLVMBool lost;
		double d = LLVMConstRealGetDouble(v, &lost);
		if (LLVMGetTypeKind(t) == LLVMDoubleTypeKind) {
			memcpy(g->init + off, &d, sizeof d);
		} else if (LLVMGetTypeKind(t) == LLVMFloatTypeKind) {
			float fl = (float)d;
			memcpy(g->init + off, &fl, sizeof fl);
		}
		break;
	}
	case LLVMConstantDataArrayValueKind:
	case LLVMConstantDataVectorValueKind: {
		LLVMTypeRef et = LLVMGetElementType(t);
		n = LLVMGetTypeKind(t) == LLVMArrayTypeKind ? LLVMGetArrayLength(t) : LLVMGetVectorSize(t);
		if (LLVMIsConstantString(v)) {
			size_t len;
			const char *s = LLVMGetAsString(v, &len);
			memcpy(g->init + off, s, len < n ? len : n);
			break;
		}
		stride = LLVMABISizeOfType(c->td, et);
		for (uint64_t i = 0; i < n; i++)
			init_write(c, g, LLVMGetElementAsConstant(v, (unsigned)i), off + i * stride);
		break;
	}
	case LLVMConstantArrayValueKind:
	case LLVMConstantVectorValueKind:
		n = (uint64_t)LLVMGetNumOperands(v);
		stride = LLVMABISizeOfType(c->td, LLVMGetElementType(t));
		for (uint64_t i = 0; i < n; i++)
			init_write(c, g, LLVMGetOperand(v, (unsigned)i), off + i * stride);
		break;
	case LLVMConstantStructValueKind:
		n = (uint64_t)LLVMGetNumOperands(v);
		for (uint64_t i = 0; i < n; i++)
			init_write(c, g, LLVMGetOperand(v, (unsigned)i),
				   off + LLVMOffsetOfElement(c->td, t, (unsigned)i));
		break;
	case LLVMGlobalVariableValueKind:
	case LLVMFunctionValueKind:
	case LLVMConstantExprValueKind:
		if (!conv_val(c, v, &x))
			break;
		if (x.kind == IR_V_CONST)
			put_le(g, off, x.c, size);
		else if (size == 8)
			add_reloc(c, off, &x);
		break;
	default:
		/* zeroinitializer, null, undef, poison: zeros; anything else: unknown, zeros too */
		break;
	}
}

static void
conv_global(struct conv *c, struct ir_global *g, LLVMValueRef gv)
{
	LLVMTypeRef t = LLVMGlobalGetValueType(gv);
	LLVMValueRef init = LLVMGetInitializer(gv);
	uint64_t size = LLVMTypeIsSized(t) ? LLVMABISizeOfType(c->td, t) : 0;

	g->size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
	g->init = arena_alloc(c->o, g->size);
	g->constant = LLVMIsGlobalConstant(gv);
	g->external = init == NULL;
	if (!init)
		return;
	c->n_relocs = 0;
	init_write(c, g, init, 0);
	if (c->n_relocs) {
		g->n_relocs = (uint32_t)c->n_relocs;
		g->relocs = arena_alloc(c->o, c->n_relocs * sizeof *g->relocs);
		memcpy(g->relocs, c->relocs, c->n_relocs * sizeof *g->relocs);
	}
}

/* ---- the module ---- */

static const char *
value_name(struct conv *c, LLVMValueRef v)
{
	size_t len = 0;
	const char *s = LLVMGetValueName2(v, &len);

	return arena_strndup(c->o, s ? s : "", s ? len : 0);
}

static void
conv_module(struct conv *c, LLVMModuleRef mod)
{
	struct ir_module *m = c->m;
	LLVMValueRef v;
	uint32_t i;

	for (v = LLVMGetFirstFunction(mod); v; v = LLVMGetNextFunction(v))
		m->n_fns++;
	for (v = LLVMGetFirstGlobal(mod); v; v = LLVMGetNextGlobal(v))
		m->n_globals++;
	m->fns = arena_alloc(c->o, m->n_fns * sizeof *m->fns);
	m->globals = arena_alloc(c->o, m->n_globals * sizeof *m->globals);
	c->call_kind = xcalloc(m->n_fns, 1);
	c->intrinsic = xcalloc(m->n_fns, 1);

	/* Every global and function gets its index before any operand or initializer names one. */
	for (v = LLVMGetFirstFunction(mod), i = 0; v; v = LLVMGetNextFunction(v), i++) {
		m->fns[i].name = value_name(c, v);
		m->fns[i].body = !LLVMIsDeclaration(v);
		classify_fn(c, i, m->fns[i].name);
		map_put(c, v, TAG(TAG_FUNC, i));
	}
	for (v = LLVMGetFirstGlobal(mod), i = 0; v; v = LLVMGetNextGlobal(v), i++) {
		m->globals[i].name = value_name(c, v);
		map_put(c, v, TAG(TAG_GLOBAL, i));
	}
	for (v = LLVMGetFirstGlobal(mod), i = 0; v; v = LLVMGetNextGlobal(v), i++)
		conv_global(c, &m->globals[i], v);
	for (v = LLVMGetFirstFunction(mod), i = 0; v; v = LLVMGetNextFunction(v), i++)
		conv_fn(c, &m->fns[i], v);

	m->n_files = (uint32_t)c->n_files;
	m->files = arena_alloc(c->o, c->n_files * sizeof *m->files);
	memcpy(m->files, c->files, c->n_files * sizeof *m->files);
}

/* LLVM reports some problems (and warnings) through the context; without a handler it prints
** them, and exits on errors. Keep the first error for the message. */
static void
diag_handler(LLVMDiagnosticInfoRef di, void *ctx)
{
	char *first = ctx;

	if (LLVMGetDiagInfoSeverity(di) == LLVMDSError && !first[0]) {
		char *s = LLVMGetDiagInfoDescription(di);
		snprintf(first, 256, "%s", s);
		LLVMDisposeMessage(s);
	}
}

/* The message LLVM gave, one line, without a repeat of the path it may start with. */
static void
llvm_fail(struct err *e, int code, const char *path, const char *what, const char *msg)
{
	size_t plen = strlen(path), len;

	if (!msg || !*msg) {
		err_set(e, code, "%s: %s", path, what);
		return;
	}
	if (strncmp(msg, path, plen) == 0 && msg[plen] == ':')
		msg += plen + 1;
	while (*msg == ' ')
		msg++;
	len = strcspn(msg, "\n");
	err_set(e, code, "%s: %s: %.*s", path, what, (int)len, msg);
}

static LLVMModuleRef
parse(LLVMContextRef ctx, const char *path, const char *diag, struct err *e)
{
	LLVMMemoryBufferRef mb;
	LLVMModuleRef mod = NULL;
	char *msg = NULL;

	if (LLVMCreateMemoryBufferWithContentsOfFile(path, &mb, &msg)) {
		llvm_fail(e, -EIO, path, "cannot read", msg);
		LLVMDisposeMessage(msg);
		return NULL;
	}
	/* Takes the buffer, and reads bitcode as well as text. */
	if (LLVMParseIRInContext(ctx, mb, &mod, &msg)) {
		llvm_fail(e, -EINVAL, path, "cannot parse", msg && *msg ? msg : diag);
		if (msg)
			LLVMDisposeMessage(msg);
		return NULL;
	}
	msg = NULL;
	if (LLVMVerifyModule(mod, LLVMReturnStatusAction, &msg)) {
		llvm_fail(e, -EINVAL, path, "invalid module", msg);
		LLVMDisposeMessage(msg);
		LLVMDisposeModule(mod);
		return NULL;
	}
	if (msg)
		LLVMDisposeMessage(msg);
	return mod;
}

struct ir_module *
ir_load(const char *path, struct err *e)
{
	char diag[256] = "";
	struct conv c = { 0 };
	LLVMContextRef ctx;
	LLVMModuleRef mod;
	struct stat st;
	int fd;

	/* errno says more than LLVM's message when the file cannot be opened at all. */
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		err_set(e, -errno, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	close(fd);
	if (S_ISDIR(st.st_mode)) {
		err_set(e, -EISDIR, "%s: is a directory", path);
		return NULL;
	}
	/* LLVM would take an empty file for an empty textual module. */
	if (S_ISREG(st.st_mode) && st.st_size == 0) {
		err_set(e, -EINVAL, "%s: empty file, not bitcode", path);
		return NULL;
	}
	ctx = LLVMContextCreate();
	LLVMContextSetDiagnosticHandler(ctx, diag_handler, diag);
	mod = parse(ctx, path, diag, e);
	if (!mod) {
		LLVMContextDispose(ctx);
		return NULL;
	}

	c.o = xcalloc(1, sizeof *c.o);
	c.m = &c.o->m;
	c.m->path = arena_strndup(c.o, path, strlen(path));
	c.td = LLVMGetModuleDataLayout(mod);
	c.map = htab_new(sizeof(void *));
	c.cap_files = 8;
	c.files = xmalloc(c.cap_files * sizeof *c.files);
	c.files[c.n_files++] = "?";
	conv_module(&c, mod);

	htab_free(c.map);
	free(c.call_kind);
	free(c.intrinsic);
	free(c.seen);
	free(c.files);
	free(c.relocs);
	LLVMDisposeModule(mod);
	LLVMContextDispose(ctx);
	return c.m;
}

void
ir_free(struct ir_module *m)
{
	struct owned *o = (struct owned *)m;
	struct chunk *ch, *next;

	if (!m)
		return;
	for (ch = o->chunks; ch; ch = next) {
		next = ch->next;
		free(ch);
	}
	free(o);
}

int
ir_find(const struct ir_module *m, const char *name)
{
	for (uint32_t i = 0; i < m->n_fns; i++)
		if (strcmp(m->fns[i].name, name) == 0)
			return (int)i;
	return -1;
}

char *
ir_loc(const struct ir_module *m, const struct ir_inst *in, char *buf, size_t size)
{
	const char *file = in->file < m->n_files ? m->files[in->file] : "?";

	if (in->line)
		snprintf(buf, size, "%s:%u", file, (unsigned)in->line);
	else
		snprintf(buf, size, "%s", file);
	return buf;
}

static const char *const op_names[IR_NOPS] = {
	[IR_NOP] = "nop", [IR_RET] = "ret", [IR_BR] = "br", [IR_CONDBR] = "br",
	[IR_SWITCH] = "switch", [IR_UNREACHABLE] = "unreachable", [IR_ADD] = "add",
	[IR_SUB] = "sub", [IR_MUL] = "mul", [IR_UDIV] = "udiv", [IR_SDIV] = "sdiv",
	[IR_UREM] = "urem", [IR_SREM] = "srem", [IR_SHL] = "shl", [IR_LSHR] = "lshr",
	[IR_ASHR] = "ashr", [IR_AND] = "and", [IR_OR] = "or", [IR_XOR] = "xor",
	[IR_ICMP] = "icmp", [IR_SELECT] = "select", [IR_PHI] = "phi", [IR_ZEXT] = "zext",
	[IR_SEXT] = "sext", [IR_TRUNC] = "trunc", [IR_BITCAST] = "bitcast",
	[IR_PTRTOINT] = "ptrtoint", [IR_INTTOPTR] = "inttoptr", [IR_FREEZE] = "freeze",
	[IR_ALLOCA] = "alloca", [IR_LOAD] = "load", [IR_STORE] = "store",
	[IR_GEP] = "getelementptr", [IR_CALL] = "call", [IR_UNSUPPORTED] = "unsupported",
};

const char *
ir_op_name(enum ir_op op)
{
	return (unsigned)op < IR_NOPS && op_names[op] ? op_names[op] : "?";
}

/* ---- the readable listing ---- */

static const char *const pred_names[] = {
	"eq", "ne", "ugt", "uge", "ult", "ule", "sgt", "sge", "slt", "sle" };

static const char *const intrinsic_names[] = {
	[IR_I_NONE] = "", [IR_I_BSWAP] = "bswap", [IR_I_MEMCPY] = "memcpy",
	[IR_I_MEMMOVE] = "memmove", [IR_I_MEMSET] = "memset", [IR_I_UMIN] = "umin",
	[IR_I_UMAX] = "umax", [IR_I_SMIN] = "smin", [IR_I_SMAX] = "smax", [IR_I_ABS] = "abs",
	[IR_I_USUB_SAT] = "usub.sat", [IR_I_UADD_SAT] = "uadd.sat", [IR_I_FSHL] = "fshl",
	[IR_I_FSHR] = "fshr", [IR_I_CTPOP] = "ctpop", [IR_I_EXPECT] = "expect",
	[IR_I_OTHER] = "other",
};

static void
dump_val(struct sbuf *sb, const struct ir_module *m, const struct ir_val *x)
{
	switch (x->kind) {
	case IR_V_REG:
		sbuf_printf(sb, "%%%u", (unsigned)x->idx);
		return;
	case IR_V_CONST:
		if (x->c < 0x10000)
			sbuf_printf(sb, "i%u %llu", x->bits, (unsigned long long)x->c);
		else
			sbuf_printf(sb, "i%u 0x%llx", x->bits, (unsigned long long)x->c);
		return;
	case IR_V_UNDEF:
		sbuf_printf(sb, "i%u undef", x->bits);
		return;
	case IR_V_GLOBAL:
	case IR_V_FUNC:
		sbuf_printf(sb, "@%s", x->kind == IR_V_GLOBAL ?
			    (x->idx < m->n_globals ? m->globals[x->idx].name : "?") :
			    (x->idx < m->n_fns ? m->fns[x->idx].name : "?"));
		if (x->c)
			sbuf_printf(sb, "%+lld", (long long)x->c);
		if (x->bits != 64)
			sbuf_printf(sb, " as i%u", x->bits);
		return;
	default:
		sbuf_adds(sb, "?");
	}
}

static void
dump_ops(struct sbuf *sb, const struct ir_module *m, const struct ir_inst *in, uint32_t from)
{
	for (uint32_t i = from; i < in->n_ops; i++) {
		if (i > from)
			sbuf_adds(sb, ", ");
		dump_val(sb, m, &in->ops[i]);
	}
}

static void
dump_inst(struct sbuf *sb, const struct ir_module *m, const struct ir_inst *in)
{
	char loc[128];

	sbuf_adds(sb, "  ");
	if (in->bits)
		sbuf_printf(sb, "%%%u = ", (unsigned)in->dst);
	sbuf_adds(sb, ir_op_name(in->op));
	switch (in->op) {
	case IR_BR:
		sbuf_printf(sb, " b%u", (unsigned)in->targets[0]);
		break;
	case IR_CONDBR:
		sbuf_adds(sb, " ");
		dump_ops(sb, m, in, 0);
		sbuf_printf(sb, ", b%u, b%u", (unsigned)in->targets[0], (unsigned)in->targets[1]);
		break;
	case IR_SWITCH:
		sbuf_adds(sb, " ");
		dump_ops(sb, m, in, 0);
		sbuf_printf(sb, ", default b%u [", (unsigned)in->targets[0]);
		for (uint32_t i = 1; i < in->n_targets; i++)
			sbuf_printf(sb, "%s%llu: b%u", i > 1 ? ", " : "",
				    (unsigned long long)in->cases[i - 1], (unsigned)in->targets[i]);
		sbuf_adds(sb, "]");
		break;
	case IR_ICMP:
		sbuf_printf(sb, " %s ", in->sub < 10 ? pred_names[in->sub] : "?");
		dump_ops(sb, m, in, 0);
		break;
	case IR_PHI:
		sbuf_printf(sb, " i%u", in->bits);
		for (uint32_t i = 0; i < in->n_ops; i++) {
			sbuf_adds(sb, i ? ", [" : " [");
			dump_val(sb, m, &in->ops[i]);
			sbuf_printf(sb, ", b%u]", (unsigned)in->targets[i]);
		}
		break;
	case IR_ZEXT: case IR_SEXT: case IR_TRUNC: case IR_BITCAST: case IR_PTRTOINT:
	case IR_INTTOPTR:
		sbuf_adds(sb, " ");
		dump_ops(sb, m, in, 0);
		sbuf_printf(sb, " to i%u", in->bits);
		break;
	case IR_ALLOCA:
		sbuf_printf(sb, " %u bytes x ", (unsigned)in->size);
		dump_ops(sb, m, in, 0);
		break;
	case IR_LOAD:
		sbuf_printf(sb, " i%u, %u bytes from ", in->bits, (unsigned)in->size);
		dump_ops(sb, m, in, 0);
		break;
	case IR_STORE:
		sbuf_printf(sb, " %u bytes ", (unsigned)in->size);
		dump_ops(sb, m, in, 0);
		break;
	case IR_GEP:
		sbuf_adds(sb, " ");
		dump_val(sb, m, &in->ops[0]);
		for (uint32_t i = 1; i < in->n_ops; i++) {
			sbuf_adds(sb, " + ");
			dump_val(sb, m, &in->ops[i]);
			sbuf_printf(sb, " * %lld", (long long)in->scales[i - 1]);
		}
		if (in->offset)
			sbuf_printf(sb, " %+lld", (long long)in->offset);
		break;
	case IR_CALL:
	case IR_NOP:
		if (in->name)
			sbuf_printf(sb, " %s(", in->name);
		else
			sbuf_adds(sb, " (");
		dump_ops(sb, m, in, 0);
		sbuf_adds(sb, ")");
		if (in->op == IR_CALL && in->callee >= 0)
			sbuf_printf(sb, " [fn %d]", (int)in->callee);
		if (in->op == IR_CALL && in->sub && in->sub <= IR_I_OTHER)
			sbuf_printf(sb, " [%s]", intrinsic_names[in->sub]);
		break;
	case IR_UNSUPPORTED:
		sbuf_printf(sb, ": %s", in->text ? in->text : "");
		break;
	default:
		if (in->bits)
			sbuf_printf(sb, " i%u", in->bits);
		if (in->n_ops)
			sbuf_adds(sb, " ");
		dump_ops(sb, m, in, 0);
		break;
	}
	if (in->file || in->line)
		sbuf_printf(sb, "\t; %s", ir_loc(m, in, loc, sizeof loc));
	sbuf_addc(sb, '\n');
}

char *
ir_dump_fn(const struct ir_module *m, const struct ir_fn *f)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_printf(&sb, "%s %s(", f->body ? "define" : "declare", f->name);
	for (uint32_t i = 0; i < f->n_params; i++) {
		sbuf_adds(&sb, i ? ", " : "");
		if (f->param_bits[i])
			sbuf_printf(&sb, "i%u ", f->param_bits[i]);
		sbuf_printf(&sb, "%%%u", (unsigned)i);
	}
	sbuf_adds(&sb, ")");
	if (f->ret_bits)
		sbuf_printf(&sb, " -> i%u", f->ret_bits);
	if (f->file || f->line)
		sbuf_printf(&sb, "\t; %s:%u", f->file < m->n_files ? m->files[f->file] : "?",
			    (unsigned)f->line);
	sbuf_addc(&sb, '\n');
	for (uint32_t b = 0; b < f->n_blocks; b++) {
		sbuf_printf(&sb, "b%u:\n", (unsigned)b);
		for (uint32_t i = 0; i < f->blocks[b].n; i++)
			dump_inst(&sb, m, &f->insts[f->blocks[b].first + i]);
	}
	return sbuf_detach(&sb);
}
