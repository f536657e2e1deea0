/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Relay errors: a device returning bogus used entries, malformed guest
 * chains, bad configurations. Each stops the queue with a counter, writes
 * nothing more to the guest, and leaves stop/get_base working.
 */

#include "test_relay_common.h"

/* Post @p n RX buffers and let the relay forward them. */
static int
lvdpa_te_post(struct lvdpa_tr *f, unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n; k++)
		if (lvdpa_tr_post_rx(f, f->o.rx_room) != 0)
			return -1;
	lvdpa_ring_drv_publish(&f->grx);
	return lvdpa_relay_poll(f->rx, 64) == (int)n ? 0 : -1;
}

/* The device returns used id @p id; the RX relay must stop with -EPROTO. */
static int
lvdpa_te_bogus_id(uint32_t id)
{
	struct lvdpa_tr_opts o = { .be = true };
	struct lvdpa_tr *f = lvdpa_tr_init(&o);
	struct lvdpa_ring_chain ch = { .id = 0 };
	struct lvdpa_relay_stats st;
	uint16_t a, u;
	int ret = -1;

	LVDPA_TEST_ASSERT(f != NULL, "fixture");
	if (lvdpa_tr_start(f) != 0 || lvdpa_te_post(f, 2) != 0)
		goto out;
	if (id < f->drx.cfg.size) {
		/* In range: the walker's push writes it as it is. */
		ch.id = (uint16_t)id;
		if (lvdpa_ring_dev_push(&f->drx, &ch, 20) != 0)
			goto out;
	} else {
		/* Out of range: write the used element by hand (LE). */
		uint8_t *used = (uint8_t *)f->drx.device;
		uint32_t v = rte_cpu_to_le_32(id);

		memcpy(used + 4, &v, 4);
		f->drx.last_used++;
		f->drx.shadow_used++;
	}
	lvdpa_ring_dev_flush(&f->drx);
	lvdpa_tr_snap(f);
	if (lvdpa_relay_poll(f->rx, 64) != -EPROTO ||
	    lvdpa_relay_error(f->rx) != -EPROTO)
		goto out;
	/* Sticky, and nothing written to the guest. */
	if (lvdpa_relay_poll(f->rx, 64) != -EPROTO ||
	    memcmp(f->snap, f->mem, LVDPA_TR_MEM) != 0 || f->nlog != 0)
		goto out;
	lvdpa_relay_stats_get(f->rx, &st);
	if (st.err_dev_used != 1 || st.rx_packets != 0)
		goto out;
	/* Other queues go on. */
	if (lvdpa_relay_poll(f->tx, 64) != 0 || lvdpa_relay_error(f->tx) != 0)
		goto out;
	/* Stop still gives the guest its ring back: both buffers un-popped. */
	lvdpa_relay_stop(f->rx);
	lvdpa_relay_get_base(f->rx, &a, &u);
	lvdpa_relay_stats_get(f->rx, &st);
	if (a != 0 || u != 0 || st.unpopped != 2 || lvdpa_relay_error(f->rx) != 0)
		goto out;
	ret = 0;
out:
	lvdpa_tr_fini(f);
	return ret;
}

static int
test_relay_bogus_used_id(void)
{
	/* Descriptor 1 is the middle of chain 0 (two descriptors). */
	if (lvdpa_te_bogus_id(1) < 0)
		return -1;
	/* Descriptor 5: free, never handed out. */
	if (lvdpa_te_bogus_id(5) < 0)
		return -1;
	return lvdpa_te_bogus_id(70000);
}

/* A used length the buffer cannot hold, and a bad num_buffers. */
static int
test_relay_bad_used_len(void)
{
	struct lvdpa_tr_opts o = { .be = true };
	struct lvdpa_tr *f = lvdpa_tr_init(&o);
	struct lvdpa_ring_iov iov[LVDPA_TR_IOV];
	struct lvdpa_ring_chain ch;
	struct lvdpa_relay_stats st;
	int ret = -1;

	LVDPA_TEST_ASSERT(f != NULL, "fixture");
	if (lvdpa_tr_start(f) != 0 || lvdpa_te_post(f, 1) != 0)
		goto out;
	if (lvdpa_ring_dev_pop(&f->drx, &ch, iov, LVDPA_TR_IOV) != 1)
		goto out;
	lvdpa_ring_dev_push(&f->drx, &ch, ch.in_len + 1);
	lvdpa_ring_dev_flush(&f->drx);
	if (lvdpa_relay_poll(f->rx, 64) != -EBADMSG)
		goto out;
	lvdpa_relay_stats_get(f->rx, &st);
	if (st.err_dev_len != 1)
		goto out;
	lvdpa_relay_stop(f->rx);
	lvdpa_relay_stats_get(f->rx, &st);
	/* The chain came back (used, consumed) but was not relayed. */
	if (st.unpopped + st.returned_unused != 1)
		goto out;

	/* num_buffers 2 for a guest that cannot merge. */
	lvdpa_relay_stop(f->tx);
	if (lvdpa_tr_start(f) != 0)
		goto out;
	if (lvdpa_relay_poll(f->rx, 64) != 1)  /* the un-popped buffer */
		goto out;
	if (lvdpa_ring_dev_pop(&f->drx, &ch, iov, LVDPA_TR_IOV) != 1)
		goto out;
	{
		struct lvdpa_net_hdr h = lvdpa_tr_hdr;
		uint8_t raw[LVDPA_NET_HDR_LEN_MRG];

		h.num_buffers = 2;
		lvdpa_net_hdr_write(raw, sizeof(raw), false, &h);
		lvdpa_ring_iov_write(&f->drx, iov, ch.nin, 0, raw, sizeof(raw));
	}
	lvdpa_ring_dev_push(&f->drx, &ch, 20);
	lvdpa_ring_dev_flush(&f->drx);
	if (lvdpa_relay_poll(f->rx, 64) != -EBADMSG)
		goto out;
	lvdpa_relay_stats_get(f->rx, &st);
	if (st.err_dev_hdr != 1)
		goto out;
	ret = 0;
out:
	lvdpa_tr_fini(f);
	return ret;
}

