/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * virtio_net_q objects. A queue reaches its rings and buffers only through
 * its virtio_q_mkey (a memory view over lvdpa_model_mem.c) and walks them
 * with the one ring walker in its device role. Odd queue indices are TX
 * (guest to device), even ones RX (device to guest), as the device
 * numbers them.
 *
 * What the device knows of the guest is what the virtq object carries:
 * virtio_version_1_0, the queue type, and the feature bits the object has
 * (see lvdpa_model_cmd.c for where mergeable RX buffers, event idx and
 * indirect come from). The virtio-net header is 12 bytes with
 * virtio_version_1_0 or mergeable buffers, 10 otherwise, and the device reads
 * and writes a chain as one byte stream: a legacy driver that puts the header
 * in its own descriptor (no ANY_LAYOUT) is served like any other. Rings are
 * little endian: the device has no big-endian mode.
 *
 * Bad guest input (an address no mkey covers, a descriptor loop, a chain
 * longer than the ring, a length that overflows) puts only that queue in ERR,
 * bumps its counter and raises an object change event.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_prefetch.h>

#include "lvdpa_model_priv.h"
#include "lvdpa_virtio.h"

/* Segments one chain may have: the walker refuses longer chains anyway. */
#define LVDPA_MODEL_CHAIN_IOV(qs) ((qs) < 1024u ? 1024u : (unsigned int)(qs))

/* RX buffers prefetched this many packets ahead (best of 0-6 measured). */
#define LVDPA_MODEL_RX_PREFETCH 3u

static int
lvdpa_model_vq_xlate(void *opaque, uint64_t addr, uint64_t len, int write,
		     void **ptr, uint64_t *contig)
{
	struct lvdpa_model_virtq *vq = opaque;
	const struct lvdpa_model_xent *e;
	int rc;

	rc = lvdpa_model_mem_translate_cached(vq->dev, &vq->xc, vq->attr.mkey,
					      addr, len, write, ptr, contig, &e);
	if (rc != 0)
		return rc;
	/* The ring walker tries this region inline before calling again. */
	vq->view.win.lo = e->lo;
	vq->view.win.len = e->len;
	vq->view.win.base = e->ptr;
	vq->view.win.write = e->write;
	vq->view.win.gen = e->gen;
	return 0;
}

void
lvdpa_model_counters_put(struct lvdpa_model_counters *c)
{
	if (c != NULL && --c->refcnt == 0)
		free(c);
}

int
lvdpa_model_virtq_create(struct lvdpa_model_dev *dev,
			 const struct lvdpa_model_vq_attr *attr,
			 struct lvdpa_model_obj *o, uint32_t *syndrome)
{
	const struct lvdpa_model_caps *caps = &dev->caps;
	struct lvdpa_model_virtq *vq;
	struct lvdpa_model_obj *co = NULL;
	unsigned int i;

