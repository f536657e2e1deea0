/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The model's datapath, driven by a synthetic guest through the DevX
 * command layer: frames go TX -> e-switch loopback -> RX in every ring
 * flavour, with every byte, the order and the counters checked; dirty
 * logging; suspend, query, destroy, recreate and continue; the worker's
 * polling (poll_us): doorbells suppressed while polled, re-armed after it,
 * and the order of parked and directly delivered loopback frames.
 */

#include <endian.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lvdpa_virtio.h"
#include "test_model_env.h"

#define TM_PACKETS 3000

/* RX chains a frame takes: header + frame over buffers of hdr + buf_len. */
static uint64_t
tm_rx_chains(const struct lvdpa_synth_qcfg *c, uint32_t size)
{
	uint32_t per = c->hdr_len + c->buf_len;

	return c->mrg_rxbuf ? (c->hdr_len + size + per - 1) / per : 1;
}

/* One queue pair in the given flavour, @p n frames of @p size, counters exact. */
static int
tm_move(const char *params, bool legacy, bool mrg, bool own_desc, bool packed,
	bool indirect, bool event_idx, uint32_t size)
{
	struct lvdpa_synth_qcfg rc_ = tm_qcfg(256, true, legacy, mrg, own_desc, packed);
	struct lvdpa_synth_qcfg tc = tm_qcfg(256, false, legacy, mrg, own_desc, packed);
	struct lvdpa_devx_virtq_counters ct, cr;
	struct lvdpa_devx_virtq_attr qa, qr;
	struct lvdpa_synth_flow f;
	struct tm_env e;
	int rc;

	rc_.indirect = tc.indirect = indirect;
	rc_.event_idx = tc.event_idx = event_idx;
	LVDPA_TEST_ASSERT(tm_open(&e, params) == 0, "open model '%s'", params);
	rc = tm_queue(&e, 0, &rc_, !legacy);
	if (rc == 0)
		rc = tm_queue(&e, 1, &tc, !legacy);
	if (rc == 0)
		rc = lvdpa_synth_flow_init(&f, &e.v[1], &e.v[0], size, TM_PACKETS);
	if (rc != 0) {
		tm_teardown(&e);
		LVDPA_TEST_ASSERT(0, "set-up failed: %d", rc);
	}
	rc = lvdpa_synth_flow_run(&f, TM_PACKETS, 3000);
	lvdpa_synth_flow_fini(&f);
	if (rc == 0)
		rc = lvdpa_devx_counters_query(e.v[1].counters, &ct);
	if (rc == 0)
		rc = lvdpa_devx_counters_query(e.v[0].counters, &cr);
	if (rc == 0)
		rc = lvdpa_synth_vq_query(&e.v[1], &qa);
	if (rc == 0)
		rc = lvdpa_synth_vq_query(&e.v[0], &qr);
	tm_teardown(&e);
	LVDPA_TEST_ASSERT(rc == 0, "flow: %d (%" PRIu64 " of %u received)", rc,
			  f.received, TM_PACKETS);
	LVDPA_TEST_ASSERT_EQ(f.received, TM_PACKETS, "frames received");
	LVDPA_TEST_ASSERT_EQ(f.bad, 0, "bad frames");
	LVDPA_TEST_ASSERT_EQ(ct.received_desc, TM_PACKETS, "TX received_desc");
	LVDPA_TEST_ASSERT_EQ(ct.completed_desc, TM_PACKETS, "TX completed_desc");
	LVDPA_TEST_ASSERT_EQ(cr.received_desc, TM_PACKETS * tm_rx_chains(&rc_, size),
			     "RX received_desc");
	LVDPA_TEST_ASSERT_EQ(cr.completed_desc, TM_PACKETS * tm_rx_chains(&rc_, size),
			     "RX completed_desc");
	LVDPA_TEST_ASSERT_EQ(ct.error_cqes + ct.bad_desc_errors + ct.exceed_max_chain +
			     ct.invalid_buffer + cr.error_cqes + cr.bad_desc_errors +
			     cr.exceed_max_chain + cr.invalid_buffer, 0, "error counters");
	LVDPA_TEST_ASSERT_EQ(qa.state, LVDPA_PRM_VIRTQ_STATE_RDY, "TX state");
	LVDPA_TEST_ASSERT_EQ(qr.queue_features, mrg ? 1u << LVDPA_PRM_VIRTQ_QF_MRG_RXBUF : 0,
			     "RX queue_features echoed");
	if (!packed) {
		LVDPA_TEST_ASSERT_EQ(qa.hw_available_index, TM_PACKETS & 0xffff, "TX avail");
		LVDPA_TEST_ASSERT_EQ(qa.hw_used_index, TM_PACKETS & 0xffff, "TX used");
	}
	return 0;
}

static int
test_model_modern_split(void)
{
	return tm_move("max_queues=2", false, false, false, false, false, false, 64);
}

static int
test_model_modern_split_large(void)
{
	return tm_move("max_queues=2", false, false, false, false, false, false, 1514);
}

/*
 * Small and big frames in one TX burst: the small ones are copied out
 * together and the big one alone, yet all leave in the guest's order.
 */
