/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Relayed vrings (doc/guides/relay.rst). The device runs a modern
 * little-endian shadow ring in host memory; lvdpa_relay moves descriptors
 * and headers between it and the guest's ring. Payloads stay in guest
 * memory: the shadow descriptors carry guest physical addresses, which the
 * device reaches through the guest's indirect mkey. So the shadow area has
 * to be reachable through that same mkey (the virtq has one): it is one
 * umem with a direct mkey, mapped by a KLM entry after the guest's regions
 * (lvdpa_vdpa_mem_register), at an IOVA no guest address can reach.
 *
 * The event thread polls the relays (it already owns the kick fds and the
 * device's events): under priv->lock, like everything it does. With
 * relay_core=N one relay thread per CPU N serves the relays of every
 * device naming N instead: it polls while any moved work, and sleeps when
 * all are idle until an event thread passes on a kick or a device
 * completion (lvdpa_vdpa_relay_notify), or for event_us where no event
 * comes (event_mode 0/1, or a guest without a kick fd).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "lvdpa_vdpa.h"
#include "lvdpa_virtio.h"

/* Chains moved per queue and direction in one poll. */
#define LVDPA_VDPA_RELAY_BUDGET 64

/* Guest memory view: guest physical -> host virtual, through the regions. */
static int
lvdpa_vdpa_relay_translate(void *opaque, uint64_t addr, uint64_t len, int write,
			   void **ptr, uint64_t *contig)
{
	struct lvdpa_vdpa_priv *priv = opaque;
	uint32_t i;

	RTE_SET_USED(write);
	for (i = 0; i < priv->nr_mregs; i++) {
		const struct lvdpa_vdpa_mreg *m = &priv->mregs[i];

		if (addr >= m->gpa && addr - m->gpa < m->size) {
			uint64_t off = addr - m->gpa;

			*ptr = (void *)(uintptr_t)(m->hva + off);
			*contig = RTE_MIN(len, m->size - off);
			/* The ring walker tries this region inline next time. */
			priv->guest_mem.win.lo = m->gpa;
			priv->guest_mem.win.len = m->size;
			priv->guest_mem.win.base = (uint8_t *)(uintptr_t)m->hva;
			priv->guest_mem.win.write = true;
			priv->guest_mem.win.gen = priv->mregs_gen;
			return 0;
		}
	}
	return -EFAULT;
}

/* What the relay writes in guest memory goes to the vhost dirty log. */
static void
lvdpa_vdpa_relay_log(void *opaque, uint64_t addr, uint64_t len)
{
	const struct lvdpa_vdpa_priv *priv = opaque;

	/* rte_vhost logs only while LOG_ALL is negotiated and a log is set. */
	if (priv->vid >= 0)
		rte_vhost_log_write(priv->vid, addr, len);
}

void
lvdpa_vdpa_relay_log_update(struct lvdpa_vdpa_priv *priv)
{
	/*
	 * Only while logging: the walker then makes no call per write the
	 * rest of the time. Changed under priv->lock, which relays poll under.
	 */
	priv->guest_mem.log_write = priv->log_enabled ? lvdpa_vdpa_relay_log : NULL;
}

static void
lvdpa_vdpa_relay_dev_kick(void *opaque)
{
	struct lvdpa_vdpa_virtq *vq = opaque;

	lvdpa_devx_virtq_notify(vq->priv->db, &vq->priv->caps, vq->index);
}

static void
lvdpa_vdpa_relay_guest_call(void *opaque)
{
	struct lvdpa_vdpa_virtq *vq = opaque;

	if (vq->vring.callfd >= 0)
		(void)eventfd_write(vq->vring.callfd, (eventfd_t)1);
}

static void
lvdpa_vdpa_relay_stats_add(struct lvdpa_relay_stats *a,
			   const struct lvdpa_relay_stats *b)
{
	uint64_t *x = (uint64_t *)a;
	const uint64_t *y = (const uint64_t *)b;
	size_t i;

	for (i = 0; i < sizeof(*a) / sizeof(uint64_t); i++)
		x[i] += y[i];
}

void
lvdpa_vdpa_relay_destroy(struct lvdpa_vdpa_virtq *vq)
{
	struct lvdpa_relay_stats st;

	if (vq->relay == NULL)
		return;
	lvdpa_relay_stats_get(vq->relay, &st);
	lvdpa_vdpa_relay_stats_add(&vq->relay_acc, &st);
	lvdpa_relay_destroy(vq->relay);
	vq->relay = NULL;
}

void
lvdpa_vdpa_relay_stats(const struct lvdpa_vdpa_virtq *vq,
		       struct lvdpa_relay_stats *st)
{
	*st = vq->relay_acc;
	if (vq->relay != NULL) {
		struct lvdpa_relay_stats cur;

		lvdpa_relay_stats_get(vq->relay, &cur);
		lvdpa_vdpa_relay_stats_add(st, &cur);
	}
}

void
lvdpa_vdpa_relay_release(struct lvdpa_vdpa_priv *priv)
{
	uint32_t i;

	for (i = 0; i < priv->nr_virtqs; i++) {
		lvdpa_vdpa_relay_destroy(&priv->virtqs[i]);
		priv->virtqs[i].relay_len = 0;
		priv->virtqs[i].relay_off = 0;
	}
	/* The indirect mkey must not outlive the mkey it points at. */
	if (priv->mkey_has_relay)
		lvdpa_vdpa_mem_unregister(priv);
	if (priv->relay_mkey != NULL) {
		lvdpa_devx_mkey_destroy(priv->relay_mkey);
		priv->relay_mkey = NULL;
	}
	if (priv->relay_umem != NULL) {
		lvdpa_devx_umem_dereg(priv->relay_umem);
		priv->relay_umem = NULL;
	}
	rte_free(priv->relay_buf);
	priv->relay_buf = NULL;
	priv->relay_buf_len = 0;
	priv->relay_iova = 0;
}

int
lvdpa_vdpa_relay_prepare(struct lvdpa_vdpa_priv *priv, uint16_t nr)
{
	struct lvdpa_devx_mkey_direct_attr da = { 0 };
	uint64_t total = 0;
	uint16_t i;
	int rc;

	lvdpa_vdpa_relay_release(priv);
	priv->guest_mem.translate = lvdpa_vdpa_relay_translate;
	lvdpa_vdpa_relay_log_update(priv);
	priv->guest_mem.opaque = priv;
	priv->guest_mem.win_gen = &priv->mregs_gen;
	priv->guest_mem.win.gen = priv->mregs_gen - 1;   /* empty */
	for (i = 0; i < nr; i++) {
		struct lvdpa_vdpa_virtq *vq = &priv->virtqs[i];
		struct rte_vhost_vring vr;
		uint64_t len;

		vq->priv = priv;
		vq->relay_len = 0;
		if (rte_vhost_get_vhost_vring(priv->vid, i, &vr) != 0 ||
		    vr.desc == NULL || vr.size == 0)
			continue;
		len = lvdpa_relay_area_size(vr.size, 0);
		if (len == 0)
			return -EINVAL;
		/* Page-aligned parts: each queue's area stands alone. */
		vq->relay_off = total;
		vq->relay_len = len;
		total += RTE_ALIGN_CEIL(len, 4096u);
	}
	if (total == 0)
		return 0;
	priv->relay_buf = rte_zmalloc("lvdpa_relay_area", total, 4096);
	if (priv->relay_buf == NULL)
		return -ENOMEM;
	priv->relay_buf_len = total;
	rc = lvdpa_devx_umem_reg(priv->tp, priv->relay_buf, total,
				 LVDPA_DEVX_UMEM_LOCAL_WRITE |
				 LVDPA_DEVX_UMEM_REMOTE_WRITE |
				 LVDPA_DEVX_UMEM_REMOTE_READ, &priv->relay_umem);
	if (rc != 0)
		goto fail;
	da.pd = priv->pd->id;
	da.addr = (uintptr_t)priv->relay_buf;
	da.size = total;
	da.umem_id = priv->relay_umem->id;
	da.umem_offset = 0;
	da.remote_rw = true;
	rc = lvdpa_devx_mkey_create_direct(priv->tp, &da, &priv->relay_mkey);
	if (rc != 0)
		goto fail;
	/* The KLM entry is added (and relay_iova set) by mem_register. */
	if (priv->mkey != NULL)
		lvdpa_vdpa_mem_unregister(priv);
	return 0;
fail:
	LVDPA_VDPA_DLOG(priv, ERR, "vid %d: relay area not registered: %s",
			priv->vid, strerror(-rc));
	lvdpa_vdpa_relay_release(priv);
	return rc;
}

int
lvdpa_vdpa_relay_attr(struct lvdpa_vdpa_priv *priv, struct lvdpa_vdpa_virtq *vq,
		      struct lvdpa_devx_virtq_attr *attr)
{
	const struct rte_vhost_vring *vr = &vq->vring;
	struct lvdpa_relay_config rc_cfg = { 0 };
	struct lvdpa_relay_shadow sh;
	uint64_t n = vr->size;
	uint16_t last_avail = 0, last_used = 0;
	int rc;

	if (vq->relay_len == 0 || priv->relay_buf == NULL || !priv->mkey_has_relay ||
	    lvdpa_relay_area_size(vr->size, 0) > vq->relay_len) {
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d queue %u: no relay area for this ring (set up after DRIVER_OK or resized)",
				priv->vid, vq->index);
		return -EINVAL;
	}
	rc = lvdpa_vdpa_hva_to_gpa(priv, (uintptr_t)vr->desc, 16 * n, &rc_cfg.desc_addr);
	if (rc == 0)
		rc = lvdpa_vdpa_hva_to_gpa(priv, (uintptr_t)vr->avail, 6 + 2 * n,
					   &rc_cfg.avail_addr);
	if (rc == 0)
		rc = lvdpa_vdpa_hva_to_gpa(priv, (uintptr_t)vr->used, 6 + 8 * n,
					   &rc_cfg.used_addr);
	if (rc != 0) {
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d queue %u: a ring is not in guest memory",
				priv->vid, vq->index);
		return rc;
	}
	if (rte_vhost_get_vring_base(priv->vid, vq->index, &last_avail, &last_used) != 0)
		return -EINVAL;
	lvdpa_vdpa_relay_destroy(vq);
	rc_cfg.dir = (vq->index & 1) ? LVDPA_RELAY_TX : LVDPA_RELAY_RX;
	rc_cfg.size = vr->size;
	rc_cfg.guest_features = priv->features;
	rc_cfg.guest_big_endian = priv->guest_big_endian;
	rc_cfg.guest_mem = &priv->guest_mem;
	rc_cfg.shadow_size = 0;
	/* The virtq has no EVENT_IDX field: the shadow ring runs without. */
	rc_cfg.shadow_event_idx = false;
	rc_cfg.area = (uint8_t *)priv->relay_buf + vq->relay_off;
	rc_cfg.area_iova = priv->relay_iova + vq->relay_off;
	rc_cfg.area_len = vq->relay_len;
	rc_cfg.dev_kick = lvdpa_vdpa_relay_dev_kick;
	rc_cfg.guest_call = lvdpa_vdpa_relay_guest_call;
	rc_cfg.opaque = vq;
	vq->priv = priv;
	vq->relay = lvdpa_relay_create(&rc_cfg);
	if (vq->relay == NULL) {
		rc = -rte_errno;
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d queue %u: relay not created: %s",
				priv->vid, vq->index, strerror(-rc));
		return rc;
	}
	rc = lvdpa_relay_set_base(vq->relay, last_avail, last_used);
	if (rc == 0)
		rc = lvdpa_relay_start(vq->relay);
	if (rc != 0) {
		LVDPA_VDPA_DLOG(priv, ERR, "vid %d queue %u: relay not started: %s",
				priv->vid, vq->index, strerror(-rc));
		lvdpa_vdpa_relay_destroy(vq);
		return rc;
	}
	lvdpa_relay_shadow(vq->relay, &sh);
	attr->queue_size = sh.size;
	attr->desc_addr = sh.desc_iova;
	attr->available_addr = sh.avail_iova;
	attr->used_addr = sh.used_iova;
	/* The shadow ring is new at every start. */
	attr->hw_available_index = 0;
	attr->hw_used_index = 0;
	attr->virtio_q_type = LVDPA_PRM_VIRTQ_TYPE_SPLIT;
	attr->virtio_version_1_0 = true;
	attr->mkey = priv->mkey->id;
	/*
	 * Offloads as negotiated; MRG_RXBUF only if the guest has it (its
	 * 12-byte header): a 10-byte guest needs num_buffers == 1.
	 */
	attr->queue_features = lvdpa_devx_virtq_features(priv->features);
	vq->last_used = last_used;
	/* At stop, the guest's used ring is what was written (the relay logs too). */
	vq->dev_ring_gpa = rc_cfg.used_addr;
	vq->dev_ring_len = 6 + 8 * n;
	return 0;
}

