#include "envs/codegen.h"

#include "absl/strings/str_cat.h"
#include "envs/llvm_util.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

namespace passrl::envs {

absl::StatusOr<std::string> EmitObject(const llvm::Module& module, llvm::TargetMachine& tm) {
  // Codegen rewrites IR, so it runs on a copy, made through bitcode into its own context. Use-list
  // order steers some codegen decisions (loop strength reduction, for one); a plain bitcode round
  // trip gives the order llc sees when it reads `opt -o x.bc`, so .text matches that pipeline.
  llvm::LLVMContext context;
  auto copy =
      ParseBitcode(WriteBitcode(module), context, module.getModuleIdentifier(), /*verify=*/false);
  if (!copy.ok()) return copy.status();
  std::unique_ptr<llvm::Module> clone = std::move(*copy);
  clone->setDataLayout(tm.createDataLayout());
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream os(buffer);
  llvm::legacy::PassManager pm;
  // As llc and clang do: library-call knowledge for the module's triple.
  pm.add(new llvm::TargetLibraryInfoWrapperPass(
      llvm::TargetLibraryInfoImpl(llvm::Triple(clone->getTargetTriple()))));
  if (tm.addPassesToEmitFile(pm, os, nullptr, llvm::CGFT_ObjectFile)) {
    return absl::InternalError(
        absl::StrCat("target ", tm.getTargetTriple().str(), " cannot emit object files"));
  }
  pm.run(*clone);
  return std::string(buffer.begin(), buffer.end());
}

absl::StatusOr<int64_t> TextSizeOfObject(const std::string& object) {
  llvm::MemoryBufferRef ref(object, "object");
  auto file = llvm::object::ObjectFile::createObjectFile(ref);
  if (!file) return ToStatus(file.takeError(), "reading emitted object");
  int64_t text = 0;
  for (const llvm::object::SectionRef& section : (*file)->sections()) {
    if (section.isText()) text += static_cast<int64_t>(section.getSize());
  }
  return text;
}

absl::StatusOr<int64_t> ObjectTextSizeBytes(const llvm::Module& module, llvm::TargetMachine& tm) {
  auto object = EmitObject(module, tm);
  if (!object.ok()) return object.status();
  return TextSizeOfObject(*object);
}

}  // namespace passrl::envs
