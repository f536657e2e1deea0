/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Traffic through the PMD, as DPDK's vdpa sample app runs it: this program
 * is the backend (EAL with the PMD loaded by -d from the build tree and
 * --vdev lvdpa0,..., a vhost-user socket attached to the vDPA device), and
 * a child process is the guest (lvdpa_vdpa_frontend, DPDK's virtio-user).
 * The child sends numbered, patterned packets on every queue pair and
 * checks each comes back intact (the model loops TX back to RX); the
 * backend then checks the device's queue counters match what was sent.
 * Split and packed rings, 1 and 2 queue pairs, with and without queues
 * pre-created at probe.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_vdpa.h>
#include <rte_vhost.h>

#include "lvdpa_test.h"

#define LVDPA_TR_PACKETS 2000
#define LVDPA_TR_CHILD_TIMEOUT_S 60

static char lvdpa_tr_dir[64];
static char lvdpa_tr_prefix[64];
static pid_t lvdpa_tr_child = -1;
static int lvdpa_tr_eal_done;

static void
lvdpa_tr_cleanup(void)
{
	char cmd[256];

	if (lvdpa_tr_child > 0) {
		kill(lvdpa_tr_child, SIGKILL);
		waitpid(lvdpa_tr_child, NULL, 0);
		lvdpa_tr_child = -1;
	}
	if (lvdpa_tr_eal_done) {
		rte_eal_cleanup();
		lvdpa_tr_eal_done = 0;
	}
	/* The child's prefixes start with ours. */
	snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/%s* %s", lvdpa_tr_prefix,
		 lvdpa_tr_dir[0] ? lvdpa_tr_dir : "");
	if (system(cmd) != 0)
		fprintf(stderr, "# cleanup failed: %s\n", cmd);
}

static void
lvdpa_tr_signal(int sig)
{
	lvdpa_tr_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
lvdpa_tr_eal(void)
{
	char prefix[96];
	char *argv[16];
	int argc = 0;

	if (lvdpa_tr_eal_done)
		return 0;
	snprintf(lvdpa_tr_prefix, sizeof(lvdpa_tr_prefix), "lvdpa-vdpa-tr-%d", (int)getpid());
	snprintf(lvdpa_tr_dir, sizeof(lvdpa_tr_dir), "/tmp/lvdpa-vdpa-XXXXXX");
	if (mkdtemp(lvdpa_tr_dir) == NULL)
		return -1;
	atexit(lvdpa_tr_cleanup);
	signal(SIGTERM, lvdpa_tr_signal);
	signal(SIGINT, lvdpa_tr_signal);
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", lvdpa_tr_prefix);
	argv[argc++] = (char *)(uintptr_t)"test_vdpa_traffic";
	argv[argc++] = (char *)(uintptr_t)"--no-huge";
	argv[argc++] = (char *)(uintptr_t)"-m";
	argv[argc++] = (char *)(uintptr_t)"256";
	argv[argc++] = (char *)(uintptr_t)"--no-pci";
	argv[argc++] = (char *)(uintptr_t)"-l";
	argv[argc++] = (char *)(uintptr_t)"0";
	argv[argc++] = prefix;
	argv[argc++] = (char *)(uintptr_t)"--log-level=lib.eal:error";
	argv[argc++] = (char *)(uintptr_t)"--log-level=lib.vhost.*:warning";
	argv[argc++] = (char *)(uintptr_t)"--log-level=pmd.vdpa.lvdpa:debug";
	argv[argc++] = (char *)(uintptr_t)"-d";
	argv[argc++] = (char *)(uintptr_t)LVDPA_VDPA_SO;
	/* queues pre-created at probe: dev_conf only modifies them */
	argv[argc++] = (char *)(uintptr_t)"--vdev=lvdpa0,queues=2,queue_size=256";
	argv[argc++] = (char *)(uintptr_t)"--vdev=lvdpa1";
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "# rte_eal_init failed\n");
		return -1;
	}
	lvdpa_tr_eal_done = 1;
	return 0;
}

static int
lvdpa_tr_new_device(int vid)
{
	RTE_SET_USED(vid);
	return 0;
}

static void
lvdpa_tr_destroy_device(int vid)
{
	RTE_SET_USED(vid);
}

static const struct rte_vhost_device_ops lvdpa_tr_ops = {
	.new_device = lvdpa_tr_new_device,
	.destroy_device = lvdpa_tr_destroy_device,
};

