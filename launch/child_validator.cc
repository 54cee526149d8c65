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
  const std::string json = scratch_ + "/validation.json";
  std::vector<std::string> argv = {SelfExecutable(), "optimize",     "--policy",
                                   policy_file,      "--dataset",    options_.dataset,
                                   "--split",        options_.split, "--sample",
                                   std::to_string(options_.sample),  "--compilations",
                                   "1",              "--no-library", "--json",
                                   json};
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
  if (doc.is_discarded() || !doc.contains("rows")) {
    return absl::DataLossError(json + ": not the optimize JSON");
  }
  double log_sum = 0;
  int n = 0;
  for (const nlohmann::json& row : doc["rows"]) {
    if (!row.contains("greedy_ir") || row["greedy_ir"].get<int64_t>() <= 0) continue;
    log_sum += std::log(row["ir_oz"].get<double>() / row["greedy_ir"].get<double>());
    ++n;
  }
  if (n == 0) return absl::InternalError("validation: no program evaluated");
  return std::exp(log_sum / n);
}

}  // namespace passrl::launch
