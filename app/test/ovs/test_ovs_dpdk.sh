#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The lvdpa authors
#
# OVS-DPDK with lvdpa: a private ovsdb-server and ovs-vswitchd-dpdk, our
# driver loaded with -d from the build tree, an lvdpa vDPA device (the model)
# whose representor p0 is hot-plugged into bridge br0 and also serves the
# guest's vhost-user socket. Three guests take turns on that socket, each
# with its own source MAC and its own OpenFlow rule (in_port=p0,dl_src=MAC
# actions=in_port: the bridge sends every frame back, and each guest gets
# a datapath flow of its own):
#   V  DPDK virtio-user (the lvdpa_vdpa frontend), modern, served directly
#   BE app/lvdpa-guest: zero features, big-endian rings: the relay serves it
#   LE app/lvdpa-guest: legacy feature set, little-endian: the device's
#      legacy mode serves it directly
# Every guest checks every frame it gets back (sequence and payload).
#   1. slow path: OVS switches every frame (p0 and the OVS flow count them,
#      no e-switch rule exists); the PMD's log says how it served the guest
#   2. hw-offload=true: per guest, a first run gets its flow offloaded
#      (dump-flows offloaded:yes), a second passes with p0's counters
#      still while the flow's and the e-switch rules' counters (the
#      representor's esw_rule_packets xstat) rise by exactly the frames
#   3. two guests through p0 and p1 (testpmd virtio-user reflecting)
#   4. cleanup: removing p1 takes its rules and its port; once the guests
#      are gone their flows age out and no e-switch rule is left; stopping
#      OVS (exit --cleanup) with a live rule closes everything; in a
#      sanitizer build, LeakSanitizer runs in vswitchd and any leak whose
#      stack has an lvdpa frame fails the test (OVS's and DPDK's own
#      allocations at exit are not ours to judge)
# The representors' xstats are read live through the EAL telemetry socket
# (lvdpa_ovs_xstats.py): OVS refreshes its statistics column every 5 s.
# Usage: test_ovs_dpdk.sh <driver .so> <virtio-user frontend> [lvdpa-guest]
# TAP on stdout (plan at the end). Runs as root; everything lives in a
# private directory and is removed by the EXIT trap, also on failure.

set -u
SO=$1
FE=$2
LG=${3:-}                  # app/lvdpa-guest (legacy guests), optional
N=400                      # frames per guest run
HERE=$(dirname "$(readlink -f "$0")")
XS=$HERE/lvdpa_ovs_xstats.py
# The system's interpreter: a wrapper (pyenv) can take seconds to start.
PY=/usr/bin/python3
[ -x $PY ] || PY=python3

