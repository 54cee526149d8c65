#include "eval/mlir_evaluation.h"

#include <chrono>
#include <cmath>
#include <functional>
#include <random>

#include "absl/status/status.h"
#include "actors/guided_search.h"
#include "common/status_macros.h"
#include "envs/compiler.h"

namespace passrl::eval {
namespace {

constexpr envs::Compiler kMlir = envs::Compiler::kMlir;

struct Rollout {
  int64_t best = 0, final_count = 0;
  std::vector<int> best_actions;  // the prefix that reached `best`
  std::vector<int> actions;       // every step taken
  bool crashed = false;
};

// Picks an action from the raw observation and the policy's features; -1 ends the rollout.
using Chooser = std::function<int(const std::vector<int64_t>&, const std::vector<float>&)>;

// One episode from `graph`: `choose` picks each action from the observation; the best state on
// the way is kept (a later pass may undo an earlier gain).
absl::StatusOr<Rollout> Run(actors::EnvClient& env, const std::string& graph,
                            const MlirEvalOptions& options, const Chooser& choose) {
  absl::StatusOr<actors::EnvOutcome> reset = env.Reset(graph);
  if (!reset.ok()) return reset.status();
  const std::vector<int64_t> start = reset->observation;
  std::vector<int64_t> now = start;
  std::vector<int> actions;
  Rollout r;
  r.best = r.final_count = reset->ir_instruction_count;
  const int stop = envs::SpecOf(kMlir).stop_action();
  while (env.in_episode()) {
    const int a = choose(now, actors::Featurize(start, now, actions, options.length, options.horizon, kMlir));
    if (a < 0 || a == stop) break;
    absl::StatusOr<actors::EnvOutcome> step = env.Step(a);
    if (!step.ok()) {
      if (!absl::IsUnavailable(step.status())) return step.status();
      r.crashed = true;  // the worker died: the graph of this rollout is lost
      break;
    }
    actions.push_back(a);
    r.actions = actions;
    now = step->observation;
    r.final_count = step->ir_instruction_count;
    if (r.final_count < r.best) {
      r.best = r.final_count;
      r.best_actions = actions;
    }
  }
  return r;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

absl::StatusOr<MlirSearchResult> SearchMlirGraph(actors::EnvClient& env, actors::Policy* policy,
                                                 const std::string& graph,
                                                 const MlirEvalOptions& options) {
  if (options.length < 1 || options.budget < 1) {
    return absl::InvalidArgumentError("length and budget must be >= 1");
  }
  absl::StatusOr<actors::EnvOutcome> probe = env.Reset(graph);  // the graph's baselines
  if (!probe.ok()) return probe.status();
  MlirSearchResult result;
  result.start = result.best = result.greedy = probe->ir_o0;
  result.reference = probe->ir_oz;
  std::mt19937_64 rng(options.seed);
  std::uniform_int_distribution<int> uniform(0, envs::SpecOf(kMlir).num_actions() - 2);  // no stop
  const auto t0 = std::chrono::steady_clock::now();
  const int stop = envs::SpecOf(kMlir).stop_action();
  for (int k = 0; k < options.budget; ++k) {
    actors::GreedyWithoutNoOps greedy(/*patience=*/3, stop);  // k == 0: no pass repeated as a no-op
    auto choose = [&](const std::vector<int64_t>& raw, const std::vector<float>& obs) {
      if (policy == nullptr) return uniform(rng);
      if (k == 0) return greedy.Next(*policy, raw, obs);
      std::vector<float> p = policy->Probabilities(obs);
      return static_cast<int>(std::discrete_distribution<int>(p.begin(), p.end())(rng));
    };
    absl::StatusOr<Rollout> r = Run(env, graph, options, choose);
    if (!r.ok()) return r.status();
    result.crashes += r->crashed;
    if (k == 0 && policy != nullptr && !r->crashed) {
      result.greedy = r->final_count;
      result.greedy_actions = r->actions;
    }
    if (r->best < result.best) {
      result.best = r->best;
      result.best_actions = r->best_actions;
    }
  }
  result.seconds = Seconds(t0);
  return result;
}

absl::StatusOr<MlirEvalRow> EvaluateMlirGraph(actors::EnvClient& env, actors::Policy& policy,
                                              const std::string& graph,
                                              const MlirEvalOptions& options) {
  PASSRL_ASSIGN_OR_RETURN(MlirSearchResult p, SearchMlirGraph(env, &policy, graph, options));
  MlirEvalOptions random_options = options;
  random_options.seed = options.seed + 1;
  PASSRL_ASSIGN_OR_RETURN(MlirSearchResult r, SearchMlirGraph(env, nullptr, graph, random_options));
  MlirEvalRow row;
  row.graph = graph;
  row.start = p.start;
  row.reference = p.reference;
  row.greedy = p.greedy;
  row.greedy_actions = p.greedy_actions;
  row.policy = p.best;
  row.policy_actions = p.best_actions;
  row.random = r.best;
  row.random_actions = r.best_actions;
  row.crashes = p.crashes + r.crashes;
  row.policy_seconds = p.seconds;
  row.random_seconds = r.seconds;
  return row;
}

double GeomeanVsReference(const std::vector<MlirEvalRow>& rows, int64_t MlirEvalRow::*value) {
  if (rows.empty()) return NAN;
  double log_sum = 0;
  for (const MlirEvalRow& r : rows) {
    log_sum += std::log(static_cast<double>(r.reference) / static_cast<double>(std::max<int64_t>(1, r.*value)));
  }
  return std::exp(log_sum / static_cast<double>(rows.size()));
}

}  // namespace passrl::eval
