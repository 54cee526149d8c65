// Discrete SAC's settings (learner/sac.h), as plain data: configs hold them without LibTorch.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "model/network_shape.h"

namespace passrl::learner {

struct SacOptions {
  model::NetworkShape shape;
  double gamma = 0.9;
  double tau = 0.005;           // Polyak step for the target networks
  double learning_rate = 3e-4;  // policy and critics
  double alpha_learning_rate = 3e-4;
  double initial_alpha = 0.2;
  double target_entropy_ratio = 0.5;  // of log|A|; 0.98 is known to make alpha blow up
  double reward_scale = 1.0;
  double grad_clip = 10.0;         // max global L2 norm per network; <= 0: none
  bool twin_mean_target = false;  // critic target: mean of the twin target critics, not their min
  // The update's hidden-layer products in bfloat16 (model::MlpImpl::forward): ~1.9x faster
  // products on CPUs with AVX512-BF16 (BENCHMARKS.md, "The update loop"); the output layers,
  // losses, parameters and Adam stay float32. Actors and validation always act in float32.
  bool hidden_bfloat16 = false;
  uint64_t seed = 1;
  bool use_cuda_if_available = true;
  absl::Status Validate() const;
};

}  // namespace passrl::learner
