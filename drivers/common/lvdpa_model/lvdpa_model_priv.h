/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_MODEL_PRIV_H
#define LVDPA_MODEL_PRIV_H

/*
 * Internals of the device model, shared by its files; never installed.
 * One struct lvdpa_model_dev is one opened function. A single mutex (lock)
 * guards its object table, memory and queues: command handlers and the
 * worker both take it, the worker once per queue batch. Packets cross
 * functions through per-queue-pair inboxes with their own small locks, so a
 * worker never holds two device locks.
 */

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_log.h>

#include "lvdpa_model.h"
#include "lvdpa_transport.h"
#include "lvdpa_ring.h"

extern int lvdpa_model_logtype;
#define LVDPA_MODEL_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, lvdpa_model_logtype, \
		"lvdpa_model: " fmt "\n", ##__VA_ARGS__)

/* Datapath errors: a hostile guest must not flood the log. */
#define LVDPA_MODEL_LOG_DP(dev, fmt, ...) do { \
	if (lvdpa_model_log_ratelimit(dev)) \
		LVDPA_MODEL_LOG(ERR, fmt, ##__VA_ARGS__); \
} while (0)

/* Internal object kinds; the PRM opcode / obj_type maps onto them. */
enum lvdpa_model_kind {
	LVDPA_MODEL_KIND_NONE = 0,
	LVDPA_MODEL_KIND_PD,
	LVDPA_MODEL_KIND_MKEY,
	LVDPA_MODEL_KIND_VIRTQ,
	LVDPA_MODEL_KIND_COUNTERS,
	LVDPA_MODEL_KIND_CQ,
	LVDPA_MODEL_KIND_QP,
	LVDPA_MODEL_KIND_MAX
};

/* Virtq states, the PRM values. */
enum lvdpa_model_vq_state {
	LVDPA_MODEL_VQ_INIT = 0,
	LVDPA_MODEL_VQ_RDY = 1,
	LVDPA_MODEL_VQ_SUSPEND = 2,
	LVDPA_MODEL_VQ_ERR = 3,
};

/* Virtq error_type values reported by query (the model's choice, see doc). */
enum lvdpa_model_vq_error {
	LVDPA_MODEL_VQ_ERROR_NONE = 0,
	LVDPA_MODEL_VQ_ERROR_NETWORK = 1,
	LVDPA_MODEL_VQ_ERROR_BAD_DESC = 2,
	LVDPA_MODEL_VQ_ERROR_INVALID_BUFFER = 3,
	LVDPA_MODEL_VQ_ERROR_CHAIN = 4,
};

/*
 * UMEM sizes the device asks for per queue: a * queue_size + b bytes for
 * umem i (reported as umem_<i>_buffer_param_a/b in the capabilities).
 */
#define LVDPA_MODEL_UMEM_A(i) (128u + 0u * (i))
#define LVDPA_MODEL_UMEM_B(i) (4096u + 0u * (i))
/* Smallest dirty-log page: vhost_log_page is log2(page) - 12. */
#define LVDPA_MODEL_LOG_PAGE_MIN 12

#define LVDPA_MODEL_MAX_OBJS 4096
#define LVDPA_MODEL_MAX_PKT (65536 + 64)
/* TX burst: chains popped before the first is copied; room per small frame. */
#define LVDPA_MODEL_TX_BURST 32u
#define LVDPA_MODEL_TX_SLOT 2048u
#define LVDPA_MODEL_INBOX_SIZE 512
/* Busy polling after the last work (poll_us): long enough to bridge the
 * gaps between a busy guest's bursts, short enough to cost nothing idle. */
#define LVDPA_MODEL_POLL_US_DEFAULT 50

struct lvdpa_model_dev;
struct rte_mempool;

struct lvdpa_model_umem {
	struct lvdpa_tp_umem tp;
	struct lvdpa_model_dev *dev;
	uint8_t *addr;
	uint64_t size;
	uint32_t access;
	unsigned int refcnt;     /* mkeys and virtqs using it */
};

struct lvdpa_model_klm {
	uint32_t mkey;           /* mkey value (index << 8 | key) */
	uint64_t addr;
	uint64_t len;
};

struct lvdpa_model_mkey {
	uint64_t start;          /* first address covered */
	uint64_t len;
	uint32_t pd;
	uint8_t key;             /* mkey_7_0 */
	uint8_t access_mode;     /* LVDPA_MODEL_MKEY_* */
	bool write;              /* remote/local write allowed */
	struct lvdpa_model_umem *umem;  /* direct */
	uint64_t umem_offset;
	unsigned int nklm;       /* indirect */
	uint64_t fbs;            /* fixed entry size (KSM), 0 for KLM */
	struct lvdpa_model_klm *klm;
};

