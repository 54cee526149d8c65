#include "actors/observation.h"

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

std::vector<float> Featurize(absl::Span<const int64_t> autophase, int step, int episode_length,
                             Horizon horizon) {
  PASSRL_CHECK(static_cast<int>(autophase.size()) == envs::kAutophaseSize);
  std::vector<float> obs;
  obs.reserve(kObservationDim);
  for (int64_t v : autophase) obs.push_back(static_cast<float>(std::log1p(static_cast<double>(v))));
  const bool timed = horizon == Horizon::kTerminal && episode_length > 0;
  obs.push_back(timed ? static_cast<float>(step) / static_cast<float>(episode_length) : 0.f);
  return obs;
}

}  // namespace passrl::actors
