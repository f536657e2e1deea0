/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The PMD's config-space and live-migration ops, driven over a real
 * vhost-user connection by app/lvdpa-guest (raw messages where the guest
 * has no API):
 * - GET_CONFIG before any feature is set returns the device's virtio-net
 *   config; a size beyond the config space is refused; SET_CONFIG may
 *   change the MAC only;
 * - a frontend that lies in GET_CONFIG / SET_CONFIG (a size past the
 *   config space, a huge offset, offset + size wrapping around 32 bits, a
 *   message size that disagrees with the config size): refused with a
 *   log line naming the value, the config unchanged, the connection kept;
 * - VHOST_F_LOG_ALL turns dirty logging on and off: with it, the device
 *   marks the guest pages it writes in the vhost log (set with
 *   SET_LOG_BASE), without it nothing; GET_VRING_BASE returns the indices
 *   where the device stopped (rte_vhost itself never moved them);
 * - a queue whose device refuses to turn dirty logging on (the modifies run
 *   in parallel on the configuration threads) logs its error once, logging
 *   is not reported on, and the next LOG_ALL turns it on for every queue.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lvdpa_guest.h"
#include "lvdpa_test.h"
#include "test_vdpa_common.h"

#define LVDPA_OPS_F_VERSION 0x1
#define LVDPA_OPS_F_NEED_REPLY 0x8
#define LVDPA_OPS_GET_FEATURES 1
#define LVDPA_OPS_SET_FEATURES 2
#define LVDPA_OPS_SET_LOG_BASE 6
#define LVDPA_OPS_GET_CONFIG 24
#define LVDPA_OPS_SET_CONFIG 25
#define LVDPA_OPS_LOG_SIZE (1u << 20)   /* 8 Gi pages: covers 32 GiB of GPA */

/* lvdpa1: its 11th modify_virtq (the 3rd of turning logging on) fails. */
#define LVDPA_OPS_FAULT_QP 4
static const char *const lvdpa_ops_vdevs[] = {
	"lvdpa0",
	"lvdpa1,queues=4,queue_size=256,model_faults=cmd:modify_virtq:11",
};

static int
lvdpa_ops_eal(void)
{
	return lvdpa_tv_eal("vdpa-ops", lvdpa_ops_vdevs,
			    RTE_DIM(lvdpa_ops_vdevs), 1);
}

struct lvdpa_ops_cfg_msg {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t region[256];
} __attribute__((packed));

static int
lvdpa_ops_get_config(struct lvdpa_guest *g, uint32_t size, uint8_t *out)
{
	struct lvdpa_ops_cfg_msg m = { .offset = 0, .size = size }, r;
	int rc;

	memset(&r, 0, sizeof(r));
	/* As QEMU sends it: the header and the bytes asked for. */
	rc = lvdpa_guest_send_raw(g, LVDPA_OPS_GET_CONFIG, LVDPA_OPS_F_VERSION,
				  12 + size, &m, 12 + size, NULL, 0, &r, sizeof(r));
	if (rc > 12 && out != NULL)
		memcpy(out, r.region, RTE_MIN(size, sizeof(r.region)));
	return rc;
}

/* SET_CONFIG with NEED_REPLY: the ack (0 success), or -errno. */
static int
lvdpa_ops_set_config(struct lvdpa_guest *g, uint32_t off, uint32_t size,
		     const uint8_t *data)
{
	struct lvdpa_ops_cfg_msg m = { .offset = off, .size = size };
	uint64_t ack = UINT64_MAX;
	int rc;

	memcpy(m.region, data, size);
	rc = lvdpa_guest_send_raw(g, LVDPA_OPS_SET_CONFIG,
				  LVDPA_OPS_F_VERSION | LVDPA_OPS_F_NEED_REPLY,
				  12 + size, &m, 12 + size, NULL, 0, &ack, sizeof(ack));
	return rc < 0 ? rc : (int)ack;
}

/* A config header followed by up to 320 bytes (more than the space has). */
struct lvdpa_ops_cfg_lie {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t region[320];
} __attribute__((packed));

/*
 * GET_CONFIG or SET_CONFIG whose header says @p offset and @p size while
 * @p body bytes follow it. GET: the reply's payload bytes (0 when
 * refused), SET: the ack (0 accepted), or -errno.
 */
