/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_TRANSPORT_H
#define LVDPA_TRANSPORT_H

/**
 * @file
 * The hardware seam: how DevX command mailboxes reach a ConnectX device.
 *
 * Everything above this interface (the command layer, the PMD) is the same
 * for a real device and for the software model. The operations mirror
 * rdma-core's mlx5dv DevX calls one to one, at mailbox level: the command
 * layer encodes PRM big-endian input mailboxes, a transport delivers them and
 * returns the PRM output mailbox (status, syndrome, payload).
 *
 * Two transports exist: "rdma" (mlx5dv over an rdma-core device, for real
 * hardware) and "model" (the software model of drivers/common/lvdpa_model),
 * which registers itself from a constructor. The PMD picks one by name.
 *
 * All functions return 0 or a negative errno unless said otherwise. A command
 * the device refused is not a transport error: the transport returns 0 and
 * the output mailbox carries the status and syndrome, which the command layer
 * turns into an errno.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct lvdpa_transport_ops;

/** An opened device, as a transport hands it out. */
struct lvdpa_tp_dev {
	const struct lvdpa_transport_ops *ops;
	void *priv;
};

/** A DevX object (create/modify/query/destroy). */
struct lvdpa_tp_obj {
	struct lvdpa_tp_dev *dev;
	void *priv;
	uint32_t id;   /**< object id from the create output (obj_id / mkey index ...) */
};

/** A registered user memory (UMEM). */
struct lvdpa_tp_umem {
	struct lvdpa_tp_dev *dev;
	void *priv;
	uint32_t id;   /**< umem_id to put in mailboxes */
};

/** A doorbell page: UAR for event queues, VAR for virtq kicks. */
struct lvdpa_tp_db {
	struct lvdpa_tp_dev *dev;
	void *priv;
	uint32_t page_id;
};

/** An event channel: an fd that becomes readable when events wait. */
struct lvdpa_tp_evchan {
	struct lvdpa_tp_dev *dev;
	void *priv;
	int fd;
};

/** One event as read from a channel (mlx5dv_devx_async_event_hdr). */
struct lvdpa_tp_event {
	uint64_t cookie;     /**< cookie given at subscription */
	uint8_t type;        /**< PRM event type (e.g. completion, object change) */
	uint8_t data[60];    /**< PRM event data (EQE payload) */
};

struct lvdpa_transport_ops {
	const char *name;
	/**
	 * Open a device. @p device is the rdma-core device name (or "model"),
	 * @p params transport-specific key=value pairs (model capabilities),
	 * NULL for none.
	 */
	int (*open)(const char *device, const char *params, struct lvdpa_tp_dev **dev);
	void (*close)(struct lvdpa_tp_dev *dev);
	/** A command that creates no object (QUERY_HCA_CAP ...). */
	int (*general_cmd)(struct lvdpa_tp_dev *dev, const void *in, size_t inlen,
			   void *out, size_t outlen);
	/** Create an object; *obj is NULL when the device refused it (see out). */
	int (*obj_create)(struct lvdpa_tp_dev *dev, const void *in, size_t inlen,
			  void *out, size_t outlen, struct lvdpa_tp_obj **obj);
	int (*obj_modify)(struct lvdpa_tp_obj *obj, const void *in, size_t inlen,
			  void *out, size_t outlen);
	int (*obj_query)(struct lvdpa_tp_obj *obj, const void *in, size_t inlen,
			 void *out, size_t outlen);
	int (*obj_destroy)(struct lvdpa_tp_obj *obj);
	/** Register host memory the device may DMA to (mlx5dv_devx_umem_reg). */
	int (*umem_reg)(struct lvdpa_tp_dev *dev, void *addr, size_t size,
			uint32_t access, struct lvdpa_tp_umem **umem);
	int (*umem_dereg)(struct lvdpa_tp_umem *umem);
	/** Allocate the virtio doorbell page (mlx5dv_alloc_var). */
	int (*db_alloc)(struct lvdpa_tp_dev *dev, struct lvdpa_tp_db **db);
	void (*db_free)(struct lvdpa_tp_db *db);
	/** A 32-bit doorbell write at @p offset of the page (the virtq index). */
	void (*db_write)(struct lvdpa_tp_db *db, uint32_t offset, uint32_t value);
	/** Event channels (mlx5dv_devx_create_event_channel and friends). */
	int (*evchan_create)(struct lvdpa_tp_dev *dev, struct lvdpa_tp_evchan **ch);
	void (*evchan_destroy)(struct lvdpa_tp_evchan *ch);
	int (*evchan_subscribe)(struct lvdpa_tp_evchan *ch, struct lvdpa_tp_obj *obj,
				const uint16_t *event_types, unsigned int n,
				uint64_t cookie);
	/** Read one event: 1 when read, 0 when none waits, negative errno. */
	int (*evchan_read)(struct lvdpa_tp_evchan *ch, struct lvdpa_tp_event *ev);
	/*
	 * Optional operations (added by the command layer for the event path of
	 * real hardware); NULL when a transport has none, and the command layer
	 * then degrades as lvdpa_devx.h says.
	 */
	/** A UAR page (mlx5dv_devx_alloc_uar): page_id goes to CQ/QP uar_page. */
	int (*uar_alloc)(struct lvdpa_tp_dev *dev, struct lvdpa_tp_db **uar);
	void (*uar_free)(struct lvdpa_tp_db *uar);
	/** A 64-bit UAR write at @p offset, stored big-endian (the CQ arm doorbell). */
	void (*uar_write64)(struct lvdpa_tp_db *uar, uint32_t offset, uint64_t value);
	/** The EQ number of completion vector @p vector (mlx5dv_devx_query_eqn). */
	int (*query_eqn)(struct lvdpa_tp_dev *dev, uint32_t vector, uint32_t *eqn);
};

/** Make a transport available by name (called from constructors). */
void lvdpa_transport_register(const struct lvdpa_transport_ops *ops);

/** Find a transport by name, NULL (rte_errno = ENOENT) when unknown. */
const struct lvdpa_transport_ops *lvdpa_transport_find(const char *name);

/**
 * Open @p device: "model" selects the device model, any other name an
 * rdma-core device through the "rdma" transport.
 */
int lvdpa_transport_open(const char *device, const char *params,
			 struct lvdpa_tp_dev **dev);

/** Close a device opened by lvdpa_transport_open() (NULL is a no-op). */
void lvdpa_transport_close(struct lvdpa_tp_dev *dev);

#ifdef __cplusplus
}
#endif

#endif /* LVDPA_TRANSPORT_H */
