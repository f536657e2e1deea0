/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The synthetic guest's device side, done as a vDPA driver does it, through
 * lvdpa_devx.h only: the device is a ConnectX as far as this file knows.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lvdpa_synth_dev.h"

#define LVDPA_SYNTH_MKEY_KEY 0x5a

int
lvdpa_synth_dev_open(struct lvdpa_synth_dev *sd, const char *params,
		     struct lvdpa_synth_guest *g)
{
	struct lvdpa_devx_mkey_direct_attr ma = { 0 };
	int rc;

	memset(sd, 0, sizeof(*sd));
	sd->g = g;
	rc = lvdpa_transport_open("model", params, &sd->dev);
	if (rc != 0)
		return rc;
	rc = lvdpa_devx_query_caps(sd->dev, &sd->caps);
	if (rc == 0 && !sd->caps.vdpa_valid)
		rc = -ENOTSUP;
	if (rc == 0)
		rc = lvdpa_devx_pd_alloc(sd->dev, &sd->pd);
	if (rc == 0)
		rc = lvdpa_devx_umem_reg(sd->dev, g->base, g->size,
					 LVDPA_DEVX_UMEM_LOCAL_WRITE |
					 LVDPA_DEVX_UMEM_REMOTE_WRITE |
					 LVDPA_DEVX_UMEM_REMOTE_READ, &sd->guest_umem);
	if (rc == 0) {
		ma.pd = sd->pd->id;
		ma.addr = g->gpa;
		ma.size = g->size;
		ma.umem_id = sd->guest_umem->id;
		ma.umem_offset = 0;
		ma.key = LVDPA_SYNTH_MKEY_KEY;
		ma.remote_rw = true;
		rc = lvdpa_devx_mkey_create_direct(sd->dev, &ma, &sd->mkey);
	}
	if (rc == 0)
		rc = lvdpa_devx_db_alloc(sd->dev, &sd->db);
	if (rc == 0)
		rc = lvdpa_devx_evchan_create(sd->dev, &sd->ch);
	if (rc != 0)
		lvdpa_synth_dev_close(sd);
	return rc;
}

void
lvdpa_synth_dev_close(struct lvdpa_synth_dev *sd)
{
	if (sd->ch != NULL)
		lvdpa_devx_evchan_destroy(sd->ch);
	if (sd->db != NULL)
		lvdpa_devx_db_free(sd->db);
	lvdpa_devx_mkey_destroy(sd->mkey);
	if (sd->guest_umem != NULL)
		lvdpa_devx_umem_dereg(sd->guest_umem);
	lvdpa_devx_pd_free(sd->pd);
	lvdpa_transport_close(sd->dev);
	memset(sd, 0, sizeof(*sd));
}

int
lvdpa_synth_vq_create(struct lvdpa_synth_dev *sd, struct lvdpa_synth_vq *vq,
		      uint16_t index, struct lvdpa_synth_queue *q,
		      bool version_1_0, uint16_t avail, uint16_t used)
{
	return lvdpa_synth_vq_create_ev(sd, vq, index, q, version_1_0, avail, used,
					LVDPA_PRM_VIRTQ_EVENT_MODE_NO_MSIX, 0);
}

