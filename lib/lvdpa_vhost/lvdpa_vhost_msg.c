/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The extern pre/post handlers: one table row per request we look at
 * (payload size, vring-index field, fds allowed, handlers), a dispatcher
 * that validates once before any handler runs, and the chain to the
 * application's own handlers.
 *
 * Errors: a refused message makes the pre handler return
 * RTE_VHOST_MSG_RESULT_ERR. rte_vhost then answers 1 when the frontend set
 * NEED_REPLY (the connection stays), and closes the connection otherwise,
 * exactly as for a message that its own handlers fail. A request whose
 * reply carries data (GET_CONFIG) gets a reply with an empty payload
 * instead, as rte_vhost does when get_config fails.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_vhost.h>

#include "lvdpa_vhost_private.h"

enum lvdpa_vhost_size_rule {
	LVDPA_VHOST_SIZE_ANY,		/* payload not read by us */
	LVDPA_VHOST_SIZE_EXACT,		/* must be .size */
	LVDPA_VHOST_SIZE_CONFIG,	/* config header + its size field */
};

enum lvdpa_vhost_vring_field {
	LVDPA_VHOST_VRING_NONE,
	LVDPA_VHOST_VRING_STATE,	/* payload.state.index */
	LVDPA_VHOST_VRING_U64,		/* payload.u64 & 0xff */
};

struct lvdpa_vhost_msg_row {
	const char *name;
	enum lvdpa_vhost_size_rule size_rule;
	uint16_t size;
	enum lvdpa_vhost_vring_field vring;
	/* The device's vring count bounds the index (else rte_vhost's 256). */
	bool dev_bound;
	uint8_t max_fds;
	/* An error is an empty reply, not an ack (the reply carries data). */
	bool data_reply;
	enum lvdpa_vhost_verdict (*pre)(struct lvdpa_vhost_conn *c,
			struct lvdpa_vhost_msg_ctx *ctx);
	void (*post)(struct lvdpa_vhost_conn *c,
			struct lvdpa_vhost_msg_ctx *ctx);
	/* Work done before the lock is taken (may call rte_vhost_driver_*). */
	void (*unlocked)(int vid, const char *ifname,
			struct lvdpa_vhost_msg_ctx *ctx);
};

static enum lvdpa_vhost_verdict
lvdpa_vhost_pre_set_features(struct lvdpa_vhost_conn *c,
		struct lvdpa_vhost_msg_ctx *ctx)
{
	/* Applied once rte_vhost accepted it (post, or the driver's op). */
	c->staged_features = ctx->msg.payload.u64;
	c->staged = true;
	return LVDPA_VHOST_PASS;
}

static void
lvdpa_vhost_post_set_features(struct lvdpa_vhost_conn *c,
		struct lvdpa_vhost_msg_ctx *ctx)
{
	if (c->staged)
		lvdpa_vhost_features_apply(c, c->staged_features);
}

static enum lvdpa_vhost_verdict
lvdpa_vhost_pre_reset_owner(struct lvdpa_vhost_conn *c,
		struct lvdpa_vhost_msg_ctx *ctx)
{
	lvdpa_vhost_conn_reset(c, "RESET_OWNER");
	/* rte_vhost calls the driver's dev_cleanup now: keep the state. */
	c->in_reset = true;
	return LVDPA_VHOST_PASS;
}

static void
lvdpa_vhost_post_reset_owner(struct lvdpa_vhost_conn *c,
		struct lvdpa_vhost_msg_ctx *ctx)
{
	c->in_reset = false;
}

static enum lvdpa_vhost_verdict
lvdpa_vhost_pre_get_vring_base(struct lvdpa_vhost_conn *c,
		struct lvdpa_vhost_msg_ctx *ctx)
{
	/* The frontend stops the ring with it; its byte order may change. */
	lvdpa_vhost_bit_set(c->vring_running, ctx->msg.payload.state.index,
			    false);
	return LVDPA_VHOST_PASS;
}

