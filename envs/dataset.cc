#include "envs/dataset.h"
#include "envs/mlir_dataset.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/file_cache.h"
#include "common/subprocess.h"
#include "envs/debian_index.h"

#ifndef PASSRL_SOURCE_DIR
#define PASSRL_SOURCE_DIR "."
#endif

namespace passrl::envs {
namespace fs = std::filesystem;
namespace {

constexpr char kCsmithInclude[] = "/usr/include/csmith";

bool IsSourceFile(const fs::path& path) {
  const std::string ext = path.extension().string();
  return ext == ".c" || ext == ".ll" || ext == ".bc";
}

// One benchmark per .c/.ll/.bc file in a folder (not recursive).
class DirectoryDataset : public Dataset {
 public:
  // `all_train`: every file is in train (bundled); else HashSplit of the file name.
  DirectoryDataset(std::string name, std::string prefix, std::vector<fs::path> files,
                   BenchmarkBuildOptions build, bool all_train)
      : name_(std::move(name)),
        prefix_(std::move(prefix)),
        files_(std::move(files)),
        build_(std::move(build)),
        all_train_(all_train) {}

  std::string name() const override { return name_; }
  std::vector<std::string> BenchmarkNames(Split split) const override {
    std::vector<std::string> names;
    for (const fs::path& file : files_) {
      if (InSplit(SplitOf(file.string()), split)) names.push_back(NameOf(file));
    }
    return names;
  }
  Split SplitOf(const std::string& benchmark) const override {
    return all_train_ ? Split::kTrain : HashSplit(fs::path(benchmark).filename().string());
  }
  absl::StatusOr<Benchmark> Load(const std::string& benchmark_name) const override {
    for (const fs::path& file : files_) {
      if (NameOf(file) == benchmark_name) return BuildBenchmark(benchmark_name, {file}, build_);
    }
    return absl::NotFoundError(
        absl::StrCat("no benchmark '", benchmark_name, "' in dataset ", name_));
  }

 private:
  std::string NameOf(const fs::path& file) const {
    return prefix_.empty() ? file.string() : absl::StrCat(prefix_, "/", file.stem().string());
  }
  std::string name_, prefix_;
  std::vector<fs::path> files_;
  BenchmarkBuildOptions build_;
  bool all_train_;
};

// csmith/<seed>: generated on first use into the cache, then built like any C file.
class CsmithDataset : public Dataset {
 public:
  CsmithDataset(int count, BenchmarkBuildOptions build) : count_(count), build_(std::move(build)) {
    build_.cflags.push_back(absl::StrCat("-I", kCsmithInclude));
  }
  std::string name() const override { return "csmith"; }
  std::vector<std::string> BenchmarkNames(Split split) const override {
    const uint64_t first = split == Split::kAll ? 1 : CsmithSplitRange(split).first;
    std::vector<std::string> names;
    for (int i = 0; i < count_; ++i) names.push_back(absl::StrCat("csmith/", first + i));
    return names;
  }
  Split SplitOf(const std::string& benchmark) const override {
    uint64_t seed = 0;
    absl::SimpleAtoi(absl::StripPrefix(benchmark, "csmith/"), &seed);
    return CsmithSplitOf(seed);
  }
  absl::StatusOr<Benchmark> Load(const std::string& benchmark_name) const override {
    uint64_t seed = 0;
    if (!absl::StartsWith(benchmark_name, "csmith/") ||
        !absl::SimpleAtoi(benchmark_name.substr(7), &seed)) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad csmith benchmark '", benchmark_name, "' (expected csmith/<seed>)"));
    }
    if (build_.cache_dir.empty()) {
      return absl::FailedPreconditionError("csmith programs need a cache directory");
    }
    const std::string source = absl::StrCat(build_.cache_dir, "/csmith/", seed, ".c");
    if (!fs::exists(source)) {
      // Options keep programs small enough for many steps per second and free of volatiles
      // (which block most optimisations); the seed fixes the program.
      auto result = RunSubprocess({"csmith", "--seed", absl::StrCat(seed), "--no-volatiles",
                                   "--no-volatile-pointers", "--max-funcs", "6"});
      if (!result.ok()) {
        return absl::FailedPreconditionError(absl::StrCat(
            result.status().message(), " (install Debian's csmith and libcsmith-dev)"));
      }
      if (!result->ok()) {
        return absl::InternalError(absl::StrCat("csmith --seed ", seed, ": ", result->Describe()));
      }
      absl::Status written = WriteFileAtomically(source, result->out);
      if (!written.ok()) return written;
    }
    return BuildBenchmark(benchmark_name, {source}, build_);
  }

