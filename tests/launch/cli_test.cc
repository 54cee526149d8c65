// The passrl binary as a user runs it: outputs, exit codes and one-line errors for bad input.
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_split.h"
#include "common/subprocess.h"
#include "envs/action_space.h"
#include "envs/llvm_env.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace passrl {
namespace {

class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    setenv("PASSRL_CACHE_DIR", testing::TestDatasetOptions().build.cache_dir.c_str(), 1);
    setenv("PASSRL_DATASETS_DIR", (testing::SourceDir() + "/datasets").c_str(), 1);
  }
  SubprocessResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), PASSRL_BINARY);
    SubprocessOptions options;
    options.timeout_seconds = 300;
    auto r = RunSubprocess(args, options);
    EXPECT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->term_signal, 0) << "crashed";
    return *r;
  }
  // A failed command prints exactly one line, naming `what`.
  void ExpectOneLineError(const SubprocessResult& r, int code, const std::string& what) {
    EXPECT_EQ(r.exit_code, code) << r.err;
    std::vector<std::string> lines = absl::StrSplit(r.err, '\n', absl::SkipEmpty());
    EXPECT_EQ(lines.size(), 1u) << r.err;
    EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
    EXPECT_EQ(r.err.rfind("passrl: error: ", 0), 0u) << r.err;
  }
};

TEST_F(CliTest, HelpListsCommands) {
  SubprocessResult r = Run({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"env", "dataset", "search", "actions"}) {
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
  }
  EXPECT_EQ(Run({"search", "--help"}).exit_code, 0);
}

