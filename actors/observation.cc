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

int ObservationDim(envs::Compiler compiler) {
  const envs::CompilerSpec& spec = envs::SpecOf(compiler);
  return 2 * spec.num_features() + spec.num_actions() + 1;
}

std::vector<float> Featurize(absl::Span<const int64_t> start, absl::Span<const int64_t> now,
                             absl::Span<const int> actions, int episode_length,
                             Horizon horizon, envs::Compiler compiler) {
  const envs::CompilerSpec& spec = envs::SpecOf(compiler);
  const int features = spec.num_features();
  PASSRL_CHECK(static_cast<int>(now.size()) == features);
  PASSRL_CHECK(start.size() == now.size());
  auto log_count = [](int64_t v) {
    return static_cast<float>(std::log1p(static_cast<double>(std::max<int64_t>(v, 0))));
  };
  std::vector<float> obs(ObservationDim(compiler), 0.f);
  const int history = 2 * features, step_index = history + spec.num_actions();
  for (int i = 0; i < features; ++i) {
    obs[i] = log_count(now[i]);
    obs[features + i] = obs[i] - log_count(start[i]);
  }
  for (int a : actions) {
    PASSRL_CHECK(a >= 0 && a < spec.num_actions());
    float& seen = obs[history + a];
    seen = std::min(1.f, seen + 1.f / kHistoryCap);
  }
  if (horizon == Horizon::kTerminal && episode_length > 0) {
    const int step = std::min(static_cast<int>(actions.size()), episode_length);
    obs[step_index] = static_cast<float>(step) / static_cast<float>(episode_length);
  }
  return obs;
}

std::vector<std::string> ObservationNames(envs::Compiler compiler) {
  const envs::CompilerSpec& spec = envs::SpecOf(compiler);
  std::vector<std::string> names;
  for (const std::string& f : *spec.feature_names) names.push_back("log1p_" + f);
  for (const std::string& f : *spec.feature_names) names.push_back("change_" + f);
  for (const envs::ActionSpec& a : spec.actions) names.push_back(absl::StrCat("taken_", a.name));
  names.push_back("episode_fraction");
  PASSRL_CHECK(static_cast<int>(names.size()) == ObservationDim(compiler));
  return names;
}

}  // namespace passrl::actors
