#!/usr/bin/env bash
# Sets passrl up on Debian 12: installs the Debian packages it needs (only those missing; runs
# `apt-get update` first when it installs), then configures and builds with CMake + Ninja.
# Idempotent: a second run installs nothing and rebuilds only what changed.
#
#   launch/setup.sh [--build-dir DIR] [--no-tests]
#
# Nothing but Debian packages is downloaded. Needs root (or sudo) only when a package is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=build
TESTS=ON
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) BUILD_DIR="$2"; shift 2 ;;
    --no-tests) TESTS=OFF; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  llvm-16 llvm-16-dev clang-16 libzstd-dev           # the environment (in-process LLVM 16)
  libmlir-16-dev mlir-16-tools                       # the MLIR graph environment (libMLIR, mlir-opt-16)
  python3-torch python3-torchvision python3-onnx     # the MLIR dataset: models exported to ONNX
  libabsl-dev libcli11-dev libspdlog-dev nlohmann-json3-dev libyaml-cpp-dev
  libtorch-dev libopenblas0-openmp                   # learner; OpenBLAS: 13x faster LibTorch on CPU
  libopenmpi-dev openmpi-bin                         # launch (mpirun / srun)
  libzmq3-dev cppzmq-dev libprotobuf-dev protobuf-compiler  # transport
  libhwloc-dev hwloc                                 # core pinning
  libhdf5-dev python3-h5py                           # replay export (h5py: read-back test)
  python3-matplotlib python3-numpy                   # launch/plot.py
  csmith libcsmith-dev                               # generated benchmarks
  bear dpkg-dev autoconf automake libtool autopoint gettext meson  # Debian corpus builds
  libgtest-dev libgmock-dev                          # tests
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup.sh: need root to install: ${missing[*]}" >&2; exit 1; }
    SUDO=sudo
  fi
  echo "setup.sh: installing ${#missing[@]} Debian packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

echo "setup.sh: configuring and building in $BUILD_DIR"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPASSRL_BUILD_TESTS="$TESTS" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
echo "setup.sh: done; the CLI is $BUILD_DIR/launch/passrl"
