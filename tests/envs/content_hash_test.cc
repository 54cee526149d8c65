// envs::ContentHash: alike for the same module in another context or with other local names,
// different for each kind of change, and, over states that real passes reach, alike exactly when
// the printed IR (local names aside) is.
#include "envs/content_hash.h"

#include <cctype>
#include <cstring>
#include <map>
#include <random>
#include <string>

#include "envs/action_space.h"
#include "envs/dataset.h"
#include "envs/llvm_env.h"
#include "envs/llvm_util.h"
#include "gtest/gtest.h"
#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/SourceMgr.h"
#include "tests/test_util.h"

namespace passrl::envs {
namespace {

constexpr char kModule[] = R"(
@table = internal constant [2 x i32] [i32 1, i32 2]
define i32 @f(i32 %x, i32 %y) #0 {
entry:
  %a = add nsw i32 %x, 1
  %b = mul i32 %a, %y
  %c = icmp slt i32 %b, 10
  br i1 %c, label %then, label %done, !prof !0
then:
  %d = sub i32 %b, 3
  br label %done
done:
  %r = phi i32 [ %b, %entry ], [ %d, %then ]
  ret i32 %r
}
define void @g() {
  call void asm sideeffect "nop", ""()
  ret void
}
attributes #0 = { nounwind }
!0 = !{!"branch_weights", i32 1, i32 2}
)";

uint64_t HashOf(const std::string& ir) {
  llvm::LLVMContext context;
  llvm::SMDiagnostic error;
  std::unique_ptr<llvm::Module> module = llvm::parseAssemblyString(ir, error, context);
  EXPECT_NE(module, nullptr) << error.getMessage().str() << "\n" << ir;
  return module == nullptr ? 0 : ContentHash(*module);
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

TEST(ContentHashTest, TheSameModuleInAnotherContextOrWithOtherNamesHashesAlike) {
  EXPECT_EQ(HashOf(kModule), HashOf(kModule));  // each parse: a new context
  std::string renamed = kModule;
  for (const char* name : {"%x", "%y", "%a", "%b", "%c", "%d", "%r", "%then", "%done"}) {
    const std::string to = std::string("%local_") + (name + 1);
    for (size_t at = renamed.find(name); at != std::string::npos;
         at = renamed.find(name, at + to.size())) {
      if (std::isalnum(static_cast<unsigned char>(renamed[at + strlen(name)]))) continue;
      renamed.replace(at, strlen(name), to);
    }
  }
  renamed = Replace(Replace(renamed, "then:", "local_then:"), "done:", "local_done:");
  ASSERT_NE(renamed.find("%local_then"), std::string::npos);
  EXPECT_EQ(HashOf(renamed), HashOf(kModule)) << renamed;
}

TEST(ContentHashTest, EachKindOfChangeHashesDifferently) {
  const std::vector<std::pair<std::string, std::string>> changes = {
      {"add nsw", "add"},                                                  // a flag
      {"%x, 1", "%x, 2"},                                                  // a constant operand
      {"mul i32 %a, %y", "mul i32 %y, %a"},                                // operand order
      {"icmp slt", "icmp sgt"},                                            // a predicate
      {"[i32 1, i32 2]", "[i32 1, i32 3]"},                                // an initializer
      {"internal constant", "internal global"},                            // constness
      {"{ nounwind }", "{ nounwind noinline }"},                           // an attribute
      {"i32 1, i32 2}", "i32 1, i32 3}"},                                  // metadata
      {"[ %b, %entry ], [ %d, %then ]", "[ %b, %then ], [ %d, %entry ]"},  // incoming blocks
      {"define i32 @f", "define internal i32 @f"},                         // linkage
      {"asm sideeffect \"nop\"", "asm sideeffect \"pause\""},  // inline assembly
      {"define void @g()", "define dso_local void @g()"},         // dso_local
      {"define void @g()", "define void @g() section \"s\""},     // a section
      {"@table", "@table2"},                                               // a global's name
  };
  std::map<uint64_t, std::string> seen = {{HashOf(kModule), "the module"}};
  for (const auto& [from, to] : changes) {
    const uint64_t h = HashOf(Replace(kModule, from, to));
    auto [it, fresh] = seen.emplace(h, from + " -> " + to);
    EXPECT_TRUE(fresh) << from << " -> " << to << " hashes like " << it->second;
  }
}

// The printed IR with every local value unnamed: what two states must share to be one.
std::string Unnamed(const std::string& bitcode) {
  llvm::LLVMContext context;
  auto module = ParseBitcode(bitcode, context, "state");
  EXPECT_TRUE(module.ok()) << module.status();
  for (llvm::Function& f : **module) {
    for (llvm::Argument& arg : f.args()) arg.setName("");
    for (llvm::BasicBlock& block : f) {
      block.setName("");
      for (llvm::Instruction& i : block) {
        if (!i.getType()->isVoidTy()) i.setName("");
      }
    }
  }
  return PrintIr(**module);
}

// Random walks on two bundled programs: equal hashes exactly where the unnamed IR is equal, the
// same hash for the env's module and its bitcode parsed elsewhere, and states reached more than
// one way (what the search gains from).
TEST(ContentHashTest, OverStatesPassesReachHashesAreAlikeExactlyWhenTheIrIs) {
  EnvOptions options;
  options.cache_dir = testing::TestDatasetOptions().build.cache_dir;
  auto env = LlvmEnv::Create(options);
  ASSERT_TRUE(env.ok()) << env.status();
  const std::vector<int> actions = SearchActions({});
  std::mt19937_64 rng(3);
  int reached_another_way = 0;
  for (const char* name : {"bundled/nqueens", "bundled/crc32_table"}) {
    const Benchmark benchmark = *LoadBenchmark(name, testing::TestDatasetOptions());
    std::map<uint64_t, std::string> by_hash;
    std::map<std::string, uint64_t> by_ir;
    std::map<uint64_t, std::vector<int>> first_path;  // the changing actions that reached it
    for (int walk = 0; walk < 60; ++walk) {
      ASSERT_TRUE((*env)->Reset(benchmark).ok());
      std::vector<int> path;
      for (int step = 0; step < 6; ++step) {
        const int a = actions[std::uniform_int_distribution<size_t>(0, actions.size() - 1)(rng)];
        auto result = (*env)->Step(a);
        ASSERT_TRUE(result.ok()) << result.status();
        if (result->done) break;
        if (result->info.changed) path.push_back(a);
        const uint64_t h = (*env)->StateHash();
        const std::string bitcode = (*env)->Bitcode();
        const std::string ir = Unnamed(bitcode);
        llvm::LLVMContext elsewhere;
        EXPECT_EQ(ContentHash(**ParseBitcode(bitcode, elsewhere, "copy")), h) << name;
        auto [hi, new_hash] = by_hash.emplace(h, ir);
        auto [ii, new_ir] = by_ir.emplace(ir, h);
        EXPECT_EQ(new_hash, new_ir) << name << ": one hash for two modules, or two for one";
        EXPECT_EQ(hi->second, ir) << name;
        EXPECT_EQ(ii->second, h) << name;
        auto [pi, new_path] = first_path.emplace(h, path);
        reached_another_way += pi->second != path;
      }
    }
  }
  EXPECT_GT(reached_another_way, 0);
}

}  // namespace
}  // namespace passrl::envs
