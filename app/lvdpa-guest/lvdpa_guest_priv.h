/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_GUEST_PRIV_H
#define LVDPA_GUEST_PRIV_H

/*
 * Inside of lvdpa-guest: the functions one file offers another, and the
 * state. Tests include it for the encoder and the memory view.
 */

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_log.h>

#include <lvdpa_ring.h>
#include <lvdpa_virtio.h>

#include "lvdpa_guest.h"

extern int lvdpa_guest_logtype;
#define LVDPA_GUEST_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, lvdpa_guest_logtype, \
		"lvdpa-guest: " fmt "\n", ##__VA_ARGS__)

/* ---- vhost-user messages (vhost-user.rst) ---- */

enum lvdpa_guest_req {
	LVDPA_GUEST_REQ_GET_FEATURES = 1,
	LVDPA_GUEST_REQ_SET_FEATURES = 2,
	LVDPA_GUEST_REQ_SET_OWNER = 3,
	LVDPA_GUEST_REQ_RESET_OWNER = 4,
	LVDPA_GUEST_REQ_SET_MEM_TABLE = 5,
	LVDPA_GUEST_REQ_SET_LOG_BASE = 6,
	LVDPA_GUEST_REQ_SET_LOG_FD = 7,
	LVDPA_GUEST_REQ_SET_VRING_NUM = 8,
	LVDPA_GUEST_REQ_SET_VRING_ADDR = 9,
	LVDPA_GUEST_REQ_SET_VRING_BASE = 10,
	LVDPA_GUEST_REQ_GET_VRING_BASE = 11,
	LVDPA_GUEST_REQ_SET_VRING_KICK = 12,
	LVDPA_GUEST_REQ_SET_VRING_CALL = 13,
	LVDPA_GUEST_REQ_SET_VRING_ERR = 14,
	LVDPA_GUEST_REQ_GET_PROTOCOL_FEATURES = 15,
	LVDPA_GUEST_REQ_SET_PROTOCOL_FEATURES = 16,
	LVDPA_GUEST_REQ_GET_QUEUE_NUM = 17,
	LVDPA_GUEST_REQ_SET_VRING_ENABLE = 18,
	LVDPA_GUEST_REQ_SEND_RARP = 19,
	LVDPA_GUEST_REQ_NET_SET_MTU = 20,
	LVDPA_GUEST_REQ_SET_BACKEND_REQ_FD = 21,
	LVDPA_GUEST_REQ_IOTLB_MSG = 22,
	LVDPA_GUEST_REQ_SET_VRING_ENDIAN = 23,
	LVDPA_GUEST_REQ_GET_CONFIG = 24,
	LVDPA_GUEST_REQ_SET_CONFIG = 25,
	LVDPA_GUEST_REQ_SET_STATUS = 39,
	LVDPA_GUEST_REQ_GET_STATUS = 40,
};

#define LVDPA_GUEST_MSG_VERSION    0x1
#define LVDPA_GUEST_MSG_REPLY      0x4
#define LVDPA_GUEST_MSG_NEED_REPLY 0x8
#define LVDPA_GUEST_MSG_HDR_SIZE   12
/* Big enough for SET_MEM_TABLE with 8 regions and GET_CONFIG of 256 bytes. */
#define LVDPA_GUEST_MSG_MAX_PAYLOAD 512
#define LVDPA_GUEST_MSG_MAX_FDS    8
#define LVDPA_GUEST_CONFIG_MAX     256
/* Vring file messages: index in bits 0-7, bit 8 = no fd (polling). */
#define LVDPA_GUEST_VRING_NOFD     0x100
#define LVDPA_GUEST_VRING_LITTLE_ENDIAN 0
#define LVDPA_GUEST_VRING_BIG_ENDIAN    1

/* A message as it goes on the wire: header fields, then payload bytes in
 * host byte order (the protocol is host-order: both ends share a host). */
