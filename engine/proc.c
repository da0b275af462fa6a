#include "engine/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/clock.h"
#include "engine/xalloc.h"

static int
redirect(const char *path, int fd)
{
	int f = open(path ? path : "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (f < 0)
		return -1;
	if (f != fd && dup2(f, fd) < 0)
		return -1;
	if (f != fd)
		close(f);
	return 0;
}

pid_t
proc_spawn(char *const argv[], const char *dir, const char *out_path, const char *err_path,
	   struct err *e)
{
	pid_t parent = getpid(), pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return err_set(e, -errno, "fork: %s", strerror(errno));
	if (pid == 0) {
		/* Only async-signal-safe calls from here to exec. */
		sigset_t none;
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);	/* the parent died before prctl */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if (redirect(out_path, 1) < 0 || redirect(err_path, 2) < 0)
			_exit(127);
		if (dir && chdir(dir) < 0) {
			dprintf(2, "baton: cannot enter %s: %s\n", dir, strerror(errno));
			_exit(127);
		}
		execv(argv[0], argv);
		dprintf(2, "baton: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	/* Either side may win the race to set the group; both set the same. */
	setpgid(pid, pid);
	return pid;
}

static int
status_of(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

bool
proc_running(pid_t pid, int *status)
{
	int st;
	pid_t r = waitpid(pid, &st, WNOHANG);

	if (r == 0)
		return true;
	if (status)
		*status = r == pid ? status_of(st) : 255;
	return false;
}

static void
nap(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	nanosleep(&ts, NULL);
}

int
proc_wait(pid_t pid, double timeout, const struct progress *p)
{
	double start = clock_seconds();
	int status;

	for (;;) {
		if (!proc_running(pid, &status))
			return status;
		if (progress_stopped(p)) {
			proc_end(pid, SIGTERM, 2.0);
			return -EINTR;
		}
		if (timeout >= 0 && clock_seconds() - start > timeout)
			return -ETIMEDOUT;
		nap(0.02);
	}
}

int
proc_end(pid_t pid, int sig, double grace)
{
	double start = clock_seconds();
	int status;

	if (!proc_running(pid, &status))
		return status;
	kill(-pid, sig);
	kill(pid, sig);
	while (clock_seconds() - start < grace) {
		if (!proc_running(pid, &status))
			return status;
		nap(0.01);
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) == pid)
		return status_of(status);
	return 255;
}

char *
proc_tail(const char *path, size_t max)
{
	FILE *f = fopen(path, "r");
	char *buf, *start;
	long size;
	size_t n;

	if (!f)
		return xstrdup("");
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	if (size < 0)
		size = 0;
	if ((size_t)size > max)
		fseek(f, size - (long)max, SEEK_SET);
	else
		fseek(f, 0, SEEK_SET);
	buf = xmalloc(max + 1);
	n = fread(buf, 1, max, f);
	fclose(f);
	buf[n] = '\0';
	start = buf;
	/* A cut first line is only noise. */
	if ((size_t)size > max && (start = strchr(buf, '\n')))
		start++;
	else
		start = buf;
	memmove(buf, start, strlen(start) + 1);
	return buf;
}
