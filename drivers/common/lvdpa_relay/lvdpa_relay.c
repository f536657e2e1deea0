/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Shadow virtqueue relay: guest ring (device role, guest byte order) <->
 * shadow ring (driver role, little-endian) over the one walker. See
 * lvdpa_relay.h for the design.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_debug.h>
#include <rte_errno.h>
#include <rte_io.h>
#include <rte_log.h>

#include "lvdpa_net_hdr.h"
#include "lvdpa_relay.h"
#include "lvdpa_virtio.h"

RTE_LOG_REGISTER_SUFFIX(lvdpa_relay_logtype, relay, NOTICE);

#define LVDPA_RELAY_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, lvdpa_relay_logtype, \
		"lvdpa_relay: " fmt "\n", ## __VA_ARGS__)

/* Pieces a guest header may span (descriptors or memory regions). */
#define LVDPA_RELAY_HDR_PIECES 4
/* Offset of used.idx in a split ring's used area. */
#define LVDPA_RELAY_USED_IDX_OFF 2

/* What the relay remembers of one chain in flight on the shadow ring. */
struct lvdpa_relay_slot {
	struct lvdpa_ring_chain ch; /* guest chain: id for its used entry */
	uint32_t seq;               /* pop order, to know if stop may un-pop */
	uint32_t shadow_in;         /* writable bytes offered to the device */
	uint32_t out_payload;       /* TX: payload bytes, for the counters */
	uint16_t next_free;
	bool in_flight;
	uint8_t nhdr;
	struct {                    /* RX: where the guest header is */
		uint64_t addr;
		uint32_t len;
	} hdr[LVDPA_RELAY_HDR_PIECES];
};

enum lvdpa_relay_state {
	LVDPA_RELAY_STOPPED,
	LVDPA_RELAY_RUNNING,
	LVDPA_RELAY_ERROR,
};

struct lvdpa_relay {
	struct lvdpa_relay_config cfg;
	enum lvdpa_relay_state state;
	int error;
	struct lvdpa_ring guest;    /* device role, guest byte order */
	struct lvdpa_ring shadow;   /* driver role, little-endian */
	struct lvdpa_ring_mem shadow_mem; /* identity view over the area */
	uint16_t shadow_size;
	unsigned int guest_hdr_len; /* 10 or 12 */
	bool tx_hdr_convert;        /* TX headers differ from the device's */
	bool guest_mrg;
	/* area layout */
	uint64_t desc_off, avail_off, used_off, hdr_off;
	/* private slot table: the device's used ids are never trusted */
	struct lvdpa_relay_slot *slot;
	uint16_t free_slot;         /* head of the free list, shadow_size = none */
	uint16_t nflight;
	uint32_t pop_seq;
	bool parked;                /* a guest chain waits for shadow room */
	bool notify_on;             /* lvdpa_relay_idle enabled notifications */
	uint16_t rx_left;           /* RX, 12-byte header: buffers left of the packet */
	uint16_t shadow_used;       /* used entries collected (the ring is opaque) */
	uint16_t base_avail, base_used;
	struct lvdpa_ring_iov *iov;
	struct lvdpa_ring_seg *seg;
	unsigned int max_iov;
	struct lvdpa_relay_stats st;
};

/* ---- layout ---- */

static uint16_t
lvdpa_relay_default_shadow(uint16_t size, uint16_t shadow_size)
{
	if (shadow_size != 0)
		return shadow_size;
	/* Twice the guest's: a split header costs one extra descriptor. */
	return size > LVDPA_RING_MAX_SIZE / 2 ? LVDPA_RING_MAX_SIZE : 2 * size;
}

