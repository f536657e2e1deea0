/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Packed virtqueue (virtio 1.2, 2.8): one descriptor ring that both sides
 * write, ownership carried by the AVAIL/USED flag bits against each side's
 * wrap counter, plus two event suppression areas.
 */

#include "lvdpa_ring_priv.h"

#define LVDPA_PACKED_AVAIL LVDPA_VRING_PACKED_DESC_F_AVAIL
#define LVDPA_PACKED_USED  LVDPA_VRING_PACKED_DESC_F_USED
#define LVDPA_PACKED_FLAGS_OFF 14

static inline void *
lvdpa_ring_slot(const struct lvdpa_ring *r, uint16_t slot)
{
	return (uint8_t *)r->desc + (size_t)slot * LVDPA_RING_DESC_SIZE;
}

static inline uint16_t
lvdpa_ring_slot_flags(const struct lvdpa_ring *r, uint16_t slot)
{
	return lvdpa_ring_ld16(r, lvdpa_ring_slot(r, slot),
			       LVDPA_PACKED_FLAGS_OFF);
}

/* Available to the device: AVAIL matches the wrap counter, USED does not. */
static inline bool
lvdpa_ring_desc_is_avail(uint16_t flags, bool wrap)
{
	return !!(flags & LVDPA_PACKED_AVAIL) == wrap &&
		!!(flags & LVDPA_PACKED_USED) != wrap;
}

/* Used by the device: both bits match the wrap counter. */
static inline bool
lvdpa_ring_desc_is_used(uint16_t flags, bool wrap)
{
	return !!(flags & LVDPA_PACKED_AVAIL) == wrap &&
		!!(flags & LVDPA_PACKED_USED) == wrap;
}

/* Advance a (slot, wrap) position by n slots, n <= size. */
static inline void
lvdpa_ring_advance(const struct lvdpa_ring *r, uint16_t *slot, bool *wrap,
		   unsigned int n)
{
	unsigned int s = *slot + n;

	if (s >= r->cfg.size) {
		s -= r->cfg.size;
		*wrap = !*wrap;
	}
	*slot = (uint16_t)s;
}

static inline uint16_t
lvdpa_ring_pos(uint16_t slot, bool wrap)
{
	return slot | (wrap ? 0x8000 : 0);
}

/*
 * Event suppression decision (virtio 2.8.10): the other side wants an event
 * when ENABLE, none when DISABLE, and with DESC when the position off_wrap
 * was passed by the @p dist slots before @p new_pos.
 */
static bool
lvdpa_ring_packed_event(const struct lvdpa_ring *r, const void *area,
			bool valid, uint32_t dist, uint16_t new_pos)
{
	uint16_t flags, off_wrap;
	int event;

	flags = lvdpa_ring_ld16(r, area, LVDPA_RING_EVENT_FLAGS) & 3;
	if (flags == LVDPA_VRING_PACKED_EVENT_F_ENABLE)
		return true;
	if (flags != LVDPA_VRING_PACKED_EVENT_F_DESC)
		return false; /* DISABLE, or the reserved value 3 */
	/* No earlier decision to count from, or beyond a lap: notify. */
	if (!valid || dist > r->cfg.size)
		return true;
	off_wrap = lvdpa_ring_ld16(r, area, LVDPA_RING_EVENT_OFF_WRAP);
	event = off_wrap & 0x7fff;
	/* An event in the previous lap sits one ring size before ours. */
	if ((off_wrap ^ new_pos) & 0x8000)
		event -= r->cfg.size;
	return lvdpa_ring_need_event((uint16_t)event, new_pos & 0x7fff,
				     (uint16_t)((new_pos & 0x7fff) - dist));
}

/* ---- device role ---- */

bool
lvdpa_ring_packed_avail(struct lvdpa_ring *r)
{
	return lvdpa_ring_desc_is_avail(lvdpa_ring_slot_flags(r, r->last_avail),
					r->avail_wrap);
}

int
lvdpa_ring_packed_pop(struct lvdpa_ring *r, struct lvdpa_ring_chain *ch,
		      struct lvdpa_ring_iov *iov, unsigned int max_iov)
{
	struct lvdpa_ring_walk w = { .iov = iov, .max_iov = max_iov };
	uint16_t slot = r->last_avail, head = r->last_avail, id = 0;
	bool wrap = r->avail_wrap;
	unsigned int ndesc = 0;
	int ret;

