/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Split virtqueue (virtio 1.2, 2.7; legacy 0.9.5 has the same layout):
 * descriptor table, avail ring written by the driver, used ring written by
 * the device. Indices are free-running 16-bit counters.
 */

#include "lvdpa_ring_priv.h"

static inline uint16_t
lvdpa_ring_split_mask(const struct lvdpa_ring *r)
{
	return r->cfg.size - 1;
}

/* Offset of used_event (end of the avail ring) and avail_event (end of used). */
static inline size_t
lvdpa_ring_used_event_off(const struct lvdpa_ring *r)
{
	return LVDPA_RING_AVAIL_RING + 2u * r->cfg.size;
}

static inline size_t
lvdpa_ring_avail_event_off(const struct lvdpa_ring *r)
{
	return LVDPA_RING_USED_RING +
		(size_t)LVDPA_RING_USED_ELEM_SIZE * r->cfg.size;
}

/* ---- device role ---- */

/*
 * Chains popped ahead of use get their head descriptor prefetched: the
 * driver wrote it on another CPU, and one chain at a time would wait for
 * each of those cache misses in turn.
 */
#define LVDPA_RING_PREFETCH_AHEAD 4u
/* Used elements: 8 a cache line, written this many ahead. */
#define LVDPA_RING_USED_PREFETCH 16u

/* The head the avail ring names at free-running position @p pos. */
static inline uint16_t
lvdpa_ring_split_avail_head(const struct lvdpa_ring *r, uint16_t pos)
{
	return lvdpa_ring_ld16(r, r->driver, LVDPA_RING_AVAIL_RING + 2u *
			       (pos & lvdpa_ring_split_mask(r)));
}

/*
 * Descriptor @p idx for the look-ahead hints, masked into the table: a bad
 * index is refused when its chain is popped, not here.
 */
static inline const uint8_t *
lvdpa_ring_split_hint_desc(const struct lvdpa_ring *r, uint16_t idx)
{
	return (const uint8_t *)r->desc +
		(size_t)(idx & lvdpa_ring_split_mask(r)) * LVDPA_RING_DESC_SIZE;
}

static inline void
lvdpa_ring_split_prefetch(const struct lvdpa_ring *r, uint16_t pos)
{
	rte_prefetch0(lvdpa_ring_split_hint_desc(r,
			lvdpa_ring_split_avail_head(r, pos)));
}

bool
lvdpa_ring_split_avail(struct lvdpa_ring *r)
{
	return r->avail_seen != r->last_avail ||
		lvdpa_ring_ld16(r, r->driver, LVDPA_RING_AVAIL_IDX) !=
		r->last_avail;
}

unsigned int
lvdpa_ring_split_peek(struct lvdpa_ring *r, unsigned int ahead, uint64_t addr[2])
{
	uint16_t pos = r->last_avail + ahead, idx;
	struct lvdpa_ring_desc d;
	unsigned int n = 0;

	/* Only what the last read of the index showed: no new shared read. */
	if ((uint16_t)(r->avail_seen - r->last_avail) <= ahead)
		return 0;
	idx = lvdpa_ring_split_avail_head(r, pos);
	do {
		lvdpa_ring_desc_read(r, lvdpa_ring_split_hint_desc(r, idx), false, &d);
		if (d.flags & LVDPA_VRING_DESC_F_INDIRECT)
			break;
		addr[n++] = d.addr;
		idx = d.next_or_id;
	} while (n < 2 && (d.flags & LVDPA_VRING_DESC_F_NEXT));
	return n;
}

/* An iov entry for direct descriptor @p d, its buffer at @p base. */
static __rte_always_inline void
lvdpa_ring_iov_set(struct lvdpa_ring_iov *iov, uint8_t *base,
		   const struct lvdpa_ring_desc *d, bool write)
{
	iov->base = base;
	iov->addr = d->addr;
	iov->len = d->len;
	iov->write = write;
}

/*
 * The common chain: direct descriptors, each buffer inside the memory
 * view's window. 1 with the chain, or 0 for anything else (an indirect
 * table, a buffer outside the window, anything wrong): the full walk then
 * starts over from @p head and says what it is. Only iov is written.
 * What the loop needs is copied to locals first: the iov stores could
 * alias the ring and the view, and would make the compiler reload them
 * for every descriptor. @p be is a constant in each inlined copy.
 */
