/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * What the model does with bad input. A hostile or broken guest ring puts
 * only its own queue in ERR, with the matching counter and an object change
 * event, while another queue pair goes on. Commands the device refuses come
 * back with the PRM status and syndrome (checked at the mailbox level through
 * the transport, and as errno through the command layer). Faults injected
 * on demand (faults param): a command refused with the status and syndrome
 * asked for, a queue in ERR after N descriptors that resumes once
 * recreated at its indices, an event channel that hangs up. Plus the
 * params parser of the capability profile.
 */

#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_common.h>

#include "lvdpa_model.h"
#include "lvdpa_virtio.h"
#include "test_model_env.h"

/* ---- raw guest ring writes (split, little endian) for broken chains ---- */

static void
tm_put(struct tm_env *e, uint64_t gpa, uint64_t v, unsigned int bytes)
{
	uint8_t *p = lvdpa_synth_guest_ptr(&e->g, gpa);
	unsigned int i;

	for (i = 0; i < bytes; i++)
		p[i] = v >> (8 * i);
}

static void
tm_raw_desc(struct tm_env *e, unsigned int q, uint16_t i, uint64_t addr,
	    uint32_t len, uint16_t flags, uint16_t next)
{
	uint64_t d = e->q[q].desc + 16ull * i;

	tm_put(e, d, addr, 8);
	tm_put(e, d + 8, len, 4);
	tm_put(e, d + 12, flags, 2);
	tm_put(e, d + 14, next, 2);
}

static void
tm_raw_avail(struct tm_env *e, unsigned int q, uint16_t avail_idx, uint16_t head)
{
	uint64_t a = e->q[q].driver;

	tm_put(e, a + 4 + 2ull * (avail_idx % e->q[q].cfg.size), head, 2);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	tm_put(e, a + 2, (uint16_t)(avail_idx + 1), 2);
}

/* Two queue pairs: 0/1 good, 2/3 the victim. */
static int
tm_two_pairs_ex(struct tm_env *e, uint16_t size, bool packed)
{
	struct lvdpa_synth_qcfg r = tm_qcfg(size, true, false, false, false, packed);
	struct lvdpa_synth_qcfg t = tm_qcfg(size, false, false, false, false, packed);
	int rc;

	r.indirect = t.indirect = true;
	rc = tm_open(e, packed ? "max_queues=4,packed=1" : "max_queues=4");
	if (rc != 0)
		return rc;
	rc = tm_queue(e, 0, &r, true);
	if (rc == 0)
		rc = tm_queue(e, 1, &t, true);
	if (rc == 0)
		rc = tm_queue(e, 2, &r, true);
	if (rc == 0)
		rc = tm_queue(e, 3, &t, true);
	if (rc != 0)
		tm_teardown(e);
	return rc;
}

static int
tm_two_pairs(struct tm_env *e, uint16_t size)
{
	return tm_two_pairs_ex(e, size, false);
}

enum tm_counter { TM_BAD_DESC, TM_CHAIN, TM_INVALID };

/*
 * After the victim queue @p q was fed bad input and kicked: it must be in
 * ERR with exactly one error counted in @p which, one object change event
 * must name it, and queue pair 0 must still move frames.
 */
static int
tm_expect_error(struct tm_env *e, unsigned int q, enum tm_counter which)
{
	struct lvdpa_devx_virtq_counters c;
	struct lvdpa_devx_virtq_attr a, other;
	struct lvdpa_devx_event ev;
	struct lvdpa_synth_flow f;
	int rc, ev_rc;

	lvdpa_synth_vq_kick(&e->v[q], true);
	ev_rc = tm_wait_event(e, &ev, 2000);
	rc = lvdpa_synth_vq_query(&e->v[q], &a);
	if (rc == 0)
		rc = lvdpa_devx_counters_query(e->v[q].counters, &c);
	if (rc == 0)
		rc = lvdpa_synth_vq_query(&e->v[q ^ 1], &other);
	if (rc == 0)
		rc = lvdpa_synth_flow_init(&f, &e->v[1], &e->v[0], 100, 500);
	if (rc == 0) {
		rc = lvdpa_synth_flow_run(&f, 500, 3000);
		lvdpa_synth_flow_fini(&f);
	}
	if (rc != 0 || ev_rc != 1) {
		tm_teardown(e);
		LVDPA_TEST_ASSERT(0, "query/flow %d, event read %d", rc, ev_rc);
	}
	tm_teardown(e);
	LVDPA_TEST_ASSERT_EQ(ev.type, LVDPA_PRM_EVENT_TYPE_OBJECT_CHANGE, "event type");
	LVDPA_TEST_ASSERT_EQ(ev.cookie, q, "event cookie is the queue");
	LVDPA_TEST_ASSERT_EQ(ev.obj_type, LVDPA_PRM_OBJ_TYPE_VIRTQ, "event obj_type");
	LVDPA_TEST_ASSERT_EQ(a.state, LVDPA_PRM_VIRTQ_STATE_ERR, "victim state");
	LVDPA_TEST_ASSERT(a.error_type != 0, "error_type set");
	LVDPA_TEST_ASSERT_EQ(other.state, LVDPA_PRM_VIRTQ_STATE_RDY, "its partner runs");
	LVDPA_TEST_ASSERT_EQ(c.error_cqes, 1, "error_cqes");
	LVDPA_TEST_ASSERT_EQ(c.bad_desc_errors, which == TM_BAD_DESC, "bad_desc_errors");
	LVDPA_TEST_ASSERT_EQ(c.exceed_max_chain, which == TM_CHAIN, "exceed_max_chain");
	LVDPA_TEST_ASSERT_EQ(c.invalid_buffer, which == TM_INVALID, "invalid_buffer");
	LVDPA_TEST_ASSERT_EQ(c.completed_desc, 0, "nothing completed on the victim");
	LVDPA_TEST_ASSERT_EQ(f.received, 500, "the other queue pair went on");
	return 0;
}

static int
test_model_bad_address(void)
{
	struct lvdpa_ring_seg seg = { .addr = TM_GPA + TM_MEM + 4096, .len = 100 };
	struct tm_env e;

	LVDPA_TEST_ASSERT(tm_two_pairs(&e, 64) == 0, "set-up");
	/* Through the driver role: it does not know the guest's memory size. */
	LVDPA_TEST_ASSERT(lvdpa_ring_drv_add(&e.q[3].ring, &seg, 1, 0, 0) == 0, "add");
	lvdpa_synth_publish(&e.q[3]);
	return tm_expect_error(&e, 3, TM_INVALID);
}

/*
 * The translation cache must not widen what a queue reaches: once frames
 * have warmed it, a buffer starting inside guest memory and running past
 * its end is still refused.
 */
