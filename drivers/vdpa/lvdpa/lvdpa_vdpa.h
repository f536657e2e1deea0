/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_VDPA_H
#define LVDPA_VDPA_H

/**
 * @file
 * Private header of the lvdpa vDPA PMD: the device state and every function
 * one file of the PMD calls in another. It reads as the table of contents:
 * - lvdpa_vdpa.c        probe/remove, devargs, the ops table, device list;
 * - lvdpa_vdpa_mem.c    guest memory table -> umems, direct mkeys, one
 *                       indirect KLM mkey;
 * - lvdpa_vdpa_virtq.c  virtq objects (pre-created, modified, stopped);
 * - lvdpa_vdpa_event.c  the event thread: guest kicks -> doorbell, device
 *                       progress -> guest call, device error events;
 * - lvdpa_vdpa_lm.c     dirty logging for live migration;
 * - lvdpa_vdpa_relay.c  vrings the device cannot serve directly: a shadow
 *                       ring in host memory and lvdpa_relay between it and
 *                       the guest's ring (polled by the event thread, or
 *                       by a relay thread shared per relay_core);
 * - lvdpa_vdpa_stats.c  the queue counters.
 *
 * Unless said otherwise, functions return 0 on success or a negative errno
 * value. Functions taking a priv expect its lock held (priv->lock) unless
 * their comment says otherwise.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_log.h>
#include <rte_vhost.h>

#include "lvdpa_vdpa_compat.h"
#include "lvdpa_devx.h"
#include "lvdpa_transport.h"
#include "lvdpa_vhost.h"
#include "lvdpa_relay.h"

extern int lvdpa_vdpa_logtype;

#define LVDPA_VDPA_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, lvdpa_vdpa_logtype, "lvdpa: " fmt "\n", \
		##__VA_ARGS__)
/* With the device name, so that two devices' lines are told apart. */
#define LVDPA_VDPA_DLOG(priv, level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, lvdpa_vdpa_logtype, "lvdpa: %s: " fmt "\n", \
		(priv)->name, ##__VA_ARGS__)

/** Virtio queues per device at most (rte_vhost's VHOST_MAX_VRING). */
#define LVDPA_VDPA_MAX_VRINGS 256
/** The device's virtio-net config space served by get_config. */
#define LVDPA_VDPA_NET_CONFIG_LEN 24
/*
 * A relay keeps polling this long after it last moved work (the device
 * answers within microseconds) before it enables notifications and sleeps.
 */
#define LVDPA_VDPA_RELAY_POLL_US 50u

/** legacy= devarg: where a legacy (virtio 0.9.5) guest goes. */
enum lvdpa_vdpa_legacy {
	LVDPA_VDPA_LEGACY_AUTO,   /**< device where correct, else relay, else refuse */
	LVDPA_VDPA_LEGACY_DEVICE, /**< always the device (never a BE ring) */
	LVDPA_VDPA_LEGACY_RELAY,  /**< always the relay */
	LVDPA_VDPA_LEGACY_REFUSE, /**< refuse legacy guests */
};

/** event_mode= devarg, as DPDK's mlx5 vDPA numbers them. */
enum lvdpa_vdpa_event_mode {
	LVDPA_VDPA_EVENT_TIMER = 0,   /**< poll at a fixed period (event_us) */
	LVDPA_VDPA_EVENT_DYNAMIC = 1, /**< period grows while there is no traffic */
	LVDPA_VDPA_EVENT_IRQ = 2,     /**< device completion events */
};

