/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Fuzz target: the PMD's devargs, through the entry a user has: the input
 * is the argument string of a vdev ("--vdev lvdpa0,<input>"), probed with
 * rte_vdev_init() and removed with rte_vdev_uninit(). The parser is the
 * first thing probe runs; arguments it accepts go on to open the device
 * model and create what they ask for (queues, event thread), so valid
 * combinations are exercised end to end and released again.
 *
 * Invariants: no crash; probe fails with a negative errno and leaves no
 * vDPA device behind, or succeeds with exactly one that removal takes
 * away; no file descriptor is left open either way.
 */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_log.h>
#include <rte_vdpa.h>

#include "lvdpa_test_eal.h"

#define LVDPA_FUZZ_DEV "lvdpa_fuzz0"
#define LVDPA_FUZZ_MAX_ARGS 512

#define LVDPA_FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_devargs: invariant failed: %s (line %d)\n", \
			#cond, __LINE__); \
		abort(); \
	} \
} while (0)

static unsigned int
lvdpa_fuzz_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned int n = 0;

	LVDPA_FUZZ_CHECK(d != NULL);
	while ((e = readdir(d)) != NULL)
		n++;
	closedir(d);
	return n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* Enough memory for small queue sets; big ones fail with ENOMEM. */
	if (lvdpa_test_eal_init("fuzz-devargs", 256, NULL) != 0)
		exit(1);
	if (getenv("LVDPA_FUZZ_LOG") == NULL)
		rte_log_set_global_level(RTE_LOG_EMERG);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char args[LVDPA_FUZZ_MAX_ARGS + 1];
	unsigned int fds;
	int rc;

	if (size > LVDPA_FUZZ_MAX_ARGS)
		return 0;
	memcpy(args, data, size);
	args[size] = '\0';
	fds = lvdpa_fuzz_count_fds();
	rc = rte_vdev_init(LVDPA_FUZZ_DEV, args);
	if (rc == 0) {
		LVDPA_FUZZ_CHECK(rte_vdpa_find_device_by_name(LVDPA_FUZZ_DEV) != NULL);
		LVDPA_FUZZ_CHECK(rte_vdev_uninit(LVDPA_FUZZ_DEV) == 0);
	} else {
		LVDPA_FUZZ_CHECK(rc < 0 && rc > -4096);
	}
	LVDPA_FUZZ_CHECK(rte_vdpa_find_device_by_name(LVDPA_FUZZ_DEV) == NULL);
	LVDPA_FUZZ_CHECK(lvdpa_fuzz_count_fds() == fds);
	return 0;
}
