/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The synthetic guest: memfd memory, rings in guest layout driven through
 * the walker's driver role, and frames whose payload is a function of their
 * sequence number so that the receiver can check every byte.
 *
 * Buffer slot s sits at bufs + s * (16 + buf_len): 16 bytes for the header,
 * whose last hdr_len bytes are used, then the payload buffer. Header and
 * payload are thus contiguous whether they are offered as one descriptor or
 * as two (header in its own descriptor), and a received chain reads as one
 * stream either way.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "lvdpa_synth_guest.h"

#define LVDPA_SYNTH_SLOT_HDR 16u
/* What an RX buffer's header holds before the device writes it. */
#define LVDPA_SYNTH_RX_POISON 0xa5
#define LVDPA_SYNTH_HDR_F_DATA_VALID 2u
#define LVDPA_SYNTH_ETHERTYPE 0x88b5 /* local experimental */

static int
lvdpa_synth_xlate(void *opaque, uint64_t addr, uint64_t len, int write,
		  void **ptr, uint64_t *contig)
{
	struct lvdpa_synth_guest *g = opaque;
	uint64_t off;

	(void)write;
	if (addr < g->gpa || addr - g->gpa >= g->size || len == 0)
		return -EFAULT;
	off = addr - g->gpa;
	*ptr = g->base + off;
	*contig = len < g->size - off ? len : g->size - off;
	return 0;
}

int
lvdpa_synth_guest_create(struct lvdpa_synth_guest *g, uint64_t size, uint64_t gpa)
{
	memset(g, 0, sizeof(*g));
	g->fd = memfd_create("lvdpa-synth-guest", MFD_CLOEXEC);
	if (g->fd < 0)
		return -errno;
	if (ftruncate(g->fd, size) != 0) {
		int rc = -errno;

		close(g->fd);
		return rc;
	}
	g->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd, 0);
	if (g->base == MAP_FAILED) {
		int rc = -errno;

		close(g->fd);
		g->base = NULL;
		return rc;
	}
	g->size = size;
	g->gpa = gpa;
	g->brk = 0;
	g->mem.translate = lvdpa_synth_xlate;
	g->mem.opaque = g;
	return 0;
}

void
lvdpa_synth_guest_destroy(struct lvdpa_synth_guest *g)
{
	if (g->base != NULL)
		munmap(g->base, g->size);
	if (g->fd >= 0)
		close(g->fd);
	g->base = NULL;
	g->fd = -1;
}

uint64_t
lvdpa_synth_guest_alloc(struct lvdpa_synth_guest *g, uint64_t len, uint64_t align)
{
	uint64_t off = (g->brk + align - 1) & ~(align - 1);

	if (off + len > g->size || off + len < off)
		return 0;
	g->brk = off + len;
	memset(g->base + off, 0, len);
	return g->gpa + off;
}

void *
lvdpa_synth_guest_ptr(struct lvdpa_synth_guest *g, uint64_t gpa)
{
	if (gpa < g->gpa || gpa - g->gpa >= g->size)
		return NULL;
	return g->base + (gpa - g->gpa);
}

static uint64_t
lvdpa_synth_slot(const struct lvdpa_synth_queue *q, uint16_t s)
{
	return q->bufs + (uint64_t)s * (LVDPA_SYNTH_SLOT_HDR + q->cfg.buf_len);
}

