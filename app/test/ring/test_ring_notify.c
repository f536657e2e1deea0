/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Notification suppression: need_notify (device -> driver) and publish's
 * kick decision (driver -> device), for flags and event index, split and
 * packed, with the other side's fields written by hand at known offsets.
 */

#include <stdio.h>

#include <rte_common.h>

#include "lvdpa_test.h"
#include "test_ring_common.h"

#define MEM_LEN 0x100000ull
#define BUF     0x50000ull

struct pair {
	struct lvdpa_tmem m;
	struct lvdpa_ring drv, dev;
	bool be;
};

static int
pair_init(struct pair *p, uint16_t size, bool packed, bool be, bool event_idx)
{
	struct lvdpa_ring_config cfg;

	memset(p, 0, sizeof(*p));
	p->be = be;
	if (lvdpa_tmem_init(&p->m, MEM_LEN, 0) != 0)
		return -1;
	cfg = lvdpa_tmem_cfg(&p->m, size, packed, be, event_idx, false, true);
	if (lvdpa_ring_init(&p->drv, &cfg) != 0)
		return -1;
	cfg.driver_role = false;
	return lvdpa_ring_init(&p->dev, &cfg);
}

static void
pair_fini(struct pair *p)
{
	lvdpa_ring_fini(&p->drv);
	lvdpa_ring_fini(&p->dev);
	lvdpa_tmem_fini(&p->m);
}

/* Driver adds and publishes one 1-segment buffer; returns the kick. */
static int
pair_add(struct pair *p, bool *kick)
{
	const struct lvdpa_ring_seg seg = { BUF, 64, true };

	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_add(&p->drv, &seg, 1, 0, 1), 0,
			     "add");
	*kick = lvdpa_ring_drv_publish(&p->drv);
	return 0;
}

/* Device pops and pushes @p n buffers (which the driver added), flushes. */
static int
pair_complete(struct pair *p, unsigned int n)
{
	struct lvdpa_ring_iov iov[2];
	struct lvdpa_ring_chain ch;
	uint64_t cookie;
	uint32_t len;

	for (unsigned int i = 0; i < n; i++) {
		bool kick;

		if (pair_add(p, &kick))
			return -1;
		LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_pop(&p->dev, &ch, iov, 2), 1,
				     "pop");
		LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_push(&p->dev, &ch, 1), 0,
				     "push");
	}
	lvdpa_ring_dev_flush(&p->dev);
	/* The driver takes them back (does not touch the event fields). */
	for (unsigned int i = 0; i < n; i++)
		LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_get_used(&p->drv, &cookie,
							     &len), 1, "used");
	return 0;
}

#define SPLIT_USED_EVENT(size)  (LVDPA_T_DRIVER + 4 + 2 * (size))
#define SPLIT_AVAIL_EVENT(size) (LVDPA_T_DEVICE + 4 + 8 * (size))

static int
split_flags(bool be)
{
	struct pair p;
	bool kick;

	LVDPA_TEST_ASSERT_EQ(pair_init(&p, 8, false, be, false), 0, "init");
	/* avail flags 0: notify after every flush */
	if (pair_complete(&p, 1))
		return -1;
	LVDPA_TEST_ASSERT(lvdpa_ring_dev_need_notify(&p.dev), "flags 0");
	/* NO_INTERRUPT by hand, then through the driver role */
	lvdpa_tmem_put(&p.m, LVDPA_T_DRIVER, LVDPA_VRING_AVAIL_F_NO_INTERRUPT,
		       2, be);
	if (pair_complete(&p, 1))
		return -1;
	LVDPA_TEST_ASSERT(!lvdpa_ring_dev_need_notify(&p.dev), "NO_INTERRUPT");
	lvdpa_ring_drv_set_call(&p.drv, true);
	LVDPA_TEST_ASSERT_EQ(lvdpa_tmem_get(&p.m, LVDPA_T_DRIVER, 2, be), 0,
			     "set_call(true) clears the flag");
	if (pair_complete(&p, 1))
		return -1;
	LVDPA_TEST_ASSERT(lvdpa_ring_dev_need_notify(&p.dev), "enabled again");
	lvdpa_ring_drv_set_call(&p.drv, false);
	if (pair_complete(&p, 2))
		return -1;
	LVDPA_TEST_ASSERT(!lvdpa_ring_dev_need_notify(&p.dev), "disabled");

	/* kicks: used flags NO_NOTIFY */
	LVDPA_TEST_ASSERT(pair_add(&p, &kick) == 0 && kick, "used flags 0");
	lvdpa_ring_dev_set_kick(&p.dev, false);
	LVDPA_TEST_ASSERT_EQ(lvdpa_tmem_get(&p.m, LVDPA_T_DEVICE, 2, be),
			     LVDPA_VRING_USED_F_NO_NOTIFY, "flag bytes");
	LVDPA_TEST_ASSERT(pair_add(&p, &kick) == 0 && !kick, "NO_NOTIFY");
	lvdpa_ring_dev_set_kick(&p.dev, true);
	LVDPA_TEST_ASSERT(pair_add(&p, &kick) == 0 && kick, "kicks on");
	/* Nothing new: no kick whatever the flags say. */
	LVDPA_TEST_ASSERT(!lvdpa_ring_drv_publish(&p.drv), "nothing new");
	pair_fini(&p);
	return 0;
}

