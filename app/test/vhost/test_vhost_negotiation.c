/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * lvdpa_vhost over real vhost-user sockets. One EAL process serves two
 * sockets in a private temporary directory:
 * - "vdpa": a fake vDPA device (this file plays its driver) attaches the
 *   library to each connection from its get_features op, while the
 *   "application" registers plain rte_vhost callbacks only;
 * - "app": an application attaches the library with lvdpa_vhost_attach()
 *   and chains its own extern handlers.
 * The frontend is a raw client (test_vhost_client.h) in the main thread;
 * rte_vhost serves from its own thread.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_vhost.h>

#include "lvdpa_test.h"
#include "lvdpa_test_eal.h"
#include "lvdpa_vhost.h"
#include "test_vhost_client.h"
#include "test_vhost_vdpa.h"

#define T_F_VERSION_1 (UINT64_C(1) << 32)
#define T_F_PROTOCOL_FEATURES (UINT64_C(1) << 30)
#define T_F_MRG_RXBUF (UINT64_C(1) << 15)
#define T_PF_REPLY_ACK (UINT64_C(1) << 3)
#define T_PF_CROSS_ENDIAN (UINT64_C(1) << 6)
#define T_LE 0
#define T_BE 1
#define T_APP_REQ 60
#define T_APP_REPLY UINT64_C(0x1234abcd)

static char t_dir[64];
static char t_path_vdpa[128];
static char t_path_app[128];
static char t_path_plain[128];
static struct rte_mempool *t_mp;
static struct rte_vdpa_device *t_vdev;
static bool t_ready, t_failed;
static bool t_registered_vdpa, t_registered_app, t_registered_plain;

static atomic_int t_vid = -1;		/* last connection on any socket */
static atomic_int t_running_vid = -1;	/* last new_device */
static atomic_bool t_be_allowed;	/* caps the fake driver attaches with */
static atomic_int t_op_saw_set = -1;	/* features_set inside set_features */
static atomic_uint t_app_pre[64], t_app_post[64];

