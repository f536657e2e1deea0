/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * lib/lvdpa_vhost without EAL or sockets: host ordering, argument checks,
 * and the answers for connections that are not attached.
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>

#include "lvdpa_test.h"
#include "lvdpa_vhost.h"

static int
test_vhost_host_order(void)
{
	enum lvdpa_vhost_order detected = lvdpa_vhost_host_order();

#if defined(RTE_ARCH_X86)
	LVDPA_TEST_ASSERT_EQ(detected, LVDPA_VHOST_ORDER_STRONG, "x86 is TSO");
#else
	LVDPA_TEST_ASSERT_EQ(detected, LVDPA_VHOST_ORDER_WEAK, "not x86");
#endif
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_set_host_order(LVDPA_VHOST_ORDER_WEAK),
			     0, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_host_order(), LVDPA_VHOST_ORDER_WEAK,
			     "override");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_set_host_order(
				LVDPA_VHOST_ORDER_STRONG), 0, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_host_order(),
			     LVDPA_VHOST_ORDER_STRONG, "override");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_set_host_order(
				(enum lvdpa_vhost_order)7), -EINVAL, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_host_order(),
			     LVDPA_VHOST_ORDER_STRONG, "kept on error");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_set_host_order(LVDPA_VHOST_ORDER_AUTO),
			     0, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_host_order(), detected, "restored");
	return 0;
}

static int
test_vhost_not_attached(void)
{
	struct lvdpa_vhost_state st;
	uint8_t cfg[16] = { 0 }, buf[4];
	bool mixed;

	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_state(3, &st), -ENODEV, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_state(-1, &st), -ENODEV, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_state(3, NULL), -EINVAL, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_endian(3, &mixed), -ENODEV, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_features_set(3, 0), -ENODEV, "-");
	LVDPA_TEST_ASSERT(!lvdpa_vhost_is_attached(3), "-");
	LVDPA_TEST_ASSERT(!lvdpa_vhost_is_attached(1 << 20), "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_config_access(3,
				LVDPA_VHOST_CONFIG_READ, cfg, sizeof(cfg), 0,
				buf, sizeof(buf)), -ENODEV, "-");
	/* Harmless on unknown vids. */
	lvdpa_vhost_detach_vid(3);
	lvdpa_vhost_on_cleanup(-5);
	return 0;
}

static int
test_vhost_bad_arguments(void)
{
	uint8_t cfg[16] = { 0 }, buf[32];

	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_on_new_connection(-1, NULL), -EINVAL,
			     "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_on_new_connection(1 << 20, NULL),
			     -EINVAL, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_attach(NULL, NULL), -EINVAL, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_detach(NULL), -EINVAL, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_detach("/nonexistent"), -ENOENT, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_driver_callback_register(NULL, NULL),
			     -EINVAL, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_attach_vdpa(NULL, NULL), -EINVAL, "-");
	/* Ranges beyond the config are refused before anything else. */
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_config_access(3,
				LVDPA_VHOST_CONFIG_READ, cfg, sizeof(cfg), 8,
				buf, 16), -EINVAL, "past the end");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_config_access(3,
				LVDPA_VHOST_CONFIG_READ, cfg, sizeof(cfg),
				UINT32_MAX, buf, 2), -EINVAL, "wrapping");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_config_access(3,
				LVDPA_VHOST_CONFIG_READ, cfg, 300, 0, buf, 2),
			     -EINVAL, "config larger than vhost-user allows");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_config_access(3,
				(enum lvdpa_vhost_config_dir)9, cfg,
				sizeof(cfg), 0, buf, 2), -EINVAL, "direction");
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_vhost_host_order),
	LVDPA_TEST_CASE(test_vhost_not_attached),
	LVDPA_TEST_CASE(test_vhost_bad_arguments),
)
