/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_TEST_RELAY_COMMON_H
#define LVDPA_TEST_RELAY_COMMON_H

/*
 * One process, three parties over calloc'd memory:
 * - a test guest: lvdpa_ring in the driver role on a TX and an RX ring in
 *   guest memory, in either byte order, with 10- or 12-byte headers placed
 *   inline or in their own descriptor;
 * - two relays (TX and RX queue) under test;
 * - a test device: lvdpa_ring in the device role on the two shadow rings,
 *   little-endian, that loops TX packets to RX with a 12-byte LE header.
 * Each party has its own memory view; only the relays' view logs writes,
 * so the log is exactly what the relays claim to have written.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>

#include "lvdpa_net_hdr.h"
#include "lvdpa_relay.h"
#include "lvdpa_ring.h"
#include "lvdpa_test.h"
#include "lvdpa_virtio.h"

#define LVDPA_TR_GPA       0x100000ull   /* guest memory base */
#define LVDPA_TR_MEM       (1u << 20)     /* 1 MiB */
#define LVDPA_TR_PAGE      4096u
#define LVDPA_TR_NPAGES    (LVDPA_TR_MEM / LVDPA_TR_PAGE)
#define LVDPA_TR_TX_IOVA   0x80000000ull  /* relay areas, outside guest memory */
#define LVDPA_TR_RX_IOVA   0x90000000ull
#define LVDPA_TR_BUF_OFF   0x10000u       /* guest buffers from here */
#define LVDPA_TR_MAX_BUF   256
#define LVDPA_TR_MAX_LOG   4096
#define LVDPA_TR_MAX_PKT   8
#define LVDPA_TR_IOV       64
#define LVDPA_TR_POISON    0xa5

/* Ring areas in guest memory: one page each, so log pages are telling. */
#define LVDPA_TR_TX_DESC  (LVDPA_TR_GPA + 0x0000)
#define LVDPA_TR_TX_AVAIL (LVDPA_TR_GPA + 0x1000)
#define LVDPA_TR_TX_USED  (LVDPA_TR_GPA + 0x2000)
#define LVDPA_TR_RX_DESC  (LVDPA_TR_GPA + 0x4000)
#define LVDPA_TR_RX_AVAIL (LVDPA_TR_GPA + 0x5000)
#define LVDPA_TR_RX_USED  (LVDPA_TR_GPA + 0x6000)

struct lvdpa_tr_opts {
	bool be;            /* guest byte order */
	uint64_t features;  /* guest features */
	bool tx_sep;        /* TX header in its own descriptor */
	bool rx_sep;        /* RX header in its own descriptor */
	uint16_t size;      /* guest ring size (default 32) */
	uint16_t shadow;    /* shadow ring size (0 = relay default) */
	uint32_t rx_room;   /* payload room of an RX buffer (default 1600) */
	bool shadow_evt;    /* event idx on the shadow rings */
	bool frag;          /* buffer memory in 512-byte regions, from +6 */
};

/* A buffer the test guest offered: its segments, for checks. */
struct lvdpa_tr_buf {
	uint64_t addr[2];
	uint32_t len[2];
	unsigned int nseg;
	bool rx;
};

/* A packet in flight inside the test device. */
struct lvdpa_tr_pkt {
	uint8_t hdr[LVDPA_NET_HDR_LEN_MRG];
	uint8_t data[4096];
	uint32_t len;
};

struct lvdpa_tr {
	struct lvdpa_tr_opts o;
	unsigned int hdr_len;
	uint8_t *mem;                       /* guest memory */
	uint8_t *snap;                      /* snapshot for diffs */
	struct lvdpa_ring_mem gmem, rmem, dmem; /* guest, relay, device views */
	/* test guest */
	struct lvdpa_ring gtx, grx;
	struct lvdpa_tr_buf buf[LVDPA_TR_MAX_BUF];
	unsigned int nbuf;
	uint32_t bump;                      /* next free byte for buffers */
	/* relays */
	void *tx_area, *rx_area;
	uint64_t tx_area_len, rx_area_len;
	struct lvdpa_relay *tx, *rx;
	/* relay writes as logged */
	struct { uint64_t addr, len; } log[LVDPA_TR_MAX_LOG];
	unsigned int nlog;
	/* test device */
	struct lvdpa_ring dtx, drx;
	bool dev_up;
	struct lvdpa_tr_pkt pkt[LVDPA_TR_MAX_PKT];
	unsigned int npkt;
	unsigned int dev_tx_seen;
	uint8_t dev_last_tx_hdr[LVDPA_NET_HDR_LEN_MRG];
};

