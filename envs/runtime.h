// The runtime reward's machinery: build a module into an executable, run it contained on a pinned
// core, time it adaptively, and validate its output against the unoptimised program's.
//
//   build: in-memory object (TargetMachine) -> `cc` link, in a per-process scratch dir on tmpfs
//          (/dev/shm) when there is one; executables and measurements are cached by IR hash.
//   run:   RunSubprocess with the CPU bound, rlimits, empty environment, no ASLR, a timeout and
//          an output cap; warm-up runs, then timed runs until the median's 95% CI is tight;
//          timed by the program's CPU time by default (RunClock), or wall time.
//   check: stdout and exit code must equal the reference (the -O0 build's); a difference is a
//          miscompile, a signal or timeout a crash; both are verdicts, not errors.
//   compare: two binaries' runs interleaved on the pinned core (A B A B ...), the speedup
//          estimated pair by pair with a 95% interval (envs/paired_timing.h); binaries with
//          the same object code are the same program (speedup exactly 1, nothing run).
//
// Not thread-safe: one evaluator per environment (each actor owns one, pinned to its core).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "common/subprocess.h"
#include "envs/measurement.h"
#include "envs/paired_timing.h"

namespace llvm {
class Module;
class TargetMachine;
}  // namespace llvm

namespace passrl::envs {

struct RuntimeOptions {
  MeasureOptions measure;
  int cpu = -1;                 // OS CPU for the benchmark; -1: the last allowed physical core
  RunClock clock = RunClock::kCpu;  // what a run's time is (envs/measurement.h)
  double timeout_seconds = 10;      // per run (wall clock)
  uint64_t address_space_bytes = 4ull << 30;
  uint64_t file_size_bytes = 64ull << 20;
  size_t max_output_bytes = 1 << 20;  // a program that prints more is stopped (a failure)
  std::string scratch_dir;            // empty: /dev/shm (tmpfs) if writable, else $TMPDIR or /tmp
  std::string cc = "cc";              // the system linker driver
  double failure_penalty = -1.0;  // reward for a miscompile, crash or timeout (ends the episode)
  std::string failure_log;        // JSONL of failures; empty: <cache dir>/failures.jsonl
  // The runtime reward: a paired comparison of each step's binary with the previous state's
  // (paired), or today's difference of two separately measured medians (measure).
  bool paired_reward = true;
  PairedOptions paired;
  Insignificant insignificant = Insignificant::kZero;  // what a change inside the noise is worth
  bool count_cycles = true;  // user-space cycles/instructions beside time, where available
  // A program faster than this at -O0 is refused for timing (process start-up is ~3 ms here:
  // csmith programs run ~4 ms, -O0 and -O3 alike); 0: no floor (output validation only).
  double min_run_seconds = 0.02;
  absl::Status Validate() const;
  // For checking output only (eval --validate, optimize): one untimed run, no floor.
  static RuntimeOptions ValidationOnly();
};

enum class Verdict { kOk, kMiscompile, kCrash, kTimeout };
const char* VerdictName(Verdict verdict);

struct RuntimeResult {
  Verdict verdict = Verdict::kOk;
  std::string detail;     // what went wrong, for a failure
  SampleStats time;       // seconds per run by the options' clock (timed runs only)
  double wall_median = 0, cpu_median = 0;  // both clocks' medians over the same runs
  double codegen_seconds = 0, link_seconds = 0, run_seconds = 0;  // this evaluation's cost
  bool cached = false;     // measured before: nothing was built or run
  std::string executable;  // the binary (in the scratch dir, valid while the evaluator lives)
  std::string output;      // stdout of the first run
  int exit_code = 0;
};

// An executable built from a module, in the evaluator's scratch dir.
struct Binary {
  uint64_t ir_hash = 0;      // of the module's bitcode
  uint64_t object_hash = 0;  // of its object file: equal objects are the same program
  std::string path;
  double codegen_seconds = 0, link_seconds = 0;  // what building it cost now (0: reused)
};

// A paired comparison of binary A with binary B.
struct PairedResult {
  Verdict verdict = Verdict::kOk;  // of A's runs (B's are checked too: detail names which failed)
  std::string detail;
  PairedEstimate time;             // log(t_B / t_A): > 0 when A is faster
  PairedStop stop = PairedStop::kContinue;
  bool identical = false;          // same object code: nothing was run, speedup exactly 1
  bool cached = false;             // compared before: nothing was run
  std::string order;               // the runs as made, warm-up included: "ABAB..."
  double run_seconds = 0;
  // User-space cycles per pair, paired like time (pairs == 0 where counters are unavailable).
  PairedEstimate cycles;
  int64_t instructions_a = -1, instructions_b = -1;  // of the last pair
  // The speedup a reward should use: the estimate, or 1 when insignificant and `insignificant`
  // is kZero.
  double RewardSpeedup(Insignificant insignificant) const;
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

  // Builds `module` into an executable, or reuses the one with the same IR or object code. The
  // scratch dir holds the last 2048; older ones are deleted except the last few prepared and
  // those prepared with `keep` (a baseline used all run long).
  absl::StatusOr<Binary> Prepare(const llvm::Module& module, llvm::TargetMachine& tm,
                                 bool keep = false);
  // Runs B once (a lead-in, untimed), then A and B interleaved (A B A B ...) on the benchmark
  // core, so that every timed run follows a run of the other binary, until the speedup is
  // significant, its interval is narrower than options().paired.target_half_width, or
  // max_pairs. Every run's output is checked against `reference`: A's failure is the verdict; B
  // (the state already measured) failing now is an error (a flaky program), as is a binary that
  // cannot be started or was evicted. Cached per (A, B, reference).
  absl::StatusOr<PairedResult> Compare(const Binary& a, const Binary& b,
                                       const Reference* reference);

  // Appends one JSON line for a failed evaluation (benchmark + actions reproduce it).
  void LogFailure(const std::string& benchmark, const std::string& actions,
                  const RuntimeResult& result);

  int cpu() const { return cpu_; }
  const std::string& scratch_dir() const { return scratch_; }
  const RuntimeOptions& options() const { return options_; }
  int64_t builds() const { return builds_; }  // executables linked (cache misses)
  int64_t compare_hits() const { return compare_hits_; }  // Compare answered from the cache

 private:
  RuntimeEvaluator(const RuntimeOptions& options, int cpu, std::string scratch);
  absl::StatusOr<std::string> Link(const std::string& object, const std::string& exe,
                                   const std::string& module_name);
  SubprocessOptions Sandbox() const;
  double TimeOf(const SubprocessResult& run) const;  // by options_.clock
  void Evict();  // bounds memory and tmpfs use over a long run

  RuntimeOptions options_;
  int cpu_;
  std::string scratch_;
  int64_t builds_ = 0, compare_hits_ = 0;
  static constexpr size_t kMaxCached = 2048;
  std::map<uint64_t, RuntimeResult> measured_;  // by IR hash (and reference); cleared when full
  std::map<uint64_t, Binary> by_ir_, by_object_;  // built executables
  std::deque<Binary> recent_;                     // the last few prepared: never evicted
  std::vector<Binary> kept_;                      // prepared with `keep`: never evicted
  std::map<std::tuple<uint64_t, uint64_t, uint64_t>, PairedResult> compared_;  // (A, B, ref)
};

}  // namespace passrl::envs