static int
test_model_bad_address_after_traffic(void)
{
	struct lvdpa_ring_seg seg = { .addr = TM_GPA + TM_MEM - 50, .len = 100 };
	struct lvdpa_devx_virtq_counters c = { 0 };
	struct lvdpa_devx_virtq_attr a = { 0 };
	struct lvdpa_devx_event ev;
	struct lvdpa_synth_flow f;
	uint64_t done;
	int rc, add_rc = -1, ev_rc = 0;

	struct tm_env e;

	LVDPA_TEST_ASSERT(tm_two_pairs(&e, 64) == 0, "set-up");
	rc = lvdpa_synth_flow_init(&f, &e.v[3], &e.v[2], 100, 200);
	if (rc == 0) {
		rc = lvdpa_synth_flow_run(&f, 200, 3000);
		lvdpa_synth_flow_fini(&f);
	}
	if (rc == 0)
		rc = lvdpa_devx_counters_query(e.v[3].counters, &c);
	done = c.completed_desc;
	if (rc == 0) {
		add_rc = lvdpa_ring_drv_add(&e.q[3].ring, &seg, 1, 0, 0);
		if (add_rc == 0) {
			lvdpa_synth_publish(&e.q[3]);
			lvdpa_synth_vq_kick(&e.v[3], true);
			ev_rc = tm_wait_event(&e, &ev, 2000);
		}
	}
	if (rc == 0 && add_rc == 0)
		rc = lvdpa_synth_vq_query(&e.v[3], &a);
	if (rc == 0 && add_rc == 0)
		rc = lvdpa_devx_counters_query(e.v[3].counters, &c);
	tm_teardown(&e);
	LVDPA_TEST_ASSERT_EQ(rc, 0, "warm-up flow and queries");
	LVDPA_TEST_ASSERT_EQ(add_rc, 0, "add the crossing buffer");
	LVDPA_TEST_ASSERT(done >= 200, "warm-up frames completed (%" PRIu64 ")", done);
	LVDPA_TEST_ASSERT_EQ(ev_rc, 1, "object change event");
	LVDPA_TEST_ASSERT_EQ(a.state, LVDPA_PRM_VIRTQ_STATE_ERR, "queue in ERR");
	LVDPA_TEST_ASSERT_EQ(c.invalid_buffer, 1, "invalid_buffer");
	LVDPA_TEST_ASSERT_EQ(c.completed_desc, done, "the crossing buffer not completed");
	return 0;
}

static int
test_model_packed_bad_address(void)
{
	struct lvdpa_ring_seg seg = { .addr = TM_GPA + TM_MEM + 4096, .len = 100 };
	struct tm_env e;

	LVDPA_TEST_ASSERT(tm_two_pairs_ex(&e, 64, true) == 0, "set-up");
	LVDPA_TEST_ASSERT(lvdpa_ring_drv_add(&e.q[3].ring, &seg, 1, 0, 0) == 0, "add");
	lvdpa_synth_publish(&e.q[3]);
	return tm_expect_error(&e, 3, TM_INVALID);
}

static int
test_model_descriptor_loop(void)
{
	struct tm_env e;

	LVDPA_TEST_ASSERT(tm_two_pairs(&e, 64) == 0, "set-up");
	tm_raw_desc(&e, 3, 0, e.q[3].bufs, 64, LVDPA_VRING_DESC_F_NEXT, 1);
	tm_raw_desc(&e, 3, 1, e.q[3].bufs + 64, 64, LVDPA_VRING_DESC_F_NEXT, 0);
	tm_raw_avail(&e, 3, 0, 0);
	return tm_expect_error(&e, 3, TM_CHAIN);
}

static int
test_model_chain_longer_than_ring(void)
{
	struct tm_env e;
	uint16_t i;

	/*
	 * An indirect table of 20 entries in a ring of 8 whose last entry
	 * points back: the walk exceeds the table, as a chain longer than the
	 * ring does.
	 */
	LVDPA_TEST_ASSERT(tm_two_pairs(&e, 8) == 0, "set-up");
	for (i = 0; i < 20; i++) {
		uint64_t d = e.q[3].ind + 16ull * i;

		tm_put(&e, d, e.q[3].bufs, 8);
		tm_put(&e, d + 8, 16, 4);
		tm_put(&e, d + 12, LVDPA_VRING_DESC_F_NEXT, 2);
		tm_put(&e, d + 14, (i + 1) % 20, 2);
	}
	tm_raw_desc(&e, 3, 0, e.q[3].ind, 20 * 16, LVDPA_VRING_DESC_F_INDIRECT, 0);
	tm_raw_avail(&e, 3, 0, 0);
	return tm_expect_error(&e, 3, TM_CHAIN);
}

static int
test_model_length_overflow(void)
{
	struct tm_env e;

	LVDPA_TEST_ASSERT(tm_two_pairs(&e, 64) == 0, "set-up");
	tm_raw_desc(&e, 3, 0, e.q[3].bufs, 0x100, LVDPA_VRING_DESC_F_NEXT, 1);
	tm_raw_desc(&e, 3, 1, e.q[3].bufs, 0xffffff80u, 0, 0);
	tm_raw_avail(&e, 3, 0, 0);
	return tm_expect_error(&e, 3, TM_BAD_DESC);
}

static int
test_model_bad_head(void)
{
	struct tm_env e;

	LVDPA_TEST_ASSERT(tm_two_pairs(&e, 64) == 0, "set-up");
	tm_raw_avail(&e, 3, 0, 1000);   /* no descriptor 1000 in a ring of 64 */
	return tm_expect_error(&e, 3, TM_BAD_DESC);
}

static int
test_model_rx_readable_buffer(void)
{
	struct lvdpa_ring_seg seg;
	struct lvdpa_synth_flow f;
	struct tm_env e;
	int rc;

	LVDPA_TEST_ASSERT(tm_two_pairs(&e, 64) == 0, "set-up");
	/* An RX buffer the device may only read: a frame cannot land there. */
	seg = (struct lvdpa_ring_seg){ .addr = e.q[2].bufs, .len = 2048, .write = false };
	LVDPA_TEST_ASSERT(lvdpa_ring_drv_add(&e.q[2].ring, &seg, 1, 0, 0) == 0, "add");
	lvdpa_synth_publish(&e.q[2]);
	/* One frame from pair 1 makes the device look at that buffer. */
	rc = lvdpa_synth_flow_init(&f, &e.v[3], &e.v[2], 64, 1);
	if (rc == 0) {
		lvdpa_synth_frame_fill(f.buf, 64, f.dst, f.src, 0);
		rc = lvdpa_synth_tx_add(&e.q[3], f.buf, 64);
		lvdpa_synth_vq_kick(&e.v[3], lvdpa_synth_publish(&e.q[3]));
		lvdpa_synth_flow_fini(&f);
	}
	LVDPA_TEST_ASSERT(rc == 0, "send");
	return tm_expect_error(&e, 2, TM_INVALID);
}

