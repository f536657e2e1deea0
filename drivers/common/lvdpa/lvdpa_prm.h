/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_PRM_H
#define LVDPA_PRM_H

/**
 * @file
 * ConnectX (mlx5) PRM command layouts used by the lvdpa DevX command layer,
 * and shared with the device model, which decodes the very same bytes.
 *
 * A field is described by its position in PRM bit numbering: bit 0 is the
 * most significant bit of byte 0 and every dword is big-endian, so bit b
 * lives in dword b / 32 at host bit 31 - b % 32. Widths go from 1 to 64; a
 * field may span dwords (64-bit addresses do, by design).
 *
 * Every LVDPA_PRM_<LAYOUT>_<FIELD> macro gives the bit offset from the start
 * of the whole command mailbox (input or output, as named), not from the
 * start of the embedded context, so both sides can read and write the
 * mailbox directly. Entries of arrays (KLM list) are the exception: their
 * fields are relative to the entry, whose byte offset is given separately.
 *
 * Offsets are facts from the public mlx5 PRM (as published in rdma-core,
 * Linux include/linux/mlx5/mlx5_ifc.h and DPDK drivers/common/mlx5); the
 * unit test app/test/devx/test_devx_prm_pin.c pins each of them with
 * literal numbers, so that a mistake here cannot be symmetric and invisible.
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A PRM field: bit offset (PRM numbering) and width in bits. */
struct lvdpa_prm_field {
	uint32_t bit;
	uint32_t width;
};

/* A field as a compound literal; LVDPA_PRM_FIELD_INIT for static tables. */
#define LVDPA_PRM_FIELD(b, w) ((struct lvdpa_prm_field){ .bit = (b), .width = (w) })
#define LVDPA_PRM_FIELD_INIT(b, w) { .bit = (b), .width = (w) }

/** Byte offset of the first byte a field touches. */
#define LVDPA_PRM_BYTE_OFF(f) ((f).bit / 8)

static inline uint32_t
lvdpa_prm_load_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static inline void
lvdpa_prm_store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/**
 * Write @p v into field @p f of @p buf. Bits of @p v above the width are
 * dropped; bits outside the field are left untouched.
 */
static inline void
lvdpa_prm_set(void *buf, struct lvdpa_prm_field f, uint64_t v)
{
	uint8_t *p = (uint8_t *)buf;
	uint32_t bit = f.bit, left = f.width;

	if (left == 0 || left > 64)
		return;
	if (left < 64)
		v &= (UINT64_C(1) << left) - 1;
	while (left > 0) {
		uint32_t in = bit % 32;
		uint32_t n = 32 - in < left ? 32 - in : left;
		uint32_t shift = 32 - in - n;
		uint32_t ones = n == 32 ? UINT32_MAX : (UINT32_C(1) << n) - 1;
		uint32_t chunk = (uint32_t)(v >> (left - n)) & ones;
		uint8_t *dw = p + (bit / 32) * 4;
		uint32_t cur = lvdpa_prm_load_be32(dw);

		cur = (cur & ~(ones << shift)) | (chunk << shift);
		lvdpa_prm_store_be32(dw, cur);
		bit += n;
		left -= n;
	}
}

/** Read field @p f of @p buf. */
static inline uint64_t
lvdpa_prm_get(const void *buf, struct lvdpa_prm_field f)
{
	const uint8_t *p = (const uint8_t *)buf;
	uint32_t bit = f.bit, left = f.width;
	uint64_t v = 0;

	if (left == 0 || left > 64)
		return 0;
	while (left > 0) {
		uint32_t in = bit % 32;
		uint32_t n = 32 - in < left ? 32 - in : left;
		uint32_t shift = 32 - in - n;
		uint32_t ones = n == 32 ? UINT32_MAX : (UINT32_C(1) << n) - 1;
		uint32_t cur = lvdpa_prm_load_be32(p + (bit / 32) * 4);

		v = (v << n) | ((cur >> shift) & ones);
		bit += n;
		left -= n;
	}
	return v;
}

/* ---------------------------------------------------------------------
 * Command opcodes.
 */
#define LVDPA_PRM_OP_QUERY_HCA_CAP		0x100
#define LVDPA_PRM_OP_CREATE_MKEY		0x200
#define LVDPA_PRM_OP_QUERY_MKEY			0x201
#define LVDPA_PRM_OP_DESTROY_MKEY		0x202
#define LVDPA_PRM_OP_CREATE_EQ			0x301
#define LVDPA_PRM_OP_CREATE_CQ			0x400
#define LVDPA_PRM_OP_DESTROY_CQ			0x401
#define LVDPA_PRM_OP_QUERY_CQ			0x402
#define LVDPA_PRM_OP_CREATE_QP			0x500
#define LVDPA_PRM_OP_DESTROY_QP			0x501
#define LVDPA_PRM_OP_RST2INIT_QP		0x502
#define LVDPA_PRM_OP_INIT2RTR_QP		0x503
#define LVDPA_PRM_OP_RTR2RTS_QP			0x504
#define LVDPA_PRM_OP_2ERR_QP			0x507
#define LVDPA_PRM_OP_2RST_QP			0x50a
#define LVDPA_PRM_OP_QUERY_QP			0x50b
#define LVDPA_PRM_OP_ALLOC_PD			0x800
#define LVDPA_PRM_OP_DEALLOC_PD			0x801
#define LVDPA_PRM_OP_CREATE_GENERAL_OBJECT	0xa00
#define LVDPA_PRM_OP_MODIFY_GENERAL_OBJECT	0xa01
#define LVDPA_PRM_OP_QUERY_GENERAL_OBJECT	0xa02
#define LVDPA_PRM_OP_DESTROY_GENERAL_OBJECT	0xa03

/* ---------------------------------------------------------------------
 * Every command: input header (opcode, uid, op_mod) and output header
 * (status, syndrome). The smallest mailboxes are one header of 16 bytes.
 */
#define LVDPA_PRM_CMD_HDR_BYTES		16
#define LVDPA_PRM_IN_OPCODE		LVDPA_PRM_FIELD(0x00, 16)
#define LVDPA_PRM_IN_UID		LVDPA_PRM_FIELD(0x10, 16)
#define LVDPA_PRM_IN_OP_MOD		LVDPA_PRM_FIELD(0x30, 16)
#define LVDPA_PRM_OUT_STATUS		LVDPA_PRM_FIELD(0x00, 8)
#define LVDPA_PRM_OUT_SYNDROME		LVDPA_PRM_FIELD(0x20, 32)

