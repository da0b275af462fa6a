#ifndef ENGINE_PROGRESS_H
#define ENGINE_PROGRESS_H
/*
** How long engine loops (reading or writing traces, later checking and analysis) let the shell
** stop them and show how far they got, without the engine printing or touching signals: the
** shell owns the flag, the engine only reads it (style.md 2.4, lua.c's SIGINT idea). The shell
** also lends a guard for running code it does not trust (a user's NF), so a crash in it becomes
** an error instead of the end of the process.
*/

#include <errno.h>

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct progress {
	const volatile sig_atomic_t *stop;	/* non-zero: finish early (NULL: never) */
	/* Called now and then with what is being done, units done and total (0: unknown). */
	void (*report)(void *arg, const char *what, uint64_t done, uint64_t total);
	/* Runs fn(fn_arg) and returns its result; if it crashes (SIGSEGV, SIGBUS, SIGFPE, SIGILL)
	** returns -EFAULT with the signal in *sig instead. NULL: fn runs unguarded. */
	int (*guard)(void *arg, int (*fn)(void *), void *fn_arg, int *sig);
	void *arg;
};

/* True when the caller asked the running loop to end (Ctrl-C). 'p' may be NULL. */
static inline bool
progress_stopped(const struct progress *p)
{
	return p && p->stop && *p->stop;
}

/* Passes a progress report on, if anyone listens. */
static inline void
progress_report(const struct progress *p, const char *what, uint64_t done, uint64_t total)
{
	if (p && p->report)
		p->report(p->arg, what, done, total);
}

/* Runs fn(fn_arg) through the guard when there is one; *sig is 0 unless it crashed. */
static inline int
progress_guard(const struct progress *p, int (*fn)(void *), void *fn_arg, int *sig)
{
	*sig = 0;
	if (p && p->guard)
		return p->guard(p->arg, fn, fn_arg, sig);
	return fn(fn_arg);
}

#endif
