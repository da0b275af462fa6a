#ifndef REPL_TOUR_H
#define REPL_TOUR_H
/*
** tour: the tutorial. A fixed walk from a sequential NF to a live 2-core build (load, analyze,
** view graph, rss solve, check, emit, launch, view cores, stop); which steps are done is read
** off the session, so the tour follows whatever the user did, in any order. Once 'tutorial'
** has run, every command that finishes a step prints one line naming the next.
*/

#include "engine/sbuf.h"

struct session;

#define TOUR_STEPS 9

/* The first step not done yet (0-based), or TOUR_STEPS when all are. */
int tour_next(const struct session *s);
/* The overview (every step, done or not) and the next step in full. */
void tour_format(const struct session *s, struct sbuf *out);
/* Step n (0-based) in full. */
void tour_format_step(const struct session *s, int n, struct sbuf *out);
/* Three commands worth typing now, a line each (make run prints them). */
void tour_suggest(const struct session *s, struct sbuf *out);
/* After a command: when the tour is on and the next step changed, a line naming it; "" else. */
void tour_after(struct session *s, struct sbuf *out);

#endif
