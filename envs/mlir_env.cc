#include "envs/mlir_env.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/hash.h"
#include "common/status_macros.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

namespace passrl::envs {
namespace {

const int kNumCounted = static_cast<int>(MlirCountedOps().size());

void RegisterPassesOnce() {
  static std::once_flag once;
  std::call_once(once, [] { mlir::registerAllPasses(); });
}

std::string LocationText(mlir::Location loc) {
  if (auto file = loc.dyn_cast<mlir::FileLineColLoc>()) {
    return absl::StrCat(file.getFilename().str(), ":", file.getLine(), ":", file.getColumn());
  }
  std::string s;
  llvm::raw_string_ostream os(s);
  loc.print(os);
  return os.str();
}

}  // namespace

absl::StatusOr<MlirReward> ParseMlirReward(absl::string_view name) {
  if (name == "OpCount") return MlirReward::kOpCount;
  if (name == "OpCountNorm") return MlirReward::kOpCountNorm;
  if (name == "OpCountLog") return MlirReward::kOpCountLog;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown MLIR reward '", name, "' (OpCount, OpCountNorm or OpCountLog)"));
}

absl::Status MlirEnvOptions::Validate() const {
  if (max_steps < 0) return absl::InvalidArgumentError("max_steps must be >= 0");
  if (lowering.empty()) return absl::InvalidArgumentError("the lowering pipeline is empty");
  return absl::OkStatus();
}

struct MlirEnv::Impl {
  Impl() : context(Registry(), mlir::MLIRContext::Threading::DISABLED) {
    handler = std::make_unique<mlir::ScopedDiagnosticHandler>(&context, [this](mlir::Diagnostic& d) {
      absl::StrAppend(&diagnostics, diagnostics.empty() ? "" : "; ", LocationText(d.getLocation()),
                      ": ", d.str());
      return mlir::success();
    });
  }
  static mlir::DialectRegistry Registry() {
    mlir::DialectRegistry registry;
    mlir::registerAllDialects(registry);
    return registry;
  }
  // A pass manager for pipeline text; InvalidArgument with the parser's message.
  absl::StatusOr<std::unique_ptr<mlir::PassManager>> Parse(absl::string_view pipeline) {
    auto pm = std::make_unique<mlir::PassManager>(&context);
    std::string error;
    llvm::raw_string_ostream os(error);
    if (mlir::failed(mlir::parsePassPipeline(llvm::StringRef(pipeline.data(), pipeline.size()), *pm, os))) {
      return absl::InvalidArgumentError(absl::StrCat("pass pipeline '", pipeline, "': ", os.str()));
    }
    return pm;
  }
  // Runs `pm`, returning its diagnostics on failure (the module is then in an unknown state).
  absl::Status RunInPlace(mlir::PassManager& pm) {
    diagnostics.clear();
    if (mlir::succeeded(pm.run(*module))) return absl::OkStatus();
    return absl::AbortedError(diagnostics.empty() ? "the pass failed" : diagnostics);
  }
  // Runs `pm`; on failure the module is restored (from a copy taken first) and the diagnostics
  // are returned.
  absl::Status Run(mlir::PassManager& pm) {
    mlir::OwningOpRef<mlir::ModuleOp> backup = module->clone();
    absl::Status s = RunInPlace(pm);
    if (!s.ok()) module = std::move(backup);
    return s;
  }
  int64_t Count() {
    int64_t n = 0;
    module->walk([&](mlir::func::FuncOp f) {
      if (!f.getBody().empty()) n += static_cast<int64_t>(f.getBody().front().getOperations().size()) - 1;
    });
    return n;
  }

  // The observation's histogram slot of an op name (kNumCounted: "other"), cached per name.
  int Slot(mlir::OperationName name) {
    auto [it, inserted] = slots.try_emplace(name.getAsOpaquePointer(), kNumCounted);
    if (inserted) {
      const llvm::StringRef text = name.getStringRef();
      for (int i = 0; i < kNumCounted; ++i) {
        if (MlirCountedOps()[i] == absl::string_view(text.data(), text.size())) it->second = i;
      }
    }
    return it->second;
  }

