#include "launch/commands.h"

#include "actors/observation.h"
#include "envs/action_space.h"
#include "envs/llvm_util.h"

namespace passrl::launch {

absl::Status& CommandStatus() {
  static absl::Status* status = new absl::Status();
  return *status;
}

absl::Status CheckMatchesThisBuild(const learner::CheckpointSpaces& saved) {
  return learner::CheckCompatible(
      saved, {envs::ActionSpaceHash(), envs::kNumActions, actors::kObservationDim, saved.hidden,
              saved.horizon});
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
