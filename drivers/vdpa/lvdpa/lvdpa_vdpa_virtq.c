/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Virtq objects. With the queues/queue_size devargs the objects (with their
 * umems and counters) exist from probe on, in INIT, so that dev_conf only
 * modifies them: addresses, indices, queue type, virtio_version_1_0 (in
 * place for a legacy guest), the mkey and the state RDY, in one command.
 * A queue the device refuses to modify is created anew. Stopping a queue
 * suspends it and hands the device's indices to rte_vhost, so that
 * GET_VRING_BASE (and a migration destination) resumes exactly where the
 * device stopped; the suspended object is kept and modified back to RDY
 * on resume or at the next connection's dev_conf.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "lvdpa_vdpa.h"
#include "lvdpa_virtio.h"

static void
lvdpa_vdpa_virtq_umems_free(struct lvdpa_vdpa_virtq *vq)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(vq->umems); i++) {
		if (vq->umems[i].umem != NULL)
			lvdpa_devx_umem_dereg(vq->umems[i].umem);
		rte_free(vq->umems[i].buf);
		vq->umems[i].umem = NULL;
		vq->umems[i].buf = NULL;
		vq->umems[i].size = 0;
	}
}

/* Umems for a queue of @p size, reused when large enough. */
static int
lvdpa_vdpa_virtq_umems_alloc(struct lvdpa_vdpa_priv *priv,
			     struct lvdpa_vdpa_virtq *vq, uint16_t size)
{
	unsigned int i;
	int rc;

	for (i = 0; i < RTE_DIM(vq->umems); i++) {
		uint32_t need = lvdpa_devx_virtq_umem_size(&priv->caps, i, size);

		if (vq->umems[i].umem != NULL && vq->umems[i].size >= need)
			continue;
		if (vq->umems[i].umem != NULL) {
			lvdpa_devx_umem_dereg(vq->umems[i].umem);
			vq->umems[i].umem = NULL;
		}
		rte_free(vq->umems[i].buf);
		vq->umems[i].size = 0;
		vq->umems[i].buf = rte_zmalloc("lvdpa_virtq_umem",
					       RTE_MAX(need, 1u), 4096);
		if (vq->umems[i].buf == NULL)
			return -ENOMEM;
		rc = lvdpa_devx_umem_reg(priv->tp, vq->umems[i].buf,
					 RTE_MAX(need, 1u),
					 LVDPA_DEVX_UMEM_LOCAL_WRITE,
					 &vq->umems[i].umem);
		if (rc != 0) {
			rte_free(vq->umems[i].buf);
			vq->umems[i].buf = NULL;
			return rc;
		}
		vq->umems[i].size = RTE_MAX(need, 1u);
	}
	return 0;
}

/* Everything but the guest's part: umems, counters, event and moderation. */
static int
lvdpa_vdpa_virtq_base_attr(struct lvdpa_vdpa_priv *priv,
			   struct lvdpa_vdpa_virtq *vq, uint16_t size,
			   struct lvdpa_devx_virtq_attr *attr)
{
	unsigned int i;
	int rc;

	rc = lvdpa_vdpa_virtq_umems_alloc(priv, vq, size);
	if (rc != 0)
		return rc;
	if (vq->counters == NULL && priv->caps.queue_counters_supported) {
		rc = lvdpa_devx_counters_create(priv->tp, &vq->counters);
		if (rc != 0)
			return rc;
	}
	memset(attr, 0, sizeof(*attr));
	attr->queue_index = vq->index;
	attr->queue_size = size;
	attr->virtio_q_type = LVDPA_PRM_VIRTQ_TYPE_SPLIT;
	if (priv->ev_qp) {
		/* The device notifies through its event QP. */
		rc = lvdpa_vdpa_event_qp_create(priv, vq, size,
						&attr->event_qpn_or_msix);
		if (rc != 0)
			return rc;
		attr->event_mode = LVDPA_PRM_VIRTQ_EVENT_MODE_QP;
	} else {
		/* The event thread watches the rings: the device signals nothing. */
		attr->event_mode = LVDPA_PRM_VIRTQ_EVENT_MODE_NO_MSIX;
	}
	attr->virtio_version_1_0 = true;
	for (i = 0; i < RTE_DIM(vq->umems); i++) {
		attr->umems[i].id = vq->umems[i].umem->id;
		attr->umems[i].size = vq->umems[i].size;
		attr->umems[i].offset = 0;
	}
	attr->counter_set_id = vq->counters != NULL ? vq->counters->id : 0;
	attr->pd = priv->pd->id;
	attr->doorbell_stride_idx = vq->index;
	attr->queue_period_mode = priv->cfg.hw_latency_mode;
	attr->queue_period_us = priv->cfg.hw_max_latency_us;
	attr->queue_max_count = priv->cfg.hw_max_pending_comp;
	return 0;
}

