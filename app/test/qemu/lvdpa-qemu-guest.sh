#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The lvdpa authors
#
# Boots a real small Linux guest (Debian's kernel, a busybox initramfs) under
# QEMU/TCG with one virtio-net device on a vhost-user socket, and checks what
# the guest's own virtio driver negotiated and whether it can ping a peer
# through the backend. Works against any vhost-user backend: DPDK's net_vhost,
# the lvdpa sample application, ... Two guests: x86_64 (little endian,
# virtio-net-pci) and s390x (big endian, virtio-net-ccw): a big-endian legacy
# guest makes QEMU ask the backend for VHOST_USER_PROTOCOL_F_CROSS_ENDIAN and
# send SET_VRING_ENDIAN.
#
# Usage: lvdpa-qemu-guest.sh --legacy|--modern --socket PATH [options]
#   --arch ARCH       x86_64 (default) or s390x
#   --legacy          x86_64: transitional device, legacy interface only
#                     (disable-modern=on), pci id 1af4:1000; s390x: virtio-ccw
#                     revision 0 (max_revision=0). The guest driver must not
#                     negotiate VERSION_1; on s390x the guest must be big endian
#   --modern          x86_64: modern-only device (disable-legacy=on, 1af4:1041);
#                     s390x: virtio-ccw revision 1 or later. VERSION_1
#   --socket PATH     vhost-user socket
#   --client          QEMU connects to a listening backend (default); the
#                     socket is waited for up to --wait-socket seconds
#   --server          QEMU listens on PATH and waits for the backend to connect
#                     (and for the next one when it goes: QEMU keeps listening)
#   --reconnect SEC   client mode: QEMU's chardev retries a lost backend every
#                     SEC seconds (reconnect=SEC)
#   --relink          after the pings, the guest waits for its link to go down
#                     and up again (the backend killed and restarted: QEMU sets
#                     the link down while no backend is connected) and pings
#                     again; both rounds must pass
#   --ip ADDR/LEN     guest address (default 198.18.0.2/24, RFC 2544 test range)
#   --peer ADDR       address pinged (default 198.18.0.1)
#   --count N         pings sent (default 5); 0: no ping, check negotiation only
#   --mac MAC         guest MAC (default 52:54:00:4c:56:01)
#   --timeout SEC     hard limit on QEMU's run time (default 240)
#   --wait-socket SEC in client mode, wait that long for PATH (default 30)
#   --cache DIR       artifact cache (default $LVDPA_QEMU_CACHE; one is required)
#   --log FILE        keep the guest's serial console there (default: a temp file,
#                     printed on failure)
#   --qemu-log FILE   keep QEMU's own output (stdout and stderr) there
#   --machine TYPE    x86_64: pc (default) or q35; s390x: s390-ccw-virtio
#   --append ARGS     more kernel parameters (e.g. "loglevel=7" without quiet: --verbose)
#   --device-opts OPTS more virtio-net-pci/-ccw properties, e.g. to offer a legacy
#                     guest few features: "csum=off,guest_csum=off,mrg_rxbuf=off,
#                     event_idx=off,indirect_desc=off,ctrl_vq=off,status=off"
#   --expect-features HEX  fail unless the guest negotiated exactly these
#                     feature bits (e.g. 0x20: VIRTIO_NET_F_MAC only)
#   --qemu-arg ARG    one more QEMU argument (repeatable)
#   --verbose         kernel messages on the serial log (no "quiet")
#   --prepare         only build the cached kernel/initramfs, then exit
#   --no-pvh          x86_64: boot Debian's compressed bzImage instead of the
#                     extracted vmlinux (PVH entry), about 10 s slower under TCG
# Environment: LVDPA_QEMU_CACHE (cache), LVDPA_QEMU_KERNEL_PKG (kernel package
# name instead of the one linux-image-<amd64|s390x> depends on), LVDPA_QEMU_BIN.
#
# Output: the guest's "LVDPA-GUEST: ..." lines, then one line
#   lvdpa-qemu-guest: PASS <mode> <seconds>s   or   lvdpa-qemu-guest: FAIL <why>
# Exit: 0 pass, 1 guest-side failure, 2 usage, 3 timeout, 4 environment.

set -u -o pipefail

