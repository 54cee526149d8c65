#include "envs/pass_runner.h"

#include <cstdint>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/check.h"
#include "envs/action_space.h"
#include "envs/benchmark.h"
#include "envs/llvm_util.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Target/TargetMachine.h"

namespace passrl::envs {
namespace {

// What a pass would have to touch to change the module in memory: every global, function, argument,
// block and instruction by address, with its operands, users in use-list order (which later passes
// can see, and snapshots keep), types, attributes, flags and metadata (LLVM uniques constants,
// types and attribute lists, so a new one has a new address). Checks a pass's "preserved
// everything": LLVM 16's ipsccp replaces uses of constant arguments, instcombine can change an
// instruction, and iroutliner reorders use lists, while reporting that
// (tests/envs/all_actions_test.cc).
class Fingerprint {
 public:
  explicit Fingerprint(const llvm::Module& module) {
    for (const llvm::GlobalVariable& g : module.globals()) {
      Add(&g, g.getLinkage(), g.hasInitializer() ? g.getInitializer() : nullptr);
      AddUsers(g);
    }
    for (const llvm::Function& f : module) {
      Add(&f, f.getLinkage(), f.getAttributes().getRawPointer(), f.getFunctionType());
      AddUsers(f);
      for (const llvm::Argument& arg : f.args()) AddUsers(arg);
      for (const llvm::BasicBlock& block : f) {
        AddUsers(block);
        for (const llvm::Instruction& i : block) AddInstruction(i);
      }
    }
  }
  bool operator==(const Fingerprint& other) const { return hash_ == other.hash_; }

 private:
  void AddUsers(const llvm::Value& value) {
    Add(&value);
    for (const llvm::Use& use : value.uses()) Add(use.getUser(), use.getOperandNo());
  }
  void AddInstruction(const llvm::Instruction& i) {
    AddUsers(i);
    Add(i.getOpcode(), i.getType(), i.getRawSubclassOptionalData());
    for (const llvm::Use& use : i.operands()) Add(use.get());
    if (const auto* call = llvm::dyn_cast<llvm::CallBase>(&i)) {
      Add(call->getAttributes().getRawPointer(), call->getFunctionType());
    } else if (const auto* cmp = llvm::dyn_cast<llvm::CmpInst>(&i)) {
      Add(cmp->getPredicate());
    } else if (const auto* load = llvm::dyn_cast<llvm::LoadInst>(&i)) {
      Add(load->getAlign().value(), load->isVolatile());
    } else if (const auto* store = llvm::dyn_cast<llvm::StoreInst>(&i)) {
      Add(store->getAlign().value(), store->isVolatile());
    } else if (const auto* alloca = llvm::dyn_cast<llvm::AllocaInst>(&i)) {
      Add(alloca->getAlign().value(), alloca->getAllocatedType());
    }
    if (i.hasMetadata()) {
      llvm::SmallVector<std::pair<unsigned, llvm::MDNode*>, 4> attached;
      i.getAllMetadata(attached);
      for (const auto& [kind, node] : attached) Add(kind, node);
    }
  }
  template <typename... T>
  void Add(T... values) {
    (Mix(Bits(values)), ...);
  }
  template <typename T>
  static uint64_t Bits(T value) {
    if constexpr (std::is_pointer_v<T>) {
      return reinterpret_cast<uintptr_t>(value);
    } else {
      return static_cast<uint64_t>(value);
    }
  }
  void Mix(uint64_t x) { hash_ = (hash_ ^ x) * 0x100000001b3ULL + (hash_ >> 29); }

  uint64_t hash_ = 0xcbf29ce484222325ULL;
};

}  // namespace

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

bool PassRunner::Run(llvm::Module& module, int action) {
  PASSRL_CHECK(action >= 0 && action < kNumActions);
  if (Actions()[action].kind == ActionKind::kStop) return false;
  // Parsed afresh each time: some passes (the inliner wrappers) move their nested pass manager
  // out when they run, so a parsed pipeline cannot be run twice. Parsing costs microseconds.
  auto mpm = impl_->Parse(Actions()[action].pipeline);
  PASSRL_CHECK(mpm.ok());  // every pipeline parsed in Create
  const Fingerprint before(module);
  return !mpm->run(module, impl_->mam).areAllPreserved() || !(Fingerprint(module) == before);
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
