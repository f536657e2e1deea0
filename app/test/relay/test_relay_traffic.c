/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Relay traffic: payloads both ways through guest -> relay -> device ->
 * relay -> guest for each guest flavour, with checks that the relay wrote
 * only used rings and RX headers (never payload), logged exactly those
 * pages, and converted header fields both ways.
 */

#include "test_relay_common.h"

#define LVDPA_TT_ROUNDS 6
#define LVDPA_TT_PKTS   3

static void
lvdpa_tt_fill(uint8_t *d, uint32_t len, unsigned int seed)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		d[i] = (uint8_t)(seed * 7 + i * 31 + 1);
}

static uint32_t
lvdpa_tt_len(unsigned int round, unsigned int k)
{
	static const uint32_t base[LVDPA_TT_PKTS] = { 1, 60, 333 };

	return base[k] + round * 13;
}

/* RX buffers a packet of @p len needs. */
static unsigned int
lvdpa_tt_bufs(struct lvdpa_tr *f, uint32_t len)
{
	bool mrg = !!(f->o.features &
		      LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_MRG_RXBUF));
	uint32_t per = f->hdr_len + f->o.rx_room;

	if (!mrg)
		return 1;
	return (LVDPA_NET_HDR_LEN_MRG + len + per - 1) / per;
}

static int
lvdpa_tt_check_hdr(const struct lvdpa_net_hdr *h, const char *who)
{
	LVDPA_TEST_ASSERT_EQ(h->flags, lvdpa_tr_hdr.flags, "%s flags", who);
	LVDPA_TEST_ASSERT_EQ(h->gso_type, lvdpa_tr_hdr.gso_type, "%s gso_type", who);
	LVDPA_TEST_ASSERT_EQ(h->hdr_len, lvdpa_tr_hdr.hdr_len, "%s hdr_len", who);
	LVDPA_TEST_ASSERT_EQ(h->gso_size, lvdpa_tr_hdr.gso_size, "%s gso_size", who);
	LVDPA_TEST_ASSERT_EQ(h->csum_start, lvdpa_tr_hdr.csum_start, "%s csum_start", who);
	LVDPA_TEST_ASSERT_EQ(h->csum_offset, lvdpa_tr_hdr.csum_offset, "%s csum_offset", who);
	return 0;
}

