#include "eval/summary.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "common/check.h"

namespace passrl::eval {

GeomeanSummary SummarizeRatios(const std::vector<double>& ratios, int resamples, uint64_t seed) {
  GeomeanSummary s;
  s.n = static_cast<int>(ratios.size());
  if (ratios.empty()) {
    s.geomean = s.low = s.high = NAN;
    return s;
  }
  std::vector<double> logs;
  for (double r : ratios) {
    PASSRL_CHECK(r > 0);
    logs.push_back(std::log(r));
  }
  double sum = 0;
  for (double l : logs) sum += l;
  s.geomean = std::exp(sum / s.n);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, logs.size() - 1);
  std::vector<double> means(std::max(1, resamples));
  for (double& mean : means) {
    double total = 0;
    for (int i = 0; i < s.n; ++i) total += logs[pick(rng)];
    mean = total / s.n;
  }
  std::sort(means.begin(), means.end());
  auto quantile = [&](double q) {
    const size_t i = static_cast<size_t>(std::floor(q * static_cast<double>(means.size() - 1)));
    return std::exp(means[i]);
  };
  s.low = quantile(0.025);
  s.high = quantile(0.975);
  return s;
}

}  // namespace passrl::eval
