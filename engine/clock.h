#ifndef ENGINE_CLOCK_H
#define ENGINE_CLOCK_H
/*
** Elapsed time for engine results (compile time, replay and generation rates): a monotonic
** clock, so a clock step during a run cannot make a rate negative.
*/

#include <time.h>

/* Seconds on a monotonic clock; only differences mean anything. */
static inline double
clock_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#endif