static int
lvdpa_vdpa_virtq_subscribe(struct lvdpa_vdpa_priv *priv,
			   struct lvdpa_vdpa_virtq *vq)
{
	int rc = lvdpa_vdpa_event_subscribe(priv, vq);

	/* Errors are then only seen by query: worth a warning, not a failure. */
	if (rc != 0)
		LVDPA_VDPA_DLOG(priv, WARNING, "queue %u: no error events: %s",
				vq->index, strerror(-rc));
	return 0;
}

int
lvdpa_vdpa_virtqs_prepare(struct lvdpa_vdpa_priv *priv, uint32_t n,
			  uint16_t queue_size)
{
	struct lvdpa_devx_virtq_attr attr;
	uint32_t i;
	int rc;

	for (i = 0; i < n && i < priv->nr_virtqs; i++) {
		struct lvdpa_vdpa_virtq *vq = &priv->virtqs[i];

		if (vq->obj != NULL)
			continue;
		rc = lvdpa_vdpa_virtq_base_attr(priv, vq, queue_size, &attr);
		if (rc == 0)
			rc = lvdpa_devx_virtq_create(priv->tp, &attr, &vq->obj);
		if (rc != 0) {
			LVDPA_VDPA_DLOG(priv, ERR, "queue %u: pre-creation failed: %s",
					i, strerror(-rc));
			return rc;
		}
		vq->size = queue_size;
		vq->packed = false;
		vq->version_1_0 = true;
		vq->queue_features = 0;
		vq->fresh = true;
		vq->suspended = false;
		vq->dirty_log = false;
		vq->running = false;
		vq->errored = false;
		lvdpa_vdpa_virtq_subscribe(priv, vq);
	}
	return 0;
}

void
lvdpa_vdpa_virtq_detach(struct lvdpa_vdpa_priv *priv, uint16_t index)
{
	struct lvdpa_vdpa_virtq *vq = &priv->virtqs[index];

	lvdpa_vdpa_event_kick_set(priv, vq, -1);
	lvdpa_vdpa_relay_destroy(vq);
	vq->running = false;
	vq->stop_pending = false;
	/* A new guest starts with a clean error history. */
	memset(vq->err_tsc, 0, sizeof(vq->err_tsc));
	memset(&vq->vring, 0, sizeof(vq->vring));
	vq->vring.kickfd = -1;
	vq->vring.callfd = -1;
}

void
lvdpa_vdpa_virtq_release(struct lvdpa_vdpa_priv *priv, uint16_t index)
{
	struct lvdpa_vdpa_virtq *vq = &priv->virtqs[index];

	lvdpa_vdpa_virtq_detach(priv, index);
	if (vq->obj != NULL) {
		lvdpa_devx_virtq_destroy(vq->obj);
		vq->obj = NULL;
		LVDPA_VDPA_DLOG(priv, DEBUG, "queue %u: destroyed", index);
	}
	vq->fresh = false;
	vq->suspended = false;
	vq->dirty_log = false;
	vq->errored = false;
}

