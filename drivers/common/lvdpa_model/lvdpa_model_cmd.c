/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The command table. Every mailbox is decoded with lvdpa_prm.h, the same
 * field table the command layer encodes with. A row gives the opcode (and
 * obj_type for general objects), the smallest input and output the device
 * accepts, and the handler; the dispatcher checks the sizes before any
 * handler reads a byte. Refusals are answered as the device answers them:
 * the transport call succeeds and the output carries status and syndrome.
 *
 * Syndromes are the model's own (a real device's are firmware-specific):
 * 0x1a00xx virtq create parameters, 0x1b00xx virtq modify, 0x1c00xx mkey,
 * 0x1d00xx CQ/QP, 0x1e00xx dispatch (sizes, opcodes, ids). The full list is
 * in doc/guides/model.rst.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>

#include "lvdpa_model_priv.h"
#include "lvdpa_prm.h"

#define LVDPA_MODEL_SYN_INLEN      0x1e0001
#define LVDPA_MODEL_SYN_OUTLEN     0x1e0002
#define LVDPA_MODEL_SYN_OPCODE     0x1e0003
#define LVDPA_MODEL_SYN_OBJ_TYPE   0x1e0004
#define LVDPA_MODEL_SYN_OBJ_ID     0x1e0005
#define LVDPA_MODEL_SYN_NO_RES     0x1e0006
#define LVDPA_MODEL_SYN_OP_MOD     0x1e0007

/* The device's own limits, reported in the capabilities. */
#define LVDPA_MODEL_LOG_MAX_KLM    10
#define LVDPA_MODEL_LOG_MAX_CQ_SZ  22
#define LVDPA_MODEL_LOG_MAX_QP_SZ  15

static int
lvdpa_model_reply(void *out, size_t outlen, uint8_t status, uint32_t syndrome)
{
	memset(out, 0, outlen < LVDPA_PRM_CMD_HDR_BYTES ? outlen : LVDPA_PRM_CMD_HDR_BYTES);
	lvdpa_prm_set(out, LVDPA_PRM_OUT_STATUS, status);
	lvdpa_prm_set(out, LVDPA_PRM_OUT_SYNDROME, syndrome);
	if (status != LVDPA_PRM_STATUS_OK)
		LVDPA_MODEL_LOG(DEBUG, "command refused: status 0x%x (%s) syndrome 0x%x",
				status, lvdpa_prm_status_str(status), syndrome);
	return 0;
}

static int
lvdpa_model_ok(void *out, size_t outlen)
{
	memset(out, 0, outlen);
	return 0;
}

/* An output too short for the status itself is a transport error. */
#define LVDPA_MODEL_OUT_MIN 8

/* ---- capabilities ---- */

static int
lvdpa_model_query_hca_cap(struct lvdpa_model_dev *dev, const void *in, void *out,
			  size_t outlen)
{
	const struct lvdpa_model_caps *c = &dev->caps;
	uint16_t op_mod = lvdpa_prm_get(in, LVDPA_PRM_IN_OP_MOD);
	unsigned int i;

	if (outlen < LVDPA_PRM_QUERY_HCA_CAP_OUT_BYTES)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_OUTP_LEN_ERR,
					 LVDPA_MODEL_SYN_OUTLEN);
	lvdpa_model_ok(out, LVDPA_PRM_QUERY_HCA_CAP_OUT_BYTES);
	switch (op_mod >> 1) {
	case LVDPA_PRM_HCA_CAP_TYPE_GENERAL:
		lvdpa_prm_set(out, LVDPA_PRM_HCA_CAP_VHCA_ID, dev->fn);
		lvdpa_prm_set(out, LVDPA_PRM_HCA_CAP_LOG_MAX_QP_SZ, LVDPA_MODEL_LOG_MAX_QP_SZ);
		lvdpa_prm_set(out, LVDPA_PRM_HCA_CAP_LOG_MAX_QP, 10);
		lvdpa_prm_set(out, LVDPA_PRM_HCA_CAP_LOG_MAX_CQ_SZ, LVDPA_MODEL_LOG_MAX_CQ_SZ);
		lvdpa_prm_set(out, LVDPA_PRM_HCA_CAP_LOG_MAX_CQ, 10);
		lvdpa_prm_set(out, LVDPA_PRM_HCA_CAP_LOG_MAX_EQ_SZ, 12);
		lvdpa_prm_set(out, LVDPA_PRM_HCA_CAP_LOG_MAX_EQ, 4);
		lvdpa_prm_set(out, LVDPA_PRM_HCA_CAP_LOG_MAX_MKEY, 12);
		lvdpa_prm_set(out, LVDPA_PRM_HCA_CAP_LOG_MAX_MRW_SZ, 64);
		lvdpa_prm_set(out, LVDPA_PRM_HCA_CAP_LOG_MAX_KLM_LIST_SIZE,
			      LVDPA_MODEL_LOG_MAX_KLM);
		lvdpa_prm_set(out, LVDPA_PRM_HCA_CAP_LOG_MAX_PD, 12);
		lvdpa_prm_set(out, LVDPA_PRM_HCA_CAP_UMEM_UID_0, 1);
		lvdpa_prm_set(out, LVDPA_PRM_HCA_CAP_VIRTIO_NET_DEVICE_EMULATION_MANAGER, 1);
		lvdpa_prm_set(out, LVDPA_PRM_HCA_CAP_GENERAL_OBJ_TYPES,
			      LVDPA_PRM_GENERAL_OBJ_TYPES_VIRTQ |
			      LVDPA_PRM_GENERAL_OBJ_TYPES_VIRTIO_Q_COUNTERS);
		return 0;
	case LVDPA_PRM_HCA_CAP_TYPE_VIRTIO_EMULATION:
		lvdpa_prm_set(out, LVDPA_PRM_VIRTIO_CAP_ETH_FRAME_OFFLOAD_TYPE, 1);
		lvdpa_prm_set(out, LVDPA_PRM_VIRTIO_CAP_VIRTIO_VERSION_1_0, 1);
		/*
		 * The offloads the model implements, in the device's
		 * numbering (LVDPA_PRM_VIRTQ_QF_*): TX checksum (tx_csum), RX
		 * checksum (rx_csum) and mergeable RX buffers. ConnectX also
		 * has TSO (tso_ipv4/6); segmentation is not modelled, so it is
		 * not offered.
		 */
		lvdpa_prm_set(out, LVDPA_PRM_VIRTIO_CAP_DEVICE_FEATURES_BITS_MASK,
			      1u << LVDPA_PRM_VIRTQ_QF_CSUM |
			      1u << LVDPA_PRM_VIRTQ_QF_GUEST_CSUM |
			      1u << LVDPA_PRM_VIRTQ_QF_MRG_RXBUF);
		lvdpa_prm_set(out, LVDPA_PRM_VIRTIO_CAP_EVENT_MODE, c->event_modes);
		lvdpa_prm_set(out, LVDPA_PRM_VIRTIO_CAP_VIRTIO_QUEUE_TYPE,
			      (1u << LVDPA_PRM_VIRTQ_TYPE_SPLIT) |
			      (c->packed ? 1u << LVDPA_PRM_VIRTQ_TYPE_PACKED : 0));
		lvdpa_prm_set(out, LVDPA_PRM_VIRTIO_CAP_LOG_DOORBELL_STRIDE, 2);
		lvdpa_prm_set(out, LVDPA_PRM_VIRTIO_CAP_LOG_DOORBELL_BAR_SIZE, 12);
		lvdpa_prm_set(out, LVDPA_PRM_VIRTIO_CAP_DOORBELL_BAR_OFFSET, 0);
		lvdpa_prm_set(out, LVDPA_PRM_VIRTIO_CAP_VNET_MODIFY_EXT, 1);
		lvdpa_prm_set(out, LVDPA_PRM_VIRTIO_CAP_VIRTIO_NET_Q_ADDR_MODIFY, 1);
		lvdpa_prm_set(out, LVDPA_PRM_VIRTIO_CAP_MAX_EMULATED_DEVICES, 1);
		lvdpa_prm_set(out, LVDPA_PRM_VIRTIO_CAP_MAX_NUM_VIRTIO_QUEUES, c->max_queues);
		for (i = 0; i < 3; i++) {
			lvdpa_prm_set(out, LVDPA_PRM_VIRTIO_CAP_UMEM_PARAM_A(i),
				      LVDPA_MODEL_UMEM_A(i));
			lvdpa_prm_set(out, LVDPA_PRM_VIRTIO_CAP_UMEM_PARAM_B(i),
				      LVDPA_MODEL_UMEM_B(i));
		}
		return 0;
	default:
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_PARAM_ERR,
					 LVDPA_MODEL_SYN_OP_MOD);
	}
}

