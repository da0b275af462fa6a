/* baton's entry point: command-line options, then the shell, a batch, or a Lua script. Only
** this file decides the exit status: 0 when every command succeeded. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repl/repl.h"
#include "repl/session.h"

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: baton [OPTIONS] [SCRIPT.lua [ARGS...] | FILE]\n"
		"  (no argument)   the interactive shell on a terminal; commands from stdin otherwise\n"
		"  -e LINE         run LINE (repeatable, in order), then exit\n"
		"  -b FILE         run the commands in FILE ('-' for stdin), then exit\n"
		"  -i              go on interactively after -e and -b\n"
		"  SCRIPT.lua      run a Lua script with the baton module; ARGS in 'arg' and '...'\n"
		"  FILE            run the commands in FILE, as -b does\n"
		"  --json          print results as JSON, one object per line\n"
		"  --bail          stop at the first command that fails\n"
		"  -q              no banner\n"
		"  --version       print the version and exit\n"
		"  --help          print this and exit\n"
		"Exit status: 0 when every command succeeded, 1 when one failed, 2 for bad options,\n"
		"130 when Ctrl-C stopped a batch.\n");
}

struct step {
	char kind;		/* 'e' line, 'b' batch file */
	const char *arg;
};

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
run_script(struct session *s, const char *path, int argc, char **argv)
{
	struct err e = ERR_INIT;

	s->ncmd++;
	if (lbaton_run_file(s->lua, path, argc, argv, &e) < 0) {
		out_err(&s->out, "%s", e.msg);
		s->nerr++;
		return -1;
	}
	return 0;
}

/* -b FILE: a file that cannot be opened counts as one failed command. */
static int
run_batch_file(struct session *s, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	int rc;

	if (!f) {
		out_err(&s->out, "%s: %s", path, strerror(errno));
		s->nerr++;
		return -1;
	}
	rc = repl_batch(s, f, f == stdin ? "stdin" : path);
	if (f != stdin)
		fclose(f);
	return rc;
}

int
main(int argc, char **argv)
{
	struct session s;
	struct step *steps = calloc((size_t)argc, sizeof *steps);
	int nsteps = 0, i, interactive_after = 0, quiet = 0, json = 0, bail = 0, status;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if ((strcmp(a, "-e") == 0 || strcmp(a, "-b") == 0) && i + 1 < argc) {
			steps[nsteps].kind = a[1];
			steps[nsteps++].arg = argv[++i];
		} else if (strcmp(a, "-e") == 0 || strcmp(a, "-b") == 0) {
			fprintf(stderr, "baton: %s needs an argument\n", a);
			free(steps);
			return 2;
		} else if (strcmp(a, "-i") == 0) {
			interactive_after = 1;
		} else if (strcmp(a, "-q") == 0) {
			quiet = 1;
		} else if (strcmp(a, "--json") == 0) {
			json = 1;
		} else if (strcmp(a, "--bail") == 0) {
			bail = 1;
		} else if (strcmp(a, "--version") == 0) {
			printf("baton %s\n", BATON_VERSION);
			free(steps);
			return 0;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			free(steps);
			return 0;
		} else if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "baton: unknown option '%s'\n", a);
			usage(stderr);
			free(steps);
			return 2;
		} else {
			break;
		}
	}

	if (repl_init(&s) < 0) {
		free(steps);
		return 1;
	}
	s.out.json = json;
	s.bail = bail;

	for (int k = 0; k < nsteps && !s.quit && !s.interrupted; k++) {
		if (steps[k].kind == 'e') {
			char where[32];
			snprintf(where, sizeof where, "-e #%d", k + 1);
			if (repl_line(&s, steps[k].arg, nsteps > 1 ? where : NULL) < 0 && bail)
				break;
		} else if (run_batch_file(&s, steps[k].arg) < 0 && bail) {
			break;
		}
	}
	if (i < argc && !s.quit && !s.interrupted) {
		if (ends_with(argv[i], ".lua"))
			run_script(&s, argv[i], argc - i - 1, argv + i + 1);
		else if (i + 1 < argc)
			fprintf(stderr, "baton: only one batch FILE, or SCRIPT.lua with ARGS\n"), s.nerr++;
		else
			run_batch_file(&s, argv[i]);
	}
	if ((nsteps == 0 && i >= argc) || interactive_after) {
		if (!s.quit && !s.interrupted) {
			if (isatty(STDIN_FILENO)) {
				if (!quiet)
					printf("baton %s: 'help' lists the commands, 'tutorial' walks you through, "
					       "Ctrl-D leaves.\n",
					       BATON_VERSION);
				repl_interactive(&s);
			} else {
				repl_batch(&s, stdin, "stdin");
			}
		}
	}
	status = s.interrupted ? 130 : s.nerr ? 1 : 0;
	repl_release(&s);
	free(steps);
	return status;
}