void
lvdpa_vdpa_relay_stop(struct lvdpa_vdpa_priv *priv, struct lvdpa_vdpa_virtq *vq)
{
	uint16_t avail, used;

	if (vq->relay == NULL)
		return;
	lvdpa_relay_stop(vq->relay);
	lvdpa_relay_get_base(vq->relay, &avail, &used);
	vq->hw_avail = avail;
	vq->hw_used = used;
	if (priv->vid >= 0)
		rte_vhost_set_vring_base(priv->vid, vq->index, avail, used);
	LVDPA_VDPA_DLOG(priv, DEBUG, "queue %u: relay stopped at avail %u used %u",
			vq->index, avail, used);
}

unsigned int
lvdpa_vdpa_relay_poll(struct lvdpa_vdpa_priv *priv, struct lvdpa_vdpa_virtq *vq)
{
	int rc;

	if (vq->relay == NULL || !vq->running || vq->errored)
		return 0;
	rc = lvdpa_relay_poll(vq->relay, LVDPA_VDPA_RELAY_BUDGET);
	if (rc >= 0)
		return (unsigned int)rc;
	/* As a device queue error: logged once, counted, the queue stays stopped. */
	vq->err_events++;
	vq->errored = true;
	LVDPA_VDPA_DLOG(priv, ERR, "vid %d queue %u: the relay stopped the queue (a guest ring error: %s); it stays stopped",
			priv->vid, vq->index, strerror(-rc));
	return 0;
}

