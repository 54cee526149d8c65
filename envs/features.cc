#include "envs/features.h"

#include "llvm/Analysis/CFG.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"

namespace passrl::envs {
namespace {

enum AutophaseIndex {
#define PASSRL_AUTOPHASE(name, description) k##name,
#include "envs/autophase.def"
#undef PASSRL_AUTOPHASE
  kAutophaseCount
};
static_assert(kAutophaseCount == kAutophaseSize, "autophase.def must list 56 features");
static_assert(kTotalInsts == kAutophaseTotalInsts,
              "kAutophaseTotalInsts must follow autophase.def");

constexpr unsigned kNumOpcodes = llvm::Instruction::OtherOpsEnd - 1;  // opcodes are 1-based
static_assert(kNumOpcodes + 3 == kInstCountSize, "InstCount is 3 totals + one per opcode");

void CountOperandConstants(const llvm::Instruction& inst, std::vector<int64_t>& f) {
  for (const llvm::Use& use : inst.operands()) {
    const auto* c = llvm::dyn_cast<llvm::ConstantInt>(use.get());
    if (c == nullptr) continue;
    unsigned bits = c->getBitWidth();
    if (bits == 32) ++f[kconst32Bit];
    if (bits == 64) ++f[kconst64Bit];
    if (c->isZero()) ++f[knumConstZeroes];
    if (c->isOne()) ++f[knumConstOnes];
  }
}

void CountOpcode(const llvm::Instruction& inst, std::vector<int64_t>& f) {
  switch (inst.getOpcode()) {
    case llvm::Instruction::AShr:
      ++f[kNumAShrInst];
      break;
    case llvm::Instruction::Add:
      ++f[kNumAddInst];
      break;
    case llvm::Instruction::Alloca:
      ++f[kNumAllocaInst];
      break;
    case llvm::Instruction::And:
      ++f[kNumAndInst];
      break;
    case llvm::Instruction::BitCast:
      ++f[kNumBitCastInst];
      break;
    case llvm::Instruction::Br:
      ++f[kNumBrInst];
      break;
    case llvm::Instruction::Call:
      ++f[kNumCallInst];
      break;
    case llvm::Instruction::GetElementPtr:
      ++f[kNumGetElementPtrInst];
      break;
    case llvm::Instruction::ICmp:
      ++f[kNumICmpInst];
      break;
    case llvm::Instruction::LShr:
      ++f[kNumLShrInst];
      break;
    case llvm::Instruction::Load:
      ++f[kNumLoadInst];
      break;
    case llvm::Instruction::Mul:
      ++f[kNumMulInst];
      break;
    case llvm::Instruction::Or:
      ++f[kNumOrInst];
      break;
    case llvm::Instruction::PHI:
      ++f[kNumPHIInst];
      break;
    case llvm::Instruction::Ret:
      ++f[kNumRetInst];
      break;
    case llvm::Instruction::SExt:
      ++f[kNumSExtInst];
      break;
    case llvm::Instruction::Select:
      ++f[kNumSelectInst];
      break;
    case llvm::Instruction::Shl:
      ++f[kNumShlInst];
      break;
    case llvm::Instruction::Store:
      ++f[kNumStoreInst];
      break;
    case llvm::Instruction::Sub:
      ++f[kNumSubInst];
      break;
    case llvm::Instruction::Trunc:
      ++f[kNumTruncInst];
      break;
    case llvm::Instruction::Xor:
      ++f[kNumXorInst];
      break;
    case llvm::Instruction::ZExt:
      ++f[kNumZExtInst];
      break;
    default:
      break;
  }
}

void CountInstruction(const llvm::Instruction& inst, std::vector<int64_t>& f) {
  ++f[kTotalInsts];
  CountOpcode(inst, f);
  CountOperandConstants(inst, f);
  if (inst.isBinaryOp() && (llvm::isa<llvm::Constant>(inst.getOperand(0)) ||
                            llvm::isa<llvm::Constant>(inst.getOperand(1)))) {
    ++f[kbinaryConstArg];
  }
  if (llvm::isa<llvm::UnaryInstruction>(inst)) ++f[ktestUnary];
  if (llvm::isa<llvm::AllocaInst, llvm::LoadInst, llvm::StoreInst, llvm::GetElementPtrInst,
                llvm::FenceInst, llvm::AtomicCmpXchgInst, llvm::AtomicRMWInst>(inst)) {
    ++f[kTotalMemInst];
  }
  if (const auto* br = llvm::dyn_cast<llvm::BranchInst>(&inst)) {
    ++f[kBranchCount];
    if (br->isUnconditional()) ++f[kUncondBranches];
  }
  if (const auto* call = llvm::dyn_cast<llvm::CallInst>(&inst)) {
    if (call->getType()->isIntegerTy()) ++f[kreturnInt];
  }
}

void CountBlock(const llvm::BasicBlock& bb, std::vector<int64_t>& f) {
  ++f[kTotalBlocks];
  const size_t preds = llvm::pred_size(&bb);
  const llvm::Instruction* term = bb.getTerminator();
  const unsigned succs = term ? term->getNumSuccessors() : 0;
  if (preds == 1) ++f[konePred];
  if (preds == 1 && succs == 1) ++f[konePredOneSuc];
  if (preds == 1 && succs == 2) ++f[konePredTwoSuc];
  if (succs == 1) ++f[koneSuccessor];
  if (preds == 2) ++f[ktwoPred];
  if (preds == 2 && succs == 1) ++f[ktwoPredOneSuc];
  if (preds == 2 && succs == 2) ++f[ktwoEach];
  if (succs == 2) ++f[ktwoSuccessor];
  if (preds > 2) ++f[kmorePreds];
  f[kNumEdges] += succs;
  for (unsigned i = 0; i < succs; ++i) {
    if (llvm::isCriticalEdge(term, i)) ++f[kCriticalCount];
  }
  int64_t phis = 0, phi_args = 0, insts = 0;
  for (const llvm::Instruction& inst : bb) {
    ++insts;
    if (const auto* phi = llvm::dyn_cast<llvm::PHINode>(&inst)) {
      ++phis;
      phi_args += phi->getNumIncomingValues();
    }
    CountInstruction(inst, f);
  }
  f[kBeginPhi] += phis;
  f[kArgsPhi] += phi_args;
  if (phis == 0) ++f[kBBNoPhi];
  if (phis >= 1 && phis <= 3) ++f[kBB03Phi];
  if (phis > 3) ++f[kBBHiPhi];
  if (phi_args > 5) ++f[kBBNumArgsHi];
  if (phi_args >= 1 && phi_args <= 5) ++f[kBBNumArgsLo];
  if (insts < 15) ++f[kBlockLow];
  if (insts >= 15 && insts <= 500) ++f[kBlockMid];
}

}  // namespace

// AutophaseFeatureNames() is in spaces.cc (passrl_actions): it needs no LLVM, and the
// learner-only build's observation names use it.

const std::vector<std::string>& InstCountFeatureNames() {
  static const auto* names = [] {
    auto* v =
        new std::vector<std::string>{"TotalInstsCount", "TotalBlocksCount", "TotalFuncsCount"};
#define HANDLE_INST(num, opcode, Class) v->push_back(#opcode "Count");
#include "llvm/IR/Instruction.def"
    return v;
  }();
  return *names;
}

std::vector<int64_t> ComputeAutophase(const llvm::Module& module) {
  std::vector<int64_t> f(kAutophaseSize, 0);
  for (const llvm::Function& fn : module) {
    if (fn.isDeclaration()) continue;
    ++f[kTotalFuncs];
    for (const llvm::BasicBlock& bb : fn) CountBlock(bb, f);
  }
  return f;
}

std::vector<int64_t> ComputeInstCount(const llvm::Module& module) {
  std::vector<int64_t> f(kInstCountSize, 0);
  for (const llvm::Function& fn : module) {
    if (fn.isDeclaration()) continue;
    ++f[2];
    for (const llvm::BasicBlock& bb : fn) {
      ++f[1];
      for (const llvm::Instruction& inst : bb) {
        ++f[0];
        ++f[2 + inst.getOpcode()];
      }
    }
  }
  return f;
}

int64_t CountInstructions(const llvm::Module& module) {
  int64_t n = 0;
  for (const llvm::Function& fn : module) {
    for (const llvm::BasicBlock& bb : fn) n += static_cast<int64_t>(bb.size());
  }
  return n;
}

}  // namespace passrl::envs