static int
test_model_ring_beyond_memory(void)
{
	struct lvdpa_synth_queue *q;
	struct tm_env e;
	int rc;

	LVDPA_TEST_ASSERT(tm_two_pairs(&e, 64) == 0, "set-up");
	/*
	 * Recreate queue 3 claiming 256 entries for a ring laid out for 64
	 * at the very end of guest memory: the descriptor area does not fit.
	 */
	lvdpa_synth_vq_destroy(&e.v[3]);
	e.v_ok[3] = false;
	q = &e.q[3];
	q->desc = TM_GPA + TM_MEM - 1024;
	q->cfg.size = 256;
	rc = lvdpa_synth_vq_create(&e.sd, &e.v[3], 3, q, true, 0, 0);
	if (rc != 0) {
		tm_teardown(&e);
		LVDPA_TEST_ASSERT(0, "create: %d", rc);
	}
	e.v_ok[3] = true;
	/* The rings are read at RDY: the error is already there. */
	return tm_expect_error(&e, 3, TM_BAD_DESC);
}

/* ---- refused commands ---- */

static int
test_model_bad_queue_size(void)
{
	struct lvdpa_synth_qcfg t = tm_qcfg(64, false, false, false, false, false);
	struct lvdpa_devx_virtq_attr a;
	struct lvdpa_devx_obj *vq = NULL;
	struct tm_env e;
	uint8_t in[LVDPA_PRM_VIRTQ_MBOX_BYTES], out[LVDPA_PRM_GOBJ_HDR_BYTES];
	struct lvdpa_tp_obj *tpo = NULL;
	int rc1, rc2, rc3, rc4;

	LVDPA_TEST_ASSERT(tm_open(&e, "max_queues=4,max_queue_size=256") == 0, "open");
	rc1 = tm_queue(&e, 1, &t, true);
	a = e.v[1].attr;
	a.queue_index = 3;
	a.queue_size = 100;        /* not a power of two */
	rc2 = lvdpa_devx_virtq_create(e.sd.dev, &a, &vq);
	lvdpa_devx_virtq_destroy(vq);
	vq = NULL;
	a.queue_size = 512;        /* over max_queue_size */
	rc3 = lvdpa_devx_virtq_create(e.sd.dev, &a, &vq);
	lvdpa_devx_virtq_destroy(vq);
	/* The same at mailbox level: status and syndrome. */
	memset(in, 0, sizeof(in));
	lvdpa_prm_set(in, LVDPA_PRM_GOBJ_IN_OPCODE, LVDPA_PRM_OP_CREATE_GENERAL_OBJECT);
	lvdpa_prm_set(in, LVDPA_PRM_GOBJ_IN_OBJ_TYPE, LVDPA_PRM_OBJ_TYPE_VIRTQ);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_QUEUE_INDEX, 3);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_QUEUE_SIZE, 100);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_VIRTIO_VERSION_1_0, 1);
	rc4 = e.sd.dev->ops->obj_create(e.sd.dev, in, sizeof(in), out, sizeof(out), &tpo);
	tm_teardown(&e);
	LVDPA_TEST_ASSERT_EQ(rc1, 0, "a good queue");
	LVDPA_TEST_ASSERT_EQ(rc2, -EINVAL, "size 100 refused");
	LVDPA_TEST_ASSERT_EQ(rc3, -EINVAL, "size 512 refused");
	LVDPA_TEST_ASSERT_EQ(rc4, 0, "transport delivered the refusal");
	LVDPA_TEST_ASSERT(tpo == NULL, "no object");
	LVDPA_TEST_ASSERT_EQ(lvdpa_prm_get(out, LVDPA_PRM_OUT_STATUS),
			     LVDPA_PRM_STATUS_BAD_PARAM_ERR, "status");
	LVDPA_TEST_ASSERT_EQ(lvdpa_prm_get(out, LVDPA_PRM_OUT_SYNDROME), 0x1a0005, "syndrome");
	return 0;
}

/* A transport that forwards to the model and keeps the last create output. */
static const struct lvdpa_transport_ops *tm_real_ops;
static uint8_t tm_last_out[LVDPA_PRM_CMD_HDR_BYTES];

static int
tm_capture_create(struct lvdpa_tp_dev *dev, const void *in, size_t inlen,
		  void *out, size_t outlen, struct lvdpa_tp_obj **obj)
{
	int rc = tm_real_ops->obj_create(dev, in, inlen, out, outlen, obj);

	memcpy(tm_last_out, out, outlen < sizeof(tm_last_out) ? outlen : sizeof(tm_last_out));
	return rc;
}

/* Every virtq create parameter the device checks, with its syndrome. */
static int
test_model_virtq_create_refusals(void)
{
	struct lvdpa_synth_qcfg t = tm_qcfg(64, false, false, false, false, false);
	struct lvdpa_transport_ops capture;
	struct lvdpa_devx_virtq_attr good, a;
	struct lvdpa_devx_obj *vq;
	struct tm_env e;
	struct {
		const char *what;
		int field;
		uint32_t value;
		uint32_t syndrome;
	} cases[] = {
		{ "queue type 5", 0, 5, 0x1a0001 },
		{ "packed without the cap", 0, LVDPA_PRM_VIRTQ_TYPE_PACKED, 0x1a0002 },
		{ "legacy on a 1.0-only device", 1, 0, 0x1a0003 },
		{ "queue_index beyond max_queues", 2, 9, 0x1a0004 },
		{ "queue_index already used", 2, 1, 0x1a0004 },
		{ "queue_size 0", 3, 0, 0x1a0005 },
		{ "event mode MSIX not offered", 4, LVDPA_PRM_VIRTQ_EVENT_MODE_MSIX, 0x1a0006 },
		{ "unknown pd", 5, 0xabcd, 0x1a0007 },
		{ "unknown counters", 6, 0xabcd, 0x1a0008 },
		{ "umem 1 too small", 7, 100, 0x1a0009 },
		{ "umem 3 unknown", 8, 0xabcd, 0x1a000b },
	};
	unsigned int i;
	int rc[RTE_DIM(cases)], good_rc;
	uint32_t syn[RTE_DIM(cases)];

	LVDPA_TEST_ASSERT(tm_open(&e, "max_queues=4,packed=0,legacy=0,event_modes=no_msix")
			  == 0, "open");
	if (tm_queue(&e, 1, &t, true) != 0) {
		tm_teardown(&e);
		LVDPA_TEST_ASSERT(0, "queue");
	}
	tm_real_ops = e.sd.dev->ops;
	capture = *tm_real_ops;
	capture.obj_create = tm_capture_create;
	e.sd.dev->ops = &capture;
	good = e.v[1].attr;
	good.queue_index = 3;
	for (i = 0; i < RTE_DIM(cases); i++) {
		a = good;
		switch (cases[i].field) {
		case 0: a.virtio_q_type = cases[i].value; break;
		case 1: a.virtio_version_1_0 = cases[i].value; break;
		case 2: a.queue_index = cases[i].value; break;
		case 3: a.queue_size = cases[i].value; break;
		case 4: a.event_mode = cases[i].value; break;
		case 5: a.pd = cases[i].value; break;
		case 6: a.counter_set_id = cases[i].value; break;
		case 7: a.umems[0].size = cases[i].value; break;
		case 8: a.umems[2].id = cases[i].value; break;
		}
		vq = NULL;
		memset(tm_last_out, 0, sizeof(tm_last_out));
		rc[i] = lvdpa_devx_virtq_create(e.sd.dev, &a, &vq);
		syn[i] = lvdpa_prm_get(tm_last_out, LVDPA_PRM_OUT_SYNDROME);
		lvdpa_devx_virtq_destroy(vq);
	}
	/* And the good one is accepted at index 3. */
	vq = NULL;
	good_rc = lvdpa_devx_virtq_create(e.sd.dev, &good, &vq);
	lvdpa_devx_virtq_destroy(vq);
	e.sd.dev->ops = tm_real_ops;
	tm_teardown(&e);
	LVDPA_TEST_ASSERT_EQ(good_rc, 0, "a good create after the refusals");
	for (i = 0; i < RTE_DIM(cases); i++) {
		LVDPA_TEST_ASSERT_EQ(rc[i], -EINVAL, "%s refused", cases[i].what);
		LVDPA_TEST_ASSERT_EQ(syn[i], cases[i].syndrome, "%s syndrome", cases[i].what);
	}
	return 0;
}