/* ---- relay_core: one relay thread per CPU, shared by devices ---- */

/* While a device's lock is taken by a configuration op: look again soon. */
#define LVDPA_VDPA_RELAY_CORE_RETRY_US 50u

struct lvdpa_vdpa_relay_core {
	struct lvdpa_vdpa_relay_core *next;
	int cpu;
	unsigned int refcnt;          /* devices attached, under the list lock */
	pthread_t thread;
	int wake_fd;
	bool quit;                    /* atomic */
	pthread_mutex_t lock;         /* members vs attach/detach */
	struct lvdpa_vdpa_priv *members;
};

static pthread_mutex_t lvdpa_vdpa_rcores_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lvdpa_vdpa_relay_core *lvdpa_vdpa_rcores;

void
lvdpa_vdpa_relay_notify(struct lvdpa_vdpa_priv *priv, struct lvdpa_vdpa_virtq *vq)
{
	if (priv->rcore != NULL)
		(void)eventfd_write(priv->rcore->wake_fd, 1);
	else
		(void)lvdpa_vdpa_relay_poll(priv, vq);
}

/*
 * One round over the relays of @p priv (its lock held): chains moved; with
 * @p idle, enable notifications instead and report in *busy whether work
 * slipped in. *period_us shrinks to the device's event_us when a relayed
 * queue of it will not be woken by events.
 */
