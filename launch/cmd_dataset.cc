// passrl dataset list|stats|build: what a dataset holds per split; compile it and compute its
// baselines; for debian, fetch and build the source packages first (corpus/debian_corpus.h).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/host.h"
#include "common/status_macros.h"
#include "corpus/debian_corpus.h"
#include "corpus/mlir_corpus.h"
#include "corpus/module_info.h"
#include "envs/baselines.h"
#include "launch/commands.h"

namespace passrl::launch {
namespace {

struct DatasetFlags {
  envs::DatasetOptions dataset;
  std::string name = "bundled";
  std::string split = "all";
  std::string packages;  // debian: comma-separated; empty: datasets/debian/packages.tsv
  bool force_mlir = false;  // mlir: rebuild graphs already in the cache
  corpus::CorpusBuildOptions corpus;
  std::vector<std::string> inspect_files;
};

absl::StatusOr<std::vector<std::string>> Names(const DatasetFlags& flags,
                                               std::unique_ptr<envs::Dataset>* dataset) {
  PASSRL_ASSIGN_OR_RETURN(envs::Split split, envs::ParseSplit(flags.split));
  PASSRL_ASSIGN_OR_RETURN(*dataset, envs::OpenDataset(flags.name, flags.dataset));
  return (*dataset)->BenchmarkNames(split);
}

absl::Status List(const DatasetFlags& flags) {
  std::unique_ptr<envs::Dataset> dataset;
  PASSRL_ASSIGN_OR_RETURN(auto names, Names(flags, &dataset));
  for (const std::string& name : names) {
    std::printf("%s\t%s\n", name.c_str(), envs::SplitName(dataset->SplitOf(name)));
  }
  return absl::OkStatus();
}

// The group a benchmark is counted under in `stats`: its package for debian, else the dataset.
std::string GroupOf(const std::string& name) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  return parts.size() == 3 && parts[0] == "debian" ? parts[1] : parts[0];
}

absl::Status Stats(const DatasetFlags& flags) {
  std::unique_ptr<envs::Dataset> dataset;
  PASSRL_ASSIGN_OR_RETURN(auto names, Names(flags, &dataset));
  struct Group {
    std::string split;
    std::vector<int64_t> sizes;
    int failed = 0;
  };
  std::map<std::string, Group> groups;
  std::map<std::string, std::vector<int64_t>> per_split;
  // The Debian corpus recorded every module's baselines when it was built.
  std::map<std::string, envs::Baselines> recorded;
  if (flags.name == "debian") {
    for (const auto& p : envs::ReadBuiltPackages(flags.dataset.build.cache_dir)) {
      for (const auto& m : p.modules) {
        recorded[absl::StrCat("debian/", p.package, "/", m.name)] = m.baselines;
      }
    }
  }
  for (size_t i = 0; i < names.size(); ++i) {
    Group& g = groups[GroupOf(names[i])];
    g.split = envs::SplitName(dataset->SplitOf(names[i]));
    absl::StatusOr<envs::Baselines> b = absl::NotFoundError("");
    if (auto it = recorded.find(names[i]); it != recorded.end()) {
      b = it->second;
    } else {
      auto benchmark = dataset->Load(names[i]);
      b = benchmark.ok() ? envs::GetBaselines(*benchmark, flags.dataset.build.cache_dir)
                         : absl::StatusOr<envs::Baselines>(benchmark.status());
    }
    if (!b.ok()) {
      ++g.failed;
      continue;
    }
    g.sizes.push_back(b->ir_o0);
    per_split[g.split].push_back(b->ir_o0);
    if ((i + 1) % 200 == 0) std::fprintf(stderr, "stats: %zu/%zu modules\n", i + 1, names.size());
  }
  auto describe = [](std::vector<int64_t> v) {
    if (v.empty()) return std::string("-");
    std::sort(v.begin(), v.end());
    int64_t total = 0;
    for (int64_t x : v) total += x;
    return absl::StrFormat("%7lld %7lld %8lld %10lld", (long long)v.front(),
                           (long long)v[v.size() / 2], (long long)v.back(), (long long)total);
  };
  std::printf("%-24s %-10s %8s %6s   IR instructions at -O0: %s\n", "group", "split", "modules",
              "failed", "min  median      max      total");
  for (const auto& [name, g] : groups) {
    std::printf("%-24s %-10s %8zu %6d   %s\n", name.c_str(), g.split.c_str(), g.sizes.size(),
                g.failed, describe(g.sizes).c_str());
  }
  for (const auto& [split, sizes] : per_split) {
    std::printf("%-24s %-10s %8zu %6s   %s\n", "(split total)", split.c_str(), sizes.size(), "",
                describe(sizes).c_str());
  }
  return absl::OkStatus();
}

absl::Status BuildDebian(DatasetFlags flags) {
  PASSRL_ASSIGN_OR_RETURN(
      auto listed, envs::ReadDebianPackages(flags.dataset.datasets_dir + "/debian/packages.tsv"));
  if (flags.packages.empty()) {
    flags.corpus.packages = listed;
  } else {
    for (absl::string_view name : absl::StrSplit(flags.packages, ',', absl::SkipWhitespace())) {
      const std::string package(name);
      auto it = std::find_if(listed.begin(), listed.end(),
                             [&](const envs::DebianPackage& p) { return p.name == package; });
      flags.corpus.packages.push_back(
          it != listed.end() ? *it
                             : envs::DebianPackage{package, "other",
                                                   envs::DebianSplitOf(listed, package)});
    }
  }
  flags.corpus.cache_dir = flags.dataset.build.cache_dir;
  flags.corpus.inspect = corpus::ChildInspector(SelfExecutable(), flags.corpus.cache_dir,
                                                flags.corpus.unit_timeout_seconds);
  corpus::AptSourceOptions apt_options;
  apt_options.dir = flags.corpus.cache_dir + "/debian/apt";
  corpus::AptSource apt(apt_options);
  std::printf("building the Debian corpus: %zu packages into %s/debian\n",
              flags.corpus.packages.size(), flags.corpus.cache_dir.c_str());
  std::fflush(stdout);
  PASSRL_ASSIGN_OR_RETURN(auto summary, corpus::BuildDebianCorpus(flags.corpus, apt, std::cout));
  std::printf("%d packages built, %d failed; %lld distinct modules; %.1f min\n",
              summary.packages_ok, summary.packages_failed, (long long)summary.modules,
              summary.seconds / 60);
  if (summary.packages_ok == 0) return absl::InternalError("no package built");
  return absl::OkStatus();
}

absl::Status BuildMlir(const DatasetFlags& flags) {
  corpus::MlirCorpusOptions options;
  options.force = flags.force_mlir;
  std::printf("building the MLIR dataset into %s/mlir\n", flags.dataset.build.cache_dir.c_str());
  PASSRL_ASSIGN_OR_RETURN(corpus::MlirCorpusResult r, corpus::BuildMlirCorpus(flags.dataset, options));
  std::printf("%d graphs: %d exported and imported, %d already built\n", r.models, r.exported, r.cached);
  return absl::OkStatus();
}

absl::Status Build(const DatasetFlags& flags) {
  if (flags.name == "debian") return BuildDebian(flags);
  if (flags.name == "mlir") return BuildMlir(flags);
  PASSRL_ASSIGN_OR_RETURN(envs::Split split, envs::ParseSplit(flags.split));
  PASSRL_ASSIGN_OR_RETURN(auto dataset, envs::OpenDataset(flags.name, flags.dataset));
  const std::vector<std::string> names = dataset->BenchmarkNames(split);
  int failed = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto benchmark = dataset->Load(names[i]);
    absl::StatusOr<envs::Baselines> b =
        benchmark.ok() ? envs::GetBaselines(*benchmark, flags.dataset.build.cache_dir)
                       : absl::StatusOr<envs::Baselines>(benchmark.status());
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!b.ok()) {
      ++failed;
      std::printf("[%zu/%zu] %s: FAILED: %s\n", i + 1, names.size(), names[i].c_str(),
                  std::string(b.status().message()).c_str());
    } else {
      std::printf(
          "[%zu/%zu] %-32s IR -O0 %6lld  -Oz %6lld  -O3 %6lld   .text -O0 %6lld  -Oz %6lld"
          "  (%.2f s)\n",
          i + 1, names.size(), names[i].c_str(), (long long)b->ir_o0, (long long)b->ir_oz,
          (long long)b->ir_o3, (long long)b->text_o0, (long long)b->text_oz, secs);
    }
    std::fflush(stdout);
  }
  std::printf("%zu benchmarks, %d failed; cache %s\n", names.size(), failed,
              flags.dataset.build.cache_dir.c_str());
  if (failed > 0) {
    return absl::InternalError(absl::StrCat(failed, " of ", names.size(), " benchmarks in ",
                                            flags.name, " failed to build"));
  }
  return absl::OkStatus();
}

}  // namespace

