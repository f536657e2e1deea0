/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Driver role -> device role round trips over one guest memory: seeded
 * random chains of 1..N segments, direct and indirect, split and packed,
 * LE and BE, event idx on and off, out-of-order completion, unpop, index
 * wrap past 65535 and packed wrap counters, one region and two (buffers
 * crossing the boundary come back as two iovs), through translate() alone
 * and with a memory window (the walker's inline path). Payloads are checked
 * both ways, and so are the notification decisions where they are certain.
 */

#include <stdio.h>

#include <rte_common.h>

#include "lvdpa_test.h"
#include "test_ring_common.h"

#define MEM_LEN    0x100000ull
#define CHUNK      2048u          /* guest bytes per buffer slot */
#define TABLE_LEN  128u           /* indirect table at the chunk start */
#define MAX_SEG    8u
#define MAX_SLOTS  256u
#define SPLIT_AT   (LVDPA_T_DATA + 200) /* inside chunk 0's data */

struct rt_param {
	const char *name;
	uint16_t size;
	bool packed, be, event_idx, indirect;
	uint64_t split;          /* two regions, boundary here; 0: one */
	uint16_t base;           /* start position (packed: bit 15 wrap) */
	unsigned int iters;
	unsigned int maxseg;
	uint64_t seed;
	bool window;             /* the view vouches for region 0 */
};

struct rt_rec {
	uint64_t seq;
	unsigned int nseg;
	struct lvdpa_ring_seg seg[MAX_SEG];
	uint32_t in_len;
	uint32_t pushed;         /* bytes the device wrote */
	bool in_flight;
	bool popped;
	bool ind;                /* offered through an indirect table */
	struct lvdpa_ring_chain ch;
};

struct rt_state {
	struct lvdpa_tmem m;
	struct lvdpa_ring drv, dev;
	struct rt_rec rec[MAX_SLOTS];
	uint16_t fifo[MAX_SLOTS];       /* slots in add order, not yet popped */
	unsigned int fifo_head, fifo_n;
	uint16_t held[MAX_SLOTS];       /* popped, not yet pushed */
	unsigned int nheld;
	uint64_t rnd;
	uint64_t seq;
	unsigned int split_iovs;        /* iovs beyond one per segment */
	unsigned int peeked;            /* peeks that named the next buffer */
	unsigned int used_total;
	uint64_t win_gen;
};

static uint8_t
out_byte(uint64_t seq, unsigned int i)
{
	return (uint8_t)(seq * 31 + i);
}

static uint8_t
in_byte(uint64_t seq, unsigned int i)
{
	return (uint8_t)(seq * 17 + i + 5);
}

static uint64_t
chunk_addr(unsigned int slot)
{
	return LVDPA_T_DATA + (uint64_t)slot * CHUNK;
}

/* Offer one random buffer in free slot @p slot. */
static int
rt_add(struct rt_state *s, const struct rt_param *p, unsigned int slot)
{
	struct rt_rec *rec = &s->rec[slot];
	bool ind = p->indirect && (lvdpa_trand(&s->rnd) & 1);
	unsigned int maxseg = ind ? p->maxseg :
		RTE_MIN(p->maxseg, (unsigned int)p->size);
	unsigned int nout, i, k = 0;
	uint64_t addr = chunk_addr(slot) + TABLE_LEN;
	int ret;

	rec->seq = s->seq++;
	rec->nseg = 1 + lvdpa_trand(&s->rnd) % maxseg;
	if (rec->nseg > lvdpa_ring_drv_free(&s->drv) && !ind)
		rec->nseg = lvdpa_ring_drv_free(&s->drv);
	nout = lvdpa_trand(&s->rnd) % (rec->nseg + 1);
	rec->in_len = 0;
	for (i = 0; i < rec->nseg; i++) {
		struct lvdpa_ring_seg *g = &rec->seg[i];

		g->addr = addr;
		g->len = 1 + lvdpa_trand(&s->rnd) % 200;
		g->write = i >= nout;
		addr += g->len + lvdpa_trand(&s->rnd) % 8;
		if (g->write) {
			rec->in_len += g->len;
			for (unsigned int b = 0; b < g->len; b++)
				*lvdpa_tmem_ptr(&s->m, g->addr + b) = 0;
		} else {
			for (unsigned int b = 0; b < g->len; b++)
				*lvdpa_tmem_ptr(&s->m, g->addr + b) =
					out_byte(rec->seq, k++);
		}
	}
	ret = lvdpa_ring_drv_add(&s->drv, rec->seg, rec->nseg,
				 ind ? chunk_addr(slot) : 0,
				 rec->seq << 16 | slot);
	LVDPA_TEST_ASSERT_EQ(ret, 0, "add %u segs (indirect %d) in slot %u",
			     rec->nseg, ind, slot);
	rec->in_flight = true;
	rec->popped = false;
	rec->ind = ind;
	s->fifo[(s->fifo_head + s->fifo_n++) % MAX_SLOTS] = (uint16_t)slot;
	return 0;
}

/* Check a popped chain against what the driver offered; write the reply. */
static int
rt_check_pop(struct rt_state *s, struct rt_rec *rec,
	     const struct lvdpa_ring_chain *ch, const struct lvdpa_ring_iov *iov)
{
	unsigned int v = 0, i, kout = 0, kin = 0;
	uint32_t out_len = 0;

	for (i = 0; i < rec->nseg; i++) {
		const struct lvdpa_ring_seg *g = &rec->seg[i];
		uint32_t done = 0;

		while (done < g->len) {
			const struct lvdpa_ring_iov *x = &iov[v++];

			LVDPA_TEST_ASSERT(v <= (unsigned int)ch->nout + ch->nin,
					  "iovs run out at seg %u", i);
			LVDPA_TEST_ASSERT_EQ(x->addr, g->addr + done, "iov addr");
			LVDPA_TEST_ASSERT(x->base == lvdpa_tmem_ptr(&s->m, x->addr),
					  "iov base");
			LVDPA_TEST_ASSERT_EQ(x->write, g->write, "iov dir");
			LVDPA_TEST_ASSERT(x->len > 0 && x->len <= g->len - done,
					  "iov len %u", x->len);
			for (uint32_t b = 0; b < x->len; b++) {
				uint8_t *p = (uint8_t *)x->base + b;

				if (x->write)
					*p = in_byte(rec->seq, kin++);
				else
					LVDPA_TEST_ASSERT_EQ(*p,
						out_byte(rec->seq, kout++),
						"payload seq %" PRIu64,
						rec->seq);
			}
			done += x->len;
		}
		if (!g->write)
			out_len += g->len;
	}
	LVDPA_TEST_ASSERT_EQ(v, (unsigned int)ch->nout + ch->nin, "iov count");
	/* The copy helpers see the same bytes, from any offset. */
	if (out_len > 0) {
		uint8_t buf[MAX_SEG * 200];
		uint32_t off = (uint32_t)(lvdpa_trand(&s->rnd) % out_len), got;

		got = lvdpa_ring_iov_read(iov, ch->nout, off, buf, sizeof(buf));
		LVDPA_TEST_ASSERT_EQ(got, out_len - off, "iov_read length");
		for (uint32_t b = 0; b < got; b++)
			LVDPA_TEST_ASSERT_EQ(buf[b], out_byte(rec->seq, off + b),
					     "iov_read byte %u", b);
	}
	if (rec->in_len > 0) {
		uint8_t buf[MAX_SEG * 200];
		uint32_t cut = (uint32_t)(lvdpa_trand(&s->rnd) % rec->in_len);

		for (uint32_t b = 0; b < rec->in_len; b++)
			buf[b] = in_byte(rec->seq, b);
		/* Rewrite the reply in two pieces through the helper. */
		LVDPA_TEST_ASSERT_EQ(lvdpa_ring_iov_write(&s->dev, iov + ch->nout,
							  ch->nin, cut, buf + cut,
							  rec->in_len),
				     rec->in_len - cut, "iov_write tail");
		LVDPA_TEST_ASSERT_EQ(lvdpa_ring_iov_write(&s->dev, iov + ch->nout,
							  ch->nin, 0, buf, cut),
				     cut, "iov_write head");
	}
	s->split_iovs += v - rec->nseg;
	LVDPA_TEST_ASSERT_EQ(ch->out_len, out_len, "out_len");
	LVDPA_TEST_ASSERT_EQ(ch->in_len, rec->in_len, "in_len");
	return 0;
}

/* Device: pop up to @p max chains; true in *all when the ring emptied. */
static int
rt_device_pop(struct rt_state *s, unsigned int max, bool *all)
{
	struct lvdpa_ring_iov iov[64];
	struct lvdpa_ring_chain ch, ch2;
	unsigned int n = 0;
	int ret;

	*all = false;
	for (;;) {
		uint64_t peek_addr[2] = { 0, 0 };
		unsigned int peeked;
		struct rt_rec *rec;

		if (n == max)
			return 0;
		peeked = lvdpa_ring_dev_peek(&s->dev, 0, peek_addr);
		ret = lvdpa_ring_dev_pop(&s->dev, &ch, iov, 64);
		LVDPA_TEST_ASSERT(ret >= 0, "pop: %d", ret);
		if (ret == 0) {
			LVDPA_TEST_ASSERT_EQ(s->fifo_n, 0, "device sees less");
			*all = true;
			return 0;
		}
		LVDPA_TEST_ASSERT(s->fifo_n > 0, "device sees more than added");
		/* Now and then give it back and take it again. */
		if (lvdpa_trand(&s->rnd) % 8 == 0) {
			lvdpa_ring_dev_unpop(&s->dev, 1);
			ret = lvdpa_ring_dev_pop(&s->dev, &ch2, iov, 64);
			LVDPA_TEST_ASSERT_EQ(ret, 1, "pop after unpop");
			LVDPA_TEST_ASSERT_EQ(ch2.id, ch.id, "same chain again");
			LVDPA_TEST_ASSERT_EQ(ch2.ndesc, ch.ndesc, "same ndesc");
		}
		rec = &s->rec[s->fifo[s->fifo_head]];
		/* A peek names the first buffers of a direct split chain, or nothing. */
		if (peeked) {
			LVDPA_TEST_ASSERT(!s->dev.cfg.packed && !rec->ind,
					  "peek on a packed ring or an indirect chain");
			LVDPA_TEST_ASSERT_EQ(peeked, RTE_MIN(rec->nseg, 2u), "buffers peeked");
			LVDPA_TEST_ASSERT_EQ(peek_addr[0], rec->seg[0].addr, "first buffer");
			if (peeked == 2)
				LVDPA_TEST_ASSERT_EQ(peek_addr[1], rec->seg[1].addr,
						     "second buffer");
			s->peeked++;
		}
		s->fifo_head = (s->fifo_head + 1) % MAX_SLOTS;
		s->fifo_n--;
		if (rt_check_pop(s, rec, &ch, iov))
			return -1;
		rec->ch = ch;
		rec->popped = true;
		s->held[s->nheld++] = (uint16_t)(rec - s->rec);
		n++;
	}
}

/* Device: push a random subset of the held chains, in random order. */
static int
rt_device_push(struct rt_state *s, bool all, unsigned int *pushed)
{
	unsigned int n = all ? s->nheld :
		(unsigned int)(lvdpa_trand(&s->rnd) % (s->nheld + 1));

	*pushed = n;
	while (n-- > 0) {
		unsigned int k = lvdpa_trand(&s->rnd) % s->nheld;
		struct rt_rec *rec = &s->rec[s->held[k]];
		int ret;

		s->held[k] = s->held[--s->nheld];
		rec->pushed = rec->in_len == 0 ? 0 :
			(uint32_t)(lvdpa_trand(&s->rnd) % (rec->in_len + 1));
		ret = lvdpa_ring_dev_push(&s->dev, &rec->ch, rec->pushed);
		LVDPA_TEST_ASSERT_EQ(ret, 0, "push");
	}
	lvdpa_ring_dev_flush(&s->dev);
	return 0;
}

/* Driver: collect everything used and check it. */
static int
rt_driver_collect(struct rt_state *s)
{
	uint64_t cookie;
	uint32_t len;
	int ret;

	while ((ret = lvdpa_ring_drv_get_used(&s->drv, &cookie, &len)) == 1) {
		unsigned int slot = cookie & 0xffff, k = 0;
		struct rt_rec *rec = &s->rec[slot];

		LVDPA_TEST_ASSERT(slot < MAX_SLOTS && rec->in_flight &&
				  rec->popped, "cookie %" PRIx64, cookie);
		LVDPA_TEST_ASSERT_EQ(cookie >> 16, rec->seq, "cookie seq");
		LVDPA_TEST_ASSERT_EQ(len, rec->pushed, "used len");
		for (unsigned int i = 0; i < rec->nseg && k < len; i++) {
			const struct lvdpa_ring_seg *g = &rec->seg[i];

			if (!g->write)
				continue;
			for (uint32_t b = 0; b < g->len && k < len; b++, k++)
				LVDPA_TEST_ASSERT_EQ(*lvdpa_tmem_ptr(&s->m,
					g->addr + b), in_byte(rec->seq, k),
					"reply payload");
		}
		rec->in_flight = false;
		s->used_total++;
	}
	LVDPA_TEST_ASSERT_EQ(ret, 0, "get_used");
	return 0;
}

static int
rt_run(const struct rt_param *p)
{
	struct rt_state *s = calloc(1, sizeof(*s));
	struct lvdpa_ring_config cfg;
	unsigned int it, slots = RTE_MIN((unsigned int)p->size, MAX_SLOTS);
	uint16_t a, u;
	int rc = -1;

	if (s == NULL)
		return -1;
	s->rnd = p->seed;
	if (lvdpa_tmem_init(&s->m, MEM_LEN, p->split) != 0)
		goto out;
	if (p->window) {
		s->m.mem.win_gen = &s->win_gen;
		s->m.mem.win.lo = s->m.reg[0].gpa;
		s->m.mem.win.len = s->m.reg[0].len;
		s->m.mem.win.base = s->m.reg[0].host;
		s->m.mem.win.write = true;
		s->m.mem.win.gen = s->win_gen;
	}
	cfg = lvdpa_tmem_cfg(&s->m, p->size, p->packed, p->be, p->event_idx,
			     p->indirect, true);
	if (lvdpa_ring_init(&s->drv, &cfg) != 0)
		goto out;
	cfg.driver_role = false;
	if (lvdpa_ring_init(&s->dev, &cfg) != 0)
		goto out;
	if (p->base != 0 || p->packed) {
		lvdpa_ring_set_base(&s->drv, p->base, p->base);
		lvdpa_ring_set_base(&s->dev, p->base, p->base);
		if (!p->packed) {
			/* What the driver's set-up would have left in memory. */
			lvdpa_tmem_put(&s->m, LVDPA_T_DRIVER + 2, p->base, 2, p->be);
			lvdpa_tmem_put(&s->m, LVDPA_T_DEVICE + 2, p->base, 2, p->be);
		}
	}
	for (it = 0; it < p->iters; it++) {
		unsigned int want = lvdpa_trand(&s->rnd) % (slots + 1), i;
		unsigned int pushed;
		bool all, kick, call_on = lvdpa_trand(&s->rnd) & 1;

		/* The driver asks for calls before the device works. */
		lvdpa_ring_drv_set_call(&s->drv, call_on);
		for (i = 0; i < slots && want > 0 &&
		     lvdpa_ring_drv_free(&s->drv) > 0; i++) {
			if (s->rec[i].in_flight)
				continue;
			if (rt_add(s, p, i))
				goto out;
			want--;
		}
		kick = lvdpa_ring_drv_publish(&s->drv);
		if (rt_device_pop(s, 1 + lvdpa_trand(&s->rnd) % slots, &all))
			goto out;
		if (all) {
			/* Kicks enabled on an empty ring: the next add kicks. */
			lvdpa_ring_dev_set_kick(&s->dev, true);
			LVDPA_TEST_ASSERT(!lvdpa_ring_dev_avail(&s->dev),
					  "nothing slipped in");
		} else {
			lvdpa_ring_dev_set_kick(&s->dev, false);
		}
		RTE_SET_USED(kick);
		if (rt_device_push(s, lvdpa_trand(&s->rnd) % 4 == 0, &pushed))
			goto out;
		if (pushed > 0) {
			bool need = lvdpa_ring_dev_need_notify(&s->dev);

			/* Everything collected before and calls wanted. */
			if (call_on)
				LVDPA_TEST_ASSERT(need, "missed call, it %u", it);
		}
		if (rt_driver_collect(s))
			goto out;
		if (all) {
			/* A device that asked for kicks on an empty ring. */
			unsigned int slot;

			for (slot = 0; slot < slots && s->rec[slot].in_flight;
			     slot++)
				;
			if (slot < slots && lvdpa_ring_drv_free(&s->drv) > 0) {
				if (rt_add(s, p, slot))
					goto out;
				LVDPA_TEST_ASSERT(lvdpa_ring_drv_publish(&s->drv),
						  "missed kick, it %u", it);
			}
		}
	}
	/* Drain: the device completes everything. */
	for (it = 0; it < 4; it++) {
		bool all;
		unsigned int pushed;

		if (rt_device_pop(s, MAX_SLOTS, &all) ||
		    rt_device_push(s, true, &pushed) || rt_driver_collect(s))
			goto out;
	}
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_drv_free(&s->drv), p->size, "all back");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_error(&s->drv), 0, "drv error");
	LVDPA_TEST_ASSERT_EQ(lvdpa_ring_error(&s->dev), 0, "dev error");
	LVDPA_TEST_ASSERT(s->used_total == s->seq, "%u of %" PRIu64 " used",
			  s->used_total, s->seq);
	if (p->split != 0)
		LVDPA_TEST_ASSERT(s->split_iovs > 0, "no buffer crossed regions");
	/* The fixed shapes are long enough that some peek must have named one. */
	if (!p->packed && p->iters >= 400)
		LVDPA_TEST_ASSERT(s->peeked > 0, "no peek named a buffer");
	/* Both sides agree on the position. */
	lvdpa_ring_get_base(&s->dev, &a, &u);
	LVDPA_TEST_ASSERT_EQ(a, u, "device: all popped were used");
	if (!p->packed)
		LVDPA_TEST_ASSERT_EQ(a, (uint16_t)(p->base + s->seq),
				     "split index moved by the chain count");
	printf("# %s: %" PRIu64 " chains, %u region-split iovs, base %04x\n",
	       p->name, s->seq, s->split_iovs, a);
	rc = 0;
