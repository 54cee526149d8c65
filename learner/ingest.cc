#include "learner/ingest.h"

#include <vector>

namespace passrl::learner {

uint64_t InsertBatch(const proto::TransitionBatch& b, int actor_id, uint64_t current_version,
                     replay::ReplayBuffer& replay) {
  const int d = b.obs_dim(), n = b.actions_size();
  uint64_t lag = 0;
  std::vector<replay::Transition> transitions(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    replay::Transition& t = transitions[static_cast<size_t>(i)];
    t.observation = absl::MakeConstSpan(b.observations().data() + i * d, d);
    t.next_observation = absl::MakeConstSpan(b.next_observations().data() + i * d, d);
    t.action = b.actions(i);
    t.reward = b.rewards(i);
    t.terminal = b.terminals(i);
    t.truncated = b.truncations(i);
    t.episode_id = b.episode_ids(i);
    t.step = b.steps(i);
    t.policy_version = b.policy_versions(i);
    t.actor_id = actor_id;
    t.benchmark_id = b.benchmark_ids(i);
    lag += current_version >= t.policy_version ? current_version - t.policy_version : 0;
  }
  replay.InsertMany(transitions);
  return lag;
}

}  // namespace passrl::learner
