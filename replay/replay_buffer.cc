#include "replay/replay_buffer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/check.h"

namespace passrl::replay {

uint64_t AvailableMemoryBytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024;
  }
  return 0;
}

absl::Status ReplayOptions::Validate() const {
  if (capacity <= 0) return absl::InvalidArgumentError("replay capacity must be > 0");
  if (obs_dim <= 0) return absl::InvalidArgumentError("replay obs_dim must be > 0");
  if (priority_exponent < 0) return absl::InvalidArgumentError("priority_exponent must be >= 0");
  if (importance_exponent < 0 || importance_exponent > 1) {
    return absl::InvalidArgumentError("importance_exponent must be in [0, 1]");
  }
  return absl::OkStatus();
}

uint64_t ReplayOptions::BytesNeeded() const {
  uint64_t per = 2 * sizeof(float) * static_cast<uint64_t>(obs_dim) +
                 (prioritized ? 2 * sizeof(double) : 0);
#define PASSRL_TRANSITION_FIELD(type, name, column, wire, export_name) per += sizeof(type);
#include "proto/transition_fields.def"
#undef PASSRL_TRANSITION_FIELD
  return per * static_cast<uint64_t>(capacity);
}

absl::StatusOr<std::unique_ptr<ReplayBuffer>> ReplayBuffer::Create(const ReplayOptions& options) {
  absl::Status valid = options.Validate();
  if (!valid.ok()) return valid;
  const uint64_t need = options.BytesNeeded(), have = AvailableMemoryBytes();
  if (have > 0 && need > have / 10 * 9) {
    return absl::ResourceExhaustedError(absl::StrFormat(
        "replay capacity %d x %d floats needs %.2f GiB but only %.2f GiB of memory is available; "
        "lower replay.capacity",
        options.capacity, options.obs_dim, need / 1073741824.0, have / 1073741824.0));
  }
  return std::unique_ptr<ReplayBuffer>(new ReplayBuffer(options));
}

ReplayBuffer::ReplayBuffer(const ReplayOptions& options) : options_(options), rng_(options.seed) {
  MutexLock lock(&mu_);
  store_.obs_dim = options.obs_dim;
  store_.Resize(options.capacity, /*prioritized=*/false);  // zero-filled: every page touched now
  if (options.prioritized) tree_ = std::make_unique<SumTree>(options.capacity);
}

void ReplayBuffer::Insert(const Transition& t) {
  MutexLock lock(&mu_);
  InsertLocked(t);
}

void ReplayBuffer::InsertMany(absl::Span<const Transition> transitions) {
  MutexLock lock(&mu_);
  for (const Transition& t : transitions) InsertLocked(t);
}

void ReplayBuffer::InsertLocked(const Transition& t) {
  const int d = options_.obs_dim;
  PASSRL_CHECK(static_cast<int>(t.observation.size()) == d &&
               static_cast<int>(t.next_observation.size()) == d);
  const int64_t slot = next_;
  store_.SetRow(slot, t);
  if (tree_) tree_->Set(slot, std::pow(max_priority_, options_.priority_exponent));
  next_ = (next_ + 1) % options_.capacity;
  size_ = std::min(size_ + 1, options_.capacity);
  ++inserted_;
}

