#include "corpus/onnx_import.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <numeric>
#include <optional>
#include <sstream>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "onnx_model.pb.h"

namespace passrl::corpus {
namespace {

// ONNX TensorProto.DataType values the importer reads.
constexpr int kOnnxFloat = 1, kOnnxInt32 = 6, kOnnxInt64 = 7, kOnnxDouble = 11;

enum class Elem { kF32, kI64, kI32 };
using Shape = std::vector<int64_t>;

struct Value {
  Shape shape;
  Elem elem = Elem::kF32;
  std::string ssa;                          // empty: a constant not yet materialised
  std::optional<std::vector<double>> data;  // known contents (constants), row-major
};

int64_t NumElements(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

const char* ElemName(Elem e) { return e == Elem::kF32 ? "f32" : e == Elem::kI64 ? "i64" : "i32"; }

std::string TypeText(const Shape& s, Elem e) {
  std::string t = "tensor<";
  for (int64_t d : s) absl::StrAppend(&t, d, "x");
  return absl::StrCat(t, ElemName(e), ">");
}

std::string I64Array(const Shape& v) { return absl::StrCat("array<i64: ", absl::StrJoin(v, ", "), ">"); }

std::string Number(double v, Elem e) {
  if (e != Elem::kF32) return absl::StrCat(static_cast<int64_t>(v));
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9e", v);
  return buf;
}

// dense<...> literal: a splat when every element is equal, else nested brackets per dimension.
std::string DenseText(const std::vector<double>& data, const Shape& shape, Elem e) {
  if (std::all_of(data.begin(), data.end(), [&](double x) { return x == data[0]; }) && !data.empty()) {
    return absl::StrCat("dense<", Number(data[0], e), ">");
  }
  std::function<std::string(size_t, size_t)> nest = [&](size_t dim, size_t offset) {
    if (dim == shape.size()) return Number(data[offset], e);
    size_t stride = static_cast<size_t>(NumElements(Shape(shape.begin() + dim + 1, shape.end())));
    std::string s = "[";
    for (int64_t i = 0; i < shape[dim]; ++i) {
      absl::StrAppend(&s, i ? ", " : "", nest(dim + 1, offset + i * stride));
    }
    return s + "]";
  };
  return absl::StrCat("dense<", nest(0, 0), ">");
}

absl::StatusOr<std::vector<double>> TensorData(const onnx::Tensor& t) {
  int64_t n = 1;
  for (int64_t d : t.dims()) n *= d;
  std::vector<double> out;
  auto from_raw = [&](auto sample) -> absl::Status {
    using T = decltype(sample);
    if (t.raw_data().size() != static_cast<size_t>(n) * sizeof(T)) {
      return absl::InvalidArgumentError(absl::StrCat("tensor '", t.name(), "': raw_data has ",
                                                     t.raw_data().size(), " bytes for ", n,
                                                     " elements"));
    }
    out.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      T x;
      std::memcpy(&x, t.raw_data().data() + i * sizeof(T), sizeof(T));
      out[static_cast<size_t>(i)] = static_cast<double>(x);
    }
    return absl::OkStatus();
  };
  const bool raw = t.has_raw_data();
  switch (t.data_type()) {
    case kOnnxFloat:
      if (raw) PASSRL_RETURN_IF_ERROR(from_raw(float{}));
      else out.assign(t.float_data().begin(), t.float_data().end());
      break;
    case kOnnxInt64:
      if (raw) PASSRL_RETURN_IF_ERROR(from_raw(int64_t{}));
      else out.assign(t.int64_data().begin(), t.int64_data().end());
      break;
    case kOnnxInt32:
      if (raw) PASSRL_RETURN_IF_ERROR(from_raw(int32_t{}));
      else out.assign(t.int32_data().begin(), t.int32_data().end());
      break;
    case kOnnxDouble:
      if (raw) PASSRL_RETURN_IF_ERROR(from_raw(double{}));
      else out.assign(t.double_data().begin(), t.double_data().end());
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("tensor '", t.name(), "': data type ", t.data_type(), " is not supported"));
  }
  if (static_cast<int64_t>(out.size()) != n) {
    return absl::InvalidArgumentError(
        absl::StrCat("tensor '", t.name(), "': ", out.size(), " values for ", n, " elements"));
  }
  return out;
}

absl::StatusOr<Elem> ElemOf(int onnx_type, absl::string_view what) {
  switch (onnx_type) {
    case kOnnxFloat:
    case kOnnxDouble:
      return Elem::kF32;
    case kOnnxInt64:
      return Elem::kI64;
    case kOnnxInt32:
      return Elem::kI32;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": element type ", onnx_type, " is not supported"));
  }
}

