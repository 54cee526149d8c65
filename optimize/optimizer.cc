#include "optimize/optimizer.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <thread>

#include "actors/guided_search.h"
#include "common/check.h"
#include "common/clock.h"
#include "common/mutex.h"
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

struct Candidate {
  std::string source;  // its generator
  NextAction next;
};

NextAction Fixed(std::vector<int> actions) {
  return [actions = std::move(actions)](const CandidateState& state) {
    const size_t step = state.actions.size();
    return step < actions.size() ? actions[step] : -1;
  };
}

// One search: hands out candidates in the header's order and keeps the best prefix any of them
// reached. Thread-safe: any number of threads may take and evaluate candidates, each on its own
// environment; the policy is called under its own lock.
class Run {
 public:
  Run(std::string benchmark, const OptimizeOptions& options, actors::Policy* policy,
      const SequenceLibrary* library)
      : benchmark_(std::move(benchmark)),
        options_(options),
        policy_(policy),
        library_(library),
        choices_(envs::SearchActions(options.allowed)),
        rng_(options.seed) {
    clock_ = options.clock ? options.clock : [] { return MonotonicSeconds(); };
    start_ = clock_();
  }

  // The next candidate, or none once the budget is spent or an error stopped the search.
  std::optional<Candidate> Next() {
    MutexLock lock(&mu_);
    if (!error_.ok() || Done()) return std::nullopt;
    ++taken_;
    ++in_flight_;
    if (options_.strategy == Strategy::kRandom) return RandomCandidate();
    if (policy_ != nullptr && !policy_taken_) {
      policy_taken_ = true;
      auto greedy = std::make_shared<actors::GreedyWithoutNoOps>();
      return Candidate{kPolicy, [this, greedy](const CandidateState& state) {
                         if (!InEpisode(state)) return -1;
                         MutexLock policy_lock(&policy_mu_);
                         return greedy->Next(*policy_, state.now, Features(state));
                       }};
    }
    if (library_ != nullptr && library_next_ < library_->entries.size()) {
      return Candidate{"library", Fixed(library_->entries[library_next_++].actions)};
    }
    const int64_t generated = generated_++;
    if (generated % 4 == 2) return RandomCandidate();  // new material for the elite
    if (policy_ != nullptr && generated % 2 == 0) {
      return Candidate{"sampled", [this](const CandidateState& state) { return Sample(state); }};
    }
    // Nothing to mutate while the first candidates are still running on other workers.
    if (result_.actions.empty() && in_flight_ > 1) return RandomCandidate();
    if (elite_.size() >= 2 && std::bernoulli_distribution(kCrossoverShare)(rng_)) {
      return Candidate{"crossover", Fixed(Crossover())};
    }
    return Candidate{"mutation", Fixed(Mutate(Parent()))};
  }

  // Evaluates a candidate from Next on `env`. What no candidate can survive (a bad benchmark)
  // stops the search: Finish returns it.
  void Evaluate(actors::EnvClient& env, const Candidate& candidate) {
    EvaluateOnce(env, candidate);
    MutexLock lock(&mu_);
    --in_flight_;
  }

  absl::StatusOr<OptimizeResult> Finish() {
    MutexLock lock(&mu_);
    if (!error_.ok()) return error_;
    result_.seconds = clock_() - start_;
    return result_;
  }

  static constexpr int kMaxSteps = 200;  // any candidate, library sequences included

 private:
  void EvaluateOnce(actors::EnvClient& env, const Candidate& candidate) {
    auto outcome = env.Reset(benchmark_);
    if (!outcome.ok()) {
      MutexLock lock(&mu_);
      if (!absl::IsUnavailable(outcome.status())) {
        if (error_.ok()) error_ = outcome.status();
        return;
      }
      ++result_.failed;  // the worker died at reset: count the candidate, go on
      ++result_.compilations;
      return;
    }
    {
      MutexLock lock(&mu_);
      if (!measured_) {  // the unoptimised module: the count to beat first
        measured_ = true;
        result_.ir = outcome->ir_instruction_count;
        result_.ir_o0 = outcome->ir_o0;
        result_.ir_oz = outcome->ir_oz;
        result_.source = "none";
      }
      ++result_.compilations;
    }
    std::vector<int> actions;
    std::vector<int64_t> counts;  // after each action
    size_t best_length = 0;       // the candidate's best prefix
    const std::vector<int64_t> start = outcome->observation;
    std::vector<int64_t> observation = std::move(outcome->observation);
    for (int step = 0; step < kMaxSteps; ++step) {
      const int action = candidate.next({start, observation, actions});
      if (action < 0 || action == envs::StopAction()) break;
      actions.push_back(action);
      auto stepped = env.Step(action);
      if (!stepped.ok()) {
        actions.pop_back();  // crashed or hung: the prefix before it stands
        MutexLock lock(&mu_);
        ++result_.failed;
        break;
      }
      counts.push_back(stepped->ir_instruction_count);
      if (best_length == 0 || counts.back() < counts[best_length - 1]) best_length = counts.size();
      Improve(stepped->ir_instruction_count, actions, candidate.source);
      observation = std::move(stepped->observation);
      if (stepped->done) break;
    }
    if (best_length > 0) {
      MutexLock lock(&mu_);
      Offer(counts[best_length - 1], {actions.begin(), actions.begin() + best_length});
    }
    if (candidate.source == kPolicy) {  // the greedy rollout's steps are reported
      MutexLock lock(&mu_);
      result_.policy_actions = actions;
      result_.policy_counts = counts;
    }
  }

