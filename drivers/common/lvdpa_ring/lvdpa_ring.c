/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * What split and packed rings share: configuration and set-up, positions,
 * the chain builder, rate-limited error reports and the public entry points,
 * which dispatch on the layout.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "lvdpa_ring_priv.h"

RTE_LOG_REGISTER_SUFFIX(lvdpa_ring_logtype, ring, NOTICE);

bool lvdpa_ring_has_prefetchw;

RTE_INIT(lvdpa_ring_cpu_init)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned int a, b, c, d;

	/* CPUID 0x80000001, ECX bit 8: PRFCHW (PREFETCHW). */
	if (__get_cpuid(0x80000001, &a, &b, &c, &d))
		lvdpa_ring_has_prefetchw = (c >> 8) & 1;
#endif
}

/* At most this many error reports per second, process-wide. */
#define LVDPA_RING_LOG_BURST 10

static uint64_t lvdpa_ring_log_window;   /* second of the current window */
static unsigned int lvdpa_ring_log_count; /* reports in that window */
static unsigned int lvdpa_ring_log_dropped;

static bool
lvdpa_ring_log_allowed(unsigned int *dropped)
{
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (uint64_t)ts.tv_sec;
	/* Relaxed: a race costs at most a few extra or missing lines. */
	if (__atomic_load_n(&lvdpa_ring_log_window, __ATOMIC_RELAXED) != now) {
		__atomic_store_n(&lvdpa_ring_log_window, now, __ATOMIC_RELAXED);
		__atomic_store_n(&lvdpa_ring_log_count, 0, __ATOMIC_RELAXED);
		*dropped = __atomic_exchange_n(&lvdpa_ring_log_dropped, 0,
					       __ATOMIC_RELAXED);
	} else {
		*dropped = 0;
	}
	if (__atomic_fetch_add(&lvdpa_ring_log_count, 1, __ATOMIC_RELAXED) >=
	    LVDPA_RING_LOG_BURST) {
		__atomic_fetch_add(&lvdpa_ring_log_dropped, 1, __ATOMIC_RELAXED);
		return false;
	}
	return true;
}

static const char *
lvdpa_ring_errname(int err)
{
	switch (err) {
	case -EFAULT: return "EFAULT";
	case -ELOOP: return "ELOOP";
	case -E2BIG: return "E2BIG";
	case -EPROTO: return "EPROTO";
	case -EINVAL: return "EINVAL";
	default: return "error";
	}
}

int
lvdpa_ring_bad(struct lvdpa_ring *r, int err, const char *fmt, ...)
{
	unsigned int dropped;
	char msg[160];
	va_list ap;

	/* The first error is the ring's: later ones are consequences. */
	if (r->error != 0)
		return r->error;
	r->error = err;
	if (!rte_log_can_log(lvdpa_ring_logtype, RTE_LOG_ERR) ||
	    !lvdpa_ring_log_allowed(&dropped))
		return err;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (dropped != 0)
		LVDPA_RING_LOG(ERR, "%u ring error reports suppressed", dropped);
	LVDPA_RING_LOG(ERR, "%s ring (size %u, desc 0x%" PRIx64 ") broken (%s): %s",
		       r->cfg.packed ? "packed" : "split", r->cfg.size,
		       r->cfg.desc_addr, lvdpa_ring_errname(err), msg);
	return err;
}

uint64_t
lvdpa_ring_desc_bytes(uint16_t size, bool packed)
{
	RTE_SET_USED(packed);
	return (uint64_t)size * LVDPA_RING_DESC_SIZE;
}

uint64_t
lvdpa_ring_driver_bytes(uint16_t size, bool packed, bool event_idx)
{
	if (packed)
		return 4;
	/* flags, idx, ring[size], then used_event with event idx */
	return LVDPA_RING_AVAIL_RING + 2ull * size + (event_idx ? 2 : 0);
}

uint64_t
lvdpa_ring_device_bytes(uint16_t size, bool packed, bool event_idx)
{
	if (packed)
		return 4;
	/* flags, idx, ring[size] of {id, len}, then avail_event */
	return LVDPA_RING_USED_RING +
		(uint64_t)LVDPA_RING_USED_ELEM_SIZE * size + (event_idx ? 2 : 0);
}