self_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
init_script=$self_dir/lvdpa-guest-init.sh

arch=x86_64
mode=
sock=
server=0
reconnect=0
relink=0
guest_ip=198.18.0.2/24
peer=198.18.0.1
count=5
mac=52:54:00:4c:56:01
tmo=240
wait_sock=30
cache=${LVDPA_QEMU_CACHE:-}
log=
qemu_log=
machine=
append=
verbose=0
prepare=0
pvh=1
devopts=
expect_feat=
qemu_extra=()

usage() {
	sed -n '/^# Usage:/,/^# Exit:/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

die() {
	local rc=$1
	shift
	echo "lvdpa-qemu-guest: FAIL $*"
	exit "$rc"
}

while [ $# -gt 0 ]; do
	case "$1" in
	--arch) arch=${2:?}; shift ;;
	--legacy) mode=legacy ;;
	--modern) mode=modern ;;
	--socket) sock=${2:?}; shift ;;
	--server) server=1 ;;
	--client) server=0 ;;
	--reconnect) reconnect=${2:?}; shift ;;
	--relink) relink=1 ;;
	--ip) guest_ip=${2:?}; shift ;;
	--peer) peer=${2:?}; shift ;;
	--count) count=${2:?}; shift ;;
	--mac) mac=${2:?}; shift ;;
	--timeout) tmo=${2:?}; shift ;;
	--wait-socket) wait_sock=${2:?}; shift ;;
	--cache) cache=${2:?}; shift ;;
	--log) log=${2:?}; shift ;;
	--qemu-log) qemu_log=${2:?}; shift ;;
	--machine) machine=${2:?}; shift ;;
	--append) append=${2:?}; shift ;;
	--device-opts) devopts=,${2:?}; shift ;;
	--expect-features) expect_feat=${2:?}; shift ;;
	--qemu-arg) qemu_extra+=("${2:?}"); shift ;;
	--verbose) verbose=1 ;;
	--prepare) prepare=1 ;;
	--no-pvh) pvh=0 ;;
	-h|--help) usage ;;
	*) echo "lvdpa-qemu-guest: unknown option $1" >&2; usage ;;
	esac
	shift
done

[ -n "$cache" ] || { echo "lvdpa-qemu-guest: --cache or LVDPA_QEMU_CACHE required" >&2; usage; }
if [ $prepare = 0 ]; then
	[ -n "$mode" ] || { echo "lvdpa-qemu-guest: --legacy or --modern required" >&2; usage; }
	[ -n "$sock" ] || { echo "lvdpa-qemu-guest: --socket required" >&2; usage; }
fi
case "$count" in ''|*[!0-9]*) usage ;; esac
case "$tmo" in ''|*[!0-9]*) usage ;; esac
case "$reconnect" in ''|*[!0-9]*) usage ;; esac

# Per guest architecture: Debian's name for it, QEMU, the kernel modules
# loaded (roots; their dependencies follow from modules.dep), the console.
case "$arch" in
x86_64|amd64)
	arch=x86_64
	deb_arch=amd64
	qemu_pkg=qemu-system-x86
	# The PCI transport and the net driver; virtio, virtio_ring,
	# virtio_pci_*_dev, failover and net_failover come as dependencies.
	root_modules="virtio_pci virtio_net"
	console=ttyS0
	[ -n "$machine" ] || machine=pc
	;;
s390x)
	deb_arch=s390x
	qemu_pkg=qemu-system-misc
	# virtio, virtio_ring and the ccw transport are built in
	# (CONFIG_S390_GUEST=y).
	root_modules="virtio_net"
	# The SCLP VT220 console: QEMU's s390x -serial.
	console=ttysclp0
	[ -n "$machine" ] || machine=s390-ccw-virtio
	# PVH is an x86 boot protocol.
	pvh=0
	;;
*)
	echo "lvdpa-qemu-guest: --arch x86_64 or s390x" >&2
	usage
	;;
esac
qemu_bin=${LVDPA_QEMU_BIN:-qemu-system-$arch}

for t in "$qemu_bin" gzip xz flock timeout dpkg-deb apt-get apt-cache; do
	command -v "$t" >/dev/null ||
		die 4 "$t not found (devtools/setup.sh installs $qemu_pkg, busybox-static)"
