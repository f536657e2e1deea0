/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_TEST_RING_COMMON_H
#define LVDPA_TEST_RING_COMMON_H

/*
 * A "guest memory" for ring tests: one or two calloc'd regions at guest
 * addresses from 0, seen through a struct lvdpa_ring_mem. With two regions
 * the host buffers are separate allocations, so a buffer crossing the
 * boundary must come back as two iovs. Plus raw accessors in either byte
 * order to write and check ring bytes by hand.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lvdpa_ring.h"
#include "lvdpa_virtio.h"

#define LVDPA_TMEM_MAX_REG 2

struct lvdpa_tmem {
	struct {
		uint64_t gpa;
		uint64_t len;
		uint8_t *host;
	} reg[LVDPA_TMEM_MAX_REG];
	unsigned int nreg;
	uint64_t ro_start, ro_end; /* read-only guest range, for -EFAULT */
	uint8_t *huge;             /* if set: [4 GiB, 2^63) maps here, never read */
	unsigned int nlog;         /* log_write calls */
	uint64_t log_lo, log_hi;   /* span logged */
	struct lvdpa_ring_mem mem;
};

static int
lvdpa_tmem_translate(void *opaque, uint64_t addr, uint64_t len, int write,
		     void **ptr, uint64_t *contig)
{
	struct lvdpa_tmem *m = opaque;
	unsigned int i;

	for (i = 0; i < m->nreg; i++) {
		uint64_t off;

		if (addr < m->reg[i].gpa ||
		    addr - m->reg[i].gpa >= m->reg[i].len)
			continue;
		if (write && addr < m->ro_end && addr + len > m->ro_start)
			return -EFAULT;
		off = addr - m->reg[i].gpa;
		*ptr = m->reg[i].host + off;
		*contig = m->reg[i].len - off < len ? m->reg[i].len - off : len;
		return 0;
	}
	/* A huge fake region for length tests: the walker only records it. */
	if (m->huge != NULL && addr >= (1ull << 32) && addr < (1ull << 63)) {
		*ptr = m->huge;
		*contig = len;
		return 0;
	}
	return -EFAULT;
}

static void
lvdpa_tmem_log(void *opaque, uint64_t addr, uint64_t len)
{
	struct lvdpa_tmem *m = opaque;

	if (m->nlog == 0 || addr < m->log_lo)
		m->log_lo = addr;
	if (m->nlog == 0 || addr + len > m->log_hi)
		m->log_hi = addr + len;
	m->nlog++;
}

/* @p split: 0 for one region of @p len bytes, else the boundary address. */
static inline int
lvdpa_tmem_init(struct lvdpa_tmem *m, uint64_t len, uint64_t split)
{
	memset(m, 0, sizeof(*m));
	if (split == 0) {
		m->nreg = 1;
		m->reg[0].len = len;
	} else {
		m->nreg = 2;
		m->reg[0].len = split;
		m->reg[1].gpa = split;
		m->reg[1].len = len - split;
	}
	for (unsigned int i = 0; i < m->nreg; i++) {
		/* Over-allocate so that the regions are not adjacent. */
		m->reg[i].host = aligned_alloc(64, (m->reg[i].len + 4096 + 63) &
					       ~(uint64_t)63);
		if (m->reg[i].host == NULL)
			return -ENOMEM;
		memset(m->reg[i].host, 0, m->reg[i].len + 4096);
	}
	m->mem.translate = lvdpa_tmem_translate;
	m->mem.log_write = lvdpa_tmem_log;
	m->mem.opaque = m;
	return 0;
}

static inline void
lvdpa_tmem_fini(struct lvdpa_tmem *m)
{
	for (unsigned int i = 0; i < m->nreg; i++)
		free(m->reg[i].host);
	m->nreg = 0;
}