int
lvdpa_synth_vq_create_ev(struct lvdpa_synth_dev *sd, struct lvdpa_synth_vq *vq,
			 uint16_t index, struct lvdpa_synth_queue *q,
			 bool version_1_0, uint16_t avail, uint16_t used,
			 uint8_t event_mode, uint32_t event_qpn)
{
	struct lvdpa_devx_virtq_attr *a = &vq->attr;
	uint16_t types[1] = { LVDPA_PRM_EVENT_TYPE_OBJECT_CHANGE };
	unsigned int i;
	int rc;

	memset(vq, 0, sizeof(*vq));
	vq->sd = sd;
	vq->q = q;
	a->queue_index = index;
	a->queue_size = q->cfg.size;
	a->virtio_q_type = q->cfg.packed ? LVDPA_PRM_VIRTQ_TYPE_PACKED :
					   LVDPA_PRM_VIRTQ_TYPE_SPLIT;
	a->event_mode = event_mode;
	a->event_qpn_or_msix = event_qpn;
	a->virtio_version_1_0 = version_1_0;
	/* The device learns mergeable RX buffers per queue, from the virtq. */
	if (q->cfg.mrg_rxbuf)
		a->queue_features |= 1u << LVDPA_PRM_VIRTQ_QF_MRG_RXBUF;
	a->desc_addr = q->desc;
	a->available_addr = q->driver;
	a->used_addr = q->device;
	a->mkey = sd->mkey->id;
	a->pd = sd->pd->id;
	a->hw_available_index = avail;
	a->hw_used_index = used;
	for (i = 0; i < 3; i++) {
		uint32_t sz = lvdpa_devx_virtq_umem_size(&sd->caps, i, q->cfg.size);

		vq->umem_mem[i] = calloc(1, sz);
		if (vq->umem_mem[i] == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
		rc = lvdpa_devx_umem_reg(sd->dev, vq->umem_mem[i], sz,
					 LVDPA_DEVX_UMEM_LOCAL_WRITE, &vq->umem[i]);
		if (rc != 0)
			goto fail;
		a->umems[i].id = vq->umem[i]->id;
		a->umems[i].size = sz;
		a->umems[i].offset = 0;
	}
	rc = lvdpa_devx_counters_create(sd->dev, &vq->counters);
	if (rc != 0)
		goto fail;
	a->counter_set_id = vq->counters->id;
	rc = lvdpa_devx_virtq_create(sd->dev, a, &vq->obj);
	if (rc != 0)
		goto fail;
	rc = lvdpa_devx_evchan_subscribe(sd->ch, vq->obj, types, 1, index);
	if (rc != 0)
		goto fail;
	rc = lvdpa_synth_vq_set_state(vq, LVDPA_PRM_VIRTQ_STATE_RDY);
	if (rc != 0)
		goto fail;
	return 0;
fail:
	lvdpa_synth_vq_destroy(vq);
	return rc;
}

int
lvdpa_synth_vq_set_state(struct lvdpa_synth_vq *vq, uint8_t state)
{
	vq->attr.state = state;
	return lvdpa_devx_virtq_modify(vq->obj, &vq->attr, LVDPA_PRM_VIRTQ_MODIFY_STATE);
}

int
lvdpa_synth_vq_query(struct lvdpa_synth_vq *vq, struct lvdpa_devx_virtq_attr *a)
{
	return lvdpa_devx_virtq_query(vq->obj, a);
}

void
lvdpa_synth_vq_destroy(struct lvdpa_synth_vq *vq)
{
	unsigned int i;

	lvdpa_devx_virtq_destroy(vq->obj);
	vq->obj = NULL;
	lvdpa_devx_counters_destroy(vq->counters);
	vq->counters = NULL;
	for (i = 0; i < 3; i++) {
		if (vq->umem[i] != NULL)
			lvdpa_devx_umem_dereg(vq->umem[i]);
		free(vq->umem_mem[i]);
		vq->umem[i] = NULL;
		vq->umem_mem[i] = NULL;
	}
}

void
lvdpa_synth_vq_kick(struct lvdpa_synth_vq *vq, bool needed)
{
	if (needed)
		lvdpa_devx_virtq_notify(vq->sd->db, &vq->sd->caps, vq->attr.queue_index);
}

int
lvdpa_synth_flow_init(struct lvdpa_synth_flow *f, struct lvdpa_synth_vq *tx,
		      struct lvdpa_synth_vq *rx, uint32_t size, uint64_t total)
{
	static const uint8_t dst[6] = { 0x02, 0xee, 0, 0, 0, 0x01 };
	static const uint8_t src[6] = { 0x02, 0xee, 0, 0, 0, 0x02 };

	memset(f, 0, sizeof(*f));
	if (size < 18 || size > tx->q->cfg.buf_len)
		return -EINVAL;
	f->tx = tx;
	f->rx = rx;
	f->size = size;
	f->total = total;
	memcpy(f->dst, dst, 6);
	memcpy(f->src, src, 6);
	f->buf_cap = 65536 + 64;
	f->buf = malloc(f->buf_cap);
	return f->buf == NULL ? -ENOMEM : 0;
}

void
lvdpa_synth_flow_fini(struct lvdpa_synth_flow *f)
{
	free(f->buf);
	f->buf = NULL;
}

/* Frame @p seq's size: big_size, when set, mixes big frames into a burst. */
static uint32_t
lvdpa_synth_flow_size(const struct lvdpa_synth_flow *f, uint64_t seq)
{
	return f->big_size != 0 && seq % 3 == 2 ? f->big_size : f->size;
}

static uint64_t
lvdpa_synth_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
lvdpa_synth_flow_run(struct lvdpa_synth_flow *f, uint64_t until, unsigned int timeout_ms)
{
	struct lvdpa_synth_queue *tq = f->tx->q, *rq = f->rx->q;
	uint64_t last = lvdpa_synth_ms();
	unsigned int idle = 0;
	int rc;

	if (f->big_size != 0 && (f->big_size < 18 || f->big_size > tq->cfg.buf_len))
		return -EINVAL;
	if (until > f->total)
		until = f->total;
	/* Buffers first: the device drops nothing, it waits for them. */
	lvdpa_synth_rx_post(rq);
	lvdpa_synth_vq_kick(f->rx, lvdpa_synth_publish(rq));
	while (f->received < until) {
		bool progress = false;
		uint32_t len;
		uint16_t nb;
		int got = 0;

		while (f->sent < f->total) {
			uint32_t size = lvdpa_synth_flow_size(f, f->sent);

			lvdpa_synth_frame_fill(f->buf, size, f->dst, f->src,
					       (uint32_t)f->sent);
			if (lvdpa_synth_tx_add(tq, f->buf, size) != 0)
				break;
			f->sent++;
			progress = true;
		}
		lvdpa_synth_vq_kick(f->tx, lvdpa_synth_publish(tq));
		rc = lvdpa_synth_tx_reap(tq);
		if (rc < 0)
			return rc;
		progress |= rc > 0;
		while ((rc = lvdpa_synth_rx_get(rq, f->buf, f->buf_cap, &len, &nb)) == 1) {
			uint32_t seq;

			/*
			 * The MACs too: a header length the device got wrong
			 * shifts the frame, which the payload check alone
			 * could miss (TX loses what RX's num_buffers adds).
			 */
			if (len != lvdpa_synth_flow_size(f, f->next_seq) ||
			    lvdpa_synth_frame_check(f->buf, len, &seq) != 0 ||
			    seq != f->next_seq || memcmp(f->buf, f->dst, 6) != 0 ||
			    memcmp(f->buf + 6, f->src, 6) != 0) {
				f->bad++;
				return -EBADMSG;
			}
			f->next_seq++;
			f->received++;
			got++;
		}
		if (rc < 0)
			return rc;
		if (got > 0) {
			lvdpa_synth_rx_post(rq);
			lvdpa_synth_vq_kick(f->rx, lvdpa_synth_publish(rq));
			progress = true;
		}
		if (progress) {
			last = lvdpa_synth_ms();
			idle = 0;
		} else {
			/* The device works in its own thread: give it the CPU. */
			if (++idle > 16)
				usleep(idle > 1000 ? 1000 : 20);
			if (lvdpa_synth_ms() - last > timeout_ms)
				return -ETIMEDOUT;
		}
	}
	return 0;
}
