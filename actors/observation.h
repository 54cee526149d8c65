// What the policy sees: log1p of the 56 Autophase counts (counts span 0..1e5; log1p keeps them in
// a range an MLP trains on) and the fraction of the episode used. Shared by actors (to build it)
// and launch (to size the learner's networks); no LLVM, no LibTorch.
//
// The horizon: how the episode's step limit reaches the agent (docs/ARCHITECTURE.md, "The
// horizon"). kTerminal: the step fraction is observed and the limit's last step is terminal (the
// task is finite-horizon and the agent knows where it is in it). kBootstrap: the time feature is
// 0 (dropped: a constant input) and the last step bootstraps from its next state (the limit is
// an artefact of training, not of the task).
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "envs/features.h"

namespace passrl::actors {

inline constexpr int kObservationDim = envs::kAutophaseSize + 1;

enum class Horizon { kTerminal, kBootstrap };
absl::StatusOr<Horizon> ParseHorizon(absl::string_view name);  // "terminal" or "bootstrap"
const char* HorizonName(Horizon horizon);

std::vector<float> Featurize(absl::Span<const int64_t> autophase, int step, int episode_length,
                             Horizon horizon = Horizon::kTerminal);

}  // namespace passrl::actors
