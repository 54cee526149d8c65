// passrl measure: build a benchmark after a pass sequence, run it on a pinned core and print the
// measurement statistics and the output check against the -O0 build; with --against, time it
// against a second sequence (or -O level) interleaved run by run and print the speedup with its
// 95% interval: "is this sequence faster than -O3 on my machine?".
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/perf_counters.h"
#include "common/status_macros.h"
#include "envs/action_space.h"
#include "envs/llvm_env.h"
#include "envs/spaces.h"
#include "launch/commands.h"

namespace passrl::launch {
namespace {

struct MeasureFlags {
  envs::DatasetOptions dataset;
  envs::RuntimeOptions runtime;
  std::string benchmark, passes, against;
};

// Starts an episode on `benchmark` and applies `sequence`: "-O0".."-O3"/"-Os"/"-Oz" (a PassBuilder
// pipeline) or comma-separated pass names.
absl::Status Apply(envs::LlvmEnv& env, const envs::Benchmark& benchmark,
                   const std::string& sequence) {
  PASSRL_RETURN_IF_ERROR(env.Reset(benchmark).status());
  const absl::string_view level = absl::StripPrefix(absl::StripAsciiWhitespace(sequence), "-");
  if (auto pipeline = envs::StartPipeline(level); pipeline.ok()) {  // an -O level
    return pipeline->empty() ? absl::OkStatus() : env.RunPipeline(*pipeline);
  }
  PASSRL_ASSIGN_OR_RETURN(std::vector<int> actions, envs::ParseActionList(sequence));
  for (int a : actions) PASSRL_RETURN_IF_ERROR(env.Step(a).status());
  return absl::OkStatus();
}

std::string Interval(const envs::PairedEstimate& e) {
  return absl::StrFormat("%.4fx (95%% interval %.4fx to %.4fx)", e.speedup(), e.speedup_low(),
                         e.speedup_high());
}

absl::Status Against(envs::LlvmEnv& env, const envs::Benchmark& benchmark,
                     const MeasureFlags& flags) {
  PASSRL_RETURN_IF_ERROR(Apply(env, benchmark, flags.against));
  PASSRL_ASSIGN_OR_RETURN(envs::Binary b, env.BuildBinary());
  PASSRL_RETURN_IF_ERROR(Apply(env, benchmark, flags.passes));
  PASSRL_ASSIGN_OR_RETURN(envs::Binary a, env.BuildBinary());
  PASSRL_ASSIGN_OR_RETURN(envs::PairedResult r, env.CompareBinaries(a, b));
  std::printf("%s: A = [%s] against B = [%s]\n", benchmark.name.c_str(), flags.passes.c_str(),
              flags.against.c_str());
  if (r.identical) {
    std::printf("  A and B compile to the same object code: speedup 1 exactly, nothing run\n");
    return absl::OkStatus();
  }
  if (r.verdict != envs::Verdict::kOk) {
    std::printf("  %s: %s\n", envs::VerdictName(r.verdict), r.detail.c_str());
    return absl::FailedPreconditionError(
        absl::StrCat(benchmark.name, ": ", envs::VerdictName(r.verdict), ": ", r.detail));
  }
  const envs::PairedEstimate& t = r.time;
  std::printf("  speedup of A over B: %s: %s\n", Interval(t).c_str(),
              t.significant() ? (t.log_ratio > 0 ? "A is faster" : "A is slower")
                              : "no significant difference");
  std::printf("  runs: %d pairs interleaved on one pinned core (%s) in %.2f s, %s clock; stopped: %s\n",
              t.pairs, r.order.c_str(), r.run_seconds, envs::RunClockName(flags.runtime.clock),
              envs::PairedStopName(r.stop));
  if (r.cycles.pairs > 0) {
    std::printf("  user-space cycles: %s; instructions A %lld, B %lld\n",
                Interval(r.cycles).c_str(), static_cast<long long>(r.instructions_a),
                static_cast<long long>(r.instructions_b));
  } else if (absl::Status c = CountersAvailable(); !c.ok()) {
    std::printf("  (%s: time only)\n", std::string(c.message()).c_str());
  }
  std::printf("  output: every run of A and B matches the -O0 build\n");
  return absl::OkStatus();
}

absl::Status RunMeasure(const MeasureFlags& flags) {
  envs::EnvOptions options;
  options.observation = envs::ObservationSpace::kActionHistogram;
  options.reward = envs::RewardSpace::kIrInstructionCount;
  options.cache_dir = flags.dataset.build.cache_dir;
  options.runtime = flags.runtime;
  PASSRL_RETURN_IF_ERROR(flags.runtime.Validate());
  PASSRL_ASSIGN_OR_RETURN(envs::Benchmark benchmark,
                          envs::LoadBenchmark(flags.benchmark, flags.dataset));
  PASSRL_RETURN_IF_ERROR(envs::RequireRunnable(benchmark));
  PASSRL_ASSIGN_OR_RETURN(auto env, envs::LlvmEnv::Create(options));
  if (!flags.against.empty()) return Against(*env, benchmark, flags);
  PASSRL_RETURN_IF_ERROR(Apply(*env, benchmark, flags.passes));
  PASSRL_ASSIGN_OR_RETURN(envs::RuntimeResult r, env->MeasureRuntime());
  const auto& base = env->runtime_baselines();
  std::printf("%s after [%s]\n", benchmark.name.c_str(), flags.passes.c_str());
  std::printf("  build: codegen %.1f ms, link %.1f ms%s\n", r.codegen_seconds * 1e3,
              r.link_seconds * 1e3, r.cached ? " (cached)" : "");
  if (r.verdict != envs::Verdict::kOk) {
    std::printf("  %s: %s\n", envs::VerdictName(r.verdict), r.detail.c_str());
    return absl::FailedPreconditionError(
        absl::StrCat(benchmark.name, ": ", envs::VerdictName(r.verdict), ": ", r.detail));
  }
  std::printf(
      "  runs: %d timed (+%d warm-up) in %.2f s; median %.6f s, min %.6f s, CV %.2f%%, "
      "95%% CI of the median +-%.2f%% (%s clock); medians: CPU %.6f s, wall %.6f s\n",
      r.time.n, flags.runtime.measure.warmup_runs, r.run_seconds, r.time.median, r.time.min,
      r.time.cv * 100, r.time.relative_ci * 100, envs::RunClockName(flags.runtime.clock),
      r.cpu_median, r.wall_median);
  std::printf("  output: matches the -O0 build (%zu bytes, exit code %d)\n", r.output.size(),
              r.exit_code);
  std::printf("  baselines: -O0 %.6f s, -O3 %.6f s; this build %.3fx faster than -O0, %.3fx -O3\n",
              base.o0_seconds, base.o3_seconds, base.o0_seconds / r.time.median,
              base.o3_seconds / r.time.median);
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
  command
      .add_option_function<std::string>(
          "--clock",
          [&runtime](const std::string& text) {
            absl::StatusOr<envs::RunClock> clock = envs::ParseRunClock(text);
            if (!clock.ok()) throw CLI::ValidationError("--clock", std::string(clock.status().message()));
            runtime.clock = *clock;
          },
          "what a run's time is: cpu (the program's CPU time, default) or wall")
      ->default_str("cpu");
  command.add_option("--timeout", runtime.timeout_seconds, "seconds per run")
      ->check(CLI::PositiveNumber);
  command.add_option("--min-pairs", runtime.paired.min_pairs, "paired timing: pairs before stopping")
      ->check(CLI::PositiveNumber);
  command.add_option("--max-pairs", runtime.paired.max_pairs, "paired timing: most A/B pairs")
      ->check(CLI::PositiveNumber);
  command
      .add_option("--half-width", runtime.paired.target_half_width,
                  "paired timing: stop when the log-speedup interval is this narrow")
      ->check(CLI::PositiveNumber);
}

void AddMeasureCommand(CLI::App& app) {
  auto flags = std::make_shared<MeasureFlags>();
  CLI::App* cmd = app.add_subcommand(
      "measure",
      "Build, run and time a benchmark after passes; check its output against -O0; with "
      "--against, the paired speedup over another sequence");
  cmd->add_option("--benchmark,-b", flags->benchmark, "bundled/NAME, csmith/SEED or a .c file")
      ->required();
  cmd->add_option("--passes,-p", flags->passes, "comma-separated pass names, or -O0..-O3/-Os/-Oz");
  cmd->add_option("--against", flags->against,
                  "B: pass names or -O level; prints A's speedup over B with a 95% interval");
  AddRuntimeFlags(*cmd, flags->runtime);
  AddDatasetFlags(*cmd, flags->dataset);
  cmd->callback([flags] { CommandStatus() = RunMeasure(*flags); });
}

}  // namespace passrl::launch