/*
 * When it maps a split ring (at SET_VRING_KICK), rte_vhost compares the
 * vring base with the used ring's idx and, when they differ, resumes both
 * indices at used->idx (its reconnection recovery); it reads that idx in
 * host byte order. For a ring in the other byte order (a big-endian legacy
 * guest that migrated here with a base) that is a byte-swapped index. Its
 * rule in the ring's byte order always lands on used->idx (kept when equal
 * to the base, taken when not): resume there.
 */
static void
lvdpa_vhost_base_fixup(struct lvdpa_vhost_conn *c, uint32_t idx)
{
	struct rte_vhost_vring vr;
	uint16_t raw, used;
	uint64_t f = 0;

	if (!lvdpa_vhost_bit_get(c->vring_endian_set, idx) ||
	    c->vring_endian[idx] == lvdpa_vhost_native_endian() ||
	    rte_vhost_get_negotiated_features(c->vid, &f) != 0 ||
	    (f & (LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_VERSION_1) |
		  LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_RING_PACKED))) != 0 ||
	    rte_vhost_get_vhost_vring(c->vid, idx, &vr) != 0 || vr.used == NULL)
		return;
	raw = __atomic_load_n(&vr.used->idx, __ATOMIC_ACQUIRE);
	used = (uint16_t)(raw << 8 | raw >> 8);
	if (rte_vhost_set_vring_base(c->vid, idx, used, used) == 0 && raw != used)
		LVDPA_VHOST_LOG(INFO, c->ifname, "vring %u: base %u in the ring's byte order (rte_vhost read the used index as %u)",
				idx, used, raw);
}

static void
lvdpa_vhost_post_set_vring_kick(struct lvdpa_vhost_conn *c,
		struct lvdpa_vhost_msg_ctx *ctx)
{
	uint32_t idx = ctx->msg.payload.u64 & LVDPA_VHOST_VRING_IDX_MASK;

	lvdpa_vhost_bit_set(c->vring_running, idx, true);
	lvdpa_vhost_base_fixup(c, idx);
}

static uint16_t lvdpa_vhost_query_max_vrings(const char *ifname);

static void
lvdpa_vhost_unlocked_get_protocol(int vid, const char *ifname,
		struct lvdpa_vhost_msg_ctx *ctx)
{
	uint16_t max = lvdpa_vhost_query_max_vrings(ifname);
	struct lvdpa_vhost_conn *c;

	lvdpa_vhost_endian_offer(vid, ifname);
	/* Early and outside the socket lock: learn the vring count. */
	pthread_mutex_lock(&lvdpa_vhost_lock);
	c = lvdpa_vhost_conn_get(vid);
	if (c != NULL)
		c->max_vrings = max;
	pthread_mutex_unlock(&lvdpa_vhost_lock);
}

static void
lvdpa_vhost_unlocked_set_protocol(int vid, const char *ifname,
		struct lvdpa_vhost_msg_ctx *ctx)
{
	/* A frontend that skipped GET_PROTOCOL_FEATURES still gets it. */
	if (ctx->msg.payload.u64 &
	    (UINT64_C(1) << LVDPA_VHOST_PROTOCOL_F_CROSS_ENDIAN))
		lvdpa_vhost_endian_offer(vid, ifname);
}

static void
lvdpa_vhost_post_set_status(struct lvdpa_vhost_conn *c,
		struct lvdpa_vhost_msg_ctx *ctx)
{
	/* Status 0 is a device reset (virtio spec, "Device Status Field"). */
	if (ctx->msg.payload.u64 == 0)
		lvdpa_vhost_conn_reset(c, "SET_STATUS 0");
}

