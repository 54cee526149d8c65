#include "envs/content_hash.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "common/check.h"
#include "common/hash.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Metadata.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Operator.h"

namespace passrl::envs {
namespace {

// Hashes a module's content in one walk. Locals are numbered by position in their function;
// constants, types, attribute lists and metadata nodes by structure (memoised by address for the
// walk: addresses are stable during it, not across contexts).
class ContentHasher {
 public:
  uint64_t Module(const llvm::Module& module) {
    for (const llvm::GlobalVariable& g : module.globals()) {
      Mix(Name(g), g.getLinkage(), g.getVisibility(), g.isConstant(),
          g.getAlign().valueOrOne().value(), g.getThreadLocalMode(), g.getUnnamedAddr(),
          g.getAddressSpace(), Type(g.getValueType()), Str(g.getSection()), g.isDSOLocal(),
          g.hasComdat() ? Str(g.getComdat()->getName()) : 0,
          g.hasInitializer() ? Constant(g.getInitializer()) : 0);
      Attached(g);
    }
    for (const llvm::GlobalAlias& a : module.aliases())
      Mix(Name(a), a.getLinkage(), Constant(a.getAliasee()));
    for (const llvm::Function& f : module) Function(f);
    for (const llvm::NamedMDNode& named : module.named_metadata()) {
      Mix(Str(named.getName()), named.getNumOperands());
      for (const llvm::MDNode* node : named.operands()) Mix(Metadata(node));
    }
    return Avalanche(hash_);
  }

 private:
  void Function(const llvm::Function& f) {
    // An intrinsic's attributes are LLVM's, not the program's (bitcode reading sets them anew:
    // a restored state's llvm.memcpy has lost `mustprogress`): they are left out.
    Mix(Name(f), f.getLinkage(), f.getVisibility(), f.getCallingConv(), f.getUnnamedAddr(),
        Type(f.getFunctionType()), f.isIntrinsic() ? 0 : Attributes(f.getAttributes()),
        f.isDeclaration(), f.hasPersonalityFn() ? Constant(f.getPersonalityFn()) : 0,
        f.isDSOLocal(), f.getAlign().valueOrOne().value(), Str(f.getSection()),
        f.hasComdat() ? Str(f.getComdat()->getName()) : 0, f.hasGC() ? Str(f.getGC()) : 0);
    Attached(f);
    if (f.isDeclaration()) return;
    locals_.clear();
    uint64_t n = 0;
    for (const llvm::Argument& arg : f.args()) locals_[&arg] = ++n;
    for (const llvm::BasicBlock& block : f) {
      locals_[&block] = ++n;
      for (const llvm::Instruction& i : block) locals_[&i] = ++n;
    }
    for (const llvm::BasicBlock& block : f) {
      Mix(0xb10c, block.size());
      for (const llvm::Instruction& i : block) Instruction(i);
    }
  }

  void Instruction(const llvm::Instruction& i) {
    Mix(i.getOpcode(), Type(i.getType()), i.getRawSubclassOptionalData(), i.getNumOperands());
    for (const llvm::Use& use : i.operands()) Mix(Operand(use.get()));
    if (const auto* phi = llvm::dyn_cast<llvm::PHINode>(&i)) {
      for (const llvm::BasicBlock* from : phi->blocks()) Mix(locals_.at(from));
    } else if (const auto* call = llvm::dyn_cast<llvm::CallBase>(&i)) {
      Mix(Type(call->getFunctionType()), Attributes(call->getAttributes()), call->getCallingConv());
      if (const auto* c = llvm::dyn_cast<llvm::CallInst>(call)) Mix(c->getTailCallKind());
    } else if (const auto* cmp = llvm::dyn_cast<llvm::CmpInst>(&i)) {
      Mix(cmp->getPredicate());
    } else if (const auto* load = llvm::dyn_cast<llvm::LoadInst>(&i)) {
      Mix(load->getAlign().value(), load->isVolatile(), load->getOrdering(),
          load->getSyncScopeID());
    } else if (const auto* store = llvm::dyn_cast<llvm::StoreInst>(&i)) {
      Mix(store->getAlign().value(), store->isVolatile(), store->getOrdering(),
          store->getSyncScopeID());
    } else if (const auto* alloca = llvm::dyn_cast<llvm::AllocaInst>(&i)) {
      Mix(alloca->getAlign().value(), Type(alloca->getAllocatedType()));
    } else if (const auto* gep = llvm::dyn_cast<llvm::GetElementPtrInst>(&i)) {
      Mix(Type(gep->getSourceElementType()));
    } else if (const auto* shuffle = llvm::dyn_cast<llvm::ShuffleVectorInst>(&i)) {
      for (int m : shuffle->getShuffleMask()) Mix(static_cast<uint64_t>(m));
    } else if (const auto* extract = llvm::dyn_cast<llvm::ExtractValueInst>(&i)) {
      for (unsigned index : extract->indices()) Mix(index);
    } else if (const auto* insert = llvm::dyn_cast<llvm::InsertValueInst>(&i)) {
      for (unsigned index : insert->indices()) Mix(index);
    } else if (const auto* rmw = llvm::dyn_cast<llvm::AtomicRMWInst>(&i)) {
      Mix(rmw->getOperation(), rmw->getOrdering(), rmw->isVolatile(), rmw->getAlign().value());
    } else if (const auto* cas = llvm::dyn_cast<llvm::AtomicCmpXchgInst>(&i)) {
      Mix(cas->getSuccessOrdering(), cas->getFailureOrdering(), cas->isWeak(), cas->isVolatile(),
          cas->getAlign().value());
    } else if (const auto* fence = llvm::dyn_cast<llvm::FenceInst>(&i)) {
      Mix(fence->getOrdering(), fence->getSyncScopeID());
    } else if (const auto* pad = llvm::dyn_cast<llvm::LandingPadInst>(&i)) {
      Mix(pad->isCleanup());
    }
    Attached(i);
  }