static int
lvdpa_ops_config_lie(struct lvdpa_guest *g, uint32_t req, uint32_t offset,
		     uint32_t size, uint32_t body)
{
	struct lvdpa_ops_cfg_lie m = { .offset = offset, .size = size }, r;
	uint64_t ack = UINT64_MAX;
	int rc;

	if (body > sizeof(m.region))
		return -EINVAL;
	/* Not a MAC anyone would set: a refused write that went through shows. */
	memset(m.region, 0x77, sizeof(m.region));
	if (req == LVDPA_OPS_GET_CONFIG)
		return lvdpa_guest_send_raw(g, req, LVDPA_OPS_F_VERSION, 12 + body,
					    &m, 12 + body, NULL, 0, &r, sizeof(r));
	rc = lvdpa_guest_send_raw(g, req, LVDPA_OPS_F_VERSION | LVDPA_OPS_F_NEED_REPLY,
				  12 + body, &m, 12 + body, NULL, 0, &ack, sizeof(ack));
	return rc < 0 ? rc : (int)ack;
}

static const struct {
	uint32_t offset, size, body;
	const char *what;  /* printed in the log line that refuses it */
} lvdpa_ops_lies[] = {
	{ 0, 300, 0, "size 300" },                    /* past the space, no bytes */
	{ 0, 300, 256, "size 300" },                  /* past the space, 256 bytes */
	{ 0, 300, 300, "size 300" },                  /* past the space, all bytes */
	{ 0xffffffff, 8, 8, "offset 4294967295" },    /* huge offset */
	{ 0xfffffffc, 8, 8, "offset 4294967292" },    /* offset + size wraps to 4 */
	{ 8, 0xfffffff8, 12, "size 4294967288" },     /* offset + size wraps to 0 */
	{ 0, 6, 2, "size 6" },                        /* message shorter than size */
	{ 0, 6, 24, "size 6" },                       /* message longer than size */
};

/* Every lie of lvdpa_ops_lies in @p req: refused, logged, connection kept. */
static int
lvdpa_ops_config_lies(struct lvdpa_guest *g, uint32_t req, const uint8_t *mac,
		      unsigned int *n)
{
	static char log[65536];
	const char *name = req == LVDPA_OPS_GET_CONFIG ? "GET_CONFIG" : "SET_CONFIG";
	uint8_t c[64];
	unsigned int i;
	int rc;

	for (i = 0; i < RTE_DIM(lvdpa_ops_lies); i++) {
		lvdpa_tv_log_take(log, sizeof(log));
		rc = lvdpa_ops_config_lie(g, req, lvdpa_ops_lies[i].offset,
					  lvdpa_ops_lies[i].size, lvdpa_ops_lies[i].body);
		lvdpa_tv_log_take(log, sizeof(log));
		fprintf(stderr, "# %s offset %u size %u with %u bytes: %d\n", name,
			lvdpa_ops_lies[i].offset, lvdpa_ops_lies[i].size,
			lvdpa_ops_lies[i].body, rc);
		/* GET: an empty reply; SET: a non-zero ack (NEED_REPLY). */
		if (req == LVDPA_OPS_GET_CONFIG ? rc != 0 : rc <= 0) {
			fprintf(stderr, "# %s lie %u not refused: %d\n", name, i, rc);
			return -1;
		}
		if (strstr(log, lvdpa_ops_lies[i].what) == NULL) {
			fprintf(stderr, "# %s lie %u: no log line naming \"%s\"\n", name,
				i, lvdpa_ops_lies[i].what);
			return -1;
		}
		/* The connection is still served, the config unchanged. */
		memset(c, 0xee, sizeof(c));
		rc = lvdpa_ops_get_config(g, 12, c);
		if (rc != 12 + 12 || memcmp(c, mac, 6) != 0 || c[8] != 8 || c[9] != 0) {
			fprintf(stderr, "# after %s lie %u: GET_CONFIG %d, mac %02x:%02x, pairs %u\n",
				name, i, rc, c[0], c[1], c[8]);
			return -1;
		}
		(*n)++;
	}
	return 0;
}

