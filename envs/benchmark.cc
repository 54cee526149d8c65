#include "envs/benchmark.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/file_cache.h"
#include "common/hash.h"
#include "common/subprocess.h"
#include "envs/llvm_util.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"

namespace passrl::envs {
namespace {

// The C compile command for `source`, writing bitcode to stdout.
std::vector<std::string> ClangCommand(const std::string& source,
                                      const BenchmarkBuildOptions& options) {
  std::vector<std::string> cmd = {options.clang, "-O1", "-Xclang", "-disable-llvm-passes",
                                  "-emit-llvm",  "-c",  "-w",      "-g0"};
  cmd.insert(cmd.end(), options.cflags.begin(), options.cflags.end());
  cmd.insert(cmd.end(), {source, "-o", "-"});
  return cmd;
}

// The first line of clang's stderr that says "error:", else its first line.
std::string FirstError(const std::string& err) {
  size_t at = err.find("error:");
  size_t begin = at == std::string::npos ? 0 : err.rfind('\n', at);
  begin = (begin == std::string::npos || at == std::string::npos) ? 0 : begin + 1;
  size_t end = err.find('\n', begin);
  return err.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

absl::StatusOr<std::string> CompileC(const std::string& path,
                                     const BenchmarkBuildOptions& options) {
  std::string source;
  absl::Status read = ReadFileToString(path, &source);
  if (!read.ok()) return read;
  std::vector<std::string> cmd = ClangCommand(path, options);
  FileCache cache(options.cache_dir.empty() ? "" : options.cache_dir + "/bitcode");
  const std::string key =
      absl::StrFormat("%016x.bc", Fnv1a64(absl::StrJoin(cmd, "\x1f"), Fnv1a64(source)));
  if (auto hit = cache.Get(key)) return *std::move(hit);

  SubprocessOptions run_options;
  run_options.timeout_seconds = options.compile_timeout_seconds;
  auto result = RunSubprocess(cmd, run_options);
  if (!result.ok()) return result.status();
  if (!result->ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": does not compile (", result->Describe(),
                                                   "): ", FirstError(result->err)));
  }
  cache.Put(key, result->out).IgnoreError();  // a cache that cannot be written is only slower
  return std::move(result->out);
}

absl::StatusOr<std::unique_ptr<llvm::Module>> LoadModule(const std::string& path,
                                                         const BenchmarkBuildOptions& options,
                                                         llvm::LLVMContext& context) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".c") {
    auto bitcode = CompileC(path, options);
    if (!bitcode.ok()) return bitcode.status();
    return ParseBitcode(*bitcode, context, path);
  }
  if (ext != ".ll" && ext != ".bc") {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": unsupported file type '", ext, "' (expected .c, .ll or .bc)"));
  }
  std::string bytes;
  absl::Status read = ReadFileToString(path, &bytes);
  if (!read.ok()) return read;
  return ext == ".ll" ? ParseIrText(bytes, context, path) : ParseBitcode(bytes, context, path);
}

}  // namespace

absl::StatusOr<Benchmark> BuildBenchmark(const std::string& name,
                                         const std::vector<std::string>& paths,
                                         const BenchmarkBuildOptions& options) {
  if (paths.empty()) return absl::InvalidArgumentError(absl::StrCat(name, ": no source files"));
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> linked;
  for (const std::string& path : paths) {
    auto module = LoadModule(path, options, context);
    if (!module.ok()) return module.status();
    if (!linked) {
      linked = std::move(*module);
    } else if (llvm::Linker::linkModules(*linked, std::move(*module))) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": cannot be linked with ", paths[0]));
    }
  }
  // Name the module after the benchmark, not the path it was read from, so the same program has
  // the same hash wherever its file lives.
  linked->setModuleIdentifier(name);
  linked->setSourceFileName(name);
  Benchmark benchmark;
  benchmark.name = name;
  benchmark.sources = paths;
  benchmark.bitcode = WriteBitcode(*linked);
  benchmark.hash = Fnv1a64(benchmark.bitcode);
  const llvm::Function* main_fn = linked->getFunction("main");
  benchmark.runnable = main_fn != nullptr && !main_fn->isDeclaration() &&
                       std::filesystem::path(paths[0]).extension() == ".c";
  return benchmark;
}

absl::Status RequireRunnable(const Benchmark& benchmark) {
  if (benchmark.runnable) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(benchmark.name, " is size-only: runtime rewards and --validate need a program "
                   "with main() built from C (a Debian module or a .ll/.bc file is a single "
                   "translation unit that cannot run); use a size reward"));
}

}  // namespace passrl::envs
