#include "lua/lbaton.h"

#include <errno.h>
#include <signal.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"
#include "lua/lcheck.h"
#include "lua/lrun.h"
#include "lua/lnf.h"
#include "lua/lpcap.h"
#include "lua/lrss.h"
#include "lua/lutil.h"

struct lbaton {
	lua_State *L;
	const struct lbaton_host *host;
	volatile sig_atomic_t running;	/* chunks running (nested through baton.cmd) */
};

const char *
lbaton_version(void)
{
	return LUA_RELEASE;
}

/*---- The baton module ----*/

/* baton.cmd(line) -> ok, output: runs a shell line and returns what it printed. The line may
** run Lua again (re-entrance: 'lua CHUNK' runs under its own lua_pcall); the output is a boxed
** sbuf all the same, so nothing leaks if anything on the way raises. */
static int
l_cmd(lua_State *L)
{
	const char *line = lutil_checkcstr(L, 1);
	const struct lbaton_host *h = lutil_host(L);
	struct sbuf *out = lutil_newsbuf(L);
	int rc = h->run_line(h->arg, line, out);

	lua_pushboolean(L, rc == 0);
	lua_pushlstring(L, sbuf_str(out), out->len);
	sbuf_release(out);
	return 2;
}

/* baton.commands() -> list of {name, topic, usage, summary, sub}. */
static int
l_commands(lua_State *L)
{
	const struct lbaton_host *h = lutil_host(L);

	lutil_push_val_free(L, h->commands(h->arg));
	return 1;
}

/* print, sent where the shell's output goes (so baton.cmd captures it too). A __tostring may
** raise: the line is a boxed sbuf. */
static int
l_print(lua_State *L)
{
	const struct lbaton_host *h = lutil_host(L);
	int n = lua_gettop(L);
	struct sbuf *line = lutil_newsbuf(L);

	for (int i = 1; i <= n; i++) {
		size_t len;
		const char *s = luaL_tolstring(L, i, &len);
		if (i > 1)
			sbuf_addc(line, '\t');
		sbuf_add(line, s, len);
		lua_pop(L, 1);
	}
	sbuf_addc(line, '\n');
	h->write(h->arg, line->buf, line->len);
	sbuf_release(line);
	return 0;
}

static const luaL_Reg baton_funcs[] = {
	{ "cmd", l_cmd },
	{ "commands", l_commands },
	{ NULL, NULL },
};

static int
luaopen_baton(lua_State *L)
{
	luaL_newlib(L, baton_funcs);
	lua_pushstring(L, BATON_VERSION);
	lua_setfield(L, -2, "version");
	lpcap_open(L);
	lua_setfield(L, -2, "pcap");
	lrss_open(L);
	lua_setfield(L, -2, "rss");
	lnf_open(L);
	lcheck_open(L);
	lrun_open(L);
	return 1;
}

/*---- Running code ----*/

