/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Seed generator of fuzz_model: runs the DevX command layer (lvdpa_devx.h)
 * against the model through a capture transport that forwards every call
 * and records it in fuzz_model's input format (fuzz_model.h). The seeds are
 * thus the mailboxes the driver really sends, in its order, with the
 * object and umem slots as the fuzz target will number them.
 *   gen_model_seeds <corpus dir>   (writes <dir>/<scenario>-p<profile>)
 * Run by hand after a change of the command layer; the output is committed.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lvdpa_devx.h"
#include "lvdpa_prm.h"
#include "lvdpa_transport.h"
#include "fuzz_model.h"

static struct lvdpa_tp_dev *lvdpa_cap_inner;
static struct lvdpa_tp_dev lvdpa_cap_dev;
static uint8_t *lvdpa_cap_buf;
static size_t lvdpa_cap_len, lvdpa_cap_cap;

struct lvdpa_cap_obj {
	struct lvdpa_tp_obj tp;
	struct lvdpa_tp_obj *inner;
};

static struct lvdpa_cap_obj *lvdpa_cap_slots[LVDPA_FUZZ_MODEL_SLOTS];

struct lvdpa_cap_umem {
	struct lvdpa_tp_umem tp;
	struct lvdpa_tp_umem *inner;
	uint8_t *mem;
	size_t len;
};

static struct lvdpa_cap_umem *lvdpa_cap_umems[LVDPA_FUZZ_MODEL_UMEMS];

static void
lvdpa_cap_put(const void *p, size_t n)
{
	if (lvdpa_cap_len + n > lvdpa_cap_cap) {
		lvdpa_cap_cap = (lvdpa_cap_len + n) * 2;
		lvdpa_cap_buf = realloc(lvdpa_cap_buf, lvdpa_cap_cap);
		if (lvdpa_cap_buf == NULL)
			abort();
	}
	memcpy(lvdpa_cap_buf + lvdpa_cap_len, p, n);
	lvdpa_cap_len += n;
}

static void
lvdpa_cap_frame(uint8_t op, uint8_t sel, uint16_t a, uint16_t b, const void *data,
	  size_t n)
{
	uint8_t f[LVDPA_FUZZ_MODEL_FRAME] = { op, sel, a & 0xff, a >> 8,
					      b & 0xff, b >> 8 };

	lvdpa_cap_put(f, sizeof(f));
	if (n != 0)
		lvdpa_cap_put(data, n);
}

static unsigned int
lvdpa_cap_slot_of(const struct lvdpa_tp_obj *obj)
{
	unsigned int i;

	for (i = 0; i < LVDPA_FUZZ_MODEL_SLOTS; i++)
		if (lvdpa_cap_slots[i] != NULL && &lvdpa_cap_slots[i]->tp == obj)
			return i;
	abort();
}

static int
lvdpa_cap_general(struct lvdpa_tp_dev *dev, const void *in, size_t inlen,
	    void *out, size_t outlen)
{
	lvdpa_cap_frame(LVDPA_FUZZ_MODEL_CMD, 0, inlen, outlen, in, inlen);
	return lvdpa_cap_inner->ops->general_cmd(lvdpa_cap_inner, in, inlen, out, outlen);
}

static int
lvdpa_cap_create(struct lvdpa_tp_dev *dev, const void *in, size_t inlen, void *out,
	   size_t outlen, struct lvdpa_tp_obj **obj)
{
	struct lvdpa_tp_obj *o = NULL;
	unsigned int i;
	int rc;

	lvdpa_cap_frame(LVDPA_FUZZ_MODEL_CREATE, 0, inlen, outlen, in, inlen);
	rc = lvdpa_cap_inner->ops->obj_create(lvdpa_cap_inner, in, inlen, out, outlen, &o);
	*obj = NULL;
	if (o == NULL)
		return rc;
	for (i = 0; i < LVDPA_FUZZ_MODEL_SLOTS; i++)
		if (lvdpa_cap_slots[i] == NULL)
			break;
	if (i == LVDPA_FUZZ_MODEL_SLOTS)
		abort();
	lvdpa_cap_slots[i] = calloc(1, sizeof(*lvdpa_cap_slots[i]));
	if (lvdpa_cap_slots[i] == NULL)
		abort();
	lvdpa_cap_slots[i]->tp.dev = &lvdpa_cap_dev;
	lvdpa_cap_slots[i]->tp.priv = lvdpa_cap_slots[i];
	lvdpa_cap_slots[i]->tp.id = o->id;
	lvdpa_cap_slots[i]->inner = o;
	*obj = &lvdpa_cap_slots[i]->tp;
	return rc;
}

