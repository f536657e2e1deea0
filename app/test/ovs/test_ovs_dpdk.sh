#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The lvdpa authors
#
# OVS-DPDK with lvdpa: a private ovsdb-server and ovs-vswitchd-dpdk, our
# driver loaded with -d from the build tree, an lvdpa vDPA device (the model)
# whose representor p0 is hot-plugged into bridge br0 and also serves the
# guest's vhost-user socket. The guest (DPDK virtio-user, the lvdpa_vdpa
# frontend) sends numbered frames with a payload pattern; the bridge sends
# them back (in_port=p0 actions=in_port) and the guest checks every one.
#   1. slow path: OVS switches every frame (the representor and OVS count)
#   2. hw-offload=true: the datapath flow is offloaded into the e-switch
#      (dump-flows says offloaded:yes, the representor's counters stand
#      still, the rule's counters rise) and every frame still comes back
#   3. a legacy guest (app/lvdpa-guest: zero features, big-endian rings,
#      served through the relay) passes the same way, offloaded
#   4. teardown: port removed, OVS stopped; nothing left behind
# Usage: test_ovs_dpdk.sh <driver .so> <virtio-user frontend> [lvdpa-guest]
# TAP on stdout. Runs as root; everything lives in a private directory and
# is removed by the EXIT trap, also on failure.

set -u
SO=$1
FE=$2
LG=${3:-}                  # app/lvdpa-guest (legacy guest), optional
N=400                      # frames per guest run

TAPN=0
FAILED=0
ok() { TAPN=$((TAPN + 1)); echo "ok $TAPN - $*"; }
notok() { TAPN=$((TAPN + 1)); FAILED=1; echo "not ok $TAPN - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else notok "$what"; fi; }

for b in ovsdb-tool ovsdb-server ovs-vsctl ovs-appctl ovs-ofctl \
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

echo "1..22"
DIR=$(mktemp -d /tmp/lvdpa-ovs.XXXXXX)
PREFIX=lvdpa-ovs-$$
FEPREFIX=lvdpa-ovs-fe-$$
export OVS_RUNDIR=$DIR OVS_LOGDIR=$DIR OVS_DBDIR=$DIR
VSCTL="ovs-vsctl --db=unix:$DIR/db.sock --timeout=20"
APPCTL="ovs-appctl -t $DIR/vswitchd.ctl"
FEPID=

REFLPID=
cleanup() {
	[ -n "$FEPID" ] && kill "$FEPID" 2>/dev/null
	[ -n "$REFLPID" ] && pkill -P "$REFLPID" 2>/dev/null
	if [ -f "$DIR/vswitchd.pid" ]; then
		local p; p=$(cat "$DIR/vswitchd.pid")
		$APPCTL exit >/dev/null 2>&1
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	fi
	if [ -f "$DIR/ovsdb.pid" ]; then
		kill "$(cat "$DIR/ovsdb.pid")" 2>/dev/null
	fi
	if [ "$FAILED" != 0 ]; then
		echo "# vswitchd log tail:"
		tail -30 "$DIR/vswitchd.log" 2>/dev/null | sed 's/^/# /'
	fi
	rm -rf "$DIR" "/var/run/dpdk/$PREFIX" "/var/run/dpdk/$FEPREFIX" \
		"/var/run/dpdk/lvdpa-ovs-refl-$$"
}
trap cleanup EXIT
trap 'exit 1' TERM INT     # meson's timeout: still clean up

start_vswitchd() {
	# A sanitizer build's driver needs the ASan runtime in the (plain)
	# vswitchd: meson gives it in LVDPA_SAN_PRELOAD.
	env ${LVDPA_SAN_PRELOAD:+LD_PRELOAD=$LVDPA_SAN_PRELOAD ASAN_OPTIONS=detect_leaks=0} \
	/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk unix:"$DIR/db.sock" \
		--pidfile="$DIR/vswitchd.pid" --detach --log-file="$DIR/vswitchd.log" \
		--unixctl="$DIR/vswitchd.ctl" >/dev/null 2>&1
}

stop_vswitchd() {
	local p; p=$(cat "$DIR/vswitchd.pid")
	$APPCTL exit >/dev/null 2>&1
	for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
	return 1
}

# The guest: N frames out, each back intact; exit 0 then.
guest() {
	timeout 40 "$FE" "$DIR/guest0.sock" 1 0 "$N" "$FEPREFIX" > "$DIR/fe.log" 2>&1
	local rc=$?
	rm -rf "/var/run/dpdk/$FEPREFIX"
	sed 's/^/# guest: /' "$DIR/fe.log" | tail -2
	return $rc
}

# Live counters of p0 (the database copy is refreshed only every 5 s).
rx_of_p0() {
	$APPCTL dpctl/show -s 2>/dev/null | awk '/port [0-9]+: p0/ { f = 1; next }
		f && /RX packets:/ { sub(/.*RX packets:/, ""); print $1 + 0; exit }'
}

ovsdb-tool create "$DIR/conf.db" /usr/share/openvswitch/vswitch.ovsschema >/dev/null
ovsdb-server --remote=punix:"$DIR/db.sock" --pidfile="$DIR/ovsdb.pid" --detach \
	--log-file="$DIR/ovsdb.log" --unixctl="$DIR/ovsdb.ctl" "$DIR/conf.db"
$VSCTL --no-wait init
$VSCTL --no-wait set Open_vSwitch . other_config:dpdk-init=true \
	"other_config:dpdk-extra=\"--no-huge --legacy-mem -m 1536 --no-pci --file-prefix=$PREFIX -d $SO --vdev lvdpa0,queues=2,queue_size=256 --vdev lvdpa1,queues=2,queue_size=256\"" \
	other_config:dpdk-lcore-mask=0x1 other_config:pmd-cpu-mask=0x2 \
	other_config:per-port-memory=true
T0=$(date +%s.%N)
check "ovs-vswitchd-dpdk starts with the driver loaded by -d" start_vswitchd
check "bridge br0 (netdev datapath)" \
	$VSCTL add-br br0 -- set bridge br0 datapath_type=netdev
check "representor p0 hot-plugged by devargs" \
	$VSCTL add-port br0 p0 -- set Interface p0 type=dpdk \
	"options:dpdk-devargs=net_lvdpa_repr0,fn=0,vdpa=lvdpa0,vhost=$DIR/guest0.sock"
ovs-ofctl del-flows br0
ovs-ofctl add-flow br0 "in_port=p0,actions=in_port"
T1=$(date +%s.%N)
echo "# bring-up: $(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.2f", b - a }') s"
check "p0 link up, MTU 1500" test "$($VSCTL get Interface p0 link_state)" = up -a \
	"$($VSCTL get Interface p0 mtu)" = 1500

