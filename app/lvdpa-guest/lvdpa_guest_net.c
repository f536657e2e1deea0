/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The virtio-net driver: rings through lvdpa_ring's driver role, RX buffers
 * with a 10- or 12-byte header (in a descriptor of its own or in front of
 * the data), mergeable RX reassembly by num_buffers, TX with a header, and
 * the tagged packets every received frame is checked against.
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <lvdpa_net_hdr.h>

#include "lvdpa_guest_priv.h"

#define LVDPA_GUEST_BUF_ALIGN  64
#define LVDPA_GUEST_RING_ALIGN 4096
#define LVDPA_GUEST_ETHERTYPE  0x88b5  /* IEEE local experimental */
#define LVDPA_GUEST_TAG_LEN    32
#define LVDPA_GUEST_BURST      64

static const uint8_t lvdpa_guest_magic[4] = { 'L', 'V', 'D', 'G' };

static inline uint8_t
lvdpa_guest_pattern(uint64_t seq, unsigned int i)
{
	return (uint8_t)((uint8_t)(seq * 131 + (seq >> 8) + 17) + i * 7);
}

/*
 * The tag at byte @p t of the frame (14: after the Ethernet header; 42:
 * after IPv4 and UDP headers): magic, queue pair, frame size, two zero
 * bytes, sequence number; then the pattern to the end.
 */
static void
lvdpa_guest_tag_fill(uint8_t *frame, unsigned int size, const uint8_t mac[6],
		     uint16_t ethertype, unsigned int t, uint16_t qp, uint64_t seq)
{
	unsigned int i;

	/* To ourselves: a switching backend sends it back to this port. */
	memcpy(frame, mac, 6);
	memcpy(frame + 6, mac, 6);
	frame[12] = ethertype >> 8;
	frame[13] = ethertype & 0xff;
	memcpy(frame + t, lvdpa_guest_magic, 4);
	frame[t + 4] = qp >> 8;
	frame[t + 5] = qp & 0xff;
	frame[t + 6] = (size >> 8) & 0xff;
	frame[t + 7] = size & 0xff;
	frame[t + 8] = 0;
	frame[t + 9] = 0;
	for (i = 0; i < 8; i++)
		frame[t + 10 + i] = (uint8_t)(seq >> (56 - 8 * i));
	for (i = t + 18; i < size; i++)
		frame[i] = lvdpa_guest_pattern(seq, i);
}

static int
lvdpa_guest_tag_check(const uint8_t *frame, unsigned int len, uint16_t ethertype,
		      unsigned int t, uint16_t *qp, uint64_t *seq)
{
	uint64_t s = 0;
	unsigned int i;

	/* The MACs are not checked: a backend may rewrite them. */
	if (len < t + 18 ||
	    frame[12] != ethertype >> 8 || frame[13] != (ethertype & 0xff) ||
	    memcmp(frame + t, lvdpa_guest_magic, 4) != 0)
		return -EBADMSG;
	if (((unsigned int)frame[t + 6] << 8 | frame[t + 7]) != len ||
	    frame[t + 8] != 0 || frame[t + 9] != 0)
		return -EBADMSG;
	for (i = 0; i < 8; i++)
		s = s << 8 | frame[t + 10 + i];
	for (i = t + 18; i < len; i++)
		if (frame[i] != lvdpa_guest_pattern(s, i))
			return -EBADMSG;
	*qp = (uint16_t)(frame[t + 4] << 8 | frame[t + 5]);
	*seq = s;
	return 0;
}

void
lvdpa_guest_pkt_fill(uint8_t *frame, unsigned int size, const uint8_t mac[6],
		     uint16_t qp, uint64_t seq)
{
	lvdpa_guest_tag_fill(frame, size, mac, LVDPA_GUEST_ETHERTYPE, 14, qp, seq);
}

int
lvdpa_guest_pkt_check(const uint8_t *frame, unsigned int len, uint16_t *qp,
		      uint64_t *seq)
{
	return lvdpa_guest_tag_check(frame, len, LVDPA_GUEST_ETHERTYPE, 14, qp, seq);
}

/* ---- IPv4/UDP frames (cfg.udp) ---- */

#define LVDPA_GUEST_UDP_L4     34  /* UDP header: after Ethernet and IPv4 */
#define LVDPA_GUEST_UDP_TAG    42
#define LVDPA_GUEST_UDP_CSUM   6   /* checksum within the UDP header */

