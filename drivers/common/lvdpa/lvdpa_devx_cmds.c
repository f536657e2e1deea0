/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Attribute structs to PRM mailboxes and back. Each command is built in a
 * zeroed buffer of the exact PRM size, sent through the device's transport,
 * and its output header checked: a refusal becomes the errno of its status
 * and one log line naming opcode, object type, status and syndrome.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_io.h>
#include <rte_log.h>

#include "lvdpa_devx.h"
#include "lvdpa_devx_priv.h"
#include "lvdpa_prm.h"

RTE_LOG_REGISTER_SUFFIX(lvdpa_devx_logtype, devx, NOTICE);

#define LVDPA_DEVX_OUT_HDR_BYTES LVDPA_PRM_CMD_HDR_BYTES
/* Translation pages of umem-backed mkeys and WQ/CQ buffers default to 4 KiB. */
#define LVDPA_DEVX_ADAPTER_PAGE_SHIFT 12
/* The virtq doorbell sits inside one 4 KiB VAR page. */
#define LVDPA_DEVX_VAR_PAGE_SIZE 4096u

static const char *
lvdpa_devx_opcode_str(uint16_t opcode)
{
	switch (opcode) {
	case LVDPA_PRM_OP_QUERY_HCA_CAP: return "QUERY_HCA_CAP";
	case LVDPA_PRM_OP_CREATE_MKEY: return "CREATE_MKEY";
	case LVDPA_PRM_OP_DESTROY_MKEY: return "DESTROY_MKEY";
	case LVDPA_PRM_OP_CREATE_CQ: return "CREATE_CQ";
	case LVDPA_PRM_OP_DESTROY_CQ: return "DESTROY_CQ";
	case LVDPA_PRM_OP_CREATE_QP: return "CREATE_QP";
	case LVDPA_PRM_OP_DESTROY_QP: return "DESTROY_QP";
	case LVDPA_PRM_OP_RST2INIT_QP: return "RST2INIT_QP";
	case LVDPA_PRM_OP_INIT2RTR_QP: return "INIT2RTR_QP";
	case LVDPA_PRM_OP_RTR2RTS_QP: return "RTR2RTS_QP";
	case LVDPA_PRM_OP_2RST_QP: return "2RST_QP";
	case LVDPA_PRM_OP_ALLOC_PD: return "ALLOC_PD";
	case LVDPA_PRM_OP_DEALLOC_PD: return "DEALLOC_PD";
	case LVDPA_PRM_OP_CREATE_GENERAL_OBJECT: return "CREATE_GENERAL_OBJECT";
	case LVDPA_PRM_OP_MODIFY_GENERAL_OBJECT: return "MODIFY_GENERAL_OBJECT";
	case LVDPA_PRM_OP_QUERY_GENERAL_OBJECT: return "QUERY_GENERAL_OBJECT";
	case LVDPA_PRM_OP_DESTROY_GENERAL_OBJECT: return "DESTROY_GENERAL_OBJECT";
	default: return "UNKNOWN";
	}
}

static int
lvdpa_devx_fail(int err)
{
	rte_errno = err;
	return -err;
}

/*
 * Turn a transport return code and an output mailbox into 0 or -errno.
 * @p what names the command for the log, @p obj_type is 0 unless general.
 */
static int
lvdpa_devx_check(const char *what, uint16_t opcode, uint16_t obj_type,
		 int rc, const void *out)
{
	uint8_t status;
	uint32_t syndrome;
	int err;

	if (rc != 0) {
		err = rc < 0 ? -rc : EIO;
		LVDPA_DEVX_LOG(ERR, "%s: %s (opcode 0x%x) obj_type 0x%x not delivered: %s",
			       what, lvdpa_devx_opcode_str(opcode), opcode,
			       obj_type, strerror(err));
		return lvdpa_devx_fail(err);
	}
	status = (uint8_t)lvdpa_prm_get(out, LVDPA_PRM_OUT_STATUS);
	if (status == LVDPA_PRM_STATUS_OK)
		return 0;
	syndrome = (uint32_t)lvdpa_prm_get(out, LVDPA_PRM_OUT_SYNDROME);
	err = lvdpa_prm_status_errno(status);
	LVDPA_DEVX_LOG(ERR, "%s: %s (opcode 0x%x) obj_type 0x%x refused: status 0x%x (%s) syndrome 0x%08x: %s",
		       what, lvdpa_devx_opcode_str(opcode), opcode, obj_type,
		       status, lvdpa_prm_status_str(status), syndrome,
		       strerror(err));
	return lvdpa_devx_fail(err);
}

static int
lvdpa_devx_dev_ok(const struct lvdpa_tp_dev *dev)
{
	return dev != NULL && dev->ops != NULL;
}

static int
lvdpa_devx_obj_ok(const struct lvdpa_devx_obj *obj)
{
	return obj != NULL && obj->tp != NULL && obj->tp->dev != NULL &&
	       obj->tp->dev->ops != NULL;
}

static int
lvdpa_devx_general_cmd(struct lvdpa_tp_dev *dev, const char *what,
		       const void *in, size_t inlen, void *out, size_t outlen)
{
	uint16_t opcode = (uint16_t)lvdpa_prm_get(in, LVDPA_PRM_IN_OPCODE);
	int rc;

	if (dev->ops->general_cmd == NULL)
		return lvdpa_devx_fail(ENOTSUP);
	rc = dev->ops->general_cmd(dev, in, inlen, out, outlen);
	return lvdpa_devx_check(what, opcode, 0, rc, out);
}

/*
 * Create an object and read its id from @p id_field of the output; the
 * caller may adjust the id (mkeys).
 */
static int
lvdpa_devx_create(struct lvdpa_tp_dev *dev, const char *what,
		  const void *in, size_t inlen, uint16_t obj_type,
		  struct lvdpa_prm_field id_field, struct lvdpa_devx_obj **res)
{
	uint8_t out[LVDPA_DEVX_OUT_HDR_BYTES];
	uint16_t opcode = (uint16_t)lvdpa_prm_get(in, LVDPA_PRM_IN_OPCODE);
	struct lvdpa_tp_obj *tp = NULL;
	struct lvdpa_devx_obj *obj;
	int rc;

	*res = NULL;
	if (dev->ops->obj_create == NULL)
		return lvdpa_devx_fail(ENOTSUP);
	obj = calloc(1, sizeof(*obj));
	if (obj == NULL)
		return lvdpa_devx_fail(ENOMEM);
	memset(out, 0, sizeof(out));
	rc = dev->ops->obj_create(dev, in, inlen, out, sizeof(out), &tp);
	rc = lvdpa_devx_check(what, opcode, obj_type, rc, out);
	if (rc == 0 && tp == NULL) {
		LVDPA_DEVX_LOG(ERR, "%s: transport returned success without an object",
			       what);
		rc = lvdpa_devx_fail(EIO);
	}
	if (rc < 0) {
		if (tp != NULL && dev->ops->obj_destroy != NULL)
			dev->ops->obj_destroy(tp);
		free(obj);
		return rc;
	}
	obj->tp = tp;
	obj->id = (uint32_t)lvdpa_prm_get(out, id_field);
	obj->create_opcode = opcode;
	obj->obj_type = obj_type;
	*res = obj;
	return 0;
}

int
lvdpa_devx_obj_destroy(struct lvdpa_devx_obj *obj)
{
	struct lvdpa_tp_dev *dev;
	int rc;

	if (obj == NULL)
		return 0;
	if (!lvdpa_devx_obj_ok(obj)) {
		free(obj);
		return lvdpa_devx_fail(EINVAL);
	}
	dev = obj->tp->dev;
	rc = dev->ops->obj_destroy != NULL ? dev->ops->obj_destroy(obj->tp) : -ENOTSUP;
	if (rc > 0)
		rc = -rc;
	if (rc < 0)
		LVDPA_DEVX_LOG(ERR, "destroying object 0x%x (created by %s, obj_type 0x%x) failed: %s",
			       obj->id, lvdpa_devx_opcode_str(obj->create_opcode),
			       obj->obj_type, strerror(-rc));
	/* The handle is gone either way: the device owns what is left. */
	free(obj);
	if (rc < 0)
		return lvdpa_devx_fail(-rc);
	return 0;
}

