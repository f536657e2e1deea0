/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * lvdpa-guest against DPDK's own software datapath: net_vhost (rte_vhost)
 * runs in this process under EAL, a thread forwards every packet it takes
 * from the guest's TX ring back into the guest's RX ring (io forwarding),
 * and the guest checks every byte that comes back.
 *
 * In-process rather than dpdk-testpmd: Debian 12 ships no testpmd binary,
 * and a thread we own starts forwarding before the guest connects (no
 * packets dropped at "start") and is stopped and cleaned up at exit even
 * when a case fails. net_vhost handles only little-endian rings, so the
 * legacy guests here are little-endian.
 */

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <lvdpa_virtio.h>

#include "lvdpa_guest.h"
#include "lvdpa_test.h"
#include "lvdpa_test_eal.h"

#define LVDPA_TGN_QUEUES 2
#define LVDPA_TGN_BURST  32

static char lvdpa_tgn_sock[108];     /* net_vhost0: server, the guest connects */
static char lvdpa_tgn_sock_cl[108];  /* net_vhost1: client, the guest listens */
static uint16_t lvdpa_tgn_ports[2];
static atomic_uint lvdpa_tgn_nports;
static struct rte_mempool *lvdpa_tgn_pool;
static pthread_t lvdpa_tgn_thread;
static bool lvdpa_tgn_running;
static atomic_bool lvdpa_tgn_stop;
static atomic_uint_fast64_t lvdpa_tgn_fwd, lvdpa_tgn_drop;

static void *
lvdpa_tgn_forward(void *arg)
{
	struct rte_mbuf *m[LVDPA_TGN_BURST];
	uint16_t q, n, sent;
	unsigned int i;

	(void)arg;
	while (!atomic_load(&lvdpa_tgn_stop)) {
		unsigned int moved = 0, np = atomic_load(&lvdpa_tgn_nports);

		for (i = 0; i < np; i++) {
			uint16_t port = lvdpa_tgn_ports[i];

			for (q = 0; q < LVDPA_TGN_QUEUES; q++) {
				n = rte_eth_rx_burst(port, q, m, LVDPA_TGN_BURST);
				if (n == 0)
					continue;
				sent = rte_eth_tx_burst(port, q, m, n);
				if (sent < n) {
					atomic_fetch_add(&lvdpa_tgn_drop, n - sent);
					rte_pktmbuf_free_bulk(m + sent, n - sent);
				}
				atomic_fetch_add(&lvdpa_tgn_fwd, sent);
				moved += n;
			}
		}
		/* Two cores for two polling loops: yield when idle. */
		if (moved == 0)
			usleep(50);
	}
	return NULL;
}

/* Runs before EAL's own clean-up (atexit order is reversed). */
static void
lvdpa_tgn_cleanup(void)
{
	unsigned int i;

	if (lvdpa_tgn_running) {
		atomic_store(&lvdpa_tgn_stop, true);
		pthread_join(lvdpa_tgn_thread, NULL);
		lvdpa_tgn_running = false;
	}
	for (i = 0; i < atomic_load(&lvdpa_tgn_nports); i++) {
		rte_eth_dev_stop(lvdpa_tgn_ports[i]);
		rte_eth_dev_close(lvdpa_tgn_ports[i]);
	}
	atomic_store(&lvdpa_tgn_nports, 0);
	unlink(lvdpa_tgn_sock);
	unlink(lvdpa_tgn_sock_cl);
}

/* Configure and start a net_vhost port; the forwarder picks it up. */
static int
lvdpa_tgn_port_start(const char *name)
{
	struct rte_eth_conf conf;
	uint16_t port, q;

	if (rte_eth_dev_get_port_by_name(name, &port) != 0) {
		fprintf(stderr, "# %s not found (is librte_net_vhost installed?)\n",
			name);
		return -1;
	}
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(port, LVDPA_TGN_QUEUES, LVDPA_TGN_QUEUES,
				  &conf) < 0)
		return -1;
	for (q = 0; q < LVDPA_TGN_QUEUES; q++) {
		if (rte_eth_rx_queue_setup(port, q, 512, rte_socket_id(),
					   NULL, lvdpa_tgn_pool) < 0 ||
		    rte_eth_tx_queue_setup(port, q, 512, rte_socket_id(),
					   NULL) < 0)
			return -1;
	}
	if (rte_eth_dev_start(port) < 0) {
		rte_eth_dev_close(port);
		return -1;
	}
	lvdpa_tgn_ports[atomic_load(&lvdpa_tgn_nports)] = port;
	atomic_fetch_add(&lvdpa_tgn_nports, 1);
	return 0;
}

