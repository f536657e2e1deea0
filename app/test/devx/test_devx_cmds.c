/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The command layer against a capture transport: every lvdpa_devx_* call is
 * checked byte by byte on the mailbox it sends (offsets typed here from the
 * PRM, not taken from lvdpa_prm.h), outputs are canned bytes the layer must
 * decode, and refusals must become the right errno, rte_errno and log line.
 * Also: accessor edge cases, the transport registry, and the rdma transport
 * failing cleanly on a device that does not exist (no ConnectX here).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_log.h>

#include "lvdpa_devx.h"
#include "lvdpa_prm.h"
#include "lvdpa_transport.h"
#include "lvdpa_test.h"

/* ------------------------------------------------------------------ */
/* The capture transport */

enum rec_kind {
	R_GENERAL, R_CREATE, R_MODIFY, R_QUERY, R_DESTROY,
	R_UMEM_REG, R_UMEM_DEREG, R_DB_ALLOC, R_DB_FREE, R_DB_WRITE,
	R_EV_CREATE, R_EV_DESTROY, R_EV_SUB, R_EV_READ,
	R_UAR_ALLOC, R_UAR_FREE, R_UAR_WRITE, R_QUERY_EQN, R_CLOSE,
};

struct rec {
	enum rec_kind kind;
	uint8_t *in;
	size_t inlen;
	size_t outlen;
	uint32_t obj_id;      /* object the command was sent to */
	uint32_t a, b;        /* db offset/value, subscribe n/first type */
	uint64_t v64;         /* 64-bit UAR write */
	uint64_t cookie;
};

#define CAP_RECS 32
#define CAP_RESPS 4
#define CAP_OUT_MAX LVDPA_PRM_QUERY_HCA_CAP_OUT_BYTES

struct resp {
	uint8_t out[CAP_OUT_MAX];
	int rc;
};

static struct {
	struct rec rec[CAP_RECS];
	unsigned int nrec;
	struct resp resp[CAP_RESPS];
	unsigned int nresp, next_resp;
	uint32_t next_id;
	int destroy_rc;
	int live_objs;
	int live_umems;
	struct lvdpa_tp_event ev[4];
	unsigned int nev, next_ev;
	int ev_rc;
	bool null_obj;
} cap;

static struct lvdpa_tp_dev cap_dev;

static void
cap_reset(void)
{
	unsigned int i;

	for (i = 0; i < cap.nrec; i++)
		free(cap.rec[i].in);
	memset(&cap, 0, sizeof(cap));
	cap.next_id = 0x100;
}

/* Forget records and responses, keep object accounting. */
static void
cap_clear(void)
{
	unsigned int i;

	for (i = 0; i < cap.nrec; i++) {
		free(cap.rec[i].in);
		cap.rec[i].in = NULL;
	}
	cap.nrec = 0;
	cap.nresp = 0;
	cap.next_resp = 0;
}

/* Queue the next output mailbox; returns it for the caller to fill. */
static uint8_t *
cap_resp(int rc)
{
	struct resp *r = &cap.resp[cap.nresp++];

	memset(r, 0, sizeof(*r));
	r->rc = rc;
	return r->out;
}

static void
cap_resp_status(uint8_t status, uint32_t syndrome)
{
	uint8_t *o = cap_resp(0);

	o[0] = status;
	o[4] = syndrome >> 24;
	o[5] = syndrome >> 16;
	o[6] = syndrome >> 8;
	o[7] = syndrome;
}

static struct rec *
cap_record(enum rec_kind kind, const void *in, size_t inlen, size_t outlen)
{
	struct rec *r;

	if (cap.nrec >= CAP_RECS)
		abort();
	r = &cap.rec[cap.nrec++];
	r->kind = kind;
	r->inlen = inlen;
	r->outlen = outlen;
	if (in != NULL && inlen > 0) {
		r->in = malloc(inlen);
		memcpy(r->in, in, inlen);
	}
	return r;
}

/* Copy the next canned output; a missing one is an all-zero OK output. */
static int
cap_answer(void *out, size_t outlen, uint8_t *status)
{
	struct resp *r = cap.next_resp < cap.nresp ? &cap.resp[cap.next_resp++] : NULL;

	memset(out, 0, outlen);
	if (r == NULL) {
		*status = 0;
		return 0;
	}
	memcpy(out, r->out, outlen < CAP_OUT_MAX ? outlen : CAP_OUT_MAX);
	*status = r->out[0];
	return r->rc;
}

static int
cap_open(const char *device, const char *params, struct lvdpa_tp_dev **dev)
{
	*dev = &cap_dev;
	return 0;
}

static void
cap_close(struct lvdpa_tp_dev *dev)
{
	cap_record(R_CLOSE, NULL, 0, 0);
}

static int
cap_general_cmd(struct lvdpa_tp_dev *dev, const void *in, size_t inlen,
		void *out, size_t outlen)
{
	uint8_t st;

	cap_record(R_GENERAL, in, inlen, outlen);
	return cap_answer(out, outlen, &st);
}

static int
cap_obj_create(struct lvdpa_tp_dev *dev, const void *in, size_t inlen,
	       void *out, size_t outlen, struct lvdpa_tp_obj **obj)
{
	uint8_t st;
	int rc;

	cap_record(R_CREATE, in, inlen, outlen);
	rc = cap_answer(out, outlen, &st);
	*obj = NULL;
	if (rc != 0 || st != 0 || cap.null_obj)
		return rc;
	*obj = calloc(1, sizeof(**obj));
	(*obj)->dev = dev;
	(*obj)->id = cap.next_id++;
	cap.live_objs++;
	return 0;
}

static int
cap_obj_modify(struct lvdpa_tp_obj *obj, const void *in, size_t inlen,
	       void *out, size_t outlen)
{
	uint8_t st;

	cap_record(R_MODIFY, in, inlen, outlen)->obj_id = obj->id;
	return cap_answer(out, outlen, &st);
}

static int
cap_obj_query(struct lvdpa_tp_obj *obj, const void *in, size_t inlen,
	      void *out, size_t outlen)
{
	uint8_t st;

	cap_record(R_QUERY, in, inlen, outlen)->obj_id = obj->id;
	return cap_answer(out, outlen, &st);
}

static int
cap_obj_destroy(struct lvdpa_tp_obj *obj)
{
	cap_record(R_DESTROY, NULL, 0, 0)->obj_id = obj->id;
	free(obj);
	cap.live_objs--;
	return cap.destroy_rc;
}

static int
cap_umem_reg(struct lvdpa_tp_dev *dev, void *addr, size_t size,
	     uint32_t access, struct lvdpa_tp_umem **umem)
{
	struct rec *r = cap_record(R_UMEM_REG, NULL, 0, 0);

	r->a = (uint32_t)size;
	r->b = access;
	*umem = calloc(1, sizeof(**umem));
	(*umem)->dev = dev;
	(*umem)->id = 0x55;
	cap.live_umems++;
	return 0;
}

static int
cap_umem_dereg(struct lvdpa_tp_umem *umem)
{
	cap_record(R_UMEM_DEREG, NULL, 0, 0)->obj_id = umem->id;
	free(umem);
	cap.live_umems--;
	return 0;
}

static int
cap_db_alloc(struct lvdpa_tp_dev *dev, struct lvdpa_tp_db **db)
{
	cap_record(R_DB_ALLOC, NULL, 0, 0);
	*db = calloc(1, sizeof(**db));
	(*db)->dev = dev;
	(*db)->page_id = 7;
	return 0;
}

static void
cap_db_free(struct lvdpa_tp_db *db)
{
	cap_record(R_DB_FREE, NULL, 0, 0);
	free(db);
}

static void
cap_db_write(struct lvdpa_tp_db *db, uint32_t offset, uint32_t value)
{
	struct rec *r = cap_record(R_DB_WRITE, NULL, 0, 0);

	r->a = offset;
	r->b = value;
}

static int
cap_evchan_create(struct lvdpa_tp_dev *dev, struct lvdpa_tp_evchan **ch)
{
	cap_record(R_EV_CREATE, NULL, 0, 0);
	*ch = calloc(1, sizeof(**ch));
	(*ch)->dev = dev;
	(*ch)->fd = 42;
	return 0;
}

static void
cap_evchan_destroy(struct lvdpa_tp_evchan *ch)
{
	cap_record(R_EV_DESTROY, NULL, 0, 0);
	free(ch);
}

static int
cap_evchan_subscribe(struct lvdpa_tp_evchan *ch, struct lvdpa_tp_obj *obj,
		     const uint16_t *event_types, unsigned int n, uint64_t cookie)
{
	struct rec *r = cap_record(R_EV_SUB, NULL, 0, 0);

	r->obj_id = obj != NULL ? obj->id : 0;
	r->a = n;
	r->b = event_types[0];
	r->cookie = cookie;
	return 0;
}

static int
cap_evchan_read(struct lvdpa_tp_evchan *ch, struct lvdpa_tp_event *ev)
{
	cap_record(R_EV_READ, NULL, 0, 0);
	if (cap.ev_rc != 0)
		return cap.ev_rc;
	if (cap.next_ev >= cap.nev)
		return 0;
	*ev = cap.ev[cap.next_ev++];
	return 1;
}

static int
cap_uar_alloc(struct lvdpa_tp_dev *dev, struct lvdpa_tp_db **uar)
{
	cap_record(R_UAR_ALLOC, NULL, 0, 0);
	*uar = calloc(1, sizeof(**uar));
	(*uar)->dev = dev;
	(*uar)->page_id = 0x321;
	return 0;
}

static void
cap_uar_free(struct lvdpa_tp_db *uar)
{
	cap_record(R_UAR_FREE, NULL, 0, 0);
	free(uar);
}

static void
cap_uar_write64(struct lvdpa_tp_db *uar, uint32_t offset, uint64_t value)
{
	struct rec *r = cap_record(R_UAR_WRITE, NULL, 0, 0);

	r->a = offset;
	r->v64 = value;
}

static int
cap_query_eqn(struct lvdpa_tp_dev *dev, uint32_t vector, uint32_t *eqn)
{
	cap_record(R_QUERY_EQN, NULL, 0, 0)->a = vector;
	*eqn = 0x20 + vector;
	return 0;
}

static const struct lvdpa_transport_ops cap_ops = {
	.name = "lvdpa-test-capture",
	.open = cap_open,
	.close = cap_close,
	.general_cmd = cap_general_cmd,
	.obj_create = cap_obj_create,
	.obj_modify = cap_obj_modify,
	.obj_query = cap_obj_query,
	.obj_destroy = cap_obj_destroy,
	.umem_reg = cap_umem_reg,
	.umem_dereg = cap_umem_dereg,
	.db_alloc = cap_db_alloc,
	.db_free = cap_db_free,
	.db_write = cap_db_write,
	.evchan_create = cap_evchan_create,
	.evchan_destroy = cap_evchan_destroy,
	.evchan_subscribe = cap_evchan_subscribe,
	.evchan_read = cap_evchan_read,
	.uar_alloc = cap_uar_alloc,
	.uar_free = cap_uar_free,
	.uar_write64 = cap_uar_write64,
	.query_eqn = cap_query_eqn,
};

static struct lvdpa_tp_dev cap_dev = { .ops = &cap_ops };

/* The same transport without the optional operations, as the model is. */
static const struct lvdpa_transport_ops cap_min_ops = {
	.name = "lvdpa-test-capture-min",
	.open = cap_open,
	.general_cmd = cap_general_cmd,
	.obj_create = cap_obj_create,
	.obj_destroy = cap_obj_destroy,
	.db_alloc = cap_db_alloc,
	.db_free = cap_db_free,
	.db_write = cap_db_write,
};