void AddDatasetCommand(CLI::App& app) {
  auto flags = std::make_shared<DatasetFlags>();
  CLI::App* cmd = app.add_subcommand("dataset", "List, describe or build a dataset");
  cmd->require_subcommand(1);
  CLI::App* list = cmd->add_subcommand("list", "List the benchmarks of a dataset and their split");
  CLI::App* stats = cmd->add_subcommand("stats", "Modules and sizes per package/dataset and split");
  CLI::App* build = cmd->add_subcommand(
      "build", "Compile every benchmark and cache baselines (debian: fetch and build packages)");
  CLI::App* inspect = cmd->add_subcommand("inspect", "");  // the corpus builder's child
  inspect->group("");
  for (CLI::App* sub : {list, stats, build}) {
    sub->add_option("--dataset,-d", flags->name,
                    "bundled, csmith, debian, mlir, or a folder of .c/.ll/.bc");
    sub->add_option("--split", flags->split, "train, validation, test or all");
    AddDatasetFlags(*sub, flags->dataset);
  }
  build->add_option("--packages", flags->packages,
                    "debian: comma-separated source packages (default: datasets/debian/"
                    "packages.tsv)");
  build->add_option("--jobs", flags->corpus.jobs, "debian: units compiled at once and make -j")
      ->check(CLI::PositiveNumber);
  build->add_option("--package-timeout", flags->corpus.build.timeout_seconds,
                    "debian: seconds for one package's configure + build")
      ->check(CLI::PositiveNumber);
  build->add_flag("--retry-failed", flags->corpus.retry_failed,
                  "debian: rebuild packages whose cached result is a failure");
  build->add_flag("--force", flags->force_mlir, "mlir: export and import every model again");
  build->add_flag("--keep-sources", flags->corpus.keep_sources,
                  "debian: keep unpacked sources and build trees in the cache");
  inspect->add_option("files", flags->inspect_files)->required();
  AddDatasetFlags(*inspect, flags->dataset);
  list->callback([flags] { CommandStatus() = List(*flags); });
  stats->callback([flags] { CommandStatus() = Stats(*flags); });
  build->callback([flags] {
    flags->corpus.build.jobs = flags->corpus.jobs;
    CommandStatus() = Build(*flags);
  });
  // One line per file, flushed: the parent sees how far it got. Test hook:
  // $PASSRL_TEST_CRASH_INSPECT aborts on a file whose path contains it, as an LLVM crash would
  // (never set in production).
  inspect->callback([flags] {
    const char* crash = std::getenv("PASSRL_TEST_CRASH_INSPECT");
    for (const std::string& file : flags->inspect_files) {
      if (crash != nullptr && *crash && file.find(crash) != std::string::npos) std::abort();
      std::printf("%s\n", corpus::ModuleInfoToJson(
                              corpus::InspectModule(file, flags->dataset.build.cache_dir))
                              .c_str());
      std::fflush(stdout);
    }
  });
}

}  // namespace passrl::launch