static int
lvdpa_devx_obj_cmd(struct lvdpa_devx_obj *obj, bool query, const char *what,
		   const void *in, size_t inlen, void *out, size_t outlen)
{
	const struct lvdpa_transport_ops *ops = obj->tp->dev->ops;
	uint16_t opcode = (uint16_t)lvdpa_prm_get(in, LVDPA_PRM_IN_OPCODE);
	int rc;

	if (query && ops->obj_query != NULL)
		rc = ops->obj_query(obj->tp, in, inlen, out, outlen);
	else if (!query && ops->obj_modify != NULL)
		rc = ops->obj_modify(obj->tp, in, inlen, out, outlen);
	else
		return lvdpa_devx_fail(ENOTSUP);
	return lvdpa_devx_check(what, opcode, obj->obj_type, rc, out);
}

static void
lvdpa_devx_gobj_hdr(void *in, uint16_t opcode, uint16_t obj_type, uint32_t obj_id)
{
	lvdpa_prm_set(in, LVDPA_PRM_GOBJ_IN_OPCODE, opcode);
	lvdpa_prm_set(in, LVDPA_PRM_GOBJ_IN_OBJ_TYPE, obj_type);
	lvdpa_prm_set(in, LVDPA_PRM_GOBJ_IN_OBJ_ID, obj_id);
}

/* ------------------------------------------------------------------ */
/* Capabilities */

static int
lvdpa_devx_query_hca_cap(struct lvdpa_tp_dev *dev, uint8_t type, uint8_t *out,
			 bool quiet_refusal)
{
	uint8_t in[LVDPA_PRM_QUERY_HCA_CAP_IN_BYTES];
	int rc;

	memset(in, 0, sizeof(in));
	memset(out, 0, LVDPA_PRM_QUERY_HCA_CAP_OUT_BYTES);
	lvdpa_prm_set(in, LVDPA_PRM_IN_OPCODE, LVDPA_PRM_OP_QUERY_HCA_CAP);
	lvdpa_prm_set(in, LVDPA_PRM_IN_OP_MOD,
		      LVDPA_PRM_HCA_CAP_OP_MOD(type, LVDPA_PRM_HCA_CAP_CUR));
	if (quiet_refusal) {
		/* A device without virtio emulation refuses the query: not an error here. */
		rc = dev->ops->general_cmd(dev, in, sizeof(in), out,
					   LVDPA_PRM_QUERY_HCA_CAP_OUT_BYTES);
		if (rc == 0 && lvdpa_prm_get(out, LVDPA_PRM_OUT_STATUS) != 0) {
			uint8_t st = (uint8_t)lvdpa_prm_get(out, LVDPA_PRM_OUT_STATUS);

			LVDPA_DEVX_LOG(INFO, "no virtio emulation caps: status 0x%x (%s) syndrome 0x%08x",
				       st, lvdpa_prm_status_str(st),
				       (uint32_t)lvdpa_prm_get(out, LVDPA_PRM_OUT_SYNDROME));
			return lvdpa_devx_fail(lvdpa_prm_status_errno(st));
		}
		return lvdpa_devx_check("query virtio emulation caps",
					LVDPA_PRM_OP_QUERY_HCA_CAP, 0, rc, out);
	}
	return lvdpa_devx_general_cmd(dev, "query general caps", in, sizeof(in),
				      out, LVDPA_PRM_QUERY_HCA_CAP_OUT_BYTES);
}

int
lvdpa_devx_query_caps(struct lvdpa_tp_dev *dev, struct lvdpa_devx_caps *caps)
{
	uint8_t *out;
	unsigned int i;
	int rc;

	if (!lvdpa_devx_dev_ok(dev) || caps == NULL)
		return lvdpa_devx_fail(EINVAL);
	if (dev->ops->general_cmd == NULL)
		return lvdpa_devx_fail(ENOTSUP);
	memset(caps, 0, sizeof(*caps));
	out = malloc(LVDPA_PRM_QUERY_HCA_CAP_OUT_BYTES);
	if (out == NULL)
		return lvdpa_devx_fail(ENOMEM);
	rc = lvdpa_devx_query_hca_cap(dev, LVDPA_PRM_HCA_CAP_TYPE_GENERAL, out, false);
	if (rc < 0)
		goto out;
	caps->vhca_id = lvdpa_prm_get(out, LVDPA_PRM_HCA_CAP_VHCA_ID);
	caps->log_max_qp_sz = lvdpa_prm_get(out, LVDPA_PRM_HCA_CAP_LOG_MAX_QP_SZ);
	caps->log_max_qp = lvdpa_prm_get(out, LVDPA_PRM_HCA_CAP_LOG_MAX_QP);
	caps->log_max_cq_sz = lvdpa_prm_get(out, LVDPA_PRM_HCA_CAP_LOG_MAX_CQ_SZ);
	caps->log_max_cq = lvdpa_prm_get(out, LVDPA_PRM_HCA_CAP_LOG_MAX_CQ);
	caps->log_max_eq_sz = lvdpa_prm_get(out, LVDPA_PRM_HCA_CAP_LOG_MAX_EQ_SZ);
	caps->log_max_eq = lvdpa_prm_get(out, LVDPA_PRM_HCA_CAP_LOG_MAX_EQ);
	caps->log_max_mkey = lvdpa_prm_get(out, LVDPA_PRM_HCA_CAP_LOG_MAX_MKEY);
	caps->log_max_mrw_sz = lvdpa_prm_get(out, LVDPA_PRM_HCA_CAP_LOG_MAX_MRW_SZ);
	caps->log_max_klm_list_size =
		lvdpa_prm_get(out, LVDPA_PRM_HCA_CAP_LOG_MAX_KLM_LIST_SIZE);
	caps->log_max_pd = lvdpa_prm_get(out, LVDPA_PRM_HCA_CAP_LOG_MAX_PD);
	caps->sq_ts_format = lvdpa_prm_get(out, LVDPA_PRM_HCA_CAP_SQ_TS_FORMAT);
	caps->rq_ts_format = lvdpa_prm_get(out, LVDPA_PRM_HCA_CAP_RQ_TS_FORMAT);
	caps->eswitch_manager = lvdpa_prm_get(out, LVDPA_PRM_HCA_CAP_ESWITCH_MANAGER);
	caps->umem_uid_0 = lvdpa_prm_get(out, LVDPA_PRM_HCA_CAP_UMEM_UID_0);
	caps->virtio_net_device_emulation_manager =
		lvdpa_prm_get(out, LVDPA_PRM_HCA_CAP_VIRTIO_NET_DEVICE_EMULATION_MANAGER);
	caps->general_obj_types =
		lvdpa_prm_get(out, LVDPA_PRM_HCA_CAP_GENERAL_OBJ_TYPES);
	caps->virtq_supported = !!(caps->general_obj_types &
				   LVDPA_PRM_GENERAL_OBJ_TYPES_VIRTQ);
	caps->queue_counters_supported = !!(caps->general_obj_types &
				LVDPA_PRM_GENERAL_OBJ_TYPES_VIRTIO_Q_COUNTERS);

	rc = lvdpa_devx_query_hca_cap(dev, LVDPA_PRM_HCA_CAP_TYPE_VIRTIO_EMULATION,
				      out, true);
	if (rc < 0) {
		/* Refused: no vDPA caps, the caller decides. Undelivered: an error. */
		if (lvdpa_prm_get(out, LVDPA_PRM_OUT_STATUS) != 0)
			rc = 0;
		goto out;
	}
	caps->vdpa_valid = true;
	caps->desc_tunnel_offload_type =
		lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_DESC_TUNNEL_OFFLOAD_TYPE);
	caps->eth_frame_offload_type =
		lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_ETH_FRAME_OFFLOAD_TYPE);
	caps->virtio_version_1_0 =
		lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_VIRTIO_VERSION_1_0);
	caps->device_features_bits_mask =
		lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_DEVICE_FEATURES_BITS_MASK);
	caps->tso_ipv4 = lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_TSO_IPV4);
	caps->tso_ipv6 = lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_TSO_IPV6);
	caps->tx_csum = lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_TX_CSUM);
	caps->rx_csum = lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_RX_CSUM);
	caps->event_mode = lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_EVENT_MODE);
	caps->virtio_queue_type =
		lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_VIRTIO_QUEUE_TYPE);
	caps->max_tunnel_desc =
		lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_MAX_TUNNEL_DESC);
	caps->log_doorbell_stride =
		lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_LOG_DOORBELL_STRIDE);
	caps->vnet_modify_ext =
		lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_VNET_MODIFY_EXT);
	caps->virtio_net_q_addr_modify =
		lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_VIRTIO_NET_Q_ADDR_MODIFY);
	caps->virtio_q_index_modify =
		lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_VIRTIO_Q_INDEX_MODIFY);
	caps->log_doorbell_bar_size =
		lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_LOG_DOORBELL_BAR_SIZE);
	caps->doorbell_bar_offset =
		lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_DOORBELL_BAR_OFFSET);
	caps->max_emulated_devices =
		lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_MAX_EMULATED_DEVICES);
	caps->max_num_virtio_queues =
		lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_MAX_NUM_VIRTIO_QUEUES);
	for (i = 0; i < 3; i++) {
		caps->umems[i].a = lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_UMEM_PARAM_A(i));
		caps->umems[i].b = lvdpa_prm_get(out, LVDPA_PRM_VIRTIO_CAP_UMEM_PARAM_B(i));
	}
