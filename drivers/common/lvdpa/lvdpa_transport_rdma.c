/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The "rdma" transport: DevX through rdma-core's mlx5dv on a ConnectX
 * device. This is the only file that calls rdma-core.
 *
 * UNTESTED AGAINST HARDWARE: the development and CI machines have no
 * ConnectX device, so only the failure path of open (no such device) is
 * exercised by the tests. Everything else follows the mlx5dv contracts:
 * - a command the firmware refused comes back as an error (EREMOTEIO from
 *   the kernel) with the output mailbox filled; that is not a transport
 *   error, so it returns 0 and lets the command layer read the status;
 * - the VAR page is mmap()ed from the context's command fd at the offset
 *   mlx5dv_alloc_var() gives;
 * - a DevX event is a cookie followed by the 64-byte EQE.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <infiniband/mlx5dv.h>
#include <infiniband/verbs.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_io.h>

#include "lvdpa_devx_priv.h"
#include "lvdpa_prm.h"
#include "lvdpa_transport.h"

struct lvdpa_rdma_dev {
	struct lvdpa_tp_dev tp;
	struct ibv_context *ctx;
	char name[IBV_SYSFS_NAME_MAX];
};

struct lvdpa_rdma_db {
	struct lvdpa_tp_db tp;
	struct mlx5dv_var *var;
	void *addr;
};

struct lvdpa_rdma_evchan {
	struct lvdpa_tp_evchan tp;
	struct mlx5dv_devx_event_channel *ch;
};

static struct ibv_context *
lvdpa_rdma_ctx(struct lvdpa_tp_dev *dev)
{
	return ((struct lvdpa_rdma_dev *)dev->priv)->ctx;
}

/* A refusal by the firmware arrives as a failed call with a filled output. */
static int
lvdpa_rdma_cmd_rc(int err, const void *out, size_t outlen)
{
	if (out != NULL && outlen >= LVDPA_PRM_CMD_HDR_BYTES &&
	    lvdpa_prm_get(out, LVDPA_PRM_OUT_STATUS) != 0)
		return 0;
	return err > 0 ? -err : -EIO;
}

static int
lvdpa_rdma_open(const char *device, const char *params, struct lvdpa_tp_dev **dev)
{
	struct mlx5dv_context_attr attr = { .flags = MLX5DV_CONTEXT_FLAGS_DEVX };
	struct ibv_device **list, *found = NULL;
	struct lvdpa_rdma_dev *rdev;
	char names[256];
	size_t used = 0;
	int n = 0, i, err;

	(void)params;
	*dev = NULL;
	names[0] = '\0';
	list = ibv_get_device_list(&n);
	if (list == NULL) {
		err = errno ? errno : ENODEV;
		LVDPA_DEVX_LOG(ERR, "rdma: no RDMA device named \"%s\" (found: none, listing failed: %s)",
			       device, strerror(err));
		return -ENODEV;
	}
	for (i = 0; i < n; i++) {
		const char *nm = ibv_get_device_name(list[i]);

		if (nm == NULL)
			continue;
		if (used < sizeof(names))
			used += snprintf(names + used, sizeof(names) - used,
					 "%s%s", used ? ", " : "", nm);
		if (found == NULL && strcmp(nm, device) == 0)
			found = list[i];
	}
	if (found == NULL) {
		LVDPA_DEVX_LOG(ERR, "rdma: no RDMA device named \"%s\" (found %d: %s)",
			       device, n, n ? names : "none");
		ibv_free_device_list(list);
		return -ENODEV;
	}
	if (!mlx5dv_is_supported(found)) {
		LVDPA_DEVX_LOG(ERR, "rdma: device \"%s\" is not an mlx5 (ConnectX) device",
			       device);
		ibv_free_device_list(list);
		return -ENODEV;
	}
	rdev = calloc(1, sizeof(*rdev));
	if (rdev == NULL) {
		ibv_free_device_list(list);
		return -ENOMEM;
	}
	errno = 0;
	rdev->ctx = mlx5dv_open_device(found, &attr);
	err = errno;
	ibv_free_device_list(list);
	if (rdev->ctx == NULL) {
		LVDPA_DEVX_LOG(ERR, "rdma: cannot open \"%s\" with DevX: %s",
			       device, strerror(err ? err : ENODEV));
		free(rdev);
		return err ? -err : -ENODEV;
	}
	snprintf(rdev->name, sizeof(rdev->name), "%s", device);
	rdev->tp.ops = &lvdpa_transport_rdma_ops;
	rdev->tp.priv = rdev;
	*dev = &rdev->tp;
	return 0;
}

