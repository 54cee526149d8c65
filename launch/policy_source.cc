#include "launch/policy_source.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/file_cache.h"
#include "common/status_macros.h"
#include "envs/action_space.h"
#include "launch/commands.h"
#include "launch/config.h"
#include "learner/checkpoint.h"
#include "learner/sac.h"
#include "proto/wire.h"

namespace passrl::launch {

absl::StatusOr<LoadedPolicy> LoadPolicyFromCheckpoint(const std::string& checkpoint_dir,
                                                      bool fallback) {
  // The policy needs no replay: its chunks are neither read nor verified.
  PASSRL_ASSIGN_OR_RETURN(
      learner::LoadedCheckpoint ckpt,
      learner::LoadLatestCheckpoint(checkpoint_dir, fallback, /*verify_replay=*/false));
  PASSRL_ASSIGN_OR_RETURN(envs::Compiler compiler, CheckMatchesThisBuild(ckpt.spaces));
  // The run's episode length, horizon and action set, from the configuration stored in the
  // checkpoint: without them the policy would see other features than it learned.
  auto config = ParseTrainConfig(ckpt.path + "/config.yaml", ckpt.config_yaml);
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        absl::StrCat("the run's configuration stored in the checkpoint: ",
                                     config.status().message()));
  }
  learner::SacOptions o = config->LearnerForThisBuild().sac;
  o.use_cuda_if_available = false;
  PASSRL_ASSIGN_OR_RETURN(auto agent, learner::SacAgent::Create(o));
  absl::Status s = agent->LoadState(ckpt.agent_state);
  if (!s.ok()) return absl::DataLossError(absl::StrCat(ckpt.path, "/agent.pt: ", s.message()));
  LoadedPolicy out;
  PASSRL_ASSIGN_OR_RETURN(out.policy, actors::CreateTorchPolicy(o.shape, 1, /*greedy=*/true));
  const std::vector<float> params = agent->PolicyParameters();
  PASSRL_RETURN_IF_ERROR(out.policy->SetWeights(ckpt.counters.policy_version, params));
  out.source = ckpt.path;
  out.compiler = compiler;
  out.allowed = o.shape.allowed;
  // RUN/checkpoints/ckpt-N: the run is two folders up (wherever the run was moved to).
  out.run_dir = std::filesystem::path(ckpt.path).parent_path().parent_path().string();
  out.episode_length = config->actor.episode_length;
  out.start = config->worker.start;
  // A checkpoint from before env.horizon existed: its policy observed the step fraction.
  out.horizon = ckpt.spaces.horizon.empty() ? actors::Horizon::kTerminal : config->actor.horizon;
  return out;
}

absl::StatusOr<LoadedPolicy> LoadPolicyFromRun(const std::string& run_dir,
                                               const std::string& policy_file) {
  PASSRL_ASSIGN_OR_RETURN(TrainConfig c, LoadTrainConfig(run_dir + "/config.yaml"));
  const std::string path = policy_file.empty() ? run_dir + "/policy.pb" : policy_file;
  std::string bytes;
  PASSRL_RETURN_IF_ERROR(ReadFileToString(path, &bytes));
  const model::NetworkShape shape = c.LearnerForThisBuild().sac.shape;
  LoadedPolicy out;
  PASSRL_ASSIGN_OR_RETURN(out.policy, actors::CreateTorchPolicy(shape, 1, /*greedy=*/true));
  wire::Expectations expect;
  expect.action_space_hash = envs::SpecOf(c.actor.compiler).action_space_hash();
  expect.obs_dim = shape.obs_dim;
  expect.num_actions = shape.num_actions;
  auto weights = wire::DecodeLearnerMessage(bytes, expect, out.policy->parameter_count());
  if (!weights.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", weights.status().message()));
  }
  if (wire::IsKeepalive(*weights)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": holds no weights"));
  }
  PASSRL_RETURN_IF_ERROR(out.policy->SetWeights(weights->version(), wire::Parameters(*weights)));
  out.source = path;
  out.compiler = c.actor.compiler;
  out.run_dir = run_dir;
  out.allowed = shape.allowed;
  out.episode_length = c.actor.episode_length;
  out.start = c.worker.start;
  out.horizon = c.actor.horizon;
  // A run from before env.horizon existed (its config.yaml lacks the key, which runs now always
  // write): its policy observed the step fraction.
  std::string text;
  if (ReadFileToString(run_dir + "/config.yaml", &text).ok() &&
      text.find("\n  horizon: ") == std::string::npos) {
    out.horizon = actors::Horizon::kTerminal;
  }
  return out;
}

absl::StatusOr<LoadedPolicy> LoadPolicy(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    const std::string run = fs::path(path).parent_path().string();
    return LoadPolicyFromRun(run.empty() ? "." : run, path);
  }
  if (!fs::is_directory(path, ec)) {
    return absl::NotFoundError(absl::StrCat(
        "--policy ", path, ": no such file or directory (give a run directory, its policy.pb, "
        "or a checkpoint directory)"));
  }
  if (fs::exists(fs::path(path) / "config.yaml", ec) && fs::exists(fs::path(path) / "policy.pb", ec)) {
    return LoadPolicyFromRun(path);
  }
  return LoadPolicyFromCheckpoint(path, /*fallback=*/true);
}

}  // namespace passrl::launch
