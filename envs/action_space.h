// The action space: the ordered list of LLVM pass pipelines an agent can apply (envs/actions.def).
//
// Pure data with no LLVM dependency, so actors, the learner and checkpoints can name actions and
// check compatibility (ActionSpaceHash) without linking LLVM. Thread-safe: immutable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace passrl::envs {

struct ActionSpec {
  absl::string_view name;      // what users type, e.g. "instcombine"
  absl::string_view pipeline;  // PassBuilder text, e.g. "function(instcombine)"
};

// The number of actions, counted from actions.def at compile time (sizes network outputs).
inline constexpr int kNumActions = 0
#define PASSRL_ACTION(name, pipeline) +1
#include "envs/actions.def"
#undef PASSRL_ACTION
    ;

// Every action, in id order (the id is the index).
absl::Span<const ActionSpec> Actions();
inline int NumActions() { return kNumActions; }

// Id of the action called `name`; NotFound names the unknown pass.
absl::StatusOr<int> ActionIndex(absl::string_view name);

// Parses "a,b,c" (names; blanks around commas ignored; empty string is the empty list).
absl::StatusOr<std::vector<int>> ParseActionList(absl::string_view comma_separated);

// "a,b,c" for a list of ids.
std::string FormatActionList(absl::Span<const int> actions);

// Hash of every name and pipeline in order: two builds can exchange action ids iff equal.
uint64_t ActionSpaceHash();
// The same hash of any list (ActionSpaceHash() is HashActions(Actions())).
uint64_t HashActions(absl::Span<const ActionSpec> actions);

}  // namespace passrl::envs
