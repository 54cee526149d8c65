// The LLVM adapter boundary: converts LLVM's Error/Expected/SMDiagnostic into absl::Status and
// wraps bitcode I/O and TargetMachine creation. Nothing else in passrl handles llvm::Error.
// Thread-safe (InitializeLlvm is idempotent and synchronized); the rest is stateless.
#pragma once

#include <memory>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace llvm {
class Error;
class LLVMContext;
class Module;
class TargetMachine;
}  // namespace llvm

namespace passrl::envs {

// Registers the native target, asm printer and parser once per process.
void InitializeLlvm();

// Prints LLVM's stack trace and the pass being run (LlvmEnv::Step) if the process crashes.
void EnableCrashReports(const char* argv0);

// Consumes `err`; `context` says what was being done ("parsing pipeline 'x'").
absl::Status ToStatus(llvm::Error err, absl::string_view context);

// Parses and (unless told not to) verifies bitcode; `name` labels errors (a file name).
absl::StatusOr<std::unique_ptr<llvm::Module>> ParseBitcode(absl::string_view bitcode,
                                                           llvm::LLVMContext& context,
                                                           absl::string_view name,
                                                           bool verify = true);
// Parses and verifies textual IR; errors carry file:line:column.
absl::StatusOr<std::unique_ptr<llvm::Module>> ParseIrText(absl::string_view text,
                                                          llvm::LLVMContext& context,
                                                          absl::string_view name);
// Verifies `module`; the error lists the verifier's first complaint.
absl::Status VerifyModule(const llvm::Module& module, absl::string_view name);

// `preserve_use_lists` records use-list order so that a parsed copy behaves identically.
std::string WriteBitcode(const llvm::Module& module, bool preserve_use_lists = false);
std::string PrintIr(const llvm::Module& module);

// A TargetMachine for the module's triple (the host's if it has none), at the default codegen
// optimisation level, relocation model PIC (as clang uses on Debian).
absl::StatusOr<std::unique_ptr<llvm::TargetMachine>> CreateTargetMachine(
    const llvm::Module& module);

}  // namespace passrl::envs
