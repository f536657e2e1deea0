/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The PMD under faults and migration, the guest being app/lvdpa-guest in
 * this process (its private header gives the ring state and the message
 * encoders where the public API has no call):
 * - live migration: traffic on lvdpa0 with LOG_ALL logs dirty pages; the
 *   guest stops with packets in flight, GET_VRING_BASE gives the indices;
 *   the same guest memory and rings are then handed to lvdpa1 over another
 *   socket with SET_VRING_BASE = those indices, and every packet comes back
 *   exactly once (sequence numbers);
 *   (modern split, legacy, packed); a frame the source transmitted after
 *   its RX queue stopped is lost on the wire, never duplicated, and every
 *   ring entry is served once;
 * - TX or RX descriptors pointing into the GPA gap between two memory
 *   regions (modern and legacy): the queue goes to ERR with its counter,
 *   the frontend still gets its answers, the next connection is served;
 * - SET_VRING_ADDR outside the memory table: nothing is served on it (the
 *   device is never configured), the next connection is;
 * - a frontend process SIGKILLed in the middle of traffic, then a new one;
 * - a hundred connect / traffic / destroy cycles, modern and legacy
 *   alternating, half of them without a stop, then traffic still passes;
 * - frames waiting in the device when a guest goes away never reach the
 *   next guest on that device.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "lvdpa_guest_priv.h"
#include "lvdpa_test.h"
#include "../vdpa/test_vdpa_common.h"
#include "../vdpa/test_vdpa_migrate.h"

#define LVDPA_FL_F_LOG_ALL 26
#define LVDPA_FL_LOG_SIZE (1u << 20)   /* bitmap of 8 Gi pages: 32 GiB of GPA */
#define LVDPA_FL_CYCLES 100
#define LVDPA_FL_PENDING 64

static const char *const lvdpa_fl_vdevs[] = {
	"lvdpa0",
	"lvdpa1",
	"lvdpa2",
	"lvdpa4",
	"lvdpa5",
	"lvdpa6",
	"lvdpa7",
	"lvdpa8",
};

static int
lvdpa_fl_eal(void)
{
	return lvdpa_tv_eal("vdpa-faults", lvdpa_fl_vdevs,
			    RTE_DIM(lvdpa_fl_vdevs), 1);
}

static bool
lvdpa_fl_bit(const uint8_t *bm, uint64_t gpa)
{
	uint64_t page = gpa / 4096;

	return (bm[page / 8] >> (page % 8)) & 1;
}

static unsigned int
lvdpa_fl_bits(const uint8_t *bm, size_t len)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		n += __builtin_popcount(bm[i]);
	return n;
}

/*
 * Each case has its own source: frames left on a source's wire stay in
 * that device (test_no_frames_from_previous_guest), not in the next case.
 */
