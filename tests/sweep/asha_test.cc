#include "sweep/asha.h"

#include <random>

#include "gtest/gtest.h"

namespace passrl::sweep {
namespace {

RungResult Done(int trial, int rung, double score) { return {trial, rung, score, false, 0, 0}; }

// Runs ASHA to the end with one job at a time, each trial scoring `quality[trial]` at every rung.
std::vector<RungResult> RunAll(const AshaShape& shape, const std::vector<double>& quality,
                               std::vector<Job>* order = nullptr) {
  std::vector<RungResult> done;
  while (auto job = NextJob(shape, done, {})) {
    if (order) order->push_back(*job);
    done.push_back(Done(job->trial, job->rung, quality[static_cast<size_t>(job->trial)]));
  }
  return done;
}

TEST(AshaTest, StartsTrialsInOrderThenPromotesTheBestThird) {
  const AshaShape shape{3, 2, 3};
  std::vector<Job> order;
  const std::vector<RungResult> done = RunAll(shape, {0.5, 0.9, 0.7}, &order);
  ASSERT_EQ(order.size(), 4u);
  EXPECT_EQ(order[0], (Job{0, 0}));
  EXPECT_EQ(order[1], (Job{1, 0}));
  EXPECT_EQ(order[2], (Job{2, 0}));
  EXPECT_EQ(order[3], (Job{1, 1}));  // floor(3 / 3) = 1 promotion, the best
  EXPECT_EQ(Rank(done)[0].trial, 1);
}

TEST(AshaTest, PromotesAsSoonAsATrialIsInTheTopFraction) {
  // eta 2: after two finish, the better one goes on before the third starts.
  const AshaShape shape{4, 2, 2};
  std::vector<RungResult> done = {Done(0, 0, 0.3), Done(1, 0, 0.8)};
  EXPECT_EQ(*NextJob(shape, done, {}), (Job{1, 1}));
  // While it runs, the next new trial starts.
  EXPECT_EQ(*NextJob(shape, done, {{1, 1}}), (Job{2, 0}));
  // One finished is not enough for a promotion at eta 2.
  EXPECT_EQ(*NextJob(shape, {Done(0, 0, 0.9)}, {}), (Job{1, 0}));
}

TEST(AshaTest, AUselessTrialIsNeverPromotedAndRanksLast) {
  std::mt19937 rng(3);
  for (int round = 0; round < 50; ++round) {
    const AshaShape shape{9, 3, 3};
    std::vector<double> quality(9);
    for (double& q : quality) q = std::uniform_real_distribution<double>(0.8, 1.1)(rng);
    const int useless = round % 9;
    quality[static_cast<size_t>(useless)] = 0.1;
    const std::vector<RungResult> done = RunAll(shape, quality);
    for (const RungResult& r : done) {
      if (r.trial == useless) {
        EXPECT_EQ(r.rung, 0) << "promoted in round " << round;
      }
    }
    EXPECT_EQ(Rank(done).back().trial, useless);
  }
}

TEST(AshaTest, FailedTrialsAreNotPromotedAndRankLast) {
  const AshaShape shape{2, 2, 2};
  std::vector<RungResult> done = {{0, 0, 0, true, 0, 0}, Done(1, 0, 0.2)};
  EXPECT_EQ(*NextJob(shape, done, {}), (Job{1, 1}));
  done = {{0, 0, 0, true, 0, 0}, {1, 0, 0, true, 0, 0}};
  EXPECT_FALSE(NextJob(shape, done, {}).has_value()) << "nothing to promote, nothing new";
  done = {{0, 0, 0, true, 0, 0}, Done(1, 0, 0.2), Done(1, 1, 0.3)};
  EXPECT_EQ(Rank(done)[0].trial, 1);
  EXPECT_TRUE(Rank(done)[1].failed);
  // A failure at a later rung keeps the trial's earlier score.
  done = {Done(0, 0, 0.9), {0, 1, 0, true, 0, 0}, Done(1, 0, 0.5)};
  const std::vector<RungResult> ranked = Rank(done);
  EXPECT_EQ(ranked[0].trial, 0);
  EXPECT_FALSE(ranked[0].failed);
  EXPECT_DOUBLE_EQ(ranked[0].score, 0.9);
}

TEST(AshaTest, TheDecisionDependsOnlyOnWhatIsDoneAndRunning) {
  // A resumed driver sees the same results in another order and must decide the same.
  const AshaShape shape{6, 3, 2};
  std::vector<RungResult> done = {Done(0, 0, 0.5), Done(1, 0, 0.9), Done(2, 0, 0.7),
                                  Done(3, 0, 0.6), Done(1, 1, 0.95)};
  const std::set<Job> running = {{2, 1}};
  const auto first = NextJob(shape, done, running);
  std::reverse(done.begin(), done.end());
  EXPECT_EQ(NextJob(shape, done, running), first);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, (Job{4, 0}));  // rung 1 has 1 result (< eta), trials 1 and 2 are at rung 1
}

TEST(AshaTest, RanksByHighestRungThenScore) {
  const std::vector<RungResult> done = {Done(0, 0, 0.99), Done(1, 0, 0.8), Done(1, 1, 0.85),
                                        Done(2, 0, 0.9)};
  const std::vector<RungResult> ranked = Rank(done);
  ASSERT_EQ(ranked.size(), 3u);
  EXPECT_EQ(ranked[0].trial, 1);  // reached rung 1
  EXPECT_EQ(ranked[0].rung, 1);
  EXPECT_EQ(ranked[1].trial, 0);
  EXPECT_EQ(ranked[2].trial, 2);
}

}  // namespace
}  // namespace passrl::sweep
