// The learner's update loop, old against new, in one run: samples consumed per second (updates x
// batch / time). Old: LibTorch's default intra-op threads (1 on this 2-core VM) and each batch
// sampled between updates. New: the learner's defaults (learner.torch_threads 0: its CPUs less
// two; learner.prefetch auto: a sampler thread with CUDA). Same replay (random
// transitions of the real observation size), same network, reps interleaved; medians and their
// ratio as one JSON line. --prefetch on|off and --torch-threads N override the new loop's. On the
// CPU it also prints the old loop's matrix work per second (old_update_gflops, counted from the
// network's shape) beside its anchor, the same matrix products alone on the same threads
// (matmul_gflops_old_threads): how much a faster loop could still gain on these cores.
//   build/benchmarks/passrl_learner_loop_bench [--batch 256] [--updates 200] [--reps 3]
//       [--torch-threads N] [--prefetch auto|on|off] [--device cpu|cuda] [--prioritized 0|1]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <utility>
#include <vector>

#include "actors/observation.h"
#include "common/pinning.h"
#include "envs/action_space.h"
#include "learner/batch_sampler.h"
#include "learner/learner_options.h"
#include "learner/sac.h"
#include "replay/replay_buffer.h"

namespace passrl::learner {
namespace {

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::unique_ptr<replay::ReplayBuffer> FilledReplay(int64_t n, bool prioritized) {
  replay::ReplayOptions o;
  o.capacity = n;
  o.obs_dim = actors::kObservationDim;
  o.prioritized = prioritized;
  auto replay = *replay::ReplayBuffer::Create(o);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> feature(0.f, 6.f), reward(-0.05f, 0.1f);
  std::uniform_int_distribution<int> action(0, envs::kNumActions - 1);
  std::vector<float> obs(static_cast<size_t>(o.obs_dim)), next(obs.size());
  replay::Transition t;
  for (int64_t i = 0; i < n; ++i) {
    for (float& x : obs) x = feature(rng);
    for (float& x : next) x = feature(rng);
    t.observation = obs;
    t.next_observation = next;
    t.action = action(rng);
    t.reward = reward(rng);
    t.episode_id = static_cast<uint64_t>(i / 24);
    t.step = static_cast<int32_t>(i % 24);
    replay->Insert(t);
  }
  return replay;
}

// Samples consumed per second over `updates` updates, the learner's loop body.
double Consumed(SacAgent& agent, replay::ReplayBuffer& replay, int batch, int updates,
                bool prefetch, bool prioritized) {
  BatchSampler sampler(&replay, batch, agent.device(), prefetch);
  ReadyBatch b;
  const auto start = std::chrono::steady_clock::now();
  for (int k = 0; k < updates;) {
    if (!sampler.Next(&b)) continue;
    SacLosses l = agent.Update(b.tensors);
    if (prioritized) replay.UpdatePriorities(b.sequences, l.td_errors);
    ++k;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return static_cast<double>(updates) * batch / s;
}

// Each linear layer's (inputs, outputs), first to last.
std::vector<std::pair<int, int>> Layers(const model::NetworkShape& shape) {
  std::vector<std::pair<int, int>> layers;
  int in = shape.obs_dim;
  for (int out : shape.hidden) layers.emplace_back(std::exchange(in, out), out);
  layers.emplace_back(in, shape.num_actions);
  return layers;
}

// Floating-point operations of one forward pass's matrix products.
double ForwardFlops(const model::NetworkShape& shape, int batch) {
  double flops = 0;
  for (const auto& [in, out] : Layers(shape)) flops += 2.0 * in * out * batch;
  return flops;
}

// The update's matrix work: 8 forward passes (the policy and the two target critics on the next
// observations; the two critics, the policy and the two critics again on the observations) and 3
// backward passes (weights' gradients: one forward's work; inputs' gradients: one forward's work
// less the first layer, whose input needs none).
double UpdateFlops(const model::NetworkShape& shape, int batch) {
  const double forward = ForwardFlops(shape, batch);
  const double first = 2.0 * shape.obs_dim * Layers(shape).front().second * batch;
  return 8 * forward + 3 * (2 * forward - first);
}

// The anchor: floating-point operations per second of the same network's matrix products alone
// (forward passes of the chain, bias and ReLU left out), on the current thread count.
double MatmulFlopsPerSecond(const model::NetworkShape& shape, int batch, int reps) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> weights;
  for (const auto& [in, out] : Layers(shape)) weights.push_back(torch::randn({in, out}));
  const torch::Tensor x = torch::randn({batch, shape.obs_dim});
  const auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < reps; ++r) {
    torch::Tensor h = x;
    for (const torch::Tensor& w : weights) h = torch::mm(h, w);
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return ForwardFlops(shape, batch) * reps / s;
}

int Main(int argc, char** argv) {
  int batch = 256, updates = 200, reps = 3, threads = 0, prioritized = 0;
  std::string device = "cpu", prefetch = "auto";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--batch")) batch = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--updates")) updates = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--reps")) reps = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--torch-threads")) threads = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--device")) device = argv[i + 1];
    if (!std::strcmp(argv[i], "--prioritized")) prioritized = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--prefetch")) prefetch = argv[i + 1];
  }
  const int old_threads = torch::get_num_threads();  // LibTorch's default
  const int cpus = AllowedCpuCount();
  LearnerOptions learner;  // the learner's own rule for threads and prefetching
  learner.torch_threads = threads;
  learner.prefetch = prefetch;
  const int new_threads = learner.UpdateThreads(cpus);
  SacOptions o;
  o.shape = {actors::kObservationDim, envs::kNumActions, {256, 256}};
  o.use_cuda_if_available = device == "cuda";
  auto agent = *SacAgent::Create(o);
  if (device == "cuda" && !agent->device().is_cuda()) {
    std::fprintf(stderr, "--device cuda: no CUDA device\n");
    return 1;
  }
  auto replay = FilledReplay(100000, prioritized != 0);
  const bool new_prefetch = learner.Prefetch(agent->device().is_cuda());
  Consumed(*agent, *replay, batch, 10, false, prioritized);  // warm
  std::vector<double> old_loop, new_loop, matmul;
  for (int r = 0; r < reps; ++r) {
    torch::set_num_threads(old_threads);
    old_loop.push_back(Consumed(*agent, *replay, batch, updates, false, prioritized));
    if (!agent->device().is_cuda()) {  // about as many products as the updates just timed
      matmul.push_back(MatmulFlopsPerSecond(o.shape, batch, 14 * updates));
    }
    torch::set_num_threads(new_threads);
    new_loop.push_back(Consumed(*agent, *replay, batch, updates, new_prefetch, prioritized));
  }
  std::printf(
      "{\"device\": \"%s\", \"batch\": %d, \"prioritized\": %d, \"old_threads\": %d, "
      "\"new_threads\": %d, \"new_prefetch\": %s, \"old_samples_per_second\": %.0f, "
      "\"new_samples_per_second\": %.0f, \"ratio\": %.3f, \"new_updates_per_second\": %.1f, "
      "\"old_update_gflops\": %.1f, \"matmul_gflops_old_threads\": %.1f}\n",
      agent->device().str().c_str(), batch, prioritized, old_threads, new_threads,
      new_prefetch ? "true" : "false", Median(old_loop), Median(new_loop),
      Median(new_loop) / Median(old_loop), Median(new_loop) / batch,
      UpdateFlops(o.shape, batch) * Median(old_loop) / batch / 1e9,
      matmul.empty() ? 0.0 : Median(matmul) / 1e9);
  return 0;
}

}  // namespace
}  // namespace passrl::learner

int main(int argc, char** argv) { return passrl::learner::Main(argc, argv); }
