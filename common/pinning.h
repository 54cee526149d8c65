// CPU pinning with hwloc: the physical cores this process may use and binding to one of them.
//
// "Allowed" respects the process's cpuset (cgroups, Slurm, taskset, mpirun's binding): hwloc
// reports only the PUs we may run on. One PU is chosen per physical core (hyperthread siblings
// share caches and would add noise to runtime measurements). Thread-safe: each call loads its
// own topology (a few milliseconds; call once at start-up and keep the result).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace passrl {

// OS CPU ids, one per allowed physical core (the first allowed PU of each), ascending.
absl::StatusOr<std::vector<int>> AllowedPhysicalCores();

// How many CPUs (PUs) this process may run on: its affinity mask, e.g. a Slurm task's cpuset.
int AllowedCpuCount();

// Binds the calling thread (or, with whole_process, every thread) to OS CPU `cpu`.
absl::Status BindToCpu(int cpu, bool whole_process = false);

// The calling thread's current CPU set as a list ("0-1", "3").
std::string DescribeBinding();

// Binds the calling thread to `cpu` while in scope, then restores its previous CPU set. A timing
// parent sits on the benchmark's core so it wakes promptly when the child exits, instead of
// queueing behind a busy neighbour on another core. cpu < 0: does nothing.
class ScopedThreadBinding {
 public:
  explicit ScopedThreadBinding(int cpu);
  ~ScopedThreadBinding();
  ScopedThreadBinding(const ScopedThreadBinding&) = delete;
  ScopedThreadBinding& operator=(const ScopedThreadBinding&) = delete;

 private:
  std::vector<unsigned char> previous_;  // a cpu_set_t, kept opaque to spare includers <sched.h>
  bool bound_ = false;
};

}  // namespace passrl