static struct lvdpa_tp_dev cap_min_dev = { .ops = &cap_min_ops };

/* Commands only: no doorbells at all. */
static const struct lvdpa_transport_ops cap_bare_ops = {
	.name = "lvdpa-test-capture-bare",
	.open = cap_open,
};

static struct lvdpa_tp_dev cap_bare_dev = { .ops = &cap_bare_ops };

/* ------------------------------------------------------------------ */
/* Helpers */

/* Big-endian value of @p n bytes at @p off: how the PRM lays fields out. */
static uint64_t
be(const uint8_t *b, size_t off, unsigned int n)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		v = (v << 8) | b[off + i];
	return v;
}

static void
put_be(uint8_t *b, size_t off, unsigned int n, uint64_t v)
{
	while (n-- > 0) {
		b[off + n] = (uint8_t)v;
		v >>= 8;
	}
}

/* Log capture through rte_openlog_stream. */
static char *log_buf;
static size_t log_len;
static FILE *log_f;

static void
log_begin(void)
{
	free(log_buf);
	log_buf = NULL;
	log_len = 0;
	log_f = open_memstream(&log_buf, &log_len);
	rte_openlog_stream(log_f);
}

static const char *
log_end(void)
{
	rte_openlog_stream(NULL);
	fclose(log_f);
	log_f = NULL;
	return log_buf != NULL ? log_buf : "";
}

static bool
all_zero(const uint8_t *b, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/* ------------------------------------------------------------------ */
/* Accessor edge cases */

static int
test_accessor_width1(void)
{
	uint8_t b[8];
	unsigned int bit, i;

	for (bit = 0; bit < 64; bit++) {
		memset(b, 0, sizeof(b));
		lvdpa_prm_set(b, LVDPA_PRM_FIELD(bit, 1), 1);
		for (i = 0; i < 8; i++)
			LVDPA_TEST_ASSERT_EQ(b[i], i == bit / 8 ? 0x80u >> (bit % 8) : 0,
					     "bit %u byte %u", bit, i);
		LVDPA_TEST_ASSERT_EQ(lvdpa_prm_get(b, LVDPA_PRM_FIELD(bit, 1)), 1, "get %u", bit);
		LVDPA_TEST_ASSERT_EQ(lvdpa_prm_get(b, LVDPA_PRM_FIELD(bit ^ 1, 1)), 0,
				     "neighbour of %u", bit);
		memset(b, 0xff, sizeof(b));
		lvdpa_prm_set(b, LVDPA_PRM_FIELD(bit, 1), 0);
		for (i = 0; i < 8; i++)
			LVDPA_TEST_ASSERT_EQ(b[i], i == bit / 8 ? (uint8_t)~(0x80u >> (bit % 8)) : 0xff,
					     "clear bit %u byte %u", bit, i);
	}
	return 0;
}

static int
test_accessor_cross_dword(void)
{
	uint8_t b[16];

	/* 8 bits from bit 28: low nibble of byte 3, high nibble of byte 4 */
	memset(b, 0, sizeof(b));
	lvdpa_prm_set(b, LVDPA_PRM_FIELD(28, 8), 0xab);
	LVDPA_TEST_ASSERT(b[3] == 0x0a && b[4] == 0xb0, "bytes %02x %02x", b[3], b[4]);
	LVDPA_TEST_ASSERT(all_zero(b, 0, 3) && all_zero(b, 5, 16), "neighbours");
	LVDPA_TEST_ASSERT_EQ(lvdpa_prm_get(b, LVDPA_PRM_FIELD(28, 8)), 0xab, "get");

	/* 32 bits from bit 16: bytes 2..5 */
	memset(b, 0, sizeof(b));
	lvdpa_prm_set(b, LVDPA_PRM_FIELD(16, 32), 0xdeadbeef);
	LVDPA_TEST_ASSERT_EQ(be(b, 2, 4), 0xdeadbeef, "32 across");
	LVDPA_TEST_ASSERT(all_zero(b, 0, 2) && all_zero(b, 6, 16), "neighbours");

	/* 64 bits from bit 20: three dwords, nibble aligned */
	memset(b, 0, sizeof(b));
	lvdpa_prm_set(b, LVDPA_PRM_FIELD(20, 64), UINT64_C(0x0123456789abcdef));
	LVDPA_TEST_ASSERT_EQ(b[2], 0x00, "byte 2: top nibble 0 in its low half");
	LVDPA_TEST_ASSERT_EQ(be(b, 3, 7), UINT64_C(0x123456789abcde), "bytes 3..9");
	LVDPA_TEST_ASSERT_EQ(b[10], 0xf0, "last nibble in byte 10's high half");
	LVDPA_TEST_ASSERT(all_zero(b, 0, 2) && all_zero(b, 11, 16), "outside");
	LVDPA_TEST_ASSERT_EQ(lvdpa_prm_get(b, LVDPA_PRM_FIELD(20, 64)),
			     UINT64_C(0x0123456789abcdef), "get 64 across");

	/* 64 bits aligned, and a 64-bit value keeps its top bit */
	memset(b, 0, sizeof(b));
	lvdpa_prm_set(b, LVDPA_PRM_FIELD(64, 64), UINT64_C(0x8000000000000001));
	LVDPA_TEST_ASSERT_EQ(be(b, 8, 8), UINT64_C(0x8000000000000001), "aligned 64");
	LVDPA_TEST_ASSERT(all_zero(b, 0, 8), "first half");

	/* 64 bits from bit 1 into an all-ones buffer */
	memset(b, 0xff, sizeof(b));
	lvdpa_prm_set(b, LVDPA_PRM_FIELD(1, 64), 0);
	LVDPA_TEST_ASSERT_EQ(b[0], 0x80, "first bit kept");
	LVDPA_TEST_ASSERT(all_zero(b, 1, 8), "cleared");
	LVDPA_TEST_ASSERT_EQ(b[8], 0x7f, "last bit kept");
	return 0;
}

static int
test_accessor_truncation(void)
{
	uint8_t b[8];

	memset(b, 0, sizeof(b));
	/* wider values are cut to the width, neighbours untouched */
	lvdpa_prm_set(b, LVDPA_PRM_FIELD(4, 4), 0xff);
	LVDPA_TEST_ASSERT_EQ(b[0], 0x0f, "nibble");
	LVDPA_TEST_ASSERT(all_zero(b, 1, 8), "rest");
	lvdpa_prm_set(b, LVDPA_PRM_FIELD(8, 24), UINT64_C(0x1abcdef12));
	LVDPA_TEST_ASSERT_EQ(be(b, 1, 3), 0xbcdef12 & 0xffffff, "24 bits");
	LVDPA_TEST_ASSERT_EQ(b[0], 0x0f, "nibble kept");
	/* nonsense widths do nothing */
	memset(b, 0, sizeof(b));
	lvdpa_prm_set(b, LVDPA_PRM_FIELD(0, 0), 1);
	lvdpa_prm_set(b, LVDPA_PRM_FIELD(0, 65), 1);
	LVDPA_TEST_ASSERT(all_zero(b, 0, 8), "no-op");
	LVDPA_TEST_ASSERT_EQ(lvdpa_prm_get(b, LVDPA_PRM_FIELD(0, 0)), 0, "get 0 width");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Capabilities */

static void
fill_general_caps(uint8_t *o)
{
	/* capability at byte 16; offsets below are cap-relative + 16 */
	put_be(o, 16 + 0x6, 2, 0x1234);          /* vhca_id (bit 0x30) */
	o[16 + 0x11] = 0x0f;                     /* log_max_qp_sz (bit 0x88) */
	o[16 + 0x13] = 0x11;                     /* log_max_qp 17 (bits 0x9b..0x9f) */
	o[16 + 0x19] = 0x16;                     /* log_max_cq_sz (bit 0xc8) */
	o[16 + 0x1b] = 0x40 | 0x12;              /* emulation manager (0xd9), log_max_cq 18 */
	o[16 + 0x1c] = 0x07;                     /* log_max_eq_sz (bit 0xe0) */
	o[16 + 0x1d] = 0x18;                     /* log_max_mkey 24 (bits 0xea..0xef) */
	o[16 + 0x1f] = 0x05;                     /* log_max_eq (bits 0xfc..0xff) */
	o[16 + 0x21] = 0x40;                     /* log_max_mrw_sz 64 (bits 0x109..0x10f) */
	o[16 + 0x23] = 0x10;                     /* log_max_klm_list_size 16 (0x11a..0x11f) */
	o[16 + 0x34] = 0x01;                     /* eswitch_manager (bit 0x1a7) */
	o[16 + 0x4a] = 0x20;                     /* umem_uid_0 (bit 0x252) */
	o[16 + 0x65] = 0x17;                     /* log_max_pd 23 (bits 0x32b..0x32f) */
	put_be(o, 16 + 0x80, 8, UINT64_C(0x10002000)); /* general_obj_types: 0xd, 0x1c */
	o[16 + 0x88] = 0x50;                     /* sq_ts_format 1, rq_ts_format 1 */
}

static void
fill_virtio_caps(uint8_t *o)
{
	o[16 + 0x0] = 0x32;                      /* virtio_version_1_0, tso_ipv4, rx_csum */
	o[16 + 0x2] = 0x06;                      /* event_mode: qp | msix */
	o[16 + 0x3] = 0x03;                      /* queue types: split | packed */
	put_be(o, 16 + 0x4, 2, 0x0100);          /* max_tunnel_desc */
	o[16 + 0x6] = 0x0c;                      /* log_doorbell_stride 12 (0x33..0x37) */
	o[16 + 0x7] = 0xe0 | 0x11;               /* modify ext/addr/index, bar size 17 */
	put_be(o, 16 + 0x8, 8, UINT64_C(0x0000000100000804));
	o[16 + 0x10] = 0x08;                     /* max_emulated_devices */
	put_be(o, 16 + 0x11, 3, 256);            /* max_num_virtio_queues */
	put_be(o, 16 + 0x20, 4, 128);            /* umem_1 a */
	put_be(o, 16 + 0x24, 4, 4096);           /* umem_1 b */
	put_be(o, 16 + 0x28, 4, 64);
	put_be(o, 16 + 0x2c, 4, 8192);
	put_be(o, 16 + 0x30, 4, 32);
	put_be(o, 16 + 0x34, 4, 0);
}

static int
test_caps_query(void)
{
	struct lvdpa_devx_caps c;

	cap_reset();
	fill_general_caps(cap_resp(0));
	fill_virtio_caps(cap_resp(0));
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_query_caps(&cap_dev, &c), 0, "query");
	LVDPA_TEST_ASSERT_EQ(cap.nrec, 2, "two commands");
	LVDPA_TEST_ASSERT_EQ(cap.rec[0].kind, R_GENERAL, "general cmd");
	LVDPA_TEST_ASSERT_EQ(be(cap.rec[0].in, 0, 2), 0x100, "opcode");
	LVDPA_TEST_ASSERT_EQ(be(cap.rec[0].in, 6, 2), 0x0001, "op_mod general current");
	LVDPA_TEST_ASSERT_EQ(be(cap.rec[1].in, 0, 2), 0x100, "opcode");
	LVDPA_TEST_ASSERT_EQ(be(cap.rec[1].in, 6, 2), 0x0027, "op_mod virtio current");
	LVDPA_TEST_ASSERT_EQ(cap.rec[0].inlen, 16, "inlen");
	LVDPA_TEST_ASSERT_EQ(cap.rec[0].outlen, 16 + 4096, "outlen");

	LVDPA_TEST_ASSERT_EQ(c.vhca_id, 0x1234, "vhca_id");
	LVDPA_TEST_ASSERT_EQ(c.log_max_qp_sz, 0x0f, "log_max_qp_sz");
	LVDPA_TEST_ASSERT_EQ(c.log_max_qp, 17, "log_max_qp");
	LVDPA_TEST_ASSERT_EQ(c.log_max_cq_sz, 0x16, "log_max_cq_sz");
	LVDPA_TEST_ASSERT_EQ(c.log_max_cq, 18, "log_max_cq");
	LVDPA_TEST_ASSERT(c.virtio_net_device_emulation_manager, "emulation manager");
	LVDPA_TEST_ASSERT_EQ(c.log_max_eq_sz, 7, "log_max_eq_sz");
	LVDPA_TEST_ASSERT_EQ(c.log_max_mkey, 24, "log_max_mkey");
	LVDPA_TEST_ASSERT_EQ(c.log_max_eq, 5, "log_max_eq");
	LVDPA_TEST_ASSERT_EQ(c.log_max_mrw_sz, 64, "log_max_mrw_sz");
	LVDPA_TEST_ASSERT_EQ(c.log_max_klm_list_size, 16, "klm list");
	LVDPA_TEST_ASSERT(c.eswitch_manager, "eswitch manager");
	LVDPA_TEST_ASSERT(c.umem_uid_0, "umem_uid_0");
	LVDPA_TEST_ASSERT_EQ(c.log_max_pd, 23, "log_max_pd");
	LVDPA_TEST_ASSERT_EQ(c.general_obj_types, 0x10002000, "obj types");
	LVDPA_TEST_ASSERT(c.virtq_supported && c.queue_counters_supported, "obj type bits");
	LVDPA_TEST_ASSERT(c.sq_ts_format == 1 && c.rq_ts_format == 1, "ts formats");

	LVDPA_TEST_ASSERT(c.vdpa_valid, "vdpa caps");
	LVDPA_TEST_ASSERT(c.virtio_version_1_0 && c.tso_ipv4 && c.rx_csum, "feature bits");
	LVDPA_TEST_ASSERT(!c.tso_ipv6 && !c.tx_csum && !c.desc_tunnel_offload_type &&
			  !c.eth_frame_offload_type, "clear feature bits");
	LVDPA_TEST_ASSERT_EQ(c.device_features_bits_mask, 0x1200, "features mask");
	LVDPA_TEST_ASSERT_EQ(c.event_mode, 0x06, "event modes");
	LVDPA_TEST_ASSERT_EQ(c.virtio_queue_type, 0x03, "queue types");
	LVDPA_TEST_ASSERT_EQ(c.max_tunnel_desc, 0x100, "max_tunnel_desc");
	LVDPA_TEST_ASSERT_EQ(c.log_doorbell_stride, 12, "db stride");
	LVDPA_TEST_ASSERT(c.vnet_modify_ext && c.virtio_net_q_addr_modify &&
			  c.virtio_q_index_modify, "modify caps");
	LVDPA_TEST_ASSERT_EQ(c.log_doorbell_bar_size, 17, "bar size");
	LVDPA_TEST_ASSERT_EQ(c.doorbell_bar_offset, UINT64_C(0x0000000100000804), "bar offset");
	LVDPA_TEST_ASSERT_EQ(c.max_emulated_devices, 8, "emulated devices");
	LVDPA_TEST_ASSERT_EQ(c.max_num_virtio_queues, 256, "queues");
	LVDPA_TEST_ASSERT(c.umems[0].a == 128 && c.umems[0].b == 4096, "umem 1");
	LVDPA_TEST_ASSERT(c.umems[1].a == 64 && c.umems[1].b == 8192, "umem 2");
	LVDPA_TEST_ASSERT(c.umems[2].a == 32 && c.umems[2].b == 0, "umem 3");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_umem_size(&c, 0, 256), 128 * 256 + 4096, "umem size");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_umem_size(&c, 3, 256), 0, "no umem 4");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_db_offset(&c), 0x804, "doorbell in page");
	cap_reset();
	return 0;
}

