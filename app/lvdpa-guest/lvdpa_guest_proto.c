/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * vhost-user messages: encoding, the unix socket, fds with SCM_RIGHTS.
 * Every read waits with poll() and a timeout, so a silent backend makes the
 * frontend fail instead of hang.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "lvdpa_guest_priv.h"

static const char *const lvdpa_guest_req_names[] = {
	[LVDPA_GUEST_REQ_GET_FEATURES] = "GET_FEATURES",
	[LVDPA_GUEST_REQ_SET_FEATURES] = "SET_FEATURES",
	[LVDPA_GUEST_REQ_SET_OWNER] = "SET_OWNER",
	[LVDPA_GUEST_REQ_RESET_OWNER] = "RESET_OWNER",
	[LVDPA_GUEST_REQ_SET_MEM_TABLE] = "SET_MEM_TABLE",
	[LVDPA_GUEST_REQ_SET_LOG_BASE] = "SET_LOG_BASE",
	[LVDPA_GUEST_REQ_SET_LOG_FD] = "SET_LOG_FD",
	[LVDPA_GUEST_REQ_SET_VRING_NUM] = "SET_VRING_NUM",
	[LVDPA_GUEST_REQ_SET_VRING_ADDR] = "SET_VRING_ADDR",
	[LVDPA_GUEST_REQ_SET_VRING_BASE] = "SET_VRING_BASE",
	[LVDPA_GUEST_REQ_GET_VRING_BASE] = "GET_VRING_BASE",
	[LVDPA_GUEST_REQ_SET_VRING_KICK] = "SET_VRING_KICK",
	[LVDPA_GUEST_REQ_SET_VRING_CALL] = "SET_VRING_CALL",
	[LVDPA_GUEST_REQ_SET_VRING_ERR] = "SET_VRING_ERR",
	[LVDPA_GUEST_REQ_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	[LVDPA_GUEST_REQ_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
	[LVDPA_GUEST_REQ_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
	[LVDPA_GUEST_REQ_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
	[LVDPA_GUEST_REQ_SEND_RARP] = "SEND_RARP",
	[LVDPA_GUEST_REQ_NET_SET_MTU] = "NET_SET_MTU",
	[LVDPA_GUEST_REQ_SET_BACKEND_REQ_FD] = "SET_BACKEND_REQ_FD",
	[LVDPA_GUEST_REQ_IOTLB_MSG] = "IOTLB_MSG",
	[LVDPA_GUEST_REQ_SET_VRING_ENDIAN] = "SET_VRING_ENDIAN",
	[LVDPA_GUEST_REQ_GET_CONFIG] = "GET_CONFIG",
	[LVDPA_GUEST_REQ_SET_CONFIG] = "SET_CONFIG",
	[LVDPA_GUEST_REQ_SET_STATUS] = "SET_STATUS",
	[LVDPA_GUEST_REQ_GET_STATUS] = "GET_STATUS",
};

const char *
lvdpa_guest_req_name(uint32_t req)
{
	if (req < sizeof(lvdpa_guest_req_names) / sizeof(lvdpa_guest_req_names[0]) &&
	    lvdpa_guest_req_names[req] != NULL)
		return lvdpa_guest_req_names[req];
	return "UNKNOWN";
}

static void
lvdpa_guest_msg_start(struct lvdpa_guest_msg *msg, uint32_t req,
		      uint32_t flags, uint32_t size)
{
	memset(msg, 0, offsetof(struct lvdpa_guest_msg, payload));
	msg->request = req;
	msg->flags = flags | LVDPA_GUEST_MSG_VERSION;
	msg->size = size;
	msg->nfds = 0;
	memset(msg->payload, 0, size);
}

void
lvdpa_guest_msg_none(struct lvdpa_guest_msg *msg, uint32_t req, uint32_t flags)
{
	lvdpa_guest_msg_start(msg, req, flags, 0);
}

void
lvdpa_guest_msg_u64(struct lvdpa_guest_msg *msg, uint32_t req, uint32_t flags,
		    uint64_t val)
{
	lvdpa_guest_msg_start(msg, req, flags, sizeof(val));
	memcpy(msg->payload, &val, sizeof(val));
}

void
lvdpa_guest_msg_state(struct lvdpa_guest_msg *msg, uint32_t req,
		      uint32_t flags, uint32_t index, uint32_t num)
{
	lvdpa_guest_msg_start(msg, req, flags, 8);
	memcpy(msg->payload, &index, 4);
	memcpy(msg->payload + 4, &num, 4);
}

void
lvdpa_guest_msg_addr(struct lvdpa_guest_msg *msg, uint32_t flags,
		     uint32_t index, uint64_t desc, uint64_t used,
		     uint64_t avail, uint64_t log)
{
	uint32_t aflags = 0; /* no VHOST_VRING_F_LOG: no dirty logging */

	/* struct vhost_vring_addr: index, flags, desc, used, avail, log */
	lvdpa_guest_msg_start(msg, LVDPA_GUEST_REQ_SET_VRING_ADDR, flags, 40);
	memcpy(msg->payload, &index, 4);
	memcpy(msg->payload + 4, &aflags, 4);
	memcpy(msg->payload + 8, &desc, 8);
	memcpy(msg->payload + 16, &used, 8);
	memcpy(msg->payload + 24, &avail, 8);
	memcpy(msg->payload + 32, &log, 8);
}

void
lvdpa_guest_msg_file(struct lvdpa_guest_msg *msg, uint32_t req,
		     uint32_t flags, uint32_t index, int fd)
{
	uint64_t val = index & 0xff;

	if (fd < 0)
		val |= LVDPA_GUEST_VRING_NOFD;
	lvdpa_guest_msg_u64(msg, req, flags, val);
	if (fd >= 0) {
		msg->fds[0] = fd;
		msg->nfds = 1;
	}
}

int
lvdpa_guest_msg_mem_table(struct lvdpa_guest_msg *msg, uint32_t flags,
			  const struct lvdpa_guest_mem_region_desc *r,
			  const int *fds, unsigned int n)
{
	uint32_t nregions = n, pad = 0;
	unsigned int i;

	if (n == 0 || n > LVDPA_GUEST_MAX_REGIONS)
		return -EINVAL;
	/* As QEMU: the size covers only the regions in use. */
	lvdpa_guest_msg_start(msg, LVDPA_GUEST_REQ_SET_MEM_TABLE, flags,
			      8 + 32 * n);
	memcpy(msg->payload, &nregions, 4);
	memcpy(msg->payload + 4, &pad, 4);
	for (i = 0; i < n; i++) {
		uint8_t *p = msg->payload + 8 + 32 * i;

		memcpy(p, &r[i].gpa, 8);
		memcpy(p + 8, &r[i].size, 8);
		memcpy(p + 16, &r[i].uaddr, 8);
		memcpy(p + 24, &r[i].mmap_offset, 8);
		msg->fds[i] = fds[i];
	}
	msg->nfds = n;
	return 0;
}

int
lvdpa_guest_msg_config(struct lvdpa_guest_msg *msg, uint32_t flags,
		       uint32_t offset, uint32_t size)
{
	uint32_t cflags = 0;

	if (size > LVDPA_GUEST_CONFIG_MAX)
		return -EINVAL;
	/* struct vhost_user_config: offset, size, flags, region[size] */
	lvdpa_guest_msg_start(msg, LVDPA_GUEST_REQ_GET_CONFIG, flags, 12 + size);
	memcpy(msg->payload, &offset, 4);
	memcpy(msg->payload + 4, &size, 4);
	memcpy(msg->payload + 8, &cflags, 4);
	return 0;
}

size_t
lvdpa_guest_msg_bytes(const struct lvdpa_guest_msg *msg, uint8_t *buf,
		      size_t len)
{
	size_t total = LVDPA_GUEST_MSG_HDR_SIZE + msg->size;

	if (len < total || msg->size > LVDPA_GUEST_MSG_MAX_PAYLOAD)
		return 0;
	memcpy(buf, &msg->request, 4);
	memcpy(buf + 4, &msg->flags, 4);
	memcpy(buf + 8, &msg->size, 4);
	memcpy(buf + 12, msg->payload, msg->size);
	return total;
}

static uint64_t
lvdpa_guest_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
lvdpa_guest_sock_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

int
lvdpa_guest_sock_connect(const char *path, unsigned int timeout_ms)
{
	uint64_t deadline = lvdpa_guest_now_ms() + timeout_ms;
	struct sockaddr_un sa;
	int fd, rc;

	rc = lvdpa_guest_sock_addr(path, &sa);
	if (rc < 0)
		return rc;
	/* The backend may not have created its socket yet: retry. */
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		rc = -errno;
		close(fd);
		if (rc != -ENOENT && rc != -ECONNREFUSED)
			return rc;
		if (lvdpa_guest_now_ms() >= deadline)
			return -ETIMEDOUT;
		usleep(10000);
	}
}

int
lvdpa_guest_sock_listen(const char *path)
{
	struct sockaddr_un sa;
	int fd, rc;

	rc = lvdpa_guest_sock_addr(path, &sa);
	if (rc < 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 1) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int
lvdpa_guest_sock_accept(int lfd, unsigned int timeout_ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int rc, fd;

	do
		rc = poll(&p, 1, (int)timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	if (rc == 0)
		return -ETIMEDOUT;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int
lvdpa_guest_sock_send(int sock, const void *buf, size_t len, const int *fds,
		      unsigned int nfds)
{
	char ctl[CMSG_SPACE(sizeof(int) * LVDPA_GUEST_MSG_MAX_FDS)];
	struct msghdr mh;
	struct iovec iov;
	ssize_t n;

	if (nfds > LVDPA_GUEST_MSG_MAX_FDS)
		return -EINVAL;
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds > 0) {
		struct cmsghdr *c;

		memset(ctl, 0, sizeof(ctl));
		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EPIPE ? -ECONNRESET : -errno;
	if ((size_t)n != len)
		return -EIO;
	return 0;
}

int
lvdpa_guest_msg_send(int sock, const struct lvdpa_guest_msg *msg)
{
	uint8_t buf[LVDPA_GUEST_MSG_HDR_SIZE + LVDPA_GUEST_MSG_MAX_PAYLOAD];
	size_t len;

	len = lvdpa_guest_msg_bytes(msg, buf, sizeof(buf));
	if (len == 0)
		return -EINVAL;
	return lvdpa_guest_sock_send(sock, buf, len, msg->fds, msg->nfds);
}

/* Read exactly @len bytes, waiting at most until @deadline. */
static int
lvdpa_guest_read_full(int sock, void *buf, size_t len, uint64_t deadline,
		      struct lvdpa_guest_msg *fdmsg)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd p = { .fd = sock, .events = POLLIN };
		char ctl[CMSG_SPACE(sizeof(int) * LVDPA_GUEST_MSG_MAX_FDS)];
		struct msghdr mh;
		struct iovec iov;
		uint64_t now = lvdpa_guest_now_ms();
		struct cmsghdr *c;
		ssize_t n;
		int rc;

		if (now >= deadline)
			return -ETIMEDOUT;
		rc = poll(&p, 1, (int)(deadline - now));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return -errno;
		if (rc == 0)
			return -ETIMEDOUT;
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = (uint8_t *)buf + got;
		iov.iov_len = len - got;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		/* A backend has no reason to send us fds: keep none open. */
		for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
			unsigned int k, cnt;

			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (k = 0; k < cnt; k++) {
				int fd;

				memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof(fd));
				close(fd);
				fdmsg->nfds++;
			}
		}
		got += (size_t)n;
	}
	return 0;
}

int
lvdpa_guest_msg_recv(int sock, struct lvdpa_guest_msg *msg,
		     unsigned int timeout_ms)
{
	uint64_t deadline = lvdpa_guest_now_ms() + timeout_ms;
	uint8_t hdr[LVDPA_GUEST_MSG_HDR_SIZE];
	int rc;

	msg->nfds = 0;
	rc = lvdpa_guest_read_full(sock, hdr, sizeof(hdr), deadline, msg);
	if (rc < 0)
		return rc;
	memcpy(&msg->request, hdr, 4);
	memcpy(&msg->flags, hdr + 4, 4);
	memcpy(&msg->size, hdr + 8, 4);
	if (msg->size > LVDPA_GUEST_MSG_MAX_PAYLOAD)
		return -EMSGSIZE;
	return lvdpa_guest_read_full(sock, msg->payload, msg->size, deadline,
				     msg);
}
