/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_DEVX_PRIV_H
#define LVDPA_DEVX_PRIV_H

/* Shared by the files of drivers/common/lvdpa only. */

#include <rte_log.h>

#include "lvdpa_transport.h"

extern int lvdpa_devx_logtype;

#define LVDPA_DEVX_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, lvdpa_devx_logtype, \
		"lvdpa devx: " fmt "\n", ##__VA_ARGS__)

#ifdef LVDPA_HAVE_MLX5DV
/* The rdma-core transport; the registry knows it without a constructor so
 * that a static link cannot drop it. */
extern const struct lvdpa_transport_ops lvdpa_transport_rdma_ops;
#endif

#endif /* LVDPA_DEVX_PRIV_H */