static int
test_model_tx_burst_mixed(void)
{
	struct lvdpa_synth_qcfg rc_ = tm_qcfg(256, true, false, false, false, false);
	struct lvdpa_synth_qcfg tc = tm_qcfg(256, false, false, false, false, false);
	struct lvdpa_devx_virtq_counters ct;
	struct lvdpa_synth_flow f;
	struct tm_env e;
	int rc;

	rc_.buf_len = tc.buf_len = 4096;
	LVDPA_TEST_ASSERT(tm_open(&e, "max_queues=2") == 0, "open");
	rc = tm_queue(&e, 0, &rc_, true);
	if (rc == 0)
		rc = tm_queue(&e, 1, &tc, true);
	if (rc == 0)
		rc = lvdpa_synth_flow_init(&f, &e.v[1], &e.v[0], 64, TM_PACKETS);
	if (rc != 0) {
		tm_teardown(&e);
		LVDPA_TEST_ASSERT(0, "set-up failed: %d", rc);
	}
	f.big_size = 3000;
	rc = lvdpa_synth_flow_run(&f, TM_PACKETS, 3000);
	lvdpa_synth_flow_fini(&f);
	if (rc == 0)
		rc = lvdpa_devx_counters_query(e.v[1].counters, &ct);
	tm_teardown(&e);
	LVDPA_TEST_ASSERT(rc == 0, "flow: %d (%" PRIu64 " of %u received)", rc,
			  f.received, TM_PACKETS);
	LVDPA_TEST_ASSERT_EQ(f.received, TM_PACKETS, "frames received, sizes and order kept");
	LVDPA_TEST_ASSERT_EQ(f.bad, 0, "bad frames");
	LVDPA_TEST_ASSERT_EQ(ct.completed_desc, TM_PACKETS, "TX completed_desc");
	return 0;
}

static int
test_model_legacy_split_hdr10_own_desc(void)
{
	return tm_move("max_queues=2,legacy=1", true, false, true, false, false, false, 64);
}

static int
test_model_legacy_split_hdr10_any_layout(void)
{
	return tm_move("max_queues=2,legacy=1", true, false, false, false, false, false, 200);
}

static int
test_model_legacy_split_hdr12_mrg(void)
{
	return tm_move("max_queues=2,legacy=1", true, true, true, false,
		       false, false, 300);
}

static int
test_model_modern_split_mrg(void)
{
	return tm_move("max_queues=2", false, true, false, false, false,
		       false, 1000);
}

static int
test_model_packed(void)
{
	return tm_move("max_queues=2,packed=1", false, false, false, true, false, false, 64);
}

static int
test_model_packed_mrg_indirect(void)
{
	return tm_move("max_queues=2,packed=1", false, true, true, true,
		       true, false, 700);
}

static int
test_model_indirect(void)
{
	return tm_move("max_queues=2", false, false, true, false, true, false, 128);
}

static int
test_model_event_idx(void)
{
	return tm_move("max_queues=2,event_idx=1", false, false, false, false, false,
		       true, 64);
}

static int
test_model_legacy_event_idx_indirect(void)
{
	return tm_move("max_queues=2,legacy=1,event_idx=1", true, false, true, false,
		       true, true, 64);
}

/* Pages [a, a + len) into the expected bitmap. */
static void
tm_mark(uint8_t *bm, uint64_t a, uint64_t len)
{
	uint64_t p;

	for (p = a >> 12; p <= (a + len - 1) >> 12; p++)
		bm[p / 8] |= 1u << (p % 8);
}

static int
test_model_dirty_log(void)
{
	struct lvdpa_synth_qcfg rc_ = tm_qcfg(256, true, false, false, false, false);
	struct lvdpa_synth_qcfg tc = tm_qcfg(256, false, false, false, false, false);
	const uint32_t k = 100, size = 1000;
	uint64_t bm_bytes = ((TM_GPA + TM_MEM) >> 12) / 8 + 1, i, diff = 0;
	struct lvdpa_devx_mkey_direct_attr ma = { 0 };
	struct lvdpa_devx_virtq_attr a;
	struct lvdpa_devx_obj *bm_mkey = NULL;
	struct lvdpa_tp_umem *bm_umem = NULL;
	uint8_t *bm = calloc(1, bm_bytes), *want = calloc(1, bm_bytes);
	struct lvdpa_synth_flow f;
	struct tm_env e;
	int rc;

	LVDPA_TEST_ASSERT(bm != NULL && want != NULL, "calloc");
	LVDPA_TEST_ASSERT(tm_open(&e, "max_queues=2") == 0, "open");
	rc = tm_queue(&e, 0, &rc_, true);
	if (rc == 0)
		rc = tm_queue(&e, 1, &tc, true);
	if (rc == 0)
		rc = lvdpa_devx_umem_reg(e.sd.dev, bm, bm_bytes,
					 LVDPA_DEVX_UMEM_LOCAL_WRITE, &bm_umem);
	if (rc == 0) {
		ma.pd = e.sd.pd->id;
		ma.addr = 0x10000;
		ma.size = bm_bytes;
		ma.umem_id = bm_umem->id;
		ma.key = 0x11;
		rc = lvdpa_devx_mkey_create_direct(e.sd.dev, &ma, &bm_mkey);
	}
	if (rc == 0) {
		/* Only the RX queue logs: it is the one writing guest pages. */
		a = e.v[0].attr;
		a.dirty_bitmap_mkey = bm_mkey->id;
		a.dirty_bitmap_addr = 0x10000;
		a.dirty_bitmap_size = bm_bytes;
		a.vhost_log_page = 0;
		a.dirty_bitmap_dump_enable = true;
		rc = lvdpa_devx_virtq_modify(e.v[0].obj, &a,
			LVDPA_PRM_VIRTQ_MODIFY_DIRTY_BITMAP_PARAMS |
			LVDPA_PRM_VIRTQ_MODIFY_DIRTY_BITMAP_DUMP_ENABLE);
	}
	if (rc == 0)
		rc = lvdpa_synth_flow_init(&f, &e.v[1], &e.v[0], size, k);
	if (rc == 0) {
		rc = lvdpa_synth_flow_run(&f, k, 3000);
		lvdpa_synth_flow_fini(&f);
	}
	/* Expected: the used ring, and the first k RX slots (header + frame). */
	tm_mark(want, e.q[0].device, lvdpa_ring_device_bytes(256, false, false));
	for (i = 0; i < k; i++) {
		uint64_t slot = e.q[0].bufs + i * (16 + rc_.buf_len);

		tm_mark(want, slot + 16 - rc_.hdr_len, rc_.hdr_len + size);
	}
	for (i = 0; i < bm_bytes; i++)
		diff += bm[i] != want[i];
	if (e.v_ok[0])
		lvdpa_synth_vq_destroy(&e.v[0]);
	e.v_ok[0] = false;
	lvdpa_devx_mkey_destroy(bm_mkey);
	if (bm_umem != NULL)
		lvdpa_devx_umem_dereg(bm_umem);
	tm_teardown(&e);
	free(bm);
	free(want);
	LVDPA_TEST_ASSERT(rc == 0, "set-up or flow: %d", rc);
	LVDPA_TEST_ASSERT_EQ(diff, 0, "bitmap bytes differing from the pages written");
	return 0;
}

