/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Guest memory for the device. Each region of the vhost memory table is
 * registered as a umem with a direct mkey over its host virtual addresses;
 * one indirect KLM mkey then lays the regions out by guest physical
 * address, which is what the virtqs and their rings use. Gaps between
 * regions are KLM entries with no mkey (0): the device faults on them
 * instead of reaching unrelated memory.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "lvdpa_vdpa.h"

/* KLM byte_count is 32 bits (0 means 2 GiB): stay well below. */
#define LVDPA_VDPA_KLM_MAX_LEN (UINT64_C(1) << 30)

static int
lvdpa_vdpa_mreg_cmp(const void *a, const void *b)
{
	const struct rte_vhost_mem_region *x = a, *y = b;

	return x->guest_phys_addr < y->guest_phys_addr ? -1 :
	       x->guest_phys_addr > y->guest_phys_addr;
}

static bool
lvdpa_vdpa_mem_unchanged(const struct lvdpa_vdpa_priv *priv,
			 const struct rte_vhost_memory *mem)
{
	uint32_t i;

	if (priv->mkey == NULL || priv->nr_mregs != mem->nregions ||
	    priv->mkey_has_relay != (priv->relay_mkey != NULL))
		return false;
	for (i = 0; i < mem->nregions; i++) {
		const struct rte_vhost_mem_region *r = &mem->regions[i];
		const struct lvdpa_vdpa_mreg *m = &priv->mregs[i];

		if (r->guest_phys_addr != m->gpa || r->host_user_addr != m->hva ||
		    r->size != m->size)
			return false;
	}
	return true;
}

void
lvdpa_vdpa_mem_unregister(struct lvdpa_vdpa_priv *priv)
{
	uint32_t i;

	if (priv->mkey != NULL) {
		lvdpa_devx_mkey_destroy(priv->mkey);
		priv->mkey = NULL;
	}
	for (i = 0; i < priv->nr_mregs; i++) {
		struct lvdpa_vdpa_mreg *m = &priv->mregs[i];

		if (m->mkey != NULL)
			lvdpa_devx_mkey_destroy(m->mkey);
		if (m->umem != NULL)
			lvdpa_devx_umem_dereg(m->umem);
	}
	free(priv->mregs);
	priv->mregs = NULL;
	priv->nr_mregs = 0;
	priv->mregs_gen++;
	priv->mkey_has_relay = false;
}

/* Append KLM entries covering @p len bytes from @p addr of @p mkey. */
static int
lvdpa_vdpa_klm_add(struct lvdpa_devx_klm **klms, uint32_t *n, uint32_t *cap,
		   uint32_t max, uint64_t addr, uint64_t len, uint32_t mkey)
{
	while (len > 0) {
		uint64_t l = RTE_MIN(len, LVDPA_VDPA_KLM_MAX_LEN);

		if (*n == max)
			return -E2BIG;
		if (*n == *cap) {
			uint32_t c = *cap ? *cap * 2 : 16;
			struct lvdpa_devx_klm *k = realloc(*klms, c * sizeof(*k));

			if (k == NULL)
				return -ENOMEM;
			*klms = k;
			*cap = c;
		}
		(*klms)[*n].addr = addr;
		(*klms)[*n].len = (uint32_t)l;
		(*klms)[*n].mkey = mkey;
		(*n)++;
		if (mkey != 0)
			addr += l;
		len -= l;
	}
	return 0;
}

