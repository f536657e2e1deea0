/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_GUEST_H
#define LVDPA_GUEST_H

/**
 * @file
 * A vhost-user frontend that behaves like a guest's virtio-net driver.
 *
 * It plays both of QEMU's parts: the vhost-user master (the message
 * sequence of hw/virtio/vhost-user.c, REPLY_ACK, SET_VRING_ENDIAN before
 * SET_VRING_ADDR) and the guest driver (memfd "guest memory", rings, RX
 * buffers, TX packets). It serves tests, benchmarks and users; it never uses
 * EAL, so it runs next to an EAL backend in one process.
 *
 * A guest is legacy (virtio 0.9.5: any feature set down to zero, little- or
 * big-endian rings and headers, 10- or 12-byte header, header in its own
 * descriptor or not) or modern (VERSION_1: split or packed ring, event idx,
 * indirect descriptors).
 *
 * Traffic: every packet carries a magic, its queue pair, its sequence number
 * and a pattern derived from the sequence number; the backend is expected to
 * loop each packet back (io forwarding), and every received packet is
 * verified byte for byte.
 *
 * Functions return 0 or a negative errno unless said otherwise.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Most queue pairs a guest drives. */
#define LVDPA_GUEST_MAX_QP 64
/** Most memory regions (vhost-user's SET_MEM_TABLE limit). */
#define LVDPA_GUEST_MAX_REGIONS 8
/** Most distinct packet sizes in one run (they cycle by sequence number). */
#define LVDPA_GUEST_MAX_SIZES 8
/** Smallest packet: Ethernet header and the guest's tag. */
#define LVDPA_GUEST_MIN_PKT 32
/** Smallest packet with udp: Ethernet, IPv4 and UDP headers and the tag. */
#define LVDPA_GUEST_MIN_PKT_UDP 60
/** Largest packet. */
#define LVDPA_GUEST_MAX_PKT 16384

/* vhost-user protocol feature bits (vhost-user.rst). */
#define LVDPA_GUEST_PF_MQ            0
#define LVDPA_GUEST_PF_LOG_SHMFD     1
#define LVDPA_GUEST_PF_RARP          2
#define LVDPA_GUEST_PF_REPLY_ACK     3
#define LVDPA_GUEST_PF_NET_MTU       4
#define LVDPA_GUEST_PF_BACKEND_REQ   5
#define LVDPA_GUEST_PF_CROSS_ENDIAN  6
#define LVDPA_GUEST_PF_CONFIG        9
#define LVDPA_GUEST_PF_STATUS        16

/** The protocol features this frontend implements (and asks for by default). */
#define LVDPA_GUEST_PF_SUPPORTED ((1ULL << LVDPA_GUEST_PF_MQ) | \
	(1ULL << LVDPA_GUEST_PF_REPLY_ACK) | (1ULL << LVDPA_GUEST_PF_CROSS_ENDIAN) | \
	(1ULL << LVDPA_GUEST_PF_CONFIG) | (1ULL << LVDPA_GUEST_PF_STATUS))

/** Feature presets (virtio feature bits the driver accepts). */
#define LVDPA_GUEST_FEATURES_ZERO 0ULL
/** A typical legacy driver: MAC, CSUM, mergeable RX, no VERSION_1. */
#define LVDPA_GUEST_FEATURES_LEGACY ((1ULL << 0) | (1ULL << 5) | (1ULL << 15))
/** A modern driver: VERSION_1, MAC, mergeable RX, event idx, indirect. */
#define LVDPA_GUEST_FEATURES_MODERN ((1ULL << 32) | (1ULL << 5) | \
	(1ULL << 15) | (1ULL << 29) | (1ULL << 28))

/** Where the virtio-net header goes in a buffer. */
enum lvdpa_guest_hdr_layout {
	/** Own descriptor unless ANY_LAYOUT or VERSION_1 (what legacy drivers do). */
	LVDPA_GUEST_HDR_AUTO = 0,
	/** Always in a descriptor of its own. */
	LVDPA_GUEST_HDR_OWN_DESC,
	/** Always in front of the packet, in one descriptor. */
	LVDPA_GUEST_HDR_INLINE,
};

struct lvdpa_guest_stats;