/* One round: post RX, send, relay, device, relay (checked), collect. */
static int
lvdpa_tt_round(struct lvdpa_tr *f, unsigned int round)
{
	static uint8_t data[LVDPA_TT_PKTS][4096], got[8192];
	unsigned int k, b, first_tx = f->nbuf;
	struct lvdpa_net_hdr h;
	uint64_t cookie;
	uint32_t len;

	for (k = 0; k < LVDPA_TT_PKTS; k++)
		for (b = 0; b < lvdpa_tt_bufs(f, lvdpa_tt_len(round, k)); b++)
			LVDPA_TEST_ASSERT_EQ(lvdpa_tr_post_rx(f, f->o.rx_room), 0,
					     "post rx");
	lvdpa_ring_drv_publish(&f->grx);
	first_tx = f->nbuf;
	for (k = 0; k < LVDPA_TT_PKTS; k++) {
		len = lvdpa_tt_len(round, k);
		lvdpa_tt_fill(data[k], len, round * 10 + k);
		LVDPA_TEST_ASSERT_EQ(lvdpa_tr_send(f, data[k], len), 0, "send");
	}
	lvdpa_ring_drv_publish(&f->gtx);
	/* Forwarding writes nothing to the guest but ring fields. */
	lvdpa_tr_snap(f);
	LVDPA_TEST_ASSERT(lvdpa_tr_poll(f) > 0, "relay moved nothing");
	if (lvdpa_tr_check_writes(f) < 0)
		return -1;
	LVDPA_TEST_ASSERT_EQ(lvdpa_tr_dev_step(f), 2 * LVDPA_TT_PKTS, "device");
	/* The device saw a 12-byte little-endian header on TX. */
	lvdpa_net_hdr_read(f->dev_last_tx_hdr, LVDPA_NET_HDR_LEN_MRG, false, &h);
	if (lvdpa_tt_check_hdr(&h, "device TX") < 0)
		return -1;
	LVDPA_TEST_ASSERT_EQ(h.num_buffers, 0, "TX num_buffers");
	lvdpa_tr_snap(f);
	LVDPA_TEST_ASSERT(lvdpa_tr_poll(f) > 0, "relay returned nothing");
	if (lvdpa_tr_check_writes(f) < 0)
		return -1;
	for (k = 0; k < LVDPA_TT_PKTS; k++) {
		LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_get_used(&f->gtx, &cookie, &len),
				     1, "tx used %u", k);
		LVDPA_TEST_ASSERT_EQ(cookie, (first_tx + k) % LVDPA_TR_MAX_BUF,
				     "tx used order");
		LVDPA_TEST_ASSERT_EQ(len, 0, "tx used len");
		/* The guest's TX buffer is untouched. */
		len = lvdpa_tt_len(round, k);
		lvdpa_tr_buf_read(f, (unsigned int)cookie, f->hdr_len, got, len);
		LVDPA_TEST_ASSERT(memcmp(got, data[k], len) == 0, "tx buffer changed");
	}
	for (k = 0; k < LVDPA_TT_PKTS; k++) {
		LVDPA_TEST_ASSERT_EQ(lvdpa_tr_recv(f, &h, got, &len), 1, "recv %u", k);
		if (lvdpa_tt_check_hdr(&h, "guest RX") < 0)
			return -1;
		if (f->hdr_len == LVDPA_NET_HDR_LEN_MRG)
			LVDPA_TEST_ASSERT_EQ(h.num_buffers,
					     lvdpa_tt_bufs(f, lvdpa_tt_len(round, k)),
					     "num_buffers");
		LVDPA_TEST_ASSERT_EQ(len, lvdpa_tt_len(round, k), "rx length");
		LVDPA_TEST_ASSERT(memcmp(got, data[k], len) == 0, "rx payload");
	}
	LVDPA_TEST_ASSERT_EQ(lvdpa_tr_recv(f, &h, got, &len), 0, "extra rx");
	return 0;
}

static int
lvdpa_tt_traffic(const struct lvdpa_tr_opts *o)
{
	struct lvdpa_relay_stats ts, rs;
	uint64_t bytes = 0;
	struct lvdpa_tr *f;
	unsigned int r, k;
	uint16_t a, u;
	bool same;
	int ret = -1;

	f = lvdpa_tr_init(o);
	LVDPA_TEST_ASSERT(f != NULL, "fixture");
	if (lvdpa_tr_start(f) != 0)
		goto out;
	for (r = 0; r < LVDPA_TT_ROUNDS; r++) {
		if (lvdpa_tt_round(f, r) < 0) {
			fprintf(stderr, "# round %u failed\n", r);
			goto out;
		}
		for (k = 0; k < LVDPA_TT_PKTS; k++)
			bytes += lvdpa_tt_len(r, k);
	}
	lvdpa_relay_stats_get(f->tx, &ts);
	lvdpa_relay_stats_get(f->rx, &rs);
	if (ts.tx_packets != LVDPA_TT_ROUNDS * LVDPA_TT_PKTS ||
	    rs.rx_packets != LVDPA_TT_ROUNDS * LVDPA_TT_PKTS ||
	    ts.tx_bytes != bytes || rs.rx_bytes != bytes ||
	    ts.err_guest_ring + ts.err_dev_used + rs.err_dev_hdr != 0) {
		fprintf(stderr, "# stats tx %" PRIu64 "/%" PRIu64 " rx %" PRIu64
			"/%" PRIu64 " want %u/%" PRIu64 "\n", ts.tx_packets,
			ts.tx_bytes, rs.rx_packets, rs.rx_bytes,
			LVDPA_TT_ROUNDS * LVDPA_TT_PKTS, bytes);
		goto out;
	}
	/* Conversions: none for LE with 12 bytes (the device's layout). */
	same = !o->be && f->hdr_len == 12;
	if (ts.hdr_conversions != (same ? 0 : ts.tx_packets) ||
	    rs.hdr_conversions != (same ? 0 : rs.rx_packets)) {
		fprintf(stderr, "# conversions %" PRIu64 " %" PRIu64 "\n",
			ts.hdr_conversions, rs.hdr_conversions);
		goto out;
	}
	/* Everything came back: nothing left to give back at stop. */
	lvdpa_relay_stop(f->tx);
	lvdpa_relay_stop(f->rx);
	lvdpa_relay_get_base(f->tx, &a, &u);
	if (a != u || a != LVDPA_TT_ROUNDS * LVDPA_TT_PKTS) {
		fprintf(stderr, "# tx base %u/%u\n", a, u);
		goto out;
	}
	lvdpa_relay_stats_get(f->rx, &rs);
	if (rs.unpopped + rs.returned_unused != 0)
		goto out;
	ret = 0;
out:
	lvdpa_tr_fini(f);
	return ret;
}