int
lvdpa_synth_queue_init(struct lvdpa_synth_guest *g, struct lvdpa_synth_queue *q,
		       const struct lvdpa_synth_qcfg *cfg)
{
	struct lvdpa_ring_config rc = { 0 };
	uint16_t n = cfg->size;
	unsigned int i;
	int ret;

	memset(q, 0, sizeof(*q));
	q->g = g;
	q->cfg = *cfg;
	q->desc = lvdpa_synth_guest_alloc(g, lvdpa_ring_desc_bytes(n, cfg->packed), 4096);
	q->driver = lvdpa_synth_guest_alloc(g,
		lvdpa_ring_driver_bytes(n, cfg->packed, cfg->event_idx), 4096);
	q->device = lvdpa_synth_guest_alloc(g,
		lvdpa_ring_device_bytes(n, cfg->packed, cfg->event_idx), 4096);
	q->bufs = lvdpa_synth_guest_alloc(g,
		(uint64_t)n * (LVDPA_SYNTH_SLOT_HDR + cfg->buf_len), 4096);
	q->ind = lvdpa_synth_guest_alloc(g, (uint64_t)n * 4 * 16, 4096);
	if (q->desc == 0 || q->driver == 0 || q->device == 0 || q->bufs == 0 ||
	    q->ind == 0)
		return -ENOMEM;
	q->free_slot = calloc(n, sizeof(*q->free_slot));
	if (q->free_slot == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		q->free_slot[i] = n - 1 - i;
	q->nfree = n;
	rc.size = n;
	rc.packed = cfg->packed;
	rc.event_idx = cfg->event_idx;
	rc.indirect = cfg->indirect;
	rc.big_endian = false;
	rc.desc_addr = q->desc;
	rc.driver_addr = q->driver;
	rc.device_addr = q->device;
	rc.mem = &g->mem;
	rc.driver_role = true;
	ret = lvdpa_ring_init(&q->ring, &rc);
	if (ret != 0) {
		free(q->free_slot);
		q->free_slot = NULL;
	}
	return ret;
}

void
lvdpa_synth_queue_fini(struct lvdpa_synth_queue *q)
{
	lvdpa_ring_fini(&q->ring);
	free(q->free_slot);
	q->free_slot = NULL;
}

/* Offer slot s with @p len bytes after the header. */
static int
lvdpa_synth_offer(struct lvdpa_synth_queue *q, uint16_t s, uint32_t len)
{
	uint64_t slot = lvdpa_synth_slot(q, s), hdr = slot + LVDPA_SYNTH_SLOT_HDR - q->cfg.hdr_len;
	struct lvdpa_ring_seg seg[2];
	unsigned int n;

	if (q->cfg.hdr_own_desc) {
		seg[0] = (struct lvdpa_ring_seg){ hdr, q->cfg.hdr_len, q->cfg.rx };
		seg[1] = (struct lvdpa_ring_seg){ slot + LVDPA_SYNTH_SLOT_HDR, len, q->cfg.rx };
		n = 2;
	} else {
		seg[0] = (struct lvdpa_ring_seg){ hdr, q->cfg.hdr_len + len, q->cfg.rx };
		n = 1;
	}
	return lvdpa_ring_drv_add(&q->ring, seg, n,
				  q->cfg.indirect ? q->ind + (uint64_t)s * 64 : 0, s);
}

int
lvdpa_synth_tx_add(struct lvdpa_synth_queue *q, const void *frame, uint32_t len)
{
	uint64_t slot;
	uint8_t *p;
	uint16_t s;
	int rc;

	if (len > q->cfg.buf_len)
		return -E2BIG;
	if (q->nfree == 0)
		return -ENOSPC;
	s = q->free_slot[q->nfree - 1];
	slot = lvdpa_synth_slot(q, s);
	p = lvdpa_synth_guest_ptr(q->g, slot);
	/* A zero header: no offloads asked for. */
	memset(p, 0, LVDPA_SYNTH_SLOT_HDR);
	memcpy(p + LVDPA_SYNTH_SLOT_HDR, frame, len);
	rc = lvdpa_synth_offer(q, s, len);
	if (rc == 0)
		q->nfree--;
	return rc;
}

int
lvdpa_synth_tx_reap(struct lvdpa_synth_queue *q)
{
	uint64_t cookie;
	uint32_t len;
	int n = 0, rc;

	while ((rc = lvdpa_ring_drv_get_used(&q->ring, &cookie, &len)) == 1) {
		if (cookie >= q->cfg.size || q->nfree >= q->cfg.size)
			return -EPROTO;
		q->free_slot[q->nfree++] = cookie;
		n++;
	}
	return rc < 0 ? rc : n;
}

int
lvdpa_synth_rx_post(struct lvdpa_synth_queue *q)
{
	int n = 0;

	while (q->nfree > 0) {
		uint16_t s = q->free_slot[q->nfree - 1];
		uint8_t *hdr = lvdpa_synth_guest_ptr(q->g, lvdpa_synth_slot(q, s) +
						     LVDPA_SYNTH_SLOT_HDR - q->cfg.hdr_len);

		/*
		 * Nothing obliges a driver to clear its RX buffers: a header the
		 * device leaves partly unwritten shows as this pattern.
		 */
		memset(hdr, LVDPA_SYNTH_RX_POISON, q->cfg.hdr_len);
		if (lvdpa_synth_offer(q, s, q->cfg.buf_len) != 0)
			break;
		q->nfree--;
		n++;
	}
	return n;
}

int
lvdpa_synth_rx_get(struct lvdpa_synth_queue *q, void *frame, uint32_t cap,
		   uint32_t *len, uint16_t *nbufs)
{
	uint32_t got = 0, ulen, hl = q->cfg.hdr_len;
	uint16_t nb = 1, i;
	uint64_t cookie;
	uint8_t *p;
	int rc;

	rc = lvdpa_ring_drv_get_used(&q->ring, &cookie, &ulen);
	if (rc <= 0)
		return rc;
	for (i = 0; i < nb; i++) {
		uint32_t skip = i == 0 ? hl : 0;

		if (i > 0) {
			unsigned int tries = 0;

			/*
			 * A packed ring shows each buffer as the device writes
			 * it: the rest of the packet follows shortly.
			 */
			while ((rc = lvdpa_ring_drv_get_used(&q->ring, &cookie, &ulen)) == 0 &&
			       ++tries < 100000)
				sched_yield();
			if (rc <= 0)
				return -EPROTO;   /* num_buffers promised more */
		}
		if (cookie >= q->cfg.size || q->nfree >= q->cfg.size ||
		    ulen > hl + q->cfg.buf_len || ulen < skip)
			return -EPROTO;
		q->free_slot[q->nfree++] = cookie;
		p = lvdpa_synth_guest_ptr(q->g, lvdpa_synth_slot(q, cookie) +
					  LVDPA_SYNTH_SLOT_HDR - hl);
		if (i == 0) {
			unsigned int b;

			/* No GSO and no checksum to complete on RX: all zero
			 * but DATA_VALID, and num_buffers (1 without MRG_RXBUF). */
			if (p[0] & ~LVDPA_SYNTH_HDR_F_DATA_VALID)
				return -EPROTO;
			for (b = 1; b < 10; b++)
				if (p[b] != 0)
					return -EPROTO;
			if (hl == 12) {
				uint16_t v = p[10] | p[11] << 8;   /* little endian */

				if (v == 0 || (!q->cfg.mrg_rxbuf && v != 1))
					return -EPROTO;
				if (q->cfg.mrg_rxbuf)
					nb = v;
			}
		}
		if (got + ulen - skip > cap)
			return -E2BIG;
		memcpy((uint8_t *)frame + got, p + skip, ulen - skip);
		got += ulen - skip;
	}
	*len = got;
	if (nbufs != NULL)
		*nbufs = nb;
	return 1;
}

bool
lvdpa_synth_publish(struct lvdpa_synth_queue *q)
{
	bool kick = lvdpa_ring_drv_publish(&q->ring);

	q->kicks += kick;
	return kick;
}

static uint8_t
lvdpa_synth_byte(uint32_t seq, uint32_t i)
{
	return (uint8_t)((seq * 7u + i * 31u) ^ (i >> 8));
}

void
lvdpa_synth_frame_fill(void *frame, uint32_t len, const uint8_t dst[6],
		       const uint8_t src[6], uint32_t seq)
{
	uint8_t *f = frame;
	uint32_t i;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = LVDPA_SYNTH_ETHERTYPE >> 8;
	f[13] = LVDPA_SYNTH_ETHERTYPE & 0xff;
	f[14] = seq >> 24;
	f[15] = seq >> 16;
	f[16] = seq >> 8;
	f[17] = seq;
	for (i = 18; i < len; i++)
		f[i] = lvdpa_synth_byte(seq, i);
}

int
lvdpa_synth_frame_check(const void *frame, uint32_t len, uint32_t *seq)
{
	const uint8_t *f = frame;
	uint32_t i, s;

	if (len < 18 || f[12] != (LVDPA_SYNTH_ETHERTYPE >> 8) ||
	    f[13] != (LVDPA_SYNTH_ETHERTYPE & 0xff))
		return -EBADMSG;
	s = (uint32_t)f[14] << 24 | (uint32_t)f[15] << 16 | (uint32_t)f[16] << 8 | f[17];
	for (i = 18; i < len; i++)
		if (f[i] != lvdpa_synth_byte(s, i))
			return -EBADMSG;
	*seq = s;
	return 0;
}
