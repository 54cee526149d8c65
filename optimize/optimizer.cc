#include "optimize/optimizer.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/status_macros.h"
#include "actors/guided_search.h"
#include "envs/action_space.h"

namespace passrl::optimize {
namespace {

constexpr char kPolicy[] = "policy";

// What a candidate's generator sees before each step.
struct CandidateState {
  const std::vector<int64_t>& start;  // the Autophase counts at reset
  const std::vector<int64_t>& now;    // ... after `actions`
  const std::vector<int>& actions;    // taken so far
};

// Chooses each candidate's next action: fixed sequences ignore the state, rollouts use it.
// Returns -1 to end the candidate.
using NextAction = std::function<int(const CandidateState&)>;

class Run {
 public:
  Run(actors::EnvClient& env, const std::string& benchmark, const OptimizeOptions& options)
      : env_(env),
        benchmark_(benchmark),
        options_(options),
        rng_(options.seed),
        choices_(envs::SearchActions(options.allowed)) {
    clock_ = options.clock ? options.clock : [] { return MonotonicSeconds(); };
    start_ = clock_();
  }

  bool Done() const {
    return (options_.compilations > 0 && result_.compilations >= options_.compilations) ||
           (options_.budget_seconds > 0 && clock_() - start_ >= options_.budget_seconds);
  }

  // Evaluates one candidate; errors only for what no candidate can survive (a bad benchmark).
  absl::Status Evaluate(const std::string& source, const NextAction& next) {
    auto outcome = env_.Reset(benchmark_);
    if (!outcome.ok()) {
      if (!absl::IsUnavailable(outcome.status())) return outcome.status();
      ++result_.failed;  // the worker died at reset: count the candidate, go on
      ++result_.compilations;
      return absl::OkStatus();
    }
    if (!measured_) {  // the unoptimised module: the count to beat first
      measured_ = true;
      result_.ir = outcome->ir_instruction_count;
      result_.ir_o0 = outcome->ir_o0;
      result_.ir_oz = outcome->ir_oz;
      result_.source = "none";
    }
    ++result_.compilations;
    const bool trace = source == kPolicy;  // the greedy rollout's steps are reported
    std::vector<int> actions;
    const std::vector<int64_t> start = outcome->observation;
    std::vector<int64_t> observation = std::move(outcome->observation);
    for (int step = 0; step < kMaxSteps; ++step) {
      const int action = next({start, observation, actions});
      if (action < 0 || action == envs::StopAction()) break;
      actions.push_back(action);
      auto stepped = env_.Step(action);
      if (!stepped.ok()) {
        ++result_.failed;  // crashed or hung: the prefix before it stands
        break;
      }
      if (trace) {
        result_.policy_actions.push_back(action);
        result_.policy_counts.push_back(stepped->ir_instruction_count);
      }
      if (stepped->ir_instruction_count < result_.ir) {
        result_.ir = stepped->ir_instruction_count;
        result_.actions = actions;
        result_.source = source;
      }
      observation = std::move(stepped->observation);
      if (stepped->done) break;
    }
    return absl::OkStatus();
  }

  int RandomAction() { return choices_[std::uniform_int_distribution<size_t>(0, choices_.size() - 1)(rng_)]; }

  std::vector<int> Mutate(std::vector<int> s) {
    const int kind = std::uniform_int_distribution<int>(0, s.empty() ? 0 : 2)(rng_);
    const size_t at = std::uniform_int_distribution<size_t>(0, s.size())(rng_);
    if (kind == 0 && static_cast<int>(s.size()) < kMaxSteps) {
      s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), RandomAction());
    } else if (kind == 1 || s.size() >= static_cast<size_t>(kMaxSteps)) {
      s[std::min(at, s.size() - 1)] = RandomAction();
    } else {
      s.erase(s.begin() + static_cast<std::ptrdiff_t>(std::min(at, s.size() - 1)));
    }
    return s;
  }

  // The policy's input in `state`: the observation it was trained on.
  std::vector<float> Features(const CandidateState& state) const {
    return actors::Featurize(state.start, state.now, state.actions, options_.length,
                             options_.horizon);
  }
  // Whether the candidate is still inside the policy's episode length (rollouts end there).
  bool InEpisode(const CandidateState& state) const {
    return static_cast<int>(state.actions.size()) < options_.length;
  }

