// Where a sweep's jobs run: this machine (LocalLauncher) or a Slurm job array (SlurmLauncher).
// The driver only starts jobs and learns which ended; each job writes its own result file
// (sweep_dir.h), so a launcher never carries scores. Injected into the driver so its tests can
// use a fake.
#pragma once

#include <set>
#include <vector>

#include "absl/status/status.h"
#include "sweep/asha.h"

namespace passrl::sweep {

class TrialLauncher {
 public:
  virtual ~TrialLauncher() = default;
  // Jobs in flight at most.
  virtual int Capacity() const = 0;
  // Starts these jobs (at most Capacity() in flight with the ones running).
  virtual absl::Status Start(const std::vector<Job>& jobs) = 0;
  // The jobs that ended since the last call, with or without a result file; waits up to
  // `seconds` for one when none has.
  virtual std::vector<Job> Wait(double seconds) = 0;
  // Jobs an earlier driver started that are still running (resume); they count as running.
  virtual std::set<Job> StillRunning() { return {}; }
  // Where a job's output goes, for messages.
  virtual std::string LogOf(const Job& job) const = 0;
};

}  // namespace passrl::sweep
