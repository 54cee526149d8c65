// The optimizer against a real env worker: a crashing candidate costs only itself, the best
// prefix wins, budgets are exact, and random search stays inside the allowed actions.
#include "optimize/optimizer.h"

#include <algorithm>
#include <cstdlib>
#include <functional>

#include "envs/action_space.h"
#include "envs/features.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace passrl::optimize {
namespace {

constexpr char kBenchmark[] = "bundled/nqueens";
constexpr char kGood[] =
    "oz-early-simplify,oz-ipo-early,scc-oz-module-inliner,oz-ipo-cleanup,oz-late-function,"
    "oz-module-final";

std::unique_ptr<actors::WorkerEnvClient> Worker() {
  actors::WorkerOptions w;
  w.executable = PASSRL_BINARY;
  w.dataset = testing::TestDatasetOptions();
  w.reward = "IrInstructionCount";
  return std::make_unique<actors::WorkerEnvClient>(w);
}

TEST(OptimizerTest, ACrashingCandidateIsSkippedAndTheNextOneWins) {
  const int crash = *envs::ActionIndex("gvn");
  setenv("PASSRL_TEST_CRASH_ACTION", std::to_string(crash).c_str(), 1);
  SequenceLibrary lib;
  lib.entries.push_back({*envs::ParseActionList("sroa,gvn,instcombine"), 0});
  lib.entries.push_back({*envs::ParseActionList(kGood), 0});
  auto worker = Worker();
  OptimizeOptions o;
  o.compilations = 2;
  auto r = Optimize(*worker, nullptr, &lib, kBenchmark, o);
  unsetenv("PASSRL_TEST_CRASH_ACTION");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->compilations, 2);
  EXPECT_EQ(r->failed, 1);
  EXPECT_EQ(r->source, "library");
  EXPECT_LT(r->ir, r->ir_oz);  // the -Oz pieces in order beat -Oz on nqueens (202 vs 206)
  // The best prefix of the good sequence: nothing after its last improvement.
  const std::vector<int> good = *envs::ParseActionList(kGood);
  ASSERT_LE(r->actions.size(), good.size());
  EXPECT_TRUE(std::equal(r->actions.begin(), r->actions.end(), good.begin()));
}

// A policy that names its actions in turn, one per call (one-hot probabilities).
class ScriptedPolicy : public actors::Policy {
 public:
  explicit ScriptedPolicy(std::vector<int> script) : script_(std::move(script)) {}
  int Act(absl::Span<const float>) override { return script_[std::min(next_, script_.size() - 1)]; }
  std::vector<float> Probabilities(absl::Span<const float>) override {
    std::vector<float> p(envs::kNumActions, 0.0f);
    p[static_cast<size_t>(script_[std::min(next_++, script_.size() - 1)])] = 1;
    return p;
  }
  absl::Status SetWeights(uint64_t, absl::Span<const float>) override { return absl::OkStatus(); }
  uint64_t version() const override { return 0; }
  int64_t parameter_count() const override { return 0; }

 private:
  std::vector<int> script_;
  size_t next_ = 0;
};

// The greedy rollout's report holds the actions that ran and their counts, one each: an action
// that crashed the worker is not among them.
TEST(OptimizerTest, AGreedyRolloutCutShortReportsOnlyTheActionsThatRan) {
  const int crash = *envs::ActionIndex("gvn");
  setenv("PASSRL_TEST_CRASH_ACTION", std::to_string(crash).c_str(), 1);
  ScriptedPolicy policy({*envs::ActionIndex("sroa"), crash});
  auto worker = Worker();
  OptimizeOptions o;
  o.compilations = 1;
  auto r = Optimize(*worker, &policy, nullptr, kBenchmark, o);
  unsetenv("PASSRL_TEST_CRASH_ACTION");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->failed, 1);
  EXPECT_EQ(r->policy_actions, std::vector<int>{*envs::ActionIndex("sroa")});
  EXPECT_EQ(r->policy_counts.size(), r->policy_actions.size());
  EXPECT_EQ(r->source, "policy");
}

