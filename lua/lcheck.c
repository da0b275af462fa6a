#include "lua/lcheck.h"

#include <errno.h>
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "engine/check.h"
#include "engine/nfload.h"
#include "engine/portmap.h"
#include "engine/rss.h"
#include "lua/lnf.h"
#include "lua/lutil.h"

/* The options both functions take, read before anything is allocated (a Lua error then
** leaks nothing). Strings stay on the Lua stack while used. */
struct opts {
	struct nfload *nf;
	const char *pcap, *gen, *lan, *port, *out;
	unsigned cores;
	int nf_idx;		/* stack index of the NF object */
	int config, analysis;	/* stack indices of the tables, 0 when absent */
};

static int
opt_table(lua_State *L, const char *fn, const char *key)
{
	lua_getfield(L, 1, key);
	if (lua_isnil(L, -1))
		return 0;
	if (!lua_istable(L, -1))
		luaL_error(L, "%s: '%s' must be a table", fn, key);
	return lua_gettop(L);
}

static void
read_opts(lua_State *L, const char *fn, struct opts *o)
{
	static const char *const known[] = { "nf", "pcap", "gen", "lan", "port", "cores", "config",
					     "analysis", "out", NULL };
	lua_Integer n;
	int isint;

	memset(o, 0, sizeof *o);
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	lutil_check_keys(L, 1, fn, known,
			 "nf, pcap, gen, lan, port, cores, config, analysis, out");
	lua_getfield(L, 1, "nf");
	if (lua_isnil(L, -1))
		luaL_error(L, "%s: 'nf' is required (nf = baton.load(\"fw\"))", fn);
	o->nf_idx = lua_gettop(L);
	o->nf = lnf_checkopt(L, o->nf_idx, fn, "nf");
	o->pcap = lutil_opt_string(L, 1, fn, "pcap");
	o->gen = lutil_opt_string(L, 1, fn, "gen");
	o->lan = lutil_opt_string(L, 1, fn, "lan");
	o->port = lutil_opt_string(L, 1, fn, "port");
	o->out = lutil_opt_string(L, 1, fn, "out");
	if (!o->pcap == !o->gen)
		luaL_error(L, "%s: give 'pcap' (a file) or 'gen' (\"bidir,flows=10000\"), one of "
			   "them", fn);
	if (o->lan && o->port)
		luaL_error(L, "%s: 'lan' and 'port' exclude each other", fn);
	lua_getfield(L, 1, "cores");
	if (!lua_isnil(L, -1)) {
		n = lua_tointegerx(L, -1, &isint);
		if (!isint || n < 1 || n > RSS_MAX_CORES)
			luaL_error(L, "%s: 'cores' must be a whole number in 1..%d", fn, RSS_MAX_CORES);
		o->cores = (unsigned)n;
	}
	o->config = opt_table(L, fn, "config");
	o->analysis = opt_table(L, fn, "analysis");
}

/* Ports and configuration; no Lua error from here on. The NF is fetched again: the user's
** metamethods that ran since read_opts may have closed it. */
static int
prepare(lua_State *L, struct opts *o, struct portmap *pm, struct rss_config **cfg,
	struct err *e)
{
	const struct nf_desc *d;
	struct val *v;
	int rc;

	*cfg = NULL;
	if (!(o->nf = lnf_tonf(L, o->nf_idx)))
		return err_set(e, -EINVAL, "'nf': this NF was closed");
	d = nfload_desc(o->nf);
	rc = o->lan ? portmap_lan(pm, o->nf, o->lan, e) :
		      portmap_one(pm, o->nf, o->port ? o->port : "0", e);
	if (rc < 0)
		return rc;
	if (o->config) {
		const struct val *inner;
		if (!(v = lutil_to_val(L, o->config, e))) {
			err_prefix(e, "the configuration");
			return -EINVAL;
		}
		inner = val_get(v, "config");
		*cfg = rss_config_from_val(inner ? inner : v, e);
		val_free(v);
		if (!*cfg) {
			err_prefix(e, "the configuration");
			return -EINVAL;
		}
	} else {
		*cfg = rss_config_new(NULL, o->cores, 0, nfload_nports(o->nf), d->ports);
	}
	if (check_config_cores(*cfg, o->cores, e) < 0) {
		rss_config_free(*cfg);
		*cfg = NULL;
		return -EINVAL;
	}
	return 0;
}

