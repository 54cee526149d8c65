// The `passrl` subcommands. Each Add*Command registers its flags on `app` and sets the callback
// that runs it; failures reach main as absl::Status and are printed on one line.
#pragma once

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "envs/compiler.h"
#include "envs/dataset.h"
#include "envs/runtime.h"
#include "learner/checkpoint.h"

namespace passrl::launch {

// Flags every command that loads benchmarks shares (--datasets-dir, --cache-dir).
void AddDatasetFlags(CLI::App& command, envs::DatasetOptions& options);

// Refuses, naming the difference, a checkpoint whose actions or observations this build would
// read differently (the network widths are the checkpoint's own).
// Which of this build's compilers (action table and observation size) a checkpoint belongs to;
// FailedPrecondition, saying how it differs, when none.
absl::StatusOr<envs::Compiler> CheckMatchesThisBuild(const learner::CheckpointSpaces& saved);

// The status the command's callback produced; main turns a non-OK one into exit code 1.
absl::Status& CommandStatus();

// On a crash inside LLVM, print the pass, benchmark and action sequence being run (see
// LlvmEnv::Step) and a stack trace.
void InstallCrashReporter(const char* argv0);

void AddActionsCommand(CLI::App& app);
void AddEnvCommand(CLI::App& app);
void AddDatasetCommand(CLI::App& app);
void AddSearchCommand(CLI::App& app);
void AddMeasureCommand(CLI::App& app);
void AddTrainCommand(CLI::App& app);
void AddLearnerCommand(CLI::App& app);
void AddLoadgenCommand(CLI::App& app);
void AddEvalCommand(CLI::App& app);
void AddReplayCommand(CLI::App& app);
void AddKeysCommand(CLI::App& app);
void AddEnvWorkerCommand(CLI::App& app);
void AddOptimizeCommand(CLI::App& app);  // optimize and library
void AddSweepCommand(CLI::App& app);     // sweep and sweep-score

// --cpu, --warmup, --min-runs, --max-runs, --rel-ci, --timeout (commands with runtime rewards).
void AddRuntimeFlags(CLI::App& command, envs::RuntimeOptions& runtime);

}  // namespace passrl::launch
