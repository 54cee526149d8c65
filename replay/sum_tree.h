// A sum tree over a fixed number of non-negative priorities: set one in O(log n), total in O(1),
// and find the slot where a prefix sum falls in O(log n), for proportional prioritized sampling.
// Not thread-safe: ReplayBuffer guards it.
#pragma once

#include <cstdint>
#include <vector>

namespace passrl::replay {

class SumTree {
 public:
  explicit SumTree(int64_t size);
  void Set(int64_t index, double priority);
  double Get(int64_t index) const { return nodes_[leaves_ + index]; }
  double Total() const { return nodes_[1]; }
  // The index i with prefix(i) <= mass < prefix(i + 1), for 0 <= mass < Total().
  int64_t Find(double mass) const;
  int64_t size() const { return size_; }

 private:
  int64_t size_, leaves_;      // leaves_: size rounded up to a power of two
  std::vector<double> nodes_;  // 1-based heap layout; leaves at [leaves_, 2 * leaves_)
};

}  // namespace passrl::replay
