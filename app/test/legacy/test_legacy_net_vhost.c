/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Traffic through DPDK's own software datapath with lvdpa_vhost attached:
 * net_vhost0 (in this EAL process) owns a vhost-user socket, the library is
 * attached to that same path with lvdpa_vhost_attach(), a thread sends
 * back every packet it receives (io forwarding), and lvdpa_guest checks
 * every byte that returns. net_vhost1 is a plain net_vhost socket, the
 * reference for the compatibility case.
 *
 * net_vhost registers its own rte_vhost callbacks, so the library's
 * connection wrapper (lvdpa_vhost_driver_callback_register) cannot be
 * used, and no vDPA driver is there to attach connections: the test does
 * what such an application would have to do, it finds the vid of each new
 * connection on the socket and calls lvdpa_vhost_on_new_connection() before
 * the guest sends its first message (lvdpa_guest_open, then connect).
 *
 * The forwarder is this file's own (app/test/guest has the same few lines,
 * not in a header meant for reuse). rte_vhost's datapath is little endian
 * only: the legacy guests here are little-endian ones.
 */

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_vhost.h>

#include "lvdpa_guest.h"
#include "lvdpa_test.h"
#include "lvdpa_test_eal.h"
#include "lvdpa_vhost.h"
#include "test_legacy_common.h"

#define LVDPA_TLV_BURST 32
#define LVDPA_TLV_WAIT_MS 2000

enum { LVDPA_TLV_LIB, LVDPA_TLV_PLAIN, LVDPA_TLV_NPORTS };

static char lvdpa_tlv_path[LVDPA_TLV_NPORTS][128];
static uint16_t lvdpa_tlv_port[LVDPA_TLV_NPORTS];
static bool lvdpa_tlv_port_up[LVDPA_TLV_NPORTS];
static bool lvdpa_tlv_attached;
static int lvdpa_tlv_attach_early = 1, lvdpa_tlv_attach_rc = 1;
static struct rte_mempool *lvdpa_tlv_pool;
static pthread_t lvdpa_tlv_thread;
static bool lvdpa_tlv_running;
static atomic_bool lvdpa_tlv_stop;
static atomic_uint_fast64_t lvdpa_tlv_drop;
static int lvdpa_tlv_state; /* 0 not tried, 1 ready, -1 failed */

static void *
lvdpa_tlv_forward(void *arg)
{
	struct rte_mbuf *m[LVDPA_TLV_BURST];
	unsigned int i;
	uint16_t n, sent;

	(void)arg;
	while (!atomic_load(&lvdpa_tlv_stop)) {
		unsigned int moved = 0;

		for (i = 0; i < LVDPA_TLV_NPORTS; i++) {
			n = rte_eth_rx_burst(lvdpa_tlv_port[i], 0, m,
					     LVDPA_TLV_BURST);
			if (n == 0)
				continue;
			sent = rte_eth_tx_burst(lvdpa_tlv_port[i], 0, m, n);
			if (sent < n) {
				atomic_fetch_add(&lvdpa_tlv_drop, n - sent);
				rte_pktmbuf_free_bulk(m + sent, n - sent);
			}
			moved += n;
		}
		/* Two cores for two polling loops: yield when idle. */
		if (moved == 0)
			usleep(50);
	}
	return NULL;
}

/* Runs before EAL's own clean-up (atexit order is reversed). */
static void
lvdpa_tlv_teardown(void)
{
	unsigned int i;

	if (lvdpa_tlv_running) {
		atomic_store(&lvdpa_tlv_stop, true);
		pthread_join(lvdpa_tlv_thread, NULL);
		lvdpa_tlv_running = false;
	}
	for (i = 0; i < LVDPA_TLV_NPORTS; i++) {
		if (lvdpa_tlv_port_up[i]) {
			rte_eth_dev_stop(lvdpa_tlv_port[i]);
			rte_eth_dev_close(lvdpa_tlv_port[i]);
		}
	}
	if (lvdpa_tlv_attached)
		lvdpa_vhost_detach(lvdpa_tlv_path[LVDPA_TLV_LIB]);
	for (i = 0; i < LVDPA_TLV_NPORTS; i++)
		if (lvdpa_tlv_path[i][0] != '\0')
			unlink(lvdpa_tlv_path[i]);
	if (lvdpa_tl_dir[0] != '\0')
		rmdir(lvdpa_tl_dir);
}

