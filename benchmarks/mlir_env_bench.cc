// MLIR environment step cost against the pass alone in-process and against mlir-opt-16 run as a
// subprocess per step (issue 16's targets). For each action, rounds interleave the three
// measurements on the same lowered graph; medians are reported, with the ratios.
//
//   build/benchmarks/passrl_mlir_env_bench [--graph mlir/resnet50] [--rounds 15]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/subprocess.h"
#include "envs/mlir_dataset.h"
#include "envs/mlir_env.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  using namespace passrl;
  std::string graph = "mlir/resnet50";
  int rounds = 15;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--graph") graph = argv[i + 1];
    if (std::string(argv[i]) == "--rounds") rounds = std::stoi(argv[i + 1]);
  }
  auto benchmark = envs::LoadMlirGraph(graph, envs::DatasetOptions::Defaults());
  if (!benchmark.ok()) {
    std::fprintf(stderr, "%s\n", benchmark.status().ToString().c_str());
    return 1;
  }
  auto env = envs::MlirEnv::Create({});
  if (!env.ok() || !(*env)->Reset(*benchmark).ok()) return 1;
  const std::string lowered = (*env)->Ir();
  auto start = (*env)->TakeSnapshot();
  const std::string file = "/tmp/passrl_mlir_bench.mlir";
  std::ofstream(file) << lowered;

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  std::printf("graph %s: %lld ops after lowering; %d rounds per action\n", graph.c_str(),
              static_cast<long long>((*env)->baselines().start), rounds);
  std::printf("%-36s %10s %10s %9s %12s %9s\n", "action", "pass ms", "step ms", "overhead",
              "mlir-opt ms", "speedup");
  for (const char* name : {"canonicalize", "cse", "linalg-fuse-elementwise-ops",
                           "linalg-generalize-named-ops", "linalg-fold-unit-extent-dims", "sccp"}) {
    const int action = *envs::MlirActionIndex(name);
    const std::string pipeline(envs::MlirActions()[action].pipeline);
    mlir::PassManager pm(&context);
    if (mlir::failed(mlir::parsePassPipeline(pipeline, pm))) return 1;
    std::vector<double> pass, step, opt;
    for (int r = 0; r < rounds; ++r) {
      auto module = mlir::parseSourceString<mlir::ModuleOp>(lowered, mlir::ParserConfig(&context));
      double t = Now();
      if (mlir::failed(pm.run(*module))) return 1;
      pass.push_back(Now() - t);
      (*env)->Restore(*start);
      t = Now();
      auto s = (*env)->Step(action);
      step.push_back(Now() - t);
      if (!s.ok()) return 1;
      t = Now();
      auto run = RunSubprocess({"mlir-opt-16", file, "-o", "/tmp/passrl_mlir_bench_out.mlir",
                                absl::StrCat("--pass-pipeline=builtin.module(", pipeline, ")")});
      opt.push_back(Now() - t);
      if (!run.ok() || !run->ok()) return 1;
    }
    const double p = Median(pass) * 1e3, e = Median(step) * 1e3, o = Median(opt) * 1e3;
    std::printf("%-36s %10.2f %10.2f %8.1f%% %12.2f %8.1fx\n", name, p, e, (e / p - 1) * 100, o, o / e);
  }
  return 0;
}
