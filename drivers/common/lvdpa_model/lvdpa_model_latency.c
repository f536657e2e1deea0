/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Firmware command latency. A real device answers each DevX command after
 * a firmware delay of the order of a millisecond, and processes commands
 * from several threads at once; the model answers in microseconds. With a
 * latency profile (the "latency" param, zero by default) every command is
 * charged its type's delay after the device lock is released, so that a
 * driver's command count shows up as time and commands issued in parallel
 * overlap, as on the device, up to its command queue's slots. Profile "cx6dx" is derived from published
 * ConnectX-6 Dx figures (doc/guides/model.rst, "Command latency").
 */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include <rte_common.h>

#include "lvdpa_model_priv.h"
#include "lvdpa_prm.h"

static const char *const lvdpa_model_lat_names[LVDPA_MODEL_LAT_MAX] = {
	[LVDPA_MODEL_LAT_GENERAL] = "general",
	[LVDPA_MODEL_LAT_PD] = "pd",
	[LVDPA_MODEL_LAT_MKEY] = "mkey",
	[LVDPA_MODEL_LAT_CREATE_VIRTQ] = "create_virtq",
	[LVDPA_MODEL_LAT_MODIFY_VIRTQ] = "modify_virtq",
	[LVDPA_MODEL_LAT_QUERY_VIRTQ] = "query_virtq",
	[LVDPA_MODEL_LAT_DESTROY_VIRTQ] = "destroy_virtq",
	[LVDPA_MODEL_LAT_COUNTERS] = "counters",
	[LVDPA_MODEL_LAT_QUERY_COUNTERS] = "query_counters",
	[LVDPA_MODEL_LAT_CQ] = "cq",
	[LVDPA_MODEL_LAT_QP] = "qp",
	[LVDPA_MODEL_LAT_MODIFY_QP] = "modify_qp",
	[LVDPA_MODEL_LAT_DESTROY] = "destroy",
	[LVDPA_MODEL_LAT_UMEM_REG] = "umem_reg",
	[LVDPA_MODEL_LAT_UMEM_DEREG] = "umem_dereg",
};

/*
 * Microseconds per command, from the published ConnectX-6 Dx figures (see
 * doc/guides/model.rst for the derivation):
 * - suspending 32 queues one by one takes 37 ms: 1.16 ms per queue, split
 *   into the suspend (modify) and the query that follows it;
 * - kernel mlx5_vdpa configures 16 queue pairs in 370 ms, 60 ms with
 *   pre-created queues: 1.9 ms per queue for the modifies that remain,
 *   about 9.7 ms per queue for the creation (object and umems);
 * - DPDK mlx5 vDPA: 0.8 ms per queue saved by pre-created umems (three
 *   umems a queue) and 1.5 ms per queue by reusing the event QP (CQ, QP
 *   and its three state changes).
 */
static const uint32_t lvdpa_model_lat_cx6dx[LVDPA_MODEL_LAT_MAX] = {
	[LVDPA_MODEL_LAT_GENERAL] = 50,
	[LVDPA_MODEL_LAT_PD] = 50,
	[LVDPA_MODEL_LAT_MKEY] = 300,
	[LVDPA_MODEL_LAT_CREATE_VIRTQ] = 8900,
	[LVDPA_MODEL_LAT_MODIFY_VIRTQ] = 950,
	[LVDPA_MODEL_LAT_QUERY_VIRTQ] = 210,
	[LVDPA_MODEL_LAT_DESTROY_VIRTQ] = 500,
	[LVDPA_MODEL_LAT_COUNTERS] = 100,
	[LVDPA_MODEL_LAT_QUERY_COUNTERS] = 50,
	[LVDPA_MODEL_LAT_CQ] = 300,
	[LVDPA_MODEL_LAT_QP] = 300,
	[LVDPA_MODEL_LAT_MODIFY_QP] = 300,
	[LVDPA_MODEL_LAT_DESTROY] = 200,
	[LVDPA_MODEL_LAT_UMEM_REG] = 270,
	[LVDPA_MODEL_LAT_UMEM_DEREG] = 100,
};

const char *
lvdpa_model_latency_name(unsigned int op)
{
	return op < LVDPA_MODEL_LAT_MAX ? lvdpa_model_lat_names[op] : "?";
}

/*
 * "none", "cx6dx", or '+'-separated items, each a profile name or
 * type:microseconds (later items override earlier ones):
 * "cx6dx+create_virtq:5000". Neither ',' nor '=' may appear: the string
 * travels inside devargs.
 */
