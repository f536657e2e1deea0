/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * lvdpa-guest against a small loopback backend in a thread: a vhost-user
 * slave that maps the memory table, honours SET_VRING_ENDIAN, and moves
 * every TX packet into the next RX buffer through lvdpa_ring's device role.
 * net_vhost serves only little-endian rings; this backend lets a big-endian
 * legacy guest (the case QEMU needs CROSS_ENDIAN for) exchange traffic.
 */

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <lvdpa_net_hdr.h>   /* lvdpa_net_hdr_len */

#include "lvdpa_guest_priv.h"
#include "lvdpa_test.h"

struct lvdpa_tgl_region {
	uint64_t gpa, size, uaddr;
	uint8_t *map;
	uint64_t map_len;
};

struct lvdpa_tgl_vring {
	uint16_t num;
	uint16_t base;
	bool big_endian;
	uint64_t desc, used, avail;   /* frontend virtual addresses */
	int kick, call;
	bool enabled;
	struct lvdpa_ring ring;
	bool ring_ok;
};

struct lvdpa_tgl {
	char path[108];
	int lfd;
	uint64_t features_offered, pf_offered;
	uint64_t features;
	unsigned int nreg;
	struct lvdpa_tgl_region reg[LVDPA_GUEST_MAX_REGIONS];
	struct lvdpa_ring_mem view;
	struct lvdpa_tgl_vring vr[2];
	bool running;
	bool hangup;             /* close the connection at DRIVER_OK */
	unsigned int endian_msgs;
	uint64_t looped;
	uint64_t merged;         /* packets that took more than one RX buffer */
	int result;
};

static int
lvdpa_tgl_translate(void *opaque, uint64_t addr, uint64_t len, int write,
		    void **ptr, uint64_t *contig)
{
	struct lvdpa_tgl *b = opaque;
	unsigned int i;

	(void)write;
	for (i = 0; i < b->nreg; i++) {
		struct lvdpa_tgl_region *r = &b->reg[i];

		if (addr >= r->gpa && addr - r->gpa < r->size && len > 0) {
			uint64_t left = r->size - (addr - r->gpa);

			*ptr = r->map + (addr - r->gpa);
			*contig = len < left ? len : left;
			return 0;
		}
	}
	return -EFAULT;
}

/* Ring addresses arrive as frontend virtual addresses. */
static uint64_t
lvdpa_tgl_va_to_gpa(const struct lvdpa_tgl *b, uint64_t va)
{
	unsigned int i;

	for (i = 0; i < b->nreg; i++)
		if (va >= b->reg[i].uaddr && va - b->reg[i].uaddr < b->reg[i].size)
			return b->reg[i].gpa + (va - b->reg[i].uaddr);
	return UINT64_MAX;
}

/* One message with its fds (kept open, unlike the frontend's reader). */
static int
lvdpa_tgl_read(int fd, struct lvdpa_guest_msg *m)
{
	char ctl[CMSG_SPACE(sizeof(int) * LVDPA_GUEST_MSG_MAX_FDS)];
	uint8_t hdr[LVDPA_GUEST_MSG_HDR_SIZE];
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *c;
	size_t got = 0;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = hdr;
	iov.iov_len = sizeof(hdr);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl;
	mh.msg_controllen = sizeof(ctl);
	n = recvmsg(fd, &mh, MSG_WAITALL | MSG_CMSG_CLOEXEC);
	if (n == 0)
		return -ECONNRESET;
	if (n != sizeof(hdr))
		return -EIO;
	m->nfds = 0;
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			m->nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(m->fds, CMSG_DATA(c), m->nfds * sizeof(int));
		}
	}
	memcpy(&m->request, hdr, 4);
	memcpy(&m->flags, hdr + 4, 4);
	memcpy(&m->size, hdr + 8, 4);
	if (m->size > LVDPA_GUEST_MSG_MAX_PAYLOAD)
		return -EMSGSIZE;
	while (got < m->size) {
		n = read(fd, m->payload + got, m->size - got);
		if (n <= 0)
			return -EIO;
		got += (size_t)n;
	}
	return 0;
}