static void
lvdpa_rdma_close(struct lvdpa_tp_dev *dev)
{
	struct lvdpa_rdma_dev *rdev;

	if (dev == NULL)
		return;
	rdev = dev->priv;
	if (ibv_close_device(rdev->ctx) != 0)
		LVDPA_DEVX_LOG(ERR, "rdma: closing \"%s\" failed", rdev->name);
	free(rdev);
}

static int
lvdpa_rdma_general_cmd(struct lvdpa_tp_dev *dev, const void *in, size_t inlen,
		       void *out, size_t outlen)
{
	int ret = mlx5dv_devx_general_cmd(lvdpa_rdma_ctx(dev), in, inlen, out, outlen);

	return ret == 0 ? 0 : lvdpa_rdma_cmd_rc(ret, out, outlen);
}

static int
lvdpa_rdma_obj_create(struct lvdpa_tp_dev *dev, const void *in, size_t inlen,
		      void *out, size_t outlen, struct lvdpa_tp_obj **obj)
{
	struct mlx5dv_devx_obj *dobj;
	struct lvdpa_tp_obj *o;
	int err;

	*obj = NULL;
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		return -ENOMEM;
	errno = 0;
	dobj = mlx5dv_devx_obj_create(lvdpa_rdma_ctx(dev), in, inlen, out, outlen);
	if (dobj == NULL) {
		err = errno;
		free(o);
		return lvdpa_rdma_cmd_rc(err, out, outlen);
	}
	o->dev = dev;
	o->priv = dobj;
	/* Ids sit at 0x40 (general objects) or 0x48 (24 bits); the command layer decodes. */
	o->id = (uint32_t)lvdpa_prm_get(out, LVDPA_PRM_GOBJ_OUT_OBJ_ID);
	*obj = o;
	return 0;
}

static int
lvdpa_rdma_obj_modify(struct lvdpa_tp_obj *obj, const void *in, size_t inlen,
		      void *out, size_t outlen)
{
	int ret = mlx5dv_devx_obj_modify(obj->priv, in, inlen, out, outlen);

	return ret == 0 ? 0 : lvdpa_rdma_cmd_rc(ret, out, outlen);
}

static int
lvdpa_rdma_obj_query(struct lvdpa_tp_obj *obj, const void *in, size_t inlen,
		     void *out, size_t outlen)
{
	int ret = mlx5dv_devx_obj_query(obj->priv, in, inlen, out, outlen);

	return ret == 0 ? 0 : lvdpa_rdma_cmd_rc(ret, out, outlen);
}

static int
lvdpa_rdma_obj_destroy(struct lvdpa_tp_obj *obj)
{
	int ret = mlx5dv_devx_obj_destroy(obj->priv);

	free(obj);
	return ret == 0 ? 0 : -(ret > 0 ? ret : EIO);
}

static int
lvdpa_rdma_umem_reg(struct lvdpa_tp_dev *dev, void *addr, size_t size,
		    uint32_t access, struct lvdpa_tp_umem **umem)
{
	struct mlx5dv_devx_umem *du;
	struct lvdpa_tp_umem *u;
	int err;

	*umem = NULL;
	u = calloc(1, sizeof(*u));
	if (u == NULL)
		return -ENOMEM;
	errno = 0;
	du = mlx5dv_devx_umem_reg(lvdpa_rdma_ctx(dev), addr, size, access);
	if (du == NULL) {
		err = errno ? errno : EIO;
		free(u);
		return -err;
	}
	u->dev = dev;
	u->priv = du;
	u->id = du->umem_id;
	*umem = u;
	return 0;
}

static int
lvdpa_rdma_umem_dereg(struct lvdpa_tp_umem *umem)
{
	int ret = mlx5dv_devx_umem_dereg(umem->priv);

	free(umem);
	return ret == 0 ? 0 : -(ret > 0 ? ret : EIO);
}