 private:
  int count_;
  BenchmarkBuildOptions build_;
};

// debian/<package>/<module>: the built corpus in the cache, deduplicated across packages by IR
// hash; a module found in several splits is kept in the one judged first (test, validation,
// train), so no test code is ever trained on.
class DebianDataset : public Dataset {
 public:
  struct Entry {
    std::string name;
    Split split;
  };
  DebianDataset(std::vector<Entry> entries, BenchmarkBuildOptions build)
      : entries_(std::move(entries)), build_(std::move(build)) {}
  std::string name() const override { return "debian"; }
  std::vector<std::string> BenchmarkNames(Split split) const override {
    std::vector<std::string> names;
    for (const Entry& e : entries_) {
      if (InSplit(e.split, split)) names.push_back(e.name);
    }
    return names;
  }
  Split SplitOf(const std::string& benchmark) const override {  // entries_ are sorted by name
    auto it = std::lower_bound(entries_.begin(), entries_.end(), benchmark,
                               [](const Entry& e, const std::string& n) { return e.name < n; });
    return it != entries_.end() && it->name == benchmark ? it->split : Split::kTrain;
  }
  absl::StatusOr<Benchmark> Load(const std::string& benchmark_name) const override {
    return LoadDebianModule(benchmark_name, build_);
  }

  static absl::StatusOr<Benchmark> LoadDebianModule(absl::string_view uri,
                                                    const BenchmarkBuildOptions& build) {
    std::vector<std::string> parts = absl::StrSplit(uri, '/');
    if (parts.size() != 3 || parts[0] != "debian" || parts[1].empty() || parts[2].empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bad debian benchmark '", uri, "' (expected debian/<package>/<module>)"));
    }
    const std::string path = DebianModulePath(build.cache_dir, parts[1], parts[2]);
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      return absl::NotFoundError(absl::StrCat("no module ", uri, " in the Debian corpus at ",
                                              build.cache_dir, "/debian (run `passrl dataset ",
                                              "build --dataset debian`)"));
    }
    return BuildBenchmark(std::string(uri), {path}, build);
  }

 private:
  std::vector<Entry> entries_;
  BenchmarkBuildOptions build_;
};

absl::StatusOr<std::unique_ptr<Dataset>> OpenDebian(const DatasetOptions& options) {
  auto listed = ReadDebianPackages(options.datasets_dir + "/debian/packages.tsv");
  if (!listed.ok()) return listed.status();
  const fs::path root = fs::path(options.build.cache_dir) / "debian" / "packages";
  struct Candidate {
    Split split;
    std::string package, module;
    uint64_t hash;
  };
  std::vector<Candidate> candidates;
  for (const PackageResult& result : ReadBuiltPackages(options.build.cache_dir)) {
    const Split split = DebianSplitOf(*listed, result.package);
    for (const CorpusModule& m : result.modules) {
      candidates.push_back({split, result.package, m.name, m.ir_hash});
    }
  }
  if (candidates.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the Debian corpus is not built in ", root.string(),
        " (run `passrl dataset build --dataset debian`, about an hour on 2 cores)"));
  }
  auto rank = [](Split s) { return s == Split::kTest ? 0 : s == Split::kValidation ? 1 : 2; };
  std::sort(candidates.begin(), candidates.end(), [&](const Candidate& a, const Candidate& b) {
    return std::make_tuple(rank(a.split), a.package, a.module) <
           std::make_tuple(rank(b.split), b.package, b.module);
  });
  std::set<uint64_t> seen;
  std::vector<DebianDataset::Entry> entries;
  for (const Candidate& c : candidates) {
    if (!seen.insert(c.hash).second) continue;
    entries.push_back({absl::StrCat("debian/", c.package, "/", c.module), c.split});
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return std::unique_ptr<Dataset>(new DebianDataset(std::move(entries), options.build));
}

