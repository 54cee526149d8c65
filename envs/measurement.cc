#include "envs/measurement.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "common/check.h"

namespace passrl::envs {

SampleStats ComputeStats(std::vector<double> samples) {
  PASSRL_CHECK(!samples.empty());
  std::sort(samples.begin(), samples.end());
  SampleStats s;
  s.n = static_cast<int>(samples.size());
  const size_t n = samples.size();
  s.median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
  s.min = samples.front();
  s.max = samples.back();
  s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(n);
  double ss = 0;
  for (double x : samples) ss += (x - s.mean) * (x - s.mean);
  s.stddev = n > 1 ? std::sqrt(ss / static_cast<double>(n - 1)) : 0;
  s.cv = s.mean > 0 ? s.stddev / s.mean : 0;
  const double half = 1.96 * std::sqrt(static_cast<double>(n)) / 2;
  // 1-based ranks, clamped to the sample.
  const long lo = std::max(1L, static_cast<long>(std::floor(static_cast<double>(n) / 2 - half)));
  const long hi = std::min(static_cast<long>(n),
                           static_cast<long>(std::ceil(static_cast<double>(n) / 2 + half)) + 1);
  s.ci_low = samples[lo - 1];
  s.ci_high = samples[hi - 1];
  s.relative_ci = s.median > 0 ? (s.ci_high - s.ci_low) / 2 / s.median : 0;
  return s;
}

absl::Status MeasureOptions::Validate() const {
  if (warmup_runs < 0) return absl::InvalidArgumentError("warmup_runs must be >= 0");
  if (min_runs < 1) return absl::InvalidArgumentError("min_runs must be >= 1");
  if (max_runs < min_runs) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_runs (", max_runs, ") must be >= min_runs (", min_runs, ")"));
  }
  if (!(target_relative_ci > 0))
    return absl::InvalidArgumentError("target_relative_ci must be > 0");
  return absl::OkStatus();
}

bool NeedMoreRuns(const SampleStats& stats, const MeasureOptions& options) {
  if (stats.n < options.min_runs) return true;
  if (stats.n >= options.max_runs) return false;
  return stats.relative_ci > options.target_relative_ci;
}

absl::StatusOr<RunClock> ParseRunClock(const std::string& text) {
  if (text == "cpu") return RunClock::kCpu;
  if (text == "wall") return RunClock::kWall;
  return absl::InvalidArgumentError(absl::StrCat("run clock '", text, "': expected cpu or wall"));
}

const char* RunClockName(RunClock clock) { return clock == RunClock::kCpu ? "cpu" : "wall"; }

}  // namespace passrl::envs
