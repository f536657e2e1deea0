/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Representor ports of the lvdpa e-switch (net_lvdpa_repr). One ethdev
 * represents one vport of the model's e-switch: a function (an lvdpa vDPA
 * device) or the uplink. Frames a vport sends that hit no e-switch rule
 * arrive on its representor's RX; what the representor transmits goes to
 * the vport. rte_flow transfer rules (lvdpa_repr_flow.c) are executed by
 * the e-switch.
 *
 * Devargs (exactly one selector):
 *   fn=N          the function with vhca_id N (the order devices were opened)
 *   fn_mac=MAC    the function with this MAC (the model's mac= param); not
 *                 "mac": ethdev's devargs iterator reads that as the port's
 *                 own MAC, and OVS would not find the port
 *   uplink=1      the uplink
 *   mac_addr=MAC  the representor's own MAC (default 02:1d:a1:00:<vport>)
 *   vdpa=NAME,vhost=PATH  also serve the guest's vhost-user socket PATH
 *                 with vDPA device NAME (lvdpa_repr_vhost.c)
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_devargs.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "lvdpa_repr.h"

#define LVDPA_REPR_DRIVER_NAME net_lvdpa_repr
#define LVDPA_REPR_MAX_TXQ 16
#define LVDPA_REPR_MAX_FRAME 9618

RTE_LOG_REGISTER_SUFFIX(lvdpa_repr_logtype, repr, NOTICE);

struct lvdpa_repr_rxq {
	struct lvdpa_repr_priv *priv;
	struct rte_mempool *mp;
};

struct lvdpa_repr_txq {
	struct lvdpa_repr_priv *priv;
};

static const char *const lvdpa_repr_keys[] = {
	"fn", "fn_mac", "uplink", "mac_addr", "vdpa", "vhost", NULL
};

static int
lvdpa_repr_parse_mac(const char *v, uint8_t mac[6])
{
	unsigned int b[6], i;
	char tail;

	if (sscanf(v, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -EINVAL;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

struct lvdpa_repr_args {
	int nsel;
	uint32_t vport;
	bool own_mac;
	uint8_t mac[6];
	char vdpa[RTE_DEV_NAME_MAX_LEN];
	char vhost[108];
	int err;
};

static int
lvdpa_repr_kv(const char *key, const char *value, void *opaque)
{
	struct lvdpa_repr_args *a = opaque;
	uint8_t mac[6];
	char *end;
	unsigned long v;

	if (strcmp(key, "fn") == 0) {
		v = strtoul(value, &end, 0);
		if (*value == '\0' || *end != '\0' || v >= LVDPA_MODEL_VPORT_UPLINK)
			goto bad;
		a->vport = (uint32_t)v;
		a->nsel++;
	} else if (strcmp(key, "fn_mac") == 0) {
		if (lvdpa_repr_parse_mac(value, mac) != 0)
			goto bad;
		if (lvdpa_model_vport_by_mac(mac, &a->vport) != 0) {
			LVDPA_REPR_LOG(ERR, "fn_mac=%s: no function of the model has this MAC",
				       value);
			a->err = -ENODEV;
			return -1;
		}
		a->nsel++;
	} else if (strcmp(key, "uplink") == 0) {
		if (strcmp(value, "1") != 0)
			goto bad;
		a->vport = LVDPA_MODEL_VPORT_UPLINK;
		a->nsel++;
	} else if (strcmp(key, "mac_addr") == 0) {
		if (lvdpa_repr_parse_mac(value, a->mac) != 0)
			goto bad;
		a->own_mac = true;
	} else if (strcmp(key, "vdpa") == 0) {
		if (strlen(value) == 0 || strlen(value) >= sizeof(a->vdpa))
			goto bad;
		strcpy(a->vdpa, value);
	} else if (strcmp(key, "vhost") == 0) {
		if (strlen(value) == 0 || strlen(value) >= sizeof(a->vhost))
			goto bad;
		strcpy(a->vhost, value);
	}
	return 0;
bad:
	LVDPA_REPR_LOG(ERR, "invalid devarg %s=%s", key, value);
	a->err = -EINVAL;
	return -1;
}

/* ---- datapath ---- */

static uint16_t
lvdpa_repr_rx_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct lvdpa_repr_rxq *rxq = q;
	struct lvdpa_repr_priv *priv = rxq->priv;
	uint64_t bytes = 0;
	uint16_t i = 0;

	if (!priv->started)
		return 0;
	while (i < n) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(rxq->mp);
		int len;

		if (m == NULL) {
			priv->eth->data->rx_mbuf_alloc_failed++;
			break;
		}
		len = lvdpa_model_repr_rx(priv->repr, rte_pktmbuf_mtod(m, void *),
					  rte_pktmbuf_tailroom(m));
		if (len <= 0) {
			rte_pktmbuf_free(m);
			if (len == 0)
				break;
			continue;
		}
		m->data_len = (uint16_t)len;
		m->pkt_len = (uint32_t)len;
		m->port = priv->eth->data->port_id;
		if (__atomic_load_n(&priv->ningress, __ATOMIC_ACQUIRE) != 0 &&
		    !lvdpa_repr_flow_rx(priv, m)) {
			rte_pktmbuf_free(m);
			continue;
		}
		bytes += (uint32_t)len;
		pkts[i++] = m;
	}
	priv->rx_pkts += i;
	priv->rx_bytes += bytes;
	return i;
}

static uint16_t
lvdpa_repr_tx_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct lvdpa_repr_txq *txq = q;
	struct lvdpa_repr_priv *priv = txq->priv;
	uint8_t *flat = NULL;
	uint64_t bytes = 0, ok = 0, err = 0;
	uint16_t i;

	if (!priv->started)
		return 0;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const void *f;
		int rc;

		if (m->nb_segs == 1) {
			f = rte_pktmbuf_mtod(m, const void *);
		} else {
			if (flat == NULL && (flat = malloc(LVDPA_REPR_MAX_FRAME)) == NULL)
				break;
			if (m->pkt_len > LVDPA_REPR_MAX_FRAME) {
				err++;
				rte_pktmbuf_free(m);
				continue;
			}
			f = rte_pktmbuf_read(m, 0, m->pkt_len, flat);
		}
		rc = lvdpa_model_repr_tx(priv->repr, f, m->pkt_len);
		if (rc == -ENOBUFS)
			break;  /* the vport is full: the caller keeps the rest */
		if (rc == 0) {
			ok++;
			bytes += m->pkt_len;
		} else {
			err++;
		}
		rte_pktmbuf_free(m);
	}
	free(flat);
	__atomic_fetch_add(&priv->tx_pkts, ok, __ATOMIC_RELAXED);
	__atomic_fetch_add(&priv->tx_bytes, bytes, __ATOMIC_RELAXED);
	__atomic_fetch_add(&priv->tx_errors, err, __ATOMIC_RELAXED);
	return i;
}