/* Suspend both queues mid-flow, destroy, recreate from the hw indices, go on. */
static int
tm_suspend_resume(bool packed)
{
	struct lvdpa_synth_qcfg rc_ = tm_qcfg(128, true, false, false, false, packed);
	struct lvdpa_synth_qcfg tc = tm_qcfg(128, false, false, false, false, packed);
	struct lvdpa_devx_virtq_attr ta, ra;
	const uint64_t total = 5000;
	struct lvdpa_devx_virtq_counters tx_cnt;
	struct lvdpa_synth_flow f;
	uint64_t tx_done = 0;	/* frames the TX queues completed, all rounds */
	struct tm_env e;
	int rc, round;

	LVDPA_TEST_ASSERT(tm_open(&e, packed ? "max_queues=2,packed=1" : "max_queues=2") == 0,
			  "open");
	rc = tm_queue(&e, 0, &rc_, true);
	if (rc == 0)
		rc = tm_queue(&e, 1, &tc, true);
	if (rc == 0)
		rc = lvdpa_synth_flow_init(&f, &e.v[1], &e.v[0], 64, total);
	if (rc != 0) {
		tm_teardown(&e);
		LVDPA_TEST_ASSERT(0, "set-up: %d", rc);
	}
	for (round = 1; round <= 3 && rc == 0; round++) {
		rc = lvdpa_synth_flow_run(&f, total * round / 4, 3000);
		/*
		 * TX first: nothing new leaves. Then drain: frames the device
		 * holds for a receive queue die with that queue (as on the NIC),
		 * so the guest takes every frame TX completed before RX stops.
		 */
		if (rc == 0)
			rc = lvdpa_synth_vq_set_state(&e.v[1], LVDPA_PRM_VIRTQ_STATE_SUSPEND);
		if (rc == 0)
			rc = lvdpa_devx_counters_query(e.v[1].counters, &tx_cnt);
		if (rc == 0)
			rc = lvdpa_synth_flow_run(&f, tx_done + tx_cnt.completed_desc,
						  3000);
		if (rc == 0)
			rc = lvdpa_synth_vq_set_state(&e.v[0], LVDPA_PRM_VIRTQ_STATE_SUSPEND);
		if (rc == 0)
			rc = lvdpa_synth_vq_query(&e.v[1], &ta);
		if (rc == 0)
			rc = lvdpa_synth_vq_query(&e.v[0], &ra);
		if (rc != 0)
			break;
		if (ta.state != LVDPA_PRM_VIRTQ_STATE_SUSPEND ||
		    ra.state != LVDPA_PRM_VIRTQ_STATE_SUSPEND ||
		    ta.hw_available_index != ta.hw_used_index) {
			rc = -EPROTO;
			break;
		}
		/* Kicks while suspended must not be lost either. */
		lvdpa_synth_vq_kick(&e.v[1], true);
		tx_done += tx_cnt.completed_desc;
		lvdpa_synth_vq_destroy(&e.v[1]);
		lvdpa_synth_vq_destroy(&e.v[0]);
		e.v_ok[0] = e.v_ok[1] = false;
		rc = lvdpa_synth_vq_create(&e.sd, &e.v[0], 0, &e.q[0], true,
					   ra.hw_available_index, ra.hw_used_index);
		if (rc == 0) {
			e.v_ok[0] = true;
			rc = lvdpa_synth_vq_create(&e.sd, &e.v[1], 1, &e.q[1], true,
						   ta.hw_available_index, ta.hw_used_index);
		}
		/* The recreated queues run at once: the sequence check tells. */
		if (rc == 0)
			e.v_ok[1] = true;
	}
	if (rc == 0)
		rc = lvdpa_synth_flow_run(&f, total, 3000);
	lvdpa_synth_flow_fini(&f);
	tm_teardown(&e);
	LVDPA_TEST_ASSERT(rc == 0, "suspend/resume flow: %d at %" PRIu64 " received", rc,
			  f.received);
	LVDPA_TEST_ASSERT_EQ(f.received, total, "frames received once each, in order");
	LVDPA_TEST_ASSERT_EQ(f.bad, 0, "bad frames");
	return 0;
}

static int
test_model_suspend_resume_split(void)
{
	return tm_suspend_resume(false);
}

static int
test_model_suspend_resume_packed(void)
{
	return tm_suspend_resume(true);
}