static int
lvdpa_rdma_db_alloc(struct lvdpa_tp_dev *dev, struct lvdpa_tp_db **db)
{
	struct ibv_context *ctx = lvdpa_rdma_ctx(dev);
	struct lvdpa_rdma_db *rdb;
	int err;

	*db = NULL;
	rdb = calloc(1, sizeof(*rdb));
	if (rdb == NULL)
		return -ENOMEM;
	errno = 0;
	rdb->var = mlx5dv_alloc_var(ctx, 0);
	if (rdb->var == NULL) {
		err = errno ? errno : EIO;
		free(rdb);
		return -err;
	}
	rdb->addr = mmap(NULL, rdb->var->length, PROT_READ | PROT_WRITE,
			 MAP_SHARED, ctx->cmd_fd, rdb->var->mmap_off);
	if (rdb->addr == MAP_FAILED) {
		err = errno;
		mlx5dv_free_var(rdb->var);
		free(rdb);
		return -err;
	}
	rdb->tp.dev = dev;
	rdb->tp.priv = rdb;
	rdb->tp.page_id = rdb->var->page_id;
	*db = &rdb->tp;
	return 0;
}

static void
lvdpa_rdma_db_free(struct lvdpa_tp_db *db)
{
	struct lvdpa_rdma_db *rdb = db->priv;

	munmap(rdb->addr, rdb->var->length);
	mlx5dv_free_var(rdb->var);
	free(rdb);
}

static void
lvdpa_rdma_db_write(struct lvdpa_tp_db *db, uint32_t offset, uint32_t value)
{
	struct lvdpa_rdma_db *rdb = db->priv;

	if (offset > rdb->var->length - sizeof(uint32_t) || (offset & 3) != 0)
		return;
	/* The doorbell takes the queue index in CPU order, as DPDK writes it. */
	rte_write32(value, (uint8_t *)rdb->addr + offset);
}