/** The parsed devargs (see lvdpa_vdpa.c for the table and defaults). */
struct lvdpa_vdpa_config {
	char device[64];
	uint32_t queues;          /**< queue pairs pre-created at probe, 0 none */
	uint32_t queue_size;
	char uplink[64];
	uint32_t legacy;           /**< enum lvdpa_vdpa_legacy */
	uint32_t host_order;       /**< enum lvdpa_vhost_order */
	uint32_t event_mode;
	uint32_t event_us;
	uint32_t no_traffic_time;  /**< event_mode 1: idle rounds before it sleeps */
	int32_t event_core;        /**< CPU for the event thread, -1 any */
	int32_t relay_core;        /**< CPU of the shared relay thread, -1: the event thread */
	uint32_t hw_latency_mode;
	uint32_t hw_max_latency_us;
	uint32_t hw_max_pending_comp;
	uint32_t max_conf_threads; /**< parallel queue set-up at dev_conf */
	uint32_t model_legacy;
	uint32_t model_packed;
	uint32_t model_max_queue_size;
	uint32_t model_max_queues;
	char model_latency[128];   /**< model's latency=, "" none given */
	char model_faults[128];    /**< model's faults=, "" none */
	uint32_t model_poll_us;    /**< model's poll_us= */
};

/** Counters reported by the stats ops, in this order. */
enum lvdpa_vdpa_stat {
	LVDPA_VDPA_STAT_RECEIVED_DESC,
	LVDPA_VDPA_STAT_COMPLETED_DESC,
	LVDPA_VDPA_STAT_BAD_DESC_ERRORS,
	LVDPA_VDPA_STAT_EXCEED_MAX_CHAIN,
	LVDPA_VDPA_STAT_INVALID_BUFFER,
	LVDPA_VDPA_STAT_COMPLETION_ERRORS,
	LVDPA_VDPA_STAT_ERROR_EVENTS,
	/* Relayed traffic only (the device counters above count both). */
	LVDPA_VDPA_STAT_RELAY_TX_PACKETS,
	LVDPA_VDPA_STAT_RELAY_TX_BYTES,
	LVDPA_VDPA_STAT_RELAY_RX_PACKETS,
	LVDPA_VDPA_STAT_RELAY_RX_BYTES,
	LVDPA_VDPA_STAT_RELAY_HDR_CONV,
	LVDPA_VDPA_STAT_RELAY_ERRORS,
	/* Device errors the PMD recovered from, and whether it gave up. */
	LVDPA_VDPA_STAT_QUEUE_RECOVERIES,
	LVDPA_VDPA_STAT_QUEUE_DISABLED,
	LVDPA_VDPA_STAT_NUM,
};

/*
 * A queue the device puts in ERR for a reason of its own (not a bad guest
 * ring) is recreated where it stopped, as DPDK's mlx5 vDPA does, unless it
 * already failed LVDPA_VDPA_ERR_MAX times within LVDPA_VDPA_ERR_WINDOW_S:
 * then it stays stopped.
 */
#define LVDPA_VDPA_ERR_MAX 3
#define LVDPA_VDPA_ERR_WINDOW_S 3
/* Without an event channel, running queues are queried for ERR this often. */
#define LVDPA_VDPA_ERR_POLL_MS 50

/** One virtio queue of the device. */
struct lvdpa_vdpa_virtq {
	uint16_t index;
	bool enable;               /**< from set_vring_state */
	bool running;              /**< RDY on the device */
	bool errored;              /**< the device reported ERR */
	struct lvdpa_devx_obj *obj;      /**< virtio_net_q, NULL if none */
	struct lvdpa_devx_obj *counters; /**< kept for the device's life */
	/* What obj was created or last modified with. */
	uint16_t size;
	bool packed;
	bool version_1_0;
	uint16_t queue_features;   /**< queue_feature_bit_mask */
	bool fresh;                /**< INIT, never started: may be modified */
	bool suspended;            /**< SUSPEND (stopped, kept): may be modified */
	bool dirty_log;            /**< dirty bitmap dump enabled on obj */
	bool stop_pending;         /**< suspended, not yet handed to rte_vhost */
	int stop_rc;               /**< result of the last suspend and query */
	struct {
		void *buf;
		struct lvdpa_tp_umem *umem;
		uint32_t size;
	} umems[3];
	struct rte_vhost_vring vring;   /**< hva of the rings, fds */
	int kickfd_polled;              /**< fd in the event thread's epoll, -1 none */
	uint16_t last_used;             /**< used index last signalled */
	uint16_t hw_avail, hw_used;     /**< where the device stopped */
	uint64_t dev_ring_gpa;          /**< ring area the device writes */
	uint64_t dev_ring_len;
	uint64_t err_events;
	uint64_t recoveries;            /**< recreated after a device error */
	uint64_t disabled;              /**< times given up (repeated errors) */
	uint64_t err_tsc[LVDPA_VDPA_ERR_MAX]; /**< recent device errors, oldest first */
	uint64_t stats_base[LVDPA_VDPA_STAT_NUM]; /**< values at reset_stats */
	/** event_mode 1 and 2: the queue's event QP pair and its collapsed CQ. */
	struct {
		void *buf;                   /**< CQE, CQ and QP records, RQ */
		struct lvdpa_tp_umem *umem;
		struct lvdpa_devx_obj *cq;
		struct lvdpa_devx_obj *fw_qp;    /**< driven by the device */
		struct lvdpa_devx_obj *sw_qp;    /**< receives, completes on cq */
		uint16_t size;               /**< queue size it was made for */
		uint32_t rq_size;
		uint32_t ci;                 /**< completions consumed */
		uint32_t arm_sn;
	} eqp;
	/** Relayed queue: the device runs the relay's shadow ring. */
	struct lvdpa_vdpa_priv *priv;
	struct lvdpa_relay *relay;     /**< NULL: the device serves the guest ring */
	uint64_t relay_off;            /**< this queue's part of priv->relay_buf */
	uint64_t relay_len;            /**< 0: no area (ring not set up at dev_conf) */
	struct lvdpa_relay_stats relay_acc; /**< counts of relays destroyed */
};

