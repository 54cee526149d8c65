// Runs a sweep's jobs as Slurm job arrays (cluster_configs/slurm/sweep.sbatch): the jobs that can
// start together go out as one array, one job per array task, each training with srun and then
// scoring itself (`passrl sweep-score`). What was submitted is recorded in DIR/slurm/, so a
// driver started again (`--resume`) adopts the array tasks still queued or running instead of
// submitting them twice. Array tasks requeue themselves on preemption or time limit and resume
// their trial from its checkpoint (cluster_configs/slurm/lib.sh). A task counts as ended when
// it has its result file, or when squeue has not listed it at two polls in a row (a result
// written on another node may take a moment to show on a network filesystem).
// Thread-compatible.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "sweep/launcher.h"
#include "sweep/sweep_dir.h"

namespace passrl::sweep {

struct SlurmLauncherOptions {
  std::string script = "cluster_configs/slurm/sweep.sbatch";
  std::vector<std::string> sbatch_args;  // before the script, e.g. --partition=cpu
  int max_running = 8;                   // array tasks in flight
  double poll_seconds = 30;              // squeue at most this often
  std::vector<double> durations;         // each rung's training time
  std::vector<std::string> job_args;     // given to every passrl the jobs run (dataset flags)
};

class SlurmLauncher : public TrialLauncher {
 public:
  SlurmLauncher(SlurmLauncherOptions options, SweepDir dir);

  int Capacity() const override { return options_.max_running; }
  absl::Status Start(const std::vector<Job>& jobs) override;
  std::vector<Job> Wait(double seconds) override;
  std::set<Job> StillRunning() override;
  std::string LogOf(const Job& job) const override;
  // Jobs submitted (by any driver of this sweep) that have no result file yet.
  int SubmittedWithoutResult() const;

 private:
  std::string SlurmDir() const { return dir_.root() + "/slurm"; }
  absl::Status SaveSubmitted() const;
  // Slurm ids (e.g. 1234_0) still queued or running, or an error when squeue fails.
  absl::StatusOr<std::set<std::string>> Alive() const;

  const SlurmLauncherOptions options_;
  const SweepDir dir_;
  std::map<Job, std::string> submitted_;  // every job ever submitted, by its array task id
  std::set<Job> running_;
  std::set<Job> missing_once_;  // not in squeue at the last poll: ended if missing again
  double last_poll_ = 0;
};

}  // namespace passrl::sweep
