// Imports an ONNX model (as datasets/mlir/export_onnx.py writes them: static shapes, every value's
// shape inferred) into an MLIR module of TOSA ops: the start state of the MLIR environment's
// graphs (envs/mlir_env.h).
//
// One `func.func @main`. Layout stays NCHW as in ONNX; convolutions and pools, which TOSA defines
// on NHWC, are wrapped in transposes (as torch-mlir's TOSA path does). Float initializers larger
// than `max_inline_constant_elements` (the weights) become function arguments, so passes cannot
// constant-fold the graph away; small ones (epsilons, exponents, clip bounds) become tosa.const.
// Integer shape computations (Shape, Gather, Concat, Slice, ... on constants) are evaluated here.
// Only the ops the exported models use are supported; any other is an error naming the op, the
// node and the model. Thread-safe: a pure function.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace passrl::corpus {

struct OnnxImportOptions {
  int64_t max_inline_constant_elements = 16;
};

struct ImportedGraph {
  std::string mlir;                     // the module, as MLIR text (generic TOSA ops)
  int64_t onnx_nodes = 0;
  int64_t weight_arguments = 0;         // initializers turned into function arguments
  std::map<std::string, int> onnx_ops;  // op type -> nodes
};

// `model` names the graph in errors.
absl::StatusOr<ImportedGraph> ImportOnnx(absl::string_view onnx_bytes, absl::string_view model,
                                         const OnnxImportOptions& options = {});
absl::StatusOr<ImportedGraph> ImportOnnxFile(const std::string& path,
                                             const OnnxImportOptions& options = {});

// The ONNX op types ImportOnnx converts (sorted; for messages and docs).
const std::vector<std::string>& SupportedOnnxOps();

}  // namespace passrl::corpus
