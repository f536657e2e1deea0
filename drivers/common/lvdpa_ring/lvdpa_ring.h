/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_RING_H
#define LVDPA_RING_H

/**
 * @file
 * One virtqueue walker for every place in lvdpa that touches a ring.
 *
 * A ring is split or packed, in little- or big-endian byte order (legacy
 * guests use their native order), and is reached through a memory view
 * (struct lvdpa_ring_mem) that turns ring addresses into host pointers:
 * guest memory through vhost regions, the device model's mkeys, or plain
 * host memory for shadow rings and test fixtures.
 *
 * Two roles share one state:
 * - the device role (lvdpa_ring_dev_*) takes available chains and returns
 *   used ones: the device model and the guest side of the relay;
 * - the driver role (lvdpa_ring_drv_*) offers buffers and collects used ones:
 *   the relay's shadow side and the test guests.
 *
 * Errors are negative errno values and are sticky: once a ring is found
 * broken, every later call returns the same error, and the caller (model or
 * relay) decides what happens to the queue. Distinct errors:
 *   -EFAULT  an address not covered by the memory view (or not writable
 *            where the device writes), or a buffer wrapping the address space
 *   -ELOOP   a descriptor loop, or a chain longer than the ring (or than its
 *            indirect table)
 *   -E2BIG   a chain with more segments than the caller's iov array, or a
 *            total length that overflows 32 bits
 *   -EPROTO  a malformed ring: bad head or next index, readable after
 *            writable, nested indirect, an indirect table whose length is 0
 *            or not a multiple of 16, indirect without the feature or not
 *            alone in its chain, avail index more than the ring size ahead;
 *            driver role: a used id out of range or not in flight, a used
 *            index more than the ring size ahead
 *   -EINVAL  bad configuration (size not a power of two for split, zero, over
 *            32768, misaligned areas), or a packed base beyond the ring
 * Each error is logged once per ring, rate-limited process-wide.
 *
 * Barriers are rte_smp_*: the other side is a CPU (a guest, or a device
 * model); in the driver role cfg.dma_peer makes them rte_io_* (DMA
 * hardware). Byte order is cfg.big_endian, never inferred from features.
 * A ring is used by one thread at a time.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LVDPA_RING_MAX_SIZE 32768

/**
 * A region of the memory view its owner vouches for: [lo, lo + len) is at
 * host address base, writable if write says so.
 */
struct lvdpa_ring_window {
	uint64_t lo;
	uint64_t len;
	uint8_t *base;
	bool write;
	uint64_t gen;  /**< holds while the owner's *win_gen equals it */
};

/** Memory view: how ring and buffer addresses become host pointers. */
struct lvdpa_ring_mem {
	/**
	 * Translate [addr, addr + len) to a host pointer.
	 * @param write  non-zero when the caller will write there
	 * @param ptr    set to the host address of addr
	 * @param contig set to how many bytes are contiguous from ptr (1..len)
	 * @return 0, or -EFAULT when addr is not mapped (or not writable)
	 */
	int (*translate)(void *opaque, uint64_t addr, uint64_t len, int write,
			 void **ptr, uint64_t *contig);
	/** Optional: [addr, addr + len) was written (dirty page logging). */
	void (*log_write)(void *opaque, uint64_t addr, uint64_t len);
	void *opaque;
	/**
	 * Optional (NULL: none): the generation that keeps win valid. The
	 * walker tries win inline before calling translate() for a buffer,
	 * a call per descriptor otherwise; the owner refills win, typically
	 * in translate(), and moves *win_gen when its mappings change.
	 */
	const uint64_t *win_gen;
	struct lvdpa_ring_window win;
};

/**
 * Host address of [addr, addr + len) through the view's window, NULL when
 * the window does not hold it (then only translate() can say). Always
 * inlined: link-time optimization made it a call, dearer than its compares.
 */
static inline __attribute__((always_inline)) void *
lvdpa_ring_mem_window(const struct lvdpa_ring_mem *mem, uint64_t addr,
		      uint64_t len, bool write)
{
	uint64_t off = addr - mem->win.lo;

	if (mem->win_gen == NULL || mem->win.gen != *mem->win_gen ||
	    off >= mem->win.len || len > mem->win.len - off ||
	    (write && !mem->win.write))
		return NULL;
	return mem->win.base + off;
}

