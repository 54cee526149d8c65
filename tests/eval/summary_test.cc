#include "eval/summary.h"

#include <cmath>

#include <sstream>

#include "envs/action_space.h"
#include "eval/evaluation.h"
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

namespace passrl::eval {
namespace {

TEST(DescribeSequencesTest, CountsDistinctSequencesUsesAndThePipelineShare) {
  const std::vector<int> a = *envs::ParseActionList("scc-oz-module-inliner,instcombine");
  const std::vector<int> b = *envs::ParseActionList("sroa,instcombine,instcombine");
  // 100 -> 40 by the pipeline, -> 30 by instcombine; 100 -> 90 -> 80 -> 80 by single passes.
  const std::string s = DescribeSequences({{a, 100, {40, 30}}, {a, 100, {40, 30}}, {b, 100, {90, 80, 80}}});
  EXPECT_NE(s.find("2 distinct sequences on 3 programs; 3 actions used"), std::string::npos) << s;
  EXPECT_NE(s.find("most used: instcombine 57%"), std::string::npos) << s;  // 4 of 7
  // 120 of the 160 instructions removed came from the pipeline action.
  EXPECT_NE(s.find("give 75.0% of the instruction reduction"), std::string::npos) << s;
  // Unknown counts: no share claimed.
  EXPECT_EQ(DescribeSequences({{a, 100, {}}}).find("reduction"), std::string::npos);
}

// -Oz can delete a program's whole code (0 bytes of .text): that row has no .text ratio, and the
// report must average the others instead of aborting.
TEST(WriteReportTest, ARowWithoutTextAtOzIsLeftOutOfTheTextGeomeanOnly) {
  EvalRow a;
  a.benchmark = "csmith/1";
  a.method = "greedy";
  a.ir_o0 = 100, a.ir_oz = 50, a.ir = 40, a.text_o0 = 400, a.text_oz = 200, a.text = 100;
  EvalRow b = a;
  b.benchmark = "csmith/1048";
  b.ir_oz = 1, b.ir = 10, b.text_oz = 0, b.text = 50;
  std::stringstream json;
  WriteReport({a, b}, EvalOptions{}, nlohmann::json::object(), &json, nullptr);
  const nlohmann::json doc = nlohmann::json::parse(json.str());
  const nlohmann::json& g = doc["geomean"]["greedy"];
  EXPECT_EQ(g["ir"]["benchmarks"], 2);
  EXPECT_EQ(g["text"]["benchmarks"], 1);
  EXPECT_NEAR(g["text_ratio_vs_oz"].get<double>(), 2.0, 1e-9);
  EXPECT_NEAR(g["ir_ratio_vs_oz"].get<double>(), std::sqrt(1.25 * 0.1), 1e-9);
}

}  // namespace
}  // namespace passrl::eval
