// Summaries of per-benchmark ratios for `passrl eval`: the geometric mean and its bootstrap 95%
// interval over benchmarks (resampling benchmarks with replacement, percentile interval), the
// uncertainty that matters when asking whether a method beats -Oz on programs like these.
// Deterministic for a given seed. Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace passrl::eval {

struct GeomeanSummary {
  double geomean = 0, low = 0, high = 0;  // NaN when there are no ratios
  int n = 0;
};

// What a policy's sequences look like over many programs (is it ordering passes, or repeating a
// macro?): how many distinct sequences, how many actions it uses and the most used ones, and,
// when each step's instruction count is known, the share of the instruction reduction that the
// -Oz sub-pipeline actions (envs::ActionKind::kPipeline) gave.
struct PolicyTrace {
  std::vector<int> actions;
  int64_t start = 0;            // instructions before the first action
  std::vector<int64_t> counts;  // after each action; empty: unknown
};
std::string DescribeSequences(const std::vector<PolicyTrace>& traces);

// `ratios` must be > 0. `resamples` bootstrap draws of n benchmarks each.
GeomeanSummary SummarizeRatios(const std::vector<double>& ratios, int resamples = 2000,
                               uint64_t seed = 1);

}  // namespace passrl::eval
