/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_TEST_VDPA_MIGRATE_H
#define LVDPA_TEST_VDPA_MIGRATE_H

/*
 * The destination side of a live migration, for tests that drive
 * app/lvdpa-guest through its private header: lvdpa_fl_resume() connects
 * an existing guest (memory, rings, eventfds) to another vhost-user socket
 * and resumes every ring at the base GET_VRING_BASE gave, as QEMU does on
 * the destination (or, for the fault tests, lies in its memory table or
 * ring addresses); lvdpa_fl_drain() receives until what was sent came
 * back. Shared by vdpa_faults (direct path) and vdpa-relay (relayed path).
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>

#include "lvdpa_guest_priv.h"

#define LVDPA_FL_F_PROTOCOL_FEATURES 30

static __rte_unused uint64_t
lvdpa_fl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static __rte_unused uint32_t
lvdpa_fl_ack(const struct lvdpa_guest *g)
{
	return (g->pf & (1ULL << LVDPA_GUEST_PF_REPLY_ACK)) ?
		LVDPA_GUEST_MSG_NEED_REPLY : 0;
}

static __rte_unused int
lvdpa_fl_get_u64(struct lvdpa_guest *g, uint32_t req, uint64_t *val)
{
	struct lvdpa_guest_msg msg, reply;
	int rc;

	lvdpa_guest_msg_none(&msg, req, 0);
	rc = lvdpa_guest_request(g, &msg, &reply);
	if (rc < 0)
		return rc;
	if (reply.size != 8)
		return -EPROTO;
	memcpy(val, reply.payload, 8);
	return 0;
}

static __rte_unused int
lvdpa_fl_set_state(struct lvdpa_guest *g, uint32_t req, uint32_t index,
		   uint32_t num)
{
	struct lvdpa_guest_msg msg;

	lvdpa_guest_msg_state(&msg, req, lvdpa_fl_ack(g), index, num);
	return lvdpa_guest_request(g, &msg, NULL);
}

static __rte_unused struct lvdpa_guest_vq *
lvdpa_fl_vq(struct lvdpa_guest *g, unsigned int i)
{
	return (i & 1) ? &g->qp[i / 2].tx : &g->qp[i / 2].rx;
}

/* The guest's memory table as SET_MEM_TABLE carries it; the region count. */
static __rte_unused unsigned int
lvdpa_fl_mem_desc(const struct lvdpa_guest *g,
		  struct lvdpa_guest_mem_region_desc *rd, int *fds)
{
	unsigned int i;

	for (i = 0; i < g->mem.n; i++) {
		rd[i].gpa = g->mem.r[i].gpa;
		rd[i].size = g->mem.r[i].size;
		rd[i].uaddr = (uintptr_t)g->mem.r[i].va;
		rd[i].mmap_offset = 0;
		fds[i] = g->mem.r[i].fd;
	}
	return g->mem.n;
}

static __rte_unused int
lvdpa_fl_send_mem(struct lvdpa_guest *g,
		  const struct lvdpa_guest_mem_region_desc *rd, const int *fds,
		  unsigned int n)
{
	struct lvdpa_guest_msg msg;
	int rc;

	rc = lvdpa_guest_msg_mem_table(&msg, lvdpa_fl_ack(g), rd, fds, n);
	if (rc < 0)
		return rc;
	return lvdpa_guest_request(g, &msg, NULL);
}

/*
 * SET_VRING_ADDR of ring @p i where the guest has it (in the frontend's
 * address space, as QEMU gives it), or, with @p outside, in no region.
 */
static __rte_unused int
lvdpa_fl_set_addr(struct lvdpa_guest *g, unsigned int i, bool outside)
{
	struct lvdpa_guest_vq *vq = lvdpa_fl_vq(g, i);
	bool ev = !!(g->features & (1ULL << LVDPA_VIRTIO_F_EVENT_IDX));
	struct lvdpa_guest_msg msg;
	uint64_t desc, drv, dev;

	desc = (uintptr_t)lvdpa_guest_mem_ptr(&g->mem, vq->desc_gpa,
		lvdpa_ring_desc_bytes(g->cfg.queue_size, g->packed));
	drv = (uintptr_t)lvdpa_guest_mem_ptr(&g->mem, vq->driver_gpa,
		lvdpa_ring_driver_bytes(g->cfg.queue_size, g->packed, ev));
	dev = (uintptr_t)lvdpa_guest_mem_ptr(&g->mem, vq->device_gpa,
		lvdpa_ring_device_bytes(g->cfg.queue_size, g->packed, ev));
	if (desc == 0 || drv == 0 || dev == 0)
		return -EFAULT;
	if (outside) {
		/* Below every region's address: in no region at all. */
		desc = 0x10000;
		drv = 0x20000;
		dev = 0x30000;
	}
	lvdpa_guest_msg_addr(&msg, lvdpa_fl_ack(g), i, desc, dev, drv, 0);
	return lvdpa_guest_request(g, &msg, NULL);
}

