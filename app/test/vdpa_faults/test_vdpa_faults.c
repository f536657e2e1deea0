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
 * - a hundred connect / traffic / destroy cycles in modern and a hundred
 *   in legacy mode (alternating), half of them without a stop, then
 *   traffic still passes; no fd or guest memory mapping is left behind;
 * - frames waiting in the device when a guest goes away never reach the
 *   next guest on that device;
 * - a frontend that lies in its memory table (a zero-sized region,
 *   overlapping regions): not configured, the next connection is served;
 * - a guest that lies: it overwrites the used index of a running ring
 *   (the device keeps its own), moves an avail index more than the ring
 *   size ahead (that queue errors, the others go on), resizes rings under
 *   running queues (SET_VRING_NUM), and changes the memory table under
 *   running queues (SET_MEM_TABLE: rte_vhost 22.11 calls dev_close, then
 *   dev_conf again): a shrunk region is served with the new bounds (no
 *   device write in the part cut off), a region moved in the frontend's
 *   address space leaves the rings unserved until SET_VRING_ADDR names
 *   them again, a region moved in guest physical space makes the
 *   descriptors that name the old addresses fault; never a crash.
 * Each case prints "# figure: ..." lines (TAP comments) that
 * devtools/hardening-figures.sh adds up.
 */

#define _GNU_SOURCE
#include <dirent.h>
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

/* Machine-readable figures for devtools/hardening-figures.sh: a TAP comment. */
#define LVDPA_FL_FIGURE(fmt, ...) do { \
	printf("# figure: test=vdpa-faults " fmt "\n", ##__VA_ARGS__); \
	fflush(stdout); \
} while (0)

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
	rc = lvdpa_fl_resume(g, sock1, -1, LVDPA_FL_MEM_TRUE);
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
	/* Only frames on the source's wire at stop may be lost. */
	LVDPA_FL_FIGURE("case=live_migration_%s migrations=1 packets=%" PRIu64
			" packets_lost=%" PRIu64 " lost_on_wire=%" PRIu64
			" duplicates=%" PRIu64, tag, st.sent,
			st.sent - st.received - wire, wire, st.dup);
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
	LVDPA_FL_FIGURE("case=%s faults=1 queue_errors=%" PRIu64 " bad_packets=0", tag,
			err - err0);
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
	rc = lvdpa_fl_resume(g, sock, 1, LVDPA_FL_MEM_TRUE);
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
	LVDPA_FL_FIGURE("case=ring_outside_memory faults=1");
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
	LVDPA_FL_FIGURE("case=frontend_killed faults=1 kills=1");
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
	LVDPA_FL_FIGURE("case=no_frames_from_previous_guest stale_frames=0");
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

/* Open file descriptors of this process (without the one reading them). */
static int
lvdpa_fl_count_fds(void)
{
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

/* Mappings of memfds (guest memory the backend mapped) in this process. */
static int
lvdpa_fl_count_memfd_maps(void)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, "/memfd:") != NULL)
			n++;
	fclose(f);
	return n;
}

/*
 * Wait until the fd and memfd-mapping counts are back to @p fds0 and
 * @p maps0: rte_vhost closes a connection's fds and unmaps its memory on
 * its own thread, a moment after the frontend left.
 */
static void
lvdpa_fl_settle(int fds0, int maps0, int *fds, int *maps)
{
	uint64_t end = lvdpa_fl_now_ms() + 3000;

	for (;;) {
		*fds = lvdpa_fl_count_fds();
		*maps = lvdpa_fl_count_memfd_maps();
		if ((*fds <= fds0 && *maps <= maps0) || lvdpa_fl_now_ms() > end)
			return;
		usleep(10000);
	}
}