/* ---- control ---- */

static int
lvdpa_repr_link_update(struct rte_eth_dev *eth, int wait)
{
	struct lvdpa_repr_priv *priv = eth->data->dev_private;
	struct rte_eth_link link = {
		.link_speed = RTE_ETH_SPEED_NUM_100G,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
	};
	bool up = false;

	lvdpa_model_vport_info(priv->vport, NULL, &up);
	link.link_status = priv->started && priv->admin_up && up ?
		RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN;
	if (link.link_status == RTE_ETH_LINK_DOWN)
		link.link_speed = RTE_ETH_SPEED_NUM_NONE;
	eth->data->dev_link = link;
	return 0;
}

static int
lvdpa_repr_configure(struct rte_eth_dev *eth)
{
	return 0;
}

static int
lvdpa_repr_start(struct rte_eth_dev *eth)
{
	struct lvdpa_repr_priv *priv = eth->data->dev_private;
	uint16_t i;

	priv->started = true;
	for (i = 0; i < eth->data->nb_rx_queues; i++)
		eth->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	for (i = 0; i < eth->data->nb_tx_queues; i++)
		eth->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	return lvdpa_repr_link_update(eth, 0);
}

static int
lvdpa_repr_stop(struct rte_eth_dev *eth)
{
	struct lvdpa_repr_priv *priv = eth->data->dev_private;
	uint16_t i;

	priv->started = false;
	for (i = 0; i < eth->data->nb_rx_queues; i++)
		eth->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	for (i = 0; i < eth->data->nb_tx_queues; i++)
		eth->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	return lvdpa_repr_link_update(eth, 0);
}

