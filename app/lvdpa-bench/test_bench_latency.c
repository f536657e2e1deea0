/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The model's command latency (latency param, LVDPA_MODEL_LATENCY): parsing
 * refuses what it does not know, a command is charged at least its delay,
 * nothing is charged by default, and commands from several threads overlap
 * (the delay is taken outside the device lock) up to the firmware's 31
 * command slots, which go to waiting commands in order. Only lower bounds
 * and generous upper bounds are asserted: the machine is shared.
 */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>

#include "lvdpa_devx.h"
#include "lvdpa_model.h"
#include "lvdpa_test.h"
#include "lvdpa_transport.h"

#define LVDPA_BL_DELAY_US 100000u
#define LVDPA_BL_THREADS 4

static double
lvdpa_bl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
test_latency_parse(void)
{
	static const char *const good[] = {
		"latency=none", "latency=cx6dx", "latency=cx6dx+create_virtq:5000",
		"latency=pd:1+mkey:2+umem_reg:0", "max_queues=4,latency=modify_virtq:10",
	};
	static const char *const bad[] = {
		"latency=", "latency=fast", "latency=pd", "latency=pd:-1",
		"latency=pd:1x", "latency=bogus:10", "latency=pd:10000001",
	};
	struct lvdpa_model_caps caps;
	char err[160];
	unsigned int i;

	for (i = 0; i < RTE_DIM(good); i++)
		LVDPA_TEST_ASSERT_EQ(lvdpa_model_caps_parse(good[i], &caps, err, sizeof(err)),
				     0, "%s: %s", good[i], err);
	for (i = 0; i < RTE_DIM(bad); i++) {
		LVDPA_TEST_ASSERT_EQ(lvdpa_model_caps_parse(bad[i], &caps, err, sizeof(err)),
				     -EINVAL, "%s accepted", bad[i]);
		LVDPA_TEST_ASSERT(strstr(err, "latency") != NULL, "%s: message '%s'",
				  bad[i], err);
	}
	/* Default: nothing charged. */
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_caps_parse(NULL, &caps, NULL, 0), 0, "defaults");
	for (i = 0; i < LVDPA_MODEL_LATENCY_TYPES; i++)
		LVDPA_TEST_ASSERT_EQ(caps.latency_us[i], 0u, "type %u", i);
	/* Later items override; the profile has the published suspend cost. */
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_caps_parse("latency=cx6dx+none+pd:7", &caps,
						    NULL, 0), 0, "override");
	for (i = 0; i < LVDPA_MODEL_LATENCY_TYPES; i++)
		LVDPA_TEST_ASSERT(caps.latency_us[i] == 0 || caps.latency_us[i] == 7,
				  "type %u: %u", i, caps.latency_us[i]);
	return 0;
}

static int
lvdpa_bl_pd_ms(struct lvdpa_tp_dev *tp, double *ms)
{
	struct lvdpa_devx_obj *pd = NULL;
	double t0 = lvdpa_bl_now_ms();
	int rc = lvdpa_devx_pd_alloc(tp, &pd);

	*ms = lvdpa_bl_now_ms() - t0;
	if (rc == 0)
		lvdpa_devx_pd_free(pd);
	return rc;
}