bool ReplayBuffer::Sample(int batch_size, SampledBatch* out) {
  const int d = options_.obs_dim;
  MutexLock lock(&mu_);
  if (size_ == 0) return false;
  out->size = batch_size;
  out->obs_dim = d;
  out->observations.resize(static_cast<size_t>(batch_size) * d);
  out->next_observations.resize(static_cast<size_t>(batch_size) * d);
  out->rewards.resize(batch_size);
  out->terminals.resize(batch_size);
  out->weights.assign(batch_size, 1.f);
  out->actions.resize(batch_size);
  out->sequences.resize(batch_size);
  std::uniform_int_distribution<int64_t> uniform(0, size_ - 1);
  const double total = tree_ ? tree_->Total() : 0;
  std::uniform_real_distribution<double> mass(0, total);
  double max_weight = 0;
  for (int i = 0; i < batch_size; ++i) {
    // Prioritized: stratified-free proportional draw from the sum tree; slots past size_ have
    // priority 0 and are never drawn.
    const int64_t slot = tree_ && total > 0 ? tree_->Find(mass(rng_)) : SlotOf(uniform(rng_));
    out->sequences[i] = SequenceOf(slot);
    std::memcpy(&out->observations[static_cast<size_t>(i) * d], &store_.observations[slot * d],
                d * sizeof(float));
    std::memcpy(&out->next_observations[static_cast<size_t>(i) * d],
                &store_.next_observations[slot * d], d * sizeof(float));
    out->actions[i] = store_.actions[slot];
    out->rewards[i] = store_.rewards[slot];
    out->terminals[i] = store_.terminals[slot] ? 1.f : 0.f;
    if (tree_ && total > 0) {
      const double p = tree_->Get(slot) / total;
      out->weights[i] = static_cast<float>(
          std::pow(static_cast<double>(size_) * p, -options_.importance_exponent));
      max_weight = std::max<double>(max_weight, out->weights[i]);
    }
  }
  if (max_weight > 0) {
    for (float& w : out->weights) w = static_cast<float>(w / max_weight);
  }
  return true;
}

int64_t ReplayBuffer::UpdatePriorities(absl::Span<const int64_t> sequences,
                                       absl::Span<const float> priorities) {
  PASSRL_CHECK(sequences.size() == priorities.size());
  MutexLock lock(&mu_);
  if (!tree_) return 0;
  const int64_t oldest = inserted_ - size_;
  int64_t applied = 0;
  for (size_t i = 0; i < sequences.size(); ++i) {
    const double p = std::max<double>(priorities[i], 1e-6);
    if (!std::isfinite(p)) continue;
    if (sequences[i] < oldest || sequences[i] >= inserted_) continue;  // overwritten (or bogus)
    max_priority_ = std::max(max_priority_, p);
    tree_->Set(sequences[i] % options_.capacity, std::pow(p, options_.priority_exponent));
    ++applied;
  }
  return applied;
}

int64_t ReplayBuffer::size() const {
  MutexLock lock(&mu_);
  return size_;
}

int64_t ReplayBuffer::inserted() const {
  MutexLock lock(&mu_);
  return inserted_;
}

int64_t ReplayBuffer::SlotOf(int64_t i) const {
  // Transition with sequence number s lives in slot s % capacity.
  return (inserted_ - size_ + i) % options_.capacity;
}

int64_t ReplayBuffer::SequenceOf(int64_t slot) const {
  // The held sequence number congruent to `slot` modulo capacity.
  const int64_t oldest = inserted_ - size_;
  return oldest + (slot - oldest % options_.capacity + options_.capacity) % options_.capacity;
}

void ReplayBuffer::Read(int64_t i, std::vector<float>* observation,
                        std::vector<float>* next_observation, wire::TransitionFields* fields) const {
  MutexLock lock(&mu_);
  PASSRL_CHECK(i >= 0 && i < size_);
  store_.GetRow(SlotOf(i), observation, next_observation, fields);
}

void ReplayChunk::Resize(int64_t n, bool prioritized) {
  const size_t m = static_cast<size_t>(n), d = static_cast<size_t>(obs_dim);
  count = n;
  observations.resize(m * d);
  next_observations.resize(m * d);
#define PASSRL_TRANSITION_FIELD(type, name, column, wire, export_name) column.resize(m);
#include "proto/transition_fields.def"
#undef PASSRL_TRANSITION_FIELD
  priorities.resize(prioritized ? m : 0);
}

void ReplayChunk::SetRow(int64_t row, const Transition& t) {
  const size_t d = static_cast<size_t>(obs_dim);
  std::memcpy(&observations[row * d], t.observation.data(), d * sizeof(float));
  std::memcpy(&next_observations[row * d], t.next_observation.data(), d * sizeof(float));
#define PASSRL_TRANSITION_FIELD(type, name, column, wire, export_name) column[row] = t.name;
#include "proto/transition_fields.def"
#undef PASSRL_TRANSITION_FIELD
}

