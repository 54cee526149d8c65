// In-memory code generation: lowers a module to an object file with a TargetMachine (no files, no
// subprocess) and measures its .text size, matching `llc-16 -filetype=obj -relocation-model=pic`
// byte for byte. The module is copied first, because the codegen pipeline rewrites IR.
// Thread-compatible: one TargetMachine per thread.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace llvm {
class Module;
class TargetMachine;
}  // namespace llvm

namespace passrl::envs {

// The bytes of a relocatable object file for `module`.
absl::StatusOr<std::string> EmitObject(const llvm::Module& module, llvm::TargetMachine& tm);

// Total size of the executable (text) sections of an object file.
absl::StatusOr<int64_t> TextSizeOfObject(const std::string& object);

// EmitObject followed by TextSizeOfObject.
absl::StatusOr<int64_t> ObjectTextSizeBytes(const llvm::Module& module, llvm::TargetMachine& tm);

}  // namespace passrl::envs
