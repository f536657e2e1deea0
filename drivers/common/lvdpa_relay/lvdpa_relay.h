/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_RELAY_H
#define LVDPA_RELAY_H

/**
 * @file
 * The relay: a shadow virtqueue for vrings the device cannot serve directly
 * (big-endian rings, a weakly ordered host, a device without legacy mode, or
 * legacy=relay). The device runs a modern little-endian split ring ("shadow
 * ring") in host memory; the relay moves descriptors between the guest's
 * ring and the shadow ring. Payloads are never copied nor touched.
 *
 * Design (see doc/guides/relay.rst):
 * - Addresses. Guest buffers are guest physical addresses and the device
 *   reaches guest memory through its mkey at those same addresses, so
 *   shadow descriptors carry the guest's buffer addresses unchanged. The
 *   shadow ring and the relay's 12-byte header buffers live in one host
 *   memory area the PMD allocates and registers with the device at an IOVA
 *   outside guest memory (lvdpa_relay_area_size() bytes); the device sees
 *   the shadow ring at that IOVA plus offsets (lvdpa_relay_shadow()).
 * - One walker: the guest ring is lvdpa_ring in the device role, in the
 *   guest's byte order (told by lib/lvdpa_vhost, never inferred); the shadow
 *   ring is lvdpa_ring in the driver role, little-endian, VERSION_1 layout.
 * - TX (guest -> device): shadow chain = [12-byte LE header in the slot's
 *   header buffer] + the guest's readable bytes after its 10/12-byte header
 *   (the first descriptor is split when the header is inline, skipped when
 *   it has its own descriptor). The guest's TX buffers are only read.
 *   A little-endian guest's 12-byte header already is the device's: its
 *   chain goes to the shadow ring as it is, the header not even read.
 * - RX, guest header 10 bytes (legacy without MRG_RXBUF): shadow chain =
 *   [12-byte slot header] + the guest's writable bytes from offset 10. On
 *   completion the 12-byte LE header becomes the guest's 10-byte header in
 *   its byte order at the start of its buffer; used length = device length
 *   - 2. The device must not negotiate MRG_RXBUF on the shadow ring then
 *   (num_buffers other than 1 is a device error).
 * - RX, guest header 12 bytes (MRG_RXBUF, or VERSION_1 forced through the
 *   relay): the guest's buffers go to the device unsplit; on completion the
 *   header of the first buffer of each packet is converted in place to the
 *   guest's byte order (nothing to do for a little-endian guest). The first
 *   buffer is known by counting: its num_buffers tells how many used
 *   buffers follow for the same packet (the device returns them in order).
 * - Private per-slot state: a used id the device returns is checked by the
 *   walker against the relay's own in-flight list; out of range or not in
 *   flight stops the queue with a counter (no crash, no guest write).
 * - Dirty logging: every guest byte the relay writes (used ring through the
 *   walker, converted headers here) goes to the guest view's log_write.
 *   Payload bytes the device writes are the device's dirty tracking.
 * - Barriers: the guest is a CPU peer on a possibly weakly ordered host, so
 *   the guest side uses rte_smp_* (inside the walker); the shadow ring feeds
 *   DMA hardware, so rte_io_wmb() precedes each shadow publish and
 *   rte_io_rmb() follows each used entry before its header is read.
 * - No threads: the owner calls lvdpa_relay_poll() from its own loop, for
 *   as many queues as it likes on one core, and lvdpa_relay_idle() before
 *   sleeping on the guest kick fd and the device's completion event.
 *
 * A relay is used by one thread at a time.
 */

#include <stdbool.h>
#include <stdint.h>

#include "lvdpa_ring.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of the relay's header buffer per shadow slot (12 used). */
#define LVDPA_RELAY_HDR_SLOT 16
/** Alignment the area needs, in host memory and at its IOVA. */
#define LVDPA_RELAY_AREA_ALIGN 64

/** Direction of a virtio-net queue. */
enum lvdpa_relay_dir {
	LVDPA_RELAY_RX, /**< device -> guest (even queue index) */
	LVDPA_RELAY_TX, /**< guest -> device (odd queue index) */
};

struct lvdpa_relay_config {
	enum lvdpa_relay_dir dir;
	/** Guest ring: size and addresses in guest_mem (guest physical). */
	uint16_t size;
	uint64_t desc_addr;
	uint64_t avail_addr;
	uint64_t used_addr;
	/** Features the guest negotiated: VERSION_1, MRG_RXBUF, EVENT_IDX, INDIRECT_DESC. */
	uint64_t guest_features;
	/** Guest ring and header byte order, as lib/lvdpa_vhost reports it. */
	bool guest_big_endian;
	/** Guest memory view; its log_write receives every guest write. Must outlive the relay. */
	const struct lvdpa_ring_mem *guest_mem;
	/** Shadow ring size (power of two); 0 = 2 * size, at most 32768. */
	uint16_t shadow_size;
	/** VIRTIO_RING_F_EVENT_IDX negotiated with the device for the shadow ring. */
	bool shadow_event_idx;
	/** Host memory area of lvdpa_relay_area_size() bytes, registered with the device at area_iova. */
	void *area;
	uint64_t area_iova;
	uint64_t area_len;
	/** The shadow ring has new buffers: ring the device's doorbell. */
	void (*dev_kick)(void *opaque);
	/** The guest ring has new used entries the guest wants to hear of: signal its call fd. */
	void (*guest_call)(void *opaque);
	void *opaque;
};

/** Where the device finds the shadow ring (IOVAs in the registered area). */
struct lvdpa_relay_shadow {
	uint16_t size;
	uint64_t desc_iova;
	uint64_t avail_iova;
	uint64_t used_iova;
};