/* Command status codes (output status byte). */
#define LVDPA_PRM_STATUS_OK			0x00
#define LVDPA_PRM_STATUS_INT_ERR		0x01
#define LVDPA_PRM_STATUS_BAD_OP_ERR		0x02
#define LVDPA_PRM_STATUS_BAD_PARAM_ERR		0x03
#define LVDPA_PRM_STATUS_BAD_SYS_STATE_ERR	0x04
#define LVDPA_PRM_STATUS_BAD_RES_ERR		0x05
#define LVDPA_PRM_STATUS_RES_BUSY		0x06
#define LVDPA_PRM_STATUS_NOT_READY		0x07
#define LVDPA_PRM_STATUS_LIM_ERR		0x08
#define LVDPA_PRM_STATUS_BAD_RES_STATE_ERR	0x09
#define LVDPA_PRM_STATUS_IX_ERR			0x0a
#define LVDPA_PRM_STATUS_NO_RES_ERR		0x0f
#define LVDPA_PRM_STATUS_BAD_QP_STATE_ERR	0x10
#define LVDPA_PRM_STATUS_BAD_PKT_ERR		0x30
#define LVDPA_PRM_STATUS_BAD_SIZE_OUTS_CQES_ERR	0x40
#define LVDPA_PRM_STATUS_BAD_INP_LEN_ERR	0x50
#define LVDPA_PRM_STATUS_BAD_OUTP_LEN_ERR	0x51

/**
 * The errno a refused command yields (positive; 0 for OK): unknown opcode or
 * object type -> EOPNOTSUPP; bad field, bad or unknown resource id -> EINVAL;
 * object busy or in the wrong state (modify a virtq in ERR ...) -> EBUSY;
 * over a limit -> ENOMEM; temporarily out of resources -> EAGAIN; mailbox
 * lengths -> EMSGSIZE; anything else -> EIO. The model picks the status a
 * NIC would, so the driver sees the same errno from both.
 */
static inline int
lvdpa_prm_status_errno(uint8_t status)
{
	switch (status) {
	case LVDPA_PRM_STATUS_OK:
		return 0;
	case LVDPA_PRM_STATUS_BAD_OP_ERR:
		return EOPNOTSUPP;
	case LVDPA_PRM_STATUS_BAD_PARAM_ERR:
	case LVDPA_PRM_STATUS_BAD_RES_ERR:
	case LVDPA_PRM_STATUS_IX_ERR:
	case LVDPA_PRM_STATUS_BAD_QP_STATE_ERR:
	case LVDPA_PRM_STATUS_BAD_PKT_ERR:
	case LVDPA_PRM_STATUS_BAD_SIZE_OUTS_CQES_ERR:
		return EINVAL;
	case LVDPA_PRM_STATUS_RES_BUSY:
	case LVDPA_PRM_STATUS_BAD_RES_STATE_ERR:
		return EBUSY;
	case LVDPA_PRM_STATUS_NOT_READY:
	case LVDPA_PRM_STATUS_NO_RES_ERR:
		return EAGAIN;
	case LVDPA_PRM_STATUS_LIM_ERR:
		return ENOMEM;
	case LVDPA_PRM_STATUS_BAD_INP_LEN_ERR:
	case LVDPA_PRM_STATUS_BAD_OUTP_LEN_ERR:
		return EMSGSIZE;
	case LVDPA_PRM_STATUS_INT_ERR:
	case LVDPA_PRM_STATUS_BAD_SYS_STATE_ERR:
	default:
		return EIO;
	}
}

/** A short name for a status, for logs. */
static inline const char *
lvdpa_prm_status_str(uint8_t status)
{
	switch (status) {
	case LVDPA_PRM_STATUS_OK: return "OK";
	case LVDPA_PRM_STATUS_INT_ERR: return "INT_ERR";
	case LVDPA_PRM_STATUS_BAD_OP_ERR: return "BAD_OP";
	case LVDPA_PRM_STATUS_BAD_PARAM_ERR: return "BAD_PARAM";
	case LVDPA_PRM_STATUS_BAD_SYS_STATE_ERR: return "BAD_SYS_STATE";
	case LVDPA_PRM_STATUS_BAD_RES_ERR: return "BAD_RESOURCE";
	case LVDPA_PRM_STATUS_RES_BUSY: return "RESOURCE_BUSY";
	case LVDPA_PRM_STATUS_NOT_READY: return "NOT_READY";
	case LVDPA_PRM_STATUS_LIM_ERR: return "EXCEED_LIM";
	case LVDPA_PRM_STATUS_BAD_RES_STATE_ERR: return "BAD_RESOURCE_STATE";
	case LVDPA_PRM_STATUS_IX_ERR: return "BAD_INDEX";
	case LVDPA_PRM_STATUS_NO_RES_ERR: return "NO_RESOURCES";
	case LVDPA_PRM_STATUS_BAD_QP_STATE_ERR: return "BAD_QP_STATE";
	case LVDPA_PRM_STATUS_BAD_PKT_ERR: return "BAD_PKT";
	case LVDPA_PRM_STATUS_BAD_SIZE_OUTS_CQES_ERR: return "BAD_SIZE_OUTSTANDING_CQES";
	case LVDPA_PRM_STATUS_BAD_INP_LEN_ERR: return "BAD_INPUT_LEN";
	case LVDPA_PRM_STATUS_BAD_OUTP_LEN_ERR: return "BAD_OUTPUT_LEN";
	default: return "UNKNOWN";
	}
}

/* ---------------------------------------------------------------------
 * General objects: CREATE/MODIFY/QUERY/DESTROY_GENERAL_OBJECT.
 * Input header (16 bytes): opcode, obj_type (where op_mod is elsewhere),
 * obj_id. Output header (16 bytes): status, syndrome, obj_id.
 * The object context follows the input header at byte 16 (create, modify)
 * and the output header at byte 16 (query).
 */
#define LVDPA_PRM_GOBJ_HDR_BYTES	16
#define LVDPA_PRM_GOBJ_IN_OPCODE	LVDPA_PRM_FIELD(0x00, 16)
#define LVDPA_PRM_GOBJ_IN_OBJ_TYPE	LVDPA_PRM_FIELD(0x30, 16)
#define LVDPA_PRM_GOBJ_IN_OBJ_ID	LVDPA_PRM_FIELD(0x40, 32)
#define LVDPA_PRM_GOBJ_OUT_OBJ_ID	LVDPA_PRM_FIELD(0x40, 32)
/** Bit where the object context starts, in a create/modify input or query output. */
#define LVDPA_PRM_GOBJ_CTX_BIT		0x80

