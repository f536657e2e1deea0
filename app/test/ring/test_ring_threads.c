/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Driver and device on two threads over one guest memory, each sleeping
 * until the other notifies it, as real ones do: the driver waits for a
 * call only after set_call(true) and a re-check, the device for a kick only
 * after set_kick(true) and a re-check. A missing barrier or a wrong
 * suppression decision shows up as a lost notification, which the bounded
 * waits turn into a failure instead of a hang.
 */

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include <rte_common.h>

#include "lvdpa_test.h"
#include "test_ring_common.h"

#define MEM_LEN    0x100000ull
#define NCHAINS    20000u
#define WAIT_NS    5000000000ll /* a lost notification, not a slow machine */
#define BUF_SIZE   64u

struct th {
	struct lvdpa_tmem m;
	struct lvdpa_ring drv, dev;
	uint16_t size;
	atomic_int kick;  /* driver -> device */
	atomic_int call;  /* device -> driver */
	atomic_int stop;  /* a side failed: the other leaves its waits */
	unsigned int kicks, calls, drv_sleeps, dev_sleeps;
	const char *fail;
	/* the device's latest notification decisions, for a failure */
	struct {
		uint32_t since;
		uint16_t new_pos;
		uint32_t area;
		bool need;
	} hist[16];
	unsigned int nhist;
	uint16_t arm_pos, sleep_pos, sleep_flags;
	unsigned int arm_free, sleep_free;
};

static bool
th_need_notify(struct th *t)
{
	unsigned int h = t->nhist++ % RTE_DIM(t->hist);
	uint16_t a;

	t->hist[h].since = t->dev.used_since_signal;
	t->hist[h].need = lvdpa_ring_dev_need_notify(&t->dev);
	lvdpa_ring_get_base(&t->dev, &a, &t->hist[h].new_pos);
	t->hist[h].area = (uint32_t)lvdpa_tmem_get(&t->m, LVDPA_T_DRIVER, 4,
						   t->dev.cfg.big_endian);
	return t->hist[h].need;
}

static int64_t
th_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* Wait for *flag, bounded; false on timeout or when the other side failed. */
static bool
th_wait(struct th *t, atomic_int *flag)
{
	int64_t end = th_now() + WAIT_NS;

	while (!atomic_exchange(flag, 0)) {
		if (atomic_load(&t->stop) || th_now() > end)
			return false;
		sched_yield();
	}
	return true;
}

static uint64_t
th_buf(uint16_t id)
{
	return LVDPA_T_DATA + (uint64_t)id * 2 * BUF_SIZE;
}

