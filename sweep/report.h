// A sweep's results for people and programs: the ranked table (terminal), the same rows as CSV
// and JSON, and an SVG plot of each trial's validation score against its training time (one line
// per trial through its rungs). Pure functions of the trials and their results.
#pragma once

#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "sweep/asha.h"
#include "sweep/spec.h"

namespace passrl::sweep {

struct RankedRow {
  int rank = 0;  // 1 = best
  RungResult result;  // at the trial's highest finished rung
  std::string error;  // failed results: why
  std::vector<std::string> overrides;
};

// Ranked rows (Rank()) with each trial's overrides; errors from `error_of`.
std::vector<RankedRow> RankRows(const std::vector<TrialConfig>& trials,
                                const std::vector<RungResult>& results,
                                const std::function<std::string(const Job&)>& error_of);

std::string FormatTable(const std::vector<RankedRow>& rows, Task task);
std::string FormatCsv(const std::vector<RankedRow>& rows);
nlohmann::json ToJson(const std::vector<RankedRow>& rows, const std::vector<RungResult>& results,
                      Task task);
// Score vs training time; the best trial drawn bold.
std::string PlotSvg(const std::vector<RungResult>& results, Task task);

}  // namespace passrl::sweep