static int
test_connect_cycles(void)
{
	static char log[65536];
	struct rte_vdpa_device *dev;
	uint64_t start = lvdpa_fl_now_ms(), sent = 0, received = 0, bad = 0;
	uint64_t err0[2], err[2], tx0, tx;
	unsigned int i, cycles[2] = { 0, 0 };
	int fds0, maps0, fds, maps, rc, ret = -1;
	char sock[128];

	LVDPA_TEST_ASSERT(lvdpa_fl_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name("lvdpa5");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa5");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, "cycles", sock, sizeof(sock)), 0,
			     "socket");
	for (i = 0; i < 2; i++)
		err0[i] = lvdpa_tv_stat(dev, i, "error events");
	tx0 = lvdpa_tv_stat(dev, 1, "completed_descriptors");
	lvdpa_tv_log_take(log, sizeof(log));
	fds0 = lvdpa_fl_count_fds();
	maps0 = lvdpa_fl_count_memfd_maps();
	fprintf(stderr, "# before the cycles: %d fds, %d memfd mappings\n", fds0, maps0);
	for (i = 0; i < 2 * LVDPA_FL_CYCLES; i++) {
		struct lvdpa_guest_config cfg;
		struct lvdpa_guest_stats st;
		struct lvdpa_guest *g;
		bool legacy = i & 1;

		lvdpa_guest_config_init(&cfg);
		cfg.socket_path = sock;
		cfg.features = legacy ? LVDPA_GUEST_FEATURES_LEGACY :
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
				legacy ? "legacy" : "modern", lvdpa_guest_verdict(g, rc));
		lvdpa_guest_get_stats(g, &st);
		sent += st.sent;
		received += st.received;
		bad += st.bad;
		/* Half of them vanish without a stop. */
		if (i % 4 < 2)
			lvdpa_guest_stop(g);
		lvdpa_guest_destroy(g);
		lvdpa_tv_log_take(log, sizeof(log));
		if (rc != 0)
			goto out;
		cycles[legacy]++;
	}
	lvdpa_fl_settle(fds0, maps0, &fds, &maps);
	lvdpa_tv_log_take(log, sizeof(log));
	for (i = 0; i < 2; i++)
		err[i] = lvdpa_tv_stat(dev, i, "error events");
	tx = lvdpa_tv_stat(dev, 1, "completed_descriptors");
	fprintf(stderr, "# %u modern + %u legacy cycles in %" PRIu64 " ms: sent %" PRIu64
		" received %" PRIu64 " bad %" PRIu64 "; TX chains %" PRIu64
		"; fds %d -> %d, memfd mappings %d -> %d\n",
		cycles[0], cycles[1], lvdpa_fl_now_ms() - start, sent, received, bad,
		tx - tx0, fds0, fds, maps0, maps);
	LVDPA_FL_FIGURE("case=connect_cycles cycles=%u modern=%u legacy=%u packets=%" PRIu64
			" packets_lost=%" PRIu64 " leaked_fds=%d leaked_maps=%d queue_errors=%"
			PRIu64, cycles[0] + cycles[1], cycles[0], cycles[1], sent,
			sent - received, fds - fds0, maps - maps0,
			err[0] - err0[0] + err[1] - err0[1]);
	if (sent != received || bad != 0 || tx - tx0 != sent) {
		fprintf(stderr, "# packets lost or bad in the cycles\n");
		goto out;
	}
	if (fds != fds0 || maps != maps0) {
		fprintf(stderr, "# the cycles leaked %d fds and %d memfd mappings\n",
			fds - fds0, maps - maps0);
		goto out;
	}
	if (err[0] != err0[0] || err[1] != err0[1]) {
		fprintf(stderr, "# error events in the cycles: %" PRIu64 "/%" PRIu64 "\n",
			err[0] - err0[0], err[1] - err0[1]);
		goto out;
	}
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

/*
 * A frontend whose memory table lies, on a new connection for a guest
 * that ran before: nothing is configured (rte_vhost refuses a zero-sized
 * region itself; the PMD refuses overlapping regions with a log line),
 * nothing is served, and the next connection is.
 */
static int
lvdpa_fl_mem_lie(enum lvdpa_fl_mem_lie lie, const char *tag, const char *want)
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
	dev = rte_vdpa_find_device_by_name("lvdpa4");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa4");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, tag, sock, sizeof(sock)), 0,
			     "socket");
	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = sock;
	cfg.features = LVDPA_GUEST_FEATURES_MODERN;
	cfg.mem_regions = 2;
	cfg.mem_size = 32 << 20;
	g = lvdpa_guest_create(&cfg);
	if (g == NULL || lvdpa_guest_connect(g) != 0 ||
	    lvdpa_guest_run_traffic(g, 100, 10000) != 0 || lvdpa_guest_stop(g) != 0) {
		fprintf(stderr, "# guest did not run\n");
		goto out;
	}
	tx0 = lvdpa_tv_stat(dev, 1, "completed_descriptors");
	lvdpa_tv_log_take(log, sizeof(log));
	rc = lvdpa_fl_resume(g, sock, -1, lie);
	fprintf(stderr, "# negotiation with a lying memory table (%s): %d\n", tag, rc);
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
		fprintf(stderr, "# a lying memory table was served: received %" PRIu64
			" bad %" PRIu64 ", TX completed %" PRIu64 " -> %" PRIu64 "\n",
			st.received, st.bad, tx0, tx);
		goto out;
	}
	if (strstr(log, want) == NULL) {
		fprintf(stderr, "# no log line saying \"%s\"\n", want);
		goto out;
	}
	lvdpa_guest_destroy(g);
	g = NULL;
	if (lvdpa_fl_served(sock, LVDPA_GUEST_FEATURES_MODERN, 500) != 0) {
		fprintf(stderr, "# the next connection was not served\n");
		goto out;
	}
	LVDPA_FL_FIGURE("case=mem_table_%s faults=1", tag);
	ret = 0;