static int
lvdpa_fl_migrate(const char *src_name, uint64_t features, const char *tag)
{
	static char log[65536];
	struct { uint64_t size, offset; } lb = { LVDPA_FL_LOG_SIZE, 0 };
	struct lvdpa_guest_config cfg;
	struct rte_vdpa_device *src, *dst;
	struct lvdpa_guest_stats st;
	struct lvdpa_guest *g = NULL;
	uint8_t *bm = MAP_FAILED;
	uint64_t ack = UINT64_MAX, f, dst_tx, src_tx0, src_tx, src_rx0, src_rx, wire;
	bool packed = !!(features & (1ULL << LVDPA_VIRTIO_F_RING_PACKED));
	char sock0[128] = "", sock1[128] = "", name[64];
	unsigned int bits, i, missed;
	uint8_t unposted[256];
	uint16_t rx_base, tx_base;
	int fd = -1, rc, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_fl_eal() == 0, "EAL");
	src = rte_vdpa_find_device_by_name(src_name);
	dst = rte_vdpa_find_device_by_name("lvdpa1");
	LVDPA_TEST_ASSERT(src != NULL && dst != NULL, "%s, lvdpa1", src_name);
	LVDPA_TEST_ASSERT_EQ(rte_vdpa_reset_stats(dst, 1), 0, "reset");
	src_tx0 = lvdpa_tv_stat(src, 1, "completed_descriptors");
	src_rx0 = lvdpa_tv_stat(src, 0, "completed_descriptors");
	snprintf(name, sizeof(name), "src-%s", tag);
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(src, name, sock0, sizeof(sock0)),
			     0, "source socket");
	snprintf(name, sizeof(name), "dst-%s", tag);
	if (lvdpa_tv_sock_start(dst, name, sock1, sizeof(sock1)) != 0) {
		fprintf(stderr, "# destination socket\n");
		goto out;
	}
	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = sock0;
	cfg.features = features;
	cfg.queue_size = 256;
	cfg.mem_regions = 2;
	cfg.mem_size = 64 << 20;
	g = lvdpa_guest_create(&cfg);
	if (g == NULL || lvdpa_guest_connect(g) != 0 ||
	    lvdpa_guest_run_traffic(g, 500, 10000) != 0) {
		fprintf(stderr, "# guest did not run on the source\n");
		goto out;
	}
	fd = memfd_create("lvdpa-fl-log", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, LVDPA_FL_LOG_SIZE) != 0)
		goto out;
	bm = mmap(NULL, LVDPA_FL_LOG_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (bm == MAP_FAILED)
		goto out;
	rc = lvdpa_guest_send_raw(g, LVDPA_GUEST_REQ_SET_LOG_BASE,
				  LVDPA_GUEST_MSG_VERSION, sizeof(lb), &lb, sizeof(lb),
				  &fd, 1, &ack, sizeof(ack));
	if (rc < 0) {
		fprintf(stderr, "# SET_LOG_BASE: %d\n", rc);
		goto out;
	}
	f = lvdpa_guest_features(g) | (1ULL << LVDPA_FL_F_PROTOCOL_FEATURES) |
	    (1ULL << LVDPA_FL_F_LOG_ALL);
	ack = UINT64_MAX;
	rc = lvdpa_guest_send_raw(g, LVDPA_GUEST_REQ_SET_FEATURES,
				  LVDPA_GUEST_MSG_VERSION | LVDPA_GUEST_MSG_NEED_REPLY,
				  sizeof(f), &f, sizeof(f), NULL, 0, &ack, sizeof(ack));
	if (rc < 0 || ack != 0) {
		fprintf(stderr, "# SET_FEATURES with LOG_ALL: %d ack %" PRIu64 "\n", rc, ack);
		goto out;
	}
	memset(bm, 0, LVDPA_FL_LOG_SIZE);
	if (lvdpa_guest_run_traffic(g, 500, 10000) != 0) {
		fprintf(stderr, "# traffic with LOG_ALL failed\n");
		goto out;
	}
	bits = lvdpa_fl_bits(bm, LVDPA_FL_LOG_SIZE);
	/* The device writes the used rings (packed: the descriptor rings). */
	if (bits == 0 ||
	    !lvdpa_fl_bit(bm, packed ? g->qp[0].rx.desc_gpa : g->qp[0].rx.device_gpa) ||
	    !lvdpa_fl_bit(bm, packed ? g->qp[0].tx.desc_gpa : g->qp[0].tx.device_gpa)) {
		fprintf(stderr, "# dirty pages %u, device-written RX ring %d, TX ring %d\n",
			bits,
			lvdpa_fl_bit(bm, packed ? g->qp[0].rx.desc_gpa : g->qp[0].rx.device_gpa),
			lvdpa_fl_bit(bm, packed ? g->qp[0].tx.desc_gpa : g->qp[0].tx.device_gpa));
		goto out;
	}
	/*
	 * 500 packets went through the posted RX buffers (all 256, or 128
	 * when the header has a descriptor of its own): the device wrote
	 * every one of them.
	 */
	memset(unposted, 0, sizeof(unposted));
	for (i = 0; i < g->qp[0].rx_nfree; i++)
		unposted[g->qp[0].rx_free[i]] = 1;
	for (i = 0, missed = 0; i < g->cfg.queue_size; i++)
		if (!unposted[i] && (!lvdpa_fl_bit(bm, g->qp[0].rxb[i].gpa) ||
		    !lvdpa_fl_bit(bm, g->qp[0].rxb[i].gpa + g->hdr_len + 63))) {
			if (missed++ < 4)
				fprintf(stderr, "# RX buffer %u at GPA 0x%" PRIx64 " (hdr %d, data %d) not logged\n",
					i, g->qp[0].rxb[i].gpa,
					lvdpa_fl_bit(bm, g->qp[0].rxb[i].gpa),
					lvdpa_fl_bit(bm, g->qp[0].rxb[i].gpa + g->hdr_len + 63));
		}
	fprintf(stderr, "# %u dirty pages logged on the source, %u RX buffers not logged\n",
		bits, missed);
	if (missed != 0)
		goto out;
	/* Packets in flight when the source stops: the destination finishes them. */
	rc = lvdpa_guest_send(g, 0, 128, 0);
	if (rc != 128) {
		fprintf(stderr, "# queued %d of 128\n", rc);
		goto out;
	}
	lvdpa_tv_log_take(log, sizeof(log));
	if (lvdpa_guest_stop(g) != 0) {
		fprintf(stderr, "# stop on the source failed\n");
		goto out;
	}
	rx_base = g->qp[0].rx.base;
	tx_base = g->qp[0].tx.base;
	lvdpa_guest_get_stats(g, &st);
	fprintf(stderr, "# source stopped: RX base %u, TX base %u, sent %" PRIu64 "\n",
		rx_base, tx_base, st.sent);
	src_tx = lvdpa_tv_stat(src, 1, "completed_descriptors") - src_tx0;
	src_rx = lvdpa_tv_stat(src, 0, "completed_descriptors") - src_rx0;
	/*
	 * A packet the source transmitted after its RX queue was stopped
	 * (QEMU stops RX first) is lost on the wire, as with a real NIC; one
	 * RX buffer per 64-byte packet. Only the 128 sent last can be such.
	 */
	wire = src_tx - src_rx;
	fprintf(stderr, "# source: TX %" PRIu64 " RX %" PRIu64 " chains, %" PRIu64
		" on the wire at stop\n", src_tx, src_rx, wire);
	if (src_rx > src_tx || wire > 128) {
		fprintf(stderr, "# more lost than was in flight\n");
		goto out;
	}
	/* A split ring's base counts the chains the source consumed. */
	if (!packed && tx_base != (uint16_t)src_tx) {
		fprintf(stderr, "# TX base %u, the source completed %" PRIu64 "\n",
			tx_base, src_tx);
		goto out;
	}
	/*
	 * The guest keeps queueing while the device is stopped (its kick
	 * reaches no one): these wait in the TX ring after the base.
	 */
	g->started = true;
	rc = lvdpa_guest_send(g, 0, LVDPA_FL_PENDING, 0);
	g->started = false;
	if (rc != LVDPA_FL_PENDING) {
		fprintf(stderr, "# queued %d of %d while stopped\n", rc, LVDPA_FL_PENDING);
		goto out;
	}
	lvdpa_guest_get_stats(g, &st);
	rc = lvdpa_fl_resume(g, sock1, -1);
	if (rc != 0) {
		fprintf(stderr, "# resume on the destination: %d\n", rc);
		goto out;
	}
	rc = lvdpa_fl_drain(g, wire, 5000);
	lvdpa_guest_get_stats(g, &st);
	if (rc != 0 || st.bad != 0 || st.dup != 0 || st.received != st.sent - wire ||
	    st.tx_done != st.sent) {
		fprintf(stderr, "# after migration: rc %d sent %" PRIu64 " received %" PRIu64
			" (%" PRIu64 " lost on the wire) TX done %" PRIu64 " bad %" PRIu64
			" dup %" PRIu64 "\n", rc, st.sent, st.received, wire, st.tx_done,
			st.bad, st.dup);
		goto out;
	}
	/* The destination took exactly what the source had not consumed. */
	dst_tx = lvdpa_tv_stat(dst, 1, "completed_descriptors");
	if (dst_tx < LVDPA_FL_PENDING || src_tx + dst_tx != st.sent) {
		fprintf(stderr, "# TX chains: source %" PRIu64 " + destination %" PRIu64
			" != sent %" PRIu64 "\n", src_tx, dst_tx, st.sent);
		goto out;
	}
	rc = lvdpa_guest_run_traffic(g, 1000, 10000);
	lvdpa_guest_get_stats(g, &st);
	fprintf(stderr, "# %s\n", lvdpa_guest_verdict(g, rc));
	if (rc != 0 || st.dup != 0 || st.bad != 0) {
		fprintf(stderr, "# traffic on the destination failed\n");
		goto out;
	}
	ret = 0;
out:
	lvdpa_tv_log_take(log, sizeof(log));
	if (bm != MAP_FAILED)
		munmap(bm, LVDPA_FL_LOG_SIZE);
	if (fd >= 0)
		close(fd);
	if (g != NULL) {
		lvdpa_guest_stop(g);
		lvdpa_guest_destroy(g);
	}
	if (sock1[0] != '\0')
		lvdpa_tv_sock_stop(sock1);
	lvdpa_tv_sock_stop(sock0);
	return ret;
}