static int
test_relay_be_legacy_10(void)
{
	struct lvdpa_tr_opts o = { .be = true };

	if (lvdpa_tt_traffic(&o) < 0)
		return -1;
	o.tx_sep = o.rx_sep = true;
	if (lvdpa_tt_traffic(&o) < 0)
		return -1;
	/* The device negotiated event idx on the shadow rings. */
	o.shadow_evt = true;
	return lvdpa_tt_traffic(&o);
}

static int
test_relay_be_mrg_12(void)
{
	struct lvdpa_tr_opts o = { .be = true, .rx_room = 64,
		.features = LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_MRG_RXBUF) };

	if (lvdpa_tt_traffic(&o) < 0)
		return -1;
	o.tx_sep = true;
	o.rx_sep = true;
	return lvdpa_tt_traffic(&o);
}

/* A big-endian guest using indirect tables: flattened on the shadow ring. */
static int
test_relay_be_indirect(void)
{
	struct lvdpa_tr_opts o = { .be = true, .tx_sep = true, .rx_sep = true,
		.features = LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_INDIRECT_DESC) };

	if (lvdpa_tt_traffic(&o) < 0)
		return -1;
	o.rx_room = 64;
	o.features |= LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_MRG_RXBUF) |
		LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_EVENT_IDX);
	return lvdpa_tt_traffic(&o);
}

/* Guest memory in small regions: buffers and headers cross boundaries. */
static int
test_relay_fragmented(void)
{
	struct lvdpa_tr_opts o = { .be = true, .frag = true };

	if (lvdpa_tt_traffic(&o) < 0)
		return -1;
	o.rx_room = 64;
	o.features = LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_MRG_RXBUF);
	if (lvdpa_tt_traffic(&o) < 0)
		return -1;
	o.tx_sep = o.rx_sep = true;
	return lvdpa_tt_traffic(&o);
}

static int
test_relay_le_legacy_10(void)
{
	struct lvdpa_tr_opts o = { .be = false, .tx_sep = true };

	if (lvdpa_tt_traffic(&o) < 0)
		return -1;
	o.tx_sep = false;
	o.rx_sep = true;
	return lvdpa_tt_traffic(&o);
}

static int
test_relay_le_legacy_12(void)
{
	struct lvdpa_tr_opts o = { .rx_room = 100,
		.features = LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_MRG_RXBUF) };

	if (lvdpa_tt_traffic(&o) < 0)
		return -1;
	o.tx_sep = o.rx_sep = true;
	return lvdpa_tt_traffic(&o);
}

static int
test_relay_modern_forced(void)
{
	struct lvdpa_tr_opts o = {
		.features = LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_VERSION_1) };

	return lvdpa_tt_traffic(&o);
}