/* A queue whose mkey has the wrong key byte reaches nothing. */
static int
test_model_wrong_mkey_key(void)
{
	struct tm_env e;
	int rc;

	LVDPA_TEST_ASSERT(tm_two_pairs(&e, 64) == 0, "set-up");
	lvdpa_synth_vq_destroy(&e.v[3]);
	e.v_ok[3] = false;
	e.sd.mkey->id ^= 0x01;
	rc = lvdpa_synth_vq_create(&e.sd, &e.v[3], 3, &e.q[3], true, 0, 0);
	e.sd.mkey->id ^= 0x01;
	if (rc != 0) {
		tm_teardown(&e);
		LVDPA_TEST_ASSERT(0, "create: %d", rc);
	}
	e.v_ok[3] = true;
	return tm_expect_error(&e, 3, TM_BAD_DESC);
}

/*
 * A queue reaches what its current mkey reaches: after a MODIFY of
 * virtio_q_mkey to one that covers its rings but not its buffers, the
 * next RX buffer is refused, although the old mkey (cached, and the
 * walker's window) reached it.
 */
static int
test_model_mkey_modified_after_traffic(void)
{
	struct lvdpa_synth_qcfg r = tm_qcfg(64, true, false, false, false, false);
	struct lvdpa_synth_qcfg t = tm_qcfg(64, false, false, false, false, false);
	struct lvdpa_devx_mkey_direct_attr ma = { 0 };
	struct lvdpa_devx_virtq_counters c = { 0 };
	struct lvdpa_devx_virtq_attr a = { 0 };
	struct lvdpa_devx_obj *rings_only = NULL;
	struct lvdpa_synth_flow f;
	bool flow = false;
	uint64_t before = 0;
	struct tm_env e;
	int rc;

	LVDPA_TEST_ASSERT(tm_open(&e, "max_queues=2") == 0, "open");
	rc = tm_queue(&e, 0, &r, true);
	if (rc == 0)
		rc = tm_queue(&e, 1, &t, true);
	/* The RX queue's rings come before its buffers in guest memory. */
	if (rc == 0 && !(e.q[0].desc < e.q[0].bufs && e.q[0].driver < e.q[0].bufs &&
			 e.q[0].device < e.q[0].bufs))
		rc = -EINVAL;
	if (rc == 0)
		rc = lvdpa_synth_flow_init(&f, &e.v[1], &e.v[0], 100, 200);
	flow = rc == 0;
	if (rc == 0)
		rc = lvdpa_synth_flow_run(&f, 100, 3000);
	if (rc == 0)
		rc = lvdpa_synth_vq_set_state(&e.v[0], LVDPA_PRM_VIRTQ_STATE_SUSPEND);
	/* What the queue completed through the old mkey, all before the change. */
	if (rc == 0)
		rc = lvdpa_devx_counters_query(e.v[0].counters, &c);
	before = c.completed_desc;
	if (rc == 0) {
		ma.pd = e.sd.pd->id;
		ma.addr = e.g.gpa;
		ma.size = e.q[0].bufs - e.g.gpa;
		ma.umem_id = e.sd.guest_umem->id;
		ma.key = 0x33;
		ma.remote_rw = true;
		rc = lvdpa_devx_mkey_create_direct(e.sd.dev, &ma, &rings_only);
	}
	if (rc == 0) {
		a = e.v[0].attr;
		a.mkey = rings_only->id;
		rc = lvdpa_devx_virtq_modify(e.v[0].obj, &a, LVDPA_PRM_VIRTQ_MODIFY_Q_MKEY);
	}
	if (rc == 0)
		rc = lvdpa_synth_vq_set_state(&e.v[0], LVDPA_PRM_VIRTQ_STATE_RDY);
	/* Nothing more can arrive: the flow stops short, its rc aside. */
	if (rc == 0)
		(void)lvdpa_synth_flow_run(&f, 200, 300);
	if (rc == 0)
		rc = lvdpa_synth_vq_query(&e.v[0], &a);
	if (rc == 0)
		rc = lvdpa_devx_counters_query(e.v[0].counters, &c);
	if (flow)
		lvdpa_synth_flow_fini(&f);
	/* The queue goes before the mkey it uses, the mkey before the device. */
	if (e.v_ok[0]) {
		lvdpa_synth_vq_destroy(&e.v[0]);
		e.v_ok[0] = false;
	}
	if (rings_only != NULL)
		lvdpa_devx_mkey_destroy(rings_only);
	tm_teardown(&e);
	LVDPA_TEST_ASSERT_EQ(rc, 0, "flow, suspend, new mkey, resume, queries");
	LVDPA_TEST_ASSERT(before >= 100, "buffers before the new mkey (%" PRIu64 ")", before);
	LVDPA_TEST_ASSERT_EQ(a.state, LVDPA_PRM_VIRTQ_STATE_ERR, "RX queue in ERR");
	LVDPA_TEST_ASSERT_EQ(c.invalid_buffer, 1, "invalid_buffer");
	LVDPA_TEST_ASSERT_EQ(c.completed_desc, before, "no buffer through the old mapping");
	return 0;
}