  mlir::MLIRContext context;
  llvm::DenseMap<const void*, int> slots;  // by mlir::OperationName
  std::unique_ptr<mlir::ScopedDiagnosticHandler> handler;
  std::string diagnostics;
  std::vector<std::unique_ptr<mlir::PassManager>> actions;  // by id; null for stop
  std::unique_ptr<mlir::PassManager> lowering, reference;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  // The episode's start: a failed step is undone by replaying the steps that succeeded on a copy
  // of it (passes are deterministic), so successful steps copy nothing.
  std::shared_ptr<mlir::OwningOpRef<mlir::ModuleOp>> start;  // shared with snapshots
};

class MlirEnv::Snapshot {
 public:
  mutable mlir::OwningOpRef<mlir::ModuleOp> module;  // cloned from, never changed
  std::vector<int> actions;
  std::vector<size_t> failed;
  std::shared_ptr<mlir::OwningOpRef<mlir::ModuleOp>> start;
  int64_t failed_steps = 0;
  bool done = false;
};

MlirEnv::MlirEnv(const MlirEnvOptions& options, std::unique_ptr<Impl> impl)
    : options_(options), impl_(std::move(impl)) {}
MlirEnv::~MlirEnv() = default;

absl::StatusOr<std::unique_ptr<MlirEnv>> MlirEnv::Create(const MlirEnvOptions& options) {
  PASSRL_RETURN_IF_ERROR(options.Validate());
  RegisterPassesOnce();
  auto impl = std::make_unique<Impl>();
  for (const ActionSpec& a : MlirActions()) {
    if (a.kind == ActionKind::kStop) {
      impl->actions.push_back(nullptr);
      continue;
    }
    auto o = options.pipeline_overrides.find(static_cast<int>(impl->actions.size()));
    PASSRL_ASSIGN_OR_RETURN(auto pm, impl->Parse(o == options.pipeline_overrides.end() ? a.pipeline : o->second));
    impl->actions.push_back(std::move(pm));
  }
  PASSRL_ASSIGN_OR_RETURN(impl->lowering, impl->Parse(options.lowering));
  PASSRL_ASSIGN_OR_RETURN(impl->reference, impl->Parse(options.reference));
  return std::unique_ptr<MlirEnv>(new MlirEnv(options, std::move(impl)));
}

bool MlirEnv::in_episode() const { return impl_->module && !done_; }

absl::StatusOr<Observation> MlirEnv::Reset(const Benchmark& benchmark) {
  impl_->module = nullptr;
  impl_->diagnostics.clear();
  llvm::SourceMgr sources;
  sources.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(benchmark.bitcode, benchmark.name),
                             llvm::SMLoc());
  impl_->module = mlir::parseSourceFile<mlir::ModuleOp>(sources, mlir::ParserConfig(&impl_->context));
  if (!impl_->module) {
    return absl::InvalidArgumentError(absl::StrCat("malformed MLIR: ", impl_->diagnostics));
  }
  if (absl::Status s = impl_->Run(*impl_->lowering); !s.ok()) {
    impl_->module = nullptr;
    return absl::InvalidArgumentError(absl::StrCat(benchmark.name, ": the lowering failed: ", s.message()));
  }
  baselines_.start = impl_->Count();
  mlir::OwningOpRef<mlir::ModuleOp> lowered = impl_->module->clone();
  if (absl::Status s = impl_->Run(*impl_->reference); !s.ok()) {
    impl_->module = nullptr;
    return absl::InvalidArgumentError(absl::StrCat(benchmark.name, ": the reference pipeline failed: ", s.message()));
  }
  baselines_.reference = impl_->Count();
  impl_->start = std::make_shared<mlir::OwningOpRef<mlir::ModuleOp>>(lowered->clone());
  impl_->module = std::move(lowered);
  actions_.clear();
  failed_.clear();
  failed_steps_ = 0;
  done_ = false;
  return Observe();
}

double MlirEnv::RewardFor(int64_t previous, int64_t now) const {
  switch (options_.reward) {
    case MlirReward::kOpCount:
      return static_cast<double>(previous - now);
    case MlirReward::kOpCountNorm: {
      const double scale = std::max<int64_t>(1, baselines_.start - baselines_.reference);
      return static_cast<double>(previous - now) / scale;
    }
    case MlirReward::kOpCountLog:
      return std::log(std::max<int64_t>(previous, 1)) - std::log(std::max<int64_t>(now, 1));
  }
  return 0;
}

