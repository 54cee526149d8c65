// Asynchronous successive halving (ASHA, Li et al. 2018) as a pure function of what is finished
// and what is running, so a resumed sweep decides exactly as an uninterrupted one would. A trial
// finished at rung k goes on to rung k+1 once it is among the best floor(n_k / eta) of the n_k
// trials finished at rung k; otherwise the next new trial starts at rung 0. Failed trials score
// -inf: never promoted, ranked last. Plain functions; no state.
#pragma once

#include <optional>
#include <set>
#include <vector>

namespace passrl::sweep {

// A unit of work: train trial `trial` up to rung `rung`'s time, then score it.
struct Job {
  int trial = 0, rung = 0;
  bool operator<(const Job& o) const { return trial != o.trial ? trial < o.trial : rung < o.rung; }
  bool operator==(const Job& o) const { return trial == o.trial && rung == o.rung; }
};

// A finished job's result. `failed`: training or scoring did not produce a score.
struct RungResult {
  int trial = 0, rung = 0;
  double score = 0;
  bool failed = false;
  double train_seconds = 0;  // the trial's cumulative training time at this rung
  double wall_seconds = 0;   // this job's wall time (training and scoring)
};

struct AshaShape {
  int trials = 0;  // drawn configs
  int rungs = 1;   // Rungs::Durations().size()
  double eta = 3;
};

// The job to start now, or nullopt when none can start until something running finishes (or the
// sweep is over: nothing running and nullopt). Promotions come first, highest rung first.
std::optional<Job> NextJob(const AshaShape& shape, const std::vector<RungResult>& done,
                           const std::set<Job>& running);

// Trials best first: by the highest rung finished successfully, then that rung's score; trials
// that never scored last. Each entry is that trial's result at that rung.
std::vector<RungResult> Rank(const std::vector<RungResult>& done);

}  // namespace passrl::sweep