static unsigned int
lvdpa_vdpa_relay_core_round(struct lvdpa_vdpa_priv *priv, bool idle, bool *busy,
			    uint32_t *period_us)
{
	unsigned int work = 0;
	uint32_t q;

	for (q = 0; q < priv->nr_virtqs; q++) {
		struct lvdpa_vdpa_virtq *vq = &priv->virtqs[q];

		if (vq->relay == NULL || !vq->running || vq->errored)
			continue;
		if (priv->cfg.event_mode != LVDPA_VDPA_EVENT_IRQ ||
		    vq->kickfd_polled < 0)
			*period_us = RTE_MIN(*period_us, priv->cfg.event_us);
		if (!idle)
			work += lvdpa_vdpa_relay_poll(priv, vq);
		else if (!lvdpa_relay_idle(vq->relay))
			*busy = true;
	}
	return work;
}

static void *
lvdpa_vdpa_relay_core_main(void *arg)
{
	struct lvdpa_vdpa_relay_core *core = arg;
	struct pollfd pfd = { .fd = core->wake_fd, .events = POLLIN };
	uint64_t poll_cycles = LVDPA_VDPA_RELAY_POLL_US * rte_get_timer_hz() / 1000000;
	uint64_t moved = 0;   /* timer cycles of the last work */

	while (!__atomic_load_n(&core->quit, __ATOMIC_ACQUIRE)) {
		uint32_t period_us = UINT32_MAX;
		struct lvdpa_vdpa_priv *priv;
		unsigned int work = 0;
		bool busy = false, polling;
		struct timespec ts;
		eventfd_t v;
		int pass;

		/*
		 * Poll all; when nothing moved (and the last work is older than
		 * LVDPA_VDPA_RELAY_POLL_US), enable notifications and re-check.
		 */
		polling = moved != 0 && rte_get_timer_cycles() - moved < poll_cycles;
		pthread_mutex_lock(&core->lock);
		for (pass = 0; pass < (polling ? 1 : 2) && work == 0 && !busy; pass++)
			for (priv = core->members; priv != NULL; priv = priv->rcore_next) {
				/* Never wait behind one device's configuration. */
				if (pthread_mutex_trylock(&priv->lock) != 0) {
					busy = true;
					period_us = RTE_MIN(period_us,
							    LVDPA_VDPA_RELAY_CORE_RETRY_US);
					continue;
				}
				work += lvdpa_vdpa_relay_core_round(priv, pass == 1,
								    &busy, &period_us);
				pthread_mutex_unlock(&priv->lock);
			}
		pthread_mutex_unlock(&core->lock);
		if (work != 0)
			moved = rte_get_timer_cycles();
		if (work != 0 || (busy && period_us != LVDPA_VDPA_RELAY_CORE_RETRY_US))
			continue;
		if (polling) {
			/* A device model may share this CPU: let it answer. */
			sched_yield();
			continue;
		}
		if (period_us != UINT32_MAX) {
			ts.tv_sec = period_us / 1000000;
			ts.tv_nsec = (long)(period_us % 1000000) * 1000;
		}
		if (ppoll(&pfd, 1, period_us == UINT32_MAX ? NULL : &ts, NULL) > 0)
			(void)eventfd_read(core->wake_fd, &v);
	}
	return NULL;
}

