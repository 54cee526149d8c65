// Which compiler an environment orders passes for, and what that fixes for every other part:
// the action table, the raw observation's features, and the hash checkpoints and messages carry.
// The LLVM task (envs/llvm_env.h, envs/actions.def, Autophase) and the MLIR graph task
// (envs/mlir_env.h, envs/mlir_actions.def, op histogram) share actors, learner, replay and
// checkpoints through this. Pure data, no LLVM or MLIR. Thread-safe: immutable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "envs/action_space.h"

namespace passrl::envs {

enum class Compiler { kLlvm, kMlir };

struct CompilerSpec {
  Compiler id;
  absl::string_view name;                // "llvm" or "mlir"
  absl::Span<const ActionSpec> actions;  // in id order; the last is stop
  const std::vector<std::string>* feature_names;  // the raw observation (Autophase / MLIR)
  int num_actions() const { return static_cast<int>(actions.size()); }
  int stop_action() const { return num_actions() - 1; }
  int num_features() const { return static_cast<int>(feature_names->size()); }
  uint64_t action_space_hash() const { return HashActions(actions); }
  absl::StatusOr<int> ActionIndex(absl::string_view name) const;
  absl::StatusOr<std::vector<int>> ParseActions(absl::string_view comma_separated) const;
  std::string FormatActions(absl::Span<const int> ids) const;
};

const CompilerSpec& SpecOf(Compiler compiler);
absl::StatusOr<Compiler> ParseCompiler(absl::string_view name);  // "llvm" or "mlir"

// The MLIR action table (envs/mlir_actions.def) and observation features.
absl::Span<const ActionSpec> MlirActions();
int MlirStopAction();
uint64_t MlirActionSpaceHash();
absl::StatusOr<int> MlirActionIndex(absl::string_view name);
absl::StatusOr<std::vector<int>> ParseMlirActionList(absl::string_view comma_separated);
// Counts of the function body's ops by name (the last histogram entry is every other op), then
// graph statistics (kMlirStatistics).
const std::vector<std::string>& MlirFeatureNames();
const std::vector<std::string>& MlirCountedOps();
inline constexpr int kMlirStatistics = 7;

}  // namespace passrl::envs
