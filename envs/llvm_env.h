// The LLVM pass-ordering environment, in process, with a gym-like API:
//
//   auto env = LlvmEnv::Create(options);          // spaces chosen in EnvOptions
//   auto obs = env->Reset(benchmark);             // parse the benchmark's unoptimised module
//   auto step = env->Step(action);                // run one pass: observation, reward, done, info
//
// Rewards are cost decreases: raw (instructions or .text bytes removed) or normalised by the
// benchmark's (O0 - Oz) difference, so an episode that reaches -Oz's cost has return 1.0.
// Deterministic: the same benchmark and actions give the same IR (IrHash) and costs.
// Snapshot/Restore let searches branch without re-running the prefix.
// Not thread-safe: one environment per thread (each owns its LLVMContext).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "envs/baselines.h"
#include "envs/benchmark.h"
#include "envs/runtime.h"
#include "envs/spaces.h"

namespace passrl::envs {

struct EnvOptions {
  ObservationSpace observation = ObservationSpace::kAutophase;
  RewardSpace reward = RewardSpace::kIrInstructionCountNorm;
  int max_steps = 0;              // episode length; 0: unlimited (done is never set)
  bool verify_each_step = false;  // run the IR verifier after every pass (tests, debugging)
  std::string cache_dir;          // baseline cache; empty: no cache
  RuntimeOptions runtime;         // for the Runtime reward spaces
  // Where an episode starts: "O0" (the unoptimised module) or the result of -O1/-O2/-O3/-Os/-Oz,
  // so that a policy refines a standard pipeline (e.g. a runtime policy that starts at -O3).
  std::string start = "O0";
  absl::Status Validate() const;
};

struct Observation {
  std::vector<int64_t> values;  // vector spaces
  std::string text;             // the Ir space
};

struct StepInfo {
  int step = 0;  // steps taken in this episode, this one included
  int64_t ir_instruction_count = 0;
  // Whether the pass changed the module (false: it left it as it was, PassRunner::Run; a stop).
  bool changed = false;
  double cost = 0;      // the reward space's raw cost after the step
  std::string failure;  // runtime rewards: why the program failed (the episode ends)
  const RuntimeResult* runtime = nullptr;  // unpaired runtime reward: this step's measurement
  const PairedResult* paired = nullptr;    // paired runtime reward: this step vs the previous
};

struct StepResult {
  Observation observation;
  double reward = 0;
  bool done = false;
  StepInfo info;
};

class LlvmEnv {
 public:
  static absl::StatusOr<std::unique_ptr<LlvmEnv>> Create(const EnvOptions& options);
  ~LlvmEnv();
  LlvmEnv(const LlvmEnv&) = delete;
  LlvmEnv& operator=(const LlvmEnv&) = delete;

  // Starts an episode on `benchmark` (baselines computed or read from the cache).
  absl::StatusOr<Observation> Reset(const Benchmark& benchmark);
  // Applies action `action` (the stop action ends the episode: done, reward 0). InvalidArgument for an unknown id, FailedPrecondition outside an
  // episode or after done, Internal if the pass left invalid IR (verify_each_step).
  absl::StatusOr<StepResult> Step(int action);

  absl::StatusOr<Observation> Observe(ObservationSpace space) const;
  // Runs PassBuilder pipeline text (e.g. "default<Oz>") on the current module, outside the action
  // space (no step, no reward): for producing a reference result such as -Oz.
  absl::Status RunPipeline(absl::string_view pipeline);
  // The current raw cost of `space`'s metric (instructions, .text bytes or seconds).
  absl::StatusOr<double> Cost(RewardSpace space);
  // The reward metric's cost of the current state, as last computed (no work).
  double cost() const { return cost_; }
  int64_t IrInstructionCount() const;
  uint64_t IrHash() const;     // hash of the module as IR text
  uint64_t StateHash() const;  // hash of the module's content, names aside (envs/content_hash.h)
  std::string Ir() const;
  std::string Bitcode() const;
  absl::StatusOr<std::string> EmitObject() const;  // the object file the .text reward measures

  const Baselines& baselines() const { return baselines_; }
  // Runtime baselines and reference output, measured once per benchmark (at Reset when the reward
  // is a runtime one, else on the first MeasureRuntime).
  struct RuntimeBaselines {
    double o0_seconds = 0, o3_seconds = 0;
    Reference reference;
    Binary o3_binary;  // for paired comparisons against -O3
  };
  const RuntimeBaselines& runtime_baselines() const { return runtime_baselines_; }
  // Builds, runs and validates the current module against the -O0 build's output (the runtime
  // reward's measurement). Errors only for build failures; a bad program is a failing verdict.
  absl::StatusOr<RuntimeResult> MeasureRuntime();
  // The current module as an executable, and a paired comparison of two such (both from this
  // benchmark), outputs checked against the -O0 build's: `passrl measure --against`.
  absl::StatusOr<Binary> BuildBinary();
  absl::StatusOr<PairedResult> CompareBinaries(const Binary& a, const Binary& b);
  const Benchmark& benchmark() const { return benchmark_; }
  const EnvOptions& options() const { return options_; }
  const std::vector<int>& actions() const { return actions_; }
  bool in_episode() const;

  // A copy of the episode state, valid while this environment lives; Restore returns to it.
  class Snapshot;
  std::shared_ptr<const Snapshot> TakeSnapshot() const;
  void Restore(const Snapshot& snapshot);
  static size_t SnapshotBytes(const Snapshot& snapshot);  // roughly, what it holds in memory

 private:
  struct Impl;
  LlvmEnv(const EnvOptions& options, std::unique_ptr<Impl> impl);
  double RewardFor(double previous_cost, double cost) const;
  absl::StatusOr<StepResult> Stop();  // Step(StopAction()): the episode ends, nothing runs
  absl::Status EnsureRuntimeBaselines();
  // The runtime cost after this step; sets result.info.failure on a bad program. Paired: the
  // cost of the state last changed significantly, over this state's speedup against it (1 when
  // insignificant), so returns sum to the start state's cost minus the final state's.
  absl::StatusOr<double> RuntimeStepCost(StepResult& result);

  EnvOptions options_;
  std::unique_ptr<Impl> impl_;
  Benchmark benchmark_;
  Baselines baselines_;
  RuntimeBaselines runtime_baselines_;
  RuntimeResult last_runtime_;
  PairedResult last_paired_;
  Binary runtime_binary_;  // paired runtime reward: the current state's executable
  std::vector<int> actions_;
  std::vector<int64_t> histogram_;
  double cost_ = 0;  // raw cost of options_.reward's metric
};

}  // namespace passrl::envs
