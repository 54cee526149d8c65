// `passrl optimize` and `passrl search` on the MLIR graph task (docs/MLIR.md): the graph is
// mlir/<model>, a .mlir file, or an .onnx model (imported first). Both search through an env
// worker, so an order of passes that crashes MLIR costs a rollout; the result is rebuilt and
// verified in process before it is written. Not thread-safe.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "envs/dataset.h"
#include "launch/policy_source.h"

namespace passrl::launch {

struct MlirSearchFlags {
  envs::DatasetOptions dataset;
  std::string graph, output;  // output: the optimized graph as MLIR text (empty: not written)
  int length = 12, rollouts = 20;
  uint64_t seed = 1;
  // The result is run against the start graph on random arguments when they hold at most this
  // many elements (0: never).
  int64_t check_elements = 8'000'000;
};

// Where MLIR env workers' stderr goes in eval, search and optimize (random rollouts crash MLIR
// routinely, and each crash prints a backtrace): a file of this process's own under the temp
// directory. ReportMlirWorkerLog names it after `crashes` rollouts crashed, or removes it.
std::string MlirWorkerLog();
void ReportMlirWorkerLog(const std::string& path, int crashes);

// optimize: the policy's greedy rollout, then rollouts sampled from it; never worse than the
// reference pipeline (falls back to it and says so).
absl::Status OptimizeMlirGraph(const MlirSearchFlags& flags, LoadedPolicy& policy);
// search --method random: `rollouts` random sequences of `length` passes.
absl::Status RandomSearchMlirGraph(const MlirSearchFlags& flags);

}  // namespace passrl::launch
