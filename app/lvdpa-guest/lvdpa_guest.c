/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The vhost-user master: configuration checks, the negotiation in the order
 * QEMU's hw/virtio/vhost-user.c uses, stop and destroy.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lvdpa_net_hdr.h>

#include "lvdpa_guest_priv.h"

RTE_LOG_REGISTER_SUFFIX(lvdpa_guest_logtype, guest, NOTICE);

#define LVDPA_GUEST_BIT(b) LVDPA_VIRTIO_BIT(b)
/* The virtio-net config space a driver reads: mac, status, pairs, mtu. */
#define LVDPA_GUEST_NET_CONFIG_LEN 12

void
lvdpa_guest_config_init(struct lvdpa_guest_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->features = LVDPA_GUEST_FEATURES_MODERN;
	cfg->protocol_features = LVDPA_GUEST_PF_SUPPORTED;
	cfg->hdr_layout = LVDPA_GUEST_HDR_AUTO;
	cfg->use_indirect = true;
	cfg->queue_pairs = 1;
	cfg->queue_size = 256;
	cfg->mem_size = 64ULL << 20;
	cfg->mem_regions = 1;
	cfg->rx_buf_size = 2048;
	cfg->sizes[0] = 64;
	cfg->nsizes = 1;
	cfg->timeout_ms = 3000;
}

static bool
lvdpa_guest_host_big_endian(void)
{
	return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
}

static int
lvdpa_guest_check_sizes(const unsigned int *sizes, unsigned int n)
{
	unsigned int i;

	if (n == 0 || n > LVDPA_GUEST_MAX_SIZES)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (sizes[i] < LVDPA_GUEST_MIN_PKT || sizes[i] > LVDPA_GUEST_MAX_PKT)
			return -EINVAL;
	return 0;
}

static int
lvdpa_guest_check_config(const struct lvdpa_guest_config *cfg)
{
	if (cfg->socket_path == NULL || cfg->socket_path[0] == '\0') {
		LVDPA_GUEST_LOG(ERR, "no socket path");
		return -EINVAL;
	}
	if (cfg->queue_pairs == 0 || cfg->queue_pairs > LVDPA_GUEST_MAX_QP) {
		LVDPA_GUEST_LOG(ERR, "queue pairs %u not in 1..%u",
				cfg->queue_pairs, LVDPA_GUEST_MAX_QP);
		return -EINVAL;
	}
	if (cfg->queue_size < 2 || cfg->queue_size > LVDPA_RING_MAX_SIZE ||
	    ((cfg->features & LVDPA_GUEST_BIT(LVDPA_VIRTIO_F_RING_PACKED)) == 0 &&
	     (cfg->queue_size & (cfg->queue_size - 1)) != 0)) {
		LVDPA_GUEST_LOG(ERR, "queue size %u invalid (split rings need a power of two, 2..%u)",
				cfg->queue_size, LVDPA_RING_MAX_SIZE);
		return -EINVAL;
	}
	if (cfg->mem_regions == 0 || cfg->mem_regions > LVDPA_GUEST_MAX_REGIONS ||
	    cfg->mem_size < (1ULL << 20) * cfg->mem_regions) {
		LVDPA_GUEST_LOG(ERR, "memory %" PRIu64 " bytes in %u regions invalid (1..%u regions, >= 1 MB each)",
				cfg->mem_size, cfg->mem_regions, LVDPA_GUEST_MAX_REGIONS);
		return -EINVAL;
	}
	if (cfg->big_endian &&
	    (cfg->features & LVDPA_GUEST_BIT(LVDPA_VIRTIO_F_VERSION_1))) {
		LVDPA_GUEST_LOG(ERR, "a big-endian guest must be legacy: drop VERSION_1 from the features");
		return -EINVAL;
	}
	if ((cfg->features & LVDPA_GUEST_BIT(LVDPA_VIRTIO_F_RING_PACKED)) &&
	    !(cfg->features & LVDPA_GUEST_BIT(LVDPA_VIRTIO_F_VERSION_1))) {
		LVDPA_GUEST_LOG(ERR, "packed rings need VERSION_1");
		return -EINVAL;
	}
	if (cfg->rx_buf_size < 64 || cfg->rx_buf_size > LVDPA_GUEST_MAX_PKT) {
		LVDPA_GUEST_LOG(ERR, "RX buffer size %u not in 64..%u",
				cfg->rx_buf_size, LVDPA_GUEST_MAX_PKT);
		return -EINVAL;
	}
	if (lvdpa_guest_check_sizes(cfg->sizes, cfg->nsizes) < 0) {
		LVDPA_GUEST_LOG(ERR, "packet sizes: 1..%u sizes, each %u..%u",
				LVDPA_GUEST_MAX_SIZES, LVDPA_GUEST_MIN_PKT,
				LVDPA_GUEST_MAX_PKT);
		return -EINVAL;
	}
	if (cfg->hdr_layout > LVDPA_GUEST_HDR_INLINE)
		return -EINVAL;
	if (cfg->udp) {
		unsigned int i;

		for (i = 0; i < cfg->nsizes; i++)
			if (cfg->sizes[i] < LVDPA_GUEST_MIN_PKT_UDP) {
				LVDPA_GUEST_LOG(ERR, "packet size %u below %u, the least for udp",
						cfg->sizes[i], LVDPA_GUEST_MIN_PKT_UDP);
				return -EINVAL;
			}
	}
	return 0;
}

