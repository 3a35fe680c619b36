#!/usr/bin/env bash
# Sets up the machine and runs the whole test suite (unit, integration, end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/setup.sh
# The end-to-end tests drive the real thawd binary; build it first so they find it.
swift build --product thawd
swift build --product thaw
swift test --parallel --num-workers 2 "$@"
