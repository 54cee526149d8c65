// The sequence pool: the best action sequence the actors have found for each training benchmark
// (ActorStatus.new_bests), kept by the learner, saved in every checkpoint and as
// RUN/sequences.json. `passrl library` distils it into the small library that `optimize` tries
// on new programs (library/). Ties keep the shorter sequence, then the one seen first.
// Thread-safe: the ingest thread offers while the update loop saves.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "common/mutex.h"

namespace passrl::learner {

struct PooledSequence {
  double ratio_vs_oz = 0;  // -Oz instructions / instructions after `actions`
  std::vector<int> actions;
};

class SequencePool {
 public:
  // True when it improved on the benchmark's best.
  bool Offer(const std::string& benchmark, double ratio_vs_oz, std::vector<int> actions);
  std::map<std::string, PooledSequence> Snapshot() const;
  size_t size() const;
  // {"benchmarks": {name: {"ratio_vs_oz": r, "actions": "a,b,c"}}}; action names, not ids, so a
  // pool stays readable (and refuses to load into another action space).
  std::string ToJson() const;
  // Merges a ToJson text in (DataLoss for bad JSON, NotFound for an unknown action name).
  absl::Status MergeJson(const std::string& text);

 private:
  mutable Mutex mu_;
  std::map<std::string, PooledSequence> best_ ABSL_GUARDED_BY(mu_);
};

}  // namespace passrl::learner
