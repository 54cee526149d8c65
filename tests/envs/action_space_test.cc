#include "envs/action_space.h"

#include <set>

#include "envs/llvm_util.h"
#include "envs/pass_runner.h"
#include "gtest/gtest.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

namespace passrl::envs {
namespace {

constexpr char kTinyIr[] = R"(
target triple = "x86_64-pc-linux-gnu"
define i32 @main() {
entry:
  %a = add i32 1, 2
  ret i32 %a
}
)";

TEST(ActionSpaceTest, HasAtLeast100UniqueTransformPasses) {
  EXPECT_GE(kNumActions, 100);
  EXPECT_EQ(static_cast<int>(Actions().size()), kNumActions);
  std::set<std::string> names;
  for (const ActionSpec& a : Actions()) {
    EXPECT_TRUE(names.insert(std::string(a.name)).second) << "duplicate " << a.name;
    const std::string pipeline(a.pipeline);
    for (const char* banned : {"print", "verify", "dot-", "view-", "instcount", "aa-eval"}) {
      EXPECT_EQ(pipeline.find(banned), std::string::npos) << a.name << " is not a transform";
    }
  }
}

TEST(ActionSpaceTest, EveryPipelineParsesAndRunsInLlvm16) {
  llvm::LLVMContext context;
  auto module = ParseIrText(kTinyIr, context, "tiny.ll");
  ASSERT_TRUE(module.ok()) << module.status();
  auto tm = CreateTargetMachine(**module);
  ASSERT_TRUE(tm.ok()) << tm.status();
  auto runner = PassRunner::Create(tm->get());
  ASSERT_TRUE(runner.ok()) << runner.status();
  for (const ActionSpec& a : Actions()) {
    if (a.kind == ActionKind::kStop) continue;  // runs nothing
    EXPECT_TRUE((*runner)->RunPipeline(**module, std::string(a.pipeline)).ok()) << a.name;
  }
  (*runner)->Invalidate();
}

TEST(ActionSpaceTest, StopIsLastAndThePassesSetMasksOnlyTheSubPipelines) {
  EXPECT_EQ(Actions()[StopAction()].name, "stop");
  EXPECT_EQ(StopAction(), kNumActions - 1);
  const std::vector<bool> all = AllowedActions(ActionSet::kAll);
  const std::vector<bool> passes = AllowedActions(*ParseActionSet("passes"));
  int pipelines = 0;
  for (int a = 0; a < kNumActions; ++a) {
    EXPECT_TRUE(all[a]) << Actions()[a].name;
    const bool pipeline = Actions()[a].kind == ActionKind::kPipeline;
    pipelines += pipeline;
    EXPECT_EQ(passes[a], !pipeline) << Actions()[a].name;
  }
  EXPECT_TRUE(passes[*ActionIndex("scc-oz-module-inliner")] == false);
  EXPECT_TRUE(passes[StopAction()]);
  EXPECT_GE(pipelines, 8);
  EXPECT_EQ(ParseActionSet("some").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ActionSpaceTest, RejectsAPipelineThatDoesNotParse) {
  llvm::LLVMContext context;
  auto module = ParseIrText(kTinyIr, context, "tiny.ll");
  ASSERT_TRUE(module.ok());
  auto tm = CreateTargetMachine(**module);
  auto runner = PassRunner::Create(tm->get());
  ASSERT_TRUE(runner.ok());
  absl::Status s = (*runner)->RunPipeline(**module, "function(no-such-pass)");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("no-such-pass"), absl::string_view::npos) << s;
}

TEST(ActionSpaceTest, ParsesAndFormatsActionLists) {
  auto ids = ParseActionList(" instcombine, gvn ,simplifycfg");
  ASSERT_TRUE(ids.ok()) << ids.status();
  ASSERT_EQ(ids->size(), 3u);
  EXPECT_EQ(Actions()[(*ids)[0]].name, "instcombine");
  EXPECT_EQ(FormatActionList(*ids), "instcombine,gvn,simplifycfg");
  EXPECT_TRUE(ParseActionList("")->empty());
}

TEST(ActionSpaceTest, UnknownPassIsNamed) {
  auto ids = ParseActionList("instcombine,frobnicate");
  ASSERT_FALSE(ids.ok());
  EXPECT_EQ(ids.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(ids.status().message().find("'frobnicate'"), absl::string_view::npos);
  EXPECT_FALSE(ParseActionList("gvn,,dce").ok());
}

// Any change to the list (a name, a pipeline, the order, one action more or less) changes the
// hash, so builds with different action spaces refuse each other's ids.
TEST(ActionSpaceTest, HashCoversEveryNamePipelineAndPosition) {
  std::vector<ActionSpec> list(Actions().begin(), Actions().end());
  const uint64_t original = HashActions(list);
  EXPECT_EQ(original, ActionSpaceHash());
  std::vector<ActionSpec> renamed = list;
  renamed[3].name = "renamed";
  std::vector<ActionSpec> repiped = list;
  repiped[3].pipeline = "function(dce)";
  std::vector<ActionSpec> swapped = list;
  std::swap(swapped[1], swapped[2]);
  std::vector<ActionSpec> shorter(list.begin(), list.end() - 1);
  std::vector<ActionSpec> longer = list;
  longer.push_back({"extra", "function(dce)"});
  // Moving a character across the name/pipeline boundary is a different list too.
  std::vector<ActionSpec> shifted = {{"ab", "c"}};
  const std::vector<ActionSpec> unshifted = {{"a", "bc"}};
  for (const auto& other : {renamed, repiped, swapped, shorter, longer}) {
    EXPECT_NE(HashActions(other), original);
  }
  EXPECT_NE(HashActions(shifted), HashActions(unshifted));
}

}  // namespace
}  // namespace passrl::envs