/* ---- creators: fill *o or refuse ---- */

static int
lvdpa_model_create_pd(struct lvdpa_model_dev *dev, const uint8_t *in, size_t inlen,
		      struct lvdpa_model_obj *o, uint8_t *st, uint32_t *syn)
{
	return 0;
}

static int
lvdpa_model_create_mkey(struct lvdpa_model_dev *dev, const uint8_t *in, size_t inlen,
			struct lvdpa_model_obj *o, uint8_t *st, uint32_t *syn)
{
	struct lvdpa_model_mkey *m = &o->u.mkey;
	uint8_t mode = lvdpa_prm_get(in, LVDPA_PRM_MKC_ACCESS_MODE_4_2) << 2 |
		       lvdpa_prm_get(in, LVDPA_PRM_MKC_ACCESS_MODE_1_0);

	m->start = lvdpa_prm_get(in, LVDPA_PRM_MKC_START_ADDR);
	m->len = lvdpa_prm_get(in, LVDPA_PRM_MKC_LEN);
	if (lvdpa_prm_get(in, LVDPA_PRM_MKC_LENGTH64))
		m->len = UINT64_MAX - m->start;
	m->pd = lvdpa_prm_get(in, LVDPA_PRM_MKC_PD);
	m->key = lvdpa_prm_get(in, LVDPA_PRM_MKC_MKEY_7_0);
	m->write = lvdpa_prm_get(in, LVDPA_PRM_MKC_LW) || lvdpa_prm_get(in, LVDPA_PRM_MKC_RW);
	m->access_mode = mode;
	*st = LVDPA_PRM_STATUS_BAD_PARAM_ERR;
	if (lvdpa_model_obj_get(dev, m->pd, LVDPA_MODEL_KIND_PD) == NULL) {
		*syn = 0x1c0001;
		return -EINVAL;
	}
	if (m->len == 0 || m->start + m->len < m->start) {
		*syn = 0x1c0002;
		return -EINVAL;
	}
	if (mode == LVDPA_MODEL_MKEY_MTT) {
		struct lvdpa_model_umem *u = lvdpa_model_umem_get(dev,
			lvdpa_prm_get(in, LVDPA_PRM_CREATE_MKEY_MKEY_UMEM_ID));
		uint64_t off = lvdpa_prm_get(in, LVDPA_PRM_CREATE_MKEY_MKEY_UMEM_OFFSET);

		if (u == NULL || off > u->size || u->size - off < m->len) {
			*syn = 0x1c0003;
			return -EINVAL;
		}
		m->umem = u;
		m->umem_offset = off;
		u->refcnt++;
		return 0;
	}
	if (mode == LVDPA_MODEL_MKEY_KLM || mode == LVDPA_MODEL_MKEY_KSM) {
		uint32_t octw = lvdpa_prm_get(in,
			LVDPA_PRM_CREATE_MKEY_TRANSLATIONS_OCTWORD_ACTUAL_SIZE);
		uint64_t covered = 0;
		unsigned int i;

		if (octw == 0 || octw > (1u << LVDPA_MODEL_LOG_MAX_KLM)) {
			*syn = 0x1c0004;
			return -EINVAL;
		}
		if (inlen < LVDPA_PRM_CREATE_MKEY_IN_BYTES + (size_t)octw * LVDPA_PRM_KLM_BYTES) {
			*st = LVDPA_PRM_STATUS_BAD_INP_LEN_ERR;
			*syn = LVDPA_MODEL_SYN_INLEN;
			return -EINVAL;
		}
		if (mode == LVDPA_MODEL_MKEY_KSM) {
			uint8_t lps = lvdpa_prm_get(in, LVDPA_PRM_MKC_LOG_PAGE_SIZE);

			if (lps == 0 || lps > 40) {
				*syn = 0x1c0005;
				return -EINVAL;
			}
			m->fbs = UINT64_C(1) << lps;
		}
		m->klm = calloc(octw, sizeof(*m->klm));
		if (m->klm == NULL) {
			*st = LVDPA_PRM_STATUS_NO_RES_ERR;
			*syn = LVDPA_MODEL_SYN_NO_RES;
			return -ENOMEM;
		}
		/* Entries up to the mkey's length; the rest is padding. */
		for (i = 0; i < octw && covered < m->len; i++) {
			const uint8_t *e = in + LVDPA_PRM_CREATE_MKEY_KLM_OFF +
					   (size_t)i * LVDPA_PRM_KLM_BYTES;

			m->klm[i].mkey = lvdpa_prm_get(e, LVDPA_PRM_KLM_MKEY);
			m->klm[i].addr = lvdpa_prm_get(e, LVDPA_PRM_KLM_ADDRESS);
			m->klm[i].len = m->fbs ? m->fbs : lvdpa_prm_get(e, LVDPA_PRM_KLM_BYTE_COUNT);
			covered += m->klm[i].len;
		}
		m->nklm = i;
		if (covered < m->len) {
			*syn = 0x1c0006;
			return -EINVAL;
		}
		return 0;
	}
	*syn = 0x1c0007;
	return -EINVAL;
}

