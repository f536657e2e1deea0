/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_DEVX_H
#define LVDPA_DEVX_H

/**
 * @file
 * The DevX command layer: attribute structs in CPU order on one side,
 * PRM mailboxes (lvdpa_prm.h) on the other. The struct is the API, the
 * mailbox the wire. Every command goes through the transport of the device
 * (lvdpa_transport.h), so the same code drives a ConnectX NIC ("rdma") and
 * the software model ("model").
 *
 * Unless said otherwise, functions return 0 on success, or a negative errno
 * with rte_errno set to its opposite. A command the device refused yields
 * the errno of lvdpa_prm_status_errno() for its status, and a log line with
 * the opcode, status and syndrome.
 *
 * Objects created here are struct lvdpa_devx_obj; destroy each with the
 * matching *_destroy() (or lvdpa_devx_obj_destroy()). Destroying NULL is a
 * no-op that returns 0.
 *
 * The layer keeps no state of its own: concurrent calls are as safe as the
 * transport makes them.
 *
 * Wire conventions a transport (the model) can rely on:
 * - mailboxes have the exact PRM sizes of lvdpa_prm.h (*_BYTES); outputs
 *   are read for status, syndrome and the id: obj_id at bit 0x40 for
 *   general objects, 24 bits at 0x48 for PD, CQ, QP and mkey index;
 * - destroy goes through obj_destroy only (no DESTROY_* mailbox is built);
 * - indirect mkeys pad the KLM list with zero entries to a multiple of 4;
 * - the virtq doorbell is a 32-bit db_write of the queue index at
 *   doorbell_bar_offset modulo 4 KiB; CQ arming is described at
 *   lvdpa_devx_cq_arm();
 * - an event's data[] is the EQE from byte 4 (LVDPA_PRM_EQE_TP_DATA_OFF).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lvdpa_prm.h"
#include "lvdpa_transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A DevX object created through the command layer. */
struct lvdpa_devx_obj {
	struct lvdpa_tp_obj *tp;  /**< transport handle */
	uint32_t id;              /**< obj_id, pdn, cqn, qpn, or the full mkey */
	uint16_t create_opcode;   /**< opcode that created it, for logs */
	uint16_t obj_type;        /**< general object type, 0 otherwise */
};

/* ------------------------------------------------------------------ */
/* Capabilities */

/** Size of umem n of a virtq: a * queue_size + b. */
struct lvdpa_devx_umem_param {
	uint32_t a;
	uint32_t b;
};

/** Device capabilities, decoded from QUERY_HCA_CAP (general + virtio emulation). */
struct lvdpa_devx_caps {
	/* general device caps */
	uint16_t vhca_id;
	uint8_t log_max_qp_sz;
	uint8_t log_max_qp;
	uint8_t log_max_cq_sz;
	uint8_t log_max_cq;
	uint8_t log_max_eq_sz;
	uint8_t log_max_eq;
	uint8_t log_max_mkey;
	uint8_t log_max_mrw_sz;
	uint8_t log_max_klm_list_size;
	uint8_t log_max_pd;
	uint8_t sq_ts_format;
	uint8_t rq_ts_format;
	bool eswitch_manager;
	bool umem_uid_0;
	bool virtio_net_device_emulation_manager;
	uint64_t general_obj_types;
	bool virtq_supported;            /**< general_obj_types has virtio_net_q (and so VAR doorbells) */
	bool queue_counters_supported;   /**< general_obj_types has virtio_q_counters */
	/* virtio emulation caps (valid when vdpa_valid) */
	bool vdpa_valid;                 /**< the virtio emulation query succeeded */
	bool desc_tunnel_offload_type;
	bool eth_frame_offload_type;
	bool virtio_version_1_0;
	uint16_t device_features_bits_mask;
	bool tso_ipv4;
	bool tso_ipv6;
	bool tx_csum;
	bool rx_csum;
	uint8_t event_mode;              /**< mask of 1 << LVDPA_PRM_VIRTQ_EVENT_MODE_* */
	uint8_t virtio_queue_type;       /**< mask of 1 << LVDPA_PRM_VIRTQ_TYPE_* */
	uint16_t max_tunnel_desc;
	uint8_t log_doorbell_stride;
	uint8_t log_doorbell_bar_size;
	bool vnet_modify_ext;
	bool virtio_net_q_addr_modify;
	bool virtio_q_index_modify;
	uint64_t doorbell_bar_offset;
	uint8_t max_emulated_devices;
	uint32_t max_num_virtio_queues;
	struct lvdpa_devx_umem_param umems[3];
};

