/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Devargs and probe/remove of the lvdpa PMD (linked in): good values probe
 * a vDPA device with what they ask for; every bad value fails the probe
 * cleanly (no device left, the next probe works) with a log line naming
 * the key and the value.
 */

#include <stdio.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_log.h>
#include <rte_vdpa.h>
#include <rte_vhost.h>

#include "lvdpa_test.h"
#include "lvdpa_test_eal.h"

static FILE *lvdpa_log;

static int
lvdpa_eal(void)
{
	static int done;

	if (done)
		return 0;
	if (lvdpa_test_eal_init("vdpa-devargs", 128, NULL) != 0)
		return -1;
	lvdpa_log = tmpfile();
	if (lvdpa_log == NULL)
		return -1;
	rte_openlog_stream(lvdpa_log);
	done = 1;
	return 0;
}

/* Log text written since the last call. */
static void
lvdpa_log_take(char *buf, size_t len)
{
	size_t n;

	fflush(lvdpa_log);
	rewind(lvdpa_log);
	n = fread(buf, 1, len - 1, lvdpa_log);
	buf[n] = '\0';
	rewind(lvdpa_log);
	if (ftruncate(fileno(lvdpa_log), 0) != 0)
		buf[0] = '\0';
	fprintf(stderr, "%s", buf);   /* keep it visible in the test log */
}

static int
test_probe_defaults(void)
{
	struct rte_vdpa_device *d;
	uint32_t qn = 0;
	uint64_t f = 0;

	LVDPA_TEST_ASSERT(lvdpa_eal() == 0, "EAL");
	LVDPA_TEST_ASSERT_EQ(rte_vdev_init("lvdpa0", ""), 0, "probe with defaults");
	d = rte_vdpa_find_device_by_name("lvdpa0");
	LVDPA_TEST_ASSERT(d != NULL, "listed as a vDPA device");
	LVDPA_TEST_ASSERT_EQ(rte_vdpa_get_queue_num(d, &qn), 0, "queue num");
	LVDPA_TEST_ASSERT_EQ(qn, 8, "model default: 16 queues, 8 pairs");
	LVDPA_TEST_ASSERT_EQ(rte_vdpa_get_features(d, &f), 0, "features");
	LVDPA_TEST_ASSERT(f & (1ULL << 32), "VERSION_1 offered");
	LVDPA_TEST_ASSERT(f & (1ULL << 34), "RING_PACKED offered");
	LVDPA_TEST_ASSERT(f & (1ULL << 26), "LOG_ALL offered");
	LVDPA_TEST_ASSERT(f & (1ULL << 15), "MRG_RXBUF offered");
	LVDPA_TEST_ASSERT(!(f & (1ULL << 29)), "EVENT_IDX never (no virtq field)");
	LVDPA_TEST_ASSERT_EQ(rte_vdev_uninit("lvdpa0"), 0, "remove");
	LVDPA_TEST_ASSERT(rte_vdpa_find_device_by_name("lvdpa0") == NULL,
			  "unlisted after remove");
	return 0;
}

static int
test_probe_all_keys(void)
{
	struct rte_vdpa_device *d;
	struct rte_vdpa_stat st[16];
	uint32_t qn = 0;
	uint64_t f = 0;
	int n;

	LVDPA_TEST_ASSERT(lvdpa_eal() == 0, "EAL");
	LVDPA_TEST_ASSERT_EQ(rte_vdev_init("lvdpa0",
		"device=model,queues=2,queue_size=256,legacy=device,"
		"host_order=strong,event_mode=0,event_us=50,no_traffic_time=1,"
		"event_core=-1,hw_latency_mode=1,hw_max_latency_us=10,"
		"hw_max_pending_comp=16,model_legacy=1,model_packed=0,"
		"model_max_queue_size=1024,model_max_queues=8,"
		"max_conf_threads=2,model_latency=cx6dx+create_virtq:100,"
		"model_poll_us=1000000"), 0,
		"probe with every key");
	d = rte_vdpa_find_device_by_name("lvdpa0");
	LVDPA_TEST_ASSERT(d != NULL, "listed");
	LVDPA_TEST_ASSERT_EQ(rte_vdpa_get_queue_num(d, &qn), 0, "queue num");
	LVDPA_TEST_ASSERT_EQ(qn, 4, "model_max_queues=8: 4 pairs");
	LVDPA_TEST_ASSERT_EQ(rte_vdpa_get_features(d, &f), 0, "features");
	LVDPA_TEST_ASSERT(!(f & (1ULL << 34)), "model_packed=0: no RING_PACKED");
	LVDPA_TEST_ASSERT(f & (1ULL << 15), "MRG_RXBUF (per queue on the device)");
	/* Pre-created queues have counters: stats answer, all zero. */
	n = rte_vdpa_get_stats(d, 0, st, RTE_DIM(st));
	LVDPA_TEST_ASSERT(n >= 6, "stats of queue 0: %d", n);
	LVDPA_TEST_ASSERT_EQ(st[0].value, 0, "nothing received yet");
	LVDPA_TEST_ASSERT(rte_vdpa_get_stats(d, 8, st, RTE_DIM(st)) < 0,
			  "queue 8 of 8 is out of range");
	LVDPA_TEST_ASSERT_EQ(rte_vdev_uninit("lvdpa0"), 0, "remove");
	return 0;
}

