// passrl sweep: searches training configs (sweep/spec.h) with successive halving, each trial a
// real training run scored on the validation split; locally or as Slurm job arrays. Writes the
// ranked table (terminal, results.csv, results.json), score_vs_time.svg and best.yaml to the
// sweep directory.
//   passrl sweep --spec cluster_configs/sweeps/ir_count.yaml --out sweeps/ir1
//   passrl sweep --resume sweeps/ir1                   (after an interruption; nothing finished reruns)
//   passrl sweep --spec ... --out ... --slurm          (job arrays: cluster_configs/slurm/sweep.sbatch)
//   passrl sweep --report sweeps/ir1                   (the table and files, running nothing)
// passrl sweep-score (hidden): what a Slurm array task runs after training its trial.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/clock.h"
#include "common/durable_file.h"
#include "common/file_cache.h"
#include "common/host.h"
#include "common/status_macros.h"
#include "launch/commands.h"
#include "launch/config.h"
#include "envs/dataset.h"
#include "envs/split.h"
#include "sweep/driver.h"
#include "sweep/local_launcher.h"
#include "sweep/report.h"
#include "sweep/slurm_launcher.h"
#include "sweep/sweep_dir.h"
#include "sweep/trial_job.h"
#include "yaml-cpp/yaml.h"

namespace passrl::launch {
namespace {

struct SweepFlags {
  envs::DatasetOptions dataset;
  std::string spec, out, resume, report, script = "cluster_configs/slurm/sweep.sbatch";
  bool slurm = false, local = false;
  // sweep-score
  std::string dir;
  int trial = -1, rung = -1;
  double started = 0;
};

// Trials train without the learning curve (the sweep scores them itself) unless the spec says.
constexpr const char* kTrialDefaults[] = {"validation.every_seconds=0"};

// The scoring split must hold programs (bundled, say, is all train).
absl::Status CheckScoreSplit(const sweep::SweepSpec& spec, const envs::DatasetOptions& options) {
  PASSRL_ASSIGN_OR_RETURN(auto dataset, envs::OpenDataset(spec.score.dataset, options));
  PASSRL_ASSIGN_OR_RETURN(envs::Split split, envs::ParseSplit(spec.score.split));
  const std::vector<std::string> names = dataset->BenchmarkNames(split);
  for (const std::string& b : spec.score.benchmarks) {
    if (std::find(names.begin(), names.end(), b) == names.end()) {
      return absl::InvalidArgumentError(absl::StrCat(spec.where, ": score.benchmarks: '", b,
                                                     "' is not in ", spec.score.dataset, " split ",
                                                     spec.score.split));
    }
  }
  if (names.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        spec.where, ": score: ", spec.score.dataset, " has no ", spec.score.split,
        " programs to score trials on (set score.dataset, e.g. csmith or debian)"));
  }
  return absl::OkStatus();
}

absl::Status CheckOverrides(const std::string& base, const std::vector<std::string>& overrides) {
  return LoadTrainConfig(base, overrides).status();
}

// The spec of a new sweep (--spec) or of the sweep in `dir` (its copy), with score.dataset filled
// in from the base config when the spec leaves it empty; `text` (optional) gets the file's text.
absl::StatusOr<sweep::SweepSpec> LoadSpec(const std::string& path, std::string* text = nullptr) {
  std::string read;
  if (text == nullptr) text = &read;
  PASSRL_RETURN_IF_ERROR(ReadFileToString(path, text));
  PASSRL_ASSIGN_OR_RETURN(sweep::SweepSpec spec, sweep::ParseSweepSpec(path, *text, CheckOverrides));
  if (spec.score.dataset.empty()) {
    PASSRL_ASSIGN_OR_RETURN(TrainConfig base, LoadTrainConfig(spec.base_config));
    spec.score.dataset = base.ValidationDataset();
  }
  return spec;
}

std::vector<std::string> TrialOverrides(const sweep::SweepSpec& spec,
                                        const sweep::TrialConfig& trial) {
  std::vector<std::string> all(std::begin(kTrialDefaults), std::end(kTrialDefaults));
  all.insert(all.end(), spec.fixed.begin(), spec.fixed.end());
  all.insert(all.end(), trial.overrides.begin(), trial.overrides.end());
  return all;
}

