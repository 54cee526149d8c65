// Summaries of per-benchmark ratios for `passrl eval`: the geometric mean and its bootstrap 95%
// interval over benchmarks (resampling benchmarks with replacement, percentile interval), the
// uncertainty that matters when asking whether a method beats -Oz on programs like these.
// Deterministic for a given seed. Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <vector>

namespace passrl::eval {

struct GeomeanSummary {
  double geomean = 0, low = 0, high = 0;  // NaN when there are no ratios
  int n = 0;
};

// `ratios` must be > 0. `resamples` bootstrap draws of n benchmarks each.
GeomeanSummary SummarizeRatios(const std::vector<double>& ratios, int resamples = 2000,
                               uint64_t seed = 1);

}  // namespace passrl::eval
