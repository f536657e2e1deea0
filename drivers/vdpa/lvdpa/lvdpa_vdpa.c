/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The lvdpa vDPA PMD: a vdev driver named "lvdpa" registered with DPDK's
 * vDPA framework. This file holds the devargs (one table drives parsing,
 * the exported parameter string and the documentation), probe/remove, the
 * device list and the ops table. Every op finds its device through
 * lvdpa_vdpa_get()/lvdpa_vdpa_put(): the reference keeps remove from
 * freeing a device an op is using (ops run on the vhost thread and on the
 * application's main thread).
 */

#define _GNU_SOURCE         /* pthread_setname_np */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <semaphore.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_devargs.h>
#include <rte_errno.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>

#include "lvdpa_vdpa.h"
#include "lvdpa_virtio.h"

RTE_LOG_REGISTER_DEFAULT(lvdpa_vdpa_logtype, NOTICE);

#define LVDPA_VDPA_DRIVER_NAME lvdpa

/* ------------------------------------------------------------------ */
/* Devargs: one table. */

enum lvdpa_vdpa_arg_kind {
	LVDPA_VDPA_ARG_STR,    /* string of at most max chars */
	LVDPA_VDPA_ARG_UINT,   /* decimal in [min, max] */
	LVDPA_VDPA_ARG_INT,    /* signed decimal in [min, max] */
	LVDPA_VDPA_ARG_POW2,   /* 0 or a power of two in [min, max] */
	LVDPA_VDPA_ARG_ENUM,   /* one of names[] */
};

static const char *const lvdpa_vdpa_legacy_names[] = {
	"auto", "device", "relay", "refuse", NULL };
static const char *const lvdpa_vdpa_order_names[] = {
	"auto", "strong", "weak", NULL };

/*
 * X(key, kind, default, min, max, enum names, hint, help). The key is also
 * the field of struct lvdpa_vdpa_config. doc/guides/vdpa_driver.rst has
 * the same table.
 */
#define LVDPA_VDPA_DEVARGS(X) \
	X(device, STR, "model", 1, 63, NULL, "<model|rdma device>", \
	  "device to drive: the software model or an rdma-core device") \
	X(queues, UINT, "0", 0, 128, NULL, "<0-128>", \
	  "queue pairs whose objects are created at probe (with queue_size)") \
	X(queue_size, POW2, "0", 2, 32768, NULL, "<power of 2>", \
	  "ring size of the queues created at probe (with queues)") \
	X(uplink, STR, "", 0, 63, NULL, "<ethdev name>", \
	  "uplink ethdev; none: a function's TX loops back to its RX") \
	X(legacy, ENUM, "auto", 0, 0, lvdpa_vdpa_legacy_names, \
	  "<auto|device|relay|refuse>", "where legacy guests go") \
	X(host_order, ENUM, "auto", 0, 0, lvdpa_vdpa_order_names, \
	  "<auto|strong|weak>", "host memory ordering (test override)") \
	X(event_mode, UINT, "1", 0, 2, NULL, "<0|1|2>", \
	  "0 timer, 1 dynamic timer, 2 device interrupts") \
	X(event_us, UINT, "100", 1, 1000000, NULL, "<us>", \
	  "event thread polling period") \
	X(no_traffic_time, UINT, "16", 0, 1000000, NULL, "<rounds>", \
	  "dynamic timer: idle rounds before device interrupts take over") \
	X(event_core, INT, "-1", -1, 1023, NULL, "<cpu>", \
	  "CPU of the event thread, -1 any") \
	X(relay_core, INT, "-1", -1, 1023, NULL, "<cpu>", \
	  "CPU of the relay thread shared by the devices naming it, -1: the event thread") \
	X(hw_latency_mode, UINT, "0", 0, 2, NULL, "<0|1|2>", \
	  "interrupt moderation period mode") \
	X(hw_max_latency_us, UINT, "0", 0, 4095, NULL, "<us>", \
	  "interrupt moderation period") \
	X(hw_max_pending_comp, UINT, "0", 0, 65535, NULL, "<n>", \
	  "interrupt moderation completion count") \
	X(max_conf_threads, UINT, "31", 0, 256, NULL, "<0-256>", \
	  "threads issuing queue commands beside the caller, 0: none") \
	X(model_legacy, UINT, "1", 0, 1, NULL, "<0|1>", \
	  "model: legacy queues supported") \
	X(model_packed, UINT, "1", 0, 1, NULL, "<0|1>", \
	  "model: packed queues supported") \
	X(model_max_queue_size, POW2, "32768", 2, 32768, NULL, "<power of 2>", \
	  "model: largest queue size") \
	X(model_max_queues, UINT, "16", 2, 256, NULL, "<2-256>", \
	  "model: virtio queues per function") \
	X(model_latency, STR, "", 0, 127, NULL, "<none|cx6dx|...>", \
	  "model: firmware command latency profile") \
	X(model_faults, STR, "", 0, 127, NULL, "<cmd:T:N|vq_err:Q:N|evchan_hup:N...>", \
	  "model: injected device faults") \
	X(model_poll_us, UINT, "50", 0, 1000000, NULL, "<us>", \
	  "model: busy polling after the last work, doorbells suppressed")


struct lvdpa_vdpa_devarg {
	const char *key;
	enum lvdpa_vdpa_arg_kind kind;
	const char *def;
	int64_t min, max;
	const char *const *names;
	size_t off;
	size_t len;
};

#define LVDPA_VDPA_ARG_ROW(k, kind_, def_, min_, max_, names_, hint, help) \
	{ #k, LVDPA_VDPA_ARG_ ## kind_, def_, min_, max_, names_, \
	  offsetof(struct lvdpa_vdpa_config, k), \
	  sizeof(((struct lvdpa_vdpa_config *)0)->k) },

static const struct lvdpa_vdpa_devarg lvdpa_vdpa_devargs[] = {
	LVDPA_VDPA_DEVARGS(LVDPA_VDPA_ARG_ROW)
};

#define LVDPA_VDPA_ARG_PARAM(k, kind_, def_, min_, max_, names_, hint, help) \
	#k "=" hint " "

static int
lvdpa_vdpa_arg_set(const struct lvdpa_vdpa_devarg *a, const char *val,
		   struct lvdpa_vdpa_config *cfg, const char *dev)
{
	char *field = (char *)cfg + a->off;
	char *end;
	unsigned int i;

	switch (a->kind) {
	case LVDPA_VDPA_ARG_STR:
		if (strlen(val) < (size_t)a->min || strlen(val) > (size_t)a->max)
			goto bad;
		snprintf(field, a->len, "%s", val);
		return 0;
	case LVDPA_VDPA_ARG_ENUM:
		for (i = 0; a->names[i] != NULL; i++)
			if (strcmp(val, a->names[i]) == 0) {
				uint32_t v = i;

				memcpy(field, &v, sizeof(v));
				return 0;
			}
		goto bad;
	case LVDPA_VDPA_ARG_INT: {
		long long v;
		const char *digits = val[0] == '-' ? val + 1 : val;

		/* strtoll skips blanks and takes '+': one spelling per value. */
		if (digits[0] < '0' || digits[0] > '9')
			goto bad;
		errno = 0;
		v = strtoll(val, &end, 10);
		if (errno != 0 || end == val || *end != '\0' ||
		    v < a->min || v > a->max)
			goto bad;
		int32_t v32 = (int32_t)v;

		memcpy(field, &v32, sizeof(v32));
		return 0;
	}
	case LVDPA_VDPA_ARG_UINT:
	case LVDPA_VDPA_ARG_POW2: {
		unsigned long long v;

		/* strtoull takes "-1" and " 1": only digits are valid here. */
		if (val[0] < '0' || val[0] > '9')
			goto bad;
		errno = 0;
		v = strtoull(val, &end, 10);
		if (errno != 0 || *end != '\0')
			goto bad;
		if (a->kind == LVDPA_VDPA_ARG_POW2 && v != 0 &&
		    (v < (uint64_t)a->min || v > (uint64_t)a->max ||
		     (v & (v - 1)) != 0))
			goto bad;
		if (a->kind == LVDPA_VDPA_ARG_UINT &&
		    (v < (uint64_t)a->min || v > (uint64_t)a->max))
			goto bad;
		uint32_t v32 = (uint32_t)v;

		memcpy(field, &v32, sizeof(v32));
		return 0;
	}
	}
bad:
	if (a->kind == LVDPA_VDPA_ARG_ENUM) {
		char names[128] = "";
		size_t off = 0;

		for (i = 0; a->names[i] != NULL && off < sizeof(names); i++)
			off += snprintf(names + off, sizeof(names) - off, "%s%s",
					i ? "|" : "", a->names[i]);
		LVDPA_VDPA_LOG(ERR, "%s: invalid devarg %s=%s (expected %s)",
			       dev, a->key, val, names);
	}
	else if (a->kind == LVDPA_VDPA_ARG_STR)
		LVDPA_VDPA_LOG(ERR, "%s: invalid devarg %s=%s (length %" PRId64 "..%" PRId64 ")",
			       dev, a->key, val, a->min, a->max);
	else
		LVDPA_VDPA_LOG(ERR, "%s: invalid devarg %s=%s (range %" PRId64 "..%" PRId64 "%s)",
			       dev, a->key, val, a->min, a->max,
			       a->kind == LVDPA_VDPA_ARG_POW2 ? ", power of 2" : "");
	return -EINVAL;
}

static const struct lvdpa_vdpa_devarg *
lvdpa_vdpa_arg_find(const char *key, unsigned int *idx)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(lvdpa_vdpa_devargs); i++)
		if (strcmp(lvdpa_vdpa_devargs[i].key, key) == 0) {
			*idx = i;
			return &lvdpa_vdpa_devargs[i];
		}
	return NULL;
}

