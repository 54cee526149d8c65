// Reading a build's compile_commands.json (written by Debian's `bear` around `make`, or by CMake)
// and turning each C compile into the command that re-emits that translation unit as unoptimised
// bitcode with passrl's flags (-O1 -Xclang -disable-llvm-passes, as envs/benchmark.h builds C).
//
// The package's own defines, include paths, language standard and code-model flags are kept; its
// optimisation, debug, warning, dependency-file, LTO, profiling and sanitizer flags are dropped.
// Thread-safe: pure functions.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace passrl::corpus {

struct CompileCommand {
  std::string directory;           // where the compiler ran
  std::string file;                // the source file, absolute
  std::vector<std::string> argv;   // the compiler and its arguments, as recorded
};

// The C compiles in `json` (a compile_commands.json), each source file once (the first command
// that compiled it; libtool compiles most files twice). Entries that are not a compile of one .c
// file (links, assembly, preprocessing only, C++) are skipped. Malformed JSON is an error.
absl::StatusOr<std::vector<CompileCommand>> ParseCompileCommands(absl::string_view json);

// The command that writes `command.file` as bitcode to `output` with `clang` (run it in
// `command.directory`).
std::vector<std::string> BitcodeCommand(const CompileCommand& command, const std::string& clang,
                                        const std::string& output);

// Splits a shell command line (CMake's "command" form): whitespace, single and double quotes,
// backslash escapes.
std::vector<std::string> SplitCommandLine(absl::string_view line);

}  // namespace passrl::corpus