static int
lvdpa_tgn_backend(void)
{
	char vdev[200];

	snprintf(lvdpa_tgn_sock, sizeof(lvdpa_tgn_sock),
		 "/tmp/lvdpa-guest-test-%d.sock", (int)getpid());
	snprintf(lvdpa_tgn_sock_cl, sizeof(lvdpa_tgn_sock_cl),
		 "/tmp/lvdpa-guest-test-%d-srv.sock", (int)getpid());
	unlink(lvdpa_tgn_sock);
	unlink(lvdpa_tgn_sock_cl);
	snprintf(vdev, sizeof(vdev), "net_vhost0,iface=%s,client=0,queues=%u",
		 lvdpa_tgn_sock, LVDPA_TGN_QUEUES);
	if (lvdpa_test_eal_init("guest-net-vhost", 256, vdev) < 0)
		return -1;
	atexit(lvdpa_tgn_cleanup);
	/* rte_vhost logs every message at INFO; keep the TAP output readable. */
	rte_log_set_level_pattern("lib.vhost.*", RTE_LOG_WARNING);
	lvdpa_tgn_pool = rte_pktmbuf_pool_create("lvdpa_tgn_pool", 4095, 64, 0,
						 RTE_MBUF_DEFAULT_BUF_SIZE,
						 rte_socket_id());
	if (lvdpa_tgn_pool == NULL || lvdpa_tgn_port_start("net_vhost0") < 0)
		return -1;
	if (pthread_create(&lvdpa_tgn_thread, NULL, lvdpa_tgn_forward, NULL) != 0)
		return -1;
	lvdpa_tgn_running = true;
	return 0;
}

static int
lvdpa_tgn_ready(void)
{
	static int state; /* 0 not tried, 1 ok, -1 failed */

	if (state == 0)
		state = lvdpa_tgn_backend() == 0 ? 1 : -1;
	return state == 1 ? 0 : -1;
}

/* The stats of the last lvdpa_tgn_run, for cases that check more. */
static struct lvdpa_guest_stats lvdpa_tgn_last;

/* One guest: connect, exchange @pkts packets, stop, destroy. */
static int
lvdpa_tgn_run(struct lvdpa_guest_config *cfg, uint64_t pkts,
	      uint64_t expect_features, unsigned int expect_hdr)
{
	struct lvdpa_guest_stats st;
	struct lvdpa_guest *g;
	uint64_t drops0 = atomic_load(&lvdpa_tgn_drop);
	int rc;

	LVDPA_TEST_ASSERT(lvdpa_tgn_ready() == 0, "net_vhost backend");
	if (cfg->socket_path == NULL)
		cfg->socket_path = lvdpa_tgn_sock;
	g = lvdpa_guest_create(cfg);
	LVDPA_TEST_ASSERT(g != NULL, "create: %s", strerror(errno));
	rc = lvdpa_guest_connect(g);
	if (rc < 0) {
		lvdpa_guest_destroy(g);
		LVDPA_TEST_ASSERT(rc == 0, "connect: %s", strerror(-rc));
	}
	rc = lvdpa_guest_run_traffic(g, pkts, 5000);
	printf("# %s\n", lvdpa_guest_verdict(g, rc));
	lvdpa_guest_get_stats(g, &st);
	lvdpa_tgn_last = st;
	if (rc == 0)
		rc = lvdpa_guest_stop(g);
	if ((lvdpa_guest_features(g) & expect_features) != expect_features ||
	    (lvdpa_guest_features(g) & ~expect_features &
	     (LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_VERSION_1) |
	      LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_RING_PACKED))) != 0 ||
	    lvdpa_guest_hdr_len(g) != expect_hdr) {
		fprintf(stderr, "# negotiated 0x%" PRIx64 " (want 0x%" PRIx64
			"), header %u (want %u)\n", lvdpa_guest_features(g),
			expect_features, lvdpa_guest_hdr_len(g), expect_hdr);
		rc = -EPROTO;
	}
	lvdpa_guest_destroy(g);
	LVDPA_TEST_ASSERT(rc == 0, "%s", strerror(-rc));
	LVDPA_TEST_ASSERT_EQ(st.sent, pkts, "sent");
	LVDPA_TEST_ASSERT_EQ(st.received, pkts, "received");
	LVDPA_TEST_ASSERT_EQ(st.bad, 0, "bad packets");
	/* rte_vhost returns packed TX descriptors in batches, late: all but
	 * up to a ring's worth are back by the time their copies arrived. */
	LVDPA_TEST_ASSERT(st.tx_done <= pkts && st.tx_done + cfg->queue_size >= pkts,
			  "TX buffers returned: %" PRIu64 " of %" PRIu64,
			  st.tx_done, pkts);
	LVDPA_TEST_ASSERT_EQ(atomic_load(&lvdpa_tgn_drop), drops0,
			     "backend dropped packets");
	return 0;
}