out:
	lvdpa_ring_fini(&s->drv);
	lvdpa_ring_fini(&s->dev);
	lvdpa_tmem_fini(&s->m);
	free(s);
	return rc;
}

static const struct rt_param rt_params[] = {
	{ "split le", 8, false, false, false, false, 0, 0, 400, 4, 1 },
	{ "split be", 8, false, true, false, false, 0, 0, 400, 4, 2 },
	{ "split le evidx", 16, false, false, true, false, 0, 0, 400, 6, 3 },
	{ "split be evidx indirect", 16, false, true, true, true, 0, 0, 400, 8, 4 },
	{ "split le indirect wrap", 8, false, false, false, true, 0, 65500, 400, 8, 5 },
	{ "split be evidx wrap", 4, false, true, true, false, 0, 65530, 300, 3, 6 },
	{ "split size 1", 1, false, false, true, false, 0, 65534, 100, 1, 7 },
	{ "split 256 two regions", 256, false, false, true, true, SPLIT_AT, 0, 200, 8, 8 },
	{ "split be two regions", 32, false, true, false, true, SPLIT_AT, 0, 300, 8, 9 },
	{ "packed le", 8, true, false, false, false, 0, 0x8000, 400, 4, 10 },
	{ "packed be", 7, true, true, false, false, 0, 0x8000, 400, 4, 11 },
	{ "packed le evidx", 13, true, false, true, false, 0, 0x8000, 400, 6, 12 },
	{ "packed le evidx indirect", 16, true, false, true, true, 0, 0x8000, 400, 8, 13 },
	{ "packed be evidx indirect", 5, true, true, true, true, 0, 0x8000, 400, 8, 14 },
	{ "packed wrap 0 start", 9, true, false, true, true, 0, 0x0005, 400, 8, 15 },
	{ "packed size 1", 1, true, false, true, false, 0, 0x8000, 100, 1, 16 },
	{ "packed 250 two regions", 250, true, false, true, true, SPLIT_AT, 0x8000, 200, 8, 17 },
};