enum lvdpa_te_bad {
	LVDPA_TE_UNMAPPED,   /* buffer outside guest memory */
	LVDPA_TE_LOOP,       /* descriptor chain loops */
	LVDPA_TE_SHORT_HDR,  /* TX chain shorter than the header */
	LVDPA_TE_RX_READABLE, /* RX chain with a readable segment */
	LVDPA_TE_BAD_HEAD,   /* avail ring names a head beyond the table */
	LVDPA_TE_TOO_LONG,   /* more segments than the shadow ring has */
};

static int
lvdpa_te_malformed(enum lvdpa_te_bad kind, bool be, int want_err,
		   bool layout)
{
	struct lvdpa_tr_opts o = { .be = be,
		.shadow = kind == LVDPA_TE_TOO_LONG ? 8 : 0 };
	struct lvdpa_tr *f = lvdpa_tr_init(&o);
	struct lvdpa_relay_stats st;
	struct lvdpa_ring_seg seg[9];
	unsigned int nseg = 2, k;
	struct lvdpa_relay *q;
	struct lvdpa_ring *g;
	int ret = -1, got;

	LVDPA_TEST_ASSERT(f != NULL, "fixture");
	if (lvdpa_tr_start(f) != 0)
		goto out;
	g = kind == LVDPA_TE_RX_READABLE ? &f->grx : &f->gtx;
	q = kind == LVDPA_TE_RX_READABLE ? f->rx : f->tx;
	seg[0] = (struct lvdpa_ring_seg){ LVDPA_TR_GPA + 0x20000, 100, false };
	seg[1] = (struct lvdpa_ring_seg){ LVDPA_TR_GPA + 0x21000, 100, false };
	switch (kind) {
	case LVDPA_TE_UNMAPPED:
		seg[1].addr = LVDPA_TR_GPA + LVDPA_TR_MEM + 0x1000;
		break;
	case LVDPA_TE_SHORT_HDR:
		seg[0].len = 4;
		nseg = 1;
		break;
	case LVDPA_TE_RX_READABLE:
		seg[1].write = true;
		break;
	case LVDPA_TE_TOO_LONG:
		/* 9 segments apart (no merging) + the header: 10 > 8. */
		nseg = 9;
		for (k = 0; k < nseg; k++)
			seg[k] = (struct lvdpa_ring_seg){
				LVDPA_TR_GPA + 0x20000 + k * 0x100, 64, false };
		break;
	default:
		break;
	}
	if (lvdpa_ring_drv_add(g, seg, nseg, 0, 0) != 0)
		goto out;
	if (kind == LVDPA_TE_LOOP) {
		/* Descriptor 1 points back to 0. */
		lvdpa_tr_st16(f, LVDPA_TR_TX_DESC + 16 + 12, LVDPA_VRING_DESC_F_NEXT);
		lvdpa_tr_st16(f, LVDPA_TR_TX_DESC + 16 + 14, 0);
	}
	if (kind == LVDPA_TE_BAD_HEAD)
		lvdpa_tr_st16(f, LVDPA_TR_TX_AVAIL + 4, 4000);
	lvdpa_ring_drv_publish(g);
	lvdpa_tr_snap(f);
	got = lvdpa_relay_poll(q, 64);
	lvdpa_relay_stats_get(q, &st);
	if (got != want_err || lvdpa_relay_error(q) != want_err ||
	    (layout ? st.err_guest_layout : st.err_guest_ring) != 1 ||
	    st.tx_packets != 0) {
		fprintf(stderr, "# kind %d: poll %d, ring %" PRIu64 " layout %"
			PRIu64 "\n", kind, got, st.err_guest_ring,
			st.err_guest_layout);
		goto out;
	}
	/* Nothing reached the device, nothing was written to the guest. */
	if (lvdpa_ring_dev_avail(kind == LVDPA_TE_RX_READABLE ? &f->drx : &f->dtx) ||
	    memcmp(f->snap, f->mem, LVDPA_TR_MEM) != 0 || f->nlog != 0)
		goto out;
	lvdpa_relay_stop(q);
	ret = 0;
out:
	lvdpa_tr_fini(f);
	return ret;
}

