// User-space CPU cycles and retired instructions of one child process, read with
// perf_event_open: a second runtime signal beside wall time, immune to time the child spends
// waiting for a busy core. Opened by the parent between fork and exec (the child waits on a
// pipe), enabled at exec, counting the child and what it forks.
//
// Many VMs expose no hardware PMU (ENOENT) and containers may forbid the call (EPERM/EACCES,
// perf_event_paranoid > 2): then Open fails with the reason and callers report time alone.
// Not thread-safe per instance; instances are independent.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace passrl {

struct CounterValues {
  int64_t cycles = -1;        // -1: not counted
  int64_t instructions = -1;
};

class ChildCounters {
 public:
  // Counters for `pid` (a stopped or not-yet-exec'd child), enabled when it execs.
  static absl::StatusOr<ChildCounters> Open(pid_t pid);
  ChildCounters(ChildCounters&& other) noexcept;
  ChildCounters& operator=(ChildCounters&& other) noexcept;
  ChildCounters(const ChildCounters&) = delete;
  ChildCounters& operator=(const ChildCounters&) = delete;
  ~ChildCounters();
  // The totals so far (after the child exited: its whole run).
  absl::StatusOr<CounterValues> Read() const;

 private:
  ChildCounters(int cycles_fd, int instructions_fd) : cycles_fd_(cycles_fd), instr_fd_(instructions_fd) {}
  int cycles_fd_ = -1, instr_fd_ = -1;
};

// Whether hardware counters can be opened on this machine: OK, or why not (one line). Probed once
// (on this process) and remembered.
absl::Status CountersAvailable();

}  // namespace passrl
