#include "actors/env_client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "actors/prefix_cache.h"
#include "common/check.h"
#include "common/clock.h"
#include "common/status_macros.h"
#include "envs/action_space.h"
#include "envs/mlir_dataset.h"
#include "passrl.pb.h"

namespace passrl::actors {
namespace {

// Frames are a 4-byte little-endian length and the bytes.
bool WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    const ssize_t w = write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool WriteFrame(int fd, const std::string& bytes) {
  const uint32_t n = static_cast<uint32_t>(bytes.size());
  const char header[4] = {char(n & 0xff), char((n >> 8) & 0xff), char((n >> 16) & 0xff),
                          char(n >> 24)};
  return WriteAll(fd, header, 4) && WriteAll(fd, bytes.data(), bytes.size());
}

// Reads exactly n bytes before the deadline (seconds, steady clock; <= 0: none).
enum class ReadResult { kOk, kEof, kTimeout };
ReadResult ReadExactly(int fd, char* out, size_t n, double deadline) {
  while (n > 0) {
    if (deadline > 0) {
      const double now = MonotonicSeconds();
      if (now >= deadline) return ReadResult::kTimeout;
      pollfd p{fd, POLLIN, 0};
      const int ready = poll(&p, 1, static_cast<int>((deadline - now) * 1000) + 1);
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) continue;
    }
    const ssize_t r = read(fd, out, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return ReadResult::kEof;
    out += r;
    n -= static_cast<size_t>(r);
  }
  return ReadResult::kOk;
}

ReadResult ReadFrame(int fd, std::string* bytes, double deadline) {
  unsigned char header[4];
  ReadResult r = ReadExactly(fd, reinterpret_cast<char*>(header), 4, deadline);
  if (r != ReadResult::kOk) return r;
  const uint32_t n = header[0] | (header[1] << 8) | (header[2] << 16) | (uint32_t(header[3]) << 24);
  if (n > (256u << 20)) return ReadResult::kEof;
  bytes->resize(n);
  return ReadExactly(fd, bytes->data(), n, deadline);
}

double Deadline(double timeout) { return MonotonicSeconds() + timeout; }

EnvOutcome FromResponse(const proto::WorkerResponse& r) {
  EnvOutcome o;
  o.observation.assign(r.observation().begin(), r.observation().end());
  o.reward = r.reward();
  o.ir_instruction_count = r.ir_instruction_count();
  o.ir_o0 = r.ir_o0();
  o.ir_oz = r.ir_oz();
  o.done = r.done();
  o.failure = r.failure();
  return o;
}

}  // namespace

absl::StatusOr<EnvOutcome> EnvClient::Reset(const std::string& benchmark) {
  in_episode_ = false;
  steps_ = 0;
  absl::StatusOr<EnvOutcome> outcome = DoReset(benchmark);
  in_episode_ = outcome.ok();
  return outcome;
}

absl::StatusOr<EnvOutcome> EnvClient::Step(int action) {
  if (!in_episode_) {
    return absl::FailedPreconditionError(
        steps_ > 0 ? "the episode is over; call Reset" : "Step before Reset");
  }
  if (action < 0 || action >= num_actions_) {
    return absl::InvalidArgumentError(
        absl::StrCat("action id ", action, " out of range [0, ", num_actions_, ")"));
  }
  ++steps_;
  absl::StatusOr<EnvOutcome> outcome = DoStep(action);
  if (!outcome.ok()) {
    in_episode_ = false;  // the environment's state is unknown: only a Reset continues
    return outcome;
  }
  if (max_steps_ > 0 && steps_ >= max_steps_) outcome->truncated = true;
  if (outcome->done || outcome->truncated) in_episode_ = false;
  return outcome;
}

WorkerEnvClient::~WorkerEnvClient() { Kill(); }

void WorkerEnvClient::Kill() {
  if (to_worker_ >= 0) close(to_worker_);
  if (from_worker_ >= 0) close(from_worker_);
  to_worker_ = from_worker_ = -1;
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
}

absl::Status WorkerEnvClient::Start() {
  int to[2], from[2];
  if (pipe2(to, O_CLOEXEC) != 0) return absl::ResourceExhaustedError("env worker: pipe failed");
  if (pipe2(from, O_CLOEXEC) != 0) {
    close(to[0]);
    close(to[1]);
    return absl::ResourceExhaustedError("env worker: pipe failed");
  }
  std::vector<std::string> argv = {options_.executable,
                                   "env-worker",
                                   "--compiler",
                                   std::string(envs::SpecOf(options_.compiler).name),
                                   "--reward",
                                   options_.reward,
                                   "--start",
                                   options_.start,
                                   "--insignificant",
                                   options_.runtime_insignificant,
                                   "--max-pairs",
                                   std::to_string(options_.runtime_max_pairs),
                                   "--clock",
                                   options_.runtime_clock,
                                   "--prefix-cache-mb",
                                   std::to_string(options_.prefix_cache_mb)};
  for (std::string& flag : options_.dataset.ChildFlags()) argv.push_back(std::move(flag));
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(to[0], 0);
    dup2(from[1], 1);
    if (!options_.stderr_file.empty()) {
      const int err = open(options_.stderr_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (err >= 0) dup2(err, 2);
    }
    signal(SIGPIPE, SIG_DFL);
    execv(args[0], args.data());
    _exit(127);
  }
  close(to[0]);
  close(from[1]);
  if (pid < 0) {
    close(to[1]);
    close(from[0]);
    return absl::ResourceExhaustedError(absl::StrCat("env worker: fork failed: ", strerror(errno)));
  }
  pid_ = pid;
  to_worker_ = to[1];
  from_worker_ = from[0];
  if (started_once_) ++restarts_;
  started_once_ = true;
  return absl::OkStatus();
}

absl::StatusOr<EnvOutcome> WorkerEnvClient::Call(const std::string& request, double timeout,
                                                 const std::string& what) {
  if (pid_ < 0) PASSRL_RETURN_IF_ERROR(Start());
  std::string bytes;
  ReadResult read = ReadResult::kEof;
  if (WriteFrame(to_worker_, request)) read = ReadFrame(from_worker_, &bytes, Deadline(timeout));
  if (read != ReadResult::kOk) {
    // Crashed (EOF) or hung (timeout): kill, report how; the next Reset starts a new worker.
    std::string how = read == ReadResult::kTimeout ? absl::StrCat("hung for ", timeout, " s") : "";
    const pid_t pid = pid_;
    if (read == ReadResult::kEof && pid > 0) {
      // EOF normally means it died (give the exit a moment to land); a worker still alive
      // after that sent a malformed frame. Kill() below ends it either way.
      int status = 0;
      pid_t reaped = 0;
      for (int i = 0; i < 40 && reaped == 0; ++i) {
        reaped = waitpid(pid, &status, WNOHANG);
        if (reaped == 0) usleep(5000);
      }
      if (reaped == pid) {
        how = WIFSIGNALED(status) ? absl::StrCat("crashed (signal ", WTERMSIG(status), ", ",
                                                 strsignal(WTERMSIG(status)), ")")
                                  : absl::StrCat("exited (code ", WEXITSTATUS(status), ")");
        pid_ = -1;
      } else {
        how = "sent a malformed frame";
      }
    }
    Kill();
    return absl::UnavailableError(absl::StrCat(
        "env worker ", how, " during ", what,
        options_.stderr_file.empty() ? "" : absl::StrCat(" (its backtrace: ", options_.stderr_file, ")")));
  }
  proto::WorkerResponse response;
  if (!response.ParseFromString(bytes)) {
    Kill();
    return absl::UnavailableError("env worker sent a malformed response");
  }
  if (!response.error().empty()) {
    const int code = response.error_code();
    const bool known = code > 0 && code <= static_cast<int>(absl::StatusCode::kUnauthenticated) &&
                       code != static_cast<int>(absl::StatusCode::kUnavailable);
    // Unavailable is reserved for a worker that died or hung (the episode's crash path).
    return absl::Status(known ? static_cast<absl::StatusCode>(code)
                              : absl::StatusCode::kInvalidArgument,
                        response.error());
  }
  return FromResponse(response);
}

absl::StatusOr<EnvOutcome> WorkerEnvClient::DoReset(const std::string& benchmark) {
  proto::WorkerRequest request;
  request.set_reset_benchmark(benchmark);
  return Call(request.SerializeAsString(), options_.reset_timeout_seconds,
              absl::StrCat("reset of ", benchmark));
}

absl::StatusOr<EnvOutcome> WorkerEnvClient::DoStep(int action) {
  proto::WorkerRequest request;
  request.set_step_action(action);
  return Call(request.SerializeAsString(), options_.step_timeout_seconds,
              absl::StrCat("action ", action));
}

absl::StatusOr<envs::EnvOptions> WorkerOptions::Env() const {
  envs::EnvOptions options;
  PASSRL_ASSIGN_OR_RETURN(options.reward, envs::ParseRewardSpace(reward));
  options.start = start;
  PASSRL_ASSIGN_OR_RETURN(options.runtime.insignificant,
                          envs::ParseInsignificant(runtime_insignificant));
  options.runtime.paired.max_pairs = runtime_max_pairs;
  PASSRL_ASSIGN_OR_RETURN(options.runtime.clock, envs::ParseRunClock(runtime_clock));
  PASSRL_RETURN_IF_ERROR(options.Validate());
  if (prefix_cache_mb > 0 && envs::Spec(options.reward).runtime) {
    return absl::InvalidArgumentError(
        absl::StrCat("a prefix cache needs a deterministic reward, not ", reward));
  }
  return options;
}

absl::StatusOr<std::unique_ptr<InProcessEnvClient>> InProcessEnvClient::Create(
    envs::DatasetOptions dataset, envs::EnvOptions options, int max_steps) {
  options.observation = envs::ObservationSpace::kAutophase;
  options.cache_dir = dataset.build.cache_dir;
  PASSRL_ASSIGN_OR_RETURN(auto env, envs::LlvmEnv::Create(options));
  return std::unique_ptr<InProcessEnvClient>(
      new InProcessEnvClient(std::move(dataset), std::move(env), max_steps));
}

absl::StatusOr<std::unique_ptr<InProcessEnvClient>> InProcessEnvClient::Create(
    envs::DatasetOptions dataset, envs::RewardSpace reward, int max_steps) {
  envs::EnvOptions options;
  options.reward = reward;
  return Create(std::move(dataset), options, max_steps);
}

InProcessEnvClient::InProcessEnvClient(envs::DatasetOptions dataset,
                                       std::unique_ptr<envs::LlvmEnv> env, int max_steps)
    : EnvClient(max_steps), dataset_(std::move(dataset)), env_(std::move(env)) {}

InProcessEnvClient::~InProcessEnvClient() = default;

absl::Status InProcessEnvClient::EnablePrefixCache(size_t max_bytes) {
  PASSRL_CHECK(!in_episode());
  if (envs::Spec(env_->options().reward).runtime) {
    return absl::FailedPreconditionError("a prefix cache needs a deterministic reward, not runtime");
  }
  cache_ = std::make_unique<PrefixCache>(max_bytes);
  return absl::OkStatus();
}

absl::StatusOr<EnvOutcome> InProcessEnvClient::DoReset(const std::string& benchmark) {
  if (cache_ == nullptr) return ResetEnv(benchmark);
  prefix_.clear();
  benchmark_ = benchmark;
  materialized_ = false;
  if (cache_->Use(benchmark)) {  // the reset outcome is the empty prefix's (never evicted)
    const EnvOutcome* reset = cache_->Find(prefix_);
    PASSRL_CHECK(reset != nullptr);
    return *reset;
  }
  PASSRL_ASSIGN_OR_RETURN(EnvOutcome reset, ResetEnv(benchmark));
  materialized_ = true;
  cache_->Insert(prefix_, reset, env_->StateHash());
  return reset;
}

absl::StatusOr<EnvOutcome> InProcessEnvClient::DoStep(int action) {
  if (cache_ == nullptr) return StepEnv(action);
  absl::StatusOr<EnvOutcome> outcome = CachedStep(action);
  if (!outcome.ok()) materialized_ = false;  // the module may be half-changed
  return outcome;
}

absl::StatusOr<EnvOutcome> InProcessEnvClient::CachedStep(int action) {
  prefix_.push_back(action);
  std::vector<int> state;
  if (const EnvOutcome* hit = cache_->Find(prefix_, &state)) {
    ++cached_steps_;
    materialized_ = false;
    prefix_ = std::move(state);
    return *hit;
  }
  prefix_.pop_back();
  if (const EnvOutcome* state = cache_->FindNoOp(prefix_, action)) {  // it stays, unrewarded
    ++cached_steps_;
    EnvOutcome same = *state;
    same.reward = 0;
    return same;
  }
  PASSRL_RETURN_IF_ERROR(Materialize());
  // Left a second time: a branch point, kept so that later candidates branch here at once.
  if (cache_->Leave(prefix_)) {
    cache_->SetSnapshot(prefix_, env_->TakeSnapshot());
    ++snapshots_taken_;
  }
  bool changed = true;
  PASSRL_ASSIGN_OR_RETURN(EnvOutcome outcome, StepEnv(action, &changed));
  if (!changed && !outcome.done) {
    cache_->AddNoOp(prefix_, action);
    return outcome;
  }
  prefix_.push_back(action);
  const uint64_t content = env_->StateHash();
  prefix_ = cache_->Insert(prefix_, outcome, content);  // the same module: its earlier name
  return outcome;
}

absl::Status InProcessEnvClient::Materialize() {
  if (materialized_) return absl::OkStatus();
  auto [from, snapshot] = cache_->Nearest(prefix_);
  if (snapshot != nullptr) {
    env_->Restore(*snapshot);
  } else {
    PASSRL_RETURN_IF_ERROR(ResetEnv(benchmark_).status());
  }
  for (size_t i = from; i < prefix_.size(); ++i) {  // evicted states: replay from the nearest
    PASSRL_RETURN_IF_ERROR(StepEnv(prefix_[i]).status());
  }
  materialized_ = true;
  return absl::OkStatus();
}

absl::StatusOr<EnvOutcome> InProcessEnvClient::ResetEnv(const std::string& benchmark) {
  auto it = benchmarks_.find(benchmark);
  if (it == benchmarks_.end()) {
    PASSRL_ASSIGN_OR_RETURN(envs::Benchmark b, envs::LoadBenchmark(benchmark, dataset_));
    it = benchmarks_.emplace(benchmark, std::move(b)).first;
  }
  PASSRL_ASSIGN_OR_RETURN(envs::Observation obs, env_->Reset(it->second));
  EnvOutcome o;
  o.observation = std::move(obs.values);
  o.ir_instruction_count = env_->IrInstructionCount();
  o.ir_o0 = env_->baselines().ir_o0;
  o.ir_oz = env_->baselines().ir_oz;
  return o;
}

absl::StatusOr<EnvOutcome> InProcessEnvClient::StepEnv(int action, bool* changed) {
  ++passes_run_;
  PASSRL_ASSIGN_OR_RETURN(envs::StepResult step, env_->Step(action));
  if (changed != nullptr) *changed = step.info.changed;
  EnvOutcome o;
  o.observation = std::move(step.observation.values);
  o.reward = step.reward;
  o.done = step.done;
  o.failure = step.info.failure;
  o.ir_instruction_count = step.info.ir_instruction_count;
  o.ir_o0 = env_->baselines().ir_o0;
  o.ir_oz = env_->baselines().ir_oz;
  return o;
}

absl::StatusOr<std::unique_ptr<InProcessMlirEnvClient>> InProcessMlirEnvClient::Create(
    envs::DatasetOptions dataset, envs::MlirEnvOptions options, int max_steps) {
  PASSRL_ASSIGN_OR_RETURN(auto env, envs::MlirEnv::Create(options));
  return std::unique_ptr<InProcessMlirEnvClient>(
      new InProcessMlirEnvClient(std::move(dataset), std::move(env), max_steps));
}

EnvOutcome InProcessMlirEnvClient::Outcome(envs::Observation obs) const {
  EnvOutcome o;
  o.observation = std::move(obs.values);
  o.ir_instruction_count = env_->OpCount();
  o.ir_o0 = env_->baselines().start;
  o.ir_oz = env_->baselines().reference;
  return o;
}

absl::StatusOr<EnvOutcome> InProcessMlirEnvClient::DoReset(const std::string& benchmark) {
  auto it = benchmarks_.find(benchmark);
  if (it == benchmarks_.end()) {
    PASSRL_ASSIGN_OR_RETURN(envs::Benchmark b, envs::LoadMlirGraph(benchmark, dataset_));
    it = benchmarks_.emplace(benchmark, std::move(b)).first;
  }
  PASSRL_ASSIGN_OR_RETURN(envs::Observation obs, env_->Reset(it->second));
  return Outcome(std::move(obs));
}

absl::StatusOr<EnvOutcome> InProcessMlirEnvClient::DoStep(int action) {
  PASSRL_ASSIGN_OR_RETURN(envs::StepResult step, env_->Step(action));
  EnvOutcome o = Outcome(std::move(step.observation));
  o.reward = step.reward;
  o.done = step.done;
  return o;
}

// The in-process client a worker serves with `options`.
absl::StatusOr<std::unique_ptr<EnvClient>> WorkerClient(const envs::DatasetOptions& dataset,
                                                        const WorkerOptions& options) {
  if (options.compiler == envs::Compiler::kMlir) {
    envs::MlirEnvOptions mlir;
    PASSRL_ASSIGN_OR_RETURN(mlir.reward, envs::ParseMlirReward(options.reward));
    PASSRL_ASSIGN_OR_RETURN(auto client, InProcessMlirEnvClient::Create(dataset, mlir));
    return std::unique_ptr<EnvClient>(std::move(client));
  }
  PASSRL_ASSIGN_OR_RETURN(envs::EnvOptions env, options.Env());
  PASSRL_ASSIGN_OR_RETURN(auto client, InProcessEnvClient::Create(dataset, env));
  if (options.prefix_cache_mb > 0) {
    PASSRL_RETURN_IF_ERROR(client->EnablePrefixCache(options.prefix_cache_mb << 20));
  }
  return std::unique_ptr<EnvClient>(std::move(client));
}

int ServeEnvWorker(int in_fd, int out_fd, const envs::DatasetOptions& dataset,
                   const WorkerOptions& options) {
  absl::StatusOr<std::unique_ptr<EnvClient>> client = WorkerClient(dataset, options);
  const char* crash = getenv("PASSRL_TEST_CRASH_ACTION");
  const char* hang = getenv("PASSRL_TEST_HANG_ACTION");
  const int crash_action = crash ? std::atoi(crash) : -1;
  const int hang_action = hang ? std::atoi(hang) : -1;
  std::string bytes;
  while (ReadFrame(in_fd, &bytes, 0) == ReadResult::kOk) {
    proto::WorkerRequest request;
    proto::WorkerResponse response;
    absl::StatusOr<EnvOutcome> outcome = absl::InvalidArgumentError("malformed request");
    if (!client.ok()) {
      outcome = client.status();
    } else if (request.ParseFromString(bytes)) {
      if (request.body_case() == proto::WorkerRequest::kResetBenchmark) {
        outcome = (*client)->Reset(request.reset_benchmark());
      } else if (request.body_case() == proto::WorkerRequest::kStepAction) {
        if (request.step_action() == crash_action) std::abort();
        while (request.step_action() == hang_action) pause();
        outcome = (*client)->Step(request.step_action());
      }
    }
    if (!outcome.ok()) {
      response.set_error(std::string(outcome.status().message()));
      response.set_error_code(static_cast<int>(outcome.status().code()));
    } else {
      for (int64_t v : outcome->observation) response.add_observation(v);
      response.set_reward(outcome->reward);
      response.set_ir_instruction_count(outcome->ir_instruction_count);
      response.set_ir_o0(outcome->ir_o0);
      response.set_ir_oz(outcome->ir_oz);
      response.set_done(outcome->done);
      response.set_failure(outcome->failure);
    }
    if (!WriteFrame(out_fd, response.SerializeAsString())) return 1;
  }
  return 0;
}

}  // namespace passrl::actors