static bool
lvdpa_relay_pow2(uint16_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

static uint64_t
lvdpa_relay_layout(uint16_t shadow, uint64_t *desc, uint64_t *avail,
		   uint64_t *used, uint64_t *hdr)
{
	uint64_t off = 0;

	*desc = off;
	off = RTE_ALIGN_CEIL(off + lvdpa_ring_desc_bytes(shadow, false),
			     LVDPA_RELAY_AREA_ALIGN);
	*avail = off;
	off = RTE_ALIGN_CEIL(off + lvdpa_ring_driver_bytes(shadow, false, true),
			     LVDPA_RELAY_AREA_ALIGN);
	*used = off;
	off = RTE_ALIGN_CEIL(off + lvdpa_ring_device_bytes(shadow, false, true),
			     LVDPA_RELAY_AREA_ALIGN);
	*hdr = off;
	off += (uint64_t)shadow * LVDPA_RELAY_HDR_SLOT;
	return RTE_ALIGN_CEIL(off, LVDPA_RELAY_AREA_ALIGN);
}

uint64_t
lvdpa_relay_area_size(uint16_t size, uint16_t shadow_size)
{
	uint64_t d, a, u, h;
	uint16_t shadow = lvdpa_relay_default_shadow(size, shadow_size);

	if (!lvdpa_relay_pow2(size) || !lvdpa_relay_pow2(shadow) ||
	    size > LVDPA_RING_MAX_SIZE || shadow > LVDPA_RING_MAX_SIZE)
		return 0;
	return lvdpa_relay_layout(shadow, &d, &a, &u, &h);
}

/* The shadow ring's view: the area at its IOVA, nothing else. */
static int
lvdpa_relay_area_translate(void *opaque, uint64_t addr, uint64_t len,
			   int write, void **ptr, uint64_t *contig)
{
	struct lvdpa_relay *q = opaque;
	uint64_t off;

	RTE_SET_USED(write);
	if (addr < q->cfg.area_iova || addr - q->cfg.area_iova >= q->cfg.area_len)
		return -EFAULT;
	off = addr - q->cfg.area_iova;
	*ptr = (uint8_t *)q->cfg.area + off;
	*contig = RTE_MIN(len, q->cfg.area_len - off);
	return 0;
}

static inline uint8_t *
lvdpa_relay_hdr_host(struct lvdpa_relay *q, uint16_t slot)
{
	return (uint8_t *)q->cfg.area + q->hdr_off +
		(uint64_t)slot * LVDPA_RELAY_HDR_SLOT;
}

static inline uint64_t
lvdpa_relay_hdr_iova(const struct lvdpa_relay *q, uint16_t slot)
{
	return q->cfg.area_iova + q->hdr_off +
		(uint64_t)slot * LVDPA_RELAY_HDR_SLOT;
}

/* ---- life cycle ---- */

struct lvdpa_relay *
lvdpa_relay_create(const struct lvdpa_relay_config *cfg)
{
	struct lvdpa_relay *q;
	uint64_t need;
	uint16_t shadow;

	if (cfg == NULL || cfg->guest_mem == NULL || cfg->area == NULL ||
	    (cfg->dir != LVDPA_RELAY_RX && cfg->dir != LVDPA_RELAY_TX)) {
		rte_errno = EINVAL;
		return NULL;
	}
	/* Packed rings are modern-only: such guests never need the relay. */
	if (cfg->guest_features & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_RING_PACKED)) {
		LVDPA_RELAY_LOG(ERR, "packed guest rings are not relayed");
		rte_errno = EINVAL;
		return NULL;
	}
	shadow = lvdpa_relay_default_shadow(cfg->size, cfg->shadow_size);
	need = lvdpa_relay_area_size(cfg->size, cfg->shadow_size);
	if (need == 0 || cfg->area_len < need ||
	    ((uintptr_t)cfg->area % LVDPA_RELAY_AREA_ALIGN) != 0 ||
	    (cfg->area_iova % LVDPA_RELAY_AREA_ALIGN) != 0 ||
	    cfg->area_iova + cfg->area_len < cfg->area_iova) {
		LVDPA_RELAY_LOG(ERR, "bad sizes (%u/%u) or area (%" PRIu64
				" bytes, %" PRIu64 " needed, %u-byte aligned)",
				cfg->size, shadow, cfg->area_len, need,
				LVDPA_RELAY_AREA_ALIGN);
		rte_errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (q == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	q->cfg = *cfg;
	q->shadow_size = shadow;
	lvdpa_relay_layout(shadow, &q->desc_off, &q->avail_off, &q->used_off,
			   &q->hdr_off);
	q->guest_hdr_len = lvdpa_net_hdr_len(cfg->guest_features);
	q->tx_hdr_convert = cfg->guest_big_endian ||
			    q->guest_hdr_len != LVDPA_NET_HDR_LEN_MRG;
	q->guest_mrg = !!(cfg->guest_features &
			  LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_MRG_RXBUF));
	q->shadow_mem.translate = lvdpa_relay_area_translate;
	q->shadow_mem.opaque = q;
	/* A chain has at most size descriptors, each split by a few regions. */
	q->max_iov = 2u * cfg->size + 16;
	q->iov = calloc(q->max_iov, sizeof(*q->iov));
	q->seg = calloc(q->max_iov + 1, sizeof(*q->seg));
	q->slot = calloc(shadow, sizeof(*q->slot));
	if (q->iov == NULL || q->seg == NULL || q->slot == NULL) {
		lvdpa_relay_destroy(q);
		rte_errno = ENOMEM;
		return NULL;
	}
	q->state = LVDPA_RELAY_STOPPED;
	return q;
}

void
lvdpa_relay_destroy(struct lvdpa_relay *q)
{
	if (q == NULL)
		return;
	lvdpa_ring_fini(&q->guest);
	lvdpa_ring_fini(&q->shadow);
	free(q->iov);
	free(q->seg);
	free(q->slot);
	free(q);
}

void
lvdpa_relay_shadow(const struct lvdpa_relay *q, struct lvdpa_relay_shadow *s)
{
	s->size = q->shadow_size;
	s->desc_iova = q->cfg.area_iova + q->desc_off;
	s->avail_iova = q->cfg.area_iova + q->avail_off;
	s->used_iova = q->cfg.area_iova + q->used_off;
}

int
lvdpa_relay_set_base(struct lvdpa_relay *q, uint16_t avail_idx,
		     uint16_t used_idx)
{
	if (q->state == LVDPA_RELAY_RUNNING)
		return -EBUSY;
	q->base_avail = avail_idx;
	q->base_used = used_idx;
	return 0;
}

void
lvdpa_relay_get_base(const struct lvdpa_relay *q, uint16_t *avail_idx,
		     uint16_t *used_idx)
{
	*avail_idx = q->base_avail;
	*used_idx = q->base_used;
	if (q->state != LVDPA_RELAY_STOPPED)
		lvdpa_ring_get_base(&q->guest, avail_idx, used_idx);
}

static void
lvdpa_relay_slots_reset(struct lvdpa_relay *q)
{
	uint16_t i;

	for (i = 0; i < q->shadow_size; i++) {
		q->slot[i].in_flight = false;
		q->slot[i].next_free = (uint16_t)(i + 1);
	}
	q->free_slot = 0;
	q->nflight = 0;
	q->parked = false;
	q->rx_left = 0;
}

int
lvdpa_relay_start(struct lvdpa_relay *q)
{
	const struct lvdpa_relay_config *c = &q->cfg;
	struct lvdpa_ring_config gc = {
		.size = c->size,
		.event_idx = !!(c->guest_features &
				LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_EVENT_IDX)),
		.indirect = !!(c->guest_features &
			       LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_INDIRECT_DESC)),
		.big_endian = c->guest_big_endian,
		.desc_addr = c->desc_addr,
		.driver_addr = c->avail_addr,
		.device_addr = c->used_addr,
		.mem = c->guest_mem,
		.driver_role = false,
	};
	struct lvdpa_ring_config sc = {
		.size = q->shadow_size,
		.event_idx = c->shadow_event_idx,
		.big_endian = false,
		.desc_addr = c->area_iova + q->desc_off,
		.driver_addr = c->area_iova + q->avail_off,
		.device_addr = c->area_iova + q->used_off,
		.mem = &q->shadow_mem,
		.driver_role = true,
		/* The device side is DMA hardware: rte_io_* barriers. */
		.dma_peer = true,
	};
	int ret;

	if (q->state != LVDPA_RELAY_STOPPED)
		return -EALREADY;
	lvdpa_ring_fini(&q->guest);
	lvdpa_ring_fini(&q->shadow);
	/* A fresh shadow ring: the device starts it at 0/0. */
	memset(c->area, 0, lvdpa_relay_area_size(c->size, c->shadow_size));
	ret = lvdpa_ring_init(&q->guest, &gc);
	if (ret == 0)
		ret = lvdpa_ring_init(&q->shadow, &sc);
	if (ret < 0) {
		LVDPA_RELAY_LOG(ERR, "cannot start: %s", strerror(-ret));
		lvdpa_ring_fini(&q->guest);
		lvdpa_ring_fini(&q->shadow);
		memset(&q->guest, 0, sizeof(q->guest));
		memset(&q->shadow, 0, sizeof(q->shadow));
		return ret;
	}
	lvdpa_ring_set_base(&q->guest, q->base_avail, q->base_used);
	lvdpa_relay_slots_reset(q);
	q->pop_seq = 0;
	q->shadow_used = 0;
	q->error = 0;
	q->state = LVDPA_RELAY_RUNNING;
	/* Busy until the first idle: no kicks, no device interrupts. */
	lvdpa_ring_dev_set_kick(&q->guest, false);
	lvdpa_ring_drv_set_call(&q->shadow, false);
	q->notify_on = false;
	return 0;
}

