#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The lvdpa authors
"""lvdpa benchmarks, in the spirit of DPDK's dpdk-test-*-perf tools.

Datapath: loopback packets per second and Gbit/s, lvdpa (the PMD on its
model) against DPDK's own software vhost (net_vhost with an io loop sending
every packet back), driven by the same frontend on the same cores: DPDK's
virtio-user in testpmd for modern guests, lvdpa-guest for legacy guests.
Runs alternate A and B with fresh processes in one run (throughput on this
kind of machine swings 2-3x between runs): the figure is the median of the
per-pair ratios. Optionally instructions per packet of the backend with
valgrind's callgrind, which is stable where time is not.

Relay: the relay (legacy=relay) against the direct path, same guest and
sizes (reported as not available while the PMD refuses legacy=relay), and
the host CPU the relay itself takes: its thread's CPU time per packet,
which is what bounds it on the NIC, where the device takes none.

Control path: lvdpa-bench ctrl in one process (PMD + lvdpa-guest), the
model charging each firmware command a latency (profile cx6dx by default):
DRIVER_OK to the last queue ready, suspend+query of all queues, resume.

Writes results.md, results.csv and, when matplotlib is available, PNG plots
into --out. See doc/guides/benchmarks.rst.
"""

import argparse
import csv
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Proc:
    """A child whose output is collected by a thread (never blocks)."""

    def __init__(self, argv, env=None, stdin=False):
        self.argv = argv
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  env=env, start_new_session=True)
        self.buf = []
        self.lock = threading.Lock()
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        # Chunks, not lines: testpmd's prompt has no newline.
        fd = self.p.stdout.fileno()
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            with self.lock:
                self.buf.append(chunk.decode(errors='replace'))

    def text(self):
        with self.lock:
            return ''.join(self.buf)

    def wait_for(self, pattern, timeout, start=0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            m = re.search(pattern, self.text()[start:])
            if m:
                return m
            if self.p.poll() is not None:
                time.sleep(0.1)
                return re.search(pattern, self.text()[start:])
            time.sleep(0.05)
        return None

    def send(self, line):
        self.p.stdin.write((line + '\n').encode())
        self.p.stdin.flush()

    def stop(self, timeout=10):
        """SIGTERM (then SIGKILL) the whole process group; return the output."""
        if self.p.poll() is None:
            try:
                os.killpg(self.p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.p.pid, signal.SIGKILL)
                self.p.wait()
        self.t.join(2)
        return self.text()


def thread_cpu(pid):
    """{thread name: [ns on a CPU, of which in the kernel]} of process pid.

    The total comes from schedstat (nanoseconds; a kernel without it:
    stat's ticks), the kernel's share from stat's utime/stime ticks, which
    only split it.
    """
    out = {}
    tick_ns = 1e9 / os.sysconf('SC_CLK_TCK')
    try:
        tids = os.listdir('/proc/%d/task' % pid)
    except OSError:
        return out  # the process ended: the run reports its error
    for tid in tids:
        base = '/proc/%d/task/%s/' % (pid, tid)
        try:
            with open(base + 'stat') as f:
                st = f.read()
        except OSError:
            continue  # the thread ended meanwhile
        name = st[st.index('(') + 1:st.rindex(')')]
        fields = st[st.rindex(')') + 2:].split()
        utime, stime = int(fields[11]), int(fields[12])
        try:
            with open(base + 'schedstat') as f:
                ns = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            ns = (utime + stime) * tick_ns
        sys_ns = ns * stime / (utime + stime) if utime + stime else 0
        acc = out.setdefault(name, [0, 0])
        acc[0] += ns
        acc[1] += sys_ns
    return out


class Bench:
    def __init__(self, a):
        self.a = a
        self.tmp = tempfile.mkdtemp(prefix='lvdpa-bench-')
        self.n = 0
        self.rows = []
        self.started = time.time()

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
        subprocess.run('rm -rf /var/run/dpdk/lvdpa-bench-*', shell=True)

    def sock(self):
        self.n += 1
        return os.path.join(self.tmp, 'sock%d' % self.n)

    # ---- processes -------------------------------------------------

    def backend(self, kind, sock, qp, devargs='', valgrind=None):
        # The PMD says at configure time who serves the guest (device or relay).
        env = dict(os.environ, LVDPA_BENCH_EAL='-l 0 --log-level=pmd.vdpa.lvdpa:info')
        argv = [self.a.bench, 'serve', kind, sock, str(qp)]
        if devargs:
            argv.append(devargs)
        if valgrind:
            # valgrind 3.19 lacks epoll_pwait2, which the PMD's event thread uses.
            shim = os.path.join(os.path.dirname(self.a.bench), 'liblvdpa_bench_epoll_shim.so')
            if os.path.exists(shim):
                env['LD_PRELOAD'] = shim
            argv = ['valgrind', '--tool=callgrind', '--fair-sched=yes',
                    '--callgrind-out-file=' + valgrind] + argv
        argv = ['taskset', '-c', '0'] + argv
        p = Proc(argv, env=env)
        if not p.wait_for(r'READY', 120 if valgrind else 30):
            out = p.stop()
            raise RuntimeError('backend %s did not start: %s' % (kind, out[-600:]))
        return p

    def testpmd(self, sock, qp, size):
        prefix = 'lvdpa-bench-fe-%d-%d' % (os.getpid(), self.n)
        argv = [self.a.testpmd, '-l', '0,1', '--no-huge', '-m', '512', '--no-pci',
                '--file-prefix=' + prefix, '--log-level=*:error',
                '--vdev=net_virtio_user0,path=%s,queues=%d,queue_size=256' % (sock, qp),
                '--', '-i', '--rxq=%d' % qp, '--txq=%d' % qp, '--nb-cores=1',
                '--txpkts=%d' % size, '--forward-mode=io', '--burst=32',
                '--rxd=256', '--txd=256', '--total-num-mbufs=8192']
        p = Proc(argv, stdin=True)
        if not p.wait_for(r'testpmd> ', 30):
            out = p.stop()
            raise RuntimeError('testpmd did not start: %s' % out[-600:])
        return p

    def run_modern(self, p, t):
        """start tx_first, then Rx-pps/Rx-bps over t seconds (testpmd's own clock).

        testpmd's stdout is a pipe, hence block buffered: the figures are
        read from the last "show port stats" once it has quit.
        """
        p.send('start tx_first %d' % self.a.tx_first)
        time.sleep(self.a.warmup)
        p.send('show port stats all')
        time.sleep(t)
        p.send('show port stats all')
        p.send('stop')
        p.send('quit')
        try:
            p.p.wait(30)
        except subprocess.TimeoutExpired:
            pass
        p.t.join(2)
        m = re.findall(r'Rx-pps:\s+(\d+)\s+Rx-bps:\s+(\d+)', p.text())
        if len(m) < 2:
            raise RuntimeError('no port stats from testpmd: ' + p.text()[-300:].replace('\n', ' '))
        return int(m[-1][0]) / 1e6, int(m[-1][1]) / 1e9

    def run_legacy(self, sock, qp, size, t):
        argv = ['taskset', '-c', '1', self.a.guest, '-s', sock, '-f', 'legacy',
                '-q', str(qp), '-l', str(size), '-n', '2000000000',
                '-t', str(int((t + self.a.warmup) * 1000)), '--quiet', '--busy-poll']
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=t + 60)
        out = r.stdout.decode(errors='replace')
        m = re.search(r'received (\d+) bad (\d+).*? ([\d.]+) Mpps ([\d.]+) Gbit/s', out)
        if not m or int(m.group(1)) == 0 or int(m.group(2)) != 0:
            raise RuntimeError('lvdpa-guest: %s' % out.strip()[-400:])
        return float(m.group(3)), float(m.group(4))

    def one_dp(self, kind, guest, size, qp, t, devargs='', valgrind=None, cpu=False):
        """(Mpps, Gbit/s, packets the backend took, CPU) of one run.

        With cpu (legacy guests), CPU is {thread name: [ns, kernel ns]} of
        the backend's threads from the end of the warm-up (where PACKETS
        starts counting too) to the end of the guest's run; else None.
        """
        sock = self.sock()
        if kind == 'lvdpa' and self.a.model_poll_us >= 0:
            # The baseline polls all the time; the model polls this long
            # after its last work, so a busy guest does not pay kicks.
            devargs = ','.join(x for x in (devargs, 'model_poll_us=%d' %
                                           self.a.model_poll_us) if x)
        be = self.backend(kind, sock, qp, devargs, valgrind)
        try:
            if valgrind:
                # Count from after the warm-up: zero callgrind, mark the packets.
                threading.Timer(self.a.warmup + 2, self.mark, (be,)).start()
            used = None
            if guest == 'modern':
                fe = self.testpmd(sock, qp, size)
                try:
                    mpps, gbps = self.run_modern(fe, t)
                finally:
                    fe.stop()
            else:
                at, timer = {}, None
                if cpu:
                    def start():
                        at['c0'] = thread_cpu(be.p.pid)
                        try:
                            os.kill(be.p.pid, signal.SIGUSR1)
                        except OSError:
                            pass  # it ended: the run reports why
                    timer = threading.Timer(self.a.warmup, start)
                    timer.start()
                try:
                    mpps, gbps = self.run_legacy(sock, qp, size, t)
                finally:
                    if timer:
                        timer.cancel()
                        timer.join()
                if 'c0' in at:
                    c1 = thread_cpu(be.p.pid)
                    c0 = at['c0']
                    used = {k: [v[0] - c0.get(k, [0, 0])[0], v[1] - c0.get(k, [0, 0])[1]]
                            for k, v in c1.items()}
        finally:
            out = be.stop(60 if valgrind else 10)
        m = re.search(r'PACKETS (\d+)', out)
        pkts = int(m.group(1)) if m else 0
        if kind == 'lvdpa' and guest == 'legacy':
            relayed = 'relayed' in out
            if relayed != ('legacy=relay' in devargs):
                raise RuntimeError('the guest was %s relayed' % ('' if relayed else 'not'))
        return mpps, gbps, pkts, used

    @staticmethod
    def mark(be):
        subprocess.run(['callgrind_control', '-z', str(be.p.pid)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.kill(be.p.pid, signal.SIGUSR1)

    # ---- datapath ----------------------------------------------------

    def xcpu(self):
        """A cache line's round trip between the backend's CPU and the frontend's (ns)."""
        r = subprocess.run([self.a.bench, 'xcpu', '0', '1'], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        m = re.search(r'XCPU ([\d.]+)', r.stdout.decode(errors='replace'))
        if not m:
            raise RuntimeError('xcpu: ' + r.stdout.decode(errors='replace').strip()[-200:])
        return float(m.group(1))

    def pair(self, label, a, b, runner):
        """Alternate A and B, fresh processes each: per row the median of the
        per-pair ratios, and each kept pair's cross-CPU round trip.

        The host may move this VM's vCPUs between runs, which changes the
        cross-CPU latency (and every rate) by a factor: a pair whose runs
        saw different latencies (the round trip measured before, between
        and after them differs by more than --xcpu-tolerance) compares two
        hosts, not two backends. It is set aside and taken again, at most
        --reps more times; set-aside pairs are counted in the note.
        """
        ra, rb, ratios, errs, rts = [], [], [], [], []
        unsteady = 0
        r = 0
        while len(ratios) < self.a.reps and r < 2 * self.a.reps:
            order = (('A', a), ('B', b)) if r % 2 == 0 else (('B', b), ('A', a))
            r += 1
            res = {}
            lat = [self.xcpu()]
            for tag, cfg in order:
                try:
                    res[tag] = runner(*cfg)
                    log('  %s rep %d %s: %.2f Mpps %.2f Gbit/s' %
                        (label, r, tag, res[tag][0], res[tag][1]))
                except (RuntimeError, subprocess.TimeoutExpired) as e:
                    errs.append('%s: %s' % (tag, str(e).splitlines()[0] if str(e) else e))
                    log('  %s rep %d %s: ERROR %s' % (label, r, tag, e))
                lat.append(self.xcpu())
            if 'A' not in res or 'B' not in res:
                continue
            if max(lat) > min(lat) * (1 + self.a.xcpu_tolerance):
                unsteady += 1
                log('  %s rep %d: set aside, cross-CPU round trip moved (%s ns)' %
                    (label, r, '/'.join('%.0f' % x for x in lat)))
                continue
            ra.append(res['A'])
            rb.append(res['B'])
            rts.append(statistics.median(lat))
            if res['B'][0] > 0:
                ratios.append(res['A'][0] / res['B'][0])
        if unsteady:
            errs.append('%d pair(s) set aside: the cross-CPU round trip moved' % unsteady)
        return ra, rb, ratios, errs, rts

    def datapath(self):
        cases = [(g, s, q) for g in self.a.guests for q in self.a.qps for s in self.a.sizes]
        for i, (g, s, q) in enumerate(cases):
            label = '[datapath %d/%d] %s %dB %dqp' % (i + 1, len(cases), g, s, q)
            log(label + ': lvdpa (A) vs vhost (B)')
            ra, rb, ratios, errs, rts = self.pair(
                label, ('lvdpa', g, s, q, self.a.time), ('vhost', g, s, q, self.a.time),
                lambda kind, g_, s_, q_, t: self.one_dp(kind, g_, s_, q_, t)[:2])
            self.rows.append(self.dp_row('datapath', g, s, q, 'lvdpa', 'vhost', ra, rb,
                                         ratios, errs, rts))

    def relay(self):
        cases = [(s, q) for q in self.a.qps for s in self.a.sizes]
        for i, (s, q) in enumerate(cases):
            label = '[relay %d/%d] legacy %dB %dqp' % (i + 1, len(cases), s, q)
            log(label + ': relay (A) vs direct (B)')
            ra, rb, ratios, errs, rts = self.pair(
                label, ('legacy=relay', s, q), ('legacy=device', s, q),
                lambda dev, s_, q_: self.one_dp('lvdpa', 'legacy', s_, q_, self.a.time,
                                                devargs=dev, cpu=True))
            row = self.dp_row('relay', 'legacy', s, q, 'relay', 'direct', ra, rb,
                              ratios, errs, rts)
            row.update(self.relay_cpu(ra, rb))
            self.rows.append(row)

    # The threads that run relays: the event thread, or relay_core's.
    RELAY_THREADS = ('lvdpa-ev-', 'lvdpa-rly-')

    def relay_cpu(self, ra, rb):
        """The relay thread's CPU per packet and share of a CPU in the relay
        runs, and the whole backend's share in the direct runs (medians).

        A share is CPU per packet times the guest's rate: the CPU the
        threads took while packets flowed, not around the guest's start.
        """
        med = lambda xs: statistics.median(xs) if xs else None
        ns, kns, share, direct = [], [], [], []
        for mpps, _, pkts, used in ra:
            if not used or not pkts:
                continue
            rel = [v for k, v in used.items() if k.startswith(self.RELAY_THREADS)]
            if not rel:
                continue
            ns.append(sum(v[0] for v in rel) / pkts)
            kns.append(sum(v[1] for v in rel) / pkts)
            share.append(ns[-1] * mpps * 1e-3)
        for mpps, _, pkts, used in rb:
            if used and pkts:
                direct.append(sum(v[0] for v in used.values()) / pkts * mpps * 1e-3)
        return {'relay_ns': med(ns), 'relay_kernel_ns': med(kns),
                'relay_cpu': med(share), 'direct_backend_cpu': med(direct)}

    @staticmethod
    def dp_row(bench, g, s, q, na, nb, ra, rb, ratios, errs, rts):
        med = lambda xs: statistics.median(xs) if xs else None
        return {
            'bench': bench, 'guest': g, 'size': s, 'qp': q, 'a': na, 'b': nb,
            'a_mpps': med([x[0] for x in ra]), 'a_gbps': med([x[1] for x in ra]),
            'b_mpps': med([x[0] for x in rb]), 'b_gbps': med([x[1] for x in rb]),
            'ratio': med(ratios), 'ratio_min': min(ratios) if ratios else None,
            'ratio_max': max(ratios) if ratios else None, 'pairs': len(ratios),
            'xcpu_ns': med(rts),
            'note': '; '.join(sorted(set(errs)))[:200],
        }

    # ---- instructions per packet ------------------------------------

    def callgrind(self):
        cases = [(g, s) for g in self.a.guests for s in self.a.sizes]
        for i, (g, s) in enumerate(cases):
            row = {'bench': 'instr', 'guest': g, 'size': s, 'qp': 1}
            for kind in ('lvdpa', 'vhost'):
                log('[instr %d/%d] %s %dB: %s under callgrind' % (i + 1, len(cases), g, s, kind))
                out = os.path.join(self.tmp, 'cg.%s.%d' % (kind, self.n))
                try:
                    _, _, pkts, _ = self.one_dp(kind, g, s, 1, self.a.callgrind_time,
                                                valgrind=out)
                    ir = 0
                    with open(out) as f:
                        for line in f:
                            if line.startswith(('summary:', 'totals:')):
                                ir = int(line.split()[1])
                                break
                    row[kind + '_ipp'] = ir / pkts if pkts else None
                    log('  %s: %d instructions, %d packets' % (kind, ir, pkts))
                except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
                    row[kind + '_ipp'] = None
                    row['note'] = str(e)[:200]
                    log('  %s: ERROR %s' % (kind, e))
            a, b = row.get('lvdpa_ipp'), row.get('vhost_ipp')
            row['ratio'] = b / a if a and b else None
            self.rows.append(row)

    # ---- control path ---------------------------------------------

    CTRL_VARIANTS = [
        # name, devargs ({q}: queue pairs), profile (None: --profile). The
        # driver's default is 31 configuration threads beside the caller.
        ('pre-created', 'queues={q},queue_size=256', None),
        ('pre-created, no threads', 'queues={q},queue_size=256,max_conf_threads=0', None),
        ('pre-created, 8 threads', 'queues={q},queue_size=256,max_conf_threads=8', None),
        ('on demand', '', None),
        # The host's share of the same path: no firmware latency at all.
        ('pre-created, no latency', 'queues={q},queue_size=256', 'none'),
    ]
    # CTRL line of lvdpa-bench ctrl, in order.
    CTRL_FIELDS = ('conf_ms', 'sq_ms', 'stop_ms', 'ring_ms', 'resume_ms', 'log_ms')

    def ctrl(self):
        variants = [v for v in self.CTRL_VARIANTS if v[0] in self.a.ctrl_variants]
        unknown = set(self.a.ctrl_variants) - {v[0] for v in self.CTRL_VARIANTS}
        if unknown:
            log('unknown control-path variants ignored: %s' % ', '.join(sorted(unknown)))
        cases = [(v, g, q) for v in variants for g in ('modern', 'legacy')
                 for q in self.a.ctrl_qps]
        for i, ((vname, dargs, prof), g, q) in enumerate(cases):
            prof = prof or self.a.profile
            env = dict(os.environ, LVDPA_BENCH_EAL='-l 0,1', LVDPA_MODEL_LATENCY=prof)
            log('[ctrl %d/%d] %s %s %d qp, profile %s' % (i + 1, len(cases), vname, g, q,
                                                       prof))
            row = {'bench': 'ctrl', 'variant': vname, 'guest': g, 'qp': q,
                   'profile': prof}
            argv = [self.a.bench, 'ctrl', str(q), g, str(self.a.ctrl_reps), dargs.format(q=q)]
            try:
                r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   env=env, timeout=120 + 20 * q)
                out = r.stdout.decode(errors='replace')
                num = r'([\d.]+)'
                vals = [tuple(map(float, m.groups())) for m in
                        re.finditer(r'CTRL ' + ' '.join([num] * len(self.CTRL_FIELDS)), out)]
                if not vals:
                    raise RuntimeError(out.strip().splitlines()[-1] if out.strip() else
                                       'no output')
                for k, name in enumerate(self.CTRL_FIELDS):
                    row[name] = statistics.median(v[k] for v in vals)
                row['reps'] = len(vals)
                log('  conf %.2f ms, suspend+query %.2f ms (stop %.2f), ring by ring %.2f ms, '
                    'resume %.2f ms, log on %.2f ms' % tuple(row[f] for f in (
                        'conf_ms', 'sq_ms', 'stop_ms', 'ring_ms', 'resume_ms', 'log_ms')))
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                row['note'] = str(e)[:200]
                log('  ERROR %s' % e)
            self.rows.append(row)

    # ---- output -----------------------------------------------------

    def tables(self):
        """(title, header, rows of cells) for each part that has rows."""
        fmt = lambda v, p=2: '-' if v is None else ('%.*f' % (p, v))
        out = []
        dp = [r for r in self.rows if r['bench'] in ('datapath', 'relay')]
        if dp:
            out.append(('Datapath and relay (loopback)',
                        ['bench', 'guest', 'size', 'qp', 'A', 'A Mpps', 'A Gbit/s', 'B',
                         'B Mpps', 'B Gbit/s', 'A/B (median)', 'A/B min..max', 'pairs',
                         'CPU0-1 round trip ns', 'note'],
                        [[r['bench'], r['guest'], str(r['size']), str(r['qp']), r['a'],
                          fmt(r['a_mpps']), fmt(r['a_gbps']), r['b'], fmt(r['b_mpps']),
                          fmt(r['b_gbps']), fmt(r['ratio']),
                          '%s..%s' % (fmt(r['ratio_min']), fmt(r['ratio_max'])),
                          str(r['pairs']), fmt(r.get('xcpu_ns'), 0), r['note']] for r in dp]))
        rl = [r for r in self.rows if r['bench'] == 'relay' and r.get('relay_ns')]
        if rl:
            pct = lambda v: '-' if v is None else '%.0f%%' % (100 * v)
            out.append(('The relay\'s own CPU (its thread, in the relay runs)',
                        ['size', 'qp', 'relay Mpps', 'relay thread: share of a CPU',
                         'ns per packet', 'of which kernel', 'packets per relay CPU-second (M)',
                         'direct Mpps', 'direct: backend share of a CPU'],
                        [[str(r['size']), str(r['qp']), fmt(r['a_mpps']), pct(r['relay_cpu']),
                          fmt(r['relay_ns'], 0), fmt(r['relay_kernel_ns'], 0),
                          fmt(1e3 / r['relay_ns']), fmt(r['b_mpps']),
                          pct(r['direct_backend_cpu'])] for r in rl]))
        ins = [r for r in self.rows if r['bench'] == 'instr']
        if ins:
            out.append(('Backend instructions per packet (callgrind)',
                        ['guest', 'size', 'lvdpa', 'vhost', 'vhost/lvdpa', 'note'],
                        [[r['guest'], str(r['size']), fmt(r.get('lvdpa_ipp'), 0),
                          fmt(r.get('vhost_ipp'), 0), fmt(r.get('ratio')), r.get('note', '')]
                         for r in ins]))
        ct = [r for r in self.rows if r['bench'] == 'ctrl']
        if ct:
            out.append(('Control path (ms, median of %d repetitions)' % self.a.ctrl_reps,
                        ['variant', 'profile', 'guest', 'qp', 'queues',
                         'configure: DRIVER_OK to last queue ready', 'suspend+query all (migration stop, log on)',
                         'stop: GET_VRING_BASE all', 'SET_VRING_ENABLE 0 ring by ring',
                         'resume: SET_VRING_ENABLE 1 ring by ring', 'dirty log on (LOG_ALL)',
                         'note'],
                        [[r['variant'], r['profile'], r['guest'], str(r['qp']),
                          str(2 * r['qp']),
                          fmt(r.get('conf_ms')), fmt(r.get('sq_ms')), fmt(r.get('stop_ms')),
                          fmt(r.get('ring_ms')), fmt(r.get('resume_ms')),
                          fmt(r.get('log_ms')), r.get('note', '')] for r in ct]))
        return out

    def targets(self):
        """The issue's targets, judged on this run's rows: (target, measured, verdict)."""
        out = []
        fmt = lambda v: '%.2f' % v

        def judge(name, vals, ok):
            if not vals:
                return
            good = all(ok(v) for _, v in vals)
            out.append((name, ', '.join('%s %s' % (k, fmt(v)) for k, v in vals),
                        'met' if good else 'not met'))

        for size in (64, 1500):
            vals = [('%s %dqp' % (r['guest'], r['qp']), r['ratio']) for r in self.rows
                    if r['bench'] == 'datapath' and r['size'] == size and
                    r.get('ratio') is not None]
            judge('datapath %d B: lvdpa / DPDK vhost >= 1.0' % size, vals, lambda v: v >= 1.0)
        vals = [('%d B %dqp' % (r['size'], r['qp']), r['ratio']) for r in self.rows
                if r['bench'] == 'relay' and r.get('ratio') is not None]
        judge('relay / direct >= 0.8', vals, lambda v: v >= 0.8)
        ct = [r for r in self.rows if r['bench'] == 'ctrl' and r['qp'] == 16 and
              r.get('conf_ms') is not None]
        for v in [x[0] for x in self.CTRL_VARIANTS if x[2] is None]:
            rows = [r for r in ct if r['variant'] == v and r['profile'] == 'cx6dx']
            judge('%s: 16 qp configured <= 20 ms (ms)' % v,
                  [(r['guest'], r['conf_ms']) for r in rows], lambda x: x <= 20.0)
            judge('%s: 32 queues suspended and queried <= 2.5 ms (ms)' % v,
                  [(r['guest'], r['sq_ms']) for r in rows], lambda x: x <= 2.5)
        return out

    def write(self):
        os.makedirs(self.a.out, exist_ok=True)
        fields = ['bench', 'variant', 'guest', 'size', 'qp', 'a', 'b', 'a_mpps', 'a_gbps',
                  'b_mpps', 'b_gbps', 'ratio', 'ratio_min', 'ratio_max', 'pairs', 'xcpu_ns',
                  'relay_ns', 'relay_kernel_ns', 'relay_cpu', 'direct_backend_cpu',
                  'lvdpa_ipp', 'vhost_ipp', 'profile'] + list(self.CTRL_FIELDS) + \
                 ['reps', 'note']
        with open(os.path.join(self.a.out, 'results.csv'), 'w', newline='') as f:
            w = csv.DictWriter(f, fieldnames=fields, extrasaction='ignore')
            w.writeheader()
            for r in self.rows:
                w.writerow({k: ('%.4g' % v if isinstance(v, float) else v)
                            for k, v in r.items()})
        when = time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(self.started))
        about = ('Run of %s (%.0f minutes), %s s per run, %d alternating pairs per row, '
                 'same cores (backend CPU 0, frontend CPU 1). Command: `%s`' %
                 (when, (time.time() - self.started) / 60, self.a.time, self.a.reps,
                  self.a.command))
        rts = [r['xcpu_ns'] for r in self.rows if r.get('xcpu_ns') is not None]
        if rts:
            about += (' CPU 0 - CPU 1 cache-line round trip (lvdpa-bench xcpu) %.0f..%.0f ns '
                      'over the rows; a pair whose runs saw it move by more than %.0f%% '
                      'was taken again.' % (min(rts), max(rts), 100 * self.a.xcpu_tolerance))
        # One line a cell: an error's note may hold a child's whole output.
        tables = [(t, h, [[' '.join(str(c).split()) for c in row] for row in rows])
                  for t, h, rows in self.tables()]
        tg = self.targets()
        if tg:
            tables.append(('Targets (issue 7), judged on this run',
                           ['target', 'measured', 'verdict'], [list(t) for t in tg]))
        md = ['# lvdpa benchmarks', '', about, '']
        for title, head, rows in tables:
            md += ['## ' + title, '', '| ' + ' | '.join(head) + ' |',
                   '|' + '|'.join('---' for _ in head) + '|']
            md += ['| ' + ' | '.join(c.replace('|', '/') for c in row) + ' |' for row in rows]
            md.append('')
        with open(os.path.join(self.a.out, 'results.md'), 'w') as f:
            f.write('\n'.join(md))
        # The same tables for the Sphinx guide (.. include:: bench/results.rst).
        rst = ['.. Written by app/lvdpa-bench/lvdpa-bench.py: do not edit.', '',
               about.replace('`', '``'), '']
        for title, head, rows in tables:
            rst += [title, '~' * len(title), '', '.. list-table::', '   :header-rows: 1', '']
            # A lone '-' (no figure) would start a nested list: escape it.
            cell = lambda c: '\\-' if c == '-' else c
            for row in [head] + rows:
                rst.append(('   * - ' + cell(row[0])).rstrip())
                rst += [('     - ' + cell(c)).rstrip() for c in row[1:]]
            rst.append('')
        with open(os.path.join(self.a.out, 'results.rst'), 'w') as f:
            f.write('\n'.join(rst))
        self.plots()
        return '\n'.join(md)

    def plots(self):
        try:
            import matplotlib
            matplotlib.use('Agg')
            import matplotlib.pyplot as plt
        except ImportError:
            log('matplotlib not available (Debian: python3-matplotlib): no PNG plots')
            return
        dp = [r for r in self.rows if r['bench'] in ('datapath', 'relay') and
              r['ratio'] is not None]
        if dp:
            fig, ax = plt.subplots(figsize=(9, 4))
            labels = ['%s %s %dB %dqp' % (r['bench'], r['guest'], r['size'], r['qp'])
                      for r in dp]
            ax.bar(range(len(dp)), [r['ratio'] for r in dp])
            ax.axhline(1.0, color='k', lw=0.8)
            ax.set_xticks(range(len(dp)))
            ax.set_xticklabels(labels, rotation=45, ha='right', fontsize=8)
            ax.set_ylabel('A / B (Mpps)')
            ax.set_title('Loopback: lvdpa / DPDK vhost (datapath), relay / direct (relay); '
                         'median of alternating pairs', fontsize=9)
            fig.tight_layout()
            fig.savefig(os.path.join(self.a.out, 'datapath.png'), dpi=100)
            plt.close(fig)
        ct = [r for r in self.rows if r['bench'] == 'ctrl' and r.get('conf_ms') is not None]
        if ct:
            fig, axs = plt.subplots(1, 2, figsize=(11, 4.5))
            for key, ax, title, target in (
                    ('conf_ms', axs[0], 'configure: DRIVER_OK to last queue ready', (16, 20.0)),
                    ('sq_ms', axs[1], 'suspend + query all queues (migration stop)',
                     (16, 2.5))):
                for v in [x[0] for x in self.CTRL_VARIANTS]:
                    for g in ('modern', 'legacy'):
                        pts = sorted((r['qp'], r[key]) for r in ct
                                     if r['variant'] == v and r['guest'] == g)
                        if pts:
                            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker='o',
                                    ls='-' if g == 'modern' else '--', label='%s, %s' % (v, g))
                # The targets: 16 queue pairs configured in 20 ms,
                # 32 queues (16 pairs) suspended and queried in 2.5 ms.
                ax.plot([target[0]], [target[1]], 'k*', ms=12, label='target')
                ax.set_xscale('log', base=2)
                qps = sorted({r['qp'] for r in ct})
                ax.set_xticks(qps)
                ax.set_xticklabels([str(q) for q in qps])
                ax.set_yscale('log')
                ax.set_xlabel('queue pairs')
                ax.set_ylabel('ms')
                ax.set_title(title, fontsize=10)
                ax.legend(fontsize=6)
            fig.tight_layout()
            fig.savefig(os.path.join(self.a.out, 'ctrl.png'), dpi=100)
            plt.close(fig)
        ins = [r for r in self.rows if r['bench'] == 'instr' and r.get('lvdpa_ipp')
               and r.get('vhost_ipp')]
        if ins:
            fig, ax = plt.subplots(figsize=(8, 4))
            xs = range(len(ins))
            ax.bar([x - 0.2 for x in xs], [r['lvdpa_ipp'] for r in ins], 0.4, label='lvdpa')
            ax.bar([x + 0.2 for x in xs], [r['vhost_ipp'] for r in ins], 0.4,
                   label='DPDK vhost')
            ax.set_xticks(list(xs))
            ax.set_xticklabels(['%s %dB' % (r['guest'], r['size']) for r in ins], fontsize=8)
            ax.set_ylabel('backend instructions per packet')
            ax.set_title('callgrind, every backend thread')
            ax.legend(fontsize=8)
            fig.tight_layout()
            fig.savefig(os.path.join(self.a.out, 'instr.png'), dpi=100)
            plt.close(fig)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    build = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'build-bench')
    ap.add_argument('--bench', default=os.path.join(build, 'app/lvdpa-bench/lvdpa-bench'))
    ap.add_argument('--guest', default=os.path.join(build, 'app/lvdpa-guest/lvdpa-guest'))
    ap.add_argument('--testpmd', default='dpdk-testpmd')
    ap.add_argument('--out', default='lvdpa-bench-results',
                    help='directory for results.md/.csv/.rst and the PNG plots; '
                         'doc/guides/bench is what the guide includes')
    ap.add_argument('--only', default='datapath,relay,ctrl',
                    help='comma list of datapath, relay, instr, ctrl')
    ap.add_argument('--time', type=float, default=3.0, help='seconds measured per run')
    ap.add_argument('--warmup', type=float, default=1.0)
    ap.add_argument('--reps', type=int, default=3, help='alternating A/B pairs per row')
    ap.add_argument('--tx-first', type=int, default=32)
    ap.add_argument('--xcpu-tolerance', type=float, default=0.25,
                    help='a pair counts only if the CPU0-CPU1 cache-line round trip '
                         'measured before, between and after its runs stays within '
                         'this fraction')
    ap.add_argument('--sizes', default='64,512,1500')
    ap.add_argument('--qps', default='1,2')
    ap.add_argument('--guests', default='modern,legacy')
    ap.add_argument('--callgrind-time', type=float, default=10.0)
    ap.add_argument('--model-poll-us', type=int, default=1000,
                    help='model_poll_us devarg for the datapath runs (-1: the PMD default)')
    ap.add_argument('--profile', default='cx6dx', help='model latency profile')
    ap.add_argument('--ctrl-qps', default='1,2,4,8,16,32,64')
    ap.add_argument('--ctrl-reps', type=int, default=3)
    ap.add_argument('--ctrl-variants',
                    default=','.join(v[0] for v in Bench.CTRL_VARIANTS),
                    help='comma list of: ' + '; '.join(v[0] for v in Bench.CTRL_VARIANTS))
    ap.add_argument('--smoke', action='store_true',
                    help='a few seconds: one size, 1 qp, 1 pair; checks the table only')
    a = ap.parse_args()
    a.command = ' '.join([os.path.relpath(sys.argv[0])] + sys.argv[1:])
    if a.smoke:
        a.time, a.warmup, a.reps, a.sizes, a.qps = 0.5, 0.3, 1, '64', '1'
        a.ctrl_qps, a.ctrl_reps, a.only = '1,2', 1, 'datapath,relay,ctrl'
        a.ctrl_variants = 'pre-created'
        a.xcpu_tolerance = float('inf')   # timings are not judged here
    a.sizes = [int(x) for x in a.sizes.split(',')]
    a.qps = [int(x) for x in a.qps.split(',')]
    a.guests = a.guests.split(',')
    a.ctrl_qps = [int(x) for x in a.ctrl_qps.split(',')]
    a.ctrl_variants = [v.strip() for v in re.split(r',(?! )', a.ctrl_variants)]
    only = a.only.split(',')
    if 'modern' in a.guests and not shutil.which(a.testpmd):
        sys.exit('%s not found (package dpdk)' % a.testpmd)
    b = Bench(a)
    try:
        t0 = time.monotonic()
        for part in ('datapath', 'relay', 'instr', 'ctrl'):
            if part in only:
                getattr(b, 'callgrind' if part == 'instr' else part)()
        md = b.write()
        log('done in %.0f s; results in %s' % (time.monotonic() - t0, a.out))
        print(md)
    finally:
        b.cleanup()
    if a.smoke:
        # Well-formed: every row there, with figures (timings not judged).
        want = (len(a.guests) + 1) * len(a.sizes) * len(a.qps) + 2 * len(a.ctrl_qps)
        figures = {'datapath': ('ratio',), 'relay': ('ratio', 'relay_ns', 'relay_cpu'),
                   'ctrl': ('conf_ms',)}
        ok = len(b.rows) == want and all(
            r.get(k) is not None for r in b.rows for k in figures[r['bench']])
        with open(os.path.join(a.out, 'results.csv')) as f:
            ok = ok and len(list(csv.DictReader(f))) == want
        print('smoke: %s (%d rows of %d)' % ('PASS' if ok else 'FAIL', len(b.rows), want))
        sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
