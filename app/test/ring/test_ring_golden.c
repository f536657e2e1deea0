/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Golden byte-level fixtures: rings written by hand as bytes, in both byte
 * orders, and the walker's pops and pushes checked against them byte for
 * byte. A walker tested only against itself would hide symmetric bugs.
 */

#include "lvdpa_test.h"
#include "test_ring_common.h"

#define MEM_LEN 0x100000ull

/* Split ring of 4 at 0x1000 / 0x20000 / 0x30000, little-endian. */
static const uint8_t split_desc_le[64] = {
	/* 0: 0x4000, 16 bytes, NEXT, next 2 */
	0x00, 0x40, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0x01, 0x00, 0x02, 0x00,
	/* 1: indirect table at 0x6000, 32 bytes */
	0x00, 0x60, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0x04, 0x00, 0x00, 0x00,
	/* 2: 0x5000, 32 bytes, WRITE */
	0x00, 0x50, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0x02, 0x00, 0x00, 0x00,
	/* 3: unused */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static const uint8_t split_desc_be[64] = {
	0, 0, 0, 0, 0, 0, 0x40, 0x00, 0, 0, 0, 0x10, 0x00, 0x01, 0x00, 0x02,
	0, 0, 0, 0, 0, 0, 0x60, 0x00, 0, 0, 0, 0x20, 0x00, 0x04, 0x00, 0x00,
	0, 0, 0, 0, 0, 0, 0x50, 0x00, 0, 0, 0, 0x20, 0x00, 0x02, 0x00, 0x00,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* Indirect table: 0x7000 8 bytes NEXT next 1; 0x7100 64 bytes WRITE. */
static const uint8_t split_ind_le[32] = {
	0x00, 0x70, 0, 0, 0, 0, 0, 0, 0x08, 0, 0, 0, 0x01, 0x00, 0x01, 0x00,
	0x00, 0x71, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0x02, 0x00, 0x00, 0x00,
};

static const uint8_t split_ind_be[32] = {
	0, 0, 0, 0, 0, 0, 0x70, 0x00, 0, 0, 0, 0x08, 0x00, 0x01, 0x00, 0x01,
	0, 0, 0, 0, 0, 0, 0x71, 0x00, 0, 0, 0, 0x40, 0x00, 0x02, 0x00, 0x00,
};

/* avail: flags 0, idx 2, ring {0, 1, -, -}, used_event 0 */
static const uint8_t split_avail_le[14] = {
	0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0, 0,
};

static const uint8_t split_avail_be[14] = {
	0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
};

/* used after pushing (1, 0x40) then (0, 0x1c) and a flush: idx 2 */
static const uint8_t split_used_le[38] = {
	0x00, 0x00, 0x02, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0,
};

static const uint8_t split_used_be[38] = {
	0x00, 0x00, 0x00, 0x02,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x40,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1c,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0,
};

static int
check_iov(struct lvdpa_tmem *m, const struct lvdpa_ring_iov *v, uint64_t addr,
	  uint32_t len, bool write)
{
	LVDPA_TEST_ASSERT_EQ(v->addr, addr, "iov addr");
	LVDPA_TEST_ASSERT_EQ(v->len, len, "iov len");
	LVDPA_TEST_ASSERT_EQ(v->write, write, "iov write");
	LVDPA_TEST_ASSERT(v->base == lvdpa_tmem_ptr(m, addr), "iov base");
	return 0;
}

static int
golden_split(bool be)
{
	struct lvdpa_tmem m;
	struct lvdpa_ring r;
	struct lvdpa_ring_config cfg;
	struct lvdpa_ring_chain ch0, ch1, ch;
	struct lvdpa_ring_iov iov[8];
	uint16_t a, u;
	int ret;

	LVDPA_TEST_ASSERT(lvdpa_tmem_init(&m, MEM_LEN, 0) == 0, "mem");
	lvdpa_tmem_write(&m, LVDPA_T_DESC, be ? split_desc_be : split_desc_le, 64);
	lvdpa_tmem_write(&m, 0x6000, be ? split_ind_be : split_ind_le, 32);
	lvdpa_tmem_write(&m, LVDPA_T_DRIVER,
			 be ? split_avail_be : split_avail_le, 14);
	cfg = lvdpa_tmem_cfg(&m, 4, false, be, true, true, false);
	ret = lvdpa_ring_init(&r, &cfg);
	LVDPA_TEST_ASSERT_EQ(ret, 0, "init");
	LVDPA_TEST_ASSERT(lvdpa_ring_dev_avail(&r), "avail");

	ret = lvdpa_ring_dev_pop(&r, &ch0, iov, 8);
	LVDPA_TEST_ASSERT_EQ(ret, 1, "pop 0");
	LVDPA_TEST_ASSERT_EQ(ch0.id, 0, "head");
	LVDPA_TEST_ASSERT_EQ(ch0.ndesc, 2, "ndesc");
	LVDPA_TEST_ASSERT_EQ(ch0.nout, 1, "nout");
	LVDPA_TEST_ASSERT_EQ(ch0.nin, 1, "nin");
	LVDPA_TEST_ASSERT_EQ(ch0.out_len, 16, "out_len");
	LVDPA_TEST_ASSERT_EQ(ch0.in_len, 32, "in_len");
	if (check_iov(&m, &iov[0], 0x4000, 16, false) ||
	    check_iov(&m, &iov[1], 0x5000, 32, true))
		return -1;

	ret = lvdpa_ring_dev_pop(&r, &ch1, iov, 8);
	LVDPA_TEST_ASSERT_EQ(ret, 1, "pop 1 (indirect)");
	LVDPA_TEST_ASSERT_EQ(ch1.id, 1, "head");
	LVDPA_TEST_ASSERT_EQ(ch1.ndesc, 1, "an indirect chain takes one slot");
	LVDPA_TEST_ASSERT_EQ(ch1.nout, 1, "nout");
	LVDPA_TEST_ASSERT_EQ(ch1.nin, 1, "nin");
	LVDPA_TEST_ASSERT_EQ(ch1.out_len, 8, "out_len");
	LVDPA_TEST_ASSERT_EQ(ch1.in_len, 64, "in_len");
	if (check_iov(&m, &iov[0], 0x7000, 8, false) ||
	    check_iov(&m, &iov[1], 0x7100, 64, true))
		return -1;
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_pop(&r, &ch, iov, 8), 0, "empty");
	LVDPA_TEST_ASSERT(!lvdpa_ring_dev_avail(&r), "nothing more");

	/* Out of order completion; nothing visible before the flush. */
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_push(&r, &ch1, 0x40), 0, "push");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_push(&r, &ch0, 0x1c), 0, "push");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tmem_get(&m, LVDPA_T_DEVICE + 2, 2, be), 0,
			     "used idx before flush");
	m.nlog = 0;
	lvdpa_ring_dev_flush(&r);
	LVDPA_TEST_ASSERT(memcmp(lvdpa_tmem_ptr(&m, LVDPA_T_DEVICE),
				 be ? split_used_be : split_used_le, 38) == 0,
			  "used ring bytes");
	LVDPA_TEST_ASSERT_EQ(m.nlog, 1, "flush logs the used idx");
	/* The walker must not have written the driver's areas. */
	LVDPA_TEST_ASSERT(memcmp(lvdpa_tmem_ptr(&m, LVDPA_T_DESC),
				 be ? split_desc_be : split_desc_le, 64) == 0,
			  "desc untouched");
	LVDPA_TEST_ASSERT(memcmp(lvdpa_tmem_ptr(&m, LVDPA_T_DRIVER),
				 be ? split_avail_be : split_avail_le, 14) == 0,
			  "avail untouched");
	/* used_event 0 was passed by [0, 2): notify (first decision anyway). */
	LVDPA_TEST_ASSERT(lvdpa_ring_dev_need_notify(&r), "notify");
	lvdpa_ring_get_base(&r, &a, &u);
	LVDPA_TEST_ASSERT_EQ(a, 2, "avail base");
	LVDPA_TEST_ASSERT_EQ(u, 2, "used base");

	/* set_kick with event idx writes avail_event = 2 after the ring. */
	lvdpa_ring_dev_set_kick(&r, true);
	LVDPA_TEST_ASSERT_EQ(lvdpa_tmem_get(&m, LVDPA_T_DEVICE + 4 + 8 * 4, 2,
					    be), 2, "avail_event");
	LVDPA_TEST_ASSERT_EQ(*lvdpa_tmem_ptr(&m, LVDPA_T_DEVICE + 36 +
					     (be ? 1 : 0)), 2,
			     "avail_event byte order");
	lvdpa_ring_dev_set_kick(&r, false);
	LVDPA_TEST_ASSERT_EQ(*lvdpa_tmem_ptr(&m, LVDPA_T_DEVICE + (be ? 1 : 0)),
			     1, "NO_NOTIFY byte order");
	lvdpa_ring_fini(&r);
	lvdpa_tmem_fini(&m);
	return 0;
}

