// Where `eval` and `optimize` get a trained policy: a checkpoint directory, or a run directory's
// policy file (RUN/policy.pb, policy-<t>s.pb) with the run's config.yaml. The run's configuration
// matters beyond the weights: the episode length and horizon shape the observation, and the
// action set masks choices, so a policy is always loaded with its own. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "actors/observation.h"
#include "actors/policy.h"
#include "envs/compiler.h"

namespace passrl::launch {

struct LoadedPolicy {
  std::unique_ptr<actors::Policy> policy;  // greedy (argmax)
  std::string source;   // the checkpoint directory or policy file read
  envs::Compiler compiler = envs::Compiler::kLlvm;  // the task it was trained on
  std::string run_dir;  // the run it belongs to (where its sequence library lives)
  std::vector<bool> allowed;  // the run's env.action_set (model::NetworkShape::allowed)
  int episode_length = 24;
  std::string start = "O0";  // the run's env.start: rollouts begin there
  actors::Horizon horizon = actors::Horizon::kTerminal;
};

// A checkpoint directory (or a run's checkpoints/ with `fallback` to older complete ones).
absl::StatusOr<LoadedPolicy> LoadPolicyFromCheckpoint(const std::string& checkpoint_dir,
                                                      bool fallback);
// A run directory's policy file; `policy_file` empty: RUN/policy.pb.
absl::StatusOr<LoadedPolicy> LoadPolicyFromRun(const std::string& run_dir,
                                               const std::string& policy_file = "");
// Either, by what `path` is: a policy file (its run is the folder holding it), a run directory
// (holds config.yaml) or a checkpoint directory. NotFound names the path.
absl::StatusOr<LoadedPolicy> LoadPolicy(const std::string& path);

}  // namespace passrl::launch