/* Header values with no two bytes alike, so a swap always shows. */
static const struct lvdpa_net_hdr lvdpa_tr_hdr = {
	.flags = LVDPA_VIRTIO_NET_HDR_F_NEEDS_CSUM,
	.gso_type = LVDPA_VIRTIO_NET_HDR_GSO_TCPV4,
	.hdr_len = 0x1234,
	.gso_size = 0x0506,
	.csum_start = 0x0a0b,
	.csum_offset = 0x0c0d,
};

/* ---- memory views ---- */

static inline int
lvdpa_tr_guest_translate(void *opaque, uint64_t addr, uint64_t len, int write,
			 void **ptr, uint64_t *contig)
{
	struct lvdpa_tr *f = opaque;
	uint64_t off;

	(void)write;
	if (addr < LVDPA_TR_GPA || addr - LVDPA_TR_GPA >= LVDPA_TR_MEM)
		return -EFAULT;
	off = addr - LVDPA_TR_GPA;
	*ptr = f->mem + off;
	*contig = LVDPA_TR_MEM - off < len ? LVDPA_TR_MEM - off : len;
	/* Region boundaries at 512 k + 6: they cut headers and buffers. */
	if (f->o.frag && off >= LVDPA_TR_BUF_OFF) {
		uint64_t cap = 512 - (off - 6) % 512;

		if (*contig > cap)
			*contig = cap;
	}
	return 0;
}

static inline void
lvdpa_tr_relay_log(void *opaque, uint64_t addr, uint64_t len)
{
	struct lvdpa_tr *f = opaque;

	if (f->nlog < LVDPA_TR_MAX_LOG) {
		f->log[f->nlog].addr = addr;
		f->log[f->nlog].len = len;
	}
	f->nlog++;
}

/* The device: guest memory through the "mkey", relay areas at their IOVAs. */
static inline int
lvdpa_tr_dev_translate(void *opaque, uint64_t addr, uint64_t len, int write,
		       void **ptr, uint64_t *contig)
{
	struct lvdpa_tr *f = opaque;
	uint64_t base[2] = { LVDPA_TR_TX_IOVA, LVDPA_TR_RX_IOVA };
	uint64_t alen[2] = { f->tx_area_len, f->rx_area_len };
	void *host[2] = { f->tx_area, f->rx_area };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		uint64_t off;

		if (addr < base[i] || addr - base[i] >= alen[i])
			continue;
		off = addr - base[i];
		*ptr = (uint8_t *)host[i] + off;
		*contig = alen[i] - off < len ? alen[i] - off : len;
		return 0;
	}
	return lvdpa_tr_guest_translate(opaque, addr, len, write, ptr, contig);
}

static inline uint8_t *
lvdpa_tr_host(struct lvdpa_tr *f, uint64_t gpa)
{
	return f->mem + (gpa - LVDPA_TR_GPA);
}

/* Raw guest-order stores, to break rings by hand. */
static inline void
lvdpa_tr_st16(struct lvdpa_tr *f, uint64_t gpa, uint16_t v)
{
	v = f->o.be ? rte_cpu_to_be_16(v) : rte_cpu_to_le_16(v);
	memcpy(lvdpa_tr_host(f, gpa), &v, 2);
}

static inline void
lvdpa_tr_st64(struct lvdpa_tr *f, uint64_t gpa, uint64_t v)
{
	v = f->o.be ? rte_cpu_to_be_64(v) : rte_cpu_to_le_64(v);
	memcpy(lvdpa_tr_host(f, gpa), &v, 8);
}

/* ---- callbacks ---- */

struct lvdpa_tr_cnt {
	unsigned int dev_kicks;
	unsigned int guest_calls;
};

static struct lvdpa_tr_cnt lvdpa_tr_cnt[2]; /* [LVDPA_RELAY_RX], [LVDPA_RELAY_TX] */

static inline void
lvdpa_tr_dev_kick(void *opaque)
{
	((struct lvdpa_tr_cnt *)opaque)->dev_kicks++;
}

