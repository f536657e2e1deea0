/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Fuzz target: the vhost-user message handling of lib/lvdpa_vhost, i.e.
 * its extern pre/post handlers as rte_vhost calls them, plus the queries
 * and driver entry points that read the state those messages leave.
 *
 * The library keeps per-connection state keyed by a vid that rte_vhost
 * must know (it asks rte_vhost for the socket name and registers its
 * handlers on the vid). So LLVMFuzzerInitialize starts EAL, serves one
 * vhost-user socket and opens two real connections on it: on the first
 * the frontend negotiated CROSS_ENDIAN, on the second it did not. No
 * message of the fuzzer goes through the socket: each one is handed to the
 * handlers directly, as rte_vhost's dispatcher does (pre handler, then the
 * post handler unless the pre handler failed), and the fuzzer plays
 * rte_vhost's part with the file descriptors.
 *
 * Input: byte 0 picks the connection (bit 0) and the driver's caps
 * (bit 1: can serve big-endian rings); then frames of 5 bytes
 *   request, flags, size (16 bits LE), fds/action
 * where the low nibble of the last byte is the number of fds (0..8,
 * memfds) and the high nibble the action: 0 a message whose size is
 * clamped to the payload union as rte_vhost guarantees, 1 a message with
 * the raw size, 2..5 a query or driver call (see below), others
 * nothing. A message's payload bytes follow its frame (as many as the
 * size, when present).
 *
 * Invariants: no crash; a message the handlers took over (OK, REPLY, ERR)
 * has all its fds closed and marked -1, one they pass on has them all
 * open and untouched (rte_vhost owns them then); a reply fits the payload;
 * the state read back is well formed.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_log.h>
#include <rte_vhost.h>

#include "lvdpa_test_eal.h"
#include "lvdpa_vhost.h"
#include "lvdpa_vhost_private.h"
#include "test_vhost_client.h"

#define LVDPA_FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_vhost: invariant failed: %s (line %d)\n", \
			#cond, __LINE__); \
		abort(); \
	} \
} while (0)

static char lvdpa_fuzz_dir[64];
static char lvdpa_fuzz_path[96];
static int lvdpa_fuzz_sock[2] = { -1, -1 };
static int lvdpa_fuzz_vid[2] = { -1, -1 };
static atomic_int lvdpa_fuzz_new_vid = -1;

static int
lvdpa_fuzz_new_connection(int vid)
{
	atomic_store(&lvdpa_fuzz_new_vid, vid);
	return 0;
}

static const struct rte_vhost_device_ops lvdpa_fuzz_ops = {
	.new_connection = lvdpa_fuzz_new_connection,
};

static void
lvdpa_fuzz_teardown(void)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (lvdpa_fuzz_sock[i] >= 0)
			close(lvdpa_fuzz_sock[i]);
		lvdpa_fuzz_sock[i] = -1;
	}
	if (lvdpa_fuzz_path[0] != '\0') {
		rte_vhost_driver_unregister(lvdpa_fuzz_path);
		unlink(lvdpa_fuzz_path);
	}
	if (lvdpa_fuzz_dir[0] != '\0')
		rmdir(lvdpa_fuzz_dir);
}

static void
lvdpa_fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz_vhost: set-up failed: %s\n", what);
	exit(1);
}

/* A connection rte_vhost knows, with the library attached. */
static void
lvdpa_fuzz_open(unsigned int i, bool cross_endian)
{
	uint64_t pf = 0;
	int fd, vid;

	atomic_store(&lvdpa_fuzz_new_vid, -1);
	fd = lvdpa_tc_connect(lvdpa_fuzz_path);
	if (fd < 0)
		lvdpa_fuzz_die("connect");
	lvdpa_fuzz_sock[i] = fd;
	if (lvdpa_tc_sync(fd) != 0)
		lvdpa_fuzz_die("first message");
	vid = atomic_load(&lvdpa_fuzz_new_vid);
	if (vid < 0 || lvdpa_vhost_on_new_connection(vid, NULL) != 0)
		lvdpa_fuzz_die("attach");
	if (lvdpa_tc_send(fd, LVDPA_TC_SET_OWNER, 0, NULL, 0, NULL, 0) != 0 ||
	    lvdpa_tc_get_u64(fd, LVDPA_TC_GET_PROTOCOL_FEATURES, &pf) != 0)
		lvdpa_fuzz_die("protocol features");
	if (cross_endian) {
		if (!(pf & (UINT64_C(1) << LVDPA_VHOST_PROTOCOL_F_CROSS_ENDIAN)))
			lvdpa_fuzz_die("CROSS_ENDIAN not offered");
	} else {
		pf &= ~(UINT64_C(1) << LVDPA_VHOST_PROTOCOL_F_CROSS_ENDIAN);
	}
	if (lvdpa_tc_send(fd, LVDPA_TC_SET_PROTOCOL_FEATURES, 0, &pf,
			  sizeof(pf), NULL, 0) != 0 || lvdpa_tc_sync(fd) != 0)
		lvdpa_fuzz_die("set protocol features");
	lvdpa_fuzz_vid[i] = vid;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (lvdpa_test_eal_init("fuzz-vhost", 64, NULL) != 0)
		lvdpa_fuzz_die("EAL");
	if (getenv("LVDPA_FUZZ_LOG") == NULL)
		rte_log_set_global_level(RTE_LOG_EMERG);
	/* Named by pid: run-fuzz.sh removes it should the process crash. */
	snprintf(lvdpa_fuzz_dir, sizeof(lvdpa_fuzz_dir),
		 "/tmp/lvdpa-fuzz-vhost-%d", (int)getpid());
	if (mkdir(lvdpa_fuzz_dir, 0700) != 0) {
		lvdpa_fuzz_dir[0] = '\0';
		lvdpa_fuzz_die("mkdir");
	}
	snprintf(lvdpa_fuzz_path, sizeof(lvdpa_fuzz_path), "%s/s.sock",
		 lvdpa_fuzz_dir);
	atexit(lvdpa_fuzz_teardown);
	if (rte_vhost_driver_register(lvdpa_fuzz_path, 0) != 0 ||
	    lvdpa_vhost_attach(lvdpa_fuzz_path, NULL) != 0 ||
	    rte_vhost_driver_callback_register(lvdpa_fuzz_path,
					       &lvdpa_fuzz_ops) != 0 ||
	    rte_vhost_driver_start(lvdpa_fuzz_path) != 0)
		lvdpa_fuzz_die("vhost socket");
	lvdpa_fuzz_open(0, true);
	lvdpa_fuzz_open(1, false);
	return 0;
}

