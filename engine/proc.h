#ifndef ENGINE_PROC_H
#define ENGINE_PROC_H
/*
** Child processes for emit (make) and launch (an emitted build): fork and exec an argument
** vector, never a shell string, with stdout and stderr going to files. The child gets its own
** process group, so the terminal's Ctrl-C reaches the shell and not the child, and dies with
** its parent (PR_SET_PDEATHSIG), so no process outlives the shell. Never prints.
*/

#include <stdbool.h>
#include <sys/types.h>

#include "engine/err.h"
#include "engine/progress.h"

/* Starts argv[0] (a path) with argv in directory 'dir' (NULL: here), stdout appended to
** 'out_path' and stderr to 'err_path' (the same path is fine; NULL: /dev/null). Returns the pid,
** or a negative code with 'e' set (exec failures show as exit status 127 with the reason in
** 'err_path'). */
pid_t proc_spawn(char *const argv[], const char *dir, const char *out_path, const char *err_path,
		 struct err *e);

/* Waits for 'pid' to end, up to 'timeout' seconds (< 0: no limit), checking 'p' for Ctrl-C
** (which sends SIGTERM to the child's group, then waits for it). Returns the exit status
** (a signal: 128 + its number); -ETIMEDOUT with the child still running; -EINTR when stopped. */
int proc_wait(pid_t pid, double timeout, const struct progress *p);

/* Whether 'pid' still runs; when it has ended, reaps it and puts its status in *status
** (as proc_wait returns it). */
bool proc_running(pid_t pid, int *status);

/* Sends 'sig' to the child's process group; waits up to 'grace' seconds for it to end, then
** kills it. Returns its status as proc_wait does. */
int proc_end(pid_t pid, int sig, double grace);

/* The last 'max' bytes of the file at 'path' (whole lines), malloc'ed; "" when unreadable. */
char *proc_tail(const char *path, size_t max);

#endif
