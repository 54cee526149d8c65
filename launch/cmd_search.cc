// passrl search: random or greedy search for one benchmark, or for each benchmark of a dataset
// split (--dataset/--split, a table and geomeans with bootstrap intervals), under a time budget
// per benchmark; the baseline the RL agent has to beat. LLVM runs in a child process: a crashing
// or hanging pass costs a candidate, not the command.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/clock.h"
#include "common/host.h"
#include "common/status_macros.h"
#include "common/subprocess.h"
#include "envs/action_space.h"
#include "envs/search.h"
#include "eval/summary.h"
#include "launch/commands.h"
#include "launch/mlir_commands.h"
#include "nlohmann/json.hpp"

namespace passrl::launch {
namespace {

struct SearchFlags {
  envs::DatasetOptions dataset;
  envs::SearchOptions search;
  std::string benchmark, method = "random", reward = "IrInstructionCount";
  std::string dataset_name, split = "all";  // instead of --benchmark: every benchmark of a split
  int sample = 0;
  bool in_process = false;  // the child's mode (below)
  std::string compiler = "llvm";
  int rollouts = 20;  // mlir: random rollouts
  std::string output;  // mlir: write the best graph here
};

nlohmann::json ToJson(const envs::SearchResult& r, bool done) {
  return {{"done", done},         {"best_cost", r.best_cost}, {"o0", r.o0_cost},
          {"oz", r.oz_cost},      {"o3", r.o3_cost},          {"episodes", r.episodes},
          {"steps", r.steps},     {"seconds", r.seconds},
          {"actions", envs::FormatActionList(r.best_actions)}};
}

// --in-process: the search itself, LLVM in this process. Progress goes to stderr; stdout gets one
// JSON line per progress report (about a second) and a last one with "done", for the parent.
absl::Status SearchHere(const SearchFlags& flags) {
  envs::EnvOptions options;
  PASSRL_ASSIGN_OR_RETURN(options.reward, envs::ParseRewardSpace(flags.reward));
  options.observation = envs::ObservationSpace::kActionHistogram;  // the cheapest to compute
  options.cache_dir = flags.dataset.build.cache_dir;
  PASSRL_RETURN_IF_ERROR(flags.search.Validate());
  PASSRL_ASSIGN_OR_RETURN(envs::Benchmark benchmark,
                          envs::LoadBenchmark(flags.benchmark, flags.dataset));
  PASSRL_ASSIGN_OR_RETURN(auto env, envs::LlvmEnv::Create(options));
  // Test hook: $PASSRL_TEST_CRASH_SEARCH_SEED makes the search with that seed abort after its
  // first progress report (or at its end, if it ends sooner), as a crashing pass would (never set
  // in production).
  const char* crash = std::getenv("PASSRL_TEST_CRASH_SEARCH_SEED");
  const bool crash_here = crash != nullptr && std::to_string(flags.search.seed) == crash;
  auto progress = [crash_here](const envs::SearchResult& r) {
    std::fprintf(
        stderr, "  %.0f s: %lld episodes, %lld steps (%.0f steps/s), best %lld = %.3fx -Oz\n",
        r.seconds, (long long)r.episodes, (long long)r.steps,
        r.seconds > 0 ? r.steps / r.seconds : 0.0, (long long)r.best_cost, r.ratio_vs_oz());
    std::printf("%s\n", ToJson(r, false).dump().c_str());
    std::fflush(stdout);
    if (crash_here) std::abort();
  };
  absl::StatusOr<envs::SearchResult> result =
      flags.method == "random" ? envs::RandomSearch(*env, benchmark, flags.search, progress)
                               : envs::GreedySearch(*env, benchmark, flags.search, progress);
  if (!result.ok()) return result.status();
  if (crash_here) progress(*result);  // the hook: a search too short for a progress report
  std::printf("%s\n", ToJson(*result, true).dump().c_str());
  return absl::OkStatus();
}

std::vector<std::string> ChildCommand(const SearchFlags& flags, const std::string& benchmark,
                                      double budget, uint64_t seed) {
  std::vector<std::string> argv = {SelfExecutable(), "search", "--in-process", "-b", benchmark, "--method",
                                   flags.method, "--budget", absl::StrCat(budget), "--length",
                                   std::to_string(flags.search.episode_length), "--episodes",
                                   std::to_string(flags.search.max_episodes), "--seed",
                                   std::to_string(seed), "--reward", flags.reward};
  for (std::string& flag : flags.dataset.ChildFlags()) argv.push_back(std::move(flag));
  return argv;
}

// The search runs in a child process (above), so a pass that crashes or hangs LLVM costs the
// search the candidate it was trying, not the command: the best result so far is kept and random
// search goes on with a fresh seed for the rest of the budget (greedy search, which would meet the
// same candidate again, stops there).
struct Searched {
  envs::SearchResult best;
  int64_t episodes = 0, steps = 0;
  double seconds = 0;
  std::vector<std::string> crashes;
};

absl::StatusOr<Searched> SearchOne(const SearchFlags& flags, const std::string& benchmark) {
  // Bad input is this process's one-line error, not a child's (the benchmark is cached for it).
  PASSRL_RETURN_IF_ERROR(envs::LoadBenchmark(benchmark, flags.dataset).status());
  const double start = MonotonicSeconds();
  envs::SearchResult best;
  bool have_best = false, done = false;
  int64_t episodes = 0, steps = 0;
  std::vector<std::string> crashes;
  for (uint64_t seed = flags.search.seed; !done; ++seed) {
    const double left = flags.search.budget_seconds - (MonotonicSeconds() - start);
    if (have_best && left < 0.5) break;
    SubprocessOptions options;
    options.inherit_stderr = true;  // the child's progress lines and LLVM's crash report
    // A hung pass: the child is cut off well after its budget.
    options.timeout_seconds = std::max(left, 0.5) + 60;
    PASSRL_ASSIGN_OR_RETURN(
        SubprocessResult run,
        RunSubprocess(ChildCommand(flags, benchmark, std::max(left, 0.5), seed), options));
    envs::SearchResult last;
    bool any = false;
    for (absl::string_view line : absl::StrSplit(run.out, '\n', absl::SkipEmpty())) {
      const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object()) continue;
      last.best_cost = j.value("best_cost", int64_t{0});
      last.o0_cost = j.value("o0", int64_t{0});
      last.oz_cost = j.value("oz", int64_t{0});
      last.o3_cost = j.value("o3", int64_t{0});
      last.episodes = j.value("episodes", int64_t{0});
      last.steps = j.value("steps", int64_t{0});
      last.best_actions = *envs::ParseActionList(j.value("actions", ""));
      done = j.value("done", false);
      any = true;
    }
    if (any) {
      episodes += last.episodes;
      steps += last.steps;
      if (!have_best || last.best_cost < best.best_cost) best = last;
      have_best = true;
    }
    if (run.ok() && done) break;
    if (!run.timed_out && run.term_signal == 0) {
      // An error, not a crash (bad benchmark, bad flag): the child printed it.
      return absl::InvalidArgumentError(absl::StrCat("search failed (", run.Describe(), ")"));
    }
    crashes.push_back(run.timed_out ? "hung" : run.Describe());
    std::fprintf(stderr, "search: the search process %s; %s\n", crashes.back().c_str(),
                 flags.method == "random" && crashes.size() < 10
                     ? "the best so far is kept, going on with the next seed"
                     : "stopping with the best so far");
    if (flags.method != "random" || crashes.size() >= 10) break;
  }
  if (!have_best) {
    return absl::InternalError(absl::StrCat("search: no result (", crashes.back(), ")"));
  }
  return Searched{best, episodes, steps, MonotonicSeconds() - start, crashes};
}

absl::Status SearchBenchmark(const SearchFlags& flags) {
  PASSRL_ASSIGN_OR_RETURN(Searched s, SearchOne(flags, flags.benchmark));
  const envs::SearchResult& best = s.best;
  std::printf("%s search on %s (%s): %lld episodes, %lld steps in %.1f s (%.0f steps/s)%s\n",
              flags.method.c_str(), flags.benchmark.c_str(), flags.reward.c_str(),
              (long long)s.episodes, (long long)s.steps, s.seconds,
              s.seconds > 0 ? s.steps / s.seconds : 0.0,
              s.crashes.empty() ? ""
                                : absl::StrCat("; ", s.crashes.size(), " LLVM crash(es) survived")
                                      .c_str());
  std::printf("best cost %lld (-O0 %lld, -Oz %lld, -O3 %lld): %.4fx -Oz\n",
              (long long)best.best_cost, (long long)best.o0_cost, (long long)best.oz_cost,
              (long long)best.o3_cost, best.ratio_vs_oz());
  std::printf("best sequence (%zu): %s\n", best.best_actions.size(),
              envs::FormatActionList(best.best_actions).c_str());
  return absl::OkStatus();
}

// Every benchmark of a split, one row each, then the geomean vs -Oz with its bootstrap interval.
absl::Status SearchSplit(const SearchFlags& flags) {
  PASSRL_ASSIGN_OR_RETURN(envs::Split split, envs::ParseSplit(flags.split));
  PASSRL_ASSIGN_OR_RETURN(auto dataset, envs::OpenDataset(flags.dataset_name, flags.dataset));
  const std::vector<std::string> names =
      envs::SampleNames(dataset->BenchmarkNames(split), flags.sample);
  if (names.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("no benchmarks in ", flags.dataset_name, " split ", flags.split));
  }
  std::printf("%s search, %.1f s per benchmark, on %zu benchmarks of %s split %s\n",
              flags.method.c_str(), flags.search.budget_seconds, names.size(),
              flags.dataset_name.c_str(), envs::SplitName(split));
  std::vector<double> ratios;
  int failed = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    auto s = SearchOne(flags, names[i]);
    if (!s.ok()) {
      ++failed;
      std::printf("[%zu/%zu] %-40s FAILED: %s\n", i + 1, names.size(), names[i].c_str(),
                  std::string(s.status().message()).c_str());
      continue;
    }
    ratios.push_back(s->best.ratio_vs_oz());
    std::printf("[%zu/%zu] %-40s -O0 %6lld  -Oz %6lld  best %6lld  %.4fx -Oz  (%lld steps)\n",
                i + 1, names.size(), names[i].c_str(), (long long)s->best.o0_cost,
                (long long)s->best.oz_cost, (long long)s->best.best_cost, ratios.back(),
                (long long)s->steps);
    std::fflush(stdout);
  }
  const eval::GeomeanSummary g = eval::SummarizeRatios(ratios);
  std::printf("geomean over %d: %.4fx -Oz [%.3f, %.3f] (95%% CI)%s\n", g.n, g.geomean, g.low,
              g.high, failed > 0 ? absl::StrCat("; ", failed, " FAILED").c_str() : "");
  return absl::OkStatus();
}

