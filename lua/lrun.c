#include "lua/lrun.h"

#include <errno.h>
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/emit.h"
#include "engine/launch.h"
#include "engine/nfload.h"
#include "engine/portmap.h"
#include "engine/rss.h"
#include "lua/lnf.h"
#include "lua/lutil.h"

#define BUILD_MT "baton.build"
#define RUN_MT "baton.run"

struct lbuild {
	struct emit_build *b;
};

struct lrun {
	struct launch_run *r;
};

static double
field_number(lua_State *L, int t, const char *fn, const char *key)
{
	int isnum;
	double v;

	lua_getfield(L, t, key);
	if (lua_isnil(L, -1))
		return 0;
	v = lua_tonumberx(L, -1, &isnum);
	if (!isnum || v < 0)
		luaL_error(L, "%s: '%s' must be a number >= 0", fn, key);
	return v;
}

/* baton.emit(nf, mode, opts) -> build | nil, message */
static int
l_emit(lua_State *L)
{
	static const char *const known[] = { "cores", "force", "config", "analysis", NULL };
	struct nfload *nf = lnf_checknf(L, 1);
	const char *mode = luaL_checkstring(L, 2);
	struct emit_opts o = { 0 };
	struct rss_config *cfg = NULL;
	struct rss_cons k;
	struct err e = ERR_INIT;
	struct lbuild *u;
	struct val *v;
	char why[512] = "";
	int cfg_idx = 0, an_idx = 0, rc;
	double cores;

	if (!lua_isnoneornil(L, 3)) {
		luaL_checktype(L, 3, LUA_TTABLE);
		lutil_check_keys(L, 3, "baton.emit", known, "cores, force, config, analysis");
		cores = field_number(L, 3, "baton.emit", "cores");
		if (cores != (unsigned)cores || cores > EMIT_MAX_CORES)
			return luaL_error(L, "baton.emit: 'cores' must be a whole number in 1..%d",
					  EMIT_MAX_CORES);
		o.cores = (unsigned)cores;
		lua_getfield(L, 3, "force");
		o.force = lua_toboolean(L, -1);
		lua_getfield(L, 3, "config");
		cfg_idx = lua_istable(L, -1) ? lua_gettop(L) : 0;
		lua_getfield(L, 3, "analysis");
		an_idx = lua_istable(L, -1) ? lua_gettop(L) : 0;
	}
	if (emit_mode_parse(mode, &o.mode, &e) < 0)
		return lutil_fail(L, e.msg);
	if (cfg_idx) {
		const struct val *inner;
		if (!(v = lutil_to_val(L, cfg_idx, &e)))
			return lutil_fail(L, e.msg);
		inner = val_get(v, "config");
		cfg = rss_config_from_val(inner ? inner : v, &e);
		val_free(v);
		if (!cfg) {
			err_prefix(&e, "baton.emit: the configuration");
			return lutil_fail(L, e.msg);
		}
		o.rss = cfg;
	}
	if (an_idx) {
		lua_getfield(L, an_idx, "reasons");
		if (lua_istable(L, -1) && lua_rawgeti(L, -1, 1) == LUA_TSTRING)
			snprintf(why, sizeof why, "%s", lua_tostring(L, -1));
		v = lutil_to_val(L, an_idx, &e);
		rc = v ? rss_cons_from_val(v, &k, &e) : -EINVAL;
		val_free(v);
		if (rc < 0) {
			rss_config_free(cfg);
			err_prefix(&e, "baton.emit: the analysis");
			return lutil_fail(L, e.msg);
		}
		o.cons = &k;
		o.locks_why = *why ? why : NULL;
	}
	u = lua_newuserdatauv(L, sizeof *u, 1);
	u->b = NULL;
	luaL_setmetatable(L, BUILD_MT);
	/* The build keeps its NF alive: launch needs its ports. */
	lua_pushvalue(L, 1);
	lua_setiuservalue(L, -2, 1);
	rc = emit_run(nf, &o, lutil_host(L)->progress, &u->b, &e);
	if (o.cons)
		rss_cons_release(&k);
	rss_config_free(cfg);
	if (rc < 0)
		return lutil_fail(L, e.msg);
	return 1;
}

static struct lbuild *
check_build(lua_State *L, int idx)
{
	struct lbuild *u = luaL_checkudata(L, idx, BUILD_MT);

	if (!u->b)
		luaL_error(L, "this build failed to emit");
	return u;
}

static int
push_or_fail(lua_State *L, struct val *v, const struct err *e)
{
	if (!v)
		return lutil_fail(L, e->msg);
	lutil_push_val(L, v);
	val_free(v);
	return 1;
}

static int
l_build_info(lua_State *L)
{
	return push_or_fail(L, emit_to_val(check_build(L, 1)->b), NULL);
}

static int
l_build_gc(lua_State *L)
{
	struct lbuild *u = luaL_checkudata(L, 1, BUILD_MT);

	emit_free(u->b);
	u->b = NULL;
	return 0;
}

