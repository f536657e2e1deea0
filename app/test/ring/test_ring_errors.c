/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Every error the walker reports, each from a hand-written ring in both byte
 * orders: the errno, that it is sticky, and that nothing was consumed.
 * Also bad configurations, the driver role facing a lying device, set_base /
 * get_base, unpop and the memory view's window.
 */

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_log.h>

#include "lvdpa_test.h"
#include "test_ring_common.h"

#define MEM_LEN 0x100000ull
#define BUF     0x50000ull /* a mapped buffer address */

struct fx {
	struct lvdpa_tmem m;
	struct lvdpa_ring r;
	bool be;
	bool packed;
	uint16_t nav; /* split: avail entries written */
	uint8_t huge[64];
};

static int
fx_init(struct fx *f, uint16_t size, bool packed, bool be, bool indirect)
{
	struct lvdpa_ring_config cfg;

	memset(f, 0, sizeof(*f));
	if (lvdpa_tmem_init(&f->m, MEM_LEN, 0) != 0)
		return -1;
	f->m.huge = f->huge;
	f->be = be;
	f->packed = packed;
	cfg = lvdpa_tmem_cfg(&f->m, size, packed, be, false, indirect, false);
	return lvdpa_ring_init(&f->r, &cfg);
}

static void
fx_fini(struct fx *f)
{
	lvdpa_ring_fini(&f->r);
	lvdpa_tmem_fini(&f->m);
}

/* Split: descriptor @p i of the ring's table. */
static void
fx_desc(struct fx *f, unsigned int i, uint64_t addr, uint32_t len,
	uint16_t flags, uint16_t next)
{
	lvdpa_tmem_split_desc(&f->m, LVDPA_T_DESC, i, addr, len, flags, next,
			      f->be);
}

/* Split: make @p head available. */
static void
fx_avail(struct fx *f, uint16_t head)
{
	uint16_t mask = f->r.cfg.size - 1;

	lvdpa_tmem_put(&f->m, LVDPA_T_DRIVER + 4 + 2 * (f->nav & mask), head, 2,
		       f->be);
	f->nav++;
	lvdpa_tmem_put(&f->m, LVDPA_T_DRIVER + 2, f->nav, 2, f->be);
}

/* Packed: slot @p i, available in the first lap (AVAIL set). */
static void
fx_pdesc(struct fx *f, unsigned int i, uint64_t addr, uint32_t len,
	 uint16_t id, uint16_t flags)
{
	lvdpa_tmem_packed_desc(&f->m, LVDPA_T_DESC, i, addr, len, id,
			       flags | LVDPA_VRING_PACKED_DESC_F_AVAIL, f->be);
}

/* Pop must fail with @p err, stickily, without moving the ring. */
static int
fx_expect(struct fx *f, int err, unsigned int max_iov, const char *what)
{
	struct lvdpa_ring_iov iov[8];
	struct lvdpa_ring_chain ch;
	uint16_t a0, u0, a1, u1;
	int ret;

	lvdpa_ring_get_base(&f->r, &a0, &u0);
	ret = lvdpa_ring_dev_pop(&f->r, &ch, iov, max_iov);
	LVDPA_TEST_ASSERT_EQ(ret, err, "%s (%s, %s): got %d", what,
			     f->packed ? "packed" : "split",
			     f->be ? "BE" : "LE", ret);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_error(&f->r), err, "%s: sticky", what);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_pop(&f->r, &ch, iov, 8), err,
			     "%s: still broken", what);
	LVDPA_TEST_ASSERT(!lvdpa_ring_dev_avail(&f->r), "%s: no avail", what);
	ch.id = 0;
	ch.ndesc = 1;
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_push(&f->r, &ch, 0), err,
			     "%s: push refused", what);
	LVDPA_TEST_ASSERT(!lvdpa_ring_dev_need_notify(&f->r), "%s: no notify",
			  what);
	lvdpa_ring_get_base(&f->r, &a1, &u1);
	LVDPA_TEST_ASSERT_EQ(a1, a0, "%s: nothing consumed", what);
	LVDPA_TEST_ASSERT_EQ(u1, u0, "%s: nothing used", what);
	return 0;
}

#define FX_CASE(size, packed, ind, setup, err, max_iov, what) do { \
	for (int be_ = 0; be_ < 2; be_++) { \
		struct fx f_; \
		struct fx *f = &f_; \
		int rc_; \
		LVDPA_TEST_ASSERT_EQ(fx_init(f, size, packed, be_, ind), 0, \
				     "init"); \
		setup; \
		rc_ = fx_expect(f, err, max_iov, what); \
		fx_fini(f); \
		if (rc_ != 0) \
			return rc_; \
	} \
} while (0)

#define NEXT  LVDPA_VRING_DESC_F_NEXT
#define WRITE LVDPA_VRING_DESC_F_WRITE
#define IND   LVDPA_VRING_DESC_F_INDIRECT

