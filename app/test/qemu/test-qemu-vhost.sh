#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The lvdpa authors
#
# A real Linux guest under QEMU/TCG pings through DPDK's software vhost
# backend: dpdk-testpmd forwards (io mode) between net_vhost (the guest's
# vhost-user socket) and net_tap, whose interface lives in a network
# namespace this test creates and holds the peer address. With a legacy
# virtio-net device (no VERSION_1), a modern one, and a legacy one offered
# almost nothing (only VIRTIO_NET_F_MAC, which QEMU always sets). Prints TAP.
#
# Usage: test-qemu-vhost.sh [BUILD_DIR]   (cache: $LVDPA_QEMU_CACHE or
#        BUILD_DIR/qemu-guest). Needs root (netns, tap).

set -u -o pipefail

self_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
harness=$self_dir/lvdpa-qemu-guest.sh
build_dir=${1:-.}
cache=${LVDPA_QEMU_CACHE:-$build_dir/qemu-guest}
testpmd=${LVDPA_TESTPMD:-dpdk-testpmd}
# RFC 2544's benchmarking range: never routed, and here only inside the
# namespace and the guest.
peer_ip=198.18.0.1
guest_ip=198.18.0.2/24
tap=lvdpatap0

tmp=
ns=
pmd_pid=
harness_pid=
prefix=