static int
lvdpa_model_create_counters(struct lvdpa_model_dev *dev, const uint8_t *in, size_t inlen,
			    struct lvdpa_model_obj *o, uint8_t *st, uint32_t *syn)
{
	o->u.cnt = calloc(1, sizeof(*o->u.cnt));
	if (o->u.cnt == NULL) {
		*st = LVDPA_PRM_STATUS_NO_RES_ERR;
		*syn = LVDPA_MODEL_SYN_NO_RES;
		return -ENOMEM;
	}
	o->u.cnt->refcnt = 1;
	return 0;
}

static void
lvdpa_model_vq_decode(struct lvdpa_model_dev *dev, const uint8_t *in,
		      struct lvdpa_model_vq_attr *a)
{
	unsigned int i;

	memset(a, 0, sizeof(*a));
	a->type = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_VIRTIO_Q_TYPE);
	a->event_mode = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_EVENT_MODE);
	a->queue_index = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_QUEUE_INDEX);
	a->version_1_0 = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_VIRTIO_VERSION_1_0);
	a->queue_features =
		(uint16_t)(lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_QUEUE_FEATURE_BIT_MASK_12_3) << 3 |
			   lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_QUEUE_FEATURE_BIT_MASK_2_0));
	/*
	 * Per queue, as the device learns it. The checksum bits are
	 * implemented; the other mask bits (TSO, ECN) are kept for query but
	 * change nothing: the model offers none of those offloads.
	 */
	a->mrg_rxbuf = !!(a->queue_features & 1u << LVDPA_PRM_VIRTQ_QF_MRG_RXBUF);
	a->tx_csum = !!(a->queue_features & 1u << LVDPA_PRM_VIRTQ_QF_CSUM);
	a->rx_csum = !!(a->queue_features & 1u << LVDPA_PRM_VIRTQ_QF_GUEST_CSUM);
	a->event_qpn_or_msix = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_EVENT_QPN_OR_MSIX);
	a->queue_size = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_QUEUE_SIZE);
	a->desc_addr = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_DESC_ADDR);
	a->used_addr = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_USED_ADDR);
	a->avail_addr = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_AVAILABLE_ADDR);
	a->mkey = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_VIRTIO_Q_MKEY);
	for (i = 0; i < 3; i++) {
		a->umem_id[i] = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_UMEM_ID(i));
		a->umem_size[i] = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_UMEM_SIZE(i));
		a->umem_offset[i] = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_UMEM_OFFSET(i));
	}
	a->counter_set_id = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_COUNTER_SET_ID);
	a->pd = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_PD);
	a->hw_available_index = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_HW_AVAILABLE_INDEX);
	a->hw_used_index = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_HW_USED_INDEX);
	/*
	 * The virtq object has no event-idx bit: a model param for tests,
	 * see lvdpa_model.h.
	 */
	a->event_idx = dev->caps.event_idx;
	a->indirect = true;
}

static int
lvdpa_model_create_virtq(struct lvdpa_model_dev *dev, const uint8_t *in, size_t inlen,
			 struct lvdpa_model_obj *o, uint8_t *st, uint32_t *syn)
{
	struct lvdpa_model_vq_attr a;
	int rc;

	lvdpa_model_vq_decode(dev, in, &a);
	rc = lvdpa_model_virtq_create(dev, &a, o, syn);
	if (rc != 0)
		*st = rc == -ENOMEM ? LVDPA_PRM_STATUS_NO_RES_ERR :
				      LVDPA_PRM_STATUS_BAD_PARAM_ERR;
	return rc;
}

static int
lvdpa_model_create_cq(struct lvdpa_model_dev *dev, const uint8_t *in, size_t inlen,
		      struct lvdpa_model_obj *o, uint8_t *st, uint32_t *syn)
{
	struct lvdpa_model_cq *cq = &o->u.cq;
	struct lvdpa_model_umem *u;
	uint64_t need;