static int
test_caps_refusals(void)
{
	struct lvdpa_devx_caps c;
	const char *log;

	/* no virtio emulation: not an error, vdpa_valid false */
	cap_reset();
	fill_general_caps(cap_resp(0));
	cap_resp_status(LVDPA_PRM_STATUS_BAD_OP_ERR, 0x1111);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_query_caps(&cap_dev, &c), 0, "query");
	LVDPA_TEST_ASSERT(!c.vdpa_valid && c.vhca_id == 0x1234, "general kept");
	LVDPA_TEST_ASSERT_EQ(c.max_num_virtio_queues, 0, "no virtio caps");

	/* virtio query not delivered: that is an error */
	cap_reset();
	fill_general_caps(cap_resp(0));
	cap_resp(-EIO);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_query_caps(&cap_dev, &c), -EIO, "undelivered");
	LVDPA_TEST_ASSERT(!c.vdpa_valid, "no vdpa caps");

	/* general refused: error with opcode, status and syndrome logged */
	cap_reset();
	cap_resp_status(LVDPA_PRM_STATUS_BAD_PARAM_ERR, 0xdeadbeef);
	log_begin();
	rte_errno = 0;
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_query_caps(&cap_dev, &c), -EINVAL, "refused");
	log = log_end();
	LVDPA_TEST_ASSERT_EQ(rte_errno, EINVAL, "rte_errno");
	LVDPA_TEST_ASSERT(strstr(log, "QUERY_HCA_CAP") && strstr(log, "0x100") &&
			  strstr(log, "status 0x3") && strstr(log, "0xdeadbeef") &&
			  strstr(log, "BAD_PARAM"), "log: %s", log);
	LVDPA_TEST_ASSERT_EQ(cap.nrec, 1, "stopped after general");

	/* transport failure */
	cap_reset();
	cap_resp(-EIO);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_query_caps(&cap_dev, &c), -EIO, "transport error");
	LVDPA_TEST_ASSERT_EQ(rte_errno, EIO, "rte_errno EIO");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_query_caps(NULL, &c), -EINVAL, "NULL dev");
	cap_reset();
	return 0;
}

/* ------------------------------------------------------------------ */
/* PD, umem, errno table */

static int
test_pd(void)
{
	struct lvdpa_devx_obj *pd;
	uint8_t *o;

	cap_reset();
	o = cap_resp(0);
	put_be(o, 9, 3, 0x00002a);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_pd_alloc(&cap_dev, &pd), 0, "alloc");
	LVDPA_TEST_ASSERT(pd != NULL && pd->id == 0x2a, "pdn");
	LVDPA_TEST_ASSERT_EQ(cap.rec[0].kind, R_CREATE, "through obj_create");
	LVDPA_TEST_ASSERT_EQ(be(cap.rec[0].in, 0, 2), 0x800, "ALLOC_PD");
	LVDPA_TEST_ASSERT_EQ(cap.rec[0].inlen, 16, "inlen");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_pd_free(pd), 0, "free");
	LVDPA_TEST_ASSERT_EQ(cap.rec[1].kind, R_DESTROY, "destroyed");
	LVDPA_TEST_ASSERT_EQ(cap.live_objs, 0, "no object left");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_pd_free(NULL), 0, "free NULL");
	cap_reset();
	return 0;
}

static int
test_errno_table(void)
{
	static const struct { uint8_t st; int err; const char *name; } t[] = {
		{ 0x01, EIO, "INT_ERR" }, { 0x02, EOPNOTSUPP, "BAD_OP" },
		{ 0x03, EINVAL, "BAD_PARAM" }, { 0x04, EIO, "BAD_SYS_STATE" },
		{ 0x05, EINVAL, "BAD_RESOURCE" }, { 0x06, EBUSY, "RESOURCE_BUSY" },
		{ 0x07, EAGAIN, "NOT_READY" }, { 0x08, ENOMEM, "EXCEED_LIM" },
		{ 0x09, EBUSY, "BAD_RESOURCE_STATE" }, { 0x0a, EINVAL, "BAD_INDEX" },
		{ 0x0f, EAGAIN, "NO_RESOURCES" }, { 0x10, EINVAL, "BAD_QP_STATE" },
		{ 0x30, EINVAL, "BAD_PKT" }, { 0x40, EINVAL, "BAD_SIZE" },
		{ 0x50, EMSGSIZE, "BAD_INPUT_LEN" }, { 0x51, EMSGSIZE, "BAD_OUTPUT_LEN" },
		{ 0xee, EIO, "UNKNOWN" },
	};
	struct lvdpa_devx_virtq_attr a;
	struct lvdpa_devx_obj *obj;
	unsigned int i;
	char synd[16];
	const char *log;

	memset(&a, 0, sizeof(a));
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		cap_reset();
		cap_resp_status(t[i].st, 0x00c0ffee + i);
		log_begin();
		rte_errno = 0;
		obj = (void *)&a;
		LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_create(&cap_dev, &a, &obj), -t[i].err,
				     "status 0x%x", t[i].st);
		log = log_end();
		LVDPA_TEST_ASSERT_EQ(rte_errno, t[i].err, "rte_errno for 0x%x", t[i].st);
		LVDPA_TEST_ASSERT(obj == NULL, "no object for 0x%x", t[i].st);
		LVDPA_TEST_ASSERT_EQ(cap.live_objs, 0, "nothing created");
		snprintf(synd, sizeof(synd), "0x%08x", 0x00c0ffee + i);
		LVDPA_TEST_ASSERT(strstr(log, "CREATE_GENERAL_OBJECT") && strstr(log, "0xa00") &&
				  strstr(log, "obj_type 0xd") && strstr(log, synd) &&
				  strstr(log, t[i].name), "log for 0x%x: %s", t[i].st, log);
	}
	/* obj_create said OK but gave no object: a broken transport */
	cap_reset();
	cap.null_obj = true;
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_create(&cap_dev, &a, &obj), -EIO, "no object");
	LVDPA_TEST_ASSERT(obj == NULL, "none returned");
	cap_reset();
	return 0;
}

static int
test_umem(void)
{
	struct lvdpa_tp_umem *u;
	uint8_t mem[64];

	cap_reset();
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_umem_reg(&cap_dev, mem, sizeof(mem),
						 LVDPA_DEVX_UMEM_LOCAL_WRITE, &u), 0, "reg");
	LVDPA_TEST_ASSERT(u != NULL && u->id == 0x55, "umem id");
	LVDPA_TEST_ASSERT(cap.rec[0].a == sizeof(mem) && cap.rec[0].b == 1, "size/access");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_umem_dereg(u), 0, "dereg");
	LVDPA_TEST_ASSERT_EQ(cap.live_umems, 0, "released");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_umem_reg(&cap_dev, mem, 0, 0, &u), -EINVAL, "size 0");
	LVDPA_TEST_ASSERT(u == NULL, "no umem");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_umem_dereg(NULL), 0, "dereg NULL");
	cap_reset();
	return 0;
}

/* ------------------------------------------------------------------ */
/* Memory keys */

