// What the policy sees: log1p of the 56 Autophase counts (counts span 0..1e5; log1p keeps them in
// a range an MLP trains on) and the fraction of the episode used. Shared by actors (to build it)
// and launch (to size the learner's networks); no LLVM, no LibTorch.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "envs/features.h"

namespace passrl::actors {

inline constexpr int kObservationDim = envs::kAutophaseSize + 1;

std::vector<float> Featurize(absl::Span<const int64_t> autophase, int step, int episode_length);

}  // namespace passrl::actors