out:
	lvdpa_tv_log_take(log, sizeof(log));
	lvdpa_guest_destroy(g);
	lvdpa_tv_sock_stop(sock);
	return ret;
}

static int
test_mem_table_zero_sized_region(void)
{
	/* rte_vhost's own refusal: memory_size + mmap_offset overflow. */
	return lvdpa_fl_mem_lie(LVDPA_FL_MEM_ZERO_SIZED, "zero", "memory_size");
}

static int
test_mem_table_overlapping_regions(void)
{
	return lvdpa_fl_mem_lie(LVDPA_FL_MEM_OVERLAP, "overlap", "bad memory region");
}

/* The 16-bit index at @p off of a split ring area, in guest memory. */
static uint16_t *
lvdpa_fl_ring_idx(struct lvdpa_guest *g, uint64_t area_gpa)
{
	/* flags, then idx (little endian on this host, legacy or modern). */
	return lvdpa_guest_mem_ptr(&g->mem, area_gpa + 2, 2);
}

/*
 * @p n packets on queue pair @p qp alone, all back intact within
 * @p timeout_ms (fewer in flight than RX buffers posted).
 */
static int
lvdpa_fl_pass_qp(struct lvdpa_guest *g, unsigned int qp, uint64_t n,
		 unsigned int timeout_ms)
{
	uint64_t end = lvdpa_fl_now_ms() + timeout_ms, sent = 0, got = 0;
	struct lvdpa_guest_stats st0, st;
	int rc;

	lvdpa_guest_get_stats(g, &st0);
	while (got < n) {
		if (sent < n && sent - got < 64) {
			rc = lvdpa_guest_send(g, qp, (unsigned int)RTE_MIN(n - sent, UINT64_C(32)), 0);
			if (rc < 0)
				return rc;
			sent += (uint64_t)rc;
		}
		rc = lvdpa_guest_recv(g, qp, 256);
		if (rc < 0)
			return rc;
		got += (uint64_t)rc;
		if (lvdpa_fl_now_ms() > end)
			return -ETIMEDOUT;
		if (rc == 0)
			usleep(200);
	}
	lvdpa_guest_get_stats(g, &st);
	return st.bad != st0.bad ? -EBADMSG : 0;
}

/*
 * The guest overwrites the used index of its running RX ring: the device
 * keeps its own index (the next used entries land where they belong and
 * the index it writes follows its own count), nothing is corrupted.
 */
static int
lvdpa_fl_used_jump(uint64_t features, const char *tag)
{
	static char log[65536];
	struct lvdpa_guest_config cfg;
	struct rte_vdpa_device *dev;
	struct lvdpa_guest_stats st;
	struct lvdpa_guest *g = NULL;
	uint16_t *used, old, now = 0;
	uint64_t end, err0;
	char sock[128];
	int rc, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_fl_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name("lvdpa2");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa2");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, tag, sock, sizeof(sock)), 0,
			     "socket");
	err0 = lvdpa_tv_stat(dev, 0, "error events");
	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = sock;
	cfg.features = features;
	cfg.mem_size = 16 << 20;
	g = lvdpa_guest_create(&cfg);
	if (g == NULL || lvdpa_guest_connect(g) != 0 ||
	    lvdpa_guest_run_traffic(g, 300, 10000) != 0) {
		fprintf(stderr, "# guest did not run\n");
		goto out;
	}
	used = lvdpa_fl_ring_idx(g, g->qp[0].rx.device_gpa);
	if (used == NULL || g->packed) {
		fprintf(stderr, "# no split used ring\n");
		goto out;
	}
	/* All traffic is back: the device has nothing to write now. */
	old = __atomic_load_n(used, __ATOMIC_ACQUIRE);
	__atomic_store_n(used, (uint16_t)(old + 1000), __ATOMIC_RELEASE);
	/* TX reaps its own ring only: the RX used index is not read yet. */
	rc = lvdpa_guest_send(g, 0, 8, 0);
	if (rc != 8) {
		fprintf(stderr, "# send: %d\n", rc);
		goto out;
	}
	end = lvdpa_fl_now_ms() + 3000;
	while (lvdpa_fl_now_ms() < end) {
		now = __atomic_load_n(used, __ATOMIC_ACQUIRE);
		if (now != (uint16_t)(old + 1000) && (uint16_t)(now - old) >= 8)
			break;
		usleep(1000);
	}
	usleep(50000);
	now = __atomic_load_n(used, __ATOMIC_ACQUIRE);
	fprintf(stderr, "# used index %u overwritten with %u; the device wrote %u\n",
		old, (uint16_t)(old + 1000), now);
	if (now != (uint16_t)(old + 8)) {
		fprintf(stderr, "# the device did not keep its own used index\n");
		goto out;
	}
	rc = lvdpa_fl_run(g, 500);
	lvdpa_guest_get_stats(g, &st);
	fprintf(stderr, "# %s\n", lvdpa_guest_verdict(g, rc));
	if (rc != 0 || st.bad != 0 || st.received != st.sent ||
	    lvdpa_tv_stat(dev, 0, "error events") != err0) {
		fprintf(stderr, "# traffic after the used index jump failed\n");
		goto out;
	}
	LVDPA_FL_FIGURE("case=used_index_jump_%s faults=1 packets=%" PRIu64
			" packets_lost=%" PRIu64, tag, st.sent, st.sent - st.received);
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
test_used_index_jump(void)
{
	return lvdpa_fl_used_jump(LVDPA_GUEST_FEATURES_MODERN, "modern");
}

