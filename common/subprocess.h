// Runs a tool (clang-16, opt-16, csmith, ...) as a child process and captures its output.
//
// The child gets /dev/null as stdin, its stdout and stderr are captured (each up to a cap), and it
// is killed (SIGKILL, then reaped) if it outlives the timeout. Never throws; a spawn failure (tool
// not found) is a NotFound status naming the tool. Thread-safe: no shared state.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace passrl {

struct SubprocessOptions {
  double timeout_seconds = 0;           // 0: no limit.
  size_t max_output_bytes = 256 << 20;  // per stream; the rest is read and dropped.
};

struct SubprocessResult {
  int exit_code = -1;   // valid when term_signal == 0 and !timed_out.
  int term_signal = 0;  // signal that ended the child, if any.
  bool timed_out = false;
  std::string out;
  std::string err;
  bool ok() const { return exit_code == 0 && term_signal == 0 && !timed_out; }
  // "exit code 1", "killed by signal 11", "timed out": for error messages.
  std::string Describe() const;
};

absl::StatusOr<SubprocessResult> RunSubprocess(const std::vector<std::string>& argv,
                                               const SubprocessOptions& options = {});

// Path of the first executable named `name` on $PATH, or empty.
std::string FindOnPath(const std::string& name);

}  // namespace passrl