/* General object types; bit n of HCA_CAP general_obj_types says type n exists. */
#define LVDPA_PRM_OBJ_TYPE_VIRTQ		0x000d
#define LVDPA_PRM_OBJ_TYPE_VIRTIO_Q_COUNTERS	0x001c

/* ---------------------------------------------------------------------
 * virtio_net_q object (obj_type 0xd): 192-byte context after the header.
 * Create and modify inputs, and the query output, are 208 bytes each; the
 * query input is the bare 16-byte header.
 */
#define LVDPA_PRM_VIRTQ_OBJ_BYTES	192
#define LVDPA_PRM_VIRTQ_MBOX_BYTES	(LVDPA_PRM_GOBJ_HDR_BYTES + LVDPA_PRM_VIRTQ_OBJ_BYTES)
#define LVDPA_PRM_VIRTQ_BIT(b)		(LVDPA_PRM_GOBJ_CTX_BIT + (b))
/* Embedded virtio_q context starts 0x200 bits into the virtio_net_q object. */
#define LVDPA_PRM_VIRTQ_CTX_BIT(b)	(LVDPA_PRM_GOBJ_CTX_BIT + 0x200 + (b))

/* virtio_net_q part. */
#define LVDPA_PRM_VIRTQ_MODIFY_FIELD_SELECT	LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_BIT(0x000), 64)
/*
 * queue_feature_bit_mask: a 13-bit mask of the features negotiated for this
 * queue (LVDPA_PRM_VIRTQ_QF_*), split in two fields: bits 12..3 at 0x80,
 * bits 2..0 at 0xa5 (between state and tisn_or_qpn).
 */
#define LVDPA_PRM_VIRTQ_QUEUE_FEATURE_BIT_MASK_12_3 LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_BIT(0x080), 10)
#define LVDPA_PRM_VIRTQ_DIRTY_BITMAP_DUMP_ENABLE LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_BIT(0x08a), 1)
#define LVDPA_PRM_VIRTQ_VHOST_LOG_PAGE		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_BIT(0x08b), 5)
#define LVDPA_PRM_VIRTQ_STATE			LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_BIT(0x09c), 4)
#define LVDPA_PRM_VIRTQ_QUEUE_FEATURE_BIT_MASK_2_0 LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_BIT(0x0a5), 3)
#define LVDPA_PRM_VIRTQ_TISN_OR_QPN		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_BIT(0x0a8), 24)
#define LVDPA_PRM_VIRTQ_DIRTY_BITMAP_MKEY	LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_BIT(0x0c0), 32)
#define LVDPA_PRM_VIRTQ_DIRTY_BITMAP_SIZE	LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_BIT(0x0e0), 32)
#define LVDPA_PRM_VIRTQ_DIRTY_BITMAP_ADDR	LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_BIT(0x100), 64)
#define LVDPA_PRM_VIRTQ_HW_AVAILABLE_INDEX	LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_BIT(0x140), 16)
#define LVDPA_PRM_VIRTQ_HW_USED_INDEX		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_BIT(0x150), 16)
/* virtio_q context part. */
#define LVDPA_PRM_VIRTQ_VIRTIO_Q_TYPE		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x000), 8)
#define LVDPA_PRM_VIRTQ_EVENT_MODE		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x00d), 3)
#define LVDPA_PRM_VIRTQ_QUEUE_INDEX		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x010), 16)
#define LVDPA_PRM_VIRTQ_FULL_EMULATION		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x020), 1)
#define LVDPA_PRM_VIRTQ_VIRTIO_VERSION_1_0	LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x021), 1)
#define LVDPA_PRM_VIRTQ_OFFLOAD_TYPE		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x024), 4)
#define LVDPA_PRM_VIRTQ_EVENT_QPN_OR_MSIX	LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x028), 24)
#define LVDPA_PRM_VIRTQ_DOORBELL_STRIDE_IDX	LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x040), 16)
#define LVDPA_PRM_VIRTQ_QUEUE_SIZE		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x050), 16)
#define LVDPA_PRM_VIRTQ_DEVICE_EMULATION_ID	LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x060), 32)
#define LVDPA_PRM_VIRTQ_DESC_ADDR		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x080), 64)
#define LVDPA_PRM_VIRTQ_USED_ADDR		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x0c0), 64)
#define LVDPA_PRM_VIRTQ_AVAILABLE_ADDR		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x100), 64)
#define LVDPA_PRM_VIRTQ_VIRTIO_Q_MKEY		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x140), 32)
#define LVDPA_PRM_VIRTQ_ERROR_TYPE		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x178), 8)
#define LVDPA_PRM_VIRTQ_UMEM_1_ID		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x180), 32)
#define LVDPA_PRM_VIRTQ_UMEM_1_SIZE		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x1a0), 32)
#define LVDPA_PRM_VIRTQ_UMEM_1_OFFSET		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x1c0), 64)
#define LVDPA_PRM_VIRTQ_UMEM_2_ID		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x200), 32)
#define LVDPA_PRM_VIRTQ_UMEM_2_SIZE		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x220), 32)
#define LVDPA_PRM_VIRTQ_UMEM_2_OFFSET		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x240), 64)
#define LVDPA_PRM_VIRTQ_UMEM_3_ID		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x280), 32)
#define LVDPA_PRM_VIRTQ_UMEM_3_SIZE		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x2a0), 32)
#define LVDPA_PRM_VIRTQ_UMEM_3_OFFSET		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x2c0), 64)
/* umem n (0..2): the three umems are 0x80 bits apart. */
#define LVDPA_PRM_VIRTQ_UMEM_ID(n)		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x180 + 0x80 * (n)), 32)
#define LVDPA_PRM_VIRTQ_UMEM_SIZE(n)		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x1a0 + 0x80 * (n)), 32)
#define LVDPA_PRM_VIRTQ_UMEM_OFFSET(n)		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x1c0 + 0x80 * (n)), 64)
#define LVDPA_PRM_VIRTQ_COUNTER_SET_ID		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x300), 32)
#define LVDPA_PRM_VIRTQ_PD			LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x328), 24)
#define LVDPA_PRM_VIRTQ_QUEUE_PERIOD_MODE	LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x342), 2)
#define LVDPA_PRM_VIRTQ_QUEUE_PERIOD_US		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x344), 12)
#define LVDPA_PRM_VIRTQ_QUEUE_MAX_COUNT		LVDPA_PRM_FIELD(LVDPA_PRM_VIRTQ_CTX_BIT(0x350), 16)