const onnx::Attribute* FindAttr(const onnx::Node& n, absl::string_view name) {
  for (const onnx::Attribute& a : n.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}
int64_t AttrInt(const onnx::Node& n, absl::string_view name, int64_t fallback) {
  const onnx::Attribute* a = FindAttr(n, name);
  return a ? a->i() : fallback;
}
float AttrFloat(const onnx::Node& n, absl::string_view name, float fallback) {
  const onnx::Attribute* a = FindAttr(n, name);
  return a ? a->f() : fallback;
}
Shape AttrInts(const onnx::Node& n, absl::string_view name, Shape fallback = {}) {
  const onnx::Attribute* a = FindAttr(n, name);
  return a ? Shape(a->ints().begin(), a->ints().end()) : fallback;
}

int64_t NormAxis(int64_t axis, size_t rank) { return axis < 0 ? axis + static_cast<int64_t>(rank) : axis; }

// Row-major strides of `shape`.
Shape Strides(const Shape& shape) {
  Shape s(shape.size(), 1);
  for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

// 0, 1, ..., n - 1.
Shape Iota(int64_t n) {
  Shape v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

// The elements of `data` (of `shape`) that output axis k takes: indices picks[k] along input axis
// from[k]. Slices (any step) and transposes of constants are both this.
std::vector<double> Picked(const std::vector<double>& data, const Shape& shape, const std::vector<Shape>& picks,
                           const Shape& from) {
  const Shape stride = Strides(shape);
  std::vector<double> out;
  std::function<void(size_t, int64_t)> walk = [&](size_t k, int64_t offset) {
    if (k == picks.size()) {
      out.push_back(data[static_cast<size_t>(offset)]);
      return;
    }
    for (int64_t i : picks[k]) walk(k + 1, offset + i * stride[from[k]]);
  };
  walk(0, 0);
  return out;
}

// Numpy broadcasting of a and b to `out`, applying f element-wise.
std::vector<double> Broadcast(const Value& a, const Value& b, const Shape& out,
                              const std::function<double(double, double)>& f) {
  const Shape os = Strides(out);
  auto index_in = [&](const Value& v, int64_t flat) {
    const Shape vs = Strides(v.shape);
    int64_t idx = 0;
    const size_t lead = out.size() - v.shape.size();
    for (size_t d = lead; d < out.size(); ++d) {
      int64_t coord = (flat / os[d]) % out[d];
      if (v.shape[d - lead] != 1) idx += coord * vs[d - lead];
    }
    return idx;
  };
  std::vector<double> r(static_cast<size_t>(NumElements(out)));
  for (int64_t i = 0; i < static_cast<int64_t>(r.size()); ++i) {
    r[i] = f((*a.data)[index_in(a, i)], (*b.data)[index_in(b, i)]);
  }
  return r;
}

Shape BroadcastShape(const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()), 1);
  for (size_t i = 0; i < out.size(); ++i) {
    int64_t da = i < out.size() - a.size() ? 1 : a[i - (out.size() - a.size())];
    int64_t db = i < out.size() - b.size() ? 1 : b[i - (out.size() - b.size())];
    out[i] = std::max(da, db);
  }
  return out;
}

class Importer;
using Handler = absl::Status (Importer::*)(const onnx::Node&);

class Importer {
 public:
  Importer(const onnx::Graph& graph, absl::string_view model, const OnnxImportOptions& options)
      : graph_(graph), model_(model), options_(options) {}

  absl::StatusOr<ImportedGraph> Run();
  static const std::map<std::string, Handler>& Handlers();

 private:
  absl::Status Declare();
  absl::Status Fail(const onnx::Node& n, absl::string_view why) const {
    return absl::InvalidArgumentError(absl::StrCat("model '", model_, "', node '", n.name(), "' (",
                                                   n.op_type(), "): ", why));
  }
  absl::StatusOr<const Value*> In(const onnx::Node& n, int i) const;
  absl::StatusOr<Shape> OutShape(const onnx::Node& n, int i = 0) const;
  absl::StatusOr<Shape> InferShape(const onnx::Node& n, int i) const;
  absl::StatusOr<Shape> ConstInts(const onnx::Node& n, int i) const;
  std::string Ssa(const Value& v);
  std::string Emit(absl::string_view op, const std::vector<const Value*>& operands,
                   absl::string_view attrs, const Shape& shape, Elem elem = Elem::kF32);
  Value Make(const Shape& shape, std::string ssa, Elem elem = Elem::kF32) {
    return Value{shape, elem, std::move(ssa), std::nullopt};
  }
  Value Const(const Shape& shape, std::vector<double> data, Elem elem = Elem::kF32) {
    return Value{shape, elem, "", std::move(data)};
  }
  // A new function argument of this type; returns its SSA name.
  std::string AddArgument(const Shape& shape, Elem elem) {
    std::string name = absl::StrCat("%a", args_.size());
    args_.push_back(absl::StrCat(name, ": ", TypeText(shape, elem)));
    return name;
  }
  Value Reshape(const Value& v, const Shape& shape);
  Value Transpose(const Value& v, const Shape& perm);
  Value ToRank(const Value& v, size_t rank);  // leading 1s
  void Set(const onnx::Node& n, Value v, int i = 0) { values_[n.output(i)] = std::move(v); }
  absl::Status Fold(const onnx::Node& n);

  absl::Status Constant(const onnx::Node& n);
  absl::Status ShapeOp(const onnx::Node& n);
  absl::Status Identity(const onnx::Node& n);
  absl::Status Binary(const onnx::Node& n);
  absl::Status Unary(const onnx::Node& n);
  absl::Status Clip(const onnx::Node& n);
  absl::Status HardSigmoid(const onnx::Node& n);
  absl::Status Conv(const onnx::Node& n);
  absl::Status Pool(const onnx::Node& n);
  absl::Status Gemm(const onnx::Node& n);
  absl::Status MatMul(const onnx::Node& n);
  absl::Status Softmax(const onnx::Node& n);
  absl::Status ReduceMean(const onnx::Node& n);
  absl::Status ReshapeOp(const onnx::Node& n);
  absl::Status TransposeOp(const onnx::Node& n);
  absl::Status Split(const onnx::Node& n);
  absl::Status Slice(const onnx::Node& n);
  absl::Status Gather(const onnx::Node& n);
  absl::Status Concat(const onnx::Node& n);
  absl::Status BatchNorm(const onnx::Node& n);
  absl::Status Pad(const onnx::Node& n);

  const onnx::Graph& graph_;
  const std::string model_;
  const OnnxImportOptions options_;
  std::map<std::string, Value> values_;
  std::map<std::string, Shape> shapes_;  // every value's shape, from the file
  std::vector<std::string> args_, body_;
  int next_ = 0;
  int64_t weight_arguments_ = 0;
};

const std::map<std::string, Handler>& Importer::Handlers() {
  static const auto* handlers = new std::map<std::string, Handler>{
      {"Constant", &Importer::Constant},     {"Shape", &Importer::ShapeOp},
      {"Identity", &Importer::Identity},    {"Cast", &Importer::Identity},
      {"Dropout", &Importer::Identity},     {"Add", &Importer::Binary},
      {"Sub", &Importer::Binary},           {"Mul", &Importer::Binary},
      {"Div", &Importer::Binary},           {"Pow", &Importer::Binary},
      {"Relu", &Importer::Unary},           {"Sigmoid", &Importer::Unary},
      {"Tanh", &Importer::Unary},           {"Sqrt", &Importer::Unary},
      {"Exp", &Importer::Unary},            {"Neg", &Importer::Unary},
      {"Clip", &Importer::Clip},            {"HardSigmoid", &Importer::HardSigmoid},
      {"Conv", &Importer::Conv},            {"MaxPool", &Importer::Pool},
      {"AveragePool", &Importer::Pool},     {"GlobalAveragePool", &Importer::Pool},
      {"Gemm", &Importer::Gemm},            {"MatMul", &Importer::MatMul},
      {"Softmax", &Importer::Softmax},      {"ReduceMean", &Importer::ReduceMean},
      {"Reshape", &Importer::ReshapeOp},    {"Flatten", &Importer::ReshapeOp},
      {"Squeeze", &Importer::ReshapeOp},    {"Unsqueeze", &Importer::ReshapeOp},
      {"Transpose", &Importer::TransposeOp}, {"Split", &Importer::Split},
      {"Slice", &Importer::Slice},          {"Gather", &Importer::Gather},
      {"Concat", &Importer::Concat},        {"BatchNormalization", &Importer::BatchNorm},
      {"Pad", &Importer::Pad},
  };
  return *handlers;
}

absl::Status Importer::Declare() {
  auto record = [&](const onnx::ValueInfo& v) {
    Shape s;
    bool known = v.type().tensor_type().has_shape();  // every dimension a number, else inferred here
    for (const onnx::Dimension& d : v.type().tensor_type().shape().dim()) {
      known &= d.has_dim_value();
      s.push_back(d.dim_value());
    }
    if (known) shapes_[v.name()] = s;
  };
  for (const auto& v : graph_.input()) record(v);
  for (const auto& v : graph_.output()) record(v);
  for (const auto& v : graph_.value_info()) record(v);
  for (const onnx::Tensor& t : graph_.initializer()) {
    PASSRL_ASSIGN_OR_RETURN(Elem elem, ElemOf(t.data_type(), absl::StrCat("initializer '", t.name(), "'")));
    Shape shape(t.dims().begin(), t.dims().end());
    if (elem == Elem::kF32 && NumElements(shape) > options_.max_inline_constant_elements) {
      values_[t.name()] = Make(shape, AddArgument(shape, elem), elem);
      ++weight_arguments_;
      continue;
    }
    PASSRL_ASSIGN_OR_RETURN(std::vector<double> data, TensorData(t));
    values_[t.name()] = Const(shape, std::move(data), elem);
  }
  for (const onnx::ValueInfo& v : graph_.input()) {
    if (values_.count(v.name())) continue;  // an initializer listed as an input
    for (const auto& d : v.type().tensor_type().shape().dim()) {
      if (d.dim_value() <= 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "model '", model_, "': input '", v.name(), "' has a dynamic dimension '",
            d.dim_param(), "'; export with static shapes"));
      }
    }
    if (!shapes_.count(v.name())) {
      return absl::InvalidArgumentError(absl::StrCat("model '", model_, "': input '", v.name(),
                                                     "' has no static shape"));
    }
    PASSRL_ASSIGN_OR_RETURN(Elem elem, ElemOf(v.type().tensor_type().elem_type(), v.name()));
    values_[v.name()] = Make(shapes_[v.name()], AddArgument(shapes_[v.name()], elem), elem);
  }
  return absl::OkStatus();
}

