/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * DPDK's own vdpa sample app (built unmodified from dpdk-doc's
 * /usr/share/dpdk/examples/vdpa) serves a guest with the PMD: it loads the
 * PMD with -d, finds lvdpa0 in class=vdpa iteration, creates <iface>0 and
 * attaches the device; a virtio-user child passes traffic on it both ways;
 * 'q' on the sample's stdin quits it (sockets unregistered, device removed
 * by EAL cleanup) with status 0.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lvdpa_test.h"

static char lvdpa_sa_dir[64];
static char lvdpa_sa_prefix[64];
static pid_t lvdpa_sa_app = -1, lvdpa_sa_fe = -1;

static void
lvdpa_sa_cleanup(void)
{
	char cmd[256];

	if (lvdpa_sa_fe > 0) {
		kill(lvdpa_sa_fe, SIGKILL);
		waitpid(lvdpa_sa_fe, NULL, 0);
		lvdpa_sa_fe = -1;
	}
	if (lvdpa_sa_app > 0) {
		kill(lvdpa_sa_app, SIGKILL);
		waitpid(lvdpa_sa_app, NULL, 0);
		lvdpa_sa_app = -1;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/%s* %s", lvdpa_sa_prefix,
		 lvdpa_sa_dir);
	if (lvdpa_sa_prefix[0] && system(cmd) != 0)
		fprintf(stderr, "# cleanup failed: %s\n", cmd);
}

static void
lvdpa_sa_signal(int sig)
{
	lvdpa_sa_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Wait for @p pid up to @p secs: its exit status, or -1 (then killed). */
static int
lvdpa_sa_wait(pid_t *pid, int secs)
{
	time_t end = time(NULL) + secs;
	int status;

	for (;;) {
		pid_t p = waitpid(*pid, &status, WNOHANG);

		if (p == *pid)
			break;
		if (p < 0 || time(NULL) > end) {
			kill(*pid, SIGKILL);
			waitpid(*pid, NULL, 0);
			*pid = -1;
			return -1;
		}
		usleep(20000);
	}
	*pid = -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int
test_dpdk_vdpa_sample(void)
{
	char iface[128], sock[160], prefix[96], feprefix[96];
	int in[2] = { -1, -1 };
	struct stat st;
	time_t end;
	int rc, i;

	snprintf(lvdpa_sa_prefix, sizeof(lvdpa_sa_prefix), "lvdpa-vdpa-sample-%d",
		 (int)getpid());
	snprintf(lvdpa_sa_dir, sizeof(lvdpa_sa_dir), "/tmp/lvdpa-vdpa-XXXXXX");
	LVDPA_TEST_ASSERT(mkdtemp(lvdpa_sa_dir) != NULL, "temp dir");
	atexit(lvdpa_sa_cleanup);
	signal(SIGTERM, lvdpa_sa_signal);
	signal(SIGINT, lvdpa_sa_signal);
	snprintf(iface, sizeof(iface), "%s/sock", lvdpa_sa_dir);
	snprintf(sock, sizeof(sock), "%s0", iface);
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", lvdpa_sa_prefix);
	snprintf(feprefix, sizeof(feprefix), "%s-fe", lvdpa_sa_prefix);
	/* Its stdin stays open (a pipe): on EOF the sample would spin. */
	LVDPA_TEST_ASSERT(pipe(in) == 0, "pipe");
	fflush(stdout);
	lvdpa_sa_app = fork();
	LVDPA_TEST_ASSERT(lvdpa_sa_app >= 0, "fork");
	if (lvdpa_sa_app == 0) {
		dup2(in[0], 0);
		dup2(2, 1);
		close(in[1]);
		execl(LVDPA_DPDK_VDPA_SAMPLE, "dpdk-vdpa", "-l", "0", "--no-huge",
		      "-m", "256", "--no-pci", prefix, "--log-level=lib.eal:error",
		      "--log-level=lib.vhost.*:warning", "-d", LVDPA_VDPA_SO,
		      "--vdev", "lvdpa0,queues=1,queue_size=256", "--",
		      "--iface", iface, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	end = time(NULL) + 20;
	while (stat(sock, &st) != 0 && time(NULL) < end)
		usleep(20000);
	if (stat(sock, &st) != 0) {
		fprintf(stderr, "# the sample created no %s\n", sock);
		close(in[1]);
		return -1;
	}
	for (i = 0; i < 2; i++) {
		/* Two guests one after the other: the device is reused. */
		fflush(stdout);
		lvdpa_sa_fe = fork();
		LVDPA_TEST_ASSERT(lvdpa_sa_fe >= 0, "fork");
		if (lvdpa_sa_fe == 0) {
			dup2(2, 1);
			execl(LVDPA_VDPA_FRONTEND, "lvdpa_vdpa_frontend", sock, "1",
			      i == 0 ? "0" : "1", "2000", feprefix, (char *)NULL);
			_exit(127);
		}
		rc = lvdpa_sa_wait(&lvdpa_sa_fe, 60);
		if (rc != 0) {
			close(in[1]);
			LVDPA_TEST_ASSERT(0, "frontend %d through the sample: %d", i, rc);
		}
	}
	LVDPA_TEST_ASSERT(write(in[1], "q\n", 2) == 2, "quit");
	close(in[1]);
	rc = lvdpa_sa_wait(&lvdpa_sa_app, 20);
	LVDPA_TEST_ASSERT_EQ(rc, 0, "the sample quit cleanly");
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_dpdk_vdpa_sample),
)