TEST_F(CliTest, EnvPrintsStepsAndFinalCountsThatMatchTheLibrary) {
  SubprocessResult r =
      Run({"env", "--benchmark", "bundled/nqueens", "--actions", "sroa,instcombine,simplifycfg"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("step 3 simplifycfg"), std::string::npos) << r.out;
  envs::EnvOptions options;
  options.cache_dir = testing::TestDatasetOptions().build.cache_dir;
  auto env = *envs::LlvmEnv::Create(options);
  ASSERT_TRUE(
      env->Reset(*envs::LoadBenchmark("bundled/nqueens", testing::TestDatasetOptions())).ok());
  const std::vector<int> actions = *envs::ParseActionList("sroa,instcombine,simplifycfg");
  for (int a : actions) {
    auto step = env->Step(a);
    ASSERT_TRUE(step.ok()) << step.status();
  }
  const std::string expected =
      "final: IR instructions " + std::to_string(env->IrInstructionCount());
  EXPECT_NE(r.out.find(expected), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("-Oz " + std::to_string(env->baselines().ir_oz)), std::string::npos);
}

TEST_F(CliTest, ActionsListsTheWholeSpace) {
  SubprocessResult r = Run({"actions"});
  ASSERT_EQ(r.exit_code, 0);
  std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  EXPECT_EQ(lines.size(), static_cast<size_t>(envs::kNumActions + 1));
}

TEST_F(CliTest, DatasetListShowsBundledPrograms) {
  SubprocessResult r = Run({"dataset", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  EXPECT_GE(lines.size(), 25u);
}

TEST_F(CliTest, DatasetListShowsTheSplitAndFiltersByIt) {
  SubprocessResult test = Run({"dataset", "list", "--dataset", "csmith", "--split", "test",
                               "--csmith-count", "3"});
  ASSERT_EQ(test.exit_code, 0) << test.err;
  EXPECT_EQ(test.out, "csmith/1\ttest\ncsmith/2\ttest\ncsmith/3\ttest\n");
  SubprocessResult train = Run({"dataset", "list", "--dataset", "csmith", "--split", "train",
                                "--csmith-count", "1"});
  EXPECT_EQ(train.out, "csmith/2001\ttrain\n");
  ExpectOneLineError(Run({"dataset", "list", "--split", "tests"}), 1, "unknown split 'tests'");
}

// Search over a split: one row per benchmark, each a real search, and the geomean with its
// bootstrap interval.
TEST_F(CliTest, SearchOverASplitReportsEachBenchmarkAndTheGeomean) {
  const std::string dir = testing::TempDir() + "/programs";
  std::filesystem::create_directories(dir);
  for (const char* name : {"crc32_table", "bit_tricks"}) {
    std::filesystem::copy_file(testing::SourceDir() + "/datasets/programs/" + name + ".c",
                               dir + "/" + name + ".c");
  }
  SubprocessResult r = Run({"search", "--dataset", dir, "--split", "all", "--budget", "1",
                            "--episodes", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("[1/2] " + dir + "/bit_tricks.c"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[2/2] " + dir + "/crc32_table.c"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("geomean over 2: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(95% CI)"), std::string::npos) << r.out;
  ExpectOneLineError(Run({"search", "--budget", "1"}), 1, "give one of --benchmark or --dataset");
}

TEST_F(CliTest, SearchReportsBestSequenceThatReplays) {
  SubprocessResult r = Run({"search", "--benchmark", "bundled/crc32_table", "--method", "random",
                            "--episodes", "5", "--budget", "100", "--seed", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const size_t at = r.out.find("best sequence (");
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string seq =
      r.out.substr(r.out.find(": ", at) + 2, r.out.find('\n', at) - r.out.find(": ", at) - 2);
  const size_t cost_at = r.out.find("best cost ");
  const long long best = std::atoll(r.out.c_str() + cost_at + 10);
  SubprocessResult replay = Run({"env", "--benchmark", "bundled/crc32_table", "--actions", seq,
                                 "--observation", "ActionHistogram"});
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_NE(replay.out.find("final: IR instructions " + std::to_string(best)), std::string::npos)
      << replay.out;
}

// The search runs LLVM in a child: when it crashes (a test hook aborts the search with seed 7
// after a second, as a crashing pass would), the best found so far is kept and random search
// finishes its budget with the next seed; greedy search stops with what it has.
TEST_F(CliTest, SearchSurvivesACrashingSearchProcess) {
  setenv("PASSRL_TEST_CRASH_SEARCH_SEED", "7", 1);
  SubprocessResult random = Run({"search", "-b", "bundled/crc32_table", "--method", "random",
                                 "--budget", "4", "--seed", "7"});
  // Greedy search on a larger program, so it runs past its first progress report.
  SubprocessResult greedy = Run({"search", "-b", "bundled/bytecode_vm", "--method", "greedy",
                                 "--budget", "4", "--seed", "7"});
  unsetenv("PASSRL_TEST_CRASH_SEARCH_SEED");
  ASSERT_EQ(random.exit_code, 0) << random.err;
  EXPECT_NE(random.out.find("1 LLVM crash(es) survived"), std::string::npos) << random.out;
  EXPECT_NE(random.err.find("going on with the next seed"), std::string::npos) << random.err;
  ASSERT_EQ(greedy.exit_code, 0) << greedy.err;
  EXPECT_NE(greedy.err.find("stopping with the best so far"), std::string::npos) << greedy.err;
  const std::pair<const SubprocessResult*, const char*> runs[] = {
      {&random, "bundled/crc32_table"}, {&greedy, "bundled/bytecode_vm"}};
  for (const auto& [r, benchmark] : runs) {
    // The reported best is real: replaying it gives the reported cost.
    const std::string out = r->out;
    const size_t at = out.find("best cost ");
    ASSERT_NE(at, std::string::npos) << out;
    const long long cost = std::atoll(out.c_str() + at + 10);
    const size_t seq = out.find("): ", out.find("best sequence"));
    const std::string actions = out.substr(seq + 3, out.find('\n', seq) - seq - 3);
    if (actions.empty()) continue;  // nothing beat -O0 before the crash
    SubprocessResult replay =
        Run({"env", "-b", benchmark, "-a", actions, "--observation", "ActionHistogram"});
    EXPECT_NE(replay.out.find("final: IR instructions " + std::to_string(cost)), std::string::npos)
        << actions;
  }
}

TEST_F(CliTest, UnknownPassIsAOneLineError) {
  ExpectOneLineError(Run({"env", "-b", "bundled/nqueens", "-a", "gvn,frobnicate"}), 1,
                     "unknown pass 'frobnicate'");
}

TEST_F(CliTest, MissingFileIsAOneLineError) {
  ExpectOneLineError(Run({"env", "-b", "/nonexistent/prog.c"}), 1, "/nonexistent/prog.c");
}

TEST_F(CliTest, MalformedIrIsAOneLineError) {
  const std::string ll =
      testing::WriteTempFile("bad.ll", "define i32 @main() {\n  ret i32 %x\n}\n");
  ExpectOneLineError(Run({"env", "-b", ll}), 1, "bad.ll:2:");
}

TEST_F(CliTest, CThatDoesNotCompileIsAOneLineError) {
  const std::string c = testing::WriteTempFile("broken.c", "int main(void) { return nope; }\n");
  ExpectOneLineError(Run({"env", "-b", c}), 1, "broken.c: does not compile");
}

TEST_F(CliTest, EmptyDatasetFolderIsAOneLineError) {
  const std::string dir = testing::TempDir();
  ExpectOneLineError(Run({"dataset", "build", "--dataset", dir}), 1, "has no .c, .ll or .bc files");
}

// A module without a program to run (here a .ll with main, but not built from C; Debian modules
// alike) is size-only: a runtime reward says so at once, on one line.
TEST_F(CliTest, RuntimeRewardOnASizeOnlyModuleIsAOneLineError) {
  const std::string ll = testing::WriteTempFile(
      "lib.ll", "define i32 @main() {\n  ret i32 0\n}\n");
  ExpectOneLineError(Run({"env", "-b", ll, "--actions", "sroa", "--reward", "RuntimeNorm"}), 1,
                     "is size-only: runtime rewards and --validate need a program with main()");
}

// "Is this sequence faster than -O3 on my machine?": the paired speedup, its interval and runs;
// the same object code is reported as such without running anything.
TEST_F(CliTest, MeasureAgainstPrintsThePairedSpeedup) {
  SubprocessResult r =
      Run({"measure", "-b", "bundled/fft_radix2", "--passes=-O3", "--against=-O0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("speedup of A over B: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("A is faster"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pairs interleaved on one pinned core (BAB"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("matches the -O0 build"), std::string::npos) << r.out;
  r = Run({"measure", "-b", "bundled/fft_radix2", "--passes=-O3", "--against=-O3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("same object code"), std::string::npos) << r.out;
  ExpectOneLineError(Run({"measure", "-b", "bundled/fft_radix2", "--passes", "sroa",
                          "--against", "no-such-pass"}),
                     1, "no-such-pass");
}

TEST_F(CliTest, BadFlagsAreOneLineErrors) {
  ExpectOneLineError(Run({"env", "-b", "bundled/nqueens", "--bogus-flag"}), 2, "--bogus-flag");
  ExpectOneLineError(Run({"search", "-b", "bundled/nqueens", "--method", "astar"}), 2, "astar");
  ExpectOneLineError(Run({"search", "-b", "bundled/nqueens", "--budget", "-1"}), 2, "--budget");
  ExpectOneLineError(Run({"env", "-b", "bundled/nqueens", "--reward", "Speed"}), 1, "'Speed'");
  ExpectOneLineError(Run({}), 2, "subcommand");
}

}  // namespace
}  // namespace passrl
