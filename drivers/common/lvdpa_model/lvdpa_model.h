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
 * params string before they open a device with it, and the switchdev
 * functions of the e-switch at the end, which the representor PMD uses.
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
 *   poll_us=N         after its last work the worker keeps polling the
 *                     rings for N microseconds with doorbells suppressed
 *                     (0..1000000, default 50; 0: every doorbell wakes it)
 *   latency=P         firmware command latency: none (default), cx6dx, or
 *                     '+'-separated type:us items (see lvdpa_model_latency.c
 *                     and doc/guides/model.rst); overrides LVDPA_MODEL_LATENCY
 *   uplink=NAME       ethdev to use as uplink for frames to MACs no
 *                     function owns (needs EAL; the application configures
 *                     and starts the port; default none: they come back on
 *                     the sending function's RX)
 *   faults=L          injected device faults (default none), '+'-separated:
 *                     cmd:TYPE:N[:STATUS]  the Nth command of TYPE (a latency
 *                       type but destroy*, umem*) fails with STATUS (default
 *                       0x1 INT_ERR), syndrome 0x1f0000 + TYPE number;
 *                     vq_err:Q:N[:R]  queue index Q enters ERR (error_type 1)
 *                       after completing N descriptors, R times (default 1),
 *                       N descriptors apart;
 *                     evchan_hup:N  each event channel hangs up after N events
 *                     (see doc/guides/model.rst, Fault injection)
 */

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LVDPA_MODEL_EVENT_NO_MSIX (1u << 0)
#define LVDPA_MODEL_EVENT_QP      (1u << 1)
#define LVDPA_MODEL_EVENT_MSIX    (1u << 2)

/** Command types a latency is charged for (latency param). */
#define LVDPA_MODEL_LATENCY_TYPES 15

/** Injected faults (faults param). */
#define LVDPA_MODEL_FAULTS_MAX 8
#define LVDPA_MODEL_FAULT_CMD        1
#define LVDPA_MODEL_FAULT_VQ_ERR     2
#define LVDPA_MODEL_FAULT_EVCHAN_HUP 3
/** Syndrome of an injected command failure: this + the command type. */
#define LVDPA_MODEL_FAULT_SYNDROME 0x1f0000u

struct lvdpa_model_fault {
	uint8_t kind;        /**< LVDPA_MODEL_FAULT_* */
	uint8_t cmd_type;    /**< CMD: latency type number */
	uint8_t status;      /**< CMD: PRM status */
	uint16_t queue;      /**< VQ_ERR: queue index */
	uint32_t n;          /**< Nth command, N descriptors, N events */
	uint32_t repeat;     /**< VQ_ERR: times */
};

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
	uint32_t poll_us;         /**< busy polling after the last work, us */
	char uplink[64];          /**< uplink ethdev name, "" for none */
	/** Charged per command type (lvdpa_model_latency.c), microseconds. */
	uint32_t latency_us[LVDPA_MODEL_LATENCY_TYPES];
	struct lvdpa_model_fault faults[LVDPA_MODEL_FAULTS_MAX];
	unsigned int nfaults;
};

/**
 * Parse a params string into @p caps (defaults for keys not given).
 * @param params  NULL or "" for all defaults
 * @param err     when not NULL, receives a message naming the bad key and value
 * @return 0, or -EINVAL for an unknown key or a bad value
 */
int lvdpa_model_caps_parse(const char *params, struct lvdpa_model_caps *caps,
			   char *err, unsigned int err_len);

/*
 * Switchdev mode of the e-switch (lvdpa_model_flow.c), used by the
 * representor PMD (drivers/net/lvdpa_repr). A vport is a function number
 * (the vhca_id QUERY_HCA_CAP reports) or LVDPA_MODEL_VPORT_UPLINK. A frame
 * entering from a vport is looked up in the rules; on a miss it goes to the
 * vport's representor if one is open, else to the legacy forwarding.
 * What a representor sends goes to its vport directly.
 */
#define LVDPA_MODEL_VPORT_UPLINK 0xffffu
#define LVDPA_MODEL_FLOW_MAX 4096
#define LVDPA_MODEL_FLOW_FWD  1
#define LVDPA_MODEL_FLOW_DROP 2

/** Header fields a rule matches (value and mask share the layout). */
struct lvdpa_model_flow_key {
	uint8_t dmac[6];
	uint8_t smac[6];
	uint16_t ethertype;   /**< after one VLAN tag, host order */
	uint16_t tci;         /**< VLAN TCI, host order */
	uint8_t vlan;         /**< 1: tagged */
	uint8_t ipv;          /**< 4, 6 or 0 */
	uint8_t proto;        /**< IP protocol / IPv6 next header */
	uint8_t tos;          /**< IPv4 TOS / IPv6 traffic class */
	uint8_t ttl;          /**< TTL / hop limit */
	uint8_t src[16];      /**< IPv4 address in the first 4 bytes */
	uint8_t dst[16];
	uint16_t sport;       /**< TCP/UDP, host order */
	uint16_t dport;
	uint8_t tcp_flags;
	uint8_t frag;         /**< 1: an IPv4 fragment (MF or offset set) */
};

struct lvdpa_model_flow_spec {
	uint32_t in_vport;
	uint32_t priority;    /**< lower first */
	struct lvdpa_model_flow_key key;
	struct lvdpa_model_flow_key mask;
	uint8_t action;       /**< LVDPA_MODEL_FLOW_FWD or _DROP; every rule counts */
	uint32_t out_vport;   /**< FWD */
};

struct lvdpa_model_repr;

/** Open the representor of @p vport: 0, -EEXIST (one per vport), -ENOMEM. */
int lvdpa_model_repr_open(uint32_t vport, struct lvdpa_model_repr **r);
void lvdpa_model_repr_close(struct lvdpa_model_repr *r);
uint32_t lvdpa_model_repr_vport(const struct lvdpa_model_repr *r);
/** Frames lost on the miss path (representor inbox full or buffer too small). */
uint64_t lvdpa_model_repr_dropped(const struct lvdpa_model_repr *r);
/** Next missed frame into @p buf: its length, 0 when none, -EMSGSIZE (dropped). */
int lvdpa_model_repr_rx(struct lvdpa_model_repr *r, void *buf, uint32_t cap);
/** Send to the vport: 0, -ENOBUFS (full, retry), -ENODEV (vport gone). */
int lvdpa_model_repr_tx(struct lvdpa_model_repr *r, const void *frame, uint32_t len);
/** MAC and presence of a vport (the uplink: up when a function owns one). */
int lvdpa_model_vport_info(uint32_t vport, uint8_t mac[6], bool *up);
/** The function whose MAC is @p mac: 0 or -ENODEV. */
int lvdpa_model_vport_by_mac(const uint8_t mac[6], uint32_t *vport);
/** Parse a frame into a key (fields absent from the frame are 0). */
void lvdpa_model_flow_key_parse(const uint8_t *frame, uint32_t len,
				struct lvdpa_model_flow_key *key);
/** Add a rule: 0 (*handle set), -EINVAL, -ENOSPC, -ENOMEM. */
int lvdpa_model_flow_add(const struct lvdpa_model_flow_spec *spec, uint64_t *handle);
int lvdpa_model_flow_del(uint64_t handle);
/** Packets and bytes the rule hit (reset: read and clear). 0 or -ENOENT. */
int lvdpa_model_flow_query(uint64_t handle, uint64_t *pkts, uint64_t *bytes, bool reset);
/** Rules installed, all vports. */
unsigned int lvdpa_model_flow_count(void);

#ifdef __cplusplus
}
#endif

#endif /* LVDPA_MODEL_H */