void ReplayChunk::GetRow(int64_t row, std::vector<float>* observation,
                         std::vector<float>* next_observation,
                         wire::TransitionFields* fields) const {
  const size_t d = static_cast<size_t>(obs_dim);
  observation->assign(&observations[row * d], &observations[row * d] + d);
  next_observation->assign(&next_observations[row * d], &next_observations[row * d] + d);
#define PASSRL_TRANSITION_FIELD(type, name, column, wire, export_name) fields->name = column[row];
#include "proto/transition_fields.def"
#undef PASSRL_TRANSITION_FIELD
}

void ReplayChunk::CopyRow(int64_t to_row, const ReplayChunk& from, int64_t from_row) {
  const size_t d = static_cast<size_t>(obs_dim);
  std::memcpy(&observations[to_row * d], &from.observations[from_row * d], d * sizeof(float));
  std::memcpy(&next_observations[to_row * d], &from.next_observations[from_row * d],
              d * sizeof(float));
#define PASSRL_TRANSITION_FIELD(type, name, column, wire, export_name) \
  column[to_row] = from.column[from_row];
#include "proto/transition_fields.def"
#undef PASSRL_TRANSITION_FIELD
}

int64_t ReplayBuffer::ReadChunk(int64_t first_seq, int64_t end_seq, int64_t max_count,
                                ReplayChunk* out) const {
  const int d = options_.obs_dim;
  MutexLock lock(&mu_);
  const int64_t oldest = inserted_ - size_;
  const int64_t begin = std::max(first_seq, oldest);
  const int64_t n = std::max<int64_t>(0, std::min({max_count, inserted_ - begin, end_seq - begin}));
  out->obs_dim = d;
  out->first_seq = begin;
  out->Resize(n, tree_ != nullptr);
  for (int64_t k = 0; k < n; ++k) {
    const int64_t slot = (begin + k) % options_.capacity;
    out->CopyRow(k, store_, slot);
    if (tree_) out->priorities[k] = tree_->Get(slot);
  }
  return n;
}

ReplayState ReplayBuffer::State() const {
  MutexLock lock(&mu_);
  std::ostringstream rng;
  rng << rng_;
  return {inserted_, size_, max_priority_, rng.str()};
}

absl::Status ReplayBuffer::RestoreState(const ReplayState& state) {
  MutexLock lock(&mu_);
  if (inserted_ != 0) return absl::FailedPreconditionError("replay restore needs an empty buffer");
  if (state.inserted < 0 || state.size < 0 || state.size > state.inserted) {
    return absl::InvalidArgumentError(absl::StrCat("replay state is inconsistent: inserted ",
                                                   state.inserted, ", size ", state.size));
  }
  std::istringstream rng(state.rng);
  rng >> rng_;
  if (!rng) return absl::InvalidArgumentError("replay state: unreadable sampler state");
  inserted_ = state.inserted;
  size_ = std::min(state.size, options_.capacity);
  next_ = inserted_ % options_.capacity;
  max_priority_ = state.max_priority;
  return absl::OkStatus();
}

absl::Status ReplayBuffer::RestoreChunk(const ReplayChunk& c) {
  const int d = options_.obs_dim;
  if (c.obs_dim != d) {
    return absl::InvalidArgumentError(
        absl::StrCat("replay chunk has ", c.obs_dim, " observation floats, the buffer ", d));
  }
  MutexLock lock(&mu_);
  const int64_t oldest = inserted_ - size_;
  if (c.first_seq < 0 || c.first_seq + c.count > inserted_) {
    return absl::InvalidArgumentError(absl::StrCat("replay chunk [", c.first_seq, ", ",
                                                   c.first_seq + c.count,
                                                   ") lies past the buffer's count ", inserted_));
  }
  if (tree_ && c.priorities.size() != static_cast<size_t>(c.count)) {
    return absl::InvalidArgumentError("replay chunk lacks priorities for a prioritized buffer");
  }
  for (int64_t k = 0; k < c.count; ++k) {
    const int64_t seq = c.first_seq + k;
    if (seq < oldest) continue;
    const int64_t slot = seq % options_.capacity;
    store_.CopyRow(slot, c, k);
    if (tree_) tree_->Set(slot, c.priorities[k]);
  }
  return absl::OkStatus();
}

}  // namespace passrl::replay