static int
split_event_idx(bool be)
{
	struct pair p;
	bool kick;

	LVDPA_TEST_ASSERT_EQ(pair_init(&p, 8, false, be, true), 0, "init");
	/* Event idx ignores the flags: set them to make sure. */
	lvdpa_tmem_put(&p.m, LVDPA_T_DRIVER, LVDPA_VRING_AVAIL_F_NO_INTERRUPT,
		       2, be);
	lvdpa_tmem_put(&p.m, SPLIT_USED_EVENT(8), 0x7777, 2, be);
	/* used idx 0 -> 1: the first decision always notifies. */
	if (pair_complete(&p, 1))
		return -1;
	LVDPA_TEST_ASSERT(lvdpa_ring_dev_need_notify(&p.dev), "first");
	/* used_event 2: 1 -> 2 does not pass it, 2 -> 3 does. */
	lvdpa_tmem_put(&p.m, SPLIT_USED_EVENT(8), 2, 2, be);
	if (pair_complete(&p, 1))
		return -1;
	LVDPA_TEST_ASSERT(!lvdpa_ring_dev_need_notify(&p.dev), "1->2, event 2");
	if (pair_complete(&p, 1))
		return -1;
	LVDPA_TEST_ASSERT(lvdpa_ring_dev_need_notify(&p.dev), "2->3, event 2");
	/* 3 -> 5 passes 3; 5 -> 6 does not pass 10. */
	lvdpa_tmem_put(&p.m, SPLIT_USED_EVENT(8), 3, 2, be);
	if (pair_complete(&p, 2))
		return -1;
	LVDPA_TEST_ASSERT(lvdpa_ring_dev_need_notify(&p.dev), "3->5, event 3");
	lvdpa_tmem_put(&p.m, SPLIT_USED_EVENT(8), 10, 2, be);
	if (pair_complete(&p, 1))
		return -1;
	LVDPA_TEST_ASSERT(!lvdpa_ring_dev_need_notify(&p.dev), "5->6, event 10");
	/* No progress, no notification. */
	LVDPA_TEST_ASSERT(!lvdpa_ring_dev_need_notify(&p.dev), "6->6");
	/* set_call(true) puts used_event at the driver's position (6). */
	lvdpa_ring_drv_set_call(&p.drv, true);
	LVDPA_TEST_ASSERT_EQ(lvdpa_tmem_get(&p.m, SPLIT_USED_EVENT(8), 2, be), 6,
			     "used_event");
	if (pair_complete(&p, 1))
		return -1;
	LVDPA_TEST_ASSERT(lvdpa_ring_dev_need_notify(&p.dev), "6->7, event 6");

	/* Kicks: avail_event. The device is at avail 7. */
	lvdpa_tmem_put(&p.m, LVDPA_T_DEVICE, LVDPA_VRING_USED_F_NO_NOTIFY, 2, be);
	lvdpa_tmem_put(&p.m, SPLIT_AVAIL_EVENT(8), 8, 2, be);
	LVDPA_TEST_ASSERT(pair_add(&p, &kick) == 0 && !kick, "7->8, event 8");
	LVDPA_TEST_ASSERT(pair_add(&p, &kick) == 0 && kick, "8->9, event 8");
	/* set_kick(true) sets avail_event to the device's position (7). */
	lvdpa_ring_dev_set_kick(&p.dev, true);
	LVDPA_TEST_ASSERT_EQ(lvdpa_tmem_get(&p.m, SPLIT_AVAIL_EVENT(8), 2, be), 7,
			     "avail_event");
	LVDPA_TEST_ASSERT(lvdpa_ring_dev_avail(&p.dev), "two are waiting");
	/* The device was already told about 7 and 8: no kick for 9 -> 10. */
	LVDPA_TEST_ASSERT(pair_add(&p, &kick) == 0 && !kick, "9->10, event 7");
	pair_fini(&p);
	return 0;
}

