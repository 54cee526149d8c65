#include "learner/sac.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace passrl::learner {
namespace {

void SoftUpdate(torch::nn::Module& target, torch::nn::Module& source, double tau) {
  torch::NoGradGuard no_grad;
  auto t = target.parameters();
  auto s = source.parameters();
  for (size_t i = 0; i < t.size(); ++i) t[i].mul_(1 - tau).add_(s[i], tau);
}

}  // namespace

absl::Status SacOptions::Validate() const {
  if (shape.obs_dim <= 0 || shape.num_actions <= 1) {
    return absl::InvalidArgumentError("network needs obs_dim > 0 and at least 2 actions");
  }
  if (!(gamma >= 0 && gamma < 1)) return absl::InvalidArgumentError("sac.gamma must be in [0, 1)");
  if (!(tau > 0 && tau <= 1)) return absl::InvalidArgumentError("sac.tau must be in (0, 1]");
  if (!(learning_rate > 0) || !(alpha_learning_rate > 0)) {
    return absl::InvalidArgumentError("sac learning rates must be > 0");
  }
  if (!(initial_alpha > 0)) return absl::InvalidArgumentError("sac.initial_alpha must be > 0");
  if (!(target_entropy_ratio >= 0 && target_entropy_ratio < 1)) {
    return absl::InvalidArgumentError("sac.target_entropy_ratio must be in [0, 1)");
  }
  if (!(reward_scale > 0)) return absl::InvalidArgumentError("sac.reward_scale must be > 0");
  if (!shape.allowed.empty()) {
    if (shape.allowed.size() != static_cast<size_t>(shape.num_actions)) {
      return absl::InvalidArgumentError("sac: one allowed flag per action expected");
    }
    if (std::count(shape.allowed.begin(), shape.allowed.end(), true) < 2) {
      return absl::InvalidArgumentError("sac: at least 2 actions must be allowed");
    }
  }
  return absl::OkStatus();
}

torch::Tensor CriticTarget(const torch::Tensor& rewards, const torch::Tensor& terminals,
                           const torch::Tensor& next_probs, const torch::Tensor& next_log_probs,
                           const torch::Tensor& next_q1_target, const torch::Tensor& next_q2_target,
                           double alpha, double gamma, double reward_scale, bool twin_mean) {
  const torch::Tensor twin = twin_mean ? (next_q1_target + next_q2_target) / 2
                                       : torch::min(next_q1_target, next_q2_target);
  const torch::Tensor soft_value = (next_probs * (twin - alpha * next_log_probs)).sum(1);
  return reward_scale * rewards + gamma * (1 - terminals) * soft_value;
}

torch::Tensor PolicyLoss(const torch::Tensor& probs, const torch::Tensor& log_probs,
                         const torch::Tensor& q1, const torch::Tensor& q2, double alpha) {
  return (probs * (alpha * log_probs - torch::min(q1, q2))).sum(1).mean();
}

torch::Tensor AlphaLoss(const torch::Tensor& probs, const torch::Tensor& log_probs,
                        const torch::Tensor& log_alpha, double target_entropy) {
  const torch::Tensor expected_log_prob = (probs * log_probs).sum(1).detach();
  return -(log_alpha * (expected_log_prob + target_entropy)).mean();
}

SacAgent::SacAgent(const SacOptions& options, torch::Device device)
    : options_(options), device_(device) {}

