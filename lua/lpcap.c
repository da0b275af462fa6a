#include "lua/lpcap.h"

#include <errno.h>
#include <lauxlib.h>
#include <string.h>

#include "engine/tracegen.h"
#include "engine/tstat.h"
#include "lua/lutil.h"

/* baton.pcap.info(path) -> table | nil, message (a truncated file: the table, then the message) */
static int
l_info(lua_State *L)
{
	const char *path = lutil_checkcstr(L, 1);
	const struct lbaton_host *h = lutil_host(L);
	struct err e = ERR_INIT;
	struct tstat st;
	struct val *v;
	int rc = tstat_file(path, h->progress, &st, &e);

	if (rc < 0 && rc != -EIO)
		return lutil_fail(L, e.msg);
	v = tstat_to_val(&st);
	lutil_push_val_free(L, v);
	if (rc == -EIO) {
		lua_pushstring(L, e.msg);
		return 2;
	}
	return 1;
}

/* baton.pcap.gen{kind = "zipf", flows = 1000, out = "x.pcap", ...} -> result | nil, message.
** Every other key is an option of 'pcap gen' and goes through the same parser. */
static int
l_gen(lua_State *L)
{
	const struct lbaton_host *h = lutil_host(L);
	struct tracegen_opts o;
	struct tracegen_result r;
	struct err e = ERR_INIT;
	const char *path = NULL;
	struct val *v;

	luaL_checktype(L, 1, LUA_TTABLE);
	tracegen_opts_init(&o);
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		const char *key, *value;
		size_t n;

		if (lua_type(L, -2) != LUA_TSTRING)
			return luaL_error(L, "baton.pcap.gen: option names must be strings, not a %s",
					  luaL_typename(L, -2));
		key = lua_tolstring(L, -2, &n);
		if (strlen(key) != n)
			return luaL_error(L, "baton.pcap.gen: an option name contains a zero byte");
		if (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER)
			return luaL_error(L, "baton.pcap.gen: option '%s' must be a string or a number",
					  key);
		value = lua_tolstring(L, -1, &n);	/* converts numbers in place: not the key */
		if (strlen(value) != n)
			return luaL_error(L, "baton.pcap.gen: option '%s' contains a zero byte", key);
		if (strcmp(key, "out") != 0 && strcmp(key, "o") != 0 &&
		    tracegen_opts_set(&o, key, value, &e) < 0)
			return lutil_fail(L, e.msg);
		lua_pop(L, 1);
	}
	/* Left on the stack, so the string stays alive. */
	if (lua_getfield(L, 1, "out") == LUA_TNIL) {
		lua_pop(L, 1);
		lua_getfield(L, 1, "o");
	}
	if (!lua_isnil(L, -1) && !lua_isstring(L, -1))
		return luaL_error(L, "baton.pcap.gen: 'out' must be a string");
	path = lua_tostring(L, -1);
	if (!path)
		return lutil_fail(L, "baton.pcap.gen: 'out' (the file to write) is required");
	if (strlen(path) != lua_rawlen(L, -1))
		return luaL_error(L, "baton.pcap.gen: 'out' contains a zero byte");
	if (!(o.set & (1u << TRACEGEN_OPT_KIND)))
		return lutil_fail(L, "baton.pcap.gen: 'kind' is required (uniform, zipf, bidir, churn)");
	if (tracegen_write(&o, path, h->progress, &r, &e) < 0)
		return lutil_fail(L, e.msg);
	v = tracegen_result_to_val(&r);
	lutil_push_val_free(L, v);
	return 1;
}

static const luaL_Reg pcap_funcs[] = {
	{ "info", l_info },
	{ "gen", l_gen },
	{ NULL, NULL },
};

void
lpcap_open(lua_State *L)
{
	luaL_newlib(L, pcap_funcs);
}