	if (!lvdpa_ring_desc_is_avail(lvdpa_ring_slot_flags(r, slot), wrap))
		return 0;
	/* The chain was written before the head flags that made it ours. */
	rte_smp_rmb();
	for (;;) {
		struct lvdpa_ring_desc d;

		/* A chain longer than the ring wraps onto itself. */
		if (++ndesc > r->cfg.size)
			return lvdpa_ring_bad(r, -ELOOP, "chain at %u longer "
					      "than the ring", head);
		lvdpa_ring_desc_read(r, lvdpa_ring_slot(r, slot), true, &d);
		lvdpa_ring_advance(r, &slot, &wrap, 1);
		id = d.next_or_id;
		if (d.flags & LVDPA_VRING_DESC_F_INDIRECT) {
			const void *host = NULL;
			uint32_t n, i;

			/* Only a driver that negotiated it may use it. */
			if (!r->cfg.indirect)
				return lvdpa_ring_bad(r, -EPROTO,
						      "indirect not negotiated");
			/* It stands alone: no NEXT, not inside a chain. */
			if (ndesc != 1 || (d.flags & LVDPA_VRING_DESC_F_NEXT))
				return lvdpa_ring_bad(r, -EPROTO, "indirect "
						      "inside chain at %u",
						      head);
			/* Whole descriptors only. */
			if (d.len == 0 || d.len % LVDPA_RING_DESC_SIZE != 0)
				return lvdpa_ring_bad(r, -EPROTO,
						      "indirect length %u", d.len);
			n = d.len / LVDPA_RING_DESC_SIZE;
			ret = lvdpa_ring_ind_map(r, d.addr, d.len, &host);
			if (ret < 0)
				return ret;
			for (i = 0; i < n; i++) {
				struct lvdpa_ring_desc e;

				ret = lvdpa_ring_ind_read(r, d.addr, host, i,
							  true, &e);
				if (ret < 0)
					return ret;
				/* An indirect table cannot hold another. */
				if (e.flags & LVDPA_VRING_DESC_F_INDIRECT)
					return lvdpa_ring_bad(r, -EPROTO,
						"nested indirect at %u", head);
				ret = lvdpa_ring_walk_add(r, &w, e.addr, e.len,
					!!(e.flags & LVDPA_VRING_DESC_F_WRITE));
				if (ret < 0)
					return ret;
			}
			break;
		}
		ret = lvdpa_ring_walk_add(r, &w, d.addr, d.len,
					  !!(d.flags & LVDPA_VRING_DESC_F_WRITE));
		if (ret < 0)
			return ret;
		if (!(d.flags & LVDPA_VRING_DESC_F_NEXT))
			break;
	}
	/* The buffer id is the last descriptor's (virtio 2.8.6). */
	ch->id = id;
	ch->ndesc = (uint16_t)ndesc;
	ch->nout = (uint16_t)w.nout;
	ch->nin = (uint16_t)(w.niov - w.nout);
	ch->out_len = (uint32_t)w.out_len;
	ch->in_len = (uint32_t)w.in_len;
	r->last_avail = slot;
	r->avail_wrap = wrap;
	return 1;
}

void
lvdpa_ring_packed_unpop(struct lvdpa_ring *r, unsigned int n)
{
	while (n-- > 0) {
		unsigned int nd;

		r->pop_pos = r->pop_pos == 0 ? r->cfg.size - 1 : r->pop_pos - 1;
		r->pop_count--;
		nd = r->pop_ndesc[r->pop_pos];
		/* Step back nd slots, flipping the wrap counter at slot 0. */
		if (r->last_avail >= nd) {
			r->last_avail -= nd;
		} else {
			r->last_avail = (uint16_t)(r->last_avail +
						   r->cfg.size - nd);
			r->avail_wrap = !r->avail_wrap;
		}
	}
}

