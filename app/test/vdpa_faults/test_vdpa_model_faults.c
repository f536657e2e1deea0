/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The PMD against a device that fails on demand (the model_faults devarg,
 * doc/guides/model.rst, Fault injection), app/lvdpa-guest as the frontend
 * in this process:
 * - a virtq create refused with an error syndrome during dev_conf: that
 *   guest's configuration fails cleanly (logged, nothing served), the next
 *   connection is served;
 * - a TX queue put in ERR by the device mid-traffic: the PMD recreates it
 *   where the device stopped, every packet comes back once and intact, the
 *   stats count the error and the recovery;
 * - a queue failing again and again: recovered 3 times, then disabled
 *   (stats and log say so), nothing more is served on it, the other queue
 *   pair goes on;
 * - the event channel hung up mid-traffic (event_mode 2, where it carries
 *   the completions): logged once, traffic continues by polling, and a
 *   queue error is still found (by query) and recovered;
 * - a bad model_faults value: the probe fails, naming the key and value.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_bus_vdev.h>

#include "lvdpa_guest_priv.h"
#include "lvdpa_test.h"
#include "../vdpa/test_vdpa_common.h"

static const char *const lvdpa_mf_vdevs[] = {
	"lvdpa0,model_faults=cmd:create_virtq:2",
	"lvdpa1,model_faults=vq_err:1:300",
	"lvdpa2,model_faults=vq_err:3:100:4",
	"lvdpa3,event_mode=2,model_faults=evchan_hup:3+vq_err:1:1500",
};

static char lvdpa_mf_log[1 << 18];

/* Machine-readable figures for devtools/hardening-figures.sh: a TAP comment. */
#define LVDPA_MF_FIGURE(fmt, ...) do { \
	printf("# figure: test=vdpa-model-faults " fmt "\n", ##__VA_ARGS__); \
	fflush(stdout); \
} while (0)

static int
lvdpa_mf_eal(void)
{
	return lvdpa_tv_eal("vdpa-model-faults", lvdpa_mf_vdevs,
			    RTE_DIM(lvdpa_mf_vdevs), 1);
}

static uint64_t
lvdpa_mf_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned int
lvdpa_mf_count(const char *hay, const char *needle)
{
	unsigned int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* A guest on @p sock with @p qps queue pairs, connected (NULL on failure). */
static struct lvdpa_guest *
lvdpa_mf_guest(const char *sock, uint16_t qps)
{
	struct lvdpa_guest_config cfg;
	struct lvdpa_guest *g;

	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = sock;
	cfg.features = LVDPA_GUEST_FEATURES_MODERN;
	cfg.queue_pairs = qps;
	cfg.mem_size = 16 << 20;
	g = lvdpa_guest_create(&cfg);
	if (g == NULL)
		return NULL;
	if (lvdpa_guest_connect(g) != 0) {
		lvdpa_guest_destroy(g);
		return NULL;
	}
	return g;
}

static void
lvdpa_mf_guest_end(struct lvdpa_guest *g)
{
	if (g == NULL)
		return;
	lvdpa_guest_stop(g);
	lvdpa_guest_destroy(g);
}

/* Stat @p name of queue @p q of @p dev once it is at least @p want. */
static uint64_t
lvdpa_mf_wait_stat(struct rte_vdpa_device *dev, int q, const char *name,
		   uint64_t want, unsigned int timeout_ms)
{
	uint64_t end = lvdpa_mf_now_ms() + timeout_ms, v;

	for (;;) {
		v = lvdpa_tv_stat(dev, q, name);
		if ((v != UINT64_MAX && v >= want) || lvdpa_mf_now_ms() > end)
			return v;
		usleep(10000);
	}
}

static int
test_cmd_error_in_dev_conf(void)
{
	struct rte_vdpa_device *dev;
	struct lvdpa_guest_stats st;
	struct lvdpa_guest *g = NULL;
	char sock[128];
	int rc, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_mf_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name("lvdpa0");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa0");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, "conf", sock, sizeof(sock)), 0,
			     "socket");
	lvdpa_tv_log_take(lvdpa_mf_log, sizeof(lvdpa_mf_log));
	/* The second virtq create of dev_conf is refused: INT_ERR, 0x1f0003. */
	g = lvdpa_mf_guest(sock, 1);
	if (g == NULL) {
		fprintf(stderr, "# the first guest did not connect\n");
		goto out;
	}
	rc = lvdpa_guest_run_traffic(g, 16, 1000);
	lvdpa_guest_get_stats(g, &st);
	lvdpa_tv_log_take(lvdpa_mf_log, sizeof(lvdpa_mf_log));
	if (rc == 0 || st.received != 0 || st.bad != 0) {
		fprintf(stderr, "# a guest whose configuration failed got traffic: rc %d received %" PRIu64 " bad %" PRIu64 "\n",
			rc, st.received, st.bad);
		goto out;
	}
	if (strstr(lvdpa_mf_log, "syndrome 0x001f0003") == NULL ||
	    strstr(lvdpa_mf_log, "configuration failed") == NULL) {
		fprintf(stderr, "# the refusal and the failed configuration were not logged\n");
		goto out;
	}
	lvdpa_mf_guest_end(g);
	g = NULL;
	/* Nothing of it is left behind: the next connection is served. */
	g = lvdpa_mf_guest(sock, 1);
	rc = g != NULL ? lvdpa_guest_run_traffic(g, 500, 10000) : -1;
	if (rc != 0) {
		fprintf(stderr, "# the next connection was not served: %s\n",
			g != NULL ? lvdpa_guest_verdict(g, rc) : "no connection");
		goto out;
	}
	LVDPA_MF_FIGURE("case=cmd_error_in_dev_conf faults=1 packets=500 packets_lost=0");
	ret = 0;
out:
	lvdpa_mf_guest_end(g);
	lvdpa_tv_log_take(lvdpa_mf_log, sizeof(lvdpa_mf_log));
	lvdpa_tv_sock_stop(sock);
	return ret;
}

