/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_TEST_H
#define LVDPA_TEST_H

/*
 * A minimal test runner shared by every lvdpa test program.
 *
 * Each program is a list of cases; it prints TAP (one "ok"/"not ok" line per
 * case) so that meson counts cases, not programs. A case returns 0 on
 * success, anything else on failure; the assertion macros log the failing
 * expression with file and line and return -1.
 *
 * Usage:
 *	static int test_foo(void) { LVDPA_TEST_ASSERT(1 + 1 == 2, "math"); return 0; }
 *	LVDPA_TEST_MAIN(
 *		LVDPA_TEST_CASE(test_foo),
 *	)
 *
 * Running the program with case names as arguments runs only those cases.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lvdpa_test_case {
	const char *name;
	int (*fn)(void);
};

#define LVDPA_TEST_CASE(f) { #f, f }

#define LVDPA_TEST_ASSERT(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "# %s:%d: assertion failed: %s: ", \
			__FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		return -1; \
	} \
} while (0)

#define LVDPA_TEST_ASSERT_EQ(a, b, ...) do { \
	uint64_t lvdpa_test_a_ = (uint64_t)(a), lvdpa_test_b_ = (uint64_t)(b); \
	if (lvdpa_test_a_ != lvdpa_test_b_) { \
		fprintf(stderr, "# %s:%d: %s == %s failed: 0x%" PRIx64 \
			" != 0x%" PRIx64 ": ", __FILE__, __LINE__, #a, #b, \
			lvdpa_test_a_, lvdpa_test_b_); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		return -1; \
	} \
} while (0)

/* Runs the cases named in argv (all when none is named); TAP on stdout. */
static inline int
lvdpa_test_run(const struct lvdpa_test_case *cases, unsigned int n,
	       int argc, char **argv)
{
	unsigned int i, planned = 0, failed = 0, num = 0;
	int a;

	for (i = 0; i < n; i++) {
		int wanted = argc <= 1;

		for (a = 1; a < argc && !wanted; a++)
			wanted = strcmp(argv[a], cases[i].name) == 0;
		planned += wanted;
	}
	if (planned == 0) {
		fprintf(stderr, "no test case matches the names given\n");
		return 2;
	}
	printf("1..%u\n", planned);
	fflush(stdout);
	for (i = 0; i < n; i++) {
		int wanted = argc <= 1, rc;

		for (a = 1; a < argc && !wanted; a++)
			wanted = strcmp(argv[a], cases[i].name) == 0;
		if (!wanted)
			continue;
		rc = cases[i].fn();
		num++;
		printf("%sok %u - %s\n", rc == 0 ? "" : "not ", num,
		       cases[i].name);
		fflush(stdout);
		failed += rc != 0;
	}
	return failed ? 1 : 0;
}

#define LVDPA_TEST_MAIN(...) \
int main(int argc, char **argv) \
{ \
	static const struct lvdpa_test_case lvdpa_test_cases_[] = { \
		__VA_ARGS__ \
	}; \
	return lvdpa_test_run(lvdpa_test_cases_, \
		sizeof(lvdpa_test_cases_) / sizeof(lvdpa_test_cases_[0]), \
		argc, argv); \
}

#endif /* LVDPA_TEST_H */
