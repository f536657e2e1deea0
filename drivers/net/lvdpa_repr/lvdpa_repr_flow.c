/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * rte_flow on representors: transfer rules only, executed by the model's
 * e-switch. A rule matches the frames entering the e-switch from one vport
 * (the port's own, or the one a PORT_ID / REPRESENTED_PORT item names) on
 * eth / vlan / ipv4 / ipv6 / udp / tcp fields, and forwards them to the
 * vport of a representor (PORT_ID / REPRESENTED_PORT) or drops them; every
 * rule counts (COUNT makes the count queryable). Anything else is refused
 * with ENOTSUP naming the item, field or action, as the real device's
 * validation would: a partly applied rule would lie to the application.
 *
 * Ingress rules (OVS's partial offload: MARK, then RSS or QUEUE, or DROP)
 * apply to the frames the representor receives, the e-switch's misses: a
 * hit marks the mbuf (RTE_MBUF_F_RX_FDIR_ID, hash.fdir.hi) or drops it. On
 * the device they are NIC RX table entries of the representor's RQ; here
 * the PMD applies them on its RX path (see ovs.rst).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "lvdpa_repr.h"

struct lvdpa_repr_parse {
	struct lvdpa_model_flow_spec spec;
	bool count;
	int fates;
	bool ingress;
	bool has_mark;
	uint32_t mark;
};

static int
lvdpa_repr_fail(struct rte_flow_error *err, int type, const void *cause, const char *msg)
{
	return rte_flow_error_set(err, ENOTSUP, type, cause, msg);
}

/* True when every byte of @p m is zero. */
static bool
lvdpa_repr_zero(const void *m, size_t n)
{
	const uint8_t *p = m;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static void
lvdpa_repr_set8(uint8_t *v, uint8_t *m, uint8_t sv, uint8_t sm)
{
	*v = sv & sm;
	*m = sm;
}

static void
lvdpa_repr_set16(uint16_t *v, uint16_t *m, rte_be16_t sv, rte_be16_t sm)
{
	*v = rte_be_to_cpu_16(sv & sm);
	*m = rte_be_to_cpu_16(sm);
}

static void
lvdpa_repr_setn(uint8_t *v, uint8_t *m, const void *sv, const void *sm, size_t n)
{
	const uint8_t *a = sv, *b = sm;
	size_t i;

	for (i = 0; i < n; i++) {
		v[i] = a[i] & b[i];
		m[i] = b[i];
	}
}

/* The vport of ethdev @p port when it is one of our representors. */
static int
lvdpa_repr_port_vport(uint32_t port, uint32_t *vport)
{
	struct lvdpa_repr_priv *p;

	if (port >= RTE_MAX_ETHPORTS)
		return -ENODEV;
	p = lvdpa_repr_priv_of_port((uint16_t)port);
	if (p == NULL)
		return -ENODEV;
	*vport = p->vport;
	return 0;
}

static int
lvdpa_repr_parse_items(struct lvdpa_repr_priv *priv, const struct rte_flow_item *it,
		       struct lvdpa_repr_parse *ps, struct rte_flow_error *err)
{
	struct lvdpa_model_flow_key *k = &ps->spec.key, *km = &ps->spec.mask;

	for (; it->type != RTE_FLOW_ITEM_TYPE_END; it++) {
		if (it->last != NULL && it->type != RTE_FLOW_ITEM_TYPE_VOID)
			return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ITEM_LAST, it,
					       "ranges (last) are not supported");
		switch (it->type) {
		case RTE_FLOW_ITEM_TYPE_VOID:
			break;
		case RTE_FLOW_ITEM_TYPE_PORT_ID:
		case RTE_FLOW_ITEM_TYPE_REPRESENTED_PORT: {
			uint32_t port;

			if (ps->ingress)
				return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ITEM, it,
						       "port items need a transfer rule");

			if (it->spec == NULL)
				return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ITEM_SPEC, it,
						       "port item needs a spec");
			if (it->type == RTE_FLOW_ITEM_TYPE_PORT_ID)
				port = ((const struct rte_flow_item_port_id *)it->spec)->id;
			else
				port = ((const struct rte_flow_item_ethdev *)it->spec)->port_id;
			if (lvdpa_repr_port_vport(port, &ps->spec.in_vport) != 0)
				return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ITEM_SPEC, it,
						       "port is not an lvdpa representor");
			break;
		}
		case RTE_FLOW_ITEM_TYPE_ETH: {
			const struct rte_flow_item_eth *s = it->spec, *m = it->mask;
			struct rte_flow_item_eth rest;

			if (m == NULL)
				m = &rte_flow_item_eth_mask;
			if (s == NULL)
				break;
			rest = *m;
			memset(&rest.hdr, 0, sizeof(rest.hdr));
			rest.has_vlan = 0;
			if (!lvdpa_repr_zero(&rest, sizeof(rest)))
				return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ITEM_MASK, it,
						       "eth: only dst, src, type, has_vlan");
			lvdpa_repr_setn(k->dmac, km->dmac, &s->dst, &m->dst, 6);
			lvdpa_repr_setn(k->smac, km->smac, &s->src, &m->src, 6);
			if (m->type != 0) {
				uint16_t t = rte_be_to_cpu_16(s->type & m->type);

				/* A TPID says "tagged"; anything else is the EtherType. */
				if (m->type == RTE_BE16(0xffff) &&
				    (t == RTE_ETHER_TYPE_VLAN || t == RTE_ETHER_TYPE_QINQ))
					lvdpa_repr_set8(&k->vlan, &km->vlan, 1, 1);
				else
					lvdpa_repr_set16(&k->ethertype, &km->ethertype,
							 s->type, m->type);
			}
			if (m->has_vlan)
				lvdpa_repr_set8(&k->vlan, &km->vlan, s->has_vlan, 1);
			break;
		}
		case RTE_FLOW_ITEM_TYPE_VLAN: {
			const struct rte_flow_item_vlan *s = it->spec, *m = it->mask;
			struct rte_flow_item_vlan rest;

			lvdpa_repr_set8(&k->vlan, &km->vlan, 1, 1);
			if (m == NULL)
				m = &rte_flow_item_vlan_mask;
			if (s == NULL)
				break;
			rest = *m;
			memset(&rest.hdr, 0, sizeof(rest.hdr));
			if (!lvdpa_repr_zero(&rest, sizeof(rest)))
				return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ITEM_MASK, it,
						       "vlan: only tci, inner_type (one tag)");
			lvdpa_repr_set16(&k->tci, &km->tci, s->tci, m->tci);
			if (m->inner_type != 0)
				lvdpa_repr_set16(&k->ethertype, &km->ethertype, s->inner_type,
						 m->inner_type);
			break;
		}
		case RTE_FLOW_ITEM_TYPE_IPV4: {
			const struct rte_flow_item_ipv4 *s = it->spec, *m = it->mask;
			struct rte_ipv4_hdr rest;

			lvdpa_repr_set8(&k->ipv, &km->ipv, 4, 0xff);
			if (m == NULL)
				m = &rte_flow_item_ipv4_mask;
			if (s == NULL)
				break;
			rest = m->hdr;
			rest.src_addr = rest.dst_addr = 0;
			rest.next_proto_id = rest.type_of_service = rest.time_to_live = 0;
			rest.fragment_offset = 0;
			if (!lvdpa_repr_zero(&rest, sizeof(rest)))
				return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ITEM_MASK, it,
						       "ipv4: only src, dst, proto, tos, ttl, fragment_offset");
			lvdpa_repr_setn(k->src, km->src, &s->hdr.src_addr, &m->hdr.src_addr, 4);
			lvdpa_repr_setn(k->dst, km->dst, &s->hdr.dst_addr, &m->hdr.dst_addr, 4);
			lvdpa_repr_set8(&k->proto, &km->proto, s->hdr.next_proto_id,
					m->hdr.next_proto_id);
			lvdpa_repr_set8(&k->tos, &km->tos, s->hdr.type_of_service,
					m->hdr.type_of_service);
			lvdpa_repr_set8(&k->ttl, &km->ttl, s->hdr.time_to_live,
					m->hdr.time_to_live);
			if (m->hdr.fragment_offset != 0) {
				uint16_t fm = rte_be_to_cpu_16(m->hdr.fragment_offset);
				uint16_t fs = rte_be_to_cpu_16(s->hdr.fragment_offset) & fm;
				const uint16_t frag = RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK;

				/* The device matches "is a fragment", nothing finer. */
				if ((fm & frag) != frag || (fs & frag) != 0)
					return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ITEM_MASK,
							       it, "ipv4: fragment_offset matches only non-fragments");
				lvdpa_repr_set8(&k->frag, &km->frag, 0, 1);
			}
			break;
		}
		case RTE_FLOW_ITEM_TYPE_IPV6: {
			const struct rte_flow_item_ipv6 *s = it->spec, *m = it->mask;
			struct rte_flow_item_ipv6 rest;
			uint32_t vm, vs;

			lvdpa_repr_set8(&k->ipv, &km->ipv, 6, 0xff);
			if (m == NULL)
				m = &rte_flow_item_ipv6_mask;
			if (s == NULL)
				break;
			rest = *m;
			memset(rest.hdr.src_addr, 0, 16);
			memset(rest.hdr.dst_addr, 0, 16);
			rest.hdr.proto = rest.hdr.hop_limits = 0;
			vm = rte_be_to_cpu_32(m->hdr.vtc_flow);
			rest.hdr.vtc_flow = rte_cpu_to_be_32(vm & ~0x0ff00000u);
			if (!lvdpa_repr_zero(&rest, sizeof(rest)))
				return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ITEM_MASK, it,
						       "ipv6: only src, dst, proto, hop_limits, traffic class");
			vs = rte_be_to_cpu_32(s->hdr.vtc_flow);
			lvdpa_repr_setn(k->src, km->src, s->hdr.src_addr, m->hdr.src_addr, 16);
			lvdpa_repr_setn(k->dst, km->dst, s->hdr.dst_addr, m->hdr.dst_addr, 16);
			lvdpa_repr_set8(&k->proto, &km->proto, s->hdr.proto, m->hdr.proto);
			lvdpa_repr_set8(&k->ttl, &km->ttl, s->hdr.hop_limits, m->hdr.hop_limits);
			lvdpa_repr_set8(&k->tos, &km->tos, (uint8_t)(vs >> 20),
					(uint8_t)(vm >> 20));
			break;
		}
		case RTE_FLOW_ITEM_TYPE_UDP:
		case RTE_FLOW_ITEM_TYPE_TCP: {
			bool tcp = it->type == RTE_FLOW_ITEM_TYPE_TCP;
			const struct rte_flow_item_tcp *ts = it->spec, *tm = it->mask;
			const struct rte_flow_item_udp *us = it->spec, *um = it->mask;
			rte_be16_t sp, spm, dp, dpm;

			if (k->ipv == 0)
				return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ITEM, it,
						       "udp/tcp need an ipv4 or ipv6 item before them");
			lvdpa_repr_set8(&k->proto, &km->proto, tcp ? IPPROTO_TCP : IPPROTO_UDP,
					0xff);
			if (it->spec == NULL)
				break;
			if (tcp) {
				struct rte_tcp_hdr rest;

				if (tm == NULL)
					tm = &rte_flow_item_tcp_mask;
				rest = tm->hdr;
				rest.src_port = rest.dst_port = 0;
				rest.tcp_flags = 0;
				if (!lvdpa_repr_zero(&rest, sizeof(rest)))
					return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ITEM_MASK, it,
							       "tcp: only src_port, dst_port, tcp_flags");
				sp = ts->hdr.src_port, spm = tm->hdr.src_port;
				dp = ts->hdr.dst_port, dpm = tm->hdr.dst_port;
				lvdpa_repr_set8(&k->tcp_flags, &km->tcp_flags, ts->hdr.tcp_flags,
						tm->hdr.tcp_flags);
			} else {
				struct rte_udp_hdr rest;

				if (um == NULL)
					um = &rte_flow_item_udp_mask;
				rest = um->hdr;
				rest.src_port = rest.dst_port = 0;
				if (!lvdpa_repr_zero(&rest, sizeof(rest)))
					return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ITEM_MASK, it,
							       "udp: only src_port, dst_port");
				sp = us->hdr.src_port, spm = um->hdr.src_port;
				dp = us->hdr.dst_port, dpm = um->hdr.dst_port;
			}
			lvdpa_repr_set16(&k->sport, &km->sport, sp, spm);
			lvdpa_repr_set16(&k->dport, &km->dport, dp, dpm);
			break;
		}
		default:
			return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ITEM, it,
					       "item not supported by the lvdpa e-switch (eth, vlan, ipv4, ipv6, udp, tcp, port_id, represented_port)");
		}
	}
	return 0;
}

