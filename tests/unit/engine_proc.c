/* Unit tests for engine/proc.c (children for make and launched builds) and engine/telem.c (the
** DPDK telemetry client), the latter against a server speaking the v2 protocol on a socketpair
** path of its own. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/proc.h"
#include "engine/telem.h"
#include "tests/test.h"

static char dir[] = "/tmp/baton-proc-XXXXXX";

static void
spawn_exit_status_and_output(void)
{
	char out[256], *tail;
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)"echo hello; echo oops >&2; exit 3",
			 NULL };
	struct err e = ERR_INIT;
	pid_t pid;

	snprintf(out, sizeof out, "%s/out", dir);
	pid = proc_spawn(argv, dir, out, out, &e);
	CHECK(pid > 0);
	CHECK_EQ_INT(proc_wait(pid, 10, NULL), 3);
	tail = proc_tail(out, 100);
	CHECK_STR(tail, "hello\noops\n");
	free(tail);
}

static void
spawn_missing_binary_is_127(void)
{
	char out[256], *tail;
	char *argv[] = { (char *)"/nonexistent/prog", NULL };
	struct err e = ERR_INIT;
	pid_t pid;

	snprintf(out, sizeof out, "%s/err", dir);
	pid = proc_spawn(argv, NULL, NULL, out, &e);
	CHECK(pid > 0);
	CHECK_EQ_INT(proc_wait(pid, 10, NULL), 127);
	tail = proc_tail(out, 200);
	CHECK(strstr(tail, "/nonexistent/prog") != NULL);
	free(tail);
}

/* A child that ignores SIGINT is killed after the grace time; one in its own group. */
static void
end_escalates_and_groups(void)
{
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)"trap '' INT; sleep 30", NULL };
	struct err e = ERR_INIT;
	pid_t pid = proc_spawn(argv, NULL, NULL, NULL, &e);

	CHECK(pid > 0);
	usleep(100000);
	CHECK(proc_running(pid, NULL));
	CHECK_EQ_INT(getpgid(pid), pid);
	CHECK_EQ_INT(proc_wait(pid, 0.1, NULL), -ETIMEDOUT);
	CHECK_EQ_INT(proc_end(pid, SIGINT, 0.3), 128 + SIGKILL);
}

static void
tail_keeps_whole_lines(void)
{
	char path[256], *t;
	FILE *f;

	snprintf(path, sizeof path, "%s/lines", dir);
	f = fopen(path, "w");
	for (int i = 0; i < 100; i++)
		fprintf(f, "line %03d\n", i);
	fclose(f);
	t = proc_tail(path, 30);
	CHECK_STR(t, "line 097\nline 098\nline 099\n");
	free(t);
	t = proc_tail("/nonexistent", 30);
	CHECK_STR(t, "");
	free(t);
}

/* A telemetry server as DPDK's: greeting, then {"CMD": value} per request. */
static void
serve(const char *path, int replies)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_SEQPACKET, 0), c;
	char buf[512], reply[700];
	ssize_t n;

	if (strlen(path) >= sizeof sa.sun_path)
		_exit(1);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(s, 4) < 0)
		_exit(1);
	kill(getppid(), SIGUSR1);
	for (int i = 0; i < replies; i++) {
		if ((c = accept(s, NULL, NULL)) < 0)
			_exit(1);
		const char *greet = "{\"version\":\"DPDK 22.11\",\"pid\":1,\"max_output_len\":16384}";
		if (write(c, greet, strlen(greet)) < 0)
			_exit(1);
		n = read(c, buf, sizeof buf - 1);
		if (n <= 0)
			_exit(1);
		buf[n] = '\0';
		if (!strncmp(buf, "/baton/cores", 12))
			snprintf(reply, sizeof reply, "{\"/baton/cores\":{\"workers\":2,\"core0\":"
				 "{\"rx\":10},\"core1\":{\"rx\":20},\"total\":{\"rx\":30}}}");
		else
			snprintf(reply, sizeof reply, "{\"%s\":null}", buf);
		if (write(c, reply, strlen(reply)) < 0)
			_exit(1);
		close(c);
	}
	_exit(0);
}

static volatile sig_atomic_t served;
static void on_usr1(int sig) { served = sig; }

static void
telemetry_client(void)
{
	char path[256];
	struct err e = ERR_INIT;
	struct val *v;
	pid_t pid;
	int st;

	snprintf(path, sizeof path, "%s/sock", dir);
	signal(SIGUSR1, on_usr1);
	pid = fork();
	if (pid == 0)
		serve(path, 2);
	for (int i = 0; i < 500 && !served; i++)
		usleep(2000);
	v = telem_query(path, "/baton/cores", 2.0, &e);
	CHECK(v != NULL);
	if (v) {
		CHECK_EQ_INT(val_get_int(v, "workers", 0), 2);
		CHECK_EQ_INT(val_get_int(val_get(v, "core1"), "rx", 0), 20);
		CHECK_EQ_INT(val_get_int(val_get(v, "total"), "rx", 0), 30);
		val_free(v);
	}
	/* An unknown command answers null: an error naming it. */
	v = telem_query(path, "/no/such", 2.0, &e);
	CHECK(v == NULL);
	CHECK(strstr(e.msg, "/no/such") != NULL);
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* Nobody listening: an error naming the socket. */
	err_clear(&e);
	v = telem_query(path, "/baton/cores", 0.5, &e);
	CHECK(v == NULL);
	CHECK(strstr(e.msg, path) != NULL);
}

int
main(void)
{
	if (!mkdtemp(dir))
		return 1;
	RUN(spawn_exit_status_and_output);
	RUN(spawn_missing_binary_is_127);
	RUN(end_escalates_and_groups);
	RUN(tail_keeps_whole_lines);
	RUN(telemetry_client);
	{
		char cmd[64];
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return TEST_DONE();
}