static int
test_model_illegal_commands(void)
{
	struct lvdpa_synth_qcfg t = tm_qcfg(64, false, false, false, false, false);
	uint8_t in[LVDPA_PRM_VIRTQ_MBOX_BYTES], out[LVDPA_PRM_VIRTQ_MBOX_BYTES];
	struct lvdpa_tp_obj *tpo = NULL, *vqo;
	const struct lvdpa_transport_ops *ops;
	struct lvdpa_devx_virtq_attr a;
	struct tm_env e;
	uint8_t st[6];
	uint32_t syn[6];
	int rc[8], i;

	LVDPA_TEST_ASSERT(tm_open(&e, "max_queues=2") == 0, "open");
	if (tm_queue(&e, 1, &t, true) != 0) {
		tm_teardown(&e);
		LVDPA_TEST_ASSERT(0, "queue");
	}
	ops = e.sd.dev->ops;
	vqo = e.v[1].obj->tp;
	/* 0: an opcode the device does not know */
	memset(in, 0, sizeof(in));
	lvdpa_prm_set(in, LVDPA_PRM_IN_OPCODE, 0x7ff);
	rc[0] = ops->general_cmd(e.sd.dev, in, 16, out, 16);
	st[0] = lvdpa_prm_get(out, LVDPA_PRM_OUT_STATUS);
	syn[0] = lvdpa_prm_get(out, LVDPA_PRM_OUT_SYNDROME);
	/* 1: a virtq create mailbox cut short */
	memset(in, 0, sizeof(in));
	lvdpa_prm_set(in, LVDPA_PRM_GOBJ_IN_OPCODE, LVDPA_PRM_OP_CREATE_GENERAL_OBJECT);
	lvdpa_prm_set(in, LVDPA_PRM_GOBJ_IN_OBJ_TYPE, LVDPA_PRM_OBJ_TYPE_VIRTQ);
	rc[1] = ops->obj_create(e.sd.dev, in, 100, out, 16, &tpo);
	st[1] = lvdpa_prm_get(out, LVDPA_PRM_OUT_STATUS);
	syn[1] = lvdpa_prm_get(out, LVDPA_PRM_OUT_SYNDROME);
	/* 2: modify naming an object id that does not exist */
	memset(in, 0, sizeof(in));
	lvdpa_prm_set(in, LVDPA_PRM_GOBJ_IN_OPCODE, LVDPA_PRM_OP_MODIFY_GENERAL_OBJECT);
	lvdpa_prm_set(in, LVDPA_PRM_GOBJ_IN_OBJ_TYPE, LVDPA_PRM_OBJ_TYPE_VIRTQ);
	lvdpa_prm_set(in, LVDPA_PRM_GOBJ_IN_OBJ_ID, e.v[1].obj->id + 1000);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_MODIFY_FIELD_SELECT, LVDPA_PRM_VIRTQ_MODIFY_STATE);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_QUEUE_INDEX, 1);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_STATE, LVDPA_PRM_VIRTQ_STATE_SUSPEND);
	rc[2] = ops->obj_modify(vqo, in, sizeof(in), out, 16);
	st[2] = lvdpa_prm_get(out, LVDPA_PRM_OUT_STATUS);
	syn[2] = lvdpa_prm_get(out, LVDPA_PRM_OUT_SYNDROME);
	/* 3: RDY -> INIT is no state change the device makes */
	lvdpa_prm_set(in, LVDPA_PRM_GOBJ_IN_OBJ_ID, e.v[1].obj->id);
	lvdpa_prm_set(in, LVDPA_PRM_VIRTQ_STATE, LVDPA_PRM_VIRTQ_STATE_INIT);
	rc[3] = ops->obj_modify(vqo, in, sizeof(in), out, 16);
	st[3] = lvdpa_prm_get(out, LVDPA_PRM_OUT_STATUS);
	syn[3] = lvdpa_prm_get(out, LVDPA_PRM_OUT_SYNDROME);
	/* 4: a query whose output cannot hold the object */
	memset(in, 0, sizeof(in));
	lvdpa_prm_set(in, LVDPA_PRM_GOBJ_IN_OPCODE, LVDPA_PRM_OP_QUERY_GENERAL_OBJECT);
	lvdpa_prm_set(in, LVDPA_PRM_GOBJ_IN_OBJ_TYPE, LVDPA_PRM_OBJ_TYPE_VIRTQ);
	lvdpa_prm_set(in, LVDPA_PRM_GOBJ_IN_OBJ_ID, e.v[1].obj->id);
	rc[4] = ops->obj_query(vqo, in, 16, out, 64);
	st[4] = lvdpa_prm_get(out, LVDPA_PRM_OUT_STATUS);
	syn[4] = lvdpa_prm_get(out, LVDPA_PRM_OUT_SYNDROME);
	/* 5: an unknown general object type */
	memset(in, 0, sizeof(in));
	lvdpa_prm_set(in, LVDPA_PRM_GOBJ_IN_OPCODE, LVDPA_PRM_OP_CREATE_GENERAL_OBJECT);
	lvdpa_prm_set(in, LVDPA_PRM_GOBJ_IN_OBJ_TYPE, 0x77);
	rc[5] = ops->obj_create(e.sd.dev, in, sizeof(in), out, 16, &tpo);
	st[5] = lvdpa_prm_get(out, LVDPA_PRM_OUT_STATUS);
	syn[5] = lvdpa_prm_get(out, LVDPA_PRM_OUT_SYNDROME);
	/* 6: the same bad state change through the command layer */
	a = e.v[1].attr;
	a.state = LVDPA_PRM_VIRTQ_STATE_INIT;
	rc[6] = lvdpa_devx_virtq_modify(e.v[1].obj, &a, LVDPA_PRM_VIRTQ_MODIFY_STATE);
	/* 7: memory a live virtq uses cannot be deregistered */
	rc[7] = lvdpa_devx_umem_dereg(e.v[1].umem[0]);
	tm_teardown(&e);
	for (i = 0; i < 6; i++)
		LVDPA_TEST_ASSERT_EQ(rc[i], 0, "transport call %d delivered", i);
	LVDPA_TEST_ASSERT(tpo == NULL, "no object from a refused create");
	LVDPA_TEST_ASSERT_EQ(st[0], LVDPA_PRM_STATUS_BAD_OP_ERR, "unknown opcode");
	LVDPA_TEST_ASSERT_EQ(syn[0], 0x1e0003, "unknown opcode syndrome");
	LVDPA_TEST_ASSERT_EQ(st[1], LVDPA_PRM_STATUS_BAD_INP_LEN_ERR, "short mailbox");
	LVDPA_TEST_ASSERT_EQ(syn[1], 0x1e0001, "short mailbox syndrome");
	LVDPA_TEST_ASSERT_EQ(st[2], LVDPA_PRM_STATUS_BAD_RES_ERR, "unknown object id");
	LVDPA_TEST_ASSERT_EQ(syn[2], 0x1e0005, "unknown object id syndrome");
	LVDPA_TEST_ASSERT_EQ(st[3], LVDPA_PRM_STATUS_BAD_RES_STATE_ERR, "RDY -> INIT");
	LVDPA_TEST_ASSERT_EQ(syn[3], 0x1b0001, "RDY -> INIT syndrome");
	LVDPA_TEST_ASSERT_EQ(st[4], LVDPA_PRM_STATUS_BAD_OUTP_LEN_ERR, "short output");
	LVDPA_TEST_ASSERT_EQ(syn[4], 0x1e0002, "short output syndrome");
	LVDPA_TEST_ASSERT_EQ(st[5], LVDPA_PRM_STATUS_BAD_PARAM_ERR, "unknown obj_type");
	LVDPA_TEST_ASSERT_EQ(syn[5], 0x1e0004, "unknown obj_type syndrome");
	LVDPA_TEST_ASSERT_EQ(rc[6], -EBUSY, "bad state change as errno");
	LVDPA_TEST_ASSERT_EQ(rc[7], -EBUSY, "umem in use");
	return 0;
}