static int
test_latency_charged(void)
{
	struct lvdpa_tp_dev *tp = NULL;
	double ms;
	char params[64];

	/* No latency: a PD is allocated at once. */
	LVDPA_TEST_ASSERT_EQ(lvdpa_transport_open("model", NULL, &tp), 0, "open");
	LVDPA_TEST_ASSERT_EQ(lvdpa_bl_pd_ms(tp, &ms), 0, "pd");
	lvdpa_transport_close(tp);
	LVDPA_TEST_ASSERT(ms < LVDPA_BL_DELAY_US / 1000.0, "%.1f ms without latency", ms);
	snprintf(params, sizeof(params), "latency=pd:%u", LVDPA_BL_DELAY_US);
	LVDPA_TEST_ASSERT_EQ(lvdpa_transport_open("model", params, &tp), 0, "open");
	LVDPA_TEST_ASSERT_EQ(lvdpa_bl_pd_ms(tp, &ms), 0, "pd");
	lvdpa_transport_close(tp);
	LVDPA_TEST_ASSERT(ms >= LVDPA_BL_DELAY_US / 1000.0, "%.1f ms, charged %u us",
			  ms, LVDPA_BL_DELAY_US);
	/* The environment applies when the params give no latency. */
	setenv("LVDPA_MODEL_LATENCY", params + strlen("latency="), 1);
	LVDPA_TEST_ASSERT_EQ(lvdpa_transport_open("model", "max_queues=4", &tp), 0, "open");
	LVDPA_TEST_ASSERT_EQ(lvdpa_bl_pd_ms(tp, &ms), 0, "pd");
	lvdpa_transport_close(tp);
	LVDPA_TEST_ASSERT(ms >= LVDPA_BL_DELAY_US / 1000.0, "%.1f ms from the environment", ms);
	setenv("LVDPA_MODEL_LATENCY", "bogus", 1);
	LVDPA_TEST_ASSERT(lvdpa_transport_open("model", NULL, &tp) != 0, "bad env accepted");
	unsetenv("LVDPA_MODEL_LATENCY");
	return 0;
}

struct lvdpa_bl_job {
	struct lvdpa_tp_dev *tp;
	int rc;
	double ms;
};

static void *
lvdpa_bl_worker(void *arg)
{
	struct lvdpa_bl_job *j = arg;

	j->rc = lvdpa_bl_pd_ms(j->tp, &j->ms);
	return NULL;
}

static int
test_latency_parallel(void)
{
	struct lvdpa_bl_job job[LVDPA_BL_THREADS];
	pthread_t th[LVDPA_BL_THREADS];
	struct lvdpa_tp_dev *tp = NULL;
	char params[64];
	double t0, ms;
	unsigned int i;

	snprintf(params, sizeof(params), "latency=pd:%u", LVDPA_BL_DELAY_US);
	LVDPA_TEST_ASSERT_EQ(lvdpa_transport_open("model", params, &tp), 0, "open");
	t0 = lvdpa_bl_now_ms();
	for (i = 0; i < LVDPA_BL_THREADS; i++) {
		job[i].tp = tp;
		job[i].rc = -1;
		if (pthread_create(&th[i], NULL, lvdpa_bl_worker, &job[i]) != 0)
			break;
	}
	LVDPA_TEST_ASSERT_EQ(i, (unsigned int)LVDPA_BL_THREADS, "threads");
	for (i = 0; i < LVDPA_BL_THREADS; i++)
		pthread_join(th[i], NULL);
	ms = lvdpa_bl_now_ms() - t0;
	lvdpa_transport_close(tp);
	for (i = 0; i < LVDPA_BL_THREADS; i++) {
		LVDPA_TEST_ASSERT_EQ(job[i].rc, 0, "thread %u", i);
		LVDPA_TEST_ASSERT(job[i].ms >= LVDPA_BL_DELAY_US / 1000.0, "thread %u: %.1f ms",
				  i, job[i].ms);
	}
	/* Serialised, four commands would take 400 ms. */
	LVDPA_TEST_ASSERT(ms < 0.75 * LVDPA_BL_THREADS * LVDPA_BL_DELAY_US / 1000.0,
			  "%u parallel commands took %.1f ms", LVDPA_BL_THREADS, ms);
	return 0;
}

/*
 * The firmware runs at most 31 commands at once (a 32-entry command queue,
 * one entry kept for page requests): 32 commands issued together take two
 * rounds of the delay however many threads issue them (a lower bound only).
 */
#define LVDPA_BL_SLOT_THREADS 32
#define LVDPA_BL_SLOT_US 50000u

