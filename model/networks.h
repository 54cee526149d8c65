// The policy and Q networks: one leaf that both the learner (training) and the actors (inference)
// include. It pulls in LibTorch but not the SAC losses, optimisers or the replay buffer.
//
// Both are MLPs on the featurised observation: policy -> logits over actions, Q -> one value per
// action (discrete SAC evaluates every action at once). Parameters travel to actors as one flat
// float32 buffer in parameters() order (FlattenParameters / LoadFlatParameters).
#pragma once

#include <torch/torch.h>

#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "model/network_shape.h"

namespace passrl::model {

class MlpImpl : public torch::nn::Module {
 public:
  explicit MlpImpl(const NetworkShape& shape);
  // [B, obs_dim] -> [B, num_actions], float32. `hidden` kBFloat16: the hidden layers' products
  // in bfloat16 (float32 accumulation; the parameters and gradients stay float32, cast per call),
  // the output layer in float32 so Q values and logits keep their precision.
  torch::Tensor forward(torch::Tensor x, torch::ScalarType hidden = torch::kFloat);

 private:
  torch::nn::ModuleList layers_;
};
TORCH_MODULE(Mlp);

// Added to the policy's logits: 0 for allowed actions, -1e9 for the others (softmax gives them
// exactly 0, and 0 * log p stays finite in entropies). [num_actions], on the CPU.
torch::Tensor LogitMask(const NetworkShape& shape);

// Parameters of `module` concatenated in parameters() order.
std::vector<float> FlattenParameters(torch::nn::Module& module);
// Inverse of FlattenParameters; InvalidArgument if the size does not match the network.
absl::Status LoadFlatParameters(torch::nn::Module& module, absl::Span<const float> flat);
int64_t ParameterCount(torch::nn::Module& module);

}  // namespace passrl::model
