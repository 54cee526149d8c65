// Builds the MLIR dataset (envs/mlir_dataset.h): exports each model of
// datasets/mlir/export_onnx.py to ONNX with Debian's python3-torch (a child process), imports it
// to TOSA (corpus/onnx_import.h), and writes <cache>/mlir/graphs/<model>.mlir and the index.
// Models whose graph is already in the cache are not exported again unless `force`.
// Thread-safe: no shared state besides the files it writes.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "envs/dataset.h"

namespace passrl::corpus {

struct MlirCorpusOptions {
  std::string python = "/usr/bin/python3";  // Debian's (python3-torch is installed for it)
  double export_timeout_seconds = 1800;
  bool force = false;
};

struct MlirCorpusResult {
  int models = 0, exported = 0, cached = 0;
};

absl::StatusOr<MlirCorpusResult> BuildMlirCorpus(const envs::DatasetOptions& dataset,
                                                 const MlirCorpusOptions& options);

}  // namespace passrl::corpus
