/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Switchdev mode of the e-switch: representor ports and rules.
 *
 * A vport is a function (its number, dev->fn) or the uplink
 * (LVDPA_MODEL_VPORT_UPLINK). A frame entering the e-switch from a vport is
 * first looked up in the rule table (in_vport + masked header key, highest
 * priority = lowest number first, then the oldest); a hit counts it and
 * forwards it to a vport or drops it. A miss goes to the vport's
 * representor when one is open (the miss path of a switchdev e-switch), and
 * only when there is none to the legacy forwarding of lvdpa_model_net.c
 * (MAC routing, uplink, loopback). What a representor sends goes straight
 * to its vport, past the rules, as on the device (the e-switch manager's
 * send queue targets the vport).
 *
 * Lock order: lvdpa_model_sw_lock (held by every caller of the steer
 * functions), then lvdpa_model_flow_lock, then a representor's inbox lock.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>

#include "lvdpa_model_priv.h"

#define LVDPA_MODEL_REPR_INBOX 1024

struct lvdpa_model_repr {
	struct lvdpa_model_repr *next;
	uint32_t vport;
	pthread_mutex_t lock;
	unsigned int head, tail;
	struct lvdpa_model_pkt *pkt[LVDPA_MODEL_REPR_INBOX];
	atomic_uint_fast64_t dropped;   /* inbox full: the application is slow */
};

struct lvdpa_model_rule {
	struct lvdpa_model_rule *next;
	uint64_t handle;
	struct lvdpa_model_flow_spec spec;
	atomic_uint_fast64_t pkts;
	atomic_uint_fast64_t bytes;
};

static pthread_mutex_t lvdpa_model_flow_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lvdpa_model_repr *lvdpa_model_repr_list;
static struct lvdpa_model_rule *lvdpa_model_rule_list;  /* sorted by priority */
static uint64_t lvdpa_model_rule_next = 1;
static unsigned int lvdpa_model_rule_n;
/* Rules + representors: 0 keeps the legacy datapath free of the flow lock. */
static atomic_uint lvdpa_model_flow_users;

void
lvdpa_model_flow_key_parse(const uint8_t *f, uint32_t len, struct lvdpa_model_flow_key *k)
{
	uint32_t off = 14, l4 = 0;
	uint16_t et;

	memset(k, 0, sizeof(*k));
	if (len < 14)
		return;
	memcpy(k->dmac, f, 6);
	memcpy(k->smac, f + 6, 6);
	et = (uint16_t)(f[12] << 8 | f[13]);
	if ((et == 0x8100 || et == 0x88a8) && len >= 18) {
		k->vlan = 1;
		k->tci = (uint16_t)(f[14] << 8 | f[15]);
		et = (uint16_t)(f[16] << 8 | f[17]);
		off = 18;
	}
	k->ethertype = et;
	if (et == 0x0800 && len >= off + 20) {
		const uint8_t *ip = f + off;
		uint32_t ihl = (ip[0] & 0xf) * 4u;

		k->ipv = 4;
		k->tos = ip[1];
		k->ttl = ip[8];
		k->proto = ip[9];
		memcpy(k->src, ip + 12, 4);
		memcpy(k->dst, ip + 16, 4);
		k->frag = (ip[6] & 0x3f) != 0 || ip[7] != 0;
		/* Only first fragments carry ports. */
		if ((((ip[6] & 0x1f) << 8) | ip[7]) == 0 && ihl >= 20)
			l4 = off + ihl;
	} else if (et == 0x86dd && len >= off + 40) {
		const uint8_t *ip = f + off;

		k->ipv = 6;
		k->tos = (uint8_t)((ip[0] & 0xf) << 4 | ip[1] >> 4);
		k->proto = ip[6];
		k->ttl = ip[7];
		memcpy(k->src, ip + 8, 16);
		memcpy(k->dst, ip + 24, 16);
		l4 = off + 40;
	}
	if (l4 != 0 && (k->proto == 6 || k->proto == 17) && len >= l4 + 4) {
		k->sport = (uint16_t)(f[l4] << 8 | f[l4 + 1]);
		k->dport = (uint16_t)(f[l4 + 2] << 8 | f[l4 + 3]);
		if (k->proto == 6 && len >= l4 + 14)
			k->tcp_flags = f[l4 + 13];
	}
}