struct lvdpa_guest_msg {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
	uint8_t payload[LVDPA_GUEST_MSG_MAX_PAYLOAD];
	int fds[LVDPA_GUEST_MSG_MAX_FDS];
	unsigned int nfds;
};

struct lvdpa_guest_mem_region_desc {
	uint64_t gpa;
	uint64_t size;
	uint64_t uaddr;
	uint64_t mmap_offset;
};

/* Encoders: fill @msg (flags get VERSION added). */
void lvdpa_guest_msg_none(struct lvdpa_guest_msg *msg, uint32_t req, uint32_t flags);
void lvdpa_guest_msg_u64(struct lvdpa_guest_msg *msg, uint32_t req,
			 uint32_t flags, uint64_t val);
void lvdpa_guest_msg_state(struct lvdpa_guest_msg *msg, uint32_t req,
			   uint32_t flags, uint32_t index, uint32_t num);
void lvdpa_guest_msg_addr(struct lvdpa_guest_msg *msg, uint32_t flags,
			  uint32_t index, uint64_t desc, uint64_t used,
			  uint64_t avail, uint64_t log);
void lvdpa_guest_msg_file(struct lvdpa_guest_msg *msg, uint32_t req,
			  uint32_t flags, uint32_t index, int fd);
int lvdpa_guest_msg_mem_table(struct lvdpa_guest_msg *msg, uint32_t flags,
			      const struct lvdpa_guest_mem_region_desc *r,
			      const int *fds, unsigned int n);
int lvdpa_guest_msg_config(struct lvdpa_guest_msg *msg, uint32_t flags,
			   uint32_t offset, uint32_t size);
/* Serialise the header and payload into @buf (>= 12 + size); returns bytes. */
size_t lvdpa_guest_msg_bytes(const struct lvdpa_guest_msg *msg, uint8_t *buf,
			     size_t len);
const char *lvdpa_guest_req_name(uint32_t req);

/* Socket I/O; every read has a timeout. */
int lvdpa_guest_sock_connect(const char *path, unsigned int timeout_ms);
int lvdpa_guest_sock_listen(const char *path);
int lvdpa_guest_sock_accept(int lfd, unsigned int timeout_ms);
int lvdpa_guest_sock_send(int sock, const void *buf, size_t len,
			  const int *fds, unsigned int nfds);
int lvdpa_guest_msg_send(int sock, const struct lvdpa_guest_msg *msg);
int lvdpa_guest_msg_recv(int sock, struct lvdpa_guest_msg *msg,
			 unsigned int timeout_ms);

/* ---- guest memory ---- */

struct lvdpa_guest_region {
	int fd;
	uint8_t *va;
	uint64_t gpa;
	uint64_t size;
	uint64_t used;   /* bump allocator */
};

struct lvdpa_guest_mem {
	unsigned int n;
	unsigned int next;   /* round robin for allocations */
	struct lvdpa_guest_region r[LVDPA_GUEST_MAX_REGIONS];
	struct lvdpa_ring_mem view;  /* guest physical -> our pointer */
};

/* memfd regions of @size total; region i starts at a 1 GB boundary after
 * region i-1, so guest memory has holes as on a real machine. */
int lvdpa_guest_mem_create(struct lvdpa_guest_mem *m, uint64_t size,
			   unsigned int nregions);
void lvdpa_guest_mem_destroy(struct lvdpa_guest_mem *m);
/* Allocate @len bytes (aligned) inside one region, regions in turn. */
int lvdpa_guest_mem_alloc(struct lvdpa_guest_mem *m, uint64_t len,
			  uint64_t align, uint64_t *gpa, void **va);
/* Pointer for [gpa, gpa + len) when it lies inside one region, else NULL. */
void *lvdpa_guest_mem_ptr(const struct lvdpa_guest_mem *m, uint64_t gpa,
			  uint64_t len);
