#include "envs/pass_runner.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/check.h"
#include "envs/action_space.h"
#include "envs/benchmark.h"
#include "envs/llvm_util.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Target/TargetMachine.h"

namespace passrl::envs {

struct PassRunner::Impl {
  explicit Impl(llvm::TargetMachine* tm) : pb(tm) {
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
  }
  absl::StatusOr<llvm::ModulePassManager> Parse(absl::string_view text) {
    llvm::ModulePassManager mpm;
    llvm::Error err = pb.parsePassPipeline(mpm, llvm::StringRef(text.data(), text.size()));
    if (err) return ToStatus(std::move(err), absl::StrCat("pipeline '", text, "'"));
    return mpm;
  }
  void Clear() {
    lam.clear();
    fam.clear();
    cgam.clear();
    mam.clear();
  }

  llvm::PassBuilder pb;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
};

PassRunner::PassRunner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PassRunner::~PassRunner() { impl_->Clear(); }

absl::StatusOr<std::unique_ptr<PassRunner>> PassRunner::Create(llvm::TargetMachine* tm) {
  auto impl = std::make_unique<Impl>(tm);
  for (const ActionSpec& action : Actions()) {
    if (action.kind == ActionKind::kStop) continue;  // runs nothing
    auto mpm = impl->Parse(action.pipeline);
    if (!mpm.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("action '", action.name, "': ", mpm.status().message()));
    }
  }
  return std::unique_ptr<PassRunner>(new PassRunner(std::move(impl)));
}

void PassRunner::Run(llvm::Module& module, int action) {
  PASSRL_CHECK(action >= 0 && action < kNumActions);
  if (Actions()[action].kind == ActionKind::kStop) return;
  // Parsed afresh each time: some passes (the inliner wrappers) move their nested pass manager
  // out when they run, so a parsed pipeline cannot be run twice. Parsing costs microseconds.
  auto mpm = impl_->Parse(Actions()[action].pipeline);
  PASSRL_CHECK(mpm.ok());  // every pipeline parsed in Create
  mpm->run(module, impl_->mam);
}

absl::Status PassRunner::RunPipeline(llvm::Module& module, absl::string_view pipeline) {
  auto mpm = impl_->Parse(pipeline);
  if (!mpm.ok()) return mpm.status();
  mpm->run(module, impl_->mam);
  return absl::OkStatus();
}

void PassRunner::Invalidate() { impl_->Clear(); }

absl::StatusOr<std::unique_ptr<llvm::Module>> OptimizedCopy(const Benchmark& benchmark,
                                                            const char* pipeline,
                                                            llvm::LLVMContext& context,
                                                            llvm::TargetMachine* tm) {
  auto module = ParseBitcode(benchmark.bitcode, context, benchmark.name);
  if (!module.ok() || pipeline == nullptr) return module;
  auto runner = PassRunner::Create(tm);
  if (!runner.ok()) return runner.status();
  absl::Status ran = (*runner)->RunPipeline(**module, pipeline);
  (*runner)->Invalidate();
  if (!ran.ok()) return ran;
  return module;
}

}  // namespace passrl::envs
