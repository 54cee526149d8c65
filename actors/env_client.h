// How an actor talks to its environment. The real one (WorkerEnvClient) runs the LLVM environment
// in a subprocess (`passrl env-worker`) so a pass that crashes or hangs costs one episode, not the
// actor: the client sees the worker die or time out, reports Unavailable, and starts a fresh
// worker on the next Reset. InProcessEnvClient runs it in the same process (tests, debugging).
//
// The episode contract lives in the base class, once, around each implementation's DoReset and
// DoStep (as OpenSpiel's State wraps DoApplyAction); tests/actors/env_client_test.cc runs one
// conformance suite against every client:
//   - Reset starts an episode (ending any in progress); when it fails there is no episode.
//   - Step outside an episode (before Reset, after the episode ended) is FailedPrecondition; an
//     unknown action is InvalidArgument and the episode goes on; any other error (Unavailable: the
//     environment crashed or hung) ends the episode, and the next Reset starts afresh.
//   - An outcome with `done` (the environment ended it: a runtime miscompile, crash or timeout) or
//     `truncated` (the step limit) is the episode's last; the limit is counted here.
//
// Not thread-safe: one client per actor thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "envs/dataset.h"
#include "envs/compiler.h"
#include "envs/llvm_env.h"
#include "envs/mlir_env.h"

namespace passrl::actors {

class PrefixCache;

struct EnvOutcome {
  std::vector<int64_t> observation;  // Autophase
  double reward = 0;
  int64_t ir_instruction_count = 0;
  int64_t ir_o0 = 0, ir_oz = 0;  // the benchmark's baselines
  bool done = false;       // the environment ended the episode: a terminal state
  bool truncated = false;  // the episode reached the step limit
  std::string failure;     // with done: why (e.g. "miscompile: output differs ...")
};

class EnvClient {
 public:
  // max_steps: the episode's step limit (the last step is `truncated`); 0: none. num_actions:
  // the compiler's action count (envs/compiler.h).
  explicit EnvClient(int max_steps = 0, int num_actions = envs::kNumActions)
      : max_steps_(max_steps), num_actions_(num_actions) {}
  virtual ~EnvClient() = default;
  // Errors: InvalidArgument/NotFound for bad input (unknown benchmark); Unavailable when the
  // environment died or hung (a crash report is the caller's job).
  absl::StatusOr<EnvOutcome> Reset(const std::string& benchmark);
  absl::StatusOr<EnvOutcome> Step(int action);
  bool in_episode() const { return in_episode_; }
  int steps() const { return steps_; }  // in the current (or last) episode
  int max_steps() const { return max_steps_; }
  int num_actions() const { return num_actions_; }

 protected:
  virtual absl::StatusOr<EnvOutcome> DoReset(const std::string& benchmark) = 0;
  // Called only inside an episode, with a valid action id.
  virtual absl::StatusOr<EnvOutcome> DoStep(int action) = 0;

 private:
  const int max_steps_;
  const int num_actions_;
  bool in_episode_ = false;
  int steps_ = 0;
};

struct WorkerOptions {
  std::string executable = "/proc/self/exe";  // the passrl binary
  envs::Compiler compiler = envs::Compiler::kLlvm;  // which environment the worker runs
  envs::DatasetOptions dataset;
  std::string reward = "IrInstructionCountLog";  // the training default (README, "Rewards");
                                                 // mlir: OpCount, OpCountNorm or OpCountLog
  double step_timeout_seconds = 60;    // a pass taking longer is treated as hung
  double reset_timeout_seconds = 300;  // first Reset of a benchmark compiles it
  int max_steps = 0;                   // episode step limit (EnvClient); 0: none
  // The environment itself (the worker's command line carries these):
  std::string start = "O0";                   // envs::EnvOptions::start: where episodes begin
  std::string runtime_insignificant = "zero";  // runtime rewards: zero | estimate
  int runtime_max_pairs = 10;                  // runtime rewards: A/B pairs per step at most
  std::string runtime_clock = "cpu";           // runtime rewards: cpu | wall (envs::RunClock)
  // > 0: the LLVM worker keeps this many MiB of earlier steps (InProcessEnvClient::
  // EnablePrefixCache) for searches whose candidates share prefixes; IR-count rewards only.
  size_t prefix_cache_mb = 0;
  // The worker's stderr (a crashing compiler's backtrace) is appended to this file, which the
  // crash error names; empty: this process's stderr. Commands whose searches crash MLIR routinely
  // (eval, search, optimize on graphs) keep their tables readable with it.
  std::string stderr_file;
  // The environment these options describe; errors name the bad value.
  absl::StatusOr<envs::EnvOptions> Env() const;
};

class WorkerEnvClient : public EnvClient {
 public:
  explicit WorkerEnvClient(WorkerOptions options)
      : EnvClient(options.max_steps, envs::SpecOf(options.compiler).num_actions()),
        options_(std::move(options)) {}
  ~WorkerEnvClient() override;
  int64_t restarts() const { return restarts_; }
  pid_t worker_pid() const { return pid_; }