static int
test_mkey_direct(void)
{
	struct lvdpa_devx_mkey_direct_attr a = {
		.pd = 0x123, .addr = UINT64_C(0x7f0000001000), .size = 0x5000,
		.umem_id = 0x77, .umem_offset = 0, .key = 0x77,
	};
	struct lvdpa_devx_obj *mk;
	const uint8_t *in;

	cap_reset();
	put_be(cap_resp(0), 9, 3, 0xabc);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_mkey_create_direct(&cap_dev, &a, &mk), 0, "create");
	LVDPA_TEST_ASSERT_EQ(mk->id, 0xabc77, "mkey = index << 8 | key");
	in = cap.rec[0].in;
	LVDPA_TEST_ASSERT_EQ(cap.rec[0].inlen, 272, "inlen");
	LVDPA_TEST_ASSERT_EQ(be(in, 0, 2), 0x200, "CREATE_MKEY");
	LVDPA_TEST_ASSERT_EQ(in[0x12], 0x0d, "lw lr, access mode MTT");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x14, 3), 0xffffff, "qpn");
	LVDPA_TEST_ASSERT_EQ(in[0x17], 0x77, "mkey_7_0");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x1d, 3), 0x123, "pd");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x20, 8), UINT64_C(0x7f0000001000), "start_addr");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x28, 8), 0x5000, "len");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x44, 4), 3, "translations (5 pages, 2 per octword)");
	LVDPA_TEST_ASSERT_EQ(in[0x4b], 12, "log_page_size");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x60, 4), 3, "actual size");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x64, 4), 0x77, "umem id");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x68, 8), 0, "umem offset");
	LVDPA_TEST_ASSERT(in[0x10] == 0 && in[0x11] == 0 && in[0x0c] == 0, "no other flags");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_mkey_destroy(mk), 0, "destroy");

	/* remote access, relaxed ordering, an offset inside a page */
	cap_reset();
	a.remote_rw = true;
	a.relaxed_ordering = true;
	a.umem_offset = 0x1800;
	a.size = 0x1000;
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_mkey_create_direct(&cap_dev, &a, &mk), 0, "create 2");
	in = cap.rec[0].in;
	LVDPA_TEST_ASSERT_EQ(in[0x12], 0x3d, "rw rr lw lr MTT");
	LVDPA_TEST_ASSERT_EQ(in[0x11], 0x04, "relaxed write");
	LVDPA_TEST_ASSERT_EQ(in[0x4b], 0x40 | 12, "relaxed read + page size");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x44, 4), 1, "2 pages -> 1 octword");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x68, 8), 0x1800, "umem offset");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_mkey_destroy(mk), 0, "destroy 2");

	a.size = 0;
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_mkey_create_direct(&cap_dev, &a, &mk), -EINVAL, "size 0");
	cap_reset();
	return 0;
}

static int
test_mkey_indirect(void)
{
	struct lvdpa_devx_klm klms[3] = {
		{ .addr = 0x1000, .len = 0x2000, .mkey = 0x1101 },
		{ .addr = 0, .len = 0x1000, .mkey = 0x2202 },
		{ .addr = UINT64_C(0x123456789000), .len = 0x3000, .mkey = 0x3303 },
	};
	struct lvdpa_devx_mkey_indirect_attr a = {
		.pd = 0x5, .addr = 0, .size = 0x6000, .klms = klms, .klm_num = 3,
		.key = 0x9,
	};
	struct lvdpa_devx_obj *mk;
	const uint8_t *in;

	cap_reset();
	put_be(cap_resp(0), 9, 3, 0x10);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_mkey_create_indirect(&cap_dev, &a, &mk), 0, "create");
	LVDPA_TEST_ASSERT_EQ(mk->id, 0x1009, "mkey");
	in = cap.rec[0].in;
	LVDPA_TEST_ASSERT_EQ(cap.rec[0].inlen, 272 + 4 * 16, "padded to 4 entries");
	LVDPA_TEST_ASSERT_EQ(in[0x12], 0x0e, "lw lr, access mode KLM");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x44, 4), 4, "translations");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x60, 4), 4, "actual");
	LVDPA_TEST_ASSERT_EQ(in[0x4b], 0, "no entity size");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x28, 8), 0x6000, "len");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x1d, 3), 5, "pd");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x110, 4), 0x2000, "klm0 byte_count");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x114, 4), 0x1101, "klm0 mkey");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x118, 8), 0x1000, "klm0 address");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x124, 4), 0x2202, "klm1 mkey");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x130, 4), 0x3000, "klm2 byte_count");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x138, 8), UINT64_C(0x123456789000), "klm2 address");
	LVDPA_TEST_ASSERT(all_zero(in, 0x140, 0x150), "padding entry");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_mkey_destroy(mk), 0, "destroy");

	cap_reset();
	a.log_entity_size = 21;
	a.klm_num = 4 + 1;
	{
		struct lvdpa_devx_klm many[5];

		memset(many, 0, sizeof(many));
		a.klms = many;
		LVDPA_TEST_ASSERT_EQ(lvdpa_devx_mkey_create_indirect(&cap_dev, &a, &mk), 0,
				     "create fbs");
	}
	in = cap.rec[0].in;
	LVDPA_TEST_ASSERT_EQ(cap.rec[0].inlen, 272 + 8 * 16, "5 padded to 8");
	LVDPA_TEST_ASSERT_EQ(in[0x12], 0x0f, "access mode KLM_FBS");
	LVDPA_TEST_ASSERT_EQ(in[0x4b], 21, "entity size");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_mkey_destroy(mk), 0, "destroy fbs");

	cap_reset();
	a.klm_num = 0;
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_mkey_create_indirect(&cap_dev, &a, &mk), -EINVAL, "empty");
	LVDPA_TEST_ASSERT_EQ(cap.nrec, 0, "nothing sent");
	cap_reset();
	return 0;
}

/* ------------------------------------------------------------------ */
/* Counters */

static int
test_counters(void)
{
	struct lvdpa_devx_virtq_counters vc;
	struct lvdpa_devx_obj *c;
	uint8_t *o;

	cap_reset();
	put_be(cap_resp(0), 8, 4, 0x42);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_counters_create(&cap_dev, &c), 0, "create");
	LVDPA_TEST_ASSERT_EQ(c->id, 0x42, "obj_id");
	LVDPA_TEST_ASSERT_EQ(be(cap.rec[0].in, 0, 2), 0xa00, "CREATE_GENERAL_OBJECT");
	LVDPA_TEST_ASSERT_EQ(be(cap.rec[0].in, 6, 2), 0x1c, "obj_type");
	LVDPA_TEST_ASSERT_EQ(cap.rec[0].inlen, 80, "inlen");

	o = cap_resp(0);
	put_be(o, 0x20, 8, UINT64_C(0x100000001));
	put_be(o, 0x28, 8, 99);
	put_be(o, 0x30, 4, 1);
	put_be(o, 0x34, 4, 2);
	put_be(o, 0x38, 4, 3);
	put_be(o, 0x3c, 4, 4);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_counters_query(c, &vc), 0, "query");
	LVDPA_TEST_ASSERT_EQ(cap.rec[1].kind, R_QUERY, "query op");
	LVDPA_TEST_ASSERT_EQ(be(cap.rec[1].in, 0, 2), 0xa02, "QUERY_GENERAL_OBJECT");
	LVDPA_TEST_ASSERT_EQ(be(cap.rec[1].in, 6, 2), 0x1c, "obj_type");
	LVDPA_TEST_ASSERT_EQ(be(cap.rec[1].in, 8, 4), 0x42, "obj_id");
	LVDPA_TEST_ASSERT(cap.rec[1].inlen == 16 && cap.rec[1].outlen == 80, "lengths");
	LVDPA_TEST_ASSERT_EQ(vc.received_desc, UINT64_C(0x100000001), "received");
	LVDPA_TEST_ASSERT_EQ(vc.completed_desc, 99, "completed");
	LVDPA_TEST_ASSERT(vc.error_cqes == 1 && vc.bad_desc_errors == 2 &&
			  vc.exceed_max_chain == 3 && vc.invalid_buffer == 4, "errors");

	cap_resp_status(LVDPA_PRM_STATUS_BAD_RES_ERR, 1);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_counters_query(c, &vc), -EINVAL, "refused query");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_counters_destroy(c), 0, "destroy");
	LVDPA_TEST_ASSERT_EQ(cap.live_objs, 0, "released");
	cap_reset();
	return 0;
}

/* ------------------------------------------------------------------ */
/* Virtqs */

static void
full_virtq_attr(struct lvdpa_devx_virtq_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->queue_index = 3;
	a->queue_size = 256;
	a->virtio_q_type = LVDPA_PRM_VIRTQ_TYPE_PACKED;
	a->event_mode = LVDPA_PRM_VIRTQ_EVENT_MODE_QP;
	a->event_qpn_or_msix = 0xabcdef;
	a->virtio_version_1_0 = true;
	a->queue_features = 1u << LVDPA_PRM_VIRTQ_QF_HOST_TSO4 |
			    1u << LVDPA_PRM_VIRTQ_QF_GUEST_CSUM |
			    1u << LVDPA_PRM_VIRTQ_QF_GUEST_TSO4 |
			    1u << LVDPA_PRM_VIRTQ_QF_HOST_ECN |
			    1u << LVDPA_PRM_VIRTQ_QF_MRG_RXBUF;
	a->offload_type = 0x5;
	a->desc_addr = UINT64_C(0x1111222233334444);
	a->used_addr = UINT64_C(0x5555666677778888);
	a->available_addr = UINT64_C(0x99990000aaaabbbb);
	a->mkey = 0xcafe01;
	a->umems[0] = (struct lvdpa_devx_virtq_umem){ 0x11, 0x1000, 0x10 };
	a->umems[1] = (struct lvdpa_devx_virtq_umem){ 0x22, 0x2000, 0x20 };
	a->umems[2] = (struct lvdpa_devx_virtq_umem){ 0x33, 0x3000, UINT64_C(0x300000000) };
	a->counter_set_id = 0x42;
	a->pd = 0x123456;
	a->tisn_or_qpn = 0x654321;
	a->doorbell_stride_idx = 0x7;
	a->queue_period_mode = LVDPA_PRM_VIRTQ_PERIOD_MODE_LAST_CQE;
	a->queue_period_us = 0xabc;
	a->queue_max_count = 0x1234;
	a->hw_available_index = 0x8001;
	a->hw_used_index = 0x8000;
	a->state = LVDPA_PRM_VIRTQ_STATE_RDY;
	a->dirty_bitmap_dump_enable = true;
	a->vhost_log_page = 0x0c;
	a->dirty_bitmap_mkey = 0xd1d1d1;
	a->dirty_bitmap_size = 0x8000;
	a->dirty_bitmap_addr = UINT64_C(0x0123456789abcdef);
}