static int
test_relay_malformed_guest(void)
{
	if (lvdpa_te_malformed(LVDPA_TE_UNMAPPED, true, -EFAULT, false) < 0 ||
	    lvdpa_te_malformed(LVDPA_TE_UNMAPPED, false, -EFAULT, false) < 0)
		return -1;
	if (lvdpa_te_malformed(LVDPA_TE_LOOP, true, -ELOOP, false) < 0 ||
	    lvdpa_te_malformed(LVDPA_TE_LOOP, false, -ELOOP, false) < 0)
		return -1;
	if (lvdpa_te_malformed(LVDPA_TE_BAD_HEAD, true, -EPROTO, false) < 0)
		return -1;
	if (lvdpa_te_malformed(LVDPA_TE_SHORT_HDR, true, -EBADMSG, true) < 0 ||
	    lvdpa_te_malformed(LVDPA_TE_TOO_LONG, false, -EBADMSG, true) < 0)
		return -1;
	return lvdpa_te_malformed(LVDPA_TE_RX_READABLE, true, -EBADMSG, true);
}

/* A guest with no memory at all. */
static int
lvdpa_te_no_mem(void *opaque, uint64_t addr, uint64_t len, int write,
		void **ptr, uint64_t *contig)
{
	(void)opaque; (void)addr; (void)len; (void)write; (void)ptr; (void)contig;
	return -EFAULT;
}

static int
test_relay_config(void)
{
	static const struct lvdpa_ring_mem m = { lvdpa_te_no_mem, NULL, NULL };
	struct lvdpa_relay_config c = { .dir = LVDPA_RELAY_TX, .size = 256,
		.guest_mem = &m };
	struct lvdpa_relay_shadow s;
	struct lvdpa_relay *q;
	uint64_t need;
	void *area;

	LVDPA_TEST_ASSERT_EQ(lvdpa_relay_area_size(100, 0), 0, "size not pow2");
	LVDPA_TEST_ASSERT_EQ(lvdpa_relay_area_size(0, 0), 0, "size 0");
	LVDPA_TEST_ASSERT_EQ(lvdpa_relay_area_size(256, 100), 0, "shadow not pow2");
	need = lvdpa_relay_area_size(256, 0);
	/* 512 descriptors, avail, used, 512 header slots. */
	LVDPA_TEST_ASSERT(need >= 512 * 16 + 4 + 1024 + 2 + 4 + 4096 + 2 +
			  512 * LVDPA_RELAY_HDR_SLOT, "area %" PRIu64, need);
	LVDPA_TEST_ASSERT_EQ(need % LVDPA_RELAY_AREA_ALIGN, 0, "area aligned");
	LVDPA_TEST_ASSERT_EQ(lvdpa_relay_area_size(32768, 0),
			     lvdpa_relay_area_size(32768, 32768), "capped");
	area = aligned_alloc(LVDPA_RELAY_AREA_ALIGN, need);
	LVDPA_TEST_ASSERT(area != NULL, "alloc");
	c.area = area;
	c.area_iova = 0x40000000;
	c.area_len = need - 64;
	q = lvdpa_relay_create(&c);
	if (q != NULL)
		goto fail;
	c.area_len = need;
	c.guest_features = LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_RING_PACKED);
	q = lvdpa_relay_create(&c);
	if (q != NULL)
		goto fail;
	c.guest_features = 0;
	c.area_iova = 0x40000008;
	q = lvdpa_relay_create(&c);
	if (q != NULL)
		goto fail;
	c.area_iova = 0x40000000;
	q = lvdpa_relay_create(&c);
	if (q == NULL)
		goto fail;
	lvdpa_relay_shadow(q, &s);
	if (s.size != 512 || s.desc_iova != 0x40000000 ||
	    s.avail_iova <= s.desc_iova || s.used_iova <= s.avail_iova ||
	    s.used_iova + 4 + 8 * 512 > 0x40000000 + need ||
	    s.used_iova % 4 != 0 || s.avail_iova % 2 != 0)
		goto fail;
	/* Not started: poll refuses, stop is harmless, base is settable. */
	if (lvdpa_relay_poll(q, 8) != -ENOTCONN || lvdpa_relay_set_base(q, 3, 3) != 0)
		goto fail;
	lvdpa_relay_stop(q);
	/* Start fails cleanly when the guest ring is not mapped. */
	if (lvdpa_relay_start(q) != -EFAULT)
		goto fail;
	lvdpa_relay_destroy(q);
	lvdpa_relay_destroy(NULL);
	free(area);
	return 0;
fail:
	lvdpa_relay_destroy(q);
	free(area);
	return -1;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_relay_bogus_used_id),
	LVDPA_TEST_CASE(test_relay_bad_used_len),
	LVDPA_TEST_CASE(test_relay_malformed_guest),
	LVDPA_TEST_CASE(test_relay_config),
)
