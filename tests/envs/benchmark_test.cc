#include "envs/benchmark.h"

#include "envs/dataset.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace passrl::envs {
namespace {

using ::passrl::testing::WriteTempFile;

constexpr char kC[] =
    "int square(int x) { return x * x; }\nint main(void) { return square(3) - 9; }\n";

BenchmarkBuildOptions Build() { return testing::TestDatasetOptions().build; }

bool Mentions(const absl::Status& s, const std::string& what) {
  return std::string(s.message()).find(what) != std::string::npos;
}

TEST(BenchmarkTest, BuildsFromCAndIsRunnable) {
  const std::string path = WriteTempFile("square.c", kC);
  auto b = BuildBenchmark("square", {path}, Build());
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_FALSE(b->bitcode.empty());
  EXPECT_TRUE(b->runnable);
  // The compiled-bitcode cache gives back the identical module.
  auto again = BuildBenchmark("square", {path}, Build());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->hash, b->hash);
}

TEST(BenchmarkTest, BuildsFromBitcodeAndTextIrWithTheSameModule) {
  auto from_c = BuildBenchmark("square", {WriteTempFile("sq.c", kC)}, Build());
  ASSERT_TRUE(from_c.ok());
  const std::string bc = WriteTempFile("sq.bc", from_c->bitcode);
  auto from_bc = BuildBenchmark("square", {bc}, Build());
  ASSERT_TRUE(from_bc.ok()) << from_bc.status();
  EXPECT_EQ(from_bc->hash, from_c->hash);
  const std::string ll =
      WriteTempFile("sq.ll", "define i32 @main() {\n  %a = add i32 1, 2\n  ret i32 %a\n}\n");
  auto from_ll = BuildBenchmark("ll", {ll}, Build());
  ASSERT_TRUE(from_ll.ok()) << from_ll.status();
  EXPECT_FALSE(from_ll->runnable);
}

TEST(BenchmarkTest, LinksSeveralFiles) {
  const std::string a =
      WriteTempFile("a.c", "int helper(int);\nint main(void) { return helper(2); }\n");
  const std::string b = WriteTempFile("b.c", "int helper(int x) { return x - 2; }\n");
  auto linked = BuildBenchmark("ab", {a, b}, Build());
  ASSERT_TRUE(linked.ok()) << linked.status();
  EXPECT_EQ(linked->sources.size(), 2u);
}

TEST(BenchmarkTest, MissingFileIsNamed) {
  auto b = BuildBenchmark("x", {"/nonexistent/prog.c"}, Build());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Mentions(b.status(), "/nonexistent/prog.c")) << b.status();
}

TEST(BenchmarkTest, MalformedIrNamesFileAndLine) {
  const std::string ll = WriteTempFile("bad.ll", "define i32 @main() {\n  %a = frob i32 1\n}\n");
  auto b = BuildBenchmark("bad", {ll}, Build());
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(Mentions(b.status(), "bad.ll:2:")) << b.status();
  EXPECT_TRUE(Mentions(b.status(), "malformed IR")) << b.status();
}

TEST(BenchmarkTest, InvalidIrIsCaughtByTheVerifier) {
  // Parses, but the block has no terminator.
  const std::string ll =
      WriteTempFile("noterm.ll", "define i32 @main() {\n  %a = add i32 1, 2\n}\n");
  auto b = BuildBenchmark("noterm", {ll}, Build());
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(Mentions(b.status(), "noterm.ll")) << b.status();
}

TEST(BenchmarkTest, GarbageBitcodeIsRejected) {
  const std::string bc = WriteTempFile("garbage.bc", "this is not bitcode");
  auto b = BuildBenchmark("garbage", {bc}, Build());
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(Mentions(b.status(), "garbage.bc: malformed bitcode")) << b.status();
}

TEST(BenchmarkTest, CThatDoesNotCompileNamesFileAndError) {
  const std::string c = WriteTempFile("broken.c", "int main(void) { return undeclared_thing; }\n");
  auto b = BuildBenchmark("broken", {c}, Build());
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(Mentions(b.status(), "broken.c: does not compile")) << b.status();
  EXPECT_TRUE(Mentions(b.status(), "undeclared_thing")) << b.status();
}

TEST(BenchmarkTest, UnknownExtensionIsRejected) {
  auto b = BuildBenchmark("x", {WriteTempFile("prog.cpp", "int main(){}")}, Build());
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(Mentions(b.status(), "unsupported file type '.cpp'")) << b.status();
}

}  // namespace
}  // namespace passrl::envs