static int
lvdpa_repr_set_link_up(struct rte_eth_dev *eth)
{
	struct lvdpa_repr_priv *priv = eth->data->dev_private;

	priv->admin_up = true;
	return lvdpa_repr_link_update(eth, 0);
}

static int
lvdpa_repr_set_link_down(struct rte_eth_dev *eth)
{
	struct lvdpa_repr_priv *priv = eth->data->dev_private;

	priv->admin_up = false;
	return lvdpa_repr_link_update(eth, 0);
}

static void
lvdpa_repr_rxq_release(struct rte_eth_dev *eth, uint16_t qid)
{
	rte_free(eth->data->rx_queues[qid]);
	eth->data->rx_queues[qid] = NULL;
}

static void
lvdpa_repr_txq_release(struct rte_eth_dev *eth, uint16_t qid)
{
	rte_free(eth->data->tx_queues[qid]);
	eth->data->tx_queues[qid] = NULL;
}

static int
lvdpa_repr_close(struct rte_eth_dev *eth)
{
	struct lvdpa_repr_priv *priv = eth->data->dev_private;
	uint16_t i;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	priv->started = false;
	/* Its rules go with the port: no rule outlives the representor. */
	lvdpa_repr_flow_flush_all(priv);
	for (i = 0; i < eth->data->nb_rx_queues; i++)
		lvdpa_repr_rxq_release(eth, i);
	for (i = 0; i < eth->data->nb_tx_queues; i++)
		lvdpa_repr_txq_release(eth, i);
	lvdpa_repr_vhost_stop(priv);
	lvdpa_model_repr_close(priv->repr);
	priv->repr = NULL;
	/* mac_addrs points into priv: ethdev must not free it. */
	eth->data->mac_addrs = NULL;
	return 0;
}

static int
lvdpa_repr_infos_get(struct rte_eth_dev *eth, struct rte_eth_dev_info *info)
{
	struct lvdpa_repr_priv *priv = eth->data->dev_private;

	info->max_mac_addrs = 1;
	info->max_rx_pktlen = LVDPA_REPR_MAX_FRAME;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = LVDPA_REPR_MAX_FRAME - RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN;
	info->max_rx_queues = 1;
	info->max_tx_queues = LVDPA_REPR_MAX_TXQ;
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_SCATTER;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	info->switch_info.name = "lvdpa_esw";
	info->switch_info.domain_id = 0;
	info->switch_info.port_id = (uint16_t)priv->vport;
	return 0;
}

static int
lvdpa_repr_rxq_setup(struct rte_eth_dev *eth, uint16_t qid, uint16_t nb_desc,
		     unsigned int socket, const struct rte_eth_rxconf *conf,
		     struct rte_mempool *mp)
{
	struct lvdpa_repr_rxq *q = rte_zmalloc_socket("lvdpa_repr_rxq", sizeof(*q), 0,
						      (int)socket);

	if (q == NULL)
		return -ENOMEM;
	q->priv = eth->data->dev_private;
	q->mp = mp;
	rte_free(eth->data->rx_queues[qid]);
	eth->data->rx_queues[qid] = q;
	return 0;
}

static int
lvdpa_repr_txq_setup(struct rte_eth_dev *eth, uint16_t qid, uint16_t nb_desc,
		     unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct lvdpa_repr_txq *q = rte_zmalloc_socket("lvdpa_repr_txq", sizeof(*q), 0,
						      (int)socket);

	if (q == NULL)
		return -ENOMEM;
	q->priv = eth->data->dev_private;
	rte_free(eth->data->tx_queues[qid]);
	eth->data->tx_queues[qid] = q;
	return 0;
}

static int
lvdpa_repr_stats_get(struct rte_eth_dev *eth, struct rte_eth_stats *st)
{
	struct lvdpa_repr_priv *priv = eth->data->dev_private;

	st->ipackets = priv->rx_pkts - priv->base.rx_pkts;
	st->ibytes = priv->rx_bytes - priv->base.rx_bytes;
	st->opackets = __atomic_load_n(&priv->tx_pkts, __ATOMIC_RELAXED) - priv->base.tx_pkts;
	st->obytes = __atomic_load_n(&priv->tx_bytes, __ATOMIC_RELAXED) - priv->base.tx_bytes;
	st->oerrors = __atomic_load_n(&priv->tx_errors, __ATOMIC_RELAXED) -
		priv->base.tx_errors;
	st->imissed = lvdpa_model_repr_dropped(priv->repr) - priv->base.rx_missed;
	st->rx_nombuf = eth->data->rx_mbuf_alloc_failed;
	return 0;
}

