/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_RING_PRIV_H
#define LVDPA_RING_PRIV_H

/*
 * Private to lvdpa_ring: byte order and barrier helpers, the chain builder
 * shared by the split and packed walkers, and the per-layout entry points
 * the public functions dispatch to.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_atomic.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_io.h>
#include <rte_log.h>
#include <rte_prefetch.h>

#include "lvdpa_ring.h"
#include "lvdpa_virtio.h"

extern int lvdpa_ring_logtype;

#define LVDPA_RING_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, lvdpa_ring_logtype, \
		"lvdpa_ring: " fmt "\n", ## __VA_ARGS__)

/* Descriptor size, split and packed alike. */
#define LVDPA_RING_DESC_SIZE 16u

/* Split ring offsets (virtio 1.2, 2.7). */
#define LVDPA_RING_AVAIL_FLAGS 0
#define LVDPA_RING_AVAIL_IDX   2
#define LVDPA_RING_AVAIL_RING  4
#define LVDPA_RING_USED_FLAGS  0
#define LVDPA_RING_USED_IDX    2
#define LVDPA_RING_USED_RING   4
#define LVDPA_RING_USED_ELEM_SIZE 8u

/* Packed event suppression offsets (virtio 1.2, 2.8.10). */
#define LVDPA_RING_EVENT_OFF_WRAP 0
#define LVDPA_RING_EVENT_FLAGS    2

/*
 * Marks @p r broken with @p err (first error wins: it is sticky), logs the
 * reason rate-limited (a hostile guest must not flood the log) and returns
 * the sticky error.
 */
int lvdpa_ring_bad(struct lvdpa_ring *r, int err, const char *fmt, ...)
	__rte_cold __rte_format_printf(3, 4);

/* ---- byte order: it belongs to the ring, never to the features ---- */

/*
 * Driver-role barriers: CPU strength for a CPU peer, I/O strength when the
 * ring feeds DMA hardware (cfg.dma_peer: on Arm, outer-shareable). The
 * same instructions on x86.
 */
static inline void
lvdpa_ring_drv_wmb(const struct lvdpa_ring *r)
{
	if (r->cfg.dma_peer)
		rte_io_wmb();
	else
		rte_smp_wmb();
}

static inline void
lvdpa_ring_drv_rmb(const struct lvdpa_ring *r)
{
	if (r->cfg.dma_peer)
		rte_io_rmb();
	else
		rte_smp_rmb();
}

static inline void
lvdpa_ring_drv_mb(const struct lvdpa_ring *r)
{
	if (r->cfg.dma_peer)
		rte_io_mb();
	else
		rte_smp_mb();
}

static inline uint16_t
lvdpa_ring_to_cpu16(const struct lvdpa_ring *r, uint16_t v)
{
	return r->cfg.big_endian ? rte_be_to_cpu_16(v) : rte_le_to_cpu_16(v);
}

static inline uint32_t
lvdpa_ring_to_cpu32(const struct lvdpa_ring *r, uint32_t v)
{
	return r->cfg.big_endian ? rte_be_to_cpu_32(v) : rte_le_to_cpu_32(v);
}

static inline uint64_t
lvdpa_ring_to_cpu64(const struct lvdpa_ring *r, uint64_t v)
{
	return r->cfg.big_endian ? rte_be_to_cpu_64(v) : rte_le_to_cpu_64(v);
}

static inline uint16_t
lvdpa_ring_from_cpu16(const struct lvdpa_ring *r, uint16_t v)
{
	return r->cfg.big_endian ? rte_cpu_to_be_16(v) : rte_cpu_to_le_16(v);
}

static inline uint32_t
lvdpa_ring_from_cpu32(const struct lvdpa_ring *r, uint32_t v)
{
	return r->cfg.big_endian ? rte_cpu_to_be_32(v) : rte_cpu_to_le_32(v);
}

static inline uint64_t
lvdpa_ring_from_cpu64(const struct lvdpa_ring *r, uint64_t v)
{
	return r->cfg.big_endian ? rte_cpu_to_be_64(v) : rte_cpu_to_le_64(v);
}

/*
 * Shared-memory accesses. Fields the other side changes concurrently are
 * read and written exactly once (volatile), at aligned addresses (init
 * checks the area alignment).
 */
static inline uint16_t
lvdpa_ring_ld16(const struct lvdpa_ring *r, const void *base, size_t off)
{
	return lvdpa_ring_to_cpu16(r,
		*(const volatile uint16_t *)((const uint8_t *)base + off));
}

static inline uint32_t
lvdpa_ring_ld32(const struct lvdpa_ring *r, const void *base, size_t off)
{
	return lvdpa_ring_to_cpu32(r,
		*(const volatile uint32_t *)((const uint8_t *)base + off));
}

static inline void
lvdpa_ring_st16(const struct lvdpa_ring *r, void *base, size_t off, uint16_t v)
{
	*(volatile uint16_t *)((uint8_t *)base + off) =
		lvdpa_ring_from_cpu16(r, v);
}