// A new sweep's directory: the spec's copy (base_config made absolute), the drawn trials and each
// trial's training config.
absl::Status CreateSweep(const SweepFlags& flags, const sweep::SweepDir& dir,
                         sweep::SweepSpec& spec, std::vector<sweep::TrialConfig>& trials) {
  if (std::filesystem::exists(dir.SpecPath())) {
    return absl::AlreadyExistsError(absl::StrCat(flags.out, " holds a sweep already: `passrl sweep "
                                                 "--resume ", flags.out, "` continues it"));
  }
  std::string text;
  PASSRL_ASSIGN_OR_RETURN(spec, LoadSpec(flags.spec, &text));
  PASSRL_RETURN_IF_ERROR(CheckScoreSplit(spec, flags.dataset));
  PASSRL_ASSIGN_OR_RETURN(trials, sweep::DrawTrials(spec, CheckOverrides));
  std::filesystem::create_directories(dir.root());
  YAML::Node copy = YAML::Load(text);  // parsed once already: cannot throw
  spec.base_config = std::filesystem::absolute(spec.base_config).lexically_normal().string();
  copy["base_config"] = spec.base_config;
  YAML::Emitter e;
  e << copy;
  for (const sweep::TrialConfig& t : trials) {
    std::vector<std::string> overrides = TrialOverrides(spec, t);
    overrides.push_back(
        "run.dir=" + std::filesystem::absolute(dir.RunDir(t.id)).lexically_normal().string());
    PASSRL_ASSIGN_OR_RETURN(TrainConfig config, LoadTrainConfig(spec.base_config, overrides));
    std::filesystem::create_directories(dir.TrialDir(t.id));
    PASSRL_RETURN_IF_ERROR(ReplaceFileDurably(
        dir.ConfigPath(t.id), absl::StrCat("# sweep ", dir.root(), " trial ", t.id, ": ",
                                           absl::StrJoin(t.overrides, " "), "\n",
                                           DescribeConfig(config))));
  }
  PASSRL_RETURN_IF_ERROR(dir.SaveTrials(trials));
  // Last: a directory with spec.yaml is a complete sweep to resume.
  return ReplaceFileDurably(dir.SpecPath(), std::string(e.c_str()) + "\n");
}

// The CPUs this process may run on (a cpuset under Slurm or taskset need not start at 0).
std::vector<int> AllowedCpuList() {
  cpu_set_t set;
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    for (int c = 0; c < CPU_SETSIZE; ++c) {
      if (CPU_ISSET(c, &set)) cpus.push_back(c);
    }
  }
  if (cpus.empty()) cpus.push_back(0);
  return cpus;
}

// Which launcher runs the jobs: --slurm / --local, else the one the sweep last ran with
// (DIR/launcher). A Slurm sweep moves to this machine only once no array task can still be
// running (none submitted without a result), or a trial could run twice at once.
absl::StatusOr<bool> UseSlurm(const SweepFlags& flags, const sweep::SweepDir& dir) {
  std::string recorded;
  (void)ReadFileToString(dir.root() + "/launcher", &recorded);
  recorded = std::string(absl::StripAsciiWhitespace(recorded));
  const bool slurm = flags.slurm || (!flags.local && recorded == "slurm");
  if (!slurm && recorded == "slurm") {
    sweep::SlurmLauncher probe({}, dir);
    if (probe.SubmittedWithoutResult() > 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          dir.root(), " has Slurm array tasks without results: resume it with --slurm (or wait "
                      "until squeue lists none of them and delete ",
          dir.root(), "/slurm/submitted.json)"));
    }
  }
  PASSRL_RETURN_IF_ERROR(ReplaceFileDurably(dir.root() + "/launcher", slurm ? "slurm\n" : "local\n"));
  return slurm;
}

// One driver per sweep directory: an flock that the local trials inherit, so a driver that was
// killed keeps the sweep locked until its trials (stopping on SIGTERM) have checkpointed.
absl::Status LockSweep(const sweep::SweepDir& dir) {
  const int lock = open((dir.root() + "/.lock").c_str(), O_CREAT | O_RDWR, 0644);
  if (lock < 0) return absl::PermissionDeniedError(dir.root() + "/.lock: cannot open");
  for (int waited = 0; flock(lock, LOCK_EX | LOCK_NB) != 0; ++waited) {
    if (waited == 0) {
      std::printf("sweep %s: locked by another driver, or by the trials of one that was stopped; "
                  "waiting up to 5 minutes\n", dir.root().c_str());
      std::fflush(stdout);
    }
    if (waited >= 300) {
      return absl::FailedPreconditionError(
          absl::StrCat(dir.root(), ": another `passrl sweep` is driving this sweep"));
    }
    sleep(1);
  }
  return absl::OkStatus();
}