static int
lvdpa_repr_parse_actions(const struct rte_flow_action *a, struct lvdpa_repr_parse *ps,
			 struct rte_flow_error *err)
{
	for (; a->type != RTE_FLOW_ACTION_TYPE_END; a++) {
		switch (a->type) {
		case RTE_FLOW_ACTION_TYPE_VOID:
			break;
		case RTE_FLOW_ACTION_TYPE_COUNT:
			ps->count = true;
			break;
		case RTE_FLOW_ACTION_TYPE_DROP:
			ps->spec.action = LVDPA_MODEL_FLOW_DROP;
			ps->fates++;
			break;
		case RTE_FLOW_ACTION_TYPE_PORT_ID:
		case RTE_FLOW_ACTION_TYPE_REPRESENTED_PORT: {
			uint32_t port;

			if (ps->ingress)
				return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ACTION, a,
						       "port actions need a transfer rule");

			if (a->conf == NULL)
				return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ACTION_CONF, a,
						       "port action needs a conf");
			if (a->type == RTE_FLOW_ACTION_TYPE_PORT_ID) {
				const struct rte_flow_action_port_id *c = a->conf;

				if (c->original)
					return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
							       a, "port_id: original is not supported");
				port = c->id;
			} else {
				port = ((const struct rte_flow_action_ethdev *)a->conf)->port_id;
			}
			if (lvdpa_repr_port_vport(port, &ps->spec.out_vport) != 0)
				return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ACTION_CONF, a,
						       "destination is not an lvdpa representor");
			ps->spec.action = LVDPA_MODEL_FLOW_FWD;
			ps->fates++;
			break;
		}
		case RTE_FLOW_ACTION_TYPE_MARK:
			if (!ps->ingress || a->conf == NULL)
				return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ACTION, a,
						       "mark needs an ingress rule and a conf");
			ps->has_mark = true;
			ps->mark = ((const struct rte_flow_action_mark *)a->conf)->id;
			break;
		case RTE_FLOW_ACTION_TYPE_QUEUE:
			if (!ps->ingress || a->conf == NULL ||
			    ((const struct rte_flow_action_queue *)a->conf)->index != 0)
				return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ACTION, a,
						       "queue: ingress only, and the representor has queue 0 only");
			ps->fates++;
			break;
		case RTE_FLOW_ACTION_TYPE_RSS: {
			const struct rte_flow_action_rss *r = a->conf;
			uint32_t i;

			if (!ps->ingress)
				return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ACTION, a,
						       "rss needs an ingress rule");
			/* One RX queue: any RSS over queue 0 delivers there. */
			for (i = 0; r != NULL && i < r->queue_num; i++)
				if (r->queue[i] != 0)
					return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
							       a, "rss: the representor has queue 0 only");
			ps->fates++;
			break;
		}
		default:
			return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ACTION, a,
					       "action not supported by the lvdpa e-switch (port_id, represented_port, drop, count)");
		}
	}
	if (ps->fates != 1)
		return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ACTION_NUM, NULL,
				       ps->ingress ?
				       "exactly one fate action (rss, queue or drop) is needed" :
				       "exactly one fate action (port_id, represented_port or drop) is needed");
	return 0;
}