static int
test_golden_split_le(void)
{
	return golden_split(false);
}

static int
test_golden_split_be(void)
{
	return golden_split(true);
}

/*
 * The driver role writing the same chains must produce the same bytes the
 * fixture has (descriptor indices follow the free list: 0,1 for the first
 * chain, 2 for the indirect one, so the expected bytes are rebuilt here).
 */
static int
golden_split_driver(bool be)
{
	static const uint8_t desc_le[48] = {
		0x00, 0x40, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0x01, 0x00, 0x01, 0x00,
		0x00, 0x50, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0x02, 0x00, 0x00, 0x00,
		0x00, 0x60, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0x04, 0x00, 0x00, 0x00,
	};
	static const uint8_t desc_be[48] = {
		0, 0, 0, 0, 0, 0, 0x40, 0x00, 0, 0, 0, 0x10, 0x00, 0x01, 0x00, 0x01,
		0, 0, 0, 0, 0, 0, 0x50, 0x00, 0, 0, 0, 0x20, 0x00, 0x02, 0x00, 0x00,
		0, 0, 0, 0, 0, 0, 0x60, 0x00, 0, 0, 0, 0x20, 0x00, 0x04, 0x00, 0x00,
	};
	static const uint8_t avail_le[8] = { 0, 0, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00 };
	static const uint8_t avail_be[8] = { 0, 0, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02 };
	const struct lvdpa_ring_seg s0[2] = {
		{ 0x4000, 16, false }, { 0x5000, 32, true },
	};
	const struct lvdpa_ring_seg s1[2] = {
		{ 0x7000, 8, false }, { 0x7100, 64, true },
	};
	struct lvdpa_tmem m;
	struct lvdpa_ring r;
	struct lvdpa_ring_config cfg;
	uint64_t cookie;
	uint32_t len;

	LVDPA_TEST_ASSERT(lvdpa_tmem_init(&m, MEM_LEN, 0) == 0, "mem");
	cfg = lvdpa_tmem_cfg(&m, 4, false, be, false, true, true);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, &cfg), 0, "init");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_add(&r, s0, 2, 0, 100), 0, "add");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_add(&r, s1, 2, 0x6000, 101), 0,
			     "add indirect");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_free(&r), 1, "free");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tmem_get(&m, LVDPA_T_DRIVER + 2, 2, be), 0,
			     "not published yet");
	LVDPA_TEST_ASSERT(lvdpa_ring_drv_publish(&r), "kick: flags 0");
	LVDPA_TEST_ASSERT(memcmp(lvdpa_tmem_ptr(&m, LVDPA_T_DESC),
				 be ? desc_be : desc_le, 48) == 0, "desc bytes");
	LVDPA_TEST_ASSERT(memcmp(lvdpa_tmem_ptr(&m, 0x6000),
				 be ? split_ind_be : split_ind_le, 32) == 0,
			  "indirect table bytes");
	LVDPA_TEST_ASSERT(memcmp(lvdpa_tmem_ptr(&m, LVDPA_T_DRIVER),
				 be ? avail_be : avail_le, 8) == 0, "avail bytes");
	/* A hand-written used ring: id 2 (len 0x40), then id 0 (len 0x1c). */
	lvdpa_tmem_put(&m, LVDPA_T_DEVICE + 4, 2, 4, be);
	lvdpa_tmem_put(&m, LVDPA_T_DEVICE + 8, 0x40, 4, be);
	lvdpa_tmem_put(&m, LVDPA_T_DEVICE + 12, 0, 4, be);
	lvdpa_tmem_put(&m, LVDPA_T_DEVICE + 16, 0x1c, 4, be);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_get_used(&r, &cookie, &len), 0,
			     "nothing before the idx moves");
	lvdpa_tmem_put(&m, LVDPA_T_DEVICE + 2, 2, 2, be);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_get_used(&r, &cookie, &len), 1, "u1");
	LVDPA_TEST_ASSERT_EQ(cookie, 101, "cookie");
	LVDPA_TEST_ASSERT_EQ(len, 0x40, "len");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_get_used(&r, &cookie, &len), 1, "u0");
	LVDPA_TEST_ASSERT_EQ(cookie, 100, "cookie");
	LVDPA_TEST_ASSERT_EQ(len, 0x1c, "len");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_get_used(&r, &cookie, &len), 0, "none");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_free(&r), 4, "all free again");
	/* set_call(false) without event idx: NO_INTERRUPT in avail flags. */
	lvdpa_ring_drv_set_call(&r, false);
	LVDPA_TEST_ASSERT_EQ(*lvdpa_tmem_ptr(&m, LVDPA_T_DRIVER + (be ? 1 : 0)),
			     1, "NO_INTERRUPT byte order");
	lvdpa_ring_fini(&r);
	lvdpa_tmem_fini(&m);
	return 0;
}

