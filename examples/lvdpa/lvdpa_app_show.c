/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * What the app shows: the negotiated state of each guest and per-queue
 * statistics.
 *
 * The state of a legacy guest (its byte order per vring and for the
 * device, whether the relay serves it) lives in lib/lvdpa_vhost, which the
 * PMD links into its shared object and attaches to every connection from
 * its get_features op. The app must not link a second copy of that library:
 * the copy would hold no state (the connections are attached to the PMD's
 * copy, and rte_vhost has a single extern-handler slot per connection, so
 * the app's copy could not attach as well). Instead the app asks the PMD:
 * lvdpa_vdpa_get_guest_state(), exported by librte_vdpa_lvdpa.so, found
 * with dlsym() in whichever loaded object defines it (EAL loads -d drivers
 * RTLD_LOCAL, so the symbol is not in the global scope). Without it the
 * app shows what rte_vhost itself knows: features, protocol features, and
 * what follows from them (legacy or modern, header length, little endian
 * for a modern guest).
 */

#define _GNU_SOURCE
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_vhost.h>

#include "lvdpa_virtio.h"
#include "lvdpa_app.h"

/**
 * What the app expects of the PMD: the negotiated state of guest @p vid
 * (the lib/lvdpa_vhost view) and whether the relay serves it (@p relay may
 * be NULL). 0, or -ENODEV when @p vid is not a guest of an lvdpa device.
 */
typedef int (*lvdpa_app_state_fn)(int vid, struct lvdpa_vhost_state *state,
				  bool *relay);
#define LVDPA_APP_STATE_SYM "lvdpa_vdpa_get_guest_state"

static lvdpa_app_state_fn lvdpa_app_state_query;

static int
lvdpa_app_find_sym(struct dl_phdr_info *info, size_t size, void *arg)
{
	void *h, *sym;

	RTE_SET_USED(size);
	RTE_SET_USED(arg);
	if (info->dlpi_name == NULL || info->dlpi_name[0] == '\0')
		return 0;
	/* Only objects already loaded; the reference is dropped at once. */
	h = dlopen(info->dlpi_name, RTLD_NOW | RTLD_NOLOAD);
	if (h == NULL)
		return 0;
	sym = dlsym(h, LVDPA_APP_STATE_SYM);
	dlclose(h);
	if (sym == NULL)
		return 0;
	lvdpa_app_state_query = (lvdpa_app_state_fn)(uintptr_t)sym;
	return 1;
}

void
lvdpa_app_state_init(void)
{
	void *sym = dlsym(RTLD_DEFAULT, LVDPA_APP_STATE_SYM);

	if (sym != NULL)
		lvdpa_app_state_query = (lvdpa_app_state_fn)(uintptr_t)sym;
	else
		dl_iterate_phdr(lvdpa_app_find_sym, NULL);
	if (lvdpa_app_state_query == NULL)
		LVDPA_APP_LOG(INFO, "no loaded driver exports %s: guest state from rte_vhost only",
			      LVDPA_APP_STATE_SYM);
}

bool
lvdpa_app_state_from_driver(void)
{
	return lvdpa_app_state_query != NULL;
}

int
lvdpa_app_state_get(int vid, struct lvdpa_app_state *st)
{
	uint64_t f = 0, pf = 0;
	bool relay = false;

	memset(st, 0, sizeof(*st));
	if (rte_vhost_get_negotiated_features(vid, &f) != 0)
		return -ENODEV;
	if (rte_vhost_get_negotiated_protocol_features(vid, &pf) != 0)
		pf = 0;
	st->features = f;
	st->protocol_features = pf;
	st->nr_vrings = rte_vhost_get_vring_num(vid);
	if (lvdpa_app_state_query != NULL &&
	    lvdpa_app_state_query(vid, &st->vhost, &relay) == 0) {
		st->from_driver = true;
		st->relay = relay;
		st->features = st->vhost.features;
		st->legacy = st->vhost.legacy;
		st->hdr_len = st->vhost.hdr_len;
		st->features &= ~LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_PROTOCOL_FEATURES);
		return 0;
	}
	/*
	 * Bit 30 is vhost-user's own (protocol features acked), not a virtio
	 * feature the guest's driver chose: shown as protocol features.
	 */
	st->features &= ~LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_PROTOCOL_FEATURES);
	st->legacy = !(f & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_VERSION_1));
	/* virtio 1.0 5.1.6.1: 12 bytes with VERSION_1 or MRG_RXBUF. */
	st->hdr_len = st->legacy &&
		!(f & LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_MRG_RXBUF)) ? 10 : 12;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Names. */

