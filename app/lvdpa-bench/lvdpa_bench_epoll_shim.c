/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * For callgrind runs only (LD_PRELOAD): Debian 12's valgrind 3.19 does not
 * know epoll_pwait2 (syscall 441) and fails it with ENOSYS, which stops the
 * PMD's event thread from reading kicks. This turns the call into
 * epoll_pwait with the timeout rounded up to a millisecond: under valgrind
 * everything is slower than that anyway. Never loaded otherwise.
 */

#define _GNU_SOURCE
#include <signal.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <time.h>

int lvdpa_bench_epoll_pwait2(int epfd, struct epoll_event *evs, int max,
			     const struct timespec *ts, const sigset_t *sigmask)
	__asm__("epoll_pwait2") __attribute__((visibility("default")));

int
lvdpa_bench_epoll_pwait2(int epfd, struct epoll_event *evs, int max,
			 const struct timespec *ts, const sigset_t *sigmask)
{
	int ms = -1;

	if (ts != NULL)
		ms = (int)(ts->tv_sec * 1000 + (ts->tv_nsec + 999999) / 1000000);
	return epoll_pwait(epfd, evs, max, ms, sigmask);
}
