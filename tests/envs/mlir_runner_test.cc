#include "envs/mlir_runner.h"

#include <cmath>

#include "gtest/gtest.h"

namespace passrl::envs {
namespace {

// tanh(x) + c, and the sum over the last axis as a second result: TOSA as the importer writes it.
constexpr char kGraph[] = R"(
func.func @main(%arg0: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x1xf32>) {
  %0 = "tosa.tanh"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %c = "tosa.const"() {value = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>} : () -> tensor<2x3xf32>
  %1 = "tosa.add"(%0, %c) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = "tosa.reduce_sum"(%arg0) {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return %1, %2 : tensor<2x3xf32>, tensor<2x1xf32>
}
)";

HostTensor Input() { return HostTensor{{2, 3}, false, {0.5, -0.5, 1.0, 2.0, -3.0, 0.25}}; }

TEST(MlirRunnerTest, RunsTosaGraphAndReadsBackEveryResult) {
  absl::StatusOr<std::vector<HostTensor>> out = RunMlirGraph(kGraph, {Input()});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 2u);
  HostTensor in = Input();
  HostTensor want{{2, 3}, false, {}};
  for (int i = 0; i < 6; ++i) want.data.push_back(std::tanh(in.data[i]) + (i + 1));
  absl::StatusOr<double> r = ToleranceRatio((*out)[0], want, 1e-5, 1e-5);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_LE(*r, 1.0);
  EXPECT_EQ((*out)[1].shape, (std::vector<int64_t>{2, 1}));
  EXPECT_NEAR((*out)[1].data[0], 1.0, 1e-5);
  EXPECT_NEAR((*out)[1].data[1], -0.75, 1e-5);
}

TEST(MlirRunnerTest, InputsThatDoNotMatchMainAreRefused) {
  HostTensor wrong{{3, 2}, false, std::vector<double>(6, 1.0)};
  absl::StatusOr<std::vector<HostTensor>> out = RunMlirGraph(kGraph, {wrong});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("@main takes memref<2x3xf32>"), std::string::npos) << out.status();
  EXPECT_FALSE(RunMlirGraph(kGraph, {}).ok());
}

TEST(MlirRunnerTest, MalformedModuleGivesTheParsersMessage) {
  absl::StatusOr<std::vector<HostTensor>> out = RunMlirGraph("func.func @main( {", {});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("bufferizing"), std::string::npos) << out.status();
  EXPECT_NE(out.status().message().find("graph.mlir:1"), std::string::npos) << out.status();
}

TEST(MlirRunnerTest, ToleranceRatioFlagsDifferencesShapesAndNan) {
  HostTensor a{{2}, false, {1.0, 2.0}}, b{{2}, false, {1.0, 2.1}};
  EXPECT_NEAR(*ToleranceRatio(a, a, 1e-3, 1e-3), 0.0, 1e-12);
  EXPECT_GT(*ToleranceRatio(a, b, 1e-3, 1e-3), 1.0);
  EXPECT_FALSE(ToleranceRatio(a, HostTensor{{1, 2}, false, {1.0, 2.0}}, 1e-3, 1e-3).ok());
  HostTensor n{{2}, false, {1.0, std::nan("")}};
  EXPECT_TRUE(std::isinf(*ToleranceRatio(n, a, 1e-3, 1e-3)));
}

TEST(MlirRunnerTest, MissingToolIsNamed) {
  MlirRunOptions options;
  options.cpu_runner = "no-such-mlir-cpu-runner";
  absl::StatusOr<std::vector<HostTensor>> out = RunMlirGraph(kGraph, {Input()}, options);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("no-such-mlir-cpu-runner not found"), std::string::npos);
}

}  // namespace
}  // namespace passrl::envs