static inline void
lvdpa_ring_st32(const struct lvdpa_ring *r, void *base, size_t off, uint32_t v)
{
	*(volatile uint32_t *)((uint8_t *)base + off) =
		lvdpa_ring_from_cpu32(r, v);
}

static inline void
lvdpa_ring_st64(const struct lvdpa_ring *r, void *base, size_t off, uint64_t v)
{
	*(volatile uint64_t *)((uint8_t *)base + off) =
		lvdpa_ring_from_cpu64(r, v);
}

/* A descriptor in CPU order; split uses next, packed uses id. */
struct lvdpa_ring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next_or_id;
};

/*
 * Decode a 16-byte descriptor from @p raw, stored big-endian if @p be,
 * reading shared memory once: the copy is followed by a compiler barrier,
 * so every later check and use sees the same values even if the other side
 * rewrites the descriptor meanwhile.
 * Split: addr, len, flags, next. Packed: addr, len, id, flags.
 */
static __rte_always_inline void
lvdpa_ring_desc_decode(const void *raw, bool be, bool packed,
		       struct lvdpa_ring_desc *d)
{
	struct {
		uint64_t addr;
		uint32_t len;
		uint16_t a;
		uint16_t b;
	} c;
	uint16_t a, b;

	memcpy(&c, raw, sizeof(c));
	rte_compiler_barrier();
	d->addr = be ? rte_be_to_cpu_64(c.addr) : rte_le_to_cpu_64(c.addr);
	d->len = be ? rte_be_to_cpu_32(c.len) : rte_le_to_cpu_32(c.len);
	a = be ? rte_be_to_cpu_16(c.a) : rte_le_to_cpu_16(c.a);
	b = be ? rte_be_to_cpu_16(c.b) : rte_le_to_cpu_16(c.b);
	d->flags = packed ? b : a;
	d->next_or_id = packed ? a : b;
}

/* A descriptor of @p r's table (or an indirect one), in the ring's order. */
static __rte_always_inline void
lvdpa_ring_desc_read(const struct lvdpa_ring *r, const void *raw, bool packed,
		     struct lvdpa_ring_desc *d)
{
	lvdpa_ring_desc_decode(raw, r->cfg.big_endian, packed, d);
}

/* Write a descriptor, all but the packed flags (the caller orders those). */
static inline void
lvdpa_ring_desc_write(const struct lvdpa_ring *r, void *raw, bool packed,
		      const struct lvdpa_ring_desc *d)
{
	lvdpa_ring_st64(r, raw, 0, d->addr);
	lvdpa_ring_st32(r, raw, 8, d->len);
	if (packed) {
		lvdpa_ring_st16(r, raw, 12, d->next_or_id);
	} else {
		lvdpa_ring_st16(r, raw, 12, d->flags);
		lvdpa_ring_st16(r, raw, 14, d->next_or_id);
	}
}

static inline void
lvdpa_ring_log(const struct lvdpa_ring *r, uint64_t addr, uint64_t len)
{
	if (r->cfg.mem->log_write != NULL)
		r->cfg.mem->log_write(r->cfg.mem->opaque, addr, len);
}

/* vring_need_event: did [old, new) pass the event index? (virtio 2.7.10) */
static inline bool
lvdpa_ring_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

/* ---- chain building shared by both layouts ---- */

struct lvdpa_ring_walk {
	struct lvdpa_ring_iov *iov;
	unsigned int max_iov;
	unsigned int niov;
	unsigned int nout;
	uint64_t out_len;
	uint64_t in_len;
	bool seen_write;
};

/*
 * Append descriptor [addr, addr + len) to the chain, as several iovs when it
 * crosses region boundaries. Returns 0 or the (sticky) error.
 * Inline so that the walk state stays in registers: perf put a pop's time
 * on reading it back from the stack, behind stores to guest memory that
 * waited for lines the guest's CPU held.
 */