static int
test_config_space(void)
{
	static const uint8_t mac[6] = { 0x02, 0x42, 0x42, 0x42, 0x42, 0x42 };
	static char log[65536];
	struct lvdpa_guest_config cfg;
	struct rte_vdpa_device *dev;
	struct lvdpa_guest *g = NULL;
	unsigned int lies = 0;
	uint8_t c[64];
	uint64_t f = 0;
	char sock[128];
	int rc, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_ops_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name("lvdpa0");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa0");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, "config", sock, sizeof(sock)), 0,
			     "socket");
	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = sock;
	g = lvdpa_guest_create(&cfg);
	if (g == NULL || lvdpa_guest_open(g) != 0) {
		fprintf(stderr, "# guest open failed\n");
		goto out;
	}
	/* GET_FEATURES only: nothing is set before the config reads. */
	rc = lvdpa_guest_send_raw(g, LVDPA_OPS_GET_FEATURES, LVDPA_OPS_F_VERSION,
				  0, NULL, 0, NULL, 0, &f, sizeof(f));
	if (rc != 8 || !(f & (1ULL << 32))) {
		fprintf(stderr, "# GET_FEATURES: %d 0x%" PRIx64 "\n", rc, f);
		goto out;
	}
	memset(c, 0xee, sizeof(c));
	rc = lvdpa_ops_get_config(g, 24, c);
	if (rc != 12 + 24 || c[0] != 0x02 || c[1] != 0x1d || c[2] != 0xa0 ||
	    c[6] != 1 || c[7] != 0 ||            /* status LINK_UP, le16 */
	    c[8] != 8 || c[9] != 0 ||            /* 8 queue pairs, le16 */
	    c[10] != (1500 & 0xff) || c[11] != (1500 >> 8)) {  /* mtu */
		fprintf(stderr, "# GET_CONFIG: %d, %02x:%02x:%02x status %u pairs %u mtu %u\n",
			rc, c[0], c[1], c[2], c[6], c[8], c[10] | c[11] << 8);
		goto out;
	}
	/* Beyond the config space: refused (an empty reply), not overflowed. */
	rc = lvdpa_ops_get_config(g, 200, NULL);
	if (rc > 12) {
		fprintf(stderr, "# GET_CONFIG of 200 bytes answered %d bytes\n", rc);
		goto out;
	}
	if (lvdpa_ops_set_config(g, 0, 6, mac) != 0) {
		fprintf(stderr, "# SET_CONFIG of the MAC refused\n");
		goto out;
	}
	rc = lvdpa_ops_get_config(g, 12, c);
	if (rc != 12 + 12 || memcmp(c, mac, 6) != 0 || c[8] != 8) {
		fprintf(stderr, "# the MAC was not changed (or more was)\n");
		goto out;
	}
	/*
	 * rte_vhost 22.11 acks SET_CONFIG even when the driver refused it:
	 * the refusal shows in the log and in the config left unchanged.
	 */
	lvdpa_tv_log_take(log, sizeof(log));
	rc = lvdpa_ops_set_config(g, 8, 2, mac);
	lvdpa_tv_log_take(log, sizeof(log));
	if (strstr(log, "only the mac") == NULL) {
		fprintf(stderr, "# SET_CONFIG of max_virtqueue_pairs not refused (ack %d)\n", rc);
		goto out;
	}
	rc = lvdpa_ops_get_config(g, 12, c);
	if (rc != 12 + 12 || c[8] != 8 || c[9] != 0) {
		fprintf(stderr, "# max_virtqueue_pairs changed\n");
		goto out;
	}
	if (lvdpa_ops_config_lies(g, LVDPA_OPS_GET_CONFIG, mac, &lies) != 0 ||
	    lvdpa_ops_config_lies(g, LVDPA_OPS_SET_CONFIG, mac, &lies) != 0)
		goto out;
	printf("# figure: test=vdpa-ops case=config_space lies_refused=%u crashes=0\n",
	       lies);
	ret = 0;
out:
	lvdpa_tv_log_take(log, sizeof(log));
	lvdpa_guest_destroy(g);
	lvdpa_tv_sock_stop(sock);
	return ret;
}

static int
lvdpa_ops_set_features(struct lvdpa_guest *g, uint64_t f)
{
	uint64_t ack = UINT64_MAX;
	int rc;

	rc = lvdpa_guest_send_raw(g, LVDPA_OPS_SET_FEATURES,
				  LVDPA_OPS_F_VERSION | LVDPA_OPS_F_NEED_REPLY,
				  sizeof(f), &f, sizeof(f), NULL, 0, &ack, sizeof(ack));
	return rc < 0 ? rc : (int)ack;
}

static unsigned int
lvdpa_ops_bits(const uint8_t *log, size_t len, uint64_t *max_page)
{
	unsigned int n = 0;
	size_t i;

	*max_page = 0;
	for (i = 0; i < len; i++)
		if (log[i] != 0) {
			n += __builtin_popcount(log[i]);
			*max_page = i * 8 + 7 - __builtin_clz((unsigned int)log[i]) + 24;
		}
	return n;
}