/** Ring configuration, as the driver set it up. */
struct lvdpa_ring_config {
	uint16_t size;        /**< number of descriptors */
	bool packed;          /**< VIRTIO_F_RING_PACKED layout */
	bool event_idx;       /**< VIRTIO_RING_F_EVENT_IDX negotiated */
	bool indirect;        /**< VIRTIO_RING_F_INDIRECT_DESC negotiated */
	bool big_endian;      /**< ring fields in big-endian (legacy BE guest) */
	uint64_t desc_addr;   /**< descriptor area */
	uint64_t driver_addr; /**< avail ring (split) / driver event suppression (packed) */
	uint64_t device_addr; /**< used ring (split) / device event suppression (packed) */
	const struct lvdpa_ring_mem *mem;
	/**
	 * The role this ring is used in, for the access check at init: the
	 * device role (false) reads the descriptor and driver areas and writes
	 * the device area; the driver role (true) the other way round.
	 */
	bool driver_role;
	/**
	 * Driver role only: the device is DMA hardware (a shadow ring fed to
	 * a NIC), so the driver role's barriers are rte_io_* instead of
	 * rte_smp_* (identical on x86, stronger on Arm).
	 */
	bool dma_peer;
};

/** One contiguous piece of a buffer, translated. */
struct lvdpa_ring_iov {
	void *base;      /**< host address */
	uint64_t addr;   /**< ring address (guest physical / iova) */
	uint32_t len;
	bool write;      /**< device-writable */
};

/** An available chain, as the device role sees it. */
struct lvdpa_ring_chain {
	uint16_t id;        /**< head index (split) or buffer id (packed) */
	uint16_t ndesc;     /**< descriptors consumed in the ring (packed) */
	uint16_t nout;      /**< readable iovs, first in the array */
	uint16_t nin;       /**< writable iovs, after the readable ones */
	uint32_t out_len;   /**< total readable bytes */
	uint32_t in_len;    /**< total writable bytes */
};

/** Segment of a buffer the driver role offers. */
struct lvdpa_ring_seg {
	uint64_t addr;
	uint32_t len;
	bool write;
};

/** Walker state. Treat as opaque; it is public only to be embedded. */
struct lvdpa_ring {
	struct lvdpa_ring_config cfg;
	void *desc;          /**< host pointers to the three areas */
	void *driver;
	void *device;
	uint16_t last_avail; /**< next avail entry (split) / slot (packed) */
	/**
	 * Device role, split: the avail index as last read. Entries before it
	 * are known published, so pops up to it need not read the index the
	 * driver keeps writing (a cache line that moves between the CPUs).
	 */
	uint16_t avail_seen;
	uint16_t last_used;  /**< next used entry to write (device role) or read (driver role) */
	uint16_t shadow_used;/**< used entries written, not yet published (device role, split) */
	bool avail_wrap;     /**< packed wrap counters */
	bool used_wrap;
	uint16_t signalled_used; /**< used index at the last notification */
	bool signalled_valid;
	int error;           /**< sticky negative errno once the ring is broken */
	/* driver role */
	uint16_t free_head;
	uint16_t num_free;
	uint16_t avail_idx;      /**< next avail index to publish */
	uint16_t kicked_avail;   /**< avail index at the last kick decision */
	uint16_t *next;          /**< private free list (never trust the device) */
	uint16_t *chain_len;     /**< descriptors per in-flight id */
	uint16_t *packed_ids;    /**< reserved, NULL: the packed driver role keeps
				  *   its free buffer ids in next[] and the slots
				  *   per id in chain_len[] */
	uint64_t *cookie;        /**< driver role: caller's token per in-flight id */
	/* device role, for unpop */
	uint16_t *pop_ndesc;     /**< packed: ring slots taken by recent pops */
	uint16_t pop_pos;        /**< next pop_ndesc entry */
	uint16_t pop_count;      /**< pops that unpop may undo (at most size) */
	/**
	 * Device role: used entries (split, flushed) or slots (packed) since
	 * the last need_notify decision. Positions alone cannot tell a packed
	 * ring that moved two whole laps from one that did not move.
	 */
	uint32_t used_since_signal;
	/* driver role, packed: the first unpublished chain's head flags */
	bool drv_head_pending;
	uint16_t drv_head_slot;
	uint16_t drv_head_flags;
};