// Two env workers share one search: the compilation budget is still exact, both evaluate
// candidates, and the best of either wins.
TEST(OptimizerTest, SeveralWorkersShareTheBudgetAndTheBest) {
  SequenceLibrary lib;
  lib.entries.push_back({*envs::ParseActionList("sroa,gvn,instcombine"), 0});
  lib.entries.push_back({*envs::ParseActionList("sroa,instcombine"), 0});
  lib.entries.push_back({*envs::ParseActionList(kGood), 0});
  auto a = Worker(), b = Worker();
  actors::EnvClient* const both[] = {a.get(), b.get()};
  OptimizeOptions o;
  o.compilations = 8;
  auto r = Optimize(absl::MakeConstSpan(both), nullptr, &lib, kBenchmark, o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->compilations, 8);
  EXPECT_EQ(r->failed, 0);
  EXPECT_NE(a->worker_pid(), -1) << "the first worker evaluated nothing";
  EXPECT_NE(b->worker_pid(), -1) << "the second worker evaluated nothing";
  EXPECT_LT(r->ir, r->ir_oz);  // kGood, or a mutation of it, beats -Oz on nqueens
  // The sequence reported gives the count reported.
  auto check = EvaluateSequence(*a, kBenchmark, r->actions);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(check->ir, r->ir);
}

TEST(OptimizerTest, RandomSearchUsesOnlyAllowedActionsAndItsBudget) {
  auto worker = Worker();
  OptimizeOptions o;
  o.strategy = Strategy::kRandom;
  o.compilations = 5;
  o.length = 8;
  o.allowed = envs::AllowedActions(envs::ActionSet::kPasses);
  auto r = Optimize(*worker, nullptr, nullptr, kBenchmark, o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->compilations, 5);
  EXPECT_LT(r->ir, r->ir_o0);
  for (int a : r->actions) {
    EXPECT_TRUE(o.allowed[a]) << envs::Actions()[a].name;
    EXPECT_NE(a, envs::StopAction());
  }
}

// With one worker and a compilation budget the search is reproducible: the same seed gives the
// same candidates, so the same result.
TEST(OptimizerTest, OneWorkerIsReproducible) {
  auto worker = Worker();
  OptimizeOptions o;
  o.compilations = 6;
  o.length = 6;
  auto first = Optimize(*worker, nullptr, nullptr, kBenchmark, o);
  auto again = Optimize(*worker, nullptr, nullptr, kBenchmark, o);
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(first->actions, again->actions);
  EXPECT_EQ(first->ir, again->ir);
  o.seed = 2;
  auto other = Optimize(*worker, nullptr, nullptr, kBenchmark, o);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->actions, first->actions) << "the seed should change the mutations";
}

TEST(OptimizerTest, BadOptionsAndBenchmarksAreErrors) {
  auto worker = Worker();
  OptimizeOptions o;
  o.compilations = 0;
  o.budget_seconds = 0;
  EXPECT_EQ(Optimize(*worker, nullptr, nullptr, kBenchmark, o).status().code(),
            absl::StatusCode::kInvalidArgument);
  o.compilations = 2;
  auto missing = Optimize(*worker, nullptr, nullptr, "bundled/no_such_program", o);
  EXPECT_FALSE(missing.ok());
  auto second = Worker();
  actors::EnvClient* const both[] = {worker.get(), second.get()};
  auto missing_on_two = Optimize(absl::MakeConstSpan(both), nullptr, nullptr,
                                 "bundled/no_such_program", o);
  EXPECT_FALSE(missing_on_two.ok()) << "an error on either worker is the search's";
}

// A sequence by action names, comma-separated.
std::vector<int> Seq(const char* names) { return *envs::ParseActionList(names); }

// A landscape computed in memory: 100 instructions at reset, then count(prefix) after each step.
class LandscapeEnv : public actors::EnvClient {
 public:
  explicit LandscapeEnv(std::function<int64_t(const std::vector<int>&)> count)
      : count_(std::move(count)) {}