TAPN=0
FAILED=0
ok() { TAPN=$((TAPN + 1)); echo "ok $TAPN - $*"; }
notok() { TAPN=$((TAPN + 1)); FAILED=1; echo "not ok $TAPN - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else notok "$what"; fi; }
skip() { ok "# SKIP $*"; }

for b in ovsdb-tool ovsdb-server ovs-vsctl ovs-appctl ovs-ofctl python3 \
	 /usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk; do
	if ! command -v "$b" >/dev/null; then
		echo "1..0 # SKIP $b not installed (openvswitch-switch-dpdk)"
		exit 0
	fi
done
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 0
fi

DIR=$(mktemp -d /tmp/lvdpa-ovs.XXXXXX)
PREFIX=lvdpa-ovs-$$
FEPREFIX=lvdpa-ovs-fe-$$
REFLPREFIX=lvdpa-ovs-refl-$$
RUNDIR=/var/run/dpdk/$PREFIX
export OVS_RUNDIR=$DIR OVS_LOGDIR=$DIR OVS_DBDIR=$DIR
VSCTL="ovs-vsctl --db=unix:$DIR/db.sock --timeout=20"
APPCTL="ovs-appctl -t $DIR/vswitchd.ctl"
OFCTL="ovs-ofctl --timeout=20"
MAC_V=02:00:00:00:00:01    # the frontend's source MAC (fixed)
MAC_BE=02:00:00:00:00:be
MAC_LE=02:00:00:00:00:1e
REFLPID=
FAST=0

# On meson's timeout (TERM) there is little time before its KILL: no
# graceful vswitchd exit then.
cleanup() {
	[ -n "$REFLPID" ] && pkill -P "$REFLPID" 2>/dev/null
	if [ -f "$DIR/ovsdb.pid" ]; then
		kill "$(cat "$DIR/ovsdb.pid")" 2>/dev/null
	fi
	if [ -f "$DIR/vswitchd.pid" ]; then
		local p; p=$(cat "$DIR/vswitchd.pid")
		if [ "$FAST" = 0 ] && kill -0 "$p" 2>/dev/null; then
			$APPCTL exit >/dev/null 2>&1
			for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		fi
		kill -9 "$p" 2>/dev/null
	fi
	if [ "$FAILED" != 0 ]; then
		echo "# vswitchd log tail:"
		tail -30 "$DIR/vswitchd.log" 2>/dev/null | sed 's/^/# /'
	fi
	rm -rf "$DIR" "$RUNDIR" "/var/run/dpdk/$FEPREFIX" "/var/run/dpdk/$REFLPREFIX"
}
trap cleanup EXIT
trap 'FAST=1; exit 1' TERM INT     # meson's timeout: still clean up

# A sanitizer build's driver needs the ASan runtime in the (plain) vswitchd:
# meson gives it in LVDPA_SAN_PRELOAD. LeakSanitizer then runs at its exit
# and writes its report to $DIR/lsan.<pid> (see lsan_ours), with DPDK's
# memory scanned too (LVDPA_SAN_LSAN_ROOTS, lvdpa_ovs_lsan_roots.c) and
# full stacks (OVS is built without frame pointers).
start_vswitchd() {
	env ${LVDPA_SAN_PRELOAD:+LD_PRELOAD="$LVDPA_SAN_PRELOAD ${LVDPA_SAN_LSAN_ROOTS:-}" \
		ASAN_OPTIONS=detect_leaks=1:log_path=$DIR/lsan:fast_unwind_on_malloc=0} \
	/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk unix:"$DIR/db.sock" \
		--pidfile="$DIR/vswitchd.pid" --detach --log-file="$DIR/vswitchd.log" \
		--unixctl="$DIR/vswitchd.ctl" >/dev/null 2>&1
}

# exit --cleanup: OVS deletes its bridges, closing (and unplugging) every
# DPDK port before it exits, as a clean shutdown should. LeakSanitizer's
# scan at exit takes seconds.
stop_vswitchd() {
	local p; p=$(cat "$DIR/vswitchd.pid")
	$APPCTL exit --cleanup >/dev/null 2>&1
	for _ in $(seq 600); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
	return 1
}

# Leak reports whose stack has an lvdpa frame (function or object name);
# prints them and fails when there is one.
lsan_ours() {
	local f found=0
	for f in "$DIR"/lsan.*; do
		[ -e "$f" ] || continue
		if awk '/^(Direct|Indirect) leak/ { if (b ~ /lvdpa/) { print b; n++ } b = $0; next }
			/^SUMMARY/ { next }
			{ b = b "\n" $0 }
			END { if (b ~ /lvdpa/ && b ~ /leak of/) { print b; n++ } exit n == 0 }' \
			"$f" > "$DIR/lsan-ours" 2>/dev/null; then
			sed 's/^/# /' "$DIR/lsan-ours" | head -40
			found=1
		fi
	done
	return $found
}

# Driver xstats, live, in one read: arguments PORT:XSTAT (PORT the ethdev's
# name), values on one line in that order; "absent" for a port not there.
P0=net_lvdpa_repr0
P1=net_lvdpa_repr1
xstats() { $PY "$XS" "$RUNDIR" "$@" 2>>"$DIR/xstats.err" | paste -sd ' '; }

# Live counters of p0 (the database copy is refreshed only every 5 s).
rx_of_p0() {
	$APPCTL dpctl/show -s 2>/dev/null | awk '/port [0-9]+: p0/ { f = 1; next }
		f && /RX packets:/ { sub(/.*RX packets:/, ""); print $1 + 0; exit }'
}

# Datapath flows of source MAC $1; "offloaded" / "slow" keeps only those.
flows_of() {
	local f
	f=$($APPCTL dpctl/dump-flows -m 2>/dev/null | grep "eth(src=$1")
	case ${2:-} in
	offloaded) echo "$f" | grep "offloaded:yes" ;;
	slow) echo "$f" | grep "dp:ovs" ;;
	*) echo "$f" ;;
	esac
}
pkts() { sed -n 's/.*packets:\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }'; }
flow_pkts_ge() { [ "$(flows_of "$1" "$2" | pkts)" -ge "$3" ]; }
has_offloaded() { flows_of "$1" offloaded | grep -q .; }
xstats_are() { local want=$1; shift; [ "$(xstats "$@")" = "$want" ]; }
no_flow_from() { ! $APPCTL dpctl/dump-flows 2>/dev/null | grep -q "in_port($1)"; }
p0_up() { [ "$($VSCTL get Interface p0 link_state 2>/dev/null)" = up ]; }
restart_vswitchd() { stop_vswitchd && start_vswitchd; }
only_p0_rules() {
	local r t
	read -r r t <<< "$(xstats $P0:esw_rules $P0:esw_rules_total)"
	[ -n "$r" ] && [ "$r" = "$t" ]
}

