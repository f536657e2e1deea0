/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#include <string.h>

#include <rte_byteorder.h>

#include "lvdpa_net_hdr.h"

/* Field offsets: flags, gso_type, then five 16-bit fields. */
#define LVDPA_NET_HDR_OFF_HDR_LEN     2
#define LVDPA_NET_HDR_OFF_GSO_SIZE    4
#define LVDPA_NET_HDR_OFF_CSUM_START  6
#define LVDPA_NET_HDR_OFF_CSUM_OFFSET 8
#define LVDPA_NET_HDR_OFF_NUM_BUFFERS 10

unsigned int
lvdpa_net_hdr_len(uint64_t features)
{
	if (features & (LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_VERSION_1) |
			LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_MRG_RXBUF)))
		return LVDPA_NET_HDR_LEN_MRG;
	return LVDPA_NET_HDR_LEN_LEGACY;
}

/* Buffers carry no alignment promise: go through memcpy. */
static uint16_t
lvdpa_net_hdr_get16(const uint8_t *p, bool big_endian)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return big_endian ? rte_be_to_cpu_16(v) : rte_le_to_cpu_16(v);
}

static void
lvdpa_net_hdr_put16(uint8_t *p, bool big_endian, uint16_t v)
{
	v = big_endian ? rte_cpu_to_be_16(v) : rte_cpu_to_le_16(v);
	memcpy(p, &v, sizeof(v));
}

void
lvdpa_net_hdr_read(const void *buf, unsigned int len, bool big_endian,
		   struct lvdpa_net_hdr *h)
{
	const uint8_t *p = buf;

	h->flags = p[0];
	h->gso_type = p[1];
	h->hdr_len = lvdpa_net_hdr_get16(p + LVDPA_NET_HDR_OFF_HDR_LEN,
					 big_endian);
	h->gso_size = lvdpa_net_hdr_get16(p + LVDPA_NET_HDR_OFF_GSO_SIZE,
					  big_endian);
	h->csum_start = lvdpa_net_hdr_get16(p + LVDPA_NET_HDR_OFF_CSUM_START,
					    big_endian);
	h->csum_offset = lvdpa_net_hdr_get16(p + LVDPA_NET_HDR_OFF_CSUM_OFFSET,
					     big_endian);
	h->num_buffers = len >= LVDPA_NET_HDR_LEN_MRG ?
		lvdpa_net_hdr_get16(p + LVDPA_NET_HDR_OFF_NUM_BUFFERS,
				    big_endian) : 0;
}

void
lvdpa_net_hdr_write(void *buf, unsigned int len, bool big_endian,
		    const struct lvdpa_net_hdr *h)
{
	uint8_t *p = buf;

	p[0] = h->flags;
	p[1] = h->gso_type;
	lvdpa_net_hdr_put16(p + LVDPA_NET_HDR_OFF_HDR_LEN, big_endian,
			    h->hdr_len);
	lvdpa_net_hdr_put16(p + LVDPA_NET_HDR_OFF_GSO_SIZE, big_endian,
			    h->gso_size);
	lvdpa_net_hdr_put16(p + LVDPA_NET_HDR_OFF_CSUM_START, big_endian,
			    h->csum_start);
	lvdpa_net_hdr_put16(p + LVDPA_NET_HDR_OFF_CSUM_OFFSET, big_endian,
			    h->csum_offset);
	if (len >= LVDPA_NET_HDR_LEN_MRG)
		lvdpa_net_hdr_put16(p + LVDPA_NET_HDR_OFF_NUM_BUFFERS,
				    big_endian, h->num_buffers);
}
