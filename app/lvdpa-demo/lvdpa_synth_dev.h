/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_SYNTH_DEV_H
#define LVDPA_SYNTH_DEV_H

/**
 * @file
 * Wires a synthetic guest to a device through the DevX command layer only
 * (lvdpa_devx.h): capabilities, a PD, the guest memory as one umem behind
 * one direct mkey, the doorbell page, an event channel, and virtqs with
 * their umems and counters. Then moves test frames TX -> device -> RX and
 * checks every byte and the order (no loss, no duplicate).
 */

#include <stdbool.h>
#include <stdint.h>

#include "lvdpa_devx.h"
#include "lvdpa_synth_guest.h"

#ifdef __cplusplus
extern "C" {
#endif

struct lvdpa_synth_dev {
	struct lvdpa_tp_dev *dev;
	struct lvdpa_devx_caps caps;
	struct lvdpa_devx_obj *pd;
	struct lvdpa_tp_umem *guest_umem;
	struct lvdpa_devx_obj *mkey;      /**< covers all guest memory */
	struct lvdpa_tp_db *db;
	struct lvdpa_tp_evchan *ch;
	struct lvdpa_synth_guest *g;
};

struct lvdpa_synth_vq {
	struct lvdpa_synth_dev *sd;
	struct lvdpa_synth_queue *q;
	struct lvdpa_devx_virtq_attr attr;
	struct lvdpa_devx_obj *obj;
	struct lvdpa_devx_obj *counters;
	void *umem_mem[3];
	struct lvdpa_tp_umem *umem[3];
};

/** Open the device named "model" with @p params over guest memory @p g. */
int lvdpa_synth_dev_open(struct lvdpa_synth_dev *sd, const char *params,
			 struct lvdpa_synth_guest *g);
void lvdpa_synth_dev_close(struct lvdpa_synth_dev *sd);

/**
 * Create virtq @p index for guest queue @p q (counters included), at ring
 * position @p avail / @p used (packed: bit 15 is the wrap counter), and
 * move it to RDY. @p version_1_0 is what the virtq object carries.
 */
int lvdpa_synth_vq_create(struct lvdpa_synth_dev *sd, struct lvdpa_synth_vq *vq,
			  uint16_t index, struct lvdpa_synth_queue *q,
			  bool version_1_0, uint16_t avail, uint16_t used);
/** The same with an event mode (LVDPA_PRM_VIRTQ_EVENT_MODE_*) and its QP. */
int lvdpa_synth_vq_create_ev(struct lvdpa_synth_dev *sd, struct lvdpa_synth_vq *vq,
			     uint16_t index, struct lvdpa_synth_queue *q,
			     bool version_1_0, uint16_t avail, uint16_t used,
			     uint8_t event_mode, uint32_t event_qpn);
/** Change the virtq state (LVDPA_PRM_VIRTQ_STATE_*). */
int lvdpa_synth_vq_set_state(struct lvdpa_synth_vq *vq, uint8_t state);
/** Query the virtq. */
int lvdpa_synth_vq_query(struct lvdpa_synth_vq *vq, struct lvdpa_devx_virtq_attr *a);
/** Destroy the virtq, its counters and its umems. */
void lvdpa_synth_vq_destroy(struct lvdpa_synth_vq *vq);
/** Kick the virtq when the guest's ring asks for it. */
void lvdpa_synth_vq_kick(struct lvdpa_synth_vq *vq, bool needed);

/** A TX -> RX loop through the device. */
struct lvdpa_synth_flow {
	struct lvdpa_synth_vq *tx, *rx;
	uint32_t size;          /**< frame bytes */
	uint32_t big_size;      /**< if set, every third frame has this many */
	uint64_t total;         /**< frames to send */
	uint64_t sent, received, bad;
	uint32_t next_seq;      /**< next sequence expected on RX */
	uint8_t dst[6], src[6];
	uint8_t *buf;           /**< one frame */
	uint32_t buf_cap;
};

int lvdpa_synth_flow_init(struct lvdpa_synth_flow *f, struct lvdpa_synth_vq *tx,
			  struct lvdpa_synth_vq *rx, uint32_t size, uint64_t total);
void lvdpa_synth_flow_fini(struct lvdpa_synth_flow *f);
/**
 * Send and receive until @p until_received frames arrived (or total), or
 * @p timeout_ms passed without progress.
 * @return 0, -ETIMEDOUT, -EBADMSG (a frame out of order or corrupt), or a
 *         ring error
 */
int lvdpa_synth_flow_run(struct lvdpa_synth_flow *f, uint64_t until_received,
			 unsigned int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* LVDPA_SYNTH_DEV_H */
