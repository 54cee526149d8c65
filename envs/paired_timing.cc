#include "envs/paired_timing.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/check.h"

namespace passrl::envs {

double PairedEstimate::speedup() const { return std::exp(log_ratio); }
double PairedEstimate::speedup_low() const { return std::exp(log_low); }
double PairedEstimate::speedup_high() const { return std::exp(log_high); }

namespace {
// A two-sided quantile of Student's t: the table for df 1..30, beyond it the Cornish-Fisher
// expansion around the normal quantile `z` (within 0.003 for df > 30).
double StudentT(int df, const double (&table)[30], double z) {
  PASSRL_CHECK(df >= 1);
  if (df <= 30) return table[df - 1];
  const double v = df;
  return z + (z * z * z + z) / (4 * v) + (5 * std::pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * v * v);
}
}  // namespace

double StudentT975(int df) {
  static constexpr double kTable[30] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                                        2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                                        2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                                        2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  return StudentT(df, kTable, 1.959964);
}

double StudentT995(int df) {
  static constexpr double kTable[30] = {63.657, 9.925, 5.841, 4.604, 4.032, 3.707, 3.499, 3.355,
                                        3.250,  3.169, 3.106, 3.055, 3.012, 2.977, 2.947, 2.921,
                                        2.898,  2.878, 2.861, 2.845, 2.831, 2.819, 2.807, 2.797,
                                        2.787,  2.779, 2.771, 2.763, 2.756, 2.750};
  return StudentT(df, kTable, 2.575829);
}

PairedEstimate EstimatePaired(const std::vector<double>& a, const std::vector<double>& b) {
  PASSRL_CHECK(a.size() == b.size());
  PairedEstimate e;
  e.pairs = static_cast<int>(a.size());
  if (a.empty()) return e;
  std::vector<double> r;
  for (size_t i = 0; i < a.size(); ++i) {
    PASSRL_CHECK(a[i] > 0 && b[i] > 0);
    r.push_back(std::log(b[i] / a[i]));
  }
  std::vector<double> walsh;  // (r_i + r_j) / 2 for i <= j
  for (size_t i = 0; i < r.size(); ++i) {
    for (size_t j = i; j < r.size(); ++j) walsh.push_back((r[i] + r[j]) / 2);
  }
  const size_t m = walsh.size();
  std::nth_element(walsh.begin(), walsh.begin() + m / 2, walsh.end());
  double hl = walsh[m / 2];
  if (m % 2 == 0) hl = (hl + *std::max_element(walsh.begin(), walsh.begin() + m / 2)) / 2;
  e.log_ratio = hl;
  if (r.size() < 2) {
    e.log_low = e.log_high = e.strict_low = e.strict_high = hl;
    return e;
  }
  double mean = 0;
  for (double x : r) mean += x;
  mean /= static_cast<double>(r.size());
  double ss = 0;
  for (double x : r) ss += (x - mean) * (x - mean);
  const double n = static_cast<double>(r.size());
  const double se = std::sqrt(ss / (n - 1) / n);
  e.log_low = mean - StudentT975(e.pairs - 1) * se;
  e.log_high = mean + StudentT975(e.pairs - 1) * se;
  e.strict_low = mean - StudentT995(e.pairs - 1) * se;
  e.strict_high = mean + StudentT995(e.pairs - 1) * se;
  return e;
}

absl::Status PairedOptions::Validate() const {
  if (warmup_pairs < 0) return absl::InvalidArgumentError("warmup_pairs must be >= 0");
  if (min_pairs < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_pairs must be >= 2 (an interval needs two pairs), got ", min_pairs));
  }
  if (max_pairs < min_pairs) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_pairs (", max_pairs, ") must be >= min_pairs (", min_pairs, ")"));
  }
  if (!(target_half_width > 0)) {
    return absl::InvalidArgumentError("target_half_width must be > 0");
  }
  return absl::OkStatus();
}

const char* PairedStopName(PairedStop stop) {
  switch (stop) {
    case PairedStop::kContinue:
      return "continue";
    case PairedStop::kSignificant:
      return "significant";
    case PairedStop::kNarrow:
      return "narrow";
    case PairedStop::kCap:
      return "cap";
  }
  return "?";
}

PairedStop NextPairedStep(const PairedEstimate& estimate, const PairedOptions& options) {
  if (estimate.pairs < options.min_pairs) return PairedStop::kContinue;
  if (estimate.significant()) return PairedStop::kSignificant;
  if (estimate.half_width() <= options.target_half_width) return PairedStop::kNarrow;
  if (estimate.pairs >= options.max_pairs) return PairedStop::kCap;
  return PairedStop::kContinue;
}

absl::StatusOr<Insignificant> ParseInsignificant(const std::string& text) {
  if (text == "zero") return Insignificant::kZero;
  if (text == "estimate") return Insignificant::kEstimate;
  return absl::InvalidArgumentError(
      absl::StrCat("insignificant change value '", text, "': expected zero or estimate"));
}

}  // namespace passrl::envs
