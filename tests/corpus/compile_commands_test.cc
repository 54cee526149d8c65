#include "corpus/compile_commands.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "common/file_cache.h"
#include "common/subprocess.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace passrl::corpus {
namespace {

bool Has(const std::vector<std::string>& argv, const std::string& arg) {
  return std::find(argv.begin(), argv.end(), arg) != argv.end();
}

TEST(CompileCommandsTest, KeepsEachCCompileOnceAndSkipsTheRest) {
  const std::string json = R"([
    {"directory": "/src", "file": "a.c", "arguments": ["clang-16", "-c", "-O2", "a.c", "-o", "a.o"]},
    {"directory": "/src", "file": "a.c", "arguments": ["clang-16", "-c", "-fPIC", "a.c", "-o", "a.lo"]},
    {"directory": "/src", "file": "b.cc", "arguments": ["clang++", "-c", "b.cc"]},
    {"directory": "/src", "file": "c.c", "arguments": ["clang-16", "-E", "c.c"]},
    {"directory": "/src", "file": "d.S", "arguments": ["clang-16", "-c", "d.S"]},
    {"directory": "/src", "file": "e.c", "arguments": ["clang-16", "e.c", "-o", "e"]},
    {"directory": "/src/sub", "file": "../f.c", "command": "gcc -c -DNAME=\"x y\" ../f.c"}
  ])";
  auto commands = ParseCompileCommands(json);
  ASSERT_TRUE(commands.ok()) << commands.status();
  ASSERT_EQ(commands->size(), 2u);
  EXPECT_EQ((*commands)[0].file, "/src/a.c");
  EXPECT_TRUE(Has((*commands)[0].argv, "-O2")) << "the first compile of a.c wins";
  EXPECT_EQ((*commands)[1].file, "/src/f.c");
  EXPECT_TRUE(Has((*commands)[1].argv, "-DNAME=x y"));
  EXPECT_FALSE(ParseCompileCommands("{not json").ok());
}

TEST(CompileCommandsTest, SplitsShellCommandLines) {
  EXPECT_EQ(SplitCommandLine(R"(cc -c 'a b' "c\"d" e\ f  g)"),
            (std::vector<std::string>{"cc", "-c", "a b", "c\"d", "e f", "g"}));
}

TEST(CompileCommandsTest, BitcodeCommandKeepsThePackagesFlagsAndUsesPassrls) {
  CompileCommand c{"/src", "/src/x.c",
                   {"gcc", "-DA=1", "-I", "inc", "-Iinc2", "-std=gnu99", "-O2", "-g", "-Wall",
                    "-Werror", "-MD", "-MF", "x.d", "-flto", "-fsanitize=address", "-c", "x.c",
                    "-o", "x.o"}};
  const auto argv = BitcodeCommand(c, "clang-16", "/out/x.bc");
  EXPECT_EQ(argv[0], "clang-16");
  for (const char* kept : {"-DA=1", "-I", "inc", "-Iinc2", "-std=gnu99"}) {
    EXPECT_TRUE(Has(argv, kept)) << kept;
  }
  for (const char* dropped : {"-O2", "-g", "-Wall", "-Werror", "-MD", "x.d", "-flto",
                              "-fsanitize=address", "x.o", "x.c"}) {
    EXPECT_FALSE(Has(argv, dropped)) << dropped;
  }
  for (const char* ours : {"-O1", "-disable-llvm-passes", "-emit-llvm", "/src/x.c", "/out/x.bc"}) {
    EXPECT_TRUE(Has(argv, ours)) << ours;
  }
}

// The rewritten command really compiles the unit with the package's defines and includes: the
// bitcode holds the value the define and the header give, and no optimisation ran (the local
// variable's alloca is still there).
TEST(CompileCommandsTest, RewrittenCommandEmitsUnoptimisedBitcodeWithThePackagesDefines) {
  const std::string dir = testing::TempDir() + "/pkg";
  std::filesystem::create_directories(dir + "/inc");
  std::ofstream(dir + "/inc/config.h") << "#define BASE 40\n";
  std::ofstream(dir + "/x.c") << "#include \"config.h\"\nint answer(void) { int v = BASE + EXTRA;"
                                 " return v; }\n";
  CompileCommand c{dir, dir + "/x.c",
                   {"cc", "-Iinc", "-DEXTRA=2", "-O3", "-c", "x.c", "-o", "x.o"}};
  const std::string out = dir + "/x.bc";
  SubprocessOptions run;
  run.working_dir = dir;
  auto clang = RunSubprocess(BitcodeCommand(c, "clang-16", out), run);
  ASSERT_TRUE(clang.ok() && clang->ok()) << (clang.ok() ? clang->err : clang.status().ToString());
  auto dis = RunSubprocess({"llvm-dis-16", out, "-o", "-"});
  ASSERT_TRUE(dis.ok() && dis->ok());
  EXPECT_NE(dis->out.find("store i32 42"), std::string::npos) << dis->out;
  EXPECT_NE(dis->out.find("alloca"), std::string::npos) << "optimised: " << dis->out;
}

// Old C that GCC accepts and clang 16 rejects by default (bc's dc sources call undeclared
// functions) still becomes a module.
TEST(CompileCommandsTest, OldCThatClang16RejectsByDefaultStillCompiles) {
  const std::string dir = testing::TempDir() + "/old";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/old.c") << "int main(void) { helper(3); return 0; }\nhelper(int x) { return x; }\n";
  CompileCommand c{dir, dir + "/old.c", {"cc", "-c", "old.c"}};
  SubprocessOptions run;
  run.working_dir = dir;
  auto plain = RunSubprocess({"clang-16", "-c", "old.c", "-o", "/dev/null"}, run);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->ok()) << "clang 16 should reject this by default";
  auto clang = RunSubprocess(BitcodeCommand(c, "clang-16", dir + "/old.bc"), run);
  ASSERT_TRUE(clang.ok());
  EXPECT_TRUE(clang->ok()) << clang->err;
}

}  // namespace
}  // namespace passrl::corpus