	/* Syndromes: one per refused parameter, see doc/guides/model.rst. */
	if (attr->type > 1) {
		*syndrome = 0x1a0001;
		return -EINVAL;
	}
	if (attr->type == 1 && (!caps->packed || !attr->version_1_0)) {
		*syndrome = 0x1a0002;
		return -EINVAL;
	}
	if (!attr->version_1_0 && !caps->legacy) {
		*syndrome = 0x1a0003;
		return -EINVAL;
	}
	if (attr->queue_index >= caps->max_queues ||
	    dev->vq_by_index[attr->queue_index] != NULL) {
		*syndrome = 0x1a0004;
		return -EINVAL;
	}
	if (attr->queue_size == 0 || attr->queue_size > caps->max_queue_size ||
	    (attr->type == 0 && (attr->queue_size & (attr->queue_size - 1)))) {
		*syndrome = 0x1a0005;
		return -EINVAL;
	}
	if (attr->event_mode > 2 ||
	    !(caps->event_modes & (1u << attr->event_mode))) {
		*syndrome = 0x1a0006;
		return -EINVAL;
	}
	if (lvdpa_model_obj_get(dev, attr->pd, LVDPA_MODEL_KIND_PD) == NULL) {
		*syndrome = 0x1a0007;
		return -EINVAL;
	}
	if (attr->counter_set_id != 0) {
		co = lvdpa_model_obj_get(dev, attr->counter_set_id,
					 LVDPA_MODEL_KIND_COUNTERS);
		if (co == NULL) {
			*syndrome = 0x1a0008;
			return -EINVAL;
		}
	}
	for (i = 0; i < 3; i++) {
		struct lvdpa_model_umem *u = lvdpa_model_umem_get(dev, attr->umem_id[i]);
		uint64_t need = (uint64_t)LVDPA_MODEL_UMEM_A(i) * attr->queue_size +
				LVDPA_MODEL_UMEM_B(i);

		if (u == NULL || attr->umem_size[i] < need ||
		    attr->umem_offset[i] > u->size ||
		    u->size - attr->umem_offset[i] < attr->umem_size[i]) {
			*syndrome = 0x1a0009 + i;
			return -EINVAL;
		}
	}
	vq = calloc(1, sizeof(*vq));
	if (vq == NULL) {
		*syndrome = 0x1a000f;
		return -ENOMEM;
	}
	vq->iov_max = LVDPA_MODEL_CHAIN_IOV(attr->queue_size);
	vq->iov = calloc(2 * vq->iov_max, sizeof(*vq->iov));
	vq->chains = calloc(attr->queue_size, sizeof(*vq->chains));
	vq->rx_len = calloc(attr->queue_size, sizeof(*vq->rx_len));
	if (vq->iov == NULL || vq->chains == NULL || vq->rx_len == NULL) {
		free(vq->iov);
		free(vq->chains);
		free(vq->rx_len);
		free(vq);
		*syndrome = 0x1a000f;
		return -ENOMEM;
	}
	vq->dev = dev;
	vq->obj = o;
	vq->attr = *attr;
	vq->attr.dirty_bitmap_dump_enable = false;
	atomic_init(&vq->state, LVDPA_MODEL_VQ_INIT);
	vq->hdr_len = attr->version_1_0 || attr->mrg_rxbuf ? 12 : 10;
	vq->view.translate = lvdpa_model_vq_xlate;
	vq->view.win_gen = &dev->obj_gen;
	vq->view.win.gen = dev->obj_gen - 1;  /* empty until the first walk */
	vq->view.log_write = lvdpa_model_lm_log;
	vq->view.opaque = vq;
	for (i = 0; i < 3; i++) {
		vq->umem[i] = lvdpa_model_umem_get(dev, attr->umem_id[i]);
		vq->umem[i]->refcnt++;
	}
	if (co != NULL) {
		vq->cnt = co->u.cnt;
		vq->cnt->refcnt++;
	}
	o->u.vq = vq;
	dev->vq_by_index[attr->queue_index] = vq;
	if (!(attr->queue_index & 1))
		lvdpa_model_net_set_accept(dev, attr->queue_index / 2, true);
	return 0;
}

/*
 * A polled queue that stops (suspended, destroyed, in ERR) asks for
 * doorbells again while its ring is still mapped: whoever runs the ring
 * next, after a migration too, must not find the guest silenced.
 */
static void
lvdpa_model_vq_unsilence(struct lvdpa_model_virtq *vq)
{
	uint64_t contig = 0;
	void *p = NULL;

	if (!vq->kicks_off)
		return;
	vq->kicks_off = false;
	if (vq->ring_ok &&
	    lvdpa_model_mem_translate(vq->dev, vq->attr.mkey, vq->attr.used_addr, 4, 1,
				      &p, &contig) == 0 && contig >= 4)
		lvdpa_ring_dev_set_kick(&vq->ring, true);
}

void
lvdpa_model_virtq_destroy(struct lvdpa_model_virtq *vq)
{
	struct lvdpa_model_dev *dev = vq->dev;
	unsigned int i;

	lvdpa_model_vq_unsilence(vq);
	if (vq->ring_ok)
		lvdpa_ring_fini(&vq->ring);
	/*
	 * Frames the device holds for a receive queue die with it, as on the
	 * NIC: a queue created later (the next guest's) must never get them.
	 */
	if (!(vq->attr.queue_index & 1) &&
	    dev->vq_by_index[vq->attr.queue_index] == vq)
		lvdpa_model_net_set_accept(dev, vq->attr.queue_index / 2, false);
	for (i = 0; i < 3; i++)
		if (vq->umem[i] != NULL)
			vq->umem[i]->refcnt--;
	lvdpa_model_counters_put(vq->cnt);
	if (dev->vq_by_index[vq->attr.queue_index] == vq)
		dev->vq_by_index[vq->attr.queue_index] = NULL;
	free(vq->iov);
	free(vq->chains);
	free(vq->rx_len);
	free(vq);
}