/* The fake device's config: virtio-net layout, little endian. */
static const uint8_t t_cfg_init[24] = {
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56,	/* mac */
	0x01, 0x00,				/* status: LINK_UP */
	0x01, 0x00,				/* max_virtqueue_pairs */
	0xdc, 0x05,				/* mtu 1500 */
	0x10, 0x27, 0x00, 0x00,			/* speed 10000 */
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static uint8_t t_cfg[24];

/* --- the fake vDPA driver --- */

static int
t_get_queue_num(struct rte_vdpa_device *dev, uint32_t *qn)
{
	*qn = 1;
	return 0;
}

static int
t_get_features(struct rte_vdpa_device *dev, uint64_t *f)
{
	struct lvdpa_vhost_caps caps = {
		.can_serve_big_endian = atomic_load(&t_be_allowed),
	};

	/* What the PMD does: attach to connections it sees first here. */
	lvdpa_vhost_attach_vdpa(dev, &caps);
	*f = ~UINT64_C(0);
	return 0;
}

static int
t_get_protocol_features(struct rte_vdpa_device *dev, uint64_t *pf)
{
	*pf = ~UINT64_C(0);
	return 0;
}

static int
t_ok_vid(int vid)
{
	return 0;
}

static int
t_dev_cleanup(int vid)
{
	lvdpa_vhost_on_cleanup(vid);
	return 0;
}

static int
t_set_vring_state(int vid, int vring, int state)
{
	return 0;
}

static int
t_set_features(int vid)
{
	struct lvdpa_vhost_state st;
	uint64_t f = 0;

	if (rte_vhost_get_negotiated_features(vid, &f) != 0)
		return -1;
	if (lvdpa_vhost_features_set(vid, f) != 0)
		return -1;
	if (lvdpa_vhost_get_state(vid, &st) == 0)
		atomic_store(&t_op_saw_set, st.features_set && st.features == f);
	return 0;
}

static int
t_op_get_config(int vid, uint8_t *config, uint32_t size)
{
	return lvdpa_vhost_config_access(vid, LVDPA_VHOST_CONFIG_READ, t_cfg,
			sizeof(t_cfg), 0, config, size);
}

static int
t_op_set_config(int vid, uint8_t *config, uint32_t offset, uint32_t size,
	     uint32_t flags)
{
	return lvdpa_vhost_config_access(vid, LVDPA_VHOST_CONFIG_WRITE, t_cfg,
			sizeof(t_cfg), offset, config, size);
}

static int
t_get_dev_type(struct rte_vdpa_device *dev, uint32_t *type)
{
	*type = RTE_VHOST_VDPA_DEVICE_TYPE_NET;
	return 0;
}

static struct rte_vdpa_dev_ops t_vdpa_ops = {
	.get_queue_num = t_get_queue_num,
	.get_features = t_get_features,
	.get_protocol_features = t_get_protocol_features,
	.dev_conf = t_ok_vid,
	.dev_close = t_ok_vid,
	.dev_cleanup = t_dev_cleanup,
	.set_vring_state = t_set_vring_state,
	.set_features = t_set_features,
	.get_config = t_op_get_config,
	.set_config = t_op_set_config,
	.get_dev_type = t_get_dev_type,
};

static struct lvdpa_test_rte_device t_rte_dev = {
	.name = "lvdpa_test_vhost_vdpa",
	.numa_node = -1,
};

/* --- the applications --- */

static int
t_new_device(int vid)
{
	atomic_store(&t_running_vid, vid);
	return 0;
}

static void
t_destroy_device(int vid)
{
}

static int
t_new_connection(int vid)
{
	atomic_store(&t_vid, vid);
	return 0;
}

static const struct rte_vhost_device_ops t_plain_ops = {
	.new_device = t_new_device,
	.destroy_device = t_destroy_device,
	.new_connection = t_new_connection,
};

static enum rte_vhost_msg_result
t_app_pre_handler(int vid, void *msg)
{
	uint32_t req = *(const uint32_t *)msg;

	if (req < 64)
		atomic_fetch_add(&t_app_pre[req], 1);
	/* A request of the application's own, answered by it alone. */
	if (req == T_APP_REQ) {
		uint8_t *m = msg;
		uint32_t size = sizeof(uint64_t);
		uint64_t v = T_APP_REPLY;

		memcpy(m + 8, &size, sizeof(size));
		memcpy(m + 12, &v, sizeof(v));
		return RTE_VHOST_MSG_RESULT_REPLY;
	}
	return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

static enum rte_vhost_msg_result
t_app_post_handler(int vid, void *msg)
{
	uint32_t req = *(const uint32_t *)msg;

	if (req < 64)
		atomic_fetch_add(&t_app_post[req], 1);
	return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

static const struct rte_vhost_user_extern_ops t_app_ext = {
	.pre_msg_handle = t_app_pre_handler,
	.post_msg_handle = t_app_post_handler,
};

static int
t_app_new_connection(int vid)
{
	atomic_store(&t_vid, vid);
	/* An application with its own handlers keeps them, chained. */
	return lvdpa_vhost_extern_callback_register(vid, &t_app_ext, NULL);
}

static const struct rte_vhost_device_ops t_app_ops = {
	.new_device = t_new_device,
	.destroy_device = t_destroy_device,
	.new_connection = t_app_new_connection,
};

/* --- set-up and tear-down --- */

static void
t_teardown(void)
{
	if (t_registered_vdpa)
		rte_vhost_driver_unregister(t_path_vdpa);
	if (t_registered_app) {
		rte_vhost_driver_unregister(t_path_app);
		lvdpa_vhost_detach(t_path_app);
	}
	if (t_registered_plain)
		rte_vhost_driver_unregister(t_path_plain);
	if (t_vdev != NULL)
		rte_vdpa_unregister_device(t_vdev);
	if (t_path_plain[0] != '\0')
		unlink(t_path_plain);
	if (t_path_vdpa[0] != '\0')
		unlink(t_path_vdpa);
	if (t_path_app[0] != '\0')
		unlink(t_path_app);
	if (t_dir[0] != '\0')
		rmdir(t_dir);
}

static int
t_setup(void)
{
	if (t_ready || t_failed)
		return t_ready ? 0 : -1;
	t_failed = true;
	if (lvdpa_test_eal_init("vhost-negotiation", 128, NULL) != 0)
		return -1;
	rte_log_set_level_pattern("lib.vhost.*", RTE_LOG_CRIT);
	snprintf(t_dir, sizeof(t_dir), "/tmp/lvdpa-vhost-XXXXXX");
	if (mkdtemp(t_dir) == NULL) {
		t_dir[0] = '\0';
		return -1;
	}
	atexit(t_teardown);
	snprintf(t_path_vdpa, sizeof(t_path_vdpa), "%s/vdpa.sock", t_dir);
	snprintf(t_path_app, sizeof(t_path_app), "%s/app.sock", t_dir);
	snprintf(t_path_plain, sizeof(t_path_plain), "%s/plain.sock", t_dir);
	memcpy(t_cfg, t_cfg_init, sizeof(t_cfg));

	t_vdev = rte_vdpa_register_device((struct rte_device *)&t_rte_dev,
			&t_vdpa_ops);
	if (t_vdev == NULL)
		return -1;
	if (rte_vhost_driver_register(t_path_vdpa, 0) != 0)
		return -1;
	t_registered_vdpa = true;
	if (rte_vhost_driver_attach_vdpa_device(t_path_vdpa, t_vdev) != 0 ||
	    rte_vhost_driver_callback_register(t_path_vdpa, &t_plain_ops) != 0 ||
	    rte_vhost_driver_start(t_path_vdpa) != 0)
		return -1;

	if (rte_vhost_driver_register(t_path_app, 0) != 0)
		return -1;
	t_registered_app = true;
	if (lvdpa_vhost_attach(t_path_app, NULL) != 0 ||
	    lvdpa_vhost_driver_callback_register(t_path_app, &t_app_ops) != 0 ||
	    rte_vhost_driver_start(t_path_app) != 0)
		return -1;

	/* Plain rte_vhost, to compare against. */
	if (rte_vhost_driver_register(t_path_plain, 0) != 0)
		return -1;
	t_registered_plain = true;
	if (rte_vhost_driver_callback_register(t_path_plain, &t_plain_ops) != 0 ||
	    rte_vhost_driver_start(t_path_plain) != 0)
		return -1;
	t_ready = true;
	t_failed = false;
	return 0;
}

/* Connects and waits for the backend to know the connection; fd or -1. */
static int
t_open(const char *path, int *vid)
{
	int fd;

	atomic_store(&t_vid, -1);
	fd = lvdpa_tc_connect(path);
	if (fd < 0)
		return -1;
	if (lvdpa_tc_sync(fd) != 0 ||
	    lvdpa_tc_send(fd, LVDPA_TC_SET_OWNER, 0, NULL, 0, NULL, 0) != 0 ||
	    lvdpa_tc_sync(fd) != 0) {
		close(fd);
		return -1;
	}
	*vid = atomic_load(&t_vid);
	return 0 <= *vid ? fd : (close(fd), -1);
}

/* Closes and waits (bounded) until the library dropped the connection. */
static int
t_close(int fd, int vid)
{
	int64_t end = lvdpa_tc_now_ms() + LVDPA_TC_TIMEOUT_MS;

	close(fd);
	while (lvdpa_vhost_is_attached(vid)) {
		if (lvdpa_tc_now_ms() > end)
			return -1;
		usleep(5000);
	}
	return 0;
}

/* GET then SET_PROTOCOL_FEATURES with CROSS_ENDIAN (and REPLY_ACK). */
static int
t_negotiate_cross_endian(int fd)
{
	uint64_t pf = 0;

	if (lvdpa_tc_get_u64(fd, LVDPA_TC_GET_PROTOCOL_FEATURES, &pf) != 0)
		return -1;
	if (!(pf & T_PF_CROSS_ENDIAN))
		return -2;
	return lvdpa_tc_ack_u64(fd, LVDPA_TC_SET_PROTOCOL_FEATURES,
				T_PF_CROSS_ENDIAN | T_PF_REPLY_ACK) == 0 ? 0 : -3;
}

/* GET_CONFIG of @p size bytes; the payload length of the reply or -errno. */
static int
t_get_config(int fd, uint32_t cfg_size, uint8_t *out)
{
	uint32_t hdr[3] = { 0, cfg_size, 0 };
	uint8_t pl[12 + 300];
	struct lvdpa_tc_msg m;
	int ret;

	memset(pl, 0, sizeof(pl));
	memcpy(pl, hdr, sizeof(hdr));
	ret = lvdpa_tc_send(fd, LVDPA_TC_GET_CONFIG, 0, pl, 12 + cfg_size,
			    NULL, 0);
	if (ret != 0)
		return ret;
	ret = lvdpa_tc_recv(fd, LVDPA_TC_GET_CONFIG, &m);
	if (ret != 0)
		return ret;
	if (m.size >= 12 && out != NULL)
		memcpy(out, m.payload + 12, m.size - 12);
	return (int)m.size;
}

#define T_SETUP() LVDPA_TEST_ASSERT(t_setup() == 0, "set-up failed")

#define T_OPEN(path, fd, vid) do { \
	(fd) = t_open((path), &(vid)); \
	LVDPA_TEST_ASSERT((fd) >= 0, "cannot open a connection on %s", \
			  (path)); \
} while (0)

/* Each case closes its connection also on failure. */
#define T_RUN(body_fn, path) do { \
	int fd_, vid_, rc_; \
	T_SETUP(); \
	T_OPEN((path), fd_, vid_); \
	rc_ = body_fn(fd_, vid_); \
	LVDPA_TEST_ASSERT(t_close(fd_, vid_) == 0, \
			  "connection %d still attached after close", vid_); \
	return rc_; \
} while (0)

/* --- cases --- */

static int
t_attach_by_driver(int fd, int vid)
{
	struct lvdpa_vhost_state st;

	LVDPA_TEST_ASSERT(lvdpa_vhost_is_attached(vid), "vid %d", vid);
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_state(vid, &st), 0, "state");
	LVDPA_TEST_ASSERT(!st.features_set, "features set without SET");
	LVDPA_TEST_ASSERT_EQ(st.features, 0, "features");
	LVDPA_TEST_ASSERT(st.legacy, "no VERSION_1 is legacy");
	LVDPA_TEST_ASSERT_EQ(st.hdr_len, 10, "legacy header");
	LVDPA_TEST_ASSERT_EQ(st.device_endian, LVDPA_VHOST_ENDIAN_LITTLE, "-");
	LVDPA_TEST_ASSERT(!st.endian_mixed, "mixed");
	LVDPA_TEST_ASSERT_EQ(st.host_order, lvdpa_vhost_host_order(), "-");
	return 0;
}