  int Sample(actors::Policy& policy, const CandidateState& state) {
    if (!InEpisode(state)) return -1;
    const std::vector<float> p = policy.Probabilities(Features(state));
    return std::discrete_distribution<int>(p.begin(), p.end())(rng_);
  }

  OptimizeResult Finish() {
    result_.seconds = clock_() - start_;
    return result_;
  }
  const OptimizeResult& result() const { return result_; }

  static constexpr int kMaxSteps = 200;  // any candidate, library sequences included

 private:
  actors::EnvClient& env_;
  const std::string benchmark_;
  const OptimizeOptions& options_;
  std::mt19937_64 rng_;
  std::function<double()> clock_;
  double start_ = 0;
  const std::vector<int> choices_;  // what random actions are drawn from
  bool measured_ = false;
  OptimizeResult result_;
};

NextAction Fixed(const std::vector<int>& actions) {
  return [actions](const CandidateState& state) {
    const size_t step = state.actions.size();
    return step < actions.size() ? actions[step] : -1;
  };
}

}  // namespace

absl::Status OptimizeOptions::Validate() const {
  if (compilations < 0) return absl::InvalidArgumentError("compilations must be >= 0");
  if (!(budget_seconds >= 0)) return absl::InvalidArgumentError("the budget must be >= 0 s");
  if (compilations == 0 && budget_seconds == 0) {
    return absl::InvalidArgumentError("give a budget: compilations or seconds");
  }
  if (length < 1) return absl::InvalidArgumentError("sequence length must be >= 1");
  if (!allowed.empty() && allowed.size() != static_cast<size_t>(envs::kNumActions)) {
    return absl::InvalidArgumentError("one allowed flag per action expected");
  }
  if (envs::SearchActions(allowed).empty()) return absl::InvalidArgumentError("no action allowed");
  return absl::OkStatus();
}

absl::StatusOr<OptimizeResult> Optimize(actors::EnvClient& env, actors::Policy* policy,
                                        const SequenceLibrary* library,
                                        const std::string& benchmark,
                                        const OptimizeOptions& options) {
  if (absl::Status valid = options.Validate(); !valid.ok()) return valid;
  Run run(env, benchmark, options);
  auto evaluate = [&](const std::string& source, const NextAction& next) -> absl::Status {
    return run.Done() ? absl::OkStatus() : run.Evaluate(source, next);
  };
  if (options.strategy == Strategy::kRandom) {
    while (!run.Done()) {
      std::vector<int> s(static_cast<size_t>(options.length));
      for (int& a : s) a = run.RandomAction();
      if (absl::Status s2 = run.Evaluate("random", Fixed(s)); !s2.ok()) return s2;
    }
    return run.Finish();
  }
  if (policy != nullptr) {
    actors::GreedyWithoutNoOps greedy;
    absl::Status s = evaluate(kPolicy, [&](const CandidateState& state) {
      return run.InEpisode(state) ? greedy.Next(*policy, state.now, run.Features(state)) : -1;
    });
    if (!s.ok()) return s;
  }
  if (library != nullptr) {
    for (const LibraryEntry& e : library->entries) {
      if (absl::Status s = evaluate("library", Fixed(e.actions)); !s.ok()) return s;
    }
  }
  for (int64_t i = 0; !run.Done(); ++i) {
    absl::Status s;
    if (policy != nullptr && i % 2 == 0) {
      s = run.Evaluate("sampled",
                       [&](const CandidateState& state) { return run.Sample(*policy, state); });
    } else {
      s = run.Evaluate("mutation", Fixed(run.Mutate(run.result().actions)));
    }
    if (!s.ok()) return s;
  }
  return run.Finish();
}

absl::StatusOr<OptimizeResult> EvaluateSequence(actors::EnvClient& env,
                                                const std::string& benchmark,
                                                const std::vector<int>& actions) {
  OptimizeOptions one;
  one.compilations = 1;
  Run run(env, benchmark, one);
  PASSRL_RETURN_IF_ERROR(run.Evaluate("sequence", Fixed(actions)));
  return run.Finish();
}

}  // namespace passrl::optimize