/* Indices given at create and by modify are what query reports. */
static int
test_model_hw_index_roundtrip(void)
{
	struct lvdpa_synth_qcfg t = tm_qcfg(64, false, false, false, false, false);
	struct lvdpa_devx_virtq_attr a, q1, q2, q3;
	struct lvdpa_devx_obj *vq = NULL;
	struct tm_env e;
	uint64_t desc;
	int rc;

	LVDPA_TEST_ASSERT(tm_open(&e, "max_queues=4") == 0, "open");
	rc = tm_queue(&e, 1, &t, true);
	if (rc == 0)
		rc = lvdpa_synth_queue_init(&e.g, &e.q[3], &t);
	e.q_ok[3] = rc == 0;
	/* Queue 3 over its own guest ring, whose avail index the guest left at 0xfff0. */
	if (rc == 0) {
		uint8_t *avail = lvdpa_synth_guest_ptr(&e.g, e.q[3].driver);

		avail[2] = 0xf0;
		avail[3] = 0xff;
	}
	a = e.v[1].attr;
	a.desc_addr = e.q[3].desc;
	a.available_addr = e.q[3].driver;
	a.used_addr = e.q[3].device;
	a.queue_index = 3;
	a.counter_set_id = 0;
	a.hw_available_index = 0x1234;
	a.hw_used_index = 0x1230;
	if (rc == 0)
		rc = lvdpa_devx_virtq_create(e.sd.dev, &a, &vq);
	if (rc == 0)
		rc = lvdpa_devx_virtq_query(vq, &q1);
	a.hw_available_index = 0xfff0;
	a.hw_used_index = 0xffee;
	if (rc == 0)
		rc = lvdpa_devx_virtq_modify(vq, &a, LVDPA_PRM_VIRTQ_MODIFY_HW_AVAILABLE_INDEX |
					     LVDPA_PRM_VIRTQ_MODIFY_HW_USED_INDEX);
	if (rc == 0)
		rc = lvdpa_devx_virtq_query(vq, &q2);
	/* Through RDY and SUSPEND, with nothing available, they stay. */
	a.state = LVDPA_PRM_VIRTQ_STATE_RDY;
	if (rc == 0)
		rc = lvdpa_devx_virtq_modify(vq, &a, LVDPA_PRM_VIRTQ_MODIFY_STATE);
	a.state = LVDPA_PRM_VIRTQ_STATE_SUSPEND;
	if (rc == 0)
		rc = lvdpa_devx_virtq_modify(vq, &a, LVDPA_PRM_VIRTQ_MODIFY_STATE);
	if (rc == 0)
		rc = lvdpa_devx_virtq_query(vq, &q3);
	desc = e.q_ok[3] ? e.q[3].desc : 0;
	lvdpa_devx_virtq_destroy(vq);
	tm_teardown(&e);
	LVDPA_TEST_ASSERT(rc == 0, "commands: %d", rc);
	LVDPA_TEST_ASSERT_EQ(q1.state, LVDPA_PRM_VIRTQ_STATE_INIT, "created INIT");
	LVDPA_TEST_ASSERT_EQ(q1.hw_available_index, 0x1234, "avail at create");
	LVDPA_TEST_ASSERT_EQ(q1.hw_used_index, 0x1230, "used at create");
	LVDPA_TEST_ASSERT_EQ(q2.hw_available_index, 0xfff0, "avail by modify");
	LVDPA_TEST_ASSERT_EQ(q2.hw_used_index, 0xffee, "used by modify");
	LVDPA_TEST_ASSERT_EQ(q3.state, LVDPA_PRM_VIRTQ_STATE_SUSPEND, "suspended");
	LVDPA_TEST_ASSERT_EQ(q3.hw_available_index, 0xfff0, "avail kept");
	LVDPA_TEST_ASSERT_EQ(q3.hw_used_index, 0xffee, "used kept");
	LVDPA_TEST_ASSERT_EQ(q3.queue_size, 64, "queue_size");
	LVDPA_TEST_ASSERT_EQ(q3.desc_addr, desc, "desc_addr");
	return 0;
}

/* Run @p n frames of @p size over pair (tx, rx) of @p e. */
static int
tm_pair_run(struct tm_env *e, unsigned int tx, unsigned int rx, uint32_t size, uint64_t n)
{
	struct lvdpa_synth_flow f;
	int rc;

	rc = lvdpa_synth_flow_init(&f, &e->v[tx], &e->v[rx], size, n);
	if (rc != 0)
		return rc;
	rc = lvdpa_synth_flow_run(&f, n, 3000);
	if (rc == 0 && (f.received != n || f.bad != 0))
		rc = -EBADMSG;
	lvdpa_synth_flow_fini(&f);
	return rc;
}

/*
 * Two queue pairs of one legacy function, negotiated differently per
 * queue: pair 0 with MRG_RXBUF in its virtqs' queue_features (12-byte
 * header, frames spread over 100-byte RX buffers), pair 1 without (10-byte
 * header, one buffer per frame). The model must take it per queue.
 */
