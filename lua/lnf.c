#include "lua/lnf.h"

#include <errno.h>
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "engine/analysis.h"
#include "engine/shard.h"
#include "engine/nfload.h"
#include "engine/portmap.h"
#include "engine/replay.h"
#include "engine/sbuf.h"
#include "lua/lutil.h"

#define NF_MT "baton.nf"

struct lnf {
	struct nfload *nf;
};

static struct lnf *
check_nf(lua_State *L, int idx)
{
	struct lnf *u = luaL_checkudata(L, idx, NF_MT);

	/* An argument error names the function and the argument (or "calling 'X' on bad self"). */
	if (!u->nf)
		luaL_argerror(L, idx, "this NF was closed");
	return u;
}

struct nfload *
lnf_checknf(lua_State *L, int idx)
{
	return check_nf(L, idx)->nf;
}

struct nfload *
lnf_tonf(lua_State *L, int idx)
{
	struct lnf *u = luaL_testudata(L, idx, NF_MT);

	return u ? u->nf : NULL;
}

struct nfload *
lnf_checkopt(lua_State *L, int idx, const char *fn, const char *key)
{
	struct lnf *u = luaL_testudata(L, idx, NF_MT);

	if (!u)
		luaL_error(L, "%s: '%s' must be an NF (baton.load), not a %s", fn, key,
			   luaL_typename(L, idx));
	if (!u->nf)
		luaL_error(L, "%s: '%s': this NF was closed", fn, key);
	return u->nf;
}

/* baton.load(name_or_path) -> nf | nil, message */
static int
l_load(lua_State *L)
{
	const char *what = lutil_checkcstr(L, 1);
	struct err e = ERR_INIT;
	struct lnf *u = lua_newuserdatauv(L, sizeof *u, 0);

	u->nf = NULL;
	luaL_setmetatable(L, NF_MT);
	u->nf = nfload_open(what, lutil_host(L)->progress, NULL, &e);
	if (!u->nf)
		return lutil_fail(L, e.msg);
	return 1;
}

static int
set_one(lua_State *L, struct lnf *u, int kidx, int vidx)
{
	struct err e = ERR_INIT;
	const char *key, *value;
	size_t n;

	if (lua_type(L, kidx) != LUA_TSTRING)
		return luaL_error(L, "nf:set: keys are strings, not a %s", luaL_typename(L, kidx));
	if (lua_type(L, vidx) != LUA_TSTRING && lua_type(L, vidx) != LUA_TNUMBER)
		return luaL_error(L, "nf:set: the value of '%s' must be a string or a number",
				  lua_tostring(L, kidx));
	key = lua_tolstring(L, kidx, &n);
	if (strlen(key) != n)
		return luaL_error(L, "nf:set: a key contains a zero byte");
	lua_pushvalue(L, vidx);
	value = lua_tolstring(L, -1, &n);	/* a copy: converting in place would confuse lua_next */
	if (strlen(value) != n)
		return luaL_error(L, "nf:set: the value of '%s' contains a zero byte", key);
	/* Converting allocated, and a finalizer run then may have closed it. */
	if (!u->nf)
		return luaL_error(L, "nf:set: this NF was closed");
	if (nfload_set(u->nf, key, value, &e) < 0) {
		lua_pop(L, 1);
		return lutil_fail(L, e.msg);
	}
	lua_pop(L, 1);
	return 0;
}

/* nf:set(key, value) or nf:set{key = value, ...} -> nf | nil, message */
static int
l_set(lua_State *L)
{
	struct lnf *u = check_nf(L, 1);

	if (lua_istable(L, 2)) {
		lua_pushnil(L);
		while (lua_next(L, 2)) {
			int n = set_one(L, u, -2, -1);
			if (n)
				return n;
			lua_pop(L, 1);
		}
	} else {
		int n;
		luaL_checkany(L, 3);
		n = set_one(L, u, 2, 3);
		if (n)
			return n;
	}
	lua_settop(L, 1);
	return 1;
}

/* nf:get(key) -> value | nil */
static int
l_get(lua_State *L)
{
	struct lnf *u = check_nf(L, 1);
	const char *key = lutil_checkcstr(L, 2);
	const char *v;

	if (!u->nf)
		return luaL_error(L, "nf:get: this NF was closed");
	v = nfload_get(u->nf, key);

	if (!v)
		return lutil_fail(L, "no such configuration key");
	lua_pushstring(L, v);
	return 1;
}