  // Metadata attached to an instruction, function or global.
  template <typename T>
  void Attached(const T& holder) {
    if (!holder.hasMetadata()) return;
    llvm::SmallVector<std::pair<unsigned, llvm::MDNode*>, 4> attached;
    holder.getAllMetadata(attached);
    for (const auto& [kind, node] : attached) Mix(kind, Metadata(node));
  }

  uint64_t Operand(const llvm::Value* v) {
    if (auto it = locals_.find(v); it != locals_.end()) return it->second;
    if (const auto* c = llvm::dyn_cast<llvm::Constant>(v)) return Constant(c);
    if (const auto* md = llvm::dyn_cast<llvm::MetadataAsValue>(v))
      return Metadata(md->getMetadata());
    if (const auto* as = llvm::dyn_cast<llvm::InlineAsm>(v)) {
      return Combine(Type(as->getFunctionType()), Str(as->getAsmString()),
                     Str(as->getConstraintString()), as->hasSideEffects(), as->isAlignStack(),
                     as->getDialect(), as->canThrow());
    }
    PASSRL_CHECK(false);  // an operand is a local, a constant, metadata or inline asm
    return 0;
  }

  uint64_t Constant(const llvm::Constant* c) {
    if (auto it = constants_.find(c); it != constants_.end()) return it->second;
    uint64_t h = Combine(c->getValueID(), Type(c->getType()));
    if (const auto* g = llvm::dyn_cast<llvm::GlobalValue>(c)) {
      h = Combine(h, Name(*g));
    } else if (const auto* i = llvm::dyn_cast<llvm::ConstantInt>(c)) {
      h = Combine(h, Int(i->getValue()));
    } else if (const auto* f = llvm::dyn_cast<llvm::ConstantFP>(c)) {
      h = Combine(h, Int(f->getValueAPF().bitcastToAPInt()));
    } else if (const auto* data = llvm::dyn_cast<llvm::ConstantDataSequential>(c)) {
      h = Combine(h, Str(data->getRawDataValues()));
    } else if (const auto* block = llvm::dyn_cast<llvm::BlockAddress>(c)) {
      h = Combine(h, Name(*block->getFunction()));
      uint64_t index = 0;
      for (const llvm::BasicBlock& b : *block->getFunction()) {
        ++index;
        if (&b == block->getBasicBlock()) break;
      }
      h = Combine(h, index);
    } else {
      if (const auto* e = llvm::dyn_cast<llvm::ConstantExpr>(c)) {
        h = Combine(h, e->getOpcode(), e->getRawSubclassOptionalData());
        if (e->isCompare()) h = Combine(h, e->getPredicate());
        if (const auto* gep = llvm::dyn_cast<llvm::GEPOperator>(e)) {
          h = Combine(h, Type(gep->getSourceElementType()));
        }
      }
      for (const llvm::Use& op : c->operands()) {
        h = Combine(h, Constant(llvm::cast<llvm::Constant>(op.get())));
      }
    }
    constants_[c] = h;
    return h;
  }

