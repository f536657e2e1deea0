/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_MODEL_H
#define LVDPA_MODEL_H

/**
 * @file
 * Software model of a ConnectX device, reachable only as the transport named
 * "model" (see lvdpa_transport.h). Linking this library (whole archive)
 * registers the transport from a constructor; nothing else is exported but
 * the capability profile parser below, which tools and tests use to check a
 * params string before they open a device with it.
 *
 * Params string: "key=value,key=value", all keys optional:
 *   max_queues=N      virtio queues per function (2..256, default 16)
 *   max_queue_size=N  largest queue_size accepted (power of two, 2..32768,
 *                     default 32768)
 *   legacy=0|1        1: virtio_version_1_0 may be 0 (legacy queues);
 *                     0: the device requires virtio_version_1_0 (default 1)
 *   packed=0|1        packed virtqueues offered (default 1)
 *   event_modes=L     '+'-separated list of no_msix, qp, msix offered by the
 *                     device (default no_msix+qp)
 *   mac=aa:bb:cc:dd:ee:ff  MAC of the function (default 02:1d:a0:00:00:NN,
 *                     NN the function number)
 *   event_idx=0|1     model capability for tests: the rings use
 *                     used_event / avail_event (default 0). The PRM virtq
 *                     has no bit for it; a driver must not offer
 *                     VIRTIO_RING_F_EVENT_IDX to guests of this device.
 *
 * Mergeable RX buffers are no param: each virtq says it in its
 * queue_feature_bit_mask (LVDPA_PRM_VIRTQ_QF_MRG_RXBUF), as on the device.
 *   budget=N          chains per queue per worker round (1..4096, default 64)
 *   lcore=N           run the worker on EAL lcore N (a worker lcore, idle;
 *                     open from the main lcore) instead of a pthread
 *   uplink=NAME       ethdev to use as uplink for frames to MACs no
 *                     function owns (needs EAL; the application configures
 *                     and starts the port; default none: they come back on
 *                     the sending function's RX)
 */

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LVDPA_MODEL_EVENT_NO_MSIX (1u << 0)
#define LVDPA_MODEL_EVENT_QP      (1u << 1)
#define LVDPA_MODEL_EVENT_MSIX    (1u << 2)

/** Capability profile of one model function. */
struct lvdpa_model_caps {
	uint16_t max_queues;      /**< max_num_virtio_queues */
	uint16_t max_queue_size;  /**< largest queue_size accepted */
	bool legacy;              /**< virtio_version_1_0 = 0 accepted */
	bool packed;              /**< packed virtqueue type offered */
	uint8_t event_modes;      /**< LVDPA_MODEL_EVENT_* offered */
	bool mac_set;             /**< mac given explicitly */
	uint8_t mac[6];
	bool event_idx;           /**< test capability VIRTIO_RING_F_EVENT_IDX */
	uint16_t budget;          /**< chains per queue per worker round */
	int lcore;                /**< EAL lcore of the worker, -1: a pthread */
	char uplink[64];          /**< uplink ethdev name, "" for none */
};

/**
 * Parse a params string into @p caps (defaults for keys not given).
 * @param params  NULL or "" for all defaults
 * @param err     when not NULL, receives a message naming the bad key and value
 * @return 0, or -EINVAL for an unknown key or a bad value
 */
int lvdpa_model_caps_parse(const char *params, struct lvdpa_model_caps *caps,
			   char *err, unsigned int err_len);

#ifdef __cplusplus
}
#endif

#endif /* LVDPA_MODEL_H */