int
lvdpa_model_latency_parse(const char *v, uint32_t *us)
{
	char buf[256], *tok, *save = NULL;
	unsigned int i;

	if (strlen(v) >= sizeof(buf) || *v == '\0')
		return -EINVAL;
	strcpy(buf, v);
	for (tok = strtok_r(buf, "+", &save); tok != NULL;
	     tok = strtok_r(NULL, "+", &save)) {
		char *colon = strchr(tok, ':'), *end;
		unsigned long x;

		if (colon == NULL) {
			if (strcmp(tok, "none") == 0)
				memset(us, 0, sizeof(uint32_t) * LVDPA_MODEL_LAT_MAX);
			else if (strcmp(tok, "cx6dx") == 0)
				memcpy(us, lvdpa_model_lat_cx6dx, sizeof(lvdpa_model_lat_cx6dx));
			else
				return -EINVAL;
			continue;
		}
		*colon = '\0';
		if (colon[1] < '0' || colon[1] > '9')
			return -EINVAL;
		errno = 0;
		x = strtoul(colon + 1, &end, 10);
		if (errno != 0 || *end != '\0' || x > 10000000)
			return -EINVAL;   /* at most 10 s a command */
		for (i = 0; i < LVDPA_MODEL_LAT_MAX; i++)
			if (strcmp(tok, lvdpa_model_lat_names[i]) == 0)
				break;
		if (i == LVDPA_MODEL_LAT_MAX)
			return -EINVAL;
		us[i] = x;
	}
	return 0;
}

/*
 * A profile from the environment (LVDPA_MODEL_LATENCY) when the params gave
 * none: the PMD does not pass a latency devarg through yet, and benchmarks
 * load the PMD into stock DPDK programs.
 */
int
lvdpa_model_latency_env(struct lvdpa_model_caps *caps)
{
	const char *v = getenv("LVDPA_MODEL_LATENCY");
	unsigned int i;

	for (i = 0; i < LVDPA_MODEL_LAT_MAX; i++)
		if (caps->latency_us[i] != 0)
			return 0;
	if (v == NULL || *v == '\0')
		return 0;
	if (lvdpa_model_latency_parse(v, caps->latency_us) != 0) {
		LVDPA_MODEL_LOG(ERR, "LVDPA_MODEL_LATENCY has a bad value '%s'", v);
		return -EINVAL;
	}
	LVDPA_MODEL_LOG(INFO, "command latency profile '%s' from the environment", v);
	return 0;
}

/* Which latency a mailbox is charged: by call and opcode / object kind. */
unsigned int
lvdpa_model_latency_op(enum lvdpa_model_lat_call call, const void *in, size_t inlen,
		       enum lvdpa_model_kind kind)
{
	uint16_t opcode = 0, obj_type = 0;

	if (in != NULL && inlen >= LVDPA_PRM_CMD_HDR_BYTES)
		opcode = lvdpa_prm_get(in, LVDPA_PRM_IN_OPCODE);
	if (opcode == LVDPA_PRM_OP_CREATE_GENERAL_OBJECT && inlen >= LVDPA_PRM_GOBJ_HDR_BYTES)
		obj_type = lvdpa_prm_get(in, LVDPA_PRM_GOBJ_IN_OBJ_TYPE);
	switch (call) {
	case LVDPA_MODEL_LAT_CALL_CREATE:
		switch (opcode) {
		case LVDPA_PRM_OP_ALLOC_PD: return LVDPA_MODEL_LAT_PD;
		case LVDPA_PRM_OP_CREATE_MKEY: return LVDPA_MODEL_LAT_MKEY;
		case LVDPA_PRM_OP_CREATE_CQ: return LVDPA_MODEL_LAT_CQ;
		case LVDPA_PRM_OP_CREATE_QP: return LVDPA_MODEL_LAT_QP;
		default: break;
		}
		return obj_type == LVDPA_PRM_OBJ_TYPE_VIRTQ ? LVDPA_MODEL_LAT_CREATE_VIRTQ :
		       obj_type == LVDPA_PRM_OBJ_TYPE_VIRTIO_Q_COUNTERS ?
		       LVDPA_MODEL_LAT_COUNTERS : LVDPA_MODEL_LAT_GENERAL;
	case LVDPA_MODEL_LAT_CALL_MODIFY:
		return kind == LVDPA_MODEL_KIND_QP ? LVDPA_MODEL_LAT_MODIFY_QP :
						     LVDPA_MODEL_LAT_MODIFY_VIRTQ;
	case LVDPA_MODEL_LAT_CALL_QUERY:
		return kind == LVDPA_MODEL_KIND_COUNTERS ? LVDPA_MODEL_LAT_QUERY_COUNTERS :
							   LVDPA_MODEL_LAT_QUERY_VIRTQ;
	case LVDPA_MODEL_LAT_CALL_DESTROY:
		return kind == LVDPA_MODEL_KIND_VIRTQ ? LVDPA_MODEL_LAT_DESTROY_VIRTQ :
							LVDPA_MODEL_LAT_DESTROY;
	case LVDPA_MODEL_LAT_CALL_UMEM_REG:
		return LVDPA_MODEL_LAT_UMEM_REG;
	case LVDPA_MODEL_LAT_CALL_UMEM_DEREG:
		return LVDPA_MODEL_LAT_UMEM_DEREG;
	default:
		return LVDPA_MODEL_LAT_GENERAL;
	}
}

