/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * lvdpa-bench xcpu CPU_A CPU_B: the round trip of one cache line between
 * two CPUs, in ns (median of a few runs). Every loopback benchmark moves
 * ring and packet lines between the backend's CPU and the frontend's; on
 * a VM whose vCPUs the host may place on one core complex or on two, this
 * latency changes by a factor, and every packet rate with it. The driver
 * script measures it around each run of a pair, so a table says which host
 * it saw.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lvdpa_bench.h"

#define LVDPA_BENCH_XCPU_TRIPS 200000u
#define LVDPA_BENCH_XCPU_RUNS 5u

struct lvdpa_bench_xcpu {
	/* The line both sides spin on, alone in its cache line. */
	volatile uint64_t turn __attribute__((aligned(64)));
	int cpu __attribute__((aligned(64)));
	int err;
};

static int
lvdpa_bench_xcpu_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* The peer answers each odd value with the next even one. */
static void *
lvdpa_bench_xcpu_peer(void *arg)
{
	struct lvdpa_bench_xcpu *x = arg;
	uint64_t i;

	/* Checked by the caller before: cannot fail but if the CPU left. */
	x->err = lvdpa_bench_xcpu_pin(x->cpu);
	for (i = 1; i <= (uint64_t)LVDPA_BENCH_XCPU_TRIPS * LVDPA_BENCH_XCPU_RUNS; i++) {
		while (x->turn != 2 * i - 1)
			;
		x->turn = 2 * i;
	}
	return NULL;
}

static int
lvdpa_bench_xcpu_cmp(const void *a, const void *b)
{
	double da = *(const double *)a, db = *(const double *)b;

	return (da > db) - (da < db);
}

int
lvdpa_bench_xcpu(int cpu_a, int cpu_b)
{
	static struct lvdpa_bench_xcpu x;
	double ns[LVDPA_BENCH_XCPU_RUNS];
	uint64_t i = 0, end;
	unsigned int run;
	pthread_t peer;
	int rc;

	/* One CPU would hand the line over at each time slice, never return. */
	if (cpu_a == cpu_b) {
		fprintf(stderr, "xcpu: two different CPUs, not %d and %d\n", cpu_a, cpu_b);
		return 2;
	}
	rc = lvdpa_bench_xcpu_pin(cpu_a);
	if (rc == 0)
		rc = lvdpa_bench_xcpu_pin(cpu_b);
	if (rc == 0)
		rc = lvdpa_bench_xcpu_pin(cpu_a);
	if (rc != 0) {
		fprintf(stderr, "xcpu: cannot run on CPUs %d and %d: %s\n", cpu_a, cpu_b,
			strerror(rc));
		return 1;
	}
	x.cpu = cpu_b;
	rc = pthread_create(&peer, NULL, lvdpa_bench_xcpu_peer, &x);
	if (rc != 0) {
		fprintf(stderr, "xcpu: no thread: %s\n", strerror(rc));
		return 1;
	}
	for (run = 0; run < LVDPA_BENCH_XCPU_RUNS; run++) {
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (end = i + LVDPA_BENCH_XCPU_TRIPS; i < end; ) {
			i++;
			x.turn = 2 * i - 1;
			while (x.turn != 2 * i)
				;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ns[run] = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) /
			LVDPA_BENCH_XCPU_TRIPS;
	}
	pthread_join(peer, NULL);
	if (x.err != 0) {
		fprintf(stderr, "xcpu: cannot run on CPU %d: %s\n", cpu_b, strerror(x.err));
		return 1;
	}
	qsort(ns, LVDPA_BENCH_XCPU_RUNS, sizeof(ns[0]), lvdpa_bench_xcpu_cmp);
	printf("XCPU %.1f\n", ns[LVDPA_BENCH_XCPU_RUNS / 2]);
	return 0;
}