# Wait up to $1 tenths of a second for the command to succeed.
wait_for() {
	local n=$1; shift
	for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
	"$@"
}

# The OpenFlow rules (they do not survive a restart): each guest's frames
# back where they came from.
hairpin_flows() {
	local m
	$OFCTL del-flows br0
	for m in $MAC_V $MAC_BE $MAC_LE; do
		$OFCTL add-flow br0 "in_port=p0,dl_src=$m,actions=in_port"
	done
}

# One guest run: $1 = V, BE or LE; exit 0 when all N frames came back intact.
guest() {
	local rc
	case $1 in
	V) timeout 40 "$FE" "$DIR/guest0.sock" 1 0 "$N" "$FEPREFIX" > "$DIR/g.log" 2>&1 ;;
	BE) timeout 40 "$LG" --socket "$DIR/guest0.sock" --features zero --big-endian \
		--mac $MAC_BE --packets "$N" --size 64,1000,1514 --timeout 20000 --quiet \
		> "$DIR/g.log" 2>&1 ;;
	LE) timeout 40 "$LG" --socket "$DIR/guest0.sock" --features legacy \
		--mac $MAC_LE --packets "$N" --size 64,1000,1514 --timeout 20000 --quiet \
		> "$DIR/g.log" 2>&1 ;;
	esac
	rc=$?
	rm -rf "/var/run/dpdk/$FEPREFIX"
	sed "s/^/# guest $1: /" "$DIR/g.log" | tail -2
	return $rc
}
mac_of() { case $1 in V) echo $MAC_V ;; BE) echo $MAC_BE ;; LE) echo $MAC_LE ;; esac; }
what_of() {
	case $1 in
	V) echo "virtio-user guest" ;;
	BE) echo "legacy big-endian guest (zero features)" ;;
	LE) echo "legacy little-endian guest (legacy features)" ;;
	esac
}
# How the PMD says it served each guest (its INFO line at configuration).
served_re() {
	case $1 in
	V) echo 'configured: [0-9]+ vrings, features 0x[0-9a-f]+$' ;;
	BE) echo 'configured: .*\(relayed: a big-endian guest' ;;
	LE) echo 'configured: .*\(legacy: a little-endian guest, served by the device' ;;
	esac
}
served_count() { grep -cE "lvdpa0: vid [0-9]+ $(served_re "$1")" "$DIR/vswitchd.log"; }

