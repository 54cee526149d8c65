// Building an unpacked source package the way it builds itself, with clang-16, recording every
// compiler call: its configure script (regenerated with autoreconf when only configure.ac is
// shipped), meson, CMake or a plain Makefile, with `make -k`/`ninja -k 0` run under Debian's
// `bear` so compile_commands.json lists what the build compiled. Optimisation is off in the real
// build (CFLAGS=-O0) because only the recorded commands matter; a build that fails part-way still
// yields the translation units it compiled. Thread-safe: no shared state.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace passrl::corpus {

struct PackageBuildOptions {
  std::string clang = "clang-16";
  int jobs = 2;                   // make -j
  double timeout_seconds = 1200;  // configure + build together
};

struct PackageBuild {
  std::string system;            // "configure", "autoreconf", "meson", "cmake", "make"
  std::string compile_commands;  // path of the recorded compile_commands.json
  std::string log;               // path of the build log (configure and build output)
  double seconds = 0;
};

// Builds the tree at `source_dir` (or the one folder below it with a build system, when the top
// has none); the log and compile_commands.json go to `work_dir`.
// A tree with no build system, a configure step that fails, or a build that runs past the time
// limit (its process group is killed) is an error naming the step and the reason.
absl::StatusOr<PackageBuild> BuildPackage(const std::string& source_dir,
                                          const std::string& work_dir,
                                          const PackageBuildOptions& options);

}  // namespace passrl::corpus
