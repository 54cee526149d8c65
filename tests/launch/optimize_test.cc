// `passrl optimize` and `passrl library` as a user runs them: the result is never above -Oz, the
// printed sequence applied with opt-16 gives the printed count, the written module is that
// module, and bad inputs are one-line errors.
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "actors/observation.h"
#include "absl/strings/str_cat.h"
#include "common/durable_file.h"
#include "common/file_cache.h"
#include "common/subprocess.h"
#include "envs/action_space.h"
#include "gtest/gtest.h"
#include "launch/config.h"
#include "learner/checkpoint.h"
#include "learner/sac.h"
#include "optimize/library.h"
#include "tests/launch/command_fixtures.h"
#include "tests/test_util.h"

namespace passrl {
namespace {

constexpr char kGood[] =
    "oz-early-simplify,oz-ipo-early,scc-oz-module-inliner,oz-ipo-cleanup,oz-late-function,"
    "oz-module-final";

// A run dir with one checkpoint of an untrained agent, and optionally a library.json.
std::string MakeRun(const std::string& name, uint64_t action_space_hash, const std::string& library) {
  const std::string run = testing::TempDir() + "/" + name;
  testing::WriteUntrainedCheckpoint(run, action_space_hash, /*episode_length=*/4);
  if (!library.empty()) EXPECT_TRUE(ReplaceFileDurably(run + "/library.json", library).ok());
  return run;
}

SubprocessResult Passrl(std::vector<std::string> args) {
  setenv("PASSRL_CACHE_DIR", testing::TestDatasetOptions().build.cache_dir.c_str(), 1);
  return testing::RunPassrl(std::move(args));
}

// The number right after `label` in the output (-1 if absent).
int64_t Printed(const std::string& out, const std::string& label) {
  const size_t at = out.find(label);
  EXPECT_NE(at, std::string::npos) << label << "\n" << out;
  if (at == std::string::npos) return -1;
  return std::strtoll(out.c_str() + at + label.size(), nullptr, 10);
}

// IR instructions of a bitcode file, as `passrl env` counts them.
int64_t CountOf(const std::string& bitcode_file) {
  const SubprocessResult r = Passrl({"env", "-b", bitcode_file});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return Printed(r.out, "IR instructions -O0 ");
}

// The rest of the line after `label`.
std::string LineAfter(const std::string& out, const std::string& label) {
  const size_t at = out.find(label);
  if (at == std::string::npos) return "";
  const size_t from = at + label.size();
  return out.substr(from, out.find('\n', from) - from);
}

TEST(OptimizeTest, ResultBeatsOzAndItsSequenceReplaysWithOpt16) {
  const std::string run = MakeRun(
      "with_library", envs::ActionSpaceHash(),
      absl::StrCat(R"({"sequences": [{"actions": ")", kGood, R"("}]})"));
  const std::string program = testing::SourceDir() + "/datasets/programs/nqueens.c";
  const std::string out_bc = testing::TempDir() + "/nqueens.opt.bc";
  const SubprocessResult r = Passrl({"optimize", program, "--policy", run + "/checkpoints",
                                     "--compilations", "4", "-o", out_bc});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const int64_t ir = Printed(r.out, "IR instructions: ");
  const int64_t oz = Printed(r.out.substr(r.out.find("IR instructions: ")), "-Oz ");
  EXPECT_LT(ir, oz);  // the library's sequence beats -Oz here (202 < 206)
  EXPECT_NE(r.out.find("output check: same output as -O0"), std::string::npos) << r.out;
  const std::string sequence = LineAfter(LineAfter(r.out, "sequence ("), "): ");
  ASSERT_FALSE(sequence.empty()) << r.out;
  // The printed sequence, as opt-16 pipelines on the program's unoptimised module (its IR as
  // passrl prints it), counted by passrl reading opt-16's output as a benchmark.
  const SubprocessResult o0 = Passrl({"env", "-b", program, "--print-ir"});
  ASSERT_EQ(o0.exit_code, 0) << o0.err;
  const std::string in = testing::TempDir() + "/nqueens.o0.ll", opt = testing::TempDir() + "/o.bc";
  ASSERT_TRUE(ReplaceFileDurably(in, o0.out.substr(o0.out.find("; ModuleID"))).ok());
  std::string pipeline;
  const std::vector<int> actions = *envs::ParseActionList(sequence);
  for (int a : actions) {
    pipeline += (pipeline.empty() ? "" : ",") + std::string(envs::Actions()[a].pipeline);
  }
  auto ran = RunSubprocess({"opt-16", "-passes=" + pipeline, in, "-o", opt}, {});
  ASSERT_TRUE(ran.ok() && ran->exit_code == 0) << (ran.ok() ? ran->err : "");
  EXPECT_EQ(CountOf(opt), ir);
  EXPECT_EQ(CountOf(out_bc), ir);  // the written module is the reported one
}

TEST(OptimizeTest, FallsBackToOzWhenNothingBeatsIt) {
  // One compilation of an untrained policy on a 4-step episode, no library.
  const std::string run = MakeRun("no_library", envs::ActionSpaceHash(), "");
  const std::string program = testing::SourceDir() + "/datasets/programs/crc32_table.c";
  const std::string out_bc = testing::TempDir() + "/crc.bc";
  const SubprocessResult r =
      Passrl({"optimize", program, "--policy", run + "/checkpoints", "--compilations", "1", "-o", out_bc});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const int64_t ir = Printed(r.out, "IR instructions: ");
  const int64_t oz = Printed(r.out.substr(r.out.find("IR instructions: ")), "-Oz ");
  EXPECT_LE(ir, oz);
  if (r.out.find("note: nothing found beats -Oz: returning -Oz") != std::string::npos) {
    EXPECT_EQ(ir, oz);
    EXPECT_NE(r.out.find("from -Oz"), std::string::npos) << r.out;
  }
  EXPECT_EQ(CountOf(out_bc), ir);
}

TEST(OptimizeTest, BadInputsAreOneLineErrors) {
  const std::string program = testing::SourceDir() + "/datasets/programs/nqueens.c";
  auto one_line = [](const SubprocessResult& r, const std::string& needle) {
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_LE(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  };
  one_line(Passrl({"optimize", program, "--policy", "/nonexistent/run"}), "no such file");
  one_line(Passrl({"optimize", program}), "--policy is required");
  const std::string other = MakeRun("other_space", envs::ActionSpaceHash() + 1, "");
  one_line(Passrl({"optimize", program, "--policy", other + "/checkpoints"}), "action");
  const std::string run = MakeRun("bad_inputs", envs::ActionSpaceHash(), "");
  const std::string junk = testing::TempDir() + "/junk.ll";
  ASSERT_TRUE(ReplaceFileDurably(junk, "this is not IR\n").ok());
  one_line(Passrl({"optimize", junk, "--policy", run + "/checkpoints"}), "junk.ll");
  const std::string bad_library = MakeRun("bad_library", envs::ActionSpaceHash(),
                                          R"({"sequences": [{"actions": "frobnicate"}]})");
  one_line(Passrl({"optimize", program, "--policy", bad_library + "/checkpoints"}), "frobnicate");
}

// `passrl library` on a small pool: two workers score and distil exactly what one does (each
// program's scores stay in its own column), and the one sequence that beats -Oz is picked first.
TEST(LibraryTest, TwoWorkersDistilWhatOneDoes) {
  const std::string pool = absl::StrCat(
      R"({"benchmarks": {"bundled/nqueens": {"actions": ")", kGood,
      R"(", "ratio_vs_oz": 1.01},
        "bundled/crc32_table": {"actions": "instcombine", "ratio_vs_oz": 0.9},
        "bundled/matmul_int": {"actions": "sroa,instcombine", "ratio_vs_oz": 0.8},
        "bundled/sieve_bitset": {"actions": "simplifycfg,sroa", "ratio_vs_oz": 0.7}}})");
  std::string libraries[2];
  for (int jobs : {1, 2}) {
    const std::string run = testing::TempDir() + "/library_j" + std::to_string(jobs);
    std::filesystem::create_directories(run);
    ASSERT_TRUE(ReplaceFileDurably(run + "/sequences.json", pool).ok());
    const SubprocessResult r = Passrl({"library", "--run", run, "--programs", "4",
                                       "--candidates", "4", "-j", std::to_string(jobs)});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("[4/4] bundled/"), std::string::npos) << r.out;
    ASSERT_TRUE(ReadFileToString(run + "/library.json", &libraries[jobs - 1]).ok());
  }
  EXPECT_EQ(libraries[0], libraries[1]);
  auto library = optimize::SequenceLibrary::FromJson(libraries[1]);
  ASSERT_TRUE(library.ok()) << library.status();
  ASSERT_FALSE(library->entries.empty()) << libraries[1];
  EXPECT_EQ(library->entries[0].actions, *envs::ParseActionList(kGood));
}

}  // namespace
}  // namespace passrl
