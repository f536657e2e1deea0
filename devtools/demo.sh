#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Installs every package, builds lvdpa, and runs the demo on the embedded
# device model:
#  1. the model alone moves packets through a synthetic guest;
#  2. the sample app serves legacy guests (lvdpa-guest frontend) with the PMD
#     on the model, then shows their negotiated state and the queue counters.
set -e
cd "$(dirname "$0")/.."
devtools/setup.sh >/dev/null
top=$PWD

echo "== 1. the device model, driven through the DevX command layer"
build/app/lvdpa-demo/lvdpa-demo --packets 100000
build/app/lvdpa-demo/lvdpa-demo --packets 100000 --legacy

echo
echo "== 2. the sample app with the lvdpa PMD on the model, legacy guests"
work=$(mktemp -d /tmp/lvdpa-demo.XXXXXX)
prefix=lvdpa-demo-$$
app_pid=
cleanup() {
	exec 3>&- 2>/dev/null || true
	[ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null
	rm -rf "$work" "/var/run/dpdk/$prefix"
}
trap cleanup EXIT
mkfifo "$work/cmd"
build/examples/lvdpa/lvdpa-sample -l 0 --no-huge -m 256 --no-pci \
	--file-prefix=$prefix --log-level='lib.vhost.*:warning' \
	-d "$top/build/drivers/librte_vdpa_lvdpa.so" \
	--vdev lvdpa0,queues=1,queue_size=256 -- \
	--iface "$work/vhost-user-" -i <"$work/cmd" >"$work/app.log" 2>&1 &
app_pid=$!
exec 3>"$work/cmd"
for i in $(seq 50); do [ -S "$work/vhost-user-0" ] && break; sleep 0.1; done
[ -S "$work/vhost-user-0" ] || { cat "$work/app.log"; exit 1; }

echo "-- a legacy guest with zero features (virtio 0.9.5, 10-byte header)"
build/app/lvdpa-guest/lvdpa-guest -s "$work/vhost-user-0" -f zero \
	-n 50000 -l 64,1500 --quiet
echo "-- a legacy guest with MAC and mergeable buffers (12-byte header)"
build/app/lvdpa-guest/lvdpa-guest -s "$work/vhost-user-0" -f legacy \
	-n 50000 -l 64,1500 --quiet
echo "-- a big-endian legacy guest (as on s390x): served through the relay"
build/app/lvdpa-guest/lvdpa-guest -s "$work/vhost-user-0" -f zero --big-endian \
	-n 50000 -l 64,1500 --quiet
echo "stats lvdpa0" >&3
echo "state all" >&3
echo "quit" >&3
exec 3>&-
wait "$app_pid" || true
app_pid=
echo "-- what the sample app shows (interactive commands: stats, state)"
sed -n '/^device lvdpa0/,$p' "$work/app.log" | grep -v '^lvdpa> *$'