out:
	free(out);
	return rc;
}

uint32_t
lvdpa_devx_virtq_umem_size(const struct lvdpa_devx_caps *caps, unsigned int n,
			   uint16_t queue_size)
{
	if (caps == NULL || n >= 3)
		return 0;
	return caps->umems[n].a * (uint32_t)queue_size + caps->umems[n].b;
}

/* ------------------------------------------------------------------ */
/* PD, umem */

int
lvdpa_devx_pd_alloc(struct lvdpa_tp_dev *dev, struct lvdpa_devx_obj **pd)
{
	uint8_t in[LVDPA_PRM_CMD_HDR_BYTES];

	if (pd != NULL)
		*pd = NULL;
	if (!lvdpa_devx_dev_ok(dev) || pd == NULL)
		return lvdpa_devx_fail(EINVAL);
	memset(in, 0, sizeof(in));
	lvdpa_prm_set(in, LVDPA_PRM_IN_OPCODE, LVDPA_PRM_OP_ALLOC_PD);
	return lvdpa_devx_create(dev, "alloc PD", in, sizeof(in), 0,
				 LVDPA_PRM_ALLOC_PD_OUT_PD, pd);
}

int
lvdpa_devx_pd_free(struct lvdpa_devx_obj *pd)
{
	return lvdpa_devx_obj_destroy(pd);
}

int
lvdpa_devx_umem_reg(struct lvdpa_tp_dev *dev, void *addr, size_t size,
		    uint32_t access, struct lvdpa_tp_umem **umem)
{
	int rc;

	if (umem != NULL)
		*umem = NULL;
	if (!lvdpa_devx_dev_ok(dev) || umem == NULL || addr == NULL || size == 0)
		return lvdpa_devx_fail(EINVAL);
	if (dev->ops->umem_reg == NULL)
		return lvdpa_devx_fail(ENOTSUP);
	rc = dev->ops->umem_reg(dev, addr, size, access, umem);
	if (rc > 0)
		rc = -rc;
	if (rc == 0 && *umem == NULL)
		rc = -EIO;
	if (rc < 0) {
		*umem = NULL;
		LVDPA_DEVX_LOG(ERR, "umem registration of %zu bytes at %p failed: %s",
			       size, addr, strerror(-rc));
		return lvdpa_devx_fail(-rc);
	}
	return 0;
}

