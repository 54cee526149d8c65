#include "actors/guided_search.h"

#include "envs/action_space.h"
#include "gtest/gtest.h"

namespace passrl::actors {
namespace {

// Prefers action 3, then 7, then 1, then 5; everything else has probability 0.
class RankedPolicy : public Policy {
 public:
  int Act(absl::Span<const float>) override { return 3; }
  std::vector<float> Probabilities(absl::Span<const float>) override {
    std::vector<float> p(envs::kNumActions, 0.f);
    p[3] = 0.4f;
    p[7] = 0.3f;
    p[1] = 0.2f;
    p[5] = 0.1f;
    return p;
  }
  absl::Status SetWeights(uint64_t, absl::Span<const float>) override { return absl::OkStatus(); }
  uint64_t version() const override { return 0; }
  int64_t parameter_count() const override { return 0; }
};

TEST(GreedyWithoutNoOpsTest, AnActionThatChangedNothingIsNotChosenAgainInThatState) {
  RankedPolicy policy;
  GreedyWithoutNoOps greedy(/*patience=*/3);
  const std::vector<float> features(4, 0.f);
  const std::vector<int64_t> a = {1, 2}, b = {1, 1};
  EXPECT_EQ(greedy.Next(policy, a, features), 3);
  EXPECT_EQ(greedy.Next(policy, a, features), 7);  // 3 changed nothing: the next best
  EXPECT_EQ(greedy.Next(policy, b, features), 3);  // a new state: all allowed again
  EXPECT_EQ(greedy.Next(policy, b, features), 7);
  EXPECT_EQ(greedy.Next(policy, b, features), 1);
  EXPECT_EQ(greedy.Next(policy, b, features), -1);  // three no-ops in a row: the rollout ends
}

TEST(GreedyWithoutNoOpsTest, StopEndsTheRollout) {
  class StopPolicy : public RankedPolicy {
    std::vector<float> Probabilities(absl::Span<const float>) override {
      std::vector<float> p(envs::kNumActions, 0.f);
      p[envs::StopAction()] = 1.f;
      return p;
    }
  } policy;
  GreedyWithoutNoOps greedy;
  EXPECT_EQ(greedy.Next(policy, {1}, std::vector<float>(4, 0.f)), -1);
}

}  // namespace
}  // namespace passrl::actors
