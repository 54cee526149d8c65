#include "sweep/report.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace passrl::sweep {
namespace {

const char* ScoreName(Task task) {
  switch (task) {
    case Task::kIr: return "IR vs -Oz";
    case Task::kText: return ".text vs -Oz";
    case Task::kRuntime: return "run time vs -O3";
  }
  return "score";
}

std::string CsvQuote(const std::string& s) {
  return absl::StrCat("\"", absl::StrReplaceAll(s, {{"\"", "\"\""}}), "\"");
}

}  // namespace

std::vector<RankedRow> RankRows(const std::vector<TrialConfig>& trials,
                                const std::vector<RungResult>& results,
                                const std::function<std::string(const Job&)>& error_of) {
  std::vector<RankedRow> rows;
  for (const RungResult& r : Rank(results)) {
    RankedRow row;
    row.rank = static_cast<int>(rows.size()) + 1;
    row.result = r;
    if (r.failed) row.error = error_of({r.trial, r.rung});
    for (const TrialConfig& t : trials) {
      if (t.id == r.trial) row.overrides = t.overrides;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string FormatTable(const std::vector<RankedRow>& rows, Task task) {
  std::string out = absl::StrFormat("%-4s %-6s %-4s %-9s %-14s %s\n", "rank", "trial", "rung",
                                    "trained", ScoreName(task), "config");
  for (const RankedRow& row : rows) {
    const RungResult& r = row.result;
    absl::StrAppend(&out, absl::StrFormat("%-4d t%03d   %-4d %7.0f s %-14s %s\n", row.rank, r.trial,
                                          r.rung, r.train_seconds,
                                          r.failed ? "FAILED" : absl::StrFormat("%.4fx", r.score),
                                          absl::StrJoin(row.overrides, " ")));
    if (r.failed) absl::StrAppend(&out, "                                     ", row.error, "\n");
  }
  return out;
}

std::string FormatCsv(const std::vector<RankedRow>& rows) {
  std::string out = "rank,trial,rung,train_seconds,score,error,overrides\n";
  for (const RankedRow& row : rows) {
    const RungResult& r = row.result;
    absl::StrAppend(&out, row.rank, ",", r.trial, ",", r.rung, ",", r.train_seconds, ",",
                    r.failed ? "" : absl::StrFormat("%.6f", r.score), ",", CsvQuote(row.error),
                    ",", CsvQuote(absl::StrJoin(row.overrides, " ")), "\n");
  }
  return out;
}

nlohmann::json ToJson(const std::vector<RankedRow>& rows, const std::vector<RungResult>& results,
                      Task task) {
  nlohmann::json doc = {{"task", TaskName(task)}, {"ranked", nlohmann::json::array()},
                        {"results", nlohmann::json::array()}};
  for (const RankedRow& row : rows) {
    nlohmann::json j = {{"rank", row.rank},
                        {"trial", row.result.trial},
                        {"rung", row.result.rung},
                        {"train_seconds", row.result.train_seconds},
                        {"overrides", row.overrides}};
    if (row.result.failed) {
      j["error"] = row.error;
    } else {
      j["score"] = row.result.score;
    }
    doc["ranked"].push_back(j);
  }
  for (const RungResult& r : results) {
    nlohmann::json j = {{"trial", r.trial}, {"rung", r.rung}, {"train_seconds", r.train_seconds},
                        {"wall_seconds", r.wall_seconds}};
    if (r.failed) {
      j["failed"] = true;
    } else {
      j["score"] = r.score;
    }
    doc["results"].push_back(j);
  }
  return doc;
}

std::string PlotSvg(const std::vector<RungResult>& results, Task task) {
  constexpr double kW = 720, kH = 440, kLeft = 70, kRight = 20, kTop = 30, kBottom = 50;
  std::map<int, std::vector<RungResult>> by_trial;
  double x_max = 1, y_min = INFINITY, y_max = -INFINITY;
  for (const RungResult& r : results) {
    if (r.failed) continue;
    by_trial[r.trial].push_back(r);
    x_max = std::max(x_max, r.train_seconds);
    y_min = std::min(y_min, r.score);
    y_max = std::max(y_max, r.score);
  }
  if (by_trial.empty()) y_min = 0, y_max = 1;
  if (y_max - y_min < 1e-3) y_min -= 0.01, y_max += 0.01;
  const double pad = (y_max - y_min) * 0.08;
  y_min -= pad;
  y_max += pad;
  auto X = [&](double x) { return kLeft + x / x_max * (kW - kLeft - kRight); };
  auto Y = [&](double y) { return kTop + (y_max - y) / (y_max - y_min) * (kH - kTop - kBottom); };
  const std::vector<RungResult> ranked = Rank(results);
  const int best = ranked.empty() || ranked[0].failed ? -1 : ranked[0].trial;
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" "
      "fill=\"white\"/>\n<text x=\"%.0f\" y=\"18\">validation score (%s) vs training time per "
      "trial; bold: the best</text>\n",
      kW, kH, kLeft, ScoreName(task));
  absl::StrAppend(&svg, absl::StrFormat(
                            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>"
                            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n",
                            kLeft, kH - kBottom, kW - kRight, kH - kBottom, kLeft, kTop, kLeft,
                            kH - kBottom));
  for (int i = 0; i <= 4; ++i) {
    const double y = y_min + (y_max - y_min) * i / 4, x = x_max * i / 4;
    absl::StrAppend(&svg, absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.3f"
                                          "</text>\n<text x=\"%.1f\" y=\"%.1f\" "
                                          "text-anchor=\"middle\">%.0f</text>\n",
                                          kLeft - 6, Y(y) + 4, y, X(x), kH - kBottom + 16, x));
  }
  absl::StrAppend(&svg, absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
                                        "training time (s)</text>\n",
                                        (kW + kLeft) / 2, kH - 12));
  for (auto& [trial, points] : by_trial) {
    std::sort(points.begin(), points.end(),
              [](const RungResult& a, const RungResult& b) { return a.rung < b.rung; });
    const double hue = std::fmod(trial * 137.508, 360.0);
    const std::string color = absl::StrFormat("hsl(%.0f,70%%,45%%)", hue);
    std::vector<std::string> xy;
    for (const RungResult& p : points) {
      xy.push_back(absl::StrFormat("%.1f,%.1f", X(p.train_seconds), Y(p.score)));
      absl::StrAppend(&svg, absl::StrFormat("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" "
                                            "fill=\"%s\"><title>trial %d rung %d: %.4f</title>"
                                            "</circle>\n",
                                            X(p.train_seconds), Y(p.score), color, trial, p.rung,
                                            p.score));
    }
    absl::StrAppend(&svg, absl::StrFormat("<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" "
                                          "stroke-width=\"%s\"/>\n",
                                          absl::StrJoin(xy, " "), color,
                                          trial == best ? "3" : "1"));
    const RungResult& last = points.back();
    absl::StrAppend(&svg, absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">t%d</text>\n",
                                          X(last.train_seconds) + 5, Y(last.score) - 4, trial));
  }
  absl::StrAppend(&svg, "</svg>\n");
  return svg;
}

}  // namespace passrl::sweep
