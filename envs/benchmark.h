// A benchmark: one linked, unoptimised LLVM module, the state every episode on it starts from.
//
// Built from a C file (clang-16 -O1 -Xclang -disable-llvm-passes -emit-llvm: plain -O0 would mark
// every function optnone), a textual .ll, a .bc, or several of those linked together. Compiled
// bitcode is cached on disk by source hash, so actors on one node compile each program once.
// Thread-safe: free functions with no shared state besides the atomic on-disk cache.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace passrl::envs {

struct Benchmark {
  std::string name;                  // "bundled/quicksort", "csmith/17", or a path
  std::vector<std::string> sources;  // the files it was built from
  std::string bitcode;               // the unoptimised, verified, linked module
  uint64_t hash = 0;                 // Fnv1a64(bitcode): same hash <=> same start state
  bool runnable = false;             // has a main() and was built from C (runtime rewards)
};

struct BenchmarkBuildOptions {
  std::string clang = "clang-16";
  std::vector<std::string> cflags;  // extra flags for C sources (e.g. -I for csmith headers)
  std::string cache_dir;            // compiled-bitcode cache; empty: no caching
  double compile_timeout_seconds = 120;
};

// Builds `name` from `paths` (each .c, .ll or .bc; two or more are linked into one module).
// Errors name the file and the problem: missing, unknown extension, does not compile, malformed IR.
absl::StatusOr<Benchmark> BuildBenchmark(const std::string& name,
                                         const std::vector<std::string>& paths,
                                         const BenchmarkBuildOptions& options);

// OK for a runnable benchmark; for a size-only one (no main() built from C: a Debian module, a
// .ll/.bc file) the one-line reason runtime rewards, `measure` and `--validate` refuse it.
absl::Status RequireRunnable(const Benchmark& benchmark);

}  // namespace passrl::envs