static int
test_live_migration_modern(void)
{
	return lvdpa_fl_migrate("lvdpa0", LVDPA_GUEST_FEATURES_MODERN, "modern");
}

static int
test_live_migration_legacy(void)
{
	return lvdpa_fl_migrate("lvdpa7", LVDPA_GUEST_FEATURES_LEGACY, "legacy");
}

static int
test_live_migration_packed(void)
{
	return lvdpa_fl_migrate("lvdpa8", LVDPA_GUEST_FEATURES_MODERN |
				(1ULL << LVDPA_VIRTIO_F_RING_PACKED), "packed");
}

/* A fresh guest on @p sock passes @p pkts packets. */
static int
lvdpa_fl_served(const char *sock, uint64_t features, uint64_t pkts)
{
	struct lvdpa_guest_config cfg;
	struct lvdpa_guest *g;
	int rc;

	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = sock;
	cfg.features = features;
	g = lvdpa_guest_create(&cfg);
	if (g == NULL)
		return -errno;
	rc = lvdpa_guest_connect(g);
	if (rc == 0)
		rc = lvdpa_guest_run_traffic(g, pkts, 10000);
	if (rc != 0)
		fprintf(stderr, "# %s\n", lvdpa_guest_verdict(g, rc));
	lvdpa_guest_stop(g);
	lvdpa_guest_destroy(g);
	return rc;
}

