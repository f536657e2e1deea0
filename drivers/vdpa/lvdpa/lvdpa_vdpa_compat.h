/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_VDPA_COMPAT_H
#define LVDPA_VDPA_COMPAT_H

/**
 * @file
 * The DPDK 22.11 driver-interface layouts lvdpa needs and Debian's
 * libdpdk-dev does not ship (no vdpa_driver.h, no bus_vdev_driver.h, no
 * dev_driver.h). Where the installed DPDK has the real header, it is used
 * instead. The layouts are those of the 22.11 ABI (DPDK_23); any other DPDK
 * would be silently miscompiled, so the build refuses it.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_version.h>
#include <rte_common.h>
#include <rte_compat.h>
#include <rte_dev.h>
#include <rte_bus_vdev.h>
#include <rte_vhost.h>
#include <rte_vdpa.h>

#if RTE_VERSION < RTE_VERSION_NUM(22, 11, 0, 0) || \
	RTE_VERSION >= RTE_VERSION_NUM(22, 12, 0, 0)
#error "lvdpa_vdpa_compat.h was written for the DPDK 22.11 ABI only"
#endif

#if __has_include(<vdpa_driver.h>)
#include <vdpa_driver.h>
#else
/* lib/vhost/vdpa_driver.h of 22.11: the ops table rte_vhost calls. */
#define RTE_VHOST_QUEUE_ALL UINT16_MAX

struct rte_vdpa_dev_ops {
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
	int (*get_notify_area)(int vid, int qid, uint64_t *offset, uint64_t *size);
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

__rte_internal
struct rte_vdpa_device *
rte_vdpa_register_device(struct rte_device *rte_dev, struct rte_vdpa_dev_ops *ops);

__rte_internal
int rte_vdpa_unregister_device(struct rte_vdpa_device *dev);

__rte_internal
int rte_vhost_host_notifier_ctrl(int vid, uint16_t qid, bool enable);
#endif /* vdpa_driver.h */

#if __has_include(<bus_vdev_driver.h>)
#include <bus_vdev_driver.h>
#else
/* lib/eal/include/dev_driver.h of 22.11: only rte_driver is needed. */
struct rte_driver {
	RTE_TAILQ_ENTRY(rte_driver) next;
	const char *name;
	const char *alias;
};

/*
 * drivers/bus/vdev/bus_vdev_driver.h of 22.11. struct rte_device is opaque
 * in the public headers; the vdev device embeds it right after its list
 * entry, so lvdpa_compat_vdev_to_dev() gives its address without its layout.
 */
struct rte_vdev_device;

typedef int (rte_vdev_probe_t)(struct rte_vdev_device *dev);
typedef int (rte_vdev_remove_t)(struct rte_vdev_device *dev);
typedef int (rte_vdev_dma_map_t)(struct rte_vdev_device *dev, void *addr,
				 uint64_t iova, size_t len);
typedef int (rte_vdev_dma_unmap_t)(struct rte_vdev_device *dev, void *addr,
				   uint64_t iova, size_t len);

struct rte_vdev_driver {
	RTE_TAILQ_ENTRY(rte_vdev_driver) next;
	struct rte_driver driver;
	rte_vdev_probe_t *probe;
	rte_vdev_remove_t *remove;
	rte_vdev_dma_map_t *dma_map;
	rte_vdev_dma_unmap_t *dma_unmap;
	uint32_t drv_flags;
};

__rte_internal
void rte_vdev_register(struct rte_vdev_driver *driver);
__rte_internal
void rte_vdev_unregister(struct rte_vdev_driver *driver);

struct lvdpa_compat_vdev_head {
	RTE_TAILQ_ENTRY(rte_vdev_device) next;
};

static inline struct rte_device *
lvdpa_compat_vdev_to_dev(struct rte_vdev_device *vdev)
{
	return (struct rte_device *)
		((char *)vdev + sizeof(struct lvdpa_compat_vdev_head));
}
#endif /* bus_vdev_driver.h */

#endif /* LVDPA_VDPA_COMPAT_H */
