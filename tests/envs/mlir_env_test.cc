#include "envs/mlir_env.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "absl/strings/match.h"
#include "common/subprocess.h"
#include "corpus/onnx_import.h"
#include "tests/corpus/onnx_models.h"

namespace passrl::envs {
namespace {

Benchmark MiniResNet() {
  auto g = corpus::ImportOnnx(corpus::testing::MiniResNet(), "mini");
  EXPECT_TRUE(g.ok()) << g.status();
  Benchmark b;
  b.name = "mini.mlir";
  b.bitcode = g.ok() ? g->mlir : "";
  return b;
}

std::unique_ptr<MlirEnv> NewEnv(MlirEnvOptions options = {}) {
  auto env = MlirEnv::Create(options);
  EXPECT_TRUE(env.ok()) << env.status();
  return env.ok() ? std::move(*env) : nullptr;
}

TEST(MlirEnvTest, EveryActionParsesAndTheTableEndsWithStop) {
  auto env = NewEnv();
  ASSERT_NE(env, nullptr);
  EXPECT_EQ(MlirActions()[MlirStopAction()].kind, ActionKind::kStop);
  EXPECT_EQ(*MlirActionIndex("cse"), 3);
  EXPECT_FALSE(MlirActionIndex("instcombine").ok());
  EXPECT_NE(MlirActionSpaceHash(), ActionSpaceHash());
}

TEST(MlirEnvTest, ResetLowersAndTheReferenceShrinksTheGraph) {
  auto env = NewEnv();
  auto obs = env->Reset(MiniResNet());
  ASSERT_TRUE(obs.ok()) << obs.status();
  EXPECT_FALSE(absl::StrContains(env->Ir(), "tosa.conv2d")) << "lowered to linalg";
  EXPECT_TRUE(absl::StrContains(env->Ir(), "linalg.conv_2d_nhwc_hwcf"));
  EXPECT_EQ(env->OpCount(), env->baselines().start);
  EXPECT_LT(env->baselines().reference, env->baselines().start);
  ASSERT_EQ(obs->values.size(), MlirFeatureNames().size());
  const size_t graph_ops = MlirFeatureNames().size() - 7;
  EXPECT_EQ(MlirFeatureNames()[graph_ops], "graph_ops");
  EXPECT_EQ(obs->values[graph_ops], env->OpCount());
}

TEST(MlirEnvTest, LogRewardsSumToTheLogOfTheReduction) {
  auto env = NewEnv();
  ASSERT_TRUE(env->Reset(MiniResNet()).ok());
  double sum = 0;
  for (const char* a : {"linalg-fuse-elementwise-ops", "canonicalize", "cse", "stop"}) {
    auto step = env->Step(*MlirActionIndex(a));
    ASSERT_TRUE(step.ok()) << step.status();
    EXPECT_TRUE(step->info.failure.empty()) << step->info.failure;
    sum += step->reward;
  }
  EXPECT_NEAR(sum, std::log(double(env->baselines().start) / double(env->OpCount())), 1e-9);
  EXPECT_LT(env->OpCount(), env->baselines().start);
  EXPECT_FALSE(env->in_episode());
  EXPECT_EQ(env->Step(0).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(MlirEnvTest, OpCountsAgreeWithMlirOptRunningTheSamePipeline) {
  const Benchmark b = MiniResNet();
  const std::string in = ::testing::TempDir() + "/mini_tosa.mlir";
  const std::string out = ::testing::TempDir() + "/mini_opt.mlir";
  std::ofstream(in) << b.bitcode;
  const std::string passes = "linalg-generalize-named-ops,linalg-fuse-elementwise-ops";
  auto run = RunSubprocess({"mlir-opt-16", in, "-o", out,
                            absl::StrCat("--pass-pipeline=builtin.module(", kMlirLowering,
                                         ",func.func(", passes, "),cse)")},
                           SubprocessOptions{});
  ASSERT_TRUE(run.ok() && run->ok()) << (run.ok() ? run->err : run.status().ToString());
  auto env = NewEnv();
  ASSERT_TRUE(env->Reset(b).ok());
  for (const char* a : {"linalg-generalize-named-ops", "linalg-fuse-elementwise-ops", "cse"}) {
    ASSERT_TRUE(env->Step(*MlirActionIndex(a)).ok());
  }
  // mlir-opt's output is already lowered, so Reset's lowering leaves it as it is.
  std::ifstream f(out);
  Benchmark opt{"opt.mlir", {}, std::string(std::istreambuf_iterator<char>(f), {}), 0, false};
  auto other = NewEnv();
  ASSERT_TRUE(other->Reset(opt).ok());
  EXPECT_EQ(other->OpCount(), env->OpCount());
}

TEST(MlirEnvTest, MalformedMlirNamesFileAndLine) {
  auto env = NewEnv();
  Benchmark bad{"broken.mlir", {}, "func.func @main() {\n  %x = \"tosa.bogus(\n}\n", 0, false};
  auto r = env->Reset(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::StrContains(r.status().message(), "broken.mlir:2:")) << r.status();
  EXPECT_FALSE(env->in_episode());
}

TEST(MlirEnvTest, AFailingPipelineLeavesTheGraphUnchanged) {
  auto env = NewEnv();
  ASSERT_TRUE(env->Reset(MiniResNet()).ok());
  const uint64_t before = env->IrHash();
  EXPECT_FALSE(env->RunPipeline("no-such-pass").ok());
  EXPECT_EQ(env->IrHash(), before);
  // One-shot bufferization fails on the lowered graph (tensor.empty), halfway through its work.
  absl::Status s = env->RunPipeline("one-shot-bufferize");
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(absl::StrContains(s.message(), "cannot be bufferized")) << s;
  EXPECT_EQ(env->IrHash(), before);
}

TEST(MlirEnvTest, AFailedStepIsReportedAndUndoneByReplay) {
  MlirEnvOptions options;
  const int sccp = *MlirActionIndex("sccp");
  options.pipeline_overrides[sccp] = "one-shot-bufferize";  // fails on the lowered graph
  auto env = NewEnv(options);
  auto reference = NewEnv();
  ASSERT_TRUE(env->Reset(MiniResNet()).ok());
  ASSERT_TRUE(reference->Reset(MiniResNet()).ok());
  const int fuse = *MlirActionIndex("linalg-fuse-elementwise-ops"), cse = *MlirActionIndex("cse");
  for (int a : {fuse, sccp, cse, sccp}) {
    auto step = env->Step(a);
    ASSERT_TRUE(step.ok()) << step.status();
    if (a == sccp) {
      EXPECT_TRUE(absl::StrContains(step->info.failure, "sccp failed")) << step->info.failure;
      EXPECT_EQ(step->reward, 0.0);
    } else {
      EXPECT_TRUE(step->info.failure.empty());
      ASSERT_TRUE(reference->Step(a).ok());
    }
    EXPECT_EQ(env->IrHash(), reference->IrHash()) << "after " << MlirActions()[a].name;
  }
  EXPECT_EQ(env->failed_steps(), 2);
  EXPECT_EQ(env->actions().size(), 4u);
}

TEST(MlirEnvTest, SnapshotRestoreReturnsToTheSameGraph) {
  auto env = NewEnv();
  ASSERT_TRUE(env->Reset(MiniResNet()).ok());
  ASSERT_TRUE(env->Step(*MlirActionIndex("canonicalize")).ok());
  auto snap = env->TakeSnapshot();
  const uint64_t hash = env->IrHash();
  const int64_t count = env->OpCount();
  ASSERT_TRUE(env->Step(*MlirActionIndex("linalg-fuse-elementwise-ops")).ok());
  ASSERT_NE(env->IrHash(), hash);
  env->Restore(*snap);
  EXPECT_EQ(env->IrHash(), hash);
  EXPECT_EQ(env->OpCount(), count);
  EXPECT_EQ(env->actions().size(), 1u);
}

}  // namespace
}  // namespace passrl::envs