int
lvdpa_devx_umem_dereg(struct lvdpa_tp_umem *umem)
{
	int rc;

	if (umem == NULL)
		return 0;
	if (umem->dev == NULL || umem->dev->ops == NULL ||
	    umem->dev->ops->umem_dereg == NULL)
		return lvdpa_devx_fail(EINVAL);
	rc = umem->dev->ops->umem_dereg(umem);
	if (rc > 0)
		rc = -rc;
	if (rc < 0) {
		LVDPA_DEVX_LOG(ERR, "umem deregistration failed: %s", strerror(-rc));
		return lvdpa_devx_fail(-rc);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Memory keys */

static void
lvdpa_devx_mkc_common(uint8_t *in, uint32_t pd, uint64_t addr, uint64_t size,
		      uint8_t key, bool remote_rw)
{
	lvdpa_prm_set(in, LVDPA_PRM_IN_OPCODE, LVDPA_PRM_OP_CREATE_MKEY);
	lvdpa_prm_set(in, LVDPA_PRM_MKC_LW, 1);
	lvdpa_prm_set(in, LVDPA_PRM_MKC_LR, 1);
	if (remote_rw) {
		lvdpa_prm_set(in, LVDPA_PRM_MKC_RW, 1);
		lvdpa_prm_set(in, LVDPA_PRM_MKC_RR, 1);
	}
	/* No QP owns the mkey. */
	lvdpa_prm_set(in, LVDPA_PRM_MKC_QPN, 0xffffff);
	lvdpa_prm_set(in, LVDPA_PRM_MKC_MKEY_7_0, key);
	lvdpa_prm_set(in, LVDPA_PRM_MKC_PD, pd);
	lvdpa_prm_set(in, LVDPA_PRM_MKC_START_ADDR, addr);
	lvdpa_prm_set(in, LVDPA_PRM_MKC_LEN, size);
}

static int
lvdpa_devx_mkey_finish(int rc, uint8_t key, struct lvdpa_devx_obj **mkey)
{
	/* The device returns the index; the key is index << 8 | variant. */
	if (rc == 0)
		(*mkey)->id = ((*mkey)->id << 8) | key;
	return rc;
}

int
lvdpa_devx_mkey_create_direct(struct lvdpa_tp_dev *dev,
			      const struct lvdpa_devx_mkey_direct_attr *attr,
			      struct lvdpa_devx_obj **mkey)
{
	uint8_t in[LVDPA_PRM_CREATE_MKEY_IN_BYTES];
	uint32_t lps, npages, octwords;
	uint64_t page, span;
	int rc;

	if (mkey != NULL)
		*mkey = NULL;
	if (!lvdpa_devx_dev_ok(dev) || attr == NULL || mkey == NULL ||
	    attr->size == 0 || attr->log_page_size > 30)
		return lvdpa_devx_fail(EINVAL);
	lps = attr->log_page_size ? attr->log_page_size : LVDPA_DEVX_ADAPTER_PAGE_SHIFT;
	page = UINT64_C(1) << lps;
	/* One 8-byte MTT entry per page the range touches; two per octword. */
	span = (attr->umem_offset & (page - 1)) + attr->size;
	if (span < attr->size || (span >> lps) >= UINT32_MAX)
		return lvdpa_devx_fail(EINVAL);
	npages = (uint32_t)((span + page - 1) >> lps);
	octwords = (npages + 1) / 2;
	memset(in, 0, sizeof(in));
	lvdpa_devx_mkc_common(in, attr->pd, attr->addr, attr->size, attr->key,
			      attr->remote_rw);
	lvdpa_prm_set(in, LVDPA_PRM_MKC_ACCESS_MODE_1_0, LVDPA_PRM_MKC_ACCESS_MODE_MTT);
	lvdpa_prm_set(in, LVDPA_PRM_MKC_LOG_PAGE_SIZE, lps);
	lvdpa_prm_set(in, LVDPA_PRM_MKC_TRANSLATIONS_OCTWORD_SIZE, octwords);
	lvdpa_prm_set(in, LVDPA_PRM_CREATE_MKEY_TRANSLATIONS_OCTWORD_ACTUAL_SIZE, octwords);
	lvdpa_prm_set(in, LVDPA_PRM_CREATE_MKEY_MKEY_UMEM_ID, attr->umem_id);
	lvdpa_prm_set(in, LVDPA_PRM_CREATE_MKEY_MKEY_UMEM_OFFSET, attr->umem_offset);
	if (attr->relaxed_ordering) {
		lvdpa_prm_set(in, LVDPA_PRM_MKC_RELAXED_ORDERING_WRITE, 1);
		lvdpa_prm_set(in, LVDPA_PRM_MKC_RELAXED_ORDERING_READ, 1);
	}
	rc = lvdpa_devx_create(dev, "create direct mkey", in, sizeof(in), 0,
			       LVDPA_PRM_CREATE_MKEY_OUT_MKEY_INDEX, mkey);
	return lvdpa_devx_mkey_finish(rc, attr->key, mkey);
}

int
lvdpa_devx_mkey_create_indirect(struct lvdpa_tp_dev *dev,
				const struct lvdpa_devx_mkey_indirect_attr *attr,
				struct lvdpa_devx_obj **mkey)
{
	uint32_t padded, i;
	size_t inlen;
	uint8_t *in;
	int rc;

	if (mkey != NULL)
		*mkey = NULL;
	if (!lvdpa_devx_dev_ok(dev) || attr == NULL || mkey == NULL ||
	    attr->klms == NULL || attr->klm_num == 0 || attr->size == 0 ||
	    attr->klm_num > (1u << 24) || attr->log_entity_size > 31)
		return lvdpa_devx_fail(EINVAL);
	/* The translation list is sent in groups of four octwords. */
	padded = (attr->klm_num + 3) & ~3u;
	inlen = LVDPA_PRM_CREATE_MKEY_IN_BYTES + (size_t)padded * LVDPA_PRM_KLM_BYTES;
	in = calloc(1, inlen);
	if (in == NULL)
		return lvdpa_devx_fail(ENOMEM);
	lvdpa_devx_mkc_common(in, attr->pd, attr->addr, attr->size, attr->key,
			      attr->remote_rw);
	lvdpa_prm_set(in, LVDPA_PRM_MKC_ACCESS_MODE_1_0,
		      attr->log_entity_size ? LVDPA_PRM_MKC_ACCESS_MODE_KLM_FBS :
					      LVDPA_PRM_MKC_ACCESS_MODE_KLM);
	lvdpa_prm_set(in, LVDPA_PRM_MKC_LOG_PAGE_SIZE, attr->log_entity_size);
	lvdpa_prm_set(in, LVDPA_PRM_MKC_TRANSLATIONS_OCTWORD_SIZE, padded);
	lvdpa_prm_set(in, LVDPA_PRM_CREATE_MKEY_TRANSLATIONS_OCTWORD_ACTUAL_SIZE, padded);
	for (i = 0; i < attr->klm_num; i++) {
		uint8_t *klm = in + LVDPA_PRM_CREATE_MKEY_KLM_OFF +
			       (size_t)i * LVDPA_PRM_KLM_BYTES;

		lvdpa_prm_set(klm, LVDPA_PRM_KLM_BYTE_COUNT, attr->klms[i].len);
		lvdpa_prm_set(klm, LVDPA_PRM_KLM_MKEY, attr->klms[i].mkey);
		lvdpa_prm_set(klm, LVDPA_PRM_KLM_ADDRESS, attr->klms[i].addr);
	}
	rc = lvdpa_devx_create(dev, "create indirect mkey", in, inlen, 0,
			       LVDPA_PRM_CREATE_MKEY_OUT_MKEY_INDEX, mkey);
	free(in);
	return lvdpa_devx_mkey_finish(rc, attr->key, mkey);
}

int
lvdpa_devx_mkey_destroy(struct lvdpa_devx_obj *mkey)
{
	return lvdpa_devx_obj_destroy(mkey);
}

/* ------------------------------------------------------------------ */
/* Virtq counters */

int
lvdpa_devx_counters_create(struct lvdpa_tp_dev *dev,
			   struct lvdpa_devx_obj **counters)
{
	uint8_t in[LVDPA_PRM_VQ_COUNTERS_MBOX_BYTES];

	if (counters != NULL)
		*counters = NULL;
	if (!lvdpa_devx_dev_ok(dev) || counters == NULL)
		return lvdpa_devx_fail(EINVAL);
	memset(in, 0, sizeof(in));
	lvdpa_devx_gobj_hdr(in, LVDPA_PRM_OP_CREATE_GENERAL_OBJECT,
			    LVDPA_PRM_OBJ_TYPE_VIRTIO_Q_COUNTERS, 0);
	return lvdpa_devx_create(dev, "create virtq counters", in, sizeof(in),
				 LVDPA_PRM_OBJ_TYPE_VIRTIO_Q_COUNTERS,
				 LVDPA_PRM_GOBJ_OUT_OBJ_ID, counters);
}

int
lvdpa_devx_counters_query(struct lvdpa_devx_obj *counters,
			  struct lvdpa_devx_virtq_counters *res)
{
	uint8_t in[LVDPA_PRM_GOBJ_HDR_BYTES];
	uint8_t out[LVDPA_PRM_VQ_COUNTERS_MBOX_BYTES];
	int rc;

	if (!lvdpa_devx_obj_ok(counters) || res == NULL)
		return lvdpa_devx_fail(EINVAL);
	memset(in, 0, sizeof(in));
	memset(out, 0, sizeof(out));
	lvdpa_devx_gobj_hdr(in, LVDPA_PRM_OP_QUERY_GENERAL_OBJECT,
			    LVDPA_PRM_OBJ_TYPE_VIRTIO_Q_COUNTERS, counters->id);
	rc = lvdpa_devx_obj_cmd(counters, true, "query virtq counters", in,
				sizeof(in), out, sizeof(out));
	if (rc < 0)
		return rc;
	res->received_desc = lvdpa_prm_get(out, LVDPA_PRM_VQ_COUNTERS_RECEIVED_DESC);
	res->completed_desc = lvdpa_prm_get(out, LVDPA_PRM_VQ_COUNTERS_COMPLETED_DESC);
	res->error_cqes = lvdpa_prm_get(out, LVDPA_PRM_VQ_COUNTERS_ERROR_CQES);
	res->bad_desc_errors = lvdpa_prm_get(out, LVDPA_PRM_VQ_COUNTERS_BAD_DESC_ERRORS);
	res->exceed_max_chain = lvdpa_prm_get(out, LVDPA_PRM_VQ_COUNTERS_EXCEED_MAX_CHAIN);
	res->invalid_buffer = lvdpa_prm_get(out, LVDPA_PRM_VQ_COUNTERS_INVALID_BUFFER);
	return 0;
}

int
lvdpa_devx_counters_destroy(struct lvdpa_devx_obj *counters)
{
	return lvdpa_devx_obj_destroy(counters);
}

/* ------------------------------------------------------------------ */
/* Virtqs */

/* Virtio net feature bit -> queue_feature_bit_mask bit. */
static const struct {
	uint8_t virtio;
	uint8_t qf;
} lvdpa_devx_qf_map[] = {
	{ 0, LVDPA_PRM_VIRTQ_QF_CSUM },		/* VIRTIO_NET_F_CSUM */
	{ 1, LVDPA_PRM_VIRTQ_QF_GUEST_CSUM },	/* VIRTIO_NET_F_GUEST_CSUM */
	{ 7, LVDPA_PRM_VIRTQ_QF_GUEST_TSO4 },	/* VIRTIO_NET_F_GUEST_TSO4 */
	{ 8, LVDPA_PRM_VIRTQ_QF_GUEST_TSO6 },	/* VIRTIO_NET_F_GUEST_TSO6 */
	{ 9, LVDPA_PRM_VIRTQ_QF_GUEST_ECN },	/* VIRTIO_NET_F_GUEST_ECN */
	{ 11, LVDPA_PRM_VIRTQ_QF_HOST_TSO4 },	/* VIRTIO_NET_F_HOST_TSO4 */
	{ 12, LVDPA_PRM_VIRTQ_QF_HOST_TSO6 },	/* VIRTIO_NET_F_HOST_TSO6 */
	{ 13, LVDPA_PRM_VIRTQ_QF_HOST_ECN },	/* VIRTIO_NET_F_HOST_ECN */
	{ 15, LVDPA_PRM_VIRTQ_QF_MRG_RXBUF },	/* VIRTIO_NET_F_MRG_RXBUF */
};

uint16_t
lvdpa_devx_virtq_features(uint64_t virtio_features)
{
	uint16_t m = 0;
	unsigned int i;

	for (i = 0; i < RTE_DIM(lvdpa_devx_qf_map); i++)
		if (virtio_features & (UINT64_C(1) << lvdpa_devx_qf_map[i].virtio))
			m |= 1u << lvdpa_devx_qf_map[i].qf;
	return m;
}

static void
lvdpa_devx_virtq_encode_features(uint8_t *in, const struct lvdpa_devx_virtq_attr *a)
{
	uint16_t m = a->queue_features;

	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_QUEUE_FEATURE_BIT_MASK_12_3, m >> 3);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_QUEUE_FEATURE_BIT_MASK_2_0, m & 0x7);
}

