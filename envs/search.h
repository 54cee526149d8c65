// Search baselines over the action space for one benchmark: the numbers the RL agent must beat.
//
//   RandomSearch: episodes of uniformly random actions; the best prefix seen anywhere wins.
//   GreedySearch: at each step try every action from the current state (Snapshot/Restore) and
//                 keep the one that lowers the cost most; stop when none lowers it.
//
// Both minimise the raw cost of the environment's reward metric (IR instructions or .text bytes)
// and stop at the time budget or the budget in measured states (the unit eval compares
// methods in). The clock is injected so tests can run them deterministically by
// episode count. Not thread-safe (they drive one LlvmEnv).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "envs/llvm_env.h"

namespace passrl::envs {

struct SearchOptions {
  double budget_seconds = 10;
  int episode_length = 20;   // random: actions per episode; greedy: most steps
  int64_t max_episodes = 0;  // random search: stop after this many episodes (0: budget only)
  int64_t max_steps = 0;     // stop after this many measured states, "compilations" (0: none)
  uint64_t seed = 1;
  std::vector<bool> allowed;  // actions it may use (envs::AllowedActions; SearchActions); empty: all
  std::function<double()> clock;  // seconds, monotonic; default: steady_clock
  absl::Status Validate() const;
};

struct SearchResult {
  std::vector<int> best_actions;
  int64_t best_cost = 0;
  int64_t o0_cost = 0, oz_cost = 0, o3_cost = 0;
  int64_t episodes = 0, steps = 0;
  double seconds = 0;
  // > 1 means better than -Oz (CompilerGym's "improvement over -Oz").
  double ratio_vs_oz() const {
    return best_cost > 0 ? static_cast<double>(oz_cost) / static_cast<double>(best_cost) : 0;
  }
};

// Called about once a second with the best result so far.
using SearchProgress = std::function<void(const SearchResult&)>;

absl::StatusOr<SearchResult> RandomSearch(LlvmEnv& env, const Benchmark& benchmark,
                                          const SearchOptions& options,
                                          const SearchProgress& progress = nullptr);
absl::StatusOr<SearchResult> GreedySearch(LlvmEnv& env, const Benchmark& benchmark,
                                          const SearchOptions& options,
                                          const SearchProgress& progress = nullptr);

}  // namespace passrl::envs