static bool
lvdpa_fuzz_fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static void
lvdpa_fuzz_check_state(int vid)
{
	struct lvdpa_vhost_state st;
	unsigned int i;
	bool mixed;
	int e;

	LVDPA_FUZZ_CHECK(lvdpa_vhost_get_state(vid, &st) == 0);
	LVDPA_FUZZ_CHECK(st.hdr_len == LVDPA_NET_HDR_LEN_LEGACY ||
			 st.hdr_len == LVDPA_NET_HDR_LEN_MRG);
	LVDPA_FUZZ_CHECK(!(st.features & (UINT64_C(1) << 30)));
	LVDPA_FUZZ_CHECK(st.features_set || st.features == 0);
	LVDPA_FUZZ_CHECK(st.nr_vrings <= LVDPA_VHOST_MAX_VRINGS);
	LVDPA_FUZZ_CHECK(st.device_endian == LVDPA_VHOST_ENDIAN_LITTLE ||
			 st.device_endian == LVDPA_VHOST_ENDIAN_BIG);
	LVDPA_FUZZ_CHECK(st.host_order == LVDPA_VHOST_ORDER_STRONG ||
			 st.host_order == LVDPA_VHOST_ORDER_WEAK);
	for (i = 0; i < LVDPA_VHOST_MAX_VRINGS; i++)
		LVDPA_FUZZ_CHECK(st.vring_endian[i] <= LVDPA_VHOST_ENDIAN_BIG);
	e = lvdpa_vhost_get_endian(vid, &mixed);
	LVDPA_FUZZ_CHECK(e == (int)st.device_endian && mixed == st.endian_mixed);
}