static int
test_model_mrg_per_queue(void)
{
	const uint64_t n = 500;
	const uint32_t size = 300;
	struct lvdpa_synth_qcfg c[TM_NQ] = {
		tm_qcfg(256, true, true, true, false, false),
		tm_qcfg(256, false, true, true, false, false),
		tm_qcfg(256, true, true, false, false, false),
		tm_qcfg(256, false, true, false, false, false),
	};
	struct lvdpa_devx_virtq_counters cnt[2];
	struct lvdpa_devx_virtq_attr q[2], a;
	struct tm_env e;
	unsigned int i;
	int rc, busy = 0;

	LVDPA_TEST_ASSERT(tm_open(&e, "max_queues=4,legacy=1") == 0, "open");
	rc = 0;
	for (i = 0; i < TM_NQ && rc == 0; i++)
		rc = tm_queue(&e, i, &c[i], false);
	if (rc == 0)
		rc = tm_pair_run(&e, 1, 0, size, n);
	if (rc == 0)
		rc = tm_pair_run(&e, 3, 2, size, n);
	if (rc == 0)
		rc = lvdpa_devx_counters_query(e.v[0].counters, &cnt[0]);
	if (rc == 0)
		rc = lvdpa_devx_counters_query(e.v[2].counters, &cnt[1]);
	if (rc == 0)
		rc = lvdpa_synth_vq_query(&e.v[0], &q[0]);
	if (rc == 0)
		rc = lvdpa_synth_vq_query(&e.v[2], &q[1]);
	if (rc == 0) {
		/* The mask changes only while the queue does not run. */
		a = e.v[2].attr;
		a.queue_features = 1u << LVDPA_PRM_VIRTQ_QF_MRG_RXBUF;
		busy = lvdpa_devx_virtq_modify(e.v[2].obj, &a,
					       LVDPA_PRM_VIRTQ_MODIFY_QUEUE_FEATURES);
		rc = lvdpa_synth_vq_set_state(&e.v[2], LVDPA_PRM_VIRTQ_STATE_SUSPEND);
	}
	if (rc == 0)
		rc = lvdpa_devx_virtq_modify(e.v[2].obj, &a,
					     LVDPA_PRM_VIRTQ_MODIFY_QUEUE_FEATURES);
	if (rc == 0)
		rc = lvdpa_synth_vq_query(&e.v[2], &a);
	tm_teardown(&e);
	LVDPA_TEST_ASSERT(rc == 0, "set-up, flows and queries: %d", rc);
	LVDPA_TEST_ASSERT_EQ(q[0].queue_features, 1u << LVDPA_PRM_VIRTQ_QF_MRG_RXBUF,
			     "RX 0 has MRG_RXBUF");
	LVDPA_TEST_ASSERT_EQ(q[1].queue_features, 0, "RX 2 has not");
	/* (12 + 300) bytes over buffers of 12 + 100: three chains a frame. */
	LVDPA_TEST_ASSERT_EQ(cnt[0].completed_desc, n * 3, "RX 0 spans buffers");
	LVDPA_TEST_ASSERT_EQ(cnt[1].completed_desc, n, "RX 2 one buffer a frame");
	LVDPA_TEST_ASSERT_EQ(cnt[0].error_cqes + cnt[0].bad_desc_errors + cnt[0].invalid_buffer +
			     cnt[1].error_cqes + cnt[1].bad_desc_errors + cnt[1].invalid_buffer,
			     0, "error counters");
	LVDPA_TEST_ASSERT_EQ(busy, -EBUSY, "modify queue_features in RDY refused");
	LVDPA_TEST_ASSERT_EQ(a.queue_features, 1u << LVDPA_PRM_VIRTQ_QF_MRG_RXBUF,
			     "modified in SUSPEND");
	LVDPA_TEST_ASSERT_EQ(a.state, LVDPA_PRM_VIRTQ_STATE_SUSPEND, "still suspended");
	return 0;
}

/*
 * Polling mode. The guest drives queue pair 0 (RX 0, TX 1, split, modern)
 * by hand: frames carry sequence numbers and go to a MAC no function owns,
 * so they come back on the sender's RX queue.
 */

#define TM_PF_SIZE 128
#define TM_PF_WAIT_MS 3000	/* generous: "served" bound, ASan included */
#define TM_PF_QUIET_MS 50	/* "not served" window */

static const uint8_t tm_pf_dst[6] = { 0x02, 0xee, 0, 0, 0, 0x31 };
static const uint8_t tm_pf_src[6] = { 0x02, 0xee, 0, 0, 0, 0x32 };

struct tm_pf {
	struct tm_env e;
	uint32_t sent;          /* next sequence number to send */
	uint32_t received;      /* next sequence number expected on RX */
	unsigned int tx_out;    /* TX chains offered, not yet used */
	char why[256];          /* the first failure */
};

/* Record why a case fails (its env is torn down before the assertion). */
#define TM_PF_CHECK(p, cond, ...) do { \
	if (!(cond)) { \
		tm_pf_why((p), __LINE__, __VA_ARGS__); \
		return -1; \
	} \
} while (0)

static void __attribute__((format(printf, 3, 4)))
tm_pf_why(struct tm_pf *p, int line, const char *fmt, ...)
{
	int n = snprintf(p->why, sizeof(p->why), "line %d: ", line);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->why + n, sizeof(p->why) - n, fmt, ap);
	va_end(ap);
}

static uint64_t
tm_pf_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The device's flags in queue i's used ring (rings are little endian). */
static uint16_t
tm_pf_used_flags(struct tm_pf *p, unsigned int i)
{
	const uint16_t *f = lvdpa_synth_guest_ptr(&p->e.g, p->e.q[i].device);

	return le16toh(__atomic_load_n(f, __ATOMIC_ACQUIRE));
}

static bool
tm_pf_polled(struct tm_pf *p, unsigned int i)
{
	return (tm_pf_used_flags(p, i) & LVDPA_VRING_USED_F_NO_NOTIFY) != 0;
}

/* The pair with the given model params, no buffers posted yet. */
static int
tm_pf_open(struct tm_pf *p, const char *params)
{
	struct lvdpa_synth_qcfg rx = tm_qcfg(256, true, false, false, false, false);
	struct lvdpa_synth_qcfg tx = tm_qcfg(256, false, false, false, false, false);
	int rc;

	memset(p, 0, sizeof(*p));
	rc = tm_open(&p->e, params);
	if (rc != 0)
		return rc;
	rc = tm_queue(&p->e, 0, &rx, true);
	if (rc == 0)
		rc = tm_queue(&p->e, 1, &tx, true);
	if (rc != 0)
		tm_teardown(&p->e);
	return rc;
}

/* Post every free RX buffer; a doorbell only if @p kick and the ring asks. */
static void
tm_pf_refill(struct tm_pf *p, bool kick)
{
	lvdpa_synth_rx_post(&p->e.q[0]);
	if (lvdpa_synth_publish(&p->e.q[0]) && kick)
		lvdpa_synth_vq_kick(&p->e.v[0], true);
}