static int
lvdpa_cap_modify(struct lvdpa_tp_obj *obj, const void *in, size_t inlen, void *out,
	   size_t outlen)
{
	unsigned int s = lvdpa_cap_slot_of(obj);

	lvdpa_cap_frame(LVDPA_FUZZ_MODEL_MODIFY, s, inlen, outlen, in, inlen);
	return lvdpa_cap_inner->ops->obj_modify(lvdpa_cap_slots[s]->inner, in, inlen, out,
					  outlen);
}

static int
lvdpa_cap_query(struct lvdpa_tp_obj *obj, const void *in, size_t inlen, void *out,
	  size_t outlen)
{
	unsigned int s = lvdpa_cap_slot_of(obj);

	lvdpa_cap_frame(LVDPA_FUZZ_MODEL_QUERY, s, inlen, outlen, in, inlen);
	return lvdpa_cap_inner->ops->obj_query(lvdpa_cap_slots[s]->inner, in, inlen, out,
					 outlen);
}

static int
lvdpa_cap_destroy(struct lvdpa_tp_obj *obj)
{
	unsigned int s = lvdpa_cap_slot_of(obj);
	int rc;

	lvdpa_cap_frame(LVDPA_FUZZ_MODEL_DESTROY, s, 0, 0, NULL, 0);
	rc = lvdpa_cap_inner->ops->obj_destroy(lvdpa_cap_slots[s]->inner);
	if (rc == 0) {
		free(lvdpa_cap_slots[s]);
		lvdpa_cap_slots[s] = NULL;
	}
	return rc;
}

static int
lvdpa_cap_umem_reg(struct lvdpa_tp_dev *dev, void *addr, size_t size,
	     uint32_t access, struct lvdpa_tp_umem **umem)
{
	struct lvdpa_cap_umem *u;
	unsigned int i;
	size_t units = (size + 63) / 64;
	int rc;

	/* The fuzz target registers its own buffer of units * 64 bytes. */
	for (i = 0; i < LVDPA_FUZZ_MODEL_UMEMS; i++)
		if (lvdpa_cap_umems[i] == NULL)
			break;
	if (i == LVDPA_FUZZ_MODEL_UMEMS || units > UINT16_MAX)
		return -ENOSPC;
	u = calloc(1, sizeof(*u));
	if (u == NULL)
		abort();
	lvdpa_cap_frame(LVDPA_FUZZ_MODEL_UMEM, access, units, 0, NULL, 0);
	rc = lvdpa_cap_inner->ops->umem_reg(lvdpa_cap_inner, addr, size, access, &u->inner);
	if (rc != 0) {
		free(u);
		return rc;
	}
	u->tp.dev = &lvdpa_cap_dev;
	u->tp.priv = u;
	u->tp.id = u->inner->id;
	u->mem = addr;
	u->len = size;
	lvdpa_cap_umems[i] = u;
	*umem = &u->tp;
	return 0;
}