static int
test_virtq_create(void)
{
	struct lvdpa_devx_virtq_attr a;
	struct lvdpa_devx_obj *vq;
	const uint8_t *in;

	cap_reset();
	full_virtq_attr(&a);
	put_be(cap_resp(0), 8, 4, 0x77);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_create(&cap_dev, &a, &vq), 0, "create");
	LVDPA_TEST_ASSERT(vq->id == 0x77 && vq->obj_type == 0xd, "obj id/type");
	in = cap.rec[0].in;
	LVDPA_TEST_ASSERT_EQ(cap.rec[0].inlen, 208, "inlen");
	LVDPA_TEST_ASSERT_EQ(cap.rec[0].outlen, 16, "outlen");
	LVDPA_TEST_ASSERT_EQ(be(in, 0, 2), 0xa00, "opcode");
	LVDPA_TEST_ASSERT_EQ(be(in, 6, 2), 0x000d, "obj_type");
	/* virtio_net_q at byte 0x10 */
	LVDPA_TEST_ASSERT(all_zero(in, 0x10, 0x20), "modify_field_select, reserved");
	/*
	 * queue_feature_bit_mask 12..3 = 0x262 (HOST_TSO4, GUEST_CSUM,
	 * GUEST_TSO4, HOST_ECN) in bits 0x80..0x89: byte 0x20
	 * and the top two bits of 0x21; bits 2..0 (MRG_RXBUF) at the bottom of 0x24.
	 */
	LVDPA_TEST_ASSERT_EQ(in[0x20], 0x98, "queue_feature_bit_mask_12_3 high");
	LVDPA_TEST_ASSERT_EQ(in[0x21], 0x80, "mask_12_3 low, no dirty dump at create");
	LVDPA_TEST_ASSERT_EQ(in[0x23], 0x00, "state INIT");
	LVDPA_TEST_ASSERT_EQ(in[0x24], 0x04, "queue_feature_bit_mask_2_0: MRG_RXBUF");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x25, 3), 0x654321, "tisn_or_qpn");
	LVDPA_TEST_ASSERT(all_zero(in, 0x28, 0x38), "no dirty bitmap at create");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x38, 2), 0x8001, "hw_available_index");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x3a, 2), 0x8000, "hw_used_index");
	/* virtio_q context at byte 0x50 */
	LVDPA_TEST_ASSERT_EQ(in[0x50], 1, "packed");
	LVDPA_TEST_ASSERT_EQ(in[0x51], 0x01, "event mode QP");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x52, 2), 3, "queue_index");
	LVDPA_TEST_ASSERT_EQ(in[0x54], 0x40 | 0x05, "version_1_0 + offload_type");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x55, 3), 0xabcdef, "event_qpn_or_msix");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x58, 2), 7, "doorbell_stride_idx");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x5a, 2), 256, "queue_size");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x60, 8), UINT64_C(0x1111222233334444), "desc");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x68, 8), UINT64_C(0x5555666677778888), "used");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x70, 8), UINT64_C(0x99990000aaaabbbb), "avail");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x78, 4), 0xcafe01, "virtio_q_mkey");
	LVDPA_TEST_ASSERT_EQ(in[0x7f], 0, "error_type");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x80, 4), 0x11, "umem_1_id");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x84, 4), 0x1000, "umem_1_size");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x88, 8), 0x10, "umem_1_offset");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x90, 4), 0x22, "umem_2_id");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x94, 4), 0x2000, "umem_2_size");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x98, 8), 0x20, "umem_2_offset");
	LVDPA_TEST_ASSERT_EQ(be(in, 0xa0, 4), 0x33, "umem_3_id");
	LVDPA_TEST_ASSERT_EQ(be(in, 0xa4, 4), 0x3000, "umem_3_size");
	LVDPA_TEST_ASSERT_EQ(be(in, 0xa8, 8), UINT64_C(0x300000000), "umem_3_offset");
	LVDPA_TEST_ASSERT_EQ(be(in, 0xb0, 4), 0x42, "counter_set_id");
	LVDPA_TEST_ASSERT_EQ(in[0xb4], 0, "reserved before pd");
	LVDPA_TEST_ASSERT_EQ(be(in, 0xb5, 3), 0x123456, "pd");
	/* period mode 2 in bits 2..3, period 0xabc in bits 4..15 */
	LVDPA_TEST_ASSERT_EQ(be(in, 0xb8, 2), (2u << 12) | 0xabc, "period mode/us");
	LVDPA_TEST_ASSERT_EQ(be(in, 0xba, 2), 0x1234, "queue_max_count");
	LVDPA_TEST_ASSERT(all_zero(in, 0xbc, 208), "tail");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_destroy(vq), 0, "destroy");

	/* out-of-range fields are refused before sending */
	cap_reset();
	a.queue_period_us = 0x1000;
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_create(&cap_dev, &a, &vq), -EINVAL, "period");
	a.queue_period_us = 0;
	a.event_qpn_or_msix = 0x1000000;
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_create(&cap_dev, &a, &vq), -EINVAL, "qpn");
	LVDPA_TEST_ASSERT_EQ(cap.nrec, 0, "nothing sent");
	LVDPA_TEST_ASSERT(vq == NULL, "no object");
	a.event_qpn_or_msix = 0;
	a.queue_features = 0x2000;
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_create(&cap_dev, &a, &vq), -EINVAL,
			     "queue_features bit 13");
	LVDPA_TEST_ASSERT_EQ(cap.nrec, 0, "nothing sent");

	/* MRG_RXBUF alone lands in _2_0. */
	cap_reset();
	full_virtq_attr(&a);
	a.queue_features = 1u << LVDPA_PRM_VIRTQ_QF_MRG_RXBUF;
	put_be(cap_resp(0), 8, 4, 0x78);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_create(&cap_dev, &a, &vq), 0, "create mrg");
	in = cap.rec[0].in;
	LVDPA_TEST_ASSERT(in[0x20] == 0 && in[0x21] == 0, "no mask_12_3 bit");
	LVDPA_TEST_ASSERT_EQ(in[0x24], 0x04, "MRG_RXBUF");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x25, 3), 0x654321, "tisn_or_qpn intact");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_destroy(vq), 0, "destroy");
	/* All 13 bits, and nothing outside the two fields. */
	cap_reset();
	memset(&a, 0, sizeof(a));
	a.queue_size = 2;
	a.queue_features = LVDPA_PRM_VIRTQ_QF_ALL;
	put_be(cap_resp(0), 8, 4, 0x79);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_create(&cap_dev, &a, &vq), 0, "create all");
	in = cap.rec[0].in;
	LVDPA_TEST_ASSERT(in[0x20] == 0xff && in[0x21] == 0xc0, "mask_12_3 all");
	LVDPA_TEST_ASSERT_EQ(in[0x24], 0x07, "mask_2_0 all");
	LVDPA_TEST_ASSERT(all_zero(in, 0x22, 0x24) && all_zero(in, 0x25, 0x50),
			  "neighbours untouched");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_destroy(vq), 0, "destroy");
	cap_reset();
	return 0;
}

/* Negotiated virtio net features -> queue_feature_bit_mask. */
static int
test_virtq_features(void)
{
	static const struct {
		unsigned int virtio;
		unsigned int qf;
	} m[] = {
		{ 0, 10 },  /* CSUM */
		{ 1, 9 },   /* GUEST_CSUM */
		{ 7, 8 },   /* GUEST_TSO4 */
		{ 8, 7 },   /* GUEST_TSO6 */
		{ 9, 6 },   /* GUEST_ECN */
		{ 11, 12 }, /* HOST_TSO4 */
		{ 12, 11 }, /* HOST_TSO6 */
		{ 13, 4 },  /* HOST_ECN */
		{ 15, 2 },  /* MRG_RXBUF */
	};
	uint64_t all = 0;
	unsigned int i;

	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_features(0), 0, "none");
	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_features(UINT64_C(1) << m[i].virtio),
				     1u << m[i].qf, "virtio bit %u", m[i].virtio);
		all |= UINT64_C(1) << m[i].virtio;
	}
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_features(all), 0x1fd4, "all mapped");
	/* Bits with no mask bit: MAC, GSO, HOST_UFO, STATUS, EVENT_IDX, VERSION_1 ... */
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_features(~all), 0, "the rest ignored");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_features(UINT64_C(1) << 15 | UINT64_C(1) << 32 |
						       UINT64_C(1) << 29 | UINT64_C(1) << 5),
			     1u << LVDPA_PRM_VIRTQ_QF_MRG_RXBUF, "legacy MAC|MRG_RXBUF");
	return 0;
}

/* Bytes each modify bit must touch (in the 208-byte mailbox) for full_virtq_attr. */
struct modify_case {
	uint64_t bit;
	unsigned int off;
	unsigned int len;
	uint64_t want;
};

static int
test_virtq_modify(void)
{
	static const struct modify_case mc[] = {
		{ LVDPA_PRM_VIRTQ_MODIFY_STATE, 0x23, 1, 0x01 },
		{ LVDPA_PRM_VIRTQ_MODIFY_DIRTY_BITMAP_PARAMS, 0x28, 4, 0xd1d1d1 },
		{ LVDPA_PRM_VIRTQ_MODIFY_DIRTY_BITMAP_PARAMS, 0x2c, 4, 0x8000 },
		{ LVDPA_PRM_VIRTQ_MODIFY_DIRTY_BITMAP_PARAMS, 0x30, 8, UINT64_C(0x0123456789abcdef) },
		{ LVDPA_PRM_VIRTQ_MODIFY_DIRTY_BITMAP_PARAMS, 0x21, 1, 0x0c },
		{ LVDPA_PRM_VIRTQ_MODIFY_DIRTY_BITMAP_DUMP_ENABLE, 0x21, 1, 0x20 },
		{ LVDPA_PRM_VIRTQ_MODIFY_QUEUE_PERIOD, 0xb8, 4, ((2u << 12 | 0xabc) << 16) | 0x1234 },
		{ LVDPA_PRM_VIRTQ_MODIFY_ADDR, 0x60, 8, UINT64_C(0x1111222233334444) },
		{ LVDPA_PRM_VIRTQ_MODIFY_ADDR, 0x68, 8, UINT64_C(0x5555666677778888) },
		{ LVDPA_PRM_VIRTQ_MODIFY_ADDR, 0x70, 8, UINT64_C(0x99990000aaaabbbb) },
		{ LVDPA_PRM_VIRTQ_MODIFY_HW_AVAILABLE_INDEX, 0x38, 2, 0x8001 },
		{ LVDPA_PRM_VIRTQ_MODIFY_HW_USED_INDEX, 0x3a, 2, 0x8000 },
		{ LVDPA_PRM_VIRTQ_MODIFY_Q_TYPE, 0x50, 1, 0x01 },
		{ LVDPA_PRM_VIRTQ_MODIFY_VERSION_1_0, 0x54, 1, 0x40 },
		{ LVDPA_PRM_VIRTQ_MODIFY_Q_MKEY, 0x78, 4, 0xcafe01 },
		{ LVDPA_PRM_VIRTQ_MODIFY_QUEUE_FEATURES, 0x20, 1, 0x98 },
		{ LVDPA_PRM_VIRTQ_MODIFY_QUEUE_FEATURES, 0x21, 1, 0x80 },
		{ LVDPA_PRM_VIRTQ_MODIFY_QUEUE_FEATURES, 0x24, 1, 0x04 },
		{ LVDPA_PRM_VIRTQ_MODIFY_EVENT_MODE, 0x51, 1, 0x01 },
		{ LVDPA_PRM_VIRTQ_MODIFY_EVENT_MODE, 0x55, 3, 0xabcdef },
	};
	struct lvdpa_devx_virtq_attr a;
	struct lvdpa_devx_obj *vq;
	const uint8_t *in;
	unsigned int i, j, k;
	const char *log;

	cap_reset();
	full_virtq_attr(&a);
	put_be(cap_resp(0), 8, 4, 0x99);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_create(&cap_dev, &a, &vq), 0, "create");
	for (i = 0; i < sizeof(mc) / sizeof(mc[0]); i++) {
		uint8_t ref[208];

		cap_clear();
		LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_modify(vq, &a, mc[i].bit), 0,
				     "modify 0x%" PRIx64, mc[i].bit);
		in = cap.rec[0].in;
		LVDPA_TEST_ASSERT_EQ(cap.rec[0].kind, R_MODIFY, "obj_modify");
		LVDPA_TEST_ASSERT(cap.rec[0].inlen == 208 && cap.rec[0].outlen == 16, "lengths");
		LVDPA_TEST_ASSERT_EQ(be(in, 0, 2), 0xa01, "MODIFY_GENERAL_OBJECT");
		LVDPA_TEST_ASSERT_EQ(be(in, 6, 2), 0xd, "obj_type");
		LVDPA_TEST_ASSERT_EQ(be(in, 8, 4), 0x99, "obj_id");
		LVDPA_TEST_ASSERT_EQ(be(in, 0x10, 8), mc[i].bit, "modify_field_select");
		LVDPA_TEST_ASSERT_EQ(be(in, 0x52, 2), 3, "queue_index always");
		LVDPA_TEST_ASSERT_EQ(be(in, mc[i].off, mc[i].len), mc[i].want,
				     "field of bit 0x%" PRIx64 " at 0x%x", mc[i].bit, mc[i].off);
		/* nothing else but header, select, index and this bit's fields */
		memset(ref, 0, sizeof(ref));
		memcpy(ref, in, 0x18);
		ref[0x52] = in[0x52];
		ref[0x53] = in[0x53];
		for (j = 0; j < sizeof(mc) / sizeof(mc[0]); j++)
			if (mc[j].bit == mc[i].bit)
				for (k = 0; k < mc[j].len; k++)
					ref[mc[j].off + k] = in[mc[j].off + k];
		LVDPA_TEST_ASSERT(memcmp(ref, in, sizeof(ref)) == 0,
				  "bit 0x%" PRIx64 " wrote other fields", mc[i].bit);
	}

	/* several at once */
	cap_clear();
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_modify(vq, &a, LVDPA_PRM_VIRTQ_MODIFY_STATE |
						     LVDPA_PRM_VIRTQ_MODIFY_ADDR), 0, "two bits");
	in = cap.rec[0].in;
	LVDPA_TEST_ASSERT_EQ(be(in, 0x10, 8), 0x41, "select");
	LVDPA_TEST_ASSERT_EQ(in[0x23], 1, "state");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x60, 8), UINT64_C(0x1111222233334444), "desc");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x78, 4), 0, "mkey not selected");

	/* refused before sending */
	cap_clear();
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_modify(vq, &a, 0), -EINVAL, "empty select");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_modify(vq, &a, 0x2), -EINVAL, "unknown bit");
	LVDPA_TEST_ASSERT_EQ(rte_errno, EINVAL, "rte_errno");
	a.queue_features = 0x8000;
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_modify(vq, &a, LVDPA_PRM_VIRTQ_MODIFY_QUEUE_FEATURES),
			     -EINVAL, "queue_features bit 15");
	LVDPA_TEST_ASSERT_EQ(cap.nrec, 0, "nothing sent");
	/* not selected: the mask is not looked at */
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_modify(vq, &a, LVDPA_PRM_VIRTQ_MODIFY_STATE), 0,
			     "mask not selected");
	LVDPA_TEST_ASSERT(cap.rec[0].in[0x24] == 0 && cap.rec[0].in[0x20] == 0, "mask not sent");
	full_virtq_attr(&a);

	/* the device refuses: wrong state */
	cap_clear();
	cap_resp_status(LVDPA_PRM_STATUS_BAD_RES_STATE_ERR, 0x0bad57a7);
	log_begin();
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_modify(vq, &a, LVDPA_PRM_VIRTQ_MODIFY_STATE),
			     -EBUSY, "bad state");
	log = log_end();
	LVDPA_TEST_ASSERT_EQ(rte_errno, EBUSY, "rte_errno EBUSY");
	LVDPA_TEST_ASSERT(strstr(log, "MODIFY_GENERAL_OBJECT") && strstr(log, "0xa01") &&
			  strstr(log, "obj_type 0xd") && strstr(log, "status 0x9") &&
			  strstr(log, "0x0bad57a7"), "log: %s", log);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_destroy(vq), 0, "destroy");
	LVDPA_TEST_ASSERT_EQ(cap.live_objs, 0, "released");
	cap_reset();
	return 0;
}

