/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_REPR_H
#define LVDPA_REPR_H

/*
 * Internals of the representor PMD (net_lvdpa_repr): lvdpa_repr.c holds
 * the ethdev, lvdpa_repr_flow.c its rte_flow (transfer rules on the model's
 * e-switch). Nothing is exported: the PMD is reached through ethdev only.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>

#include "lvdpa_repr_compat.h"
#include "lvdpa_model.h"

extern int lvdpa_repr_logtype;
#define LVDPA_REPR_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, lvdpa_repr_logtype, "lvdpa_repr: " fmt "\n", ##__VA_ARGS__)

struct rte_flow {
	TAILQ_ENTRY(rte_flow) next;
	uint64_t handle;       /* the e-switch rule (transfer rules) */
	bool count;            /* a COUNT action was given: query answers */
	/* Ingress rules (partial offload) live in the port, not the e-switch. */
	bool ingress;
	bool has_mark;
	bool drop;
	uint32_t mark;
	uint32_t priority;
	struct lvdpa_model_flow_key key, mask;
	uint64_t pkts, bytes;  /* under ingress_lock */
	/*
	 * Transfer rules: the e-switch's counters at the last query with
	 * reset. The device's counters are never cleared, so that the port's
	 * esw_rule_* xstats only rise while queries (OVS's, with reset) go on.
	 */
	uint64_t qbase_pkts, qbase_bytes;
};

struct lvdpa_repr_counts {
	uint64_t rx_pkts, rx_bytes, tx_pkts, tx_bytes, tx_errors, rx_missed;
	uint64_t esw_pkts, esw_bytes;
};

struct lvdpa_repr_priv {
	struct rte_eth_dev *eth;
	struct lvdpa_model_repr *repr;
	uint32_t vport;
	bool started;
	bool admin_up;
	struct rte_ether_addr mac;
	/* rx_* by the one RX queue; tx_* by any TX queue (atomics) */
	uint64_t rx_pkts, rx_bytes, tx_pkts, tx_bytes, tx_errors;
	struct lvdpa_repr_counts base;  /* at the last stats reset */
	/*
	 * Transfer rules: changed under ethdev's flow_ops_mutex and
	 * flows_lock, read by xstats (which ethdev does not serialise with
	 * rte_flow) under flows_lock.
	 */
	TAILQ_HEAD(, rte_flow) flows;
	unsigned int nflows;
	pthread_mutex_t flows_lock;
	/* What the port's destroyed transfer rules had counted (flows_lock). */
	uint64_t esw_gone_pkts, esw_gone_bytes;
	/* Ingress rules, by priority: RX reads them under ingress_lock. */
	TAILQ_HEAD(, rte_flow) ingress;
	rte_spinlock_t ingress_lock;
	unsigned int ningress;          /* read by RX without the lock first */
	char vhost_path[108];           /* the guest's socket we serve, "" none */
};

/* The representor behind an ethdev port, NULL when it is not one of ours. */
struct lvdpa_repr_priv *lvdpa_repr_priv_of_port(uint16_t port_id);

/* ---- lvdpa_repr_vhost.c ---- */
/* Serve a vhost-user socket at @p path attached to vDPA device @p vdpa. */
int lvdpa_repr_vhost_start(struct lvdpa_repr_priv *priv, const char *vdpa, const char *path);
void lvdpa_repr_vhost_stop(struct lvdpa_repr_priv *priv);

/* ---- lvdpa_repr_flow.c ---- */
int lvdpa_repr_flow_ops_get(struct rte_eth_dev *eth, const struct rte_flow_ops **ops);
/* Remove every rule the port installed (close). */
void lvdpa_repr_flow_flush_all(struct lvdpa_repr_priv *priv);
/* Packets and bytes all transfer rules of the port have hit, gone ones too. */
void lvdpa_repr_flow_esw_counts(struct lvdpa_repr_priv *priv, uint64_t *pkts,
				uint64_t *bytes);
/* Ingress rules on a received frame: false to drop it; may set its mark. */
bool lvdpa_repr_flow_rx(struct lvdpa_repr_priv *priv, struct rte_mbuf *m);

#endif /* LVDPA_REPR_H */
