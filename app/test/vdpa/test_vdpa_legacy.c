/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Legacy (virtio 0.9.5) guests through the PMD (loaded with -d) and
 * lib/lvdpa_vhost, the guest being app/lvdpa-guest in this process:
 * - little-endian legacy guests on a strongly ordered host run on the
 *   device in legacy mode: zero features (on queues pre-created as modern:
 *   virtio_version_1_0 is modified in place) and legacy feature sets
 *   (mergeable RX buffers: 12-byte header; MAC, CSUM and GUEST_CSUM with
 *   IPv4/UDP frames whose checksums the device makes and verifies), 1 and
 *   2 queue pairs;
 * - what the device cannot serve correctly goes to the relay under
 *   legacy=auto (test_vdpa_relay.c); with legacy=device it is refused with
 *   a clear error and never served: a big-endian guest, a device without
 *   legacy mode; legacy=refuse refuses every legacy guest;
 * - modern guests (mergeable buffers, indirect descriptors, packed rings),
 *   for contrast, and interrupt mode (event_mode=2).
 * Queue counters must match the packets sent. Once the guest is idle, the
 * device's event thread sleeps (event_mode 1 arms the device's interrupts
 * after its idle rounds, 2 never polls) instead of waking every event_us.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lvdpa_guest.h"
#include "lvdpa_test.h"
#include "test_vdpa_common.h"

#define LVDPA_LG_PACKETS 1000

static const char *const lvdpa_lg_vdevs[] = {
	"lvdpa0,queues=1,queue_size=256",
	"lvdpa1,max_conf_threads=1",
	"lvdpa2,legacy=device",
	"lvdpa3,model_legacy=0,legacy=device",
	"lvdpa4,legacy=refuse",
	"lvdpa5,event_mode=2",
};

static int
lvdpa_lg_eal(void)
{
	return lvdpa_tv_eal("vdpa-legacy", lvdpa_lg_vdevs,
			    RTE_DIM(lvdpa_lg_vdevs), 1);
}

struct lvdpa_lg_case {
	const char *dev;
	uint64_t features;
	bool big_endian;
	uint16_t qp;
	int expect_run;             /* 0 traffic passes, else refused */
	uint64_t expect_features;   /* negotiated, when served */
	unsigned int expect_hdr;
	const char *expect_log;     /* in the log when refused */
	bool udp;                   /* IPv4/UDP frames, checksums checked */
	bool dev_features;          /* the socket offers the device's features */
};

/* The device's event thread, its guest connected and idle, sleeps. */
static int
lvdpa_lg_idle_sleeps(const char *dev)
{
	char comm[32];
	long before = 0, after = 0;

	snprintf(comm, sizeof(comm), "lvdpa-ev-%.6s", dev);
	/* event_mode 1 arms after 16 idle rounds of 100 us: long past. */
	usleep(50 * 1000);
	if (lvdpa_test_threads(comm, &before) != 1) {
		fprintf(stderr, "# no thread %s\n", comm);
		return -1;
	}
	usleep(200 * 1000);
	lvdpa_test_threads(comm, &after);
	/* Polling makes about a thousand in 200 ms; a few wake-ups are fine. */
	fprintf(stderr, "# %s woke %ld times in 200 ms with the guest idle\n",
		comm, after - before);
	return after - before > 20 ? -1 : 0;
}

