/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * lvdpa-guest's vhost-user side: golden bytes of encoded messages, fds over
 * SCM_RIGHTS, read timeouts, and the whole negotiation against a scripted
 * backend that records every message (order, flags, payload).
 */

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/eventfd.h>

#include "lvdpa_guest_priv.h"
#include "lvdpa_test.h"

static int
lvdpa_tgp_bytes(const struct lvdpa_guest_msg *msg, const uint8_t *want,
		size_t want_len)
{
	uint8_t buf[LVDPA_GUEST_MSG_HDR_SIZE + LVDPA_GUEST_MSG_MAX_PAYLOAD];
	size_t n = lvdpa_guest_msg_bytes(msg, buf, sizeof(buf)), i;

	LVDPA_TEST_ASSERT_EQ(n, want_len, "encoded length");
	for (i = 0; i < n; i++)
		LVDPA_TEST_ASSERT_EQ(buf[i], want[i], "byte %zu", i);
	return 0;
}

/* The golden bytes assume a little-endian host (vhost-user is host order). */
static int
test_guest_golden(void)
{
	struct lvdpa_guest_msg msg;
	static const uint8_t get_features[] = {
		0x01, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t set_features[] = {
		0x02, 0, 0, 0, 0x09, 0, 0, 0, 0x08, 0, 0, 0,
		0x21, 0x80, 0, 0x40, 0x01, 0, 0, 0 };
	static const uint8_t vring_num[] = {
		0x08, 0, 0, 0, 0x09, 0, 0, 0, 0x08, 0, 0, 0,
		0x03, 0, 0, 0, 0x00, 0x01, 0, 0 };
	static const uint8_t vring_endian[] = {
		0x17, 0, 0, 0, 0x01, 0, 0, 0, 0x08, 0, 0, 0,
		0x01, 0, 0, 0, 0x01, 0, 0, 0 };
	static const uint8_t vring_base_packed[] = {
		0x0a, 0, 0, 0, 0x01, 0, 0, 0, 0x08, 0, 0, 0,
		0x00, 0, 0, 0, 0x00, 0x80, 0, 0 };
	static const uint8_t vring_addr[] = {
		0x09, 0, 0, 0, 0x01, 0, 0, 0, 0x28, 0, 0, 0,
		0x01, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0x10, 0, 0, 0x7f, 0, 0, 0,   /* desc */
		0x00, 0x30, 0, 0, 0x7f, 0, 0, 0,   /* used */
		0x00, 0x20, 0, 0, 0x7f, 0, 0, 0,   /* avail */
		0, 0, 0, 0, 0, 0, 0, 0 };          /* log */
	static const uint8_t kick_nofd[] = {
		0x0c, 0, 0, 0, 0x01, 0, 0, 0, 0x08, 0, 0, 0,
		0x05, 0x01, 0, 0, 0, 0, 0, 0 };
	static const uint8_t call_fd[] = {
		0x0d, 0, 0, 0, 0x01, 0, 0, 0, 0x08, 0, 0, 0,
		0x02, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t mem_table[] = {
		0x05, 0, 0, 0, 0x09, 0, 0, 0, 0x48, 0, 0, 0,
		0x02, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0,                    /* gpa 0 */
		0, 0, 0x00, 0x01, 0, 0, 0, 0,              /* 16 MB */
		0, 0, 0, 0x10, 0x7f, 0, 0, 0,              /* uaddr */
		0, 0, 0, 0, 0, 0, 0, 0,                    /* offset */
		0, 0, 0, 0x40, 0, 0, 0, 0,                 /* gpa 1 GB */
		0, 0, 0x00, 0x01, 0, 0, 0, 0,
		0, 0, 0, 0x20, 0x7f, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t get_config[] = {
		0x18, 0, 0, 0, 0x01, 0, 0, 0, 0x18, 0, 0, 0,
		0, 0, 0, 0, 0x0c, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	const struct lvdpa_guest_mem_region_desc rd[2] = {
		{ .gpa = 0, .size = 16 << 20, .uaddr = 0x7f10000000ULL },
		{ .gpa = 1ULL << 30, .size = 16 << 20, .uaddr = 0x7f20000000ULL },
	};
	const int fds[2] = { 7, 8 };

	lvdpa_guest_msg_none(&msg, LVDPA_GUEST_REQ_GET_FEATURES, 0);
	if (lvdpa_tgp_bytes(&msg, get_features, sizeof(get_features)))
		return -1;
	/* PROTOCOL_FEATURES | VERSION_1 | MRG_RXBUF | MAC | CSUM */
	lvdpa_guest_msg_u64(&msg, LVDPA_GUEST_REQ_SET_FEATURES,
			    LVDPA_GUEST_MSG_NEED_REPLY, 0x140008021ULL);
	if (lvdpa_tgp_bytes(&msg, set_features, sizeof(set_features)))
		return -1;
	lvdpa_guest_msg_state(&msg, LVDPA_GUEST_REQ_SET_VRING_NUM,
			      LVDPA_GUEST_MSG_NEED_REPLY, 3, 256);
	if (lvdpa_tgp_bytes(&msg, vring_num, sizeof(vring_num)))
		return -1;
	lvdpa_guest_msg_state(&msg, LVDPA_GUEST_REQ_SET_VRING_ENDIAN, 0, 1,
			      LVDPA_GUEST_VRING_BIG_ENDIAN);
	if (lvdpa_tgp_bytes(&msg, vring_endian, sizeof(vring_endian)))
		return -1;
	lvdpa_guest_msg_state(&msg, LVDPA_GUEST_REQ_SET_VRING_BASE, 0, 0, 0x8000);
	if (lvdpa_tgp_bytes(&msg, vring_base_packed, sizeof(vring_base_packed)))
		return -1;
	lvdpa_guest_msg_addr(&msg, 0, 1, 0x7f00001000ULL, 0x7f00003000ULL,
			     0x7f00002000ULL, 0);
	if (lvdpa_tgp_bytes(&msg, vring_addr, sizeof(vring_addr)))
		return -1;
	lvdpa_guest_msg_file(&msg, LVDPA_GUEST_REQ_SET_VRING_KICK, 0, 5, -1);
	LVDPA_TEST_ASSERT_EQ(msg.nfds, 0, "no fd for polling mode");
	if (lvdpa_tgp_bytes(&msg, kick_nofd, sizeof(kick_nofd)))
		return -1;
	lvdpa_guest_msg_file(&msg, LVDPA_GUEST_REQ_SET_VRING_CALL, 0, 2, 9);
	LVDPA_TEST_ASSERT_EQ(msg.nfds, 1, "call fd attached");
	LVDPA_TEST_ASSERT_EQ(msg.fds[0], 9, "call fd");
	if (lvdpa_tgp_bytes(&msg, call_fd, sizeof(call_fd)))
		return -1;
	LVDPA_TEST_ASSERT_EQ(lvdpa_guest_msg_mem_table(&msg,
		LVDPA_GUEST_MSG_NEED_REPLY, rd, fds, 2), 0, "mem table");
	LVDPA_TEST_ASSERT_EQ(msg.nfds, 2, "one fd per region");
	if (lvdpa_tgp_bytes(&msg, mem_table, sizeof(mem_table)))
		return -1;
	LVDPA_TEST_ASSERT(lvdpa_guest_msg_mem_table(&msg, 0, rd, fds, 9) == -EINVAL,
			  "9 regions refused");
	LVDPA_TEST_ASSERT_EQ(lvdpa_guest_msg_config(&msg, 0, 0, 12), 0, "config");
	if (lvdpa_tgp_bytes(&msg, get_config, sizeof(get_config)))
		return -1;
	LVDPA_TEST_ASSERT(lvdpa_guest_msg_config(&msg, 0, 0, 300) == -EINVAL,
			  "config larger than 256 refused");
	LVDPA_TEST_ASSERT(strcmp(lvdpa_guest_req_name(23), "SET_VRING_ENDIAN") == 0,
			  "name");
	return 0;
}

/* Fds travel as SCM_RIGHTS; the bytes arrive as encoded. */
static int
test_guest_scm_rights(void)
{
	uint8_t buf[64];
	char ctl[CMSG_SPACE(sizeof(int) * 2)];
	struct lvdpa_guest_msg msg;
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *c;
	struct stat a, b;
	int sv[2], efd, got = -1;
	ssize_t n;

	LVDPA_TEST_ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	efd = eventfd(0, 0);
	lvdpa_guest_msg_file(&msg, LVDPA_GUEST_REQ_SET_VRING_KICK, 0, 1, efd);
	LVDPA_TEST_ASSERT_EQ(lvdpa_guest_msg_send(sv[0], &msg), 0, "send");
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl;
	mh.msg_controllen = sizeof(ctl);
	n = recvmsg(sv[1], &mh, 0);
	c = CMSG_FIRSTHDR(&mh);
	if (c != NULL && c->cmsg_type == SCM_RIGHTS)
		memcpy(&got, CMSG_DATA(c), sizeof(int));
	fstat(efd, &a);
	b.st_ino = 0;
	if (got >= 0)
		fstat(got, &b);
	close(efd);
	if (got >= 0)
		close(got);
	close(sv[0]);
	close(sv[1]);
	LVDPA_TEST_ASSERT_EQ(n, 20, "bytes");
	LVDPA_TEST_ASSERT_EQ(buf[0], LVDPA_GUEST_REQ_SET_VRING_KICK, "request");
	LVDPA_TEST_ASSERT_EQ(buf[12], 1, "index");
	LVDPA_TEST_ASSERT(got >= 0, "fd received");
	LVDPA_TEST_ASSERT_EQ(a.st_ino, b.st_ino, "the same eventfd");
	return 0;
}

/* Every read has a timeout; a closed peer is -ECONNRESET. */
static int
test_guest_recv_timeout(void)
{
	struct lvdpa_guest_msg msg;
	struct timespec t0, t1;
	int sv[2], rc;
	long ms;

	LVDPA_TEST_ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = lvdpa_guest_msg_recv(sv[0], &msg, 100);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	/* Half a message, then silence: still a timeout. */
	LVDPA_TEST_ASSERT(write(sv[1], "\x01\x00\x00\x00\x05", 5) == 5, "write");
	LVDPA_TEST_ASSERT_EQ(lvdpa_guest_msg_recv(sv[0], &msg, 50), -ETIMEDOUT,
			     "partial header");
	close(sv[1]);
	LVDPA_TEST_ASSERT_EQ(lvdpa_guest_msg_recv(sv[0], &msg, 1000), -ECONNRESET,
			     "closed peer");
	close(sv[0]);
	LVDPA_TEST_ASSERT_EQ(rc, -ETIMEDOUT, "silent peer");
	LVDPA_TEST_ASSERT(ms >= 90 && ms < 1000, "waited %ld ms", ms);
	return 0;
}

/* ---- a scripted backend that records what the frontend sends ---- */

#define LVDPA_TGP_MAX_MSGS 128

struct lvdpa_tgp_rec {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
	unsigned int nfds;
	uint8_t payload[16];
};

struct lvdpa_tgp_backend {
	char path[108];
	bool connect;            /* the backend connects (guest is server) */
	uint64_t features, pf;
	int lfd;
	unsigned int n;
	struct lvdpa_tgp_rec rec[LVDPA_TGP_MAX_MSGS];
	int result;
};

static int
lvdpa_tgp_reply(int fd, const struct lvdpa_guest_msg *in, uint64_t v)
{
	struct lvdpa_guest_msg out;

	lvdpa_guest_msg_u64(&out, in->request, LVDPA_GUEST_MSG_REPLY, v);
	return lvdpa_guest_msg_send(fd, &out);
}

static void *
lvdpa_tgp_backend_main(void *arg)
{
	struct lvdpa_tgp_backend *b = arg;
	struct lvdpa_guest_msg in, out;
	int fd, rc = 0;

	if (b->connect)
		fd = lvdpa_guest_sock_connect(b->path, 3000);
	else
		fd = lvdpa_guest_sock_accept(b->lfd, 3000);
	if (fd < 0) {
		b->result = fd;
		return NULL;
	}
	while (b->n < LVDPA_TGP_MAX_MSGS) {
		struct lvdpa_tgp_rec *r;

		rc = lvdpa_guest_msg_recv(fd, &in, 3000);
		if (rc < 0)
			break;
		r = &b->rec[b->n++];
		r->request = in.request;
		r->flags = in.flags;
		r->size = in.size;
		r->nfds = in.nfds;
		memcpy(r->payload, in.payload, in.size < 16 ? in.size : 16);
		switch (in.request) {
		case LVDPA_GUEST_REQ_GET_FEATURES:
			rc = lvdpa_tgp_reply(fd, &in, b->features);
			break;
		case LVDPA_GUEST_REQ_GET_PROTOCOL_FEATURES:
			rc = lvdpa_tgp_reply(fd, &in, b->pf);
			break;
		case LVDPA_GUEST_REQ_GET_QUEUE_NUM:
			rc = lvdpa_tgp_reply(fd, &in, 4);
			break;
		case LVDPA_GUEST_REQ_GET_CONFIG:
			out = in;
			out.flags = LVDPA_GUEST_MSG_VERSION | LVDPA_GUEST_MSG_REPLY;
			out.nfds = 0;
			memcpy(out.payload + 12, "\x02\x11\x22\x33\x44\x55", 6);
			rc = lvdpa_guest_msg_send(fd, &out);
			break;
		case LVDPA_GUEST_REQ_GET_VRING_BASE:
			out = in;
			out.flags = LVDPA_GUEST_MSG_VERSION | LVDPA_GUEST_MSG_REPLY;
			out.nfds = 0;
			memcpy(out.payload + 4, "\x07\x00\x00\x00", 4);
			rc = lvdpa_guest_msg_send(fd, &out);
			break;
		default:
			if (in.flags & LVDPA_GUEST_MSG_NEED_REPLY)
				rc = lvdpa_tgp_reply(fd, &in, 0);
			break;
		}
		if (rc < 0)
			break;
	}
	close(fd);
	b->result = rc == -ECONNRESET ? 0 : rc;
	return NULL;
}

/* Index of the first recorded @req for vring @index (any when -1) from @from. */
static int
lvdpa_tgp_find(const struct lvdpa_tgp_backend *b, uint32_t req, int index,
	       unsigned int from)
{
	unsigned int i;

	for (i = from; i < b->n; i++) {
		uint32_t idx;

		memcpy(&idx, b->rec[i].payload, 4);
		if (b->rec[i].request == req &&
		    (index < 0 || (idx & 0xff) == (uint32_t)index))
			return (int)i;
	}
	return -1;
}

/* Run a guest against the scripted backend up to DRIVER_OK and stop it. */
static int
lvdpa_tgp_session(struct lvdpa_tgp_backend *b, struct lvdpa_guest_config *cfg,
		  int *connect_rc)
{
	struct lvdpa_guest *g;
	pthread_t t;
	int rc;

	snprintf(b->path, sizeof(b->path), "/tmp/lvdpa-tgp-%d.sock", (int)getpid());
	unlink(b->path);
	b->lfd = -1;
	b->n = 0;
	b->connect = cfg->server;
	if (!b->connect) {
		b->lfd = lvdpa_guest_sock_listen(b->path);
		LVDPA_TEST_ASSERT(b->lfd >= 0, "listen");
	}
	cfg->socket_path = b->path;
	cfg->mem_size = 8 << 20;
	cfg->queue_size = 64;
	cfg->timeout_ms = 2000;
	g = lvdpa_guest_create(cfg);
	if (g == NULL || pthread_create(&t, NULL, lvdpa_tgp_backend_main, b) != 0) {
		lvdpa_guest_destroy(g);
		if (b->lfd >= 0)
			close(b->lfd);
		unlink(b->path);
		LVDPA_TEST_ASSERT(0, "guest or backend thread");
	}
	*connect_rc = lvdpa_guest_connect(g);
	rc = *connect_rc == 0 ? lvdpa_guest_stop(g) : 0;
	lvdpa_guest_destroy(g);   /* closes the socket: the backend ends */
	pthread_join(t, NULL);
	if (b->lfd >= 0)
		close(b->lfd);
	unlink(b->path);
	LVDPA_TEST_ASSERT_EQ(rc, 0, "stop");
	LVDPA_TEST_ASSERT_EQ(b->result, 0, "backend: %s", strerror(-b->result));
	return 0;
}

#define LVDPA_TGP_PF(x) (1ULL << LVDPA_GUEST_PF_ ## x)

/* Big-endian legacy guest, CROSS_ENDIAN and REPLY_ACK offered: QEMU's order,
 * SET_VRING_ENDIAN (big) right before SET_VRING_ADDR of each ring. */
static int
test_guest_order_big_endian(void)
{
	static const uint32_t head[] = {
		LVDPA_GUEST_REQ_GET_FEATURES, LVDPA_GUEST_REQ_GET_PROTOCOL_FEATURES,
		LVDPA_GUEST_REQ_SET_PROTOCOL_FEATURES, LVDPA_GUEST_REQ_GET_QUEUE_NUM,
		LVDPA_GUEST_REQ_SET_OWNER, LVDPA_GUEST_REQ_GET_FEATURES,
		LVDPA_GUEST_REQ_SET_VRING_CALL, LVDPA_GUEST_REQ_SET_VRING_CALL,
		LVDPA_GUEST_REQ_GET_CONFIG, LVDPA_GUEST_REQ_SET_FEATURES,
		LVDPA_GUEST_REQ_SET_MEM_TABLE,
	};
	static const uint32_t ring[] = {
		LVDPA_GUEST_REQ_SET_VRING_NUM, LVDPA_GUEST_REQ_SET_VRING_BASE,
		LVDPA_GUEST_REQ_SET_VRING_ENDIAN, LVDPA_GUEST_REQ_SET_VRING_ADDR,
		LVDPA_GUEST_REQ_SET_VRING_KICK, LVDPA_GUEST_REQ_SET_VRING_CALL,
	};
	static struct lvdpa_tgp_backend b;
	struct lvdpa_guest_config cfg;
	unsigned int i, k = 0, r;
	uint64_t v;
	int crc;

	lvdpa_guest_config_init(&cfg);
	cfg.features = LVDPA_GUEST_FEATURES_LEGACY;
	cfg.big_endian = true;
	cfg.mem_regions = 2;
	b.features = LVDPA_GUEST_FEATURES_MODERN | (1ULL << 30) | (1ULL << 0) |
		     (1ULL << 27);
	b.pf = LVDPA_TGP_PF(MQ) | LVDPA_TGP_PF(REPLY_ACK) |
	       LVDPA_TGP_PF(CROSS_ENDIAN) | LVDPA_TGP_PF(CONFIG) |
	       LVDPA_TGP_PF(STATUS) | LVDPA_TGP_PF(BACKEND_REQ);
	if (lvdpa_tgp_session(&b, &cfg, &crc) != 0)
		return -1;
	LVDPA_TEST_ASSERT_EQ(crc, 0, "connect");
	for (i = 0; i < sizeof(head) / sizeof(head[0]); i++, k++)
		LVDPA_TEST_ASSERT_EQ(b.rec[k].request, head[i], "message %u", k);
	/* Protocol features: only what the frontend implements. */
	memcpy(&v, b.rec[2].payload, 8);
	LVDPA_TEST_ASSERT_EQ(v, b.pf & ~LVDPA_TGP_PF(BACKEND_REQ), "acked protocol features");
	/* Features: legacy set and PROTOCOL_FEATURES, no VERSION_1, no ANY_LAYOUT. */
	LVDPA_TEST_ASSERT_EQ(b.rec[6].payload[0], 0, "early call fd of ring 0");
	LVDPA_TEST_ASSERT_EQ(b.rec[7].payload[0], 1, "early call fd of ring 1");
	LVDPA_TEST_ASSERT_EQ(b.rec[7].nfds, 1, "with its eventfd");
	memcpy(&v, b.rec[9].payload, 8);
	LVDPA_TEST_ASSERT_EQ(v, LVDPA_GUEST_FEATURES_LEGACY | (1ULL << 30), "features");
	LVDPA_TEST_ASSERT(b.rec[9].flags & LVDPA_GUEST_MSG_NEED_REPLY, "SET_FEATURES NEED_REPLY");
	LVDPA_TEST_ASSERT_EQ(b.rec[10].nfds, 2, "one fd per region");
	LVDPA_TEST_ASSERT(b.rec[10].flags & LVDPA_GUEST_MSG_NEED_REPLY, "SET_MEM_TABLE NEED_REPLY");
	for (r = 0; r < 2; r++) {
		for (i = 0; i < sizeof(ring) / sizeof(ring[0]); i++, k++) {
			uint32_t idx, num;

			LVDPA_TEST_ASSERT_EQ(b.rec[k].request, ring[i], "message %u", k);
			memcpy(&idx, b.rec[k].payload, 4);
			memcpy(&num, b.rec[k].payload + 4, 4);
			LVDPA_TEST_ASSERT_EQ(idx & 0xff, r, "ring index of message %u", k);
			if (ring[i] == LVDPA_GUEST_REQ_SET_VRING_ENDIAN)
				LVDPA_TEST_ASSERT_EQ(num, LVDPA_GUEST_VRING_BIG_ENDIAN, "big endian");
			if (ring[i] == LVDPA_GUEST_REQ_SET_VRING_NUM)
				LVDPA_TEST_ASSERT_EQ(num, 64, "ring size");
			if (ring[i] == LVDPA_GUEST_REQ_SET_VRING_KICK ||
			    ring[i] == LVDPA_GUEST_REQ_SET_VRING_CALL)
				LVDPA_TEST_ASSERT_EQ(b.rec[k].nfds, 1, "eventfd");
		}
	}
	for (r = 0; r < 2; r++, k++) {
		LVDPA_TEST_ASSERT_EQ(b.rec[k].request, LVDPA_GUEST_REQ_SET_VRING_ENABLE, "enable");
		LVDPA_TEST_ASSERT_EQ(b.rec[k].payload[4], 1, "enabled");
	}
	LVDPA_TEST_ASSERT_EQ(b.rec[k].request, LVDPA_GUEST_REQ_SET_STATUS, "status");
	memcpy(&v, b.rec[k].payload, 8);
	LVDPA_TEST_ASSERT_EQ(v, 0x07, "ACK|DRIVER|DRIVER_OK, legacy: no FEATURES_OK");
	k++;
	for (r = 0; r < 2; r++, k++)
		LVDPA_TEST_ASSERT_EQ(b.rec[k].request, LVDPA_GUEST_REQ_SET_VRING_ENABLE, "disable");
	for (r = 0; r < 2; r++, k++)
		LVDPA_TEST_ASSERT_EQ(b.rec[k].request, LVDPA_GUEST_REQ_GET_VRING_BASE, "stop");
	LVDPA_TEST_ASSERT_EQ(b.n, k, "nothing more");
	return 0;
}

/* Without CROSS_ENDIAN the big-endian legacy guest is refused before any
 * ring message, as QEMU refuses it. */
static int
test_guest_big_endian_needs_cross_endian(void)
{
	static struct lvdpa_tgp_backend b;
	struct lvdpa_guest_config cfg;
	int crc;

	lvdpa_guest_config_init(&cfg);
	cfg.features = LVDPA_GUEST_FEATURES_ZERO;
	cfg.big_endian = true;
	b.features = LVDPA_GUEST_FEATURES_MODERN | (1ULL << 30);
	b.pf = LVDPA_TGP_PF(REPLY_ACK);
	if (lvdpa_tgp_session(&b, &cfg, &crc) != 0)
		return -1;
	LVDPA_TEST_ASSERT_EQ(crc, -ENOTSUP, "refused");
	LVDPA_TEST_ASSERT(lvdpa_tgp_find(&b, LVDPA_GUEST_REQ_SET_FEATURES, -1, 0) < 0,
			  "no SET_FEATURES");
	LVDPA_TEST_ASSERT(lvdpa_tgp_find(&b, LVDPA_GUEST_REQ_SET_VRING_NUM, -1, 0) < 0,
			  "no ring set up");
	LVDPA_TEST_ASSERT(lvdpa_tgp_find(&b, LVDPA_GUEST_REQ_SET_VRING_ENDIAN, -1, 0) < 0,
			  "no SET_VRING_ENDIAN");
	return 0;
}

/* Modern guest, server socket, no REPLY_ACK offered: no NEED_REPLY flag,
 * no SET_VRING_ENDIAN, no GET_CONFIG, FEATURES_OK in the status. */
static int
test_guest_order_modern_server(void)
{
	static struct lvdpa_tgp_backend b;
	struct lvdpa_guest_config cfg;
	unsigned int i;
	uint64_t v;
	int crc, k;

	lvdpa_guest_config_init(&cfg);
	cfg.server = true;
	cfg.queue_pairs = 2;
	b.features = LVDPA_GUEST_FEATURES_MODERN | (1ULL << 30) | (1ULL << 22);
	b.pf = LVDPA_TGP_PF(MQ) | LVDPA_TGP_PF(STATUS);
	if (lvdpa_tgp_session(&b, &cfg, &crc) != 0)
		return -1;
	LVDPA_TEST_ASSERT_EQ(crc, 0, "connect");
	for (i = 0; i < b.n; i++) {
		LVDPA_TEST_ASSERT(!(b.rec[i].flags & LVDPA_GUEST_MSG_NEED_REPLY),
				  "NEED_REPLY without REPLY_ACK on message %u", i);
		LVDPA_TEST_ASSERT(b.rec[i].request != LVDPA_GUEST_REQ_SET_VRING_ENDIAN &&
				  b.rec[i].request != LVDPA_GUEST_REQ_GET_CONFIG,
				  "unexpected %s", lvdpa_guest_req_name(b.rec[i].request));
	}
	k = lvdpa_tgp_find(&b, LVDPA_GUEST_REQ_SET_FEATURES, -1, 0);
	LVDPA_TEST_ASSERT(k >= 0, "SET_FEATURES");
	memcpy(&v, b.rec[k].payload, 8);
	LVDPA_TEST_ASSERT_EQ(v, LVDPA_GUEST_FEATURES_MODERN | (1ULL << 30) | (1ULL << 22),
			     "features with MQ for two pairs");
	/* Four rings, each address set after its size and base. */
	for (i = 0; i < 4; i++) {
		int num = lvdpa_tgp_find(&b, LVDPA_GUEST_REQ_SET_VRING_NUM, i, 0);
		int addr = lvdpa_tgp_find(&b, LVDPA_GUEST_REQ_SET_VRING_ADDR, i, 0);
		int en = lvdpa_tgp_find(&b, LVDPA_GUEST_REQ_SET_VRING_ENABLE, i, 0);

		LVDPA_TEST_ASSERT(num >= 0 && addr > num && en > addr, "ring %u order", i);
	}
	k = lvdpa_tgp_find(&b, LVDPA_GUEST_REQ_SET_STATUS, -1, 0);
	LVDPA_TEST_ASSERT(k >= 0, "SET_STATUS");
	memcpy(&v, b.rec[k].payload, 8);
	LVDPA_TEST_ASSERT_EQ(v, 0x0f, "status with FEATURES_OK");
	return 0;
}

/* A backend without MQ cannot serve two queue pairs. */
static int
test_guest_mq_refused(void)
{
	static struct lvdpa_tgp_backend b;
	struct lvdpa_guest_config cfg;
	int crc;

	lvdpa_guest_config_init(&cfg);
	cfg.queue_pairs = 2;
	b.features = LVDPA_GUEST_FEATURES_MODERN | (1ULL << 30);
	b.pf = LVDPA_TGP_PF(REPLY_ACK);
	if (lvdpa_tgp_session(&b, &cfg, &crc) != 0)
		return -1;
	LVDPA_TEST_ASSERT_EQ(crc, -ENOTSUP, "refused");
	return 0;
}

/* Configurations QEMU would never build are refused at create. */
static int
test_guest_config_refused(void)
{
	struct lvdpa_guest_config cfg;
	struct lvdpa_guest *g;

	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = "/nonexistent";
	cfg.big_endian = true;   /* with VERSION_1 (modern default) */
	g = lvdpa_guest_create(&cfg);
	LVDPA_TEST_ASSERT(g == NULL && errno == EINVAL, "big-endian modern");
	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = "/nonexistent";
	cfg.queue_size = 100;
	g = lvdpa_guest_create(&cfg);
	LVDPA_TEST_ASSERT(g == NULL && errno == EINVAL, "split size not a power of 2");
	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = "/nonexistent";
	cfg.features = LVDPA_GUEST_FEATURES_LEGACY | (1ULL << 34);
	g = lvdpa_guest_create(&cfg);
	LVDPA_TEST_ASSERT(g == NULL && errno == EINVAL, "packed without VERSION_1");
	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = "/nonexistent";
	cfg.mem_regions = 9;
	g = lvdpa_guest_create(&cfg);
	LVDPA_TEST_ASSERT(g == NULL && errno == EINVAL, "9 regions");
	/* A missing backend is a bounded failure. */
	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = "/tmp/lvdpa-no-such-backend.sock";
	cfg.timeout_ms = 100;
	g = lvdpa_guest_create(&cfg);
	LVDPA_TEST_ASSERT(g != NULL, "create");
	LVDPA_TEST_ASSERT_EQ(lvdpa_guest_connect(g), -ETIMEDOUT, "no backend");
	lvdpa_guest_destroy(g);
	return 0;
}

/* The raw helper sends exactly what it is given. */
static int
test_guest_send_raw(void)
{
	static struct lvdpa_tgp_backend b;
	struct lvdpa_guest_config cfg;
	struct lvdpa_guest *g;
	uint64_t v = 0;
	pthread_t t;
	int rc;

	lvdpa_guest_config_init(&cfg);
	snprintf(b.path, sizeof(b.path), "/tmp/lvdpa-tgp-raw-%d.sock", (int)getpid());
	unlink(b.path);
	b.connect = false;
	b.n = 0;
	b.features = 0x1234;
	b.lfd = lvdpa_guest_sock_listen(b.path);
	LVDPA_TEST_ASSERT(b.lfd >= 0, "listen");
	cfg.socket_path = b.path;
	cfg.mem_size = 4 << 20;
	g = lvdpa_guest_create(&cfg);
	if (g == NULL || pthread_create(&t, NULL, lvdpa_tgp_backend_main, &b) != 0) {
		lvdpa_guest_destroy(g);
		close(b.lfd);
		unlink(b.path);
		LVDPA_TEST_ASSERT(0, "setup");
	}
	/* A GET_FEATURES whose size field claims 4 bytes, then 4 bytes. */
	rc = lvdpa_guest_send_raw(g, LVDPA_GUEST_REQ_SET_OWNER, 1, 4, "abcd", 4,
				  NULL, 0, NULL, 0);
	if (rc == 0)
		rc = lvdpa_guest_send_raw(g, LVDPA_GUEST_REQ_GET_FEATURES, 1, 0,
					  NULL, 0, NULL, 0, &v, sizeof(v));
	lvdpa_guest_destroy(g);
	pthread_join(t, NULL);
	close(b.lfd);
	unlink(b.path);
	LVDPA_TEST_ASSERT_EQ(rc, 8, "reply bytes");
	LVDPA_TEST_ASSERT_EQ(v, 0x1234, "reply");
	LVDPA_TEST_ASSERT_EQ(b.n, 2, "two messages");
	LVDPA_TEST_ASSERT_EQ(b.rec[0].size, 4, "size as given");
	LVDPA_TEST_ASSERT(memcmp(b.rec[0].payload, "abcd", 4) == 0, "payload");
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_guest_golden),
	LVDPA_TEST_CASE(test_guest_scm_rights),
	LVDPA_TEST_CASE(test_guest_recv_timeout),
	LVDPA_TEST_CASE(test_guest_order_big_endian),
	LVDPA_TEST_CASE(test_guest_big_endian_needs_cross_endian),
	LVDPA_TEST_CASE(test_guest_order_modern_server),
	LVDPA_TEST_CASE(test_guest_mq_refused),
	LVDPA_TEST_CASE(test_guest_config_refused),
	LVDPA_TEST_CASE(test_guest_send_raw),
)
