#!/usr/bin/env bash
# The CUDA check, for a machine with an NVIDIA GPU: builds passrl against that machine's CUDA
# LibTorch (python3 torch's torch/share/cmake/Torch; Debian's libtorch-dev is CPU-only) in
# build-cuda/, runs the CUDA tests (SAC update, checkpoint round trips, learner resume; they skip
# on machines without CUDA), the SAC update benchmark on CUDA against the CPU and the learner's
# update loop on CUDA (batch 256 and 1024, with how many actors it serves), and prints one summary.
#   benchmarks/gpu_check.sh            # needs launch/setup.sh's packages installed
#   benchmarks/gpu_check.sh --carried  # needs only g++, CMake, Ninja, python3 torch (CUDA) and
#                                      # .gpu-deps/ (benchmarks/gpu_deps.sh): a learner-only build
#   benchmarks/gpu_check.sh --unpack-only  # only unpacks .gpu-deps/ into /tmp/passrl-deps and
#                                      # writes /tmp/passrl-deps/env.sh (source it to build by hand)
# Writes build-cuda/gpu_check.json and the logs in build-cuda/; with $OUT set, copies them there.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
RESULTS=${OUT:-}
B=build-cuda
DEPS=/tmp/passrl-deps
CARRIED=0
UNPACK_ONLY=0
case "${1:-}" in
  "") ;;
  --carried) CARRIED=1 ;;
  --unpack-only) CARRIED=1 UNPACK_ONLY=1 B=/tmp/passrl-deps-logs ;;
  -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
  *) echo "gpu_check.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
