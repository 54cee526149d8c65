#!/usr/bin/env bash
# The CUDA check, for a machine with an NVIDIA GPU: builds passrl against that machine's CUDA
# LibTorch (python3 torch's torch/share/cmake/Torch; Debian's libtorch-dev is CPU-only) in
# build-cuda/, runs the CUDA tests (SAC update, checkpoint round trips, learner resume; they skip
# on machines without CUDA) and the SAC update benchmark on CUDA against the CPU, and prints one
# summary. Needs the other build dependencies (launch/setup.sh's packages) already installed.
#   benchmarks/gpu_check.sh            # writes build-cuda/gpu_check.json too
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=build-cuda
mkdir -p "$OUT"
say() { echo "gpu_check: $*"; }
fail() { say "FAILED: $*"; printf '{"ok": false, "reason": "%s"}\n' "$*" > "$OUT/gpu_check.json"; exit 1; }

command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version \
  --format=csv,noheader | sed 's/^/gpu_check: GPU: /'
TORCH_INFO=$(python3 - <<'EOF' 2>&1
import os, torch
print(os.path.join(os.path.dirname(torch.__file__), "share", "cmake", "Torch"))
print(torch.__version__, torch.version.cuda, int(torch.cuda.is_available()),
      int(torch._C._GLIBCXX_USE_CXX11_ABI))
EOF
) || fail "python3 cannot import torch: $TORCH_INFO"
TORCH_DIR=$(echo "$TORCH_INFO" | sed -n 1p)
read -r TORCH_VERSION TORCH_CUDA TORCH_SEES_GPU TORCH_ABI <<<"$(echo "$TORCH_INFO" | sed -n 2p)"
say "python3 torch $TORCH_VERSION (CUDA $TORCH_CUDA) at $TORCH_DIR; sees a GPU: $TORCH_SEES_GPU"
[ "$TORCH_CUDA" != "None" ] || fail "python3 torch $TORCH_VERSION is a CPU build"
[ "$TORCH_SEES_GPU" = 1 ] || fail "python3 torch sees no GPU (driver?)"
# Debian's libraries (absl, protobuf, LLVM) use the C++11 ABI; a pre-C++11-ABI LibTorch cannot
# link with them.
[ "$TORCH_ABI" = 1 ] || fail "python3 torch $TORCH_VERSION uses the pre-C++11 ABI; use a torch >= 2.7 wheel"

say "configuring and building in $OUT (about 10 minutes on 16 cores)"
cmake -S . -B "$OUT" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTorch_DIR="$TORCH_DIR" \
  > "$OUT/cmake.log" 2>&1 || fail "cmake (see $OUT/cmake.log)"
ninja -C "$OUT" learner_sac_test learner_resume_test passrl_sac_bench > "$OUT/build.log" 2>&1 ||
  fail "build (see $OUT/build.log)"

TESTS_OK=1
for t in learner_sac_test learner_resume_test; do
  "$OUT/tests/$t" --gtest_brief=1 > "$OUT/$t.log" 2>&1 || TESTS_OK=0
  grep -E '^\[  (PASSED|FAILED|SKIPPED) ' "$OUT/$t.log" | sed "s/^/gpu_check: $t: /"
  # On a GPU machine nothing may skip: a skipped CUDA test means CUDA was not used.
  if grep -q 'SKIPPED' "$OUT/$t.log"; then say "$t skipped CUDA tests"; TESTS_OK=0; fi
done
BENCH=$("$OUT/benchmarks/passrl_sac_bench" --device cuda --updates 200 --reps 3 --batch 256 2>&1 | tail -1)
BENCH_BIG=$("$OUT/benchmarks/passrl_sac_bench" --device cuda --updates 100 --reps 3 --batch 4096 2>&1 | tail -1)
say "SAC updates, batch 256: $BENCH"
say "SAC updates, batch 4096: $BENCH_BIG"
printf '{"ok": %s, "torch": "%s", "cuda": "%s", "sac_batch_256": %s, "sac_batch_4096": %s}\n' \
  "$([ $TESTS_OK = 1 ] && echo true || echo false)" "$TORCH_VERSION" "$TORCH_CUDA" \
  "${BENCH:-null}" "${BENCH_BIG:-null}" | tee "$OUT/gpu_check.json"
[ $TESTS_OK = 1 ]
