/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_TEST_VDPA_COMMON_H
#define LVDPA_TEST_VDPA_COMMON_H

/*
 * Backend side of the vDPA tests, as DPDK's vdpa sample app does it: EAL
 * with the PMD loaded by -d from the build tree and --vdev lvdpaN,...,
 * vhost-user sockets (in a private temporary directory) attached to the
 * vDPA devices. Everything (children, sockets, /var/run/dpdk/<prefix>*)
 * is removed at exit, also when a case failed or a signal came.
 */

#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_log.h>
#include <rte_vdpa.h>
#include <rte_vhost.h>

#include "lvdpa_test_threads.h"

static char lvdpa_tv_dir[64];
static char lvdpa_tv_prefix[64];
static pid_t lvdpa_tv_child = -1;
static int lvdpa_tv_eal_done;
static FILE *lvdpa_tv_log;

static void
lvdpa_tv_cleanup(void)
{
	char cmd[256];

	if (lvdpa_tv_child > 0) {
		kill(lvdpa_tv_child, SIGKILL);
		waitpid(lvdpa_tv_child, NULL, 0);
		lvdpa_tv_child = -1;
	}
	if (lvdpa_tv_eal_done) {
		rte_eal_cleanup();
		lvdpa_tv_eal_done = 0;
	}
	/* Children's prefixes start with ours. */
	snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/%s* %s", lvdpa_tv_prefix,
		 lvdpa_tv_dir[0] ? lvdpa_tv_dir : "");
	if (lvdpa_tv_prefix[0] && system(cmd) != 0)
		fprintf(stderr, "# cleanup failed: %s\n", cmd);
}

static void
lvdpa_tv_signal(int sig)
{
	lvdpa_tv_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * EAL with the PMD from LVDPA_VDPA_SO and the given vdevs. With
 * @p capture_log, log lines go to a file that lvdpa_tv_log_take() reads.
 */
static int
lvdpa_tv_eal(const char *name, const char *const *vdevs, unsigned int n,
	     int capture_log)
{
	char prefix[96], vdev[16][256];
	char *argv[40];
	int argc = 0;
	unsigned int i;

	if (lvdpa_tv_eal_done)
		return 0;
	if (n > RTE_DIM(vdev))
		return -1;
	snprintf(lvdpa_tv_prefix, sizeof(lvdpa_tv_prefix), "lvdpa-%s-%d", name,
		 (int)getpid());
	snprintf(lvdpa_tv_dir, sizeof(lvdpa_tv_dir), "/tmp/lvdpa-vdpa-XXXXXX");
	if (mkdtemp(lvdpa_tv_dir) == NULL) {
		lvdpa_tv_dir[0] = '\0';
		return -1;
	}
	atexit(lvdpa_tv_cleanup);
	signal(SIGTERM, lvdpa_tv_signal);
	signal(SIGINT, lvdpa_tv_signal);
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", lvdpa_tv_prefix);
	argv[argc++] = (char *)(uintptr_t)name;
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
	argv[argc++] = (char *)(uintptr_t)"--log-level=app.lvdpa*:info";
	argv[argc++] = (char *)(uintptr_t)"-d";
	argv[argc++] = (char *)(uintptr_t)LVDPA_VDPA_SO;
	for (i = 0; i < n; i++) {
		snprintf(vdev[i], sizeof(vdev[i]), "--vdev=%s", vdevs[i]);
		argv[argc++] = vdev[i];
	}
	argv[argc] = NULL;
	if (capture_log) {
		lvdpa_tv_log = tmpfile();
		if (lvdpa_tv_log == NULL)
			return -1;
		rte_openlog_stream(lvdpa_tv_log);
	}
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "# rte_eal_init failed\n");
		return -1;
	}
	lvdpa_tv_eal_done = 1;
	return 0;
}

/* Log text written since the last call (also copied to stderr). */
static __rte_unused void
lvdpa_tv_log_take(char *buf, size_t len)
{
	size_t n;

	buf[0] = '\0';
	if (lvdpa_tv_log == NULL)
		return;
	fflush(lvdpa_tv_log);
	rewind(lvdpa_tv_log);
	n = fread(buf, 1, len - 1, lvdpa_tv_log);
	buf[n] = '\0';
	rewind(lvdpa_tv_log);
	if (ftruncate(fileno(lvdpa_tv_log), 0) != 0)
		buf[0] = '\0';
	fprintf(stderr, "%s", buf);
}

static int
lvdpa_tv_new_device(int vid)
{
	RTE_SET_USED(vid);
	return 0;
}

static void
lvdpa_tv_destroy_device(int vid)
{
	RTE_SET_USED(vid);
}

static const struct rte_vhost_device_ops lvdpa_tv_ops = {
	.new_device = lvdpa_tv_new_device,
	.destroy_device = lvdpa_tv_destroy_device,
};

/*
 * A server socket in the private directory attached to @p dev. With
 * @p dev_features the socket offers every feature the device offers, as
 * the sample app does (rte_vhost's net default lacks MAC and STATUS).
 */
static __rte_unused int
lvdpa_tv_sock_start_ext(struct rte_vdpa_device *dev, const char *tag, char *sock,
			size_t len, bool dev_features)
{
	uint64_t f;
	int rc;

	snprintf(sock, len, "%s/sock-%.40s", lvdpa_tv_dir, tag);
	rc = rte_vhost_driver_register(sock, 0);
	if (rc != 0)
		return rc;
	rc = rte_vhost_driver_attach_vdpa_device(sock, dev);
	if (rc == 0)
		rc = rte_vhost_driver_callback_register(sock, &lvdpa_tv_ops);
	if (rc == 0 && dev_features) {
		rc = rte_vdpa_get_features(dev, &f);
		if (rc == 0)
			rc = rte_vhost_driver_set_features(sock, f);
	}
	if (rc == 0)
		rc = rte_vhost_driver_start(sock);
	if (rc != 0) {
		rte_vhost_driver_unregister(sock);
		unlink(sock);
	}
	return rc;
}

static __rte_unused int
lvdpa_tv_sock_start(struct rte_vdpa_device *dev, const char *tag, char *sock,
		    size_t len)
{
	return lvdpa_tv_sock_start_ext(dev, tag, sock, len, false);
}

static void
lvdpa_tv_sock_stop(const char *sock)
{
	int i;

	/* A closing connection makes unregister fail for a moment: retry. */
	for (i = 0; i < 200 && rte_vhost_driver_unregister(sock) != 0; i++)
		usleep(10000);
	unlink(sock);
}

/* The value of the stat named @p name of queue @p q, or UINT64_MAX. */
static __rte_unused uint64_t
lvdpa_tv_stat(struct rte_vdpa_device *dev, int q, const char *name)
{
	struct rte_vdpa_stat_name names[32];
	struct rte_vdpa_stat st[32];
	int n, i;

	n = rte_vdpa_get_stats_names(dev, names, RTE_DIM(names));
	if (n <= 0 || rte_vdpa_get_stats(dev, q, st, RTE_DIM(st)) != n)
		return UINT64_MAX;
	for (i = 0; i < n; i++)
		if (strcmp(names[st[i].id].name, name) == 0)
			return st[i].value;
	return UINT64_MAX;
}

#endif /* LVDPA_TEST_VDPA_COMMON_H */