/**
 * Query the general and the virtio emulation capabilities. A refused
 * general query is an error; a refused virtio emulation query only leaves
 * vdpa_valid false (the device is no vDPA device, the caller decides).
 */
int lvdpa_devx_query_caps(struct lvdpa_tp_dev *dev, struct lvdpa_devx_caps *caps);

/** Bytes of umem @p n (0..2) a virtq of @p queue_size needs. */
uint32_t lvdpa_devx_virtq_umem_size(const struct lvdpa_devx_caps *caps,
				    unsigned int n, uint16_t queue_size);

/* ------------------------------------------------------------------ */
/* Protection domain, umem */

/** ALLOC_PD through DevX; (*pd)->id is the pdn. */
int lvdpa_devx_pd_alloc(struct lvdpa_tp_dev *dev, struct lvdpa_devx_obj **pd);
int lvdpa_devx_pd_free(struct lvdpa_devx_obj *pd);

/* umem access flags (IBV_ACCESS_* values, as mlx5dv_devx_umem_reg takes them) */
#define LVDPA_DEVX_UMEM_LOCAL_WRITE	(1u << 0)
#define LVDPA_DEVX_UMEM_REMOTE_WRITE	(1u << 1)
#define LVDPA_DEVX_UMEM_REMOTE_READ	(1u << 2)

/** Register @p size bytes at @p addr as a umem; (*umem)->id goes into mailboxes. */
int lvdpa_devx_umem_reg(struct lvdpa_tp_dev *dev, void *addr, size_t size,
			uint32_t access, struct lvdpa_tp_umem **umem);
int lvdpa_devx_umem_dereg(struct lvdpa_tp_umem *umem);

/* ------------------------------------------------------------------ */
/* Memory keys */

/** A direct (MTT) mkey over a registered umem. */
struct lvdpa_devx_mkey_direct_attr {
	uint32_t pd;
	uint64_t addr;          /**< start address the mkey exposes (IOVA / GPA) */
	uint64_t size;          /**< bytes */
	uint32_t umem_id;       /**< backing umem */
	uint64_t umem_offset;   /**< offset of @p addr's byte in the umem */
	uint8_t log_page_size;  /**< translation page size; 0 means 12 (4 KiB) */
	uint8_t key;            /**< mkey_7_0, the variant byte of the key */
	bool remote_rw;         /**< also allow remote read/write (rr, rw) */
	bool relaxed_ordering;  /**< relaxed ordering read and write */
};

/** One KLM entry of an indirect mkey. */
struct lvdpa_devx_klm {
	uint64_t addr;   /**< address inside the target mkey */
	uint32_t len;    /**< byte_count (ignored with a fixed entity size) */
	uint32_t mkey;   /**< target mkey */
};

/**
 * An indirect mkey over a KLM list. With log_entity_size 0 the access mode
 * is KLM (each entry its own length), otherwise KLM_FBS (each entry covers
 * 1 << log_entity_size bytes). The list is padded with all-zero entries to
 * a multiple of 4 (translations_octword_size counts the padding); a decoder
 * stops when the entries cover mkc.len.
 */
struct lvdpa_devx_mkey_indirect_attr {
	uint32_t pd;
	uint64_t addr;                   /**< start address */
	uint64_t size;                   /**< total bytes covered */
	const struct lvdpa_devx_klm *klms;
	uint32_t klm_num;
	uint8_t log_entity_size;
	uint8_t key;                     /**< mkey_7_0 */
	bool remote_rw;
};

/** (*mkey)->id is the full mkey: mkey_index << 8 | key. */
int lvdpa_devx_mkey_create_direct(struct lvdpa_tp_dev *dev,
				  const struct lvdpa_devx_mkey_direct_attr *attr,
				  struct lvdpa_devx_obj **mkey);
int lvdpa_devx_mkey_create_indirect(struct lvdpa_tp_dev *dev,
				    const struct lvdpa_devx_mkey_indirect_attr *attr,
				    struct lvdpa_devx_obj **mkey);
