// Discrete Soft Actor-Critic (Christodoulou 2019, "Soft Actor-Critic for Discrete Action
// Settings"): twin Q networks with Polyak-averaged targets, a softmax policy, expectations taken
// over the full action distribution (no sampled next action), and an automatically tuned
// temperature alpha aiming at a target entropy of `target_entropy_ratio * log|A|`.
//
// The losses are free functions of tensors so tests can check them on hand-computed cases.
// SacAgent is not thread-safe: one update loop owns it; PolicyParameters() copies out.
#pragma once

#include <torch/torch.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "learner/sac_options.h"
#include "model/networks.h"

namespace passrl::learner {

// y = scale * r + gamma * (1 - terminal) * sum_a' pi(a'|s') (min Q_target(s', a') - alpha log pi)
// With `twin_mean` the mean of the twin targets replaces their min (Stable Discrete SAC: the min
// underestimates badly when Q values are nearly flat over many actions).
torch::Tensor CriticTarget(const torch::Tensor& rewards, const torch::Tensor& terminals,
                           const torch::Tensor& next_probs, const torch::Tensor& next_log_probs,
                           const torch::Tensor& next_q1_target, const torch::Tensor& next_q2_target,
                           double alpha, double gamma, double reward_scale, bool twin_mean = false);
// E_s sum_a pi(a|s) (alpha log pi(a|s) - min(Q1, Q2)(s, a))
torch::Tensor PolicyLoss(const torch::Tensor& probs, const torch::Tensor& log_probs,
                         const torch::Tensor& q1, const torch::Tensor& q2, double alpha);
// -E_s log_alpha * (sum_a pi log pi + target_entropy): alpha falls when entropy exceeds the target.
torch::Tensor AlphaLoss(const torch::Tensor& probs, const torch::Tensor& log_probs,
                        const torch::Tensor& log_alpha, double target_entropy);

// One batch for an update, on any device (moved to the agent's).
struct SacBatch {
  torch::Tensor observations, next_observations;  // [B, obs_dim] float
  torch::Tensor actions;                          // [B] int64
  torch::Tensor rewards, terminals, weights;      // [B] float (weights: importance, 1 if uniform)
};

struct SacLosses {
  double critic = 0, policy = 0, alpha_loss = 0, alpha = 0, entropy = 0, q_mean = 0;
  std::vector<float> td_errors;  // |y - Q1| per sample, for prioritized replay
};

class SacAgent {
 public:
  static absl::StatusOr<std::unique_ptr<SacAgent>> Create(const SacOptions& options);
  SacLosses Update(const SacBatch& batch);
  std::vector<float> PolicyParameters();
  // Every parameter, flat: policy, q1, q2, q1_target, q2_target (each in parameters() order), then
  // log_alpha. For cross-checking against another implementation (benchmarks/sac_update.py).
  std::vector<float> AllParameters();
  // The whole training state (networks, targets, Adam moments, temperature, update count, the
  // CPU generator) as LibTorch archive bytes, for checkpoints. LoadState needs the same shapes
  // and leaves the agent unchanged when the bytes are unusable; it reads on the CPU and moves the
  // state to this agent's device, so CPU and CUDA checkpoints load on either.
  absl::StatusOr<std::string> SaveState();
  absl::Status LoadState(const std::string& bytes);
  // Greedy action per row (argmax of the logits), for evaluation.
  std::vector<int64_t> GreedyActions(const torch::Tensor& observations);
  torch::Device device() const { return device_; }
  double alpha() const;
  int64_t updates() const { return updates_; }
  const SacOptions& options() const { return options_; }

 private:
  SacAgent(const SacOptions& options, torch::Device device);
  // Every network and optimizer under its archive name: one list for save, load and moves.
  std::array<std::pair<const char*, model::Mlp*>, 5> Networks();
  std::array<std::pair<const char*, torch::optim::Adam*>, 3> Optimizers();
  absl::Status ReadNetworks(torch::serialize::InputArchive& archive);
  absl::Status LoadInto(const std::string& bytes, const SacOptions& on_cpu);  // LoadState's work
  void MoveTo(torch::Device device);  // networks, temperature and optimizer state
  SacOptions options_;
  torch::Device device_;
  model::Mlp policy_{nullptr}, q1_{nullptr}, q2_{nullptr}, q1_target_{nullptr}, q2_target_{nullptr};
  torch::Tensor log_alpha_;
  torch::Tensor mask_;  // model::LogitMask, on device_
  std::unique_ptr<torch::optim::Adam> policy_opt_, q_opt_, alpha_opt_;
  double target_entropy_;
  int64_t updates_ = 0;
};

}  // namespace passrl::learner
