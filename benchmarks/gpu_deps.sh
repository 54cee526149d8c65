#!/usr/bin/env bash
# Downloads, on this Debian 12 machine (apt-get download; installs nothing), the .debs that a
# learner-only build (-DPASSRL_LEARNER_ONLY=ON: absl, protobuf + protoc, ZeroMQ + cppzmq,
# nlohmann-json, GoogleTest) needs on a GPU machine without apt or internet, into .gpu-deps/ (git
# ignores it through .git/info/exclude), with the libraries they need, resolved recursively; the
# packages any Ubuntu 24.04 machine with g++ has (libc6, libstdc++6, zlib1g, ...) are left out.
# Carry .gpu-deps/ to that machine and run benchmarks/gpu_check.sh --carried there.
#   benchmarks/gpu_deps.sh            # prints the total size; fails above 50 MiB
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=.gpu-deps
LIMIT_MIB=50
say() { echo "gpu_deps: $*"; }

# What the learner-only build uses (headers, CMake configs, .so links, static GoogleTest, protoc).
ROOTS=(libabsl-dev libprotobuf-dev protobuf-compiler libzmq3-dev cppzmq-dev nlohmann-json3-dev
       libgtest-dev)
# Not followed: the C/C++ runtime and base libraries every Ubuntu 24.04 machine with g++ has, the
# -dev packages the roots name only for static linking or pkg-config --static (the shared
# libraries they stand for are followed through the runtime packages), and googletest (sources).
SKIP=(libc6 libc6-dev libstdc++6 libgcc-s1 libgcc1 gcc-12-base libcrypt1 zlib1g zlib1g-dev
      debconf debconf-2.0 dpkg perl-base libselinux1 libpcre2-8-0 googletest
      libpgm-dev libsodium-dev libnorm-dev libkrb5-dev libbsd-dev)

command -v apt-get >/dev/null && command -v apt-cache >/dev/null || { say "needs apt"; exit 1; }

# The first alternative of each Depends/Pre-Depends entry, without versions or :any.
deps_of() {
  apt-cache show --no-all-versions "$1" |
    sed -n 's/^\(Pre-\)\{0,1\}Depends: //p' | tr ',' '\n' |
    sed 's/|.*//; s/(.*)//; s/:any//; s/[[:space:]]//g' | grep -v '^$' || true
}

declare -A seen=()
for p in "${SKIP[@]}"; do seen[$p]=1; done
queue=("${ROOTS[@]}")
packages=()
while [ ${#queue[@]} -gt 0 ]; do
  p=${queue[0]}
  queue=("${queue[@]:1}")
  [ -n "${seen[$p]:-}" ] && continue
  seen[$p]=1
  apt-cache show --no-all-versions "$p" >/dev/null 2>&1 || { say "no package $p"; exit 1; }
  packages+=("$p")
  while read -r d; do queue+=("$d"); done < <(deps_of "$p")
done

mkdir -p "$DIR"
rm -f "$DIR"/*.deb "$DIR"/MANIFEST
say "downloading ${#packages[@]} packages into $DIR/: ${packages[*]}"
(cd "$DIR" && apt-get download -q "${packages[@]}" > download.log 2>&1) ||
  { tail -20 "$DIR/download.log"; say "apt-get download failed (see $DIR/download.log)"; exit 1; }
rm -f "$DIR/download.log"
for f in "$DIR"/*.deb; do
  printf '%s\t%s\t%s\n' "$(dpkg-deb -f "$f" Package)" "$(dpkg-deb -f "$f" Version)" \
    "$(stat -c %s "$f")"
done | sort > "$DIR/MANIFEST"

# Git ignores the folder through .git/info/exclude (not .gitignore).
EXCLUDE=$(git rev-parse --git-path info/exclude 2>/dev/null || true)
if [ -n "$EXCLUDE" ]; then
  mkdir -p "$(dirname "$EXCLUDE")"
  grep -qxF "/$DIR/" "$EXCLUDE" 2>/dev/null || echo "/$DIR/" >> "$EXCLUDE"
fi

bytes=$(cat "$DIR"/* | wc -c)
mib=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
say "$(ls "$DIR"/*.deb | wc -l) .debs, $mib MiB in $DIR/ (list: $DIR/MANIFEST)"
if [ "$bytes" -gt $((LIMIT_MIB * 1048576)) ]; then
  say "FAILED: $mib MiB is over the $LIMIT_MIB MiB limit"
  exit 1
fi
