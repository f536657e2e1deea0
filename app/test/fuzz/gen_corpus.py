#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The lvdpa authors
#
# Writes the seed corpora of app/test/fuzz/corpus/<target>/ from scratch:
#   gen_corpus.py [corpus dir]   (default: the corpus folder beside it)
# Rings are laid out byte by byte from the virtio spec (split and packed,
# both byte orders, direct and indirect chains), independently of the
# walker, so that a bug in the walker cannot hide in its own seeds.
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# ---- ring target (layout documented in fuzz_ring.c) ----
MEM_OFF = 17 + 4 * 32
MEM_SIZE = 8192
DESC, DRIVER, DEVICE, IND = 0x0, 0x400, 0x800, 0xc00
BUF = 0x1000
F_NEXT, F_WRITE, F_INDIRECT = 1, 2, 4
P_AVAIL, P_USED = 1 << 7, 1 << 15


def ring_input(flags, log2size, ops, mem, base=(0, 0), split=0):
    hdr = bytearray(MEM_OFF)
    hdr[0] = flags
    hdr[1] = log2size
    struct.pack_into('<HHHHHH', hdr, 4, DESC, DRIVER, DEVICE, split,
                     base[0], base[1])
    hdr[16] = len(ops)
    for i, op in enumerate(ops):
        hdr[17 + 4 * i:21 + 4 * i] = bytes(op)
    last = max([i + 1 for i, b in enumerate(mem) if b] + [0])
    return bytes(hdr) + bytes(mem[:last])


def put(mem, off, fmt, *vals):
    struct.pack_into(fmt, mem, off, *vals)


def split_ring(be, event_idx, indirect):
    e = '>' if be else '<'
    mem = bytearray(MEM_SIZE)
    size = 8
    # chain 0: one readable buffer (a 10-byte legacy header + payload)
    put(mem, DESC + 16 * 0, e + 'QIHH', BUF, 64, 0, 0)
    # chain 1: readable then writable (descs 1 -> 2)
    put(mem, DESC + 16 * 1, e + 'QIHH', BUF + 0x100, 12, F_NEXT, 2)
    put(mem, DESC + 16 * 2, e + 'QIHH', BUF + 0x200, 256, F_WRITE, 0)
    heads = [0, 1]
    if indirect:
        # chain 3: an indirect table of three entries
        put(mem, DESC + 16 * 3, e + 'QIHH', IND, 48, F_INDIRECT, 0)
        put(mem, IND + 0, e + 'QIHH', BUF + 0x300, 10, F_NEXT, 1)
        put(mem, IND + 16, e + 'QIHH', BUF + 0x340, 100, F_NEXT, 2)
        put(mem, IND + 32, e + 'QIHH', BUF + 0x400, 512, F_WRITE, 0)
        heads.append(3)
    # a legacy header in the first buffer, in the ring's byte order
    put(mem, BUF, e + 'BBHHHH', 1, 0, 14, 0, 34, 16)
    put(mem, DRIVER, e + 'HH', 0, len(heads))
    for i, h in enumerate(heads):
        put(mem, DRIVER + 4 + 2 * i, e + 'H', h)
    if event_idx:
        put(mem, DRIVER + 4 + 2 * size, e + 'H', 1)
    flags = (2 if event_idx else 0) | (4 if indirect else 0) | (8 if be else 0)
    return flags, mem


def packed_ring(be, event_idx, indirect):
    e = '>' if be else '<'
    mem = bytearray(MEM_SIZE)
    # wrap counter 1: available descriptors have AVAIL set, USED clear
    put(mem, DESC + 0, e + 'QIHH', BUF, 64, 0, P_AVAIL)
    put(mem, DESC + 16, e + 'QIHH', BUF + 0x100, 12, 1, P_AVAIL | F_NEXT)
    put(mem, DESC + 32, e + 'QIHH', BUF + 0x200, 256, 1, P_AVAIL | F_WRITE)
    if indirect:
        put(mem, DESC + 48, e + 'QIHH', IND, 32, 2, P_AVAIL | F_INDIRECT)
        put(mem, IND + 0, e + 'QIHH', BUF + 0x300, 10, 0, 0)
        put(mem, IND + 16, e + 'QIHH', BUF + 0x400, 512, 0, F_WRITE)
    put(mem, BUF, e + 'BBHHHH', 1, 0, 14, 0, 34, 16)
    flags = 1 | (2 if event_idx else 0) | (4 if indirect else 0) | \
        (8 if be else 0)
    return flags, mem