static int
lvdpa_cap_umem_dereg(struct lvdpa_tp_umem *umem)
{
	unsigned int i;
	int rc;

	for (i = 0; i < LVDPA_FUZZ_MODEL_UMEMS; i++)
		if (lvdpa_cap_umems[i] != NULL && &lvdpa_cap_umems[i]->tp == umem)
			break;
	if (i == LVDPA_FUZZ_MODEL_UMEMS)
		abort();
	lvdpa_cap_frame(LVDPA_FUZZ_MODEL_UNUMEM, i, 0, 0, NULL, 0);
	rc = lvdpa_cap_inner->ops->umem_dereg(lvdpa_cap_umems[i]->inner);
	if (rc == 0) {
		free(lvdpa_cap_umems[i]);
		lvdpa_cap_umems[i] = NULL;
	}
	return rc;
}

static int
lvdpa_cap_db_alloc(struct lvdpa_tp_dev *dev, struct lvdpa_tp_db **db)
{
	/* The fuzz target allocates its doorbell page at open. */
	return lvdpa_cap_inner->ops->db_alloc(lvdpa_cap_inner, db);
}

static void
lvdpa_cap_db_free(struct lvdpa_tp_db *db)
{
	lvdpa_cap_inner->ops->db_free(db);
}

static void
lvdpa_cap_db_write(struct lvdpa_tp_db *db, uint32_t offset, uint32_t value)
{
	lvdpa_cap_frame(LVDPA_FUZZ_MODEL_DB, value >> 16, offset, value & 0xffff,
		  NULL, 0);
	lvdpa_cap_inner->ops->db_write(db, offset, value);
}

static const struct lvdpa_transport_ops lvdpa_cap_ops = {
	.name = "lvdpa_fuzz_capture",
	.general_cmd = lvdpa_cap_general,
	.obj_create = lvdpa_cap_create,
	.obj_modify = lvdpa_cap_modify,
	.obj_query = lvdpa_cap_query,
	.obj_destroy = lvdpa_cap_destroy,
	.umem_reg = lvdpa_cap_umem_reg,
	.umem_dereg = lvdpa_cap_umem_dereg,
	.db_alloc = lvdpa_cap_db_alloc,
	.db_free = lvdpa_cap_db_free,
	.db_write = lvdpa_cap_db_write,
};

/* The guest writes into a umem: done here and recorded for the target. */
static void
lvdpa_cap_guest_write(struct lvdpa_tp_umem *umem, uint64_t off, const void *p,
		size_t n)
{
	struct lvdpa_cap_umem *u = umem->priv;
	unsigned int i;

	for (i = 0; i < LVDPA_FUZZ_MODEL_UMEMS; i++)
		if (lvdpa_cap_umems[i] == u)
			break;
	memcpy(u->mem + off, p, n);
	lvdpa_cap_frame(LVDPA_FUZZ_MODEL_WRITE, i, n, off, p, n);
}

static void
lvdpa_cap_put16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

/* Guest memory: rings at 0x1000/0x2000/0x3000, buffers from 0x4000. */
#define LVDPA_CAP_GMEM_SIZE 0x10000u

static void
lvdpa_cap_write_ring(struct lvdpa_tp_umem *gm, bool packed, bool rx)
{
	uint8_t d[32], r[8];

	memset(d, 0, sizeof(d));
	if (!packed) {
		/* desc 0: 64 readable bytes at 0x4000 (writable 1536 for an RX
		 * ring); desc 1: 1536 writable at 0x5000
		 */
		d[0] = 0x00; d[1] = 0x40; d[8] = 64;
		if (rx) {
			lvdpa_cap_put16(d + 8, 1536);
			lvdpa_cap_put16(d + 12, 2);
		}
		d[16] = 0x00; d[17] = 0x50; lvdpa_cap_put16(d + 24, 1536); lvdpa_cap_put16(d + 28, 2);
		lvdpa_cap_guest_write(gm, 0x1000, d, sizeof(d));
		lvdpa_cap_put16(r, 0);		/* flags */
		lvdpa_cap_put16(r + 2, 2);	/* idx */
		lvdpa_cap_put16(r + 4, 0);
		lvdpa_cap_put16(r + 6, 1);
		lvdpa_cap_guest_write(gm, 0x2000, r, sizeof(r));
	} else {
		/* wrap 1: AVAIL set, USED clear */
		d[0] = 0x00; d[1] = 0x40; d[8] = 64; lvdpa_cap_put16(d + 14, 1 << 7);
		if (rx) {
			lvdpa_cap_put16(d + 8, 1536);
			lvdpa_cap_put16(d + 14, 1 << 7 | 2);
		}
		d[16] = 0x00; d[17] = 0x50; lvdpa_cap_put16(d + 24, 1536);
		lvdpa_cap_put16(d + 28, 1); lvdpa_cap_put16(d + 30, 1 << 7 | 2);
		lvdpa_cap_guest_write(gm, 0x1000, d, sizeof(d));
	}
	/* a legacy 10-byte header and an Ethernet frame start */
	memset(d, 0, sizeof(d));
	memset(d + 10, 0xff, 6);
	lvdpa_cap_guest_write(gm, 0x4000, d, sizeof(d));
}