static int
test_vhost_attach_by_driver(void)
{
	T_RUN(t_attach_by_driver, t_path_vdpa);
}

static int
t_zero_features(int fd, int vid)
{
	struct lvdpa_vhost_state st;
	uint64_t f = 1;

	atomic_store(&t_op_saw_set, -1);
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack_u64(fd, LVDPA_TC_SET_FEATURES, 0), 0,
			     "SET_FEATURES 0 must be accepted");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_state(vid, &st), 0, "state");
	LVDPA_TEST_ASSERT(st.features_set, "zero features are a negotiation");
	LVDPA_TEST_ASSERT_EQ(st.features, 0, "features");
	LVDPA_TEST_ASSERT(st.legacy, "legacy");
	LVDPA_TEST_ASSERT_EQ(st.hdr_len, 10, "hdr_len");
	LVDPA_TEST_ASSERT_EQ(atomic_load(&t_op_saw_set), 1,
			     "state inside the driver's set_features op");
	LVDPA_TEST_ASSERT_EQ(rte_vhost_get_negotiated_features(vid, &f), 0, "-");
	LVDPA_TEST_ASSERT_EQ(f, 0, "rte_vhost's features");
	return 0;
}

static int
test_vhost_zero_features(void)
{
	T_RUN(t_zero_features, t_path_vdpa);
}

