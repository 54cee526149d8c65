// The monotonic clock passrl times everything with (CLOCK_MONOTONIC via steady_clock), in seconds.
// Components that need a swappable clock take a std::function<double()> defaulting to this.
#pragma once

#include <chrono>

namespace passrl {

inline double MonotonicSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Wall-clock time (Unix seconds), for timestamps compared across processes and nodes.
inline double UnixSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace passrl
