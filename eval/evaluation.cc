#include "eval/evaluation.h"

#include <cstdio>
#include <cstring>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "common/subprocess.h"
#include "envs/action_space.h"
#include "envs/search.h"
#include "eval/summary.h"

namespace passrl::eval {
namespace {

// Measures the environment's current state into `row`.
absl::Status Measure(envs::LlvmEnv& env, const EvalOptions& options, bool runnable, EvalRow* row) {
  const envs::Baselines& b = env.baselines();
  row->ir_o0 = b.ir_o0;
  row->ir_oz = b.ir_oz;
  row->text_o0 = b.text_o0;
  row->text_oz = b.text_oz;
  row->ir = env.IrInstructionCount();
  PASSRL_ASSIGN_OR_RETURN(double text, env.Cost(envs::RewardSpace::kObjectTextSize));
  row->text = static_cast<int64_t>(text);
  row->actions = env.actions();
  if ((options.runtime || options.validate) && !runnable) row->verdict = "size-only";
  if ((options.runtime || options.validate) && runnable) {
    if (!options.runtime) {  // validation alone: one run, output compared with -O0
      PASSRL_ASSIGN_OR_RETURN(envs::RuntimeResult run, env.MeasureRuntime());
      row->verdict = envs::VerdictName(run.verdict);
      return absl::OkStatus();
    }
    // Run time: this build against -O3's, interleaved on the pinned core (paired speedup).
    PASSRL_ASSIGN_OR_RETURN(envs::Binary mine, env.BuildBinary());
    PASSRL_ASSIGN_OR_RETURN(envs::PairedResult vs_o3,
                            env.CompareBinaries(mine, env.runtime_baselines().o3_binary));
    row->verdict = envs::VerdictName(vs_o3.verdict);
    if (vs_o3.verdict == envs::Verdict::kOk) {
      row->runtime_o3 = env.runtime_baselines().o3_seconds;
      row->runtime = row->runtime_o3 / (vs_o3.identical ? 1.0 : vs_o3.time.speedup());
    }
  }
  return absl::OkStatus();
}

// A JSON value as a CSV cell: null empty, floats as %.6g, `quote`d (free text holds commas).
std::string CsvCell(const nlohmann::json& v, bool quote) {
  if (v.is_null()) return "";
  if (v.is_number_float()) return absl::StrFormat("%.6g", v.get<double>());
  if (!v.is_string()) return v.dump();
  return quote ? absl::StrCat("\"", v.get<std::string>(), "\"") : v.get<std::string>();
}

nlohmann::json Finite(double v) { return std::isfinite(v) ? nlohmann::json(v) : nullptr; }
double Number(const nlohmann::json& v) { return v.is_number() ? v.get<double>() : NAN; }

// One list of columns for both files: CSV rows are the JSON rows' values in this order.
constexpr const char* kColumns[] = {
    "benchmark",    "method",           "ir_o0",   "ir_oz",     "ir_policy",      "ir_ratio_vs_oz",
    "text_o0",      "text_oz",          "text_policy", "text_ratio_vs_oz", "runtime_o3_s",
    "runtime_policy_s", "runtime_ratio_vs_o3", "verdict", "states", "budget", "seconds",
    "oz_grows", "actions",
    "error",        "reproduce"};

void WriteCsv(const nlohmann::json& rows, std::ostream& csv) {
  csv << absl::StrJoin(kColumns, ",") << "\n";
  for (const nlohmann::json& row : rows) {
    std::vector<std::string> cells;
    for (const char* column : kColumns) {
      const absl::string_view c(column);
      cells.push_back(CsvCell(row[column], c == "actions" || c == "error" || c == "reproduce"));
    }
    csv << absl::StrJoin(cells, ",") << "\n";
  }
}

// `argv` as one shell command a user can paste: without --rows-only (they want the table), each
// argument quoted when it holds anything but safe characters.
std::string ShellCommand(const std::vector<std::string>& argv) {
  std::vector<std::string> words;
  for (const std::string& arg : argv) {
    if (arg == "--rows-only") continue;
    const bool safe = !arg.empty() && arg.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_-+=.,/:@%") == std::string::npos;
    words.push_back(safe ? arg : absl::StrCat("'", absl::StrReplaceAll(arg, {{"'", "'\\''"}}), "'"));
  }
  return absl::StrJoin(words, " ");
}

// The child's rows, or why there are none (crash, hang, error exit, unreadable output).
absl::StatusOr<std::vector<EvalRow>> RunChild(const std::vector<std::string>& argv,
                                              double timeout_seconds) {
  SubprocessOptions options;
  options.timeout_seconds = timeout_seconds;
  options.max_output_bytes = 64 << 20;
  PASSRL_ASSIGN_OR_RETURN(SubprocessResult run, RunSubprocess(argv, options));
  if (run.timed_out) {
    return absl::DeadlineExceededError(absl::StrCat("hung: no result after ", timeout_seconds, " s"));
  }
  if (run.term_signal != 0) {
    std::string error = absl::StrCat("crashed (signal ", run.term_signal, ", ",
                                     strsignal(run.term_signal), ")");
    // LLVM's crash handler names the pass, benchmark and actions (envs/llvm_env.cc).
    const size_t at = run.err.find("passrl: running pass");
    if (at != std::string::npos) {
      absl::StrAppend(&error, ": ", run.err.substr(at + 8, run.err.find('\n', at) - at - 8));
    }
    return absl::InternalError(error);
  }
  if (run.exit_code != 0) {
    const std::string err(absl::StripTrailingAsciiWhitespace(run.err));
    const size_t line = err.rfind('\n');
    return absl::InternalError(absl::StrCat("exited with code ", run.exit_code, ": ",
                                            err.substr(line == std::string::npos ? 0 : line + 1)));
  }
  std::vector<EvalRow> rows;
  for (absl::string_view line : absl::StrSplit(run.out, '\n', absl::SkipEmpty())) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      return absl::InternalError("the evaluation printed something that is not a row");
    }
    rows.push_back(RowFromJson(j));
  }
  if (rows.empty()) return absl::InternalError("the evaluation printed no row");
  return rows;
}

