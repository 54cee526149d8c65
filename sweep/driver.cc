#include "sweep/driver.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"

namespace passrl::sweep {

SweepDriver::SweepDriver(DriverOptions options, SweepDir dir, TrialLauncher* launcher,
                         std::function<void(const std::string&)> progress,
                         std::function<double()> clock)
    : options_(std::move(options)),
      dir_(std::move(dir)),
      launcher_(launcher),
      progress_(std::move(progress)),
      clock_(std::move(clock)) {}

std::string SweepDriver::Line(const std::string& what) const {
  const int64_t t = static_cast<int64_t>(Spent());
  return absl::StrFormat("sweep [%02d:%02d:%02d] %s", t / 3600, t / 60 % 60, t % 60, what);
}

// Takes in the jobs that ended: each has its result file, or gets a failed one here.
absl::Status SweepDriver::Collect(std::set<Job>& running, std::vector<RungResult>& results) {
  const std::vector<Job> ended = launcher_->Wait(options_.wait_seconds);
  if (ended.empty()) return absl::OkStatus();
  PASSRL_ASSIGN_OR_RETURN(results, dir_.ReadResults(options_.shape.trials, options_.shape.rungs));
  for (const Job& job : ended) {
    running.erase(job);
    auto it = std::find_if(results.begin(), results.end(), [&](const RungResult& r) {
      return r.trial == job.trial && r.rung == job.rung;
    });
    if (it == results.end()) {
      RungResult failed{job.trial, job.rung, 0, true, options_.durations[job.rung], 0};
      PASSRL_RETURN_IF_ERROR(dir_.WriteResult(
          failed, absl::StrCat("the job ended without a result (see ", launcher_->LogOf(job), ")")));
      results.push_back(failed);
      it = results.end() - 1;
    }
    const std::vector<RungResult> ranked = Rank(results);
    const std::string outcome =
        it->failed ? absl::StrCat("FAILED: ", dir_.ResultError(job))
                   : absl::StrFormat("score %.4f (trained %.0f s, job %.0f s)", it->score,
                                     it->train_seconds, it->wall_seconds);
    progress_(Line(absl::StrFormat("trial %d rung %d: %s; leader: trial %d (%.4f at rung %d); "
                                   "%zu jobs done, %zu running",
                                   job.trial, job.rung, outcome, ranked[0].trial, ranked[0].score,
                                   ranked[0].rung, results.size(), running.size())));
  }
  return absl::OkStatus();
}

absl::Status SweepDriver::Run() {
  start_ = clock_();
  spent_before_ = dir_.ReadDriverSeconds();
  double saved = spent_before_;
  PASSRL_ASSIGN_OR_RETURN(std::vector<RungResult> results,
                          dir_.ReadResults(options_.shape.trials, options_.shape.rungs));
  std::set<Job> running = launcher_->StillRunning();
  if (!results.empty() || !running.empty()) {
    progress_(Line(absl::StrCat("resuming: ", results.size(), " jobs finished (not re-run), ",
                                running.size(), " still running")));
  }
  while (!stop_) {
    budget_spent_ = options_.budget_seconds > 0 && Spent() >= options_.budget_seconds;
    std::vector<Job> start;
    std::set<Job> busy = running;
    while (!budget_spent_ && static_cast<int>(busy.size()) < launcher_->Capacity()) {
      std::optional<Job> next = NextJob(options_.shape, results, busy);
      if (!next) break;
      start.push_back(*next);
      busy.insert(*next);
    }
    if (!start.empty()) {
      PASSRL_RETURN_IF_ERROR(launcher_->Start(start));
      for (const Job& job : start) {
        running.insert(job);
        progress_(Line(absl::StrFormat("trial %d rung %d: %s, train to %.0f s", job.trial, job.rung,
                                       job.rung == 0 ? "started" : "promoted",
                                       options_.durations[job.rung])));
      }
    }
    if (running.empty()) break;
    PASSRL_RETURN_IF_ERROR(Collect(running, results));
    if (Spent() - saved >= 30) {
      saved = Spent();
      PASSRL_RETURN_IF_ERROR(dir_.WriteDriverSeconds(saved));
    }
  }
  PASSRL_RETURN_IF_ERROR(dir_.WriteDriverSeconds(Spent()));
  if (stop_) return absl::CancelledError("the sweep was interrupted");
  if (budget_spent_) progress_(Line("budget spent: no more jobs started"));
  return absl::OkStatus();
}

}  // namespace passrl::sweep