/* Wait until stat @p name of queue @p q of @p dev exceeds @p than. */
static uint64_t
lvdpa_fl_wait_stat(struct rte_vdpa_device *dev, int q, const char *name,
		   uint64_t than, unsigned int timeout_ms)
{
	uint64_t end = lvdpa_fl_now_ms() + timeout_ms, v;

	for (;;) {
		v = lvdpa_tv_stat(dev, q, name);
		if ((v != UINT64_MAX && v > than) || lvdpa_fl_now_ms() > end)
			return v;
		usleep(10000);
	}
}

/*
 * Descriptors of queue @p q (0 RX, 1 TX) pointing into the GPA gap
 * between the two regions: the device faults, the queue goes to ERR with
 * its counter, nothing wrong reaches the guest, the next guest is served.
 */
static int
lvdpa_fl_hole(uint64_t features, int q, const char *tag)
{
	static char log[65536];
	struct lvdpa_guest_config cfg;
	struct rte_vdpa_device *dev;
	struct lvdpa_guest_stats st;
	struct lvdpa_guest *g = NULL;
	struct lvdpa_guest_buf *b;
	uint64_t err0, err = 0, hole, end;
	char sock[128], want[32];
	unsigned int i;
	int rc, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_fl_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name("lvdpa2");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa2");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, tag, sock, sizeof(sock)), 0,
			     "socket");
	err0 = lvdpa_tv_stat(dev, q, "error events");
	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = sock;
	cfg.features = features;
	cfg.mem_regions = 2;
	cfg.mem_size = 64 << 20;
	g = lvdpa_guest_create(&cfg);
	if (g == NULL || lvdpa_guest_connect(g) != 0 ||
	    lvdpa_guest_run_traffic(g, 100, 10000) != 0) {
		fprintf(stderr, "# guest did not run\n");
		goto out;
	}
	/* Regions at [0, 32 MiB) and [1 GiB, ...): the middle is a hole. */
	hole = g->mem.r[0].gpa + g->mem.r[0].size + (256u << 20);
	if (g->mem.n != 2 || hole >= g->mem.r[1].gpa) {
		fprintf(stderr, "# no hole in guest memory\n");
		goto out;
	}
	/*
	 * The guest keeps writing frames where it always does; the
	 * descriptors posted from now on say the hole (RX: once the device
	 * has used up the good buffers posted before).
	 */
	b = q == 1 ? g->qp[0].txb : g->qp[0].rxb;
	for (i = 0; i < g->cfg.queue_size; i++)
		b[i].gpa = hole + (uint64_t)i * 4096;
	lvdpa_tv_log_take(log, sizeof(log));
	end = lvdpa_fl_now_ms() + 5000;
	while (lvdpa_fl_now_ms() < end) {
		rc = lvdpa_guest_send(g, 0, q == 1 ? 4 : 16, 0);
		if (rc < 0) {
			fprintf(stderr, "# send: %d\n", rc);
			goto out;
		}
		usleep(5000);
		if (lvdpa_guest_recv(g, 0, 256) < 0)
			break;
		err = lvdpa_tv_stat(dev, q, "error events");
		if (err != UINT64_MAX && err > err0)
			break;
	}
	lvdpa_tv_log_take(log, sizeof(log));
	if (err == UINT64_MAX || err <= err0) {
		fprintf(stderr, "# queue %d error events %" PRIu64 " (before %" PRIu64 ")\n",
			q, err, err0);
		goto out;
	}
	snprintf(want, sizeof(want), "queue %d", q);
	if (strstr(log, want) == NULL || strstr(log, "ERR") == NULL) {
		fprintf(stderr, "# the queue error was not logged\n");
		goto out;
	}
	/* Nothing from the hole may come back as a packet. */
	usleep(100000);
	lvdpa_guest_recv(g, 0, 256);
	lvdpa_guest_get_stats(g, &st);
	fprintf(stderr, "# queue %d in ERR after %" PRIu64 " packets sent, %" PRIu64 " received\n",
		q, st.sent, st.received);
	if (st.bad != 0 || st.received >= st.sent || (q == 1 && st.received != 100)) {
		fprintf(stderr, "# received %" PRIu64 " bad %" PRIu64 " after the fault\n",
			st.received, st.bad);
		goto out;
	}
	/* The frontend still gets its answers from a device with a queue in ERR. */
	rc = lvdpa_guest_stop(g);
	lvdpa_tv_log_take(log, sizeof(log));
	if (rc != 0) {
		fprintf(stderr, "# stop after the fault: %d\n", rc);
		goto out;
	}
	lvdpa_guest_destroy(g);
	g = NULL;
	/* The error stays with that connection: the next guest is served. */
	if (lvdpa_fl_served(sock, features, 500) != 0) {
		fprintf(stderr, "# the next connection was not served\n");
		goto out;
	}
	if (lvdpa_tv_stat(dev, q, "error events") != err) {
		fprintf(stderr, "# more queue errors with the next guest\n");
		goto out;
	}
	ret = 0;
