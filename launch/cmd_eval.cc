// passrl eval: a trained policy on every benchmark of a dataset. For each benchmark: the greedy
// policy's sequence and, with --search beam, a policy-guided beam search; each result measured as
// IR instructions and .text bytes against -O0/-Oz, and with --runtime as run time against -O3.
// Prints a table with geomeans; --csv and --json write the same rows. Each benchmark is evaluated
// in a child `passrl eval --rows-only` (eval/evaluation.h): a pass that crashes or hangs LLVM
// costs that benchmark's row, reported with the command that reproduces it.
//   passrl eval --checkpoint runs/local --search beam --width 4 --budget 30 --csv eval.csv
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "actors/observation.h"
#include "actors/policy.h"
#include "common/file_cache.h"
#include "common/host.h"
#include "common/status_macros.h"
#include "envs/action_space.h"
#include "envs/llvm_env.h"
#include "eval/evaluation.h"
#include "eval/mlir_evaluation.h"
#include "envs/compiler.h"
#include "actors/env_client.h"
#include "absl/strings/str_format.h"
#include "launch/commands.h"
#include "launch/config.h"
#include "launch/mlir_commands.h"
#include "launch/policy_source.h"
#include "learner/checkpoint.h"
#include "learner/sac.h"
#include "nlohmann/json.hpp"
#include "proto/wire.h"