static int
lvdpa_repr_parse(struct rte_eth_dev *eth, const struct rte_flow_attr *attr,
		 const struct rte_flow_item items[], const struct rte_flow_action actions[],
		 struct lvdpa_repr_parse *ps, struct rte_flow_error *err)
{
	struct lvdpa_repr_priv *priv = eth->data->dev_private;
	int rc;

	memset(ps, 0, sizeof(*ps));
	if (attr == NULL || items == NULL || actions == NULL)
		return rte_flow_error_set(err, EINVAL, RTE_FLOW_ERROR_TYPE_UNSPECIFIED, NULL,
					  "attr, pattern and actions are needed");
	if (!attr->transfer && !attr->ingress)
		return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ATTR_INGRESS, attr,
				       "transfer (e-switch) or ingress rules only");
	ps->ingress = !attr->transfer;
	if (attr->egress)
		return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ATTR_EGRESS, attr,
				       "egress is not supported");
	if (attr->group != 0)
		return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ATTR_GROUP, attr,
				       "only group 0 (one FDB table)");
	ps->spec.priority = attr->priority;
	ps->spec.in_vport = priv->vport;
	rc = lvdpa_repr_parse_items(priv, items, ps, err);
	if (rc != 0)
		return rc;
	return lvdpa_repr_parse_actions(actions, ps, err);
}

