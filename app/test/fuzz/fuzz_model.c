/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Fuzz target: the device model's command handling, through the public
 * transport seam only (lvdpa_transport_open("model") and the ops of the
 * device it returns), with any mailbox the driver could send: general
 * commands, object create/modify/query/destroy on random objects, umems,
 * doorbells, guest writes into umems and event channel reads, in any
 * order. Input format: fuzz_model.h.
 *
 * Each mailbox is passed in a heap buffer of exactly its length, and the
 * output buffer too, so ASan sees any read or write beyond them.
 * Invariants: no crash; transport calls return 0 or a negative errno; a
 * command answered (0) carries a PRM status the PRM defines; an object is
 * created exactly when the status is OK; closing the device frees
 * everything (LeakSanitizer checks after every input).
 */

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_log.h>

#include "lvdpa_prm.h"
#include "lvdpa_transport.h"
#include "fuzz_model.h"

#define LVDPA_FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_model: invariant failed: %s (line %d)\n", \
			#cond, __LINE__); \
		abort(); \
	} \
} while (0)

struct lvdpa_fuzz_umem {
	struct lvdpa_tp_umem *umem;
	uint8_t *buf;
	size_t len;
};

static bool
lvdpa_fuzz_status_ok(uint8_t st)
{
	switch (st) {
	case LVDPA_PRM_STATUS_OK:
	case LVDPA_PRM_STATUS_INT_ERR:
	case LVDPA_PRM_STATUS_BAD_OP_ERR:
	case LVDPA_PRM_STATUS_BAD_PARAM_ERR:
	case LVDPA_PRM_STATUS_BAD_SYS_STATE_ERR:
	case LVDPA_PRM_STATUS_BAD_RES_ERR:
	case LVDPA_PRM_STATUS_RES_BUSY:
	case LVDPA_PRM_STATUS_NOT_READY:
	case LVDPA_PRM_STATUS_LIM_ERR:
	case LVDPA_PRM_STATUS_BAD_RES_STATE_ERR:
	case LVDPA_PRM_STATUS_IX_ERR:
	case LVDPA_PRM_STATUS_NO_RES_ERR:
	case LVDPA_PRM_STATUS_BAD_QP_STATE_ERR:
	case LVDPA_PRM_STATUS_BAD_PKT_ERR:
	case LVDPA_PRM_STATUS_BAD_SIZE_OUTS_CQES_ERR:
	case LVDPA_PRM_STATUS_BAD_INP_LEN_ERR:
	case LVDPA_PRM_STATUS_BAD_OUTP_LEN_ERR:
		return true;
	default:
		return false;
	}
}

