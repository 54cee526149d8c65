// Runtime-reward noise and cost, measured side by side in one run:
//   1. CV of repeated timings of the same -O3 binary, pinned (benchmark on one core, a busy
//      neighbour thread pinned to another) vs unpinned (both free to migrate), interleaved run
//      by run so machine noise hits both alike;
//   2. the cost of one runtime-reward step split into codegen / link / runs, and how many timed
//      runs the adaptive rule (95% CI of the median within 1%, 5..30 runs) needed.
// --contended adds a busy thread on the benchmark's own core (pinned runs) or one more free one
// (unpinned): the program shares its core, as with two actors and a learner on two cores, and
// wall time then carries its waits for the core while its CPU time does not.
// Prints Markdown for BENCHMARKS.md.
//
//   build/benchmarks/passrl_runtime_bench [--runs N] [--contended] [benchmark ...]
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>

#include "benchmarks/busy_neighbour.h"
#include "common/pinning.h"
#include "common/subprocess.h"
#include "envs/action_space.h"
#include "envs/dataset.h"
#include "envs/llvm_env.h"
#include "envs/measurement.h"

namespace passrl::envs {
namespace {

int Main(int argc, char** argv) {
  int runs = 30;
  bool contended = false;
  std::vector<std::string> names;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) {
      runs = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--contended")) {
      contended = true;
    } else {
      names.push_back(argv[i]);
    }
  }
  if (names.empty()) {
    names = {"bundled/crc32_table",   "bundled/nqueens",    "bundled/matmul_int",
             "bundled/sorting_suite", "bundled/fft_radix2", "bundled/bytecode_vm"};
  }
  auto cores = AllowedPhysicalCores();
  if (!cores.ok() || cores->size() < 2) {
    std::fprintf(stderr, "needs two allowed physical cores\n");
    return 1;
  }
  const int bench_cpu = cores->back(), neighbour_cpu = cores->front();
  DatasetOptions dataset = DatasetOptions::Defaults();
  EnvOptions options;
  options.reward = RewardSpace::kRuntimeNorm;
  options.observation = ObservationSpace::kActionHistogram;
  options.cache_dir = dataset.build.cache_dir;
  options.runtime.cpu = bench_cpu;
  options.runtime.paired_reward = false;  // today's method: each state's median measured alone
  options.runtime.clock = RunClock::kWall;
  auto env = *LlvmEnv::Create(options);