static int
lvdpa_repr_flow_validate(struct rte_eth_dev *eth, const struct rte_flow_attr *attr,
			 const struct rte_flow_item items[],
			 const struct rte_flow_action actions[], struct rte_flow_error *err)
{
	struct lvdpa_repr_parse ps;

	return lvdpa_repr_parse(eth, attr, items, actions, &ps, err);
}

static struct rte_flow *
lvdpa_repr_flow_create(struct rte_eth_dev *eth, const struct rte_flow_attr *attr,
		       const struct rte_flow_item items[],
		       const struct rte_flow_action actions[], struct rte_flow_error *err)
{
	struct lvdpa_repr_priv *priv = eth->data->dev_private;
	struct lvdpa_repr_parse ps;
	struct rte_flow *flow;
	int rc;

	if (lvdpa_repr_parse(eth, attr, items, actions, &ps, err) != 0)
		return NULL;
	flow = calloc(1, sizeof(*flow));
	if (flow == NULL) {
		rte_flow_error_set(err, ENOMEM, RTE_FLOW_ERROR_TYPE_HANDLE, NULL, "no memory");
		return NULL;
	}
	if (ps.ingress) {
		struct rte_flow *f;

		flow->ingress = true;
		flow->count = ps.count;
		flow->has_mark = ps.has_mark;
		flow->mark = ps.mark;
		flow->drop = ps.spec.action == LVDPA_MODEL_FLOW_DROP;
		flow->priority = ps.spec.priority;
		flow->key = ps.spec.key;
		flow->mask = ps.spec.mask;
		rte_spinlock_lock(&priv->ingress_lock);
		TAILQ_FOREACH(f, &priv->ingress, next)
			if (f->priority > flow->priority)
				break;
		if (f != NULL)
			TAILQ_INSERT_BEFORE(f, flow, next);
		else
			TAILQ_INSERT_TAIL(&priv->ingress, flow, next);
		__atomic_store_n(&priv->ningress, priv->ningress + 1, __ATOMIC_RELEASE);
		rte_spinlock_unlock(&priv->ingress_lock);
		return flow;
	}
	rc = lvdpa_model_flow_add(&ps.spec, &flow->handle);
	if (rc != 0) {
		free(flow);
		rte_flow_error_set(err, -rc, RTE_FLOW_ERROR_TYPE_HANDLE, NULL,
				   rc == -ENOSPC ? "e-switch rule table full" :
				   "e-switch refused the rule");
		return NULL;
	}
	flow->count = ps.count;
	pthread_mutex_lock(&priv->flows_lock);
	TAILQ_INSERT_TAIL(&priv->flows, flow, next);
	priv->nflows++;
	pthread_mutex_unlock(&priv->flows_lock);
	return flow;
}

