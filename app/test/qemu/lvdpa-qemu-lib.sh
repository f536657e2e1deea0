# shellcheck shell=bash disable=SC2034 # hrc, lvdpa_failed: used by the tests
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The lvdpa authors
#
# Shell functions the real-guest tests share (sourced, not run): a peer
# (dpdk-testpmd or the lvdpa sample app with the PMD) inside a network
# namespace with a tap holding the peer address, a guest booted by
# lvdpa-qemu-guest.sh against it, TAP lines, and cleanup in traps.
#
# The test sets before sourcing:
#   lvdpa_tag      namespace and EAL file-prefix stem, e.g. lvdpa-s390x
#   lvdpa_arch     guest architecture given to the harness (x86_64, s390x)
#   lvdpa_build    build directory (the cache defaults to <build>/qemu-guest)
# and may set LVDPA_QEMU_CACHE, LVDPA_TESTPMD, LVDPA_SAMPLE_APP, LVDPA_VDPA_SO.
# After sourcing: lvdpa_harness, lvdpa_cache, lvdpa_testpmd, lvdpa_sample_app,
# lvdpa_vdpa_so, lvdpa_peer_ip, lvdpa_guest_ip, lvdpa_tap; lvdpa_tmp once
# lvdpa_setup has run.

# The test sets lvdpa_tag and lvdpa_arch (and may set lvdpa_build).
: "${lvdpa_tag:?}" "${lvdpa_arch:?}"
lvdpa_self_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lvdpa_harness=$lvdpa_self_dir/lvdpa-qemu-guest.sh
lvdpa_build=$(cd "${lvdpa_build:-.}" && pwd)
lvdpa_cache=${LVDPA_QEMU_CACHE:-$lvdpa_build/qemu-guest}
lvdpa_testpmd=${LVDPA_TESTPMD:-dpdk-testpmd}
lvdpa_sample_app=${LVDPA_SAMPLE_APP:-}
lvdpa_vdpa_so=${LVDPA_VDPA_SO:-$lvdpa_build/drivers/librte_vdpa_lvdpa.so}
if [ -z "$lvdpa_sample_app" ]; then
	for lvdpa_f in "$lvdpa_build/examples/lvdpa/lvdpa-sample" \
		"$lvdpa_build/app/test/sample/lvdpa-sample"; do
		[ -x "$lvdpa_f" ] && { lvdpa_sample_app=$lvdpa_f; break; }
	done
	unset lvdpa_f
fi
# RFC 2544's benchmarking range: never routed, and here only inside the
# namespace and the guest.
lvdpa_peer_ip=198.18.0.1
lvdpa_guest_ip=198.18.0.2/24
lvdpa_tap=lvdpatap0

lvdpa_tmp=
lvdpa_ns=
lvdpa_prefix=
lvdpa_peer_pid=
lvdpa_peer_rc=
lvdpa_unclean=
lvdpa_harness_pid=
lvdpa_failed=0
hrc=1

# Stops the peer with SIGTERM (SIGKILL after 30 s: a sanitized app's
# shutdown and leak check take a while), sets lvdpa_peer_rc to its exit
# status (137: it had to be killed), removes its namespace (with the tap)
# and EAL files.
lvdpa_stop_peer() {
	local n
	if [ -n "$lvdpa_peer_pid" ]; then
		kill -TERM "$lvdpa_peer_pid" 2>/dev/null
		for n in $(seq 300); do
			kill -0 "$lvdpa_peer_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$lvdpa_peer_pid" 2>/dev/null
		wait "$lvdpa_peer_pid" 2>/dev/null
		lvdpa_peer_rc=$?
	fi
	lvdpa_peer_pid=
	{ exec 8>&-; } 2>/dev/null
	[ -n "$lvdpa_ns" ] && ip netns del "$lvdpa_ns" 2>/dev/null
	lvdpa_ns=
	[ -n "$lvdpa_prefix" ] && rm -rf "/var/run/dpdk/$lvdpa_prefix"
	lvdpa_prefix=
}

lvdpa_cleanup() {
	local rc=$?
	if [ -n "$lvdpa_harness_pid" ]; then
		kill -TERM "$lvdpa_harness_pid" 2>/dev/null
		wait "$lvdpa_harness_pid" 2>/dev/null
	fi
	lvdpa_stop_peer
	# LVDPA_QEMU_KEEP=1 keeps the logs (QEMU's, the guest's console, the
	# peers') for a look after a failure.
	if [ -n "$lvdpa_tmp" ] && [ "${LVDPA_QEMU_KEEP:-0}" = 1 ]; then
		echo "# kept: $lvdpa_tmp"
	elif [ -n "$lvdpa_tmp" ]; then
		rm -rf "$lvdpa_tmp"
	fi
	exit $rc
}
trap lvdpa_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# lvdpa_fail_all COUNT WHY: every test not ok, exit.
lvdpa_fail_all() {
	local n
	for n in $(seq "$1"); do
		echo "not ok $n - $lvdpa_arch guest case $n # $2"
	done
	exit 1
}