done
# The host's busybox-static runs depmod and cpio; on x86_64 it is also the
# guest's (a dynamic one has no libc in the initramfs). Other guests get
# busybox-static of their architecture, fetched into the cache.
host_busybox=/bin/busybox
[ -x "$host_busybox" ] || die 4 "$host_busybox not found (busybox-static)"
busybox_bin=$host_busybox

tmp=
qpid=
cleanup() {
	local rc=$?
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill -TERM "$qpid" 2>/dev/null
		wait "$qpid" 2>/dev/null
	fi
	[ $server = 1 ] && [ -n "$sock" ] && rm -f "$sock"
	[ -n "$tmp" ] && rm -rf "$tmp"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$cache" || die 4 "cannot create $cache"
cache=$(cd "$cache" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lvdpa-qemu-guest.XXXXXX") || die 4 "mktemp"

# --- artifacts -------------------------------------------------------------

# apt for the guest's packages. The host's own architecture uses the host's
# apt as it is. Another one gets a private apt state in the cache: its own
# package lists (fetched from the host's sources, with the host's apt
# settings), cache and an empty dpkg status, and that architecture as apt's
# only one. Neither the host's dpkg (no foreign architecture added) nor its
# apt lists change. The host's update and dpkg hooks (they refresh the host's
# own caches) are cleared: APT_CONFIG names a main file read after the
# host's apt.conf.d.
apt_opts=()
apt_dir=
if [ "$deb_arch" != "$(dpkg --print-architecture)" ]; then
	apt_dir=$cache/apt-$deb_arch
	apt_opts=(-o "APT::Architecture=$deb_arch" -o "APT::Architectures::=$deb_arch"
		-o "Dir::State=$apt_dir" -o "Dir::State::Lists=$apt_dir/lists"
		-o "Dir::State::status=$apt_dir/status" -o "Dir::Cache=$apt_dir/cache"
		-o "Dir::Etc::preferencesparts=$apt_dir/preferences.d"
		-o APT::Sandbox::User=root -o Debug::NoLocking=1)
fi

# apt_run apt-get|apt-cache ARGS...: with the private state when there is one.
apt_run() {
	local tool=$1
	shift
	if [ -n "$apt_dir" ]; then
		APT_CONFIG=$apt_dir/apt-config "$tool" "${apt_opts[@]}" "$@"
	else
		"$tool" "$@"
	fi
}

# Private lists are fetched when missing, and refreshed by --prepare when a
# day old. A failed update leaves the previous lists (or none) in place.
apt_update() {
	[ -n "$apt_dir" ] || return 0
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" \
		"$apt_dir/preferences.d" || return 1
	[ -f "$apt_dir/status" ] || : > "$apt_dir/status"
	printf '#clear %s;\n' APT::Update::Pre-Invoke APT::Update::Post-Invoke \
		APT::Update::Post-Invoke-Success DPkg::Pre-Invoke DPkg::Post-Invoke \
		> "$apt_dir/apt.conf" &&
		printf 'Dir::Etc::main "%s/apt.conf";\n' "$apt_dir" > "$apt_dir/apt-config" ||
		return 1
	if ls "$apt_dir/lists/"*_Packages* >/dev/null 2>&1; then
		[ $prepare = 1 ] || return 0
		[ -z "$(find "$apt_dir/lists" -maxdepth 1 -name '*_Packages*' -mmin +1440)" ] &&
			return 0
	fi
	echo "lvdpa-qemu-guest: apt-get update for $deb_arch into $apt_dir" >&2
	LC_ALL=C apt_run apt-get -q update >&2 ||
		echo "lvdpa-qemu-guest: apt-get update for $deb_arch failed" >&2
}

kernel_pkg() {
	if [ -n "${LVDPA_QEMU_KERNEL_PKG:-}" ]; then
		echo "$LVDPA_QEMU_KERNEL_PKG"
		return
	fi
	LC_ALL=C apt_run apt-cache depends "linux-image-$deb_arch" 2>/dev/null |
		sed -n "s/^ *Depends: \(linux-image-[0-9][^ ]*-$deb_arch\)\$/\1/p" |
		head -n 1
}

# busybox-static of a foreign architecture: cache/busybox-<arch>/{busybox,version}.
# A boot uses what is cached; --prepare fetches apt's candidate when it differs.
prepare_busybox() {
	local dir=$cache/busybox-$deb_arch cand='' w
	busybox_bin=$dir/busybox
	if [ -x "$busybox_bin" ]; then
		[ $prepare = 1 ] || return 0
		cand=$(LC_ALL=C apt_run apt-cache policy busybox-static 2>/dev/null |
			sed -n 's/^ *Candidate: //p')
		[ -z "$cand" ] || [ "$cand" = "$(cat "$dir/version" 2>/dev/null)" ] &&
			return 0
	fi
	w=$(mktemp -d "$cache/.busybox.XXXXXX") || return 1
	echo "lvdpa-qemu-guest: fetching busybox-static:$deb_arch into $cache" >&2
	( cd "$w" && apt_run apt-get download -q -o APT::Sandbox::User=root \
		busybox-static >&2 ) ||
		{ rm -rf "$w"; echo "apt-get download busybox-static ($deb_arch) failed" >&2; return 1; }
	dpkg-deb -x "$w"/*.deb "$w/x" && [ -f "$w/x/bin/busybox" ] ||
		{ rm -rf "$w"; echo "no busybox in busybox-static ($deb_arch)" >&2; return 1; }
	mkdir -p "$w/out"
	cp "$w/x/bin/busybox" "$w/out/busybox" && chmod 0755 "$w/out/busybox" &&
		dpkg-deb -f "$w"/*.deb Version > "$w/out/version" ||
		{ rm -rf "$w"; return 1; }
	rm -rf "$dir"
	mv "$w/out" "$dir" && rm -rf "$w"
}

# Writes the module load order (paths relative to lib/modules/<ver>) for the
# root modules: dependencies first, each once.
module_order() {
	local dep=$1
	local -A done_m=()
	local order=()
	visit() {
		local path=$1 line d
		[ -n "${done_m[$path]:-}" ] && return
		done_m[$path]=1
		line=$(grep -m1 "^$path:" "$dep") || {
			echo "module $path not in modules.dep" >&2
			return 1
		}
		for d in ${line#*:}; do
			visit "$d" || return 1
		done
		order+=("$path")
	}
	local m p
	for m in $root_modules; do
		p=$(grep -m1 -o "^[^:]*/$m\.ko\(\.[gx]z\|\.zst\)\{0,1\}:" "$dep") || {
			echo "module $m not in this kernel" >&2
			return 1
		}
		visit "${p%:}" || return 1
	done
	printf '%s\n' "${order[@]}"
}

# cache/<package>/{vmlinuz,release,load-order,modules/}: kept from one
# extraction of the package, which is then removed (it is 400 MB unpacked).
prepare_kernel() {
	local pkg=$1 dir w x rel m
	dir=$cache/$pkg
	[ -f "$dir/vmlinuz" ] && [ -f "$dir/load-order" ] && return 0
	w=$(mktemp -d "$cache/.kernel.XXXXXX") || return 1
	echo "lvdpa-qemu-guest: fetching $pkg into $cache" >&2
	( cd "$w" && apt_run apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2 ) ||
		{ rm -rf "$w"; echo "apt-get download $pkg failed" >&2; return 1; }
	x=$w/x
	dpkg-deb -x "$w"/*.deb "$x" || { rm -rf "$w"; return 1; }
	rel=$(ls "$x/lib/modules" | head -n 1)
	[ -n "$rel" ] && [ -f "$x/boot/vmlinuz-$rel" ] ||
		{ rm -rf "$w"; echo "no kernel in $pkg" >&2; return 1; }
	# The package ships no modules.dep (depmod runs at install): make one
	# inside the extracted tree, never in the host's /lib/modules.
	"$host_busybox" depmod -b "$x" "$rel" || { rm -rf "$w"; return 1; }
	mkdir -p "$w/out/modules"
	module_order "$x/lib/modules/$rel/modules.dep" > "$w/out/load-order.path" ||
		{ rm -rf "$w"; return 1; }
	: > "$w/out/load-order"
	while read -r m; do
		case "$m" in
		*.ko) cp "$x/lib/modules/$rel/$m" "$w/out/modules/" ;;
		*.ko.xz) xz -dc "$x/lib/modules/$rel/$m" > "$w/out/modules/$(basename "${m%.xz}")" ;;
		*.ko.zst) zstd -qdc "$x/lib/modules/$rel/$m" > "$w/out/modules/$(basename "${m%.zst}")" ;;
		*.ko.gz) gzip -dc "$x/lib/modules/$rel/$m" > "$w/out/modules/$(basename "${m%.gz}")" ;;
		esac || { rm -rf "$w"; return 1; }
		m=$(basename "$m")
		echo "${m%.ko*}.ko" >> "$w/out/load-order"
	done < "$w/out/load-order.path"
	cp "$x/boot/vmlinuz-$rel" "$w/out/vmlinuz" || { rm -rf "$w"; return 1; }
	echo "$rel" > "$w/out/release"
	for m in "$w"/*.deb; do basename "$m"; done > "$w/out/package"
	rm -rf "$dir"
	mv "$w/out" "$dir" && rm -rf "$w"
}

# The initramfs is named after a hash of everything in it, so that a changed
# /init or busybox rebuilds it.
prepare_initramfs() {
	local kdir=$1 h r m
	h=$( { cat "$init_script" "$kdir/load-order" "$kdir/release";
		sha256sum "$busybox_bin"; } | sha256sum | cut -c1-16)
	initrd=$kdir/initramfs-$h.cpio.gz
	[ -f "$initrd" ] && return 0
	r=$(mktemp -d "$cache/.initramfs.XXXXXX") || return 1
	mkdir -p "$r/root/bin" "$r/root/dev" "$r/root/proc" "$r/root/sys" \
		"$r/root/tmp" "$r/root/lib/modules"
	cp "$busybox_bin" "$r/root/bin/busybox"
	cp "$init_script" "$r/root/init"
	chmod 0755 "$r/root/init" "$r/root/bin/busybox"
	cp "$kdir/load-order" "$r/root/lib/modules/"
	while read -r m; do
		cp "$kdir/modules/$m" "$r/root/lib/modules/" || { rm -rf "$r"; return 1; }
	done < "$kdir/load-order"
	# The kernel's built-in initramfs already has /dev/console; add one
	# when we can, /init also reopens it after mounting devtmpfs.
	mknod "$r/root/dev/console" c 5 1 2>/dev/null
	( cd "$r/root" && find . | LC_ALL=C sort | "$host_busybox" cpio -o -H newc 2>/dev/null ) |
		gzip -9n > "$r/initramfs.cpio.gz" || { rm -rf "$r"; return 1; }
	# Older images (another /init or busybox) are of no further use.
	rm -f "$kdir"/initramfs-*.cpio.gz
	mv "$r/initramfs.cpio.gz" "$initrd" && rm -rf "$r"
}

# An uncompressed ELF vmlinux boots through PVH (Debian sets CONFIG_PVH):
# QEMU loads it directly, which saves the guest's own decompression (about
# 10 s under TCG). Debian compresses bzImage with xz.
prepare_vmlinux() {
	local kdir=$1 off
	[ -f "$kdir/vmlinux" ] && return 0
	off=$(LC_ALL=C grep -abo $'\xfd7zXZ\x00' "$kdir/vmlinuz" | head -n 1 | cut -d: -f1)
	[ -n "$off" ] || return 1
	# xz stops at the end of its stream: tail's SIGPIPE is no error.
	( set +o pipefail; tail -c +$((off + 1)) "$kdir/vmlinuz" |
		xz -dc --single-stream > "$kdir/vmlinux.tmp" 2>/dev/null ) ||
		{ rm -f "$kdir/vmlinux.tmp"; return 1; }
	[ "$(head -c 4 "$kdir/vmlinux.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] ||
		{ rm -f "$kdir/vmlinux.tmp"; return 1; }
	mv "$kdir/vmlinux.tmp" "$kdir/vmlinux"
}

newest_cached() {
	local k
	k=$(cd "$cache" && ls -d linux-image-*-"$deb_arch"/vmlinuz 2>/dev/null |
		sort -V | tail -n 1)
	echo "${k%/vmlinuz}"
}

prepare_all() {
	local pkg='' kdir
	apt_update || return 1
	if [ -n "$apt_dir" ]; then
		prepare_busybox || return 1
	fi
	# A boot reuses the cached kernel; --prepare (which the tests run once)
	# asks apt for the current package, so that a kernel update is fetched.
	[ $prepare = 1 ] || [ -n "${LVDPA_QEMU_KERNEL_PKG:-}" ] || pkg=$(newest_cached)
	[ -n "$pkg" ] || pkg=$(kernel_pkg)
	if [ -z "$pkg" ]; then
		# No apt lists (apt-get update never ran): use what is cached.
		pkg=$(newest_cached)
		[ -n "$pkg" ] || { echo "no kernel package known: run apt-get update" >&2; return 1; }
	fi
	prepare_kernel "$pkg" || return 1
	kdir=$cache/$pkg
	# A superseded kernel package (of this architecture) is of no further use.
	local d
	for d in "$cache"/linux-image-*-"$deb_arch"; do
		[ -d "$d" ] && [ "$d" != "$kdir" ] && rm -rf "$d"
	done
	kernel=$kdir/vmlinuz
	if [ $pvh = 1 ]; then
		prepare_vmlinux "$kdir" && kernel=$kdir/vmlinux ||
			echo "lvdpa-qemu-guest: no vmlinux for PVH, booting bzImage" >&2
	fi
	prepare_initramfs "$kdir" || return 1
}

kernel=
initrd=
# Several tests may prepare the same cache at once: one at a time.
exec 9>"$cache/.lock"
flock -w 600 9 || die 4 "cache $cache locked for 600 s"
t_prep=$SECONDS
prepare_all || die 4 "cannot prepare guest artifacts in $cache"
exec 9>&-
[ $((SECONDS - t_prep)) -gt 2 ] &&
	echo "lvdpa-qemu-guest: artifacts ready in $((SECONDS - t_prep)) s: $kernel $initrd" >&2

if [ $prepare = 1 ]; then
	echo "lvdpa-qemu-guest: kernel $kernel"
	echo "lvdpa-qemu-guest: initramfs $initrd ($(stat -c %s "$initrd") bytes)"
	exit 0
fi

# --- run -------------------------------------------------------------------

if [ $server = 0 ]; then
	n=0
	while [ ! -S "$sock" ] && [ $n -lt $((wait_sock * 10)) ]; do
		sleep 0.1
		n=$((n + 1))
	done
	[ -S "$sock" ] || die 4 "no vhost-user socket at $sock"
	chardev="socket,id=c0,path=$sock"
	[ "$reconnect" -gt 0 ] && chardev="$chardev,reconnect=$reconnect"
else
	rm -f "$sock"
	chardev="socket,id=c0,path=$sock,server=on,wait=on"
fi

[ -n "$log" ] || log=$tmp/serial.log
: > "$log"
[ -n "$qemu_log" ] || qemu_log=$tmp/qemu.out
: > "$qemu_log"
cmdline="console=$console panic=-1 lvdpa.ip=$guest_ip lvdpa.peer=$peer lvdpa.count=$count"
[ $verbose = 1 ] || cmdline="$cmdline quiet"
[ $relink = 1 ] && cmdline="$cmdline lvdpa.relink=1"
[ -n "$append" ] && cmdline="$cmdline $append"

# shellcheck disable=SC2054 # commas inside QEMU option values
# vhost-user needs guest memory the backend can map (shared memfd).
if [ $arch = x86_64 ]; then
	if [ $mode = legacy ]; then
		devmode="disable-modern=on,disable-legacy=off"
	else
		devmode="disable-legacy=on,disable-modern=off"
	fi
	# Under TCG, QEMU 7.2 crashes at DRIVER_OK with MSI-X and vhost-user:
	# vectors=0.
	qemu_machine=(-machine "$machine"
		-object memory-backend-memfd,id=mem,size=512M,share=on
		-numa node,memdev=mem)
	netdev="virtio-net-pci,netdev=n0,mac=$mac,vectors=0,$devmode$devopts"
else
	# Revision 0 is virtio 0.9.5 over ccw: no VERSION_1, guest byte order.
	devmode=
	[ $mode = legacy ] && devmode=",max_revision=0"
	# No NUMA on this machine: the memfd is the machine's RAM directly.
	qemu_machine=(-machine "$machine,memory-backend=mem"
		-object memory-backend-memfd,id=mem,size=512M,share=on)
	netdev="virtio-net-ccw,netdev=n0,mac=$mac$devmode$devopts"
fi
# shellcheck disable=SC2054 # commas inside QEMU option values
qemu_cmd=("$qemu_bin" -nodefaults -no-user-config "${qemu_machine[@]}" -accel tcg
	-smp 1 -m 512
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline"
	-chardev "$chardev"
	-netdev vhost-user,id=n0,chardev=c0
	-device "$netdev"
	-display none -monitor none -serial "file:$log" -no-reboot
	"${qemu_extra[@]}")

t0=$SECONDS
timeout -k 5 "$tmo" "${qemu_cmd[@]}" > "$qemu_log" 2>&1 &
qpid=$!
wait "$qpid"
qrc=$?
qpid=
dt=$((SECONDS - t0))

lines=$(tr -d '\r' < "$log" | grep -a '^LVDPA-GUEST: ')
[ -n "$lines" ] && echo "$lines"

fail() {
	echo "lvdpa-qemu-guest: FAIL $mode: $2 (qemu exit $qrc, ${dt}s)"
	{
		echo "--- qemu output"
		tail -n 20 "$qemu_log"
		echo "--- guest serial console (last 40 lines of $log)"
		tr -d '\r' < "$log" | tail -n 40
		echo "---"
	} >&2
	exit "$1"
}

[ $qrc = 124 ] || [ $qrc = 137 ] && fail 3 "timeout after ${tmo}s"
echo "$lines" | grep -q '^LVDPA-GUEST: end$' || fail 1 "guest did not finish (qemu exit $qrc)"
echo "$lines" | grep -q '^LVDPA-GUEST: error' && fail 1 "guest reported an error"
dev=$(echo "$lines" | grep -m1 '^LVDPA-GUEST: device ') || fail 1 "no virtio-net device in the guest"
if [ $arch = x86_64 ]; then
	if [ $mode = legacy ]; then
		echo "$dev" | grep -q ' pci 1af4:1000 legacy .* version_1 no$' ||
			fail 1 "expected a legacy device without VERSION_1"
	else
		echo "$dev" | grep -q ' pci 1af4:1041 modern .* version_1 yes$' ||
			fail 1 "expected a modern device with VERSION_1"
	fi
else
	# 3832/01: control unit type of virtio, model 1 (net).
	if [ $mode = legacy ]; then
		echo "$dev" | grep -q ' ccw [0-9a-f.]* 3832/01 legacy .* version_1 no$' ||
			fail 1 "expected a legacy virtio-ccw net device without VERSION_1"
	else
		echo "$dev" | grep -q ' ccw [0-9a-f.]* 3832/01 modern .* version_1 yes$' ||
			fail 1 "expected a modern virtio-ccw net device with VERSION_1"
	fi
	echo "$lines" | grep -q '^LVDPA-GUEST: cpu s390x endian big$' ||
		fail 1 "expected a big-endian s390x guest"
fi
if [ -n "$expect_feat" ]; then
	got=$(echo "$dev" | sed -n 's/.* features \(0x[0-9a-f]*\) .*/\1/p')
	[ -n "$got" ] && [ $((got)) = $((expect_feat)) ] ||
		fail 1 "features $got, expected $expect_feat"
fi
if [ "$count" -gt 0 ]; then
	echo "$lines" | grep -q "^LVDPA-GUEST: ping $peer ok $count/$count$" ||
		fail 1 "ping $peer failed"
fi
if [ $relink = 1 ]; then
	echo "$lines" | grep -q '^LVDPA-GUEST: link down$' ||
		fail 1 "the guest never saw its link go down"
	echo "$lines" | grep -q '^LVDPA-GUEST: link up$' ||
		fail 1 "the guest's link did not come back"
	[ "$count" = 0 ] ||
		[ "$(echo "$lines" | grep -c "^LVDPA-GUEST: ping $peer ok $count/$count$")" = 2 ] ||
		fail 1 "ping $peer failed after the link came back"
fi
echo "lvdpa-qemu-guest: PASS $mode ${dt}s"
exit 0