	*st = LVDPA_PRM_STATUS_BAD_PARAM_ERR;
	cq->log_size = lvdpa_prm_get(in, LVDPA_PRM_CQC_LOG_CQ_SIZE);
	cq->collapsed = lvdpa_prm_get(in, LVDPA_PRM_CQC_CC);
	cq->cqe_bytes = lvdpa_prm_get(in, LVDPA_PRM_CQC_CQE_SZ) == LVDPA_PRM_CQE_SZ_128 ?
			128 : 64;
	cq->uar_page = lvdpa_prm_get(in, LVDPA_PRM_CQC_UAR_PAGE);
	cq->umem_offset = lvdpa_prm_get(in, LVDPA_PRM_CREATE_CQ_CQ_UMEM_OFFSET);
	if (cq->log_size > LVDPA_MODEL_LOG_MAX_CQ_SZ) {
		*syn = 0x1d0001;
		return -EINVAL;
	}
	u = lvdpa_model_umem_get(dev, lvdpa_prm_get(in, LVDPA_PRM_CREATE_CQ_CQ_UMEM_ID));
	need = (uint64_t)cq->cqe_bytes << (cq->collapsed ? 0 : cq->log_size);
	if (!lvdpa_prm_get(in, LVDPA_PRM_CREATE_CQ_CQ_UMEM_VALID) || u == NULL ||
	    cq->umem_offset > u->size || u->size - cq->umem_offset < need) {
		*syn = 0x1d0002;
		return -EINVAL;
	}
	cq->umem = u;
	u->refcnt++;
	return 0;
}

static int
lvdpa_model_create_qp(struct lvdpa_model_dev *dev, const uint8_t *in, size_t inlen,
		      struct lvdpa_model_obj *o, uint8_t *st, uint32_t *syn)
{
	struct lvdpa_model_qp *qp = &o->u.qp;

	*st = LVDPA_PRM_STATUS_BAD_PARAM_ERR;
	if (lvdpa_model_obj_get(dev, lvdpa_prm_get(in, LVDPA_PRM_QPC_PD),
				LVDPA_MODEL_KIND_PD) == NULL) {
		*syn = 0x1d0003;
		return -EINVAL;
	}
	qp->fw = lvdpa_prm_get(in, LVDPA_PRM_QPC_NO_SQ) &&
		 lvdpa_prm_get(in, LVDPA_PRM_QPC_RQ_TYPE) == LVDPA_PRM_QP_RQ_TYPE_ZERO_LEN;
	qp->cqn = lvdpa_prm_get(in, LVDPA_PRM_QPC_CQN_RCV);
	if (!qp->fw && lvdpa_model_obj_get(dev, qp->cqn, LVDPA_MODEL_KIND_CQ) == NULL) {
		*syn = 0x1d0004;
		return -EINVAL;
	}
	return 0;
}

typedef int (*lvdpa_model_create_t)(struct lvdpa_model_dev *dev, const uint8_t *in,
				    size_t inlen, struct lvdpa_model_obj *o,
				    uint8_t *st, uint32_t *syn);

/* The creation table: one row per object the device makes. */
static const struct lvdpa_model_create_row {
	uint16_t opcode;
	uint16_t obj_type;           /* general objects, else 0 */
	size_t inlen;                /* smallest input */
	enum lvdpa_model_kind kind;
	struct lvdpa_prm_field id;   /* where the output carries the id */
	lvdpa_model_create_t fn;
} lvdpa_model_create_rows[] = {
	{ LVDPA_PRM_OP_ALLOC_PD, 0, LVDPA_PRM_CMD_HDR_BYTES, LVDPA_MODEL_KIND_PD,
	  LVDPA_PRM_FIELD_INIT(0x048, 24), lvdpa_model_create_pd },
	{ LVDPA_PRM_OP_CREATE_MKEY, 0, LVDPA_PRM_CREATE_MKEY_IN_BYTES, LVDPA_MODEL_KIND_MKEY,
	  LVDPA_PRM_FIELD_INIT(0x048, 24), lvdpa_model_create_mkey },
	{ LVDPA_PRM_OP_CREATE_GENERAL_OBJECT, LVDPA_PRM_OBJ_TYPE_VIRTQ,
	  LVDPA_PRM_VIRTQ_MBOX_BYTES, LVDPA_MODEL_KIND_VIRTQ,
	  LVDPA_PRM_FIELD_INIT(0x040, 32), lvdpa_model_create_virtq },
	{ LVDPA_PRM_OP_CREATE_GENERAL_OBJECT, LVDPA_PRM_OBJ_TYPE_VIRTIO_Q_COUNTERS,
	  LVDPA_PRM_VQ_COUNTERS_MBOX_BYTES, LVDPA_MODEL_KIND_COUNTERS,
	  LVDPA_PRM_FIELD_INIT(0x040, 32), lvdpa_model_create_counters },
	{ LVDPA_PRM_OP_CREATE_CQ, 0, LVDPA_PRM_CREATE_CQ_IN_BYTES, LVDPA_MODEL_KIND_CQ,
	  LVDPA_PRM_FIELD_INIT(0x048, 24), lvdpa_model_create_cq },
	{ LVDPA_PRM_OP_CREATE_QP, 0, LVDPA_PRM_CREATE_QP_IN_BYTES, LVDPA_MODEL_KIND_QP,
	  LVDPA_PRM_FIELD_INIT(0x048, 24), lvdpa_model_create_qp },
};