static int
test_queue_error_recovered(void)
{
	struct rte_vdpa_device *dev;
	struct lvdpa_guest_stats st;
	struct lvdpa_guest *g = NULL;
	uint64_t rec, err, dis, done0, done;
	char sock[128];
	int rc, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_mf_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name("lvdpa1");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa1");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, "recover", sock, sizeof(sock)), 0,
			     "socket");
	done0 = lvdpa_tv_stat(dev, 1, "completed_descriptors");
	g = lvdpa_mf_guest(sock, 1);
	if (g == NULL) {
		fprintf(stderr, "# no connection\n");
		goto out;
	}
	/* TX queue 1 enters ERR after 300 descriptors, in the middle of these. */
	rc = lvdpa_guest_run_traffic(g, 2000, 10000);
	lvdpa_guest_get_stats(g, &st);
	lvdpa_tv_log_take(lvdpa_mf_log, sizeof(lvdpa_mf_log));
	if (rc != 0 || st.bad != 0 || st.dup != 0 || st.received != 2000) {
		fprintf(stderr, "# traffic across the recovery: %s\n",
			lvdpa_guest_verdict(g, rc));
		goto out;
	}
	rec = lvdpa_tv_stat(dev, 1, "queue recoveries");
	err = lvdpa_tv_stat(dev, 1, "error events");
	dis = lvdpa_tv_stat(dev, 1, "queue disabled");
	done = lvdpa_tv_stat(dev, 1, "completed_descriptors");
	fprintf(stderr, "# queue 1: recoveries %" PRIu64 ", error events %" PRIu64 ", disabled %" PRIu64 ", completed %" PRIu64 "\n",
		rec, err, dis, done - done0);
	if (rec != 1 || err != 1 || dis != 0 || done - done0 != 2000) {
		fprintf(stderr, "# the stats do not show one recovery\n");
		goto out;
	}
	if (strstr(lvdpa_mf_log, "queue 1: device error") == NULL ||
	    strstr(lvdpa_mf_log, "queue 1: recovered") == NULL) {
		fprintf(stderr, "# the error and the recovery were not logged\n");
		goto out;
	}
	/* The guest can still stop the device and get its indices. */
	rc = lvdpa_guest_stop(g);
	if (rc != 0) {
		fprintf(stderr, "# stop after the recovery: %d\n", rc);
		goto out;
	}
	LVDPA_MF_FIGURE("case=queue_error_recovered faults=1 packets=%" PRIu64
			" packets_lost=%" PRIu64, st.sent, st.sent - st.received);
	ret = 0;
out:
	if (g != NULL)
		lvdpa_guest_destroy(g);
	lvdpa_tv_log_take(lvdpa_mf_log, sizeof(lvdpa_mf_log));
	lvdpa_tv_sock_stop(sock);
	return ret;
}

/* Send and receive on @p qp until stat @p name of @p q reaches 1 or timeout. */
static void
lvdpa_mf_pump(struct lvdpa_guest *g, unsigned int qp, struct rte_vdpa_device *dev,
	      int q, const char *name, unsigned int timeout_ms)
{
	uint64_t end = lvdpa_mf_now_ms() + timeout_ms;

	while (lvdpa_mf_now_ms() < end) {
		uint64_t v = lvdpa_tv_stat(dev, q, name);

		if (v != UINT64_MAX && v > 0)
			return;
		if (lvdpa_guest_send(g, qp, 16, 0) < 0 || lvdpa_guest_recv(g, qp, 256) < 0)
			return;
		usleep(1000);
	}
}