struct lvdpa_guest_config {
	const char *socket_path;
	/** Listen on socket_path (backend connects) instead of connecting. */
	bool server;
	/**
	 * Virtio features the driver accepts; it acks (offered & features).
	 * VERSION_1 and RING_PACKED, when asked for, must be offered.
	 */
	uint64_t features;
	/**
	 * vhost-user protocol features wanted (ANDed with the backend's and
	 * LVDPA_GUEST_PF_SUPPORTED). With no_protocol_features the frontend
	 * does not ack VHOST_USER_F_PROTOCOL_FEATURES at all.
	 */
	uint64_t protocol_features;
	bool no_protocol_features;
	/** Legacy guest whose rings and headers are big-endian. */
	bool big_endian;
	enum lvdpa_guest_hdr_layout hdr_layout;
	/** Use indirect tables for multi-descriptor buffers when negotiated. */
	bool use_indirect;
	uint16_t queue_pairs;   /**< 1..LVDPA_GUEST_MAX_QP; default 1 */
	uint16_t queue_size;    /**< default 256 */
	uint64_t mem_size;      /**< bytes of guest memory; default 64 MB */
	unsigned int mem_regions; /**< 1..8; default 1 */
	uint32_t rx_buf_size;   /**< RX data bytes per buffer (mergeable); default 2048 */
	/** Packet sizes (Ethernet frame bytes), cycled by sequence number;
	 * buffers are sized for the largest. Default one size, 64. */
	unsigned int sizes[LVDPA_GUEST_MAX_SIZES];
	unsigned int nsizes;
	uint8_t mac[6];         /**< source MAC; 0 -> 02:00:00:00:00:01 */
	/**
	 * Frames are IPv4/UDP (the tag follows the UDP header; sizes from
	 * LVDPA_GUEST_MIN_PKT_UDP). The UDP checksum is left to the device
	 * when CSUM was negotiated (NEEDS_CSUM, csum_start and csum_offset in
	 * the TX header), else computed by the guest. Received frames must
	 * carry valid IPv4 and UDP checksums; RX headers with DATA_VALID are
	 * counted (rx_csum_valid).
	 */
	bool udp;
	unsigned int timeout_ms;/**< per reply, and for connecting; default 3000 */
	/**
	 * Traffic: spin when nothing moved instead of sleeping on the call
	 * eventfds, and never ask for interrupts (as a DPDK PMD polls).
	 */
	bool busy_poll;
	int verbose;            /**< 0 quiet, 1 progress, 2 every message */
	/** Optional: called about once a second by lvdpa_guest_run_traffic. */
	void (*progress)(void *arg, const struct lvdpa_guest_stats *st);
	void *progress_arg;
};

/** Counters of a guest (all queue pairs together). */
struct lvdpa_guest_stats {
	uint64_t sent;          /**< packets handed to the TX rings */
	uint64_t tx_done;       /**< TX buffers returned by the backend */
	uint64_t received;      /**< good packets received */
	uint64_t bad;           /**< received packets that failed a check */
	uint64_t dup;           /**< received twice (counted in bad too) */
	uint64_t rx_bytes;
	uint64_t tx_bytes;
	uint64_t kicks;
	uint64_t calls;         /**< call eventfd wakeups */
	double elapsed_s;       /**< of the last lvdpa_guest_run_traffic */
	double mpps;            /**< received Mpps in that run */
	double gbps;            /**< received Gbit/s in that run */
	uint64_t tx_csum_offloaded; /**< TX frames sent with NEEDS_CSUM (udp) */
	uint64_t rx_csum_valid; /**< received with DATA_VALID in the header */
};

struct lvdpa_guest;

/** Fill @p cfg with defaults (socket_path stays NULL: the caller sets it). */
void lvdpa_guest_config_init(struct lvdpa_guest_config *cfg);

/**
 * Check a configuration and allocate the guest memory (no socket yet).
 * @return the guest, or NULL with errno set (EINVAL with a logged reason).
 */
struct lvdpa_guest *lvdpa_guest_create(const struct lvdpa_guest_config *cfg);