static int
test_split_errors(void)
{
	/* A head beyond the table. */
	FX_CASE(4, false, false, fx_avail(f, 4), -EPROTO, 8, "bad head");
	/* avail idx more than size ahead of what we consumed. */
	FX_CASE(4, false, false,
		lvdpa_tmem_put(&f->m, LVDPA_T_DRIVER + 2, 5, 2, f->be),
		-EPROTO, 8, "avail idx ahead");
	/* A buffer outside guest memory. */
	FX_CASE(4, false, false,
		(fx_desc(f, 0, MEM_LEN - 8, 16, 0, 0), fx_avail(f, 0)),
		-EFAULT, 8, "buffer beyond memory");
	FX_CASE(4, false, false,
		(fx_desc(f, 0, 0xffffffffffffff00ull, 0x200, 0, 0),
		 fx_avail(f, 0)), -EFAULT, 8, "buffer wraps");
	/* Writable buffer in memory the view maps read-only. */
	FX_CASE(4, false, false,
		(f->m.ro_start = BUF, f->m.ro_end = BUF + 0x100,
		 fx_desc(f, 0, BUF, 16, WRITE, 0), fx_avail(f, 0)),
		-EFAULT, 8, "write to read-only");
	/* Descriptor loops. */
	FX_CASE(4, false, false,
		(fx_desc(f, 0, BUF, 16, NEXT, 1),
		 fx_desc(f, 1, BUF, 16, NEXT, 0), fx_avail(f, 0)),
		-ELOOP, 8, "loop");
	FX_CASE(4, false, false,
		(fx_desc(f, 2, BUF, 16, NEXT, 2), fx_avail(f, 2)),
		-ELOOP, 8, "self loop");
	/* A next field beyond the table. */
	FX_CASE(4, false, false,
		(fx_desc(f, 0, BUF, 16, NEXT, 9), fx_avail(f, 0)),
		-EPROTO, 8, "next out of range");
	/* More pieces than the caller's iov array. */
	FX_CASE(4, false, false,
		(fx_desc(f, 0, BUF, 16, NEXT, 1),
		 fx_desc(f, 1, BUF, 16, NEXT, 2),
		 fx_desc(f, 2, BUF, 16, 0, 0), fx_avail(f, 0)),
		-E2BIG, 2, "too many segments");
	/* A total length beyond 32 bits (addresses in the huge fake region). */
	FX_CASE(4, false, false,
		(fx_desc(f, 0, 1ull << 40, 0x80000000u, NEXT, 1),
		 fx_desc(f, 1, 1ull << 41, 0x80000000u, WRITE, 0),
		 fx_avail(f, 0)), -E2BIG, 8, "length overflow");
	/* Readable after writable. */
	FX_CASE(4, false, false,
		(fx_desc(f, 0, BUF, 16, WRITE | NEXT, 1),
		 fx_desc(f, 1, BUF, 16, 0, 0), fx_avail(f, 0)),
		-EPROTO, 8, "readable after writable");
	/* Indirect: not negotiated. */
	FX_CASE(4, false, false,
		(fx_desc(f, 0, 0x6000, 32, IND, 0), fx_avail(f, 0)),
		-EPROTO, 8, "indirect not negotiated");
	/* Indirect with NEXT, and inside a chain. */
	FX_CASE(4, false, true,
		(fx_desc(f, 0, 0x6000, 32, IND | NEXT, 1),
		 fx_desc(f, 1, BUF, 16, 0, 0), fx_avail(f, 0)),
		-EPROTO, 8, "indirect with next");
	FX_CASE(4, false, true,
		(fx_desc(f, 0, BUF, 16, NEXT, 1),
		 fx_desc(f, 1, 0x6000, 32, IND, 0), fx_avail(f, 0)),
		-EPROTO, 8, "indirect inside chain");
	/* Bad indirect lengths. */
	FX_CASE(4, false, true,
		(fx_desc(f, 0, 0x6000, 20, IND, 0), fx_avail(f, 0)),
		-EPROTO, 8, "indirect length 20");
	FX_CASE(4, false, true,
		(fx_desc(f, 0, 0x6000, 0, IND, 0), fx_avail(f, 0)),
		-EPROTO, 8, "indirect length 0");
	/* Nested indirect. */
	FX_CASE(4, false, true,
		(fx_desc(f, 0, 0x6000, 32, IND, 0),
		 lvdpa_tmem_split_desc(&f->m, 0x6000, 0, BUF, 8, NEXT, 1, f->be),
		 lvdpa_tmem_split_desc(&f->m, 0x6000, 1, 0x7000, 16, IND, 0,
				       f->be), fx_avail(f, 0)),
		-EPROTO, 8, "nested indirect");
	/* Loop inside an indirect table. */
	FX_CASE(4, false, true,
		(fx_desc(f, 0, 0x6000, 32, IND, 0),
		 lvdpa_tmem_split_desc(&f->m, 0x6000, 0, BUF, 8, NEXT, 1, f->be),
		 lvdpa_tmem_split_desc(&f->m, 0x6000, 1, BUF, 8, NEXT, 0, f->be),
		 fx_avail(f, 0)), -ELOOP, 8, "indirect loop");
	/* Next beyond the indirect table. */
	FX_CASE(4, false, true,
		(fx_desc(f, 0, 0x6000, 32, IND, 0),
		 lvdpa_tmem_split_desc(&f->m, 0x6000, 0, BUF, 8, NEXT, 2, f->be),
		 fx_avail(f, 0)), -EPROTO, 8, "indirect next out of range");
	/* Indirect table outside memory. */
	FX_CASE(4, false, true,
		(fx_desc(f, 0, MEM_LEN + 0x1000, 32, IND, 0), fx_avail(f, 0)),
		-EFAULT, 8, "indirect table unmapped");
	/* Buffer of an indirect descriptor outside memory. */
	FX_CASE(4, false, true,
		(fx_desc(f, 0, 0x6000, 16, IND, 0),
		 lvdpa_tmem_split_desc(&f->m, 0x6000, 0, MEM_LEN, 8, 0, 0, f->be),
		 fx_avail(f, 0)), -EFAULT, 8, "indirect buffer unmapped");
	return 0;
}

