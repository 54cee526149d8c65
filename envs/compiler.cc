#include "envs/compiler.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "envs/features.h"

namespace passrl::envs {
namespace {

constexpr ActionSpec kMlirActions[] = {
#define PASSRL_MLIR_ACTION(name, pipeline) {name, pipeline, ActionKind::kPass},
#define PASSRL_MLIR_STOP(name) {name, "", ActionKind::kStop},
#include "envs/mlir_actions.def"
#undef PASSRL_MLIR_ACTION
#undef PASSRL_MLIR_STOP
};

// The ops counted one by one in the MLIR observation (the graph level after the lowering).
const char* const kCountedOps[] = {
    "linalg.generic", "linalg.matmul", "linalg.batch_matmul", "linalg.conv_2d_nhwc_hwcf",
    "linalg.depthwise_conv_2d_nhwc_hwcm", "linalg.depthwise_conv_2d_nhwc_hwc",
    "linalg.pooling_nhwc_max", "linalg.pooling_nhwc_sum", "linalg.fill", "linalg.copy",
    "tensor.empty", "tensor.expand_shape", "tensor.collapse_shape", "tensor.extract_slice",
    "tensor.insert_slice", "tensor.pad", "tensor.cast", "tensor.extract", "arith.constant",
    "arith.addf", "arith.mulf", "arith.subf", "arith.divf", "arith.maxf", "arith.select",
    "arith.cmpf", "math.exp", "math.tanh", "math.powf", "math.rsqrt"};
const char* const kStatistics[kMlirStatistics] = {
    "graph_ops", "nested_ops", "generic_ops", "generic_body_ops", "function_arguments",
    "start_ops", "reference_ops"};

}  // namespace

absl::StatusOr<int> CompilerSpec::ActionIndex(absl::string_view action) const {
  for (int i = 0; i < num_actions(); ++i) {
    if (actions[i].name == action) return i;
  }
  return absl::NotFoundError(absl::StrCat("unknown ", name, " action '", action,
                                          "' (`passrl actions --compiler ", name, "` lists them)"));
}

absl::StatusOr<std::vector<int>> CompilerSpec::ParseActions(absl::string_view text) const {
  std::vector<int> ids;
  for (absl::string_view a : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    absl::StatusOr<int> id = ActionIndex(absl::StripAsciiWhitespace(a));
    if (!id.ok()) return id.status();
    ids.push_back(*id);
  }
  return ids;
}

std::string CompilerSpec::FormatActions(absl::Span<const int> ids) const {
  return absl::StrJoin(ids, ",", [this](std::string* out, int id) {
    absl::StrAppend(out, id >= 0 && id < num_actions() ? actions[id].name : "?");
  });
}

absl::Span<const ActionSpec> MlirActions() { return kMlirActions; }
int MlirStopAction() { return static_cast<int>(MlirActions().size()) - 1; }
uint64_t MlirActionSpaceHash() { return HashActions(MlirActions()); }
absl::StatusOr<int> MlirActionIndex(absl::string_view name) {
  return SpecOf(Compiler::kMlir).ActionIndex(name);
}
absl::StatusOr<std::vector<int>> ParseMlirActionList(absl::string_view text) {
  return SpecOf(Compiler::kMlir).ParseActions(text);
}

const std::vector<std::string>& MlirCountedOps() {
  static const auto* ops = new std::vector<std::string>(std::begin(kCountedOps), std::end(kCountedOps));
  return *ops;
}

const std::vector<std::string>& MlirFeatureNames() {
  static const auto* names = [] {
    auto* v = new std::vector<std::string>;
    for (const char* op : kCountedOps) v->push_back(absl::StrCat("op_", op));
    v->push_back("op_other");
    for (const char* s : kStatistics) v->push_back(s);
    return v;
  }();
  return *names;
}

const CompilerSpec& SpecOf(Compiler compiler) {
  static const CompilerSpec kLlvm{Compiler::kLlvm, "llvm", Actions(), &AutophaseFeatureNames()};
  static const CompilerSpec kMlir{Compiler::kMlir, "mlir", MlirActions(), &MlirFeatureNames()};
  return compiler == Compiler::kMlir ? kMlir : kLlvm;
}

absl::StatusOr<Compiler> ParseCompiler(absl::string_view name) {
  if (name == "llvm") return Compiler::kLlvm;
  if (name == "mlir") return Compiler::kMlir;
  return absl::InvalidArgumentError(absl::StrCat("unknown compiler '", name, "' (llvm or mlir)"));
}

}  // namespace passrl::envs
