#include "launch/mlir_commands.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "actors/env_client.h"
#include "common/durable_file.h"
#include "common/status_macros.h"
#include "corpus/onnx_import.h"
#include "envs/compiler.h"
#include "envs/mlir_dataset.h"
#include "envs/mlir_env.h"
#include "envs/mlir_runner.h"
#include "eval/mlir_evaluation.h"

namespace passrl::launch {
namespace {

// The URI a worker loads: mlir/<model> or a .mlir path; an .onnx model is imported to a
// temporary .mlir first.
absl::StatusOr<std::string> GraphUri(const std::string& graph) {
  if (!absl::EndsWith(graph, ".onnx")) return graph;
  PASSRL_ASSIGN_OR_RETURN(corpus::ImportedGraph g, corpus::ImportOnnxFile(graph));
  const std::string path = (std::filesystem::temp_directory_path() /
                            (std::filesystem::path(graph).stem().string() + ".passrl.mlir")).string();
  PASSRL_RETURN_IF_ERROR(ReplaceFileDurably(path, g.mlir));
  return path;
}

absl::StatusOr<eval::MlirSearchResult> Search(const MlirSearchFlags& flags, actors::Policy* policy,
                                              const std::string& uri) {
  actors::WorkerOptions w;
  w.compiler = envs::Compiler::kMlir;
  w.reward = "OpCount";
  w.dataset = flags.dataset;
  w.max_steps = flags.length;
  w.stderr_file = MlirWorkerLog();
  actors::WorkerEnvClient env(w);
  eval::MlirEvalOptions options;
  options.length = flags.length;
  options.budget = flags.rollouts;
  options.seed = flags.seed;
  absl::StatusOr<eval::MlirSearchResult> r = eval::SearchMlirGraph(env, policy, uri, options);
  ReportMlirWorkerLog(w.stderr_file, r.ok() ? r->crashes : 0);
  return r;
}

// Runs the start graph and the result on the same random arguments (input and weights) with
// mlir-cpu-runner-16: a result that computes something else is an error, never an output.
absl::Status CheckOutputs(const std::string& start, const std::string& result, int64_t max_elements) {
  PASSRL_ASSIGN_OR_RETURN(std::vector<envs::HostTensor> args, envs::RandomArguments(start, /*seed=*/1));
  int64_t elements = 0;
  for (const envs::HostTensor& a : args) elements += static_cast<int64_t>(a.data.size());
  if (elements > max_elements) {
    std::printf("output check skipped: %lld argument elements (input and weights) > --check-elements %lld\n",
                (long long)elements, (long long)max_elements);
    return absl::OkStatus();
  }
  const auto t0 = std::chrono::steady_clock::now();
  PASSRL_ASSIGN_OR_RETURN(std::vector<envs::HostTensor> want, envs::RunMlirGraph(start, args));
  PASSRL_ASSIGN_OR_RETURN(std::vector<envs::HostTensor> got, envs::RunMlirGraph(result, args));
  if (got.size() != want.size()) return absl::InternalError("the result has a different number of outputs");
  double worst = 0, largest = 0;
  size_t values = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    PASSRL_ASSIGN_OR_RETURN(double r, envs::ToleranceRatio(got[i], want[i], 1e-4, 1e-3));
    worst = std::max(worst, r);
    for (double v : want[i].data) largest = std::max(largest, std::abs(v));
    values += want[i].data.size();
  }
  if (worst > 1.0) {
    return absl::InternalError(absl::StrCat("the optimized graph computes something else than the start graph on "
                                            "random arguments (worst element ", worst, "x the tolerance)"));
  }
  std::printf("output check: the result matches the start graph on random arguments (%zu output values up to "
              "|%.3g|, worst element %.3g of the tolerance; %.1f s)\n",
              values, largest, worst, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return absl::OkStatus();
}

// Rebuilds `actions` (or the reference pipeline) in process, checks the count, writes the graph.
absl::Status Finish(const MlirSearchFlags& flags, const std::string& uri,
                    const eval::MlirSearchResult& r, bool fall_back) {
  PASSRL_ASSIGN_OR_RETURN(envs::Benchmark b, envs::LoadMlirGraph(uri, flags.dataset));
  PASSRL_ASSIGN_OR_RETURN(auto env, envs::MlirEnv::Create({}));
  PASSRL_RETURN_IF_ERROR(env->Reset(b).status());
  const std::string start = env->Ir();
  if (fall_back) {
    PASSRL_RETURN_IF_ERROR(env->RunPipeline(envs::kMlirReferencePipeline));
  } else {
    for (int a : r.best_actions) PASSRL_RETURN_IF_ERROR(env->Step(a).status());
  }
  const int64_t expected = fall_back ? r.reference : r.best;
  if (env->OpCount() != expected) {
    return absl::InternalError(absl::StrCat("rebuilding the result gave ", env->OpCount(),
                                            " ops, the search measured ", expected));
  }
  if (flags.check_elements > 0) PASSRL_RETURN_IF_ERROR(CheckOutputs(start, env->Ir(), flags.check_elements));
  if (!flags.output.empty()) {
    PASSRL_RETURN_IF_ERROR(ReplaceFileDurably(flags.output, env->Ir()));
    std::printf("wrote %s (verified by MLIR after every pass)\n", flags.output.c_str());
  }
  return absl::OkStatus();
}

}  // namespace

std::string MlirWorkerLog() {
  return (std::filesystem::temp_directory_path() / absl::StrCat("passrl-mlir-workers-", getpid(), ".log")).string();
}

void ReportMlirWorkerLog(const std::string& path, int crashes) {
  std::error_code ec;
  if (crashes > 0) {
    std::printf("%d rollouts crashed MLIR (each cost that rollout); the backtraces: %s\n", crashes, path.c_str());
  } else {
    std::filesystem::remove(path, ec);
  }
}

absl::Status OptimizeMlirGraph(const MlirSearchFlags& flags, LoadedPolicy& policy) {
  PASSRL_ASSIGN_OR_RETURN(const std::string uri, GraphUri(flags.graph));
  PASSRL_ASSIGN_OR_RETURN(eval::MlirSearchResult r, Search(flags, policy.policy.get(), uri));
  const envs::CompilerSpec& spec = envs::SpecOf(envs::Compiler::kMlir);
  std::printf("%s: %lld ops after lowering, %lld after the reference pipeline\n", flags.graph.c_str(),
              (long long)r.start, (long long)r.reference);
  std::printf("greedy policy: %lld ops (%.3fx the reference): %s\n", (long long)r.greedy,
              double(r.reference) / double(r.greedy), spec.FormatActions(r.greedy_actions).c_str());
  const bool fall_back = r.best >= r.reference;
  if (fall_back) {
    std::printf("nothing in %d rollouts (%.1f s, %d crashed) beat the reference: returning the "
                "reference pipeline's graph (%lld ops)\n",
                flags.rollouts, r.seconds, r.crashes, (long long)r.reference);
  } else {
    std::printf("best of %d rollouts (%.1f s, %d crashed): %lld ops (%.3fx the reference, %.3fx "
                "the start): %s\n",
                flags.rollouts, r.seconds, r.crashes, (long long)r.best,
                double(r.reference) / double(r.best), double(r.start) / double(r.best),
                spec.FormatActions(r.best_actions).c_str());
  }
  return Finish(flags, uri, r, fall_back);
}

absl::Status RandomSearchMlirGraph(const MlirSearchFlags& flags) {
  PASSRL_ASSIGN_OR_RETURN(const std::string uri, GraphUri(flags.graph));
  PASSRL_ASSIGN_OR_RETURN(eval::MlirSearchResult r, Search(flags, nullptr, uri));
  std::printf("%s: start %lld ops, reference %lld; random search, %d rollouts of %d passes "
              "(%.1f s, %d crashed): best %lld ops (%.3fx the reference): %s\n",
              flags.graph.c_str(), (long long)r.start, (long long)r.reference, flags.rollouts,
              flags.length, r.seconds, r.crashes, (long long)r.best,
              double(r.reference) / double(r.best),
              envs::SpecOf(envs::Compiler::kMlir).FormatActions(r.best_actions).c_str());
  return Finish(flags, uri, r, /*fall_back=*/false);
}

}  // namespace passrl::launch