static int
lvdpa_repr_stats_reset(struct rte_eth_dev *eth)
{
	struct lvdpa_repr_priv *priv = eth->data->dev_private;

	priv->base.rx_pkts = priv->rx_pkts;
	priv->base.rx_bytes = priv->rx_bytes;
	priv->base.tx_pkts = __atomic_load_n(&priv->tx_pkts, __ATOMIC_RELAXED);
	priv->base.tx_bytes = __atomic_load_n(&priv->tx_bytes, __ATOMIC_RELAXED);
	priv->base.tx_errors = __atomic_load_n(&priv->tx_errors, __ATOMIC_RELAXED);
	priv->base.rx_missed = lvdpa_model_repr_dropped(priv->repr);
	eth->data->rx_mbuf_alloc_failed = 0;
	return 0;
}

/* Driver xstats beside the generic ones ethdev adds itself. */
static const char *const lvdpa_repr_xstat_names[] = {
	"esw_miss_dropped",     /* misses lost before the representor's RX */
	"tx_vport_gone",        /* frames sent while the vport was absent */
	"esw_rules",            /* rules this port installed */
	"esw_rule_packets",     /* frames its rules switched (gone rules too) */
	"esw_rule_bytes",
	"esw_rules_total",      /* rules in the e-switch, every port's */
};

static int
lvdpa_repr_xstats_get_names(struct rte_eth_dev *eth, struct rte_eth_xstat_name *names,
			    unsigned int n)
{
	unsigned int i;

	if (names != NULL)
		for (i = 0; i < n && i < RTE_DIM(lvdpa_repr_xstat_names); i++)
			snprintf(names[i].name, sizeof(names[i].name), "%s",
				 lvdpa_repr_xstat_names[i]);
	return RTE_DIM(lvdpa_repr_xstat_names);
}

static int
lvdpa_repr_xstats_get(struct rte_eth_dev *eth, struct rte_eth_xstat *xs, unsigned int n)
{
	struct lvdpa_repr_priv *priv = eth->data->dev_private;
	uint64_t v[RTE_DIM(lvdpa_repr_xstat_names)];
	unsigned int i;

	if (n < RTE_DIM(v))
		return RTE_DIM(v);
	v[0] = lvdpa_model_repr_dropped(priv->repr) - priv->base.rx_missed;
	v[1] = __atomic_load_n(&priv->tx_errors, __ATOMIC_RELAXED) - priv->base.tx_errors;
	v[2] = priv->nflows;
	lvdpa_repr_flow_esw_counts(priv, &v[3], &v[4]);
	v[3] -= priv->base.esw_pkts;
	v[4] -= priv->base.esw_bytes;
	v[5] = lvdpa_model_flow_count();
	for (i = 0; i < RTE_DIM(v); i++) {
		xs[i].id = i;
		xs[i].value = v[i];
	}
	return RTE_DIM(v);
}

static int
lvdpa_repr_xstats_reset(struct rte_eth_dev *eth)
{
	struct lvdpa_repr_priv *priv = eth->data->dev_private;

	lvdpa_repr_flow_esw_counts(priv, &priv->base.esw_pkts, &priv->base.esw_bytes);
	return lvdpa_repr_stats_reset(eth);
}

static int
lvdpa_repr_mtu_set(struct rte_eth_dev *eth, uint16_t mtu)
{
	/* Frames of any size up to the maximum pass: the MTU is the port's word. */
	return 0;
}

static int
lvdpa_repr_mac_set(struct rte_eth_dev *eth, struct rte_ether_addr *mac)
{
	return 0;
}

static int
lvdpa_repr_noop(struct rte_eth_dev *eth)
{
	/* The representor gets every miss: promiscuous and all-multicast always. */
	return 0;
}

