/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * One worker per function, a pthread or (lcore=N) an EAL lcore. Doorbells
 * and arriving frames only wake it; it serves every running queue that has
 * work, at most `budget` chains per queue per round so that one busy queue
 * cannot starve the others, polls the rings it served for poll_us more, and
 * then sleeps on a condition variable. A sender held back by a full
 * receiver retries after a short timed sleep.
 */

#include <errno.h>
#include <sched.h>
#include <time.h>

#include <rte_launch.h>
#include <rte_lcore.h>

#include "lvdpa_model_priv.h"

void
lvdpa_model_worker_wake(struct lvdpa_model_dev *dev)
{
	pthread_mutex_lock(&dev->wlock);
	dev->wake = true;
	pthread_cond_signal(&dev->wcond);
	pthread_mutex_unlock(&dev->wlock);
}

/*
 * One round over all queues; true if some queue has work left. *progress
 * counts the chains served. @p poll: rings are polled (doorbells off).
 */
static bool
lvdpa_model_worker_round(struct lvdpa_model_dev *dev, bool poll, bool *stalled,
			 unsigned int *progress)
{
	bool more = false;
	unsigned int i;

	pthread_mutex_lock(&dev->lock);
	for (i = 0; i < dev->caps.max_queues; i++) {
		struct lvdpa_model_virtq *vq = dev->vq_by_index[i];
		unsigned int done = 0;
		bool work;

		if (vq == NULL || atomic_load(&vq->state) != LVDPA_MODEL_VQ_RDY)
			continue;
		/* Read before the exchange: a polled ring has no doorbells to clear. */
		work = atomic_load_explicit(&dev->kick[i], memory_order_relaxed) &&
		       atomic_exchange(&dev->kick[i], false);
		if (!(i & 1))
			work = work || lvdpa_model_net_pending(dev, i / 2);
		else if (vq->kicks_off && vq->ring_ok)
			work = work || lvdpa_ring_dev_avail(&vq->ring);
		if (!work)
			continue;
		if (lvdpa_model_virtq_run(vq, dev->caps.budget, poll, &done)) {
			atomic_store(&dev->kick[i], true);
			more = true;
		} else if (dev->self_parked) {
			/* Frames it parked for its own RX queues: another round. */
			more = true;
		} else if ((i & 1) && atomic_load(&dev->kick[i])) {
			/* TX held back by a full receiver. */
			*stalled = true;
		}
		*progress += done;
	}
	dev->self_parked = false;
	pthread_mutex_unlock(&dev->lock);
	return more;
}

/* Before sleeping: doorbells back on for every polled queue; true if work came. */
static bool
lvdpa_model_worker_arm(struct lvdpa_model_dev *dev)
{
	bool work = false;
	unsigned int i;

	pthread_mutex_lock(&dev->lock);
	for (i = 0; i < dev->caps.max_queues; i++) {
		struct lvdpa_model_virtq *vq = dev->vq_by_index[i];

		if (vq != NULL && lvdpa_model_virtq_arm(vq)) {
			atomic_store(&dev->kick[i], true);
			work = true;
		}
	}
	pthread_mutex_unlock(&dev->lock);
	return work;
}

/*
 * Serve until idle. With poll_us, a ring that had work stays polled with
 * its doorbells suppressed (the device sets VIRTQ_USED_F_NO_NOTIFY, as a
 * virtio device may), so a busy guest does not pay a kick per burst nor
 * the worker a wake-up; after poll_us without work the doorbells go back
 * on and the worker sleeps.
 */
