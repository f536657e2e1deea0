/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The control path's command sequence, read from the PMD's debug trace
 * (one line per virtq command: created, modified from INIT/SUSPEND [to
 * RDY], suspended and queried, destroyed), with the guest being
 * app/lvdpa-guest in this process and the PMD loaded with -d:
 * - dev_conf on pre-created queues issues one modify per queue (with RDY),
 *   no create and no destroy, for a legacy guest too (virtio_version_1_0
 *   changed in place), with and without configuration threads;
 * - SET_VRING_ENABLE 0 suspends and queries that queue; SET_VRING_ENABLE 1
 *   resumes it by a modify from SUSPEND, never destroy and create;
 * - GET_VRING_BASE (dev_close) suspends and queries every running queue
 *   once, replies with exactly the index the device stopped at (the TX
 *   queues' avail indices add up to the packets sent), and keeps the
 *   pre-created objects: the next connection modifies them from SUSPEND.
 * No timing is asserted.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lvdpa_guest.h"
#include "lvdpa_test.h"
#include "test_vdpa_common.h"

#define LVDPA_CT_PACKETS 200
#define LVDPA_CT_QP 2
#define LVDPA_CT_RINGS (2 * LVDPA_CT_QP)
#define LVDPA_CT_REQ_GET_FEATURES 1
#define LVDPA_CT_REQ_GET_VRING_BASE 11
#define LVDPA_CT_REQ_SET_VRING_ENABLE 18
#define LVDPA_CT_NEED_REPLY (1u << 3)

static const char *const lvdpa_ct_vdevs[] = {
	"lvdpa0,queues=2,queue_size=256,max_conf_threads=4",
	"lvdpa1,queues=2,queue_size=256",
};

static char lvdpa_ct_log[1 << 18];

static unsigned int
lvdpa_ct_count(const char *log, const char *what)
{
	unsigned int n = 0;
	const char *p = log;

	while ((p = strstr(p, what)) != NULL) {
		n++;
		p += strlen(what);
	}
	return n;
}

/* Each ring's line @p fmt (with %u for the ring) must appear @p want times. */
static int
lvdpa_ct_each(const char *log, const char *fmt, unsigned int want)
{
	char what[128];
	unsigned int q, n;

	for (q = 0; q < LVDPA_CT_RINGS; q++) {
		snprintf(what, sizeof(what), fmt, q);
		n = lvdpa_ct_count(log, what);
		if (n != want) {
			fprintf(stderr, "# \"%s\" %u times, expected %u\n", what, n, want);
			return -1;
		}
	}
	return 0;
}

static int
lvdpa_ct_none(const char *log, const char *what)
{
	if (lvdpa_ct_count(log, what) != 0) {
		fprintf(stderr, "# unexpected \"%s\" in the trace\n", what);
		return -1;
	}
	return 0;
}

/* Wait until rte_vhost (and the driver) handled what came before. */
static int
lvdpa_ct_sync(struct lvdpa_guest *g)
{
	uint64_t v;

	return lvdpa_guest_send_raw(g, LVDPA_CT_REQ_GET_FEATURES, 1, 0, NULL, 0,
				    NULL, 0, &v, sizeof(v)) < 0 ? -1 : 0;
}

static int
lvdpa_ct_rings_enable(struct lvdpa_guest *g, uint32_t on)
{
	unsigned int q;

	for (q = 0; q < LVDPA_CT_RINGS; q++) {
		uint32_t st[2] = { q, on };
		uint64_t ack = 1;
		int rc = lvdpa_guest_send_raw(g, LVDPA_CT_REQ_SET_VRING_ENABLE,
					      1 | LVDPA_CT_NEED_REPLY, sizeof(st),
					      st, sizeof(st), NULL, 0, &ack, sizeof(ack));

		if (rc < 0 || ack != 0) {
			fprintf(stderr, "# SET_VRING_ENABLE %u %u: %d ack %" PRIu64 "\n",
				q, on, rc, ack);
			return -1;
		}
	}
	return lvdpa_ct_sync(g);
}

/*
 * GET_VRING_BASE on every ring: each reply must be the avail index the
 * driver's trace says the device stopped at; @p sent packets went through
 * the TX queues (odd), whose avail indices must add up to it.
 */
static int
lvdpa_ct_close(struct lvdpa_guest *g, const char *devname, uint64_t sent)
{
	uint32_t base[LVDPA_CT_RINGS];
	uint64_t tx = 0;
	unsigned int q;

	for (q = 0; q < LVDPA_CT_RINGS; q++) {
		uint32_t st[2] = { q, 0 }, rep[2] = { 0, 0 };

		if (lvdpa_guest_send_raw(g, LVDPA_CT_REQ_GET_VRING_BASE, 1, sizeof(st),
					 st, sizeof(st), NULL, 0, rep, sizeof(rep)) < 0 ||
		    rep[0] != q) {
			fprintf(stderr, "# GET_VRING_BASE %u failed\n", q);
			return -1;
		}
		base[q] = rep[1];
	}
	lvdpa_tv_log_take(lvdpa_ct_log, sizeof(lvdpa_ct_log));
	if (lvdpa_ct_each(lvdpa_ct_log, "queue %u: suspended and queried", 1) != 0 ||
	    lvdpa_ct_none(lvdpa_ct_log, "destroyed") != 0 ||
	    lvdpa_ct_none(lvdpa_ct_log, "created") != 0)
		return -1;
	for (q = 0; q < LVDPA_CT_RINGS; q++) {
		char what[128];
		const char *p;
		unsigned int avail, used;

		snprintf(what, sizeof(what), "%s: queue %u stopped at avail ", devname, q);
		p = strstr(lvdpa_ct_log, what);
		if (p == NULL || sscanf(p + strlen(what), "%u used %u", &avail, &used) != 2) {
			fprintf(stderr, "# no stop line for queue %u\n", q);
			return -1;
		}
		if (base[q] != avail) {
			fprintf(stderr, "# GET_VRING_BASE %u = %u, the device stopped at %u\n",
				q, base[q], avail);
			return -1;
		}
		if (q & 1)
			tx += avail;
	}
	if (tx != sent) {
		fprintf(stderr, "# TX avail indices add up to %" PRIu64 ", sent %" PRIu64 "\n",
			tx, sent);
		return -1;
	}
	return 0;
}

static struct lvdpa_guest *
lvdpa_ct_guest(const char *sock, bool legacy)
{
	struct lvdpa_guest_config cfg;

	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = sock;
	cfg.features = legacy ? LVDPA_GUEST_FEATURES_LEGACY : LVDPA_GUEST_FEATURES_MODERN;
	cfg.queue_pairs = LVDPA_CT_QP;
	cfg.sizes[0] = 64;
	cfg.nsizes = 1;
	return lvdpa_guest_create(&cfg);
}

/*
 * Two connections on one device: the first (@p legacy) is configured,
 * stopped and resumed ring by ring (with @p per_ring), then closed; the
 * second (the other kind of guest) finds the objects kept in SUSPEND.
 */
static int
lvdpa_ct_run(const char *devname, bool legacy, bool per_ring)
{
	struct rte_vdpa_device *dev;
	struct lvdpa_guest *g = NULL;
	char sock[128];
	uint64_t sent = 0;
	unsigned int conn;
	int ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_tv_eal("vdpa-ctrl", lvdpa_ct_vdevs,
				       RTE_DIM(lvdpa_ct_vdevs), 1) == 0, "EAL");
	dev = rte_vdpa_find_device_by_name(devname);
	LVDPA_TEST_ASSERT(dev != NULL, "%s", devname);
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, devname, sock, sizeof(sock)), 0,
			     "socket");
	lvdpa_tv_log_take(lvdpa_ct_log, sizeof(lvdpa_ct_log));
	for (conn = 0; conn < 2; conn++) {
		bool leg = conn == 0 ? legacy : !legacy;

		sent = 0;
		g = lvdpa_ct_guest(sock, leg);
		if (g == NULL || lvdpa_guest_connect(g) != 0 || lvdpa_ct_sync(g) != 0) {
			fprintf(stderr, "# connection %u failed\n", conn);
			goto out;
		}
		if (leg != !(lvdpa_guest_features(g) & (1ULL << 32))) {
			fprintf(stderr, "# negotiated 0x%" PRIx64 "\n", lvdpa_guest_features(g));
			goto out;
		}
		/* dev_conf: one modify to RDY per queue, from INIT then SUSPEND. */
		lvdpa_tv_log_take(lvdpa_ct_log, sizeof(lvdpa_ct_log));
		if (lvdpa_ct_each(lvdpa_ct_log, conn == 0 ?
				  "queue %u: modified from INIT to RDY" :
				  "queue %u: modified from SUSPEND to RDY", 1) != 0 ||
		    lvdpa_ct_none(lvdpa_ct_log, "created") != 0 ||
		    lvdpa_ct_none(lvdpa_ct_log, "destroyed") != 0)
			goto out;
		if (leg && strstr(lvdpa_ct_log, "served by the device in legacy mode") == NULL) {
			fprintf(stderr, "# the legacy guest is not on the device\n");
			goto out;
		}
		if (lvdpa_guest_run_traffic(g, LVDPA_CT_PACKETS, 10000) != 0) {
			fprintf(stderr, "# traffic failed\n");
			goto out;
		}
		sent += LVDPA_CT_PACKETS;
		if (per_ring && conn == 0) {
			/* Stop ring by ring, then resume by modifies. */
			if (lvdpa_ct_rings_enable(g, 0) != 0)
				goto out;
			lvdpa_tv_log_take(lvdpa_ct_log, sizeof(lvdpa_ct_log));
			if (lvdpa_ct_each(lvdpa_ct_log, "queue %u: suspended and queried", 1) != 0 ||
			    lvdpa_ct_each(lvdpa_ct_log, "queue %u stopped at avail", 1) != 0)
				goto out;
			if (lvdpa_ct_rings_enable(g, 1) != 0)
				goto out;
			lvdpa_tv_log_take(lvdpa_ct_log, sizeof(lvdpa_ct_log));
			if (lvdpa_ct_each(lvdpa_ct_log, "queue %u: modified from SUSPEND to RDY", 1) != 0 ||
			    lvdpa_ct_none(lvdpa_ct_log, "created") != 0 ||
			    lvdpa_ct_none(lvdpa_ct_log, "destroyed") != 0)
				goto out;
			if (lvdpa_guest_run_traffic(g, LVDPA_CT_PACKETS, 10000) != 0) {
				fprintf(stderr, "# no traffic after the resume\n");
				goto out;
			}
			sent += LVDPA_CT_PACKETS;
		}
		if (lvdpa_ct_close(g, devname, sent) != 0)
			goto out;
		lvdpa_guest_destroy(g);
		g = NULL;
	}
	ret = 0;
out:
	if (g != NULL) {
		lvdpa_guest_stop(g);
		lvdpa_guest_destroy(g);
	}
	lvdpa_tv_sock_stop(sock);
	return ret;
}

static int
test_ctrl_legacy_threads(void)
{
	return lvdpa_ct_run("lvdpa0", true, true);
}

static int
test_ctrl_modern_serial(void)
{
	return lvdpa_ct_run("lvdpa1", false, false);
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_ctrl_legacy_threads),
	LVDPA_TEST_CASE(test_ctrl_modern_serial),
)
