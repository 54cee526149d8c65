// What the policy sees of an episode: where the module is, how far the episode has moved it, and
// what was done to get there. Autophase alone cannot tell whether the inliner or a loop pipeline
// has run (two modules with equal counts can differ in both), so a policy seeing only counts
// stops or repeats itself on programs unlike its training set; the change since the start and the
// action history make the state Markov enough to order passes. Shared by actors (to build it),
// optimize (its rollouts) and launch (to size the learner's networks); no LLVM, no LibTorch.
//
// Layout (ObservationDim(compiler) floats; kObservationDim for LLVM), in this order:
//   log1p of the compiler's raw features now (LLVM: the 56 Autophase counts; MLIR: op counts by
//   name and graph statistics; counts span 0..1e5, log1p keeps them trainable);
//   log1p(now) - log1p(at reset): what the episode has changed, per feature;
//   per action, how often it was taken this episode, min(n, kHistoryCap) / kHistoryCap;
//   the fraction of the episode used (see the horizon).
//
// The horizon: how the episode's step limit reaches the agent (docs/ARCHITECTURE.md, "The
// horizon"). kTerminal: the step fraction is observed and the limit's last step is terminal (the
// task is finite-horizon and the agent knows where it is in it). kBootstrap: the time feature is
// 0 (dropped: a constant input) and the last step bootstraps from its next state (the limit is
// an artefact of training, not of the task).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "envs/action_space.h"
#include "envs/compiler.h"
#include "envs/features.h"

namespace passrl::actors {

inline constexpr int kHistoryCap = 4;  // taking an action more often than this reads the same
inline constexpr int kChangeOffset = envs::kAutophaseSize;
inline constexpr int kHistoryOffset = 2 * envs::kAutophaseSize;
inline constexpr int kStepOffset = kHistoryOffset + envs::kNumActions;
inline constexpr int kObservationDim = kStepOffset + 1;

enum class Horizon { kTerminal, kBootstrap };
absl::StatusOr<Horizon> ParseHorizon(absl::string_view name);  // "terminal" or "bootstrap"
const char* HorizonName(Horizon horizon);

int ObservationDim(envs::Compiler compiler);

// `start`: the raw features at reset; `now`: after `actions`, the episode's steps so far
// (their number is the step; past `episode_length` the fraction stays 1).
std::vector<float> Featurize(absl::Span<const int64_t> start, absl::Span<const int64_t> now,
                             absl::Span<const int> actions, int episode_length,
                             Horizon horizon = Horizon::kTerminal,
                             envs::Compiler compiler = envs::Compiler::kLlvm);

// One name per float of the layout above (the replay export's `feature_names`).
std::vector<std::string> ObservationNames(envs::Compiler compiler = envs::Compiler::kLlvm);

}  // namespace passrl::actors
