/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The model around the queues: the event path of event mode QP (CQ, firmware
 * QP and driver QP, CQE and armed completion events), the e-switch between
 * two functions, and indirect (KLM and fixed-size KLM) mkeys as the queues'
 * memory view.
 */

#include <stdlib.h>

#include "test_model_env.h"

/* ---- event mode QP ---- */

struct tm_evpath {
	void *cq_buf, *cq_dbr, *qp_buf, *qp_dbr;
	struct lvdpa_tp_umem *u[4];
	struct lvdpa_devx_obj *cq, *sw, *fw;
};

static void
tm_evpath_free(struct tm_evpath *p)
{
	unsigned int i;

	lvdpa_devx_qp_destroy(p->fw);
	lvdpa_devx_qp_destroy(p->sw);
	lvdpa_devx_cq_destroy(p->cq);
	for (i = 0; i < 4; i++)
		if (p->u[i] != NULL)
			lvdpa_devx_umem_dereg(p->u[i]);
	free(p->cq_buf);
	free(p->cq_dbr);
	free(p->qp_buf);
	free(p->qp_dbr);
}

/* The pair of QPs and the CQ the mlx5 vDPA driver builds per queue. */
static int
tm_evpath_make(struct tm_env *e, struct tm_evpath *p)
{
	struct lvdpa_devx_cq_attr ca = { 0 };
	struct lvdpa_devx_qp_attr qa = { 0 };
	void **bufs[4] = { &p->cq_buf, &p->cq_dbr, &p->qp_buf, &p->qp_dbr };
	size_t sizes[4] = { 4096, 64, 4096, 64 };
	unsigned int i;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < 4 && rc == 0; i++) {
		*bufs[i] = calloc(1, sizes[i]);
		rc = *bufs[i] == NULL ? -ENOMEM :
		     lvdpa_devx_umem_reg(e->sd.dev, *bufs[i], sizes[i],
					 LVDPA_DEVX_UMEM_LOCAL_WRITE, &p->u[i]);
	}
	if (rc != 0)
		return rc;
	ca.log_cq_size = 6;
	ca.cqe_sz = LVDPA_PRM_CQE_SZ_64;
	ca.use_first_only = true;
	ca.overrun_ignore = true;
	ca.umem_id = p->u[0]->id;
	ca.dbr_umem_id = p->u[1]->id;
	rc = lvdpa_devx_cq_create(e->sd.dev, &ca, &p->cq);
	if (rc != 0)
		return rc;
	qa.pd = e->sd.pd->id;
	qa.cqn = p->cq->id;
	qa.log_rq_size = 6;
	qa.log_rq_stride = 4;
	qa.wq_umem_id = p->u[2]->id;
	qa.dbr_umem_id = p->u[3]->id;
	rc = lvdpa_devx_qp_create(e->sd.dev, &qa, &p->sw);
	if (rc != 0)
		return rc;
	memset(&qa, 0, sizeof(qa));
	qa.pd = e->sd.pd->id;
	qa.fw_managed = true;
	rc = lvdpa_devx_qp_create(e->sd.dev, &qa, &p->fw);
	if (rc == 0)
		rc = lvdpa_devx_qp_modify(p->fw, LVDPA_PRM_OP_RST2INIT_QP, 0);
	if (rc == 0)
		rc = lvdpa_devx_qp_modify(p->fw, LVDPA_PRM_OP_INIT2RTR_QP, p->sw->id);
	if (rc == 0)
		rc = lvdpa_devx_qp_modify(p->fw, LVDPA_PRM_OP_RTR2RTS_QP, 0);
	if (rc == 0)
		rc = lvdpa_devx_qp_modify(p->sw, LVDPA_PRM_OP_RST2INIT_QP, 0);
	if (rc == 0)
		rc = lvdpa_devx_qp_modify(p->sw, LVDPA_PRM_OP_INIT2RTR_QP, p->fw->id);
	if (rc == 0)
		rc = lvdpa_devx_qp_modify(p->sw, LVDPA_PRM_OP_RTR2RTS_QP, 0);
	return rc;
}

