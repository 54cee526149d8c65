// passrl search: random or greedy search for one benchmark under a time budget; the baseline the
// RL agent has to beat.
#include <cstdio>

#include "common/status_macros.h"
#include "envs/action_space.h"
#include "envs/search.h"
#include "launch/commands.h"

namespace passrl::launch {
namespace {

struct SearchFlags {
  envs::DatasetOptions dataset;
  envs::SearchOptions search;
  std::string benchmark, method = "random", reward = "IrInstructionCount";
};

absl::Status RunSearch(const SearchFlags& flags) {
  envs::EnvOptions options;
  PASSRL_ASSIGN_OR_RETURN(options.reward, envs::ParseRewardSpace(flags.reward));
  options.observation = envs::ObservationSpace::kActionHistogram;  // the cheapest to compute
  options.cache_dir = flags.dataset.build.cache_dir;
  PASSRL_RETURN_IF_ERROR(flags.search.Validate());
  PASSRL_ASSIGN_OR_RETURN(envs::Benchmark benchmark,
                          envs::LoadBenchmark(flags.benchmark, flags.dataset));
  PASSRL_ASSIGN_OR_RETURN(auto env, envs::LlvmEnv::Create(options));
  auto progress = [](const envs::SearchResult& r) {
    std::fprintf(
        stderr, "  %.0f s: %lld episodes, %lld steps (%.0f steps/s), best %lld = %.3fx -Oz\n",
        r.seconds, (long long)r.episodes, (long long)r.steps,
        r.seconds > 0 ? r.steps / r.seconds : 0.0, (long long)r.best_cost, r.ratio_vs_oz());
  };
  absl::StatusOr<envs::SearchResult> result;
  if (flags.method == "random") {
    result = envs::RandomSearch(*env, benchmark, flags.search, progress);
  } else {
    result = envs::GreedySearch(*env, benchmark, flags.search, progress);
  }
  if (!result.ok()) return result.status();
  const envs::SearchResult& r = *result;
  std::printf("%s search on %s (%s): %lld episodes, %lld steps in %.1f s (%.0f steps/s)\n",
              flags.method.c_str(), benchmark.name.c_str(), flags.reward.c_str(),
              (long long)r.episodes, (long long)r.steps, r.seconds,
              r.seconds > 0 ? r.steps / r.seconds : 0.0);
  std::printf("best cost %lld (-O0 %lld, -Oz %lld, -O3 %lld): %.4fx -Oz\n", (long long)r.best_cost,
              (long long)r.o0_cost, (long long)r.oz_cost, (long long)r.o3_cost, r.ratio_vs_oz());
  std::printf("best sequence (%zu): %s\n", r.best_actions.size(),
              envs::FormatActionList(r.best_actions).c_str());
  return absl::OkStatus();
}

}  // namespace

void AddSearchCommand(CLI::App& app) {
  auto flags = std::make_shared<SearchFlags>();
  CLI::App* cmd = app.add_subcommand("search", "Random or greedy search over pass sequences");
  cmd->add_option("--benchmark,-b", flags->benchmark,
                  "bundled/NAME, csmith/SEED, or a .c/.ll/.bc file")
      ->required();
  cmd->add_option("--method,-m", flags->method, "random or greedy")
      ->check(CLI::IsMember({"random", "greedy"}));
  cmd->add_option("--budget", flags->search.budget_seconds, "time budget in seconds")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--length", flags->search.episode_length,
                  "random: actions per episode; greedy: most steps")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--episodes", flags->search.max_episodes,
                  "random: stop after this many episodes (0: budget only)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", flags->search.seed, "random seed");
  cmd->add_option("--reward", flags->reward,
                  "cost to minimise: IrInstructionCount or ObjectTextSizeBytes");
  AddDatasetFlags(*cmd, flags->dataset);
  cmd->callback([flags] { CommandStatus() = RunSearch(*flags); });
}

}  // namespace passrl::launch