int
lvdpa_ring_packed_push(struct lvdpa_ring *r, const struct lvdpa_ring_chain *ch,
		       uint32_t len)
{
	void *slot = lvdpa_ring_slot(r, r->last_used);
	uint16_t flags;

	if (ch->ndesc == 0 || ch->ndesc > r->cfg.size)
		return -EINVAL;
	lvdpa_ring_st16(r, slot, 12, ch->id);
	lvdpa_ring_st32(r, slot, 8, len);
	/* Id and length must be visible before the flags hand the slot back. */
	rte_smp_wmb();
	flags = r->used_wrap ? LVDPA_PACKED_AVAIL | LVDPA_PACKED_USED : 0;
	lvdpa_ring_st16(r, slot, LVDPA_PACKED_FLAGS_OFF, flags);
	lvdpa_ring_log(r, r->cfg.desc_addr + (uint64_t)r->last_used *
		       LVDPA_RING_DESC_SIZE, LVDPA_RING_DESC_SIZE);
	/* The next used entry goes after the whole chain (virtio 2.8.7). */
	lvdpa_ring_advance(r, &r->last_used, &r->used_wrap, ch->ndesc);
	r->used_since_signal += ch->ndesc;
	return 0;
}

bool
lvdpa_ring_packed_need_notify(struct lvdpa_ring *r)
{
	uint16_t new_pos = lvdpa_ring_pos(r->last_used, r->used_wrap);
	bool valid = r->signalled_valid, need;

	/*
	 * The used flags must be visible before we read the driver's event
	 * suppression, or both sides could decide not to notify.
	 */
	rte_smp_mb();
	need = lvdpa_ring_packed_event(r, r->driver, valid,
				       r->used_since_signal, new_pos);
	r->signalled_used = new_pos;
	r->signalled_valid = true;
	r->used_since_signal = 0;
	return need;
}

void
lvdpa_ring_packed_set_kick(struct lvdpa_ring *r, bool enable)
{
	uint16_t flags = LVDPA_VRING_PACKED_EVENT_F_DISABLE;

	if (enable && r->cfg.event_idx) {
		lvdpa_ring_st16(r, r->device, LVDPA_RING_EVENT_OFF_WRAP,
				lvdpa_ring_pos(r->last_avail, r->avail_wrap));
		/* The event position before the flags that make it count. */
		rte_smp_wmb();
		flags = LVDPA_VRING_PACKED_EVENT_F_DESC;
	} else if (enable) {
		flags = LVDPA_VRING_PACKED_EVENT_F_ENABLE;
	}
	lvdpa_ring_st16(r, r->device, LVDPA_RING_EVENT_FLAGS, flags);
	lvdpa_ring_log(r, r->cfg.device_addr, 4);
	/* Our store before the caller's re-read of the ring. */
	rte_smp_mb();
}

/* ---- driver role ---- */

int
lvdpa_ring_packed_add(struct lvdpa_ring *r, const struct lvdpa_ring_seg *seg,
		      unsigned int nseg, uint64_t indirect_addr,
		      uint64_t cookie)
{
	unsigned int need = indirect_addr != 0 ? 1 : nseg, i;
	uint16_t id, slot = r->last_avail, head = r->last_avail, head_flags = 0;
	uint16_t avail_bits;
	bool wrap = r->avail_wrap;
	struct lvdpa_ring_desc d;

	if (r->num_free < need)
		return -ENOSPC;
	id = r->free_head;
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
			uint8_t *e = (uint8_t *)table +
				(size_t)i * LVDPA_RING_DESC_SIZE;

			d.addr = seg[i].addr;
			d.len = seg[i].len;
			d.next_or_id = 0;
			lvdpa_ring_desc_write(r, e, true, &d);
			lvdpa_ring_st16(r, e, LVDPA_PACKED_FLAGS_OFF,
					seg[i].write ?
					LVDPA_VRING_DESC_F_WRITE : 0);
		}
	}
	/* The driver marks a slot available: AVAIL = wrap, USED = !wrap. */
	for (i = 0; i < need; i++) {
		void *s = lvdpa_ring_slot(r, slot);
		uint16_t flags;

		avail_bits = wrap ? LVDPA_PACKED_AVAIL : LVDPA_PACKED_USED;
		if (indirect_addr != 0) {
			d.addr = indirect_addr;
			d.len = nseg * LVDPA_RING_DESC_SIZE;
			flags = LVDPA_VRING_DESC_F_INDIRECT;
		} else {
			d.addr = seg[i].addr;
			d.len = seg[i].len;
			flags = (seg[i].write ? LVDPA_VRING_DESC_F_WRITE : 0) |
				(i + 1 < need ? LVDPA_VRING_DESC_F_NEXT : 0);
		}
		d.next_or_id = id;
		lvdpa_ring_desc_write(r, s, true, &d);
		if (i == 0)
			head_flags = flags | avail_bits;
		else
			lvdpa_ring_st16(r, s, LVDPA_PACKED_FLAGS_OFF,
					flags | avail_bits);
		lvdpa_ring_advance(r, &slot, &wrap, 1);
	}
	r->free_head = r->next[id];
	r->num_free -= need;
	r->chain_len[id] = (uint16_t)need;
	r->cookie[id] = cookie;
	r->last_avail = slot;
	r->avail_wrap = wrap;
	if (!r->drv_head_pending) {
		/*
		 * The first unpublished chain's head flags wait for publish;
		 * the device cannot pass that slot, so later heads may be
		 * written at once.
		 */
		r->drv_head_pending = true;
		r->drv_head_slot = head;
		r->drv_head_flags = head_flags;
	} else {
		/* The chain body before its head flags. */
		lvdpa_ring_drv_wmb(r);
		lvdpa_ring_st16(r, lvdpa_ring_slot(r, head),
				LVDPA_PACKED_FLAGS_OFF, head_flags);
	}
	return 0;
}