static int
test_used_index_jump_legacy(void)
{
	return lvdpa_fl_used_jump(LVDPA_GUEST_FEATURES_LEGACY, "legacy");
}

/*
 * The avail index of one TX ring jumps more than the ring size ahead:
 * that queue goes to ERR with its counter and a log line, the other
 * queue pair goes on, the next connection is served.
 */
static int
test_avail_index_jump(void)
{
	static char log[65536];
	struct lvdpa_guest_config cfg;
	struct rte_vdpa_device *dev;
	struct lvdpa_guest *g = NULL;
	uint64_t err0[4], err[4], end;
	uint16_t *avail, cur;
	uint64_t one = 1;
	unsigned int q;
	char sock[128];
	int rc, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_fl_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name("lvdpa2");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa2");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, "avail", sock, sizeof(sock)), 0,
			     "socket");
	for (q = 0; q < 4; q++)
		err0[q] = lvdpa_tv_stat(dev, q, "error events");
	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = sock;
	cfg.features = LVDPA_GUEST_FEATURES_MODERN;
	cfg.queue_pairs = 2;
	cfg.mem_size = 32 << 20;
	g = lvdpa_guest_create(&cfg);
	if (g == NULL || lvdpa_guest_connect(g) != 0 ||
	    lvdpa_guest_run_traffic(g, 400, 10000) != 0) {
		fprintf(stderr, "# guest did not run\n");
		goto out;
	}
	avail = lvdpa_fl_ring_idx(g, g->qp[1].tx.driver_gpa);
	if (avail == NULL) {
		fprintf(stderr, "# no avail ring\n");
		goto out;
	}
	lvdpa_tv_log_take(log, sizeof(log));
	cur = __atomic_load_n(avail, __ATOMIC_ACQUIRE);
	__atomic_store_n(avail, (uint16_t)(cur + g->cfg.queue_size + 7), __ATOMIC_RELEASE);
	if (write(g->qp[1].tx.kick_fd, &one, sizeof(one)) != sizeof(one)) {
		fprintf(stderr, "# kick failed\n");
		goto out;
	}
	end = lvdpa_fl_now_ms() + 5000;
	do {
		usleep(10000);
		err[3] = lvdpa_tv_stat(dev, 3, "error events");
	} while ((err[3] == UINT64_MAX || err[3] <= err0[3]) && lvdpa_fl_now_ms() < end);
	lvdpa_tv_log_take(log, sizeof(log));
	fprintf(stderr, "# avail index %u -> %u: queue 3 error events %" PRIu64 " -> %" PRIu64 "\n",
		cur, (uint16_t)(cur + g->cfg.queue_size + 7), err0[3], err[3]);
	if (err[3] == UINT64_MAX || err[3] <= err0[3] ||
	    strstr(log, "queue 3") == NULL || strstr(log, "ERR") == NULL) {
		fprintf(stderr, "# the avail index jump was not reported on queue 3\n");
		goto out;
	}
	/* Queue pair 0 goes on, untouched. */
	rc = lvdpa_fl_pass_qp(g, 0, 1000, 10000);
	for (q = 0; q < 3; q++)
		err[q] = lvdpa_tv_stat(dev, q, "error events");
	if (rc != 0 || err[0] != err0[0] || err[1] != err0[1] || err[2] != err0[2]) {
		fprintf(stderr, "# queue pair 0 after the jump: %d, error events %" PRIu64
			" %" PRIu64 " %" PRIu64 "\n", rc, err[0] - err0[0],
			err[1] - err0[1], err[2] - err0[2]);
		goto out;
	}
	rc = lvdpa_guest_stop(g);
	if (rc != 0) {
		fprintf(stderr, "# stop after the jump: %d\n", rc);
		goto out;
	}
	lvdpa_guest_destroy(g);
	g = NULL;
	if (lvdpa_fl_served(sock, LVDPA_GUEST_FEATURES_MODERN, 500) != 0) {
		fprintf(stderr, "# the next connection was not served\n");
		goto out;
	}
	LVDPA_FL_FIGURE("case=avail_index_jump faults=1 queue_errors=%" PRIu64
			" other_queue_errors=0 packets_lost=0", err[3] - err0[3]);
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