POP = (0, 15, 0, 0)
PUSH = (3, 0, 0, 200)
FLUSH = (4, 0, 0, 0)
KICK = (5, 1, 0, 0)
UNPOP = (6, 1, 0, 0)
HDR10 = (8, 0, 0, 0)
HDR12 = (8, 1, 0, 0)
BASE = (15, 0, 0, 0)
DEV_OPS = [POP, HDR10, POP, HDR12, POP, UNPOP, POP, POP, PUSH, PUSH, FLUSH,
           PUSH, FLUSH, KICK, BASE]
# driver role offers buffers (one with an indirect table), device takes
# and returns them, driver collects: a loopback over one memory
LOOP_OPS = [(10, 0x11, 0x40, 0x20), (11, 0x23, 0x60, 0xb0), (12, 0, 0, 0),
            POP, POP, PUSH, PUSH, FLUSH, (13, 0, 0, 0), (13, 0, 0, 0),
            (14, 1, 0, 0), (10, 0x00, 0x80, 0x10), (12, 0, 0, 0), POP,
            HDR12, PUSH, FLUSH, (13, 0, 0, 0), BASE]


def gen_ring(out):
    seeds = {}
    for be in (False, True):
        for ev in (False, True):
            for ind in (False, True):
                tag = '%s-%s%s' % ('be' if be else 'le', 'ev' if ev else 'noev',
                                   '-ind' if ind else '')
                f, mem = split_ring(be, ev, ind)
                seeds['split-' + tag] = ring_input(f, 3, DEV_OPS, mem)
                f, mem = packed_ring(be, ev, ind)
                seeds['packed-' + tag] = ring_input(f, 3, DEV_OPS, mem)
        order = 8 if be else 0
        seeds['split-loop-' + ('be' if be else 'le')] = ring_input(
            order | 4 | 2, 4, LOOP_OPS, bytearray(MEM_SIZE))
        seeds['packed-loop-' + ('be' if be else 'le')] = ring_input(
            order | 4 | 1, 4, LOOP_OPS, bytearray(MEM_SIZE))
    # two regions with the boundary inside a buffer, and a wrapped base
    f, mem = split_ring(False, False, True)
    seeds['split-le-2reg'] = ring_input(f | 0x10, 3, DEV_OPS, mem,
                                        split=BUF + 0x220)
    seeds['split-le-base'] = ring_input(f, 3, DEV_OPS, mem,
                                        base=(0xfffe, 0xfffe))
    write(out, 'ring', seeds)


# ---- vhost target (layout documented in fuzz_vhost.c) ----
NEED_REPLY = 1 | 8


def msg(req, payload=b'', nfds=0, flags=1, size=None, action=0):
    size = len(payload) if size is None else size
    return struct.pack('<BBHB', req, flags, size, action << 4 | nfds) + payload


def u64(v):
    return struct.pack('<Q', v)


def vstate(index, num):
    return struct.pack('<II', index, num)


def cfg(offset, data):
    return struct.pack('<III', offset, len(data), 0) + data


STATE = msg(0, action=2)
VERSION_1, MRG_RXBUF = 1 << 32, 1 << 15