static inline void
lvdpa_tr_guest_call(void *opaque)
{
	((struct lvdpa_tr_cnt *)opaque)->guest_calls++;
}

/* ---- set-up ---- */

static inline int
lvdpa_tr_ring_init(struct lvdpa_tr *f, struct lvdpa_ring *r, uint64_t desc,
		   uint64_t avail, uint64_t used)
{
	struct lvdpa_ring_config c = {
		.size = f->o.size,
		.event_idx = !!(f->o.features &
				LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_EVENT_IDX)),
		.indirect = !!(f->o.features &
			       LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_INDIRECT_DESC)),
		.big_endian = f->o.be,
		.desc_addr = desc,
		.driver_addr = avail,
		.device_addr = used,
		.mem = &f->gmem,
		.driver_role = true,
	};

	return lvdpa_ring_init(r, &c);
}

static inline struct lvdpa_relay *
lvdpa_tr_relay(struct lvdpa_tr *f, enum lvdpa_relay_dir dir, void *area,
	       uint64_t iova, uint64_t len, struct lvdpa_tr_cnt *counters)
{
	struct lvdpa_relay_config c = {
		.dir = dir,
		.size = f->o.size,
		.desc_addr = dir == LVDPA_RELAY_TX ? LVDPA_TR_TX_DESC : LVDPA_TR_RX_DESC,
		.avail_addr = dir == LVDPA_RELAY_TX ? LVDPA_TR_TX_AVAIL : LVDPA_TR_RX_AVAIL,
		.used_addr = dir == LVDPA_RELAY_TX ? LVDPA_TR_TX_USED : LVDPA_TR_RX_USED,
		.guest_features = f->o.features,
		.guest_big_endian = f->o.be,
		.guest_mem = &f->rmem,
		.shadow_size = f->o.shadow,
		.shadow_event_idx = f->o.shadow_evt,
		.area = area,
		.area_iova = iova,
		.area_len = len,
		.dev_kick = lvdpa_tr_dev_kick,
		.guest_call = lvdpa_tr_guest_call,
		.opaque = counters,
	};

	return lvdpa_relay_create(&c);
}

/* Attach the test device to the shadow rings (fresh at every relay start). */
static inline int
lvdpa_tr_dev_attach(struct lvdpa_tr *f)
{
	struct lvdpa_relay_shadow s;
	struct lvdpa_ring_config c = {
		.mem = &f->dmem,
		.driver_role = false,
		.event_idx = f->o.shadow_evt,
	};
	int ret;

	lvdpa_ring_fini(&f->dtx);
	lvdpa_ring_fini(&f->drx);
	lvdpa_relay_shadow(f->tx, &s);
	c.size = s.size;
	c.desc_addr = s.desc_iova;
	c.driver_addr = s.avail_iova;
	c.device_addr = s.used_iova;
	ret = lvdpa_ring_init(&f->dtx, &c);
	if (ret < 0)
		return ret;
	lvdpa_relay_shadow(f->rx, &s);
	c.size = s.size;
	c.desc_addr = s.desc_iova;
	c.driver_addr = s.avail_iova;
	c.device_addr = s.used_iova;
	ret = lvdpa_ring_init(&f->drx, &c);
	if (ret < 0)
		return ret;
	f->dev_up = true;
	f->npkt = 0;
	return 0;
}

static inline int
lvdpa_tr_start(struct lvdpa_tr *f)
{
	int ret;

	ret = lvdpa_relay_start(f->tx);
	if (ret == 0)
		ret = lvdpa_relay_start(f->rx);
	if (ret == 0)
		ret = lvdpa_tr_dev_attach(f);
	return ret;
}

static inline void
lvdpa_tr_fini(struct lvdpa_tr *f)
{
	lvdpa_relay_destroy(f->tx);
	lvdpa_relay_destroy(f->rx);
	lvdpa_ring_fini(&f->gtx);
	lvdpa_ring_fini(&f->grx);
	lvdpa_ring_fini(&f->dtx);
	lvdpa_ring_fini(&f->drx);
	free(f->tx_area);
	free(f->rx_area);
	free(f->mem);
	free(f->snap);
	free(f);
}

