#include "actors/prefix_cache.h"

#include <algorithm>
#include <utility>

#include "common/check.h"

namespace passrl::actors {

bool PrefixCache::Use(const std::string& benchmark) {
  if (benchmark == benchmark_ && !nodes_.empty()) return true;
  benchmark_ = benchmark;
  nodes_.clear();
  by_content_.clear();
  bytes_ = 0;
  return false;
}

const EnvOutcome* PrefixCache::Find(const std::vector<int>& prefix, std::vector<int>* state) {
  auto it = nodes_.find(prefix);
  if (it == nodes_.end()) return nullptr;
  Node& node = it->second;
  node.used = ++clock_;
  if (state != nullptr) {
    *state = node.same_as && nodes_.count(*node.same_as) != 0 ? *node.same_as : prefix;
  }
  return &node.outcome;
}

std::vector<int> PrefixCache::Insert(const std::vector<int>& prefix, const EnvOutcome& outcome,
                                     uint64_t content) {
  auto first = by_content_.find(content);
  const bool seen =
      first != by_content_.end() && first->second != prefix && nodes_.count(first->second) != 0;
  std::vector<int> state = seen ? first->second : prefix;
  if (seen) {
    nodes_.at(state).used = ++clock_;  // the state's name, about to be used
  } else {
    by_content_[content] = prefix;
  }
  Node& node = nodes_[prefix];
  node.outcome = outcome;
  node.used = ++clock_;
  node.content = content;
  node.same_as = seen ? std::make_optional(state) : std::nullopt;
  Account(prefix, node);
  return state;
}

bool PrefixCache::Leave(const std::vector<int>& prefix) {
  auto it = nodes_.find(prefix);
  if (it == nodes_.end()) return false;
  return it->second.left++ >= 1 && it->second.snapshot == nullptr;
}

const EnvOutcome* PrefixCache::FindNoOp(const std::vector<int>& prefix, int action) {
  auto it = nodes_.find(prefix);
  if (it == nodes_.end()) return nullptr;
  Node& node = it->second;
  if (!std::binary_search(node.no_ops.begin(), node.no_ops.end(), action)) return nullptr;
  node.used = ++clock_;
  return &node.outcome;
}

void PrefixCache::AddNoOp(const std::vector<int>& prefix, int action) {
  auto it = nodes_.find(prefix);
  if (it == nodes_.end()) return;
  std::vector<int>& no_ops = it->second.no_ops;
  no_ops.insert(std::lower_bound(no_ops.begin(), no_ops.end(), action), action);
  Account(prefix, it->second);
}

void PrefixCache::SetSnapshot(const std::vector<int>& prefix, Snapshot snapshot) {
  auto it = nodes_.find(prefix);
  if (it == nodes_.end() || envs::LlvmEnv::SnapshotBytes(*snapshot) > max_bytes_ / 2) return;
  it->second.snapshot = std::move(snapshot);
  it->second.used = ++clock_;
  Account(prefix, it->second);
}

std::pair<size_t, PrefixCache::Snapshot> PrefixCache::Nearest(const std::vector<int>& prefix) {
  std::vector<int> p = prefix;
  while (true) {
    auto it = nodes_.find(p);
    if (it != nodes_.end() && it->second.snapshot != nullptr) {
      it->second.used = ++clock_;
      return {p.size(), it->second.snapshot};
    }
    if (p.empty()) return {0, nullptr};
    p.pop_back();
  }
}

size_t PrefixCache::BytesOf(const Node& node) {
  // The map's key and bookkeeping, roughly: 64; a state's entry in by_content_: 96 more.
  size_t bytes =
      sizeof(Node) + node.outcome.observation.size() * sizeof(int64_t) +
      (node.no_ops.capacity() + (node.same_as ? node.same_as->capacity() : 0)) * sizeof(int) +
      node.outcome.failure.size() + (node.same_as ? 64 : 160);
  if (node.snapshot != nullptr) bytes += envs::LlvmEnv::SnapshotBytes(*node.snapshot);
  return bytes;
}

void PrefixCache::Account(const std::vector<int>& prefix, Node& node) {
  bytes_ -= node.bytes;
  node.bytes = BytesOf(node);
  bytes_ += node.bytes;
  if (bytes_ > max_bytes_) Evict(prefix);
}

// Least recently used first, down to three quarters of the budget (so evictions are rare); the
// reset outcome and `keep` stay.
void PrefixCache::Evict(const std::vector<int>& keep) {
  std::vector<std::pair<uint64_t, const std::vector<int>*>> order;
  order.reserve(nodes_.size());
  for (const auto& [prefix, node] : nodes_) {
    if (!prefix.empty() && prefix != keep) order.emplace_back(node.used, &prefix);
  }
  std::sort(order.begin(), order.end());
  const size_t target = max_bytes_ / 4 * 3;
  std::vector<std::vector<int>> gone;
  for (const auto& [used, prefix] : order) {
    if (bytes_ <= target) break;
    bytes_ -= nodes_.at(*prefix).bytes;
    gone.push_back(*prefix);
  }
  for (const std::vector<int>& prefix : gone) {
    auto it = nodes_.find(prefix);
    if (auto first = by_content_.find(it->second.content);
        first != by_content_.end() && first->second == prefix) {
      by_content_.erase(first);
    }
    nodes_.erase(it);
  }
}

}  // namespace passrl::actors
