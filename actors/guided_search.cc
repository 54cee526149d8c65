#include "actors/guided_search.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "actors/observation.h"
#include "common/clock.h"
#include "envs/action_space.h"
#include "common/status_macros.h"

namespace passrl::actors {
namespace {

struct BeamState {
  std::shared_ptr<const envs::LlvmEnv::Snapshot> snapshot;
  std::vector<int64_t> observation;
  std::vector<int> actions;
  double cost = 0;
};

std::vector<int> TopActions(Policy& policy, const std::vector<float>& features, int k) {
  const std::vector<float> p = policy.Probabilities(features);
  std::vector<int> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  k = std::min<int>(k, static_cast<int>(order.size()));
  std::partial_sort(order.begin(), order.begin() + k, order.end(),
                    [&p](int a, int b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
  order.resize(static_cast<size_t>(k));
  return order;
}

}  // namespace

int GreedyWithoutNoOps::Next(Policy& policy, const std::vector<int64_t>& observation,
                             absl::Span<const float> features) {
  if (last_action_ >= 0 && observation == last_observation_) {
    excluded_.push_back(last_action_);
    if (static_cast<int>(excluded_.size()) >= patience_) return -1;
  } else {
    excluded_.clear();
  }
  std::vector<float> p = policy.Probabilities(features);
  for (int a : excluded_) p[static_cast<size_t>(a)] = -1;
  const int best = static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
  last_observation_ = observation;
  last_action_ = best;
  return best == stop_action_ || p[static_cast<size_t>(best)] <= 0 ? -1 : best;
}

absl::Status BeamOptions::Validate() const {
  if (width < 1) return absl::InvalidArgumentError("beam width must be >= 1");
  if (length < 1) return absl::InvalidArgumentError("search length must be >= 1");
  if (budget_seconds < 0) return absl::InvalidArgumentError("search budget must be >= 0");
  return absl::OkStatus();
}

absl::StatusOr<SearchResult> GreedyRollout(envs::LlvmEnv& env, Policy& policy,
                                           const envs::Benchmark& benchmark, int length,
                                           envs::RewardSpace metric, Horizon horizon) {
  const double start = MonotonicSeconds();
  PASSRL_ASSIGN_OR_RETURN(envs::Observation obs, env.Reset(benchmark));
  const std::vector<int64_t> start_values = obs.values;
  GreedyWithoutNoOps greedy;
  for (int step = 0; step < length; ++step) {
    const int action = greedy.Next(
        policy, obs.values, Featurize(start_values, obs.values, env.actions(), length, horizon));
    if (action < 0) break;  // stop, or nothing left that changes the module
    PASSRL_ASSIGN_OR_RETURN(envs::StepResult result, env.Step(action));
    obs = std::move(result.observation);
  }
  SearchResult r;
  r.actions = env.actions();
  PASSRL_ASSIGN_OR_RETURN(r.cost, env.Cost(metric));
  r.states = static_cast<int64_t>(r.actions.size());
  r.seconds = MonotonicSeconds() - start;
  return r;
}

absl::StatusOr<SearchResult> BeamSearch(envs::LlvmEnv& env, Policy& policy,
                                        const envs::Benchmark& benchmark,
                                        const BeamOptions& options) {
  PASSRL_RETURN_IF_ERROR(options.Validate());
  const double start = MonotonicSeconds();
  PASSRL_ASSIGN_OR_RETURN(envs::Observation first, env.Reset(benchmark));
  BeamState root{env.TakeSnapshot(), first.values, {}, 0};
  PASSRL_ASSIGN_OR_RETURN(root.cost, env.Cost(options.metric));
  SearchResult best{{}, root.cost, 1, 0};
  std::vector<BeamState> beam{root};
  auto out_of_time = [&] {
    return options.budget_seconds > 0 && MonotonicSeconds() - start >= options.budget_seconds;
  };
  for (int depth = 0; depth < options.length && !out_of_time(); ++depth) {
    std::vector<BeamState> children;
    std::set<uint64_t> seen;
    for (const BeamState& parent : beam) {
      const std::vector<float> features = Featurize(
          root.observation, parent.observation, parent.actions, options.length, options.horizon);
      for (int action : TopActions(policy, features, options.width)) {
        if (out_of_time()) break;
        env.Restore(*parent.snapshot);
        PASSRL_ASSIGN_OR_RETURN(envs::StepResult step, env.Step(action));
        ++best.states;
        if (!seen.insert(env.IrHash()).second) continue;
        BeamState child{nullptr, std::move(step.observation.values), parent.actions, 0};
        child.actions.push_back(action);
        PASSRL_ASSIGN_OR_RETURN(child.cost, env.Cost(options.metric));
        if (child.cost < best.cost) {
          best.cost = child.cost;
          best.actions = child.actions;
        }
        child.snapshot = env.TakeSnapshot();
        children.push_back(std::move(child));
      }
    }
    if (children.empty()) break;
    std::stable_sort(children.begin(), children.end(),
                     [](const BeamState& a, const BeamState& b) { return a.cost < b.cost; });
    if (static_cast<int>(children.size()) > options.width) children.resize(options.width);
    beam = std::move(children);
  }
  best.seconds = MonotonicSeconds() - start;
  // Leave the environment in the best state, so callers can measure it further.
  PASSRL_RETURN_IF_ERROR(Replay(env, benchmark, best.actions));
  return best;
}

absl::Status Replay(envs::LlvmEnv& env, const envs::Benchmark& benchmark,
                    const std::vector<int>& actions) {
  PASSRL_ASSIGN_OR_RETURN(envs::Observation obs, env.Reset(benchmark));
  (void)obs;
  for (int a : actions) {
    PASSRL_ASSIGN_OR_RETURN(envs::StepResult step, env.Step(a));
    (void)step;
  }
  return absl::OkStatus();
}

}  // namespace passrl::actors