static __rte_always_inline int
lvdpa_ring_walk_add(struct lvdpa_ring *r, struct lvdpa_ring_walk *w,
		    uint64_t addr, uint32_t len, bool write)
{
	const struct lvdpa_ring_mem *mem = r->cfg.mem;
	uint64_t left = len;

	/* Readable segments come first (virtio 2.7.4.2 / 2.8.6). */
	if (!write && w->seen_write)
		return lvdpa_ring_bad(r, -EPROTO,
				      "readable descriptor after a writable one");
	w->seen_write |= write;
	/* Used lengths and our totals are 32 bits. */
	if (w->out_len + w->in_len + len > UINT32_MAX)
		return lvdpa_ring_bad(r, -E2BIG, "chain longer than 4 GiB");
	/* A buffer wrapping the address space is no buffer. */
	if (addr + len < addr)
		return lvdpa_ring_bad(r, -EFAULT, "buffer 0x%" PRIx64
				      "+%u wraps", addr, len);
	while (left > 0) {
		struct lvdpa_ring_iov *v;
		uint64_t contig = 0;
		void *ptr = NULL;
		int ret;

		/* More pieces than the caller can take. */
		if (w->niov >= w->max_iov)
			return lvdpa_ring_bad(r, -E2BIG,
					      "chain needs more than %u iovs",
					      w->max_iov);
		ptr = lvdpa_ring_mem_window(mem, addr, left, write);
		if (ptr != NULL) {
			contig = left;
		} else {
			ret = mem->translate(mem->opaque, addr, left, write,
					     &ptr, &contig);
			/* Unmapped, or a view breaking its contract (0 < contig). */
			if (ret < 0 || contig == 0 || ptr == NULL)
				return lvdpa_ring_bad(r, -EFAULT, "buffer 0x%" PRIx64
						      "+%" PRIu64 " not mapped%s",
						      addr, left,
						      write ? " writable" : "");
			if (contig > left)
				contig = left;
		}
		v = &w->iov[w->niov++];
		v->base = ptr;
		v->addr = addr;
		v->len = (uint32_t)contig;
		v->write = write;
		if (!write)
			w->nout++;
		addr += contig;
		left -= contig;
	}
	if (write)
		w->in_len += len;
	else
		w->out_len += len;
	return 0;
}

/*
 * Read descriptor @p i of an indirect table at guest address @p table whose
 * host mapping is @p host when contiguous, NULL when the table crosses a
 * region boundary (then each descriptor is translated on its own).
 */
int lvdpa_ring_ind_read(struct lvdpa_ring *r, uint64_t table, const void *host,
			uint32_t i, bool packed, struct lvdpa_ring_desc *d);

/* Map an indirect table; *host is NULL when it is not contiguous. */
int lvdpa_ring_ind_map(struct lvdpa_ring *r, uint64_t table, uint32_t len,
		       const void **host);

/* Distance in slots from packed position @p from to @p to (bit 15: wrap). */
static inline unsigned int
lvdpa_ring_packed_dist(uint16_t size, uint16_t from, uint16_t to)
{
	unsigned int fpos = from & 0x7fff, tpos = to & 0x7fff;

	if ((from ^ to) & 0x8000)
		return tpos + size - fpos;
	if (tpos >= fpos)
		return tpos - fpos;
	return 2u * size; /* more than a lap: beyond any event */
}

/* ---- per-layout implementations ---- */

int lvdpa_ring_split_pop(struct lvdpa_ring *r, struct lvdpa_ring_chain *ch,
			 struct lvdpa_ring_iov *iov, unsigned int max_iov);
int lvdpa_ring_split_push(struct lvdpa_ring *r,
			  const struct lvdpa_ring_chain *ch, uint32_t len);
void lvdpa_ring_split_flush(struct lvdpa_ring *r);
bool lvdpa_ring_split_need_notify(struct lvdpa_ring *r);
void lvdpa_ring_split_set_kick(struct lvdpa_ring *r, bool enable);
bool lvdpa_ring_split_avail(struct lvdpa_ring *r);
unsigned int lvdpa_ring_split_peek(struct lvdpa_ring *r, unsigned int ahead,
				   uint64_t addr[2]);
int lvdpa_ring_split_add(struct lvdpa_ring *r, const struct lvdpa_ring_seg *seg,
			 unsigned int nseg, uint64_t indirect_addr,
			 uint64_t cookie);
bool lvdpa_ring_split_publish(struct lvdpa_ring *r);
int lvdpa_ring_split_get_used(struct lvdpa_ring *r, uint64_t *cookie,
			      uint32_t *len);
void lvdpa_ring_split_set_call(struct lvdpa_ring *r, bool enable);

int lvdpa_ring_packed_pop(struct lvdpa_ring *r, struct lvdpa_ring_chain *ch,
			  struct lvdpa_ring_iov *iov, unsigned int max_iov);
void lvdpa_ring_packed_unpop(struct lvdpa_ring *r, unsigned int n);
int lvdpa_ring_packed_push(struct lvdpa_ring *r,
			   const struct lvdpa_ring_chain *ch, uint32_t len);
bool lvdpa_ring_packed_need_notify(struct lvdpa_ring *r);
void lvdpa_ring_packed_set_kick(struct lvdpa_ring *r, bool enable);
bool lvdpa_ring_packed_avail(struct lvdpa_ring *r);
int lvdpa_ring_packed_add(struct lvdpa_ring *r,
			  const struct lvdpa_ring_seg *seg, unsigned int nseg,
			  uint64_t indirect_addr, uint64_t cookie);
bool lvdpa_ring_packed_publish(struct lvdpa_ring *r);
int lvdpa_ring_packed_get_used(struct lvdpa_ring *r, uint64_t *cookie,
			       uint32_t *len);
void lvdpa_ring_packed_set_call(struct lvdpa_ring *r, bool enable);

#endif /* LVDPA_RING_PRIV_H */
