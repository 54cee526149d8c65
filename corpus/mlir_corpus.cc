#include "corpus/mlir_corpus.h"

#include <cstdio>
#include <filesystem>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/durable_file.h"
#include "common/status_macros.h"
#include "common/subprocess.h"
#include "corpus/onnx_import.h"
#include "envs/mlir_dataset.h"

namespace passrl::corpus {
namespace {

namespace fs = std::filesystem;

// The script's tab-separated stdout rows (model, family[, path]).
std::vector<std::vector<std::string>> Rows(const std::string& out) {
  std::vector<std::vector<std::string>> rows;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    std::vector<std::string> fields = absl::StrSplit(line, '\t');
    if (fields.size() >= 2) rows.push_back(std::move(fields));
  }
  return rows;
}

absl::StatusOr<std::string> RunScript(const MlirCorpusOptions& options, std::vector<std::string> argv,
                                      double timeout) {
  SubprocessOptions sub;
  sub.timeout_seconds = timeout;
  sub.inherit_stderr = true;  // torch's export warnings and progress
  argv.insert(argv.begin(), options.python);
  PASSRL_ASSIGN_OR_RETURN(SubprocessResult r, RunSubprocess(argv, sub));
  if (!r.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        argv[1], " ", r.Describe(), " (it needs Debian's python3-torch, python3-torchvision and ",
        "python3-onnx for ", options.python, "; launch/setup.sh installs them)"));
  }
  return r.out;
}

}  // namespace

absl::StatusOr<MlirCorpusResult> BuildMlirCorpus(const envs::DatasetOptions& dataset,
                                                 const MlirCorpusOptions& options) {
  const std::string script = dataset.datasets_dir + "/mlir/export_onnx.py";
  const std::string root = dataset.build.cache_dir + "/mlir";
  std::error_code ec;
  fs::create_directories(root + "/graphs", ec);
  fs::create_directories(root + "/onnx", ec);
  if (ec) return absl::InternalError(absl::StrCat(root, ": ", ec.message()));
  PASSRL_ASSIGN_OR_RETURN(std::string listed, RunScript(options, {script, "--list"}, 300));
  MlirCorpusResult result;
  std::vector<std::string> todo;
  std::string index;
  for (const auto& row : Rows(listed)) {
    ++result.models;
    absl::StrAppend(&index, row[0], "\t", row[1], "\n");
    if (!options.force && fs::exists(envs::MlirGraphPath(dataset.build.cache_dir, row[0]), ec)) {
      ++result.cached;
    } else {
      todo.push_back(row[0]);
    }
  }
  if (result.models == 0) return absl::InternalError(absl::StrCat(script, " --list printed no model"));
  for (const std::string& model : todo) {  // one child per model: progress as it goes
    std::printf("[%d/%zu] exporting %s\n", result.exported + 1, todo.size(), model.c_str());
    std::fflush(stdout);
    PASSRL_ASSIGN_OR_RETURN(std::string out, RunScript(options, {script, root + "/onnx", model},
                                                       options.export_timeout_seconds));
    auto rows = Rows(out);
    if (rows.empty() || rows[0].size() < 3) {
      return absl::InternalError(absl::StrCat(script, " printed no path for ", model));
    }
    PASSRL_ASSIGN_OR_RETURN(ImportedGraph graph, ImportOnnxFile(rows[0][2]));
    PASSRL_RETURN_IF_ERROR(
        ReplaceFileDurably(envs::MlirGraphPath(dataset.build.cache_dir, model), graph.mlir));
    std::printf("        %s: %lld ONNX nodes, %lld weight arguments\n", model.c_str(),
                static_cast<long long>(graph.onnx_nodes), static_cast<long long>(graph.weight_arguments));
    ++result.exported;
  }
  PASSRL_RETURN_IF_ERROR(ReplaceFileDurably(envs::MlirIndexPath(dataset.build.cache_dir), index));
  return result;
}

}  // namespace passrl::corpus