/* Translate a whole ring area once; it must be contiguous and aligned. */
static int
lvdpa_ring_map_area(const struct lvdpa_ring_config *cfg, const char *name,
		    uint64_t addr, uint64_t len, uint64_t align, int write,
		    void **ptr)
{
	const struct lvdpa_ring_mem *mem = cfg->mem;
	uint64_t contig = 0;
	int ret;

	/* The spec's alignments (2.7 / 2.8.10.1); unaligned fields would tear. */
	if (addr & (align - 1)) {
		LVDPA_RING_LOG(ERR, "%s area 0x%" PRIx64 " not %" PRIu64
			       "-byte aligned", name, addr, align);
		return -EINVAL;
	}
	if (addr + len < addr) {
		LVDPA_RING_LOG(ERR, "%s area 0x%" PRIx64 " wraps", name, addr);
		return -EFAULT;
	}
	ret = mem->translate(mem->opaque, addr, len, write, ptr, &contig);
	if (ret < 0 || contig < len || *ptr == NULL) {
		LVDPA_RING_LOG(ERR, "%s area 0x%" PRIx64 "+%" PRIu64
			       " not mapped contiguously%s", name, addr, len,
			       write ? " for writing" : "");
		return -EFAULT;
	}
	if ((uintptr_t)*ptr & (align - 1)) {
		LVDPA_RING_LOG(ERR, "%s area 0x%" PRIx64 " mapped unaligned",
			       name, addr);
		return -EINVAL;
	}
	return 0;
}

void
lvdpa_ring_fini(struct lvdpa_ring *r)
{
	free(r->next);
	free(r->chain_len);
	free(r->packed_ids);
	free(r->cookie);
	free(r->pop_ndesc);
	r->next = NULL;
	r->chain_len = NULL;
	r->packed_ids = NULL;
	r->cookie = NULL;
	r->pop_ndesc = NULL;
}

int
lvdpa_ring_init(struct lvdpa_ring *r, const struct lvdpa_ring_config *cfg)
{
	bool drv;
	uint16_t size;
	unsigned int i;
	int ret;

	memset(r, 0, sizeof(*r));
	if (cfg == NULL || cfg->mem == NULL || cfg->mem->translate == NULL) {
		LVDPA_RING_LOG(ERR, "no configuration or memory view");
		return -EINVAL;
	}
	size = cfg->size;
	/* Split indices are free-running mod 2^16: the size must divide it. */
	if (size == 0 || size > LVDPA_RING_MAX_SIZE ||
	    (!cfg->packed && (size & (size - 1)) != 0)) {
		LVDPA_RING_LOG(ERR, "bad %s ring size %u",
			       cfg->packed ? "packed" : "split", size);
		return -EINVAL;
	}
	drv = cfg->driver_role;
	ret = lvdpa_ring_map_area(cfg, "descriptor", cfg->desc_addr,
				  lvdpa_ring_desc_bytes(size, cfg->packed),
				  16, drv, &r->desc);
	if (ret == 0)
		ret = lvdpa_ring_map_area(cfg, "driver", cfg->driver_addr,
			lvdpa_ring_driver_bytes(size, cfg->packed,
						cfg->event_idx),
			cfg->packed ? 4 : 2, drv, &r->driver);
	if (ret == 0)
		ret = lvdpa_ring_map_area(cfg, "device", cfg->device_addr,
			lvdpa_ring_device_bytes(size, cfg->packed,
						cfg->event_idx),
			4, !drv, &r->device);
	if (ret < 0) {
		memset(r, 0, sizeof(*r));
		return ret;
	}
	r->cfg = *cfg;
	r->next = calloc(size, sizeof(*r->next));
	r->chain_len = calloc(size, sizeof(*r->chain_len));
	r->cookie = calloc(size, sizeof(*r->cookie));
	r->pop_ndesc = calloc(size, sizeof(*r->pop_ndesc));
	if (r->next == NULL || r->chain_len == NULL || r->cookie == NULL ||
	    r->pop_ndesc == NULL) {
		lvdpa_ring_fini(r);
		memset(r, 0, sizeof(*r));
		return -ENOMEM;
	}
	/* Driver role: every descriptor (split) or buffer id (packed) free. */
	for (i = 0; i < size; i++)
		r->next[i] = (uint16_t)(i + 1);
	r->free_head = 0;
	r->num_free = size;
	/* Packed wrap counters start at 1 (virtio 2.8.1). */
	lvdpa_ring_set_base(r, cfg->packed ? 0x8000 : 0,
			    cfg->packed ? 0x8000 : 0);
	return 0;
}

void
lvdpa_ring_set_base(struct lvdpa_ring *r, uint16_t avail_idx,
		    uint16_t used_idx)
{
	if (r->cfg.packed) {
		/* A position beyond the ring cannot be walked from. */
		if ((avail_idx & 0x7fff) >= r->cfg.size ||
		    (used_idx & 0x7fff) >= r->cfg.size) {
			lvdpa_ring_bad(r, -EINVAL, "base 0x%x/0x%x beyond size",
				       avail_idx, used_idx);
			return;
		}
		r->last_avail = avail_idx & 0x7fff;
		r->avail_wrap = !!(avail_idx & 0x8000);
		r->last_used = used_idx & 0x7fff;
		r->used_wrap = !!(used_idx & 0x8000);
	} else {
		r->last_avail = avail_idx;
		r->avail_seen = avail_idx;
		r->last_used = used_idx;
		r->avail_wrap = true;
		r->used_wrap = true;
	}
	r->avail_idx = avail_idx;
	r->kicked_avail = avail_idx;
	r->shadow_used = 0;
	r->signalled_valid = false;
	r->used_since_signal = 0;
	r->pop_pos = 0;
	r->pop_count = 0;
	r->drv_head_pending = false;
}