/* Event index across the 16-bit wrap. */
static int
split_event_wrap(void)
{
	struct pair p;

	LVDPA_TEST_ASSERT_EQ(pair_init(&p, 4, false, false, true), 0, "init");
	lvdpa_ring_set_base(&p.drv, 65534, 65534);
	lvdpa_ring_set_base(&p.dev, 65534, 65534);
	lvdpa_tmem_put(&p.m, LVDPA_T_DRIVER + 2, 65534, 2, false);
	lvdpa_tmem_put(&p.m, LVDPA_T_DEVICE + 2, 65534, 2, false);
	if (pair_complete(&p, 1))
		return -1;
	LVDPA_TEST_ASSERT(lvdpa_ring_dev_need_notify(&p.dev), "first");
	/* used_event 0: 65535 -> 1 passes it. */
	lvdpa_tmem_put(&p.m, SPLIT_USED_EVENT(4), 0, 2, false);
	if (pair_complete(&p, 2))
		return -1;
	LVDPA_TEST_ASSERT(lvdpa_ring_dev_need_notify(&p.dev), "65535->1, event 0");
	/* used_event 65535 is behind now: 1 -> 2 does not pass it. */
	lvdpa_tmem_put(&p.m, SPLIT_USED_EVENT(4), 65535, 2, false);
	if (pair_complete(&p, 1))
		return -1;
	LVDPA_TEST_ASSERT(!lvdpa_ring_dev_need_notify(&p.dev), "1->2, event -1");
	pair_fini(&p);
	return 0;
}

static int
test_split_notify(void)
{
	for (int be = 0; be < 2; be++)
		if (split_flags(be) || split_event_idx(be))
			return -1;
	return split_event_wrap();
}

/* Packed event suppression areas: off_wrap at +0, flags at +2. */
static void
pk_event(struct pair *p, uint64_t area, uint16_t flags, uint16_t off_wrap)
{
	lvdpa_tmem_put(&p->m, area, off_wrap, 2, p->be);
	lvdpa_tmem_put(&p->m, area + 2, flags, 2, p->be);
}

static int
packed_notify(bool be)
{
	struct pair p;
	bool kick;

	LVDPA_TEST_ASSERT_EQ(pair_init(&p, 4, true, be, true), 0, "init");
	pk_event(&p, LVDPA_T_DRIVER, LVDPA_VRING_PACKED_EVENT_F_DISABLE, 0);
	if (pair_complete(&p, 1))
		return -1;
	LVDPA_TEST_ASSERT(!lvdpa_ring_dev_need_notify(&p.dev), "DISABLE");
	pk_event(&p, LVDPA_T_DRIVER, LVDPA_VRING_PACKED_EVENT_F_ENABLE, 0);
	if (pair_complete(&p, 1))
		return -1;
	LVDPA_TEST_ASSERT(lvdpa_ring_dev_need_notify(&p.dev), "ENABLE");
	/* Used position is slot 2, wrap 1. Event at slot 2: [2, 3) has it. */
	pk_event(&p, LVDPA_T_DRIVER, LVDPA_VRING_PACKED_EVENT_F_DESC, 0x8002);
	if (pair_complete(&p, 1))
		return -1;
	LVDPA_TEST_ASSERT(lvdpa_ring_dev_need_notify(&p.dev), "DESC 2 in [2,3)");
	/* [3, 0') does not contain slot 0 of the next lap. */
	pk_event(&p, LVDPA_T_DRIVER, LVDPA_VRING_PACKED_EVENT_F_DESC, 0x0000);
	if (pair_complete(&p, 1))
		return -1;
	LVDPA_TEST_ASSERT(!lvdpa_ring_dev_need_notify(&p.dev), "DESC 0' not yet");
	/* [0', 1') does. */
	if (pair_complete(&p, 1))
		return -1;
	LVDPA_TEST_ASSERT(lvdpa_ring_dev_need_notify(&p.dev), "DESC 0' now");
	/* An event in the previous lap (slot 3, wrap 1) is behind [1', 3'). */
	pk_event(&p, LVDPA_T_DRIVER, LVDPA_VRING_PACKED_EVENT_F_DESC, 0x8003);
	if (pair_complete(&p, 2))
		return -1;
	LVDPA_TEST_ASSERT(!lvdpa_ring_dev_need_notify(&p.dev), "previous lap");
	/* Slot 0 of the lap after (wrap 1 again) passed by [3', 1''). */
	pk_event(&p, LVDPA_T_DRIVER, LVDPA_VRING_PACKED_EVENT_F_DESC, 0x8000);
	if (pair_complete(&p, 2))
		return -1;
	LVDPA_TEST_ASSERT(lvdpa_ring_dev_need_notify(&p.dev), "across the wrap");
	/* set_call(true) with event idx: DESC at the driver's used position. */
	lvdpa_ring_drv_set_call(&p.drv, true);
	LVDPA_TEST_ASSERT_EQ(lvdpa_tmem_get(&p.m, LVDPA_T_DRIVER, 2, be), 0x8001,
			     "off_wrap");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tmem_get(&p.m, LVDPA_T_DRIVER + 2, 2, be),
			     LVDPA_VRING_PACKED_EVENT_F_DESC, "flags");
	if (pair_complete(&p, 1))
		return -1;
	LVDPA_TEST_ASSERT(lvdpa_ring_dev_need_notify(&p.dev), "set_call event");
	lvdpa_ring_drv_set_call(&p.drv, false);
	LVDPA_TEST_ASSERT_EQ(lvdpa_tmem_get(&p.m, LVDPA_T_DRIVER + 2, 2, be),
			     LVDPA_VRING_PACKED_EVENT_F_DISABLE, "flags");

	/* Kicks: device event suppression. The driver is at slot 2, wrap 1. */
	pk_event(&p, LVDPA_T_DEVICE, LVDPA_VRING_PACKED_EVENT_F_DISABLE, 0);
	LVDPA_TEST_ASSERT(pair_add(&p, &kick) == 0 && !kick, "DISABLE");
	pk_event(&p, LVDPA_T_DEVICE, LVDPA_VRING_PACKED_EVENT_F_ENABLE, 0);
	LVDPA_TEST_ASSERT(pair_add(&p, &kick) == 0 && kick, "ENABLE");
	/* Now at slot 0, wrap 0: an event there is passed by [0, 1). */
	pk_event(&p, LVDPA_T_DEVICE, LVDPA_VRING_PACKED_EVENT_F_DESC, 0x0000);
	LVDPA_TEST_ASSERT(pair_add(&p, &kick) == 0 && kick, "DESC passed");
	LVDPA_TEST_ASSERT(pair_add(&p, &kick) == 0 && !kick, "DESC behind");
	pair_fini(&p);
	return 0;
}

