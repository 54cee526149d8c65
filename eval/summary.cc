#include "eval/summary.h"

#include <algorithm>
#include <cmath>
#include <random>

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/check.h"
#include "envs/action_space.h"

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

std::string DescribeSequences(const std::vector<PolicyTrace>& traces) {
  std::set<std::vector<int>> distinct;
  std::map<int, int64_t> uses;
  int64_t total = 0;
  double gain_all = 0, gain_pipeline = 0;
  bool counted = true;
  for (const PolicyTrace& t : traces) {
    distinct.insert(t.actions);
    counted = counted && t.counts.size() == t.actions.size();
    int64_t before = t.start;
    for (size_t i = 0; i < t.actions.size(); ++i) {
      ++uses[t.actions[i]];
      ++total;
      if (!counted) continue;
      const double gain = static_cast<double>(before - t.counts[i]);
      gain_all += gain;
      if (envs::Actions()[t.actions[i]].kind == envs::ActionKind::kPipeline) gain_pipeline += gain;
      before = t.counts[i];
    }
  }
  std::vector<std::pair<int64_t, int>> order;
  for (const auto& [a, n] : uses) order.push_back({n, -a});  // ties: lower id first
  std::sort(order.rbegin(), order.rend());
  std::string top;
  for (size_t i = 0; i < order.size() && i < 8; ++i) {
    absl::StrAppend(&top, i ? ", " : "", envs::Actions()[-order[i].second].name,
                    absl::StrFormat(" %.0f%%", 100.0 * order[i].first / total));
  }
  std::string out = absl::StrFormat(
      "%zu distinct sequences on %zu programs; %zu actions used; most used: %s", distinct.size(),
      traces.size(), uses.size(), top.empty() ? "none" : top);
  if (counted && gain_all > 0) {
    absl::StrAppend(&out, absl::StrFormat("; -Oz sub-pipeline actions give %.1f%% of the "
                                          "instruction reduction",
                                          100.0 * gain_pipeline / gain_all));
  }
  return out;
}

}  // namespace passrl::eval
