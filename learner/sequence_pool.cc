#include "learner/sequence_pool.h"

#include "absl/strings/str_cat.h"
#include "envs/action_space.h"
#include "nlohmann/json.hpp"

namespace passrl::learner {

bool SequencePool::Offer(const std::string& benchmark, double ratio_vs_oz,
                         std::vector<int> actions) {
  MutexLock lock(&mu_);
  auto [it, inserted] = best_.try_emplace(benchmark);
  PooledSequence& best = it->second;
  const bool better = inserted || ratio_vs_oz > best.ratio_vs_oz ||
                      (ratio_vs_oz == best.ratio_vs_oz && actions.size() < best.actions.size());
  if (better) best = {ratio_vs_oz, std::move(actions)};
  return better;
}

std::map<std::string, PooledSequence> SequencePool::Snapshot() const {
  MutexLock lock(&mu_);
  return best_;
}

size_t SequencePool::size() const {
  MutexLock lock(&mu_);
  return best_.size();
}

std::string SequencePool::ToJson() const {
  nlohmann::json benchmarks = nlohmann::json::object();
  for (const auto& [name, seq] : Snapshot()) {
    benchmarks[name] = {{"ratio_vs_oz", seq.ratio_vs_oz},
                        {"actions", envs::FormatActionList(seq.actions)}};
  }
  return nlohmann::json{{"benchmarks", benchmarks}}.dump(1);
}

absl::Status SequencePool::MergeJson(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("benchmarks") ||
      !j["benchmarks"].is_object()) {
    return absl::DataLossError("sequence pool: not a {\"benchmarks\": {...}} JSON object");
  }
  for (const auto& [name, entry] : j["benchmarks"].items()) {
    if (!entry.is_object() || !entry.value("ratio_vs_oz", nlohmann::json()).is_number() ||
        !entry.value("actions", nlohmann::json()).is_string()) {
      return absl::DataLossError(absl::StrCat("sequence pool: bad entry for ", name));
    }
    auto actions = envs::ParseActionList(entry["actions"].get<std::string>());
    if (!actions.ok()) {
      return absl::Status(actions.status().code(),
                          absl::StrCat("sequence pool, ", name, ": ", actions.status().message()));
    }
    Offer(name, entry["ratio_vs_oz"].get<double>(), *std::move(actions));
  }
  return absl::OkStatus();
}

}  // namespace passrl::learner
