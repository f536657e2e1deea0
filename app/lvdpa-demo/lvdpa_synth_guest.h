/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_SYNTH_GUEST_H
#define LVDPA_SYNTH_GUEST_H

/**
 * @file
 * A synthetic virtio-net guest for the demo and the model tests: guest
 * memory in a memfd, rings laid out as a guest lays them out and driven
 * through the ring walker's driver role, packets with a checkable payload.
 * It knows nothing of the device: lvdpa_synth_dev.h wires it to one.
 */

#include <stdbool.h>
#include <stdint.h>

#include "lvdpa_ring.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Guest memory: [gpa, gpa + size) backed by a memfd mapping at base. */
struct lvdpa_synth_guest {
	int fd;
	uint8_t *base;
	uint64_t size;
	uint64_t gpa;
	uint64_t brk;           /**< next free offset */
	struct lvdpa_ring_mem mem;
};

/** How the guest uses one queue. */
struct lvdpa_synth_qcfg {
	uint16_t size;          /**< ring size */
	bool packed;
	bool event_idx;
	bool indirect;          /**< offer buffers through indirect tables */
	bool rx;                /**< device-writable buffers */
	unsigned int hdr_len;   /**< virtio-net header: 10 or 12 */
	bool hdr_own_desc;      /**< header in its own descriptor (legacy, no ANY_LAYOUT) */
	bool mrg_rxbuf;         /**< MRG_RXBUF negotiated: RX packets may span
				 *   buffers (num_buffers); the synthetic device
				 *   sets it in the virtq's queue_features */
	uint32_t buf_len;       /**< bytes per buffer after the header */
};

struct lvdpa_synth_queue {
	struct lvdpa_synth_guest *g;
	struct lvdpa_synth_qcfg cfg;
	struct lvdpa_ring ring;
	uint64_t desc, driver, device;  /**< ring area gpas */
	uint64_t bufs;          /**< size slots of hdr (16 B) + buf_len */
	uint64_t ind;           /**< size indirect tables of 4 descriptors */
	uint16_t *free_slot;    /**< stack of free buffer slots */
	uint16_t nfree;
	uint64_t kicks;         /**< publishes that asked for a kick */
};

/** Create guest memory of @p size bytes at guest address @p gpa. */
int lvdpa_synth_guest_create(struct lvdpa_synth_guest *g, uint64_t size, uint64_t gpa);
void lvdpa_synth_guest_destroy(struct lvdpa_synth_guest *g);
/** Allocate guest memory (zeroed); its gpa, or 0 when full. */
uint64_t lvdpa_synth_guest_alloc(struct lvdpa_synth_guest *g, uint64_t len, uint64_t align);
/** Host pointer of a guest address, NULL outside guest memory. */
void *lvdpa_synth_guest_ptr(struct lvdpa_synth_guest *g, uint64_t gpa);

/** Lay out a queue's rings and buffers in guest memory. */
int lvdpa_synth_queue_init(struct lvdpa_synth_guest *g, struct lvdpa_synth_queue *q,
			   const struct lvdpa_synth_qcfg *cfg);
void lvdpa_synth_queue_fini(struct lvdpa_synth_queue *q);
/** TX: offer one frame; 0, -ENOSPC when the ring is full, -E2BIG. */
int lvdpa_synth_tx_add(struct lvdpa_synth_queue *q, const void *frame, uint32_t len);
/** TX: collect sent buffers; how many, or a negative errno. */
int lvdpa_synth_tx_reap(struct lvdpa_synth_queue *q);
/** RX: offer every free buffer; how many were added. */
int lvdpa_synth_rx_post(struct lvdpa_synth_queue *q);
/**
 * RX: take one received frame into @p frame (capacity @p cap).
 * @return 1 with *len (and *nbufs, buffers it spanned), 0 when none,
 *         negative errno on a malformed completion
 */
int lvdpa_synth_rx_get(struct lvdpa_synth_queue *q, void *frame, uint32_t cap,
		       uint32_t *len, uint16_t *nbufs);
/** Publish what was added; true when the device must be kicked. */
bool lvdpa_synth_publish(struct lvdpa_synth_queue *q);

/** Build a test frame: to @p dst, from @p src, sequence @p seq, @p len bytes. */
void lvdpa_synth_frame_fill(void *frame, uint32_t len, const uint8_t dst[6],
			    const uint8_t src[6], uint32_t seq);
/** Check a test frame; 0 with *seq, -EBADMSG when the payload is corrupt. */
int lvdpa_synth_frame_check(const void *frame, uint32_t len, uint32_t *seq);

#ifdef __cplusplus
}
#endif

#endif /* LVDPA_SYNTH_GUEST_H */