/* Stop the queue on the first error, counted by kind; logged once a start. */
static int __rte_cold
lvdpa_relay_fail(struct lvdpa_relay *q, uint64_t *counter, int err,
		 const char *why)
{
	(*counter)++;
	if (q->state == LVDPA_RELAY_RUNNING) {
		q->state = LVDPA_RELAY_ERROR;
		q->error = err;
		LVDPA_RELAY_LOG(ERR, "%s queue (guest ring 0x%" PRIx64
				") stopped: %s (%s)",
				q->cfg.dir == LVDPA_RELAY_RX ? "RX" : "TX",
				q->cfg.desc_addr, why, strerror(-err));
	}
	return q->error;
}

/* ---- guest memory access for headers ---- */

/* Copy between a guest range and buf, piece by piece through the view. */
static int
lvdpa_relay_guest_rw(struct lvdpa_relay *q, uint64_t addr, void *buf,
		     uint32_t len, bool write)
{
	const struct lvdpa_ring_mem *m = q->cfg.guest_mem;
	uint32_t done = 0;

	while (done < len) {
		uint64_t contig = len - done;
		void *ptr = lvdpa_ring_mem_window(m, addr + done, contig, write);

		if (ptr == NULL &&
		    (m->translate(m->opaque, addr + done, len - done, write,
				  &ptr, &contig) < 0 || contig == 0 || ptr == NULL))
			return -EFAULT;
		contig = RTE_MIN(contig, (uint64_t)(len - done));
		/* Headers only: the guest often holds the same one already. */
		if (write)
			lvdpa_ring_store_changed(ptr, (uint8_t *)buf + done, contig);
		else
			memcpy((uint8_t *)buf + done, ptr, contig);
		done += contig;
	}
	if (write && m->log_write != NULL)
		m->log_write(m->opaque, addr, len);
	return 0;
}