static int
test_virtq_query(void)
{
	struct lvdpa_devx_virtq_attr a, q;
	struct lvdpa_devx_obj *vq;
	uint8_t *o;

	cap_reset();
	full_virtq_attr(&a);
	put_be(cap_resp(0), 8, 4, 0x5);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_create(&cap_dev, &a, &vq), 0, "create");
	o = cap_resp(0);
	/* a query output as the device writes it */
	o[0x20] = 0x60;                          /* mask bits 11, 10: HOST_TSO6, CSUM */
	o[0x21] = 0x40 | 0x20 | 0x0c;            /* mask bit 3, dump enable, log page */
	o[0x23] = 0x03;                          /* state ERR */
	o[0x24] = 0x04;                          /* mask bit 2: MRG_RXBUF */
	put_be(o, 0x25, 3, 0x10203);             /* tisn_or_qpn */
	put_be(o, 0x28, 4, 0xaa);                /* dirty mkey */
	put_be(o, 0x2c, 4, 0xbb);                /* dirty size */
	put_be(o, 0x30, 8, 0xcc);                /* dirty addr */
	put_be(o, 0x38, 2, 0x1234);              /* hw_available_index */
	put_be(o, 0x3a, 2, 0x1230);              /* hw_used_index */
	o[0x50] = 0;                             /* split */
	o[0x51] = 0x02;                          /* msix */
	put_be(o, 0x52, 2, 9);
	o[0x54] = 0x80 | 0x40 | 0x3;             /* full_emulation, v1, offload 3 */
	put_be(o, 0x55, 3, 0x42);
	put_be(o, 0x5a, 2, 1024);
	put_be(o, 0x60, 8, 0x1000);
	put_be(o, 0x68, 8, 0x2000);
	put_be(o, 0x70, 8, 0x3000);
	put_be(o, 0x78, 4, 0x4242);
	o[0x7f] = 0x05;                          /* error_type */
	put_be(o, 0x90, 4, 0x22);
	put_be(o, 0x94, 4, 0x2222);
	put_be(o, 0x98, 8, 0x222222);
	put_be(o, 0xb0, 4, 0x77);
	put_be(o, 0xb5, 3, 0x99);
	put_be(o, 0xb8, 2, (1u << 12) | 0x10);
	put_be(o, 0xba, 2, 16);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_query(vq, &q), 0, "query");
	LVDPA_TEST_ASSERT_EQ(cap.rec[1].kind, R_QUERY, "obj_query");
	LVDPA_TEST_ASSERT_EQ(be(cap.rec[1].in, 0, 2), 0xa02, "QUERY_GENERAL_OBJECT");
	LVDPA_TEST_ASSERT_EQ(be(cap.rec[1].in, 6, 2), 0xd, "obj_type");
	LVDPA_TEST_ASSERT_EQ(be(cap.rec[1].in, 8, 4), 0x5, "obj_id");
	LVDPA_TEST_ASSERT(cap.rec[1].inlen == 16 && cap.rec[1].outlen == 208, "lengths");
	LVDPA_TEST_ASSERT_EQ(q.queue_features, (1u << LVDPA_PRM_VIRTQ_QF_HOST_TSO6) |
			     (1u << LVDPA_PRM_VIRTQ_QF_CSUM) | (1u << 3) |
			     (1u << LVDPA_PRM_VIRTQ_QF_MRG_RXBUF), "queue_features");
	LVDPA_TEST_ASSERT(q.dirty_bitmap_dump_enable && q.vhost_log_page == 0x0c, "dirty flags");
	LVDPA_TEST_ASSERT_EQ(q.state, LVDPA_PRM_VIRTQ_STATE_ERR, "state");
	LVDPA_TEST_ASSERT_EQ(q.error_type, 5, "error_type");
	LVDPA_TEST_ASSERT_EQ(q.tisn_or_qpn, 0x10203, "tisn");
	LVDPA_TEST_ASSERT(q.dirty_bitmap_mkey == 0xaa && q.dirty_bitmap_size == 0xbb &&
			  q.dirty_bitmap_addr == 0xcc, "dirty bitmap");
	LVDPA_TEST_ASSERT_EQ(q.hw_available_index, 0x1234, "hw avail");
	LVDPA_TEST_ASSERT_EQ(q.hw_used_index, 0x1230, "hw used");
	LVDPA_TEST_ASSERT_EQ(q.virtio_q_type, 0, "split");
	LVDPA_TEST_ASSERT_EQ(q.event_mode, 2, "msix");
	LVDPA_TEST_ASSERT_EQ(q.queue_index, 9, "index");
	LVDPA_TEST_ASSERT(q.virtio_version_1_0 && q.offload_type == 3, "v1, offload");
	LVDPA_TEST_ASSERT_EQ(q.event_qpn_or_msix, 0x42, "msix vector");
	LVDPA_TEST_ASSERT_EQ(q.queue_size, 1024, "size");
	LVDPA_TEST_ASSERT(q.desc_addr == 0x1000 && q.used_addr == 0x2000 &&
			  q.available_addr == 0x3000, "addrs");
	LVDPA_TEST_ASSERT_EQ(q.mkey, 0x4242, "mkey");
	LVDPA_TEST_ASSERT(q.umems[0].id == 0 && q.umems[1].id == 0x22 &&
			  q.umems[1].size == 0x2222 && q.umems[1].offset == 0x222222, "umems");
	LVDPA_TEST_ASSERT_EQ(q.counter_set_id, 0x77, "counters");
	LVDPA_TEST_ASSERT_EQ(q.pd, 0x99, "pd");
	LVDPA_TEST_ASSERT(q.queue_period_mode == 1 && q.queue_period_us == 0x10 &&
			  q.queue_max_count == 16, "moderation");

	cap_resp_status(LVDPA_PRM_STATUS_BAD_RES_ERR, 0);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_query(vq, &q), -EINVAL, "refused");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_virtq_destroy(vq), 0, "destroy");
	cap_reset();
	return 0;
}

/* ------------------------------------------------------------------ */
/* CQ and QPs */

static int
test_cq_create(void)
{
	struct lvdpa_devx_cq_attr a = {
		.log_cq_size = 8, .uar_page = 0x321, .eqn = 0x12,
		.cqe_sz = LVDPA_PRM_CQE_SZ_64, .use_first_only = true,
		.overrun_ignore = true, .log_page_size = 12,
		.umem_id = 0x44, .umem_offset = 0x1000,
		.dbr_umem_id = 0x45, .dbr_umem_offset = 0x40,
	};
	struct lvdpa_devx_obj *cq;
	const uint8_t *in;

	cap_reset();
	put_be(cap_resp(0), 9, 3, 0x4e);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_cq_create(&cap_dev, &a, &cq), 0, "create");
	LVDPA_TEST_ASSERT_EQ(cq->id, 0x4e, "cqn");
	in = cap.rec[0].in;
	LVDPA_TEST_ASSERT_EQ(cap.rec[0].inlen, 272, "inlen");
	LVDPA_TEST_ASSERT_EQ(be(in, 0, 2), 0x400, "CREATE_CQ");
	LVDPA_TEST_ASSERT_EQ(in[0x10], 0x02, "dbr_umem_valid");
	LVDPA_TEST_ASSERT_EQ(in[0x11], 0x10 | 0x02, "cqe_sz 64, cc, oi");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x14, 4), 0x45, "dbr_umem_id");
	LVDPA_TEST_ASSERT_EQ(in[0x1c], 8, "log_cq_size");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x1d, 3), 0x321, "uar_page");
	LVDPA_TEST_ASSERT_EQ(in[0x27], 0x12, "c_eqn");
	LVDPA_TEST_ASSERT_EQ(in[0x28], 0, "log_page_size (4 KiB units)");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x48, 8), 0x40, "dbr_addr = umem offset");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x50, 8), 0x1000, "cq_umem_offset");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x58, 4), 0x44, "cq_umem_id");
	LVDPA_TEST_ASSERT_EQ(in[0x5c], 0x80, "cq_umem_valid");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_cq_destroy(cq), 0, "destroy");

	cap_reset();
	a.cqe_sz = LVDPA_PRM_CQE_SZ_128;
	a.use_first_only = false;
	a.overrun_ignore = false;
	a.log_page_size = 16;
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_cq_create(&cap_dev, &a, &cq), 0, "create 128");
	in = cap.rec[0].in;
	LVDPA_TEST_ASSERT_EQ(in[0x11], 0x20, "cqe_sz 128");
	LVDPA_TEST_ASSERT_EQ(in[0x28], 4, "64 KiB pages");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_cq_destroy(cq), 0, "destroy 2");
	a.eqn = 0x100;
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_cq_create(&cap_dev, &a, &cq), -EINVAL, "eqn range");
	cap_reset();
	return 0;
}

