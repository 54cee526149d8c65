// Policy-guided search for evaluation: a rollout of the greedy policy, and a beam search that
// expands each of the `width` best states with the policy's `width` most likely actions, keeps the
// `width` lowest-cost children (duplicates by IR hash dropped), for up to `length` steps or
// `budget_seconds`. The result is the lowest-cost state seen at any depth (a prefix may win).
// Runs LLVM in-process on the caller's environment. Not thread-safe (one env, one policy).
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "actors/observation.h"
#include "actors/policy.h"
#include "envs/llvm_env.h"

namespace passrl::actors {

struct SearchResult {
  std::vector<int> actions;  // the best sequence found
  double cost = 0;           // of `metric` after `actions`
  int64_t states = 0;        // states evaluated
  double seconds = 0;
};

// The greedy policy's choice, step by step, without repeating a no-op: a greedy Markov policy
// whose action leaves the module unchanged would choose it again forever (the same state), so
// an action seen to change nothing (the observation is the same after it) is excluded in that
// state and the next most likely one is taken; a changed state clears the exclusions. Ends (-1)
// at stop, or after `patience` no-ops in a row. One object per rollout. `stop_action` is the
// compiler's (envs/compiler.h).
class GreedyWithoutNoOps {
 public:
  explicit GreedyWithoutNoOps(int patience = 3, int stop_action = envs::StopAction())
      : patience_(patience), stop_action_(stop_action) {}
  int Next(Policy& policy, const std::vector<int64_t>& observation,
           absl::Span<const float> features);

 private:
  int patience_, stop_action_;
  std::vector<int64_t> last_observation_;
  int last_action_ = -1;
  std::vector<int> excluded_;
};

// The greedy policy (GreedyWithoutNoOps) for at most `length` steps from a fresh Reset of
// `benchmark`.
// `horizon` must be the one the policy was trained with (it shapes the observation).
absl::StatusOr<SearchResult> GreedyRollout(envs::LlvmEnv& env, Policy& policy,
                                           const envs::Benchmark& benchmark, int length,
                                           envs::RewardSpace metric,
                                           Horizon horizon = Horizon::kTerminal);

struct BeamOptions {
  int width = 4;
  int length = 24;
  double budget_seconds = 60;                                         // per benchmark; 0: no limit
  envs::RewardSpace metric = envs::RewardSpace::kIrInstructionCount;  // a cost to minimise
  Horizon horizon = Horizon::kTerminal;  // the policy's, as trained
  absl::Status Validate() const;
};

absl::StatusOr<SearchResult> BeamSearch(envs::LlvmEnv& env, Policy& policy,
                                        const envs::Benchmark& benchmark,
                                        const BeamOptions& options);

// Replays `actions` from a fresh Reset (for checking a reported result).
absl::Status Replay(envs::LlvmEnv& env, const envs::Benchmark& benchmark,
                    const std::vector<int>& actions);

}  // namespace passrl::actors
