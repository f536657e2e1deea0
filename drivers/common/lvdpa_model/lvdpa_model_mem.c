/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The model's DMA view: registered user memory (UMEM) and memory keys.
 * A direct mkey maps [start, start + len) onto a umem from umem_offset; an
 * indirect one (KLM: entries of any size, KSM: entries of one fixed size)
 * maps consecutive ranges onto other mkeys. The device reaches host memory
 * only through these: an address no mkey covers is a fault, never a guess.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <rte_common.h>

#include "lvdpa_model_priv.h"

int
lvdpa_model_umem_reg(struct lvdpa_model_dev *dev, void *addr, size_t size,
		     uint32_t access, struct lvdpa_model_umem **out)
{
	struct lvdpa_model_umem *u;
	uint32_t id;

	if (addr == NULL || size == 0)
		return -EINVAL;
	/* The device would pin the pages: the range must not wrap. */
	if ((uintptr_t)addr + size < (uintptr_t)addr)
		return -EINVAL;
	for (id = 1; id < LVDPA_MODEL_MAX_OBJS; id++)
		if (dev->umems[id] == NULL)
			break;
	if (id == LVDPA_MODEL_MAX_OBJS)
		return -ENOMEM;
	u = calloc(1, sizeof(*u));
	if (u == NULL)
		return -ENOMEM;
	u->dev = dev;
	u->addr = addr;
	u->size = size;
	u->access = access;
	u->tp.dev = &dev->tp;
	u->tp.priv = u;
	u->tp.id = id;
	dev->umems[id] = u;
	*out = u;
	return 0;
}

int
lvdpa_model_umem_dereg(struct lvdpa_model_umem *u)
{
	struct lvdpa_model_dev *dev = u->dev;

	/* Like the kernel: memory a live object points at stays pinned. */
	if (u->refcnt != 0)
		return -EBUSY;
	dev->umems[u->tp.id] = NULL;
	free(u);
	return 0;
}

struct lvdpa_model_umem *
lvdpa_model_umem_get(struct lvdpa_model_dev *dev, uint32_t id)
{
	if (id == 0 || id >= LVDPA_MODEL_MAX_OBJS)
		return NULL;
	return dev->umems[id];
}

void
lvdpa_model_mkey_release(struct lvdpa_model_dev *dev, struct lvdpa_model_mkey *m)
{
	/* Cached translations may go through this mkey. */
	dev->obj_gen++;
	if (m->umem != NULL) {
		m->umem->refcnt--;
		m->umem = NULL;
	}
	free(m->klm);
	m->klm = NULL;
	m->nklm = 0;
}

/*
 * @p before: how many bytes below @p addr map linearly, through the same
 * entries, onto the bytes below *ptr (what the translation cache keeps).
 */
static int
lvdpa_model_mkey_xlate(struct lvdpa_model_dev *dev, uint32_t mkey, uint64_t addr,
		       uint64_t len, int write, void **ptr, uint64_t *contig,
		       uint64_t *before, unsigned int depth)
{
	struct lvdpa_model_obj *o;
	struct lvdpa_model_mkey *m;
	uint64_t off, avail;
	int rc;

	if (len == 0 || depth > 2)
		return -EFAULT;
	o = lvdpa_model_obj_get(dev, mkey >> 8, LVDPA_MODEL_KIND_MKEY);
	if (o == NULL)
		return -EFAULT;
	m = &o->u.mkey;
	if (m->key != (mkey & 0xff))
		return -EFAULT;
	if (addr < m->start || addr - m->start >= m->len)
		return -EFAULT;
	if (write && !m->write)
		return -EFAULT;
	off = addr - m->start;
	avail = m->len - off;
	if (len > avail)
		len = avail;
	if (m->access_mode == LVDPA_MODEL_MKEY_MTT) {
		/* Bounds were checked against the umem at create time. */
		*ptr = m->umem->addr + m->umem_offset + off;
		*contig = len;
		*before = off;
		return 0;
	}
	if (m->access_mode == LVDPA_MODEL_MKEY_KSM) {
		uint64_t i = off / m->fbs, in = off % m->fbs;

		if (i >= m->nklm)
			return -EFAULT;
		if (len > m->fbs - in)
			len = m->fbs - in;
		rc = lvdpa_model_mkey_xlate(dev, m->klm[i].mkey,
					    m->klm[i].addr + in, len, write,
					    ptr, contig, before, depth + 1);
		if (rc == 0 && *before > in)
			*before = in;
		return rc;
	}
	/* KLM: entries are consecutive; klm[i].len is the byte count. */
	{
		uint64_t base = 0;
		unsigned int i;

		/* A linear walk: the PMD's KLM tables have a few entries. */
		for (i = 0; i < m->nklm; i++) {
			if (off < base + m->klm[i].len)
				break;
			base += m->klm[i].len;
		}
		if (i == m->nklm)
			return -EFAULT;
		if (len > base + m->klm[i].len - off)
			len = base + m->klm[i].len - off;
		rc = lvdpa_model_mkey_xlate(dev, m->klm[i].mkey,
					    m->klm[i].addr + (off - base), len,
					    write, ptr, contig, before, depth + 1);
		if (rc == 0 && *before > off - base)
			*before = off - base;
		return rc;
	}
}

int
lvdpa_model_mem_translate(struct lvdpa_model_dev *dev, uint32_t mkey,
			  uint64_t addr, uint64_t len, int write,
			  void **ptr, uint64_t *contig)
{
	uint64_t before;

	return lvdpa_model_mkey_xlate(dev, mkey, addr, len, write, ptr, contig,
				      &before, 0);
}

int
lvdpa_model_mem_translate_cached(struct lvdpa_model_dev *dev,
				 struct lvdpa_model_xcache *xc, uint32_t mkey,
				 uint64_t addr, uint64_t len, int write,
				 void **ptr, uint64_t *contig,
				 const struct lvdpa_model_xent **ent)
{
	struct lvdpa_model_xent *e;
	uint64_t before, off;
	unsigned int i;
	int rc;

	/*
	 * A hit is an address inside a region a walk found, with the same
	 * mkey, objects and access: the walk would give the same.
	 */
	for (i = 0; i < RTE_DIM(xc->ent) && len != 0; i++) {
		e = &xc->ent[i];
		off = addr - e->lo;
		if (!e->valid || e->gen != dev->obj_gen || e->mkey != mkey ||
		    (write && !e->write) || addr < e->lo || off >= e->len)
			continue;
		*ptr = e->ptr + off;
		*contig = RTE_MIN(len, e->len - off);
		*ent = e;
		return 0;
	}
	/*
	 * The walk only ever shortens len (a min at each level), so asking
	 * for everything finds the region's end, and the caller's answer is
	 * the min of that and len, as a walk with len would give.
	 */
	if (len == 0)
		return -EFAULT;
	rc = lvdpa_model_mkey_xlate(dev, mkey, addr, UINT64_MAX, write, ptr,
				    contig, &before, 0);
	if (rc != 0)
		return rc;
	/* Each walk replaces the entry the one before did not fill. */
	e = &xc->ent[xc->victim];
	xc->victim = (xc->victim + 1) % RTE_DIM(xc->ent);
	e->valid = true;
	e->write = write != 0;
	e->mkey = mkey;
	e->gen = dev->obj_gen;
	e->lo = addr - before;
	e->len = before + *contig;
	e->ptr = (uint8_t *)*ptr - before;
	if (*contig > len)
		*contig = len;
	*ent = e;
	return 0;
}