// The ranked table, results.csv/.json, score_vs_time.svg and best.yaml.
absl::Status Report(const sweep::SweepSpec& spec, const sweep::SweepDir& dir) {
  PASSRL_ASSIGN_OR_RETURN(std::vector<sweep::TrialConfig> trials, dir.LoadTrials());
  const std::vector<double> durations = spec.rungs.Durations();
  PASSRL_ASSIGN_OR_RETURN(std::vector<sweep::RungResult> results,
                          dir.ReadResults(static_cast<int>(trials.size()),
                                          static_cast<int>(durations.size())));
  const std::vector<sweep::RankedRow> rows = sweep::RankRows(
      trials, results, [&dir](const sweep::Job& job) { return dir.ResultError(job); });
  std::printf("\n%s", sweep::FormatTable(rows, spec.task).c_str());
  const std::string root = dir.root();
  PASSRL_RETURN_IF_ERROR(ReplaceFileDurably(root + "/results.csv", sweep::FormatCsv(rows)));
  PASSRL_RETURN_IF_ERROR(ReplaceFileDurably(
      root + "/results.json", sweep::ToJson(rows, results, spec.task).dump(1) + "\n"));
  PASSRL_RETURN_IF_ERROR(
      ReplaceFileDurably(root + "/score_vs_time.svg", sweep::PlotSvg(results, spec.task)));
  std::printf("wrote %s/results.csv, results.json, score_vs_time.svg", root.c_str());
  if (!rows.empty() && !rows[0].result.failed) {
    const sweep::RankedRow& best = rows[0];
    std::vector<std::string> overrides = spec.fixed;
    overrides.insert(overrides.end(), best.overrides.begin(), best.overrides.end());
    overrides.push_back("run.dir=runs/sweep-best");
    overrides.push_back(absl::StrCat("run.duration_seconds=", durations.back()));
    PASSRL_ASSIGN_OR_RETURN(TrainConfig config, LoadTrainConfig(spec.base_config, overrides));
    PASSRL_RETURN_IF_ERROR(ReplaceFileDurably(
        root + "/best.yaml",
        absl::StrCat("# The best config of sweep ", root, ": trial ", best.result.trial, " (",
                     absl::StrJoin(best.overrides, " "), "), validation ",
                     sweep::TaskName(spec.task), " score ", best.result.score, " at rung ",
                     best.result.rung, " (", best.result.train_seconds,
                     " s of training).\n# Train it: launch/train_local.sh --config ", root,
                     "/best.yaml\n", DescribeConfig(config))));
    std::printf(", best.yaml (trial %d)", best.result.trial);
  }
  std::printf("\n");
  return absl::OkStatus();
}

std::atomic<sweep::SweepDriver*> g_driver{nullptr};
void StopSweep(int) {
  if (sweep::SweepDriver* driver = g_driver.load()) driver->RequestStop();
}