/** One guest memory region as registered. */
struct lvdpa_vdpa_mreg {
	uint64_t gpa;
	uint64_t hva;
	uint64_t size;
	struct lvdpa_tp_umem *umem;
	struct lvdpa_devx_obj *mkey;
};

/** Device state, also the device's place in the list. */
struct lvdpa_vdpa_priv {
	TAILQ_ENTRY(lvdpa_vdpa_priv) next;
	char name[RTE_DEV_NAME_MAX_LEN];
	struct rte_vdpa_device *vdev;
	unsigned int refcnt;          /**< ops in flight, under the list lock */
	struct lvdpa_vdpa_config cfg;
	pthread_mutex_t lock;         /**< config ops vs the event thread */
	struct lvdpa_vdpa_conf_pool *conf_pool; /**< configuration threads, lazily started */
	/* device */
	struct lvdpa_tp_dev *tp;
	struct lvdpa_devx_caps caps;
	struct lvdpa_devx_obj *pd;
	struct lvdpa_tp_db *db;
	struct lvdpa_tp_db *uar;      /**< CQ arm doorbells (event_mode 2) */
	struct lvdpa_tp_evchan *evchan;
	uint64_t dev_features;        /**< offered by get_features */
	uint8_t net_config[LVDPA_VDPA_NET_CONFIG_LEN]; /**< LE, as modern */
	/* connection */
	int vid;                      /**< -1 when not configured */
	int last_vid;                 /**< the last configured guest and whether */
	bool last_relay;              /**< the relay served it, kept after close */
	bool configured;              /**< dev_conf done */
	uint64_t features;            /**< negotiated */
	bool legacy;                  /**< the guest has no VERSION_1 */
	bool relay;                   /**< the connection's split vrings go through the relay */
	bool guest_big_endian;        /**< ring byte order (lib/lvdpa_vhost) */
	/* relay: one host area for all shadow rings, after guest memory in the KLM */
	void *relay_buf;
	uint64_t relay_buf_len;
	uint64_t relay_iova;
	struct lvdpa_tp_umem *relay_umem;
	struct lvdpa_devx_obj *relay_mkey;
	bool mkey_has_relay;          /**< priv->mkey maps relay_buf */
	struct lvdpa_ring_mem guest_mem; /**< the relay's view of guest memory */
	/* relay_core: the shared thread serving this device's relays */
	struct lvdpa_vdpa_relay_core *rcore;
	struct lvdpa_vdpa_priv *rcore_next;  /**< next device of rcore */
	/* memory */
	struct lvdpa_vdpa_mreg *mregs;
	uint32_t nr_mregs;
	uint64_t mregs_gen;   /**< moves whenever mregs go: guest_mem's window */
	struct lvdpa_devx_obj *mkey;  /**< indirect KLM over guest memory */
	/* live migration */
	bool log_enabled;
	uint64_t log_base, log_size;
	struct lvdpa_tp_umem *log_umem;
	struct lvdpa_devx_obj *log_mkey;
	/* event thread */
	pthread_t ev_thread;
	bool ev_started;
	int ep_fd;
	int wake_fd;
	bool ev_quit;                 /**< atomic: the thread ends */
	bool ev_qp;                   /**< queues notify through event QPs */
	bool ev_armed;                /**< event_mode 1: CQs armed, thread asleep */
	uint32_t ev_idle_rounds;      /**< event_mode 1: rounds without a completion */
	bool ev_need_timer;           /**< a queue without kick fd runs */
	bool evchan_dead;             /**< the event channel hung up: poll */
	uint64_t ev_err_poll;         /**< last ERR query round (timer cycles) */
	uint32_t nr_virtqs;           /**< entries of virtqs */
	uint16_t nr_vrings;           /**< vrings of the connection */
	struct lvdpa_vdpa_virtq virtqs[];
};

