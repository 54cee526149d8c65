#include "sweep/asha.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace passrl::sweep {
namespace {

double Score(const RungResult& r) {
  return r.failed ? -std::numeric_limits<double>::infinity() : r.score;
}

// Better first; ties by trial id, so the order never depends on the order results came in.
bool Better(const RungResult& a, const RungResult& b) {
  if (Score(a) != Score(b)) return Score(a) > Score(b);
  return a.trial < b.trial;
}

}  // namespace

std::optional<Job> NextJob(const AshaShape& shape, const std::vector<RungResult>& done,
                           const std::set<Job>& running) {
  std::set<Job> started = running;
  std::vector<std::vector<RungResult>> by_rung(static_cast<size_t>(shape.rungs));
  for (const RungResult& r : done) {
    started.insert({r.trial, r.rung});
    if (r.rung >= 0 && r.rung < shape.rungs) by_rung[static_cast<size_t>(r.rung)].push_back(r);
  }
  for (int k = shape.rungs - 2; k >= 0; --k) {
    std::vector<RungResult>& at = by_rung[static_cast<size_t>(k)];
    std::sort(at.begin(), at.end(), Better);
    const size_t top = static_cast<size_t>(std::floor(static_cast<double>(at.size()) / shape.eta));
    for (size_t i = 0; i < top && i < at.size(); ++i) {
      if (at[i].failed) break;
      const Job next{at[i].trial, k + 1};
      if (!started.count(next)) return next;
    }
  }
  for (int t = 0; t < shape.trials; ++t) {
    if (!started.count({t, 0})) return Job{t, 0};
  }
  return std::nullopt;
}

std::vector<RungResult> Rank(const std::vector<RungResult>& done) {
  // Each trial at its highest successful rung (a failure at a later rung, say a lost node, does
  // not discard what it scored before), else at its highest failed one.
  std::map<int, RungResult> highest;
  for (const RungResult& r : done) {
    auto it = highest.find(r.trial);
    const bool better = it == highest.end() || (it->second.failed && !r.failed) ||
                        (it->second.failed == r.failed && r.rung > it->second.rung);
    if (better) highest[r.trial] = r;
  }
  std::vector<RungResult> out;
  for (const auto& [trial, r] : highest) out.push_back(r);
  std::sort(out.begin(), out.end(), [](const RungResult& a, const RungResult& b) {
    if (a.failed != b.failed) return !a.failed;
    if (a.rung != b.rung) return a.rung > b.rung;
    return Better(a, b);
  });
  return out;
}

}  // namespace passrl::sweep
