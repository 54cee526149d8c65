// Moving a validated transition batch (proto/wire.h checked it) into the replay buffer: the
// learner's ingest path, shared with the transport benchmark so both measure the same code.
// Batches name benchmarks by an index into their own name list (per actor); the replay buffer
// stores ids from one learner-wide BenchmarkTable instead, which checkpoints and exports carry.
// Thread-safe (ReplayBuffer and BenchmarkTable are).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "common/mutex.h"
#include "replay/replay_buffer.h"

namespace passrl::proto {
class TransitionBatch;
}  // namespace passrl::proto

namespace passrl::learner {

// Benchmark name <-> dense id, append-only. Bounded: past `kMaxNames` (a forged flood of names)
// new names get kUnknownBenchmark.
class BenchmarkTable {
 public:
  static constexpr uint32_t kUnknownBenchmark = 0xFFFFFFFFu;
  static constexpr size_t kMaxNames = 1 << 20;
  uint32_t Intern(const std::string& name);
  std::vector<std::string> Names() const;
  void Restore(const std::vector<std::string>& names);  // replaces everything

 private:
  mutable Mutex mu_;
  std::unordered_map<std::string, uint32_t> ids_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> names_ ABSL_GUARDED_BY(mu_);
};

// Inserts every transition; returns the summed policy lag (current_version - the version that
// acted) over the batch.
uint64_t InsertBatch(const proto::TransitionBatch& batch, int actor_id, uint64_t current_version,
                     BenchmarkTable& benchmarks, replay::ReplayBuffer& replay);

}  // namespace passrl::learner