void
lvdpa_vdpa_virtqs_release_all(struct lvdpa_vdpa_priv *priv)
{
	uint32_t i;

	for (i = 0; i < priv->nr_virtqs; i++) {
		struct lvdpa_vdpa_virtq *vq = &priv->virtqs[i];

		lvdpa_vdpa_virtq_release(priv, i);
		lvdpa_vdpa_event_qp_destroy(priv, vq);
		lvdpa_vdpa_virtq_umems_free(vq);
		if (vq->counters != NULL) {
			lvdpa_devx_counters_destroy(vq->counters);
			vq->counters = NULL;
		}
	}
}

/* The guest's part of the attributes: rings, indices, type, version. */
static int
lvdpa_vdpa_virtq_guest_attr(struct lvdpa_vdpa_priv *priv,
			    struct lvdpa_vdpa_virtq *vq,
			    struct lvdpa_devx_virtq_attr *attr)
{
	const struct rte_vhost_vring *vr = &vq->vring;
	bool packed = !!(priv->features & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_RING_PACKED));
	uint64_t n = vr->size, dlen, alen, ulen;
	uint16_t last_avail = 0, last_used = 0;
	int rc;

	if (priv->relay && !packed)
		return lvdpa_vdpa_relay_attr(priv, vq, attr);
	if (packed) {
		dlen = 16 * n;
		alen = 4;
		ulen = 4;
	} else {
		dlen = 16 * n;
		alen = 6 + 2 * n;
		ulen = 6 + 8 * n;
	}
	rc = lvdpa_vdpa_hva_to_gpa(priv, (uintptr_t)vr->desc, dlen, &attr->desc_addr);
	if (rc == 0)
		rc = lvdpa_vdpa_hva_to_gpa(priv, (uintptr_t)vr->avail, alen,
					   &attr->available_addr);
	if (rc == 0)
		rc = lvdpa_vdpa_hva_to_gpa(priv, (uintptr_t)vr->used, ulen,
					   &attr->used_addr);
	if (rc != 0) {
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d queue %u: a ring is not in guest memory",
				priv->vid, vq->index);
		return rc;
	}
	rc = rte_vhost_get_vring_base(priv->vid, vq->index, &last_avail, &last_used);
	if (rc != 0)
		return -EINVAL;
	attr->hw_available_index = last_avail;
	attr->hw_used_index = last_used;
	attr->virtio_q_type = packed ? LVDPA_PRM_VIRTQ_TYPE_PACKED :
				       LVDPA_PRM_VIRTQ_TYPE_SPLIT;
	attr->virtio_version_1_0 = !priv->legacy;
	attr->mkey = priv->mkey->id;
	/* Offloads and mergeable RX buffers, per queue. */
	attr->queue_features = lvdpa_devx_virtq_features(priv->features);
	vq->last_used = last_used;
	/* What the device writes: used ring (split) or descriptors (packed). */
	vq->dev_ring_gpa = packed ? attr->desc_addr : attr->used_addr;
	vq->dev_ring_len = packed ? dlen : ulen;
	return 0;
}

static void
lvdpa_vdpa_virtq_refused(struct lvdpa_vdpa_priv *priv,
			 struct lvdpa_vdpa_virtq *vq, int rc)
{
	if (priv->legacy && !priv->relay && priv->cfg.legacy == LVDPA_VDPA_LEGACY_AUTO)
		/* dev_conf sends the guest to the relay. */
		LVDPA_VDPA_DLOG(priv, NOTICE, "vid %d queue %u: the device refused a legacy queue (%s): it has no legacy mode",
				priv->vid, vq->index, strerror(-rc));
	else if (priv->legacy && !priv->relay)
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d queue %u: the device refused a legacy queue (%s): it has no legacy mode; legacy guest refused",
				priv->vid, vq->index, strerror(-rc));
	else
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d queue %u: the device refused the queue: %s",
				priv->vid, vq->index, strerror(-rc));
}