static void
lvdpa_vdpa_relay_core_free(struct lvdpa_vdpa_relay_core *core)
{
	if (core->wake_fd >= 0)
		close(core->wake_fd);
	pthread_mutex_destroy(&core->lock);
	free(core);
}

/* A new relay thread on CPU @p cpu; NULL on failure (logged). */
static struct lvdpa_vdpa_relay_core *
lvdpa_vdpa_relay_core_new(struct lvdpa_vdpa_priv *priv, int cpu)
{
	struct lvdpa_vdpa_relay_core *core = calloc(1, sizeof(*core));
	char tname[16];
	cpu_set_t set;
	int ret;

	if (core == NULL)
		return NULL;
	core->cpu = cpu;
	pthread_mutex_init(&core->lock, NULL);
	core->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (core->wake_fd < 0) {
		LVDPA_VDPA_DLOG(priv, ERR, "relay_core=%d: no eventfd: %s", cpu,
				strerror(errno));
		lvdpa_vdpa_relay_core_free(core);
		return NULL;
	}
	ret = pthread_create(&core->thread, NULL, lvdpa_vdpa_relay_core_main, core);
	if (ret != 0) {
		LVDPA_VDPA_DLOG(priv, ERR, "relay_core=%d: thread not started: %s",
				cpu, strerror(ret));
		lvdpa_vdpa_relay_core_free(core);
		return NULL;
	}
	snprintf(tname, sizeof(tname), "lvdpa-rly-%u", (unsigned int)cpu % 10000u);
	pthread_setname_np(core->thread, tname);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	ret = pthread_setaffinity_np(core->thread, sizeof(set), &set);
	if (ret != 0) {
		LVDPA_VDPA_DLOG(priv, ERR, "invalid devarg relay_core=%d: %s", cpu,
				strerror(ret));
		__atomic_store_n(&core->quit, true, __ATOMIC_RELEASE);
		(void)eventfd_write(core->wake_fd, 1);
		pthread_join(core->thread, NULL);
		lvdpa_vdpa_relay_core_free(core);
		return NULL;
	}
	return core;
}

