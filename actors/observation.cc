#include "actors/observation.h"

#include <cmath>

#include "common/check.h"

namespace passrl::actors {

std::vector<float> Featurize(absl::Span<const int64_t> autophase, int step, int episode_length) {
  PASSRL_CHECK(static_cast<int>(autophase.size()) == envs::kAutophaseSize);
  std::vector<float> obs;
  obs.reserve(kObservationDim);
  for (int64_t v : autophase) obs.push_back(static_cast<float>(std::log1p(static_cast<double>(v))));
  obs.push_back(episode_length > 0 ? static_cast<float>(step) / static_cast<float>(episode_length)
                                   : 0.f);
  return obs;
}

}  // namespace passrl::actors