static void
lvdpa_tgn_cfg(struct lvdpa_guest_config *cfg, uint64_t features)
{
	lvdpa_guest_config_init(cfg);
	cfg->features = features;
	cfg->timeout_ms = 3000;
	cfg->mem_size = 32ULL << 20;
}

/* Legacy, every feature bit zero: 10-byte header in its own descriptor. */
static int
test_guest_legacy_zero(void)
{
	struct lvdpa_guest_config cfg;

	lvdpa_tgn_cfg(&cfg, LVDPA_GUEST_FEATURES_ZERO);
	cfg.nsizes = 3;
	cfg.sizes[0] = 64;
	cfg.sizes[1] = 1500;
	cfg.sizes[2] = 333;
	return lvdpa_tgn_run(&cfg, 3000, 0, 10);
}

/* Legacy, zero features and not even VHOST_USER_F_PROTOCOL_FEATURES:
 * rings are enabled by their kick fd, no REPLY_ACK, no STATUS. */
static int
test_guest_legacy_zero_no_protocol(void)
{
	struct lvdpa_guest_config cfg;

	lvdpa_tgn_cfg(&cfg, LVDPA_GUEST_FEATURES_ZERO);
	cfg.no_protocol_features = true;
	return lvdpa_tgn_run(&cfg, 2000, 0, 10);
}

/* Legacy MAC|CSUM|MRG_RXBUF: 12-byte header; 4000-byte packets span two
 * 2048-byte RX buffers (num_buffers); three memory regions. */
static int
test_guest_legacy_mrg(void)
{
	struct lvdpa_guest_config cfg;
	uint64_t want = LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_MRG_RXBUF);

	lvdpa_tgn_cfg(&cfg, LVDPA_GUEST_FEATURES_LEGACY);
	cfg.mem_regions = 3;
	cfg.mem_size = 48ULL << 20;
	cfg.nsizes = 2;
	cfg.sizes[0] = 60;
	cfg.sizes[1] = 4000;
	return lvdpa_tgn_run(&cfg, 3000, want, 12);
}

/* Busy polling: the same traffic, and not one wait on a call eventfd. */
static int
test_guest_legacy_busy_poll(void)
{
	struct lvdpa_guest_config cfg;

	lvdpa_tgn_cfg(&cfg, LVDPA_GUEST_FEATURES_ZERO);
	cfg.busy_poll = true;
	cfg.sizes[0] = 200;
	if (lvdpa_tgn_run(&cfg, 3000, 0, 10) != 0)
		return -1;
	LVDPA_TEST_ASSERT_EQ(lvdpa_tgn_last.calls, 0, "calls taken while busy polling");
	return 0;
}

