#include "sweep/sweep_dir.h"

#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/durable_file.h"
#include "common/file_cache.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace passrl::sweep {
namespace {

absl::StatusOr<nlohmann::json> ReadJson(const std::string& path) {
  std::string text;
  PASSRL_RETURN_IF_ERROR(ReadFileToString(path, &text));
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return absl::DataLossError(absl::StrCat(path, ": not valid JSON"));
  return doc;
}

}  // namespace

std::string SweepDir::TrialDir(int trial) const {
  return absl::StrFormat("%s/trials/t%03d", root_, trial);
}

std::string SweepDir::ResultPath(const Job& job) const {
  return absl::StrCat(TrialDir(job.trial), "/rung-", job.rung, ".json");
}

absl::Status SweepDir::SaveTrials(const std::vector<TrialConfig>& trials) const {
  nlohmann::json doc = nlohmann::json::array();
  for (const TrialConfig& t : trials) doc.push_back({{"id", t.id}, {"overrides", t.overrides}});
  return ReplaceFileDurably(TrialsPath(), doc.dump(1));
}

absl::StatusOr<std::vector<TrialConfig>> SweepDir::LoadTrials() const {
  PASSRL_ASSIGN_OR_RETURN(nlohmann::json doc, ReadJson(TrialsPath()));
  std::vector<TrialConfig> trials;
  try {
    for (const nlohmann::json& t : doc) {
      trials.push_back({t.at("id").get<int>(), t.at("overrides").get<std::vector<std::string>>()});
    }
  } catch (const nlohmann::json::exception&) {
    return absl::DataLossError(absl::StrCat(TrialsPath(), ": not a sweep's trial list"));
  }
  return trials;
}

absl::Status SweepDir::WriteResult(const RungResult& r, const std::string& error) const {
  nlohmann::json doc = {{"trial", r.trial},
                        {"rung", r.rung},
                        {"train_seconds", r.train_seconds},
                        {"wall_seconds", r.wall_seconds}};
  if (error.empty()) {
    doc["score"] = r.score;
  } else {
    doc["error"] = error;
  }
  return ReplaceFileDurably(ResultPath({r.trial, r.rung}), doc.dump(1) + "\n");
}

absl::StatusOr<std::vector<RungResult>> SweepDir::ReadResults(int trials, int rungs) const {
  std::vector<RungResult> out;
  for (int t = 0; t < trials; ++t) {
    for (int k = 0; k < rungs; ++k) {
      const std::string path = ResultPath({t, k});
      if (!std::filesystem::exists(path)) continue;
      PASSRL_ASSIGN_OR_RETURN(nlohmann::json doc, ReadJson(path));
      RungResult r{t, k};
      try {
        r.failed = doc.contains("error");
        if (!r.failed) r.score = doc.at("score").get<double>();
        r.train_seconds = doc.at("train_seconds").get<double>();
        r.wall_seconds = doc.at("wall_seconds").get<double>();
      } catch (const nlohmann::json::exception&) {
        return absl::DataLossError(absl::StrCat(path, ": not a sweep result (delete it to rerun)"));
      }
      out.push_back(r);
    }
  }
  return out;
}

double SweepDir::ReadDriverSeconds() const {
  std::string text;
  double seconds = 0;
  if (!ReadFileToString(root_ + "/driver_seconds", &text).ok() ||
      !absl::SimpleAtod(absl::StripAsciiWhitespace(text), &seconds) || !(seconds >= 0)) {
    return 0;
  }
  return seconds;
}

absl::Status SweepDir::WriteDriverSeconds(double seconds) const {
  return ReplaceFileDurably(root_ + "/driver_seconds", absl::StrCat(seconds, "\n"));
}

std::string SweepDir::ResultError(const Job& job) const {
  auto doc = ReadJson(ResultPath(job));
  if (!doc.ok() || !doc->contains("error")) return "";
  return (*doc)["error"].is_string() ? (*doc)["error"].get<std::string>() : "";
}

}  // namespace passrl::sweep