/* Configure (net_vhost registers its socket here) and start a port. */
static int
lvdpa_tlv_port_start(unsigned int i)
{
	struct rte_eth_conf conf;
	char name[32];
	uint16_t port;

	snprintf(name, sizeof(name), "net_vhost%u", i);
	if (rte_eth_dev_get_port_by_name(name, &port) != 0) {
		fprintf(stderr, "# %s not found (is librte_net_vhost installed?)\n",
			name);
		return -1;
	}
	lvdpa_tlv_port[i] = port;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(port, 1, 1, &conf) < 0 ||
	    rte_eth_rx_queue_setup(port, 0, 512, rte_socket_id(), NULL,
				   lvdpa_tlv_pool) < 0 ||
	    rte_eth_tx_queue_setup(port, 0, 512, rte_socket_id(), NULL) < 0)
		return -1;
	if (i == LVDPA_TLV_LIB) {
		/* The socket is net_vhost's from here on: attach to it. */
		lvdpa_tlv_attach_rc = lvdpa_vhost_attach(lvdpa_tlv_path[i], NULL);
		lvdpa_tlv_attached = lvdpa_tlv_attach_rc == 0;
	}
	if (rte_eth_dev_start(port) < 0) {
		rte_eth_dev_close(port);
		return -1;
	}
	lvdpa_tlv_port_up[i] = true;
	return 0;
}

static int
lvdpa_tlv_setup(void)
{
	static const char *const names[LVDPA_TLV_NPORTS] = { "lib", "plain" };
	char vdev[200];

	if (lvdpa_tlv_state != 0)
		return lvdpa_tlv_state > 0 ? 0 : -1;
	lvdpa_tlv_state = -1;
	if (lvdpa_tl_mkdir(names, LVDPA_TLV_NPORTS, lvdpa_tlv_path) != 0)
		return -1;
	snprintf(vdev, sizeof(vdev), "net_vhost0,iface=%s,client=0,queues=1",
		 lvdpa_tlv_path[LVDPA_TLV_LIB]);
	if (lvdpa_test_eal_init("legacy-net-vhost", 256, vdev) < 0) {
		rmdir(lvdpa_tl_dir);
		return -1;
	}
	atexit(lvdpa_tlv_teardown);
	rte_log_set_level_pattern("lib.vhost.*", RTE_LOG_CRIT);
	rte_log_set_level_pattern("pmd.net.vhost*", RTE_LOG_WARNING);
	rte_log_set_level_pattern("lib.lvdpa_vhost.*", RTE_LOG_CRIT);
	/* Before net_vhost registered the socket there is nothing to attach. */
	lvdpa_tlv_attach_early = lvdpa_vhost_attach(lvdpa_tlv_path[LVDPA_TLV_LIB],
						    NULL);
	snprintf(vdev, sizeof(vdev), "net_vhost1,iface=%s,client=0,queues=1",
		 lvdpa_tlv_path[LVDPA_TLV_PLAIN]);
	if (rte_dev_probe(vdev) != 0)
		return -1;
	lvdpa_tlv_pool = rte_pktmbuf_pool_create("lvdpa_tlv_pool", 4095, 64, 0,
						 RTE_MBUF_DEFAULT_BUF_SIZE,
						 rte_socket_id());
	if (lvdpa_tlv_pool == NULL ||
	    lvdpa_tlv_port_start(LVDPA_TLV_LIB) != 0 ||
	    lvdpa_tlv_port_start(LVDPA_TLV_PLAIN) != 0)
		return -1;
	if (pthread_create(&lvdpa_tlv_thread, NULL, lvdpa_tlv_forward, NULL) != 0)
		return -1;
	lvdpa_tlv_running = true;
	if (!lvdpa_tlv_attached)
		return -1;
	lvdpa_tlv_state = 1;
	return 0;
}

static long
lvdpa_tlv_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
		(t.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * The vid of the connection just opened on @p path that the library does
 * not know yet; -1 after LVDPA_TLV_WAIT_MS. rte_vhost has no connection
 * iterator: probe each vid (its "device not found" log is quieted).
 */
static int
lvdpa_tlv_find_vid(const char *path)
{
	struct timespec t0;
	char ifname[128];
	int vid;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (vid = 0; vid < RTE_MAX_VHOST_DEVICE; vid++) {
			if (rte_vhost_get_ifname(vid, ifname, sizeof(ifname)) != 0 ||
			    strcmp(ifname, path) != 0 ||
			    lvdpa_vhost_is_attached(vid))
				continue;
			return vid;
		}
		usleep(1000);
	} while (lvdpa_tlv_ms_since(&t0) < LVDPA_TLV_WAIT_MS);
	return -1;
}