static const struct eth_dev_ops lvdpa_repr_ops = {
	.dev_configure = lvdpa_repr_configure,
	.dev_start = lvdpa_repr_start,
	.dev_stop = lvdpa_repr_stop,
	.dev_set_link_up = lvdpa_repr_set_link_up,
	.dev_set_link_down = lvdpa_repr_set_link_down,
	.dev_close = lvdpa_repr_close,
	.link_update = lvdpa_repr_link_update,
	.promiscuous_enable = lvdpa_repr_noop,
	.promiscuous_disable = lvdpa_repr_noop,
	.allmulticast_enable = lvdpa_repr_noop,
	.allmulticast_disable = lvdpa_repr_noop,
	.mac_addr_set = lvdpa_repr_mac_set,
	.mtu_set = lvdpa_repr_mtu_set,
	.stats_get = lvdpa_repr_stats_get,
	.stats_reset = lvdpa_repr_stats_reset,
	.xstats_get = lvdpa_repr_xstats_get,
	.xstats_reset = lvdpa_repr_xstats_reset,
	.xstats_get_names = lvdpa_repr_xstats_get_names,
	.dev_infos_get = lvdpa_repr_infos_get,
	.rx_queue_setup = lvdpa_repr_rxq_setup,
	.rx_queue_release = lvdpa_repr_rxq_release,
	.tx_queue_setup = lvdpa_repr_txq_setup,
	.tx_queue_release = lvdpa_repr_txq_release,
	.flow_ops_get = lvdpa_repr_flow_ops_get,
};

struct lvdpa_repr_priv *
lvdpa_repr_priv_of_port(uint16_t port_id)
{
	struct rte_eth_dev *eth;

	if (!rte_eth_dev_is_valid_port(port_id))
		return NULL;
	eth = &rte_eth_devices[port_id];
	if (eth->dev_ops != &lvdpa_repr_ops)
		return NULL;
	return eth->data->dev_private;
}

/* ---- probe / remove ---- */

