// Statistics of repeated timings and the adaptive repetition rule (LNT / Google Benchmark
// practice): after warm-up, keep timing until the 95% confidence interval of the median is
// narrower than a bound relative to the median, or a cap of runs is reached.
//
// The interval is distribution-free: the order statistics at ranks n/2 -+ 1.96 sqrt(n)/2
// (binomial approximation), so it needs no normality and is robust to the odd slow run.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace passrl::envs {

struct SampleStats {
  int n = 0;
  double median = 0, min = 0, max = 0, mean = 0, stddev = 0;
  double cv = 0;                   // stddev / mean
  double ci_low = 0, ci_high = 0;  // 95% interval of the median
  double relative_ci = 0;          // (ci_high - ci_low) / 2 / median
};

// CHECKs that `samples` is not empty.
SampleStats ComputeStats(std::vector<double> samples);

struct MeasureOptions {
  int warmup_runs = 1;               // untimed runs first (page cache, CPU frequency)
  int min_runs = 5;                  // timed runs before the rule may stop
  int max_runs = 30;                 // cap
  double target_relative_ci = 0.01;  // stop once the median is known to +-1%
  absl::Status Validate() const;
};

// Whether the adaptive rule asks for another timed run.
bool NeedMoreRuns(const SampleStats& stats, const MeasureOptions& options);

// The clock a run is timed by. cpu: the program's user + system CPU time (wait4), which leaves
// out what a busy machine adds around it: time queued for its core (actors and the learner
// sharing the cores), and on a VM with steal accounting the time the hypervisor gave to others
// (BENCHMARKS.md, runtime noise). It sums every thread's time and omits sleeps and I/O waits,
// so programs that block or run threads in parallel want wall: start to exit.
enum class RunClock { kCpu, kWall };
absl::StatusOr<RunClock> ParseRunClock(const std::string& text);  // cpu | wall
const char* RunClockName(RunClock clock);

}  // namespace passrl::envs
