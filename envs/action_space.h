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

// kPass: one pass; kPipeline: a named sub-pipeline of -Oz; kStop: ends the episode (no pipeline).
enum class ActionKind { kPass, kPipeline, kStop };

struct ActionSpec {
  absl::string_view name;      // what users type, e.g. "instcombine"
  absl::string_view pipeline;  // PassBuilder text, e.g. "function(instcombine)"; empty for stop
  ActionKind kind = ActionKind::kPass;
};

// The number of actions, counted from actions.def at compile time (sizes network outputs).
inline constexpr int kNumActions = 0
#define PASSRL_ACTION(name, pipeline) +1
#define PASSRL_PIPELINE(name, pipeline) +1
#define PASSRL_STOP(name) +1
#include "envs/actions.def"
#undef PASSRL_ACTION
#undef PASSRL_PIPELINE
#undef PASSRL_STOP
    ;

// Every action, in id order (the id is the index).
absl::Span<const ActionSpec> Actions();
inline int NumActions() { return kNumActions; }

// The stop action's id (the last action).
int StopAction();

// Which actions an agent may choose (env.action_set): every one, or single passes and stop only
// (CompilerGym's kind of action space: the -Oz sub-pipelines masked out).
enum class ActionSet { kAll, kPasses };
absl::StatusOr<ActionSet> ParseActionSet(absl::string_view name);  // "all" or "passes"
const char* ActionSetName(ActionSet set);
// One flag per action: may the agent choose it under `set`.
std::vector<bool> AllowedActions(ActionSet set);

// The actions a search may generate under `allowed` (empty: all): every allowed one except stop,
// which changes nothing. Used by envs/search.h and optimize/.
std::vector<int> SearchActions(const std::vector<bool>& allowed);

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