static void *
th_driver(void *arg)
{
	struct th *t = arg;
	uint64_t issued = 0, done = 0;
	uint16_t slot = 0;
	bool armed = false;
	uint64_t rnd = 1;

	while (done < NCHAINS) {
		unsigned int got = 0;
		uint64_t cookie;
		uint32_t len;
		bool added = false;
		unsigned int batch = 1 + lvdpa_trand(&rnd) % 3;
		int ret;

		/* Small random batches, so that both sides overlap. */
		while (issued < NCHAINS && lvdpa_ring_drv_free(&t->drv) >= 2 &&
		       batch-- > 0) {
			struct lvdpa_ring_seg seg[2] = {
				{ th_buf(slot), 8, false },
				{ th_buf(slot) + BUF_SIZE, 8, true },
			};

			memcpy(lvdpa_tmem_ptr(&t->m, seg[0].addr), &issued, 8);
			ret = lvdpa_ring_drv_add(&t->drv, seg, 2, 0,
						 issued << 16 | slot);
			if (ret != 0) {
				t->fail = "add";
				goto fail;
			}
			slot = (uint16_t)((slot + 1) % t->size);
			issued++;
			added = true;
		}
		if (added && lvdpa_ring_drv_publish(&t->drv)) {
			t->kicks++;
			atomic_store(&t->kick, 1);
		}
		while ((ret = lvdpa_ring_drv_get_used(&t->drv, &cookie,
						      &len)) == 1) {
			uint64_t reply;

			/* In order, with the device's answer in the buffer. */
			memcpy(&reply, lvdpa_tmem_ptr(&t->m, th_buf(cookie &
					0xffff) + BUF_SIZE), 8);
			if (cookie >> 16 != done || len != 8 || reply != ~done) {
				t->fail = "used buffer";
				goto fail;
			}
			done++;
			got++;
		}
		if (ret < 0) {
			t->fail = "get_used";
			goto fail;
		}
		if (got > 0 || issued == done) {
			armed = false;
			continue;
		}
		/*
		 * Nothing used: ask for a call (a fresh snapshot of our
		 * position), go round once more to re-check, then sleep.
		 */
		if (!armed) {
			lvdpa_ring_drv_set_call(&t->drv, true);
			armed = true;
			{ uint16_t a_; lvdpa_ring_get_base(&t->drv, &a_, &t->arm_pos); }
			t->arm_free = lvdpa_ring_drv_free(&t->drv);
			continue;
		}
		{
			uint16_t a;

			lvdpa_ring_get_base(&t->drv, &a, &t->sleep_pos);
			t->sleep_free = lvdpa_ring_drv_free(&t->drv);
			t->sleep_flags = (uint16_t)lvdpa_tmem_get(&t->m,
				LVDPA_T_DESC + 16 * (t->sleep_pos & 0x7fff) + 14,
				2, t->drv.cfg.big_endian);
		}
		t->drv_sleeps++;
		if (!th_wait(t, &t->call)) {
			t->fail = "driver: lost call";
			goto fail;
		}
		armed = false;
		lvdpa_ring_drv_set_call(&t->drv, false);
	}
	return NULL;
fail:
	atomic_store(&t->stop, 1);
	return NULL;
}

static void *
th_device(void *arg)
{
	struct th *t = arg;
	struct lvdpa_ring_iov iov[4];
	struct lvdpa_ring_chain ch;
	uint64_t seen = 0, rnd = 2;

	while (seen < NCHAINS) {
		unsigned int n = 0;
		int ret;

		while ((ret = lvdpa_ring_dev_pop(&t->dev, &ch, iov, 4)) == 1) {
			uint64_t v;

			memcpy(&v, iov[0].base, 8);
			if (ch.nout != 1 || ch.nin != 1 || v != seen) {
				t->fail = "popped chain";
				goto fail;
			}
			v = ~v;
			memcpy(iov[1].base, &v, 8);
			if (lvdpa_ring_dev_push(&t->dev, &ch, 8) != 0) {
				t->fail = "push";
				goto fail;
			}
			seen++;
			n++;
			/* Publish now and then, mid-batch. */
			if (lvdpa_trand(&rnd) & 1) {
				lvdpa_ring_dev_flush(&t->dev);
				if (th_need_notify(t)) {
					t->calls++;
					atomic_store(&t->call, 1);
				}
			}
		}
		if (ret < 0) {
			t->fail = "pop";
			goto fail;
		}
		if (n > 0) {
			lvdpa_ring_dev_flush(&t->dev);
			if (th_need_notify(t)) {
				t->calls++;
				atomic_store(&t->call, 1);
			}
			continue;
		}
		/* Drained: ask for a kick, re-check, then sleep. */
		lvdpa_ring_dev_set_kick(&t->dev, true);
		if (lvdpa_ring_dev_avail(&t->dev))
			continue;
		t->dev_sleeps++;
		if (!th_wait(t, &t->kick)) {
			t->fail = "device: lost kick";
			goto fail;
		}
		lvdpa_ring_dev_set_kick(&t->dev, false);
	}
	return NULL;
fail:
	atomic_store(&t->stop, 1);
	return NULL;
}

