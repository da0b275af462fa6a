/*
** Native NF loading: compile (cached by content), dlopen, descriptor, configuration, instances.
*/

#include "engine/nfload.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/clock.h"
#include "engine/xalloc.h"

#ifndef BATON_ROOT
#define BATON_ROOT "."
#endif
#ifndef BATON_BUILD_DIR
#define BATON_BUILD_DIR "build"
#endif
#ifndef BATON_NF_CC
#define BATON_NF_CC "gcc"
#endif

#define MAX_PARAMS 64

typedef void *init_fn(struct nf_env *env);
typedef void env_setup_fn(struct nf_env *env, const struct nf_desc *desc);
typedef void env_release_fn(struct nf_env *env);

/* One compiled build of the NF. */
struct nfso {
	void *handle;
	char *path;
	const struct nf_desc *desc;
	init_fn *init;
	nfload_process_fn *process;
	env_setup_fn *setup;
	env_release_fn *release;
};

struct nfload {
	char *source;
	struct nfso so[NFLOAD_NBUILDS];
	const struct nf_desc *desc;	/* the plain build's */
	unsigned nports, nparams;
	char *values[MAX_PARAMS];	/* set values by parameter index, NULL: default */
	bool compiled;
	double compile_s;
	const struct progress *progress;	/* its guard runs nf_init */
};

/* The analysis's bitcode is one more cached build, made by clang (DESIGN.md section 4.1). */
#define BUILD_IR NFLOAD_NBUILDS

static const char *const build_names[NFLOAD_NBUILDS + 1] = { "plain", "traced", "locked", "ir" };
static const char *const build_defs[NFLOAD_NBUILDS + 1] = {
	NULL, "-DNF_BUILD_TRACED", "-DNF_BUILD_LOCKED" };

const char *
nfload_root(void)
{
	const char *r = getenv("BATON_ROOT");

	return r && *r ? r : BATON_ROOT;
}

const char *
nfload_cache(void)
{
	const char *c = getenv("BATON_CACHE");

	return c && *c ? c : BATON_BUILD_DIR "/nfs/so";
}

/* ---- finding sources ---- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files in 'dir' ending in one of the suffixes ("c" or "h"), sorted, NULL-terminated. */
static char **
list_dir(const char *dir, bool headers)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 3 || de->d_name[0] == '.' || de->d_name[len - 2] != '.')
			continue;
		if (de->d_name[len - 1] != 'c' && !(headers && de->d_name[len - 1] == 'h'))
			continue;
		if (n + 2 > cap) {
			cap = cap ? cap * 2 : 16;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[n++] = xstrdup(de->d_name);
	}
	if (d)
		closedir(d);
	if (!names)
		names = xcalloc(1, sizeof *names);
	qsort(names, n, sizeof *names, cmp_str);
	names[n] = NULL;
	return names;
}

void
nfload_names_free(char **names)
{
	for (char **p = names; p && *p; p++)
		free(*p);
	free(names);
}

char **
nfload_bundled(void)
{
	char dir[4096];
	char **names;

	snprintf(dir, sizeof dir, "%s/nfs", nfload_root());
	names = list_dir(dir, false);
	for (char **p = names; *p; p++)
		(*p)[strlen(*p) - 2] = '\0';
	return names;
}