absl::StatusOr<std::unique_ptr<Dataset>> OpenDirectory(const std::string& name,
                                                       const std::string& prefix,
                                                       const std::string& dir,
                                                       const BenchmarkBuildOptions& build,
                                                       bool all_train) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat("dataset folder '", dir, "' does not exist"));
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && IsSourceFile(entry.path())) files.push_back(entry.path());
  }
  if (files.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("dataset folder '", dir, "' has no .c, .ll or .bc files"));
  }
  std::sort(files.begin(), files.end());
  return std::make_unique<DirectoryDataset>(name, prefix, std::move(files), build, all_train);
}

}  // namespace

absl::Status DatasetOptions::Validate() const {
  if (csmith_count < 0) return absl::InvalidArgumentError("csmith_count must be >= 0");
  if (build.compile_timeout_seconds <= 0) {
    return absl::InvalidArgumentError("compile_timeout_seconds must be > 0");
  }
  return absl::OkStatus();
}

std::vector<std::string> DatasetOptions::ChildFlags() const {
  std::vector<std::string> flags = {"--csmith-count", std::to_string(csmith_count)};
  std::error_code ec;
  if (!datasets_dir.empty() && std::filesystem::is_directory(datasets_dir, ec)) {
    flags.insert(flags.end(), {"--datasets-dir", datasets_dir});
  }
  if (!build.cache_dir.empty()) flags.insert(flags.end(), {"--cache-dir", build.cache_dir});
  return flags;
}

DatasetOptions DatasetOptions::Defaults() {
  DatasetOptions options;
  const char* dir = getenv("PASSRL_DATASETS_DIR");
  options.datasets_dir = (dir && *dir) ? dir : PASSRL_SOURCE_DIR "/datasets";
  options.build.cache_dir = FileCache::DefaultDir();
  return options;
}

absl::StatusOr<std::unique_ptr<Dataset>> OpenDataset(absl::string_view spec,
                                                     const DatasetOptions& options) {
  absl::Status valid = options.Validate();
  if (!valid.ok()) return valid;
  if (spec == "bundled") {
    return OpenDirectory("bundled", "bundled", options.datasets_dir + "/programs", options.build,
                         /*all_train=*/true);
  }
  if (spec == "debian") return OpenDebian(options);
  if (spec == "mlir") return OpenMlirDataset(options);
  if (spec == "csmith") {
    return std::unique_ptr<Dataset>(new CsmithDataset(options.csmith_count, options.build));
  }
  std::string dir(spec);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::NotFoundError(
        absl::StrCat("unknown dataset '", spec,
                     "' (expected bundled, csmith, debian, mlir or a folder path)"));
  }
  return OpenDirectory(dir, "", dir, options.build, /*all_train=*/false);
}

absl::StatusOr<Benchmark> LoadBenchmark(absl::string_view uri, const DatasetOptions& options) {
  if (absl::StartsWith(uri, "debian/")) {
    return DebianDataset::LoadDebianModule(uri, options.build);
  }
  if (absl::StartsWith(uri, "mlir/")) return LoadMlirGraph(uri, options);
  for (absl::string_view kind : {"bundled", "csmith"}) {
    if (absl::StartsWith(uri, absl::StrCat(kind, "/"))) {
      auto dataset = OpenDataset(kind, options);
      if (!dataset.ok()) return dataset.status();
      return (*dataset)->Load(std::string(uri));
    }
  }
  return BuildBenchmark(std::string(uri), {std::string(uri)}, options.build);
}

}  // namespace passrl::envs