int
lvdpa_model_cmd_create(struct lvdpa_model_dev *dev, const void *in, size_t inlen,
		       void *out, size_t outlen, struct lvdpa_model_obj **obj)
{
	const struct lvdpa_model_create_row *row = NULL;
	struct lvdpa_model_obj *o;
	uint16_t opcode, obj_type = 0;
	uint8_t st = LVDPA_PRM_STATUS_OK;
	uint32_t syn = 0;
	unsigned int i;
	bool opcode_known = false;

	*obj = NULL;
	if (in == NULL || out == NULL || outlen < LVDPA_MODEL_OUT_MIN)
		return -EINVAL;
	if (inlen < LVDPA_PRM_CMD_HDR_BYTES)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_INP_LEN_ERR,
					 LVDPA_MODEL_SYN_INLEN);
	opcode = lvdpa_prm_get(in, LVDPA_PRM_IN_OPCODE);
	if (opcode == LVDPA_PRM_OP_CREATE_GENERAL_OBJECT)
		obj_type = lvdpa_prm_get(in, LVDPA_PRM_GOBJ_IN_OBJ_TYPE);
	for (i = 0; i < RTE_DIM(lvdpa_model_create_rows); i++) {
		if (lvdpa_model_create_rows[i].opcode != opcode)
			continue;
		opcode_known = true;
		if (lvdpa_model_create_rows[i].obj_type == obj_type) {
			row = &lvdpa_model_create_rows[i];
			break;
		}
	}
	if (row == NULL)
		return lvdpa_model_reply(out, outlen,
			opcode_known ? LVDPA_PRM_STATUS_BAD_PARAM_ERR : LVDPA_PRM_STATUS_BAD_OP_ERR,
			opcode_known ? LVDPA_MODEL_SYN_OBJ_TYPE : LVDPA_MODEL_SYN_OPCODE);
	if (inlen < row->inlen)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_INP_LEN_ERR,
					 LVDPA_MODEL_SYN_INLEN);
	if (outlen < LVDPA_PRM_CMD_HDR_BYTES)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_OUTP_LEN_ERR,
					 LVDPA_MODEL_SYN_OUTLEN);
	o = lvdpa_model_obj_alloc(dev, row->kind);
	if (o == NULL)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_NO_RES_ERR,
					 LVDPA_MODEL_SYN_NO_RES);
	o->obj_type = obj_type;
	if (row->fn(dev, in, inlen, o, &st, &syn) != 0) {
		/* Undo what the creator took before it refused. */
		lvdpa_model_cmd_release(dev, o);
		return lvdpa_model_reply(out, outlen, st, syn);
	}
	lvdpa_model_ok(out, outlen < LVDPA_PRM_CMD_HDR_BYTES ? outlen : LVDPA_PRM_CMD_HDR_BYTES);
	lvdpa_prm_set(out, (struct lvdpa_prm_field){ row->id.bit, row->id.width }, o->id);
	*obj = o;
	return 0;
}

/* ---- general commands ---- */

int
lvdpa_model_cmd_general(struct lvdpa_model_dev *dev, const void *in, size_t inlen,
			void *out, size_t outlen)
{
	uint16_t opcode;

	if (in == NULL || out == NULL || outlen < LVDPA_MODEL_OUT_MIN)
		return -EINVAL;
	if (inlen < LVDPA_PRM_CMD_HDR_BYTES)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_INP_LEN_ERR,
					 LVDPA_MODEL_SYN_INLEN);
	opcode = lvdpa_prm_get(in, LVDPA_PRM_IN_OPCODE);
	switch (opcode) {
	case LVDPA_PRM_OP_QUERY_HCA_CAP:
		return lvdpa_model_query_hca_cap(dev, in, out, outlen);
	default:
		/* Object commands come through obj_create/modify/query. */
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_OP_ERR,
					 LVDPA_MODEL_SYN_OPCODE);
	}
}

/* ---- modify ---- */

static int
lvdpa_model_modify_virtq(struct lvdpa_model_dev *dev, struct lvdpa_model_virtq *vq,
			 const uint8_t *in, void *out, size_t outlen)
{
	uint64_t sel = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_MODIFY_FIELD_SELECT);
	struct lvdpa_model_vq_attr *a = &vq->attr, n;
	int state = atomic_load(&vq->state);
	uint32_t syn = 0;
	bool need_stop = false;

	if (sel == 0 || (sel & ~LVDPA_PRM_VIRTQ_MODIFY_ALL) != 0)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_PARAM_ERR, 0x1b0002);
	if (lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_QUEUE_INDEX) != a->queue_index)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_PARAM_ERR, 0x1b0003);
	if (state == LVDPA_MODEL_VQ_ERR)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_RES_STATE_ERR, 0x1b0004);
	if ((sel & LVDPA_PRM_VIRTQ_MODIFY_STATE) &&
	    !lvdpa_model_vq_transition_ok(state, lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_STATE)))
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_RES_STATE_ERR, 0x1b0001);
	/*
	 * Ring layout fields, and the header length the feature mask decides,
	 * change only while the queue does not run.
	 */
	if (sel & (LVDPA_PRM_VIRTQ_MODIFY_ADDR | LVDPA_PRM_VIRTQ_MODIFY_HW_AVAILABLE_INDEX |
		   LVDPA_PRM_VIRTQ_MODIFY_HW_USED_INDEX | LVDPA_PRM_VIRTQ_MODIFY_Q_TYPE |
		   LVDPA_PRM_VIRTQ_MODIFY_VERSION_1_0 | LVDPA_PRM_VIRTQ_MODIFY_Q_MKEY |
		   LVDPA_PRM_VIRTQ_MODIFY_EVENT_MODE | LVDPA_PRM_VIRTQ_MODIFY_QUEUE_FEATURES)) {
		if (state == LVDPA_MODEL_VQ_RDY)
			return lvdpa_model_reply(out, outlen,
						 LVDPA_PRM_STATUS_BAD_RES_STATE_ERR, 0x1b0005);
		need_stop = true;
	}
	lvdpa_model_vq_decode(dev, in, &n);
	if ((sel & LVDPA_PRM_VIRTQ_MODIFY_Q_TYPE) && n.type > 1)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_PARAM_ERR, 0x1a0001);
	if ((sel & LVDPA_PRM_VIRTQ_MODIFY_Q_TYPE) && n.type == 1 && !dev->caps.packed)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_PARAM_ERR, 0x1a0002);
	if ((sel & LVDPA_PRM_VIRTQ_MODIFY_VERSION_1_0) && !n.version_1_0 && !dev->caps.legacy)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_PARAM_ERR, 0x1a0003);
	if ((sel & LVDPA_PRM_VIRTQ_MODIFY_EVENT_MODE) &&
	    (n.event_mode > 2 || !(dev->caps.event_modes & (1u << n.event_mode))))
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_PARAM_ERR, 0x1a0006);
	if (need_stop && vq->ring_ok) {
		/* Keep the position, rebuild the ring at the next RDY. */
		lvdpa_model_virtq_sync(vq);
		lvdpa_ring_fini(&vq->ring);
		vq->ring_ok = false;
	}
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_DIRTY_BITMAP_PARAMS) {
		a->dirty_bitmap_mkey = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_DIRTY_BITMAP_MKEY);
		a->dirty_bitmap_size = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_DIRTY_BITMAP_SIZE);
		a->dirty_bitmap_addr = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_DIRTY_BITMAP_ADDR);
		a->vhost_log_page = lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_VHOST_LOG_PAGE);
	}
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_DIRTY_BITMAP_DUMP_ENABLE)
		a->dirty_bitmap_dump_enable =
			lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_DIRTY_BITMAP_DUMP_ENABLE);
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_ADDR) {
		a->desc_addr = n.desc_addr;
		a->used_addr = n.used_addr;
		a->avail_addr = n.avail_addr;
	}
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_HW_AVAILABLE_INDEX)
		a->hw_available_index = n.hw_available_index;
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_HW_USED_INDEX)
		a->hw_used_index = n.hw_used_index;
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_Q_TYPE)
		a->type = n.type;
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_VERSION_1_0)
		a->version_1_0 = n.version_1_0;
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_Q_MKEY) {
		a->mkey = n.mkey;
		/* Translations cached for the old mkey (and the walker's window) go. */
		dev->obj_gen++;
	}
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_QUEUE_FEATURES) {
		a->queue_features = n.queue_features;
		a->mrg_rxbuf = n.mrg_rxbuf;
		a->tx_csum = n.tx_csum;
		a->rx_csum = n.rx_csum;
	}
	if (sel & (LVDPA_PRM_VIRTQ_MODIFY_VERSION_1_0 | LVDPA_PRM_VIRTQ_MODIFY_QUEUE_FEATURES))
		vq->hdr_len = a->version_1_0 || a->mrg_rxbuf ? 12 : 10;
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_EVENT_MODE) {
		a->event_mode = n.event_mode;
		a->event_qpn_or_msix = n.event_qpn_or_msix;
	}
	if ((sel & LVDPA_PRM_VIRTQ_MODIFY_STATE) &&
	    lvdpa_model_virtq_set_state(vq, lvdpa_prm_get(in, LVDPA_PRM_VIRTQ_STATE), &syn) != 0)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_RES_STATE_ERR, syn);
	return lvdpa_model_ok(out, outlen);
}

