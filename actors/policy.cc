#include "actors/policy.h"

#include "model/networks.h"

namespace passrl::actors {
namespace {

class TorchPolicy : public Policy {
 public:
  TorchPolicy(const model::NetworkShape& shape, uint64_t seed, bool greedy)
      : net_(shape), mask_(model::LogitMask(shape)), rng_(seed), greedy_(greedy) {
    net_->eval();
    count_ = model::ParameterCount(*net_);
  }
  int Act(absl::Span<const float> observation) override {
    torch::NoGradGuard no_grad;
    const torch::Tensor x = torch::from_blob(const_cast<float*>(observation.data()),
                                             {1, static_cast<int64_t>(observation.size())});
    const torch::Tensor logits = net_->forward(x) + mask_;
    if (greedy_) return static_cast<int>(logits.argmax(1).item<int64_t>());
    const torch::Tensor probs = torch::softmax(logits, 1).contiguous();
    const float* p = probs.data_ptr<float>();
    std::discrete_distribution<int> pick(p, p + probs.numel());
    return pick(rng_);
  }
  std::vector<float> Probabilities(absl::Span<const float> observation) override {
    torch::NoGradGuard no_grad;
    const torch::Tensor x = torch::from_blob(const_cast<float*>(observation.data()),
                                             {1, static_cast<int64_t>(observation.size())});
    const torch::Tensor probs = torch::softmax(net_->forward(x) + mask_, 1).contiguous();
    return std::vector<float>(probs.data_ptr<float>(), probs.data_ptr<float>() + probs.numel());
  }
  absl::Status SetWeights(uint64_t version, absl::Span<const float> parameters) override {
    absl::Status loaded = model::LoadFlatParameters(*net_, parameters);
    if (loaded.ok()) version_ = version;
    return loaded;
  }
  uint64_t version() const override { return version_; }
  int64_t parameter_count() const override { return count_; }

 private:
  model::Mlp net_;
  torch::Tensor mask_;  // model::LogitMask
  std::mt19937_64 rng_;
  bool greedy_;
  uint64_t version_ = 0;
  int64_t count_ = 0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Policy>> CreateTorchPolicy(const model::NetworkShape& shape,
                                                          uint64_t seed, bool greedy) {
  if (shape.obs_dim <= 0 || shape.num_actions <= 1) {
    return absl::InvalidArgumentError("policy needs obs_dim > 0 and at least 2 actions");
  }
  if (!shape.allowed.empty() && shape.allowed.size() != static_cast<size_t>(shape.num_actions)) {
    return absl::InvalidArgumentError("policy: one allowed flag per action expected");
  }
  torch::manual_seed(seed);
  torch::set_num_threads(1);  // an actor owns one core
  return std::unique_ptr<Policy>(new TorchPolicy(shape, seed, greedy));
}

}  // namespace passrl::actors