static int
lvdpa_tgl_reply_u64(int fd, uint32_t req, uint64_t v)
{
	struct lvdpa_guest_msg out;

	lvdpa_guest_msg_u64(&out, req, LVDPA_GUEST_MSG_REPLY, v);
	return lvdpa_guest_msg_send(fd, &out);
}

static int
lvdpa_tgl_start(struct lvdpa_tgl *b)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct lvdpa_tgl_vring *v = &b->vr[i];
		struct lvdpa_ring_config cfg;
		int rc;

		memset(&cfg, 0, sizeof(cfg));
		cfg.size = v->num;
		cfg.packed = !!(b->features & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_RING_PACKED));
		cfg.event_idx = !!(b->features & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_EVENT_IDX));
		cfg.indirect = !!(b->features & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_INDIRECT_DESC));
		cfg.big_endian = v->big_endian;
		cfg.desc_addr = lvdpa_tgl_va_to_gpa(b, v->desc);
		cfg.driver_addr = lvdpa_tgl_va_to_gpa(b, v->avail);
		cfg.device_addr = lvdpa_tgl_va_to_gpa(b, v->used);
		cfg.mem = &b->view;
		rc = lvdpa_ring_init(&v->ring, &cfg);
		if (rc < 0)
			return rc;
		lvdpa_ring_set_base(&v->ring, v->base, v->base);
		v->ring_ok = true;
	}
	b->running = true;
	return 0;
}

static void
lvdpa_tgl_call(struct lvdpa_tgl_vring *v)
{
	uint64_t one = 1;

	if (lvdpa_ring_dev_need_notify(&v->ring) && v->call >= 0 &&
	    write(v->call, &one, sizeof(one)) != sizeof(one))
		return;
}

#define LVDPA_TGL_MAX_BUFS 16

/* Copy TX chains into RX chains, header included. With mergeable buffers a
 * packet fills as many RX chains as it needs and the first header gets
 * num_buffers, written byte by byte in the ring's byte order: a guest that
 * reads the header in the wrong order sees 256 times the count. */
static int
lvdpa_tgl_loop(struct lvdpa_tgl *b)
{
	struct lvdpa_ring_iov tiov[8], riov[LVDPA_TGL_MAX_BUFS][8];
	struct lvdpa_ring_chain tch, rch[LVDPA_TGL_MAX_BUFS];
	struct lvdpa_tgl_vring *rx = &b->vr[0], *tx = &b->vr[1];
	unsigned int hdr_len = lvdpa_net_hdr_len(b->features);
	bool mrg = !!(b->features & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_MRG_RXBUF));
	int moved = 0, rc;

	for (;;) {
		uint32_t len[LVDPA_TGL_MAX_BUFS], i, j = 0, joff = 0;
		unsigned int nb = 0;

		rc = lvdpa_ring_dev_pop(&tx->ring, &tch, tiov, 8);
		if (rc <= 0)
			break;
		/* Gather the readable TX segments into writable RX ones. */
		for (i = 0; i < tch.nout && rc > 0; i++) {
			uint32_t toff = 0;

			while (toff < tiov[i].len) {
				struct lvdpa_ring_iov *d;
				uint32_t k;

				if (nb == 0 || j == rch[nb - 1].nout + rch[nb - 1].nin) {
					if (nb == LVDPA_TGL_MAX_BUFS || (nb > 0 && !mrg))
						return -E2BIG;
					rc = lvdpa_ring_dev_pop(&rx->ring, &rch[nb],
								riov[nb], 8);
					if (rc <= 0)
						break;
					len[nb++] = 0;
					j = rch[nb - 1].nout;
					joff = 0;
				}
				d = &riov[nb - 1][j];
				k = tiov[i].len - toff;
				if (k > d->len - joff)
					k = d->len - joff;
				memcpy((uint8_t *)d->base + joff,
				       (uint8_t *)tiov[i].base + toff, k);
				toff += k;
				joff += k;
				len[nb - 1] += k;
				if (joff == d->len) {
					j++;
					joff = 0;
				}
			}
		}
		if (rc <= 0) {
			/* Not enough RX buffers yet: put everything back. */
			lvdpa_ring_dev_unpop(&rx->ring, nb);
			lvdpa_ring_dev_unpop(&tx->ring, 1);
			break;
		}
		if (hdr_len == LVDPA_NET_HDR_LEN_MRG && riov[0][rch[0].nout].len >= hdr_len) {
			uint8_t *p = (uint8_t *)riov[0][rch[0].nout].base + 10;

			p[0] = rx->big_endian ? 0 : nb;
			p[1] = rx->big_endian ? nb : 0;
		}
		for (i = 0; i < nb; i++)
			lvdpa_ring_dev_push(&rx->ring, &rch[i], len[i]);
		lvdpa_ring_dev_push(&tx->ring, &tch, 0);
		moved++;
		b->looped++;
		b->merged += nb > 1;
	}
	if (rc < 0)
		return rc;
	if (moved > 0) {
		lvdpa_ring_dev_flush(&rx->ring);
		lvdpa_ring_dev_flush(&tx->ring);
		lvdpa_tgl_call(rx);
		lvdpa_tgl_call(tx);
	}
	return moved;
}