/*
 * The last translation one queue made: [lo, lo + len) of mkey's address
 * space maps linearly onto host memory at ptr, through the same mkeys and
 * entries, so an address inside it passes every check the full walk makes.
 * Owned by the queue, used under the device lock; stale once the device's
 * object generation moves (any object created or destroyed).
 */
/*
 * The regions of the last two translations: a relayed chain alternates
 * between the relay's header buffers and the guest's memory, each in a
 * region of its own.
 */
struct lvdpa_model_xcache {
	struct lvdpa_model_xent {
		bool valid;
		bool write;      /* the walk checked write access */
		uint32_t mkey;
		uint64_t gen;
		uint64_t lo, len;
		uint8_t *ptr;
	} ent[2];
	unsigned int victim;     /* the entry the next walk fills */
};

#define LVDPA_MODEL_MKEY_MTT 1
#define LVDPA_MODEL_MKEY_KLM 2
#define LVDPA_MODEL_MKEY_KSM 3

/* virtio_q_counters: shared with the queues that count into it. */
struct lvdpa_model_counters {
	atomic_uint_fast64_t received_desc;
	atomic_uint_fast64_t completed_desc;
	atomic_uint_fast32_t error_cqes;
	atomic_uint_fast32_t bad_desc_errors;
	atomic_uint_fast32_t exceed_max_chain;
	atomic_uint_fast32_t invalid_buffer;
	unsigned int refcnt;     /* object + queues; freed at 0 (under dev lock) */
};

/* The queue's PRM attributes, as created / modified. */
struct lvdpa_model_vq_attr {
	uint8_t type;            /* 0 split, 1 packed */
	uint8_t event_mode;      /* 0 no_msix, 1 qp, 2 msix */
	uint16_t queue_index;
	bool version_1_0;
	uint16_t queue_features; /* queue_feature_bit_mask, echoed by query */
	bool mrg_rxbuf;          /* its QF_MRG_RXBUF bit */
	bool tx_csum;            /* QF_CSUM: checksum TX frames that ask for it */
	bool rx_csum;            /* QF_GUEST_CSUM: report RX checksums verified */
	bool event_idx;          /* model param: the virtq has no bit for it */
	bool indirect;
	uint32_t event_qpn_or_msix;
	uint16_t queue_size;
	uint64_t desc_addr, used_addr, avail_addr;
	uint32_t mkey;
	uint32_t umem_id[3];
	uint32_t umem_size[3];
	uint64_t umem_offset[3];
	uint32_t counter_set_id;
	uint32_t pd;
	uint16_t hw_available_index;
	uint16_t hw_used_index;
	/* dirty page logging */
	uint32_t dirty_bitmap_mkey;
	uint32_t dirty_bitmap_size;
	uint64_t dirty_bitmap_addr;
	bool dirty_bitmap_dump_enable;
	uint8_t vhost_log_page;  /* log2 page size - 12 */
};

struct lvdpa_model_virtq {
	struct lvdpa_model_dev *dev;
	struct lvdpa_model_obj *obj;
	struct lvdpa_model_vq_attr attr;
	_Atomic int state;       /* read without the lock by other functions */
	uint8_t error_type;
	bool ring_ok;            /* ring initialised (RDY once) */
	struct lvdpa_ring ring;
	struct lvdpa_ring_mem view;
	struct lvdpa_ring_iov *iov;      /* 2 * iov_max: a TX burst's chains */
	unsigned int iov_max;            /* segments one chain may have */
	struct lvdpa_ring_chain *chains; /* in hand: RX, one packet's; TX, a burst's */
	uint32_t *rx_len;                /* RX: bytes written per chain */
	struct lvdpa_model_counters *cnt;
	struct lvdpa_model_umem *umem[3];
	struct lvdpa_model_xcache xc;    /* last translation (ring walker) */
	unsigned int hdr_len;
	uint64_t rx_dropped;     /* packets dropped: no fit without mergeable */
	bool rx_partial;         /* RX: the last frame found too few buffers */
	bool tx_stalled;         /* TX: the receiver was full, chain put back */
	bool kicks_off;          /* doorbells suppressed: the worker polls it */
	bool rx_unflushed;       /* RX: chains its TX pair delivered, not yet published */
};

