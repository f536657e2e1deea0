/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The event thread of a device (one per device, started at probe):
 * - guest_kick -> dev_kick: it polls the guests' kick eventfds and writes
 *   the queue's index to the doorbell page. Legacy guests never get the
 *   doorbell mapped (rte_vhost maps it only with VERSION_1), and neither do
 *   modern ones here: all kicks come through the eventfds.
 * - dev_call -> guest_call, event_mode 1 (the default) and 2: each queue
 *   runs in event mode QP; the device decides when the guest is to be
 *   called (the ring's flags, event idx) and completes on the queue's
 *   collapsed CQ. In 2 the CQ is armed, its completion event makes the
 *   thread write the call eventfd, and the thread sleeps until an fd is
 *   ready. In 1 the thread polls the CQs every event_us while completions
 *   come (one call for all of a period's completions, no interrupt each),
 *   and after no_traffic_time rounds without any it arms them and sleeps
 *   as 2 does, until a completion wakes it. A guest that polls with
 *   interrupts off asks for no calls, so the thread sleeps while it runs
 *   flat out instead of waking every event_us beside it.
 * - event_mode 0, or 1 on a device without event QPs: the queues run in
 *   event mode NO_MSIX; the thread watches each running queue's progress
 *   every event_us (the used index in guest memory for split rings, the
 *   device's hw_used_index for packed ones) and writes the guest's call
 *   eventfd when the guest asked for interrupts.
 * - relayed queues (lvdpa_vdpa_relay.c): a kick, a device completion and
 *   every round poll the relay, which kicks the device and calls the guest
 *   itself; while a relay moves work the thread polls again at once, idle
 *   it enables notifications (lvdpa_relay_idle) and sleeps. A relay error
 *   is a queue error, as below.
 * - error events: the device raises an object change event when a queue
 *   enters ERR. It is logged and counted (lvdpa_vdpa_virtq_error): after a
 *   guest ring error the queue stays in ERR, so nothing is served wrong;
 *   after an error of the device's own the queue is recreated where the
 *   device stopped, up to LVDPA_VDPA_ERR_MAX times in LVDPA_VDPA_ERR_WINDOW_S.
 * - a hung-up event channel (EPOLLHUP or a failed read) is logged once and
 *   left: the thread then polls every event_us as event_mode 0 does (used
 *   indices instead of completion events) and queries the running queues
 *   for ERR every LVDPA_VDPA_ERR_POLL_MS.
 * Each round runs under priv->lock, so that configuration never races it.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_io.h>
#include <rte_malloc.h>

#include "lvdpa_vdpa.h"
#include "lvdpa_virtio.h"

#define LVDPA_VDPA_EV_WAKE   1u
#define LVDPA_VDPA_EV_CHAN   2u
#define LVDPA_VDPA_EV_KICK   3u
/* Event channel cookies: queue index, plus this bit for CQ completions. */
#define LVDPA_VDPA_COOKIE_CQ (UINT64_C(1) << 32)
/* Layout of an event QP's umem: CQE 0 (collapsed CQ), records, RQ. */
#define LVDPA_VDPA_EQP_CQE_OFF   0
#define LVDPA_VDPA_EQP_CQDBR_OFF 64
#define LVDPA_VDPA_EQP_QPDBR_OFF 128
#define LVDPA_VDPA_EQP_RQ_OFF    192
#define LVDPA_VDPA_EQP_RQ_STRIDE 16
#define LVDPA_VDPA_EV_DATA(tag, idx) (((uint64_t)(tag) << 32) | (idx))
/* Busy relay rounds between two looks at the fds (a system call each). */
#define LVDPA_VDPA_EV_BUSY_SKIP 16u

struct lvdpa_vdpa_vring_used_hdr {
	uint16_t flags;
	uint16_t idx;
};

static void
lvdpa_vdpa_guest_call(struct lvdpa_vdpa_virtq *vq)
{
	if (vq->vring.callfd >= 0)
		(void)eventfd_write(vq->vring.callfd, (eventfd_t)1);
}

/* Whether the guest wants an interrupt for used moving old -> cur (split). */
static bool
lvdpa_vdpa_split_need_call(const struct lvdpa_vdpa_priv *priv,
			   const struct lvdpa_vdpa_virtq *vq, uint16_t old,
			   uint16_t cur)
{
	const volatile uint16_t *avail = (const volatile uint16_t *)vq->vring.avail;

	if (priv->features & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_EVENT_IDX)) {
		/* used_event sits after the avail ring. */
		uint16_t ev = avail[2 + vq->vring.size];

		return (uint16_t)(cur - ev - 1) < (uint16_t)(cur - old);
	}
	return !(avail[0] & LVDPA_VRING_AVAIL_F_NO_INTERRUPT);
}

/* One queue's progress: true if it moved and the guest wanted a call. */
static bool
lvdpa_vdpa_poll_used(struct lvdpa_vdpa_priv *priv, struct lvdpa_vdpa_virtq *vq)
{
	uint16_t cur;

	if (!vq->packed) {
		const struct lvdpa_vdpa_vring_used_hdr *u = (const void *)vq->vring.used;
		bool call;

		/* Little endian: only LE rings are served (legacy ones too). */
		cur = __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE);
		if (cur == vq->last_used)
			return false;
		call = lvdpa_vdpa_split_need_call(priv, vq, vq->last_used, cur);
		if (call)
			lvdpa_vdpa_guest_call(vq);
		vq->last_used = cur;
		return call;
	} else {
		const volatile uint16_t *drv = (const volatile uint16_t *)vq->vring.avail;
		struct lvdpa_devx_virtq_attr attr;

		/* Driver event suppression: flags DISABLE, nothing to signal. */
		if (drv[1] == LVDPA_VRING_PACKED_EVENT_F_DISABLE)
			return false;
		if (lvdpa_devx_virtq_query(vq->obj, &attr) != 0)
			return false;
		cur = attr.hw_used_index;
		if (cur == vq->last_used)
			return false;
		vq->last_used = cur;
		lvdpa_vdpa_guest_call(vq);
		return true;
	}
}

static void
lvdpa_vdpa_dev_kick(struct lvdpa_vdpa_priv *priv, struct lvdpa_vdpa_virtq *vq)
{
	lvdpa_devx_virtq_notify(priv->db, &priv->caps, vq->index);
}

/*
 * Take the completions the device wrote since the last look: true if
 * there were any. The consumer index and the RQ entries handed back to
 * the device's QP go to their doorbell records; the CQ is not armed.
 */
static bool
lvdpa_vdpa_eqp_consume(struct lvdpa_vdpa_virtq *vq)
{
	uint8_t *b = vq->eqp.buf;
	volatile uint32_t *cq_dbr = (volatile uint32_t *)(b + LVDPA_VDPA_EQP_CQDBR_OFF);
	volatile uint32_t *qp_dbr = (volatile uint32_t *)(b + LVDPA_VDPA_EQP_QPDBR_OFF);
	struct lvdpa_devx_cqe c;
	uint16_t moved = 0;

	rte_io_rmb();
	lvdpa_devx_cqe_decode(b + LVDPA_VDPA_EQP_CQE_OFF, &c);
	if (c.opcode != LVDPA_PRM_CQE_OPCODE_INVALID) {
		/* Collapsed: CQE 0 carries the counter of the last completion. */
		moved = (uint16_t)((uint16_t)(c.wqe_counter + 1) -
				   (uint16_t)vq->eqp.ci);
		vq->eqp.ci += moved;
	}
	cq_dbr[0] = rte_cpu_to_be_32(vq->eqp.ci & LVDPA_PRM_CQ_CI_MASK);
	qp_dbr[0] = rte_cpu_to_be_32((vq->eqp.ci + vq->eqp.rq_size) & 0xffff);
	return moved != 0;
}

void
lvdpa_vdpa_event_qp_arm(struct lvdpa_vdpa_priv *priv, struct lvdpa_vdpa_virtq *vq)
{
	if (vq->eqp.cq == NULL)
		return;
	(void)lvdpa_vdpa_eqp_consume(vq);
	lvdpa_devx_cq_arm(priv->uar,
			  (volatile uint32_t *)((uint8_t *)vq->eqp.buf +
						LVDPA_VDPA_EQP_CQDBR_OFF),
			  vq->eqp.cq->id, vq->eqp.arm_sn++, vq->eqp.ci);
}

/* The device asked to notify the guest: call it, or move its relay. */
static void
lvdpa_vdpa_eqp_notify(struct lvdpa_vdpa_priv *priv, struct lvdpa_vdpa_virtq *vq)
{
	/* A relayed queue: the device completed on the shadow ring. */
	if (vq->relay != NULL)
		lvdpa_vdpa_relay_notify(priv, vq);
	else if (vq->running)
		lvdpa_vdpa_guest_call(vq);
}

/*
 * A completion event. event_mode 2 arms the CQ again for the next one;
 * 1 was asleep and polls from now on.
 */
static void
lvdpa_vdpa_eqp_completion(struct lvdpa_vdpa_priv *priv, struct lvdpa_vdpa_virtq *vq)
{
	if (vq->eqp.cq == NULL)
		return;
	(void)lvdpa_vdpa_eqp_consume(vq);
	lvdpa_vdpa_eqp_notify(priv, vq);
	if (priv->cfg.event_mode == LVDPA_VDPA_EVENT_IRQ) {
		lvdpa_vdpa_event_qp_arm(priv, vq);
	} else {
		priv->ev_armed = false;
		priv->ev_idle_rounds = 0;
	}
}

/*
 * event_mode 1, no completion for no_traffic_time rounds: arm every CQ
 * and sleep. A completion written before its CQ was armed raises no
 * event, so each is looked at once more after arming: true if one moved
 * (it is served, and the thread polls on).
 */
static bool
lvdpa_vdpa_eqp_arm_all(struct lvdpa_vdpa_priv *priv)
{
	bool moved = false;
	uint32_t q;

	for (q = 0; q < priv->nr_virtqs; q++) {
		struct lvdpa_vdpa_virtq *vq = &priv->virtqs[q];

		if (vq->eqp.cq == NULL)
			continue;
		lvdpa_vdpa_event_qp_arm(priv, vq);
		if (lvdpa_vdpa_eqp_consume(vq)) {
			lvdpa_vdpa_eqp_notify(priv, vq);
			moved = true;
		}
	}
	priv->ev_armed = !moved;
	return moved;
}

void
lvdpa_vdpa_event_qp_destroy(struct lvdpa_vdpa_priv *priv, struct lvdpa_vdpa_virtq *vq)
{
	RTE_SET_USED(priv);
	if (vq->eqp.fw_qp != NULL)
		lvdpa_devx_qp_destroy(vq->eqp.fw_qp);
	if (vq->eqp.sw_qp != NULL)
		lvdpa_devx_qp_destroy(vq->eqp.sw_qp);
	if (vq->eqp.cq != NULL)
		lvdpa_devx_cq_destroy(vq->eqp.cq);
	if (vq->eqp.umem != NULL)
		lvdpa_devx_umem_dereg(vq->eqp.umem);
	rte_free(vq->eqp.buf);
	memset(&vq->eqp, 0, sizeof(vq->eqp));
}

int
lvdpa_vdpa_event_qp_create(struct lvdpa_vdpa_priv *priv, struct lvdpa_vdpa_virtq *vq,
			   uint16_t size, uint32_t *qpn)
{
	const uint16_t type = LVDPA_PRM_EVENT_TYPE_COMPLETION;
	struct lvdpa_devx_cq_attr ca = { 0 };
	struct lvdpa_devx_qp_attr qa = { 0 };
	uint32_t log_size = rte_log2_u32(size), len, eqn = 0;
	int rc;

	if (vq->eqp.cq != NULL && vq->eqp.size == size) {
		*qpn = vq->eqp.fw_qp->id;
		return 0;
	}
	lvdpa_vdpa_event_qp_destroy(priv, vq);
	if (priv->uar == NULL || priv->evchan == NULL)
		return -ENOTSUP;
	vq->eqp.size = size;
	vq->eqp.rq_size = UINT32_C(1) << log_size;
	len = RTE_ALIGN_CEIL(LVDPA_VDPA_EQP_RQ_OFF +
			     vq->eqp.rq_size * LVDPA_VDPA_EQP_RQ_STRIDE, 4096u);
	vq->eqp.buf = rte_zmalloc("lvdpa_eqp", len, 4096);
	if (vq->eqp.buf == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	/* No CQE yet: an invalid opcode in CQE 0. */
	((uint8_t *)vq->eqp.buf)[LVDPA_VDPA_EQP_CQE_OFF + LVDPA_PRM_CQE_OP_OWN_OFF] =
		LVDPA_PRM_CQE_OPCODE_INVALID << 4;
	rc = lvdpa_devx_umem_reg(priv->tp, vq->eqp.buf, len,
				 LVDPA_DEVX_UMEM_LOCAL_WRITE, &vq->eqp.umem);
	if (rc == 0)
		rc = lvdpa_devx_query_eqn(priv->tp, 0, &eqn);
	if (rc != 0)
		goto fail;
	ca.log_cq_size = log_size;
	ca.uar_page = priv->uar->page_id;
	ca.eqn = eqn;
	ca.cqe_sz = LVDPA_PRM_CQE_SZ_64;
	ca.use_first_only = true;   /* every CQE in CQE 0 */
	ca.overrun_ignore = true;
	ca.umem_id = vq->eqp.umem->id;
	ca.umem_offset = LVDPA_VDPA_EQP_CQE_OFF;
	ca.dbr_umem_id = vq->eqp.umem->id;
	ca.dbr_umem_offset = LVDPA_VDPA_EQP_CQDBR_OFF;
	rc = lvdpa_devx_cq_create(priv->tp, &ca, &vq->eqp.cq);
	if (rc != 0)
		goto fail;
	qa.pd = priv->pd->id;
	qa.fw_managed = true;
	qa.ts_format = priv->caps.rq_ts_format;
	qa.rq_size_zero = true;
	rc = lvdpa_devx_qp_create(priv->tp, &qa, &vq->eqp.fw_qp);
	if (rc != 0)
		goto fail;
	memset(&qa, 0, sizeof(qa));
	qa.pd = priv->pd->id;
	qa.ts_format = priv->caps.rq_ts_format;
	qa.uar_page = priv->uar->page_id;
	qa.cqn = vq->eqp.cq->id;
	qa.log_rq_size = log_size;
	qa.log_rq_stride = rte_log2_u32(LVDPA_VDPA_EQP_RQ_STRIDE);
	qa.wq_umem_id = vq->eqp.umem->id;
	qa.wq_umem_offset = LVDPA_VDPA_EQP_RQ_OFF;
	qa.dbr_umem_id = vq->eqp.umem->id;
	qa.dbr_umem_offset = LVDPA_VDPA_EQP_QPDBR_OFF;
	rc = lvdpa_devx_qp_create(priv->tp, &qa, &vq->eqp.sw_qp);
	if (rc != 0)
		goto fail;
	/* A loopback RC pair: the device QP sends, ours receives. */
	rc = lvdpa_devx_qp_modify(vq->eqp.fw_qp, LVDPA_PRM_OP_RST2INIT_QP, 0);
	if (rc == 0)
		rc = lvdpa_devx_qp_modify(vq->eqp.sw_qp, LVDPA_PRM_OP_RST2INIT_QP, 0);
	if (rc == 0)
		rc = lvdpa_devx_qp_modify(vq->eqp.fw_qp, LVDPA_PRM_OP_INIT2RTR_QP,
					  vq->eqp.sw_qp->id);
	if (rc == 0)
		rc = lvdpa_devx_qp_modify(vq->eqp.sw_qp, LVDPA_PRM_OP_INIT2RTR_QP,
					  vq->eqp.fw_qp->id);
	if (rc == 0)
		rc = lvdpa_devx_qp_modify(vq->eqp.fw_qp, LVDPA_PRM_OP_RTR2RTS_QP, 0);
	if (rc == 0)
		rc = lvdpa_devx_qp_modify(vq->eqp.sw_qp, LVDPA_PRM_OP_RTR2RTS_QP, 0);
	if (rc == 0)
		rc = lvdpa_devx_evchan_subscribe(priv->evchan, vq->eqp.cq, &type, 1,
						 LVDPA_VDPA_COOKIE_CQ | vq->index);
	if (rc != 0)
		goto fail;
	lvdpa_vdpa_event_qp_arm(priv, vq);
	*qpn = vq->eqp.fw_qp->id;
	return 0;
fail:
	LVDPA_VDPA_DLOG(priv, ERR, "queue %u: event QP not created: %s", vq->index,
			strerror(-rc));
	lvdpa_vdpa_event_qp_destroy(priv, vq);
	return rc;
}

/* The channel is gone: say it once, stop watching it, poll instead. */
static void
lvdpa_vdpa_evchan_lost(struct lvdpa_vdpa_priv *priv, int rc)
{
	if (priv->evchan_dead)
		return;
	priv->evchan_dead = true;
	if (priv->ep_fd >= 0)
		(void)epoll_ctl(priv->ep_fd, EPOLL_CTL_DEL,
				lvdpa_devx_evchan_fd(priv->evchan), NULL);
	LVDPA_VDPA_DLOG(priv, ERR, "event channel hung up (%s): polling every %u us instead of device events, queue errors found by query every %u ms",
			rc != 0 ? strerror(-rc) : "fd closed", priv->cfg.event_us,
			LVDPA_VDPA_ERR_POLL_MS);
}

static void
lvdpa_vdpa_device_events(struct lvdpa_vdpa_priv *priv, bool hup)
{
	struct lvdpa_devx_event ev;
	unsigned int n = 0;
	int rc = 0;

	if (priv->evchan_dead)
		return;
	/* Bounded: a flood of events must not starve kicks. */
	while (n++ < 64 && (rc = lvdpa_devx_evchan_read(priv->evchan, &ev)) == 1) {
		struct lvdpa_vdpa_virtq *vq;

		if (ev.type == LVDPA_PRM_EVENT_TYPE_COMPLETION &&
		    (ev.cookie & LVDPA_VDPA_COOKIE_CQ) &&
		    (uint32_t)ev.cookie < priv->nr_virtqs) {
			lvdpa_vdpa_eqp_completion(priv,
				&priv->virtqs[(uint32_t)ev.cookie]);
			continue;
		}
		if (ev.type != LVDPA_PRM_EVENT_TYPE_OBJECT_CHANGE ||
		    ev.cookie >= priv->nr_virtqs)
			continue;
		vq = &priv->virtqs[ev.cookie];
		if (vq->obj == NULL || vq->obj->id != ev.obj_id)
			continue;   /* an object destroyed since */
		if (vq->errored)
			vq->err_events++;   /* handled already */
		else
			lvdpa_vdpa_virtq_error(priv, vq->index);
	}
	/* Records read first: what the device said before it hung up counts. */
	if (rc < 0 || (hup && rc == 0))
		lvdpa_vdpa_evchan_lost(priv, rc);
}

/* No event channel: find queues in ERR by asking the device. */
static void
lvdpa_vdpa_err_poll(struct lvdpa_vdpa_priv *priv, uint64_t now)
{
	struct lvdpa_devx_virtq_attr attr;
	uint32_t q;

	if (now - priv->ev_err_poll <
	    rte_get_timer_hz() / 1000 * LVDPA_VDPA_ERR_POLL_MS)
		return;
	priv->ev_err_poll = now;
	for (q = 0; q < priv->nr_virtqs; q++) {
		struct lvdpa_vdpa_virtq *vq = &priv->virtqs[q];

		if (!vq->running || vq->errored || vq->obj == NULL)
			continue;
		if (lvdpa_devx_virtq_query(vq->obj, &attr) == 0 &&
		    attr.state == LVDPA_PRM_VIRTQ_STATE_ERR)
			lvdpa_vdpa_virtq_error(priv, q);
	}
}

/* epoll_pwait2 is missing: the kernel is older than 5.11, or valgrind. */
static bool lvdpa_vdpa_no_pwait2;

/*
 * epoll_pwait2 (microsecond timeout) where the kernel has it, otherwise
 * epoll_pwait with the timeout rounded up to milliseconds (never 0 for a
 * non-zero wait: that would spin).
 */
static int
lvdpa_vdpa_epoll_wait(int ep, struct epoll_event *evs, int max,
		      const struct timespec *ts)
{
	long long ms;
	int n;

	if (!__atomic_load_n(&lvdpa_vdpa_no_pwait2, __ATOMIC_RELAXED)) {
		n = epoll_pwait2(ep, evs, max, ts, NULL);
		if (n >= 0 || errno != ENOSYS)
			return n;
		__atomic_store_n(&lvdpa_vdpa_no_pwait2, true, __ATOMIC_RELAXED);
		LVDPA_VDPA_LOG(INFO, "epoll_pwait2 unavailable: epoll_pwait with millisecond timeouts");
	}
	if (ts == NULL)
		ms = -1;
	else
		ms = (long long)ts->tv_sec * 1000 + (ts->tv_nsec + 999999) / 1000000;
	return epoll_pwait(ep, evs, max, (int)RTE_MIN(ms, (long long)INT_MAX), NULL);
}

static void *
lvdpa_vdpa_event_main(void *arg)
{
	struct lvdpa_vdpa_priv *priv = arg;
	struct epoll_event evs[32];
	uint64_t hz = rte_get_timer_hz();
	bool relay_busy = false;   /* a relay moved work: poll again at once */
	uint64_t relay_moved = 0;  /* timer cycles of the last relay work */
	unsigned int fd_skips = 0; /* busy rounds since the fds were looked at */

	while (!__atomic_load_n(&priv->ev_quit, __ATOMIC_ACQUIRE)) {
		struct timespec ts;
		uint32_t period_us = relay_busy ? 0 : priv->cfg.event_us;
		/* Asleep until an fd is ready: device interrupts (2), or 1
		 * with its CQs armed; not while a guest without a kick fd
		 * needs its doorbell written. */
		bool irq = priv->ev_qp && !priv->evchan_dead &&
			(priv->cfg.event_mode == LVDPA_VDPA_EVENT_IRQ || priv->ev_armed);
		bool poll_cqs;
		bool relay_work = false;
		uint64_t now;
		bool any = false;
		int n, i;
		uint32_t q;

		ts.tv_sec = period_us / 1000000;
		ts.tv_nsec = (long)(period_us % 1000000) * 1000;
		/*
		 * A relay moving work polls its rings anyway: the fds (kicks,
		 * device events) are looked at every LVDPA_VDPA_EV_BUSY_SKIP
		 * rounds only, not with a system call per round.
		 */
		if (relay_busy && ++fd_skips < LVDPA_VDPA_EV_BUSY_SKIP) {
			n = 0;
		} else {
			fd_skips = 0;
			n = lvdpa_vdpa_epoll_wait(priv->ep_fd, evs, RTE_DIM(evs),
					irq && !priv->ev_need_timer && !relay_busy ?
					NULL : &ts);
		}
		if (n < 0 && errno != EINTR) {
			LVDPA_VDPA_DLOG(priv, ERR, "event thread: epoll: %s",
					strerror(errno));
			usleep(period_us);
		}
		pthread_mutex_lock(&priv->lock);
		for (i = 0; i < n; i++) {
			uint32_t tag = evs[i].data.u64 >> 32;
			uint32_t idx = (uint32_t)evs[i].data.u64;
			eventfd_t v;

			if (tag == LVDPA_VDPA_EV_WAKE) {
				(void)eventfd_read(priv->wake_fd, &v);
			} else if (tag == LVDPA_VDPA_EV_CHAN) {
				lvdpa_vdpa_device_events(priv, (evs[i].events &
						(EPOLLHUP | EPOLLERR)) != 0);
			} else if (tag == LVDPA_VDPA_EV_KICK && idx < priv->nr_virtqs) {
				struct lvdpa_vdpa_virtq *vq = &priv->virtqs[idx];

				if (vq->kickfd_polled < 0 ||
				    eventfd_read(vq->kickfd_polled, &v) != 0)
					continue;
				if (vq->relay != NULL)
					lvdpa_vdpa_relay_notify(priv, vq);
				else if (vq->running)
					lvdpa_vdpa_dev_kick(priv, vq);
			}
		}
		now = rte_get_timer_cycles();
		if (priv->evchan_dead || priv->evchan == NULL)
			lvdpa_vdpa_err_poll(priv, now);
		priv->ev_need_timer = false;
		/* event_mode 1 awake (a completion event may just have woken
		 * it): this round looks at the CQs itself. */
		poll_cqs = priv->ev_qp && !priv->evchan_dead && !priv->ev_armed &&
			priv->cfg.event_mode != LVDPA_VDPA_EVENT_IRQ;
		for (q = 0; q < priv->nr_virtqs; q++) {
			struct lvdpa_vdpa_virtq *vq = &priv->virtqs[q];

			if (!vq->running || vq->vring.desc == NULL)
				continue;
			if (vq->relay != NULL) {
				/* Its completions only say the relay has work, which
				 * it polls for: taken, so the RQ does not run dry. */
				if (poll_cqs && vq->eqp.cq != NULL)
					(void)lvdpa_vdpa_eqp_consume(vq);
				/* relay_core: its thread polls the relays. */
				if (priv->rcore != NULL)
					continue;
				/* The relay moves both ways and calls the guest itself. */
				if (lvdpa_vdpa_relay_poll(priv, vq) != 0) {
					any = true;
					relay_work = true;
				}
				if (vq->kickfd_polled < 0 && !vq->errored)
					priv->ev_need_timer = true;
				continue;
			}
			/* A guest without a kick fd polls: kick on its behalf. */
			if (vq->kickfd_polled < 0) {
				lvdpa_vdpa_dev_kick(priv, vq);
				priv->ev_need_timer = true;
			}
			if (vq->eqp.cq != NULL && !priv->evchan_dead) {
				/* The device notifies: by event (2, or 1 armed), or
				 * on the CQ the thread polls (1). */
				if (poll_cqs && lvdpa_vdpa_eqp_consume(vq)) {
					lvdpa_vdpa_eqp_notify(priv, vq);
					any = true;
				}
				continue;
			}
			if (lvdpa_vdpa_poll_used(priv, vq))
				any = true;
		}
		/*
		 * Relays poll while busy, and LVDPA_VDPA_RELAY_POLL_US more
		 * after their last work (the device answers within
		 * microseconds); idle, they enable notifications and the
		 * thread sleeps unless work slipped in meanwhile.
		 */
		if (relay_work)
			relay_moved = now;
		relay_busy = relay_work || (relay_moved != 0 &&
			now - relay_moved < LVDPA_VDPA_RELAY_POLL_US * hz / 1000000);
		for (q = 0; !relay_busy && q < priv->nr_virtqs; q++) {
			struct lvdpa_vdpa_virtq *vq = &priv->virtqs[q];

			if (vq->relay != NULL && priv->rcore == NULL &&
			    vq->running && !vq->errored &&
			    !lvdpa_relay_idle(vq->relay))
				relay_busy = true;
		}
		/* event_mode 1: idle long enough, device interrupts take over. */
		if (poll_cqs) {
			if (any)
				priv->ev_idle_rounds = 0;
			else if (++priv->ev_idle_rounds > priv->cfg.no_traffic_time &&
				 lvdpa_vdpa_eqp_arm_all(priv))
				priv->ev_idle_rounds = 0;
		}
		pthread_mutex_unlock(&priv->lock);
		/*
		 * Chains in flight and none moved: the device has them. Give it
		 * the CPU when it shares ours (a model worker) rather than spin.
		 */
		if (relay_busy && !relay_work)
			sched_yield();
	}
	return NULL;
}

void
lvdpa_vdpa_event_wake(struct lvdpa_vdpa_priv *priv)
{
	if (priv->wake_fd >= 0)
		(void)eventfd_write(priv->wake_fd, 1);
}

int
lvdpa_vdpa_event_kick_set(struct lvdpa_vdpa_priv *priv,
			  struct lvdpa_vdpa_virtq *vq, int kickfd)
{
	struct epoll_event e = {
		.events = EPOLLIN,
		.data.u64 = LVDPA_VDPA_EV_DATA(LVDPA_VDPA_EV_KICK, vq->index),
	};

	/*
	 * Always re-register, even for the same number: rte_vhost may have
	 * closed the old fd (which left the epoll set with it) and got the
	 * same number for the new one. The old fd may be closed already:
	 * EBADF/ENOENT are fine, and EEXIST means it is still the same file.
	 */
	if (vq->kickfd_polled >= 0 && priv->ep_fd >= 0 && vq->kickfd_polled != kickfd)
		(void)epoll_ctl(priv->ep_fd, EPOLL_CTL_DEL, vq->kickfd_polled, NULL);
	vq->kickfd_polled = -1;
	if (kickfd < 0 || priv->ep_fd < 0)
		return 0;
	if (epoll_ctl(priv->ep_fd, EPOLL_CTL_ADD, kickfd, &e) != 0 &&
	    errno != EEXIST) {
		int rc = -errno;

		LVDPA_VDPA_DLOG(priv, ERR, "queue %u: cannot poll kick fd %d: %s",
				vq->index, kickfd, strerror(-rc));
		return rc;
	}
	vq->kickfd_polled = kickfd;
	lvdpa_vdpa_event_wake(priv);
	return 0;
}

int
lvdpa_vdpa_event_subscribe(struct lvdpa_vdpa_priv *priv,
			   struct lvdpa_vdpa_virtq *vq)
{
	const uint16_t type = LVDPA_PRM_EVENT_TYPE_OBJECT_CHANGE;

	if (priv->evchan == NULL)
		return -ENOTSUP;
	return lvdpa_devx_evchan_subscribe(priv->evchan, vq->obj, &type, 1,
					   vq->index);
}

int
lvdpa_vdpa_event_start(struct lvdpa_vdpa_priv *priv)
{
	struct epoll_event e = { .events = EPOLLIN };
	char tname[16];
	int rc;

	priv->ep_fd = epoll_create1(EPOLL_CLOEXEC);
	priv->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (priv->ep_fd < 0 || priv->wake_fd < 0) {
		rc = -errno;
		goto fail;
	}
	e.data.u64 = LVDPA_VDPA_EV_DATA(LVDPA_VDPA_EV_WAKE, 0);
	if (epoll_ctl(priv->ep_fd, EPOLL_CTL_ADD, priv->wake_fd, &e) != 0) {
		rc = -errno;
		goto fail;
	}
	rc = lvdpa_devx_evchan_create(priv->tp, &priv->evchan);
	if (rc != 0) {
		LVDPA_VDPA_DLOG(priv, WARNING, "no event channel (%s): queue errors are seen at stop only",
				strerror(-rc));
		priv->evchan = NULL;
	} else {
		e.data.u64 = LVDPA_VDPA_EV_DATA(LVDPA_VDPA_EV_CHAN, 0);
		if (epoll_ctl(priv->ep_fd, EPOLL_CTL_ADD,
			      lvdpa_devx_evchan_fd(priv->evchan), &e) != 0) {
			rc = -errno;
			goto fail;
		}
	}
	priv->ev_qp = false;
	priv->ev_armed = false;
	priv->ev_idle_rounds = 0;
	if (priv->cfg.event_mode != LVDPA_VDPA_EVENT_TIMER) {
		bool can = priv->evchan != NULL &&
			(priv->caps.event_mode & (1u << LVDPA_PRM_VIRTQ_EVENT_MODE_QP));

		if (!can && priv->cfg.event_mode == LVDPA_VDPA_EVENT_IRQ) {
			LVDPA_VDPA_DLOG(priv, ERR, "invalid devarg event_mode=2: the device has no event QP mode");
			rc = -ENOTSUP;
			goto fail;
		}
		if (!can)
			LVDPA_VDPA_DLOG(priv, INFO, "event_mode=1: no event QP mode, the rings are polled every %u us",
					priv->cfg.event_us);
		else
			rc = lvdpa_devx_uar_alloc(priv->tp, &priv->uar);
		if (rc != 0)
			goto fail;
		priv->ev_qp = can;
	}
	__atomic_store_n(&priv->ev_quit, false, __ATOMIC_RELAXED);
	rc = -pthread_create(&priv->ev_thread, NULL, lvdpa_vdpa_event_main, priv);
	if (rc != 0)
		goto fail;
	priv->ev_started = true;
	snprintf(tname, sizeof(tname), "lvdpa-ev-%.6s", priv->name);
	pthread_setname_np(priv->ev_thread, tname);
	if (priv->cfg.event_core >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(priv->cfg.event_core, &set);
		rc = -pthread_setaffinity_np(priv->ev_thread, sizeof(set), &set);
		if (rc != 0) {
			LVDPA_VDPA_DLOG(priv, ERR, "invalid devarg event_core=%d: %s",
					priv->cfg.event_core, strerror(-rc));
			goto fail;
		}
	}
	return 0;
fail:
	LVDPA_VDPA_DLOG(priv, ERR, "event thread not started: %s", strerror(-rc));
	lvdpa_vdpa_event_stop(priv);
	return rc;
}

void
lvdpa_vdpa_event_stop(struct lvdpa_vdpa_priv *priv)
{
	if (priv->ev_started) {
		__atomic_store_n(&priv->ev_quit, true, __ATOMIC_RELEASE);
		lvdpa_vdpa_event_wake(priv);
		pthread_join(priv->ev_thread, NULL);
		priv->ev_started = false;
	}
	if (priv->evchan != NULL) {
		lvdpa_devx_evchan_destroy(priv->evchan);
		priv->evchan = NULL;
	}
	priv->evchan_dead = false;
	priv->ev_qp = false;
	if (priv->uar != NULL) {
		lvdpa_devx_uar_free(priv->uar);
		priv->uar = NULL;
	}
	if (priv->wake_fd >= 0) {
		close(priv->wake_fd);
		priv->wake_fd = -1;
	}
	if (priv->ep_fd >= 0) {
		close(priv->ep_fd);
		priv->ep_fd = -1;
	}
}
