#include "envs/llvm_util.h"

#include <mutex>
#include <optional>

#include "absl/strings/str_cat.h"
#include "llvm/AsmParser/Parser.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/Host.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/PrettyStackTrace.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"

namespace passrl::envs {

void InitializeLlvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

void EnableCrashReports(const char* argv0) {
  llvm::sys::PrintStackTraceOnErrorSignal(argv0);
  llvm::EnablePrettyStackTrace();
}

absl::Status ToStatus(llvm::Error err, absl::string_view context) {
  if (!err) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(context, ": ", llvm::toString(std::move(err))));
}

absl::Status VerifyModule(const llvm::Module& module, absl::string_view name) {
  std::string message;
  llvm::raw_string_ostream os(message);
  if (llvm::verifyModule(module, &os)) {
    os.flush();
    std::string first = message.substr(0, message.find('\n'));
    return absl::InvalidArgumentError(absl::StrCat(name, ": invalid IR: ", first));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<llvm::Module>> ParseBitcode(absl::string_view bitcode,
                                                           llvm::LLVMContext& context,
                                                           absl::string_view name, bool verify) {
  llvm::MemoryBufferRef buffer(llvm::StringRef(bitcode.data(), bitcode.size()),
                               llvm::StringRef(name.data(), name.size()));
  llvm::Expected<std::unique_ptr<llvm::Module>> module = llvm::parseBitcodeFile(buffer, context);
  if (!module) return ToStatus(module.takeError(), absl::StrCat(name, ": malformed bitcode"));
  if (!verify) return std::move(*module);
  absl::Status verified = VerifyModule(**module, name);
  if (!verified.ok()) return verified;
  return std::move(*module);
}

absl::StatusOr<std::unique_ptr<llvm::Module>> ParseIrText(absl::string_view text,
                                                          llvm::LLVMContext& context,
                                                          absl::string_view name) {
  llvm::SMDiagnostic diag;
  llvm::MemoryBufferRef buffer(llvm::StringRef(text.data(), text.size()),
                               llvm::StringRef(name.data(), name.size()));
  std::unique_ptr<llvm::Module> module = llvm::parseAssembly(buffer, diag, context);
  if (!module) {
    return absl::InvalidArgumentError(absl::StrCat(name, ":", diag.getLineNo(), ":",
                                                   diag.getColumnNo() + 1,
                                                   ": malformed IR: ", diag.getMessage().str()));
  }
  absl::Status verified = VerifyModule(*module, name);
  if (!verified.ok()) return verified;
  return module;
}

std::string WriteBitcode(const llvm::Module& module, bool preserve_use_lists) {
  std::string out;
  llvm::raw_string_ostream os(out);
  llvm::WriteBitcodeToFile(module, os, preserve_use_lists);
  os.flush();
  return out;
}

std::string PrintIr(const llvm::Module& module) {
  std::string out;
  llvm::raw_string_ostream os(out);
  module.print(os, nullptr);
  os.flush();
  return out;
}

absl::StatusOr<std::unique_ptr<llvm::TargetMachine>> CreateTargetMachine(
    const llvm::Module& module) {
  InitializeLlvm();
  std::string triple = module.getTargetTriple();
  if (triple.empty()) triple = llvm::sys::getDefaultTargetTriple();
  std::string error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (target == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("no LLVM target for triple '", triple, "': ", error));
  }
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, "", "", options, llvm::Reloc::PIC_, std::nullopt, llvm::CodeGenOpt::Default));
  if (!tm) return absl::InternalError(absl::StrCat("cannot create TargetMachine for ", triple));
  return tm;
}

}  // namespace passrl::envs