static int
lvdpa_repr_probe(struct rte_vdev_device *vdev)
{
	struct rte_device *rdev = lvdpa_repr_vdev_to_dev(vdev);
	const char *name = rte_dev_name(rdev);
	const struct rte_devargs *da = rte_dev_devargs(rdev);
	struct lvdpa_repr_args a = { .err = -EINVAL };
	struct lvdpa_repr_priv *priv;
	struct rte_kvargs *kv;
	struct rte_eth_dev *eth;
	int rc;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		LVDPA_REPR_LOG(ERR, "%s: primary process only", name);
		return -ENOTSUP;
	}
	kv = rte_kvargs_parse(da != NULL ? da->args : "", lvdpa_repr_keys);
	if (kv == NULL) {
		LVDPA_REPR_LOG(ERR, "%s: cannot parse devargs \"%s\" (keys: fn, fn_mac, uplink, mac_addr, vdpa, vhost)",
			       name, da != NULL ? da->args : "");
		return -EINVAL;
	}
	a.err = 0;
	rc = rte_kvargs_process(kv, NULL, lvdpa_repr_kv, &a);
	rte_kvargs_free(kv);
	if (rc != 0)
		return a.err != 0 ? a.err : -EINVAL;
	if (a.nsel != 1) {
		LVDPA_REPR_LOG(ERR, "%s: give exactly one of fn=, fn_mac=, uplink=1", name);
		return -EINVAL;
	}
	if ((a.vdpa[0] == '\0') != (a.vhost[0] == '\0')) {
		LVDPA_REPR_LOG(ERR, "%s: vdpa= and vhost= go together", name);
		return -EINVAL;
	}
	eth = rte_eth_dev_allocate(name);
	if (eth == NULL)
		return -ENOMEM;
	/* The compat layouts must be 22.11's: check two fields ethdev filled. */
	if (strcmp(eth->data->name, name) != 0 ||
	    eth->data->port_id != (uint16_t)(eth - rte_eth_devices)) {
		LVDPA_REPR_LOG(ERR, "%s: ethdev layout is not DPDK 22.11's", name);
		rte_eth_dev_release_port(eth);
		return -ENOTSUP;
	}
	priv = rte_zmalloc_socket(name, sizeof(*priv), RTE_CACHE_LINE_SIZE, rte_socket_id());
	if (priv == NULL) {
		rte_eth_dev_release_port(eth);
		return -ENOMEM;
	}
	rc = lvdpa_model_repr_open(a.vport, &priv->repr);
	if (rc != 0) {
		LVDPA_REPR_LOG(ERR, "%s: vport %u: %s", name, a.vport,
			       rc == -EEXIST ? "already has a representor" : strerror(-rc));
		rte_free(priv);
		rte_eth_dev_release_port(eth);
		/* EAL takes -EEXIST from a probe for "already attached": success. */
		return rc == -EEXIST ? -EBUSY : rc;
	}
	priv->eth = eth;
	priv->vport = a.vport;
	priv->admin_up = true;
	TAILQ_INIT(&priv->flows);
	pthread_mutex_init(&priv->flows_lock, NULL);
	TAILQ_INIT(&priv->ingress);
	rte_spinlock_init(&priv->ingress_lock);
	if (a.own_mac) {
		memcpy(priv->mac.addr_bytes, a.mac, 6);
	} else {
		static const uint8_t base[4] = { 0x02, 0x1d, 0xa1, 0x00 };

		memcpy(priv->mac.addr_bytes, base, 4);
		priv->mac.addr_bytes[4] = (uint8_t)(a.vport >> 8);
		priv->mac.addr_bytes[5] = (uint8_t)a.vport;
	}
	eth->data->dev_private = priv;
	eth->data->mac_addrs = &priv->mac;
	/*
	 * No RTE_ETH_DEV_REPRESENTOR flag: ethdev's devargs iterator (which OVS
	 * uses to find a hot-plugged port) skips flagged ports unless the
	 * devargs carry representor=, whose ids need a backing PF port this
	 * e-switch does not have. switch_info names the e-switch and the vport.
	 */
	eth->data->dev_flags |= RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;
	eth->data->promiscuous = 1;
	eth->data->all_multicast = 1;
	eth->data->mtu = RTE_ETHER_MTU;
	eth->device = rdev;
	eth->dev_ops = &lvdpa_repr_ops;
	eth->rx_pkt_burst = lvdpa_repr_rx_burst;
	eth->tx_pkt_burst = lvdpa_repr_tx_burst;
	if (a.vhost[0] != '\0') {
		rc = lvdpa_repr_vhost_start(priv, a.vdpa, a.vhost);
		if (rc != 0) {
			lvdpa_model_repr_close(priv->repr);
			eth->data->mac_addrs = NULL;
			rte_eth_dev_release_port(eth);
			return rc;
		}
	}
	lvdpa_repr_link_update(eth, 0);
	rte_eth_dev_probing_finish(eth);
	LVDPA_REPR_LOG(INFO, "%s: port %u represents %s %u", name, eth->data->port_id,
		       a.vport == LVDPA_MODEL_VPORT_UPLINK ? "the uplink" : "function",
		       a.vport);
	return 0;
}

static int
lvdpa_repr_remove(struct rte_vdev_device *vdev)
{
	struct rte_device *rdev = lvdpa_repr_vdev_to_dev(vdev);
	struct rte_eth_dev *eth = rte_eth_dev_allocated(rte_dev_name(rdev));

	if (eth == NULL)
		return 0;
	if (eth->dev_ops == &lvdpa_repr_ops && eth->data->dev_private != NULL &&
	    ((struct lvdpa_repr_priv *)eth->data->dev_private)->repr != NULL)
		lvdpa_repr_close(eth);
	/* release_port frees dev_private (rte_free) and the port. */
	eth->data->mac_addrs = NULL;
	return rte_eth_dev_release_port(eth);
}

static struct rte_vdev_driver lvdpa_repr_driver = {
	.driver = { .name = RTE_STR(LVDPA_REPR_DRIVER_NAME) },
	.probe = lvdpa_repr_probe,
	.remove = lvdpa_repr_remove,
};

RTE_INIT(lvdpa_repr_register)
{
	rte_vdev_register(&lvdpa_repr_driver);
}

RTE_PMD_EXPORT_NAME(LVDPA_REPR_DRIVER_NAME, __COUNTER__);
RTE_PMD_REGISTER_PARAM_STRING(LVDPA_REPR_DRIVER_NAME,
	"fn=<int> fn_mac=<mac> uplink=1 mac_addr=<mac> vdpa=<name> vhost=<path>");