static int
test_live_migration_log(void)
{
	struct lvdpa_guest_config cfg;
	struct rte_vdpa_device *dev;
	struct lvdpa_guest *g = NULL;
	struct { uint64_t size, offset; } lb = { LVDPA_OPS_LOG_SIZE, 0 };
	static char log[65536];
	uint8_t *bm = MAP_FAILED;
	uint64_t f, maxp, ack = UINT64_MAX;
	unsigned int bits;
	char sock[128];
	int fd = -1, rc, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_ops_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name("lvdpa0");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa0");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, "lm", sock, sizeof(sock)), 0,
			     "socket");
	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = sock;
	cfg.features = LVDPA_GUEST_FEATURES_MODERN;
	cfg.mem_regions = 2;        /* a hole in GPA space: KLM hole entries */
	cfg.mem_size = 64 << 20;
	g = lvdpa_guest_create(&cfg);
	if (g == NULL || lvdpa_guest_connect(g) != 0 ||
	    lvdpa_guest_run_traffic(g, 200, 10000) != 0) {
		fprintf(stderr, "# guest did not run\n");
		goto out;
	}
	fd = memfd_create("lvdpa-log", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, LVDPA_OPS_LOG_SIZE) != 0)
		goto out;
	bm = mmap(NULL, LVDPA_OPS_LOG_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (bm == MAP_FAILED)
		goto out;
	rc = lvdpa_guest_send_raw(g, LVDPA_OPS_SET_LOG_BASE, LVDPA_OPS_F_VERSION,
				  sizeof(lb), &lb, sizeof(lb), &fd, 1, &ack, sizeof(ack));
	if (rc < 0) {
		fprintf(stderr, "# SET_LOG_BASE: %d\n", rc);
		goto out;
	}
	/* What rte_vhost negotiated: the guest's features and PROTOCOL_FEATURES. */
	f = lvdpa_guest_features(g) | (1ULL << 30);
	lvdpa_tv_log_take(log, sizeof(log));
	if (lvdpa_ops_set_features(g, f | (1ULL << 26)) != 0) {
		fprintf(stderr, "# SET_FEATURES with LOG_ALL refused\n");
		goto out;
	}
	lvdpa_tv_log_take(log, sizeof(log));
	if (strstr(log, "dirty logging on") == NULL) {
		fprintf(stderr, "# logging not turned on\n");
		goto out;
	}
	memset(bm, 0, LVDPA_OPS_LOG_SIZE);
	if (lvdpa_guest_run_traffic(g, 1000, 10000) != 0)
		goto out;
	bits = lvdpa_ops_bits(bm, LVDPA_OPS_LOG_SIZE, &maxp);
	/* Pages in the two regions: [0, 32 MiB) and [1 GiB, 1 GiB + 32 MiB). */
	if (bits == 0 || maxp >= ((1u << 30) + (32u << 20)) / 4096) {
		fprintf(stderr, "# dirty pages: %u, highest %" PRIu64 "\n", bits, maxp);
		goto out;
	}
	fprintf(stderr, "# %u dirty pages logged\n", bits);
	if (lvdpa_ops_set_features(g, f) != 0) {
		fprintf(stderr, "# SET_FEATURES without LOG_ALL refused\n");
		goto out;
	}
	lvdpa_tv_log_take(log, sizeof(log));
	if (strstr(log, "dirty logging off") == NULL) {
		fprintf(stderr, "# logging not turned off\n");
		goto out;
	}
	memset(bm, 0, LVDPA_OPS_LOG_SIZE);
	if (lvdpa_guest_run_traffic(g, 1000, 10000) != 0)
		goto out;
	bits = lvdpa_ops_bits(bm, LVDPA_OPS_LOG_SIZE, &maxp);
	if (bits != 0) {
		fprintf(stderr, "# %u pages logged with logging off\n", bits);
		goto out;
	}
	/* GET_VRING_BASE: where the device stopped, 2200 chains each way. */
	lvdpa_tv_log_take(log, sizeof(log));
	if (lvdpa_guest_stop(g) != 0)
		goto out;
	lvdpa_tv_log_take(log, sizeof(log));
	if (strstr(log, "vring 0 stopped at base 2200") == NULL ||
	    strstr(log, "vring 1 stopped at base 2200") == NULL) {
		fprintf(stderr, "# GET_VRING_BASE does not give the device's indices\n");
		goto out;
	}
	ret = 0;
out:
	if (bm != MAP_FAILED)
		munmap(bm, LVDPA_OPS_LOG_SIZE);
	if (fd >= 0)
		close(fd);
	lvdpa_guest_destroy(g);
	lvdpa_tv_sock_stop(sock);
	return ret;
}

