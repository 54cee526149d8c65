// Helpers shared by the test suites: temp dirs, dataset options that cache into them, and
// independent measurements through LLVM's command-line tools (not the code under test).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "envs/benchmark.h"
#include "envs/dataset.h"

namespace passrl::testing {

// A fresh directory under $TEST_TMPDIR or /tmp, removed at process exit.
std::string TempDir();
// Writes `text` to TempDir()/name and returns the path.
std::string WriteTempFile(const std::string& name, const std::string& text);

// Bundled dataset with a private cache.
envs::DatasetOptions TestDatasetOptions();
std::string SourceDir();

// Instruction count of `bitcode` counted from `llvm-dis-16` text, line by line.
int64_t CountInstructionsWithLlvmDis(const std::string& bitcode);
// `opt-16 -passes=PIPELINE` on `bitcode`; returns the output bitcode (fails the test on error).
std::string RunOpt(const std::string& bitcode, const std::string& pipeline);
// .text bytes of `bitcode` lowered by `llc-16 -filetype=obj -relocation-model=pic`, measured with
// `size -A`.
int64_t TextSizeWithLlc(const std::string& bitcode);

// Processes whose parent is this process (zombies included), as "pid (comm) state", from /proc:
// tests check that contained children leave nothing behind.
std::vector<std::string> ChildrenOfThisProcess();

// A C program that is fine at -O0 (~50 ms: long enough to time) and -O3, but not after
// `always-inline` alone: inlining the 256 KiB frame of `touch` into the recursion gives every
// level that frame, and 20,000 levels overflow the stack (a crash). At -O3 tail-call elimination
// turns the recursion into a loop first, and at -O0 each level's frame is small.
std::string StackHungryProgram();

// The first `n` bundled benchmarks (sorted by name), built.
std::vector<envs::Benchmark> BundledBenchmarks(int n = 1000);

}  // namespace passrl::testing