/* Detach @p vid once rte_vhost has destroyed its connection. */
static void
lvdpa_tlv_release(int vid)
{
	char ifname[128];
	struct timespec t0;

	if (vid < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (rte_vhost_get_ifname(vid, ifname, sizeof(ifname)) == 0 &&
	       lvdpa_tlv_ms_since(&t0) < LVDPA_TLV_WAIT_MS)
		usleep(1000);
	lvdpa_vhost_detach_vid(vid);
}

/* What one guest saw, and the library's view when attached. */
struct lvdpa_tlv_result {
	uint64_t offered, features, pf;
	unsigned int hdr_len;
	bool have_state;
	struct lvdpa_vhost_state st;
};

/*
 * One guest on port @p p: open, attach the connection (LIB only),
 * negotiate, exchange @p pkts packets both ways, stop, destroy.
 */
static int
lvdpa_tlv_run(unsigned int p, struct lvdpa_guest_config *cfg, uint64_t pkts,
	      struct lvdpa_tlv_result *res)
{
	struct lvdpa_guest_stats st;
	struct lvdpa_guest *g;
	uint64_t drops0 = atomic_load(&lvdpa_tlv_drop);
	int vid = -1, rc;

	memset(res, 0, sizeof(*res));
	LVDPA_TEST_ASSERT(lvdpa_tlv_setup() == 0, "net_vhost backend");
	cfg->socket_path = lvdpa_tlv_path[p];
	g = lvdpa_guest_create(cfg);
	LVDPA_TEST_ASSERT(g != NULL, "create: %s", strerror(errno));
	rc = lvdpa_guest_open(g);
	if (rc == 0 && p == LVDPA_TLV_LIB) {
		vid = lvdpa_tlv_find_vid(lvdpa_tlv_path[p]);
		rc = vid < 0 ? -ENODEV : lvdpa_vhost_on_new_connection(vid, NULL);
	}
	if (rc == 0)
		rc = lvdpa_guest_connect(g);
	if (rc == 0 && vid >= 0) {
		/* Every message before this reply was processed. */
		rc = lvdpa_tl_sync(g, NULL);
		if (rc == 0)
			rc = lvdpa_vhost_get_state(vid, &res->st);
		res->have_state = rc == 0;
	}
	if (rc != 0) {
		lvdpa_guest_destroy(g);
		lvdpa_tlv_release(vid);
		LVDPA_TEST_ASSERT(rc == 0, "connect (vid %d): %s", vid,
				  strerror(-rc));
	}
	res->offered = lvdpa_guest_offered_features(g);
	res->features = lvdpa_guest_features(g);
	res->pf = lvdpa_guest_protocol_features(g);
	res->hdr_len = lvdpa_guest_hdr_len(g);
	rc = lvdpa_guest_run_traffic(g, pkts, 5000);
	printf("# %s: %s\n", p == LVDPA_TLV_LIB ? "lvdpa_vhost" : "plain",
	       lvdpa_guest_verdict(g, rc));
	lvdpa_guest_get_stats(g, &st);
	if (rc == 0)
		rc = lvdpa_guest_stop(g);
	lvdpa_guest_destroy(g);
	lvdpa_tlv_release(vid);
	LVDPA_TEST_ASSERT(rc == 0, "traffic: %s", strerror(-rc));
	LVDPA_TEST_ASSERT_EQ(st.sent, pkts, "sent");
	LVDPA_TEST_ASSERT_EQ(st.received, pkts, "received");
	LVDPA_TEST_ASSERT_EQ(st.bad, 0, "bad packets");
	LVDPA_TEST_ASSERT(st.tx_done <= pkts && st.tx_done + cfg->queue_size >= pkts,
			  "TX buffers returned: %" PRIu64 " of %" PRIu64,
			  st.tx_done, pkts);
	LVDPA_TEST_ASSERT_EQ(atomic_load(&lvdpa_tlv_drop), drops0,
			     "backend dropped packets");
	return 0;
}

/* The library's view agrees with the guest's. */
static int
lvdpa_tlv_check_state(const struct lvdpa_tlv_result *r, bool legacy)
{
	const struct lvdpa_vhost_state *st = &r->st;

	LVDPA_TEST_ASSERT(r->have_state, "no state");
	/* SET_FEATURES' word: bit 30 when the guest acked protocol features. */
	LVDPA_TEST_ASSERT_EQ(st->features & ~LVDPA_TL_F_PROTOCOL_FEATURES,
			     r->features, "virtio features");
	LVDPA_TEST_ASSERT(st->features_set, "features not marked set");
	LVDPA_TEST_ASSERT_EQ(st->legacy, legacy, "legacy");
	LVDPA_TEST_ASSERT_EQ(st->hdr_len, r->hdr_len, "header length");
	LVDPA_TEST_ASSERT_EQ(st->protocol_features, r->pf, "protocol features");
	LVDPA_TEST_ASSERT_EQ(st->device_endian, LVDPA_VHOST_ENDIAN_LITTLE,
			     "device endian");
	return 0;
}

/* The offered protocol features, by a raw GET_PROTOCOL_FEATURES. */
static int
lvdpa_tlv_offered_pf(unsigned int p, uint64_t *pf)
{
	struct lvdpa_guest_config cfg;
	struct lvdpa_guest *g;
	int rc;

	lvdpa_tl_cfg(&cfg, lvdpa_tlv_path[p], 0);
	g = lvdpa_guest_create(&cfg);
	if (g == NULL)
		return -errno;
	rc = lvdpa_guest_open(g);
	if (rc == 0)
		rc = lvdpa_tl_sync(g, NULL);
	if (rc == 0)
		rc = lvdpa_tl_get_u64(g, LVDPA_TL_REQ_GET_PROTOCOL_FEATURES, pf);
	lvdpa_guest_destroy(g);
	return rc;
}

/*
 * Whether a connection on LIB is attached without the test's help: 1 yes,
 * 0 no, or -errno. Once GET_FEATURES was answered, an attach by the library
 * (which must precede the first message) would have happened.
 */
static int
lvdpa_tlv_self_attached(void)
{
	struct lvdpa_guest_config cfg;
	struct lvdpa_guest *g;
	char ifname[128];
	int vid, rc, found = -ENODEV;

	lvdpa_tl_cfg(&cfg, lvdpa_tlv_path[LVDPA_TLV_LIB], 0);
	g = lvdpa_guest_create(&cfg);
	if (g == NULL)
		return -errno;
	rc = lvdpa_guest_open(g);
	if (rc == 0)
		rc = lvdpa_tl_sync(g, NULL);
	for (vid = 0; rc == 0 && vid < RTE_MAX_VHOST_DEVICE; vid++) {
		if (rte_vhost_get_ifname(vid, ifname, sizeof(ifname)) == 0 &&
		    strcmp(ifname, lvdpa_tlv_path[LVDPA_TLV_LIB]) == 0) {
			found = lvdpa_vhost_is_attached(vid) ? 1 : 0;
			break;
		}
	}
	lvdpa_guest_destroy(g);
	if (rc == 0 && vid < RTE_MAX_VHOST_DEVICE)
		lvdpa_tlv_release(vid);
	return rc != 0 ? rc : found;
}

/* lvdpa_vhost_attach() on a socket net_vhost registered: refused before
 * net_vhost registered it, accepted after; CROSS_ENDIAN offered on it. */
static int
test_legacy_nv_attach(void)
{
	uint64_t pf_lib = 0, pf_plain = 0;
	int rc;

	LVDPA_TEST_ASSERT(lvdpa_tlv_setup() == 0 || lvdpa_tlv_attach_rc != 1,
			  "net_vhost backend");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tlv_attach_early, -ENOENT,
			     "attach before net_vhost registered the socket");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tlv_attach_rc, 0,
			     "attach after net_vhost registered the socket");
	rc = lvdpa_tlv_offered_pf(LVDPA_TLV_LIB, &pf_lib);
	LVDPA_TEST_ASSERT(rc == 0, "GET_PROTOCOL_FEATURES: %s", strerror(-rc));
	rc = lvdpa_tlv_offered_pf(LVDPA_TLV_PLAIN, &pf_plain);
	LVDPA_TEST_ASSERT(rc == 0, "GET_PROTOCOL_FEATURES: %s", strerror(-rc));
	printf("# protocol features offered: 0x%" PRIx64 " with the library, 0x%"
	       PRIx64 " without\n", pf_lib, pf_plain);
	LVDPA_TEST_ASSERT(pf_lib & LVDPA_TL_PF_CROSS_ENDIAN, "CROSS_ENDIAN not offered");
	LVDPA_TEST_ASSERT(!(pf_plain & LVDPA_TL_PF_CROSS_ENDIAN),
			  "plain net_vhost offers CROSS_ENDIAN");
	/* The documented difference, and the only one. */
	LVDPA_TEST_ASSERT_EQ(pf_lib, pf_plain | LVDPA_TL_PF_CROSS_ENDIAN,
			     "offers differ beyond CROSS_ENDIAN");
	rc = lvdpa_tlv_self_attached();
	LVDPA_TEST_ASSERT(rc >= 0, "connection on the attached socket: %s",
			  strerror(-rc));
	/* Not an assertion: the API documents that only its callback wrapper
	 * or a vDPA driver attaches connections. */
	printf("# a connection on the attached net_vhost socket is %s by the "
	       "library itself\n", rc ? "attached" : "NOT attached");
	return 0;
}