static unsigned int
lvdpa_ops_count(const char *log, const char *what)
{
	unsigned int n = 0;
	const char *p = log;

	while ((p = strstr(p, what)) != NULL) {
		n++;
		p += strlen(what);
	}
	return n;
}

/*
 * lvdpa1's queues are pre-created: dev_conf modifies each once (8), so the
 * injected fault strikes inside the batch that turns dirty logging on.
 */
static int
test_live_migration_log_fault(void)
{
	struct lvdpa_guest_config cfg;
	struct rte_vdpa_device *dev;
	struct lvdpa_guest *g = NULL;
	struct { uint64_t size, offset; } lb = { LVDPA_OPS_LOG_SIZE, 0 };
	static char log[65536];
	uint8_t *bm = MAP_FAILED;
	uint64_t f, maxp, ack = UINT64_MAX;
	unsigned int n;
	char sock[128];
	int fd = -1, rc, ret = -1;

	LVDPA_TEST_ASSERT(lvdpa_ops_eal() == 0, "EAL");
	dev = rte_vdpa_find_device_by_name("lvdpa1");
	LVDPA_TEST_ASSERT(dev != NULL, "lvdpa1");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tv_sock_start(dev, "lmf", sock, sizeof(sock)), 0,
			     "socket");
	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = sock;
	cfg.features = LVDPA_GUEST_FEATURES_MODERN;
	cfg.queue_pairs = LVDPA_OPS_FAULT_QP;
	cfg.mem_size = 32 << 20;
	g = lvdpa_guest_create(&cfg);
	if (g == NULL || lvdpa_guest_connect(g) != 0 ||
	    lvdpa_guest_run_traffic(g, 200, 10000) != 0) {
		fprintf(stderr, "# guest did not run\n");
		goto out;
	}
	fd = memfd_create("lvdpa-log", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, LVDPA_OPS_LOG_SIZE) != 0)
		goto out;
	bm = mmap(NULL, LVDPA_OPS_LOG_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (bm == MAP_FAILED)
		goto out;
	rc = lvdpa_guest_send_raw(g, LVDPA_OPS_SET_LOG_BASE, LVDPA_OPS_F_VERSION,
				  sizeof(lb), &lb, sizeof(lb), &fd, 1, &ack, sizeof(ack));
	if (rc < 0) {
		fprintf(stderr, "# SET_LOG_BASE: %d\n", rc);
		goto out;
	}
	f = lvdpa_guest_features(g) | (1ULL << 30);
	lvdpa_tv_log_take(log, sizeof(log));
	/* rte_vhost does not pass the driver's error on: the ack stays 0. */
	if (lvdpa_ops_set_features(g, f | (1ULL << 26)) < 0)
		goto out;
	lvdpa_tv_log_take(log, sizeof(log));
	n = lvdpa_ops_count(log, "dirty logging on failed");
	if (n != 1 || strstr(log, "injected fault") == NULL ||
	    lvdpa_ops_count(log, ": dirty logging on\n") != 0) {
		fprintf(stderr, "# %u queue errors, expected 1 and logging not on\n", n);
		goto out;
	}
	/* rte_vhost tells the driver only of a change: off (a no-op), then on. */
	if (lvdpa_ops_set_features(g, f) < 0 ||
	    lvdpa_ops_set_features(g, f | (1ULL << 26)) != 0)
		goto out;
	lvdpa_tv_log_take(log, sizeof(log));
	if (lvdpa_ops_count(log, ": dirty logging on\n") != 1 ||
	    strstr(log, "failed") != NULL) {
		fprintf(stderr, "# logging not turned on at the second LOG_ALL\n");
		goto out;
	}
	memset(bm, 0, LVDPA_OPS_LOG_SIZE);
	if (lvdpa_guest_run_traffic(g, 500, 10000) != 0)
		goto out;
	n = lvdpa_ops_bits(bm, LVDPA_OPS_LOG_SIZE, &maxp);
	if (n == 0 || maxp >= (32u << 20) / 4096) {
		fprintf(stderr, "# dirty pages: %u, highest %" PRIu64 "\n", n, maxp);
		goto out;
	}
	ret = 0;
out:
	if (bm != MAP_FAILED)
		munmap(bm, LVDPA_OPS_LOG_SIZE);
	if (fd >= 0)
		close(fd);
	lvdpa_guest_destroy(g);
	lvdpa_tv_sock_stop(sock);
	return ret;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_config_space),
	LVDPA_TEST_CASE(test_live_migration_log),
	LVDPA_TEST_CASE(test_live_migration_log_fault),
)
