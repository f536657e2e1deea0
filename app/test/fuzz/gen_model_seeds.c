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

#include "lvdpa_devx.h"
#include "lvdpa_prm.h"
#include "lvdpa_transport.h"
#include "fuzz_model.h"

static struct lvdpa_tp_dev *cap_inner;
static struct lvdpa_tp_dev cap_dev;
static uint8_t *cap_buf;
static size_t cap_len, cap_cap;

struct cap_obj {
	struct lvdpa_tp_obj tp;
	struct lvdpa_tp_obj *inner;
};

static struct cap_obj *cap_slots[LVDPA_FUZZ_MODEL_SLOTS];

struct cap_umem {
	struct lvdpa_tp_umem tp;
	struct lvdpa_tp_umem *inner;
	uint8_t *mem;
	size_t len;
};

static struct cap_umem *cap_umems[LVDPA_FUZZ_MODEL_UMEMS];

static void
cap_put(const void *p, size_t n)
{
	if (cap_len + n > cap_cap) {
		cap_cap = (cap_len + n) * 2;
		cap_buf = realloc(cap_buf, cap_cap);
		if (cap_buf == NULL)
			abort();
	}
	memcpy(cap_buf + cap_len, p, n);
	cap_len += n;
}

static void
cap_frame(uint8_t op, uint8_t sel, uint16_t a, uint16_t b, const void *data,
	  size_t n)
{
	uint8_t f[LVDPA_FUZZ_MODEL_FRAME] = { op, sel, a & 0xff, a >> 8,
					      b & 0xff, b >> 8 };

	cap_put(f, sizeof(f));
	if (n != 0)
		cap_put(data, n);
}

static unsigned int
cap_slot_of(const struct lvdpa_tp_obj *obj)
{
	unsigned int i;

	for (i = 0; i < LVDPA_FUZZ_MODEL_SLOTS; i++)
		if (cap_slots[i] != NULL && &cap_slots[i]->tp == obj)
			return i;
	abort();
}

static int
cap_general(struct lvdpa_tp_dev *dev, const void *in, size_t inlen,
	    void *out, size_t outlen)
{
	cap_frame(LVDPA_FUZZ_MODEL_CMD, 0, inlen, outlen, in, inlen);
	return cap_inner->ops->general_cmd(cap_inner, in, inlen, out, outlen);
}

static int
cap_create(struct lvdpa_tp_dev *dev, const void *in, size_t inlen, void *out,
	   size_t outlen, struct lvdpa_tp_obj **obj)
{
	struct lvdpa_tp_obj *o = NULL;
	unsigned int i;
	int rc;

	cap_frame(LVDPA_FUZZ_MODEL_CREATE, 0, inlen, outlen, in, inlen);
	rc = cap_inner->ops->obj_create(cap_inner, in, inlen, out, outlen, &o);
	*obj = NULL;
	if (o == NULL)
		return rc;
	for (i = 0; i < LVDPA_FUZZ_MODEL_SLOTS; i++)
		if (cap_slots[i] == NULL)
			break;
	if (i == LVDPA_FUZZ_MODEL_SLOTS)
		abort();
	cap_slots[i] = calloc(1, sizeof(*cap_slots[i]));
	if (cap_slots[i] == NULL)
		abort();
	cap_slots[i]->tp.dev = &cap_dev;
	cap_slots[i]->tp.priv = cap_slots[i];
	cap_slots[i]->tp.id = o->id;
	cap_slots[i]->inner = o;
	*obj = &cap_slots[i]->tp;
	return rc;
}

static int
cap_modify(struct lvdpa_tp_obj *obj, const void *in, size_t inlen, void *out,
	   size_t outlen)
{
	unsigned int s = cap_slot_of(obj);

	cap_frame(LVDPA_FUZZ_MODEL_MODIFY, s, inlen, outlen, in, inlen);
	return cap_inner->ops->obj_modify(cap_slots[s]->inner, in, inlen, out,
					  outlen);
}

static int
cap_query(struct lvdpa_tp_obj *obj, const void *in, size_t inlen, void *out,
	  size_t outlen)
{
	unsigned int s = cap_slot_of(obj);

	cap_frame(LVDPA_FUZZ_MODEL_QUERY, s, inlen, outlen, in, inlen);
	return cap_inner->ops->obj_query(cap_slots[s]->inner, in, inlen, out,
					 outlen);
}

static int
cap_destroy(struct lvdpa_tp_obj *obj)
{
	unsigned int s = cap_slot_of(obj);
	int rc;

	cap_frame(LVDPA_FUZZ_MODEL_DESTROY, s, 0, 0, NULL, 0);
	rc = cap_inner->ops->obj_destroy(cap_slots[s]->inner);
	if (rc == 0) {
		free(cap_slots[s]);
		cap_slots[s] = NULL;
	}
	return rc;
}

