/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Per-connection state keyed by vid, its life cycle, the socket registry
 * of lvdpa_vhost_attach() and the queries.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_vdpa.h>
#include <rte_vhost.h>

#include "lvdpa_vhost_private.h"

RTE_LOG_REGISTER_SUFFIX(lvdpa_vhost_logtype, config, NOTICE);

#define LVDPA_VHOST_MAX_SOCKETS 64

pthread_mutex_t lvdpa_vhost_lock = PTHREAD_MUTEX_INITIALIZER;

/* Indexed by vid; NULL when the connection is not attached. */
static struct lvdpa_vhost_conn *lvdpa_vhost_conns[RTE_MAX_VHOST_DEVICE];

/* Sockets attached by an application with lvdpa_vhost_attach(). */
struct lvdpa_vhost_socket {
	bool used;
	bool ops_set;
	char path[LVDPA_VHOST_NAME_LEN];
	struct lvdpa_vhost_caps caps;
	struct rte_vhost_device_ops app_ops;
};

static struct lvdpa_vhost_socket lvdpa_vhost_sockets[LVDPA_VHOST_MAX_SOCKETS];

static enum lvdpa_vhost_order lvdpa_vhost_order_override =
	LVDPA_VHOST_ORDER_AUTO;

struct lvdpa_vhost_conn *
lvdpa_vhost_conn_get(int vid)
{
	if (vid < 0 || vid >= RTE_MAX_VHOST_DEVICE)
		return NULL;
	return lvdpa_vhost_conns[vid];
}

/* Called with the lock held. */
static struct lvdpa_vhost_socket *
lvdpa_vhost_socket_find(const char *path)
{
	unsigned int i;

	for (i = 0; i < LVDPA_VHOST_MAX_SOCKETS; i++)
		if (lvdpa_vhost_sockets[i].used &&
		    strcmp(lvdpa_vhost_sockets[i].path, path) == 0)
			return &lvdpa_vhost_sockets[i];
	return NULL;
}

int
lvdpa_vhost_attach(const char *path, const struct lvdpa_vhost_caps *caps)
{
	struct lvdpa_vhost_socket *s = NULL;
	uint64_t pf;
	unsigned int i;

	if (path == NULL || strlen(path) >= LVDPA_VHOST_NAME_LEN)
		return -EINVAL;
	/* Also proves that the socket is registered. */
	if (rte_vhost_driver_get_protocol_features(path, &pf) != 0)
		return -ENOENT;
	pthread_mutex_lock(&lvdpa_vhost_lock);
	s = lvdpa_vhost_socket_find(path);
	for (i = 0; s == NULL && i < LVDPA_VHOST_MAX_SOCKETS; i++)
		if (!lvdpa_vhost_sockets[i].used)
			s = &lvdpa_vhost_sockets[i];
	if (s == NULL) {
		pthread_mutex_unlock(&lvdpa_vhost_lock);
		return -ENOSPC;
	}
	if (!s->used) {
		memset(s, 0, sizeof(*s));
		s->used = true;
		snprintf(s->path, sizeof(s->path), "%s", path);
	}
	if (caps != NULL)
		s->caps = *caps;
	else
		memset(&s->caps, 0, sizeof(s->caps));
	pthread_mutex_unlock(&lvdpa_vhost_lock);
	/* Outside any rte_vhost callback: widening the socket is safe here. */
	lvdpa_vhost_endian_offer(-1, path);
	LVDPA_VHOST_LOG(INFO, path, "attached (big-endian rings %s)",
			caps != NULL && caps->can_serve_big_endian ?
			"served" : "refused");
	return 0;
}

int
lvdpa_vhost_detach(const char *path)
{
	struct lvdpa_vhost_socket *s;

	if (path == NULL)
		return -EINVAL;
	pthread_mutex_lock(&lvdpa_vhost_lock);
	s = lvdpa_vhost_socket_find(path);
	if (s != NULL)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&lvdpa_vhost_lock);
	return s != NULL ? 0 : -ENOENT;
}

/* Copies the application's ops of the socket of @p vid; false if none. */
static bool
lvdpa_vhost_app_ops(int vid, struct rte_vhost_device_ops *ops)
{
	struct lvdpa_vhost_socket *s;
	char path[LVDPA_VHOST_NAME_LEN];
	bool found = false;

	if (rte_vhost_get_ifname(vid, path, sizeof(path)) != 0)
		return false;
	pthread_mutex_lock(&lvdpa_vhost_lock);
	s = lvdpa_vhost_socket_find(path);
	if (s != NULL && s->ops_set) {
		*ops = s->app_ops;
		found = true;
	}
	pthread_mutex_unlock(&lvdpa_vhost_lock);
	return found;
}

