/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_VHOST_PRIVATE_H
#define LVDPA_VHOST_PRIVATE_H

/*
 * Internals of lib/lvdpa_vhost: the vhost-user message as rte_vhost hands
 * it to extern handlers, the per-connection state, and the functions the
 * files of this library share (hidden by -fvisibility=hidden).
 */

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_log.h>
#include <rte_vhost.h>

#include <lvdpa_net_hdr.h>
#include <lvdpa_virtio.h>

#include "lvdpa_vhost.h"

extern int lvdpa_vhost_logtype;

#define LVDPA_VHOST_LOG(level, name, fmt, ...) \
	rte_log(RTE_LOG_ ## level, lvdpa_vhost_logtype, \
		"lvdpa_vhost: %s: " fmt "\n", (name), ##__VA_ARGS__)

/* vhost-user requests this library looks at (vhost-user specification). */
enum lvdpa_vhost_req {
	LVDPA_VHOST_REQ_GET_FEATURES = 1,
	LVDPA_VHOST_REQ_SET_FEATURES = 2,
	LVDPA_VHOST_REQ_SET_OWNER = 3,
	LVDPA_VHOST_REQ_RESET_OWNER = 4,
	LVDPA_VHOST_REQ_SET_VRING_BASE = 10,
	LVDPA_VHOST_REQ_GET_VRING_BASE = 11,
	LVDPA_VHOST_REQ_SET_VRING_KICK = 12,
	LVDPA_VHOST_REQ_GET_PROTOCOL_FEATURES = 15,
	LVDPA_VHOST_REQ_SET_PROTOCOL_FEATURES = 16,
	LVDPA_VHOST_REQ_SET_VRING_ENDIAN = LVDPA_VHOST_USER_SET_VRING_ENDIAN,
	LVDPA_VHOST_REQ_GET_CONFIG = 24,
	LVDPA_VHOST_REQ_SET_CONFIG = 25,
	LVDPA_VHOST_REQ_SET_STATUS = 39,
	LVDPA_VHOST_REQ_MAX = 64,
};

#define LVDPA_VHOST_FLAG_VERSION_MASK 0x3u
#define LVDPA_VHOST_FLAG_REPLY (1u << 2)
#define LVDPA_VHOST_FLAG_NEED_REPLY (1u << 3)
#define LVDPA_VHOST_VRING_IDX_MASK 0xffu
#define LVDPA_VHOST_VRING_NOFD (1u << 8)
#define LVDPA_VHOST_MAX_FDS 8
#define LVDPA_VHOST_CONFIG_HDR_SIZE 12u

/*
 * Size of rte_vhost 22.11's payload union on LP64 (its largest member is
 * the crypto session parameter block). Only its size matters to us: the
 * fds of the message context follow it.
 */
#define LVDPA_VHOST_PAYLOAD_SIZE 632

struct lvdpa_vhost_vring_state {
	uint32_t index;
	uint32_t num;
};

struct lvdpa_vhost_config_payload {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t region[LVDPA_VHOST_MAX_CONFIG_SIZE];
};

/* The wire message (vhost-user header plus payload), packed as on the wire. */
struct lvdpa_vhost_msg {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
	union {
		uint64_t u64;
		struct lvdpa_vhost_vring_state state;
		struct lvdpa_vhost_config_payload cfg;
		uint8_t raw[LVDPA_VHOST_PAYLOAD_SIZE];
	} payload;
} __rte_packed;

/*
 * What an extern handler's "void *msg" points to: rte_vhost's message
 * context, whose first member is the message (rte_vhost asserts that).
 */
struct lvdpa_vhost_msg_ctx {
	struct lvdpa_vhost_msg msg;
	int fds[LVDPA_VHOST_MAX_FDS];
	int fd_num;
} __rte_packed;

/* Name of a connection for logs and socket lookups (sun_path is 108). */
#define LVDPA_VHOST_NAME_LEN 128

/* State of one connection (vid). Protected by lvdpa_vhost_lock. */
struct lvdpa_vhost_conn {
	int vid;
	char ifname[LVDPA_VHOST_NAME_LEN];
	struct lvdpa_vhost_caps caps;
	uint64_t features;
	uint64_t staged_features;	/* SET_FEATURES seen, not yet applied */
	bool features_set;
	bool staged;
	bool in_reset;			/* RESET_OWNER being processed */
	uint32_t config_before_features;
	uint32_t resets;
	uint16_t max_vrings;		/* index bound for vring requests */
	uint8_t vring_endian[LVDPA_VHOST_MAX_VRINGS];
	uint64_t vring_endian_set[LVDPA_VHOST_MAX_VRINGS / 64];
	uint64_t vring_running[LVDPA_VHOST_MAX_VRINGS / 64];
	/* The application's handlers, chained behind ours. */
	struct rte_vhost_user_extern_ops app_ops;
	void *app_ctx;
};

/* Result of one of our handlers. */
enum lvdpa_vhost_verdict {
	LVDPA_VHOST_PASS,	/* let rte_vhost (and the application) handle it */
	LVDPA_VHOST_DONE,	/* handled: success (ack 0 if NEED_REPLY) */
	LVDPA_VHOST_REPLY,	/* handled: reply prepared in the message */
	LVDPA_VHOST_FAIL,	/* refused: error ack, or connection closed */
};

/* Connection table, in lvdpa_vhost.c. */
extern pthread_mutex_t lvdpa_vhost_lock;
struct lvdpa_vhost_conn *lvdpa_vhost_conn_get(int vid);
const struct rte_vhost_user_extern_ops *lvdpa_vhost_msg_ops(void);

static inline void
lvdpa_vhost_bit_set(uint64_t *map, unsigned int i, bool v)
{
	if (v)
		map[i / 64] |= UINT64_C(1) << (i % 64);
	else
		map[i / 64] &= ~(UINT64_C(1) << (i % 64));
}

static inline bool
lvdpa_vhost_bit_get(const uint64_t *map, unsigned int i)
{
	return (map[i / 64] >> (i % 64)) & 1;
}

/* lvdpa_vhost_msg.c: the extern handlers, chaining the application's. */
enum rte_vhost_msg_result lvdpa_vhost_pre_handler(int vid, void *msg);
enum rte_vhost_msg_result lvdpa_vhost_post_handler(int vid, void *msg);

/* lvdpa_vhost_endian.c */
enum lvdpa_vhost_verdict lvdpa_vhost_endian_set_vring(
		struct lvdpa_vhost_conn *c, struct lvdpa_vhost_msg_ctx *ctx);
void lvdpa_vhost_endian_offer(int vid, const char *ifname);
enum lvdpa_vhost_endian lvdpa_vhost_native_endian(void);
void lvdpa_vhost_endian_view(const struct lvdpa_vhost_conn *c,
		struct lvdpa_vhost_state *st);

/* lvdpa_vhost_config.c */
void lvdpa_vhost_conn_reset(struct lvdpa_vhost_conn *c, const char *why);
void lvdpa_vhost_features_apply(struct lvdpa_vhost_conn *c, uint64_t f);
enum lvdpa_vhost_verdict lvdpa_vhost_config_check(
		struct lvdpa_vhost_conn *c, struct lvdpa_vhost_msg_ctx *ctx);

#endif /* LVDPA_VHOST_PRIVATE_H */