static int
lvdpa_tgl_handle(struct lvdpa_tgl *b, int fd, struct lvdpa_guest_msg *m)
{
	uint32_t idx = 0, num = 0;
	uint64_t u = 0;
	unsigned int i;
	int rc = 0;

	memcpy(&idx, m->payload, 4);
	memcpy(&num, m->payload + 4, 4);
	memcpy(&u, m->payload, 8);
	if (m->request >= LVDPA_GUEST_REQ_SET_VRING_NUM &&
	    m->request <= LVDPA_GUEST_REQ_SET_VRING_CALL && (idx & 0xff) > 1)
		return -EINVAL;
	switch (m->request) {
	case LVDPA_GUEST_REQ_GET_FEATURES:
		return lvdpa_tgl_reply_u64(fd, m->request, b->features_offered);
	case LVDPA_GUEST_REQ_GET_PROTOCOL_FEATURES:
		return lvdpa_tgl_reply_u64(fd, m->request, b->pf_offered);
	case LVDPA_GUEST_REQ_SET_FEATURES:
		b->features = u;
		break;
	case LVDPA_GUEST_REQ_SET_MEM_TABLE: {
		uint32_t n;

		memcpy(&n, m->payload, 4);
		if (n != m->nfds || n > LVDPA_GUEST_MAX_REGIONS)
			return -EINVAL;
		for (i = 0; i < n; i++) {
			struct lvdpa_tgl_region *r = &b->reg[i];
			uint64_t off;
			uint8_t *p = m->payload + 8 + 32 * i;

			memcpy(&r->gpa, p, 8);
			memcpy(&r->size, p + 8, 8);
			memcpy(&r->uaddr, p + 16, 8);
			memcpy(&off, p + 24, 8);
			r->map_len = r->size + off;
			r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE,
				      MAP_SHARED, m->fds[i], 0);
			close(m->fds[i]);
			if (r->map == MAP_FAILED) {
				r->map = NULL;
				return -errno;
			}
			r->map += off;
			b->nreg = i + 1;
		}
		m->nfds = 0;
		break;
	}
	case LVDPA_GUEST_REQ_SET_VRING_NUM:
		b->vr[idx].num = (uint16_t)num;
		break;
	case LVDPA_GUEST_REQ_SET_VRING_BASE:
		b->vr[idx].base = (uint16_t)num;
		break;
	case LVDPA_GUEST_REQ_SET_VRING_ENDIAN:
		b->vr[idx].big_endian = num == LVDPA_GUEST_VRING_BIG_ENDIAN;
		b->endian_msgs++;
		break;
	case LVDPA_GUEST_REQ_SET_VRING_ADDR: {
		uint8_t *p = m->payload;

		memcpy(&b->vr[idx].desc, p + 8, 8);
		memcpy(&b->vr[idx].used, p + 16, 8);
		memcpy(&b->vr[idx].avail, p + 24, 8);
		break;
	}
	case LVDPA_GUEST_REQ_SET_VRING_KICK:
	case LVDPA_GUEST_REQ_SET_VRING_CALL: {
		int *slot = m->request == LVDPA_GUEST_REQ_SET_VRING_KICK ?
			    &b->vr[idx & 0xff].kick : &b->vr[idx & 0xff].call;

		if (*slot >= 0)
			close(*slot);
		*slot = m->nfds == 1 ? m->fds[0] : -1;
		m->nfds = 0;
		break;
	}
	case LVDPA_GUEST_REQ_SET_VRING_ENABLE:
		b->vr[idx & 1].enabled = num != 0;
		break;
	case LVDPA_GUEST_REQ_SET_STATUS:
		if ((u & LVDPA_VIRTIO_STATUS_DRIVER_OK) && !b->running)
			rc = lvdpa_tgl_start(b);
		break;
	case LVDPA_GUEST_REQ_GET_VRING_BASE: {
		struct lvdpa_guest_msg out;
		uint16_t avail = 0, used = 0;

		b->running = false;
		if (b->vr[idx & 1].ring_ok)
			lvdpa_ring_get_base(&b->vr[idx & 1].ring, &avail, &used);
		lvdpa_guest_msg_state(&out, m->request, LVDPA_GUEST_MSG_REPLY,
				      idx, avail);
		return lvdpa_guest_msg_send(fd, &out);
	}
	default:
		break;
	}
	if (m->flags & LVDPA_GUEST_MSG_NEED_REPLY) {
		int r2 = lvdpa_tgl_reply_u64(fd, m->request, rc < 0 ? 1 : 0);

		if (r2 < 0)
			return r2;
	}
	return rc;
}

