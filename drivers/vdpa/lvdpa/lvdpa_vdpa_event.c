/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The event thread of a device (one per device, started at probe):
 * - guest_kick -> dev_kick: it polls the guests' kick eventfds and writes
 *   the queue's index to the doorbell page. Legacy guests never get the
 *   doorbell mapped (rte_vhost maps it only with VERSION_1), and neither do
 *   modern ones here: all kicks come through the eventfds.
 * - dev_call -> guest_call: the queues run in event mode NO_MSIX, so the
 *   thread watches each running queue's progress (the used index in guest
 *   memory for split rings, the device's hw_used_index for packed ones) and
 *   writes the guest's call eventfd when the guest asked for interrupts.
 *   event_mode 0 polls every event_us; 1 stretches the period to 10 ms
 *   after no_traffic_time seconds without progress.
 * - error events: the device raises an object change event when a queue
 *   enters ERR (a guest error). It is logged and counted; the queue stays
 *   in ERR, so nothing is served wrong.
 * Each round runs under priv->lock, so that configuration never races it.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "lvdpa_vdpa.h"
#include "lvdpa_virtio.h"

#define LVDPA_VDPA_EV_WAKE   1u
#define LVDPA_VDPA_EV_CHAN   2u
#define LVDPA_VDPA_EV_KICK   3u
#define LVDPA_VDPA_EV_DATA(tag, idx) (((uint64_t)(tag) << 32) | (idx))
#define LVDPA_VDPA_EV_IDLE_US 10000u

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

/* One queue's progress; true if it moved. */
static bool
lvdpa_vdpa_poll_used(struct lvdpa_vdpa_priv *priv, struct lvdpa_vdpa_virtq *vq)
{
	uint16_t cur;

	if (!vq->packed) {
		const struct lvdpa_vdpa_vring_used_hdr *u = (const void *)vq->vring.used;

		/* Little endian: only LE rings are served (legacy ones too). */
		cur = __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE);
		if (cur == vq->last_used)
			return false;
		if (lvdpa_vdpa_split_need_call(priv, vq, vq->last_used, cur))
			lvdpa_vdpa_guest_call(vq);
		vq->last_used = cur;
		return true;
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

static void
lvdpa_vdpa_device_events(struct lvdpa_vdpa_priv *priv)
{
	struct lvdpa_devx_event ev;
	unsigned int n = 0;

	/* Bounded: a flood of events must not starve kicks. */
	while (n++ < 64 && lvdpa_devx_evchan_read(priv->evchan, &ev) == 1) {
		struct lvdpa_vdpa_virtq *vq;

		if (ev.type != LVDPA_PRM_EVENT_TYPE_OBJECT_CHANGE ||
		    ev.cookie >= priv->nr_virtqs)
			continue;
		vq = &priv->virtqs[ev.cookie];
		if (vq->obj == NULL || vq->obj->id != ev.obj_id)
			continue;   /* an object destroyed since */
		vq->err_events++;
		if (!vq->errored)
			LVDPA_VDPA_DLOG(priv, ERR, "vid %d queue %u: the device put the queue in ERR (a guest ring error); it stays stopped",
					priv->vid, vq->index);
		vq->errored = true;
	}
}

static void *
lvdpa_vdpa_event_main(void *arg)
{
	struct lvdpa_vdpa_priv *priv = arg;
	struct epoll_event evs[32];
	uint64_t hz = rte_get_timer_hz();

	while (!priv->ev_quit) {
		struct timespec ts;
		uint32_t period_us = priv->cfg.event_us;
		uint64_t now;
		bool any = false;
		int n, i;
		uint32_t q;

		if (priv->cfg.event_mode == LVDPA_VDPA_EVENT_DYNAMIC &&
		    priv->ev_last_traffic != 0 &&
		    rte_get_timer_cycles() - priv->ev_last_traffic >
		    (uint64_t)priv->cfg.no_traffic_time * hz)
			period_us = RTE_MAX(period_us, LVDPA_VDPA_EV_IDLE_US);
		ts.tv_sec = period_us / 1000000;
		ts.tv_nsec = (long)(period_us % 1000000) * 1000;
		n = epoll_pwait2(priv->ep_fd, evs, RTE_DIM(evs), &ts, NULL);
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
				lvdpa_vdpa_device_events(priv);
			} else if (tag == LVDPA_VDPA_EV_KICK && idx < priv->nr_virtqs) {
				struct lvdpa_vdpa_virtq *vq = &priv->virtqs[idx];

				if (vq->kickfd_polled < 0 ||
				    eventfd_read(vq->kickfd_polled, &v) != 0)
					continue;
				if (vq->running)
					lvdpa_vdpa_dev_kick(priv, vq);
			}
		}
		now = rte_get_timer_cycles();
		for (q = 0; q < priv->nr_virtqs; q++) {
			struct lvdpa_vdpa_virtq *vq = &priv->virtqs[q];

			if (!vq->running || vq->vring.desc == NULL)
				continue;
			/* A guest without a kick fd polls: kick on its behalf. */
			if (vq->kickfd_polled < 0)
				lvdpa_vdpa_dev_kick(priv, vq);
			if (lvdpa_vdpa_poll_used(priv, vq))
				any = true;
		}
		if (any || priv->ev_last_traffic == 0)
			priv->ev_last_traffic = now;
		pthread_mutex_unlock(&priv->lock);
	}
	return NULL;
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
	if (priv->wake_fd >= 0)
		(void)eventfd_write(priv->wake_fd, 1);
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
	priv->ev_quit = false;
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
		priv->ev_quit = true;
		(void)eventfd_write(priv->wake_fd, 1);
		pthread_join(priv->ev_thread, NULL);
		priv->ev_started = false;
	}
	if (priv->evchan != NULL) {
		lvdpa_devx_evchan_destroy(priv->evchan);
		priv->evchan = NULL;
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
