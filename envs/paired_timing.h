// Paired A/B timing statistics: the runtime reward is a *difference* between two binaries, so it
// is estimated from runs of the two interleaved on one core (A B A B ...), pair by pair. Machine
// noise that drifts over seconds (a busy neighbour, frequency, host contention) hits both runs of
// a pair alike and cancels in the pair's log ratio, log(t_B / t_A).
//
//   estimate: Hodges-Lehmann of the per-pair log ratios (median of the Walsh averages: robust
//             to the odd slow run, efficient when there is none);
//   interval: Student t 95% interval of their mean (exact for normal log ratios; the test checks
//             its coverage on synthetic samples with a known shift);
//   significant: the 99% interval excludes 0. The rule looks after every pair, and a 5% test at
//             each of up to 9 looks would call ~15% of non-changes significant; 99% per look
//             (Pocock's constant-level design) keeps that near 5% (measured in the test);
//   stopping: after min_pairs, once significant, or when the 95% half width is below
//             target_half_width (no change worth knowing), or at max_pairs.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace passrl::envs {

struct PairedEstimate {
  int pairs = 0;
  double log_ratio = 0;                  // log(t_B / t_A): > 0 when A is faster
  double log_low = 0, log_high = 0;      // its 95% interval (the estimate itself below 2 pairs)
  double strict_low = 0, strict_high = 0;  // 99%: what significance is judged by
  double speedup() const;                // t_B / t_A
  double speedup_low() const;            // the interval as speedups
  double speedup_high() const;
  double half_width() const { return (log_high - log_low) / 2; }
  bool significant() const { return pairs >= 2 && (strict_low > 0 || strict_high < 0); }
};

// `a[i]` and `b[i]` are the times of pair i (CHECKs equal sizes, positive times).
PairedEstimate EstimatePaired(const std::vector<double>& a, const std::vector<double>& b);

// Quantiles of Student's t with `df` degrees of freedom (df >= 1): 97.5% and 99.5%.
double StudentT975(int df);
double StudentT995(int df);

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
