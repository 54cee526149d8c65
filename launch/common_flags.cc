#include "launch/commands.h"

#include "actors/observation.h"
#include "envs/action_space.h"
#include "envs/compiler.h"
#include "envs/llvm_util.h"

namespace passrl::launch {

absl::Status& CommandStatus() {
  static absl::Status* status = new absl::Status();
  return *status;
}

absl::StatusOr<envs::Compiler> CheckMatchesThisBuild(const learner::CheckpointSpaces& saved) {
  absl::Status llvm;
  for (envs::Compiler c : {envs::Compiler::kLlvm, envs::Compiler::kMlir}) {
    const envs::CompilerSpec& spec = envs::SpecOf(c);
    absl::Status s = learner::CheckCompatible(
        saved, {spec.action_space_hash(), static_cast<int64_t>(spec.num_actions()),
                static_cast<int64_t>(actors::ObservationDim(c)), saved.hidden, saved.horizon});
    if (s.ok()) return c;
    if (c == envs::Compiler::kLlvm) llvm = s;
  }
  return llvm;  // matches neither: say how it differs from this build's LLVM task
}

void InstallCrashReporter(const char* argv0) { envs::EnableCrashReports(argv0); }

void AddDatasetFlags(CLI::App& command, envs::DatasetOptions& options) {
  options = envs::DatasetOptions::Defaults();
  command
      .add_option("--datasets-dir", options.datasets_dir,
                  "folder holding programs/ (default: $PASSRL_DATASETS_DIR or the source tree)")
      ->check(CLI::ExistingDirectory);
  command.add_option("--cache-dir", options.build.cache_dir,
                     "compiled bitcode and baseline cache (default: $PASSRL_CACHE_DIR or "
                     "~/.cache/passrl)");
  command.add_option("--csmith-count", options.csmith_count, "seeds listed by the csmith dataset")
      ->check(CLI::NonNegativeNumber);
}

}  // namespace passrl::launch
