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

#define SECONDS_MAX 1e9	/* about 30 years: more is a mistake, and stays a finite number */
#define EAL_MAX 256		/* arguments in 'eal' */

/* Option 'key' of the table at 't' when it is a table: its stack index (left there), or 0
** when absent; anything else raises. */
static int
field_table(lua_State *L, int t, const char *fn, const char *key)
{
	lua_getfield(L, t, key);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	if (!lua_istable(L, -1))
		luaL_error(L, "%s: '%s' must be a table, not a %s", fn, key, luaL_typename(L, -1));
	return lua_gettop(L);
}

/* baton.emit(nf, mode, opts) -> build | nil, message. Every option is read (and every user
** metamethod has run) before the configuration and constraints are allocated. */
static int
l_emit(lua_State *L)
{
	static const char *const known[] = { "cores", "force", "config", "analysis", NULL };
	struct nfload *nf = lnf_checknf(L, 1);
	const char *mode = lutil_checkcstr(L, 2);
	struct emit_opts o = { 0 };
	struct rss_config *cfg = NULL;
	struct rss_cons k;
	struct err e = ERR_INIT;
	const struct progress *prog = lutil_host(L)->progress;
	struct lbuild *u;
	struct val *v;
	char why[512] = "";
	int cfg_idx = 0, an_idx = 0, rc;

	if (!lua_isnoneornil(L, 3)) {
		luaL_checktype(L, 3, LUA_TTABLE);
		lua_settop(L, 3);
		lutil_check_keys(L, 3, "baton.emit", known, "cores, force, config, analysis");
		o.cores = (unsigned)lutil_opt_number(L, 3, "baton.emit", "cores", 0,
						   EMIT_MAX_CORES, true);
		lua_getfield(L, 3, "force");
		o.force = lua_toboolean(L, -1);
		lua_pop(L, 1);
		cfg_idx = field_table(L, 3, "baton.emit", "config");
		an_idx = field_table(L, 3, "baton.emit", "analysis");
		if (an_idx) {
			lua_getfield(L, an_idx, "reasons");
			if (lua_istable(L, -1) && lua_rawgeti(L, -1, 1) == LUA_TSTRING)
				snprintf(why, sizeof why, "%s", lua_tostring(L, -1));
		}
	}
	if (emit_mode_parse(mode, &o.mode, &e) < 0)
		return lutil_fail(L, e.msg);
	/* The last allocation by Lua: nothing below raises while cfg and k are held. */
	u = lua_newuserdatauv(L, sizeof *u, 1);
	u->b = NULL;
	luaL_setmetatable(L, BUILD_MT);
	/* The build keeps its NF alive: launch needs its ports. */
	lua_pushvalue(L, 1);
	lua_setiuservalue(L, -2, 1);
	/* And the options' metamethods (or a finalizer) may have closed it. */
	if (!(nf = lnf_tonf(L, 1)))
		return lutil_fail(L, "baton.emit: the NF was closed");
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
	rc = emit_run(nf, &o, prog, &u->b, &e);
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
		luaL_argerror(L, idx, "this build was closed");
	return u;
}