static int
lvdpa_relay_hdr_access(struct lvdpa_relay *q, struct lvdpa_relay_slot *s,
		       uint8_t *buf, bool write)
{
	unsigned int i;
	uint32_t off = 0;
	int ret;

	for (i = 0; i < s->nhdr; i++) {
		ret = lvdpa_relay_guest_rw(q, s->hdr[i].addr, buf + off,
					   s->hdr[i].len, write);
		if (ret < 0)
			return ret;
		off += s->hdr[i].len;
	}
	return 0;
}

/*
 * A 12-byte RX header the device wrote: read in place when it lies whole in
 * the view's window, as it does but for headers split across buffers.
 */
static int
lvdpa_relay_hdr_read_mrg(struct lvdpa_relay *q, struct lvdpa_relay_slot *s,
			 uint8_t raw[LVDPA_NET_HDR_LEN_MRG])
{
	const uint8_t *p = NULL;

	if (s->nhdr == 1)
		p = lvdpa_ring_mem_window(q->cfg.guest_mem, s->hdr[0].addr,
					  LVDPA_NET_HDR_LEN_MRG, false);
	if (p == NULL)
		return lvdpa_relay_hdr_access(q, s, raw, false);
	memcpy(raw, p, LVDPA_NET_HDR_LEN_MRG);
	return 0;
}

/* ---- guest -> shadow ---- */

/*
 * Append iovs [first, first + n) from byte @p skip on to the shadow
 * segments, merging pieces contiguous in guest memory. The count is kept
 * in a local: through the pointer, every segment store would reload it.
 * Inlined: a chain has one or two pieces, fewer than the call's cost.
 */
static __rte_always_inline int
lvdpa_relay_add_segs(struct lvdpa_relay *q, unsigned int *nseg,
		     const struct lvdpa_ring_iov *iov, unsigned int n,
		     uint32_t skip)
{
	struct lvdpa_ring_seg *seg = q->seg;
	unsigned int k = *nseg, i;

	for (i = 0; i < n; i++) {
		uint64_t addr = iov[i].addr;
		uint32_t len = iov[i].len;

		if (skip != 0) {
			if (skip >= len) {
				skip -= len;
				continue;
			}
			addr += skip;
			len -= skip;
			skip = 0;
		}
		if (k != 0 && seg[k - 1].write == iov[i].write &&
		    seg[k - 1].addr + seg[k - 1].len == addr &&
		    (uint64_t)seg[k - 1].len + len <= UINT32_MAX) {
			seg[k - 1].len += len;
			continue;
		}
		if (k > q->max_iov)
			return -E2BIG;
		seg[k].addr = addr;
		seg[k].len = len;
		seg[k].write = iov[i].write;
		k++;
	}
	*nseg = k;
	return 0;
}

