#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The lvdpa authors
#
# The hardening figures of doc/guides/hardening.rst, in one command:
# builds the ASan + UBSan build (build-san) and the clang fuzz build
# (build-fuzz) when missing, runs the fault tests in build-san and every
# fuzz target for a bounded time, then prints Markdown tables: targets
# fuzzed and for how long, executions, crashes (this run, and found before
# and fixed: the regression inputs in the tree); fault cases with their
# cycles, faults injected, leaks and packets lost where none may be lost.
#
# Usage: devtools/hardening-figures.sh [seconds per fuzz target (60)]
# The tests print their figures as TAP comments ("# figure: k=v ...").
# Exits non-zero if a test failed or a target crashed.
set -e
cd "$(dirname "$0")/.."
secs=${1:-60}
case $secs in
''|*[!0-9]*) echo "usage: $0 [seconds per fuzz target]: '$secs' is not a number" >&2
	exit 2 ;;
esac
tests="vdpa-faults vdpa-model-faults vdpa-ops"
out=$(mktemp -d /tmp/lvdpa-figures-XXXXXX)
trap 'rm -rf "$out"' EXIT

devtools/setup.sh >"$out/setup.log" 2>&1 || { cat "$out/setup.log"; exit 1; }
if [ ! -f build-san/build.ninja ]; then
	meson setup build-san -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debug -Db_lto=false >"$out/san-setup.log"
fi
ninja -C build-san >"$out/san-build.log" || { tail -20 "$out/san-build.log"; exit 1; }
if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang meson setup build-fuzz -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbuildtype=debug -Db_lto=false >"$out/fuzz-setup.log"
fi
ninja -C build-fuzz >"$out/fuzz-build.log" || { tail -20 "$out/fuzz-build.log"; exit 1; }

status=0
start=$(date -u '+%Y-%m-%d %H:%M UTC')
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	meson test -C build-san --no-rebuild --timeout-multiplier 3 $tests \
	>"$out/tests.log" 2>&1 || status=1
cp build-san/meson-logs/testlog.json "$out/testlog.json"
app/test/fuzz/run-fuzz.sh build-fuzz "$secs" >"$out/fuzz.log" 2>&1 || status=1

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "Run $start: \`devtools/hardening-figures.sh $secs\` on $(nproc) vCPUs" \
	"($cpu), $(sed -n 's/^PRETTY_NAME="\(.*\)"/\1/p' /etc/os-release)," \
	"kernel $(uname -r), $(clang --version | head -1)."
echo
python3 - "$out/testlog.json" "$out/fuzz.log" app/test/fuzz/regress "$secs" <<'EOF' || status=1
import json, os, re, sys

testlog, fuzzlog, regress, secs = sys.argv[1:5]
bad = 0

print("Fuzzing (clang libFuzzer, ASan + UBSan, one target at a time):")
print()
print("| target | seconds | executions | crashes in this run "
      "| crashes found before, fixed (regression inputs) |")
print("| --- | ---: | ---: | ---: | ---: |")
line = re.compile(r'^(\w+): (\S+) executions in (\d+) s, (\d+) crashes')
tot_s = tot_x = tot_c = tot_r = 0
for l in open(fuzzlog):
    m = line.match(l)
    if not m:
        continue
    t, execs, took, crashes = m.group(1), m.group(2), int(m.group(3)), int(m.group(4))
    d = os.path.join(regress, t)
    fixed = len([f for f in os.listdir(d) if not f.startswith('.')]) \
        if os.path.isdir(d) else 0
    x = int(execs) if execs.isdigit() else 0
    tot_s += took; tot_x += x; tot_c += crashes; tot_r += fixed
    bad += crashes
    print(f"| {t} | {took} | {x:,} | {crashes} | {fixed} |")
print(f"| all | {tot_s} | {tot_x:,} | {tot_c} | {tot_r} |")
print()

print("Fault loops (ASan + UBSan build, LeakSanitizer at exit):")
print()
print("| test / case | result | cycles | faults injected | packets "
      "| packets lost (none may be) | lost on the wire (allowed) | leaks |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
fig = re.compile(r'^# figure: (.*)$')
res = re.compile(r'^(not )?ok \d+ - (\S+)')
tot = dict(cycles=0, faults=0, packets=0, lost=0, wire=0, leaks=0, cases=0, failed=0)
for l in open(testlog):
    t = json.loads(l)
    text = (t.get('stdout') or '') + '\n' + (t.get('stderr') or '')
    lsan = text.count('ERROR: LeakSanitizer')
    san = len(re.findall(r'runtime error|ERROR: AddressSanitizer', text))
    figures, results = [], {}
    for o in text.splitlines():
        m = fig.match(o)
        if m:
            figures.append(dict(kv.split('=', 1) for kv in m.group(1).split()
                                if '=' in kv))
        m = res.match(o)
        if m:
            results[m.group(2)] = 'FAIL' if m.group(1) else 'ok'
    nok = sum(1 for r in results.values() if r == 'ok')
    tot['cases'] += len(results)
    tot['failed'] += len(results) - nok
    if t.get('result') != 'OK' or lsan or san:
        bad += 1
    for f in figures:
        g = lambda k: int(f.get(k, 0))
        leaks = g('leaked_fds') + g('leaked_maps') + g('guard_bytes_written')
        tot['cycles'] += g('cycles'); tot['faults'] += g('faults') + g('lies_refused')
        tot['packets'] += g('packets'); tot['lost'] += g('packets_lost')
        tot['wire'] += g('lost_on_wire'); tot['leaks'] += leaks
        print(f"| {f.get('test')} / {f.get('case')} | "
              f"{'ok' if t.get('result') == 'OK' else t.get('result')} | "
              f"{g('cycles') or ''} | {g('faults') + g('lies_refused') or ''} | "
              f"{g('packets') or ''} | {g('packets_lost')} | {g('lost_on_wire')} | "
              f"{leaks} |")
    tot['leaks'] += lsan
    if lsan or san:
        print(f"| {t.get('name')} / sanitizer | FAIL | | | | | | {lsan} |")
print(f"| all: {tot['cases']} cases, {tot['failed']} failed | "
      f"{'ok' if tot['failed'] == 0 and bad == 0 else 'FAIL'} | {tot['cycles']} | "
      f"{tot['faults']} | {tot['packets']:,} | {tot['lost']} | {tot['wire']} | "
      f"{tot['leaks']} |")
print()
print("Leaks: file descriptors and guest-memory mappings left after the "
      "connect cycles, bytes the device wrote outside the guest's memory "
      "table, and LeakSanitizer reports.")
sys.exit(1 if bad or tot['lost'] or tot['leaks'] else 0)
EOF
if [ $status -ne 0 ]; then
	echo
	echo "Something failed: $(grep -c . "$out/tests.log") lines of test output follow."
	grep -E 'not ok|FAIL|ERROR' "$out/tests.log" | head -20
	grep -E 'crashes|no program' "$out/fuzz.log" | head -20
fi
exit $status