/*
 * SET_VRING_NUM on running rings (QEMU never sends it there). rte_vhost
 * 22.11 takes a power of two without telling the driver: the running
 * queues keep the size they were set up with, and traffic goes on. The
 * new size applies when a ring is enabled again: the guest's rings no
 * longer match, which may break them, but never the backend. rte_vhost
 * even keeps a size it refused (100, not a power of two): the PMD refuses
 * to set that queue up and logs the ring and the size.
 */
static int
test_vring_num_under_traffic(void)
{
	static char log[65536];
	struct lvdpa_guest_config cfg;
	struct rte_vdpa_device *dev;
	struct lvdpa_guest_stats st;
	struct lvdpa_guest *g = NULL;
	unsigned int faults = 0;
	char sock[128];
	int rc, rc2, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_fl_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name("lvdpa2");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa2");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, "num", sock, sizeof(sock)), 0,
			     "socket");
	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = sock;
	cfg.features = LVDPA_GUEST_FEATURES_MODERN;
	cfg.mem_size = 16 << 20;
	g = lvdpa_guest_create(&cfg);
	if (g == NULL || lvdpa_guest_connect(g) != 0 ||
	    lvdpa_guest_run_traffic(g, 200, 10000) != 0) {
		fprintf(stderr, "# guest did not run\n");
		goto out;
	}
	if ((g->pf & (1ULL << LVDPA_GUEST_PF_REPLY_ACK)) == 0) {
		fprintf(stderr, "# REPLY_ACK not negotiated\n");
		goto out;
	}
	/* Packets in flight while the rings are resized. */
	if (lvdpa_guest_send(g, 0, 32, 0) != 32)
		goto out;
	lvdpa_tv_log_take(log, sizeof(log));
	rc = lvdpa_fl_set_state(g, LVDPA_GUEST_REQ_SET_VRING_NUM, 1, 128);
	rc2 = lvdpa_fl_set_state(g, LVDPA_GUEST_REQ_SET_VRING_NUM, 0, 1024);
	faults += 2;
	fprintf(stderr, "# SET_VRING_NUM 128 on TX, 1024 on RX while running: %d %d\n",
		rc, rc2);
	/* Not a power of two: refused by rte_vhost. */
	if (lvdpa_fl_set_state(g, LVDPA_GUEST_REQ_SET_VRING_NUM, 1, 100) == 0) {
		fprintf(stderr, "# SET_VRING_NUM 100 accepted\n");
		goto out;
	}
	faults++;
	rc = lvdpa_fl_run(g, 1000);
	lvdpa_guest_get_stats(g, &st);
	lvdpa_tv_log_take(log, sizeof(log));
	fprintf(stderr, "# after the resize: %s\n", lvdpa_guest_verdict(g, rc));
	if (rc != 0 || st.bad != 0 || st.received != st.sent) {
		fprintf(stderr, "# the running queues did not keep their size\n");
		goto out;
	}
	/* Now the lying sizes apply: a stop and start of both rings. */
	rc = lvdpa_fl_set_state(g, LVDPA_GUEST_REQ_SET_VRING_ENABLE, 1, 0);
	if (rc == 0)
		rc = lvdpa_fl_set_state(g, LVDPA_GUEST_REQ_SET_VRING_ENABLE, 0, 0);
	if (rc == 0)
		rc = lvdpa_fl_set_state(g, LVDPA_GUEST_REQ_SET_VRING_ENABLE, 0, 1);
	if (rc == 0)
		rc = lvdpa_fl_set_state(g, LVDPA_GUEST_REQ_SET_VRING_ENABLE, 1, 1);
	lvdpa_tv_log_take(log, sizeof(log));
	if (rc != 0) {
		fprintf(stderr, "# SET_VRING_ENABLE after the resize: %d\n", rc);
		goto out;
	}
	/* Whatever becomes of this guest's traffic, the backend stays. */
	rc = lvdpa_guest_run_traffic(g, 200, 2000);
	lvdpa_tv_log_take(log, sizeof(log));
	fprintf(stderr, "# with the resized rings: %s\n", lvdpa_guest_verdict(g, rc));

	lvdpa_guest_stop(g);
	lvdpa_guest_destroy(g);
	g = NULL;
	if (lvdpa_fl_served(sock, LVDPA_GUEST_FEATURES_MODERN, 500) != 0) {
		fprintf(stderr, "# the next connection was not served\n");
		goto out;
	}
	LVDPA_FL_FIGURE("case=vring_num_under_traffic faults=%u packets_lost=0", faults);
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

/* A byte pattern over [p, p + len): 0 when still whole. */
static size_t
lvdpa_fl_guard_damage(const uint8_t *p, size_t len, uint8_t pat)
{
	size_t i, bad = 0;

	for (i = 0; i < len; i++)
		bad += p[i] != pat;
	return bad;
}

