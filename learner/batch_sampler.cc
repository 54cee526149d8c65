#include "learner/batch_sampler.h"

#include <chrono>
#include <cstdio>
#include <cstring>

namespace passrl::learner {
namespace {

// A host tensor holding `values` (pinned when it goes on to CUDA), on `device`.
template <typename T>
torch::Tensor Tensor(const std::vector<T>& values, std::vector<int64_t> shape,
                     torch::ScalarType type, torch::Device device) {
  torch::Tensor host = torch::empty(shape, torch::TensorOptions().dtype(type).pinned_memory(
                                                  device.is_cuda()));
  std::memcpy(host.data_ptr(), values.data(), values.size() * sizeof(T));
  return device.is_cuda() ? host.to(device, /*non_blocking=*/true) : host;
}

}  // namespace

BatchSampler::BatchSampler(replay::ReplayBuffer* replay, int batch_size, torch::Device device,
                           bool prefetch, int depth)
    : replay_(replay), batch_size_(batch_size), device_(device), depth_(depth) {
  if (prefetch) thread_ = std::thread([this] { Loop(); });
}

BatchSampler::~BatchSampler() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

bool BatchSampler::Make(ReadyBatch* out) {
  if (!replay_->Sample(batch_size_, &scratch_)) return false;
  const replay::SampledBatch& b = scratch_;
  const int64_t n = b.size, d = b.obs_dim;
  try {
    SacBatch& t = out->tensors;
    t.observations = Tensor(b.observations, {n, d}, torch::kFloat32, device_);
    t.next_observations = Tensor(b.next_observations, {n, d}, torch::kFloat32, device_);
    t.actions = Tensor(b.actions, {n}, torch::kInt64, device_);
    t.rewards = Tensor(b.rewards, {n}, torch::kFloat32, device_);
    t.terminals = Tensor(b.terminals, {n}, torch::kFloat32, device_);
    t.weights = Tensor(b.weights, {n}, torch::kFloat32, device_);
  } catch (const c10::Error& e) {
    std::fprintf(stderr, "learner: cannot make a batch: %s\n", e.what_without_backtrace());
    return false;
  }
  out->sequences = b.sequences;
  return true;
}

void BatchSampler::Loop() {
  while (!stop_) {
    bool full;
    {
      MutexLock lock(&mu_);
      full = static_cast<int>(ready_.size()) >= depth_;
    }
    ReadyBatch next;
    if (full || !Make(&next)) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    MutexLock lock(&mu_);
    ready_.push_back(std::move(next));
  }
}

bool BatchSampler::Next(ReadyBatch* out) {
  if (!thread_.joinable()) return Make(out);
  for (int i = 0; i < 50; ++i) {
    {
      MutexLock lock(&mu_);
      if (!ready_.empty()) {
        *out = std::move(ready_.front());
        ready_.pop_front();
        return true;
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  return false;
}

}  // namespace passrl::learner
