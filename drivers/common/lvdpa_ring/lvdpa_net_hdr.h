/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_NET_HDR_H
#define LVDPA_NET_HDR_H

/**
 * @file
 * The virtio-net header in front of every packet (virtio 1.2, 5.1.6):
 * 10 bytes for a legacy device without MRG_RXBUF, 12 bytes (num_buffers
 * added) with VIRTIO_F_VERSION_1 or VIRTIO_NET_F_MRG_RXBUF. Its 16-bit
 * fields are in the ring's byte order (big-endian for a legacy BE guest).
 */

#include <stdbool.h>
#include <stdint.h>

#include "lvdpa_virtio.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LVDPA_NET_HDR_LEN_LEGACY 10
#define LVDPA_NET_HDR_LEN_MRG    12

/** The header in CPU byte order. */
struct lvdpa_net_hdr {
	uint8_t flags;        /**< LVDPA_VIRTIO_NET_HDR_F_* */
	uint8_t gso_type;     /**< LVDPA_VIRTIO_NET_HDR_GSO_* */
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers; /**< 0 when the header is 10 bytes long */
};

/** Header length for the negotiated @p features: 12 or 10. */
unsigned int lvdpa_net_hdr_len(uint64_t features);

/**
 * Decode a header of @p len bytes (10 or 12; other lengths are read as 10
 * when shorter than 12) from @p buf; num_buffers is 0 for a 10-byte header.
 */
void lvdpa_net_hdr_read(const void *buf, unsigned int len, bool big_endian,
			struct lvdpa_net_hdr *h);

/** Encode @p h into @p len bytes (10 or 12) at @p buf. */
void lvdpa_net_hdr_write(void *buf, unsigned int len, bool big_endian,
			 const struct lvdpa_net_hdr *h);

#ifdef __cplusplus
}
#endif

#endif /* LVDPA_NET_HDR_H */