/* ---- lvdpa_vdpa.c ---- */

/** What a batch of the configuration threads does to each of its queues. */
enum lvdpa_vdpa_conf_op {
	LVDPA_VDPA_CONF_SETUP,    /**< lvdpa_vdpa_virtq_setup(start); stops at an error */
	LVDPA_VDPA_CONF_CLOSE,    /**< lvdpa_vdpa_virtq_suspend(), then its kick fd unpolled */
	LVDPA_VDPA_CONF_DESTROY,  /**< destroy the virtq object */
	LVDPA_VDPA_CONF_LOG_ON,   /**< lvdpa_vdpa_lm_virtq_set(on); stops at an error */
	LVDPA_VDPA_CONF_LOG_OFF,  /**< lvdpa_vdpa_lm_virtq_set(off) */
};

/**
 * Run @p op on the @p nr queues listed, in parallel on the device's
 * configuration threads (the caller works too; alone when there are none).
 * Under priv->lock. Returns 0 or the first error.
 */
int lvdpa_vdpa_conf_run(struct lvdpa_vdpa_priv *priv, enum lvdpa_vdpa_conf_op op,
			const uint16_t *queues, uint16_t nr);

/* ---- lvdpa_vdpa_mem.c ---- */

/**
 * Register the guest memory table of priv->vid: one umem and one direct
 * mkey per region, one indirect KLM mkey over guest physical addresses
 * (holes map to no mkey, so the device faults on them). Skips all work when
 * the table is unchanged.
 */
int lvdpa_vdpa_mem_register(struct lvdpa_vdpa_priv *priv);

/** Release what lvdpa_vdpa_mem_register() made; safe on partial state. */
void lvdpa_vdpa_mem_unregister(struct lvdpa_vdpa_priv *priv);

/**
 * Translate a host virtual address of guest memory into its guest
 * physical address, for @p len bytes that must sit in one region.
 * @return 0 with *gpa set, -EFAULT when not in guest memory
 */
int lvdpa_vdpa_hva_to_gpa(const struct lvdpa_vdpa_priv *priv, uint64_t hva,
			  uint64_t len, uint64_t *gpa);

/* ---- lvdpa_vdpa_virtq.c ---- */

/** Pre-create the objects of queues 0..n-1 (devargs queues/queue_size). */
int lvdpa_vdpa_virtqs_prepare(struct lvdpa_vdpa_priv *priv, uint32_t n,
			      uint16_t queue_size);

/**
 * Configure vring @p index of priv->vid from rte_vhost's view: modify a
 * fresh pre-created object in place, or create one. With @p start, also
 * start it (RDY) when enabled. Safe to run for different vrings in
 * parallel (configuration threads).
 */
int lvdpa_vdpa_virtq_setup(struct lvdpa_vdpa_priv *priv, uint16_t index,
			   bool start);

/** Move a set-up queue to RDY (enable) or stop it (disable). */
int lvdpa_vdpa_virtq_enable(struct lvdpa_vdpa_priv *priv, uint16_t index,
			    bool enable);