static inline struct lvdpa_tr *
lvdpa_tr_init(const struct lvdpa_tr_opts *o)
{
	struct lvdpa_tr *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->o = *o;
	if (f->o.size == 0)
		f->o.size = 32;
	if (f->o.rx_room == 0)
		f->o.rx_room = 1600;
	f->hdr_len = lvdpa_net_hdr_len(f->o.features);
	f->mem = calloc(1, LVDPA_TR_MEM);
	f->snap = calloc(1, LVDPA_TR_MEM);
	f->gmem = (struct lvdpa_ring_mem){ lvdpa_tr_guest_translate, NULL, f };
	f->rmem = (struct lvdpa_ring_mem){ lvdpa_tr_guest_translate,
					   lvdpa_tr_relay_log, f };
	f->dmem = (struct lvdpa_ring_mem){ lvdpa_tr_dev_translate, NULL, f };
	f->bump = LVDPA_TR_BUF_OFF;
	f->tx_area_len = lvdpa_relay_area_size(f->o.size, f->o.shadow);
	f->rx_area_len = f->tx_area_len;
	if (f->mem == NULL || f->snap == NULL || f->tx_area_len == 0)
		goto fail;
	f->tx_area = aligned_alloc(LVDPA_RELAY_AREA_ALIGN, f->tx_area_len);
	f->rx_area = aligned_alloc(LVDPA_RELAY_AREA_ALIGN, f->rx_area_len);
	if (f->tx_area == NULL || f->rx_area == NULL)
		goto fail;
	/* Garbage in the area: start must clear the shadow ring itself. */
	memset(f->tx_area, 0x5a, f->tx_area_len);
	memset(f->rx_area, 0x5a, f->rx_area_len);
	if (lvdpa_tr_ring_init(f, &f->gtx, LVDPA_TR_TX_DESC, LVDPA_TR_TX_AVAIL,
			       LVDPA_TR_TX_USED) < 0 ||
	    lvdpa_tr_ring_init(f, &f->grx, LVDPA_TR_RX_DESC, LVDPA_TR_RX_AVAIL,
			       LVDPA_TR_RX_USED) < 0)
		goto fail;
	memset(lvdpa_tr_cnt, 0, sizeof(lvdpa_tr_cnt));
	f->tx = lvdpa_tr_relay(f, LVDPA_RELAY_TX, f->tx_area, LVDPA_TR_TX_IOVA,
			       f->tx_area_len, &lvdpa_tr_cnt[LVDPA_RELAY_TX]);
	f->rx = lvdpa_tr_relay(f, LVDPA_RELAY_RX, f->rx_area, LVDPA_TR_RX_IOVA,
			       f->rx_area_len, &lvdpa_tr_cnt[LVDPA_RELAY_RX]);
	if (f->tx == NULL || f->rx == NULL)
		goto fail;
	return f;
fail:
	lvdpa_tr_fini(f);
	return NULL;
}

/* ---- test guest ---- */

static inline uint64_t
lvdpa_tr_alloc(struct lvdpa_tr *f, uint32_t len)
{
	uint64_t gpa;

	/* 64-byte steps; wrap around: earlier buffers are done by then. */
	if (f->bump + len > LVDPA_TR_MEM)
		f->bump = LVDPA_TR_BUF_OFF;
	gpa = LVDPA_TR_GPA + f->bump;
	f->bump += (len + 63) & ~63u;
	memset(lvdpa_tr_host(f, gpa), LVDPA_TR_POISON, len);
	return gpa;
}

/* An indirect table for @p nseg segments when the guest uses them, else 0. */
static inline uint64_t
lvdpa_tr_indirect(struct lvdpa_tr *f, unsigned int nseg)
{
	if (!(f->o.features & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_INDIRECT_DESC)))
		return 0;
	return lvdpa_tr_alloc(f, nseg * 16);
}

static inline unsigned int
lvdpa_tr_newbuf(struct lvdpa_tr *f)
{
	unsigned int i = f->nbuf++ % LVDPA_TR_MAX_BUF;

	memset(&f->buf[i], 0, sizeof(f->buf[i]));
	return i;
}