static int
lvdpa_model_modify_qp(struct lvdpa_model_obj *o, uint16_t opcode, const uint8_t *in,
		      size_t inlen, void *out, size_t outlen)
{
	struct lvdpa_model_qp *qp = &o->u.qp;
	size_t need = opcode == LVDPA_PRM_OP_2RST_QP ? LVDPA_PRM_QP_2RST_IN_BYTES :
						      LVDPA_PRM_QP_MODIFY_IN_BYTES;
	static const uint8_t from[] = {
		[LVDPA_PRM_OP_RST2INIT_QP - LVDPA_PRM_OP_RST2INIT_QP] = 0,
		[LVDPA_PRM_OP_INIT2RTR_QP - LVDPA_PRM_OP_RST2INIT_QP] = 1,
		[LVDPA_PRM_OP_RTR2RTS_QP - LVDPA_PRM_OP_RST2INIT_QP] = 2,
	};

	if (inlen < need)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_INP_LEN_ERR,
					 LVDPA_MODEL_SYN_INLEN);
	if (lvdpa_prm_get(in, LVDPA_PRM_QP_IN_QPN) != o->id)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_RES_ERR,
					 LVDPA_MODEL_SYN_OBJ_ID);
	if (opcode == LVDPA_PRM_OP_2RST_QP) {
		qp->state = 0;
		qp->remote_qpn = 0;
		return lvdpa_model_ok(out, outlen);
	}
	if (opcode < LVDPA_PRM_OP_RST2INIT_QP || opcode > LVDPA_PRM_OP_RTR2RTS_QP)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_OP_ERR,
					 LVDPA_MODEL_SYN_OPCODE);
	if (qp->state != from[opcode - LVDPA_PRM_OP_RST2INIT_QP])
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_QP_STATE_ERR, 0x1d0005);
	if (opcode == LVDPA_PRM_OP_INIT2RTR_QP)
		qp->remote_qpn = lvdpa_prm_get(in, LVDPA_PRM_QPC_REMOTE_QPN);
	qp->state++;
	return lvdpa_model_ok(out, outlen);
}

/* Check the general object header against the handle it came with. */
static int
lvdpa_model_gobj_check(struct lvdpa_model_obj *o, const void *in, uint16_t opcode,
		       void *out, size_t outlen)
{
	if (lvdpa_prm_get(in, LVDPA_PRM_GOBJ_IN_OPCODE) != opcode)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_OP_ERR,
					 LVDPA_MODEL_SYN_OPCODE);
	if (lvdpa_prm_get(in, LVDPA_PRM_GOBJ_IN_OBJ_TYPE) != o->obj_type)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_PARAM_ERR,
					 LVDPA_MODEL_SYN_OBJ_TYPE);
	if (lvdpa_prm_get(in, LVDPA_PRM_GOBJ_IN_OBJ_ID) != o->id)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_RES_ERR,
					 LVDPA_MODEL_SYN_OBJ_ID);
	return 1;
}

int
lvdpa_model_cmd_modify(struct lvdpa_model_dev *dev, struct lvdpa_model_obj *o,
		       const void *in, size_t inlen, void *out, size_t outlen)
{
	uint16_t opcode;
	int rc;

	if (in == NULL || out == NULL || outlen < LVDPA_MODEL_OUT_MIN)
		return -EINVAL;
	if (inlen < LVDPA_PRM_CMD_HDR_BYTES)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_INP_LEN_ERR,
					 LVDPA_MODEL_SYN_INLEN);
	opcode = lvdpa_prm_get(in, LVDPA_PRM_IN_OPCODE);
	if (o->kind == LVDPA_MODEL_KIND_QP)
		return lvdpa_model_modify_qp(o, opcode, in, inlen, out, outlen);
	if (o->kind != LVDPA_MODEL_KIND_VIRTQ)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_OP_ERR,
					 LVDPA_MODEL_SYN_OPCODE);
	rc = lvdpa_model_gobj_check(o, in, LVDPA_PRM_OP_MODIFY_GENERAL_OBJECT, out, outlen);
	if (rc != 1)
		return rc;
	if (inlen < LVDPA_PRM_VIRTQ_MBOX_BYTES)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_INP_LEN_ERR,
					 LVDPA_MODEL_SYN_INLEN);
	return lvdpa_model_modify_virtq(dev, o->u.vq, in, out, outlen);
}

