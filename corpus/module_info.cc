#include "corpus/module_info.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/hash.h"
#include "common/status_macros.h"
#include "common/subprocess.h"
#include "envs/benchmark.h"
#include "envs/features.h"
#include "envs/llvm_util.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "nlohmann/json.hpp"

namespace passrl::corpus {

absl::StatusOr<envs::CorpusModule> InspectModule(const std::string& bitcode_path,
                                                 const std::string& cache_dir) {
  envs::InitializeLlvm();
  envs::BenchmarkBuildOptions build;  // no bitcode cache: .bc files are read, not compiled
  PASSRL_ASSIGN_OR_RETURN(envs::Benchmark benchmark,
                          envs::BuildBenchmark(bitcode_path, {bitcode_path}, build));
  envs::CorpusModule module;
  {
    llvm::LLVMContext context;
    PASSRL_ASSIGN_OR_RETURN(auto parsed,
                            envs::ParseBitcode(benchmark.bitcode, context, bitcode_path));
    parsed->setModuleIdentifier("");
    parsed->setSourceFileName("");
    module.ir_hash = Fnv1a64(envs::PrintIr(*parsed));
    module.instructions = envs::CountInstructions(*parsed);
    const llvm::Function* main = parsed->getFunction("main");
    module.has_main = main != nullptr && !main->isDeclaration();
  }
  PASSRL_ASSIGN_OR_RETURN(module.baselines, envs::GetBaselines(benchmark, cache_dir));
  return module;
}

std::string ModuleInfoToJson(const absl::StatusOr<envs::CorpusModule>& info) {
  if (!info.ok()) return nlohmann::json{{"error", info.status().ToString()}}.dump();
  return nlohmann::json{{"ir_hash", absl::StrCat(info->ir_hash)},
                        {"instructions", info->instructions},
                        {"has_main", info->has_main},
                        {"baselines", info->baselines.Serialize()}}
      .dump();
}

absl::StatusOr<envs::CorpusModule> ModuleInfoFromJson(const std::string& line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::DataLossError("module inspector printed no JSON object");
  }
  if (j.contains("error")) return absl::InvalidArgumentError(j["error"].get<std::string>());
  envs::CorpusModule module;
  try {
    if (!absl::SimpleAtoi(j.at("ir_hash").get<std::string>(), &module.ir_hash)) {
      return absl::DataLossError("module inspector: bad ir_hash");
    }
    module.instructions = j.at("instructions").get<int64_t>();
    module.has_main = j.at("has_main").get<bool>();
    PASSRL_ASSIGN_OR_RETURN(module.baselines,
                            envs::Baselines::Parse(j.at("baselines").get<std::string>()));
  } catch (const nlohmann::json::exception& e) {
    return absl::DataLossError(absl::StrCat("module inspector: ", e.what()));
  }
  return module;
}

ModuleInspector ChildInspector(std::string passrl, std::string cache_dir,
                               double seconds_per_module) {
  return [passrl, cache_dir, seconds_per_module](const std::vector<std::string>& paths) {
    std::vector<absl::StatusOr<envs::CorpusModule>> results(
        paths.size(), absl::InternalError("not inspected"));
    for (size_t next = 0; next < paths.size();) {
      std::vector<std::string> argv = {passrl, "dataset", "inspect"};
      argv.insert(argv.end(), paths.begin() + static_cast<long>(next), paths.end());
      argv.insert(argv.end(), {"--cache-dir", cache_dir});
      SubprocessOptions run;
      run.timeout_seconds = 60 + seconds_per_module * static_cast<double>(paths.size() - next);
      run.max_output_bytes = 16 << 20;
      auto spawned = RunSubprocess(argv, run);
      if (!spawned.ok()) {
        for (size_t i = next; i < paths.size(); ++i) {
          results[i] = absl::UnavailableError(
              absl::StrCat("cannot run the module inspector: ", spawned.status().message()));
        }
        break;
      }
      for (absl::string_view line : absl::StrSplit(spawned->out, '\n', absl::SkipEmpty())) {
        if (next < paths.size()) results[next++] = ModuleInfoFromJson(std::string(line));
      }
      if (spawned->ok() || next >= paths.size()) break;
      // The child died (or hung) on paths[next]: that module is lost, the rest go on.
      results[next++] = absl::InternalError(absl::StrCat("inspecting: LLVM ", spawned->Describe()));
    }
    return results;
  };
}

}  // namespace passrl::corpus
