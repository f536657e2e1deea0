#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Count test cases over meson test logs and print "N passed, N failed".

Every lvdpa test program speaks TAP, one line per case. A program that died
before reporting all of its plan (a crash, a timeout) counts each case it did
not report as failed, and a program with no plan at all counts as one failure.
"""
import json
import re
import sys

OK = re.compile(r'^(not )?ok \d+')
PLAN = re.compile(r'^1\.\.(\d+)')


def count(path):
    passed = failed = 0
    with open(path) as f:
        for line in f:
            t = json.loads(line)
            p = fl = 0
            plan = None
            for out in (t.get('stdout') or '').splitlines():
                m = PLAN.match(out)
                if m:
                    plan = int(m.group(1))
                m = OK.match(out)
                if m:
                    if m.group(1):
                        fl += 1
                    else:
                        p += 1
            if t.get('result') not in ('OK', 'EXPECTEDFAIL', 'SKIP'):
                missing = (plan - p - fl) if plan else 0
                fl += missing if missing > 0 else (0 if fl else 1)
                print(f"failed: {t.get('name')} ({t.get('result')})")
            passed += p
            failed += fl
    return passed, failed


def main():
    passed = failed = 0
    for path in sys.argv[1:]:
        try:
            p, f = count(path)
        except FileNotFoundError:
            print(f"missing test log {path}")
            p, f = 0, 1
        passed += p
        failed += f
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
