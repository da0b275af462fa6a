#ifndef VIZ_VIEW_RSS_H
#define VIZ_VIEW_RSS_H
/*
** view rss: per port the key (hex), field set, constraint status and quality; the RETA as a
** grid coloured by core; a per-core load histogram for the current trace or for uniform
** traffic. Keys switch the field set (every set the NIC accepts, from rss_fieldsets_run) and
** re-solve (a new seed), showing the result at once. The view works on a copy of the session's
** configuration and hands back what the user ended on. Not for editing keys or RETAs by hand
** (rss set does that).
*/

#include <signal.h>
#include <stdbool.h>

#include "engine/err.h"
#include "engine/portmap.h"
#include "engine/rss.h"

struct view_rss_args {
	const struct rss_config *cfg;	/* the session's configuration (copied, never changed) */
	const struct rss_cons *cons;	/* what the NF needs (rss_cons_none before an analysis);
					** its ports are the NF's, in the NF's order */
	bool analyzed;			/* cons comes from an analysis */
	const char *trace;		/* the current trace, or NULL: uniform traffic only */
	const struct portmap *pm;	/* with trace: each packet's port */
};

/* Runs the view until q, F10, Esc or *stop (Ctrl-C); engine errors show in its status line
** and never end it. *out_cfg gets the configuration shown on leaving when it differs from
** a->cfg (key, field set or RETA of some port; the caller owns it), else NULL. Returns 0, or
** a negative code with 'e' set when no terminal can be opened or a->cfg has no port (*out_cfg
** NULL then). */
int view_rss_run(const struct view_rss_args *a, const volatile sig_atomic_t *stop,
		 struct rss_config **out_cfg, struct err *e);

#endif