def gen_vhost(out):
    seeds = {
        'set-features-zero': [msg(2, u64(0)), STATE],
        'set-features-modern': [msg(2, u64(VERSION_1 | MRG_RXBUF | 1 << 30)),
                                STATE],
        'set-features-bad-size': [msg(2, u64(0)[:4], flags=NEED_REPLY), STATE],
        'reset-owner': [msg(2, u64(MRG_RXBUF)), msg(4), STATE,
                        msg(0, action=5), STATE],
        'get-vring-base': [msg(12, u64(1), nfds=1), msg(11, vstate(1, 0)),
                           STATE],
        'get-vring-base-range': [msg(11, vstate(300, 0), flags=NEED_REPLY)],
        'kick-fd': [msg(12, u64(0), nfds=1), STATE],
        'kick-nofd': [msg(12, u64(0x100)), STATE],
        'kick-too-many-fds': [msg(12, u64(0), nfds=3)],
        'protocol': [msg(15), msg(16, u64(1 << 6 | 1 << 3))],
        'endian-be': [msg(16, u64(1 << 6)), msg(2, u64(0)),
                      msg(23, vstate(0, 1), flags=NEED_REPLY),
                      msg(23, vstate(1, 1), flags=NEED_REPLY), STATE],
        'endian-le-fd': [msg(23, vstate(0, 0), nfds=1), STATE],
        'endian-bad-value': [msg(23, vstate(0, 7), flags=NEED_REPLY)],
        'get-config': [msg(24, cfg(0, bytes(10))), STATE],
        'get-config-oversize': [msg(24, cfg(200, bytes(100)))],
        'set-config-mac': [msg(25, cfg(0, bytes([2, 0, 0, 0, 0, 1])),
                               flags=NEED_REPLY), STATE],
        'set-status': [msg(39, u64(0xf)), msg(39, u64(0)), STATE],
        'driver-calls': [msg(0x42, b'', action=3), msg(0x06, b'', action=3),
                         msg(0, action=4), msg(0x01, b'', action=4), STATE,
                         msg(0, action=5), STATE],
        'unknown-request-fds': [msg(40, u64(0), nfds=2), msg(200, nfds=1)],
        'raw-size': [msg(24, cfg(0, bytes(6)), size=0xffff, action=1)],
        # a legacy big-endian guest's whole start and stop
        'legacy-be-session': [msg(1), msg(15), msg(16, u64(1 << 6 | 1)),
                              msg(2, u64(1 << 5)),
                              msg(23, vstate(0, 1)), msg(23, vstate(1, 1)),
                              msg(24, cfg(0, bytes(12))),
                              msg(12, u64(0), nfds=1), msg(12, u64(1), nfds=1),
                              msg(39, u64(0xf)), msg(0, action=2),
                              msg(11, vstate(0, 0)), msg(11, vstate(1, 0)),
                              msg(23, vstate(0, 0)), msg(39, u64(0)), STATE],
    }
    out_seeds = {}
    for name, frames in seeds.items():
        body = b''.join(frames)
        out_seeds[name] = bytes([3]) + body      # CROSS_ENDIAN, BE capable
        out_seeds[name + '-plain'] = bytes([0]) + body
    write(out, 'vhost', out_seeds)


# ---- relay target (layout documented in fuzz_relay.c) ----
R_TX, R_BE, R_V1, R_MRG, R_EV, R_IND, R_SEV = 1, 2, 4, 8, 16, 32, 64


def relay_ring(flags):
    e = '>' if flags & R_BE else '<'
    tx = flags & R_TX
    hlen = 12 if flags & (R_V1 | R_MRG) else 10
    mem = bytearray(MEM_SIZE)
    w = 0 if tx else F_WRITE
    # chain 0: header and payload in one descriptor
    put(mem, DESC + 0, e + 'QIHH', BUF, hlen + 60, w, 0)
    # chain 1: header in its own descriptor, payload in the next
    put(mem, DESC + 16, e + 'QIHH', BUF + 0x100, hlen, F_NEXT | w, 2)
    put(mem, DESC + 32, e + 'QIHH', BUF + 0x200, 1500, w, 0)
    heads = [0, 1]
    if flags & R_IND:
        put(mem, DESC + 48, e + 'QIHH', IND, 32, F_INDIRECT, 0)
        put(mem, IND, e + 'QIHH', BUF + 0x800, hlen, F_NEXT | w, 1)
        put(mem, IND + 16, e + 'QIHH', BUF + 0x900, 256, w, 0)
        heads.append(3)
    if tx:
        # guest headers in the guest's byte order: csum offload asked
        put(mem, BUF, e + 'BBHHHH', 1, 0, 14, 0, 34, 16)
        put(mem, BUF + 0x100, e + 'BBHHHH', 0, 0, 0, 0, 0, 0)
    put(mem, DRIVER, e + 'HH', 0, len(heads))
    for i, h in enumerate(heads):
        put(mem, DRIVER + 4 + 2 * i, e + 'H', h)
    return mem


def relay_input(flags, ops, mem, log2size=3, shadow=0, base=(0, 0)):
    hdr = bytearray(MEM_OFF)
    hdr[0] = flags
    hdr[1] = log2size
    hdr[2] = shadow
    struct.pack_into('<HHHHH', hdr, 4, DESC, DRIVER, DEVICE, base[0],
                     base[1])
    hdr[16] = len(ops)
    for i, op in enumerate(ops):
        hdr[17 + 4 * i:21 + 4 * i] = bytes(op)
    last = max([i + 1 for i, b in enumerate(mem) if b] + [0])
    return bytes(hdr) + bytes(mem[:last])


