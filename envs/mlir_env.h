// The MLIR graph pass-ordering environment (the XLA paper's task on MLIR 16), with the same gym
// API as LlvmEnv:
//
//   auto env = MlirEnv::Create(options);
//   auto obs = env->Reset(benchmark);   // parse the TOSA graph, lower it to linalg on tensors
//   auto step = env->Step(action);      // run one pass pipeline (envs/mlir_actions.def)
//
// What a state is and what it costs (docs/MLIR.md has the measurements behind these choices):
//  - An episode starts from the graph lowered from TOSA by the plain conversion (`kLowering`:
//    tosa-to-linalg-named, tosa-to-linalg, tosa-to-arith, tosa-to-tensor). Lowering inflates the
//    op count (each TOSA op becomes several ops), so counting states on both sides of it would
//    reward never lowering; every state here is at one level, and the reference starts there too.
//  - The cost is the graph's op count: ops directly in the function body (linalg ops, tensor
//    reshapes, constants, ...), not the scalar ops inside linalg.generic bodies, so fusing two
//    element-wise ops into one generic saves one op, as fusing two HLO ops does in the XLA paper.
//  - The reference ("-O" for MLIR) is `kMlirReferencePipeline` run after the lowering: of four
//    standard pipelines, the one with the fewest ops on the training graphs. Rewards can be
//    normalised by (start - reference), like the LLVM env's (O0 - Oz).
// A pass that fails (diagnostic or verifier error) leaves the graph unchanged; the step reports
// it (StepInfo::failure) and costs nothing. Successful steps copy nothing: a failed one is undone
// by replaying the episode's successful steps on a copy of its start (passes are deterministic). A pass that crashes MLIR kills the process, which is
// why actors run environments in workers (actors/env_client.h).
// Not thread-safe: one environment per thread (each owns its MLIRContext).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "envs/action_space.h"
#include "envs/benchmark.h"
#include "envs/compiler.h"
#include "envs/llvm_env.h"

namespace passrl::envs {

inline constexpr absl::string_view kMlirLowering =
    "func.func(tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith,tosa-to-tensor)";
// The best of four standard clean-up/fusion pipelines on the training graphs (docs/MLIR.md).
inline constexpr absl::string_view kMlirReferencePipeline =
    "canonicalize,cse,func.func(linalg-generalize-named-ops,linalg-fuse-elementwise-ops),"
    "canonicalize,cse";

enum class MlirReward {
  kOpCount,      // raw: ops removed by the step
  kOpCountNorm,  // (C_prev - C_now) / (C_start - C_reference): return 1.0 at the reference
  kOpCountLog,   // log C_prev - log C_now: the return is log(C_start / C_final)
};
absl::StatusOr<MlirReward> ParseMlirReward(absl::string_view name);

// The observation is MlirFeatureNames() (envs/compiler.h): op counts by name, then statistics.

struct MlirEnvOptions {
  MlirReward reward = MlirReward::kOpCountLog;
  int max_steps = 0;  // episode length; 0: unlimited
  std::string lowering = std::string(kMlirLowering);
  std::string reference = std::string(kMlirReferencePipeline);
  // Tests: action id -> pipeline run instead of the table's (e.g. one that fails).
  std::map<int, std::string> pipeline_overrides;
  absl::Status Validate() const;
};

struct MlirBaselines {
  int64_t start = 0;      // op count after the lowering: where episodes begin
  int64_t reference = 0;  // after the reference pipeline
};

class MlirEnv {
 public:
  static absl::StatusOr<std::unique_ptr<MlirEnv>> Create(const MlirEnvOptions& options);
  ~MlirEnv();
  MlirEnv(const MlirEnv&) = delete;
  MlirEnv& operator=(const MlirEnv&) = delete;

  // `benchmark.bitcode` holds the graph as TOSA MLIR text. InvalidArgument with the parser's
  // message (file:line:col) for malformed MLIR.
  absl::StatusOr<Observation> Reset(const Benchmark& benchmark);
  // Errors as LlvmEnv::Step. A failing pass is not an error: info.failure says why.
  absl::StatusOr<StepResult> Step(int action);
  Observation Observe() const;
  // Runs pass pipeline text on the graph outside the action space (no step, no reward).
  absl::Status RunPipeline(absl::string_view pipeline);

  int64_t OpCount() const;  // the cost
  double cost() const { return static_cast<double>(OpCount()); }
  uint64_t IrHash() const;
  std::string Ir() const;
  const MlirBaselines& baselines() const { return baselines_; }
  const std::vector<int>& actions() const { return actions_; }
  int64_t failed_steps() const { return failed_steps_; }  // passes that failed, this episode
  bool in_episode() const;

  class Snapshot;
  std::shared_ptr<const Snapshot> TakeSnapshot() const;
  void Restore(const Snapshot& snapshot);

 private:
  struct Impl;
  MlirEnv(const MlirEnvOptions& options, std::unique_ptr<Impl> impl);
  double RewardFor(int64_t previous, int64_t now) const;
  // Rebuilds the graph after a failed step: the start, then every step that succeeded.
  absl::Status Replay();

  MlirEnvOptions options_;
  std::unique_ptr<Impl> impl_;
  MlirBaselines baselines_;
  std::vector<int> actions_;
  std::vector<size_t> failed_;  // indices in actions_ of steps whose pass failed
  int64_t failed_steps_ = 0;
  bool done_ = false;
};

}  // namespace passrl::envs