stop_peer() {
	local n
	if [ -n "$pmd_pid" ] && kill -0 "$pmd_pid" 2>/dev/null; then
		kill -TERM "$pmd_pid" 2>/dev/null
		for n in $(seq 50); do
			kill -0 "$pmd_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pmd_pid" 2>/dev/null
		wait "$pmd_pid" 2>/dev/null
	fi
	pmd_pid=
	[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
	ns=
	[ -n "$prefix" ] && rm -rf "/var/run/dpdk/$prefix"
	prefix=
}

cleanup() {
	local rc=$?
	if [ -n "$harness_pid" ]; then
		kill -TERM "$harness_pid" 2>/dev/null
		wait "$harness_pid" 2>/dev/null
	fi
	stop_peer
	exec 8>&- 2>/dev/null
	[ -n "$tmp" ] && rm -rf "$tmp"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "1..3"

missing=
for t in qemu-system-x86_64 "$testpmd" ip /bin/busybox; do
	command -v "$t" >/dev/null || missing="$missing $t"
done
if [ -n "$missing" ] || [ "$(id -u)" != 0 ]; then
	why="missing:$missing (devtools/setup.sh installs them)"
	[ "$(id -u)" = 0 ] || why="needs root (network namespace, tap)"
	for n in 1 2 3; do
		echo "not ok $n - guest $n # $why"
	done
	exit 1
fi

# A run killed outright (SIGKILL) leaves its namespace and EAL files: remove
# those of runs whose process is gone.
for n in $(ip netns list 2>/dev/null | sed -n 's/^\(lvdpa-qemu-[0-9]*-[0-9]*\).*/\1/p') \
	$(cd /var/run/dpdk 2>/dev/null && ls -d lvdpa-qemu-[0-9]*-[0-9]* 2>/dev/null); do
	p=${n#lvdpa-qemu-}
	p=${p%-*}
	kill -0 "$p" 2>/dev/null && continue
	ip netns del "$n" 2>/dev/null
	rm -rf "/var/run/dpdk/$n"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lvdpa-qemu-vhost.XXXXXX") || exit 1
# Build the guest artifacts once, outside the per-guest time limit.
t_all=$SECONDS
if ! "$harness" --prepare --cache "$cache" > "$tmp/prepare.log" 2>&1; then
	sed 's/^/# /' "$tmp/prepare.log"
	for n in 1 2 3; do
		echo "not ok $n - guest $n # no guest artifacts"
	done
	exit 1
fi
sed 's/^/# /' "$tmp/prepare.log"

# Starts testpmd inside the namespace: the tap is created there and never
# appears in the host's namespace. The vhost-user socket is a file, unaffected.
start_peer() {
	local i=$1 sock=$2 n
	ns=lvdpa-qemu-$$-$i
	prefix=lvdpa-qemu-$$-$i
	ip netns add "$ns" || return 1
	ip -n "$ns" link set lo up
	# testpmd waits on stdin in non-interactive mode: give it a FIFO that
	# stays open (fd 8) and never reaches EOF.
	rm -f "$tmp/stdin"
	mkfifo "$tmp/stdin" || return 1
	exec 8<>"$tmp/stdin"
	ip netns exec "$ns" "$testpmd" --no-huge -m 1024 --no-pci \
		--file-prefix="$prefix" --log-level=lib.eal:warning \
		--vdev "net_vhost0,iface=$sock,client=0,queues=1" \
		--vdev "net_tap0,iface=$tap" \
		-- --forward-mode=io --auto-start --nb-cores=1 \
		--rxq=1 --txq=1 --total-num-mbufs=8192 \
		< "$tmp/stdin" > "$tmp/testpmd-$i.log" 2>&1 8>&- &
	pmd_pid=$!
	for n in $(seq 300); do
		[ -S "$sock" ] && ip -n "$ns" link show "$tap" >/dev/null 2>&1 && break
		kill -0 "$pmd_pid" 2>/dev/null || break
		sleep 0.1
	done
	[ -S "$sock" ] || { echo "# testpmd made no socket"; return 1; }
	ip -n "$ns" link show "$tap" >/dev/null 2>&1 || { echo "# no $tap in $ns"; return 1; }
	ip -n "$ns" addr add "$peer_ip/24" dev "$tap" || return 1
	ip -n "$ns" link set "$tap" up || return 1
}

# Every feature QEMU lets a virtio-net-pci device switch off.
minimal_opts="csum=off,guest_csum=off,gso=off,guest_tso4=off,guest_tso6=off"
minimal_opts+=",guest_ecn=off,guest_ufo=off,host_tso4=off,host_tso6=off"
minimal_opts+=",host_ecn=off,host_ufo=off,mrg_rxbuf=off,status=off,ctrl_vq=off"
minimal_opts+=",ctrl_rx=off,ctrl_vlan=off,ctrl_rx_extra=off,ctrl_mac_addr=off"
minimal_opts+=",ctrl_guest_offloads=off,guest_announce=off,mq=off"
minimal_opts+=",event_idx=off,indirect_desc=off,any_layout=off,notify_on_empty=off"

# run_case NUMBER MODE NAME [harness options]
run_case() {
	local i=$1 mode=$2 name=$3 t0=$SECONDS ok=1 sock
	shift 3
	sock=$tmp/vhost-$i.sock
	if start_peer "$i" "$sock"; then
		# In the background, so that a signal to this script is handled
		# at once (bash runs traps only between foreground commands).
		"$harness" "--$mode" --socket "$sock" --client \
			--ip "$guest_ip" --peer "$peer_ip" --count 5 \
			--timeout 240 --cache "$cache" --log "$tmp/serial-$i.log" \
			"$@" > "$tmp/harness-$i.out" 2> "$tmp/harness-$i.err" &
		harness_pid=$!
		wait "$harness_pid" && ok=0
		harness_pid=
		sed 's/^/# /' "$tmp/harness-$i.out"
	fi
	if [ $ok != 0 ]; then
		sed 's/^/# /' "$tmp/harness-$i.err" 2>/dev/null
		echo "# --- testpmd (last 20 lines)"
		tail -n 20 "$tmp/testpmd-$i.log" 2>/dev/null | sed 's/^/# /'
	fi
	stop_peer
	echo "# $name: $((SECONDS - t0)) s"
	if [ $ok = 0 ]; then
		echo "ok $i - $name"
	else
		echo "not ok $i - $name"
		failed=1
	fi
}

failed=0
run_case 1 legacy "legacy guest pings through net_vhost"
run_case 2 modern "modern guest pings through net_vhost"
run_case 3 legacy "legacy guest with only VIRTIO_NET_F_MAC pings through net_vhost" \
	--device-opts "$minimal_opts" --expect-features 0x20
echo "# total: $((SECONDS - t_all)) s"
exit $failed