out:
	lvdpa_tv_log_take(log, sizeof(log));
	if (g != NULL) {
		lvdpa_guest_stop(g);
		lvdpa_guest_destroy(g);
	}
	lvdpa_tv_sock_stop(sock);
	return ret;
}

static int
test_tx_desc_in_memory_hole(void)
{
	/* Modern: the header inline, one descriptor per packet. */
	return lvdpa_fl_hole(LVDPA_GUEST_FEATURES_MODERN, 1, "hole-tx");
}

static int
test_rx_desc_in_memory_hole_legacy(void)
{
	/* Legacy: served by the device in legacy mode, header in its own descriptor. */
	return lvdpa_fl_hole(LVDPA_GUEST_FEATURES_LEGACY, 0, "hole-rx");
}

static int
test_tx_desc_in_memory_hole_legacy(void)
{
	return lvdpa_fl_hole(LVDPA_GUEST_FEATURES_ZERO, 1, "hole-tx0");
}

static int
test_ring_outside_memory(void)
{
	static char log[65536];
	struct lvdpa_guest_config cfg;
	struct rte_vdpa_device *dev;
	struct lvdpa_guest_stats st;
	struct lvdpa_guest *g = NULL;
	uint64_t tx0, tx;
	char sock[128];
	int rc, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_fl_eal() == 0, "EAL");
	/* The device of the hole cases: a queue in ERR before changes nothing. */
	dev = rte_vdpa_find_device_by_name("lvdpa2");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa2");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, "ring", sock, sizeof(sock)), 0,
			     "socket");
	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = sock;
	cfg.features = LVDPA_GUEST_FEATURES_MODERN;
	g = lvdpa_guest_create(&cfg);
	if (g == NULL || lvdpa_guest_connect(g) != 0 ||
	    lvdpa_guest_run_traffic(g, 100, 10000) != 0 || lvdpa_guest_stop(g) != 0) {
		fprintf(stderr, "# guest did not run\n");
		goto out;
	}
	tx0 = lvdpa_tv_stat(dev, 1, "completed_descriptors");
	/* A new connection whose TX ring lies outside the memory table. */
	lvdpa_tv_log_take(log, sizeof(log));
	rc = lvdpa_fl_resume(g, sock, 1);
	fprintf(stderr, "# negotiation with the TX ring outside memory: %d\n", rc);
	if (rc == 0) {
		rc = lvdpa_guest_send(g, 0, 8, 0);
		usleep(300000);
		lvdpa_guest_recv(g, 0, 256);
	}
	lvdpa_guest_get_stats(g, &st);
	tx = lvdpa_tv_stat(dev, 1, "completed_descriptors");
	lvdpa_tv_log_take(log, sizeof(log));
	if (st.received != 100 || st.bad != 0 || tx != tx0 ||
	    strstr(log, " configured: ") != NULL) {
		fprintf(stderr, "# a ring outside memory was served: received %" PRIu64
			" bad %" PRIu64 ", TX completed %" PRIu64 " -> %" PRIu64 "\n",
			st.received, st.bad, tx0, tx);
		goto out;
	}
	lvdpa_guest_destroy(g);
	g = NULL;
	if (lvdpa_fl_served(sock, LVDPA_GUEST_FEATURES_MODERN, 500) != 0) {
		fprintf(stderr, "# the next connection was not served\n");
		goto out;
	}
	ret = 0;
