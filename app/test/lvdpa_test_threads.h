/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_TEST_THREADS_H
#define LVDPA_TEST_THREADS_H

/*
 * The test process's threads, from /proc: how many there are and how often
 * they were switched out, to check that a thread exists, or that an idle
 * one sleeps instead of waking on a timer.
 */

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_eal.h>

/*
 * Threads of this process named @p name, or every thread but the caller's
 * when @p name is NULL; with @p switches, their context switches so far
 * (voluntary and not) are added to it.
 */
static __rte_unused unsigned int
lvdpa_test_threads(const char *name, long *switches)
{
	char path[300], line[128];
	struct dirent *d;
	unsigned int n = 0;
	int self = rte_sys_gettid();
	DIR *dir = opendir("/proc/self/task");

	if (dir == NULL)
		return 0;
	while ((d = readdir(dir)) != NULL) {
		FILE *f;
		bool match;

		if (d->d_name[0] == '.')
			continue;
		if (name == NULL) {
			match = atoi(d->d_name) != self;
		} else {
			snprintf(path, sizeof(path), "/proc/self/task/%s/comm", d->d_name);
			f = fopen(path, "r");
			if (f == NULL)
				continue; /* the thread ended */
			match = fgets(line, sizeof(line), f) != NULL &&
				(line[strcspn(line, "\n")] = '\0', strcmp(line, name) == 0);
			fclose(f);
		}
		if (!match)
			continue;
		n++;
		if (switches == NULL)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status", d->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL)
			if (strncmp(line, "voluntary_ctxt_switches:", 24) == 0 ||
			    strncmp(line, "nonvoluntary_ctxt_switches:", 27) == 0)
				*switches += strtol(strchr(line, ':') + 1, NULL, 10);
		fclose(f);
	}
	closedir(dir);
	return n;
}

#endif /* LVDPA_TEST_THREADS_H */
