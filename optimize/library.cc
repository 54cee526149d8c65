#include "optimize/library.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/check.h"
#include "envs/action_space.h"
#include "nlohmann/json.hpp"

namespace passrl::optimize {

std::string SequenceLibrary::ToJson() const {
  nlohmann::json list = nlohmann::json::array();
  for (const LibraryEntry& e : entries) {
    list.push_back({{"actions", envs::FormatActionList(e.actions)}, {"added", e.added}});
  }
  return nlohmann::json{{"programs", programs}, {"mean_best", mean_best}, {"sequences", list}}
      .dump(1);
}

absl::StatusOr<SequenceLibrary> SequenceLibrary::FromJson(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("sequences") ||
      !j["sequences"].is_array()) {
    return absl::DataLossError("sequence library: not a {\"sequences\": [...]} JSON object");
  }
  SequenceLibrary out;
  out.programs = j.value("programs", 0);
  out.mean_best = j.value("mean_best", 0.0);
  for (const nlohmann::json& e : j["sequences"]) {
    if (!e.is_object() || !e.value("actions", nlohmann::json()).is_string()) {
      return absl::DataLossError("sequence library: an entry without \"actions\"");
    }
    auto actions = envs::ParseActionList(e["actions"].get<std::string>());
    if (!actions.ok()) {
      return absl::Status(actions.status().code(),
                          absl::StrCat("sequence library: ", actions.status().message()));
    }
    out.entries.push_back({*std::move(actions), e.value("added", 0.0)});
  }
  return out;
}

SequenceLibrary DistillLibrary(const std::vector<std::vector<int>>& candidates,
                               const std::vector<std::vector<double>>& ratio, int max_size,
                               double min_gain) {
  PASSRL_CHECK(candidates.size() == ratio.size());
  const size_t programs = ratio.empty() ? 0 : ratio[0].size();
  std::vector<double> best(programs, 1.0);  // -Oz is the floor
  std::vector<bool> taken(candidates.size(), false);
  SequenceLibrary out;
  out.programs = static_cast<int>(programs);
  while (static_cast<int>(out.entries.size()) < max_size) {
    int pick = -1;
    double pick_gain = min_gain;
    for (size_t c = 0; c < candidates.size(); ++c) {
      if (taken[c]) continue;
      PASSRL_CHECK(ratio[c].size() == programs);
      double gain = 0;
      for (size_t p = 0; p < programs; ++p) gain += std::max(0.0, ratio[c][p] - best[p]);
      if (gain > pick_gain) {
        pick = static_cast<int>(c);
        pick_gain = gain;
      }
    }
    if (pick < 0) break;
    taken[pick] = true;
    for (size_t p = 0; p < programs; ++p) best[p] = std::max(best[p], ratio[pick][p]);
    out.entries.push_back({candidates[pick], pick_gain});
  }
  double sum = 0;
  for (double b : best) sum += b;
  out.mean_best = programs ? sum / static_cast<double>(programs) : 0;
  return out;
}

}  // namespace passrl::optimize