/* Arm the CQ having consumed @p ci completions. */
static void
tm_cq_arm(struct tm_evpath *p, struct lvdpa_tp_db *uar, uint32_t sn, uint32_t ci)
{
	lvdpa_devx_cq_arm(uar, (volatile uint32_t *)p->cq_dbr, p->cq->id, sn, ci);
}

/* Move @p n frames queue 1 -> queue 0 and wait for all of them. */
static int
tm_flow(struct tm_env *e, uint64_t n)
{
	struct lvdpa_synth_flow f;
	int rc;

	rc = lvdpa_synth_flow_init(&f, &e->v[1], &e->v[0], 64, n);
	if (rc == 0) {
		rc = lvdpa_synth_flow_run(&f, n, 3000);
		lvdpa_synth_flow_fini(&f);
	}
	return rc;
}

static int
test_model_event_mode_qp(void)
{
	struct lvdpa_synth_qcfg r = tm_qcfg(256, true, false, false, false, false);
	struct lvdpa_synth_qcfg t = tm_qcfg(256, false, false, false, false, false);
	uint16_t types[1] = { LVDPA_PRM_EVENT_TYPE_COMPLETION };
	struct lvdpa_devx_event ev0, ev1, ev2, ev3, ev4;
	struct lvdpa_tp_db *uar = NULL;
	struct tm_evpath p;
	struct tm_env e;
	uint16_t wqe1 = 0, wqe2 = 0;
	uint32_t cqn = 0;
	uint8_t op1 = 0;
	int rc, e0 = 0, e1 = 0, e2 = 0, e3 = 0, e4 = 0;

	LVDPA_TEST_ASSERT(tm_open(&e, "max_queues=2,event_modes=no_msix+qp") == 0, "open");
	rc = tm_evpath_make(&e, &p);
	if (rc == 0)
		rc = lvdpa_synth_queue_init(&e.g, &e.q[0], &r);
	if (rc == 0) {
		e.q_ok[0] = true;
		/* The guest wants interrupts on RX: the device must notify. */
		lvdpa_ring_drv_set_call(&e.q[0].ring, true);
		rc = lvdpa_synth_vq_create_ev(&e.sd, &e.v[0], 0, &e.q[0], true, 0, 0,
					      LVDPA_PRM_VIRTQ_EVENT_MODE_QP, p.fw->id);
	}
	if (rc == 0) {
		e.v_ok[0] = true;
		rc = tm_queue(&e, 1, &t, true);
	}
	if (rc == 0)
		rc = lvdpa_devx_evchan_subscribe(e.sd.ch, p.cq, types, 1, 0xc0);
	if (rc == 0)
		rc = lvdpa_devx_uar_alloc(e.sd.dev, &uar);
	/* Not armed yet: completions land as CQEs, no event. */
	if (rc == 0)
		rc = tm_flow(&e, 50);
	usleep(20000);
	e1 = lvdpa_devx_evchan_read(e.sd.ch, &ev1);
	wqe1 = lvdpa_prm_get(p.cq_buf, LVDPA_PRM_CQE_WQE_COUNTER);
	op1 = lvdpa_prm_get(p.cq_buf, LVDPA_PRM_CQE_OPCODE);
	/* Armed with everything consumed: the next completion raises it. */
	if (rc == 0) {
		tm_cq_arm(&p, uar, 1, (uint16_t)(wqe1 + 1));
		usleep(20000);
		e0 = lvdpa_devx_evchan_read(e.sd.ch, &ev0);
		rc = tm_flow(&e, 50);
	}
	e2 = tm_wait_event(&e, &ev2, 2000);
	cqn = p.cq != NULL ? p.cq->id : 0;
	/* One event per arm: more completions, no second event. */
	if (rc == 0)
		rc = tm_flow(&e, 50);
	usleep(20000);
	e3 = lvdpa_devx_evchan_read(e.sd.ch, &ev3);
	wqe2 = lvdpa_prm_get(p.cq_buf, LVDPA_PRM_CQE_WQE_COUNTER);
	/* Armed behind the CQEs written: the event comes at once. */
	if (rc == 0)
		tm_cq_arm(&p, uar, 2, (uint16_t)(wqe1 + 1));
	e4 = tm_wait_event(&e, &ev4, 2000);
	lvdpa_devx_uar_free(uar);
	if (e.v_ok[0])
		lvdpa_synth_vq_destroy(&e.v[0]);
	e.v_ok[0] = false;
	tm_evpath_free(&p);
	tm_teardown(&e);
	LVDPA_TEST_ASSERT(rc == 0, "set-up or flow: %d", rc);
	LVDPA_TEST_ASSERT_EQ(e1, 0, "no event before the CQ is armed");
	LVDPA_TEST_ASSERT_EQ(op1, LVDPA_PRM_CQE_OPCODE_RESP_SEND, "CQE written");
	LVDPA_TEST_ASSERT_EQ(e0, 0, "no event at an arm with nothing pending");
	LVDPA_TEST_ASSERT_EQ(e2, 1, "an event after arming (wqe %u -> %u)", wqe1, wqe2);
	LVDPA_TEST_ASSERT_EQ(ev2.type, LVDPA_PRM_EVENT_TYPE_COMPLETION, "completion");
	LVDPA_TEST_ASSERT_EQ(ev2.cookie, 0xc0, "cookie");
	LVDPA_TEST_ASSERT_EQ(ev2.cqn, cqn, "cqn");
	LVDPA_TEST_ASSERT_EQ(e3, 0, "one event per arm");
	LVDPA_TEST_ASSERT_EQ(e4, 1, "arming behind the CQEs raises at once");
	LVDPA_TEST_ASSERT_EQ(ev4.cqn, cqn, "cqn");
	LVDPA_TEST_ASSERT((uint16_t)(wqe2 - wqe1) > 0, "CQE counter moved: %u -> %u",
			  wqe1, wqe2);
	return 0;
}

