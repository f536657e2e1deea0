/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_VHOST_H
#define LVDPA_VHOST_H

/**
 * @file
 * Legacy (virtio 0.9.5) negotiation on top of DPDK 22.11's rte_vhost.
 *
 * rte_vhost serves modern guests; this library adds, through rte_vhost's
 * public hooks only (extern pre/post message handlers, socket feature
 * setters, vDPA ops), what legacy guests need:
 * - VHOST_USER_PROTOCOL_F_CROSS_ENDIAN and VHOST_USER_SET_VRING_ENDIAN,
 *   with a device-wide view of the guest's byte order;
 * - feature tracking that accepts zero features, treats set_features(0)
 *   and device resets (RESET_OWNER, SET_STATUS 0) as resets, and tells
 *   whether features were set at all;
 * - config-space access that never sets features and presents fields in
 *   a legacy guest's own byte order;
 * - the host's memory ordering, so that a driver can decide whether the
 *   hardware may serve a legacy ring.
 *
 * Two ways to attach:
 * - a vDPA driver calls lvdpa_vhost_attach_vdpa() (or
 *   lvdpa_vhost_on_new_connection() for a vid it knows) from its
 *   get_features op and lvdpa_vhost_on_cleanup() from dev_cleanup: the
 *   application needs to know nothing of this library;
 * - an application calls lvdpa_vhost_attach() for a socket and
 *   lvdpa_vhost_driver_callback_register() instead of
 *   rte_vhost_driver_callback_register().
 *
 * rte_vhost keeps a single extern-callback slot per connection. An
 * application that wants its own pre/post handlers registers them with
 * lvdpa_vhost_extern_callback_register(): they run after ours, chained.
 * A direct rte_vhost_extern_callback_register() replaces ours (rte_vhost
 * offers no way to read the slot) and legacy support is lost for that
 * connection.
 *
 * Functions return 0 or a negative errno value unless said otherwise.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_vhost.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rte_vdpa_device;

/** vhost-user protocol feature bit for SET_VRING_ENDIAN (rte_vhost lacks it). */
#define LVDPA_VHOST_PROTOCOL_F_CROSS_ENDIAN 6
/** vhost-user request 23, SET_VRING_ENDIAN. */
#define LVDPA_VHOST_USER_SET_VRING_ENDIAN 23
/** Vrings tracked per connection (rte_vhost's VHOST_MAX_VRING). */
#define LVDPA_VHOST_MAX_VRINGS 256
/** Largest config space served (vhost-user's VHOST_USER_MAX_CONFIG_SIZE). */
#define LVDPA_VHOST_MAX_CONFIG_SIZE 256

/** Byte order of a ring or a device; values as on the wire of request 23. */
enum lvdpa_vhost_endian {
	LVDPA_VHOST_ENDIAN_LITTLE = 0,
	LVDPA_VHOST_ENDIAN_BIG = 1,
};

/** Memory ordering of the host CPU as seen by a device doing DMA. */
enum lvdpa_vhost_order {
	LVDPA_VHOST_ORDER_AUTO = 0,	/**< only for lvdpa_vhost_set_host_order() */
	LVDPA_VHOST_ORDER_STRONG,	/**< x86: stores are seen in order */
	LVDPA_VHOST_ORDER_WEAK,		/**< arm64, ppc64: barriers needed */
};

/** What the attached driver (or application) can serve. */
struct lvdpa_vhost_caps {
	/**
	 * A big-endian ring may be accepted: the driver swaps (e.g. a
	 * software relay). Without it SET_VRING_ENDIAN big endian is refused
	 * (rte_vhost's own datapath and the hardware are little endian only).
	 * CROSS_ENDIAN is offered either way, so that a refusal is explicit.
	 */
	bool can_serve_big_endian;
};

/** What a guest negotiated on one connection (see lvdpa_vhost_get_state()). */
struct lvdpa_vhost_state {
	uint64_t features;		/**< virtio features: 0 until set, and
					 * after a reset; never bit 30 */
	uint64_t vhost_features;	/**< the SET_FEATURES word as sent:
					 * features plus the vhost-user bit 30
					 * (VHOST_USER_F_PROTOCOL_FEATURES) */
	uint64_t protocol_features;	/**< as negotiated by rte_vhost */
	bool features_set;		/**< SET_FEATURES seen since last reset */
	bool legacy;			/**< VIRTIO_F_VERSION_1 absent */
	bool cross_endian;		/**< CROSS_ENDIAN negotiated */
	bool endian_mixed;		/**< known vrings disagree */
	uint16_t hdr_len;		/**< virtio-net header: 10 or 12 */
	uint16_t nr_vrings;		/**< entries of vring_endian that apply */
	enum lvdpa_vhost_endian device_endian; /**< guest's, device-wide */
	enum lvdpa_vhost_order host_order; /**< STRONG or WEAK */
	uint32_t config_before_features; /**< GET/SET_CONFIG before features */
	uint32_t resets;		/**< resets seen (RESET_OWNER, status 0) */
	/** Effective byte order of each vring (LE when VERSION_1). */
	uint8_t vring_endian[LVDPA_VHOST_MAX_VRINGS];
	/** Bit per vring: byte order set explicitly by SET_VRING_ENDIAN. */
	uint64_t vring_endian_set[LVDPA_VHOST_MAX_VRINGS / 64];
	/** Bit per vring: started (kick received, not stopped since). */
	uint64_t vring_running[LVDPA_VHOST_MAX_VRINGS / 64];
};