static int
t_legacy_features(int fd, int vid)
{
	static const struct {
		uint64_t f;
		bool legacy;
		uint16_t hdr;
	} steps[] = {
		{ T_F_PROTOCOL_FEATURES, true, 10 },
		{ T_F_PROTOCOL_FEATURES | T_F_MRG_RXBUF, true, 12 },
		{ T_F_MRG_RXBUF, true, 12 },
		{ T_F_VERSION_1, false, 12 },
		{ 0, true, 10 },	/* set_features(0): a reset, no error */
	};
	struct lvdpa_vhost_state st;
	unsigned int i;

	for (i = 0; i < RTE_DIM(steps); i++) {
		LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack_u64(fd, LVDPA_TC_SET_FEATURES,
						      steps[i].f), 0, "step %u", i);
		LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_state(vid, &st), 0, "-");
		LVDPA_TEST_ASSERT(st.features_set, "step %u", i);
		LVDPA_TEST_ASSERT_EQ(st.vhost_features, steps[i].f, "step %u", i);
		LVDPA_TEST_ASSERT_EQ(st.features,
				     steps[i].f & ~T_F_PROTOCOL_FEATURES,
				     "step %u: virtio features only", i);
		LVDPA_TEST_ASSERT_EQ(st.legacy, steps[i].legacy, "step %u", i);
		LVDPA_TEST_ASSERT_EQ(st.hdr_len, steps[i].hdr, "step %u", i);
	}
	return 0;
}

static int
test_vhost_legacy_features(void)
{
	T_RUN(t_legacy_features, t_path_vdpa);
}

static int
t_cross_endian_offer(int fd, int vid)
{
	struct lvdpa_vhost_state st;

	LVDPA_TEST_ASSERT_EQ(t_negotiate_cross_endian(fd), 0,
			     "CROSS_ENDIAN offered and accepted");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_state(vid, &st), 0, "-");
	LVDPA_TEST_ASSERT(st.cross_endian, "negotiated");
	LVDPA_TEST_ASSERT(st.protocol_features & T_PF_REPLY_ACK, "-");
	return 0;
}

static int
test_vhost_cross_endian_offer(void)
{
	T_RUN(t_cross_endian_offer, t_path_vdpa);
}

static int
t_vring_endian_be_allowed(int fd, int vid)
{
	struct lvdpa_vhost_state st;
	uint8_t cfg[24];
	uint8_t mtu_be[2] = { 0x23, 0x28 };	/* 9000, guest (BE) order */
	uint8_t set_cfg[12 + 2];
	uint32_t set_hdr[3] = { 10, 2, 0 };
	bool mixed = true;

	LVDPA_TEST_ASSERT_EQ(t_negotiate_cross_endian(fd), 0, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack_u64(fd, LVDPA_TC_SET_FEATURES,
					      T_F_PROTOCOL_FEATURES), 0, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack_state(fd, LVDPA_TC_SET_VRING_ENDIAN,
						0, T_BE), 0, "vring 0 BE");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack_state(fd, LVDPA_TC_SET_VRING_ENDIAN,
						1, T_BE), 0, "vring 1 BE");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_state(vid, &st), 0, "-");
	LVDPA_TEST_ASSERT_EQ(st.vring_endian[0], T_BE, "-");
	LVDPA_TEST_ASSERT_EQ(st.vring_endian[1], T_BE, "-");
	LVDPA_TEST_ASSERT_EQ(st.vring_endian_set[0] & 3, 3, "-");
	LVDPA_TEST_ASSERT_EQ(st.device_endian, LVDPA_VHOST_ENDIAN_BIG, "-");
	LVDPA_TEST_ASSERT(!st.endian_mixed, "-");
	LVDPA_TEST_ASSERT_EQ(st.nr_vrings, 2, "one queue pair");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_endian(vid, &mixed),
			     LVDPA_VHOST_ENDIAN_BIG, "-");
	LVDPA_TEST_ASSERT(!mixed, "-");

	/* A big-endian legacy guest sees its config fields big endian. */
	LVDPA_TEST_ASSERT_EQ(t_get_config(fd, 12, cfg), 24, "GET_CONFIG");
	LVDPA_TEST_ASSERT(memcmp(cfg, t_cfg_init, 6) == 0, "mac unchanged");
	LVDPA_TEST_ASSERT(cfg[6] == 0x00 && cfg[7] == 0x01, "status BE");
	LVDPA_TEST_ASSERT(cfg[8] == 0x00 && cfg[9] == 0x01, "pairs BE");
	LVDPA_TEST_ASSERT(cfg[10] == 0x05 && cfg[11] == 0xdc, "mtu BE");
	/* ... and writes them big endian: the device keeps little endian. */
	memcpy(set_cfg, set_hdr, sizeof(set_hdr));
	memcpy(set_cfg + 12, mtu_be, 2);
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack(fd, LVDPA_TC_SET_CONFIG, set_cfg,
					  sizeof(set_cfg), NULL, 0), 0, "-");
	LVDPA_TEST_ASSERT(t_cfg[10] == 0x28 && t_cfg[11] == 0x23,
			  "mtu stored %02x %02x", t_cfg[10], t_cfg[11]);
	memcpy(t_cfg, t_cfg_init, sizeof(t_cfg));

	/* Vrings that disagree: the device-wide view says so. */
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack_state(fd, LVDPA_TC_SET_VRING_ENDIAN,
						1, T_LE), 0, "vring 1 LE");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_endian(vid, &mixed),
			     LVDPA_VHOST_ENDIAN_BIG, "-");
	LVDPA_TEST_ASSERT(mixed, "vrings 0 and 1 disagree");
	return 0;
}

