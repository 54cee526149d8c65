#include "common/perf_counters.h"

#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"

namespace passrl {
namespace {

int OpenCounter(pid_t pid, uint64_t config) {
  perf_event_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_HARDWARE;
  attr.config = config;
  attr.disabled = 1;
  attr.enable_on_exec = 1;
  attr.inherit = 1;
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  return static_cast<int>(
      syscall(SYS_perf_event_open, &attr, pid, /*cpu=*/-1, /*group_fd=*/-1, PERF_FLAG_FD_CLOEXEC));
}

absl::Status OpenError(int err) {
  const char* why = err == ENOENT || err == EOPNOTSUPP
                        ? "no hardware performance counters (a VM without a virtual PMU?)"
                    : err == EACCES || err == EPERM
                        ? "not permitted (kernel.perf_event_paranoid or a container's seccomp)"
                        : "perf_event_open failed";
  return absl::UnavailableError(absl::StrCat("cycle counters unavailable: ", why, " (",
                                             std::strerror(err), ")"));
}

}  // namespace

absl::StatusOr<ChildCounters> ChildCounters::Open(pid_t pid) {
  const int cycles = OpenCounter(pid, PERF_COUNT_HW_CPU_CYCLES);
  if (cycles < 0) return OpenError(errno);
  const int instructions = OpenCounter(pid, PERF_COUNT_HW_INSTRUCTIONS);
  if (instructions < 0) {
    const int err = errno;
    close(cycles);
    return OpenError(err);
  }
  return ChildCounters(cycles, instructions);
}

ChildCounters::ChildCounters(ChildCounters&& other) noexcept
    : cycles_fd_(other.cycles_fd_), instr_fd_(other.instr_fd_) {
  other.cycles_fd_ = other.instr_fd_ = -1;
}

ChildCounters& ChildCounters::operator=(ChildCounters&& other) noexcept {
  std::swap(cycles_fd_, other.cycles_fd_);  // `other` closes ours
  std::swap(instr_fd_, other.instr_fd_);
  return *this;
}

ChildCounters::~ChildCounters() {
  if (cycles_fd_ >= 0) close(cycles_fd_);
  if (instr_fd_ >= 0) close(instr_fd_);
}

absl::StatusOr<CounterValues> ChildCounters::Read() const {
  CounterValues v;
  uint64_t value = 0;
  if (read(cycles_fd_, &value, sizeof value) != sizeof value) {
    return absl::InternalError(absl::StrCat("reading the cycle counter: ", std::strerror(errno)));
  }
  v.cycles = static_cast<int64_t>(value);
  if (read(instr_fd_, &value, sizeof value) != sizeof value) {
    return absl::InternalError(
        absl::StrCat("reading the instruction counter: ", std::strerror(errno)));
  }
  v.instructions = static_cast<int64_t>(value);
  return v;
}

absl::Status CountersAvailable() {
  static const absl::Status status = [] {
    auto counters = ChildCounters::Open(getpid());
    return counters.ok() ? absl::OkStatus() : counters.status();
  }();
  return status;
}

}  // namespace passrl
