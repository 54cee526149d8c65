#include "sweep/report.h"

#include "gtest/gtest.h"

namespace passrl::sweep {
namespace {

const std::vector<TrialConfig> kTrials = {{0, {"sac.gamma=0.9"}},
                                          {1, {"sac.gamma=0.99", "env.reward=\"a,b\""}},
                                          {2, {"sac.gamma=0.5"}}};
const std::vector<RungResult> kResults = {{0, 0, 0.8, false, 100, 120},
                                          {1, 0, 0.9, false, 100, 120},
                                          {1, 1, 0.95, false, 300, 220},
                                          {2, 0, 0, true, 100, 20}};

std::vector<RankedRow> Rows() {
  return RankRows(kTrials, kResults, [](const Job& j) { return "boom " + std::to_string(j.trial); });
}

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(SweepReportTest, RowsCarryRankOverridesAndErrors) {
  const std::vector<RankedRow> rows = Rows();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].rank, 1);
  EXPECT_EQ(rows[0].result.trial, 1);
  EXPECT_EQ(rows[0].overrides, kTrials[1].overrides);
  EXPECT_EQ(rows[2].result.trial, 2);
  EXPECT_EQ(rows[2].error, "boom 2");
  EXPECT_TRUE(rows[1].error.empty());
  const std::string table = FormatTable(rows, Task::kIr);
  EXPECT_NE(table.find("IR vs -Oz"), std::string::npos);
  EXPECT_NE(table.find("0.9500x"), std::string::npos) << table;
  EXPECT_NE(table.find("FAILED"), std::string::npos);
  EXPECT_NE(table.find("boom 2"), std::string::npos);
}

TEST(SweepReportTest, CsvQuotesAndJsonHoldsEveryRung) {
  const std::string csv = FormatCsv(Rows());
  EXPECT_EQ(Count(csv, "\n"), 4);
  EXPECT_NE(csv.find("1,1,1,300,0.950000,\"\",\"sac.gamma=0.99 env.reward=\"\"a,b\"\"\"\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("3,2,0,100,,\"boom 2\","), std::string::npos) << csv;
  const nlohmann::json doc = ToJson(Rows(), kResults, Task::kText);
  EXPECT_EQ(doc["task"], "text");
  EXPECT_EQ(doc["ranked"].size(), 3u);
  EXPECT_EQ(doc["results"].size(), 4u);
  EXPECT_EQ(doc["ranked"][2]["error"], "boom 2");
  EXPECT_FALSE(doc["ranked"][2].contains("score"));
}

TEST(SweepReportTest, PlotHasALinePerScoredTrialAndTheBestBold) {
  const std::string svg = PlotSvg(kResults, Task::kIr);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(Count(svg, "<polyline"), 2);  // the failed trial has no point
  EXPECT_EQ(Count(svg, "<circle"), 3);
  EXPECT_EQ(Count(svg, "stroke-width=\"3\""), 1);
  EXPECT_NE(svg.find("<title>trial 1 rung 1: 0.9500</title>"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(PlotSvg({}, Task::kIr).find("</svg>"), std::string::npos);
}

}  // namespace
}  // namespace passrl::sweep