static const struct lvdpa_vhost_msg_row lvdpa_vhost_msg_table[] = {
	[LVDPA_VHOST_REQ_SET_FEATURES] = {
		.name = "SET_FEATURES", .size_rule = LVDPA_VHOST_SIZE_EXACT,
		.size = sizeof(uint64_t),
		.pre = lvdpa_vhost_pre_set_features,
		.post = lvdpa_vhost_post_set_features,
	},
	[LVDPA_VHOST_REQ_RESET_OWNER] = {
		.name = "RESET_OWNER", .size_rule = LVDPA_VHOST_SIZE_ANY,
		.pre = lvdpa_vhost_pre_reset_owner,
		.post = lvdpa_vhost_post_reset_owner,
	},
	[LVDPA_VHOST_REQ_SET_VRING_BASE] = {
		.name = "SET_VRING_BASE", .size_rule = LVDPA_VHOST_SIZE_EXACT,
		.size = sizeof(struct lvdpa_vhost_vring_state),
		.vring = LVDPA_VHOST_VRING_STATE,
	},
	[LVDPA_VHOST_REQ_GET_VRING_BASE] = {
		.name = "GET_VRING_BASE", .size_rule = LVDPA_VHOST_SIZE_EXACT,
		.size = sizeof(struct lvdpa_vhost_vring_state),
		.vring = LVDPA_VHOST_VRING_STATE, .data_reply = true,
		.pre = lvdpa_vhost_pre_get_vring_base,
	},
	[LVDPA_VHOST_REQ_SET_VRING_KICK] = {
		.name = "SET_VRING_KICK", .size_rule = LVDPA_VHOST_SIZE_EXACT,
		.size = sizeof(uint64_t), .vring = LVDPA_VHOST_VRING_U64,
		.max_fds = 1,
		.post = lvdpa_vhost_post_set_vring_kick,
	},
	[LVDPA_VHOST_REQ_GET_PROTOCOL_FEATURES] = {
		.name = "GET_PROTOCOL_FEATURES",
		.size_rule = LVDPA_VHOST_SIZE_ANY, .data_reply = true,
		.unlocked = lvdpa_vhost_unlocked_get_protocol,
	},
	[LVDPA_VHOST_REQ_SET_PROTOCOL_FEATURES] = {
		.name = "SET_PROTOCOL_FEATURES",
		.size_rule = LVDPA_VHOST_SIZE_EXACT, .size = sizeof(uint64_t),
		.unlocked = lvdpa_vhost_unlocked_set_protocol,
	},
	[LVDPA_VHOST_REQ_SET_VRING_ENDIAN] = {
		.name = "SET_VRING_ENDIAN", .size_rule = LVDPA_VHOST_SIZE_EXACT,
		.size = sizeof(struct lvdpa_vhost_vring_state),
		.vring = LVDPA_VHOST_VRING_STATE, .dev_bound = true,
		.pre = lvdpa_vhost_endian_set_vring,
	},
	[LVDPA_VHOST_REQ_GET_CONFIG] = {
		.name = "GET_CONFIG", .size_rule = LVDPA_VHOST_SIZE_CONFIG,
		.data_reply = true,
		.pre = lvdpa_vhost_config_check,
	},
	[LVDPA_VHOST_REQ_SET_CONFIG] = {
		.name = "SET_CONFIG", .size_rule = LVDPA_VHOST_SIZE_CONFIG,
		.pre = lvdpa_vhost_config_check,
	},
	[LVDPA_VHOST_REQ_SET_STATUS] = {
		.name = "SET_STATUS", .size_rule = LVDPA_VHOST_SIZE_EXACT,
		.size = sizeof(uint64_t),
		.post = lvdpa_vhost_post_set_status,
	},
};

static const struct lvdpa_vhost_msg_row *
lvdpa_vhost_msg_row(uint32_t request)
{
	if (request >= RTE_DIM(lvdpa_vhost_msg_table) ||
	    lvdpa_vhost_msg_table[request].name == NULL)
		return NULL;
	return &lvdpa_vhost_msg_table[request];
}

static void
lvdpa_vhost_close_fds(struct lvdpa_vhost_msg_ctx *ctx)
{
	int i, n = ctx->fd_num;

	if (n < 0 || n > LVDPA_VHOST_MAX_FDS)
		n = LVDPA_VHOST_MAX_FDS;
	for (i = 0; i < n; i++) {
		if (ctx->fds[i] >= 0)
			close(ctx->fds[i]);
		ctx->fds[i] = -1;
	}
	ctx->fd_num = 0;
}