static void
lvdpa_devx_virtq_encode_addrs(uint8_t *in, const struct lvdpa_devx_virtq_attr *a)
{
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_DESC_ADDR, a->desc_addr);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_USED_ADDR, a->used_addr);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_AVAILABLE_ADDR, a->available_addr);
}

static void
lvdpa_devx_virtq_encode_period(uint8_t *in, const struct lvdpa_devx_virtq_attr *a)
{
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_QUEUE_PERIOD_MODE, a->queue_period_mode);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_QUEUE_PERIOD_US, a->queue_period_us);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_QUEUE_MAX_COUNT, a->queue_max_count);
}

static void
lvdpa_devx_virtq_encode_event(uint8_t *in, const struct lvdpa_devx_virtq_attr *a)
{
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_EVENT_MODE, a->event_mode);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_EVENT_QPN_OR_MSIX, a->event_qpn_or_msix);
}

int
lvdpa_devx_virtq_create(struct lvdpa_tp_dev *dev,
			const struct lvdpa_devx_virtq_attr *a,
			struct lvdpa_devx_obj **virtq)
{
	uint8_t in[LVDPA_PRM_VIRTQ_MBOX_BYTES];
	unsigned int i;

	if (virtq != NULL)
		*virtq = NULL;
	if (!lvdpa_devx_dev_ok(dev) || a == NULL || virtq == NULL)
		return lvdpa_devx_fail(EINVAL);
	if (a->queue_period_us > 0xfff || a->event_mode > 7 ||
	    a->queue_period_mode > 3 || a->event_qpn_or_msix > 0xffffff ||
	    a->pd > 0xffffff || a->tisn_or_qpn > 0xffffff ||
	    (a->queue_features & ~LVDPA_PRM_VIRTQ_QF_ALL) != 0)
		return lvdpa_devx_fail(EINVAL);
	memset(in, 0, sizeof(in));
	lvdpa_devx_gobj_hdr(in, LVDPA_PRM_OP_CREATE_GENERAL_OBJECT,
			    LVDPA_PRM_OBJ_TYPE_VIRTQ, 0);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_HW_AVAILABLE_INDEX, a->hw_available_index);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_HW_USED_INDEX, a->hw_used_index);
	lvdpa_devx_virtq_encode_features(in, a);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_TISN_OR_QPN, a->tisn_or_qpn);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_VIRTIO_Q_TYPE, a->virtio_q_type);
	lvdpa_devx_virtq_encode_event(in, a);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_QUEUE_INDEX, a->queue_index);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_VIRTIO_VERSION_1_0, a->virtio_version_1_0);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_OFFLOAD_TYPE, a->offload_type);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_DOORBELL_STRIDE_IDX, a->doorbell_stride_idx);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_QUEUE_SIZE, a->queue_size);
	lvdpa_devx_virtq_encode_addrs(in, a);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_VIRTIO_Q_MKEY, a->mkey);
	for (i = 0; i < 3; i++) {
		lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_UMEM_ID(i), a->umems[i].id);
		lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_UMEM_SIZE(i), a->umems[i].size);
		lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_UMEM_OFFSET(i), a->umems[i].offset);
	}
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_COUNTER_SET_ID, a->counter_set_id);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_PD, a->pd);
	lvdpa_devx_virtq_encode_period(in, a);
	return lvdpa_devx_create(dev, "create virtq", in, sizeof(in),
				 LVDPA_PRM_OBJ_TYPE_VIRTQ,
				 LVDPA_PRM_GOBJ_OUT_OBJ_ID, virtq);
}

int
lvdpa_devx_virtq_modify(struct lvdpa_devx_obj *virtq,
			const struct lvdpa_devx_virtq_attr *a,
			uint64_t sel)
{
	uint8_t in[LVDPA_PRM_VIRTQ_MBOX_BYTES];
	uint8_t out[LVDPA_PRM_GOBJ_HDR_BYTES];

	if (!lvdpa_devx_obj_ok(virtq) || a == NULL)
		return lvdpa_devx_fail(EINVAL);
	if (sel == 0 || (sel & ~LVDPA_PRM_VIRTQ_MODIFY_ALL) != 0) {
		LVDPA_DEVX_LOG(ERR, "modify virtq 0x%x: bad modify_field_select 0x%" PRIx64,
			       virtq->id, sel);
		return lvdpa_devx_fail(EINVAL);
	}
	if ((sel & LVDPA_PRM_VIRTQ_MODIFY_QUEUE_FEATURES) &&
	    (a->queue_features & ~LVDPA_PRM_VIRTQ_QF_ALL) != 0)
		return lvdpa_devx_fail(EINVAL);
	memset(in, 0, sizeof(in));
	memset(out, 0, sizeof(out));
	lvdpa_devx_gobj_hdr(in, LVDPA_PRM_OP_MODIFY_GENERAL_OBJECT,
			    LVDPA_PRM_OBJ_TYPE_VIRTQ, virtq->id);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_MODIFY_FIELD_SELECT, sel);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_QUEUE_INDEX, a->queue_index);
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_STATE)
		lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_STATE, a->state);
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_DIRTY_BITMAP_PARAMS) {
		lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_DIRTY_BITMAP_MKEY, a->dirty_bitmap_mkey);
		lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_DIRTY_BITMAP_SIZE, a->dirty_bitmap_size);
		lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_DIRTY_BITMAP_ADDR, a->dirty_bitmap_addr);
		lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_VHOST_LOG_PAGE, a->vhost_log_page);
	}
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_DIRTY_BITMAP_DUMP_ENABLE)
		lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_DIRTY_BITMAP_DUMP_ENABLE,
			      a->dirty_bitmap_dump_enable);
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_QUEUE_PERIOD)
		lvdpa_devx_virtq_encode_period(in, a);
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_ADDR)
		lvdpa_devx_virtq_encode_addrs(in, a);
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_HW_AVAILABLE_INDEX)
		lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_HW_AVAILABLE_INDEX, a->hw_available_index);
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_HW_USED_INDEX)
		lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_HW_USED_INDEX, a->hw_used_index);
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_Q_TYPE)
		lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_VIRTIO_Q_TYPE, a->virtio_q_type);
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_VERSION_1_0)
		lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_VIRTIO_VERSION_1_0, a->virtio_version_1_0);
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_Q_MKEY)
		lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_VIRTIO_Q_MKEY, a->mkey);
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_QUEUE_FEATURES)
		lvdpa_devx_virtq_encode_features(in, a);
	if (sel & LVDPA_PRM_VIRTQ_MODIFY_EVENT_MODE)
		lvdpa_devx_virtq_encode_event(in, a);
	return lvdpa_devx_obj_cmd(virtq, false, "modify virtq", in, sizeof(in),
				  out, sizeof(out));
}

int
lvdpa_devx_virtq_query(struct lvdpa_devx_obj *virtq,
		       struct lvdpa_devx_virtq_attr *a)
{
	uint8_t in[LVDPA_PRM_GOBJ_HDR_BYTES];
	uint8_t out[LVDPA_PRM_VIRTQ_MBOX_BYTES];
	unsigned int i;
	int rc;

