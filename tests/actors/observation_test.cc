#include "actors/observation.h"

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "envs/action_space.h"
#include "gtest/gtest.h"

namespace passrl::actors {
namespace {

std::vector<int64_t> Counts(int64_t base) {
  std::vector<int64_t> v(envs::kAutophaseSize);
  for (int i = 0; i < envs::kAutophaseSize; ++i) v[i] = base + i;
  return v;
}

TEST(Observation, AtResetNothingHasChangedOrBeenTaken) {
  const auto start = Counts(10);
  const std::vector<float> obs = Featurize(start, start, {}, 24);
  ASSERT_EQ(obs.size(), static_cast<size_t>(kObservationDim));
  for (int i = 0; i < envs::kAutophaseSize; ++i) {
    EXPECT_FLOAT_EQ(obs[i], std::log1p(static_cast<double>(start[i])));
    EXPECT_EQ(obs[kChangeOffset + i], 0.f);
  }
  for (int a = 0; a < envs::kNumActions; ++a) EXPECT_EQ(obs[kHistoryOffset + a], 0.f);
  EXPECT_EQ(obs[kStepOffset], 0.f);
}

TEST(Observation, ChangeIsRelativeToTheStartAndHistoryCountsActions) {
  const auto start = Counts(100), now = Counts(10);
  const int a = *envs::ActionIndex("instcombine"), b = *envs::ActionIndex("gvn");
  const std::vector<int> taken = {a, b, a, a, a, a, a};  // a six times: past the cap
  const std::vector<float> obs = Featurize(start, now, taken, 4);
  for (int i = 0; i < envs::kAutophaseSize; ++i) {
    EXPECT_NEAR(obs[kChangeOffset + i],
                std::log1p(static_cast<double>(now[i])) - std::log1p(static_cast<double>(start[i])),
                1e-5);
    EXPECT_LT(obs[kChangeOffset + i], 0.f);  // the module shrank
  }
  EXPECT_FLOAT_EQ(obs[kHistoryOffset + a], 1.f);
  EXPECT_FLOAT_EQ(obs[kHistoryOffset + b], 1.f / kHistoryCap);
  EXPECT_EQ(obs[kHistoryOffset + *envs::ActionIndex("dse")], 0.f);
  EXPECT_FLOAT_EQ(obs[kStepOffset], 1.f);  // 7 steps of a 4-step episode: capped
  EXPECT_FLOAT_EQ(Featurize(start, now, {a}, 4)[kStepOffset], 0.25f);
  EXPECT_EQ(Featurize(start, now, {a}, 4, Horizon::kBootstrap)[kStepOffset], 0.f);
}

TEST(Observation, EqualCountsReachedDifferentlyAreDifferentStates) {
  // What Autophase alone cannot tell apart: the same module reached with and without the inliner.
  const auto start = Counts(50), now = Counts(20);
  const int inliner = *envs::ActionIndex("scc-oz-module-inliner");
  const int cse = *envs::ActionIndex("early-cse");
  EXPECT_NE(Featurize(start, now, {inliner}, 24), Featurize(start, now, {cse}, 24));
  EXPECT_NE(Featurize(Counts(60), now, {cse}, 24), Featurize(start, now, {cse}, 24));
}

TEST(Observation, EveryFloatHasOneName) {
  const std::vector<std::string> names = ObservationNames();
  ASSERT_EQ(names.size(), static_cast<size_t>(kObservationDim));
  EXPECT_EQ(names[kChangeOffset].rfind("change_", 0), 0u);
  EXPECT_EQ(names[kHistoryOffset + *envs::ActionIndex("gvn")], "taken_gvn");
  EXPECT_EQ(names[kStepOffset], "episode_fraction");
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
}

}  // namespace
}  // namespace passrl::actors