/* Zero features: 10-byte header in its own descriptor, traffic both ways;
 * also without even VHOST_USER_F_PROTOCOL_FEATURES. */
static int
test_legacy_nv_zero_features(void)
{
	struct lvdpa_guest_config cfg;
	struct lvdpa_tlv_result r;

	lvdpa_tl_cfg(&cfg, NULL, LVDPA_GUEST_FEATURES_ZERO);
	cfg.nsizes = 3;
	cfg.sizes[0] = 64;
	cfg.sizes[1] = 1500;
	cfg.sizes[2] = 333;
	if (lvdpa_tlv_run(LVDPA_TLV_LIB, &cfg, 3000, &r) != 0 ||
	    lvdpa_tlv_check_state(&r, true) != 0)
		return -1;
	LVDPA_TEST_ASSERT_EQ(r.features, 0, "guest features");
	LVDPA_TEST_ASSERT_EQ(r.hdr_len, 10, "header length");

	lvdpa_tl_cfg(&cfg, NULL, LVDPA_GUEST_FEATURES_ZERO);
	cfg.no_protocol_features = true;
	if (lvdpa_tlv_run(LVDPA_TLV_LIB, &cfg, 2000, &r) != 0 ||
	    lvdpa_tlv_check_state(&r, true) != 0)
		return -1;
	LVDPA_TEST_ASSERT_EQ(r.st.features, 0, "library's features");
	LVDPA_TEST_ASSERT_EQ(r.hdr_len, 10, "header length");
	return 0;
}

