/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef TEST_VHOST_VDPA_H
#define TEST_VHOST_VDPA_H

/*
 * A fake vDPA device for tests: the test plays the driver that attaches
 * lvdpa_vhost to connections by itself, as the PMD does, while the
 * "application" knows nothing of the library. The ops table and the
 * registration call come from the PMD's compat header (one place for the
 * 22.11 layouts); struct rte_device is opaque in the public headers, so the
 * fake device spells out its 22.11 layout here, of which rte_vhost reads
 * only the name.
 */

#include <sys/queue.h>

#include <lvdpa_vdpa_compat.h>

struct lvdpa_test_rte_device {
	TAILQ_ENTRY(lvdpa_test_rte_device) next;
	const char *name;
	const struct rte_driver *driver;
	const struct rte_bus *bus;
	int numa_node;
	struct rte_devargs *devargs;
};

#endif /* TEST_VHOST_VDPA_H */