/* Unlink transfer rule @p f and delete it from the e-switch, keeping its
 * counts for the port's totals; caller holds flows_lock and frees @p f. */
static void
lvdpa_repr_flow_retire(struct lvdpa_repr_priv *priv, struct rte_flow *f)
{
	uint64_t pkts, bytes;

	if (lvdpa_model_flow_query(f->handle, &pkts, &bytes, false) == 0) {
		priv->esw_gone_pkts += pkts;
		priv->esw_gone_bytes += bytes;
	}
	TAILQ_REMOVE(&priv->flows, f, next);
	priv->nflows--;
	lvdpa_model_flow_del(f->handle);
}

void
lvdpa_repr_flow_esw_counts(struct lvdpa_repr_priv *priv, uint64_t *pkts, uint64_t *bytes)
{
	struct rte_flow *f;
	uint64_t p, b;

	pthread_mutex_lock(&priv->flows_lock);
	*pkts = priv->esw_gone_pkts;
	*bytes = priv->esw_gone_bytes;
	TAILQ_FOREACH(f, &priv->flows, next)
		if (lvdpa_model_flow_query(f->handle, &p, &b, false) == 0) {
			*pkts += p;
			*bytes += b;
		}
	pthread_mutex_unlock(&priv->flows_lock);
}