/* Move a set-up queue to RDY (a state-only modify). */
static int
lvdpa_vdpa_virtq_ready(struct lvdpa_vdpa_priv *priv, struct lvdpa_vdpa_virtq *vq)
{
	struct lvdpa_devx_virtq_attr attr;
	int rc;

	memset(&attr, 0, sizeof(attr));
	attr.queue_index = vq->index;
	attr.state = LVDPA_PRM_VIRTQ_STATE_RDY;
	rc = lvdpa_devx_virtq_modify(vq->obj, &attr, LVDPA_PRM_VIRTQ_MODIFY_STATE);
	if (rc != 0) {
		lvdpa_vdpa_virtq_refused(priv, vq, rc);
		return rc;
	}
	LVDPA_VDPA_DLOG(priv, DEBUG, "queue %u: modified from INIT to RDY (select 0x%" PRIx64 ")",
			vq->index, (uint64_t)LVDPA_PRM_VIRTQ_MODIFY_STATE);
	return 0;
}

static void
lvdpa_vdpa_virtq_running(struct lvdpa_vdpa_priv *priv, struct lvdpa_vdpa_virtq *vq)
{
	vq->running = true;
	vq->fresh = false;
	vq->suspended = false;
	/* A thread asleep with its CQs armed looks at the new queue. */
	lvdpa_vdpa_event_wake(priv);
	LVDPA_VDPA_DLOG(priv, DEBUG, "queue %u running (%s%s, size %u)", vq->index,
			vq->packed ? "packed" : "split",
			vq->version_1_0 ? "" : ", legacy", vq->size);
}