#define LVDPA_VDPA_GIVEN(key, given) \
	({ unsigned int i_; lvdpa_vdpa_arg_find(key, &i_) != NULL && \
	   ((given) & (UINT64_C(1) << i_)); })

/* Defaults, then each key=value: unknown keys, repeats and bad values fail. */
static int
lvdpa_vdpa_config_parse(const char *dev, const char *args,
			struct lvdpa_vdpa_config *cfg)
{
	struct rte_kvargs *kv = NULL;
	uint64_t given = 0;
	unsigned int i, idx;
	int rc = 0;

	RTE_BUILD_BUG_ON(RTE_DIM(lvdpa_vdpa_devargs) > 64);
	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < RTE_DIM(lvdpa_vdpa_devargs); i++)
		if (lvdpa_vdpa_arg_set(&lvdpa_vdpa_devargs[i],
				       lvdpa_vdpa_devargs[i].def, cfg, dev) != 0)
			return -EINVAL; /* a bad default: a bug in the table */
	if (args == NULL || args[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(args, NULL);
	if (kv == NULL) {
		LVDPA_VDPA_LOG(ERR, "%s: cannot parse devargs \"%s\"", dev, args);
		return -EINVAL;
	}
	for (i = 0; i < kv->count; i++) {
		const char *key = kv->pairs[i].key;
		const char *val = kv->pairs[i].value;
		const struct lvdpa_vdpa_devarg *a = lvdpa_vdpa_arg_find(key, &idx);

		if (a == NULL) {
			LVDPA_VDPA_LOG(ERR, "%s: unknown devarg %s=%s", dev, key,
				       val != NULL ? val : "");
			rc = -EINVAL;
			goto out;
		}
		if (val == NULL) {
			LVDPA_VDPA_LOG(ERR, "%s: devarg %s needs a value", dev, key);
			rc = -EINVAL;
			goto out;
		}
		if (given & (UINT64_C(1) << idx)) {
			LVDPA_VDPA_LOG(ERR, "%s: devarg %s given twice (%s)", dev, key, val);
			rc = -EINVAL;
			goto out;
		}
		given |= UINT64_C(1) << idx;
		rc = lvdpa_vdpa_arg_set(a, val, cfg, dev);
		if (rc != 0)
			goto out;
	}
	/* Checks across keys. */
	if ((cfg->queues == 0) != (cfg->queue_size == 0)) {
		LVDPA_VDPA_LOG(ERR, "%s: invalid devargs queues=%u queue_size=%u: give both or neither",
			       dev, cfg->queues, cfg->queue_size);
		rc = -EINVAL;
		goto out;
	}
	if (strcmp(cfg->device, "model") != 0) {
		static const char *const model_only[] = { "uplink",
			"model_legacy", "model_packed", "model_max_queue_size",
			"model_max_queues", "model_latency", "model_faults",
			"model_poll_us" };

		for (i = 0; i < RTE_DIM(model_only); i++)
			if (LVDPA_VDPA_GIVEN(model_only[i], given)) {
				LVDPA_VDPA_LOG(ERR, "%s: invalid devarg %s with device=%s: it applies to device=model only",
					       dev, model_only[i], cfg->device);
				rc = -EINVAL;
				goto out;
			}
	}
out:
	rte_kvargs_free(kv);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Device list. */

static TAILQ_HEAD(lvdpa_vdpa_list, lvdpa_vdpa_priv) lvdpa_vdpa_list =
	TAILQ_HEAD_INITIALIZER(lvdpa_vdpa_list);
static pthread_mutex_t lvdpa_vdpa_list_lock = PTHREAD_MUTEX_INITIALIZER;

/* Take a reference on the device of @p vdev (or of @p vid when vdev is NULL). */
static struct lvdpa_vdpa_priv *
lvdpa_vdpa_get(struct rte_vdpa_device *vdev, int vid)
{
	struct lvdpa_vdpa_priv *priv;

	if (vdev == NULL)
		vdev = rte_vhost_get_vdpa_device(vid);
	if (vdev == NULL)
		return NULL;
	pthread_mutex_lock(&lvdpa_vdpa_list_lock);
	TAILQ_FOREACH(priv, &lvdpa_vdpa_list, next)
		if (priv->vdev == vdev) {
			priv->refcnt++;
			break;
		}
	pthread_mutex_unlock(&lvdpa_vdpa_list_lock);
	if (priv == NULL)
		LVDPA_VDPA_LOG(ERR, "no lvdpa device for vDPA device %p (vid %d)",
			       (void *)vdev, vid);
	return priv;
}

static void
lvdpa_vdpa_put(struct lvdpa_vdpa_priv *priv)
{
	pthread_mutex_lock(&lvdpa_vdpa_list_lock);
	priv->refcnt--;
	pthread_mutex_unlock(&lvdpa_vdpa_list_lock);
}

/* ------------------------------------------------------------------ */
/* Configuration. */

static uint64_t
lvdpa_vdpa_features_of(const struct lvdpa_vdpa_priv *priv)
{
	const struct lvdpa_devx_caps *c = &priv->caps;
	bool model = strcmp(priv->cfg.device, "model") == 0;
	uint64_t f;

	f = LVDPA_VIRTIO_BIT(LVDPA_VHOST_USER_F_PROTOCOL_FEATURES) |
	    LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_ANY_LAYOUT) |
	    LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_MQ) |
	    LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_GUEST_ANNOUNCE) |
	    LVDPA_VIRTIO_BIT(LVDPA_VHOST_F_LOG_ALL) |
	    LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_MAC) |
	    LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_STATUS);
	if (c->virtio_version_1_0)
		f |= LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_VERSION_1) |
		     LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_ORDER_PLATFORM);
	if (c->virtio_queue_type & (1u << LVDPA_PRM_VIRTQ_TYPE_PACKED))
		f |= LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_RING_PACKED);
	if (c->tso_ipv4)
		f |= LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_HOST_TSO4);
	if (c->tso_ipv6)
		f |= LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_HOST_TSO6);
	if (c->tx_csum)
		f |= LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_CSUM);
	if (c->rx_csum)
		f |= LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_GUEST_CSUM);
	/* Per queue in queue_feature_bit_mask (QF_MRG_RXBUF). */
	f |= LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_MRG_RXBUF);
	/*
	 * The model walks indirect tables. The device has no EVENT_IDX (no
	 * capability, no virtq field; mlx5 vDPA never offers it): offered only
	 * with legacy=relay, where the relay serves every guest ring, so
	 * then not RING_PACKED (never relayed). See relay.rst.
	 */
	if (model)
		f |= LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_INDIRECT_DESC);
	if (priv->cfg.legacy == LVDPA_VDPA_LEGACY_RELAY) {
		f |= LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_EVENT_IDX);
		f &= ~LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_RING_PACKED);
	}
	return f;
}

