/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * lvdpa-guest: connect to a vhost-user backend as a guest's virtio-net
 * driver would, send tagged packets, check what comes back, and say PASS or
 * FAIL. Exit status 0 only on PASS.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lvdpa_virtio.h>

#include "lvdpa_guest.h"

static const struct {
	const char *name;
	unsigned int bit;
} lvdpa_guest_feature_names[] = {
	{ "csum", LVDPA_VIRTIO_NET_F_CSUM },
	{ "guest_csum", LVDPA_VIRTIO_NET_F_GUEST_CSUM },
	{ "mtu", LVDPA_VIRTIO_NET_F_MTU },
	{ "mac", LVDPA_VIRTIO_NET_F_MAC },
	{ "mrg_rxbuf", LVDPA_VIRTIO_NET_F_MRG_RXBUF },
	{ "status", LVDPA_VIRTIO_NET_F_STATUS },
	{ "ctrl_vq", LVDPA_VIRTIO_NET_F_CTRL_VQ },
	{ "mq", LVDPA_VIRTIO_NET_F_MQ },
	{ "notify_on_empty", LVDPA_VIRTIO_F_NOTIFY_ON_EMPTY },
	{ "any_layout", LVDPA_VIRTIO_F_ANY_LAYOUT },
	{ "indirect", LVDPA_VIRTIO_F_INDIRECT_DESC },
	{ "event_idx", LVDPA_VIRTIO_F_EVENT_IDX },
	{ "version_1", LVDPA_VIRTIO_F_VERSION_1 },
	{ "packed", LVDPA_VIRTIO_F_RING_PACKED },
	{ "in_order", LVDPA_VIRTIO_F_IN_ORDER },
};

static void
lvdpa_guest_progress(void *arg, const struct lvdpa_guest_stats *st)
{
	(void)arg;
	printf("lvdpa-guest: %.0f s: sent %" PRIu64 " received %" PRIu64
	       " bad %" PRIu64 ", %.2f Mpps\n", st->elapsed_s, st->sent,
	       st->received, st->bad, st->mpps);
	fflush(stdout);
}