namespace passrl::launch {
namespace {

struct EvalFlags {
  envs::DatasetOptions dataset;
  std::string run, policy, checkpoint, dataset_name = "bundled", csv, json, search = "none",
                                       metric = "ir", split = "all";
  std::vector<std::string> benchmarks;
  int length = 0, width = 4, sample = 0;
  double budget = 60;
  bool validate = false, runtime = false, fallback = false, rows_only = false;
  std::string clock = "cpu";  // --runtime: what a run's time is (envs::RunClock)
  bool no_baselines = false;
  int64_t baseline_compilations = 0;
  double benchmark_timeout = 0;
  std::string compiler;  // empty: the policy's; mlir: the graph task (eval/mlir_evaluation.h)
  int rollouts = 20;     // mlir: rollouts for the policy search and random search, each
};

// The MLIR graph task: per graph of the split, reference vs greedy vs policy search vs random
// search (same rollouts), the ratios reference / ops, and their geomeans.
absl::Status RunMlirEval(const EvalFlags& flags, const LoadedPolicy& loaded) {
  const std::string dataset_name = flags.dataset_name == "bundled" ? "mlir" : flags.dataset_name;
  std::vector<std::string> names = flags.benchmarks;
  if (names.empty()) {
    PASSRL_ASSIGN_OR_RETURN(envs::Split split, envs::ParseSplit(flags.split));
    PASSRL_ASSIGN_OR_RETURN(auto dataset, envs::OpenDataset(dataset_name, flags.dataset));
    names = envs::SampleNames(dataset->BenchmarkNames(split), flags.sample);
  }
  if (names.empty()) return absl::InvalidArgumentError(absl::StrCat("no graphs in ", dataset_name, " split ", flags.split));
  actors::WorkerOptions w;
  w.compiler = envs::Compiler::kMlir;
  w.reward = "OpCountLog";
  w.dataset = flags.dataset;
  eval::MlirEvalOptions options;
  options.length = flags.length > 0 ? flags.length : loaded.episode_length;
  options.budget = flags.rollouts;
  options.horizon = loaded.horizon;
  w.max_steps = options.length;
  w.stderr_file = MlirWorkerLog();
  actors::WorkerEnvClient env(w);
  const envs::CompilerSpec& spec = envs::SpecOf(envs::Compiler::kMlir);
  std::printf("%s split %s: %zu graphs; %d rollouts of %d steps for the policy and for random search\n",
              dataset_name.c_str(), flags.split.c_str(), names.size(), options.budget, options.length);
  std::printf("%-28s %6s %6s %15s %15s %15s %7s\n", "graph", "start", "ref", "greedy", "policy search",
              "random search", "crashes");
  std::vector<eval::MlirEvalRow> rows;
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& name : names) {
    PASSRL_ASSIGN_OR_RETURN(eval::MlirEvalRow r, eval::EvaluateMlirGraph(env, *loaded.policy, name, options));
    auto cell = [&](int64_t v) { return absl::StrFormat("%lld (%.3fx)", (long long)v, double(r.reference) / double(v)); };
    std::printf("%-28s %6lld %6lld %15s %15s %15s %7d\n", name.c_str(), (long long)r.start,
                (long long)r.reference, cell(r.greedy).c_str(), cell(r.policy).c_str(),
                cell(r.random).c_str(), r.crashes);
    std::printf("    greedy: %s\n", spec.FormatActions(r.greedy_actions).c_str());
    std::fflush(stdout);
    out.push_back({{"graph", name}, {"start", r.start}, {"reference", r.reference},
                   {"greedy", r.greedy}, {"policy", r.policy}, {"random", r.random},
                   {"greedy_actions", spec.FormatActions(r.greedy_actions)},
                   {"policy_actions", spec.FormatActions(r.policy_actions)},
                   {"random_actions", spec.FormatActions(r.random_actions)},
                   {"crashes", r.crashes}, {"policy_seconds", r.policy_seconds},
                   {"random_seconds", r.random_seconds}});
    rows.push_back(std::move(r));
  }
  std::printf("geomean reference/ops over %zu graphs: greedy %.4fx, policy search %.4fx, random search %.4fx\n",
              rows.size(), eval::GeomeanVsReference(rows, &eval::MlirEvalRow::greedy),
              eval::GeomeanVsReference(rows, &eval::MlirEvalRow::policy),
              eval::GeomeanVsReference(rows, &eval::MlirEvalRow::random));
  int crashes = 0;
  for (const eval::MlirEvalRow& r : rows) crashes += r.crashes;
  ReportMlirWorkerLog(w.stderr_file, crashes);
  if (!flags.json.empty()) {
    PASSRL_RETURN_IF_ERROR(WriteFileAtomically(flags.json, out.dump(2) + "\n"));
  }
  return absl::OkStatus();
}

// The child command that evaluates one benchmark and prints its rows (RunIsolated): the exact
// policy the parent loaded (not "the latest", which a running job may replace meanwhile).
std::vector<std::string> ChildCommand(const EvalFlags& flags, const LoadedPolicy& loaded,
                                      const std::string& benchmark, int length) {
  std::vector<std::string> argv = {SelfExecutable(), "eval"};
  auto add = [&argv](const std::string& flag, const std::string& value) {
    argv.push_back(flag);
    argv.push_back(value);
  };
  if (!flags.checkpoint.empty()) {
    add("--checkpoint", loaded.source);  // the checkpoint directory itself
  } else {
    add("--run", flags.run);
    add("--policy", loaded.source);  // the policy file itself
  }
  add("--dataset", flags.dataset_name);
  add("-b", benchmark);
  add("--length", std::to_string(length));
  add("--search", flags.search);
  add("--width", std::to_string(flags.width));
  add("--budget", absl::StrCat(flags.budget));
  add("--metric", flags.metric);
  add("--baseline-compilations", std::to_string(flags.baseline_compilations));
  if (flags.no_baselines) argv.push_back("--no-baselines");
  if (flags.runtime) argv.push_back("--runtime");
  add("--clock", flags.clock);
  if (flags.validate) argv.push_back("--validate");
  for (std::string& flag : flags.dataset.ChildFlags()) argv.push_back(std::move(flag));
  argv.push_back("--rows-only");
  return argv;
}

// --rows-only: the child's side. Evaluates the benchmarks in this process and prints each row as
// one JSON line. Test hook: $PASSRL_TEST_CRASH_BENCHMARK names a benchmark on which it aborts, as a
// crashing pass would (never set in production).
absl::Status EvaluateHere(const EvalFlags& flags, const LoadedPolicy& loaded,
                          const eval::EvalOptions& options) {
  envs::EnvOptions env_options;
  env_options.reward = envs::RewardSpace::kIrInstructionCount;
  env_options.cache_dir = flags.dataset.build.cache_dir;
  env_options.start = loaded.start;  // rollouts and the searches begin where training did
  // --validate alone: one untimed run, output compared with -O0.
  if (!flags.runtime) env_options.runtime = envs::RuntimeOptions::ValidationOnly();
  PASSRL_ASSIGN_OR_RETURN(env_options.runtime.clock, envs::ParseRunClock(flags.clock));
  PASSRL_ASSIGN_OR_RETURN(auto env, envs::LlvmEnv::Create(env_options));
  PASSRL_ASSIGN_OR_RETURN(auto dataset, envs::OpenDataset(flags.dataset_name, flags.dataset));
  const char* crash = std::getenv("PASSRL_TEST_CRASH_BENCHMARK");
  for (const std::string& name : flags.benchmarks) {
    if (crash != nullptr && name == crash) std::abort();
    PASSRL_ASSIGN_OR_RETURN(envs::Benchmark b, dataset->Load(name));
    PASSRL_ASSIGN_OR_RETURN(std::vector<eval::EvalRow> rows,
                            eval::EvaluateBenchmark(*env, *loaded.policy, b, options));
    for (const eval::EvalRow& row : rows) std::printf("%s\n", eval::RowToJson(row).dump().c_str());
  }
  return absl::OkStatus();
}

absl::Status RunEval(const EvalFlags& flags) {
  if (flags.checkpoint.empty() == flags.run.empty()) {
    return absl::InvalidArgumentError("give one of --checkpoint or --run");
  }
  if (flags.search != "none" && flags.search != "beam") {
    return absl::InvalidArgumentError(
        absl::StrCat("--search '", flags.search, "': expected none or beam"));
  }
  PASSRL_RETURN_IF_ERROR(envs::ParseRunClock(flags.clock).status());
  PASSRL_ASSIGN_OR_RETURN(LoadedPolicy loaded,
                          flags.checkpoint.empty()
                              ? LoadPolicyFromRun(flags.run, flags.policy)
                              : LoadPolicyFromCheckpoint(flags.checkpoint, flags.fallback));
  if (!flags.compiler.empty() && flags.compiler != envs::SpecOf(loaded.compiler).name) {
    return absl::InvalidArgumentError(absl::StrCat("--compiler ", flags.compiler, ": the policy was trained on ",
                                                   envs::SpecOf(loaded.compiler).name));
  }
  if (loaded.compiler == envs::Compiler::kMlir) return RunMlirEval(flags, loaded);
  actors::Policy& policy = *loaded.policy;
  const int length = flags.length > 0 ? flags.length : loaded.episode_length;
  actors::BeamOptions beam;
  beam.width = flags.width;
  beam.length = length;
  beam.budget_seconds = flags.budget;
  beam.horizon = loaded.horizon;
  if (flags.metric == "text") {
    beam.metric = envs::RewardSpace::kObjectTextSize;
  } else if (flags.metric != "ir") {
    return absl::InvalidArgumentError(absl::StrCat("--metric '", flags.metric, "': ir or text"));
  }
  PASSRL_RETURN_IF_ERROR(beam.Validate());
  eval::EvalOptions options;
  options.length = length;
  options.beam_search = flags.search == "beam";
  options.beam = beam;
  options.runtime = flags.runtime;
  options.validate = flags.validate;
  options.baselines = !flags.no_baselines;
  options.baseline_compilations = flags.baseline_compilations;
  options.allowed = loaded.allowed;  // the searches get the policy's action set
  if (flags.rows_only) return EvaluateHere(flags, loaded, options);
  std::ofstream csv, json_out;
  if (!flags.csv.empty()) {
    csv.open(flags.csv);
    if (!csv) return absl::PermissionDeniedError(absl::StrCat(flags.csv, ": cannot write"));
  }
  if (!flags.json.empty()) {
    json_out.open(flags.json);
    if (!json_out) return absl::PermissionDeniedError(absl::StrCat(flags.json, ": cannot write"));
  }
  PASSRL_ASSIGN_OR_RETURN(envs::Split split, envs::ParseSplit(flags.split));
  PASSRL_ASSIGN_OR_RETURN(auto dataset, envs::OpenDataset(flags.dataset_name, flags.dataset));
  std::vector<std::string> names = flags.benchmarks;
  if (names.empty()) names = envs::SampleNames(dataset->BenchmarkNames(split), flags.sample);
  if (names.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("no benchmarks in ", flags.dataset_name,
                                                   " split ", flags.split));
  }
  std::printf("policy %s (version %llu), %d steps%s; each benchmark in its own process\n",
              loaded.source.c_str(), static_cast<unsigned long long>(policy.version()), length,
              options.beam_search ? absl::StrFormat(", beam width %d, budget %.0f s", beam.width,
                                                    beam.budget_seconds)
                                        .c_str()
                                  : "");
  std::printf("%s\n", eval::TableHeader().c_str());
  // A hung pass is cut off: far beyond what the search budget and measurements need.
  const double timeout = flags.benchmark_timeout > 0 ? flags.benchmark_timeout
                                                     : 600 + 4 * (options.beam_search ? beam.budget_seconds : 0);
  std::vector<std::string> methods = {"greedy"};
  if (options.beam_search) methods.push_back("beam");
  if (options.baselines) methods.insert(methods.end(), std::begin(eval::kBaselineMethods),
                                        std::end(eval::kBaselineMethods));
  std::printf("%s split %s: %zu benchmarks%s\n", flags.dataset_name.c_str(),
              envs::SplitName(split), names.size(),
              options.baselines ? "; baselines -Oz, -O3, random and greedy search, each search "
                                  "given the policy's compilations on that benchmark"
                                : "");
  std::vector<eval::EvalRow> rows;
  for (size_t i = 0; i < names.size(); ++i) {
    for (eval::EvalRow& row : eval::RunIsolated(ChildCommand(flags, loaded, names[i], length),
                                                names[i], methods, timeout)) {
      std::printf("%s\n", eval::FormatRow(row).c_str());
      rows.push_back(std::move(row));
    }
    std::fflush(stdout);
  }
  nlohmann::json header = {{"source", loaded.source},
                           {"policy_version", policy.version()},
                           {"length", length},
                           {"search", flags.search},
                           {"dataset", flags.dataset_name},
                           {"split", envs::SplitName(split)}};
  eval::WriteReport(rows, options, std::move(header), flags.json.empty() ? nullptr : &json_out,
                    flags.csv.empty() ? nullptr : &csv);
  return absl::OkStatus();
}

}  // namespace

