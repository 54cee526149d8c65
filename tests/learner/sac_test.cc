#include "learner/sac.h"

#include <cmath>
#include <random>

#include "gtest/gtest.h"

namespace passrl::learner {
namespace {

torch::Tensor T(std::vector<float> v, std::vector<int64_t> shape) {
  return torch::tensor(v).reshape(shape);
}

// One state, two actions, numbers worked by hand.
TEST(SacMathTest, CriticTargetMatchesHandComputation) {
  const double p0 = 0.25, p1 = 0.75, alpha = 0.5, gamma = 0.9, scale = 2.0;
  // min(Q1t, Q2t) = [1.0, 1.0]; V = sum p (minQ - alpha log p)
  const double v = p0 * (1.0 - alpha * std::log(p0)) + p1 * (1.0 - alpha * std::log(p1));
  torch::Tensor probs = T({float(p0), float(p1)}, {1, 2});
  torch::Tensor y =
      CriticTarget(T({3.0f}, {1}), T({0.0f}, {1}), probs, probs.log(), T({1.0f, 2.0f}, {1, 2}),
                   T({1.5f, 1.0f}, {1, 2}), alpha, gamma, scale);
  EXPECT_NEAR(y.item<double>(), scale * 3.0 + gamma * v, 1e-5);
  // A terminal transition does not bootstrap.
  torch::Tensor y_end =
      CriticTarget(T({3.0f}, {1}), T({1.0f}, {1}), probs, probs.log(), T({1.0f, 2.0f}, {1, 2}),
                   T({1.5f, 1.0f}, {1, 2}), alpha, gamma, scale);
  EXPECT_NEAR(y_end.item<double>(), 6.0, 1e-6);
}

TEST(SacMathTest, TwinMeanTargetUsesTheMeanOfTheCritics) {
  const double p0 = 0.25, p1 = 0.75, alpha = 0.5, gamma = 0.9;
  // mean(Q1t, Q2t) = [1.25, 1.5]
  const double v = p0 * (1.25 - alpha * std::log(p0)) + p1 * (1.5 - alpha * std::log(p1));
  torch::Tensor probs = T({float(p0), float(p1)}, {1, 2});
  torch::Tensor y =
      CriticTarget(T({3.0f}, {1}), T({0.0f}, {1}), probs, probs.log(), T({1.0f, 2.0f}, {1, 2}),
                   T({1.5f, 1.0f}, {1, 2}), alpha, gamma, 1.0, /*twin_mean=*/true);
  EXPECT_NEAR(y.item<double>(), 3.0 + gamma * v, 1e-5);
}

// env.action_set masks actions: the agent never prefers one it may not choose, and its target
// entropy counts only the allowed ones.
TEST(SacAgentTest, MaskedActionsAreNeverChosen) {
  SacOptions o;
  o.shape = {4, 6, {8}};
  o.shape.allowed = {false, true, false, true, false, false};
  o.use_cuda_if_available = false;
  auto agent = SacAgent::Create(o);
  ASSERT_TRUE(agent.ok()) << agent.status();
  const std::vector<int64_t> picks = (*agent)->GreedyActions(torch::randn({64, 4}));
  for (int64_t a : picks) EXPECT_TRUE(a == 1 || a == 3) << a;
  o.shape.allowed = {true, false, false, false, false, false};
  EXPECT_FALSE(SacAgent::Create(o).ok());  // one choice is no choice
  o.shape.allowed = {true, true};
  EXPECT_FALSE(SacAgent::Create(o).ok());  // one flag per action
}

TEST(SacMathTest, PolicyLossMatchesHandComputation) {
  const double p0 = 0.25, p1 = 0.75, alpha = 0.5;
  torch::Tensor probs = T({float(p0), float(p1)}, {1, 2});
  // min(Q1, Q2) = [1.0, 1.0]
  const double expected = p0 * (alpha * std::log(p0) - 1.0) + p1 * (alpha * std::log(p1) - 1.0);
  torch::Tensor loss =
      PolicyLoss(probs, probs.log(), T({1.0f, 2.0f}, {1, 2}), T({1.5f, 1.0f}, {1, 2}), alpha);
  EXPECT_NEAR(loss.item<double>(), expected, 1e-5);
  // Two states average.
  torch::Tensor probs2 = T({0.25f, 0.75f, 0.5f, 0.5f}, {2, 2});
  torch::Tensor q = T({0.f, 0.f, 0.f, 0.f}, {2, 2});
  const double second = 0.5 * alpha * std::log(0.5) * 2;
  EXPECT_NEAR(PolicyLoss(probs2, probs2.log(), q, q, alpha).item<double>(),
              (p0 * alpha * std::log(p0) + p1 * alpha * std::log(p1) + second) / 2, 1e-5);
}

TEST(SacMathTest, AlphaLossPushesEntropyTowardsTarget) {
  torch::Tensor probs = T({0.25f, 0.75f}, {1, 2});
  const double entropy = -(0.25 * std::log(0.25) + 0.75 * std::log(0.75));
  torch::Tensor log_alpha = torch::zeros({1}, torch::requires_grad());
  const double target = 0.3;
  torch::Tensor loss = AlphaLoss(probs, probs.log(), log_alpha, target);
  // loss = -log_alpha * (-H + target); d/dlog_alpha = H - target
  EXPECT_NEAR(loss.item<double>(), 0.0, 1e-7);
  loss.backward();
  EXPECT_NEAR(log_alpha.grad().item<double>(), entropy - target, 1e-5);
  EXPECT_GT(log_alpha.grad().item<double>(),
            0);  // entropy above target: gradient step lowers alpha
}

TEST(SacOptionsTest, RejectsBadValues) {
  SacOptions o;
  o.shape = {4, 3, {8}};
  EXPECT_TRUE(o.Validate().ok());
  o.gamma = 1.0;
  EXPECT_NE(o.Validate().message().find("gamma"), absl::string_view::npos);
  o.gamma = 0.9;
  o.target_entropy_ratio = 1.5;
  EXPECT_NE(o.Validate().message().find("target_entropy_ratio"), absl::string_view::npos);
}

TEST(SacAgentTest, PolicyParametersRoundTripThroughAFreshNetwork) {
  SacOptions o;
  o.shape = {5, 4, {16, 16}};
  auto agent = *SacAgent::Create(o);
  std::vector<float> flat = agent->PolicyParameters();
  model::Mlp copy(o.shape);
  ASSERT_TRUE(model::LoadFlatParameters(*copy, flat).ok());
  torch::Tensor x = torch::randn({3, 5});
  const torch::Tensor expected = copy->forward(x).argmax(1).contiguous();
  EXPECT_EQ(agent->GreedyActions(x),
            std::vector<int64_t>(expected.data_ptr<int64_t>(), expected.data_ptr<int64_t>() + 3));
  EXPECT_FALSE(model::LoadFlatParameters(*copy, std::vector<float>(flat.size() - 1)).ok());
}

// The update's bfloat16 hidden layers: outputs float32 and close to the float32 network's (but
// not equal: the products did run in bfloat16), gradients float32 on every parameter.
TEST(SacAgentTest, BfloatHiddenLayersStayCloseToFloat) {
  torch::manual_seed(5);
  model::Mlp net(model::NetworkShape{40, 30, {64, 64}});
  const torch::Tensor x = torch::rand({32, 40}) * 4;
  const torch::Tensor exact = net->forward(x);
  const torch::Tensor mixed = net->forward(x, torch::kBFloat16);
  ASSERT_EQ(mixed.scalar_type(), torch::kFloat);
  const double scale = exact.abs().max().item<double>();
  EXPECT_GT((mixed - exact).abs().max().item<double>(), 0.0);
  EXPECT_LT((mixed - exact).abs().max().item<double>(), 2e-2 * scale);
  mixed.sum().backward();
  for (const torch::Tensor& p : net->parameters()) {
    ASSERT_TRUE(p.grad().defined());
    EXPECT_EQ(p.grad().scalar_type(), torch::kFloat);
    EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0);
  }
}

// A contextual bandit with a known best action per context: with fixed seeds, SAC must find it
// in every context (100% of the optimal return) within a fixed number of updates, with the
// hidden layers in float32 and in bfloat16.
class SacLearningTest : public ::testing::TestWithParam<bool> {};

TEST_P(SacLearningTest, SolvesAContextualBandit) {
  torch::set_num_threads(1);
  constexpr int kContexts = 4, kActions = 5;
  const int best[kContexts] = {3, 0, 4, 1};
  SacOptions o;
  o.shape = {kContexts, kActions, {32, 32}};
  o.gamma = 0.9;
  o.learning_rate = 3e-3;
  o.alpha_learning_rate = 3e-3;
  o.seed = 7;
  o.use_cuda_if_available = false;
  o.hidden_bfloat16 = GetParam();
  auto agent = *SacAgent::Create(o);
  // Every (context, action) pair, shuffled into batches; reward 1 for the best action, else 0.
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> ctx(0, kContexts - 1), act(0, kActions - 1);
  SacLosses last;
  for (int update = 0; update < 600; ++update) {
    constexpr int kBatch = 64;
    std::vector<float> obs(kBatch * kContexts, 0.f);
    std::vector<int64_t> actions(kBatch);
    std::vector<float> rewards(kBatch);
    for (int i = 0; i < kBatch; ++i) {
      const int c = ctx(rng), a = act(rng);
      obs[i * kContexts + c] = 1.f;
      actions[i] = a;
      rewards[i] = a == best[c] ? 1.f : 0.f;
    }
    SacBatch batch;
    batch.observations = torch::tensor(obs).reshape({kBatch, kContexts});
    batch.next_observations = batch.observations;
    batch.actions = torch::tensor(actions);
    batch.rewards = torch::tensor(rewards);
    batch.terminals = torch::ones({kBatch});
    batch.weights = torch::ones({kBatch});
    last = agent->Update(batch);
  }
  EXPECT_TRUE(std::isfinite(last.critic) && std::isfinite(last.policy));
  std::vector<int64_t> greedy = agent->GreedyActions(torch::eye(kContexts));
  int optimal = 0;
  for (int c = 0; c < kContexts; ++c) optimal += greedy[c] == best[c];
  EXPECT_GE(optimal, kContexts * 95 / 100) << "greedy return " << optimal << " of " << kContexts;
  EXPECT_EQ(optimal, kContexts);
  EXPECT_EQ(agent->updates(), 600);
}

INSTANTIATE_TEST_SUITE_P(HiddenPrecision, SacLearningTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "bfloat16" : "float32"; });