/* nf:info() -> {nf, summary, source, object, ports, config} */
static int
l_info(lua_State *L)
{
	struct lnf *u = check_nf(L, 1);

	lutil_push_val_free(L, nfload_to_val(u->nf));
	return 1;
}

/* nf:replay(pcap, {lan = CIDR | port = NAME_OR_NUMBER, out = PREFIX}) -> result | nil, message.
** A stopped or cut-short replay returns the result and the message. */
static int
l_replay(lua_State *L)
{
	static const char *const known[] = { "lan", "port", "out", NULL };
	struct lnf *u = check_nf(L, 1);
	const char *pcap = lutil_checkcstr(L, 2);
	const struct lbaton_host *h = lutil_host(L);
	const char *lan, *port, *out;
	struct portmap pm;
	struct replay_result *r;
	struct err e = ERR_INIT;
	struct val *v;
	int rc;

	if (!lua_isnoneornil(L, 3)) {
		luaL_checktype(L, 3, LUA_TTABLE);
		lutil_check_keys(L, 3, "nf:replay", known, "lan, port, out");
	}
	lua_settop(L, 3);
	lan = lutil_opt_string(L, 3, "nf:replay", "lan");
	port = lutil_opt_string(L, 3, "nf:replay", "port");
	out = lutil_opt_string(L, 3, "nf:replay", "out");
	if (lan && port)
		return lutil_fail(L, "replay: 'lan' and 'port' exclude each other");
	/* The options' metamethods may have closed it. */
	if (!u->nf)
		return luaL_error(L, "nf:replay: this NF was closed");
	rc = lan ? portmap_lan(&pm, u->nf, lan, &e) : portmap_one(&pm, u->nf, port ? port : "0", &e);
	if (rc < 0)
		return lutil_fail(L, e.msg);
	r = calloc(1, sizeof *r);
	if (!r)
		return luaL_error(L, "out of memory");
	rc = replay_run(u->nf, pcap, &pm, out, h->progress, r, &e);
	if (rc < 0 && rc != -EINTR && rc != -EIO) {
		free(r);
		return lutil_fail(L, e.msg);
	}
	v = replay_to_val(r);
	free(r);
	lutil_push_val_free(L, v);
	if (rc < 0) {
		lua_pushstring(L, e.msg);
		return 2;
	}
	return 1;
}

/* nf:analyze([{len_min = N, len_max = N, max_paths = N, max_steps = N, max_seconds = S}])
** -> result | nil, message (at a limit: which, and the option that raises it).
** The result is the plain table of the shell's 'analyze --json' (DESIGN.md section 9: with
** constraints, verdict and reasons); the
** analysis itself is freed before returning, so nothing in it goes stale when nf:set changes
** the configuration: analyze again for the new one. */
static int
l_analyze(lua_State *L)
{
	static const char *const known[] = { "len_min", "len_max", "max_paths", "max_steps",
					     "max_seconds", NULL };
	struct lnf *u = check_nf(L, 1);
	struct analysis_opts o = { .progress = lutil_host(L)->progress };
	struct err e = ERR_INIT;
	struct analysis *a;
	struct shard *sh;
	struct val *v;

	if (!lua_isnoneornil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
		lutil_check_keys(L, 2, "nf:analyze", known,
				 "len_min, len_max, max_paths, max_steps, max_seconds");
		/* 0 means "the default" to the engine, hence lengths and counts from 1. */
		o.len_min = (unsigned)lutil_opt_number(L, 2, "nf:analyze", "len_min", 1, UINT16_MAX,
						     true);
		o.len_max = (unsigned)lutil_opt_number(L, 2, "nf:analyze", "len_max", 1, UINT16_MAX,
						     true);
		o.max_paths = (unsigned)lutil_opt_number(L, 2, "nf:analyze", "max_paths", 1,
						       INT32_MAX, true);
		o.max_steps = (uint64_t)lutil_opt_number(L, 2, "nf:analyze", "max_steps", 1,
						       INT32_MAX, true);
		o.max_seconds = lutil_opt_number(L, 2, "nf:analyze", "max_seconds", 0.001, 1e6,
						 false);
		if (o.len_min && o.len_max && o.len_min > o.len_max)
			return luaL_error(L, "nf:analyze: len_min %d is over len_max %d", (int)o.len_min,
					  (int)o.len_max);
	}
	/* The options' metamethods may have closed it. */
	if (!u->nf)
		return luaL_error(L, "nf:analyze: this NF was closed");
	a = analysis_run(u->nf, &o, &e);
	if (!a && (e.code == -EINTR || progress_stopped(o.progress)))
		return lutil_fail(L, "analysis stopped (Ctrl-C)");
	if (!a && (e.code == -E2BIG || e.code == -EOVERFLOW || e.code == -ETIMEDOUT)) {
		lua_pushnil(L);
		lua_pushfstring(L, "%s; the option %s raises it", e.msg, e.code == -E2BIG ?
				"max_paths" : e.code == -EOVERFLOW ? "max_steps" : "max_seconds");
		return 2;
	}
	if (!a)
		return lutil_fail(L, e.msg[0] ? e.msg : "the analysis failed");
	sh = shard_run(a);
	v = analysis_to_val(a);
	shard_add_val(a, sh, v);
	shard_free(sh);
	analysis_free(a);
	lutil_push_val_free(L, v);
	return 1;
}

