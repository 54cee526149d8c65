// Runs actions (pre-parsed new-pass-manager pipelines) and named pipelines on a module.
//
// Every action pipeline is checked to parse at construction.
// Analysis results are cached across steps, as in one long `opt` pipeline; call Invalidate()
// before the module is replaced or destroyed. Not thread-safe: one runner per environment.
#pragma once

#include <memory>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
}  // namespace llvm

namespace passrl::envs {

class PassRunner {
 public:
  // `tm` is used for target-aware passes (TTI) and must outlive the runner. Fails, naming the
  // action, if an action's pipeline does not parse in this LLVM.
  static absl::StatusOr<std::unique_ptr<PassRunner>> Create(llvm::TargetMachine* tm);
  ~PassRunner();
  PassRunner(const PassRunner&) = delete;
  PassRunner& operator=(const PassRunner&) = delete;

  // Applies action `action` (an index into Actions()). CHECKs the index. Returns false when the
  // pass left the module as it was: it preserved every analysis (LLVM's promise) and changed no
  // global, function, block or instruction in memory (the promise is not always kept). A stop
  // action runs nothing and returns false.
  bool Run(llvm::Module& module, int action);
  // Parses and runs `pipeline` ("default<Oz>", "function(gvn),globaldce").
  absl::Status RunPipeline(llvm::Module& module, absl::string_view pipeline);
  // Drops every cached analysis result.
  void Invalidate();

 private:
  struct Impl;
  explicit PassRunner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct Benchmark;

// The benchmark's module, parsed into `context` and optimised with `pipeline` ("default<Oz>");
// a null pipeline leaves it unoptimised.
absl::StatusOr<std::unique_ptr<llvm::Module>> OptimizedCopy(const Benchmark& benchmark,
                                                            const char* pipeline,
                                                            llvm::LLVMContext& context,
                                                            llvm::TargetMachine* tm);

}  // namespace passrl::envs
