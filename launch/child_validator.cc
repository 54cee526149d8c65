#include "launch/child_validator.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/file_cache.h"
#include "common/host.h"
#include "common/status_macros.h"
#include "common/subprocess.h"
#include "nlohmann/json.hpp"

namespace passrl::launch {

absl::Status ValidationOptions::Validate() const {
  if (!(every_seconds >= 0)) return absl::InvalidArgumentError("validation.every_seconds must be >= 0");
  if (sample < 1) return absl::InvalidArgumentError("validation.sample must be >= 1");
  if (!(timeout_seconds > 0))
    return absl::InvalidArgumentError("validation.timeout_seconds must be > 0");
  return absl::OkStatus();
}

absl::StatusOr<double> ChildValidator::Score(const std::string& policy_file) {
  const bool mlir = options_.compiler == envs::Compiler::kMlir;
  const std::string json = scratch_ + "/validation.json";
  std::vector<std::string> argv = {SelfExecutable(), mlir ? "eval" : "optimize", "--policy", policy_file,
                                   "--dataset", options_.dataset, "--split", options_.split,
                                   "--sample", std::to_string(options_.sample), "--json", json};
  const std::vector<std::string> greedy_only =
      mlir ? std::vector<std::string>{"--rollouts", "1"} : std::vector<std::string>{"--compilations", "1", "--no-library"};
  argv.insert(argv.end(), greedy_only.begin(), greedy_only.end());
  if (mlir) argv.insert(argv.end(), {"--run", scratch_});  // eval reads the run's config beside the policy
  for (const std::string& flag : dataset_.ChildFlags()) argv.push_back(flag);
  SubprocessOptions o;
  o.timeout_seconds = options_.timeout_seconds;
  PASSRL_ASSIGN_OR_RETURN(SubprocessResult r, RunSubprocess(argv, o));
  if (!r.ok()) {
    return absl::InternalError(
        absl::StrCat("the validation child: ", r.Describe(), ": ", r.err.substr(0, 300)));
  }
  std::string text;
  PASSRL_RETURN_IF_ERROR(ReadFileToString(json, &text));
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  // optimize: {"rows": [{ir_oz, greedy_ir}]}; MLIR eval: [{reference, greedy}].
  const nlohmann::json* rows = mlir ? &doc : (doc.is_object() && doc.contains("rows") ? &doc["rows"] : nullptr);
  if (doc.is_discarded() || rows == nullptr || !rows->is_array()) {
    return absl::DataLossError(json + ": not the " + (mlir ? "eval" : "optimize") + " JSON");
  }
  const char* baseline = mlir ? "reference" : "ir_oz";
  const char* greedy = mlir ? "greedy" : "greedy_ir";
  double log_sum = 0;
  int n = 0;
  for (const nlohmann::json& row : *rows) {
    if (!row.contains(greedy) || !row.contains(baseline) || row[greedy].get<int64_t>() <= 0) continue;
    log_sum += std::log(row[baseline].get<double>() / row[greedy].get<double>());
    ++n;
  }
  if (n == 0) return absl::InternalError("validation: no program evaluated");
  return std::exp(log_sum / n);
}

}  // namespace passrl::launch
