#include "engine/telem.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "engine/json.h"
#include "engine/xalloc.h"

#define REPLY_MAX 65536		/* DPDK 22.11 replies with at most 16 KiB */

void
telem_path(const char *prefix, char *buf, size_t n)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (getuid() == 0)
		snprintf(buf, n, "/var/run/dpdk/%s/dpdk_telemetry.v2", prefix);
	else
		snprintf(buf, n, "%s/dpdk/%s/dpdk_telemetry.v2", xdg && *xdg ? xdg : "/tmp", prefix);
}

/* One message, within the time left. */
static ssize_t
read_msg(int fd, char *buf, size_t n, double timeout)
{
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	int r = poll(&pf, 1, (int)(timeout * 1000));

	if (r <= 0)
		return r == 0 ? -ETIMEDOUT : -errno;
	r = (int)read(fd, buf, n - 1);
	if (r < 0)
		return -errno;
	buf[r] = '\0';
	return r;
}

struct val *
telem_query(const char *path, const char *cmd, double timeout, struct err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *buf = NULL;
	struct val *v = NULL, *got = NULL;
	ssize_t n;
	int fd;

	if (strlen(path) >= sizeof sa.sun_path) {
		err_set(e, -ENAMETOOLONG, "%s: path too long for a socket", path);
		return NULL;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err_set(e, -errno, "socket: %s", strerror(errno));
		return NULL;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		err_set(e, -errno, "telemetry %s: %s", path, strerror(errno));
		goto out;
	}
	buf = xmalloc(REPLY_MAX);
	if ((n = read_msg(fd, buf, REPLY_MAX, timeout)) <= 0) {
		err_set(e, n ? (int)n : -EIO, "telemetry %s: no greeting", path);
		goto out;
	}
	/* MSG_NOSIGNAL: a build that dies between greeting and command must not take the shell
	** with it through SIGPIPE. */
	if (send(fd, cmd, strlen(cmd), MSG_NOSIGNAL) != (ssize_t)strlen(cmd)) {
		err_set(e, -errno, "telemetry %s: %s", path, strerror(errno));
		goto out;
	}
	if ((n = read_msg(fd, buf, REPLY_MAX, timeout)) <= 0) {
		err_set(e, n ? (int)n : -EIO, "telemetry %s: no reply to %s", path, cmd);
		goto out;
	}
	v = json_parse(buf, (size_t)n, "telemetry reply", e);
	if (!v)
		goto out;
	/* The value is under the command's name without its parameters. */
	char name[256];
	snprintf(name, sizeof name, "%s", cmd);
	name[strcspn(name, ",")] = '\0';
	const struct val *inner = val_get(v, name);
	if (!inner || inner->kind == VAL_NULL) {
		err_set(e, -ENOENT, "telemetry: %s is not a command of this process", name);
		goto out;
	}
	/* Taken out of the reply, which is freed below. */
	for (size_t i = 0; i < v->u.c.n; i++)
		if (v->u.c.items[i] == inner) {
			got = v->u.c.items[i];
			v->u.c.items[i] = val_null();
		}
out:
	val_free(v);
	free(buf);
	close(fd);
	return got;
}
