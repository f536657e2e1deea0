/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Fuzz target: the virtqueue walker (drivers/common/lvdpa_ring) over a
 * fuzzed guest memory and ring configuration, driven by a fuzzed sequence
 * of device-role and driver-role operations and of guest writes.
 *
 * Input layout (see gen_corpus.py, which writes valid rings):
 *   [0]      flags: bit0 packed, bit1 event_idx, bit2 indirect,
 *            bit3 big endian, bit4 two memory regions, bit5 raw (possibly
 *            misaligned) area addresses, bit6 raw size, bit7 read-only range
 *   [1]      log2 of the ring size (size = 1 << (v % 10))
 *   [2..3]   raw size (bit6), little endian like every field here
 *   [4..9]   descriptor, driver and device area addresses (16 bits each)
 *   [10..11] region split point (bit4) / read-only range start (bit7)
 *   [12..15] initial avail and used positions (set_base when not 0)
 *   [16]     number of operations (at most LVDPA_FUZZ_MAX_OPS)
 *   [17..]   operations, 4 bytes each: code, a, b, c
 *   [LVDPA_FUZZ_MEM_OFF..] guest memory image (zero-padded)
 *
 * Each input runs twice: through translate() alone, and with a memory
 * window on region 0 (the walker's inline path for direct chains).
 *
 * Invariants checked (abort on violation, besides ASan/UBSan):
 * - every errno is one lvdpa_ring.h documents for the call;
 * - a ring broken once stays broken with the same error (sticky);
 * - popped chains are consistent: iovs inside the guest memory, lengths
 *   adding up, readable ones first, no more than the caller's array;
 * - the virtio-net header helpers round-trip whatever the buffer holds.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

#include "lvdpa_net_hdr.h"
#include "lvdpa_ring.h"

#define LVDPA_FUZZ_MEM_SIZE 8192u
#define LVDPA_FUZZ_MAX_OPS 32u
#define LVDPA_FUZZ_MEM_OFF (17u + 4u * LVDPA_FUZZ_MAX_OPS)
#define LVDPA_FUZZ_MAX_IOV 16u
#define LVDPA_FUZZ_MAX_HELD 64u

#define LVDPA_FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_ring: invariant failed: %s (line %d)\n", \
			#cond, __LINE__); \
		abort(); \
	} \
} while (0)

struct lvdpa_fuzz_mem {
	uint8_t *host[2];
	uint64_t gpa[2];
	uint64_t len[2];
	unsigned int nreg;
	uint64_t ro_start, ro_end;
	struct lvdpa_ring_mem mem;
};

static int
lvdpa_fuzz_translate(void *opaque, uint64_t addr, uint64_t len, int write,
		     void **ptr, uint64_t *contig)
{
	struct lvdpa_fuzz_mem *m = opaque;
	unsigned int i;

	for (i = 0; i < m->nreg; i++) {
		uint64_t off;

		if (addr < m->gpa[i] || addr - m->gpa[i] >= m->len[i])
			continue;
		if (write && addr < m->ro_end && addr + len > m->ro_start)
			return -EFAULT;
		off = addr - m->gpa[i];
		*ptr = m->host[i] + off;
		*contig = m->len[i] - off < len ? m->len[i] - off : len;
		return 0;
	}
	return -EFAULT;
}

static void
lvdpa_fuzz_log(void *opaque, uint64_t addr, uint64_t len)
{
	struct lvdpa_fuzz_mem *m = opaque;

	/* Logged ranges are ring or buffer ranges: inside the memory. */
	LVDPA_FUZZ_CHECK(len <= LVDPA_FUZZ_MEM_SIZE &&
			 addr <= LVDPA_FUZZ_MEM_SIZE - len);
	(void)m;
}

