/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Fuzz target: the relay's translation of guest rings and headers
 * (drivers/common/lvdpa_relay). A fuzzed guest memory holds the guest's
 * split ring (either byte order, any features); the fuzzer plays the guest
 * (writes its memory) and the device on the shadow ring: it takes shadow
 * chains with the walker's device role, returns them with fuzzed lengths
 * and headers (num_buffers), or forges used entries outright.
 *
 * Input layout (see gen_corpus.py):
 *   [0]      bit0 TX (else RX), bit1 guest big endian, bit2 VERSION_1,
 *            bit3 MRG_RXBUF, bit4 EVENT_IDX, bit5 INDIRECT_DESC,
 *            bit6 shadow event idx, bit7 raw (unaligned) ring addresses
 *   [1]      log2 of the guest ring size (% 9)
 *   [2]      log2 of the shadow ring size (% 10, 0 for the default)
 *   [4..9]   desc, avail, used addresses (16 bits LE)
 *   [10..13] avail and used base (set_base before the first start)
 *   [16]     number of operations, [17..] operations of 4 bytes
 *   [LVDPA_FUZZ_MEM_OFF..] guest memory image
 *
 * Invariants: no crash; poll returns a count or the documented errnos,
 * and once stopped by an error always the same one; the relay writes
 * guest memory only where it logs (log_write), checked byte by byte
 * around each relay call; guest ring positions read back are consistent.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_log.h>

#include "lvdpa_relay.h"
#include "lvdpa_ring.h"
#include "lvdpa_virtio.h"

#define LVDPA_FUZZ_MEM_SIZE 8192u
#define LVDPA_FUZZ_MAX_OPS 32u
#define LVDPA_FUZZ_MEM_OFF (17u + 4u * LVDPA_FUZZ_MAX_OPS)
#define LVDPA_FUZZ_AREA_IOVA 0x100000ull
#define LVDPA_FUZZ_MAX_HELD 64u
#define LVDPA_FUZZ_MAX_IOV 64u

#define LVDPA_FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_relay: invariant failed: %s (line %d)\n", \
			#cond, __LINE__); \
		abort(); \
	} \
} while (0)

/* The guest's memory, with a record of what was logged as written. */
struct lvdpa_fuzz_guest {
	uint8_t *mem;
	uint8_t *logged;  /* byte map: logged since the last snapshot */
	struct lvdpa_ring_mem view;
};

static int
lvdpa_fuzz_guest_translate(void *opaque, uint64_t addr, uint64_t len,
			   int write, void **ptr, uint64_t *contig)
{
	struct lvdpa_fuzz_guest *g = opaque;

	if (addr >= LVDPA_FUZZ_MEM_SIZE)
		return -EFAULT;
	*ptr = g->mem + addr;
	*contig = RTE_MIN(len, LVDPA_FUZZ_MEM_SIZE - addr);
	return 0;
}

static void
lvdpa_fuzz_guest_log(void *opaque, uint64_t addr, uint64_t len)
{
	struct lvdpa_fuzz_guest *g = opaque;

	LVDPA_FUZZ_CHECK(addr < LVDPA_FUZZ_MEM_SIZE &&
			 len <= LVDPA_FUZZ_MEM_SIZE - addr);
	memset(g->logged + addr, 1, len);
}

/* The device's view: guest memory at GPAs, the relay's area at its IOVA. */
struct lvdpa_fuzz_dev {
	struct lvdpa_fuzz_guest *g;
	uint8_t *area;
	uint64_t area_len;
	struct lvdpa_ring_mem view;
};

static int
lvdpa_fuzz_dev_translate(void *opaque, uint64_t addr, uint64_t len, int write,
			 void **ptr, uint64_t *contig)
{
	struct lvdpa_fuzz_dev *d = opaque;

	if (addr >= LVDPA_FUZZ_AREA_IOVA &&
	    addr - LVDPA_FUZZ_AREA_IOVA < d->area_len) {
		uint64_t off = addr - LVDPA_FUZZ_AREA_IOVA;

		*ptr = d->area + off;
		*contig = RTE_MIN(len, d->area_len - off);
		return 0;
	}
	return lvdpa_fuzz_guest_translate(d->g, addr, len, write, ptr, contig);
}

static unsigned int lvdpa_fuzz_kicks, lvdpa_fuzz_calls;

static void
lvdpa_fuzz_dev_kick(void *opaque)
{
	lvdpa_fuzz_kicks++;
}

static void
lvdpa_fuzz_guest_call(void *opaque)
{
	lvdpa_fuzz_calls++;
}