absl::StatusOr<std::unique_ptr<SacAgent>> SacAgent::Create(const SacOptions& options) {
  absl::Status valid = options.Validate();
  if (!valid.ok()) return valid;
  torch::manual_seed(options.seed);
  const bool cuda = options.use_cuda_if_available && torch::cuda::is_available();
  std::unique_ptr<SacAgent> agent(new SacAgent(options, cuda ? torch::kCUDA : torch::kCPU));
  SacAgent& a = *agent;
  a.policy_ = model::Mlp(options.shape);
  a.q1_ = model::Mlp(options.shape);
  a.q2_ = model::Mlp(options.shape);
  a.q1_target_ = model::Mlp(options.shape);
  a.q2_target_ = model::Mlp(options.shape);
  for (const auto& [name, net] : a.Networks()) (*net)->to(a.device_);
  SoftUpdate(*a.q1_target_, *a.q1_, 1.0);
  SoftUpdate(*a.q2_target_, *a.q2_, 1.0);
  a.log_alpha_ = torch::full({1}, std::log(options.initial_alpha),
                             torch::TensorOptions().device(a.device_).requires_grad(true));
  a.policy_opt_ = std::make_unique<torch::optim::Adam>(
      a.policy_->parameters(), torch::optim::AdamOptions(options.learning_rate));
  std::vector<torch::Tensor> q_params = a.q1_->parameters();
  for (const auto& p : a.q2_->parameters()) q_params.push_back(p);
  a.q_opt_ = std::make_unique<torch::optim::Adam>(q_params,
                                                  torch::optim::AdamOptions(options.learning_rate));
  a.alpha_opt_ =
      std::make_unique<torch::optim::Adam>(std::vector<torch::Tensor>{a.log_alpha_},
                                           torch::optim::AdamOptions(options.alpha_learning_rate));
  a.mask_ = model::LogitMask(options.shape).to(a.device_);
  const auto& allowed = options.shape.allowed;
  const int64_t choices = allowed.empty() ? options.shape.num_actions
                                          : std::count(allowed.begin(), allowed.end(), true);
  a.target_entropy_ = options.target_entropy_ratio * std::log(static_cast<double>(choices));
  return agent;
}

double SacAgent::alpha() const { return log_alpha_.exp().item<double>(); }

SacLosses SacAgent::Update(const SacBatch& in) {
  const torch::Tensor obs = in.observations.to(device_);
  const torch::Tensor next_obs = in.next_observations.to(device_);
  const torch::Tensor actions = in.actions.to(device_).unsqueeze(1);
  const torch::Tensor rewards = in.rewards.to(device_);
  const torch::Tensor terminals = in.terminals.to(device_);
  const torch::Tensor weights = in.weights.to(device_);
  const double alpha = log_alpha_.exp().item<double>();
  const torch::ScalarType h = options_.hidden_bfloat16 ? torch::kBFloat16 : torch::kFloat;
  SacLosses out;

  // Critics.
  torch::Tensor target;
  {
    torch::NoGradGuard no_grad;
    const torch::Tensor next_logits = policy_->forward(next_obs, h) + mask_;
    target =
        CriticTarget(rewards, terminals, torch::softmax(next_logits, 1),
                     torch::log_softmax(next_logits, 1), q1_target_->forward(next_obs, h),
                     q2_target_->forward(next_obs, h), alpha, options_.gamma, options_.reward_scale,
                     options_.twin_mean_target);
  }
  const torch::Tensor q1 = q1_->forward(obs, h).gather(1, actions).squeeze(1);
  const torch::Tensor q2 = q2_->forward(obs, h).gather(1, actions).squeeze(1);
  const torch::Tensor critic_loss =
      (weights * (q1 - target).pow(2)).mean() + (weights * (q2 - target).pow(2)).mean();
  q_opt_->zero_grad();
  critic_loss.backward();
  if (options_.grad_clip > 0) {
    torch::nn::utils::clip_grad_norm_(q1_->parameters(), options_.grad_clip);
    torch::nn::utils::clip_grad_norm_(q2_->parameters(), options_.grad_clip);
  }
  q_opt_->step();

  // Policy, against the updated critics (values only, no critic gradients).
  const torch::Tensor logits = policy_->forward(obs, h) + mask_;
  const torch::Tensor probs = torch::softmax(logits, 1);
  const torch::Tensor log_probs = torch::log_softmax(logits, 1);
  torch::Tensor q1_all, q2_all;
  {
    torch::NoGradGuard no_grad;
    q1_all = q1_->forward(obs, h);
    q2_all = q2_->forward(obs, h);
  }
  const torch::Tensor policy_loss = PolicyLoss(probs, log_probs, q1_all, q2_all, alpha);
  policy_opt_->zero_grad();
  policy_loss.backward();
  if (options_.grad_clip > 0) {
    torch::nn::utils::clip_grad_norm_(policy_->parameters(), options_.grad_clip);
  }
  policy_opt_->step();

  // Temperature.
  const torch::Tensor alpha_loss =
      AlphaLoss(probs.detach(), log_probs.detach(), log_alpha_, target_entropy_);
  alpha_opt_->zero_grad();
  alpha_loss.backward();
  alpha_opt_->step();

  SoftUpdate(*q1_target_, *q1_, options_.tau);
  SoftUpdate(*q2_target_, *q2_, options_.tau);
  ++updates_;

  out.critic = critic_loss.item<double>();
  out.policy = policy_loss.item<double>();
  out.alpha_loss = alpha_loss.item<double>();
  out.alpha = alpha;
  out.entropy = -(probs * log_probs).sum(1).mean().item<double>();
  out.q_mean = q1.mean().item<double>();
  const torch::Tensor td = (q1 - target).abs().detach().to(torch::kCPU).contiguous();
  out.td_errors.assign(td.data_ptr<float>(), td.data_ptr<float>() + td.numel());
  return out;
}