uint64_t
lvdpa_model_latency_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/*
 * Commands the firmware runs at once. The command queue of a ConnectX
 * function has 32 entries and the kernel keeps one for page requests
 * (mlx5_core: max_reg_cmds = 2^log_sz - 1), so a 32nd command waits for a
 * slot however many threads a driver uses. Counted per process (the
 * model's functions share it, where each NIC function has its own queue):
 * conservative when several devices configure at once.
 */
#define LVDPA_MODEL_LAT_SLOTS 31

/*
 * The slots as a calendar: when each one's command ends (CLOCK_MONOTONIC
 * ns). A command takes the slot that frees first and starts when it
 * frees, or when issued if later: a FIFO queue with 31 servers, as
 * mlx5_core posts commands in order from one work queue and hands a freed
 * slot (a semaphore, FIFO) to the next command at the completion
 * interrupt. So a command waiting for a slot starts when the firmware
 * finished the previous one, not when that command's thread wakes up
 * (host scheduling the device does not see), and no later command takes
 * a slot ahead of it.
 */
static pthread_mutex_t lvdpa_model_lat_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t lvdpa_model_lat_end[LVDPA_MODEL_LAT_SLOTS];
static __thread bool lvdpa_model_lat_slack_set;

/*
 * How late a sleep of this process ends when the CPU is free, ns. A sleep
 * aims that much before the command's end and the rest is waited for on
 * the clock, so that a command ends at its end, not a timer wake-up later
 * (some 50 us on a VM, each command): the firmware delay is what is
 * charged, never less. Busy CPUs only make a wake-up later, so the
 * estimate follows the early wake-ups more than the late ones.
 */
#define LVDPA_MODEL_LAT_OVERSHOOT_MAX_NS 100000u
static uint64_t lvdpa_model_lat_overshoot;

/* Wait until @p end (CLOCK_MONOTONIC ns). */
static void
lvdpa_model_latency_wait(uint64_t end)
{
	uint64_t est = __atomic_load_n(&lvdpa_model_lat_overshoot, __ATOMIC_RELAXED);
	uint64_t aim = end - est, now = lvdpa_model_latency_now();
	struct timespec ts;

	if (now < aim) {
		uint64_t late;

		ts.tv_sec = aim / 1000000000u;
		ts.tv_nsec = aim % 1000000000u;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		now = lvdpa_model_latency_now();
		late = RTE_MIN(now - aim, (uint64_t)LVDPA_MODEL_LAT_OVERSHOOT_MAX_NS);
		/* Racy updates from several threads only lose a sample. */
		__atomic_store_n(&lvdpa_model_lat_overshoot,
				 late < est ? est - (est - late) / 4 : est + (late - est) / 16,
				 __ATOMIC_RELAXED);
	}
	/* Early: give the CPU to other threads until the end. */
	while (now < end) {
		sched_yield();
		now = lvdpa_model_latency_now();
	}
}

/*
 * Wait until the end of the command of @p op issued at @p t0: its start
 * (t0, or when a slot frees if all are taken) plus its latency. Called
 * without the device lock: commands of several threads overlap, as the
 * firmware runs them concurrently.
 */
void
lvdpa_model_latency_charge(const struct lvdpa_model_dev *dev, unsigned int op,
			   uint64_t t0)
{
	uint64_t us = op < LVDPA_MODEL_LAT_MAX ? dev->caps.latency_us[op] : 0;
	uint64_t end;
	unsigned int i, first = 0;

	if (us == 0)
		return;
	/*
	 * The kernel lets a sleep end up to the thread's timer slack (50 us
	 * by default) late: charge the command its delay, not the slack.
	 */
	if (!lvdpa_model_lat_slack_set) {
		(void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
		lvdpa_model_lat_slack_set = true;
	}
	pthread_mutex_lock(&lvdpa_model_lat_lock);
	for (i = 1; i < LVDPA_MODEL_LAT_SLOTS; i++)
		if (lvdpa_model_lat_end[i] < lvdpa_model_lat_end[first])
			first = i;
	end = (t0 > lvdpa_model_lat_end[first] ? t0 : lvdpa_model_lat_end[first]) + us * 1000u;
	lvdpa_model_lat_end[first] = end;
	pthread_mutex_unlock(&lvdpa_model_lat_lock);
	lvdpa_model_latency_wait(end);
}
