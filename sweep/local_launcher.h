// Runs a sweep's jobs on this machine: each job is `mpirun -np 1+k passrl train` (1 learner, k
// actors, as launch/train_local.sh) then the scoring eval, in a thread of its own. With several
// jobs at once, each gets its own slice of the cores (taskset), so the actors each trial pins stay
// apart. Every child gets SIGTERM if this process dies (its learner then writes a checkpoint), so
// a killed sweep leaves nothing running and `--resume` continues those trials. Thread-safe.
#pragma once

#include <thread>

#include "common/mutex.h"
#include "sweep/launcher.h"
#include "sweep/trial_job.h"

namespace passrl::sweep {

struct LocalLauncherOptions {
  int concurrent = 1;       // jobs at once
  int actors_per_trial = 1;
  std::vector<int> cpus = {0};  // the CPUs this process may use, shared out among the jobs
  double train_margin_seconds = 600;  // a training that runs this long past its time is hung
};

class LocalLauncher : public TrialLauncher {
 public:
  LocalLauncher(LocalLauncherOptions options, PassrlCommand passrl, SweepSpec spec, SweepDir dir);
  ~LocalLauncher() override;  // waits for the jobs in flight

  int Capacity() const override { return options_.concurrent; }
  absl::Status Start(const std::vector<Job>& jobs) override;
  std::vector<Job> Wait(double seconds) override;
  std::string LogOf(const Job& job) const override { return dir_.LogPath(job.trial); }

  // The training command of a job in slot `slot` (taskset, mpirun and `passrl train`).
  std::vector<std::string> TrainCommand(const Job& job, int slot) const;

 private:
  void RunJob(Job job, int slot);

  const LocalLauncherOptions options_;
  const PassrlCommand passrl_;
  const SweepSpec spec_;
  const SweepDir dir_;
  const std::vector<double> durations_;
  Mutex mu_;
  std::vector<Job> ended_ ABSL_GUARDED_BY(mu_);
  std::vector<bool> slot_busy_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;  // one per slot; only Start and the destructor touch it
};

}  // namespace passrl::sweep
