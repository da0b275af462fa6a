#ifndef VIZ_VIEW_CORES_H
#define VIZ_VIEW_CORES_H
/*
** view cores: the launched build live, refreshed every second from its telemetry
** (launch_counters): per core rx/tx pps and drops with sparklines of the last minute, cycles
** per packet, busy share, aborts and write locks (locks builds), and the imbalance (max/mean
** rx). F-key bar like htop: help, pause, sort, quit. Reads the build; never stops it.
*/

#include <signal.h>

#include "engine/err.h"
#include "engine/launch.h"

/* Runs the view on 'run' (which should be running when it opens; if it ends meanwhile the
** header says so and the last figures stay) until q, F10, Esc or *stop. The view is the only
** reader of launch_counters while it is open: its rates are since the view's previous read.
** Returns 0, or fails (e set) only when no terminal can be opened. */
int view_cores_run(struct launch_run *run, const volatile sig_atomic_t *stop, struct err *e);

#endif