static void
lvdpa_vdpa_net_config_init(struct lvdpa_vdpa_priv *priv, unsigned int n)
{
	uint8_t *c = priv->net_config;
	uint16_t pairs = priv->nr_virtqs / 2;

	memset(c, 0, sizeof(priv->net_config));
	/* mac: locally administered, per device number */
	c[0] = 0x02; c[1] = 0x1d; c[2] = 0xa0; c[3] = 0x00;
	c[4] = (n >> 8) & 0xff; c[5] = n & 0xff;
	c[6] = 1;                    /* status: LINK_UP (le16) */
	c[8] = pairs & 0xff;         /* max_virtqueue_pairs (le16) */
	c[9] = pairs >> 8;
	c[10] = 1500 & 0xff;         /* mtu (le16) */
	c[11] = 1500 >> 8;
	memset(&c[12], 0xff, 4);     /* speed: unknown */
	c[16] = 0xff;                /* duplex: unknown */
}

/*
 * Configuration threads: the queues are independent (each its own
 * commands), so that with max_conf_threads their set-up (one modify or a
 * create each), their stop (suspend and query) and the dirty logging
 * switch of a migration (one modify each) run in parallel. Each thread
 * takes the next queue of the job's list; the first error wins.
 */
struct lvdpa_vdpa_conf_job {
	struct lvdpa_vdpa_priv *priv;
	enum lvdpa_vdpa_conf_op op;
	const uint16_t *queues;
	uint16_t nr;
	uint16_t next;      /* atomic */
	int rc;             /* atomic, first error */
};

