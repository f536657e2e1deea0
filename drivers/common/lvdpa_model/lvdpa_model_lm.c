/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Dirty page logging for live migration. While a queue has
 * dirty_bitmap_dump_enable set, every guest page the device writes for it
 * (used ring, RX buffers and their headers) sets its bit in the bitmap the
 * driver gave through dirty_bitmap_mkey / dirty_bitmap_addr / size. Bit n
 * stands for the page at address n << (12 + vhost_log_page), bits in a byte
 * from the least significant, as vhost's log. The bitmap is reached through
 * the mkey like any other DMA; a page beyond the bitmap is not logged.
 */

#include <stdatomic.h>

#include "lvdpa_model_priv.h"

void
lvdpa_model_lm_log(void *opaque, uint64_t addr, uint64_t len)
{
	struct lvdpa_model_virtq *vq = opaque;
	const struct lvdpa_model_vq_attr *a = &vq->attr;
	unsigned int shift;
	uint64_t page, last;

	if (!a->dirty_bitmap_dump_enable || len == 0)
		return;
	shift = LVDPA_MODEL_LOG_PAGE_MIN + a->vhost_log_page;
	if (shift > 40 || addr + len - 1 < addr)
		return;
	last = (addr + len - 1) >> shift;
	for (page = addr >> shift; page <= last; page++) {
		uint64_t byte = page / 8, n;
		void *p;

		if (byte >= a->dirty_bitmap_size)
			break;
		if (lvdpa_model_mem_translate(vq->dev, a->dirty_bitmap_mkey,
					      a->dirty_bitmap_addr + byte, 1, 1,
					      &p, &n) != 0) {
			LVDPA_MODEL_LOG_DP(vq->dev,
				"function %u queue %u: dirty bitmap not mapped at 0x%" PRIx64,
				vq->dev->fn, a->queue_index, a->dirty_bitmap_addr + byte);
			return;
		}
		/* The driver reads and clears the bitmap while the device runs. */
		__atomic_fetch_or((uint8_t *)p, (uint8_t)(1u << (page % 8)),
				  __ATOMIC_RELAXED);
	}
}