static int
test_packed_errors(void)
{
	/* Every slot chained: the chain would wrap onto itself. */
	FX_CASE(4, true, false,
		(fx_pdesc(f, 0, BUF, 16, 0, NEXT), fx_pdesc(f, 1, BUF, 16, 0, NEXT),
		 fx_pdesc(f, 2, BUF, 16, 0, NEXT), fx_pdesc(f, 3, BUF, 16, 0, NEXT)),
		-ELOOP, 8, "chain longer than the ring");
	FX_CASE(4, true, false, fx_pdesc(f, 0, MEM_LEN, 16, 0, 0),
		-EFAULT, 8, "buffer beyond memory");
	FX_CASE(4, true, false,
		(fx_pdesc(f, 0, BUF, 16, 0, NEXT | WRITE),
		 fx_pdesc(f, 1, BUF, 16, 0, 0)),
		-EPROTO, 8, "readable after writable");
	FX_CASE(4, true, false,
		(fx_pdesc(f, 0, BUF, 16, 0, NEXT), fx_pdesc(f, 1, BUF, 16, 0, NEXT),
		 fx_pdesc(f, 2, BUF, 16, 0, 0)),
		-E2BIG, 2, "too many segments");
	FX_CASE(4, true, false,
		(fx_pdesc(f, 0, 1ull << 40, 0xffffffffu, 0, NEXT),
		 fx_pdesc(f, 1, 1ull << 41, 1, 0, 0)),
		-E2BIG, 8, "length overflow");
	FX_CASE(4, true, false, fx_pdesc(f, 0, 0x6000, 32, 0, IND),
		-EPROTO, 8, "indirect not negotiated");
	FX_CASE(4, true, true,
		(fx_pdesc(f, 0, 0x6000, 32, 0, IND | NEXT),
		 fx_pdesc(f, 1, BUF, 16, 0, 0)),
		-EPROTO, 8, "indirect with next");
	FX_CASE(4, true, true,
		(fx_pdesc(f, 0, BUF, 16, 0, NEXT), fx_pdesc(f, 1, 0x6000, 32, 0, IND)),
		-EPROTO, 8, "indirect inside chain");
	FX_CASE(4, true, true, fx_pdesc(f, 0, 0x6000, 24, 0, IND),
		-EPROTO, 8, "indirect length 24");
	FX_CASE(4, true, true,
		(fx_pdesc(f, 0, 0x6000, 32, 0, IND),
		 lvdpa_tmem_packed_desc(&f->m, 0x6000, 0, BUF, 8, 0, 0, f->be),
		 lvdpa_tmem_packed_desc(&f->m, 0x6000, 1, 0x7000, 16, 0, IND,
					f->be)),
		-EPROTO, 8, "nested indirect");
	FX_CASE(4, true, true,
		(fx_pdesc(f, 0, 0x6000, 32, 0, IND),
		 lvdpa_tmem_packed_desc(&f->m, 0x6000, 0, BUF, 8, 0, WRITE, f->be),
		 lvdpa_tmem_packed_desc(&f->m, 0x6000, 1, BUF, 8, 0, 0, f->be)),
		-EPROTO, 8, "indirect readable after writable");
	FX_CASE(4, true, true, fx_pdesc(f, 0, MEM_LEN - 16, 32, 0, IND),
		-EFAULT, 8, "indirect table partly unmapped");
	return 0;
}