/* Big-endian legacy with event idx, small rings so indices wrap often. */
static int
test_relay_be_event_idx_wrap(void)
{
	struct lvdpa_tr_opts o = { .be = true, .size = 8, .shadow = 16,
		.features = LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_EVENT_IDX) };

	return lvdpa_tt_traffic(&o);
}

/* One packet through; returns the guest calls the RX relay made. */
static int
lvdpa_tt_one(struct lvdpa_tr *f, unsigned int *calls)
{
	static uint8_t d[64], got[256];
	struct lvdpa_net_hdr h;
	uint64_t cookie;
	uint32_t len;

	LVDPA_TEST_ASSERT_EQ(lvdpa_tr_post_rx(f, f->o.rx_room), 0, "post");
	lvdpa_ring_drv_publish(&f->grx);
	lvdpa_tt_fill(d, sizeof(d), f->nbuf);
	LVDPA_TEST_ASSERT_EQ(lvdpa_tr_send(f, d, sizeof(d)), 0, "send");
	lvdpa_ring_drv_publish(&f->gtx);
	LVDPA_TEST_ASSERT(lvdpa_tr_poll(f) > 0, "relay");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tr_dev_step(f), 2, "device");
	LVDPA_TEST_ASSERT(lvdpa_tr_poll(f) > 0, "relay back");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_get_used(&f->gtx, &cookie, &len), 1, "tx");
	LVDPA_TEST_ASSERT_EQ(lvdpa_tr_recv(f, &h, got, &len), 1, "rx");
	LVDPA_TEST_ASSERT(len == sizeof(d) && memcmp(got, d, len) == 0, "payload");
	*calls = lvdpa_tr_cnt[LVDPA_RELAY_RX].guest_calls;
	return 0;
}

static int
test_relay_event_idx(void)
{
	struct lvdpa_tr_opts o = { .be = true,
		.features = LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_EVENT_IDX) };
	struct lvdpa_tr *f = lvdpa_tr_init(&o);
	unsigned int c0 = 0, c1 = 0, c2 = 0, c3 = 0;
	bool kick;
	int ret = -1;

	LVDPA_TEST_ASSERT(f != NULL, "fixture");
	if (lvdpa_tr_start(f) != 0)
		goto out;
	/* Armed at used 0: the first return calls. */
	lvdpa_ring_drv_set_call(&f->grx, true);
	if (lvdpa_tt_one(f, &c0) < 0 || c0 != 1)
		goto fail;
	/* Not re-armed: used_event stays behind, no call. */
	if (lvdpa_tt_one(f, &c1) < 0 || c1 != 1)
		goto fail;
	/* Re-armed at the guest's position: one call again. */
	lvdpa_ring_drv_set_call(&f->grx, true);
	if (lvdpa_tt_one(f, &c2) < 0 || c2 != 2)
		goto fail;
	if (lvdpa_tt_one(f, &c3) < 0 || c3 != 2)
		goto fail;
	/* Guest kicks: wanted after the relay goes idle, once. */
	if (!lvdpa_relay_idle(f->tx))
		goto fail;
	{
		static uint8_t d[16];

		if (lvdpa_tr_send(f, d, sizeof(d)) != 0)
			goto fail;
		kick = lvdpa_ring_drv_publish(&f->gtx);
		if (!kick)
			goto fail;
		/* Woken, the relay polls; the next publish needs no kick. */
		if (lvdpa_relay_poll(f->tx, 64) != 1)
			goto fail;
		if (lvdpa_tr_send(f, d, sizeof(d)) != 0)
			goto fail;
		if (lvdpa_ring_drv_publish(&f->gtx))
			goto fail;
		/* Idle with work pending is refused. */
		if (lvdpa_relay_idle(f->tx))
			goto fail;
		/* So is idle with used entries the device returned. */
		if (lvdpa_relay_poll(f->tx, 64) != 1 || lvdpa_tr_dev_step(f) != 2 ||
		    lvdpa_relay_idle(f->tx))
			goto fail;
		if (lvdpa_relay_poll(f->tx, 64) != 2 || !lvdpa_relay_idle(f->tx))
			goto fail;
	}
	ret = 0;
	goto out;
