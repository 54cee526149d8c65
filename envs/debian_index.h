// The Debian corpus on disk, the contract between its builder (corpus/, `passrl dataset build
// --dataset debian`) and its reader (the `debian` dataset in envs/dataset.h):
//
//   datasets/debian/packages.tsv           the reviewed package list: name, kind, split
//   <cache>/debian/packages/<pkg>/result.json   one package's outcome (PackageResult)
//   <cache>/debian/packages/<pkg>/modules/<module>.bc   its distinct, verified modules
//
// A benchmark is "debian/<pkg>/<module>", <module> being the source path inside the package with
// '/' written as '.'. Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "envs/baselines.h"
#include "envs/split.h"

namespace passrl::envs {

struct DebianPackage {
  std::string name, kind;
  Split split = Split::kTrain;
};

// Reads packages.tsv ('#' comments; columns package, kind, split). A malformed line, an unknown
// split or a package listed twice is an error naming the line.
absl::StatusOr<std::vector<DebianPackage>> ReadDebianPackages(const std::string& path);
// The split of `package`: as listed, else HashSplit of its name.
Split DebianSplitOf(const std::vector<DebianPackage>& listed, const std::string& package);

struct CorpusModule {
  std::string name;        // <module>
  std::string source;      // path inside the package
  uint64_t ir_hash = 0;    // of the printed IR without module and source file names
  int64_t instructions = 0;
  bool has_main = false;
  Baselines baselines;
};

struct PackageResult {
  std::string package, version, build_system;
  bool ok = false;
  bool fetched = false;                // false: the fetch failed (retried on every build)
  std::string error;                   // why the package produced nothing (when !ok)
  int translation_units = 0;           // C compiles recorded
  std::vector<std::string> tu_errors;  // "file: reason" per unit that did not become a module
  int trivial = 0, duplicates = 0;     // units dropped as too small / same IR as another
  double fetch_seconds = 0, build_seconds = 0, emit_seconds = 0, inspect_seconds = 0;
  std::vector<CorpusModule> modules;

  std::string ToJson() const;
  static absl::StatusOr<PackageResult> FromJson(const std::string& text);
};

// Every successfully built package's result under <cache_dir>/debian/packages, by package name
// (unreadable or failed results are skipped).
std::vector<PackageResult> ReadBuiltPackages(const std::string& cache_dir);

std::string DebianPackageDir(const std::string& cache_dir, const std::string& package);
std::string DebianModulePath(const std::string& cache_dir, const std::string& package,
                             const std::string& module);

}  // namespace passrl::envs