# ---- 1. slow path ----
RX0=$(rx_of_p0)
check "slow path: $N guest frames switched back intact" guest
RX1=$(rx_of_p0)
echo "# p0 rx_packets $RX0 -> $RX1"
check "slow path: the representor counted them" test $((RX1 - RX0)) -ge "$N"

# ---- 2. offload ----
$VSCTL --no-wait set Open_vSwitch . other_config:hw-offload=true
check "restart with hw-offload=true" sh -c "$(declare -f stop_vswitchd start_vswitchd); \
	DIR=$DIR APPCTL='$APPCTL'; stop_vswitchd && start_vswitchd"
for _ in $(seq 50); do
	[ "$($VSCTL get Interface p0 link_state 2>/dev/null)" = up ] && break
	sleep 0.1
done
$APPCTL vlog/set netdev_offload_dpdk:file:dbg >/dev/null
# OpenFlow rules do not survive a restart.
ovs-ofctl del-flows br0
ovs-ofctl add-flow br0 "in_port=p0,actions=in_port"
check "guest frames pass again, first ones on the slow path" guest
sleep 1
$APPCTL dpctl/dump-flows -m > "$DIR/flows" 2>&1
sed 's/^/# /' "$DIR/flows"
check "the datapath flow is offloaded (dump-flows: offloaded:yes)" \
	grep -q "offloaded:yes" "$DIR/flows"
RX2=$(rx_of_p0)
P0=$(grep "offloaded:yes" "$DIR/flows" | sed -n 's/.*packets:\([0-9]*\).*/\1/p' | head -1)
check "offloaded: $N more frames come back intact" guest
sleep 1
RX3=$(rx_of_p0)
$APPCTL dpctl/dump-flows -m > "$DIR/flows2" 2>&1
P1=$(grep "offloaded:yes" "$DIR/flows2" | sed -n 's/.*packets:\([0-9]*\).*/\1/p' | head -1)
echo "# p0 rx_packets $RX2 -> $RX3; offloaded flow packets ${P0:-?} -> ${P1:-?}"
check "offloaded: the representor's counters stand still, the rule's rise" \
	test "$RX3" = "$RX2" -a "${P1:-0}" -ge $((${P0:-0} + N))