/** Direction of lvdpa_vhost_config_access(). */
enum lvdpa_vhost_config_dir {
	LVDPA_VHOST_CONFIG_READ,	/**< device config -> guest buffer */
	LVDPA_VHOST_CONFIG_WRITE,	/**< guest buffer -> device config */
};

/* --- Application side: sockets --- */

/**
 * Attach the library to a registered vhost-user socket (after
 * rte_vhost_driver_register(), before rte_vhost_driver_start()): records
 * @p caps for its connections and offers CROSS_ENDIAN on it. Connections
 * are attached by lvdpa_vhost_driver_callback_register()'s wrapper, or by
 * a vDPA driver. @p caps NULL means no big-endian rings.
 */
int lvdpa_vhost_attach(const char *path, const struct lvdpa_vhost_caps *caps);

/**
 * Forget a socket attached with lvdpa_vhost_attach(), after
 * rte_vhost_driver_unregister(): from then on the wrapper of
 * lvdpa_vhost_driver_callback_register() no longer reaches the
 * application's ops.
 */
int lvdpa_vhost_detach(const char *path);

/**
 * rte_vhost_driver_callback_register() with the library in the chain: its
 * new_connection attaches each connection before any message is read,
 * destroy_connection detaches it; every op of @p ops is then called.
 * The socket must have been attached with lvdpa_vhost_attach().
 */
int lvdpa_vhost_driver_callback_register(const char *path,
		const struct rte_vhost_device_ops *ops);

/**
 * Register an application's extern pre/post handlers on @p vid behind the
 * library's: ours run first, the application's see every message that
 * ours leave NOT_HANDLED (pre) and every message (post). Replaces the
 * application's previous ones. Attaches @p vid if it is not yet.
 */
int lvdpa_vhost_extern_callback_register(int vid,
		const struct rte_vhost_user_extern_ops *ops, void *ctx);

/* --- Driver side: connections --- */

/**
 * Attach to connection @p vid (idempotent while the connection lives).
 * For a driver, from the first op it sees for a connection (get_features
 * during GET_FEATURES). @p caps NULL: those of the socket's
 * lvdpa_vhost_attach(), else none.
 */
int lvdpa_vhost_on_new_connection(int vid, const struct lvdpa_vhost_caps *caps);

/**
 * Attach every connection of @p vdev not attached yet. Safe from the
 * vDPA get_features op (it calls no rte_vhost_driver_*() function). Empty
 * vids are probed with rte_vhost's log quieted. Returns the number of
 * connections newly attached, or a negative errno.
 */
int lvdpa_vhost_attach_vdpa(struct rte_vdpa_device *vdev,
		const struct lvdpa_vhost_caps *caps);

/**
 * For a vDPA driver's dev_cleanup op: rte_vhost calls it on RESET_OWNER
 * (the connection stays; state was reset by the message) and when the
 * connection closes (state is dropped). Tells them apart by itself.
 */
void lvdpa_vhost_on_cleanup(int vid);

/** Detach @p vid and drop its state (connection closed). */
void lvdpa_vhost_detach_vid(int vid);

/** Whether @p vid is attached. */
bool lvdpa_vhost_is_attached(int vid);

/**
 * For a vDPA driver's set_features op: records @p features (from
 * rte_vhost_get_negotiated_features()) as set, so that the state is exact
 * inside the op, before the library's post handler runs. 0 is a valid
 * negotiation, never an error.
 */
int lvdpa_vhost_features_set(int vid, uint64_t features);

/**
 * For a driver's get_config/set_config ops: copy @p size bytes at
 * @p offset between the device's config @p dev_cfg (virtio-net layout,
 * little endian as a modern device has it, @p dev_cfg_len bytes) and the
 * guest's @p buf. Fields are in the guest's byte order for a legacy guest
 * (its device endianness) and little endian otherwise. Never reads or
 * changes features.
 * -EINVAL if the range exceeds the config or LVDPA_VHOST_MAX_CONFIG_SIZE.
 */
int lvdpa_vhost_config_access(int vid, enum lvdpa_vhost_config_dir dir,
		void *dev_cfg, uint32_t dev_cfg_len, uint32_t offset,
		void *buf, uint32_t size);

/* --- Queries --- */

/** Everything negotiated on @p vid; -ENODEV if not attached. */
int lvdpa_vhost_get_state(int vid, struct lvdpa_vhost_state *state);

/**
 * The device-wide view (VHOST_GET_ENDIAN in spirit): the guest's byte
 * order for the whole device; @p mixed (may be NULL) tells whether known
 * vrings disagree. Returns the endian value or a negative errno.
 */
int lvdpa_vhost_get_endian(int vid, bool *mixed);

/** Host memory ordering: STRONG or WEAK (never AUTO). */
enum lvdpa_vhost_order lvdpa_vhost_host_order(void);

/** Override the host ordering (tests); AUTO restores the detected one. */
int lvdpa_vhost_set_host_order(enum lvdpa_vhost_order order);

#ifdef __cplusplus
}
#endif

#endif /* LVDPA_VHOST_H */
