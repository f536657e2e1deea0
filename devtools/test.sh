#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Installs, builds and runs the whole lvdpa test suite twice, in a normal
# build and an AddressSanitizer + UndefinedBehaviorSanitizer build, then the
# fuzz targets (clang) for a bounded time. Ends with the
# line "N passed, N failed, N skipped" counting test cases of all runs.
# Usage: devtools/test.sh [meson test options, e.g. --suite unit]
set -e
cd "$(dirname "$0")/.."
devtools/setup.sh

if [ ! -f build-san/build.ninja ]; then
	meson setup build-san -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debug -Db_lto=false
fi
ninja -C build-san

# libFuzzer needs clang: a third build for the fuzz targets (suite fuzz),
# with ASan and UBSan, each target run for a bounded time.
if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang meson setup build-fuzz -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbuildtype=debug -Db_lto=false
fi
ninja -C build-fuzz

status=0
echo "== normal build"
meson test -C build --print-errorlogs --num-processes 2 "$@" || status=1
echo "== sanitizer build (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	meson test -C build-san --print-errorlogs --num-processes 2 \
	--timeout-multiplier 3 "$@" || status=1
if [ $# -eq 0 ]; then
	echo "== fuzz targets (clang, libFuzzer, ASan + UBSan)"
	meson test -C build-fuzz --print-errorlogs --suite fuzz || status=1
	fuzzlog=build-fuzz/meson-logs/testlog.json
fi
python3 devtools/test-summary.py build/meson-logs/testlog.json \
	build-san/meson-logs/testlog.json ${fuzzlog:-} || status=1
exit $status
