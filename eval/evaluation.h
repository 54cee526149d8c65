// Evaluating a trained policy on benchmarks (`passrl eval`). Per benchmark: the greedy policy's
// sequence and, optionally, a policy-guided beam search (actors/guided_search.h), each measured as
// IR instructions and .text bytes against -O0/-Oz and, optionally, run time against -O3; and, in
// the same run, the baselines: -Oz, -O3, random search and greedy search (envs/search.h), the two
// searches given the policy's budget on that benchmark in compilations (measured states; the
// seconds each took are reported beside).
//
// EvaluateBenchmark runs LLVM in this process. RunIsolated runs one benchmark's evaluation as a
// child command that prints its rows as JSON lines, so a pass that crashes or hangs costs that
// benchmark's rows (reported as failed, with the command that reproduces it), not the whole
// evaluation. WriteReport turns rows into the geomean lines, the JSON and the CSV.
// Not thread-safe: one environment and one policy per caller.
#pragma once

#include <cmath>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "actors/guided_search.h"
#include "actors/policy.h"
#include "envs/llvm_env.h"
#include "nlohmann/json.hpp"

namespace passrl::eval {

struct EvalOptions {
  int length = 24;           // steps of the greedy rollout (and beam depth)
  bool beam_search = false;  // also run beam search
  actors::BeamOptions beam;
  bool runtime = false;   // build, run and time each result against -O3 (runnable programs)
  bool validate = false;  // build and run each result once; compare with the -O0 build
  bool baselines = true;  // also -Oz, -O3, random and greedy search rows
  // Compilations each search gets; 0: the most any policy method used on that benchmark.
  int64_t baseline_compilations = 0;
  uint64_t seed = 1;  // random search
  std::vector<bool> allowed;  // the policy's action set (env.action_set), for the searches too
};

// The baseline methods' names in rows, after the policy's "greedy" and "beam".
inline constexpr const char* kBaselineMethods[] = {"-Oz", "-O3", "random", "greedy-search"};

struct EvalRow {
  std::string benchmark, method;
  int64_t ir_o0 = 0, ir_oz = 0, ir = 0, text_o0 = 0, text_oz = 0, text = 0;
  int64_t budget = 0;  // searches: the compilations they were allowed
  double runtime_o3 = NAN, runtime = NAN;
  std::string verdict;  // with runtime/validate
  std::vector<int> actions;
  int64_t states = 0;
  double seconds = 0;
  std::string error;      // non-empty: the evaluation of this benchmark failed (no numbers)
  std::string reproduce;  // with error: the command that repeats it
  bool failed() const { return !error.empty(); }
  double IrRatio() const { return static_cast<double>(ir_oz) / static_cast<double>(ir); }
  double TextRatio() const { return static_cast<double>(text_oz) / static_cast<double>(text); }
  double RuntimeRatio() const { return runtime_o3 / runtime; }
  // -Oz makes this program larger than -O0 (bundled/bytecode_vm): ratios vs -Oz flatter it.
  bool OzGrows() const { return ir_oz > ir_o0; }
};

// Greedy (and beam) rows for one benchmark, then the baselines' rows, in this process.
absl::StatusOr<std::vector<EvalRow>> EvaluateBenchmark(envs::LlvmEnv& env, actors::Policy& policy,
                                                       const envs::Benchmark& benchmark,
                                                       const EvalOptions& options);

// Runs `argv` (a `passrl eval ... --rows-only` for one benchmark) with a wall-clock limit and
// reads its rows. A crash, hang or error becomes a failed row for `benchmark` per method in
// `methods`, whose reproduce field is `argv` without --rows-only, quoted for a shell.
std::vector<EvalRow> RunIsolated(const std::vector<std::string>& argv,
                                 const std::string& benchmark,
                                 const std::vector<std::string>& methods, double timeout_seconds);

nlohmann::json RowToJson(const EvalRow& row);
EvalRow RowFromJson(const nlohmann::json& j);
// One line of the terminal table.
std::string FormatRow(const EvalRow& row);
std::string TableHeader();

// Geomeans per method with bootstrap 95% intervals, also without programs -Oz grows (failed rows
// counted, not averaged), printed to stdout; `header` (source,
// version, ...) plus rows and geomeans written as JSON to `json` and the rows as CSV to `csv`
// when given.
void WriteReport(const std::vector<EvalRow>& rows, const EvalOptions& options,
                 nlohmann::json header, std::ostream* json, std::ostream* csv);

}  // namespace passrl::eval
