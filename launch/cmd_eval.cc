// passrl eval: the greedy policy of a training run on every benchmark of a dataset: IR
// instruction count after one episode (argmax actions) against -O0 and -Oz, and the geomean.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "actors/observation.h"
#include "actors/policy.h"
#include "common/status_macros.h"
#include "envs/action_space.h"
#include "envs/llvm_env.h"
#include "launch/commands.h"
#include "launch/config.h"
#include "proto/wire.h"

namespace passrl::launch {
namespace {

struct EvalFlags {
  envs::DatasetOptions dataset;
  std::string run, policy, dataset_name = "bundled", csv;
  int length = 0;
  bool validate = false;
};

absl::Status RunEval(const EvalFlags& flags) {
  PASSRL_ASSIGN_OR_RETURN(TrainConfig c, LoadTrainConfig(flags.run + "/config.yaml"));
  const std::string policy_path = flags.policy.empty() ? flags.run + "/policy.pb" : flags.policy;
  std::ifstream in(policy_path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(policy_path, ": cannot read the policy"));
  std::stringstream bytes;
  bytes << in.rdbuf();
  PASSRL_ASSIGN_OR_RETURN(auto policy, actors::CreateTorchPolicy(actors::kObservationDim,
                                                                 envs::kNumActions, c.hidden, 1,
                                                                 /*greedy=*/true));
  wire::Expectations expect;
  expect.action_space_hash = envs::ActionSpaceHash();
  expect.obs_dim = actors::kObservationDim;
  expect.num_actions = envs::kNumActions;
  auto weights = wire::DecodeLearnerMessage(bytes.str(), expect, policy->parameter_count());
  if (!weights.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(policy_path, ": ", weights.status().message()));
  }
  const float* p = reinterpret_cast<const float*>(weights->parameters().data());
  PASSRL_RETURN_IF_ERROR(
      policy->SetWeights(weights->version(), absl::MakeConstSpan(p, policy->parameter_count())));
  const int length = flags.length > 0 ? flags.length : c.episode_length;
  envs::EnvOptions options;
  options.reward = envs::RewardSpace::kIrInstructionCount;
  options.cache_dir = flags.dataset.build.cache_dir;
  // --validate: one untimed run per program, output compared with the -O0 build.
  options.runtime.measure.warmup_runs = 0;
  options.runtime.measure.min_runs = 1;
  options.runtime.measure.max_runs = 1;
  PASSRL_ASSIGN_OR_RETURN(auto env, envs::LlvmEnv::Create(options));
  PASSRL_ASSIGN_OR_RETURN(auto dataset, envs::OpenDataset(flags.dataset_name, flags.dataset));
  std::ofstream csv;
  if (!flags.csv.empty()) {
    csv.open(flags.csv);
    if (!csv) return absl::PermissionDeniedError(absl::StrCat(flags.csv, ": cannot write"));
    csv << "benchmark,ir_o0,ir_oz,ir_policy,ratio_vs_oz,actions\n";
  }
  std::printf("policy %s (version %llu), greedy, %d steps per benchmark\n", policy_path.c_str(),
              (unsigned long long)weights->version(), length);
  std::printf("%-28s %7s %7s %7s %9s\n", "benchmark", "-O0", "-Oz", "policy", "vs -Oz");
  double log_sum = 0;
  int n = 0, miscompiled = 0;
  for (const std::string& name : dataset->BenchmarkNames()) {
    PASSRL_ASSIGN_OR_RETURN(envs::Benchmark b, dataset->Load(name));
    PASSRL_ASSIGN_OR_RETURN(envs::Observation obs, env->Reset(b));
    for (int step = 0; step < length; ++step) {
      const int action = policy->Act(actors::Featurize(obs.values, step, length));
      PASSRL_ASSIGN_OR_RETURN(envs::StepResult result, env->Step(action));
      obs = std::move(result.observation);
    }
    const int64_t count = env->IrInstructionCount();
    const double ratio = static_cast<double>(env->baselines().ir_oz) / static_cast<double>(count);
    std::string verdict;
    if (flags.validate && b.runnable) {
      PASSRL_ASSIGN_OR_RETURN(envs::RuntimeResult run, env->MeasureRuntime());
      verdict = envs::VerdictName(run.verdict);
      if (run.verdict != envs::Verdict::kOk) ++miscompiled;
    }
    log_sum += std::log(ratio);
    ++n;
    std::printf("%-28s %7lld %7lld %7lld %8.3fx %s\n", name.c_str(),
                (long long)env->baselines().ir_o0, (long long)env->baselines().ir_oz,
                (long long)count, ratio, verdict.c_str());
    if (csv) {
      csv << name << "," << env->baselines().ir_o0 << "," << env->baselines().ir_oz << "," << count
          << "," << ratio << ",\"" << envs::FormatActionList(env->actions()) << "\"\n";
    }
  }
  std::printf("geomean ratio vs -Oz over %d benchmarks: %.4fx\n", n, std::exp(log_sum / n));
  if (flags.validate) {
    std::printf("validated by running: %d of %d programs do not behave like their -O0 build\n",
                miscompiled, n);
  }
  return absl::OkStatus();
}

}  // namespace

void AddEvalCommand(CLI::App& app) {
  auto flags = std::make_shared<EvalFlags>();
  CLI::App* cmd = app.add_subcommand("eval", "Greedy policy of a run on a dataset, vs -O0/-Oz");
  cmd->add_option("--run", flags->run, "run directory (config.yaml, policy.pb)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--policy", flags->policy, "a policy snapshot (default RUN/policy.pb)");
  cmd->add_option("--dataset,-d", flags->dataset_name, "bundled, csmith or a folder");
  cmd->add_option("--length", flags->length,
                  "steps per benchmark (default: the run's episode length)");
  cmd->add_option("--csv", flags->csv, "also write the table as CSV");
  cmd->add_flag("--validate", flags->validate,
                "build and run each result; compare its output with the -O0 build");
  AddDatasetFlags(*cmd, flags->dataset);
  cmd->callback([flags] { CommandStatus() = RunEval(*flags); });
}

}  // namespace passrl::launch