int
lvdpa_vdpa_virtq_setup(struct lvdpa_vdpa_priv *priv, uint16_t index, bool start)
{
	struct lvdpa_vdpa_virtq *vq = &priv->virtqs[index];
	struct lvdpa_devx_virtq_attr attr;
	bool ready = false;
	uint16_t size;
	int rc;

	if (rte_vhost_get_vhost_vring(priv->vid, index, &vq->vring) != 0 ||
	    vq->vring.desc == NULL || vq->vring.size == 0) {
		/* The guest did not set this ring up: nothing to serve. */
		memset(&vq->vring, 0, sizeof(vq->vring));
		vq->vring.kickfd = -1;
		vq->vring.callfd = -1;
		return 0;
	}
	/*
	 * rte_vhost keeps a SET_VRING_NUM value it refused; the device would
	 * refuse it too, but say here which ring and which size. (A 16-bit
	 * power of 2 is at most 32768, the split ring's maximum.)
	 */
	if (!(priv->features & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_RING_PACKED)) &&
	    !rte_is_power_of_2(vq->vring.size)) {
		LVDPA_VDPA_DLOG(priv, ERR,
				"queue %u: split ring size %u is not a power of 2",
				index, vq->vring.size);
		return -EINVAL;
	}
	start = start && vq->enable;
	size = vq->vring.size;
	/* A relayed queue: the device runs the (larger) shadow ring. */
	if (priv->relay && !(priv->features & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_RING_PACKED)))
		size = (uint16_t)RTE_MIN(2u * size, 32768u);
	/*
	 * An object in INIT (pre-created or never started) or SUSPEND (kept
	 * from a stop) takes the ring fields: one modify, with RDY when the
	 * queue is to start, instead of destroy and create.
	 */
	if (vq->obj != NULL && !vq->errored && (vq->fresh || vq->suspended) &&
	    vq->size == size) {
		uint64_t sel = LVDPA_PRM_VIRTQ_MODIFY_ADDR |
			       LVDPA_PRM_VIRTQ_MODIFY_HW_AVAILABLE_INDEX |
			       LVDPA_PRM_VIRTQ_MODIFY_HW_USED_INDEX |
			       LVDPA_PRM_VIRTQ_MODIFY_Q_MKEY;

		rc = lvdpa_vdpa_virtq_base_attr(priv, vq, size, &attr);
		if (rc == 0)
			rc = lvdpa_vdpa_virtq_guest_attr(priv, vq, &attr);
		if (rc != 0)
			return rc;
		if ((attr.virtio_q_type == LVDPA_PRM_VIRTQ_TYPE_PACKED) != vq->packed)
			sel |= LVDPA_PRM_VIRTQ_MODIFY_Q_TYPE;
		if (attr.virtio_version_1_0 != vq->version_1_0)
			sel |= LVDPA_PRM_VIRTQ_MODIFY_VERSION_1_0;
		if (attr.queue_features != vq->queue_features)
			sel |= LVDPA_PRM_VIRTQ_MODIFY_QUEUE_FEATURES;
		/* Dirty logging as the connection has it, before the queue runs. */
		rc = 0;
		if (priv->log_enabled || vq->dirty_log)
			rc = lvdpa_vdpa_lm_virtq_set(priv, vq, priv->log_enabled);
		if (rc == 0 && start) {
			sel |= LVDPA_PRM_VIRTQ_MODIFY_STATE;
			attr.state = LVDPA_PRM_VIRTQ_STATE_RDY;
		}
		if (rc == 0)
			rc = lvdpa_devx_virtq_modify(vq->obj, &attr, sel);
		if (rc == 0) {
			/* Command trace: tests check the sequence (modify, not create). */
			LVDPA_VDPA_DLOG(priv, DEBUG, "queue %u: modified from %s%s (select 0x%" PRIx64 ")",
					index, vq->suspended ? "SUSPEND" : "INIT",
					start ? " to RDY" : "", sel);
			ready = start;
			goto configured;
		}
		LVDPA_VDPA_DLOG(priv, INFO, "queue %u: modify refused (%s): created anew",
				index, strerror(-rc));
	}
	if (vq->obj != NULL) {
		lvdpa_vdpa_event_kick_set(priv, vq, -1);
		lvdpa_devx_virtq_destroy(vq->obj);
		vq->obj = NULL;
		LVDPA_VDPA_DLOG(priv, DEBUG, "queue %u: destroyed", index);
	}
	vq->fresh = false;
	vq->suspended = false;
	vq->dirty_log = false;
	rc = lvdpa_vdpa_virtq_base_attr(priv, vq, size, &attr);
	if (rc == 0)
		rc = lvdpa_vdpa_virtq_guest_attr(priv, vq, &attr);
	if (rc != 0)
		return rc;
	rc = lvdpa_devx_virtq_create(priv->tp, &attr, &vq->obj);
	if (rc != 0) {
		lvdpa_vdpa_virtq_refused(priv, vq, rc);
		return rc;
	}
	LVDPA_VDPA_DLOG(priv, DEBUG, "queue %u: created", index);
	lvdpa_vdpa_virtq_subscribe(priv, vq);
	if (priv->log_enabled) {
		rc = lvdpa_vdpa_lm_virtq_set(priv, vq, true);
		if (rc != 0)
			return rc;
	}
configured:
	/* A new or just modified object is in INIT or SUSPEND: still modifiable. */
	vq->fresh = !ready;
	vq->suspended = false;
	vq->size = size;
	vq->packed = attr.virtio_q_type == LVDPA_PRM_VIRTQ_TYPE_PACKED;
	vq->version_1_0 = attr.virtio_version_1_0;
	vq->queue_features = attr.queue_features;
	vq->errored = false;
	rc = lvdpa_vdpa_event_kick_set(priv, vq, vq->vring.kickfd);
	if (rc != 0)
		return rc;
	/* Completions may be left from the previous object: arm anew. */
	lvdpa_vdpa_event_qp_arm(priv, vq);
	if (start && !ready) {
		rc = lvdpa_vdpa_virtq_ready(priv, vq);
		if (rc != 0)
			return rc;
		ready = true;
	}
	if (ready)
		lvdpa_vdpa_virtq_running(priv, vq);
	return 0;
}

int
lvdpa_vdpa_virtq_enable(struct lvdpa_vdpa_priv *priv, uint16_t index,
			bool enable)
{
	struct lvdpa_vdpa_virtq *vq = &priv->virtqs[index];

	if (!enable)
		return lvdpa_vdpa_virtq_stop(priv, index);
	if (vq->running)
		return 0;
	/*
	 * Take the guest's current rings and the indices the stop handed to
	 * rte_vhost (or SET_VRING_BASE set): a fresh or suspended object is
	 * modified to RDY in one command, others are created anew.
	 */
	return lvdpa_vdpa_virtq_setup(priv, index, true);
}

