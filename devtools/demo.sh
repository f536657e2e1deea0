#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Installs every package, builds lvdpa, and runs the demo on the device model.
# Usage: devtools/demo.sh [demo options, see build/app/lvdpa-demo/lvdpa-demo --help]
set -e
cd "$(dirname "$0")/.."
devtools/setup.sh
exec build/app/lvdpa-demo/lvdpa-demo "$@"
