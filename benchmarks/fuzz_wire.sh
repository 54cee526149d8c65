#!/usr/bin/env bash
# Fuzzes the learner's message decoders with libFuzzer (clang-16, with ASan + UBSan) for a while.
#   benchmarks/fuzz_wire.sh [SECONDS]        (default 180; needs build/ from launch/setup.sh)
# Seeds: valid and near-valid messages written by the decoder's own test cases would be ideal;
# we start from a few hand-made ones. Crashes land in build/fuzz/crash-*; the script fails then.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-180}"
if ! dpkg-query -W -f='${Status}' libclang-rt-16-dev 2>/dev/null | grep -q "install ok installed"; then
  echo "installing libclang-rt-16-dev (libFuzzer runtime)"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libclang-rt-16-dev
fi
PB_CC=build/proto/passrl.pb.cc
[ -f "$PB_CC" ] || { echo "no $PB_CC: build the project first (launch/setup.sh)" >&2; exit 1; }
OUT=build/fuzz
mkdir -p "$OUT/corpus"
FLAGS=(-std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -I. -Ibuild/proto)
echo "building $OUT/fuzz_wire"
# shellcheck disable=SC2046
clang++-16 "${FLAGS[@]}" benchmarks/fuzz_wire.cc proto/wire.cc "$PB_CC" -o "$OUT/fuzz_wire" \
  $(pkg-config --libs absl_statusor absl_strings absl_str_format protobuf)
# A valid-looking seed: the fuzzer mutates from there into deep decoder paths.
printf '\x08\x01\x10\x01\x18\x2a' > "$OUT/corpus/seed-header"
echo "fuzzing for $SECONDS_TO_RUN s (corpus: $OUT/corpus)"
"$OUT/fuzz_wire" "$OUT/corpus" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -timeout=5 \
  -rss_limit_mb=2048 -artifact_prefix="$OUT/" -print_final_stats=1 2>&1 | tail -25