static const char *const lvdpa_app_feature_names[64] = {
	[LVDPA_VIRTIO_NET_F_CSUM] = "csum",
	[LVDPA_VIRTIO_NET_F_GUEST_CSUM] = "guest_csum",
	[LVDPA_VIRTIO_NET_F_CTRL_GUEST_OFFLOADS] = "ctrl_guest_offloads",
	[LVDPA_VIRTIO_NET_F_MTU] = "mtu",
	[LVDPA_VIRTIO_NET_F_MAC] = "mac",
	[LVDPA_VIRTIO_NET_F_GSO] = "gso",
	[LVDPA_VIRTIO_NET_F_GUEST_TSO4] = "guest_tso4",
	[LVDPA_VIRTIO_NET_F_GUEST_TSO6] = "guest_tso6",
	[LVDPA_VIRTIO_NET_F_GUEST_ECN] = "guest_ecn",
	[LVDPA_VIRTIO_NET_F_GUEST_UFO] = "guest_ufo",
	[LVDPA_VIRTIO_NET_F_HOST_TSO4] = "host_tso4",
	[LVDPA_VIRTIO_NET_F_HOST_TSO6] = "host_tso6",
	[LVDPA_VIRTIO_NET_F_HOST_ECN] = "host_ecn",
	[LVDPA_VIRTIO_NET_F_HOST_UFO] = "host_ufo",
	[LVDPA_VIRTIO_NET_F_MRG_RXBUF] = "mrg_rxbuf",
	[LVDPA_VIRTIO_NET_F_STATUS] = "status",
	[LVDPA_VIRTIO_NET_F_CTRL_VQ] = "ctrl_vq",
	[LVDPA_VIRTIO_NET_F_CTRL_RX] = "ctrl_rx",
	[LVDPA_VIRTIO_NET_F_CTRL_VLAN] = "ctrl_vlan",
	[LVDPA_VIRTIO_NET_F_CTRL_RX_EXTRA] = "ctrl_rx_extra",
	[LVDPA_VIRTIO_NET_F_GUEST_ANNOUNCE] = "guest_announce",
	[LVDPA_VIRTIO_NET_F_MQ] = "mq",
	[LVDPA_VIRTIO_NET_F_CTRL_MAC_ADDR] = "ctrl_mac_addr",
	[LVDPA_VIRTIO_F_NOTIFY_ON_EMPTY] = "notify_on_empty",
	[LVDPA_VIRTIO_F_LOG_ALL] = "log_all",
	[LVDPA_VIRTIO_F_ANY_LAYOUT] = "any_layout",
	[LVDPA_VIRTIO_F_INDIRECT_DESC] = "indirect_desc",
	[LVDPA_VIRTIO_F_EVENT_IDX] = "event_idx",
	[LVDPA_VIRTIO_F_PROTOCOL_FEATURES] = "protocol_features",
	[LVDPA_VIRTIO_F_VERSION_1] = "version_1",
	[LVDPA_VIRTIO_F_ACCESS_PLATFORM] = "access_platform",
	[LVDPA_VIRTIO_F_RING_PACKED] = "ring_packed",
	[LVDPA_VIRTIO_F_IN_ORDER] = "in_order",
	[LVDPA_VIRTIO_F_ORDER_PLATFORM] = "order_platform",
	[LVDPA_VIRTIO_F_SR_IOV] = "sr_iov",
	[LVDPA_VIRTIO_F_NOTIFICATION_DATA] = "notification_data",
	[LVDPA_VIRTIO_NET_F_SPEED_DUPLEX] = "speed_duplex",
};

/* vhost-user protocol feature bits (vhost-user.rst). */
static const char *const lvdpa_app_pf_names[64] = {
	[0] = "mq", [1] = "log_shmfd", [2] = "rarp", [3] = "reply_ack",
	[4] = "net_mtu", [5] = "backend_req", [6] = "cross_endian",
	[7] = "crypto_session", [8] = "pagefault", [9] = "config",
	[10] = "backend_send_fd", [11] = "host_notifier",
	[12] = "inflight_shmfd", [13] = "reset_device",
	[14] = "inband_notifications", [15] = "configure_mem_slots",
	[16] = "status",
};