/* Queue one TX packet (not published). */
static inline int
lvdpa_tr_send(struct lvdpa_tr *f, const uint8_t *data, uint32_t len)
{
	unsigned int b = lvdpa_tr_newbuf(f);
	struct lvdpa_tr_buf *tb = &f->buf[b];
	struct lvdpa_ring_seg seg[2];
	uint8_t *p;

	if (f->o.tx_sep) {
		tb->addr[0] = lvdpa_tr_alloc(f, f->hdr_len);
		tb->len[0] = f->hdr_len;
		tb->addr[1] = lvdpa_tr_alloc(f, len);
		tb->len[1] = len;
		tb->nseg = 2;
		lvdpa_net_hdr_write(lvdpa_tr_host(f, tb->addr[0]), f->hdr_len,
				    f->o.be, &lvdpa_tr_hdr);
		memcpy(lvdpa_tr_host(f, tb->addr[1]), data, len);
	} else {
		tb->addr[0] = lvdpa_tr_alloc(f, f->hdr_len + len);
		tb->len[0] = f->hdr_len + len;
		tb->nseg = 1;
		p = lvdpa_tr_host(f, tb->addr[0]);
		lvdpa_net_hdr_write(p, f->hdr_len, f->o.be, &lvdpa_tr_hdr);
		memcpy(p + f->hdr_len, data, len);
	}
	seg[0] = (struct lvdpa_ring_seg){ tb->addr[0], tb->len[0], false };
	seg[1] = (struct lvdpa_ring_seg){ tb->addr[1], tb->len[1], false };
	return lvdpa_ring_drv_add(&f->gtx, seg, tb->nseg,
				  lvdpa_tr_indirect(f, tb->nseg), b);
}

/* Offer one RX buffer with @p room payload bytes (not published). */
static inline int
lvdpa_tr_post_rx(struct lvdpa_tr *f, uint32_t room)
{
	unsigned int b = lvdpa_tr_newbuf(f);
	struct lvdpa_tr_buf *tb = &f->buf[b];
	struct lvdpa_ring_seg seg[2];

	tb->rx = true;
	if (f->o.rx_sep) {
		tb->addr[0] = lvdpa_tr_alloc(f, f->hdr_len);
		tb->len[0] = f->hdr_len;
		tb->addr[1] = lvdpa_tr_alloc(f, room);
		tb->len[1] = room;
		tb->nseg = 2;
	} else {
		tb->addr[0] = lvdpa_tr_alloc(f, f->hdr_len + room);
		tb->len[0] = f->hdr_len + room;
		tb->nseg = 1;
	}
	seg[0] = (struct lvdpa_ring_seg){ tb->addr[0], tb->len[0], true };
	seg[1] = (struct lvdpa_ring_seg){ tb->addr[1], tb->len[1], true };
	return lvdpa_ring_drv_add(&f->grx, seg, tb->nseg,
				  lvdpa_tr_indirect(f, tb->nseg), b);
}

/* Copy @p len bytes at offset @p off of buffer @p b out of guest memory. */
static inline void
lvdpa_tr_buf_read(struct lvdpa_tr *f, unsigned int b, uint32_t off,
		  uint8_t *out, uint32_t len)
{
	const struct lvdpa_tr_buf *tb = &f->buf[b];
	unsigned int s;

	for (s = 0; s < tb->nseg && len > 0; s++) {
		uint32_t n;

		if (off >= tb->len[s]) {
			off -= tb->len[s];
			continue;
		}
		n = tb->len[s] - off < len ? tb->len[s] - off : len;
		memcpy(out, lvdpa_tr_host(f, tb->addr[s]) + off, n);
		out += n;
		len -= n;
		off = 0;
	}
}

/*
 * Collect one received packet: its header (CPU order) and payload.
 * @return 1, 0 when nothing arrived, -1 on a malformed packet
 */
static inline int
lvdpa_tr_recv(struct lvdpa_tr *f, struct lvdpa_net_hdr *h, uint8_t *data,
	      uint32_t *len)
{
	uint8_t raw[LVDPA_NET_HDR_LEN_MRG];
	uint64_t cookie;
	uint32_t ulen;
	unsigned int n, k;
	int ret;

	ret = lvdpa_ring_drv_get_used(&f->grx, &cookie, &ulen);
	if (ret <= 0)
		return ret < 0 ? -1 : 0;
	if (ulen < f->hdr_len)
		return -1;
	lvdpa_tr_buf_read(f, (unsigned int)cookie, 0, raw, f->hdr_len);
	lvdpa_net_hdr_read(raw, f->hdr_len, f->o.be, h);
	lvdpa_tr_buf_read(f, (unsigned int)cookie, f->hdr_len, data,
			  ulen - f->hdr_len);
	*len = ulen - f->hdr_len;
	n = f->hdr_len == LVDPA_NET_HDR_LEN_MRG ? h->num_buffers : 1;
	for (k = 1; k < n; k++) {
		if (lvdpa_ring_drv_get_used(&f->grx, &cookie, &ulen) != 1)
			return -1;
		lvdpa_tr_buf_read(f, (unsigned int)cookie, 0, data + *len, ulen);
		*len += ulen;
	}
	return 1;
}