void AddEvalCommand(CLI::App& app) {
  auto flags = std::make_shared<EvalFlags>();
  CLI::App* cmd = app.add_subcommand(
      "eval", "A trained policy on a dataset: IR and .text vs -O0/-Oz, run time vs -O3");
  cmd->add_option("--checkpoint", flags->checkpoint,
                  "a run dir (its latest checkpoint) or one checkpoint dir");
  cmd->add_flag("--fallback", flags->fallback,
                "if the latest checkpoint is damaged, use the newest good one");
  cmd->add_option("--run", flags->run, "instead: a run dir's policy.pb (and config.yaml)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--policy", flags->policy, "with --run: a policy snapshot (policy-<t>s.pb)");
  cmd->add_option("--dataset,-d", flags->dataset_name, "bundled, csmith, debian or a folder");
  cmd->add_option("--split", flags->split, "train, validation, test or all (default)");
  cmd->add_option("--sample", flags->sample,
                  "evaluate this many benchmarks of the split, chosen by a stable hash (0: all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--no-baselines", flags->no_baselines,
                "skip the -Oz, -O3, random and greedy search rows");
  cmd->add_option("--baseline-compilations", flags->baseline_compilations,
                  "compilations each search baseline gets per benchmark (default: as many as "
                  "the policy used)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--benchmark,-b", flags->benchmarks, "only these benchmarks (repeatable)");
  cmd->add_option("--length", flags->length,
                  "steps per benchmark (default: the run's episode length)");
  cmd->add_option("--search", flags->search,
                  "none (greedy policy only) or beam (also beam search)");
  cmd->add_option("--width", flags->width, "beam width (and actions tried per state)");
  cmd->add_option("--budget", flags->budget, "beam search seconds per benchmark (0: no limit)");
  cmd->add_option("--compiler", flags->compiler,
                  "llvm or mlir (default: the one the policy was trained on; mlir: docs/MLIR.md)");
  cmd->add_option("--rollouts", flags->rollouts,
                  "mlir: rollouts of the policy search and of random search per graph")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--metric", flags->metric, "what beam search minimises: ir or text");
  cmd->add_flag("--runtime", flags->runtime,
                "also build, run and time each result against -O3 (runnable programs)");
  cmd->add_option("--clock", flags->clock,
                  "with --runtime: time runs by the program's CPU time (cpu) or wall time (wall)");
  cmd->add_flag("--validate", flags->validate,
                "build and run each result once; compare its output with the -O0 build");
  cmd->add_option("--csv", flags->csv, "also write the rows as CSV (launch/plot.py eval)");
  cmd->add_option("--json", flags->json, "also write the rows and geomeans as JSON");
  cmd->add_option("--benchmark-timeout", flags->benchmark_timeout,
                  "seconds before one benchmark's evaluation counts as hung (default: 600 + 4x "
                  "the beam budget)");
  // The per-benchmark child's mode: rows as JSON lines on stdout, nothing else.
  cmd->add_flag("--rows-only", flags->rows_only)->group("");
  AddDatasetFlags(*cmd, flags->dataset);
  cmd->callback([flags] { CommandStatus() = RunEval(*flags); });
}

}  // namespace passrl::launch