static __rte_always_inline int
lvdpa_ring_split_walk_direct(const struct lvdpa_ring *r, uint16_t head, bool be,
			     struct lvdpa_ring_chain *ch,
			     struct lvdpa_ring_iov *iov, unsigned int max_iov)
{
	const struct lvdpa_ring_mem *mem = r->cfg.mem;
	const uint8_t *table = r->desc;
	const uint16_t size = r->cfg.size;
	uint64_t win_lo, win_len, out_len = 0, in_len = 0;
	unsigned int n = 0, nout = 0, limit = RTE_MIN(max_iov, (unsigned int)size);
	uint8_t *win_base;
	bool win_write, seen_write = false;
	uint16_t idx = head;

	/* No window: no descriptor read twice. */
	if (mem->win_gen == NULL || mem->win.gen != *mem->win_gen)
		return 0;
	win_lo = mem->win.lo;
	win_len = mem->win.len;
	win_base = mem->win.base;
	win_write = mem->win.write;
	for (;;) {
		struct lvdpa_ring_desc d;
		uint64_t off;
		bool write;

		/* Out of iovs, or more descriptors than the table: a loop. */
		if (n == limit)
			return 0;
		lvdpa_ring_desc_decode(table + (size_t)idx * LVDPA_RING_DESC_SIZE,
				       be, false, &d);
		write = (d.flags & LVDPA_VRING_DESC_F_WRITE) != 0;
		off = d.addr - win_lo;
		/* As lvdpa_ring_mem_window(), on the locals. */
		if ((d.flags & LVDPA_VRING_DESC_F_INDIRECT) || d.len == 0 ||
		    (!write && seen_write) || off >= win_len ||
		    d.len > win_len - off || (write && !win_write))
			return 0;
		lvdpa_ring_iov_set(&iov[n], win_base + off, &d, write);
		n++;
		if (write) {
			in_len += d.len;
			seen_write = true;
		} else {
			out_len += d.len;
			nout++;
		}
		if (!(d.flags & LVDPA_VRING_DESC_F_NEXT))
			break;
		idx = d.next_or_id;
		if (idx >= size)
			return 0;
	}
	if (out_len + in_len > UINT32_MAX)
		return 0;
	ch->id = head;
	ch->ndesc = (uint16_t)n;
	ch->nout = (uint16_t)nout;
	ch->nin = (uint16_t)(n - nout);
	ch->out_len = (uint32_t)out_len;
	ch->in_len = (uint32_t)in_len;
	return 1;
}

/* The two byte orders' copies of the loop, out of line: see below. */
static __rte_noinline int
lvdpa_ring_split_walk_direct_le(const struct lvdpa_ring *r, uint16_t head,
				struct lvdpa_ring_chain *ch,
				struct lvdpa_ring_iov *iov, unsigned int max_iov)
{
	return lvdpa_ring_split_walk_direct(r, head, false, ch, iov, max_iov);
}

static __rte_noinline int
lvdpa_ring_split_walk_direct_be(const struct lvdpa_ring *r, uint16_t head,
				struct lvdpa_ring_chain *ch,
				struct lvdpa_ring_iov *iov, unsigned int max_iov)
{
	return lvdpa_ring_split_walk_direct(r, head, true, ch, iov, max_iov);
}

/* Host address of a direct descriptor's buffer in the window, or NULL. */
static __rte_always_inline uint8_t *
lvdpa_ring_split_in_window(const struct lvdpa_ring_mem *mem,
			   const struct lvdpa_ring_desc *d, bool write)
{
	if ((d->flags & LVDPA_VRING_DESC_F_INDIRECT) || d->len == 0)
		return NULL;
	return lvdpa_ring_mem_window(mem, d->addr, d->len, write);
}

/*
 * A chain of one or two direct descriptors with their buffers in the
 * window, as drivers post packets (the header in the buffer, or in a
 * descriptor of its own): 1 with it, 0 for anything else, which the walks
 * above and below then take. Straight-line code: the loop above is out of
 * line, its registers would weigh on every pop.
 */