int
lvdpa_vdpa_mem_register(struct lvdpa_vdpa_priv *priv)
{
	struct rte_vhost_memory *mem = NULL;
	struct lvdpa_devx_klm *klms = NULL;
	uint32_t i, nklm = 0, cap = 0, max;
	uint64_t start, end;
	int rc;

	if (rte_vhost_get_mem_table(priv->vid, &mem) != 0 || mem == NULL) {
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d: no memory table", priv->vid);
		return -EINVAL;
	}
	if (mem->nregions == 0) {
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d: empty memory table", priv->vid);
		rc = -EINVAL;
		goto out;
	}
	qsort(mem->regions, mem->nregions, sizeof(mem->regions[0]),
	      lvdpa_vdpa_mreg_cmp);
	if (lvdpa_vdpa_mem_unchanged(priv, mem)) {
		rc = 0;
		goto out;
	}
	lvdpa_vdpa_mem_unregister(priv);
	priv->mregs = calloc(mem->nregions, sizeof(*priv->mregs));
	if (priv->mregs == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	priv->nr_mregs = mem->nregions;
	max = priv->caps.log_max_klm_list_size ?
	      UINT32_C(1) << RTE_MIN(priv->caps.log_max_klm_list_size, 30) : 1024;
	start = mem->regions[0].guest_phys_addr;
	end = start;
	for (i = 0; i < mem->nregions; i++) {
		const struct rte_vhost_mem_region *r = &mem->regions[i];
		struct lvdpa_vdpa_mreg *m = &priv->mregs[i];
		struct lvdpa_devx_mkey_direct_attr da = { 0 };

		m->gpa = r->guest_phys_addr;
		m->hva = r->host_user_addr;
		m->size = r->size;
		if (r->size == 0 || r->guest_phys_addr < end ||
		    r->guest_phys_addr + r->size < r->guest_phys_addr) {
			LVDPA_VDPA_DLOG(priv, ERR, "vid %d: bad memory region %u (gpa 0x%" PRIx64 " size 0x%" PRIx64 ")",
					priv->vid, i, r->guest_phys_addr, r->size);
			rc = -EINVAL;
			goto out;
		}
		rc = lvdpa_devx_umem_reg(priv->tp, (void *)(uintptr_t)r->host_user_addr,
					 r->size, LVDPA_DEVX_UMEM_LOCAL_WRITE |
					 LVDPA_DEVX_UMEM_REMOTE_WRITE |
					 LVDPA_DEVX_UMEM_REMOTE_READ, &m->umem);
		if (rc != 0)
			goto out;
		da.pd = priv->pd->id;
		da.addr = r->host_user_addr;
		da.size = r->size;
		da.umem_id = m->umem->id;
		da.umem_offset = 0;
		da.remote_rw = true;
		rc = lvdpa_devx_mkey_create_direct(priv->tp, &da, &m->mkey);
		if (rc != 0)
			goto out;
		if (r->guest_phys_addr > end) {
			rc = lvdpa_vdpa_klm_add(&klms, &nklm, &cap, max, 0,
						r->guest_phys_addr - end, 0);
			if (rc != 0)
				goto too_many;
		}
		rc = lvdpa_vdpa_klm_add(&klms, &nklm, &cap, max, r->host_user_addr,
					r->size, m->mkey->id);
		if (rc != 0)
			goto too_many;
		end = r->guest_phys_addr + r->size;
	}
	if (priv->relay_mkey != NULL) {
		/*
		 * The relay's shadow rings: after guest memory, page aligned,
		 * so that no guest address reaches them.
		 */
		uint64_t iova = RTE_ALIGN_CEIL(end, UINT64_C(4096));

		if (iova > end) {
			rc = lvdpa_vdpa_klm_add(&klms, &nklm, &cap, max, 0,
						iova - end, 0);
			if (rc != 0)
				goto too_many;
		}
		rc = lvdpa_vdpa_klm_add(&klms, &nklm, &cap, max,
					(uintptr_t)priv->relay_buf,
					priv->relay_buf_len, priv->relay_mkey->id);
		if (rc != 0)
			goto too_many;
		priv->relay_iova = iova;
		end = iova + priv->relay_buf_len;
	}
	{
		struct lvdpa_devx_mkey_indirect_attr ia = {
			.pd = priv->pd->id,
			.addr = start,
			.size = end - start,
			.klms = klms,
			.klm_num = nklm,
			.log_entity_size = 0,
			.remote_rw = true,
		};

		rc = lvdpa_devx_mkey_create_indirect(priv->tp, &ia, &priv->mkey);
		if (rc == 0)
			priv->mkey_has_relay = priv->relay_mkey != NULL;
	}
	if (rc == 0)
		LVDPA_VDPA_DLOG(priv, DEBUG, "vid %d: %u memory regions in %u KLM entries",
				priv->vid, mem->nregions, nklm);
	goto out;
too_many:
	if (rc == -E2BIG)
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d: the memory layout needs more than %u KLM entries",
				priv->vid, max);
out:
	if (rc != 0) {
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d: memory registration failed: %s",
				priv->vid, strerror(-rc));
		lvdpa_vdpa_mem_unregister(priv);
	}
	free(klms);
	free(mem);
	return rc;
}

int
lvdpa_vdpa_hva_to_gpa(const struct lvdpa_vdpa_priv *priv, uint64_t hva,
		      uint64_t len, uint64_t *gpa)
{
	uint32_t i;

	for (i = 0; i < priv->nr_mregs; i++) {
		const struct lvdpa_vdpa_mreg *m = &priv->mregs[i];

		if (hva >= m->hva && hva - m->hva < m->size &&
		    len <= m->size - (hva - m->hva)) {
			*gpa = m->gpa + (hva - m->hva);
			return 0;
		}
	}
	return -EFAULT;
}