static void *
lvdpa_vdpa_conf_worker(void *arg)
{
	struct lvdpa_vdpa_conf_job *job = arg;

	for (;;) {
		uint16_t i = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED);
		int rc, zero = 0;

		if (i >= job->nr || ((job->op == LVDPA_VDPA_CONF_SETUP ||
				      job->op == LVDPA_VDPA_CONF_LOG_ON) &&
				     __atomic_load_n(&job->rc, __ATOMIC_RELAXED) != 0))
			break;
		if (job->op == LVDPA_VDPA_CONF_SETUP) {
			rc = lvdpa_vdpa_virtq_setup(job->priv, job->queues[i], true);
		} else if (job->op == LVDPA_VDPA_CONF_CLOSE) {
			/*
			 * The connection ends: rte_vhost closes the kick fd
			 * once dev_close returns, so stop polling it here, off
			 * the caller's path (an epoll_ctl a queue).
			 */
			rc = lvdpa_vdpa_virtq_suspend(job->priv, job->queues[i]);
			lvdpa_vdpa_event_kick_set(job->priv,
						  &job->priv->virtqs[job->queues[i]], -1);
		} else if (job->op == LVDPA_VDPA_CONF_LOG_ON ||
			   job->op == LVDPA_VDPA_CONF_LOG_OFF) {
			rc = lvdpa_vdpa_lm_virtq_set(job->priv,
						     &job->priv->virtqs[job->queues[i]],
						     job->op == LVDPA_VDPA_CONF_LOG_ON);
		} else {
			struct lvdpa_vdpa_virtq *vq = &job->priv->virtqs[job->queues[i]];

			rc = lvdpa_devx_virtq_destroy(vq->obj);
			vq->obj = NULL;
			LVDPA_VDPA_DLOG(job->priv, DEBUG, "queue %u: destroyed", vq->index);
		}
		if (rc != 0)
			__atomic_compare_exchange_n(&job->rc, &zero, rc, false,
						    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * The configuration threads of a device: started at its first dev_conf
 * and kept until the device is removed, so that a batch (the whole of a
 * live migration's stop) pays a wake-up, not a thread creation, per
 * thread. One job at a time: batches run under priv->lock. The default,
 * 31 beside the caller, stops the 32 queues of 16 queue pairs at once:
 * the firmware runs 31 commands at a time and the kernel holds a 32nd
 * until a slot frees, so more threads only wait there.
 *
 * Each thread sleeps on a semaphore of its own: the caller wakes the
 * threads it needs one by one, and each starts its first command as soon
 * as it runs. (One condition variable and a shared mutex made the 31
 * threads of a broadcast queue on the mutex, and the last command left
 * some 0.5 ms after the first on 2 CPUs.)
 */
struct lvdpa_vdpa_conf_thread {
	pthread_t th;
	sem_t go;                /* posted once per job, or at quit */
	struct lvdpa_vdpa_conf_pool *pool;
};

struct lvdpa_vdpa_conf_pool {
	struct lvdpa_vdpa_conf_job *job; /* set before any go is posted */
	bool quit;
	sem_t done;              /* posted by each thread leaving a job */
	unsigned int n;          /* threads running */
	struct lvdpa_vdpa_conf_thread w[];
};

static void
lvdpa_vdpa_sem_wait(sem_t *s)
{
	while (sem_wait(s) != 0 && errno == EINTR)
		;
}

static void *
lvdpa_vdpa_conf_pool_main(void *arg)
{
	struct lvdpa_vdpa_conf_thread *w = arg;
	struct lvdpa_vdpa_conf_pool *pool = w->pool;

	for (;;) {
		/* sem_post/sem_wait order the job's stores before this read. */
		lvdpa_vdpa_sem_wait(&w->go);
		if (__atomic_load_n(&pool->quit, __ATOMIC_ACQUIRE))
			break;
		lvdpa_vdpa_conf_worker(pool->job);
		sem_post(&pool->done);
	}
	return NULL;
}

static void
lvdpa_vdpa_conf_pool_free(struct lvdpa_vdpa_priv *priv)
{
	struct lvdpa_vdpa_conf_pool *pool = priv->conf_pool;
	unsigned int i;

	if (pool == NULL)
		return;
	__atomic_store_n(&pool->quit, true, __ATOMIC_RELEASE);
	for (i = 0; i < pool->n; i++)
		sem_post(&pool->w[i].go);
	for (i = 0; i < pool->n; i++)
		pthread_join(pool->w[i].th, NULL);
	for (i = 0; i < pool->n; i++)
		sem_destroy(&pool->w[i].go);
	sem_destroy(&pool->done);
	free(pool);
	priv->conf_pool = NULL;
}

/* NULL (the caller works alone) when no thread could be started. */
static struct lvdpa_vdpa_conf_pool *
lvdpa_vdpa_conf_pool_get(struct lvdpa_vdpa_priv *priv)
{
	unsigned int want = priv->cfg.max_conf_threads, i;
	struct lvdpa_vdpa_conf_pool *pool = priv->conf_pool;
	char name[32];

	if (pool != NULL || want == 0)
		return pool;
	pool = calloc(1, sizeof(*pool) + want * sizeof(pool->w[0]));
	if (pool == NULL)
		return NULL;
	sem_init(&pool->done, 0, 0);
	priv->conf_pool = pool;
	for (i = 0; i < want; i++) {
		struct lvdpa_vdpa_conf_thread *w = &pool->w[i];
		int rc;

		w->pool = pool;
		sem_init(&w->go, 0, 0);
		rc = pthread_create(&w->th, NULL, lvdpa_vdpa_conf_pool_main, w);
		if (rc != 0) {
			sem_destroy(&w->go);
			LVDPA_VDPA_DLOG(priv, WARNING, "%u of max_conf_threads=%u configuration threads started: %s",
					i, want, strerror(rc));
			break;
		}
		snprintf(name, sizeof(name), "lvdpa-conf-%u", i & 0xff);
		pthread_setname_np(w->th, name);
		pool->n++;
	}
	if (pool->n == 0) {
		lvdpa_vdpa_conf_pool_free(priv);
		return NULL;
	}
	return pool;
}

/* Run @p op on @p nr queues with the configuration threads; this thread works too. */
int
lvdpa_vdpa_conf_run(struct lvdpa_vdpa_priv *priv, enum lvdpa_vdpa_conf_op op,
		    const uint16_t *queues, uint16_t nr)
{
	struct lvdpa_vdpa_conf_job job = {
		.priv = priv, .op = op, .queues = queues, .nr = nr };
	struct lvdpa_vdpa_conf_pool *pool = nr > 1 ? lvdpa_vdpa_conf_pool_get(priv) : NULL;
	/* Wake only the threads the job can use: they share the caller's CPUs. */
	unsigned int wake = pool != NULL ? RTE_MIN(pool->n, (unsigned int)nr - 1) : 0;
	unsigned int i;

	if (wake != 0)
		pool->job = &job;
	for (i = 0; i < wake; i++)
		sem_post(&pool->w[i].go);
	lvdpa_vdpa_conf_worker(&job);
	/* Every thread woken has left the job before it goes out of scope. */
	for (i = 0; i < wake; i++)
		lvdpa_vdpa_sem_wait(&pool->done);
	if (wake != 0)
		pool->job = NULL;
	return job.rc;
}

static int
lvdpa_vdpa_virtqs_setup_all(struct lvdpa_vdpa_priv *priv, uint16_t nr)
{
	uint16_t queues[LVDPA_VDPA_MAX_VRINGS];
	unsigned int pass, n, q;
	int rc;

	/*
	 * Each queue is set up and started (RDY) by one command when its
	 * object can be modified. Receive queues go first, as a pass of their
	 * own: a frame sent before its pair's RX queue runs would be dropped.
	 */
	for (pass = 0; pass < 2; pass++) {
		n = 0;
		for (q = pass; q < nr; q += 2)
			queues[n++] = (uint16_t)q;
		rc = lvdpa_vdpa_conf_run(priv, LVDPA_VDPA_CONF_SETUP, queues, n);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * Stop every running queue as the connection ends: the suspends and
 * queries run in parallel on the configuration threads, then each queue's
 * indices go to rte_vhost.
 */
static void
lvdpa_vdpa_virtqs_stop_all(struct lvdpa_vdpa_priv *priv)
{
	uint16_t queues[LVDPA_VDPA_MAX_VRINGS];
	uint16_t n = 0;
	uint32_t i;

	for (i = 0; i < priv->nr_virtqs; i++)
		if (priv->virtqs[i].running && priv->virtqs[i].obj != NULL)
			queues[n++] = (uint16_t)i;
	if (n != 0)
		(void)lvdpa_vdpa_conf_run(priv, LVDPA_VDPA_CONF_CLOSE, queues, n);
	for (i = 0; i < n; i++)
		lvdpa_vdpa_virtq_stopped(priv, queues[i]);
}

/* Stop everything of the connection; the device stays probed. */
static void
lvdpa_vdpa_dev_unconfigure(struct lvdpa_vdpa_priv *priv)
{
	uint16_t gone[LVDPA_VDPA_MAX_VRINGS];
	uint32_t keep = priv->cfg.queues * 2;
	uint16_t n = 0;
	uint32_t i;

	lvdpa_vdpa_virtqs_stop_all(priv);
	for (i = 0; i < priv->nr_virtqs; i++) {
		struct lvdpa_vdpa_virtq *vq = &priv->virtqs[i];

		/*
		 * The pre-created queues keep their objects (INIT or SUSPEND):
		 * the next dev_conf modifies them, so that neither this stop
		 * nor that configuration waits for creations.
		 */
		lvdpa_vdpa_virtq_detach(priv, i);
		if (vq->obj != NULL && !(i < keep && !vq->errored &&
					 (vq->fresh || vq->suspended)))
			gone[n++] = (uint16_t)i;
	}
	/* The others are destroyed, in parallel too. */
	(void)lvdpa_vdpa_conf_run(priv, LVDPA_VDPA_CONF_DESTROY, gone, n);
	for (i = 0; i < n; i++)
		lvdpa_vdpa_virtq_release(priv, gone[i]);
	lvdpa_vdpa_relay_release(priv);
	priv->last_relay = priv->relay;
	priv->relay = false;
	priv->configured = false;
	/* Only a queue lost to an error is created again here. */
	if (priv->cfg.queues != 0 &&
	    lvdpa_vdpa_virtqs_prepare(priv, priv->cfg.queues * 2,
				      priv->cfg.queue_size) != 0)
		LVDPA_VDPA_DLOG(priv, WARNING, "queues not pre-created again: created at the next dev_conf");
}

/*
 * Decide who serves this guest: 0 the device, 1 the relay (priv->relay),
 * or a negative errno (refused, with a log line naming the reason).
 */
static int
lvdpa_vdpa_legacy_check(struct lvdpa_vdpa_priv *priv, int vid)
{
	struct lvdpa_vhost_state st;
	enum lvdpa_vhost_order order;
	uint32_t mode = priv->cfg.legacy;
	bool packed = !!(priv->features & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_RING_PACKED));
	int rc;

	priv->relay = false;
	priv->guest_big_endian = false;
	if (!priv->legacy) {
		/* legacy=relay forces split modern rings too (packed: never relayed). */
		if (mode == LVDPA_VDPA_LEGACY_RELAY && !packed) {
			priv->relay = true;
			return 1;
		}
		return 0;
	}
	if (mode == LVDPA_VDPA_LEGACY_REFUSE) {
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d: legacy guest (no VERSION_1) refused: legacy=refuse",
				vid);
		return -EPERM;
	}
	rc = lvdpa_vhost_get_state(vid, &st);
	if (rc != 0) {
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d: legacy guest refused: its byte order is unknown (connection not attached to lvdpa_vhost: %d)",
				vid, rc);
		return -EPERM;
	}
	if (st.endian_mixed) {
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d: legacy guest refused: its vrings have mixed byte orders",
				vid);
		return -EPERM;
	}
	priv->guest_big_endian = st.device_endian == LVDPA_VHOST_ENDIAN_BIG;
	if (mode == LVDPA_VDPA_LEGACY_RELAY) {
		priv->relay = true;
		return 1;
	}
	if (priv->guest_big_endian) {
		if (mode == LVDPA_VDPA_LEGACY_DEVICE) {
			LVDPA_VDPA_DLOG(priv, ERR, "vid %d: big-endian legacy guest refused: the device serves little-endian rings only (legacy=device)",
					vid);
			return -EPERM;
		}
		priv->relay = true;
		return 1;
	}
	order = priv->cfg.host_order != LVDPA_VHOST_ORDER_AUTO ?
		(enum lvdpa_vhost_order)priv->cfg.host_order :
		lvdpa_vhost_host_order();
	if (order == LVDPA_VHOST_ORDER_WEAK) {
		if (mode != LVDPA_VDPA_LEGACY_DEVICE) {
			/* The device cannot order a legacy guest's ring accesses there. */
			priv->relay = true;
			return 1;
		}
		LVDPA_VDPA_DLOG(priv, WARNING, "vid %d: legacy guest on a weakly ordered host served by the device (legacy=device)",
				vid);
	}
	/*
	 * A device without legacy mode refuses the queue at set-up: with
	 * legacy=auto, dev_conf then relays (lvdpa_vdpa_dev_configure).
	 */
	return 0;
}

static int
lvdpa_vdpa_dev_configure(struct lvdpa_vdpa_priv *priv, int vid)
{
	uint16_t nr;
	int rc;

	if (priv->configured) {
		if (priv->vid == vid)
			return 0;
		lvdpa_vdpa_dev_unconfigure(priv);
	}
	priv->vid = vid;
	priv->last_vid = vid;
	if (rte_vhost_get_negotiated_features(vid, &priv->features) != 0)
		return -EINVAL;
	/* Started with the first guest, so that no batch waits for them. */
	(void)lvdpa_vdpa_conf_pool_get(priv);
	priv->legacy = !(priv->features & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_VERSION_1));
	rc = lvdpa_vdpa_legacy_check(priv, vid);
	if (rc < 0)
		return rc;
	nr = rte_vhost_get_vring_num(vid);
	if (nr > priv->nr_virtqs) {
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d: %u vrings, the device has %u queues",
				vid, nr, priv->nr_virtqs);
		return -E2BIG;
	}
	priv->nr_vrings = nr;
	if (priv->relay) {
		rc = lvdpa_vdpa_relay_prepare(priv, nr);
		if (rc != 0)
			goto fail;
	} else if (priv->mkey_has_relay || priv->relay_buf != NULL) {
		lvdpa_vdpa_relay_release(priv);
	}
	rc = lvdpa_vdpa_mem_register(priv);
	if (rc != 0)
		goto fail;
	if (priv->features & LVDPA_VIRTIO_BIT(LVDPA_VHOST_F_LOG_ALL)) {
		rc = lvdpa_vdpa_lm_log(priv, true);
		if (rc != 0)
			goto fail;
	}
	rc = lvdpa_vdpa_virtqs_setup_all(priv, nr);
	if (rc != 0 && priv->legacy && !priv->relay &&
	    priv->cfg.legacy == LVDPA_VDPA_LEGACY_AUTO) {
		/* The device has no legacy mode (it refused the queue): relay. */
		uint16_t i;

		LVDPA_VDPA_DLOG(priv, NOTICE, "vid %d: the device refused a legacy queue: the relay serves this guest (legacy=auto)",
				vid);
		for (i = 0; i < priv->nr_virtqs; i++) {
			lvdpa_vdpa_virtq_stop(priv, i);
			lvdpa_vdpa_virtq_release(priv, i);
		}
		priv->relay = true;
		rc = lvdpa_vdpa_relay_prepare(priv, nr);
		if (rc == 0)
			rc = lvdpa_vdpa_mem_register(priv);
		if (rc == 0)
			rc = lvdpa_vdpa_virtqs_setup_all(priv, nr);
	}
	if (rc != 0)
		goto fail;
	priv->configured = true;
	LVDPA_VDPA_DLOG(priv, INFO, "vid %d configured: %u vrings, features 0x%" PRIx64 "%s",
			vid, nr, priv->features, priv->relay ?
			(priv->guest_big_endian ?
			 " (relayed: a big-endian guest, the device on shadow rings)" :
			 " (relayed: a little-endian guest, the device on shadow rings)") :
			priv->legacy ?
			" (legacy: a little-endian guest, served by the device in legacy mode)" : "");
	return 0;
