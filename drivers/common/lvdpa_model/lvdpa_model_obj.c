/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Object table of one function: every object the device created (PD, mkey,
 * virtq, counters ...) has an id from one space, so that an id of one kind
 * used as another is refused like the device refuses it. Also the virtq
 * state machine: INIT -> RDY <-> SUSPEND, and ERR, which only the device
 * enters and only destroy leaves.
 */

#include <errno.h>
#include <stdlib.h>

#include "lvdpa_model_priv.h"

struct lvdpa_model_obj *
lvdpa_model_obj_alloc(struct lvdpa_model_dev *dev, enum lvdpa_model_kind kind)
{
	struct lvdpa_model_obj *o;
	unsigned int n;
	uint32_t id = dev->next_id;

	/* Ids are not reused at once: a stale id then fails, as on a device. */
	for (n = 0; n < LVDPA_MODEL_MAX_OBJS; n++) {
		if (id == 0 || id >= LVDPA_MODEL_MAX_OBJS)
			id = 1;
		if (dev->obj[id] == NULL)
			break;
		id++;
	}
	if (n == LVDPA_MODEL_MAX_OBJS)
		return NULL;
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		return NULL;
	o->kind = kind;
	o->id = id;
	o->tp.dev = &dev->tp;
	o->tp.priv = o;
	o->tp.id = id;
	dev->obj[id] = o;
	dev->next_id = id + 1;
	dev->obj_gen++;
	return o;
}

void
lvdpa_model_obj_free(struct lvdpa_model_dev *dev, struct lvdpa_model_obj *o)
{
	if (o == NULL)
		return;
	lvdpa_model_event_unsubscribe_all(dev, o);
	if (o->id < LVDPA_MODEL_MAX_OBJS && dev->obj[o->id] == o)
		dev->obj[o->id] = NULL;
	/* Cached translations may go through this object: drop them all. */
	dev->obj_gen++;
	free(o);
}

struct lvdpa_model_obj *
lvdpa_model_obj_get(struct lvdpa_model_dev *dev, uint32_t id,
		    enum lvdpa_model_kind kind)
{
	struct lvdpa_model_obj *o;

	if (id == 0 || id >= LVDPA_MODEL_MAX_OBJS)
		return NULL;
	o = dev->obj[id];
	if (o == NULL || (kind != LVDPA_MODEL_KIND_NONE && o->kind != kind))
		return NULL;
	return o;
}

bool
lvdpa_model_vq_transition_ok(int from, int to)
{
	switch (from) {
	case LVDPA_MODEL_VQ_INIT:
		return to == LVDPA_MODEL_VQ_RDY || to == LVDPA_MODEL_VQ_INIT;
	case LVDPA_MODEL_VQ_RDY:
		return to == LVDPA_MODEL_VQ_SUSPEND || to == LVDPA_MODEL_VQ_RDY;
	case LVDPA_MODEL_VQ_SUSPEND:
		return to == LVDPA_MODEL_VQ_RDY || to == LVDPA_MODEL_VQ_SUSPEND;
	default:
		/* ERR is left only by destroying the queue. */
		return false;
	}
}

const char *
lvdpa_model_vq_state_name(int state)
{
	switch (state) {
	case LVDPA_MODEL_VQ_INIT: return "INIT";
	case LVDPA_MODEL_VQ_RDY: return "RDY";
	case LVDPA_MODEL_VQ_SUSPEND: return "SUSPEND";
	case LVDPA_MODEL_VQ_ERR: return "ERR";
	default: return "?";
	}
}