static int
test_model_err_is_final(void)
{
	struct lvdpa_devx_virtq_attr a;
	struct tm_env e;
	int rc;

	LVDPA_TEST_ASSERT(tm_two_pairs(&e, 64) == 0, "set-up");
	tm_raw_avail(&e, 3, 0, 1000);
	lvdpa_synth_vq_kick(&e.v[3], true);
	{
		struct lvdpa_devx_event ev;

		rc = tm_wait_event(&e, &ev, 2000);
	}
	a = e.v[3].attr;
	a.state = LVDPA_PRM_VIRTQ_STATE_RDY;
	if (rc == 1)
		rc = lvdpa_devx_virtq_modify(e.v[3].obj, &a, LVDPA_PRM_VIRTQ_MODIFY_STATE);
	else
		rc = -1000 + rc;
	tm_teardown(&e);
	LVDPA_TEST_ASSERT_EQ(rc, -EBUSY, "ERR -> RDY refused (only destroy leaves ERR)");
	return 0;
}

/* ---- injected faults (faults param) ---- */

/* A command fails the Nth time with the status and syndrome asked for. */
static int
test_model_fault_cmd(void)
{
	struct lvdpa_synth_qcfg t = tm_qcfg(64, false, false, false, false, false);
	struct lvdpa_synth_qcfg r = tm_qcfg(64, true, false, false, false, false);
	uint8_t in[LVDPA_PRM_VIRTQ_MBOX_BYTES], out[LVDPA_PRM_VIRTQ_MBOX_BYTES];
	const struct lvdpa_transport_ops *ops;
	struct lvdpa_devx_virtq_attr a;
	struct tm_env e;
	int rc_q0, rc_q1, rc_q1b, rc_raw, rc_again;
	uint8_t st;
	uint32_t syn;

	LVDPA_TEST_ASSERT(tm_open(&e, "max_queues=4,faults=cmd:create_virtq:2+cmd:query_virtq:1:0x9") == 0,
			  "open");
	rc_q0 = tm_queue(&e, 0, &r, true);
	/* The second virtq create is refused: INT_ERR, EIO through the command layer. */
	rc_q1 = tm_queue(&e, 1, &t, true);
	if (e.q_ok[1]) {
		lvdpa_synth_queue_fini(&e.q[1]);
		e.q_ok[1] = false;
	}
	rc_q1b = tm_queue(&e, 1, &t, true);
	/* The first virtq query: BAD_RES_STATE with the injected syndrome. */
	ops = e.sd.dev->ops;
	memset(in, 0, sizeof(in));
	memset(out, 0xff, sizeof(out));
	rc_raw = -1;
	st = 0;
	syn = 0;
	if (e.v_ok[1]) {
		lvdpa_prm_set(in, LVDPA_PRM_GOBJ_IN_OPCODE, LVDPA_PRM_OP_QUERY_GENERAL_OBJECT);
		lvdpa_prm_set(in, LVDPA_PRM_GOBJ_IN_OBJ_TYPE, LVDPA_PRM_OBJ_TYPE_VIRTQ);
		lvdpa_prm_set(in, LVDPA_PRM_GOBJ_IN_OBJ_ID, e.v[1].obj->id);
		rc_raw = ops->obj_query(e.v[1].obj->tp, in, 16, out, sizeof(out));
		st = lvdpa_prm_get(out, LVDPA_PRM_OUT_STATUS);
		syn = lvdpa_prm_get(out, LVDPA_PRM_OUT_SYNDROME);
	}
	/* Once: the next query is answered. */
	rc_again = e.v_ok[1] ? lvdpa_synth_vq_query(&e.v[1], &a) : -1;
	tm_teardown(&e);
	LVDPA_TEST_ASSERT_EQ(rc_q0, 0, "first create");
	LVDPA_TEST_ASSERT_EQ(rc_q1, -EIO, "second create refused with INT_ERR");
	LVDPA_TEST_ASSERT_EQ(rc_q1b, 0, "third create");
	LVDPA_TEST_ASSERT_EQ(rc_raw, 0, "a refusal is no transport error");
	LVDPA_TEST_ASSERT_EQ(st, LVDPA_PRM_STATUS_BAD_RES_STATE_ERR, "status asked for");
	LVDPA_TEST_ASSERT_EQ(syn, LVDPA_MODEL_FAULT_SYNDROME + 5, "syndrome 0x1f0000 + query_virtq");
	LVDPA_TEST_ASSERT_EQ(rc_again, 0, "the next query is answered");
	LVDPA_TEST_ASSERT_EQ(a.state, LVDPA_PRM_VIRTQ_STATE_RDY, "queue state");
	return 0;
}

/*
 * A TX queue enters ERR after 100 descriptors, twice: each time with the
 * error event, error_type 1, avail == used (no chain half done), and
 * recreated at those indices it goes on, with no frame lost or repeated.
 */
static int
test_model_fault_vq_err(void)
{
	struct lvdpa_devx_virtq_attr a[2], other;
	struct lvdpa_devx_virtq_counters c;
	struct lvdpa_devx_event ev[2];
	struct lvdpa_synth_flow f;
	int rc = 0, ev_rc[2] = { 0, 0 }, frc[3] = { 0, 0, 0 };
	uint64_t got[2] = { 0, 0 };
	struct tm_env e;
	unsigned int k;

	LVDPA_TEST_ASSERT(tm_open(&e, "max_queues=4,faults=vq_err:3:100:2") == 0, "open");
	{
		struct lvdpa_synth_qcfg r = tm_qcfg(64, true, false, false, false, false);
		struct lvdpa_synth_qcfg t = tm_qcfg(64, false, false, false, false, false);

		for (k = 0; k < 4 && rc == 0; k++)
			rc = tm_queue(&e, k, (k & 1) ? &t : &r, true);
	}
	if (rc != 0) {
		tm_teardown(&e);
		LVDPA_TEST_ASSERT(0, "queues: %d", rc);
	}
	rc = lvdpa_synth_flow_init(&f, &e.v[3], &e.v[2], 100, 500);
	if (rc != 0) {
		tm_teardown(&e);
		LVDPA_TEST_ASSERT(0, "flow");
	}
	memset(a, 0, sizeof(a));
	for (k = 0; k < 2; k++) {
		frc[k] = lvdpa_synth_flow_run(&f, 500, 300);
		got[k] = f.received;
		ev_rc[k] = tm_wait_event(&e, &ev[k], 2000);
		if (lvdpa_synth_vq_query(&e.v[3], &a[k]) != 0)
			break;
		/* As a driver recovers: a new object where the old one stopped. */
		lvdpa_synth_vq_destroy(&e.v[3]);
		e.v_ok[3] = false;
		if (lvdpa_synth_vq_create(&e.sd, &e.v[3], 3, &e.q[3], true,
					  a[k].hw_available_index, a[k].hw_used_index) != 0)
			break;
		e.v_ok[3] = true;
	}
	frc[2] = e.v_ok[3] ? lvdpa_synth_flow_run(&f, 500, 3000) : -1;
	rc = e.v_ok[3] ? lvdpa_devx_counters_query(e.v[3].counters, &c) : -1;
	if (rc == 0)
		rc = lvdpa_synth_vq_query(&e.v[1], &other);
	lvdpa_synth_flow_fini(&f);
	tm_teardown(&e);
	LVDPA_TEST_ASSERT_EQ(rc, 0, "queries");
	for (k = 0; k < 2; k++) {
		LVDPA_TEST_ASSERT_EQ(frc[k], -ETIMEDOUT, "fault %u stops the flow", k);
		LVDPA_TEST_ASSERT_EQ(ev_rc[k], 1, "fault %u: an event", k);
		LVDPA_TEST_ASSERT_EQ(ev[k].type, LVDPA_PRM_EVENT_TYPE_OBJECT_CHANGE, "event type");
		LVDPA_TEST_ASSERT_EQ(ev[k].cookie, 3, "event names queue 3");
		LVDPA_TEST_ASSERT_EQ(a[k].state, LVDPA_PRM_VIRTQ_STATE_ERR, "fault %u: ERR", k);
		LVDPA_TEST_ASSERT_EQ(a[k].error_type, 1, "fault %u: a device error", k);
		LVDPA_TEST_ASSERT_EQ(a[k].hw_available_index, 100 * (k + 1), "avail at fault %u", k);
		LVDPA_TEST_ASSERT_EQ(a[k].hw_used_index, 100 * (k + 1), "used at fault %u", k);
		LVDPA_TEST_ASSERT_EQ(got[k], 100 * (k + 1), "frames through at fault %u", k);
	}
	LVDPA_TEST_ASSERT_EQ(frc[2], 0, "the flow completes after the faults");
	LVDPA_TEST_ASSERT_EQ(f.received, 500, "every frame once");
	LVDPA_TEST_ASSERT_EQ(f.bad, 0, "none out of order or corrupt");
	LVDPA_TEST_ASSERT_EQ(c.completed_desc, 300, "the last object completed the rest");
	LVDPA_TEST_ASSERT_EQ(c.error_cqes, 0, "the last object never failed");
	LVDPA_TEST_ASSERT_EQ(other.state, LVDPA_PRM_VIRTQ_STATE_RDY, "queue 1 untouched");
	return 0;
}