/* Map a walker error to the counter and error type the device reports. */
void
lvdpa_model_virtq_fail(struct lvdpa_model_virtq *vq, int err)
{
	struct lvdpa_model_counters *c = vq->cnt;

	if (atomic_load(&vq->state) == LVDPA_MODEL_VQ_ERR)
		return;
	switch (err) {
	case -EIO:
		/* Not the guest's doing: an injected device fault (faults param). */
		vq->error_type = LVDPA_MODEL_VQ_ERROR_NETWORK;
		break;
	case -EFAULT:
		vq->error_type = LVDPA_MODEL_VQ_ERROR_INVALID_BUFFER;
		if (c != NULL)
			atomic_fetch_add(&c->invalid_buffer, 1);
		break;
	case -ELOOP:
		vq->error_type = LVDPA_MODEL_VQ_ERROR_CHAIN;
		if (c != NULL)
			atomic_fetch_add(&c->exceed_max_chain, 1);
		break;
	default: /* -E2BIG (length overflow), -EPROTO, -EINVAL */
		vq->error_type = LVDPA_MODEL_VQ_ERROR_BAD_DESC;
		if (c != NULL)
			atomic_fetch_add(&c->bad_desc_errors, 1);
		break;
	}
	if (c != NULL)
		atomic_fetch_add(&c->error_cqes, 1);
	lvdpa_model_vq_unsilence(vq);
	atomic_store(&vq->state, LVDPA_MODEL_VQ_ERR);
	if (!(vq->attr.queue_index & 1))
		lvdpa_model_net_set_accept(vq->dev, vq->attr.queue_index / 2, false);
	LVDPA_MODEL_LOG_DP(vq->dev, "function %u queue %u: %s error %d, queue in ERR",
			   vq->dev->fn, vq->attr.queue_index,
			   err == -EIO ? "device" : "guest", err);
	lvdpa_model_event_vq_error(vq);
}

static int
lvdpa_model_vq_start(struct lvdpa_model_virtq *vq)
{
	struct lvdpa_ring_config cfg = {
		.size = vq->attr.queue_size,
		.packed = vq->attr.type == 1,
		.event_idx = vq->attr.event_idx,
		.indirect = vq->attr.indirect,
		.big_endian = false,
		.desc_addr = vq->attr.desc_addr,
		.driver_addr = vq->attr.avail_addr,
		.device_addr = vq->attr.used_addr,
		.mem = &vq->view,
		.driver_role = false,
	};
	int rc;

	rc = lvdpa_ring_init(&vq->ring, &cfg);
	if (rc != 0)
		return rc;
	vq->ring_ok = true;
	lvdpa_ring_set_base(&vq->ring, vq->attr.hw_available_index,
			    vq->attr.hw_used_index);
	lvdpa_ring_dev_set_kick(&vq->ring, true);
	return 0;
}

int
lvdpa_model_virtq_set_state(struct lvdpa_model_virtq *vq, int state,
			    uint32_t *syndrome)
{
	int cur = atomic_load(&vq->state);
	int rc;

	if (!lvdpa_model_vq_transition_ok(cur, state)) {
		*syndrome = 0x1b0001;
		return -EINVAL;
	}
	if (cur == state)
		return 0;
	if (state == LVDPA_MODEL_VQ_RDY && !vq->ring_ok) {
		rc = lvdpa_model_vq_start(vq);
		if (rc != 0) {
			/*
			 * The device accepts the state change and finds the
			 * rings unusable when it first reads them.
			 */
			atomic_store(&vq->state, LVDPA_MODEL_VQ_RDY);
			/* Rings that do not fit the memory: a bad descriptor area. */
			lvdpa_model_virtq_fail(vq, -EPROTO);
			return 0;
		}
	}
	if (state == LVDPA_MODEL_VQ_SUSPEND && vq->ring_ok) {
		lvdpa_model_vq_unsilence(vq);
		vq->rx_unflushed = false;   /* the flush publishes them */
		lvdpa_ring_dev_flush(&vq->ring);
	}
	atomic_store(&vq->state, state);
	if (state == LVDPA_MODEL_VQ_RDY) {
		/* Replay what may have been kicked before or while suspended. */
		atomic_store(&vq->dev->kick[vq->attr.queue_index], true);
		lvdpa_model_worker_wake(vq->dev);
	}
	return 0;
}

void
lvdpa_model_virtq_sync(struct lvdpa_model_virtq *vq)
{
	if (vq->ring_ok)
		lvdpa_ring_get_base(&vq->ring, &vq->attr.hw_available_index,
				    &vq->attr.hw_used_index);
}

/* Cursor over the device-writable part of a chain. */
struct lvdpa_model_wcur {
	struct lvdpa_model_virtq *vq;
	struct lvdpa_ring_iov *iov;
	unsigned int i, n;
	uint32_t off;
};