/*
 * SET_MEM_TABLE under running queues, region 0 shrunk to what the guest
 * uses: rte_vhost calls dev_close, remaps, and dev_conf again; the device
 * goes on within the new bounds. RX buffers then posted in the part cut
 * off make the RX queue fault: that part (a guard the guest filled) is
 * never written.
 */
static int
test_mem_table_shrunk_under_traffic(void)
{
	static char log[65536];
	struct lvdpa_guest_mem_region_desc rd[LVDPA_GUEST_MAX_REGIONS];
	int fds[LVDPA_GUEST_MAX_REGIONS];
	struct lvdpa_guest_config cfg;
	struct rte_vdpa_device *dev;
	struct lvdpa_guest_stats st;
	struct lvdpa_guest *g = NULL;
	uint64_t cut, glen, err0, err = 0, end, wire;
	uint8_t *guard;
	unsigned int n, i;
	size_t damage;
	char sock[128];
	int rc, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_fl_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name("lvdpa4");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa4");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, "shrink", sock, sizeof(sock)), 0,
			     "socket");
	err0 = lvdpa_tv_stat(dev, 0, "error events");
	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = sock;
	cfg.features = LVDPA_GUEST_FEATURES_MODERN;
	cfg.mem_size = 16 << 20;
	g = lvdpa_guest_create(&cfg);
	if (g == NULL || lvdpa_guest_connect(g) != 0 ||
	    lvdpa_guest_run_traffic(g, 300, 10000) != 0) {
		fprintf(stderr, "# guest did not run\n");
		goto out;
	}
	/* Everything the guest allocated stays; a guard page-aligned after. */
	cut = RTE_ALIGN_CEIL(g->mem.r[0].used, 4096);
	if (cut + (1 << 20) > g->mem.r[0].size) {
		fprintf(stderr, "# no room for a guard\n");
		goto out;
	}
	guard = g->mem.r[0].va + cut;
	glen = g->mem.r[0].size - cut;
	memset(guard, 0xa5, glen);
	/* Packets in flight while the table changes. */
	if (lvdpa_guest_send(g, 0, 32, 0) != 32)
		goto out;
	n = lvdpa_fl_mem_desc(g, rd, fds);
	rd[0].size = cut;
	lvdpa_tv_log_take(log, sizeof(log));
	rc = lvdpa_fl_send_mem(g, rd, fds, n);
	lvdpa_tv_log_take(log, sizeof(log));
	fprintf(stderr, "# SET_MEM_TABLE, region 0 from %" PRIu64 " to %" PRIu64 " bytes: %d\n",
		g->mem.r[0].size, cut, rc);
	if (rc != 0)
		goto out;
	/* rte_vhost acks first, then calls dev_close and dev_conf: traffic tells. */
	rc = lvdpa_fl_run(g, 1000);
	lvdpa_guest_get_stats(g, &st);
	fprintf(stderr, "# in the shrunk memory: %s\n", lvdpa_guest_verdict(g, rc));
	/*
	 * dev_close stops the queues: like a migration's stop, a frame the
	 * TX queue sent after the RX queue stopped is lost on the wire. Only
	 * the 32 in flight at the change can be such.
	 */
	wire = st.sent - st.received;
	if (rc != 0 || st.bad != 0 || st.dup != 0 || wire > 32) {
		fprintf(stderr, "# traffic after the memory table change failed (%" PRIu64
			" lost)\n", wire);
		goto out;
	}
	/* From now on the guest posts RX buffers in the part cut off. */
	for (i = 0; i < g->cfg.queue_size; i++)
		g->qp[0].rxb[i].gpa = g->mem.r[0].gpa + cut + (uint64_t)i * 4096;
	end = lvdpa_fl_now_ms() + 5000;
	while (lvdpa_fl_now_ms() < end) {
		if (lvdpa_guest_send(g, 0, 16, 0) < 0)
			break;
		usleep(5000);
		if (lvdpa_guest_recv(g, 0, 256) < 0)
			break;
		err = lvdpa_tv_stat(dev, 0, "error events");
		if (err != UINT64_MAX && err > err0)
			break;
	}
	usleep(100000);
	lvdpa_guest_recv(g, 0, 256);
	lvdpa_tv_log_take(log, sizeof(log));
	lvdpa_guest_get_stats(g, &st);
	damage = lvdpa_fl_guard_damage(guard, glen, 0xa5);
	fprintf(stderr, "# RX into the part cut off: error events %" PRIu64 " -> %" PRIu64
		", %zu guard bytes changed, bad %" PRIu64 "\n", err0, err, damage, st.bad);
	if (damage != 0 || err == UINT64_MAX || err <= err0 || st.bad != 0) {
		fprintf(stderr, "# a write outside the new guest memory, or no fault\n");
		goto out;
	}
	rc = lvdpa_guest_stop(g);
	lvdpa_guest_destroy(g);
	g = NULL;
	if (rc != 0 || lvdpa_fl_served(sock, LVDPA_GUEST_FEATURES_MODERN, 500) != 0) {
		fprintf(stderr, "# stop %d, or the next connection was not served\n", rc);
		goto out;
	}
	LVDPA_FL_FIGURE("case=mem_table_shrunk_under_traffic faults=2 queue_errors=%" PRIu64
			" guard_bytes_written=%zu packets_lost=0 lost_on_wire=%" PRIu64,
			err - err0, damage, wire);
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