/* The event channel hangs up after one event: EPOLLHUP-style fd, then -EPIPE. */
static int
test_model_fault_evchan_hup(void)
{
	struct lvdpa_devx_event ev, ev2;
	struct lvdpa_devx_virtq_attr a;
	struct pollfd p;
	struct tm_env e;
	int rc, rc2, prc, qrc;
	short revents;

	LVDPA_TEST_ASSERT(tm_open(&e, "max_queues=4,faults=evchan_hup:1") == 0, "open");
	{
		struct lvdpa_synth_qcfg r = tm_qcfg(64, true, false, false, false, false);
		struct lvdpa_synth_qcfg t = tm_qcfg(64, false, false, false, false, false);
		unsigned int k;

		rc = 0;
		for (k = 0; k < 4 && rc == 0; k++)
			rc = tm_queue(&e, k, (k & 1) ? &t : &r, true);
		if (rc != 0) {
			tm_teardown(&e);
			LVDPA_TEST_ASSERT(0, "queues: %d", rc);
		}
	}
	/* Two broken queues: two events, only the first gets through. */
	tm_raw_avail(&e, 3, 0, 1000);
	lvdpa_synth_vq_kick(&e.v[3], true);
	rc = tm_wait_event(&e, &ev, 2000);
	tm_raw_avail(&e, 1, 0, 1000);
	lvdpa_synth_vq_kick(&e.v[1], true);
	/* The queue still fails as it would, unseen by the driver. */
	qrc = -1;
	for (prc = 0; prc < 200; prc++) {
		qrc = lvdpa_synth_vq_query(&e.v[1], &a);
		if (qrc != 0 || a.state == LVDPA_PRM_VIRTQ_STATE_ERR)
			break;
		usleep(10000);
	}
	p.fd = lvdpa_devx_evchan_fd(e.sd.ch);
	p.events = POLLIN;
	prc = poll(&p, 1, 1000);
	revents = p.revents;
	rc2 = lvdpa_devx_evchan_read(e.sd.ch, &ev2);
	tm_teardown(&e);
	LVDPA_TEST_ASSERT_EQ(rc, 1, "the first event is delivered");
	LVDPA_TEST_ASSERT_EQ(ev.cookie, 3, "it names queue 3");
	LVDPA_TEST_ASSERT_EQ(qrc, 0, "query");
	LVDPA_TEST_ASSERT_EQ(a.state, LVDPA_PRM_VIRTQ_STATE_ERR, "queue 1 in ERR");
	LVDPA_TEST_ASSERT_EQ(prc, 1, "the fd is ready");
	LVDPA_TEST_ASSERT(revents & POLLHUP, "the fd hung up (revents 0x%x)", revents);
	LVDPA_TEST_ASSERT_EQ(rc2, -EPIPE, "read on a hung-up channel");
	return 0;
}

static int
test_model_faults_parse(void)
{
	static const char *const bad[] = {
		"faults=", "faults=cmd", "faults=cmd:create_virtq", "faults=cmd:create_virtq:0",
		"faults=cmd:nope:1", "faults=cmd:destroy_virtq:1", "faults=cmd:umem_reg:1",
		"faults=cmd:create_virtq:1:0x100", "faults=cmd:create_virtq:1:0",
		"faults=vq_err:1", "faults=vq_err:256:1", "faults=vq_err:1:x",
		"faults=vq_err:1:5:0", "faults=vq_err:1:5:2:9", "faults=evchan_hup:0",
		"faults=evchan_hup:1:2", "faults=bogus:1", "faults=evchan_hup:1+",
		"faults=+evchan_hup:1", "faults=evchan_hup:1++vq_err:1:1",
		/* Nine items, one more than the model keeps. */
		("faults=evchan_hup:1+evchan_hup:1+evchan_hup:1+evchan_hup:1+evchan_hup:1"
		 "+evchan_hup:1+evchan_hup:1+evchan_hup:1+evchan_hup:1"),
	};
	struct lvdpa_model_caps c;
	char err[160];
	unsigned int i;

	LVDPA_TEST_ASSERT_EQ(lvdpa_model_caps_parse(NULL, &c, err, sizeof(err)), 0, "defaults");
	LVDPA_TEST_ASSERT_EQ(c.nfaults, 0, "no fault by default");
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_caps_parse(
		"faults=cmd:modify_virtq:3:0x9+vq_err:5:10:4+evchan_hup:7+cmd:general:1",
		&c, err, sizeof(err)), 0, "faults: %s", err);
	LVDPA_TEST_ASSERT_EQ(c.nfaults, 4, "four items");
	LVDPA_TEST_ASSERT(c.faults[0].kind == LVDPA_MODEL_FAULT_CMD && c.faults[0].n == 3 &&
			  c.faults[0].status == 0x9 && c.faults[0].cmd_type == 4,
			  "cmd item");
	LVDPA_TEST_ASSERT(c.faults[1].kind == LVDPA_MODEL_FAULT_VQ_ERR && c.faults[1].queue == 5 &&
			  c.faults[1].n == 10 && c.faults[1].repeat == 4, "vq_err item");
	LVDPA_TEST_ASSERT(c.faults[2].kind == LVDPA_MODEL_FAULT_EVCHAN_HUP && c.faults[2].n == 7,
			  "evchan_hup item");
	LVDPA_TEST_ASSERT(c.faults[3].status == LVDPA_PRM_STATUS_INT_ERR && c.faults[3].cmd_type == 0,
			  "default status INT_ERR");
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_caps_parse("faults=vq_err:2:0", &c, err, sizeof(err)), 0,
			     "vq_err at once: %s", err);
	LVDPA_TEST_ASSERT_EQ(c.faults[0].repeat, 1, "repeat defaults to 1");
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_caps_parse("faults=none", &c, err, sizeof(err)), 0,
			     "none");
	LVDPA_TEST_ASSERT_EQ(c.nfaults, 0, "none: no item");
	for (i = 0; i < RTE_DIM(bad); i++) {
		const char *v = strchr(bad[i], '=') + 1;

		LVDPA_TEST_ASSERT_EQ(lvdpa_model_caps_parse(bad[i], &c, err, sizeof(err)),
				     -EINVAL, "'%s' refused", bad[i]);
		LVDPA_TEST_ASSERT(strstr(err, "faults") != NULL &&
				  (*v == '\0' || strstr(err, v) != NULL ||
				   strlen(v) > 40),
				  "'%s': the error names key and value: %s", bad[i], err);
	}
	return 0;
}