static uint32_t
lvdpa_model_wcur_put(struct lvdpa_model_wcur *w, const void *src, uint32_t len,
		     uint8_t **first_byte)
{
	const uint8_t *s = src;
	uint32_t done = 0;

	while (done < len && w->i < w->n) {
		struct lvdpa_ring_iov *v = &w->iov[w->i];
		uint32_t n = RTE_MIN(len - done, v->len - w->off);

		if (first_byte != NULL && done == 0)
			*first_byte = (uint8_t *)v->base + w->off;
		memcpy((uint8_t *)v->base + w->off, s + done, n);
		if (w->vq->attr.dirty_bitmap_dump_enable)
			lvdpa_model_lm_log(w->vq, v->addr + w->off, n);
		done += n;
		w->off += n;
		if (w->off == v->len) {
			w->i++;
			w->off = 0;
		}
	}
	return done;
}

/*
 * The RX header into a first buffer that holds it whole: two stores from
 * registers, no copy of a stack buffer through memcpy. Zero but the flags
 * byte.
 */
static uint32_t
lvdpa_model_rx_hdr_put(struct lvdpa_model_wcur *w, uint8_t flags)
{
	struct lvdpa_model_virtq *vq = w->vq;
	struct lvdpa_ring_iov *v = &w->iov[0];
	/* flags, then gso_type to csum_offset: all zero on RX. */
	const uint8_t hdr[10] = { flags };

	/* num_buffers, a 12-byte header's last two bytes: the caller's, at the end. */
	lvdpa_ring_store_changed(v->base, hdr, sizeof(hdr));
	if (vq->attr.dirty_bitmap_dump_enable)
		lvdpa_model_lm_log(vq, v->addr, vq->hdr_len);
	w->off = vq->hdr_len;
	if (w->off == v->len) {
		w->i++;
		w->off = 0;
	}
	return vq->hdr_len;
}

static void
lvdpa_model_vq_count(struct lvdpa_model_virtq *vq, unsigned int chains)
{
	struct lvdpa_model_counters *c = vq->cnt;

	/*
	 * Only the device lock's holder writes them: plain stores, no locked
	 * add, whose full fence would wait for every guest-memory store of
	 * the packet before it.
	 */
	if (c != NULL) {
		atomic_store_explicit(&c->received_desc, chains +
				      atomic_load_explicit(&c->received_desc,
							   memory_order_relaxed),
				      memory_order_relaxed);
		atomic_store_explicit(&c->completed_desc, chains +
				      atomic_load_explicit(&c->completed_desc,
							   memory_order_relaxed),
				      memory_order_relaxed);
	}
	if (vq->dev->caps.nfaults != 0)
		lvdpa_model_fault_vq_count(vq, chains);
}

/*
 * An injected queue fault (faults param) strikes between chains, with one
 * waiting, so that none is half done; free when no fault is configured.
 */
static bool
lvdpa_model_vq_fault_strikes(struct lvdpa_model_virtq *vq)
{
	if (vq->dev->caps.nfaults == 0 || !lvdpa_ring_dev_avail(&vq->ring) ||
	    !lvdpa_model_fault_vq_due(vq))
		return false;
	lvdpa_model_virtq_fail(vq, -EIO);
	return true;
}

