#include "envs/llvm_env.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/check.h"
#include "common/hash.h"
#include "common/status_macros.h"
#include "envs/action_space.h"
#include "envs/codegen.h"
#include "envs/content_hash.h"
#include "envs/features.h"
#include "envs/llvm_util.h"
#include "envs/pass_runner.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/PrettyStackTrace.h"
#include "llvm/Target/TargetMachine.h"

namespace passrl::envs {

struct LlvmEnv::Impl {
  ~Impl() { Drop(); }
  // Ends the episode's module and starts a fresh context, so that nothing (named struct types,
  // constants) carries over from one episode to the next: episodes are reproducible.
  void Drop() {
    if (runner) runner->Invalidate();
    module.reset();
    context = std::make_unique<llvm::LLVMContext>();
  }
  std::unique_ptr<llvm::LLVMContext> context = std::make_unique<llvm::LLVMContext>();
  std::unique_ptr<llvm::Module> module;
  std::unique_ptr<llvm::TargetMachine> tm;
  std::unique_ptr<PassRunner> runner;
  std::string triple;  // of `tm`
  std::unique_ptr<RuntimeEvaluator> runtime;
  std::map<uint64_t, RuntimeBaselines> runtime_baselines;  // by benchmark hash
};

class LlvmEnv::Snapshot {
 public:
  // Bitcode with use-list order preserved: passes iterate over users, so a restored module must
  // have the same use lists as the original to behave identically (CloneModule does not keep them).
  std::string bitcode;
  std::vector<int> actions;
  std::vector<int64_t> histogram;
  double cost = 0;
  Binary runtime_binary;  // paired runtime reward: the state's executable
};

absl::Status EnvOptions::Validate() const {
  if (max_steps < 0) {
    return absl::InvalidArgumentError(absl::StrCat("max_steps must be >= 0, got ", max_steps));
  }
  PASSRL_RETURN_IF_ERROR(StartPipeline(start).status());
  return Spec(reward).runtime ? runtime.Validate() : absl::OkStatus();
}

LlvmEnv::LlvmEnv(const EnvOptions& options, std::unique_ptr<Impl> impl)
    : options_(options), impl_(std::move(impl)) {}
LlvmEnv::~LlvmEnv() = default;

absl::StatusOr<std::unique_ptr<LlvmEnv>> LlvmEnv::Create(const EnvOptions& options) {
  absl::Status valid = options.Validate();
  if (!valid.ok()) return valid;
  InitializeLlvm();
  return std::unique_ptr<LlvmEnv>(new LlvmEnv(options, std::make_unique<Impl>()));
}

bool LlvmEnv::in_episode() const { return impl_->module != nullptr; }

absl::StatusOr<Observation> LlvmEnv::Reset(const Benchmark& benchmark) {
  impl_->Drop();
  auto baselines = GetBaselines(benchmark, options_.cache_dir);
  if (!baselines.ok()) return baselines.status();
  auto module = ParseBitcode(benchmark.bitcode, *impl_->context, benchmark.name);
  if (!module.ok()) return module.status();
  // One TargetMachine and pass runner per target triple, reused across episodes.
  if (!impl_->tm || impl_->triple != (*module)->getTargetTriple()) {
    impl_->runner.reset();
    auto tm = CreateTargetMachine(**module);
    if (!tm.ok()) return tm.status();
    impl_->tm = std::move(*tm);
    impl_->triple = (*module)->getTargetTriple();
    auto runner = PassRunner::Create(impl_->tm.get());
    if (!runner.ok()) return runner.status();
    impl_->runner = std::move(*runner);
  }
  impl_->module = std::move(*module);
  if (const std::string pipeline = *StartPipeline(options_.start); !pipeline.empty()) {
    absl::Status ran = impl_->runner->RunPipeline(*impl_->module, pipeline);
    impl_->runner->Invalidate();
    if (!ran.ok()) {
      impl_->Drop();
      return ran;
    }
  }
  benchmark_ = benchmark;
  baselines_ = *baselines;
  actions_.clear();
  histogram_.assign(kNumActions, 0);
  if (Spec(options_.reward).runtime) {
    absl::Status runtime = EnsureRuntimeBaselines();
    if (!runtime.ok()) {
      impl_->Drop();
      return runtime;
    }
    cost_ = runtime_baselines_.o0_seconds;  // the start state is the -O0 program
    if (options_.start != "O0") {  // measured once (cached by object code)
      auto start = impl_->runtime->Evaluate(*impl_->module, *impl_->tm,
                                            &runtime_baselines_.reference);
      if (!start.ok() || start->verdict != Verdict::kOk) {
        impl_->Drop();
        return start.ok() ? absl::FailedPreconditionError(absl::StrCat(
                                benchmark.name, ": the -", options_.start,
                                " start state fails: ", start->detail))
                          : start.status();
      }
      cost_ = start->time.median;
    }
    if (options_.runtime.paired_reward) {
      auto binary = impl_->runtime->Prepare(*impl_->module, *impl_->tm);
      if (!binary.ok()) {
        impl_->Drop();
        return binary.status();
      }
      runtime_binary_ = *std::move(binary);
    }
  } else {
    auto cost = Cost(options_.reward);
    if (!cost.ok()) return cost.status();
    cost_ = *cost;
  }
  return Observe(options_.observation);
}

absl::StatusOr<StepResult> LlvmEnv::Step(int action) {
  if (!in_episode()) return absl::FailedPreconditionError("Step before Reset");
  if (action < 0 || action >= kNumActions) {
    return absl::InvalidArgumentError(
        absl::StrCat("action id ", action, " out of range [0, ", kNumActions, ")"));
  }
  if (options_.max_steps > 0 && static_cast<int>(actions_.size()) >= options_.max_steps) {
    return absl::FailedPreconditionError("the episode is over (max_steps reached); call Reset");
  }
  actions_.push_back(action);
  if (Actions()[action].kind == ActionKind::kStop) return Stop();
  bool changed = false;
  {
    // If the pass crashes, LLVM's crash handler prints this line: enough to reproduce it.
    const std::string crash_context =
        absl::StrCat("passrl: running pass '", Actions()[action].name, "' on benchmark ",
                     benchmark_.name, " after actions [", FormatActionList(actions_), "]\n");
    llvm::PrettyStackTraceString trace(crash_context.c_str());
    changed = impl_->runner->Run(*impl_->module, action);
  }
  ++histogram_[action];
  if (options_.verify_each_step) {
    absl::Status verified = VerifyModule(*impl_->module, benchmark_.name);
    if (!verified.ok()) {
      return absl::InternalError(
          absl::StrCat("pass '", Actions()[action].name, "' produced invalid IR after actions [",
                       FormatActionList(actions_), "]: ", verified.message()));
    }
  }
  StepResult result;
  result.info.changed = changed;
  auto observation = Observe(options_.observation);
  if (!observation.ok()) return observation.status();
  result.observation = std::move(*observation);
  // Both feature vectors hold the instruction count: reuse it rather than walk the IR again.
  const std::vector<int64_t>& values = result.observation.values;
  int64_t ir_count = -1;
  if (options_.observation == ObservationSpace::kAutophase) ir_count = values[kAutophaseTotalInsts];
  if (options_.observation == ObservationSpace::kInstCount) ir_count = values[0];
  if (ir_count < 0) ir_count = IrInstructionCount();
  double cost = static_cast<double>(ir_count);
  result.done = options_.max_steps > 0 && static_cast<int>(actions_.size()) >= options_.max_steps;
  if (Spec(options_.reward).object_size) {
    auto text = Cost(options_.reward);
    if (!text.ok()) return text.status();
    cost = *text;
  } else if (Spec(options_.reward).runtime) {
    auto step_cost = RuntimeStepCost(result);
    if (!step_cost.ok()) return step_cost.status();
    if (!result.info.failure.empty()) {  // a miscompile, crash or timeout: penalty, episode ends
      result.reward = options_.runtime.failure_penalty;
      result.done = true;
      result.info.step = static_cast<int>(actions_.size());
      result.info.cost = cost_;
      result.info.ir_instruction_count = ir_count;
      return result;
    }
    cost = *step_cost;
  }
  result.reward = RewardFor(cost_, cost);
  cost_ = cost;
  result.info.step = static_cast<int>(actions_.size());
  result.info.cost = cost_;
  result.info.ir_instruction_count = ir_count;
  return result;
}

absl::StatusOr<double> LlvmEnv::RuntimeStepCost(StepResult& result) {
  double cost = cost_;
  if (options_.runtime.paired_reward) {
    PASSRL_ASSIGN_OR_RETURN(Binary binary, impl_->runtime->Prepare(*impl_->module, *impl_->tm));
    PASSRL_ASSIGN_OR_RETURN(last_paired_, impl_->runtime->Compare(binary, runtime_binary_,
                                                                  &runtime_baselines_.reference));
    result.info.paired = &last_paired_;
    last_runtime_ = {};  // what LogFailure reports
    last_runtime_.verdict = last_paired_.verdict;
    last_runtime_.detail = last_paired_.detail;
    // The binary compared against moves on with a significant change only (or every change,
    // when insignificant ones are worth their estimate): small gains add up against it until
    // they become significant, rather than each being written off as noise.
    if (last_paired_.verdict == Verdict::kOk &&
        (last_paired_.time.significant() ||
         options_.runtime.insignificant == Insignificant::kEstimate)) {
      runtime_binary_ = std::move(binary);
      cost = cost_ / last_paired_.RewardSpeedup(options_.runtime.insignificant);
    }
  } else {
    PASSRL_ASSIGN_OR_RETURN(last_runtime_, MeasureRuntime());
    result.info.runtime = &last_runtime_;
    cost = last_runtime_.time.median;
  }
  if (last_runtime_.verdict != Verdict::kOk) {
    result.info.failure =
        absl::StrCat(VerdictName(last_runtime_.verdict), ": ", last_runtime_.detail);
    impl_->runtime->LogFailure(benchmark_.name, FormatActionList(actions_), last_runtime_);
  }
  return cost;
}

absl::Status LlvmEnv::RunPipeline(absl::string_view pipeline) {
  if (!in_episode()) return absl::FailedPreconditionError("RunPipeline before Reset");
  absl::Status ran = impl_->runner->RunPipeline(*impl_->module, pipeline);
  impl_->runner->Invalidate();
  if (!ran.ok()) return ran;
  PASSRL_ASSIGN_OR_RETURN(cost_, Cost(options_.reward));
  if (Spec(options_.reward).runtime && options_.runtime.paired_reward) {
    PASSRL_ASSIGN_OR_RETURN(runtime_binary_, impl_->runtime->Prepare(*impl_->module, *impl_->tm));
  }
  return absl::OkStatus();
}

absl::StatusOr<StepResult> LlvmEnv::Stop() {
  ++histogram_[actions_.back()];
  StepResult result;
  auto observation = Observe(options_.observation);
  if (!observation.ok()) return observation.status();
  result.observation = std::move(*observation);
  result.done = true;  // reward 0: the module is unchanged
  result.info.step = static_cast<int>(actions_.size());
  result.info.cost = cost_;
  result.info.ir_instruction_count = IrInstructionCount();
  return result;
}

double LlvmEnv::RewardFor(double previous_cost, double cost) const {
  const RewardSpec& spec = Spec(options_.reward);
  if (spec.log && spec.runtime) return std::log(previous_cost / cost);  // seconds: > 0
  if (spec.log) return std::log(std::max(previous_cost, 1.0)) - std::log(std::max(cost, 1.0));
  const double delta = previous_cost - cost;
  if (!spec.normalized) return delta;
  if (spec.runtime) return delta / std::max(runtime_baselines_.o3_seconds, 1e-9);
  return delta / NormalizationScale(spec.object_size ? baselines_.text_o0 : baselines_.ir_o0,
                                    spec.object_size ? baselines_.text_oz : baselines_.ir_oz);
}

absl::StatusOr<Observation> LlvmEnv::Observe(ObservationSpace space) const {
  if (!in_episode()) return absl::FailedPreconditionError("Observe before Reset");
  Observation obs;
  switch (space) {
    case ObservationSpace::kAutophase:
      obs.values = ComputeAutophase(*impl_->module);
      break;
    case ObservationSpace::kInstCount:
      obs.values = ComputeInstCount(*impl_->module);
      break;
    case ObservationSpace::kActionHistogram:
      obs.values = histogram_;
      break;
    case ObservationSpace::kIr:
      obs.text = PrintIr(*impl_->module);
      break;
  }
  return obs;
}

absl::StatusOr<double> LlvmEnv::Cost(RewardSpace space) {
  if (!in_episode()) return absl::FailedPreconditionError("Cost before Reset");
  if (Spec(space).object_size) {
    auto text = ObjectTextSizeBytes(*impl_->module, *impl_->tm);
    if (!text.ok()) return text.status();
    return static_cast<double>(*text);
  }
  if (Spec(space).runtime) {
    auto measured = MeasureRuntime();
    if (!measured.ok()) return measured.status();
    if (measured->verdict != Verdict::kOk) {
      return absl::FailedPreconditionError(absl::StrCat(
          benchmark_.name, ": ", VerdictName(measured->verdict), ": ", measured->detail));
    }
    return measured->time.median;
  }
  return static_cast<double>(CountInstructions(*impl_->module));
}

absl::StatusOr<RuntimeResult> LlvmEnv::MeasureRuntime() {
  if (!in_episode()) return absl::FailedPreconditionError("MeasureRuntime before Reset");
  PASSRL_RETURN_IF_ERROR(EnsureRuntimeBaselines());
  return impl_->runtime->Evaluate(*impl_->module, *impl_->tm, &runtime_baselines_.reference);
}

absl::StatusOr<Binary> LlvmEnv::BuildBinary() {
  if (!in_episode()) return absl::FailedPreconditionError("BuildBinary before Reset");
  PASSRL_RETURN_IF_ERROR(EnsureRuntimeBaselines());
  return impl_->runtime->Prepare(*impl_->module, *impl_->tm);
}

absl::StatusOr<PairedResult> LlvmEnv::CompareBinaries(const Binary& a, const Binary& b) {
  if (!in_episode()) return absl::FailedPreconditionError("CompareBinaries before Reset");
  PASSRL_RETURN_IF_ERROR(EnsureRuntimeBaselines());
  return impl_->runtime->Compare(a, b, &runtime_baselines_.reference);
}

absl::Status LlvmEnv::EnsureRuntimeBaselines() {
  PASSRL_RETURN_IF_ERROR(RequireRunnable(benchmark_));
  if (auto it = impl_->runtime_baselines.find(benchmark_.hash);
      it != impl_->runtime_baselines.end()) {
    runtime_baselines_ = it->second;
    return absl::OkStatus();
  }
  if (!impl_->runtime) {
    PASSRL_ASSIGN_OR_RETURN(impl_->runtime, RuntimeEvaluator::Create(options_.runtime));
  }
  // -O0 (the episode's start state) gives the reference output; -O3 the normalisation.
  llvm::LLVMContext context;
  PASSRL_ASSIGN_OR_RETURN(auto o0_module,
                          OptimizedCopy(benchmark_, nullptr, context, impl_->tm.get()));
  auto o0 = impl_->runtime->Evaluate(*o0_module, *impl_->tm, nullptr);
  if (!o0.ok()) return o0.status();
  if (o0->verdict != Verdict::kOk) {
    return absl::FailedPreconditionError(absl::StrCat(
        benchmark_.name, " fails at -O0 (", VerdictName(o0->verdict), ": ", o0->detail, ")"));
  }
  if (o0->time.median < options_.runtime.min_run_seconds) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s runs for %.1f ms at -O0, below the %.0f ms floor (runtime.min_run_seconds): too "
        "short to time against process start-up; use a size reward for it",
        benchmark_.name, o0->time.median * 1e3, options_.runtime.min_run_seconds * 1e3));
  }
  RuntimeBaselines b;
  b.o0_seconds = o0->time.median;
  b.reference = {o0->output, o0->exit_code};
  auto o3 = OptimizedCopy(benchmark_, "default<O3>", context, impl_->tm.get());
  if (!o3.ok()) return o3.status();
  auto measured = impl_->runtime->Evaluate(**o3, *impl_->tm, &b.reference);
  if (!measured.ok()) return measured.status();
  if (measured->verdict != Verdict::kOk) {
    return absl::FailedPreconditionError(
        absl::StrCat(benchmark_.name, ": the -O3 build ", VerdictName(measured->verdict), " (",
                     measured->detail, "); the program likely has undefined behaviour"));
  }
  b.o3_seconds = measured->time.median;
  PASSRL_ASSIGN_OR_RETURN(b.o3_binary, impl_->runtime->Prepare(**o3, *impl_->tm, /*keep=*/true));
  impl_->runtime_baselines[benchmark_.hash] = b;
  runtime_baselines_ = b;
  return absl::OkStatus();
}