struct lvdpa_model_cq {
	uint32_t log_size;
	bool collapsed;          /* cc: every CQE goes to CQE 0 */
	unsigned int cqe_bytes;  /* 64 or 128 */
	struct lvdpa_model_umem *umem;
	uint64_t umem_offset;
	uint32_t uar_page;
	bool armed;
	uint32_t pi;             /* CQEs written */
};

struct lvdpa_model_qp {
	bool fw;                 /* device-driven QP (no SQ, zero-length RQ) */
	uint32_t cqn;            /* receive completions */
	uint32_t remote_qpn;     /* peer, from INIT2RTR */
	uint8_t state;           /* 0 RST, 1 INIT, 2 RTR, 3 RTS */
};

struct lvdpa_model_obj {
	struct lvdpa_tp_obj tp;  /* first: tp.priv points back here */
	enum lvdpa_model_kind kind;
	uint32_t id;             /* PRM id: pd, mkey index, obj_id ... */
	uint16_t obj_type;       /* PRM obj_type for general objects */
	struct lvdpa_model_evsub *subs;  /* event subscriptions */
	union {
		struct lvdpa_model_mkey mkey;
		struct lvdpa_model_virtq *vq;
		struct lvdpa_model_counters *cnt;
		struct lvdpa_model_cq cq;
		struct lvdpa_model_qp qp;
	} u;
};

/* One packet parked between a TX queue and the RX queue it goes to. */
struct lvdpa_model_pkt {
	uint32_t len;
	uint32_t cap;            /* bytes data[] can hold (recycled buffers) */
	uint8_t data[];
};

/*
 * Smallest buffer an inbox allocates: a standard frame fits, so recycled
 * buffers serve any frame up to it without a new allocation.
 */
#define LVDPA_MODEL_PKT_MIN_CAP 2048u

struct lvdpa_model_inbox {
	pthread_mutex_t lock;
	unsigned int head, tail; /* free running */
	atomic_bool accept;      /* an RX queue exists and is not in ERR */
	bool blocked;            /* a sender found it full */
	struct lvdpa_model_pkt *pkt[LVDPA_MODEL_INBOX_SIZE];
	/*
	 * Consumed buffers kept for the next frames: parked + free never
	 * exceeds LVDPA_MODEL_INBOX_SIZE, so the datapath stops allocating
	 * once the inbox has been as deep as it gets.
	 */
	unsigned int nfree;
	struct lvdpa_model_pkt *free[LVDPA_MODEL_INBOX_SIZE];
};

struct lvdpa_model_evchan;

struct lvdpa_model_evsub {
	struct lvdpa_model_evsub *next;
	struct lvdpa_model_evchan *ch;
	uint16_t types[4];
	unsigned int ntypes;
	uint64_t cookie;
};

struct lvdpa_model_dev {
	struct lvdpa_tp_dev tp;
	struct lvdpa_model_caps caps;
	unsigned int fn;         /* function number in the e-switch */
	pthread_mutex_t lock;
	struct lvdpa_model_obj *obj[LVDPA_MODEL_MAX_OBJS];
	uint32_t next_id;
	uint64_t obj_gen;        /* moves when objects or a queue's mkey change */
	struct lvdpa_model_umem *umems[LVDPA_MODEL_MAX_OBJS];
	struct lvdpa_model_virtq **vq_by_index;   /* caps.max_queues entries */
	atomic_bool *kick;       /* per queue index: doorbell seen, not served */
	struct lvdpa_model_inbox *inbox;          /* one per queue pair */
	struct lvdpa_model_evchan *evchans;       /* list, under lock */
	uint64_t uplink_port;                     /* ethdev port + 1, 0 none */
	struct rte_mempool *uplink_pool;          /* mbufs for uplink TX and RX */
	bool uplink_started;                      /* the model started the port */
	bool uplink_gone;                         /* closed under us (sw_lock) */
	atomic_uint_fast64_t tx_dropped;          /* frames the e-switch dropped */
	/* worker */
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t wlock;
	pthread_cond_t wcond;
	bool wake;
	bool stop;
	uint8_t *bounce;                          /* one packet */
	uint8_t *tx_slots;  /* a TX burst's small frames, LVDPA_MODEL_TX_SLOT each */
	bool self_parked;                         /* worker parked a frame for itself */
	/* injected faults (caps.faults): per item, what was counted / fired */
	uint64_t fault_count[LVDPA_MODEL_FAULTS_MAX];
	uint32_t fault_fired[LVDPA_MODEL_FAULTS_MAX];
	/* rate limit for datapath logs */
	uint64_t log_tsc;
	unsigned int log_burst;
	/* e-switch list */
	struct lvdpa_model_dev *next;
};