static uint32_t
lvdpa_guest_sum(uint32_t sum, const uint8_t *p, unsigned int len)
{
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t
lvdpa_guest_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The UDP pseudo-header sum (addresses, protocol, UDP length). */
static uint32_t
lvdpa_guest_udp_pseudo(const uint8_t *frame, unsigned int size)
{
	return lvdpa_guest_sum(0, frame + 26, 8) + 17 + (size - LVDPA_GUEST_UDP_L4);
}

/*
 * A tagged IPv4/UDP frame to ourselves (10.0.0.1 -> 10.0.0.1). With
 * @p partial the UDP checksum holds the pseudo-header sum only, for the
 * device to finish (NEEDS_CSUM), as a guest kernel leaves it.
 */
static void
lvdpa_guest_udp_fill(uint8_t *f, unsigned int size, const uint8_t mac[6],
		     uint16_t qp, uint64_t seq, bool partial)
{
	unsigned int ip_len = size - 14, udp_len = size - LVDPA_GUEST_UDP_L4;
	uint16_t c;

	lvdpa_guest_tag_fill(f, size, mac, 0x0800, LVDPA_GUEST_UDP_TAG, qp, seq);
	memset(f + 14, 0, LVDPA_GUEST_UDP_TAG - 14);
	f[14] = 0x45;
	f[16] = ip_len >> 8;
	f[17] = ip_len & 0xff;
	f[18] = (seq >> 8) & 0xff;
	f[19] = seq & 0xff;
	f[20] = 0x40;   /* don't fragment */
	f[22] = 64;
	f[23] = 17;
	f[26] = 10;
	f[29] = 1;
	memcpy(f + 30, f + 26, 4);
	c = ~lvdpa_guest_fold(lvdpa_guest_sum(0, f + 14, 20));
	f[24] = c >> 8;
	f[25] = c & 0xff;
	f[34] = 0x4c;
	f[35] = qp & 0xff;
	f[36] = 0x4c;
	f[37] = 0x56;
	f[38] = udp_len >> 8;
	f[39] = udp_len & 0xff;
	if (partial) {
		c = lvdpa_guest_fold(lvdpa_guest_udp_pseudo(f, size));
	} else {
		c = ~lvdpa_guest_fold(lvdpa_guest_sum(lvdpa_guest_udp_pseudo(f, size),
						      f + LVDPA_GUEST_UDP_L4, udp_len));
		if (c == 0)
			c = 0xffff;
	}
	f[40] = c >> 8;
	f[41] = c & 0xff;
}

static int
lvdpa_guest_udp_check(const uint8_t *f, unsigned int len, uint16_t *qp,
		      uint64_t *seq)
{
	if (len < LVDPA_GUEST_MIN_PKT_UDP || f[14] != 0x45 || f[23] != 17 ||
	    ((unsigned int)f[16] << 8 | f[17]) != len - 14 ||
	    ((unsigned int)f[38] << 8 | f[39]) != len - LVDPA_GUEST_UDP_L4)
		return -EBADMSG;
	if (lvdpa_guest_fold(lvdpa_guest_sum(0, f + 14, 20)) != 0xffff)
		return -EBADMSG;
	/* A UDP checksum that is missing or wrong: the device did not make it. */
	if ((f[40] | f[41]) == 0 ||
	    lvdpa_guest_fold(lvdpa_guest_sum(lvdpa_guest_udp_pseudo(f, len),
					     f + LVDPA_GUEST_UDP_L4,
					     len - LVDPA_GUEST_UDP_L4)) != 0xffff)
		return -EBADMSG;
	return lvdpa_guest_tag_check(f, len, 0x0800, LVDPA_GUEST_UDP_TAG, qp, seq);
}

static double
lvdpa_guest_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned int
lvdpa_guest_max_size(const struct lvdpa_guest *g)
{
	unsigned int i, m = 0;

	for (i = 0; i < g->cfg.nsizes; i++)
		if (g->cfg.sizes[i] > m)
			m = g->cfg.sizes[i];
	return m;
}

static uint64_t
lvdpa_guest_align(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static bool
lvdpa_guest_event_idx(const struct lvdpa_guest *g)
{
	return !!(g->features & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_EVENT_IDX));
}

uint64_t
lvdpa_guest_net_mem_need(const struct lvdpa_guest *g)
{
	uint16_t qs = g->cfg.queue_size;
	bool ev = lvdpa_guest_event_idx(g);
	uint64_t ring, per;

	ring = lvdpa_guest_align(lvdpa_ring_desc_bytes(qs, g->packed),
				 LVDPA_GUEST_RING_ALIGN) +
	       lvdpa_guest_align(lvdpa_ring_driver_bytes(qs, g->packed, ev),
				 LVDPA_GUEST_RING_ALIGN) +
	       lvdpa_guest_align(lvdpa_ring_device_bytes(qs, g->packed, ev),
				 LVDPA_GUEST_RING_ALIGN);
	per = 2 * ring +
	      (uint64_t)qs * lvdpa_guest_align(g->hdr_len + g->rx_data, LVDPA_GUEST_BUF_ALIGN) +
	      (uint64_t)qs * lvdpa_guest_align(g->hdr_len + g->tx_max, LVDPA_GUEST_BUF_ALIGN);
	if (g->indirect)
		per += 2ULL * qs * LVDPA_GUEST_BUF_ALIGN;
	return per * g->nqp;
}

static int
lvdpa_guest_vq_fds(struct lvdpa_guest_vq *vq)
{
	if (vq->kick_fd < 0)
		vq->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (vq->call_fd < 0)
		vq->call_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return vq->kick_fd < 0 || vq->call_fd < 0 ? -errno : 0;
}

int
lvdpa_guest_net_fds(struct lvdpa_guest *g)
{
	unsigned int q;
	int rc;

	for (q = 0; q < g->nqp; q++) {
		rc = lvdpa_guest_vq_fds(&g->qp[q].rx);
		if (rc == 0)
			rc = lvdpa_guest_vq_fds(&g->qp[q].tx);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
lvdpa_guest_vq_setup(struct lvdpa_guest *g, struct lvdpa_guest_vq *vq,
		     uint16_t index)
{
	uint16_t qs = g->cfg.queue_size;
	bool ev = lvdpa_guest_event_idx(g);
	struct lvdpa_ring_config rc_cfg;
	void *va;
	int rc;

	vq->index = index;
	rc = lvdpa_guest_mem_alloc(&g->mem, lvdpa_ring_desc_bytes(qs, g->packed),
				   LVDPA_GUEST_RING_ALIGN, &vq->desc_gpa, &va);
	if (rc == 0)
		rc = lvdpa_guest_mem_alloc(&g->mem,
					   lvdpa_ring_driver_bytes(qs, g->packed, ev),
					   LVDPA_GUEST_RING_ALIGN, &vq->driver_gpa, &va);
	if (rc == 0)
		rc = lvdpa_guest_mem_alloc(&g->mem,
					   lvdpa_ring_device_bytes(qs, g->packed, ev),
					   LVDPA_GUEST_RING_ALIGN, &vq->device_gpa, &va);
	if (rc < 0)
		return rc;
	rc = lvdpa_guest_vq_fds(vq);
	if (rc < 0)
		return rc;
	memset(&rc_cfg, 0, sizeof(rc_cfg));
	rc_cfg.size = qs;
	rc_cfg.packed = g->packed;
	rc_cfg.event_idx = ev;
	rc_cfg.indirect = g->indirect;
	rc_cfg.big_endian = g->cfg.big_endian;
	rc_cfg.desc_addr = vq->desc_gpa;
	rc_cfg.driver_addr = vq->driver_gpa;
	rc_cfg.device_addr = vq->device_gpa;
	rc_cfg.mem = &g->mem.view;
	rc = lvdpa_ring_init(&vq->ring, &rc_cfg);
	if (rc < 0) {
		LVDPA_GUEST_LOG(ERR, "ring %u: %s", index, strerror(-rc));
		return rc;
	}
	vq->ring_ok = true;
	return 0;
}

static int
lvdpa_guest_bufs_setup(struct lvdpa_guest *g, struct lvdpa_guest_buf **bufs,
		       uint16_t **freelist, uint32_t data)
{
	uint16_t qs = g->cfg.queue_size, i;
	void *va;
	int rc;

	*bufs = calloc(qs, sizeof(**bufs));
	*freelist = calloc(qs, sizeof(**freelist));
	if (*bufs == NULL || *freelist == NULL)
		return -ENOMEM;
	for (i = 0; i < qs; i++) {
		struct lvdpa_guest_buf *b = &(*bufs)[i];

		rc = lvdpa_guest_mem_alloc(&g->mem, g->hdr_len + data,
					   LVDPA_GUEST_BUF_ALIGN, &b->gpa, &va);
		if (rc < 0)
			return rc;
		b->va = va;
		if (g->indirect) {
			rc = lvdpa_guest_mem_alloc(&g->mem, LVDPA_GUEST_BUF_ALIGN,
						   LVDPA_GUEST_BUF_ALIGN,
						   &b->ind_gpa, &va);
			if (rc < 0)
				return rc;
		}
		/* Stack: slot 0 is taken first. */
		(*freelist)[i] = qs - 1 - i;
	}
	return 0;
}

int
lvdpa_guest_net_setup(struct lvdpa_guest *g)
{
	uint64_t need, have = 0;
	unsigned int q, i;
	int rc;

	g->tx_max = lvdpa_guest_max_size(g);
	g->rx_data = g->cfg.rx_buf_size;
	/* Without mergeable buffers a packet must fit one buffer. */
	if (!g->mrg && g->rx_data < g->tx_max)
		g->rx_data = g->tx_max;
	need = lvdpa_guest_net_mem_need(g);
	for (i = 0; i < g->mem.n; i++)
		have += g->mem.r[i].size;
	for (q = 0; q < g->nqp; q++) {
		struct lvdpa_guest_qp *p = &g->qp[q];

		rc = lvdpa_guest_vq_setup(g, &p->rx, 2 * q);
		if (rc == 0)
			rc = lvdpa_guest_vq_setup(g, &p->tx, 2 * q + 1);
		if (rc == 0)
			rc = lvdpa_guest_bufs_setup(g, &p->rxb, &p->rx_free, g->rx_data);
		if (rc == 0)
			rc = lvdpa_guest_bufs_setup(g, &p->txb, &p->tx_free, g->tx_max);
		if (rc == -ENOMEM)
			LVDPA_GUEST_LOG(ERR, "guest memory too small: %" PRIu64 " bytes in %u region(s), the queues need about %" PRIu64,
					have, g->mem.n, need);
		if (rc < 0)
			return rc;
		p->rx_nfree = g->cfg.queue_size;
		p->tx_nfree = g->cfg.queue_size;
		p->merge = malloc(g->hdr_len + LVDPA_GUEST_MAX_PKT);
		if (p->merge == NULL)
			return -ENOMEM;
	}
	return 0;
}

static void
lvdpa_guest_vq_teardown(struct lvdpa_guest_vq *vq)
{
	if (vq->ring_ok)
		lvdpa_ring_fini(&vq->ring);
	vq->ring_ok = false;
	if (vq->kick_fd >= 0)
		close(vq->kick_fd);
	if (vq->call_fd >= 0)
		close(vq->call_fd);
	vq->kick_fd = vq->call_fd = -1;
}

void
lvdpa_guest_net_teardown(struct lvdpa_guest *g)
{
	unsigned int q;

	for (q = 0; q < LVDPA_GUEST_MAX_QP; q++) {
		struct lvdpa_guest_qp *p = &g->qp[q];

		lvdpa_guest_vq_teardown(&p->rx);
		lvdpa_guest_vq_teardown(&p->tx);
		free(p->rxb);
		free(p->txb);
		free(p->rx_free);
		free(p->tx_free);
		free(p->seen);
		free(p->merge);
		p->rxb = p->txb = NULL;
		p->rx_free = p->tx_free = NULL;
		p->seen = NULL;
		p->merge = NULL;
	}
}

static void
lvdpa_guest_kick(struct lvdpa_guest *g, struct lvdpa_guest_vq *vq)
{
	uint64_t one = 1;

	if (!lvdpa_ring_drv_publish(&vq->ring))
		return;
	if (write(vq->kick_fd, &one, sizeof(one)) == sizeof(one))
		g->st.kicks++;
}

static unsigned int
lvdpa_guest_segs(const struct lvdpa_guest *g, const struct lvdpa_guest_buf *b,
		 uint32_t data, bool write, struct lvdpa_ring_seg *seg)
{
	if (g->hdr_own) {
		seg[0].addr = b->gpa;
		seg[0].len = g->hdr_len;
		seg[0].write = write;
		seg[1].addr = b->gpa + g->hdr_len;
		seg[1].len = data;
		seg[1].write = write;
		return 2;
	}
	seg[0].addr = b->gpa;
	seg[0].len = g->hdr_len + data;
	seg[0].write = write;
	return 1;
}

/* Post every free RX buffer the ring takes. */
static int
lvdpa_guest_rx_refill(struct lvdpa_guest *g, struct lvdpa_guest_qp *p)
{
	struct lvdpa_ring_seg seg[2];
	unsigned int posted = 0;

	while (p->rx_nfree > 0) {
		uint16_t slot = p->rx_free[p->rx_nfree - 1];
		const struct lvdpa_guest_buf *b = &p->rxb[slot];
		unsigned int n = lvdpa_guest_segs(g, b, g->rx_data, true, seg);
		int rc;

		rc = lvdpa_ring_drv_add(&p->rx.ring, seg, n,
					n > 1 && g->indirect ? b->ind_gpa : 0, slot);
		if (rc == -ENOSPC)
			break;
		if (rc < 0)
			return rc;
		p->rx_nfree--;
		posted++;
	}
	if (posted > 0)
		lvdpa_guest_kick(g, &p->rx);
	return (int)posted;
}

int
lvdpa_guest_net_start(struct lvdpa_guest *g)
{
	unsigned int q;
	int rc;

	for (q = 0; q < g->nqp; q++) {
		rc = lvdpa_guest_rx_refill(g, &g->qp[q]);
		if (rc <= 0)
			return rc < 0 ? rc : -ENOSPC;
		g->qp[q].rx_capacity = (unsigned int)rc;
		/* A busy-polling driver never needs an interrupt. */
		lvdpa_ring_drv_set_call(&g->qp[q].rx.ring, !g->cfg.busy_poll);
		lvdpa_ring_drv_set_call(&g->qp[q].tx.ring, !g->cfg.busy_poll);
	}
	return 0;
}

int
lvdpa_guest_set_sizes(struct lvdpa_guest *g, const unsigned int *sizes,
		      unsigned int n)
{
	unsigned int i;

	if (n == 0 || n > LVDPA_GUEST_MAX_SIZES)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (sizes[i] < (g->cfg.udp ? LVDPA_GUEST_MIN_PKT_UDP : LVDPA_GUEST_MIN_PKT) ||
		    sizes[i] > LVDPA_GUEST_MAX_PKT ||
		    (g->tx_max != 0 && sizes[i] > g->tx_max))
			return -EINVAL;
	memcpy(g->sizes, sizes, n * sizeof(*sizes));
	g->nsizes = n;
	return 0;
}

/* Make the bitmap of received sequence numbers cover @bits. */
static int
lvdpa_guest_seen_grow(struct lvdpa_guest_qp *p, uint64_t bits)
{
	uint64_t nbits = p->seen_bits ? p->seen_bits : 4096;
	uint8_t *n;

	if (bits <= p->seen_bits)
		return 0;
	while (nbits < bits)
		nbits *= 2;
	n = realloc(p->seen, nbits / 8);
	if (n == NULL)
		return -ENOMEM;
	memset(n + p->seen_bits / 8, 0, (nbits - p->seen_bits) / 8);
	p->seen = n;
	p->seen_bits = nbits;
	return 0;
}

static int
lvdpa_guest_tx_reap(struct lvdpa_guest *g, struct lvdpa_guest_qp *p)
{
	uint64_t cookie;
	uint32_t len;
	int rc;

	while ((rc = lvdpa_ring_drv_get_used(&p->tx.ring, &cookie, &len)) == 1) {
		if (cookie >= g->cfg.queue_size || p->tx_nfree >= g->cfg.queue_size)
			return -EPROTO;
		p->tx_free[p->tx_nfree++] = (uint16_t)cookie;
		g->st.tx_done++;
	}
	return rc;
}

int
lvdpa_guest_send(struct lvdpa_guest *g, unsigned int qp, unsigned int n,
		 unsigned int size)
{
	struct lvdpa_net_hdr hdr = { 0 };
	bool partial = g->cfg.udp &&
		       (g->features & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_CSUM));
	struct lvdpa_guest_qp *p;
	struct lvdpa_ring_seg seg[2];
	unsigned int i;
	int rc;

	if (!g->started || qp >= g->nqp)
		return -EINVAL;
	if (size != 0 && (size < (g->cfg.udp ? LVDPA_GUEST_MIN_PKT_UDP : LVDPA_GUEST_MIN_PKT) ||
			  size > g->tx_max))
		return -EINVAL;
	if (partial) {
		/* The device finishes the UDP checksum. */
		hdr.flags = LVDPA_VIRTIO_NET_HDR_F_NEEDS_CSUM;
		hdr.csum_start = LVDPA_GUEST_UDP_L4;
		hdr.csum_offset = LVDPA_GUEST_UDP_CSUM;
	}
	p = &g->qp[qp];
	rc = lvdpa_guest_tx_reap(g, p);
	if (rc < 0)
		return rc;
	rc = lvdpa_guest_seen_grow(p, p->next_seq + n);
	if (rc < 0)
		return rc;
	for (i = 0; i < n && p->tx_nfree > 0; i++) {
		uint16_t slot = p->tx_free[p->tx_nfree - 1];
		const struct lvdpa_guest_buf *b = &p->txb[slot];
		unsigned int sz = size ? size : g->sizes[p->next_seq % g->nsizes];
		unsigned int nseg;

		/* Checksum offload at most; num_buffers is 0 on TX. */
		lvdpa_net_hdr_write(b->va, g->hdr_len, g->cfg.big_endian, &hdr);
		if (g->cfg.udp)
			lvdpa_guest_udp_fill(b->va + g->hdr_len, sz, g->cfg.mac,
					     (uint16_t)qp, p->next_seq, partial);
		else
			lvdpa_guest_pkt_fill(b->va + g->hdr_len, sz, g->cfg.mac,
					     (uint16_t)qp, p->next_seq);
		nseg = lvdpa_guest_segs(g, b, sz, false, seg);
		rc = lvdpa_ring_drv_add(&p->tx.ring, seg, nseg,
					nseg > 1 && g->indirect ? b->ind_gpa : 0, slot);
		if (rc == -ENOSPC)
			break;
		if (rc < 0)
			return rc;
		p->tx_nfree--;
		p->next_seq++;
		g->st.sent++;
		if (partial)
			g->st.tx_csum_offloaded++;
		g->st.tx_bytes += sz;
	}
	if (i > 0)
		lvdpa_guest_kick(g, &p->tx);
	return (int)i;
}

static uint16_t
lvdpa_guest_num_buffers(const struct lvdpa_guest *g, const uint8_t *hdr)
{
	struct lvdpa_net_hdr h;

	if (!g->mrg)
		return 1;
	/* Legacy headers are in the guest's byte order. */
	lvdpa_net_hdr_read(hdr, g->hdr_len, g->cfg.big_endian, &h);
	return h.num_buffers;
}

/* One whole received frame (header first). */
static void
lvdpa_guest_deliver(struct lvdpa_guest *g, const uint8_t *buf, uint32_t len)
{
	uint16_t qp;
	uint64_t seq;
	struct lvdpa_guest_qp *src;
	struct lvdpa_net_hdr h;
	int rc;

	if (len < g->hdr_len) {
		g->st.bad++;
		return;
	}
	lvdpa_net_hdr_read(buf, g->hdr_len, g->cfg.big_endian, &h);
	if (g->cfg.udp)
		rc = lvdpa_guest_udp_check(buf + g->hdr_len, len - g->hdr_len, &qp, &seq);
	else
		rc = lvdpa_guest_pkt_check(buf + g->hdr_len, len - g->hdr_len, &qp, &seq);
	/* No device may claim a verified checksum the guest did not ask for. */
	if ((h.flags & LVDPA_VIRTIO_NET_HDR_F_DATA_VALID) &&
	    !(g->features & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_GUEST_CSUM)))
		rc = -EBADMSG;
	if (rc < 0 || qp >= g->nqp || seq >= g->qp[qp].next_seq) {
		g->st.bad++;
		LVDPA_GUEST_LOG(DEBUG, "bad packet of %u bytes", len);
		return;
	}
	src = &g->qp[qp];
	if (src->seen[seq / 8] & (1u << (seq % 8))) {
		g->st.bad++;
		g->st.dup++;
		return;
	}
	src->seen[seq / 8] |= 1u << (seq % 8);
	src->rx_seen++;
	g->st.received++;
	if (h.flags & LVDPA_VIRTIO_NET_HDR_F_DATA_VALID)
		g->st.rx_csum_valid++;
	g->st.rx_bytes += len - g->hdr_len;
}

static void
lvdpa_guest_rx_one(struct lvdpa_guest *g, struct lvdpa_guest_qp *p,
		   const uint8_t *va, uint32_t len)
{
	uint32_t cap = g->hdr_len + g->rx_data;
	uint16_t nb;

	if (len > cap) {
		/* The device wrote beyond the buffer it was given. */
		g->st.bad++;
		p->merge_left = 0;
		return;
	}
	if (p->merge_left > 0) {
		if (p->merge_len + len > g->hdr_len + LVDPA_GUEST_MAX_PKT) {
			g->st.bad++;
			p->merge_left = 0;
			return;
		}
		memcpy(p->merge + p->merge_len, va, len);
		p->merge_len += len;
		if (--p->merge_left == 0)
			lvdpa_guest_deliver(g, p->merge, p->merge_len);
		return;
	}
	if (len < g->hdr_len) {
		g->st.bad++;
		return;
	}
	nb = lvdpa_guest_num_buffers(g, va);
	if (nb == 0) {
		g->st.bad++;
		return;
	}
	if (nb == 1) {
		lvdpa_guest_deliver(g, va, len);
		return;
	}
	memcpy(p->merge, va, len);
	p->merge_len = len;
	p->merge_left = nb - 1;
}

int
lvdpa_guest_recv(struct lvdpa_guest *g, unsigned int qp, unsigned int max)
{
	struct lvdpa_guest_qp *p;
	uint64_t before, cookie;
	unsigned int n = 0;
	uint32_t len;
	int rc;

	if (!g->started || qp >= g->nqp)
		return -EINVAL;
	p = &g->qp[qp];
	rc = lvdpa_guest_tx_reap(g, p);
	if (rc < 0)
		return rc;
	before = g->st.received;
	while (n < max) {
		rc = lvdpa_ring_drv_get_used(&p->rx.ring, &cookie, &len);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		if (cookie >= g->cfg.queue_size || p->rx_nfree >= g->cfg.queue_size)
			return -EPROTO;
		lvdpa_guest_rx_one(g, p, p->rxb[cookie].va, len);
		p->rx_free[p->rx_nfree++] = (uint16_t)cookie;
		n++;
	}
	if (n > 0) {
		rc = lvdpa_guest_rx_refill(g, p);
		if (rc < 0)
			return rc;
	}
	return (int)(g->st.received - before);
}

/* Busy polling: a backend that hung up ends the run, as lvdpa_guest_idle. */
static int
lvdpa_guest_check_hangup(struct lvdpa_guest *g)
{
	struct pollfd pfd = { .fd = g->sock, .events = 0 };

	if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR))) {
		LVDPA_GUEST_LOG(ERR, "backend closed the connection");
		return -ECONNRESET;
	}
	return 0;
}