absl::StatusOr<const Value*> Importer::In(const onnx::Node& n, int i) const {
  if (i >= n.input_size() || n.input(i).empty()) return Fail(n, absl::StrCat("input ", i, " is missing"));
  auto it = values_.find(n.input(i));
  if (it == values_.end()) return Fail(n, absl::StrCat("input '", n.input(i), "' is not defined before use"));
  return &it->second;
}

absl::StatusOr<Shape> Importer::OutShape(const onnx::Node& n, int i) const {
  auto it = shapes_.find(n.output(i));
  if (it != shapes_.end()) return it->second;
  absl::StatusOr<Shape> inferred = InferShape(n, i);
  if (inferred.ok()) return inferred;
  return Fail(n, absl::StrCat("output '", n.output(i), "' has no shape in the file and ",
                              inferred.status().message()));
}

// Output shapes ONNX shape inference leaves out (those computed from Shape ops' values).
absl::StatusOr<Shape> Importer::InferShape(const onnx::Node& n, int i) const {
  PASSRL_ASSIGN_OR_RETURN(const Value* x, In(n, 0));
  const std::string& op = n.op_type();
  const size_t rank = x->shape.size();
  if (op == "Reshape") {
    PASSRL_ASSIGN_OR_RETURN(Shape s, ConstInts(n, 1));
    int64_t known = 1, unknown = -1;
    for (size_t d = 0; d < s.size(); ++d) {
      if (s[d] == 0) s[d] = x->shape[d];
      if (s[d] == -1) unknown = static_cast<int64_t>(d);
      else known *= s[d];
    }
    if (unknown >= 0) s[unknown] = NumElements(x->shape) / known;
    return s;
  }
  if (op == "Pad") {
    PASSRL_ASSIGN_OR_RETURN(Shape pads, ConstInts(n, 1));
    if (pads.size() != 2 * rank) return absl::InvalidArgumentError("pads must have 2 x rank values");
    Shape s = x->shape;
    for (size_t d = 0; d < rank; ++d) s[d] += pads[d] + pads[d + rank];
    return s;
  }
  if (op == "Flatten") {
    int64_t axis = NormAxis(AttrInt(n, "axis", 1), rank);
    return Shape{NumElements(Shape(x->shape.begin(), x->shape.begin() + axis)),
                 NumElements(Shape(x->shape.begin() + axis, x->shape.end()))};
  }
  if (op == "Slice") {
    PASSRL_ASSIGN_OR_RETURN(Shape starts, ConstInts(n, 1));
    PASSRL_ASSIGN_OR_RETURN(Shape ends, ConstInts(n, 2));
    Shape axes;
    if (n.input_size() > 3 && !n.input(3).empty()) {
      PASSRL_ASSIGN_OR_RETURN(axes, ConstInts(n, 3));
    } else {
      for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
    }
    Shape out = x->shape;
    for (size_t k = 0; k < axes.size(); ++k) {
      int64_t a = NormAxis(axes[k], rank), dim = x->shape[a];
      int64_t b = std::clamp<int64_t>(starts[k] < 0 ? starts[k] + dim : starts[k], 0, dim);
      int64_t e = std::clamp<int64_t>(ends[k] < 0 ? ends[k] + dim : ends[k], 0, dim);
      out[a] = std::max<int64_t>(0, e - b);
    }
    return out;
  }
  if (op == "Concat") {
    Shape out = x->shape;
    const int64_t axis = NormAxis(AttrInt(n, "axis", 0), rank);
    for (int k = 1; k < n.input_size(); ++k) {
      PASSRL_ASSIGN_OR_RETURN(const Value* v, In(n, k));
      out[axis] += v->shape[axis];
    }
    return out;
  }
  if (op == "Conv" || op == "MaxPool" || op == "AveragePool") {
    Shape kernel = AttrInts(n, "kernel_shape");
    int64_t channels = x->shape[1];
    if (op == "Conv") {
      PASSRL_ASSIGN_OR_RETURN(const Value* w, In(n, 1));
      kernel = {w->shape[2], w->shape[3]};
      channels = w->shape[0];
    }
    Shape stride = AttrInts(n, "strides", {1, 1}), dil = AttrInts(n, "dilations", {1, 1});
    Shape pads = AttrInts(n, "pads", {0, 0, 0, 0});
    const bool ceil = AttrInt(n, "ceil_mode", 0) != 0;
    Shape out = {x->shape[0], channels, 0, 0};
    for (int d = 0; d < 2; ++d) {
      int64_t span = x->shape[2 + d] + pads[d] + pads[d + 2] - dil[d] * (kernel[d] - 1) - 1;
      out[2 + d] = (ceil ? (span + stride[d] - 1) / stride[d] : span / stride[d]) + 1;
    }
    return out;
  }
  if (op == "GlobalAveragePool") return Shape{x->shape[0], x->shape[1], 1, 1};
  if (op == "ReduceMean") {
    Shape axes = AttrInts(n, "axes"), out;
    for (int64_t& a : axes) a = NormAxis(a, rank);
    for (size_t d = 0; d < rank; ++d) {
      bool reduced = axes.empty() || std::count(axes.begin(), axes.end(), static_cast<int64_t>(d));
      if (!reduced) out.push_back(x->shape[d]);
      else if (AttrInt(n, "keepdims", 1)) out.push_back(1);
    }
    return out;
  }
  if (op == "MatMul" || op == "Gemm") {
    PASSRL_ASSIGN_OR_RETURN(const Value* b, In(n, 1));
    Shape out = b->shape.size() > rank ? Shape(b->shape.begin(), b->shape.end() - 2) : Shape(x->shape.begin(), x->shape.end() - 2);
    out.push_back(x->shape[rank - 2]);
    out.push_back(op == "Gemm" && AttrInt(n, "transB", 0) ? b->shape[0] : b->shape.back());
    return out;
  }
  if (op == "Gather") {
    PASSRL_ASSIGN_OR_RETURN(const Value* idx, In(n, 1));
    const int64_t axis = NormAxis(AttrInt(n, "axis", 0), rank);
    Shape out(x->shape.begin(), x->shape.begin() + axis);
    out.insert(out.end(), idx->shape.begin(), idx->shape.end());
    out.insert(out.end(), x->shape.begin() + axis + 1, x->shape.end());
    return out;
  }
  if (op == "Split") {
    const int64_t axis = NormAxis(AttrInt(n, "axis", 0), rank);
    Shape out = x->shape;
    Shape sizes = AttrInts(n, "split");
    if (n.input_size() > 1 && !n.input(1).empty()) {
      PASSRL_ASSIGN_OR_RETURN(sizes, ConstInts(n, 1));
    }
    out[axis] = sizes.empty() ? x->shape[axis] / n.output_size() : sizes[i];
    return out;
  }
  return absl::UnimplementedError("the importer cannot infer it");
}

