// Runs a program (clang-16, opt-16, csmith, a benchmark binary) as a child process, contained.
//
// The child gets /dev/null as stdin; stdout and stderr are captured up to a cap; it can be bound to
// one CPU, given rlimits (CPU time, address space, file size, no core files), an empty environment
// and no ASLR. It runs in its own process group: at the end the whole group is killed and reaped,
// so a program that forks leaves no stray process or zombie (this process becomes a child
// subreaper for that). A wall-clock timeout kills it. Never throws. Thread-safe: no shared state
// (child reaping only waits for the child's own process group).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/perf_counters.h"

namespace passrl {

struct SubprocessOptions {
  double timeout_seconds = 0;           // wall clock; 0: no limit
  size_t max_output_bytes = 256 << 20;  // per stream
  bool kill_on_output_cap = false;      // a child that prints past the cap is killed
  int cpu = -1;                         // OS CPU id to bind the child to; -1: inherit
  bool clear_environment = false;       // exec with an empty environment
  bool disable_aslr = false;            // personality(ADDR_NO_RANDOMIZE) in the child
  uint64_t cpu_time_limit_seconds = 0;  // RLIMIT_CPU; 0: none
  uint64_t address_space_bytes = 0;     // RLIMIT_AS; 0: none
  uint64_t file_size_bytes = 0;         // RLIMIT_FSIZE; 0: none
  bool no_core_dumps = true;            // RLIMIT_CORE = 0
  std::string working_dir;              // empty: inherit
  bool inherit_stderr = false;          // the child writes to our stderr (progress); err stays ""
  bool count_user_cycles = false;  // read its user-space cycles/instructions (where available)
  // Both streams appended to this file instead of captured (long jobs: training logs); empty: no.
  std::string output_file;
  // Sent to the child when the thread that started it ends (the whole process exiting, killed
  // included), so long jobs do not outlive their driver; 0: none. Not inherited by its children.
  int parent_death_signal = 0;
};

struct SubprocessResult {
  int exit_code = -1;   // valid when term_signal == 0 and !timed_out
  int term_signal = 0;  // signal that ended the child, if any
  bool timed_out = false;
  bool output_truncated = false;  // a stream hit max_output_bytes
  std::string out;
  std::string err;
  double wall_seconds = 0;  // CLOCK_MONOTONIC from fork to exit
  double cpu_seconds = 0;   // user + system time of the child (wait4 rusage)
  CounterValues counters;   // with count_user_cycles where CountersAvailable(); else -1
  bool ok() const { return exit_code == 0 && term_signal == 0 && !timed_out; }
  // "exit code 1", "killed by signal 11 (Segmentation fault)", "timed out": for messages.
  std::string Describe() const;
};

absl::StatusOr<SubprocessResult> RunSubprocess(const std::vector<std::string>& argv,
                                               const SubprocessOptions& options = {});

// Path of the first executable named `name` on $PATH, or `name` itself if it has a slash and
// exists (whether it may be executed, exec tells), or "".
std::string FindOnPath(const std::string& name);

}  // namespace passrl
