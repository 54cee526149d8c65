#include "sweep/slurm_launcher.h"

#include <chrono>
#include <filesystem>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/clock.h"
#include "common/durable_file.h"
#include "common/file_cache.h"
#include "common/status_macros.h"
#include "common/subprocess.h"
#include "nlohmann/json.hpp"

namespace passrl::sweep {
namespace {

std::string Key(const Job& job) { return absl::StrCat(job.trial, "/", job.rung); }

}  // namespace

SlurmLauncher::SlurmLauncher(SlurmLauncherOptions options, SweepDir dir)
    : options_(std::move(options)), dir_(std::move(dir)) {
  std::string text;
  if (!ReadFileToString(SlurmDir() + "/submitted.json", &text).ok()) return;
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return;
  for (const auto& [key, id] : doc.items()) {
    std::pair<std::string, std::string> parts = absl::StrSplit(key, '/');
    Job job;
    if (id.is_string() && absl::SimpleAtoi(parts.first, &job.trial) &&
        absl::SimpleAtoi(parts.second, &job.rung)) {
      submitted_[job] = id.get<std::string>();
    }
  }
}

absl::Status SlurmLauncher::SaveSubmitted() const {
  nlohmann::json doc = nlohmann::json::object();
  for (const auto& [job, id] : submitted_) doc[Key(job)] = id;
  return ReplaceFileDurably(SlurmDir() + "/submitted.json", doc.dump(1));
}

std::string SlurmLauncher::LogOf(const Job& job) const {
  auto it = submitted_.find(job);
  return it == submitted_.end() ? dir_.LogPath(job.trial)
                                : absl::StrCat(SlurmDir(), "/", it->second, ".out");
}

absl::Status SlurmLauncher::Start(const std::vector<Job>& jobs) {
  std::filesystem::create_directories(SlurmDir());
  int batch = 0;
  while (std::filesystem::exists(absl::StrCat(SlurmDir(), "/array-", batch, ".tsv"))) ++batch;
  std::string tsv;
  for (const Job& job : jobs) {
    absl::StrAppend(&tsv, job.trial, "\t", job.rung, "\t", options_.durations[job.rung], "\n");
  }
  PASSRL_RETURN_IF_ERROR(
      ReplaceFileDurably(absl::StrCat(SlurmDir(), "/array-", batch, ".tsv"), tsv));
  PASSRL_RETURN_IF_ERROR(ReplaceFileDurably(SlurmDir() + "/job_args",
                                            absl::StrJoin(options_.job_args, "\n") + "\n"));
  std::vector<std::string> argv = {"sbatch", "--parsable",
                                   absl::StrCat("--array=0-", jobs.size() - 1),
                                   absl::StrCat("--output=", SlurmDir(), "/%A_%a.out")};
  argv.insert(argv.end(), options_.sbatch_args.begin(), options_.sbatch_args.end());
  argv.insert(argv.end(), {options_.script, dir_.root(), std::to_string(batch)});
  SubprocessOptions o;
  o.timeout_seconds = 120;
  PASSRL_ASSIGN_OR_RETURN(SubprocessResult r, RunSubprocess(argv, o));
  if (!r.ok()) {
    return absl::UnavailableError(
        absl::StrCat("sbatch: ", r.Describe(), ": ", r.err.substr(0, 300), r.out.substr(0, 300)));
  }
  const std::string id(absl::StripAsciiWhitespace(r.out.substr(0, r.out.find(';'))));
  if (id.empty()) return absl::UnavailableError("sbatch printed no job id");
  for (size_t i = 0; i < jobs.size(); ++i) {
    submitted_[jobs[i]] = absl::StrCat(id, "_", i);
    running_.insert(jobs[i]);
  }
  return SaveSubmitted();
}

absl::StatusOr<std::set<std::string>> SlurmLauncher::Alive() const {
  std::set<std::string> arrays;
  for (const Job& job : running_) arrays.insert(submitted_.at(job).substr(0, submitted_.at(job).find('_')));
  std::set<std::string> alive;
  if (arrays.empty()) return alive;
  SubprocessOptions o;
  o.timeout_seconds = 60;
  PASSRL_ASSIGN_OR_RETURN(
      SubprocessResult r,
      RunSubprocess({"squeue", "-h", "-r", "-o", "%i", "-j", absl::StrJoin(arrays, ",")}, o));
  // squeue fails for ids it no longer knows at all: then none of them is alive.
  if (!r.ok() && r.err.find("Invalid job id") == std::string::npos) {
    return absl::UnavailableError(absl::StrCat("squeue: ", r.Describe(), ": ", r.err.substr(0, 200)));
  }
  for (absl::string_view line : absl::StrSplit(r.out, '\n', absl::SkipWhitespace())) {
    alive.insert(std::string(absl::StripAsciiWhitespace(line)));
  }
  return alive;
}

std::vector<Job> SlurmLauncher::Wait(double seconds) {
  const double wait = std::min(seconds, std::max(0.0, last_poll_ + options_.poll_seconds -
                                                          MonotonicSeconds()));
  std::this_thread::sleep_for(std::chrono::duration<double>(wait));
  if (MonotonicSeconds() < last_poll_ + options_.poll_seconds) return {};
  last_poll_ = MonotonicSeconds();
  auto alive = Alive();
  std::vector<Job> ended;
  for (const Job& job : running_) {
    const bool missing = alive.ok() && !alive->count(submitted_.at(job));
    if (std::filesystem::exists(dir_.ResultPath(job)) || (missing && missing_once_.count(job))) {
      ended.push_back(job);
    } else if (missing) {
      missing_once_.insert(job);
    } else {
      missing_once_.erase(job);
    }
  }
  for (const Job& job : ended) {
    running_.erase(job);
    missing_once_.erase(job);
  }
  return ended;
}

int SlurmLauncher::SubmittedWithoutResult() const {
  int n = 0;
  for (const auto& [job, id] : submitted_) n += !std::filesystem::exists(dir_.ResultPath(job));
  return n;
}

std::set<Job> SlurmLauncher::StillRunning() {
  for (const auto& [job, id] : submitted_) {
    if (!std::filesystem::exists(dir_.ResultPath(job))) running_.insert(job);
  }
  auto alive = Alive();
  std::set<Job> out;
  for (auto it = running_.begin(); it != running_.end();) {
    if (alive.ok() && !alive->count(submitted_.at(*it))) {
      it = running_.erase(it);  // gone without a result: the driver runs it again
    } else {
      out.insert(*it++);
    }
  }
  return out;
}

}  // namespace passrl::sweep
