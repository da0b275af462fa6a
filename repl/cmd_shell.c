/* The shell's own commands: help, quit, echo, source, version. */
#include "repl/cmd.h"

#include <pcap/pcap.h>
#include <string.h>

#include "engine/sbuf.h"
#include "lua/lbaton.h"
#include "repl/repl.h"
#include "repl/session.h"
#include "repl/tour.h"

static int
do_quit(struct session *s, int argc, char **argv, struct err *e)
{
	s->quit = true;
	return 0;
}

static int
do_echo(struct session *s, int argc, char **argv, struct err *e)
{
	struct sbuf sb = SBUF_INIT;

	for (int i = 1; i < argc; i++)
		sbuf_printf(&sb, "%s%s", i > 1 ? " " : "", argv[i]);
	out_printf(&s->out, "%s\n", sbuf_str(&sb));
	sbuf_release(&sb);
	return 0;
}

static int
do_source(struct session *s, int argc, char **argv, struct err *e)
{
	return repl_source(s, argv[1], e);
}

static int
do_version(struct session *s, int argc, char **argv, struct err *e)
{
	if (s->out.json) {
		struct val *v = val_obj();
		val_set_str(v, "baton", BATON_VERSION);
		val_set_str(v, "lua", lbaton_version());
		val_set_str(v, "libpcap", pcap_lib_version());
		val_set_str(v, "llvm", BATON_LLVM_VERSION);
		val_set_str(v, "dpdk", BATON_DPDK_VERSION);
		out_json(&s->out, v);
		val_free(v);
		return 0;
	}
	out_printf(&s->out, "baton %s (%s, %s, LLVM %s, DPDK %s)\n", BATON_VERSION,
		   lbaton_version(), pcap_lib_version(), BATON_LLVM_VERSION, BATON_DPDK_VERSION);
	return 0;
}

static int
do_tutorial(struct session *s, int argc, char **argv, struct err *e)
{
	struct sbuf sb = SBUF_INIT;
	unsigned long n;

	if (argc == 2 && !strcmp(argv[1], "next")) {
		tour_suggest(s, &sb);
	} else if (argc == 2 && !strcmp(argv[1], "off")) {
		s->tour = false;
		sbuf_adds(&sb, "tutorial: no more hints ('tutorial' turns them on again)\n");
	} else if (argc == 2) {
		if (!args_uint(argv[1], TOUR_STEPS, &n) || !n)
			return err_set(e, -EINVAL, "tutorial: a step is 1..%d, not '%s' (or next, off)",
				       TOUR_STEPS, argv[1]);
		tour_format_step(s, (int)n - 1, &sb);
	} else {
		tour_format(s, &sb);
		s->tour = true;
		s->tour_step = tour_next(s);
	}
	out_printf(&s->out, "%s", sbuf_str(&sb));
	sbuf_release(&sb);
	return 0;
}

const struct cmd cmd_shell_table[] = {
	{ .name = "help", .fn = cmd_help, .arity = -1, .usage = "help [CMD [SUBCMD]]",
	  .summary = "list the commands, or show one in full",
	  .detail = "Commands and subcommands may be shortened to any unique prefix: 'pc i FILE'.\n"
		    "Lines ending in '\\' go on on the next line; '#' starts a comment.\n" },
	{ .name = "quit", .fn = do_quit, .arity = 1, .usage = "quit",
	  .summary = "leave baton (Ctrl-D does too)" },
	{ .name = "exit", .fn = do_quit, .arity = 1, .flags = CMD_F_HIDDEN, .usage = "exit",
	  .summary = "leave baton" },
	{ .name = "echo", .fn = do_echo, .arity = -1, .usage = "echo [TEXT...]",
	  .summary = "print TEXT (for scripts)" },
	{ .name = "source", .fn = do_source, .arity = 2, .flags = CMD_F_FILES,
	  .usage = "source FILE", .summary = "run the commands in FILE",
	  .detail = "Runs each line of FILE as if typed; errors name FILE:LINE and do not stop the\n"
		    "rest (unless baton was started with --bail).\n" },
	{ .name = "tutorial", .fn = do_tutorial, .arity = -1,
	  .usage = "tutorial [N|next|off]",
	  .summary = "a guided tour: load, analyze, view graph, rss solve, check, emit, launch",
	  .detail = "Shows the steps from a sequential NF to a live 2-core build, which are done,\n"
		    "and the next one in full; from then on each command that finishes a step\n"
		    "says what is next. N shows step N; next prints three commands worth typing\n"
		    "now; off stops the hints.\n",
	  .words = "next off" },
	{ .name = "version", .fn = do_version, .arity = 1, .flags = CMD_F_JSON,
	  .usage = "version [--json]", .summary = "show the versions of baton and its libraries" },
	{ .name = NULL },
};
