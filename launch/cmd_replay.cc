// passrl replay export|inspect: a run's replay buffer (from its latest checkpoint, or a named one)
// as HDF5 for offline analysis, and a summary of such a file.
//   passrl replay export runs/local --out replay.h5
//   passrl replay inspect replay.h5
#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "actors/observation.h"
#include "common/clock.h"
#include "envs/action_space.h"
#include "launch/commands.h"
#include "learner/checkpoint.h"
#include "replay/hdf5_export.h"

namespace passrl::launch {
namespace {

struct ReplayFlags {
  std::string source, out;
  bool fallback = false;
};

absl::Status Export(const ReplayFlags& flags) {
  auto loaded = learner::LoadLatestCheckpoint(flags.source, flags.fallback);
  if (!loaded.ok()) return loaded.status();
  absl::StatusOr<envs::Compiler> compiler = CheckMatchesThisBuild(loaded->spaces);
  if (!compiler.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot name the actions and features of ", loaded->path, ": ", compiler.status().message()));
  }
  replay::ExportMetadata meta;
  for (const envs::ActionSpec& a : envs::SpecOf(*compiler).actions) meta.action_names.emplace_back(a.name);
  meta.feature_names = actors::ObservationNames(*compiler);
  meta.benchmark_names = loaded->benchmarks;
  meta.action_space_hash = absl::StrFormat("%016x", loaded->spaces.action_space_hash);
  meta.config_yaml = loaded->config_yaml;
  meta.source = loaded->path;
  std::printf("exporting %lld transitions from %s to %s\n",
              static_cast<long long>(loaded->replay.state.size), loaded->path.c_str(),
              flags.out.c_str());
  double last = MonotonicSeconds();
  const double start = last;
  auto stats = replay::ExportReplayToHdf5(
      loaded->replay_dir, loaded->replay, meta, flags.out, [&last](int64_t done, int64_t total) {
        if (MonotonicSeconds() - last < 2) return;
        last = MonotonicSeconds();
        std::printf("  %lld / %lld transitions\n", static_cast<long long>(done),
                    static_cast<long long>(total));
        std::fflush(stdout);
      });
  if (!stats.ok()) return stats.status();
  std::printf("wrote %s: %lld transitions, %.1f MB in %.1f s\n", flags.out.c_str(),
              static_cast<long long>(stats->transitions), stats->bytes / 1e6,
              MonotonicSeconds() - start);
  return absl::OkStatus();
}

absl::Status Inspect(const ReplayFlags& flags) {
  std::error_code ec;
  if (std::filesystem::is_directory(flags.source, ec)) {
    auto loaded = learner::LoadLatestCheckpoint(flags.source, flags.fallback);
    if (!loaded.ok()) return loaded.status();
    const auto& c = loaded->counters;
    std::printf(
        "%s (%s): %lld transitions held of %llu inserted, %zu chunk files, %zu benchmarks; "
        "%lld updates, policy version %llu, %.0f s trained, %lld resumes\n",
        loaded->path.c_str(), loaded->reason.c_str(),
        static_cast<long long>(loaded->replay.state.size),
        static_cast<unsigned long long>(c.transitions_inserted), loaded->replay.files.size(),
        loaded->benchmarks.size(), static_cast<long long>(c.updates),
        static_cast<unsigned long long>(c.policy_version), c.elapsed_seconds,
        static_cast<long long>(c.resumes));
    return absl::OkStatus();
  }
  auto summary = replay::InspectHdf5Replay(flags.source);
  if (!summary.ok()) return summary.status();
  std::fputs(summary->c_str(), stdout);
  return absl::OkStatus();
}

}  // namespace

void AddReplayCommand(CLI::App& app) {
  auto flags = std::make_shared<ReplayFlags>();
  CLI::App* cmd = app.add_subcommand("replay", "Export or inspect a run's replay buffer");
  cmd->require_subcommand(1);
  CLI::App* exp =
      cmd->add_subcommand("export",
                          "Write the replay of a run's latest checkpoint (or a given one) as HDF5 "
                          "(D4RL/Minari layout)");
  exp->add_option("source", flags->source, "run dir, its checkpoints/ dir, or one checkpoint")
      ->required();
  exp->add_option("--out,-o", flags->out, "the .h5 file to write")->required();
  exp->add_flag("--fallback", flags->fallback,
                "if the latest checkpoint is damaged, use the newest good one");
  exp->callback([flags] { CommandStatus() = Export(*flags); });
  CLI::App* ins = cmd->add_subcommand("inspect", "Summarise an exported .h5 file or a checkpoint");
  ins->add_option("source", flags->source, "an exported .h5 file, a run dir, or a checkpoint")
      ->required();
  ins->add_flag("--fallback", flags->fallback, "as for export");
  ins->callback([flags] { CommandStatus() = Inspect(*flags); });
}

}  // namespace passrl::launch