static void *
lvdpa_tgl_main(void *arg)
{
	struct lvdpa_tgl *b = arg;
	struct lvdpa_guest_msg m;
	unsigned int i;
	int fd, rc = 0;

	fd = lvdpa_guest_sock_accept(b->lfd, 3000);
	if (fd < 0) {
		b->result = fd;
		return NULL;
	}
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = b->vr[0].kick, .events = POLLIN },
			{ .fd = b->vr[1].kick, .events = POLLIN },
		};
		uint64_t v;

		if (b->running) {
			rc = lvdpa_tgl_loop(b);
			if (rc < 0)
				break;
		}
		if (poll(p, 3, b->running && rc > 0 ? 0 : 1) < 0)
			continue;
		for (i = 1; i < 3; i++)
			if ((p[i].revents & POLLIN) &&
			    read(p[i].fd, &v, sizeof(v)) < 0)
				continue;
		if (p[0].revents & (POLLIN | POLLHUP)) {
			rc = lvdpa_tgl_read(fd, &m);
			if (rc == 0)
				rc = lvdpa_tgl_handle(b, fd, &m);
			if (rc == 0 && b->running && b->hangup) {
				rc = -ECONNRESET;
				break;
			}
			for (i = 0; i < m.nfds && rc == 0; i++)
				close(m.fds[i]);
			if (rc < 0)
				break;
		}
	}
	close(fd);
	b->result = rc == -ECONNRESET ? 0 : rc;
	return NULL;
}

static void
lvdpa_tgl_cleanup(struct lvdpa_tgl *b)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (b->vr[i].ring_ok)
			lvdpa_ring_fini(&b->vr[i].ring);
		if (b->vr[i].kick >= 0)
			close(b->vr[i].kick);
		if (b->vr[i].call >= 0)
			close(b->vr[i].call);
	}
	for (i = 0; i < b->nreg; i++)
		if (b->reg[i].map != NULL)
			munmap(b->reg[i].map - (b->reg[i].map_len - b->reg[i].size),
			       b->reg[i].map_len);
	if (b->lfd >= 0)
		close(b->lfd);
	unlink(b->path);
}

static unsigned int
lvdpa_tgl_max(const struct lvdpa_guest_config *cfg)
{
	unsigned int i, m = 0;

	for (i = 0; i < cfg->nsizes; i++)
		m = cfg->sizes[i] > m ? cfg->sizes[i] : m;
	return m;
}

