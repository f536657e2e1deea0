/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef TEST_VHOST_CLIENT_H
#define TEST_VHOST_CLIENT_H

/*
 * A raw vhost-user frontend for tests: it writes messages byte by byte as
 * the specification lays them out, so it can also write malformed ones.
 * Every read is bounded by a timeout.
 */

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define LVDPA_TC_TIMEOUT_MS 2000
#define LVDPA_TC_HDR_SIZE 12u
#define LVDPA_TC_VERSION 0x1u
#define LVDPA_TC_REPLY (1u << 2)
#define LVDPA_TC_NEED_REPLY (1u << 3)

enum {
	LVDPA_TC_GET_FEATURES = 1,
	LVDPA_TC_SET_FEATURES = 2,
	LVDPA_TC_SET_OWNER = 3,
	LVDPA_TC_RESET_OWNER = 4,
	LVDPA_TC_GET_VRING_BASE = 11,
	LVDPA_TC_SET_VRING_KICK = 12,
	LVDPA_TC_GET_PROTOCOL_FEATURES = 15,
	LVDPA_TC_SET_PROTOCOL_FEATURES = 16,
	LVDPA_TC_SET_VRING_ENDIAN = 23,
	LVDPA_TC_GET_CONFIG = 24,
	LVDPA_TC_SET_CONFIG = 25,
	LVDPA_TC_SET_STATUS = 39,
};

struct lvdpa_tc_msg {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
	uint8_t payload[512];
} __attribute__((packed));

static inline int64_t
lvdpa_tc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Connects to @p path, retrying while the server comes up; fd or -errno. */
static inline int
lvdpa_tc_connect(const char *path)
{
	struct sockaddr_un sa;
	int64_t end = lvdpa_tc_now_ms() + LVDPA_TC_TIMEOUT_MS;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		close(fd);
		if (lvdpa_tc_now_ms() > end)
			return -ETIMEDOUT;
		usleep(10000);
	}
}

/* Sends a message with @p size payload bytes and @p nfds descriptors. */
static inline int
lvdpa_tc_send(int fd, uint32_t req, uint32_t flags, const void *payload,
	      uint32_t size, const int *fds, int nfds)
{
	struct lvdpa_tc_msg m;
	char cbuf[CMSG_SPACE(8 * sizeof(int))];
	struct iovec iov;
	struct msghdr mh;
	ssize_t n;

	if (size > sizeof(m.payload) || nfds > 8)
		return -EINVAL;
	memset(&m, 0, sizeof(m));
	m.request = req;
	m.flags = LVDPA_TC_VERSION | flags;
	m.size = size;
	if (size != 0)
		memcpy(m.payload, payload, size);
	iov.iov_base = &m;
	iov.iov_len = LVDPA_TC_HDR_SIZE + size;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds > 0) {
		struct cmsghdr *cm;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	if (n < 0)
		return -errno;
	return n == (ssize_t)iov.iov_len ? 0 : -EIO;
}

/* Reads exactly @p len bytes within the deadline; -ETIMEDOUT, -EPIPE. */
static inline int
lvdpa_tc_read_full(int fd, void *buf, size_t len, int64_t deadline)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - lvdpa_tc_now_ms();
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)left) <= 0)
			return -ETIMEDOUT;
		n = recv(fd, (char *)buf + got, len - got, 0);
		if (n == 0)
			return -EPIPE;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	return 0;
}

/* Receives one reply to @p req; 0, or -ETIMEDOUT / -EPIPE / -EPROTO. */
static inline int
lvdpa_tc_recv(int fd, uint32_t req, struct lvdpa_tc_msg *m)
{
	int64_t deadline = lvdpa_tc_now_ms() + LVDPA_TC_TIMEOUT_MS;
	int ret;

	memset(m, 0, sizeof(*m));
	ret = lvdpa_tc_read_full(fd, m, LVDPA_TC_HDR_SIZE, deadline);
	if (ret != 0)
		return ret;
	if (m->size > sizeof(m->payload))
		return -EPROTO;
	ret = lvdpa_tc_read_full(fd, m->payload, m->size, deadline);
	if (ret != 0)
		return ret;
	if (m->request != req || !(m->flags & LVDPA_TC_REPLY))
		return -EPROTO;
	return 0;
}

/* A GET request answered by a u64; the value or a negative errno. */
static inline int
lvdpa_tc_get_u64(int fd, uint32_t req, uint64_t *val)
{
	struct lvdpa_tc_msg m;
	int ret = lvdpa_tc_send(fd, req, 0, NULL, 0, NULL, 0);

	if (ret != 0)
		return ret;
	ret = lvdpa_tc_recv(fd, req, &m);
	if (ret != 0)
		return ret;
	if (m.size != 8)
		return -EPROTO;
	memcpy(val, m.payload, 8);
	return 0;
}

/*
 * Sends @p size payload bytes with NEED_REPLY and returns the ack value
 * (0 success, else the backend's error), or a negative errno.
 */
static inline int64_t
lvdpa_tc_ack(int fd, uint32_t req, const void *payload, uint32_t size,
	     const int *fds, int nfds)
{
	struct lvdpa_tc_msg m;
	uint64_t v;
	int ret;

	ret = lvdpa_tc_send(fd, req, LVDPA_TC_NEED_REPLY, payload, size,
			    fds, nfds);
	if (ret != 0)
		return ret;
	ret = lvdpa_tc_recv(fd, req, &m);
	if (ret != 0)
		return ret;
	if (m.size != 8)
		return -EPROTO;
	memcpy(&v, m.payload, 8);
	return (int64_t)(v & INT64_MAX);
}

static inline int64_t
lvdpa_tc_ack_u64(int fd, uint32_t req, uint64_t val)
{
	return lvdpa_tc_ack(fd, req, &val, sizeof(val), NULL, 0);
}

static inline int64_t
lvdpa_tc_ack_state(int fd, uint32_t req, uint32_t index, uint32_t num)
{
	uint32_t st[2] = { index, num };

	return lvdpa_tc_ack(fd, req, st, sizeof(st), NULL, 0);
}

/* The backend answers a GET_FEATURES: it has processed all before it. */
static inline int
lvdpa_tc_sync(int fd)
{
	uint64_t v;

	return lvdpa_tc_get_u64(fd, LVDPA_TC_GET_FEATURES, &v);
}

/* Whether the backend closed the connection within the timeout. */
static inline int
lvdpa_tc_closed_by_peer(int fd)
{
	int64_t deadline = lvdpa_tc_now_ms() + LVDPA_TC_TIMEOUT_MS;
	char c;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - lvdpa_tc_now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return 0;
		n = recv(fd, &c, 1, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return 1;
	}
}

#endif /* TEST_VHOST_CLIENT_H */
