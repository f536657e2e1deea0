#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Count test cases over meson test logs; print "N passed, N failed, N skipped".

Every lvdpa test program speaks TAP, one line per case. A program that died
before reporting all of its plan (a crash, a timeout) counts each case it did
not report as failed. A program that does not speak TAP (the fuzz runs)
counts as one case, passed or failed by its exit status. Skipped cases (TAP
"# SKIP" directives, "1..0 # SKIP" plans, meson's SKIP result) are counted
apart: a skipped case is not a passed one.
"""
import json
import re
import sys

OK = re.compile(r'^(not )?ok \d+')
SKIP = re.compile(r'#\s*skip', re.IGNORECASE)
PLAN = re.compile(r'^1\.\.(\d+)')


def count(path):
    passed = failed = skipped = 0
    with open(path) as f:
        for line in f:
            t = json.loads(line)
            p = fl = sk = 0
            plan = None
            for out in (t.get('stdout') or '').splitlines():
                m = PLAN.match(out)
                if m:
                    plan = int(m.group(1))
                    if plan == 0 and SKIP.search(out):
                        sk += 1  # the whole program skipped
                m = OK.match(out)
                if m:
                    if m.group(1):
                        fl += 1
                    elif SKIP.search(out):
                        sk += 1
                    else:
                        p += 1
            ok = t.get('result') in ('OK', 'EXPECTEDFAIL', 'SKIP')
            if t.get('result') == 'SKIP' and p == 0 and fl == 0 and sk == 0:
                sk = 1
            if ok and plan is None and p == 0 and fl == 0 and sk == 0:
                p = 1  # a program that is not TAP: one case, its exit status
            if not ok:
                missing = (plan - p - fl) if plan else 0
                fl += missing if missing > 0 else (0 if fl else 1)
                print(f"failed: {t.get('name')} ({t.get('result')})")
            passed += p
            failed += fl
            skipped += sk
    return passed, failed, skipped


def main():
    passed = failed = skipped = 0
    for path in sys.argv[1:]:
        try:
            p, f, s = count(path)
        except FileNotFoundError:
            print(f"missing test log {path}")
            p, f, s = 0, 1, 0
        passed += p
        failed += f
        skipped += s
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