static __rte_always_inline int
lvdpa_ring_split_short(const struct lvdpa_ring *r, uint16_t head, bool be,
		       struct lvdpa_ring_chain *ch, struct lvdpa_ring_iov *iov,
		       unsigned int max_iov)
{
	const struct lvdpa_ring_mem *mem = r->cfg.mem;
	const uint8_t *table = r->desc;
	struct lvdpa_ring_desc d0, d1;
	bool w0, w1;
	uint8_t *p;

	if (max_iov == 0)
		return 0;
	lvdpa_ring_desc_decode(table + (size_t)head * LVDPA_RING_DESC_SIZE,
			       be, false, &d0);
	w0 = (d0.flags & LVDPA_VRING_DESC_F_WRITE) != 0;
	p = lvdpa_ring_split_in_window(mem, &d0, w0);
	if (p == NULL)
		return 0;
	lvdpa_ring_iov_set(&iov[0], p, &d0, w0);
	ch->id = head;
	if (!(d0.flags & LVDPA_VRING_DESC_F_NEXT)) {
		ch->ndesc = 1;
		ch->nout = !w0;
		ch->nin = w0;
		ch->out_len = w0 ? 0 : d0.len;
		ch->in_len = w0 ? d0.len : 0;
		return 1;
	}
	if (max_iov < 2 || d0.next_or_id >= r->cfg.size)
		return 0;
	lvdpa_ring_desc_decode(table + (size_t)d0.next_or_id * LVDPA_RING_DESC_SIZE,
			       be, false, &d1);
	w1 = (d1.flags & LVDPA_VRING_DESC_F_WRITE) != 0;
	/* A third descriptor goes to the loop; no readable after writable. */
	if ((d1.flags & LVDPA_VRING_DESC_F_NEXT) || (w0 && !w1) ||
	    (uint64_t)d0.len + d1.len > UINT32_MAX)
		return 0;
	p = lvdpa_ring_split_in_window(mem, &d1, w1);
	if (p == NULL)
		return 0;
	lvdpa_ring_iov_set(&iov[1], p, &d1, w1);
	ch->ndesc = 2;
	ch->nout = !w0 + !w1;
	ch->nin = w0 + w1;
	ch->out_len = (w0 ? 0 : d0.len) + (w1 ? 0 : d1.len);
	ch->in_len = (w0 ? d0.len : 0) + (w1 ? d1.len : 0);
	return 1;
}

/*
 * Any chain, checked descriptor by descriptor through the memory view:
 * what the direct walk did not take. Out of line: most chains never come
 * here, and its frame would otherwise weigh on every pop.
 */
static __rte_noinline int
lvdpa_ring_split_walk(struct lvdpa_ring *r, uint16_t head,
		      struct lvdpa_ring_chain *ch,
		      struct lvdpa_ring_iov *iov, unsigned int max_iov)
{
	struct lvdpa_ring_walk w = { .iov = iov, .max_iov = max_iov };
	const uint8_t *table = r->desc;
	const void *ind_host = NULL;
	uint64_t ind_addr = 0;
	uint32_t table_size = r->cfg.size, count = 0;
	uint16_t idx = head, ndesc = 0;
	bool indirect = false;
	int ret;

	for (;;) {
		struct lvdpa_ring_desc d;

		/* More descriptors than the table has: the chain loops. */
		if (++count > table_size)
			return lvdpa_ring_bad(r, -ELOOP, "%s chain from %u loops",
					      indirect ? "indirect" : "ring",
					      head);
		if (indirect) {
			ret = lvdpa_ring_ind_read(r, ind_addr, ind_host, idx,
						  false, &d);
			if (ret < 0)
				return ret;
		} else {
			lvdpa_ring_desc_read(r, table + (size_t)idx *
					     LVDPA_RING_DESC_SIZE, false, &d);
			ndesc++;
		}
		if (d.flags & LVDPA_VRING_DESC_F_INDIRECT) {
			/* An indirect table cannot hold another one. */
			if (indirect)
				return lvdpa_ring_bad(r, -EPROTO,
						      "nested indirect in %u",
						      head);
			/* Only a driver that negotiated it may use it. */
			if (!r->cfg.indirect)
				return lvdpa_ring_bad(r, -EPROTO,
						      "indirect not negotiated");
			/* It stands alone: no NEXT, not inside a chain. */
			if (count != 1 || (d.flags & LVDPA_VRING_DESC_F_NEXT))
				return lvdpa_ring_bad(r, -EPROTO,
						      "indirect inside chain %u",
						      head);
			/* Whole descriptors, and a next field can index it. */
			if (d.len == 0 || d.len % LVDPA_RING_DESC_SIZE != 0 ||
			    d.len / LVDPA_RING_DESC_SIZE > 65536)
				return lvdpa_ring_bad(r, -EPROTO,
						      "indirect length %u", d.len);
			ret = lvdpa_ring_ind_map(r, d.addr, d.len, &ind_host);
			if (ret < 0)
				return ret;
			indirect = true;
			ind_addr = d.addr;
			table_size = d.len / LVDPA_RING_DESC_SIZE;
			count = 0;
			idx = 0;
			continue;
		}
		ret = lvdpa_ring_walk_add(r, &w, d.addr, d.len,
					  !!(d.flags & LVDPA_VRING_DESC_F_WRITE));
		if (ret < 0)
			return ret;
		if (!(d.flags & LVDPA_VRING_DESC_F_NEXT))
			break;
		idx = d.next_or_id;
		/* The next descriptor is inside its table. */
		if (idx >= table_size)
			return lvdpa_ring_bad(r, -EPROTO, "next %u out of %u",
					      idx, table_size);
	}
	ch->id = head;
	ch->ndesc = ndesc;
	ch->nout = (uint16_t)w.nout;
	ch->nin = (uint16_t)(w.niov - w.nout);
	ch->out_len = (uint32_t)w.out_len;
	ch->in_len = (uint32_t)w.in_len;
	return 1;
}