GUESTS="V"
if [ -n "$LG" ]; then
	GUESTS="V BE LE"
fi

ovsdb-tool create "$DIR/conf.db" /usr/share/openvswitch/vswitch.ovsschema >/dev/null
ovsdb-server --remote=punix:"$DIR/db.sock" --pidfile="$DIR/ovsdb.pid" --detach \
	--log-file="$DIR/ovsdb.log" --unixctl="$DIR/ovsdb.ctl" "$DIR/conf.db"
$VSCTL --no-wait init
# pmd.vdpa.lvdpa at INFO: the PMD logs how it serves each guest.
$VSCTL --no-wait set Open_vSwitch . other_config:dpdk-init=true \
	"other_config:dpdk-extra=\"--no-huge --legacy-mem -m 1536 --no-pci --file-prefix=$PREFIX --log-level=pmd.vdpa.lvdpa:info -d $SO --vdev lvdpa0,queues=2,queue_size=256 --vdev lvdpa1,queues=2,queue_size=256\"" \
	other_config:dpdk-lcore-mask=0x1 other_config:pmd-cpu-mask=0x2 \
	other_config:per-port-memory=true
T0=$(date +%s.%N)
check "ovs-vswitchd-dpdk starts with the driver loaded by -d" start_vswitchd
check "bridge br0 (netdev datapath)" \
	$VSCTL add-br br0 -- set bridge br0 datapath_type=netdev
check "representor p0 hot-plugged by devargs" \
	$VSCTL add-port br0 p0 -- set Interface p0 type=dpdk \
	"options:dpdk-devargs=net_lvdpa_repr0,fn=0,vdpa=lvdpa0,vhost=$DIR/guest0.sock"
hairpin_flows
wait_for 50 p0_up
T1=$(date +%s.%N)
echo "# bring-up: $(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.2f", b - a }') s"
check "p0 link up, MTU 1500" test "$($VSCTL get Interface p0 link_state)" = up -a \
	"$($VSCTL get Interface p0 mtu)" = 1500
if [ "$FAILED" != 0 ]; then
	$VSCTL list Interface p0 2>&1 | grep -E "^(error|link_state|ofport|admin_state) " | sed 's/^/# /'
	grep -E "netdev_dpdk|lvdpa" "$DIR/vswitchd.log" | tail -10 | sed 's/^/# /'
fi
check "p0's xstats readable live (telemetry): no e-switch rule" \
	xstats_are 0 $P0:esw_rules_total

# ---- 1. slow path ----
for g in $GUESTS; do
	W=$(what_of $g)
	M=$(mac_of $g)
	RX0=$(rx_of_p0)
	S0=$(served_count $g)
	check "slow path, $W: $N frames switched back intact" guest $g
	# The first frame goes up to ovs-vswitchd (the upcall), not through
	# the datapath flow it installs.
	wait_for 30 flow_pkts_ge $M slow $((N - 1))
	RX1=$(rx_of_p0)
	F1=$(flows_of $M slow | pkts)
	echo "# p0 rx_packets $RX0 -> $RX1; OVS flow (dp:ovs) packets $F1"
	check "slow path, $W: p0 and OVS's flow counted them" \
		test $((RX1 - RX0)) -ge "$N" -a "$F1" -ge $((N - 1))
	check "slow path, $W: the PMD says how it served it" \
		test "$(served_count $g)" -gt "$S0"
	grep -E "lvdpa0: vid [0-9]+ configured" "$DIR/vswitchd.log" | tail -1 | sed 's/^/# /'
done
check "slow path: no e-switch rule, no rule hit" \
	xstats_are "0 0" $P0:esw_rules_total $P0:esw_rule_packets