/* Each case of one layout, through translate() only and with a window. */
static int
rt_run_cases(bool packed)
{
	for (unsigned int i = 0; i < RTE_DIM(rt_params); i++) {
		struct rt_param p = rt_params[i];

		if (p.packed != packed)
			continue;
		for (int w = 0; w < 2; w++) {
			p.window = w;
			if (rt_run(&p) != 0) {
				fprintf(stderr, "# case %s%s\n", p.name,
					w ? ", window" : "");
				return -1;
			}
		}
	}
	return 0;
}

static int
test_roundtrip_split(void)
{
	return rt_run_cases(false);
}

static int
test_roundtrip_packed(void)
{
	return rt_run_cases(true);
}

/* Many seeds of a few small shapes: different interleavings each time. */
static int
test_roundtrip_seeds(void)
{
	for (uint64_t seed = 100; seed < 140; seed++) {
		struct rt_param p = {
			.name = "seeded", .size = (uint16_t)(1u << (seed % 5)),
			.packed = seed & 1, .be = seed & 2,
			.event_idx = seed & 4, .indirect = seed & 8,
			.split = (seed & 16) ? SPLIT_AT : 0, .iters = 60,
			.maxseg = 1 + seed % MAX_SEG, .seed = seed,
			.window = seed & 32,
		};

		if (p.packed) {
			p.size += seed % 3;
			p.base = 0x8000;
		} else {
			p.base = (uint16_t)(65536 - seed);
		}
		if (rt_run(&p) != 0) {
			fprintf(stderr, "# seed %" PRIu64 "\n", seed);
			return -1;
		}
	}
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_roundtrip_split),
	LVDPA_TEST_CASE(test_roundtrip_packed),
	LVDPA_TEST_CASE(test_roundtrip_seeds),
)