/* ---- two functions on the e-switch ---- */

static int
test_model_eswitch_by_mac(void)
{
	struct lvdpa_synth_qcfg r = tm_qcfg(128, true, false, false, false, false);
	struct lvdpa_synth_qcfg t = tm_qcfg(128, false, false, false, false, false);
	static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };
	struct lvdpa_devx_virtq_counters ca, cb;
	struct lvdpa_synth_flow f;
	struct tm_env a, b;
	int rc;

	LVDPA_TEST_ASSERT(tm_open(&a, "max_queues=2,mac=02:00:00:00:00:0a") == 0, "open A");
	if (tm_open(&b, "max_queues=2,mac=02:00:00:00:00:0b") != 0) {
		tm_teardown(&a);
		LVDPA_TEST_ASSERT(0, "open B");
	}
	rc = tm_queue(&a, 0, &r, true);
	if (rc == 0)
		rc = tm_queue(&a, 1, &t, true);
	if (rc == 0)
		rc = tm_queue(&b, 0, &r, true);
	if (rc == 0)
		rc = tm_queue(&b, 1, &t, true);
	/* A's TX to B's MAC lands on B's RX, not on A's. */
	if (rc == 0)
		rc = lvdpa_synth_flow_init(&f, &a.v[1], &b.v[0], 256, 1000);
	if (rc == 0) {
		memcpy(f.dst, mac_b, 6);
		rc = lvdpa_synth_flow_run(&f, 1000, 3000);
		lvdpa_synth_flow_fini(&f);
	}
	if (rc == 0)
		rc = lvdpa_devx_counters_query(a.v[0].counters, &ca);
	if (rc == 0)
		rc = lvdpa_devx_counters_query(b.v[0].counters, &cb);
	tm_teardown(&b);
	tm_teardown(&a);
	LVDPA_TEST_ASSERT(rc == 0, "flow: %d", rc);
	LVDPA_TEST_ASSERT_EQ(f.received, 1000, "frames at B");
	LVDPA_TEST_ASSERT_EQ(cb.completed_desc, 1000, "B's RX completions");
	LVDPA_TEST_ASSERT_EQ(ca.completed_desc, 0, "nothing looped back to A");
	return 0;
}

