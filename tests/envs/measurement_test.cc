#include "envs/measurement.h"

#include "gtest/gtest.h"

namespace passrl::envs {
namespace {

TEST(MeasurementTest, StatsOfAKnownSample) {
  SampleStats s = ComputeStats({5, 1, 4, 2, 3});
  EXPECT_EQ(s.n, 5);
  EXPECT_DOUBLE_EQ(s.median, 3);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 5);
  EXPECT_DOUBLE_EQ(s.mean, 3);
  EXPECT_NEAR(s.stddev, 1.5811388300841898, 1e-12);  // sample stddev of 1..5
  EXPECT_NEAR(s.cv, 1.5811388300841898 / 3, 1e-12);
  // n = 5: ranks 2.5 -+ 2.19 -> 1 and 5 (the whole sample).
  EXPECT_DOUBLE_EQ(s.ci_low, 1);
  EXPECT_DOUBLE_EQ(s.ci_high, 5);
  EXPECT_NEAR(s.relative_ci, (5.0 - 1.0) / 2 / 3, 1e-12);
}

TEST(MeasurementTest, EvenSampleAndMedianInterval) {
  std::vector<double> v;
  for (int i = 1; i <= 100; ++i) v.push_back(i);
  SampleStats s = ComputeStats(v);
  EXPECT_DOUBLE_EQ(s.median, 50.5);
  // Ranks 50 -+ 9.8: 40 and 61 (1-based).
  EXPECT_DOUBLE_EQ(s.ci_low, 40);
  EXPECT_DOUBLE_EQ(s.ci_high, 61);
}

TEST(MeasurementTest, ConstantSampleHasNoSpread) {
  SampleStats s = ComputeStats({2, 2, 2, 2, 2, 2});
  EXPECT_EQ(s.stddev, 0);
  EXPECT_EQ(s.cv, 0);
  EXPECT_EQ(s.relative_ci, 0);
}

TEST(MeasurementTest, AdaptiveRuleStopsOnTightIntervalOrCap) {
  MeasureOptions o;
  o.min_runs = 5;
  o.max_runs = 8;
  o.target_relative_ci = 0.01;
  EXPECT_TRUE(NeedMoreRuns(ComputeStats({1, 1, 1}), o));                  // below min_runs
  EXPECT_FALSE(NeedMoreRuns(ComputeStats({1, 1, 1, 1, 1}), o));           // tight
  EXPECT_TRUE(NeedMoreRuns(ComputeStats({1, 2, 3, 4, 5}), o));            // wide
  EXPECT_FALSE(NeedMoreRuns(ComputeStats({1, 2, 3, 4, 5, 6, 7, 8}), o));  // cap
}

TEST(MeasurementTest, OptionsValidate) {
  MeasureOptions o;
  EXPECT_TRUE(o.Validate().ok());
  o.max_runs = 2;
  EXPECT_NE(o.Validate().message().find("max_runs"), absl::string_view::npos);
  o = MeasureOptions();
  o.target_relative_ci = 0;
  EXPECT_FALSE(o.Validate().ok());
}

}  // namespace
}  // namespace passrl::envs