/* Calls the function under it with 'nargs' arguments and a traceback handler; on error puts
** the message in 'e'. Leaves the results on the stack. */
static int
docall(struct lbaton *lb, int nargs, struct err *e)
{
	lua_State *L = lb->L;
	int base = lua_gettop(L) - nargs;
	int rc;

	lua_pushcfunction(L, lutil_traceback);
	lua_insert(L, base);
	lb->running++;
	rc = lua_pcall(L, nargs, LUA_MULTRET, base);
	lb->running--;
	lua_remove(L, base);
	if (!lb->running)
		lua_sethook(L, NULL, 0, 0);
	if (rc != LUA_OK) {
		err_set(e, -EINVAL, "%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "(no message)");
		lua_pop(L, 1);
		return -1;
	}
	return 0;
}

/* Prints its arguments, as lua.c's REPL does for an expression's values. Called through
** docall: a __tostring met on the way may raise, and outside a lua_pcall that would be a panic
** (the end of the process). */
static int
print_values(lua_State *L)
{
	const struct lbaton_host *h = lutil_host(L);
	int n = lua_gettop(L);
	struct sbuf *line = lutil_newsbuf(L);

	for (int i = 1; i <= n; i++) {
		if (i > 1)
			sbuf_addc(line, '\t');
		lutil_repr(L, i, line);
	}
	sbuf_addc(line, '\n');
	h->write(h->arg, line->buf, line->len);
	sbuf_release(line);
	return 0;
}

int
lbaton_run_chunk(struct lbaton *lb, const char *chunk, struct err *e)
{
	lua_State *L = lb->L;
	int base = lua_gettop(L);
	char *ret;
	size_t n = strlen(chunk);
	int rc;

	if (!lua_checkstack(L, 4)) {
		err_set(e, -E2BIG, "Lua stack overflow");
		return -1;
	}
	/* An expression prints its values; anything else runs as a statement. */
	ret = xmalloc(n + 8);
	memcpy(ret, "return ", 7);
	memcpy(ret + 7, chunk, n + 1);
	rc = luaL_loadbuffer(L, ret, n + 7, "=lua");
	free(ret);
	if (rc != LUA_OK) {
		lua_pop(L, 1);
		rc = luaL_loadbuffer(L, chunk, n, "=lua");
	}
	if (rc != LUA_OK) {
		err_set(e, -EINVAL, "%s", lua_tostring(L, -1));
		lua_settop(L, base);
		return -1;
	}
	rc = docall(lb, 0, e);
	/* LUA_MULTRET leaves no spare slot above the values: make room for the printer. */
	if (rc == 0 && lua_gettop(L) > base && !lua_checkstack(L, 4))
		rc = err_set(e, -E2BIG, "too many values to print");
	if (rc == 0 && lua_gettop(L) > base) {
		int nres = lua_gettop(L) - base;

		lua_pushcfunction(L, print_values);
		lua_insert(L, base + 1);
		rc = docall(lb, nres, e);
	}
	lua_settop(L, base);
	return rc < 0 ? -1 : 0;
}

int
lbaton_run_file(struct lbaton *lb, const char *path, int argc, char **argv, struct err *e)
{
	lua_State *L = lb->L;
	int base = lua_gettop(L);

	/* Outside any lua_pcall here: nothing may raise. The arguments need room on the stack
	** (past LUA_MINSTACK slots, pushing writes beyond it), and 'arg' is set raw, past a
	** __newindex the user gave _G. */
	if (argc < 0 || argc > 100000 || !lua_checkstack(L, argc + 8)) {
		err_set(e, -E2BIG, "%s: too many arguments (%d)", path, argc);
		return -1;
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
	lua_pushliteral(L, "arg");
	lua_createtable(L, argc, 1);
	lua_pushstring(L, path);
	lua_rawseti(L, -2, 0);
	for (int i = 0; i < argc; i++) {
		lua_pushstring(L, argv[i]);
		lua_rawseti(L, -2, i + 1);
	}
	lua_rawset(L, -3);
	lua_settop(L, base);
	if (luaL_loadfile(L, path) != LUA_OK) {
		err_set(e, -EINVAL, "%s", lua_tostring(L, -1));
		lua_settop(L, base);
		return -1;
	}
	for (int i = 0; i < argc; i++)
		lua_pushstring(L, argv[i]);
	if (docall(lb, argc, e) < 0) {
		lua_settop(L, base);
		return -1;
	}
	lua_settop(L, base);
	return 0;
}

bool
lbaton_incomplete(struct lbaton *lb, const char *chunk)
{
	lua_State *L = lb->L;
	size_t n = strlen(chunk), lmsg;
	int rc = luaL_loadbuffer(L, chunk, n, "=lua");
	bool more = false;

	if (rc == LUA_ERRSYNTAX) {
		const char *msg = lua_tolstring(L, -1, &lmsg);
		more = lmsg >= 5 && strcmp(msg + lmsg - 5, "<eof>") == 0;
	}
	lua_pop(L, 1);
	return more;
}

static void
stop_hook(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	lua_sethook(L, NULL, 0, 0);
	luaL_error(L, "interrupted");
}

void
lbaton_interrupt(struct lbaton *lb)
{
	if (lb && lb->running)
		lua_sethook(lb->L, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

/*---- Life cycle ----*/

struct lbaton *
lbaton_new(const struct lbaton_host *host)
{
	struct lbaton *lb = xcalloc(1, sizeof *lb);
	lua_State *L = luaL_newstate();

	if (!L) {
		free(lb);
		return NULL;
	}
	lb->L = L;
	lb->host = host;
	luaL_openlibs(L);
	lutil_set_host(L, host);
	lua_pushcfunction(L, l_print);
	lua_setglobal(L, "print");
	/* Preloaded for require "baton", and global for one-liners. */
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
	lua_pushcfunction(L, luaopen_baton);
	lua_setfield(L, -2, "baton");
	lua_pop(L, 1);
	luaL_requiref(L, "baton", luaopen_baton, 1);
	lua_pop(L, 1);
	return lb;
}

void
lbaton_free(struct lbaton *lb)
{
	if (!lb)
		return;
	lua_close(lb->L);
	free(lb);
}