 protected:
  absl::StatusOr<actors::EnvOutcome> DoReset(const std::string&) override {
    prefix_.clear();
    return Outcome(100);
  }
  absl::StatusOr<actors::EnvOutcome> DoStep(int action) override {
    prefix_.push_back(action);
    return Outcome(count_(prefix_));
  }

 private:
  static actors::EnvOutcome Outcome(int64_t ir) {
    actors::EnvOutcome o;
    o.observation.assign(envs::kAutophaseSize, 0);
    o.ir_instruction_count = ir;
    o.ir_o0 = 100;
    o.ir_oz = 50;
    return o;
  }
  std::function<int64_t(const std::vector<int>&)> count_;
  std::vector<int> prefix_;
};

// The search without a policy on `env`, from `library`, with only the `allowed` actions
// (comma-separated).
absl::StatusOr<OptimizeResult> SearchLandscape(LandscapeEnv& env,
                                               const std::vector<std::vector<int>>& library,
                                               int64_t compilations, const char* allowed) {
  SequenceLibrary lib;
  for (const std::vector<int>& sequence : library) lib.entries.push_back({sequence, 0});
  OptimizeOptions o;
  o.compilations = compilations;
  o.allowed.assign(envs::kNumActions, false);
  for (int a : Seq(allowed)) o.allowed[static_cast<size_t>(a)] = true;
  return Optimize(env, nullptr, &lib, "landscape", o);
}

// A trap: 90 for [sroa], 95 for [licm, dce, licm, dce], 10 for that and gvn, 100 otherwise. No
// single edit of the best, [sroa], reaches the 10; one edit of the second best does (and a random
// sequence of these 8 actions starts with those five 1 time in 32,768).
TEST(OptimizerTest, MutationsAlsoStartFromTheEliteNotOnlyTheBest) {
  LandscapeEnv env([best = Seq("sroa"), second = Seq("licm,dce,licm,dce"),
                    hole = Seq("licm,dce,licm,dce,gvn")](const std::vector<int>& prefix) {
    return prefix == best ? 90 : prefix == second ? 95 : prefix == hole ? 10 : 100;
  });
  auto r = SearchLandscape(env, {Seq("sroa"), Seq("licm,dce,licm,dce")}, 3000,
                           "sroa,instcombine,gvn,dce,licm,sccp,adce,dse");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->ir, 10) << envs::FormatActionList(r->actions);
  EXPECT_EQ(r->source, "mutation");
}

// Two partial solutions: [sroa, instcombine] leaves 90, [licm, licm, gvn, dce] 95, and only their
// join [sroa, instcombine, gvn, dce] 10; everything else 100. The join is two edits from either
// parent, through sequences that leave 100: no single mutation gets there, one crossover (a
// prefix of one elite sequence and a suffix of another) does.
TEST(OptimizerTest, CrossoverJoinsTwoPartialSolutions) {
  LandscapeEnv env([front = Seq("sroa,instcombine"), back = Seq("licm,licm,gvn,dce"),
                    join = Seq("sroa,instcombine,gvn,dce")](const std::vector<int>& prefix) {
    return prefix == front ? 90 : prefix == back ? 95 : prefix == join ? 10 : 100;
  });
  auto r = SearchLandscape(
      env, {Seq("sroa,instcombine"), Seq("licm,licm,gvn,dce")}, 1000,
      "sroa,instcombine,gvn,dce,licm,sccp,adce,dse");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->ir, 10) << envs::FormatActionList(r->actions);
  EXPECT_EQ(r->source, "crossover");
}

// A plateau with one hole: [gvn, dce, sroa] leaves 10, every other prefix 100. Nothing improves on
// the way there, so the best stays empty and its mutations one action long; only whole random
// sequences reach three actions.
TEST(OptimizerTest, RandomSequencesKeepComingOnAPlateau) {
  LandscapeEnv env([hole = Seq("gvn,dce,sroa")](const std::vector<int>& prefix) {
    return prefix == hole ? 10 : 100;
  });
  auto r = SearchLandscape(env, {}, 2000, "sroa,gvn,dce,licm");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->ir, 10) << envs::FormatActionList(r->actions);
  EXPECT_EQ(r->source, "random");
}

}  // namespace
}  // namespace passrl::optimize
