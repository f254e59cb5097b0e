/*
 * bench.h: what the benchmark programs share: a monotonic clock and a
 * comparison for sorting samples (medians, min-max).
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <time.h>

static inline double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

#endif