static int
test_vhost_vring_endian_be_allowed(void)
{
	int fd, vid, rc;

	T_SETUP();
	/* The fake driver reads its capability when it attaches. */
	atomic_store(&t_be_allowed, true);
	fd = t_open(t_path_vdpa, &vid);
	atomic_store(&t_be_allowed, false);
	LVDPA_TEST_ASSERT(fd >= 0, "cannot open a connection");
	rc = t_vring_endian_be_allowed(fd, vid);
	memcpy(t_cfg, t_cfg_init, sizeof(t_cfg));
	LVDPA_TEST_ASSERT(t_close(fd, vid) == 0, "close");
	return rc;
}

static int
t_vring_endian_be_refused(int fd, int vid)
{
	struct lvdpa_vhost_state st;

	LVDPA_TEST_ASSERT_EQ(t_negotiate_cross_endian(fd), 0, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack_u64(fd, LVDPA_TC_SET_FEATURES, 0), 0,
			     "-");
	LVDPA_TEST_ASSERT(lvdpa_tc_ack_state(fd, LVDPA_TC_SET_VRING_ENDIAN, 0,
					     T_BE) > 0,
			  "a driver without big-endian support refuses");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_state(vid, &st), 0, "-");
	LVDPA_TEST_ASSERT_EQ(st.vring_endian_set[0], 0, "nothing changed");
	LVDPA_TEST_ASSERT_EQ(st.vring_endian[0], T_LE, "-");
	LVDPA_TEST_ASSERT_EQ(st.device_endian, LVDPA_VHOST_ENDIAN_LITTLE, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_sync(fd), 0, "connection alive");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack_state(fd, LVDPA_TC_SET_VRING_ENDIAN,
						0, T_LE), 0,
			     "little endian is always served");
	return 0;
}

static int
test_vhost_vring_endian_be_refused(void)
{
	T_RUN(t_vring_endian_be_refused, t_path_vdpa);
}

static int
t_config_before_features(int fd, int vid)
{
	struct lvdpa_vhost_state st;
	uint8_t cfg[24];
	uint64_t f = 1;
	uint32_t before;

	LVDPA_TEST_ASSERT_EQ(t_get_config(fd, 12, cfg), 24, "GET_CONFIG");
	LVDPA_TEST_ASSERT(memcmp(cfg, t_cfg_init, 12) == 0,
			  "little-endian host, no conversion");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_state(vid, &st), 0, "-");
	LVDPA_TEST_ASSERT(!st.features_set, "GET_CONFIG set features");
	LVDPA_TEST_ASSERT_EQ(st.features, 0, "-");
	LVDPA_TEST_ASSERT_EQ(st.config_before_features, 1, "-");
	LVDPA_TEST_ASSERT_EQ(rte_vhost_get_negotiated_features(vid, &f), 0, "-");
	LVDPA_TEST_ASSERT_EQ(f, 0, "rte_vhost's features untouched");
	before = st.config_before_features;

	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack_u64(fd, LVDPA_TC_SET_FEATURES,
					      T_F_VERSION_1), 0, "-");
	LVDPA_TEST_ASSERT_EQ(t_get_config(fd, 12, cfg), 24, "GET_CONFIG");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_state(vid, &st), 0, "-");
	LVDPA_TEST_ASSERT_EQ(st.features, T_F_VERSION_1, "kept");
	LVDPA_TEST_ASSERT_EQ(st.config_before_features, before, "-");
	return 0;
}

static int
test_vhost_config_before_features(void)
{
	T_RUN(t_config_before_features, t_path_vdpa);
}

