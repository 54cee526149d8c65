// Paired A/B timing statistics: the runtime reward is a *difference* between two binaries, so it
// is estimated from runs of the two interleaved on one core (A B A B ...), pair by pair. Machine
// noise that drifts over seconds (a busy neighbour, frequency, host contention) hits both runs of
// a pair alike and cancels in the pair's log ratio, log(t_B / t_A).
//
//   estimate: Hodges-Lehmann of the per-pair log ratios (median of the Walsh averages: robust
//             to the odd slow run, efficient when there is none);
//   interval: Student t 95% interval of their mean (exact for normal log ratios; the test checks
//             its coverage on synthetic samples with a known shift);
//   stopping: after min_pairs, once the interval excludes 0 (a significant change), or its half
//             width is below target_half_width (no change worth knowing), or at max_pairs.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace passrl::envs {

struct PairedEstimate {
  int pairs = 0;
  double log_ratio = 0;                  // log(t_B / t_A): > 0 when A is faster
  double log_low = 0, log_high = 0;      // its 95% interval (both 0 with fewer than two pairs)
  double speedup() const;                // t_B / t_A
  double speedup_low() const;            // the interval as speedups
  double speedup_high() const;
  double half_width() const { return (log_high - log_low) / 2; }
  bool significant() const { return pairs >= 2 && (log_low > 0 || log_high < 0); }
};

// `a[i]` and `b[i]` are the times of pair i (CHECKs equal sizes, positive times).
PairedEstimate EstimatePaired(const std::vector<double>& a, const std::vector<double>& b);

// Two-sided 97.5% quantile of Student's t with `df` degrees of freedom (df >= 1).
double StudentT975(int df);

struct PairedOptions {
  int warmup_pairs = 0;             // untimed A, B runs first (binaries live on tmpfs: rarely needed)
  int min_pairs = 2;                // pairs before the rule may stop
  int max_pairs = 10;               // cap (2 x max_pairs timed runs)
  double target_half_width = 0.01;  // stop once the speedup is known to about +-1%
  absl::Status Validate() const;
};

enum class PairedStop { kContinue, kSignificant, kNarrow, kCap };
const char* PairedStopName(PairedStop stop);
PairedStop NextPairedStep(const PairedEstimate& estimate, const PairedOptions& options);

// What an insignificant change is worth as a reward: nothing, or the estimate as measured.
enum class Insignificant { kZero, kEstimate };
absl::StatusOr<Insignificant> ParseInsignificant(const std::string& text);  // zero|estimate

}  // namespace passrl::envs