/* Run the frontend child; its exit status, or -1 (timeout, not started). */
static int
lvdpa_tr_run_child(char *const argv[])
{
	time_t end = time(NULL) + LVDPA_TR_CHILD_TIMEOUT_S;
	int status;

	fflush(stdout);
	fflush(stderr);
	lvdpa_tr_child = fork();
	if (lvdpa_tr_child < 0)
		return -1;
	if (lvdpa_tr_child == 0) {
		/* TAP is on stdout: the child's lines go to stderr. */
		dup2(2, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	for (;;) {
		pid_t p = waitpid(lvdpa_tr_child, &status, WNOHANG);

		if (p == lvdpa_tr_child)
			break;
		if (p < 0 || time(NULL) > end) {
			fprintf(stderr, "# frontend did not finish in %d s: killed\n",
				LVDPA_TR_CHILD_TIMEOUT_S);
			kill(lvdpa_tr_child, SIGKILL);
			waitpid(lvdpa_tr_child, NULL, 0);
			lvdpa_tr_child = -1;
			return -1;
		}
		usleep(20000);
	}
	lvdpa_tr_child = -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int
lvdpa_tr_case(const char *dev_name, unsigned int nq, int packed)
{
	struct rte_vdpa_device *dev;
	struct rte_vdpa_stat_name names[16];
	struct rte_vdpa_stat st[16];
	char sock[128], nqs[8], pk[4], cnt[16], cprefix[96];
	char *argv[8];
	unsigned int q, i;
	int rc, n, ret = 0, ncnt;

	LVDPA_TEST_ASSERT(lvdpa_tr_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name(dev_name);
	LVDPA_TEST_ASSERT(dev != NULL, "%s probed through -d", dev_name);
	for (q = 0; q < 2 * nq; q++)
		LVDPA_TEST_ASSERT_EQ(rte_vdpa_reset_stats(dev, q), 0, "reset stats");
	snprintf(sock, sizeof(sock), "%s/sock-%s-%u-%d", lvdpa_tr_dir, dev_name, nq, packed);
	LVDPA_TEST_ASSERT_EQ(rte_vhost_driver_register(sock, 0), 0, "register %s", sock);
	rc = rte_vhost_driver_attach_vdpa_device(sock, dev);
	if (rc == 0)
		rc = rte_vhost_driver_callback_register(sock, &lvdpa_tr_ops);
	if (rc == 0)
		rc = rte_vhost_driver_start(sock);
	if (rc != 0) {
		rte_vhost_driver_unregister(sock);
		LVDPA_TEST_ASSERT(0, "socket set-up failed");
	}
	snprintf(nqs, sizeof(nqs), "%u", nq);
	snprintf(pk, sizeof(pk), "%d", packed);
	snprintf(cnt, sizeof(cnt), "%u", LVDPA_TR_PACKETS);
	snprintf(cprefix, sizeof(cprefix), "%s-fe", lvdpa_tr_prefix);
	argv[0] = (char *)(uintptr_t)LVDPA_VDPA_FRONTEND;
	argv[1] = sock;
	argv[2] = nqs;
	argv[3] = pk;
	argv[4] = cnt;
	argv[5] = cprefix;
	argv[6] = NULL;
	rc = lvdpa_tr_run_child(argv);
	if (rc != 0) {
		fprintf(stderr, "# frontend failed: %d\n", rc);
		ret = -1;
	}
	/* Counters: one chain per packet each way (no mergeable buffers). */
	ncnt = rte_vdpa_get_stats_names(dev, names, RTE_DIM(names));
	for (q = 0; ret == 0 && q < 2 * nq; q++) {
		n = rte_vdpa_get_stats(dev, q, st, RTE_DIM(st));
		if (n < 6 || n != ncnt) {
			fprintf(stderr, "# stats of queue %u: %d (names %d)\n", q, n, ncnt);
			ret = -1;
			break;
		}
		for (i = 0; i < (unsigned int)n; i++) {
			const char *nm = names[st[i].id].name;
			uint64_t want = strstr(nm, "descriptors") ? LVDPA_TR_PACKETS : 0;

			if (st[i].value != want) {
				fprintf(stderr, "# queue %u (%s): %s = %" PRIu64 ", expected %" PRIu64 "\n",
					q, q & 1 ? "tx" : "rx", nm, st[i].value, want);
				ret = -1;
			}
		}
	}
	/* The connection is gone once the child exited; retry while it closes. */
	for (i = 0; i < 100 && rte_vhost_driver_unregister(sock) != 0; i++)
		usleep(10000);
	unlink(sock);
	return ret;
}

static int
test_traffic_split_1q(void)
{
	return lvdpa_tr_case("lvdpa0", 1, 0);
}

static int
test_traffic_split_2q(void)
{
	return lvdpa_tr_case("lvdpa1", 2, 0);
}

static int
test_traffic_packed_1q(void)
{
	return lvdpa_tr_case("lvdpa1", 1, 1);
}

static int
test_traffic_packed_2q(void)
{
	return lvdpa_tr_case("lvdpa0", 2, 1);
}

static int
test_traffic_split_2q_again(void)
{
	/* The same device serves a new connection after the previous one. */
	return lvdpa_tr_case("lvdpa0", 2, 0);
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_traffic_split_1q),
	LVDPA_TEST_CASE(test_traffic_split_2q),
	LVDPA_TEST_CASE(test_traffic_packed_1q),
	LVDPA_TEST_CASE(test_traffic_packed_2q),
	LVDPA_TEST_CASE(test_traffic_split_2q_again),
)