absl::Status RunSearch(const SearchFlags& flags) {
  if (flags.compiler == "mlir") {
    if (flags.method != "random" || flags.benchmark.empty()) {
      return absl::InvalidArgumentError("--compiler mlir: --method random on one --benchmark");
    }
    MlirSearchFlags m;
    m.dataset = flags.dataset;
    m.graph = flags.benchmark;
    m.output = flags.output;
    m.length = flags.search.episode_length;
    m.rollouts = flags.rollouts;
    m.seed = flags.search.seed;
    return RandomSearchMlirGraph(m);
  }
  if (flags.compiler != "llvm") return absl::InvalidArgumentError("--compiler: llvm or mlir");
  if (flags.in_process) return SearchHere(flags);
  PASSRL_RETURN_IF_ERROR(flags.search.Validate());
  PASSRL_RETURN_IF_ERROR(envs::ParseRewardSpace(flags.reward).status());
  if (flags.benchmark.empty() == flags.dataset_name.empty()) {
    return absl::InvalidArgumentError("give one of --benchmark or --dataset");
  }
  return flags.dataset_name.empty() ? SearchBenchmark(flags) : SearchSplit(flags);
}

}  // namespace

void AddSearchCommand(CLI::App& app) {
  auto flags = std::make_shared<SearchFlags>();
  CLI::App* cmd = app.add_subcommand("search", "Random or greedy search over pass sequences");
  cmd->add_option("--benchmark,-b", flags->benchmark,
                  "bundled/NAME, csmith/SEED, debian/PACKAGE/MODULE, or a .c/.ll/.bc file");
  cmd->add_option("--dataset,-d", flags->dataset_name,
                  "instead: search each benchmark of this dataset's --split");
  cmd->add_option("--split", flags->split, "with --dataset: train, validation, test or all");
  cmd->add_option("--sample", flags->sample,
                  "with --dataset: this many benchmarks, chosen by a stable hash (0: all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--method,-m", flags->method, "random or greedy")
      ->check(CLI::IsMember({"random", "greedy"}));
  cmd->add_option("--budget", flags->search.budget_seconds,
                  "time budget in seconds (per benchmark)")
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
  cmd->add_flag("--in-process", flags->in_process)->group("");  // the child's mode
  AddDatasetFlags(*cmd, flags->dataset);
  cmd->add_option("--compiler", flags->compiler,
                  "llvm (default) or mlir: random rollouts on an MLIR graph (mlir/MODEL, .mlir, .onnx)");
  cmd->add_option("--rollouts", flags->rollouts, "mlir: random rollouts")->check(CLI::PositiveNumber);
  cmd->add_option("-o,--output", flags->output, "mlir: write the best graph found here");
  cmd->callback([flags] { CommandStatus() = RunSearch(*flags); });
}

}  // namespace passrl::launch
