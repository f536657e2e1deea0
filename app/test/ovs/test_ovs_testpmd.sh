#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The lvdpa authors
#
# rte_flow transfer rules on a representor from stock dpdk-testpmd, for
# users without OVS: the driver loaded with -d, an lvdpa vDPA device and its
# representor given as --vdev, commands on testpmd's stdin.
# Usage: test_ovs_testpmd.sh <driver .so>. TAP on stdout.

set -u
SO=$1
if ! command -v dpdk-testpmd >/dev/null; then
	echo "1..0 # SKIP dpdk-testpmd not installed"
	exit 0
fi
PREFIX=lvdpa-ovs-tp-$$
OUT=$(mktemp /tmp/lvdpa-ovs-tp.XXXXXX)
trap 'rm -rf "$OUT" /var/run/dpdk/$PREFIX' EXIT
trap 'exit 1' TERM INT

printf '%s\n' \
	"flow validate 0 transfer pattern eth / ipv4 / udp dst is 4789 / end actions represented_port ethdev_port_id 0 / count / end" \
	"flow create 0 transfer pattern eth / ipv4 / udp dst is 4789 / end actions represented_port ethdev_port_id 0 / count / end" \
	"flow create 0 transfer priority 1 pattern eth / vlan vid is 5 / ipv6 / tcp / end actions drop / count / end" \
	"flow create 0 transfer pattern eth / ipv4 / gre / end actions drop / end" \
	"flow create 0 ingress pattern eth / ipv4 / udp / end actions mark id 1 / rss / end" \
	"flow create 0 ingress pattern eth / end actions represented_port ethdev_port_id 0 / end" \
	"flow list 0" \
	"flow query 0 0 count" \
	"show port xstats 0" \
	"flow destroy 0 rule 0" \
	"flow flush 0" \
	"flow list 0" \
	"show port xstats 0" \
	"quit" |
	env ${LVDPA_SAN_PRELOAD:+LD_PRELOAD=$LVDPA_SAN_PRELOAD ASAN_OPTIONS=detect_leaks=0} \
	timeout 30 dpdk-testpmd --no-huge -m 512 --no-pci --file-prefix=$PREFIX -d "$SO" \
		--vdev lvdpa0,queues=2,queue_size=256 --vdev net_lvdpa_repr0,fn=0 \
		--log-level=lib.eal:error -- -i --total-num-mbufs=2048 > "$OUT" 2>&1
RC=$?

echo "1..9"
n=0
t() { n=$((n + 1)); if grep -qE "$1" "$OUT"; then echo "ok $n - $2"; else echo "not ok $n - $2"; F=1; fi; }
F=0
[ $RC = 0 ] && echo "ok 1 - testpmd ran and quit" || { echo "not ok 1 - testpmd exit $RC"; F=1; }
n=1
t "Flow rule validated" "flow validate transfer"
t "Flow rule #0 created" "flow create eth/ipv4/udp => represented_port, count"
t "Flow rule #1 created" "flow create eth/vlan/ipv6/tcp => drop (priority 1)"
t "item not supported by the lvdpa e-switch" "gre refused with a clear error"
t "Flow rule #2 created" "flow create ingress mark + rss (partial offload)"
t "port actions need a transfer rule" "ingress to a port refused with a clear error"
t "hits_set: 1" "count query answers"
t "esw_rules: 0" "no rule left after destroy and flush"
[ $F = 0 ] || sed 's/^/# /' "$OUT"
exit $F
