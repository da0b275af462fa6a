#include "engine/launch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/check.h"
#include "engine/clock.h"
#include "engine/flow.h"
#include "engine/json.h"
#include "engine/pcapw.h"
#include "engine/proc.h"
#include "engine/telem.h"
#include "engine/trace.h"
#include "engine/xalloc.h"

#define READY_TIMEOUT 60.0	/* seconds for EAL init, NF init and loading looped traces */

/* The counters every core reports (the runtime's names), in the order tables show them. */
static const char *const counter_names[] = {
	"rx", "tx", "drops", "floods", "flood_tx", "tx_fail", "aborts", "write_locks",
	"busy_cycles", "cycles", NULL
};

struct launch_run {
	pid_t pid;
	char nf[NF_NAME_MAX];
	enum emit_mode mode;
	unsigned cores, nports, nq;
	char ports[NF_MAX_PORTS][NF_NAME_MAX];
	char dir[4200];			/* the run directory, under the build's */
	char out_log[4300], err_log[4300];
	char prefix[64];		/* --file-prefix */
	char sock[300];			/* its telemetry socket */
	struct sbuf cmdline;		/* for status */
	uint64_t *queue_in;		/* [port * nq + queue]: packets of the trace put there */
	uint64_t trace_packets;
	bool loop, outputs;		/* looping: nothing written */
	double started;
	struct val *prev;		/* the last snapshot, for rates */
	double prev_t;
	bool ended;
	int status;
	int owner_fd;			/* run/.owner, locked while this run uses the run dir */
	char notes[512];
};

/*---- How it ended ----*/

/* proc.h reports a death by signal as 128 + its number; the build itself exits 0, 1 or 2. */
static int
end_signal(int status)
{
	return status > 128 && status < 128 + 65 ? status - 128 : 0;
}

static const char *
signal_name(int sig)
{
	static const struct { int sig; const char *name; } names[] = {
		{ SIGKILL, "SIGKILL" }, { SIGTERM, "SIGTERM" }, { SIGINT, "SIGINT" },
		{ SIGSEGV, "SIGSEGV" }, { SIGABRT, "SIGABRT" }, { SIGBUS, "SIGBUS" },
		{ SIGILL, "SIGILL" }, { SIGFPE, "SIGFPE" }, { SIGHUP, "SIGHUP" },
		{ SIGQUIT, "SIGQUIT" }, { SIGPIPE, "SIGPIPE" },
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].sig == sig)
			return names[i].name;
	return "a signal";
}

/* "exited with status N" or "was killed by signal 9 (SIGKILL)". */
static void
describe_end(int status, char *buf, size_t n)
{
	int sig = end_signal(status);

	if (sig)
		snprintf(buf, n, "was killed by signal %d (%s)", sig, signal_name(sig));
	else
		snprintf(buf, n, "exited with status %d", status);
}

/*---- The trace, split per port and queue ----*/

static void
queue_file(const struct launch_run *r, const char *what, unsigned port, unsigned q, char *buf,
	   size_t n)
{
	snprintf(buf, n, "%s/%s-%s-q%u.pcap", r->dir, what, r->ports[port], q);
}

static int
split_trace(struct launch_run *r, const struct emit_build *b, const struct launch_opts *o,
	    const struct progress *p, struct err *e)
{
	unsigned nfiles = r->nports * r->nq;
	struct pcapw *w = pcapw_new(nfiles);
	struct trace *t = NULL;
	struct trace_pkt pk;
	struct flow_info fi;
	char path[4400];
	int rc = 0, nr;

	for (unsigned i = 0; i < nfiles && rc == 0; i++) {
		queue_file(r, "in", i / r->nq, i % r->nq, path, sizeof path);
		rc = pcapw_open(w, i, path, e);
	}
	if (rc == 0 && !(t = trace_open(o->pcap, e)))
		rc = e->code ? e->code : -EINVAL;
	while (rc == 0 && (nr = trace_next(t, &pk, e)) != 0) {
		unsigned port, q = 0, index;
		bool ipv4, hashed;
		if (nr < 0) {
			rc = nr;
			break;
		}
		if (pk.len > 65535)
			continue;
		port = o->pm ? portmap_assign(o->pm, pk.data, pk.len, &ipv4) : 0;
		if (r->nq > 1) {
			flow_parse(pk.data, pk.len, &fi);
			q = check_rss_core(b->rss, port, &fi, &index, &hashed);
		}
		/* Stamped with its place in the trace (one microsecond apart), not its time: two
		** ports' queues are read apart, and the runtime (--ordered) merges them back into
		** the trace's order by these stamps, which ties in the trace's own would blur. */
		pcapw_write(w, port * r->nq + q, pk.data, pk.len, pk.wire_len,
			    r->trace_packets * 1000u);
		r->queue_in[port * r->nq + q]++;
		r->trace_packets++;
		if ((r->trace_packets & 0xffff) == 0) {
			if (progress_stopped(p))
				rc = err_set(e, -EINTR, "stopped while splitting %s", o->pcap);
			progress_report(p, "splitting the trace", r->trace_packets, 0);
		}
	}
	trace_close(t);
	pcapw_free(w);
	if (rc == 0 && r->trace_packets == 0)
		rc = err_set(e, -EINVAL, "%s: no packets", o->pcap);
	return rc;
}