/* Record where the first @p len bytes of the writable iovs are. */
static int
lvdpa_relay_note_hdr(struct lvdpa_relay_slot *s,
		     const struct lvdpa_ring_iov *iov, unsigned int n,
		     uint32_t len)
{
	unsigned int i;

	s->nhdr = 0;
	for (i = 0; i < n && len > 0; i++) {
		uint32_t take = RTE_MIN(len, iov[i].len);

		if (take == 0)
			continue;
		if (s->nhdr == LVDPA_RELAY_HDR_PIECES)
			return -E2BIG;
		s->hdr[s->nhdr].addr = iov[i].addr;
		s->hdr[s->nhdr].len = take;
		s->nhdr++;
		len -= take;
	}
	return len == 0 ? 0 : -EINVAL;
}

/* Shadow segments for a guest TX chain; a header to convert goes to the slot. */
static int
lvdpa_relay_tx_segs(struct lvdpa_relay *q, uint16_t si,
		    const struct lvdpa_ring_chain *ch, unsigned int *nseg)
{
	struct lvdpa_relay_slot *s = &q->slot[si];
	uint8_t raw[LVDPA_NET_HDR_LEN_MRG];
	struct lvdpa_net_hdr h;

	if (ch->out_len < q->guest_hdr_len)
		return -EINVAL;
	s->nhdr = 0;
	s->shadow_in = ch->in_len;
	s->out_payload = ch->out_len - q->guest_hdr_len;
	*nseg = 0;
	/*
	 * A little-endian 12-byte header is already the device's layout:
	 * the guest's bytes go as they are, unread (its cache lines are the
	 * other CPU's until the device reads them anyway).
	 */
	if (!q->tx_hdr_convert)
		return lvdpa_relay_add_segs(q, nseg, q->iov, ch->nout + ch->nin, 0);
	lvdpa_ring_iov_read(q->iov, ch->nout, 0, raw, q->guest_hdr_len);
	lvdpa_net_hdr_read(raw, q->guest_hdr_len, q->cfg.guest_big_endian, &h);
	h.num_buffers = 0; /* unused on TX */
	lvdpa_net_hdr_write(lvdpa_relay_hdr_host(q, si), LVDPA_NET_HDR_LEN_MRG,
			    false, &h);
	q->seg[0].addr = lvdpa_relay_hdr_iova(q, si);
	q->seg[0].len = LVDPA_NET_HDR_LEN_MRG;
	q->seg[0].write = false;
	*nseg = 1;
	return lvdpa_relay_add_segs(q, nseg, q->iov, ch->nout + ch->nin,
				    q->guest_hdr_len);
}

/* Shadow segments for a guest RX chain. */
static int
lvdpa_relay_rx_segs(struct lvdpa_relay *q, uint16_t si,
		    const struct lvdpa_ring_chain *ch, unsigned int *nseg)
{
	struct lvdpa_relay_slot *s = &q->slot[si];
	int ret;

	/* A receive buffer is device-writable from its first byte. */
	if (ch->nout != 0 || ch->in_len < q->guest_hdr_len)
		return -EINVAL;
	ret = lvdpa_relay_note_hdr(s, q->iov, ch->nin, q->guest_hdr_len);
	if (ret < 0)
		return ret;
	s->out_payload = 0;
	*nseg = 0;
	if (q->guest_hdr_len == LVDPA_NET_HDR_LEN_MRG) {
		/* Same header length: the guest's buffer as it is. */
		s->shadow_in = ch->in_len;
		return lvdpa_relay_add_segs(q, nseg, q->iov, ch->nin, 0);
	}
	q->seg[0].addr = lvdpa_relay_hdr_iova(q, si);
	q->seg[0].len = LVDPA_NET_HDR_LEN_MRG;
	q->seg[0].write = true;
	*nseg = 1;
	s->shadow_in = LVDPA_NET_HDR_LEN_MRG + ch->in_len - q->guest_hdr_len;
	return lvdpa_relay_add_segs(q, nseg, q->iov, ch->nin, q->guest_hdr_len);
}

