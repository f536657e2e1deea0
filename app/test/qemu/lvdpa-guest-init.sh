#!/bin/busybox sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The lvdpa authors
#
# /init of the lvdpa test guest (busybox only). It loads the virtio-net
# modules, reports what the guest driver negotiated, pings the peer a bounded
# number of times, prints one result line per fact on the serial console and
# powers off. The host side (lvdpa-qemu-guest.sh) reads these lines:
#   LVDPA-GUEST: boot kernel <release>
#   LVDPA-GUEST: cpu <uname -m> endian <big|little>
#   LVDPA-GUEST: device <virtioN> pci <vendor>:<device> <legacy|modern> features 0x<hex> version_1 <yes|no>
#     (on s390x: device <virtioN> ccw <bus id> <cu type> <legacy|modern> ...)
#   LVDPA-GUEST: ping <peer> <ok|fail> <received>/<sent>   (or: skipped, lvdpa.count=0)
#   with lvdpa.relink=1, then: link down, link up, and a second ping line
#   LVDPA-GUEST: error <why>
#   LVDPA-GUEST: end
# Parameters come from the kernel command line:
#   lvdpa.ip=<addr/prefix> lvdpa.peer=<addr> lvdpa.count=<n> lvdpa.mtu=<n>
#   lvdpa.relink=1: after the pings, wait for the link to go down and come
#   back (the host restarts the backend), then ping again

# shellcheck disable=SC3057 # busybox ash has ${var:offset:length}
/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# The console may not have been open when the kernel started us.
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1

say() {
	echo "LVDPA-GUEST: $*"
}

finish() {
	say end
	sync
	poweroff -f
	# poweroff -f does not return; if it did, panic=-1 and -no-reboot end
	# the VM when init exits.
	exit 1
}

ip_arg=
peer=
count=5
mtu=
relink=0
for w in $(cat /proc/cmdline); do
	case "$w" in
	lvdpa.ip=*) ip_arg=${w#lvdpa.ip=} ;;
	lvdpa.peer=*) peer=${w#lvdpa.peer=} ;;
	lvdpa.count=*) count=${w#lvdpa.count=} ;;
	lvdpa.mtu=*) mtu=${w#lvdpa.mtu=} ;;
	lvdpa.relink=*) relink=${w#lvdpa.relink=} ;;
	esac
done

say "boot kernel $(uname -r)"
# The CPU's byte order, measured: two bytes 01 00 read as one native u16.
case $(printf '\001\000' | od -An -tu2 | tr -d ' ') in
1) endian=little ;;
256) endian=big ;;
*) endian=unknown ;;
esac
say "cpu $(uname -m) endian $endian"

# Modules in dependency order, written by the host from modules.dep.
while read -r m; do
	[ -n "$m" ] || continue
	insmod "/lib/modules/$m" || say "error insmod $m"
done </lib/modules/load-order

# The driver probes asynchronously to insmod: wait for the interface.
n=0
while [ ! -e /sys/class/net/eth0 ] && [ $n -lt 100 ]; do
	usleep 100000
	n=$((n + 1))
done
if [ ! -e /sys/class/net/eth0 ]; then
	say "error no eth0"
	finish
fi

# eth0's device is the virtio device; its parent is the transport's: a PCI
# function (vendor:device) or, on s390x, a channel subsystem device (bus id
# and control unit type, 3832/01 for virtio-net).
vdev=$(readlink -f /sys/class/net/eth0/device)
pdev=$(readlink -f "$vdev/..")
if [ -f "$pdev/cutype" ]; then
	where="ccw ${pdev##*/} $(cat "$pdev/cutype")"
else
	vendor=$(cat "$pdev/vendor" 2>/dev/null)
	device=$(cat "$pdev/device" 2>/dev/null)
	where="pci ${vendor#0x}:${device#0x}"
fi
# On PCI, transitional (legacy-capable) virtio-net is 0x1000, modern-only 0x1041;
# what the driver actually used shows in VERSION_1 (feature bit 32).
bits=$(cat "$vdev/features")
hi=0
lo=0
i=0
while [ $i -lt ${#bits} ] && [ $i -lt 64 ]; do
	if [ "${bits:$i:1}" = 1 ]; then
		if [ $i -lt 32 ]; then
			lo=$((lo | (1 << i)))
		else
			hi=$((hi | (1 << (i - 32))))
		fi
	fi
	i=$((i + 1))
done
if [ "${bits:32:1}" = 1 ]; then
	v1=yes
	mode=modern
else
	v1=no
	mode=legacy
fi
say "device ${vdev##*/} $where $mode features $(printf '0x%08x%08x' $hi $lo) version_1 $v1"

if [ -z "$ip_arg" ] || [ -z "$peer" ]; then
	say "error lvdpa.ip or lvdpa.peer missing"
	finish
fi
ip link set lo up
[ -n "$mtu" ] && ip link set eth0 mtu "$mtu"
ip addr add "$ip_arg" dev eth0
ip link set eth0 up

if [ "$count" = 0 ]; then
	say "ping $peer skipped"
	finish
fi
# Bounded: at most count replies waited for, the whole run within a deadline.
ping_round() {
	out=$(ping -c "$count" -i 0.2 -W 2 -w $((count + 10)) "$peer" 2>&1)
	echo "$out"
	sent=$(echo "$out" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
	recv=$(echo "$out" | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
	[ -n "$sent" ] || sent=0
	[ -n "$recv" ] || recv=0
	if [ "$recv" -gt 0 ] && [ "$recv" -eq "$sent" ]; then
		say "ping $peer ok $recv/$sent"
	else
		say "ping $peer fail $recv/$sent"
	fi
}

# wait_carrier 0|1 SECONDS: until eth0's carrier is that (virtio-net's
# STATUS: QEMU sets the link down while no vhost-user backend is there).
wait_carrier() {
	n=0
	while [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" != "$1" ]; do
		[ $n -ge $(($2 * 10)) ] && return 1
		usleep 100000
		n=$((n + 1))
	done
	return 0
}

ping_round
if [ "$relink" = 1 ]; then
	say "waiting for the link to go down"
	if ! wait_carrier 0 60; then
		say "error the link never went down"
		finish
	fi
	say "link down"
	if ! wait_carrier 1 60; then
		say "error the link did not come back"
		finish
	fi
	say "link up"
	# The peer's tap is a new one, with another MAC: forget the old one.
	ip neigh flush dev eth0 2>/dev/null
	# The new backend's first frames may race its start: one reply first.
	n=0
	until ping -c 1 -W 1 "$peer" >/dev/null 2>&1; do
		n=$((n + 1))
		[ $n -ge 20 ] && break
	done
	ping_round
fi
finish