/* ---- indirect mkeys ---- */

static int
tm_klm(uint8_t log_entity)
{
	struct lvdpa_synth_qcfg r = tm_qcfg(256, true, false, false, false, false);
	struct lvdpa_synth_qcfg t = tm_qcfg(256, false, false, false, false, false);
	const uint64_t half = TM_MEM / 2;
	struct lvdpa_devx_mkey_direct_attr da = { 0 };
	struct lvdpa_devx_mkey_indirect_attr ia = { 0 };
	struct lvdpa_devx_obj *m[2] = { NULL, NULL }, *klm = NULL, *saved;
	struct lvdpa_tp_umem *u[2] = { NULL, NULL };
	struct lvdpa_devx_klm k[2];
	struct lvdpa_synth_flow f;
	struct tm_env e;
	unsigned int i;
	int rc = 0;

	LVDPA_TEST_ASSERT(tm_open(&e, "max_queues=2") == 0, "open");
	/* Guest memory as two umems behind two direct mkeys and one KLM mkey. */
	for (i = 0; i < 2 && rc == 0; i++) {
		rc = lvdpa_devx_umem_reg(e.sd.dev, e.g.base + i * half, half,
					 LVDPA_DEVX_UMEM_LOCAL_WRITE, &u[i]);
		if (rc != 0)
			break;
		da.pd = e.sd.pd->id;
		da.addr = 0x1000000000ull * (i + 1);
		da.size = half;
		da.umem_id = u[i]->id;
		da.key = 0x21 + i;
		rc = lvdpa_devx_mkey_create_direct(e.sd.dev, &da, &m[i]);
		k[i].addr = da.addr;
		k[i].len = half;
		k[i].mkey = m[i] != NULL ? m[i]->id : 0;
	}
	if (rc == 0) {
		ia.pd = e.sd.pd->id;
		ia.addr = TM_GPA;
		ia.size = TM_MEM;
		ia.klms = k;
		ia.klm_num = 2;
		ia.log_entity_size = log_entity;
		ia.key = 0x33;
		rc = lvdpa_devx_mkey_create_indirect(e.sd.dev, &ia, &klm);
	}
	saved = e.sd.mkey;
	if (rc == 0) {
		e.sd.mkey = klm;
		rc = tm_queue(&e, 0, &r, true);
		if (rc == 0)
			rc = tm_queue(&e, 1, &t, true);
		e.sd.mkey = saved;
	}
	if (rc == 0)
		rc = lvdpa_synth_flow_init(&f, &e.v[1], &e.v[0], 1500, 2000);
	if (rc == 0) {
		rc = lvdpa_synth_flow_run(&f, 2000, 3000);
		lvdpa_synth_flow_fini(&f);
	}
	for (i = 0; i < 2; i++)
		if (e.v_ok[i]) {
			lvdpa_synth_vq_destroy(&e.v[i]);
			e.v_ok[i] = false;
		}
	lvdpa_devx_mkey_destroy(klm);
	for (i = 0; i < 2; i++) {
		lvdpa_devx_mkey_destroy(m[i]);
		if (u[i] != NULL)
			lvdpa_devx_umem_dereg(u[i]);
	}
	tm_teardown(&e);
	LVDPA_TEST_ASSERT(rc == 0, "KLM flow: %d", rc);
	LVDPA_TEST_ASSERT_EQ(f.received, 2000, "frames through the KLM view");
	return 0;
}

static int
test_model_klm(void)
{
	return tm_klm(0);
}

static int
test_model_klm_fixed_size(void)
{
	return tm_klm(22);   /* 4 MiB entities */
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_model_event_mode_qp),
	LVDPA_TEST_CASE(test_model_eswitch_by_mac),
	LVDPA_TEST_CASE(test_model_klm),
	LVDPA_TEST_CASE(test_model_klm_fixed_size),
)