fail:
	fprintf(stderr, "# calls %u %u %u %u\n", c0, c1, c2, c3);
out:
	lvdpa_tr_fini(f);
	return ret;
}

/* Without event idx the NO_INTERRUPT flag is honoured. */
static int
test_relay_no_interrupt_flag(void)
{
	struct lvdpa_tr_opts o = { .be = true };
	struct lvdpa_tr *f = lvdpa_tr_init(&o);
	unsigned int c = 0;
	int ret = -1;

	LVDPA_TEST_ASSERT(f != NULL, "fixture");
	if (lvdpa_tr_start(f) != 0)
		goto out;
	lvdpa_ring_drv_set_call(&f->grx, false);
	if (lvdpa_tt_one(f, &c) < 0 || c != 0)
		goto out;
	lvdpa_ring_drv_set_call(&f->grx, true);
	if (lvdpa_tt_one(f, &c) < 0 || c != 1)
		goto out;
	/* The device's doorbell was rung for both queues. */
	if (lvdpa_tr_cnt[LVDPA_RELAY_TX].dev_kicks == 0 ||
	    lvdpa_tr_cnt[LVDPA_RELAY_RX].dev_kicks == 0)
		goto out;
	ret = 0;
out:
	if (ret != 0)
		fprintf(stderr, "# calls %u\n", c);
	lvdpa_tr_fini(f);
	return ret;
}

/* A shadow ring smaller than the guest's: chains park, nothing is lost. */
static int
test_relay_enospc_parking(void)
{
	struct lvdpa_tr_opts o = { .be = true, .size = 32, .shadow = 8 };
	struct lvdpa_tr *f = lvdpa_tr_init(&o);
	static uint8_t d[10][100], got[256];
	struct lvdpa_relay_stats st;
	struct lvdpa_net_hdr h;
	unsigned int k, got_n = 0, iter;
	uint16_t a, u;
	uint64_t cookie;
	uint32_t len;
	int ret = -1;

	LVDPA_TEST_ASSERT(f != NULL, "fixture");
	if (lvdpa_tr_start(f) != 0)
		goto out;
	for (k = 0; k < 10; k++) {
		if (lvdpa_tr_post_rx(f, f->o.rx_room) != 0)
			goto out;
		lvdpa_tt_fill(d[k], sizeof(d[k]), k);
		if (lvdpa_tr_send(f, d[k], sizeof(d[k])) != 0)
			goto out;
	}
	lvdpa_ring_drv_publish(&f->grx);
	lvdpa_ring_drv_publish(&f->gtx);
	lvdpa_tr_poll(f);
	/* Two shadow descriptors per chain: 4 of 10 fit, the 5th is parked. */
	lvdpa_relay_stats_get(f->tx, &st);
	lvdpa_relay_get_base(f->tx, &a, &u);
	if (st.parked == 0 || a != 4 || u != 0) {
		fprintf(stderr, "# parked %" PRIu64 " base %u/%u\n", st.parked, a, u);
		goto out;
	}
	/* A parked queue does not ask to sleep on kicks alone. */
	for (iter = 0; iter < 50 && got_n < 10; iter++) {
		if (lvdpa_tr_poll(f) < 0 || lvdpa_tr_dev_step(f) < 0 ||
		    lvdpa_tr_poll(f) < 0)
			goto out;
		while (lvdpa_ring_drv_get_used(&f->gtx, &cookie, &len) == 1)
			;
		while (lvdpa_tr_recv(f, &h, got, &len) == 1) {
			if (len != sizeof(d[got_n]) ||
			    memcmp(got, d[got_n], len) != 0)
				goto out;
			got_n++;
		}
	}
	if (got_n != 10)
		goto out;
	lvdpa_relay_stats_get(f->tx, &st);
	if (st.tx_packets != 10 || st.hdr_conversions != 10 ||
	    st.err_guest_layout != 0)
		goto out;
	ret = 0;
out:
	if (ret != 0)
		fprintf(stderr, "# received %u\n", got_n);
	lvdpa_tr_fini(f);
	return ret;
}