	if (!lvdpa_devx_obj_ok(virtq) || a == NULL)
		return lvdpa_devx_fail(EINVAL);
	memset(in, 0, sizeof(in));
	memset(out, 0, sizeof(out));
	lvdpa_devx_gobj_hdr(in, LVDPA_PRM_OP_QUERY_GENERAL_OBJECT,
			    LVDPA_PRM_OBJ_TYPE_VIRTQ, virtq->id);
	rc = lvdpa_devx_obj_cmd(virtq, true, "query virtq", in, sizeof(in),
				out, sizeof(out));
	if (rc < 0)
		return rc;
	memset(a, 0, sizeof(*a));
	a->queue_features =
		(uint16_t)(lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_QUEUE_FEATURE_BIT_MASK_12_3) << 3 |
			   lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_QUEUE_FEATURE_BIT_MASK_2_0));
	a->dirty_bitmap_dump_enable =
		lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_DIRTY_BITMAP_DUMP_ENABLE);
	a->vhost_log_page = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_VHOST_LOG_PAGE);
	a->state = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_STATE);
	a->tisn_or_qpn = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_TISN_OR_QPN);
	a->dirty_bitmap_mkey = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_DIRTY_BITMAP_MKEY);
	a->dirty_bitmap_size = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_DIRTY_BITMAP_SIZE);
	a->dirty_bitmap_addr = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_DIRTY_BITMAP_ADDR);
	a->hw_available_index = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_HW_AVAILABLE_INDEX);
	a->hw_used_index = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_HW_USED_INDEX);
	a->virtio_q_type = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_VIRTIO_Q_TYPE);
	a->event_mode = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_EVENT_MODE);
	a->queue_index = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_QUEUE_INDEX);
	a->virtio_version_1_0 = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_VIRTIO_VERSION_1_0);
	a->offload_type = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_OFFLOAD_TYPE);
	a->event_qpn_or_msix = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_EVENT_QPN_OR_MSIX);
	a->doorbell_stride_idx = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_DOORBELL_STRIDE_IDX);
	a->queue_size = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_QUEUE_SIZE);
	a->desc_addr = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_DESC_ADDR);
	a->used_addr = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_USED_ADDR);
	a->available_addr = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_AVAILABLE_ADDR);
	a->mkey = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_VIRTIO_Q_MKEY);
	a->error_type = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_ERROR_TYPE);
	for (i = 0; i < 3; i++) {
		a->umems[i].id = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_UMEM_ID(i));
		a->umems[i].size = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_UMEM_SIZE(i));
		a->umems[i].offset = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_UMEM_OFFSET(i));
	}
	a->counter_set_id = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_COUNTER_SET_ID);
	a->pd = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_PD);
	a->queue_period_mode = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_QUEUE_PERIOD_MODE);
	a->queue_period_us = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_QUEUE_PERIOD_US);
	a->queue_max_count = lvdpa_prm_get(out, LVDPA_PRM_VIRTQ_QUEUE_MAX_COUNT);
	return 0;
}

int
lvdpa_devx_virtq_destroy(struct lvdpa_devx_obj *virtq)
{
	return lvdpa_devx_obj_destroy(virtq);
}

/* ------------------------------------------------------------------ */
/* CQ and QPs */

/* CQ and QP buffers give their page size in 4 KiB units. */
static uint32_t
lvdpa_devx_page_units(uint8_t log_page_size)
{
	return log_page_size > LVDPA_DEVX_ADAPTER_PAGE_SHIFT ?
	       log_page_size - LVDPA_DEVX_ADAPTER_PAGE_SHIFT : 0;
}

int
lvdpa_devx_cq_create(struct lvdpa_tp_dev *dev,
		     const struct lvdpa_devx_cq_attr *a,
		     struct lvdpa_devx_obj **cq)
{
	uint8_t in[LVDPA_PRM_CREATE_CQ_IN_BYTES];

	if (cq != NULL)
		*cq = NULL;
	if (!lvdpa_devx_dev_ok(dev) || a == NULL || cq == NULL ||
	    a->log_cq_size > 31 || a->uar_page > 0xffffff || a->eqn > 0xff ||
	    a->cqe_sz > LVDPA_PRM_CQE_SZ_128)
		return lvdpa_devx_fail(EINVAL);
	memset(in, 0, sizeof(in));
	lvdpa_prm_set(in, LVDPA_PRM_IN_OPCODE, LVDPA_PRM_OP_CREATE_CQ);
	lvdpa_prm_set(in, LVDPA_PRM_CQC_DBR_UMEM_VALID, 1);
	lvdpa_prm_set(in, LVDPA_PRM_CQC_DBR_UMEM_ID, a->dbr_umem_id);
	lvdpa_prm_set(in, LVDPA_PRM_CQC_DBR_ADDR, a->dbr_umem_offset);
	lvdpa_prm_set(in, LVDPA_PRM_CQC_CQE_SZ, a->cqe_sz);
	lvdpa_prm_set(in, LVDPA_PRM_CQC_CC, a->use_first_only);
	lvdpa_prm_set(in, LVDPA_PRM_CQC_OI, a->overrun_ignore);
	lvdpa_prm_set(in, LVDPA_PRM_CQC_LOG_CQ_SIZE, a->log_cq_size);
	lvdpa_prm_set(in, LVDPA_PRM_CQC_LOG_PAGE_SIZE,
		      lvdpa_devx_page_units(a->log_page_size));
	lvdpa_prm_set(in, LVDPA_PRM_CQC_C_EQN, a->eqn);
	lvdpa_prm_set(in, LVDPA_PRM_CQC_UAR_PAGE, a->uar_page);
	lvdpa_prm_set(in, LVDPA_PRM_CREATE_CQ_CQ_UMEM_VALID, 1);
	lvdpa_prm_set(in, LVDPA_PRM_CREATE_CQ_CQ_UMEM_ID, a->umem_id);
	lvdpa_prm_set(in, LVDPA_PRM_CREATE_CQ_CQ_UMEM_OFFSET, a->umem_offset);
	return lvdpa_devx_create(dev, "create CQ", in, sizeof(in), 0,
				 LVDPA_PRM_CREATE_CQ_OUT_CQN, cq);
}

int
lvdpa_devx_cq_destroy(struct lvdpa_devx_obj *cq)
{
	return lvdpa_devx_obj_destroy(cq);
}

int
lvdpa_devx_qp_create(struct lvdpa_tp_dev *dev,
		     const struct lvdpa_devx_qp_attr *a,
		     struct lvdpa_devx_obj **qp)
{
	uint8_t in[LVDPA_PRM_CREATE_QP_IN_BYTES];