 protected:
  absl::StatusOr<EnvOutcome> DoReset(const std::string& benchmark) override;
  absl::StatusOr<EnvOutcome> DoStep(int action) override;

 private:
  absl::Status Start();
  void Kill();
  absl::StatusOr<EnvOutcome> Call(const std::string& request, double timeout,
                                  const std::string& what);
  WorkerOptions options_;
  pid_t pid_ = -1;
  int to_worker_ = -1, from_worker_ = -1;
  int64_t restarts_ = 0;
  bool started_once_ = false;
};

class InProcessEnvClient : public EnvClient {
 public:
  static absl::StatusOr<std::unique_ptr<InProcessEnvClient>> Create(envs::DatasetOptions dataset,
                                                                    envs::EnvOptions options,
                                                                    int max_steps = 0);
  // The default environment with `reward` (tests).
  static absl::StatusOr<std::unique_ptr<InProcessEnvClient>> Create(envs::DatasetOptions dataset,
                                                                    envs::RewardSpace reward,
                                                                    int max_steps = 0);
  // Serves steps already taken from memory (actors/prefix_cache.h) and runs only new passes;
  // outcomes are those of the restored states (the same up to local value names, which rarely
  // matter: see there). Call before the first Reset. FailedPrecondition for a runtime reward.
  absl::Status EnablePrefixCache(size_t max_bytes);
  ~InProcessEnvClient() override;
  int64_t passes_run() const { return passes_run_; }  // steps that ran a pass, replays included
  int64_t cached_steps() const { return cached_steps_; }  // steps served from the cache
  int64_t snapshots_taken() const { return snapshots_taken_; }  // states kept for branching

 protected:
  absl::StatusOr<EnvOutcome> DoReset(const std::string& benchmark) override;
  absl::StatusOr<EnvOutcome> DoStep(int action) override;

 private:
  InProcessEnvClient(envs::DatasetOptions dataset, std::unique_ptr<envs::LlvmEnv> env,
                     int max_steps);
  absl::StatusOr<EnvOutcome> ResetEnv(const std::string& benchmark);
  // `changed`, when given: whether the pass changed the module (envs::StepInfo::changed).
  absl::StatusOr<EnvOutcome> StepEnv(int action, bool* changed = nullptr);
  absl::StatusOr<EnvOutcome> CachedStep(int action);
  absl::Status Materialize();  // makes env_ hold the state after prefix_
  envs::DatasetOptions dataset_;
  std::unique_ptr<envs::LlvmEnv> env_;
  std::map<std::string, envs::Benchmark> benchmarks_;
  std::unique_ptr<PrefixCache> cache_;  // null: every step runs its pass
  std::string benchmark_;               // the episode's (with a cache)
  std::vector<int> prefix_;             // the episode's actions that changed the module (cache)
  bool materialized_ = false;           // env_ holds the state after prefix_
  int64_t passes_run_ = 0, cached_steps_ = 0, snapshots_taken_ = 0;
};

// The MLIR graph environment (envs/mlir_env.h) in this process: the observation is its feature
// vector, ir_instruction_count the op count, ir_o0/ir_oz the graph's start and reference counts.
// A pass that fails is a zero-reward step (the graph is unchanged), not the episode's end.
class InProcessMlirEnvClient : public EnvClient {
 public:
  static absl::StatusOr<std::unique_ptr<InProcessMlirEnvClient>> Create(
      envs::DatasetOptions dataset, envs::MlirEnvOptions options, int max_steps = 0);

 protected:
  absl::StatusOr<EnvOutcome> DoReset(const std::string& benchmark) override;
  absl::StatusOr<EnvOutcome> DoStep(int action) override;

 private:
  InProcessMlirEnvClient(envs::DatasetOptions dataset, std::unique_ptr<envs::MlirEnv> env,
                         int max_steps)
      : EnvClient(max_steps, envs::SpecOf(envs::Compiler::kMlir).num_actions()),
        dataset_(std::move(dataset)),
        env_(std::move(env)) {}
  EnvOutcome Outcome(envs::Observation obs) const;
  envs::DatasetOptions dataset_;
  std::unique_ptr<envs::MlirEnv> env_;
  std::map<std::string, envs::Benchmark> benchmarks_;
};

// The worker's side: serves requests from `in_fd` on `out_fd` until EOF. Returns the exit code.
// Test hook: $PASSRL_TEST_CRASH_ACTION / $PASSRL_TEST_HANG_ACTION name an action id that makes the
// worker abort / hang, to exercise the isolation (never set in production).
int ServeEnvWorker(int in_fd, int out_fd, const envs::DatasetOptions& dataset,
                   const WorkerOptions& options);

}  // namespace passrl::actors