static int
lvdpa_relay_avail(struct lvdpa_relay *q, unsigned int budget)
{
	unsigned int moved = 0;
	int ret;

	while (moved < budget && !q->parked) {
		struct lvdpa_ring_chain ch;
		struct lvdpa_relay_slot *s;
		unsigned int nseg = 0;
		uint16_t si = q->free_slot;

		/* One slot per shadow chain in flight: none left is no room. */
		if (si >= q->shadow_size) {
			q->parked = true;
			q->st.parked++;
			break;
		}
		ret = lvdpa_ring_dev_pop(&q->guest, &ch, q->iov, q->max_iov);
		if (ret == 0)
			break;
		if (ret < 0)
			return lvdpa_relay_fail(q, &q->st.err_guest_ring, ret,
						"guest ring");
		s = &q->slot[si];
		ret = q->cfg.dir == LVDPA_RELAY_TX ?
			lvdpa_relay_tx_segs(q, si, &ch, &nseg) :
			lvdpa_relay_rx_segs(q, si, &ch, &nseg);
		if (ret < 0)
			return lvdpa_relay_fail(q, &q->st.err_guest_layout,
						-EBADMSG, "guest chain layout");
		ret = lvdpa_ring_drv_add(&q->shadow, q->seg, nseg, 0, si);
		if (ret == -ENOSPC) {
			/* Give the chain back; it waits for used buffers. */
			lvdpa_ring_dev_unpop(&q->guest, 1);
			q->parked = true;
			q->st.parked++;
			break;
		}
		if (ret < 0)
			return lvdpa_relay_fail(q, &q->st.err_guest_layout,
						-EBADMSG, "chain too long for the shadow ring");
		q->free_slot = s->next_free;
		s->ch = ch;
		s->seq = q->pop_seq++;
		s->in_flight = true;
		q->nflight++;
		if (q->cfg.dir == LVDPA_RELAY_TX) {
			/* Counted here: a parked chain is converted again. */
			if (q->tx_hdr_convert)
				q->st.hdr_conversions++;
			q->st.tx_packets++;
			q->st.tx_bytes += s->out_payload;
		}
		moved++;
	}
	if (moved != 0) {
		/* Descriptors reach DMA reads before the index (outer domain). */
		rte_io_wmb();
		if (lvdpa_ring_drv_publish(&q->shadow) && q->cfg.dev_kick) {
			q->st.dev_kicks++;
			q->cfg.dev_kick(q->cfg.opaque);
		}
	}
	return (int)moved;
}

/* ---- shadow -> guest ---- */