/* A slot whose USED bit equals AVAIL is not available: no error, no pop. */
static int
test_packed_not_avail(void)
{
	struct lvdpa_ring_iov iov[4];
	struct lvdpa_ring_chain ch;
	struct fx f;

	LVDPA_TEST_ASSERT_EQ(fx_init(&f, 4, true, false, false), 0, "init");
	lvdpa_tmem_packed_desc(&f.m, LVDPA_T_DESC, 0, BUF, 16, 0,
			       LVDPA_VRING_PACKED_DESC_F_AVAIL |
			       LVDPA_VRING_PACKED_DESC_F_USED, false);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_pop(&f.r, &ch, iov, 4), 0, "used");
	lvdpa_tmem_packed_desc(&f.m, LVDPA_T_DESC, 0, BUF, 16, 0,
			       LVDPA_VRING_PACKED_DESC_F_USED, false);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_pop(&f.r, &ch, iov, 4), 0,
			     "avail for the next lap only");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_error(&f.r), 0, "sound");
	fx_fini(&f);
	return 0;
}

/* Bad configurations: -EINVAL; unmapped areas: -EFAULT. */
static int
test_bad_config(void)
{
	static const struct {
		uint16_t size;
		bool packed;
		uint64_t desc, drv, dev;
		int err;
	} c[] = {
		{ 0, false, LVDPA_T_DESC, LVDPA_T_DRIVER, LVDPA_T_DEVICE, -EINVAL },
		{ 0, true, LVDPA_T_DESC, LVDPA_T_DRIVER, LVDPA_T_DEVICE, -EINVAL },
		{ 3, false, LVDPA_T_DESC, LVDPA_T_DRIVER, LVDPA_T_DEVICE, -EINVAL },
		{ 96, false, LVDPA_T_DESC, LVDPA_T_DRIVER, LVDPA_T_DEVICE, -EINVAL },
		{ 32769, true, LVDPA_T_DESC, LVDPA_T_DRIVER, LVDPA_T_DEVICE, -EINVAL },
		{ 65535, true, LVDPA_T_DESC, LVDPA_T_DRIVER, LVDPA_T_DEVICE, -EINVAL },
		{ 65535, false, LVDPA_T_DESC, LVDPA_T_DRIVER, LVDPA_T_DEVICE, -EINVAL },
		{ 4, false, LVDPA_T_DESC + 8, LVDPA_T_DRIVER, LVDPA_T_DEVICE, -EINVAL },
		{ 4, false, LVDPA_T_DESC, LVDPA_T_DRIVER + 1, LVDPA_T_DEVICE, -EINVAL },
		{ 4, false, LVDPA_T_DESC, LVDPA_T_DRIVER, LVDPA_T_DEVICE + 2, -EINVAL },
		{ 4, true, LVDPA_T_DESC, LVDPA_T_DRIVER + 2, LVDPA_T_DEVICE, -EINVAL },
		{ 4, false, MEM_LEN, LVDPA_T_DRIVER, LVDPA_T_DEVICE, -EFAULT },
		{ 4, false, MEM_LEN - 32, LVDPA_T_DRIVER, LVDPA_T_DEVICE, -EFAULT },
		{ 4, false, LVDPA_T_DESC, MEM_LEN - 8, LVDPA_T_DEVICE, -EFAULT },
		{ 4, false, LVDPA_T_DESC, LVDPA_T_DRIVER, MEM_LEN - 16, -EFAULT },
		{ 4, true, LVDPA_T_DESC, LVDPA_T_DRIVER, MEM_LEN, -EFAULT },
		{ 4, false, LVDPA_T_DESC, LVDPA_T_DRIVER, LVDPA_T_DEVICE, 0 },
		{ 3, true, LVDPA_T_DESC, LVDPA_T_DRIVER, LVDPA_T_DEVICE, 0 },
	};
	struct lvdpa_tmem m;
	struct lvdpa_ring r;
	struct lvdpa_ring_config cfg;
	unsigned int i;
	int ret;

	LVDPA_TEST_ASSERT(lvdpa_tmem_init(&m, MEM_LEN, 0) == 0, "mem");
	for (i = 0; i < RTE_DIM(c); i++) {
		cfg = lvdpa_tmem_cfg(&m, c[i].size, c[i].packed, false, false,
				     false, false);
		cfg.desc_addr = c[i].desc;
		cfg.driver_addr = c[i].drv;
		cfg.device_addr = c[i].dev;
		ret = lvdpa_ring_init(&r, &cfg);
		LVDPA_TEST_ASSERT_EQ(ret, c[i].err, "case %u", i);
		lvdpa_ring_fini(&r);
	}
	/* No memory view. */
	cfg = lvdpa_tmem_cfg(&m, 4, false, false, false, false, false);
	cfg.mem = NULL;
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, &cfg), -EINVAL, "no view");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, NULL), -EINVAL, "no cfg");
	lvdpa_ring_fini(&r); /* safe on a failed (zeroed) ring */
	/* Event idx makes the areas 2 bytes longer: the end of memory. */
	cfg = lvdpa_tmem_cfg(&m, 4, false, false, false, false, false);
	cfg.driver_addr = MEM_LEN - lvdpa_ring_driver_bytes(4, false, false);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, &cfg), 0, "fits");
	lvdpa_ring_fini(&r);
	cfg.event_idx = true;
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, &cfg), -EFAULT, "used_event");
	/* The device role writes the device area: read-only is refused. */
	cfg = lvdpa_tmem_cfg(&m, 4, false, false, false, false, false);
	m.ro_start = LVDPA_T_DEVICE;
	m.ro_end = LVDPA_T_DEVICE + 1;
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, &cfg), -EFAULT, "ro used");
	cfg.driver_role = true;
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, &cfg), 0, "driver reads it");
	lvdpa_ring_fini(&r);
	m.ro_start = m.ro_end = 0;
	lvdpa_tmem_fini(&m);

	/* An area across a region boundary is not contiguous. */
	LVDPA_TEST_ASSERT(lvdpa_tmem_init(&m, MEM_LEN, LVDPA_T_DESC + 32) == 0,
			  "mem");
	cfg = lvdpa_tmem_cfg(&m, 4, false, false, false, false, false);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, &cfg), -EFAULT, "split area");
	lvdpa_tmem_fini(&m);

	/* The largest rings. */
	LVDPA_TEST_ASSERT(lvdpa_tmem_init(&m, 0x100000 * 2, 0) == 0, "mem");
	cfg = lvdpa_tmem_cfg(&m, 32768, false, true, true, true, false);
	cfg.desc_addr = 0;
	cfg.driver_addr = 0x80000;
	cfg.device_addr = 0x90000;
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, &cfg), 0, "split 32768");
	lvdpa_ring_fini(&r);
	cfg.packed = true;
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, &cfg), 0, "packed 32768");
	lvdpa_ring_fini(&r);
	cfg.size = 32767;
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, &cfg), 0, "packed 32767");
	lvdpa_ring_fini(&r);
	lvdpa_tmem_fini(&m);
	return 0;
}

