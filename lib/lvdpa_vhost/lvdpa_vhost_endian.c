/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Byte order: VHOST_USER_SET_VRING_ENDIAN per vring, the CROSS_ENDIAN
 * offer, and the device-wide view a driver reads.
 *
 * As the kernel's vhost does for VHOST_SET_VRING_ENDIAN: a ring's byte
 * order is what the frontend set, or the host's when it set none; it only
 * matters without VIRTIO_F_VERSION_1 (a modern ring is little endian).
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_vhost.h>

#include "lvdpa_vhost_private.h"


enum lvdpa_vhost_endian
lvdpa_vhost_native_endian(void)
{
#if RTE_BYTE_ORDER == RTE_BIG_ENDIAN
	return LVDPA_VHOST_ENDIAN_BIG;
#else
	return LVDPA_VHOST_ENDIAN_LITTLE;
#endif
}

static const char *
lvdpa_vhost_endian_name(uint32_t e)
{
	return e == LVDPA_VHOST_ENDIAN_BIG ? "big" : "little";
}

/*
 * rte_vhost 22.11 does not offer CROSS_ENDIAN: widen the socket's
 * protocol features. rte_vhost ANDs them with the vDPA driver's, so the
 * bit reaches the frontend only if the driver offers it as well. Must run
 * outside rte_vhost's socket lock (not from a vDPA op).
 */
void
lvdpa_vhost_endian_offer(int vid, const char *ifname)
{
	const uint64_t bit = UINT64_C(1) << LVDPA_VHOST_PROTOCOL_F_CROSS_ENDIAN;
	uint64_t pf = 0;

	if (rte_vhost_driver_get_protocol_features(ifname, &pf) != 0)
		return;
	if (pf & bit)
		return;
	/* With a vDPA device, pf is already the AND: storing it narrows the
	 * socket's set to what could be offered anyway.
	 */
	if (rte_vhost_driver_set_protocol_features(ifname, pf | bit) != 0)
		LVDPA_VHOST_LOG(ERR, ifname, "cannot offer CROSS_ENDIAN");
	else
		LVDPA_VHOST_LOG(DEBUG, ifname, "CROSS_ENDIAN offered (vid %d)",
				vid);
}

/* Pre handler of SET_VRING_ENDIAN; size and index checked already. */
enum lvdpa_vhost_verdict
lvdpa_vhost_endian_set_vring(struct lvdpa_vhost_conn *c,
		struct lvdpa_vhost_msg_ctx *ctx)
{
	uint32_t idx = ctx->msg.payload.state.index;
	uint32_t val = ctx->msg.payload.state.num;
	uint64_t pf = 0;

	/* Without CROSS_ENDIAN the request is unknown, as in rte_vhost. */
	if (rte_vhost_get_negotiated_protocol_features(c->vid, &pf) != 0 ||
	    !(pf & (UINT64_C(1) << LVDPA_VHOST_PROTOCOL_F_CROSS_ENDIAN))) {
		LVDPA_VHOST_LOG(ERR, c->ifname, "SET_VRING_ENDIAN without "
				"CROSS_ENDIAN negotiated: refused");
		return LVDPA_VHOST_FAIL;
	}
	if (val != LVDPA_VHOST_ENDIAN_LITTLE && val != LVDPA_VHOST_ENDIAN_BIG) {
		LVDPA_VHOST_LOG(ERR, c->ifname, "SET_VRING_ENDIAN vring %u: "
				"unknown value %u (0 little, 1 big)", idx, val);
		return LVDPA_VHOST_FAIL;
	}
	if (lvdpa_vhost_bit_get(c->vring_running, idx)) {
		LVDPA_VHOST_LOG(ERR, c->ifname, "SET_VRING_ENDIAN vring %u: "
				"ring is running, stop it first "
				"(GET_VRING_BASE)", idx);
		return LVDPA_VHOST_FAIL;
	}
	if (val == LVDPA_VHOST_ENDIAN_BIG && !c->caps.can_serve_big_endian) {
		LVDPA_VHOST_LOG(ERR, c->ifname, "SET_VRING_ENDIAN vring %u: "
				"big-endian ring refused: the attached driver "
				"cannot serve one (rte_vhost's datapath and "
				"the device are little endian only and would "
				"corrupt it)", idx);
		return LVDPA_VHOST_FAIL;
	}
	c->vring_endian[idx] = (uint8_t)val;
	lvdpa_vhost_bit_set(c->vring_endian_set, idx, true);
	if (c->features_set && (c->features & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_VERSION_1)))
		LVDPA_VHOST_LOG(NOTICE, c->ifname, "vring %u: %s endian "
				"recorded, but VERSION_1 keeps it little endian",
				idx, lvdpa_vhost_endian_name(val));
	else
		LVDPA_VHOST_LOG(INFO, c->ifname, "vring %u: %s endian", idx,
				lvdpa_vhost_endian_name(val));
	return LVDPA_VHOST_DONE;
}

/* Fills the byte-order part of @p st; called with the lock held. */
void
lvdpa_vhost_endian_view(const struct lvdpa_vhost_conn *c,
		struct lvdpa_vhost_state *st)
{
	bool modern = c->features & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_VERSION_1);
	bool have_dev = false;
	unsigned int i, highest = 0;

	memcpy(st->vring_endian_set, c->vring_endian_set,
	       sizeof(st->vring_endian_set));
	memcpy(st->vring_running, c->vring_running, sizeof(st->vring_running));
	st->device_endian = modern ? LVDPA_VHOST_ENDIAN_LITTLE :
		lvdpa_vhost_native_endian();
	st->endian_mixed = false;
	for (i = 0; i < LVDPA_VHOST_MAX_VRINGS; i++) {
		bool known = lvdpa_vhost_bit_get(c->vring_endian_set, i) ||
			lvdpa_vhost_bit_get(c->vring_running, i);
		uint8_t e = modern ? LVDPA_VHOST_ENDIAN_LITTLE :
			c->vring_endian[i];

		st->vring_endian[i] = e;
		if (!known)
			continue;
		highest = i + 1;
		/* The lowest known vring speaks for the device. */
		if (!have_dev) {
			st->device_endian = e;
			have_dev = true;
		} else if (e != st->device_endian) {
			st->endian_mixed = true;
		}
	}
	st->nr_vrings = c->max_vrings != 0 ? c->max_vrings :
		(uint16_t)RTE_MAX(highest, 2u);
}
