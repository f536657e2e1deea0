/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * The guest side of the vDPA traffic tests: a DPDK process with a
 * net_virtio_user port on the backend's vhost-user socket. On every queue
 * pair it sends packets carrying a queue number, a sequence number and a
 * payload pattern, and checks that each comes back (the model loops a
 * function's TX back to its RX) exactly once and intact.
 *
 * Usage: lvdpa_vdpa_frontend <socket> <queue pairs> <packed 0|1> <packets per queue>
 *        <file prefix> [extra virtio_user devargs]
 * Exit status 0 when every packet came back intact; prints one summary line.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#define LVDPA_FE_MAGIC 0x6c766470u  /* "lvdp" */
#define LVDPA_FE_BURST 32
#define LVDPA_FE_MAX_Q 8
#define LVDPA_FE_TIMEOUT_S 20

struct lvdpa_fe_hdr {
	uint8_t dst[6], src[6];
	uint16_t ethertype;
	uint32_t magic;
	uint16_t queue;
	uint16_t len;
	uint32_t seq;
} __attribute__((packed));

static uint16_t
lvdpa_fe_len(uint32_t seq)
{
	/* 64 .. 1514 bytes, varying. */
	return 64 + (seq * 97) % 1451;
}

static uint8_t
lvdpa_fe_pat(uint16_t q, uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 7 + i + q * 31);
}

static struct rte_mbuf *
lvdpa_fe_build(struct rte_mempool *mp, uint16_t q, uint32_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint16_t len = lvdpa_fe_len(seq);
	struct lvdpa_fe_hdr *h;
	uint8_t *p;
	uint32_t i;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	h = (struct lvdpa_fe_hdr *)p;
	/* A MAC no model function has: the frame loops back. */
	memcpy(h->dst, "\x02\x00\x00\x00\x00\x99", 6);
	memcpy(h->src, "\x02\x00\x00\x00\x00\x01", 6);
	h->ethertype = rte_cpu_to_be_16(0x88b5);
	h->magic = LVDPA_FE_MAGIC;
	h->queue = q;
	h->len = len;
	h->seq = seq;
	for (i = sizeof(*h); i < len; i++)
		p[i] = lvdpa_fe_pat(q, seq, i);
	return m;
}

/* 0 if @p m is packet (q, seq) intact, with *seq set. */
static int
lvdpa_fe_check(struct rte_mbuf *m, uint16_t q, uint32_t count, uint32_t *seq)
{
	const struct lvdpa_fe_hdr *h;
	const uint8_t *p;
	uint32_t i;

	if (m->nb_segs != 1 || m->pkt_len < sizeof(*h))
		return -1;
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	h = (const struct lvdpa_fe_hdr *)p;
	if (h->magic != LVDPA_FE_MAGIC || h->queue != q || h->seq >= count ||
	    h->len != m->pkt_len || h->len != lvdpa_fe_len(h->seq))
		return -1;
	for (i = sizeof(*h); i < h->len; i++)
		if (p[i] != lvdpa_fe_pat(q, h->seq, i))
			return -1;
	*seq = h->seq;
	return 0;
}

