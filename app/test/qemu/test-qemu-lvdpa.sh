#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The lvdpa authors
#
# A real x86_64 guest (Debian's kernel, busybox initramfs, QEMU/TCG) on
# vhost-user to the lvdpa sample app with the vDPA PMD (-d): lvdpa0 on the
# software model, whose uplink is net_tap0; the tap and the peer address
# live in a network namespace this test creates. Prints TAP:
#   1 a legacy-only virtio-net-pci device (disable-modern=on, 1af4:1000): the
#     guest's driver negotiates no VERSION_1 and pings the peer through lvdpa
#   2 a modern device (VERSION_1) pings the peer through lvdpa
#
# Usage: test-qemu-lvdpa.sh [BUILD_DIR]   (cache: $LVDPA_QEMU_CACHE or
#        BUILD_DIR/qemu-guest). Needs root (netns, tap).
# Environment: LVDPA_SAMPLE_APP, LVDPA_VDPA_SO (default: found in BUILD_DIR).

set -u -o pipefail

lvdpa_tag=lvdpa-qx86
lvdpa_arch=x86_64
lvdpa_build=${1:-.}
# shellcheck source=lvdpa-qemu-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lvdpa-qemu-lib.sh"

echo "1..2"
t_all=$SECONDS
why=$(lvdpa_sample_missing)
[ -z "$why" ] || lvdpa_fail_all 2 "$why"
lvdpa_setup 2 qemu-system-x86_64
echo "# artifacts: $((SECONDS - t_all)) s"

# run_case NUMBER MODE NAME: one guest against a fresh sample app.
run_case() {
	local i=$1 mode=$2 name=$3 t0=$SECONDS ok=1 why='' p dev feat dfeat v
	p=$lvdpa_tmp/peer-$i.log
	if ! lvdpa_start_lvdpa "$i" "$lvdpa_tmp/lvdpa-$i-"; then
		why="the lvdpa sample app did not start"
	else
		lvdpa_run_guest "$i" "$lvdpa_tmp/lvdpa-$i-0" "--$mode" --count 5
		dev=$(grep -m1 '^LVDPA-GUEST: device ' "$lvdpa_tmp/harness-$i.out")
		feat=$(echo "$dev" | sed -n 's/.* features \(0x[0-9a-f]*\) .*/\1/p')
		# What the PMD was configured with (the vhost-user side).
		dfeat=$(sed -n 's/.*vid [0-9]* configured: .* features \(0x[0-9a-fA-F]*\).*/\1/p' "$p" |
			tail -n 1)
		v=1
		[ "$mode" = legacy ] && v=0
		# The harness checks the same; say here which part failed.
		if [ -z "$dev" ]; then
			why="no virtio-net device in the guest"
		elif [ "$mode" = legacy ] && ! echo "$dev" | grep -q ' pci 1af4:1000 legacy '; then
			why="not a legacy 1af4:1000 device"
		elif [ "$mode" = modern ] && ! echo "$dev" | grep -q ' pci 1af4:1041 modern '; then
			why="not a modern 1af4:1041 device"
		elif [ -z "$feat" ] || [ $((feat >> 32 & 1)) != $v ]; then
			why="guest features ${feat:-unknown}: VERSION_1 (bit 32) is not $v"
		elif [ -z "$dfeat" ] || [ $((dfeat >> 32 & 1)) != $v ]; then
			why="lvdpa configured with features ${dfeat:-unknown}: VERSION_1 (bit 32) is not $v"
		elif grep -q 'not ready port' "$p"; then
			why="the uplink net_tap0 is not started"
		elif [ $hrc != 0 ]; then
			why="guest failed (harness exit $hrc)"
		else
			ok=0
			echo "# guest features $feat, lvdpa features $dfeat: VERSION_1 $v"
		fi
		# How the PMD serves the guest.
		grep -E 'vid [0-9]+ configured' "$p" | sort -u | head -n 2 | sed 's/^/# lvdpa: /'
	fi
	[ $ok = 0 ] || lvdpa_show_logs "$i"
	lvdpa_stop_peer
	# Its shutdown is when LeakSanitizer runs (sanitizer build).
	if [ -z "$why" ] && ! lvdpa_peer_clean "$i"; then
		ok=1
		why=$lvdpa_unclean
	fi
	echo "# case $i: $((SECONDS - t0)) s"
	lvdpa_tap_line "$i" $ok "$name" "$why"
}

run_case 1 legacy "x86 legacy guest (disable-modern=on) pings through lvdpa"
run_case 2 modern "x86 modern guest pings through lvdpa"
echo "# total: $((SECONDS - t_all)) s"
exit $lvdpa_failed
