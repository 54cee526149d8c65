// SAC update speed against the same update written in Python (benchmarks/sac_update.py, Debian's
// python3-torch: the same LibTorch 1.13), one thread each, same initial weights and batches. The
// Python side first replays the first updates and reports how far its losses are from ours (must
// be <= 1e-5, relative), then both time the same number of updates. Reps interleaved; medians.
//   build/benchmarks/passrl_sac_bench [--updates N] [--reps R] [--batch B]
// With --device cuda it instead times the same updates on the GPU against the CPU (its anchor),
// reps interleaved, and prints one JSON line (benchmarks/gpu_check.sh).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "actors/observation.h"
#include "common/subprocess.h"
#include "envs/action_space.h"
#include "learner/sac.h"
#include "nlohmann/json.hpp"

#ifndef PASSRL_SOURCE_DIR
#define PASSRL_SOURCE_DIR "."
#endif

namespace passrl::learner {
namespace {

template <typename T>
void WriteRaw(const std::string& path, const std::vector<T>& v) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(v.data()),
             static_cast<std::streamsize>(v.size() * sizeof(T)));
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Seconds per update of `agent` over `batches` (synchronised: the losses are read back each time).
double TimeUpdates(SacAgent& agent, const std::vector<SacBatch>& batches, int updates) {
  const auto start = std::chrono::steady_clock::now();
  for (int k = 0; k < updates; ++k) agent.Update(batches[k % batches.size()]);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / updates;
}

int CudaMain(int updates, int reps, int batch_size) {
  if (!torch::cuda::is_available()) {
    std::fprintf(stderr, "--device cuda: torch::cuda::is_available() is false on this machine\n");
    return 1;
  }
  SacOptions o;
  o.shape = {actors::kObservationDim, envs::kNumActions, {256, 256}};
  o.use_cuda_if_available = false;
  auto cpu = *SacAgent::Create(o);
  o.use_cuda_if_available = true;
  auto gpu = *SacAgent::Create(o);
  std::vector<SacBatch> batches;
  for (int k = 0; k < 8; ++k) {
    SacBatch b;
    b.observations = torch::rand({batch_size, o.shape.obs_dim}) * 6;
    b.next_observations = torch::rand({batch_size, o.shape.obs_dim}) * 6;
    b.actions = torch::randint(o.shape.num_actions, {batch_size}, torch::kInt64);
    b.rewards = torch::rand({batch_size}) * 0.15 - 0.05;
    b.terminals = torch::zeros({batch_size});
    b.weights = torch::ones({batch_size});
    batches.push_back(b);
  }
  TimeUpdates(*gpu, batches, 20);  // CUDA context and kernels warm
  std::vector<double> c, g;
  for (int r = 0; r < reps; ++r) {
    c.push_back(TimeUpdates(*cpu, batches, updates));
    g.push_back(TimeUpdates(*gpu, batches, updates));
  }
  std::printf(
      "{\"batch\": %d, \"cpu_threads\": %d, \"cpu_updates_per_second\": %.1f, "
      "\"cuda_updates_per_second\": %.1f, \"cuda_speedup\": %.2f, \"device\": \"%s\"}\n",
      batch_size, torch::get_num_threads(), 1 / Median(c), 1 / Median(g), Median(c) / Median(g),
      gpu->device().str().c_str());
  return 0;
}

int Main(int argc, char** argv) {
  int updates = 200, reps = 3, batch_size = 256;
  std::string device = "cpu";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--updates")) updates = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--reps")) reps = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--batch")) batch_size = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--device")) device = argv[i + 1];
  }
  if (device == "cuda") return CudaMain(updates, reps, batch_size);
  torch::set_num_threads(1);
  SacOptions o;
  o.shape = {actors::kObservationDim, envs::kNumActions, {256, 256}};
  o.use_cuda_if_available = false;
  auto agent = *SacAgent::Create(o);
  const std::string dir = std::filesystem::temp_directory_path() / "passrl-sac-bench";
  std::filesystem::create_directories(dir);
  WriteRaw(dir + "/params.f32", agent->AllParameters());

  constexpr int kBatches = 8, kChecked = 20;
  const int d = o.shape.obs_dim, b = batch_size;
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> feature(0.f, 6.f), reward(-0.05f, 0.1f);
  std::uniform_int_distribution<int> action(0, o.shape.num_actions - 1);
  std::vector<float> raw;
  std::vector<SacBatch> batches;
  for (int k = 0; k < kBatches; ++k) {
    std::vector<float> obs(b * d), next(b * d), act(b), rew(b), term(b, 0.f), w(b, 1.f);
    for (float& x : obs) x = feature(rng);
    for (float& x : next) x = feature(rng);
    for (float& x : act) x = static_cast<float>(action(rng));
    for (float& x : rew) x = reward(rng);
    for (const auto* part : {&obs, &next, &act, &rew, &term, &w})
      raw.insert(raw.end(), part->begin(), part->end());
    SacBatch sb;
    sb.observations = torch::tensor(obs).reshape({b, d});
    sb.next_observations = torch::tensor(next).reshape({b, d});
    sb.actions = torch::tensor(act).to(torch::kInt64);
    sb.rewards = torch::tensor(rew);
    sb.terminals = torch::tensor(term);
    sb.weights = torch::tensor(w);
    batches.push_back(sb);
  }
  WriteRaw(dir + "/batches.f32", raw);
  std::vector<double> losses;
  for (int k = 0; k < kChecked; ++k) {
    SacLosses l = agent->Update(batches[k % kBatches]);
    losses.insert(losses.end(), {l.critic, l.policy, l.alpha_loss});
  }
  WriteRaw(dir + "/losses.f32", losses);
  nlohmann::json meta = {{"obs_dim", d},
                         {"num_actions", o.shape.num_actions},
                         {"hidden", o.shape.hidden},
                         {"batch_size", b},
                         {"batches", kBatches},
                         {"learning_rate", o.learning_rate},
                         {"alpha_learning_rate", o.alpha_learning_rate},
                         {"gamma", o.gamma},
                         {"tau", o.tau},
                         {"grad_clip", o.grad_clip},
                         {"reward_scale", o.reward_scale},
                         {"target_entropy", o.target_entropy_ratio * std::log(o.shape.num_actions)},
                         {"timed_updates", updates}};
  std::ofstream(dir + "/meta.json") << meta.dump();

  std::vector<double> ours, theirs;
  double max_diff = 0;
  for (int r = 0; r < reps; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (int k = 0; k < updates; ++k) agent->Update(batches[k % kBatches]);
    ours.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
                   updates);
    auto py =
        RunSubprocess({"/usr/bin/python3", PASSRL_SOURCE_DIR "/benchmarks/sac_update.py", dir});
    if (!py.ok() || !py->ok()) {
      std::fprintf(stderr, "sac_update.py failed (install python3-torch): %s\n",
                   py.ok() ? py->err.c_str() : std::string(py.status().message()).c_str());
      return 1;
    }
    nlohmann::json result = nlohmann::json::parse(py->out);
    theirs.push_back(result["seconds_per_update"].get<double>());
    max_diff = std::max(max_diff, result["max_loss_diff"].get<double>());
  }
  std::sort(ours.begin(), ours.end());
  std::sort(theirs.begin(), theirs.end());
  const double c = ours[ours.size() / 2], p = theirs[theirs.size() / 2];
  std::printf(
      "| network | batch | C++ (LibTorch) | Python (python3-torch) | speedup | max loss "
      "difference (first %d updates) |\n|---|---|---|---|---|---|\n",
      kChecked);
  std::printf(
      "| %d-256-256-%d MLPs (policy + 2 Q + 2 targets) | %d | %.2f ms/update | %.2f ms/update "
      "| %.2fx | %.1e |\n",
      d, o.shape.num_actions, b, c * 1e3, p * 1e3, p / c, max_diff);
  return max_diff <= 1e-5 ? 0 : 2;
}

}  // namespace
}  // namespace passrl::learner

int main(int argc, char** argv) { return passrl::learner::Main(argc, argv); }
