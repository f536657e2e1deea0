/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Vrings the device cannot serve directly go through the relay (the PMD
 * loaded with -d, the model as device, app/lvdpa-guest in this process):
 * - big-endian legacy guests with zero features and with legacy sets
 *   (mergeable RX buffers; MAC, CSUM and GUEST_CSUM with IPv4/UDP frames:
 *   the header's checksum fields cross the relay both ways, 10- and
 *   12-byte), one and two queue pairs, timer and interrupt event modes,
 *   under legacy=auto;
 * - a little-endian legacy guest and a modern guest (split ring) with
 *   legacy=relay; a weakly ordered host (host_order=weak) and a device
 *   without legacy mode (model_legacy=0) send a little-endian legacy guest
 *   to the relay by themselves;
 * - legacy=device and legacy=refuse still refuse a big-endian guest;
 * - live migration: with LOG_ALL the pages the relay writes (used rings,
 *   converted headers) are in the vhost log; GET_VRING_BASE is the guest's
 *   ring position; a guest stopped on one relayed device resumes on
 *   another at those bases, no packet lost or duplicated;
 * - relay_core: the relays of two devices (timer and interrupt event
 *   modes) served by one thread on one CPU, traffic on both at once;
 * - a malformed guest descriptor (outside guest memory) puts that queue in
 *   error with its counters; the process stays sound.
 * The guest checks every payload; the relay's counters must match the
 * packets sent, and a directly served guest must show none of them.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lvdpa_guest.h"
#include "lvdpa_guest_priv.h"
#include "lvdpa_test.h"
#include "test_vdpa_common.h"
#include "test_vdpa_migrate.h"

#define LVDPA_RL_PACKETS 1000
#define LVDPA_RL_SET_FEATURES 2
#define LVDPA_RL_SET_LOG_BASE 6
#define LVDPA_RL_F_VERSION 0x1
#define LVDPA_RL_LOG_SIZE (1u << 20)

static const char *const lvdpa_rl_vdevs[] = {
	"lvdpa0,queues=1,queue_size=256",
	"lvdpa1,max_conf_threads=1",
	"lvdpa2,host_order=weak",
	"lvdpa3,model_legacy=0",
	"lvdpa4,legacy=relay",
	"lvdpa5,event_mode=2",
	"lvdpa6,legacy=device",
	"lvdpa7,legacy=refuse",
	"lvdpa8",                   /* migration source */
	"lvdpa9",                   /* migration destination */
	/* Two devices, one relay thread on CPU 0 (timer and interrupt modes). */
	"lvdpa10,relay_core=0",
	"lvdpa11,relay_core=0,event_mode=2",
};

static int
lvdpa_rl_eal(void)
{
	return lvdpa_tv_eal("vdpa-relay", lvdpa_rl_vdevs,
			    RTE_DIM(lvdpa_rl_vdevs), 1);
}

struct lvdpa_rl_case {
	const char *dev;
	uint64_t features;
	bool big_endian;
	uint16_t qp;
	bool refused;
	bool direct;                /* served by the device, not relayed */
	uint64_t expect_features;
	unsigned int expect_hdr;
	const char *expect_log;
	bool udp;                   /* IPv4/UDP frames, checksums checked */
	bool dev_features;          /* the socket offers the device's features */
};

/*
 * With EVENT_IDX the relay, idle, asks the guest for the next kick by
 * writing avail_event (after the used ring, in the guest's byte order) at
 * the guest's avail index: without it the guest would stop kicking after
 * the first batch. Waits for the relay to go idle.
 */
static int
lvdpa_rl_check_avail_event(struct lvdpa_guest *g)
{
	unsigned int i, k, n = g->cfg.queue_size;

	for (i = 0; i < 2u * g->nqp; i++) {
		struct lvdpa_guest_vq *vq = (i & 1) ? &g->qp[i / 2].tx : &g->qp[i / 2].rx;
		const uint8_t *ev = lvdpa_guest_mem_ptr(&g->mem,
							vq->device_gpa + 4 + 8 * n, 2);
		uint16_t v = 0;

		if (ev == NULL)
			return -1;
		for (k = 0; k < 200; k++) {
			v = g->cfg.big_endian ? (uint16_t)(ev[0] << 8 | ev[1]) :
						(uint16_t)(ev[0] | ev[1] << 8);
			if (v == vq->ring.avail_idx)
				break;
			usleep(5000);
		}
		fprintf(stderr, "# vring %u: avail_event %u, guest avail %u\n",
			i, v, vq->ring.avail_idx);
		if (v != vq->ring.avail_idx)
			return -1;
	}
	return 0;
}

/* Sum of stat @p name over the queues of one direction (odd: TX). */
static uint64_t
lvdpa_rl_sum(struct rte_vdpa_device *dev, unsigned int qp, bool tx,
	     const char *name)
{
	uint64_t s = 0;
	unsigned int q;

	for (q = tx ? 1 : 0; q < 2u * qp; q += 2) {
		uint64_t v = lvdpa_tv_stat(dev, q, name);

		if (v == UINT64_MAX)
			return UINT64_MAX;
		s += v;
	}
	return s;
}