bool
lvdpa_ring_packed_publish(struct lvdpa_ring *r)
{
	uint16_t new_pos = lvdpa_ring_pos(r->last_avail, r->avail_wrap);
	uint16_t old_pos = r->kicked_avail;

	if (r->drv_head_pending) {
		/* The descriptors before the head flags that make them available. */
		lvdpa_ring_drv_wmb(r);
		lvdpa_ring_st16(r, lvdpa_ring_slot(r, r->drv_head_slot),
				LVDPA_PACKED_FLAGS_OFF, r->drv_head_flags);
		r->drv_head_pending = false;
	}
	/* The flags store before reading the device's event suppression. */
	lvdpa_ring_drv_mb(r);
	r->kicked_avail = new_pos;
	if (new_pos == old_pos)
		return false;
	/* Unpublished slots cannot be used: at most one lap since the last. */
	return lvdpa_ring_packed_event(r, r->device, true,
		lvdpa_ring_packed_dist(r->cfg.size, old_pos, new_pos), new_pos);
}

int
lvdpa_ring_packed_get_used(struct lvdpa_ring *r, uint64_t *cookie,
			   uint32_t *len)
{
	void *s = lvdpa_ring_slot(r, r->last_used);
	uint16_t id, n;
	uint32_t ulen;

	/*
	 * Nothing in flight, nothing to collect: the slot may hold bytes no
	 * side wrote yet (a fresh ring started at wrap counter 0).
	 */
	if (r->num_free == r->cfg.size)
		return 0;
	if (!lvdpa_ring_desc_is_used(lvdpa_ring_slot_flags(r, r->last_used),
				     r->used_wrap))
		return 0;
	/* Id and length were written before the flags. */
	lvdpa_ring_drv_rmb(r);
	id = lvdpa_ring_ld16(r, s, 12);
	ulen = lvdpa_ring_ld32(r, s, 8);
	/* Only ids we handed out and have not had back (private state). */
	if (id >= r->cfg.size || r->chain_len[id] == 0)
		return lvdpa_ring_bad(r, -EPROTO, "used id %u %s", id,
				      id >= r->cfg.size ? "out of range" :
				      "not in flight");
	n = r->chain_len[id];
	lvdpa_ring_advance(r, &r->last_used, &r->used_wrap, n);
	r->next[id] = r->free_head;
	r->free_head = id;
	r->num_free += n;
	r->chain_len[id] = 0;
	*cookie = r->cookie[id];
	*len = ulen;
	return 1;
}

void
lvdpa_ring_packed_set_call(struct lvdpa_ring *r, bool enable)
{
	uint16_t flags = LVDPA_VRING_PACKED_EVENT_F_DISABLE;

	if (enable && r->cfg.event_idx) {
		lvdpa_ring_st16(r, r->driver, LVDPA_RING_EVENT_OFF_WRAP,
				lvdpa_ring_pos(r->last_used, r->used_wrap));
		/* The event position before the flags that make it count. */
		lvdpa_ring_drv_wmb(r);
		flags = LVDPA_VRING_PACKED_EVENT_F_DESC;
	} else if (enable) {
		flags = LVDPA_VRING_PACKED_EVENT_F_ENABLE;
	}
	lvdpa_ring_st16(r, r->driver, LVDPA_RING_EVENT_FLAGS, flags);
	/* Our store before the caller's re-read of the ring. */
	lvdpa_ring_drv_mb(r);
}
