/*
** The out-of-line halves of hook.h. Compiled into every build; the plain build never calls them.
*/

#include "hook.h"

void
hook_report(struct nf_env *env, const char *name, const void *key, size_t len, enum nf_op op)
{
	if (env->hooks.trace)
		env->hooks.trace(env->hooks.arg, name, key, len, op);
}

void
hook_result(struct nf_env *env, const char *fn, const char *name, int64_t ret, const void *out,
    size_t len)
{
	if (env->inner == 0 && env->hooks.call)
		env->hooks.call(env->hooks.arg, fn, name, ret, len ? out : NULL, len);
}

int
hook_permit(struct nf_env *env, const char *name)
{
	if (!env->hooks.write || env->hooks.write(env->hooks.arg, name) == 0)
		return 0;
	nf_env_abort(env);
	return 1;
}

unsigned
hook_core_of(struct nf_env *env)
{
	unsigned core;

	if (!env->hooks.core)
		return 0;
	core = env->hooks.core(env->hooks.arg);
	if (core >= env->n_cores) {
		/* A host bug; core 0's copy is as good as any, and the count shows it. */
		env->misuse++;
		return 0;
	}
	return core;
}
