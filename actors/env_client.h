// How an actor talks to its environment. The real one (WorkerEnvClient) runs the LLVM environment
// in a subprocess (`passrl env-worker`) so a pass that crashes or hangs costs one episode, not the
// actor: the client sees the worker die or time out, reports Unavailable, and starts a fresh
// worker on the next Reset. InProcessEnvClient runs it in the same process (tests, debugging).
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
#include "envs/llvm_env.h"

namespace passrl::actors {

struct EnvOutcome {
  std::vector<int64_t> observation;  // Autophase
  double reward = 0;
  int64_t ir_instruction_count = 0;
  int64_t ir_o0 = 0, ir_oz = 0;  // the benchmark's baselines
};

class EnvClient {
 public:
  virtual ~EnvClient() = default;
  // Errors: InvalidArgument/NotFound for bad input (unknown benchmark); Unavailable when the
  // environment died or hung (a crash report is the caller's job).
  virtual absl::StatusOr<EnvOutcome> Reset(const std::string& benchmark) = 0;
  virtual absl::StatusOr<EnvOutcome> Step(int action) = 0;
};

struct WorkerOptions {
  std::string executable = "/proc/self/exe";  // the passrl binary
  envs::DatasetOptions dataset;
  std::string reward = "IrInstructionCountNorm";
  double step_timeout_seconds = 60;    // a pass taking longer is treated as hung
  double reset_timeout_seconds = 300;  // first Reset of a benchmark compiles it
};

class WorkerEnvClient : public EnvClient {
 public:
  explicit WorkerEnvClient(WorkerOptions options) : options_(std::move(options)) {}
  ~WorkerEnvClient() override;
  absl::StatusOr<EnvOutcome> Reset(const std::string& benchmark) override;
  absl::StatusOr<EnvOutcome> Step(int action) override;
  int64_t restarts() const { return restarts_; }
  pid_t worker_pid() const { return pid_; }

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
                                                                    envs::RewardSpace reward);
  absl::StatusOr<EnvOutcome> Reset(const std::string& benchmark) override;
  absl::StatusOr<EnvOutcome> Step(int action) override;

 private:
  InProcessEnvClient(envs::DatasetOptions dataset, std::unique_ptr<envs::LlvmEnv> env)
      : dataset_(std::move(dataset)), env_(std::move(env)) {}
  envs::DatasetOptions dataset_;
  std::unique_ptr<envs::LlvmEnv> env_;
  std::map<std::string, envs::Benchmark> benchmarks_;
};

// The worker's side: serves requests from `in_fd` on `out_fd` until EOF. Returns the exit code.
// Test hook: $PASSRL_TEST_CRASH_ACTION / $PASSRL_TEST_HANG_ACTION name an action id that makes the
// worker abort / hang, to exercise the isolation (never set in production).
int ServeEnvWorker(int in_fd, int out_fd, const envs::DatasetOptions& dataset,
                   envs::RewardSpace reward);

}  // namespace passrl::actors