/*
 * Offer @p n frames on TX and publish them, ringing the doorbell only if
 * @p kick. @return 1 if the ring asked for a doorbell, 0 if not, or a
 * negative errno.
 */
static int
tm_pf_send(struct tm_pf *p, unsigned int n, bool kick)
{
	uint8_t f[TM_PF_SIZE];
	bool need;
	unsigned int i;
	int rc;

	for (i = 0; i < n; i++) {
		lvdpa_synth_frame_fill(f, sizeof(f), tm_pf_dst, tm_pf_src, p->sent);
		rc = lvdpa_synth_tx_add(&p->e.q[1], f, sizeof(f));
		if (rc != 0)
			return rc;
		p->sent++;
		p->tx_out++;
	}
	need = lvdpa_synth_publish(&p->e.q[1]);
	if (kick)
		lvdpa_synth_vq_kick(&p->e.v[1], true);
	return need;
}

/*
 * Take up to @p n frames from RX, each checked (length, MACs, payload, next
 * in sequence), and reap TX, for up to @p ms until @p n arrived and TX has
 * nothing outstanding. @return how many arrived, or a negative errno.
 */
static int
tm_pf_recv(struct tm_pf *p, unsigned int n, unsigned int ms)
{
	uint64_t end = tm_pf_ms() + ms;
	uint8_t f[2048];
	unsigned int got = 0;
	int rc;

	while (got < n || p->tx_out > 0) {
		uint32_t len, seq;
		uint16_t nb;

		rc = lvdpa_synth_tx_reap(&p->e.q[1]);
		if (rc < 0)
			return rc;
		/* More used than offered: a chain completed twice. */
		if ((unsigned int)rc > p->tx_out)
			return -EPROTO;
		p->tx_out -= rc;
		rc = lvdpa_synth_rx_get(&p->e.q[0], f, sizeof(f), &len, &nb);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			if (len != TM_PF_SIZE || lvdpa_synth_frame_check(f, len, &seq) != 0 ||
			    memcmp(f, tm_pf_dst, 6) != 0 || memcmp(f + 6, tm_pf_src, 6) != 0 ||
			    seq != p->received)
				return -EBADMSG;
			p->received++;
			got++;
			continue;
		}
		if (tm_pf_ms() >= end)
			break;
		usleep(100);
	}
	return got;
}

/* First traffic: buffers and frames with doorbells, all served. */
static int
tm_pf_start(struct tm_pf *p, unsigned int n)
{
	int rc;

	tm_pf_refill(p, true);
	rc = tm_pf_send(p, n, true);
	TM_PF_CHECK(p, rc >= 0, "send: %d", rc);
	rc = tm_pf_recv(p, n, TM_PF_WAIT_MS);
	TM_PF_CHECK(p, rc == (int)n && p->tx_out == 0,
		    "first %u frames: %d received, %u TX outstanding", n, rc, p->tx_out);
	tm_pf_refill(p, true);
	return 0;
}

/* Wait up to @p ms for both rings to ask for doorbells again. */
static bool
tm_pf_wait_armed(struct tm_pf *p, unsigned int ms)
{
	uint64_t end = tm_pf_ms() + ms;

	while (tm_pf_polled(p, 0) || tm_pf_polled(p, 1)) {
		if (tm_pf_ms() >= end)
			return false;
		usleep(1000);
	}
	return true;
}

/* A chain published without a doorbell stays; the doorbell serves it. */
static int
tm_pf_needs_doorbell(struct tm_pf *p)
{
	int rc;

	rc = tm_pf_send(p, 8, false);
	TM_PF_CHECK(p, rc == 1, "the guest was not asked for a doorbell: %d", rc);
	rc = tm_pf_recv(p, 8, TM_PF_QUIET_MS);
	TM_PF_CHECK(p, rc == 0 && p->tx_out == 8,
		    "served without a doorbell: %d received, %u TX outstanding", rc,
		    p->tx_out);
	lvdpa_synth_vq_kick(&p->e.v[1], true);
	rc = tm_pf_recv(p, 8, TM_PF_WAIT_MS);
	TM_PF_CHECK(p, rc == 8 && p->tx_out == 0,
		    "after the doorbell: %d received, %u TX outstanding", rc, p->tx_out);
	return 0;
}

static int
tm_pf_poll_off_body(struct tm_pf *p)
{
	uint64_t end;

	if (tm_pf_start(p, 32) != 0)
		return -1;
	/* Drained, and for a while after: never a suppressed doorbell. */
	end = tm_pf_ms() + 20;
	do {
		TM_PF_CHECK(p, !tm_pf_polled(p, 0) && !tm_pf_polled(p, 1),
			    "NO_NOTIFY with poll_us=0: RX 0x%x TX 0x%x",
			    tm_pf_used_flags(p, 0), tm_pf_used_flags(p, 1));
		usleep(1000);
	} while (tm_pf_ms() < end);
	return tm_pf_needs_doorbell(p);
}

static int
tm_pf_poll_long_body(struct tm_pf *p)
{
	unsigned int round;
	int rc;

	if (tm_pf_start(p, 32) != 0)
		return -1;
	TM_PF_CHECK(p, tm_pf_polled(p, 1) && tm_pf_polled(p, 0),
		    "polled rings without NO_NOTIFY: RX 0x%x TX 0x%x",
		    tm_pf_used_flags(p, 0), tm_pf_used_flags(p, 1));
	/* Frames and RX buffers from now on without a single doorbell. */
	for (round = 0; round < 8; round++) {
		rc = tm_pf_send(p, 16, false);
		TM_PF_CHECK(p, rc == 0, "round %u: the guest was asked to kick: %d",
			    round, rc);
		rc = tm_pf_recv(p, 16, TM_PF_WAIT_MS);
		TM_PF_CHECK(p, rc == 16 && p->tx_out == 0,
			    "round %u: %d of 16 received, %u TX outstanding", round, rc,
			    p->tx_out);
		tm_pf_refill(p, false);
	}
	return 0;
}

