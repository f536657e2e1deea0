/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * lvdpa-guest's guest memory (memfd regions with holes between them, the
 * lvdpa_ring_mem view) and its packet tags.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "lvdpa_guest_priv.h"
#include "lvdpa_test.h"

#define MB (1ULL << 20)
#define GB (1ULL << 30)

/* Three regions of 4 MB at guest physical 0, 1 GB and 2 GB. */
static int
test_guest_mem_layout(void)
{
	struct lvdpa_guest_mem m;
	unsigned int i;
	int rc;

	rc = lvdpa_guest_mem_create(&m, 12 * MB, 3);
	LVDPA_TEST_ASSERT_EQ(rc, 0, "create");
	LVDPA_TEST_ASSERT_EQ(m.n, 3, "regions");
	for (i = 0; i < 3; i++) {
		LVDPA_TEST_ASSERT_EQ(m.r[i].gpa, i * GB, "region %u gpa", i);
		LVDPA_TEST_ASSERT_EQ(m.r[i].size, 4 * MB, "region %u size", i);
		LVDPA_TEST_ASSERT(m.r[i].fd >= 0 && m.r[i].va != NULL, "mapped");
	}
	/* The memfd is what the backend maps: the same bytes. */
	m.r[1].va[100] = 0x5a;
	{
		uint8_t *again = mmap(NULL, 4 * MB, PROT_READ, MAP_SHARED,
				      m.r[1].fd, 0);

		LVDPA_TEST_ASSERT(again != MAP_FAILED, "mmap memfd");
		rc = again[100];
		munmap(again, 4 * MB);
		LVDPA_TEST_ASSERT_EQ(rc, 0x5a, "shared");
	}
	lvdpa_guest_mem_destroy(&m);
	LVDPA_TEST_ASSERT_EQ(m.n, 0, "destroyed");
	lvdpa_guest_mem_destroy(&m);   /* idempotent */
	LVDPA_TEST_ASSERT_EQ(lvdpa_guest_mem_create(&m, 12 * MB, 0), -EINVAL, "0 regions");
	LVDPA_TEST_ASSERT_EQ(lvdpa_guest_mem_create(&m, 12 * MB, 9), -EINVAL, "9 regions");
	return 0;
}

static int
test_guest_mem_translate(void)
{
	const struct lvdpa_ring_mem *v;
	struct lvdpa_guest_mem m;
	uint64_t contig;
	void *p;

	LVDPA_TEST_ASSERT_EQ(lvdpa_guest_mem_create(&m, 8 * MB, 2), 0, "create");
	v = &m.view;
	LVDPA_TEST_ASSERT(v->translate == lvdpa_guest_mem_translate && v->opaque == &m,
			  "view");
	/* Inside region 0. */
	LVDPA_TEST_ASSERT_EQ(v->translate(v->opaque, 0x1000, 64, 0, &p, &contig), 0, "r0");
	LVDPA_TEST_ASSERT(p == m.r[0].va + 0x1000, "r0 pointer");
	LVDPA_TEST_ASSERT_EQ(contig, 64, "r0 contig");
	/* Inside region 1, written. */
	LVDPA_TEST_ASSERT_EQ(v->translate(v->opaque, GB + 0x2345, 100, 1, &p, &contig), 0, "r1");
	LVDPA_TEST_ASSERT(p == m.r[1].va + 0x2345, "r1 pointer");
	/* Crossing the end of region 0: only the part up to the end. */
	LVDPA_TEST_ASSERT_EQ(v->translate(v->opaque, 4 * MB - 10, 100, 0, &p, &contig), 0, "edge");
	LVDPA_TEST_ASSERT_EQ(contig, 10, "clipped at the region end");
	LVDPA_TEST_ASSERT(lvdpa_guest_mem_ptr(&m, 4 * MB - 10, 100) == NULL,
			  "ptr needs one region");
	LVDPA_TEST_ASSERT(lvdpa_guest_mem_ptr(&m, 4 * MB - 10, 10) == m.r[0].va + 4 * MB - 10,
			  "ptr at the end");
	/* The hole between the regions, and beyond the last. */
	LVDPA_TEST_ASSERT_EQ(v->translate(v->opaque, 4 * MB, 1, 0, &p, &contig),
			     -EFAULT, "hole");
	LVDPA_TEST_ASSERT_EQ(v->translate(v->opaque, GB - 1, 1, 0, &p, &contig),
			     -EFAULT, "hole end");
	LVDPA_TEST_ASSERT_EQ(v->translate(v->opaque, GB + 4 * MB, 1, 0, &p, &contig),
			     -EFAULT, "beyond");
	LVDPA_TEST_ASSERT_EQ(v->translate(v->opaque, UINT64_MAX, 1, 0, &p, &contig),
			     -EFAULT, "max");
	lvdpa_guest_mem_destroy(&m);
	return 0;
}