std::vector<float> SacAgent::PolicyParameters() { return model::FlattenParameters(*policy_); }

std::vector<float> SacAgent::AllParameters() {
  std::vector<float> all;
  for (const auto& [name, net] : Networks()) {
    const std::vector<float> part = model::FlattenParameters(**net);
    all.insert(all.end(), part.begin(), part.end());
  }
  all.push_back(log_alpha_.item<float>());
  return all;
}

absl::StatusOr<std::string> SacAgent::SaveState() {
  try {
    torch::serialize::OutputArchive archive;
    for (const auto& [name, net] : Networks()) {
      torch::serialize::OutputArchive sub;
      (*net)->save(sub);
      archive.write(name, sub);
    }
    for (const auto& [name, opt] : Optimizers()) {
      torch::serialize::OutputArchive sub;
      opt->save(sub);
      archive.write(name, sub);
    }
    archive.write("log_alpha", log_alpha_.detach());
    archive.write("updates", torch::tensor(updates_, torch::kInt64));
    archive.write("cpu_generator", at::detail::getDefaultCPUGenerator().get_state());
    std::ostringstream out;
    archive.save_to(out);
    return out.str();
  } catch (const c10::Error& e) {
    return absl::InternalError(
        absl::StrCat("cannot serialize the SAC state: ", e.what_without_backtrace()));
  }
}

absl::Status SacAgent::LoadState(const std::string& bytes) {
  // Everything is read on the CPU into a fresh CPU agent, so a bad archive leaves this agent
  // untouched and the CPU generator's state is never a CUDA tensor; the agent then moves to this
  // agent's device (a checkpoint written on a GPU loads on a CPU and the other way round).
  SacOptions on_cpu = options_;
  on_cpu.use_cuda_if_available = false;
  // Create seeds the global generator: put it back unless the load succeeds.
  at::Generator global = at::detail::getDefaultCPUGenerator();
  const torch::Tensor generator_before = global.get_state();
  absl::Status loaded = LoadInto(bytes, on_cpu);
  if (!loaded.ok()) global.set_state(generator_before);
  return loaded;
}