	if (qp != NULL)
		*qp = NULL;
	if (!lvdpa_devx_dev_ok(dev) || a == NULL || qp == NULL ||
	    a->pd > 0xffffff || a->cqn > 0xffffff || a->uar_page > 0xffffff ||
	    a->user_index > 0xffffff || a->ts_format > 3)
		return lvdpa_devx_fail(EINVAL);
	if (!a->fw_managed &&
	    (a->log_rq_size > 15 || a->log_sq_size > 15 ||
	     (!a->rq_size_zero &&
	      (a->log_rq_stride < LVDPA_PRM_QP_LOG_RQ_STRIDE_SHIFT ||
	       a->log_rq_stride > LVDPA_PRM_QP_LOG_RQ_STRIDE_SHIFT + 7))))
		return lvdpa_devx_fail(EINVAL);
	memset(in, 0, sizeof(in));
	lvdpa_prm_set(in, LVDPA_PRM_IN_OPCODE, LVDPA_PRM_OP_CREATE_QP);
	lvdpa_prm_set(in, LVDPA_PRM_QPC_ST, LVDPA_PRM_QP_ST_RC);
	lvdpa_prm_set(in, LVDPA_PRM_QPC_PD, a->pd);
	lvdpa_prm_set(in, LVDPA_PRM_QPC_TS_FORMAT, a->ts_format);
	lvdpa_prm_set(in, LVDPA_PRM_QPC_USER_INDEX, a->user_index);
	if (a->fw_managed) {
		/* The device drives this one: no queues, no UAR, no doorbell record. */
		lvdpa_prm_set(in, LVDPA_PRM_QPC_RQ_TYPE, LVDPA_PRM_QP_RQ_TYPE_ZERO_LEN);
		lvdpa_prm_set(in, LVDPA_PRM_QPC_NO_SQ, 1);
	} else {
		lvdpa_prm_set(in, LVDPA_PRM_QPC_PM_STATE, LVDPA_PRM_QP_PM_MIGRATED);
		lvdpa_prm_set(in, LVDPA_PRM_QPC_UAR_PAGE, a->uar_page);
		lvdpa_prm_set(in, LVDPA_PRM_QPC_LOG_PAGE_SIZE,
			      lvdpa_devx_page_units(a->log_page_size));
		if (a->log_sq_size) {
			lvdpa_prm_set(in, LVDPA_PRM_QPC_CQN_SND, a->cqn);
			lvdpa_prm_set(in, LVDPA_PRM_QPC_LOG_SQ_SIZE, a->log_sq_size);
		} else {
			lvdpa_prm_set(in, LVDPA_PRM_QPC_NO_SQ, 1);
		}
		if (!a->rq_size_zero) {
			lvdpa_prm_set(in, LVDPA_PRM_QPC_CQN_RCV, a->cqn);
			lvdpa_prm_set(in, LVDPA_PRM_QPC_LOG_RQ_STRIDE,
				      a->log_rq_stride - LVDPA_PRM_QP_LOG_RQ_STRIDE_SHIFT);
			lvdpa_prm_set(in, LVDPA_PRM_QPC_LOG_RQ_SIZE, a->log_rq_size);
			lvdpa_prm_set(in, LVDPA_PRM_QPC_RQ_TYPE, LVDPA_PRM_QP_RQ_TYPE_REGULAR);
		} else {
			lvdpa_prm_set(in, LVDPA_PRM_QPC_RQ_TYPE, LVDPA_PRM_QP_RQ_TYPE_ZERO_LEN);
		}
		lvdpa_prm_set(in, LVDPA_PRM_QPC_DBR_UMEM_VALID, 1);
		lvdpa_prm_set(in, LVDPA_PRM_QPC_DBR_UMEM_ID, a->dbr_umem_id);
		lvdpa_prm_set(in, LVDPA_PRM_QPC_DBR_ADDR, a->dbr_umem_offset);
		lvdpa_prm_set(in, LVDPA_PRM_CREATE_QP_WQ_UMEM_OFFSET, a->wq_umem_offset);
		lvdpa_prm_set(in, LVDPA_PRM_CREATE_QP_WQ_UMEM_ID, a->wq_umem_id);
		lvdpa_prm_set(in, LVDPA_PRM_CREATE_QP_WQ_UMEM_VALID, 1);
	}
	return lvdpa_devx_create(dev, a->fw_managed ? "create FW QP" : "create QP",
				 in, sizeof(in), 0, LVDPA_PRM_CREATE_QP_OUT_QPN, qp);
}

int
lvdpa_devx_qp_modify(struct lvdpa_devx_obj *qp, uint16_t op,
		     uint32_t remote_qpn)
{
	uint8_t in[LVDPA_PRM_QP_MODIFY_IN_BYTES];
	uint8_t out[LVDPA_PRM_CMD_HDR_BYTES];
	size_t inlen = sizeof(in);

	if (!lvdpa_devx_obj_ok(qp) || remote_qpn > 0xffffff)
		return lvdpa_devx_fail(EINVAL);
	memset(in, 0, sizeof(in));
	memset(out, 0, sizeof(out));
	lvdpa_prm_set(in, LVDPA_PRM_IN_OPCODE, op);
	lvdpa_prm_set(in, LVDPA_PRM_QP_IN_QPN, qp->id);
	switch (op) {
	case LVDPA_PRM_OP_RST2INIT_QP:
		lvdpa_prm_set(in, LVDPA_PRM_QPC_PAP_VHCA_PORT_NUM, 1);
		lvdpa_prm_set(in, LVDPA_PRM_QPC_RRE, 1);
		lvdpa_prm_set(in, LVDPA_PRM_QPC_RWE, 1);
		lvdpa_prm_set(in, LVDPA_PRM_QPC_PM_STATE, LVDPA_PRM_QP_PM_MIGRATED);
		break;
	case LVDPA_PRM_OP_INIT2RTR_QP:
		/* Force loopback to the peer on the same function. */
		lvdpa_prm_set(in, LVDPA_PRM_QPC_PAP_FL, 1);
		lvdpa_prm_set(in, LVDPA_PRM_QPC_PAP_VHCA_PORT_NUM, 1);
		lvdpa_prm_set(in, LVDPA_PRM_QPC_MTU, 1);
		lvdpa_prm_set(in, LVDPA_PRM_QPC_LOG_MSG_MAX, 30);
		lvdpa_prm_set(in, LVDPA_PRM_QPC_REMOTE_QPN, remote_qpn);
		lvdpa_prm_set(in, LVDPA_PRM_QPC_MIN_RNR_NAK, 0);
		break;
	case LVDPA_PRM_OP_RTR2RTS_QP:
		lvdpa_prm_set(in, LVDPA_PRM_QPC_PAP_ACK_TIMEOUT, 16);
		lvdpa_prm_set(in, LVDPA_PRM_QPC_LOG_ACK_REQ_FREQ, 0);
		lvdpa_prm_set(in, LVDPA_PRM_QPC_RETRY_COUNT, 7);
		lvdpa_prm_set(in, LVDPA_PRM_QPC_RNR_RETRY, 7);
		break;
	case LVDPA_PRM_OP_2RST_QP:
		inlen = LVDPA_PRM_QP_2RST_IN_BYTES;
		break;
	default:
		LVDPA_DEVX_LOG(ERR, "QP 0x%x: unsupported state change opcode 0x%x",
			       qp->id, op);
		return lvdpa_devx_fail(EINVAL);
	}
	return lvdpa_devx_obj_cmd(qp, false, "modify QP", in, inlen, out,
				  sizeof(out));
}

int
lvdpa_devx_qp_destroy(struct lvdpa_devx_obj *qp)
{
	return lvdpa_devx_obj_destroy(qp);
}

void
lvdpa_devx_cqe_decode(const void *cqe, struct lvdpa_devx_cqe *out)
{
	out->opcode = lvdpa_prm_get(cqe, LVDPA_PRM_CQE_OPCODE);
	out->owner = lvdpa_prm_get(cqe, LVDPA_PRM_CQE_OWNER);
	out->wqe_counter = lvdpa_prm_get(cqe, LVDPA_PRM_CQE_WQE_COUNTER);
	out->byte_cnt = lvdpa_prm_get(cqe, LVDPA_PRM_CQE_BYTE_CNT);
	out->qpn = lvdpa_prm_get(cqe, LVDPA_PRM_CQE_QPN);
}

int
lvdpa_devx_uar_alloc(struct lvdpa_tp_dev *dev, struct lvdpa_tp_db **uar)
{
	int rc;

	if (uar != NULL)
		*uar = NULL;
	if (!lvdpa_devx_dev_ok(dev) || uar == NULL)
		return lvdpa_devx_fail(EINVAL);
	/* Without UARs (the model) CQ doorbells go to the doorbell page. */
	if (dev->ops->uar_alloc != NULL)
		rc = dev->ops->uar_alloc(dev, uar);
	else if (dev->ops->db_alloc != NULL)
		rc = dev->ops->db_alloc(dev, uar);
	else
		return lvdpa_devx_fail(ENOTSUP);
	if (rc > 0)
		rc = -rc;
	if (rc == 0 && *uar == NULL)
		rc = -EIO;
	if (rc < 0) {
		*uar = NULL;
		LVDPA_DEVX_LOG(ERR, "UAR allocation failed: %s", strerror(-rc));
		return lvdpa_devx_fail(-rc);
	}
	return 0;
}

void
lvdpa_devx_uar_free(struct lvdpa_tp_db *uar)
{
	const struct lvdpa_transport_ops *ops;

	if (uar == NULL || uar->dev == NULL || uar->dev->ops == NULL)
		return;
	ops = uar->dev->ops;
	if (ops->uar_alloc != NULL) {
		if (ops->uar_free != NULL)
			ops->uar_free(uar);
	} else if (ops->db_free != NULL) {
		ops->db_free(uar);
	}
}