static const struct {
	const char *args;
	const char *expect;  /* in the log */
} lvdpa_bad[] = {
	{ "queues=abc", "queues=abc" },
	{ "queues=-1", "queues=-1" },
	{ "queues= 1,queue_size=256", "queues= 1" },
	{ "queues=1,queue_size=100", "queue_size=100" },
	{ "queues=1", "queues=1 queue_size=0" },
	{ "queues=200,queue_size=256", "queues=200" },
	{ "queues=8,queue_size=256,model_max_queues=8", "queues=8" },
	{ "legacy=maybe", "legacy=maybe" },
	{ "host_order=sideways", "host_order=sideways" },
	{ "event_mode=3", "event_mode=3" },
	{ "event_us=0", "event_us=0" },
	{ "event_core=-2", "event_core=-2" },
	{ "event_core=+0", "event_core=+0" },
	{ "event_core= 0", "event_core= 0" },
	{ "hw_max_latency_us=4096", "hw_max_latency_us=4096" },
	{ "model_max_queue_size=1000", "model_max_queue_size=1000" },
	{ "model_max_queues=1", "model_max_queues=1" },
	{ "model_packed=2", "model_packed=2" },
	{ "model_mrg_rxbuf=1", "model_mrg_rxbuf=1" },
	{ "max_conf_threads=257", "max_conf_threads=257" },
	{ "bogus=1", "bogus=1" },
	{ "queues=1,queues=2", "queues given twice" },
	{ "device=", "device=" },
	{ "device=lvdpa_no_such_dev", "device=lvdpa_no_such_dev" },
	{ "device=mlx5_0,model_packed=0", "model_packed" },
	{ "device=mlx5_0,uplink=net_null0", "uplink" },
	{ "model_latency=slowest", "slowest" },
	{ "device=mlx5_0,model_latency=cx6dx", "model_latency" },
	{ "model_poll_us=-1", "model_poll_us=-1" },
	{ "model_poll_us=1000001", "model_poll_us=1000001" },
	{ "model_poll_us=abc", "model_poll_us=abc" },
	{ "model_poll_us=", "model_poll_us=" },
	{ "device=mlx5_0,model_poll_us=0", "model_poll_us" },
};

static int
test_probe_bad_values(void)
{
	char log[8192];
	unsigned int i;

	LVDPA_TEST_ASSERT(lvdpa_eal() == 0, "EAL");
	lvdpa_log_take(log, sizeof(log));
	for (i = 0; i < RTE_DIM(lvdpa_bad); i++) {
		int rc = rte_vdev_init("lvdpa1", lvdpa_bad[i].args);

		lvdpa_log_take(log, sizeof(log));
		LVDPA_TEST_ASSERT(rc < 0, "\"%s\" probed (rc %d)", lvdpa_bad[i].args, rc);
		LVDPA_TEST_ASSERT(strstr(log, lvdpa_bad[i].expect) != NULL,
				  "\"%s\": the log does not name \"%s\": %s",
				  lvdpa_bad[i].args, lvdpa_bad[i].expect, log);
		LVDPA_TEST_ASSERT(rte_vdpa_find_device_by_name("lvdpa1") == NULL,
				  "\"%s\" left a device", lvdpa_bad[i].args);
	}
	/* Nothing was left behind: the same name probes now. */
	LVDPA_TEST_ASSERT_EQ(rte_vdev_init("lvdpa1", "queues=1,queue_size=64"), 0,
			     "probe after the failures");
	LVDPA_TEST_ASSERT_EQ(rte_vdev_uninit("lvdpa1"), 0, "remove");
	return 0;
}

static int
test_probe_event_modes(void)
{
	static const char *const args[] = {
		"event_mode=0,event_us=10", "event_mode=1,no_traffic_time=0",
		"event_mode=2,queues=2,queue_size=128", "event_mode=2,event_core=0",
		"legacy=relay", "legacy=relay,event_mode=2,host_order=weak",
	};
	unsigned int i;

	LVDPA_TEST_ASSERT(lvdpa_eal() == 0, "EAL");
	for (i = 0; i < RTE_DIM(args); i++) {
		LVDPA_TEST_ASSERT_EQ(rte_vdev_init("lvdpa0", args[i]), 0, "%s", args[i]);
		LVDPA_TEST_ASSERT(rte_vdpa_find_device_by_name("lvdpa0") != NULL, "listed");
		LVDPA_TEST_ASSERT_EQ(rte_vdev_uninit("lvdpa0"), 0, "remove");
	}
	return 0;
}

static int
test_probe_two_devices(void)
{
	struct rte_vdpa_device *a, *b;

	LVDPA_TEST_ASSERT(lvdpa_eal() == 0, "EAL");
	LVDPA_TEST_ASSERT_EQ(rte_vdev_init("lvdpa0", "queues=1,queue_size=128"), 0, "first");
	LVDPA_TEST_ASSERT_EQ(rte_vdev_init("lvdpa1", "model_max_queues=4"), 0, "second");
	a = rte_vdpa_find_device_by_name("lvdpa0");
	b = rte_vdpa_find_device_by_name("lvdpa1");
	LVDPA_TEST_ASSERT(a != NULL && b != NULL && a != b, "two devices");
	LVDPA_TEST_ASSERT_EQ(rte_vdev_uninit("lvdpa0"), 0, "remove first");
	LVDPA_TEST_ASSERT(rte_vdpa_find_device_by_name("lvdpa1") == b, "second stays");
	LVDPA_TEST_ASSERT_EQ(rte_vdev_uninit("lvdpa1"), 0, "remove second");
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_probe_defaults),
	LVDPA_TEST_CASE(test_probe_all_keys),
	LVDPA_TEST_CASE(test_probe_bad_values),
	LVDPA_TEST_CASE(test_probe_event_modes),
	LVDPA_TEST_CASE(test_probe_two_devices),
)