static int
lvdpa_vhost_wrap_new_device(int vid)
{
	struct rte_vhost_device_ops o;

	if (lvdpa_vhost_app_ops(vid, &o) && o.new_device != NULL)
		return o.new_device(vid);
	return 0;
}

static void
lvdpa_vhost_wrap_destroy_device(int vid)
{
	struct rte_vhost_device_ops o;

	if (lvdpa_vhost_app_ops(vid, &o) && o.destroy_device != NULL)
		o.destroy_device(vid);
}

static int
lvdpa_vhost_wrap_vring_state_changed(int vid, uint16_t queue_id, int enable)
{
	struct rte_vhost_device_ops o;

	if (lvdpa_vhost_app_ops(vid, &o) && o.vring_state_changed != NULL)
		return o.vring_state_changed(vid, queue_id, enable);
	return 0;
}

static int
lvdpa_vhost_wrap_features_changed(int vid, uint64_t features)
{
	struct rte_vhost_device_ops o;

	if (lvdpa_vhost_app_ops(vid, &o) && o.features_changed != NULL)
		return o.features_changed(vid, features);
	return 0;
}

static int
lvdpa_vhost_wrap_new_connection(int vid)
{
	struct rte_vhost_device_ops o;
	int ret;

	/* Before any message is read: our handlers see GET_FEATURES too. */
	ret = lvdpa_vhost_on_new_connection(vid, NULL);
	if (ret != 0)
		LVDPA_VHOST_LOG(ERR, "vid", "%d: cannot attach: %s; legacy "
				"negotiation off for it", vid, strerror(-ret));
	if (lvdpa_vhost_app_ops(vid, &o) && o.new_connection != NULL)
		return o.new_connection(vid);
	return 0;
}

static void
lvdpa_vhost_wrap_destroy_connection(int vid)
{
	struct rte_vhost_device_ops o;

	if (lvdpa_vhost_app_ops(vid, &o) && o.destroy_connection != NULL)
		o.destroy_connection(vid);
	lvdpa_vhost_detach_vid(vid);
}

static void
lvdpa_vhost_wrap_guest_notified(int vid)
{
	struct rte_vhost_device_ops o;

	if (lvdpa_vhost_app_ops(vid, &o) && o.guest_notified != NULL)
		o.guest_notified(vid);
}

static const struct rte_vhost_device_ops lvdpa_vhost_wrap_ops = {
	.new_device = lvdpa_vhost_wrap_new_device,
	.destroy_device = lvdpa_vhost_wrap_destroy_device,
	.vring_state_changed = lvdpa_vhost_wrap_vring_state_changed,
	.features_changed = lvdpa_vhost_wrap_features_changed,
	.new_connection = lvdpa_vhost_wrap_new_connection,
	.destroy_connection = lvdpa_vhost_wrap_destroy_connection,
	.guest_notified = lvdpa_vhost_wrap_guest_notified,
};

int
lvdpa_vhost_driver_callback_register(const char *path,
		const struct rte_vhost_device_ops *ops)
{
	struct lvdpa_vhost_socket *s;

	if (path == NULL || ops == NULL)
		return -EINVAL;
	pthread_mutex_lock(&lvdpa_vhost_lock);
	s = lvdpa_vhost_socket_find(path);
	if (s != NULL) {
		s->app_ops = *ops;
		s->ops_set = true;
	}
	pthread_mutex_unlock(&lvdpa_vhost_lock);
	if (s == NULL)
		return -ENOENT;
	if (rte_vhost_driver_callback_register(path, &lvdpa_vhost_wrap_ops) != 0)
		return -EIO;
	return 0;
}

/* Registers ours (or, on detach, the application's alone) with rte_vhost. */
static int
lvdpa_vhost_register_extern(int vid, bool ours,
		const struct rte_vhost_user_extern_ops *app, void *app_ctx)
{
	static const struct rte_vhost_user_extern_ops none;

	if (ours)
		return rte_vhost_extern_callback_register(vid,
				lvdpa_vhost_msg_ops(), NULL);
	return rte_vhost_extern_callback_register(vid,
			app != NULL ? app : &none, app_ctx);
}

