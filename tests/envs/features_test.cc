#include "envs/features.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "envs/llvm_util.h"
#include "gtest/gtest.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "tests/test_util.h"

namespace passrl::envs {
namespace {

// Hand-counted: 2 functions with bodies, 4 blocks, 14 instructions; see the expectations below.
constexpr char kIr[] = R"(
define i32 @f(i32 %n) {
entry:
  %c = icmp sgt i32 %n, 0
  br i1 %c, label %loop, label %exit
loop:
  %i = phi i32 [ 0, %entry ], [ %i2, %loop ]
  %s = phi i32 [ 1, %entry ], [ %s2, %loop ]
  %s2 = add i32 %s, %i
  %i2 = add i32 %i, 1
  %d = icmp slt i32 %i2, %n
  br i1 %d, label %loop, label %exit
exit:
  %r = phi i32 [ 0, %entry ], [ %s2, %loop ]
  ret i32 %r
}
declare i32 @g()
define i64 @h() {
  %x = call i32 @g()
  %y = zext i32 %x to i64
  %z = mul i64 %y, 64
  ret i64 %z
}
)";

std::map<std::string, int64_t> Named(const std::vector<std::string>& names,
                                     const std::vector<int64_t>& values) {
  std::map<std::string, int64_t> m;
  for (size_t i = 0; i < names.size(); ++i) m[names[i]] = values[i];
  return m;
}

class FeaturesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = ParseIrText(kIr, context_, "features.ll");
    ASSERT_TRUE(m.ok()) << m.status();
    module_ = std::move(*m);
  }
  llvm::LLVMContext context_;
  std::unique_ptr<llvm::Module> module_;
};

TEST_F(FeaturesTest, NamesAreUniqueAndSized) {
  EXPECT_EQ(AutophaseFeatureNames().size(), static_cast<size_t>(kAutophaseSize));
  EXPECT_EQ(InstCountFeatureNames().size(), static_cast<size_t>(kInstCountSize));
  for (const auto* names : {&AutophaseFeatureNames(), &InstCountFeatureNames()}) {
    EXPECT_EQ(std::set<std::string>(names->begin(), names->end()).size(), names->size());
  }
}

TEST_F(FeaturesTest, AutophaseMatchesHandCount) {
  auto f = Named(AutophaseFeatureNames(), ComputeAutophase(*module_));
  const std::map<std::string, int64_t> expected = {
      {"TotalFuncs", 2},   {"TotalBlocks", 4},    {"TotalInsts", 14},    {"NumAddInst", 2},
      {"NumPHIInst", 3},   {"BranchCount", 2},    {"UncondBranches", 0}, {"NumICmpInst", 2},
      {"NumRetInst", 2},   {"NumCallInst", 1},    {"NumZExtInst", 1},    {"NumMulInst", 1},
      {"NumEdges", 4},     {"CriticalCount", 4},  {"onePred", 0},        {"twoPred", 2},
      {"twoSuccessor", 2}, {"twoEach", 1},        {"BB03Phi", 2},        {"BBNoPhi", 2},
      {"BBHiPhi", 0},      {"BeginPhi", 3},       {"ArgsPhi", 6},        {"BBNumArgsLo", 2},
      {"BBNumArgsHi", 0},  {"const32Bit", 5},     {"const64Bit", 1},     {"numConstZeroes", 3},
      {"numConstOnes", 2}, {"binaryConstArg", 2}, {"returnInt", 1},      {"BlockLow", 4},
      {"BlockMid", 0},     {"testUnary", 1},      {"TotalMemInst", 0},   {"NumLoadInst", 0},
  };
  for (const auto& [name, value] : expected) EXPECT_EQ(f.at(name), value) << name;
}

TEST_F(FeaturesTest, InstCountMatchesHandCountAndSumsToTotal) {
  std::vector<int64_t> v = ComputeInstCount(*module_);
  auto f = Named(InstCountFeatureNames(), v);
  EXPECT_EQ(f.at("TotalInstsCount"), 14);
  EXPECT_EQ(f.at("TotalBlocksCount"), 4);
  EXPECT_EQ(f.at("TotalFuncsCount"), 2);
  EXPECT_EQ(f.at("AddCount"), 2);
  EXPECT_EQ(f.at("PHICount"), 3);
  EXPECT_EQ(f.at("BrCount"), 2);
  EXPECT_EQ(f.at("ZExtCount"), 1);
  EXPECT_EQ(std::accumulate(v.begin() + 3, v.end(), int64_t{0}), v[0]);
  EXPECT_EQ(CountInstructions(*module_), 14);
}

TEST(FeaturesOnBundledTest, InstructionCountAgreesWithLlvmDis) {
  for (const Benchmark& b : testing::BundledBenchmarks(8)) {
    llvm::LLVMContext context;
    auto m = ParseBitcode(b.bitcode, context, b.name);
    ASSERT_TRUE(m.ok());
    const int64_t ours = CountInstructions(**m);
    EXPECT_EQ(ours, testing::CountInstructionsWithLlvmDis(b.bitcode)) << b.name;
    EXPECT_EQ(ComputeAutophase(**m)[51], ours) << "TotalInsts";
    EXPECT_EQ(ComputeInstCount(**m)[0], ours) << "TotalInstsCount";
  }
}

}  // namespace
}  // namespace passrl::envs