/* ---- query ---- */

static void
lvdpa_model_vq_encode(struct lvdpa_model_virtq *vq, uint8_t *out)
{
	const struct lvdpa_model_vq_attr *a = &vq->attr;
	unsigned int i;

	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_QUEUE_FEATURE_BIT_MASK_12_3, a->queue_features >> 3);
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_QUEUE_FEATURE_BIT_MASK_2_0, a->queue_features & 0x7);
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_DIRTY_BITMAP_DUMP_ENABLE, a->dirty_bitmap_dump_enable);
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_VHOST_LOG_PAGE, a->vhost_log_page);
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_STATE, atomic_load(&vq->state));
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_DIRTY_BITMAP_MKEY, a->dirty_bitmap_mkey);
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_DIRTY_BITMAP_SIZE, a->dirty_bitmap_size);
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_DIRTY_BITMAP_ADDR, a->dirty_bitmap_addr);
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_HW_AVAILABLE_INDEX, a->hw_available_index);
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_HW_USED_INDEX, a->hw_used_index);
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_VIRTIO_Q_TYPE, a->type);
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_EVENT_MODE, a->event_mode);
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_QUEUE_INDEX, a->queue_index);
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_VIRTIO_VERSION_1_0, a->version_1_0);
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_EVENT_QPN_OR_MSIX, a->event_qpn_or_msix);
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_QUEUE_SIZE, a->queue_size);
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_DESC_ADDR, a->desc_addr);
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_USED_ADDR, a->used_addr);
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_AVAILABLE_ADDR, a->avail_addr);
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_VIRTIO_Q_MKEY, a->mkey);
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_ERROR_TYPE, vq->error_type);
	for (i = 0; i < 3; i++) {
		lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_UMEM_ID(i), a->umem_id[i]);
		lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_UMEM_SIZE(i), a->umem_size[i]);
		lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_UMEM_OFFSET(i), a->umem_offset[i]);
	}
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_COUNTER_SET_ID, a->counter_set_id);
	lvdpa_prm_set(out, LVDPA_PRM_VIRTQ_PD, a->pd);
}

int
lvdpa_model_cmd_query(struct lvdpa_model_dev *dev, struct lvdpa_model_obj *o,
		      const void *in, size_t inlen, void *out, size_t outlen)
{
	size_t need;
	int rc;

	if (in == NULL || out == NULL || outlen < LVDPA_MODEL_OUT_MIN)
		return -EINVAL;
	if (inlen < LVDPA_PRM_GOBJ_HDR_BYTES)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_INP_LEN_ERR,
					 LVDPA_MODEL_SYN_INLEN);
	if (o->kind != LVDPA_MODEL_KIND_VIRTQ && o->kind != LVDPA_MODEL_KIND_COUNTERS)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_OP_ERR,
					 LVDPA_MODEL_SYN_OPCODE);
	rc = lvdpa_model_gobj_check(o, in, LVDPA_PRM_OP_QUERY_GENERAL_OBJECT, out, outlen);
	if (rc != 1)
		return rc;
	need = o->kind == LVDPA_MODEL_KIND_VIRTQ ? LVDPA_PRM_VIRTQ_MBOX_BYTES :
						  LVDPA_PRM_VQ_COUNTERS_MBOX_BYTES;
	if (outlen < need)
		return lvdpa_model_reply(out, outlen, LVDPA_PRM_STATUS_BAD_OUTP_LEN_ERR,
					 LVDPA_MODEL_SYN_OUTLEN);
	lvdpa_model_ok(out, need);
	lvdpa_prm_set(out, LVDPA_PRM_GOBJ_OUT_OBJ_ID, o->id);
	if (o->kind == LVDPA_MODEL_KIND_VIRTQ) {
		lvdpa_model_virtq_sync(o->u.vq);
		lvdpa_model_vq_encode(o->u.vq, out);
	} else {
		struct lvdpa_model_counters *c = o->u.cnt;

		lvdpa_prm_set(out, LVDPA_PRM_VQ_COUNTERS_RECEIVED_DESC,
			      atomic_load(&c->received_desc));
		lvdpa_prm_set(out, LVDPA_PRM_VQ_COUNTERS_COMPLETED_DESC,
			      atomic_load(&c->completed_desc));
		lvdpa_prm_set(out, LVDPA_PRM_VQ_COUNTERS_ERROR_CQES,
			      atomic_load(&c->error_cqes));
		lvdpa_prm_set(out, LVDPA_PRM_VQ_COUNTERS_BAD_DESC_ERRORS,
			      atomic_load(&c->bad_desc_errors));
		lvdpa_prm_set(out, LVDPA_PRM_VQ_COUNTERS_EXCEED_MAX_CHAIN,
			      atomic_load(&c->exceed_max_chain));
		lvdpa_prm_set(out, LVDPA_PRM_VQ_COUNTERS_INVALID_BUFFER,
			      atomic_load(&c->invalid_buffer));
	}
	return 0;
}

/* ---- destroy ---- */

int
lvdpa_model_cmd_destroy(struct lvdpa_model_dev *dev, struct lvdpa_model_obj *o)
{
	if (o == NULL || lvdpa_model_obj_get(dev, o->id, o->kind) != o)
		return -EINVAL;
	lvdpa_model_cmd_release(dev, o);
	return 0;
}

void
lvdpa_model_cmd_release(struct lvdpa_model_dev *dev, struct lvdpa_model_obj *o)
{
	switch (o->kind) {
	case LVDPA_MODEL_KIND_VIRTQ:
		if (o->u.vq != NULL)
			lvdpa_model_virtq_destroy(o->u.vq);
		break;
	case LVDPA_MODEL_KIND_MKEY:
		lvdpa_model_mkey_release(dev, &o->u.mkey);
		break;
	case LVDPA_MODEL_KIND_COUNTERS:
		lvdpa_model_counters_put(o->u.cnt);
		break;
	case LVDPA_MODEL_KIND_CQ:
		if (o->u.cq.umem != NULL)
			o->u.cq.umem->refcnt--;
		break;
	default:
		break;
	}
	lvdpa_model_obj_free(dev, o);
}