static int
lvdpa_repr_flow_destroy(struct rte_eth_dev *eth, struct rte_flow *flow,
			struct rte_flow_error *err)
{
	struct lvdpa_repr_priv *priv = eth->data->dev_private;
	struct rte_flow *f;

	if (flow != NULL && flow->ingress) {
		rte_spinlock_lock(&priv->ingress_lock);
		TAILQ_FOREACH(f, &priv->ingress, next)
			if (f == flow)
				break;
		if (f != NULL) {
			TAILQ_REMOVE(&priv->ingress, f, next);
			__atomic_store_n(&priv->ningress, priv->ningress - 1, __ATOMIC_RELEASE);
		}
		rte_spinlock_unlock(&priv->ingress_lock);
		if (f == NULL)
			return rte_flow_error_set(err, ENOENT, RTE_FLOW_ERROR_TYPE_HANDLE, flow,
						  "no such rule on this port");
		free(f);
		return 0;
	}
	pthread_mutex_lock(&priv->flows_lock);
	TAILQ_FOREACH(f, &priv->flows, next)
		if (f == flow)
			break;
	if (f == NULL) {
		pthread_mutex_unlock(&priv->flows_lock);
		return rte_flow_error_set(err, ENOENT, RTE_FLOW_ERROR_TYPE_HANDLE, flow,
					  "no such rule on this port");
	}
	lvdpa_repr_flow_retire(priv, f);
	pthread_mutex_unlock(&priv->flows_lock);
	free(f);
	return 0;
}

void
lvdpa_repr_flow_flush_all(struct lvdpa_repr_priv *priv)
{
	struct rte_flow *f;

	pthread_mutex_lock(&priv->flows_lock);
	while ((f = TAILQ_FIRST(&priv->flows)) != NULL) {
		lvdpa_repr_flow_retire(priv, f);
		free(f);
	}
	pthread_mutex_unlock(&priv->flows_lock);
	rte_spinlock_lock(&priv->ingress_lock);
	while ((f = TAILQ_FIRST(&priv->ingress)) != NULL) {
		TAILQ_REMOVE(&priv->ingress, f, next);
		free(f);
	}
	__atomic_store_n(&priv->ningress, 0, __ATOMIC_RELEASE);
	rte_spinlock_unlock(&priv->ingress_lock);
}