/* The transport's answer: an errno, or an output with a valid status. */
static uint8_t
lvdpa_fuzz_answer(int ret, const uint8_t *out, size_t outlen)
{
	LVDPA_FUZZ_CHECK(ret <= 0 && ret > -4096);
	if (ret != 0 || outlen == 0)
		return 0xff;
	LVDPA_FUZZ_CHECK(lvdpa_fuzz_status_ok(out[0]));
	return out[0];
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* Refused commands and broken queues are the point: keep logs quiet. */
	if (getenv("LVDPA_FUZZ_LOG") == NULL)
		rte_log_set_global_level(RTE_LOG_EMERG);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct lvdpa_tp_obj *objs[LVDPA_FUZZ_MODEL_SLOTS];
	struct lvdpa_fuzz_umem umems[LVDPA_FUZZ_MODEL_UMEMS];
	struct lvdpa_tp_dev *dev = NULL;
	const struct lvdpa_transport_ops *ops;
	struct lvdpa_tp_db *db = NULL;
	struct lvdpa_tp_evchan *ch = NULL;
	unsigned int i;
	int ret;

	if (size < 1)
		return 0;
	memset(objs, 0, sizeof(objs));
	memset(umems, 0, sizeof(umems));
	ret = lvdpa_transport_open("model",
		lvdpa_fuzz_model_params[data[0] % LVDPA_FUZZ_MODEL_NPARAMS], &dev);
	LVDPA_FUZZ_CHECK(ret == 0 && dev != NULL);
	ops = dev->ops;
	if (ops->db_alloc != NULL && ops->db_alloc(dev, &db) != 0)
		db = NULL;
	if (ops->evchan_create != NULL && ops->evchan_create(dev, &ch) != 0)
		ch = NULL;
	p++;

	while (end - p >= LVDPA_FUZZ_MODEL_FRAME) {
		uint8_t op = p[0] % LVDPA_FUZZ_MODEL_OPS, sel = p[1];
		uint16_t a = (uint16_t)(p[2] | p[3] << 8);
		uint16_t b = (uint16_t)(p[4] | p[5] << 8);
		struct lvdpa_tp_obj *obj = objs[sel % LVDPA_FUZZ_MODEL_SLOTS];
		uint8_t *in = NULL, *out = NULL;
		size_t inlen = 0;

		p += LVDPA_FUZZ_MODEL_FRAME;
		if (op <= LVDPA_FUZZ_MODEL_QUERY || op == LVDPA_FUZZ_MODEL_WRITE) {
			inlen = RTE_MIN((size_t)a, (size_t)(end - p));
			/* Exact sizes (malloc(0) too): ASan sees any overrun. */
			in = malloc(inlen);
			LVDPA_FUZZ_CHECK(in != NULL || inlen == 0);
			memcpy(in, p, inlen);
			p += inlen;
		}
		if (op <= LVDPA_FUZZ_MODEL_QUERY) {
			out = malloc(b);
			LVDPA_FUZZ_CHECK(out != NULL || b == 0);
			memset(out, 0xee, b);
		}
		switch (op) {
		case LVDPA_FUZZ_MODEL_CMD:
			ret = ops->general_cmd(dev, in, inlen, out, b);
			lvdpa_fuzz_answer(ret, out, b);
			break;
		case LVDPA_FUZZ_MODEL_CREATE: {
			struct lvdpa_tp_obj *o = NULL;
			uint8_t st;

			ret = ops->obj_create(dev, in, inlen, out, b, &o);
			st = lvdpa_fuzz_answer(ret, out, b);
			LVDPA_FUZZ_CHECK((o != NULL) == (ret == 0 &&
						st == LVDPA_PRM_STATUS_OK));
			if (o == NULL)
				break;
			LVDPA_FUZZ_CHECK(o->dev == dev);
			for (i = 0; i < LVDPA_FUZZ_MODEL_SLOTS; i++)
				if (objs[i] == NULL) {
					objs[i] = o;
					break;
				}
			if (i == LVDPA_FUZZ_MODEL_SLOTS)
				LVDPA_FUZZ_CHECK(ops->obj_destroy(o) == 0);
			break;
		}
		case LVDPA_FUZZ_MODEL_MODIFY:
			if (obj == NULL)
				break;
			ret = ops->obj_modify(obj, in, inlen, out, b);
			lvdpa_fuzz_answer(ret, out, b);
			break;
		case LVDPA_FUZZ_MODEL_QUERY:
			if (obj == NULL)
				break;
			ret = ops->obj_query(obj, in, inlen, out, b);
			lvdpa_fuzz_answer(ret, out, b);
			break;
		case LVDPA_FUZZ_MODEL_DESTROY:
			if (obj == NULL)
				break;
			ret = ops->obj_destroy(obj);
			LVDPA_FUZZ_CHECK(ret <= 0 && ret > -4096);
			if (ret == 0)
				objs[sel % LVDPA_FUZZ_MODEL_SLOTS] = NULL;
			break;
		case LVDPA_FUZZ_MODEL_UMEM: {
			size_t len = (size_t)a * 64;

			for (i = 0; i < LVDPA_FUZZ_MODEL_UMEMS; i++)
				if (umems[i].buf == NULL)
					break;
			if (i == LVDPA_FUZZ_MODEL_UMEMS || len == 0)
				break;
			umems[i].buf = aligned_alloc(4096, RTE_ALIGN_CEIL(len, 4096));
			LVDPA_FUZZ_CHECK(umems[i].buf != NULL);
			memset(umems[i].buf, 0, RTE_ALIGN_CEIL(len, 4096));
			umems[i].len = len;
			ret = ops->umem_reg(dev, umems[i].buf, len, sel,
					    &umems[i].umem);
			LVDPA_FUZZ_CHECK(ret <= 0 && ret > -4096);
			if (ret != 0) {
				free(umems[i].buf);
				memset(&umems[i], 0, sizeof(umems[i]));
			}
			break;
		}
		case LVDPA_FUZZ_MODEL_UNUMEM: {
			struct lvdpa_fuzz_umem *u = &umems[sel % LVDPA_FUZZ_MODEL_UMEMS];

			if (u->umem == NULL)
				break;
			ret = ops->umem_dereg(u->umem);
			LVDPA_FUZZ_CHECK(ret <= 0 && ret > -4096);
			/* The buffer is freed after close: a queue may still run. */
			if (ret == 0)
				u->umem = NULL;
			break;
		}
		case LVDPA_FUZZ_MODEL_DB:
			if (db != NULL)
				ops->db_write(db, a, (uint32_t)b | (uint32_t)sel << 16);
			break;
		case LVDPA_FUZZ_MODEL_WRITE: {
			struct lvdpa_fuzz_umem *u = &umems[sel % LVDPA_FUZZ_MODEL_UMEMS];

			if (u->umem != NULL && b < u->len)
				memcpy(u->buf + b, in, RTE_MIN(inlen, u->len - b));
			break;
		}
		case LVDPA_FUZZ_MODEL_EVENT: {
			struct lvdpa_tp_event ev;
			uint16_t types[2] = { (uint16_t)(b & 0xff), (uint16_t)(b >> 8) };

			if (ch == NULL)
				break;
			if (obj != NULL && (a & 1)) {
				ret = ops->evchan_subscribe(ch, obj, types, 1 + (a >> 1 & 1),
							    sel);
				LVDPA_FUZZ_CHECK(ret <= 0 && ret > -4096);
			}
			for (i = 0; i < 64; i++) {
				ret = ops->evchan_read(ch, &ev);
				LVDPA_FUZZ_CHECK(ret == 0 || ret == 1 ||
						 (ret < 0 && ret > -4096));
				if (ret != 1)
					break;
			}
			break;
		}
		case LVDPA_FUZZ_MODEL_SLEEP:
			for (i = 0; i < (a & 63u); i++)
				sched_yield();
			if (a & 64)
				usleep(200);
			break;
		default:
			break;
		}
		free(in);
		free(out);
	}
	if (db != NULL)
		ops->db_free(db);
	if (ch != NULL)
		ops->evchan_destroy(ch);
	lvdpa_transport_close(dev);
	for (i = 0; i < LVDPA_FUZZ_MODEL_UMEMS; i++)
		free(umems[i].buf);
	return 0;
}