# ---- 2. offload ----
$VSCTL --no-wait set Open_vSwitch . other_config:hw-offload=true
check "restart with hw-offload=true (exit --cleanup, start)" restart_vswitchd
wait_for 50 p0_up
hairpin_flows
for g in $GUESTS; do
	W=$(what_of $g)
	M=$(mac_of $g)
	check "offload, $W: frames pass, the first ones on the slow path" guest $g
	wait_for 30 has_offloaded $M
	flows_of $M | sed 's/^/# /'
	check "offload, $W: its datapath flow is offloaded (offloaded:yes)" has_offloaded $M
	RX2=$(rx_of_p0)
	E2=$(xstats $P0:esw_rule_packets)
	F2=$(flows_of $M offloaded | pkts)
	check "offload, $W: $N more frames come back intact" guest $g
	# OVS reads the rule's counter (rte_flow query) about once a second.
	wait_for 30 flow_pkts_ge $M offloaded $((F2 + N))
	RX3=$(rx_of_p0)
	E3=$(xstats $P0:esw_rule_packets)
	F3=$(flows_of $M offloaded | pkts)
	echo "# p0 rx_packets $RX2 -> $RX3; esw_rule_packets $E2 -> $E3; OVS flow packets $F2 -> $F3"
	check "offload, $W: p0's counters still, the e-switch rules' counters +$N" \
		test "$RX3" = "$RX2" -a $((E3 - E2)) -eq "$N"
	check "offload, $W: OVS's offloaded flow counted them" test $((F3 - F2)) -ge "$N"
done
if [ -z "$LG" ]; then
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do skip "no legacy guest tool"; done
fi
read -r R0 RT <<< "$(xstats $P0:esw_rules $P0:esw_rules_total)"
check "offload: p0 holds the e-switch rules ($R0), all of them" \
	test "${R0:-0}" -ge 1 -a "$R0" = "$RT"

# ---- 3. two guests: p0 <-> p1, the second guest reflects (testpmd macswap) ----
reflector_start() {
	# testpmd leaves when its stdin closes: keep it open with a sleeper.
	(sleep 60 | timeout 70 dpdk-testpmd --no-huge -m 256 --no-pci -l 0,1 \
		--file-prefix=$REFLPREFIX --log-level=lib.eal:error \
		--vdev "net_virtio_user0,path=$DIR/guest1.sock,queues=1" -- \
		--forward-mode=macswap --disable-link-check -a --total-num-mbufs=2048 > "$DIR/refl.log" 2>&1) &
	REFLPID=$!
	for _ in $(seq 50); do
		# Ready once the device serves its rings (testpmd's own output is
		# block-buffered in a file); testpmd's start, just after, drops
		# what its RX queue holds: wait.
		if grep -q "guest1.sock) virtio is now ready" "$DIR/vswitchd.log"; then
			sleep 1
			return 0
		fi
		sleep 0.1
	done
	sed 's/^/# reflector: /' "$DIR/refl.log" | tail -8
	return 1
}
reflector_stop() {
	pkill -P "$REFLPID" sleep 2>/dev/null
	wait "$REFLPID" 2>/dev/null
	REFLPID=
	rm -rf "/var/run/dpdk/$REFLPREFIX"
}
if command -v dpdk-testpmd >/dev/null; then
	check "second representor p1 (function 1)" $VSCTL add-port br0 p1 -- \
		set Interface p1 type=dpdk \
		"options:dpdk-devargs=net_lvdpa_repr1,fn=1,vdpa=lvdpa1,vhost=$DIR/guest1.sock"
	$OFCTL del-flows br0
	$OFCTL add-flow br0 "in_port=p0,actions=p1"
	$OFCTL add-flow br0 "in_port=p1,actions=p0"
	check "second guest (testpmd virtio-user, macswap) up" reflector_start
	check "guest A <-> guest B through the bridge: $N frames intact" guest V
	wait_for 30 sh -c "$APPCTL dpctl/dump-flows -m | grep 'offloaded:yes' | grep -q 'actions:p0'"
	$APPCTL dpctl/dump-flows -m > "$DIR/flows4" 2>&1
	sed 's/^/# /' "$DIR/flows4"
	check "both directions offloaded (actions:p1 and actions:p0)" \
		sh -c "grep 'offloaded:yes' '$DIR/flows4' | grep -q 'actions:p1' &&
		       grep 'offloaded:yes' '$DIR/flows4' | grep -q 'actions:p0'"

	# ---- 4a. removing a port (its guest still attached) ----
	# One read: idle flows of the earlier guests age out meanwhile.
	read -r R0 R1 RT <<< "$(xstats $P0:esw_rules $P1:esw_rules $P0:esw_rules_total)"
	echo "# before removing p1: esw_rules p0 $R0, p1 $R1, e-switch $RT"
	check "before removal: rules on p0 and on p1, none elsewhere" \
		test "${R1:-0}" -ge 1 -a "${R0:-0}" -ge 1 -a "$RT" = $((R0 + R1))
	check "p1 removed (its guest still connected)" $VSCTL del-port br0 p1
	check "p1's port is gone from DPDK" \
		xstats_are absent $P1:esw_rules
	check "p1's socket went with it" test ! -e "$DIR/guest1.sock"
	wait_for 30 no_flow_from p1
	check "no datapath flow from p1 left" no_flow_from p1
	# OVS turns p0's flows to p1 into drops: modified rules come and go.
	wait_for 30 only_p0_rules
	check "p1's rules left the e-switch: all that remain are p0's" only_p0_rules
	reflector_stop
