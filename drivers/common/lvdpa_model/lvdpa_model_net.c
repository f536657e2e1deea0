/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The e-switch. Every opened model device is one function with a MAC. A
 * frame goes to the function whose MAC is its destination; any other frame
 * goes to the uplink when there is one, else back to the sending function
 * (loopback). A frame sent on queue pair n lands on the receiver's queue
 * pair n (modulo its pairs). Frames wait in a bounded inbox per queue pair
 * until the RX queue has buffers; a full inbox pushes back on the sender.
 * Frames for a pair that never had an RX queue, or whose RX queue is in
 * ERR, are dropped. A destroyed RX queue keeps its waiting frames for the
 * queue recreated in its place (suspend, destroy, recreate loses nothing).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lvdpa_model_priv.h"

static pthread_mutex_t lvdpa_model_sw_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lvdpa_model_dev *lvdpa_model_sw_list;
static unsigned int lvdpa_model_sw_next_fn;

static unsigned int
lvdpa_model_net_npairs(const struct lvdpa_model_dev *dev)
{
	return (dev->caps.max_queues + 1) / 2;
}

int
lvdpa_model_net_attach(struct lvdpa_model_dev *dev)
{
	unsigned int i, n = lvdpa_model_net_npairs(dev);

	dev->inbox = calloc(n, sizeof(*dev->inbox));
	if (dev->inbox == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		pthread_mutex_init(&dev->inbox[i].lock, NULL);
	pthread_mutex_lock(&lvdpa_model_sw_lock);
	dev->fn = lvdpa_model_sw_next_fn++;
	if (!dev->caps.mac_set) {
		static const uint8_t base[6] = { 0x02, 0x1d, 0xa0, 0, 0, 0 };

		memcpy(dev->caps.mac, base, 6);
		dev->caps.mac[4] = (dev->fn >> 8) & 0xff;
		dev->caps.mac[5] = dev->fn & 0xff;
	}
	dev->next = lvdpa_model_sw_list;
	lvdpa_model_sw_list = dev;
	pthread_mutex_unlock(&lvdpa_model_sw_lock);
	return 0;
}

void
lvdpa_model_net_detach(struct lvdpa_model_dev *dev)
{
	struct lvdpa_model_dev **p;

	pthread_mutex_lock(&lvdpa_model_sw_lock);
	for (p = &lvdpa_model_sw_list; *p != NULL; p = &(*p)->next)
		if (*p == dev) {
			*p = dev->next;
			break;
		}
	pthread_mutex_unlock(&lvdpa_model_sw_lock);
}

void
lvdpa_model_net_free(struct lvdpa_model_dev *dev)
{
	unsigned int i, n = lvdpa_model_net_npairs(dev);

	if (dev->inbox == NULL)
		return;
	for (i = 0; i < n; i++) {
		struct lvdpa_model_inbox *ib = &dev->inbox[i];

		while (ib->head != ib->tail)
			free(ib->pkt[ib->head++ % LVDPA_MODEL_INBOX_SIZE]);
		pthread_mutex_destroy(&ib->lock);
	}
	free(dev->inbox);
	dev->inbox = NULL;
}

/* Caller holds lvdpa_model_sw_lock. */
static struct lvdpa_model_dev *
lvdpa_model_net_route(struct lvdpa_model_dev *src, const uint8_t *frame, uint32_t len)
{
	struct lvdpa_model_dev *d;

	if (len >= 6 && !(frame[0] & 1))
		for (d = lvdpa_model_sw_list; d != NULL; d = d->next)
			if (memcmp(d->caps.mac, frame, 6) == 0)
				return d;
	return src;
}

int
lvdpa_model_net_send(struct lvdpa_model_dev *dev, unsigned int qp,
		     const uint8_t *frame, uint32_t len)
{
	struct lvdpa_model_inbox *ib;
	struct lvdpa_model_pkt *pkt;
	struct lvdpa_model_dev *dst;
	int rc = 0;

	pthread_mutex_lock(&lvdpa_model_sw_lock);
	dst = lvdpa_model_net_route(dev, frame, len);
	ib = &dst->inbox[qp % lvdpa_model_net_npairs(dst)];
	if (!atomic_load(&ib->accept)) {
		atomic_fetch_add(&dst->tx_dropped, 1);
		goto out;
	}
	pthread_mutex_lock(&ib->lock);
	if (ib->tail - ib->head >= LVDPA_MODEL_INBOX_SIZE) {
		rc = -ENOBUFS;
		ib->blocked = true;
	} else {
		pkt = malloc(sizeof(*pkt) + len);
		if (pkt == NULL) {
			atomic_fetch_add(&dst->tx_dropped, 1);
		} else {
			pkt->len = len;
			memcpy(pkt->data, frame, len);
			ib->pkt[ib->tail++ % LVDPA_MODEL_INBOX_SIZE] = pkt;
		}
	}
	pthread_mutex_unlock(&ib->lock);
	if (rc == 0)
		lvdpa_model_worker_wake(dst);
out:
	pthread_mutex_unlock(&lvdpa_model_sw_lock);
	return rc;
}

struct lvdpa_model_pkt *
lvdpa_model_net_peek(struct lvdpa_model_dev *dev, unsigned int qp)
{
	struct lvdpa_model_inbox *ib = &dev->inbox[qp % lvdpa_model_net_npairs(dev)];
	struct lvdpa_model_pkt *pkt = NULL;

	pthread_mutex_lock(&ib->lock);
	if (ib->head != ib->tail)
		pkt = ib->pkt[ib->head % LVDPA_MODEL_INBOX_SIZE];
	pthread_mutex_unlock(&ib->lock);
	return pkt;
}

bool
lvdpa_model_net_pending(struct lvdpa_model_dev *dev, unsigned int qp)
{
	struct lvdpa_model_inbox *ib = &dev->inbox[qp % lvdpa_model_net_npairs(dev)];
	bool r;

	pthread_mutex_lock(&ib->lock);
	r = ib->head != ib->tail;
	pthread_mutex_unlock(&ib->lock);
	return r;
}

void
lvdpa_model_net_consume(struct lvdpa_model_dev *dev, unsigned int qp)
{
	struct lvdpa_model_inbox *ib = &dev->inbox[qp % lvdpa_model_net_npairs(dev)];
	bool wake_all = false;

	pthread_mutex_lock(&ib->lock);
	if (ib->head != ib->tail) {
		free(ib->pkt[ib->head % LVDPA_MODEL_INBOX_SIZE]);
		ib->head++;
	}
	if (ib->blocked && ib->tail - ib->head < LVDPA_MODEL_INBOX_SIZE / 2) {
		ib->blocked = false;
		wake_all = true;
	}
	pthread_mutex_unlock(&ib->lock);
	if (wake_all) {
		/* Some sender waits for room: let every function retry. */
		struct lvdpa_model_dev *d;

		pthread_mutex_lock(&lvdpa_model_sw_lock);
		for (d = lvdpa_model_sw_list; d != NULL; d = d->next)
			lvdpa_model_worker_wake(d);
		pthread_mutex_unlock(&lvdpa_model_sw_lock);
	}
}

void
lvdpa_model_net_set_accept(struct lvdpa_model_dev *dev, unsigned int qp, bool on)
{
	struct lvdpa_model_inbox *ib = &dev->inbox[qp % lvdpa_model_net_npairs(dev)];

	atomic_store(&ib->accept, on);
	if (!on) {
		/* A port going down drops what waits for it. */
		pthread_mutex_lock(&ib->lock);
		while (ib->head != ib->tail) {
			free(ib->pkt[ib->head++ % LVDPA_MODEL_INBOX_SIZE]);
			atomic_fetch_add(&dev->tx_dropped, 1);
		}
		pthread_mutex_unlock(&ib->lock);
	}
}

void
lvdpa_model_net_poll_uplink(struct lvdpa_model_dev *dev)
{
	RTE_SET_USED(dev);
}
