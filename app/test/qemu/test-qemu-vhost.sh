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
#        BUILD_DIR/qemu-guest). Needs root (netns, tap). The helpers are
#        in lvdpa-qemu-lib.sh.

set -u -o pipefail

lvdpa_tag=lvdpa-qemu
lvdpa_arch=x86_64
lvdpa_build=${1:-.}
# shellcheck source=lvdpa-qemu-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lvdpa-qemu-lib.sh"

echo "1..3"
t_all=$SECONDS
lvdpa_setup 3 qemu-system-x86_64 "$lvdpa_testpmd"

# Every feature QEMU lets a virtio-net-pci device switch off.
minimal_opts="csum=off,guest_csum=off,gso=off,guest_tso4=off,guest_tso6=off"
minimal_opts+=",guest_ecn=off,guest_ufo=off,host_tso4=off,host_tso6=off"
minimal_opts+=",host_ecn=off,host_ufo=off,mrg_rxbuf=off,status=off,ctrl_vq=off"
minimal_opts+=",ctrl_rx=off,ctrl_vlan=off,ctrl_rx_extra=off,ctrl_mac_addr=off"
minimal_opts+=",ctrl_guest_offloads=off,guest_announce=off,mq=off"
minimal_opts+=",event_idx=off,indirect_desc=off,any_layout=off,notify_on_empty=off"

# run_case NUMBER MODE NAME [harness options]
run_case() {
	local i=$1 mode=$2 name=$3 t0=$SECONDS ok=1
	shift 3
	if lvdpa_start_testpmd "$i" "$lvdpa_tmp/vhost-$i.sock"; then
		lvdpa_run_guest "$i" "$lvdpa_tmp/vhost-$i.sock" "--$mode" --count 5 "$@"
		[ $hrc = 0 ] && ok=0
	fi
	[ $ok = 0 ] || lvdpa_show_logs "$i"
	lvdpa_stop_peer
	echo "# $name: $((SECONDS - t0)) s"
	lvdpa_tap_line "$i" $ok "$name"
}

run_case 1 legacy "legacy guest pings through net_vhost"
run_case 2 modern "modern guest pings through net_vhost"
run_case 3 legacy "legacy guest with only VIRTIO_NET_F_MAC pings through net_vhost" \
	--device-opts "$minimal_opts" --expect-features 0x20
echo "# total: $((SECONDS - t_all)) s"
exit $lvdpa_failed
