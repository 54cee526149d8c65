#include "envs/runtime.h"

#include <signal.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/file_cache.h"
#include "common/hash.h"
#include "common/pinning.h"
#include "envs/codegen.h"
#include "envs/llvm_util.h"
#include "llvm/IR/Module.h"
#include "nlohmann/json.hpp"

namespace passrl::envs {
namespace fs = std::filesystem;
namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

std::string DefaultScratchRoot() {
  std::error_code ec;
  struct statvfs fs_info;
  // tmpfs if we may write and execute there (containers often mount /dev/shm noexec).
  if (fs::is_directory("/dev/shm", ec) && access("/dev/shm", W_OK) == 0 &&
      statvfs("/dev/shm", &fs_info) == 0 && !(fs_info.f_flag & ST_NOEXEC)) {
    return "/dev/shm";
  }
  const char* tmp = getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

// A failing verdict for one run, or kOk.
Verdict Judge(const SubprocessResult& run, const Reference* reference, std::string* detail) {
  if (run.timed_out) {
    *detail = "timed out";
    return Verdict::kTimeout;
  }
  if (run.output_truncated) {
    *detail = "printed more than the output cap";
    return Verdict::kCrash;
  }
  if (run.term_signal != 0) {
    *detail = run.Describe();
    return Verdict::kCrash;
  }
  if (reference == nullptr) return Verdict::kOk;
  if (run.exit_code != reference->exit_code) {
    *detail = absl::StrCat("exit code ", run.exit_code, ", expected ", reference->exit_code);
    return Verdict::kMiscompile;
  }
  if (run.out != reference->output) {
    size_t at = 0;
    while (at < run.out.size() && at < reference->output.size() &&
           run.out[at] == reference->output[at]) {
      ++at;
    }
    *detail = absl::StrCat("output differs from the -O0 build at byte ", at, " (", run.out.size(),
                           " bytes vs ", reference->output.size(), ")");
    return Verdict::kMiscompile;
  }
  return Verdict::kOk;
}

// Scratch dirs of processes that died without cleaning up (a killed env worker) are removed.
void RemoveStaleScratchDirs(const std::string& root) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("passrl-run-", 0) != 0) continue;
    const int pid = std::atoi(name.c_str() + 11);
    if (pid > 0 && kill(pid, 0) != 0 && errno == ESRCH) fs::remove_all(entry.path(), ec);
  }
}

}  // namespace

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kOk:
      return "ok";
    case Verdict::kMiscompile:
      return "miscompile";
    case Verdict::kCrash:
      return "crash";
    case Verdict::kTimeout:
      return "timeout";
  }
  return "?";
}

absl::Status RuntimeOptions::Validate() const {
  absl::Status m = measure.Validate();
  if (!m.ok()) return m;
  if (!(timeout_seconds > 0)) return absl::InvalidArgumentError("runtime timeout must be > 0");
  if (max_output_bytes == 0) return absl::InvalidArgumentError("max_output_bytes must be > 0");
  return absl::OkStatus();
}

RuntimeEvaluator::RuntimeEvaluator(const RuntimeOptions& options, int cpu, std::string scratch)
    : options_(options), cpu_(cpu), scratch_(std::move(scratch)) {}

RuntimeEvaluator::~RuntimeEvaluator() {
  std::error_code ec;
  fs::remove_all(scratch_, ec);
}

absl::StatusOr<std::unique_ptr<RuntimeEvaluator>> RuntimeEvaluator::Create(
    const RuntimeOptions& options) {
  absl::Status valid = options.Validate();
  if (!valid.ok()) return valid;
  int cpu = options.cpu;
  if (cpu < 0) {
    auto cores = AllowedPhysicalCores();
    if (!cores.ok()) return cores.status();
    cpu = cores->back();  // away from core 0, where the system's own work tends to land
  }
  const std::string root = options.scratch_dir.empty() ? DefaultScratchRoot() : options.scratch_dir;
  RemoveStaleScratchDirs(root);
  std::string pattern = absl::StrCat(root, "/passrl-run-", getpid(), "-XXXXXX");
  std::error_code ec;
  fs::create_directories(root, ec);
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create a scratch dir under ", root, ": ", strerror(errno)));
  }
  return std::unique_ptr<RuntimeEvaluator>(new RuntimeEvaluator(options, cpu, pattern));
}

SubprocessOptions RuntimeEvaluator::Sandbox() const {
  SubprocessOptions o;
  o.timeout_seconds = options_.timeout_seconds;
  o.cpu_time_limit_seconds = static_cast<uint64_t>(options_.timeout_seconds) + 1;
  o.address_space_bytes = options_.address_space_bytes;
  o.file_size_bytes = options_.file_size_bytes;
  o.max_output_bytes = options_.max_output_bytes;
  o.kill_on_output_cap = true;
  o.cpu = cpu_;
  o.clear_environment = true;
  o.disable_aslr = true;
  o.working_dir = scratch_;
  return o;
}