/* virtio_q_type */
#define LVDPA_PRM_VIRTQ_TYPE_SPLIT	0
#define LVDPA_PRM_VIRTQ_TYPE_PACKED	1
/* event_mode */
#define LVDPA_PRM_VIRTQ_EVENT_MODE_NO_MSIX	0
#define LVDPA_PRM_VIRTQ_EVENT_MODE_QP		1
#define LVDPA_PRM_VIRTQ_EVENT_MODE_MSIX		2
/*
 * state: the PRM has no RST state for a virtq; a created queue is INIT
 * (0) until moved to RDY. ERR is entered by the device only.
 */
#define LVDPA_PRM_VIRTQ_STATE_INIT	0
#define LVDPA_PRM_VIRTQ_STATE_RDY	1
#define LVDPA_PRM_VIRTQ_STATE_SUSPEND	2
#define LVDPA_PRM_VIRTQ_STATE_ERR	3
/*
 * Bit numbers of queue_feature_bit_mask (not virtio feature numbers):
 * bits 12..3 travel in _12_3, bits 2..0 in _2_0.
 */
#define LVDPA_PRM_VIRTQ_QF_MRG_RXBUF	2
#define LVDPA_PRM_VIRTQ_QF_HOST_ECN	4
#define LVDPA_PRM_VIRTQ_QF_GUEST_ECN	6
#define LVDPA_PRM_VIRTQ_QF_GUEST_TSO6	7
#define LVDPA_PRM_VIRTQ_QF_GUEST_TSO4	8
#define LVDPA_PRM_VIRTQ_QF_GUEST_CSUM	9
#define LVDPA_PRM_VIRTQ_QF_CSUM		10
#define LVDPA_PRM_VIRTQ_QF_HOST_TSO6	11
#define LVDPA_PRM_VIRTQ_QF_HOST_TSO4	12
/** Every bit the two fields can carry. */
#define LVDPA_PRM_VIRTQ_QF_ALL		0x1fffu
/* queue_period_mode (interrupt moderation): when the period starts. */
#define LVDPA_PRM_VIRTQ_PERIOD_MODE_DEFAULT	0
#define LVDPA_PRM_VIRTQ_PERIOD_MODE_FIRST_CQE	1
#define LVDPA_PRM_VIRTQ_PERIOD_MODE_LAST_CQE	2

/* modify_field_select bits for MODIFY_GENERAL_OBJECT on a virtq. */
#define LVDPA_PRM_VIRTQ_MODIFY_STATE			(UINT64_C(1) << 0)
#define LVDPA_PRM_VIRTQ_MODIFY_DIRTY_BITMAP_PARAMS	(UINT64_C(1) << 3)
#define LVDPA_PRM_VIRTQ_MODIFY_DIRTY_BITMAP_DUMP_ENABLE	(UINT64_C(1) << 4)
#define LVDPA_PRM_VIRTQ_MODIFY_QUEUE_PERIOD		(UINT64_C(1) << 5)
#define LVDPA_PRM_VIRTQ_MODIFY_ADDR			(UINT64_C(1) << 6)
#define LVDPA_PRM_VIRTQ_MODIFY_HW_AVAILABLE_INDEX	(UINT64_C(1) << 7)
#define LVDPA_PRM_VIRTQ_MODIFY_HW_USED_INDEX		(UINT64_C(1) << 8)
#define LVDPA_PRM_VIRTQ_MODIFY_Q_TYPE			(UINT64_C(1) << 9)
#define LVDPA_PRM_VIRTQ_MODIFY_VERSION_1_0		(UINT64_C(1) << 10)
#define LVDPA_PRM_VIRTQ_MODIFY_Q_MKEY			(UINT64_C(1) << 11)
#define LVDPA_PRM_VIRTQ_MODIFY_QUEUE_FEATURES		(UINT64_C(1) << 12)
#define LVDPA_PRM_VIRTQ_MODIFY_EVENT_MODE		(UINT64_C(1) << 13)
/** Every bit the command layer knows. */
#define LVDPA_PRM_VIRTQ_MODIFY_ALL			UINT64_C(0x3ff9)

/* ---------------------------------------------------------------------
 * virtio_q_counters object (obj_type 0x1c): 64-byte context. Create input
 * and query output are 80 bytes; counters are read-only (query output).
 */
#define LVDPA_PRM_VQ_COUNTERS_OBJ_BYTES		64
#define LVDPA_PRM_VQ_COUNTERS_MBOX_BYTES	(LVDPA_PRM_GOBJ_HDR_BYTES + LVDPA_PRM_VQ_COUNTERS_OBJ_BYTES)
#define LVDPA_PRM_VQ_COUNTERS_BIT(b)		(LVDPA_PRM_GOBJ_CTX_BIT + (b))
#define LVDPA_PRM_VQ_COUNTERS_MODIFY_FIELD_SELECT LVDPA_PRM_FIELD(LVDPA_PRM_VQ_COUNTERS_BIT(0x000), 64)
#define LVDPA_PRM_VQ_COUNTERS_RECEIVED_DESC	LVDPA_PRM_FIELD(LVDPA_PRM_VQ_COUNTERS_BIT(0x080), 64)
#define LVDPA_PRM_VQ_COUNTERS_COMPLETED_DESC	LVDPA_PRM_FIELD(LVDPA_PRM_VQ_COUNTERS_BIT(0x0c0), 64)
#define LVDPA_PRM_VQ_COUNTERS_ERROR_CQES	LVDPA_PRM_FIELD(LVDPA_PRM_VQ_COUNTERS_BIT(0x100), 32)
#define LVDPA_PRM_VQ_COUNTERS_BAD_DESC_ERRORS	LVDPA_PRM_FIELD(LVDPA_PRM_VQ_COUNTERS_BIT(0x120), 32)
#define LVDPA_PRM_VQ_COUNTERS_EXCEED_MAX_CHAIN	LVDPA_PRM_FIELD(LVDPA_PRM_VQ_COUNTERS_BIT(0x140), 32)
#define LVDPA_PRM_VQ_COUNTERS_INVALID_BUFFER	LVDPA_PRM_FIELD(LVDPA_PRM_VQ_COUNTERS_BIT(0x160), 32)

/* ---------------------------------------------------------------------
 * QUERY_HCA_CAP (0x100). op_mod = cap_type << 1 | (1: current, 0: max).
 * Input 16 bytes; output 16-byte header then a 4096-byte capability.
 */
