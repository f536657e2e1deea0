/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef TEST_LEGACY_COMMON_H
#define TEST_LEGACY_COMMON_H

/*
 * Helpers shared by the legacy integration tests: lvdpa_guest as the
 * frontend, rte_vhost with lvdpa_vhost as the backend, in one process.
 * Raw messages go through lvdpa_guest_send_raw(); the request numbers and
 * flags are the vhost-user spec's (the guest library keeps its own private).
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "lvdpa_guest.h"

#define LVDPA_TL_REQ_GET_FEATURES 1
#define LVDPA_TL_REQ_SET_FEATURES 2
#define LVDPA_TL_REQ_SET_OWNER 3
#define LVDPA_TL_REQ_RESET_OWNER 4
#define LVDPA_TL_REQ_GET_PROTOCOL_FEATURES 15
#define LVDPA_TL_REQ_SET_PROTOCOL_FEATURES 16
#define LVDPA_TL_REQ_SET_VRING_ENDIAN 23
#define LVDPA_TL_REQ_GET_CONFIG 24
#define LVDPA_TL_REQ_SET_STATUS 39

#define LVDPA_TL_FLAGS 0x1		/* version 1 */
#define LVDPA_TL_NEED_REPLY 0x8

#define LVDPA_TL_BIT(b) (UINT64_C(1) << (b))
#define LVDPA_TL_F_CSUM LVDPA_TL_BIT(0)
#define LVDPA_TL_F_MAC LVDPA_TL_BIT(5)
#define LVDPA_TL_F_MRG_RXBUF LVDPA_TL_BIT(15)
#define LVDPA_TL_F_PROTOCOL_FEATURES LVDPA_TL_BIT(30)
#define LVDPA_TL_F_VERSION_1 LVDPA_TL_BIT(32)
#define LVDPA_TL_PF_REPLY_ACK LVDPA_TL_BIT(LVDPA_GUEST_PF_REPLY_ACK)
#define LVDPA_TL_PF_CROSS_ENDIAN LVDPA_TL_BIT(LVDPA_GUEST_PF_CROSS_ENDIAN)
#define LVDPA_TL_PF_CONFIG LVDPA_TL_BIT(LVDPA_GUEST_PF_CONFIG)

/* Defaults for every guest here: small memory, short timeouts. */
static inline void
lvdpa_tl_cfg(struct lvdpa_guest_config *cfg, const char *path,
	     uint64_t features)
{
	lvdpa_guest_config_init(cfg);
	cfg->socket_path = path;
	cfg->features = features;
	cfg->timeout_ms = 3000;
	cfg->mem_size = 16ULL << 20;
}

/* A request without payload whose reply is a u64 (GET_*). */
static inline int
lvdpa_tl_get_u64(struct lvdpa_guest *g, uint32_t req, uint64_t *val)
{
	uint64_t v = 0;
	int rc;

	rc = lvdpa_guest_send_raw(g, req, LVDPA_TL_FLAGS, 0, NULL, 0, NULL, 0,
				  &v, sizeof(v));
	if (rc < 0)
		return rc;
	if (rc != (int)sizeof(v))
		return -EPROTO;
	*val = v;
	return 0;
}

/*
 * A request with NEED_REPLY: @p size is what the header announces, @p len
 * what is really sent. *ack is the backend's verdict (0 accepted).
 */
static inline int
lvdpa_tl_ack(struct lvdpa_guest *g, uint32_t req, uint32_t size,
	     const void *pl, size_t len, uint64_t *ack)
{
	uint64_t v = UINT64_MAX;
	int rc;

	rc = lvdpa_guest_send_raw(g, req, LVDPA_TL_FLAGS | LVDPA_TL_NEED_REPLY,
				  size, pl, len, NULL, 0, &v, sizeof(v));
	if (rc < 0)
		return rc;
	if (rc != (int)sizeof(v))
		return -EPROTO;
	*ack = v;
	return 0;
}

static inline int
lvdpa_tl_ack_u64(struct lvdpa_guest *g, uint32_t req, uint64_t val,
		 uint64_t *ack)
{
	return lvdpa_tl_ack(g, req, sizeof(val), &val, sizeof(val), ack);
}

/* SET_VRING_ENDIAN {index, num} with NEED_REPLY. */
static inline int
lvdpa_tl_set_endian(struct lvdpa_guest *g, uint32_t index, uint32_t num,
		    uint64_t *ack)
{
	uint32_t pl[2] = { index, num };

	return lvdpa_tl_ack(g, LVDPA_TL_REQ_SET_VRING_ENDIAN, sizeof(pl), pl,
			    sizeof(pl), ack);
}

/*
 * rte_vhost handles one connection's messages in order: once a request
 * with a reply came back, every message sent before it was processed.
 * Also proves that the connection is still served. Features in *f.
 */
static inline int
lvdpa_tl_sync(struct lvdpa_guest *g, uint64_t *f)
{
	uint64_t v;

	return lvdpa_tl_get_u64(g, LVDPA_TL_REQ_GET_FEATURES, f != NULL ? f : &v);
}

#endif /* TEST_LEGACY_COMMON_H */