/* nf:close(): unload now instead of at garbage collection. */
static int
l_close(lua_State *L)
{
	struct lnf *u = luaL_checkudata(L, 1, NF_MT);

	nfload_close(u->nf);
	u->nf = NULL;
	return 0;
}

static int
l_tostring(lua_State *L)
{
	struct lnf *u = luaL_checkudata(L, 1, NF_MT);

	if (!u->nf)
		lua_pushstring(L, "baton.nf (closed)");
	else
		lua_pushfstring(L, "baton.nf %s (%s)", nfload_desc(u->nf)->name,
				nfload_source(u->nf));
	return 1;
}

static const luaL_Reg nf_methods[] = {
	{ "set", l_set },
	{ "get", l_get },
	{ "info", l_info },
	{ "replay", l_replay },
	{ "analyze", l_analyze },
	{ "close", l_close },
	{ NULL, NULL },
};

/* Methods first, then the descriptor's fields (nf.name, nf.ports, ...); any other key, as in
** a table, is nil. */
static int
l_index(lua_State *L)
{
	struct lnf *u = luaL_checkudata(L, 1, NF_MT);
	const char *key;
	struct val *v;

	if (lua_type(L, 2) != LUA_TSTRING)
		return 0;
	key = lua_tostring(L, 2);
	lua_getfield(L, lua_upvalueindex(1), key);
	if (!lua_isnil(L, -1) || !u->nf)
		return 1;
	lua_pop(L, 1);
	v = nfload_to_val(u->nf);
	if (strcmp(key, "name") == 0)
		key = "nf";
	if (val_get(v, key))
		lutil_push_val(L, val_get(v, key));
	else
		lua_pushnil(L);
	val_free(v);
	return 1;
}

/* baton.nfs(): the bundled NFs' names, sorted. */
static int
l_nfs(lua_State *L)
{
	char **names = nfload_bundled();

	lua_newtable(L);
	for (int i = 0; names && names[i]; i++) {
		lua_pushstring(L, names[i]);
		lua_rawseti(L, -2, i + 1);
	}
	nfload_names_free(names);
	return 1;
}

void
lnf_open(lua_State *L)
{
	lua_pushcfunction(L, l_load);
	lua_setfield(L, -2, "load");
	lua_pushcfunction(L, l_nfs);
	lua_setfield(L, -2, "nfs");
	if (luaL_newmetatable(L, NF_MT)) {
		luaL_newlib(L, nf_methods);
		lua_pushcclosure(L, l_index, 1);
		lua_setfield(L, -2, "__index");
		lua_pushcfunction(L, l_close);
		lua_setfield(L, -2, "__gc");
		lua_pushcfunction(L, l_close);
		lua_setfield(L, -2, "__close");
		lua_pushcfunction(L, l_tostring);
		lua_setfield(L, -2, "__tostring");
	}
	lua_pop(L, 1);
}
