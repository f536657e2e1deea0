/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_FUZZ_MODEL_H
#define LVDPA_FUZZ_MODEL_H

/*
 * Input format of fuzz_model, shared with its seed generator
 * (gen_model_seeds.c, which records what the command layer sends).
 *
 * byte 0: capability profile of the opened model (index into
 *         lvdpa_fuzz_model_params, modulo its size)
 * then frames: op (1 byte), sel (1 byte), a (16 bits LE), b (16 bits LE),
 * and for the mailbox ops a bytes of input mailbox:
 *   CMD     general_cmd(in[a], outlen b)
 *   CREATE  obj_create(in[a], outlen b); a created object takes the first
 *           free slot of LVDPA_FUZZ_MODEL_SLOTS
 *   MODIFY  obj_modify(slot sel, in[a], outlen b)
 *   QUERY   obj_query(slot sel, in[a], outlen b)
 *   DESTROY obj_destroy(slot sel); the slot is freed if it succeeded
 *   UMEM    umem_reg(a * 64 bytes, access sel) into the first free umem slot
 *   UNUMEM  umem_dereg(umem slot sel)
 *   DB      db_write(offset a, value b | sel << 16) on the doorbell page
 *   WRITE   copy a bytes that follow into umem slot sel at offset b
 *           (the guest writing its rings and buffers)
 *   EVENT   drain the event channel (evchan_read until none)
 *   SLEEP   let the model's worker run (sched_yield a % 64 times, then
 *           with bit 6 of a also 200 us)
 * A slot number out of range or empty makes the op a no-op; an unknown op
 * byte is skipped (modulo LVDPA_FUZZ_MODEL_OPS).
 */

#define LVDPA_FUZZ_MODEL_SLOTS 32
#define LVDPA_FUZZ_MODEL_UMEMS 8
#define LVDPA_FUZZ_MODEL_FRAME 6

enum lvdpa_fuzz_model_op {
	LVDPA_FUZZ_MODEL_CMD,
	LVDPA_FUZZ_MODEL_CREATE,
	LVDPA_FUZZ_MODEL_MODIFY,
	LVDPA_FUZZ_MODEL_QUERY,
	LVDPA_FUZZ_MODEL_DESTROY,
	LVDPA_FUZZ_MODEL_UMEM,
	LVDPA_FUZZ_MODEL_UNUMEM,
	LVDPA_FUZZ_MODEL_DB,
	LVDPA_FUZZ_MODEL_WRITE,
	LVDPA_FUZZ_MODEL_EVENT,
	LVDPA_FUZZ_MODEL_SLEEP,
	LVDPA_FUZZ_MODEL_OPS
};

static const char *const lvdpa_fuzz_model_params[] = {
	NULL,
	"legacy=1,packed=1,event_idx=1,max_queues=4,max_queue_size=256",
	"legacy=0,packed=0,max_queues=2,max_queue_size=16,budget=1",
	"event_modes=no_msix+qp+msix,max_queues=256",
};

#define LVDPA_FUZZ_MODEL_NPARAMS \
	(sizeof(lvdpa_fuzz_model_params) / sizeof(lvdpa_fuzz_model_params[0]))

#endif /* LVDPA_FUZZ_MODEL_H */
