#include "corpus/onnx_import.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "tests/corpus/onnx_models.h"

namespace passrl::corpus {
namespace {

using testing::Declare;
using testing::Op;

int Occurrences(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST(OnnxImportTest, MiniResNetBecomesTosaWithWeightsAsArguments) {
  auto g = ImportOnnx(testing::MiniResNet(), "mini");
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->onnx_nodes, 9);
  // w1, w2, fc are larger than 16 elements: arguments; b1 and fcb (8 and 10) are constants.
  EXPECT_EQ(g->weight_arguments, 3);
  EXPECT_EQ(Occurrences(g->mlir, "\"tosa.conv2d\""), 2);
  EXPECT_EQ(Occurrences(g->mlir, "\"tosa.fully_connected\""), 1);
  // Each conv/pool is wrapped: input and weights to NHWC/OHWI, the result back to NCHW.
  EXPECT_EQ(Occurrences(g->mlir, "\"tosa.transpose\""), 2 * 3 + 2 * 2);
  // ceil_mode: 9x9 pooled 2x2/2 is 5x5, from one extra row and column of padding.
  EXPECT_TRUE(absl::StrContains(g->mlir, "pad = array<i64: 0, 1, 0, 1>")) << g->mlir;
  EXPECT_TRUE(absl::StrContains(g->mlir, "-> tensor<1x5x5x8xf32>")) << g->mlir;
  EXPECT_TRUE(absl::StrContains(g->mlir, "func.func @main(%a0: tensor<8x8x3x3xf32>")) << g->mlir;
  EXPECT_TRUE(absl::StrContains(g->mlir, "-> (tensor<1x10xf32>)")) << g->mlir;
}

TEST(OnnxImportTest, UnknownOpIsOneLineNamingOpNodeAndModel) {
  onnx::Model m;
  onnx::Graph* g = m.mutable_graph();
  Declare(g->mutable_input(), "x", {1, 4});
  Op(g, "Erf", {"x"}, {"y"});
  Declare(g->mutable_output(), "y", {1, 4});
  auto r = ImportOnnx(m.SerializeAsString(), "bert");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::StrContains(r.status().message(), "model 'bert'")) << r.status();
  EXPECT_TRUE(absl::StrContains(r.status().message(), "ONNX op 'Erf'")) << r.status();
  EXPECT_TRUE(absl::StrContains(r.status().message(), "node 'Erf_y'")) << r.status();
  EXPECT_FALSE(absl::StrContains(r.status().message(), "\n"));
}

TEST(OnnxImportTest, RejectsNonOnnxBytesAndDynamicInputs) {
  auto junk = ImportOnnx("this is not protobuf \xff\xff\xff", "junk");
  ASSERT_FALSE(junk.ok());
  EXPECT_TRUE(absl::StrContains(junk.status().message(), "not an ONNX model")) << junk.status();

  onnx::Model m;
  onnx::Graph* g = m.mutable_graph();
  Declare(g->mutable_input(), "x", {0, 4});
  g->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_param("batch");
  Op(g, "Relu", {"x"}, {"y"});
  Declare(g->mutable_output(), "y", {1, 4});
  auto dynamic = ImportOnnx(m.SerializeAsString(), "dyn");
  ASSERT_FALSE(dynamic.ok());
  EXPECT_TRUE(absl::StrContains(dynamic.status().message(), "dynamic dimension 'batch'")) << dynamic.status();
}

TEST(OnnxImportTest, ShapeArithmeticIsEvaluatedAtImport) {
  // y = reshape(x, concat(shape(x)[0:1], [-1])): the ShuffleNet/ViT pattern; no shape in the file.
  onnx::Model m;
  onnx::Graph* g = m.mutable_graph();
  Declare(g->mutable_input(), "x", {2, 3, 4});
  Op(g, "Shape", {"x"}, {"s"});
  for (auto [name, value] : {std::pair<const char*, int64_t>{"zero", 0}, {"one", 1}, {"minus", -1}}) {
    onnx::Tensor* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(7);
    t->add_dims(1);
    t->add_int64_data(value);
  }
  Op(g, "Slice", {"s", "zero", "one"}, {"head"});
  onnx::Node* cat = Op(g, "Concat", {"head", "minus"}, {"target"});
  testing::Int(cat, "axis", 0);
  Op(g, "Reshape", {"x", "target"}, {"y"});
  Declare(g->mutable_output(), "y", {2, 12});
  auto r = ImportOnnx(m.SerializeAsString(), "shapes");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Occurrences(r->mlir, "\"tosa."), 1) << r->mlir;  // only the reshape is left
  EXPECT_TRUE(absl::StrContains(r->mlir, "new_shape = array<i64: 2, 12>")) << r->mlir;
}

TEST(OnnxImportTest, SupportedOpsAreListedSorted) {
  const auto& ops = SupportedOnnxOps();
  EXPECT_TRUE(std::is_sorted(ops.begin(), ops.end()));
  EXPECT_NE(std::find(ops.begin(), ops.end(), "Conv"), ops.end());
  EXPECT_EQ(std::find(ops.begin(), ops.end(), "Erf"), ops.end());
}

}  // namespace
}  // namespace passrl::corpus
