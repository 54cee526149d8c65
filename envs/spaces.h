// Observation and reward spaces: their identities, names and shapes, as data (no LLVM here), so
// actors and the learner can size networks and parse configs without an environment.
//
// To add an observation space: 1. add an enumerator and a row in kObservationSpecs (spaces.cc);
// 2. compute it in LlvmEnv::Observe. To add a reward space: 1. enumerator and row in
// kRewardSpecs; 2. its cost in LlvmEnv::Cost. Thread-safe: immutable.
#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace passrl::envs {

enum class ObservationSpace {
  kAutophase,        // 56 int64 features
  kInstCount,        // 70 int64 features
  kActionHistogram,  // one int64 count per action applied so far
  kIr,               // the module as LLVM IR text (size 0: not a vector)
};

enum class RewardSpace {
  kIrInstructionCount,      // raw: instructions removed by the step
  kIrInstructionCountNorm,  // (C_prev - C_now) / (C_O0 - C_Oz): episode return 1.0 at -Oz
  kIrInstructionCountLog,   // log C_prev - log C_now: the return is log(C_O0 / C_final), so the
                            // mean return is the log of the geomean ratio the evaluation reports
  kObjectTextSize,          // raw: bytes of .text removed by the step
  kObjectTextSizeNorm,      // as above, normalised by the -O0 to -Oz .text difference
  kRuntime,                 // raw: seconds of run time saved by the step (median of timed runs)
  kRuntimeNorm,             // (T_prev - T_now) / T_O3: positive is faster
  kRuntimeLog,              // log T_prev - log T_now: the return is log(T_O0 / T_final); with
                            // the paired reward, the log of the step's measured speedup
};

struct ObservationSpec {
  ObservationSpace id;
  absl::string_view name;
  int size;  // vector length; 0 for text
  absl::string_view description;
};

struct RewardSpec {
  RewardSpace id;
  absl::string_view name;
  bool normalized;
  bool object_size;  // needs codegen (slower: an in-memory object per step)
  bool runtime;      // needs build + timed runs (much slower; runnable benchmarks only)
  absl::string_view description;
  bool log = false;  // reward log(prev) - log(now) of the cost (counts floored at 1, not times)
};

absl::Span<const ObservationSpec> ObservationSpecs();
absl::Span<const RewardSpec> RewardSpecs();
const ObservationSpec& Spec(ObservationSpace id);
const RewardSpec& Spec(RewardSpace id);

// Where an episode starts (EnvOptions::start): "O0", or an -O level whose PassBuilder pipeline
// is returned ("" for O0); InvalidArgument names the choices.
absl::StatusOr<std::string> StartPipeline(absl::string_view start);

// Look-ups by name; the error lists the valid names.
absl::StatusOr<ObservationSpace> ParseObservationSpace(absl::string_view name);
absl::StatusOr<RewardSpace> ParseRewardSpace(absl::string_view name);

}  // namespace passrl::envs