else
	for _ in 1 2 3 4 5 6 7 8 9; do skip "no dpdk-testpmd"; done
fi

# ---- 4b. the guests gone: their flows age out, their rules with them ----
$VSCTL set Open_vSwitch . other_config:max-idle=500
wait_for 60 xstats_are "0 0" $P0:esw_rules_total $P0:esw_rules
check "guests gone: their flows aged out, no e-switch rule left" \
	xstats_are "0 0" $P0:esw_rules_total $P0:esw_rules
check "guests gone: no datapath flow left" \
	sh -c "[ -z \"\$($APPCTL dpctl/dump-flows)\" ]"
check "guests gone: p0 stays, link up" \
	test "$($VSCTL get Interface p0 link_state)" = up
$VSCTL remove Open_vSwitch . other_config max-idle

# ---- 4c. stopping OVS with a live rule ----
hairpin_flows
check "a guest again: frames pass, offloaded again" guest V
wait_for 30 has_offloaded $MAC_V
check "a live e-switch rule on p0 before OVS stops" \
	test "$(xstats $P0:esw_rules)" -ge 1
VSPID=$(cat "$DIR/vswitchd.pid")
check "OVS stops (exit --cleanup)" stop_vswitchd
# What is left to see: OVS's EAL is never cleaned up by OVS (no
# rte_eal_cleanup), so its runtime directory keeps config and mp_socket
# until the trap removes it; the telemetry socket goes at exit.
check "after OVS: no vswitchd, no guest socket, no telemetry socket" \
	sh -c "! kill -0 $VSPID 2>/dev/null && [ ! -e '$DIR/guest0.sock' ] &&
	       [ ! -e '$RUNDIR/dpdk_telemetry.v2' ]"
if [ -n "${LVDPA_SAN_PRELOAD:-}" ]; then
	ls "$DIR"/lsan.* >/dev/null 2>&1 && echo "# LeakSanitizer reports: $(ls "$DIR"/lsan.* | wc -l) (OVS's own leaks ignored)"
	check "LeakSanitizer in vswitchd: no leak with an lvdpa frame" lsan_ours
else
	skip "leak check: sanitizer build only"
fi
echo "1..$TAPN"
exit $FAILED
