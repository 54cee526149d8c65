// The runtime reward, paired vs unpaired, measured side by side in one run with a busy thread
// pinned to the neighbour core (issue: runtime rewards users can trust):
//   1. noise: the same step's reward recomputed --reps times, each with a fresh evaluator (no
//      cache): standard deviation of log(t_before / t_after) for the paired method (A/B runs
//      interleaved, envs/paired_timing.h, timed by --clock) and the one before it (each state's
//      wall-time median measured alone; the CPU-time medians of the same runs beside it), and
//      how often the sign agrees with the truth (a long paired measurement, 40 pairs) where the
//      change is 2% or more;
//   2. cost: wall time of one LlvmEnv::Step with the RuntimeNorm reward, paired and unpaired, on
//      the same seeded random episodes of bundled programs.
// --contended adds a second busy thread on the benchmark core itself: the program then shares its
// core as it does during training, where actors and the learner outnumber the cores.
// Prints Markdown for BENCHMARKS.md.
//
//   build/benchmarks/passrl_runtime_reward_bench [--reps 20] [--episodes-length 12]
//       [--clock cpu|wall] [--contended] [--noise PROGRAM ...] [--cost PROGRAM ...]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "benchmarks/busy_neighbour.h"
#include "envs/action_space.h"
#include "envs/dataset.h"
#include "envs/llvm_env.h"
#include "envs/llvm_util.h"
#include "envs/measurement.h"
#include "envs/runtime.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