# ---- 3. a legacy guest: zero features, big-endian, through the relay ----
legacy_guest() {
	timeout 40 "$LG" --socket "$DIR/guest0.sock" --features zero --big-endian \
		--packets "$N" --size 64,1000,1514 --timeout 20000 --quiet > "$DIR/lg.log" 2>&1
	local rc=$?
	sed 's/^/# legacy guest: /' "$DIR/lg.log" | tail -2
	return $rc
}
# Offloaded packets over all offloaded datapath flows.
offloaded_pkts() {
	$APPCTL dpctl/dump-flows -m 2>/dev/null | grep "offloaded:yes" |
		sed -n 's/.*packets:\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }'
}
if [ -n "$LG" ]; then
	RX4=$(rx_of_p0)
	P2=$(offloaded_pkts)
	check "legacy big-endian guest: $N frames switched back intact" legacy_guest
	sleep 1
	RX5=$(rx_of_p0)
	P3=$(offloaded_pkts)
	echo "# p0 rx_packets $RX4 -> $RX5; offloaded packets $P2 -> $P3"
	# The first frames of a new megaflow take the slow path, the rest not.
	check "legacy guest: its frames are switched by the e-switch" \
		test $((RX5 - RX4)) -lt 10 -a $((P3 - P2)) -ge $((N - 10))
else
	ok "# SKIP no legacy guest tool"
	ok "# SKIP no legacy guest tool"
fi

# ---- 4. two guests: p0 <-> p1, the second guest reflects (testpmd macswap) ----
REFLPREFIX=lvdpa-ovs-refl-$$
reflector_start() {
	# testpmd leaves when its stdin closes: keep it open with a sleeper.
	(sleep 60 | timeout 70 dpdk-testpmd --no-huge -m 256 --no-pci -l 0,1 \
		--file-prefix=$REFLPREFIX --log-level=lib.eal:error \
		--vdev "net_virtio_user0,path=$DIR/guest1.sock,queues=1" -- \
		--forward-mode=macswap --disable-link-check -a --total-num-mbufs=2048 > "$DIR/refl.log" 2>&1) &
	REFLPID=$!
	for _ in $(seq 50); do
		# Ready once the device serves its rings (testpmd's own output is
		# block-buffered in a file).
		# testpmd's start, just after, drops what its RX queue holds: wait.
		if grep -q "guest1.sock) virtio is now ready" "$DIR/vswitchd.log"; then
			sleep 1
			return 0
		fi
		sleep 0.1
	done
	sed 's/^/# reflector: /' "$DIR/refl.log" | tail -8
	return 1
}
if command -v dpdk-testpmd >/dev/null; then
	check "second representor p1 (function 1)" $VSCTL add-port br0 p1 -- \
		set Interface p1 type=dpdk \
		"options:dpdk-devargs=net_lvdpa_repr1,fn=1,vdpa=lvdpa1,vhost=$DIR/guest1.sock"
	ovs-ofctl del-flows br0
	ovs-ofctl add-flow br0 "in_port=p0,actions=p1"
	ovs-ofctl add-flow br0 "in_port=p1,actions=p0"
	check "second guest (testpmd virtio-user, macswap) up" reflector_start
	P4=$(offloaded_pkts)
	check "guest A <-> guest B through the bridge: $N frames intact" guest
	sleep 1
	$APPCTL dpctl/dump-flows -m > "$DIR/flows4" 2>&1
	P5=$(offloaded_pkts)
	echo "# offloaded packets $P4 -> $P5"
	check "both directions offloaded (actions:p1 and actions:p0)" \
		sh -c "grep 'offloaded:yes' '$DIR/flows4' | grep -q 'actions:p1' &&
		       grep 'offloaded:yes' '$DIR/flows4' | grep -q 'actions:p0'"
	pkill -P "$REFLPID" sleep 2>/dev/null
	wait "$REFLPID" 2>/dev/null
	REFLPID=
	rm -rf "/var/run/dpdk/$REFLPREFIX"
	# OpenFlow rules gone: the datapath flows and their e-switch rules go.
	ovs-ofctl del-flows br0
	for _ in $(seq 50); do
		$APPCTL dpctl/dump-flows -m 2>/dev/null | grep -q "offloaded:yes" || break
		sleep 0.2
	done
	check "flows deleted: no offloaded flow left" \
		sh -c "! $APPCTL dpctl/dump-flows -m | grep -q offloaded:yes"
	check "p1 removed" $VSCTL del-port br0 p1
else
	for _ in 1 2 3 4 5 6; do ok "# SKIP no dpdk-testpmd"; done
fi

# ---- 5. teardown ----
check "port removed" $VSCTL del-port br0 p0
check "its guest socket went with it" test ! -e "$DIR/guest0.sock"
check "OVS stops cleanly" stop_vswitchd
exit $FAILED