/** Set at load time: the CPU has PREFETCHW (CPUID PRFCHW). */
extern bool lvdpa_ring_has_prefetchw;

/**
 * Prefetch a line the caller will write. GCC's write hint is a plain read
 * prefetch on x86 unless built for PREFETCHW, and a line fetched shared
 * still takes a second trip to the CPU that wrote it before the store.
 * PREFETCHW is used where CPUID says the CPU has it; elsewhere the
 * compiler's hint.
 */
static inline void
lvdpa_ring_prefetch_w(const void *p)
{
#if defined(__x86_64__) || defined(__i386__)
	if (lvdpa_ring_has_prefetchw) {
		__asm__ volatile("prefetchw %0" : : "m" (*(const volatile char *)p));
		return;
	}
#endif
	__builtin_prefetch(p, 1, 3);
}

/**
 * Store @p len bytes of guest memory at @p dst, or nothing when they are
 * there already. A virtio-net header is mostly the same from packet to
 * packet, and a driver that recycles its buffers finds it in them: left
 * alone, its line stays in the driver's CPU's cache instead of crossing to
 * the writer's CPU and back. The driver sees the same bytes either way.
 */
static inline void
lvdpa_ring_store_changed(void *dst, const void *src, size_t len)
{
	if (memcmp(dst, src, len) != 0)
		memcpy(dst, src, len);
}

/**
 * Initialise a ring over its memory view.
 * Each area is translated once, here, and must be mapped contiguously.
 * Call lvdpa_ring_fini before initialising a ring again.
 * @return 0, -EINVAL on a bad configuration, -EFAULT if an area is not
 *         mapped for its whole length, -ENOMEM
 */
int lvdpa_ring_init(struct lvdpa_ring *r, const struct lvdpa_ring_config *cfg);

/** Free what lvdpa_ring_init allocated. Safe on a zeroed ring. */
void lvdpa_ring_fini(struct lvdpa_ring *r);

/**
 * Set the ring position, as SET_VRING_BASE / hw_available_index does.
 * For packed rings bit 15 of each index is its wrap counter.
 */
void lvdpa_ring_set_base(struct lvdpa_ring *r, uint16_t avail_idx,
			 uint16_t used_idx);
/** Read the ring position (same encoding as lvdpa_ring_set_base). */
void lvdpa_ring_get_base(const struct lvdpa_ring *r, uint16_t *avail_idx,
			 uint16_t *used_idx);

/** The sticky error of a broken ring, 0 while it is sound. */
static inline int lvdpa_ring_error(const struct lvdpa_ring *r) { return r->error; }

/* ---- device role ---- */

/**
 * Take the next available chain.
 * @param iov    filled with the chain's segments: readable first
 * @param max_iov capacity of iov
 * @return 1 with *ch and iov filled, 0 when nothing is available, or a
 *         negative errno when the ring is broken (sticky)
 */
int lvdpa_ring_dev_pop(struct lvdpa_ring *r, struct lvdpa_ring_chain *ch,
		       struct lvdpa_ring_iov *iov, unsigned int max_iov);

/**
 * Put back the last @p n popped chains (not yet pushed), in reverse order.
 * At most the chains popped since init / set_base, and at most size of them.
 */
void lvdpa_ring_dev_unpop(struct lvdpa_ring *r, unsigned int n);

/**
 * Return a chain as used with @p len bytes written. Entries become visible
 * to the driver at lvdpa_ring_dev_flush (split) or immediately (packed, in
 * order of the calls). Written ring memory is logged through mem->log_write;
 * the buffers themselves are the caller's to log (iov addr).
 * @return 0, -EINVAL for an id out of range (split) or ndesc 0 / over size
 *         (packed), or the sticky error of a broken ring
 */
int lvdpa_ring_dev_push(struct lvdpa_ring *r, const struct lvdpa_ring_chain *ch,
			uint32_t len);

/** Publish pushed used entries (split: the used index). */
void lvdpa_ring_dev_flush(struct lvdpa_ring *r);

/** After a flush: must the driver be notified (event idx / flags honoured)? */
bool lvdpa_ring_dev_need_notify(struct lvdpa_ring *r);