R_POLL = (0, 15, 0, 0)
R_DPOP = (4, 0, 0, 0)
R_DONE = (5, 0, 0, 100)
R_DONE2 = (5, 0, 0x40, 2)     # num_buffers 0 (a = 0): a device error
R_IDLE = (3, 0, 0, 0)
R_STATS = (10, 0, 0, 0)
R_STOP = (8, 0, 0, 0)
R_START = (9, 0, 0, 0)
R_BASE = (11, 0, 0, 0)
R_OPS = [R_POLL, R_DPOP, R_DPOP, R_DPOP, R_DONE, R_POLL, R_DONE, R_DONE,
         R_POLL, R_IDLE, R_STATS, R_BASE, R_STOP, R_BASE, R_START, R_POLL,
         R_DPOP, R_DONE, R_POLL, R_STOP]
R_OPS_STOP_INFLIGHT = [R_POLL, R_DPOP, R_DPOP, R_DONE, R_POLL, R_STOP, R_BASE,
                       R_START, R_POLL, R_STATS]
R_OPS_BAD_DEV = [R_POLL, R_DPOP, R_DONE2, R_POLL, R_POLL, R_STATS, R_STOP]


def gen_relay(out):
    seeds = {}
    for tx in (0, R_TX):
        for be in (0, R_BE):
            for hdrf, hname in ((0, 'legacy'), (R_MRG, 'mrg'), (R_V1, 'v1')):
                if hdrf == R_V1 and be:
                    continue
                f = tx | be | hdrf | R_IND
                name = '%s-%s-%s' % ('tx' if tx else 'rx',
                                     'be' if be else 'le', hname)
                mem = relay_ring(f)
                seeds[name] = relay_input(f, R_OPS, mem)
                seeds[name + '-evidx'] = relay_input(f | R_EV | R_SEV, R_OPS,
                                                     mem, shadow=2)
                seeds[name + '-stop'] = relay_input(f, R_OPS_STOP_INFLIGHT,
                                                    mem)
    seeds['rx-be-legacy-baddev'] = relay_input(R_BE, R_OPS_BAD_DEV,
                                               relay_ring(R_BE))
    seeds['tx-le-base'] = relay_input(R_TX, R_OPS, relay_ring(R_TX),
                                      base=(0xfffe, 0xfffe))
    write(out, 'relay', seeds)


# ---- devargs target: the vdev argument string ----
DEVARGS = {
    'empty': '',
    'model': 'device=model',
    'queues': 'device=model,queues=1,queue_size=64',
    'queues-threads': 'queues=2,queue_size=16,max_conf_threads=2',
    'legacy-refuse': 'legacy=refuse,host_order=weak',
    'legacy-device': 'legacy=device,host_order=strong',
    'events-timer': 'event_mode=0,event_us=50,no_traffic_time=0',
    'events-irq': 'event_mode=2,hw_latency_mode=1,hw_max_latency_us=10,'
                  'hw_max_pending_comp=4',
    'event-core': 'event_core=0',
    'model-caps': 'model_legacy=0,model_packed=0,model_max_queue_size=256,'
                  'model_max_queues=4',
    'uplink-empty': 'uplink=',
    # refused ones: each names its key
    'bad-half-queues': 'queues=1',
    'bad-relay': 'legacy=relay',
    'bad-model-only': 'device=mlx5_0,model_legacy=0',
    'bad-negative': 'queues=-1,queue_size=64',
    'bad-space': 'event_core= 1',
    'bad-unknown': 'foo=bar',
    'bad-twice': 'event_us=5,event_us=5',
    'bad-no-value': 'device',
    'bad-pow2': 'queues=1,queue_size=100',
    'bad-overflow': 'event_us=99999999999999999999999',
}


def gen_devargs(out):
    write(out, 'devargs', {k: v.encode() for k, v in DEVARGS.items()})
    keys = ['device', 'queues', 'queue_size', 'uplink', 'legacy',
            'host_order', 'event_mode', 'event_us', 'no_traffic_time',
            'event_core', 'hw_latency_mode', 'hw_max_latency_us',
            'hw_max_pending_comp', 'max_conf_threads', 'model_legacy',
            'model_packed', 'model_max_queue_size', 'model_max_queues']
    words = keys + ['model', 'auto', 'device', 'relay', 'refuse', 'strong',
                    'weak', '=', ',', '-1', '32768', '4294967296']
    with open(os.path.join(HERE, 'devargs.dict'), 'w') as f:
        f.write('# SPDX-License-Identifier: BSD-3-Clause\n'
                '# Copyright(c) 2026 The lvdpa authors\n'
                '# libFuzzer dictionary of fuzz_devargs (gen_corpus.py)\n')
        for w in words:
            f.write('"%s"\n' % w)


def write(out, target, seeds):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, 'corpus')
    gen_ring(out)
    gen_vhost(out)
    gen_relay(out)
    gen_devargs(out)


if __name__ == '__main__':
    main()
