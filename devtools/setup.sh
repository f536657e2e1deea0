#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Installs every package lvdpa needs (Debian 12) and builds it in ./build.
# Usage: devtools/setup.sh [extra meson options]
set -e
cd "$(dirname "$0")/.."

packages="build-essential pkg-config meson ninja-build python3 python3-pyelftools
	libdpdk-dev dpdk dpdk-doc rdma-core libibverbs-dev libnuma-dev
	clang libclang-rt-14-dev
	qemu-system-x86 busybox-static dpdk-dev xz-utils
	qemu-system-misc python3-matplotlib valgrind openvswitch-switch-dpdk
	iproute2 procps psmisc"
missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "lvdpa: installing$missing"
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO=sudo
	$SUDO apt-get update -q
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
fi

if [ ! -f build/build.ninja ]; then
	meson setup build "$@"
fi
ninja -C build