/**
 * Stop a running queue: suspend it, read where the device stopped and hand
 * it to rte_vhost (rte_vhost_set_vring_base), log the used ring when dirty
 * logging is on. No-op on a queue that does not run. The object is kept
 * in SUSPEND. Equals lvdpa_vdpa_virtq_suspend() then _stopped().
 */
int lvdpa_vdpa_virtq_stop(struct lvdpa_vdpa_priv *priv, uint16_t index);
/**
 * The device reported queue @p index in ERR (an event or a query): count
 * it, and recover the queue or leave it stopped. Under priv->lock.
 */
void lvdpa_vdpa_virtq_error(struct lvdpa_vdpa_priv *priv, uint16_t index);

/**
 * The device part of a stop: suspend and query (two commands). Safe to run
 * for different queues in parallel (configuration threads); the result is
 * kept in the queue for lvdpa_vdpa_virtq_stopped().
 */
int lvdpa_vdpa_virtq_suspend(struct lvdpa_vdpa_priv *priv, uint16_t index);

/** The host part of a stop after lvdpa_vdpa_virtq_suspend(): rte_vhost, relay, log. */
void lvdpa_vdpa_virtq_stopped(struct lvdpa_vdpa_priv *priv, uint16_t index);

/**
 * End the connection's use of queue @p index (kick fd, relay, vring) but
 * keep its object (INIT or SUSPEND) for the next dev_conf to modify.
 */
void lvdpa_vdpa_virtq_detach(struct lvdpa_vdpa_priv *priv, uint16_t index);

/** Destroy the virtq object of @p index (umems and counters stay). */
void lvdpa_vdpa_virtq_release(struct lvdpa_vdpa_priv *priv, uint16_t index);

/** Release every queue, counters included (device removal). */
void lvdpa_vdpa_virtqs_release_all(struct lvdpa_vdpa_priv *priv);

/* ---- lvdpa_vdpa_event.c ---- */

/** Create the epoll set, wake fd, event channel and start the thread. */
int lvdpa_vdpa_event_start(struct lvdpa_vdpa_priv *priv);

/** Stop and join the thread and release what _start made (idempotent). No lock held. */
void lvdpa_vdpa_event_stop(struct lvdpa_vdpa_priv *priv);

/** Poll the kick fd of @p vq in the thread (or stop polling it: -1). */
/** Make the event thread run a round now (a queue started, say). */
void lvdpa_vdpa_event_wake(struct lvdpa_vdpa_priv *priv);
int lvdpa_vdpa_event_kick_set(struct lvdpa_vdpa_priv *priv,
			      struct lvdpa_vdpa_virtq *vq, int kickfd);

/**
 * event_mode 2: create the event QP pair and CQ of @p vq for a queue of
 * @p size (kept when already made for that size), subscribed and armed;
 * *qpn receives the device-side QP for the virtq's event_qpn_or_msix.
 */
int lvdpa_vdpa_event_qp_create(struct lvdpa_vdpa_priv *priv,
			       struct lvdpa_vdpa_virtq *vq, uint16_t size,
			       uint32_t *qpn);

/** Destroy what lvdpa_vdpa_event_qp_create() made (idempotent). */
void lvdpa_vdpa_event_qp_destroy(struct lvdpa_vdpa_priv *priv,
				 struct lvdpa_vdpa_virtq *vq);

/** Arm the CQ of @p vq for one completion event (event_mode 2). */
void lvdpa_vdpa_event_qp_arm(struct lvdpa_vdpa_priv *priv,
			     struct lvdpa_vdpa_virtq *vq);

/** Subscribe @p vq's object to error (object change) events. */
int lvdpa_vdpa_event_subscribe(struct lvdpa_vdpa_priv *priv,
			       struct lvdpa_vdpa_virtq *vq);

/* ---- lvdpa_vdpa_lm.c ---- */

/**
 * Turn dirty logging on (into rte_vhost's log of priv->vid: the device
 * writes the vhost log directly through an mkey over it) or off, on every
 * running queue.
 */
