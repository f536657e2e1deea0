/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Dirty page logging for live migration. rte_vhost's log (SET_LOG_BASE) is
 * registered as a umem with a direct mkey over its host addresses, and each
 * queue's dirty bitmap points at it with 4 KiB pages (vhost_log_page 0, the
 * vhost log's granularity): the device sets the bits of the guest pages it
 * writes directly in the log QEMU reads, so syncing is the device's own
 * writes. At stop the used ring (descriptor ring when packed) is logged
 * once more, and GET_VRING_BASE returns the device's indices (virtq.c).
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "lvdpa_vdpa.h"

void
lvdpa_vdpa_lm_release(struct lvdpa_vdpa_priv *priv)
{
	if (priv->log_mkey != NULL) {
		lvdpa_devx_mkey_destroy(priv->log_mkey);
		priv->log_mkey = NULL;
	}
	if (priv->log_umem != NULL) {
		lvdpa_devx_umem_dereg(priv->log_umem);
		priv->log_umem = NULL;
	}
	priv->log_base = 0;
	priv->log_size = 0;
}

static int
lvdpa_vdpa_lm_log_map(struct lvdpa_vdpa_priv *priv)
{
	struct lvdpa_devx_mkey_direct_attr da = { 0 };
	uint64_t base = 0, size = 0;
	int rc;

	if (rte_vhost_get_log_base(priv->vid, &base, &size) != 0 ||
	    base == 0 || size == 0) {
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d: dirty logging asked without a log (SET_LOG_BASE)",
				priv->vid);
		return -EINVAL;
	}
	if (priv->log_mkey != NULL && priv->log_base == base &&
	    priv->log_size == size)
		return 0;
	lvdpa_vdpa_lm_release(priv);
	rc = lvdpa_devx_umem_reg(priv->tp, (void *)(uintptr_t)base, size,
				 LVDPA_DEVX_UMEM_LOCAL_WRITE |
				 LVDPA_DEVX_UMEM_REMOTE_WRITE, &priv->log_umem);
	if (rc != 0)
		goto fail;
	da.pd = priv->pd->id;
	da.addr = base;
	da.size = size;
	da.umem_id = priv->log_umem->id;
	da.remote_rw = true;
	rc = lvdpa_devx_mkey_create_direct(priv->tp, &da, &priv->log_mkey);
	if (rc != 0)
		goto fail;
	priv->log_base = base;
	priv->log_size = size;
	return 0;
fail:
	LVDPA_VDPA_DLOG(priv, ERR, "vid %d: cannot map the dirty log: %s",
			priv->vid, strerror(-rc));
	lvdpa_vdpa_lm_release(priv);
	return rc;
}

int
lvdpa_vdpa_lm_virtq_set(struct lvdpa_vdpa_priv *priv,
			struct lvdpa_vdpa_virtq *vq, bool enable)
{
	struct lvdpa_devx_virtq_attr attr;
	uint64_t sel = LVDPA_PRM_VIRTQ_MODIFY_DIRTY_BITMAP_DUMP_ENABLE;
	int rc;

	if (vq->obj == NULL)
		return 0;
	memset(&attr, 0, sizeof(attr));
	attr.queue_index = vq->index;
	attr.dirty_bitmap_dump_enable = enable;
	if (enable) {
		if (priv->log_mkey == NULL)
			return -EINVAL;
		sel |= LVDPA_PRM_VIRTQ_MODIFY_DIRTY_BITMAP_PARAMS;
		attr.vhost_log_page = 0;
		attr.dirty_bitmap_mkey = priv->log_mkey->id;
		attr.dirty_bitmap_addr = priv->log_base;
		attr.dirty_bitmap_size = (uint32_t)RTE_MIN(priv->log_size,
							   (uint64_t)UINT32_MAX);
	}
	rc = lvdpa_devx_virtq_modify(vq->obj, &attr, sel);
	if (rc != 0)
		LVDPA_VDPA_DLOG(priv, ERR, "queue %u: dirty logging %s failed: %s",
				vq->index, enable ? "on" : "off", strerror(-rc));
	else
		vq->dirty_log = enable;
	return rc;
}

void
lvdpa_vdpa_lm_set_logging(struct lvdpa_vdpa_priv *priv, bool on)
{
	priv->log_enabled = on;
	lvdpa_vdpa_relay_log_update(priv);
}

/*
 * One modify per queue with an object, independent of the others: they run
 * as one batch on the configuration threads, so that a migration's start
 * waits for about one command, not one per queue. Turning logging on stops
 * at the first error (each failed queue logs its own line) and returns it;
 * turning it off goes through every queue whatever fails, as a stop must.
 */
int
lvdpa_vdpa_lm_log(struct lvdpa_vdpa_priv *priv, bool enable)
{
	uint16_t queues[LVDPA_VDPA_MAX_VRINGS];
	uint16_t n = 0;
	uint32_t i;
	int rc;

	if (enable) {
		rc = lvdpa_vdpa_lm_log_map(priv);
		if (rc != 0)
			return rc;
	}
	lvdpa_vdpa_lm_set_logging(priv, enable);
	for (i = 0; i < priv->nr_virtqs; i++)
		if (priv->virtqs[i].obj != NULL)
			queues[n++] = (uint16_t)i;
	rc = n == 0 ? 0 : lvdpa_vdpa_conf_run(priv, enable ? LVDPA_VDPA_CONF_LOG_ON :
					      LVDPA_VDPA_CONF_LOG_OFF, queues, n);
	if (rc != 0 && enable) {
		lvdpa_vdpa_lm_set_logging(priv, false);
		return rc;
	}
	LVDPA_VDPA_DLOG(priv, INFO, "vid %d: dirty logging %s", priv->vid,
			enable ? "on" : "off");
	return 0;
}
