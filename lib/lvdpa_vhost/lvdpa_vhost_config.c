/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Features and config space.
 *
 * Features: zero is a valid negotiation, set_features(0) is never an error,
 * and RESET_OWNER or SET_STATUS 0 reset them to "not set".
 *
 * Config: reading or writing config space never sets features. The Linux
 * vDPA core once called set_features(0) on a config read made before
 * features were negotiated, which fixed a modern guest to legacy; a legacy
 * guest sees config fields in its own byte order, a modern one in little
 * endian (virtio spec, "Legacy Interface: Device Configuration Space").
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "lvdpa_vhost_private.h"


/* Multi-byte fields of struct virtio_net_config: offset and width. */
static const struct {
	uint8_t off;
	uint8_t len;
} lvdpa_vhost_net_cfg_fields[] = {
	{ 6, 2 },	/* status */
	{ 8, 2 },	/* max_virtqueue_pairs */
	{ 10, 2 },	/* mtu */
	{ 12, 4 },	/* speed */
	{ 18, 2 },	/* rss_max_indirection_table_length */
	{ 20, 4 },	/* supported_hash_types */
};

void
lvdpa_vhost_conn_reset(struct lvdpa_vhost_conn *c, const char *why)
{
	unsigned int i;

	c->features = 0;
	c->features_set = false;
	c->staged = false;
	memset(c->vring_endian_set, 0, sizeof(c->vring_endian_set));
	memset(c->vring_running, 0, sizeof(c->vring_running));
	for (i = 0; i < LVDPA_VHOST_MAX_VRINGS; i++)
		c->vring_endian[i] = lvdpa_vhost_native_endian();
	c->resets++;
	LVDPA_VHOST_LOG(INFO, c->ifname, "reset by %s: features cleared", why);
}

void
lvdpa_vhost_features_apply(struct lvdpa_vhost_conn *c, uint64_t f)
{
	bool was = c->features_set;

	c->features = f;
	c->features_set = true;
	c->staged = false;
	if (!was || f == 0)
		LVDPA_VHOST_LOG(INFO, c->ifname, "features 0x%" PRIx64 "%s",
				f, (f & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_VERSION_1)) ? "" :
				" (legacy guest)");
}

/* Pre handler of GET_CONFIG and SET_CONFIG; the payload is checked. */
enum lvdpa_vhost_verdict
lvdpa_vhost_config_check(struct lvdpa_vhost_conn *c,
		struct lvdpa_vhost_msg_ctx *ctx)
{
	/* Counted for the driver and tests; features stay as they are. */
	if (!c->features_set)
		c->config_before_features++;
	return LVDPA_VHOST_PASS;
}

static void
lvdpa_vhost_cfg_swap(uint8_t *cfg, uint32_t len)
{
	unsigned int i, k;

	for (i = 0; i < RTE_DIM(lvdpa_vhost_net_cfg_fields); i++) {
		unsigned int off = lvdpa_vhost_net_cfg_fields[i].off;
		unsigned int n = lvdpa_vhost_net_cfg_fields[i].len;

		if (off + n > len)
			continue;
		for (k = 0; k < n / 2; k++) {
			uint8_t t = cfg[off + k];

			cfg[off + k] = cfg[off + n - 1 - k];
			cfg[off + n - 1 - k] = t;
		}
	}
}

int
lvdpa_vhost_config_access(int vid, enum lvdpa_vhost_config_dir dir,
		void *dev_cfg, uint32_t dev_cfg_len, uint32_t offset,
		void *buf, uint32_t size)
{
	uint8_t tmp[LVDPA_VHOST_MAX_CONFIG_SIZE];
	struct lvdpa_vhost_state st;
	struct lvdpa_vhost_conn *c;
	bool swap = false;

	if (dev_cfg == NULL || (buf == NULL && size != 0) ||
	    (dir != LVDPA_VHOST_CONFIG_READ && dir != LVDPA_VHOST_CONFIG_WRITE))
		return -EINVAL;
	/* rte_vhost passes the frontend's size unchecked (up to 256+). */
	if (dev_cfg_len > LVDPA_VHOST_MAX_CONFIG_SIZE ||
	    (uint64_t)offset + size > dev_cfg_len)
		return -EINVAL;
	memset(&st, 0, sizeof(st));
	pthread_mutex_lock(&lvdpa_vhost_lock);
	c = lvdpa_vhost_conn_get(vid);
	if (c != NULL) {
		/* Before features a guest may still be legacy: guest order. */
		if (!(c->features & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_VERSION_1))) {
			lvdpa_vhost_endian_view(c, &st);
			swap = st.device_endian == LVDPA_VHOST_ENDIAN_BIG;
		}
	}
	pthread_mutex_unlock(&lvdpa_vhost_lock);
	if (c == NULL)
		return -ENODEV;
	memcpy(tmp, dev_cfg, dev_cfg_len);
	if (swap)
		lvdpa_vhost_cfg_swap(tmp, dev_cfg_len);
	if (dir == LVDPA_VHOST_CONFIG_READ) {
		memcpy(buf, tmp + offset, size);
		return 0;
	}
	memcpy(tmp + offset, buf, size);
	if (swap)
		lvdpa_vhost_cfg_swap(tmp, dev_cfg_len);
	memcpy(dev_cfg, tmp, dev_cfg_len);
	return 0;
}
