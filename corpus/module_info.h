// What the corpus builder needs to know of one emitted bitcode file: it verifies, its IR hash
// (printed IR without the module and source-file names, so the same code compiled in two
// packages hashes alike), its size, whether it defines main, and its -O0/-Oz/-O3 baselines
// (computed and cached as envs/baselines.h does for every benchmark).
// Runs LLVM in this process; the builder calls it in a child (`passrl dataset inspect FILE...`,
// many modules per child: starting passrl costs more than inspecting most modules) so a module
// that crashes LLVM costs that module only. Thread-safe: no shared state.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "envs/debian_index.h"

namespace passrl::corpus {

// `cache_dir` holds the baselines cache (empty: none). Fields name/source stay empty.
absl::StatusOr<envs::CorpusModule> InspectModule(const std::string& bitcode_path,
                                                 const std::string& cache_dir);

// One JSON line per module, the child's output: the module's fields, or {"error": ...}.
std::string ModuleInfoToJson(const absl::StatusOr<envs::CorpusModule>& info);
absl::StatusOr<envs::CorpusModule> ModuleInfoFromJson(const std::string& line);

// Inspects a batch of bitcode files: one result per file, in order.
using ModuleInspector = std::function<std::vector<absl::StatusOr<envs::CorpusModule>>(
    const std::vector<std::string>& bitcode_paths)>;

// Inspects in children `<passrl> dataset inspect FILE... --cache-dir DIR`, which print one JSON
// line per file as they go. A module that crashes LLVM, or hangs (the child is cut off after
// `seconds_per_module` per module left, plus a minute), is an error for that module only: the
// modules after it go to a fresh child. A child that cannot be started at all is Unavailable
// for every module (the builder stops: nothing is known).
ModuleInspector ChildInspector(std::string passrl, std::string cache_dir,
                               double seconds_per_module);

}  // namespace passrl::corpus