/**
 * Tell the driver whether the device wants kicks (used flags / avail event,
 * packed device event suppression). With event idx, enabling also sets the
 * avail event to the current position: that is a snapshot, so a device
 * that waits for kicks calls this each time it goes idle (ring drained).
 * Ends with a full barrier: after enabling, check lvdpa_ring_dev_avail()
 * again before sleeping, or a kick may be missed.
 */
void lvdpa_ring_dev_set_kick(struct lvdpa_ring *r, bool enable);

/** Is anything available (cheap, for polling)? */
bool lvdpa_ring_dev_avail(struct lvdpa_ring *r);

/**
 * For prefetching: the buffer addresses in the first two descriptors (a
 * legacy header has its own) of the chain @p ahead chains after the next
 * one to pop, if the last read of the avail index showed it. Split rings,
 * direct chains; 0 otherwise. A hint: nothing is validated, the pop of
 * that chain does it.
 * @return how many of addr[0..1] were filled
 */
unsigned int lvdpa_ring_dev_peek(struct lvdpa_ring *r, unsigned int ahead,
				 uint64_t addr[2]);

/* ---- driver role ---- */

/**
 * Offer a buffer of @p nseg segments (readable ones first). Uses an indirect
 * table at @p indirect_addr (host memory reachable through the view, at
 * least nseg * 16 bytes) when it is not 0 and the ring allows indirect.
 * @param cookie returned with the buffer by lvdpa_ring_drv_get_used
 * @return 0, -ENOSPC when the ring has no room, -EINVAL (no segment, more
 *         direct segments than the ring size, readable after writable, an
 *         indirect table not 8-byte aligned in host memory),
 *         -EFAULT when the indirect table is not mapped
 *         contiguously and writable, or the sticky error of a broken ring
 */
int lvdpa_ring_drv_add(struct lvdpa_ring *r, const struct lvdpa_ring_seg *seg,
		       unsigned int nseg, uint64_t indirect_addr, uint64_t cookie);

/** Make added buffers visible to the device; returns true if a kick is needed. */
bool lvdpa_ring_drv_publish(struct lvdpa_ring *r);

/**
 * Collect one used buffer.
 * @return 1 with *cookie and *len set, 0 when none, negative errno when the
 *         device returned an id that is out of range or not in flight, or
 *         moved the used index more than size ahead (-EPROTO, sticky)
 */
int lvdpa_ring_drv_get_used(struct lvdpa_ring *r, uint64_t *cookie, uint32_t *len);

/**
 * Ask for (or stop asking for) used-buffer notifications. With event idx
 * the position asked for is the current one (a snapshot): call it again
 * each time before waiting. Ends with a full barrier: after enabling, call
 * lvdpa_ring_drv_get_used() again before sleeping.
 */
void lvdpa_ring_drv_set_call(struct lvdpa_ring *r, bool enable);

/** Descriptors free for lvdpa_ring_drv_add. */
static inline unsigned int lvdpa_ring_drv_free(const struct lvdpa_ring *r) { return r->num_free; }

/* ---- buffer helpers ---- */

/**
 * Copy up to @p len bytes from the buffer described by @p iov (@p niov
 * entries, e.g. the readable ones of a chain), starting @p off bytes into
 * it, to @p buf.
 * @return bytes copied (less than len when the iovs end first)
 */
uint32_t lvdpa_ring_iov_read(const struct lvdpa_ring_iov *iov, unsigned int niov,
			     uint32_t off, void *buf, uint32_t len);

/**
 * Copy @p len bytes from @p buf into the buffer described by @p iov (e.g.
 * the writable ones of a chain, iov + ch->nout), starting @p off bytes into
 * it, and log the written guest ranges through the ring's mem->log_write.
 * @return bytes copied (less than len when the iovs end first)
 */
uint32_t lvdpa_ring_iov_write(const struct lvdpa_ring *r,
			      const struct lvdpa_ring_iov *iov, unsigned int niov,
			      uint32_t off, const void *buf, uint32_t len);

/* ---- layout helpers ---- */

/** Bytes of each area for a ring of @p size (split or packed). */
uint64_t lvdpa_ring_desc_bytes(uint16_t size, bool packed);
uint64_t lvdpa_ring_driver_bytes(uint16_t size, bool packed, bool event_idx);
uint64_t lvdpa_ring_device_bytes(uint16_t size, bool packed, bool event_idx);

#ifdef __cplusplus
}
#endif

#endif /* LVDPA_RING_H */