static struct lvdpa_guest *
lvdpa_rl_guest_ext(const char *sock, uint64_t features, bool be, uint16_t qp,
		   bool udp)
{
	struct lvdpa_guest_config cfg;

	lvdpa_guest_config_init(&cfg);
	cfg.udp = udp;
	cfg.socket_path = sock;
	cfg.features = features;
	cfg.big_endian = be;
	cfg.queue_pairs = qp;
	cfg.sizes[0] = 64;
	cfg.sizes[1] = 1000;
	cfg.sizes[2] = 1514;
	cfg.nsizes = 3;
	return lvdpa_guest_create(&cfg);
}

static struct lvdpa_guest *
lvdpa_rl_guest(const char *sock, uint64_t features, bool be, uint16_t qp)
{
	return lvdpa_rl_guest_ext(sock, features, be, qp, false);
}

static int
lvdpa_rl_run(const struct lvdpa_rl_case *c)
{
	static char log[65536];
	struct rte_vdpa_device *dev;
	struct lvdpa_guest *g = NULL;
	uint64_t total = LVDPA_RL_PACKETS + 10;
	char sock[128];
	unsigned int q;
	int rc, k, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_rl_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name(c->dev);
	LVDPA_TEST_ASSERT(dev != NULL, "%s", c->dev);
	for (q = 0; q < 2u * c->qp; q++)
		LVDPA_TEST_ASSERT_EQ(rte_vdpa_reset_stats(dev, q), 0, "reset");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start_ext(dev, c->dev, sock, sizeof(sock),
						     c->dev_features), 0, "socket");
	lvdpa_tv_log_take(log, sizeof(log));
	g = lvdpa_rl_guest_ext(sock, c->features, c->big_endian, c->qp, c->udp);
	if (g == NULL) {
		fprintf(stderr, "# guest creation failed\n");
		goto out;
	}
	rc = lvdpa_guest_connect(g);
	if (rc == 0)
		rc = lvdpa_guest_run_traffic(g, c->refused ? 16 : LVDPA_RL_PACKETS,
					     c->refused ? 1000 : 10000);
	fprintf(stderr, "# %s\n", lvdpa_guest_verdict(g, rc));
	if (c->refused) {
		lvdpa_tv_log_take(log, sizeof(log));
		if (rc == 0) {
			fprintf(stderr, "# a guest that must be refused passed traffic\n");
			goto out;
		}
		if (strstr(log, c->expect_log) == NULL) {
			fprintf(stderr, "# the log does not say \"%s\"\n", c->expect_log);
			goto out;
		}
		for (q = 0; q < 2u * c->qp; q++)
			if (lvdpa_tv_stat(dev, q, "completed_descriptors") != 0 ||
			    lvdpa_tv_stat(dev, q, "relayed tx packets") != 0 ||
			    lvdpa_tv_stat(dev, q, "relayed rx packets") != 0) {
				fprintf(stderr, "# queue %u served a refused guest\n", q);
				goto out;
			}
		ret = 0;
		goto out;
	}
	if (rc != 0) {
		fprintf(stderr, "# traffic failed: %d\n", rc);
		goto out;
	}
	if (lvdpa_guest_features(g) != c->expect_features ||
	    lvdpa_guest_hdr_len(g) != c->expect_hdr) {
		fprintf(stderr, "# negotiated 0x%" PRIx64 " hdr %u, expected 0x%" PRIx64 " hdr %u\n",
			lvdpa_guest_features(g), lvdpa_guest_hdr_len(g),
			c->expect_features, c->expect_hdr);
		goto out;
	}
	/* Single packets: the guest waits for calls, which the relay makes. */
	{
		struct lvdpa_guest_stats gs;
		uint64_t calls;

		lvdpa_guest_get_stats(g, &gs);
		calls = gs.calls;
		for (k = 0; k < 10; k++)
			if (lvdpa_guest_run_traffic(g, 1, 5000) != 0) {
				fprintf(stderr, "# single packet %d lost\n", k);
				goto out;
			}
		lvdpa_guest_get_stats(g, &gs);
		if (gs.calls == calls) {
			fprintf(stderr, "# the guest got no call notification\n");
			goto out;
		}
	}
	if ((lvdpa_guest_features(g) & (1ULL << 29)) &&
	    lvdpa_rl_check_avail_event(g) != 0) {
		fprintf(stderr, "# the relay does not keep avail_event\n");
		goto out;
	}
	if (c->udp) {
		struct lvdpa_guest_stats gs;
		bool csum = c->expect_features & 1ULL << 0;
		bool guest_csum = c->expect_features & 1ULL << 1;

		/*
		 * The relay carried the TX header's NEEDS_CSUM, csum_start and
		 * csum_offset to the device (the UDP checksums verified on
		 * receipt are the device's), and the device's DATA_VALID back
		 * into the guest's header, in its byte order and length.
		 */
		lvdpa_guest_get_stats(g, &gs);
		fprintf(stderr, "# sent %" PRIu64 ", TX checksums offloaded %" PRIu64 ", received %" PRIu64 ", DATA_VALID %" PRIu64 "\n",
			gs.sent, gs.tx_csum_offloaded, gs.received, gs.rx_csum_valid);
		if (gs.tx_csum_offloaded != (csum ? gs.sent : 0) ||
		    gs.rx_csum_valid != (guest_csum ? gs.received : 0) ||
		    gs.received != gs.sent || gs.bad != 0) {
			fprintf(stderr, "# checksum offloads not as negotiated\n");
			goto out;
		}
	}
	lvdpa_tv_log_take(log, sizeof(log));
	if (strstr(log, c->expect_log) == NULL) {
		fprintf(stderr, "# the log does not say \"%s\"\n", c->expect_log);
		goto out;
	}
	for (q = 0; q < 2u * c->qp; q++)
		if (lvdpa_tv_stat(dev, q, "error events") != 0 ||
		    lvdpa_tv_stat(dev, q, "relay errors") != 0 ||
		    lvdpa_tv_stat(dev, q, "completed_descriptors") == 0) {
			fprintf(stderr, "# queue %u: errors or no device completions\n", q);
			goto out;
		}
	{
		uint64_t tx = lvdpa_rl_sum(dev, c->qp, true, "relayed tx packets");
		uint64_t rx = lvdpa_rl_sum(dev, c->qp, false, "relayed rx packets");
		uint64_t dtx = lvdpa_rl_sum(dev, c->qp, true, "completed_descriptors");
		uint64_t conv = lvdpa_rl_sum(dev, c->qp, false, "relay header conversions");
		uint64_t want = c->direct ? 0 : total;

		fprintf(stderr, "# relayed tx %" PRIu64 " rx %" PRIu64 ", device tx %" PRIu64 ", rx header conversions %" PRIu64 "\n",
			tx, rx, dtx, conv);
		if (tx != want || rx != want || dtx != total) {
			fprintf(stderr, "# expected relayed %" PRIu64 " each way, device tx %" PRIu64 "\n",
				want, total);
			goto out;
		}
		/* A header changes on RX unless it is LE with 12 bytes already. */
		if (!c->direct && (c->big_endian || c->expect_hdr == 10) &&
		    conv < total) {
			fprintf(stderr, "# too few RX header conversions\n");
			goto out;
		}
		if (lvdpa_rl_sum(dev, c->qp, true, "relayed tx bytes") == 0 && !c->direct) {
			fprintf(stderr, "# no relayed bytes\n");
			goto out;
		}
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
test_relay_be_zero_features(void)
{
	const struct lvdpa_rl_case c = {
		.dev = "lvdpa0", .features = LVDPA_GUEST_FEATURES_ZERO,
		.big_endian = true, .qp = 1, .expect_features = 0,
		.expect_hdr = 10, .expect_log = "relayed: a big-endian guest",
	};

	return lvdpa_rl_run(&c);
}

static int
test_relay_be_legacy_set(void)
{
	const struct lvdpa_rl_case c = {
		.dev = "lvdpa1", .features = LVDPA_GUEST_FEATURES_LEGACY,
		.big_endian = true, .qp = 1,
		.expect_features = (1ULL << 0) | (1ULL << 15),
		.expect_hdr = 12, .expect_log = "relayed: a big-endian guest",
	};

	return lvdpa_rl_run(&c);
}

/* MAC, CSUM, GUEST_CSUM: a typical legacy driver's offloads. */
#define LVDPA_RL_OFFLOADS ((1ULL << 0) | (1ULL << 1) | (1ULL << 5))

static int
test_relay_be_offloads_mrg(void)
{
	/* 12-byte big-endian headers with checksum fields, both ways. */
	const struct lvdpa_rl_case c = {
		.dev = "lvdpa1", .features = LVDPA_RL_OFFLOADS | (1ULL << 15),
		.big_endian = true, .qp = 1, .udp = true, .dev_features = true,
		.expect_features = LVDPA_RL_OFFLOADS | (1ULL << 15),
		.expect_hdr = 12, .expect_log = "relayed: a big-endian guest",
	};

	return lvdpa_rl_run(&c);
}

static int
test_relay_be_offloads(void)
{
	/* 10-byte big-endian headers: the relay makes and unmakes 12-byte ones. */
	const struct lvdpa_rl_case c = {
		.dev = "lvdpa0", .features = LVDPA_RL_OFFLOADS,
		.big_endian = true, .qp = 1, .udp = true, .dev_features = true,
		.expect_features = LVDPA_RL_OFFLOADS,
		.expect_hdr = 10, .expect_log = "relayed: a big-endian guest",
	};

	return lvdpa_rl_run(&c);
}

static int
test_relay_le_offloads_forced(void)
{
	const struct lvdpa_rl_case c = {
		.dev = "lvdpa4", .features = LVDPA_RL_OFFLOADS, .qp = 1,
		.udp = true, .dev_features = true,
		.expect_features = LVDPA_RL_OFFLOADS, .expect_hdr = 10,
		.expect_log = "relayed: a little-endian guest",
	};

	return lvdpa_rl_run(&c);
}

static int
test_relay_be_two_pairs(void)
{
	const struct lvdpa_rl_case c = {
		.dev = "lvdpa1", .features = LVDPA_GUEST_FEATURES_ZERO | (1ULL << 22),
		.big_endian = true, .qp = 2, .expect_features = 1ULL << 22,
		.expect_hdr = 10, .expect_log = "relayed: a big-endian guest",
	};

	return lvdpa_rl_run(&c);
}

static int
test_relay_be_interrupt_mode(void)
{
	const struct lvdpa_rl_case c = {
		.dev = "lvdpa5", .features = LVDPA_GUEST_FEATURES_LEGACY | (1ULL << 22),
		.big_endian = true, .qp = 2,
		.expect_features = (1ULL << 0) | (1ULL << 15) | (1ULL << 22),
		.expect_hdr = 12,
		.expect_log = "relayed: a big-endian guest",
	};

	return lvdpa_rl_run(&c);
}

static int
test_relay_le_forced(void)
{
	const struct lvdpa_rl_case c = {
		.dev = "lvdpa4", .features = LVDPA_GUEST_FEATURES_ZERO, .qp = 1,
		.expect_features = 0, .expect_hdr = 10,
		.expect_log = "relayed: a little-endian guest",
	};

	return lvdpa_rl_run(&c);
}

static int
test_relay_modern_forced(void)
{
	/* legacy=relay offers EVENT_IDX (the relay serves every ring). */
	const struct lvdpa_rl_case c = {
		.dev = "lvdpa4", .features = LVDPA_GUEST_FEATURES_MODERN, .qp = 1,
		.expect_features = (1ULL << 32) | (1ULL << 15) | (1ULL << 28) |
				   (1ULL << 29),
		.expect_hdr = 12, .expect_log = "relayed: a little-endian guest",
	};

	return lvdpa_rl_run(&c);
}

static int
test_relay_be_event_idx(void)
{
	/* A big-endian legacy guest with event idx, two pairs, waiting for calls. */
	const struct lvdpa_rl_case c = {
		.dev = "lvdpa4", .features = (1ULL << 29) | (1ULL << 22) | (1ULL << 15),
		.big_endian = true, .qp = 2,
		.expect_features = (1ULL << 29) | (1ULL << 22) | (1ULL << 15),
		.expect_hdr = 12, .expect_log = "relayed: a big-endian guest",
	};

	return lvdpa_rl_run(&c);
}

static int
test_relay_no_event_idx_direct(void)
{
	/*
	 * Where the device may serve the guest (legacy=auto) EVENT_IDX is
	 * not offered: the device has none. The guest asks, gets without.
	 */
	const struct lvdpa_rl_case c = {
		.dev = "lvdpa1", .features = (1ULL << 29) | (1ULL << 15),
		.big_endian = true, .qp = 1, .expect_features = 1ULL << 15,
		.expect_hdr = 12, .expect_log = "relayed: a big-endian guest",
	};

	return lvdpa_rl_run(&c);
}

static int
test_relay_weak_host(void)
{
	const struct lvdpa_rl_case c = {
		.dev = "lvdpa2", .features = LVDPA_GUEST_FEATURES_LEGACY, .qp = 1,
		.expect_features = (1ULL << 0) | (1ULL << 15), .expect_hdr = 12,
		.expect_log = "relayed: a little-endian guest",
	};

	return lvdpa_rl_run(&c);
}

static int
test_relay_device_without_legacy(void)
{
	const struct lvdpa_rl_case c = {
		.dev = "lvdpa3", .features = LVDPA_GUEST_FEATURES_ZERO, .qp = 1,
		.expect_features = 0, .expect_hdr = 10,
		/* The device refused the legacy queue; dev_conf relayed. */
		.expect_log = "the relay serves this guest (legacy=auto)",
	};

	return lvdpa_rl_run(&c);
}

static int
test_direct_not_relayed(void)
{
	/* For contrast: the device serves it, the relay counters stay 0. */
	const struct lvdpa_rl_case c = {
		.dev = "lvdpa1", .features = LVDPA_GUEST_FEATURES_ZERO, .qp = 1,
		.direct = true, .expect_features = 0, .expect_hdr = 10,
		.expect_log = "served by the device in legacy mode",
	};

	return lvdpa_rl_run(&c);
}

static int
test_be_refused_legacy_device(void)
{
	const struct lvdpa_rl_case c = {
		.dev = "lvdpa6", .features = LVDPA_GUEST_FEATURES_ZERO,
		.big_endian = true, .qp = 1, .refused = true,
		.expect_log = "big-endian",
	};

	return lvdpa_rl_run(&c);
}

static int
test_be_refused_legacy_refuse(void)
{
	const struct lvdpa_rl_case c = {
		.dev = "lvdpa7", .features = LVDPA_GUEST_FEATURES_ZERO,
		.big_endian = true, .qp = 1, .refused = true,
		.expect_log = "big-endian",
	};

	return lvdpa_rl_run(&c);
}

/* ---- live migration ---- */

static int
lvdpa_rl_set_features(struct lvdpa_guest *g, uint64_t f)
{
	uint64_t ack = UINT64_MAX;
	int rc;

	rc = lvdpa_guest_send_raw(g, LVDPA_RL_SET_FEATURES,
				  LVDPA_RL_F_VERSION | (1u << 3), sizeof(f), &f,
				  sizeof(f), NULL, 0, &ack, sizeof(ack));
	return rc < 0 ? rc : ack == 0 ? 0 : -EIO;
}

static bool
lvdpa_rl_page_dirty(const uint8_t *bm, uint64_t gpa)
{
	uint64_t page = gpa / 4096;

	return page / 8 < LVDPA_RL_LOG_SIZE && (bm[page / 8] & (1u << (page % 8)));
}

static int
test_relay_live_migration(void)
{
	struct { uint64_t size, offset; } lb = { LVDPA_RL_LOG_SIZE, 0 };
	static char log[65536];
	struct rte_vdpa_device *dev;
	struct lvdpa_guest *g = NULL;
	struct lvdpa_guest_qp *qp;
	uint8_t *bm = MAP_FAILED;
	uint64_t f, ack = UINT64_MAX;
	unsigned int i, hdr_pages = 0;
	char sock[128];
	int fd = -1, rc, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_rl_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name("lvdpa1");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa1");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, "lm", sock, sizeof(sock)), 0,
			     "socket");
	/* Big-endian, 10-byte header: the relay writes every RX header. */
	g = lvdpa_rl_guest(sock, LVDPA_GUEST_FEATURES_ZERO, true, 1);
	if (g == NULL || lvdpa_guest_connect(g) != 0 ||
	    lvdpa_guest_run_traffic(g, 200, 10000) != 0) {
		fprintf(stderr, "# guest did not run\n");
		goto out;
	}
	fd = memfd_create("lvdpa-relay-log", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, LVDPA_RL_LOG_SIZE) != 0)
		goto out;
	bm = mmap(NULL, LVDPA_RL_LOG_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (bm == MAP_FAILED)
		goto out;
	rc = lvdpa_guest_send_raw(g, LVDPA_RL_SET_LOG_BASE, LVDPA_RL_F_VERSION,
				  sizeof(lb), &lb, sizeof(lb), &fd, 1, &ack, sizeof(ack));
	if (rc < 0) {
		fprintf(stderr, "# SET_LOG_BASE: %d\n", rc);
		goto out;
	}
	f = lvdpa_guest_features(g) | (1ULL << 30);
	if (lvdpa_rl_set_features(g, f | (1ULL << 26)) != 0) {
		fprintf(stderr, "# SET_FEATURES with LOG_ALL refused\n");
		goto out;
	}
	memset(bm, 0, LVDPA_RL_LOG_SIZE);
	if (lvdpa_guest_run_traffic(g, 1000, 10000) != 0) {
		fprintf(stderr, "# traffic with LOG_ALL failed\n");
		goto out;
	}
	qp = &g->qp[0];
	/* The device writes only the shadow used rings: these are the relay's. */
	if (!lvdpa_rl_page_dirty(bm, qp->rx.device_gpa) ||
	    !lvdpa_rl_page_dirty(bm, qp->tx.device_gpa)) {
		fprintf(stderr, "# the guest used rings are not logged\n");
		goto out;
	}
	for (i = 0; i < g->cfg.queue_size; i++)
		if (lvdpa_rl_page_dirty(bm, qp->rxb[i].gpa))
			hdr_pages++;
	if (hdr_pages == 0) {
		fprintf(stderr, "# no RX header page logged\n");
		goto out;
	}
	fprintf(stderr, "# used rings and %u RX buffer pages logged\n", hdr_pages);
	if (lvdpa_rl_set_features(g, f) != 0)
		goto out;
	/* GET_VRING_BASE: where the guest's rings are, as the guest sees them. */
	lvdpa_tv_log_take(log, sizeof(log));
	if (lvdpa_guest_stop(g) != 0)
		goto out;
	lvdpa_tv_log_take(log, sizeof(log));
	fprintf(stderr, "# bases rx %u (guest used %u) tx %u (guest avail %u)\n",
		qp->rx.base, qp->rx.ring.last_used, qp->tx.base,
		qp->tx.ring.avail_idx);
	if (qp->tx.base != qp->tx.ring.avail_idx || qp->tx.base != 1200 ||
	    qp->rx.base != qp->rx.ring.last_used || qp->rx.base != 1200) {
		fprintf(stderr, "# GET_VRING_BASE is not the guest's position\n");
		goto out;
	}
	if (strstr(log, "relay stopped at avail 1200 used 1200") == NULL) {
		fprintf(stderr, "# the relay did not stop where the guest is\n");
		goto out;
	}
	ret = 0;
out:
	if (bm != MAP_FAILED)
		munmap(bm, LVDPA_RL_LOG_SIZE);
	if (fd >= 0)
		close(fd);
	lvdpa_guest_destroy(g);
	lvdpa_tv_sock_stop(sock);
	return ret;
}