static int
lvdpa_lg_run(const struct lvdpa_lg_case *c)
{
	static char log[65536];
	struct lvdpa_guest_config cfg;
	struct rte_vdpa_device *dev;
	struct lvdpa_guest *g = NULL;
	char sock[128];
	unsigned int q, singles = 0;
	int rc, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_lg_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name(c->dev);
	LVDPA_TEST_ASSERT(dev != NULL, "%s", c->dev);
	for (q = 0; q < 2u * c->qp; q++)
		LVDPA_TEST_ASSERT_EQ(rte_vdpa_reset_stats(dev, q), 0, "reset");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start_ext(dev, c->dev, sock, sizeof(sock),
						     c->dev_features), 0, "socket");
	lvdpa_tv_log_take(log, sizeof(log));
	lvdpa_guest_config_init(&cfg);
	cfg.udp = c->udp;
	cfg.socket_path = sock;
	cfg.features = c->features;
	cfg.big_endian = c->big_endian;
	cfg.queue_pairs = c->qp;
	cfg.sizes[0] = 64;
	cfg.sizes[1] = 1000;
	cfg.sizes[2] = 1514;
	cfg.nsizes = 3;
	g = lvdpa_guest_create(&cfg);
	if (g == NULL) {
		fprintf(stderr, "# guest creation failed\n");
		goto out;
	}
	rc = lvdpa_guest_connect(g);
	if (rc == 0)
		rc = lvdpa_guest_run_traffic(g, c->expect_run == 0 ?
					     LVDPA_LG_PACKETS : 16,
					     c->expect_run == 0 ? 10000 : 1000);
	fprintf(stderr, "# %s\n", lvdpa_guest_verdict(g, rc));
	lvdpa_tv_log_take(log, sizeof(log));
	if (c->expect_run == 0) {
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
		{
			struct lvdpa_guest_stats gs;
			uint64_t calls;
			int k;

			/*
			 * Single packets: the guest waits on its call fds when
			 * its first look finds nothing, so calls must come. A
			 * fast device may beat that look now and then (the
			 * guest then never waits): send up to 100, one by
			 * one, until a call is seen.
			 */
			lvdpa_guest_get_stats(g, &gs);
			calls = gs.calls;
			for (k = 0; k < 100 && gs.calls == calls; k++) {
				if (lvdpa_guest_run_traffic(g, 1, 5000) != 0) {
					fprintf(stderr, "# single packet %d lost\n", k);
					goto out;
				}
				lvdpa_guest_get_stats(g, &gs);
			}
			singles = k;
			if (gs.calls == calls) {
				fprintf(stderr, "# the guest got no call notification\n");
				goto out;
			}
		}
		if (c->udp) {
			struct lvdpa_guest_stats gs;
			bool csum = c->expect_features & 1ULL << 0;
			bool guest_csum = c->expect_features & 1ULL << 1;

			/*
			 * Every frame's UDP checksum was verified on receipt:
			 * with CSUM the device made it from the TX header's
			 * csum_start/csum_offset; with GUEST_CSUM every RX
			 * header said DATA_VALID.
			 */
			lvdpa_guest_get_stats(g, &gs);
			fprintf(stderr, "# sent %" PRIu64 ", TX checksums offloaded %" PRIu64 ", received %" PRIu64 ", DATA_VALID %" PRIu64 "\n",
				gs.sent, gs.tx_csum_offloaded, gs.received,
				gs.rx_csum_valid);
			if (gs.tx_csum_offloaded != (csum ? gs.sent : 0) ||
			    gs.rx_csum_valid != (guest_csum ? gs.received : 0) ||
			    gs.received != gs.sent || gs.bad != 0) {
				fprintf(stderr, "# checksum offloads not as negotiated\n");
				goto out;
			}
		}
		if (lvdpa_lg_idle_sleeps(c->dev) != 0)
			goto out;
		if (strstr(log, "served by the device in legacy mode") == NULL &&
		    !(c->expect_features & (1ULL << 32))) {
			fprintf(stderr, "# the device was not configured in legacy mode\n");
			goto out;
		}
		for (q = 0; q < 2u * c->qp; q++) {
			uint64_t v = lvdpa_tv_stat(dev, q, "completed_descriptors");
			uint64_t e = lvdpa_tv_stat(dev, q, "error events");

			/* Spread over the pairs; mergeable RX may use more chains. */
			if (v == UINT64_MAX || v == 0 || e != 0) {
				fprintf(stderr, "# queue %u: completed %" PRIu64 " errors %" PRIu64 "\n",
					q, v, e);
				goto out;
			}
		}
		{
			uint64_t tx = 0;

			for (q = 1; q < 2u * c->qp; q += 2)
				tx += lvdpa_tv_stat(dev, q, "completed_descriptors");
			if (tx != LVDPA_LG_PACKETS + singles) {
				fprintf(stderr, "# TX completed %" PRIu64 ", sent %u\n",
					tx, LVDPA_LG_PACKETS + singles);
				goto out;
			}
		}
	} else {
		if (rc == 0) {
			fprintf(stderr, "# a guest that must be refused passed traffic\n");
			goto out;
		}
		if (strstr(log, c->expect_log) == NULL) {
			fprintf(stderr, "# the log does not say \"%s\"\n", c->expect_log);
			goto out;
		}
		for (q = 0; q < 2u * c->qp; q++)
			if (lvdpa_tv_stat(dev, q, "completed_descriptors") != 0) {
				fprintf(stderr, "# queue %u served a refused guest\n", q);
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
test_legacy_le_zero_features(void)
{
	const struct lvdpa_lg_case c = {
		.dev = "lvdpa0", .features = LVDPA_GUEST_FEATURES_ZERO, .qp = 1,
		.expect_features = 0, .expect_hdr = 10,
	};

	return lvdpa_lg_run(&c);
}

static int
test_legacy_le_feature_set(void)
{
	const struct lvdpa_lg_case c = {
		.dev = "lvdpa1", .features = LVDPA_GUEST_FEATURES_LEGACY, .qp = 1,
		/* CSUM and MRG_RXBUF; MAC is not in rte_vhost's socket default */
		.expect_features = (1ULL << 0) | (1ULL << 15), .expect_hdr = 12,
	};

	return lvdpa_lg_run(&c);
}

/* A typical legacy driver's set, the socket widened as the sample app does. */
#define LVDPA_LG_OFFLOADS ((1ULL << 0) | (1ULL << 1) | (1ULL << 5))

static int
test_legacy_le_offloads_mrg(void)
{
	/* MAC, CSUM, GUEST_CSUM, MRG_RXBUF: IPv4/UDP checksums by the device. */
	const struct lvdpa_lg_case c = {
		.dev = "lvdpa1", .features = LVDPA_LG_OFFLOADS | (1ULL << 15),
		.qp = 1, .udp = true, .dev_features = true,
		.expect_features = LVDPA_LG_OFFLOADS | (1ULL << 15),
		.expect_hdr = 12,
	};

	return lvdpa_lg_run(&c);
}

static int
test_legacy_le_offloads(void)
{
	/* The same with the 10-byte header. */
	const struct lvdpa_lg_case c = {
		.dev = "lvdpa0", .features = LVDPA_LG_OFFLOADS, .qp = 1,
		.udp = true, .dev_features = true,
		.expect_features = LVDPA_LG_OFFLOADS, .expect_hdr = 10,
	};

	return lvdpa_lg_run(&c);
}

static int
test_legacy_le_udp_no_offloads(void)
{
	/* For contrast: the guest makes its checksums, no DATA_VALID comes. */
	const struct lvdpa_lg_case c = {
		.dev = "lvdpa1", .features = (1ULL << 5), .qp = 1,
		.udp = true, .dev_features = true,
		.expect_features = 1ULL << 5, .expect_hdr = 10,
	};

	return lvdpa_lg_run(&c);
}

static int
test_legacy_le_two_pairs(void)
{
	const struct lvdpa_lg_case c = {
		.dev = "lvdpa1", .features = LVDPA_GUEST_FEATURES_ZERO | (1ULL << 22),
		.qp = 2, .expect_features = 1ULL << 22, .expect_hdr = 10,
	};

	return lvdpa_lg_run(&c);
}

static int
test_legacy_be_refused(void)
{
	/* legacy=device: the device has little-endian rings only. */
	const struct lvdpa_lg_case c = {
		.dev = "lvdpa2", .features = LVDPA_GUEST_FEATURES_ZERO,
		.big_endian = true, .qp = 1, .expect_run = -1,
		.expect_log = "big-endian",
	};

	return lvdpa_lg_run(&c);
}

static int
test_legacy_be_refused_legacy_refuse(void)
{
	const struct lvdpa_lg_case c = {
		.dev = "lvdpa4", .features = LVDPA_GUEST_FEATURES_ZERO,
		.big_endian = true, .qp = 1, .expect_run = -1,
		.expect_log = "big-endian",
	};

	return lvdpa_lg_run(&c);
}

static int
test_legacy_no_device_legacy_refused(void)
{
	const struct lvdpa_lg_case c = {
		.dev = "lvdpa3", .features = LVDPA_GUEST_FEATURES_ZERO, .qp = 1,
		.expect_run = -1, .expect_log = "no legacy mode",
	};

	return lvdpa_lg_run(&c);
}

static int
test_legacy_refuse_devarg(void)
{
	const struct lvdpa_lg_case c = {
		.dev = "lvdpa4", .features = LVDPA_GUEST_FEATURES_LEGACY, .qp = 1,
		.expect_run = -1, .expect_log = "legacy=refuse",
	};

	return lvdpa_lg_run(&c);
}

static int
test_modern_mrg_indirect(void)
{
	const struct lvdpa_lg_case c = {
		.dev = "lvdpa1", .features = LVDPA_GUEST_FEATURES_MODERN, .qp = 2,
		/* VERSION_1, MRG_RXBUF, INDIRECT, MQ (2 pairs); no EVENT_IDX */
		.expect_features = (1ULL << 32) | (1ULL << 15) |
				   (1ULL << 28) | (1ULL << 22),
		.expect_hdr = 12,
	};

	return lvdpa_lg_run(&c);
}

static int
test_modern_packed_interrupts(void)
{
	/* Packed ring, the guest waiting on its call eventfd. */
	const struct lvdpa_lg_case c = {
		.dev = "lvdpa0",
		.features = (1ULL << 32) | (1ULL << 34), .qp = 1,
		.expect_features = (1ULL << 32) | (1ULL << 34), .expect_hdr = 12,
	};

	return lvdpa_lg_run(&c);
}

static int
test_legacy_le_interrupt_mode(void)
{
	/* Calls come from the device's completion events (event_mode=2). */
	const struct lvdpa_lg_case c = {
		.dev = "lvdpa5", .features = LVDPA_GUEST_FEATURES_ZERO, .qp = 2,
		.expect_features = 1ULL << 22, .expect_hdr = 10, /* MQ: 2 pairs */
	};

	return lvdpa_lg_run(&c);
}

static int
test_modern_interrupt_mode(void)
{
	const struct lvdpa_lg_case c = {
		.dev = "lvdpa5", .features = LVDPA_GUEST_FEATURES_MODERN, .qp = 1,
		.expect_features = (1ULL << 32) | (1ULL << 15) | (1ULL << 28),
		.expect_hdr = 12,
	};

	return lvdpa_lg_run(&c);
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_legacy_le_zero_features),
	LVDPA_TEST_CASE(test_legacy_le_feature_set),
	LVDPA_TEST_CASE(test_legacy_le_offloads_mrg),
	LVDPA_TEST_CASE(test_legacy_le_offloads),
	LVDPA_TEST_CASE(test_legacy_le_udp_no_offloads),
	LVDPA_TEST_CASE(test_legacy_le_two_pairs),
	LVDPA_TEST_CASE(test_legacy_be_refused),
	LVDPA_TEST_CASE(test_legacy_be_refused_legacy_refuse),
	LVDPA_TEST_CASE(test_legacy_no_device_legacy_refused),
	LVDPA_TEST_CASE(test_legacy_refuse_devarg),
	LVDPA_TEST_CASE(test_modern_mrg_indirect),
	LVDPA_TEST_CASE(test_modern_packed_interrupts),
	LVDPA_TEST_CASE(test_legacy_le_interrupt_mode),
	LVDPA_TEST_CASE(test_modern_interrupt_mode),
)