/* ---- lvdpa_model.c ---- */
bool lvdpa_model_log_ratelimit(struct lvdpa_model_dev *dev);
/* A parameter's unsigned value in [min, max] (decimal or 0x hex), strictly. */
int lvdpa_model_parse_uint(const char *v, unsigned long min, unsigned long max,
			   unsigned long *out);

/* ---- lvdpa_model_fault.c: injected faults, the device lock held ---- */
int lvdpa_model_faults_parse(const char *v, struct lvdpa_model_caps *caps);
/* Command of latency type @p op: true when it is to fail (out filled). */
bool lvdpa_model_fault_cmd(struct lvdpa_model_dev *dev, unsigned int op,
			   void *out, size_t outlen);
/* Queue @p vq completed @p chains descriptors. */
void lvdpa_model_fault_vq_count(struct lvdpa_model_virtq *vq, unsigned int chains);
/* True when @p vq is to enter ERR now (before its next chain). */
bool lvdpa_model_fault_vq_due(struct lvdpa_model_virtq *vq);
/* Events after which a channel hangs up, 0 never. */
uint32_t lvdpa_model_fault_hup_after(const struct lvdpa_model_dev *dev);

/* ---- lvdpa_model_cmd.c: the device lock is held by the caller ---- */
int lvdpa_model_cmd_general(struct lvdpa_model_dev *dev, const void *in, size_t inlen,
			    void *out, size_t outlen);
int lvdpa_model_cmd_create(struct lvdpa_model_dev *dev, const void *in, size_t inlen,
			   void *out, size_t outlen, struct lvdpa_model_obj **obj);
int lvdpa_model_cmd_modify(struct lvdpa_model_dev *dev, struct lvdpa_model_obj *o,
			   const void *in, size_t inlen, void *out, size_t outlen);
int lvdpa_model_cmd_query(struct lvdpa_model_dev *dev, struct lvdpa_model_obj *o,
			  const void *in, size_t inlen, void *out, size_t outlen);
int lvdpa_model_cmd_destroy(struct lvdpa_model_dev *dev, struct lvdpa_model_obj *o);
/* Free an object whatever its state (function close). */
void lvdpa_model_cmd_release(struct lvdpa_model_dev *dev, struct lvdpa_model_obj *o);

/* ---- lvdpa_model_obj.c ---- */
struct lvdpa_model_obj *lvdpa_model_obj_alloc(struct lvdpa_model_dev *dev,
					      enum lvdpa_model_kind kind);
void lvdpa_model_obj_free(struct lvdpa_model_dev *dev, struct lvdpa_model_obj *o);
struct lvdpa_model_obj *lvdpa_model_obj_get(struct lvdpa_model_dev *dev,
					    uint32_t id, enum lvdpa_model_kind kind);
/* Is the virtq state change from -> to legal (PRM modify)? */
bool lvdpa_model_vq_transition_ok(int from, int to);
const char *lvdpa_model_vq_state_name(int state);

/* ---- lvdpa_model_mem.c ---- */
int lvdpa_model_umem_reg(struct lvdpa_model_dev *dev, void *addr, size_t size,
			 uint32_t access, struct lvdpa_model_umem **umem);
int lvdpa_model_umem_dereg(struct lvdpa_model_umem *umem);
struct lvdpa_model_umem *lvdpa_model_umem_get(struct lvdpa_model_dev *dev, uint32_t id);
void lvdpa_model_mkey_release(struct lvdpa_model_dev *dev, struct lvdpa_model_mkey *m);
/* Translate (mkey, addr, len): 0 or -EFAULT. */
int lvdpa_model_mem_translate(struct lvdpa_model_dev *dev, uint32_t mkey,
			      uint64_t addr, uint64_t len, int write,
			      void **ptr, uint64_t *contig);
/*
 * The same, trying the regions @p xc found first; caller holds dev lock.
 * *ent is the entry that answered (a hit, or the one the walk filled).
 */
int lvdpa_model_mem_translate_cached(struct lvdpa_model_dev *dev,
				     struct lvdpa_model_xcache *xc, uint32_t mkey,
				     uint64_t addr, uint64_t len, int write,
				     void **ptr, uint64_t *contig,
				     const struct lvdpa_model_xent **ent);