/* Legacy with ANY_LAYOUT: header inline with the packet. */
static int
test_guest_legacy_any_layout(void)
{
	struct lvdpa_guest_config cfg;

	lvdpa_tgn_cfg(&cfg, LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_ANY_LAYOUT));
	cfg.sizes[0] = 128;
	return lvdpa_tgn_run(&cfg, 2000,
			     LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_ANY_LAYOUT), 10);
}

/* Modern split ring, event idx, indirect, mergeable; two queue pairs. */
static int
test_guest_modern_split(void)
{
	struct lvdpa_guest_config cfg;
	uint64_t want = LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_VERSION_1) |
			LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_EVENT_IDX) |
			LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_MRG_RXBUF);

	lvdpa_tgn_cfg(&cfg, LVDPA_GUEST_FEATURES_MODERN);
	cfg.queue_pairs = 2;
	cfg.hdr_layout = LVDPA_GUEST_HDR_OWN_DESC;
	cfg.nsizes = 2;
	cfg.sizes[0] = 64;
	cfg.sizes[1] = 1514;
	return lvdpa_tgn_run(&cfg, 4000, want, 12);
}

/* Modern packed ring. */
static int
test_guest_modern_packed(void)
{
	struct lvdpa_guest_config cfg;
	uint64_t want = LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_VERSION_1) |
			LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_RING_PACKED);

	lvdpa_tgn_cfg(&cfg, LVDPA_GUEST_FEATURES_MODERN |
		      LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_RING_PACKED));
	cfg.nsizes = 2;
	cfg.sizes[0] = 64;
	cfg.sizes[1] = 3000;
	return lvdpa_tgn_run(&cfg, 3000, want, 12);
}

/* net_vhost lacks CROSS_ENDIAN: a big-endian legacy guest is refused
 * before any ring is set up, as QEMU refuses it. */
static int
test_guest_big_endian_refused(void)
{
	struct lvdpa_guest_config cfg;
	struct lvdpa_guest *g;
	int rc;

	LVDPA_TEST_ASSERT(lvdpa_tgn_ready() == 0, "net_vhost backend");
	lvdpa_tgn_cfg(&cfg, LVDPA_GUEST_FEATURES_LEGACY);
	cfg.big_endian = true;
	cfg.socket_path = lvdpa_tgn_sock;
	g = lvdpa_guest_create(&cfg);
	LVDPA_TEST_ASSERT(g != NULL, "create");
	rc = lvdpa_guest_connect(g);
	lvdpa_guest_destroy(g);
	LVDPA_TEST_ASSERT_EQ(rc, -ENOTSUP, "big-endian without CROSS_ENDIAN");
	/* The backend is still usable afterwards. */
	return test_guest_legacy_zero_no_protocol();
}

/* The guest listens (QEMU's server mode) and net_vhost connects as a
 * client; net_vhost retries every second until the socket exists. */
static int
test_guest_server_mode(void)
{
	struct lvdpa_guest_config cfg;
	char vdev[200];

	LVDPA_TEST_ASSERT(lvdpa_tgn_ready() == 0, "net_vhost backend");
	snprintf(vdev, sizeof(vdev), "net_vhost1,iface=%s,client=1,queues=%u",
		 lvdpa_tgn_sock_cl, LVDPA_TGN_QUEUES);
	LVDPA_TEST_ASSERT(rte_dev_probe(vdev) == 0, "probe %s", vdev);
	LVDPA_TEST_ASSERT(lvdpa_tgn_port_start("net_vhost1") == 0, "net_vhost1");
	lvdpa_tgn_cfg(&cfg, LVDPA_GUEST_FEATURES_LEGACY);
	cfg.socket_path = lvdpa_tgn_sock_cl;
	cfg.server = true;
	cfg.timeout_ms = 5000;   /* the reconnect period is one second */
	cfg.mem_regions = 2;
	return lvdpa_tgn_run(&cfg, 2000,
			     LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_MRG_RXBUF), 12);
}

/* Path of the lvdpa-guest program: $LVDPA_GUEST_BIN (set by meson), else
 * its place in the build tree relative to this test. */