/* TX queue 1: rings at 0x6000/0x7000/0x8000, one packet at 0x9000. */
static void
lvdpa_cap_write_tx_ring(struct lvdpa_tp_umem *gm, bool packed, bool legacy)
{
	uint8_t d[16], r[6], pkt[12 + 60];
	unsigned int hlen = legacy ? 10 : 12;

	memset(d, 0, sizeof(d));
	d[0] = 0x00; d[1] = 0x90;
	lvdpa_cap_put16(d + 8, hlen + 60);
	if (packed)
		lvdpa_cap_put16(d + 14, 1 << 7);
	lvdpa_cap_guest_write(gm, 0x6000, d, sizeof(d));
	if (!packed) {
		lvdpa_cap_put16(r, 0);
		lvdpa_cap_put16(r + 2, 1);
		lvdpa_cap_put16(r + 4, 0);
		lvdpa_cap_guest_write(gm, 0x7000, r, sizeof(r));
	}
	memset(pkt, 0, sizeof(pkt));
	memset(pkt + hlen, 0xff, 6);		/* broadcast */
	pkt[hlen + 6] = 0x02;			/* source MAC */
	pkt[hlen + 12] = 0x08;			/* IPv4 */
	lvdpa_cap_guest_write(gm, 0x9000, pkt, hlen + 60);
}

static void
lvdpa_cap_virtq_attr(struct lvdpa_devx_virtq_attr *a, uint16_t index, uint16_t qsize,
	   bool packed, bool legacy, uint64_t base, uint32_t mkey, uint32_t pd,
	   uint32_t cnt, uint32_t qpn)
{
	memset(a, 0, sizeof(*a));
	a->queue_index = index;
	a->queue_size = qsize;
	a->virtio_q_type = packed ? LVDPA_PRM_VIRTQ_TYPE_PACKED :
		LVDPA_PRM_VIRTQ_TYPE_SPLIT;
	a->event_mode = qpn != 0 ? LVDPA_PRM_VIRTQ_EVENT_MODE_QP :
		LVDPA_PRM_VIRTQ_EVENT_MODE_NO_MSIX;
	a->event_qpn_or_msix = qpn;
	a->virtio_version_1_0 = !legacy;
	if (!legacy)
		a->queue_features = 1u << LVDPA_PRM_VIRTQ_QF_MRG_RXBUF;
	a->desc_addr = base;
	a->available_addr = base + 0x1000;
	a->used_addr = base + 0x2000;
	a->mkey = mkey;
	a->pd = pd;
	a->counter_set_id = cnt;
}

static struct lvdpa_devx_obj *
lvdpa_cap_virtq_make(const struct lvdpa_devx_caps *caps, struct lvdpa_devx_virtq_attr *a,
	   struct lvdpa_tp_umem **vu, uint8_t **vmem)
{
	struct lvdpa_devx_obj *vq = NULL;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		uint32_t sz = lvdpa_devx_virtq_umem_size(caps, i, a->queue_size);