static int
cap_umem_reg(struct lvdpa_tp_dev *dev, void *addr, size_t size,
	     uint32_t access, struct lvdpa_tp_umem **umem)
{
	struct cap_umem *u;
	unsigned int i;
	size_t units = (size + 63) / 64;
	int rc;

	/* The fuzz target registers its own buffer of units * 64 bytes. */
	for (i = 0; i < LVDPA_FUZZ_MODEL_UMEMS; i++)
		if (cap_umems[i] == NULL)
			break;
	if (i == LVDPA_FUZZ_MODEL_UMEMS || units > UINT16_MAX)
		return -ENOSPC;
	u = calloc(1, sizeof(*u));
	if (u == NULL)
		abort();
	cap_frame(LVDPA_FUZZ_MODEL_UMEM, access, units, 0, NULL, 0);
	rc = cap_inner->ops->umem_reg(cap_inner, addr, size, access, &u->inner);
	if (rc != 0) {
		free(u);
		return rc;
	}
	u->tp.dev = &cap_dev;
	u->tp.priv = u;
	u->tp.id = u->inner->id;
	u->mem = addr;
	u->len = size;
	cap_umems[i] = u;
	*umem = &u->tp;
	return 0;
}

static int
cap_umem_dereg(struct lvdpa_tp_umem *umem)
{
	unsigned int i;
	int rc;

	for (i = 0; i < LVDPA_FUZZ_MODEL_UMEMS; i++)
		if (cap_umems[i] != NULL && &cap_umems[i]->tp == umem)
			break;
	if (i == LVDPA_FUZZ_MODEL_UMEMS)
		abort();
	cap_frame(LVDPA_FUZZ_MODEL_UNUMEM, i, 0, 0, NULL, 0);
	rc = cap_inner->ops->umem_dereg(cap_umems[i]->inner);
	if (rc == 0) {
		free(cap_umems[i]);
		cap_umems[i] = NULL;
	}
	return rc;
}

static int
cap_db_alloc(struct lvdpa_tp_dev *dev, struct lvdpa_tp_db **db)
{
	/* The fuzz target allocates its doorbell page at open. */
	return cap_inner->ops->db_alloc(cap_inner, db);
}

static void
cap_db_free(struct lvdpa_tp_db *db)
{
	cap_inner->ops->db_free(db);
}

static void
cap_db_write(struct lvdpa_tp_db *db, uint32_t offset, uint32_t value)
{
	cap_frame(LVDPA_FUZZ_MODEL_DB, value >> 16, offset, value & 0xffff,
		  NULL, 0);
	cap_inner->ops->db_write(db, offset, value);
}

static const struct lvdpa_transport_ops cap_ops = {
	.name = "lvdpa_fuzz_capture",
	.general_cmd = cap_general,
	.obj_create = cap_create,
	.obj_modify = cap_modify,
	.obj_query = cap_query,
	.obj_destroy = cap_destroy,
	.umem_reg = cap_umem_reg,
	.umem_dereg = cap_umem_dereg,
	.db_alloc = cap_db_alloc,
	.db_free = cap_db_free,
	.db_write = cap_db_write,
};