fail:
	LVDPA_VDPA_DLOG(priv, ERR, "vid %d: configuration failed: %s", vid,
			strerror(-rc));
	priv->configured = true; /* so that unconfigure releases all */
	lvdpa_vdpa_dev_unconfigure(priv);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The ops. */

static int
lvdpa_vdpa_get_queue_num(struct rte_vdpa_device *vdev, uint32_t *queue_num)
{
	struct lvdpa_vdpa_priv *priv = lvdpa_vdpa_get(vdev, -1);

	if (priv == NULL)
		return -ENODEV;
	*queue_num = priv->nr_virtqs / 2;
	lvdpa_vdpa_put(priv);
	return 0;
}

static int
lvdpa_vdpa_get_features(struct rte_vdpa_device *vdev, uint64_t *features)
{
	struct lvdpa_vhost_caps vcaps = { 0 };
	struct lvdpa_vdpa_priv *priv = lvdpa_vdpa_get(vdev, -1);
	int rc;

	if (priv == NULL)
		return -ENODEV;
	/* Big-endian rings go to the relay, unless the devarg keeps them off it. */
	vcaps.can_serve_big_endian = priv->cfg.legacy == LVDPA_VDPA_LEGACY_AUTO ||
				     priv->cfg.legacy == LVDPA_VDPA_LEGACY_RELAY;
	*features = priv->dev_features;
	/*
	 * The first op a new connection runs (GET_FEATURES): attach the
	 * legacy negotiation to it before any other message is read.
	 */
	rc = lvdpa_vhost_attach_vdpa(vdev, &vcaps);
	if (rc < 0)
		LVDPA_VDPA_DLOG(priv, WARNING, "legacy negotiation not attached: %s",
				strerror(-rc));
	lvdpa_vdpa_put(priv);
	return 0;
}