/**
 * Open the socket (connect with retries until timeout, or listen and accept
 * one backend) and run the whole negotiation in QEMU's order, up to
 * DRIVER_OK. -ENOTSUP when the backend cannot serve the configuration (e.g.
 * a big-endian legacy guest without CROSS_ENDIAN, as QEMU refuses it).
 * Runs once per guest: after a failure or a stop, destroy and create anew
 * (-EINVAL otherwise; -EALREADY while started).
 */
int lvdpa_guest_connect(struct lvdpa_guest *g);

/**
 * Queue up to @p n packets on queue pair @p qp, sizes cycling through
 * lvdpa_guest_set_sizes (@p size when non-zero overrides them).
 * @return packets queued (may be fewer when the ring is full), or -errno
 */
int lvdpa_guest_send(struct lvdpa_guest *g, unsigned int qp, unsigned int n,
		     unsigned int size);

/**
 * Reap TX completions and receive up to @p max packets on @p qp, verifying
 * each one and reposting RX buffers.
 * @return good packets received, or -errno (ring broken, backend gone)
 */
int lvdpa_guest_recv(struct lvdpa_guest *g, unsigned int qp, unsigned int max);

/** Change the packet sizes (none larger than the configured largest). */
int lvdpa_guest_set_sizes(struct lvdpa_guest *g, const unsigned int *sizes,
			  unsigned int n);

/**
 * Send @p pkts packets (spread over the queue pairs) and wait until all came
 * back or @p timeout_ms passed. Flow control keeps the packets in flight
 * below the RX buffers posted, so a loopback backend never drops.
 * @return 0 when every packet came back intact (PASS), -ETIMEDOUT when some
 *         were missing, -EBADMSG when one was corrupt, other -errno
 */
int lvdpa_guest_run_traffic(struct lvdpa_guest *g, uint64_t pkts,
			    unsigned int timeout_ms);

/** Counters so far. */
void lvdpa_guest_get_stats(const struct lvdpa_guest *g,
			   struct lvdpa_guest_stats *st);

/** The one-line verdict of the last run ("PASS sent ... (legacy, ...) x Mpps"). */
const char *lvdpa_guest_verdict(struct lvdpa_guest *g, int run_result);

/** What was negotiated (valid after connect). */
uint64_t lvdpa_guest_features(const struct lvdpa_guest *g);
uint64_t lvdpa_guest_protocol_features(const struct lvdpa_guest *g);
/** Backend's offers, as GET_FEATURES / GET_PROTOCOL_FEATURES answered. */
uint64_t lvdpa_guest_offered_features(const struct lvdpa_guest *g);
/** virtio-net header length in use (10 or 12). */
unsigned int lvdpa_guest_hdr_len(const struct lvdpa_guest *g);
/** Device config read by GET_CONFIG (0 bytes when CONFIG not negotiated). */
unsigned int lvdpa_guest_config_space(const struct lvdpa_guest *g,
				      uint8_t *buf, unsigned int len);

/**
 * Stop the device as QEMU does: SET_VRING_ENABLE 0 (with protocol
 * features), then GET_VRING_BASE for every ring.
 */
int lvdpa_guest_stop(struct lvdpa_guest *g);

/** Close the socket, fds and memory; NULL is fine. */
void lvdpa_guest_destroy(struct lvdpa_guest *g);

/**
 * Send one raw message (for malformed-message tests): the 12-byte header is
 * built from @p request, @p flags and @p size (which need not match
 * @p payload_len), followed by @p payload, with @p nfds fds attached.
 * When @p reply is not NULL, waits for a reply and copies up to
 * @p reply_len payload bytes there.
 * @return bytes of reply payload (0 when none was asked for), or -errno
 *         (-ECONNRESET when the backend closed the connection)
 */
int lvdpa_guest_send_raw(struct lvdpa_guest *g, uint32_t request,
			 uint32_t flags, uint32_t size, const void *payload,
			 size_t payload_len, const int *fds, unsigned int nfds,
			 void *reply, size_t reply_len);

/**
 * Open the socket without negotiating (for raw-message tests); connect
 * does it implicitly. 0 or -errno.
 */
int lvdpa_guest_open(struct lvdpa_guest *g);

#ifdef __cplusplus
}
#endif

#endif /* LVDPA_GUEST_H */
