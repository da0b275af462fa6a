#ifndef NFS_LIB_HOOK_H
#define NFS_LIB_HOOK_H
/*
** hook: where the three builds of the state library differ, so the objects' code has no #ifdef.
** Every state call goes through these helpers; in the plain build they compile to nothing.
**   NF_BUILD_TRACED  hook_read/hook_write/hook_update report (object, key bytes, op) to
**                    env->hooks.trace; hook_call reports a call's result to env->hooks.call,
**                    except between hook_inner_begin and hook_inner_end (the library calling
**                    itself).
**   NF_BUILD_LOCKED  hook_write asks env->hooks.write first; a refusal goes through
**                    nf_env_abort (which may longjmp) and the caller returns untouched.
**                    hook_core/hook_cores give the calling core for per-core dchain stamps.
** Not part of the NF API: for the state library only.
*/

#include "nf.h"

#if defined(NF_BUILD_TRACED) && defined(NF_BUILD_LOCKED)
#error "NF_BUILD_TRACED and NF_BUILD_LOCKED are two different builds"
#endif

/* Out of line, in hook.c: the bodies of the traced and locked helpers. */
void hook_report(struct nf_env *env, const char *name, const void *key, size_t len,
    enum nf_op op);
int hook_permit(struct nf_env *env, const char *name);
void hook_result(struct nf_env *env, const char *fn, const char *name, int64_t ret,
    const void *out, size_t len);
unsigned hook_core_of(struct nf_env *env);

#ifdef NF_BUILD_TRACED
#define HOOK_TRACED 1
#else
#define HOOK_TRACED 0
#endif
#ifdef NF_BUILD_LOCKED
#define HOOK_LOCKED 1
#else
#define HOOK_LOCKED 0
#endif

/* Reports one state touch (traced build only). */
static inline void
hook_trace(struct nf_env *env, const char *name, const void *key, size_t len, enum nf_op op)
{
	if (HOOK_TRACED)
		hook_report(env, name, key, len, op);
}

/* The same with a 4-byte number as the key, little-endian (vector and dchain indices, lpm
** addresses), whatever the host's byte order. */
static inline void
hook_trace_u32(struct nf_env *env, const char *name, uint32_t v, enum nf_op op)
{
	unsigned char b[4];

	if (HOOK_TRACED) {
		b[0] = (unsigned char)v;
		b[1] = (unsigned char)(v >> 8);
		b[2] = (unsigned char)(v >> 16);
		b[3] = (unsigned char)(v >> 24);
		hook_report(env, name, b, 4, op);
	}
}

/* Traced build: the end of state call 'fn' on object 'name', which returned 'ret' and handed
** back 'len' bytes at 'out' (nf.h, struct nf_hooks, says which). */
static inline void
hook_call(struct nf_env *env, const char *fn, const char *name, int64_t ret, const void *out,
    size_t len)
{
	if (HOOK_TRACED)
		hook_result(env, fn, name, ret, out, len);
}

/* The same handing back one 4-byte number, little-endian (a value, an index, a count). */
static inline void
hook_call_u32(struct nf_env *env, const char *fn, const char *name, int64_t ret, uint32_t v)
{
	unsigned char b[4];

	if (HOOK_TRACED) {
		b[0] = (unsigned char)v;
		b[1] = (unsigned char)(v >> 8);
		b[2] = (unsigned char)(v >> 16);
		b[3] = (unsigned char)(v >> 24);
		hook_result(env, fn, name, ret, b, 4);
	}
}

/* Around the public calls the library makes itself (expire_items, cht_find): the NF made one
** call, so only that one reports to hooks.call. The trace hook still hears every touch. */
static inline void
hook_inner_begin(struct nf_env *env)
{
	if (HOOK_TRACED)
		env->inner++;
}

static inline void
hook_inner_end(struct nf_env *env)
{
	if (HOOK_TRACED)
		env->inner--;
}

/* Locked build: asks to write 'name'. Nonzero when refused (nf_env_abort has run, and
** returned); the caller must then return without touching state. 0 in the other builds. */
static inline int
hook_ask(struct nf_env *env, const char *name)
{
	return HOOK_LOCKED ? hook_permit(env, name) : 0;
}

static inline void
hook_read(struct nf_env *env, const char *name, const void *key, size_t len)
{
	hook_trace(env, name, key, len, NF_OP_READ);
}

/* A write call: reports it, then asks for it (see hook_ask for the result). */
static inline int
hook_write(struct nf_env *env, const char *name, const void *key, size_t len)
{
	hook_trace(env, name, key, len, NF_OP_WRITE);
	return hook_ask(env, name);
}

static inline void
hook_update(struct nf_env *env, const char *name, const void *key, size_t len)
{
	hook_trace(env, name, key, len, NF_OP_UPDATE);
}

/* Cores with their own dchain timestamps: env->n_cores in the locked build, else 1. */
static inline unsigned
hook_cores(const struct nf_env *env)
{
	if (!HOOK_LOCKED || env->n_cores < 1)
		return 1;
	return env->n_cores;
}

/* The calling core, below hook_cores(env). */
static inline unsigned
hook_core(struct nf_env *env)
{
	return HOOK_LOCKED ? hook_core_of(env) : 0;
}

#endif
