#include "repl/repl.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <readline/history.h>
#include <readline/readline.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/xalloc.h"
#include "repl/cmd.h"

#define PROMPT "baton> "
#define PROMPT_MORE "  ...> "
#define HISTORY_MAX 1000

/*---- SIGINT glue (the only mutable globals of the shell, with readline's) ----*/

static volatile sig_atomic_t stop_flag;	/* Ctrl-C seen since the command began */
static volatile sig_atomic_t at_prompt;	/* readline is waiting for a line */
static struct lbaton *sig_lua;		/* interrupted through a hook while it runs */
static sigjmp_buf *volatile crash_to;	/* where a crash in guarded code goes */
static volatile sig_atomic_t crash_sig;	/* and which signal it was */

static void
on_sigint(int sig)
{
	(void)sig;
	stop_flag = 1;
	lbaton_interrupt(sig_lua);
}

/* Readline's input: Ctrl-C while it waits for a key ends the line as Enter would, so
** readline returns at once (its own handler has already echoed ^C) and the loop drops the line. */
static int
read_key(FILE *f)
{
	unsigned char c;

	for (;;) {
		/* A Ctrl-C readline noted while it was busy drawing has been passed on already. */
		if (stop_flag && at_prompt)
			return '\n';
		ssize_t n = read(fileno(f), &c, 1);
		if (n == 1)
			return c;
		if (n == 0)
			return EOF;
		if (errno != EINTR)
			return EOF;
		/* Readline's handler only noted the signal; this passes it on to on_sigint. */
		rl_check_signals();
	}
}

/*---- Crash guard: a user's NF that faults ends its command, not the shell ----*/

static const int crash_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL };
#define NCRASH (sizeof crash_sigs / sizeof crash_sigs[0])

static void
on_crash(int sig)
{
	crash_sig = sig;
	if (crash_to)
		siglongjmp(*crash_to, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The guard of struct progress. The handlers are in place only while guarded code runs, so a
** bug in baton itself still crashes (and ASan still reports it). Runs on its own stack, so an
** NF that overflows the stack is caught too. */
static int
guard(void *arg, int (*fn)(void *), void *fn_arg, int *sig)
{
	struct sigaction sa, old[NCRASH];
	sigjmp_buf jb, *volatile prev = crash_to;
	volatile int rc;

	(void)arg;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NCRASH; i++)
		sigaction(crash_sigs[i], &sa, &old[i]);
	if (sigsetjmp(jb, 1) == 0) {
		crash_to = &jb;
		rc = fn(fn_arg);
	} else {
		*sig = crash_sig;
		rc = -EFAULT;
	}
	crash_to = prev;
	for (size_t i = 0; i < NCRASH; i++)
		sigaction(crash_sigs[i], &old[i], NULL);
	return rc;
}

/*---- What the shell lends Lua ----*/

/* Runs 'line' with 'where' ("FILE:LINE", or NULL) naming it in error messages. */
static int
dispatch_at(struct session *s, const char *line, const char *where)
{
	const char *saved = s->where;
	int rc;

	s->where = where;
	rc = cmd_dispatch(s, line);
	s->where = saved;
	return rc;
}

static int
host_run_line(void *arg, const char *line, struct sbuf *out)
{
	struct session *s = arg;
	int nerr = s->nerr, rc;

	if (out_push(&s->out, out) < 0) {
		sbuf_adds(out, "error: baton.cmd nested too deep\n");
		return -1;
	}
	/* From inside a command: no batch location, and Ctrl-C left as it is. */
	rc = dispatch_at(s, line, NULL);
	out_pop(&s->out);
	/* The Lua caller sees the failure and decides; it is not the shell's. */
	s->nerr = nerr;
	return rc;
}

static struct val *
host_commands(void *arg)
{
	(void)arg;
	return cmd_describe();
}

static void
host_write(void *arg, const char *data, size_t n)
{
	struct session *s = arg;

	out_write(&s->out, data, n);
}

int
repl_init(struct session *s)
{
	struct sigaction sa;

	session_init(s, &stop_flag);
	s->lua_host = (struct lbaton_host){
		.run_line = host_run_line,
		.commands = host_commands,
		.write = host_write,
		.progress = &s->progress,
		.arg = s,
	};
	s->lua = lbaton_new(&s->lua_host);
	if (!s->lua) {
		fprintf(stderr, "error: cannot create the Lua state\n");
		return -1;
	}
	sig_lua = s->lua;
	s->progress.guard = guard;
	/* An alternate stack for the crash handler (a stack overflow leaves no room on the main one). */
	{
		static char altstack[1 << 16];
		stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
		sigaltstack(&ss, NULL);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);	/* no SA_RESTART: blocking reads return EINTR */
	return 0;
}

void
repl_release(struct session *s)
{
	sig_lua = NULL;
	session_release(s);
}

int
repl_line(struct session *s, const char *line, const char *where)
{
	stop_flag = 0;
	return dispatch_at(s, line, where);
}

/*---- Reading lines ----*/

struct reader {
	FILE *f;		/* batch input, or NULL for readline */
	const char *name;	/* for messages */
	int lineno;		/* lines read so far */
	int first;		/* line number where the current logical line began */
};

/* One physical line without its newline; NULL at EOF. Caller frees. */
static char *
read_raw(struct reader *r, const char *prompt)
{
	char *line = NULL;

	if (!r->f) {
		at_prompt = 1;
		line = readline(prompt);
		at_prompt = 0;
	} else {
		size_t cap = 0;
		ssize_t n;
		do {
			errno = 0;
			n = getline(&line, &cap, r->f);
		} while (n < 0 && errno == EINTR && !stop_flag);
		if (n < 0) {
			free(line);
			return NULL;
		}
		args_chomp(line, (size_t)n);
	}
	if (line)
		r->lineno++;
	return line;
}

/* One logical line: '\' at the end joins the next line, and an unfinished Lua chunk takes
** lines until it compiles or input ends. NULL at EOF. Caller frees. */
static char *
read_logical(struct session *s, struct reader *r)
{
	char *line = read_raw(r, PROMPT), *more;
	size_t n;

	if (!line)
		return NULL;
	r->first = r->lineno;
	for (;;) {
		if (args_continues(line)) {
			n = strlen(line);
		} else if (!cmd_incomplete(s, line)) {
			return line;
		} else {
			n = strlen(line);
			line = xrealloc(line, n + 2);
			strcpy(line + n, "\n");
			n++;
		}
		if (stop_flag && !r->f)
			return line;	/* Ctrl-C at a continuation prompt drops the whole line */
		more = read_raw(r, PROMPT_MORE);
		if (!more)
			return line;	/* the command reports what is missing */
		line = xrealloc(line, n + strlen(more) + 1);
		strcpy(line + n, more);
		free(more);
	}
}

/*---- Interactive ----*/

static struct args completions;	/* candidates for the word being completed */

static char *
complete_next(const char *text, int state)
{
	static int i;

	(void)text;
	if (!state)
		i = 0;
	return i < completions.argc ? xstrdup(completions.argv[i++]) : NULL;
}

static char **
complete(const char *text, int start, int end)
{
	char *before = xstrndup(rl_line_buffer, (size_t)start);
	bool files;

	(void)end;
	cmd_complete(before, text, &completions, &files);
	free(before);
	/* With no candidate of its own, a command taking files lets readline list them. */
	rl_attempted_completion_over = !(files && completions.argc == 0);
	if (!completions.argc)
		return NULL;
	return rl_completion_matches(text, complete_next);
}

static char *
history_path(void)
{
	const char *p = getenv("BATON_HISTORY"), *home = getenv("HOME");
	struct sbuf sb = SBUF_INIT;

	if (p)
		return *p ? xstrdup(p) : NULL;
	if (!home || !*home)
		return NULL;
	sbuf_printf(&sb, "%s/.baton_history", home);
	return sbuf_detach(&sb);
}

static void
history_save(const char *path, const char *line)
{
	int fd;

	add_history(line);
	if (!path)
		return;
	/* append_history needs the file to exist. */
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd >= 0) {
		close(fd);
		append_history(1, path);
	}
}