struct lvdpa_guest *
lvdpa_guest_create(const struct lvdpa_guest_config *cfg)
{
	static const uint8_t def_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const uint8_t zero_mac[6];
	struct lvdpa_guest *g;
	unsigned int i;
	int rc;

	rc = lvdpa_guest_check_config(cfg);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	g = calloc(1, sizeof(*g));
	if (g == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	g->cfg = *cfg;
	g->sock = -1;
	g->listen_fd = -1;
	for (i = 0; i < LVDPA_GUEST_MAX_REGIONS; i++)
		g->mem.r[i].fd = -1;
	for (i = 0; i < LVDPA_GUEST_MAX_QP; i++) {
		g->qp[i].rx.kick_fd = g->qp[i].rx.call_fd = -1;
		g->qp[i].tx.kick_fd = g->qp[i].tx.call_fd = -1;
	}
	if (g->cfg.timeout_ms == 0)
		g->cfg.timeout_ms = 3000;
	if (memcmp(g->cfg.mac, zero_mac, 6) == 0)
		memcpy(g->cfg.mac, def_mac, 6);
	g->path = strdup(cfg->socket_path);
	g->cfg.socket_path = g->path;
	g->nqp = cfg->queue_pairs;
	g->nsizes = cfg->nsizes;
	memcpy(g->sizes, cfg->sizes, sizeof(g->sizes));
	if (cfg->verbose >= 2)
		rte_log_set_level(lvdpa_guest_logtype, RTE_LOG_DEBUG);
	else if (cfg->verbose == 1)
		rte_log_set_level(lvdpa_guest_logtype, RTE_LOG_INFO);
	if (g->path == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = lvdpa_guest_mem_create(&g->mem, cfg->mem_size, cfg->mem_regions);
	if (rc < 0) {
		LVDPA_GUEST_LOG(ERR, "guest memory of %" PRIu64 " bytes: %s",
				cfg->mem_size, strerror(-rc));
		goto fail;
	}
	return g;
fail:
	lvdpa_guest_destroy(g);
	errno = -rc;
	return NULL;
}

int
lvdpa_guest_open(struct lvdpa_guest *g)
{
	int fd;

	if (g->sock >= 0)
		return 0;
	if (g->cfg.server) {
		if (g->listen_fd < 0) {
			g->listen_fd = lvdpa_guest_sock_listen(g->path);
			if (g->listen_fd < 0) {
				LVDPA_GUEST_LOG(ERR, "listen on %s: %s", g->path,
						strerror(-g->listen_fd));
				return g->listen_fd;
			}
		}
		fd = lvdpa_guest_sock_accept(g->listen_fd, g->cfg.timeout_ms);
	} else {
		fd = lvdpa_guest_sock_connect(g->path, g->cfg.timeout_ms);
	}
	if (fd < 0) {
		LVDPA_GUEST_LOG(ERR, "%s %s: %s", g->cfg.server ? "accept on" :
				"connect to", g->path, strerror(-fd));
		return fd;
	}
	g->sock = fd;
	LVDPA_GUEST_LOG(INFO, "%s %s", g->cfg.server ? "backend connected to" :
			"connected to", g->path);
	return 0;
}

int
lvdpa_guest_request(struct lvdpa_guest *g, struct lvdpa_guest_msg *msg,
		    struct lvdpa_guest_msg *reply)
{
	struct lvdpa_guest_msg ack;
	uint32_t req = msg->request;
	uint64_t val;
	int rc;

	if (g->sock < 0)
		return -ENOTCONN;
	LVDPA_GUEST_LOG(DEBUG, "-> %s size %u flags 0x%x fds %u",
			lvdpa_guest_req_name(req), msg->size, msg->flags,
			msg->nfds);
	rc = lvdpa_guest_msg_send(g->sock, msg);
	if (rc < 0) {
		LVDPA_GUEST_LOG(ERR, "send %s: %s", lvdpa_guest_req_name(req),
				strerror(-rc));
		return rc;
	}
	if (reply == NULL && !(msg->flags & LVDPA_GUEST_MSG_NEED_REPLY))
		return 0;
	if (reply == NULL)
		reply = &ack;
	rc = lvdpa_guest_msg_recv(g->sock, reply, g->cfg.timeout_ms);
	if (rc < 0) {
		LVDPA_GUEST_LOG(ERR, "reply to %s: %s", lvdpa_guest_req_name(req),
				strerror(-rc));
		return rc;
	}
	LVDPA_GUEST_LOG(DEBUG, "<- %s size %u flags 0x%x",
			lvdpa_guest_req_name(reply->request), reply->size,
			reply->flags);
	if (reply->request != req ||
	    (reply->flags & 0x3) != LVDPA_GUEST_MSG_VERSION ||
	    !(reply->flags & LVDPA_GUEST_MSG_REPLY)) {
		LVDPA_GUEST_LOG(ERR, "bad reply to %s: request %u flags 0x%x",
				lvdpa_guest_req_name(req), reply->request,
				reply->flags);
		return -EPROTO;
	}
	if (reply == &ack) {
		if (ack.size != 8) {
			LVDPA_GUEST_LOG(ERR, "REPLY_ACK to %s has size %u",
					lvdpa_guest_req_name(req), ack.size);
			return -EPROTO;
		}
		memcpy(&val, ack.payload, 8);
		if (val != 0) {
			LVDPA_GUEST_LOG(ERR, "backend refused %s (ack %" PRIu64 ")",
					lvdpa_guest_req_name(req), val);
			return -EREMOTEIO;
		}
	}
	return 0;
}

/* NEED_REPLY on set messages once REPLY_ACK is negotiated, as QEMU does
 * where it needs to know a message took effect. */
static uint32_t
lvdpa_guest_ack(const struct lvdpa_guest *g)
{
	return (g->pf & LVDPA_GUEST_BIT(LVDPA_GUEST_PF_REPLY_ACK)) ?
		LVDPA_GUEST_MSG_NEED_REPLY : 0;
}

static int
lvdpa_guest_get_u64(struct lvdpa_guest *g, uint32_t req, uint64_t *val)
{
	struct lvdpa_guest_msg msg, reply;
	int rc;

	lvdpa_guest_msg_none(&msg, req, 0);
	rc = lvdpa_guest_request(g, &msg, &reply);
	if (rc < 0)
		return rc;
	if (reply.size != 8) {
		LVDPA_GUEST_LOG(ERR, "%s reply size %u", lvdpa_guest_req_name(req),
				reply.size);
		return -EPROTO;
	}
	memcpy(val, reply.payload, 8);
	return 0;
}

static int
lvdpa_guest_set_u64(struct lvdpa_guest *g, uint32_t req, uint32_t flags,
		    uint64_t val)
{
	struct lvdpa_guest_msg msg;

	lvdpa_guest_msg_u64(&msg, req, flags, val);
	return lvdpa_guest_request(g, &msg, NULL);
}

static int
lvdpa_guest_set_state(struct lvdpa_guest *g, uint32_t req, uint32_t index,
		      uint32_t num)
{
	struct lvdpa_guest_msg msg;

	lvdpa_guest_msg_state(&msg, req, lvdpa_guest_ack(g), index, num);
	return lvdpa_guest_request(g, &msg, NULL);
}

static int
lvdpa_guest_get_config(struct lvdpa_guest *g)
{
	struct lvdpa_guest_msg msg, reply;
	uint32_t size;
	int rc;

	rc = lvdpa_guest_msg_config(&msg, 0, 0, LVDPA_GUEST_NET_CONFIG_LEN);
	if (rc == 0)
		rc = lvdpa_guest_request(g, &msg, &reply);
	if (rc < 0)
		return rc;
	/* A backend that cannot answer replies with an empty config. */
	if (reply.size < 12) {
		LVDPA_GUEST_LOG(WARNING, "GET_CONFIG refused (reply size %u)",
				reply.size);
		return 0;
	}
	memcpy(&size, reply.payload + 4, 4);
	if (size > reply.size - 12 || size > LVDPA_GUEST_CONFIG_MAX)
		return -EPROTO;
	memcpy(g->config_space, reply.payload + 12, size);
	g->config_len = size;
	LVDPA_GUEST_LOG(INFO, "config: %u bytes, mac %02x:%02x:%02x:%02x:%02x:%02x",
			size, g->config_space[0], g->config_space[1],
			g->config_space[2], g->config_space[3],
			g->config_space[4], g->config_space[5]);
	return 0;
}

static int
lvdpa_guest_negotiate_features(struct lvdpa_guest *g)
{
	uint64_t want = g->cfg.features & ~LVDPA_GUEST_BIT(LVDPA_VIRTIO_F_PROTOCOL_FEATURES);
	uint64_t must = want & (LVDPA_GUEST_BIT(LVDPA_VIRTIO_F_VERSION_1) |
				LVDPA_GUEST_BIT(LVDPA_VIRTIO_F_RING_PACKED));
	bool cross;

	/* Queue pairs beyond the first exist only with VIRTIO_NET_F_MQ. */
	if (g->nqp > 1) {
		want |= LVDPA_GUEST_BIT(LVDPA_VIRTIO_NET_F_MQ);
		must |= LVDPA_GUEST_BIT(LVDPA_VIRTIO_NET_F_MQ);
	}
	if ((g->offered & must) != must) {
		LVDPA_GUEST_LOG(ERR, "backend does not offer features 0x%" PRIx64 " (offered 0x%" PRIx64 ")",
				must & ~g->offered, g->offered);
		return -ENOTSUP;
	}
	g->features = g->offered & want;
	/* Legacy cross-endian rings need SET_VRING_ENDIAN; QEMU refuses the
	 * device when the backend lacks CROSS_ENDIAN, so do we. */
	cross = !(g->features & LVDPA_GUEST_BIT(LVDPA_VIRTIO_F_VERSION_1)) &&
		g->cfg.big_endian != lvdpa_guest_host_big_endian();
	if (cross && !(g->pf & LVDPA_GUEST_BIT(LVDPA_GUEST_PF_CROSS_ENDIAN))) {
		LVDPA_GUEST_LOG(ERR, "a %s-endian legacy guest needs SET_VRING_ENDIAN, and the backend did not negotiate CROSS_ENDIAN (QEMU refuses this configuration too)",
				g->cfg.big_endian ? "big" : "little");
		return -ENOTSUP;
	}
	g->hdr_len = lvdpa_net_hdr_len(g->features);
	g->mrg = !!(g->features & LVDPA_GUEST_BIT(LVDPA_VIRTIO_NET_F_MRG_RXBUF));
	g->packed = !!(g->features & LVDPA_GUEST_BIT(LVDPA_VIRTIO_F_RING_PACKED));
	g->indirect = g->cfg.use_indirect &&
		(g->features & LVDPA_GUEST_BIT(LVDPA_VIRTIO_F_INDIRECT_DESC));
	switch (g->cfg.hdr_layout) {
	case LVDPA_GUEST_HDR_OWN_DESC:
		g->hdr_own = true;
		break;
	case LVDPA_GUEST_HDR_INLINE:
		g->hdr_own = false;
		break;
	default:
		g->hdr_own = !(g->features & (LVDPA_GUEST_BIT(LVDPA_VIRTIO_F_ANY_LAYOUT) |
					      LVDPA_GUEST_BIT(LVDPA_VIRTIO_F_VERSION_1)));
		break;
	}
	return 0;
}

static bool
lvdpa_guest_cross_endian(const struct lvdpa_guest *g)
{
	return !(g->features & LVDPA_GUEST_BIT(LVDPA_VIRTIO_F_VERSION_1)) &&
		g->cfg.big_endian != lvdpa_guest_host_big_endian();
}

static int
lvdpa_guest_setup_vring(struct lvdpa_guest *g, struct lvdpa_guest_vq *vq)
{
	struct lvdpa_guest_msg msg;
	void *desc, *drv, *dev;
	uint64_t dlen = lvdpa_ring_desc_bytes(g->cfg.queue_size, g->packed);
	bool ev = !!(g->features & LVDPA_GUEST_BIT(LVDPA_VIRTIO_F_EVENT_IDX));
	uint32_t ack = lvdpa_guest_ack(g);
	int rc;

	rc = lvdpa_guest_set_state(g, LVDPA_GUEST_REQ_SET_VRING_NUM, vq->index,
				   g->cfg.queue_size);
	if (rc < 0)
		return rc;
	/* A fresh ring: packed rings start with both wrap counters set. */
	rc = lvdpa_guest_set_state(g, LVDPA_GUEST_REQ_SET_VRING_BASE, vq->index,
				   g->packed ? 0x8000 : 0);
	if (rc < 0)
		return rc;
	if (lvdpa_guest_cross_endian(g)) {
		rc = lvdpa_guest_set_state(g, LVDPA_GUEST_REQ_SET_VRING_ENDIAN,
					   vq->index, g->cfg.big_endian ?
					   LVDPA_GUEST_VRING_BIG_ENDIAN :
					   LVDPA_GUEST_VRING_LITTLE_ENDIAN);
		if (rc < 0)
			return rc;
	}
	/* Ring addresses go in the frontend's virtual addresses, as QEMU
	 * sends them; the backend maps them through the memory table. */
	desc = lvdpa_guest_mem_ptr(&g->mem, vq->desc_gpa, dlen);
	drv = lvdpa_guest_mem_ptr(&g->mem, vq->driver_gpa,
				  lvdpa_ring_driver_bytes(g->cfg.queue_size, g->packed, ev));
	dev = lvdpa_guest_mem_ptr(&g->mem, vq->device_gpa,
				  lvdpa_ring_device_bytes(g->cfg.queue_size, g->packed, ev));
	if (desc == NULL || drv == NULL || dev == NULL)
		return -EFAULT;
	lvdpa_guest_msg_addr(&msg, ack, vq->index, (uintptr_t)desc,
			     (uintptr_t)dev, (uintptr_t)drv, 0);
	rc = lvdpa_guest_request(g, &msg, NULL);
	if (rc < 0)
		return rc;
	lvdpa_guest_msg_file(&msg, LVDPA_GUEST_REQ_SET_VRING_KICK, ack,
			     vq->index, vq->kick_fd);
	rc = lvdpa_guest_request(g, &msg, NULL);
	if (rc < 0)
		return rc;
	lvdpa_guest_msg_file(&msg, LVDPA_GUEST_REQ_SET_VRING_CALL, ack,
			     vq->index, vq->call_fd);
	return lvdpa_guest_request(g, &msg, NULL);
}

static int
lvdpa_guest_set_mem_table(struct lvdpa_guest *g)
{
	struct lvdpa_guest_mem_region_desc rd[LVDPA_GUEST_MAX_REGIONS];
	int fds[LVDPA_GUEST_MAX_REGIONS];
	struct lvdpa_guest_msg msg;
	unsigned int i;
	int rc;

	for (i = 0; i < g->mem.n; i++) {
		rd[i].gpa = g->mem.r[i].gpa;
		rd[i].size = g->mem.r[i].size;
		rd[i].uaddr = (uintptr_t)g->mem.r[i].va;
		rd[i].mmap_offset = 0;
		fds[i] = g->mem.r[i].fd;
	}
	rc = lvdpa_guest_msg_mem_table(&msg, lvdpa_guest_ack(g), rd, fds,
				       g->mem.n);
	if (rc < 0)
		return rc;
	return lvdpa_guest_request(g, &msg, NULL);
}

int
lvdpa_guest_connect(struct lvdpa_guest *g)
{
	struct lvdpa_guest_msg msg;
	uint64_t val, status;
	unsigned int i;
	int rc;

	/* Rings and buffers are set up once: a guest that failed to
	 * connect, or was stopped, is destroyed and created anew. */
	if (g->started)
		return -EALREADY;
	if (g->connect_tried)
		return -EINVAL;
	g->connect_tried = true;
	rc = lvdpa_guest_open(g);
	if (rc < 0)
		return rc;
	/* vhost_user_backend_init(): features, then protocol features. */
	rc = lvdpa_guest_get_u64(g, LVDPA_GUEST_REQ_GET_FEATURES, &g->offered);
	if (rc < 0)
		return rc;
	LVDPA_GUEST_LOG(INFO, "backend offers features 0x%" PRIx64, g->offered);
	if ((g->offered & LVDPA_GUEST_BIT(LVDPA_VIRTIO_F_PROTOCOL_FEATURES)) &&
	    !g->cfg.no_protocol_features) {
		rc = lvdpa_guest_get_u64(g, LVDPA_GUEST_REQ_GET_PROTOCOL_FEATURES,
					 &g->offered_pf);
		if (rc < 0)
			return rc;
		g->pf = g->offered_pf & g->cfg.protocol_features &
			LVDPA_GUEST_PF_SUPPORTED;
		g->pf_acked = true;
		LVDPA_GUEST_LOG(INFO, "protocol features offered 0x%" PRIx64 ", acked 0x%" PRIx64,
				g->offered_pf, g->pf);
		rc = lvdpa_guest_set_u64(g, LVDPA_GUEST_REQ_SET_PROTOCOL_FEATURES,
					 0, g->pf);
		if (rc < 0)
			return rc;
	}
	if (g->pf & LVDPA_GUEST_BIT(LVDPA_GUEST_PF_MQ)) {
		rc = lvdpa_guest_get_u64(g, LVDPA_GUEST_REQ_GET_QUEUE_NUM, &val);
		if (rc < 0)
			return rc;
		g->backend_queues = val > UINT16_MAX ? UINT16_MAX : (uint16_t)val;
		if (g->nqp > g->backend_queues) {
			LVDPA_GUEST_LOG(ERR, "backend serves %u queue pairs, %u asked",
					g->backend_queues, g->nqp);
			return -ENOTSUP;
		}
	} else if (g->nqp > 1) {
		LVDPA_GUEST_LOG(ERR, "%u queue pairs need the MQ protocol feature",
				g->nqp);
		return -ENOTSUP;
	}
	/* vhost_dev_init(): SET_OWNER, then the features again. */
	lvdpa_guest_msg_none(&msg, LVDPA_GUEST_REQ_SET_OWNER, 0);
	rc = lvdpa_guest_request(g, &msg, NULL);
	if (rc < 0)
		return rc;
	rc = lvdpa_guest_get_u64(g, LVDPA_GUEST_REQ_GET_FEATURES, &val);
	if (rc < 0)
		return rc;
	if (val != g->offered) {
		LVDPA_GUEST_LOG(ERR, "features changed from 0x%" PRIx64 " to 0x%" PRIx64,
				g->offered, val);
		return -EPROTO;
	}
	/* vhost_virtqueue_init(): every ring gets its call fd early. */
	rc = lvdpa_guest_net_fds(g);
	if (rc < 0)
		return rc;
	for (i = 0; i < 2 * g->nqp; i++) {
		const struct lvdpa_guest_vq *vq = (i & 1) ? &g->qp[i / 2].tx :
							    &g->qp[i / 2].rx;

		lvdpa_guest_msg_file(&msg, LVDPA_GUEST_REQ_SET_VRING_CALL,
				     lvdpa_guest_ack(g), i, vq->call_fd);
		rc = lvdpa_guest_request(g, &msg, NULL);
		if (rc < 0)
			return rc;
	}
	rc = lvdpa_guest_negotiate_features(g);
	if (rc < 0)
		return rc;
	if (g->pf & LVDPA_GUEST_BIT(LVDPA_GUEST_PF_CONFIG)) {
		rc = lvdpa_guest_get_config(g);
		if (rc < 0)
			return rc;
	}
	rc = lvdpa_guest_net_setup(g);
	if (rc < 0)
		return rc;
	/* vhost_dev_start(): features, memory, then ring by ring. */
	val = g->features;
	if (g->pf_acked)
		val |= LVDPA_GUEST_BIT(LVDPA_VIRTIO_F_PROTOCOL_FEATURES);
	rc = lvdpa_guest_set_u64(g, LVDPA_GUEST_REQ_SET_FEATURES,
				 lvdpa_guest_ack(g), val);
	if (rc < 0)
		return rc;
	rc = lvdpa_guest_set_mem_table(g);
	if (rc < 0)
		return rc;
	for (i = 0; i < g->nqp; i++) {
		rc = lvdpa_guest_setup_vring(g, &g->qp[i].rx);
		if (rc < 0)
			return rc;
		rc = lvdpa_guest_setup_vring(g, &g->qp[i].tx);
		if (rc < 0)
			return rc;
	}
	/* The driver fills its RX ring before it tells the device it is ready. */
	rc = lvdpa_guest_net_start(g);
	if (rc < 0)
		return rc;
	if (g->pf_acked) {
		for (i = 0; i < 2 * g->nqp; i++) {
			rc = lvdpa_guest_set_state(g, LVDPA_GUEST_REQ_SET_VRING_ENABLE,
						   i, 1);
			if (rc < 0)
				return rc;
		}
	}
	if (g->pf & LVDPA_GUEST_BIT(LVDPA_GUEST_PF_STATUS)) {
		status = LVDPA_VIRTIO_STATUS_ACKNOWLEDGE | LVDPA_VIRTIO_STATUS_DRIVER |
			 LVDPA_VIRTIO_STATUS_DRIVER_OK;
		if (g->features & LVDPA_GUEST_BIT(LVDPA_VIRTIO_F_VERSION_1))
			status |= LVDPA_VIRTIO_STATUS_FEATURES_OK;
		rc = lvdpa_guest_set_u64(g, LVDPA_GUEST_REQ_SET_STATUS,
					 lvdpa_guest_ack(g), status);
		if (rc < 0)
			return rc;
	}
	g->started = true;
	LVDPA_GUEST_LOG(INFO, "started: features 0x%" PRIx64 ", protocol 0x%" PRIx64 ", %u-byte header%s, %s ring, %u queue pair(s)",
			g->features, g->pf, g->hdr_len,
			g->hdr_own ? " in its own descriptor" : "",
			g->packed ? "packed" : "split", g->nqp);
	return 0;
}

int
lvdpa_guest_stop(struct lvdpa_guest *g)
{
	struct lvdpa_guest_msg msg, reply;
	unsigned int i;
	int rc, ret = 0;

	if (g == NULL || !g->started)
		return 0;
	g->started = false;
	if (g->pf_acked) {
		for (i = 0; i < 2 * g->nqp; i++) {
			rc = lvdpa_guest_set_state(g, LVDPA_GUEST_REQ_SET_VRING_ENABLE,
						   i, 0);
			if (rc < 0)
				return rc;
		}
	}
	for (i = 0; i < 2 * g->nqp; i++) {
		struct lvdpa_guest_vq *vq = (i & 1) ? &g->qp[i / 2].tx :
						      &g->qp[i / 2].rx;
		uint32_t num;

		lvdpa_guest_msg_state(&msg, LVDPA_GUEST_REQ_GET_VRING_BASE, 0, i, 0);
		rc = lvdpa_guest_request(g, &msg, &reply);
		if (rc < 0)
			return rc;
		if (reply.size != 8) {
			ret = -EPROTO;
			continue;
		}
		memcpy(&num, reply.payload + 4, 4);
		vq->base = (uint16_t)num;
		LVDPA_GUEST_LOG(INFO, "vring %u stopped at base %u", i, num);
	}
	return ret;
}

void
lvdpa_guest_destroy(struct lvdpa_guest *g)
{
	if (g == NULL)
		return;
	lvdpa_guest_net_teardown(g);
	if (g->sock >= 0)
		close(g->sock);
	if (g->listen_fd >= 0) {
		close(g->listen_fd);
		if (g->path != NULL)
			unlink(g->path);
	}
	lvdpa_guest_mem_destroy(&g->mem);
	free(g->path);
	free(g);
}

int
lvdpa_guest_send_raw(struct lvdpa_guest *g, uint32_t request, uint32_t flags,
		     uint32_t size, const void *payload, size_t payload_len,
		     const int *fds, unsigned int nfds, void *reply,
		     size_t reply_len)
{
	uint8_t buf[LVDPA_GUEST_MSG_HDR_SIZE + 4096];
	struct lvdpa_guest_msg r;
	int rc;

	if (payload_len > sizeof(buf) - LVDPA_GUEST_MSG_HDR_SIZE ||
	    (payload_len > 0 && payload == NULL))
		return -EINVAL;
	rc = lvdpa_guest_open(g);
	if (rc < 0)
		return rc;
	memcpy(buf, &request, 4);
	memcpy(buf + 4, &flags, 4);
	memcpy(buf + 8, &size, 4);
	if (payload_len > 0)
		memcpy(buf + 12, payload, payload_len);
	rc = lvdpa_guest_sock_send(g->sock, buf, 12 + payload_len, fds, nfds);
	if (rc < 0 || reply == NULL)
		return rc;
	rc = lvdpa_guest_msg_recv(g->sock, &r, g->cfg.timeout_ms);
	if (rc < 0)
		return rc;
	if (reply_len > r.size)
		reply_len = r.size;
	memcpy(reply, r.payload, reply_len);
	return (int)reply_len;
}

uint64_t
lvdpa_guest_features(const struct lvdpa_guest *g)
{
	return g->features;
}

uint64_t
lvdpa_guest_protocol_features(const struct lvdpa_guest *g)
{
	return g->pf;
}

uint64_t
lvdpa_guest_offered_features(const struct lvdpa_guest *g)
{
	return g->offered;
}

unsigned int
lvdpa_guest_hdr_len(const struct lvdpa_guest *g)
{
	return g->hdr_len;
}

unsigned int
lvdpa_guest_config_space(const struct lvdpa_guest *g, uint8_t *buf,
			 unsigned int len)
{
	if (len > g->config_len)
		len = g->config_len;
	memcpy(buf, g->config_space, len);
	return len;
}
