/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Statistics: the device's virtio_q_counters of each queue (kept for the
 * device's life, so counts survive reconnections) plus the error events the
 * event thread counted, and for relayed queues the relay's counters under
 * "relayed"/"relay" names (relayed traffic only; the device counters count
 * the shadow ring's chains, relayed or not), then the queue recoveries after
 * device errors and the times the PMD gave a queue up (repeated errors). reset_stats records a base that later reads
 * subtract: the device's counters are read-only.
 */

#include <errno.h>
#include <string.h>

#include "lvdpa_vdpa.h"

static const char *const lvdpa_vdpa_stat_names[LVDPA_VDPA_STAT_NUM] = {
	[LVDPA_VDPA_STAT_RECEIVED_DESC] = "received_descriptors",
	[LVDPA_VDPA_STAT_COMPLETED_DESC] = "completed_descriptors",
	[LVDPA_VDPA_STAT_BAD_DESC_ERRORS] = "bad descriptor errors",
	[LVDPA_VDPA_STAT_EXCEED_MAX_CHAIN] = "exceed max chain",
	[LVDPA_VDPA_STAT_INVALID_BUFFER] = "invalid buffer",
	[LVDPA_VDPA_STAT_COMPLETION_ERRORS] = "completion errors",
	[LVDPA_VDPA_STAT_ERROR_EVENTS] = "error events",
	[LVDPA_VDPA_STAT_RELAY_TX_PACKETS] = "relayed tx packets",
	[LVDPA_VDPA_STAT_RELAY_TX_BYTES] = "relayed tx bytes",
	[LVDPA_VDPA_STAT_RELAY_RX_PACKETS] = "relayed rx packets",
	[LVDPA_VDPA_STAT_RELAY_RX_BYTES] = "relayed rx bytes",
	[LVDPA_VDPA_STAT_RELAY_HDR_CONV] = "relay header conversions",
	[LVDPA_VDPA_STAT_RELAY_ERRORS] = "relay errors",
	[LVDPA_VDPA_STAT_QUEUE_RECOVERIES] = "queue recoveries",
	[LVDPA_VDPA_STAT_QUEUE_DISABLED] = "queue disabled",
};

int
lvdpa_vdpa_stats_names(struct rte_vdpa_stat_name *names, unsigned int size)
{
	unsigned int i;

	if (names == NULL)
		return LVDPA_VDPA_STAT_NUM;
	for (i = 0; i < size && i < LVDPA_VDPA_STAT_NUM; i++)
		snprintf(names[i].name, sizeof(names[i].name), "%s",
			 lvdpa_vdpa_stat_names[i]);
	return i;
}

/* Raw values of queue @p vq (zeros for a queue never created). */
static int
lvdpa_vdpa_stats_read(struct lvdpa_vdpa_priv *priv, struct lvdpa_vdpa_virtq *vq,
		      uint64_t v[LVDPA_VDPA_STAT_NUM])
{
	struct lvdpa_devx_virtq_counters c;
	struct lvdpa_relay_stats rs;
	int rc;

	memset(v, 0, sizeof(uint64_t) * LVDPA_VDPA_STAT_NUM);
	v[LVDPA_VDPA_STAT_ERROR_EVENTS] = vq->err_events;
	v[LVDPA_VDPA_STAT_QUEUE_RECOVERIES] = vq->recoveries;
	v[LVDPA_VDPA_STAT_QUEUE_DISABLED] = vq->disabled;
	lvdpa_vdpa_relay_stats(vq, &rs);
	v[LVDPA_VDPA_STAT_RELAY_TX_PACKETS] = rs.tx_packets;
	v[LVDPA_VDPA_STAT_RELAY_TX_BYTES] = rs.tx_bytes;
	v[LVDPA_VDPA_STAT_RELAY_RX_PACKETS] = rs.rx_packets;
	v[LVDPA_VDPA_STAT_RELAY_RX_BYTES] = rs.rx_bytes;
	v[LVDPA_VDPA_STAT_RELAY_HDR_CONV] = rs.hdr_conversions;
	v[LVDPA_VDPA_STAT_RELAY_ERRORS] = rs.err_guest_ring + rs.err_guest_layout +
		rs.err_dev_used + rs.err_dev_len + rs.err_dev_hdr;
	if (vq->counters == NULL)
		return 0;
	rc = lvdpa_devx_counters_query(vq->counters, &c);
	if (rc != 0) {
		LVDPA_VDPA_DLOG(priv, ERR, "queue %u: counters query failed: %s",
				vq->index, strerror(-rc));
		return rc;
	}
	v[LVDPA_VDPA_STAT_RECEIVED_DESC] = c.received_desc;
	v[LVDPA_VDPA_STAT_COMPLETED_DESC] = c.completed_desc;
	v[LVDPA_VDPA_STAT_BAD_DESC_ERRORS] = c.bad_desc_errors;
	v[LVDPA_VDPA_STAT_EXCEED_MAX_CHAIN] = c.exceed_max_chain;
	v[LVDPA_VDPA_STAT_INVALID_BUFFER] = c.invalid_buffer;
	v[LVDPA_VDPA_STAT_COMPLETION_ERRORS] = c.error_cqes;
	return 0;
}

int
lvdpa_vdpa_stats_get(struct lvdpa_vdpa_priv *priv, int qid,
		     struct rte_vdpa_stat *stats, unsigned int n)
{
	uint64_t v[LVDPA_VDPA_STAT_NUM];
	struct lvdpa_vdpa_virtq *vq;
	unsigned int i;
	int rc;

	if (qid < 0 || (uint32_t)qid >= priv->nr_virtqs || stats == NULL) {
		LVDPA_VDPA_DLOG(priv, ERR, "stats of queue %d: out of range (%u queues)",
				qid, priv->nr_virtqs);
		return -EINVAL;
	}
	vq = &priv->virtqs[qid];
	rc = lvdpa_vdpa_stats_read(priv, vq, v);
	if (rc != 0)
		return rc;
	for (i = 0; i < n && i < LVDPA_VDPA_STAT_NUM; i++) {
		stats[i].id = i;
		stats[i].value = v[i] - vq->stats_base[i];
	}
	return i;
}

int
lvdpa_vdpa_stats_reset(struct lvdpa_vdpa_priv *priv, int qid)
{
	struct lvdpa_vdpa_virtq *vq;
	int rc;

	if (qid < 0 || (uint32_t)qid >= priv->nr_virtqs) {
		LVDPA_VDPA_DLOG(priv, ERR, "reset of queue %d stats: out of range (%u queues)",
				qid, priv->nr_virtqs);
		return -EINVAL;
	}
	vq = &priv->virtqs[qid];
	rc = lvdpa_vdpa_stats_read(priv, vq, vq->stats_base);
	return rc;
}