/* baton.check{...} -> result | nil, message. A stopped or cut-short check returns the result
** and the message. */
static int
l_check(lua_State *L)
{
	const struct lbaton_host *h = lutil_host(L);
	struct check_opts co = { 0 };
	struct check_result *r;
	struct rss_config *cfg;
	struct portmap pm;
	struct err e = ERR_INIT;
	struct opts o;
	struct val *v;
	char why[512] = "";
	int rc;

	read_opts(L, "baton.check", &o);
	if (o.analysis) {
		co.analyzed = true;
		lua_getfield(L, o.analysis, "verdict");
		co.locks = lua_type(L, -1) == LUA_TSTRING && !strcmp(lua_tostring(L, -1), "locks");
		lua_getfield(L, o.analysis, "reasons");
		if (lua_istable(L, -1) && lua_rawgeti(L, -1, 1) == LUA_TSTRING)
			snprintf(why, sizeof why, "%s", lua_tostring(L, -1));
		co.locks_why = why;
	}
	if (prepare(L, &o, &pm, &cfg, &e) < 0)
		return lutil_fail(L, e.msg);
	co.pm = &pm;
	co.rss = cfg;
	co.gen = o.gen;
	co.out_prefix = o.out;
	r = calloc(1, sizeof *r);
	if (!r) {
		rss_config_free(cfg);
		return lutil_fail(L, "out of memory");
	}
	rc = check_run(o.nf, o.pcap, &co, h->progress, r, &e);
	rss_config_free(cfg);
	v = rc == 0 || rc == -EINTR || rc == -EIO ? check_to_val(r) : NULL;
	check_release(r);
	free(r);
	if (!v)
		return lutil_fail(L, e.msg);
	lutil_push_val_free(L, v);
	if (rc < 0) {
		lua_pushstring(L, e.msg);
		return 2;
	}
	return 1;
}

/* baton.rss.balance{...} -> {config = NEW, groups = ...} | nil, message */
static int
l_balance(lua_State *L)
{
	const struct lbaton_host *h = lutil_host(L);
	const struct nf_desc *d;
	struct rss_config *cfg;
	struct rss_cons k;
	struct rss_rebalance rb;
	struct portmap pm;
	struct err e = ERR_INIT;
	uint64_t *loads[RSS_MAX_PORTS];
	const uint64_t *cl[RSS_MAX_PORTS];
	struct opts o;
	struct val *v;
	bool linked = false;
	int64_t n;
	int rc;

	read_opts(L, "baton.rss.balance", &o);
	if (prepare(L, &o, &pm, &cfg, &e) < 0)
		return lutil_fail(L, e.msg);
	d = nfload_desc(o.nf);
	if (o.analysis) {
		v = lutil_to_val(L, o.analysis, &e);
		rc = v ? rss_cons_from_val(v, &k, &e) : -EINVAL;
		val_free(v);
		if (rc < 0) {
			rss_config_free(cfg);
			err_prefix(&e, "baton.rss.balance: the analysis");
			return lutil_fail(L, e.msg);
		}
		linked = true;
	}
	n = check_loads(o.pcap, o.gen, &pm, cfg, nfload_nports(o.nf), d->ports, h->progress,
			loads, &e);
	if (n < 0) {
		if (linked)
			rss_cons_release(&k);
		rss_config_free(cfg);
		return lutil_fail(L, e.msg);
	}
	for (unsigned i = 0; i < RSS_MAX_PORTS; i++)
		cl[i] = loads[i];
	rc = rss_rebalance(cfg, linked ? &k : NULL, cl, &rb, &e);
	for (unsigned i = 0; i < RSS_MAX_PORTS; i++)
		free(loads[i]);
	if (linked)
		rss_cons_release(&k);
	if (rc < 0) {
		rss_config_free(cfg);
		return lutil_fail(L, e.msg);
	}
	v = rss_rebalance_val(cfg, &rb);
	val_set(v, "config", rss_config_val(cfg));
	val_set_int(v, "packets", n);
	rss_rebalance_release(&rb);
	rss_config_free(cfg);
	lutil_push_val_free(L, v);
	return 1;
}

void
lcheck_open(lua_State *L)
{
	lua_pushcfunction(L, l_check);
	lua_setfield(L, -2, "check");
	lua_getfield(L, -1, "rss");
	lua_pushcfunction(L, l_balance);
	lua_setfield(L, -2, "balance");
	lua_pop(L, 1);
}
