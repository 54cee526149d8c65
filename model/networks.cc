#include "model/networks.h"

#include "absl/strings/str_cat.h"

namespace passrl::model {

MlpImpl::MlpImpl(const NetworkShape& shape) {
  int in = shape.obs_dim;
  for (int width : shape.hidden) {
    layers_->push_back(torch::nn::Linear(in, width));
    in = width;
  }
  layers_->push_back(torch::nn::Linear(in, shape.num_actions));
  register_module("layers", layers_);
}

torch::Tensor MlpImpl::forward(torch::Tensor x, torch::ScalarType hidden) {
  const size_t n = layers_->size();
  for (size_t i = 0; i < n; ++i) {
    torch::nn::LinearImpl& layer = *layers_[i]->as<torch::nn::Linear>();
    if (i + 1 == n || hidden == torch::kFloat) {
      x = layer.forward(x.to(torch::kFloat));
    } else {
      x = torch::linear(x.to(hidden), layer.weight.to(hidden), layer.bias.to(hidden));
    }
    if (i + 1 < n) x = torch::relu(x);
  }
  return x;
}

torch::Tensor LogitMask(const NetworkShape& shape) {
  torch::Tensor mask = torch::zeros({shape.num_actions});
  for (size_t i = 0; i < shape.allowed.size(); ++i) {
    if (!shape.allowed[i]) mask[static_cast<int64_t>(i)] = -1e9;
  }
  return mask;
}

std::vector<float> FlattenParameters(torch::nn::Module& module) {
  std::vector<float> flat;
  flat.reserve(static_cast<size_t>(ParameterCount(module)));
  for (const torch::Tensor& p : module.parameters()) {
    torch::Tensor cpu = p.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    flat.insert(flat.end(), cpu.data_ptr<float>(), cpu.data_ptr<float>() + cpu.numel());
  }
  return flat;
}

absl::Status LoadFlatParameters(torch::nn::Module& module, absl::Span<const float> flat) {
  const int64_t expected = ParameterCount(module);
  if (static_cast<int64_t>(flat.size()) != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat("weights have ", flat.size(), " parameters, the network has ", expected));
  }
  torch::NoGradGuard no_grad;
  size_t at = 0;
  for (torch::Tensor& p : module.parameters()) {
    torch::Tensor src =
        torch::from_blob(const_cast<float*>(flat.data() + at), p.sizes(), torch::kFloat32);
    p.copy_(src.to(p.device()));
    at += static_cast<size_t>(p.numel());
  }
  return absl::OkStatus();
}

int64_t ParameterCount(torch::nn::Module& module) {
  int64_t n = 0;
  for (const torch::Tensor& p : module.parameters()) n += p.numel();
  return n;
}

}  // namespace passrl::model