SacBatch RandomBatch(int64_t n, int64_t dim, int64_t actions, uint64_t seed) {
  torch::manual_seed(seed);
  SacBatch b;
  b.observations = torch::randn({n, dim});
  b.next_observations = torch::randn({n, dim});
  b.actions = torch::randint(0, actions, {n}, torch::kInt64);
  b.rewards = torch::randn({n});
  b.terminals = (torch::rand({n}) < 0.2).to(torch::kFloat);
  b.weights = torch::ones({n});
  return b;
}

// A checkpoint must resume training exactly: after a save/load into an agent that started
// elsewhere (another seed), the next updates give the same losses and the same parameters as
// the original's (Adam moments, temperature and update count included).
TEST(SacStateTest, SaveLoadContinuesTrainingExactly) {
  SacOptions o;
  o.shape = {6, 4, {16, 16}};
  o.use_cuda_if_available = false;
  o.seed = 1;
  auto original = *SacAgent::Create(o);
  for (int i = 0; i < 5; ++i) original->Update(RandomBatch(32, 6, 4, 100 + i));
  auto bytes = original->SaveState();
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  o.seed = 2;
  auto resumed = *SacAgent::Create(o);
  ASSERT_NE(resumed->AllParameters(), original->AllParameters());
  ASSERT_TRUE(resumed->LoadState(*bytes).ok());
  EXPECT_EQ(resumed->AllParameters(), original->AllParameters());
  EXPECT_EQ(resumed->updates(), 5);
  EXPECT_DOUBLE_EQ(resumed->alpha(), original->alpha());
  for (int i = 0; i < 3; ++i) {
    const SacBatch b = RandomBatch(32, 6, 4, 200 + i);
    const SacLosses a = original->Update(b), r = resumed->Update(b);
    EXPECT_DOUBLE_EQ(a.critic, r.critic) << "update " << i;
    EXPECT_DOUBLE_EQ(a.policy, r.policy);
    EXPECT_DOUBLE_EQ(a.alpha_loss, r.alpha_loss);
  }
  EXPECT_EQ(resumed->AllParameters(), original->AllParameters());
}

