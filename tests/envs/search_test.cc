#include "envs/search.h"

#include "envs/action_space.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace passrl::envs {
namespace {

std::unique_ptr<LlvmEnv> MakeEnv() {
  EnvOptions options;
  options.reward = RewardSpace::kIrInstructionCount;
  options.observation = ObservationSpace::kActionHistogram;
  options.cache_dir = testing::TestDatasetOptions().build.cache_dir;
  return *LlvmEnv::Create(options);
}

// Replays `actions` from the start and returns the final instruction count.
int64_t Replay(const Benchmark& b, const std::vector<int>& actions) {
  auto env = MakeEnv();
  EXPECT_TRUE(env->Reset(b).ok());
  for (int a : actions) EXPECT_TRUE(env->Step(a).ok());
  return env->IrInstructionCount();
}

SearchOptions ByEpisodes(int64_t episodes, uint64_t seed) {
  SearchOptions options;
  options.budget_seconds = 1e9;
  options.max_episodes = episodes;
  options.episode_length = 12;
  options.seed = seed;
  return options;
}

TEST(SearchTest, RandomSearchIsDeterministicAndItsBestReplays) {
  const Benchmark b = testing::BundledBenchmarks(1)[0];
  auto env = MakeEnv();
  auto r1 = RandomSearch(*env, b, ByEpisodes(15, 42));
  auto r2 = RandomSearch(*env, b, ByEpisodes(15, 42));
  ASSERT_TRUE(r1.ok() && r2.ok()) << r1.status() << r2.status();
  EXPECT_EQ(r1->best_actions, r2->best_actions);
  EXPECT_EQ(r1->episodes, 15);
  EXPECT_EQ(r1->steps, 15 * 12);
  EXPECT_LT(r1->best_cost, r1->o0_cost);
  EXPECT_EQ(Replay(b, r1->best_actions), r1->best_cost);
  EXPECT_DOUBLE_EQ(r1->ratio_vs_oz(), double(r1->oz_cost) / double(r1->best_cost));
}

TEST(SearchTest, GreedyImprovesEveryStepAndItsBestReplays) {
  const Benchmark b = testing::BundledBenchmarks(2)[1];
  auto env = MakeEnv();
  SearchOptions options;
  options.budget_seconds = 1e9;
  options.episode_length = 4;
  auto r = GreedySearch(*env, b, options);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_FALSE(r->best_actions.empty());
  EXPECT_LE(r->best_actions.size(), 4u);
  EXPECT_EQ(Replay(b, r->best_actions), r->best_cost);
  // Each greedy step strictly lowered the cost.
  int64_t previous = r->o0_cost;
  for (size_t i = 1; i <= r->best_actions.size(); ++i) {
    const int64_t cost = Replay(b, {r->best_actions.begin(), r->best_actions.begin() + i});
    EXPECT_LT(cost, previous) << FormatActionList(r->best_actions) << " at " << i;
    previous = cost;
  }
  // Greedy tried every action but stop at every depth it reached.
  EXPECT_GE(r->steps, static_cast<int64_t>(r->best_actions.size()) * (kNumActions - 1));
}

TEST(SearchTest, StopsAtTheBudgetOfAnInjectedClock) {
  const Benchmark b = testing::BundledBenchmarks(1)[0];
  auto env = MakeEnv();
  SearchOptions options;
  options.budget_seconds = 10;
  options.episode_length = 5;
  double now = 0;
  options.clock = [&now] { return now += 1.0; };  // every look at the clock costs a second
  auto r = RandomSearch(*env, b, options);
  ASSERT_TRUE(r.ok());
  EXPECT_LE(r->episodes, 10);
  EXPECT_GE(r->episodes, 8);
}

TEST(SearchTest, RejectsBadOptions) {
  const Benchmark b = testing::BundledBenchmarks(1)[0];
  auto env = MakeEnv();
  SearchOptions options;
  options.budget_seconds = 0;
  auto r = RandomSearch(*env, b, options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("budget"), absl::string_view::npos);
  options.budget_seconds = 1;
  options.episode_length = 0;
  EXPECT_FALSE(GreedySearch(*env, b, options).ok());
}

}  // namespace
}  // namespace passrl::envs
