// Batches for the SAC update, from the replay buffer: sampled and made into tensors (in pinned
// host memory and copied without blocking when the agent is on CUDA) either on request (inline),
// or ahead of time by a sampler thread that keeps up to `depth` batches ready, so the next batch
// is waiting when an update ends (learner.prefetch).
//
// Thread-safety: Next() is called by one thread (the update loop); the sampler thread shares only
// the queue (guarded by mu_) and the replay buffer (thread-safe).
#pragma once

#include <torch/torch.h>

#include <atomic>
#include <deque>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "common/mutex.h"
#include "learner/sac.h"
#include "replay/replay_buffer.h"

namespace passrl::learner {

struct ReadyBatch {
  SacBatch tensors;
  std::vector<int64_t> sequences;  // for prioritized replay's UpdatePriorities
};

class BatchSampler {
 public:
  BatchSampler(replay::ReplayBuffer* replay, int batch_size, torch::Device device, bool prefetch,
               int depth = 2);
  ~BatchSampler();
  BatchSampler(const BatchSampler&) = delete;
  BatchSampler& operator=(const BatchSampler&) = delete;
  // The next batch; false when the replay is empty (or, prefetching, none became ready within a
  // few milliseconds).
  bool Next(ReadyBatch* out);

 private:
  bool Make(ReadyBatch* out);  // samples one batch and builds its tensors
  void Loop();                 // the sampler thread
  replay::ReplayBuffer* replay_;
  const int batch_size_;
  const torch::Device device_;
  const int depth_;
  replay::SampledBatch scratch_;  // Make's; one thread at a time uses Make
  Mutex mu_;
  std::deque<ReadyBatch> ready_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace passrl::learner