static int
t_reset_owner(int fd, int vid)
{
	struct lvdpa_vhost_state st;

	LVDPA_TEST_ASSERT_EQ(t_negotiate_cross_endian(fd), 0, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack_u64(fd, LVDPA_TC_SET_FEATURES,
					      T_F_MRG_RXBUF), 0, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack_state(fd, LVDPA_TC_SET_VRING_ENDIAN,
						0, T_LE), 0, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_send(fd, LVDPA_TC_RESET_OWNER, 0, NULL, 0,
					   NULL, 0), 0, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_sync(fd), 0, "connection alive");
	LVDPA_TEST_ASSERT(lvdpa_vhost_is_attached(vid),
			  "RESET_OWNER's dev_cleanup must not detach");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_state(vid, &st), 0, "-");
	LVDPA_TEST_ASSERT(!st.features_set, "cleared");
	LVDPA_TEST_ASSERT_EQ(st.features, 0, "-");
	LVDPA_TEST_ASSERT_EQ(st.resets, 1, "-");
	LVDPA_TEST_ASSERT_EQ(st.vring_endian_set[0], 0, "-");
	LVDPA_TEST_ASSERT(!st.cross_endian, "rte_vhost reset protocol features");
	/* CROSS_ENDIAN is gone with the reset: request 23 is unknown again. */
	LVDPA_TEST_ASSERT(lvdpa_tc_ack_state(fd, LVDPA_TC_SET_VRING_ENDIAN, 0,
					     T_LE) > 0, "-");
	return 0;
}

static int
test_vhost_reset_owner(void)
{
	T_RUN(t_reset_owner, t_path_vdpa);
}

static int
t_set_status_zero(int fd, int vid)
{
	struct lvdpa_vhost_state st;

	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack_u64(fd, LVDPA_TC_SET_FEATURES,
					      T_F_VERSION_1), 0, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack_u64(fd, LVDPA_TC_SET_STATUS, 1), 0,
			     "ACKNOWLEDGE");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_state(vid, &st), 0, "-");
	LVDPA_TEST_ASSERT(st.features_set && st.resets == 0, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack_u64(fd, LVDPA_TC_SET_STATUS, 0), 0,
			     "device reset");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_state(vid, &st), 0, "-");
	LVDPA_TEST_ASSERT(!st.features_set, "cleared by status 0");
	LVDPA_TEST_ASSERT_EQ(st.features, 0, "-");
	LVDPA_TEST_ASSERT_EQ(st.resets, 1, "-");
	return 0;
}

static int
test_vhost_set_status_zero(void)
{
	T_RUN(t_set_status_zero, t_path_vdpa);
}

static int
t_malformed(int fd, int vid)
{
	struct lvdpa_vhost_state st;
	uint32_t short_state = 0;
	uint32_t kick = 0x100;	/* vring 0, no fd: polling */
	uint64_t kick64 = kick;
	struct lvdpa_tc_msg m;
	uint32_t st_msg[2] = { 0, 0 };
	int mfd;

	LVDPA_TEST_ASSERT_EQ(t_negotiate_cross_endian(fd), 0, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack_u64(fd, LVDPA_TC_SET_FEATURES,
					      T_F_PROTOCOL_FEATURES), 0, "-");

	/* Wrong payload size. */
	LVDPA_TEST_ASSERT(lvdpa_tc_ack(fd, LVDPA_TC_SET_VRING_ENDIAN,
				       &short_state, 4, NULL, 0) > 0, "size 4");
	LVDPA_TEST_ASSERT(lvdpa_tc_ack(fd, LVDPA_TC_SET_FEATURES, &short_state,
				       4, NULL, 0) > 0, "SET_FEATURES size 4");
	/* Vring index beyond the device's two vrings, and beyond 256. */
	LVDPA_TEST_ASSERT(lvdpa_tc_ack_state(fd, LVDPA_TC_SET_VRING_ENDIAN, 2,
					     T_LE) > 0, "index 2");
	LVDPA_TEST_ASSERT(lvdpa_tc_ack_state(fd, LVDPA_TC_SET_VRING_ENDIAN,
					     1000, T_LE) > 0, "index 1000");
	/* Unknown byte order. */
	LVDPA_TEST_ASSERT(lvdpa_tc_ack_state(fd, LVDPA_TC_SET_VRING_ENDIAN, 0,
					     7) > 0, "value 7");
	/* A descriptor where none belongs. */
	mfd = memfd_create("lvdpa-test", MFD_CLOEXEC);
	LVDPA_TEST_ASSERT(mfd >= 0, "memfd");
	LVDPA_TEST_ASSERT(lvdpa_tc_ack(fd, LVDPA_TC_SET_VRING_ENDIAN, st_msg,
				       sizeof(st_msg), &mfd, 1) > 0, "fd");
	close(mfd);
	/* Config larger than the config space. */
	LVDPA_TEST_ASSERT_EQ(t_get_config(fd, 300, NULL), 0,
			     "oversized GET_CONFIG: empty reply");

	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_state(vid, &st), 0, "-");
	LVDPA_TEST_ASSERT_EQ(st.vhost_features, T_F_PROTOCOL_FEATURES,
			     "unchanged");
	LVDPA_TEST_ASSERT_EQ(st.features, 0, "no virtio feature");
	LVDPA_TEST_ASSERT_EQ(st.vring_endian_set[0], 0, "unchanged");

	/* A running ring keeps its byte order. */
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack(fd, LVDPA_TC_SET_VRING_KICK, &kick64,
					  8, NULL, 0), 0, "kick");
	LVDPA_TEST_ASSERT(lvdpa_tc_ack_state(fd, LVDPA_TC_SET_VRING_ENDIAN, 0,
					     T_LE) > 0, "running ring");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_state(vid, &st), 0, "-");
	LVDPA_TEST_ASSERT_EQ(st.vring_running[0] & 1, 1, "-");
	LVDPA_TEST_ASSERT_EQ(st.vring_endian_set[0], 0, "unchanged");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_send(fd, LVDPA_TC_GET_VRING_BASE, 0,
					   st_msg, sizeof(st_msg), NULL, 0), 0,
			     "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_recv(fd, LVDPA_TC_GET_VRING_BASE, &m), 0,
			     "stopped");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack_state(fd, LVDPA_TC_SET_VRING_ENDIAN,
						0, T_LE), 0, "stopped ring");

	/* The connection and the library survived all of it. */
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_sync(fd), 0, "connection alive");
	LVDPA_TEST_ASSERT(lvdpa_vhost_is_attached(vid), "-");

	/* Without NEED_REPLY a refusal closes the connection (as rte_vhost). */
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_send(fd, LVDPA_TC_SET_VRING_ENDIAN, 0,
					   (uint32_t[]){ 0, 7 }, 8, NULL, 0),
			     0, "-");
	LVDPA_TEST_ASSERT(lvdpa_tc_closed_by_peer(fd), "connection closed");
	return 0;
}

