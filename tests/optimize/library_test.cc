#include "optimize/library.h"

#include "envs/action_space.h"
#include "gtest/gtest.h"

namespace passrl::optimize {
namespace {

// Three programs. Sequence 0 is best on average but only on programs 0 and 1; sequence 1 is
// slightly worse on those and useless elsewhere; sequence 2 alone serves program 2. The cover is
// {0, 2}: 1 adds nothing once 0 is in, although its mean beats 2's.
TEST(DistillLibraryTest, PicksTheCoveringSetNotTheBestOnAverage) {
  const std::vector<std::vector<int>> candidates = {{1, 2}, {3}, {4, 5, 6}};
  const std::vector<std::vector<double>> ratio = {
      {1.10, 1.08, 0.90},
      {1.09, 1.07, 0.95},
      {0.80, 0.90, 1.05},
  };
  const SequenceLibrary lib = DistillLibrary(candidates, ratio, 10);
  ASSERT_EQ(lib.entries.size(), 2u);
  EXPECT_EQ(lib.entries[0].actions, candidates[0]);
  EXPECT_EQ(lib.entries[1].actions, candidates[2]);
  EXPECT_NEAR(lib.entries[0].added, 0.18, 1e-9);
  EXPECT_NEAR(lib.entries[1].added, 0.05, 1e-9);
  EXPECT_NEAR(lib.mean_best, (1.10 + 1.08 + 1.05) / 3, 1e-9);
  EXPECT_EQ(lib.programs, 3);
  // The size limit keeps the greedy order.
  const SequenceLibrary one = DistillLibrary(candidates, ratio, 1);
  ASSERT_EQ(one.entries.size(), 1u);
  EXPECT_EQ(one.entries[0].actions, candidates[0]);
}

TEST(DistillLibraryTest, NothingAboveOzGivesAnEmptyLibrary) {
  const SequenceLibrary lib = DistillLibrary({{1}, {2}}, {{0.9, 1.0}, {0.0, 0.5}}, 64);
  EXPECT_TRUE(lib.entries.empty());
  EXPECT_DOUBLE_EQ(lib.mean_best, 1.0);
}

TEST(SequenceLibraryTest, JsonRoundTripAndErrors) {
  SequenceLibrary lib;
  lib.programs = 7;
  lib.mean_best = 1.03;
  lib.entries.push_back({*envs::ParseActionList("sroa,gvn,stop"), 0.5});
  auto back = SequenceLibrary::FromJson(lib.ToJson());
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->entries.size(), 1u);
  EXPECT_EQ(back->entries[0].actions, lib.entries[0].actions);
  EXPECT_EQ(back->programs, 7);
  EXPECT_EQ(SequenceLibrary::FromJson("{nope").status().code(), absl::StatusCode::kDataLoss);
  auto unknown = SequenceLibrary::FromJson(R"({"sequences": [{"actions": "sroa,frobnicate"}]})");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("frobnicate"), absl::string_view::npos);
}

}  // namespace
}  // namespace passrl::optimize