/* Host pointer of a guest address (which must be mapped). */
static inline uint8_t *
lvdpa_tmem_ptr(struct lvdpa_tmem *m, uint64_t gpa)
{
	void *p = NULL;
	uint64_t c;

	if (lvdpa_tmem_translate(m, gpa, 1, 0, &p, &c) != 0)
		abort();
	return p;
}

/* Byte-wise copy to/from guest memory, across regions. */
static inline void
lvdpa_tmem_write(struct lvdpa_tmem *m, uint64_t gpa, const void *src,
		 uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		*lvdpa_tmem_ptr(m, gpa + i) = ((const uint8_t *)src)[i];
}

static inline void
lvdpa_tmem_read(struct lvdpa_tmem *m, uint64_t gpa, void *dst, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		((uint8_t *)dst)[i] = *lvdpa_tmem_ptr(m, gpa + i);
}

/* Store @p v in @p n bytes at @p gpa, big- or little-endian, byte by byte. */
static inline void
lvdpa_tmem_put(struct lvdpa_tmem *m, uint64_t gpa, uint64_t v, unsigned int n,
	       bool be)
{
	for (unsigned int i = 0; i < n; i++) {
		unsigned int shift = be ? 8 * (n - 1 - i) : 8 * i;

		*lvdpa_tmem_ptr(m, gpa + i) = (uint8_t)(v >> shift);
	}
}

static inline uint64_t
lvdpa_tmem_get(struct lvdpa_tmem *m, uint64_t gpa, unsigned int n, bool be)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++) {
		unsigned int shift = be ? 8 * (n - 1 - i) : 8 * i;

		v |= (uint64_t)*lvdpa_tmem_ptr(m, gpa + i) << shift;
	}
	return v;
}

/* A split descriptor written field by field in the given byte order. */
static inline void
lvdpa_tmem_split_desc(struct lvdpa_tmem *m, uint64_t table, unsigned int i,
		      uint64_t addr, uint32_t len, uint16_t flags,
		      uint16_t next, bool be)
{
	uint64_t d = table + 16ull * i;

	lvdpa_tmem_put(m, d, addr, 8, be);
	lvdpa_tmem_put(m, d + 8, len, 4, be);
	lvdpa_tmem_put(m, d + 12, flags, 2, be);
	lvdpa_tmem_put(m, d + 14, next, 2, be);
}

static inline void
lvdpa_tmem_packed_desc(struct lvdpa_tmem *m, uint64_t table, unsigned int i,
		       uint64_t addr, uint32_t len, uint16_t id,
		       uint16_t flags, bool be)
{
	uint64_t d = table + 16ull * i;

	lvdpa_tmem_put(m, d, addr, 8, be);
	lvdpa_tmem_put(m, d + 8, len, 4, be);
	lvdpa_tmem_put(m, d + 12, id, 2, be);
	lvdpa_tmem_put(m, d + 14, flags, 2, be);
}

/* Standard test layout: areas at fixed guest addresses. */
#define LVDPA_T_DESC   0x1000ull
#define LVDPA_T_DRIVER 0x20000ull
#define LVDPA_T_DEVICE 0x30000ull
#define LVDPA_T_DATA   0x40000ull

static inline struct lvdpa_ring_config
lvdpa_tmem_cfg(struct lvdpa_tmem *m, uint16_t size, bool packed, bool be,
	       bool event_idx, bool indirect, bool driver_role)
{
	struct lvdpa_ring_config c = {
		.size = size,
		.packed = packed,
		.event_idx = event_idx,
		.indirect = indirect,
		.big_endian = be,
		.desc_addr = LVDPA_T_DESC,
		.driver_addr = LVDPA_T_DRIVER,
		.device_addr = LVDPA_T_DEVICE,
		.mem = &m->mem,
		.driver_role = driver_role,
	};

	return c;
}

/* A small seeded generator (xorshift64*), the same on every machine. */
static inline uint64_t
lvdpa_trand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

#endif /* LVDPA_TEST_RING_COMMON_H */