static int
tm_pf_poll_short_body(struct tm_pf *p)
{
	if (tm_pf_start(p, 32) != 0)
		return -1;
	TM_PF_CHECK(p, tm_pf_wait_armed(p, TM_PF_WAIT_MS),
		    "still NO_NOTIFY after traffic stopped: RX 0x%x TX 0x%x",
		    tm_pf_used_flags(p, 0), tm_pf_used_flags(p, 1));
	TM_PF_CHECK(p, tm_pf_used_flags(p, 0) == 0 && tm_pf_used_flags(p, 1) == 0,
		    "used flags RX 0x%x TX 0x%x", tm_pf_used_flags(p, 0),
		    tm_pf_used_flags(p, 1));
	/* Let the worker finish its last look after re-arming, and sleep. */
	usleep(20 * 1000);
	return tm_pf_needs_doorbell(p);
}

static int
tm_pf_suspend_body(struct tm_pf *p)
{
	struct lvdpa_devx_virtq_attr qt, qr;
	int rc;

	if (tm_pf_start(p, 32) != 0)
		return -1;
	TM_PF_CHECK(p, tm_pf_polled(p, 1) && tm_pf_polled(p, 0),
		    "not polled before the suspend: RX 0x%x TX 0x%x",
		    tm_pf_used_flags(p, 0), tm_pf_used_flags(p, 1));
	rc = lvdpa_synth_vq_set_state(&p->e.v[1], LVDPA_PRM_VIRTQ_STATE_SUSPEND);
	TM_PF_CHECK(p, rc == 0, "suspend TX: %d", rc);
	TM_PF_CHECK(p, !tm_pf_polled(p, 1), "suspended TX keeps NO_NOTIFY");
	rc = lvdpa_synth_vq_set_state(&p->e.v[0], LVDPA_PRM_VIRTQ_STATE_SUSPEND);
	TM_PF_CHECK(p, rc == 0, "suspend RX: %d", rc);
	TM_PF_CHECK(p, !tm_pf_polled(p, 0), "suspended RX keeps NO_NOTIFY");
	/* The worker goes on polling: it must not silence them again. */
	usleep(20 * 1000);
	TM_PF_CHECK(p, !tm_pf_polled(p, 0) && !tm_pf_polled(p, 1),
		    "NO_NOTIFY back while suspended: RX 0x%x TX 0x%x",
		    tm_pf_used_flags(p, 0), tm_pf_used_flags(p, 1));
	rc = lvdpa_synth_vq_query(&p->e.v[1], &qt);
	if (rc == 0)
		rc = lvdpa_synth_vq_query(&p->e.v[0], &qr);
	TM_PF_CHECK(p, rc == 0, "query: %d", rc);
	TM_PF_CHECK(p, qt.state == LVDPA_PRM_VIRTQ_STATE_SUSPEND &&
		    qr.state == LVDPA_PRM_VIRTQ_STATE_SUSPEND,
		    "states TX %u RX %u", qt.state, qr.state);
	TM_PF_CHECK(p, qt.hw_available_index == p->sent && qt.hw_used_index == p->sent,
		    "TX indices %u/%u, %u sent", qt.hw_available_index,
		    qt.hw_used_index, p->sent);
	/* RX took one buffer per frame, none more though more were posted. */
	TM_PF_CHECK(p, qr.hw_available_index == p->received &&
		    qr.hw_used_index == p->received,
		    "RX indices %u/%u, %u received", qr.hw_available_index,
		    qr.hw_used_index, p->received);
	/* Kicked while suspended: kept, served once running. */
	rc = tm_pf_send(p, 8, true);
	TM_PF_CHECK(p, rc == 1, "the suspended ring did not ask for a doorbell: %d", rc);
	rc = tm_pf_recv(p, 8, TM_PF_QUIET_MS);
	TM_PF_CHECK(p, rc == 0 && p->tx_out == 8, "served while suspended: %d, %u out",
		    rc, p->tx_out);
	rc = lvdpa_synth_vq_set_state(&p->e.v[0], LVDPA_PRM_VIRTQ_STATE_RDY);
	if (rc == 0)
		rc = lvdpa_synth_vq_set_state(&p->e.v[1], LVDPA_PRM_VIRTQ_STATE_RDY);
	TM_PF_CHECK(p, rc == 0, "resume: %d", rc);
	rc = tm_pf_recv(p, 8, TM_PF_WAIT_MS);
	TM_PF_CHECK(p, rc == 8 && p->tx_out == 0, "after resume: %d of 8, %u out", rc,
		    p->tx_out);
	tm_pf_refill(p, true);
	rc = tm_pf_send(p, 16, true);
	TM_PF_CHECK(p, rc >= 0, "send: %d", rc);
	rc = tm_pf_recv(p, 16, TM_PF_WAIT_MS);
	TM_PF_CHECK(p, rc == 16 && p->tx_out == 0, "after a kick: %d of 16, %u out", rc,
		    p->tx_out);
	return 0;
}

/*
 * A polled queue destroyed while running (as after a failed suspend), or
 * failing into ERR, asks for doorbells again: the next user of the ring
 * must not find the guest silenced.
 */