/*
 * A big-endian legacy guest relayed on lvdpa8 with dirty logging, stopped
 * with packets in flight and more queued while stopped, resumed on lvdpa9
 * (relayed too) at the bases GET_VRING_BASE gave, as QEMU does on the
 * destination: every packet comes back exactly once. TX stops first and
 * the source's RX drains the wire, so that nothing is lost there either.
 */
static int
test_relay_migrate_resume(void)
{
	struct { uint64_t size, offset; } lb = { LVDPA_RL_LOG_SIZE, 0 };
	static char log[65536];
	struct lvdpa_guest_config cfg;
	struct rte_vdpa_device *src, *dst;
	struct lvdpa_guest_stats st;
	struct lvdpa_guest *g = NULL;
	struct lvdpa_guest_qp *qp;
	uint8_t *bm = MAP_FAILED;
	uint64_t f, ack = UINT64_MAX, src_tx = 0, src_rx = 0, dst_tx;
	char sock0[128] = "", sock1[128] = "";
	unsigned int i, hdr_pages = 0;
	int fd = -1, k, rc, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_rl_eal() == 0, "EAL");
	src = rte_vdpa_find_device_by_name("lvdpa8");
	dst = rte_vdpa_find_device_by_name("lvdpa9");
	LVDPA_TEST_ASSERT(src != NULL && dst != NULL, "lvdpa8, lvdpa9");
	for (i = 0; i < 2; i++)
		LVDPA_TEST_ASSERT(rte_vdpa_reset_stats(src, i) == 0 &&
				  rte_vdpa_reset_stats(dst, i) == 0, "reset");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(src, "mig-src", sock0, sizeof(sock0)),
			     0, "source socket");
	if (lvdpa_tv_sock_start(dst, "mig-dst", sock1, sizeof(sock1)) != 0) {
		sock1[0] = '\0';
		goto out;
	}
	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = sock0;
	cfg.features = LVDPA_GUEST_FEATURES_ZERO;
	cfg.big_endian = true;
	cfg.queue_size = 256;
	cfg.mem_regions = 2;
	cfg.mem_size = 64 << 20;
	g = lvdpa_guest_create(&cfg);
	if (g == NULL || lvdpa_guest_connect(g) != 0 ||
	    lvdpa_guest_run_traffic(g, 500, 10000) != 0) {
		fprintf(stderr, "# guest did not run on the source\n");
		goto out;
	}
	qp = &g->qp[0];
	fd = memfd_create("lvdpa-relay-mig-log", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, LVDPA_RL_LOG_SIZE) != 0)
		goto out;
	bm = mmap(NULL, LVDPA_RL_LOG_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (bm == MAP_FAILED)
		goto out;
	rc = lvdpa_guest_send_raw(g, LVDPA_RL_SET_LOG_BASE, LVDPA_RL_F_VERSION,
				  sizeof(lb), &lb, sizeof(lb), &fd, 1, &ack, sizeof(ack));
	f = lvdpa_guest_features(g) | (1ULL << LVDPA_FL_F_PROTOCOL_FEATURES);
	if (rc < 0 || lvdpa_rl_set_features(g, f | (1ULL << 26)) != 0) {
		fprintf(stderr, "# dirty logging not started: %d\n", rc);
		goto out;
	}
	memset(bm, 0, LVDPA_RL_LOG_SIZE);
	if (lvdpa_guest_run_traffic(g, 500, 10000) != 0) {
		fprintf(stderr, "# traffic with LOG_ALL failed\n");
		goto out;
	}
	for (i = 0; i < g->cfg.queue_size; i++)
		if (lvdpa_rl_page_dirty(bm, qp->rxb[i].gpa))
			hdr_pages++;
	if (!lvdpa_rl_page_dirty(bm, qp->rx.device_gpa) ||
	    !lvdpa_rl_page_dirty(bm, qp->tx.device_gpa) || hdr_pages == 0) {
		fprintf(stderr, "# used rings or RX headers not logged\n");
		goto out;
	}
	/*
	 * In flight at the stop (the source's TX stops first), then more
	 * while stopped: together one ring of TX chains (two descriptors
	 * each) and no more than the RX buffers posted.
	 */
	if (lvdpa_fl_drain(g, 0, 2000) != 0) {
		fprintf(stderr, "# the source did not drain\n");
		goto out;
	}
	rc = lvdpa_guest_send(g, 0, 64, 0);
	if (rc != 64) {
		fprintf(stderr, "# queued %d of 64\n", rc);
		goto out;
	}
	if (lvdpa_fl_set_state(g, LVDPA_GUEST_REQ_SET_VRING_ENABLE, 1, 0) != 0) {
		fprintf(stderr, "# TX not stopped\n");
		goto out;
	}
	/* The source's RX takes what its TX sent (the wire is drained). */
	for (k = 0; k < 400; k++) {
		src_tx = lvdpa_tv_stat(src, 1, "completed_descriptors");
		src_rx = lvdpa_tv_stat(src, 0, "relayed rx packets");
		if (src_rx == src_tx)
			break;
		usleep(5000);
	}
	lvdpa_tv_log_take(log, sizeof(log));
	if (lvdpa_guest_stop(g) != 0) {
		fprintf(stderr, "# stop on the source failed\n");
		goto out;
	}
	lvdpa_tv_log_take(log, sizeof(log));
	lvdpa_guest_get_stats(g, &st);
	fprintf(stderr, "# source stopped: RX base %u, TX base %u; sent %" PRIu64 ", the source sent %" PRIu64 " and received %" PRIu64 "\n",
		qp->rx.base, qp->tx.base, st.sent, src_tx, src_rx);
	/*
	 * The guest's TX position is what the device sent: the rest moves
	 * on. The RX buffers the relay had in flight on the shadow ring went
	 * back (the base is before them) for the destination to offer again.
	 */
	if (src_rx != src_tx || qp->tx.base != (uint16_t)src_tx ||
	    src_tx > st.sent || src_tx < 1000 ||
	    qp->rx.base != (uint16_t)src_rx ||
	    (uint16_t)(qp->rx.ring.avail_idx - qp->rx.base) == 0) {
		fprintf(stderr, "# the source's bases are not where its device stopped (RX avail %u)\n",
			qp->rx.ring.avail_idx);
		goto out;
	}
	/* Queued while stopped: the kicks reach no one, the rings keep them. */
	g->started = true;
	rc = lvdpa_guest_send(g, 0, 64, 0);
	g->started = false;
	if (rc != 64) {
		fprintf(stderr, "# queued %d of 64 while stopped\n", rc);
		goto out;
	}
	rc = lvdpa_fl_resume(g, sock1, -1, LVDPA_FL_MEM_TRUE);
	if (rc != 0) {
		fprintf(stderr, "# resume on the destination: %d\n", rc);
		goto out;
	}
	rc = lvdpa_fl_drain(g, 0, 5000);
	lvdpa_guest_get_stats(g, &st);
	dst_tx = lvdpa_tv_stat(dst, 1, "completed_descriptors");
	fprintf(stderr, "# after resume: sent %" PRIu64 " received %" PRIu64 " TX done %" PRIu64 " bad %" PRIu64 " dup %" PRIu64 "; TX chains: source %" PRIu64 " destination %" PRIu64 "\n",
		st.sent, st.received, st.tx_done, st.bad, st.dup, src_tx, dst_tx);
	if (rc != 0 || st.bad != 0 || st.dup != 0 || st.received != st.sent ||
	    st.tx_done != st.sent || src_tx + dst_tx != st.sent || dst_tx < 64) {
		fprintf(stderr, "# packets lost or duplicated across the migration\n");
		goto out;
	}
	lvdpa_tv_log_take(log, sizeof(log));
	if (strstr(log, "relayed: a big-endian guest") == NULL ||
	    lvdpa_tv_stat(dst, 1, "relayed tx packets") != dst_tx) {
		fprintf(stderr, "# the destination did not relay\n");
		goto out;
	}
	rc = lvdpa_guest_run_traffic(g, 1000, 10000);
	fprintf(stderr, "# %s\n", lvdpa_guest_verdict(g, rc));
	if (rc != 0) {
		fprintf(stderr, "# traffic on the destination failed\n");
		goto out;
	}
	ret = 0;
out:
	if (bm != MAP_FAILED)
		munmap(bm, LVDPA_RL_LOG_SIZE);
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

/* ---- relay_core: one relay thread for the relays of two devices ---- */

struct lvdpa_rl_traffic {
	struct lvdpa_guest *g;
	uint64_t pkts;
	int rc;
};

static void *
lvdpa_rl_traffic_main(void *arg)
{
	struct lvdpa_rl_traffic *t = arg;

	t->rc = lvdpa_guest_run_traffic(t->g, t->pkts, 20000);
	return NULL;
}

static int
test_relay_core_shared(void)
{
	static const char *const names[2] = { "lvdpa10", "lvdpa11" };
	static char log[65536];
	struct rte_vdpa_device *dev[2];
	struct lvdpa_guest *g[2] = { NULL, NULL };
	struct lvdpa_rl_traffic t[2];
	pthread_t th[2];
	bool started[2] = { false, false };
	char sock[2][128] = { "", "" };
	unsigned int i, k;
	int ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_rl_eal() == 0, "EAL");
	lvdpa_tv_log_take(log, sizeof(log));
	/* Probed at EAL start: one thread, named after its CPU, for both. */
	LVDPA_TEST_ASSERT_EQ(lvdpa_test_threads("lvdpa-rly-0", NULL), 1, "relay threads");
	for (i = 0; i < 2; i++) {
		dev[i] = rte_vdpa_find_device_by_name(names[i]);
		LVDPA_TEST_ASSERT(dev[i] != NULL, "%s", names[i]);
		for (k = 0; k < 4; k++)
			(void)rte_vdpa_reset_stats(dev[i], k);
	}
	for (i = 0; i < 2; i++) {
		if (lvdpa_tv_sock_start(dev[i], names[i], sock[i], sizeof(sock[i])) != 0) {
			sock[i][0] = '\0';
			goto out;
		}
		/* Big-endian legacy guests: relayed; two pairs on the second. */
		g[i] = lvdpa_rl_guest(sock[i], i == 0 ? LVDPA_GUEST_FEATURES_ZERO :
				      (1ULL << 15) | (1ULL << 22), true, i + 1);
		if (g[i] == NULL || lvdpa_guest_connect(g[i]) != 0) {
			fprintf(stderr, "# guest %u did not connect\n", i);
			goto out;
		}
	}
	/* Both at once: the one thread moves both devices' traffic. */
	for (i = 0; i < 2; i++) {
		t[i] = (struct lvdpa_rl_traffic){ g[i], LVDPA_RL_PACKETS, -1 };
		if (pthread_create(&th[i], NULL, lvdpa_rl_traffic_main, &t[i]) != 0)
			goto out;
		started[i] = true;
	}
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		started[i] = false;
		fprintf(stderr, "# %s: %s\n", names[i], lvdpa_guest_verdict(g[i], t[i].rc));
	}
	if (t[0].rc != 0 || t[1].rc != 0)
		goto out;
	/* Single packets: the sleeping thread is woken by kicks and completions. */
	for (i = 0; i < 2; i++)
		for (k = 0; k < 10; k++)
			if (lvdpa_guest_run_traffic(g[i], 1, 5000) != 0) {
				fprintf(stderr, "# %s: single packet %u lost\n", names[i], k);
				goto out;
			}
	for (i = 0; i < 2; i++) {
		uint64_t tx = lvdpa_rl_sum(dev[i], i + 1, true, "relayed tx packets");
		uint64_t rx = lvdpa_rl_sum(dev[i], i + 1, false, "relayed rx packets");

		fprintf(stderr, "# %s: relayed tx %" PRIu64 " rx %" PRIu64 "\n", names[i], tx, rx);
		if (tx != LVDPA_RL_PACKETS + 10 || rx != LVDPA_RL_PACKETS + 10) {
			fprintf(stderr, "# %s: not every packet was relayed\n", names[i]);
			goto out;
		}
	}
	lvdpa_tv_log_take(log, sizeof(log));
	ret = 0;
