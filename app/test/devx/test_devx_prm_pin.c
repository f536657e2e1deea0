/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Pins every PRM field of lvdpa_prm.h to its offset and width, typed here as
 * literal numbers from the mlx5 PRM (mailbox header + offset of the context
 * + offset of the field in its PRM layout). The command layer and the model
 * share lvdpa_prm.h, so a wrong offset there would be symmetric and pass
 * every round trip; only an independent statement of the layout catches it.
 *
 * Each field is also written through lvdpa_prm_set() on a zeroed buffer and
 * on an all-ones buffer, and the changed bits are compared with a bit-by-bit
 * reference computed from the literals (PRM bit b = byte b / 8, mask
 * 0x80 >> b % 8), so the accessor is checked against the same statement.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lvdpa_prm.h"
#include "lvdpa_test.h"

struct pin {
	const char *name;
	struct lvdpa_prm_field f;   /* from lvdpa_prm.h */
	uint32_t bit;               /* literal from the PRM */
	uint32_t width;             /* literal from the PRM */
};

#define PIN(m, b, w) { #m, m, (b), (w) }
#define PIN_EQ(a, b) LVDPA_TEST_ASSERT_EQ(a, b, "%s", #a)

/* Layout bases (bits) inside the mailboxes, from the PRM. */
#define GOBJ 0x80          /* object context after the 16-byte general object header */
#define VQ   0x80          /* virtio_net_q object */
#define VQC  (0x80 + 0x200) /* virtio_q context inside virtio_net_q */
#define CAP  0x80          /* capability after the 16-byte query_hca_cap_out header */
#define MKC  0x80          /* mkey context at byte 16 of create_mkey_in */
#define CQC  0x80          /* cq context at byte 16 of create_cq_in */
#define QPC  0xc0          /* qp context at byte 24 of create_qp_in / rst2init_qp_in */
#define ADS  (0xc0 + 0xc0) /* primary address path in the qp context */

