/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The registry of transports. Transports register from constructors, which
 * run before main(), so a small fixed table under a mutex is enough; the
 * rdma transport is built in (when rdma-core's mlx5dv was found) and needs
 * no registration.
 */

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <rte_errno.h>

#include "lvdpa_devx_priv.h"
#include "lvdpa_transport.h"

#define LVDPA_TRANSPORT_MAX 8

static pthread_mutex_t lvdpa_transport_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct lvdpa_transport_ops *lvdpa_transports[LVDPA_TRANSPORT_MAX];

void
lvdpa_transport_register(const struct lvdpa_transport_ops *ops)
{
	unsigned int i, free_slot = LVDPA_TRANSPORT_MAX;

	if (ops == NULL || ops->name == NULL || ops->open == NULL) {
		LVDPA_DEVX_LOG(ERR, "refusing a transport without name or open");
		return;
	}
	pthread_mutex_lock(&lvdpa_transport_lock);
	for (i = 0; i < LVDPA_TRANSPORT_MAX; i++) {
		if (lvdpa_transports[i] == NULL) {
			if (free_slot == LVDPA_TRANSPORT_MAX)
				free_slot = i;
			continue;
		}
		if (strcmp(lvdpa_transports[i]->name, ops->name) == 0) {
			/* Same name again (a test re-registering): the last wins. */
			lvdpa_transports[i] = ops;
			pthread_mutex_unlock(&lvdpa_transport_lock);
			return;
		}
	}
	if (free_slot < LVDPA_TRANSPORT_MAX)
		lvdpa_transports[free_slot] = ops;
	pthread_mutex_unlock(&lvdpa_transport_lock);
	if (free_slot == LVDPA_TRANSPORT_MAX)
		LVDPA_DEVX_LOG(ERR, "no room to register transport %s", ops->name);
}

const struct lvdpa_transport_ops *
lvdpa_transport_find(const char *name)
{
	const struct lvdpa_transport_ops *found = NULL;
	unsigned int i;

	if (name == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&lvdpa_transport_lock);
	for (i = 0; i < LVDPA_TRANSPORT_MAX && found == NULL; i++)
		if (lvdpa_transports[i] != NULL &&
		    strcmp(lvdpa_transports[i]->name, name) == 0)
			found = lvdpa_transports[i];
	pthread_mutex_unlock(&lvdpa_transport_lock);
#ifdef LVDPA_HAVE_MLX5DV
	if (found == NULL && strcmp(name, lvdpa_transport_rdma_ops.name) == 0)
		found = &lvdpa_transport_rdma_ops;
#endif
	if (found == NULL)
		rte_errno = ENOENT;
	return found;
}

int
lvdpa_transport_open(const char *device, const char *params,
		     struct lvdpa_tp_dev **dev)
{
	const struct lvdpa_transport_ops *ops;
	const char *name;
	int ret;

	if (device == NULL || dev == NULL) {
		rte_errno = EINVAL;
		return -EINVAL;
	}
	*dev = NULL;
	name = strcmp(device, "model") == 0 ? "model" : "rdma";
	ops = lvdpa_transport_find(name);
	if (ops == NULL) {
		if (strcmp(name, "rdma") == 0)
			LVDPA_DEVX_LOG(ERR,
				"cannot open device \"%s\": lvdpa was built without rdma-core mlx5dv (no \"rdma\" transport)",
				device);
		else
			LVDPA_DEVX_LOG(ERR,
				"cannot open device \"%s\": the \"model\" transport is not linked in",
				device);
		rte_errno = ENODEV;
		return -ENODEV;
	}
	ret = ops->open(device, params, dev);
	if (ret > 0)
		ret = -ret;
	if (ret == 0 && *dev == NULL)
		ret = -EIO;
	if (ret < 0) {
		*dev = NULL;
		rte_errno = -ret;
		return ret;
	}
	if ((*dev)->ops == NULL)
		(*dev)->ops = ops;
	return 0;
}

void
lvdpa_transport_close(struct lvdpa_tp_dev *dev)
{
	if (dev != NULL && dev->ops != NULL && dev->ops->close != NULL)
		dev->ops->close(dev);
}
