#include "replay/sum_tree.h"

#include "common/check.h"

namespace passrl::replay {

SumTree::SumTree(int64_t size) : size_(size), leaves_(1) {
  PASSRL_CHECK(size > 0);
  while (leaves_ < size) leaves_ *= 2;
  nodes_.assign(2 * leaves_, 0.0);
}

void SumTree::Set(int64_t index, double priority) {
  PASSRL_CHECK(index >= 0 && index < size_ && priority >= 0);
  int64_t node = leaves_ + index;
  nodes_[node] = priority;
  for (node /= 2; node >= 1; node /= 2) nodes_[node] = nodes_[2 * node] + nodes_[2 * node + 1];
}

int64_t SumTree::Find(double mass) const {
  int64_t node = 1;
  while (node < leaves_) {
    const double left = nodes_[2 * node];
    if (mass < left || nodes_[2 * node + 1] <= 0) {
      node = 2 * node;
    } else {
      mass -= left;
      node = 2 * node + 1;
    }
  }
  const int64_t index = node - leaves_;
  return index < size_ ? index : size_ - 1;
}

}  // namespace passrl::replay