static int
test_latency_slots(void)
{
	struct lvdpa_bl_job job[LVDPA_BL_SLOT_THREADS];
	pthread_t th[LVDPA_BL_SLOT_THREADS];
	struct lvdpa_tp_dev *tp = NULL;
	unsigned int i, started;
	char params[64];
	double t0, ms;

	snprintf(params, sizeof(params), "latency=pd:%u", LVDPA_BL_SLOT_US);
	LVDPA_TEST_ASSERT_EQ(lvdpa_transport_open("model", params, &tp), 0, "open");
	t0 = lvdpa_bl_now_ms();
	for (started = 0; started < LVDPA_BL_SLOT_THREADS; started++) {
		job[started].tp = tp;
		job[started].rc = -1;
		if (pthread_create(&th[started], NULL, lvdpa_bl_worker, &job[started]) != 0)
			break;
	}
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	ms = lvdpa_bl_now_ms() - t0;
	lvdpa_transport_close(tp);
	LVDPA_TEST_ASSERT_EQ(started, (unsigned int)LVDPA_BL_SLOT_THREADS, "threads");
	for (i = 0; i < started; i++)
		LVDPA_TEST_ASSERT_EQ(job[i].rc, 0, "thread %u", i);
	LVDPA_TEST_ASSERT(ms >= 2 * LVDPA_BL_SLOT_US / 1000.0,
			  "%u commands in %.1f ms: more than 31 ran at once",
			  LVDPA_BL_SLOT_THREADS, ms);
	return 0;
}

/*
 * Slots go to commands in the order they were issued, as mlx5_core posts
 * them: a command waiting for a slot gets the first one that frees, not a
 * command its holder issues right after. 31 threads each issue two
 * commands back to back; one more command, issued once the 31 first ones
 * run, starts when they end (2 delays from the start), not after the
 * second ones (3 delays).
 */
#define LVDPA_BL_FIFO_US 100000u

struct lvdpa_bl_fifo {
	struct lvdpa_tp_dev *tp;
	unsigned int issued;   /* atomic: threads about to issue their first */
	int rc;
};

static void *
lvdpa_bl_fifo_holder(void *arg)
{
	struct lvdpa_bl_fifo *f = arg;
	double ms;
	int rc;

	__atomic_fetch_add(&f->issued, 1, __ATOMIC_RELEASE);
	rc = lvdpa_bl_pd_ms(f->tp, &ms);
	if (rc == 0)
		rc = lvdpa_bl_pd_ms(f->tp, &ms);
	if (rc != 0)
		__atomic_store_n(&f->rc, rc, __ATOMIC_RELAXED);
	return NULL;
}

static int
test_latency_fifo(void)
{
	struct lvdpa_bl_fifo f = { .tp = NULL, .issued = 0, .rc = 0 };
	pthread_t th[LVDPA_BL_SLOT_THREADS - 1];
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	unsigned int i, started;
	char params[64];
	double t0, ms, end;
	int rc;

	snprintf(params, sizeof(params), "latency=pd:%u", LVDPA_BL_FIFO_US);
	LVDPA_TEST_ASSERT_EQ(lvdpa_transport_open("model", params, &f.tp), 0, "open");
	t0 = lvdpa_bl_now_ms();
	for (started = 0; started < RTE_DIM(th); started++)
		if (pthread_create(&th[started], NULL, lvdpa_bl_fifo_holder, &f) != 0)
			break;
	while (__atomic_load_n(&f.issued, __ATOMIC_ACQUIRE) < started)
		nanosleep(&pause, NULL);
	/* Let the last of them reach the device. */
	nanosleep(&pause, NULL);
	rc = lvdpa_bl_pd_ms(f.tp, &ms);
	end = lvdpa_bl_now_ms() - t0;
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	lvdpa_transport_close(f.tp);
	LVDPA_TEST_ASSERT_EQ(started, (unsigned int)RTE_DIM(th), "threads");
	LVDPA_TEST_ASSERT_EQ(f.rc, 0, "holders");
	LVDPA_TEST_ASSERT_EQ(rc, 0, "waiting command");
	LVDPA_TEST_ASSERT(end < 2.5 * LVDPA_BL_FIFO_US / 1000.0,
			  "the waiting command ended %.1f ms after the start (waited %.1f ms): commands issued after it took the slots first",
			  end, ms);
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_latency_parse),
	LVDPA_TEST_CASE(test_latency_charged),
	LVDPA_TEST_CASE(test_latency_parallel),
	LVDPA_TEST_CASE(test_latency_slots),
	LVDPA_TEST_CASE(test_latency_fifo),
)