/* The shape of the message, before any handler reads it. */
static int
lvdpa_vhost_msg_validate(const char *ifname,
		const struct lvdpa_vhost_msg_row *row,
		const struct lvdpa_vhost_msg_ctx *ctx, uint16_t max_vrings)
{
	const struct lvdpa_vhost_msg *m = &ctx->msg;
	uint32_t idx;

	switch (row->size_rule) {
	case LVDPA_VHOST_SIZE_EXACT:
		if (m->size != row->size) {
			LVDPA_VHOST_LOG(ERR, ifname, "%s: payload size %u, "
					"expected %u", row->name, m->size,
					row->size);
			return -EINVAL;
		}
		break;
	case LVDPA_VHOST_SIZE_CONFIG:
		if (m->size < LVDPA_VHOST_CONFIG_HDR_SIZE ||
		    m->payload.cfg.size > LVDPA_VHOST_MAX_CONFIG_SIZE ||
		    m->size != LVDPA_VHOST_CONFIG_HDR_SIZE +
				m->payload.cfg.size ||
		    (uint64_t)m->payload.cfg.offset + m->payload.cfg.size >
				LVDPA_VHOST_MAX_CONFIG_SIZE) {
			LVDPA_VHOST_LOG(ERR, ifname, "%s: bad config payload "
					"(size %u, region offset %u size %u)",
					row->name, m->size,
					m->size >= LVDPA_VHOST_CONFIG_HDR_SIZE ?
					m->payload.cfg.offset : 0,
					m->size >= LVDPA_VHOST_CONFIG_HDR_SIZE ?
					m->payload.cfg.size : 0);
			return -EINVAL;
		}
		break;
	case LVDPA_VHOST_SIZE_ANY:
		break;
	}
	if (ctx->fd_num < 0 || ctx->fd_num > row->max_fds) {
		LVDPA_VHOST_LOG(ERR, ifname, "%s: %d file descriptors, at most "
				"%u allowed", row->name, ctx->fd_num,
				row->max_fds);
		return -EINVAL;
	}
	switch (row->vring) {
	case LVDPA_VHOST_VRING_STATE:
		idx = m->payload.state.index;
		break;
	case LVDPA_VHOST_VRING_U64:
		idx = m->payload.u64 & LVDPA_VHOST_VRING_IDX_MASK;
		break;
	default:
		return 0;
	}
	if (idx >= (row->dev_bound ? max_vrings : LVDPA_VHOST_MAX_VRINGS)) {
		LVDPA_VHOST_LOG(ERR, ifname, "%s: vring index %u out of range "
				"(%u vrings)", row->name, idx,
				row->dev_bound ? max_vrings :
				LVDPA_VHOST_MAX_VRINGS);
		return -ERANGE;
	}
	return 0;
}

/* The socket's queue count bounds vring indexes (rte_vhost allows 256). */
static uint16_t
lvdpa_vhost_query_max_vrings(const char *ifname)
{
	uint32_t qn = 0;

	if (rte_vhost_driver_get_queue_num(ifname, &qn) != 0 || qn == 0 ||
	    qn > LVDPA_VHOST_MAX_VRINGS / 2)
		return LVDPA_VHOST_MAX_VRINGS;
	return (uint16_t)(qn * 2);
}

static enum rte_vhost_msg_result
lvdpa_vhost_refuse(const struct lvdpa_vhost_msg_row *row,
		struct lvdpa_vhost_msg_ctx *ctx)
{
	lvdpa_vhost_close_fds(ctx);
	if (row->data_reply) {
		ctx->msg.size = 0;
		return RTE_VHOST_MSG_RESULT_REPLY;
	}
	return RTE_VHOST_MSG_RESULT_ERR;
}