int
lvdpa_vdpa_virtq_suspend(struct lvdpa_vdpa_priv *priv, uint16_t index)
{
	struct lvdpa_vdpa_virtq *vq = &priv->virtqs[index];
	struct lvdpa_devx_virtq_attr attr;
	int rc;

	vq->stop_rc = 0;
	if (!vq->running || vq->obj == NULL)
		return 0;
	memset(&attr, 0, sizeof(attr));
	attr.queue_index = index;
	attr.state = LVDPA_PRM_VIRTQ_STATE_SUSPEND;
	rc = lvdpa_devx_virtq_modify(vq->obj, &attr, LVDPA_PRM_VIRTQ_MODIFY_STATE);
	if (rc != 0)
		LVDPA_VDPA_DLOG(priv, ERR, "queue %u: suspend failed: %s", index,
				strerror(-rc));
	vq->running = false;
	vq->suspended = rc == 0;
	vq->stop_pending = true;
	/* Where the device stopped, even if it is in ERR. */
	rc = lvdpa_devx_virtq_query(vq->obj, &attr);
	if (rc != 0) {
		LVDPA_VDPA_DLOG(priv, ERR, "queue %u: query after stop failed: %s",
				index, strerror(-rc));
		vq->suspended = false;
		vq->stop_rc = rc;
		return rc;
	}
	if (attr.state == LVDPA_PRM_VIRTQ_STATE_ERR) {
		LVDPA_VDPA_DLOG(priv, ERR, "queue %u stopped in ERR (error type %u)",
				index, attr.error_type);
		vq->suspended = false;
	}
	vq->hw_avail = attr.hw_available_index;
	vq->hw_used = attr.hw_used_index;
	LVDPA_VDPA_DLOG(priv, DEBUG, "queue %u: suspended and queried", index);
	return 0;
}

void
lvdpa_vdpa_virtq_stopped(struct lvdpa_vdpa_priv *priv, uint16_t index)
{
	struct lvdpa_vdpa_virtq *vq = &priv->virtqs[index];

	if (!vq->stop_pending)
		return;
	vq->stop_pending = false;
	if (vq->stop_rc != 0)
		return;
	if (vq->relay != NULL) {
		/* The device's indices are the shadow ring's: the guest's are the relay's. */
		lvdpa_vdpa_relay_stop(priv, vq);
	} else if (priv->vid >= 0) {
		rte_vhost_set_vring_base(priv->vid, index, vq->hw_avail, vq->hw_used);
	}
	if (priv->vid >= 0) {
		if (priv->log_enabled && vq->dev_ring_len != 0)
			rte_vhost_log_write(priv->vid, vq->dev_ring_gpa,
					    vq->dev_ring_len);
	}
	LVDPA_VDPA_DLOG(priv, DEBUG, "queue %u stopped at avail %u used %u", index,
			vq->hw_avail, vq->hw_used);
}

int
lvdpa_vdpa_virtq_stop(struct lvdpa_vdpa_priv *priv, uint16_t index)
{
	struct lvdpa_vdpa_virtq *vq = &priv->virtqs[index];
	int rc = lvdpa_vdpa_virtq_suspend(priv, index);

	lvdpa_vdpa_virtq_stopped(priv, index);
	return rc != 0 ? rc : vq->stop_rc;
}

/*
 * error_type values of a guest's bad ring (bad descriptor, invalid buffer,
 * chain too long; doc/guides/model.rst). Recreating the queue at the same
 * index would fault on the same descriptor again: such a queue stays
 * stopped. Any other error is the device's own, and the queue is recovered.
 */
#define LVDPA_VDPA_VQ_ERROR_GUEST_MIN 2
#define LVDPA_VDPA_VQ_ERROR_GUEST_MAX 4