absl::StatusOr<Shape> Importer::ConstInts(const onnx::Node& n, int i) const {
  PASSRL_ASSIGN_OR_RETURN(const Value* v, In(n, i));
  if (!v->data) return Fail(n, absl::StrCat("input ", i, " must be a constant"));
  return Shape(v->data->begin(), v->data->end());
}

std::string Importer::Ssa(const Value& v) {
  if (!v.ssa.empty()) return v.ssa;
  std::string name = absl::StrCat("%v", next_++);
  body_.push_back(absl::StrCat(name, " = \"tosa.const\"() {value = ", DenseText(*v.data, v.shape, v.elem),
                               " : ", TypeText(v.shape, v.elem), "} : () -> ",
                               TypeText(v.shape, v.elem)));
  return name;
}

std::string Importer::Emit(absl::string_view op, const std::vector<const Value*>& operands,
                           absl::string_view attrs, const Shape& shape, Elem elem) {
  std::vector<std::string> names, types;
  for (const Value* v : operands) {
    names.push_back(Ssa(*v));
    types.push_back(TypeText(v->shape, v->elem));
  }
  std::string name = absl::StrCat("%v", next_++);
  body_.push_back(absl::StrCat(name, " = \"tosa.", op, "\"(", absl::StrJoin(names, ", "), ")",
                               attrs.empty() ? "" : absl::StrCat(" {", attrs, "}"), " : (",
                               absl::StrJoin(types, ", "), ") -> ", TypeText(shape, elem)));
  return name;
}

Value Importer::Reshape(const Value& v, const Shape& shape) {
  if (v.shape == shape) return v;
  if (v.data && v.ssa.empty()) return Const(shape, *v.data, v.elem);
  return Make(shape, Emit("reshape", {&v}, absl::StrCat("new_shape = ", I64Array(shape)), shape, v.elem),
              v.elem);
}

Value Importer::Transpose(const Value& v, const Shape& perm) {
  Shape out;
  for (int64_t p : perm) out.push_back(v.shape[p]);
  Value perms = Const({static_cast<int64_t>(perm.size())}, std::vector<double>(perm.begin(), perm.end()),
                      Elem::kI32);
  return Make(out, Emit("transpose", {&v, &perms}, "", out, v.elem), v.elem);
}

Value Importer::ToRank(const Value& v, size_t rank) {
  if (v.shape.size() >= rank) return v;
  Shape s(rank - v.shape.size(), 1);
  s.insert(s.end(), v.shape.begin(), v.shape.end());
  return Reshape(v, s);
}

// Evaluates a node whose inputs are all constants (shape arithmetic); Unimplemented if the op
// has no evaluator here (the caller then emits it as a graph op).
absl::Status Importer::Fold(const onnx::Node& n) {
  std::vector<const Value*> in;
  for (int i = 0; i < n.input_size(); ++i) {
    if (n.input(i).empty()) { in.push_back(nullptr); continue; }
    PASSRL_ASSIGN_OR_RETURN(const Value* v, In(n, i));
    in.push_back(v);
  }
  const std::string& op = n.op_type();
  static const std::map<std::string, std::function<double(double, double)>> kBinary = {
      {"Add", std::plus<double>()}, {"Sub", std::minus<double>()}, {"Mul", std::multiplies<double>()},
      {"Pow", [](double a, double b) { return std::pow(a, b); }}};
  if (kBinary.count(op) || op == "Div") {
    const bool integer = in[0]->elem != Elem::kF32;
    auto f = op == "Div" ? std::function<double(double, double)>([integer](double a, double b) {
      return integer ? std::trunc(a / b) : a / b;
    }) : kBinary.at(op);
    Shape out = BroadcastShape(in[0]->shape, in[1]->shape);
    Set(n, Const(out, Broadcast(*in[0], *in[1], out, f), in[0]->elem));
    return absl::OkStatus();
  }
  if (op == "Sqrt") {
    std::vector<double> d = *in[0]->data;
    for (double& x : d) x = std::sqrt(x);
    Set(n, Const(in[0]->shape, d, in[0]->elem));
    return absl::OkStatus();
  }
  if (op == "Identity" || op == "Cast") {
    Elem elem = in[0]->elem;
    if (op == "Cast") {
      PASSRL_ASSIGN_OR_RETURN(elem, ElemOf(static_cast<int>(AttrInt(n, "to", 1)), n.name()));
    }
    Set(n, Const(in[0]->shape, *in[0]->data, elem));
    return absl::OkStatus();
  }
  if (op == "Unsqueeze" || op == "Squeeze" || op == "Reshape" || op == "Flatten") {
    PASSRL_ASSIGN_OR_RETURN(Shape out, OutShape(n));
    Set(n, Const(out, *in[0]->data, in[0]->elem));
    return absl::OkStatus();
  }
  if (op == "Concat" && in[0]->shape.size() == 1) {
    std::vector<double> d;
    for (const Value* v : in) d.insert(d.end(), v->data->begin(), v->data->end());
    Set(n, Const({static_cast<int64_t>(d.size())}, d, in[0]->elem));
    return absl::OkStatus();
  }
  if (op == "Gather" && in[0]->shape.size() == 1 && AttrInt(n, "axis", 0) == 0) {
    std::vector<double> d;
    for (double i : *in[1]->data) {
      int64_t k = NormAxis(static_cast<int64_t>(i), static_cast<size_t>(in[0]->shape[0]));
      if (k < 0 || k >= in[0]->shape[0]) return Fail(n, "index out of range");
      d.push_back((*in[0]->data)[k]);
    }
    Set(n, Const(in[1]->shape, d, in[0]->elem));
    return absl::OkStatus();
  }
  if (op == "Slice") {  // any rank, any step (torch's F.pad export reverses its pads with step -1)
    const Shape& shape = in[0]->shape;
    std::vector<Shape> picks;
    for (int64_t dim : shape) picks.push_back(Iota(dim));
    auto ints = [&](size_t i, double fallback, size_t k) {
      return i < in.size() && in[i] ? (*in[i]->data)[k] : fallback;
    };
    for (size_t k = 0; k < in[1]->data->size(); ++k) {
      const int64_t a = NormAxis(static_cast<int64_t>(ints(3, static_cast<double>(k), k)), shape.size());
      const double dim = static_cast<double>(shape[a]), step = ints(4, 1, k);
      if (step == 0) return Fail(n, "step 0");
      double b = ints(1, 0, k), e = ints(2, 0, k);
      b = b < 0 ? b + dim : b;
      e = e < 0 ? e + dim : e;
      b = step > 0 ? std::clamp(b, 0.0, dim) : std::clamp(b, 0.0, dim - 1);
      e = step > 0 ? std::clamp(e, 0.0, dim) : std::clamp(e, -1.0, dim - 1);
      picks[a].clear();
      for (double i = b; step > 0 ? i < e : i > e; i += step) picks[a].push_back(static_cast<int64_t>(i));
    }
    Shape out;
    for (const Shape& p : picks) out.push_back(static_cast<int64_t>(p.size()));
    Set(n, Const(out, Picked(*in[0]->data, shape, picks, Iota(static_cast<int64_t>(shape.size()))), in[0]->elem));
    return absl::OkStatus();
  }
  if (op == "Transpose") {
    const Shape& shape = in[0]->shape;
    Shape perm = AttrInts(n, "perm"), out;
    if (perm.empty()) for (size_t d = shape.size(); d-- > 0;) perm.push_back(static_cast<int64_t>(d));
    std::vector<Shape> picks;
    for (int64_t p : perm) {
      picks.push_back(Iota(shape[p]));
      out.push_back(shape[p]);
    }
    Set(n, Const(out, Picked(*in[0]->data, shape, picks, perm), in[0]->elem));
    return absl::OkStatus();
  }
  if (op == "ConstantOfShape") {
    Shape shape(in[0]->data->begin(), in[0]->data->end());
    const onnx::Attribute* a = FindAttr(n, "value");
    double fill = 0;
    Elem elem = Elem::kF32;
    if (a) {
      PASSRL_ASSIGN_OR_RETURN(std::vector<double> v, TensorData(a->t()));
      PASSRL_ASSIGN_OR_RETURN(elem, ElemOf(a->t().data_type(), n.name()));
      if (!v.empty()) fill = v[0];
    }
    Set(n, Const(shape, std::vector<double>(static_cast<size_t>(NumElements(shape)), fill), elem));
    return absl::OkStatus();
  }
  return absl::UnimplementedError(op);
}

