// A sweep's directory: everything a sweep knows lives here, so `--resume` (or a Slurm array task
// on another node) reads the same state. Results are written once, atomically, per finished job;
// a job without a result file is not finished and runs again (training resumes from the trial's
// checkpoint). Thread-compatible; the files themselves are only ever replaced whole.
//
//   DIR/spec.yaml                    the spec, as given at the start (resume reads this copy)
//   DIR/trials.json                  the drawn trials' overrides
//   DIR/trials/t003/config.yaml      trial 3's training config (base + fixed + its overrides)
//   DIR/trials/t003/run/             its run directory (checkpoints, policy.pb, metrics)
//   DIR/trials/t003/rung-1.json      its result at rung 1 (score, times, or the error)
//   DIR/trials/t003/job.log          its training and scoring output, appended
//   DIR/driver_seconds               wall time drivers have spent on the sweep (the budget's clock)
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sweep/asha.h"
#include "sweep/spec.h"

namespace passrl::sweep {

class SweepDir {
 public:
  explicit SweepDir(std::string root) : root_(std::move(root)) {}
  const std::string& root() const { return root_; }
  std::string SpecPath() const { return root_ + "/spec.yaml"; }
  std::string TrialsPath() const { return root_ + "/trials.json"; }
  std::string TrialDir(int trial) const;
  std::string ConfigPath(int trial) const { return TrialDir(trial) + "/config.yaml"; }
  std::string RunDir(int trial) const { return TrialDir(trial) + "/run"; }
  std::string ResultPath(const Job& job) const;
  std::string LogPath(int trial) const { return TrialDir(trial) + "/job.log"; }

  absl::Status SaveTrials(const std::vector<TrialConfig>& trials) const;
  absl::StatusOr<std::vector<TrialConfig>> LoadTrials() const;

  // A finished job's result (error empty: a score), written atomically.
  absl::Status WriteResult(const RungResult& result, const std::string& error) const;
  // Every result file of these trials; a damaged one is an error naming it.
  absl::StatusOr<std::vector<RungResult>> ReadResults(int trials, int rungs) const;
  // Wall seconds earlier drivers spent on this sweep (0 when none), and recording it.
  double ReadDriverSeconds() const;
  absl::Status WriteDriverSeconds(double seconds) const;

  // The error a failed result records ("" when it has a score or is missing).
  std::string ResultError(const Job& job) const;

 private:
  std::string root_;
};

}  // namespace passrl::sweep