void
lvdpa_ring_get_base(const struct lvdpa_ring *r, uint16_t *avail_idx,
		    uint16_t *used_idx)
{
	if (r->cfg.packed) {
		*avail_idx = r->last_avail | (r->avail_wrap ? 0x8000 : 0);
		*used_idx = r->last_used | (r->used_wrap ? 0x8000 : 0);
	} else {
		*avail_idx = r->last_avail;
		*used_idx = r->last_used;
	}
}

/* ---- chain building ---- */

int
lvdpa_ring_ind_map(struct lvdpa_ring *r, uint64_t table, uint32_t len,
		   const void **host)
{
	const struct lvdpa_ring_mem *mem = r->cfg.mem;
	uint64_t contig = 0;
	void *ptr = NULL;

	if (table + len < table)
		return lvdpa_ring_bad(r, -EFAULT, "indirect table 0x%" PRIx64
				      " wraps", table);
	if (mem->translate(mem->opaque, table, len, 0, &ptr, &contig) < 0 ||
	    contig == 0 || ptr == NULL)
		return lvdpa_ring_bad(r, -EFAULT, "indirect table 0x%" PRIx64
				      "+%u not mapped", table, len);
	/* Split over regions: read it descriptor by descriptor. */
	*host = contig >= len ? ptr : NULL;
	return 0;
}

int
lvdpa_ring_ind_read(struct lvdpa_ring *r, uint64_t table, const void *host,
		    uint32_t i, bool packed, struct lvdpa_ring_desc *d)
{
	const struct lvdpa_ring_mem *mem = r->cfg.mem;
	uint8_t raw[LVDPA_RING_DESC_SIZE];
	uint64_t addr = table + (uint64_t)i * LVDPA_RING_DESC_SIZE;
	unsigned int got = 0;

	if (host != NULL) {
		lvdpa_ring_desc_read(r, (const uint8_t *)host +
				     (size_t)i * LVDPA_RING_DESC_SIZE, packed, d);
		return 0;
	}
	while (got < sizeof(raw)) {
		uint64_t contig = 0;
		void *ptr = NULL;

		if (mem->translate(mem->opaque, addr + got, sizeof(raw) - got,
				   0, &ptr, &contig) < 0 || contig == 0 ||
		    ptr == NULL)
			return lvdpa_ring_bad(r, -EFAULT, "indirect descriptor"
					      " 0x%" PRIx64 " not mapped",
					      addr + got);
		if (contig > sizeof(raw) - got)
			contig = sizeof(raw) - got;
		memcpy(raw + got, ptr, contig);
		got += contig;
	}
	lvdpa_ring_desc_read(r, raw, packed, d);
	return 0;
}

/* ---- buffer helpers ---- */

uint32_t
lvdpa_ring_iov_read(const struct lvdpa_ring_iov *iov, unsigned int niov,
		    uint32_t off, void *buf, uint32_t len)
{
	uint32_t done = 0;
	unsigned int i;

	for (i = 0; i < niov && done < len; i++) {
		uint32_t n;

		if (off >= iov[i].len) {
			off -= iov[i].len;
			continue;
		}
		n = RTE_MIN(iov[i].len - off, len - done);
		memcpy((uint8_t *)buf + done, (const uint8_t *)iov[i].base + off,
		       n);
		done += n;
		off = 0;
	}
	return done;
}

uint32_t
lvdpa_ring_iov_write(const struct lvdpa_ring *r,
		     const struct lvdpa_ring_iov *iov, unsigned int niov,
		     uint32_t off, const void *buf, uint32_t len)
{
	uint32_t done = 0;
	unsigned int i;

	for (i = 0; i < niov && done < len; i++) {
		uint32_t n;

		if (off >= iov[i].len) {
			off -= iov[i].len;
			continue;
		}
		n = RTE_MIN(iov[i].len - off, len - done);
		memcpy((uint8_t *)iov[i].base + off, (const uint8_t *)buf + done,
		       n);
		/* Migration must see guest pages the device wrote. */
		lvdpa_ring_log(r, iov[i].addr + off, n);
		done += n;
		off = 0;
	}
	return done;
}

/* ---- public entry points ---- */

int
lvdpa_ring_dev_pop(struct lvdpa_ring *r, struct lvdpa_ring_chain *ch,
		   struct lvdpa_ring_iov *iov, unsigned int max_iov)
{
	int ret;