static int
lvdpa_vdpa_get_protocol_features(struct rte_vdpa_device *vdev, uint64_t *pf)
{
	struct lvdpa_vdpa_priv *priv = lvdpa_vdpa_get(vdev, -1);

	if (priv == NULL)
		return -ENODEV;
	*pf = (1ULL << VHOST_USER_PROTOCOL_F_MQ) |
	      (1ULL << VHOST_USER_PROTOCOL_F_LOG_SHMFD) |
	      (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) |
	      (1ULL << VHOST_USER_PROTOCOL_F_SLAVE_REQ) |
	      (1ULL << VHOST_USER_PROTOCOL_F_SLAVE_SEND_FD) |
	      (1ULL << LVDPA_VHOST_PROTOCOL_F_CROSS_ENDIAN) |
	      (1ULL << VHOST_USER_PROTOCOL_F_CONFIG) |
	      (1ULL << VHOST_USER_PROTOCOL_F_STATUS);
	/*
	 * HOST_NOTIFIER would let a modern guest write the doorbell page
	 * directly; the model has no mappable page and the rdma transport
	 * does not export one yet, so kicks go through the eventfds.
	 */
	lvdpa_vdpa_put(priv);
	return 0;
}

static int
lvdpa_vdpa_dev_conf(int vid)
{
	struct lvdpa_vdpa_priv *priv = lvdpa_vdpa_get(NULL, vid);
	int rc;

	if (priv == NULL)
		return -ENODEV;
	pthread_mutex_lock(&priv->lock);
	rc = lvdpa_vdpa_dev_configure(priv, vid);
	pthread_mutex_unlock(&priv->lock);
	lvdpa_vdpa_put(priv);
	return rc;
}

static int
lvdpa_vdpa_dev_close(int vid)
{
	struct lvdpa_vdpa_priv *priv = lvdpa_vdpa_get(NULL, vid);

	if (priv == NULL)
		return -ENODEV;
	pthread_mutex_lock(&priv->lock);
	if (priv->configured && priv->vid == vid)
		lvdpa_vdpa_dev_unconfigure(priv);
	pthread_mutex_unlock(&priv->lock);
	lvdpa_vdpa_put(priv);
	return 0;
}

static int
lvdpa_vdpa_dev_cleanup(int vid)
{
	struct lvdpa_vdpa_priv *priv = lvdpa_vdpa_get(NULL, vid);

	lvdpa_vhost_on_cleanup(vid);
	if (priv == NULL)
		return -ENODEV;
	pthread_mutex_lock(&priv->lock);
	if (priv->vid == vid) {
		uint32_t i;

		if (priv->configured)
			lvdpa_vdpa_dev_unconfigure(priv);
		lvdpa_vdpa_lm_release(priv);
		lvdpa_vdpa_lm_set_logging(priv, false);
		lvdpa_vdpa_mem_unregister(priv);
		for (i = 0; i < priv->nr_virtqs; i++)
			priv->virtqs[i].enable = false;
		priv->vid = -1;
		priv->features = 0;
	}
	pthread_mutex_unlock(&priv->lock);
	lvdpa_vdpa_put(priv);
	return 0;
}

static int
lvdpa_vdpa_set_vring_state(int vid, int vring, int state)
{
	struct lvdpa_vdpa_priv *priv = lvdpa_vdpa_get(NULL, vid);
	int rc = 0;

	if (priv == NULL)
		return -ENODEV;
	if (vring < 0 || (uint32_t)vring >= priv->nr_virtqs) {
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d: vring %d out of range (%u queues)",
				vid, vring, priv->nr_virtqs);
		lvdpa_vdpa_put(priv);
		return -EINVAL;
	}
	pthread_mutex_lock(&priv->lock);
	priv->virtqs[vring].enable = !!state;
	if (priv->configured && priv->vid == vid) {
		/* A vring set up after DRIVER_OK (more queue pairs enabled). */
		if (vring >= priv->nr_vrings)
			priv->nr_vrings = RTE_MIN(rte_vhost_get_vring_num(vid),
						  priv->nr_virtqs);
		if (vring < priv->nr_vrings)
			rc = lvdpa_vdpa_virtq_enable(priv, vring, !!state);
	}
	pthread_mutex_unlock(&priv->lock);
	lvdpa_vdpa_put(priv);
	return rc;
}

static int
lvdpa_vdpa_set_features(int vid)
{
	struct lvdpa_vdpa_priv *priv = lvdpa_vdpa_get(NULL, vid);
	uint64_t features = 0;
	bool log;
	int rc = 0;

	if (priv == NULL)
		return -ENODEV;
	if (rte_vhost_get_negotiated_features(vid, &features) != 0) {
		lvdpa_vdpa_put(priv);
		return -EINVAL;
	}
	/* 0 is a valid negotiation (a legacy guest, or a reset). */
	lvdpa_vhost_features_set(vid, features);
	pthread_mutex_lock(&priv->lock);
	log = !!(features & LVDPA_VIRTIO_BIT(LVDPA_VHOST_F_LOG_ALL));
	if (priv->configured && priv->vid == vid) {
		priv->features = features;
		if (log != priv->log_enabled)
			rc = lvdpa_vdpa_lm_log(priv, log);
	}
	pthread_mutex_unlock(&priv->lock);
	lvdpa_vdpa_put(priv);
	return rc;
}

static int
lvdpa_vdpa_migration_done(int vid)
{
	/* rte_vhost sends the RARP itself; the device keeps no state for it. */
	RTE_SET_USED(vid);
	return 0;
}

/*
 * The one symbol the shared object exports: an application that loaded the
 * PMD with -d (examples/lvdpa) finds it with dlsym and learns what a guest
 * negotiated. It cannot ask lib/lvdpa_vhost itself: its own copy of the
 * library would hold no state, the PMD's copy owns the connection.
 */
__attribute__((visibility("default"))) int
lvdpa_vdpa_get_guest_state(int vid, struct lvdpa_vhost_state *state,
			   bool *relay);

__attribute__((visibility("default"))) int
lvdpa_vdpa_get_guest_state(int vid, struct lvdpa_vhost_state *state,
			   bool *relay)
{
	struct lvdpa_vdpa_priv *priv;
	int rc;

	if (state == NULL)
		return -EINVAL;
	priv = lvdpa_vdpa_get(NULL, vid);
	if (priv == NULL)
		return -ENODEV;
	rc = lvdpa_vhost_get_state(vid, state);
	if (relay != NULL) {
		pthread_mutex_lock(&priv->lock);
		*relay = priv->last_vid == vid &&
			 (priv->configured ? priv->relay : priv->last_relay);
		pthread_mutex_unlock(&priv->lock);
	}
	lvdpa_vdpa_put(priv);
	return rc;
}

static int
lvdpa_vdpa_get_config(int vid, uint8_t *config, uint32_t size)
{
	struct lvdpa_vdpa_priv *priv = lvdpa_vdpa_get(NULL, vid);
	uint8_t cfg[LVDPA_VDPA_NET_CONFIG_LEN];
	int rc;

	if (priv == NULL)
		return -ENODEV;
	pthread_mutex_lock(&priv->lock);
	memcpy(cfg, priv->net_config, sizeof(cfg));
	pthread_mutex_unlock(&priv->lock);
	/* The frontend's size reaches here unchecked: never exceed ours. */
	if (size > sizeof(cfg)) {
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d: get_config of %u bytes, the config space has %zu",
				vid, size, sizeof(cfg));
		lvdpa_vdpa_put(priv);
		return -EINVAL;
	}
	rc = lvdpa_vhost_config_access(vid, LVDPA_VHOST_CONFIG_READ, cfg,
				       sizeof(cfg), 0, config, size);
	if (rc == -ENODEV) {
		memcpy(config, cfg, size);   /* not attached: modern layout */
		rc = 0;
	}
	lvdpa_vdpa_put(priv);
	return rc;
}

