// Runs a sweep to the end: asks ASHA (asha.h) for the next jobs whenever the launcher has room,
// starts them, and learns from the sweep directory what they scored. Everything it decides from
// is on disk, so a driver started on a half-done sweep (`--resume`) re-runs nothing finished and
// continues the jobs that were in flight from their trials' checkpoints. One thread; RequestStop
// may be called from a signal handler.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "sweep/asha.h"
#include "sweep/launcher.h"
#include "sweep/sweep_dir.h"

namespace passrl::sweep {

struct DriverOptions {
  AshaShape shape;
  std::vector<double> durations;  // each rung's training time (Rungs::Durations)
  // No new job once the drivers of this sweep have spent this much wall time in all (resumed
  // drivers count on from DIR/driver_seconds); 0: none.
  double budget_seconds = 0;
  double wait_seconds = 1;        // the longest the driver sleeps between looks
};

class SweepDriver {
 public:
  // `launcher` and `clock` must outlive the driver; `progress` gets one line per event.
  SweepDriver(DriverOptions options, SweepDir dir, TrialLauncher* launcher,
              std::function<void(const std::string&)> progress,
              std::function<double()> clock);

  // Until every job ASHA wants is done, or the budget is spent and nothing runs. Cancelled when
  // RequestStop was called (jobs in flight are left to the launcher).
  absl::Status Run();
  void RequestStop() { stop_ = true; }
  bool budget_spent() const { return budget_spent_; }

 private:
  absl::Status Collect(std::set<Job>& running, std::vector<RungResult>& results);
  std::string Line(const std::string& what) const;
  double Spent() const { return spent_before_ + clock_() - start_; }

  const DriverOptions options_;
  const SweepDir dir_;
  TrialLauncher* const launcher_;
  const std::function<void(const std::string&)> progress_;
  const std::function<double()> clock_;
  double start_ = 0;
  double spent_before_ = 0;  // by earlier drivers
  bool budget_spent_ = false;
  std::atomic<bool> stop_{false};
};

}  // namespace passrl::sweep