		if (sz == 0)
			continue;
		vmem[i] = aligned_alloc(4096, (sz + 4095) & ~4095u);
		memset(vmem[i], 0, (sz + 4095) & ~4095u);
		if (lvdpa_devx_umem_reg(&lvdpa_cap_dev, vmem[i], sz,
					LVDPA_DEVX_UMEM_LOCAL_WRITE, &vu[i]) == 0) {
			a->umems[i].id = vu[i]->id;
			a->umems[i].size = sz;
		}
	}
	lvdpa_devx_virtq_create(&lvdpa_cap_dev, a, &vq);
	return vq;
}

static int
lvdpa_cap_scenario_traffic(unsigned int profile, bool packed, bool legacy)
{
	struct lvdpa_devx_caps caps;
	struct lvdpa_devx_obj *pd = NULL, *mkey = NULL, *vq[2] = { NULL };
	struct lvdpa_tp_umem *gm = NULL, *vu[2][3] = { { NULL } };
	uint8_t *gmem, *vmem[2][3] = { { NULL } };
	struct lvdpa_tp_db *db = NULL;
	struct lvdpa_devx_virtq_attr a[2], q;
	unsigned int i, k;

	if (lvdpa_transport_open("model", lvdpa_fuzz_model_params[profile],
				 &lvdpa_cap_inner) != 0)
		return -1;
	lvdpa_cap_dev.ops = &lvdpa_cap_ops;
	lvdpa_cap_put(&(uint8_t){ (uint8_t)profile }, 1);
	lvdpa_devx_query_caps(&lvdpa_cap_dev, &caps);
	lvdpa_devx_pd_alloc(&lvdpa_cap_dev, &pd);
	gmem = aligned_alloc(4096, LVDPA_CAP_GMEM_SIZE);
	memset(gmem, 0, LVDPA_CAP_GMEM_SIZE);
	lvdpa_devx_umem_reg(&lvdpa_cap_dev, gmem, LVDPA_CAP_GMEM_SIZE,
			    LVDPA_DEVX_UMEM_LOCAL_WRITE, &gm);
	if (pd != NULL && gm != NULL) {
		struct lvdpa_devx_mkey_direct_attr ma = {
			.pd = pd->id, .addr = 0, .size = LVDPA_CAP_GMEM_SIZE,
			.umem_id = gm->id,
		};

		lvdpa_devx_mkey_create_direct(&lvdpa_cap_dev, &ma, &mkey);
	}
	if (gm != NULL) {
		lvdpa_cap_write_ring(gm, packed, true);
		lvdpa_cap_write_tx_ring(gm, packed, legacy);
	}
	lvdpa_devx_db_alloc(&lvdpa_cap_dev, &db);
	for (k = 0; k < 2; k++) {
		lvdpa_cap_virtq_attr(&a[k], k, 8, packed, legacy, k == 0 ? 0x1000 : 0x6000,
			   mkey != NULL ? mkey->id : 0, pd != NULL ? pd->id : 0,
			   0, 0);
		vq[k] = lvdpa_cap_virtq_make(&caps, &a[k], vu[k], vmem[k]);
		if (vq[k] == NULL)
			continue;
		a[k].state = LVDPA_PRM_VIRTQ_STATE_RDY;
		lvdpa_devx_virtq_modify(vq[k], &a[k], LVDPA_PRM_VIRTQ_MODIFY_STATE);
	}
	if (db != NULL) {
		lvdpa_devx_virtq_notify(db, &caps, 0);
		lvdpa_devx_virtq_notify(db, &caps, 1);
	}
	/* Let the worker move the packet (recorded for the target too). */
	lvdpa_cap_frame(LVDPA_FUZZ_MODEL_SLEEP, 0, 64 | 32, 0, NULL, 0);
	usleep(2000);
	for (k = 0; k < 2; k++)
		if (vq[k] != NULL) {
			lvdpa_devx_virtq_query(vq[k], &q);
			lvdpa_devx_virtq_destroy(vq[k]);
		}
	if (db != NULL)
		lvdpa_devx_db_free(db);
	for (k = 0; k < 2; k++)
		for (i = 0; i < 3; i++)
			if (vu[k][i] != NULL)
				lvdpa_devx_umem_dereg(vu[k][i]);
	if (mkey != NULL)
		lvdpa_devx_mkey_destroy(mkey);
	if (gm != NULL)
		lvdpa_devx_umem_dereg(gm);
	if (pd != NULL)
		lvdpa_devx_pd_free(pd);
	lvdpa_transport_close(lvdpa_cap_inner);
	for (i = 0; i < LVDPA_FUZZ_MODEL_SLOTS; i++) {
		free(lvdpa_cap_slots[i]);
		lvdpa_cap_slots[i] = NULL;
	}
	for (i = 0; i < LVDPA_FUZZ_MODEL_UMEMS; i++) {
		free(lvdpa_cap_umems[i]);
		lvdpa_cap_umems[i] = NULL;
	}
	free(gmem);
	for (k = 0; k < 2; k++)
		for (i = 0; i < 3; i++)
			free(vmem[k][i]);
	return 0;
}

