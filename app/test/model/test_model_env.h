/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef TEST_MODEL_ENV_H
#define TEST_MODEL_ENV_H

/*
 * A synthetic guest with up to four queues (two queue pairs) on one model
 * function, set up through the DevX command layer only. Queue i of the
 * environment is virtq i: even RX, odd TX.
 */

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "lvdpa_test.h"
#include "lvdpa_synth_dev.h"

#define TM_GPA 0x100000ull
#define TM_MEM (8ull << 20)
#define TM_NQ 4

struct tm_env {
	struct lvdpa_synth_guest g;
	struct lvdpa_synth_dev sd;
	struct lvdpa_synth_queue q[TM_NQ];
	struct lvdpa_synth_vq v[TM_NQ];
	bool q_ok[TM_NQ], v_ok[TM_NQ];
	bool dev_ok;
};

/* Guest queue config for RX (even) or TX (odd). */
static inline struct lvdpa_synth_qcfg
tm_qcfg(uint16_t size, bool rx, bool legacy, bool mrg, bool own_desc, bool packed)
{
	struct lvdpa_synth_qcfg c = {
		.size = size, .packed = packed, .rx = rx,
		.hdr_len = legacy && !mrg ? 10 : 12,
		.hdr_own_desc = own_desc, .mrg_rxbuf = mrg,
		.buf_len = rx && mrg ? 100 : 2048,
	};
	return c;
}

static inline void
tm_teardown(struct tm_env *e)
{
	int i;

	for (i = TM_NQ - 1; i >= 0; i--)
		if (e->v_ok[i]) {
			lvdpa_synth_vq_destroy(&e->v[i]);
			e->v_ok[i] = false;
		}
	if (e->dev_ok) {
		lvdpa_synth_dev_close(&e->sd);
		e->dev_ok = false;
	}
	for (i = 0; i < TM_NQ; i++)
		if (e->q_ok[i]) {
			lvdpa_synth_queue_fini(&e->q[i]);
			e->q_ok[i] = false;
		}
	lvdpa_synth_guest_destroy(&e->g);
}

/* Guest memory and the device, no queues yet. */
static inline int
tm_open(struct tm_env *e, const char *params)
{
	int rc;

	memset(e, 0, sizeof(*e));
	e->g.fd = -1;
	rc = lvdpa_synth_guest_create(&e->g, TM_MEM, TM_GPA);
	if (rc != 0)
		return rc;
	rc = lvdpa_synth_dev_open(&e->sd, params, &e->g);
	if (rc != 0) {
		lvdpa_synth_guest_destroy(&e->g);
		return rc;
	}
	e->dev_ok = true;
	return 0;
}

/* Guest queue i with config c, and its virtq at the ring start. */
static inline int
tm_queue(struct tm_env *e, unsigned int i, const struct lvdpa_synth_qcfg *c, bool v1)
{
	uint16_t start = c->packed ? 0x8000 : 0;
	int rc;

	rc = lvdpa_synth_queue_init(&e->g, &e->q[i], c);
	if (rc != 0)
		return rc;
	e->q_ok[i] = true;
	rc = lvdpa_synth_vq_create(&e->sd, &e->v[i], i, &e->q[i], v1, start, start);
	if (rc != 0)
		return rc;
	e->v_ok[i] = true;
	return 0;
}

/* Wait up to @p ms for the event channel to have something. */
static inline int
tm_wait_event(struct tm_env *e, struct lvdpa_devx_event *ev, int ms)
{
	struct pollfd p = { .fd = lvdpa_devx_evchan_fd(e->sd.ch), .events = POLLIN };
	int rc;

	rc = lvdpa_devx_evchan_read(e->sd.ch, ev);
	if (rc != 0)
		return rc;
	if (poll(&p, 1, ms) <= 0)
		return -ETIMEDOUT;
	return lvdpa_devx_evchan_read(e->sd.ch, ev);
}

#endif /* TEST_MODEL_ENV_H */