static int
test_vhost_malformed(void)
{
	int fd, vid, fd2, vid2;
	int rc;

	T_SETUP();
	T_OPEN(t_path_vdpa, fd, vid);
	rc = t_malformed(fd, vid);
	LVDPA_TEST_ASSERT(t_close(fd, vid) == 0, "close");
	if (rc != 0)
		return rc;
	/* The process stays sound: a new connection works. */
	T_OPEN(t_path_vdpa, fd2, vid2);
	rc = lvdpa_tc_ack_u64(fd2, LVDPA_TC_SET_FEATURES, 0) == 0 ? 0 : -1;
	LVDPA_TEST_ASSERT(t_close(fd2, vid2) == 0, "close");
	LVDPA_TEST_ASSERT_EQ(rc, 0, "new connection after a refusal");
	return 0;
}

static int
t_without_cross_endian(int fd, int vid)
{
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack_u64(fd, LVDPA_TC_SET_PROTOCOL_FEATURES,
					      T_PF_REPLY_ACK), 0, "-");
	/* Exactly rte_vhost's answer to an unknown request 23. */
	LVDPA_TEST_ASSERT(lvdpa_tc_ack_state(fd, LVDPA_TC_SET_VRING_ENDIAN, 0,
					     T_LE) > 0, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_sync(fd), 0, "connection alive");
	return 0;
}

static int
test_vhost_without_cross_endian(void)
{
	T_RUN(t_without_cross_endian, t_path_vdpa);
}

static int
t_app_socket(int fd, int vid)
{
	struct lvdpa_vhost_state st;
	unsigned int pre_get;
	uint64_t v = 0;

	/* The application's handlers see messages through ours. */
	pre_get = atomic_load(&t_app_pre[LVDPA_TC_GET_FEATURES]);
	LVDPA_TEST_ASSERT(pre_get >= 2, "app pre saw %u GET_FEATURES", pre_get);
	LVDPA_TEST_ASSERT(atomic_load(&t_app_post[LVDPA_TC_SET_OWNER]) >= 1,
			  "app post");
	LVDPA_TEST_ASSERT_EQ(t_negotiate_cross_endian(fd), 0, "offered");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack_u64(fd, LVDPA_TC_SET_FEATURES, 0), 0,
			     "-");
	LVDPA_TEST_ASSERT(atomic_load(&t_app_pre[LVDPA_TC_SET_FEATURES]) >= 1,
			  "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_state(vid, &st), 0, "-");
	LVDPA_TEST_ASSERT(st.features_set && st.features == 0, "-");
	/* lvdpa_vhost_attach(path, NULL): no big-endian rings. */
	LVDPA_TEST_ASSERT(lvdpa_tc_ack_state(fd, LVDPA_TC_SET_VRING_ENDIAN, 0,
					     T_BE) > 0, "refused");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_ack_state(fd, LVDPA_TC_SET_VRING_ENDIAN,
						1, T_LE), 0, "-");
	LVDPA_TEST_ASSERT_EQ(lvdpa_vhost_get_state(vid, &st), 0, "-");
	LVDPA_TEST_ASSERT_EQ(st.vring_endian_set[0], 2, "only vring 1 set");
	/* The application's own request reaches its handler through ours. */
	LVDPA_TEST_ASSERT_EQ(lvdpa_tc_get_u64(fd, T_APP_REQ, &v), 0, "-");
	LVDPA_TEST_ASSERT_EQ(v, T_APP_REPLY, "answered by the application");
	return 0;
}