/* Nothing moved: sleep until a call or a millisecond passes. A backend
 * that hung up ends the run (-ECONNRESET) instead of its timeout. */
static int
lvdpa_guest_idle(struct lvdpa_guest *g)
{
	struct pollfd pfd[2 * LVDPA_GUEST_MAX_QP + 1];
	unsigned int q, n = 0;
	uint64_t v;

	for (q = 0; q < g->nqp; q++) {
		lvdpa_ring_drv_set_call(&g->qp[q].rx.ring, true);
		lvdpa_ring_drv_set_call(&g->qp[q].tx.ring, true);
		pfd[n].fd = g->qp[q].rx.call_fd;
		pfd[n++].events = POLLIN;
		pfd[n].fd = g->qp[q].tx.call_fd;
		pfd[n++].events = POLLIN;
	}
	pfd[n].fd = g->sock;
	pfd[n].events = 0;   /* only hang-ups; POLLHUP needs no request */
	if (poll(pfd, n + 1, 1) <= 0)
		return 0;
	if (pfd[n].revents & (POLLHUP | POLLERR)) {
		LVDPA_GUEST_LOG(ERR, "backend closed the connection");
		return -ECONNRESET;
	}
	for (q = 0; q < n; q++)
		if ((pfd[q].revents & POLLIN) &&
		    read(pfd[q].fd, &v, sizeof(v)) == sizeof(v))
			g->st.calls++;
	return 0;
}