/* Ones' complement sum of @p len bytes (big-endian 16-bit words) into @p sum. */
static uint32_t
lvdpa_model_csum_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t
lvdpa_model_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * TX checksum offload (QF_CSUM, virtio's NEEDS_CSUM): the ones' complement
 * sum from csum_start to the end, seeded by the 16 bits already at
 * csum_start + csum_offset (the driver's pseudo-header sum), goes there.
 * A frame whose offsets point outside it is dropped, as a NIC drops it.
 */
static bool
lvdpa_model_tx_csum(uint8_t *frame, uint32_t len, const uint8_t *hdr)
{
	uint32_t start = hdr[6] | hdr[7] << 8, off = hdr[8] | hdr[9] << 8;
	uint16_t c;

	if (!(hdr[0] & LVDPA_VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return true;
	if (start >= len || off + 2 > len - start)
		return false;
	c = ~lvdpa_model_csum_fold(lvdpa_model_csum_add(0, frame + start, len - start));
	frame[start + off] = c >> 8;
	frame[start + off + 1] = c & 0xff;
	return true;
}

/*
 * RX checksum (QF_GUEST_CSUM): true when the frame is IPv4 (no VLAN, no
 * fragment) carrying TCP or UDP and its L4 checksum verifies, which the
 * device reports as DATA_VALID. Anything else is left to the guest.
 */
static bool
lvdpa_model_rx_csum_ok(const uint8_t *f, uint32_t len)
{
	uint32_t ihl, tot, l4len, sum;
	uint8_t proto;

	if (len < 34 || f[12] != 0x08 || f[13] != 0x00 || (f[14] >> 4) != 4)
		return false;
	ihl = (f[14] & 0xf) * 4u;
	tot = (uint32_t)f[16] << 8 | f[17];
	proto = f[23];
	if (ihl < 20 || tot < ihl || 14 + tot > len ||
	    ((f[20] & 0x3f) | f[21]) != 0 || /* MF or a fragment offset */
	    lvdpa_model_csum_fold(lvdpa_model_csum_add(0, f + 14, ihl)) != 0xffff)
		return false;
	l4len = tot - ihl;
	if ((proto != 6 || l4len < 20) && (proto != 17 || l4len < 8))
		return false;
	/* UDP over IPv4 may carry no checksum: nothing verified. */
	if (proto == 17 && f[14 + ihl + 6] == 0 && f[14 + ihl + 7] == 0)
		return false;
	sum = lvdpa_model_csum_add(0, f + 26, 8) + proto + l4len;
	sum = lvdpa_model_csum_add(sum, f + 14 + ihl, l4len);
	return lvdpa_model_csum_fold(sum) == 0xffff;
}

/* Publish what was used since the last flush, and notify if the guest wants it. */
static void
lvdpa_model_vq_publish(struct lvdpa_model_virtq *vq)
{
	lvdpa_ring_dev_flush(&vq->ring);
	if (lvdpa_ring_dev_need_notify(&vq->ring))
		lvdpa_model_event_completion(vq);
}

/*
 * After each TX burst, not once a round: the guest's RX sees its frames
 * and its TX gets its buffers back while the worker goes on, as a burst of
 * DPDK's vhost publishes its own.
 */
static void
lvdpa_model_vq_tx_publish(struct lvdpa_model_virtq *vq)
{
	struct lvdpa_model_virtq *rx = vq->dev->vq_by_index[vq->attr.queue_index - 1];

	lvdpa_model_vq_publish(vq);
	/* Frames this burst put straight into the pair's own RX queue. */
	if (rx != NULL && rx->rx_unflushed) {
		rx->rx_unflushed = false;
		if (atomic_load(&rx->state) == LVDPA_MODEL_VQ_RDY)
			lvdpa_model_vq_publish(rx);
	}
}

/*
 * TX: one guest chain's frame into @p buf. Returns its length, or 0 when
 * the NIC drops it: runts (no whole header), giants, and checksum requests
 * it cannot honour.
 */
static uint32_t
lvdpa_model_vq_tx_copy(struct lvdpa_model_virtq *vq, const struct lvdpa_ring_chain *ch,
		       const struct lvdpa_ring_iov *iov, uint8_t *buf)
{
	uint32_t skip = vq->hdr_len, len = 0, hl = 0;
	uint8_t hdr[12];
	unsigned int i;

	if (ch->out_len > vq->hdr_len + LVDPA_MODEL_MAX_PKT)
		return 0;
	/*
	 * Header first (little endian, as the device reads it), then the
	 * frame. Only a checksum request reads the header: unread, its line
	 * (the guest's CPU wrote it) need not come here.
	 */
	for (i = 0; i < ch->nout; i++) {
		const struct lvdpa_ring_iov *v = &iov[i];
		uint32_t s = RTE_MIN(skip, v->len);
		uint32_t n = v->len - s;

		if (s != 0 && vq->attr.tx_csum) {
			memcpy(hdr + hl, v->base, s);
			hl += s;
		}
		skip -= s;
		if (n != 0) {
			memcpy(buf + len, (uint8_t *)v->base + s, n);
			len += n;
		}
	}
	if (skip != 0 || (vq->attr.tx_csum && len != 0 &&
			  !lvdpa_model_tx_csum(buf, len, hdr)))
		return 0;
	return len;
}

/*
 * TX: guest chains to frames on the e-switch; caller holds the switch lock.
 * As DPDK's vhost does, a burst is taken in stages: its chains are popped
 * (their data prefetched), its small frames copied out, then sent. One
 * chain at a time would wait for each cache miss on lines the guest's CPU
 * wrote, and on RX lines it holds, in turn; a stage's misses overlap.
 */
static bool
lvdpa_model_vq_tx_burst(struct lvdpa_model_virtq *vq, unsigned int budget,
			unsigned int *done)
{
	struct lvdpa_model_dev *dev = vq->dev;
	unsigned int qp = vq->attr.queue_index / 2;
	/* An injected fault strikes between chains: one at a time then. */
	unsigned int burst = dev->caps.nfaults != 0 ? 1 :
		RTE_MIN(LVDPA_MODEL_TX_BURST, vq->attr.queue_size);
	unsigned int first[LVDPA_MODEL_TX_BURST];
	uint32_t len[LVDPA_MODEL_TX_BURST];
	uint8_t *frame[LVDPA_MODEL_TX_BURST];

	while (*done < budget) {
		unsigned int n = 0, used = 0, j, end, m;
		int pop_rc = 0, rc;

		if (lvdpa_model_vq_fault_strikes(vq))
			return false;
		/* Each chain may take iov_max segments: the array holds two. */
		while (n < burst && *done + n < budget && used <= vq->iov_max) {
			struct lvdpa_ring_chain *ch = &vq->chains[n];
			const uint8_t *data;

			pop_rc = lvdpa_ring_dev_pop(&vq->ring, ch, vq->iov + used,
						    vq->iov_max);
			if (pop_rc <= 0)
				break;
			first[n++] = used;
			if (ch->nout != 0) {
				const struct lvdpa_ring_iov *v = &vq->iov[used];

				/* The frame's start: past a header in its own segment. */
				if (v->len <= vq->hdr_len && ch->nout > 1)
					v++;
				data = v->base;
				rte_prefetch0(data);
				if (v->len > RTE_CACHE_LINE_SIZE)
					rte_prefetch0(data + RTE_CACHE_LINE_SIZE);
			}
			used += ch->nout + ch->nin;
		}
		for (j = 0; j < n; j = end) {
			/* A run of small frames into their slots; a big one alone. */
			for (end = j; end < n; end++) {
				bool big = vq->chains[end].out_len >
					vq->hdr_len + LVDPA_MODEL_TX_SLOT;

				if (big && end > j)
					break;
				frame[end] = big ? dev->bounce :
					dev->tx_slots + end * LVDPA_MODEL_TX_SLOT;
				len[end] = lvdpa_model_vq_tx_copy(vq, &vq->chains[end],
								  vq->iov + first[end],
								  frame[end]);
				if (big) {
					end++;
					break;
				}
			}
			for (m = j; m < end; m++) {
				rc = 0;
				if (len[m] == 0)
					atomic_fetch_add(&dev->tx_dropped, 1);
				else
					rc = lvdpa_model_net_send(dev, qp, frame[m], len[m]);
				if (rc == -ENOBUFS) {
					/* The receiver is full: retry these chains later. */
					lvdpa_ring_dev_unpop(&vq->ring, n - m);
					vq->tx_stalled = true;
					atomic_store(&dev->kick[vq->attr.queue_index], true);
					lvdpa_model_vq_tx_publish(vq);
					return false;
				}
				rc = lvdpa_ring_dev_push(&vq->ring, &vq->chains[m], 0);
				if (rc < 0) {
					lvdpa_model_virtq_fail(vq, rc);
					lvdpa_model_vq_tx_publish(vq);
					return false;
				}
				lvdpa_model_vq_count(vq, 1);
				(*done)++;
			}
		}
		if (n != 0)
			lvdpa_model_vq_tx_publish(vq);
		/* A broken chain fails the queue once those before it are done. */
		if (pop_rc < 0) {
			lvdpa_model_virtq_fail(vq, pop_rc);
			return false;
		}
		if (pop_rc == 0)
			return false;
	}
	return true;
}

static bool
lvdpa_model_vq_tx(struct lvdpa_model_virtq *vq, unsigned int budget,
		  unsigned int *done)
{
	bool more;

	/* Once per burst: the lock's fence is not paid per frame. */
	pthread_mutex_lock(&lvdpa_model_sw_lock);
	more = lvdpa_model_vq_tx_burst(vq, budget, done);
	pthread_mutex_unlock(&lvdpa_model_sw_lock);
	return more;
}

/*
 * Buffers a few packets ahead: their lines, last written by the guest's
 * CPU, travel while this packet is written, instead of each holding up
 * every store behind it in turn. A hint only: its pop checks everything.
 */
static inline void
lvdpa_model_vq_rx_prefetch(struct lvdpa_model_virtq *vq)
{
	uint64_t addr[2];
	unsigned int i, n;
	uint8_t *p;

	/* The walker's window, not a translation: a hint may miss. */
	n = lvdpa_ring_dev_peek(&vq->ring, LVDPA_MODEL_RX_PREFETCH, addr);
	for (i = 0; i < n; i++) {
		p = lvdpa_ring_mem_window(&vq->view, addr[i], 1, true);
		if (p != NULL) {
			/* The header is read first and often not written at all. */
			rte_prefetch0(p);
			lvdpa_ring_prefetch_w(p + vq->hdr_len);
			lvdpa_ring_prefetch_w(p + vq->hdr_len + RTE_CACHE_LINE_SIZE);
		}
	}
}

/*
 * RX, one packet. Without mergeable buffers it must fit one chain (a packet
 * that does not is dropped, as the NIC drops it); with them it spreads over
 * as many chains as it needs and num_buffers says how many.
 * @return 1 delivered or dropped, 0 no buffers yet, negative ring error
 */
static int
lvdpa_model_vq_rx_one(struct lvdpa_model_virtq *vq, const uint8_t *frame, uint32_t len,
		      unsigned int *nchains)
{
	uint8_t hdr[12] = { 0 };
	uint32_t total = vq->hdr_len + len, put = 0;
	uint8_t *nb_lo = NULL, *nb_hi = NULL;
	unsigned int k = 0, i;
	int rc;

	*nchains = 0;
	vq->rx_partial = false;
	if (vq->attr.rx_csum && lvdpa_model_rx_csum_ok(frame, len))
		hdr[0] = LVDPA_VIRTIO_NET_HDR_F_DATA_VALID;
	/* Chains are pushed only once the packet is whole: unpop stays possible. */
	while (put < total) {
		struct lvdpa_ring_chain *ch = &vq->chains[k];
		struct lvdpa_model_wcur w;
		uint32_t n, start = put;

		if (k == vq->attr.queue_size) {
			/* More than a ring of buffers: it can never fit. */
			lvdpa_ring_dev_unpop(&vq->ring, k);
			vq->rx_dropped++;
			return 1;
		}
		rc = lvdpa_ring_dev_pop(&vq->ring, ch, vq->iov, vq->iov_max);
		if (rc <= 0) {
			/* Some buffers, not enough: wait for the next kick. */
			vq->rx_partial = k > 0;
			if (k > 0 && rc == 0)
				lvdpa_ring_dev_unpop(&vq->ring, k);
			return rc;
		}
		if (k++ == 0)
			lvdpa_model_vq_rx_prefetch(vq);
		if (ch->nout != 0) {
			/* Device-readable buffers in an RX chain. */
			lvdpa_ring_dev_unpop(&vq->ring, k);
			return -EFAULT;
		}
		if (!vq->attr.mrg_rxbuf && ch->in_len < total) {
			lvdpa_ring_dev_unpop(&vq->ring, 1);
			vq->rx_dropped++;
			return 1;
		}
		w = (struct lvdpa_model_wcur){ vq, vq->iov, 0, ch->nin, 0 };
		if (put == 0) {
			/* The header must sit in the first chain. */
			if (vq->iov[0].len >= vq->hdr_len) {
				n = lvdpa_model_rx_hdr_put(&w, hdr[0]);
				/* num_buffers (little endian) is patched at the end. */
				if (n == 12) {
					nb_lo = (uint8_t *)vq->iov[0].base + 10;
					nb_hi = nb_lo + 1;
				}
			} else {
				n = lvdpa_model_wcur_put(&w, hdr, 10, NULL);
				if (vq->hdr_len == 12) {
					/* Split across buffers: each byte where it lands. */
					n += lvdpa_model_wcur_put(&w, hdr, 1, &nb_lo);
					n += lvdpa_model_wcur_put(&w, hdr, 1, &nb_hi);
				}
			}
			if (n < vq->hdr_len) {
				lvdpa_ring_dev_unpop(&vq->ring, k);
				vq->rx_dropped++;
				return 1;
			}
			put = vq->hdr_len;
		}
		put += lvdpa_model_wcur_put(&w, frame + (put - vq->hdr_len),
					    total - put, NULL);
		vq->rx_len[k - 1] = put - start;
	}
	if (nb_lo != NULL) {
		const uint8_t lo = k & 0xff, hi = k >> 8;

		lvdpa_ring_store_changed(nb_lo, &lo, 1);
		lvdpa_ring_store_changed(nb_hi, &hi, 1);
	}
	for (i = 0; i < k; i++) {
		rc = lvdpa_ring_dev_push(&vq->ring, &vq->chains[i], vq->rx_len[i]);
		if (rc < 0)
			return rc;
	}
	*nchains = k;
	return 1;
}

static bool
lvdpa_model_vq_rx(struct lvdpa_model_virtq *vq, unsigned int budget,
		  unsigned int *done)
{
	struct lvdpa_model_dev *dev = vq->dev;
	unsigned int qp = vq->attr.queue_index / 2;

	while (*done < budget) {
		struct lvdpa_model_pkt *pkt = lvdpa_model_net_peek(dev, qp);
		unsigned int n;
		int rc;

		if (pkt == NULL)
			return false;
		if (lvdpa_model_vq_fault_strikes(vq))
			return false;
		rc = lvdpa_model_vq_rx_one(vq, pkt->data, pkt->len, &n);
		if (rc < 0) {
			lvdpa_model_virtq_fail(vq, rc);
			return false;
		}
		if (rc == 0)
			return false;   /* wait for the guest's buffers */
		lvdpa_model_vq_count(vq, n);
		lvdpa_model_net_consume(dev, qp);
		*done += n ? n : 1;
	}
	return true;
}

bool
lvdpa_model_virtq_deliver(struct lvdpa_model_dev *dev, unsigned int qp,
			  const uint8_t *frame, uint32_t len)
{
	struct lvdpa_model_virtq *rx = dev->vq_by_index[2 * qp];
	unsigned int n;
	int rc;

	/* Frames parked earlier (other functions', the uplink's) go first. */
	if (rx == NULL || !rx->ring_ok || rx->rx_partial ||
	    atomic_load(&rx->state) != LVDPA_MODEL_VQ_RDY ||
	    lvdpa_model_net_pending(dev, qp))
		return false;
	rc = lvdpa_model_vq_rx_one(rx, frame, len, &n);
	if (rc == 0)
		return false;   /* no buffers yet: it waits in the inbox */
	if (rc < 0) {
		lvdpa_model_virtq_fail(rx, rc);
		atomic_fetch_add(&dev->tx_dropped, 1);
		return true;
	}
	lvdpa_model_vq_count(rx, n);
	rx->rx_unflushed = true;
	return true;
}

/* After doorbells are re-armed: did work slip in before they were? */
static bool
lvdpa_model_vq_work_slipped_in(struct lvdpa_model_virtq *vq)
{
	return lvdpa_ring_dev_avail(&vq->ring) &&
	       ((vq->attr.queue_index & 1) ||
		(!vq->rx_partial &&
		 lvdpa_model_net_pending(vq->dev, vq->attr.queue_index / 2)));
}

bool
lvdpa_model_virtq_arm(struct lvdpa_model_virtq *vq)
{
	if (!vq->kicks_off)
		return false;
	vq->kicks_off = false;
	if (atomic_load(&vq->state) != LVDPA_MODEL_VQ_RDY || !vq->ring_ok)
		return false;
	lvdpa_ring_dev_set_kick(&vq->ring, true);
	/*
	 * An RX queue short of buffers for a waiting frame gets one more try:
	 * buffers the guest added while the ring was polled came without a
	 * doorbell, and rx_partial would hide them. Short still, it sleeps:
	 * the guest's next buffers ring now.
	 */
	if (!(vq->attr.queue_index & 1) && vq->rx_partial) {
		unsigned int done;

		return lvdpa_model_virtq_run(vq, vq->dev->caps.budget, false, &done) ||
		       done > 0;
	}
	return lvdpa_model_vq_work_slipped_in(vq);
}

bool
lvdpa_model_virtq_run(struct lvdpa_model_virtq *vq, unsigned int budget, bool poll,
		      unsigned int *done)
{
	bool more;

	*done = 0;
	if (atomic_load(&vq->state) != LVDPA_MODEL_VQ_RDY || !vq->ring_ok)
		return false;
	if (poll && !vq->kicks_off) {
		/* The worker polls this ring from now on: no doorbells needed. */
		lvdpa_ring_dev_set_kick(&vq->ring, false);
		vq->kicks_off = true;
	}
	vq->tx_stalled = false;
	if (vq->attr.queue_index & 1) {
		/* Each burst publishes its own (lvdpa_model_vq_tx_publish). */
		more = lvdpa_model_vq_tx(vq, budget, done);
	} else {
		more = lvdpa_model_vq_rx(vq, budget, done);
		if (*done > 0)
			lvdpa_model_vq_publish(vq);
	}
	if (atomic_load(&vq->state) != LVDPA_MODEL_VQ_RDY)
		return false;
	if (!more && !vq->tx_stalled && !vq->kicks_off) {
		/*
		 * Idle (TX drained, or RX out of frames or of buffers): re-arm
		 * kicks, then look again, a buffer may have slipped in. A TX
		 * held back by a full receiver is retried by the worker.
		 */
		lvdpa_ring_dev_set_kick(&vq->ring, true);
		if (lvdpa_model_vq_work_slipped_in(vq))
			more = true;
	}
	return more;
}
