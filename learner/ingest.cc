#include "learner/ingest.h"

#include <vector>

#include "passrl.pb.h"
#include "proto/transition.h"

namespace passrl::learner {

uint32_t BenchmarkTable::Intern(const std::string& name) {
  MutexLock lock(&mu_);
  auto it = ids_.find(name);
  if (it != ids_.end()) return it->second;
  if (names_.size() >= kMaxNames) return kUnknownBenchmark;
  const auto id = static_cast<uint32_t>(names_.size());
  ids_.emplace(name, id);
  names_.push_back(name);
  return id;
}

std::vector<std::string> BenchmarkTable::Names() const {
  MutexLock lock(&mu_);
  return names_;
}

void BenchmarkTable::Restore(const std::vector<std::string>& names) {
  MutexLock lock(&mu_);
  names_.clear();
  ids_.clear();
  for (const std::string& name : names) {
    if (ids_.emplace(name, static_cast<uint32_t>(names_.size())).second) names_.push_back(name);
  }
}

uint64_t InsertBatch(const proto::TransitionBatch& b, int actor_id, uint64_t current_version,
                     BenchmarkTable& benchmarks, replay::ReplayBuffer& replay) {
  const int d = b.obs_dim(), n = b.actions_size();
  std::vector<uint32_t> global(static_cast<size_t>(b.benchmark_names_size()));
  for (int i = 0; i < b.benchmark_names_size(); ++i) {
    global[static_cast<size_t>(i)] = benchmarks.Intern(b.benchmark_names(i));
  }
  uint64_t lag = 0;
  std::vector<replay::Transition> transitions(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    replay::Transition& t = transitions[static_cast<size_t>(i)];
    static_cast<wire::TransitionFields&>(t) = wire::ReadTransition(b, i);
    t.observation = absl::MakeConstSpan(b.observations().data() + i * d, d);
    t.next_observation = absl::MakeConstSpan(b.next_observations().data() + i * d, d);
    // The envelope's fields: the sender, and the batch's benchmark index made learner-wide
    // (wire.cc checked the index against benchmark_names).
    t.actor_id = actor_id;
    t.benchmark_id = global[t.benchmark_id];
    lag += current_version >= t.policy_version ? current_version - t.policy_version : 0;
  }
  replay.InsertMany(transitions);
  return lag;
}

}  // namespace passrl::learner