static void
lvdpa_guest_rates(struct lvdpa_guest *g, double elapsed, uint64_t rx0,
		  uint64_t bytes0)
{
	g->st.elapsed_s = elapsed;
	if (elapsed > 0) {
		g->st.mpps = (g->st.received - rx0) / elapsed / 1e6;
		g->st.gbps = (g->st.rx_bytes - bytes0) * 8.0 / elapsed / 1e9;
	}
}

int
lvdpa_guest_run_traffic(struct lvdpa_guest *g, uint64_t pkts,
			unsigned int timeout_ms)
{
	uint64_t quota[LVDPA_GUEST_MAX_QP], seq0[LVDPA_GUEST_MAX_QP];
	uint64_t got0[LVDPA_GUEST_MAX_QP], window[LVDPA_GUEST_MAX_QP];
	uint64_t bad0 = g->st.bad, rx0 = g->st.received, bytes0 = g->st.rx_bytes;
	unsigned int q, bufs_per_pkt = 1, maxsz = 0;
	double t0, deadline, now, last, hup_checked;
	int rc = 0;

	if (!g->started)
		return -ENOTCONN;
	for (q = 0; q < g->nsizes; q++)
		if (g->sizes[q] > maxsz)
			maxsz = g->sizes[q];
	if (g->mrg)
		bufs_per_pkt = (g->hdr_len + maxsz + g->hdr_len + g->rx_data - 1) /
			       (g->hdr_len + g->rx_data);
	for (q = 0; q < g->nqp; q++) {
		quota[q] = pkts / g->nqp + (q < pkts % g->nqp);
		seq0[q] = g->qp[q].next_seq;
		got0[q] = g->qp[q].rx_seen;
		/* In flight no more than the RX ring holds: no drops. */
		window[q] = g->qp[q].rx_capacity / bufs_per_pkt;
		if (window[q] == 0)
			window[q] = 1;
	}
	t0 = lvdpa_guest_now();
	deadline = t0 + timeout_ms / 1000.0;
	last = t0;
	hup_checked = t0;
	for (;;) {
		bool done = true;
		int moved = 0;

		for (q = 0; q < g->nqp; q++) {
			struct lvdpa_guest_qp *p = &g->qp[q];
			uint64_t sent, back, inflight;

			rc = lvdpa_guest_recv(g, q, LVDPA_GUEST_BURST * 4);
			if (rc < 0)
				goto out;
			moved += rc;
			sent = p->next_seq - seq0[q];
			back = p->rx_seen - got0[q];
			inflight = sent > back ? sent - back : 0;
			if (sent < quota[q] && inflight < window[q]) {
				uint64_t k = quota[q] - sent;

				if (k > window[q] - inflight)
					k = window[q] - inflight;
				if (k > LVDPA_GUEST_BURST)
					k = LVDPA_GUEST_BURST;
				rc = lvdpa_guest_send(g, q, (unsigned int)k, 0);
				if (rc < 0)
					goto out;
				moved += rc;
			}
			if (back < quota[q])
				done = false;
		}
		rc = 0;
		now = lvdpa_guest_now();
		if (g->cfg.progress != NULL && now - last >= 1.0) {
			lvdpa_guest_rates(g, now - t0, rx0, bytes0);
			g->cfg.progress(g->cfg.progress_arg, &g->st);
			last = now;
		}
		if (g->st.bad != bad0) {
			rc = -EBADMSG;
			break;
		}
		if (done)
			break;
		if (now > deadline) {
			rc = -ETIMEDOUT;
			break;
		}
		if (moved == 0 && !g->cfg.busy_poll) {
			rc = lvdpa_guest_idle(g);
			if (rc < 0)
				break;
		} else if (moved == 0 && now - hup_checked >= 0.001) {
			hup_checked = now;
			rc = lvdpa_guest_check_hangup(g);
			if (rc < 0)
				break;
		}
	}
out:
	lvdpa_guest_rates(g, lvdpa_guest_now() - t0, rx0, bytes0);
	return rc;
}