out:
	for (i = 0; i < 2; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		if (g[i] != NULL) {
			lvdpa_guest_stop(g[i]);
			lvdpa_guest_destroy(g[i]);
		}
		if (sock[i][0] != '\0')
			lvdpa_tv_sock_stop(sock[i]);
	}
	return ret;
}

/* ---- malformed guest descriptors ---- */

static int
test_relay_bad_descriptor(void)
{
	static char log[65536];
	struct rte_vdpa_device *dev;
	struct lvdpa_guest *g = NULL;
	struct lvdpa_ring_seg seg = { .addr = UINT64_C(0x7f0000000000), .len = 64 };
	struct lvdpa_guest_vq *tx;
	char sock[128];
	int k, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_rl_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name("lvdpa4");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa4");
	LVDPA_TEST_ASSERT_EQ(rte_vdpa_reset_stats(dev, 1), 0, "reset");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, "bad", sock, sizeof(sock)), 0,
			     "socket");
	g = lvdpa_rl_guest(sock, LVDPA_GUEST_FEATURES_ZERO, true, 1);
	if (g == NULL || lvdpa_guest_connect(g) != 0 ||
	    lvdpa_guest_run_traffic(g, 100, 10000) != 0) {
		fprintf(stderr, "# guest did not run\n");
		goto out;
	}
	lvdpa_tv_log_take(log, sizeof(log));
	/* A TX chain whose only descriptor is outside guest memory. */
	tx = &g->qp[0].tx;
	if (lvdpa_ring_drv_add(&tx->ring, &seg, 1, 0, 0xbad) != 0) {
		fprintf(stderr, "# could not add the bad descriptor\n");
		goto out;
	}
	lvdpa_ring_drv_publish(&tx->ring);
	(void)eventfd_write(tx->kick_fd, 1);
	for (k = 0; k < 200 && lvdpa_tv_stat(dev, 1, "error events") == 0; k++)
		usleep(10000);
	lvdpa_tv_log_take(log, sizeof(log));
	if (lvdpa_tv_stat(dev, 1, "error events") != 1 ||
	    lvdpa_tv_stat(dev, 1, "relay errors") != 1) {
		fprintf(stderr, "# queue 1: error events %" PRIu64 ", relay errors %" PRIu64 "\n",
			lvdpa_tv_stat(dev, 1, "error events"),
			lvdpa_tv_stat(dev, 1, "relay errors"));
		goto out;
	}
	if (strstr(log, "queue 1: the relay stopped the queue") == NULL) {
		fprintf(stderr, "# the error is not logged\n");
		goto out;
	}
	/* The queue stays stopped: nothing more is sent; the process goes on. */
	if (lvdpa_guest_run_traffic(g, 4, 500) == 0) {
		fprintf(stderr, "# a queue in error still passed traffic\n");
		goto out;
	}
	if (lvdpa_tv_stat(dev, 0, "error events") != 0) {
		fprintf(stderr, "# the RX queue was put in error too\n");
		goto out;
	}
	ret = 0;
