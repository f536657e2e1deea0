/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef TEST_VHOST_VDPA_H
#define TEST_VHOST_VDPA_H

/*
 * Just enough of DPDK 22.11's vDPA driver interface (vdpa_driver.h and
 * dev_driver.h, which Debian does not ship) for a test to register a fake
 * vDPA device: the test then plays the driver that attaches lvdpa_vhost
 * to connections by itself, as the PMD does, while the "application"
 * knows nothing of the library. Layouts as in v22.11; the test only fills
 * the device name and the ops.
 */

#include <stdint.h>
#include <sys/queue.h>

#include <rte_vdpa.h>
#include <rte_vhost.h>

struct rte_driver;
struct rte_bus;
struct rte_devargs;

struct lvdpa_test_rte_device {
	TAILQ_ENTRY(lvdpa_test_rte_device) next;
	const char *name;
	const char *bus_info;
	const struct rte_driver *driver;
	const struct rte_bus *bus;
	int numa_node;
	struct rte_devargs *devargs;
};

struct lvdpa_test_vdpa_ops {
	int (*get_queue_num)(struct rte_vdpa_device *dev, uint32_t *queue_num);
	int (*get_features)(struct rte_vdpa_device *dev, uint64_t *features);
	int (*get_protocol_features)(struct rte_vdpa_device *dev,
			uint64_t *protocol_features);
	int (*dev_conf)(int vid);
	int (*dev_close)(int vid);
	int (*dev_cleanup)(int vid);
	int (*set_vring_state)(int vid, int vring, int state);
	int (*set_features)(int vid);
	int (*migration_done)(int vid);
	int (*get_vfio_group_fd)(int vid);
	int (*get_vfio_device_fd)(int vid);
	int (*get_notify_area)(int vid, int qid, uint64_t *offset,
			uint64_t *size);
	int (*get_stats_names)(struct rte_vdpa_device *dev,
			struct rte_vdpa_stat_name *stats_names,
			unsigned int size);
	int (*get_stats)(struct rte_vdpa_device *dev, int qid,
			struct rte_vdpa_stat *stats, unsigned int n);
	int (*reset_stats)(struct rte_vdpa_device *dev, int qid);
	int (*get_config)(int vid, uint8_t *config, uint32_t size);
	int (*set_config)(int vid, uint8_t *config, uint32_t offset,
			uint32_t size, uint32_t flags);
	int (*get_dev_type)(struct rte_vdpa_device *dev, uint32_t *type);
};

/* Exported by librte_vhost (version INTERNAL). */
struct rte_device;
struct rte_vdpa_dev_ops;
struct rte_vdpa_device *rte_vdpa_register_device(struct rte_device *rte_dev,
		struct rte_vdpa_dev_ops *ops);
int rte_vdpa_unregister_device(struct rte_vdpa_device *dev);

#endif /* TEST_VHOST_VDPA_H */