static int
lvdpa_vdpa_set_config(int vid, uint8_t *config, uint32_t offset, uint32_t size,
		      uint32_t flags)
{
	struct lvdpa_vdpa_priv *priv = lvdpa_vdpa_get(NULL, vid);
	uint8_t cfg[LVDPA_VDPA_NET_CONFIG_LEN];
	int rc;

	RTE_SET_USED(flags);
	if (priv == NULL)
		return -ENODEV;
	/* Only the MAC is writable (a legacy driver may set it). */
	if (offset > 6 || size > 6 - offset) {
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d: set_config at %u+%u: only the mac (bytes 0-5) is writable",
				vid, offset, size);
		lvdpa_vdpa_put(priv);
		return -EPERM;
	}
	pthread_mutex_lock(&priv->lock);
	memcpy(cfg, priv->net_config, sizeof(cfg));
	rc = lvdpa_vhost_config_access(vid, LVDPA_VHOST_CONFIG_WRITE, cfg,
				       sizeof(cfg), offset, config, size);
	if (rc == -ENODEV) {
		memcpy(cfg + offset, config, size);
		rc = 0;
	}
	if (rc == 0)
		memcpy(priv->net_config, cfg, 6);
	pthread_mutex_unlock(&priv->lock);
	lvdpa_vdpa_put(priv);
	return rc;
}

static int
lvdpa_vdpa_get_stats_names(struct rte_vdpa_device *vdev,
			   struct rte_vdpa_stat_name *names, unsigned int size)
{
	struct lvdpa_vdpa_priv *priv = lvdpa_vdpa_get(vdev, -1);

	if (priv == NULL)
		return -ENODEV;
	lvdpa_vdpa_put(priv);
	return lvdpa_vdpa_stats_names(names, size);
}

static int
lvdpa_vdpa_get_stats(struct rte_vdpa_device *vdev, int qid,
		     struct rte_vdpa_stat *stats, unsigned int n)
{
	struct lvdpa_vdpa_priv *priv = lvdpa_vdpa_get(vdev, -1);
	int rc;

	if (priv == NULL)
		return -ENODEV;
	pthread_mutex_lock(&priv->lock);
	rc = lvdpa_vdpa_stats_get(priv, qid, stats, n);
	pthread_mutex_unlock(&priv->lock);
	lvdpa_vdpa_put(priv);
	return rc;
}

static int
lvdpa_vdpa_reset_stats(struct rte_vdpa_device *vdev, int qid)
{
	struct lvdpa_vdpa_priv *priv = lvdpa_vdpa_get(vdev, -1);
	int rc;

	if (priv == NULL)
		return -ENODEV;
	pthread_mutex_lock(&priv->lock);
	rc = lvdpa_vdpa_stats_reset(priv, qid);
	pthread_mutex_unlock(&priv->lock);
	lvdpa_vdpa_put(priv);
	return rc;
}

static int
lvdpa_vdpa_get_dev_type(struct rte_vdpa_device *vdev, uint32_t *type)
{
	/* Called inside registration, before the device is listed: never fail. */
	RTE_SET_USED(vdev);
	*type = RTE_VHOST_VDPA_DEVICE_TYPE_NET;
	return 0;
}

static struct rte_vdpa_dev_ops lvdpa_vdpa_ops = {
	.get_queue_num = lvdpa_vdpa_get_queue_num,
	.get_features = lvdpa_vdpa_get_features,
	.get_protocol_features = lvdpa_vdpa_get_protocol_features,
	.dev_conf = lvdpa_vdpa_dev_conf,
	.dev_close = lvdpa_vdpa_dev_close,
	.dev_cleanup = lvdpa_vdpa_dev_cleanup,
	.set_vring_state = lvdpa_vdpa_set_vring_state,
	.set_features = lvdpa_vdpa_set_features,
	.migration_done = lvdpa_vdpa_migration_done,
	.get_vfio_group_fd = NULL,   /* no VFIO: kicks go through eventfds */
	.get_vfio_device_fd = NULL,
	.get_notify_area = NULL,     /* no HOST_NOTIFIER offered */
	.get_stats_names = lvdpa_vdpa_get_stats_names,
	.get_stats = lvdpa_vdpa_get_stats,
	.reset_stats = lvdpa_vdpa_reset_stats,
	.get_config = lvdpa_vdpa_get_config,
	.set_config = lvdpa_vdpa_set_config,
	.get_dev_type = lvdpa_vdpa_get_dev_type,
};

/* ------------------------------------------------------------------ */
/* Probe and remove. */

/* Tear down whatever exists, in reverse order; safe on partial state. */
static void
lvdpa_vdpa_dev_release(struct lvdpa_vdpa_priv *priv)
{
	/* Objects first (the thread may run: it skips what is gone), then
	 * the thread and the event channel and UAR they used. */
	lvdpa_vdpa_relay_core_detach(priv);
	pthread_mutex_lock(&priv->lock);
	priv->cfg.queues = 0;   /* nothing to pre-create again */
	if (priv->configured)
		lvdpa_vdpa_dev_unconfigure(priv);
	lvdpa_vdpa_virtqs_release_all(priv);
	lvdpa_vdpa_relay_release(priv);
	lvdpa_vdpa_lm_release(priv);
	lvdpa_vdpa_mem_unregister(priv);
	pthread_mutex_unlock(&priv->lock);
	lvdpa_vdpa_event_stop(priv);
	pthread_mutex_lock(&priv->lock);
	if (priv->db != NULL) {
		lvdpa_devx_db_free(priv->db);
		priv->db = NULL;
	}
	if (priv->pd != NULL) {
		lvdpa_devx_pd_free(priv->pd);
		priv->pd = NULL;
	}
	if (priv->tp != NULL) {
		priv->tp->ops->close(priv->tp);
		priv->tp = NULL;
	}
	lvdpa_vdpa_conf_pool_free(priv);
	pthread_mutex_unlock(&priv->lock);
	pthread_mutex_destroy(&priv->lock);
	rte_free(priv);
}

