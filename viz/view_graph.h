#ifndef VIZ_VIEW_GRAPH_H
#define VIZ_VIEW_GRAPH_H
/*
** view graph: the state-dependency graph of an analysis. What keys are made of (packet fields,
** values read from state) on the left, state objects on the right, edges labelled with the
** ports and r/w; colours for read-only, written, and blocking the sharding. Arrows move
** between nodes; Enter shows a node's accesses with source lines and the constraints it
** produces.
*/

#include <signal.h>

#include "engine/analysis.h"
#include "engine/err.h"
#include "engine/shard.h"

int view_graph_run(const struct analysis *a, const struct shard *sh,
		   const volatile sig_atomic_t *stop, struct err *e);

#endif
