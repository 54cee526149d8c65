#include "envs/dataset.h"

#include <chrono>
#include <filesystem>

#include "common/file_cache.h"
#include "common/subprocess.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace passrl::envs {
namespace {

using ::passrl::testing::TestDatasetOptions;

bool Mentions(const absl::Status& s, const std::string& what) {
  return std::string(s.message()).find(what) != std::string::npos;
}

TEST(DatasetTest, BundledHasAtLeast25Programs) {
  auto dataset = OpenDataset("bundled", TestDatasetOptions());
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  const auto names = (*dataset)->BenchmarkNames();
  EXPECT_GE(names.size(), 25u);
  for (const auto& name : names) EXPECT_EQ(name.rfind("bundled/", 0), 0u) << name;
}

// Every bundled program builds into a benchmark, and as a native -O0 binary it exits 0 and prints
// a deterministic "checksum: N" last line (the runtime reward validates against this output).
TEST(DatasetTest, BundledProgramsAreSelfCheckingAndDeterministic) {
  const std::string dir = testing::TempDir();
  auto dataset = OpenDataset("bundled", TestDatasetOptions());
  ASSERT_TRUE(dataset.ok());
  for (const std::string& name : (*dataset)->BenchmarkNames()) {
    auto b = (*dataset)->Load(name);
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_TRUE(b->runnable) << name;
    const std::string exe = dir + "/" + name.substr(8);
    auto cc = RunSubprocess({"clang-16", "-O0", "-w", b->sources[0], "-o", exe, "-lm"});
    ASSERT_TRUE(cc.ok() && cc->ok()) << name << ": " << (cc.ok() ? cc->err : "");
    SubprocessOptions run;
    run.timeout_seconds = 30;
    std::string first;
    for (int i = 0; i < 2; ++i) {
      const auto start = std::chrono::steady_clock::now();
      auto r = RunSubprocess({exe}, run);
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      ASSERT_TRUE(r.ok() && r->ok()) << name << ": " << (r.ok() ? r->Describe() : "");
      const std::string& out = r->out;
      ASSERT_FALSE(out.empty()) << name;
      const size_t last = out.rfind('\n', out.size() - 2);
      const std::string last_line = out.substr(last == std::string::npos ? 0 : last + 1);
      EXPECT_EQ(last_line.rfind("checksum: ", 0), 0u) << name << " ends with: " << last_line;
      if (i == 0) {
        first = out;
        std::printf("%-32s %.3f s at -O0\n", name.c_str(), secs);
      } else {
        EXPECT_EQ(out, first) << name << " is not deterministic";
      }
    }
  }
}

TEST(DatasetTest, CsmithIsReproducibleFromSeed) {
  if (FindOnPath("csmith").empty()) GTEST_SKIP() << "csmith is not installed";
  DatasetOptions options = TestDatasetOptions();
  auto a = LoadBenchmark("csmith/7", options);
  ASSERT_TRUE(a.ok()) << a.status();
  // A fresh cache regenerates the program from the seed: same module.
  options.build.cache_dir = testing::TempDir();
  auto again = LoadBenchmark("csmith/7", options);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(a->hash, again->hash);
  auto other = LoadBenchmark("csmith/8", options);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_NE(a->hash, other->hash);
  auto dataset = OpenDataset("csmith", options);
  ASSERT_TRUE(dataset.ok());
  EXPECT_EQ((*dataset)->BenchmarkNames().size(), static_cast<size_t>(options.csmith_count));
}

TEST(DatasetTest, UserFolderListsEveryIrFile) {
  const std::string dir = testing::TempDir();
  ASSERT_TRUE(WriteFileAtomically(dir + "/ignored.txt", "x").ok());
  ASSERT_TRUE(std::filesystem::copy_file(testing::SourceDir() + "/datasets/programs/nqueens.c",
                                         dir + "/nqueens.c"));
  std::filesystem::copy_file(testing::SourceDir() + "/datasets/programs/crc32_table.c",
                             dir + "/crc32_table.c");
  auto dataset = OpenDataset(dir, TestDatasetOptions());
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  auto names = (*dataset)->BenchmarkNames();
  ASSERT_EQ(names.size(), 2u);
  EXPECT_TRUE((*dataset)->Load(names[0]).ok());
}

TEST(DatasetTest, EmptyFolderIsAnError) {
  const std::string dir = testing::TempDir();
  auto dataset = OpenDataset(dir, TestDatasetOptions());
  ASSERT_FALSE(dataset.ok());
  EXPECT_TRUE(Mentions(dataset.status(), dir)) << dataset.status();
  EXPECT_TRUE(Mentions(dataset.status(), "no .c, .ll or .bc files")) << dataset.status();
}

TEST(DatasetTest, UnknownDatasetAndBenchmarkAreNamed) {
  auto dataset = OpenDataset("no-such-dataset", TestDatasetOptions());
  ASSERT_FALSE(dataset.ok());
  EXPECT_TRUE(Mentions(dataset.status(), "no-such-dataset"));
  auto b = LoadBenchmark("bundled/no_such_program", TestDatasetOptions());
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(Mentions(b.status(), "bundled/no_such_program")) << b.status();
}

}  // namespace
}  // namespace passrl::envs
