/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef TEST_LEGACY_COMMON_H
#define TEST_LEGACY_COMMON_H

/*
 * Helpers shared by the legacy integration tests: lvdpa_guest as the
 * frontend, rte_vhost with lvdpa_vhost as the backend, in one process.
 * Raw messages go through lvdpa_guest_send_raw(); the request numbers and
 * flags are the vhost-user spec's (the guest library keeps its own private).
 */

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lvdpa_guest.h"

#define LVDPA_TL_REQ_GET_FEATURES 1
#define LVDPA_TL_REQ_SET_FEATURES 2
#define LVDPA_TL_REQ_SET_OWNER 3
#define LVDPA_TL_REQ_RESET_OWNER 4
#define LVDPA_TL_REQ_GET_PROTOCOL_FEATURES 15
#define LVDPA_TL_REQ_SET_PROTOCOL_FEATURES 16
#define LVDPA_TL_REQ_SET_VRING_ENDIAN 23
#define LVDPA_TL_REQ_GET_CONFIG 24
#define LVDPA_TL_REQ_SET_STATUS 39

#define LVDPA_TL_FLAGS 0x1		/* version 1 */
#define LVDPA_TL_NEED_REPLY 0x8

#define LVDPA_TL_BIT(b) (UINT64_C(1) << (b))
#define LVDPA_TL_F_CSUM LVDPA_TL_BIT(0)
#define LVDPA_TL_F_MAC LVDPA_TL_BIT(5)
#define LVDPA_TL_F_MRG_RXBUF LVDPA_TL_BIT(15)
#define LVDPA_TL_F_PROTOCOL_FEATURES LVDPA_TL_BIT(30)
#define LVDPA_TL_F_VERSION_1 LVDPA_TL_BIT(32)
#define LVDPA_TL_PF_REPLY_ACK LVDPA_TL_BIT(LVDPA_GUEST_PF_REPLY_ACK)
#define LVDPA_TL_PF_CROSS_ENDIAN LVDPA_TL_BIT(LVDPA_GUEST_PF_CROSS_ENDIAN)
#define LVDPA_TL_PF_CONFIG LVDPA_TL_BIT(LVDPA_GUEST_PF_CONFIG)

/* Defaults for every guest here: small memory, short timeouts. */
static inline void
lvdpa_tl_cfg(struct lvdpa_guest_config *cfg, const char *path,
	     uint64_t features)
{
	lvdpa_guest_config_init(cfg);
	cfg->socket_path = path;
	cfg->features = features;
	cfg->timeout_ms = 3000;
	cfg->mem_size = 16ULL << 20;
}

/* A request without payload whose reply is a u64 (GET_*). */
static inline int
lvdpa_tl_get_u64(struct lvdpa_guest *g, uint32_t req, uint64_t *val)
{
	uint64_t v = 0;
	int rc;

	rc = lvdpa_guest_send_raw(g, req, LVDPA_TL_FLAGS, 0, NULL, 0, NULL, 0,
				  &v, sizeof(v));
	if (rc < 0)
		return rc;
	if (rc != (int)sizeof(v))
		return -EPROTO;
	*val = v;
	return 0;
}

/*
 * A request with NEED_REPLY: @p size is what the header announces, @p len
 * what is really sent. *ack is the backend's verdict (0 accepted).
 */
static inline int
lvdpa_tl_ack(struct lvdpa_guest *g, uint32_t req, uint32_t size,
	     const void *pl, size_t len, uint64_t *ack)
{
	uint64_t v = UINT64_MAX;
	int rc;

	rc = lvdpa_guest_send_raw(g, req, LVDPA_TL_FLAGS | LVDPA_TL_NEED_REPLY,
				  size, pl, len, NULL, 0, &v, sizeof(v));
	if (rc < 0)
		return rc;
	if (rc != (int)sizeof(v))
		return -EPROTO;
	*ack = v;
	return 0;
}

static inline int
lvdpa_tl_ack_u64(struct lvdpa_guest *g, uint32_t req, uint64_t val,
		 uint64_t *ack)
{
	return lvdpa_tl_ack(g, req, sizeof(val), &val, sizeof(val), ack);
}

/* SET_VRING_ENDIAN {index, num} with NEED_REPLY. */
static inline int
lvdpa_tl_set_endian(struct lvdpa_guest *g, uint32_t index, uint32_t num,
		    uint64_t *ack)
{
	uint32_t pl[2] = { index, num };

	return lvdpa_tl_ack(g, LVDPA_TL_REQ_SET_VRING_ENDIAN, sizeof(pl), pl,
			    sizeof(pl), ack);
}