// Puts `env` in the state `actions` reach from the start of `benchmark`.
absl::Status Replay(envs::LlvmEnv& env, const envs::Benchmark& benchmark,
                    const std::vector<int>& actions) {
  PASSRL_RETURN_IF_ERROR(env.Reset(benchmark).status());
  for (int a : actions) PASSRL_RETURN_IF_ERROR(env.Step(a).status());
  return absl::OkStatus();
}

// The -Oz, -O3, random search and greedy search rows, each search allowed `budget` compilations.
absl::StatusOr<std::vector<EvalRow>> BaselineRows(envs::LlvmEnv& env,
                                                  const envs::Benchmark& benchmark,
                                                  const EvalOptions& options, int64_t budget) {
  std::vector<EvalRow> rows;
  PASSRL_RETURN_IF_ERROR(env.Reset(benchmark).status());
  const envs::Baselines b = env.baselines();
  for (const char* method : kBaselineMethods) {
    EvalRow row;
    row.benchmark = benchmark.name;
    row.method = method;
    row.ir_o0 = b.ir_o0, row.ir_oz = b.ir_oz, row.text_o0 = b.text_o0, row.text_oz = b.text_oz;
    const absl::string_view m(method);
    if (m == "-Oz" || m == "-O3") {  // one fixed pipeline: one compilation
      row.ir = m == "-Oz" ? b.ir_oz : b.ir_o3;
      row.text = m == "-Oz" ? b.text_oz : b.text_o3;
      row.states = 1;
      if (m == "-O3" && options.runtime && benchmark.runnable) {
        row.runtime = row.runtime_o3 = env.runtime_baselines().o3_seconds;
      }
      rows.push_back(std::move(row));
      continue;
    }
    envs::SearchOptions search;
    search.budget_seconds = 1e9;  // the budget is counted in compilations
    search.max_steps = budget;
    search.episode_length = options.length;
    search.seed = options.seed;
    search.allowed = options.allowed;
    auto result = m == "random" ? envs::RandomSearch(env, benchmark, search)
                                : envs::GreedySearch(env, benchmark, search);
    if (!result.ok()) return result.status();
    row.states = result->steps;
    row.seconds = result->seconds;
    row.budget = budget;
    PASSRL_RETURN_IF_ERROR(Replay(env, benchmark, result->best_actions));
    PASSRL_RETURN_IF_ERROR(Measure(env, options, benchmark.runnable, &row));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

absl::StatusOr<std::vector<EvalRow>> EvaluateBenchmark(envs::LlvmEnv& env, actors::Policy& policy,
                                                       const envs::Benchmark& benchmark,
                                                       const EvalOptions& options) {
  std::vector<EvalRow> rows;
  for (const char* method : {"greedy", "beam"}) {
    if (absl::string_view(method) == "beam" && !options.beam_search) break;
    EvalRow row;
    row.benchmark = benchmark.name;
    row.method = method;
    auto result = row.method == "greedy"
                      ? actors::GreedyRollout(env, policy, benchmark, options.length,
                                              options.beam.metric, options.beam.horizon)
                      : actors::BeamSearch(env, policy, benchmark, options.beam);
    if (!result.ok()) return result.status();
    row.states = result->states;
    row.seconds = result->seconds;
    PASSRL_RETURN_IF_ERROR(Measure(env, options, benchmark.runnable, &row));
    rows.push_back(std::move(row));
  }
  if (!options.baselines) return rows;
  int64_t budget = options.baseline_compilations;
  if (budget == 0) {
    for (const EvalRow& row : rows) budget = std::max(budget, row.states);
  }
  PASSRL_ASSIGN_OR_RETURN(std::vector<EvalRow> baselines,
                          BaselineRows(env, benchmark, options, std::max<int64_t>(budget, 1)));
  for (EvalRow& row : baselines) rows.push_back(std::move(row));
  return rows;
}

std::vector<EvalRow> RunIsolated(const std::vector<std::string>& argv,
                                 const std::string& benchmark,
                                 const std::vector<std::string>& methods, double timeout_seconds) {
  absl::StatusOr<std::vector<EvalRow>> rows = RunChild(argv, timeout_seconds);
  if (rows.ok()) return *std::move(rows);
  std::vector<EvalRow> failed(methods.size());
  for (size_t i = 0; i < methods.size(); ++i) {
    failed[i].benchmark = benchmark;
    failed[i].method = methods[i];
    failed[i].error = std::string(rows.status().message());
    failed[i].reproduce = ShellCommand(argv);
  }
  return failed;
}

nlohmann::json RowToJson(const EvalRow& r) {
  const bool ok = !r.failed();
  return {{"benchmark", r.benchmark},
          {"method", r.method},
          {"ir_o0", r.ir_o0},
          {"ir_oz", r.ir_oz},
          {"ir_policy", r.ir},
          {"ir_ratio_vs_oz", ok ? Finite(r.IrRatio()) : nullptr},
          {"text_o0", r.text_o0},
          {"text_oz", r.text_oz},
          {"text_policy", r.text},
          {"text_ratio_vs_oz", ok ? Finite(r.TextRatio()) : nullptr},
          {"runtime_o3_s", Finite(r.runtime_o3)},
          {"runtime_policy_s", Finite(r.runtime)},
          {"runtime_ratio_vs_o3", Finite(r.RuntimeRatio())},
          {"verdict", r.verdict},
          {"states", r.states},
          {"budget", r.budget},
          {"seconds", r.seconds},
          {"oz_grows", r.OzGrows()},
          {"actions", envs::FormatActionList(r.actions)},
          {"error", r.error},
          {"reproduce", r.reproduce}};
}

EvalRow RowFromJson(const nlohmann::json& j) {
  EvalRow r;
  r.benchmark = j.value("benchmark", "");
  r.method = j.value("method", "");
  r.ir_o0 = j.value("ir_o0", int64_t{0});
  r.ir_oz = j.value("ir_oz", int64_t{0});
  r.ir = j.value("ir_policy", int64_t{0});
  r.text_o0 = j.value("text_o0", int64_t{0});
  r.text_oz = j.value("text_oz", int64_t{0});
  r.text = j.value("text_policy", int64_t{0});
  r.runtime_o3 = Number(j.value("runtime_o3_s", nlohmann::json()));
  r.runtime = Number(j.value("runtime_policy_s", nlohmann::json()));
  r.verdict = j.value("verdict", "");
  r.states = j.value("states", int64_t{0});
  r.budget = j.value("budget", int64_t{0});
  r.seconds = j.value("seconds", 0.0);
  auto actions = envs::ParseActionList(j.value("actions", ""));
  if (actions.ok()) r.actions = *actions;
  r.error = j.value("error", "");
  r.reproduce = j.value("reproduce", "");
  return r;
}

std::string TableHeader() {
  return absl::StrFormat("%-28s %-13s %7s %7s %7s %8s %8s %8s %8s %8s", "benchmark", "method",
                         "IR -O0", "-Oz", "policy", "IR vs", ".text", "vs -Oz", "time vs",
                         "verdict");
}

std::string FormatRow(const EvalRow& r) {
  if (r.failed()) {
    return absl::StrFormat("%-28s %-13s FAILED: %s\n%-42s reproduce: %s", r.benchmark, r.method,
                           r.error, "", r.reproduce);
  }
  return absl::StrFormat(
      "%-28s %-13s %7d %7d %7d %7.3fx %8d %7.3fx %8s %8s", r.benchmark, r.method, r.ir_o0, r.ir_oz,
      r.ir, r.IrRatio(), r.text, r.TextRatio(),
      std::isfinite(r.runtime) ? absl::StrFormat("%.3fx", r.RuntimeRatio()) : "-", r.verdict);
}

namespace {

struct MethodSummary {
  std::vector<double> ir, text, ir_no_outliers, text_no_outliers, runtime;
  int differs = 0, failed = 0, size_only = 0;
  double states = 0, seconds = 0;
};

nlohmann::json SummaryJson(const GeomeanSummary& s) {
  return {{"geomean", Finite(s.geomean)}, {"ci95_low", Finite(s.low)},
          {"ci95_high", Finite(s.high)}, {"benchmarks", s.n}};
}

std::string Interval(const GeomeanSummary& s) {
  return absl::StrFormat("%.4fx [%.3f, %.3f]", s.geomean, s.low, s.high);
}

}  // namespace

void WriteReport(const std::vector<EvalRow>& rows, const EvalOptions& options,
                 nlohmann::json header, std::ostream* json, std::ostream* csv) {
  std::map<std::string, MethodSummary> methods;
  std::vector<std::string> order;
  for (const EvalRow& r : rows) {
    if (!methods.count(r.method)) order.push_back(r.method);
    MethodSummary& m = methods[r.method];
    if (r.failed()) {
      ++m.failed;
      continue;
    }
    // A ratio needs both sides: -Oz can delete a program's whole code (csmith/1048 has undefined
    // behaviour; -Oz leaves main empty, 0 bytes of .text), which has no ratio to average.
    const bool ir_defined = r.ir_oz > 0 && r.ir > 0, text_defined = r.text_oz > 0 && r.text > 0;
    if (ir_defined) m.ir.push_back(r.IrRatio());
    if (text_defined) m.text.push_back(r.TextRatio());
    if (!r.OzGrows()) {
      if (ir_defined) m.ir_no_outliers.push_back(r.IrRatio());
      if (text_defined) m.text_no_outliers.push_back(r.TextRatio());
    }
    if (std::isfinite(r.runtime) && r.runtime > 0) m.runtime.push_back(r.RuntimeRatio());
    if (r.verdict == "size-only") {
      ++m.size_only;
    } else if (!r.verdict.empty() && r.verdict != "ok") {
      ++m.differs;
    }
    m.states += static_cast<double>(r.states);
    m.seconds += r.seconds;
  }
  nlohmann::json& j = header;
  for (const std::string& method : order) {
    const MethodSummary& m = methods[method];
    const GeomeanSummary ir = SummarizeRatios(m.ir), text = SummarizeRatios(m.text);
    const GeomeanSummary ir_clean = SummarizeRatios(m.ir_no_outliers);
    const GeomeanSummary text_clean = SummarizeRatios(m.text_no_outliers);
    const int n = ir.n;
    std::printf("geomean %-13s over %d: IR %s -Oz, .text %s -Oz (95%% CI); %.0f compilations, "
                "%.2f s per benchmark",
                method.c_str(), n, Interval(ir).c_str(), Interval(text).c_str(),
                n > 0 ? m.states / n : 0.0, n > 0 ? m.seconds / n : 0.0);
    if (ir_clean.n != n) {
      std::printf("\n        %-13s without the %d where -Oz grows the program: IR %s, .text %s",
                  "", n - ir_clean.n, Interval(ir_clean).c_str(), Interval(text_clean).c_str());
    }
    const GeomeanSummary runtime = SummarizeRatios(m.runtime);
    if (runtime.n > 0) {
      std::printf(", run time %s -O3 (%d programs)", Interval(runtime).c_str(), runtime.n);
    }
    if (options.runtime || options.validate) {
      std::printf("; %d do not behave like their -O0 build", m.differs);
      if (m.size_only > 0) std::printf("; %d size-only (no main), not run", m.size_only);
    }
    if (m.failed > 0) std::printf("; %d benchmarks FAILED (see their rows)", m.failed);
    std::printf("\n");
    if (method == "greedy") {
      std::vector<PolicyTrace> traces;
      for (const EvalRow& r : rows) {
        if (r.method == method && !r.failed()) traces.push_back({r.actions, r.ir_o0, {}});
      }
      std::printf("        %-13s %s\n", "", DescribeSequences(traces).c_str());
    }
    j["geomean"][method] = {
        {"ir_ratio_vs_oz", Finite(ir.geomean)},
        {"text_ratio_vs_oz", Finite(text.geomean)},
        {"ir", SummaryJson(ir)},
        {"text", SummaryJson(text)},
        {"ir_without_oz_growth", SummaryJson(ir_clean)},
        {"text_without_oz_growth", SummaryJson(text_clean)},
        {"benchmarks", n},
        {"compilations_per_benchmark", n > 0 ? m.states / n : 0.0},
        {"seconds_per_benchmark", n > 0 ? m.seconds / n : 0.0},
        {"runtime_ratio_vs_o3", runtime.n > 0 ? nlohmann::json(runtime.geomean) : nullptr},
        {"runtime", SummaryJson(runtime)},
        {"behaviour_differs", m.differs},
        {"size_only", m.size_only},
        {"failed", m.failed}};
  }
  j["rows"] = nlohmann::json::array();
  for (const EvalRow& r : rows) j["rows"].push_back(RowToJson(r));
  if (csv) WriteCsv(j["rows"], *csv);
  if (json) *json << j.dump(2) << "\n";
}

}  // namespace passrl::eval