/* ---- capability profile ---- */

static int
test_model_caps_parse(void)
{
	struct lvdpa_model_caps c;
	char err[160];

	LVDPA_TEST_ASSERT_EQ(lvdpa_model_caps_parse(NULL, &c, err, sizeof(err)), 0, "defaults");
	LVDPA_TEST_ASSERT_EQ(c.max_queues, 16, "default max_queues");
	LVDPA_TEST_ASSERT_EQ(c.max_queue_size, 32768, "default max_queue_size");
	LVDPA_TEST_ASSERT(c.legacy && c.packed && !c.event_idx, "default flags");
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_caps_parse(
		"max_queues=8,max_queue_size=1024,legacy=0,packed=0,event_modes=no_msix+qp,"
		"mac=02:00:00:00:00:07,budget=16,event_idx=1", &c, err,
		sizeof(err)), 0, "all keys: %s", err);
	LVDPA_TEST_ASSERT(c.max_queues == 8 && c.max_queue_size == 1024 && !c.legacy &&
			  !c.packed && c.budget == 16 && c.mac_set && c.mac[5] == 7 &&
			  c.event_idx, "values");
	/* Mergeable RX buffers come from each virtq's queue_features, not a param. */
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_caps_parse("mrg_rxbuf=1", &c, err, sizeof(err)),
			     -EINVAL, "mrg_rxbuf is no param");
	LVDPA_TEST_ASSERT_EQ(c.event_modes, LVDPA_MODEL_EVENT_NO_MSIX | LVDPA_MODEL_EVENT_QP,
			     "event modes");
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_caps_parse("colour=blue", &c, err, sizeof(err)),
			     -EINVAL, "unknown key");
	LVDPA_TEST_ASSERT(strstr(err, "colour") != NULL, "names the key: %s", err);
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_caps_parse("max_queue_size=1000", &c, err, sizeof(err)),
			     -EINVAL, "not a power of two");
	LVDPA_TEST_ASSERT(strstr(err, "1000") != NULL, "names the value: %s", err);
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_caps_parse("max_queues=2x", &c, NULL, 0), -EINVAL,
			     "trailing junk");
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_caps_parse("legacy", &c, NULL, 0), -EINVAL,
			     "no value");
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_caps_parse("mac=01:00:00:00:00:01", &c, NULL, 0),
			     -EINVAL, "multicast MAC");
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_caps_parse("event_modes=qp+bogus", &c, NULL, 0),
			     -EINVAL, "event mode");
	return 0;
}

static int
test_model_open_refuses_bad_params(void)
{
	struct lvdpa_tp_dev *dev = NULL;

	LVDPA_TEST_ASSERT(lvdpa_transport_open("model", "max_queues=1000", &dev) < 0,
			  "open with a bad value fails");
	LVDPA_TEST_ASSERT(dev == NULL, "no device");
	return 0;
}

static int
test_model_caps_reported(void)
{
	struct tm_env e;
	struct lvdpa_devx_caps c;

	LVDPA_TEST_ASSERT(tm_open(&e, "max_queues=6,packed=0,event_modes=no_msix") == 0, "open");
	c = e.sd.caps;
	tm_teardown(&e);
	LVDPA_TEST_ASSERT(c.vdpa_valid && c.virtq_supported && c.queue_counters_supported,
			  "virtq and counters offered");
	LVDPA_TEST_ASSERT_EQ(c.max_num_virtio_queues, 6, "max_num_virtio_queues");
	LVDPA_TEST_ASSERT_EQ(c.virtio_queue_type, 1u << LVDPA_PRM_VIRTQ_TYPE_SPLIT, "split only");
	LVDPA_TEST_ASSERT_EQ(c.event_mode, 1u << LVDPA_PRM_VIRTQ_EVENT_MODE_NO_MSIX, "events");
	LVDPA_TEST_ASSERT(c.umems[0].a != 0 && c.umems[2].b != 0, "umem params");
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_model_bad_address),
	LVDPA_TEST_CASE(test_model_bad_address_after_traffic),
	LVDPA_TEST_CASE(test_model_packed_bad_address),
	LVDPA_TEST_CASE(test_model_descriptor_loop),
	LVDPA_TEST_CASE(test_model_chain_longer_than_ring),
	LVDPA_TEST_CASE(test_model_length_overflow),
	LVDPA_TEST_CASE(test_model_bad_head),
	LVDPA_TEST_CASE(test_model_rx_readable_buffer),
	LVDPA_TEST_CASE(test_model_ring_beyond_memory),
	LVDPA_TEST_CASE(test_model_bad_queue_size),
	LVDPA_TEST_CASE(test_model_virtq_create_refusals),
	LVDPA_TEST_CASE(test_model_wrong_mkey_key),
	LVDPA_TEST_CASE(test_model_mkey_modified_after_traffic),
	LVDPA_TEST_CASE(test_model_illegal_commands),
	LVDPA_TEST_CASE(test_model_err_is_final),
	LVDPA_TEST_CASE(test_model_fault_cmd),
	LVDPA_TEST_CASE(test_model_fault_vq_err),
	LVDPA_TEST_CASE(test_model_fault_evchan_hup),
	LVDPA_TEST_CASE(test_model_faults_parse),
	LVDPA_TEST_CASE(test_model_caps_parse),
	LVDPA_TEST_CASE(test_model_open_refuses_bad_params),
	LVDPA_TEST_CASE(test_model_caps_reported),
)
