// passrl eval: a trained policy on every benchmark of a dataset. For each benchmark: the greedy
// policy's sequence and, with --search beam, a policy-guided beam search; each result measured as
// IR instructions and .text bytes against -O0/-Oz, and with --runtime as run time against -O3.
// Prints a table with geomeans; --csv and --json write the same rows.
//   passrl eval --checkpoint runs/local --search beam --width 4 --budget 30 --csv eval.csv
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "actors/guided_search.h"
#include "actors/observation.h"
#include "actors/policy.h"
#include "common/file_cache.h"
#include "common/status_macros.h"
#include "envs/action_space.h"
#include "envs/llvm_env.h"
#include "launch/commands.h"
#include "launch/config.h"
#include "learner/checkpoint.h"
#include "learner/sac.h"
#include "nlohmann/json.hpp"
#include "proto/wire.h"

namespace passrl::launch {
namespace {

struct EvalFlags {
  envs::DatasetOptions dataset;
  std::string run, policy, checkpoint, dataset_name = "bundled", csv, json, search = "none",
                                       metric = "ir";
  std::vector<std::string> benchmarks;
  int length = 0, width = 4;
  double budget = 60;
  bool validate = false, runtime = false, fallback = false;
};

struct LoadedPolicy {
  std::unique_ptr<actors::Policy> policy;
  std::string source;
  int episode_length = 24;
  actors::Horizon horizon = actors::Horizon::kTerminal;
};

absl::StatusOr<LoadedPolicy> FromCheckpoint(const EvalFlags& flags) {
  // The policy needs no replay: its chunks are neither read nor verified.
  PASSRL_ASSIGN_OR_RETURN(
      learner::LoadedCheckpoint ckpt,
      learner::LoadLatestCheckpoint(flags.checkpoint, flags.fallback, /*verify_replay=*/false));
  PASSRL_RETURN_IF_ERROR(CheckMatchesThisBuild(ckpt.spaces));
  learner::SacOptions o;
  o.shape = {actors::kObservationDim, envs::kNumActions, ckpt.spaces.hidden};
  o.use_cuda_if_available = false;
  PASSRL_ASSIGN_OR_RETURN(auto agent, learner::SacAgent::Create(o));
  absl::Status s = agent->LoadState(ckpt.agent_state);
  if (!s.ok()) return absl::DataLossError(absl::StrCat(ckpt.path, "/agent.pt: ", s.message()));
  LoadedPolicy out;
  PASSRL_ASSIGN_OR_RETURN(out.policy,
                          actors::CreateTorchPolicy(actors::kObservationDim, envs::kNumActions,
                                                    ckpt.spaces.hidden, 1, true));
  const std::vector<float> params = agent->PolicyParameters();
  PASSRL_RETURN_IF_ERROR(out.policy->SetWeights(ckpt.counters.policy_version, params));
  out.source = ckpt.path;
  // The run's episode length, from the configuration stored in the checkpoint.
  auto config = ParseTrainConfig(ckpt.path + "/config.yaml", ckpt.config_yaml);
  if (config.ok()) {
    out.episode_length = config->episode_length;
    out.horizon = *actors::ParseHorizon(config->horizon);  // Validate checked it
  }
  return out;
}

// A policy file as the learner publishes it (RUN/policy.pb, policy-<t>s.pb).
absl::StatusOr<LoadedPolicy> FromPolicyFile(const EvalFlags& flags) {
  PASSRL_ASSIGN_OR_RETURN(TrainConfig c, LoadTrainConfig(flags.run + "/config.yaml"));
  const std::string path = flags.policy.empty() ? flags.run + "/policy.pb" : flags.policy;
  std::string bytes;
  PASSRL_RETURN_IF_ERROR(ReadFileToString(path, &bytes));
  LoadedPolicy out;
  PASSRL_ASSIGN_OR_RETURN(
      out.policy, actors::CreateTorchPolicy(actors::kObservationDim, envs::kNumActions, c.hidden, 1,
                                            /*greedy=*/true));
  wire::Expectations expect;
  expect.action_space_hash = envs::ActionSpaceHash();
  expect.obs_dim = actors::kObservationDim;
  expect.num_actions = envs::kNumActions;
  auto weights = wire::DecodeLearnerMessage(bytes, expect, out.policy->parameter_count());
  if (!weights.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", weights.status().message()));
  }
  const float* p = reinterpret_cast<const float*>(weights->parameters().data());
  PASSRL_RETURN_IF_ERROR(out.policy->SetWeights(
      weights->version(), absl::MakeConstSpan(p, out.policy->parameter_count())));
  out.source = path;
  out.episode_length = c.episode_length;
  out.horizon = *actors::ParseHorizon(c.horizon);  // Validate checked it
  return out;
}

struct Row {
  std::string benchmark, method;
  int64_t ir_o0 = 0, ir_oz = 0, ir = 0, text_o0 = 0, text_oz = 0, text = 0;
  double runtime_o3 = NAN, runtime = NAN;
  std::string verdict;  // with --runtime/--validate
  std::vector<int> actions;
  int64_t states = 0;
  double seconds = 0;
  double IrRatio() const { return static_cast<double>(ir_oz) / static_cast<double>(ir); }
  double TextRatio() const { return static_cast<double>(text_oz) / static_cast<double>(text); }
  double RuntimeRatio() const { return runtime_o3 / runtime; }
};

// Measures the environment's current state into `row`.
absl::Status Measure(envs::LlvmEnv& env, const EvalFlags& flags, bool runnable, Row* row) {
  const envs::Baselines& b = env.baselines();
  row->ir_o0 = b.ir_o0;
  row->ir_oz = b.ir_oz;
  row->text_o0 = b.text_o0;
  row->text_oz = b.text_oz;
  row->ir = env.IrInstructionCount();
  PASSRL_ASSIGN_OR_RETURN(double text, env.Cost(envs::RewardSpace::kObjectTextSize));
  row->text = static_cast<int64_t>(text);
  row->actions = env.actions();
  if ((flags.runtime || flags.validate) && runnable) {
    PASSRL_ASSIGN_OR_RETURN(envs::RuntimeResult run, env.MeasureRuntime());
    row->verdict = envs::VerdictName(run.verdict);
    if (flags.runtime && run.verdict == envs::Verdict::kOk) {
      row->runtime = run.wall.median;
      row->runtime_o3 = env.runtime_baselines().o3_seconds;
    }
  }
  return absl::OkStatus();
}

// A JSON value as a CSV cell: null empty, floats as %.6g, `quote`d (action lists hold commas).
std::string CsvCell(const nlohmann::json& v, bool quote) {
  if (v.is_null()) return "";
  if (v.is_number_float()) return absl::StrFormat("%.6g", v.get<double>());
  if (!v.is_string()) return v.dump();
  return quote ? absl::StrCat("\"", v.get<std::string>(), "\"") : v.get<std::string>();
}

nlohmann::json Finite(double v) { return std::isfinite(v) ? nlohmann::json(v) : nullptr; }

nlohmann::json ToJson(const Row& r) {
  return {{"benchmark", r.benchmark},
          {"method", r.method},
          {"ir_o0", r.ir_o0},
          {"ir_oz", r.ir_oz},
          {"ir_policy", r.ir},
          {"ir_ratio_vs_oz", r.IrRatio()},
          {"text_o0", r.text_o0},
          {"text_oz", r.text_oz},
          {"text_policy", r.text},
          {"text_ratio_vs_oz", r.TextRatio()},
          {"runtime_o3_s", Finite(r.runtime_o3)},
          {"runtime_policy_s", Finite(r.runtime)},
          {"runtime_ratio_vs_o3", Finite(r.RuntimeRatio())},
          {"verdict", r.verdict},
          {"states", r.states},
          {"seconds", r.seconds},
          {"actions", envs::FormatActionList(r.actions)}};
}

absl::Status RunEval(const EvalFlags& flags) {
  if (flags.checkpoint.empty() == flags.run.empty()) {
    return absl::InvalidArgumentError("give one of --checkpoint or --run");
  }
  if (flags.search != "none" && flags.search != "beam") {
    return absl::InvalidArgumentError(
        absl::StrCat("--search '", flags.search, "': expected none or beam"));
  }
  PASSRL_ASSIGN_OR_RETURN(LoadedPolicy loaded,
                          flags.checkpoint.empty() ? FromPolicyFile(flags) : FromCheckpoint(flags));
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
  std::ofstream csv, json_out;
  if (!flags.csv.empty()) {
    csv.open(flags.csv);
    if (!csv) return absl::PermissionDeniedError(absl::StrCat(flags.csv, ": cannot write"));
  }
  if (!flags.json.empty()) {
    json_out.open(flags.json);
    if (!json_out) return absl::PermissionDeniedError(absl::StrCat(flags.json, ": cannot write"));
  }
  envs::EnvOptions options;
  options.reward = envs::RewardSpace::kIrInstructionCount;
  options.cache_dir = flags.dataset.build.cache_dir;
  if (!flags.runtime) {  // --validate alone: one untimed run, output compared with -O0
    options.runtime.measure.warmup_runs = 0;
    options.runtime.measure.min_runs = 1;
    options.runtime.measure.max_runs = 1;
  }
  PASSRL_ASSIGN_OR_RETURN(auto env, envs::LlvmEnv::Create(options));
  PASSRL_ASSIGN_OR_RETURN(auto dataset, envs::OpenDataset(flags.dataset_name, flags.dataset));
  std::vector<std::string> names = flags.benchmarks;
  if (names.empty()) names = dataset->BenchmarkNames();
  std::printf("policy %s (version %llu), %d steps%s\n", loaded.source.c_str(),
              static_cast<unsigned long long>(policy.version()), length,
              flags.search == "beam" ? absl::StrFormat(", beam width %d, budget %.0f s", beam.width,
                                                       beam.budget_seconds)
                                           .c_str()
                                     : "");
  std::printf("%-28s %-6s %7s %7s %7s %8s %8s %8s %8s %8s\n", "benchmark", "method", "IR -O0",
              "-Oz", "policy", "IR vs", ".text", "vs -Oz", "time vs", "verdict");
  std::vector<Row> rows;
  for (const std::string& name : names) {
    PASSRL_ASSIGN_OR_RETURN(envs::Benchmark b, dataset->Load(name));
    std::vector<std::string> methods = {"greedy"};
    if (flags.search == "beam") methods.push_back("beam");
    for (const std::string& method : methods) {
      Row row;
      row.benchmark = name;
      row.method = method;
      auto result = method == "greedy" ? actors::GreedyRollout(*env, policy, b, length, beam.metric,
                                                               beam.horizon)
                                       : actors::BeamSearch(*env, policy, b, beam);
      if (!result.ok()) return result.status();
      row.states = result->states;
      row.seconds = result->seconds;
      PASSRL_RETURN_IF_ERROR(Measure(*env, flags, b.runnable, &row));
      std::printf(
          "%-28s %-6s %7lld %7lld %7lld %7.3fx %8lld %7.3fx %8s %8s\n", name.c_str(),
          method.c_str(), static_cast<long long>(row.ir_o0), static_cast<long long>(row.ir_oz),
          static_cast<long long>(row.ir), row.IrRatio(), static_cast<long long>(row.text),
          row.TextRatio(),
          std::isfinite(row.runtime) ? absl::StrFormat("%.3fx", row.RuntimeRatio()).c_str() : "-",
          row.verdict.c_str());
      std::fflush(stdout);
      rows.push_back(std::move(row));
    }
  }
  // Geomeans per method.
  struct Mean {
    double ir = 0, text = 0, runtime = 0;
    int n = 0, n_runtime = 0, failed = 0;
  };
  std::map<std::string, Mean> means;
  for (const Row& r : rows) {
    Mean& m = means[r.method];
    m.ir += std::log(r.IrRatio());
    m.text += std::log(r.TextRatio());
    ++m.n;
    if (std::isfinite(r.runtime)) {
      m.runtime += std::log(r.RuntimeRatio());
      ++m.n_runtime;
    }
    if (!r.verdict.empty() && r.verdict != "ok") ++m.failed;
  }
  nlohmann::json j;
  j["source"] = loaded.source;
  j["policy_version"] = policy.version();
  j["length"] = length;
  j["search"] = flags.search;
  for (const auto& [method, m] : means) {
    std::printf("geomean %-6s over %d benchmarks: IR %.4fx -Oz, .text %.4fx -Oz", method.c_str(),
                m.n, std::exp(m.ir / m.n), std::exp(m.text / m.n));
    if (m.n_runtime > 0) {
      std::printf(", run time %.4fx -O3 (%d programs)", std::exp(m.runtime / m.n_runtime),
                  m.n_runtime);
    }
    if (flags.runtime || flags.validate) {
      std::printf("; %d do not behave like their -O0 build", m.failed);
    }
    std::printf("\n");
    j["geomean"][method] = {
        {"ir_ratio_vs_oz", std::exp(m.ir / m.n)},
        {"text_ratio_vs_oz", std::exp(m.text / m.n)},
        {"benchmarks", m.n},
        {"runtime_ratio_vs_o3", m.n_runtime > 0 ? nlohmann::json(std::exp(m.runtime / m.n_runtime))
                                                : nlohmann::json(nullptr)},
        {"behaviour_differs", m.failed}};
  }
  // One list of columns for both files: CSV rows are the JSON rows' values in this order.
  static constexpr const char* kColumns[] = {"benchmark",
                                             "method",
                                             "ir_o0",
                                             "ir_oz",
                                             "ir_policy",
                                             "ir_ratio_vs_oz",
                                             "text_o0",
                                             "text_oz",
                                             "text_policy",
                                             "text_ratio_vs_oz",
                                             "runtime_o3_s",
                                             "runtime_policy_s",
                                             "runtime_ratio_vs_o3",
                                             "verdict",
                                             "states",
                                             "seconds",
                                             "actions"};
  j["rows"] = nlohmann::json::array();
  for (const Row& r : rows) j["rows"].push_back(ToJson(r));
  if (csv) {
    csv << absl::StrJoin(kColumns, ",") << "\n";
    for (const nlohmann::json& row : j["rows"]) {
      std::vector<std::string> cells;
      for (const char* column : kColumns) {
        cells.push_back(CsvCell(row[column], absl::string_view(column) == "actions"));
      }
      csv << absl::StrJoin(cells, ",") << "\n";
    }
  }
  if (json_out) json_out << j.dump(2) << "\n";
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
  cmd->add_option("--dataset,-d", flags->dataset_name, "bundled, csmith or a folder");
  cmd->add_option("--benchmark,-b", flags->benchmarks, "only these benchmarks (repeatable)");
  cmd->add_option("--length", flags->length,
                  "steps per benchmark (default: the run's episode length)");
  cmd->add_option("--search", flags->search,
                  "none (greedy policy only) or beam (also beam search)");
  cmd->add_option("--width", flags->width, "beam width (and actions tried per state)");
  cmd->add_option("--budget", flags->budget, "beam search seconds per benchmark (0: no limit)");
  cmd->add_option("--metric", flags->metric, "what beam search minimises: ir or text");
  cmd->add_flag("--runtime", flags->runtime,
                "also build, run and time each result against -O3 (runnable programs)");
  cmd->add_flag("--validate", flags->validate,
                "build and run each result once; compare its output with the -O0 build");
  cmd->add_option("--csv", flags->csv, "also write the rows as CSV (launch/plot.py eval)");
  cmd->add_option("--json", flags->json, "also write the rows and geomeans as JSON");
  AddDatasetFlags(*cmd, flags->dataset);
  cmd->callback([flags] { CommandStatus() = RunEval(*flags); });
}

}  // namespace passrl::launch