/* The driver role facing a device that returns ids it never had. */
static int
drv_lying(bool packed, bool be, int mode)
{
	const struct lvdpa_ring_seg seg[2] = {
		{ BUF, 16, false }, { BUF + 16, 16, true },
	};
	struct lvdpa_tmem m;
	struct lvdpa_ring r;
	struct lvdpa_ring_config cfg;
	uint64_t cookie;
	uint32_t len;
	int ret;

	LVDPA_TEST_ASSERT(lvdpa_tmem_init(&m, MEM_LEN, 0) == 0, "mem");
	cfg = lvdpa_tmem_cfg(&m, 4, packed, be, false, false, true);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, &cfg), 0, "init");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_add(&r, seg, 2, 0, 7), 0, "add");
	lvdpa_ring_drv_publish(&r);
	if (packed) {
		/* mode 0: id out of range; 1: id 1 never handed out */
		lvdpa_tmem_packed_desc(&m, LVDPA_T_DESC, 0, 0, 4,
				       mode == 0 ? 9 : 1, 0x8080, be);
	} else if (mode < 2) {
		lvdpa_tmem_put(&m, LVDPA_T_DEVICE + 4, mode == 0 ? 4 : 2, 4, be);
		lvdpa_tmem_put(&m, LVDPA_T_DEVICE + 2, 1, 2, be);
	} else {
		/* mode 2: the used index jumps more than the ring ahead */
		lvdpa_tmem_put(&m, LVDPA_T_DEVICE + 2, 5, 2, be);
	}
	ret = lvdpa_ring_drv_get_used(&r, &cookie, &len);
	LVDPA_TEST_ASSERT_EQ(ret, -EPROTO, "mode %d", mode);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_error(&r), -EPROTO, "sticky");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_add(&r, seg, 1, 0, 8), -EPROTO,
			     "add on a broken ring");
	LVDPA_TEST_ASSERT(!lvdpa_ring_drv_publish(&r), "no kick when broken");
	lvdpa_ring_fini(&r);
	lvdpa_tmem_fini(&m);
	return 0;
}

static int
test_driver_lying_device(void)
{
	for (int be = 0; be < 2; be++) {
		for (int mode = 0; mode < 3; mode++)
			if (drv_lying(false, be, mode))
				return -1;
		for (int mode = 0; mode < 2; mode++)
			if (drv_lying(true, be, mode))
				return -1;
	}
	return 0;
}

/* A device returning an id twice: the second time it is not in flight. */
static int
test_driver_double_used(void)
{
	const struct lvdpa_ring_seg seg = { BUF, 16, true };
	struct lvdpa_tmem m;
	struct lvdpa_ring r;
	struct lvdpa_ring_config cfg;
	uint64_t cookie;
	uint32_t len;

	LVDPA_TEST_ASSERT(lvdpa_tmem_init(&m, MEM_LEN, 0) == 0, "mem");
	cfg = lvdpa_tmem_cfg(&m, 4, false, false, false, false, true);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, &cfg), 0, "init");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_add(&r, &seg, 1, 0, 1), 0, "add");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_add(&r, &seg, 1, 0, 2), 0, "add");
	lvdpa_ring_drv_publish(&r);
	lvdpa_tmem_put(&m, LVDPA_T_DEVICE + 4, 0, 4, false);
	lvdpa_tmem_put(&m, LVDPA_T_DEVICE + 12, 0, 4, false);
	lvdpa_tmem_put(&m, LVDPA_T_DEVICE + 2, 2, 2, false);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_get_used(&r, &cookie, &len), 1, "1st");
	LVDPA_TEST_ASSERT_EQ(cookie, 1, "cookie");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_get_used(&r, &cookie, &len), -EPROTO,
			     "same id again");
	lvdpa_ring_fini(&r);
	lvdpa_tmem_fini(&m);
	return 0;
}