out:
	lvdpa_tv_log_take(log, sizeof(log));
	lvdpa_guest_destroy(g);
	lvdpa_tv_sock_stop(sock);
	return ret;
}

static int
test_frontend_killed(void)
{
	static char log[65536];
	struct rte_vdpa_device *dev;
	uint64_t rx0, rx;
	char sock[128];
	int status, ret = -1;
	pid_t pid;

	LVDPA_TEST_ASSERT(lvdpa_fl_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name("lvdpa4");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa4");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, "kill", sock, sizeof(sock)), 0,
			     "socket");
	rx0 = lvdpa_tv_stat(dev, 1, "completed_descriptors");
	pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_WRONLY);

		if (nul >= 0) {
			dup2(nul, STDOUT_FILENO);
			close(nul);
		}
		execl(LVDPA_GUEST_EXE, LVDPA_GUEST_EXE, "--socket", sock,
		      "--packets", "1000000000", "--timeout", "30000", (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		fprintf(stderr, "# fork failed\n");
		goto out;
	}
	lvdpa_tv_child = pid;
	/* Kill it once the device is busy with its traffic. */
	rx = lvdpa_fl_wait_stat(dev, 1, "completed_descriptors", rx0 + 2000, 5000);
	if (rx == UINT64_MAX || rx <= rx0 + 2000) {
		fprintf(stderr, "# the frontend's traffic did not start (%" PRIu64 ")\n", rx);
		goto out;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	lvdpa_tv_child = -1;
	if (!WIFSIGNALED(status)) {
		fprintf(stderr, "# the frontend ended before it was killed\n");
		goto out;
	}
	fprintf(stderr, "# frontend killed after %" PRIu64 " TX chains\n", rx - rx0);
	/* The backend notices the closed socket; the next frontend is served. */
	if (lvdpa_fl_served(sock, LVDPA_GUEST_FEATURES_LEGACY, 1000) != 0) {
		fprintf(stderr, "# the next frontend was not served\n");
		goto out;
	}
	ret = 0;
out:
	lvdpa_tv_log_take(log, sizeof(log));
	if (lvdpa_tv_child > 0) {
		kill(lvdpa_tv_child, SIGKILL);
		waitpid(lvdpa_tv_child, NULL, 0);
		lvdpa_tv_child = -1;
	}
	lvdpa_tv_sock_stop(sock);
	return ret;
}

/*
 * Frames still waiting for RX buffers when a guest goes away belong to
 * that guest: the next connection on the device must never receive them
 * (they would be another guest's data in its memory).
 */
static int
test_no_frames_from_previous_guest(void)
{
	static char log[65536];
	struct lvdpa_guest_config cfg;
	struct rte_vdpa_device *dev;
	struct lvdpa_guest_stats st;
	struct lvdpa_guest *g = NULL;
	char sock[128];
	int rc, n, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_fl_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name("lvdpa6");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa6");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, "stale", sock, sizeof(sock)), 0,
			     "socket");
	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = sock;
	cfg.features = LVDPA_GUEST_FEATURES_MODERN;
	g = lvdpa_guest_create(&cfg);
	if (g == NULL || lvdpa_guest_connect(g) != 0) {
		fprintf(stderr, "# first guest did not connect\n");
		goto out;
	}
	/*
	 * Send without receiving: the 256 posted RX buffers fill, and (send
	 * reaps TX but never reposts RX) the next frames wait in the device.
	 */
	rc = lvdpa_guest_send(g, 0, 256, 0);
	usleep(200000);
	n = lvdpa_guest_send(g, 0, 100, 0);
	usleep(200000);
	lvdpa_guest_get_stats(g, &st);
	fprintf(stderr, "# first guest: sent %d + %d, TX done %" PRIu64 "\n", rc, n, st.tx_done);
	if (rc != 256 || n != 100) {
		fprintf(stderr, "# could not queue the frames\n");
		goto out;
	}
	lvdpa_guest_stop(g);
	lvdpa_guest_destroy(g);
	g = NULL;
	lvdpa_tv_log_take(log, sizeof(log));
	/* A new guest: its RX ring must see its own frames only. */
	g = lvdpa_guest_create(&cfg);
	if (g == NULL || lvdpa_guest_connect(g) != 0) {
		fprintf(stderr, "# second guest did not connect\n");
		goto out;
	}
	usleep(200000);
	lvdpa_guest_recv(g, 0, 256);
	lvdpa_guest_get_stats(g, &st);
	if (st.received != 0 || st.bad != 0) {
		fprintf(stderr, "# the new guest received %" PRIu64 " frames (%" PRIu64
			" not its own) before it sent any\n", st.received + st.bad, st.bad);
		goto out;
	}
	rc = lvdpa_guest_run_traffic(g, 500, 10000);
	fprintf(stderr, "# %s\n", lvdpa_guest_verdict(g, rc));
	if (rc != 0)
		goto out;
	ret = 0;
out:
	lvdpa_tv_log_take(log, sizeof(log));
	if (g != NULL) {
		lvdpa_guest_stop(g);
		lvdpa_guest_destroy(g);
	}
	lvdpa_tv_sock_stop(sock);
	return ret;
}