# lvdpa_setup COUNT TOOL...: checks root and the tools, removes what runs
# killed outright (SIGKILL) left (namespaces, EAL files of gone processes),
# makes lvdpa_tmp and the guest artifacts (once, outside the per-guest time
# limit). On failure every test is reported not ok.
lvdpa_setup() {
	local count=$1 t n p missing=
	shift
	for t in "$@" ip /bin/busybox; do
		command -v "$t" >/dev/null || missing="$missing $t"
	done
	[ "$(id -u)" = 0 ] || lvdpa_fail_all "$count" "needs root (network namespace, tap)"
	[ -z "$missing" ] ||
		lvdpa_fail_all "$count" "missing:$missing (devtools/setup.sh installs them)"
	for n in $(ip netns list 2>/dev/null | sed -n "s/^\($lvdpa_tag-[0-9]*-[0-9]*\).*/\1/p") \
		$(cd /var/run/dpdk 2>/dev/null && ls -d "$lvdpa_tag"-[0-9]*-[0-9]* 2>/dev/null); do
		p=${n#"$lvdpa_tag"-}
		p=${p%-*}
		kill -0 "$p" 2>/dev/null && continue
		ip netns del "$n" 2>/dev/null
		rm -rf "/var/run/dpdk/$n"
	done
	lvdpa_tmp=$(mktemp -d "${TMPDIR:-/tmp}/$lvdpa_tag.XXXXXX") || exit 1
	if ! "$lvdpa_harness" --arch "$lvdpa_arch" --prepare --cache "$lvdpa_cache" \
		> "$lvdpa_tmp/prepare.log" 2>&1; then
		sed 's/^/# /' "$lvdpa_tmp/prepare.log"
		lvdpa_fail_all "$count" "no $lvdpa_arch guest artifacts"
	fi
	sed 's/^/# /' "$lvdpa_tmp/prepare.log"
}

# Creates the namespace with lo up; the peer started in it makes the tap.
lvdpa_new_ns() {
	lvdpa_ns=$lvdpa_tag-$$-$1
	lvdpa_prefix=$lvdpa_tag-$$-$1
	ip netns add "$lvdpa_ns" || return 1
	ip -n "$lvdpa_ns" link set lo up
	# The peer waits on stdin: give it a FIFO that stays open (fd 8) and
	# never reaches EOF.
	rm -f "$lvdpa_tmp/stdin"
	mkfifo "$lvdpa_tmp/stdin" || return 1
	exec 8<>"$lvdpa_tmp/stdin"
}

# lvdpa_peer_ready SOCKET LOG [LINE]: waits for the peer's socket and tap
# (and LINE in its log, when given), then puts the peer address on the tap.
# A restarted peer finds its predecessor's socket file still there: only the
# line it logs once it serves says that the socket is its own.
lvdpa_peer_ready() {
	local sock=$1 log=$2 line=${3:-} n
	for n in $(seq 300); do
		[ -S "$sock" ] && ip -n "$lvdpa_ns" link show "$lvdpa_tap" >/dev/null 2>&1 &&
			{ [ -z "$line" ] || grep -q -F -e "$line" "$log"; } && break
		kill -0 "$lvdpa_peer_pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ -n "$line" ] && ! grep -q -F -e "$line" "$log"; then
		echo "# the peer never logged '$line'"
		tail -n 20 "$log" | sed 's/^/# /'
		return 1
	fi
	if [ ! -S "$sock" ] || ! ip -n "$lvdpa_ns" link show "$lvdpa_tap" >/dev/null 2>&1; then
		echo "# the peer made no socket $sock or no $lvdpa_tap"
		tail -n 20 "$log" | sed 's/^/# /'
		return 1
	fi
	ip -n "$lvdpa_ns" addr add "$lvdpa_peer_ip/24" dev "$lvdpa_tap" || return 1
	ip -n "$lvdpa_ns" link set "$lvdpa_tap" up
}

# lvdpa_start_testpmd NUMBER SOCKET: io forwarding between net_vhost (the
# guest's socket) and net_tap. lib.vhost.config at info logs the negotiated
# protocol features.
lvdpa_start_testpmd() {
	local i=$1 sock=$2
	lvdpa_new_ns "$i" || return 1
	ip netns exec "$lvdpa_ns" "$lvdpa_testpmd" --no-huge -m 1024 --no-pci \
		--file-prefix="$lvdpa_prefix" --log-level=lib.eal:warning \
		--log-level=lib.vhost.config:info \
		--vdev "net_vhost0,iface=$sock,client=0,queues=1" \
		--vdev "net_tap0,iface=$lvdpa_tap" \
		-- --forward-mode=io --auto-start --nb-cores=1 \
		--rxq=1 --txq=1 --total-num-mbufs=8192 \
		< "$lvdpa_tmp/stdin" > "$lvdpa_tmp/peer-$i.log" 2>&1 8>&- &
	lvdpa_peer_pid=$!
	lvdpa_peer_ready "$sock" "$lvdpa_tmp/peer-$i.log"
}

# lvdpa_sample_missing: prints why the sample app or the PMD cannot run, or
# nothing when both are there.
lvdpa_sample_missing() {
	if [ -z "$lvdpa_sample_app" ] || [ ! -x "$lvdpa_sample_app" ] || [ ! -f "$lvdpa_vdpa_so" ]; then
		echo "lvdpa sample app or PMD not built (${lvdpa_sample_app:-no lvdpa-sample}, $lvdpa_vdpa_so)"
	fi
}

# lvdpa_launch_lvdpa PREFIX LOG [app options]: the lvdpa sample app with the
# PMD (-d) in the current namespace: lvdpa0 on the software model, whose
# uplink is net_tap0; its socket is PREFIX0. legacy=auto: a big-endian
# legacy guest goes to the relay. Does not wait for it.
lvdpa_launch_lvdpa() {
	local iface=$1 log=$2
	shift 2
	lvdpa_peer_rc=
	ip netns exec "$lvdpa_ns" "$lvdpa_sample_app" -l 0 --no-huge -m 512 --no-pci \
		--file-prefix="$lvdpa_prefix" --log-level=lib.eal:warning \
		--log-level=lib.vhost.config:info \
		--log-level='lib.lvdpa_vhost.*:info' \
		--log-level='pmd.vdpa.lvdpa*:info' \
		-d "$lvdpa_vdpa_so" \
		--vdev "net_tap0,iface=$lvdpa_tap" \
		--vdev "lvdpa0,uplink=net_tap0,legacy=auto" \
		-- --iface "$iface" --stats-period 0 "$@" \
		< "$lvdpa_tmp/stdin" > "$log" 2>&1 8>&- &
	lvdpa_peer_pid=$!
}

# lvdpa_serving_line SOCKET: what the sample app logs once SOCKET is served.
lvdpa_serving_line() {
	echo ": serving $1 ("
}

# lvdpa_start_lvdpa NUMBER PREFIX [app options]: a new namespace, the lvdpa
# sample app in it (lvdpa_launch_lvdpa, log peer-NUMBER.log), its socket
# PREFIX0 and the tap ready.
lvdpa_start_lvdpa() {
	local i=$1 iface=$2
	shift 2
	lvdpa_new_ns "$i" || return 1
	lvdpa_launch_lvdpa "$iface" "$lvdpa_tmp/peer-$i.log" "$@"
	lvdpa_peer_ready "${iface}0" "$lvdpa_tmp/peer-$i.log" "$(lvdpa_serving_line "${iface}0")"
}

# Kills the peer outright (SIGKILL: no shutdown, its socket file stays);
# the namespace stays for the next one.
lvdpa_kill_peer() {
	[ -n "$lvdpa_peer_pid" ] || return 0
	kill -KILL "$lvdpa_peer_pid" 2>/dev/null
	wait "$lvdpa_peer_pid" 2>/dev/null
	lvdpa_peer_pid=
}

# lvdpa_run_guest NUMBER SOCKET [harness options]: boots the guest (client
# mode: the peer listens); sets hrc (the harness's exit code) and prints its
# output as TAP comments.
lvdpa_run_guest() {
	lvdpa_start_guest "$@"
	lvdpa_wait_guest "$1"
}

# lvdpa_start_guest NUMBER SOCKET [harness options]: boots the guest in the
# background (lvdpa_harness_pid); its console goes to serial-NUMBER.log.
lvdpa_start_guest() {
	local i=$1 sock=$2
	shift 2
	# In the background, so that a signal to the test is handled at once
	# (bash runs traps only between foreground commands).
	"$lvdpa_harness" --arch "$lvdpa_arch" --socket "$sock" --client \
		--ip "$lvdpa_guest_ip" --peer "$lvdpa_peer_ip" --timeout 240 \
		--cache "$lvdpa_cache" --log "$lvdpa_tmp/serial-$i.log" \
		--qemu-log "$lvdpa_tmp/qemu-$i.log" \
		"$@" > "$lvdpa_tmp/harness-$i.out" 2> "$lvdpa_tmp/harness-$i.err" &
	lvdpa_harness_pid=$!
}

# lvdpa_wait_guest NUMBER: waits for the guest started by lvdpa_start_guest;
# sets hrc and prints the harness's output as TAP comments.
lvdpa_wait_guest() {
	local i=$1
	wait "$lvdpa_harness_pid"
	hrc=$?
	lvdpa_harness_pid=
	sed 's/^/# /' "$lvdpa_tmp/harness-$i.out"
}

# lvdpa_wait_serial NUMBER REGEX SECS: waits until the guest's console shows
# a line matching REGEX (grep -E), while the guest runs. 0 when it did.
lvdpa_wait_serial() {
	local i=$1 re=$2 n
	for n in $(seq $(($3 * 10))); do
		[ -f "$lvdpa_tmp/serial-$i.log" ] &&
			tr -d '\r' < "$lvdpa_tmp/serial-$i.log" | grep -a -q -E "$re" &&
			return 0
		[ -n "$lvdpa_harness_pid" ] && kill -0 "$lvdpa_harness_pid" 2>/dev/null ||
			return 1
		sleep 0.1
	done
	return 1
}

# Prints QEMU's output, the harness's errors and the peer's log as TAP comments.
lvdpa_show_logs() {
	local i=$1
	echo "# --- qemu"
	sed 's/^/# /' "$lvdpa_tmp/qemu-$i.log" 2>/dev/null
	echo "# --- harness"
	sed 's/^/# /' "$lvdpa_tmp/harness-$i.err" 2>/dev/null
	echo "# --- peer (last 30 lines)"
	tail -n 30 "$lvdpa_tmp/peer-$i.log" 2>/dev/null | sed 's/^/# /'
}

# lvdpa_show_san NUMBER|LOG...: a sanitized build's app reports at exit
# (after lvdpa_stop_peer): show it. Returns 1 when there is a report (an
# ASan error, a LeakSanitizer leak, UBSan's runtime error): the case fails.
lvdpa_show_san() {
	local f found=0
	for f in "$@"; do
		[ -f "$f" ] || f=$lvdpa_tmp/peer-$f.log
		grep -q -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f" 2>/dev/null ||
			continue
		found=1
		grep -E -A 12 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f" |
			head -n 40 | sed 's/^/# sample app: /'
	done
	return $found
}

# lvdpa_peer_clean NUMBER|LOG...: after lvdpa_stop_peer, whether the sample
# app ended cleanly: exit status 0 after SIGTERM, no sanitizer report
# (printed), and the uplink not closed while the device still used it. If
# not, returns 1 with the reason in lvdpa_unclean.
lvdpa_peer_clean() {
	local f
	lvdpa_unclean=
	if ! lvdpa_show_san "$@"; then
		lvdpa_unclean="sanitizer report in the sample app's log"
	elif [ "${lvdpa_peer_rc:-0}" != 0 ]; then
		lvdpa_unclean="the sample app exited with status $lvdpa_peer_rc after SIGTERM"
	fi
	for f in "$@"; do
		[ -n "$lvdpa_unclean" ] && break
		[ -f "$f" ] || f=$lvdpa_tmp/peer-$f.log
		grep -q -E 'closed while function|for not ready port' "$f" 2>/dev/null &&
			lvdpa_unclean="the uplink was closed before the vDPA device at exit"
	done
	[ -z "$lvdpa_unclean" ]
}

# The protocol features the backend logged as negotiated (rte_vhost), hex.
lvdpa_negotiated_pf() {
	sed -n 's/.*negotiated Vhost-user protocol features: \(0x[0-9a-fA-F]*\).*/\1/p' "$1" |
		tail -n 1
}

# lvdpa_tap_line NUMBER OK NAME [WHY]
lvdpa_tap_line() {
	local i=$1 ok=$2 name=$3 why=${4:-}
	if [ "$ok" = 0 ]; then
		echo "ok $i - $name"
	else
		echo "not ok $i - $name${why:+ # $why}"
		lvdpa_failed=1
	fi
}
