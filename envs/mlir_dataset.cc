#include "envs/mlir_dataset.h"

#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/hash.h"

namespace passrl::envs {
namespace {

constexpr absl::string_view kPrefix = "mlir/";

// Tab-separated rows of a small text file, '#' lines skipped.
absl::StatusOr<std::vector<std::vector<std::string>>> ReadRows(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    rows.push_back(absl::StrSplit(line, '\t'));
    if (rows.back().size() < 2) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": expected two tab-separated fields in '", line, "'"));
    }
  }
  return rows;
}

class MlirDataset : public Dataset {
 public:
  MlirDataset(std::map<std::string, Split> splits, DatasetOptions options)
      : splits_(std::move(splits)), options_(std::move(options)) {}
  std::string name() const override { return "mlir"; }
  std::vector<std::string> BenchmarkNames(Split split) const override {
    std::vector<std::string> names;
    for (const auto& [name, s] : splits_) {
      if (InSplit(s, split)) names.push_back(name);
    }
    return names;
  }
  Split SplitOf(const std::string& benchmark) const override {
    auto it = splits_.find(benchmark);
    return it == splits_.end() ? Split::kTrain : it->second;
  }
  absl::StatusOr<Benchmark> Load(const std::string& name) const override {
    return LoadMlirGraph(name, options_);
  }

 private:
  std::map<std::string, Split> splits_;
  DatasetOptions options_;
};

}  // namespace

std::string MlirGraphPath(const std::string& cache_dir, absl::string_view model) {
  return absl::StrCat(cache_dir, "/mlir/graphs/", model, ".mlir");
}
std::string MlirIndexPath(const std::string& cache_dir) { return cache_dir + "/mlir/index.tsv"; }

absl::StatusOr<std::unique_ptr<Dataset>> OpenMlirDataset(const DatasetOptions& options) {
  auto index = ReadRows(MlirIndexPath(options.build.cache_dir));
  if (!index.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the MLIR dataset is not built in ", options.build.cache_dir,
        "/mlir (run `passrl dataset build --dataset mlir`, about a minute)"));
  }
  auto families = ReadRows(options.datasets_dir + "/mlir/splits.tsv");
  if (!families.ok()) return families.status();
  std::map<std::string, Split> family_split;
  for (const auto& row : *families) {
    auto split = ParseSplit(row[1]);
    if (!split.ok()) return split.status();
    family_split[row[0]] = *split;
  }
  std::map<std::string, Split> splits;
  for (const auto& row : *index) {
    auto it = family_split.find(row[1]);
    if (it == family_split.end()) {
      return absl::InvalidArgumentError(absl::StrCat("model family '", row[1], "' of ", row[0],
                                                     " has no split in datasets/mlir/splits.tsv"));
    }
    splits[absl::StrCat(kPrefix, row[0])] = it->second;
  }
  return std::unique_ptr<Dataset>(new MlirDataset(std::move(splits), options));
}

absl::StatusOr<Benchmark> LoadMlirGraph(absl::string_view uri, const DatasetOptions& options) {
  const bool file = absl::EndsWith(uri, ".mlir") && !absl::StartsWith(uri, kPrefix);
  if (!file && (!absl::StartsWith(uri, kPrefix) || uri.size() == kPrefix.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad MLIR benchmark '", uri, "' (expected mlir/<model> or a .mlir file)"));
  }
  const std::string path = file ? std::string(uri) : MlirGraphPath(options.build.cache_dir, uri.substr(kPrefix.size()));
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("no graph ", uri, " at ", path,
                                            " (run `passrl dataset build --dataset mlir`)"));
  }
  std::stringstream text;
  text << in.rdbuf();
  Benchmark b;
  b.name = std::string(uri);
  b.sources = {path};
  b.bitcode = text.str();
  b.hash = Fnv1a64(b.bitcode);
  return b;
}

}  // namespace passrl::envs