static int
test_golden_split_driver_le(void)
{
	return golden_split_driver(false);
}

static int
test_golden_split_driver_be(void)
{
	return golden_split_driver(true);
}

/*
 * Packed ring of 4, little-endian (packed is modern: LE on the wire).
 * Slot 0: 0x4000 16 bytes NEXT|AVAIL id 11 (ignored: the buffer id is the
 * last descriptor's); slot 1: 0x5000 32 bytes
 * WRITE|AVAIL id 7; slot 2: indirect 0x6000 32 bytes INDIRECT|AVAIL id 3.
 */
static const uint8_t packed_desc_le[64] = {
	0x00, 0x40, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0x0b, 0x00, 0x81, 0x00,
	0x00, 0x50, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0x07, 0x00, 0x82, 0x00,
	0x00, 0x60, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0x03, 0x00, 0x84, 0x00,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* Indirect entries: 0x7000 8 bytes; 0x7100 64 bytes WRITE (ids unused). */
static const uint8_t packed_ind_le[32] = {
	0x00, 0x70, 0, 0, 0, 0, 0, 0, 0x08, 0, 0, 0, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x71, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0x00, 0x00, 0x02, 0x00,
};

/* After push (id 7, 0x1c) and (id 3, 0x40): used slots 0 and 2. */
static const uint8_t packed_used_le[64] = {
	0x00, 0x40, 0, 0, 0, 0, 0, 0, 0x1c, 0, 0, 0, 0x07, 0x00, 0x80, 0x80,
	0x00, 0x50, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0x07, 0x00, 0x82, 0x00,
	0x00, 0x60, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0x03, 0x00, 0x80, 0x80,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static int
test_golden_packed(void)
{
	struct lvdpa_tmem m;
	struct lvdpa_ring r;
	struct lvdpa_ring_config cfg;
	struct lvdpa_ring_chain ch0, ch1, ch;
	struct lvdpa_ring_iov iov[8];
	uint16_t a, u;

	LVDPA_TEST_ASSERT(lvdpa_tmem_init(&m, MEM_LEN, 0) == 0, "mem");
	lvdpa_tmem_write(&m, LVDPA_T_DESC, packed_desc_le, 64);
	lvdpa_tmem_write(&m, 0x6000, packed_ind_le, 32);
	cfg = lvdpa_tmem_cfg(&m, 4, true, false, true, true, false);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, &cfg), 0, "init");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_pop(&r, &ch0, iov, 8), 1, "pop");
	LVDPA_TEST_ASSERT_EQ(ch0.id, 7, "id of the last descriptor");
	LVDPA_TEST_ASSERT_EQ(ch0.ndesc, 2, "ndesc");
	LVDPA_TEST_ASSERT_EQ(ch0.nout, 1, "nout");
	LVDPA_TEST_ASSERT_EQ(ch0.nin, 1, "nin");
	if (check_iov(&m, &iov[0], 0x4000, 16, false) ||
	    check_iov(&m, &iov[1], 0x5000, 32, true))
		return -1;
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_pop(&r, &ch1, iov, 8), 1, "pop ind");
	LVDPA_TEST_ASSERT_EQ(ch1.id, 3, "id");
	LVDPA_TEST_ASSERT_EQ(ch1.ndesc, 1, "ndesc");
	LVDPA_TEST_ASSERT_EQ(ch1.out_len, 8, "out_len");
	LVDPA_TEST_ASSERT_EQ(ch1.in_len, 64, "in_len");
	if (check_iov(&m, &iov[0], 0x7000, 8, false) ||
	    check_iov(&m, &iov[1], 0x7100, 64, true))
		return -1;
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_pop(&r, &ch, iov, 8), 0, "empty");
	lvdpa_ring_get_base(&r, &a, &u);
	LVDPA_TEST_ASSERT_EQ(a, 0x8003, "avail base");
	LVDPA_TEST_ASSERT_EQ(u, 0x8000, "used base");
	m.nlog = 0;
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_push(&r, &ch0, 0x1c), 0, "push");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_push(&r, &ch1, 0x40), 0, "push");
	lvdpa_ring_dev_flush(&r);
	LVDPA_TEST_ASSERT(memcmp(lvdpa_tmem_ptr(&m, LVDPA_T_DESC),
				 packed_used_le, 64) == 0, "used bytes");
	LVDPA_TEST_ASSERT_EQ(m.nlog, 2, "each used slot logged");
	LVDPA_TEST_ASSERT_EQ(m.log_lo, LVDPA_T_DESC, "log start");
	LVDPA_TEST_ASSERT_EQ(m.log_hi, LVDPA_T_DESC + 48, "log end");
	lvdpa_ring_get_base(&r, &a, &u);
	LVDPA_TEST_ASSERT_EQ(u, 0x8003, "used base");
	/* Device event suppression bytes: off_wrap 0x8003, flags DESC (2). */
	lvdpa_ring_dev_set_kick(&r, true);
	LVDPA_TEST_ASSERT_EQ(lvdpa_tmem_get(&m, LVDPA_T_DEVICE, 4, false),
			     0x00028003, "device event area");
	lvdpa_ring_dev_set_kick(&r, false);
	LVDPA_TEST_ASSERT_EQ(lvdpa_tmem_get(&m, LVDPA_T_DEVICE + 2, 2, false), 1,
			     "DISABLE");
	lvdpa_ring_fini(&r);
	lvdpa_tmem_fini(&m);
	return 0;
}