int
lvdpa_vhost_on_new_connection(int vid, const struct lvdpa_vhost_caps *caps)
{
	struct lvdpa_vhost_socket *s;
	struct lvdpa_vhost_conn *c;
	char path[LVDPA_VHOST_NAME_LEN];
	unsigned int i;

	if (vid < 0 || vid >= RTE_MAX_VHOST_DEVICE)
		return -EINVAL;
	if (rte_vhost_get_ifname(vid, path, sizeof(path)) != 0)
		return -ENODEV;
	pthread_mutex_lock(&lvdpa_vhost_lock);
	if (lvdpa_vhost_conns[vid] != NULL) {
		pthread_mutex_unlock(&lvdpa_vhost_lock);
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		pthread_mutex_unlock(&lvdpa_vhost_lock);
		return -ENOMEM;
	}
	c->vid = vid;
	snprintf(c->ifname, sizeof(c->ifname), "%s", path);
	s = lvdpa_vhost_socket_find(path);
	if (caps != NULL)
		c->caps = *caps;
	else if (s != NULL)
		c->caps = s->caps;
	for (i = 0; i < LVDPA_VHOST_MAX_VRINGS; i++)
		c->vring_endian[i] = lvdpa_vhost_native_endian();
	lvdpa_vhost_conns[vid] = c;
	pthread_mutex_unlock(&lvdpa_vhost_lock);
	if (lvdpa_vhost_register_extern(vid, true, NULL, NULL) != 0) {
		pthread_mutex_lock(&lvdpa_vhost_lock);
		lvdpa_vhost_conns[vid] = NULL;
		pthread_mutex_unlock(&lvdpa_vhost_lock);
		free(c);
		return -ENODEV;
	}
	LVDPA_VHOST_LOG(DEBUG, path, "vid %d attached", vid);
	return 0;
}

int
lvdpa_vhost_attach_vdpa(struct rte_vdpa_device *vdev,
		const struct lvdpa_vhost_caps *caps)
{
	int lt = rte_log_register("lib.vhost.config");
	int level = lt >= 0 ? rte_log_get_level(lt) : -1;
	int vid, n = 0;

	if (vdev == NULL)
		return -EINVAL;
	/*
	 * rte_vhost has no connection iterator: probe each vid. Empty ones
	 * log "device not found" at ERR, so that log is quieted meanwhile.
	 */
	if (level >= 0)
		rte_log_set_level(lt, RTE_LOG_CRIT);
	for (vid = 0; vid < RTE_MAX_VHOST_DEVICE; vid++) {
		bool known;

		pthread_mutex_lock(&lvdpa_vhost_lock);
		known = lvdpa_vhost_conns[vid] != NULL;
		pthread_mutex_unlock(&lvdpa_vhost_lock);
		if (known || rte_vhost_get_vdpa_device(vid) != vdev)
			continue;
		if (lvdpa_vhost_on_new_connection(vid, caps) == 0)
			n++;
	}
	if (level >= 0)
		rte_log_set_level(lt, (uint32_t)level);
	return n;
}

void
lvdpa_vhost_detach_vid(int vid)
{
	struct lvdpa_vhost_conn *c;

	pthread_mutex_lock(&lvdpa_vhost_lock);
	c = lvdpa_vhost_conn_get(vid);
	if (c != NULL)
		lvdpa_vhost_conns[vid] = NULL;
	pthread_mutex_unlock(&lvdpa_vhost_lock);
	if (c == NULL)
		return;
	/* Leave the application's handlers alone in the slot. */
	if (c->app_ops.pre_msg_handle != NULL ||
	    c->app_ops.post_msg_handle != NULL)
		lvdpa_vhost_register_extern(vid, false, &c->app_ops, c->app_ctx);
	free(c);
}

void
lvdpa_vhost_on_cleanup(int vid)
{
	struct lvdpa_vhost_conn *c;
	bool in_reset;

	pthread_mutex_lock(&lvdpa_vhost_lock);
	c = lvdpa_vhost_conn_get(vid);
	in_reset = c != NULL && c->in_reset;
	pthread_mutex_unlock(&lvdpa_vhost_lock);
	/* RESET_OWNER: the connection stays, its state was reset already. */
	if (!in_reset)
		lvdpa_vhost_detach_vid(vid);
}