namespace passrl::envs {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// One step to recompute: the modules before and after it.
struct StepCase {
  std::string label;
  std::string before, after;  // bitcode
};

struct Flags {
  int reps = 20, episode_length = 12;
  RunClock clock = RunClock::kCpu;  // the paired method's; the unpaired one is timed by wall
  bool contended = false;           // a busy thread on the benchmark core too
  std::vector<std::string> noise = {"bundled/crc32_table", "bundled/nqueens",
                                    "bundled/matmul_int",  "bundled/sorting_suite",
                                    "bundled/fft_radix2",  "bundled/bytecode_vm"};
  std::vector<std::string> cost;
};

RuntimeOptions Options(int cpu, RunClock clock) {
  RuntimeOptions o;
  o.cpu = cpu;
  o.clock = clock;
  o.count_cycles = false;
  return o;
}

// Part 1 for one step: returns false on a failure.
bool MeasureNoise(const StepCase& step, const Reference& reference, const Flags& flags, int cpu,
                  int neighbour, std::vector<double> sd_ratio[2], int agree[2], int* judged) {
  llvm::LLVMContext context;
  auto before = ParseBitcode(step.before, context, "before");
  auto after = ParseBitcode(step.after, context, "after");
  if (!before.ok() || !after.ok()) return false;
  auto tm = CreateTargetMachine(**after);
  if (!tm.ok()) return false;
  BusyNeighbour busy(neighbour);
  std::optional<BusyNeighbour> sharer;
  if (flags.contended) sharer.emplace(cpu);
  // The truth: one long paired measurement.
  RuntimeOptions long_options = Options(cpu, flags.clock);
  long_options.paired.min_pairs = long_options.paired.max_pairs = 40;
  auto truth_evaluator = *RuntimeEvaluator::Create(long_options);
  auto a = truth_evaluator->Prepare(**after, **tm);
  auto b = truth_evaluator->Prepare(**before, **tm);
  if (!a.ok() || !b.ok()) return false;
  if (a->object_hash == b->object_hash) {
    std::printf("| %s | same object code: reward exactly 0, nothing run | | | | | | | | |\n",
                step.label.c_str());
    return true;
  }
  auto truth = truth_evaluator->Compare(*a, *b, &reference);
  if (!truth.ok() || truth->verdict != Verdict::kOk) return false;
  std::vector<double> paired, unpaired, unpaired_cpu, paired_seconds, unpaired_seconds;
  for (int rep = 0; rep < flags.reps; ++rep) {
    {
      auto e = *RuntimeEvaluator::Create(Options(cpu, flags.clock));
      const auto start = Clock::now();
      auto pa = e->Prepare(**after, **tm);
      auto pb = e->Prepare(**before, **tm);
      if (!pa.ok() || !pb.ok()) return false;
      auto r = e->Compare(*pa, *pb, &reference);
      if (!r.ok() || r->verdict != Verdict::kOk) return false;
      paired.push_back(r->time.log_ratio);
      paired_seconds.push_back(Since(start));
    }
    {
      auto e = *RuntimeEvaluator::Create(Options(cpu, RunClock::kWall));
      const auto start = Clock::now();
      auto rb = e->Evaluate(**before, **tm, &reference);
      auto ra = e->Evaluate(**after, **tm, &reference);
      if (!ra.ok() || !rb.ok() || ra->verdict != Verdict::kOk) return false;
      unpaired.push_back(std::log(rb->time.median / ra->time.median));
      unpaired_cpu.push_back(std::log(rb->cpu_median / ra->cpu_median));
      unpaired_seconds.push_back(Since(start));
    }
  }
  const double t = truth->time.log_ratio;
  const double sp = ComputeStats(paired).stddev, su = ComputeStats(unpaired).stddev;
  const double suc = ComputeStats(unpaired_cpu).stddev;
  sd_ratio[0].push_back(su / sp);
  sd_ratio[1].push_back(suc / sp);
  int sign_p = 0, sign_u = 0;
  for (int i = 0; i < flags.reps; ++i) {
    sign_p += (paired[i] > 0) == (t > 0);
    sign_u += (unpaired[i] > 0) == (t > 0);
  }
  const bool big = std::fabs(t) >= std::log(1.02);
  if (big) {
    agree[0] += sign_p;
    agree[1] += sign_u;
    *judged += flags.reps;
  }
  std::printf("| %s | %+.2f%% | %.2f%% | %.2f%% | %.2f%% | %.1fx | %.1fx | %s | %.2f s | %.2f s |\n",
              step.label.c_str(), (std::exp(t) - 1) * 100, su * 100, suc * 100, sp * 100,
              su / sp, suc / sp,
              big ? absl::StrFormat("%d / %d vs %d / %d", sign_p, flags.reps, sign_u, flags.reps)
                        .c_str()
                  : "(< 2%)",
              ComputeStats(paired_seconds).median, ComputeStats(unpaired_seconds).median);
  std::fflush(stdout);
  return true;
}

int Noise(const Flags& flags, const DatasetOptions& dataset, int cpu, int neighbour) {
  std::printf(
      "### The same step's reward recomputed %d times (fresh cache each time; paired: %s clock, "
      "unpaired: wall%s)\n\n",
      flags.reps, RunClockName(flags.clock),
      flags.contended ? "; the benchmark core shared with a busy thread" : "");
  std::printf(
      "| step | change (truth: 40 pairs) | SD unpaired | SD unpaired, CPU medians | SD paired | "
      "unpaired / paired | unpaired CPU / paired | sign agrees: paired vs unpaired | time paired "
      "| time unpaired |\n"
      "|---|---|---|---|---|---|---|---|---|---|\n");
  EnvOptions options;
  options.reward = RewardSpace::kIrInstructionCount;
  options.observation = ObservationSpace::kActionHistogram;
  options.cache_dir = dataset.build.cache_dir;
  options.runtime = Options(cpu, flags.clock);
  auto env = *LlvmEnv::Create(options);
  const std::vector<int> sequence = *ParseActionList("sroa,inline,instcombine,simplifycfg,gvn,licm");
  std::vector<double> ratios[2];
  int agree[2] = {0, 0}, judged = 0;
  for (const std::string& name : flags.noise) {
    auto b = LoadBenchmark(name, dataset);
    if (!b.ok() || !env->Reset(*b).ok() || !env->MeasureRuntime().ok()) {
      std::fprintf(stderr, "%s: cannot load or measure\n", name.c_str());
      return 1;
    }
    const Reference reference = env->runtime_baselines().reference;
    for (size_t i = 0; i < sequence.size(); ++i) {
      StepCase step;
      step.before = env->Bitcode();
      if (!env->Step(sequence[i]).ok()) return 1;
      step.after = env->Bitcode();
      if (i != 0 && i != 2 && i != 4) continue;  // sroa, instcombine, gvn
      step.label = absl::StrCat(name, " ", Actions()[sequence[i]].name);
      if (!MeasureNoise(step, reference, flags, cpu, neighbour, ratios, agree, &judged)) {
        std::fprintf(stderr, "%s: measurement failed\n", step.label.c_str());
        return 1;
      }
    }
  }
  auto geomean = [](const std::vector<double>& v) {
    double log_sum = 0;
    for (double r : v) log_sum += std::log(r);
    return std::exp(log_sum / static_cast<double>(v.size()));
  };
  std::printf(
      "\nSD unpaired / paired: geomean **%.1fx** over %zu steps (min %.1fx); against the "
      "unpaired CPU medians %.1fx (min %.1fx); sign agreement for changes of 2%% or more: paired "
      "**%.1f%%**, unpaired %.1f%% (%d recomputations)\n\n",
      geomean(ratios[0]), ratios[0].size(),
      *std::min_element(ratios[0].begin(), ratios[0].end()), geomean(ratios[1]),
      *std::min_element(ratios[1].begin(), ratios[1].end()), 100.0 * agree[0] / std::max(judged, 1),
      100.0 * agree[1] / std::max(judged, 1), judged);
  return 0;
}

struct Percentiles {
  double median, mean, p90;
};
Percentiles Summarize(std::vector<double> v) {
  const SampleStats s = ComputeStats(v);
  std::sort(v.begin(), v.end());
  return {s.median, s.mean, v[v.size() * 9 / 10]};
}

int Cost(const Flags& flags, const DatasetOptions& dataset, int cpu, int neighbour) {
  std::printf("### One RuntimeNorm step: seeded random episodes of %d steps\n\n",
              flags.episode_length);
  BusyNeighbour busy(neighbour);
  std::optional<BusyNeighbour> sharer;
  if (flags.contended) sharer.emplace(cpu);
  std::vector<double> seconds[2];
  std::vector<bool> changed;  // per paired step: the object code changed (both methods share steps)
  int identical = 0, steps = 0, significant = 0;
  for (int paired = 1; paired >= 0; --paired) {
    EnvOptions options;
    options.reward = RewardSpace::kRuntimeNorm;
    options.observation = ObservationSpace::kActionHistogram;
    options.cache_dir = dataset.build.cache_dir;
    options.runtime = Options(cpu, paired ? flags.clock : RunClock::kWall);
    options.runtime.paired_reward = paired;
    auto env = *LlvmEnv::Create(options);
    for (size_t p = 0; p < flags.cost.size(); ++p) {
      auto b = LoadBenchmark(flags.cost[p], dataset);
      if (!b.ok() || !env->Reset(*b).ok()) {
        std::fprintf(stderr, "%s: cannot load\n", flags.cost[p].c_str());
        return 1;
      }
      std::mt19937 rng(static_cast<unsigned>(p) + 1);  // the same actions for both methods
      std::uniform_int_distribution<int> pick(0, kNumActions - 1);
      for (int s = 0; s < flags.episode_length; ++s) {
        int action = pick(rng);
        while (Actions()[action].kind == ActionKind::kStop) action = pick(rng);
        const auto start = Clock::now();
        auto step = env->Step(action);
        if (!step.ok()) {
          std::fprintf(stderr, "%s: %s\n", flags.cost[p].c_str(),
                       std::string(step.status().message()).c_str());
          return 1;
        }
        seconds[paired].push_back(Since(start));
        if (paired) {
          ++steps;
          changed.push_back(step->info.paired != nullptr && !step->info.paired->identical);
          identical += step->info.paired != nullptr && step->info.paired->identical;
          significant += step->info.paired != nullptr && step->info.paired->time.significant();
        }
        if (step->done) break;
      }
      std::fprintf(stderr, "  %s %s done\n", paired ? "paired" : "unpaired",
                   flags.cost[p].c_str());
    }
  }
  const Percentiles p = Summarize(seconds[1]), u = Summarize(seconds[0]);
  std::vector<double> changed_seconds[2];
  for (size_t i = 0; i < changed.size() && i < seconds[0].size(); ++i) {
    if (!changed[i]) continue;
    for (int m = 0; m < 2; ++m) changed_seconds[m].push_back(seconds[m][i]);
  }
  std::printf("| method | steps | median | mean | p90 |\n|---|---|---|---|---|\n");
  std::printf("| paired (%s clock) | %zu | **%.3f s** | %.3f s | %.3f s |\n", RunClockName(flags.clock),
              seconds[1].size(), p.median,
              p.mean, p.p90);
  std::printf("| unpaired (before; wall clock) | %zu | %.3f s | %.3f s | %.3f s |\n", seconds[0].size(),
              u.median, u.mean, u.p90);
  if (!changed_seconds[0].empty()) {
    const Percentiles pc = Summarize(changed_seconds[1]), uc = Summarize(changed_seconds[0]);
    std::printf("| paired, steps that changed the code | %zu | **%.3f s** | %.3f s | %.3f s |\n",
                changed_seconds[1].size(), pc.median, pc.mean, pc.p90);
    std::printf("| unpaired, the same steps | %zu | %.3f s | %.3f s | %.3f s |\n",
                changed_seconds[0].size(), uc.median, uc.mean, uc.p90);
  }
  std::printf(
      "\nPaired steps: %d of %d left the object code unchanged (reward 0, nothing run), %d were "
      "significant changes. Median step: paired / unpaired = %.2f.\n",
      identical, steps, significant, p.median / u.median);
  return 0;
}

int Main(int argc, char** argv) {
  Flags flags;
  std::vector<std::string>* list = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) {
      flags.reps = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--episode-length") && i + 1 < argc) {
      flags.episode_length = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--clock") && i + 1 < argc) {
      absl::StatusOr<RunClock> clock = ParseRunClock(argv[++i]);
      if (!clock.ok()) {
        std::fprintf(stderr, "%s\n", std::string(clock.status().message()).c_str());
        return 2;
      }
      flags.clock = *clock;
    } else if (!std::strcmp(argv[i], "--contended")) {
      flags.contended = true;
    } else if (!std::strcmp(argv[i], "--noise")) {
      list = &flags.noise;
      list->clear();
    } else if (!std::strcmp(argv[i], "--cost")) {
      list = &flags.cost;
      list->clear();
    } else if (list != nullptr) {
      list->push_back(argv[i]);
    } else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  DatasetOptions dataset = DatasetOptions::Defaults();
  if (flags.cost.empty()) {
    auto bundled = OpenDataset("bundled", dataset);
    if (!bundled.ok()) return 1;
    flags.cost = (*bundled)->BenchmarkNames();
  }
  auto cores = AllowedPhysicalCores();
  if (!cores.ok() || cores->size() < 2) {
    std::fprintf(stderr, "needs two allowed physical cores\n");
    return 1;
  }
  const int cpu = cores->back(), neighbour = cores->front();
  InitializeLlvm();
  if (flags.reps > 0 && Noise(flags, dataset, cpu, neighbour) != 0) return 1;
  if (flags.episode_length > 0 && !flags.cost.empty() && Cost(flags, dataset, cpu, neighbour) != 0)
    return 1;
  return 0;
}

}  // namespace
}  // namespace passrl::envs

int main(int argc, char** argv) { return passrl::envs::Main(argc, argv); }