static int
test_vhost_app_socket(void)
{
	T_RUN(t_app_socket, t_path_app);
}

/*
 * DPDK's virtio-user (in this process) as the frontend: it never
 * negotiates CROSS_ENDIAN. Runs it up to DRIVER_OK on @p path and reports
 * what rte_vhost negotiated; with @p state, also the library's view.
 */
static int
t_virtio_user_run(const char *path, const char *name, uint64_t *f,
		  uint64_t *pf, struct lvdpa_vhost_state *state)
{
	struct rte_eth_conf conf;
	char args[256];
	uint16_t port;
	int64_t end;
	int vid, rc = -1, sock;

	snprintf(args, sizeof(args), "path=%s,queues=1,queue_size=64", path);
	atomic_store(&t_running_vid, -1);
	if (rte_eal_hotplug_add("vdev", name, args) != 0)
		return -1;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_get_port_by_name(name, &port) != 0)
		goto out;
	sock = rte_eth_dev_socket_id(port);
	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 64, sock, NULL, t_mp) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, 64, sock, NULL) != 0 ||
	    rte_eth_dev_start(port) != 0)
		goto close;
	end = lvdpa_tc_now_ms() + LVDPA_TC_TIMEOUT_MS;
	while ((vid = atomic_load(&t_running_vid)) < 0 &&
	       lvdpa_tc_now_ms() < end)
		usleep(5000);
	if (vid >= 0 && rte_vhost_get_negotiated_features(vid, f) == 0 &&
	    rte_vhost_get_negotiated_protocol_features(vid, pf) == 0)
		rc = state != NULL ? lvdpa_vhost_get_state(vid, state) : 0;
	rte_eth_dev_stop(port);
close:
	rte_eth_dev_close(port);
out:
	rte_eal_hotplug_remove("vdev", name);
	return rc;
}

static int
test_vhost_virtio_user_unchanged(void)
{
	struct lvdpa_vhost_state st;
	uint64_t f_plain = 0, pf_plain = 0, f = 0, pf = 0;

	T_SETUP();
	if (t_mp == NULL)
		t_mp = rte_pktmbuf_pool_create("lvdpa_t_vhost_mp", 511, 0, 0,
				RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	LVDPA_TEST_ASSERT(t_mp != NULL, "mempool");
	LVDPA_TEST_ASSERT_EQ(t_virtio_user_run(t_path_plain,
			"net_virtio_user7", &f_plain, &pf_plain, NULL), 0,
			"virtio-user against plain rte_vhost");
	LVDPA_TEST_ASSERT_EQ(t_virtio_user_run(t_path_app, "net_virtio_user8",
			&f, &pf, &st), 0, "virtio-user against lvdpa_vhost");
	/* The same negotiation as without the library, up to DRIVER_OK. */
	LVDPA_TEST_ASSERT_EQ(f, f_plain, "features");
	LVDPA_TEST_ASSERT_EQ(pf, pf_plain, "protocol features");
	LVDPA_TEST_ASSERT(!(pf & T_PF_CROSS_ENDIAN), "not negotiated");
	LVDPA_TEST_ASSERT(f & T_F_VERSION_1, "modern");
	/* And the library's view agrees with rte_vhost's. */
	LVDPA_TEST_ASSERT(st.features_set, "-");
	LVDPA_TEST_ASSERT_EQ(st.vhost_features, f, "as rte_vhost has it");
	LVDPA_TEST_ASSERT_EQ(st.features, f & ~T_F_PROTOCOL_FEATURES,
			     "virtio features");
	LVDPA_TEST_ASSERT_EQ(st.protocol_features, pf, "-");
	LVDPA_TEST_ASSERT(!st.legacy && !st.cross_endian, "-");
	LVDPA_TEST_ASSERT_EQ(st.hdr_len, 12, "-");
	LVDPA_TEST_ASSERT_EQ(st.device_endian, LVDPA_VHOST_ENDIAN_LITTLE, "-");
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_vhost_attach_by_driver),
	LVDPA_TEST_CASE(test_vhost_zero_features),
	LVDPA_TEST_CASE(test_vhost_legacy_features),
	LVDPA_TEST_CASE(test_vhost_cross_endian_offer),
	LVDPA_TEST_CASE(test_vhost_vring_endian_be_allowed),
	LVDPA_TEST_CASE(test_vhost_vring_endian_be_refused),
	LVDPA_TEST_CASE(test_vhost_config_before_features),
	LVDPA_TEST_CASE(test_vhost_reset_owner),
	LVDPA_TEST_CASE(test_vhost_set_status_zero),
	LVDPA_TEST_CASE(test_vhost_malformed),
	LVDPA_TEST_CASE(test_vhost_without_cross_endian),
	LVDPA_TEST_CASE(test_vhost_app_socket),
	LVDPA_TEST_CASE(test_vhost_virtio_user_unchanged),
)