static int
lvdpa_vdpa_model_params(const struct lvdpa_vdpa_config *cfg, char *buf,
			size_t len)
{
	int n = snprintf(buf, len,
			 "max_queues=%u,max_queue_size=%u,legacy=%u,packed=%u,poll_us=%u",
			 cfg->model_max_queues, cfg->model_max_queue_size,
			 cfg->model_legacy, cfg->model_packed, cfg->model_poll_us);

	if (n >= 0 && (size_t)n < len && cfg->uplink[0] != '\0')
		n += snprintf(buf + n, len - n, ",uplink=%s", cfg->uplink);
	/* Absent: the model falls back to LVDPA_MODEL_LATENCY. */
	if (n >= 0 && (size_t)n < len && cfg->model_latency[0] != '\0')
		n += snprintf(buf + n, len - n, ",latency=%s", cfg->model_latency);
	if (n >= 0 && (size_t)n < len && cfg->model_faults[0] != '\0')
		n += snprintf(buf + n, len - n, ",faults=%s", cfg->model_faults);
	return n >= 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

static unsigned int lvdpa_vdpa_dev_count;

static int
lvdpa_vdpa_probe(struct rte_vdev_device *vdev)
{
	struct rte_device *rdev = lvdpa_compat_vdev_to_dev(vdev);
	const char *name = rte_dev_name(rdev);
	const struct rte_devargs *da = rte_dev_devargs(rdev);
	struct lvdpa_vdpa_config cfg;
	struct lvdpa_vdpa_priv *priv = NULL;
	struct lvdpa_devx_caps caps;
	struct lvdpa_tp_dev *tp = NULL;
	char params[512];
	uint32_t nq;
	int rc;

	rc = lvdpa_vdpa_config_parse(name, da != NULL ? da->args : NULL, &cfg);
	if (rc != 0)
		goto err;
	if (strcmp(cfg.device, "model") == 0) {
		rc = lvdpa_vdpa_model_params(&cfg, params, sizeof(params));
		if (rc != 0)
			goto err;
	} else {
		params[0] = '\0';
	}
	rc = lvdpa_transport_open(cfg.device, params[0] ? params : NULL, &tp);
	if (rc != 0) {
		LVDPA_VDPA_LOG(ERR, "%s: cannot open device=%s: %s", name,
			       cfg.device, strerror(-rc));
		goto err;
	}
	rc = lvdpa_devx_query_caps(tp, &caps);
	if (rc != 0) {
		LVDPA_VDPA_LOG(ERR, "%s: device=%s: capability query failed: %s",
			       name, cfg.device, strerror(-rc));
		goto err;
	}
	if (!caps.vdpa_valid || !caps.virtq_supported ||
	    caps.max_num_virtio_queues < 2) {
		LVDPA_VDPA_LOG(ERR, "%s: device=%s has no virtio queue emulation",
			       name, cfg.device);
		rc = -ENOTSUP;
		goto err;
	}
	nq = RTE_MIN(caps.max_num_virtio_queues, (uint32_t)LVDPA_VDPA_MAX_VRINGS);
	if (cfg.queues * 2 > nq) {
		LVDPA_VDPA_LOG(ERR, "%s: invalid devarg queues=%u: the device has %u queue pairs",
			       name, cfg.queues, nq / 2);
		rc = -EINVAL;
		goto err;
	}
	priv = rte_zmalloc("lvdpa_vdpa", sizeof(*priv) +
			   nq * sizeof(priv->virtqs[0]), RTE_CACHE_LINE_SIZE);
	if (priv == NULL) {
		rc = -ENOMEM;
		goto err;
	}
	snprintf(priv->name, sizeof(priv->name), "%s", name);
	priv->cfg = cfg;
	priv->caps = caps;
	priv->tp = tp;
	tp = NULL;
	priv->vid = -1;
	priv->last_vid = -1;
	priv->nr_virtqs = nq;
	priv->ep_fd = -1;
	priv->wake_fd = -1;
	pthread_mutex_init(&priv->lock, NULL);
	for (nq = 0; nq < priv->nr_virtqs; nq++) {
		priv->virtqs[nq].index = nq;
		priv->virtqs[nq].kickfd_polled = -1;
		priv->virtqs[nq].priv = priv;
	}
	rc = lvdpa_devx_pd_alloc(priv->tp, &priv->pd);
	if (rc == 0)
		rc = lvdpa_devx_db_alloc(priv->tp, &priv->db);
	if (rc != 0) {
		LVDPA_VDPA_LOG(ERR, "%s: PD/doorbell allocation failed: %s", name,
			       strerror(-rc));
		goto err;
	}
	rc = lvdpa_vdpa_event_start(priv);
	if (rc == 0)
		rc = lvdpa_vdpa_relay_core_attach(priv);
	if (rc != 0)
		goto err;
	if (cfg.queues != 0) {
		pthread_mutex_lock(&priv->lock);
		rc = lvdpa_vdpa_virtqs_prepare(priv, cfg.queues * 2, cfg.queue_size);
		pthread_mutex_unlock(&priv->lock);
		if (rc != 0) {
			LVDPA_VDPA_LOG(ERR, "%s: queues=%u queue_size=%u: queue creation failed: %s",
				       name, cfg.queues, cfg.queue_size, strerror(-rc));
			goto err;
		}
	}
	priv->dev_features = lvdpa_vdpa_features_of(priv);
	lvdpa_vdpa_net_config_init(priv, lvdpa_vdpa_dev_count);
	priv->vdev = rte_vdpa_register_device(rdev, &lvdpa_vdpa_ops);
	if (priv->vdev == NULL) {
		LVDPA_VDPA_LOG(ERR, "%s: vDPA registration failed", name);
		rc = -rte_errno ? -rte_errno : -EINVAL;
		goto err;
	}
	pthread_mutex_lock(&lvdpa_vdpa_list_lock);
	TAILQ_INSERT_TAIL(&lvdpa_vdpa_list, priv, next);
	lvdpa_vdpa_dev_count++;
	pthread_mutex_unlock(&lvdpa_vdpa_list_lock);
	LVDPA_VDPA_LOG(INFO, "%s: probed on device=%s: %u queues, features 0x%" PRIx64,
		       name, cfg.device, priv->nr_virtqs, priv->dev_features);
	return 0;
err:
	if (priv != NULL)
		lvdpa_vdpa_dev_release(priv);
	if (tp != NULL)
		tp->ops->close(tp);
	rte_errno = -rc;
	return rc;
}

static int
lvdpa_vdpa_remove(struct rte_vdev_device *vdev)
{
	struct rte_device *rdev = lvdpa_compat_vdev_to_dev(vdev);
	struct lvdpa_vdpa_priv *priv;

	pthread_mutex_lock(&lvdpa_vdpa_list_lock);
	TAILQ_FOREACH(priv, &lvdpa_vdpa_list, next)
		if (strcmp(priv->name, rte_dev_name(rdev)) == 0)
			break;
	if (priv == NULL) {
		pthread_mutex_unlock(&lvdpa_vdpa_list_lock);
		return -ENODEV;
	}
	TAILQ_REMOVE(&lvdpa_vdpa_list, priv, next);
	/* No new op can find it now; wait for those in flight. */
	while (priv->refcnt != 0) {
		pthread_mutex_unlock(&lvdpa_vdpa_list_lock);
		usleep(1000);
		pthread_mutex_lock(&lvdpa_vdpa_list_lock);
	}
	pthread_mutex_unlock(&lvdpa_vdpa_list_lock);
	rte_vdpa_unregister_device(priv->vdev);
	lvdpa_vdpa_dev_release(priv);
	return 0;
}

static struct rte_vdev_driver lvdpa_vdpa_driver = {
	.driver = { .name = RTE_STR(LVDPA_VDPA_DRIVER_NAME) },
	.probe = lvdpa_vdpa_probe,
	.remove = lvdpa_vdpa_remove,
};

RTE_INIT(lvdpa_vdpa_register)
{
	rte_vdev_register(&lvdpa_vdpa_driver);
}

RTE_PMD_EXPORT_NAME(LVDPA_VDPA_DRIVER_NAME, __COUNTER__);
RTE_PMD_REGISTER_PARAM_STRING(LVDPA_VDPA_DRIVER_NAME,
	LVDPA_VDPA_DEVARGS(LVDPA_VDPA_ARG_PARAM));