int lvdpa_devx_mkey_destroy(struct lvdpa_devx_obj *mkey);

/* ------------------------------------------------------------------ */
/* Virtq counters */

struct lvdpa_devx_virtq_counters {
	uint64_t received_desc;
	uint64_t completed_desc;
	uint32_t error_cqes;
	uint32_t bad_desc_errors;
	uint32_t exceed_max_chain;
	uint32_t invalid_buffer;
};

/** A virtio_q_counters object; its id goes to virtq counter_set_id. */
int lvdpa_devx_counters_create(struct lvdpa_tp_dev *dev,
			       struct lvdpa_devx_obj **counters);
int lvdpa_devx_counters_query(struct lvdpa_devx_obj *counters,
			      struct lvdpa_devx_virtq_counters *out);
int lvdpa_devx_counters_destroy(struct lvdpa_devx_obj *counters);

/* ------------------------------------------------------------------ */
/* Virtqs */

struct lvdpa_devx_virtq_umem {
	uint32_t id;
	uint32_t size;
	uint64_t offset;
};

/**
 * A virtio_net_q object, field by field. Create encodes every field but
 * state/error_type/dirty bitmap; modify encodes the fields that
 * modify_field_select names (queue_index always); query decodes all.
 */
struct lvdpa_devx_virtq_attr {
	uint16_t queue_index;
	uint16_t queue_size;
	uint8_t virtio_q_type;        /**< LVDPA_PRM_VIRTQ_TYPE_* */
	uint8_t event_mode;           /**< LVDPA_PRM_VIRTQ_EVENT_MODE_* */
	uint32_t event_qpn_or_msix;   /**< the event QP (fw QP) number for mode QP */
	bool virtio_version_1_0;
	/**
	 * queue_feature_bit_mask: the features negotiated for this queue,
	 * bits LVDPA_PRM_VIRTQ_QF_* (13 bits; see lvdpa_devx_virtq_features()).
	 * Sent at create, and at modify with LVDPA_PRM_VIRTQ_MODIFY_QUEUE_FEATURES;
	 * a bit above 12 is -EINVAL. It is how the device learns per queue
	 * whether RX packets may span buffers (QF_MRG_RXBUF).
	 */
	uint16_t queue_features;
	uint8_t offload_type;
	uint64_t desc_addr;
	uint64_t used_addr;
	uint64_t available_addr;
	uint32_t mkey;                /**< virtio_q_mkey translating the addresses */
	struct lvdpa_devx_virtq_umem umems[3];
	uint32_t counter_set_id;      /**< counters object id, 0 for none */
	uint32_t pd;
	uint32_t tisn_or_qpn;
	uint16_t doorbell_stride_idx;
	uint8_t queue_period_mode;    /**< LVDPA_PRM_VIRTQ_PERIOD_MODE_* */
	uint16_t queue_period_us;     /**< 12 bits */
	uint16_t queue_max_count;
	uint16_t hw_available_index;
	uint16_t hw_used_index;
	uint8_t state;                /**< LVDPA_PRM_VIRTQ_STATE_* */
	uint8_t error_type;           /**< query only */
	bool dirty_bitmap_dump_enable;
	uint8_t vhost_log_page;       /**< dirty-log page size code, sent with DIRTY_BITMAP_PARAMS */
	uint32_t dirty_bitmap_mkey;
	uint32_t dirty_bitmap_size;
	uint64_t dirty_bitmap_addr;
};

/**
 * The queue_feature_bit_mask for negotiated virtio net features
 * @p virtio_features (bit n = virtio feature n): CSUM, GUEST_CSUM,
 * GUEST_TSO4/6, GUEST_ECN, HOST_TSO4/6, HOST_ECN and MRG_RXBUF map to their
 * LVDPA_PRM_VIRTQ_QF_* bit; every other feature has no bit and is ignored.
 */
uint16_t lvdpa_devx_virtq_features(uint64_t virtio_features);

int lvdpa_devx_virtq_create(struct lvdpa_tp_dev *dev,
			    const struct lvdpa_devx_virtq_attr *attr,
			    struct lvdpa_devx_obj **virtq);