/* A legacy driver's MAC|CSUM|MRG_RXBUF (net_vhost does not offer MAC):
 * 12-byte header; 4000-byte packets span two RX buffers. */
static int
test_legacy_nv_feature_set(void)
{
	struct lvdpa_guest_config cfg;
	struct lvdpa_tlv_result r;

	lvdpa_tl_cfg(&cfg, NULL, LVDPA_GUEST_FEATURES_LEGACY);
	cfg.mem_size = 32ULL << 20;
	cfg.mem_regions = 2;
	cfg.nsizes = 2;
	cfg.sizes[0] = 60;
	cfg.sizes[1] = 4000;
	if (lvdpa_tlv_run(LVDPA_TLV_LIB, &cfg, 3000, &r) != 0 ||
	    lvdpa_tlv_check_state(&r, true) != 0)
		return -1;
	LVDPA_TEST_ASSERT_EQ(r.features, LVDPA_GUEST_FEATURES_LEGACY & r.offered,
			     "guest features");
	LVDPA_TEST_ASSERT(r.features & LVDPA_TL_F_MRG_RXBUF, "MRG_RXBUF");
	LVDPA_TEST_ASSERT_EQ(r.hdr_len, 12, "header length");
	return 0;
}

/* A modern guest, for comparison. */
static int
test_legacy_nv_modern(void)
{
	struct lvdpa_guest_config cfg;
	struct lvdpa_tlv_result r;

	lvdpa_tl_cfg(&cfg, NULL, LVDPA_GUEST_FEATURES_MODERN);
	cfg.nsizes = 2;
	cfg.sizes[0] = 64;
	cfg.sizes[1] = 1514;
	if (lvdpa_tlv_run(LVDPA_TLV_LIB, &cfg, 3000, &r) != 0 ||
	    lvdpa_tlv_check_state(&r, false) != 0)
		return -1;
	LVDPA_TEST_ASSERT(r.features & LVDPA_TL_F_VERSION_1, "VERSION_1");
	LVDPA_TEST_ASSERT_EQ(r.hdr_len, 12, "header length");
	return 0;
}

/* net_vhost cannot serve a big-endian ring: the library refuses the
 * guest's SET_VRING_ENDIAN, its connect fails, and the port still carries
 * the next guest's traffic. */
