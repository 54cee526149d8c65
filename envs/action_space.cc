#include "envs/action_space.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/hash.h"

namespace passrl::envs {
namespace {

constexpr ActionSpec kActions[] = {
#define PASSRL_ACTION(name, pipeline) {name, pipeline, ActionKind::kPass},
#define PASSRL_PIPELINE(name, pipeline) {name, pipeline, ActionKind::kPipeline},
#define PASSRL_STOP(name) {name, "", ActionKind::kStop},
#include "envs/actions.def"
#undef PASSRL_ACTION
#undef PASSRL_PIPELINE
#undef PASSRL_STOP
};
static_assert(kActions[kNumActions - 1].kind == ActionKind::kStop, "stop is the last action");

}  // namespace

absl::Span<const ActionSpec> Actions() { return kActions; }

int StopAction() { return kNumActions - 1; }

absl::StatusOr<ActionSet> ParseActionSet(absl::string_view name) {
  if (name == "all") return ActionSet::kAll;
  if (name == "passes") return ActionSet::kPasses;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown action set '", name, "' (expected all or passes)"));
}

const char* ActionSetName(ActionSet set) { return set == ActionSet::kAll ? "all" : "passes"; }

std::vector<bool> AllowedActions(ActionSet set) {
  std::vector<bool> allowed(kNumActions, true);
  if (set == ActionSet::kPasses) {
    for (int i = 0; i < kNumActions; ++i) allowed[i] = kActions[i].kind != ActionKind::kPipeline;
  }
  return allowed;
}

std::vector<int> SearchActions(const std::vector<bool>& allowed) {
  std::vector<int> out;
  for (int a = 0; a < kNumActions; ++a) {
    if ((allowed.empty() || allowed[static_cast<size_t>(a)]) && a != StopAction()) out.push_back(a);
  }
  return out;
}

absl::StatusOr<int> ActionIndex(absl::string_view name) {
  for (int i = 0; i < NumActions(); ++i) {
    if (kActions[i].name == name) return i;
  }
  return absl::NotFoundError(
      absl::StrCat("unknown pass '", name, "' (run `passrl actions` for the list)"));
}

absl::StatusOr<std::vector<int>> ParseActionList(absl::string_view comma_separated) {
  std::vector<int> ids;
  if (absl::StripAsciiWhitespace(comma_separated).empty()) return ids;
  for (absl::string_view part : absl::StrSplit(comma_separated, ',')) {
    absl::string_view name = absl::StripAsciiWhitespace(part);
    if (name.empty()) return absl::InvalidArgumentError("empty pass name in action list");
    auto id = ActionIndex(name);
    if (!id.ok()) return id.status();
    ids.push_back(*id);
  }
  return ids;
}

std::string FormatActionList(absl::Span<const int> actions) {
  return absl::StrJoin(actions, ",",
                       [](std::string* out, int a) { absl::StrAppend(out, kActions[a].name); });
}

uint64_t ActionSpaceHash() { return HashActions(kActions); }

uint64_t HashActions(absl::Span<const ActionSpec> actions) {
  uint64_t h = kFnvOffset;
  for (const ActionSpec& a : actions) {
    h = Fnv1a64(a.name, h);
    h = Fnv1a64("\x1f", h);
    h = Fnv1a64(a.pipeline, h);
    h = Fnv1a64("\x1e", h);
  }
  return h;
}

}  // namespace passrl::envs