static int
test_guest_mem_alloc(void)
{
	struct lvdpa_guest_mem m;
	uint64_t gpa[4];
	void *va[4];
	unsigned int i;

	LVDPA_TEST_ASSERT_EQ(lvdpa_guest_mem_create(&m, 2 * MB, 2), 0, "create");
	/* Regions in turn. */
	for (i = 0; i < 4; i++)
		LVDPA_TEST_ASSERT_EQ(lvdpa_guest_mem_alloc(&m, 100, 64, &gpa[i], &va[i]), 0,
				     "alloc %u", i);
	LVDPA_TEST_ASSERT_EQ(gpa[0], 0, "first in region 0");
	LVDPA_TEST_ASSERT_EQ(gpa[1], GB, "second in region 1");
	LVDPA_TEST_ASSERT_EQ(gpa[2], 128, "aligned");
	LVDPA_TEST_ASSERT_EQ(gpa[3], GB + 128, "aligned");
	for (i = 0; i < 4; i++)
		LVDPA_TEST_ASSERT(lvdpa_guest_mem_ptr(&m, gpa[i], 100) == va[i], "va %u", i);
	/* Too big for any region. */
	LVDPA_TEST_ASSERT_EQ(lvdpa_guest_mem_alloc(&m, MB + 1, 64, &gpa[0], &va[0]),
			     -ENOMEM, "too big");
	/* Fills the rest of one region, then the other. */
	LVDPA_TEST_ASSERT_EQ(lvdpa_guest_mem_alloc(&m, MB - 256, 64, &gpa[0], &va[0]), 0, "fill");
	LVDPA_TEST_ASSERT_EQ(lvdpa_guest_mem_alloc(&m, MB - 256, 64, &gpa[1], &va[1]), 0, "fill");
	LVDPA_TEST_ASSERT(gpa[0] / GB != gpa[1] / GB, "both regions");
	LVDPA_TEST_ASSERT_EQ(lvdpa_guest_mem_alloc(&m, 64, 64, &gpa[0], &va[0]), -ENOMEM, "full");
	LVDPA_TEST_ASSERT_EQ(lvdpa_guest_mem_alloc(&m, 64, 3, &gpa[0], &va[0]), -EINVAL,
			     "alignment not a power of two");
	lvdpa_guest_mem_destroy(&m);
	return 0;
}

/* Tags: every byte of a packet is checked. */
static int
test_guest_pkt_tag(void)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	uint8_t f[2000];
	uint64_t seq;
	uint16_t qp;
	unsigned int i;

	lvdpa_guest_pkt_fill(f, 1500, mac, 3, 0x123456789ULL);
	LVDPA_TEST_ASSERT_EQ(lvdpa_guest_pkt_check(f, 1500, &qp, &seq), 0, "good");
	LVDPA_TEST_ASSERT_EQ(qp, 3, "qp");
	LVDPA_TEST_ASSERT_EQ(seq, 0x123456789ULL, "seq");
	LVDPA_TEST_ASSERT(lvdpa_guest_pkt_check(f, 1499, &qp, &seq) < 0, "short");
	LVDPA_TEST_ASSERT(lvdpa_guest_pkt_check(f, 20, &qp, &seq) < 0, "runt");
	/* MACs may be rewritten; any other byte may not. */
	f[0] ^= 0xff;
	LVDPA_TEST_ASSERT_EQ(lvdpa_guest_pkt_check(f, 1500, &qp, &seq), 0, "mac");
	for (i = 12; i < 1500; i += 97) {
		f[i] ^= 0x01;
		LVDPA_TEST_ASSERT(lvdpa_guest_pkt_check(f, 1500, &qp, &seq) < 0,
				  "flip at %u", i);
		f[i] ^= 0x01;
	}
	f[1499] ^= 0x80;
	LVDPA_TEST_ASSERT(lvdpa_guest_pkt_check(f, 1500, &qp, &seq) < 0, "last byte");
	/* Another sequence number gives another pattern. */
	lvdpa_guest_pkt_fill(f, 64, mac, 0, 1);
	f[24 + 7] = 2;
	LVDPA_TEST_ASSERT(lvdpa_guest_pkt_check(f, 64, &qp, &seq) < 0, "seq vs pattern");
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_guest_mem_layout),
	LVDPA_TEST_CASE(test_guest_mem_translate),
	LVDPA_TEST_CASE(test_guest_mem_alloc),
	LVDPA_TEST_CASE(test_guest_pkt_tag),
)
