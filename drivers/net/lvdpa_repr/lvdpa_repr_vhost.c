/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The guest's socket, for applications that have no vDPA port type (OVS
 * 3.1): with vdpa=<device> and vhost=<path> the representor serves a
 * vhost-user socket at <path> and attaches the lvdpa vDPA device to it, as
 * DPDK's vdpa sample application would, for as long as the port exists. The
 * rings are then served by the device (the model), and the representor is
 * the port through which the switch sees the guest.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_vdpa.h>
#include <rte_vhost.h>

#include "lvdpa_repr.h"

static int
lvdpa_repr_vhost_new(int vid)
{
	return 0;
}

static void
lvdpa_repr_vhost_destroy(int vid)
{
}

static const struct rte_vhost_device_ops lvdpa_repr_vhost_ops = {
	.new_device = lvdpa_repr_vhost_new,
	.destroy_device = lvdpa_repr_vhost_destroy,
};

int
lvdpa_repr_vhost_start(struct lvdpa_repr_priv *priv, const char *vdpa, const char *path)
{
	struct rte_vdpa_device *dev = rte_vdpa_find_device_by_name(vdpa);
	int rc;

	if (dev == NULL) {
		LVDPA_REPR_LOG(ERR, "vdpa=%s: no such vDPA device", vdpa);
		return -ENODEV;
	}
	if (strlen(path) >= sizeof(priv->vhost_path)) {
		LVDPA_REPR_LOG(ERR, "vhost=%s: path too long", path);
		return -ENAMETOOLONG;
	}
	rc = rte_vhost_driver_register(path, 0);
	if (rc != 0) {
		LVDPA_REPR_LOG(ERR, "vhost=%s: cannot register the socket", path);
		return -EINVAL;
	}
	rc = rte_vhost_driver_attach_vdpa_device(path, dev);
	if (rc == 0)
		rc = rte_vhost_driver_callback_register(path, &lvdpa_repr_vhost_ops);
	if (rc == 0)
		rc = rte_vhost_driver_start(path);
	if (rc != 0) {
		LVDPA_REPR_LOG(ERR, "vhost=%s: cannot serve %s on it", path, vdpa);
		rte_vhost_driver_unregister(path);
		unlink(path);
		return -EINVAL;
	}
	strcpy(priv->vhost_path, path);
	return 0;
}

void
lvdpa_repr_vhost_stop(struct lvdpa_repr_priv *priv)
{
	int i;

	if (priv->vhost_path[0] == '\0')
		return;
	/* A closing connection makes unregister fail for a moment: retry. */
	for (i = 0; i < 200 && rte_vhost_driver_unregister(priv->vhost_path) != 0; i++)
		usleep(10000);
	unlink(priv->vhost_path);
	priv->vhost_path[0] = '\0';
}