/* The packed driver role writes the fixture's bytes (ids from its list). */
static int
test_golden_packed_driver(void)
{
	static const uint8_t want[48] = {
		0x00, 0x40, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0x00, 0x00, 0x81, 0x00,
		0x00, 0x50, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0x00, 0x00, 0x82, 0x00,
		0x00, 0x60, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0x01, 0x00, 0x84, 0x00,
	};
	const struct lvdpa_ring_seg s0[2] = {
		{ 0x4000, 16, false }, { 0x5000, 32, true },
	};
	const struct lvdpa_ring_seg s1[2] = {
		{ 0x7000, 8, false }, { 0x7100, 64, true },
	};
	struct lvdpa_tmem m;
	struct lvdpa_ring r;
	struct lvdpa_ring_config cfg;
	uint64_t cookie;
	uint32_t len;

	LVDPA_TEST_ASSERT(lvdpa_tmem_init(&m, MEM_LEN, 0) == 0, "mem");
	cfg = lvdpa_tmem_cfg(&m, 4, true, false, false, true, true);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, &cfg), 0, "init");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_add(&r, s0, 2, 0, 100), 0, "add");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_add(&r, s1, 2, 0x6000, 101), 0,
			     "add indirect");
	/* The first head waits for publish; the second is already written. */
	LVDPA_TEST_ASSERT_EQ(lvdpa_tmem_get(&m, LVDPA_T_DESC + 14, 2, false), 0,
			     "head flags before publish");
	LVDPA_TEST_ASSERT(lvdpa_ring_drv_publish(&r), "kick: ENABLE");
	LVDPA_TEST_ASSERT(memcmp(lvdpa_tmem_ptr(&m, LVDPA_T_DESC), want, 48) == 0,
			  "desc bytes");
	LVDPA_TEST_ASSERT(memcmp(lvdpa_tmem_ptr(&m, 0x6000), packed_ind_le, 32)
			  == 0, "indirect bytes");
	/* Device hands back id 1 in slot 0 (out of order), then id 0. */
	lvdpa_tmem_packed_desc(&m, LVDPA_T_DESC, 0, 0, 0x40, 1, 0x8080, false);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_get_used(&r, &cookie, &len), 1, "u");
	LVDPA_TEST_ASSERT_EQ(cookie, 101, "cookie");
	LVDPA_TEST_ASSERT_EQ(len, 0x40, "len");
	/* Id 1 took one slot: the next used entry is slot 1. */
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_get_used(&r, &cookie, &len), 0,
			     "slot 1 not used yet");
	lvdpa_tmem_packed_desc(&m, LVDPA_T_DESC, 1, 0, 0x1c, 0, 0x8080, false);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_get_used(&r, &cookie, &len), 1, "u");
	LVDPA_TEST_ASSERT_EQ(cookie, 100, "cookie");
	LVDPA_TEST_ASSERT_EQ(len, 0x1c, "len");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_free(&r), 4, "free");
	lvdpa_ring_fini(&r);
	lvdpa_tmem_fini(&m);
	return 0;
}