absl::StatusOr<std::string> RuntimeEvaluator::Build(const llvm::Module& module,
                                                    llvm::TargetMachine& tm, uint64_t hash,
                                                    RuntimeResult& result) {
  const std::string exe = absl::StrCat(scratch_, "/", absl::Hex(hash, absl::kZeroPad16));
  std::error_code ec;
  if (fs::exists(exe, ec)) return exe;
  auto start = std::chrono::steady_clock::now();
  auto object = EmitObject(module, tm);
  if (!object.ok()) return object.status();
  result.codegen_seconds = Seconds(start);
  const std::string obj = exe + ".o";
  absl::Status written = WriteFileAtomically(obj, *object);
  if (!written.ok()) return written;
  start = std::chrono::steady_clock::now();
  SubprocessOptions link;
  link.timeout_seconds = 120;
  // Linked under a temporary name: a failed or timed-out link leaves no half-written executable.
  auto linked = RunSubprocess({options_.cc, obj, "-o", exe + ".tmp", "-lm"}, link);
  result.link_seconds = Seconds(start);
  fs::remove(obj, ec);
  if (linked.ok() && linked->ok()) fs::rename(exe + ".tmp", exe, ec);
  if (ec || !linked.ok() || !linked->ok()) fs::remove(exe + ".tmp", ec);
  if (!linked.ok()) return linked.status();
  if (!linked->ok()) {
    return absl::InternalError(absl::StrCat("linking ", module.getModuleIdentifier(), " with ",
                                            options_.cc, " failed (", linked->Describe(),
                                            "): ", linked->err.substr(0, linked->err.find('\n'))));
  }
  ++builds_;
  return exe;
}

absl::StatusOr<RuntimeResult> RuntimeEvaluator::Evaluate(const llvm::Module& module,
                                                         llvm::TargetMachine& tm,
                                                         const Reference* reference) {
  uint64_t hash = Fnv1a64(WriteBitcode(module));
  if (reference != nullptr) {
    hash = Fnv1a64(reference->output, hash ^ static_cast<uint64_t>(reference->exit_code));
  }
  if (auto it = measured_.find(hash); it != measured_.end()) {
    RuntimeResult cached = it->second;
    cached.cached = true;
    cached.codegen_seconds = cached.link_seconds = cached.run_seconds = 0;
    return cached;
  }
  RuntimeResult result;
  auto exe = Build(module, tm, hash, result);
  if (!exe.ok()) return exe.status();
  result.executable = *exe;
  const SubprocessOptions sandbox = Sandbox();
  ScopedThreadBinding on_the_benchmark_core(cpu_);
  const auto start = std::chrono::steady_clock::now();
  std::vector<double> wall, cpu;
  for (int i = 0;; ++i) {
    auto run = RunSubprocess({*exe}, sandbox);
    if (!run.ok()) return run.status();
    result.verdict = Judge(*run, reference, &result.detail);
    if (i == 0) {
      result.output = run->out;
      result.exit_code = run->exit_code;
    }
    if (result.verdict != Verdict::kOk) break;
    if (i < options_.measure.warmup_runs) continue;
    wall.push_back(run->wall_seconds);
    cpu.push_back(run->cpu_seconds);
    result.wall = ComputeStats(wall);
    if (!NeedMoreRuns(result.wall, options_.measure)) break;
  }
  result.run_seconds = Seconds(start);
  if (!cpu.empty()) result.cpu_median = ComputeStats(cpu).median;
  if (measured_.size() >= kMaxCached) {  // bound memory and tmpfs use over a long run
    std::error_code ec;
    for (const auto& [h, r] : measured_) fs::remove(r.executable, ec);
    measured_.clear();
  }
  measured_[hash] = result;
  return result;
}

void RuntimeEvaluator::LogFailure(const std::string& benchmark, const std::string& actions,
                                  const RuntimeResult& result) {
  const std::string path = options_.failure_log.empty()
                               ? FileCache::DefaultDir() + "/failures.jsonl"
                               : options_.failure_log;
  nlohmann::json line = {{"time", static_cast<int64_t>(std::time(nullptr))},
                         {"benchmark", benchmark},
                         {"actions", actions},
                         {"verdict", VerdictName(result.verdict)},
                         {"detail", result.detail}};
  std::ofstream(path, std::ios::app) << line.dump() << "\n";
  std::fprintf(stderr, "passrl: %s on %s after actions [%s]: %s (logged to %s)\n",
               VerdictName(result.verdict), benchmark.c_str(), actions.c_str(),
               result.detail.c_str(), path.c_str());
}

}  // namespace passrl::envs
