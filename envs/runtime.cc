#include "envs/runtime.h"

#include <signal.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/file_cache.h"
#include "common/hash.h"
#include "common/pinning.h"
#include "common/status_macros.h"
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

double PairedResult::RewardSpeedup(Insignificant insignificant) const {
  if (identical || (!time.significant() && insignificant == Insignificant::kZero)) return 1;
  return time.speedup();
}

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

RuntimeOptions RuntimeOptions::ValidationOnly() {
  RuntimeOptions o;
  o.measure.warmup_runs = 0;
  o.measure.min_runs = o.measure.max_runs = 1;
  o.min_run_seconds = 0;
  return o;
}

absl::Status RuntimeOptions::Validate() const {
  absl::Status m = measure.Validate();
  if (!m.ok()) return m;
  if (!(timeout_seconds > 0)) return absl::InvalidArgumentError("runtime timeout must be > 0");
  if (max_output_bytes == 0) return absl::InvalidArgumentError("max_output_bytes must be > 0");
  if (min_run_seconds < 0) return absl::InvalidArgumentError("min_run_seconds must be >= 0");
  return paired.Validate();
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
  o.count_user_cycles = options_.count_cycles;
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

absl::StatusOr<std::string> RuntimeEvaluator::Link(const std::string& object,
                                                   const std::string& exe,
                                                   const std::string& module_name) {
  const std::string obj = exe + ".o";
  PASSRL_RETURN_IF_ERROR(WriteFileAtomically(obj, object));
  SubprocessOptions link;
  link.timeout_seconds = 120;
  // Linked under a temporary name: a failed or timed-out link leaves no half-written executable.
  auto linked = RunSubprocess({options_.cc, obj, "-o", exe + ".tmp", "-lm"}, link);
  std::error_code ec;
  fs::remove(obj, ec);
  if (linked.ok() && linked->ok()) fs::rename(exe + ".tmp", exe, ec);
  if (ec || !linked.ok() || !linked->ok()) fs::remove(exe + ".tmp", ec);
  if (!linked.ok()) return linked.status();
  if (!linked->ok()) {
    return absl::InternalError(absl::StrCat("linking ", module_name, " with ", options_.cc,
                                            " failed (", linked->Describe(), "): ",
                                            linked->err.substr(0, linked->err.find('\n'))));
  }
  ++builds_;
  return exe;
}

absl::StatusOr<Binary> RuntimeEvaluator::Prepare(const llvm::Module& module,
                                                 llvm::TargetMachine& tm, bool keep) {
  if (by_ir_.size() >= kMaxCached) Evict();  // before looking up: what is found stays
  const uint64_t ir_hash = Fnv1a64(WriteBitcode(module));
  std::error_code ec;
  auto remember = [this, keep](const Binary& b) {
    recent_.push_back(b);
    if (recent_.size() > 4) recent_.pop_front();
    if (keep) kept_.push_back(b);
    return b;
  };
  if (auto it = by_ir_.find(ir_hash); it != by_ir_.end() && fs::exists(it->second.path, ec)) {
    Binary reused = it->second;
    reused.codegen_seconds = reused.link_seconds = 0;
    return remember(reused);
  }
  Binary b;
  b.ir_hash = ir_hash;
  auto start = std::chrono::steady_clock::now();
  PASSRL_ASSIGN_OR_RETURN(std::string object, EmitObject(module, tm));
  b.codegen_seconds = Seconds(start);
  b.object_hash = Fnv1a64(object);
  if (auto it = by_object_.find(b.object_hash);
      it != by_object_.end() && fs::exists(it->second.path, ec)) {
    b.path = it->second.path;  // the same program: no link
  } else {
    start = std::chrono::steady_clock::now();
    PASSRL_ASSIGN_OR_RETURN(
        b.path, Link(object, absl::StrCat(scratch_, "/", absl::Hex(b.object_hash, absl::kZeroPad16)),
                     module.getModuleIdentifier()));
    b.link_seconds = Seconds(start);
  }
  by_ir_[ir_hash] = b;
  by_object_[b.object_hash] = b;
  return remember(b);
}

void RuntimeEvaluator::Evict() {
  std::vector<Binary> survivors(recent_.begin(), recent_.end());
  survivors.insert(survivors.end(), kept_.begin(), kept_.end());
  std::set<std::string> keep;
  for (const Binary& b : survivors) keep.insert(b.path);
  std::error_code ec;
  for (const auto& [hash, b] : by_object_) {
    if (!keep.count(b.path)) fs::remove(b.path, ec);
  }
  by_ir_.clear();
  by_object_.clear();
  for (const Binary& b : survivors) by_ir_[b.ir_hash] = by_object_[b.object_hash] = b;
  measured_.clear();
  compared_.clear();
}

absl::StatusOr<RuntimeResult> RuntimeEvaluator::Evaluate(const llvm::Module& module,
                                                         llvm::TargetMachine& tm,
                                                         const Reference* reference) {
  PASSRL_ASSIGN_OR_RETURN(Binary binary, Prepare(module, tm));
  uint64_t hash = binary.object_hash;
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
  result.codegen_seconds = binary.codegen_seconds;
  result.link_seconds = binary.link_seconds;
  result.executable = binary.path;
  const SubprocessOptions sandbox = Sandbox();
  ScopedThreadBinding on_the_benchmark_core(cpu_);
  const auto start = std::chrono::steady_clock::now();
  std::vector<double> wall, cpu;
  const std::vector<double>& timed = options_.clock == RunClock::kCpu ? cpu : wall;
  for (int i = 0;; ++i) {
    auto run = RunSubprocess({binary.path}, sandbox);
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
    result.time = ComputeStats(timed);
    if (!NeedMoreRuns(result.time, options_.measure)) break;
  }
  result.run_seconds = Seconds(start);
  if (!timed.empty()) {
    result.wall_median = ComputeStats(wall).median;
    result.cpu_median = ComputeStats(cpu).median;
  }
  measured_[hash] = result;
  return result;
}

double RuntimeEvaluator::TimeOf(const SubprocessResult& run) const {
  return options_.clock == RunClock::kCpu ? run.cpu_seconds : run.wall_seconds;
}

absl::StatusOr<PairedResult> RuntimeEvaluator::Compare(const Binary& a, const Binary& b,
                                                       const Reference* reference) {
  PairedResult result;
  if (a.object_hash == b.object_hash) {
    result.identical = true;
    return result;
  }
  const uint64_t ref = reference == nullptr
                           ? 0
                           : Fnv1a64(reference->output, static_cast<uint64_t>(reference->exit_code));
  const auto key = std::make_tuple(a.object_hash, b.object_hash, ref);
  if (auto it = compared_.find(key); it != compared_.end()) {
    ++compare_hits_;
    PairedResult cached = it->second;
    cached.cached = true;
    cached.run_seconds = 0;
    return cached;
  }
  std::error_code ec;
  for (const Binary* binary : {&a, &b}) {
    if (!fs::exists(binary->path, ec)) {
      return absl::FailedPreconditionError(
          absl::StrCat(binary->path, " was evicted from the scratch dir: prepare it again"));
    }
  }
  const SubprocessOptions sandbox = Sandbox();
  ScopedThreadBinding on_the_benchmark_core(cpu_);
  const auto start = std::chrono::steady_clock::now();
  // One run of a side: the verdict is A's; B, measured before, failing now is an error.
  auto run_side = [&](int side, SubprocessResult* out) -> absl::Status {
    PASSRL_ASSIGN_OR_RETURN(*out, RunSubprocess({side == 0 ? a.path : b.path}, sandbox));
    result.order.push_back(side == 0 ? 'A' : 'B');
    result.verdict = Judge(*out, reference, &result.detail);
    if (result.verdict != Verdict::kOk && side == 1) {
      return absl::InternalError(absl::StrCat("the baseline binary ", b.path,
                                              " failed when run again (a flaky program?): ",
                                              VerdictName(result.verdict), ": ", result.detail));
    }
    return absl::OkStatus();
  };
  SubprocessResult lead_in;
  PASSRL_RETURN_IF_ERROR(run_side(1, &lead_in));
  std::vector<double> time_a, time_b, cycles_a, cycles_b;
  for (int pair = 0; result.stop == PairedStop::kContinue; ++pair) {
    SubprocessResult runs[2];
    for (int side = 0; side < 2; ++side) {
      PASSRL_RETURN_IF_ERROR(run_side(side, &runs[side]));
      if (result.verdict != Verdict::kOk) {
        result.run_seconds = Seconds(start);
        return result;  // a failure is not cached: the env ends the episode on it
      }
    }
    if (pair < options_.paired.warmup_pairs) continue;
    time_a.push_back(TimeOf(runs[0]));
    time_b.push_back(TimeOf(runs[1]));
    if (runs[0].counters.cycles > 0 && runs[1].counters.cycles > 0) {
      cycles_a.push_back(static_cast<double>(runs[0].counters.cycles));
      cycles_b.push_back(static_cast<double>(runs[1].counters.cycles));
      result.instructions_a = runs[0].counters.instructions;
      result.instructions_b = runs[1].counters.instructions;
    }
    result.time = EstimatePaired(time_a, time_b);
    result.stop = NextPairedStep(result.time, options_.paired);
  }
  if (cycles_a.size() == time_a.size()) result.cycles = EstimatePaired(cycles_a, cycles_b);
  result.run_seconds = Seconds(start);
  compared_[key] = result;
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
