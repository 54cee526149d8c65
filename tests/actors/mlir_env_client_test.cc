// The episode contract (actors/env_client.h) for the MLIR graph environment, run against the
// in-process client and a real `passrl env-worker --compiler mlir` subprocess, on a graph built by
// the ONNX importer into a test cache (no Python). A real MLIR 16 crash (a segfault on one order
// of two passes) must cost the worker one episode.
#include <cmath>
#include <filesystem>
#include <fstream>

#include "actors/env_client.h"
#include "corpus/onnx_import.h"
#include "envs/compiler.h"
#include "envs/mlir_dataset.h"
#include "gtest/gtest.h"
#include "tests/corpus/onnx_models.h"
#include "tests/test_util.h"

namespace passrl::actors {
namespace {

constexpr char kGraph[] = "mlir/mini_resnet";

// A dataset options whose cache holds mlir/mini_resnet.
envs::DatasetOptions Dataset() {
  envs::DatasetOptions options = testing::TestDatasetOptions();
  const std::string path = envs::MlirGraphPath(options.build.cache_dir, "mini_resnet");
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  auto graph = corpus::ImportOnnx(corpus::testing::MiniResNet(), "mini_resnet");
  EXPECT_TRUE(graph.ok()) << graph.status();
  std::ofstream(path) << (graph.ok() ? graph->mlir : "");
  return options;
}

int Action(const char* name) { return *envs::MlirActionIndex(name); }

class MlirEnvClientTest : public ::testing::TestWithParam<bool> {
 protected:
  bool isolated() const { return GetParam(); }
  std::unique_ptr<EnvClient> Make(int max_steps = 0) {
    if (isolated()) {
      WorkerOptions o;
      o.executable = PASSRL_BINARY;
      o.compiler = envs::Compiler::kMlir;
      o.reward = "OpCountLog";
      o.dataset = Dataset();
      o.max_steps = max_steps;
      o.step_timeout_seconds = 20;
      return std::make_unique<WorkerEnvClient>(o);
    }
    return *InProcessMlirEnvClient::Create(Dataset(), envs::MlirEnvOptions{}, max_steps);
  }
};
INSTANTIATE_TEST_SUITE_P(Clients, MlirEnvClientTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "worker" : "in_process"; });

TEST_P(MlirEnvClientTest, ResetAndStepFollowTheEpisode) {
  auto env = Make();
  auto reset = env->Reset(kGraph);
  ASSERT_TRUE(reset.ok()) << reset.status();
  EXPECT_EQ(reset->observation.size(), envs::MlirFeatureNames().size());
  EXPECT_GT(reset->ir_o0, reset->ir_oz) << "start above the reference";
  EXPECT_EQ(reset->ir_instruction_count, reset->ir_o0);
  double total = 0;
  int64_t count = 0;
  for (const char* a : {"linalg-fuse-elementwise-ops", "cse", "canonicalize"}) {
    auto step = env->Step(Action(a));
    ASSERT_TRUE(step.ok()) << step.status();
    EXPECT_FALSE(step->done || step->truncated);
    total += step->reward;
    count = step->ir_instruction_count;
  }
  EXPECT_LT(count, reset->ir_o0);
  EXPECT_NEAR(total, std::log(double(reset->ir_o0) / double(count)), 1e-9);
  auto stop = env->Step(envs::MlirStopAction());
  ASSERT_TRUE(stop.ok());
  EXPECT_TRUE(stop->done);
  EXPECT_FALSE(env->in_episode());
}

TEST_P(MlirEnvClientTest, LimitsAndBadInput) {
  auto env = Make(/*max_steps=*/2);
  EXPECT_EQ(env->Step(0).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(env->Reset("mlir/no_such_model").status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(env->Reset(kGraph).ok());
  // An action id of the LLVM table, out of the MLIR one's range: refused, the episode goes on.
  EXPECT_EQ(env->Step(envs::SpecOf(envs::Compiler::kMlir).num_actions()).status().code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(env->Step(Action("cse")).ok());
  auto last = env->Step(Action("cse"));
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(last->truncated);
  EXPECT_FALSE(env->in_episode());
}

// linalg-generalize-named-ops then linalg-inline-scalar-operands segfaults in MLIR 16 (on the
// bias broadcast of a generalized fully_connected).
TEST(MlirWorkerTest, AnMlirCrashCostsTheEpisodeNotTheActor) {
  WorkerOptions o;
  o.executable = PASSRL_BINARY;
  o.compiler = envs::Compiler::kMlir;
  o.reward = "OpCountLog";
  o.dataset = Dataset();
  WorkerEnvClient env(o);
  ASSERT_TRUE(env.Reset(kGraph).ok());
  ASSERT_TRUE(env.Step(Action("linalg-generalize-named-ops")).ok());
  auto crash = env.Step(Action("linalg-inline-scalar-operands"));
  ASSERT_EQ(crash.status().code(), absl::StatusCode::kUnavailable) << crash.status();
  EXPECT_NE(crash.status().message().find("crashed"), std::string::npos) << crash.status();
  EXPECT_FALSE(env.in_episode());
  auto again = env.Reset(kGraph);  // a fresh worker
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(env.restarts(), 1);
}

}  // namespace
}  // namespace passrl::actors
