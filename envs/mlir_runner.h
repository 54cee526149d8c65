// Executes an MLIR graph (one `func.func @main` on tensors: TOSA as imported, or linalg after any
// MlirEnv actions) on given inputs, so a graph can be checked against the model it came from (the
// importer against torch) or an optimized graph against its start.
//
// It bufferizes the module with mlir-opt-16, adds an entry function that feeds the inputs as
// constant globals and prints each result, lowers to the LLVM dialect, and runs it with
// mlir-cpu-runner-16 (Debian's mlir-16-tools) in a contained subprocess with a timeout; the printed
// results are parsed back. Meant for small graphs: the inputs travel as MLIR text. Thread-safe: a
// pure function (each call works in its own temporary directory).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace passrl::envs {

struct HostTensor {
  std::vector<int64_t> shape;
  bool is_int = false;       // i64 when true, else f32
  std::vector<double> data;  // row-major
};

struct MlirRunOptions {
  std::string mlir_opt = "mlir-opt-16";
  std::string cpu_runner = "mlir-cpu-runner-16";
  std::string runtime_dir = "/usr/lib/llvm-16/lib";  // holds libmlir_c_runner_utils.so
  double timeout_seconds = 300;                       // per subprocess
  absl::Status Validate() const;
};

// The results of @main on `inputs` (one per argument, in order; shapes must match).
absl::StatusOr<std::vector<HostTensor>> RunMlirGraph(const std::string& module,
                                                     const std::vector<HostTensor>& inputs,
                                                     const MlirRunOptions& options = {});

// Seeded random values for every argument of the module's @main (its input and, as the dataset
// imports them, its weights): floats uniform in [-1, 1), integers (token ids) in [0, 8).
absl::StatusOr<std::vector<HostTensor>> RandomArguments(const std::string& module, uint64_t seed);

// Largest |a - b| / (atol + rtol * |b|) over the elements (> 1: outside tolerance); an error
// when shapes differ. NaN anywhere counts as outside.
absl::StatusOr<double> ToleranceRatio(const HostTensor& a, const HostTensor& b, double atol, double rtol);

}  // namespace passrl::envs
