// The importer against torch, numerically: each case of datasets/mlir/op_cases.py (a small torch
// model per supported ONNX op, plus three composite blocks) is exported to ONNX, imported to TOSA
// with every weight inline, executed by mlir-cpu-runner-16 (envs/mlir_runner.h) on the case's
// input, and compared with torch's output for that input.
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/subprocess.h"
#include "corpus/onnx_import.h"
#include "envs/mlir_runner.h"
#include "nlohmann/json.hpp"
#include "tests/test_util.h"

namespace passrl::corpus {
namespace {

envs::HostTensor FromJson(const nlohmann::json& j) {
  envs::HostTensor t;
  t.shape = j.at("shape").get<std::vector<int64_t>>();
  t.is_int = j.at("elem") == "i64";
  t.data = j.at("data").get<std::vector<double>>();
  return t;
}

struct Case {
  std::string name, onnx, reference;
};

std::vector<Case> ExportCases() {
  const std::string script = testing::SourceDir() + "/datasets/mlir/op_cases.py";
  SubprocessOptions options;
  options.timeout_seconds = 600;
  absl::StatusOr<SubprocessResult> r = RunSubprocess({"/usr/bin/python3", script, testing::TempDir()}, options);
  EXPECT_TRUE(r.ok() && r->ok()) << (r.ok() ? r->Describe() + ": " + r->err : r.status().ToString());
  std::vector<Case> cases;
  if (!r.ok()) return cases;
  for (absl::string_view line : absl::StrSplit(r->out, '\n', absl::SkipEmpty())) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    if (f.size() == 3) cases.push_back({f[0], f[1], f[2]});
  }
  return cases;
}

TEST(OnnxNumericTest, EverySupportedOpMatchesTorchThroughMlirCpuRunner) {
  std::vector<Case> cases = ExportCases();
  ASSERT_GE(cases.size(), 30u);
  OnnxImportOptions import;
  import.max_inline_constant_elements = int64_t{1} << 40;  // weights inline: @main takes only the inputs
  std::set<std::string> covered;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<ImportedGraph> graph = ImportOnnxFile(c.onnx, import);
    if (!graph.ok()) {
      ADD_FAILURE() << graph.status();
      continue;
    }
    std::ifstream ref_file(c.reference);
    nlohmann::json ref = nlohmann::json::parse(ref_file);
    std::vector<envs::HostTensor> inputs;
    for (const nlohmann::json& j : ref.at("inputs")) inputs.push_back(FromJson(j));
    absl::StatusOr<std::vector<envs::HostTensor>> out = envs::RunMlirGraph(graph->mlir, inputs);
    if (!out.ok() || out->size() != ref.at("outputs").size()) {
      ADD_FAILURE() << (out.ok() ? "wrong number of results" : out.status().ToString());
      continue;
    }
    bool all_close = true;
    for (size_t i = 0; i < out->size(); ++i) {
      absl::StatusOr<double> ratio = envs::ToleranceRatio((*out)[i], FromJson(ref["outputs"][i]), 1e-4, 1e-3);
      ASSERT_TRUE(ratio.ok()) << ratio.status();
      EXPECT_LE(*ratio, 1.0) << "output " << i << " differs from torch";
      all_close = all_close && *ratio <= 1.0;
    }
    if (all_close) {
      for (const auto& [op, nodes] : graph->onnx_ops) covered.insert(op);
    }
  }
  std::vector<std::string> missing;
  for (const std::string& op : SupportedOnnxOps()) {
    if (!covered.count(op)) missing.push_back(op);
  }
  EXPECT_TRUE(missing.empty()) << "supported ONNX ops without a passing numeric case: " << absl::StrJoin(missing, ", ");
}

}  // namespace
}  // namespace passrl::corpus
