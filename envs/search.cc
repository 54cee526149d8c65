#include "envs/search.h"

#include <chrono>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/status_macros.h"
#include "envs/action_space.h"

namespace passrl::envs {
namespace {

// Budget, progress reporting and the running best, shared by both searches.
class SearchState {
 public:
  // After env.Reset: the start state (O0, or env.start's level) is the cost to beat.
  SearchState(LlvmEnv& env, const SearchOptions& options, const SearchProgress& progress,
              int64_t start_cost)
      : options_(options),
        progress_(progress),
        clock_(options.clock ? options.clock : MonotonicSeconds),
        start_(clock_()),
        last_report_(start_) {
    const bool text = Spec(env.options().reward).object_size;
    const Baselines& b = env.baselines();
    result_.o0_cost = text ? b.text_o0 : b.ir_o0;
    result_.oz_cost = text ? b.text_oz : b.ir_oz;
    result_.o3_cost = text ? b.text_o3 : b.ir_o3;
    result_.best_cost = start_cost;
  }
  bool OutOfTime() {
    const double now = clock_();
    result_.seconds = now - start_;
    if (progress_ && now - last_report_ >= 1.0) {
      last_report_ = now;
      progress_(result_);
    }
    return result_.seconds >= options_.budget_seconds ||
           (options_.max_steps > 0 && result_.steps >= options_.max_steps);
  }
  void Offer(double step_cost, const std::vector<int>& actions) {
    const auto cost = static_cast<int64_t>(step_cost);
    ++result_.steps;
    if (cost < result_.best_cost) {
      result_.best_cost = cost;
      result_.best_actions = actions;
    }
  }
  SearchResult& result() { return result_; }

 private:
  const SearchOptions& options_;
  const SearchProgress& progress_;
  std::function<double()> clock_;
  double start_, last_report_;
  SearchResult result_;
};

}  // namespace

absl::Status SearchOptions::Validate() const {
  if (!(budget_seconds > 0)) {
    return absl::InvalidArgumentError(absl::StrCat("budget must be > 0 s, got ", budget_seconds));
  }
  if (episode_length <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("episode length must be > 0, got ", episode_length));
  }
  if (max_episodes < 0) return absl::InvalidArgumentError("max_episodes must be >= 0");
  if (max_steps < 0) return absl::InvalidArgumentError("max_steps must be >= 0");
  if (!allowed.empty() && allowed.size() != static_cast<size_t>(kNumActions)) {
    return absl::InvalidArgumentError("search: one allowed flag per action expected");
  }
  if (SearchActions(allowed).empty()) return absl::InvalidArgumentError("search: no action allowed");
  return absl::OkStatus();
}

namespace {
absl::Status CheckSearchable(const LlvmEnv& env) {
  if (Spec(env.options().reward).runtime) {
    return absl::InvalidArgumentError(
        "search minimises IR instructions or .text bytes, not run time");
  }
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<SearchResult> RandomSearch(LlvmEnv& env, const Benchmark& benchmark,
                                          const SearchOptions& options,
                                          const SearchProgress& progress) {
  PASSRL_RETURN_IF_ERROR(options.Validate());
  PASSRL_RETURN_IF_ERROR(CheckSearchable(env));
  PASSRL_RETURN_IF_ERROR(env.Reset(benchmark).status());
  SearchState state(env, options, progress, static_cast<int64_t>(env.cost()));
  std::mt19937_64 rng(options.seed);
  const std::vector<int> choices = SearchActions(options.allowed);
  std::uniform_int_distribution<size_t> pick(0, choices.size() - 1);
  while (!state.OutOfTime()) {
    if (options.max_episodes > 0 && state.result().episodes >= options.max_episodes) break;
    PASSRL_RETURN_IF_ERROR(env.Reset(benchmark).status());
    for (int i = 0; i < options.episode_length; ++i) {
      if (options.max_steps > 0 && state.result().steps >= options.max_steps) break;
      PASSRL_ASSIGN_OR_RETURN(StepResult step, env.Step(choices[pick(rng)]));
      state.Offer(step.info.cost, env.actions());
    }
    ++state.result().episodes;
  }
  return state.result();
}

absl::StatusOr<SearchResult> GreedySearch(LlvmEnv& env, const Benchmark& benchmark,
                                          const SearchOptions& options,
                                          const SearchProgress& progress) {
  PASSRL_RETURN_IF_ERROR(options.Validate());
  PASSRL_RETURN_IF_ERROR(CheckSearchable(env));
  PASSRL_RETURN_IF_ERROR(env.Reset(benchmark).status());
  SearchState state(env, options, progress, static_cast<int64_t>(env.cost()));
  int64_t current = state.result().best_cost;
  for (int depth = 0; depth < options.episode_length; ++depth) {
    auto snapshot = env.TakeSnapshot();
    int best_action = -1;
    int64_t best_cost = current;
    for (int a : SearchActions(options.allowed)) {
      if (state.OutOfTime()) break;
      env.Restore(*snapshot);
      PASSRL_ASSIGN_OR_RETURN(StepResult step, env.Step(a));
      state.Offer(step.info.cost, env.actions());
      if (step.info.cost < best_cost) {
        best_cost = static_cast<int64_t>(step.info.cost);
        best_action = a;
      }
    }
    env.Restore(*snapshot);
    if (best_action < 0) break;  // no action improves, or out of time
    PASSRL_RETURN_IF_ERROR(env.Step(best_action).status());
    current = best_cost;
  }
  state.result().episodes = 1;
  state.OutOfTime();
  return state.result();
}

}  // namespace passrl::envs
