#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The lvdpa authors
#
# rte_flow transfer rules on a representor from stock dpdk-testpmd, for
# users without OVS: the driver loaded with -d, an lvdpa vDPA device and its
# representor given as --vdev, commands on testpmd's stdin.
#   1. the control path: validate, create, refuse, query, destroy, flush
#   2. traffic: the representor also serves the guest's socket (vdpa=,
#      vhost=), testpmd attaches a virtio-user port to it (the guest, in
#      the same process) and sends one burst from each port (rxonly,
#      start tx_first). Without a rule the guest's frames miss and arrive on
#      the representor; with a transfer rule (eth / ipv4 / udp ->
#      represented_port of the representor itself: back to the guest) they
#      go back to the guest, the representor sees none and the rule counts
#      every one.
# Usage: test_ovs_testpmd.sh <driver .so>. TAP on stdout.

set -u
SO=$1
if ! command -v dpdk-testpmd >/dev/null; then
	echo "1..0 # SKIP dpdk-testpmd not installed"
	exit 0
fi
PREFIX=lvdpa-ovs-tp-$$
PREFIX2=lvdpa-ovs-tp2-$$
DIR=$(mktemp -d /tmp/lvdpa-ovs-tp.XXXXXX)
OUT=$DIR/control.log
OUT2=$DIR/traffic.log
trap 'rm -rf "$DIR" /var/run/dpdk/$PREFIX /var/run/dpdk/$PREFIX2' EXIT
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

# Traffic. Commands wait in the pipe until testpmd reads them; the sleeps
# give the guest's connection time to be served (port start) and the
# bursts time to arrive (before stop).
{
	echo "port attach net_virtio_user0,path=$DIR/guest.sock,queues=1"
	echo "port start 1"
	# rte_vhost logs (unbuffered, on stderr) when the guest's rings are
	# ready; the device is configured right after.
	for _ in $(seq 100); do
		grep -q "guest.sock) virtio is now ready" "$OUT2" 2>/dev/null && break
		sleep 0.1
	done
	sleep 0.5
	echo "set fwd rxonly"
	echo "start tx_first"
	sleep 1
	echo "stop"
	echo "flow create 0 transfer pattern eth / ipv4 / udp / end actions represented_port ethdev_port_id 0 / count / end"
	echo "start tx_first"
	sleep 1
	echo "stop"
	echo "flow query 0 0 count"
	# The guest leaves first: closing the representor first would close
	# the socket under virtio-user, whose next message raises SIGPIPE.
	echo "port stop 1"
	echo "port close 1"
	echo "quit"
} | env ${LVDPA_SAN_PRELOAD:+LD_PRELOAD=$LVDPA_SAN_PRELOAD ASAN_OPTIONS=detect_leaks=0} \
	timeout 30 dpdk-testpmd --no-huge -m 512 --no-pci -l 0,1 --file-prefix=$PREFIX2 \
		-d "$SO" --vdev lvdpa0,queues=2,queue_size=256 \
		--vdev "net_lvdpa_repr0,fn=0,vdpa=lvdpa0,vhost=$DIR/guest.sock" \
		--log-level=lib.eal:error -- -i --total-num-mbufs=2048 > "$OUT2" 2>&1
RC2=$?
# RX-packets of port $2 at the $1-th stop (1-based).
rx_at() {
	awk -v want="$1" -v port="$2" '
		/Forward statistics for port/ { cur = $(NF - 1) }
		/RX-packets:/ && cur != "" { if (stop + 1 == want && cur == port) print $2; cur = "" }
		/Accumulated forward statistics/ { stop++ }' "$OUT2"
}
A0=$(rx_at 1 0); A1=$(rx_at 1 1); B0=$(rx_at 2 0); B1=$(rx_at 2 1)
HITS=$(sed -n 's/^ *hits: \([0-9]*\).*/\1/p' "$OUT2" | tail -1)

echo "1..13"
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
F1=$F
echo "# traffic: without a rule representor RX ${A0:-?}, guest RX ${A1:-?}; with it ${B0:-?}, ${B1:-?}; rule hits ${HITS:-?}"
[ $RC2 = 0 ] && echo "ok 10 - traffic: testpmd ran and quit" || { echo "not ok 10 - traffic: testpmd exit $RC2"; F=1; }
if [ "${A0:-x}" = 32 ]; then echo "ok 11 - without a rule the guest's burst misses, to the representor"
else echo "not ok 11 - without a rule the guest's burst misses, to the representor"; F=1; fi
if [ "${B0:-x}" = 0 ] && [ -n "${B1:-}" ] && [ -n "${A1:-}" ] && [ $((B1 - A1)) = 32 ]; then
	echo "ok 12 - with the transfer rule the burst goes back to the guest, the representor sees none"
else echo "not ok 12 - with the transfer rule the burst goes back to the guest, the representor sees none"; F=1; fi
if [ "${HITS:-x}" = 32 ]; then echo "ok 13 - flow query: the rule counted the burst"
else echo "not ok 13 - flow query: the rule counted the burst"; F=1; fi
[ $F = $F1 ] || sed 's/^/# /' "$OUT2" | grep -vE "^# +(RX|TX) (desc|threshold|offloads|queue)" | tail -60
exit $F