/* An RX buffer came back with @p len bytes: fix its header, return its length. */
static int
lvdpa_relay_rx_done(struct lvdpa_relay *q, uint16_t si, uint32_t len,
		    uint32_t *glen)
{
	struct lvdpa_relay_slot *s = &q->slot[si];
	uint8_t raw[LVDPA_NET_HDR_LEN_MRG];
	struct lvdpa_net_hdr h;
	uint16_t num_buffers;

	if (len > s->shadow_in)
		return lvdpa_relay_fail(q, &q->st.err_dev_len, -EBADMSG,
					"used length beyond the buffer");
	q->st.rx_buffers++;
	if (q->guest_hdr_len == LVDPA_NET_HDR_LEN_LEGACY) {
		/* One buffer per packet: 12 LE in the slot -> 10 at the guest. */
		if (len < LVDPA_NET_HDR_LEN_MRG)
			return lvdpa_relay_fail(q, &q->st.err_dev_len, -EBADMSG,
						"used length below the header");
		lvdpa_net_hdr_read(lvdpa_relay_hdr_host(q, si),
				   LVDPA_NET_HDR_LEN_MRG, false, &h);
		if (h.num_buffers != 1)
			return lvdpa_relay_fail(q, &q->st.err_dev_hdr, -EBADMSG,
						"num_buffers not 1 without merging");
		lvdpa_net_hdr_write(raw, LVDPA_NET_HDR_LEN_LEGACY,
				    q->cfg.guest_big_endian, &h);
		if (lvdpa_relay_hdr_access(q, s, raw, true) < 0)
			return lvdpa_relay_fail(q, &q->st.err_guest_ring,
						-EFAULT, "guest header unmapped");
		q->st.hdr_conversions++;
		q->st.rx_packets++;
		q->st.rx_bytes += len - LVDPA_NET_HDR_LEN_MRG;
		*glen = len - (LVDPA_NET_HDR_LEN_MRG - LVDPA_NET_HDR_LEN_LEGACY);
		return 0;
	}
	*glen = len;
	if (q->rx_left != 0) {
		/* A following buffer of a merged packet: payload only. */
		q->rx_left--;
		q->st.rx_bytes += len;
		return 0;
	}
	if (len < LVDPA_NET_HDR_LEN_MRG)
		return lvdpa_relay_fail(q, &q->st.err_dev_len, -EBADMSG,
					"used length below the header");
	if (lvdpa_relay_hdr_read_mrg(q, s, raw) < 0)
		return lvdpa_relay_fail(q, &q->st.err_guest_ring, -EFAULT,
					"guest header unmapped");
	/* The last two bytes, little-endian as the device wrote them. */
	num_buffers = (uint16_t)(raw[LVDPA_NET_HDR_LEN_MRG - 2] |
				 raw[LVDPA_NET_HDR_LEN_MRG - 1] << 8);
	if (num_buffers == 0 || (!q->guest_mrg && num_buffers != 1))
		return lvdpa_relay_fail(q, &q->st.err_dev_hdr, -EBADMSG,
					"bad num_buffers");
	q->rx_left = num_buffers - 1;
	if (q->cfg.guest_big_endian) {
		/* Only a big-endian guest needs the device's header converted. */
		lvdpa_net_hdr_read(raw, LVDPA_NET_HDR_LEN_MRG, false, &h);
		lvdpa_net_hdr_write(raw, LVDPA_NET_HDR_LEN_MRG, true, &h);
		if (lvdpa_relay_hdr_access(q, s, raw, true) < 0)
			return lvdpa_relay_fail(q, &q->st.err_guest_ring,
						-EFAULT, "guest header unmapped");
		q->st.hdr_conversions++;
	}
	q->st.rx_packets++;
	q->st.rx_bytes += len - LVDPA_NET_HDR_LEN_MRG;
	return 0;
}

static void
lvdpa_relay_slot_free(struct lvdpa_relay *q, uint16_t si)
{
	q->slot[si].in_flight = false;
	q->slot[si].next_free = q->free_slot;
	q->free_slot = si;
	q->nflight--;
}

static void
lvdpa_relay_guest_flush(struct lvdpa_relay *q)
{
	lvdpa_ring_dev_flush(&q->guest);
	if (lvdpa_ring_dev_need_notify(&q->guest) && q->cfg.guest_call) {
		q->st.guest_calls++;
		q->cfg.guest_call(q->cfg.opaque);
	}
}

static int
lvdpa_relay_used(struct lvdpa_relay *q, unsigned int budget)
{
	unsigned int moved = 0;
	int ret = 0;

	while (moved < budget) {
		uint64_t cookie;
		uint32_t len, glen = 0;
		uint16_t si;

		ret = lvdpa_ring_drv_get_used(&q->shadow, &cookie, &len);
		if (ret == 0)
			break;
		if (ret < 0) {
			ret = lvdpa_relay_fail(q, &q->st.err_dev_used, ret,
					       "device used entry");
			break;
		}
		q->shadow_used++;
		/* The used entry before the header the device wrote (DMA). */
		rte_io_rmb();
		si = (uint16_t)cookie;
		/* The walker checked the id; the cookie is ours. */
		RTE_ASSERT(si < q->shadow_size && q->slot[si].in_flight);
		if (q->cfg.dir == LVDPA_RELAY_RX) {
			ret = lvdpa_relay_rx_done(q, si, len, &glen);
			if (ret < 0) {
				/* Keep the slot: stop returns it unused. */
				break;
			}
		}
		ret = lvdpa_ring_dev_push(&q->guest, &q->slot[si].ch, glen);
		if (ret < 0) {
			ret = lvdpa_relay_fail(q, &q->st.err_guest_ring, ret,
					       "guest used ring");
			break;
		}
		lvdpa_relay_slot_free(q, si);
		q->parked = false;
		moved++;
	}
	if (moved != 0)
		lvdpa_relay_guest_flush(q);
	return ret < 0 ? ret : (int)moved;
}

