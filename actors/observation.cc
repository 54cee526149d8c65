#include "actors/observation.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/check.h"

namespace passrl::actors {

const char* HorizonName(Horizon horizon) {
  return horizon == Horizon::kTerminal ? "terminal" : "bootstrap";
}

absl::StatusOr<Horizon> ParseHorizon(absl::string_view name) {
  for (Horizon h : {Horizon::kTerminal, Horizon::kBootstrap}) {
    if (name == HorizonName(h)) return h;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("horizon '", name, "': expected terminal or bootstrap"));
}

std::vector<float> Featurize(absl::Span<const int64_t> start, absl::Span<const int64_t> now,
                             absl::Span<const int> actions, int episode_length,
                             Horizon horizon) {
  PASSRL_CHECK(static_cast<int>(now.size()) == envs::kAutophaseSize);
  PASSRL_CHECK(start.size() == now.size());
  auto log_count = [](int64_t v) {
    return static_cast<float>(std::log1p(static_cast<double>(std::max<int64_t>(v, 0))));
  };
  std::vector<float> obs(kObservationDim, 0.f);
  for (int i = 0; i < envs::kAutophaseSize; ++i) {
    obs[i] = log_count(now[i]);
    obs[kChangeOffset + i] = obs[i] - log_count(start[i]);
  }
  for (int a : actions) {
    PASSRL_CHECK(a >= 0 && a < envs::kNumActions);
    float& seen = obs[kHistoryOffset + a];
    seen = std::min(1.f, seen + 1.f / kHistoryCap);
  }
  if (horizon == Horizon::kTerminal && episode_length > 0) {
    const int step = std::min(static_cast<int>(actions.size()), episode_length);
    obs[kStepOffset] = static_cast<float>(step) / static_cast<float>(episode_length);
  }
  return obs;
}

std::vector<std::string> ObservationNames() {
  std::vector<std::string> names;
  names.reserve(kObservationDim);
  for (const std::string& f : envs::AutophaseFeatureNames()) names.push_back("log1p_" + f);
  for (const std::string& f : envs::AutophaseFeatureNames()) names.push_back("change_" + f);
  for (const envs::ActionSpec& a : envs::Actions()) names.push_back(absl::StrCat("taken_", a.name));
  names.push_back("episode_fraction");
  PASSRL_CHECK(static_cast<int>(names.size()) == kObservationDim);
  return names;
}

}  // namespace passrl::actors