static void
lvdpa_guest_usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s --socket PATH [options]\n"
"A vhost-user frontend that behaves as a guest's virtio-net driver: it\n"
"negotiates as QEMU does, sends tagged packets, expects the backend to loop\n"
"each one back, checks every byte, and ends with a PASS or FAIL line.\n"
"Exit status 0 only on PASS.\n"
"\n"
"Connection:\n"
"  -s, --socket PATH         vhost-user socket (required)\n"
"      --server              listen on PATH and let the backend connect\n"
"                            (default: connect to a listening backend,\n"
"                            retrying until --msg-timeout)\n"
"      --msg-timeout MS      limit for connecting and for every reply\n"
"                            (default 3000)\n"
"\n"
"Features (what the driver accepts; it acks those the backend offers):\n"
"  -f, --features SET        zero | legacy | modern | a number (default\n"
"                            modern = version_1,mac,mrg_rxbuf,event_idx,\n"
"                            indirect; legacy = csum,mac,mrg_rxbuf)\n"
"      --add-features LIST   add features: comma list of names or bit\n"
"                            numbers; names: csum, guest_csum, mtu, mac,\n"
"                            mrg_rxbuf, status, ctrl_vq, mq, notify_on_empty,\n"
"                            any_layout, indirect, event_idx, version_1,\n"
"                            packed, in_order\n"
"      --del-features LIST   remove features (same names)\n"
"      --packed              packed rings (same as --add-features packed)\n"
"      --event-idx           same as --add-features event_idx\n"
"      --indirect            same as --add-features indirect\n"
"      --no-use-indirect     do not use indirect tables even if negotiated\n"
"  -P, --protocol-features N vhost-user protocol features wanted (default\n"
"                            0x%" PRIx64 ": mq, reply_ack, cross_endian, config,\n"
"                            status)\n"
"      --no-protocol-features do not ack VHOST_USER_F_PROTOCOL_FEATURES\n"
"\n"
"Legacy guests (no version_1):\n"
"      --big-endian          big-endian rings and headers (needs the\n"
"                            backend's CROSS_ENDIAN: SET_VRING_ENDIAN is sent\n"
"                            before SET_VRING_ADDR; refused otherwise, as\n"
"                            QEMU refuses it)\n"
"      --hdr-layout L        auto | own | inline: the virtio-net header in a\n"
"                            descriptor of its own, or in front of the\n"
"                            packet; auto = own unless any_layout or\n"
"                            version_1 (default auto)\n"
"\n"
"Queues and memory:\n"
"  -q, --queue-pairs N       queue pairs, 1..%u (default 1; more than one\n"
"                            needs the MQ protocol feature)\n"
"  -Q, --queue-size N        descriptors per ring (default 256)\n"
"  -m, --mem-size SIZE       guest memory, suffix K, M or G (default 64M)\n"
"  -r, --mem-regions N       memfd regions, 1..%u (default 1)\n"
"  -b, --rx-buf-size N       RX data bytes per buffer (default 2048; with\n"
"                            mrg_rxbuf larger packets span buffers)\n"
"      --mac MAC             source MAC (default 02:00:00:00:00:01)\n"
"\n"
"Traffic:\n"
"  -l, --size LIST           packet sizes in bytes, comma list cycled by\n"
"                            sequence number, each %u..%u (default 64)\n"
"  -n, --packets N           packets to send over all queue pairs\n"
"                            (default 10000; 0 = only negotiate and stop)\n"
"  -t, --timeout MS          limit for the traffic (default 10000)\n"
"      --busy-poll           spin while nothing moves, never ask for\n"
"                            interrupts (as a DPDK PMD; default: sleep on\n"
"                            the call eventfds)\n"
"\n"
"Output:\n"
"  -v, --verbose             more: every vhost-user message\n"
"      --quiet               only the verdict line (otherwise the\n"
"                            negotiation and, each second, the counters)\n"
"  -h, --help                this text\n",
		prog, (uint64_t)LVDPA_GUEST_PF_SUPPORTED, LVDPA_GUEST_MAX_QP,
		LVDPA_GUEST_MAX_REGIONS, LVDPA_GUEST_MIN_PKT, LVDPA_GUEST_MAX_PKT);
}

static int
lvdpa_guest_parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
		return -EINVAL;
	return 0;
}

static int
lvdpa_guest_parse_uint(const char *s, uint64_t max, unsigned int *v)
{
	uint64_t x;

	if (lvdpa_guest_parse_u64(s, &x) < 0 || x > max)
		return -EINVAL;
	*v = (unsigned int)x;
	return 0;
}

static int
lvdpa_guest_parse_size(const char *s, uint64_t *v)
{
	char buf[32], *end;
	uint64_t mult = 1;
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n + 1);
	switch (buf[n - 1]) {
	case 'k': case 'K': mult = 1ULL << 10; buf[n - 1] = '\0'; break;
	case 'm': case 'M': mult = 1ULL << 20; buf[n - 1] = '\0'; break;
	case 'g': case 'G': mult = 1ULL << 30; buf[n - 1] = '\0'; break;
	default: break;
	}
	errno = 0;
	*v = strtoull(buf, &end, 0);
	if (errno != 0 || end == buf || *end != '\0' || buf[0] == '-' ||
	    *v > (UINT64_MAX / mult))
		return -EINVAL;
	*v *= mult;
	return 0;
}