static int
test_legacy_nv_big_endian_refused(void)
{
	struct lvdpa_guest_config cfg;
	struct lvdpa_tlv_result r;
	struct lvdpa_guest *g;
	int vid = -1, rc;

	LVDPA_TEST_ASSERT(lvdpa_tlv_setup() == 0, "net_vhost backend");
	lvdpa_tl_cfg(&cfg, lvdpa_tlv_path[LVDPA_TLV_LIB], LVDPA_GUEST_FEATURES_LEGACY);
	cfg.big_endian = true;
	g = lvdpa_guest_create(&cfg);
	LVDPA_TEST_ASSERT(g != NULL, "create");
	rc = lvdpa_guest_open(g);
	if (rc == 0) {
		vid = lvdpa_tlv_find_vid(lvdpa_tlv_path[LVDPA_TLV_LIB]);
		rc = vid < 0 ? -ENODEV : lvdpa_vhost_on_new_connection(vid, NULL);
	}
	if (rc == 0)
		rc = lvdpa_guest_connect(g);
	lvdpa_guest_destroy(g);
	lvdpa_tlv_release(vid);
	LVDPA_TEST_ASSERT(vid >= 0, "connection not found");
	LVDPA_TEST_ASSERT_EQ(rc, -EREMOTEIO, "big-endian guest must be refused");

	lvdpa_tl_cfg(&cfg, NULL, LVDPA_GUEST_FEATURES_LEGACY);
	if (lvdpa_tlv_run(LVDPA_TLV_LIB, &cfg, 1000, &r) != 0)
		return -1;
	return lvdpa_tlv_check_state(&r, true);
}

/* A frontend that never negotiates CROSS_ENDIAN gets the same features and
 * protocol features with the library as without it, and the same traffic. */
static int
test_legacy_nv_compat(void)
{
	static const uint64_t sets[] = {
		LVDPA_GUEST_FEATURES_ZERO,
		LVDPA_GUEST_FEATURES_LEGACY,
		LVDPA_GUEST_FEATURES_MODERN,
	};
	struct lvdpa_tlv_result lib, plain;
	struct lvdpa_guest_config cfg;
	unsigned int i;

	for (i = 0; i < RTE_DIM(sets); i++) {
		lvdpa_tl_cfg(&cfg, NULL, sets[i]);
		cfg.protocol_features = LVDPA_GUEST_PF_SUPPORTED &
					~LVDPA_TL_PF_CROSS_ENDIAN;
		if (lvdpa_tlv_run(LVDPA_TLV_LIB, &cfg, 1000, &lib) != 0)
			return -1;
		lvdpa_tl_cfg(&cfg, NULL, sets[i]);
		cfg.protocol_features = LVDPA_GUEST_PF_SUPPORTED &
					~LVDPA_TL_PF_CROSS_ENDIAN;
		if (lvdpa_tlv_run(LVDPA_TLV_PLAIN, &cfg, 1000, &plain) != 0)
			return -1;
		printf("# features 0x%" PRIx64 ": offered 0x%" PRIx64 "/0x%" PRIx64
		       " negotiated 0x%" PRIx64 "/0x%" PRIx64 " protocol 0x%"
		       PRIx64 "/0x%" PRIx64 " (with/without the library)\n",
		       sets[i], lib.offered, plain.offered, lib.features,
		       plain.features, lib.pf, plain.pf);
		LVDPA_TEST_ASSERT_EQ(lib.offered, plain.offered, "offered features");
		LVDPA_TEST_ASSERT_EQ(lib.features, plain.features, "features");
		LVDPA_TEST_ASSERT_EQ(lib.pf, plain.pf, "protocol features");
		LVDPA_TEST_ASSERT_EQ(lib.hdr_len, plain.hdr_len, "header length");
		LVDPA_TEST_ASSERT(!lib.st.cross_endian, "CROSS_ENDIAN negotiated");
		if (lvdpa_tlv_check_state(&lib, !(sets[i] & LVDPA_TL_F_VERSION_1)) != 0)
			return -1;
	}
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_legacy_nv_attach),
	LVDPA_TEST_CASE(test_legacy_nv_zero_features),
	LVDPA_TEST_CASE(test_legacy_nv_feature_set),
	LVDPA_TEST_CASE(test_legacy_nv_modern),
	LVDPA_TEST_CASE(test_legacy_nv_big_endian_refused),
	LVDPA_TEST_CASE(test_legacy_nv_compat),
)
