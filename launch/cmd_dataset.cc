// passrl dataset list|build: what a dataset holds; compile it and compute its baselines.
#include <chrono>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "envs/baselines.h"
#include "launch/commands.h"

namespace passrl::launch {
namespace {

struct DatasetFlags {
  envs::DatasetOptions dataset;
  std::string name = "bundled";
};

absl::Status List(const DatasetFlags& flags) {
  PASSRL_ASSIGN_OR_RETURN(auto dataset, envs::OpenDataset(flags.name, flags.dataset));
  for (const std::string& name : dataset->BenchmarkNames()) std::printf("%s\n", name.c_str());
  return absl::OkStatus();
}

absl::Status Build(const DatasetFlags& flags) {
  PASSRL_ASSIGN_OR_RETURN(auto dataset, envs::OpenDataset(flags.name, flags.dataset));
  const std::vector<std::string> names = dataset->BenchmarkNames();
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
  CLI::App* cmd = app.add_subcommand("dataset", "List or build a dataset");
  cmd->require_subcommand(1);
  CLI::App* list = cmd->add_subcommand("list", "List the benchmarks of a dataset");
  CLI::App* build = cmd->add_subcommand("build", "Compile every benchmark and cache baselines");
  for (CLI::App* sub : {list, build}) {
    sub->add_option("--dataset,-d", flags->name, "bundled, csmith, or a folder of .c/.ll/.bc");
    AddDatasetFlags(*sub, flags->dataset);
  }
  list->callback([flags] { CommandStatus() = List(*flags); });
  build->callback([flags] { CommandStatus() = Build(*flags); });
}

}  // namespace passrl::launch
