// A sweep's specification (`passrl sweep --spec sweep.yaml`): which training-config keys to vary
// and how (choices or ranges), how configs are drawn (random or grid), the successive-halving rungs
// (every trial trains min_seconds first; the best 1/eta of each rung goes on, from its own
// checkpoint, to eta times the training time), what the score is (the validation split's geomean
// for the task) and where trials run. The spec's keys are listed once, in spec.cc; unknown keys,
// and values the training config would refuse, are one-line errors naming them. Plain data.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace passrl::sweep {

// What a trial is scored on: the greedy policy's geomean over the validation sample of -Oz's IR
// instructions / the policy's (ir), of -Oz's .text bytes / the policy's (text), or of -O3's run
// time / the policy's (runtime; runnable programs, every result validated). Higher is better.
enum class Task { kIr, kText, kRuntime };
absl::StatusOr<Task> ParseTask(const std::string& name);
const char* TaskName(Task task);

// One varied key: a list of choices (YAML values, kept as flow YAML text: "0.0003", "[128, 128]")
// or a numeric range [low, high], sampled uniformly or log-uniformly, rounded for integers.
struct Param {
  std::string key;                   // a training-config key, e.g. sac.learning_rate
  std::vector<std::string> choices;  // non-empty: a choice parameter
  double low = 0, high = 0;
  bool log = false, integer = false;
  bool is_range() const { return choices.empty(); }
};

struct Rungs {
  double min_seconds = 120;  // training time of rung 0
  double max_seconds = 0;    // of the last rung; 0: min_seconds (one rung, no halving)
  double eta = 3;            // rung r trains min_seconds * eta^r (the last one max_seconds)
  // The cumulative training time of each rung (rung r's run.duration_seconds).
  std::vector<double> Durations() const;
};

struct ScoreOptions {
  std::string dataset;  // empty: the base config's validation dataset
  std::string split = "validation";
  int sample = 16;               // programs (a stable sample, the same for every trial)
  std::vector<std::string> benchmarks;  // instead of split/sample: these programs
  double timeout_seconds = 1800;
};

struct LocalOptions {
  int concurrent_trials = 0;  // 0: as many as fit the cores, (actors_per_trial + 1) each
  int actors_per_trial = 1;
};

struct SlurmOptions {
  int max_running = 8;                    // array tasks in flight at once
  std::vector<std::string> sbatch_args;   // e.g. [--partition=cpu, --time=04:00:00]
  double poll_seconds = 30;
};

struct SweepSpec {
  std::string where;        // the spec file, for messages
  std::string base_config;  // a training config (cluster_configs/*.yaml); relative to the cwd
  Task task = Task::kIr;
  std::string strategy = "random";  // random | grid
  int trials = 8;                   // random: configs drawn; grid: every combination
  uint64_t seed = 1;
  Rungs rungs;
  double budget_seconds = 0;  // drivers' wall time, summed over resumes, after which no new job starts; 0: none
  ScoreOptions score;
  LocalOptions local;
  SlurmOptions slurm;
  std::vector<Param> params;        // in the file's order
  std::vector<std::string> fixed;   // "key=value" overrides every trial gets
};

// Checks overrides ("key=value") against the base training config: the training config's own
// validation (unknown key, bad value, pairs that cannot work), injected so this stays plain data.
using OverrideCheck = std::function<absl::Status(const std::string& base_config,
                                                 const std::vector<std::string>& overrides)>;

// Parses `text` (YAML). Every choice, both ends of every range and the fixed overrides are
// checked with `check`, each alone; errors name the file and key.
absl::StatusOr<SweepSpec> ParseSweepSpec(const std::string& where, const std::string& text,
                                         const OverrideCheck& check);

// One trial: its id (0-based, in draw order) and the overrides that make its config.
struct TrialConfig {
  int id = 0;
  std::vector<std::string> overrides;  // the params' "key=value", in the spec's order
};

// The trials of a spec: `trials` random draws (seeded), or the grid's every combination (ranges
// are refused for a grid). Each trial's overrides plus the fixed ones are checked together with
// `check` (pairs that cannot work), an error naming the trial's values.
absl::StatusOr<std::vector<TrialConfig>> DrawTrials(const SweepSpec& spec,
                                                    const OverrideCheck& check);

}  // namespace passrl::sweep