static int
lvdpa_repr_flow_flush(struct rte_eth_dev *eth, struct rte_flow_error *err)
{
	lvdpa_repr_flow_flush_all(eth->data->dev_private);
	return 0;
}

static int
lvdpa_repr_flow_query(struct rte_eth_dev *eth, struct rte_flow *flow,
		      const struct rte_flow_action *action, void *data,
		      struct rte_flow_error *err)
{
	struct rte_flow_query_count *qc = data;
	uint64_t pkts, bytes;

	if (action->type != RTE_FLOW_ACTION_TYPE_COUNT)
		return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ACTION, action,
				       "only COUNT can be queried");
	if (!flow->count)
		return lvdpa_repr_fail(err, RTE_FLOW_ERROR_TYPE_ACTION, action,
				       "the rule has no COUNT action");
	if (flow->ingress) {
		struct lvdpa_repr_priv *priv = eth->data->dev_private;

		rte_spinlock_lock(&priv->ingress_lock);
		qc->hits = flow->pkts;
		qc->bytes = flow->bytes;
		if (qc->reset)
			flow->pkts = flow->bytes = 0;
		rte_spinlock_unlock(&priv->ingress_lock);
		qc->hits_set = 1;
		qc->bytes_set = 1;
		return 0;
	}
	if (lvdpa_model_flow_query(flow->handle, &pkts, &bytes, false) != 0)
		return rte_flow_error_set(err, ENOENT, RTE_FLOW_ERROR_TYPE_HANDLE, flow,
					  "rule gone");
	qc->hits_set = 1;
	qc->bytes_set = 1;
	qc->hits = pkts - flow->qbase_pkts;
	qc->bytes = bytes - flow->qbase_bytes;
	if (qc->reset) {
		flow->qbase_pkts = pkts;
		flow->qbase_bytes = bytes;
	}
	return 0;
}

bool
lvdpa_repr_flow_rx(struct lvdpa_repr_priv *priv, struct rte_mbuf *m)
{
	struct lvdpa_model_flow_key k;
	struct rte_flow *f;
	bool keep = true;

	lvdpa_model_flow_key_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, &k);
	rte_spinlock_lock(&priv->ingress_lock);
	TAILQ_FOREACH(f, &priv->ingress, next) {
		const uint8_t *p = (const uint8_t *)&k;
		const uint8_t *v = (const uint8_t *)&f->key;
		const uint8_t *mk = (const uint8_t *)&f->mask;
		size_t i;

		for (i = 0; i < sizeof(k); i++)
			if ((p[i] & mk[i]) != (v[i] & mk[i]))
				break;
		if (i != sizeof(k))
			continue;
		f->pkts++;
		f->bytes += m->pkt_len;
		if (f->drop) {
			keep = false;
		} else if (f->has_mark) {
			m->hash.fdir.hi = f->mark;
			m->ol_flags |= RTE_MBUF_F_RX_FDIR | RTE_MBUF_F_RX_FDIR_ID;
		}
		break;
	}
	rte_spinlock_unlock(&priv->ingress_lock);
	return keep;
}

static const struct rte_flow_ops lvdpa_repr_flow_ops = {
	.validate = lvdpa_repr_flow_validate,
	.create = lvdpa_repr_flow_create,
	.destroy = lvdpa_repr_flow_destroy,
	.flush = lvdpa_repr_flow_flush,
	.query = lvdpa_repr_flow_query,
};

int
lvdpa_repr_flow_ops_get(struct rte_eth_dev *eth, const struct rte_flow_ops **ops)
{
	*ops = &lvdpa_repr_flow_ops;
	return 0;
}