/* One message through the handlers, rte_vhost's way. */
static void
lvdpa_fuzz_message(int vid, const uint8_t *frame, const uint8_t **p,
		   const uint8_t *end)
{
	struct lvdpa_vhost_msg_ctx ctx;
	int fds[LVDPA_VHOST_MAX_FDS];
	unsigned int nfds = (frame[4] & 0xf) % (LVDPA_VHOST_MAX_FDS + 1);
	uint32_t size = (uint32_t)(frame[2] | frame[3] << 8), copy;
	enum rte_vhost_msg_result r;
	unsigned int i;

	memset(&ctx, 0, sizeof(ctx));
	ctx.msg.request = frame[0];
	ctx.msg.flags = frame[1];
	if ((frame[4] >> 4) == 0)
		size %= sizeof(ctx.msg.payload) + 1;
	ctx.msg.size = size;
	copy = RTE_MIN(size, (uint32_t)sizeof(ctx.msg.payload));
	copy = RTE_MIN(copy, (uint32_t)(end - *p));
	memcpy(ctx.msg.payload.raw, *p, copy);
	*p += copy;
	for (i = 0; i < LVDPA_VHOST_MAX_FDS; i++)
		ctx.fds[i] = -1;
	for (i = 0; i < nfds; i++) {
		fds[i] = memfd_create("lvdpa-fuzz", MFD_CLOEXEC);
		LVDPA_FUZZ_CHECK(fds[i] >= 0);
		ctx.fds[i] = fds[i];
	}
	ctx.fd_num = (int)nfds;

	r = lvdpa_vhost_pre_handler(vid, &ctx);
	LVDPA_FUZZ_CHECK(r == RTE_VHOST_MSG_RESULT_OK ||
			 r == RTE_VHOST_MSG_RESULT_ERR ||
			 r == RTE_VHOST_MSG_RESULT_REPLY ||
			 r == RTE_VHOST_MSG_RESULT_NOT_HANDLED);
	if (r == RTE_VHOST_MSG_RESULT_NOT_HANDLED) {
		/* Passed on: rte_vhost's handler owns the fds; it closes them. */
		for (i = 0; i < nfds; i++) {
			LVDPA_FUZZ_CHECK(ctx.fds[i] == fds[i]);
			LVDPA_FUZZ_CHECK(lvdpa_fuzz_fd_open(fds[i]));
			close(fds[i]);
			ctx.fds[i] = -1;
		}
		ctx.fd_num = 0;
	} else {
		/* Taken over: rte_vhost closes nothing, the handler must have. */
		for (i = 0; i < nfds; i++) {
			LVDPA_FUZZ_CHECK(ctx.fds[i] == -1);
			LVDPA_FUZZ_CHECK(!lvdpa_fuzz_fd_open(fds[i]));
		}
	}
	if (r == RTE_VHOST_MSG_RESULT_REPLY)
		LVDPA_FUZZ_CHECK(ctx.msg.size <= sizeof(ctx.msg.payload));
	if (r != RTE_VHOST_MSG_RESULT_ERR) {
		r = lvdpa_vhost_post_handler(vid, &ctx);
		LVDPA_FUZZ_CHECK(r == RTE_VHOST_MSG_RESULT_OK ||
				 r == RTE_VHOST_MSG_RESULT_ERR ||
				 r == RTE_VHOST_MSG_RESULT_REPLY ||
				 r == RTE_VHOST_MSG_RESULT_NOT_HANDLED);
	}
}

/* The driver's get_config/set_config path, exact-size buffers. */
static void
lvdpa_fuzz_config(int vid, const uint8_t *frame)
{
	enum lvdpa_vhost_config_dir dir = frame[0] & 1 ?
		LVDPA_VHOST_CONFIG_WRITE : LVDPA_VHOST_CONFIG_READ;
	uint32_t dev_len = frame[1];
	uint32_t off = frame[2] | (frame[0] & 0x6) << 7;
	uint32_t len = frame[3] | (frame[0] & 0x18) << 5;
	uint8_t *dev_cfg = malloc(dev_len + 1), *buf = malloc(len + 1);
	int ret;

	LVDPA_FUZZ_CHECK(dev_cfg != NULL && buf != NULL);
	memset(dev_cfg, 0xa5, dev_len + 1);
	memset(buf, 0x5a, len + 1);
	/* The +1 bytes stay outside: ASan sees reads, memcmp sees writes. */
	ret = lvdpa_vhost_config_access(vid, dir, dev_cfg, dev_len, off, buf,
					len);
	LVDPA_FUZZ_CHECK(ret == 0 || ret == -EINVAL);
	if (ret == 0)
		LVDPA_FUZZ_CHECK((uint64_t)off + len <= dev_len &&
				 len <= LVDPA_VHOST_MAX_CONFIG_SIZE);
	LVDPA_FUZZ_CHECK(dev_cfg[dev_len] == 0xa5 && buf[len] == 0x5a);
	free(dev_cfg);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct lvdpa_vhost_caps caps;
	int vid;

	if (size < 1)
		return 0;
	vid = lvdpa_fuzz_vid[data[0] & 1];
	memset(&caps, 0, sizeof(caps));
	caps.can_serve_big_endian = data[0] & 2;
	/* A fresh connection state for every input. */
	lvdpa_vhost_detach_vid(vid);
	LVDPA_FUZZ_CHECK(lvdpa_vhost_on_new_connection(vid, &caps) == 0);
	p++;
	while (end - p >= 5) {
		const uint8_t *frame = p;
		uint64_t f;

		p += 5;
		switch (frame[4] >> 4) {
		case 0: case 1:
			lvdpa_fuzz_message(vid, frame, &p, end);
			break;
		case 2:
			lvdpa_fuzz_check_state(vid);
			break;
		case 3:
			lvdpa_fuzz_config(vid, frame);
			break;
		case 4: /* the driver's set_features op */
			f = (uint64_t)frame[0] | (uint64_t)frame[1] << 8 |
				(uint64_t)frame[2] << 32 | (uint64_t)frame[3] << 24;
			LVDPA_FUZZ_CHECK(lvdpa_vhost_features_set(vid, f) == 0);
			break;
		case 5: /* dev_cleanup: RESET_OWNER keeps the state, else gone */
			lvdpa_vhost_on_cleanup(vid);
			if (!lvdpa_vhost_is_attached(vid))
				LVDPA_FUZZ_CHECK(lvdpa_vhost_on_new_connection(
						vid, &caps) == 0);
			break;
		default:
			break;
		}
	}
	lvdpa_fuzz_check_state(vid);
	return 0;
}