/* What both sides and the shared areas looked like, for a failure. */
static void
th_dump(struct th *t, bool packed, bool be)
{
	uint16_t a, u;

	lvdpa_ring_get_base(&t->drv, &a, &u);
	fprintf(stderr, "# driver: base %04x/%04x kicked %04x free %u "
		"pending %d\n", a, u, t->drv.kicked_avail,
		lvdpa_ring_drv_free(&t->drv), t->drv.drv_head_pending);
	lvdpa_ring_get_base(&t->dev, &a, &u);
	fprintf(stderr, "# armed at %04x free %u, slept at %04x free %u flags %04x\n",
		t->arm_pos, t->arm_free, t->sleep_pos, t->sleep_free,
		t->sleep_flags);
	fprintf(stderr, "# device: base %04x/%04x signalled %04x\n", a, u,
		t->dev.signalled_used);
	fprintf(stderr, "# driver area %08" PRIx64 " device area %08" PRIx64
		"\n", lvdpa_tmem_get(&t->m, LVDPA_T_DRIVER, 4, be),
		lvdpa_tmem_get(&t->m, LVDPA_T_DEVICE, 4, be));
	for (unsigned int i = 0; i < RTE_DIM(t->hist) && i < t->nhist; i++) {
		unsigned int h = (t->nhist - 1 - i) % RTE_DIM(t->hist);

		fprintf(stderr, "# notify -%u: +%u -> %04x area %08x: %d\n", i,
			t->hist[h].since, t->hist[h].new_pos, t->hist[h].area,
			t->hist[h].need);
	}
	if (packed)
		for (unsigned int i = 0; i < t->size; i++)
			fprintf(stderr, "# slot %u: id %u flags %04" PRIx64 "\n",
				i, (unsigned int)lvdpa_tmem_get(&t->m,
				LVDPA_T_DESC + 16 * i + 12, 2, be),
				lvdpa_tmem_get(&t->m, LVDPA_T_DESC + 16 * i + 14,
					       2, be));
}

static int
th_run(uint16_t size, bool packed, bool be, bool event_idx)
{
	struct th *t = calloc(1, sizeof(*t));
	struct lvdpa_ring_config cfg;
	pthread_t a, b;
	int rc = -1;

	LVDPA_TEST_ASSERT(t != NULL, "alloc");
	t->size = size;
	if (lvdpa_tmem_init(&t->m, MEM_LEN, 0) != 0)
		goto out;
	cfg = lvdpa_tmem_cfg(&t->m, size, packed, be, event_idx, false, true);
	if (lvdpa_ring_init(&t->drv, &cfg) != 0)
		goto out;
	cfg.driver_role = false;
	if (lvdpa_ring_init(&t->dev, &cfg) != 0)
		goto out;
	if (pthread_create(&a, NULL, th_driver, t) != 0)
		goto out;
	if (pthread_create(&b, NULL, th_device, t) != 0) {
		atomic_store(&t->stop, 1);
		pthread_join(a, NULL);
		goto out;
	}
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	printf("# size %u %s %s evidx %d: %u kicks, %u calls, sleeps %u/%u\n",
	       size, packed ? "packed" : "split", be ? "BE" : "LE", event_idx,
	       t->kicks, t->calls, t->drv_sleeps, t->dev_sleeps);
	if (t->fail != NULL || atomic_load(&t->stop)) {
		fprintf(stderr, "# failed: %s\n", t->fail ? t->fail : "?");
		th_dump(t, packed, be);
		goto out;
	}
	rc = 0;
	if (lvdpa_ring_error(&t->drv) != 0 || lvdpa_ring_error(&t->dev) != 0)
		rc = -1;
out:
	lvdpa_ring_fini(&t->drv);
	lvdpa_ring_fini(&t->dev);
	lvdpa_tmem_fini(&t->m);
	free(t);
	return rc;
}

static int
test_threads_split(void)
{
	for (int i = 0; i < 4; i++)
		LVDPA_TEST_ASSERT_EQ(th_run(16, false, i & 1, i & 2), 0,
				     "split be %d evidx %d", i & 1, !!(i & 2));
	return 0;
}

static int
test_threads_packed(void)
{
	for (int i = 0; i < 4; i++)
		LVDPA_TEST_ASSERT_EQ(th_run(11, true, i & 1, i & 2), 0,
				     "packed be %d evidx %d", i & 1, !!(i & 2));
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_threads_split),
	LVDPA_TEST_CASE(test_threads_packed),
)
