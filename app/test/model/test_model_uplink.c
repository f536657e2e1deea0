/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The model with EAL: its uplink, a net_ring port (whose TX ring is its RX
 * ring), where frames to a MAC no function owns leave through
 * rte_eth_tx_burst, come back through rte_eth_rx_burst and land on the
 * owner's RX queue; an uplink the application removes under the device;
 * and its worker on an EAL lcore.
 */

#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "lvdpa_test_eal.h"
#include "lvdpa_test_threads.h"
#include "test_model_env.h"

static int tm_eal_ready;
static uint16_t tm_port;
static struct rte_mempool *tm_pool;

/* One queue each way on @p port, started, as an application runs it. */
static int
tm_port_start(uint16_t port)
{
	struct rte_eth_conf conf;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(port, 0, 512, SOCKET_ID_ANY, NULL, tm_pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, 512, SOCKET_ID_ANY, NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	return rc;
}

static int
tm_eal(void)
{
	if (tm_eal_ready)
		return 0;
	if (lvdpa_test_eal_init("model-uplink", 256, "net_ring0") != 0)
		return -1;
	if (rte_eth_dev_get_port_by_name("net_ring0", &tm_port) != 0)
		return -1;
	tm_pool = rte_pktmbuf_pool_create("tm_uplink_rx", 1023, 0, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (tm_pool == NULL || tm_port_start(tm_port) != 0)
		return -1;
	tm_eal_ready = 1;
	return 0;
}

static int
test_model_uplink_loop(void)
{
	struct lvdpa_synth_qcfg r = tm_qcfg(256, true, false, false, false, false);
	struct lvdpa_synth_qcfg t = tm_qcfg(256, false, false, false, false, false);
	struct rte_eth_stats st0, st1;
	struct lvdpa_synth_flow f;
	struct tm_env e;
	int rc;

	LVDPA_TEST_ASSERT(tm_eal() == 0, "EAL and net_ring0");
	LVDPA_TEST_ASSERT(rte_eth_stats_get(tm_port, &st0) == 0, "stats");
	LVDPA_TEST_ASSERT(tm_open(&e, "max_queues=2,uplink=net_ring0") == 0, "open");
	rc = tm_queue(&e, 0, &r, true);
	if (rc == 0)
		rc = tm_queue(&e, 1, &t, true);
	if (rc == 0)
		rc = lvdpa_synth_flow_init(&f, &e.v[1], &e.v[0], 256, 2000);
	if (rc == 0) {
		rc = lvdpa_synth_flow_run(&f, 2000, 3000);
		lvdpa_synth_flow_fini(&f);
	}
	if (rc != 0) {
		struct lvdpa_devx_virtq_counters ct, cr;
		struct lvdpa_devx_virtq_attr qt, qr;
		struct rte_eth_stats st;

		lvdpa_devx_counters_query(e.v[1].counters, &ct);
		lvdpa_devx_counters_query(e.v[0].counters, &cr);
		lvdpa_synth_vq_query(&e.v[1], &qt);
		lvdpa_synth_vq_query(&e.v[0], &qr);
		rte_eth_stats_get(tm_port, &st);
		fprintf(stderr, "# sent %" PRIu64 " received %" PRIu64 " tx free %u rx free %u; "
			"TX %" PRIu64 "/%" PRIu64 " st %u idx %u/%u RX %" PRIu64 "/%" PRIu64 " st %u idx %u/%u; "
			"port o %" PRIu64 " i %" PRIu64 " oerr %" PRIu64 " imiss %" PRIu64 "\n",
			f.sent, f.received, e.q[1].nfree, e.q[0].nfree,
			ct.received_desc, ct.completed_desc, qt.state, qt.hw_available_index,
			qt.hw_used_index, cr.received_desc, cr.completed_desc, qr.state,
			qr.hw_available_index, qr.hw_used_index, st.opackets - st0.opackets,
			st.ipackets - st0.ipackets, st.oerrors, st.imissed);
	}
	tm_teardown(&e);
	LVDPA_TEST_ASSERT(rc == 0, "flow: %d", rc);
	LVDPA_TEST_ASSERT_EQ(f.received, 2000, "frames back from the wire");
	LVDPA_TEST_ASSERT(rte_eth_stats_get(tm_port, &st1) == 0, "stats");
	LVDPA_TEST_ASSERT_EQ(st1.opackets - st0.opackets, 2000, "sent on the uplink");
	LVDPA_TEST_ASSERT_EQ(st1.ipackets - st0.ipackets, 2000, "received from the uplink");
	return 0;
}

/*
 * An uplink port nobody started: the model starts it (the NIC owns its
 * wire), frames go out and come back, and closing the model stops it.
 */
static int
test_model_uplink_model_starts_port(void)
{
	struct lvdpa_synth_qcfg r = tm_qcfg(256, true, false, false, false, false);
	struct lvdpa_synth_qcfg t = tm_qcfg(256, false, false, false, false, false);
	struct rte_eth_conf conf;
	struct lvdpa_synth_flow f;
	struct tm_env e;
	uint16_t port;
	int rc;

	LVDPA_TEST_ASSERT(tm_eal() == 0, "EAL");
	LVDPA_TEST_ASSERT(rte_vdev_init("net_ring1", NULL) == 0, "net_ring1");
	LVDPA_TEST_ASSERT(rte_eth_dev_get_port_by_name("net_ring1", &port) == 0,
			  "port");
	LVDPA_TEST_ASSERT(tm_open(&e, "max_queues=2,uplink=net_ring1") == 0, "open");
	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == -EBUSY)
		rc = tm_queue(&e, 0, &r, true);
	else
		rc = rc == 0 ? -EPROTO : rc; /* the model left the port stopped */
	if (rc == 0)
		rc = tm_queue(&e, 1, &t, true);
	if (rc == 0)
		rc = lvdpa_synth_flow_init(&f, &e.v[1], &e.v[0], 256, 500);
	if (rc == 0) {
		rc = lvdpa_synth_flow_run(&f, 500, 3000);
		lvdpa_synth_flow_fini(&f);
	}
	tm_teardown(&e);
	LVDPA_TEST_ASSERT(rc == 0, "started port, flow: %d", rc);
	LVDPA_TEST_ASSERT_EQ(f.received, 500, "frames back from the wire");
	LVDPA_TEST_ASSERT_EQ(rte_eth_dev_configure(port, 1, 1, &conf), 0,
			     "stopped again when the model closed");
	rte_eth_dev_close(port);
	LVDPA_TEST_ASSERT_EQ(rte_vdev_uninit("net_ring1"), 0, "uninit");
	return 0;
}

/*
 * Offers @p n frames to a MAC no function owns (the wire's) on TX queue 1
 * and waits until the device has taken them all.
 */
static int
tm_send_to_wire(struct tm_env *e, unsigned int n)
{
	static const uint8_t wire[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	uint64_t deadline = rte_get_timer_cycles() + 3 * rte_get_timer_hz();
	unsigned int added = 0, reaped = 0;
	uint8_t frame[64];
	int rc;

	while (reaped < n && rte_get_timer_cycles() < deadline) {
		while (added < n) {
			lvdpa_synth_frame_fill(frame, sizeof(frame), wire, src, added);
			if (lvdpa_synth_tx_add(&e->q[1], frame, sizeof(frame)) != 0)
				break;
			added++;
		}
		lvdpa_synth_vq_kick(&e->v[1], lvdpa_synth_publish(&e->q[1]));
		rc = lvdpa_synth_tx_reap(&e->q[1]);
		if (rc < 0)
			return rc;
		reaped += rc;
		if (reaped < n)
			usleep(100);
	}
	return reaped == n ? 0 : -ETIMEDOUT;
}

/*
 * The application removes the uplink while the device uses it (as
 * rte_eal_cleanup does with the uplink's vdev first): from the port's
 * DESTROY event on, the device sends nothing there and never touches the
 * port number again, which the next port gets. The guest's frames for the
 * wire are dropped, not held. net_null: its close frees nothing that its
 * RX and TX use, so the worker's last polls before the event are safe.
 */
static int
test_model_uplink_removed_under_device(void)
{
	struct lvdpa_synth_qcfg t = tm_qcfg(256, false, false, false, false, false);
	struct rte_eth_stats st;
	struct rte_eth_conf conf;
	uint16_t port, next;
	struct tm_env e;
	int rc;

	LVDPA_TEST_ASSERT(tm_eal() == 0, "EAL");
	LVDPA_TEST_ASSERT(rte_vdev_init("net_null_up0", NULL) == 0, "net_null_up0");
	LVDPA_TEST_ASSERT(rte_eth_dev_get_port_by_name("net_null_up0", &port) == 0, "port");
	LVDPA_TEST_ASSERT(tm_open(&e, "max_queues=2,uplink=net_null_up0") == 0, "open");
	rc = tm_queue(&e, 1, &t, true);
	if (rc == 0)
		rc = tm_send_to_wire(&e, 100);
	if (rc == 0 && (rte_eth_stats_get(port, &st) != 0 || st.opackets != 100))
		rc = -EPROTO;
	if (rc != 0) {
		tm_teardown(&e);
		rte_vdev_uninit("net_null_up0");
		LVDPA_TEST_ASSERT(0, "100 frames out on the uplink first: %d", rc);
	}

	/* What rte_eal_cleanup does to a vdev: no stop, close and release. */
	rc = rte_vdev_uninit("net_null_up0");
	if (rc == 0)
		rc = rte_vdev_init("net_null_up1", NULL);
	if (rc == 0)
		rc = rte_eth_dev_get_port_by_name("net_null_up1", &next);
	if (rc == 0)
		rc = tm_port_start(next);
	if (rc != 0) {
		tm_teardown(&e);
		LVDPA_TEST_ASSERT(0, "uplink removed, a new port started: %d", rc);
	}
	if (next != port)
		fprintf(stderr, "# the new port is %u, not %u: no reuse to check\n", next, port);
	/* The guest's frames for the wire are dropped, and none reach the new port. */
	rc = tm_send_to_wire(&e, 100);
	if (rc == 0) {
		/*
		 * Nothing to poll: the idle worker sleeps until a doorbell, not
		 * on the uplink's 100 us timer (up to 5000 wake-ups in 500 ms;
		 * without the fix 251 switches on the two-CPU VM this was
		 * written on, 0 with it).
		 */
		long before = 0, after = 0;

		rte_delay_ms(50);
		lvdpa_test_threads(NULL, &before);
		rte_delay_ms(500);
		lvdpa_test_threads(NULL, &after);
		if (after - before > 20) {
			fprintf(stderr, "# other threads switched %ld times in 500 ms\n",
				after - before);
			rc = -EBUSY;
		}
	}
	tm_teardown(&e);
	LVDPA_TEST_ASSERT_EQ(rc, 0, "the frames sent after the removal are taken, "
			     "and the worker sleeps without an uplink");
	LVDPA_TEST_ASSERT(rte_eth_stats_get(next, &st) == 0, "stats");
	LVDPA_TEST_ASSERT_EQ(st.opackets, 0, "nothing sent on port %u, the uplink's old number", next);
	/* Closing the device left the new port alone: still started. */
	memset(&conf, 0, sizeof(conf));
	LVDPA_TEST_ASSERT_EQ(rte_eth_dev_configure(next, 1, 1, &conf), -EBUSY,
			     "port %u still started after the device closed", next);
	rte_eth_dev_stop(next);
	LVDPA_TEST_ASSERT_EQ(rte_vdev_uninit("net_null_up1"), 0, "uninit");
	return 0;
}

static int
test_model_uplink_unknown_port(void)
{
	struct lvdpa_tp_dev *dev = NULL;
	char params[32];

	LVDPA_TEST_ASSERT(tm_eal() == 0, "EAL and net_ring0");
	LVDPA_TEST_ASSERT(lvdpa_transport_open("model", "uplink=net_nosuch", &dev) < 0,
			  "an unknown ethdev is refused");
	LVDPA_TEST_ASSERT(dev == NULL, "no device");
	snprintf(params, sizeof(params), "lcore=%u", rte_get_main_lcore());
	LVDPA_TEST_ASSERT(lvdpa_transport_open("model", params, &dev) < 0,
			  "the main lcore is no worker lcore");
	LVDPA_TEST_ASSERT(dev == NULL, "no device");
	return 0;
}

/* The worker on an EAL lcore instead of a pthread. */
static int
test_model_worker_lcore(void)
{
	struct lvdpa_synth_qcfg r = tm_qcfg(256, true, false, false, false, false);
	struct lvdpa_synth_qcfg t = tm_qcfg(256, false, false, false, false, false);
	struct lvdpa_synth_flow f;
	enum rte_lcore_state_t during = WAIT, after;
	unsigned int lc;
	char params[64];
	struct tm_env e;
	int rc;

	LVDPA_TEST_ASSERT(tm_eal() == 0, "EAL");
	lc = rte_get_next_lcore(-1, 1, 0);
	if (lc >= RTE_MAX_LCORE) {
		fprintf(stderr, "# one lcore only: nothing to launch on\n");
		return 0;
	}
	snprintf(params, sizeof(params), "max_queues=2,lcore=%u", lc);
	LVDPA_TEST_ASSERT(tm_open(&e, params) == 0, "open with %s", params);
	rc = tm_queue(&e, 0, &r, true);
	if (rc == 0)
		rc = tm_queue(&e, 1, &t, true);
	if (rc == 0)
		rc = lvdpa_synth_flow_init(&f, &e.v[1], &e.v[0], 64, 5000);
	if (rc == 0) {
		rc = lvdpa_synth_flow_run(&f, 5000, 3000);
		lvdpa_synth_flow_fini(&f);
	}
	during = rte_eal_get_lcore_state(lc);
	tm_teardown(&e);
	after = rte_eal_get_lcore_state(lc);
	LVDPA_TEST_ASSERT(rc == 0, "flow: %d", rc);
	LVDPA_TEST_ASSERT_EQ(f.received, 5000, "frames");
	LVDPA_TEST_ASSERT_EQ(during, RUNNING, "the worker ran on lcore %u", lc);
	LVDPA_TEST_ASSERT_EQ(after, WAIT, "and was joined at close");
	/* Busy now? Not any more: a second open may take it. */
	LVDPA_TEST_ASSERT(tm_open(&e, params) == 0, "reopen on lcore %u", lc);
	tm_teardown(&e);
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_model_worker_lcore),
	LVDPA_TEST_CASE(test_model_uplink_loop),
	LVDPA_TEST_CASE(test_model_uplink_model_starts_port),
	LVDPA_TEST_CASE(test_model_uplink_removed_under_device),
	LVDPA_TEST_CASE(test_model_uplink_unknown_port),
)
