// Reference costs of a benchmark under LLVM's fixed pipelines: -O0 (the unoptimised module),
// -Oz and -O3 (`default<Oz>`, `default<O3>`, as `opt-16 -passes=...`). Normalised rewards divide by
// (O0 - Oz); the search and the agent report their result as a ratio against Oz.
// Computed once per benchmark and cached on disk by benchmark hash. Thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "envs/benchmark.h"

namespace passrl::envs {

struct Baselines {
  int64_t ir_o0 = 0, ir_oz = 0, ir_o3 = 0;        // IR instruction counts
  int64_t text_o0 = 0, text_oz = 0, text_o3 = 0;  // object .text bytes

  std::string Serialize() const;
  static absl::StatusOr<Baselines> Parse(const std::string& text);
};

// The divisor of normalised size rewards: C_O0 - C_Oz, so an episode reaching -Oz has return 1.
// Where -Oz does not shrink the program (it can grow it: bundled/bytecode_vm is 1070
// instructions at -O0 and 1866 at -Oz), that divisor would be <= 0 and reward growth; C_O0 is
// used instead, so the return is the fraction of the program removed.
double NormalizationScale(int64_t o0, int64_t oz);

// Reads the cache in `cache_dir` (empty: no cache) or computes and stores.
absl::StatusOr<Baselines> GetBaselines(const Benchmark& benchmark, const std::string& cache_dir);

}  // namespace passrl::envs
