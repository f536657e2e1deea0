/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * virtio-net header: length per feature set, golden bytes in both byte
 * orders, 10 vs 12 bytes; and the shared constants pinned to the spec's
 * numbers (a wrong bit would otherwise be consistently wrong everywhere).
 */

#include <rte_common.h>

#include "lvdpa_test.h"
#include "lvdpa_net_hdr.h"
#include "lvdpa_ring.h"
#include "lvdpa_virtio.h"

static const uint8_t hdr_le[12] = {
	0x01, 0x01, 0x36, 0x00, 0xa8, 0x05, 0x22, 0x00, 0x10, 0x00, 0x03, 0x00,
};

static const uint8_t hdr_be[12] = {
	0x01, 0x01, 0x00, 0x36, 0x05, 0xa8, 0x00, 0x22, 0x00, 0x10, 0x00, 0x03,
};

static const struct lvdpa_net_hdr hdr_cpu = {
	.flags = LVDPA_VIRTIO_NET_HDR_F_NEEDS_CSUM,
	.gso_type = LVDPA_VIRTIO_NET_HDR_GSO_TCPV4,
	.hdr_len = 0x36,
	.gso_size = 0x5a8,
	.csum_start = 0x22,
	.csum_offset = 0x10,
	.num_buffers = 3,
};

static int
test_net_hdr_len(void)
{
	const uint64_t v1 = LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_VERSION_1);
	const uint64_t mrg = LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_MRG_RXBUF);

	LVDPA_TEST_ASSERT_EQ(lvdpa_net_hdr_len(0), 10, "no features (legacy)");
	LVDPA_TEST_ASSERT_EQ(lvdpa_net_hdr_len(mrg), 12, "legacy MRG_RXBUF");
	LVDPA_TEST_ASSERT_EQ(lvdpa_net_hdr_len(v1), 12, "VERSION_1");
	LVDPA_TEST_ASSERT_EQ(lvdpa_net_hdr_len(v1 | mrg), 12, "both");
	LVDPA_TEST_ASSERT_EQ(lvdpa_net_hdr_len(~(v1 | mrg)), 10,
			     "everything else");
	LVDPA_TEST_ASSERT_EQ(lvdpa_net_hdr_len(
		LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_RING_PACKED) |
		LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_CSUM)), 10, "no v1 no mrg");
	return 0;
}

static int
test_net_hdr_golden(void)
{
	for (int be = 0; be < 2; be++) {
		const uint8_t *want = be ? hdr_be : hdr_le;
		struct lvdpa_net_hdr h;
		uint8_t buf[16];

		/* 12 bytes */
		memset(buf, 0xee, sizeof(buf));
		lvdpa_net_hdr_write(buf + 1, 12, be, &hdr_cpu);
		LVDPA_TEST_ASSERT(memcmp(buf + 1, want, 12) == 0, "write 12 %d", be);
		LVDPA_TEST_ASSERT(buf[0] == 0xee && buf[13] == 0xee, "bounds");
		memset(&h, 0x55, sizeof(h));
		lvdpa_net_hdr_read(want, 12, be, &h);
		LVDPA_TEST_ASSERT_EQ(h.flags, 1, "flags");
		LVDPA_TEST_ASSERT_EQ(h.gso_type, 1, "gso_type");
		LVDPA_TEST_ASSERT_EQ(h.hdr_len, 0x36, "hdr_len");
		LVDPA_TEST_ASSERT_EQ(h.gso_size, 0x5a8, "gso_size");
		LVDPA_TEST_ASSERT_EQ(h.csum_start, 0x22, "csum_start");
		LVDPA_TEST_ASSERT_EQ(h.csum_offset, 0x10, "csum_offset");
		LVDPA_TEST_ASSERT_EQ(h.num_buffers, 3, "num_buffers");

		/* 10 bytes: no num_buffers, nothing written past 10 */
		memset(buf, 0xee, sizeof(buf));
		lvdpa_net_hdr_write(buf + 1, 10, be, &hdr_cpu);
		LVDPA_TEST_ASSERT(memcmp(buf + 1, want, 10) == 0, "write 10 %d", be);
		LVDPA_TEST_ASSERT(buf[11] == 0xee && buf[12] == 0xee,
				  "10-byte header wrote num_buffers");
		lvdpa_net_hdr_read(buf + 1, 10, be, &h);
		LVDPA_TEST_ASSERT_EQ(h.num_buffers, 0, "no num_buffers in 10");
		LVDPA_TEST_ASSERT_EQ(h.csum_offset, 0x10, "csum_offset");
		/* Odd alignment works (buffers carry no alignment promise). */
		lvdpa_net_hdr_read(buf + 1, 12, be, &h);
		LVDPA_TEST_ASSERT_EQ(h.num_buffers, 0xeeee, "unaligned read");
	}
	return 0;
}

