/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Preloaded (after the ASan runtime) into ovs-vswitchd by the sanitizer
 * build's OVS test. LeakSanitizer looks for pointers only in globals,
 * stacks, TLS and the heap: not in DPDK's memory (mapped by EAL, carved by
 * rte_malloc). OVS never removes the --vdev devices nor calls
 * rte_eal_cleanup, so a device still alive at exit whose private data
 * (rte_malloc'ed) holds malloc'ed objects would look leaked. At exit,
 * before LeakSanitizer's own exit handler runs (registered earlier, so
 * run later), this registers DPDK's allocated malloc elements as root
 * regions: what is reported then is really unreachable. Only elements up
 * to 4 MB: the big ones are mbuf pools and rings, which hold no malloc'ed
 * pointers, and scanning all of EAL's memory takes LeakSanitizer ~20 s.
 * The elements are read from rte_malloc_dump_heaps(), the one public
 * walk of the heaps.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#define LVDPA_LSAN_ROOT_MAX (4u << 20)

void __lsan_register_root_region(const void *p, size_t size);

static void
lvdpa_lsan_roots_at_exit(void)
{
	char *buf = NULL, *line, *save = NULL;
	size_t n = 0, len;
	void *elem = NULL;
	char state[16];
	FILE *f;

	f = open_memstream(&buf, &n);
	if (f == NULL)
		return;
	/* Before rte_eal_init (a daemon's parent) there is no heap to dump. */
	rte_malloc_dump_heaps(f);
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "Malloc element at %p (%15[A-Z])", &elem, state) == 2) {
			if (strcmp(state, "BUSY") != 0)
				elem = NULL;
		} else if (elem != NULL && sscanf(line, " len: %zx", &len) == 1) {
			if (len <= LVDPA_LSAN_ROOT_MAX)
				__lsan_register_root_region(elem, len);
			elem = NULL;
		}
	}
	free(buf);
}

static void __attribute__((constructor))
lvdpa_lsan_roots_init(void)
{
	atexit(lvdpa_lsan_roots_at_exit);
}