static int
lvdpa_tgl_run(struct lvdpa_guest_config *cfg, uint64_t offered, uint64_t pf,
	      uint64_t pkts, unsigned int expect_endian_msgs,
	      unsigned int expect_hdr)
{
	static struct lvdpa_tgl b;
	struct lvdpa_guest_stats st;
	struct lvdpa_guest *g;
	pthread_t t;
	int rc, hdr = -1;

	memset(&b, 0, sizeof(b));
	b.vr[0].kick = b.vr[0].call = b.vr[1].kick = b.vr[1].call = -1;
	b.features_offered = offered | LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_PROTOCOL_FEATURES);
	b.pf_offered = pf;
	b.view.translate = lvdpa_tgl_translate;
	b.view.opaque = &b;
	snprintf(b.path, sizeof(b.path), "/tmp/lvdpa-tgl-%d.sock", (int)getpid());
	unlink(b.path);
	b.lfd = lvdpa_guest_sock_listen(b.path);
	LVDPA_TEST_ASSERT(b.lfd >= 0, "listen");
	if (pthread_create(&t, NULL, lvdpa_tgl_main, &b) != 0) {
		lvdpa_tgl_cleanup(&b);
		LVDPA_TEST_ASSERT(0, "thread");
	}
	cfg->socket_path = b.path;
	cfg->mem_size = 8 << 20;
	cfg->timeout_ms = 2000;
	g = lvdpa_guest_create(cfg);
	rc = g == NULL ? -errno : lvdpa_guest_connect(g);
	if (rc == 0) {
		hdr = (int)lvdpa_guest_hdr_len(g);
		rc = lvdpa_guest_run_traffic(g, pkts, 5000);
		printf("# %s\n", lvdpa_guest_verdict(g, rc));
		lvdpa_guest_get_stats(g, &st);
		if (rc == 0)
			rc = lvdpa_guest_stop(g);
	}
	lvdpa_guest_destroy(g);   /* closes the socket: the backend ends */
	pthread_join(t, NULL);
	lvdpa_tgl_cleanup(&b);
	LVDPA_TEST_ASSERT_EQ(rc, 0, "guest: %s", strerror(-rc));
	LVDPA_TEST_ASSERT_EQ(b.result, 0, "backend: %s", strerror(-b.result));
	LVDPA_TEST_ASSERT_EQ(b.endian_msgs, expect_endian_msgs, "SET_VRING_ENDIAN messages");
	LVDPA_TEST_ASSERT_EQ(hdr, expect_hdr, "header length");
	LVDPA_TEST_ASSERT_EQ(st.received, pkts, "received");
	LVDPA_TEST_ASSERT_EQ(st.bad, 0, "bad");
	LVDPA_TEST_ASSERT_EQ(b.looped, pkts, "looped by the backend");
	if (hdr == LVDPA_NET_HDR_LEN_MRG && cfg->rx_buf_size < lvdpa_tgl_max(cfg))
		LVDPA_TEST_ASSERT(b.merged > 0, "some packets spanned RX buffers");
	return 0;
}

#define LVDPA_TGL_PF ((1ULL << LVDPA_GUEST_PF_REPLY_ACK) | \
		      (1ULL << LVDPA_GUEST_PF_CROSS_ENDIAN) | \
		      (1ULL << LVDPA_GUEST_PF_STATUS))

/* Big-endian legacy guest, zero features: 10-byte header in its own
 * descriptor, big-endian split rings. */
static int
test_guest_be_zero(void)
{
	struct lvdpa_guest_config cfg;

	lvdpa_guest_config_init(&cfg);
	cfg.features = LVDPA_GUEST_FEATURES_ZERO;
	cfg.big_endian = true;
	cfg.nsizes = 2;
	cfg.sizes[0] = 64;
	cfg.sizes[1] = 1400;
	return lvdpa_tgl_run(&cfg, LVDPA_GUEST_FEATURES_MODERN, LVDPA_TGL_PF,
			     2000, 2, 10);
}

/* Big-endian legacy guest with MAC|CSUM|MRG_RXBUF and indirect descriptors:
 * 12-byte big-endian header (num_buffers), two memory regions. */
static int
test_guest_be_mrg_indirect(void)
{
	struct lvdpa_guest_config cfg;

	lvdpa_guest_config_init(&cfg);
	cfg.features = LVDPA_GUEST_FEATURES_LEGACY |
		       LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_INDIRECT_DESC) |
		       LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_EVENT_IDX);
	cfg.big_endian = true;
	cfg.mem_regions = 2;
	cfg.queue_size = 128;
	cfg.rx_buf_size = 512;   /* 2000 bytes take 4 buffers, 777 two */
	cfg.nsizes = 3;
	cfg.sizes[0] = 60;
	cfg.sizes[1] = 2000;
	cfg.sizes[2] = 777;
	return lvdpa_tgl_run(&cfg, LVDPA_GUEST_FEATURES_LEGACY |
			     LVDPA_GUEST_FEATURES_MODERN, LVDPA_TGL_PF, 3000, 2, 12);
}