/* A big-endian packed ring (the code follows cfg, not the layout). */
static int
test_golden_packed_be(void)
{
	static const uint8_t ring_be[16] = {
		0, 0, 0, 0, 0, 0, 0x40, 0x00, 0, 0, 0, 0x10, 0x00, 0x05, 0x00, 0x80,
	};
	static const uint8_t used_be[16] = {
		0, 0, 0, 0, 0, 0, 0x40, 0x00, 0, 0, 0, 0x09, 0x00, 0x05, 0x80, 0x80,
	};
	struct lvdpa_tmem m;
	struct lvdpa_ring r;
	struct lvdpa_ring_config cfg;
	struct lvdpa_ring_chain ch;
	struct lvdpa_ring_iov iov[2];

	LVDPA_TEST_ASSERT(lvdpa_tmem_init(&m, MEM_LEN, 0) == 0, "mem");
	lvdpa_tmem_write(&m, LVDPA_T_DESC, ring_be, 16);
	cfg = lvdpa_tmem_cfg(&m, 3, true, true, false, false, false);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, &cfg), 0, "init");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_pop(&r, &ch, iov, 2), 1, "pop");
	LVDPA_TEST_ASSERT_EQ(ch.id, 5, "id");
	if (check_iov(&m, &iov[0], 0x4000, 16, false))
		return -1;
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_push(&r, &ch, 9), 0, "push");
	LVDPA_TEST_ASSERT(memcmp(lvdpa_tmem_ptr(&m, LVDPA_T_DESC), used_be, 16)
			  == 0, "used bytes");
	lvdpa_ring_fini(&r);
	lvdpa_tmem_fini(&m);
	return 0;
}

