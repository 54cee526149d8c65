// The learner's update loop, old against new, in one run: samples consumed per second (updates x
// batch / time). Old: LibTorch's default intra-op threads (1 on this 2-core VM), each batch
// sampled between updates, glibc's allocator defaults. New: the learner's defaults
// (learner.torch_threads 0: its CPUs less two; learner.prefetch auto: a sampler thread with CUDA;
// learner.retain_heap_mb: freed heap kept for the next update). Each loop runs alone in a child
// process (this binary with --loop old|new: allocator settings are per process), reps
// interleaved, same replay (random transitions of the real observation size), same network;
// medians and their ratio as one JSON line. --prefetch on|off, --torch-threads N and
// --retain-heap-mb N override the new loop's; --bfloat16 1 gives it sac.hidden_bfloat16. On the
// CPU it also prints the old loop's matrix work per second (old_update_gflops, counted from the
// network's shape) beside its anchor, the same matrix products alone on the same threads
// (matmul_gflops_old_threads): how much a faster loop could still gain on these cores.
//   build/benchmarks/passrl_learner_loop_bench [--batch 256] [--updates 200] [--reps 3]
//       [--torch-threads N] [--prefetch auto|on|off] [--retain-heap-mb N] [--device cpu|cuda]
//       [--prioritized 0|1] [--bfloat16 0|1]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "actors/observation.h"
#include "common/heap_retention.h"
#include "common/host.h"
#include "common/pinning.h"
#include "common/subprocess.h"
#include "envs/action_space.h"
#include "learner/batch_sampler.h"
#include "learner/learner_options.h"
#include "learner/sac.h"
#include "nlohmann/json.hpp"
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

struct Flags {
  int batch = 256, updates = 200, reps = 3, threads = 0, prioritized = 0, retain_heap_mb = -1;
  int bfloat16 = 0;  // the new loop's sac.hidden_bfloat16
  std::string device = "cpu", prefetch = "auto", loop;  // loop: old|new in a child process
};

Flags Parse(int argc, char** argv) {
  Flags f;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--batch") f.batch = std::stoi(value);
    if (flag == "--updates") f.updates = std::stoi(value);
    if (flag == "--reps") f.reps = std::stoi(value);
    if (flag == "--torch-threads") f.threads = std::stoi(value);
    if (flag == "--device") f.device = value;
    if (flag == "--prioritized") f.prioritized = std::stoi(value);
    if (flag == "--prefetch") f.prefetch = value;
    if (flag == "--retain-heap-mb") f.retain_heap_mb = std::stoi(value);
    if (flag == "--loop") f.loop = value;
    if (flag == "--bfloat16") f.bfloat16 = std::stoi(value);
  }
  return f;
}

// The learner's own rules for the new loop, with the flags' overrides.
LearnerOptions NewLoopOptions(const Flags& f) {
  LearnerOptions learner;
  learner.torch_threads = f.threads;
  learner.prefetch = f.prefetch;
  if (f.retain_heap_mb >= 0) learner.retain_heap_mb = f.retain_heap_mb;
  return learner;
}

SacOptions Network(const Flags& f) {
  SacOptions o;
  o.shape = {actors::kObservationDim, envs::kNumActions, {256, 256}};
  o.use_cuda_if_available = f.device == "cuda";
  o.hidden_bfloat16 = f.loop == "new" && f.bfloat16 != 0;
  return o;
}

