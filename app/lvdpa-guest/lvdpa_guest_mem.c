/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Guest memory: memfd regions shared with the backend by SET_MEM_TABLE.
 * Guest physical addresses (what descriptors carry) start at 0 and each
 * further region starts on the next 1 GB boundary, leaving holes, so that a
 * backend translating with the wrong region, or ignoring holes, fails.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "lvdpa_guest_priv.h"

#define LVDPA_GUEST_PAGE 4096ULL
#define LVDPA_GUEST_GPA_STRIDE (1ULL << 30)

void
lvdpa_guest_mem_destroy(struct lvdpa_guest_mem *m)
{
	unsigned int i;

	for (i = 0; i < LVDPA_GUEST_MAX_REGIONS; i++) {
		struct lvdpa_guest_region *r = &m->r[i];

		if (r->va != NULL)
			munmap(r->va, r->size);
		if (r->fd >= 0)
			close(r->fd);
		r->va = NULL;
		r->fd = -1;
	}
	m->n = 0;
}

int
lvdpa_guest_mem_create(struct lvdpa_guest_mem *m, uint64_t size,
		       unsigned int nregions)
{
	uint64_t per, gpa = 0;
	unsigned int i;
	int rc;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < LVDPA_GUEST_MAX_REGIONS; i++)
		m->r[i].fd = -1;
	if (nregions == 0 || nregions > LVDPA_GUEST_MAX_REGIONS || size == 0)
		return -EINVAL;
	per = (size / nregions + LVDPA_GUEST_PAGE - 1) & ~(LVDPA_GUEST_PAGE - 1);
	for (i = 0; i < nregions; i++) {
		struct lvdpa_guest_region *r = &m->r[i];
		void *va;

		r->fd = memfd_create("lvdpa-guest-mem", MFD_CLOEXEC);
		if (r->fd < 0)
			goto fail;
		if (ftruncate(r->fd, (off_t)per) < 0)
			goto fail;
		va = mmap(NULL, per, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
		if (va == MAP_FAILED)
			goto fail;
		r->va = va;
		r->size = per;
		r->gpa = gpa;
		r->used = 0;
		gpa = (gpa + per + LVDPA_GUEST_GPA_STRIDE - 1) &
		      ~(LVDPA_GUEST_GPA_STRIDE - 1);
		m->n = i + 1;
	}
	m->view.translate = lvdpa_guest_mem_translate;
	m->view.log_write = NULL;
	m->view.opaque = m;
	return 0;
fail:
	rc = -errno;
	lvdpa_guest_mem_destroy(m);
	return rc;
}

int
lvdpa_guest_mem_alloc(struct lvdpa_guest_mem *m, uint64_t len, uint64_t align,
		      uint64_t *gpa, void **va)
{
	unsigned int tries;

	if (len == 0 || align == 0 || (align & (align - 1)) != 0)
		return -EINVAL;
	/* Regions in turn, so that buffers and rings land in all of them. */
	for (tries = 0; tries < m->n; tries++) {
		struct lvdpa_guest_region *r = &m->r[m->next];
		uint64_t off = (r->used + align - 1) & ~(align - 1);

		m->next = (m->next + 1) % m->n;
		if (off <= r->size && len <= r->size - off) {
			r->used = off + len;
			*gpa = r->gpa + off;
			*va = r->va + off;
			return 0;
		}
	}
	return -ENOMEM;
}

static const struct lvdpa_guest_region *
lvdpa_guest_mem_find(const struct lvdpa_guest_mem *m, uint64_t gpa)
{
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		const struct lvdpa_guest_region *r = &m->r[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

void *
lvdpa_guest_mem_ptr(const struct lvdpa_guest_mem *m, uint64_t gpa, uint64_t len)
{
	const struct lvdpa_guest_region *r = lvdpa_guest_mem_find(m, gpa);

	if (r == NULL || len > r->size - (gpa - r->gpa))
		return NULL;
	return r->va + (gpa - r->gpa);
}

int
lvdpa_guest_mem_translate(void *opaque, uint64_t addr, uint64_t len, int write,
			  void **ptr, uint64_t *contig)
{
	const struct lvdpa_guest_mem *m = opaque;
	const struct lvdpa_guest_region *r = lvdpa_guest_mem_find(m, addr);
	uint64_t left;

	(void)write;
	if (r == NULL || len == 0)
		return -EFAULT;
	left = r->size - (addr - r->gpa);
	*ptr = r->va + (addr - r->gpa);
	*contig = len < left ? len : left;
	return 0;
}