/* Read the avail index again: 0 nothing new, 1 more chains, or an error. */
static __rte_noinline int
lvdpa_ring_split_refresh(struct lvdpa_ring *r)
{
	uint16_t avail_idx = lvdpa_ring_ld16(r, r->driver, LVDPA_RING_AVAIL_IDX);
	unsigned int i;

	if (avail_idx == r->last_avail)
		return 0;
	/* A driver cannot offer more chains than there are descriptors. */
	if ((uint16_t)(avail_idx - r->last_avail) > r->cfg.size)
		return lvdpa_ring_bad(r, -EPROTO,
				      "avail idx %u is %u ahead of %u",
				      avail_idx,
				      (uint16_t)(avail_idx - r->last_avail),
				      r->last_avail);
	/* The ring entries and descriptors were written before the index. */
	rte_smp_rmb();
	r->avail_seen = avail_idx;
	for (i = 1; i < LVDPA_RING_PREFETCH_AHEAD &&
	     (uint16_t)(avail_idx - r->last_avail) > i; i++)
		lvdpa_ring_split_prefetch(r, r->last_avail + i);
	return 1;
}

int
lvdpa_ring_split_pop(struct lvdpa_ring *r, struct lvdpa_ring_chain *ch,
		     struct lvdpa_ring_iov *iov, unsigned int max_iov)
{
	uint16_t head;
	int ret;

	if (r->avail_seen == r->last_avail) {
		ret = lvdpa_ring_split_refresh(r);
		if (ret <= 0)
			return ret;
	}
	if ((uint16_t)(r->avail_seen - r->last_avail) > LVDPA_RING_PREFETCH_AHEAD)
		lvdpa_ring_split_prefetch(r, r->last_avail +
					  LVDPA_RING_PREFETCH_AHEAD);
	head = lvdpa_ring_split_avail_head(r, r->last_avail);
	/* The head names a descriptor of the table. */
	if (head >= r->cfg.size)
		return lvdpa_ring_bad(r, -EPROTO, "head %u out of range", head);
	if (r->cfg.big_endian)
		ret = lvdpa_ring_split_short(r, head, true, ch, iov, max_iov) ||
			lvdpa_ring_split_walk_direct_be(r, head, ch, iov, max_iov);
	else
		ret = lvdpa_ring_split_short(r, head, false, ch, iov, max_iov) ||
			lvdpa_ring_split_walk_direct_le(r, head, ch, iov, max_iov);
	if (ret == 0)
		ret = lvdpa_ring_split_walk(r, head, ch, iov, max_iov);
	if (ret == 1)
		r->last_avail++;
	return ret;
}

int
lvdpa_ring_split_push(struct lvdpa_ring *r, const struct lvdpa_ring_chain *ch,
		      uint32_t len)
{
	size_t off;

	if (ch->id >= r->cfg.size)
		return -EINVAL;
	off = LVDPA_RING_USED_RING + (size_t)LVDPA_RING_USED_ELEM_SIZE *
		(r->last_used & lvdpa_ring_split_mask(r));
	lvdpa_ring_st32(r, r->device, off, ch->id);
	lvdpa_ring_st32(r, r->device, off + 4, len);
	lvdpa_ring_log(r, r->cfg.device_addr + off, LVDPA_RING_USED_ELEM_SIZE);
	/* The line two ahead, which the driver's CPU last read. */
	lvdpa_ring_prefetch_w((uint8_t *)r->device + LVDPA_RING_USED_RING +
			      (size_t)LVDPA_RING_USED_ELEM_SIZE *
			      ((r->last_used + LVDPA_RING_USED_PREFETCH) &
			       lvdpa_ring_split_mask(r)));
	r->last_used++;
	r->shadow_used++;
	return 0;
}

