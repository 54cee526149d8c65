// A loop over [0, n) shared by a few threads, each taking the next index when it finishes one:
// for work items of uneven cost (modules to compile, programs to score). The thread's number,
// in [0, threads), comes with each index, so each thread can own a resource (an env worker).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace passrl {

// Calls fn(i, thread) once for every i in [0, n) on max(1, threads) threads; returns when all
// calls have returned. fn runs concurrently with itself.
inline void ParallelFor(size_t n, int threads, const std::function<void(size_t, int)>& fn) {
  std::atomic<size_t> next{0};
  std::vector<std::thread> running;
  for (int t = 0; t < std::max(1, threads); ++t) {
    running.emplace_back([&, t] {
      for (size_t i = next++; i < n; i = next++) fn(i, t);
    });
  }
  for (std::thread& t : running) t.join();
}

}  // namespace passrl
