// A thread that keeps one core busy while it lives: the "busy neighbour" the runtime benchmarks
// measure noise against. Pinned to `cpu`, or free to migrate with cpu < 0.
#pragma once

#include <atomic>
#include <cstdlib>
#include <thread>

#include "common/pinning.h"

namespace passrl {

class BusyNeighbour {
 public:
  explicit BusyNeighbour(int cpu)
      : thread_([this, cpu] {
          if (cpu >= 0 && !BindToCpu(cpu).ok()) std::abort();
          volatile unsigned long x = 0;
          while (!stop_.load(std::memory_order_relaxed)) x = x * 2654435761u + 1;
        }) {}
  ~BusyNeighbour() {
    stop_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace passrl