/*
 * Two regions, host buffers apart: an indirect table whose middle entry
 * straddles the boundary (read piecewise), and a buffer across it (two
 * iovs, each pointing into its own region). Overlapping the buffer with the
 * table is harmless: the walker only reads there.
 */
static int
two_regions(bool packed, bool be)
{
	const uint64_t b = 0x50008, table = b - 24;
	struct lvdpa_tmem m;
	struct lvdpa_ring r;
	struct lvdpa_ring_config cfg;
	struct lvdpa_ring_chain ch;
	struct lvdpa_ring_iov iov[8];

	LVDPA_TEST_ASSERT(lvdpa_tmem_init(&m, MEM_LEN, b) == 0, "mem");
	LVDPA_TEST_ASSERT(lvdpa_tmem_ptr(&m, b) != lvdpa_tmem_ptr(&m, b - 1) + 1,
			  "regions must not be adjacent in host memory");
	if (packed) {
		lvdpa_tmem_packed_desc(&m, table, 0, b - 4, 12, 0, 0, be);
		lvdpa_tmem_packed_desc(&m, table, 1, 0x7000, 8, 0, 0, be);
		lvdpa_tmem_packed_desc(&m, table, 2, 0x7100, 16, 0,
				       LVDPA_VRING_DESC_F_WRITE, be);
		lvdpa_tmem_packed_desc(&m, LVDPA_T_DESC, 0, table, 48, 9,
				       LVDPA_VRING_DESC_F_INDIRECT |
				       LVDPA_VRING_PACKED_DESC_F_AVAIL, be);
	} else {
		lvdpa_tmem_split_desc(&m, table, 0, b - 4, 12,
				      LVDPA_VRING_DESC_F_NEXT, 1, be);
		lvdpa_tmem_split_desc(&m, table, 1, 0x7000, 8,
				      LVDPA_VRING_DESC_F_NEXT, 2, be);
		lvdpa_tmem_split_desc(&m, table, 2, 0x7100, 16,
				      LVDPA_VRING_DESC_F_WRITE, 0, be);
		lvdpa_tmem_split_desc(&m, LVDPA_T_DESC, 0, table, 48,
				      LVDPA_VRING_DESC_F_INDIRECT, 0, be);
		lvdpa_tmem_put(&m, LVDPA_T_DRIVER + 2, 1, 2, be);
	}
	cfg = lvdpa_tmem_cfg(&m, 4, packed, be, false, true, false);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, &cfg), 0, "init");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_pop(&r, &ch, iov, 8), 1, "pop");
	LVDPA_TEST_ASSERT_EQ(ch.id, packed ? 9 : 0, "id");
	LVDPA_TEST_ASSERT_EQ(ch.nout, 3, "nout: the crossing buffer is two");
	LVDPA_TEST_ASSERT_EQ(ch.nin, 1, "nin");
	LVDPA_TEST_ASSERT_EQ(ch.out_len, 20, "out_len");
	LVDPA_TEST_ASSERT_EQ(ch.in_len, 16, "in_len");
	if (check_iov(&m, &iov[0], b - 4, 4, false) ||
	    check_iov(&m, &iov[1], b, 8, false) ||
	    check_iov(&m, &iov[2], 0x7000, 8, false) ||
	    check_iov(&m, &iov[3], 0x7100, 16, true))
		return -1;
	LVDPA_TEST_ASSERT(iov[1].base == m.reg[1].host, "second region");
	lvdpa_ring_fini(&r);
	lvdpa_tmem_fini(&m);
	return 0;
}