/*---- The command line ----*/

struct argv {
	char **v;
	int n, cap;
};

static void
push(struct argv *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? 2 * a->cap : 32;
		a->v = realloc(a->v, (size_t)a->cap * sizeof *a->v);
		if (!a->v)
			abort();
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static void
argv_free(struct argv *a)
{
	for (int i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
}

/* Whether the user's EAL arguments hold one of 'opts' (space-separated; "--x" also matches
** "--x=..."). */
static bool
user_has(const struct launch_opts *o, const char *opts)
{
	char buf[256], *save = NULL;

	for (int i = 0; i < o->n_eal; i++) {
		snprintf(buf, sizeof buf, "%s", opts);
		for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
			size_t n = strlen(w);
			if (!strncmp(o->eal[i], w, n) && (o->eal[i][n] == '\0' ||
			    (o->eal[i][n] == '=' && w[1] == '-')))
				return true;
		}
	}
	return false;
}

/* The user's --file-prefix, if any. */
static const char *
user_prefix(const struct launch_opts *o)
{
	for (int i = 0; i < o->n_eal; i++) {
		if (!strcmp(o->eal[i], "--file-prefix") && i + 1 < o->n_eal)
			return o->eal[i + 1];
		if (!strncmp(o->eal[i], "--file-prefix=", 14))
			return o->eal[i] + 14;
	}
	return NULL;
}

/* main lcore, the workers, one more for a dispatcher when the ports cannot do RSS, spread
** over the CPUs this process may use (the main lcore sleeps). */
static void
lcores_arg(struct launch_run *r, struct argv *a)
{
	cpu_set_t set;
	int cpus[CPU_SETSIZE], n = 0;
	struct sbuf sb = SBUF_INIT;

	if (sched_getaffinity(0, sizeof set, &set) == 0)
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				cpus[n++] = c;
	if (n == 0)
		cpus[n++] = 0;
	for (unsigned l = 0; l < r->cores + 2; l++)
		sbuf_printf(&sb, "%s%u@%d", l ? "," : "", l, cpus[l % (unsigned)n]);
	push(a, "--lcores=%s", sbuf_str(&sb));
	sbuf_release(&sb);
	if (r->cores > (unsigned)n)
		snprintf(r->notes, sizeof r->notes, "%u workers on %d CPUs: lcores share CPUs, so "
			 "rates do not scale", r->cores, n);
}

static void
vdev_args(struct launch_run *r, const struct launch_opts *o, struct argv *a)
{
	char path[4400];
	struct sbuf sb = SBUF_INIT;

	for (unsigned port = 0; port < r->nports; port++) {
		sbuf_reset(&sb);
		if (o->pcap) {
			sbuf_printf(&sb, "net_pcap%u", port);
			for (unsigned q = 0; q < r->nq; q++) {
				queue_file(r, "in", port, q, path, sizeof path);
				sbuf_printf(&sb, ",rx_pcap=%s", path);
			}
			for (unsigned q = 0; q < r->nq && !o->loop; q++) {
				queue_file(r, "out", port, q, path, sizeof path);
				sbuf_printf(&sb, ",tx_pcap=%s", path);
			}
			if (o->loop)
				sbuf_adds(&sb, ",infinite_rx=1");
		} else {
			sbuf_printf(&sb, "net_null%u,size=64%s", port,
				    o->flows && port > 0 ? ",no-rx=1" : "");
		}
		push(a, "--vdev=%s", sbuf_str(&sb));
	}
	sbuf_release(&sb);
}

static void
build_argv(struct launch_run *r, const struct emit_build *b, const struct launch_opts *o,
	   struct argv *a)
{
	push(a, "%s", b->binary);
	if (!user_has(o, "--no-pci -a --allow -b --block"))
		push(a, "--no-pci");
	if (!user_has(o, "--no-huge -m --socket-mem --in-memory --huge-dir")) {
		push(a, "--no-huge");
		push(a, "-m");
		push(a, "512");
	}
	if (!user_has(o, "--file-prefix")) {
		push(a, "--file-prefix");
		push(a, "%s", r->prefix);
	}
	if (!user_has(o, "-l --lcores -c"))
		lcores_arg(r, a);
	if (!user_has(o, "--log-level")) {
		push(a, "--log-level=lib.eal:error");
		push(a, "--log-level=lib.telemetry:error");
	}
	if (!user_has(o, "--vdev") && (o->pcap || o->null))
		vdev_args(r, o, a);
	for (int i = 0; i < o->n_eal; i++)
		push(a, "%s", o->eal[i]);
	push(a, "--");
	if (o->pcap && r->nq > 1)
		push(a, "--presharded");
	if (o->pcap && !o->loop)
		push(a, "--ordered");
	/* Looping net_pcap leaks mbufs on an empty file at every poll: leave those queues be. */
	if (o->pcap && o->loop) {
		struct sbuf idle = SBUF_INIT;

		for (unsigned p = 0; p < r->nports; p++)
			for (unsigned k = 0; k < r->nq; k++)
				if (!r->queue_in[p * r->nq + k])
					sbuf_printf(&idle, "%s%u:%u", sbuf_str(&idle)[0] ? "," : "", p, k);
		if (sbuf_str(&idle)[0])
			push(a, "--idle=%s", sbuf_str(&idle));
		sbuf_release(&idle);
	}
	if (o->null && o->flows)
		push(a, "--synth=%u", o->flows);
	if (o->duration > 0)
		push(a, "--duration=%g", o->duration);
	if (o->stats > 0)
		push(a, "--stats-json=%g", o->stats);
}

/*---- Starting ----*/

static int
clean_dir(const char *dir, struct err *e)
{
	DIR *d;
	struct dirent *de;
	char path[4400];

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return err_set(e, -errno, "%s: %s", dir, strerror(errno));
	if (!(d = opendir(dir)))
		return err_set(e, -errno, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	return 0;
}

/* Removes a directory's files, then the directory (DPDK's runtime dirs hold only files). */
static void
remove_dir(const char *dir)
{
	char path[4400];
	DIR *d;
	struct dirent *de;

	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' && (!de->d_name[1] || de->d_name[1] == '.'))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* The pid holding a lock on 'path' (a DPDK primary locks its runtime dir's config file while it
** lives), 0 when none does or the file is not there. */
static pid_t
lock_holder(const char *path)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd = open(path, O_RDWR | O_CLOEXEC);
	pid_t pid = 0;

	if (fd < 0)
		return 0;
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		pid = fl.l_pid > 0 ? fl.l_pid : 1;
	close(fd);
	return pid;
}

static bool
pid_alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* A killed build leaves its DPDK runtime dir (config, fbarrays of several MB, telemetry
** socket): the runs of shells that are gone, which no live process holds, are removed; so is
** an unheld dir of the prefix about to be used. -EBUSY when a live process holds that one. */
static int
clean_prefixes(const char *sock, const char *prefix, struct err *e)
{
	char root[300], dir[700], config[800];
	struct dirent *de;
	pid_t holder;
	DIR *d;
	int pid;
	unsigned seq;
	char end;

	snprintf(root, sizeof root, "%s", sock);
	for (int up = 0; up < 2 && strrchr(root, '/'); up++)
		*strrchr(root, '/') = '\0';
	snprintf(dir, sizeof dir, "%s/%s", root, prefix);
	snprintf(config, sizeof config, "%s/config", dir);
	if ((holder = lock_holder(config)))
		return err_set(e, -EBUSY, "file prefix %s is in use by process %d (%s); pick "
			       "another with -- --file-prefix NAME", prefix, (int)holder, dir);
	/* Without a config it may be a --no-shconf process's: left alone. */
	if (access(config, F_OK) == 0)
		remove_dir(dir);
	if (!(d = opendir(root)))
		return 0;
	while ((de = readdir(d))) {
		/* Only baton's own names: baton-PID-N. */
		if (sscanf(de->d_name, "baton-%d-%u%c", &pid, &seq, &end) != 2 ||
		    pid == (int)getpid() || pid_alive(pid))
			continue;
		snprintf(dir, sizeof dir, "%s/%s", root, de->d_name);
		snprintf(config, sizeof config, "%s/config", dir);
		if (!lock_holder(config))
			remove_dir(dir);
	}
	closedir(d);
	return 0;
}

/* Marks the run dir as this process's while the run uses it: another baton launching the same
** build would empty it under the running build's feet (its logs, its pcaps). fcntl locks are
** per process, so launching again from this one is not refused. */
static int
own_run_dir(struct launch_run *r, struct err *e)
{
	char path[4300];
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	snprintf(path, sizeof path, "%s/.owner", r->dir);
	r->owner_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (r->owner_fd < 0)
		return err_set(e, -errno, "%s: %s", path, strerror(errno));
	if (fcntl(r->owner_fd, F_SETLK, &fl) < 0) {
		pid_t holder = lock_holder(path);
		close(r->owner_fd);
		r->owner_fd = -1;
		return err_set(e, -EBUSY, "%s is in use: process %d runs this build from there; "
			       "stop it first", r->dir, (int)holder);
	}
	/* Which run the files are: a later run of the same build takes them over. */
	if (ftruncate(r->owner_fd, 0) < 0 ||
	    pwrite(r->owner_fd, r->prefix, strlen(r->prefix), 0) != (ssize_t)strlen(r->prefix))
		return err_set(e, -EIO, "%s: cannot write", path);
	return 0;
}

/* Whether the run dir's files are still this run's (no later launch took them over). */
static bool
run_dir_mine(const struct launch_run *r)
{
	char path[4300], buf[sizeof r->prefix];
	int fd;
	ssize_t n;

	snprintf(path, sizeof path, "%s/.owner", r->dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return strcmp(buf, r->prefix) == 0;
}

static void
release_run_dir(struct launch_run *r)
{
	if (r->owner_fd >= 0)
		close(r->owner_fd);
	r->owner_fd = -1;
}

/* A killed build's queue pcaps are of no use (outputs cut short, inputs a copy of the trace)
** and may be large; its logs stay for a post-mortem. */
static void
remove_queue_files(const struct launch_run *r)
{
	char path[4400];

	for (unsigned p = 0; p < r->nports; p++)
		for (unsigned q = 0; q < r->nq; q++) {
			queue_file(r, "in", p, q, path, sizeof path);
			unlink(path);
			queue_file(r, "out", p, q, path, sizeof path);
			unlink(path);
		}
}

/* The last line of 'path' that starts with 'start' (malloc'ed), or NULL. */
static char *
last_line(const char *path, const char *start)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *found = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	while (getline(&line, &cap, f) > 0) {
		if (strncmp(line, start, strlen(start)))
			continue;
		free(found);
		found = xstrdup(line);
	}
	free(line);
	fclose(f);
	return found;
}

/* Why it did not start: what it said on stderr and its own error lines. */
static int
start_failed(struct launch_run *r, int status, struct err *e)
{
	char *err = proc_tail(r->err_log, 3000), *out = proc_tail(r->out_log, 1500);
	struct sbuf sb = SBUF_INIT;

	if (status == -ETIMEDOUT)
		sbuf_printf(&sb, "%s did not get ready within %.0f s", r->nf, READY_TIMEOUT);
	else
		sbuf_printf(&sb, "the build exited with status %d before it was ready", status);
	if (*err)
		sbuf_printf(&sb, ":\n%s", err);
	if (*out && strstr(out, "error"))
		sbuf_printf(&sb, "%s%s", *err ? "" : ":\n", out);
	while (sb.len && sb.buf[sb.len - 1] == '\n')
		sb.buf[--sb.len] = '\0';
	err_set(e, -EINVAL, "%s", sbuf_str(&sb));
	sbuf_release(&sb);
	free(err);
	free(out);
	return e->code;
}

static void
run_free(struct launch_run *r)
{
	release_run_dir(r);
	sbuf_release(&r->cmdline);
	val_free(r->prev);
	free(r->queue_in);
	free(r);
}

struct launch_run *
launch_start(const struct emit_build *b, const struct launch_opts *o, const struct progress *p,
	     struct err *e)
{
	static unsigned seq;
	struct launch_run *r = xcalloc(1, sizeof *r);
	struct argv a = { 0 };
	const char *up;
	char *ready = NULL;
	int status = 0;

	snprintf(r->nf, sizeof r->nf, "%s", b->nf);
	r->mode = b->mode;
	r->cores = b->cores;
	r->nports = b->nports;
	memcpy(r->ports, b->ports, sizeof r->ports);
	r->nq = b->cores;
	r->loop = o->loop;
	r->outputs = o->pcap && !o->loop;
	r->pid = -1;
	r->owner_fd = -1;
	r->queue_in = xcalloc((size_t)r->nports * r->nq, sizeof *r->queue_in);
	if (!o->pcap && !o->null && !user_has(o, "--vdev")) {
		err_set(e, -EINVAL, "what traffic? --pcap FILE, --null, or your own vdevs after "
			"'--' (-- --vdev=net_tap0)");
		goto fail;
	}
	if ((o->pcap || o->null) && user_has(o, "--vdev")) {
		err_set(e, -EINVAL, "%s and your own --vdev: pick one", o->pcap ? "--pcap" : "--null");
		goto fail;
	}
	if (o->pcap && o->null) {
		err_set(e, -EINVAL, "--pcap and --null: pick one");
		goto fail;
	}
	up = user_prefix(o);
	snprintf(r->prefix, sizeof r->prefix, "%s", up ? up : "");
	if (!up)
		snprintf(r->prefix, sizeof r->prefix, "baton-%d-%u", (int)getpid(), ++seq);
	telem_path(r->prefix, r->sock, sizeof r->sock);
	snprintf(r->dir, sizeof r->dir, "%s/run", b->dir);
	snprintf(r->out_log, sizeof r->out_log, "%s/stdout.log", r->dir);
	snprintf(r->err_log, sizeof r->err_log, "%s/stderr.log", r->dir);
	if (access(b->binary, X_OK) < 0) {
		err_set(e, -ENOENT, "%s: not built (%s); emit it again", b->binary, strerror(errno));
		goto fail;
	}
	if (clean_prefixes(r->sock, r->prefix, e) < 0)
		goto fail;
	if (mkdir(r->dir, 0755) < 0 && errno != EEXIST) {
		err_set(e, -errno, "%s: %s", r->dir, strerror(errno));
		goto fail;
	}
	if (own_run_dir(r, e) < 0 || clean_dir(r->dir, e) < 0)
		goto fail;
	if (o->pcap && split_trace(r, b, o, p, e) < 0)
		goto fail;
	build_argv(r, b, o, &a);
	for (int i = 0; i < a.n; i++)
		sbuf_printf(&r->cmdline, "%s%s", i ? " " : "", a.v[i]);

	r->pid = proc_spawn(a.v, r->dir, r->out_log, r->err_log, e);
	argv_free(&a);
	if (r->pid < 0)
		goto fail;
	r->started = clock_seconds();
	r->prev_t = r->started;
	for (;;) {
		if ((ready = last_line(r->out_log, "{\"event\":\"ready\"")))
			break;
		if (!proc_running(r->pid, &status)) {
			r->ended = true;
			start_failed(r, status, e);
			goto fail;
		}
		if (progress_stopped(p) || clock_seconds() - r->started > READY_TIMEOUT) {
			status = progress_stopped(p) ? -EINTR : -ETIMEDOUT;
			proc_end(r->pid, SIGKILL, 0);
			r->ended = true;
			if (status == -EINTR)
				err_set(e, -EINTR, "stopped while %s was starting", r->nf);
			else
				start_failed(r, status, e);
			goto fail;
		}
		usleep(20000);
	}
	free(ready);
	r->started = clock_seconds();
	r->prev_t = r->started;
	return r;
fail:
	if (r->pid > 0 && !r->ended)
		proc_end(r->pid, SIGKILL, 0);
	run_free(r);
	return NULL;
}

bool
launch_running(struct launch_run *r)
{
	if (!r->ended && !proc_running(r->pid, &r->status))
		r->ended = true;
	return !r->ended;
}

char *
launch_messages(struct launch_run *r)
{
	FILE *f = fopen(r->out_log, "r");
	struct sbuf sb = SBUF_INIT;
	char *line = NULL;
	size_t cap = 0;

	while (f && getline(&line, &cap, f) > 0)
		if (!strncmp(line, "baton: ", 7))
			sbuf_adds(&sb, line);
	free(line);
	if (f)
		fclose(f);
	sbuf_adds(&sb, "");
	return sbuf_detach(&sb);
}

/*---- Counters ----*/

static double
num(const struct val *v, const char *key)
{
	const struct val *x = v ? val_get(v, key) : NULL;

	if (!x)
		return 0;
	return x->kind == VAL_INT ? (double)x->u.i : x->kind == VAL_NUM ? x->u.n : 0;
}

/* Telemetry gives whole milliseconds ("ms"; its "seconds" is whole), the log lines seconds. */
static double
seconds_of(const struct val *v)
{
	if (val_get(v, "ms"))
		return num(v, "ms") / 1000.0;
	return num(v, "seconds");
}

/* One core's (or the total's) counters with rates since 'old' over 'dt' seconds. */
static struct val *
with_rates(const struct val *now, const struct val *old, double dt)
{
	struct val *c = val_obj();
	double busy, cycles;

	for (unsigned i = 0; counter_names[i]; i++)
		val_set_int(c, counter_names[i], (int64_t)num(now, counter_names[i]));
	if (val_get(now, "lcore"))
		val_set_int(c, "lcore", (int64_t)num(now, "lcore"));
	val_set_num(c, "cycles_per_packet", num(now, "cycles_per_packet"));
	if (dt <= 0)
		dt = 1e-9;
	val_set_num(c, "rx_pps", (num(now, "rx") - num(old, "rx")) / dt);
	val_set_num(c, "tx_pps", (num(now, "tx") - num(old, "tx")) / dt);
	val_set_num(c, "drop_pps", (num(now, "drops") - num(old, "drops")) / dt);
	busy = num(now, "busy_cycles") - num(old, "busy_cycles");
	cycles = num(now, "cycles") - num(old, "cycles");
	val_set_num(c, "busy", cycles > 0 ? busy / cycles : 0);
	return c;
}

static struct val *
not_running(const struct launch_run *r, struct err *e)
{
	char how[64];

	describe_end(r->status, how, sizeof how);
	if (end_signal(r->status))
		err_set(e, -ESRCH, "%s is not running: it %s; 'stop' cleans up after it", r->nf,
			how);
	else
		err_set(e, -ESRCH, "%s is not running (it %s); 'stop' shows its totals", r->nf,
			how);
	return NULL;
}

/* The pools' free mbufs as /baton/cores gives them (runtimes from before it have none). */
static void
add_mbufs(struct val *out, const struct val *now)
{
	const struct val *m = val_get(now, "mbufs");
	struct val *o;

	if (!m)
		return;
	o = val_set(out, "mbufs", val_obj());
	val_set_int(o, "size", (int64_t)num(m, "size"));
	val_set_int(o, "initial", (int64_t)num(m, "initial"));
	val_set_int(o, "free", (int64_t)num(m, "free"));
}

struct val *
launch_counters(struct launch_run *r, struct err *e)
{
	struct val *now, *out, *cores;
	double t, dt, max = 0, sum = 0;
	char key[32];

	if (!launch_running(r))
		return not_running(r, e);
	now = telem_query(r->sock, "/baton/cores", 2.0, e);
	if (!now) {
		/* Ended while asked (its socket closed under the query): say how. */
		if (!launch_running(r)) {
			err_clear(e);
			return not_running(r, e);
		}
		return NULL;
	}
	t = clock_seconds();
	dt = r->prev ? seconds_of(now) - seconds_of(r->prev) : seconds_of(now);
	if (dt <= 0)
		dt = t - r->prev_t;
	out = val_obj();
	val_set_str(out, "nf", r->nf);
	val_set_str(out, "mode", emit_mode_name(r->mode));
	val_set_int(out, "workers", r->cores);
	val_set_num(out, "seconds", seconds_of(now));
	val_set_num(out, "interval", dt);
	cores = val_arr();
	for (unsigned k = 0; k < r->cores; k++) {
		struct val *c;
		snprintf(key, sizeof key, "core%u", k);
		c = with_rates(val_get(now, key), r->prev ? val_get(r->prev, key) : NULL, dt);
		val_set_int(c, "core", k);
		max = num(c, "rx_pps") > max ? num(c, "rx_pps") : max;
		sum += num(c, "rx_pps");
		val_push(cores, c);
	}
	val_set(out, "cores", cores);
	val_set(out, "total", with_rates(val_get(now, "total"),
					 r->prev ? val_get(r->prev, "total") : NULL, dt));
	val_set_num(out, "imbalance", sum > 0 ? max / (sum / r->cores) : 0);
	add_mbufs(out, now);
	val_free(r->prev);
	r->prev = now;
	r->prev_t = t;
	return out;
}

/*---- Status and stop ----*/

struct val *
launch_status(struct launch_run *r)
{
	struct val *v = val_obj(), *q = val_obj();
	bool running = launch_running(r);
	char key[NF_NAME_MAX + 16];

	val_set_str(v, "nf", r->nf);
	val_set_str(v, "mode", emit_mode_name(r->mode));
	val_set_int(v, "cores", r->cores);
	val_set_int(v, "pid", r->pid);
	val_set_bool(v, "running", running);
	if (running) {
		val_set_num(v, "seconds", clock_seconds() - r->started);
	} else {
		char how[64];
		describe_end(r->status, how, sizeof how);
		val_set_int(v, "status", r->status);
		if (end_signal(r->status))
			val_set_int(v, "signal", end_signal(r->status));
		val_set_str(v, "ended", how);
	}
	val_set_str(v, "command", sbuf_str(&r->cmdline));
	val_set_str(v, "dir", r->dir);
	val_set_str(v, "telemetry", r->sock);
	val_set_bool(v, "loop", r->loop);
	if (r->trace_packets) {
		for (unsigned p = 0; p < r->nports; p++)
			for (unsigned k = 0; k < r->nq; k++) {
				snprintf(key, sizeof key, "%s-q%u", r->ports[p], k);
				val_set_int(q, key, (int64_t)r->queue_in[p * r->nq + k]);
			}
		val_set(v, "queue_packets", q);
		val_set_int(v, "trace_packets", (int64_t)r->trace_packets);
	} else {
		val_free(q);
	}
	if (*r->notes)
		val_set_str(v, "notes", r->notes);
	return v;
}

static int64_t
count_packets(const char *path)
{
	struct err e = ERR_INIT;
	struct trace *t = trace_open(path, &e);
	struct trace_pkt pk;
	int64_t n = 0;

	if (!t)
		return e.code == -EINVAL ? 0 : -1;	/* a file with no packets */
	while (trace_next(t, &pk, &e) > 0)
		n++;
	trace_close(t);
	return n;
}

/* The DPDK runtime directory the build leaves behind (config, fbarrays, telemetry socket). */
static void
remove_runtime_dir(const struct launch_run *r)
{
	char dir[400];

	snprintf(dir, sizeof dir, "%s", r->sock);
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = '\0';
	remove_dir(dir);
}

/* What a killed build leaves: the runtime dir and its queue pcaps (unless a later run of the
** build owns them now). */
static void
clean_after(struct launch_run *r)
{
	remove_runtime_dir(r);
	if (end_signal(r->status) && run_dir_mine(r))
		remove_queue_files(r);
}

/* The mbufs line of the totals, with what did not come back: initial - final (the ports
** stopped, holding what they held at the start) or size - closed (the ports closed, holding
** nothing), whichever is more; as the runtime's stats_mbufs_leaked. */
static void
add_leaked(struct val *v)
{
	const struct val *m = val_get(v, "mbufs");
	double stopped, closed = 0;

	if (!m || !val_get(m, "final"))
		return;
	stopped = num(m, "initial") - num(m, "final");
	if (val_get(m, "closed"))
		closed = num(m, "size") - num(m, "closed");
	stopped = stopped > closed ? stopped : closed;
	val_set_int(v, "leaked", stopped > 0 ? (int64_t)stopped : 0);
}

struct val *
launch_stop(struct launch_run *r, double grace, struct err *e)
{
	struct val *v, *outs, *tot;
	char *line, path[4400], how[64];
	uint64_t rx, acc;

	if (!r->ended) {
		r->status = proc_end(r->pid, SIGINT, grace);
		r->ended = true;
	}
	clean_after(r);
	line = last_line(r->out_log, "{\"event\":\"totals\"");
	if (!line) {
		char *err = proc_tail(r->err_log, 2000);
		describe_end(r->status, how, sizeof how);
		if (end_signal(r->status))
			err_set(e, -EIO, "%s %s before it printed its totals: no counts; its runtime "
				"files are removed%s%s", r->nf, how, *err ? ". Its stderr:\n" : "",
				err);
		else
			err_set(e, -EIO, "%s %s without printing its totals%s%s", r->nf, how,
				*err ? ":\n" : "", err);
		free(err);
		release_run_dir(r);
		return NULL;
	}
	v = json_parse(line, strlen(line), r->out_log, e);
	free(line);
	if (!v)
		return NULL;
	val_set_int(v, "status", r->status);
	tot = (struct val *)val_get(v, "total");
	rx = (uint64_t)num(tot, "rx");
	acc = (uint64_t)(num(tot, "tx") + num(tot, "drops") + num(tot, "floods") +
			 num(tot, "tx_fail"));
	val_set_bool(v, "accounted", rx == acc);
	add_leaked(v);
	outs = val_arr();
	for (unsigned p = 0; r->outputs && p < r->nports; p++)
		for (unsigned k = 0; k < r->nq; k++) {
			struct val *o = val_obj();
			queue_file(r, "out", p, k, path, sizeof path);
			val_set_str(o, "path", path);
			val_set_str(o, "port", r->ports[p]);
			val_set_int(o, "queue", k);
			val_set_int(o, "packets", count_packets(path));
			val_push(outs, o);
		}
	val_set(v, "outputs", outs);
	/* Ended and read: another baton may launch this build now. */
	release_run_dir(r);
	return v;
}

void
launch_free(struct launch_run *r)
{
	if (!r)
		return;
	if (!r->ended && r->pid > 0) {
		r->status = proc_end(r->pid, SIGTERM, 3.0);
		r->ended = true;
	}
	if (r->pid > 0)
		clean_after(r);
	run_free(r);
}

/*---- Text ----*/

static void
format_row(struct sbuf *out, const char *name, const struct val *c, bool rates)
{
	sbuf_printf(out, "%-6s %10.0f %10.0f %9.0f %7.0f %8.0f %7.0f %7.0f %8.1f", name,
		    num(c, "rx"), num(c, "tx"), num(c, "drops"), num(c, "floods"),
		    num(c, "tx_fail"), num(c, "aborts"), num(c, "write_locks"),
		    num(c, "cycles_per_packet"));
	if (rates)
		sbuf_printf(out, " %10.3f %10.3f %5.0f%%", num(c, "rx_pps") / 1e6,
			    num(c, "tx_pps") / 1e6, num(c, "busy") * 100);
	sbuf_addc(out, '\n');
}

void
launch_format_counters(const struct val *c, struct sbuf *out)
{
	const struct val *cores = val_get(c, "cores"), *m;
	char name[16];

	sbuf_printf(out, "%s %s, %lld worker%s, %.1f s; rates over the last %.2f s\n",
		    val_get_str(c, "nf"), val_get_str(c, "mode"), (long long)num(c, "workers"),
		    num(c, "workers") == 1 ? "" : "s", num(c, "seconds"), num(c, "interval"));
	sbuf_printf(out, "%-6s %10s %10s %9s %7s %8s %7s %7s %8s %10s %10s %6s\n", "core", "rx",
		    "tx", "drops", "floods", "tx_fail", "aborts", "wlocks", "cyc/pkt", "rx Mpps",
		    "tx Mpps", "busy");
	for (size_t i = 0; cores && i < cores->u.c.n; i++) {
		snprintf(name, sizeof name, "%lld", (long long)num(cores->u.c.items[i], "core"));
		format_row(out, name, cores->u.c.items[i], true);
	}
	format_row(out, "total", val_get(c, "total"), true);
	sbuf_printf(out, "imbalance (max/mean rx rate): %.2f\n", num(c, "imbalance"));
	if ((m = val_get(c, "mbufs")))
		sbuf_printf(out, "mbufs free: %.0f of %.0f (%.0f at the start)\n", num(m, "free"),
			    num(m, "size"), num(m, "initial"));
}

void
launch_format_totals(const struct val *t, struct sbuf *out)
{
	const struct val *tot = val_get(t, "total"), *outs = val_get(t, "outputs"), *m;
	char key[32];

	sbuf_printf(out, "%s %s, %lld worker%s, ran %.2f s, exit status %lld\n",
		    val_get_str(t, "nf"), val_get_str(t, "mode"), (long long)num(t, "workers"),
		    num(t, "workers") == 1 ? "" : "s", seconds_of(t), (long long)num(t, "status"));
	sbuf_printf(out, "%-6s %10s %10s %9s %7s %8s %7s %7s %8s\n", "core", "rx", "tx", "drops",
		    "floods", "tx_fail", "aborts", "wlocks", "cyc/pkt");
	for (unsigned k = 0; k < (unsigned)num(t, "workers"); k++) {
		snprintf(key, sizeof key, "core%u", k);
		snprintf(key + 16, 16, "%u", k);
		format_row(out, key + 16, val_get(t, key), false);
	}
	format_row(out, "total", tot, false);
	sbuf_printf(out, "%s: rx %.0f = tx %.0f + drops %.0f + floods %.0f + tx failures %.0f\n",
		    val_get(t, "accounted") && val_get(t, "accounted")->u.b ? "accounted" :
		    "UNACCOUNTED", num(tot, "rx"), num(tot, "tx"), num(tot, "drops"),
		    num(tot, "floods"), num(tot, "tx_fail"));
	if ((m = val_get(t, "dispatcher")))
		sbuf_printf(out, "dispatcher: rx %.0f, dispatched %.0f, dropped %.0f (a worker's ring "
			    "full: never seen by a worker)\n", num(m, "rx"), num(m, "dispatched"),
			    num(m, "dispatch_drops"));
	if ((m = val_get(t, "mbufs")) && val_get(t, "leaked")) {
		sbuf_printf(out, "mbufs %s: %.0f free at the start, %.0f at the stop", num(t, "leaked")
			    ? "LEAKED" : "all back", num(m, "initial"), num(m, "final"));
		if (val_get(m, "closed"))
			sbuf_printf(out, ", %.0f of %.0f with the ports closed", num(m, "closed"),
				    num(m, "size"));
		if (num(t, "leaked"))
			sbuf_printf(out, ": %.0f missing", num(t, "leaked"));
		sbuf_addc(out, '\n');
	}
	for (size_t i = 0; outs && i < outs->u.c.n; i++)
		sbuf_printf(out, "  %s: %lld packets\n", val_get_str(outs->u.c.items[i], "path"),
			    (long long)num(outs->u.c.items[i], "packets"));
}

void
launch_format_status(const struct val *s, struct sbuf *out)
{
	const struct val *q = val_get(s, "queue_packets");
	bool running = val_get(s, "running") && val_get(s, "running")->u.b;

	if (running)
		sbuf_printf(out, "%s %s on %lld core%s: running for %.1f s, pid %lld\n",
			    val_get_str(s, "nf"), val_get_str(s, "mode"), (long long)num(s, "cores"),
			    num(s, "cores") == 1 ? "" : "s",
			    num(s, "seconds"), (long long)num(s, "pid"));
	else if (val_get(s, "signal"))
		sbuf_printf(out, "%s %s on %lld core%s: ended: it %s ('stop' cleans up after "
			    "it)\n", val_get_str(s, "nf"), val_get_str(s, "mode"),
			    (long long)num(s, "cores"), num(s, "cores") == 1 ? "" : "s",
			    val_get_str(s, "ended"));
	else
		sbuf_printf(out, "%s %s on %lld core%s: ended, exit status %lld ('stop' shows the "
			    "totals)\n", val_get_str(s, "nf"), val_get_str(s, "mode"),
			    (long long)num(s, "cores"), num(s, "cores") == 1 ? "" : "s",
			    (long long)num(s, "status"));
	sbuf_printf(out, "  command: %s\n  run dir: %s\n  telemetry: %s\n",
		    val_get_str(s, "command"), val_get_str(s, "dir"), val_get_str(s, "telemetry"));
	if (q) {
		sbuf_printf(out, "  trace: %lld packets%s; per queue:", (long long)num(s,
			    "trace_packets"), val_get(s, "loop")->u.b ? ", looped" : "");
		for (size_t i = 0; i < q->u.c.n; i++)
			sbuf_printf(out, " %s %lld", q->u.c.keys[i], (long long)q->u.c.items[i]->u.i);
		sbuf_addc(out, '\n');
	}
	if (val_get_str(s, "notes"))
		sbuf_printf(out, "  note: %s\n", val_get_str(s, "notes"));
}
