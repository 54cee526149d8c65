#!/usr/bin/env bash
# Builds the tree with AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/ and runs the
# test suite there (or the tests matching a CTest regex); with --thread, ThreadSanitizer in
# build-tsan/ instead (data races between the learner's threads, the replay buffer's users, the
# actor and the sockets' users).
#   launch/sanitize.sh                 every test (about 2x the plain build's time; ~25 min on 2 cores)
#   launch/sanitize.sh 'replay|learner|proto|common'    a subset
#   launch/sanitize.sh --thread 'replay|learner|actors|proto'   TSan; builds only those suites
# The prebuilt Debian libraries (LibTorch, LLVM, libzmq, protobuf) are not instrumented: ASan
# checks our code and what it hands them. container-overflow checks are off because std::vector
# memory crosses into those uninstrumented libraries (false positives); leaks are reported.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--thread" ]; then
  FILTER="${2:-replay|learner|actors|proto}"
  mkdir -p build-tsan
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPASSRL_SANITIZE=thread -DPASSRL_BUILD_BENCHMARKS=OFF > build-tsan/cmake.log
  # Only the suites asked for (and the passrl binary the actor and env tests start).
  TARGETS=$(ctest --test-dir build-tsan -N -R "$FILTER" | awk '/Test +#/ {print $3}')
  ninja -C build-tsan -j"$(nproc)" passrl $TARGETS
  # Races inside uninstrumented libraries (libzmq's I/O threads, LibTorch's pools) are theirs:
  # launch/tsan.supp names them; everything in passrl's code is reported. One thread for
  # LibTorch and OpenMP keeps their pools out of the picture.
  # report_signal_unsafe=0: LLVM's crash handler allocates while printing the stack of a pass
  # that crashed on purpose (the env worker tests' crash hook); nothing of passrl's runs there.
  export TSAN_OPTIONS="suppressions=$PWD/launch/tsan.supp:halt_on_error=1:second_deadlock_stack=1:report_signal_unsafe=0:${TSAN_OPTIONS:-}"
  export OMP_NUM_THREADS=1
  export PASSRL_CACHE_DIR="${PASSRL_CACHE_DIR:-$PWD/build-tsan/cache}"
  ctest --test-dir build-tsan --output-on-failure -j1 -R "$FILTER"
  exit $?
fi
FILTER="${1:-}"
mkdir -p build-asan
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPASSRL_SANITIZE=address,undefined -DPASSRL_BUILD_BENCHMARKS=OFF > build-asan/cmake.log
ninja -C build-asan -j"$(nproc)"
export ASAN_OPTIONS="detect_container_overflow=0:detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
# LSan suppressions for one-time allocations inside uninstrumented libraries.
export LSAN_OPTIONS="suppressions=$PWD/launch/lsan.supp:print_suppressions=0:${LSAN_OPTIONS:-}"
export PASSRL_CACHE_DIR="${PASSRL_CACHE_DIR:-$PWD/build-asan/cache}"
cd build-asan
# Open MPI leaks inside components it dlopens and unloads at MPI_Finalize (reported from
# "<unknown module>", so they cannot be suppressed by name): the MPI suite runs with leak
# detection off; ASan's other checks and UBSan stay on.
MPI_TESTS=launch_train_mpi_test
status=0
if [ -n "$FILTER" ]; then
  ctest --output-on-failure -j1 -R "$FILTER" -E "$MPI_TESTS" || status=1
  if echo "$MPI_TESTS" | grep -Eq "$FILTER"; then
    ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" ctest --output-on-failure -j1 -R "$MPI_TESTS" || status=1
  fi
else
  ctest --output-on-failure -j1 -E "$MPI_TESTS" || status=1
  ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" ctest --output-on-failure -j1 -R "$MPI_TESTS" || status=1
fi
exit $status