int lvdpa_vdpa_lm_log(struct lvdpa_vdpa_priv *priv, bool enable);

/** Turn dirty logging of one queue (with an object) on or off. */
int lvdpa_vdpa_lm_virtq_set(struct lvdpa_vdpa_priv *priv,
			    struct lvdpa_vdpa_virtq *vq, bool enable);

/** Release the log mkey and umem (idempotent). */
void lvdpa_vdpa_lm_release(struct lvdpa_vdpa_priv *priv);

/**
 * Set priv->log_enabled and, with it, the relays' dirty-log callback, so
 * that the two never disagree. Under priv->lock.
 */
void lvdpa_vdpa_lm_set_logging(struct lvdpa_vdpa_priv *priv, bool on);

/* ---- lvdpa_vdpa_relay.c ---- */

/**
 * Allocate and register the shadow area of every vring of priv->vid that
 * has a ring (before lvdpa_vdpa_mem_register, which maps it after guest
 * memory), and set up the guest memory view.
 */
int lvdpa_vdpa_relay_prepare(struct lvdpa_vdpa_priv *priv, uint16_t nr);

/**
 * Point the relays' guest memory view at the vhost dirty log while
 * priv->log_enabled, and at nothing otherwise. Under priv->lock.
 */
void lvdpa_vdpa_relay_log_update(struct lvdpa_vdpa_priv *priv);

/** Release relays and the area (idempotent). */
void lvdpa_vdpa_relay_release(struct lvdpa_vdpa_priv *priv);

/**
 * (Re)create and start the relay of @p vq from rte_vhost's view, and fill
 * the device part of @p attr: shadow addresses, base 0/0, VERSION_1.
 */
int lvdpa_vdpa_relay_attr(struct lvdpa_vdpa_priv *priv,
			  struct lvdpa_vdpa_virtq *vq,
			  struct lvdpa_devx_virtq_attr *attr);

/**
 * After the device queue stopped: stop the relay, hand its guest ring
 * position to rte_vhost (GET_VRING_BASE).
 */
void lvdpa_vdpa_relay_stop(struct lvdpa_vdpa_priv *priv,
			   struct lvdpa_vdpa_virtq *vq);

/** Destroy the relay of @p vq, keeping its counts (idempotent). */
void lvdpa_vdpa_relay_destroy(struct lvdpa_vdpa_virtq *vq);

/**
 * Event thread: move work of @p vq both ways; an error puts the queue in
 * error as a device error would. @return chains moved
 */
unsigned int lvdpa_vdpa_relay_poll(struct lvdpa_vdpa_priv *priv,
				   struct lvdpa_vdpa_virtq *vq);

/**
 * Event thread: a guest kick or a device completion for relayed @p vq.
 * Polls the relay here, or, with relay_core, wakes the relay thread.
 */
void lvdpa_vdpa_relay_notify(struct lvdpa_vdpa_priv *priv,
			     struct lvdpa_vdpa_virtq *vq);

/**
 * relay_core=N: join the relay thread of CPU N (started by the first
 * device naming N, pinned there), which then serves every relayed queue
 * of the device instead of its event thread. No-op when relay_core is -1.
 * Called at probe, no lock held.
 */
int lvdpa_vdpa_relay_core_attach(struct lvdpa_vdpa_priv *priv);

/** Leave the relay thread (the last device stops it). No lock held. */
void lvdpa_vdpa_relay_core_detach(struct lvdpa_vdpa_priv *priv);

/** Relay counters of @p vq, accumulated over its relays. */
void lvdpa_vdpa_relay_stats(const struct lvdpa_vdpa_virtq *vq,
			    struct lvdpa_relay_stats *st);

/* ---- lvdpa_vdpa_stats.c ---- */

int lvdpa_vdpa_stats_names(struct rte_vdpa_stat_name *names, unsigned int size);
int lvdpa_vdpa_stats_get(struct lvdpa_vdpa_priv *priv, int qid,
			 struct rte_vdpa_stat *stats, unsigned int n);
int lvdpa_vdpa_stats_reset(struct lvdpa_vdpa_priv *priv, int qid);

#endif /* LVDPA_VDPA_H */
