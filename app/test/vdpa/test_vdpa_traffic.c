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
#include "test_vdpa_common.h"

#define LVDPA_TR_PACKETS 2000
#define LVDPA_TR_CHILD_TIMEOUT_S 60

static int
lvdpa_tr_eal(void)
{
	/* lvdpa0: queues pre-created at probe, dev_conf only modifies them. */
	static const char *const vdevs[] = {
		"lvdpa0,queues=2,queue_size=256",
		/* queues set up by 2 configuration threads besides vhost's */
		"lvdpa1,max_conf_threads=2",
		/* the device notifies through event QPs: no polling */
		"lvdpa2,event_mode=2,queues=1,queue_size=256",
	};

	return lvdpa_tv_eal("vdpa-traffic", vdevs, RTE_DIM(vdevs), 0);
}

/* Run the frontend child; its exit status, or -1 (timeout, not started). */
static int
lvdpa_tr_run_child(char *const argv[])
{
	time_t end = time(NULL) + LVDPA_TR_CHILD_TIMEOUT_S;
	int status;

	fflush(stdout);
	fflush(stderr);
	lvdpa_tv_child = fork();
	if (lvdpa_tv_child < 0)
		return -1;
	if (lvdpa_tv_child == 0) {
		/* TAP is on stdout: the child's lines go to stderr. */
		dup2(2, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	for (;;) {
		pid_t p = waitpid(lvdpa_tv_child, &status, WNOHANG);

		if (p == lvdpa_tv_child)
			break;
		if (p < 0 || time(NULL) > end) {
			fprintf(stderr, "# frontend did not finish in %d s: killed\n",
				LVDPA_TR_CHILD_TIMEOUT_S);
			kill(lvdpa_tv_child, SIGKILL);
			waitpid(lvdpa_tv_child, NULL, 0);
			lvdpa_tv_child = -1;
			return -1;
		}
		usleep(20000);
	}
	lvdpa_tv_child = -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int
lvdpa_tr_case(const char *dev_name, unsigned int nq, int packed)
{
	struct rte_vdpa_device *dev;
	char sock[128], tag[64], nqs[8], pk[4], cnt[16], cprefix[96];
	char *argv[8];
	unsigned int q;
	int rc, ret = 0;

	LVDPA_TEST_ASSERT(lvdpa_tr_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name(dev_name);
	LVDPA_TEST_ASSERT(dev != NULL, "%s probed through -d", dev_name);
	for (q = 0; q < 2 * nq; q++)
		LVDPA_TEST_ASSERT_EQ(rte_vdpa_reset_stats(dev, q), 0, "reset stats");
	snprintf(tag, sizeof(tag), "%s-%u-%d", dev_name, nq, packed);
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, tag, sock, sizeof(sock)), 0,
			     "socket %s", tag);
	snprintf(nqs, sizeof(nqs), "%u", nq);
	snprintf(pk, sizeof(pk), "%d", packed);
	snprintf(cnt, sizeof(cnt), "%u", LVDPA_TR_PACKETS);
	snprintf(cprefix, sizeof(cprefix), "%s-fe", lvdpa_tv_prefix);
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
	for (q = 0; ret == 0 && q < 2 * nq; q++) {
		static const char *const names[] = {
			"received_descriptors", "completed_descriptors",
			"bad descriptor errors", "exceed max chain",
			"invalid buffer", "completion errors", "error events",
		};
		unsigned int i;

		for (i = 0; i < RTE_DIM(names); i++) {
			uint64_t v = lvdpa_tv_stat(dev, q, names[i]);
			uint64_t want = i < 2 ? LVDPA_TR_PACKETS : 0;

			if (v != want) {
				fprintf(stderr, "# queue %u (%s): %s = %" PRIu64 ", expected %" PRIu64 "\n",
					q, q & 1 ? "tx" : "rx", names[i], v, want);
				ret = -1;
			}
		}
	}
	lvdpa_tv_sock_stop(sock);
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

static int
test_traffic_irq_split_2q(void)
{
	return lvdpa_tr_case("lvdpa2", 2, 0);
}

static int
test_traffic_irq_packed_1q(void)
{
	return lvdpa_tr_case("lvdpa2", 1, 1);
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_traffic_split_1q),
	LVDPA_TEST_CASE(test_traffic_split_2q),
	LVDPA_TEST_CASE(test_traffic_packed_1q),
	LVDPA_TEST_CASE(test_traffic_packed_2q),
	LVDPA_TEST_CASE(test_traffic_split_2q_again),
	LVDPA_TEST_CASE(test_traffic_irq_split_2q),
	LVDPA_TEST_CASE(test_traffic_irq_packed_1q),
)
