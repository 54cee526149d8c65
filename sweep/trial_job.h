// What one job of a sweep does, wherever it runs: train trial T until rung R's time (resuming its
// run from the latest checkpoint when it has one), then score the run's policy with a child
// `passrl eval` on the validation sample, and record the result in the sweep directory. The local
// launcher does all of it; a Slurm array task trains with srun and calls `passrl sweep-score`
// for the rest. Free functions; nothing shared.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sweep/asha.h"
#include "sweep/spec.h"
#include "sweep/sweep_dir.h"

namespace passrl::sweep {

// How jobs call passrl: its binary and the dataset flags (--datasets-dir, --cache-dir) every
// child needs.
struct PassrlCommand {
  std::string binary;
  std::vector<std::string> dataset_flags;
};

// `passrl train` for this job (no launcher in front): --resume RUN when the run has a checkpoint,
// else --config TRIAL/config.yaml; run.duration_seconds set to `duration` either way.
std::vector<std::string> TrainArgs(const PassrlCommand& passrl, const SweepDir& dir,
                                   const Job& job, double duration);

// The `passrl eval` child that scores a trial's run (its policy.pb), and reading its JSON: the
// greedy policy's geomean for the task, on spec.score.dataset (which must be set: the caller fills
// it from the base config's validation dataset). A benchmark that fails, or (runtime) a result that does
// not behave like -O0, fails the score: a sweep must not pick a config that breaks programs.
std::vector<std::string> ScoreArgs(const PassrlCommand& passrl, const SweepSpec& spec,
                                   const std::string& run_dir, const std::string& json_path);
absl::StatusOr<double> ReadScore(Task task, const std::string& json_path);

// Scores the trial's run (output appended to its job.log) and writes the job's result: the score,
// or the error. `train_seconds`: the trial's training time so far; `started`: UnixSeconds() when
// the job began (on any node).
absl::Status ScoreAndRecord(const PassrlCommand& passrl, const SweepSpec& spec,
                            const SweepDir& dir, const Job& job, double train_seconds,
                            double started);

}  // namespace passrl::sweep
