// What `passrl optimize` does for one program: evaluates candidate pass sequences, each from the
// unoptimised module in an isolated environment (actors::EnvClient: a pass that crashes or hangs
// costs that candidate, not the command), and keeps the lowest IR instruction count any prefix
// reached. With Strategy::kGuided the candidates come, in order, from
//   1. the policy's greedy rollout,
//   2. the sequence library (optimize/library.h), most useful first,
//   3. then, in turn, a rollout sampled from the policy, a mutation, a uniformly random sequence
//      (new material for the elite) and a mutation. A mutation replaces, inserts or deletes one
//      action of the best so far or, half the time, of one of the elite (the best prefixes with
//      the 8 lowest distinct counts seen); a quarter of the mutations are crossovers instead (a
//      prefix of one elite sequence joined to a suffix of another). Without a policy, the
//      rollouts' turns are mutations,
// until `compilations` candidates or `budget_seconds` are spent. Strategy::kRandom draws uniformly
// random sequences instead: the baseline, through the same machinery and budget. -Oz is not a
// candidate here; the caller falls back to it (the result reports ir_oz).
//
// Given several environments (one per core), candidates are evaluated on all of them at once,
// one thread each, taken in the order above; mutations start from the best found when they are
// taken (a random sequence instead while nothing has improved and others are still running).
// With one environment the search is sequential and, for a compilation budget, deterministic.
// Optimize itself may be called from one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "actors/env_client.h"
#include "actors/observation.h"
#include "actors/policy.h"
#include "optimize/library.h"

namespace passrl::optimize {

enum class Strategy { kGuided, kRandom };

struct OptimizeOptions {
  Strategy strategy = Strategy::kGuided;
  int64_t compilations = 45;  // candidate sequences evaluated; 0: no limit (then a time budget)
  double budget_seconds = 0;  // 0: no time limit (then a compilation limit)
  int length = 24;            // actions per generated sequence (the policy's episode length)
  actors::Horizon horizon = actors::Horizon::kTerminal;  // the policy's, as trained
  std::vector<bool> allowed;  // actions generated sequences may use; empty: all
  uint64_t seed = 1;
  std::function<double()> clock;  // monotonic seconds; default: steady clock
  absl::Status Validate() const;
};

struct OptimizeResult {
  std::vector<int> actions;  // the best sequence found (a prefix of a candidate)
  int64_t ir = 0, ir_o0 = 0, ir_oz = 0;
  std::string source;  // its generator: policy, library, sampled, mutation, crossover, random
  int64_t compilations = 0;  // candidates evaluated
  int64_t failed = 0;        // candidates cut short by a crash or hang
  double seconds = 0;
  // The policy's greedy rollout alone (candidate 1): its actions and the count after each.
  std::vector<int> policy_actions;
  std::vector<int64_t> policy_counts;
  double RatioVsOz() const { return ir > 0 ? static_cast<double>(ir_oz) / static_cast<double>(ir) : 0; }
};

// One candidate alone (`passrl library` scores its candidates with it): the best prefix of
// `actions` from the unoptimised module.
absl::StatusOr<OptimizeResult> EvaluateSequence(actors::EnvClient& env,
                                                const std::string& benchmark,
                                                const std::vector<int>& actions);

// `policy` and `library` may be null (their candidates are skipped). `envs` must not be empty;
// each is used by one thread.
absl::StatusOr<OptimizeResult> Optimize(absl::Span<actors::EnvClient* const> envs,
                                        actors::Policy* policy, const SequenceLibrary* library,
                                        const std::string& benchmark,
                                        const OptimizeOptions& options);
// One environment: sequential.
absl::StatusOr<OptimizeResult> Optimize(actors::EnvClient& env, actors::Policy* policy,
                                        const SequenceLibrary* library,
                                        const std::string& benchmark,
                                        const OptimizeOptions& options);

}  // namespace passrl::optimize
