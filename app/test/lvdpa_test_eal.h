/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_TEST_EAL_H
#define LVDPA_TEST_EAL_H

/*
 * EAL set-up for test programs: no hugepages, no PCI, and a file prefix of
 * the program's own, whose runtime directory is removed at exit (also when a
 * case failed), so that tests never leave state behind.
 */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_eal.h>

static char lvdpa_test_eal_prefix[64];

static inline void
lvdpa_test_eal_cleanup(void)
{
	char cmd[160];

	rte_eal_cleanup();
	snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/%s",
		 lvdpa_test_eal_prefix);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove /var/run/dpdk/%s\n",
			lvdpa_test_eal_prefix);
}

/* Initialise EAL with @p mem_mb MB of ordinary memory; 0 or -1. */
static inline int
lvdpa_test_eal_init(const char *name, unsigned int mem_mb,
		    const char *extra_vdev)
{
	char mem[16], prefix[96], vdev[256];
	char *argv[10];
	int argc = 0;

	snprintf(lvdpa_test_eal_prefix, sizeof(lvdpa_test_eal_prefix),
		 "lvdpa-%s-%d", name, (int)getpid());
	snprintf(mem, sizeof(mem), "%u", mem_mb);
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s",
		 lvdpa_test_eal_prefix);
	argv[argc++] = (char *)(uintptr_t)name;
	argv[argc++] = (char *)(uintptr_t)"--no-huge";
	argv[argc++] = (char *)(uintptr_t)"-m";
	argv[argc++] = mem;
	argv[argc++] = (char *)(uintptr_t)"--no-pci";
	argv[argc++] = prefix;
	argv[argc++] = (char *)(uintptr_t)"--log-level=lib.eal:error";
	if (extra_vdev != NULL) {
		snprintf(vdev, sizeof(vdev), "--vdev=%s", extra_vdev);
		argv[argc++] = vdev;
	}
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "# rte_eal_init failed for %s\n", name);
		return -1;
	}
	atexit(lvdpa_test_eal_cleanup);
	return 0;
}

#endif /* LVDPA_TEST_EAL_H */
