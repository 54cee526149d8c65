// passrl env: step a benchmark by hand and watch observations and rewards.
#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "common/hash.h"
#include "common/file_cache.h"
#include "common/status_macros.h"
#include "envs/action_space.h"
#include "corpus/onnx_import.h"
#include "envs/llvm_env.h"
#include "envs/mlir_dataset.h"
#include "envs/mlir_env.h"
#include "launch/commands.h"

namespace passrl::launch {
namespace {

struct EnvFlags {
  envs::DatasetOptions dataset;
  std::string compiler = "llvm";
  std::string benchmark, actions, observation = "Autophase";
  std::string reward;  // empty: IrInstructionCountNorm (llvm) or OpCountLog (mlir)
  bool print_ir = false;
  std::string emit_object;
  envs::RuntimeOptions runtime;
};

double Ratio(int64_t reference, int64_t value) {
  return value > 0 ? static_cast<double>(reference) / static_cast<double>(value) : 0.0;
}

// An MLIR graph: an .onnx model (imported here), or what LoadMlirGraph reads (mlir/<model>, .mlir).
absl::StatusOr<envs::Benchmark> LoadGraph(const std::string& uri, const envs::DatasetOptions& dataset) {
  if (absl::EndsWith(uri, ".onnx")) {
    PASSRL_ASSIGN_OR_RETURN(corpus::ImportedGraph g, corpus::ImportOnnxFile(uri));
    return envs::Benchmark{uri, {uri}, g.mlir, Fnv1a64(g.mlir), false};
  }
  return envs::LoadMlirGraph(uri, dataset);
}

absl::Status RunMlirEnv(const EnvFlags& flags) {
  envs::MlirEnvOptions options;
  const std::string reward = flags.reward.empty() ? "OpCountLog" : flags.reward;
  PASSRL_ASSIGN_OR_RETURN(options.reward, envs::ParseMlirReward(reward));
  PASSRL_ASSIGN_OR_RETURN(std::vector<int> actions, envs::ParseMlirActionList(flags.actions));
  PASSRL_ASSIGN_OR_RETURN(envs::Benchmark benchmark, LoadGraph(flags.benchmark, flags.dataset));
  PASSRL_ASSIGN_OR_RETURN(auto env, envs::MlirEnv::Create(options));
  PASSRL_ASSIGN_OR_RETURN(envs::Observation obs, env->Reset(benchmark));
  const envs::MlirBaselines& b = env->baselines();
  std::printf("graph %s: ops %lld after lowering to linalg, %lld after the reference pipeline\n",
              benchmark.name.c_str(), (long long)b.start, (long long)b.reference);
  std::printf("step 0 observation [%s]\n", absl::StrJoin(obs.values, " ").c_str());
  double episode_return = 0;
  for (int action : actions) {
    PASSRL_ASSIGN_OR_RETURN(envs::StepResult step, env->Step(action));
    episode_return += step.reward;
    if (!step.info.failure.empty()) std::printf("step %d: %s\n", step.info.step, step.info.failure.c_str());
    std::printf("step %d %-36s reward %+.6f  ops %lld\n", step.info.step,
                std::string(envs::MlirActions()[action].name).c_str(), step.reward,
                (long long)step.info.ir_instruction_count);
  }
  const int64_t ops = env->OpCount();
  std::printf("final: ops %lld (%.3fx the reference, %.3fx the start); %s return %.6f; hash %016llx\n",
              (long long)ops, Ratio(b.reference, ops), Ratio(b.start, ops), reward.c_str(),
              episode_return, (unsigned long long)env->IrHash());
  if (flags.print_ir) std::fputs(env->Ir().c_str(), stdout);
  return absl::OkStatus();
}

absl::Status RunEnv(const EnvFlags& flags) {
  if (flags.compiler == "mlir") return RunMlirEnv(flags);
  if (flags.compiler != "llvm") {
    return absl::InvalidArgumentError(absl::StrCat("--compiler: '", flags.compiler, "' is not llvm or mlir"));
  }
  envs::EnvOptions options;
  const std::string reward = flags.reward.empty() ? "IrInstructionCountNorm" : flags.reward;
  PASSRL_ASSIGN_OR_RETURN(options.observation, envs::ParseObservationSpace(flags.observation));
  PASSRL_ASSIGN_OR_RETURN(options.reward, envs::ParseRewardSpace(reward));
  options.cache_dir = flags.dataset.build.cache_dir;
  options.runtime = flags.runtime;
  PASSRL_ASSIGN_OR_RETURN(std::vector<int> actions, envs::ParseActionList(flags.actions));
  PASSRL_ASSIGN_OR_RETURN(envs::Benchmark benchmark,
                          envs::LoadBenchmark(flags.benchmark, flags.dataset));
  PASSRL_ASSIGN_OR_RETURN(auto env, envs::LlvmEnv::Create(options));
  PASSRL_ASSIGN_OR_RETURN(envs::Observation obs, env->Reset(benchmark));
  const envs::Baselines& b = env->baselines();
  std::printf(
      "benchmark %s: IR instructions -O0 %lld, -Oz %lld, -O3 %lld; .text bytes -O0 %lld, "
      "-Oz %lld, -O3 %lld\n",
      benchmark.name.c_str(), (long long)b.ir_o0, (long long)b.ir_oz, (long long)b.ir_o3,
      (long long)b.text_o0, (long long)b.text_oz, (long long)b.text_o3);
  const bool text_obs = options.observation == envs::ObservationSpace::kIr;
  if (!text_obs)
    std::printf("step 0 observation %s [%s]\n", flags.observation.c_str(),
                absl::StrJoin(obs.values, " ").c_str());
  double episode_return = 0;
  for (int action : actions) {
    PASSRL_ASSIGN_OR_RETURN(envs::StepResult step, env->Step(action));
    episode_return += step.reward;
    if (!step.info.failure.empty())
      std::printf("step %d: %s\n", step.info.step, step.info.failure.c_str());
    if (step.info.runtime != nullptr && step.info.failure.empty()) {
      std::printf("step %d runtime median %.6f s (%d runs, CV %.2f%%)\n", step.info.step,
                  step.info.runtime->time.median, step.info.runtime->time.n,
                  step.info.runtime->time.cv * 100);
    }
    if (const envs::PairedResult* p = step.info.paired; p != nullptr && step.info.failure.empty()) {
      if (p->identical) {
        std::printf("step %d runtime: same object code as before (speedup 1, not run)\n",
                    step.info.step);
      } else {
        std::printf("step %d runtime speedup %.4fx [%.4fx, %.4fx] %s (%d pairs, %.2f s%s)\n",
                    step.info.step, p->time.speedup(), p->time.speedup_low(),
                    p->time.speedup_high(), p->time.significant() ? "significant" : "within noise",
                    p->time.pairs, p->run_seconds, p->cached ? ", cached" : "");
      }
    }
    std::printf("step %d %-28s reward %+.6f  ir %lld  %s\n", step.info.step,
                std::string(envs::Actions()[action].name).c_str(), step.reward,
                (long long)step.info.ir_instruction_count,
                text_obs ? "" : ("[" + absl::StrJoin(step.observation.values, " ") + "]").c_str());
  }
  const int64_t ir = env->IrInstructionCount();
  PASSRL_ASSIGN_OR_RETURN(double text_bytes, env->Cost(envs::RewardSpace::kObjectTextSize));
  const auto text = static_cast<int64_t>(text_bytes);
  std::printf(
      "final: IR instructions %lld (%.3fx -Oz, %.3fx -O3, %.3fx -O0); .text %lld bytes "
      "(%.3fx -Oz); %s return %.6f; IR hash %016llx\n",
      (long long)ir, Ratio(b.ir_oz, ir), Ratio(b.ir_o3, ir), Ratio(b.ir_o0, ir), (long long)text,
      Ratio(b.text_oz, text), reward.c_str(), episode_return,
      (unsigned long long)env->IrHash());
  if (flags.print_ir || text_obs) std::fputs(env->Ir().c_str(), stdout);
  if (!flags.emit_object.empty()) {
    PASSRL_ASSIGN_OR_RETURN(std::string object, env->EmitObject());
    PASSRL_RETURN_IF_ERROR(WriteFileAtomically(flags.emit_object, object));
  }
  return absl::OkStatus();
}

}  // namespace

void AddEnvCommand(CLI::App& app) {
  auto flags = std::make_shared<EnvFlags>();
  CLI::App* cmd = app.add_subcommand("env", "Apply passes to a benchmark step by step");
  cmd->add_option("--benchmark,-b", flags->benchmark,
                  "bundled/NAME, csmith/SEED, or a .c/.ll/.bc file; with --compiler mlir: "
                  "mlir/MODEL, a .mlir or an .onnx file")
      ->required();
  cmd->add_option("--compiler", flags->compiler, "llvm (default) or mlir: the graph environment");
  cmd->add_option("--actions,-a", flags->actions, "comma-separated pass names (passrl actions)");
  cmd->add_option("--observation", flags->observation,
                  "Autophase, InstCount, ActionHistogram or Ir");
  cmd->add_option("--reward", flags->reward,
                  "IrInstructionCount[Norm], ObjectTextSize{Bytes,Norm} or Runtime[Norm]; "
                  "mlir: OpCount, OpCountNorm or OpCountLog");
  cmd->add_flag("--print-ir", flags->print_ir, "print the final IR");
  cmd->add_option("--emit-object", flags->emit_object, "write the final object file here");
  AddDatasetFlags(*cmd, flags->dataset);
  AddRuntimeFlags(*cmd, flags->runtime);
  cmd->callback([flags] { CommandStatus() = RunEnv(*flags); });
}

}  // namespace passrl::launch