#define LVDPA_PRM_QUERY_HCA_CAP_IN_BYTES	16
#define LVDPA_PRM_QUERY_HCA_CAP_OUT_BYTES	(16 + 4096)
#define LVDPA_PRM_HCA_CAP_TYPE_GENERAL		0x00
#define LVDPA_PRM_HCA_CAP_TYPE_VIRTIO_EMULATION	0x13
#define LVDPA_PRM_HCA_CAP_CUR			1
#define LVDPA_PRM_HCA_CAP_OP_MOD(type, cur)	((uint16_t)(((type) << 1) | ((cur) ? 1 : 0)))
#define LVDPA_PRM_HCA_CAP_BIT(b)		(0x80 + (b))

/* General device capabilities (cmd_hca_cap), as read by a vDPA driver. */
#define LVDPA_PRM_HCA_CAP_VHCA_ID		LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x030), 16)
#define LVDPA_PRM_HCA_CAP_LOG_MAX_QP_SZ		LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x088), 8)
#define LVDPA_PRM_HCA_CAP_LOG_MAX_QP		LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x09b), 5)
#define LVDPA_PRM_HCA_CAP_LOG_MAX_CQ_SZ		LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x0c8), 8)
#define LVDPA_PRM_HCA_CAP_VIRTIO_NET_DEVICE_EMULATION_MANAGER LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x0d9), 1)
#define LVDPA_PRM_HCA_CAP_LOG_MAX_CQ		LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x0db), 5)
#define LVDPA_PRM_HCA_CAP_LOG_MAX_EQ_SZ		LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x0e0), 8)
#define LVDPA_PRM_HCA_CAP_LOG_MAX_MKEY		LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x0ea), 6)
#define LVDPA_PRM_HCA_CAP_LOG_MAX_EQ		LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x0fc), 4)
#define LVDPA_PRM_HCA_CAP_LOG_MAX_MRW_SZ	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x109), 7)
#define LVDPA_PRM_HCA_CAP_LOG_MAX_KLM_LIST_SIZE	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x11a), 6)
#define LVDPA_PRM_HCA_CAP_ESWITCH_MANAGER	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x1a7), 1)
#define LVDPA_PRM_HCA_CAP_UMEM_UID_0		LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x252), 1)
#define LVDPA_PRM_HCA_CAP_LOG_MAX_PD		LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x32b), 5)
#define LVDPA_PRM_HCA_CAP_GENERAL_OBJ_TYPES	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x400), 64)
#define LVDPA_PRM_HCA_CAP_SQ_TS_FORMAT		LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x440), 2)
#define LVDPA_PRM_HCA_CAP_RQ_TS_FORMAT		LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x442), 2)
/* general_obj_types bits */
#define LVDPA_PRM_GENERAL_OBJ_TYPES_VIRTQ	(UINT64_C(1) << LVDPA_PRM_OBJ_TYPE_VIRTQ)
#define LVDPA_PRM_GENERAL_OBJ_TYPES_VIRTIO_Q_COUNTERS (UINT64_C(1) << LVDPA_PRM_OBJ_TYPE_VIRTIO_Q_COUNTERS)

/*
 * Virtio emulation capabilities (cap type 0x13). device_features_bits_mask
 * is 13 bits from bit 3; its four most significant bits are also named
 * tso_ipv4, tso_ipv6, tx_csum and rx_csum. event_mode and virtio_queue_type
 * are bit masks: 1 << LVDPA_PRM_VIRTQ_EVENT_MODE_* / 1 << LVDPA_PRM_VIRTQ_TYPE_*.
 */
#define LVDPA_PRM_VIRTIO_CAP_DESC_TUNNEL_OFFLOAD_TYPE	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x000), 1)
#define LVDPA_PRM_VIRTIO_CAP_ETH_FRAME_OFFLOAD_TYPE	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x001), 1)
#define LVDPA_PRM_VIRTIO_CAP_VIRTIO_VERSION_1_0		LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x002), 1)
#define LVDPA_PRM_VIRTIO_CAP_DEVICE_FEATURES_BITS_MASK	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x003), 13)
#define LVDPA_PRM_VIRTIO_CAP_TSO_IPV4			LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x003), 1)
#define LVDPA_PRM_VIRTIO_CAP_TSO_IPV6			LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x004), 1)
#define LVDPA_PRM_VIRTIO_CAP_TX_CSUM			LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x005), 1)
#define LVDPA_PRM_VIRTIO_CAP_RX_CSUM			LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x006), 1)
#define LVDPA_PRM_VIRTIO_CAP_EVENT_MODE			LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x010), 8)
#define LVDPA_PRM_VIRTIO_CAP_VIRTIO_QUEUE_TYPE		LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x018), 8)
#define LVDPA_PRM_VIRTIO_CAP_MAX_TUNNEL_DESC		LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x020), 16)
#define LVDPA_PRM_VIRTIO_CAP_LOG_DOORBELL_STRIDE	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x033), 5)
#define LVDPA_PRM_VIRTIO_CAP_VNET_MODIFY_EXT		LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x038), 1)
#define LVDPA_PRM_VIRTIO_CAP_VIRTIO_NET_Q_ADDR_MODIFY	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x039), 1)
#define LVDPA_PRM_VIRTIO_CAP_VIRTIO_Q_INDEX_MODIFY	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x03a), 1)
#define LVDPA_PRM_VIRTIO_CAP_LOG_DOORBELL_BAR_SIZE	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x03b), 5)
#define LVDPA_PRM_VIRTIO_CAP_DOORBELL_BAR_OFFSET	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x040), 64)
#define LVDPA_PRM_VIRTIO_CAP_MAX_EMULATED_DEVICES	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x080), 8)
#define LVDPA_PRM_VIRTIO_CAP_MAX_NUM_VIRTIO_QUEUES	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x088), 24)
#define LVDPA_PRM_VIRTIO_CAP_UMEM_1_BUFFER_PARAM_A	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x100), 32)
#define LVDPA_PRM_VIRTIO_CAP_UMEM_1_BUFFER_PARAM_B	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x120), 32)
#define LVDPA_PRM_VIRTIO_CAP_UMEM_2_BUFFER_PARAM_A	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x140), 32)
#define LVDPA_PRM_VIRTIO_CAP_UMEM_2_BUFFER_PARAM_B	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x160), 32)
#define LVDPA_PRM_VIRTIO_CAP_UMEM_3_BUFFER_PARAM_A	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x180), 32)
#define LVDPA_PRM_VIRTIO_CAP_UMEM_3_BUFFER_PARAM_B	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x1a0), 32)
/* umem n (0..2): size needed = param_a * queue_size + param_b. */
#define LVDPA_PRM_VIRTIO_CAP_UMEM_PARAM_A(n)	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x100 + 0x40 * (n)), 32)
#define LVDPA_PRM_VIRTIO_CAP_UMEM_PARAM_B(n)	LVDPA_PRM_FIELD(LVDPA_PRM_HCA_CAP_BIT(0x120 + 0x40 * (n)), 32)

