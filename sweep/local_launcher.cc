#include "sweep/local_launcher.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/check.h"
#include "common/clock.h"
#include "common/subprocess.h"

namespace passrl::sweep {

LocalLauncher::LocalLauncher(LocalLauncherOptions options, PassrlCommand passrl, SweepSpec spec,
                             SweepDir dir)
    : options_(options),
      passrl_(std::move(passrl)),
      spec_(std::move(spec)),
      dir_(std::move(dir)),
      durations_(spec_.rungs.Durations()),
      slot_busy_(static_cast<size_t>(options.concurrent), false) {
  PASSRL_CHECK(options_.concurrent >= 1);
  threads_.resize(static_cast<size_t>(options_.concurrent));
}

LocalLauncher::~LocalLauncher() {
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

std::vector<std::string> LocalLauncher::TrainCommand(const Job& job, int slot) const {
  std::vector<std::string> argv;
  const int per_job = options_.actors_per_trial + 1;
  if (options_.concurrent > 1 &&
      static_cast<int>(options_.cpus.size()) >= per_job * options_.concurrent) {
    // Each job its own CPUs: the actors pin inside the affinity mask they inherit.
    const auto first = options_.cpus.begin() + slot * per_job;
    argv = {"taskset", "-c", absl::StrJoin(first, first + per_job, ",")};
  }
  argv.insert(argv.end(), {"mpirun", "--oversubscribe", "--bind-to", "none", "--enable-recovery"});
  if (getuid() == 0) argv.push_back("--allow-run-as-root");
  argv.insert(argv.end(), {"-np", std::to_string(per_job)});
  for (const std::string& a : TrainArgs(passrl_, dir_, job, durations_[job.rung])) argv.push_back(a);
  return argv;
}

absl::Status LocalLauncher::Start(const std::vector<Job>& jobs) {
  for (const Job& job : jobs) {
    int slot = -1;
    {
      MutexLock lock(&mu_);
      for (size_t s = 0; s < slot_busy_.size() && slot < 0; ++s) {
        if (!slot_busy_[s]) slot = static_cast<int>(s);
      }
      if (slot < 0) return absl::ResourceExhaustedError("every local slot is busy");
      slot_busy_[static_cast<size_t>(slot)] = true;
    }
    std::thread& thread = threads_[static_cast<size_t>(slot)];
    if (thread.joinable()) thread.join();  // the slot's last job, done
    thread = std::thread([this, job, slot] { RunJob(job, slot); });
  }
  return absl::OkStatus();
}

void LocalLauncher::RunJob(Job job, int slot) {
  const double started = UnixSeconds();
  const double duration = durations_[job.rung];
  SubprocessOptions o;
  o.output_file = dir_.LogPath(job.trial);
  o.parent_death_signal = SIGTERM;
  o.timeout_seconds = duration + options_.train_margin_seconds;
  if (FILE* log = std::fopen(o.output_file.c_str(), "a")) {
    std::fprintf(log, "=== sweep: trial %d rung %d: train to %.0f s\n", job.trial, job.rung,
                 duration);
    std::fclose(log);
  }
  auto r = RunSubprocess(TrainCommand(job, slot), o);
  if (!r.ok() || !r->ok()) {
    const std::string why = r.ok() ? r->Describe() : std::string(r.status().message());
    RungResult failed{job.trial, job.rung, 0, true, duration, UnixSeconds() - started};
    (void)dir_.WriteResult(failed, absl::StrCat("training: ", why, " (see ", o.output_file, ")"));
  } else {
    (void)ScoreAndRecord(passrl_, spec_, dir_, job, duration, started);
  }
  MutexLock lock(&mu_);
  slot_busy_[static_cast<size_t>(slot)] = false;
  ended_.push_back(job);
}

std::vector<Job> LocalLauncher::Wait(double seconds) {
  const double end = MonotonicSeconds() + seconds;
  while (true) {
    {
      MutexLock lock(&mu_);
      if (!ended_.empty() || MonotonicSeconds() >= end) {
        std::vector<Job> out;
        out.swap(ended_);
        return out;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace passrl::sweep