static void
lvdpa_app_bits_str(uint64_t v, const char *const names[64], char *buf,
		   size_t len)
{
	size_t off = 0;
	unsigned int b;

	buf[0] = '\0';
	if (v == 0) {
		snprintf(buf, len, "none");
		return;
	}
	for (b = 0; b < 64 && off < len; b++) {
		int n;

		if (!(v & (1ULL << b)))
			continue;
		if (names[b] != NULL)
			n = snprintf(buf + off, len - off, "%s%s", off ? " " : "",
				     names[b]);
		else
			n = snprintf(buf + off, len - off, "%sbit%u", off ? " " : "",
				     b);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

void
lvdpa_app_features_str(uint64_t features, char *buf, size_t len)
{
	lvdpa_app_bits_str(features, lvdpa_app_feature_names, buf, len);
}

void
lvdpa_app_protocol_features_str(uint64_t pf, char *buf, size_t len)
{
	lvdpa_app_bits_str(pf, lvdpa_app_pf_names, buf, len);
}

static const char *
lvdpa_app_endian_str(uint8_t e)
{
	return e == LVDPA_VHOST_ENDIAN_BIG ? "big" : "little";
}

/* ------------------------------------------------------------------ */
/* Text. */

void
lvdpa_app_show_devices(FILE *f)
{
	struct rte_dev_iterator it;
	struct rte_device *rdev;
	char names[1024];
	unsigned int n = 0;

	fprintf(f, "%-16s %-6s %-18s %s\n", "device", "queues", "features",
		"socket");
	RTE_DEV_FOREACH(rdev, "class=vdpa", &it) {
		const char *name = rte_dev_name(rdev);
		struct rte_vdpa_device *dev = rte_vdpa_find_device_by_name(name);
		char path[LVDPA_APP_PATH_LEN] = "-";
		uint32_t qn = 0;
		uint64_t feat = 0;
		unsigned int i;

		if (dev == NULL)
			continue;
		if (rte_vdpa_get_queue_num(dev, &qn) != 0 ||
		    rte_vdpa_get_features(dev, &feat) != 0) {
			fprintf(f, "%-16s (does not answer)\n", name);
			continue;
		}
		pthread_mutex_lock(&lvdpa_app_lock);
		for (i = 0; i < LVDPA_APP_MAX_PORTS; i++)
			if (lvdpa_app_ports[i].used && lvdpa_app_ports[i].dev == dev)
				snprintf(path, sizeof(path), "%s",
					 lvdpa_app_ports[i].path);
		pthread_mutex_unlock(&lvdpa_app_lock);
		lvdpa_app_features_str(feat, names, sizeof(names));
		fprintf(f, "%-16s %-6" PRIu32 " 0x%016" PRIx64 " %s\n", name, qn,
			feat, path);
		fprintf(f, "%-16s %-6s %s\n", "", "", names);
		n++;
	}
	if (n == 0)
		fprintf(f, "no vDPA device (load a driver with -d, add one with --vdev)\n");
}

/* Print the state of port @p p (a copy taken under the lock). */
static void
lvdpa_app_show_port_state(FILE *f, const struct lvdpa_app_port *p)
{
	struct lvdpa_app_state st;
	char buf[1024];
	unsigned int i;

	fprintf(f, "port %s, device %s: ", p->path, p->dev_name);
	if (p->vid >= 0 && lvdpa_app_state_get(p->vid, &st) == 0) {
		fprintf(f, "guest running (vid %d)\n", p->vid);
	} else if (p->last_valid) {
		fprintf(f, "no guest (%" PRIu64 " served); the last one (vid %d) had:\n",
			p->guests, p->last_vid);
		st = p->last;
	} else {
		fprintf(f, "no guest (%" PRIu64 " served)\n", p->guests);
		return;
	}
	fprintf(f, "  mode:              %s\n", st.legacy ?
		"legacy (virtio 0.9.5, no VERSION_1)" : "modern (virtio 1.0)");
	lvdpa_app_features_str(st.features, buf, sizeof(buf));
	fprintf(f, "  features:          0x%016" PRIx64 " (%s)\n", st.features, buf);
	lvdpa_app_protocol_features_str(st.protocol_features, buf, sizeof(buf));
	fprintf(f, "  protocol features: 0x%" PRIx64 " (%s)\n",
		st.protocol_features, buf);
	fprintf(f, "  header length:     %u bytes\n", st.hdr_len);
	if (st.from_driver) {
		const struct lvdpa_vhost_state *v = &st.vhost;
		size_t off = 0;

		fprintf(f, "  device endian:     %s%s\n",
			lvdpa_app_endian_str(v->device_endian),
			v->endian_mixed ? " (vrings disagree)" : "");
		buf[0] = '\0';
		/* The vrings the guest set up (the library may track more). */
		for (i = 0; i < v->nr_vrings && i < st.nr_vrings &&
		     i < LVDPA_VHOST_MAX_VRINGS && off < sizeof(buf); i++) {
			int n = snprintf(buf + off, sizeof(buf) - off, "%s%u:%s",
					 i ? " " : "", i,
					 lvdpa_app_endian_str(v->vring_endian[i]));

			if (n < 0)
				break;
			off += (size_t)n;
		}
		fprintf(f, "  vring endian:      %s\n", buf[0] ? buf : "(no vring)");
		fprintf(f, "  cross-endian:      %s\n", v->cross_endian ?
			"negotiated" : "not negotiated");
		fprintf(f, "  datapath:          %s\n", st.relay ?
			"relay (shadow virtqueues)" : "direct (the device serves the rings)");
		fprintf(f, "  host order:        %s\n",
			v->host_order == LVDPA_VHOST_ORDER_WEAK ? "weak" : "strong");
	} else if (!st.legacy) {
		fprintf(f, "  device endian:     little (VERSION_1)\n");
		fprintf(f, "  vring endian:      little (VERSION_1)\n");
		fprintf(f, "  datapath:          unknown (the driver exports no guest state)\n");
	} else {
		fprintf(f, "  device endian:     unknown (the driver exports no guest state)\n");
		fprintf(f, "  vring endian:      unknown (the driver exports no guest state)\n");
		fprintf(f, "  datapath:          unknown (the driver exports no guest state)\n");
	}
	fprintf(f, "  vrings:            %u\n", st.nr_vrings);
	fprintf(f, "  source:            %s\n", st.from_driver ? "driver" :
		"rte_vhost (the driver exports no guest state)");
}

int
lvdpa_app_show_state(FILE *f, const char *path)
{
	struct lvdpa_app_port copy;
	unsigned int i, n = 0;

	for (i = 0; i < LVDPA_APP_MAX_PORTS; i++) {
		bool show;

		pthread_mutex_lock(&lvdpa_app_lock);
		copy = lvdpa_app_ports[i];
		pthread_mutex_unlock(&lvdpa_app_lock);
		show = copy.used && copy.ready &&
			(path == NULL || strcmp(copy.path, path) == 0);
		if (!show)
			continue;
		lvdpa_app_show_port_state(f, &copy);
		n++;
	}
	if (n == 0) {
		if (path != NULL)
			fprintf(f, "no port on %s\n", path);
		else
			fprintf(f, "no port\n");
		return -ENOENT;
	}
	return 0;
}

int
lvdpa_app_stats_get(struct rte_vdpa_device *dev, int qid,
		    struct rte_vdpa_stat_name *names, uint64_t *values,
		    unsigned int n)
{
	struct rte_vdpa_stat stats[LVDPA_APP_MAX_STATS];
	int nn, rc, i;

	nn = rte_vdpa_get_stats_names(dev, NULL, 0);
	if (nn <= 0)
		return nn < 0 ? nn : -ENOTSUP;
	if ((unsigned int)nn > n)
		nn = (int)n;
	if (nn > LVDPA_APP_MAX_STATS)
		nn = LVDPA_APP_MAX_STATS;
	if (rte_vdpa_get_stats_names(dev, names, nn) < nn)
		return -EIO;
	memset(stats, 0, sizeof(stats[0]) * nn);
	rc = rte_vdpa_get_stats(dev, qid, stats, nn);
	if (rc < 0)
		return rc;
	for (i = 0; i < nn; i++)
		values[i] = 0;
	for (i = 0; i < rc && i < nn; i++)
		if (stats[i].id < (uint64_t)nn)
			values[stats[i].id] = stats[i].value;
	return nn;
}

/* Queues to show for @p dev: the running or last guest's, else all. */
static unsigned int
lvdpa_app_stats_queues(struct rte_vdpa_device *dev)
{
	uint32_t qn = 0;
	unsigned int i, nr = 0;

	pthread_mutex_lock(&lvdpa_app_lock);
	for (i = 0; i < LVDPA_APP_MAX_PORTS; i++)
		if (lvdpa_app_ports[i].used && lvdpa_app_ports[i].dev == dev)
			nr = lvdpa_app_ports[i].nr_vrings;
	pthread_mutex_unlock(&lvdpa_app_lock);
	if (nr != 0)
		return nr;
	if (rte_vdpa_get_queue_num(dev, &qn) != 0)
		return 0;
	return qn * 2;
}

int
lvdpa_app_show_stats(FILE *f, const char *dev_name, int qid)
{
	struct rte_vdpa_device *dev = rte_vdpa_find_device_by_name(dev_name);
	struct rte_vdpa_stat_name names[LVDPA_APP_MAX_STATS];
	uint64_t values[LVDPA_APP_MAX_STATS];
	unsigned int q, first, last;
	int n, i;

	if (dev == NULL) {
		fprintf(f, "no vDPA device named %s\n", dev_name);
		return -ENODEV;
	}
	if (qid >= 0) {
		first = last = (unsigned int)qid;
	} else {
		first = 0;
		last = lvdpa_app_stats_queues(dev);
		if (last == 0) {
			fprintf(f, "%s: no queue\n", dev_name);
			return -ENOENT;
		}
		last--;
	}
	fprintf(f, "device %s:\n", dev_name);
	for (q = first; q <= last; q++) {
		n = lvdpa_app_stats_get(dev, (int)q, names, values,
					LVDPA_APP_MAX_STATS);
		if (n < 0) {
			fprintf(f, "  queue %u: no statistics (%s)\n", q,
				strerror(-n));
			return n;
		}
		fprintf(f, "  queue %u (%s):\n", q, q & 1 ? "tx" : "rx");
		for (i = 0; i < n; i++)
			fprintf(f, "    %-32s %" PRIu64 "\n", names[i].name,
				values[i]);
	}
	return 0;
}

/* Value of the counter called @p name in @p names, 0 when absent. */
static uint64_t
lvdpa_app_stat_of(const struct rte_vdpa_stat_name *names,
		  const uint64_t *values, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i].name, name) == 0)
			return values[i];
	return 0;
}