static int
test_qp_create(void)
{
	struct lvdpa_devx_qp_attr fw = { .pd = 0x31, .fw_managed = true, .ts_format = 1 };
	struct lvdpa_devx_qp_attr sw = {
		.pd = 0x31, .uar_page = 0x321, .cqn = 0x4e, .log_rq_size = 4,
		.log_rq_stride = 5, .ts_format = 1, .user_index = 0x9,
		.wq_umem_id = 0x61, .wq_umem_offset = 0x2000,
		.dbr_umem_id = 0x62, .dbr_umem_offset = 0x80,
	};
	struct lvdpa_devx_obj *qp;
	const uint8_t *in;

	cap_reset();
	put_be(cap_resp(0), 9, 3, 0x1a2);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_qp_create(&cap_dev, &fw, &qp), 0, "fw qp");
	LVDPA_TEST_ASSERT_EQ(qp->id, 0x1a2, "qpn");
	in = cap.rec[0].in;
	LVDPA_TEST_ASSERT_EQ(cap.rec[0].inlen, 272, "inlen");
	LVDPA_TEST_ASSERT_EQ(be(in, 0, 2), 0x500, "CREATE_QP");
	LVDPA_TEST_ASSERT_EQ(in[0x19], 0x00, "st RC");
	LVDPA_TEST_ASSERT_EQ(in[0x1a], 0x00, "no pm_state");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x1d, 3), 0x31, "pd");
	LVDPA_TEST_ASSERT_EQ(in[0x22], 0x80, "no_sq");
	LVDPA_TEST_ASSERT_EQ(in[0x23], 0x40, "ts_format 1");
	LVDPA_TEST_ASSERT_EQ(in[0xc4], 0x03, "zero-length RQ");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x25, 3), 0, "no uar");
	LVDPA_TEST_ASSERT_EQ(in[0x10c], 0, "no wq umem");
	LVDPA_TEST_ASSERT_EQ(in[0xe8], 0, "no dbr umem");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_qp_destroy(qp), 0, "destroy fw");

	cap_reset();
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_qp_create(&cap_dev, &sw, &qp), 0, "sw qp");
	in = cap.rec[0].in;
	LVDPA_TEST_ASSERT_EQ(in[0x1a], 0x18, "pm_state migrated");
	LVDPA_TEST_ASSERT_EQ(in[0x21], (4 << 3) | 1, "log_rq_size 4, stride 32 B");
	LVDPA_TEST_ASSERT_EQ(in[0x22], 0x80, "no_sq");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x25, 3), 0x321, "uar_page");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x29, 3), 0x9, "user_index");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x95, 3), 0, "no cqn_snd");
	LVDPA_TEST_ASSERT_EQ(be(in, 0xb5, 3), 0x4e, "cqn_rcv");
	LVDPA_TEST_ASSERT_EQ(be(in, 0xb8, 8), 0x80, "dbr_addr");
	LVDPA_TEST_ASSERT_EQ(in[0xc4], 0x00, "regular RQ");
	LVDPA_TEST_ASSERT_EQ(in[0xe8], 0x10, "dbr_umem_valid");
	LVDPA_TEST_ASSERT_EQ(be(in, 0xfc, 4), 0x62, "dbr_umem_id");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x100, 8), 0x2000, "wq_umem_offset");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x108, 4), 0x61, "wq_umem_id");
	LVDPA_TEST_ASSERT_EQ(in[0x10c], 0x80, "wq_umem_valid");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_qp_destroy(qp), 0, "destroy sw");

	cap_reset();
	sw.log_sq_size = 3;
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_qp_create(&cap_dev, &sw, &qp), 0, "with sq");
	in = cap.rec[0].in;
	LVDPA_TEST_ASSERT_EQ(in[0x22], 3 << 3, "log_sq_size 3, sq present");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x95, 3), 0x4e, "cqn_snd");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_qp_destroy(qp), 0, "destroy sq");
	sw.log_rq_stride = 3;
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_qp_create(&cap_dev, &sw, &qp), -EINVAL, "stride < 16");
	cap_reset();
	return 0;
}

static int
test_qp_modify(void)
{
	struct lvdpa_devx_qp_attr fw = { .pd = 1, .fw_managed = true };
	struct lvdpa_devx_obj *qp;
	const uint8_t *in;

	cap_reset();
	put_be(cap_resp(0), 9, 3, 0x1a2);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_qp_create(&cap_dev, &fw, &qp), 0, "create");

	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_qp_modify(qp, LVDPA_PRM_OP_RST2INIT_QP, 0x1b3), 0, "rst2init");
	in = cap.rec[1].in;
	LVDPA_TEST_ASSERT_EQ(cap.rec[1].kind, R_MODIFY, "obj_modify");
	LVDPA_TEST_ASSERT(cap.rec[1].inlen == 272 && cap.rec[1].outlen == 16, "lengths");
	LVDPA_TEST_ASSERT_EQ(be(in, 0, 2), 0x502, "RST2INIT_QP");
	LVDPA_TEST_ASSERT_EQ(be(in, 9, 3), 0x1a2, "qpn");
	LVDPA_TEST_ASSERT_EQ(in[0x1a], 0x18, "pm_state");
	LVDPA_TEST_ASSERT_EQ(in[0x55], 1, "vhca_port_num");
	LVDPA_TEST_ASSERT_EQ(in[0xaa], 0xc0, "rre rwe");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x2d, 3), 0, "no remote qpn yet");

	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_qp_modify(qp, LVDPA_PRM_OP_INIT2RTR_QP, 0x1b3), 0, "init2rtr");
	in = cap.rec[2].in;
	LVDPA_TEST_ASSERT_EQ(be(in, 0, 2), 0x503, "INIT2RTR_QP");
	LVDPA_TEST_ASSERT_EQ(in[0x20], (1 << 5) | 30, "mtu 256, log_msg_max 30");
	LVDPA_TEST_ASSERT_EQ(be(in, 0x2d, 3), 0x1b3, "remote_qpn");
	LVDPA_TEST_ASSERT_EQ(in[0x30], 0x80, "force loopback");
	LVDPA_TEST_ASSERT_EQ(in[0x55], 1, "vhca_port_num");

	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_qp_modify(qp, LVDPA_PRM_OP_RTR2RTS_QP, 0x1b3), 0, "rtr2rts");
	in = cap.rec[3].in;
	LVDPA_TEST_ASSERT_EQ(be(in, 0, 2), 0x504, "RTR2RTS_QP");
	LVDPA_TEST_ASSERT_EQ(in[0x38], 16 << 3, "ack_timeout");
	LVDPA_TEST_ASSERT_EQ(in[0x89], 0x07, "retry_count");
	LVDPA_TEST_ASSERT_EQ(in[0x8a], 0xe0, "rnr_retry");
	LVDPA_TEST_ASSERT_EQ(in[0x88] & 0xf0, 0, "log_ack_req_freq 0");

	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_qp_modify(qp, LVDPA_PRM_OP_2RST_QP, 0), 0, "2rst");
	LVDPA_TEST_ASSERT_EQ(cap.rec[4].inlen, 16, "2rst inlen");
	LVDPA_TEST_ASSERT_EQ(be(cap.rec[4].in, 0, 2), 0x50a, "2RST_QP");
	LVDPA_TEST_ASSERT_EQ(be(cap.rec[4].in, 9, 3), 0x1a2, "qpn");

	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_qp_modify(qp, 0x505, 0), -EINVAL, "unknown op");
	LVDPA_TEST_ASSERT_EQ(cap.nrec, 5, "not sent");
	cap_resp_status(LVDPA_PRM_STATUS_BAD_QP_STATE_ERR, 0x77);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_qp_modify(qp, LVDPA_PRM_OP_RTR2RTS_QP, 0), -EINVAL,
			     "bad qp state");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_qp_destroy(qp), 0, "destroy");
	cap_reset();
	return 0;
}

/* ------------------------------------------------------------------ */
/* Doorbells, events, destroy */

static int
test_doorbell(void)
{
	struct lvdpa_devx_caps caps;
	struct lvdpa_tp_db *db;

	cap_reset();
	memset(&caps, 0, sizeof(caps));
	caps.doorbell_bar_offset = UINT64_C(0x100000000804);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_db_alloc(&cap_dev, &db), 0, "alloc");
	LVDPA_TEST_ASSERT_EQ(db->page_id, 7, "page id");
	lvdpa_devx_virtq_notify(db, &caps, 5);
	lvdpa_devx_db_write(db, 0x10, 0xdead);
	LVDPA_TEST_ASSERT_EQ(cap.rec[1].kind, R_DB_WRITE, "write");
	LVDPA_TEST_ASSERT(cap.rec[1].a == 0x804 && cap.rec[1].b == 5, "kick: index at offset");
	LVDPA_TEST_ASSERT(cap.rec[2].a == 0x10 && cap.rec[2].b == 0xdead, "raw write");
	lvdpa_devx_db_free(db);
	LVDPA_TEST_ASSERT_EQ(cap.rec[3].kind, R_DB_FREE, "freed");
	lvdpa_devx_db_free(NULL);
	cap_reset();
	return 0;
}

static int
test_events(void)
{
	static const uint16_t types[] = { LVDPA_PRM_EVENT_TYPE_COMPLETION };
	struct lvdpa_tp_evchan *ch;
	struct lvdpa_devx_event ev;
	struct lvdpa_devx_obj *cq;
	struct lvdpa_devx_cq_attr ca = { .log_cq_size = 1 };
	uint8_t eqe[64];

	cap_reset();
	put_be(cap_resp(0), 9, 3, 0x4e);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_cq_create(&cap_dev, &ca, &cq), 0, "cq");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_evchan_create(&cap_dev, &ch), 0, "channel");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_evchan_fd(ch), 42, "fd");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_evchan_subscribe(ch, cq, types, 1, 0xc00c1e), 0, "sub");
	LVDPA_TEST_ASSERT(cap.rec[2].kind == R_EV_SUB && cap.rec[2].a == 1 &&
			  cap.rec[2].b == 0 && cap.rec[2].cookie == 0xc00c1e &&
			  cap.rec[2].obj_id == 0x100, "subscription");

	/* completion EQE: cqn in the low 24 bits of byte 56..59 */
	memset(eqe, 0, sizeof(eqe));
	eqe[1] = 0x00;
	put_be(eqe, 56, 4, 0x4e);
	cap.ev[0].cookie = 0xc00c1e;
	cap.ev[0].type = 0x00;
	memcpy(cap.ev[0].data, eqe + 4, 60);
	/* object change EQE: obj_type at 34, obj_id at 36 */
	memset(eqe, 0, sizeof(eqe));
	eqe[3] = 0x01;
	put_be(eqe, 34, 2, 0xd);
	put_be(eqe, 36, 4, 0x77);
	cap.ev[1].cookie = 3;
	cap.ev[1].type = 0x27;
	memcpy(cap.ev[1].data, eqe + 4, 60);
	cap.nev = 2;

	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_evchan_read(ch, &ev), 1, "first");
	LVDPA_TEST_ASSERT(ev.cookie == 0xc00c1e && ev.type == 0 && ev.cqn == 0x4e, "completion");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_evchan_read(ch, &ev), 1, "second");
	LVDPA_TEST_ASSERT(ev.cookie == 3 && ev.type == 0x27 && ev.obj_type == 0xd &&
			  ev.obj_id == 0x77, "object change");
	LVDPA_TEST_ASSERT_EQ(ev.sub_type, 0, "sub_type is not carried by transports");
	LVDPA_TEST_ASSERT(ev.eqe[1] == 0x27 && ev.eqe[39] == 0x77, "eqe rebuilt");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_evchan_read(ch, &ev), 0, "none left");
	cap.ev_rc = -EIO;
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_evchan_read(ch, &ev), -EIO, "read error");
	LVDPA_TEST_ASSERT_EQ(rte_errno, EIO, "rte_errno");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_evchan_subscribe(ch, cq, types, 0, 1), -EINVAL, "no types");
	lvdpa_devx_evchan_destroy(ch);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_cq_destroy(cq), 0, "destroy cq");
	cap_reset();
	return 0;
}