/** Per-queue counters; relayed traffic only (direct traffic is the device's). */
struct lvdpa_relay_stats {
	uint64_t tx_packets;   /**< guest -> device packets relayed */
	uint64_t tx_bytes;     /**< their bytes, headers excluded */
	uint64_t rx_packets;   /**< device -> guest packets relayed */
	uint64_t rx_bytes;     /**< their bytes, headers excluded */
	uint64_t rx_buffers;   /**< guest RX buffers returned (>= packets with MRG_RXBUF) */
	uint64_t hdr_conversions; /**< headers rewritten (length or byte order) */
	uint64_t parked;       /**< times a guest chain waited for shadow room */
	uint64_t dev_kicks;    /**< dev_kick calls */
	uint64_t guest_calls;  /**< guest_call calls */
	uint64_t returned_unused; /**< in-flight chains returned with length 0 at stop */
	uint64_t unpopped;     /**< in-flight chains given back to the guest ring at stop */
	/* errors; the first one stops the queue */
	uint64_t err_guest_ring;   /**< the guest ring walker failed (bad address, loop, ...) */
	uint64_t err_guest_layout; /**< header missing or short, RX buffer readable, too many segments */
	uint64_t err_dev_used;     /**< used id out of range / not in flight, used index jump */
	uint64_t err_dev_len;      /**< used length beyond the buffer or below the header */
	uint64_t err_dev_hdr;      /**< num_buffers 0, or not 1 where merging is off */
};

struct lvdpa_relay;

/**
 * Bytes of host memory (the area) one relay needs.
 * @param size        guest ring size
 * @param shadow_size shadow ring size, 0 for the default (2 * size, at most 32768)
 * @return bytes, a multiple of LVDPA_RELAY_AREA_ALIGN, or 0 for bad sizes
 */
uint64_t lvdpa_relay_area_size(uint16_t size, uint16_t shadow_size);

/**
 * Create a relay (stopped). The area is not touched until start.
 * @return the relay, or NULL with rte_errno set: EINVAL (bad sizes, area
 *         too small or misaligned, packed guest ring), ENOMEM
 */
struct lvdpa_relay *lvdpa_relay_create(const struct lvdpa_relay_config *cfg);

/** Destroy a relay (stopped or not: nothing is returned to the guest). NULL is fine. */
void lvdpa_relay_destroy(struct lvdpa_relay *q);

/** Shadow ring addresses to program into the device's virtqueue (base 0/0). */
void lvdpa_relay_shadow(const struct lvdpa_relay *q, struct lvdpa_relay_shadow *s);

/**
 * Set the guest ring position (SET_VRING_BASE): next avail entry to read and
 * next used entry to write. Only while stopped; applied at start.
 * @return 0, -EBUSY while running
 */
int lvdpa_relay_set_base(struct lvdpa_relay *q, uint16_t avail_idx, uint16_t used_idx);

/**
 * Guest ring position (GET_VRING_BASE). After lvdpa_relay_stop both are
 * equal unless chains were lost to an error.
 */
void lvdpa_relay_get_base(const struct lvdpa_relay *q, uint16_t *avail_idx, uint16_t *used_idx);

/**
 * Start: map the guest ring, zero and initialise the shadow ring, enable
 * guest kicks. The device queue must be created on the shadow ring with
 * base 0/0 after this (the shadow ring is new at every start).
 * @return 0, -EALREADY, or the walker's error for the guest ring (-EINVAL,
 *         -EFAULT, -ENOMEM)
 */
int lvdpa_relay_start(struct lvdpa_relay *q);

/**
 * Stop, after the device queue has stopped (no more DMA, last used entries
 * written). Completed buffers are forwarded to the guest; buffers still in
 * flight are given back so the guest ring stays migratable: when they are
 * the most recently popped (the usual in-order case) they are un-popped,
 * so GET_VRING_BASE points before them and the next owner re-reads them (a
 * TX packet the device had already sent is then sent again); otherwise
 * they are returned used with length 0 (RX buffers unused, TX packets may
 * be lost). Also valid after an error. Idempotent.
 */
void lvdpa_relay_stop(struct lvdpa_relay *q);

/**
 * Move work both ways: used entries shadow -> guest (then guest_call if the
 * guest wants it, event idx honoured), then available chains guest ->
 * shadow (then dev_kick if the device wants it). Disables notifications if
 * lvdpa_relay_idle() had enabled them (polling while busy).
 * @param budget at most this many chains each way
 * @return chains moved (0 when idle), or the sticky negative errno of a
 *         stopped-by-error queue (-EFAULT, -ELOOP, -E2BIG, -EPROTO from the
 *         rings, -EBADMSG for a bad header or length), -ENOTCONN if not started
 */
int lvdpa_relay_poll(struct lvdpa_relay *q, unsigned int budget);

/**
 * Going idle: enable guest kicks and device used notifications, then check
 * again for work that slipped in.
 * @return true if the caller may sleep until the guest kick fd or the
 *         device's completion event fires; false if it must poll again
 */
bool lvdpa_relay_idle(struct lvdpa_relay *q);

/** Copy the counters. */
void lvdpa_relay_stats_get(const struct lvdpa_relay *q, struct lvdpa_relay_stats *st);

/** Zero the counters. */
void lvdpa_relay_stats_reset(struct lvdpa_relay *q);

/** The sticky error that stopped the queue, 0 when sound. */
int lvdpa_relay_error(const struct lvdpa_relay *q);

#ifdef __cplusplus
}
#endif

#endif /* LVDPA_RELAY_H */