static int
lvdpa_rdma_evchan_create(struct lvdpa_tp_dev *dev, struct lvdpa_tp_evchan **ch)
{
	struct lvdpa_rdma_evchan *rch;
	int flags, err;

	*ch = NULL;
	rch = calloc(1, sizeof(*rch));
	if (rch == NULL)
		return -ENOMEM;
	errno = 0;
	/* Keep the event data: object-change events carry obj type and id. */
	rch->ch = mlx5dv_devx_create_event_channel(lvdpa_rdma_ctx(dev), 0);
	if (rch->ch == NULL) {
		err = errno ? errno : EIO;
		free(rch);
		return -err;
	}
	/* Reads must not block: "no event" is an answer. */
	flags = fcntl(rch->ch->fd, F_GETFL);
	if (flags < 0 || fcntl(rch->ch->fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		err = errno;
		mlx5dv_devx_destroy_event_channel(rch->ch);
		free(rch);
		return -err;
	}
	rch->tp.dev = dev;
	rch->tp.priv = rch;
	rch->tp.fd = rch->ch->fd;
	*ch = &rch->tp;
	return 0;
}

static void
lvdpa_rdma_evchan_destroy(struct lvdpa_tp_evchan *ch)
{
	struct lvdpa_rdma_evchan *rch = ch->priv;

	mlx5dv_devx_destroy_event_channel(rch->ch);
	free(rch);
}

static int
lvdpa_rdma_evchan_subscribe(struct lvdpa_tp_evchan *ch, struct lvdpa_tp_obj *obj,
			    const uint16_t *event_types, unsigned int n,
			    uint64_t cookie)
{
	struct lvdpa_rdma_evchan *rch = ch->priv;
	uint16_t types[16];
	int ret;

	if (n == 0 || n > RTE_DIM(types))
		return -EINVAL;
	memcpy(types, event_types, n * sizeof(types[0]));
	ret = mlx5dv_devx_subscribe_devx_event(rch->ch,
					       obj != NULL ? obj->priv : NULL,
					       (uint16_t)(n * sizeof(types[0])),
					       types, cookie);
	return ret == 0 ? 0 : -(ret > 0 ? ret : EIO);
}

static int
lvdpa_rdma_evchan_read(struct lvdpa_tp_evchan *ch, struct lvdpa_tp_event *ev)
{
	struct lvdpa_rdma_evchan *rch = ch->priv;
	union {
		struct mlx5dv_devx_async_event_hdr hdr;
		uint8_t buf[sizeof(struct mlx5dv_devx_async_event_hdr) + 128];
	} u;
	const size_t hdr = sizeof(struct mlx5dv_devx_async_event_hdr);
	ssize_t got;

	got = mlx5dv_devx_get_event(rch->ch, &u.hdr, sizeof(u));
	if (got < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	if ((size_t)got < hdr)
		return -EIO;
	memset(ev, 0, sizeof(*ev));
	ev->cookie = u.hdr.cookie;
	if ((size_t)got >= hdr + LVDPA_PRM_EQE_BYTES) {
		const uint8_t *eqe = u.buf + hdr;

		ev->type = (uint8_t)lvdpa_prm_get(eqe, LVDPA_PRM_EQE_TYPE);
		memcpy(ev->data, eqe + LVDPA_PRM_EQE_TP_DATA_OFF, sizeof(ev->data));
	}
	return 1;
}

static int
lvdpa_rdma_uar_alloc(struct lvdpa_tp_dev *dev, struct lvdpa_tp_db **uar)
{
	struct mlx5dv_devx_uar *du;
	struct lvdpa_tp_db *u;
	int err;

	*uar = NULL;
	u = calloc(1, sizeof(*u));
	if (u == NULL)
		return -ENOMEM;
	/* Non-cached first, as CQ arming needs no write combining. */
	errno = 0;
	du = mlx5dv_devx_alloc_uar(lvdpa_rdma_ctx(dev), MLX5DV_UAR_ALLOC_TYPE_NC);
	if (du == NULL)
		du = mlx5dv_devx_alloc_uar(lvdpa_rdma_ctx(dev), MLX5DV_UAR_ALLOC_TYPE_BF);
	if (du == NULL) {
		err = errno ? errno : EIO;
		free(u);
		return -err;
	}
	u->dev = dev;
	u->priv = du;
	u->page_id = du->page_id;
	*uar = u;
	return 0;
}

static void
lvdpa_rdma_uar_free(struct lvdpa_tp_db *uar)
{
	mlx5dv_devx_free_uar(uar->priv);
	free(uar);
}

static void
lvdpa_rdma_uar_write64(struct lvdpa_tp_db *uar, uint32_t offset, uint64_t value)
{
	struct mlx5dv_devx_uar *du = uar->priv;

	/* One 64-bit store of the big-endian image, as the device latches it. */
	*(volatile uint64_t *)((uint8_t *)du->base_addr + offset) =
		rte_cpu_to_be_64(value);
}

static int
lvdpa_rdma_query_eqn(struct lvdpa_tp_dev *dev, uint32_t vector, uint32_t *eqn)
{
	int ret = mlx5dv_devx_query_eqn(lvdpa_rdma_ctx(dev), vector, eqn);

	return ret == 0 ? 0 : -(ret > 0 ? ret : EIO);
}

const struct lvdpa_transport_ops lvdpa_transport_rdma_ops = {
	.name = "rdma",
	.open = lvdpa_rdma_open,
	.close = lvdpa_rdma_close,
	.general_cmd = lvdpa_rdma_general_cmd,
	.obj_create = lvdpa_rdma_obj_create,
	.obj_modify = lvdpa_rdma_obj_modify,
	.obj_query = lvdpa_rdma_obj_query,
	.obj_destroy = lvdpa_rdma_obj_destroy,
	.umem_reg = lvdpa_rdma_umem_reg,
	.umem_dereg = lvdpa_rdma_umem_dereg,
	.db_alloc = lvdpa_rdma_db_alloc,
	.db_free = lvdpa_rdma_db_free,
	.db_write = lvdpa_rdma_db_write,
	.evchan_create = lvdpa_rdma_evchan_create,
	.evchan_destroy = lvdpa_rdma_evchan_destroy,
	.evchan_subscribe = lvdpa_rdma_evchan_subscribe,
	.evchan_read = lvdpa_rdma_evchan_read,
	.uar_alloc = lvdpa_rdma_uar_alloc,
	.uar_free = lvdpa_rdma_uar_free,
	.uar_write64 = lvdpa_rdma_uar_write64,
	.query_eqn = lvdpa_rdma_query_eqn,
};