  bool Done() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return (options_.compilations > 0 && taken_ >= options_.compilations) ||
           (options_.budget_seconds > 0 && clock_() - start_ >= options_.budget_seconds);
  }

  Candidate RandomCandidate() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::vector<int> s(static_cast<size_t>(options_.length));
    for (int& a : s) a = RandomAction();
    return Candidate{"random", Fixed(std::move(s))};
  }

  int RandomAction() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return choices_[std::uniform_int_distribution<size_t>(0, choices_.size() - 1)(rng_)];
  }

  // What a mutation starts from: half the time the best so far, else any of the elite (the best
  // prefixes of distinct counts), so that the search does not sit on one local optimum.
  const std::vector<int>& Parent() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (elite_.size() < 2 || std::bernoulli_distribution(0.5)(rng_)) return result_.actions;
    return elite_[std::uniform_int_distribution<size_t>(0, elite_.size() - 1)(rng_)].second;
  }

  // Keeps the kElite lowest counts seen, one sequence each.
  void Offer(int64_t ir, std::vector<int> actions) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto at = std::lower_bound(elite_.begin(), elite_.end(), ir,
                               [](const auto& e, int64_t v) { return e.first < v; });
    if ((at != elite_.end() && at->first == ir) || at - elite_.begin() >= kElite) return;
    elite_.insert(at, {ir, std::move(actions)});
    if (static_cast<int>(elite_.size()) > kElite) elite_.pop_back();
  }

  // A prefix of one elite sequence joined to a suffix of another (cut points uniform, the two may
  // be the same sequence): combines partial solutions that single edits cannot reach.
  std::vector<int> Crossover() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::uniform_int_distribution<size_t> pick(0, elite_.size() - 1);
    const std::vector<int>& a = elite_[pick(rng_)].second;
    const std::vector<int>& b = elite_[pick(rng_)].second;
    const size_t i = std::uniform_int_distribution<size_t>(0, a.size())(rng_);
    const size_t j = std::uniform_int_distribution<size_t>(0, b.size())(rng_);
    std::vector<int> s(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(i));
    s.insert(s.end(), b.begin() + static_cast<std::ptrdiff_t>(j), b.end());
    if (s.size() > static_cast<size_t>(kMaxSteps)) s.resize(kMaxSteps);
    if (s.empty()) s.push_back(RandomAction());
    return s;
  }

  // The parent with one action replaced, inserted or deleted.
  std::vector<int> Mutate(std::vector<int> s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
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

  void Improve(int64_t ir, const std::vector<int>& actions, const std::string& source) {
    MutexLock lock(&mu_);
    if (ir < result_.ir) {
      result_.ir = ir;
      result_.actions = actions;
      result_.source = source;
    }
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

  int Sample(const CandidateState& state) {
    if (!InEpisode(state)) return -1;
    std::vector<float> p;
    {
      MutexLock policy_lock(&policy_mu_);
      p = policy_->Probabilities(Features(state));
    }
    MutexLock lock(&mu_);
    return std::discrete_distribution<int>(p.begin(), p.end())(rng_);
  }

  const std::string benchmark_;
  const OptimizeOptions& options_;
  actors::Policy* const policy_;
  const SequenceLibrary* const library_;
  const std::vector<int> choices_;  // what random actions are drawn from
  std::function<double()> clock_;
  double start_ = 0;

  Mutex mu_;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  int64_t taken_ ABSL_GUARDED_BY(mu_) = 0;  // candidates handed out
  bool policy_taken_ ABSL_GUARDED_BY(mu_) = false;
  size_t library_next_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t generated_ ABSL_GUARDED_BY(mu_) = 0;  // candidates handed out after the library
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;      // handed out, not yet evaluated
  bool measured_ ABSL_GUARDED_BY(mu_) = false;
  OptimizeResult result_ ABSL_GUARDED_BY(mu_);
  static constexpr int kElite = 8;
  static constexpr double kCrossoverShare = 0.25;  // of the mutations, once the elite has two
  std::vector<std::pair<int64_t, std::vector<int>>> elite_ ABSL_GUARDED_BY(mu_);  // by count
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  Mutex policy_mu_;  // the policy is not thread-safe
};

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

absl::StatusOr<OptimizeResult> Optimize(absl::Span<actors::EnvClient* const> envs,
                                        actors::Policy* policy, const SequenceLibrary* library,
                                        const std::string& benchmark,
                                        const OptimizeOptions& options) {
  if (absl::Status valid = options.Validate(); !valid.ok()) return valid;
  PASSRL_CHECK(!envs.empty());
  Run run(benchmark, options, policy, library);
  auto work = [&run](actors::EnvClient* env) {
    while (std::optional<Candidate> candidate = run.Next()) run.Evaluate(*env, *candidate);
  };
  if (envs.size() == 1) {
    work(envs[0]);
  } else {
    std::vector<std::thread> threads;
    for (actors::EnvClient* env : envs) threads.emplace_back(work, env);
    for (std::thread& t : threads) t.join();
  }
  return run.Finish();
}

absl::StatusOr<OptimizeResult> Optimize(actors::EnvClient& env, actors::Policy* policy,
                                        const SequenceLibrary* library,
                                        const std::string& benchmark,
                                        const OptimizeOptions& options) {
  actors::EnvClient* const one[] = {&env};
  return Optimize(absl::MakeConstSpan(one), policy, library, benchmark, options);
}

absl::StatusOr<OptimizeResult> EvaluateSequence(actors::EnvClient& env,
                                                const std::string& benchmark,
                                                const std::vector<int>& actions) {
  OptimizeOptions one;
  one.compilations = 1;
  SequenceLibrary just_it;
  just_it.entries.push_back({actions, 0});
  return Optimize(env, nullptr, &just_it, benchmark, one);
}

}  // namespace passrl::optimize