absl::Status SacAgent::LoadInto(const std::string& bytes, const SacOptions& on_cpu) {
  auto fresh = Create(on_cpu);
  if (!fresh.ok()) return fresh.status();
  SacAgent& f = **fresh;
  try {
    std::istringstream in(bytes);
    torch::serialize::InputArchive archive;
    archive.load_from(in, torch::kCPU);
    PASSRL_RETURN_IF_ERROR(f.ReadNetworks(archive));
    for (const auto& [name, opt] : f.Optimizers()) {
      torch::serialize::InputArchive sub;
      archive.read(name, sub);
      opt->load(sub);
    }
    torch::Tensor log_alpha, updates, generator;
    archive.read("log_alpha", log_alpha);
    archive.read("updates", updates);
    archive.read("cpu_generator", generator);
    if (log_alpha.sizes() != f.log_alpha_.sizes()) {
      return absl::InvalidArgumentError("SAC state: temperature has the wrong shape");
    }
    {
      torch::NoGradGuard no_grad;
      f.log_alpha_.copy_(log_alpha);
    }
    f.updates_ = updates.item<int64_t>();
    f.MoveTo(device_);
    // Last, so that nothing changed if anything above failed.
    at::Generator global = at::detail::getDefaultCPUGenerator();  // a handle to the global one
    global.set_state(generator.to(torch::kCPU));
  } catch (const c10::Error& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unusable SAC state (different network shape or corrupt): ", e.what_without_backtrace()));
  }
  // Adopt the loaded agent whole: its optimizers hold pointers to its own parameters.
  f.options_ = options_;
  *this = std::move(f);
  return absl::OkStatus();
}

std::array<std::pair<const char*, model::Mlp*>, 5> SacAgent::Networks() {
  return {{{"policy", &policy_},
           {"q1", &q1_},
           {"q2", &q2_},
           {"q1_target", &q1_target_},
           {"q2_target", &q2_target_}}};
}

std::array<std::pair<const char*, torch::optim::Adam*>, 3> SacAgent::Optimizers() {
  return {{{"policy_opt", policy_opt_.get()},
           {"q_opt", q_opt_.get()},
           {"alpha_opt", alpha_opt_.get()}}};
}

absl::Status SacAgent::ReadNetworks(torch::serialize::InputArchive& archive) {
  for (const auto& [name, net] : Networks()) {
    // Module::load resizes parameters to whatever it reads, so check the shapes ourselves.
    std::vector<std::vector<int64_t>> shapes;
    for (const auto& p : (*net)->parameters()) shapes.push_back(p.sizes().vec());
    torch::serialize::InputArchive sub;
    archive.read(name, sub);
    (*net)->load(sub);
    const auto loaded = (*net)->parameters();
    for (size_t i = 0; i < loaded.size(); ++i) {
      if (loaded[i].sizes().vec() != shapes[i]) {
        return absl::InvalidArgumentError(absl::StrCat(
            "SAC state: network '", name, "' has other layer sizes than sac.hidden says"));
      }
    }
  }
  return absl::OkStatus();
}

void SacAgent::MoveTo(torch::Device device) {
  // Module::to and set_data keep each parameter's identity, so the optimizers' references (and
  // their state keys) stay valid; the Adam moments move with them.
  for (const auto& [name, net] : Networks()) (*net)->to(device);
  mask_ = mask_.to(device);
  {
    torch::NoGradGuard no_grad;
    log_alpha_.set_data(log_alpha_.data().to(device));
  }
  for (const auto& [name, opt] : Optimizers()) {
    for (auto& entry : opt->state()) {
      auto& state = static_cast<torch::optim::AdamParamState&>(*entry.second);
      state.exp_avg(state.exp_avg().to(device));
      state.exp_avg_sq(state.exp_avg_sq().to(device));
      if (state.max_exp_avg_sq().defined()) state.max_exp_avg_sq(state.max_exp_avg_sq().to(device));
    }
  }
  device_ = device;
}

std::vector<int64_t> SacAgent::GreedyActions(const torch::Tensor& observations) {
  torch::NoGradGuard no_grad;
  const torch::Tensor best = (policy_->forward(observations.to(device_)) + mask_).argmax(1).to(torch::kCPU);
  return std::vector<int64_t>(best.data_ptr<int64_t>(), best.data_ptr<int64_t>() + best.numel());
}

}  // namespace passrl::learner