/* build:launch{...} -> run | nil, message */
static int
l_launch(lua_State *L)
{
	static const char *const known[] = { "pcap", "lan", "port", "loop", "null", "flows",
					     "duration", "stats", "eal", NULL };
	struct lbuild *u = check_build(L, 1);
	struct launch_opts o = { 0 };
	const char *lan, *port;
	struct portmap pm;
	struct err e = ERR_INIT;
	struct nfload *nf;
	struct lrun *run;
	char **eal = NULL;
	double flows;
	int rc = 0;

	if (lua_isnoneornil(L, 2))
		lua_newtable(L);
	luaL_checktype(L, 2, LUA_TTABLE);
	lua_settop(L, 2);
	lutil_check_keys(L, 2, "build:launch", known,
		   "pcap, lan, port, loop, null, flows, duration, stats, eal");
	o.pcap = lutil_opt_string(L, 2, "build:launch", "pcap");
	lan = lutil_opt_string(L, 2, "build:launch", "lan");
	port = lutil_opt_string(L, 2, "build:launch", "port");
	lua_getfield(L, 2, "loop");
	o.loop = lua_toboolean(L, -1);
	lua_getfield(L, 2, "null");
	o.null = lua_toboolean(L, -1);
	flows = field_number(L, 2, "build:launch", "flows");
	if (flows != (unsigned)flows)
		return luaL_error(L, "build:launch: 'flows' must be a whole number");
	o.flows = (unsigned)flows;
	o.duration = field_number(L, 2, "build:launch", "duration");
	o.stats = field_number(L, 2, "build:launch", "stats");
	lua_getfield(L, 2, "eal");
	if (!lua_isnil(L, -1)) {
		int t = lua_gettop(L);
		luaL_checktype(L, t, LUA_TTABLE);
		o.n_eal = (int)luaL_len(L, t);
		for (int i = 1; i <= o.n_eal; i++)
			if (lua_rawgeti(L, t, i) != LUA_TSTRING)
				return luaL_error(L, "build:launch: 'eal' must be a list of strings");
		/* Strings stay on the stack while used. */
		eal = lua_newuserdatauv(L, (size_t)(o.n_eal + 1) * sizeof *eal, 0);
		for (int i = 0; i < o.n_eal; i++)
			eal[i] = (char *)lua_tostring(L, t + 1 + i);
		o.eal = eal;
	}
	if ((lan || port || o.loop) && !o.pcap)
		return lutil_fail(L, "build:launch: lan, port and loop go with pcap");
	if (o.flows && !o.null)
		return lutil_fail(L, "build:launch: flows goes with null");
	if (o.pcap) {
		lua_getiuservalue(L, 1, 1);
		nf = lnf_checknf(L, -1);
		lua_pop(L, 1);
		rc = lan ? portmap_lan(&pm, nf, lan, &e) : portmap_one(&pm, nf, port ? port : "0",
								       &e);
		if (rc < 0)
			return lutil_fail(L, e.msg);
		o.pm = &pm;
	}
	run = lua_newuserdatauv(L, sizeof *run, 0);
	run->r = NULL;
	luaL_setmetatable(L, RUN_MT);
	run->r = launch_start(u->b, &o, lutil_host(L)->progress, &e);
	if (!run->r)
		return lutil_fail(L, e.msg);
	return 1;
}

static struct lrun *
check_run(lua_State *L)
{
	struct lrun *u = luaL_checkudata(L, 1, RUN_MT);

	if (!u->r)
		luaL_error(L, "this run is gone");
	return u;
}

static int
l_counters(lua_State *L)
{
	struct err e = ERR_INIT;

	return push_or_fail(L, launch_counters(check_run(L)->r, &e), &e);
}

static int
l_status(lua_State *L)
{
	return push_or_fail(L, launch_status(check_run(L)->r), NULL);
}

static int
l_running(lua_State *L)
{
	lua_pushboolean(L, launch_running(check_run(L)->r));
	return 1;
}

static int
l_messages(lua_State *L)
{
	char *m = launch_messages(check_run(L)->r);

	lua_pushstring(L, m);
	free(m);
	return 1;
}

static int
l_stop(lua_State *L)
{
	struct err e = ERR_INIT;

	return push_or_fail(L, launch_stop(check_run(L)->r, 5.0, &e), &e);
}

static int
l_run_gc(lua_State *L)
{
	struct lrun *u = luaL_checkudata(L, 1, RUN_MT);

	launch_free(u->r);
	u->r = NULL;
	return 0;
}

/* baton.sleep(seconds): lets a script wait for a running build; Ctrl-C ends it early. */
static int
l_sleep(lua_State *L)
{
	double s = luaL_checknumber(L, 1);
	const struct progress *p = lutil_host(L)->progress;
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	for (double t = 0; t < s && !progress_stopped(p); t += 0.01)
		nanosleep(&ts, NULL);
	return 0;
}

static const luaL_Reg build_methods[] = {
	{ "launch", l_launch },
	{ "info", l_build_info },
	{ NULL, NULL },
};

static const luaL_Reg run_methods[] = {
	{ "counters", l_counters },
	{ "status", l_status },
	{ "running", l_running },
	{ "messages", l_messages },
	{ "stop", l_stop },
	{ NULL, NULL },
};

static void
new_class(lua_State *L, const char *name, const luaL_Reg *methods, lua_CFunction gc)
{
	luaL_newmetatable(L, name);
	lua_newtable(L);
	luaL_setfuncs(L, methods, 0);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, gc);
	lua_setfield(L, -2, "__gc");
	lua_pushcfunction(L, gc);
	lua_setfield(L, -2, "__close");
	lua_pop(L, 1);
}

void
lrun_open(lua_State *L)
{
	new_class(L, BUILD_MT, build_methods, l_build_gc);
	new_class(L, RUN_MT, run_methods, l_run_gc);
	lua_pushcfunction(L, l_emit);
	lua_setfield(L, -2, "emit");
	lua_pushcfunction(L, l_sleep);
	lua_setfield(L, -2, "sleep");
}