out:
	if (g != NULL) {
		lvdpa_guest_stop(g);
		lvdpa_guest_destroy(g);
	}
	lvdpa_tv_sock_stop(sock);
	/* The device serves a new guest after the broken one. */
	if (ret == 0) {
		const struct lvdpa_rl_case c = {
			.dev = "lvdpa4", .features = LVDPA_GUEST_FEATURES_ZERO,
			.big_endian = true, .qp = 1, .expect_features = 0,
			.expect_hdr = 10, .expect_log = "relayed: a big-endian guest",
		};

		for (k = 0; k < 2; k++)
			(void)rte_vdpa_reset_stats(dev, k);
		ret = lvdpa_rl_run(&c);
	}
	return ret;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_relay_be_zero_features),
	LVDPA_TEST_CASE(test_relay_be_legacy_set),
	LVDPA_TEST_CASE(test_relay_be_offloads_mrg),
	LVDPA_TEST_CASE(test_relay_be_offloads),
	LVDPA_TEST_CASE(test_relay_le_offloads_forced),
	LVDPA_TEST_CASE(test_relay_be_two_pairs),
	LVDPA_TEST_CASE(test_relay_be_interrupt_mode),
	LVDPA_TEST_CASE(test_relay_le_forced),
	LVDPA_TEST_CASE(test_relay_modern_forced),
	LVDPA_TEST_CASE(test_relay_be_event_idx),
	LVDPA_TEST_CASE(test_relay_no_event_idx_direct),
	LVDPA_TEST_CASE(test_relay_weak_host),
	LVDPA_TEST_CASE(test_relay_device_without_legacy),
	LVDPA_TEST_CASE(test_direct_not_relayed),
	LVDPA_TEST_CASE(test_be_refused_legacy_device),
	LVDPA_TEST_CASE(test_be_refused_legacy_refuse),
	LVDPA_TEST_CASE(test_relay_live_migration),
	LVDPA_TEST_CASE(test_relay_migrate_resume),
	LVDPA_TEST_CASE(test_relay_core_shared),
	LVDPA_TEST_CASE(test_relay_bad_descriptor),
)
