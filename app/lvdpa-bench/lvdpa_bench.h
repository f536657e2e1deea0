/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_BENCH_H
#define LVDPA_BENCH_H

/* Prints "XCPU ns": a cache line's round trip between the two CPUs. */
int lvdpa_bench_xcpu(int cpu_a, int cpu_b);

#endif /* LVDPA_BENCH_H */