/* Caller errors of the driver role are not sticky. */
static int
test_driver_add_errors(void)
{
	const struct lvdpa_ring_seg seg[6] = {
		{ BUF, 16, false }, { BUF + 16, 16, true }, { BUF + 32, 16, false },
		{ BUF, 1, false }, { BUF, 1, false }, { BUF, 1, false },
	};
	const struct lvdpa_ring_seg five[5] = {
		{ BUF, 1, false }, { BUF, 1, false }, { BUF, 1, false },
		{ BUF, 1, false }, { BUF, 1, true },
	};
	struct lvdpa_tmem m;
	struct lvdpa_ring r;
	struct lvdpa_ring_config cfg;

	for (int packed = 0; packed < 2; packed++) {
		LVDPA_TEST_ASSERT(lvdpa_tmem_init(&m, MEM_LEN, 0) == 0, "mem");
		cfg = lvdpa_tmem_cfg(&m, 4, packed, false, false, true, true);
		LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, &cfg), 0, "init");
		LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_add(&r, seg, 0, 0, 0),
				     -EINVAL, "no segment");
		LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_add(&r, seg, 3, 0, 0),
				     -EINVAL, "readable after writable");
		LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_add(&r, five, 5, 0, 0),
				     -EINVAL, "more than the ring, direct");
		LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_add(&r, seg + 2, 4, MEM_LEN,
							0), -EFAULT,
				     "table unmapped");
		LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_add(&r, seg + 2, 4, 0x6000,
							0), 0,
				     "4 segments indirect");
		LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_add(&r, seg + 3, 3, 0, 0), 0,
				     "3 direct");
		LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_free(&r), 0, "full");
		LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_add(&r, seg, 1, 0, 0),
				     -ENOSPC, "no room");
		LVDPA_TEST_ASSERT_EQ(lvdpa_ring_error(&r), 0, "not sticky");
		lvdpa_ring_fini(&r);
		lvdpa_tmem_fini(&m);
	}
	return 0;
}

/* set_base / get_base round trip, with packed wrap bits. */
static int
test_base(void)
{
	static const uint16_t split_vals[] = { 0, 1, 0x7fff, 0x8000, 0xfffe, 0xffff };
	static const uint16_t packed_vals[] = { 0x8000, 0x0000, 0x8005, 0x0006,
						0x8006, 0x0001 };
	struct lvdpa_tmem m;
	struct lvdpa_ring r;
	struct lvdpa_ring_config cfg;
	uint16_t a, u;
	unsigned int i;

	LVDPA_TEST_ASSERT(lvdpa_tmem_init(&m, MEM_LEN, 0) == 0, "mem");
	cfg = lvdpa_tmem_cfg(&m, 8, false, false, false, false, false);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, &cfg), 0, "init");
	lvdpa_ring_get_base(&r, &a, &u);
	LVDPA_TEST_ASSERT(a == 0 && u == 0, "split starts at 0");
	for (i = 0; i < RTE_DIM(split_vals); i++) {
		uint16_t v = split_vals[i], w = split_vals[RTE_DIM(split_vals) -
							   1 - i];

		lvdpa_ring_set_base(&r, v, w);
		lvdpa_ring_get_base(&r, &a, &u);
		LVDPA_TEST_ASSERT(a == v && u == w, "split %x/%x: %x/%x", v, w,
				  a, u);
	}
	lvdpa_ring_fini(&r);

	cfg = lvdpa_tmem_cfg(&m, 7, true, false, false, false, false);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, &cfg), 0, "init");
	lvdpa_ring_get_base(&r, &a, &u);
	LVDPA_TEST_ASSERT(a == 0x8000 && u == 0x8000,
			  "packed starts at 0 with wrap counters 1");
	for (i = 0; i < RTE_DIM(packed_vals); i++) {
		uint16_t v = packed_vals[i], w = packed_vals[RTE_DIM(packed_vals) -
							     1 - i];

		lvdpa_ring_set_base(&r, v, w);
		lvdpa_ring_get_base(&r, &a, &u);
		LVDPA_TEST_ASSERT(a == v && u == w, "packed %x/%x: %x/%x", v, w,
				  a, u);
		LVDPA_TEST_ASSERT_EQ(r.avail_wrap, !!(v & 0x8000), "wrap");
	}
	/* A position beyond the ring breaks it. */
	lvdpa_ring_set_base(&r, 0x8007, 0x8000);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_error(&r), -EINVAL, "beyond size");
	lvdpa_ring_fini(&r);
	lvdpa_tmem_fini(&m);
	return 0;
}