/**
 * Modify the fields named by @p modify_field_select
 * (LVDPA_PRM_VIRTQ_MODIFY_*): -EINVAL without sending when it is 0 or has
 * unknown bits.
 */
int lvdpa_devx_virtq_modify(struct lvdpa_devx_obj *virtq,
			    const struct lvdpa_devx_virtq_attr *attr,
			    uint64_t modify_field_select);
/** Query everything, including hw indices, state and error_type. */
int lvdpa_devx_virtq_query(struct lvdpa_devx_obj *virtq,
			   struct lvdpa_devx_virtq_attr *attr);
int lvdpa_devx_virtq_destroy(struct lvdpa_devx_obj *virtq);

/* ------------------------------------------------------------------ */
/* Event path: CQ and event QPs */

struct lvdpa_devx_cq_attr {
	uint8_t log_cq_size;
	uint32_t uar_page;        /**< UAR page id for arm doorbells */
	uint32_t eqn;             /**< completion EQ */
	uint8_t cqe_sz;           /**< LVDPA_PRM_CQE_SZ_* */
	bool use_first_only;      /**< cc: collapse all CQEs into CQE 0 */
	bool overrun_ignore;      /**< oi */
	uint8_t log_page_size;    /**< of the CQ buffer, 0 means 12 */
	uint32_t umem_id;         /**< CQ buffer */
	uint64_t umem_offset;
	uint32_t dbr_umem_id;     /**< doorbell record */
	uint64_t dbr_umem_offset;
};

/** (*cq)->id is the cqn. */
int lvdpa_devx_cq_create(struct lvdpa_tp_dev *dev,
			 const struct lvdpa_devx_cq_attr *attr,
			 struct lvdpa_devx_obj **cq);
int lvdpa_devx_cq_destroy(struct lvdpa_devx_obj *cq);

/**
 * An RC QP as the event path uses it. With fw_managed the QP has no queues
 * of its own (no SQ, zero-length RQ, no UAR): the device drives it, and its
 * qpn goes to the virtq's event_qpn_or_msix with event mode QP. Otherwise
 * it is the driver-side QP: a receive queue of 1 << log_rq_size entries of
 * 1 << log_rq_stride bytes bound to @p cqn, in a umem, with a doorbell
 * record.
 */
struct lvdpa_devx_qp_attr {
	uint32_t pd;
	bool fw_managed;
	uint8_t ts_format;
	uint32_t user_index;
	uint32_t uar_page;
	uint32_t cqn;             /**< receive (and send) completions */
	uint8_t log_rq_size;      /**< 0 with rq_size_zero: no receive queue */
	bool rq_size_zero;
	uint8_t log_rq_stride;    /**< log2 of the RQ stride in bytes (>= 4) */
	uint8_t log_sq_size;      /**< 0 = no send queue */
	uint8_t log_page_size;    /**< of the WQ buffer, 0 means 12 */
	uint32_t wq_umem_id;
	uint64_t wq_umem_offset;
	uint32_t dbr_umem_id;
	uint64_t dbr_umem_offset;
};

/** (*qp)->id is the qpn. */
int lvdpa_devx_qp_create(struct lvdpa_tp_dev *dev,
			 const struct lvdpa_devx_qp_attr *attr,
			 struct lvdpa_devx_obj **qp);
/**
 * Move a QP: @p op is LVDPA_PRM_OP_RST2INIT_QP, _INIT2RTR_QP, _RTR2RTS_QP
 * or _2RST_QP; @p remote_qpn is the peer (used by INIT2RTR). The fields
 * set are those of a loopback RC pair: port 1, rre/rwe, mtu 256,
 * log_msg_max 30, ack_timeout 16, retries 7.
 */
int lvdpa_devx_qp_modify(struct lvdpa_devx_obj *qp, uint16_t op,
			 uint32_t remote_qpn);
int lvdpa_devx_qp_destroy(struct lvdpa_devx_obj *qp);

/** Decoded CQE (the 64-byte layout of lvdpa_prm.h). */
struct lvdpa_devx_cqe {
	uint8_t opcode;          /**< LVDPA_PRM_CQE_OPCODE_* */
	uint8_t owner;
	uint16_t wqe_counter;
	uint32_t byte_cnt;
	uint32_t qpn;
};

void lvdpa_devx_cqe_decode(const void *cqe, struct lvdpa_devx_cqe *out);

