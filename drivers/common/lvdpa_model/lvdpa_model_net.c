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
 * ERR, are dropped, and so are the frames waiting for an RX queue that is
 * destroyed: a queue created later (maybe the next guest's) never gets
 * them. A suspended queue keeps its frames until it runs again.
 *
 * The uplink (params uplink=<ethdev>, EAL up) is the NIC's wire: the model
 * configures and starts the port itself (one queue each way) unless the
 * application already started it, and stops what it started. It carries the frames no function claims: TX through
 * rte_eth_tx_burst on its queue 0, and what rte_eth_rx_burst brings in goes
 * to the function with the destination MAC, else to the uplink's owner, on
 * queue pair 0. Only the owner's worker touches the port, under
 * lvdpa_model_sw_lock.
 *
 * An application that closes the uplink while the device uses it (as
 * rte_eal_cleanup does when the uplink's vdev comes first) unplugs the
 * wire: from its RTE_ETH_EVENT_DESTROY on, the device drops what it would
 * send there and polls nothing, and never uses the port number, which the
 * next port may get.
 */

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "lvdpa_model_priv.h"

#define LVDPA_MODEL_UPLINK_BURST 32
#define LVDPA_MODEL_UPLINK_MBUFS 1023

/* Shared with lvdpa_model_flow.c (switchdev rules and representors). */
pthread_mutex_t lvdpa_model_sw_lock = PTHREAD_MUTEX_INITIALIZER;
struct lvdpa_model_dev *lvdpa_model_sw_list;
static unsigned int lvdpa_model_sw_next_fn;

static unsigned int
lvdpa_model_net_npairs(const struct lvdpa_model_dev *dev)
{
	return (dev->caps.max_queues + 1) / 2;
}

/*
 * Start the port unless the application runs it already: a started port
 * refuses rte_eth_dev_configure with -EBUSY, and is then used as it is.
 */
static int
lvdpa_model_uplink_start(struct lvdpa_model_dev *dev, uint16_t port)
{
	struct rte_eth_conf conf;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == -EBUSY)
		return 0;
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(port, 0, 512, rte_eth_dev_socket_id(port),
					    NULL, dev->uplink_pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, 512, rte_eth_dev_socket_id(port),
					    NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	if (rc != 0) {
		LVDPA_MODEL_LOG(ERR, "uplink=%s: cannot start port %u: %s",
				dev->caps.uplink, port, rte_strerror(-rc));
		return rc;
	}
	/* Frames for every function's MAC arrive on the one wire. */
	rte_eth_promiscuous_enable(port);
	dev->uplink_started = true;
	return 0;
}

/* RTE_ETH_EVENT_DESTROY of the uplink: the wire is unplugged for good. */
static int
lvdpa_model_uplink_destroyed(uint16_t port, enum rte_eth_event_type type,
			     void *arg, void *ret_param)
{
	struct lvdpa_model_dev *dev = arg;

	RTE_SET_USED(type);
	RTE_SET_USED(ret_param);
	pthread_mutex_lock(&lvdpa_model_sw_lock);
	if (dev->uplink_port == (uint64_t)port + 1 && !dev->uplink_gone) {
		/* Atomic: the worker's sleep reads it without the lock. */
		__atomic_store_n(&dev->uplink_gone, true, __ATOMIC_RELAXED);
		LVDPA_MODEL_LOG(WARNING,
				"uplink=%s (port %u) closed while function %u uses it: "
				"its frames are dropped from now on (close the vDPA device first)",
				dev->caps.uplink, port, dev->fn);
	}
	pthread_mutex_unlock(&lvdpa_model_sw_lock);
	return 0;
}

static int
lvdpa_model_uplink_open(struct lvdpa_model_dev *dev)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	uint16_t port;
	int rc;

	/* ethdev needs EAL: without it there is no port to look up. */
	if (rte_lcore_count() == 0) {
		LVDPA_MODEL_LOG(ERR, "uplink=%s needs EAL", dev->caps.uplink);
		return -ENODEV;
	}
	if (rte_eth_dev_get_port_by_name(dev->caps.uplink, &port) != 0) {
		LVDPA_MODEL_LOG(ERR, "uplink=%s: no such ethdev", dev->caps.uplink);
		return -ENODEV;
	}
	snprintf(name, sizeof(name), "lvdpa_model_up%p", (void *)dev);
	dev->uplink_pool = rte_pktmbuf_pool_create(name, LVDPA_MODEL_UPLINK_MBUFS, 0, 0,
						   RTE_MBUF_DEFAULT_BUF_SIZE,
						   SOCKET_ID_ANY);
	if (dev->uplink_pool == NULL) {
		LVDPA_MODEL_LOG(ERR, "uplink=%s: no mbuf pool: %s", dev->caps.uplink,
				rte_strerror(rte_errno));
		return -ENOMEM;
	}
	rc = rte_eth_dev_callback_register(port, RTE_ETH_EVENT_DESTROY,
					   lvdpa_model_uplink_destroyed, dev);
	if (rc != 0) {
		LVDPA_MODEL_LOG(ERR, "uplink=%s: cannot watch port %u: %s",
				dev->caps.uplink, port, rte_strerror(-rc));
		return rc;
	}
	dev->uplink_port = port + 1;
	return lvdpa_model_uplink_start(dev, port);
}

int
lvdpa_model_net_attach(struct lvdpa_model_dev *dev)
{
	unsigned int i, n = lvdpa_model_net_npairs(dev);
	int rc;

	if (dev->caps.uplink[0] != '\0') {
		rc = lvdpa_model_uplink_open(dev);
		if (rc != 0)
			return rc;
	}
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

	if (dev->uplink_port != 0) {
		uint16_t port = dev->uplink_port - 1;

		/* -EAGAIN: the callback runs in another thread right now. */
		while (rte_eth_dev_callback_unregister(port, RTE_ETH_EVENT_DESTROY,
						       lvdpa_model_uplink_destroyed,
						       dev) == -EAGAIN)
			sched_yield();
		if (dev->uplink_started && !dev->uplink_gone)
			rte_eth_dev_stop(port);
		dev->uplink_started = false;
	}
	rte_mempool_free(dev->uplink_pool);
	dev->uplink_pool = NULL;
	if (dev->inbox == NULL)
		return;
	for (i = 0; i < n; i++) {
		struct lvdpa_model_inbox *ib = &dev->inbox[i];

		while (ib->head != ib->tail)
			free(ib->pkt[ib->head++ % LVDPA_MODEL_INBOX_SIZE]);
		while (ib->nfree > 0)
			free(ib->free[--ib->nfree]);
		pthread_mutex_destroy(&ib->lock);
	}
	free(dev->inbox);
	dev->inbox = NULL;
}

/* The function owning a destination MAC; caller holds lvdpa_model_sw_lock. */
static struct lvdpa_model_dev *
lvdpa_model_net_lookup(const uint8_t *frame, uint32_t len)
{
	struct lvdpa_model_dev *d;

	if (len >= 6 && !(frame[0] & 1))
		for (d = lvdpa_model_sw_list; d != NULL; d = d->next)
			if (memcmp(d->caps.mac, frame, 6) == 0)
				return d;
	return NULL;
}

/*
 * Out through the uplink: 0, or -ENOBUFS when the port is full (retry).
 * Caller holds lvdpa_model_sw_lock.
 */
int
lvdpa_model_uplink_send(struct lvdpa_model_dev *dev, const uint8_t *frame, uint32_t len)
{
	struct rte_mbuf *m;
	char *p;

	if (dev->uplink_gone) {
		atomic_fetch_add(&dev->tx_dropped, 1);
		return 0;
	}
	m = rte_pktmbuf_alloc(dev->uplink_pool);
	if (m == NULL)
		return -ENOBUFS;
	p = rte_pktmbuf_append(m, len);
	if (p == NULL) {
		/* Longer than one mbuf: a giant for this port. */
		rte_pktmbuf_free(m);
		atomic_fetch_add(&dev->tx_dropped, 1);
		return 0;
	}
	memcpy(p, frame, len);
	if (rte_eth_tx_burst(dev->uplink_port - 1, 0, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	return 0;
}

/*
 * A buffer for @p len bytes, recycled when one is free and big enough;
 * caller holds the inbox lock. NULL when the heap has none.
 */
static struct lvdpa_model_pkt *
lvdpa_model_pkt_get(struct lvdpa_model_inbox *ib, uint32_t len)
{
	struct lvdpa_model_pkt *pkt;
	uint32_t cap = RTE_MAX(len, LVDPA_MODEL_PKT_MIN_CAP);

	if (ib->nfree > 0) {
		pkt = ib->free[ib->nfree - 1];
		if (pkt->cap >= len) {
			ib->nfree--;
			return pkt;
		}
	}
	pkt = malloc(sizeof(*pkt) + cap);
	if (pkt != NULL)
		pkt->cap = cap;
	return pkt;
}

/* Give a consumed buffer back; caller holds the inbox lock. */
static void
lvdpa_model_pkt_put(struct lvdpa_model_inbox *ib, struct lvdpa_model_pkt *pkt)
{
	/* Jumbo buffers go back to the heap: standard frames are the norm. */
	if (ib->nfree < LVDPA_MODEL_INBOX_SIZE &&
	    pkt->cap == LVDPA_MODEL_PKT_MIN_CAP)
		ib->free[ib->nfree++] = pkt;
	else
		free(pkt);
}

/* Queue a frame in @p dst's inbox of pair @p qp: 0 or -ENOBUFS (full). */
static int
lvdpa_model_net_enqueue(struct lvdpa_model_dev *dst, unsigned int qp,
			const uint8_t *frame, uint32_t len)
{
	struct lvdpa_model_inbox *ib = &dst->inbox[qp % lvdpa_model_net_npairs(dst)];
	struct lvdpa_model_pkt *pkt;
	int rc = 0;

	if (!atomic_load(&ib->accept)) {
		atomic_fetch_add(&dst->tx_dropped, 1);
		return 0;
	}
	pthread_mutex_lock(&ib->lock);
	if (ib->tail - ib->head >= LVDPA_MODEL_INBOX_SIZE) {
		rc = -ENOBUFS;
		ib->blocked = true;
	} else {
		pkt = lvdpa_model_pkt_get(ib, len);
		if (pkt == NULL) {
			atomic_fetch_add(&dst->tx_dropped, 1);
		} else {
			pkt->len = len;
			memcpy(pkt->data, frame, len);
			ib->pkt[ib->tail % LVDPA_MODEL_INBOX_SIZE] = pkt;
			/* Published for the lock-free lvdpa_model_net_pending. */
			__atomic_store_n(&ib->tail, ib->tail + 1, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&ib->lock);
	return rc;
}

/* Park a frame in @p dst's inbox of pair @p qp and wake its worker. */
int
lvdpa_model_net_park(struct lvdpa_model_dev *dst, unsigned int qp,
		     const uint8_t *frame, uint32_t len)
{
	int rc = lvdpa_model_net_enqueue(dst, qp, frame, len);

	if (rc == 0)
		lvdpa_model_worker_wake(dst);
	return rc;
}

/*
 * Caller holds dev->lock (the worker's round: its own queues may be served)
 * and lvdpa_model_sw_lock, taken once per burst rather than per frame.
 */
int
lvdpa_model_net_send(struct lvdpa_model_dev *dev, unsigned int qp,
		     const uint8_t *frame, uint32_t len)
{
	struct lvdpa_model_dev *dst;
	int rc;

	/* Switchdev rules and representors first (lvdpa_model_flow.c). */
	if (lvdpa_model_flow_steer(dev->fn, qp, frame, len, &rc))
		return rc;
	dst = lvdpa_model_net_lookup(frame, len);
	if (dst == NULL && dev->uplink_port != 0)
		return lvdpa_model_uplink_send(dev, frame, len);
	if (dst != NULL && dst != dev)
		return lvdpa_model_net_park(dst, qp, frame, len);
	/* Its own RX queue takes it directly when nothing waits before it. */
	if (lvdpa_model_virtq_deliver(dev, qp, frame, len))
		return 0;
	/* We are its worker: no wake-up, one more round (self_parked). */
	rc = lvdpa_model_net_enqueue(dev, qp, frame, len);
	if (rc == 0)
		dev->self_parked = true;
	return rc;
}

struct lvdpa_model_pkt *
lvdpa_model_net_peek(struct lvdpa_model_dev *dev, unsigned int qp)
{
	struct lvdpa_model_inbox *ib = &dev->inbox[qp % lvdpa_model_net_npairs(dev)];

	/*
	 * Without the lock: only the device lock's holder takes frames out,
	 * and a slot's frame is in place before tail passes it.
	 */
	if (ib->head == __atomic_load_n(&ib->tail, __ATOMIC_ACQUIRE))
		return NULL;
	return ib->pkt[ib->head % LVDPA_MODEL_INBOX_SIZE];
}

bool
lvdpa_model_net_pending(struct lvdpa_model_dev *dev, unsigned int qp)
{
	struct lvdpa_model_inbox *ib = &dev->inbox[qp % lvdpa_model_net_npairs(dev)];

	/*
	 * Without the lock: asked per round and per frame, and a frame parked
	 * right after the look is found by the next round (its sender wakes us).
	 */
	return __atomic_load_n(&ib->head, __ATOMIC_ACQUIRE) !=
	       __atomic_load_n(&ib->tail, __ATOMIC_ACQUIRE);
}

void
lvdpa_model_net_consume(struct lvdpa_model_dev *dev, unsigned int qp)
{
	struct lvdpa_model_inbox *ib = &dev->inbox[qp % lvdpa_model_net_npairs(dev)];
	bool wake_all = false;

	pthread_mutex_lock(&ib->lock);
	if (ib->head != ib->tail) {
		lvdpa_model_pkt_put(ib, ib->pkt[ib->head % LVDPA_MODEL_INBOX_SIZE]);
		__atomic_store_n(&ib->head, ib->head + 1, __ATOMIC_RELEASE);
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
	struct lvdpa_model_inbox *ib;

	/* Queues outlive the switch port when a device is torn down. */
	if (dev->inbox == NULL)
		return;
	ib = &dev->inbox[qp % lvdpa_model_net_npairs(dev)];
	atomic_store(&ib->accept, on);
	if (!on) {
		/* A port going down drops what waits for it. */
		pthread_mutex_lock(&ib->lock);
		while (ib->head != ib->tail) {
			lvdpa_model_pkt_put(ib, ib->pkt[ib->head % LVDPA_MODEL_INBOX_SIZE]);
			__atomic_store_n(&ib->head, ib->head + 1, __ATOMIC_RELEASE);
			atomic_fetch_add(&dev->tx_dropped, 1);
		}
		pthread_mutex_unlock(&ib->lock);
	}
}

bool
lvdpa_model_net_poll_uplink(struct lvdpa_model_dev *dev)
{
	struct rte_mbuf *m[LVDPA_MODEL_UPLINK_BURST];
	uint16_t n, i;

	struct lvdpa_model_inbox *ib;
	unsigned int room;

	if (dev->uplink_port == 0)
		return false;
	/*
	 * Take from the port only what queue pair 0 can hold: the rest waits
	 * in the port's own RX ring, as in a NIC's receive FIFO.
	 */
	ib = &dev->inbox[0];
	pthread_mutex_lock(&ib->lock);
	room = LVDPA_MODEL_INBOX_SIZE - (ib->tail - ib->head);
	pthread_mutex_unlock(&ib->lock);
	if (room == 0)
		return false;
	/* Under the switch's lock: the port's DESTROY event waits for it. */
	pthread_mutex_lock(&lvdpa_model_sw_lock);
	if (dev->uplink_gone) {
		pthread_mutex_unlock(&lvdpa_model_sw_lock);
		return false;
	}
	n = rte_eth_rx_burst(dev->uplink_port - 1, 0, m,
			     RTE_MIN(room, (unsigned int)LVDPA_MODEL_UPLINK_BURST));
	for (i = 0; i < n; i++) {
		const uint8_t *f = rte_pktmbuf_mtod(m[i], const uint8_t *);
		uint32_t len = rte_pktmbuf_data_len(m[i]);
		struct lvdpa_model_dev *dst;
		int rc;

		/* The wire's frames meet the switchdev rules first. */
		if (m[i]->nb_segs == 1 &&
		    lvdpa_model_flow_steer(LVDPA_MODEL_VPORT_UPLINK, 0, f, len, &rc)) {
			if (rc != 0)
				atomic_fetch_add(&dev->tx_dropped, 1);
			rte_pktmbuf_free(m[i]);
			continue;
		}
		/* Single-segment frames only; the wire does not wait for buffers. */
		dst = m[i]->nb_segs == 1 ? lvdpa_model_net_lookup(f, len) : NULL;
		if (m[i]->nb_segs != 1 ||
		    lvdpa_model_net_park(dst != NULL ? dst : dev, 0, f, len) != 0)
			atomic_fetch_add(&dev->tx_dropped, 1);
		rte_pktmbuf_free(m[i]);
	}
	pthread_mutex_unlock(&lvdpa_model_sw_lock);
	return n > 0;
}