/* ---- lvdpa_model_virtq.c ---- */
int lvdpa_model_virtq_create(struct lvdpa_model_dev *dev,
			     const struct lvdpa_model_vq_attr *attr,
			     struct lvdpa_model_obj *o, uint32_t *syndrome);
void lvdpa_model_virtq_destroy(struct lvdpa_model_virtq *vq);
int lvdpa_model_virtq_set_state(struct lvdpa_model_virtq *vq, int state,
				uint32_t *syndrome);
/* Refresh hw indices in vq->attr for a query. */
void lvdpa_model_virtq_sync(struct lvdpa_model_virtq *vq);
/*
 * Worker: serve one queue, at most budget chains (*done: how many); true if
 * work is left. @p poll: the worker polls the ring, doorbells are suppressed.
 */
bool lvdpa_model_virtq_run(struct lvdpa_model_virtq *vq, unsigned int budget,
			   bool poll, unsigned int *done);
/* Ask for doorbells again on a polled queue; true if work slipped in. */
bool lvdpa_model_virtq_arm(struct lvdpa_model_virtq *vq);
/*
 * A frame from @p dev's own TX pair @p qp straight into its RX queue of
 * that pair, when nothing waits in the inbox: true when taken (delivered
 * or dropped), false to park it. Caller holds dev->lock (the worker).
 */
bool lvdpa_model_virtq_deliver(struct lvdpa_model_dev *dev, unsigned int qp,
			       const uint8_t *frame, uint32_t len);
/* Put the queue in ERR for ring error @p err (negative errno). */
void lvdpa_model_virtq_fail(struct lvdpa_model_virtq *vq, int err);
void lvdpa_model_counters_put(struct lvdpa_model_counters *c);

/* ---- lvdpa_model_net.c ---- */
int lvdpa_model_net_attach(struct lvdpa_model_dev *dev);
/* Leave the e-switch (no more frames arrive), then free the inboxes. */
void lvdpa_model_net_detach(struct lvdpa_model_dev *dev);
void lvdpa_model_net_free(struct lvdpa_model_dev *dev);
/*
 * Send a frame from queue pair @p qp of @p dev: 0, or -ENOBUFS (retry
 * later). Caller holds dev->lock and lvdpa_model_sw_lock.
 */
int lvdpa_model_net_send(struct lvdpa_model_dev *dev, unsigned int qp,
			 const uint8_t *frame, uint32_t len);
/* First parked packet of a queue pair, NULL when none (not removed); caller holds dev->lock. */
struct lvdpa_model_pkt *lvdpa_model_net_peek(struct lvdpa_model_dev *dev, unsigned int qp);
void lvdpa_model_net_consume(struct lvdpa_model_dev *dev, unsigned int qp);
bool lvdpa_model_net_pending(struct lvdpa_model_dev *dev, unsigned int qp);
/* The RX queue of pair @p qp can take frames (on), or is gone in ERR (off: drop). */
void lvdpa_model_net_set_accept(struct lvdpa_model_dev *dev, unsigned int qp, bool on);
/* Bring in what the uplink received; true if it brought anything. */
bool lvdpa_model_net_poll_uplink(struct lvdpa_model_dev *dev);
/* The e-switch's function list and its lock (lvdpa_model_net.c). */
extern pthread_mutex_t lvdpa_model_sw_lock;
extern struct lvdpa_model_dev *lvdpa_model_sw_list;
/* Caller holds lvdpa_model_sw_lock: 0 or -ENOBUFS (retry). */
int lvdpa_model_uplink_send(struct lvdpa_model_dev *dev, const uint8_t *frame, uint32_t len);
int lvdpa_model_net_park(struct lvdpa_model_dev *dst, unsigned int qp,
			 const uint8_t *frame, uint32_t len);

/* ---- lvdpa_model_flow.c ---- */
/* Rules, then representor; false: legacy forwarding. Caller holds sw_lock. */
bool lvdpa_model_flow_steer(uint32_t in_vport, unsigned int qp, const uint8_t *frame,
			    uint32_t len, int *rc);

/* ---- lvdpa_model_event.c ---- */
int lvdpa_model_evchan_create(struct lvdpa_model_dev *dev, struct lvdpa_tp_evchan **ch);
void lvdpa_model_evchan_destroy(struct lvdpa_tp_evchan *ch);
int lvdpa_model_evchan_subscribe(struct lvdpa_tp_evchan *ch, struct lvdpa_tp_obj *obj,
				 const uint16_t *types, unsigned int n, uint64_t cookie);
