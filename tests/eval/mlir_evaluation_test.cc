#include "eval/mlir_evaluation.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "corpus/onnx_import.h"
#include "envs/compiler.h"
#include "envs/mlir_dataset.h"
#include "gtest/gtest.h"
#include "tests/corpus/onnx_models.h"
#include "tests/test_util.h"

namespace passrl::eval {
namespace {

// A policy that plays a fixed sequence (greedy) and puts all its probability on it (sampling).
class ScriptedPolicy : public actors::Policy {
 public:
  explicit ScriptedPolicy(std::vector<int> script) : script_(std::move(script)) {}
  int Act(absl::Span<const float> obs) override { return Next(obs); }
  std::vector<float> Probabilities(absl::Span<const float> obs) override {
    std::vector<float> p(envs::SpecOf(envs::Compiler::kMlir).num_actions(), 0.f);
    p[Next(obs)] = 1.f;
    return p;
  }
  absl::Status SetWeights(uint64_t, absl::Span<const float>) override { return absl::OkStatus(); }
  uint64_t version() const override { return 0; }
  int64_t parameter_count() const override { return 0; }

 private:
  // The step is read from the history part of the observation: how many actions were taken.
  int Next(absl::Span<const float> obs) {
    const envs::CompilerSpec& spec = envs::SpecOf(envs::Compiler::kMlir);
    float taken = 0;
    for (int a = 0; a < spec.num_actions(); ++a) taken += obs[2 * spec.num_features() + a];
    const size_t step = static_cast<size_t>(std::lround(taken * actors::kHistoryCap));
    return step < script_.size() ? script_[step] : spec.stop_action();
  }
  std::vector<int> script_;
};

TEST(MlirEvaluationTest, GreedyPolicyAndRandomRowsUseTheSameEnvironment) {
  envs::DatasetOptions dataset = testing::TestDatasetOptions();
  const std::string path = envs::MlirGraphPath(dataset.build.cache_dir, "mini_eval");
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << corpus::ImportOnnx(corpus::testing::MiniResNet(), "mini_eval")->mlir;
  auto client = actors::InProcessMlirEnvClient::Create(dataset, envs::MlirEnvOptions{}, 6);
  ASSERT_TRUE(client.ok()) << client.status();
  const std::vector<int> script = *envs::ParseMlirActionList("linalg-fuse-elementwise-ops,cse");
  ScriptedPolicy policy(script);
  MlirEvalOptions options;
  options.length = 6;
  options.budget = 3;
  auto row = EvaluateMlirGraph(**client, policy, "mlir/mini_eval", options);
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->greedy_actions, script);
  // The same sequence by hand gives the greedy row's count.
  auto reset = (*client)->Reset("mlir/mini_eval");
  ASSERT_TRUE(reset.ok());
  int64_t by_hand = 0;
  for (int a : script) by_hand = (*client)->Step(a)->ir_instruction_count;
  EXPECT_EQ(row->greedy, by_hand);
  EXPECT_EQ(row->start, reset->ir_o0);
  EXPECT_EQ(row->reference, reset->ir_oz);
  EXPECT_LE(row->policy, row->greedy);  // best of the greedy and sampled rollouts
  EXPECT_LE(row->random, row->start);
  EXPECT_EQ(row->crashes, 0);
  const double g = GeomeanVsReference({*row}, &MlirEvalRow::greedy);
  EXPECT_NEAR(g, double(row->reference) / double(row->greedy), 1e-12);
}

// A policy with fixed preferences, whatever the state: cse, then canonicalize, then the rest.
class FixedPreferencePolicy : public actors::Policy {
 public:
  int Act(absl::Span<const float> obs) override { return *envs::MlirActionIndex("cse"); }
  std::vector<float> Probabilities(absl::Span<const float>) override {
    const envs::CompilerSpec& spec = envs::SpecOf(envs::Compiler::kMlir);
    std::vector<float> p(spec.num_actions(), 0.1f / spec.num_actions());
    p[*envs::MlirActionIndex("cse")] = 0.6f;
    p[*envs::MlirActionIndex("canonicalize")] = 0.3f;
    return p;
  }
  absl::Status SetWeights(uint64_t, absl::Span<const float>) override { return absl::OkStatus(); }
  uint64_t version() const override { return 0; }
  int64_t parameter_count() const override { return 0; }
};

TEST(MlirEvaluationTest, GreedyRolloutDoesNotRepeatANoOp) {
  envs::DatasetOptions dataset = testing::TestDatasetOptions();
  const std::string path = envs::MlirGraphPath(dataset.build.cache_dir, "mini_noop");
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << corpus::ImportOnnx(corpus::testing::MiniResNet(), "mini_noop")->mlir;
  auto client = actors::InProcessMlirEnvClient::Create(dataset, envs::MlirEnvOptions{}, 8);
  ASSERT_TRUE(client.ok()) << client.status();
  FixedPreferencePolicy policy;
  MlirEvalOptions options;
  options.length = 8;
  options.budget = 1;
  auto r = SearchMlirGraph(**client, &policy, "mlir/mini_noop", options);
  ASSERT_TRUE(r.ok()) << r.status();
  // Replayed by hand: after a step that left the observation unchanged (a no-op), greedy never
  // takes the same action again in that state; without the exclusion it would play cse forever.
  ASSERT_FALSE(r->greedy_actions.empty());
  auto reset = (*client)->Reset("mlir/mini_noop");
  ASSERT_TRUE(reset.ok());
  std::vector<int64_t> before = reset->observation;
  int no_ops = 0;
  for (size_t i = 0; i < r->greedy_actions.size(); ++i) {
    auto step = (*client)->Step(r->greedy_actions[i]);
    ASSERT_TRUE(step.ok()) << step.status();
    if (step->observation == before && i + 1 < r->greedy_actions.size()) {
      ++no_ops;
      EXPECT_NE(r->greedy_actions[i + 1], r->greedy_actions[i]) << "a no-op repeated at step " << i + 1;
    }
    before = step->observation;
  }
  EXPECT_GE(no_ops, 1);  // the fixed preferences do run into a no-op (the third cse)
  const int cse = *envs::MlirActionIndex("cse");
  EXPECT_NE(std::count(r->greedy_actions.begin(), r->greedy_actions.end(), cse),
            static_cast<long>(r->greedy_actions.size()));
}

}  // namespace
}  // namespace passrl::eval
