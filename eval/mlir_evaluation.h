// Evaluating a policy trained on the MLIR graph task (`passrl eval --compiler mlir`). Per graph,
// with the same budget in rollouts for the two searches:
//   reference  the reference pipeline (envs/mlir_env.h): the anchor of every ratio;
//   greedy     the policy's greedy rollout (its final graph), never repeating an action that
//              changed nothing in that state (actors/guided_search.h: GreedyWithoutNoOps);
//   policy     the best graph seen in `budget` rollouts of the policy: the greedy one, then
//              rollouts sampled from pi(a|s);
//   random     the best graph seen in `budget` rollouts of uniformly random actions.
// Rollouts run through an EnvClient (a worker subprocess in `passrl eval`), so an order of passes
// that crashes MLIR costs that rollout (counted), not the evaluation.
// Not thread-safe: one client and one policy per caller.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "actors/env_client.h"
#include "actors/observation.h"
#include "actors/policy.h"

namespace passrl::eval {

struct MlirEvalOptions {
  int length = 12;  // steps per rollout (the run's env.episode_length)
  int budget = 20;  // rollouts for the policy search and for random search, each
  actors::Horizon horizon = actors::Horizon::kBootstrap;
  uint64_t seed = 1;
};

struct MlirEvalRow {
  std::string graph;
  int64_t start = 0, reference = 0;  // op counts: after the lowering, after the reference
  int64_t greedy = 0, policy = 0, random = 0;
  std::vector<int> greedy_actions, policy_actions, random_actions;
  int crashes = 0;  // rollouts (of either search) lost to a crash of MLIR
  double policy_seconds = 0, random_seconds = 0;
};

// The best graph seen over `options.budget` rollouts: of the policy (greedy first, then sampled
// from pi(a|s)) or, with policy null, of uniformly random passes. `crashes` counts rollouts lost.
struct MlirSearchResult {
  int64_t start = 0, reference = 0, best = 0;  // op counts
  std::vector<int> best_actions;               // the sequence that reached `best`
  int64_t greedy = 0;                          // with a policy: its greedy rollout's final count
  std::vector<int> greedy_actions;
  int crashes = 0;
  double seconds = 0;
};
absl::StatusOr<MlirSearchResult> SearchMlirGraph(actors::EnvClient& env, actors::Policy* policy,
                                                 const std::string& graph,
                                                 const MlirEvalOptions& options);

absl::StatusOr<MlirEvalRow> EvaluateMlirGraph(actors::EnvClient& env, actors::Policy& policy,
                                              const std::string& graph,
                                              const MlirEvalOptions& options);

// Geometric mean of reference / value over rows (> 1: fewer ops than the reference).
double GeomeanVsReference(const std::vector<MlirEvalRow>& rows, int64_t MlirEvalRow::*value);

}  // namespace passrl::eval