/* The lvdpa_ring_mem translate callback (opaque: struct lvdpa_guest_mem). */
int lvdpa_guest_mem_translate(void *opaque, uint64_t addr, uint64_t len,
			      int write, void **ptr, uint64_t *contig);

/* ---- virtio-net driver ---- */

struct lvdpa_guest_buf {
	uint64_t gpa;
	uint8_t *va;
	uint64_t ind_gpa;   /* indirect table for this buffer, 0 if none */
};

struct lvdpa_guest_vq {
	struct lvdpa_ring ring;
	bool ring_ok;
	uint16_t index;     /* vring index: 2 * qp (+1 for TX) */
	int kick_fd;        /* guest_kick: we write, backend reads */
	int call_fd;        /* guest_call: backend writes, we read */
	uint64_t desc_gpa, driver_gpa, device_gpa;
	uint16_t base;      /* from GET_VRING_BASE at stop */
};

struct lvdpa_guest_qp {
	struct lvdpa_guest_vq rx, tx;
	struct lvdpa_guest_buf *rxb, *txb;
	uint16_t *rx_free, *tx_free;  /* stacks of unposted slots */
	unsigned int rx_nfree, tx_nfree;
	unsigned int rx_capacity;     /* buffers the RX ring took at start */
	uint64_t next_seq;            /* packets sent on this pair */
	uint64_t rx_seen;             /* packets received here, good or bad */
	uint8_t *seen;                /* bitmap by sequence number */
	uint64_t seen_bits;
	uint8_t *merge;               /* mergeable RX reassembly */
	uint32_t merge_len;
	uint16_t merge_left;
};

struct lvdpa_guest {
	struct lvdpa_guest_config cfg;
	char *path;
	int sock;
	int listen_fd;
	struct lvdpa_guest_mem mem;
	uint64_t offered, features;
	uint64_t offered_pf, pf;
	bool pf_acked;                /* VHOST_USER_F_PROTOCOL_FEATURES acked */
	uint16_t backend_queues;
	unsigned int hdr_len;
	bool hdr_own;
	bool mrg;
	bool packed;
	bool indirect;
	uint32_t rx_data;             /* data bytes per RX buffer */
	uint32_t tx_max;              /* largest packet a TX slot holds */
	unsigned int nsizes;
	unsigned int sizes[LVDPA_GUEST_MAX_SIZES];
	unsigned int nqp;
	struct lvdpa_guest_qp qp[LVDPA_GUEST_MAX_QP];
	uint8_t config_space[LVDPA_GUEST_CONFIG_MAX];
	unsigned int config_len;
	bool started;
	bool connect_tried;           /* connect runs once per guest */
	struct lvdpa_guest_stats st;
	char verdict[320];
};

/* Send a request; with @reply wait for the answer of the same request. */
int lvdpa_guest_request(struct lvdpa_guest *g, struct lvdpa_guest_msg *msg,
			struct lvdpa_guest_msg *reply);

int lvdpa_guest_net_fds(struct lvdpa_guest *g);     /* kick and call eventfds */
int lvdpa_guest_net_setup(struct lvdpa_guest *g);   /* rings, buffers */
void lvdpa_guest_net_teardown(struct lvdpa_guest *g);
int lvdpa_guest_net_start(struct lvdpa_guest *g);   /* post RX buffers */
/* Bytes of guest memory the datapath will allocate. */
uint64_t lvdpa_guest_net_mem_need(const struct lvdpa_guest *g);

/* Packet tag, also used by tests. */
void lvdpa_guest_pkt_fill(uint8_t *frame, unsigned int size,
			  const uint8_t mac[6], uint16_t qp, uint64_t seq);
/* 0 when @frame of @len bytes is a good packet; sets *qp and *seq. */
int lvdpa_guest_pkt_check(const uint8_t *frame, unsigned int len,
			  uint16_t *qp, uint64_t *seq);

#endif /* LVDPA_GUEST_PRIV_H */