int
lvdpa_vdpa_relay_core_attach(struct lvdpa_vdpa_priv *priv)
{
	struct lvdpa_vdpa_relay_core *core;
	int cpu = priv->cfg.relay_core;

	if (cpu < 0 || priv->rcore != NULL)
		return 0;
	pthread_mutex_lock(&lvdpa_vdpa_rcores_lock);
	for (core = lvdpa_vdpa_rcores; core != NULL; core = core->next)
		if (core->cpu == cpu)
			break;
	if (core == NULL) {
		core = lvdpa_vdpa_relay_core_new(priv, cpu);
		if (core == NULL) {
			pthread_mutex_unlock(&lvdpa_vdpa_rcores_lock);
			return -EINVAL;
		}
		core->next = lvdpa_vdpa_rcores;
		lvdpa_vdpa_rcores = core;
	}
	core->refcnt++;
	pthread_mutex_lock(&core->lock);
	priv->rcore_next = core->members;
	core->members = priv;
	priv->rcore = core;
	pthread_mutex_unlock(&core->lock);
	LVDPA_VDPA_DLOG(priv, INFO, "relayed queues served by the relay thread of CPU %d (%u devices)",
			cpu, core->refcnt);
	pthread_mutex_unlock(&lvdpa_vdpa_rcores_lock);
	return 0;
}

void
lvdpa_vdpa_relay_core_detach(struct lvdpa_vdpa_priv *priv)
{
	struct lvdpa_vdpa_relay_core *core = priv->rcore, **pcore;
	struct lvdpa_vdpa_priv **pp;

	if (core == NULL)
		return;
	/* The event thread passes kicks on under priv->lock: not any more. */
	pthread_mutex_lock(&priv->lock);
	priv->rcore = NULL;
	pthread_mutex_unlock(&priv->lock);
	pthread_mutex_lock(&lvdpa_vdpa_rcores_lock);
	/* After this the thread never sees the device again. */
	pthread_mutex_lock(&core->lock);
	for (pp = &core->members; *pp != NULL; pp = &(*pp)->rcore_next)
		if (*pp == priv) {
			*pp = priv->rcore_next;
			break;
		}
	priv->rcore_next = NULL;
	pthread_mutex_unlock(&core->lock);
	if (--core->refcnt == 0) {
		for (pcore = &lvdpa_vdpa_rcores; *pcore != NULL; pcore = &(*pcore)->next)
			if (*pcore == core) {
				*pcore = core->next;
				break;
			}
		__atomic_store_n(&core->quit, true, __ATOMIC_RELEASE);
		(void)eventfd_write(core->wake_fd, 1);
		pthread_join(core->thread, NULL);
		lvdpa_vdpa_relay_core_free(core);
	}
	pthread_mutex_unlock(&lvdpa_vdpa_rcores_lock);
}