absl::Status Importer::Constant(const onnx::Node& n) {
  const onnx::Attribute* a = FindAttr(n, "value");
  if (!a || !a->has_t()) return Fail(n, "only the 'value' (tensor) form of Constant is supported");
  PASSRL_ASSIGN_OR_RETURN(std::vector<double> data, TensorData(a->t()));
  PASSRL_ASSIGN_OR_RETURN(Elem elem, ElemOf(a->t().data_type(), n.name()));
  Shape shape(a->t().dims().begin(), a->t().dims().end());
  if (elem == Elem::kF32 && NumElements(shape) > options_.max_inline_constant_elements) {
    Set(n, Make(shape, AddArgument(shape, elem), elem));
    ++weight_arguments_;
    return absl::OkStatus();
  }
  Set(n, Const(shape, std::move(data), elem));
  return absl::OkStatus();
}

absl::Status Importer::ShapeOp(const onnx::Node& n) {
  PASSRL_ASSIGN_OR_RETURN(const Value* v, In(n, 0));
  Set(n, Const({static_cast<int64_t>(v->shape.size())}, std::vector<double>(v->shape.begin(), v->shape.end()),
               Elem::kI64));
  return absl::OkStatus();
}

absl::Status Importer::Identity(const onnx::Node& n) {
  PASSRL_ASSIGN_OR_RETURN(const Value* v, In(n, 0));
  Value out = *v;
  if (n.op_type() == "Cast") {
    PASSRL_ASSIGN_OR_RETURN(Elem to, ElemOf(static_cast<int>(AttrInt(n, "to", 1)), n.name()));
    if (to != v->elem) {
      PASSRL_ASSIGN_OR_RETURN(Shape shape, OutShape(n));
      out = Make(shape, Emit("cast", {v}, "", shape, to), to);
    }
  }
  Set(n, out);
  return absl::OkStatus();
}

absl::Status Importer::Binary(const onnx::Node& n) {
  PASSRL_ASSIGN_OR_RETURN(const Value* a, In(n, 0));
  PASSRL_ASSIGN_OR_RETURN(const Value* b, In(n, 1));
  Shape out = BroadcastShape(a->shape, b->shape);
  Value x = ToRank(*a, out.size()), y = ToRank(*b, out.size());
  const std::string& op = n.op_type();
  if (op == "Div") {  // TOSA's div is integer-only: multiply by the reciprocal
    y = Make(y.shape, Emit("reciprocal", {&y}, "", y.shape), y.elem);
  }
  if (op == "Mul" || op == "Div") {
    Set(n, Make(out, Emit("mul", {&x, &y}, "shift = 0 : i32", out)));
  } else {
    std::string tosa = op == "Add" ? "add" : op == "Sub" ? "sub" : "pow";
    Set(n, Make(out, Emit(tosa, {&x, &y}, "", out)));
  }
  return absl::OkStatus();
}

std::string ClampAttrs(double lo, double hi) {
  return absl::StrCat("min_int = ", static_cast<int64_t>(std::max(lo, -9.2e18)),
                      " : i64, max_int = ", static_cast<int64_t>(std::min(hi, 9.2e18)),
                      " : i64, min_fp = ", Number(lo, Elem::kF32), " : f32, max_fp = ",
                      Number(hi, Elem::kF32), " : f32");
}

absl::Status Importer::Unary(const onnx::Node& n) {
  PASSRL_ASSIGN_OR_RETURN(const Value* v, In(n, 0));
  const std::string& op = n.op_type();
  if (op == "Relu") {
    Set(n, Make(v->shape, Emit("clamp", {v}, ClampAttrs(0, FLT_MAX), v->shape)));
  } else if (op == "Sqrt") {  // TOSA has no sqrt: x ^ 0.5
    Value half = Const(Shape(v->shape.size(), 1), {0.5});
    Set(n, Make(v->shape, Emit("pow", {v, &half}, "", v->shape)));
  } else {
    std::string tosa = op == "Sigmoid" ? "sigmoid" : op == "Tanh" ? "tanh" : op == "Exp" ? "exp" : "negate";
    Set(n, Make(v->shape, Emit(tosa, {v}, "", v->shape)));
  }
  return absl::OkStatus();
}

absl::Status Importer::Clip(const onnx::Node& n) {
  PASSRL_ASSIGN_OR_RETURN(const Value* v, In(n, 0));
  double lo = AttrFloat(n, "min", -FLT_MAX), hi = AttrFloat(n, "max", FLT_MAX);
  for (int i = 1; i <= 2; ++i) {
    if (i >= n.input_size() || n.input(i).empty()) continue;
    PASSRL_ASSIGN_OR_RETURN(Shape bound, ConstInts(n, i));
    PASSRL_ASSIGN_OR_RETURN(const Value* b, In(n, i));
    (i == 1 ? lo : hi) = (*b->data)[0];
  }
  Set(n, Make(v->shape, Emit("clamp", {v}, ClampAttrs(lo, hi), v->shape)));
  return absl::OkStatus();
}

