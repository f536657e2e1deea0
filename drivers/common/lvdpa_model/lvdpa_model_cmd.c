/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/* Command table: filled in once lvdpa_prm.h is in the tree. */

#include <errno.h>

#include "lvdpa_model_priv.h"

int
lvdpa_model_cmd_general(struct lvdpa_model_dev *dev, const void *in, size_t inlen,
			void *out, size_t outlen)
{
	return -ENOTSUP;
}

int
lvdpa_model_cmd_create(struct lvdpa_model_dev *dev, const void *in, size_t inlen,
		       void *out, size_t outlen, struct lvdpa_model_obj **obj)
{
	return -ENOTSUP;
}

int
lvdpa_model_cmd_modify(struct lvdpa_model_dev *dev, struct lvdpa_model_obj *o,
		       const void *in, size_t inlen, void *out, size_t outlen)
{
	return -ENOTSUP;
}

int
lvdpa_model_cmd_query(struct lvdpa_model_dev *dev, struct lvdpa_model_obj *o,
		      const void *in, size_t inlen, void *out, size_t outlen)
{
	return -ENOTSUP;
}

int
lvdpa_model_cmd_destroy(struct lvdpa_model_dev *dev, struct lvdpa_model_obj *o)
{
	return -ENOTSUP;
}

void
lvdpa_model_cmd_release(struct lvdpa_model_dev *dev, struct lvdpa_model_obj *o)
{
	switch (o->kind) {
	case LVDPA_MODEL_KIND_VIRTQ:
		lvdpa_model_virtq_destroy(o->u.vq);
		break;
	case LVDPA_MODEL_KIND_MKEY:
		lvdpa_model_mkey_release(dev, &o->u.mkey);
		break;
	case LVDPA_MODEL_KIND_COUNTERS:
		lvdpa_model_counters_put(o->u.cnt);
		break;
	case LVDPA_MODEL_KIND_CQ:
		if (o->u.cq.umem != NULL)
			o->u.cq.umem->refcnt--;
		break;
	default:
		break;
	}
	lvdpa_model_obj_free(dev, o);
}