static bool
lvdpa_model_flow_key_match(const struct lvdpa_model_flow_key *pkt,
			   const struct lvdpa_model_flow_spec *s)
{
	const uint8_t *p = (const uint8_t *)pkt;
	const uint8_t *v = (const uint8_t *)&s->key;
	const uint8_t *m = (const uint8_t *)&s->mask;
	size_t i;

	for (i = 0; i < sizeof(*pkt); i++)
		if ((p[i] & m[i]) != (v[i] & m[i]))
			return false;
	return true;
}

/* ---- representors ---- */

static struct lvdpa_model_repr *
lvdpa_model_repr_find(uint32_t vport)
{
	struct lvdpa_model_repr *r;

	for (r = lvdpa_model_repr_list; r != NULL; r = r->next)
		if (r->vport == vport)
			return r;
	return NULL;
}

int
lvdpa_model_repr_open(uint32_t vport, struct lvdpa_model_repr **out)
{
	struct lvdpa_model_repr *r;
	int rc = 0;

	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	r->vport = vport;
	pthread_mutex_init(&r->lock, NULL);
	pthread_mutex_lock(&lvdpa_model_sw_lock);
	pthread_mutex_lock(&lvdpa_model_flow_lock);
	if (lvdpa_model_repr_find(vport) != NULL) {
		rc = -EEXIST;
	} else {
		r->next = lvdpa_model_repr_list;
		lvdpa_model_repr_list = r;
		atomic_fetch_add(&lvdpa_model_flow_users, 1);
	}
	pthread_mutex_unlock(&lvdpa_model_flow_lock);
	pthread_mutex_unlock(&lvdpa_model_sw_lock);
	if (rc != 0) {
		pthread_mutex_destroy(&r->lock);
		free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void
lvdpa_model_repr_close(struct lvdpa_model_repr *r)
{
	struct lvdpa_model_repr **p;

	if (r == NULL)
		return;
	pthread_mutex_lock(&lvdpa_model_sw_lock);
	pthread_mutex_lock(&lvdpa_model_flow_lock);
	for (p = &lvdpa_model_repr_list; *p != NULL; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			atomic_fetch_sub(&lvdpa_model_flow_users, 1);
			break;
		}
	pthread_mutex_unlock(&lvdpa_model_flow_lock);
	pthread_mutex_unlock(&lvdpa_model_sw_lock);
	while (r->head != r->tail)
		free(r->pkt[r->head++ % LVDPA_MODEL_REPR_INBOX]);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

uint32_t
lvdpa_model_repr_vport(const struct lvdpa_model_repr *r)
{
	return r->vport;
}

uint64_t
lvdpa_model_repr_dropped(const struct lvdpa_model_repr *r)
{
	return atomic_load(&((struct lvdpa_model_repr *)r)->dropped);
}

/* A function by number; caller holds lvdpa_model_sw_lock. */
static struct lvdpa_model_dev *
lvdpa_model_fn_find(uint32_t fn)
{
	struct lvdpa_model_dev *d;

	for (d = lvdpa_model_sw_list; d != NULL; d = d->next)
		if (d->fn == fn)
			return d;
	return NULL;
}

/* The function that owns the wire; caller holds lvdpa_model_sw_lock. */
static struct lvdpa_model_dev *
lvdpa_model_uplink_owner(void)
{
	struct lvdpa_model_dev *d;

	for (d = lvdpa_model_sw_list; d != NULL; d = d->next)
		if (d->uplink_port != 0 && !d->uplink_gone)
			return d;
	return NULL;
}

int
lvdpa_model_vport_info(uint32_t vport, uint8_t mac[6], bool *up)
{
	struct lvdpa_model_dev *d;
	int rc = 0;

	pthread_mutex_lock(&lvdpa_model_sw_lock);
	if (vport == LVDPA_MODEL_VPORT_UPLINK) {
		d = lvdpa_model_uplink_owner();
		if (mac != NULL)
			memset(mac, 0, 6);
		*up = d != NULL;
	} else {
		d = lvdpa_model_fn_find(vport);
		if (d == NULL) {
			*up = false;
			rc = -ENODEV;
		} else {
			if (mac != NULL)
				memcpy(mac, d->caps.mac, 6);
			*up = true;
		}
	}
	pthread_mutex_unlock(&lvdpa_model_sw_lock);
	return rc;
}

int
lvdpa_model_vport_by_mac(const uint8_t mac[6], uint32_t *vport)
{
	struct lvdpa_model_dev *d;
	int rc = -ENODEV;

	pthread_mutex_lock(&lvdpa_model_sw_lock);
	for (d = lvdpa_model_sw_list; d != NULL; d = d->next)
		if (memcmp(d->caps.mac, mac, 6) == 0) {
			*vport = d->fn;
			rc = 0;
			break;
		}
	pthread_mutex_unlock(&lvdpa_model_sw_lock);
	return rc;
}

int
lvdpa_model_repr_rx(struct lvdpa_model_repr *r, void *buf, uint32_t cap)
{
	struct lvdpa_model_pkt *pkt = NULL;
	int len;

	pthread_mutex_lock(&r->lock);
	if (r->head != r->tail)
		pkt = r->pkt[r->head++ % LVDPA_MODEL_REPR_INBOX];
	pthread_mutex_unlock(&r->lock);
	if (pkt == NULL)
		return 0;
	if (pkt->len > cap) {
		/* The application's buffers are too small: a drop, counted. */
		atomic_fetch_add(&r->dropped, 1);
		len = -EMSGSIZE;
	} else {
		memcpy(buf, pkt->data, pkt->len);
		len = (int)pkt->len;
	}
	free(pkt);
	return len;
}

int
lvdpa_model_repr_tx(struct lvdpa_model_repr *r, const void *frame, uint32_t len)
{
	struct lvdpa_model_dev *d;
	int rc;

	pthread_mutex_lock(&lvdpa_model_sw_lock);
	if (r->vport == LVDPA_MODEL_VPORT_UPLINK) {
		d = lvdpa_model_uplink_owner();
		rc = d != NULL ? lvdpa_model_uplink_send(d, frame, len) : -ENODEV;
	} else {
		d = lvdpa_model_fn_find(r->vport);
		rc = d != NULL ? lvdpa_model_net_park(d, 0, frame, len) : -ENODEV;
	}
	pthread_mutex_unlock(&lvdpa_model_sw_lock);
	return rc;
}

/* Queue a frame for a representor; caller holds the flow lock. */
static void
lvdpa_model_repr_push(struct lvdpa_model_repr *r, const uint8_t *frame, uint32_t len)
{
	struct lvdpa_model_pkt *pkt;

	pthread_mutex_lock(&r->lock);
	if (r->tail - r->head >= LVDPA_MODEL_REPR_INBOX ||
	    (pkt = malloc(sizeof(*pkt) + len)) == NULL) {
		atomic_fetch_add(&r->dropped, 1);
	} else {
		pkt->len = len;
		memcpy(pkt->data, frame, len);
		r->pkt[r->tail++ % LVDPA_MODEL_REPR_INBOX] = pkt;
	}
	pthread_mutex_unlock(&r->lock);
}

/* ---- rules ---- */

int
lvdpa_model_flow_add(const struct lvdpa_model_flow_spec *spec, uint64_t *handle)
{
	struct lvdpa_model_rule *rule, **p;

	if (spec->action != LVDPA_MODEL_FLOW_FWD && spec->action != LVDPA_MODEL_FLOW_DROP)
		return -EINVAL;
	rule = calloc(1, sizeof(*rule));
	if (rule == NULL)
		return -ENOMEM;
	rule->spec = *spec;
	pthread_mutex_lock(&lvdpa_model_flow_lock);
	if (lvdpa_model_rule_n >= LVDPA_MODEL_FLOW_MAX) {
		pthread_mutex_unlock(&lvdpa_model_flow_lock);
		free(rule);
		return -ENOSPC;
	}
	rule->handle = lvdpa_model_rule_next++;
	/* After every rule of the same or a better priority. */
	for (p = &lvdpa_model_rule_list; *p != NULL; p = &(*p)->next)
		if ((*p)->spec.priority > spec->priority)
			break;
	rule->next = *p;
	*p = rule;
	lvdpa_model_rule_n++;
	atomic_fetch_add(&lvdpa_model_flow_users, 1);
	pthread_mutex_unlock(&lvdpa_model_flow_lock);
	*handle = rule->handle;
	return 0;
}

int
lvdpa_model_flow_del(uint64_t handle)
{
	struct lvdpa_model_rule **p, *rule = NULL;

	pthread_mutex_lock(&lvdpa_model_flow_lock);
	for (p = &lvdpa_model_rule_list; *p != NULL; p = &(*p)->next)
		if ((*p)->handle == handle) {
			rule = *p;
			*p = rule->next;
			lvdpa_model_rule_n--;
			atomic_fetch_sub(&lvdpa_model_flow_users, 1);
			break;
		}
	pthread_mutex_unlock(&lvdpa_model_flow_lock);
	if (rule == NULL)
		return -ENOENT;
	free(rule);
	return 0;
}

int
lvdpa_model_flow_query(uint64_t handle, uint64_t *pkts, uint64_t *bytes, bool reset)
{
	struct lvdpa_model_rule *rule;
	int rc = -ENOENT;

	pthread_mutex_lock(&lvdpa_model_flow_lock);
	for (rule = lvdpa_model_rule_list; rule != NULL; rule = rule->next)
		if (rule->handle == handle) {
			if (reset) {
				*pkts = atomic_exchange(&rule->pkts, 0);
				*bytes = atomic_exchange(&rule->bytes, 0);
			} else {
				*pkts = atomic_load(&rule->pkts);
				*bytes = atomic_load(&rule->bytes);
			}
			rc = 0;
			break;
		}
	pthread_mutex_unlock(&lvdpa_model_flow_lock);
	return rc;
}

unsigned int
lvdpa_model_flow_count(void)
{
	unsigned int n;

	pthread_mutex_lock(&lvdpa_model_flow_lock);
	n = lvdpa_model_rule_n;
	pthread_mutex_unlock(&lvdpa_model_flow_lock);
	return n;
}

/*
 * Switchdev steering of one frame from @p in_vport. Returns false when the
 * legacy forwarding decides (no rule hit and no representor); else true
 * with *rc the send result (0, or -ENOBUFS: retry, nothing counted).
 * Caller holds lvdpa_model_sw_lock.
 */
bool
lvdpa_model_flow_steer(uint32_t in_vport, unsigned int qp, const uint8_t *frame,
		       uint32_t len, int *rc)
{
	struct lvdpa_model_flow_key key;
	struct lvdpa_model_rule *rule;
	struct lvdpa_model_repr *r;
	struct lvdpa_model_dev *d;
	bool done = true;

	*rc = 0;
	/*
	 * Without rules or representors the legacy path needs no flow lock.
	 * A rule added at this very moment takes effect from the next frame,
	 * as an FTE does on the device once its command completes.
	 */
	if (atomic_load(&lvdpa_model_flow_users) == 0)
		return false;
	pthread_mutex_lock(&lvdpa_model_flow_lock);
	lvdpa_model_flow_key_parse(frame, len, &key);
	for (rule = lvdpa_model_rule_list; rule != NULL; rule = rule->next)
		if (rule->spec.in_vport == in_vport &&
		    lvdpa_model_flow_key_match(&key, &rule->spec))
			break;
	if (rule != NULL) {
		if (rule->spec.action == LVDPA_MODEL_FLOW_FWD) {
			if (rule->spec.out_vport == LVDPA_MODEL_VPORT_UPLINK) {
				d = lvdpa_model_uplink_owner();
				*rc = d != NULL ? lvdpa_model_uplink_send(d, frame, len) : 0;
			} else {
				/* A vport that is gone drops, as a dangling rule would. */
				d = lvdpa_model_fn_find(rule->spec.out_vport);
				*rc = d != NULL ? lvdpa_model_net_park(d, qp, frame, len) : 0;
			}
		}
		if (*rc == 0) {
			atomic_fetch_add(&rule->pkts, 1);
			atomic_fetch_add(&rule->bytes, len);
		}
	} else {
		r = lvdpa_model_repr_find(in_vport);
		if (r != NULL)
			lvdpa_model_repr_push(r, frame, len);
		else
			done = false;
	}
	pthread_mutex_unlock(&lvdpa_model_flow_lock);
	return done;
}