absl::Status Importer::HardSigmoid(const onnx::Node& n) {
  PASSRL_ASSIGN_OR_RETURN(const Value* v, In(n, 0));
  Value alpha = Const(Shape(v->shape.size(), 1), {AttrFloat(n, "alpha", 0.2f)});
  Value beta = Const(Shape(v->shape.size(), 1), {AttrFloat(n, "beta", 0.5f)});
  Value scaled = Make(v->shape, Emit("mul", {v, &alpha}, "shift = 0 : i32", v->shape));
  Value shifted = Make(v->shape, Emit("add", {&scaled, &beta}, "", v->shape));
  Set(n, Make(v->shape, Emit("clamp", {&shifted}, ClampAttrs(0, 1), v->shape)));
  return absl::OkStatus();
}

const Shape kToNhwc = {0, 2, 3, 1}, kToNchw = {0, 3, 1, 2};

// ONNX pads [top, left, bottom, right] as TOSA's [top, bottom, left, right].
Shape TosaPads(const Shape& onnx_pads) {
  Shape p = onnx_pads.empty() ? Shape(4, 0) : onnx_pads;
  return {p[0], p[2], p[1], p[3]};
}

absl::Status Importer::Conv(const onnx::Node& n) {
  PASSRL_ASSIGN_OR_RETURN(const Value* x, In(n, 0));
  PASSRL_ASSIGN_OR_RETURN(const Value* w, In(n, 1));
  PASSRL_ASSIGN_OR_RETURN(Shape out, OutShape(n));
  if (x->shape.size() != 4) return Fail(n, "only 2-D convolutions are supported");
  const int64_t group = AttrInt(n, "group", 1), cin = x->shape[1], cout = w->shape[0];
  Value bias = Const({cout}, std::vector<double>{0.0});
  if (n.input_size() > 2 && !n.input(2).empty()) {
    PASSRL_ASSIGN_OR_RETURN(const Value* b, In(n, 2));
    bias = *b;
  }
  const std::string attrs = absl::StrCat(
      "pad = ", I64Array(TosaPads(AttrInts(n, "pads"))), ", stride = ",
      I64Array(AttrInts(n, "strides", {1, 1})), ", dilation = ", I64Array(AttrInts(n, "dilations", {1, 1})));
  Value xin = Transpose(*x, kToNhwc);
  const Shape nhwc = {out[0], out[2], out[3], out[1]};
  Value y;
  if (group == 1) {
    Value wt = Transpose(*w, kToNhwc);  // OIHW -> OHWI
    y = Make(nhwc, Emit("conv2d", {&xin, &wt, &bias}, attrs, nhwc));
  } else if (group == cin) {  // depthwise: [C*M, 1, KH, KW] -> [KH, KW, C, M]
    Value wr = Reshape(*w, {cin, cout / cin, w->shape[2], w->shape[3]});
    Value wt = Transpose(wr, {2, 3, 0, 1});
    y = Make(nhwc, Emit("depthwise_conv2d", {&xin, &wt, &bias}, attrs, nhwc));
  } else {
    return Fail(n, absl::StrCat("grouped convolution with ", group, " groups of ", cin,
                                " channels is not supported (only 1 group or depthwise)"));
  }
  Set(n, Transpose(y, kToNchw));
  return absl::OkStatus();
}

absl::Status Importer::Pool(const onnx::Node& n) {
  PASSRL_ASSIGN_OR_RETURN(const Value* x, In(n, 0));
  PASSRL_ASSIGN_OR_RETURN(Shape out, OutShape(n));
  if (x->shape.size() != 4) return Fail(n, "only 2-D pooling is supported");
  const bool global = n.op_type() == "GlobalAveragePool";
  Shape kernel = global ? Shape{x->shape[2], x->shape[3]} : AttrInts(n, "kernel_shape");
  Shape stride = global ? Shape{1, 1} : AttrInts(n, "strides", {1, 1});
  Shape pad = TosaPads(AttrInts(n, "pads"));
  if (kernel.size() != 2) return Fail(n, "kernel_shape must have two values");
  if (AttrInt(n, "count_include_pad", 0) != 0) return Fail(n, "count_include_pad=1 is not supported");
  // ceil_mode: grow the bottom/right padding until TOSA's floor-mode size equals ONNX's size.
  for (int d = 0; d < 2; ++d) {
    int64_t need = (out[2 + d] - 1) * stride[d] + kernel[d] - x->shape[2 + d] - pad[2 * d];
    pad[2 * d + 1] = std::max(pad[2 * d + 1], need);
  }
  const std::string attrs = absl::StrCat("kernel = ", I64Array(kernel), ", stride = ",
                                         I64Array(stride), ", pad = ", I64Array(pad));
  Value xin = Transpose(*x, kToNhwc);
  const Shape nhwc = {out[0], out[2], out[3], out[1]};
  Value y = Make(nhwc, Emit(n.op_type() == "MaxPool" ? "max_pool2d" : "avg_pool2d", {&xin}, attrs, nhwc));
  Set(n, Transpose(y, kToNchw));
  return absl::OkStatus();
}

absl::Status Importer::Gemm(const onnx::Node& n) {
  PASSRL_ASSIGN_OR_RETURN(const Value* a, In(n, 0));
  PASSRL_ASSIGN_OR_RETURN(const Value* b, In(n, 1));
  PASSRL_ASSIGN_OR_RETURN(Shape out, OutShape(n));
  if (AttrInt(n, "transA", 0) != 0 || AttrFloat(n, "alpha", 1) != 1 || AttrFloat(n, "beta", 1) != 1) {
    return Fail(n, "only transA=0, alpha=1, beta=1 are supported");
  }
  Value w = AttrInt(n, "transB", 0) ? *b : Transpose(*b, {1, 0});  // fully_connected: [OC, IC]
  Value bias = Const({out[1]}, std::vector<double>{0.0});
  if (n.input_size() > 2 && !n.input(2).empty()) {
    PASSRL_ASSIGN_OR_RETURN(const Value* c, In(n, 2));
    if (c->shape.size() != 1) return Fail(n, "only a 1-D bias C is supported");
    bias = *c;
  }
  Set(n, Make(out, Emit("fully_connected", {a, &w, &bias}, "", out)));
  return absl::OkStatus();
}

// Batched matmul as TOSA's rank-3 matmul: [B, M, K] x [B, K, N]. A rank-2 right side (weights)
// multiplies every row of the left side: [1, B*M, K] x [1, K, N].
absl::Status Importer::MatMul(const onnx::Node& n) {
  PASSRL_ASSIGN_OR_RETURN(const Value* a, In(n, 0));
  PASSRL_ASSIGN_OR_RETURN(const Value* b, In(n, 1));
  PASSRL_ASSIGN_OR_RETURN(Shape out, OutShape(n));
  if (a->shape.size() < 2 || b->shape.size() < 2) return Fail(n, "1-D operands are not supported");
  const int64_t m = a->shape[a->shape.size() - 2], k = a->shape.back(), nn = b->shape.back();
  const int64_t batch_a = NumElements(a->shape) / (m * k), batch_b = NumElements(b->shape) / (k * nn);
  Value x, y;
  if (batch_b == 1) {
    x = Reshape(*a, {1, batch_a * m, k});
    y = Reshape(*b, {1, k, nn});
  } else if (batch_a == batch_b) {
    x = Reshape(*a, {batch_a, m, k});
    y = Reshape(*b, {batch_b, k, nn});
  } else {
    return Fail(n, "broadcasting of batch dimensions is not supported");
  }
  Shape mm = {x.shape[0], x.shape[1], nn};
  Value r = Make(mm, Emit("matmul", {&x, &y}, "", mm));
  Set(n, Reshape(r, out));
  return absl::OkStatus();
}