/* How lvdpa_fl_resume lies in its memory table. */
enum lvdpa_fl_mem_lie {
	LVDPA_FL_MEM_TRUE,
	LVDPA_FL_MEM_ZERO_SIZED,   /* one more region, of size 0 */
	LVDPA_FL_MEM_OVERLAP,      /* region 1 starts inside region 0 */
};

/*
 * What QEMU does on the destination of a migration: a new connection
 * (to @p sock) for a guest whose memory and rings already exist, every
 * ring resumed at the base its GET_VRING_BASE gave. With @p bad_ring >= 0
 * that ring's addresses are given outside the memory table instead; with
 * @p lie the memory table is not the guest's.
 */
static __rte_unused int
lvdpa_fl_resume(struct lvdpa_guest *g, const char *sock, int bad_ring,
		enum lvdpa_fl_mem_lie lie)
{
	struct lvdpa_guest_mem_region_desc rd[LVDPA_GUEST_MAX_REGIONS];
	int fds[LVDPA_GUEST_MAX_REGIONS];
	struct lvdpa_guest_msg msg;
	uint64_t val, status;
	bool cross = !(g->features & (1ULL << LVDPA_VIRTIO_F_VERSION_1)) &&
		     g->cfg.big_endian != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
	unsigned int i, n;
	char *path;
	int rc;

