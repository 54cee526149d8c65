#include "envs/dataset.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/file_cache.h"
#include "common/subprocess.h"

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
  DirectoryDataset(std::string name, std::string prefix, std::vector<fs::path> files,
                   BenchmarkBuildOptions build)
      : name_(std::move(name)),
        prefix_(std::move(prefix)),
        files_(std::move(files)),
        build_(std::move(build)) {}

  std::string name() const override { return name_; }
  std::vector<std::string> BenchmarkNames() const override {
    std::vector<std::string> names;
    for (const fs::path& file : files_) names.push_back(NameOf(file));
    return names;
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
};

// csmith/<seed>: generated on first use into the cache, then built like any C file.
class CsmithDataset : public Dataset {
 public:
  CsmithDataset(int count, BenchmarkBuildOptions build) : count_(count), build_(std::move(build)) {
    build_.cflags.push_back(absl::StrCat("-I", kCsmithInclude));
  }
  std::string name() const override { return "csmith"; }
  std::vector<std::string> BenchmarkNames() const override {
    std::vector<std::string> names;
    for (int seed = 1; seed <= count_; ++seed) names.push_back(absl::StrCat("csmith/", seed));
    return names;
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

absl::StatusOr<std::unique_ptr<Dataset>> OpenDirectory(const std::string& name,
                                                       const std::string& prefix,
                                                       const std::string& dir,
                                                       const BenchmarkBuildOptions& build) {
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
  return std::make_unique<DirectoryDataset>(name, prefix, std::move(files), build);
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
    return OpenDirectory("bundled", "bundled", options.datasets_dir + "/programs", options.build);
  }
  if (spec == "csmith") {
    return std::unique_ptr<Dataset>(new CsmithDataset(options.csmith_count, options.build));
  }
  std::string dir(spec);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::NotFoundError(
        absl::StrCat("unknown dataset '", spec, "' (expected bundled, csmith or a folder path)"));
  }
  return OpenDirectory(dir, "", dir, options.build);
}

absl::StatusOr<Benchmark> LoadBenchmark(absl::string_view uri, const DatasetOptions& options) {
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