bool
lvdpa_vhost_is_attached(int vid)
{
	bool r;

	pthread_mutex_lock(&lvdpa_vhost_lock);
	r = lvdpa_vhost_conn_get(vid) != NULL;
	pthread_mutex_unlock(&lvdpa_vhost_lock);
	return r;
}

int
lvdpa_vhost_extern_callback_register(int vid,
		const struct rte_vhost_user_extern_ops *ops, void *ctx)
{
	struct lvdpa_vhost_conn *c;
	int ret;

	ret = lvdpa_vhost_on_new_connection(vid, NULL);
	if (ret != 0)
		return ret;
	pthread_mutex_lock(&lvdpa_vhost_lock);
	c = lvdpa_vhost_conn_get(vid);
	if (c != NULL) {
		if (ops != NULL)
			c->app_ops = *ops;
		else
			memset(&c->app_ops, 0, sizeof(c->app_ops));
		c->app_ctx = ctx;
	}
	pthread_mutex_unlock(&lvdpa_vhost_lock);
	if (c == NULL)
		return -ENODEV;
	/* Ours again, should the application have replaced them directly. */
	return lvdpa_vhost_register_extern(vid, true, NULL, NULL) == 0 ?
		0 : -ENODEV;
}

int
lvdpa_vhost_features_set(int vid, uint64_t features)
{
	struct lvdpa_vhost_conn *c;

	pthread_mutex_lock(&lvdpa_vhost_lock);
	c = lvdpa_vhost_conn_get(vid);
	if (c != NULL)
		lvdpa_vhost_features_apply(c, features);
	pthread_mutex_unlock(&lvdpa_vhost_lock);
	return c != NULL ? 0 : -ENODEV;
}

int
lvdpa_vhost_get_state(int vid, struct lvdpa_vhost_state *st)
{
	struct lvdpa_vhost_conn *c;
	uint64_t pf = 0;

	if (st == NULL)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&lvdpa_vhost_lock);
	c = lvdpa_vhost_conn_get(vid);
	if (c == NULL) {
		pthread_mutex_unlock(&lvdpa_vhost_lock);
		return -ENODEV;
	}
	/*
	 * Bit 30 is vhost-user's PROTOCOL_FEATURES, not a virtio feature (in
	 * virtio 0.9.5 it is even VIRTIO_F_BAD_FEATURE): a driver passing it
	 * on to a device would present a broken guest.
	 */
	st->vhost_features = c->features;
	st->features = c->features &
		~LVDPA_VIRTIO_BIT(LVDPA_VHOST_USER_F_PROTOCOL_FEATURES);
	st->features_set = c->features_set;
	st->legacy = !(st->features & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_VERSION_1));
	st->hdr_len = lvdpa_net_hdr_len(st->features);
	st->config_before_features = c->config_before_features;
	st->resets = c->resets;
	lvdpa_vhost_endian_view(c, st);
	pthread_mutex_unlock(&lvdpa_vhost_lock);
	/* rte_vhost keeps it; reading it takes no rte_vhost lock. */
	if (rte_vhost_get_negotiated_protocol_features(vid, &pf) == 0)
		st->protocol_features = pf;
	st->cross_endian = (pf >> LVDPA_VHOST_PROTOCOL_F_CROSS_ENDIAN) & 1;
	st->host_order = lvdpa_vhost_host_order();
	return 0;
}

int
lvdpa_vhost_get_endian(int vid, bool *mixed)
{
	struct lvdpa_vhost_state st;
	int ret;

	ret = lvdpa_vhost_get_state(vid, &st);
	if (ret != 0)
		return ret;
	if (mixed != NULL)
		*mixed = st.endian_mixed;
	return (int)st.device_endian;
}

enum lvdpa_vhost_order
lvdpa_vhost_host_order(void)
{
	if (lvdpa_vhost_order_override != LVDPA_VHOST_ORDER_AUTO)
		return lvdpa_vhost_order_override;
	/* Only x86 (TSO) keeps the device's view of stores in program order. */
#if defined(RTE_ARCH_X86)
	return LVDPA_VHOST_ORDER_STRONG;
#else
	return LVDPA_VHOST_ORDER_WEAK;
#endif
}

int
lvdpa_vhost_set_host_order(enum lvdpa_vhost_order order)
{
	if (order != LVDPA_VHOST_ORDER_AUTO &&
	    order != LVDPA_VHOST_ORDER_STRONG &&
	    order != LVDPA_VHOST_ORDER_WEAK)
		return -EINVAL;
	lvdpa_vhost_order_override = order;
	return 0;
}