  std::printf("### Noise: CV of %d runs of the -O3 binary, busy neighbour core%s\n\n", runs,
              contended ? ", and the benchmark's core shared with another busy thread" : "");
  std::printf(
      "| benchmark | median | wall CV pinned | wall CV unpinned | unpinned / pinned | "
      "CPU-time CV pinned | CPU-time CV unpinned |\n|---|---|---|---|---|---|---|\n");
  double sum_pinned = 0, sum_unpinned = 0, sum_cpu_pinned = 0, sum_cpu_unpinned = 0;
  struct StepCost {
    double codegen = 0, link = 0, run = 0;
    int n = 0;
    std::vector<int> runs;
  } cost;
  for (const std::string& name : names) {
    auto b = LoadBenchmark(name, dataset);
    if (!b.ok() || !env->Reset(*b).ok()) {
      std::fprintf(stderr, "%s: cannot load\n", name.c_str());
      return 1;
    }
    // Step cost: a short -O3-like sequence, each step built, run and validated.
    const std::vector<int> sequence =
        *ParseActionList("sroa,inline,instcombine,simplifycfg,gvn,licm");
    for (int a : sequence) {
      auto step = env->Step(a);
      if (!step.ok() || step->info.runtime == nullptr) {
        std::fprintf(stderr, "%s: step failed: %s\n", name.c_str(),
                     step.ok() ? "no runtime" : std::string(step.status().message()).c_str());
        return 1;
      }
      const RuntimeResult& r = *step->info.runtime;
      if (r.cached || r.verdict != Verdict::kOk) continue;
      cost.codegen += r.codegen_seconds;
      cost.link += r.link_seconds;
      cost.run += r.run_seconds;
      cost.runs.push_back(r.time.n);
      ++cost.n;
    }
    // Noise: the last step's binary, run directly, pinned and unpinned interleaved.
    SubprocessOptions pinned;
    pinned.cpu = bench_cpu;
    pinned.clear_environment = true;
    pinned.disable_aslr = true;
    SubprocessOptions unpinned = pinned;
    unpinned.cpu = -1;
    std::vector<double> tp, tu, cp, cu;
    const std::string binary = env->MeasureRuntime()->executable;
    for (int i = 0; i < runs + 1; ++i) {
      {
        BusyNeighbour busy(neighbour_cpu);
        std::optional<BusyNeighbour> sharer;
        if (contended) sharer.emplace(bench_cpu);
        ScopedThreadBinding timer_on_the_benchmark_core(bench_cpu);
        auto r = RunSubprocess({binary}, pinned);
        if (!r.ok() || !r->ok()) {
          std::fprintf(stderr, "%s: run failed\n", binary.c_str());
          return 1;
        }
        if (i > 0) tp.push_back(r->wall_seconds);
        if (i > 0) cp.push_back(r->cpu_seconds);
      }
      {
        BusyNeighbour busy(-1);
        std::optional<BusyNeighbour> sharer;
        if (contended) sharer.emplace(-1);
        auto r = RunSubprocess({binary}, unpinned);
        if (!r.ok() || !r->ok()) return 1;
        if (i > 0) tu.push_back(r->wall_seconds);
        if (i > 0) cu.push_back(r->cpu_seconds);
      }
    }
    const SampleStats sp = ComputeStats(tp), su = ComputeStats(tu);
    const SampleStats scp = ComputeStats(cp), scu = ComputeStats(cu);
    sum_pinned += sp.cv;
    sum_unpinned += su.cv;
    sum_cpu_pinned += scp.cv;
    sum_cpu_unpinned += scu.cv;
    std::printf("| %s | %.4f s | %.2f%% | %.2f%% | %.1fx | %.2f%% | %.2f%% |\n", name.c_str(),
                sp.median, sp.cv * 100, su.cv * 100, su.cv / sp.cv, scp.cv * 100, scu.cv * 100);
    std::fflush(stdout);
  }
  const double n = static_cast<double>(names.size());
  std::printf("| **mean** | | **%.2f%%** | **%.2f%%** | **%.1fx** | %.2f%% | %.2f%% |\n\n",
              sum_pinned / n * 100, sum_unpinned / n * 100, sum_unpinned / sum_pinned,
              sum_cpu_pinned / n * 100, sum_cpu_unpinned / n * 100);
  std::sort(cost.runs.begin(), cost.runs.end());
  const double steps = std::max(cost.n, 1);
  const double total = (cost.codegen + cost.link + cost.run) / steps;
  std::printf("### One runtime-reward step (mean of %d uncached steps)\n\n", cost.n);
  std::printf(
      "| codegen | link | runs | total | timed runs: min / median / max |\n"
      "|---|---|---|---|---|\n");
  std::printf(
      "| %.1f ms (%.0f%%) | %.1f ms (%.0f%%) | %.0f ms (%.0f%%) | %.0f ms | %d / %d / %d |\n",
      cost.codegen / steps * 1e3, cost.codegen / steps / total * 100, cost.link / steps * 1e3,
      cost.link / steps / total * 100, cost.run / steps * 1e3, cost.run / steps / total * 100,
      total * 1e3, cost.runs.front(), cost.runs[cost.runs.size() / 2], cost.runs.back());
  return 0;
}

}  // namespace
}  // namespace passrl::envs

int main(int argc, char** argv) { return passrl::envs::Main(argc, argv); }
