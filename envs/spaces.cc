#include "envs/spaces.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/check.h"
#include "envs/action_space.h"
#include "envs/features.h"

namespace passrl::envs {

const std::vector<std::string>& AutophaseFeatureNames() {
  static const auto* names = new std::vector<std::string>{
#define PASSRL_AUTOPHASE(name, description) #name,
#include "envs/autophase.def"
#undef PASSRL_AUTOPHASE
  };
  return *names;
}

namespace {

const ObservationSpec kObservationSpecs[] = {
    {ObservationSpace::kAutophase, "Autophase", kAutophaseSize,
     "56 Autophase features (envs/autophase.def)"},
    {ObservationSpace::kInstCount, "InstCount", kInstCountSize,
     "totals of instructions, blocks, functions, then one count per LLVM opcode"},
    {ObservationSpace::kActionHistogram, "ActionHistogram", kNumActions,
     "how often each action was applied in this episode"},
    {ObservationSpace::kIr, "Ir", 0, "the module as LLVM IR text"},
};

const RewardSpec kRewardSpecs[] = {
    {RewardSpace::kIrInstructionCount, "IrInstructionCount", false, false, false,
     "instructions removed by the step"},
    {RewardSpace::kIrInstructionCountNorm, "IrInstructionCountNorm", true, false, false,
     "instructions removed / (count at -O0 - count at -Oz)"},
    {RewardSpace::kIrInstructionCountLog, "IrInstructionCountLog", false, false, false,
     "log(count before) - log(count after): returns sum to log(count at -O0 / final count)",
     /*log=*/true},
    {RewardSpace::kObjectTextSize, "ObjectTextSizeBytes", false, true, false,
     "bytes of .text removed by the step"},
    {RewardSpace::kObjectTextSizeNorm, "ObjectTextSizeNorm", true, true, false,
     ".text bytes removed / (.text at -O0 - .text at -Oz)"},
    {RewardSpace::kRuntime, "Runtime", false, false, true,
     "seconds of run time saved (median of timed runs on a pinned core)"},
    {RewardSpace::kRuntimeNorm, "RuntimeNorm", true, false, true,
     "seconds saved / run time at -O3"},
    {RewardSpace::kRuntimeLog, "RuntimeLog", false, false, true,
     "log(time before) - log(time after): the log of the step's speedup (paired A/B timing)",
     /*log=*/true},
};

template <typename Specs>
auto FindByName(const Specs& specs, absl::string_view name, absl::string_view what)
    -> absl::StatusOr<decltype(specs[0].id)> {
  for (const auto& spec : specs) {
    if (spec.name == name) return spec.id;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown ", what, " '", name, "' (one of: ",
      absl::StrJoin(specs, ", ",
                    [](std::string* out, const auto& s) { absl::StrAppend(out, s.name); }),
      ")"));
}

}  // namespace

absl::Span<const ObservationSpec> ObservationSpecs() { return kObservationSpecs; }
absl::Span<const RewardSpec> RewardSpecs() { return kRewardSpecs; }

const ObservationSpec& Spec(ObservationSpace id) {
  for (const auto& spec : kObservationSpecs) {
    if (spec.id == id) return spec;
  }
  PASSRL_CHECK(false);
  std::abort();
}

const RewardSpec& Spec(RewardSpace id) {
  for (const auto& spec : kRewardSpecs) {
    if (spec.id == id) return spec;
  }
  PASSRL_CHECK(false);
  std::abort();
}

absl::StatusOr<ObservationSpace> ParseObservationSpace(absl::string_view name) {
  return FindByName(kObservationSpecs, name, "observation space");
}

absl::StatusOr<RewardSpace> ParseRewardSpace(absl::string_view name) {
  return FindByName(kRewardSpecs, name, "reward space");
}

absl::StatusOr<std::string> StartPipeline(absl::string_view start) {
  if (start == "O0") return std::string();
  for (const char* level : {"O1", "O2", "O3", "Os", "Oz"}) {
    if (start == level) return absl::StrCat("default<", level, ">");
  }
  return absl::InvalidArgumentError(
      absl::StrCat("start '", start, "': expected O0, O1, O2, O3, Os or Oz"));
}

}  // namespace passrl::envs
