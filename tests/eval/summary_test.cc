#include "eval/summary.h"

#include <cmath>

#include "gtest/gtest.h"

namespace passrl::eval {
namespace {

TEST(SummaryTest, GeomeanOfKnownRatios) {
  const GeomeanSummary s = SummarizeRatios({1.0, 4.0, 2.0});
  EXPECT_EQ(s.n, 3);
  EXPECT_NEAR(s.geomean, 2.0, 1e-12);
}

// With two benchmarks the bootstrap distribution is known exactly: the mean of two draws is
// (1,1) -> 1, (1,4)/(4,1) -> 2, (4,4) -> 4 with probabilities 1/4, 1/2, 1/4, so the 2.5% and
// 97.5% percentiles are 1 and 4.
TEST(SummaryTest, BootstrapIntervalOfTwoBenchmarksIsExact) {
  const GeomeanSummary s = SummarizeRatios({1.0, 4.0});
  EXPECT_NEAR(s.geomean, 2.0, 1e-12);
  EXPECT_NEAR(s.low, 1.0, 1e-12);
  EXPECT_NEAR(s.high, 4.0, 1e-12);
}

TEST(SummaryTest, IdenticalRatiosHaveNoSpreadAndMoreBenchmarksNarrowTheInterval) {
  const GeomeanSummary same = SummarizeRatios(std::vector<double>(20, 1.1));
  EXPECT_NEAR(same.low, 1.1, 1e-12);
  EXPECT_NEAR(same.high, 1.1, 1e-12);
  std::vector<double> few, many;
  for (int i = 0; i < 400; ++i) {
    const double r = 0.8 + 0.4 * ((i * 37) % 101) / 100.0;
    if (i < 10) few.push_back(r);
    many.push_back(r);
  }
  const GeomeanSummary a = SummarizeRatios(few), b = SummarizeRatios(many);
  EXPECT_LT(b.high - b.low, a.high - a.low);
  EXPECT_LE(b.low, b.geomean);
  EXPECT_GE(b.high, b.geomean);
}

TEST(SummaryTest, DeterministicForASeedAndEmptyIsNaN) {
  const std::vector<double> r = {0.9, 1.2, 1.05, 0.7, 1.3};
  EXPECT_EQ(SummarizeRatios(r, 500, 3).low, SummarizeRatios(r, 500, 3).low);
  EXPECT_TRUE(std::isnan(SummarizeRatios({}).geomean));
}

}  // namespace
}  // namespace passrl::eval
