#include "common/fd_limit.h"

#include <sys/resource.h>

#include "absl/strings/str_cat.h"

namespace passrl {

absl::Status EnsureFileLimit(int64_t needed, const std::string& what) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return absl::OkStatus();  // nothing to learn
  if (static_cast<int64_t>(limit.rlim_cur) >= needed) return absl::OkStatus();
  const bool enough = limit.rlim_max == RLIM_INFINITY || static_cast<int64_t>(limit.rlim_max) >= needed;
  limit.rlim_cur = enough ? static_cast<rlim_t>(needed) : limit.rlim_max;  // as high as allowed
  if (setrlimit(RLIMIT_NOFILE, &limit) == 0 && enough) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      what, " need about ", needed, " file descriptors, but this process may open only ",
      limit.rlim_max == RLIM_INFINITY ? limit.rlim_cur : limit.rlim_max,
      " (RLIMIT_NOFILE): raise the limit (ulimit -n, or LimitNOFILE / the cluster's limits.conf)"));
}

}  // namespace passrl
