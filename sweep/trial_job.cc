#include "sweep/trial_job.h"

#include <signal.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/file_cache.h"
#include "common/status_macros.h"
#include "common/subprocess.h"
#include "nlohmann/json.hpp"

namespace passrl::sweep {

std::vector<std::string> TrainArgs(const PassrlCommand& passrl, const SweepDir& dir,
                                   const Job& job, double duration) {
  std::vector<std::string> argv = {passrl.binary, "train"};
  const std::string run = dir.RunDir(job.trial);
  if (std::filesystem::exists(run + "/checkpoints/latest")) {
    argv.insert(argv.end(), {"--resume", run});
  } else {
    argv.insert(argv.end(), {"--config", dir.ConfigPath(job.trial)});
  }
  argv.insert(argv.end(), {"--set", absl::StrCat("run.duration_seconds=", duration)});
  argv.insert(argv.end(), passrl.dataset_flags.begin(), passrl.dataset_flags.end());
  return argv;
}

std::vector<std::string> ScoreArgs(const PassrlCommand& passrl, const SweepSpec& spec,
                                   const std::string& run_dir, const std::string& json_path) {
  std::vector<std::string> argv = {passrl.binary, "eval", "--run", run_dir, "--split",
                                   spec.score.split, "--sample", std::to_string(spec.score.sample),
                                   "--no-baselines", "--json", json_path};
  argv.insert(argv.end(), {"--dataset", spec.score.dataset});
  for (const std::string& b : spec.score.benchmarks) argv.insert(argv.end(), {"-b", b});
  if (spec.task == Task::kRuntime) argv.push_back("--runtime");
  argv.insert(argv.end(), passrl.dataset_flags.begin(), passrl.dataset_flags.end());
  return argv;
}

absl::StatusOr<double> ReadScore(Task task, const std::string& json_path) {
  std::string text;
  PASSRL_RETURN_IF_ERROR(ReadFileToString(json_path, &text));
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.contains("geomean") || !doc["geomean"].contains("greedy")) {
    return absl::DataLossError(json_path + ": not an eval JSON with a greedy geomean");
  }
  const nlohmann::json& g = doc["geomean"]["greedy"];
  if (g.value("failed", 0) > 0) {
    return absl::InternalError(absl::StrCat(g["failed"].get<int>(),
                                            " validation programs failed (see the job log)"));
  }
  if (task == Task::kRuntime && g.value("behaviour_differs", 0) > 0) {
    return absl::InternalError(absl::StrCat(g["behaviour_differs"].get<int>(),
                                            " validation programs miscompiled by the policy"));
  }
  const char* key = task == Task::kIr     ? "ir_ratio_vs_oz"
                    : task == Task::kText ? "text_ratio_vs_oz"
                                          : "runtime_ratio_vs_o3";
  if (!g.contains(key) || !g[key].is_number()) {
    return absl::InternalError(absl::StrCat(json_path, ": no ", key,
                                            task == Task::kRuntime
                                                ? " (no runnable validation program?)"
                                                : ""));
  }
  return g[key].get<double>();
}

absl::Status ScoreAndRecord(const PassrlCommand& passrl, const SweepSpec& spec,
                            const SweepDir& dir, const Job& job, double train_seconds,
                            double started) {
  const std::string json = absl::StrCat(dir.TrialDir(job.trial), "/eval-rung-", job.rung, ".json");
  std::filesystem::remove(json);
  SubprocessOptions o;
  o.timeout_seconds = spec.score.timeout_seconds;
  o.output_file = dir.LogPath(job.trial);
  o.parent_death_signal = SIGTERM;
  absl::StatusOr<double> score = absl::UnknownError("not scored");
  const std::string policy = dir.RunDir(job.trial) + "/policy.pb";
  if (!std::filesystem::exists(policy)) {
    score = absl::NotFoundError(policy + " missing: the training did not finish");
  } else {
    auto r = RunSubprocess(ScoreArgs(passrl, spec, dir.RunDir(job.trial), json), o);
    if (!r.ok()) {
      score = r.status();
    } else if (!r->ok()) {
      score = absl::InternalError(absl::StrCat("passrl eval: ", r->Describe(), " (see ",
                                               dir.LogPath(job.trial), ")"));
    } else {
      score = ReadScore(spec.task, json);
    }
  }
  RungResult result{job.trial, job.rung, score.ok() ? *score : 0.0, !score.ok(), train_seconds,
                    UnixSeconds() - started};
  return dir.WriteResult(result, score.ok() ? "" : std::string(score.status().message()));
}

}  // namespace passrl::sweep
