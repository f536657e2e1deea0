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
# LVDPA_TESTPMD.

set -u -o pipefail

self_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
harness=$self_dir/lvdpa-qemu-guest.sh
build_dir=$(cd "${1:-.}" && pwd)
cache=${LVDPA_QEMU_CACHE:-$build_dir/qemu-guest}
testpmd=${LVDPA_TESTPMD:-dpdk-testpmd}
sample_app=${LVDPA_SAMPLE_APP:-}
vdpa_so=${LVDPA_VDPA_SO:-$build_dir/drivers/librte_vdpa_lvdpa.so}
if [ -z "$sample_app" ]; then
	for f in "$build_dir/examples/lvdpa/lvdpa-sample" \
		"$build_dir/app/test/sample/lvdpa-sample"; do
		[ -x "$f" ] && { sample_app=$f; break; }
	done
fi
# RFC 2544's benchmarking range: never routed, and here only inside the
# namespace and the guest.
peer_ip=198.18.0.1
guest_ip=198.18.0.2/24
tap=lvdpatap0
ntests=4

tmp=
ns=
peer_pid=
harness_pid=
prefix=

stop_peer() {
	local n
	if [ -n "$peer_pid" ] && kill -0 "$peer_pid" 2>/dev/null; then
		kill -TERM "$peer_pid" 2>/dev/null
		for n in $(seq 50); do
			kill -0 "$peer_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$peer_pid" 2>/dev/null
		wait "$peer_pid" 2>/dev/null
	fi
	peer_pid=
	{ exec 8>&-; } 2>/dev/null
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
	[ -n "$tmp" ] && rm -rf "$tmp"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "1..$ntests"

fail_all() {
	local n
	for n in $(seq "$ntests"); do
		echo "not ok $n - s390x guest case $n # $1"
	done
	exit 1
}

missing=
for t in qemu-system-s390x "$testpmd" ip /bin/busybox; do
	command -v "$t" >/dev/null || missing="$missing $t"
done
[ "$(id -u)" = 0 ] || fail_all "needs root (network namespace, tap)"
[ -z "$missing" ] ||
	fail_all "missing:$missing (packages qemu-system-misc, dpdk, busybox-static, iproute2)"

# A run killed outright (SIGKILL) leaves its namespace and EAL files: remove
# those of runs whose process is gone.
for n in $(ip netns list 2>/dev/null | sed -n 's/^\(lvdpa-s390x-[0-9]*-[0-9]*\).*/\1/p') \
	$(cd /var/run/dpdk 2>/dev/null && ls -d lvdpa-s390x-[0-9]*-[0-9]* 2>/dev/null); do
	p=${n#lvdpa-s390x-}
	p=${p%-*}
	kill -0 "$p" 2>/dev/null && continue
	ip netns del "$n" 2>/dev/null
	rm -rf "/var/run/dpdk/$n"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lvdpa-qemu-s390x.XXXXXX") || exit 1
# Build the guest artifacts once, outside the per-guest time limit.
t_all=$SECONDS
if ! "$harness" --arch s390x --prepare --cache "$cache" > "$tmp/prepare.log" 2>&1; then
	sed 's/^/# /' "$tmp/prepare.log"
	fail_all "no s390x guest artifacts"
fi
sed 's/^/# /' "$tmp/prepare.log"
echo "# artifacts: $((SECONDS - t_all)) s"

# Creates the namespace with lo up; the peer started in it makes $tap.
new_ns() {
	ns=lvdpa-s390x-$$-$1
	prefix=lvdpa-s390x-$$-$1
	ip netns add "$ns" || return 1
	ip -n "$ns" link set lo up
	# The peer waits on stdin: give it a FIFO that stays open (fd 8) and
	# never reaches EOF.
	rm -f "$tmp/stdin"
	mkfifo "$tmp/stdin" || return 1
	exec 8<>"$tmp/stdin"
}

# Waits for the peer's socket and tap, then puts the peer address on the tap.
peer_ready() {
	local sock=$1 log=$2 n
	for n in $(seq 300); do
		[ -S "$sock" ] && ip -n "$ns" link show "$tap" >/dev/null 2>&1 && break
		kill -0 "$peer_pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ ! -S "$sock" ] || ! ip -n "$ns" link show "$tap" >/dev/null 2>&1; then
		echo "# the peer made no socket $sock or no $tap"
		tail -n 20 "$log" | sed 's/^/# /'
		return 1
	fi
	ip -n "$ns" addr add "$peer_ip/24" dev "$tap" || return 1
	ip -n "$ns" link set "$tap" up
}

# testpmd: io forwarding between net_vhost (the guest's socket) and net_tap.
# lib.vhost.config at info logs the negotiated protocol features.
start_testpmd() {
	local i=$1 sock=$2
	new_ns "$i" || return 1
	ip netns exec "$ns" "$testpmd" --no-huge -m 1024 --no-pci \
		--file-prefix="$prefix" --log-level=lib.eal:warning \
		--log-level=lib.vhost.config:info \
		--vdev "net_vhost0,iface=$sock,client=0,queues=1" \
		--vdev "net_tap0,iface=$tap" \
		-- --forward-mode=io --auto-start --nb-cores=1 \
		--rxq=1 --txq=1 --total-num-mbufs=8192 \
		< "$tmp/stdin" > "$tmp/peer-$i.log" 2>&1 8>&- &
	peer_pid=$!
	peer_ready "$sock" "$tmp/peer-$i.log"
}

# The lvdpa sample app with the PMD: lvdpa0 on the software model, whose
# uplink is net_tap0; its socket is <iface>0. legacy=auto: a big-endian
# legacy guest goes to the relay.
start_lvdpa() {
	local i=$1 iface=$2
	new_ns "$i" || return 1
	ip netns exec "$ns" "$sample_app" -l 0 --no-huge -m 512 --no-pci \
		--file-prefix="$prefix" --log-level=lib.eal:warning \
		--log-level=lib.vhost.config:info \
		--log-level='lib.lvdpa_vhost.*:info' \
		--log-level='pmd.vdpa.lvdpa*:info' \
		-d "$vdpa_so" \
		--vdev "net_tap0,iface=$tap" \
		--vdev "lvdpa0,uplink=net_tap0,legacy=auto" \
		-- --iface "$iface" --stats-period 0 \
		< "$tmp/stdin" > "$tmp/peer-$i.log" 2>&1 8>&- &
	peer_pid=$!
	peer_ready "${iface}0" "$tmp/peer-$i.log"
}

# run_guest NUMBER SOCKET [harness options]: boots the s390x guest (client
# mode: the peer listens); sets hrc (the harness's exit code) and prints its
# output as TAP comments.
run_guest() {
	local i=$1 sock=$2
	shift 2
	# In the background, so that a signal to this script is handled at
	# once (bash runs traps only between foreground commands).
	"$harness" --arch s390x --socket "$sock" --client \
		--ip "$guest_ip" --peer "$peer_ip" --timeout 240 --cache "$cache" \
		--log "$tmp/serial-$i.log" --qemu-log "$tmp/qemu-$i.log" \
		"$@" > "$tmp/harness-$i.out" 2> "$tmp/harness-$i.err" &
	harness_pid=$!
	wait "$harness_pid"
	hrc=$?
	harness_pid=
	sed 's/^/# /' "$tmp/harness-$i.out"
}

# Prints the peer's log, QEMU's and the harness's errors as TAP comments.
show_logs() {
	local i=$1
	echo "# --- qemu"
	sed 's/^/# /' "$tmp/qemu-$i.log" 2>/dev/null
	echo "# --- harness"
	sed 's/^/# /' "$tmp/harness-$i.err" 2>/dev/null
	echo "# --- peer (last 30 lines)"
	tail -n 30 "$tmp/peer-$i.log" 2>/dev/null | sed 's/^/# /'
}

# The protocol features the backend logged as negotiated (rte_vhost), hex.
negotiated_pf() {
	sed -n 's/.*negotiated Vhost-user protocol features: \(0x[0-9a-fA-F]*\).*/\1/p' "$1" |
		tail -n 1
}

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

tap_line() {
	local i=$1 ok=$2 name=$3 why=${4:-}
	if [ "$ok" = 0 ]; then
		echo "ok $i - $name"
	else
		echo "not ok $i - $name${why:+ # $why}"
		failed=1
	fi
}

failed=0

# --- 1: modern s390x guest through net_vhost (control) ----------------------
t0=$SECONDS
ok=1
sock=$tmp/vhost-1.sock
if start_testpmd 1 "$sock"; then
	run_guest 1 "$sock" --modern --count 5
	[ $hrc = 0 ] && ok=0
fi
[ $ok = 0 ] || show_logs 1
stop_peer
echo "# case 1: $((SECONDS - t0)) s"
tap_line 1 $ok "s390x modern guest (virtio-ccw revision 1, VERSION_1) pings through net_vhost"

# --- 2: legacy s390x guest through net_vhost: refused -----------------------
t0=$SECONDS
ok=1
why=
sock=$tmp/vhost-2.sock
if start_testpmd 2 "$sock"; then
	# Two pings suffice: none can pass.
	run_guest 2 "$sock" --legacy --count 2
	q=$tmp/qemu-2.log
	pf=$(negotiated_pf "$tmp/peer-2.log")
	if ! legacy_be_guest "$tmp/harness-2.out"; then
		why="not a big-endian legacy guest"
	elif [ -z "$pf" ] || [ $((pf >> 6 & 1)) != 0 ]; then
		why="net_vhost's negotiated protocol features ${pf:-unknown} (CROSS_ENDIAN is bit 6)"
	elif ! grep -q 'vhost_set_vring_endian failed: Operation not supported' "$q"; then
		why="QEMU did not refuse SET_VRING_ENDIAN"
	elif ! grep -q 'unable to start vhost net' "$q"; then
		why="QEMU did not give vhost-user up"
	elif ! grep -q "^LVDPA-GUEST: ping $peer_ip fail 0/" "$tmp/harness-2.out"; then
		why="the guest's ping passed or did not run"
	else
		ok=0
		echo "# net_vhost negotiated protocol features $pf: no CROSS_ENDIAN (bit 6)"
		echo "# QEMU said:"
		grep -E 'vhost|ioctl' "$q" | sed 's/^/#   /'
	fi
fi
[ $ok = 0 ] || show_logs 2
stop_peer
echo "# case 2: $((SECONDS - t0)) s"
tap_line 2 $ok "s390x legacy guest: QEMU refuses plain net_vhost without CROSS_ENDIAN" "$why"

# --- 3 and 4: legacy s390x guest through lvdpa ------------------------------
t0=$SECONDS
ok3=1
ok4=1
why3=
why4=
if [ -z "$sample_app" ] || [ ! -x "$sample_app" ] || [ ! -f "$vdpa_so" ]; then
	why3="lvdpa sample app or PMD not built (${sample_app:-no lvdpa-sample}, $vdpa_so)"
	why4=$why3
elif ! start_lvdpa 3 "$tmp/lvdpa-"; then
	why3="the lvdpa sample app did not start"
	why4=$why3
else
	run_guest 3 "$tmp/lvdpa-0" --legacy --count 5
	p=$tmp/peer-3.log
	pf=$(negotiated_pf "$p")
	# lvdpa_vhost logs SET_VRING_ENDIAN: "vring N: big endian" when it is
	# recorded, "SET_VRING_ENDIAN vring N: big-endian ring refused" when
	# the PMD cannot serve it.
	endian=$(grep -E 'lvdpa_vhost: .*(vring [0-9]+: big endian|SET_VRING_ENDIAN vring [0-9]+: big-endian)' "$p")
	if ! legacy_be_guest "$tmp/harness-3.out"; then
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
		why4="the uplink net_tap0 is not started (the sample app configures no ethdev)"
	else
		why4="guest failed (harness exit $hrc)"
	fi
	# How the PMD serves the guest (the relay for a big-endian one).
	grep -E 'vid [0-9]+ configured' "$p" | sort -u | head -n 2 | sed 's/^/# lvdpa: /'
	# The lines that explain a failure, for the log.
	[ $ok4 = 0 ] || grep -E 'refused|not ready port|relay|uplink' "$p" | grep -v ' configured: ' |
		sort -u | head -n 10 | sed 's/^/# lvdpa: /'
fi
[ $ok3 = 0 ] && [ $ok4 = 0 ] || show_logs 3
stop_peer
# A sanitized build's app reports at exit (after stop_peer): show any report.
grep -E -A 12 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/peer-3.log" 2>/dev/null |
	head -n 40 | sed 's/^/# sample app: /'
echo "# case 3+4: $((SECONDS - t0)) s"
tap_line 3 $ok3 "s390x legacy guest: QEMU negotiates CROSS_ENDIAN with lvdpa and sends SET_VRING_ENDIAN big" "$why3"
tap_line 4 $ok4 "s390x legacy guest pings through lvdpa (CROSS_ENDIAN, SET_VRING_ENDIAN big)" "$why4"

echo "# total: $((SECONDS - t_all)) s"
exit $failed
