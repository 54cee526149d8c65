#include "envs/baselines.h"

#include <algorithm>
#include <sstream>

#include "absl/strings/str_format.h"
#include "common/file_cache.h"
#include "common/status_macros.h"
#include "envs/codegen.h"
#include "envs/features.h"
#include "envs/llvm_util.h"
#include "envs/pass_runner.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

namespace passrl::envs {
namespace {

constexpr char kFormat[] = "ir_o0 %d\nir_oz %d\nir_o3 %d\ntext_o0 %d\ntext_oz %d\ntext_o3 %d\n";

struct Costs {
  int64_t ir = 0, text = 0;
};

absl::StatusOr<Costs> CostsOf(const llvm::Module& module, llvm::TargetMachine& tm) {
  Costs costs;
  costs.ir = CountInstructions(module);
  auto text = ObjectTextSizeBytes(module, tm);
  if (!text.ok()) return text.status();
  costs.text = *text;
  return costs;
}

}  // namespace

double NormalizationScale(int64_t o0, int64_t oz) {
  return static_cast<double>(o0 > oz ? o0 - oz : std::max<int64_t>(o0, 1));
}

std::string Baselines::Serialize() const {
  return absl::StrFormat(kFormat, ir_o0, ir_oz, ir_o3, text_o0, text_oz, text_o3);
}

absl::StatusOr<Baselines> Baselines::Parse(const std::string& text) {
  Baselines b;
  std::istringstream in(text);
  std::string key;
  int64_t value;
  int seen = 0;
  while (in >> key >> value) {
    int64_t* field = key == "ir_o0"     ? &b.ir_o0
                     : key == "ir_oz"   ? &b.ir_oz
                     : key == "ir_o3"   ? &b.ir_o3
                     : key == "text_o0" ? &b.text_o0
                     : key == "text_oz" ? &b.text_oz
                     : key == "text_o3" ? &b.text_o3
                                        : nullptr;
    if (field == nullptr) return absl::DataLossError("baselines: unknown key " + key);
    *field = value;
    ++seen;
  }
  if (seen != 6) return absl::DataLossError("baselines: expected 6 entries");
  return b;
}

absl::StatusOr<Baselines> GetBaselines(const Benchmark& benchmark, const std::string& cache_dir) {
  FileCache cache(cache_dir.empty() ? "" : cache_dir + "/baselines");
  const std::string key = absl::StrFormat("%016x-llvm16-v1.txt", benchmark.hash);
  if (auto hit = cache.Get(key)) {
    auto parsed = Baselines::Parse(*hit);
    if (parsed.ok()) return parsed;  // a damaged entry is recomputed
  }
  // One parse gives -O0 and the TargetMachine; -Oz and -O3 run on fresh copies.
  llvm::LLVMContext context;
  PASSRL_ASSIGN_OR_RETURN(auto o0, ParseBitcode(benchmark.bitcode, context, benchmark.name));
  PASSRL_ASSIGN_OR_RETURN(auto tm, CreateTargetMachine(*o0));
  Baselines b;
  PASSRL_ASSIGN_OR_RETURN(Costs c0, CostsOf(*o0, *tm));
  PASSRL_ASSIGN_OR_RETURN(auto oz, OptimizedCopy(benchmark, "default<Oz>", context, tm.get()));
  PASSRL_ASSIGN_OR_RETURN(Costs cz, CostsOf(*oz, *tm));
  PASSRL_ASSIGN_OR_RETURN(auto o3, OptimizedCopy(benchmark, "default<O3>", context, tm.get()));
  PASSRL_ASSIGN_OR_RETURN(Costs c3, CostsOf(*o3, *tm));
  b.ir_o0 = c0.ir, b.ir_oz = cz.ir, b.ir_o3 = c3.ir;
  b.text_o0 = c0.text, b.text_oz = cz.text, b.text_o3 = c3.text;
  cache.Put(key, b.Serialize()).IgnoreError();
  return b;
}

}  // namespace passrl::envs