void
lvdpa_ring_split_flush(struct lvdpa_ring *r)
{
	if (r->shadow_used == 0)
		return;
	/* Used elements must be visible before the index that publishes them. */
	rte_smp_wmb();
	lvdpa_ring_st16(r, r->device, LVDPA_RING_USED_IDX, r->last_used);
	lvdpa_ring_log(r, r->cfg.device_addr + LVDPA_RING_USED_IDX, 2);
	r->used_since_signal += r->shadow_used;
	r->shadow_used = 0;
}

bool
lvdpa_ring_split_need_notify(struct lvdpa_ring *r)
{
	uint16_t new_idx = r->last_used - r->shadow_used;
	uint32_t count = r->used_since_signal;
	bool valid = r->signalled_valid, need;

	/*
	 * The used index store must be visible before we read the driver's
	 * suppression fields, or both sides could decide not to notify.
	 */
	rte_smp_mb();
	if (r->cfg.event_idx) {
		uint16_t event = lvdpa_ring_ld16(r, r->driver,
						 lvdpa_ring_used_event_off(r));

		/* 2^16 entries since the last decision pass every event. */
		need = !valid || count > UINT16_MAX ||
			lvdpa_ring_need_event(event, new_idx,
					      (uint16_t)(new_idx - count));
	} else {
		need = !(lvdpa_ring_ld16(r, r->driver, LVDPA_RING_AVAIL_FLAGS) &
			 LVDPA_VRING_AVAIL_F_NO_INTERRUPT);
	}
	r->signalled_used = new_idx;
	r->signalled_valid = true;
	r->used_since_signal = 0;
	return need;
}

void
lvdpa_ring_split_set_kick(struct lvdpa_ring *r, bool enable)
{
	/* The flag is what a driver without event idx reads. */
	lvdpa_ring_st16(r, r->device, LVDPA_RING_USED_FLAGS,
			enable ? 0 : LVDPA_VRING_USED_F_NO_NOTIFY);
	lvdpa_ring_log(r, r->cfg.device_addr + LVDPA_RING_USED_FLAGS, 2);
	if (r->cfg.event_idx && enable) {
		lvdpa_ring_st16(r, r->device, lvdpa_ring_avail_event_off(r),
				r->last_avail);
		lvdpa_ring_log(r, r->cfg.device_addr +
			       lvdpa_ring_avail_event_off(r), 2);
	}
	/* Our store before the caller's re-read of the avail index. */
	rte_smp_mb();
}

/* ---- driver role ---- */

int
lvdpa_ring_split_add(struct lvdpa_ring *r, const struct lvdpa_ring_seg *seg,
		     unsigned int nseg, uint64_t indirect_addr, uint64_t cookie)
{
	unsigned int need = indirect_addr != 0 ? 1 : nseg, i;
	uint16_t head = r->free_head, idx;
	uint8_t *desc = r->desc;
	struct lvdpa_ring_desc d;

	if (r->num_free < need)
		return -ENOSPC;
	if (indirect_addr != 0) {
		const struct lvdpa_ring_mem *mem = r->cfg.mem;
		uint64_t tlen = (uint64_t)nseg * LVDPA_RING_DESC_SIZE;
		uint64_t contig = 0;
		void *table = NULL;

		if (mem->translate(mem->opaque, indirect_addr, tlen, 1, &table,
				   &contig) < 0 || contig < tlen || table == NULL)
			return -EFAULT;
		if ((uintptr_t)table % 8 != 0)
			return -EINVAL;
		for (i = 0; i < nseg; i++) {
			d.addr = seg[i].addr;
			d.len = seg[i].len;
			d.flags = (seg[i].write ? LVDPA_VRING_DESC_F_WRITE : 0) |
				(i + 1 < nseg ? LVDPA_VRING_DESC_F_NEXT : 0);
			d.next_or_id = i + 1 < nseg ? (uint16_t)(i + 1) : 0;
			lvdpa_ring_desc_write(r, (uint8_t *)table +
					      (size_t)i * LVDPA_RING_DESC_SIZE,
					      false, &d);
		}
		d.addr = indirect_addr;
		d.len = (uint32_t)tlen;
		d.flags = LVDPA_VRING_DESC_F_INDIRECT;
		d.next_or_id = 0;
		lvdpa_ring_desc_write(r, desc + (size_t)head *
				      LVDPA_RING_DESC_SIZE, false, &d);
		r->free_head = r->next[head];
	} else {
		idx = head;
		for (i = 0; i < nseg; i++) {
			d.addr = seg[i].addr;
			d.len = seg[i].len;
			d.flags = (seg[i].write ? LVDPA_VRING_DESC_F_WRITE : 0) |
				(i + 1 < nseg ? LVDPA_VRING_DESC_F_NEXT : 0);
			d.next_or_id = i + 1 < nseg ? r->next[idx] : 0;
			lvdpa_ring_desc_write(r, desc + (size_t)idx *
					      LVDPA_RING_DESC_SIZE, false, &d);
			idx = r->next[idx];
		}
		r->free_head = idx;
	}
	r->num_free -= need;
	r->chain_len[head] = (uint16_t)need;
	r->cookie[head] = cookie;
	lvdpa_ring_st16(r, r->driver, LVDPA_RING_AVAIL_RING + 2u *
			(r->avail_idx & lvdpa_ring_split_mask(r)), head);
	r->avail_idx++;
	r->last_avail = r->avail_idx;
	return 0;
}