static const struct pin pins[] = {
	/* command headers */
	PIN(LVDPA_PRM_IN_OPCODE, 0x00, 16),
	PIN(LVDPA_PRM_IN_UID, 0x10, 16),
	PIN(LVDPA_PRM_IN_OP_MOD, 0x30, 16),
	PIN(LVDPA_PRM_OUT_STATUS, 0x00, 8),
	PIN(LVDPA_PRM_OUT_SYNDROME, 0x20, 32),
	/* general object header */
	PIN(LVDPA_PRM_GOBJ_IN_OPCODE, 0x00, 16),
	PIN(LVDPA_PRM_GOBJ_IN_OBJ_TYPE, 0x30, 16),
	PIN(LVDPA_PRM_GOBJ_IN_OBJ_ID, 0x40, 32),
	PIN(LVDPA_PRM_GOBJ_OUT_OBJ_ID, 0x40, 32),
	/* virtio_net_q */
	PIN(LVDPA_PRM_VIRTQ_MODIFY_FIELD_SELECT, VQ + 0x0, 64),
	PIN(LVDPA_PRM_VIRTQ_TSO_IPV4, VQ + 0x80, 1),
	PIN(LVDPA_PRM_VIRTQ_TSO_IPV6, VQ + 0x81, 1),
	PIN(LVDPA_PRM_VIRTQ_TX_CSUM, VQ + 0x82, 1),
	PIN(LVDPA_PRM_VIRTQ_RX_CSUM, VQ + 0x83, 1),
	PIN(LVDPA_PRM_VIRTQ_DIRTY_BITMAP_DUMP_ENABLE, VQ + 0x8a, 1),
	PIN(LVDPA_PRM_VIRTQ_VHOST_LOG_PAGE, VQ + 0x8b, 5),
	PIN(LVDPA_PRM_VIRTQ_STATE, VQ + 0x9c, 4),
	PIN(LVDPA_PRM_VIRTQ_TISN_OR_QPN, VQ + 0xa8, 24),
	PIN(LVDPA_PRM_VIRTQ_DIRTY_BITMAP_MKEY, VQ + 0xc0, 32),
	PIN(LVDPA_PRM_VIRTQ_DIRTY_BITMAP_SIZE, VQ + 0xe0, 32),
	PIN(LVDPA_PRM_VIRTQ_DIRTY_BITMAP_ADDR, VQ + 0x100, 64),
	PIN(LVDPA_PRM_VIRTQ_HW_AVAILABLE_INDEX, VQ + 0x140, 16),
	PIN(LVDPA_PRM_VIRTQ_HW_USED_INDEX, VQ + 0x150, 16),
	/* virtio_q context */
	PIN(LVDPA_PRM_VIRTQ_VIRTIO_Q_TYPE, VQC + 0x0, 8),
	PIN(LVDPA_PRM_VIRTQ_EVENT_MODE, VQC + 0xd, 3),
	PIN(LVDPA_PRM_VIRTQ_QUEUE_INDEX, VQC + 0x10, 16),
	PIN(LVDPA_PRM_VIRTQ_FULL_EMULATION, VQC + 0x20, 1),
	PIN(LVDPA_PRM_VIRTQ_VIRTIO_VERSION_1_0, VQC + 0x21, 1),
	PIN(LVDPA_PRM_VIRTQ_OFFLOAD_TYPE, VQC + 0x24, 4),
	PIN(LVDPA_PRM_VIRTQ_EVENT_QPN_OR_MSIX, VQC + 0x28, 24),
	PIN(LVDPA_PRM_VIRTQ_DOORBELL_STRIDE_IDX, VQC + 0x40, 16),
	PIN(LVDPA_PRM_VIRTQ_QUEUE_SIZE, VQC + 0x50, 16),
	PIN(LVDPA_PRM_VIRTQ_DEVICE_EMULATION_ID, VQC + 0x60, 32),
	PIN(LVDPA_PRM_VIRTQ_DESC_ADDR, VQC + 0x80, 64),
	PIN(LVDPA_PRM_VIRTQ_USED_ADDR, VQC + 0xc0, 64),
	PIN(LVDPA_PRM_VIRTQ_AVAILABLE_ADDR, VQC + 0x100, 64),
	PIN(LVDPA_PRM_VIRTQ_VIRTIO_Q_MKEY, VQC + 0x140, 32),
	PIN(LVDPA_PRM_VIRTQ_ERROR_TYPE, VQC + 0x178, 8),
	PIN(LVDPA_PRM_VIRTQ_UMEM_1_ID, VQC + 0x180, 32),
	PIN(LVDPA_PRM_VIRTQ_UMEM_1_SIZE, VQC + 0x1a0, 32),
	PIN(LVDPA_PRM_VIRTQ_UMEM_1_OFFSET, VQC + 0x1c0, 64),
	PIN(LVDPA_PRM_VIRTQ_UMEM_2_ID, VQC + 0x200, 32),
	PIN(LVDPA_PRM_VIRTQ_UMEM_2_SIZE, VQC + 0x220, 32),
	PIN(LVDPA_PRM_VIRTQ_UMEM_2_OFFSET, VQC + 0x240, 64),
	PIN(LVDPA_PRM_VIRTQ_UMEM_3_ID, VQC + 0x280, 32),
	PIN(LVDPA_PRM_VIRTQ_UMEM_3_SIZE, VQC + 0x2a0, 32),
	PIN(LVDPA_PRM_VIRTQ_UMEM_3_OFFSET, VQC + 0x2c0, 64),
	PIN(LVDPA_PRM_VIRTQ_UMEM_ID(0), VQC + 0x180, 32),
	PIN(LVDPA_PRM_VIRTQ_UMEM_SIZE(0), VQC + 0x1a0, 32),
	PIN(LVDPA_PRM_VIRTQ_UMEM_OFFSET(0), VQC + 0x1c0, 64),
	PIN(LVDPA_PRM_VIRTQ_UMEM_ID(1), VQC + 0x200, 32),
	PIN(LVDPA_PRM_VIRTQ_UMEM_SIZE(1), VQC + 0x220, 32),
	PIN(LVDPA_PRM_VIRTQ_UMEM_OFFSET(1), VQC + 0x240, 64),
	PIN(LVDPA_PRM_VIRTQ_UMEM_ID(2), VQC + 0x280, 32),
	PIN(LVDPA_PRM_VIRTQ_UMEM_SIZE(2), VQC + 0x2a0, 32),
	PIN(LVDPA_PRM_VIRTQ_UMEM_OFFSET(2), VQC + 0x2c0, 64),
	PIN(LVDPA_PRM_VIRTQ_COUNTER_SET_ID, VQC + 0x300, 32),
	PIN(LVDPA_PRM_VIRTQ_PD, VQC + 0x328, 24),
	PIN(LVDPA_PRM_VIRTQ_QUEUE_PERIOD_MODE, VQC + 0x342, 2),
	PIN(LVDPA_PRM_VIRTQ_QUEUE_PERIOD_US, VQC + 0x344, 12),
	PIN(LVDPA_PRM_VIRTQ_QUEUE_MAX_COUNT, VQC + 0x350, 16),
	/* virtio_q_counters */
	PIN(LVDPA_PRM_VQ_COUNTERS_MODIFY_FIELD_SELECT, GOBJ + 0x0, 64),
	PIN(LVDPA_PRM_VQ_COUNTERS_RECEIVED_DESC, GOBJ + 0x80, 64),
	PIN(LVDPA_PRM_VQ_COUNTERS_COMPLETED_DESC, GOBJ + 0xc0, 64),
	PIN(LVDPA_PRM_VQ_COUNTERS_ERROR_CQES, GOBJ + 0x100, 32),
	PIN(LVDPA_PRM_VQ_COUNTERS_BAD_DESC_ERRORS, GOBJ + 0x120, 32),
	PIN(LVDPA_PRM_VQ_COUNTERS_EXCEED_MAX_CHAIN, GOBJ + 0x140, 32),
	PIN(LVDPA_PRM_VQ_COUNTERS_INVALID_BUFFER, GOBJ + 0x160, 32),
	/* cmd_hca_cap */
	PIN(LVDPA_PRM_HCA_CAP_VHCA_ID, CAP + 0x30, 16),
	PIN(LVDPA_PRM_HCA_CAP_LOG_MAX_QP_SZ, CAP + 0x88, 8),
	PIN(LVDPA_PRM_HCA_CAP_LOG_MAX_QP, CAP + 0x9b, 5),
	PIN(LVDPA_PRM_HCA_CAP_LOG_MAX_CQ_SZ, CAP + 0xc8, 8),
	PIN(LVDPA_PRM_HCA_CAP_VIRTIO_NET_DEVICE_EMULATION_MANAGER, CAP + 0xd9, 1),
	PIN(LVDPA_PRM_HCA_CAP_LOG_MAX_CQ, CAP + 0xdb, 5),
	PIN(LVDPA_PRM_HCA_CAP_LOG_MAX_EQ_SZ, CAP + 0xe0, 8),
	PIN(LVDPA_PRM_HCA_CAP_LOG_MAX_MKEY, CAP + 0xea, 6),
	PIN(LVDPA_PRM_HCA_CAP_LOG_MAX_EQ, CAP + 0xfc, 4),
	PIN(LVDPA_PRM_HCA_CAP_LOG_MAX_MRW_SZ, CAP + 0x109, 7),
	PIN(LVDPA_PRM_HCA_CAP_LOG_MAX_KLM_LIST_SIZE, CAP + 0x11a, 6),
	PIN(LVDPA_PRM_HCA_CAP_ESWITCH_MANAGER, CAP + 0x1a7, 1),
	PIN(LVDPA_PRM_HCA_CAP_UMEM_UID_0, CAP + 0x252, 1),
	PIN(LVDPA_PRM_HCA_CAP_LOG_MAX_PD, CAP + 0x32b, 5),
	PIN(LVDPA_PRM_HCA_CAP_GENERAL_OBJ_TYPES, CAP + 0x400, 64),
	PIN(LVDPA_PRM_HCA_CAP_SQ_TS_FORMAT, CAP + 0x440, 2),
	PIN(LVDPA_PRM_HCA_CAP_RQ_TS_FORMAT, CAP + 0x442, 2),
	/* virtio_emulation_cap */
	PIN(LVDPA_PRM_VIRTIO_CAP_DESC_TUNNEL_OFFLOAD_TYPE, CAP + 0x0, 1),
	PIN(LVDPA_PRM_VIRTIO_CAP_ETH_FRAME_OFFLOAD_TYPE, CAP + 0x1, 1),
	PIN(LVDPA_PRM_VIRTIO_CAP_VIRTIO_VERSION_1_0, CAP + 0x2, 1),
	PIN(LVDPA_PRM_VIRTIO_CAP_DEVICE_FEATURES_BITS_MASK, CAP + 0x3, 13),
	PIN(LVDPA_PRM_VIRTIO_CAP_TSO_IPV4, CAP + 0x3, 1),
	PIN(LVDPA_PRM_VIRTIO_CAP_TSO_IPV6, CAP + 0x4, 1),
	PIN(LVDPA_PRM_VIRTIO_CAP_TX_CSUM, CAP + 0x5, 1),
	PIN(LVDPA_PRM_VIRTIO_CAP_RX_CSUM, CAP + 0x6, 1),
	PIN(LVDPA_PRM_VIRTIO_CAP_EVENT_MODE, CAP + 0x10, 8),
	PIN(LVDPA_PRM_VIRTIO_CAP_VIRTIO_QUEUE_TYPE, CAP + 0x18, 8),
	PIN(LVDPA_PRM_VIRTIO_CAP_MAX_TUNNEL_DESC, CAP + 0x20, 16),
	PIN(LVDPA_PRM_VIRTIO_CAP_LOG_DOORBELL_STRIDE, CAP + 0x33, 5),
	PIN(LVDPA_PRM_VIRTIO_CAP_VNET_MODIFY_EXT, CAP + 0x38, 1),
	PIN(LVDPA_PRM_VIRTIO_CAP_VIRTIO_NET_Q_ADDR_MODIFY, CAP + 0x39, 1),
	PIN(LVDPA_PRM_VIRTIO_CAP_VIRTIO_Q_INDEX_MODIFY, CAP + 0x3a, 1),
	PIN(LVDPA_PRM_VIRTIO_CAP_LOG_DOORBELL_BAR_SIZE, CAP + 0x3b, 5),
	PIN(LVDPA_PRM_VIRTIO_CAP_DOORBELL_BAR_OFFSET, CAP + 0x40, 64),
	PIN(LVDPA_PRM_VIRTIO_CAP_MAX_EMULATED_DEVICES, CAP + 0x80, 8),
	PIN(LVDPA_PRM_VIRTIO_CAP_MAX_NUM_VIRTIO_QUEUES, CAP + 0x88, 24),
	PIN(LVDPA_PRM_VIRTIO_CAP_UMEM_1_BUFFER_PARAM_A, CAP + 0x100, 32),
	PIN(LVDPA_PRM_VIRTIO_CAP_UMEM_1_BUFFER_PARAM_B, CAP + 0x120, 32),
	PIN(LVDPA_PRM_VIRTIO_CAP_UMEM_2_BUFFER_PARAM_A, CAP + 0x140, 32),
	PIN(LVDPA_PRM_VIRTIO_CAP_UMEM_2_BUFFER_PARAM_B, CAP + 0x160, 32),
	PIN(LVDPA_PRM_VIRTIO_CAP_UMEM_3_BUFFER_PARAM_A, CAP + 0x180, 32),
	PIN(LVDPA_PRM_VIRTIO_CAP_UMEM_3_BUFFER_PARAM_B, CAP + 0x1a0, 32),
	PIN(LVDPA_PRM_VIRTIO_CAP_UMEM_PARAM_A(0), CAP + 0x100, 32),
	PIN(LVDPA_PRM_VIRTIO_CAP_UMEM_PARAM_B(0), CAP + 0x120, 32),
	PIN(LVDPA_PRM_VIRTIO_CAP_UMEM_PARAM_A(1), CAP + 0x140, 32),
	PIN(LVDPA_PRM_VIRTIO_CAP_UMEM_PARAM_B(1), CAP + 0x160, 32),
	PIN(LVDPA_PRM_VIRTIO_CAP_UMEM_PARAM_A(2), CAP + 0x180, 32),
	PIN(LVDPA_PRM_VIRTIO_CAP_UMEM_PARAM_B(2), CAP + 0x1a0, 32),
	/* create_mkey_in / mkc / klm */
	PIN(LVDPA_PRM_CREATE_MKEY_PG_ACCESS, 0x60, 1),
	PIN(LVDPA_PRM_MKC_FREE, MKC + 0x1, 1),
	PIN(LVDPA_PRM_MKC_ACCESS_MODE_4_2, MKC + 0x3, 3),
	PIN(LVDPA_PRM_MKC_RELAXED_ORDERING_WRITE, MKC + 0xd, 1),
	PIN(LVDPA_PRM_MKC_UMR_EN, MKC + 0x10, 1),
	PIN(LVDPA_PRM_MKC_A, MKC + 0x11, 1),
	PIN(LVDPA_PRM_MKC_RW, MKC + 0x12, 1),
	PIN(LVDPA_PRM_MKC_RR, MKC + 0x13, 1),
	PIN(LVDPA_PRM_MKC_LW, MKC + 0x14, 1),
	PIN(LVDPA_PRM_MKC_LR, MKC + 0x15, 1),
	PIN(LVDPA_PRM_MKC_ACCESS_MODE_1_0, MKC + 0x16, 2),
	PIN(LVDPA_PRM_MKC_QPN, MKC + 0x20, 24),
	PIN(LVDPA_PRM_MKC_MKEY_7_0, MKC + 0x38, 8),
	PIN(LVDPA_PRM_MKC_LENGTH64, MKC + 0x60, 1),
	PIN(LVDPA_PRM_MKC_PD, MKC + 0x68, 24),
	PIN(LVDPA_PRM_MKC_START_ADDR, MKC + 0x80, 64),
	PIN(LVDPA_PRM_MKC_LEN, MKC + 0xc0, 64),
	PIN(LVDPA_PRM_MKC_TRANSLATIONS_OCTWORD_SIZE, MKC + 0x1a0, 32),
	PIN(LVDPA_PRM_MKC_RELAXED_ORDERING_READ, MKC + 0x1d9, 1),
	PIN(LVDPA_PRM_MKC_LOG_PAGE_SIZE, MKC + 0x1db, 5),
	PIN(LVDPA_PRM_CREATE_MKEY_TRANSLATIONS_OCTWORD_ACTUAL_SIZE, 0x300, 32),
	PIN(LVDPA_PRM_CREATE_MKEY_MKEY_UMEM_ID, 0x320, 32),
	PIN(LVDPA_PRM_CREATE_MKEY_MKEY_UMEM_OFFSET, 0x340, 64),
	PIN(LVDPA_PRM_CREATE_MKEY_OUT_MKEY_INDEX, 0x48, 24),
	PIN(LVDPA_PRM_DESTROY_MKEY_IN_MKEY_INDEX, 0x48, 24),
	PIN(LVDPA_PRM_KLM_BYTE_COUNT, 0x0, 32),
	PIN(LVDPA_PRM_KLM_MKEY, 0x20, 32),
	PIN(LVDPA_PRM_KLM_ADDRESS, 0x40, 64),
	/* PD */
	PIN(LVDPA_PRM_ALLOC_PD_OUT_PD, 0x48, 24),
	PIN(LVDPA_PRM_DEALLOC_PD_IN_PD, 0x48, 24),
	/* create_cq_in / cqc */
	PIN(LVDPA_PRM_CQC_STATUS, CQC + 0x0, 4),
	PIN(LVDPA_PRM_CQC_DBR_UMEM_VALID, CQC + 0x6, 1),
	PIN(LVDPA_PRM_CQC_CQE_SZ, CQC + 0x8, 3),
	PIN(LVDPA_PRM_CQC_CC, CQC + 0xb, 1),
	PIN(LVDPA_PRM_CQC_OI, CQC + 0xe, 1),
	PIN(LVDPA_PRM_CQC_CQ_PERIOD_MODE, CQC + 0xf, 2),
	PIN(LVDPA_PRM_CQC_DBR_UMEM_ID, CQC + 0x20, 32),
	PIN(LVDPA_PRM_CQC_LOG_CQ_SIZE, CQC + 0x63, 5),
	PIN(LVDPA_PRM_CQC_UAR_PAGE, CQC + 0x68, 24),
	PIN(LVDPA_PRM_CQC_CQ_PERIOD, CQC + 0x84, 12),
	PIN(LVDPA_PRM_CQC_CQ_MAX_COUNT, CQC + 0x90, 16),
	PIN(LVDPA_PRM_CQC_C_EQN, CQC + 0xb8, 8),
	PIN(LVDPA_PRM_CQC_LOG_PAGE_SIZE, CQC + 0xc3, 5),
	PIN(LVDPA_PRM_CQC_DBR_ADDR, CQC + 0x1c0, 64),
	PIN(LVDPA_PRM_CREATE_CQ_CQ_UMEM_OFFSET, 0x280, 64),
	PIN(LVDPA_PRM_CREATE_CQ_CQ_UMEM_ID, 0x2c0, 32),
	PIN(LVDPA_PRM_CREATE_CQ_CQ_UMEM_VALID, 0x2e0, 1),
	PIN(LVDPA_PRM_CREATE_CQ_OUT_CQN, 0x48, 24),
	/* QP mailboxes / qpc */
	PIN(LVDPA_PRM_QP_IN_QPN, 0x48, 24),
	PIN(LVDPA_PRM_QP_IN_OPT_PARAM_MASK, 0x80, 32),
	PIN(LVDPA_PRM_QPC_STATE, QPC + 0x0, 4),
	PIN(LVDPA_PRM_QPC_ST, QPC + 0x8, 8),
	PIN(LVDPA_PRM_QPC_PM_STATE, QPC + 0x13, 2),
	PIN(LVDPA_PRM_QPC_PD, QPC + 0x28, 24),
	PIN(LVDPA_PRM_QPC_MTU, QPC + 0x40, 3),
	PIN(LVDPA_PRM_QPC_LOG_MSG_MAX, QPC + 0x43, 5),
	PIN(LVDPA_PRM_QPC_LOG_RQ_SIZE, QPC + 0x49, 4),
	PIN(LVDPA_PRM_QPC_LOG_RQ_STRIDE, QPC + 0x4d, 3),
	PIN(LVDPA_PRM_QPC_NO_SQ, QPC + 0x50, 1),
	PIN(LVDPA_PRM_QPC_LOG_SQ_SIZE, QPC + 0x51, 4),
	PIN(LVDPA_PRM_QPC_TS_FORMAT, QPC + 0x58, 2),
	PIN(LVDPA_PRM_QPC_UAR_PAGE, QPC + 0x68, 24),
	PIN(LVDPA_PRM_QPC_USER_INDEX, QPC + 0x88, 24),
	PIN(LVDPA_PRM_QPC_LOG_PAGE_SIZE, QPC + 0xa3, 5),
	PIN(LVDPA_PRM_QPC_REMOTE_QPN, QPC + 0xa8, 24),
	PIN(LVDPA_PRM_QPC_PAP_FL, ADS + 0x0, 1),
	PIN(LVDPA_PRM_QPC_PAP_ACK_TIMEOUT, ADS + 0x40, 5),
	PIN(LVDPA_PRM_QPC_PAP_VHCA_PORT_NUM, ADS + 0x128, 8),
	PIN(LVDPA_PRM_QPC_LOG_ACK_REQ_FREQ, QPC + 0x380, 4),
	PIN(LVDPA_PRM_QPC_RETRY_COUNT, QPC + 0x38d, 3),
	PIN(LVDPA_PRM_QPC_RNR_RETRY, QPC + 0x390, 3),
	PIN(LVDPA_PRM_QPC_CQN_SND, QPC + 0x3e8, 24),
	PIN(LVDPA_PRM_QPC_RRE, QPC + 0x490, 1),
	PIN(LVDPA_PRM_QPC_RWE, QPC + 0x491, 1),
	PIN(LVDPA_PRM_QPC_MIN_RNR_NAK, QPC + 0x4a3, 5),
	PIN(LVDPA_PRM_QPC_CQN_RCV, QPC + 0x4e8, 24),
	PIN(LVDPA_PRM_QPC_DBR_ADDR, QPC + 0x500, 64),
	PIN(LVDPA_PRM_QPC_RQ_TYPE, QPC + 0x565, 3),
	PIN(LVDPA_PRM_QPC_DBR_UMEM_VALID, QPC + 0x683, 1),
	PIN(LVDPA_PRM_QPC_DBR_UMEM_ID, QPC + 0x720, 32),
	PIN(LVDPA_PRM_CREATE_QP_WQ_UMEM_OFFSET, 0x800, 64),
	PIN(LVDPA_PRM_CREATE_QP_WQ_UMEM_ID, 0x840, 32),
	PIN(LVDPA_PRM_CREATE_QP_WQ_UMEM_VALID, 0x860, 1),
	PIN(LVDPA_PRM_CREATE_QP_OUT_QPN, 0x48, 24),
	/* CQE: byte_cnt at byte 44, sop_drop_qpn at 56, wqe_counter at 60, op_own at 63 */
	PIN(LVDPA_PRM_CQE_BYTE_CNT, 44 * 8, 32),
	PIN(LVDPA_PRM_CQE_QPN, 56 * 8 + 8, 24),
	PIN(LVDPA_PRM_CQE_WQE_COUNTER, 60 * 8, 16),
	PIN(LVDPA_PRM_CQE_SIGNATURE, 62 * 8, 8),
	PIN(LVDPA_PRM_CQE_OPCODE, 63 * 8, 4),
	PIN(LVDPA_PRM_CQE_OWNER, 63 * 8 + 7, 1),
	/* EQE: type byte 1, sub_type byte 3, data from byte 32, owner byte 63 */
	PIN(LVDPA_PRM_EQE_TYPE, 1 * 8, 8),
	PIN(LVDPA_PRM_EQE_SUB_TYPE, 3 * 8, 8),
	PIN(LVDPA_PRM_EQE_COMP_CQN, (32 + 24) * 8 + 8, 24),
	PIN(LVDPA_PRM_EQE_OBJ_CHANGE_OBJ_TYPE, (32 + 2) * 8, 16),
	PIN(LVDPA_PRM_EQE_OBJ_CHANGE_OBJ_ID, (32 + 4) * 8, 32),
	PIN(LVDPA_PRM_EQE_OWNER, 63 * 8 + 7, 1),
};