/* ---------------------------------------------------------------------
 * CREATE_MKEY (0x200): 272-byte input (header, pg_access, 64-byte mkey
 * context at byte 16, umem id/offset), then the translation list at byte
 * 0x110: KLM entries of 16 bytes for indirect mkeys. Output: mkey_index;
 * the mkey is mkey_index << 8 | mkey_7_0.
 */
#define LVDPA_PRM_CREATE_MKEY_IN_BYTES		272
#define LVDPA_PRM_CREATE_MKEY_KLM_OFF		0x110
#define LVDPA_PRM_MKC_BIT(b)			(0x80 + (b))
#define LVDPA_PRM_CREATE_MKEY_PG_ACCESS		LVDPA_PRM_FIELD(0x060, 1)
#define LVDPA_PRM_MKC_FREE			LVDPA_PRM_FIELD(LVDPA_PRM_MKC_BIT(0x001), 1)
#define LVDPA_PRM_MKC_ACCESS_MODE_4_2		LVDPA_PRM_FIELD(LVDPA_PRM_MKC_BIT(0x003), 3)
#define LVDPA_PRM_MKC_RELAXED_ORDERING_WRITE	LVDPA_PRM_FIELD(LVDPA_PRM_MKC_BIT(0x00d), 1)
#define LVDPA_PRM_MKC_UMR_EN			LVDPA_PRM_FIELD(LVDPA_PRM_MKC_BIT(0x010), 1)
#define LVDPA_PRM_MKC_A				LVDPA_PRM_FIELD(LVDPA_PRM_MKC_BIT(0x011), 1)
#define LVDPA_PRM_MKC_RW			LVDPA_PRM_FIELD(LVDPA_PRM_MKC_BIT(0x012), 1)
#define LVDPA_PRM_MKC_RR			LVDPA_PRM_FIELD(LVDPA_PRM_MKC_BIT(0x013), 1)
#define LVDPA_PRM_MKC_LW			LVDPA_PRM_FIELD(LVDPA_PRM_MKC_BIT(0x014), 1)
#define LVDPA_PRM_MKC_LR			LVDPA_PRM_FIELD(LVDPA_PRM_MKC_BIT(0x015), 1)
#define LVDPA_PRM_MKC_ACCESS_MODE_1_0		LVDPA_PRM_FIELD(LVDPA_PRM_MKC_BIT(0x016), 2)
#define LVDPA_PRM_MKC_QPN			LVDPA_PRM_FIELD(LVDPA_PRM_MKC_BIT(0x020), 24)
#define LVDPA_PRM_MKC_MKEY_7_0			LVDPA_PRM_FIELD(LVDPA_PRM_MKC_BIT(0x038), 8)
#define LVDPA_PRM_MKC_LENGTH64			LVDPA_PRM_FIELD(LVDPA_PRM_MKC_BIT(0x060), 1)
#define LVDPA_PRM_MKC_PD			LVDPA_PRM_FIELD(LVDPA_PRM_MKC_BIT(0x068), 24)
#define LVDPA_PRM_MKC_START_ADDR		LVDPA_PRM_FIELD(LVDPA_PRM_MKC_BIT(0x080), 64)
#define LVDPA_PRM_MKC_LEN			LVDPA_PRM_FIELD(LVDPA_PRM_MKC_BIT(0x0c0), 64)
#define LVDPA_PRM_MKC_TRANSLATIONS_OCTWORD_SIZE	LVDPA_PRM_FIELD(LVDPA_PRM_MKC_BIT(0x1a0), 32)
#define LVDPA_PRM_MKC_RELAXED_ORDERING_READ	LVDPA_PRM_FIELD(LVDPA_PRM_MKC_BIT(0x1d9), 1)
/* log_page_size: page size for MTT, entity size for KLM_FBS. */
#define LVDPA_PRM_MKC_LOG_PAGE_SIZE		LVDPA_PRM_FIELD(LVDPA_PRM_MKC_BIT(0x1db), 5)
#define LVDPA_PRM_CREATE_MKEY_TRANSLATIONS_OCTWORD_ACTUAL_SIZE LVDPA_PRM_FIELD(0x300, 32)
#define LVDPA_PRM_CREATE_MKEY_MKEY_UMEM_ID	LVDPA_PRM_FIELD(0x320, 32)
#define LVDPA_PRM_CREATE_MKEY_MKEY_UMEM_OFFSET	LVDPA_PRM_FIELD(0x340, 64)
#define LVDPA_PRM_CREATE_MKEY_OUT_MKEY_INDEX	LVDPA_PRM_FIELD(0x048, 24)
#define LVDPA_PRM_DESTROY_MKEY_IN_MKEY_INDEX	LVDPA_PRM_FIELD(0x048, 24)
/* access_mode_1_0 (access_mode_4_2 stays 0 for these) */
#define LVDPA_PRM_MKC_ACCESS_MODE_PA		0x0
#define LVDPA_PRM_MKC_ACCESS_MODE_MTT		0x1
#define LVDPA_PRM_MKC_ACCESS_MODE_KLM		0x2
#define LVDPA_PRM_MKC_ACCESS_MODE_KLM_FBS	0x3
/* KLM entry (16 bytes, one octword), fields relative to the entry. */
#define LVDPA_PRM_KLM_BYTES			16
#define LVDPA_PRM_KLM_BYTE_COUNT		LVDPA_PRM_FIELD(0x00, 32)
#define LVDPA_PRM_KLM_MKEY			LVDPA_PRM_FIELD(0x20, 32)
#define LVDPA_PRM_KLM_ADDRESS			LVDPA_PRM_FIELD(0x40, 64)
/* A direct (MTT) mkey maps pages of 8-byte translation entries. */
#define LVDPA_PRM_MTT_ENTRY_BYTES		8

/* ---------------------------------------------------------------------
 * ALLOC_PD (0x800) / DEALLOC_PD (0x801): 16-byte mailboxes, pd at 0x48.
 */
#define LVDPA_PRM_ALLOC_PD_OUT_PD		LVDPA_PRM_FIELD(0x048, 24)
#define LVDPA_PRM_DEALLOC_PD_IN_PD		LVDPA_PRM_FIELD(0x048, 24)

/* ---------------------------------------------------------------------
 * CREATE_CQ (0x400): 272-byte input, CQ context at byte 16, the CQ buffer
 * given as umem id/offset (no PAS list). Output: cqn.
 */