/* Unpop gives back the latest chains; packed across the wrap. */
static int
test_unpop(void)
{
	struct lvdpa_ring_iov iov[4];
	struct lvdpa_ring_chain ch;
	uint16_t a, u;
	struct fx f;

	/* split: heads 2, 0, 1 available; pop all, unpop 2, pop 0 again */
	LVDPA_TEST_ASSERT_EQ(fx_init(&f, 4, false, true, false), 0, "init");
	fx_desc(&f, 0, BUF, 16, 0, 0);
	fx_desc(&f, 1, BUF, 16, 0, 0);
	fx_desc(&f, 2, BUF, 16, 0, 0);
	fx_avail(&f, 2);
	fx_avail(&f, 0);
	fx_avail(&f, 1);
	for (int i = 0; i < 3; i++)
		LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_pop(&f.r, &ch, iov, 4), 1, "pop");
	lvdpa_ring_dev_unpop(&f.r, 2);
	lvdpa_ring_get_base(&f.r, &a, &u);
	LVDPA_TEST_ASSERT_EQ(a, 1, "back to 1");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_pop(&f.r, &ch, iov, 4), 1, "pop");
	LVDPA_TEST_ASSERT_EQ(ch.id, 0, "head 0 again");
	/* More than was popped: only what was. */
	lvdpa_ring_dev_unpop(&f.r, 10);
	lvdpa_ring_get_base(&f.r, &a, &u);
	LVDPA_TEST_ASSERT_EQ(a, 0, "not before the start");
	fx_fini(&f);

	/* packed, size 3: chains of 2 (slots 0-1) and 2 (slots 2, 0'). */
	LVDPA_TEST_ASSERT_EQ(fx_init(&f, 3, true, false, false), 0, "init");
	fx_pdesc(&f, 0, BUF, 16, 5, NEXT);
	fx_pdesc(&f, 1, BUF, 16, 5, 0);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_pop(&f.r, &ch, iov, 4), 1, "pop");
	LVDPA_TEST_ASSERT_EQ(ch.id, 5, "id");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_push(&f.r, &ch, 0), 0, "push");
	fx_pdesc(&f, 2, BUF, 16, 6, NEXT);
	/* slot 0 in the second lap: AVAIL = 0, USED = 1 */
	lvdpa_tmem_packed_desc(&f.m, LVDPA_T_DESC, 0, BUF, 16, 6,
			       LVDPA_VRING_PACKED_DESC_F_USED, false);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_pop(&f.r, &ch, iov, 4), 1, "pop");
	LVDPA_TEST_ASSERT_EQ(ch.id, 6, "id");
	LVDPA_TEST_ASSERT_EQ(ch.ndesc, 2, "ndesc");
	lvdpa_ring_get_base(&f.r, &a, &u);
	LVDPA_TEST_ASSERT_EQ(a, 0x0001, "wrapped to slot 1, counter 0");
	lvdpa_ring_dev_unpop(&f.r, 1);
	lvdpa_ring_get_base(&f.r, &a, &u);
	LVDPA_TEST_ASSERT_EQ(a, 0x8002, "back to slot 2, counter 1");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_pop(&f.r, &ch, iov, 4), 1, "pop");
	LVDPA_TEST_ASSERT_EQ(ch.id, 6, "same chain");
	fx_fini(&f);
	return 0;
}

/* Push refuses what cannot be a chain of this ring. */
static int
test_push_errors(void)
{
	struct lvdpa_ring_chain ch = { .id = 4, .ndesc = 1 };
	struct fx f;

	LVDPA_TEST_ASSERT_EQ(fx_init(&f, 4, false, false, false), 0, "init");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_push(&f.r, &ch, 0), -EINVAL, "id");
	fx_fini(&f);
	LVDPA_TEST_ASSERT_EQ(fx_init(&f, 4, true, false, false), 0, "init");
	ch.ndesc = 0;
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_push(&f.r, &ch, 0), -EINVAL, "nd 0");
	ch.ndesc = 5;
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_push(&f.r, &ch, 0), -EINVAL, "nd 5");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_error(&f.r), 0, "not sticky");
	fx_fini(&f);
	return 0;
}