/* Is [p, p + len) inside one region's host buffer? */
static bool
lvdpa_fuzz_inside(const struct lvdpa_fuzz_mem *m, const void *p, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < m->nreg; i++) {
		const uint8_t *b = m->host[i];

		if ((const uint8_t *)p >= b && (const uint8_t *)p <= b + m->len[i] &&
		    len <= (uint64_t)(b + m->len[i] - (const uint8_t *)p))
			return true;
	}
	return false;
}

static uint16_t
lvdpa_fuzz_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static bool
lvdpa_fuzz_errno_ok(int ret)
{
	return ret == -EFAULT || ret == -ELOOP || ret == -E2BIG ||
		ret == -EPROTO || ret == -EINVAL;
}

/* A broken ring answers with its error forever. */
static void
lvdpa_fuzz_sticky(struct lvdpa_ring *r, int *err, int ret)
{
	if (*err != 0) {
		LVDPA_FUZZ_CHECK(ret == *err);
		LVDPA_FUZZ_CHECK(lvdpa_ring_error(r) == *err);
		return;
	}
	if (lvdpa_ring_error(r) != 0)
		*err = lvdpa_ring_error(r);
}

static void
lvdpa_fuzz_check_chain(const struct lvdpa_fuzz_mem *m, const struct lvdpa_ring *r,
		       const struct lvdpa_ring_chain *ch,
		       const struct lvdpa_ring_iov *iov, unsigned int max_iov)
{
	uint64_t out = 0, in = 0;
	unsigned int i;

	LVDPA_FUZZ_CHECK((unsigned int)ch->nout + ch->nin <= max_iov);
	if (!r->cfg.packed)
		LVDPA_FUZZ_CHECK(ch->id < r->cfg.size);
	else
		LVDPA_FUZZ_CHECK(ch->ndesc >= 1 && ch->ndesc <= r->cfg.size);
	for (i = 0; i < (unsigned int)ch->nout + ch->nin; i++) {
		LVDPA_FUZZ_CHECK(iov[i].write == (i >= ch->nout));
		LVDPA_FUZZ_CHECK(lvdpa_fuzz_inside(m, iov[i].base, iov[i].len));
		if (iov[i].write)
			in += iov[i].len;
		else
			out += iov[i].len;
	}
	LVDPA_FUZZ_CHECK(out == ch->out_len && in == ch->in_len);
}

/* Read the chain's header both ways and check the helpers round-trip. */
static void
lvdpa_fuzz_net_hdr(const struct lvdpa_ring *r, const struct lvdpa_ring_chain *ch,
		   const struct lvdpa_ring_iov *iov, uint8_t arg)
{
	unsigned int len = arg & 1 ? LVDPA_NET_HDR_LEN_MRG :
		LVDPA_NET_HDR_LEN_LEGACY;
	bool be = r->cfg.big_endian;
	struct lvdpa_net_hdr h, h2;
	uint8_t buf[LVDPA_NET_HDR_LEN_MRG], buf2[LVDPA_NET_HDR_LEN_MRG];
	uint32_t got;

	memset(buf, 0, sizeof(buf));
	got = lvdpa_ring_iov_read(iov, ch->nout, 0, buf, len);
	LVDPA_FUZZ_CHECK(got <= len && got <= ch->out_len);
	lvdpa_net_hdr_read(buf, len, be, &h);
	if (len == LVDPA_NET_HDR_LEN_LEGACY)
		LVDPA_FUZZ_CHECK(h.num_buffers == 0);
	memset(buf2, 0, sizeof(buf2));
	lvdpa_net_hdr_write(buf2, len, be, &h);
	LVDPA_FUZZ_CHECK(memcmp(buf, buf2, len) == 0);
	lvdpa_net_hdr_read(buf2, len, be, &h2);
	LVDPA_FUZZ_CHECK(memcmp(&h, &h2, sizeof(h)) == 0);
	/* Write it back into the writable part, as a receive path would. */
	if (ch->nin > 0) {
		got = lvdpa_ring_iov_write(r, iov + ch->nout, ch->nin, arg >> 1,
					   buf2, len);
		LVDPA_FUZZ_CHECK(got <= len);
	}
}

