#ifndef VIZ_VIEW_PATHS_H
#define VIZ_VIEW_PATHS_H
/*
** view paths: the call-path tree of an analysis, folding and unfolding; each leaf shows its
** verdict, and the selected path's condition, writes and state calls show below.
*/

#include <signal.h>

#include "engine/analysis.h"
#include "engine/err.h"

int view_paths_run(const struct analysis *a, const volatile sig_atomic_t *stop, struct err *e);

#endif