static int
test_cq_arm_and_uar(void)
{
	struct lvdpa_tp_db *uar;
	uint32_t dbrec[2] = { 0, 0 };
	uint32_t eqn = 99;
	const uint8_t *rb = (const uint8_t *)dbrec;

	cap_reset();
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_uar_alloc(&cap_dev, &uar), 0, "uar");
	LVDPA_TEST_ASSERT_EQ(uar->page_id, 0x321, "page id");
	/* arm_sn 5 -> 1 (2 bits), ci 0x1000002 -> 0x000002 (24 bits) */
	lvdpa_devx_cq_arm(uar, dbrec, 0x4e, 5, 0x1000002);
	LVDPA_TEST_ASSERT(rb[4] == 0x10 && rb[5] == 0x00 && rb[6] == 0x00 && rb[7] == 0x02,
			  "arm word big-endian in dword 1: %02x %02x %02x %02x",
			  rb[4], rb[5], rb[6], rb[7]);
	LVDPA_TEST_ASSERT_EQ(dbrec[0], 0, "consumer index dword untouched");
	LVDPA_TEST_ASSERT_EQ(cap.rec[1].kind, R_UAR_WRITE, "doorbell rung");
	LVDPA_TEST_ASSERT_EQ(cap.rec[1].a, 0x20, "at the CQ doorbell offset");
	LVDPA_TEST_ASSERT_EQ(cap.rec[1].v64, UINT64_C(0x100000020000004e), "arm word << 32 | cqn");
	lvdpa_devx_cq_arm(NULL, dbrec, 0x4e, 2, 7);
	LVDPA_TEST_ASSERT(rb[4] == 0x20 && rb[7] == 0x07, "record only");
	LVDPA_TEST_ASSERT_EQ(cap.nrec, 2, "no UAR write without a UAR");
	lvdpa_devx_uar_free(uar);
	LVDPA_TEST_ASSERT_EQ(cap.rec[2].kind, R_UAR_FREE, "uar freed");

	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_query_eqn(&cap_dev, 3, &eqn), 0, "eqn");
	LVDPA_TEST_ASSERT_EQ(eqn, 0x23, "eqn of vector 3");

	/* without the optional operations: the doorbell page serves */
	cap_reset();
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_uar_alloc(&cap_min_dev, &uar), 0, "db page as uar");
	LVDPA_TEST_ASSERT_EQ(cap.rec[0].kind, R_DB_ALLOC, "through db_alloc");
	lvdpa_devx_cq_arm(uar, dbrec, 0x4e, 1, 3);
	LVDPA_TEST_ASSERT(cap.rec[1].kind == R_DB_WRITE && cap.rec[1].a == 0x20 &&
			  cap.rec[1].b == 0x10000003, "arm word at 0x20");
	LVDPA_TEST_ASSERT(cap.rec[2].kind == R_DB_WRITE && cap.rec[2].a == 0x24 &&
			  cap.rec[2].b == 0x4e, "then cqn at 0x24");
	lvdpa_devx_uar_free(uar);
	LVDPA_TEST_ASSERT_EQ(cap.rec[3].kind, R_DB_FREE, "through db_free");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_uar_alloc(&cap_bare_dev, &uar), -ENOTSUP, "no doorbells");
	LVDPA_TEST_ASSERT(uar == NULL, "no uar");
	eqn = 99;
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_query_eqn(&cap_min_dev, 0, &eqn), 0, "implicit eq");
	LVDPA_TEST_ASSERT_EQ(eqn, 0, "eq 0");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_evchan_read(NULL, NULL), -EINVAL, "NULL channel");
	cap_reset();
	return 0;
}

static int
test_cqe_decode(void)
{
	uint8_t cqe[64];
	struct lvdpa_devx_cqe c;

	memset(cqe, 0, sizeof(cqe));
	put_be(cqe, 44, 4, 1500);          /* byte_cnt */
	put_be(cqe, 56, 4, 0xff0001a2);    /* sop_drop_qpn: qpn in the low 24 bits */
	put_be(cqe, 60, 2, 0xfffe);        /* wqe_counter */
	cqe[63] = 0x21;                    /* opcode RESP_SEND, owner 1 */
	lvdpa_devx_cqe_decode(cqe, &c);
	LVDPA_TEST_ASSERT(c.byte_cnt == 1500 && c.qpn == 0x1a2 && c.wqe_counter == 0xfffe &&
			  c.opcode == LVDPA_PRM_CQE_OPCODE_RESP_SEND && c.owner == 1, "cqe");
	cqe[63] = 0xf0;
	lvdpa_devx_cqe_decode(cqe, &c);
	LVDPA_TEST_ASSERT(c.opcode == LVDPA_PRM_CQE_OPCODE_INVALID && c.owner == 0, "invalid");
	return 0;
}

static int
test_destroy_and_transport_errors(void)
{
	struct lvdpa_devx_obj *pd;
	const char *log;

	/* destroy failing: error returned and logged, handle released */
	cap_reset();
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_pd_alloc(&cap_dev, &pd), 0, "alloc");
	cap.destroy_rc = -EBUSY;
	log_begin();
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_pd_free(pd), -EBUSY, "destroy error");
	log = log_end();
	LVDPA_TEST_ASSERT(strstr(log, "ALLOC_PD") != NULL, "log names the object: %s", log);
	LVDPA_TEST_ASSERT_EQ(cap.live_objs, 0, "transport object gone");

	/* transport error on create */
	cap_reset();
	cap_resp(-ENOMEM);
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_pd_alloc(&cap_dev, &pd), -ENOMEM, "transport error");
	LVDPA_TEST_ASSERT(pd == NULL, "no pd");
	LVDPA_TEST_ASSERT_EQ(rte_errno, ENOMEM, "rte_errno");
	LVDPA_TEST_ASSERT_EQ(lvdpa_devx_obj_destroy(NULL), 0, "destroy NULL");
	cap_reset();
	return 0;
}

/* ------------------------------------------------------------------ */
/* Transports */

static int
test_transport_registry(void)
{
	struct lvdpa_tp_dev *dev;

	lvdpa_transport_register(&cap_ops);
	LVDPA_TEST_ASSERT(lvdpa_transport_find("lvdpa-test-capture") == &cap_ops, "found");
	rte_errno = 0;
	LVDPA_TEST_ASSERT(lvdpa_transport_find("lvdpa-no-such-transport") == NULL, "unknown");
	LVDPA_TEST_ASSERT_EQ(rte_errno, ENOENT, "ENOENT");
	LVDPA_TEST_ASSERT(lvdpa_transport_find(NULL) == NULL, "NULL name");
	/* registering the same name again keeps one entry */
	lvdpa_transport_register(&cap_ops);
	LVDPA_TEST_ASSERT(lvdpa_transport_find("lvdpa-test-capture") == &cap_ops, "still found");
	/* the model is not linked into this program */
	LVDPA_TEST_ASSERT_EQ(lvdpa_transport_open("model", NULL, &dev), -ENODEV, "no model");
	LVDPA_TEST_ASSERT(dev == NULL, "no device");
	LVDPA_TEST_ASSERT_EQ(lvdpa_transport_open(NULL, NULL, &dev), -EINVAL, "NULL device");
	/* close goes to the transport; NULL is a no-op */
	cap_reset();
	LVDPA_TEST_ASSERT_EQ(cap_ops.open("x", NULL, &dev), 0, "open capture");
	lvdpa_transport_close(dev);
	LVDPA_TEST_ASSERT(cap.nrec == 1 && cap.rec[0].kind == R_CLOSE, "closed");
	lvdpa_transport_close(NULL);
	cap_reset();
	return 0;
}

static int
test_rdma_open_missing_device(void)
{
	static const char name[] = "lvdpa_no_such_mlx5_dev9";
	struct lvdpa_tp_dev *dev = (void *)&name;
	const char *log;
	int rc;

	/* Debian 12 has rdma-core's mlx5dv: the transport is always built here. */
	LVDPA_TEST_ASSERT(lvdpa_transport_find("rdma") != NULL, "rdma transport built");
	log_begin();
	rte_errno = 0;
	rc = lvdpa_transport_open(name, NULL, &dev);
	log = log_end();
	LVDPA_TEST_ASSERT_EQ(rc, -ENODEV, "open fails with ENODEV");
	LVDPA_TEST_ASSERT_EQ(rte_errno, ENODEV, "rte_errno");
	LVDPA_TEST_ASSERT(dev == NULL, "no device");
	LVDPA_TEST_ASSERT(strstr(log, name) != NULL, "log names the device: %s", log);
	LVDPA_TEST_ASSERT(strstr(log, "found") != NULL || strstr(log, "listed") != NULL,
			  "log says what was found: %s", log);
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_accessor_width1),
	LVDPA_TEST_CASE(test_accessor_cross_dword),
	LVDPA_TEST_CASE(test_accessor_truncation),
	LVDPA_TEST_CASE(test_caps_query),
	LVDPA_TEST_CASE(test_caps_refusals),
	LVDPA_TEST_CASE(test_pd),
	LVDPA_TEST_CASE(test_errno_table),
	LVDPA_TEST_CASE(test_umem),
	LVDPA_TEST_CASE(test_mkey_direct),
	LVDPA_TEST_CASE(test_mkey_indirect),
	LVDPA_TEST_CASE(test_counters),
	LVDPA_TEST_CASE(test_virtq_create),
	LVDPA_TEST_CASE(test_virtq_features),
	LVDPA_TEST_CASE(test_virtq_modify),
	LVDPA_TEST_CASE(test_virtq_query),
	LVDPA_TEST_CASE(test_cq_create),
	LVDPA_TEST_CASE(test_qp_create),
	LVDPA_TEST_CASE(test_qp_modify),
	LVDPA_TEST_CASE(test_doorbell),
	LVDPA_TEST_CASE(test_cq_arm_and_uar),
	LVDPA_TEST_CASE(test_cqe_decode),
	LVDPA_TEST_CASE(test_events),
	LVDPA_TEST_CASE(test_destroy_and_transport_errors),
	LVDPA_TEST_CASE(test_transport_registry),
	LVDPA_TEST_CASE(test_rdma_open_missing_device),
)
