// The MLIR dataset: neural-network graphs as TOSA MLIR text, built into the cache by `passrl
// dataset build --dataset mlir` (corpus/mlir_corpus.h) as <cache>/mlir/graphs/<model>.mlir with
// <cache>/mlir/index.tsv (model, family). Benchmarks are "mlir/<model>"; the split is by model
// family (datasets/mlir/splits.tsv), so held-out graphs are architectures never trained on.
// Thread-safe: immutable after opening.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "envs/dataset.h"

namespace passrl::envs {

std::string MlirGraphPath(const std::string& cache_dir, absl::string_view model);
std::string MlirIndexPath(const std::string& cache_dir);

// FailedPrecondition (naming the build command) before the dataset is built.
absl::StatusOr<std::unique_ptr<Dataset>> OpenMlirDataset(const DatasetOptions& options);
// "mlir/<model>" or a path ending in .mlir: the graph's text in Benchmark::bitcode.
absl::StatusOr<Benchmark> LoadMlirGraph(absl::string_view uri, const DatasetOptions& options);

}  // namespace passrl::envs