static int
lvdpa_guest_parse_features(const char *list, uint64_t *mask)
{
	char buf[256], *tok, *save = NULL;
	unsigned int i;

	if (strlen(list) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, list);
	*mask = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		unsigned int bit;
		bool found = false;

		for (i = 0; i < sizeof(lvdpa_guest_feature_names) /
			    sizeof(lvdpa_guest_feature_names[0]); i++) {
			if (strcasecmp(tok, lvdpa_guest_feature_names[i].name) == 0) {
				*mask |= 1ULL << lvdpa_guest_feature_names[i].bit;
				found = true;
			}
		}
		if (found)
			continue;
		if (lvdpa_guest_parse_uint(tok, 63, &bit) < 0) {
			fprintf(stderr, "lvdpa-guest: unknown feature '%s'\n", tok);
			return -EINVAL;
		}
		*mask |= 1ULL << bit;
	}
	return 0;
}

static int
lvdpa_guest_parse_sizes(const char *list, struct lvdpa_guest_config *cfg)
{
	char buf[256], *tok, *save = NULL;

	if (strlen(list) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, list);
	cfg->nsizes = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		unsigned int v;

		if (cfg->nsizes == LVDPA_GUEST_MAX_SIZES ||
		    lvdpa_guest_parse_uint(tok, LVDPA_GUEST_MAX_PKT, &v) < 0 ||
		    v < LVDPA_GUEST_MIN_PKT)
			return -EINVAL;
		cfg->sizes[cfg->nsizes++] = v;
	}
	return cfg->nsizes > 0 ? 0 : -EINVAL;
}

static int
lvdpa_guest_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6], i;
	char tail;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5], &tail) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -EINVAL;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

enum {
	LVDPA_GUEST_OPT_SERVER = 256,
	LVDPA_GUEST_OPT_MSG_TIMEOUT,
	LVDPA_GUEST_OPT_ADD,
	LVDPA_GUEST_OPT_DEL,
	LVDPA_GUEST_OPT_PACKED,
	LVDPA_GUEST_OPT_EVENT_IDX,
	LVDPA_GUEST_OPT_INDIRECT,
	LVDPA_GUEST_OPT_NO_USE_INDIRECT,
	LVDPA_GUEST_OPT_NO_PF,
	LVDPA_GUEST_OPT_BE,
	LVDPA_GUEST_OPT_HDR,
	LVDPA_GUEST_OPT_MAC,
	LVDPA_GUEST_OPT_QUIET,
	LVDPA_GUEST_OPT_BUSY_POLL,
};

static const struct option lvdpa_guest_opts[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "server", no_argument, NULL, LVDPA_GUEST_OPT_SERVER },
	{ "msg-timeout", required_argument, NULL, LVDPA_GUEST_OPT_MSG_TIMEOUT },
	{ "features", required_argument, NULL, 'f' },
	{ "add-features", required_argument, NULL, LVDPA_GUEST_OPT_ADD },
	{ "del-features", required_argument, NULL, LVDPA_GUEST_OPT_DEL },
	{ "packed", no_argument, NULL, LVDPA_GUEST_OPT_PACKED },
	{ "event-idx", no_argument, NULL, LVDPA_GUEST_OPT_EVENT_IDX },
	{ "indirect", no_argument, NULL, LVDPA_GUEST_OPT_INDIRECT },
	{ "no-use-indirect", no_argument, NULL, LVDPA_GUEST_OPT_NO_USE_INDIRECT },
	{ "protocol-features", required_argument, NULL, 'P' },
	{ "no-protocol-features", no_argument, NULL, LVDPA_GUEST_OPT_NO_PF },
	{ "big-endian", no_argument, NULL, LVDPA_GUEST_OPT_BE },
	{ "hdr-layout", required_argument, NULL, LVDPA_GUEST_OPT_HDR },
	{ "queue-pairs", required_argument, NULL, 'q' },
	{ "queue-size", required_argument, NULL, 'Q' },
	{ "mem-size", required_argument, NULL, 'm' },
	{ "mem-regions", required_argument, NULL, 'r' },
	{ "rx-buf-size", required_argument, NULL, 'b' },
	{ "mac", required_argument, NULL, LVDPA_GUEST_OPT_MAC },
	{ "size", required_argument, NULL, 'l' },
	{ "packets", required_argument, NULL, 'n' },
	{ "timeout", required_argument, NULL, 't' },
	{ "busy-poll", no_argument, NULL, LVDPA_GUEST_OPT_BUSY_POLL },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, LVDPA_GUEST_OPT_QUIET },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