static int
lvdpa_tgn_cli_path(char *path, size_t len)
{
	const char *env = getenv("LVDPA_GUEST_BIN");
	char self[PATH_MAX];
	ssize_t n;

	if (env != NULL && env[0] != '\0') {
		snprintf(path, len, "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	snprintf(path, len, "%s/../../lvdpa-guest/lvdpa-guest", dirname(self));
	return access(path, X_OK);
}

/* Show the tool's output as TAP comments. */
static void
lvdpa_tgn_print(const char *out)
{
	const char *l = out, *e;

	while (*l != '\0') {
		e = strchr(l, '\n');
		if (e == NULL)
			e = l + strlen(l);
		printf("# %.*s\n", (int)(e - l), l);
		l = *e ? e + 1 : e;
	}
}

/* Run the command-line tool; its stdout into @out; exit status or -1. */
static int
lvdpa_tgn_cli(char *const argv[], char *out, size_t len, unsigned int timeout_ms)
{
	struct timespec t0, t;
	size_t got = 0;
	int p[2], status = -1;
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		long ms;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms > (long)timeout_ms) {
			/* Never leave the child behind. */
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(p[0], out + got, len - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == len - 1)
			break;
	}
	out[got] = '\0';
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The command-line tool as a user runs it: a legacy guest, zero features,
 * PASS line and exit status 0. */
static int
test_guest_cli_pass(void)
{
	char bin[PATH_MAX], out[4096];
	char *argv[] = { bin, (char *)"--socket", lvdpa_tgn_sock,
		(char *)"--features", (char *)"zero", (char *)"--size",
		(char *)"64,1000", (char *)"--packets", (char *)"1000",
		(char *)"--timeout", (char *)"5000", (char *)"--mem-regions",
		(char *)"2", (char *)"--mem-size", (char *)"16M", NULL };
	int rc;

	LVDPA_TEST_ASSERT(lvdpa_tgn_ready() == 0, "net_vhost backend");
	LVDPA_TEST_ASSERT(lvdpa_tgn_cli_path(bin, sizeof(bin)) == 0,
			  "lvdpa-guest program not found (%s)", bin);
	rc = lvdpa_tgn_cli(argv, out, sizeof(out), 20000);
	lvdpa_tgn_print(out);
	LVDPA_TEST_ASSERT_EQ(rc, 0, "exit status");
	LVDPA_TEST_ASSERT(strstr(out, "lvdpa-guest: PASS sent 1000 received 1000 bad 0 (legacy, little-endian") != NULL,
			  "verdict line");
	return 0;
}

/* A configuration the backend cannot serve: FAIL and exit status 1. */
static int
test_guest_cli_fail(void)
{
	char bin[PATH_MAX], out[4096];
	char *argv[] = { bin, (char *)"-s", lvdpa_tgn_sock, (char *)"-f",
		(char *)"legacy", (char *)"--big-endian", (char *)"--quiet", NULL };
	int rc;

	LVDPA_TEST_ASSERT(lvdpa_tgn_ready() == 0, "net_vhost backend");
	LVDPA_TEST_ASSERT(lvdpa_tgn_cli_path(bin, sizeof(bin)) == 0,
			  "lvdpa-guest program not found (%s)", bin);
	rc = lvdpa_tgn_cli(argv, out, sizeof(out), 20000);
	lvdpa_tgn_print(out);
	LVDPA_TEST_ASSERT_EQ(rc, 1, "exit status");
	LVDPA_TEST_ASSERT(strstr(out, "lvdpa-guest: FAIL") != NULL, "verdict line");
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_guest_legacy_zero),
	LVDPA_TEST_CASE(test_guest_legacy_zero_no_protocol),
	LVDPA_TEST_CASE(test_guest_legacy_mrg),
	LVDPA_TEST_CASE(test_guest_legacy_any_layout),
	LVDPA_TEST_CASE(test_guest_legacy_busy_poll),
	LVDPA_TEST_CASE(test_guest_modern_split),
	LVDPA_TEST_CASE(test_guest_modern_packed),
	LVDPA_TEST_CASE(test_guest_big_endian_refused),
	LVDPA_TEST_CASE(test_guest_cli_pass),
	LVDPA_TEST_CASE(test_guest_cli_fail),
	LVDPA_TEST_CASE(test_guest_server_mode),
)
