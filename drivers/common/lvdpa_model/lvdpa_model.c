/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The "model" transport: capability profile, function open/close, and the
 * ops table registered from a constructor. Commands are decoded in
 * lvdpa_model_cmd.c; everything here takes the function's lock around what
 * the worker may touch concurrently.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_log.h>

#include "lvdpa_model_priv.h"
#include "lvdpa_prm.h"

RTE_LOG_REGISTER_SUFFIX(lvdpa_model_logtype, model, NOTICE);

/* ---- capability profile ---- */

int
lvdpa_model_parse_uint(const char *v, unsigned long min, unsigned long max,
		       unsigned long *out)
{
	char *end;
	unsigned long x;

	if (v == NULL || *v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	x = strtoul(v, &end, 0);
	if (errno != 0 || *end != '\0' || x < min || x > max)
		return -EINVAL;
	*out = x;
	return 0;
}

static int
lvdpa_model_parse_events(const char *v, uint8_t *modes)
{
	char buf[64], *tok, *save = NULL;

	if (strlen(v) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, v);
	*modes = 0;
	for (tok = strtok_r(buf, "+", &save); tok != NULL;
	     tok = strtok_r(NULL, "+", &save)) {
		if (strcmp(tok, "no_msix") == 0)
			*modes |= LVDPA_MODEL_EVENT_NO_MSIX;
		else if (strcmp(tok, "qp") == 0)
			*modes |= LVDPA_MODEL_EVENT_QP;
		else if (strcmp(tok, "msix") == 0)
			*modes |= LVDPA_MODEL_EVENT_MSIX;
		else
			return -EINVAL;
	}
	return *modes != 0 ? 0 : -EINVAL;
}

static int
lvdpa_model_parse_mac(const char *v, uint8_t mac[6])
{
	unsigned int b[6], i;
	char tail;

	if (sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = b[i];
	return (mac[0] & 1) ? -EINVAL : 0;   /* a function MAC is unicast */
}

static int
lvdpa_model_caps_kv(struct lvdpa_model_caps *caps, const char *k, const char *v)
{
	unsigned long x;

	if (strcmp(k, "max_queues") == 0) {
		if (lvdpa_model_parse_uint(v, 2, 256, &x) != 0)
			return -EINVAL;
		caps->max_queues = x;
	} else if (strcmp(k, "max_queue_size") == 0) {
		if (lvdpa_model_parse_uint(v, 2, LVDPA_RING_MAX_SIZE, &x) != 0 ||
		    (x & (x - 1)) != 0)
			return -EINVAL;
		caps->max_queue_size = x;
	} else if (strcmp(k, "legacy") == 0) {
		if (lvdpa_model_parse_uint(v, 0, 1, &x) != 0)
			return -EINVAL;
		caps->legacy = x;
	} else if (strcmp(k, "packed") == 0) {
		if (lvdpa_model_parse_uint(v, 0, 1, &x) != 0)
			return -EINVAL;
		caps->packed = x;
	} else if (strcmp(k, "event_idx") == 0) {
		if (lvdpa_model_parse_uint(v, 0, 1, &x) != 0)
			return -EINVAL;
		caps->event_idx = x;
	} else if (strcmp(k, "event_modes") == 0) {
		return lvdpa_model_parse_events(v, &caps->event_modes);
	} else if (strcmp(k, "mac") == 0) {
		if (lvdpa_model_parse_mac(v, caps->mac) != 0)
			return -EINVAL;
		caps->mac_set = true;
	} else if (strcmp(k, "budget") == 0) {
		if (lvdpa_model_parse_uint(v, 1, 4096, &x) != 0)
			return -EINVAL;
		caps->budget = x;
	} else if (strcmp(k, "lcore") == 0) {
		if (lvdpa_model_parse_uint(v, 0, RTE_MAX_LCORE - 1, &x) != 0)
			return -EINVAL;
		caps->lcore = x;
	} else if (strcmp(k, "poll_us") == 0) {
		if (lvdpa_model_parse_uint(v, 0, 1000000, &x) != 0)
			return -EINVAL;
		caps->poll_us = x;
	} else if (strcmp(k, "latency") == 0) {
		return lvdpa_model_latency_parse(v, caps->latency_us);
	} else if (strcmp(k, "faults") == 0) {
		return lvdpa_model_faults_parse(v, caps);
	} else if (strcmp(k, "uplink") == 0) {
		if (*v == '\0' || strlen(v) >= sizeof(caps->uplink))
			return -EINVAL;
		strcpy(caps->uplink, v);
	} else {
		return -ENOENT;
	}
	return 0;
}

int
lvdpa_model_caps_parse(const char *params, struct lvdpa_model_caps *caps,
		       char *err, unsigned int err_len)
{
	char *buf, *tok, *save = NULL;
	int rc = 0;

	memset(caps, 0, sizeof(*caps));
	caps->max_queues = 16;
	caps->max_queue_size = LVDPA_RING_MAX_SIZE;
	caps->legacy = true;
	caps->packed = true;
	caps->event_modes = LVDPA_MODEL_EVENT_NO_MSIX | LVDPA_MODEL_EVENT_QP;
	caps->budget = 64;
	caps->lcore = -1;
	caps->poll_us = LVDPA_MODEL_POLL_US_DEFAULT;
	if (err != NULL && err_len > 0)
		err[0] = '\0';
	if (params == NULL || *params == '\0')
		return 0;
	buf = strdup(params);
	if (buf == NULL)
		return -ENOMEM;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		int r;

		if (eq == NULL) {
			if (err != NULL)
				snprintf(err, err_len, "model param '%s' is not key=value", tok);
			rc = -EINVAL;
			break;
		}
		*eq = '\0';
		r = lvdpa_model_caps_kv(caps, tok, eq + 1);
		if (r != 0) {
			if (err != NULL)
				snprintf(err, err_len, r == -ENOENT ?
					 "model param '%s' is unknown (value '%s')" :
					 "model param '%s' has a bad value '%s'",
					 tok, eq + 1);
			rc = -EINVAL;
			break;
		}
	}
	free(buf);
	return rc;
}

/* ---- datapath log rate limit: a burst of 10, then one per second ---- */

bool
lvdpa_model_log_ratelimit(struct lvdpa_model_dev *dev)
{
	uint64_t now = rte_get_tsc_cycles(), hz = rte_get_tsc_hz();

	if (hz == 0)
		hz = 1000000000;
	if (now - dev->log_tsc > hz) {
		dev->log_tsc = now;
		dev->log_burst = 0;
	}
	return dev->log_burst++ < 10;
}

/* ---- transport ops ---- */

static void lvdpa_model_close(struct lvdpa_tp_dev *tp);

static int
lvdpa_model_open(const char *device, const char *params, struct lvdpa_tp_dev **out)
{
	struct lvdpa_model_dev *dev;
	char err[160];
	int rc;

	RTE_SET_USED(device);
	dev = calloc(1, sizeof(*dev));
	if (dev == NULL)
		return -ENOMEM;
	rc = lvdpa_model_caps_parse(params, &dev->caps, err, sizeof(err));
	if (rc == 0)
		rc = lvdpa_model_latency_env(&dev->caps);  /* logs its own error */
	if (rc != 0) {
		if (err[0] != '\0')
			LVDPA_MODEL_LOG(ERR, "%s", err);
		free(dev);
		return rc;
	}
	dev->tp.priv = dev;
	dev->next_id = 1;
	pthread_mutex_init(&dev->lock, NULL);
	lvdpa_model_worker_init(dev);
	dev->vq_by_index = calloc(dev->caps.max_queues, sizeof(*dev->vq_by_index));
	dev->kick = calloc(dev->caps.max_queues, sizeof(*dev->kick));
	dev->bounce = malloc(LVDPA_MODEL_MAX_PKT);
	dev->tx_slots = malloc((size_t)LVDPA_MODEL_TX_BURST * LVDPA_MODEL_TX_SLOT);
	if (dev->vq_by_index == NULL || dev->kick == NULL || dev->bounce == NULL ||
	    dev->tx_slots == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	/* Uplink and e-switch before the worker: it reads what they set. */
	rc = lvdpa_model_net_attach(dev);
	if (rc != 0)
		goto fail;
	rc = lvdpa_model_worker_start(dev);
	if (rc != 0)
		goto fail;
	LVDPA_MODEL_LOG(INFO, "function %u opened: %u queues of up to %u, legacy %d, packed %d",
			dev->fn, dev->caps.max_queues, dev->caps.max_queue_size,
			dev->caps.legacy, dev->caps.packed);
	*out = &dev->tp;
	return 0;
fail:
	lvdpa_model_close(&dev->tp);
	return rc;
}

/* Release every object as the device does when its function is closed. */
static void
lvdpa_model_close(struct lvdpa_tp_dev *tp)
{
	struct lvdpa_model_dev *dev = tp->priv;
	unsigned int i, pass;

	lvdpa_model_net_detach(dev);
	lvdpa_model_worker_stop(dev);
	lvdpa_model_net_free(dev);
	pthread_mutex_lock(&dev->lock);
	lvdpa_model_event_close_all(dev);
	/* Queues first, then what they reference. */
	for (pass = 0; pass < 2; pass++)
		for (i = 1; i < LVDPA_MODEL_MAX_OBJS; i++) {
			struct lvdpa_model_obj *o = dev->obj[i];

			if (o == NULL || (pass == 0) != (o->kind == LVDPA_MODEL_KIND_VIRTQ))
				continue;
			lvdpa_model_cmd_release(dev, o);
		}
	for (i = 1; i < LVDPA_MODEL_MAX_OBJS; i++)
		if (dev->umems[i] != NULL) {
			dev->umems[i]->refcnt = 0;
			lvdpa_model_umem_dereg(dev->umems[i]);
		}
	pthread_mutex_unlock(&dev->lock);
	pthread_mutex_destroy(&dev->lock);
	lvdpa_model_worker_fini(dev);
	free(dev->vq_by_index);
	free(dev->kick);
	free(dev->bounce);
	free(dev->tx_slots);
	free(dev);
}

static int
lvdpa_model_op_general(struct lvdpa_tp_dev *tp, const void *in, size_t inlen,
		       void *out, size_t outlen)
{
	struct lvdpa_model_dev *dev = tp->priv;
	uint64_t t0 = lvdpa_model_latency_now();
	int rc;

	pthread_mutex_lock(&dev->lock);
	if (lvdpa_model_fault_cmd(dev, LVDPA_MODEL_LAT_GENERAL, out, outlen))
		rc = 0;
	else
		rc = lvdpa_model_cmd_general(dev, in, inlen, out, outlen);
	pthread_mutex_unlock(&dev->lock);
	lvdpa_model_latency_charge(dev, LVDPA_MODEL_LAT_GENERAL, t0);
	return rc;
}

static int
lvdpa_model_op_create(struct lvdpa_tp_dev *tp, const void *in, size_t inlen,
		      void *out, size_t outlen, struct lvdpa_tp_obj **obj)
{
	struct lvdpa_model_dev *dev = tp->priv;
	struct lvdpa_model_obj *o = NULL;
	uint64_t t0 = lvdpa_model_latency_now();
	unsigned int op = lvdpa_model_latency_op(LVDPA_MODEL_LAT_CALL_CREATE, in, inlen,
						 LVDPA_MODEL_KIND_NONE);
	int rc;

	pthread_mutex_lock(&dev->lock);
	if (lvdpa_model_fault_cmd(dev, op, out, outlen))
		rc = 0;   /* refused: no object */
	else
		rc = lvdpa_model_cmd_create(dev, in, inlen, out, outlen, &o);
	pthread_mutex_unlock(&dev->lock);
	lvdpa_model_latency_charge(dev, op, t0);
	*obj = o != NULL ? &o->tp : NULL;
	return rc;
}

static int
lvdpa_model_op_modify(struct lvdpa_tp_obj *obj, const void *in, size_t inlen,
		      void *out, size_t outlen)
{
	struct lvdpa_model_dev *dev = obj->dev->priv;
	uint64_t t0 = lvdpa_model_latency_now();
	unsigned int op;
	int rc;

	pthread_mutex_lock(&dev->lock);
	op = lvdpa_model_latency_op(LVDPA_MODEL_LAT_CALL_MODIFY, in, inlen,
				    ((struct lvdpa_model_obj *)obj->priv)->kind);
	if (lvdpa_model_fault_cmd(dev, op, out, outlen))
		rc = 0;
	else
		rc = lvdpa_model_cmd_modify(dev, obj->priv, in, inlen, out, outlen);
	pthread_mutex_unlock(&dev->lock);
	lvdpa_model_latency_charge(dev, op, t0);
	return rc;
}

static int
lvdpa_model_op_query(struct lvdpa_tp_obj *obj, const void *in, size_t inlen,
		     void *out, size_t outlen)
{
	struct lvdpa_model_dev *dev = obj->dev->priv;
	uint64_t t0 = lvdpa_model_latency_now();
	unsigned int op;
	int rc;

	pthread_mutex_lock(&dev->lock);
	op = lvdpa_model_latency_op(LVDPA_MODEL_LAT_CALL_QUERY, in, inlen,
				    ((struct lvdpa_model_obj *)obj->priv)->kind);
	if (lvdpa_model_fault_cmd(dev, op, out, outlen))
		rc = 0;
	else
		rc = lvdpa_model_cmd_query(dev, obj->priv, in, inlen, out, outlen);
	pthread_mutex_unlock(&dev->lock);
	lvdpa_model_latency_charge(dev, op, t0);
	return rc;
}

static int
lvdpa_model_op_destroy(struct lvdpa_tp_obj *obj)
{
	struct lvdpa_model_dev *dev = obj->dev->priv;
	uint64_t t0 = lvdpa_model_latency_now();
	unsigned int op;
	int rc;

	pthread_mutex_lock(&dev->lock);
	op = lvdpa_model_latency_op(LVDPA_MODEL_LAT_CALL_DESTROY, NULL, 0,
				    ((struct lvdpa_model_obj *)obj->priv)->kind);
	rc = lvdpa_model_cmd_destroy(dev, obj->priv);
	pthread_mutex_unlock(&dev->lock);
	lvdpa_model_latency_charge(dev, op, t0);
	return rc;
}

static int
lvdpa_model_op_umem_reg(struct lvdpa_tp_dev *tp, void *addr, size_t size,
			uint32_t access, struct lvdpa_tp_umem **umem)
{
	struct lvdpa_model_dev *dev = tp->priv;
	struct lvdpa_model_umem *u = NULL;
	uint64_t t0 = lvdpa_model_latency_now();
	int rc;

	pthread_mutex_lock(&dev->lock);
	rc = lvdpa_model_umem_reg(dev, addr, size, access, &u);
	pthread_mutex_unlock(&dev->lock);
	lvdpa_model_latency_charge(dev, LVDPA_MODEL_LAT_UMEM_REG, t0);
	*umem = rc == 0 ? &u->tp : NULL;
	return rc;
}

static int
lvdpa_model_op_umem_dereg(struct lvdpa_tp_umem *umem)
{
	struct lvdpa_model_umem *u = umem->priv;
	struct lvdpa_model_dev *dev = u->dev;
	uint64_t t0 = lvdpa_model_latency_now();
	int rc;

	pthread_mutex_lock(&dev->lock);
	rc = lvdpa_model_umem_dereg(u);
	pthread_mutex_unlock(&dev->lock);
	lvdpa_model_latency_charge(dev, LVDPA_MODEL_LAT_UMEM_DEREG, t0);
	return rc;
}

struct lvdpa_model_db {
	struct lvdpa_tp_db tp;
	struct lvdpa_model_dev *dev;
	uint32_t arm_word;       /* first dword of a CQ doorbell written in two */
};

static int
lvdpa_model_op_db_alloc(struct lvdpa_tp_dev *tp, struct lvdpa_tp_db **out)
{
	struct lvdpa_model_db *db = calloc(1, sizeof(*db));

	if (db == NULL)
		return -ENOMEM;
	db->dev = tp->priv;
	db->tp.dev = tp;
	db->tp.priv = db;
	db->tp.page_id = 1;
	*out = &db->tp;
	return 0;
}

static void
lvdpa_model_op_db_free(struct lvdpa_tp_db *db)
{
	free(db->priv);
}

/*
 * A doorbell is a posted write, no reply. At offset 0 (doorbell_bar_offset)
 * the value is a virtq index: an index with no running queue is ignored, as
 * the hardware does. At the UAR CQ doorbell (0x20) the first dword is the
 * arm command, the second (0x24) the cqn, which arms that CQ.
 */
static void
lvdpa_model_op_db_write(struct lvdpa_tp_db *tp, uint32_t offset, uint32_t value)
{
	struct lvdpa_model_db *db = tp->priv;
	struct lvdpa_model_dev *dev = db->dev;

	if (offset == LVDPA_PRM_UAR_CQ_DOORBELL_OFF) {
		db->arm_word = value;
		return;
	}
	if (offset == LVDPA_PRM_UAR_CQ_DOORBELL_OFF + 4) {
		pthread_mutex_lock(&dev->lock);
		lvdpa_model_cq_arm(dev, value & 0xffffff, db->arm_word);
		pthread_mutex_unlock(&dev->lock);
		return;
	}
	if (offset != 0 || value >= dev->caps.max_queues)
		return;
	atomic_store(&dev->kick[value], true);
	lvdpa_model_worker_wake(dev);
}

/* The UAR page: the same page as the doorbells (one BAR in the model). */
static void
lvdpa_model_op_uar_write64(struct lvdpa_tp_db *tp, uint32_t offset, uint64_t value)
{
	struct lvdpa_model_db *db = tp->priv;
	struct lvdpa_model_dev *dev = db->dev;

	if (offset != LVDPA_PRM_UAR_CQ_DOORBELL_OFF)
		return;
	pthread_mutex_lock(&dev->lock);
	lvdpa_model_cq_arm(dev, value & 0xffffff, value >> 32);
	pthread_mutex_unlock(&dev->lock);
}

/* One completion EQ, number 0. */
static int
lvdpa_model_op_query_eqn(struct lvdpa_tp_dev *tp, uint32_t vector, uint32_t *eqn)
{
	RTE_SET_USED(tp);
	if (vector != 0)
		return -EINVAL;
	*eqn = 0;
	return 0;
}

static int
lvdpa_model_op_evchan_create(struct lvdpa_tp_dev *tp, struct lvdpa_tp_evchan **ch)
{
	struct lvdpa_model_dev *dev = tp->priv;
	int rc;

	pthread_mutex_lock(&dev->lock);
	rc = lvdpa_model_evchan_create(dev, ch);
	pthread_mutex_unlock(&dev->lock);
	return rc;
}

static void
lvdpa_model_op_evchan_destroy(struct lvdpa_tp_evchan *ch)
{
	struct lvdpa_model_dev *dev = ch->dev->priv;

	pthread_mutex_lock(&dev->lock);
	lvdpa_model_evchan_destroy(ch);
	pthread_mutex_unlock(&dev->lock);
}

static int
lvdpa_model_op_evchan_subscribe(struct lvdpa_tp_evchan *ch, struct lvdpa_tp_obj *obj,
				const uint16_t *types, unsigned int n, uint64_t cookie)
{
	struct lvdpa_model_dev *dev = ch->dev->priv;
	int rc;

	if (obj == NULL || obj->dev != ch->dev)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	rc = lvdpa_model_evchan_subscribe(ch, obj, types, n, cookie);
	pthread_mutex_unlock(&dev->lock);
	return rc;
}

static int
lvdpa_model_op_evchan_read(struct lvdpa_tp_evchan *ch, struct lvdpa_tp_event *ev)
{
	return lvdpa_model_evchan_read(ch, ev);
}

static const struct lvdpa_transport_ops lvdpa_model_ops = {
	.name = "model",
	.open = lvdpa_model_open,
	.close = lvdpa_model_close,
	.general_cmd = lvdpa_model_op_general,
	.obj_create = lvdpa_model_op_create,
	.obj_modify = lvdpa_model_op_modify,
	.obj_query = lvdpa_model_op_query,
	.obj_destroy = lvdpa_model_op_destroy,
	.umem_reg = lvdpa_model_op_umem_reg,
	.umem_dereg = lvdpa_model_op_umem_dereg,
	.db_alloc = lvdpa_model_op_db_alloc,
	.db_free = lvdpa_model_op_db_free,
	.db_write = lvdpa_model_op_db_write,
	.evchan_create = lvdpa_model_op_evchan_create,
	.evchan_destroy = lvdpa_model_op_evchan_destroy,
	.evchan_subscribe = lvdpa_model_op_evchan_subscribe,
	.evchan_read = lvdpa_model_op_evchan_read,
	.uar_alloc = lvdpa_model_op_db_alloc,
	.uar_free = lvdpa_model_op_db_free,
	.uar_write64 = lvdpa_model_op_uar_write64,
	.query_eqn = lvdpa_model_op_query_eqn,
};

RTE_INIT(lvdpa_model_register)
{
	lvdpa_transport_register(&lvdpa_model_ops);
}