/* Our part of the pre handler: NOT_HANDLED lets the chain continue. */
static enum rte_vhost_msg_result
lvdpa_vhost_pre_ours(int vid, struct lvdpa_vhost_msg_ctx *ctx)
{
	const struct lvdpa_vhost_msg_row *row;
	struct lvdpa_vhost_conn *c;
	char ifname[LVDPA_VHOST_NAME_LEN];
	enum lvdpa_vhost_verdict v = LVDPA_VHOST_PASS;
	uint16_t max_vrings;

	row = lvdpa_vhost_msg_row(ctx->msg.request);
	if (row == NULL)
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	pthread_mutex_lock(&lvdpa_vhost_lock);
	c = lvdpa_vhost_conn_get(vid);
	if (c == NULL) {
		pthread_mutex_unlock(&lvdpa_vhost_lock);
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	}
	/* A RESET_OWNER whose post handler never ran is over anyway. */
	c->in_reset = false;
	memcpy(ifname, c->ifname, sizeof(ifname));
	max_vrings = c->max_vrings;
	pthread_mutex_unlock(&lvdpa_vhost_lock);

	/* Socket queries take rte_vhost's socket lock: never under ours. */
	if (row->dev_bound && max_vrings == 0)
		max_vrings = lvdpa_vhost_query_max_vrings(ifname);
	if (lvdpa_vhost_msg_validate(ifname, row, ctx, max_vrings) != 0)
		return lvdpa_vhost_refuse(row, ctx);
	if (row->unlocked != NULL)
		row->unlocked(vid, ifname, ctx);
	if (row->pre == NULL)
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;

	pthread_mutex_lock(&lvdpa_vhost_lock);
	c = lvdpa_vhost_conn_get(vid);
	if (c != NULL) {
		if (c->max_vrings == 0 && row->dev_bound)
			c->max_vrings = max_vrings;
		v = row->pre(c, ctx);
	}
	pthread_mutex_unlock(&lvdpa_vhost_lock);
	switch (v) {
	case LVDPA_VHOST_DONE:
		lvdpa_vhost_close_fds(ctx);
		return RTE_VHOST_MSG_RESULT_OK;
	case LVDPA_VHOST_REPLY:
		lvdpa_vhost_close_fds(ctx);
		return RTE_VHOST_MSG_RESULT_REPLY;
	case LVDPA_VHOST_FAIL:
		return lvdpa_vhost_refuse(row, ctx);
	case LVDPA_VHOST_PASS:
	default:
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	}
}

enum rte_vhost_msg_result
lvdpa_vhost_pre_handler(int vid, void *msg)
{
	struct lvdpa_vhost_msg_ctx *ctx = msg;
	struct lvdpa_vhost_conn *c;
	rte_vhost_msg_handle app = NULL;
	enum rte_vhost_msg_result r;

	r = lvdpa_vhost_pre_ours(vid, ctx);
	if (r != RTE_VHOST_MSG_RESULT_NOT_HANDLED)
		return r;
	pthread_mutex_lock(&lvdpa_vhost_lock);
	c = lvdpa_vhost_conn_get(vid);
	if (c != NULL)
		app = c->app_ops.pre_msg_handle;
	pthread_mutex_unlock(&lvdpa_vhost_lock);
	return app != NULL ? app(vid, msg) : RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

enum rte_vhost_msg_result
lvdpa_vhost_post_handler(int vid, void *msg)
{
	struct lvdpa_vhost_msg_ctx *ctx = msg;
	const struct lvdpa_vhost_msg_row *row;
	struct lvdpa_vhost_conn *c;
	rte_vhost_msg_handle app = NULL;

	row = lvdpa_vhost_msg_row(ctx->msg.request);
	pthread_mutex_lock(&lvdpa_vhost_lock);
	c = lvdpa_vhost_conn_get(vid);
	if (c != NULL) {
		/* Only messages that passed the pre handler's checks get here
		 * (a refusal is an error, which skips post handlers), except
		 * those that passed through a reply: the size check again.
		 */
		if (row != NULL && row->post != NULL &&
		    (row->size_rule != LVDPA_VHOST_SIZE_EXACT ||
		     ctx->msg.size == row->size))
			row->post(c, ctx);
		app = c->app_ops.post_msg_handle;
	}
	pthread_mutex_unlock(&lvdpa_vhost_lock);
	return app != NULL ? app(vid, msg) : RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

static const struct rte_vhost_user_extern_ops lvdpa_vhost_extern_ops = {
	.pre_msg_handle = lvdpa_vhost_pre_handler,
	.post_msg_handle = lvdpa_vhost_post_handler,
};

const struct rte_vhost_user_extern_ops *
lvdpa_vhost_msg_ops(void)
{
	return &lvdpa_vhost_extern_ops;
}