struct lvdpa_fuzz_held {
	struct lvdpa_ring_chain ch;
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* Broken rings are the point here: keep their (correct) logs quiet. */
	if (getenv("LVDPA_FUZZ_LOG") == NULL)
		rte_log_set_global_level(RTE_LOG_EMERG);
	return 0;
}

/*
 * One pass over the input; with @p window the memory view vouches for
 * region 0 (writable unless a read-only range is set), so that chains
 * inside it take the walker's inline path.
 */
static int
lvdpa_fuzz_one(const uint8_t *data, size_t size, bool window)
{
	uint64_t win_gen = 1;
	struct lvdpa_fuzz_mem m;
	struct lvdpa_ring_config cfg;
	struct lvdpa_ring dev, drv;
	struct lvdpa_ring_iov iov[LVDPA_FUZZ_MAX_IOV];
	struct lvdpa_fuzz_held held[LVDPA_FUZZ_MAX_HELD];
	struct lvdpa_ring_chain last;
	struct lvdpa_ring_iov last_iov[LVDPA_FUZZ_MAX_IOV];
	bool have_last = false, drv_ok;
	unsigned int nheld = 0, unpoppable = 0, nops, i;
	uint8_t hdr[LVDPA_FUZZ_MEM_OFF];
	uint8_t flags;
	int dev_err = 0, drv_err = 0, ret;
	uint16_t split;

	if (size < 17)
		return 0;
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, data, size < sizeof(hdr) ? size : sizeof(hdr));
	flags = hdr[0];

	memset(&m, 0, sizeof(m));
	split = lvdpa_fuzz_u16(hdr + 10) % LVDPA_FUZZ_MEM_SIZE;
	if ((flags & 0x10) && split != 0) {
		m.nreg = 2;
		m.len[0] = split;
		m.gpa[1] = split;
		m.len[1] = LVDPA_FUZZ_MEM_SIZE - split;
	} else {
		m.nreg = 1;
		m.len[0] = LVDPA_FUZZ_MEM_SIZE;
	}
	/* Separate allocations of exact size: ASan sees any overrun. */
	for (i = 0; i < m.nreg; i++) {
		m.host[i] = calloc(1, m.len[i]);
		if (m.host[i] == NULL)
			abort();
	}
	if (size > LVDPA_FUZZ_MEM_OFF) {
		size_t n = size - LVDPA_FUZZ_MEM_OFF, done = 0;

		if (n > LVDPA_FUZZ_MEM_SIZE)
			n = LVDPA_FUZZ_MEM_SIZE;
		for (i = 0; i < m.nreg && done < n; i++) {
			size_t k = n - done < m.len[i] ? n - done : m.len[i];

			memcpy(m.host[i], data + LVDPA_FUZZ_MEM_OFF + done, k);
			done += k;
		}
	}
	if (flags & 0x80) {
		m.ro_start = split;
		m.ro_end = (uint64_t)split + 256;
	}
	m.mem.translate = lvdpa_fuzz_translate;
	m.mem.log_write = lvdpa_fuzz_log;
	m.mem.opaque = &m;
	if (window) {
		m.mem.win_gen = &win_gen;
		m.mem.win.lo = m.gpa[0];
		m.mem.win.len = m.len[0];
		m.mem.win.base = m.host[0];
		m.mem.win.write = !(flags & 0x80);
		m.mem.win.gen = win_gen;
	}

	memset(&cfg, 0, sizeof(cfg));
	cfg.packed = flags & 0x01;
	cfg.event_idx = flags & 0x02;
	cfg.indirect = flags & 0x04;
	cfg.big_endian = flags & 0x08;
	cfg.size = (flags & 0x40) ? lvdpa_fuzz_u16(hdr + 2) :
		(uint16_t)(1u << (hdr[1] % 10));
	cfg.desc_addr = lvdpa_fuzz_u16(hdr + 4);
	cfg.driver_addr = lvdpa_fuzz_u16(hdr + 6);
	cfg.device_addr = lvdpa_fuzz_u16(hdr + 8);
	if (!(flags & 0x20)) {
		cfg.desc_addr &= ~(uint64_t)15;
		cfg.driver_addr &= ~(uint64_t)3;
		cfg.device_addr &= ~(uint64_t)3;
	}
	cfg.mem = &m.mem;

	memset(&dev, 0, sizeof(dev));
	memset(&drv, 0, sizeof(drv));
	ret = lvdpa_ring_init(&dev, &cfg);
	if (ret != 0) {
		LVDPA_FUZZ_CHECK(ret == -EINVAL || ret == -EFAULT ||
				 ret == -ENOMEM);
		goto out;
	}
	cfg.driver_role = true;
	ret = lvdpa_ring_init(&drv, &cfg);
	LVDPA_FUZZ_CHECK(ret == 0 || ret == -EFAULT);
	drv_ok = ret == 0;
	if (lvdpa_fuzz_u16(hdr + 12) != 0 || lvdpa_fuzz_u16(hdr + 14) != 0) {
		lvdpa_ring_set_base(&dev, lvdpa_fuzz_u16(hdr + 12),
				    lvdpa_fuzz_u16(hdr + 14));
		dev_err = lvdpa_ring_error(&dev);
		LVDPA_FUZZ_CHECK(dev_err == 0 || dev_err == -EINVAL);
	}

	nops = hdr[16] < LVDPA_FUZZ_MAX_OPS ? hdr[16] : LVDPA_FUZZ_MAX_OPS;
	for (i = 0; i < nops; i++) {
		const uint8_t *op = hdr + 17 + 4 * i;
		uint8_t a = op[1], b = op[2], c = op[3];

		switch (op[0] % 16) {
		case 0: case 1: case 2: { /* pop (the most frequent) */
			struct lvdpa_ring_chain ch;
			unsigned int max = 1 + a % LVDPA_FUZZ_MAX_IOV;

			ret = lvdpa_ring_dev_pop(&dev, &ch, iov, max);
			lvdpa_fuzz_sticky(&dev, &dev_err, ret);
			if (ret < 0) {
				LVDPA_FUZZ_CHECK(lvdpa_fuzz_errno_ok(ret));
				LVDPA_FUZZ_CHECK(lvdpa_ring_error(&dev) == ret);
				break;
			}
			LVDPA_FUZZ_CHECK(ret == 0 || ret == 1);
			if (ret == 0)
				break;
			lvdpa_fuzz_check_chain(&m, &dev, &ch, iov, max);
			last = ch;
			memcpy(last_iov, iov, sizeof(iov[0]) * (ch.nout + ch.nin));
			have_last = true;
			if (nheld < LVDPA_FUZZ_MAX_HELD)
				held[nheld++].ch = ch;
			unpoppable++;
			break;
		}
		case 3: { /* push a held chain, or a forged one */
			struct lvdpa_ring_chain ch;

			if (nheld > 0 && !(b & 0x80)) {
				unsigned int k = a % nheld;

				ch = held[k].ch;
				held[k] = held[--nheld];
			} else {
				memset(&ch, 0, sizeof(ch));
				ch.id = (uint16_t)(a | b << 8);
				ch.ndesc = c;
			}
			/* Pushed chains cannot be unpopped any more. */
			unpoppable = 0;
			ret = lvdpa_ring_dev_push(&dev, &ch,
						  (uint32_t)c << (b & 7));
			lvdpa_fuzz_sticky(&dev, &dev_err, ret);
			LVDPA_FUZZ_CHECK(ret == 0 || ret == -EINVAL ||
					 (ret == dev_err && ret != 0));
			break;
		}
		case 4:
			lvdpa_ring_dev_flush(&dev);
			(void)lvdpa_ring_dev_need_notify(&dev);
			break;
		case 5:
			lvdpa_ring_dev_set_kick(&dev, a & 1);
			(void)lvdpa_ring_dev_avail(&dev);
			break;
		case 6: { /* unpop, within the contract */
			unsigned int n = unpoppable == 0 ? 0 : a % (unpoppable + 1);

			if (dev_err != 0 || n == 0)
				break;
			lvdpa_ring_dev_unpop(&dev, n);
			unpoppable -= n;
			nheld = nheld >= n ? nheld - n : 0;
			have_last = false;
			break;
		}
		case 7: { /* the guest writes its memory meanwhile */
			uint16_t off = (uint16_t)((a | b << 8) % LVDPA_FUZZ_MEM_SIZE);
			void *p;
			uint64_t contig;

			if (lvdpa_fuzz_translate(&m, off, 1, 0, &p, &contig) == 0)
				*(uint8_t *)p = c;
			break;
		}
		case 8: /* header helpers on the last chain */
			if (have_last)
				lvdpa_fuzz_net_hdr(&dev, &last, last_iov, a);
			break;
		case 9: { /* set_base: a new position, nothing held */
			uint16_t av = (uint16_t)(a | b << 8), us = (uint16_t)(c | a << 8);

			if (dev_err != 0)
				break;
			lvdpa_ring_set_base(&dev, av, us);
			dev_err = lvdpa_ring_error(&dev);
			LVDPA_FUZZ_CHECK(dev_err == 0 || dev_err == -EINVAL);
			nheld = 0;
			unpoppable = 0;
			have_last = false;
			break;
		}
		case 10: case 11: { /* driver role: offer a buffer */
			struct lvdpa_ring_seg seg[8];
			unsigned int nseg = 1 + a % 8, k;
			uint64_t ind = 0;

			if (!drv_ok)
				break;
			for (k = 0; k < nseg; k++) {
				seg[k].addr = (uint64_t)(b + 37u * k) * 16 %
					LVDPA_FUZZ_MEM_SIZE;
				seg[k].len = 1 + (c + 13u * k) % 512;
				seg[k].write = k >= (unsigned int)(a >> 4) % (nseg + 1);
			}
			if (c & 0x80)
				ind = (uint64_t)(c & 0x7f) * 64;
			ret = lvdpa_ring_drv_add(&drv, seg, nseg, ind, b);
			lvdpa_fuzz_sticky(&drv, &drv_err, ret);
			LVDPA_FUZZ_CHECK(ret == 0 || ret == -ENOSPC ||
					 ret == -EINVAL || ret == -EFAULT ||
					 (ret == drv_err && ret != 0));
			break;
		}
		case 12:
			if (drv_ok)
				(void)lvdpa_ring_drv_publish(&drv);
			break;
		case 13: { /* driver role: collect used buffers */
			uint64_t cookie;
			uint32_t len;

			if (!drv_ok)
				break;
			ret = lvdpa_ring_drv_get_used(&drv, &cookie, &len);
			lvdpa_fuzz_sticky(&drv, &drv_err, ret);
			LVDPA_FUZZ_CHECK(ret == 0 || ret == 1 ||
					 lvdpa_fuzz_errno_ok(ret));
			LVDPA_FUZZ_CHECK(lvdpa_ring_drv_free(&drv) <= cfg.size);
			break;
		}
		case 14:
			if (drv_ok)
				lvdpa_ring_drv_set_call(&drv, a & 1);
			break;
		case 15: { /* positions read back stay inside the ring */
			uint16_t av, us;

			lvdpa_ring_get_base(&dev, &av, &us);
			if (cfg.packed && dev_err == 0)
				LVDPA_FUZZ_CHECK((av & 0x7fff) < cfg.size &&
						 (us & 0x7fff) < cfg.size);
			break;
		}
		}
	}
	lvdpa_ring_fini(&drv);
	lvdpa_ring_fini(&dev);
out:
	for (i = 0; i < m.nreg; i++)
		free(m.host[i]);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lvdpa_fuzz_one(data, size, false);
	return lvdpa_fuzz_one(data, size, true);
}