/* Receive on @p qp until @p want packets in all, or timeout. */
static void
lvdpa_mf_drain(struct lvdpa_guest *g, unsigned int qp, uint64_t want,
	       unsigned int timeout_ms)
{
	uint64_t end = lvdpa_mf_now_ms() + timeout_ms;
	struct lvdpa_guest_stats st;

	do {
		if (lvdpa_guest_recv(g, qp, 256) < 0)
			return;
		lvdpa_guest_get_stats(g, &st);
		if (st.received >= want)
			return;
		usleep(2000);
	} while (lvdpa_mf_now_ms() < end);
}

static int
test_repeated_errors_disable(void)
{
	struct rte_vdpa_device *dev;
	struct lvdpa_guest_stats st, st2;
	struct lvdpa_guest *g = NULL;
	uint64_t rec, err, dis, done0, done, sent0;
	unsigned int i;
	char sock[128];
	int ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_mf_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name("lvdpa2");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa2");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, "repeat", sock, sizeof(sock)), 0,
			     "socket");
	done0 = lvdpa_tv_stat(dev, 3, "completed_descriptors");
	g = lvdpa_mf_guest(sock, 2);
	if (g == NULL) {
		fprintf(stderr, "# no connection\n");
		goto out;
	}
	/* TX queue 3 fails every 100 descriptors: 3 recoveries, then disabled. */
	lvdpa_mf_pump(g, 1, dev, 3, "queue disabled", 10000);
	lvdpa_mf_drain(g, 1, 400, 2000);
	usleep(100000);
	lvdpa_guest_recv(g, 1, 256);
	lvdpa_guest_get_stats(g, &st);
	lvdpa_tv_log_take(lvdpa_mf_log, sizeof(lvdpa_mf_log));
	rec = lvdpa_tv_stat(dev, 3, "queue recoveries");
	err = lvdpa_tv_stat(dev, 3, "error events");
	dis = lvdpa_tv_stat(dev, 3, "queue disabled");
	done = lvdpa_tv_stat(dev, 3, "completed_descriptors");
	fprintf(stderr, "# queue 3: recoveries %" PRIu64 ", error events %" PRIu64 ", disabled %" PRIu64 ", completed %" PRIu64 "; guest sent %" PRIu64 " received %" PRIu64 "\n",
		rec, err, dis, done - done0, st.sent, st.received);
	if (rec != 3 || err != 4 || dis != 1) {
		fprintf(stderr, "# the stats do not show 3 recoveries then a disabled queue\n");
		goto out;
	}
	/* Exactly what the device completed came back, nothing twice or wrong. */
	if (done - done0 != 400 || st.received != 400 || st.bad != 0 || st.sent <= 400) {
		fprintf(stderr, "# queue 3 served wrong\n");
		goto out;
	}
	if (strstr(lvdpa_mf_log, "queue 3: recovered") == NULL ||
	    strstr(lvdpa_mf_log, "queue disabled") == NULL) {
		fprintf(stderr, "# the recoveries and the disabled queue were not logged\n");
		goto out;
	}
	/* The other queue pair goes on. */
	sent0 = st.sent;
	for (i = 0; i < 20; i++) {
		if (lvdpa_guest_send(g, 0, 10, 0) != 10)
			break;
		lvdpa_mf_drain(g, 0, st.received + 10 * (i + 1), 2000);
	}
	lvdpa_guest_get_stats(g, &st2);
	fprintf(stderr, "# pair 0 after: sent %" PRIu64 " received %" PRIu64 "\n",
		st2.sent - sent0, st2.received - st.received);
	if (i != 20 || st2.received - st.received != 200 || st2.bad != 0) {
		fprintf(stderr, "# queue pair 0 did not go on\n");
		goto out;
	}
	/* And nothing more was served on the disabled queue. */
	if (lvdpa_tv_stat(dev, 3, "completed_descriptors") != done) {
		fprintf(stderr, "# the disabled queue moved\n");
		goto out;
	}
	if (lvdpa_guest_stop(g) != 0) {
		fprintf(stderr, "# stop with a disabled queue\n");
		goto out;
	}
	lvdpa_guest_destroy(g);
	g = NULL;
	/* The queue comes back with the next connection (stats persist). */
	g = lvdpa_mf_guest(sock, 2);
	if (g == NULL || lvdpa_guest_run_traffic(g, 400, 10000) != 0) {
		fprintf(stderr, "# the next connection was not served\n");
		goto out;
	}
	/* Sent on the disabled queue is refused, not lost: never completed. */
	LVDPA_MF_FIGURE("case=repeated_errors_disable faults=%" PRIu64
			" packets=%" PRIu64 " packets_lost=0", err,
			st.received + (st2.received - st.received));
	ret = 0;