/* SET/GET_VRING_BASE round trip, stop with buffers in flight, restart. */
static int
test_relay_base_and_stop(void)
{
	struct lvdpa_tr_opts o = { .be = true };
	struct lvdpa_tr *f = lvdpa_tr_init(&o);
	struct lvdpa_ring_iov iov[LVDPA_TR_IOV];
	struct lvdpa_ring_chain ch[3];
	struct lvdpa_relay_stats st;
	static uint8_t got[2048];
	struct lvdpa_net_hdr h;
	unsigned int c, k, first;
	uint64_t cookie;
	uint32_t len;
	uint16_t a, u;
	int ret = -1;

	LVDPA_TEST_ASSERT(f != NULL, "fixture");
	/* The guest ring resumes at 5 (after a migration, say). */
	lvdpa_ring_set_base(&f->gtx, 5, 5);
	lvdpa_ring_set_base(&f->grx, 5, 5);
	lvdpa_tr_st16(f, LVDPA_TR_TX_AVAIL + 2, 5);
	lvdpa_tr_st16(f, LVDPA_TR_RX_AVAIL + 2, 5);
	lvdpa_tr_st16(f, LVDPA_TR_TX_USED + 2, 5);
	lvdpa_tr_st16(f, LVDPA_TR_RX_USED + 2, 5);
	if (lvdpa_relay_set_base(f->tx, 5, 5) || lvdpa_relay_set_base(f->rx, 5, 5))
		goto out;
	lvdpa_relay_get_base(f->rx, &a, &u);
	if (a != 5 || u != 5)
		goto out;
	if (lvdpa_tr_start(f) != 0 || lvdpa_relay_set_base(f->rx, 0, 0) != -EBUSY)
		goto out;
	if (lvdpa_tt_one(f, &c) < 0)
		goto out;
	lvdpa_relay_get_base(f->rx, &a, &u);
	if (a != 6 || u != 6)
		goto fail_base;

	/* In order: 3 RX buffers in flight, device stopped -> un-popped. */
	first = f->nbuf;
	for (k = 0; k < 3; k++)
		if (lvdpa_tr_post_rx(f, f->o.rx_room) != 0)
			goto out;
	lvdpa_ring_drv_publish(&f->grx);
	if (lvdpa_tr_poll(f) != 3)
		goto out;
	lvdpa_relay_get_base(f->rx, &a, &u);
	if (a != 9 || u != 6)
		goto fail_base;
	lvdpa_relay_stop(f->rx);
	lvdpa_relay_stop(f->rx); /* idempotent */
	lvdpa_relay_stats_get(f->rx, &st);
	lvdpa_relay_get_base(f->rx, &a, &u);
	if (st.unpopped != 3 || st.returned_unused != 0 || a != 6 || u != 6)
		goto fail_base;
	if (lvdpa_relay_poll(f->rx, 8) != -ENOTCONN)
		goto out;
	/* Resume there: the same buffers receive the next packet. */
	lvdpa_relay_stop(f->tx);
	if (lvdpa_tr_start(f) != 0)
		goto out;
	{
		static uint8_t d[200];

		lvdpa_tt_fill(d, sizeof(d), 99);
		if (lvdpa_tr_send(f, d, sizeof(d)) != 0)
			goto out;
		lvdpa_ring_drv_publish(&f->gtx);
		if (lvdpa_tr_poll(f) != 4 || lvdpa_tr_dev_step(f) != 2 ||
		    lvdpa_tr_poll(f) != 2)
			goto out;
		if (lvdpa_ring_drv_get_used(&f->grx, &cookie, &len) != 1 ||
		    cookie != first || len != sizeof(d) + f->hdr_len)
			goto out;
		lvdpa_tr_buf_read(f, (unsigned int)cookie, f->hdr_len, got, len - f->hdr_len);
		if (memcmp(got, d, sizeof(d)) != 0)
			goto out;
	}

	/* Out of order: the device returns the middle one of 3 in flight. */
	lvdpa_relay_get_base(f->rx, &a, &u);
	if (a != 9 || u != 7)  /* two of the earlier three still in flight */
		goto fail_base;
	lvdpa_relay_stop(f->rx);    /* un-pops those two */
	lvdpa_relay_stop(f->tx);
	if (lvdpa_tr_start(f) != 0)
		goto out;
	first = f->nbuf;
	if (lvdpa_tr_post_rx(f, f->o.rx_room) != 0)
		goto out;
	lvdpa_ring_drv_publish(&f->grx);
	if (lvdpa_tr_poll(f) != 3)
		goto out;
	for (k = 0; k < 3; k++)
		if (lvdpa_ring_dev_pop(&f->drx, &ch[k], iov, LVDPA_TR_IOV) != 1)
			goto out;
	{
		uint8_t hdr[LVDPA_NET_HDR_LEN_MRG];
		struct lvdpa_net_hdr dh = lvdpa_tr_hdr;

		if (lvdpa_ring_dev_pop(&f->drx, &ch[0], iov, LVDPA_TR_IOV) != 0)
			goto out;
		/* Re-pop the middle chain's iovs: unpop 2, pop 2. */
		lvdpa_ring_dev_unpop(&f->drx, 2);
		if (lvdpa_ring_dev_pop(&f->drx, &ch[1], iov, LVDPA_TR_IOV) != 1)
			goto out;
		dh.num_buffers = 1;
		lvdpa_net_hdr_write(hdr, sizeof(hdr), false, &dh);
		lvdpa_ring_iov_write(&f->drx, iov, ch[1].nin, 0, hdr, sizeof(hdr));
		lvdpa_ring_iov_write(&f->drx, iov, ch[1].nin, 12, "abcd", 4);
		lvdpa_ring_dev_push(&f->drx, &ch[1], 16);
		lvdpa_ring_dev_flush(&f->drx);
	}
	lvdpa_relay_stop(f->rx);
	lvdpa_relay_stats_get(f->rx, &st);
	lvdpa_relay_get_base(f->rx, &a, &u);
	if (st.returned_unused != 2 || a != 10 || u != 10)
		goto fail_base;
	/* Guest sees the middle one with data, then the other two empty. */
	if (lvdpa_tr_recv(f, &h, got, &len) != 1 || len != 4 ||
	    memcmp(got, "abcd", 4) != 0 || h.hdr_len != lvdpa_tr_hdr.hdr_len)
		goto out;
	for (k = 0; k < 2; k++)
		if (lvdpa_ring_drv_get_used(&f->grx, &cookie, &len) != 1 ||
		    len != 0)
			goto out;
	if (lvdpa_ring_drv_get_used(&f->grx, &cookie, &len) != 0)
		goto out;
	ret = 0;
	goto out;
fail_base:
	fprintf(stderr, "# base %u/%u\n", a, u);
out:
	lvdpa_tr_fini(f);
	return ret;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_relay_be_legacy_10),
	LVDPA_TEST_CASE(test_relay_be_mrg_12),
	LVDPA_TEST_CASE(test_relay_be_indirect),
	LVDPA_TEST_CASE(test_relay_fragmented),
	LVDPA_TEST_CASE(test_relay_le_legacy_10),
	LVDPA_TEST_CASE(test_relay_le_legacy_12),
	LVDPA_TEST_CASE(test_relay_modern_forced),
	LVDPA_TEST_CASE(test_relay_be_event_idx_wrap),
	LVDPA_TEST_CASE(test_relay_event_idx),
	LVDPA_TEST_CASE(test_relay_no_interrupt_flag),
	LVDPA_TEST_CASE(test_relay_enospc_parking),
	LVDPA_TEST_CASE(test_relay_base_and_stop),
)
