#include "corpus/module_info.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
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

ModuleInspector ChildInspector(std::string passrl, std::string cache_dir, double timeout_seconds) {
  return [passrl, cache_dir, timeout_seconds](
             const std::string& path) -> absl::StatusOr<envs::CorpusModule> {
    SubprocessOptions run;
    run.timeout_seconds = timeout_seconds;
    run.max_output_bytes = 1 << 20;
    auto spawned =
        RunSubprocess({passrl, "dataset", "inspect", path, "--cache-dir", cache_dir}, run);
    if (!spawned.ok()) {
      return absl::UnavailableError(
          absl::StrCat("cannot run the module inspector: ", spawned.status().message()));
    }
    if (!spawned->ok() && spawned->out.empty()) {
      return absl::InternalError(absl::StrCat("inspecting: LLVM ", spawned->Describe()));
    }
    return ModuleInfoFromJson(spawned->out);
  };
}

}  // namespace passrl::corpus