absl::Status RunSweep(const SweepFlags& flags) {
  if (!flags.report.empty()) {
    const sweep::SweepDir dir(flags.report);
    PASSRL_ASSIGN_OR_RETURN(sweep::SweepSpec spec, LoadSpec(dir.SpecPath()));
    return Report(spec, dir);
  }
  if (flags.resume.empty() == (flags.spec.empty() || flags.out.empty())) {
    return absl::InvalidArgumentError(
        "give --spec SPEC --out DIR (a new sweep), --resume DIR or --report DIR");
  }
  const sweep::SweepDir dir(flags.resume.empty() ? flags.out : flags.resume);
  sweep::SweepSpec spec;
  std::vector<sweep::TrialConfig> trials;
  if (flags.resume.empty()) {
    PASSRL_RETURN_IF_ERROR(CreateSweep(flags, dir, spec, trials));
  } else {
    if (!std::filesystem::exists(dir.SpecPath())) {
      return absl::NotFoundError(absl::StrCat(flags.resume, ": no sweep here (no spec.yaml)"));
    }
    PASSRL_ASSIGN_OR_RETURN(spec, LoadSpec(dir.SpecPath()));
    PASSRL_ASSIGN_OR_RETURN(trials, dir.LoadTrials());
  }
  PASSRL_RETURN_IF_ERROR(LockSweep(dir));
  PASSRL_ASSIGN_OR_RETURN(const bool slurm, UseSlurm(flags, dir));
  const std::vector<double> durations = spec.rungs.Durations();
  const sweep::PassrlCommand passrl{SelfExecutable(), flags.dataset.ChildFlags()};
  std::unique_ptr<sweep::TrialLauncher> launcher;
  if (slurm) {
    launcher = std::make_unique<sweep::SlurmLauncher>(
        sweep::SlurmLauncherOptions{flags.script, spec.slurm.sbatch_args, spec.slurm.max_running,
                                    spec.slurm.poll_seconds, durations, passrl.dataset_flags},
        dir);
  } else {
    sweep::LocalLauncherOptions local;
    local.cpus = AllowedCpuList();
    local.actors_per_trial = spec.local.actors_per_trial;
    local.concurrent = spec.local.concurrent_trials > 0
                           ? spec.local.concurrent_trials
                           : std::max(1, static_cast<int>(local.cpus.size()) /
                                                (local.actors_per_trial + 1));
    launcher = std::make_unique<sweep::LocalLauncher>(local, passrl, spec, dir);
  }
  std::printf("sweep %s: %zu trials (%s), task %s, rungs of %s s (eta %g), %d at a time %s%s\n",
              dir.root().c_str(), trials.size(), spec.strategy.c_str(), sweep::TaskName(spec.task),
              absl::StrJoin(durations, "/").c_str(), spec.rungs.eta, launcher->Capacity(),
              slurm ? "as Slurm array tasks" : "on this machine",
              spec.budget_seconds > 0 ? absl::StrCat(", budget ", spec.budget_seconds, " s").c_str()
                                      : "");
  std::fflush(stdout);
  sweep::DriverOptions options{{static_cast<int>(trials.size()),
                                static_cast<int>(durations.size()), spec.rungs.eta},
                               durations,
                               spec.budget_seconds};
  sweep::SweepDriver driver(
      options, dir, launcher.get(),
      [](const std::string& line) {
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
      },
      MonotonicSeconds);
  g_driver = &driver;
  signal(SIGINT, StopSweep);
  signal(SIGTERM, StopSweep);
  absl::Status run = driver.Run();
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  g_driver = nullptr;
  if (absl::IsCancelled(run)) {
    std::printf("sweep interrupted: %s; `passrl sweep --resume %s` continues it (finished jobs "
                "are not re-run; trials in flight resume from their checkpoints)\n",
                slurm ? "the submitted array tasks go on" : "the trials in flight are stopped",
                dir.root().c_str());
  }
  if (!run.ok() && !slurm) {
    // Not waiting hours for the local trials to end: they get SIGTERM as this process ends
    // (parent_death_signal), checkpoint, and --resume continues them.
    if (!absl::IsCancelled(run)) {
      std::fprintf(stderr, "passrl: error: %s\n", std::string(run.message()).c_str());
    }
    std::fflush(stdout);
    std::fflush(stderr);
    std::_Exit(absl::IsCancelled(run) ? 130 : 1);
  }
  PASSRL_RETURN_IF_ERROR(run);
  launcher.reset();
  return Report(spec, dir);
}

absl::Status RunSweepScore(const SweepFlags& flags) {
  const sweep::SweepDir dir(flags.dir);
  PASSRL_ASSIGN_OR_RETURN(sweep::SweepSpec spec, LoadSpec(dir.SpecPath()));
  const std::vector<double> durations = spec.rungs.Durations();
  if (flags.rung < 0 || flags.rung >= static_cast<int>(durations.size()) || flags.trial < 0) {
    return absl::InvalidArgumentError("--trial and --rung must name a job of this sweep");
  }
  const sweep::PassrlCommand passrl{SelfExecutable(), flags.dataset.ChildFlags()};
  return sweep::ScoreAndRecord(passrl, spec, dir, {flags.trial, flags.rung},
                               durations[static_cast<size_t>(flags.rung)],
                               flags.started > 0 ? flags.started : UnixSeconds());
}

}  // namespace

void AddSweepCommand(CLI::App& app) {
  auto flags = std::make_shared<SweepFlags>();
  CLI::App* cmd = app.add_subcommand(
      "sweep", "search training configs with successive halving (locally or on Slurm)");
  AddDatasetFlags(*cmd, flags->dataset);
  cmd->add_option("--spec", flags->spec, "the sweep spec (cluster_configs/sweeps/*.yaml)");
  cmd->add_option("--out", flags->out, "the new sweep's directory");
  cmd->add_option("--resume", flags->resume, "continue the sweep in this directory");
  cmd->add_option("--report", flags->report, "print and write the results of this sweep");
  cmd->add_flag("--slurm", flags->slurm,
                "run the trials as Slurm job arrays (a resumed sweep remembers it)");
  cmd->add_flag("--local", flags->local, "run the trials on this machine (the default)");
  cmd->add_option("--sbatch-script", flags->script, "with --slurm: the array job script");
  cmd->callback([flags] { CommandStatus() = RunSweep(*flags); });

  CLI::App* score = app.add_subcommand("sweep-score", "score one trial of a sweep (Slurm jobs)");
  score->group("");
  AddDatasetFlags(*score, flags->dataset);
  score->add_option("--dir", flags->dir, "the sweep directory")->required();
  score->add_option("--trial", flags->trial)->required();
  score->add_option("--rung", flags->rung)->required();
  score->add_option("--started", flags->started, "Unix time the job started");
  score->callback([flags] { CommandStatus() = RunSweepScore(*flags); });
}

}  // namespace passrl::launch
