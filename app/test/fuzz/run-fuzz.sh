#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The lvdpa authors
#
# Run every lvdpa libFuzzer target for a bounded time, one after the other.
#   run-fuzz.sh <build dir> [seconds per target] [target ...]
# Targets are the fuzz_<name> programs of <build dir>/app/test/fuzz (all by
# default), built first with ninja (unless LVDPA_FUZZ_NO_BUILD is set).
# Each fuzzes from its seed corpus and regression inputs (never written to);
# new inputs go to <build dir>/app/test/fuzz/work/<name>, crash inputs to
# <build dir>/app/test/fuzz/artifacts/<name>. Prints executions and
# crashes per target; exits 1 if any target crashed (or failed to run).
set -u

if [ $# -lt 1 ]; then
	echo "usage: $0 <build dir> [seconds per target] [target ...]" >&2
	exit 2
fi
build=$(cd "$1" && pwd) || exit 2
secs=${2:-30}
shift $(( $# >= 2 ? 2 : 1 ))
src=$(cd "$(dirname "$0")" && pwd)
bin=$build/app/test/fuzz

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	# Every fuzz target the build knows (built or not yet).
	for f in $(ninja -C "$build" -t targets all 2>/dev/null |
		   sed -n 's|^app/test/fuzz/fuzz_\([a-z0-9_]*\):.*|\1|p' | sort -u); do
		targets+=("$f")
	done
	if [ ${#targets[@]} -eq 0 ]; then
		for f in "$bin"/fuzz_*; do
			[ -x "$f" ] && [ -f "$f" ] && targets+=("${f##*/fuzz_}")
		done
	fi
fi
# Build just the targets (a whole-tree build may fail for unrelated
# reasons); meson test has built them already and sets LVDPA_FUZZ_NO_BUILD.
if [ -z "${LVDPA_FUZZ_NO_BUILD:-}" ] && [ ${#targets[@]} -ne 0 ]; then
	ninja -C "$build" $(printf 'app/test/fuzz/fuzz_%s ' "${targets[@]}") \
		>/dev/null || { echo "cannot build the fuzz targets" >&2; exit 2; }
fi
if [ ${#targets[@]} -eq 0 ]; then
	echo "no fuzz targets in $bin (a clang build is needed)" >&2
	exit 2
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=0
for t in "${targets[@]}"; do
	exe=$bin/fuzz_$t
	if [ ! -x "$exe" ]; then
		echo "$t: no program $exe"
		failed=1
		continue
	fi
	work=$bin/work/$t
	art=$bin/artifacts/$t
	log=$bin/fuzz-$t.log
	mkdir -p "$work" "$art"
	dirs=("$work")
	for d in "$src/corpus/$t" "$src/regress/$t"; do
		[ -d "$d" ] && dirs+=("$d")
	done
	before=$(ls "$art" | wc -l)
	start=$(date +%s)
	dict=()
	[ -f "$src/$t.dict" ] && dict=(-dict="$src/$t.dict")
	"$exe" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$art/" "${dict[@]}" \
		"${dirs[@]}" \
		>"$log" 2>&1 &
	pid=$!
	wait $pid
	rc=$?
	# What a crashed target could not clean (EAL runtime dir, socket dir).
	rm -rf "/var/run/dpdk/lvdpa-fuzz-$t-$pid" "/tmp/lvdpa-fuzz-$t-$pid"
	took=$(( $(date +%s) - start ))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	crashes=$(( $(ls "$art" | wc -l) - before ))
	if [ $rc -ne 0 ] && [ "$crashes" -eq 0 ]; then
		crashes=1
	fi
	echo "$t: ${execs:-?} executions in ${took} s, $crashes crashes," \
		"corpus $(ls "$work" | wc -l) new inputs (log $log)"
	if [ "$crashes" -ne 0 ]; then
		failed=1
		grep -m 5 -E 'ERROR: |SUMMARY: |invariant failed|runtime error' "$log"
		ls "$art" | sed "s|^|  artifact: $art/|" | tail -n "$crashes"
	fi
done
exit $failed