/*
 * rte_vhost handles one connection's messages in order: once a request
 * with a reply came back, every message sent before it was processed.
 * Also proves that the connection is still served. Features in *f.
 */
static inline int
lvdpa_tl_sync(struct lvdpa_guest *g, uint64_t *f)
{
	uint64_t v;

	return lvdpa_tl_get_u64(g, LVDPA_TL_REQ_GET_FEATURES, f != NULL ? f : &v);
}

/*
 * Clean-up beyond atexit: a sanitizer abort or a SIGKILL skips it, so each
 * program first removes what a dead earlier run of these tests left (names
 * carry the pid); SIGTERM (meson's timeout) and SIGINT remove the sockets
 * and the directory with async-signal-safe calls before dying.
 */
#define LVDPA_TL_MAX_PATHS 4
static char lvdpa_tl_dir[64];
static char lvdpa_tl_paths[LVDPA_TL_MAX_PATHS][128];

static inline bool
lvdpa_tl_pid_dead(const char *s)
{
	char *end;
	long pid = strtol(s, &end, 10);

	return end != s && pid > 0 && pid != (long)getpid() &&
		kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Remove the /tmp directories and EAL runtime directories of dead runs. */
static inline void
lvdpa_tl_sweep(void)
{
	char cmd[400];
	struct dirent *e;
	DIR *d;

	d = opendir("/tmp");
	while (d != NULL && (e = readdir(d)) != NULL) {
		/* lvdpa-legacy-<pid>-XXXXXX */
		if (strncmp(e->d_name, "lvdpa-legacy-", 13) == 0 &&
		    lvdpa_tl_pid_dead(e->d_name + 13)) {
			snprintf(cmd, sizeof(cmd), "rm -rf '/tmp/%s'", e->d_name);
			if (system(cmd) != 0)
				fprintf(stderr, "# could not remove /tmp/%s\n",
					e->d_name);
		}
	}
	if (d != NULL)
		closedir(d);
	d = opendir("/var/run/dpdk");
	while (d != NULL && (e = readdir(d)) != NULL) {
		/* lvdpa-legacy-<topic>-<pid> (lvdpa_test_eal_init) */
		const char *dash = strrchr(e->d_name, '-');

		if (strncmp(e->d_name, "lvdpa-legacy-", 13) == 0 &&
		    dash != NULL && lvdpa_tl_pid_dead(dash + 1)) {
			snprintf(cmd, sizeof(cmd), "rm -rf '/var/run/dpdk/%s'",
				 e->d_name);
			if (system(cmd) != 0)
				fprintf(stderr, "# could not remove /var/run/dpdk/%s\n",
					e->d_name);
		}
	}
	if (d != NULL)
		closedir(d);
}

static void
lvdpa_tl_on_signal(int sig)
{
	unsigned int i;

	for (i = 0; i < LVDPA_TL_MAX_PATHS; i++)
		if (lvdpa_tl_paths[i][0] != '\0')
			unlink(lvdpa_tl_paths[i]);
	if (lvdpa_tl_dir[0] != '\0')
		rmdir(lvdpa_tl_dir);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Sweep, then create this run's private directory (its name in
 * lvdpa_tl_dir) and fill @p paths with "<dir>/<names[i]>.sock", which the
 * signal handler removes. 0 or -1.
 */
static inline int
lvdpa_tl_mkdir(const char *const *names, unsigned int n,
	       char (*paths)[128])
{
	unsigned int i;

	if (n > LVDPA_TL_MAX_PATHS)
		return -1;
	lvdpa_tl_sweep();
	snprintf(lvdpa_tl_dir, sizeof(lvdpa_tl_dir),
		 "/tmp/lvdpa-legacy-%d-XXXXXX", (int)getpid());
	if (mkdtemp(lvdpa_tl_dir) == NULL) {
		lvdpa_tl_dir[0] = '\0';
		return -1;
	}
	for (i = 0; i < n; i++) {
		snprintf(paths[i], 128, "%s/%s.sock", lvdpa_tl_dir, names[i]);
		memcpy(lvdpa_tl_paths[i], paths[i], 128);
	}
	signal(SIGTERM, lvdpa_tl_on_signal);
	signal(SIGINT, lvdpa_tl_on_signal);
	return 0;
}

#endif /* TEST_LEGACY_COMMON_H */
