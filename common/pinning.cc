#include "common/pinning.h"

#include <hwloc.h>
#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace passrl {
namespace {

// Owns a loaded topology.
class Topology {
 public:
  Topology() {
    if (hwloc_topology_init(&topo_) == 0 && hwloc_topology_load(topo_) == 0) loaded_ = true;
  }
  ~Topology() { hwloc_topology_destroy(topo_); }
  bool loaded() const { return loaded_; }
  hwloc_topology_t get() const { return topo_; }

 private:
  hwloc_topology_t topo_;
  bool loaded_ = false;
};

}  // namespace

absl::StatusOr<std::vector<int>> AllowedPhysicalCores() {
  Topology topo;
  if (!topo.loaded()) return absl::InternalError("hwloc: cannot load the machine topology");
  hwloc_const_cpuset_t allowed = hwloc_topology_get_allowed_cpuset(topo.get());
  hwloc_bitmap_t mine = hwloc_bitmap_alloc();
  // Our own binding (taskset, mpirun --bind-to) narrows the set further.
  if (hwloc_get_cpubind(topo.get(), mine, HWLOC_CPUBIND_PROCESS) != 0) hwloc_bitmap_fill(mine);
  hwloc_bitmap_and(mine, mine, allowed);
  std::vector<int> cpus;
  const int cores = hwloc_get_nbobjs_by_type(topo.get(), HWLOC_OBJ_CORE);
  for (int i = 0; i < cores; ++i) {
    hwloc_obj_t core = hwloc_get_obj_by_type(topo.get(), HWLOC_OBJ_CORE, i);
    hwloc_bitmap_t usable = hwloc_bitmap_alloc();
    hwloc_bitmap_and(usable, core->cpuset, mine);
    const int first = hwloc_bitmap_first(usable);
    if (first >= 0) cpus.push_back(first);
    hwloc_bitmap_free(usable);
  }
  hwloc_bitmap_free(mine);
  if (cpus.empty()) return absl::FailedPreconditionError("hwloc: no allowed physical core");
  std::sort(cpus.begin(), cpus.end());
  return cpus;
}

int AllowedCpuCount() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

absl::Status BindToCpu(int cpu, bool whole_process) {
  Topology topo;
  if (!topo.loaded()) return absl::InternalError("hwloc: cannot load the machine topology");
  hwloc_bitmap_t set = hwloc_bitmap_alloc();
  hwloc_bitmap_only(set, static_cast<unsigned>(cpu));
  const int flags =
      (whole_process ? HWLOC_CPUBIND_PROCESS : HWLOC_CPUBIND_THREAD) | HWLOC_CPUBIND_STRICT;
  const int rc = hwloc_set_cpubind(topo.get(), set, flags);
  const int err = errno;
  hwloc_bitmap_free(set);
  if (rc != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot bind to CPU ", cpu, ": ", strerror(err)));
  }
  return absl::OkStatus();
}

std::string DescribeBinding() {
  Topology topo;
  if (!topo.loaded()) return "?";
  hwloc_bitmap_t set = hwloc_bitmap_alloc();
  std::string out = "?";
  if (hwloc_get_cpubind(topo.get(), set, HWLOC_CPUBIND_THREAD) == 0) {
    char* text = nullptr;
    hwloc_bitmap_list_asprintf(&text, set);
    if (text) out = text;
    free(text);
  }
  hwloc_bitmap_free(set);
  return out;
}

ScopedThreadBinding::ScopedThreadBinding(int cpu) {
  if (cpu < 0) return;
  previous_.resize(sizeof(cpu_set_t));
  auto* previous = reinterpret_cast<cpu_set_t*>(previous_.data());
  if (sched_getaffinity(0, sizeof(cpu_set_t), previous) != 0) return;
  cpu_set_t only;
  CPU_ZERO(&only);
  CPU_SET(cpu, &only);
  bound_ = sched_setaffinity(0, sizeof only, &only) == 0;
}

ScopedThreadBinding::~ScopedThreadBinding() {
  if (bound_) {
    sched_setaffinity(0, sizeof(cpu_set_t), reinterpret_cast<cpu_set_t*>(previous_.data()));
  }
}

}  // namespace passrl