// One loop, alone in this (child) process so that its allocator settings are its own: prints
// {"samples_per_second": S, "matmul_gflops": M} (M: the anchor, on the old loop's threads).
int Child(const Flags& f) {
  const bool old = f.loop == "old";
  const LearnerOptions learner = NewLoopOptions(f);
  if (!old) {
    if (absl::Status kept = RetainFreedHeap(size_t(learner.retain_heap_mb) << 20); !kept.ok()) {
      std::fprintf(stderr, "%s\n", std::string(kept.message()).c_str());
      return 1;
    }
    torch::set_num_threads(learner.UpdateThreads(AllowedCpuCount()));
  }
  const SacOptions o = Network(f);
  auto agent = *SacAgent::Create(o);
  if (f.device == "cuda" && !agent->device().is_cuda()) {
    std::fprintf(stderr, "--device cuda: no CUDA device\n");
    return 1;
  }
  auto replay = FilledReplay(100000, f.prioritized != 0);
  const bool prefetch = !old && learner.Prefetch(agent->device().is_cuda());
  Consumed(*agent, *replay, f.batch, 10, false, f.prioritized);  // warm
  const double consumed = Consumed(*agent, *replay, f.batch, f.updates, prefetch, f.prioritized);
  double matmul = 0;  // about as many products as the updates just timed
  if (old && !agent->device().is_cuda()) {
    matmul = MatmulFlopsPerSecond(o.shape, f.batch, 14 * f.updates);
  }
  std::printf("{\"samples_per_second\": %.1f, \"matmul_gflops\": %.2f}\n", consumed, matmul / 1e9);
  return 0;
}

// Runs one loop in a child process (this binary with --loop); its samples/s and anchor.
std::pair<double, double> RunLoop(int argc, char** argv, const std::string& loop) {
  std::vector<std::string> args = {SelfExecutable()};
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  args.insert(args.end(), {"--loop", loop});
  SubprocessOptions options;
  options.inherit_stderr = true;
  auto run = RunSubprocess(args, options);
  if (!run.ok() || !run->ok()) {
    std::fprintf(stderr, "the %s loop failed: %s\n", loop.c_str(),
                 run.ok() ? run->Describe().c_str() : std::string(run.status().message()).c_str());
    std::exit(1);
  }
  const nlohmann::json j = nlohmann::json::parse(run->out);
  return {j.at("samples_per_second").get<double>(), j.at("matmul_gflops").get<double>()};
}

int Main(int argc, char** argv) {
  const Flags f = Parse(argc, argv);
  if (!f.loop.empty()) return Child(f);
  const LearnerOptions learner = NewLoopOptions(f);
  const int old_threads = torch::get_num_threads();  // LibTorch's default
  const int new_threads = learner.UpdateThreads(AllowedCpuCount());
  const bool cuda = f.device == "cuda";
  const bool new_prefetch = learner.Prefetch(cuda);
  std::vector<double> old_loop, new_loop, matmul;
  for (int r = 0; r < f.reps; ++r) {  // reps interleaved, each loop in a fresh process
    const auto [old_consumed, gflops] = RunLoop(argc, argv, "old");
    old_loop.push_back(old_consumed);
    if (gflops > 0) matmul.push_back(gflops);
    new_loop.push_back(RunLoop(argc, argv, "new").first);
  }
  std::printf(
      "{\"device\": \"%s\", \"batch\": %d, \"prioritized\": %d, \"old_threads\": %d, "
      "\"new_threads\": %d, \"new_prefetch\": %s, \"new_retain_heap_mb\": %d, "
      "\"new_hidden_bfloat16\": %s, "
      "\"old_samples_per_second\": %.0f, \"new_samples_per_second\": %.0f, \"ratio\": %.3f, "
      "\"new_updates_per_second\": %.1f, \"old_update_gflops\": %.1f, "
      "\"matmul_gflops_old_threads\": %.1f}\n",
      f.device.c_str(), f.batch, f.prioritized, old_threads, new_threads,
      new_prefetch ? "true" : "false", learner.retain_heap_mb, f.bfloat16 ? "true" : "false",
      Median(old_loop), Median(new_loop),
      Median(new_loop) / Median(old_loop), Median(new_loop) / f.batch,
      UpdateFlops(Network(f).shape, f.batch) * Median(old_loop) / f.batch / 1e9,
      matmul.empty() ? 0.0 : Median(matmul));
  return 0;
}

}  // namespace
}  // namespace passrl::learner

int main(int argc, char** argv) { return passrl::learner::Main(argc, argv); }
