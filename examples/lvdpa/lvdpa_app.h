/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_APP_H
#define LVDPA_APP_H

/**
 * @file
 * Private header of the lvdpa sample app, shared by its files:
 * - main.c                 options, ports (sockets), vhost callbacks, the
 *                          main loop, signals, shutdown;
 * - lvdpa_app_show.c       state and statistics as text (commands, status
 *                          line) and as telemetry data;
 * - lvdpa_app_cmd.c        the interactive commands (DPDK cmdline);
 * - lvdpa_app_telemetry.c  /lvdpa/... telemetry commands.
 *
 * The ports table is read by the main thread, the vhost thread (new and
 * destroyed guests) and the telemetry thread: every access holds
 * lvdpa_app_lock. rte_vhost_driver_*() calls never run under it, since
 * unregistering a socket calls destroy_device, which takes it.
 */

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/un.h>

#include <rte_dev.h>
#include <rte_log.h>
#include <rte_vdpa.h>

#include "lvdpa_vhost.h"

extern int lvdpa_app_logtype;

#define LVDPA_APP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, lvdpa_app_logtype, "lvdpa-sample: " fmt "\n", \
		##__VA_ARGS__)

/** Ports (sockets) at most. */
#define LVDPA_APP_MAX_PORTS 64
/** A socket path: what sockaddr_un can hold. */
#define LVDPA_APP_PATH_LEN sizeof(((struct sockaddr_un *)0)->sun_path)


/**
 * What a guest negotiated, as the app shows it. The driver's view comes
 * from the PMD (lvdpa_vdpa_get_guest_state(), see lvdpa_app_state_get());
 * without it only what rte_vhost knows is filled.
 */
struct lvdpa_app_state {
	bool from_driver;             /**< vhost and relay below are valid */
	uint64_t features;
	uint64_t protocol_features;
	bool legacy;
	uint16_t hdr_len;
	uint16_t nr_vrings;
	bool relay;                   /**< served through the relay */
	struct lvdpa_vhost_state vhost;
};

/** One vhost-user socket with its vDPA device. */
struct lvdpa_app_port {
	bool used;
	bool ready;                   /**< registered and started */
	char path[LVDPA_APP_PATH_LEN];
	char dev_name[RTE_DEV_NAME_MAX_LEN];
	struct rte_vdpa_device *dev;
	uint64_t flags;               /**< rte_vhost_driver_register() flags */
	int vid;                      /**< guest running (new_device), else -1 */
	uint16_t nr_vrings;           /**< of the running or last guest, 0 none */
	uint64_t guests;              /**< guests started on this port */
	/** State of the running guest, or of the last one once it stopped. */
	bool last_valid;
	int last_vid;
	struct lvdpa_app_state last;
};


extern pthread_mutex_t lvdpa_app_lock;
extern struct lvdpa_app_port lvdpa_app_ports[LVDPA_APP_MAX_PORTS];
/** Set by the quit command: the main loop leaves. */
extern volatile bool lvdpa_app_quit;

/* ---- main.c ---- */

/** Create a port: register @p path, attach @p dev_name, widen, start. */
int lvdpa_app_port_create(const char *path, const char *dev_name);

/** Remove the port on @p path: unregister, remove the socket file. */
int lvdpa_app_port_remove(const char *path);

/* ---- lvdpa_app_show.c ---- */

/** Find the PMD's state query; call once after rte_eal_init(). */
void lvdpa_app_state_init(void);

/** Whether the loaded PMD exports its guest state query. */
bool lvdpa_app_state_from_driver(void);

/** Negotiated state of guest @p vid; 0 or a negative errno. */
int lvdpa_app_state_get(int vid, struct lvdpa_app_state *st);

/** Feature names of @p features, space-separated, into @p buf. */
void lvdpa_app_features_str(uint64_t features, char *buf, size_t len);

/** Protocol feature names of @p pf, space-separated, into @p buf. */
void lvdpa_app_protocol_features_str(uint64_t pf, char *buf, size_t len);

/** Print every class=vdpa device (the list command). */
void lvdpa_app_show_devices(FILE *f);

/** Print the state of the port on @p path, or of all ports (NULL). */
int lvdpa_app_show_state(FILE *f, const char *path);

/** Print statistics of @p dev_name, queue @p qid or all (-1). */
int lvdpa_app_show_stats(FILE *f, const char *dev_name, int qid);

/** Counters per queue at most. */
#define LVDPA_APP_MAX_STATS 32

/** Telemetry key "q<q>_<name>" (characters other than letters and digits become '_'). */
void lvdpa_app_stat_key(char *dst, size_t len, unsigned int q, const char *name);

/** Print one status line per port (plain mode). */
void lvdpa_app_show_status(FILE *f);

/**
 * Statistics of queue @p qid of @p dev: names and values, up to @p n.
 * @return the number of values, or a negative errno
 */
int lvdpa_app_stats_get(struct rte_vdpa_device *dev, int qid,
		struct rte_vdpa_stat_name *names, uint64_t *values,
		unsigned int n);

/* ---- lvdpa_app_cmd.c ---- */

struct cmdline;

/** The interactive command line on stdin/stdout. */
struct cmdline *lvdpa_app_cmdline_new(void);

/* ---- lvdpa_app_telemetry.c ---- */

/** Register /lvdpa/list, /lvdpa/stats and /lvdpa/state. */
int lvdpa_app_telemetry_register(void);

#endif /* LVDPA_APP_H */