int
lvdpa_devx_query_eqn(struct lvdpa_tp_dev *dev, uint32_t vector, uint32_t *eqn)
{
	int rc;

	if (!lvdpa_devx_dev_ok(dev) || eqn == NULL)
		return lvdpa_devx_fail(EINVAL);
	*eqn = 0;
	if (dev->ops->query_eqn == NULL)
		return 0;
	rc = dev->ops->query_eqn(dev, vector, eqn);
	if (rc > 0)
		rc = -rc;
	if (rc < 0) {
		LVDPA_DEVX_LOG(ERR, "no EQ for completion vector %u: %s", vector,
			       strerror(-rc));
		return lvdpa_devx_fail(-rc);
	}
	return 0;
}

void
lvdpa_devx_cq_arm(struct lvdpa_tp_db *uar, volatile uint32_t *dbrec,
		  uint32_t cqn, uint32_t arm_sn, uint32_t ci)
{
	uint32_t word = lvdpa_prm_cq_arm_word(arm_sn, ci, LVDPA_PRM_CQ_ARM_CMD_ALL);
	const struct lvdpa_transport_ops *ops;

	/* The record must be visible before the doorbell rings. */
	rte_io_wmb();
	if (dbrec != NULL)
		dbrec[LVDPA_PRM_CQ_DBR_ARM] = rte_cpu_to_be_32(word);
	rte_wmb();
	if (uar == NULL || uar->dev == NULL || uar->dev->ops == NULL)
		return;
	ops = uar->dev->ops;
	if (ops->uar_write64 != NULL) {
		ops->uar_write64(uar, LVDPA_PRM_UAR_CQ_DOORBELL_OFF,
				 lvdpa_prm_cq_arm_doorbell(word, cqn));
	} else if (ops->db_write != NULL) {
		/* Two dwords, the cqn last: its write is what arms the CQ. */
		ops->db_write(uar, LVDPA_PRM_UAR_CQ_DOORBELL_OFF, word);
		ops->db_write(uar, LVDPA_PRM_UAR_CQ_DOORBELL_OFF + 4, cqn & 0xffffff);
	}
}

/* ------------------------------------------------------------------ */
/* Doorbells */

int
lvdpa_devx_db_alloc(struct lvdpa_tp_dev *dev, struct lvdpa_tp_db **db)
{
	int rc;

	if (db != NULL)
		*db = NULL;
	if (!lvdpa_devx_dev_ok(dev) || db == NULL)
		return lvdpa_devx_fail(EINVAL);
	if (dev->ops->db_alloc == NULL)
		return lvdpa_devx_fail(ENOTSUP);
	rc = dev->ops->db_alloc(dev, db);
	if (rc > 0)
		rc = -rc;
	if (rc == 0 && *db == NULL)
		rc = -EIO;
	if (rc < 0) {
		*db = NULL;
		LVDPA_DEVX_LOG(ERR, "doorbell page allocation failed: %s",
			       strerror(-rc));
		return lvdpa_devx_fail(-rc);
	}
	return 0;
}

void
lvdpa_devx_db_free(struct lvdpa_tp_db *db)
{
	if (db != NULL && db->dev != NULL && db->dev->ops != NULL &&
	    db->dev->ops->db_free != NULL)
		db->dev->ops->db_free(db);
}

void
lvdpa_devx_db_write(struct lvdpa_tp_db *db, uint32_t offset, uint32_t value)
{
	if (db != NULL && db->dev != NULL && db->dev->ops != NULL &&
	    db->dev->ops->db_write != NULL)
		db->dev->ops->db_write(db, offset, value);
}

uint32_t
lvdpa_devx_virtq_db_offset(const struct lvdpa_devx_caps *caps)
{
	return caps == NULL ? 0 :
	       (uint32_t)(caps->doorbell_bar_offset & (LVDPA_DEVX_VAR_PAGE_SIZE - 1));
}

void
lvdpa_devx_virtq_notify(struct lvdpa_tp_db *db, const struct lvdpa_devx_caps *caps,
			uint16_t queue_index)
{
	lvdpa_devx_db_write(db, lvdpa_devx_virtq_db_offset(caps), queue_index);
}

/* ------------------------------------------------------------------ */
/* Event channels */

int
lvdpa_devx_evchan_create(struct lvdpa_tp_dev *dev, struct lvdpa_tp_evchan **ch)
{
	int rc;

	if (ch != NULL)
		*ch = NULL;
	if (!lvdpa_devx_dev_ok(dev) || ch == NULL)
		return lvdpa_devx_fail(EINVAL);
	if (dev->ops->evchan_create == NULL)
		return lvdpa_devx_fail(ENOTSUP);
	rc = dev->ops->evchan_create(dev, ch);
	if (rc > 0)
		rc = -rc;
	if (rc == 0 && *ch == NULL)
		rc = -EIO;
	if (rc < 0) {
		*ch = NULL;
		LVDPA_DEVX_LOG(ERR, "event channel creation failed: %s", strerror(-rc));
		return lvdpa_devx_fail(-rc);
	}
	return 0;
}

void
lvdpa_devx_evchan_destroy(struct lvdpa_tp_evchan *ch)
{
	if (ch != NULL && ch->dev != NULL && ch->dev->ops != NULL &&
	    ch->dev->ops->evchan_destroy != NULL)
		ch->dev->ops->evchan_destroy(ch);
}

int
lvdpa_devx_evchan_fd(const struct lvdpa_tp_evchan *ch)
{
	return ch == NULL ? -1 : ch->fd;
}

int
lvdpa_devx_evchan_subscribe(struct lvdpa_tp_evchan *ch, struct lvdpa_devx_obj *obj,
			    const uint16_t *types, unsigned int n, uint64_t cookie)
{
	int rc;

	if (ch == NULL || ch->dev == NULL || ch->dev->ops == NULL ||
	    types == NULL || n == 0 || (obj != NULL && obj->tp == NULL))
		return lvdpa_devx_fail(EINVAL);
	if (ch->dev->ops->evchan_subscribe == NULL)
		return lvdpa_devx_fail(ENOTSUP);
	rc = ch->dev->ops->evchan_subscribe(ch, obj != NULL ? obj->tp : NULL,
					    types, n, cookie);
	if (rc > 0)
		rc = -rc;
	if (rc < 0) {
		LVDPA_DEVX_LOG(ERR, "subscribing object 0x%x to %u event type(s) failed: %s",
			       obj != NULL ? obj->id : 0, n, strerror(-rc));
		return lvdpa_devx_fail(-rc);
	}
	return 0;
}

void
lvdpa_devx_event_decode(const struct lvdpa_tp_event *tev, struct lvdpa_devx_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->cookie = tev->cookie;
	ev->type = tev->type;
	ev->eqe[1] = tev->type;
	memcpy(ev->eqe + LVDPA_PRM_EQE_TP_DATA_OFF, tev->data,
	       LVDPA_PRM_EQE_BYTES - LVDPA_PRM_EQE_TP_DATA_OFF);
	ev->sub_type = lvdpa_prm_get(ev->eqe, LVDPA_PRM_EQE_SUB_TYPE);
	if (ev->type == LVDPA_PRM_EVENT_TYPE_COMPLETION) {
		ev->cqn = lvdpa_prm_get(ev->eqe, LVDPA_PRM_EQE_COMP_CQN);
	} else if (ev->type == LVDPA_PRM_EVENT_TYPE_OBJECT_CHANGE) {
		ev->obj_type = lvdpa_prm_get(ev->eqe, LVDPA_PRM_EQE_OBJ_CHANGE_OBJ_TYPE);
		ev->obj_id = lvdpa_prm_get(ev->eqe, LVDPA_PRM_EQE_OBJ_CHANGE_OBJ_ID);
	}
}

int
lvdpa_devx_evchan_read(struct lvdpa_tp_evchan *ch, struct lvdpa_devx_event *ev)
{
	struct lvdpa_tp_event tev;
	int rc;

	if (ch == NULL || ch->dev == NULL || ch->dev->ops == NULL || ev == NULL)
		return lvdpa_devx_fail(EINVAL);
	if (ch->dev->ops->evchan_read == NULL)
		return lvdpa_devx_fail(ENOTSUP);
	memset(&tev, 0, sizeof(tev));
	rc = ch->dev->ops->evchan_read(ch, &tev);
	if (rc < 0)
		return lvdpa_devx_fail(-rc);
	if (rc == 0)
		return 0;
	lvdpa_devx_event_decode(&tev, ev);
	return 1;
}
