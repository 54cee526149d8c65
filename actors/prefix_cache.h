// What a search that evaluates many pass sequences of one benchmark has already computed: the
// outcome of every action prefix it stepped recently, and the environment's state (a snapshot)
// after the prefixes that candidates branched from. `passrl optimize` mutates its best sequence
// and samples rollouts from one policy, so most candidates share a prefix with an earlier one;
// with this cache an env worker serves that prefix from memory and runs only the passes after it
// (InProcessEnvClient::EnablePrefixCache). Only for deterministic rewards (IR count, .text size).
// A restored state is the same module up to local value names: bitcode does not carry LLVM's
// name-uniquing counters, so a pass that later creates a clashing name numbers it differently,
// and a later pass can, rarely, act differently on it (bundled/matmul_int: licm leaves 333
// instructions after a restore, 335 without). Searches replay their winner without the cache.
//
// Prefixes hold only the actions that changed the module: a step that left it as it was
// (envs::StepInfo::changed) is kept as a no-op of its state, not as a new state, so candidates that
// differ by such steps (most of a random sequence's passes find nothing to do) share their states,
// and the no-op is not run from that state again. Likewise a step that reaches a module an earlier
// prefix reached (the same envs::ContentHash: passes that commute, or a different pass doing the
// same work) continues under that prefix, whose later steps are known: a mutation that swaps one
// pass for an equivalent one costs one pass, not its whole tail (the same 1,500 candidates on 6
// validation programs: 15% fewer passes run, 29% fewer snapshots).
//
// A state is snapshotted the second time a step leaves it for a state not cached (a branch
// point), not the first: most states lie on one candidate's new tail and are never left again,
// and writing their bitcode cost a quarter of a search's time. The second leaving replays the
// state from the nearest snapshot before it, once.
//
// Memory is bounded: past `max_bytes` (snapshots' bitcode plus outcomes), the least recently used
// prefixes are forgotten, never the empty prefix (the reset outcome) nor the one just touched; a
// snapshot larger than half the budget is not kept (its state is replayed when needed). A
// forgotten state is rebuilt from the nearest snapshot before it (or a reset), so a small budget
// costs time; outcomes stay those of restored states, as above. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/env_client.h"
#include "envs/llvm_env.h"

namespace passrl::actors {

class PrefixCache {
 public:
  using Snapshot = std::shared_ptr<const envs::LlvmEnv::Snapshot>;
  explicit PrefixCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  // Forgets everything unless `benchmark` is the one cached; returns whether it was.
  bool Use(const std::string& benchmark);
  // The outcome after `prefix`, or null. Marks it used. With `state`, sets it to the prefix that
  // names the state reached: `prefix`, or an earlier prefix that reached the same module.
  const EnvOutcome* Find(const std::vector<int>& prefix, std::vector<int>* state = nullptr);
  // Keeps the outcome after `prefix`, whose module hashes to `content` (envs::ContentHash), and
  // returns the prefix that names its state from now on: an earlier one that reached the same
  // module another way, while that one is cached, else `prefix` itself.
  std::vector<int> Insert(const std::vector<int>& prefix, const EnvOutcome& outcome,
                          uint64_t content);
  // Counts a step from `prefix` that the cache cannot serve; returns whether the state should now
  // be snapshotted (left before, and no snapshot yet: a branch point, above).
  bool Leave(const std::vector<int>& prefix);
  // The outcome after `prefix` (marked used) if `action` is known to leave that state unchanged,
  // else null. AddNoOp records it (a no-op if `prefix` was not inserted or was forgotten).
  const EnvOutcome* FindNoOp(const std::vector<int>& prefix, int action);
  void AddNoOp(const std::vector<int>& prefix, int action);
  // Attaches the state after `prefix` (a no-op if it was not inserted or was forgotten).
  void SetSnapshot(const std::vector<int>& prefix, Snapshot snapshot);
  // The longest prefix of `prefix` (itself included) with a snapshot: its length and snapshot
  // (marked used); {0, nullptr} when there is none (start from a reset).
  std::pair<size_t, Snapshot> Nearest(const std::vector<int>& prefix);

  size_t bytes() const { return bytes_; }
  size_t size() const { return nodes_.size(); }

 private:
  struct Node {
    EnvOutcome outcome;
    Snapshot snapshot;
    size_t bytes = 0;
    uint64_t used = 0;
    int left = 0;             // steps from this state the cache could not serve
    std::vector<int> no_ops;  // actions that leave this state unchanged, sorted
    uint64_t content = 0;     // the module's envs::ContentHash
    std::optional<std::vector<int>> same_as;  // the prefix that first reached this module
  };
  static size_t BytesOf(const Node& node);
  void Account(const std::vector<int>& prefix, Node& node);
  void Evict(const std::vector<int>& keep);

  const size_t max_bytes_;
  std::string benchmark_;
  std::map<std::vector<int>, Node> nodes_;
  std::map<uint64_t, std::vector<int>> by_content_;  // each state's first prefix
  size_t bytes_ = 0;
  uint64_t clock_ = 0;
};

}  // namespace passrl::actors