esac
MODE=$([ $CARRIED = 1 ] && echo carried || echo installed)
mkdir -p "$B"
rm -f "$B"/*.log "$B/gpu_check.json"
say() { echo "gpu_check: $*"; }
ERRORS='error|Error|ERROR|FAILED|undefined reference|not found|No such file'
# The lines of a log that explain a failure: the first errors, then the last lines.
show() {
  [ -f "$1" ] || return 0
  if grep -qE "$ERRORS" "$1"; then
    say "--- $1: first errors ---"
    grep -m 15 -E "$ERRORS" "$1" | cut -c1-300
  fi
  say "--- $1: last lines ---"
  tail -n "${2:-25}" "$1" | cut -c1-300
}
fail() {
  say "FAILED: $*"
  local reason=$*
  printf '{"ok": false, "mode": "%s", "reason": "%s"}\n' "$MODE" "${reason//\"/\'}" \
    > "$B/gpu_check.json"
  exit 1
}
# Whatever happens, the JSON and the logs go to $OUT when it is set.
collect() {
  [ -n "$RESULTS" ] && [ $UNPACK_ONLY = 0 ] || return 0
  mkdir -p "$RESULTS" && cp -f "$B"/gpu_check.json "$B"/*.log "$RESULTS"/ 2>/dev/null
  [ -f "$B/CMakeCache.txt" ] && cp -f "$B/CMakeCache.txt" "$RESULTS"/
  [ -f .gpu-deps/MANIFEST ] && cp -f .gpu-deps/MANIFEST "$RESULTS"/gpu_deps_manifest.txt
  return 0
}
trap collect EXIT

# Library names, the many libabsl_* ones counted.
brief() {
  local n=0 others=() x
  for x in "$@"; do case "$x" in libabsl_*) n=$((n + 1)) ;; *) others+=("$x") ;; esac; done
  [ $n -gt 0 ] && others+=("libabsl_*.so.* ($n)")
  echo "${others[*]:-none}"
}

# The Debian 12 .debs from benchmarks/gpu_deps.sh, unpacked (not installed) into $DEPS, and
# $DEPS/env.sh, which points PATH, LD_LIBRARY_PATH and CMAKE_PREFIX_PATH into it.
unpack() {
  ls .gpu-deps/*.deb >/dev/null 2>&1 || fail "no .gpu-deps/*.deb (run benchmarks/gpu_deps.sh)"
  rm -rf "$DEPS" && mkdir -p "$DEPS" || fail "cannot create $DEPS"
  local deb tmp f soname host_libs added=() kept=()
  for deb in .gpu-deps/*.deb; do
    if command -v dpkg >/dev/null; then
      dpkg -x "$deb" "$DEPS" >> "$B/unpack.log" 2>&1 ||
        { show "$B/unpack.log"; fail "dpkg -x $deb"; }
    else
      tmp=$(mktemp -d) && (cd "$tmp" && ar x "$OLDPWD/$deb" && tar -xf data.tar.* -C "$DEPS") \
        >> "$B/unpack.log" 2>&1 || { show "$B/unpack.log"; fail "ar x / tar $deb"; }
      rm -rf "$tmp"
    fi
  done
  # An absolute link in a .deb points into /; point it into $DEPS.
  find "$DEPS" -type l -lname '/*' | while read -r f; do ln -sfn "$DEPS$(readlink "$f")" "$f"; done
  # LD_LIBRARY_PATH (protoc, the tests) gets only the carried shared libraries this machine lacks
  # (all with PASSRL_CARRIED_LIBS=all), so that no older Debian copy shadows the machine's own for
  # other programs (cmake, python3). The binaries find the libraries they link directly (absl,
  # protobuf, zmq) through their RPATH.
  mkdir -p "$DEPS/ldpath"
  host_libs=$( { ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null | awk '/x86-64/ {print $1}')
  [ "${PASSRL_CARRIED_LIBS:-}" = all ] && host_libs=""
  for f in "$DEPS"/usr/lib/x86_64-linux-gnu/lib*.so.* "$DEPS"/lib/x86_64-linux-gnu/lib*.so.*; do
    [ -e "$f" ] || continue
    soname=$(basename "$f")
    # Only the files named by their soname (libzmq.so.5, not libzmq.so.5.2.4).
    if command -v readelf >/dev/null; then
      [ "$(readelf -d "$f" 2>/dev/null | sed -n 's/.*soname: \[\(.*\)\]/\1/p')" = "$soname" ] ||
        continue
    fi
    if [ -n "$host_libs" ] && echo "$host_libs" | grep -qxF "$soname"; then
      kept+=("$soname")
    else
      ln -sfn "$f" "$DEPS/ldpath/$soname" && added+=("$soname")
    fi
  done
  {
    echo "export PATH=\"$DEPS/usr/bin:\$PATH\""
    echo "export LD_LIBRARY_PATH=\"$DEPS/ldpath\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}\""
    echo "export CMAKE_PREFIX_PATH=\"$DEPS/usr\${CMAKE_PREFIX_PATH:+:\$CMAKE_PREFIX_PATH}\""
  } > "$DEPS/env.sh"
  say "unpacked $(ls .gpu-deps/*.deb | wc -l) .debs into $DEPS"
  say "carried libraries on LD_LIBRARY_PATH: $(brief "${added[@]}")"
  say "the machine's own used instead for: $(brief "${kept[@]}")"
  # shellcheck source=/dev/null
  . "$DEPS/env.sh"
  "$DEPS/usr/bin/protoc" --version > "$B/protoc.log" 2>&1 ||
    { show "$B/protoc.log"; fail "the carried protoc does not run"; }
  say "protoc: $(cat "$B/protoc.log")"
}
if [ $UNPACK_ONLY = 1 ]; then
  unpack
  say "now: . $DEPS/env.sh; cmake -DPASSRL_LEARNER_ONLY=ON -DPASSRL_DEPS_PREFIX=$DEPS ..."
  exit 0
fi

command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version \
  --format=csv,noheader | sed 's/^/gpu_check: GPU: /'
TORCH_INFO=$(python3 - <<'EOF' 2>&1
import os, torch
print(os.path.join(os.path.dirname(torch.__file__), "share", "cmake", "Torch"))
print(torch.__version__, torch.version.cuda, int(torch.cuda.is_available()),
      int(torch._C._GLIBCXX_USE_CXX11_ABI))
EOF
) || fail "python3 cannot import torch: $(echo "$TORCH_INFO" | tail -1)"
TORCH_DIR=$(echo "$TORCH_INFO" | sed -n 1p)
read -r TORCH_VERSION TORCH_CUDA TORCH_SEES_GPU TORCH_ABI <<<"$(echo "$TORCH_INFO" | sed -n 2p)"
say "python3 torch $TORCH_VERSION (CUDA $TORCH_CUDA) at $TORCH_DIR; sees a GPU: $TORCH_SEES_GPU"
[ "$TORCH_CUDA" != "None" ] || fail "python3 torch $TORCH_VERSION is a CPU build"
[ "$TORCH_SEES_GPU" = 1 ] || fail "python3 torch sees no GPU (driver?)"
# Debian's libraries (absl, protobuf, LLVM) use the C++11 ABI; a pre-C++11-ABI LibTorch cannot
# link with them.
[ "$TORCH_ABI" = 1 ] || fail "python3 torch $TORCH_VERSION uses the pre-C++11 ABI; use a torch >= 2.7 wheel"

CMAKE_ARGS=()
learner_only_cache() { grep -qs '^PASSRL_LEARNER_ONLY:BOOL=ON' "$B/CMakeCache.txt"; }
if [ $CARRIED = 1 ]; then
  say "$(g++ --version | head -1); $(cmake --version | head -1); ninja $(ninja --version);" \
      "$(ldd --version 2>&1 | head -1)"
  command -v nvcc >/dev/null && say "$(nvcc --version | tail -1)"
  unpack
  # A cache from the full build would keep its package paths (and the reverse, below).
  learner_only_cache || rm -rf "$B/CMakeCache.txt" "$B/CMakeFiles"
  CMAKE_ARGS=(-DPASSRL_LEARNER_ONLY=ON -DPASSRL_DEPS_PREFIX="$DEPS"
              -DProtobuf_PROTOC_EXECUTABLE="$DEPS/usr/bin/protoc")
  say "configuring (learner only) and building in $B with $(nproc) jobs (a few minutes)"
else
  ! learner_only_cache || rm -rf "$B/CMakeCache.txt" "$B/CMakeFiles"
  say "configuring and building in $B (about 10 minutes on 16 cores)"
fi

start=$SECONDS
cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTorch_DIR="$TORCH_DIR" "${CMAKE_ARGS[@]}" \
  > "$B/cmake.log" 2>&1 || { show "$B/cmake.log" 40; fail "cmake (see $B/cmake.log)"; }
grep -E 'passrl learner-only|CUDA|Caffe2|Torch' "$B/cmake.log" | head -12 | cut -c1-240 |
  sed 's/^/gpu_check: cmake: /'
ninja -C "$B" -j "$(nproc)" learner_sac_test learner_resume_test passrl_sac_bench \
  passrl_learner_loop_bench \
  > "$B/build.log" 2>&1 || { show "$B/build.log" 30; fail "build (see $B/build.log)"; }
say "configured and built in $((SECONDS - start)) s"

TESTS_OK=1
for t in learner_sac_test learner_resume_test; do
  start=$SECONDS
  "$B/tests/$t" --gtest_brief=1 > "$B/$t.log" 2>&1 || { TESTS_OK=0; show "$B/$t.log" 20; }
  grep -E '^\[  (PASSED|FAILED|SKIPPED) ' "$B/$t.log" | sed "s/^/gpu_check: $t: /"
  say "$t: $((SECONDS - start)) s"
  # On a GPU machine nothing may skip: a skipped CUDA test means CUDA was not used.
  if grep -q 'SKIPPED' "$B/$t.log"; then say "$t skipped CUDA tests"; TESTS_OK=0; fi
done
# A benchmark's JSON line (the last line it prints), or null: `json_line LOG COMMAND...`.
json_line() {
  local log=$1 line
  shift
  "$@" > "$log" 2>&1
  line=$(tail -1 "$log")
  if python3 -c 'import json, sys; json.loads(sys.argv[1])' "$line" 2>/dev/null; then
    echo "$line"
  else
    show "$log" 10 >&2
    echo null
  fi
}
# SAC updates on CUDA against the CPU at batch $1.
bench() {
  json_line "$B/sac_bench_batch_$1.log" "$B/benchmarks/passrl_sac_bench" --device cuda \
    --updates "$2" --reps 3 --batch "$1"
}
# The learner's whole update loop on CUDA (sampling from a replay, batches made and copied, the
# update): samples consumed per second at batch $1, old loop against new; $3 "_bf16": the new
# loop with sac.hidden_bfloat16.
loop() {
  json_line "$B/loop_bench_batch_$1$3.log" "$B/benchmarks/passrl_learner_loop_bench" --device cuda \
    --updates "$2" --reps 3 --batch "$1" ${3:+--bfloat16 1}
}
BENCH=$(bench 256 200)
BENCH_BIG=$(bench 4096 100)
LOOP=$(loop 256 300)
LOOP_BIG=$(loop 1024 200)
LOOP_BF16=$(loop 1024 200 _bf16)
say "SAC updates, batch 256: $BENCH"
say "SAC updates, batch 4096: $BENCH_BIG"
say "update loop, batch 256: $LOOP"
say "update loop, batch 1024: $LOOP_BIG"
say "update loop, batch 1024, bfloat16 hidden layers: $LOOP_BF16"
# IR-count actors one such learner serves at samples_per_insert 1, 4, 8 (an actor: ~4,400
# transitions/s, BENCHMARKS.md "learner capacity").
for l in "$LOOP" "$LOOP_BIG"; do
  [ "$l" = null ] && continue
  python3 -c 'import json, sys; r = json.loads(sys.argv[1]); s = r["new_samples_per_second"]
print("gpu_check: batch %d: %.0f samples/s serves %s IR-count actors at samples_per_insert 1, 4, 8"
      % (r["batch"], s, ", ".join("%.0f" % (s / (k * 4400)) for k in (1, 4, 8))))' "$l"
done
[ "$BENCH" != null ] && [ "$BENCH_BIG" != null ] && [ "$LOOP" != null ] || TESTS_OK=0
printf '{"ok": %s, "mode": "%s", "torch": "%s", "cuda": "%s", "sac_batch_256": %s, "sac_batch_4096": %s, "loop_batch_256": %s, "loop_batch_1024": %s}\n' \
  "$([ $TESTS_OK = 1 ] && echo true || echo false)" "$MODE" "$TORCH_VERSION" "$TORCH_CUDA" \
  "$BENCH" "$BENCH_BIG" "$LOOP" "$LOOP_BIG" | tee "$B/gpu_check.json"
[ $TESTS_OK = 1 ]
