// Environment step cost against its two anchors, measured side by side in one run:
//   1. the pass's own run time: the same pipeline run by LLVM's pass manager on a freshly parsed
//      module, nothing else timed (the limit: env overhead = step / pass - 1);
//   2. naive tooling: `opt-16 -passes=X in.bc -o out.bc` as a subprocess per step.
// Also steps/s per core for random episodes. Prints Markdown for BENCHMARKS.md.
//
//   build/benchmarks/passrl_env_bench [--reps N] [benchmark ...]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "common/file_cache.h"
#include "common/subprocess.h"
#include "envs/action_space.h"
#include "envs/dataset.h"
#include "envs/llvm_env.h"
#include "envs/llvm_util.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Target/TargetMachine.h"

namespace passrl::envs {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// The anchor: LLVM running `pipeline` on a freshly parsed module with fresh analysis managers, as
// the environment does after Reset. The TargetMachine is long-lived in both (its subtarget cache
// would otherwise cost ~0.3 ms on the first pass and make the anchor look slow).
double PassOnly(const Benchmark& b, const std::string& pipeline, llvm::TargetMachine* tm) {
  llvm::LLVMContext context;
  auto module = ParseBitcode(b.bitcode, context, b.name);
  llvm::PassBuilder pb(tm);
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm;
  if (pb.parsePassPipeline(mpm, pipeline)) std::abort();
  const auto start = Clock::now();
  mpm.run(**module, mam);
  const double secs = Since(start);
  lam.clear();
  fam.clear();
  cgam.clear();
  mam.clear();
  return secs;
}

double EnvStep(LlvmEnv& env, const Benchmark& b, int action) {
  if (!env.Reset(b).ok()) std::abort();
  const auto start = Clock::now();
  auto step = env.Step(action);
  const double secs = Since(start);
  if (!step.ok()) std::abort();
  return secs;
}

double OptSubprocess(const std::string& in, const std::string& pipeline) {
  const auto start = Clock::now();
  auto r = RunSubprocess({"opt-16", "-passes=" + pipeline, in, "-o", in + ".out.bc"});
  const double secs = Since(start);
  if (!r.ok() || !r->ok()) std::abort();
  return secs;
}

int Main(int argc, char** argv) {
  int reps = 15;
  std::vector<std::string> names;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) {
      reps = std::atoi(argv[++i]);
    } else {
      names.push_back(argv[i]);
    }
  }
  if (names.empty()) {
    names = {"bundled/mandelbrot", "bundled/utf8_codec", "bundled/expr_evaluator", "csmith/3"};
  }
  const std::vector<std::string> passes = {"instcombine", "simplifycfg",   "sroa",   "gvn",
                                           "early-cse",   "licm",          "inline", "loop-rotate",
                                           "dce",         "jump-threading"};
  DatasetOptions dataset = DatasetOptions::Defaults();
  EnvOptions options;  // Autophase observation + normalised instruction-count reward: the default
  options.cache_dir = dataset.build.cache_dir;
  auto env = *LlvmEnv::Create(options);
  const std::string tmp = FileCache::DefaultDir() + "/bench";

  std::printf(
      "| benchmark | IR insts | pass | env step | overhead (time-weighted) | overhead "
      "(geomean) | opt-16 subprocess | env vs opt (geomean) | env vs opt (worst pass) | "
      "random steps/s |\n|---|---|---|---|---|---|---|---|---|---|\n");
  for (const std::string& name : names) {
    auto b = LoadBenchmark(name, dataset);
    if (!b.ok()) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), std::string(b.status().message()).c_str());
      return 1;
    }
    const std::string in = tmp + "/" + std::to_string(b->hash) + ".bc";
    if (!WriteFileAtomically(in, b->bitcode).ok()) return 1;
    llvm::LLVMContext tm_context;
    auto tm = *CreateTargetMachine(**ParseBitcode(b->bitcode, tm_context, b->name));
    double sum_log_overhead = 0, sum_log_speedup = 0, pass_total = 0, step_total = 0, opt_total = 0;
    double min_speedup = 1e9;
    for (const std::string& pass : passes) {
      const int action = *ActionIndex(pass);
      const std::string pipeline(Actions()[action].pipeline);
      std::vector<double> p, s, o;
      for (int r = 0; r < reps; ++r) {  // interleaved, so machine noise hits all three alike
        p.push_back(PassOnly(*b, pipeline, tm.get()));
        s.push_back(EnvStep(*env, *b, action));
        o.push_back(OptSubprocess(in, pipeline));
      }
      const double mp = Median(p), ms = Median(s), mo = Median(o);
      pass_total += mp;
      step_total += ms;
      opt_total += mo;
      sum_log_overhead += std::log(ms / mp);
      sum_log_speedup += std::log(mo / ms);
      min_speedup = std::min(min_speedup, mo / ms);
      std::fprintf(stderr, "  %s %-16s pass %.3f ms  step %.3f ms  opt %.2f ms\n", name.c_str(),
                   pass.c_str(), mp * 1e3, ms * 1e3, mo * 1e3);
    }
    // Random episodes of 20 steps: what an actor's environment sustains on one core.
    std::mt19937 rng(1);
    std::uniform_int_distribution<int> pick(0, kNumActions - 1);
    int steps = 0;
    const auto start = Clock::now();
    while (Since(start) < 3.0) {
      if (!env->Reset(*b).ok()) return 1;
      for (int i = 0; i < 20; ++i, ++steps) {
        if (!env->Step(pick(rng)).ok()) return 1;
      }
    }
    const double steps_per_s = steps / Since(start);
    const double n = static_cast<double>(passes.size());
    std::printf(
        "| %s | %lld | %.3f ms | %.3f ms | %+.1f%% | %+.1f%% | %.2f ms | %.1fx | %.1fx | "
        "%.0f |\n",
        name.c_str(), (long long)env->baselines().ir_o0, pass_total / n * 1e3, step_total / n * 1e3,
        (step_total / pass_total - 1) * 100, (std::exp(sum_log_overhead / n) - 1) * 100,
        opt_total / n * 1e3, std::exp(sum_log_speedup / n), min_speedup, steps_per_s);
    std::fflush(stdout);
  }
  std::printf(
      "\nper benchmark: mean of per-pass medians over %zu passes x %d reps; overhead and "
      "speedup are geometric means of per-pass ratios\n",
      passes.size(), reps);
  return 0;
}

}  // namespace
}  // namespace passrl::envs

int main(int argc, char** argv) { return passrl::envs::Main(argc, argv); }
