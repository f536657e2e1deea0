#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The lvdpa authors
#
# The backend killed and restarted while QEMU reconnects: a real x86_64
# guest (QEMU/TCG) on vhost-user to the lvdpa sample app with the vDPA PMD
# (lvdpa0 on the software model, uplink net_tap0 in a network namespace this
# test creates, as in test-qemu-lvdpa.sh). The guest pings the peer; the
# sample app is then killed with SIGKILL (no shutdown at all) and started
# again; QEMU sets the guest's link down while no backend is there and up
# when the new one is configured (it sends it the whole configuration
# again); the guest keeps its device and pings again. Prints TAP:
#   1 QEMU is the client (chardev reconnect=1), the app listens: the
#     restarted app replaces its stale socket, QEMU reconnects within a
#     second. A legacy guest (disable-modern=on).
#   2 QEMU is the server (server=on), the app connects (--client): the
#     restarted app connects again. A modern guest.
# In both the restarted app must serve the guest, then stop cleanly on
# SIGTERM (exit status 0, no sanitizer report in the sanitizer build).
#
# Usage: test-qemu-reconnect.sh [BUILD_DIR]   (cache: $LVDPA_QEMU_CACHE or
#        BUILD_DIR/qemu-guest). Needs root (netns, tap).
# Environment: LVDPA_SAMPLE_APP, LVDPA_VDPA_SO (default: found in BUILD_DIR).

set -u -o pipefail

lvdpa_tag=lvdpa-qrec
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

# run_case NUMBER client|server MODE NAME: QEMU in that socket role.
run_case() {
	local i=$1 role=$2 mode=$3 name=$4 t0=$SECONDS ok=1 why=''
	local iface=$lvdpa_tmp/lvdpa-$i- p1=$lvdpa_tmp/peer-$i.log p2=$lvdpa_tmp/peer-$i-again.log
	local sock=${iface}0 appopt=()
	if [ "$role" = client ]; then
		# The app listens; QEMU retries a lost backend every second.
		if lvdpa_start_lvdpa "$i" "$iface"; then
			lvdpa_start_guest "$i" "$sock" "--$mode" --count 5 --relink --reconnect 1
		else
			why="the lvdpa sample app did not start"
		fi
	else
		# QEMU listens (and waits for a backend); the app connects.
		appopt=(--client)
		lvdpa_new_ns "$i" || why="no network namespace"
		if [ -z "$why" ]; then
			lvdpa_start_guest "$i" "$sock" "--$mode" --count 5 --relink --server
			for _ in $(seq 300); do
				[ -S "$sock" ] && break
				sleep 0.1
			done
			lvdpa_launch_lvdpa "$iface" "$p1" "${appopt[@]}"
			lvdpa_peer_ready "$sock" "$p1" "$(lvdpa_serving_line "$sock")" || why="the lvdpa sample app did not start"
		fi
	fi
	# The first backend serves the first pings.
	if [ -z "$why" ] && ! lvdpa_wait_serial "$i" '^LVDPA-GUEST: ping .* ok ' 200; then
		why="the guest's first pings failed"
	fi
	if [ -z "$why" ]; then
		lvdpa_kill_peer
		echo "# the sample app killed (SIGKILL) after the guest's first pings"
		# The tap went with it: the new app makes a new one.
		lvdpa_launch_lvdpa "$iface" "$p2" "${appopt[@]}"
		lvdpa_peer_ready "$sock" "$p2" "$(lvdpa_serving_line "$sock")" || why="the lvdpa sample app did not start again"
	fi
	[ -n "$lvdpa_harness_pid" ] && lvdpa_wait_guest "$i"

	if [ -z "$why" ]; then
		if ! grep -q 'guest started' "$p2"; then
			why="the restarted app never served the guest (harness exit $hrc)"
		elif grep -q 'not ready port' "$p2"; then
			why="the uplink net_tap0 is not started"
		elif [ "$hrc" != 0 ]; then
			why="guest failed across the restart (harness exit $hrc)"
		else
			ok=0
			grep -h -E 'removed a stale socket|guest started' "$p1" "$p2" | sed 's/^/# lvdpa: /'
		fi
	fi
	[ $ok = 0 ] || { lvdpa_show_logs "$i"; tail -n 30 "$p2" 2>/dev/null | sed 's/^/# again: /'; }
	lvdpa_stop_peer
	# The restarted app's shutdown is when LeakSanitizer runs.
	if [ -z "$why" ] && ! lvdpa_peer_clean "$p1" "$p2"; then
		ok=1
		why=$lvdpa_unclean
	fi
	echo "# case $i: $((SECONDS - t0)) s"
	lvdpa_tap_line "$i" $ok "$name" "$why"
}

run_case 1 client legacy \
	"QEMU client (reconnect=1): lvdpa killed (SIGKILL) and restarted, the legacy guest pings again"
run_case 2 server modern \
	"QEMU server: lvdpa (--client) killed (SIGKILL) and restarted, the modern guest pings again"
echo "# total: $((SECONDS - t_all)) s"
exit $lvdpa_failed