absl::Status Importer::Softmax(const onnx::Node& n) {
  PASSRL_ASSIGN_OR_RETURN(const Value* x, In(n, 0));
  const int64_t axis = NormAxis(AttrInt(n, "axis", -1), x->shape.size());
  if (axis != static_cast<int64_t>(x->shape.size()) - 1) return Fail(n, "only the last axis is supported");
  Shape reduced = x->shape;
  reduced[axis] = 1;
  const std::string ax = absl::StrCat("axis = ", axis, " : i64");
  Value mx = Make(reduced, Emit("reduce_max", {x}, ax, reduced));
  Value shifted = Make(x->shape, Emit("sub", {x, &mx}, "", x->shape));
  Value e = Make(x->shape, Emit("exp", {&shifted}, "", x->shape));
  Value sum = Make(reduced, Emit("reduce_sum", {&e}, ax, reduced));
  Value inv = Make(reduced, Emit("reciprocal", {&sum}, "", reduced));
  Set(n, Make(x->shape, Emit("mul", {&e, &inv}, "shift = 0 : i32", x->shape)));
  return absl::OkStatus();
}

absl::Status Importer::ReduceMean(const onnx::Node& n) {
  PASSRL_ASSIGN_OR_RETURN(const Value* x, In(n, 0));
  PASSRL_ASSIGN_OR_RETURN(Shape out, OutShape(n));
  Shape axes = AttrInts(n, "axes");
  if (axes.empty()) for (size_t i = 0; i < x->shape.size(); ++i) axes.push_back(i);
  Value v = *x;
  int64_t count = 1;
  for (int64_t axis : axes) {
    axis = NormAxis(axis, x->shape.size());
    Shape s = v.shape;
    count *= s[axis];
    s[axis] = 1;
    v = Make(s, Emit("reduce_sum", {&v}, absl::StrCat("axis = ", axis, " : i64"), s));
  }
  Value scale = Const(Shape(v.shape.size(), 1), {1.0 / static_cast<double>(count)});
  Value mean = Make(v.shape, Emit("mul", {&v, &scale}, "shift = 0 : i32", v.shape));
  Set(n, Reshape(mean, out));
  return absl::OkStatus();
}

absl::Status Importer::ReshapeOp(const onnx::Node& n) {
  PASSRL_ASSIGN_OR_RETURN(const Value* x, In(n, 0));
  PASSRL_ASSIGN_OR_RETURN(Shape out, OutShape(n));
  if (NumElements(out) != NumElements(x->shape)) return Fail(n, "element count changes");
  Set(n, Reshape(*x, out));
  return absl::OkStatus();
}

absl::Status Importer::TransposeOp(const onnx::Node& n) {
  PASSRL_ASSIGN_OR_RETURN(const Value* x, In(n, 0));
  Shape perm = AttrInts(n, "perm");
  if (perm.empty()) for (int64_t i = static_cast<int64_t>(x->shape.size()) - 1; i >= 0; --i) perm.push_back(i);
  Set(n, Transpose(*x, perm));
  return absl::OkStatus();
}

absl::Status Importer::Split(const onnx::Node& n) {
  PASSRL_ASSIGN_OR_RETURN(const Value* x, In(n, 0));
  const int64_t axis = NormAxis(AttrInt(n, "axis", 0), x->shape.size());
  int64_t offset = 0;
  for (int i = 0; i < n.output_size(); ++i) {
    PASSRL_ASSIGN_OR_RETURN(Shape out, OutShape(n, i));
    Shape start(x->shape.size(), 0);
    start[axis] = offset;
    offset += out[axis];
    Set(n, Make(out, Emit("slice", {x}, absl::StrCat("start = ", I64Array(start), ", size = ", I64Array(out)), out)), i);
  }
  return absl::OkStatus();
}

absl::Status Importer::Slice(const onnx::Node& n) {
  PASSRL_ASSIGN_OR_RETURN(const Value* x, In(n, 0));
  PASSRL_ASSIGN_OR_RETURN(Shape out, OutShape(n));
  PASSRL_ASSIGN_OR_RETURN(Shape starts, ConstInts(n, 1));
  Shape axes;
  if (n.input_size() > 3 && !n.input(3).empty()) {
    PASSRL_ASSIGN_OR_RETURN(axes, ConstInts(n, 3));
  } else {
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  }
  if (n.input_size() > 4 && !n.input(4).empty()) {
    PASSRL_ASSIGN_OR_RETURN(Shape steps, ConstInts(n, 4));
    for (int64_t s : steps) if (s != 1) return Fail(n, "only step 1 is supported");
  }
  Shape start(x->shape.size(), 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = NormAxis(axes[i], x->shape.size()), s = starts[i];
    start[a] = std::clamp<int64_t>(s < 0 ? s + x->shape[a] : s, 0, x->shape[a]);
  }
  Set(n, Make(out, Emit("slice", {x}, absl::StrCat("start = ", I64Array(start), ", size = ", I64Array(out)), out)));
  return absl::OkStatus();
}

absl::Status Importer::Gather(const onnx::Node& n) {
  PASSRL_ASSIGN_OR_RETURN(const Value* data, In(n, 0));
  PASSRL_ASSIGN_OR_RETURN(const Value* idx, In(n, 1));
  PASSRL_ASSIGN_OR_RETURN(Shape out, OutShape(n));
  const int64_t axis = NormAxis(AttrInt(n, "axis", 0), data->shape.size());
  if (idx->data && idx->data->size() == 1) {  // x[:, k]: a slice
    Shape start(data->shape.size(), 0), size = data->shape;
    int64_t k = static_cast<int64_t>((*idx->data)[0]);
    start[axis] = k < 0 ? k + data->shape[axis] : k;
    size[axis] = 1;
    Value s = Make(size, Emit("slice", {data}, absl::StrCat("start = ", I64Array(start), ", size = ", I64Array(size)), size));
    Set(n, Reshape(s, out));
    return absl::OkStatus();
  }
  if (axis != 0 || data->shape.size() != 2) return Fail(n, "only embedding look-ups (2-D data, axis 0) are supported");
  // TOSA gather: values [1, V, C], indices [1, W] (i32) -> [1, W, C].
  const int64_t w = NumElements(idx->shape);
  Value values = Reshape(*data, {1, data->shape[0], data->shape[1]});
  Value flat = Reshape(*idx, {1, w});
  Value i32 = flat.elem == Elem::kI32 ? flat : Make(flat.shape, Emit("cast", {&flat}, "", flat.shape, Elem::kI32), Elem::kI32);
  Shape g = {1, w, data->shape[1]};
  Value r = Make(g, Emit("gather", {&values, &i32}, "", g));
  Set(n, Reshape(r, out));
  return absl::OkStatus();
}

