/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Faults on demand (the faults param), deterministic so that tests can
 * aim them: a command that fails with a PRM status and syndrome, a queue
 * that enters ERR after a number of descriptors, an event channel that
 * hangs up after a number of events. Each shows only what a device shows:
 * the output mailbox, the queue state with its object change event, the fd.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lvdpa_model_priv.h"
#include "lvdpa_prm.h"

/* Commands that carry an output mailbox (destroys and umems do not). */
static bool
lvdpa_model_fault_cmd_ok(unsigned int t)
{
	return t != LVDPA_MODEL_LAT_DESTROY && t != LVDPA_MODEL_LAT_DESTROY_VIRTQ &&
	       t != LVDPA_MODEL_LAT_UMEM_REG && t != LVDPA_MODEL_LAT_UMEM_DEREG;
}

static int
lvdpa_model_fault_item(char *item, struct lvdpa_model_fault *f)
{
	char *f1, *f2 = NULL, *f3 = NULL, *f4 = NULL, *save = NULL;
	unsigned long x;
	unsigned int t;

	f1 = strtok_r(item, ":", &save);
	if (f1 != NULL)
		f2 = strtok_r(NULL, ":", &save);
	if (f2 != NULL)
		f3 = strtok_r(NULL, ":", &save);
	if (f3 != NULL)
		f4 = strtok_r(NULL, ":", &save);
	if (f1 == NULL || strtok_r(NULL, ":", &save) != NULL)
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	if (strcmp(f1, "cmd") == 0) {
		if (f2 == NULL)
			return -EINVAL;
		for (t = 0; t < LVDPA_MODEL_LAT_MAX; t++)
			if (strcmp(f2, lvdpa_model_latency_name(t)) == 0)
				break;
		if (t == LVDPA_MODEL_LAT_MAX || !lvdpa_model_fault_cmd_ok(t))
			return -EINVAL;
		f->kind = LVDPA_MODEL_FAULT_CMD;
		f->cmd_type = t;
		if (lvdpa_model_parse_uint(f3, 1, UINT32_MAX, &x) != 0)
			return -EINVAL;
		f->n = x;
		f->status = LVDPA_PRM_STATUS_INT_ERR;
		if (f4 != NULL) {
			if (lvdpa_model_parse_uint(f4, 1, 0xff, &x) != 0)
				return -EINVAL;
			f->status = x;
		}
		return 0;
	}
	if (strcmp(f1, "vq_err") == 0) {
		f->kind = LVDPA_MODEL_FAULT_VQ_ERR;
		if (lvdpa_model_parse_uint(f2, 0, 255, &x) != 0)
			return -EINVAL;
		f->queue = x;
		if (lvdpa_model_parse_uint(f3, 0, UINT32_MAX, &x) != 0)
			return -EINVAL;
		f->n = x;
		f->repeat = 1;
		if (f4 != NULL) {
			if (lvdpa_model_parse_uint(f4, 1, 1000000, &x) != 0)
				return -EINVAL;
			f->repeat = x;
		}
		return 0;
	}
	if (strcmp(f1, "evchan_hup") == 0) {
		if (f3 != NULL || lvdpa_model_parse_uint(f2, 1, UINT32_MAX, &x) != 0)
			return -EINVAL;
		f->kind = LVDPA_MODEL_FAULT_EVCHAN_HUP;
		f->n = x;
		return 0;
	}
	return -EINVAL;
}

/* "ITEM+ITEM...", see lvdpa_model.h; no ',' or '=' (it travels in devargs). */
int
lvdpa_model_faults_parse(const char *v, struct lvdpa_model_caps *caps)
{
	char buf[256], *tok, *save = NULL;
	unsigned int n = 0;

	if (*v == '\0' || strlen(v) >= sizeof(buf))
		return -EINVAL;
	if (strcmp(v, "none") == 0) {
		caps->nfaults = 0;
		return 0;
	}
	strcpy(buf, v);
	if (buf[0] == '+' || buf[strlen(buf) - 1] == '+' || strstr(buf, "++") != NULL)
		return -EINVAL;
	for (tok = strtok_r(buf, "+", &save); tok != NULL;
	     tok = strtok_r(NULL, "+", &save)) {
		if (n == LVDPA_MODEL_FAULTS_MAX ||
		    lvdpa_model_fault_item(tok, &caps->faults[n]) != 0)
			return -EINVAL;
		n++;
	}
	caps->nfaults = n;
	return 0;
}

bool
lvdpa_model_fault_cmd(struct lvdpa_model_dev *dev, unsigned int op, void *out,
		      size_t outlen)
{
	unsigned int i;

	for (i = 0; i < dev->caps.nfaults; i++) {
		const struct lvdpa_model_fault *f = &dev->caps.faults[i];
		uint32_t syn;

		if (f->kind != LVDPA_MODEL_FAULT_CMD || f->cmd_type != op ||
		    dev->fault_fired[i] != 0)
			continue;
		if (++dev->fault_count[i] != f->n)
			continue;
		if (out == NULL || outlen < LVDPA_PRM_CMD_HDR_BYTES)
			continue;   /* no mailbox to answer in */
		dev->fault_fired[i] = 1;
		syn = LVDPA_MODEL_FAULT_SYNDROME + op;
		memset(out, 0, outlen);
		lvdpa_prm_set(out, LVDPA_PRM_OUT_STATUS, f->status);
		lvdpa_prm_set(out, LVDPA_PRM_OUT_SYNDROME, syn);
		LVDPA_MODEL_LOG(NOTICE, "function %u: injected fault: %s command %u fails, status 0x%x (%s) syndrome 0x%x",
				dev->fn, lvdpa_model_latency_name(op), f->n, f->status,
				lvdpa_prm_status_str(f->status), syn);
		return true;
	}
	return false;
}

void
lvdpa_model_fault_vq_count(struct lvdpa_model_virtq *vq, unsigned int chains)
{
	struct lvdpa_model_dev *dev = vq->dev;
	unsigned int i;

	for (i = 0; i < dev->caps.nfaults; i++) {
		const struct lvdpa_model_fault *f = &dev->caps.faults[i];

		if (f->kind == LVDPA_MODEL_FAULT_VQ_ERR &&
		    f->queue == vq->attr.queue_index && dev->fault_fired[i] < f->repeat)
			dev->fault_count[i] += chains;
	}
}

bool
lvdpa_model_fault_vq_due(struct lvdpa_model_virtq *vq)
{
	struct lvdpa_model_dev *dev = vq->dev;
	unsigned int i;

	for (i = 0; i < dev->caps.nfaults; i++) {
		const struct lvdpa_model_fault *f = &dev->caps.faults[i];

		if (f->kind != LVDPA_MODEL_FAULT_VQ_ERR ||
		    f->queue != vq->attr.queue_index ||
		    dev->fault_fired[i] >= f->repeat || dev->fault_count[i] < f->n)
			continue;
		dev->fault_fired[i]++;
		dev->fault_count[i] = 0;
		LVDPA_MODEL_LOG(NOTICE, "function %u queue %u: injected fault %u of %u: ERR after %u descriptors",
				dev->fn, f->queue, dev->fault_fired[i], f->repeat, f->n);
		return true;
	}
	return false;
}

uint32_t
lvdpa_model_fault_hup_after(const struct lvdpa_model_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->caps.nfaults; i++)
		if (dev->caps.faults[i].kind == LVDPA_MODEL_FAULT_EVCHAN_HUP)
			return dev->caps.faults[i].n;
	return 0;
}
