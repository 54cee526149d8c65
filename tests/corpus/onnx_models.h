// Small ONNX models built in C++ for the importer's and the MLIR environment's tests (no Python).
#pragma once

#include <string>
#include <vector>

#include "onnx_model.pb.h"

namespace passrl::corpus::testing {

// A value declaration: name, element type (1 float, 7 int64) and static shape.
inline void Declare(google::protobuf::RepeatedPtrField<onnx::ValueInfo>* list, const std::string& name,
                    std::vector<int64_t> shape, int elem = 1) {
  onnx::ValueInfo* v = list->Add();
  v->set_name(name);
  v->mutable_type()->mutable_tensor_type()->set_elem_type(elem);
  auto* s = v->mutable_type()->mutable_tensor_type()->mutable_shape();
  for (int64_t d : shape) s->add_dim()->set_dim_value(d);
}

inline onnx::Tensor* Weight(onnx::Graph* g, const std::string& name, std::vector<int64_t> shape,
                            float value = 0.5f) {
  onnx::Tensor* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(1);
  int64_t n = 1;
  for (int64_t d : shape) {
    t->add_dims(d);
    n *= d;
  }
  for (int64_t i = 0; i < n; ++i) t->add_float_data(value + 0.01f * static_cast<float>(i % 7));
  return t;
}

inline onnx::Node* Op(onnx::Graph* g, const std::string& type, std::vector<std::string> in,
                      std::vector<std::string> out) {
  onnx::Node* n = g->add_node();
  n->set_op_type(type);
  n->set_name(type + "_" + out[0]);
  for (auto& s : in) n->add_input(s);
  for (auto& s : out) n->add_output(s);
  return n;
}

inline void Ints(onnx::Node* n, const std::string& name, std::vector<int64_t> v) {
  onnx::Attribute* a = n->add_attribute();
  a->set_name(name);
  for (int64_t x : v) a->add_ints(x);
}
inline void Int(onnx::Node* n, const std::string& name, int64_t v) {
  onnx::Attribute* a = n->add_attribute();
  a->set_name(name);
  a->set_i(v);
}

// conv 3x3 (8 -> 8) + relu, twice, a residual add, a ceil-mode max pool, global average pool,
// flatten, gemm: a miniature ResNet block with every shape in the file.
inline std::string MiniResNet() {
  onnx::Model m;
  onnx::Graph* g = m.mutable_graph();
  Declare(g->mutable_input(), "x", {1, 8, 9, 9});
  Weight(g, "w1", {8, 8, 3, 3});
  Weight(g, "b1", {8});
  Weight(g, "w2", {8, 8, 3, 3}, -0.25f);
  Weight(g, "fc", {10, 8});
  Weight(g, "fcb", {10});
  auto conv = [&](const std::string& in, const std::string& w, const std::string& b,
                  const std::string& out) {
    onnx::Node* n = Op(g, "Conv", {in, w, b}, {out});
    Ints(n, "pads", {1, 1, 1, 1});
    Ints(n, "kernel_shape", {3, 3});
    Declare(g->mutable_value_info(), out, {1, 8, 9, 9});
  };
  conv("x", "w1", "b1", "c1");
  Op(g, "Relu", {"c1"}, {"r1"});
  conv("r1", "w2", "", "c2");
  Op(g, "Add", {"c2", "x"}, {"sum"});
  Op(g, "Relu", {"sum"}, {"r2"});
  onnx::Node* pool = Op(g, "MaxPool", {"r2"}, {"p"});
  Ints(pool, "kernel_shape", {2, 2});
  Ints(pool, "strides", {2, 2});
  Int(pool, "ceil_mode", 1);  // 9x9 -> 5x5 (floor mode would give 4x4)
  Op(g, "GlobalAveragePool", {"p"}, {"gap"});
  onnx::Node* flat = Op(g, "Flatten", {"gap"}, {"f"});
  Int(flat, "axis", 1);
  onnx::Node* gemm = Op(g, "Gemm", {"f", "fc", "fcb"}, {"y"});
  Int(gemm, "transB", 1);
  Declare(g->mutable_output(), "y", {1, 10});
  return m.SerializeAsString();
}

}  // namespace passrl::corpus::testing
