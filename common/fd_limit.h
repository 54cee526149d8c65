// File descriptors for thousands of connections: a learner with 1,000 actors holds ~2,000
// sockets, and a load generator as many. Raises this process's soft RLIMIT_NOFILE toward the
// hard limit, and says clearly when even that is too few. Thread-safe (a system call).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace passrl {

// Ensures at least `needed` descriptors, raising the soft limit (as far as the hard one allows,
// even when that is not enough); `what` names their user in the error, e.g. "1000 actors".
absl::Status EnsureFileLimit(int64_t needed, const std::string& what);

}  // namespace passrl