  uint64_t Type(const llvm::Type* t) {
    if (auto it = types_.find(t); it != types_.end()) return it->second;
    types_[t] = t->getTypeID();  // a placeholder while its parts are hashed
    uint64_t h = t->getTypeID();
    if (const auto* i = llvm::dyn_cast<llvm::IntegerType>(t)) h = Combine(h, i->getBitWidth());
    if (const auto* p = llvm::dyn_cast<llvm::PointerType>(t)) h = Combine(h, p->getAddressSpace());
    if (const auto* a = llvm::dyn_cast<llvm::ArrayType>(t)) h = Combine(h, a->getNumElements());
    if (const auto* v = llvm::dyn_cast<llvm::VectorType>(t)) {
      h = Combine(h, v->getElementCount().getKnownMinValue(), v->getElementCount().isScalable());
    }
    if (const auto* s = llvm::dyn_cast<llvm::StructType>(t)) {
      h = Combine(h, s->isPacked(), s->isOpaque(), s->hasName() ? Str(s->getName()) : 0);
    }
    if (const auto* f = llvm::dyn_cast<llvm::FunctionType>(t)) h = Combine(h, f->isVarArg());
    for (const llvm::Type* part : t->subtypes()) h = Combine(h, Type(part));
    types_[t] = h;
    return h;
  }

  uint64_t Attributes(const llvm::AttributeList& list) {
    const void* key = list.getRawPointer();
    if (auto it = attributes_.find(key); it != attributes_.end()) return it->second;
    uint64_t h = 0xa77;
    for (unsigned index : list.indexes()) {
      const llvm::AttributeSet set = list.getAttributes(index);
      if (!set.hasAttributes()) continue;
      h = Combine(h, index);
      for (const llvm::Attribute& a : set) {
        if (a.isStringAttribute()) {
          h = Combine(h, Str(a.getKindAsString()), Str(a.getValueAsString()));
          continue;
        }
        h = Combine(h, a.getKindAsEnum());
        if (a.isIntAttribute()) h = Combine(h, a.getValueAsInt());
        if (a.isTypeAttribute()) h = Combine(h, Type(a.getValueAsType()));
      }
    }
    attributes_[key] = h;
    return h;
  }

  // Nodes are numbered in the order first met (a cycle, as in loop metadata, meets a number).
  uint64_t Metadata(const llvm::Metadata* md) {
    if (md == nullptr) return 0x4e11;
    if (const auto* s = llvm::dyn_cast<llvm::MDString>(md)) return Str(s->getString());
    if (const auto* c = llvm::dyn_cast<llvm::ConstantAsMetadata>(md))
      return Constant(c->getValue());
    if (const auto* l = llvm::dyn_cast<llvm::LocalAsMetadata>(md)) return Operand(l->getValue());
    const auto* node = llvm::dyn_cast<llvm::MDNode>(md);
    if (node == nullptr) return Combine(0x3d, md->getMetadataID());
    if (auto it = nodes_.find(node); it != nodes_.end()) return it->second;
    nodes_[node] = Combine(0x3d, nodes_.size());
    uint64_t h = Combine(node->getMetadataID(), node->isDistinct(), node->getNumOperands());
    for (const llvm::MDOperand& op : node->operands()) h = Combine(h, Metadata(op.get()));
    return h;
  }

  static uint64_t Str(llvm::StringRef s) { return Fnv1a64(absl::string_view(s.data(), s.size())); }
  static uint64_t Name(const llvm::GlobalValue& g) { return Str(g.getName()); }

  template <typename T>
  static uint64_t Bits(T value) {
    return static_cast<uint64_t>(value);
  }
  static uint64_t Int(const llvm::APInt& value) {
    uint64_t h = value.getBitWidth();
    for (unsigned w = 0; w < value.getNumWords(); ++w) h = Step(h, value.getRawData()[w]);
    return h;
  }
  static uint64_t Step(uint64_t h, uint64_t x) {
    h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdULL;
  }
  template <typename... T>
  static uint64_t Combine(uint64_t h, T... values) {
    ((h = Step(h, Bits(values))), ...);
    return h;
  }
  template <typename... T>
  void Mix(T... values) {
    hash_ = Combine(hash_, values...);
  }
  static uint64_t Avalanche(uint64_t h) {
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
  }

  uint64_t hash_ = kFnvOffset;
  absl::flat_hash_map<const llvm::Value*, uint64_t> locals_;
  absl::flat_hash_map<const llvm::Constant*, uint64_t> constants_;
  absl::flat_hash_map<const llvm::Type*, uint64_t> types_;
  absl::flat_hash_map<const void*, uint64_t> attributes_;
  absl::flat_hash_map<const llvm::MDNode*, uint64_t> nodes_;
};

}  // namespace

uint64_t ContentHash(const llvm::Module& module) { return ContentHasher().Module(module); }

}  // namespace passrl::envs
