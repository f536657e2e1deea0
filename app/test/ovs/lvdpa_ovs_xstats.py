#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The lvdpa authors
"""Read an ethdev's xstats live through a DPDK process's telemetry socket.

OVS refreshes an Interface's statistics column only every 5 s or more; the
telemetry socket of its EAL answers at once, straight from the PMD.

Usage: lvdpa_ovs_xstats.py RUNDIR PORT:XSTAT [PORT:XSTAT ...]
  RUNDIR  /var/run/dpdk/<file-prefix> of the DPDK process
  PORT    an ethdev's name (e.g. net_lvdpa_repr0); XSTAT one of its xstats
Prints one line per argument, in order: the value, or "absent" when no port
has that name. Exit 1 on any error (no socket, no such xstat).
"""

import json
import os
import socket
import sys


def query(sock, cmd, bufsize):
    sock.send(cmd.encode())
    reply = json.loads(sock.recv(bufsize).decode())
    return reply.get(cmd.split(",")[0])


def main(argv):
    if len(argv) < 3 or any(":" not in a for a in argv[2:]):
        sys.stderr.write(__doc__)
        return 1
    path = os.path.join(argv[1], "dpdk_telemetry.v2")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        sock.connect(path)
    except OSError as e:
        sys.stderr.write("%s: %s\n" % (path, e))
        return 1
    with sock:
        hello = json.loads(sock.recv(1024).decode())
        bufsize = int(hello.get("max_output_len", 16384))
        ports = {}
        for pid in query(sock, "/ethdev/list", bufsize) or []:
            info = query(sock, "/ethdev/info,%d" % pid, bufsize)
            if isinstance(info, dict) and "name" in info:
                ports[info["name"]] = pid
        xstats = {}
        for arg in argv[2:]:
            name, stat = arg.rsplit(":", 1)
            if name not in ports:
                print("absent")
                continue
            if name not in xstats:
                xstats[name] = query(sock, "/ethdev/xstats,%d" % ports[name], bufsize)
            xs = xstats[name]
            if not isinstance(xs, dict) or stat not in xs:
                sys.stderr.write("port %s has no xstat %s\n" % (name, stat))
                return 1
            print(xs[stat])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