/**
 * A UAR page for uar_page of CQs and QPs and for CQ arm doorbells. A
 * transport without UAR operations (the model) hands out its doorbell page
 * (db_alloc) instead; -ENOTSUP when it has neither.
 */
int lvdpa_devx_uar_alloc(struct lvdpa_tp_dev *dev, struct lvdpa_tp_db **uar);
void lvdpa_devx_uar_free(struct lvdpa_tp_db *uar);

/**
 * The EQ for completion vector @p vector; a transport without the
 * operation has one implicit EQ, reported as 0.
 */
int lvdpa_devx_query_eqn(struct lvdpa_tp_dev *dev, uint32_t vector, uint32_t *eqn);

/**
 * Arm CQ @p cqn for one completion event: write the arm word to dword 1
 * of its doorbell record @p dbrec (big-endian), then ring the doorbell when
 * @p uar is not NULL: one 64-bit uar_write64 at offset 0x20 (arm word << 32
 * | cqn), or, for a transport without it, two db_write calls in CPU order,
 * the arm word at 0x20 and then the cqn at 0x24. @p arm_sn counts arms
 * (2 bits used), @p ci is the consumer index.
 */
void lvdpa_devx_cq_arm(struct lvdpa_tp_db *uar, volatile uint32_t *dbrec,
		       uint32_t cqn, uint32_t arm_sn, uint32_t ci);

/** Destroy any object of this layer (what the *_destroy functions do). */
int lvdpa_devx_obj_destroy(struct lvdpa_devx_obj *obj);

/* ------------------------------------------------------------------ */
/* Doorbells */

/** The virtq doorbell page (VAR). */
int lvdpa_devx_db_alloc(struct lvdpa_tp_dev *dev, struct lvdpa_tp_db **db);
void lvdpa_devx_db_free(struct lvdpa_tp_db *db);
/** A 32-bit write of @p value at byte @p offset of the page. */
void lvdpa_devx_db_write(struct lvdpa_tp_db *db, uint32_t offset, uint32_t value);
/** Byte offset in the VAR page of the virtq doorbell (doorbell_bar_offset in a 4 KiB page). */
uint32_t lvdpa_devx_virtq_db_offset(const struct lvdpa_devx_caps *caps);
/** Kick virtq @p queue_index: write its index to the virtq doorbell. */
void lvdpa_devx_virtq_notify(struct lvdpa_tp_db *db,
			     const struct lvdpa_devx_caps *caps,
			     uint16_t queue_index);

/* ------------------------------------------------------------------ */
/* Event channels */

/** An event, decoded. */
struct lvdpa_devx_event {
	uint64_t cookie;       /**< given at subscription */
	uint8_t type;          /**< LVDPA_PRM_EVENT_TYPE_* */
	uint8_t sub_type;      /**< 0: struct lvdpa_tp_event does not carry it */
	uint32_t cqn;          /**< completion events */
	uint16_t obj_type;     /**< object change events */
	uint32_t obj_id;       /**< object change events */
	uint8_t eqe[LVDPA_PRM_EQE_BYTES]; /**< the whole EQE rebuilt */
};

int lvdpa_devx_evchan_create(struct lvdpa_tp_dev *dev,
			     struct lvdpa_tp_evchan **ch);
void lvdpa_devx_evchan_destroy(struct lvdpa_tp_evchan *ch);
/** The fd to poll for readability. */
int lvdpa_devx_evchan_fd(const struct lvdpa_tp_evchan *ch);
/** Subscribe @p obj's events of @p types to @p ch, reported with @p cookie. */
int lvdpa_devx_evchan_subscribe(struct lvdpa_tp_evchan *ch,
				struct lvdpa_devx_obj *obj,
				const uint16_t *types, unsigned int n,
				uint64_t cookie);
/** Read one event: 1 read, 0 none waiting, negative errno. */
int lvdpa_devx_evchan_read(struct lvdpa_tp_evchan *ch,
			   struct lvdpa_devx_event *ev);
/** Decode a transport event (also usable by tests and the model). */
void lvdpa_devx_event_decode(const struct lvdpa_tp_event *tev,
			     struct lvdpa_devx_event *ev);

#ifdef __cplusplus
}
#endif

#endif /* LVDPA_DEVX_H */