#define LVDPA_PRM_CREATE_CQ_IN_BYTES		272
#define LVDPA_PRM_CQC_BIT(b)			(0x80 + (b))
#define LVDPA_PRM_CQC_STATUS			LVDPA_PRM_FIELD(LVDPA_PRM_CQC_BIT(0x000), 4)
#define LVDPA_PRM_CQC_DBR_UMEM_VALID		LVDPA_PRM_FIELD(LVDPA_PRM_CQC_BIT(0x006), 1)
#define LVDPA_PRM_CQC_CQE_SZ			LVDPA_PRM_FIELD(LVDPA_PRM_CQC_BIT(0x008), 3)
#define LVDPA_PRM_CQC_CC			LVDPA_PRM_FIELD(LVDPA_PRM_CQC_BIT(0x00b), 1)
#define LVDPA_PRM_CQC_OI			LVDPA_PRM_FIELD(LVDPA_PRM_CQC_BIT(0x00e), 1)
#define LVDPA_PRM_CQC_CQ_PERIOD_MODE		LVDPA_PRM_FIELD(LVDPA_PRM_CQC_BIT(0x00f), 2)
#define LVDPA_PRM_CQC_DBR_UMEM_ID		LVDPA_PRM_FIELD(LVDPA_PRM_CQC_BIT(0x020), 32)
#define LVDPA_PRM_CQC_LOG_CQ_SIZE		LVDPA_PRM_FIELD(LVDPA_PRM_CQC_BIT(0x063), 5)
#define LVDPA_PRM_CQC_UAR_PAGE			LVDPA_PRM_FIELD(LVDPA_PRM_CQC_BIT(0x068), 24)
#define LVDPA_PRM_CQC_CQ_PERIOD			LVDPA_PRM_FIELD(LVDPA_PRM_CQC_BIT(0x084), 12)
#define LVDPA_PRM_CQC_CQ_MAX_COUNT		LVDPA_PRM_FIELD(LVDPA_PRM_CQC_BIT(0x090), 16)
#define LVDPA_PRM_CQC_C_EQN			LVDPA_PRM_FIELD(LVDPA_PRM_CQC_BIT(0x0b8), 8)
#define LVDPA_PRM_CQC_LOG_PAGE_SIZE		LVDPA_PRM_FIELD(LVDPA_PRM_CQC_BIT(0x0c3), 5)
#define LVDPA_PRM_CQC_DBR_ADDR			LVDPA_PRM_FIELD(LVDPA_PRM_CQC_BIT(0x1c0), 64)
#define LVDPA_PRM_CREATE_CQ_CQ_UMEM_OFFSET	LVDPA_PRM_FIELD(0x280, 64)
#define LVDPA_PRM_CREATE_CQ_CQ_UMEM_ID		LVDPA_PRM_FIELD(0x2c0, 32)
#define LVDPA_PRM_CREATE_CQ_CQ_UMEM_VALID	LVDPA_PRM_FIELD(0x2e0, 1)
#define LVDPA_PRM_CREATE_CQ_OUT_CQN		LVDPA_PRM_FIELD(0x048, 24)
#define LVDPA_PRM_CQE_SZ_64			0
#define LVDPA_PRM_CQE_SZ_128			1
/* CQ doorbell record: two big-endian dwords, consumer index then arm. */
#define LVDPA_PRM_CQ_DBR_SET_CI			0
#define LVDPA_PRM_CQ_DBR_ARM			1
/* UAR offset of the 64-bit CQ arm doorbell. */
#define LVDPA_PRM_UAR_CQ_DOORBELL_OFF		0x20
/* Arm word: arm sequence number << 28 | command | consumer index (24 bits). */
#define LVDPA_PRM_CQ_ARM_SN_SHIFT		28
#define LVDPA_PRM_CQ_ARM_CMD_ALL		(0u << 24)
#define LVDPA_PRM_CQ_ARM_CMD_SOL_ONLY		(1u << 24)
#define LVDPA_PRM_CQ_CI_MASK			0xffffffu

/**
 * The CQ arm word (doorbell record dword 1, big-endian) and the 64-bit UAR
 * doorbell value (arm word << 32 | cqn, written big-endian at
 * LVDPA_PRM_UAR_CQ_DOORBELL_OFF).
 */
static inline uint32_t
lvdpa_prm_cq_arm_word(uint32_t arm_sn, uint32_t ci, uint32_t cmd)
{
	return ((arm_sn & 3u) << LVDPA_PRM_CQ_ARM_SN_SHIFT) | cmd |
	       (ci & LVDPA_PRM_CQ_CI_MASK);
}

static inline uint64_t
lvdpa_prm_cq_arm_doorbell(uint32_t arm_word, uint32_t cqn)
{
	return ((uint64_t)arm_word << 32) | (cqn & 0xffffffu);
}

/* ---------------------------------------------------------------------
 * QPs: CREATE_QP (0x500) and the state transitions RST2INIT (0x502),
 * INIT2RTR (0x503), RTR2RTS (0x504): 272-byte inputs carrying qpn at 0x48
 * (transitions), opt_param_mask at 0x80 and the QP context at byte 0x18;
 * 2RST (0x50a) is a 16-byte input with qpn. CREATE_QP output: qpn.
 * Fields are given at their offsets in these mailboxes (qpc = bit 0xc0).
 */
