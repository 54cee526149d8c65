// Building the Debian corpus (`passrl dataset build --dataset debian`): for each source package,
// fetch (corpus/apt_source.h), build with clang-16 recording compile commands
// (corpus/package_build.h), re-emit every C translation unit as bitcode with passrl's flags
// (corpus/compile_commands.h), inspect each module in a child (verify, IR hash, size, baselines),
// drop trivial ones and duplicates, and write the package's result (envs/debian_index.h).
//
// A package is one unit of caching and failure: a finished package (built, or failed to build)
// is not redone on a rerun, so an interrupted build resumes; a package that cannot be fetched,
// has no C code, fails to configure or runs past its time limit is one reported line, and a unit
// that crashes clang or LLVM is one entry in its package's tu_errors. Progress (package i of n,
// modules so far, ETA) goes to `progress`. Not thread-safe: one builder per cache folder.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "corpus/apt_source.h"
#include "corpus/module_info.h"
#include "corpus/package_build.h"
#include "envs/debian_index.h"

namespace passrl::corpus {

struct CorpusBuildOptions {
  std::string cache_dir;                    // results go to <cache_dir>/debian
  std::vector<envs::DebianPackage> packages;  // built in this order
  PackageBuildOptions build;
  int jobs = 2;                             // units emitted and inspected at once
  double unit_timeout_seconds = 120;        // per clang call and per module inspected
  int64_t min_instructions = 50;            // smaller modules are dropped as trivial
  bool retry_failed = false;                // rebuild packages whose cached result is a failure
  bool keep_sources = false;                // keep unpacked sources and build trees
  ModuleInspector inspect;                  // required: usually ChildInspector
  absl::Status Validate() const;
};

struct CorpusBuildSummary {
  int packages_ok = 0, packages_failed = 0;
  int64_t modules = 0;  // distinct across the packages built
  double seconds = 0;
};

absl::StatusOr<CorpusBuildSummary> BuildDebianCorpus(const CorpusBuildOptions& options,
                                                     SourceFetcher& fetcher, std::ostream& progress);

// The module name of `file` inside `root`: its relative path, '/' as '.', without ".c".
std::string ModuleName(const std::string& root, const std::string& file);

}  // namespace passrl::corpus