	path = strdup(sock);
	if (path == NULL)
		return -ENOMEM;
	if (g->sock >= 0)
		close(g->sock);
	g->sock = -1;
	free(g->path);
	g->path = path;
	g->started = false;
	rc = lvdpa_guest_open(g);
	if (rc < 0)
		return rc;
	rc = lvdpa_fl_get_u64(g, LVDPA_GUEST_REQ_GET_FEATURES, &val);
	if (rc < 0)
		return rc;
	if ((val & g->features) != g->features)
		return -ENOTSUP;
	if (g->pf_acked) {
		rc = lvdpa_fl_get_u64(g, LVDPA_GUEST_REQ_GET_PROTOCOL_FEATURES, &val);
		if (rc < 0)
			return rc;
		if ((val & g->pf) != g->pf)
			return -ENOTSUP;
		lvdpa_guest_msg_u64(&msg, LVDPA_GUEST_REQ_SET_PROTOCOL_FEATURES, 0,
				    g->pf);
		rc = lvdpa_guest_request(g, &msg, NULL);
		if (rc < 0)
			return rc;
	}
	if (g->pf & (1ULL << LVDPA_GUEST_PF_MQ)) {
		rc = lvdpa_fl_get_u64(g, LVDPA_GUEST_REQ_GET_QUEUE_NUM, &val);
		if (rc < 0)
			return rc;
	}
	lvdpa_guest_msg_none(&msg, LVDPA_GUEST_REQ_SET_OWNER, 0);
	rc = lvdpa_guest_request(g, &msg, NULL);
	if (rc < 0)
		return rc;
	val = g->features;
	if (g->pf_acked)
		val |= 1ULL << LVDPA_FL_F_PROTOCOL_FEATURES;
	lvdpa_guest_msg_u64(&msg, LVDPA_GUEST_REQ_SET_FEATURES, lvdpa_fl_ack(g), val);
	rc = lvdpa_guest_request(g, &msg, NULL);
	if (rc < 0)
		return rc;
	n = lvdpa_fl_mem_desc(g, rd, fds);
	if (lie == LVDPA_FL_MEM_ZERO_SIZED && n < LVDPA_GUEST_MAX_REGIONS) {
		/* After the last region, with a real fd: only its size lies. */
		rd[n].gpa = rd[n - 1].gpa + rd[n - 1].size + (1ULL << 30);
		rd[n].size = 0;
		rd[n].uaddr = rd[n - 1].uaddr + rd[n - 1].size + (1ULL << 30);
		rd[n].mmap_offset = 0;
		fds[n] = fds[0];
		n++;
	} else if (lie == LVDPA_FL_MEM_OVERLAP && n >= 2) {
		rd[1].gpa = rd[0].gpa + rd[0].size / 2;
	} else if (lie != LVDPA_FL_MEM_TRUE) {
		return -EINVAL;
	}
	rc = lvdpa_fl_send_mem(g, rd, fds, n);
	if (rc < 0)
		return rc;
	for (i = 0; i < 2u * g->nqp; i++) {
		struct lvdpa_guest_vq *vq = lvdpa_fl_vq(g, i);

		rc = lvdpa_fl_set_state(g, LVDPA_GUEST_REQ_SET_VRING_NUM, i,
					g->cfg.queue_size);
		if (rc == 0)
			rc = lvdpa_fl_set_state(g, LVDPA_GUEST_REQ_SET_VRING_BASE, i,
						vq->base);
		/* A cross-endian legacy guest's rings, as QEMU sends it. */
		if (rc == 0 && cross)
			rc = lvdpa_fl_set_state(g, LVDPA_GUEST_REQ_SET_VRING_ENDIAN, i,
						g->cfg.big_endian ?
						LVDPA_GUEST_VRING_BIG_ENDIAN :
						LVDPA_GUEST_VRING_LITTLE_ENDIAN);
		if (rc == 0)
			rc = lvdpa_fl_set_addr(g, i, (int)i == bad_ring);
		if (rc < 0)
			return rc;
		lvdpa_guest_msg_file(&msg, LVDPA_GUEST_REQ_SET_VRING_KICK,
				     lvdpa_fl_ack(g), i, vq->kick_fd);
		rc = lvdpa_guest_request(g, &msg, NULL);
		if (rc < 0)
			return rc;
		lvdpa_guest_msg_file(&msg, LVDPA_GUEST_REQ_SET_VRING_CALL,
				     lvdpa_fl_ack(g), i, vq->call_fd);
		rc = lvdpa_guest_request(g, &msg, NULL);
		if (rc < 0)
			return rc;
	}
	if (g->pf_acked)
		for (i = 0; i < 2u * g->nqp; i++) {
			rc = lvdpa_fl_set_state(g, LVDPA_GUEST_REQ_SET_VRING_ENABLE, i, 1);
			if (rc < 0)
				return rc;
		}
	if (g->pf & (1ULL << LVDPA_GUEST_PF_STATUS)) {
		status = LVDPA_VIRTIO_STATUS_ACKNOWLEDGE | LVDPA_VIRTIO_STATUS_DRIVER |
			 LVDPA_VIRTIO_STATUS_DRIVER_OK;
		if (g->features & (1ULL << LVDPA_VIRTIO_F_VERSION_1))
			status |= LVDPA_VIRTIO_STATUS_FEATURES_OK;
		lvdpa_guest_msg_u64(&msg, LVDPA_GUEST_REQ_SET_STATUS, lvdpa_fl_ack(g),
				    status);
		rc = lvdpa_guest_request(g, &msg, NULL);
		if (rc < 0)
			return rc;
	}
	g->started = true;
	/* The guest kicked the source long ago: what is pending is in the rings. */
	for (i = 0; i < 2u * g->nqp; i++) {
		uint64_t one = 1;

		if (write(lvdpa_fl_vq(g, i)->kick_fd, &one, sizeof(one)) != sizeof(one))
			return -errno;
	}
	return 0;
}

/* Receive until all but @p lost packets came back, or @p timeout_ms. */
static __rte_unused int
lvdpa_fl_drain(struct lvdpa_guest *g, uint64_t lost, unsigned int timeout_ms)
{
	uint64_t end = lvdpa_fl_now_ms() + timeout_ms;
	struct lvdpa_guest_stats st;
	int rc;

	for (;;) {
		rc = lvdpa_guest_recv(g, 0, 256);
		if (rc < 0)
			return rc;
		lvdpa_guest_get_stats(g, &st);
		if (st.received + st.bad + lost >= st.sent && st.tx_done >= st.sent) {
			/* A moment more: a duplicate would come now. */
			usleep(50000);
			rc = lvdpa_guest_recv(g, 0, 256);
			return rc < 0 ? rc : 0;
		}
		if (lvdpa_fl_now_ms() > end)
			return -ETIMEDOUT;
		if (rc == 0)
			usleep(200);
	}
}

/*
 * Traffic after packets were left in flight: lvdpa_guest_run_traffic()
 * counts those among its own and may return before its last ones are
 * back; wait for them (the counters then tell what was lost).
 */
static __rte_unused int
lvdpa_fl_run(struct lvdpa_guest *g, uint64_t pkts)
{
	int rc = lvdpa_guest_run_traffic(g, pkts, 10000);

	if (rc == 0)
		(void)lvdpa_fl_drain(g, 0, 2000);
	return rc;
}

#endif /* LVDPA_TEST_VDPA_MIGRATE_H */