TEST(SacStateTest, BadStateIsAnErrorAndChangesNothing) {
  SacOptions o;
  o.shape = {6, 4, {16, 16}};
  o.use_cuda_if_available = false;
  auto agent = *SacAgent::Create(o);
  const std::vector<float> before = agent->AllParameters();
  torch::manual_seed(123);
  const float next_draw = torch::rand({1}).item<float>();
  torch::manual_seed(123);
  absl::Status garbage = agent->LoadState("not a torch archive");
  EXPECT_EQ(garbage.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(torch::rand({1}).item<float>(), next_draw) << "a failed load moved the generator";
  std::string bytes = *agent->SaveState();
  EXPECT_FALSE(agent->LoadState(bytes.substr(0, bytes.size() / 2)).ok()) << "truncated";
  SacOptions wider = o;
  wider.shape.hidden = {32, 16};
  auto other = *SacAgent::Create(wider);
  absl::Status shape = agent->LoadState(*other->SaveState());
  EXPECT_FALSE(shape.ok());
  EXPECT_EQ(agent->AllParameters(), before);
}

// CUDA: run where a GPU is present (benchmarks/gpu_check.sh), skipped elsewhere. A checkpoint
// written on the GPU resumes on the GPU exactly and loads on a CPU-only agent (eval), and a CPU
// checkpoint resumes on the GPU; the CPU generator is restored on the CPU in every case.
SacOptions CudaOptions(bool cuda) {
  SacOptions o;
  o.shape = {6, 4, {16, 16}};
  o.use_cuda_if_available = cuda;
  return o;
}

TEST(SacCudaTest, UpdatesOnTheGpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  auto agent = *SacAgent::Create(CudaOptions(true));
  ASSERT_TRUE(agent->device().is_cuda());
  SacLosses l;
  for (int i = 0; i < 5; ++i) l = agent->Update(RandomBatch(32, 6, 4, 300 + i));
  EXPECT_TRUE(std::isfinite(l.critic) && std::isfinite(l.policy));
  EXPECT_EQ(l.td_errors.size(), 32u);
  EXPECT_EQ(agent->GreedyActions(torch::randn({3, 6})).size(), 3u);
}

TEST(SacCudaTest, GpuCheckpointResumesOnGpuAndLoadsOnCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  auto original = *SacAgent::Create(CudaOptions(true));
  for (int i = 0; i < 5; ++i) original->Update(RandomBatch(32, 6, 4, 100 + i));
  const std::string bytes = *original->SaveState();
  const float drawn_after_save = torch::rand({1}).item<float>();
  auto on_gpu = *SacAgent::Create(CudaOptions(true));
  absl::Status loaded = on_gpu->LoadState(bytes);
  ASSERT_TRUE(loaded.ok()) << loaded;
  EXPECT_TRUE(on_gpu->device().is_cuda());
  EXPECT_EQ(torch::rand({1}).item<float>(), drawn_after_save) << "CPU generator restored";
  EXPECT_EQ(on_gpu->AllParameters(), original->AllParameters());
  for (int i = 0; i < 3; ++i) {
    const SacBatch b = RandomBatch(32, 6, 4, 200 + i);
    EXPECT_DOUBLE_EQ(original->Update(b).critic, on_gpu->Update(b).critic) << "update " << i;
  }
  auto on_cpu = *SacAgent::Create(CudaOptions(false));
  ASSERT_TRUE(on_cpu->LoadState(bytes).ok());
  EXPECT_FALSE(on_cpu->device().is_cuda());
  on_cpu->Update(RandomBatch(32, 6, 4, 400));  // the Adam moments came to the CPU too
}

TEST(SacCudaTest, CpuCheckpointResumesOnGpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  auto cpu = *SacAgent::Create(CudaOptions(false));
  for (int i = 0; i < 3; ++i) cpu->Update(RandomBatch(32, 6, 4, 100 + i));
  auto gpu = *SacAgent::Create(CudaOptions(true));
  ASSERT_TRUE(gpu->LoadState(*cpu->SaveState()).ok());
  EXPECT_EQ(gpu->AllParameters(), cpu->AllParameters());
  EXPECT_TRUE(std::isfinite(gpu->Update(RandomBatch(32, 6, 4, 500)).critic));
}

}  // namespace
}  // namespace passrl::learner