int
main(int argc, char **argv)
{
	char vdev[512], prefix[128];
	char *eal_argv[16];
	int eal_argc = 0, rc = 1;
	const char *sock;
	unsigned int nq, packed, count, extra;
	struct rte_eth_conf conf;
	struct rte_mempool *mp;
	uint32_t q, sent[LVDPA_FE_MAX_Q] = { 0 }, got[LVDPA_FE_MAX_Q] = { 0 };
	uint32_t bad = 0, dup = 0;
	uint8_t *seen[LVDPA_FE_MAX_Q] = { NULL };
	uint64_t deadline;
	uint16_t port = 0;

	if (argc < 6) {
		fprintf(stderr, "usage: %s sock queues packed count prefix [devargs]\n", argv[0]);
		return 2;
	}
	sock = argv[1];
	nq = atoi(argv[2]);
	packed = atoi(argv[3]);
	count = atoi(argv[4]);
	extra = argc > 6;
	if (nq == 0 || nq > LVDPA_FE_MAX_Q || count == 0)
		return 2;
	snprintf(vdev, sizeof(vdev), "--vdev=net_virtio_user0,path=%s,queues=%u,queue_size=256%s%s%s",
		 sock, nq, packed ? ",packed_vq=1" : "", extra ? "," : "",
		 extra ? argv[6] : "");
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", argv[5]);
	eal_argv[eal_argc++] = argv[0];
	eal_argv[eal_argc++] = (char *)(uintptr_t)"--no-huge";
	eal_argv[eal_argc++] = (char *)(uintptr_t)"-m";
	eal_argv[eal_argc++] = (char *)(uintptr_t)"128";
	eal_argv[eal_argc++] = (char *)(uintptr_t)"--no-pci";
	eal_argv[eal_argc++] = (char *)(uintptr_t)"-l";
	eal_argv[eal_argc++] = (char *)(uintptr_t)"0";
	eal_argv[eal_argc++] = (char *)(uintptr_t)"--log-level=lib.eal:error";
	eal_argv[eal_argc++] = prefix;
	eal_argv[eal_argc++] = vdev;
	eal_argv[eal_argc] = NULL;
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "frontend: EAL init failed\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("lvdpa_fe", 4095, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	memset(&conf, 0, sizeof(conf));
	if (mp == NULL || rte_eth_dev_count_avail() != 1 ||
	    rte_eth_dev_configure(port, nq, nq, &conf) != 0) {
		fprintf(stderr, "frontend: port set-up failed\n");
		goto out;
	}
	for (q = 0; q < nq; q++) {
		if (rte_eth_rx_queue_setup(port, q, 256, SOCKET_ID_ANY, NULL, mp) != 0 ||
		    rte_eth_tx_queue_setup(port, q, 256, SOCKET_ID_ANY, NULL) != 0) {
			fprintf(stderr, "frontend: queue %u set-up failed\n", q);
			goto out;
		}
		seen[q] = calloc(count, 1);
		if (seen[q] == NULL)
			goto out;
	}
	if (rte_eth_dev_start(port) != 0) {
		fprintf(stderr, "frontend: port start failed\n");
		goto out;
	}
	deadline = rte_get_timer_cycles() + LVDPA_FE_TIMEOUT_S * rte_get_timer_hz();
	for (;;) {
		bool done = true;

		for (q = 0; q < nq; q++) {
			struct rte_mbuf *pkts[LVDPA_FE_BURST];
			uint16_t n, i;

			/* Keep at most 128 in flight per queue: RX has 256 buffers. */
			n = 0;
			while (sent[q] + n < count && n < LVDPA_FE_BURST &&
			       sent[q] - got[q] + n < 128) {
				pkts[n] = lvdpa_fe_build(mp, q, sent[q] + n);
				if (pkts[n] == NULL)
					break;
				n++;
			}
			if (n > 0) {
				uint16_t t = rte_eth_tx_burst(port, q, pkts, n);

				for (i = t; i < n; i++)
					rte_pktmbuf_free(pkts[i]);
				sent[q] += t;
			}
			n = rte_eth_rx_burst(port, q, pkts, LVDPA_FE_BURST);
			for (i = 0; i < n; i++) {
				uint32_t s;

				if (lvdpa_fe_check(pkts[i], q, count, &s) != 0)
					bad++;
				else if (seen[q][s])
					dup++;
				else {
					seen[q][s] = 1;
					got[q]++;
				}
				rte_pktmbuf_free(pkts[i]);
			}
			if (got[q] < count)
				done = false;
		}
		if (done || bad || dup)
			break;
		if (rte_get_timer_cycles() > deadline) {
			fprintf(stderr, "frontend: timeout\n");
			break;
		}
	}
	rc = 0;
	for (q = 0; q < nq; q++) {
		printf("frontend: queue %u sent %u received %u\n", q, sent[q], got[q]);
		if (got[q] != count)
			rc = 1;
	}
	printf("frontend: %s, bad %u duplicate %u\n", rc == 0 && !bad && !dup ?
	       "PASS" : "FAIL", bad, dup);
	if (bad || dup)
		rc = 1;
	fflush(stdout);
	rte_eth_dev_stop(port);
out:
	rte_eth_dev_close(port);
	for (q = 0; q < LVDPA_FE_MAX_Q; q++)
		free(seen[q]);
	rte_eal_cleanup();
	return rc;
}