/* Error reports are rate-limited: a flood of broken rings stays quiet. */
static int
test_log_flood(void)
{
	char *buf = NULL;
	size_t size = 0, lines = 0, windows;
	FILE *log = open_memstream(&buf, &size);
	struct fx f;
	struct timespec t0, t;
	int rc = 0;

	LVDPA_TEST_ASSERT(log != NULL, "memstream");
	/* Earlier cases used this second's budget: start in a fresh one. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &t0);
	do {
		usleep(10000);
		clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	} while (t.tv_sec == t0.tv_sec);
	t0 = t;
	rte_openlog_stream(log);
	for (int i = 0; i < 200 && rc == 0; i++) {
		rc = fx_init(&f, 4, false, false, false);
		if (rc == 0) {
			fx_avail(&f, 9);
			rc = fx_expect(&f, -EPROTO, 4, "flood");
		}
		fx_fini(&f);
	}
	rte_openlog_stream(NULL);
	clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	fclose(log);
	for (size_t i = 0; i < size; i++)
		lines += buf[i] == '\n';
	free(buf);
	LVDPA_TEST_ASSERT_EQ(rc, 0, "flood cases");
	/*
	 * 10 reports and one "suppressed" line per second window the loop
	 * touched (a slow sanitizer build on a loaded machine may touch
	 * several). Unlimited, it would be 200 lines.
	 */
	windows = (size_t)(t.tv_sec - t0.tv_sec) + 1;
	LVDPA_TEST_ASSERT(lines >= 1 && lines <= 11 * windows && lines < 200,
			  "%zu log lines in %zu second windows", lines, windows);
	return 0;
}

static unsigned int win_translations;

static int
count_translate(void *opaque, uint64_t addr, uint64_t len, int write,
		void **ptr, uint64_t *contig)
{
	win_translations++;
	return lvdpa_tmem_translate(opaque, addr, len, write, ptr, contig);
}

/* Pop the chain at @p head (one descriptor); its iov and the callback count. */
static int
win_pop(struct fx *f, uint16_t head, uint64_t addr, uint32_t len,
	uint16_t flags, unsigned int calls, const char *what)
{
	struct lvdpa_ring_iov iov[4];
	struct lvdpa_ring_chain ch;
	int ret;

	fx_desc(f, head, addr, len, flags, 0);
	fx_avail(f, head);
	win_translations = 0;
	ret = lvdpa_ring_dev_pop(&f->r, &ch, iov, RTE_DIM(iov));
	LVDPA_TEST_ASSERT_EQ(ret, 1, "%s: pop %d", what, ret);
	LVDPA_TEST_ASSERT_EQ(ch.nout + ch.nin, 1u, "%s: one iov", what);
	LVDPA_TEST_ASSERT(iov[0].base == lvdpa_tmem_ptr(&f->m, addr) &&
			  iov[0].addr == addr && iov[0].len == len,
			  "%s: iov", what);
	LVDPA_TEST_ASSERT_EQ(win_translations, calls, "%s: translate calls",
			     what);
	return 0;
}

/*
 * The view's window: a buffer inside it is translated inline, without the
 * callback; one crossing its end, a write into a read-only window and any
 * buffer once the owner's generation moved go through translate(), which
 * still decides (a write it refuses stays an error).
 */
static int
test_window(void)
{
	uint64_t gen = 7;
	struct fx f;
	int rc;

	LVDPA_TEST_ASSERT_EQ(fx_init(&f, 8, false, false, false), 0, "init");
	f.m.mem.translate = count_translate;
	f.m.mem.win_gen = &gen;
	f.m.mem.win.lo = BUF;
	f.m.mem.win.len = 0x1000;
	f.m.mem.win.base = lvdpa_tmem_ptr(&f.m, BUF);
	f.m.mem.win.write = false;
	f.m.mem.win.gen = gen;
	rc = win_pop(&f, 0, BUF + 0x10, 64, 0, 0, "inside");
	if (rc == 0)
		rc = win_pop(&f, 1, BUF + 0xff0, 0x20, 0, 1, "across the end");
	if (rc == 0)
		rc = win_pop(&f, 2, BUF - 0x10, 0x20, 0, 1, "below the start");
	if (rc == 0)
		rc = win_pop(&f, 3, BUF + 0x20, 16, WRITE, 1, "write, read-only");
	gen++;
	if (rc == 0)
		rc = win_pop(&f, 4, BUF + 0x10, 64, 0, 1, "stale generation");
	f.m.mem.win.gen = gen;
	f.m.mem.win.write = true;
	if (rc == 0)
		rc = win_pop(&f, 5, BUF + 0x40, 16, WRITE, 0, "write, writable");
	if (rc == 0) {
		/* The callback refuses: the window does not cover it. */
		f.m.ro_start = BUF + 0x2000;
		f.m.ro_end = BUF + 0x3000;
		fx_desc(&f, 6, BUF + 0x2000, 16, WRITE, 0);
		fx_avail(&f, 6);
		rc = fx_expect(&f, -EFAULT, 4, "refused outside the window");
	}
	fx_fini(&f);
	return rc;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_split_errors),
	LVDPA_TEST_CASE(test_packed_errors),
	LVDPA_TEST_CASE(test_packed_not_avail),
	LVDPA_TEST_CASE(test_bad_config),
	LVDPA_TEST_CASE(test_driver_lying_device),
	LVDPA_TEST_CASE(test_driver_double_used),
	LVDPA_TEST_CASE(test_driver_add_errors),
	LVDPA_TEST_CASE(test_base),
	LVDPA_TEST_CASE(test_unpop),
	LVDPA_TEST_CASE(test_push_errors),
	LVDPA_TEST_CASE(test_log_flood),
	LVDPA_TEST_CASE(test_window),
)