/* The numbers other components rely on, from the virtio spec. */
static int
test_constants(void)
{
	LVDPA_TEST_ASSERT_EQ(LVDPA_VIRTIO_NET_F_CSUM, 0, "spec value");
	LVDPA_TEST_ASSERT_EQ(LVDPA_VIRTIO_NET_F_GUEST_CSUM, 1, "spec value");
	LVDPA_TEST_ASSERT_EQ(LVDPA_VIRTIO_NET_F_MAC, 5, "spec value");
	LVDPA_TEST_ASSERT_EQ(LVDPA_VIRTIO_NET_F_HOST_TSO4, 11, "spec value");
	LVDPA_TEST_ASSERT_EQ(LVDPA_VIRTIO_NET_F_MRG_RXBUF, 15, "spec value");
	LVDPA_TEST_ASSERT_EQ(LVDPA_VIRTIO_NET_F_STATUS, 16, "spec value");
	LVDPA_TEST_ASSERT_EQ(LVDPA_VIRTIO_NET_F_CTRL_VQ, 17, "spec value");
	LVDPA_TEST_ASSERT_EQ(LVDPA_VIRTIO_NET_F_MQ, 22, "spec value");
	LVDPA_TEST_ASSERT_EQ(LVDPA_VIRTIO_F_NOTIFY_ON_EMPTY, 24, "spec value");
	LVDPA_TEST_ASSERT_EQ(LVDPA_VIRTIO_F_LOG_ALL, 26, "spec value");
	LVDPA_TEST_ASSERT_EQ(LVDPA_VIRTIO_F_ANY_LAYOUT, 27, "spec value");
	LVDPA_TEST_ASSERT_EQ(LVDPA_VIRTIO_F_INDIRECT_DESC, 28, "spec value");
	LVDPA_TEST_ASSERT_EQ(LVDPA_VIRTIO_F_EVENT_IDX, 29, "spec value");
	LVDPA_TEST_ASSERT_EQ(LVDPA_VIRTIO_F_PROTOCOL_FEATURES, 30, "spec value");
	LVDPA_TEST_ASSERT_EQ(LVDPA_VIRTIO_F_VERSION_1, 32, "spec value");
	LVDPA_TEST_ASSERT_EQ(LVDPA_VIRTIO_F_ACCESS_PLATFORM, 33, "spec value");
	LVDPA_TEST_ASSERT_EQ(LVDPA_VIRTIO_F_RING_PACKED, 34, "spec value");
	LVDPA_TEST_ASSERT_EQ(LVDPA_VIRTIO_F_IN_ORDER, 35, "spec value");
	LVDPA_TEST_ASSERT_EQ(LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_VERSION_1),
			     0x100000000ull, "bit macro");
	/* Ring area sizes (virtio 2.7: avail 6 + 2Q, used 6 + 8Q). */
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_desc_bytes(256, false), 4096, "spec value");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_driver_bytes(256, false, true), 518, "spec value");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_driver_bytes(256, false, false), 516, "spec value");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_device_bytes(256, false, true), 2054, "spec value");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_device_bytes(256, false, false), 2052, "spec value");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_desc_bytes(100, true), 1600, "spec value");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_driver_bytes(100, true, true), 4, "spec value");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_device_bytes(100, true, false), 4, "spec value");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_desc_bytes(32768, false), 524288, "spec value");
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_net_hdr_len),
	LVDPA_TEST_CASE(test_net_hdr_golden),
	LVDPA_TEST_CASE(test_constants),
)