static int
push_or_fail(lua_State *L, struct val *v, const struct err *e)
{
	if (!v)
		return lutil_fail(L, e->msg);
	lutil_push_val_free(L, v);
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

/* build:launch{...} -> run | nil, message. The options run the user's metamethods, which may
** close the build or its NF: both are fetched again after the last Lua call. */
static int
l_launch(lua_State *L)
{
	static const char *const known[] = { "pcap", "lan", "port", "loop", "null", "flows",
					     "duration", "stats", "eal", NULL };
	struct lbuild *u = check_build(L, 1);
	const struct progress *prog = lutil_host(L)->progress;
	struct launch_opts o = { 0 };
	const char *lan, *port;
	struct portmap pm;
	struct err e = ERR_INIT;
	struct nfload *nf;
	struct lrun *run;
	char **eal = NULL;
	int rc = 0;

	if (lua_isnoneornil(L, 2)) {
		lua_settop(L, 1);
		lua_newtable(L);
	}
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
	o.flows = (unsigned)lutil_opt_number(L, 2, "build:launch", "flows", 0,
						   UINT32_MAX, true);
	o.duration = lutil_opt_number(L, 2, "build:launch", "duration", 0,
					 SECONDS_MAX, false);
	o.stats = lutil_opt_number(L, 2, "build:launch", "stats", 0, SECONDS_MAX,
				      false);
	lua_getfield(L, 2, "eal");
	if (!lua_isnil(L, -1)) {
		int t = lua_gettop(L);
		lua_Integer n;

		if (!lua_istable(L, t))
			return luaL_error(L, "build:launch: 'eal' must be a list of strings, not a %s",
					  luaL_typename(L, t));
		n = luaL_len(L, t);
		if (n < 0 || n > EAL_MAX)
			return luaL_error(L, "build:launch: 'eal' must list 0..%d strings", EAL_MAX);
		o.n_eal = (int)n;
		/* The strings stay on the stack while used: room for them first. */
		luaL_checkstack(L, o.n_eal + 4, "build:launch: 'eal' too long");
		for (int i = 1; i <= o.n_eal; i++) {
			size_t len;

			if (lua_rawgeti(L, t, i) != LUA_TSTRING ||
			    strlen(lua_tolstring(L, -1, &len)) != len)
				return luaL_error(L, "build:launch: 'eal' must be a list of strings "
						  "(without zero bytes)");
		}
		eal = lua_newuserdatauv(L, (size_t)(o.n_eal + 1) * sizeof *eal, 0);
		for (int i = 0; i < o.n_eal; i++)
			eal[i] = (char *)lua_tostring(L, t + 1 + i);
		eal[o.n_eal] = NULL;
		o.eal = eal;
	}
	if ((lan || port || o.loop) && !o.pcap)
		return lutil_fail(L, "build:launch: lan, port and loop go with pcap");
	if (o.flows && !o.null)
		return lutil_fail(L, "build:launch: flows goes with null");
	run = lua_newuserdatauv(L, sizeof *run, 0);
	run->r = NULL;
	luaL_setmetatable(L, RUN_MT);
	if (o.pcap) {
		lua_getiuservalue(L, 1, 1);
		nf = lnf_tonf(L, -1);
		lua_pop(L, 1);
		if (!nf)
			return lutil_fail(L, "build:launch: the build's NF was closed");
		rc = lan ? portmap_lan(&pm, nf, lan, &e) : portmap_one(&pm, nf, port ? port : "0",
								       &e);
		if (rc < 0)
			return lutil_fail(L, e.msg);
		o.pm = &pm;
	}
	if (!u->b)
		return luaL_error(L, "build:launch: this build was closed");
	run->r = launch_start(u->b, &o, prog, &e);
	if (!run->r)
		return lutil_fail(L, e.msg);
	return 1;
}

static struct lrun *
check_run(lua_State *L)
{
	struct lrun *u = luaL_checkudata(L, 1, RUN_MT);

	if (!u->r)
		luaL_argerror(L, 1, "this run was closed");
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
	struct sbuf *sb = lutil_newsbuf(L);
	char *m = launch_messages(check_run(L)->r);

	/* Held by Lua before pushing, which may raise (out of memory). */
	sbuf_adds(sb, m);
	free(m);
	lua_pushlstring(L, sbuf_str(sb), sb->len);
	sbuf_release(sb);
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

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits 's' seconds in 10 ms steps; false as soon as Ctrl-C or the end of the run ('u', when
** not NULL) cuts it short. */
static bool
wait_for(struct lrun *u, double s, const struct progress *p)
{
	const struct timespec step = { 0, 10 * 1000 * 1000 };
	double end = now_seconds() + s;

	for (;;) {
		if (progress_stopped(p) || (u && (!u->r || !launch_running(u->r))))
			return false;
		if (now_seconds() >= end)
			return true;
		nanosleep(&step, NULL);
	}
}

/* run:watch(every, fn) -> samples [, message]: see lrun.h. fn runs under lua_pcall, and its
** error is raised again once nothing is held; the run is looked up again after each call, as
** fn may stop or close it. */
static int
l_watch(lua_State *L)
{
	const struct progress *p = lutil_host(L)->progress;
	struct lrun *u = check_run(L);
	double every = luaL_checknumber(L, 2);
	lua_Integer n = 0;

	luaL_argcheck(L, every > 0 && every <= SECONDS_MAX, 2, "seconds must be in (0, 1e9]");
	luaL_checktype(L, 3, LUA_TFUNCTION);
	lua_settop(L, 3);
	lua_pushcfunction(L, lutil_traceback);
	while (wait_for(u, every, p)) {
		struct err e = ERR_INIT;
		struct val *c = launch_counters(u->r, &e);
		bool more;

		if (!c) {
			if (!launch_running(u->r))
				break;
			/* It runs but does not answer: say why the samples stopped. */
			lua_pushinteger(L, n);
			lua_pushstring(L, e.msg);
			return 2;
		}
		lua_pushvalue(L, 3);
		lutil_push_val_free(L, c);
		n++;
		if (lua_pcall(L, 1, 1, 4) != LUA_OK)
			return luaL_error(L, "run:watch: the callback failed: %s",
					  lua_isstring(L, -1) ? lua_tostring(L, -1) :
					  luaL_typename(L, -1));
		more = !lua_isboolean(L, -1) || lua_toboolean(L, -1);
		lua_settop(L, 4);
		if (!more)
			break;
	}
	lua_pushinteger(L, n);
	return 1;
}

/* baton.sleep(seconds): lets a script wait for a running build; Ctrl-C ends it early. */
static int
l_sleep(lua_State *L)
{
	double s = luaL_checknumber(L, 1);

	luaL_argcheck(L, s >= 0 && s <= SECONDS_MAX, 1, "seconds must be in 0..1e9");
	wait_for(NULL, s, lutil_host(L)->progress);
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
	{ "watch", l_watch },
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