absl::StatusOr<StepResult> MlirEnv::Step(int action) {
  if (action < 0 || action >= static_cast<int>(MlirActions().size())) {
    return absl::InvalidArgumentError(absl::StrCat("MLIR action id ", action, " out of range [0, ",
                                                   MlirActions().size(), ")"));
  }
  if (!in_episode()) return absl::FailedPreconditionError("Step outside an episode: call Reset");
  StepResult result;
  actions_.push_back(action);
  const int64_t before = impl_->Count();
  if (action == MlirStopAction()) {
    done_ = true;
  } else if (absl::Status s = impl_->RunInPlace(*impl_->actions[action]); !s.ok()) {
    ++failed_steps_;
    result.info.failure = absl::StrCat(MlirActions()[action].name, " failed: ", s.message());
    PASSRL_RETURN_IF_ERROR(Replay());
  }
  const int64_t after = impl_->Count();
  result.reward = RewardFor(before, after);
  if (options_.max_steps > 0 && static_cast<int>(actions_.size()) >= options_.max_steps) done_ = true;
  result.done = done_;
  result.info.step = static_cast<int>(actions_.size());
  result.info.ir_instruction_count = after;
  result.info.cost = static_cast<double>(after);
  result.observation = Observe();
  return result;
}

absl::Status MlirEnv::Replay() {
  impl_->module = (*impl_->start)->clone();
  for (size_t i = 0; i + 1 < actions_.size(); ++i) {  // the last one is the step that failed
    const int a = actions_[i];
    if (a == MlirStopAction() || std::find(failed_.begin(), failed_.end(), i) != failed_.end()) continue;
    if (absl::Status s = impl_->RunInPlace(*impl_->actions[a]); !s.ok()) {
      return absl::InternalError(absl::StrCat("replaying ", MlirActions()[a].name,
                                              " after a failed step: ", s.message()));
    }
  }
  failed_.push_back(actions_.size() - 1);
  return absl::OkStatus();
}

// One pass over the module: function bodies' ops by name, then the statistics (docs/MLIR.md).
Observation MlirEnv::Observe() const {
  Observation obs;
  obs.values.assign(MlirFeatureNames().size(), 0);
  int64_t* stats = obs.values.data() + kNumCounted + 1;
  auto subtree = [](mlir::Operation& op) {  // the op and every op nested in it
    if (op.getNumRegions() == 0) return int64_t{1};
    int64_t n = 0;
    op.walk([&](mlir::Operation*) { ++n; });
    return n;
  };
  stats[1] = 1;  // the module
  for (mlir::Operation& top : impl_->module->getBody()->getOperations()) {
    auto f = llvm::dyn_cast<mlir::func::FuncOp>(top);
    if (!f || f.getBody().empty()) {
      stats[1] += subtree(top);
      continue;
    }
    stats[1] += 1;
    stats[4] += static_cast<int64_t>(f.getNumArguments());
    for (mlir::Operation& op : f.getBody().front()) {
      const int64_t size = subtree(op);
      stats[1] += size;
      if (op.hasTrait<mlir::OpTrait::IsTerminator>()) continue;
      const int slot = impl_->Slot(op.getName());
      ++obs.values[slot];
      ++stats[0];
      if (slot < kNumCounted && MlirCountedOps()[slot] == "linalg.generic") {
        ++stats[2];
        stats[3] += size - 1;
      }
    }
  }
  stats[5] = baselines_.start;
  stats[6] = baselines_.reference;
  return obs;
}

absl::Status MlirEnv::RunPipeline(absl::string_view pipeline) {
  if (!impl_->module) return absl::FailedPreconditionError("RunPipeline before Reset");
  PASSRL_ASSIGN_OR_RETURN(auto pm, impl_->Parse(pipeline));
  return impl_->Run(*pm);
}

int64_t MlirEnv::OpCount() const { return impl_->module ? impl_->Count() : 0; }

std::string MlirEnv::Ir() const {
  if (!impl_->module) return "";
  std::string s;
  llvm::raw_string_ostream os(s);
  impl_->module->print(os);
  return os.str();
}

uint64_t MlirEnv::IrHash() const { return Fnv1a64(Ir()); }

std::shared_ptr<const MlirEnv::Snapshot> MlirEnv::TakeSnapshot() const {
  auto s = std::make_shared<Snapshot>();
  if (impl_->module) s->module = impl_->module->clone();
  s->actions = actions_;
  s->failed = failed_;
  s->start = impl_->start;
  s->failed_steps = failed_steps_;
  s->done = done_;
  return s;
}

void MlirEnv::Restore(const Snapshot& snapshot) {
  impl_->module = snapshot.module ? snapshot.module->clone() : nullptr;
  actions_ = snapshot.actions;
  failed_ = snapshot.failed;
  impl_->start = snapshot.start;
  failed_steps_ = snapshot.failed_steps;
  done_ = snapshot.done;
}

}  // namespace passrl::envs