/* ---- test device ---- */

/* Take every TX packet; then deliver pending packets into RX buffers. */
static inline int
lvdpa_tr_dev_step(struct lvdpa_tr *f)
{
	bool mrg = !!(f->o.features &
		      LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_MRG_RXBUF));
	struct lvdpa_ring_iov iov[LVDPA_TR_IOV];
	struct lvdpa_ring_chain ch;
	unsigned int moved = 0, i;
	int ret;

	if (!f->dev_up)
		return 0;
	while (f->npkt < LVDPA_TR_MAX_PKT &&
	       (ret = lvdpa_ring_dev_pop(&f->dtx, &ch, iov, LVDPA_TR_IOV)) == 1) {
		struct lvdpa_tr_pkt *p = &f->pkt[f->npkt++];

		if (ch.out_len < LVDPA_NET_HDR_LEN_MRG ||
		    ch.out_len - LVDPA_NET_HDR_LEN_MRG > sizeof(p->data))
			return -EBADMSG;
		lvdpa_ring_iov_read(iov, ch.nout, 0, p->hdr, sizeof(p->hdr));
		memcpy(f->dev_last_tx_hdr, p->hdr, sizeof(p->hdr));
		p->len = ch.out_len - LVDPA_NET_HDR_LEN_MRG;
		lvdpa_ring_iov_read(iov, ch.nout, LVDPA_NET_HDR_LEN_MRG, p->data,
				    p->len);
		lvdpa_ring_dev_push(&f->dtx, &ch, 0);
		f->dev_tx_seen++;
		moved++;
	}
	lvdpa_ring_dev_flush(&f->dtx);
	/* RX: one packet at a time, in order; stop when buffers run out. */
	while (f->npkt > 0) {
		struct lvdpa_tr_pkt *p = &f->pkt[0];
		struct lvdpa_ring_chain chs[16];
		struct lvdpa_net_hdr h;
		uint32_t total = LVDPA_NET_HDR_LEN_MRG + p->len, done = 0;
		uint32_t put[16];
		uint8_t hdr[LVDPA_NET_HDR_LEN_MRG];
		struct lvdpa_ring_iov fiov[LVDPA_TR_IOV];
		unsigned int n = 0, fnin = 0;

		lvdpa_net_hdr_read(p->hdr, LVDPA_NET_HDR_LEN_MRG, false, &h);
		while (done < total && n < 16) {
			uint32_t room, w, from;

			ret = lvdpa_ring_dev_pop(&f->drx, &chs[n], iov, LVDPA_TR_IOV);
			if (ret != 1)
				break;
			room = chs[n].in_len;
			w = total - done < room ? total - done : room;
			/* Without merging the whole packet must fit one buffer. */
			if (!mrg && w < total)
				return -EMSGSIZE;
			from = 0;
			if (done == 0) {
				h.num_buffers = 0; /* set once n is known */
				lvdpa_net_hdr_write(hdr, LVDPA_NET_HDR_LEN_MRG,
						    false, &h);
				lvdpa_ring_iov_write(&f->drx, iov + chs[n].nout,
						     chs[n].nin, 0, hdr,
						     LVDPA_NET_HDR_LEN_MRG);
				from = LVDPA_NET_HDR_LEN_MRG;
				fnin = chs[n].nin;
				memcpy(fiov, iov + chs[n].nout,
				       fnin * sizeof(iov[0]));
			}
			lvdpa_ring_iov_write(&f->drx, iov + chs[n].nout,
					     chs[n].nin, from,
					     p->data + (done + from -
							LVDPA_NET_HDR_LEN_MRG),
					     w - from);
			put[n] = w;
			done += w;
			n++;
			if (done == total)
				break;
		}
		if (done < total) {
			lvdpa_ring_dev_unpop(&f->drx, n);
			break;
		}
		/* num_buffers, now that n is known, into the first buffer. */
		{
			uint16_t nb = rte_cpu_to_le_16((uint16_t)n);

			lvdpa_ring_iov_write(&f->drx, fiov, fnin, 10, &nb, 2);
			for (i = 0; i < n; i++)
				lvdpa_ring_dev_push(&f->drx, &chs[i], put[i]);
		}
		memmove(&f->pkt[0], &f->pkt[1], (f->npkt - 1) * sizeof(f->pkt[0]));
		f->npkt--;
		moved++;
	}
	lvdpa_ring_dev_flush(&f->drx);
	return (int)moved;
}