static int
test_connect_cycles(void)
{
	static char log[65536];
	struct rte_vdpa_device *dev;
	uint64_t start = lvdpa_fl_now_ms();
	char sock[128];
	unsigned int i;
	int rc, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_fl_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name("lvdpa5");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa5");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, "cycles", sock, sizeof(sock)), 0,
			     "socket");
	for (i = 0; i < LVDPA_FL_CYCLES; i++) {
		struct lvdpa_guest_config cfg;
		struct lvdpa_guest *g;

		lvdpa_guest_config_init(&cfg);
		cfg.socket_path = sock;
		cfg.features = (i & 1) ? LVDPA_GUEST_FEATURES_LEGACY :
					 LVDPA_GUEST_FEATURES_MODERN;
		cfg.mem_size = 8 << 20;
		g = lvdpa_guest_create(&cfg);
		if (g == NULL) {
			fprintf(stderr, "# cycle %u: guest creation failed\n", i);
			goto out;
		}
		rc = lvdpa_guest_connect(g);
		if (rc == 0)
			rc = lvdpa_guest_run_traffic(g, 16, 5000);
		if (rc != 0)
			fprintf(stderr, "# cycle %u (%s): %s\n", i,
				(i & 1) ? "legacy" : "modern", lvdpa_guest_verdict(g, rc));
		/* Half of them vanish without a stop. */
		if (i % 4 < 2)
			lvdpa_guest_stop(g);
		lvdpa_guest_destroy(g);
		lvdpa_tv_log_take(log, sizeof(log));
		if (rc != 0)
			goto out;
	}
	fprintf(stderr, "# %u cycles in %" PRIu64 " ms\n", i, lvdpa_fl_now_ms() - start);
	if (lvdpa_fl_served(sock, LVDPA_GUEST_FEATURES_MODERN, 2000) != 0 ||
	    lvdpa_fl_served(sock, LVDPA_GUEST_FEATURES_ZERO, 2000) != 0) {
		fprintf(stderr, "# traffic after the cycles failed\n");
		goto out;
	}
	ret = 0;
out:
	lvdpa_tv_log_take(log, sizeof(log));
	lvdpa_tv_sock_stop(sock);
	return ret;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_live_migration_modern),
	LVDPA_TEST_CASE(test_live_migration_legacy),
	LVDPA_TEST_CASE(test_live_migration_packed),
	LVDPA_TEST_CASE(test_tx_desc_in_memory_hole),
	LVDPA_TEST_CASE(test_rx_desc_in_memory_hole_legacy),
	LVDPA_TEST_CASE(test_tx_desc_in_memory_hole_legacy),
	LVDPA_TEST_CASE(test_ring_outside_memory),
	LVDPA_TEST_CASE(test_frontend_killed),
	LVDPA_TEST_CASE(test_connect_cycles),
	LVDPA_TEST_CASE(test_no_frames_from_previous_guest),
)