/* The .c file 'what' names: a path when it has a '/' or ends in ".c", else nfs/WHAT.c. */
static char *
resolve(const char *what, struct err *e)
{
	struct stat st;
	char *path;
	size_t n = strlen(what);

	if (n == 0) {
		err_set(e, -EINVAL, "load: which NF? (a bundled name or a .c file)");
		return NULL;
	}
	if (strchr(what, '/') || (n > 2 && strcmp(what + n - 2, ".c") == 0)) {
		path = xstrdup(what);
	} else {
		struct sbuf sb = SBUF_INIT;
		char **names;
		sbuf_printf(&sb, "%s/nfs/%s.c", nfload_root(), what);
		if (stat(sbuf_str(&sb), &st) == 0)
			return sbuf_detach(&sb);
		sbuf_reset(&sb);
		names = nfload_bundled();
		for (char **p = names; *p; p++)
			sbuf_printf(&sb, " %s", *p);
		err_set(e, -ENOENT, "no bundled NF named '%s' (bundled:%s; or give a path to a .c file)",
			what, sbuf_str(&sb));
		nfload_names_free(names);
		sbuf_release(&sb);
		return NULL;
	}
	if (stat(path, &st) < 0) {
		err_set(e, -errno, "%s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(e, -EINVAL, "%s: not a regular file", path);
		free(path);
		return NULL;
	}
	return path;
}

/* ---- the content hash that names a cached build ---- */

static uint64_t
fnv(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static int
hash_file(uint64_t *h, const char *path, struct err *e)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return err_set(e, -errno, "%s: %s", path, strerror(errno));
	*h = fnv(*h, path, strlen(path) + 1);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		*h = fnv(*h, buf, (size_t)n);
	close(fd);
	if (n < 0)
		return err_set(e, -EIO, "%s: %s", path, strerror(errno));
	return 0;
}

/* The compiler's argument list for one build (NULL-terminated; free with nfload_names_free). */
static char **
compile_argv(const char *source, enum nfload_build b, const char *out)
{
	char lib[4096];
	char **lsrc, **argv;
	size_t n = 0, nl = 0;

	snprintf(lib, sizeof lib, "%s/nfs/lib", nfload_root());
	if ((int)b == BUILD_IR) {
		/* The NF alone: state-library calls stay calls for the executor to model. */
		static const char *const ir[] = {
			BATON_CLANG, "-std=gnu11", "-O1", "-g", "-emit-llvm", "-c", "-fno-vectorize",
			"-fno-slp-vectorize", "-fno-unroll-loops", "-Wall", "-Wextra",
			"-Wno-unused-parameter", "-fno-color-diagnostics", "-I", NULL
		};
		argv = xcalloc(sizeof ir / sizeof ir[0] + 8, sizeof *argv);
		for (; ir[n]; n++)
			argv[n] = xstrdup(ir[n]);
		argv[n++] = xstrdup(lib);
		argv[n++] = xstrdup("-o");
		argv[n++] = xstrdup(out);
		argv[n++] = xstrdup(source);
		argv[n] = NULL;
		return argv;
	}
	lsrc = list_dir(lib, false);
	while (lsrc[nl])
		nl++;
	argv = xcalloc(nl + 24, sizeof *argv);
	argv[n++] = xstrdup(BATON_NF_CC);
	argv[n++] = xstrdup("-std=gnu11");
	argv[n++] = xstrdup("-O2");
	/* The state library's calls are most of an NF's work: inline them across files, and
	** call the library's own definitions directly, not through the PLT. */
	argv[n++] = xstrdup("-flto=auto");
	argv[n++] = xstrdup("-fno-semantic-interposition");
	argv[n++] = xstrdup("-g");
	argv[n++] = xstrdup("-fPIC");
	argv[n++] = xstrdup("-shared");
	argv[n++] = xstrdup("-Wall");
	argv[n++] = xstrdup("-Wextra");
	argv[n++] = xstrdup("-Wno-unused-parameter");
	/* Every symbol must resolve now: a typo is a compile error, not a dlopen surprise. */
	argv[n++] = xstrdup("-Wl,-z,defs");
	argv[n++] = xstrdup("-fdiagnostics-color=never");
	argv[n++] = xstrdup("-I");
	argv[n++] = xstrdup(lib);
	if (build_defs[b])
		argv[n++] = xstrdup(build_defs[b]);
	argv[n++] = xstrdup("-o");
	argv[n++] = xstrdup(out);
	argv[n++] = xstrdup(source);
	for (size_t i = 0; i < nl; i++) {
		struct sbuf sb = SBUF_INIT;
		sbuf_printf(&sb, "%s/%s", lib, lsrc[i]);
		argv[n++] = sbuf_detach(&sb);
	}
	argv[n] = NULL;
	nfload_names_free(lsrc);
	return argv;
}

/* The cached .so path for this source and build: hash of the compiler line, the NF and every
** file of nfs/lib. */
static char *
cache_path(const char *source, enum nfload_build b, struct err *e)
{
	char lib[4096];
	uint64_t h = 0xcbf29ce484222325ull;
	char **argv = compile_argv(source, b, "-"), **names;
	struct sbuf sb = SBUF_INIT;
	const char *base, *dot;

	for (char **p = argv; *p; p++)
		h = fnv(h, *p, strlen(*p) + 1);
	nfload_names_free(argv);
	if (hash_file(&h, source, e) < 0)
		return NULL;
	snprintf(lib, sizeof lib, "%s/nfs/lib", nfload_root());
	names = list_dir(lib, true);
	for (char **p = names; *p; p++) {
		sbuf_reset(&sb);
		sbuf_printf(&sb, "%s/%s", lib, *p);
		if (hash_file(&h, sbuf_str(&sb), e) < 0) {
			nfload_names_free(names);
			sbuf_release(&sb);
			return NULL;
		}
	}
	nfload_names_free(names);
	base = strrchr(source, '/');
	base = base ? base + 1 : source;
	dot = strrchr(base, '.');
	sbuf_reset(&sb);
	sbuf_printf(&sb, "%s/%.*s-%s-%016llx.%s", nfload_cache(),
		    (int)(dot ? (size_t)(dot - base) : strlen(base)), base, build_names[b],
		    (unsigned long long)h, (int)b == BUILD_IR ? "bc" : "so");
	return sbuf_detach(&sb);
}

int
nfload_mkdirs(const char *path)
{
	char buf[4096];

	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0777) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Runs the compiler; its output (stdout and stderr) goes to 'out'. Returns its exit status, or
** -1 when it could not run. */
static int
run_compiler(char **argv, struct sbuf *out)
{
	int fds[2], status;
	pid_t pid;
	char buf[4096];
	ssize_t n;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		sbuf_add(out, buf, (size_t)n);
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Makes sure the .so of build 'b' exists (compiling it into the cache when it does not) and
** opens it. */
/* The cached output of build 'b' (compiled into the cache when missing), malloc'ed; NULL with
** 'e' set when it does not compile. */
static char *
build_path(struct nfload *nf, enum nfload_build b, struct sbuf *warnings, struct err *e)
{
	char *path, *tmp, *slash;
	struct stat st;

	path = cache_path(nf->source, b, e);
	if (!path)
		return NULL;
	if (stat(path, &st) < 0) {
		struct sbuf sb = SBUF_INIT, out = SBUF_INIT;
		char **argv;
		double t0 = clock_seconds();
		int rc;

		slash = strrchr(path, '/');
		*slash = '\0';
		rc = nfload_mkdirs(path);
		*slash = '/';
		if (rc < 0) {
			err_set(e, rc, "cannot create %.*s: %s", (int)(slash - path), path, strerror(-rc));
			free(path);
			return NULL;
		}
		sbuf_printf(&sb, "%s.%d.tmp", path, (int)getpid());
		tmp = sbuf_detach(&sb);
		argv = compile_argv(nf->source, b, tmp);
		rc = run_compiler(argv, &out);
		nfload_names_free(argv);
		nf->compiled = true;
		nf->compile_s += clock_seconds() - t0;
		if (rc != 0) {
			const char *text = sbuf_str(&out);
			size_t len = strlen(text);
			/* Keep the end when it is long: the last errors and the summary line. */
			if (len > ERR_MSG_LEN - 200)
				text += len - (ERR_MSG_LEN - 200);
			if (rc < 0 || rc == 127)
				err_set(e, -ENOEXEC, "%s: cannot run the compiler %s%s%s", nf->source,
					(int)b == BUILD_IR ? BATON_CLANG : BATON_NF_CC, *text ? ":\n" : "",
					text);
			else
				err_set(e, -EINVAL, "%s does not compile (%s build):\n%s", nf->source,
					build_names[b], text);
			unlink(tmp);
			free(tmp);
			free(path);
			sbuf_release(&out);
			return NULL;
		}
		if (warnings)
			sbuf_adds(warnings, sbuf_str(&out));
		sbuf_release(&out);
		if (rename(tmp, path) < 0) {
			err_set(e, -errno, "%s: %s", path, strerror(errno));
			unlink(tmp);
			free(tmp);
			free(path);
			return NULL;
		}
		free(tmp);
	}
	return path;
}

static int
so_open(struct nfload *nf, enum nfload_build b, struct sbuf *warnings, struct err *e)
{
	struct nfso *so = &nf->so[b];
	char *path;
	void *h;

	if (so->handle)
		return 0;
	path = build_path(nf, b, warnings, e);
	if (!path)
		return e->code;
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		err_set(e, -ENOEXEC, "%s: %s", path, dlerror());
		free(path);
		return e->code;
	}
	so->handle = h;
	so->path = path;
	so->desc = dlsym(h, "nf_descriptor");
	*(void **)&so->init = dlsym(h, "nf_init");
	*(void **)&so->process = dlsym(h, "nf_process");
	*(void **)&so->setup = dlsym(h, "nf_env_setup");
	*(void **)&so->release = dlsym(h, "nf_env_release");
	if (!so->desc || !so->init || !so->process || !so->setup || !so->release) {
		err_set(e, -EINVAL, "%s: missing %s (an NF defines nf_init, nf_process and "
			"NF_DESCRIPTOR(...), see nfs/lib/nf.h)", nf->source,
			!so->desc ? "the descriptor (NF_DESCRIPTOR)" :
			!so->init ? "nf_init" : !so->process ? "nf_process" : "the state library");
		return e->code;
	}
	return 0;
}

static void
so_close(struct nfso *so)
{
	if (so->handle)
		dlclose(so->handle);
	free(so->path);
	memset(so, 0, sizeof *so);
}

/* Checks what the descriptor declares, so nothing later trusts garbage. */
static int
check_desc(struct nfload *nf, struct err *e)
{
	const struct nf_desc *d = nf->desc;
	unsigned i;

	if (!d->name || !*d->name)
		return err_set(e, -EINVAL, "%s: the descriptor has no name", nf->source);
	if (!d->summary)
		return err_set(e, -EINVAL, "%s: the descriptor has no summary", nf->source);
	for (i = 0; i < NF_MAX_PORTS && d->ports[i]; i++) {
		if (!*d->ports[i] || nfload_port(nf, d->ports[i]) != (int)i)
			return err_set(e, -EINVAL, "%s: port %u has an empty or repeated name",
				       nf->source, i);
	}
	if (i == 0)
		return err_set(e, -EINVAL, "%s: the descriptor declares no ports", nf->source);
	nf->nports = i;
	for (i = 0; d->params && d->params[i].key; i++) {
		if (i == MAX_PARAMS)
			return err_set(e, -EINVAL, "%s: more than %d configuration keys", nf->source,
				       MAX_PARAMS);
		if (!d->params[i].def)
			return err_set(e, -EINVAL, "%s: configuration key '%s' has no default",
				       nf->source, d->params[i].key);
	}
	nf->nparams = i;
	return 0;
}

struct nfload *
nfload_open(const char *what, const struct progress *p, struct sbuf *warnings, struct err *e)
{
	struct nfload *nf;
	struct nfload_inst *in;
	char *source = resolve(what, e);

	if (!source)
		return NULL;
	nf = xcalloc(1, sizeof *nf);
	nf->source = source;
	nf->progress = p;
	nf->nports = NF_MAX_PORTS;	/* until check_desc counts them */
	if (so_open(nf, NFLOAD_PLAIN, warnings, e) < 0)
		goto fail;
	nf->desc = nf->so[NFLOAD_PLAIN].desc;
	if (check_desc(nf, e) < 0)
		goto fail;
	/* A trial instance: an NF that refuses its own defaults is not loaded. */
	in = nfload_instance(nf, NFLOAD_PLAIN, 1, 1, NULL, 1, e);
	if (!in) {
		err_prefix(e, "%s: with its default configuration", nf->source);
		goto fail;
	}
	nfload_instance_free(in);
	return nf;
fail:
	nfload_close(nf);
	return NULL;
}

void
nfload_close(struct nfload *nf)
{
	if (!nf)
		return;
	for (int b = 0; b < NFLOAD_NBUILDS; b++)
		so_close(&nf->so[b]);
	for (unsigned i = 0; i < MAX_PARAMS; i++)
		free(nf->values[i]);
	free(nf->source);
	free(nf);
}

const struct nf_desc *
nfload_desc(const struct nfload *nf)
{
	return nf->desc;
}

const char *
nfload_source(const struct nfload *nf)
{
	return nf->source;
}

const char *
nfload_object(const struct nfload *nf)
{
	return nf->so[NFLOAD_PLAIN].path;
}

unsigned
nfload_nports(const struct nfload *nf)
{
	return nf->nports;
}

bool
nfload_compiled(const struct nfload *nf)
{
	return nf->compiled;
}

double
nfload_compile_seconds(const struct nfload *nf)
{
	return nf->compile_s;
}

int
nfload_port(const struct nfload *nf, const char *name)
{
	char *end;
	long v;

	for (unsigned i = 0; i < nf->nports && nf->desc->ports[i]; i++) {
		if (strcmp(nf->desc->ports[i], name) == 0)
			return (int)i;
	}
	v = strtol(name, &end, 10);
	if (*name >= '0' && *name <= '9' && !*end && v >= 0 && v < (long)nf->nports)
		return (int)v;
	return -1;
}

static int
param_index(const struct nfload *nf, const char *key)
{
	for (unsigned i = 0; i < nf->nparams; i++) {
		if (strcmp(nf->desc->params[i].key, key) == 0)
			return (int)i;
	}
	return -1;
}

const char *
nfload_get(const struct nfload *nf, const char *key)
{
	int i = param_index(nf, key);

	if (i < 0)
		return NULL;
	return nf->values[i] ? nf->values[i] : nf->desc->params[i].def;
}

int
nfload_set(struct nfload *nf, const char *key, const char *value, struct err *e)
{
	int i = param_index(nf, key);
	char *old;
	struct nfload_inst *in;

	if (i < 0) {
		struct sbuf sb = SBUF_INIT;
		for (unsigned k = 0; k < nf->nparams; k++)
			sbuf_printf(&sb, " %s", nf->desc->params[k].key);
		err_set(e, -EINVAL, "%s has no configuration key '%s' (keys:%s)", nf->desc->name,
			key, nf->nparams ? sbuf_str(&sb) : " none");
		sbuf_release(&sb);
		return -EINVAL;
	}
	old = nf->values[i];
	nf->values[i] = xstrdup(value);
	in = nfload_instance(nf, NFLOAD_PLAIN, 1, 1, NULL, 1, e);
	if (!in) {
		free(nf->values[i]);
		nf->values[i] = old;
		return e->code ? e->code : -EINVAL;
	}
	nfload_instance_free(in);
	free(old);
	return 0;
}

/* Copies of the keys set away from their defaults and their values (NULL-terminated). */
static unsigned
config_pairs(const struct nfload *nf, char ***keys, char ***values)
{
	unsigned n = 0;

	*keys = xcalloc(nf->nparams + 1, sizeof **keys);
	*values = xcalloc(nf->nparams + 1, sizeof **values);
	for (unsigned i = 0; i < nf->nparams; i++) {
		if (!nf->values[i])
			continue;
		(*keys)[n] = xstrdup(nf->desc->params[i].key);
		(*values)[n++] = xstrdup(nf->values[i]);
	}
	return n;
}

static void
pairs_free(char **keys, char **values)
{
	for (unsigned i = 0; keys[i]; i++) {
		free(keys[i]);
		free(values[i]);
	}
	free(keys);
	free(values);
}

static int
run_init(void *arg)
{
	struct nfload_inst *in = arg;

	in->state = in->nf->so[in->build].init(&in->env);
	return 0;
}

struct nfload_inst *
nfload_instance(struct nfload *nf, enum nfload_build build, uint32_t num, uint32_t den,
		const struct nf_hooks *hooks, unsigned n_cores, struct err *e)
{
	struct nfload_inst *in;
	struct nfso *so;
	unsigned n = 0;
	int sig;

	if ((unsigned)build >= NFLOAD_NBUILDS)
		build = NFLOAD_PLAIN;
	if (so_open(nf, build, NULL, e) < 0)
		return NULL;
	so = &nf->so[build];
	in = xcalloc(1, sizeof *in);
	in->nf = nf;
	in->build = build;
	in->process = so->process;
	n = config_pairs(nf, &in->keys, &in->values);
	so->setup(&in->env, so->desc);
	in->env.keys = (const char *const *)in->keys;
	in->env.values = (const char *const *)in->values;
	in->env.n_config = n;
	in->env.share_num = num ? num : 1;
	in->env.share_den = den ? den : 1;
	in->env.n_cores = n_cores ? n_cores : 1;
	if (hooks)
		in->env.hooks = *hooks;
	in->state = NULL;
	if (progress_guard(nf->progress, run_init, in, &sig) == -EFAULT) {
		err_set(e, -EFAULT, "%s: nf_init crashed (%s): it reads or writes memory it does not "
			"own", nf->source, strsignal(sig));
		nfload_instance_free(in);
		return NULL;
	}
	if (!in->state) {
		err_set(e, -EINVAL, "%s", in->env.error[0] ? in->env.error :
			"nf_init returned NULL without saying why (call nf_env_fail)");
		nfload_instance_free(in);
		return NULL;
	}
	return in;
}

void
nfload_instance_free(struct nfload_inst *in)
{
	if (!in)
		return;
	in->nf->so[in->build].release(&in->env);
	pairs_free(in->keys, in->values);
	free(in);
}

struct val *
nfload_to_val(const struct nfload *nf)
{
	struct val *v = val_obj(), *ports = val_arr(), *cfg = val_arr();

	val_set_str(v, "nf", nf->desc->name);
	val_set_str(v, "summary", nf->desc->summary);
	val_set_str(v, "source", nf->source);
	val_set_str(v, "object", nfload_object(nf));
	for (unsigned i = 0; i < nf->nports; i++)
		val_push(ports, val_str(nf->desc->ports[i]));
	val_set(v, "ports", ports);
	for (unsigned i = 0; i < nf->nparams; i++) {
		const struct nf_param *p = &nf->desc->params[i];
		struct val *c = val_obj();
		val_set_str(c, "key", p->key);
		val_set_str(c, "value", nf->values[i] ? nf->values[i] : p->def);
		val_set_str(c, "default", p->def);
		val_set_str(c, "help", p->help ? p->help : "");
		val_push(cfg, c);
	}
	val_set(v, "config", cfg);
	return v;
}

void
nfload_format(const struct nfload *nf, struct sbuf *out)
{
	size_t w = 3;

	sbuf_printf(out, "%s: %s\n", nf->desc->name, nf->desc->summary);
	sbuf_printf(out, "source  %s\n", nf->source);
	sbuf_adds(out, "ports  ");
	for (unsigned i = 0; i < nf->nports; i++)
		sbuf_printf(out, " %u=%s", i, nf->desc->ports[i]);
	sbuf_addc(out, '\n');
	if (!nf->nparams) {
		sbuf_adds(out, "config  (none)\n");
		return;
	}
	for (unsigned i = 0; i < nf->nparams; i++) {
		size_t n = strlen(nf->desc->params[i].key) + 1 +
			   strlen(nfload_get(nf, nf->desc->params[i].key));
		if (n > w)
			w = n;
	}
	sbuf_adds(out, "config  (set KEY=VALUE)\n");
	for (unsigned i = 0; i < nf->nparams; i++) {
		const struct nf_param *p = &nf->desc->params[i];
		char kv[512];
		snprintf(kv, sizeof kv, "%s=%s", p->key, nfload_get(nf, p->key));
		sbuf_printf(out, "  %-*s  %s", (int)w, kv, p->help ? p->help : "");
		if (nf->values[i] && strcmp(nf->values[i], p->def) != 0)
			sbuf_printf(out, " (default %s)", p->def);
		sbuf_addc(out, '\n');
	}
}

char *
nfload_bitcode(struct nfload *nf, bool *compiled, double *seconds, struct err *e)
{
	bool was = nf->compiled;
	double s = nf->compile_s;
	char *path;

	nf->compiled = false;
	nf->compile_s = 0;
	path = build_path(nf, BUILD_IR, NULL, e);
	if (compiled)
		*compiled = nf->compiled;
	if (seconds)
		*seconds = nf->compile_s;
	nf->compiled = was;
	nf->compile_s = s;
	return path;
}

typedef uint64_t config_uint_fn(struct nf_env *env, const char *key, uint64_t min, uint64_t max);
typedef uint32_t config_ipv4_fn(struct nf_env *env, const char *key);
typedef const char *config_str_fn(struct nf_env *env, const char *key);
typedef uint32_t capacity_fn(const struct nf_env *env, uint32_t capacity);

struct nfload_config {
	struct nfload *nf;
	struct nf_env env;
	char **keys, **values;
	config_uint_fn *uint;
	config_ipv4_fn *ipv4;
	config_str_fn *str;
	capacity_fn *capacity;
};

struct nfload_config *
nfload_config_new(struct nfload *nf, struct err *e)
{
	struct nfso *so = &nf->so[NFLOAD_PLAIN];
	struct nfload_config *c;
	unsigned n;

	if (so_open(nf, NFLOAD_PLAIN, NULL, e) < 0)
		return NULL;
	c = xcalloc(1, sizeof *c);
	c->nf = nf;
	*(void **)&c->uint = dlsym(so->handle, "nf_config_uint");
	*(void **)&c->ipv4 = dlsym(so->handle, "nf_config_ipv4");
	*(void **)&c->str = dlsym(so->handle, "nf_config_str");
	*(void **)&c->capacity = dlsym(so->handle, "nf_env_capacity");
	if (!c->uint || !c->ipv4 || !c->str || !c->capacity) {
		err_set(e, -EINVAL, "%s: the state library lacks nf_config_*", so->path);
		free(c);
		return NULL;
	}
	n = config_pairs(nf, &c->keys, &c->values);
	so->setup(&c->env, so->desc);
	c->env.keys = (const char *const *)c->keys;
	c->env.values = (const char *const *)c->values;
	c->env.n_config = n;
	c->env.share_num = c->env.share_den = 1;
	c->env.n_cores = 1;
	return c;
}

void
nfload_config_free(struct nfload_config *c)
{
	if (!c)
		return;
	c->nf->so[NFLOAD_PLAIN].release(&c->env);
	pairs_free(c->keys, c->values);
	free(c);
}

uint64_t
nfload_config_uint(struct nfload_config *c, const char *key, uint64_t min, uint64_t max)
{
	return c->uint(&c->env, key, min, max);
}

uint32_t
nfload_config_ipv4(struct nfload_config *c, const char *key)
{
	return c->ipv4(&c->env, key);
}

const char *
nfload_config_str(struct nfload_config *c, const char *key)
{
	return c->str(&c->env, key);
}

const char *
nfload_config_failed(const struct nfload_config *c)
{
	return c->env.failed ? c->env.error : NULL;
}

uint32_t
nfload_config_capacity(const struct nfload_config *c, uint32_t capacity)
{
	return c->capacity(&c->env, capacity);
}