/* Little-endian legacy guest on this little-endian host: no
 * SET_VRING_ENDIAN, as QEMU on x86. */
static int
test_guest_le_legacy_no_endian_msg(void)
{
	struct lvdpa_guest_config cfg;

	lvdpa_guest_config_init(&cfg);
	cfg.features = LVDPA_GUEST_FEATURES_LEGACY;
	cfg.hdr_layout = LVDPA_GUEST_HDR_INLINE;
	return lvdpa_tgl_run(&cfg, LVDPA_GUEST_FEATURES_LEGACY, LVDPA_TGL_PF,
			     1000, 0, 12);
}

/* Modern packed ring with event idx and indirect tables, header in its own
 * descriptor (so every buffer goes through an indirect table). */
static int
test_guest_packed_indirect(void)
{
	struct lvdpa_guest_config cfg;

	lvdpa_guest_config_init(&cfg);
	cfg.features = LVDPA_GUEST_FEATURES_MODERN |
		       LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_RING_PACKED);
	cfg.hdr_layout = LVDPA_GUEST_HDR_OWN_DESC;
	cfg.queue_size = 100;   /* packed rings need no power of two */
	cfg.nsizes = 2;
	cfg.sizes[0] = 64;
	cfg.sizes[1] = 1500;
	return lvdpa_tgl_run(&cfg, LVDPA_GUEST_FEATURES_MODERN |
			     LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_RING_PACKED),
			     LVDPA_TGL_PF, 2000, 0, 12);
}

/* A backend that hangs up after DRIVER_OK ends the run at once, with
 * -ECONNRESET, not at the traffic timeout. */
static int
test_guest_backend_hangup(void)
{
	static struct lvdpa_tgl b;
	struct lvdpa_guest_config cfg;
	struct lvdpa_guest *g;
	struct lvdpa_guest_stats st;
	pthread_t t;
	int rc;

	memset(&b, 0, sizeof(b));
	b.vr[0].kick = b.vr[0].call = b.vr[1].kick = b.vr[1].call = -1;
	b.features_offered = LVDPA_GUEST_FEATURES_MODERN |
			     LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_PROTOCOL_FEATURES);
	b.pf_offered = LVDPA_TGL_PF;
	b.hangup = true;
	b.view.translate = lvdpa_tgl_translate;
	b.view.opaque = &b;
	snprintf(b.path, sizeof(b.path), "/tmp/lvdpa-tgl-%d.sock", (int)getpid());
	unlink(b.path);
	b.lfd = lvdpa_guest_sock_listen(b.path);
	LVDPA_TEST_ASSERT(b.lfd >= 0, "listen");
	if (pthread_create(&t, NULL, lvdpa_tgl_main, &b) != 0) {
		lvdpa_tgl_cleanup(&b);
		LVDPA_TEST_ASSERT(0, "thread");
	}
	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = b.path;
	cfg.mem_size = 8 << 20;
	cfg.timeout_ms = 2000;
	g = lvdpa_guest_create(&cfg);
	rc = g == NULL ? -errno : lvdpa_guest_connect(g);
	if (rc == 0) {
		rc = lvdpa_guest_run_traffic(g, 1000, 20000);
		lvdpa_guest_get_stats(g, &st);
		printf("# %s\n", lvdpa_guest_verdict(g, rc));
	}
	lvdpa_guest_destroy(g);
	pthread_join(t, NULL);
	lvdpa_tgl_cleanup(&b);
	LVDPA_TEST_ASSERT_EQ(rc, -ECONNRESET, "run ends with the connection");
	LVDPA_TEST_ASSERT(st.elapsed_s < 5, "promptly (%.1f s)", st.elapsed_s);
	LVDPA_TEST_ASSERT_EQ(st.received, 0, "nothing came back");
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_guest_be_zero),
	LVDPA_TEST_CASE(test_guest_be_mrg_indirect),
	LVDPA_TEST_CASE(test_guest_le_legacy_no_endian_msg),
	LVDPA_TEST_CASE(test_guest_packed_indirect),
	LVDPA_TEST_CASE(test_guest_backend_hangup),
)
