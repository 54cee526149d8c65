// The runtime reward's machinery: build a module into an executable, run it contained on a pinned
// core, time it adaptively, and validate its output against the unoptimised program's.
//
//   build: in-memory object (TargetMachine) -> `cc` link, in a per-process scratch dir on tmpfs
//          (/dev/shm) when there is one; executables and measurements are cached by IR hash.
//   run:   RunSubprocess with the CPU bound, rlimits, empty environment, no ASLR, a timeout and
//          an output cap; warm-up runs, then timed runs until the median's 95% CI is tight.
//   check: stdout and exit code must equal the reference (the -O0 build's); a difference is a
//          miscompile, a signal or timeout a crash; both are verdicts, not errors.
//
// Not thread-safe: one evaluator per environment (each actor owns one, pinned to its core).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/subprocess.h"
#include "envs/measurement.h"

namespace llvm {
class Module;
class TargetMachine;
}  // namespace llvm

namespace passrl::envs {

struct RuntimeOptions {
  MeasureOptions measure;
  int cpu = -1;                 // OS CPU for the benchmark; -1: the last allowed physical core
  double timeout_seconds = 10;  // per run (wall clock)
  uint64_t address_space_bytes = 4ull << 30;
  uint64_t file_size_bytes = 64ull << 20;
  size_t max_output_bytes = 1 << 20;  // a program that prints more is stopped (a failure)
  std::string scratch_dir;            // empty: /dev/shm (tmpfs) if writable, else $TMPDIR or /tmp
  std::string cc = "cc";              // the system linker driver
  double failure_penalty = -1.0;  // reward for a miscompile, crash or timeout (ends the episode)
  std::string failure_log;        // JSONL of failures; empty: <cache dir>/failures.jsonl
  absl::Status Validate() const;
};

enum class Verdict { kOk, kMiscompile, kCrash, kTimeout };
const char* VerdictName(Verdict verdict);

struct RuntimeResult {
  Verdict verdict = Verdict::kOk;
  std::string detail;     // what went wrong, for a failure
  SampleStats wall;       // seconds per run (timed runs only)
  double cpu_median = 0;  // user + system seconds of the median run's kind (median of samples)
  double codegen_seconds = 0, link_seconds = 0, run_seconds = 0;  // this evaluation's cost
  bool cached = false;     // measured before: nothing was built or run
  std::string executable;  // the binary (in the scratch dir, valid while the evaluator lives)
  std::string output;      // stdout of the first run
  int exit_code = 0;
};

// What a correct build of the program prints: taken from the -O0 build.
struct Reference {
  std::string output;
  int exit_code = 0;
};

class RuntimeEvaluator {
 public:
  static absl::StatusOr<std::unique_ptr<RuntimeEvaluator>> Create(const RuntimeOptions& options);
  ~RuntimeEvaluator();  // removes the scratch dir

  // Builds and measures `module`. With `reference`, every run's output is checked against it.
  // Errors are for build failures (codegen, link) only; a bad program gives a failing verdict.
  absl::StatusOr<RuntimeResult> Evaluate(const llvm::Module& module, llvm::TargetMachine& tm,
                                         const Reference* reference);

  // Appends one JSON line for a failed evaluation (benchmark + actions reproduce it).
  void LogFailure(const std::string& benchmark, const std::string& actions,
                  const RuntimeResult& result);

  int cpu() const { return cpu_; }
  const std::string& scratch_dir() const { return scratch_; }
  const RuntimeOptions& options() const { return options_; }
  int64_t builds() const { return builds_; }  // executables built (cache misses)

 private:
  RuntimeEvaluator(const RuntimeOptions& options, int cpu, std::string scratch);
  absl::StatusOr<std::string> Build(const llvm::Module& module, llvm::TargetMachine& tm,
                                    uint64_t hash, RuntimeResult& result);
  SubprocessOptions Sandbox() const;

  RuntimeOptions options_;
  int cpu_;
  std::string scratch_;
  int64_t builds_ = 0;
  static constexpr size_t kMaxCached = 2048;
  std::map<uint64_t, RuntimeResult> measured_;  // by IR hash (and reference); cleared when full
};

}  // namespace passrl::envs
