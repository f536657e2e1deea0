/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The walker's dma_peer option (driver role: rte_io_* barriers for a ring
 * fed to DMA hardware, as the relay's shadow ring is): the option is kept
 * by lvdpa_ring_init, and a driver/device round trip gives the same
 * results with and without it (the barriers are the same instructions on
 * x86; on Arm only their strength differs).
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lvdpa_ring.h"
#include "lvdpa_test.h"

#define LVDPA_DP_SIZE 64
#define LVDPA_DP_MEM  (64 * 1024)

/* Identity view over one calloc'd block: addresses are offsets in it. */
static int
lvdpa_dp_translate(void *opaque, uint64_t addr, uint64_t len, int write,
		   void **ptr, uint64_t *contig)
{
	(void)write;
	if (addr >= LVDPA_DP_MEM || len > LVDPA_DP_MEM - addr)
		return -EFAULT;
	*ptr = (uint8_t *)opaque + addr;
	*contig = len;
	return 0;
}

/* Offer 3 buffers, complete them on the device side, collect them. */
static int
lvdpa_dp_roundtrip(bool dma_peer, uint64_t out[3], uint32_t lens[3])
{
	uint8_t *mem = aligned_alloc(4096, LVDPA_DP_MEM);
	struct lvdpa_ring_mem view = { .translate = lvdpa_dp_translate };
	struct lvdpa_ring drv, dev;
	struct lvdpa_ring_config c = {
		.size = LVDPA_DP_SIZE,
		.desc_addr = 0,
		.driver_addr = 4096,
		.device_addr = 8192,
		.mem = &view,
	};
	struct lvdpa_ring_iov iov[4];
	struct lvdpa_ring_chain ch;
	unsigned int i;
	int rc = -1;

	if (mem == NULL)
		return -ENOMEM;
	memset(mem, 0, LVDPA_DP_MEM);
	view.opaque = mem;
	memset(&drv, 0, sizeof(drv));
	memset(&dev, 0, sizeof(dev));
	c.driver_role = true;
	c.dma_peer = dma_peer;
	if (lvdpa_ring_init(&drv, &c) != 0)
		goto out;
	if (drv.cfg.dma_peer != dma_peer)
		goto out;
	c.driver_role = false;
	c.dma_peer = false;
	if (lvdpa_ring_init(&dev, &c) != 0)
		goto out;
	for (i = 0; i < 3; i++) {
		struct lvdpa_ring_seg seg = {
			.addr = 16384 + 2048 * i, .len = 1000 + i, .write = true,
		};

		if (lvdpa_ring_drv_add(&drv, &seg, 1, 0, 100 + i) != 0)
			goto out;
	}
	if (!lvdpa_ring_drv_publish(&drv))
		goto out;
	for (i = 0; i < 3; i++) {
		if (lvdpa_ring_dev_pop(&dev, &ch, iov, 4) != 1 || ch.nin != 1)
			goto out;
		if (lvdpa_ring_dev_push(&dev, &ch, iov[0].len - 1) != 0)
			goto out;
	}
	lvdpa_ring_dev_flush(&dev);
	for (i = 0; i < 3; i++)
		if (lvdpa_ring_drv_get_used(&drv, &out[i], &lens[i]) != 1)
			goto out;
	if (lvdpa_ring_drv_get_used(&drv, &out[0], &lens[0]) != 0)
		goto out;
	lvdpa_ring_drv_set_call(&drv, true);
	rc = lvdpa_ring_error(&drv) == 0 && lvdpa_ring_error(&dev) == 0 ? 0 : -1;
out:
	lvdpa_ring_fini(&drv);
	lvdpa_ring_fini(&dev);
	free(mem);
	return rc;
}

static int
test_dma_peer_plumbed(void)
{
	uint64_t a[3], b[3];
	uint32_t la[3], lb[3];
	unsigned int i;

	LVDPA_TEST_ASSERT_EQ(lvdpa_dp_roundtrip(false, a, la), 0, "cpu peer");
	LVDPA_TEST_ASSERT_EQ(lvdpa_dp_roundtrip(true, b, lb), 0, "dma peer");
	for (i = 0; i < 3; i++) {
		LVDPA_TEST_ASSERT_EQ(a[i], 100 + i, "cookie %u", i);
		LVDPA_TEST_ASSERT_EQ(b[i], a[i], "cookie %u", i);
		LVDPA_TEST_ASSERT_EQ(la[i], 999 + i, "len %u", i);
		LVDPA_TEST_ASSERT_EQ(lb[i], la[i], "len %u", i);
	}
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_dma_peer_plumbed),
)