int
repl_interactive(struct session *s)
{
	struct reader r = { NULL, "terminal", 0, 0 };
	char *hist = history_path(), *line;

	s->interactive = true;
	rl_readline_name = "baton";
	/* Readline would export LINES and COLUMNS, which curses then prefers to the real size. */
	rl_change_environment = 0;
	rl_attempted_completion_function = complete;
	rl_getc_function = read_key;
	using_history();
	stifle_history(HISTORY_MAX);
	if (hist)
		read_history(hist);
	while (!s->quit) {
		stop_flag = 0;
		line = read_logical(s, &r);
		if (!line) {
			printf("\n");
			break;
		}
		if (stop_flag) {
			/* Ctrl-C at the prompt: forget the line, show a fresh prompt. */
			free(line);
			continue;
		}
		if (line[strspn(line, " \t")])
			history_save(hist, line);
		/* A command that failed said so; one that ended early but succeeded did not. */
		if (repl_line(s, line, NULL) == 0 && stop_flag)
			out_note(&s->out, "(interrupted)\n");
		free(line);
	}
	if (hist)
		history_truncate_file(hist, HISTORY_MAX);
	free(hist);
	args_release(&completions);
	return s->nerr ? -1 : 0;
}

/*---- Batch ----*/

int
repl_batch(struct session *s, FILE *f, const char *name)
{
	struct reader r = { f, name, 0, 0 };
	int nerr = s->nerr;
	char where[512], *line;

	while (!s->quit && (line = read_logical(s, &r))) {
		snprintf(where, sizeof where, "%s:%d", name, r.first);
		int rc = repl_line(s, line, where);
		free(line);
		if (stop_flag) {
			/* Ctrl-C ends a batch: the user wants the shell back, not the next line. */
			s->interrupted = true;
			out_err(&s->out, "%s: interrupted; the rest of %s was not run", where, name);
			break;
		}
		if (rc < 0 && s->bail)
			break;
	}
	return s->nerr > nerr ? -1 : 0;
}

int
repl_source(struct session *s, const char *path, struct err *e)
{
	FILE *f;
	int rc;

	if (s->source_depth >= 16)
		return err_set(e, -ELOOP, "%s: 'source' nested more than 16 deep", path);
	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!f)
		return err_set(e, -errno, "%s: %s", path, strerror(errno));
	s->source_depth++;
	rc = repl_batch(s, f, strcmp(path, "-") == 0 ? "stdin" : path);
	s->source_depth--;
	if (f != stdin)
		fclose(f);
	if (rc < 0)
		return err_set(e, -EINVAL, "%s: some commands failed (see above)", path);
	return 0;
}