/* The guest writes into a umem: done here and recorded for the target. */
static void
cap_guest_write(struct lvdpa_tp_umem *umem, uint64_t off, const void *p,
		size_t n)
{
	struct cap_umem *u = umem->priv;
	unsigned int i;

	for (i = 0; i < LVDPA_FUZZ_MODEL_UMEMS; i++)
		if (cap_umems[i] == u)
			break;
	memcpy(u->mem + off, p, n);
	cap_frame(LVDPA_FUZZ_MODEL_WRITE, i, n, off, p, n);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

/* Guest memory: rings at 0x1000/0x2000/0x3000, buffers from 0x4000. */
#define GMEM_SIZE 0x10000u

static void
write_ring(struct lvdpa_tp_umem *gm, bool packed)
{
	uint8_t d[32], r[8];

	memset(d, 0, sizeof(d));
	if (!packed) {
		/* desc 0: 64 readable bytes at 0x4000; desc 1: 1536 writable */
		d[0] = 0x00; d[1] = 0x40; d[8] = 64;
		d[16] = 0x00; d[17] = 0x50; put16(d + 24, 1536); put16(d + 28, 2);
		cap_guest_write(gm, 0x1000, d, sizeof(d));
		put16(r, 0);		/* flags */
		put16(r + 2, 2);	/* idx */
		put16(r + 4, 0);
		put16(r + 6, 1);
		cap_guest_write(gm, 0x2000, r, sizeof(r));
	} else {
		/* wrap 1: AVAIL set, USED clear */
		d[0] = 0x00; d[1] = 0x40; d[8] = 64; put16(d + 14, 1 << 7);
		d[16] = 0x00; d[17] = 0x50; put16(d + 24, 1536);
		put16(d + 28, 1); put16(d + 30, 1 << 7 | 2);
		cap_guest_write(gm, 0x1000, d, sizeof(d));
	}
	/* a legacy 10-byte header and an Ethernet frame start */
	memset(d, 0, sizeof(d));
	memset(d + 10, 0xff, 6);
	cap_guest_write(gm, 0x4000, d, sizeof(d));
}

static int
scenario(unsigned int profile, bool packed, bool legacy, bool indirect_mkey,
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
				 &cap_inner) != 0)
		return -1;
	cap_dev.ops = &cap_ops;
	cap_dev.priv = NULL;
	cap_put(&(uint8_t){ (uint8_t)profile }, 1);

	lvdpa_devx_query_caps(&cap_dev, &caps);
	lvdpa_devx_pd_alloc(&cap_dev, &pd);
	gmem = aligned_alloc(4096, GMEM_SIZE);
	memset(gmem, 0, GMEM_SIZE);
	lvdpa_devx_umem_reg(&cap_dev, gmem, GMEM_SIZE,
			    LVDPA_DEVX_UMEM_LOCAL_WRITE, &gm);
	if (pd != NULL && gm != NULL) {
		struct lvdpa_devx_mkey_direct_attr ma = {
			.pd = pd->id, .addr = 0, .size = GMEM_SIZE,
			.umem_id = gm->id, .umem_offset = 0,
		};

		lvdpa_devx_mkey_create_direct(&cap_dev, &ma, &mkey);
	}
	if (indirect_mkey && mkey != NULL) {
		struct lvdpa_devx_klm klm[2] = {
			{ .addr = 0, .len = 0x8000, .mkey = mkey->id },
			{ .addr = 0x8000, .len = 0x8000, .mkey = mkey->id },
		};
		struct lvdpa_devx_mkey_indirect_attr ia = {
			.pd = pd->id, .addr = 0, .size = GMEM_SIZE,
			.klms = klm, .klm_num = 2,
		};

		lvdpa_devx_mkey_create_indirect(&cap_dev, &ia, &mkey2);
	}
	if (gm != NULL)
		write_ring(gm, packed);
	lvdpa_devx_counters_create(&cap_dev, &cnt);
	if (events && pd != NULL) {
		struct lvdpa_devx_cq_attr ca = { .log_cq_size = 2 };
		struct lvdpa_devx_qp_attr qa = { .pd = pd->id, .fw_managed = true,
						 .rq_size_zero = true };

		cqmem = aligned_alloc(4096, 8192);
		memset(cqmem, 0, 8192);
		lvdpa_devx_umem_reg(&cap_dev, cqmem, 8192,
				    LVDPA_DEVX_UMEM_LOCAL_WRITE, &cqu);
		if (cqu != NULL) {
			ca.umem_id = cqu->id;
			ca.dbr_umem_id = cqu->id;
			ca.dbr_umem_offset = 4096;
		}
		lvdpa_devx_cq_create(&cap_dev, &ca, &cq);
		lvdpa_devx_qp_create(&cap_dev, &qa, &qp);
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
		if (lvdpa_devx_umem_reg(&cap_dev, vmem[i], sz,
					LVDPA_DEVX_UMEM_LOCAL_WRITE, &vu[i]) == 0) {
			a.umems[i].id = vu[i]->id;
			a.umems[i].size = sz;
		}
	}
	lvdpa_devx_virtq_create(&cap_dev, &a, &vq);
	lvdpa_devx_db_alloc(&cap_dev, &db);
	if (vq != NULL) {
		a.state = LVDPA_PRM_VIRTQ_STATE_RDY;
		lvdpa_devx_virtq_modify(vq, &a, LVDPA_PRM_VIRTQ_MODIFY_STATE);
		if (db != NULL)
			lvdpa_devx_virtq_notify(db, &caps, 0);
		cap_frame(LVDPA_FUZZ_MODEL_SLEEP, 0, 32, 0, NULL, 0);
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
	lvdpa_transport_close(cap_inner);
	for (i = 0; i < LVDPA_FUZZ_MODEL_SLOTS; i++) {
		free(cap_slots[i]);
		cap_slots[i] = NULL;
	}
	for (i = 0; i < LVDPA_FUZZ_MODEL_UMEMS; i++) {
		free(cap_umems[i]);
		cap_umems[i] = NULL;
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

	if (argc != 2) {
		fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
		return 2;
	}
	for (s = 0; s < sizeof(sc) / sizeof(sc[0]); s++)
		for (p = 0; p < LVDPA_FUZZ_MODEL_NPARAMS; p++) {
			FILE *f;

			cap_len = 0;
			if (scenario(p, sc[s].packed, sc[s].legacy,
				     sc[s].indirect, sc[s].events) != 0)
				return 1;
			snprintf(path, sizeof(path), "%s/%s-p%u", argv[1],
				 sc[s].name, p);
			f = fopen(path, "wb");
			if (f == NULL || fwrite(cap_buf, 1, cap_len, f) != cap_len) {
				perror(path);
				return 1;
			}
			fclose(f);
		}
	free(cap_buf);
	return 0;
}