/* Record a device error; false when the queue failed too often recently. */
static bool
lvdpa_vdpa_virtq_err_budget(struct lvdpa_vdpa_virtq *vq)
{
	uint64_t now = rte_get_timer_cycles();
	uint64_t window = (uint64_t)LVDPA_VDPA_ERR_WINDOW_S * rte_get_timer_hz();
	bool ok;

	/* err_tsc holds the last LVDPA_VDPA_ERR_MAX errors, 0 for none yet. */
	ok = vq->err_tsc[0] == 0 || now - vq->err_tsc[0] > window;
	memmove(&vq->err_tsc[0], &vq->err_tsc[1],
		sizeof(vq->err_tsc) - sizeof(vq->err_tsc[0]));
	vq->err_tsc[LVDPA_VDPA_ERR_MAX - 1] = now;
	return ok;
}

void
lvdpa_vdpa_virtq_error(struct lvdpa_vdpa_priv *priv, uint16_t index)
{
	struct lvdpa_vdpa_virtq *vq = &priv->virtqs[index];
	struct lvdpa_devx_virtq_attr attr;
	int rc;

	if (vq->errored || vq->obj == NULL)
		return;
	vq->err_events++;
	vq->errored = true;   /* nothing serves it until recovered */
	rc = lvdpa_devx_virtq_query(vq->obj, &attr);
	if (rc != 0) {
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d queue %u: the device put the queue in ERR; query failed (%s): it stays stopped",
				priv->vid, index, strerror(-rc));
		return;
	}
	if (attr.error_type >= LVDPA_VDPA_VQ_ERROR_GUEST_MIN &&
	    attr.error_type <= LVDPA_VDPA_VQ_ERROR_GUEST_MAX) {
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d queue %u: the device put the queue in ERR (a guest ring error, type %u); it stays stopped",
				priv->vid, index, attr.error_type);
		return;
	}
	if (!vq->running || priv->vid < 0 || vq->relay != NULL) {
		/* A relayed queue's indices are the shadow ring's: not resumable here. */
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d queue %u: device error (type %u) in ERR%s; it stays stopped",
				priv->vid, index, attr.error_type,
				vq->relay != NULL ? " on a relayed queue" : "");
		return;
	}
	if (!lvdpa_vdpa_virtq_err_budget(vq)) {
		vq->disabled++;
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d queue %u: device error (type %u), more than %u within %u s: queue disabled, it stays stopped at avail %u used %u",
				priv->vid, index, attr.error_type, LVDPA_VDPA_ERR_MAX,
				LVDPA_VDPA_ERR_WINDOW_S, attr.hw_available_index,
				attr.hw_used_index);
		return;
	}
	LVDPA_VDPA_DLOG(priv, WARNING, "vid %d queue %u: device error (type %u) in ERR at avail %u used %u: recreating the queue there",
			priv->vid, index, attr.error_type, attr.hw_available_index,
			attr.hw_used_index);
	/*
	 * What the device completed is published: resume at its indices, so
	 * that no buffer is lost or served twice. setup destroys the object
	 * in ERR (errored) and creates one from the vring base.
	 */
	vq->running = false;
	vq->hw_avail = attr.hw_available_index;
	vq->hw_used = attr.hw_used_index;
	rc = rte_vhost_set_vring_base(priv->vid, index, attr.hw_available_index,
				      attr.hw_used_index);
	if (rc == 0)
		rc = lvdpa_vdpa_virtq_setup(priv, index, true);
	if (rc != 0 || !vq->running) {
		vq->errored = true;
		vq->disabled++;
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d queue %u: recovery failed (%s): queue disabled, it stays stopped",
				priv->vid, index, rc != 0 ? strerror(-rc) : "not restarted");
		return;
	}
	vq->recoveries++;
	LVDPA_VDPA_DLOG(priv, NOTICE, "vid %d queue %u: recovered (%" PRIu64 " so far), resumed at avail %u used %u",
			priv->vid, index, vq->recoveries, vq->hw_avail, vq->hw_used);
}