/* ---- relay driving and checks ---- */

static inline int
lvdpa_tr_poll(struct lvdpa_tr *f)
{
	int a = lvdpa_relay_poll(f->tx, 64), b = lvdpa_relay_poll(f->rx, 64);

	if (a < 0)
		return a;
	if (b < 0)
		return b;
	return a + b;
}

/* Is [addr, addr + len) inside an allowed relay-write range? */
static inline bool
lvdpa_tr_allowed(struct lvdpa_tr *f, uint64_t addr, uint64_t len)
{
	uint64_t used_bytes = lvdpa_ring_device_bytes(f->o.size, false, true);
	unsigned int b;

	if ((addr >= LVDPA_TR_TX_USED && addr + len <= LVDPA_TR_TX_USED + used_bytes) ||
	    (addr >= LVDPA_TR_RX_USED && addr + len <= LVDPA_TR_RX_USED + used_bytes))
		return true;
	/* RX headers: the first hdr_len bytes of an RX buffer. */
	for (b = 0; b < LVDPA_TR_MAX_BUF && b < f->nbuf; b++) {
		const struct lvdpa_tr_buf *tb = &f->buf[b];

		if (tb->rx && addr >= tb->addr[0] &&
		    addr + len <= tb->addr[0] + f->hdr_len)
			return true;
	}
	return false;
}

static inline void
lvdpa_tr_snap(struct lvdpa_tr *f)
{
	memcpy(f->snap, f->mem, LVDPA_TR_MEM);
	f->nlog = 0;
}

/*
 * Since the snapshot: every changed byte is in a used ring or an RX header
 * (never payload), every logged range too, and the changed pages are
 * exactly the logged pages.
 * @return 0, or -1 with a message
 */
static inline int
lvdpa_tr_check_writes(struct lvdpa_tr *f)
{
	static bool changed[LVDPA_TR_NPAGES], logged[LVDPA_TR_NPAGES];
	unsigned int i;

	memset(changed, 0, sizeof(changed));
	memset(logged, 0, sizeof(logged));
	LVDPA_TEST_ASSERT(f->nlog <= LVDPA_TR_MAX_LOG, "log overflow");
	for (i = 0; i < LVDPA_TR_MEM; i++) {
		if (f->mem[i] == f->snap[i])
			continue;
		LVDPA_TEST_ASSERT(lvdpa_tr_allowed(f, LVDPA_TR_GPA + i, 1),
				  "relay wrote guest byte 0x%" PRIx64
				  " outside used rings and RX headers",
				  (uint64_t)(LVDPA_TR_GPA + i));
		changed[i / LVDPA_TR_PAGE] = true;
	}
	for (i = 0; i < f->nlog; i++) {
		uint64_t a = f->log[i].addr, l = f->log[i].len, p;

		LVDPA_TEST_ASSERT(l > 0 && lvdpa_tr_allowed(f, a, l),
				  "logged 0x%" PRIx64 "+%" PRIu64
				  " outside used rings and RX headers", a, l);
		for (p = (a - LVDPA_TR_GPA) / LVDPA_TR_PAGE;
		     p <= (a + l - 1 - LVDPA_TR_GPA) / LVDPA_TR_PAGE; p++)
			logged[p] = true;
	}
	for (i = 0; i < LVDPA_TR_NPAGES; i++)
		LVDPA_TEST_ASSERT(changed[i] == logged[i],
				  "page %u changed %d logged %d", i, changed[i],
				  logged[i]);
	return 0;
}

#endif /* LVDPA_TEST_RELAY_COMMON_H */