	if (r->error != 0)
		return r->error;
	ret = r->cfg.packed ? lvdpa_ring_packed_pop(r, ch, iov, max_iov) :
		lvdpa_ring_split_pop(r, ch, iov, max_iov);
	if (ret == 1) {
		/* Packed: remember the slots taken, so that unpop can give them back. */
		if (r->cfg.packed) {
			r->pop_ndesc[r->pop_pos] = ch->ndesc;
			r->pop_pos = r->pop_pos + 1 == r->cfg.size ? 0 : r->pop_pos + 1;
		}
		if (r->pop_count < r->cfg.size)
			r->pop_count++;
	}
	return ret;
}

void
lvdpa_ring_dev_unpop(struct lvdpa_ring *r, unsigned int n)
{
	if (n > r->pop_count)
		n = r->pop_count;
	if (!r->cfg.packed) {
		r->last_avail -= n;
		/* Read the index again: the chains given back count from it. */
		r->avail_seen = r->last_avail;
		r->pop_count -= n;
		return;
	}
	lvdpa_ring_packed_unpop(r, n);
}

int
lvdpa_ring_dev_push(struct lvdpa_ring *r, const struct lvdpa_ring_chain *ch,
		    uint32_t len)
{
	if (r->error != 0)
		return r->error;
	return r->cfg.packed ? lvdpa_ring_packed_push(r, ch, len) :
		lvdpa_ring_split_push(r, ch, len);
}

void
lvdpa_ring_dev_flush(struct lvdpa_ring *r)
{
	/* Packed used entries are visible as soon as they are pushed. */
	if (r->error == 0 && !r->cfg.packed)
		lvdpa_ring_split_flush(r);
}

bool
lvdpa_ring_dev_need_notify(struct lvdpa_ring *r)
{
	if (r->error != 0)
		return false;
	return r->cfg.packed ? lvdpa_ring_packed_need_notify(r) :
		lvdpa_ring_split_need_notify(r);
}

void
lvdpa_ring_dev_set_kick(struct lvdpa_ring *r, bool enable)
{
	if (r->error != 0)
		return;
	if (r->cfg.packed)
		lvdpa_ring_packed_set_kick(r, enable);
	else
		lvdpa_ring_split_set_kick(r, enable);
}

bool
lvdpa_ring_dev_avail(struct lvdpa_ring *r)
{
	if (r->error != 0)
		return false;
	return r->cfg.packed ? lvdpa_ring_packed_avail(r) :
		lvdpa_ring_split_avail(r);
}

unsigned int
lvdpa_ring_dev_peek(struct lvdpa_ring *r, unsigned int ahead, uint64_t addr[2])
{
	if (r->error != 0 || r->cfg.packed)
		return 0;
	return lvdpa_ring_split_peek(r, ahead, addr);
}

int
lvdpa_ring_drv_add(struct lvdpa_ring *r, const struct lvdpa_ring_seg *seg,
		   unsigned int nseg, uint64_t indirect_addr, uint64_t cookie)
{
	unsigned int i;

	if (r->error != 0)
		return r->error;
	if (seg == NULL || nseg == 0)
		return -EINVAL;
	/* The device would refuse readable after writable: refuse it first. */
	for (i = 1; i < nseg; i++)
		if (seg[i - 1].write && !seg[i].write)
			return -EINVAL;
	if (!r->cfg.indirect)
		indirect_addr = 0;
	/* A direct chain cannot be longer than the ring, and with an indirect
	 * table the descriptor count is still a 16-bit quantity.
	 */
	if ((indirect_addr == 0 && nseg > r->cfg.size) || nseg > UINT16_MAX)
		return -EINVAL;
	return r->cfg.packed ?
		lvdpa_ring_packed_add(r, seg, nseg, indirect_addr, cookie) :
		lvdpa_ring_split_add(r, seg, nseg, indirect_addr, cookie);
}

bool
lvdpa_ring_drv_publish(struct lvdpa_ring *r)
{
	if (r->error != 0)
		return false;
	return r->cfg.packed ? lvdpa_ring_packed_publish(r) :
		lvdpa_ring_split_publish(r);
}

int
lvdpa_ring_drv_get_used(struct lvdpa_ring *r, uint64_t *cookie, uint32_t *len)
{
	if (r->error != 0)
		return r->error;
	return r->cfg.packed ? lvdpa_ring_packed_get_used(r, cookie, len) :
		lvdpa_ring_split_get_used(r, cookie, len);
}

void
lvdpa_ring_drv_set_call(struct lvdpa_ring *r, bool enable)
{
	if (r->error != 0)
		return;
	if (r->cfg.packed)
		lvdpa_ring_packed_set_call(r, enable);
	else
		lvdpa_ring_split_set_call(r, enable);
}