/*
 * SET_MEM_TABLE under running queues with region 0 moved in the
 * frontend's address space: the rings no longer translate. rte_vhost
 * 22.11 closes the device, tells the PMD the vrings are no longer ready
 * (set_vring_state 0) and configures it again (its "ready" flag is
 * sticky): nothing is served. The true table again does not translate
 * the rings anew (rte_vhost only does that for rings still mapped):
 * SET_VRING_ADDR, as QEMU sends when its rings moved, makes them ready,
 * the device resumes where it stopped and every packet comes back.
 */
static int
test_mem_table_moved_under_traffic(void)
{
	static char log[65536];
	struct lvdpa_guest_mem_region_desc rd[LVDPA_GUEST_MAX_REGIONS];
	int fds[LVDPA_GUEST_MAX_REGIONS];
	struct lvdpa_guest_config cfg;
	struct rte_vdpa_device *dev;
	struct lvdpa_guest_stats st0, st;
	struct lvdpa_guest *g = NULL;
	uint64_t tx0, tx;
	unsigned int n, i;
	char sock[128];
	int rc, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_fl_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name("lvdpa4");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa4");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, "moved", sock, sizeof(sock)), 0,
			     "socket");
	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = sock;
	cfg.features = LVDPA_GUEST_FEATURES_MODERN;
	cfg.mem_size = 16 << 20;
	g = lvdpa_guest_create(&cfg);
	if (g == NULL || lvdpa_guest_connect(g) != 0 ||
	    lvdpa_guest_run_traffic(g, 300, 10000) != 0) {
		fprintf(stderr, "# guest did not run\n");
		goto out;
	}
	n = lvdpa_fl_mem_desc(g, rd, fds);
	rd[0].uaddr += 1ULL << 40;
	lvdpa_tv_log_take(log, sizeof(log));
	rc = lvdpa_fl_send_mem(g, rd, fds, n);
	lvdpa_tv_log_take(log, sizeof(log));
	fprintf(stderr, "# SET_MEM_TABLE with region 0 moved: %d\n", rc);
	if (strstr(log, "running (") != NULL) {
		fprintf(stderr, "# a queue runs with rings outside the new table\n");
		goto out;
	}
	lvdpa_guest_get_stats(g, &st0);
	tx0 = lvdpa_tv_stat(dev, 1, "completed_descriptors");
	if (lvdpa_guest_send(g, 0, 8, 0) < 0)
		goto out;
	usleep(300000);
	lvdpa_guest_recv(g, 0, 256);
	lvdpa_guest_get_stats(g, &st);
	tx = lvdpa_tv_stat(dev, 1, "completed_descriptors");
	lvdpa_tv_log_take(log, sizeof(log));
	if (tx != tx0 || st.received != st0.received || st.bad != 0) {
		fprintf(stderr, "# served after the move: TX %" PRIu64 " -> %" PRIu64
			", received %" PRIu64 " bad %" PRIu64 "\n", tx0, tx,
			st.received - st0.received, st.bad);
		goto out;
	}
	n = lvdpa_fl_mem_desc(g, rd, fds);
	rc = lvdpa_fl_send_mem(g, rd, fds, n);
	for (i = 0; rc == 0 && i < 2u * g->nqp; i++)
		rc = lvdpa_fl_set_addr(g, i, false);
	if (rc == 0)
		rc = lvdpa_fl_run(g, 500);
	lvdpa_guest_get_stats(g, &st);
	lvdpa_tv_log_take(log, sizeof(log));
	fprintf(stderr, "# the true table again: %s\n", lvdpa_guest_verdict(g, rc));
	if (rc != 0 || st.bad != 0 || st.received != st.sent) {
		fprintf(stderr, "# not served again with the true memory table\n");
		goto out;
	}
	rc = lvdpa_guest_stop(g);
	lvdpa_tv_log_take(log, sizeof(log));
	fprintf(stderr, "# stop: %d\n", rc);
	lvdpa_guest_destroy(g);
	g = NULL;
	if (lvdpa_fl_served(sock, LVDPA_GUEST_FEATURES_MODERN, 500) != 0) {
		fprintf(stderr, "# the next connection was not served\n");
		goto out;
	}
	LVDPA_FL_FIGURE("case=mem_table_moved_under_traffic faults=1 packets=%" PRIu64
			" packets_lost=%" PRIu64, st.sent, st.sent - st.received);
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