static void
lvdpa_model_worker_serve(struct lvdpa_model_dev *dev, bool *stalled)
{
	uint32_t poll_us = dev->caps.poll_us;
	uint64_t poll_ns = (uint64_t)poll_us * 1000;
	uint64_t last = poll_us != 0 ? lvdpa_model_latency_now() : 0;
	bool worked = false;

	for (;;) {
		unsigned int progress = 0;
		bool more = lvdpa_model_worker_round(dev, poll_us != 0, stalled, &progress);

		/* The uplink is drained between rounds, or TX could wait on it forever. */
		more |= lvdpa_model_net_poll_uplink(dev);
		if (__atomic_load_n(&dev->stop, __ATOMIC_RELAXED))
			break;
		/*
		 * Busy rounds read no clock; the first idle one after them
		 * restarts poll_us from now, not from the last idle round
		 * before them, which may lie longer ago than poll_us.
		 */
		worked |= progress != 0;
		if (more)
			continue;
		if (poll_us != 0) {
			uint64_t now = lvdpa_model_latency_now();

			if (worked) {
				last = now;
				worked = false;
			}
			if (now - last < poll_ns) {
				/* Let the process's other threads run on a shared CPU. */
				sched_yield();
				continue;
			}
			if (lvdpa_model_worker_arm(dev)) {
				last = now;
				continue;
			}
		}
		break;
	}
}

static void *
lvdpa_model_worker_main(void *arg)
{
	struct lvdpa_model_dev *dev = arg;
	bool stalled = false;

	for (;;) {
		pthread_mutex_lock(&dev->wlock);
		if (!dev->wake && !dev->stop) {
			/* The flag is the switch lock's; a stale read costs one timer. */
			bool uplink = dev->uplink_port != 0 &&
				!__atomic_load_n(&dev->uplink_gone, __ATOMIC_RELAXED);

			if (stalled || uplink) {
				/* A held-back sender retries in 1 ms; an uplink is polled every 100 us. */
				struct timespec ts;

				clock_gettime(CLOCK_MONOTONIC, &ts);
				ts.tv_nsec += uplink ? 100000 : 1000000;
				if (ts.tv_nsec >= 1000000000) {
					ts.tv_sec++;
					ts.tv_nsec -= 1000000000;
				}
				pthread_cond_timedwait(&dev->wcond, &dev->wlock, &ts);
			} else {
				pthread_cond_wait(&dev->wcond, &dev->wlock);
			}
		}
		dev->wake = false;
		if (dev->stop) {
			pthread_mutex_unlock(&dev->wlock);
			break;
		}
		pthread_mutex_unlock(&dev->wlock);
		stalled = false;
		lvdpa_model_worker_serve(dev, &stalled);
	}
	return NULL;
}

static int
lvdpa_model_worker_lcore(void *arg)
{
	lvdpa_model_worker_main(arg);
	return 0;
}

void
lvdpa_model_worker_init(struct lvdpa_model_dev *dev)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&dev->wcond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&dev->wlock, NULL);
}

void
lvdpa_model_worker_fini(struct lvdpa_model_dev *dev)
{
	pthread_cond_destroy(&dev->wcond);
	pthread_mutex_destroy(&dev->wlock);
}

int
lvdpa_model_worker_start(struct lvdpa_model_dev *dev)
{
	int rc;

	dev->stop = false;
	if (dev->caps.lcore >= 0) {
		unsigned int lc = dev->caps.lcore;

		/* An EAL worker lcore, idle, launched from the main lcore. */
		if (rte_lcore_count() == 0 || !rte_lcore_is_enabled(lc) ||
		    lc == rte_get_main_lcore() || rte_lcore_id() != rte_get_main_lcore() ||
		    rte_eal_get_lcore_state(lc) != WAIT)
			rc = EBUSY;
		else
			rc = -rte_eal_remote_launch(lvdpa_model_worker_lcore, dev, lc);
		if (rc != 0)
			LVDPA_MODEL_LOG(ERR, "lcore=%u: not an idle worker lcore (or not "
					"opened from the main lcore)", lc);
	} else {
		rc = pthread_create(&dev->thread, NULL, lvdpa_model_worker_main, dev);
	}
	if (rc != 0)
		return -rc;
	dev->thread_started = true;
	return 0;
}

void
lvdpa_model_worker_stop(struct lvdpa_model_dev *dev)
{
	if (!dev->thread_started)
		return;
	pthread_mutex_lock(&dev->wlock);
	dev->stop = true;
	pthread_cond_signal(&dev->wcond);
	pthread_mutex_unlock(&dev->wlock);
	if (dev->caps.lcore >= 0)
		rte_eal_wait_lcore(dev->caps.lcore);
	else
		pthread_join(dev->thread, NULL);
	dev->thread_started = false;
}