out:
	lvdpa_mf_guest_end(g);
	lvdpa_tv_log_take(lvdpa_mf_log, sizeof(lvdpa_mf_log));
	lvdpa_tv_sock_stop(sock);
	return ret;
}

static int
test_event_channel_hangup(void)
{
	struct rte_vdpa_device *dev;
	struct lvdpa_guest_stats st;
	struct lvdpa_guest *g = NULL;
	uint64_t rec;
	char sock[128];
	int rc, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_mf_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name("lvdpa3");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa3");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, "hup", sock, sizeof(sock)), 0,
			     "socket");
	lvdpa_tv_log_take(lvdpa_mf_log, sizeof(lvdpa_mf_log));
	g = lvdpa_mf_guest(sock, 1);
	if (g == NULL) {
		fprintf(stderr, "# no connection\n");
		goto out;
	}
	/*
	 * Completion events end after 3 (the channel hangs up), then TX
	 * queue 1 fails after 1500 descriptors: found by query, recovered.
	 */
	rc = lvdpa_guest_run_traffic(g, 3000, 15000);
	lvdpa_guest_get_stats(g, &st);
	lvdpa_tv_log_take(lvdpa_mf_log, sizeof(lvdpa_mf_log));
	if (rc != 0 || st.bad != 0 || st.received != 3000) {
		fprintf(stderr, "# traffic across the hang-up: %s\n",
			lvdpa_guest_verdict(g, rc));
		goto out;
	}
	if (lvdpa_mf_count(lvdpa_mf_log, "event channel hung up") != 1) {
		fprintf(stderr, "# the hang-up was not logged exactly once\n");
		goto out;
	}
	rec = lvdpa_mf_wait_stat(dev, 1, "queue recoveries", 1, 2000);
	if (rec != 1 || lvdpa_tv_stat(dev, 1, "error events") != 1) {
		fprintf(stderr, "# queue 1 error after the hang-up: recoveries %" PRIu64 "\n",
			rec);
		goto out;
	}
	if (lvdpa_guest_stop(g) != 0) {
		fprintf(stderr, "# stop after the hang-up\n");
		goto out;
	}
	lvdpa_guest_destroy(g);
	g = NULL;
	/* The next connection runs on polling too, without a new log line. */
	g = lvdpa_mf_guest(sock, 1);
	rc = g != NULL ? lvdpa_guest_run_traffic(g, 500, 10000) : -1;
	lvdpa_tv_log_take(lvdpa_mf_log, sizeof(lvdpa_mf_log));
	if (rc != 0 || strstr(lvdpa_mf_log, "event channel hung up") != NULL) {
		fprintf(stderr, "# the next connection: rc %d\n", rc);
		goto out;
	}
	LVDPA_MF_FIGURE("case=event_channel_hangup faults=2 packets=%" PRIu64
			" packets_lost=%" PRIu64, st.sent + 500, st.sent - st.received);
	ret = 0;
out:
	lvdpa_mf_guest_end(g);
	lvdpa_tv_log_take(lvdpa_mf_log, sizeof(lvdpa_mf_log));
	lvdpa_tv_sock_stop(sock);
	return ret;
}

/* A bad model_faults value fails the probe, the log naming key and value. */
static int
test_bad_model_faults(void)
{
	static const char *const bad[] = {
		"vq_err:1", "cmd:destroy_virtq:1", "evchan_hup:0", "cmd:create_virtq:1:0x100",
		"bogus",
	};
	char args[96];
	unsigned int i;

	LVDPA_TEST_ASSERT(lvdpa_mf_eal() == 0, "EAL");
	for (i = 0; i < RTE_DIM(bad); i++) {
		snprintf(args, sizeof(args), "model_faults=%s", bad[i]);
		lvdpa_tv_log_take(lvdpa_mf_log, sizeof(lvdpa_mf_log));
		LVDPA_TEST_ASSERT(rte_vdev_init("lvdpa9", args) != 0, "%s refused", args);
		lvdpa_tv_log_take(lvdpa_mf_log, sizeof(lvdpa_mf_log));
		LVDPA_TEST_ASSERT(strstr(lvdpa_mf_log, "'faults'") != NULL &&
				  strstr(lvdpa_mf_log, bad[i]) != NULL,
				  "the log names faults and '%s'", bad[i]);
		LVDPA_TEST_ASSERT(rte_vdpa_find_device_by_name("lvdpa9") == NULL,
				  "no device left by %s", args);
	}
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_cmd_error_in_dev_conf),
	LVDPA_TEST_CASE(test_queue_error_recovered),
	LVDPA_TEST_CASE(test_repeated_errors_disable),
	LVDPA_TEST_CASE(test_event_channel_hangup),
	LVDPA_TEST_CASE(test_bad_model_faults),
)
