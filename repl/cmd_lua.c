/* Lua from the shell: 'lua CHUNK' and 'lua -f FILE [ARGS]'. */
#include "repl/cmd.h"

#include <errno.h>
#include <string.h>

#include "lua/lbaton.h"
#include "repl/session.h"

static int
do_lua(struct session *s, int argc, char **argv, struct err *e)
{
	const char *chunk = argv[1];
	struct args a = ARGS_INIT;
	int rc;

	if (strncmp(chunk, "-f", 2) != 0 || (chunk[2] != ' ' && chunk[2] != '\t' && chunk[2]))
		return lbaton_run_chunk(s->lua, chunk, e);
	if (args_split(&a, chunk, e) < 0)
		return -EINVAL;
	if (a.argc < 2) {
		args_release(&a);
		return err_set(e, -EINVAL, "usage: lua -f FILE [ARGS...]");
	}
	if (s->source_depth >= 16) {
		args_release(&a);
		return err_set(e, -ELOOP, "%s: scripts nested more than 16 deep", a.argv[1]);
	}
	s->source_depth++;
	rc = lbaton_run_file(s->lua, a.argv[1], a.argc - 2, a.argv + 2, e);
	s->source_depth--;
	args_release(&a);
	return rc;
}

const struct cmd cmd_lua_table[] = {
	{ .name = "lua", .fn = do_lua, .arity = 2, .flags = CMD_F_RAW | CMD_F_CHUNK | CMD_F_FILES,
	  .usage = "lua CHUNK | lua -f FILE [ARGS]",
	  .summary = "run Lua code with the baton module loaded",
	  .detail = "An expression prints its value: 'lua 1+2', 'lua baton.pcap.info(\"x.pcap\")'.\n"
		    "A chunk may span lines: 'lua for i = 1, 3 do' goes on until 'end'.\n"
		    "baton.cmd(LINE) runs a shell line and returns ok, output; baton.commands()\n"
		    "lists the commands. Failures return nil, message; a Lua error prints its\n"
		    "traceback and the shell goes on.\n",
	  .words = "-f" },
	{ .name = NULL },
};