static uint16_t
lvdpa_fuzz_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Guest bytes the relay changed must all have been logged. */
static void
lvdpa_fuzz_check_logged(struct lvdpa_fuzz_guest *g, const uint8_t *before)
{
	unsigned int i;

	/* Fast path first: the byte loop is instrumented, memcmp is not. */
	if (memcmp(g->mem, before, LVDPA_FUZZ_MEM_SIZE) == 0)
		return;
	for (i = 0; i < LVDPA_FUZZ_MEM_SIZE; i++)
		if (g->mem[i] != before[i] && !g->logged[i]) {
			fprintf(stderr, "fuzz_relay: guest byte 0x%x written "
				"without log_write\n", i);
			abort();
		}
}

static void
lvdpa_fuzz_snapshot(struct lvdpa_fuzz_guest *g, uint8_t *before)
{
	memcpy(before, g->mem, LVDPA_FUZZ_MEM_SIZE);
	memset(g->logged, 0, LVDPA_FUZZ_MEM_SIZE);
}

static bool
lvdpa_fuzz_poll_errno(int ret)
{
	return ret == -EFAULT || ret == -ELOOP || ret == -E2BIG ||
		ret == -EPROTO || ret == -EBADMSG || ret == -EINVAL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (getenv("LVDPA_FUZZ_LOG") == NULL)
		rte_log_set_global_level(RTE_LOG_EMERG);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t before[LVDPA_FUZZ_MEM_SIZE];
	uint8_t hdr[LVDPA_FUZZ_MEM_OFF];
	struct lvdpa_fuzz_guest g;
	struct lvdpa_fuzz_dev d;
	struct lvdpa_relay_config cfg;
	struct lvdpa_relay_shadow sh;
	struct lvdpa_relay *q = NULL;
	struct lvdpa_ring dring;
	struct lvdpa_ring_chain held[LVDPA_FUZZ_MAX_HELD];
	struct lvdpa_ring_iov iov[LVDPA_FUZZ_MAX_IOV];
	struct lvdpa_ring_iov first_in[LVDPA_FUZZ_MAX_HELD];
	bool have_in[LVDPA_FUZZ_MAX_HELD];
	unsigned int nheld = 0, nops, i;
	bool running = false, dring_ok = false, forged = false;
	int err = 0, ret;
	uint8_t f;

	if (size < 17)
		return 0;
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, data, RTE_MIN(size, sizeof(hdr)));
	f = hdr[0];

	memset(&g, 0, sizeof(g));
	g.mem = calloc(1, LVDPA_FUZZ_MEM_SIZE);
	g.logged = calloc(1, LVDPA_FUZZ_MEM_SIZE);
	LVDPA_FUZZ_CHECK(g.mem != NULL && g.logged != NULL);
	if (size > LVDPA_FUZZ_MEM_OFF)
		memcpy(g.mem, data + LVDPA_FUZZ_MEM_OFF,
		       RTE_MIN(size - LVDPA_FUZZ_MEM_OFF, LVDPA_FUZZ_MEM_SIZE));
	g.view.translate = lvdpa_fuzz_guest_translate;
	g.view.log_write = lvdpa_fuzz_guest_log;
	g.view.opaque = &g;

	memset(&cfg, 0, sizeof(cfg));
	cfg.dir = f & 0x01 ? LVDPA_RELAY_TX : LVDPA_RELAY_RX;
	cfg.guest_big_endian = f & 0x02;
	if (f & 0x04)
		cfg.guest_features |= LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_F_VERSION_1);
	if (f & 0x08)
		cfg.guest_features |= LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_NET_F_MRG_RXBUF);
	if (f & 0x10)
		cfg.guest_features |= LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_RING_F_EVENT_IDX);
	if (f & 0x20)
		cfg.guest_features |= LVDPA_VIRTIO_BIT(LVDPA_VIRTIO_RING_F_INDIRECT_DESC);
	cfg.shadow_event_idx = f & 0x40;
	cfg.size = (uint16_t)(1u << (hdr[1] % 9));
	cfg.shadow_size = hdr[2] % 10 == 0 ? 0 : (uint16_t)(1u << (hdr[2] % 10));
	cfg.desc_addr = lvdpa_fuzz_u16(hdr + 4) % LVDPA_FUZZ_MEM_SIZE;
	cfg.avail_addr = lvdpa_fuzz_u16(hdr + 6) % LVDPA_FUZZ_MEM_SIZE;
	cfg.used_addr = lvdpa_fuzz_u16(hdr + 8) % LVDPA_FUZZ_MEM_SIZE;
	if (!(f & 0x80)) {
		cfg.desc_addr &= ~15ull;
		cfg.avail_addr &= ~1ull;
		cfg.used_addr &= ~3ull;
	}
	cfg.guest_mem = &g.view;
	cfg.area_len = lvdpa_relay_area_size(cfg.size, cfg.shadow_size);
	LVDPA_FUZZ_CHECK(cfg.area_len != 0 &&
			 cfg.area_len % LVDPA_RELAY_AREA_ALIGN == 0);
	cfg.area = aligned_alloc(LVDPA_RELAY_AREA_ALIGN, cfg.area_len);
	LVDPA_FUZZ_CHECK(cfg.area != NULL);
	memset(cfg.area, 0, cfg.area_len);
	cfg.area_iova = LVDPA_FUZZ_AREA_IOVA;
	cfg.dev_kick = lvdpa_fuzz_dev_kick;
	cfg.guest_call = lvdpa_fuzz_guest_call;

	memset(&d, 0, sizeof(d));
	d.g = &g;
	d.area = cfg.area;
	d.area_len = cfg.area_len;
	d.view.translate = lvdpa_fuzz_dev_translate;
	d.view.opaque = &d;
	memset(&dring, 0, sizeof(dring));

	q = lvdpa_relay_create(&cfg);
	if (q == NULL) {
		LVDPA_FUZZ_CHECK(rte_errno == EINVAL || rte_errno == ENOMEM);
		goto out;
	}
	lvdpa_relay_shadow(q, &sh);
	LVDPA_FUZZ_CHECK(sh.desc_iova >= LVDPA_FUZZ_AREA_IOVA &&
			 sh.used_iova < LVDPA_FUZZ_AREA_IOVA + cfg.area_len);
	if (lvdpa_fuzz_u16(hdr + 10) != 0 || lvdpa_fuzz_u16(hdr + 12) != 0)
		LVDPA_FUZZ_CHECK(lvdpa_relay_set_base(q, lvdpa_fuzz_u16(hdr + 10),
						      lvdpa_fuzz_u16(hdr + 12)) == 0);

	nops = RTE_MIN((unsigned int)hdr[16], LVDPA_FUZZ_MAX_OPS);
	/* The first operation is always a start: the usual life. */
	for (i = 0; i <= nops; i++) {
		const uint8_t *op = i == 0 ? (const uint8_t[4]){ 9, 0, 0, 0 } :
			hdr + 17 + 4 * (i - 1);
		uint8_t a = op[1], b = op[2], c = op[3];

		switch (op[0] % 12) {
		case 0: case 1: case 2: /* poll */
			lvdpa_fuzz_snapshot(&g, before);
			ret = lvdpa_relay_poll(q, 1 + a % 16);
			lvdpa_fuzz_check_logged(&g, before);
			if (!running) {
				LVDPA_FUZZ_CHECK(ret == -ENOTCONN ||
						 (err != 0 && ret == err));
				break;
			}
			if (err != 0) {
				LVDPA_FUZZ_CHECK(ret == err);
				break;
			}
			LVDPA_FUZZ_CHECK(ret >= 0 || lvdpa_fuzz_poll_errno(ret));
			if (ret < 0) {
				err = ret;
				LVDPA_FUZZ_CHECK(lvdpa_relay_error(q) == ret);
			}
			break;
		case 3:
			lvdpa_fuzz_snapshot(&g, before);
			(void)lvdpa_relay_idle(q);
			lvdpa_fuzz_check_logged(&g, before);
			break;
		case 4: { /* device takes a shadow chain */
			struct lvdpa_ring_chain ch;

			if (!dring_ok || nheld == LVDPA_FUZZ_MAX_HELD)
				break;
			ret = lvdpa_ring_dev_pop(&dring, &ch, iov, LVDPA_FUZZ_MAX_IOV);
			/* The relay wrote the shadow ring: it must be sound,
			 * unless a forged used entry made it reuse a slot the
			 * device still holds.
			 */
			LVDPA_FUZZ_CHECK(ret == 0 || ret == 1 || forged);
			if (ret != 1)
				break;
			have_in[nheld] = ch.nin > 0;
			if (ch.nin > 0)
				first_in[nheld] = iov[ch.nout];
			held[nheld++] = ch;
			break;
		}
		case 5: { /* device returns a chain: header, length */
			unsigned int k;
			uint32_t len;

			if (!dring_ok || nheld == 0)
				break;
			k = a % nheld;
			len = b & 0x80 ? (uint32_t)c << (b & 15) :
				(have_in[k] ? RTE_MIN(first_in[k].len, 12u + c) : 0);
			if (have_in[k] && first_in[k].len >= 12) {
				uint8_t h[12];

				memset(h, 0, sizeof(h));
				h[0] = c & 3;
				h[10] = b & 0x40 ? a : 1; /* num_buffers, LE */
				memcpy(first_in[k].base, h, sizeof(h));
			}
			ret = lvdpa_ring_dev_push(&dring, &held[k], len);
			LVDPA_FUZZ_CHECK(ret == 0 || forged);
			lvdpa_ring_dev_flush(&dring);
			held[k] = held[--nheld];
			have_in[k] = have_in[nheld];
			first_in[k] = first_in[nheld];
			break;
		}
		case 6: { /* a forged used entry from a broken device */
			uint8_t *used;
			uint16_t idx;

			if (!running)
				break;
			forged = true;
			used = (uint8_t *)cfg.area + (sh.used_iova - LVDPA_FUZZ_AREA_IOVA);
			idx = (uint16_t)(used[2] | used[3] << 8);
			used[4 + 8 * (idx % sh.size)] = a;
			used[5 + 8 * (idx % sh.size)] = b;
			used[6 + 8 * (idx % sh.size)] = 0;
			used[7 + 8 * (idx % sh.size)] = 0;
			used[8 + 8 * (idx % sh.size)] = c;
			idx = (uint16_t)(idx + 1 + (c & 0x80 ? a : 0));
			used[2] = (uint8_t)idx;
			used[3] = (uint8_t)(idx >> 8);
			break;
		}
		case 7: { /* the guest writes its memory */
			uint16_t off = (uint16_t)((a | b << 8) % LVDPA_FUZZ_MEM_SIZE);

			g.mem[off] = c;
			break;
		}
		case 8: /* stop */
			lvdpa_fuzz_snapshot(&g, before);
			lvdpa_relay_stop(q);
			lvdpa_fuzz_check_logged(&g, before);
			running = false;
			if (dring_ok)
				lvdpa_ring_fini(&dring);
			dring_ok = false;
			nheld = 0;
			break;
		case 9: { /* start (after an optional set_base) */
			struct lvdpa_ring_config dc;

			if (running)
				break;
			if (a & 1)
				LVDPA_FUZZ_CHECK(lvdpa_relay_set_base(q, b, c) == 0);
			lvdpa_fuzz_snapshot(&g, before);
			ret = lvdpa_relay_start(q);
			lvdpa_fuzz_check_logged(&g, before);
			LVDPA_FUZZ_CHECK(ret == 0 || ret == -EINVAL ||
					 ret == -EFAULT || ret == -ENOMEM ||
					 (err != 0 && ret == err));
			if (ret != 0)
				break;
			running = true;
			err = 0;
			LVDPA_FUZZ_CHECK(lvdpa_relay_set_base(q, 0, 0) == -EBUSY);
			lvdpa_relay_shadow(q, &sh);
			memset(&dc, 0, sizeof(dc));
			dc.size = sh.size;
			dc.event_idx = cfg.shadow_event_idx;
			dc.desc_addr = sh.desc_iova;
			dc.driver_addr = sh.avail_iova;
			dc.device_addr = sh.used_iova;
			dc.mem = &d.view;
			LVDPA_FUZZ_CHECK(lvdpa_ring_init(&dring, &dc) == 0);
			dring_ok = true;
			nheld = 0;
			break;
		}
		case 10: {
			struct lvdpa_relay_stats st;

			lvdpa_relay_stats_get(q, &st);
			LVDPA_FUZZ_CHECK(st.rx_buffers >= st.rx_packets ||
					 st.err_dev_hdr + st.err_dev_len +
					 st.err_dev_used != 0);
			if (a & 1)
				lvdpa_relay_stats_reset(q);
			break;
		}
		case 11: {
			uint16_t av, us;

			lvdpa_relay_get_base(q, &av, &us);
			break;
		}
		}
	}
	if (running) {
		lvdpa_fuzz_snapshot(&g, before);
		lvdpa_relay_stop(q);
		lvdpa_fuzz_check_logged(&g, before);
	}
out:
	if (dring_ok)
		lvdpa_ring_fini(&dring);
	lvdpa_relay_destroy(q);
	free(cfg.area);
	free(g.mem);
	free(g.logged);
	return 0;
}