#define NPINS (sizeof(pins) / sizeof(pins[0]))
#define BUF 4200

/* The reference: mark PRM bits [bit, bit + width) one by one. */
static void
ref_mark(uint8_t *buf, uint32_t bit, uint32_t width, int ones)
{
	uint32_t b;

	for (b = bit; b < bit + width; b++) {
		if (ones)
			buf[b / 8] |= (uint8_t)(0x80 >> (b % 8));
		else
			buf[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
	}
}

static int
test_prm_pin_offsets(void)
{
	unsigned int i;

	for (i = 0; i < NPINS; i++) {
		LVDPA_TEST_ASSERT_EQ(pins[i].f.bit, pins[i].bit, "%s offset", pins[i].name);
		LVDPA_TEST_ASSERT_EQ(pins[i].f.width, pins[i].width, "%s width", pins[i].name);
	}
	return 0;
}

/* Setting all ones / zero through the accessor touches exactly the PRM bits. */
static int
test_prm_pin_bits(void)
{
	static uint8_t got[BUF], want[BUF];
	unsigned int i;

	for (i = 0; i < NPINS; i++) {
		const struct pin *p = &pins[i];
		uint64_t ones = p->width == 64 ? UINT64_MAX :
				(UINT64_C(1) << p->width) - 1;

		memset(got, 0, sizeof(got));
		memset(want, 0, sizeof(want));
		lvdpa_prm_set(got, p->f, UINT64_MAX);
		ref_mark(want, p->bit, p->width, 1);
		LVDPA_TEST_ASSERT(memcmp(got, want, sizeof(got)) == 0,
				  "%s: set ones changed other bits", p->name);
		LVDPA_TEST_ASSERT_EQ(lvdpa_prm_get(got, p->f), ones, "%s get", p->name);

		memset(got, 0xff, sizeof(got));
		memset(want, 0xff, sizeof(want));
		lvdpa_prm_set(got, p->f, 0);
		ref_mark(want, p->bit, p->width, 0);
		LVDPA_TEST_ASSERT(memcmp(got, want, sizeof(got)) == 0,
				  "%s: clear changed other bits", p->name);
		LVDPA_TEST_ASSERT_EQ(lvdpa_prm_get(got, p->f), 0, "%s get 0", p->name);
	}
	return 0;
}

/* A value's most significant bit lands on the field's first PRM bit. */
static int
test_prm_pin_value_order(void)
{
	static uint8_t got[BUF], want[BUF];
	unsigned int i, k;

	for (i = 0; i < NPINS; i++) {
		const struct pin *p = &pins[i];
		uint64_t v = UINT64_C(0xa5c3f00f96e1d2b4) ^ (UINT64_C(0x9e3779b97f4a7c15) * i);

		if (p->width < 64)
			v &= (UINT64_C(1) << p->width) - 1;
		memset(got, 0, sizeof(got));
		memset(want, 0, sizeof(want));
		lvdpa_prm_set(got, p->f, v);
		for (k = 0; k < p->width; k++)
			if ((v >> (p->width - 1 - k)) & 1)
				ref_mark(want, p->bit + k, 1, 1);
		LVDPA_TEST_ASSERT(memcmp(got, want, sizeof(got)) == 0,
				  "%s: value bits misplaced", p->name);
		LVDPA_TEST_ASSERT_EQ(lvdpa_prm_get(got, p->f), v, "%s round trip", p->name);
	}
	return 0;
}

/* A few fields written as literal bytes, as a reader of the PRM sees them. */
static int
test_prm_pin_golden_bytes(void)
{
	uint8_t b[LVDPA_PRM_VIRTQ_MBOX_BYTES];
	unsigned int i;

	memset(b, 0, sizeof(b));
	lvdpa_prm_set(b, LVDPA_PRM_GOBJ_IN_OPCODE, 0xa00);
	lvdpa_prm_set(b, LVDPA_PRM_GOBJ_IN_OBJ_TYPE, 0xd);
	lvdpa_prm_set(b, LVDPA_PRM_VIRTQ_QUEUE_SIZE, 0x1234);
	lvdpa_prm_set(b, LVDPA_PRM_VIRTQ_DESC_ADDR, UINT64_C(0x0102030405060708));
	lvdpa_prm_set(b, LVDPA_PRM_VIRTQ_STATE, 0x3);
	lvdpa_prm_set(b, LVDPA_PRM_VIRTQ_EVENT_QPN_OR_MSIX, 0xabcdef);
	lvdpa_prm_set(b, LVDPA_PRM_VIRTQ_EVENT_MODE, 0x1);
	LVDPA_TEST_ASSERT(b[0] == 0x0a && b[1] == 0x00, "opcode bytes");
	LVDPA_TEST_ASSERT(b[6] == 0x00 && b[7] == 0x0d, "obj_type bytes");
	/* queue_size: byte 16 + 64 + 10 */
	LVDPA_TEST_ASSERT(b[0x5a] == 0x12 && b[0x5b] == 0x34, "queue_size bytes");
	/* desc_addr: byte 16 + 64 + 16 */
	for (i = 0; i < 8; i++)
		LVDPA_TEST_ASSERT_EQ(b[0x60 + i], i + 1, "desc_addr byte %u", i);
	/* state: low nibble of byte 16 + 0x13 */
	LVDPA_TEST_ASSERT_EQ(b[0x23], 0x03, "state byte");
	/* event_mode: bits 13..15 of the first context dword = low 3 bits of byte 0x51 */
	LVDPA_TEST_ASSERT_EQ(b[0x51], 0x01, "event_mode byte");
	/* event_qpn_or_msix: bytes 0x55..0x57 */
	LVDPA_TEST_ASSERT(b[0x55] == 0xab && b[0x56] == 0xcd && b[0x57] == 0xef,
			  "event_qpn bytes");
	return 0;
}

static int
test_prm_pin_sizes(void)
{
	LVDPA_TEST_ASSERT_EQ(LVDPA_PRM_CMD_HDR_BYTES, 16, "cmd header");
	LVDPA_TEST_ASSERT_EQ(LVDPA_PRM_GOBJ_HDR_BYTES, 16, "general object header");
	LVDPA_TEST_ASSERT_EQ(LVDPA_PRM_GOBJ_CTX_BIT, 0x80, "object context");
	LVDPA_TEST_ASSERT_EQ(LVDPA_PRM_VIRTQ_OBJ_BYTES, 192, "virtio_net_q");
	LVDPA_TEST_ASSERT_EQ(LVDPA_PRM_VIRTQ_MBOX_BYTES, 208, "virtq mailbox");
	LVDPA_TEST_ASSERT_EQ(LVDPA_PRM_VQ_COUNTERS_MBOX_BYTES, 80, "counters mailbox");
	LVDPA_TEST_ASSERT_EQ(LVDPA_PRM_QUERY_HCA_CAP_IN_BYTES, 16, "hca cap in");
	LVDPA_TEST_ASSERT_EQ(LVDPA_PRM_QUERY_HCA_CAP_OUT_BYTES, 0x1010, "hca cap out");
	LVDPA_TEST_ASSERT_EQ(LVDPA_PRM_CREATE_MKEY_IN_BYTES, 0x110, "create_mkey_in");
	LVDPA_TEST_ASSERT_EQ(LVDPA_PRM_CREATE_MKEY_KLM_OFF, 0x110, "klm list");
	LVDPA_TEST_ASSERT_EQ(LVDPA_PRM_KLM_BYTES, 16, "klm");
	LVDPA_TEST_ASSERT_EQ(LVDPA_PRM_CREATE_CQ_IN_BYTES, 0x110, "create_cq_in");
	LVDPA_TEST_ASSERT_EQ(LVDPA_PRM_CREATE_QP_IN_BYTES, 0x110, "create_qp_in");
	LVDPA_TEST_ASSERT_EQ(LVDPA_PRM_QP_MODIFY_IN_BYTES, 0x110, "rst2init_qp_in");
	LVDPA_TEST_ASSERT_EQ(LVDPA_PRM_QP_2RST_IN_BYTES, 16, "2rst_qp_in");
	LVDPA_TEST_ASSERT_EQ(LVDPA_PRM_CQE_BYTES, 64, "cqe");
	LVDPA_TEST_ASSERT_EQ(LVDPA_PRM_EQE_BYTES, 64, "eqe");
	LVDPA_TEST_ASSERT_EQ(LVDPA_PRM_EQE_TP_DATA_OFF, 4, "event data");
	LVDPA_TEST_ASSERT_EQ(LVDPA_PRM_CQE_OP_OWN_OFF, 63, "op_own");
	LVDPA_TEST_ASSERT_EQ(LVDPA_PRM_UAR_CQ_DOORBELL_OFF, 0x20, "cq doorbell");
	return 0;
}

static int
test_prm_pin_constants(void)
{
	/* opcodes */
	PIN_EQ(LVDPA_PRM_OP_QUERY_HCA_CAP, 0x100);
	PIN_EQ(LVDPA_PRM_OP_CREATE_MKEY, 0x200);
	PIN_EQ(LVDPA_PRM_OP_DESTROY_MKEY, 0x202);
	PIN_EQ(LVDPA_PRM_OP_CREATE_CQ, 0x400);
	PIN_EQ(LVDPA_PRM_OP_DESTROY_CQ, 0x401);
	PIN_EQ(LVDPA_PRM_OP_CREATE_QP, 0x500);
	PIN_EQ(LVDPA_PRM_OP_DESTROY_QP, 0x501);
	PIN_EQ(LVDPA_PRM_OP_RST2INIT_QP, 0x502);
	PIN_EQ(LVDPA_PRM_OP_INIT2RTR_QP, 0x503);
	PIN_EQ(LVDPA_PRM_OP_RTR2RTS_QP, 0x504);
	PIN_EQ(LVDPA_PRM_OP_2RST_QP, 0x50a);
	PIN_EQ(LVDPA_PRM_OP_ALLOC_PD, 0x800);
	PIN_EQ(LVDPA_PRM_OP_DEALLOC_PD, 0x801);
	PIN_EQ(LVDPA_PRM_OP_CREATE_GENERAL_OBJECT, 0xa00);
	PIN_EQ(LVDPA_PRM_OP_MODIFY_GENERAL_OBJECT, 0xa01);
	PIN_EQ(LVDPA_PRM_OP_QUERY_GENERAL_OBJECT, 0xa02);
	PIN_EQ(LVDPA_PRM_OP_DESTROY_GENERAL_OBJECT, 0xa03);
	/* object types and their capability bits */
	PIN_EQ(LVDPA_PRM_OBJ_TYPE_VIRTQ, 0xd);
	PIN_EQ(LVDPA_PRM_OBJ_TYPE_VIRTIO_Q_COUNTERS, 0x1c);
	PIN_EQ(LVDPA_PRM_GENERAL_OBJ_TYPES_VIRTQ, UINT64_C(0x2000));
	PIN_EQ(LVDPA_PRM_GENERAL_OBJ_TYPES_VIRTIO_Q_COUNTERS,
			     UINT64_C(0x10000000));
	/* QUERY_HCA_CAP op_mod */
	PIN_EQ(LVDPA_PRM_HCA_CAP_OP_MOD(LVDPA_PRM_HCA_CAP_TYPE_GENERAL, 1), 0x1);
	PIN_EQ(LVDPA_PRM_HCA_CAP_OP_MOD(LVDPA_PRM_HCA_CAP_TYPE_VIRTIO_EMULATION, 1),
			     0x27);
	PIN_EQ(LVDPA_PRM_HCA_CAP_OP_MOD(LVDPA_PRM_HCA_CAP_TYPE_VIRTIO_EMULATION, 0),
			     0x26);
	/* status codes */
	PIN_EQ(LVDPA_PRM_STATUS_INT_ERR, 0x1);
	PIN_EQ(LVDPA_PRM_STATUS_BAD_OP_ERR, 0x2);
	PIN_EQ(LVDPA_PRM_STATUS_BAD_PARAM_ERR, 0x3);
	PIN_EQ(LVDPA_PRM_STATUS_BAD_SYS_STATE_ERR, 0x4);
	PIN_EQ(LVDPA_PRM_STATUS_BAD_RES_ERR, 0x5);
	PIN_EQ(LVDPA_PRM_STATUS_RES_BUSY, 0x6);
	PIN_EQ(LVDPA_PRM_STATUS_NOT_READY, 0x7);
	PIN_EQ(LVDPA_PRM_STATUS_LIM_ERR, 0x8);
	PIN_EQ(LVDPA_PRM_STATUS_BAD_RES_STATE_ERR, 0x9);
	PIN_EQ(LVDPA_PRM_STATUS_IX_ERR, 0xa);
	PIN_EQ(LVDPA_PRM_STATUS_NO_RES_ERR, 0xf);
	PIN_EQ(LVDPA_PRM_STATUS_BAD_QP_STATE_ERR, 0x10);
	PIN_EQ(LVDPA_PRM_STATUS_BAD_PKT_ERR, 0x30);
	PIN_EQ(LVDPA_PRM_STATUS_BAD_SIZE_OUTS_CQES_ERR, 0x40);
	PIN_EQ(LVDPA_PRM_STATUS_BAD_INP_LEN_ERR, 0x50);
	PIN_EQ(LVDPA_PRM_STATUS_BAD_OUTP_LEN_ERR, 0x51);
	/* virtq enums */
	PIN_EQ(LVDPA_PRM_VIRTQ_TYPE_SPLIT, 0);
	PIN_EQ(LVDPA_PRM_VIRTQ_TYPE_PACKED, 1);
	PIN_EQ(LVDPA_PRM_VIRTQ_EVENT_MODE_NO_MSIX, 0);
	PIN_EQ(LVDPA_PRM_VIRTQ_EVENT_MODE_QP, 1);
	PIN_EQ(LVDPA_PRM_VIRTQ_EVENT_MODE_MSIX, 2);
	PIN_EQ(LVDPA_PRM_VIRTQ_STATE_INIT, 0);
	PIN_EQ(LVDPA_PRM_VIRTQ_STATE_RDY, 1);
	PIN_EQ(LVDPA_PRM_VIRTQ_STATE_SUSPEND, 2);
	PIN_EQ(LVDPA_PRM_VIRTQ_STATE_ERR, 3);
	/* modify_field_select */
	PIN_EQ(LVDPA_PRM_VIRTQ_MODIFY_STATE, 0x1);
	PIN_EQ(LVDPA_PRM_VIRTQ_MODIFY_DIRTY_BITMAP_PARAMS, 0x8);
	PIN_EQ(LVDPA_PRM_VIRTQ_MODIFY_DIRTY_BITMAP_DUMP_ENABLE, 0x10);
	PIN_EQ(LVDPA_PRM_VIRTQ_MODIFY_QUEUE_PERIOD, 0x20);
	PIN_EQ(LVDPA_PRM_VIRTQ_MODIFY_ADDR, 0x40);
	PIN_EQ(LVDPA_PRM_VIRTQ_MODIFY_HW_AVAILABLE_INDEX, 0x80);
	PIN_EQ(LVDPA_PRM_VIRTQ_MODIFY_HW_USED_INDEX, 0x100);
	PIN_EQ(LVDPA_PRM_VIRTQ_MODIFY_Q_TYPE, 0x200);
	PIN_EQ(LVDPA_PRM_VIRTQ_MODIFY_VERSION_1_0, 0x400);
	PIN_EQ(LVDPA_PRM_VIRTQ_MODIFY_Q_MKEY, 0x800);
	PIN_EQ(LVDPA_PRM_VIRTQ_MODIFY_QUEUE_FEATURE_BIT_MASK, 0x1000);
	PIN_EQ(LVDPA_PRM_VIRTQ_MODIFY_EVENT_MODE, 0x2000);
	PIN_EQ(LVDPA_PRM_VIRTQ_MODIFY_ALL, 0x3ff9);
	/* mkey access modes, QP constants, CQE opcodes, events */
	PIN_EQ(LVDPA_PRM_MKC_ACCESS_MODE_MTT, 1);
	PIN_EQ(LVDPA_PRM_MKC_ACCESS_MODE_KLM, 2);
	PIN_EQ(LVDPA_PRM_MKC_ACCESS_MODE_KLM_FBS, 3);
	PIN_EQ(LVDPA_PRM_QP_ST_RC, 0);
	PIN_EQ(LVDPA_PRM_QP_PM_MIGRATED, 3);
	PIN_EQ(LVDPA_PRM_QP_RQ_TYPE_REGULAR, 0);
	PIN_EQ(LVDPA_PRM_QP_RQ_TYPE_ZERO_LEN, 3);
	PIN_EQ(LVDPA_PRM_QP_LOG_RQ_STRIDE_SHIFT, 4);
	PIN_EQ(LVDPA_PRM_CQE_OPCODE_REQ, 0);
	PIN_EQ(LVDPA_PRM_CQE_OPCODE_RESP_SEND, 2);
	PIN_EQ(LVDPA_PRM_CQE_OPCODE_REQ_ERR, 13);
	PIN_EQ(LVDPA_PRM_CQE_OPCODE_RESP_ERR, 14);
	PIN_EQ(LVDPA_PRM_CQE_OPCODE_INVALID, 15);
	PIN_EQ(LVDPA_PRM_EVENT_TYPE_COMPLETION, 0x00);
	PIN_EQ(LVDPA_PRM_EVENT_TYPE_CQ_ERROR, 0x04);
	PIN_EQ(LVDPA_PRM_EVENT_TYPE_OBJECT_CHANGE, 0x27);
	return 0;
}

/* The status -> errno table. */
static int
test_prm_pin_status_errno(void)
{
	static const struct { uint8_t st; int err; } t[] = {
		{ 0x00, 0 }, { 0x01, EIO }, { 0x02, EOPNOTSUPP }, { 0x03, EINVAL },
		{ 0x04, EIO }, { 0x05, EINVAL }, { 0x06, EBUSY }, { 0x07, EAGAIN },
		{ 0x08, ENOMEM }, { 0x09, EBUSY }, { 0x0a, EINVAL }, { 0x0f, EAGAIN },
		{ 0x10, EINVAL }, { 0x30, EINVAL }, { 0x40, EINVAL },
		{ 0x50, EMSGSIZE }, { 0x51, EMSGSIZE }, { 0x77, EIO },
	};
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		LVDPA_TEST_ASSERT_EQ(lvdpa_prm_status_errno(t[i].st), t[i].err,
				     "status 0x%x", t[i].st);
		LVDPA_TEST_ASSERT(strlen(lvdpa_prm_status_str(t[i].st)) > 0, "name");
	}
	LVDPA_TEST_ASSERT(strcmp(lvdpa_prm_status_str(0x09), "BAD_RESOURCE_STATE") == 0,
			  "name of 0x9");
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_prm_pin_offsets),
	LVDPA_TEST_CASE(test_prm_pin_bits),
	LVDPA_TEST_CASE(test_prm_pin_value_order),
	LVDPA_TEST_CASE(test_prm_pin_golden_bytes),
	LVDPA_TEST_CASE(test_prm_pin_sizes),
	LVDPA_TEST_CASE(test_prm_pin_constants),
	LVDPA_TEST_CASE(test_prm_pin_status_errno),
)