static int
lvdpa_cap_scenario(unsigned int profile, bool packed, bool legacy, bool indirect_mkey,
	 bool events)
{
	struct lvdpa_devx_caps caps;
	struct lvdpa_devx_obj *pd = NULL, *mkey = NULL, *mkey2 = NULL,
		*cnt = NULL, *vq = NULL, *cq = NULL, *qp = NULL;
	struct lvdpa_tp_umem *gm = NULL, *vu[3] = { NULL }, *cqu = NULL;
	struct lvdpa_tp_db *db = NULL;
	struct lvdpa_devx_virtq_attr a, q;
	struct lvdpa_devx_virtq_counters c;
	uint8_t *gmem, *vmem[3] = { NULL }, *cqmem = NULL;
	unsigned int i;
	uint16_t qsize = 8;

	if (lvdpa_transport_open("model", lvdpa_fuzz_model_params[profile],
				 &lvdpa_cap_inner) != 0)
		return -1;
	lvdpa_cap_dev.ops = &lvdpa_cap_ops;
	lvdpa_cap_dev.priv = NULL;
	lvdpa_cap_put(&(uint8_t){ (uint8_t)profile }, 1);

	lvdpa_devx_query_caps(&lvdpa_cap_dev, &caps);
	lvdpa_devx_pd_alloc(&lvdpa_cap_dev, &pd);
	gmem = aligned_alloc(4096, LVDPA_CAP_GMEM_SIZE);
	memset(gmem, 0, LVDPA_CAP_GMEM_SIZE);
	lvdpa_devx_umem_reg(&lvdpa_cap_dev, gmem, LVDPA_CAP_GMEM_SIZE,
			    LVDPA_DEVX_UMEM_LOCAL_WRITE, &gm);
	if (pd != NULL && gm != NULL) {
		struct lvdpa_devx_mkey_direct_attr ma = {
			.pd = pd->id, .addr = 0, .size = LVDPA_CAP_GMEM_SIZE,
			.umem_id = gm->id, .umem_offset = 0,
		};

		lvdpa_devx_mkey_create_direct(&lvdpa_cap_dev, &ma, &mkey);
	}
	if (indirect_mkey && mkey != NULL) {
		struct lvdpa_devx_klm klm[2] = {
			{ .addr = 0, .len = 0x8000, .mkey = mkey->id },
			{ .addr = 0x8000, .len = 0x8000, .mkey = mkey->id },
		};
		struct lvdpa_devx_mkey_indirect_attr ia = {
			.pd = pd->id, .addr = 0, .size = LVDPA_CAP_GMEM_SIZE,
			.klms = klm, .klm_num = 2,
		};

		lvdpa_devx_mkey_create_indirect(&lvdpa_cap_dev, &ia, &mkey2);
	}
	if (gm != NULL)
		lvdpa_cap_write_ring(gm, packed, false);
	lvdpa_devx_counters_create(&lvdpa_cap_dev, &cnt);
	if (events && pd != NULL) {
		struct lvdpa_devx_cq_attr ca = { .log_cq_size = 2 };
		struct lvdpa_devx_qp_attr qa = { .pd = pd->id, .fw_managed = true,
						 .rq_size_zero = true };

		cqmem = aligned_alloc(4096, 8192);
		memset(cqmem, 0, 8192);
		lvdpa_devx_umem_reg(&lvdpa_cap_dev, cqmem, 8192,
				    LVDPA_DEVX_UMEM_LOCAL_WRITE, &cqu);
		if (cqu != NULL) {
			ca.umem_id = cqu->id;
			ca.dbr_umem_id = cqu->id;
			ca.dbr_umem_offset = 4096;
		}
		lvdpa_devx_cq_create(&lvdpa_cap_dev, &ca, &cq);
		lvdpa_devx_qp_create(&lvdpa_cap_dev, &qa, &qp);
	}
	memset(&a, 0, sizeof(a));
	a.queue_index = 0;
	a.queue_size = qsize;
	a.virtio_q_type = packed ? LVDPA_PRM_VIRTQ_TYPE_PACKED :
		LVDPA_PRM_VIRTQ_TYPE_SPLIT;
	a.event_mode = qp != NULL ? LVDPA_PRM_VIRTQ_EVENT_MODE_QP :
		LVDPA_PRM_VIRTQ_EVENT_MODE_NO_MSIX;
	a.event_qpn_or_msix = qp != NULL ? qp->id : 0;
	a.virtio_version_1_0 = !legacy;
	a.queue_features = 1u << LVDPA_PRM_VIRTQ_QF_MRG_RXBUF;
	a.desc_addr = 0x1000;
	a.available_addr = 0x2000;
	a.used_addr = 0x3000;
	a.mkey = mkey2 != NULL ? mkey2->id : mkey != NULL ? mkey->id : 0;
	a.pd = pd != NULL ? pd->id : 0;
	a.counter_set_id = cnt != NULL ? cnt->id : 0;
	for (i = 0; i < 3; i++) {
		uint32_t sz = lvdpa_devx_virtq_umem_size(&caps, i, qsize);

		if (sz == 0)
			continue;
		vmem[i] = aligned_alloc(4096, (sz + 4095) & ~4095u);
		memset(vmem[i], 0, (sz + 4095) & ~4095u);
		if (lvdpa_devx_umem_reg(&lvdpa_cap_dev, vmem[i], sz,
					LVDPA_DEVX_UMEM_LOCAL_WRITE, &vu[i]) == 0) {
			a.umems[i].id = vu[i]->id;
			a.umems[i].size = sz;
		}
	}
	lvdpa_devx_virtq_create(&lvdpa_cap_dev, &a, &vq);
	lvdpa_devx_db_alloc(&lvdpa_cap_dev, &db);
	if (vq != NULL) {
		a.state = LVDPA_PRM_VIRTQ_STATE_RDY;
		lvdpa_devx_virtq_modify(vq, &a, LVDPA_PRM_VIRTQ_MODIFY_STATE);
		if (db != NULL)
			lvdpa_devx_virtq_notify(db, &caps, 0);
		lvdpa_cap_frame(LVDPA_FUZZ_MODEL_SLEEP, 0, 32, 0, NULL, 0);
		lvdpa_devx_virtq_query(vq, &q);
		if (cnt != NULL)
			lvdpa_devx_counters_query(cnt, &c);
		a.state = LVDPA_PRM_VIRTQ_STATE_SUSPEND;
		lvdpa_devx_virtq_modify(vq, &a, LVDPA_PRM_VIRTQ_MODIFY_STATE);
		a.hw_available_index = 1;
		a.hw_used_index = 1;
		lvdpa_devx_virtq_modify(vq, &a,
			LVDPA_PRM_VIRTQ_MODIFY_HW_AVAILABLE_INDEX |
			LVDPA_PRM_VIRTQ_MODIFY_HW_USED_INDEX);
		a.state = LVDPA_PRM_VIRTQ_STATE_RDY;
		lvdpa_devx_virtq_modify(vq, &a, LVDPA_PRM_VIRTQ_MODIFY_STATE);
		lvdpa_devx_virtq_query(vq, &q);
		lvdpa_devx_virtq_destroy(vq);
	}
	if (db != NULL)
		lvdpa_devx_db_free(db);
	if (qp != NULL)
		lvdpa_devx_qp_destroy(qp);
	if (cq != NULL)
		lvdpa_devx_cq_destroy(cq);
	if (cnt != NULL)
		lvdpa_devx_counters_destroy(cnt);
	for (i = 0; i < 3; i++)
		if (vu[i] != NULL)
			lvdpa_devx_umem_dereg(vu[i]);
	if (mkey2 != NULL)
		lvdpa_devx_mkey_destroy(mkey2);
	if (mkey != NULL)
		lvdpa_devx_mkey_destroy(mkey);
	if (cqu != NULL)
		lvdpa_devx_umem_dereg(cqu);
	if (gm != NULL)
		lvdpa_devx_umem_dereg(gm);
	if (pd != NULL)
		lvdpa_devx_pd_free(pd);
	lvdpa_transport_close(lvdpa_cap_inner);
	for (i = 0; i < LVDPA_FUZZ_MODEL_SLOTS; i++) {
		free(lvdpa_cap_slots[i]);
		lvdpa_cap_slots[i] = NULL;
	}
	for (i = 0; i < LVDPA_FUZZ_MODEL_UMEMS; i++) {
		free(lvdpa_cap_umems[i]);
		lvdpa_cap_umems[i] = NULL;
	}
	free(gmem);
	free(cqmem);
	for (i = 0; i < 3; i++)
		free(vmem[i]);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		bool packed, legacy, indirect, events;
	} sc[] = {
		{ "split-legacy", false, true, false, false },
		{ "split-modern-klm", false, false, true, false },
		{ "packed-modern", true, false, false, false },
		{ "split-legacy-events", false, true, false, true },
	};
	unsigned int s, p;
	char path[512];
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
		return 2;
	}
	for (s = 0; s < sizeof(sc) / sizeof(sc[0]); s++)
		for (p = 0; p < LVDPA_FUZZ_MODEL_NPARAMS; p++) {
			lvdpa_cap_len = 0;
			if (lvdpa_cap_scenario(p, sc[s].packed, sc[s].legacy,
				     sc[s].indirect, sc[s].events) != 0)
				return 1;
			snprintf(path, sizeof(path), "%s/%s-p%u", argv[1],
				 sc[s].name, p);
			f = fopen(path, "wb");
			if (f == NULL || fwrite(lvdpa_cap_buf, 1, lvdpa_cap_len, f) != lvdpa_cap_len) {
				perror(path);
				return 1;
			}
			fclose(f);
		}
	/* Traffic: a TX packet looped back into an RX buffer. */
	for (s = 0; s < 3; s++)
		for (p = 0; p < 2; p++) {
			lvdpa_cap_len = 0;
			if (lvdpa_cap_scenario_traffic(p == 0 ? 0 : 1, s == 2, s == 0) != 0)
				return 1;
			snprintf(path, sizeof(path), "%s/traffic-%s-p%u", argv[1],
				 s == 0 ? "split-legacy" : s == 1 ? "split-modern" :
				 "packed-modern", p == 0 ? 0 : 1);
			f = fopen(path, "wb");
			if (f == NULL || fwrite(lvdpa_cap_buf, 1, lvdpa_cap_len, f) != lvdpa_cap_len) {
				perror(path);
				return 1;
			}
			fclose(f);
		}
	free(lvdpa_cap_buf);
	return 0;
}
