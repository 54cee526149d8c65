#!/usr/bin/env bash
# Sets up (launch/setup.sh: packages + build) and runs every test with CTest.
#   launch/test.sh [ctest arguments, e.g. -R envs]
set -euo pipefail
cd "$(dirname "$0")/.."
launch/setup.sh --build-dir build
# Tests build their own caches in temp dirs; keep the user's cache out of it.
export PASSRL_CACHE_DIR="$(mktemp -d /tmp/passrl-test-cache.XXXXXX)"
trap 'rm -rf "$PASSRL_CACHE_DIR"' EXIT
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
