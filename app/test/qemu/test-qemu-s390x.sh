#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The lvdpa authors
#
# A real big-endian legacy guest: Debian's s390x kernel under QEMU/TCG with a
# virtio-net-ccw device limited to revision 0 (virtio 0.9.5: no VERSION_1,
# rings in the guest's byte order, big endian). Over vhost-user QEMU then
# needs VHOST_USER_PROTOCOL_F_CROSS_ENDIAN from the backend and sends
# SET_VRING_ENDIAN before starting each ring. Prints TAP:
#   1 the same guest with a modern device (revision 1, VERSION_1, little-endian
#     rings) pings through DPDK's net_vhost: the guest, QEMU and the peer work
#   2 the legacy guest against net_vhost: QEMU refuses (net_vhost offers no
#     CROSS_ENDIAN) and falls back to its own virtio, which cannot reach a
#     vhost-user peer: no ping
#   3 the legacy guest against the lvdpa sample app (PMD loaded with -d):
#     CROSS_ENDIAN is negotiated, and SET_VRING_ENDIAN big reaches lvdpa_vhost
#   4 that guest pings a peer through lvdpa (the device model's uplink)
# The peers: testpmd forwards (io) between net_vhost and net_tap; the lvdpa
# sample app serves lvdpa0 whose uplink is net_tap. The tap and the peer
# address live in a network namespace this test creates.
#
# Usage: test-qemu-s390x.sh [BUILD_DIR]   (cache: $LVDPA_QEMU_CACHE or
#        BUILD_DIR/qemu-guest). Needs root (netns, tap).
# Environment: LVDPA_SAMPLE_APP, LVDPA_VDPA_SO (default: found in BUILD_DIR),
# LVDPA_TESTPMD. The helpers are in lvdpa-qemu-lib.sh.

set -u -o pipefail

lvdpa_tag=lvdpa-s390x
lvdpa_arch=s390x
lvdpa_build=${1:-.}
# shellcheck source=lvdpa-qemu-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lvdpa-qemu-lib.sh"
ntests=4

echo "1..$ntests"
t_all=$SECONDS
lvdpa_setup $ntests qemu-system-s390x "$lvdpa_testpmd"
echo "# artifacts: $((SECONDS - t_all)) s"

# Guest lines every legacy case needs: revision 0 seen as no VERSION_1, and
# a big-endian CPU.
legacy_be_guest() {
	local out=$1
	grep -q '^LVDPA-GUEST: cpu s390x endian big$' "$out" || {
		echo "# the guest is not a big-endian s390x"
		return 1
	}
	grep -q '^LVDPA-GUEST: device virtio[0-9]* ccw [0-9a-f.]* 3832/01 legacy .* version_1 no$' "$out" || {
		echo "# no legacy virtio-ccw net device (VERSION_1 negotiated?)"
		return 1
	}
}

# --- 1: modern s390x guest through net_vhost (control) ----------------------
t0=$SECONDS
ok=1
sock=$lvdpa_tmp/vhost-1.sock
if lvdpa_start_testpmd 1 "$sock"; then
	lvdpa_run_guest 1 "$sock" --modern --count 5
	[ $hrc = 0 ] && ok=0
fi
[ $ok = 0 ] || lvdpa_show_logs 1
lvdpa_stop_peer
echo "# case 1: $((SECONDS - t0)) s"
lvdpa_tap_line 1 $ok "s390x modern guest (virtio-ccw revision 1, VERSION_1) pings through net_vhost"

# --- 2: legacy s390x guest through net_vhost: refused -----------------------
t0=$SECONDS
ok=1
why=
sock=$lvdpa_tmp/vhost-2.sock
if lvdpa_start_testpmd 2 "$sock"; then
	# Two pings suffice: none can pass.
	lvdpa_run_guest 2 "$sock" --legacy --count 2
	q=$lvdpa_tmp/qemu-2.log
	pf=$(lvdpa_negotiated_pf "$lvdpa_tmp/peer-2.log")
	if ! legacy_be_guest "$lvdpa_tmp/harness-2.out"; then
		why="not a big-endian legacy guest"
	elif [ -z "$pf" ] || [ $((pf >> 6 & 1)) != 0 ]; then
		why="net_vhost's negotiated protocol features ${pf:-unknown} (CROSS_ENDIAN is bit 6)"
	elif ! grep -q 'vhost_set_vring_endian failed: Operation not supported' "$q"; then
		why="QEMU did not refuse SET_VRING_ENDIAN"
	elif ! grep -q 'unable to start vhost net' "$q"; then
		why="QEMU did not give vhost-user up"
	elif ! grep -q "^LVDPA-GUEST: ping $lvdpa_peer_ip fail 0/" "$lvdpa_tmp/harness-2.out"; then
		why="the guest's ping passed or did not run"
	else
		ok=0
		echo "# net_vhost negotiated protocol features $pf: no CROSS_ENDIAN (bit 6)"
		echo "# QEMU said:"
		grep -E 'vhost|ioctl' "$q" | sed 's/^/#   /'
	fi