int
lvdpa_relay_poll(struct lvdpa_relay *q, unsigned int budget)
{
	int a, b;

	if (q->state == LVDPA_RELAY_ERROR)
		return q->error;
	if (q->state != LVDPA_RELAY_RUNNING)
		return -ENOTCONN;
	if (q->notify_on) {
		/* Busy again: poll instead of taking exits and interrupts. */
		lvdpa_ring_dev_set_kick(&q->guest, false);
		lvdpa_ring_drv_set_call(&q->shadow, false);
		q->notify_on = false;
	}
	/* Used first: returned buffers make room for parked chains. */
	a = lvdpa_relay_used(q, budget);
	if (a < 0)
		return a;
	b = lvdpa_relay_avail(q, budget);
	if (b < 0)
		return b;
	return a + b;
}

/* Has the device returned used entries not yet collected? */
static bool
lvdpa_relay_shadow_used_pending(struct lvdpa_relay *q)
{
	const volatile uint16_t *idx = (const volatile uint16_t *)
		((uint8_t *)q->cfg.area + q->used_off + LVDPA_RELAY_USED_IDX_OFF);

	return rte_le_to_cpu_16(*idx) != q->shadow_used;
}

bool
lvdpa_relay_idle(struct lvdpa_relay *q)
{
	if (q->state != LVDPA_RELAY_RUNNING)
		return true;
	/* Both set_* end with a full barrier before our re-checks. */
	lvdpa_ring_dev_set_kick(&q->guest, true);
	lvdpa_ring_drv_set_call(&q->shadow, true);
	q->notify_on = true;
	if (lvdpa_relay_shadow_used_pending(q))
		return false;
	/*
	 * A parked chain waits for used entries, which the device returns
	 * soon: polling for them beats sleeping until its interrupt.
	 */
	return !q->parked && !lvdpa_ring_dev_avail(&q->guest);
}

/* Order (age << 16 | slot) keys oldest first. */
static int
lvdpa_relay_age_cmp(const void *a, const void *b)
{
	uint64_t ka = *(const uint64_t *)a, kb = *(const uint64_t *)b;

	return ka < kb ? 1 : ka > kb ? -1 : 0;
}

void
lvdpa_relay_stop(struct lvdpa_relay *q)
{
	uint32_t max_age = 0;
	uint64_t *key;
	uint16_t i, n, k = 0;

	if (q->state == LVDPA_RELAY_STOPPED)
		return;
	/* Forward what the device completed before it stopped. */
	if (q->state == LVDPA_RELAY_RUNNING)
		lvdpa_relay_used(q, q->shadow_size);
	n = q->nflight;
	/* Ages, not sequence numbers: those wrap after 2^32 chains. */
	for (i = 0; i < q->shadow_size; i++)
		if (q->slot[i].in_flight)
			max_age = RTE_MAX(max_age, q->pop_seq - q->slot[i].seq);
	if (n != 0 && max_age == n) {
		/* The last n popped: the guest ring can take them back. */
		lvdpa_ring_dev_unpop(&q->guest, n);
		q->st.unpopped += n;
	} else if (n != 0) {
		/* Out of order: return them unused, oldest first if we can. */
		key = calloc(n, sizeof(*key));
		for (i = 0; i < q->shadow_size; i++) {
			if (!q->slot[i].in_flight)
				continue;
			if (key == NULL) {
				if (lvdpa_ring_dev_push(&q->guest, &q->slot[i].ch, 0) == 0)
					q->st.returned_unused++;
				continue;
			}
			key[k++] = (uint64_t)(q->pop_seq - q->slot[i].seq) << 16 | i;
		}
		if (key != NULL) {
			qsort(key, k, sizeof(*key), lvdpa_relay_age_cmp);
			for (i = 0; i < k; i++)
				if (lvdpa_ring_dev_push(&q->guest,
						&q->slot[key[i] & 0xffff].ch, 0) == 0)
					q->st.returned_unused++;
			free(key);
		}
		lvdpa_relay_guest_flush(q);
	}
	lvdpa_relay_slots_reset(q);
	lvdpa_ring_get_base(&q->guest, &q->base_avail, &q->base_used);
	q->state = LVDPA_RELAY_STOPPED;
}

void
lvdpa_relay_stats_get(const struct lvdpa_relay *q, struct lvdpa_relay_stats *st)
{
	*st = q->st;
}

void
lvdpa_relay_stats_reset(struct lvdpa_relay *q)
{
	memset(&q->st, 0, sizeof(q->st));
}

int
lvdpa_relay_error(const struct lvdpa_relay *q)
{
	return q->state == LVDPA_RELAY_ERROR ? q->error : 0;
}
