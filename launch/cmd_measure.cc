// passrl measure: build a benchmark after a pass sequence, run it on a pinned core and print the
// measurement statistics and the output check against the -O0 build.
#include <cstdio>

#include "common/status_macros.h"
#include "envs/action_space.h"
#include "envs/llvm_env.h"
#include "launch/commands.h"

namespace passrl::launch {
namespace {

struct MeasureFlags {
  envs::DatasetOptions dataset;
  envs::RuntimeOptions runtime;
  std::string benchmark, passes;
};

absl::Status RunMeasure(const MeasureFlags& flags) {
  envs::EnvOptions options;
  options.observation = envs::ObservationSpace::kActionHistogram;
  options.reward = envs::RewardSpace::kIrInstructionCount;
  options.cache_dir = flags.dataset.build.cache_dir;
  options.runtime = flags.runtime;
  PASSRL_RETURN_IF_ERROR(flags.runtime.Validate());
  PASSRL_ASSIGN_OR_RETURN(std::vector<int> actions, envs::ParseActionList(flags.passes));
  PASSRL_ASSIGN_OR_RETURN(envs::Benchmark benchmark,
                          envs::LoadBenchmark(flags.benchmark, flags.dataset));
  PASSRL_RETURN_IF_ERROR(envs::RequireRunnable(benchmark));
  PASSRL_ASSIGN_OR_RETURN(auto env, envs::LlvmEnv::Create(options));
  PASSRL_RETURN_IF_ERROR(env->Reset(benchmark).status());
  for (int a : actions) PASSRL_RETURN_IF_ERROR(env->Step(a).status());
  PASSRL_ASSIGN_OR_RETURN(envs::RuntimeResult r, env->MeasureRuntime());
  const auto& base = env->runtime_baselines();
  std::printf("%s after [%s]\n", benchmark.name.c_str(), envs::FormatActionList(actions).c_str());
  std::printf("  build: codegen %.1f ms, link %.1f ms%s\n", r.codegen_seconds * 1e3,
              r.link_seconds * 1e3, r.cached ? " (cached)" : "");
  if (r.verdict != envs::Verdict::kOk) {
    std::printf("  %s: %s\n", envs::VerdictName(r.verdict), r.detail.c_str());
    return absl::FailedPreconditionError(
        absl::StrCat(benchmark.name, ": ", envs::VerdictName(r.verdict), ": ", r.detail));
  }
  std::printf(
      "  runs: %d timed (+%d warm-up) in %.2f s; median %.6f s, min %.6f s, CV %.2f%%, "
      "95%% CI of the median +-%.2f%%; CPU time median %.6f s\n",
      r.wall.n, flags.runtime.measure.warmup_runs, r.run_seconds, r.wall.median, r.wall.min,
      r.wall.cv * 100, r.wall.relative_ci * 100, r.cpu_median);
  std::printf("  output: matches the -O0 build (%zu bytes, exit code %d)\n", r.output.size(),
              r.exit_code);
  std::printf("  baselines: -O0 %.6f s, -O3 %.6f s; this build %.3fx faster than -O0, %.3fx -O3\n",
              base.o0_seconds, base.o3_seconds, base.o0_seconds / r.wall.median,
              base.o3_seconds / r.wall.median);
  return absl::OkStatus();
}

}  // namespace

void AddRuntimeFlags(CLI::App& command, envs::RuntimeOptions& runtime) {
  command.add_option("--cpu", runtime.cpu, "CPU to run the benchmark on (-1: last allowed core)");
  command.add_option("--warmup", runtime.measure.warmup_runs, "untimed runs first")
      ->check(CLI::NonNegativeNumber);
  command.add_option("--min-runs", runtime.measure.min_runs, "timed runs before stopping")
      ->check(CLI::PositiveNumber);
  command.add_option("--max-runs", runtime.measure.max_runs, "most timed runs")
      ->check(CLI::PositiveNumber);
  command
      .add_option("--rel-ci", runtime.measure.target_relative_ci,
                  "stop when the median's 95% CI is within this fraction")
      ->check(CLI::PositiveNumber);
  command.add_option("--timeout", runtime.timeout_seconds, "seconds per run")
      ->check(CLI::PositiveNumber);
}

void AddMeasureCommand(CLI::App& app) {
  auto flags = std::make_shared<MeasureFlags>();
  CLI::App* cmd = app.add_subcommand(
      "measure", "Build, run and time a benchmark after passes; check its output against -O0");
  cmd->add_option("--benchmark,-b", flags->benchmark, "bundled/NAME, csmith/SEED or a .c file")
      ->required();
  cmd->add_option("--passes,-p", flags->passes, "comma-separated pass names");
  AddRuntimeFlags(*cmd, flags->runtime);
  AddDatasetFlags(*cmd, flags->dataset);
  cmd->callback([flags] { CommandStatus() = RunMeasure(*flags); });
}

}  // namespace passrl::launch