int lvdpa_model_evchan_read(struct lvdpa_tp_evchan *ch, struct lvdpa_tp_event *ev);
/* Raise @p type on @p o for every subscriber; data is the EQE payload. */
void lvdpa_model_event_raise(struct lvdpa_model_dev *dev, struct lvdpa_model_obj *o,
			     uint8_t type, const uint8_t *data, unsigned int len);
void lvdpa_model_event_unsubscribe_all(struct lvdpa_model_dev *dev,
				       struct lvdpa_model_obj *o);
void lvdpa_model_event_close_all(struct lvdpa_model_dev *dev);
/* A CQ arm doorbell for @p cqn with arm @p word (lvdpa_model_cmd.c). */
void lvdpa_model_cq_arm(struct lvdpa_model_dev *dev, uint32_t cqn, uint32_t word);
/* The queue's completions were published: CQE + completion event (event mode). */
void lvdpa_model_event_completion(struct lvdpa_model_virtq *vq);
/* The queue entered ERR: object change event. */
void lvdpa_model_event_vq_error(struct lvdpa_model_virtq *vq);

/* ---- lvdpa_model_lm.c ---- */
void lvdpa_model_lm_log(void *opaque, uint64_t addr, uint64_t len);

/* ---- lvdpa_model_latency.c ---- */
enum lvdpa_model_lat {
	LVDPA_MODEL_LAT_GENERAL, LVDPA_MODEL_LAT_PD, LVDPA_MODEL_LAT_MKEY,
	LVDPA_MODEL_LAT_CREATE_VIRTQ, LVDPA_MODEL_LAT_MODIFY_VIRTQ,
	LVDPA_MODEL_LAT_QUERY_VIRTQ, LVDPA_MODEL_LAT_DESTROY_VIRTQ,
	LVDPA_MODEL_LAT_COUNTERS, LVDPA_MODEL_LAT_QUERY_COUNTERS,
	LVDPA_MODEL_LAT_CQ, LVDPA_MODEL_LAT_QP, LVDPA_MODEL_LAT_MODIFY_QP,
	LVDPA_MODEL_LAT_DESTROY, LVDPA_MODEL_LAT_UMEM_REG, LVDPA_MODEL_LAT_UMEM_DEREG,
	LVDPA_MODEL_LAT_MAX
};
_Static_assert(LVDPA_MODEL_LAT_MAX == LVDPA_MODEL_LATENCY_TYPES, "latency types");
enum lvdpa_model_lat_call {
	LVDPA_MODEL_LAT_CALL_GENERAL, LVDPA_MODEL_LAT_CALL_CREATE, LVDPA_MODEL_LAT_CALL_MODIFY,
	LVDPA_MODEL_LAT_CALL_QUERY, LVDPA_MODEL_LAT_CALL_DESTROY,
	LVDPA_MODEL_LAT_CALL_UMEM_REG, LVDPA_MODEL_LAT_CALL_UMEM_DEREG,
};
const char *lvdpa_model_latency_name(unsigned int op);
/* Parse a profile into us[LVDPA_MODEL_LAT_MAX]: 0 or -EINVAL. */
int lvdpa_model_latency_parse(const char *v, uint32_t *us);
/* Take LVDPA_MODEL_LATENCY when the params set no latency. */
int lvdpa_model_latency_env(struct lvdpa_model_caps *caps);
unsigned int lvdpa_model_latency_op(enum lvdpa_model_lat_call call, const void *in,
				    size_t inlen, enum lvdpa_model_kind kind);
/* CLOCK_MONOTONIC in nanoseconds (the worker's poll window too). */
uint64_t lvdpa_model_latency_now(void);
/* Sleep until t0 + the latency of op; call without the device lock. */
void lvdpa_model_latency_charge(const struct lvdpa_model_dev *dev, unsigned int op,
				uint64_t t0);

/* ---- lvdpa_model_worker.c ---- */
/* Locks first (anyone may wake a function once it is on the e-switch). */
void lvdpa_model_worker_init(struct lvdpa_model_dev *dev);
void lvdpa_model_worker_fini(struct lvdpa_model_dev *dev);
int lvdpa_model_worker_start(struct lvdpa_model_dev *dev);
void lvdpa_model_worker_stop(struct lvdpa_model_dev *dev);
void lvdpa_model_worker_wake(struct lvdpa_model_dev *dev);

#endif /* LVDPA_MODEL_PRIV_H */