bool
lvdpa_ring_split_publish(struct lvdpa_ring *r)
{
	uint16_t new_idx = r->avail_idx, old_idx = r->kicked_avail;

	/* Descriptors and ring entries before the index that publishes them. */
	lvdpa_ring_drv_wmb(r);
	lvdpa_ring_st16(r, r->driver, LVDPA_RING_AVAIL_IDX, new_idx);
	/* The index store before reading the device's suppression fields. */
	lvdpa_ring_drv_mb(r);
	r->kicked_avail = new_idx;
	if (new_idx == old_idx)
		return false;
	if (r->cfg.event_idx)
		return lvdpa_ring_need_event(lvdpa_ring_ld16(r, r->device,
					     lvdpa_ring_avail_event_off(r)),
					     new_idx, old_idx);
	return !(lvdpa_ring_ld16(r, r->device, LVDPA_RING_USED_FLAGS) &
		 LVDPA_VRING_USED_F_NO_NOTIFY);
}

int
lvdpa_ring_split_get_used(struct lvdpa_ring *r, uint64_t *cookie,
			  uint32_t *len)
{
	uint16_t used_idx, n, idx, k;
	uint32_t id, ulen;
	size_t off;

	used_idx = lvdpa_ring_ld16(r, r->device, LVDPA_RING_USED_IDX);
	if (used_idx == r->last_used)
		return 0;
	/* The device cannot return more than the ring holds. */
	if ((uint16_t)(used_idx - r->last_used) > r->cfg.size)
		return lvdpa_ring_bad(r, -EPROTO, "used idx %u is %u ahead of %u",
				      used_idx,
				      (uint16_t)(used_idx - r->last_used),
				      r->last_used);
	/* The element was written before the index that published it. */
	lvdpa_ring_drv_rmb(r);
	off = LVDPA_RING_USED_RING + (size_t)LVDPA_RING_USED_ELEM_SIZE *
		(r->last_used & lvdpa_ring_split_mask(r));
	id = lvdpa_ring_ld32(r, r->device, off);
	ulen = lvdpa_ring_ld32(r, r->device, off + 4);
	/* Only ids we handed out and have not had back (private state). */
	if (id >= r->cfg.size || r->chain_len[id] == 0)
		return lvdpa_ring_bad(r, -EPROTO, "used id %u %s", id,
				      id >= r->cfg.size ? "out of range" :
				      "not in flight");
	n = r->chain_len[id];
	idx = (uint16_t)id;
	/* An indirect buffer took one descriptor; else follow our list. */
	for (k = 1; k < n; k++)
		idx = r->next[idx];
	r->next[idx] = r->free_head;
	r->free_head = (uint16_t)id;
	r->num_free += n;
	r->chain_len[id] = 0;
	*cookie = r->cookie[id];
	*len = ulen;
	r->last_used++;
	return 1;
}

void
lvdpa_ring_split_set_call(struct lvdpa_ring *r, bool enable)
{
	lvdpa_ring_st16(r, r->driver, LVDPA_RING_AVAIL_FLAGS,
			enable ? 0 : LVDPA_VRING_AVAIL_F_NO_INTERRUPT);
	if (r->cfg.event_idx && enable)
		lvdpa_ring_st16(r, r->driver, lvdpa_ring_used_event_off(r),
				r->last_used);
	/* Our store before the caller's re-read of the used index. */
	lvdpa_ring_drv_mb(r);
}