int64_t LlvmEnv::IrInstructionCount() const {
  return in_episode() ? CountInstructions(*impl_->module) : 0;
}
uint64_t LlvmEnv::IrHash() const { return Fnv1a64(Ir()); }
uint64_t LlvmEnv::StateHash() const {
  return in_episode() ? envs::ContentHash(*impl_->module) : 0;
}
std::string LlvmEnv::Ir() const { return in_episode() ? PrintIr(*impl_->module) : ""; }
absl::StatusOr<std::string> LlvmEnv::EmitObject() const {
  if (!in_episode()) return absl::FailedPreconditionError("EmitObject before Reset");
  return envs::EmitObject(*impl_->module, *impl_->tm);
}
std::string LlvmEnv::Bitcode() const { return in_episode() ? WriteBitcode(*impl_->module) : ""; }

std::shared_ptr<const LlvmEnv::Snapshot> LlvmEnv::TakeSnapshot() const {
  auto snapshot = std::make_shared<Snapshot>();
  if (in_episode()) snapshot->bitcode = WriteBitcode(*impl_->module, /*preserve_use_lists=*/true);
  snapshot->actions = actions_;
  snapshot->histogram = histogram_;
  snapshot->cost = cost_;
  snapshot->runtime_binary = runtime_binary_;
  return snapshot;
}

size_t LlvmEnv::SnapshotBytes(const Snapshot& snapshot) {
  return sizeof(Snapshot) + snapshot.bitcode.size() + snapshot.actions.size() * sizeof(int) +
         snapshot.histogram.size() * sizeof(int64_t);
}

void LlvmEnv::Restore(const Snapshot& snapshot) {
  impl_->Drop();
  if (!snapshot.bitcode.empty()) {
    auto module =
        ParseBitcode(snapshot.bitcode, *impl_->context, benchmark_.name, /*verify=*/false);
    PASSRL_CHECK(module.ok());  // we wrote it
    impl_->module = std::move(*module);
  }
  actions_ = snapshot.actions;
  histogram_ = snapshot.histogram;
  cost_ = snapshot.cost;
  runtime_binary_ = snapshot.runtime_binary;
}

}  // namespace passrl::envs