static int
tm_pf_destroy_body(struct tm_pf *p)
{
	if (tm_pf_start(p, 32) != 0)
		return -1;
	TM_PF_CHECK(p, tm_pf_polled(p, 1) && tm_pf_polled(p, 0),
		    "not polled: RX 0x%x TX 0x%x",
		    tm_pf_used_flags(p, 0), tm_pf_used_flags(p, 1));
	lvdpa_synth_vq_destroy(&p->e.v[1]);
	p->e.v_ok[1] = false;
	TM_PF_CHECK(p, !tm_pf_polled(p, 1), "destroyed TX left NO_NOTIFY: 0x%x",
		    tm_pf_used_flags(p, 1));
	lvdpa_synth_vq_destroy(&p->e.v[0]);
	p->e.v_ok[0] = false;
	TM_PF_CHECK(p, !tm_pf_polled(p, 0), "destroyed RX left NO_NOTIFY: 0x%x",
		    tm_pf_used_flags(p, 0));
	return 0;
}

/*
 * Frames parked for want of RX buffers go before frames sent after the
 * buffers came. budget=4 makes the worker alternate RX (draining the inbox)
 * and TX (sending more) while parked frames are still waiting.
 */
static int
tm_pf_order_body(struct tm_pf *p)
{
	int rc;

	rc = tm_pf_send(p, 100, true);
	TM_PF_CHECK(p, rc >= 0, "send: %d", rc);
	/* n = 0: until TX used them all, parked since RX has no buffers. */
	rc = tm_pf_recv(p, 0, TM_PF_WAIT_MS);
	TM_PF_CHECK(p, rc == 0 && p->tx_out == 0,
		    "parking: %d received without buffers, %u TX outstanding", rc,
		    p->tx_out);
	/* Buffers and new frames published together, then both doorbells. */
	lvdpa_synth_rx_post(&p->e.q[0]);
	lvdpa_synth_publish(&p->e.q[0]);
	rc = tm_pf_send(p, 100, false);
	TM_PF_CHECK(p, rc >= 0, "send: %d", rc);
	lvdpa_synth_vq_kick(&p->e.v[0], true);
	lvdpa_synth_vq_kick(&p->e.v[1], true);
	rc = tm_pf_recv(p, 200, TM_PF_WAIT_MS);
	TM_PF_CHECK(p, rc == 200 && p->tx_out == 0,
		    "%d of 200 in TX order (next expected %u), %u TX outstanding", rc,
		    p->received, p->tx_out);
	return 0;
}

static int
tm_pf_case(const char *params, int (*body)(struct tm_pf *p))
{
	struct tm_pf *p = calloc(1, sizeof(*p));
	int rc;

	LVDPA_TEST_ASSERT(p != NULL, "calloc");
	rc = tm_pf_open(p, params);
	if (rc != 0) {
		free(p);
		LVDPA_TEST_ASSERT(0, "open '%s': %d", params, rc);
	}
	rc = body(p);
	tm_teardown(&p->e);
	if (rc != 0)
		fprintf(stderr, "# %s: %s\n", params, p->why);
	free(p);
	LVDPA_TEST_ASSERT_EQ(rc, 0, "%s", params);
	return 0;
}

static int
test_model_poll_off(void)
{
	return tm_pf_case("max_queues=2,poll_us=0", tm_pf_poll_off_body);
}

static int
test_model_poll_long(void)
{
	return tm_pf_case("max_queues=2,poll_us=1000000", tm_pf_poll_long_body);
}

static int
test_model_poll_rearm(void)
{
	return tm_pf_case("max_queues=2,poll_us=1000", tm_pf_poll_short_body);
}

static int
test_model_poll_suspend(void)
{
	return tm_pf_case("max_queues=2,poll_us=1000000", tm_pf_suspend_body);
}

static int
test_model_poll_destroy(void)
{
	return tm_pf_case("max_queues=2,poll_us=1000000", tm_pf_destroy_body);
}

static int
test_model_poll_order(void)
{
	return tm_pf_case("max_queues=2,budget=4", tm_pf_order_body);
}

static int
test_model_poll_order_no_poll(void)
{
	return tm_pf_case("max_queues=2,budget=4,poll_us=0", tm_pf_order_body);
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_model_hw_index_roundtrip),
	LVDPA_TEST_CASE(test_model_modern_split),
	LVDPA_TEST_CASE(test_model_modern_split_large),
	LVDPA_TEST_CASE(test_model_legacy_split_hdr10_own_desc),
	LVDPA_TEST_CASE(test_model_legacy_split_hdr10_any_layout),
	LVDPA_TEST_CASE(test_model_legacy_split_hdr12_mrg),
	LVDPA_TEST_CASE(test_model_modern_split_mrg),
	LVDPA_TEST_CASE(test_model_packed),
	LVDPA_TEST_CASE(test_model_packed_mrg_indirect),
	LVDPA_TEST_CASE(test_model_mrg_per_queue),
	LVDPA_TEST_CASE(test_model_indirect),
	LVDPA_TEST_CASE(test_model_event_idx),
	LVDPA_TEST_CASE(test_model_legacy_event_idx_indirect),
	LVDPA_TEST_CASE(test_model_dirty_log),
	LVDPA_TEST_CASE(test_model_suspend_resume_split),
	LVDPA_TEST_CASE(test_model_suspend_resume_packed),
	LVDPA_TEST_CASE(test_model_poll_off),
	LVDPA_TEST_CASE(test_model_poll_long),
	LVDPA_TEST_CASE(test_model_poll_rearm),
	LVDPA_TEST_CASE(test_model_poll_suspend),
	LVDPA_TEST_CASE(test_model_poll_destroy),
	LVDPA_TEST_CASE(test_model_tx_burst_mixed),
	LVDPA_TEST_CASE(test_model_poll_order),
	LVDPA_TEST_CASE(test_model_poll_order_no_poll),
)
