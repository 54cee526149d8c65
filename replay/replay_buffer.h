// The replay buffer: a preallocated ring of transitions with uniform or prioritized (proportional,
// sum-tree) sampling. Capacity is fixed at creation, and creation fails early with a clear message
// if the machine lacks the memory, rather than dying hours later.
//
// Thread-safe: Insert (the learner's ingest thread), Sample and UpdatePriorities (the update loop)
// may run concurrently; one mutex guards everything, and the copies in and out are short.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "common/mutex.h"
#include "absl/types/span.h"
#include "proto/transition.h"
#include "replay/sum_tree.h"

namespace passrl::replay {

struct ReplayOptions {
  int64_t capacity = 500'000;
  int obs_dim = 0;
  bool prioritized = false;
  double priority_exponent = 0.6;    // alpha: P(i) ~ p_i^alpha
  double importance_exponent = 0.4;  // beta: weights (N P(i))^-beta, normalised by their max
  uint64_t seed = 1;
  absl::Status Validate() const;
  uint64_t BytesNeeded() const;
};

// One transition as it goes in: views of obs_dim floats and the fields of
// proto/transition_fields.def.
struct Transition : wire::TransitionFields {
  absl::Span<const float> observation, next_observation;
};

// Transitions in columns, one per field of proto/transition_fields.def: the buffer's own storage
// (row = slot) and, as a chunk, a run of consecutive transitions (sequence numbers first_seq ..
// first_seq+count-1, counted over the buffer's whole life) that checkpoints and exports move.
struct ReplayChunk {
  int obs_dim = 0;
  int64_t first_seq = 0, count = 0;
  std::vector<float> observations, next_observations;
#define PASSRL_TRANSITION_FIELD(type, name, column, wire, export_name) std::vector<type> column;
#include "proto/transition_fields.def"
#undef PASSRL_TRANSITION_FIELD
  std::vector<double> priorities;  // sum-tree leaves (already raised to alpha); empty if uniform

  void Resize(int64_t n, bool prioritized);
  void SetRow(int64_t row, const Transition& t);  // priorities untouched
  void GetRow(int64_t row, std::vector<float>* observation, std::vector<float>* next_observation,
              wire::TransitionFields* fields) const;
  // Row `to_row` of this becomes row `from_row` of `from` (priorities untouched).
  void CopyRow(int64_t to_row, const ReplayChunk& from, int64_t from_row);
  // Visits every column (a std::vector) in file order: observations, next_observations, the
  // fields, priorities.
  template <typename Chunk, typename Visit>
  static void ForEachColumn(Chunk& c, Visit visit) {
    visit(c.observations);
    visit(c.next_observations);
#define PASSRL_TRANSITION_FIELD(type, name, column, wire, export_name) visit(c.column);
#include "proto/transition_fields.def"
#undef PASSRL_TRANSITION_FIELD
    visit(c.priorities);
  }
};

// What a checkpoint needs besides the transitions to resume sampling exactly.
struct ReplayState {
  int64_t inserted = 0;  // all-time count: the next transition gets this sequence number
  int64_t size = 0;      // transitions held (the newest `size` sequence numbers)
  double max_priority = 1.0;
  std::string rng;  // the sampler's generator, as text
};

// A sampled batch, row-major: observations[i * obs_dim + j].
struct SampledBatch {
  int size = 0, obs_dim = 0;
  std::vector<float> observations, next_observations, rewards, terminals, weights;
  std::vector<int64_t> actions;
  std::vector<int64_t> sequences;  // each row's sequence number: what UpdatePriorities takes
};

class ReplayBuffer {
 public:
  // Fails (ResourceExhausted, with sizes) if the buffer would not fit in available memory.
  static absl::StatusOr<std::unique_ptr<ReplayBuffer>> Create(const ReplayOptions& options);

  void Insert(const Transition& t);
  // Inserts several under one lock (the ingest path: one call per message).
  void InsertMany(absl::Span<const Transition> transitions);
  // Fills `out` with `batch_size` transitions; false while the buffer is empty.
  bool Sample(int batch_size, SampledBatch* out);
  // New priorities (e.g. |TD error| + epsilon) for sampled transitions, named by their sequence
  // numbers (SampledBatch::sequences). Transitions overwritten since the sample are skipped, so a
  // fresh transition never inherits a stale TD error (Reverb keys updates the same way). Returns
  // how many were applied. No-op when uniform.
  int64_t UpdatePriorities(absl::Span<const int64_t> sequences,
                           absl::Span<const float> priorities);

  int64_t size() const;
  int64_t inserted() const;  // all-time count, including overwritten ones
  const ReplayOptions& options() const { return options_; }

  // Reads transition `i` (0 = oldest still held) under the lock.
  void Read(int64_t i, std::vector<float>* observation, std::vector<float>* next_observation,
            wire::TransitionFields* fields) const;

  // Snapshots in pieces: copies up to `max_count` transitions with sequence numbers in
  // [first_seq, end_seq), first_seq moved up to the oldest still held, under the lock, so
  // ingestion waits only for one chunk's memcpy. Returns the count copied (0 when none is left).
  int64_t ReadChunk(int64_t first_seq, int64_t end_seq, int64_t max_count, ReplayChunk* out) const;
  ReplayState State() const;
  // Restoring: RestoreState first (an empty buffer takes the counters), then every chunk.
  // Transitions older than the newest `capacity` are skipped, so a smaller buffer keeps the newest.
  absl::Status RestoreState(const ReplayState& state);
  absl::Status RestoreChunk(const ReplayChunk& chunk);

 private:
  explicit ReplayBuffer(const ReplayOptions& options);
  int64_t SlotOf(int64_t i) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int64_t SequenceOf(int64_t slot) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void InsertLocked(const Transition& t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ReplayOptions options_;
  mutable Mutex mu_;
  ReplayChunk store_ ABSL_GUARDED_BY(mu_);  // row = slot; its priorities stay empty (tree_)
  std::unique_ptr<SumTree> tree_ ABSL_GUARDED_BY(mu_);
  double max_priority_ ABSL_GUARDED_BY(mu_) = 1.0;
  int64_t next_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t size_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t inserted_ ABSL_GUARDED_BY(mu_) = 0;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
};

// MemAvailable from /proc/meminfo, in bytes (0 if unknown).
uint64_t AvailableMemoryBytes();

}  // namespace passrl::replay