/* set_kick with event idx: the device asks for a kick at its position. */
static int
packed_set_kick(bool event_idx)
{
	struct lvdpa_ring_iov iov[2];
	struct lvdpa_ring_chain ch;
	struct pair p;
	bool kick;

	LVDPA_TEST_ASSERT_EQ(pair_init(&p, 5, true, false, event_idx), 0, "init");
	for (int lap = 0; lap < 12; lap++) {
		lvdpa_ring_dev_set_kick(&p.dev, true);
		LVDPA_TEST_ASSERT(!lvdpa_ring_dev_avail(&p.dev), "empty");
		LVDPA_TEST_ASSERT(pair_add(&p, &kick) == 0 && kick,
				  "kick after enable, lap %d", lap);
		lvdpa_ring_dev_set_kick(&p.dev, false);
		LVDPA_TEST_ASSERT(pair_add(&p, &kick) == 0 && !kick,
				  "no kick when disabled");
		for (int i = 0; i < 2; i++) {
			uint64_t c;
			uint32_t l;

			LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_pop(&p.dev, &ch, iov,
								2), 1, "pop");
			LVDPA_TEST_ASSERT_EQ(lvdpa_ring_dev_push(&p.dev, &ch, 0),
					     0, "push");
			LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_get_used(&p.drv, &c,
								     &l), 1,
					     "used");
		}
	}
	pair_fini(&p);
	return 0;
}

static int
test_packed_notify(void)
{
	for (int be = 0; be < 2; be++)
		if (packed_notify(be))
			return -1;
	return packed_set_kick(true) || packed_set_kick(false);
}

/*
 * The device pushes whole laps between two decisions: positions alone would
 * say nothing moved (packed: 2 laps; split: 2^16 entries), yet the event
 * the driver asked for was passed.
 */
static int
test_laps_between_decisions(void)
{
	struct pair p;

	for (int packed = 0; packed < 2; packed++) {
		unsigned int n = packed ? 8 : 65536;

		LVDPA_TEST_ASSERT_EQ(pair_init(&p, 4, packed, false, true), 0,
				     "init");
		if (pair_complete(&p, 1))
			return -1;
		LVDPA_TEST_ASSERT(lvdpa_ring_dev_need_notify(&p.dev), "first");
		/* The driver asks for a call at its position, then polls. */
		lvdpa_ring_drv_set_call(&p.drv, true);
		for (unsigned int i = 0; i < n; i++)
			if (pair_complete(&p, 1))
				return -1;
		LVDPA_TEST_ASSERT(lvdpa_ring_dev_need_notify(&p.dev),
				  "%s: %u buffers since the event", packed ?
				  "packed" : "split", n);
		/* And nothing new: nothing to notify. */
		LVDPA_TEST_ASSERT(!lvdpa_ring_dev_need_notify(&p.dev), "again");
		pair_fini(&p);
	}
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_split_notify),
	LVDPA_TEST_CASE(test_packed_notify),
	LVDPA_TEST_CASE(test_laps_between_decisions),
)