lvdpa_guest_bad_opt(const char *opt, const char *val)
{
	fprintf(stderr, "lvdpa-guest: invalid value '%s' for %s (see --help)\n",
		val, opt);
	return 2;
}

int
main(int argc, char **argv)
{
	struct lvdpa_guest_config cfg;
	uint64_t add = 0, del = 0, pkts = 10000, v;
	unsigned int timeout_ms = 10000, u;
	struct lvdpa_guest *g;
	int opt, rc, verbose = 1;

	lvdpa_guest_config_init(&cfg);
	while ((opt = getopt_long(argc, argv, "s:f:P:q:Q:m:r:b:l:n:t:vh",
				  lvdpa_guest_opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			cfg.socket_path = optarg;
			break;
		case LVDPA_GUEST_OPT_SERVER:
			cfg.server = true;
			break;
		case LVDPA_GUEST_OPT_MSG_TIMEOUT:
			if (lvdpa_guest_parse_uint(optarg, 600000, &cfg.timeout_ms) < 0 ||
			    cfg.timeout_ms == 0)
				return lvdpa_guest_bad_opt("--msg-timeout", optarg);
			break;
		case 'f':
			if (strcmp(optarg, "zero") == 0)
				cfg.features = LVDPA_GUEST_FEATURES_ZERO;
			else if (strcmp(optarg, "legacy") == 0)
				cfg.features = LVDPA_GUEST_FEATURES_LEGACY;
			else if (strcmp(optarg, "modern") == 0)
				cfg.features = LVDPA_GUEST_FEATURES_MODERN;
			else if (lvdpa_guest_parse_u64(optarg, &cfg.features) < 0)
				return lvdpa_guest_bad_opt("--features", optarg);
			break;
		case LVDPA_GUEST_OPT_ADD:
			if (lvdpa_guest_parse_features(optarg, &v) < 0)
				return lvdpa_guest_bad_opt("--add-features", optarg);
			add |= v;
			break;
		case LVDPA_GUEST_OPT_DEL:
			if (lvdpa_guest_parse_features(optarg, &v) < 0)
				return lvdpa_guest_bad_opt("--del-features", optarg);
			del |= v;
			break;
		case LVDPA_GUEST_OPT_PACKED:
			add |= LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_RING_PACKED);
			break;
		case LVDPA_GUEST_OPT_EVENT_IDX:
			add |= LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_EVENT_IDX);
			break;
		case LVDPA_GUEST_OPT_INDIRECT:
			add |= LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_INDIRECT_DESC);
			break;
		case LVDPA_GUEST_OPT_NO_USE_INDIRECT:
			cfg.use_indirect = false;
			break;
		case 'P':
			if (lvdpa_guest_parse_u64(optarg, &cfg.protocol_features) < 0)
				return lvdpa_guest_bad_opt("--protocol-features", optarg);
			break;
		case LVDPA_GUEST_OPT_NO_PF:
			cfg.no_protocol_features = true;
			break;
		case LVDPA_GUEST_OPT_BE:
			cfg.big_endian = true;
			break;
		case LVDPA_GUEST_OPT_HDR:
			if (strcmp(optarg, "auto") == 0)
				cfg.hdr_layout = LVDPA_GUEST_HDR_AUTO;
			else if (strcmp(optarg, "own") == 0)
				cfg.hdr_layout = LVDPA_GUEST_HDR_OWN_DESC;
			else if (strcmp(optarg, "inline") == 0)
				cfg.hdr_layout = LVDPA_GUEST_HDR_INLINE;
			else
				return lvdpa_guest_bad_opt("--hdr-layout", optarg);
			break;
		case 'q':
			if (lvdpa_guest_parse_uint(optarg, LVDPA_GUEST_MAX_QP, &u) < 0 || u == 0)
				return lvdpa_guest_bad_opt("--queue-pairs", optarg);
			cfg.queue_pairs = (uint16_t)u;
			break;
		case 'Q':
			if (lvdpa_guest_parse_uint(optarg, 32768, &u) < 0 || u < 2)
				return lvdpa_guest_bad_opt("--queue-size", optarg);
			cfg.queue_size = (uint16_t)u;
			break;
		case 'm':
			if (lvdpa_guest_parse_size(optarg, &cfg.mem_size) < 0)
				return lvdpa_guest_bad_opt("--mem-size", optarg);
			break;
		case 'r':
			if (lvdpa_guest_parse_uint(optarg, LVDPA_GUEST_MAX_REGIONS,
						   &cfg.mem_regions) < 0 ||
			    cfg.mem_regions == 0)
				return lvdpa_guest_bad_opt("--mem-regions", optarg);
			break;
		case 'b':
			if (lvdpa_guest_parse_uint(optarg, LVDPA_GUEST_MAX_PKT,
						   &cfg.rx_buf_size) < 0)
				return lvdpa_guest_bad_opt("--rx-buf-size", optarg);
			break;
		case LVDPA_GUEST_OPT_MAC:
			if (lvdpa_guest_parse_mac(optarg, cfg.mac) < 0)
				return lvdpa_guest_bad_opt("--mac", optarg);
			break;
		case 'l':
			if (lvdpa_guest_parse_sizes(optarg, &cfg) < 0)
				return lvdpa_guest_bad_opt("--size", optarg);
			break;
		case 'n':
			if (lvdpa_guest_parse_u64(optarg, &pkts) < 0)
				return lvdpa_guest_bad_opt("--packets", optarg);
			break;
		case 't':
			if (lvdpa_guest_parse_uint(optarg, 86400000, &timeout_ms) < 0 ||
			    timeout_ms == 0)
				return lvdpa_guest_bad_opt("--timeout", optarg);
			break;
		case 'v':
			verbose++;
			break;
		case LVDPA_GUEST_OPT_BUSY_POLL:
			cfg.busy_poll = true;
			break;
		case LVDPA_GUEST_OPT_QUIET:
			verbose = 0;
			break;
		case 'h':
			lvdpa_guest_usage(stdout, argv[0]);
			return 0;
		default:
			lvdpa_guest_usage(stderr, argv[0]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "lvdpa-guest: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (cfg.socket_path == NULL) {
		fprintf(stderr, "lvdpa-guest: --socket is required (see --help)\n");
		return 2;
	}
	cfg.features = (cfg.features | add) & ~del;
	cfg.verbose = verbose;
	if (verbose > 0)
		cfg.progress = lvdpa_guest_progress;

	g = lvdpa_guest_create(&cfg);
	if (g == NULL) {
		printf("lvdpa-guest: FAIL configuration: %s\n", strerror(errno));
		return 1;
	}
	rc = lvdpa_guest_connect(g);
	if (rc < 0) {
		printf("lvdpa-guest: FAIL negotiation: %s\n", strerror(-rc));
		lvdpa_guest_destroy(g);
		return 1;
	}
	if (verbose)
		printf("lvdpa-guest: negotiated features 0x%" PRIx64
		       " (offered 0x%" PRIx64 "), protocol features 0x%" PRIx64
		       "; sending %" PRIu64 " packets\n",
		       lvdpa_guest_features(g), lvdpa_guest_offered_features(g),
		       lvdpa_guest_protocol_features(g), pkts);
	fflush(stdout);
	rc = pkts > 0 ? lvdpa_guest_run_traffic(g, pkts, timeout_ms) : 0;
	if (lvdpa_guest_stop(g) < 0 && rc == 0)
		rc = -EPROTO;
	printf("lvdpa-guest: %s\n", lvdpa_guest_verdict(g, rc));
	lvdpa_guest_destroy(g);
	return rc == 0 ? 0 : 1;
}