absl::Status Importer::Concat(const onnx::Node& n) {
  PASSRL_ASSIGN_OR_RETURN(Shape out, OutShape(n));
  std::vector<const Value*> in;
  for (int i = 0; i < n.input_size(); ++i) {
    PASSRL_ASSIGN_OR_RETURN(const Value* v, In(n, i));
    in.push_back(v);
  }
  const int64_t axis = NormAxis(AttrInt(n, "axis", 0), out.size());
  Set(n, Make(out, Emit("concat", in, absl::StrCat("axis = ", axis, " : i64"), out)));
  return absl::OkStatus();
}

// (x - mean) * scale / sqrt(var + eps) + bias, with the [C] parameters as [1, C, 1, 1].
absl::Status Importer::BatchNorm(const onnx::Node& n) {
  PASSRL_ASSIGN_OR_RETURN(const Value* x, In(n, 0));
  if (x->shape.size() < 2) return Fail(n, "input must have a channel dimension");
  Shape ps(x->shape.size(), 1);
  ps[1] = x->shape[1];
  Value p[4];
  for (int i = 0; i < 4; ++i) {
    PASSRL_ASSIGN_OR_RETURN(const Value* v, In(n, i + 1));
    p[i] = Reshape(*v, ps);
  }
  Value eps = Const(Shape(ps.size(), 1), {AttrFloat(n, "epsilon", 1e-5f)});
  Value var = Make(ps, Emit("add", {&p[3], &eps}, "", ps));
  Value rs = Make(ps, Emit("rsqrt", {&var}, "", ps));
  Value k = Make(ps, Emit("mul", {&p[0], &rs}, "shift = 0 : i32", ps));
  Value centred = Make(x->shape, Emit("sub", {x, &p[2]}, "", x->shape));
  Value scaled = Make(x->shape, Emit("mul", {&centred, &k}, "shift = 0 : i32", x->shape));
  Set(n, Make(x->shape, Emit("add", {&scaled, &p[1]}, "", x->shape)));
  return absl::OkStatus();
}

absl::Status Importer::Pad(const onnx::Node& n) {
  PASSRL_ASSIGN_OR_RETURN(const Value* x, In(n, 0));
  PASSRL_ASSIGN_OR_RETURN(Shape out, OutShape(n));
  PASSRL_ASSIGN_OR_RETURN(Shape pads, ConstInts(n, 1));
  const onnx::Attribute* mode = FindAttr(n, "mode");
  if (mode && mode->s() != "constant") return Fail(n, "only mode=constant is supported");
  const size_t rank = x->shape.size();
  if (pads.size() != 2 * rank) return Fail(n, "pads must have 2 x rank values");
  std::vector<double> table;
  for (size_t d = 0; d < rank; ++d) {
    table.push_back(static_cast<double>(pads[d]));
    table.push_back(static_cast<double>(pads[d + rank]));
  }
  Value padding = Const({static_cast<int64_t>(rank), 2}, table, Elem::kI32);
  double fill = 0;
  if (n.input_size() > 2 && !n.input(2).empty()) {
    PASSRL_ASSIGN_OR_RETURN(const Value* c, In(n, 2));
    if (!c->data) return Fail(n, "constant_value must be a constant");
    fill = (*c->data)[0];
  }
  Value value = Const({}, {fill});
  Set(n, Make(out, Emit("pad", {x, &padding, &value}, "", out)));
  return absl::OkStatus();
}

absl::StatusOr<ImportedGraph> Importer::Run() {
  PASSRL_RETURN_IF_ERROR(Declare());
  ImportedGraph result;
  const auto& handlers = Handlers();
  for (const onnx::Node& n : graph_.node()) {
    ++result.onnx_nodes;
    ++result.onnx_ops[n.op_type()];
    if (!n.domain().empty() && n.domain() != "ai.onnx") {
      return Fail(n, absl::StrCat("domain '", n.domain(), "' is not supported"));
    }
    bool all_constant = n.input_size() > 0;
    for (const std::string& in : n.input()) {
      auto it = values_.find(in);
      all_constant &= in.empty() || (it != values_.end() && it->second.data && it->second.ssa.empty());
    }
    if (all_constant) {
      absl::Status folded = Fold(n);
      if (folded.ok()) continue;
      if (!absl::IsUnimplemented(folded)) return folded;
    }
    auto it = handlers.find(n.op_type());
    if (it == handlers.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "model '", model_, "': ONNX op '", n.op_type(), "' (node '", n.name(),
          "') is not supported by the importer (supported: ", absl::StrJoin(SupportedOnnxOps(), ", "), ")"));
    }
    PASSRL_RETURN_IF_ERROR((this->*(it->second))(n));
  }
  std::vector<std::string> results, types;
  for (const onnx::ValueInfo& o : graph_.output()) {
    auto it = values_.find(o.name());
    if (it == values_.end()) {
      return absl::InvalidArgumentError(absl::StrCat("model '", model_, "': output '", o.name(), "' is never computed"));
    }
    results.push_back(Ssa(it->second));
    types.push_back(TypeText(it->second.shape, it->second.elem));
  }
  std::ostringstream m;
  m << "// imported by passrl from ONNX model '" << model_ << "'\n";
  m << "func.func @main(" << absl::StrJoin(args_, ", ") << ") -> (" << absl::StrJoin(types, ", ") << ") {\n";
  for (const std::string& line : body_) m << "  " << line << "\n";
  m << "  return " << absl::StrJoin(results, ", ") << " : " << absl::StrJoin(types, ", ") << "\n}\n";
  result.mlir = m.str();
  result.weight_arguments = weight_arguments_;
  return result;
}

}  // namespace

const std::vector<std::string>& SupportedOnnxOps() {
  static const auto* ops = [] {
    auto* v = new std::vector<std::string>;
    for (const auto& [name, handler] : Importer::Handlers()) v->push_back(name);
    return v;
  }();
  return *ops;
}

absl::StatusOr<ImportedGraph> ImportOnnx(absl::string_view onnx_bytes, absl::string_view model,
                                         const OnnxImportOptions& options) {
  onnx::Model proto;
  if (!proto.ParseFromArray(onnx_bytes.data(), static_cast<int>(onnx_bytes.size())) || !proto.has_graph()) {
    return absl::InvalidArgumentError(absl::StrCat("model '", model, "': not an ONNX model (protobuf parse failed)"));
  }
  return Importer(proto.graph(), model, options).Run();
}

absl::StatusOr<ImportedGraph> ImportOnnxFile(const std::string& path, const OnnxImportOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string model = path.substr(path.find_last_of('/') + 1);
  if (model.size() > 5 && model.substr(model.size() - 5) == ".onnx") model.resize(model.size() - 5);
  return ImportOnnx(bytes, model, options);
}

}  // namespace passrl::corpus