/*
 * SET_MEM_TABLE under running queues with region 0 moved in guest
 * physical space (same mapping): rte_vhost still finds the rings, the PMD
 * registers the new layout and lays the rings at their new GPAs, while
 * the descriptors the guest posted still name the old ones, now in no
 * region: the TX queue faults with its counter, nothing is received,
 * nothing outside the guest's allocations is written.
 */
static int
test_mem_table_gpa_moved_under_traffic(void)
{
	static char log[65536];
	struct lvdpa_guest_mem_region_desc rd[LVDPA_GUEST_MAX_REGIONS];
	int fds[LVDPA_GUEST_MAX_REGIONS];
	struct lvdpa_guest_config cfg;
	struct rte_vdpa_device *dev;
	struct lvdpa_guest_stats st0, st;
	struct lvdpa_guest *g = NULL;
	uint64_t cut, glen, err0, err = UINT64_MAX, end;
	unsigned int n;
	uint8_t *guard;
	size_t damage;
	char sock[128];
	int rc, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_fl_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name("lvdpa4");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa4");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, "gpa", sock, sizeof(sock)), 0,
			     "socket");
	err0 = lvdpa_tv_stat(dev, 1, "error events");
	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = sock;
	cfg.features = LVDPA_GUEST_FEATURES_MODERN;
	cfg.mem_size = 16 << 20;
	g = lvdpa_guest_create(&cfg);
	if (g == NULL || lvdpa_guest_connect(g) != 0 ||
	    lvdpa_guest_run_traffic(g, 300, 10000) != 0) {
		fprintf(stderr, "# guest did not run\n");
		goto out;
	}
	cut = RTE_ALIGN_CEIL(g->mem.r[0].used, 4096);
	guard = g->mem.r[0].va + cut;
	glen = g->mem.r[0].size - cut;
	memset(guard, 0xa5, glen);
	n = lvdpa_fl_mem_desc(g, rd, fds);
	rd[0].gpa += 2ULL << 30;
	rc = lvdpa_fl_send_mem(g, rd, fds, n);
	fprintf(stderr, "# SET_MEM_TABLE with region 0 at GPA 0x%" PRIx64 ": %d\n",
		rd[0].gpa, rc);
	if (rc != 0)
		goto out;
	lvdpa_guest_get_stats(g, &st0);
	end = lvdpa_fl_now_ms() + 5000;
	while (lvdpa_fl_now_ms() < end) {
		if (lvdpa_guest_send(g, 0, 4, 0) < 0)
			break;
		usleep(5000);
		if (lvdpa_guest_recv(g, 0, 256) < 0)
			break;
		err = lvdpa_tv_stat(dev, 1, "error events");
		if (err != UINT64_MAX && err > err0)
			break;
	}
	usleep(100000);
	lvdpa_guest_recv(g, 0, 256);
	lvdpa_tv_log_take(log, sizeof(log));
	lvdpa_guest_get_stats(g, &st);
	damage = lvdpa_fl_guard_damage(guard, glen, 0xa5);
	fprintf(stderr, "# TX with the old GPAs: error events %" PRIu64 " -> %" PRIu64
		", received %" PRIu64 ", %zu bytes written past the allocations\n",
		err0, err, st.received - st0.received, damage);
	if (err == UINT64_MAX || err <= err0 || st.received != st0.received ||
	    st.bad != 0 || damage != 0) {
		fprintf(stderr, "# old GPAs were served, or written outside\n");
		goto out;
	}
	rc = lvdpa_guest_stop(g);
	lvdpa_guest_destroy(g);
	g = NULL;
	if (rc != 0 || lvdpa_fl_served(sock, LVDPA_GUEST_FEATURES_MODERN, 500) != 0) {
		fprintf(stderr, "# stop %d, or the next connection was not served\n", rc);
		goto out;
	}
	LVDPA_FL_FIGURE("case=mem_table_gpa_moved_under_traffic faults=1 queue_errors=%"
			PRIu64 " guard_bytes_written=%zu", err - err0, damage);
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
	LVDPA_TEST_CASE(test_mem_table_zero_sized_region),
	LVDPA_TEST_CASE(test_mem_table_overlapping_regions),
	LVDPA_TEST_CASE(test_used_index_jump),
	LVDPA_TEST_CASE(test_used_index_jump_legacy),
	LVDPA_TEST_CASE(test_avail_index_jump),
	LVDPA_TEST_CASE(test_vring_num_under_traffic),
	LVDPA_TEST_CASE(test_mem_table_shrunk_under_traffic),
	LVDPA_TEST_CASE(test_mem_table_moved_under_traffic),
	LVDPA_TEST_CASE(test_mem_table_gpa_moved_under_traffic),
	LVDPA_TEST_CASE(test_no_frames_from_previous_guest),
)