fi
[ $ok = 0 ] || lvdpa_show_logs 2
lvdpa_stop_peer
echo "# case 2: $((SECONDS - t0)) s"
lvdpa_tap_line 2 $ok "s390x legacy guest: QEMU refuses plain net_vhost without CROSS_ENDIAN" "$why"

# --- 3 and 4: legacy s390x guest through lvdpa ------------------------------
t0=$SECONDS
ok3=1
ok4=1
why3=
why4=
if [ -z "$lvdpa_sample_app" ] || [ ! -x "$lvdpa_sample_app" ] || [ ! -f "$lvdpa_vdpa_so" ]; then
	why3="lvdpa sample app or PMD not built (${lvdpa_sample_app:-no lvdpa-sample}, $lvdpa_vdpa_so)"
	why4=$why3
elif ! lvdpa_start_lvdpa 3 "$lvdpa_tmp/lvdpa-"; then
	why3="the lvdpa sample app did not start"
	why4=$why3
else
	lvdpa_run_guest 3 "$lvdpa_tmp/lvdpa-0" --legacy --count 5
	p=$lvdpa_tmp/peer-3.log
	pf=$(lvdpa_negotiated_pf "$p")
	# lvdpa_vhost logs SET_VRING_ENDIAN: "vring N: big endian" when it is
	# recorded, "SET_VRING_ENDIAN vring N: big-endian ring refused" when
	# the PMD cannot serve it.
	endian=$(grep -E 'lvdpa_vhost: .*(vring [0-9]+: big endian|SET_VRING_ENDIAN vring [0-9]+: big-endian)' "$p")
	if ! legacy_be_guest "$lvdpa_tmp/harness-3.out"; then
		why3="not a big-endian legacy guest"
	elif [ -z "$pf" ] || [ $((pf >> 6 & 1)) != 1 ]; then
		why3="negotiated protocol features ${pf:-unknown}: no CROSS_ENDIAN (bit 6)"
	elif [ -z "$endian" ]; then
		why3="no SET_VRING_ENDIAN big seen by lvdpa_vhost"
	else
		ok3=0
		echo "# lvdpa negotiated protocol features $pf: CROSS_ENDIAN (bit 6)"
		echo "$endian" | sed 's/^/#   /'
	fi
	if [ $hrc = 0 ] && [ $ok3 = 0 ]; then
		ok4=0
	elif [ $ok3 != 0 ]; then
		why4="no CROSS_ENDIAN negotiation"
	elif grep -q 'big-endian ring refused\|big-endian legacy guest refused' "$p"; then
		why4="lvdpa refuses big-endian rings: the relay is not integrated in the PMD yet"
	elif grep -q 'not ready port' "$p"; then
		why4="the uplink net_tap0 is not started"
	else
		why4="guest failed (harness exit $hrc)"
	fi
	# How the PMD serves the guest (the relay for a big-endian one).
	grep -E 'vid [0-9]+ configured' "$p" | sort -u | head -n 2 | sed 's/^/# lvdpa: /'
	# The lines that explain a failure, for the log.
	[ $ok4 = 0 ] || grep -E 'refused|not ready port|relay|uplink' "$p" | grep -v ' configured: ' |
		sort -u | head -n 10 | sed 's/^/# lvdpa: /'
fi
[ $ok3 = 0 ] && [ $ok4 = 0 ] || lvdpa_show_logs 3
lvdpa_stop_peer
# Its shutdown is when LeakSanitizer runs (sanitizer build).
if [ -n "$lvdpa_sample_app" ] && [ -z "$why4" ] && ! lvdpa_peer_clean 3; then
	ok4=1
	why4=$lvdpa_unclean
fi
echo "# case 3+4: $((SECONDS - t0)) s"
lvdpa_tap_line 3 $ok3 "s390x legacy guest: QEMU negotiates CROSS_ENDIAN with lvdpa and sends SET_VRING_ENDIAN big" "$why3"
lvdpa_tap_line 4 $ok4 "s390x legacy guest pings through lvdpa (CROSS_ENDIAN, SET_VRING_ENDIAN big)" "$why4"

echo "# total: $((SECONDS - t_all)) s"
exit $lvdpa_failed