void
lvdpa_app_show_status(FILE *f)
{
	struct rte_vdpa_stat_name names[LVDPA_APP_MAX_STATS];
	uint64_t values[LVDPA_APP_MAX_STATS];
	struct lvdpa_app_port copy;
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	unsigned int i, n = 0;

	strftime(when, sizeof(when), "%H:%M:%S", localtime_r(&now, &tm));
	for (i = 0; i < LVDPA_APP_MAX_PORTS; i++) {
		struct lvdpa_app_state st;
		uint64_t rx = 0, tx = 0;
		unsigned int q;

		pthread_mutex_lock(&lvdpa_app_lock);
		copy = lvdpa_app_ports[i];
		pthread_mutex_unlock(&lvdpa_app_lock);
		if (!copy.used || !copy.ready)
			continue;
		n++;
		/* Descriptors completed by the device: rx queues even, tx odd. */
		for (q = 0; q < copy.nr_vrings; q++) {
			int k = lvdpa_app_stats_get(copy.dev, (int)q, names, values,
						    LVDPA_APP_MAX_STATS);

			if (k <= 0)
				continue;
			if (q & 1)
				tx += lvdpa_app_stat_of(names, values, k,
							"completed_descriptors");
			else
				rx += lvdpa_app_stat_of(names, values, k,
							"completed_descriptors");
		}
		if (copy.vid >= 0 && lvdpa_app_state_get(copy.vid, &st) == 0)
			fprintf(f, "[%s] %s %s: guest vid %d %s hdr %u, rx %" PRIu64
				" tx %" PRIu64 " descriptors\n", when, copy.dev_name,
				copy.path, copy.vid, st.legacy ? "legacy" : "modern",
				st.hdr_len, rx, tx);
		else
			fprintf(f, "[%s] %s %s: no guest (%" PRIu64 " served), rx %"
				PRIu64 " tx %" PRIu64 " descriptors\n", when,
				copy.dev_name, copy.path, copy.guests, rx, tx);
	}
	if (n == 0)
		fprintf(f, "[%s] no port\n", when);
}

void
lvdpa_app_stat_key(char *dst, size_t len, unsigned int q, const char *name)
{
	size_t i;

	snprintf(dst, len, "q%u_%s", q, name);
	for (i = 0; dst[i] != '\0'; i++)
		if (!isalnum((unsigned char)dst[i]))
			dst[i] = '_';
}