void
lvdpa_guest_get_stats(const struct lvdpa_guest *g, struct lvdpa_guest_stats *st)
{
	*st = g->st;
}

const char *
lvdpa_guest_verdict(struct lvdpa_guest *g, int run_result)
{
	char sizes[64];
	unsigned int i;
	size_t o = 0;

	sizes[0] = '\0';
	for (i = 0; i < g->nsizes && o < sizeof(sizes); i++)
		o += snprintf(sizes + o, sizeof(sizes) - o, "%s%u",
			      i ? "," : "", g->sizes[i]);
	snprintf(g->verdict, sizeof(g->verdict),
		 "%s sent %" PRIu64 " received %" PRIu64 " bad %" PRIu64
		 " (%s, %s-endian, %s ring, %u-byte header%s%s%s%s, %u queue pair%s, size %s) %.2f Mpps %.2f Gbit/s%s%s",
		 run_result == 0 ? "PASS" : "FAIL", g->st.sent, g->st.received,
		 g->st.bad,
		 (g->features & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_VERSION_1)) ?
		 "modern" : "legacy",
		 g->cfg.big_endian ? "big" : "little",
		 g->packed ? "packed" : "split", g->hdr_len,
		 g->hdr_own ? " in own descriptor" : "",
		 g->mrg ? ", mergeable" : "",
		 lvdpa_guest_event_idx(g) ? ", event idx" : "",
		 g->indirect ? ", indirect" : "",
		 g->nqp, g->nqp > 1 ? "s" : "", sizes,
		 g->st.mpps, g->st.gbps,
		 run_result == 0 ? "" : ": ",
		 run_result == 0 ? "" : strerror(-run_result));
	return g->verdict;
}
