/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * lvdpa-bench: the backend side of the benchmarks, driven by
 * lvdpa-bench.py.
 *
 *   lvdpa-bench serve lvdpa|vhost SOCK QP [DEVARGS]
 *     Serve the vhost-user socket SOCK (server) until SIGTERM, either with
 *     the lvdpa PMD on its model (loaded with -d, as DPDK's vdpa sample app
 *     does) or with DPDK's net_vhost and an io loop that sends every packet
 *     back on the queue it came from. Both are driven by the same
 *     frontend, so the only difference is the backend. Prints "READY" when
 *     the socket listens, and "PACKETS n" (packets the guest sent that the
 *     backend took) at exit.
 *
 *   lvdpa-bench xcpu CPU_A CPU_B
 *     A cache line's round trip between the two CPUs (lvdpa_bench_xcpu.c).
 *
 *   lvdpa-bench ctrl QP modern|legacy REPS [DEVARGS]
 *     Control path, in this process: the PMD (model with the latency
 *     profile of LVDPA_MODEL_LATENCY) behind a vhost-user socket, and the
 *     lvdpa-guest frontend. Per repetition one line
 *     "CTRL conf_ms sq_ms stop_ms ring_ms resume_ms log_ms":
 *       conf: DRIVER_OK (the backend's new_device, which rte_vhost calls
 *             right before the driver's dev_conf) to the reply of the next
 *             message, which the vhost thread answers only after dev_conf
 *             has set up and started every queue;
 *       ring: SET_VRING_ENABLE 0 on every ring, one message at a time (the
 *             driver suspends and queries each queue before its reply);
 *       resume: SET_VRING_ENABLE 1 on every ring, likewise;
 *       log: SET_FEATURES with VHOST_F_LOG_ALL (after SET_LOG_BASE), as a
 *             migration starts: dirty logging on for every queue;
 *       sq: suspend+query as a migration stops the device: the first
 *             GET_VRING_BASE, whose handling makes rte_vhost call the
 *             driver's dev_close, which suspends and queries every queue;
 *             to its reply (all queues stopped, their indices given);
 *       stop: GET_VRING_BASE on every ring, to the last reply.
 *
 * EAL options come from LVDPA_BENCH_EAL (space separated, added to
 * --no-huge -m 512 --no-pci and a file prefix of this pid).
 */

#define _GNU_SOURCE         /* memfd_create */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_vdpa.h>
#include <rte_vhost.h>

#include "lvdpa_bench.h"

#ifdef LVDPA_BENCH_HAVE_GUEST
#include "lvdpa_guest.h"
#endif

#define LVDPA_BENCH_BURST 32
#define LVDPA_BENCH_MAX_ARGS 48

static volatile sig_atomic_t lvdpa_bench_quit;
/* SIGUSR1: count packets from now on (callgrind counters were zeroed). */
static volatile sig_atomic_t lvdpa_bench_mark;
static char lvdpa_bench_prefix[64];

static void
lvdpa_bench_on_signal(int sig)
{
	if (sig == SIGUSR1)
		lvdpa_bench_mark = 1;
	else
		lvdpa_bench_quit = 1;
}

static double
lvdpa_bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
lvdpa_bench_cleanup(void)
{
	char cmd[128];

	if (lvdpa_bench_prefix[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/%s", lvdpa_bench_prefix);
	if (system(cmd) != 0)
		fprintf(stderr, "lvdpa-bench: cleanup failed: %s\n", cmd);
}

/* EAL with our defaults, LVDPA_BENCH_EAL, the PMD when asked, and a vdev. */
static int
lvdpa_bench_eal(const char *name, bool pmd, const char *vdev)
{
	static char buf[1024], prefix[96], vdevarg[512];
	char *argv[LVDPA_BENCH_MAX_ARGS], *tok, *save = NULL;
	const char *extra = getenv("LVDPA_BENCH_EAL");
	int argc = 0;

	snprintf(lvdpa_bench_prefix, sizeof(lvdpa_bench_prefix), "lvdpa-bench-%d",
		 (int)getpid());
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", lvdpa_bench_prefix);
	argv[argc++] = (char *)(uintptr_t)name;
	argv[argc++] = (char *)(uintptr_t)"--no-huge";
	argv[argc++] = (char *)(uintptr_t)"-m";
	argv[argc++] = (char *)(uintptr_t)"512";
	argv[argc++] = (char *)(uintptr_t)"--no-pci";
	argv[argc++] = prefix;
	argv[argc++] = (char *)(uintptr_t)"--log-level=lib.eal:error";
	argv[argc++] = (char *)(uintptr_t)"--log-level=lib.vhost.*:error";
	if (pmd) {
		argv[argc++] = (char *)(uintptr_t)"-d";
		argv[argc++] = (char *)(uintptr_t)LVDPA_BENCH_PMD;
	}
	snprintf(vdevarg, sizeof(vdevarg), "--vdev=%s", vdev);
	argv[argc++] = vdevarg;
	if (extra != NULL) {
		snprintf(buf, sizeof(buf), "%s", extra);
		for (tok = strtok_r(buf, " ", &save); tok != NULL && argc < LVDPA_BENCH_MAX_ARGS - 1;
		     tok = strtok_r(NULL, " ", &save))
			argv[argc++] = tok;
	}
	argv[argc] = NULL;
	atexit(lvdpa_bench_cleanup);
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "lvdpa-bench: rte_eal_init failed: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* vhost-user sockets on the vDPA device */

/* When the backend saw DRIVER_OK, CLOCK_MONOTONIC ns; 0 not yet. */
static uint64_t lvdpa_bench_t_driver_ok;

static uint64_t
lvdpa_bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static int
lvdpa_bench_new_device(int vid)
{
	RTE_SET_USED(vid);
	/* rte_vhost calls the driver's dev_conf right after this returns. */
	__atomic_store_n(&lvdpa_bench_t_driver_ok, lvdpa_bench_now_ns(), __ATOMIC_RELEASE);
	return 0;
}

static void
lvdpa_bench_destroy_device(int vid)
{
	RTE_SET_USED(vid);
}

static const struct rte_vhost_device_ops lvdpa_bench_vhost_ops = {
	.new_device = lvdpa_bench_new_device,
	.destroy_device = lvdpa_bench_destroy_device,
};

static int
lvdpa_bench_sock_start(const char *sock, struct rte_vdpa_device **devp)
{
	struct rte_vdpa_device *dev = rte_vdpa_find_device_by_name("lvdpa0");
	int rc;

	if (dev == NULL) {
		fprintf(stderr, "lvdpa-bench: no vDPA device lvdpa0 (PMD %s)\n",
			LVDPA_BENCH_PMD);
		return -ENODEV;
	}
	unlink(sock);
	rc = rte_vhost_driver_register(sock, 0);
	if (rc == 0)
		rc = rte_vhost_driver_attach_vdpa_device(sock, dev);
	if (rc == 0)
		rc = rte_vhost_driver_callback_register(sock, &lvdpa_bench_vhost_ops);
	if (rc == 0)
		rc = rte_vhost_driver_start(sock);
	if (rc != 0) {
		fprintf(stderr, "lvdpa-bench: cannot serve %s\n", sock);
		rte_vhost_driver_unregister(sock);
		return -EIO;
	}
	*devp = dev;
	return 0;
}

static uint64_t
lvdpa_bench_vdpa_stat(struct rte_vdpa_device *dev, int q, const char *name)
{
	struct rte_vdpa_stat_name names[32];
	struct rte_vdpa_stat st[32];
	int n, i;

	n = rte_vdpa_get_stats_names(dev, names, RTE_DIM(names));
	if (n <= 0 || rte_vdpa_get_stats(dev, q, st, RTE_DIM(st)) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(names[st[i].id].name, name) == 0)
			return st[i].value;
	return 0;
}

/* ------------------------------------------------------------------ */
/* serve */

static int
lvdpa_bench_serve_lvdpa(const char *sock, unsigned int qp, const char *devargs)
{
	struct rte_vdpa_device *dev;
	char vdev[512];
	uint64_t pkts = 0, base = 0;
	unsigned int q;

	snprintf(vdev, sizeof(vdev), "lvdpa0,queues=%u,queue_size=256%s%s", qp,
		 devargs[0] ? "," : "", devargs);
	if (lvdpa_bench_eal("lvdpa-bench", true, vdev) != 0)
		return 1;
	if (lvdpa_bench_sock_start(sock, &dev) != 0)
		return 1;
	printf("READY\n");
	fflush(stdout);
	while (!lvdpa_bench_quit) {
		usleep(20000);
		if (lvdpa_bench_mark) {
			lvdpa_bench_mark = 0;
			for (q = 1, base = 0; q < 2 * qp; q += 2)
				base += lvdpa_bench_vdpa_stat(dev, q, "completed_descriptors");
		}
	}
	for (q = 1; q < 2 * qp; q += 2)
		pkts += lvdpa_bench_vdpa_stat(dev, q, "completed_descriptors");
	printf("PACKETS %" PRIu64 "\n", pkts - base);
	fflush(stdout);
	rte_vhost_driver_unregister(sock);
	unlink(sock);
	rte_eal_cleanup();
	return 0;
}

static int
lvdpa_bench_serve_vhost(const char *sock, unsigned int qp)
{
	struct rte_eth_conf conf;
	struct rte_mempool *mp;
	struct rte_mbuf *pkts[LVDPA_BENCH_BURST];
	char vdev[512];
	uint64_t total = 0, base = 0;
	uint16_t port = 0, q;

	unlink(sock);
	snprintf(vdev, sizeof(vdev), "net_vhost0,iface=%s,queues=%u", sock, qp);
	if (lvdpa_bench_eal("lvdpa-bench", false, vdev) != 0)
		return 1;
	mp = rte_pktmbuf_pool_create("lvdpa_bench_mp", 8192, 256, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (mp == NULL || rte_eth_dev_count_avail() < 1) {
		fprintf(stderr, "lvdpa-bench: no mempool or no net_vhost port\n");
		return 1;
	}
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(port, qp, qp, &conf) != 0)
		return 1;
	for (q = 0; q < qp; q++)
		if (rte_eth_rx_queue_setup(port, q, 1024, rte_socket_id(), NULL, mp) != 0 ||
		    rte_eth_tx_queue_setup(port, q, 1024, rte_socket_id(), NULL) != 0)
			return 1;
	if (rte_eth_dev_start(port) != 0)
		return 1;
	printf("READY\n");
	fflush(stdout);
	/* testpmd's io forwarding, on one port: back where it came from. */
	while (!lvdpa_bench_quit) {
		if (unlikely(lvdpa_bench_mark)) {
			lvdpa_bench_mark = 0;
			base = total;
		}
		for (q = 0; q < qp; q++) {
			uint16_t n = rte_eth_rx_burst(port, q, pkts, LVDPA_BENCH_BURST);
			uint16_t s;

			if (n == 0)
				continue;
			total += n;
			s = rte_eth_tx_burst(port, q, pkts, n);
			if (s < n)
				rte_pktmbuf_free_bulk(&pkts[s], n - s);
		}
	}
	printf("PACKETS %" PRIu64 "\n", total - base);
	fflush(stdout);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_eal_cleanup();
	unlink(sock);
	return 0;
}

/* ------------------------------------------------------------------ */
/* ctrl */

#ifdef LVDPA_BENCH_HAVE_GUEST

#define LVDPA_BENCH_REQ_GET_FEATURES 1
#define LVDPA_BENCH_REQ_SET_FEATURES 2
#define LVDPA_BENCH_REQ_SET_LOG_BASE 6
#define LVDPA_BENCH_REQ_GET_VRING_BASE 11
#define LVDPA_BENCH_REQ_SET_VRING_ENABLE 18
#define LVDPA_BENCH_NEED_REPLY (1u << 3)
#define LVDPA_BENCH_F_LOG_ALL 26
#define LVDPA_BENCH_F_PROTOCOL_FEATURES 30
/* Dirty log: one bit per 4 KiB page, 1 MiB covers 32 GiB of guest addresses. */
#define LVDPA_BENCH_LOG_SIZE (1u << 20)

/*
 * Start a migration's dirty logging as QEMU does: SET_LOG_BASE with a
 * shared memory log, then SET_FEATURES with VHOST_F_LOG_ALL (rte_vhost
 * accepts that one change on a running device and tells the driver).
 * ms for the SET_FEATURES (the driver turns logging on for every queue),
 * or < 0. *logfd gets the log's fd (the caller closes it).
 */
static double
lvdpa_bench_log_on(struct lvdpa_guest *g, int *logfd)
{
	struct { uint64_t size, offset; } lb = { LVDPA_BENCH_LOG_SIZE, 0 };
	uint64_t f, ack = UINT64_MAX;
	double t0;
	int fd, rc;

	fd = memfd_create("lvdpa-bench-log", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, LVDPA_BENCH_LOG_SIZE) != 0) {
		fprintf(stderr, "lvdpa-bench: dirty log memfd: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*logfd = fd;
	rc = lvdpa_guest_send_raw(g, LVDPA_BENCH_REQ_SET_LOG_BASE, 1, sizeof(lb), &lb,
				  sizeof(lb), &fd, 1, &ack, sizeof(ack));
	if (rc < 0) {
		fprintf(stderr, "lvdpa-bench: SET_LOG_BASE: %d\n", rc);
		return -1;
	}
	f = lvdpa_guest_features(g) | (1ULL << LVDPA_BENCH_F_PROTOCOL_FEATURES) |
	    (1ULL << LVDPA_BENCH_F_LOG_ALL);
	ack = UINT64_MAX;
	t0 = lvdpa_bench_now_ms();
	rc = lvdpa_guest_send_raw(g, LVDPA_BENCH_REQ_SET_FEATURES,
				  1 | LVDPA_BENCH_NEED_REPLY, sizeof(f), &f, sizeof(f),
				  NULL, 0, &ack, sizeof(ack));
	if (rc < 0 || ack != 0) {
		fprintf(stderr, "lvdpa-bench: SET_FEATURES 0x%" PRIx64 " (LOG_ALL): %d ack %" PRIu64 "\n",
			f, rc, ack);
		return -1;
	}
	return lvdpa_bench_now_ms() - t0;
}

/* SET_VRING_ENABLE on every ring, each acknowledged; ms, or < 0. */
static double
lvdpa_bench_rings_enable(struct lvdpa_guest *g, unsigned int nrings, uint32_t on)
{
	double t0 = lvdpa_bench_now_ms();
	uint64_t ack;
	unsigned int i;

	for (i = 0; i < nrings; i++) {
		uint32_t st[2] = { i, on };
		int rc;

		ack = 0;
		rc = lvdpa_guest_send_raw(g, LVDPA_BENCH_REQ_SET_VRING_ENABLE,
					  1 | LVDPA_BENCH_NEED_REPLY, sizeof(st),
					  st, sizeof(st), NULL, 0, &ack, sizeof(ack));
		if (rc < 0 || ack != 0) {
			fprintf(stderr, "lvdpa-bench: SET_VRING_ENABLE %u %u: %d ack %" PRIu64 "\n",
				i, on, rc, ack);
			return -1;
		}
	}
	/*
	 * rte_vhost may tell the driver after it replied: the vhost thread
	 * answers the next message only once the last one is handled.
	 */
	if (lvdpa_guest_send_raw(g, LVDPA_BENCH_REQ_GET_FEATURES, 1, 0, NULL, 0,
				 NULL, 0, &ack, sizeof(ack)) < 0)
		return -1;
	return lvdpa_bench_now_ms() - t0;
}

/*
 * GET_VRING_BASE on every ring of a running device, as QEMU stops it for
 * a migration: the first makes rte_vhost call the driver's dev_close,
 * which suspends and queries every queue and hands their indices over
 * before that first reply. *first: ms to the first reply; returns ms to
 * the last one, or < 0.
 */
static double
lvdpa_bench_rings_close(struct lvdpa_guest *g, unsigned int nrings, double *first)
{
	double t0 = lvdpa_bench_now_ms();
	unsigned int i;

	for (i = 0; i < nrings; i++) {
		uint32_t st[2] = { i, 0 }, base[2];

		if (lvdpa_guest_send_raw(g, LVDPA_BENCH_REQ_GET_VRING_BASE, 1, sizeof(st),
					 st, sizeof(st), NULL, 0, base, sizeof(base)) < 0) {
			fprintf(stderr, "lvdpa-bench: GET_VRING_BASE %u failed\n", i);
			return -1;
		}
		if (i == 0)
			*first = lvdpa_bench_now_ms() - t0;
	}
	return lvdpa_bench_now_ms() - t0;
}

static int
lvdpa_bench_ctrl(unsigned int qp, bool legacy, unsigned int reps, const char *devargs)
{
	struct rte_vdpa_device *dev;
	char vdev[512], sock[128];
	unsigned int r;
	int ret = 1;

	if (qp < 1 || qp > LVDPA_GUEST_MAX_QP) {
		fprintf(stderr, "lvdpa-bench: 1..%u queue pairs (lvdpa-guest's limit)\n",
			LVDPA_GUEST_MAX_QP);
		return 1;
	}
	snprintf(vdev, sizeof(vdev), "lvdpa0,model_max_queues=%u%s%s",
		 RTE_MAX(2 * qp, 2u), devargs[0] ? "," : "", devargs);
	if (lvdpa_bench_eal("lvdpa-bench", true, vdev) != 0)
		return 1;
	snprintf(sock, sizeof(sock), "/tmp/lvdpa-bench-ctrl-%d.sock", (int)getpid());
	if (lvdpa_bench_sock_start(sock, &dev) != 0)
		goto out_eal;
	for (r = 0; r < reps && !lvdpa_bench_quit; r++) {
		struct lvdpa_guest_config cfg;
		struct lvdpa_guest *g;
		double conf, ring, res, lg = -1, sq = -1, stop = -1;
		uint64_t val, t0, t1;
		int rc, logfd = -1;

		lvdpa_guest_config_init(&cfg);
		cfg.socket_path = sock;
		cfg.features = legacy ? LVDPA_GUEST_FEATURES_LEGACY : LVDPA_GUEST_FEATURES_MODERN;
		cfg.queue_pairs = qp;
		/* lvdpa-guest needs about 0.6 MiB a queue pair (rings, buffers). */
		cfg.mem_size = (16ull + qp) << 20;
		cfg.timeout_ms = 30000;
		g = lvdpa_guest_create(&cfg);
		if (g == NULL)
			goto out_sock;
		__atomic_store_n(&lvdpa_bench_t_driver_ok, 0, __ATOMIC_RELEASE);
		rc = lvdpa_guest_connect(g);
		if (rc == 0)
			rc = lvdpa_guest_send_raw(g, LVDPA_BENCH_REQ_GET_FEATURES, 1, 0,
						  NULL, 0, NULL, 0, &val, sizeof(val));
		t1 = lvdpa_bench_now_ns();
		t0 = __atomic_load_n(&lvdpa_bench_t_driver_ok, __ATOMIC_ACQUIRE);
		if (rc < 0 || t0 == 0) {
			fprintf(stderr, "lvdpa-bench: connect failed: %d (%s)\n", rc,
				t0 == 0 ? "no DRIVER_OK seen" : "");
			lvdpa_guest_destroy(g);
			goto out_sock;
		}
		if (legacy && (lvdpa_guest_features(g) & (1ULL << 32))) {
			fprintf(stderr, "lvdpa-bench: legacy guest negotiated VERSION_1\n");
			lvdpa_guest_destroy(g);
			goto out_sock;
		}
		conf = (t1 - t0) / 1e6;
		ring = lvdpa_bench_rings_enable(g, 2 * qp, 0);
		res = ring < 0 ? -1 : lvdpa_bench_rings_enable(g, 2 * qp, 1);
		/* The device must run again after the resume. */
		if (res >= 0 && lvdpa_guest_run_traffic(g, 64, 5000) != 0) {
			fprintf(stderr, "lvdpa-bench: no traffic after resume\n");
			res = -1;
		}
		if (res >= 0)
			lg = lvdpa_bench_log_on(g, &logfd);
		/* ... and with dirty logging on, as during a migration. */
		if (lg >= 0 && lvdpa_guest_run_traffic(g, 64, 5000) != 0) {
			fprintf(stderr, "lvdpa-bench: no traffic with dirty logging on\n");
			lg = -1;
		}
		if (lg >= 0)
			stop = lvdpa_bench_rings_close(g, 2 * qp, &sq);
		lvdpa_guest_destroy(g);
		if (logfd >= 0)
			close(logfd);
		if (ring < 0 || res < 0 || lg < 0 || stop < 0)
			goto out_sock;
		printf("CTRL %.3f %.3f %.3f %.3f %.3f %.3f\n", conf, sq, stop, ring, res, lg);
		fflush(stdout);
	}
	ret = 0;
out_sock:
	rte_vhost_driver_unregister(sock);
	unlink(sock);
out_eal:
	rte_eal_cleanup();
	return ret;
}
#endif

static int
lvdpa_bench_usage(void)
{
	fprintf(stderr,
		"usage: lvdpa-bench serve lvdpa|vhost SOCK QP [DEVARGS]\n"
		"       lvdpa-bench xcpu CPU_A CPU_B\n"
		"       lvdpa-bench ctrl QP modern|legacy REPS [DEVARGS]\n"
		"EAL options: LVDPA_BENCH_EAL; latency profile: LVDPA_MODEL_LATENCY\n");
	return 2;
}

int
main(int argc, char **argv)
{
	signal(SIGTERM, lvdpa_bench_on_signal);
	signal(SIGINT, lvdpa_bench_on_signal);
	signal(SIGUSR1, lvdpa_bench_on_signal);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 5 && strcmp(argv[1], "serve") == 0) {
		unsigned int qp = atoi(argv[4]);

		if (qp < 1 || qp > 16)
			return lvdpa_bench_usage();
		if (strcmp(argv[2], "lvdpa") == 0)
			return lvdpa_bench_serve_lvdpa(argv[3], qp, argc > 5 ? argv[5] : "");
		if (strcmp(argv[2], "vhost") == 0)
			return lvdpa_bench_serve_vhost(argv[3], qp);
		return lvdpa_bench_usage();
	}
	if (argc == 4 && strcmp(argv[1], "xcpu") == 0)
		return lvdpa_bench_xcpu(atoi(argv[2]), atoi(argv[3]));
#ifdef LVDPA_BENCH_HAVE_GUEST
	if (argc >= 5 && strcmp(argv[1], "ctrl") == 0) {
		unsigned int qp = atoi(argv[2]), reps = atoi(argv[4]);

		if (reps < 1 || (strcmp(argv[3], "modern") && strcmp(argv[3], "legacy")))
			return lvdpa_bench_usage();
		return lvdpa_bench_ctrl(qp, strcmp(argv[3], "legacy") == 0, reps,
					argc > 5 ? argv[5] : "");
	}
#endif
	return lvdpa_bench_usage();
}