/* ---- event path: the CQE behind an event QP ---- */

/*
 * A queue in event mode QP notifies through its firmware QP: the message
 * lands on the peer (driver) QP, whose receive CQ gets a CQE, and the CQ,
 * when armed, raises one completion event. Caller holds the device lock.
 */
void
lvdpa_model_event_completion(struct lvdpa_model_virtq *vq)
{
	struct lvdpa_model_dev *dev = vq->dev;
	struct lvdpa_model_obj *fw, *sw, *co;
	struct lvdpa_model_cq *cq;
	uint8_t cqe[LVDPA_PRM_CQE_BYTES], eqe[LVDPA_PRM_EQE_BYTES];
	uint32_t idx;
	uint8_t *dst;

	if (vq->attr.event_mode != LVDPA_PRM_VIRTQ_EVENT_MODE_QP)
		return;   /* NO_MSIX: the driver polls; MSIX: no vectors here */
	fw = lvdpa_model_obj_get(dev, vq->attr.event_qpn_or_msix, LVDPA_MODEL_KIND_QP);
	if (fw == NULL || fw->u.qp.state < 2)
		return;
	sw = lvdpa_model_obj_get(dev, fw->u.qp.remote_qpn, LVDPA_MODEL_KIND_QP);
	if (sw == NULL || sw->u.qp.state < 2)
		return;
	co = lvdpa_model_obj_get(dev, sw->u.qp.cqn, LVDPA_MODEL_KIND_CQ);
	if (co == NULL)
		return;
	cq = &co->u.cq;
	idx = cq->collapsed ? 0 : cq->pi & ((1u << cq->log_size) - 1);
	memset(cqe, 0, sizeof(cqe));
	lvdpa_prm_set(cqe, LVDPA_PRM_CQE_QPN, sw->id);
	lvdpa_prm_set(cqe, LVDPA_PRM_CQE_WQE_COUNTER, cq->pi);
	lvdpa_prm_set(cqe, LVDPA_PRM_CQE_OPCODE, LVDPA_PRM_CQE_OPCODE_RESP_SEND);
	lvdpa_prm_set(cqe, LVDPA_PRM_CQE_OWNER,
		      cq->collapsed ? 0 : (cq->pi >> cq->log_size) & 1);
	dst = cq->umem->addr + cq->umem_offset + (uint64_t)idx * cq->cqe_bytes +
	      (cq->cqe_bytes - LVDPA_PRM_CQE_BYTES);
	/* The owner byte goes last: the driver polls on it. */
	memcpy(dst, cqe, LVDPA_PRM_CQE_BYTES - 1);
	__atomic_store_n(&dst[LVDPA_PRM_CQE_OP_OWN_OFF], cqe[LVDPA_PRM_CQE_OP_OWN_OFF],
			 __ATOMIC_RELEASE);
	cq->pi++;
	if (!cq->armed)
		return;
	cq->armed = false;
	memset(eqe, 0, sizeof(eqe));
	lvdpa_prm_set(eqe, LVDPA_PRM_EQE_TYPE, LVDPA_PRM_EVENT_TYPE_COMPLETION);
	lvdpa_prm_set(eqe, LVDPA_PRM_EQE_COMP_CQN, co->id);
	lvdpa_model_event_raise(dev, co, LVDPA_PRM_EVENT_TYPE_COMPLETION,
				eqe + LVDPA_PRM_EQE_TP_DATA_OFF,
				LVDPA_PRM_EQE_BYTES - LVDPA_PRM_EQE_TP_DATA_OFF);
}

void
lvdpa_model_event_vq_error(struct lvdpa_model_virtq *vq)
{
	uint8_t eqe[LVDPA_PRM_EQE_BYTES];

	memset(eqe, 0, sizeof(eqe));
	lvdpa_prm_set(eqe, LVDPA_PRM_EQE_TYPE, LVDPA_PRM_EVENT_TYPE_OBJECT_CHANGE);
	lvdpa_prm_set(eqe, LVDPA_PRM_EQE_OBJ_CHANGE_OBJ_TYPE, vq->obj->obj_type);
	lvdpa_prm_set(eqe, LVDPA_PRM_EQE_OBJ_CHANGE_OBJ_ID, vq->obj->id);
	lvdpa_model_event_raise(vq->dev, vq->obj, LVDPA_PRM_EVENT_TYPE_OBJECT_CHANGE,
				eqe + LVDPA_PRM_EQE_TP_DATA_OFF,
				LVDPA_PRM_EQE_BYTES - LVDPA_PRM_EQE_TP_DATA_OFF);
}

/*
 * A CQ arm doorbell: the arm word (sequence, command, consumer index) and
 * the cqn. As on the hardware, arming a CQ that holds CQEs the driver has
 * not consumed yet (ci behind the CQEs written) raises the event at once.
 */
void
lvdpa_model_cq_arm(struct lvdpa_model_dev *dev, uint32_t cqn, uint32_t word)
{
	struct lvdpa_model_obj *co = lvdpa_model_obj_get(dev, cqn, LVDPA_MODEL_KIND_CQ);
	uint8_t eqe[LVDPA_PRM_EQE_BYTES];

	if (co == NULL)
		return;
	if ((word & LVDPA_PRM_CQ_CI_MASK) == (co->u.cq.pi & LVDPA_PRM_CQ_CI_MASK)) {
		co->u.cq.armed = true;
		return;
	}
	co->u.cq.armed = false;
	memset(eqe, 0, sizeof(eqe));
	lvdpa_prm_set(eqe, LVDPA_PRM_EQE_TYPE, LVDPA_PRM_EVENT_TYPE_COMPLETION);
	lvdpa_prm_set(eqe, LVDPA_PRM_EQE_COMP_CQN, co->id);
	lvdpa_model_event_raise(dev, co, LVDPA_PRM_EVENT_TYPE_COMPLETION,
				eqe + LVDPA_PRM_EQE_TP_DATA_OFF,
				LVDPA_PRM_EQE_BYTES - LVDPA_PRM_EQE_TP_DATA_OFF);
}
