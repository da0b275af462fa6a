/*
** The instance context of nf.h: configuration lookup, the capacity share, object names, and the
** memory every object of an instance lives in, so one call frees a whole instance.
*/

#include "nf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each allocation carries this in front of it, padded so the memory the caller gets is aligned
** to a cache line (state of different objects never shares one). */
struct nf_mem {
	struct nf_mem *next;
	void *base;		/* what calloc returned */
};

#define NF_ALIGN 64

void
nf_env_setup(struct nf_env *env, const struct nf_desc *desc)
{
	memset(env, 0, sizeof *env);
	env->desc = desc;
	env->share_num = 1;
	env->share_den = 1;
	env->n_cores = 1;
}

void
nf_env_release(struct nf_env *env)
{
	struct nf_mem *m = env->mem, *next;

	for (; m; m = next) {
		next = m->next;
		free(m->base);
	}
	env->mem = NULL;
	env->n_objects = 0;
}

uint32_t
nf_env_capacity(const struct nf_env *env, uint32_t capacity)
{
	uint64_t c;

	if (capacity & 0x80000000u)
		return capacity & 0x7fffffffu;
	if (env->share_den == 0 || env->share_num >= env->share_den)
		return capacity ? capacity : 1;
	c = ((uint64_t)capacity * env->share_num + env->share_den - 1) / env->share_den;
	return c ? (uint32_t)c : 1;
}

void
nf_env_fail(struct nf_env *env, const char *fmt, ...)
{
	va_list ap;

	if (env->failed)
		return;
	env->failed = 1;
	va_start(ap, fmt);
	vsnprintf(env->error, sizeof env->error, fmt, ap);
	va_end(ap);
}

int
nf_env_ok(const struct nf_env *env)
{
	return !env->failed;
}

void *
nf_alloc(struct nf_env *env, size_t size)
{
	size_t hdr = (sizeof(struct nf_mem) + NF_ALIGN - 1) / NF_ALIGN * NF_ALIGN;
	char *base, *p;
	struct nf_mem *m;

	if (size > SIZE_MAX - hdr - NF_ALIGN) {
		nf_env_fail(env, "out of memory (%zu bytes asked)", size);
		return NULL;
	}
	/* calloc: large tables come zeroed from the kernel without being touched here. */
	base = calloc(1, size + hdr + NF_ALIGN);
	if (!base) {
		nf_env_fail(env, "out of memory (%zu bytes asked)", size);
		return NULL;
	}
	p = (char *)(((uintptr_t)base + sizeof *m + NF_ALIGN - 1) / NF_ALIGN * NF_ALIGN);
	m = (struct nf_mem *)p - 1;
	m->base = base;
	m->next = env->mem;
	env->mem = m;
	return p;
}

static int
name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '_' || c == '.' || c == '-';
}

const char *
nf_env_name(struct nf_env *env, const char *name)
{
	size_t n, i;

	if (!name || !*name) {
		nf_env_fail(env, "an object needs a name");
		return NULL;
	}
	n = strlen(name);
	for (i = 0; i < n; i++) {
		if (!name_char_ok(name[i])) {
			nf_env_fail(env, "object name \"%s\": only letters, digits, '_', '.' and '-'",
			    name);
			return NULL;
		}
	}
	if (n >= NF_NAME_MAX) {
		nf_env_fail(env, "object name \"%s\" is longer than %d characters", name,
		    NF_NAME_MAX - 1);
		return NULL;
	}
	for (i = 0; i < env->n_objects; i++) {
		if (strcmp(env->names[i], name) == 0) {
			nf_env_fail(env, "two objects are named \"%s\"", name);
			return NULL;
		}
	}
	if (env->n_objects >= sizeof env->names / sizeof env->names[0]) {
		nf_env_fail(env, "more than %zu state objects",
		    sizeof env->names / sizeof env->names[0]);
		return NULL;
	}
	memcpy(env->names[env->n_objects], name, n + 1);
	return env->names[env->n_objects++];
}

/* The declared parameter 'key', or NULL after failing the instance. */
static const struct nf_param *
find_param(struct nf_env *env, const char *key)
{
	const struct nf_param *p;

	for (p = env->desc ? env->desc->params : NULL; p && p->key; p++) {
		if (strcmp(p->key, key) == 0)
			return p;
	}
	nf_env_fail(env, "configuration key \"%s\" is not declared in the descriptor", key);
	return NULL;
}

const char *
nf_config_str(struct nf_env *env, const char *key)
{
	const struct nf_param *p = find_param(env, key);
	unsigned i;

	if (!p)
		return "";
	for (i = env->n_config; i-- > 0;) {
		if (strcmp(env->keys[i], key) == 0)
			return env->values[i];
	}
	return p->def ? p->def : "";
}

uint64_t
nf_config_uint(struct nf_env *env, const char *key, uint64_t min, uint64_t max)
{
	const char *s = nf_config_str(env, key);
	unsigned long long v;
	char *end;

	if (env->failed)
		return min;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (*s < '0' || *s > '9' || *end || errno) {
		nf_env_fail(env, "%s=%s: not a number", key, s);
		return min;
	}
	if (v < min || v > max) {
		nf_env_fail(env, "%s=%s: out of range %llu..%llu", key, s,
		    (unsigned long long)min, (unsigned long long)max);
		return min;
	}
	return v;
}

uint32_t
nf_config_ipv4(struct nf_env *env, const char *key)
{
	const char *s = nf_config_str(env, key), *q = s;
	uint32_t a = 0;
	int i, digits;
	unsigned part;

	if (env->failed)
		return 0;
	for (i = 0; i < 4; i++) {
		part = 0;
		for (digits = 0; *q >= '0' && *q <= '9' && digits < 4; digits++, q++)
			part = part * 10 + (unsigned)(*q - '0');
		if (digits == 0 || digits > 3 || part > 255 || (i < 3 && *q != '.'))
			break;
		a = a << 8 | part;
		if (i < 3)
			q++;
	}
	if (i < 4 || *q) {
		nf_env_fail(env, "%s=%s: not an IPv4 address (a.b.c.d)", key, s);
		return 0;
	}
	return a;
}

void
nf_env_abort(struct nf_env *env)
{
	env->aborted = 1;
	if (env->abort_to)
		longjmp(*env->abort_to, 1);
}