static int
test_two_regions(void)
{
	for (int packed = 0; packed < 2; packed++)
		for (int be = 0; be < 2; be++)
			if (two_regions(packed, be))
				return -1;
	return 0;
}

/* Copy helpers across iov pieces; writes are logged per piece. */
static int
test_iov_copy(void)
{
	struct lvdpa_tmem m;
	struct lvdpa_ring r;
	struct lvdpa_ring_config cfg;
	struct lvdpa_ring_iov iov[3];
	uint8_t buf[32], out[32];
	unsigned int i;

	LVDPA_TEST_ASSERT(lvdpa_tmem_init(&m, MEM_LEN, 0) == 0, "mem");
	cfg = lvdpa_tmem_cfg(&m, 4, false, false, false, false, false);
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_init(&r, &cfg), 0, "init");
	/* pieces of 3, 0 and 5 bytes */
	iov[0] = (struct lvdpa_ring_iov){ lvdpa_tmem_ptr(&m, 0x9000), 0x9000, 3, true };
	iov[1] = (struct lvdpa_ring_iov){ lvdpa_tmem_ptr(&m, 0x9100), 0x9100, 0, true };
	iov[2] = (struct lvdpa_ring_iov){ lvdpa_tmem_ptr(&m, 0x9200), 0x9200, 5, true };
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(0xa0 + i);
	m.nlog = 0;
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_iov_write(&r, iov, 3, 2, buf, 32), 6,
			     "write stops at the end");
	LVDPA_TEST_ASSERT_EQ(m.nlog, 2, "two pieces logged");
	LVDPA_TEST_ASSERT_EQ(m.log_lo, 0x9002, "log start");
	LVDPA_TEST_ASSERT_EQ(m.log_hi, 0x9205, "log end");
	LVDPA_TEST_ASSERT_EQ(*lvdpa_tmem_ptr(&m, 0x9002), 0xa0, "byte");
	LVDPA_TEST_ASSERT_EQ(*lvdpa_tmem_ptr(&m, 0x9200), 0xa1, "byte");
	LVDPA_TEST_ASSERT_EQ(*lvdpa_tmem_ptr(&m, 0x9204), 0xa5, "byte");
	LVDPA_TEST_ASSERT_EQ(*lvdpa_tmem_ptr(&m, 0x9205), 0, "no overrun");
	memset(out, 0, sizeof(out));
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_iov_read(iov, 3, 2, out, 4), 4, "read");
	LVDPA_TEST_ASSERT(out[0] == 0xa0 && out[1] == 0xa1 && out[3] == 0xa3 &&
			  out[4] == 0, "read bytes");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_iov_read(iov, 3, 8, out, 4), 0,
			     "offset at the end");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_iov_read(iov, 3, 100, out, 4), 0,
			     "offset past the end");
	lvdpa_ring_fini(&r);
	lvdpa_tmem_fini(&m);
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_golden_split_le),
	LVDPA_TEST_CASE(test_golden_split_be),
	LVDPA_TEST_CASE(test_golden_split_driver_le),
	LVDPA_TEST_CASE(test_golden_split_driver_be),
	LVDPA_TEST_CASE(test_golden_packed),
	LVDPA_TEST_CASE(test_golden_packed_driver),
	LVDPA_TEST_CASE(test_golden_packed_be),
	LVDPA_TEST_CASE(test_two_regions),
	LVDPA_TEST_CASE(test_iov_copy),
)
