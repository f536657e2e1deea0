/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_VIRTIO_H
#define LVDPA_VIRTIO_H

/**
 * @file
 * Virtio constants shared by every lvdpa component, so that all of them name
 * a bit the same way. Feature constants are bit numbers (as in the virtio
 * spec); LVDPA_VIRTIO_BIT() turns one into a mask.
 */

#define LVDPA_VIRTIO_BIT(b) (1ULL << (b))

/* virtio-net device features (virtio 1.2, 5.1.3; legacy 0.9.5 names) */
#define LVDPA_VIRTIO_NET_F_CSUM                0
#define LVDPA_VIRTIO_NET_F_GUEST_CSUM          1
#define LVDPA_VIRTIO_NET_F_CTRL_GUEST_OFFLOADS 2
#define LVDPA_VIRTIO_NET_F_MTU                 3
#define LVDPA_VIRTIO_NET_F_MAC                 5
#define LVDPA_VIRTIO_NET_F_GSO                 6  /* legacy only */
#define LVDPA_VIRTIO_NET_F_GUEST_TSO4          7
#define LVDPA_VIRTIO_NET_F_GUEST_TSO6          8
#define LVDPA_VIRTIO_NET_F_GUEST_ECN           9
#define LVDPA_VIRTIO_NET_F_GUEST_UFO           10
#define LVDPA_VIRTIO_NET_F_HOST_TSO4           11
#define LVDPA_VIRTIO_NET_F_HOST_TSO6           12
#define LVDPA_VIRTIO_NET_F_HOST_ECN            13
#define LVDPA_VIRTIO_NET_F_HOST_UFO            14
#define LVDPA_VIRTIO_NET_F_MRG_RXBUF           15
#define LVDPA_VIRTIO_NET_F_STATUS              16
#define LVDPA_VIRTIO_NET_F_CTRL_VQ             17
#define LVDPA_VIRTIO_NET_F_CTRL_RX             18
#define LVDPA_VIRTIO_NET_F_CTRL_VLAN           19
#define LVDPA_VIRTIO_NET_F_CTRL_RX_EXTRA       20
#define LVDPA_VIRTIO_NET_F_GUEST_ANNOUNCE      21
#define LVDPA_VIRTIO_NET_F_MQ                  22
#define LVDPA_VIRTIO_NET_F_CTRL_MAC_ADDR       23
#define LVDPA_VIRTIO_NET_F_SPEED_DUPLEX        63

/* Device-independent features (virtio 1.2, 6; legacy bits 24..30) */
#define LVDPA_VIRTIO_F_NOTIFY_ON_EMPTY   24 /* legacy only */
#define LVDPA_VIRTIO_F_ANY_LAYOUT        27 /* legacy only, implied by VERSION_1 */
#define LVDPA_VIRTIO_F_INDIRECT_DESC     28 /* VIRTIO_RING_F_INDIRECT_DESC */
#define LVDPA_VIRTIO_F_EVENT_IDX         29 /* VIRTIO_RING_F_EVENT_IDX */
#define LVDPA_VIRTIO_F_VERSION_1         32
#define LVDPA_VIRTIO_F_ACCESS_PLATFORM   33 /* was IOMMU_PLATFORM */
#define LVDPA_VIRTIO_F_RING_PACKED       34
#define LVDPA_VIRTIO_F_IN_ORDER          35
#define LVDPA_VIRTIO_F_ORDER_PLATFORM    36
#define LVDPA_VIRTIO_F_SR_IOV            37
#define LVDPA_VIRTIO_F_NOTIFICATION_DATA 38

/* The spec's ring-feature names, for readers who look for them. */
#define LVDPA_VIRTIO_RING_F_INDIRECT_DESC LVDPA_VIRTIO_F_INDIRECT_DESC
#define LVDPA_VIRTIO_RING_F_EVENT_IDX     LVDPA_VIRTIO_F_EVENT_IDX

/* vhost(-user) bits that share the feature word */
#define LVDPA_VIRTIO_F_LOG_ALL           26 /* VHOST_F_LOG_ALL */
#define LVDPA_VIRTIO_F_PROTOCOL_FEATURES 30 /* VHOST_USER_F_PROTOCOL_FEATURES */
#define LVDPA_VHOST_F_LOG_ALL            LVDPA_VIRTIO_F_LOG_ALL
#define LVDPA_VHOST_USER_F_PROTOCOL_FEATURES LVDPA_VIRTIO_F_PROTOCOL_FEATURES

/* Device status bits (virtio 1.2, 2.1) */
#define LVDPA_VIRTIO_STATUS_ACKNOWLEDGE        0x01
#define LVDPA_VIRTIO_STATUS_DRIVER             0x02
#define LVDPA_VIRTIO_STATUS_DRIVER_OK          0x04
#define LVDPA_VIRTIO_STATUS_FEATURES_OK        0x08
#define LVDPA_VIRTIO_STATUS_DEVICE_NEEDS_RESET 0x40
#define LVDPA_VIRTIO_STATUS_FAILED             0x80

/* Split ring (virtio 1.2, 2.7) */
#define LVDPA_VRING_DESC_F_NEXT        1
#define LVDPA_VRING_DESC_F_WRITE       2
#define LVDPA_VRING_DESC_F_INDIRECT    4
#define LVDPA_VRING_USED_F_NO_NOTIFY   1
#define LVDPA_VRING_AVAIL_F_NO_INTERRUPT 1

/* Packed ring (virtio 1.2, 2.8) */
#define LVDPA_VRING_PACKED_DESC_F_AVAIL (1 << 7)
#define LVDPA_VRING_PACKED_DESC_F_USED  (1 << 15)
#define LVDPA_VRING_PACKED_EVENT_F_ENABLE  0
#define LVDPA_VRING_PACKED_EVENT_F_DISABLE 1
#define LVDPA_VRING_PACKED_EVENT_F_DESC    2
#define LVDPA_VRING_PACKED_EVENT_WRAP_SHIFT 15

/* virtio-net header flags and GSO types (virtio 1.2, 5.1.6) */
#define LVDPA_VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define LVDPA_VIRTIO_NET_HDR_F_DATA_VALID 2
#define LVDPA_VIRTIO_NET_HDR_GSO_NONE  0
#define LVDPA_VIRTIO_NET_HDR_GSO_TCPV4 1
#define LVDPA_VIRTIO_NET_HDR_GSO_UDP   3
#define LVDPA_VIRTIO_NET_HDR_GSO_TCPV6 4
#define LVDPA_VIRTIO_NET_HDR_GSO_ECN   0x80

#endif /* LVDPA_VIRTIO_H */