#define LVDPA_PRM_CREATE_QP_IN_BYTES		272
#define LVDPA_PRM_QP_MODIFY_IN_BYTES		272
#define LVDPA_PRM_QP_2RST_IN_BYTES		16
#define LVDPA_PRM_QPC_BIT(b)			(0xc0 + (b))
#define LVDPA_PRM_QP_IN_QPN			LVDPA_PRM_FIELD(0x048, 24)
#define LVDPA_PRM_QP_IN_OPT_PARAM_MASK		LVDPA_PRM_FIELD(0x080, 32)
#define LVDPA_PRM_QPC_STATE			LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x000), 4)
#define LVDPA_PRM_QPC_ST			LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x008), 8)
#define LVDPA_PRM_QPC_PM_STATE			LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x013), 2)
#define LVDPA_PRM_QPC_PD			LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x028), 24)
#define LVDPA_PRM_QPC_MTU			LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x040), 3)
#define LVDPA_PRM_QPC_LOG_MSG_MAX		LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x043), 5)
#define LVDPA_PRM_QPC_LOG_RQ_SIZE		LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x049), 4)
#define LVDPA_PRM_QPC_LOG_RQ_STRIDE		LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x04d), 3)
#define LVDPA_PRM_QPC_NO_SQ			LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x050), 1)
#define LVDPA_PRM_QPC_LOG_SQ_SIZE		LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x051), 4)
#define LVDPA_PRM_QPC_TS_FORMAT			LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x058), 2)
#define LVDPA_PRM_QPC_UAR_PAGE			LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x068), 24)
#define LVDPA_PRM_QPC_USER_INDEX		LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x088), 24)
#define LVDPA_PRM_QPC_LOG_PAGE_SIZE		LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x0a3), 5)
#define LVDPA_PRM_QPC_REMOTE_QPN		LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x0a8), 24)
/* primary address path starts 0xc0 bits into the QP context */
#define LVDPA_PRM_QPC_PAP_FL			LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x0c0), 1)
#define LVDPA_PRM_QPC_PAP_ACK_TIMEOUT		LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x100), 5)
#define LVDPA_PRM_QPC_PAP_VHCA_PORT_NUM		LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x1e8), 8)
#define LVDPA_PRM_QPC_LOG_ACK_REQ_FREQ		LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x380), 4)
#define LVDPA_PRM_QPC_RETRY_COUNT		LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x38d), 3)
#define LVDPA_PRM_QPC_RNR_RETRY			LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x390), 3)
#define LVDPA_PRM_QPC_CQN_SND			LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x3e8), 24)
#define LVDPA_PRM_QPC_RRE			LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x490), 1)
#define LVDPA_PRM_QPC_RWE			LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x491), 1)
#define LVDPA_PRM_QPC_MIN_RNR_NAK		LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x4a3), 5)
#define LVDPA_PRM_QPC_CQN_RCV			LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x4e8), 24)
#define LVDPA_PRM_QPC_DBR_ADDR			LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x500), 64)
#define LVDPA_PRM_QPC_RQ_TYPE			LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x565), 3)
#define LVDPA_PRM_QPC_DBR_UMEM_VALID		LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x683), 1)
#define LVDPA_PRM_QPC_DBR_UMEM_ID		LVDPA_PRM_FIELD(LVDPA_PRM_QPC_BIT(0x720), 32)
#define LVDPA_PRM_CREATE_QP_WQ_UMEM_OFFSET	LVDPA_PRM_FIELD(0x800, 64)
#define LVDPA_PRM_CREATE_QP_WQ_UMEM_ID		LVDPA_PRM_FIELD(0x840, 32)
#define LVDPA_PRM_CREATE_QP_WQ_UMEM_VALID	LVDPA_PRM_FIELD(0x860, 1)
#define LVDPA_PRM_CREATE_QP_OUT_QPN		LVDPA_PRM_FIELD(0x048, 24)
#define LVDPA_PRM_QP_ST_RC			0x0
#define LVDPA_PRM_QP_PM_MIGRATED		0x3
#define LVDPA_PRM_QP_RQ_TYPE_REGULAR		0x0
#define LVDPA_PRM_QP_RQ_TYPE_ZERO_LEN		0x3
/* log_rq_stride is log2(stride in bytes) - 4 */
#define LVDPA_PRM_QP_LOG_RQ_STRIDE_SHIFT	4
/* QP doorbell record: receive counter dword then send counter dword. */
#define LVDPA_PRM_QP_DBR_RCV			0
#define LVDPA_PRM_QP_DBR_SND			1

/* ---------------------------------------------------------------------
 * CQE (64 bytes). The event QP's CQ is collapsed (cc = 1): every
 * completion overwrites CQE 0, whose wqe_counter tells how many arrived.
 * op_own: opcode in the high nibble, owner bit in bit 0.
 */
#define LVDPA_PRM_CQE_BYTES			64
#define LVDPA_PRM_CQE_BYTE_CNT			LVDPA_PRM_FIELD(0x160, 32)
#define LVDPA_PRM_CQE_QPN			LVDPA_PRM_FIELD(0x1c8, 24)
#define LVDPA_PRM_CQE_WQE_COUNTER		LVDPA_PRM_FIELD(0x1e0, 16)
#define LVDPA_PRM_CQE_SIGNATURE			LVDPA_PRM_FIELD(0x1f0, 8)
#define LVDPA_PRM_CQE_OPCODE			LVDPA_PRM_FIELD(0x1f8, 4)
#define LVDPA_PRM_CQE_OWNER			LVDPA_PRM_FIELD(0x1ff, 1)
#define LVDPA_PRM_CQE_OP_OWN_OFF		63
#define LVDPA_PRM_CQE_OPCODE_REQ		0x0
#define LVDPA_PRM_CQE_OPCODE_RESP_SEND		0x2
#define LVDPA_PRM_CQE_OPCODE_REQ_ERR		0xd
#define LVDPA_PRM_CQE_OPCODE_RESP_ERR		0xe
#define LVDPA_PRM_CQE_OPCODE_INVALID		0xf

/* ---------------------------------------------------------------------
 * EQE (64 bytes), as DevX event channels deliver it: type in byte 1, event
 * data from byte 0x20, owner in byte 63.
 * struct lvdpa_tp_event carries type separately and data[i] = EQE byte 4 + i
 * (LVDPA_PRM_EQE_TP_DATA_OFF); use lvdpa_prm_get on the 64-byte EQE.
 */
#define LVDPA_PRM_EQE_BYTES			64
#define LVDPA_PRM_EQE_TP_DATA_OFF		4
#define LVDPA_PRM_EQE_TYPE			LVDPA_PRM_FIELD(0x008, 8)
#define LVDPA_PRM_EQE_SUB_TYPE			LVDPA_PRM_FIELD(0x018, 8)
/* completion event data: cqn in the 7th data dword */
#define LVDPA_PRM_EQE_COMP_CQN			LVDPA_PRM_FIELD(0x1c8, 24)
/* object change event data: obj_type, obj_id */
#define LVDPA_PRM_EQE_OBJ_CHANGE_OBJ_TYPE	LVDPA_PRM_FIELD(0x110, 16)
#define LVDPA_PRM_EQE_OBJ_CHANGE_OBJ_ID		LVDPA_PRM_FIELD(0x120, 32)
#define LVDPA_PRM_EQE_OWNER			LVDPA_PRM_FIELD(0x1ff, 1)
#define LVDPA_PRM_EVENT_TYPE_COMPLETION		0x00
#define LVDPA_PRM_EVENT_TYPE_CQ_ERROR		0x04
#define LVDPA_PRM_EVENT_TYPE_OBJECT_CHANGE	0x27

#ifdef __cplusplus
}
#endif

#endif /* LVDPA_PRM_H */
