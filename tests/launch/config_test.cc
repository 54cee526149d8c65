#include "launch/config.h"

#include "envs/action_space.h"
#include "envs/compiler.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace passrl::launch {
namespace {

bool Mentions(const absl::Status& s, const std::string& what) {
  return std::string(s.message()).find(what) != std::string::npos;
}

TEST(ConfigTest, BundledConfigsLoad) {
  for (const char* name : {"local.yaml", "single_node.yaml", "multi_node.yaml", "mlir_local.yaml"}) {
    auto c = LoadTrainConfig(testing::SourceDir() + "/cluster_configs/" + name);
    EXPECT_TRUE(c.ok()) << name << ": " << c.status();
  }
}

TEST(ConfigTest, TheMlirCompilerSizesNetworksFromItsOwnTables) {
  auto c = LoadTrainConfig(testing::SourceDir() + "/cluster_configs/mlir_local.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->actor.compiler, envs::Compiler::kMlir);
  EXPECT_EQ(c->worker.compiler, envs::Compiler::kMlir);
  const learner::LearnerOptions l = c->LearnerForThisBuild();
  const envs::CompilerSpec& mlir = envs::SpecOf(envs::Compiler::kMlir);
  EXPECT_EQ(l.sac.shape.num_actions, mlir.num_actions());
  EXPECT_EQ(l.sac.shape.obs_dim, 2 * mlir.num_features() + mlir.num_actions() + 1);
  EXPECT_NE(l.sac.shape.num_actions, envs::kNumActions);
  EXPECT_EQ(DescribeConfig(*c).find("compiler: mlir") != std::string::npos, true);
}

TEST(ConfigTest, CompilerAndDatasetMustAgree) {
  const std::string mlir = testing::SourceDir() + "/cluster_configs/mlir_local.yaml";
  auto llvm_data = LoadTrainConfig(mlir, {"dataset.name=bundled"});
  ASSERT_FALSE(llvm_data.ok());
  EXPECT_TRUE(Mentions(llvm_data.status(), "env.compiler mlir with dataset bundled")) << llvm_data.status();
  auto mlir_data = LoadTrainConfig(testing::SourceDir() + "/cluster_configs/local.yaml",
                                   {"dataset.name=mlir"});
  ASSERT_FALSE(mlir_data.ok());
  EXPECT_TRUE(Mentions(mlir_data.status(), "env.compiler llvm with dataset mlir")) << mlir_data.status();
  auto reward = LoadTrainConfig(mlir, {"env.reward=IrInstructionCountLog"});
  ASSERT_FALSE(reward.ok());
  EXPECT_TRUE(Mentions(reward.status(), "env.reward")) << reward.status();
  // The learning curve runs on the MLIR task too, on a split it does not train on.
  auto curve = LoadTrainConfig(mlir);
  ASSERT_TRUE(curve.ok()) << curve.status();
  EXPECT_GT(curve->validation.every_seconds, 0);
  auto on_train = LoadTrainConfig(mlir, {"validation.split=train"});
  ASSERT_FALSE(on_train.ok());
  EXPECT_TRUE(Mentions(on_train.status(), "is also trained on")) << on_train.status();
  auto unknown = LoadTrainConfig(mlir, {"env.compiler=gcc"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(Mentions(unknown.status(), "'env.compiler': 'gcc'")) << unknown.status();
}

TEST(ConfigTest, ReadsValuesAndOverrides) {
  const std::string path = testing::WriteTempFile(
      "c.yaml",
      "run:\n  duration_seconds: 7\nsac:\n  hidden: [64, 32]\nreplay:\n  prioritized: true\n");
  auto c = LoadTrainConfig(path, {"learner.batch_size=64", "dataset.benchmarks=[bundled/nqueens]"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->learner.duration_seconds, 7);
  EXPECT_EQ(c->learner.sac.shape.hidden, (std::vector<int>{64, 32}));
  EXPECT_TRUE(c->learner.replay.prioritized);
  EXPECT_EQ(c->learner.batch_size, 64);
  EXPECT_EQ(c->benchmarks, (std::vector<std::string>{"bundled/nqueens"}));
  // Everything printed can be read back.
  auto again = LoadTrainConfig(testing::WriteTempFile("d.yaml", DescribeConfig(*c)));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(DescribeConfig(*again), DescribeConfig(*c));
}

TEST(ConfigTest, NumbersPrintAsTypedAndReadBackExactly) {
  auto c = LoadTrainConfig("", {"sac.learning_rate=0.0003", "sac.initial_alpha=1e-12",
                                "sac.tau=0.1234567890123456789"});
  ASSERT_TRUE(c.ok()) << c.status();
  const std::string text = DescribeConfig(*c);
  EXPECT_NE(text.find("  learning_rate: 0.0003  #"), std::string::npos) << text;
  EXPECT_NE(text.find("  initial_alpha: 1e-12  #"), std::string::npos) << text;
  auto again = LoadTrainConfig(testing::WriteTempFile("n.yaml", text));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->learner.sac.learning_rate, 0.0003);
  EXPECT_EQ(again->learner.sac.initial_alpha, 1e-12);
  EXPECT_EQ(again->learner.sac.tau, c->learner.sac.tau);
}

TEST(ConfigTest, UnknownKeyIsNamedWithTheFile) {
  const std::string path = testing::WriteTempFile("bad.yaml", "learner:\n  batchsize: 3\n");
  auto c = LoadTrainConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(Mentions(c.status(), "unknown key 'learner.batchsize'")) << c.status();
  EXPECT_TRUE(Mentions(c.status(), path)) << c.status();
  EXPECT_TRUE(Mentions(LoadTrainConfig("", {"sac.gama=0.5"}).status(), "'sac.gama'"));
}

TEST(ConfigTest, DatasetMixAndSplit) {
  auto c = LoadTrainConfig("", {"dataset.mix=[debian:train:3, bundled:train:1]"});
  ASSERT_TRUE(c.ok()) << c.status();
  auto mix = TrainingMix(*c);
  ASSERT_TRUE(mix.ok());
  ASSERT_EQ(mix->size(), 2u);
  EXPECT_EQ((*mix)[0].dataset, "debian");
  EXPECT_EQ((*mix)[0].split, "train");
  EXPECT_EQ((*mix)[0].weight, 3);
  // Without a mix: the dataset's train split.
  auto plain = TrainingMix(*LoadTrainConfig("", {"dataset.name=csmith"}));
  ASSERT_EQ(plain->size(), 1u);
  EXPECT_EQ((*plain)[0].split, "train");
  EXPECT_EQ(ParseMixEntry("/data/my:folder:validation:2")->dataset, "/data/my:folder");
  EXPECT_TRUE(Mentions(LoadTrainConfig("", {"dataset.mix=[debian:train]"}).status(),
                       "dataset:split:weight"));
  EXPECT_TRUE(Mentions(LoadTrainConfig("", {"dataset.mix=[debian:tarin:1]"}).status(), "tarin"));
  EXPECT_TRUE(Mentions(LoadTrainConfig("", {"dataset.mix=[debian:train:-1]"}).status(), "> 0"));
  EXPECT_TRUE(Mentions(LoadTrainConfig("", {"dataset.split=tests"}).status(), "dataset.split"));
  EXPECT_TRUE(Mentions(LoadTrainConfig("", {"dataset.mix=[bundled:train:1]",
                                            "dataset.benchmarks=[bundled/nqueens]"})
                           .status(),
                       "dataset.benchmarks"));
  // Debian modules cannot run: a runtime reward on them is refused at start.
  EXPECT_TRUE(Mentions(
      LoadTrainConfig("", {"dataset.name=debian", "env.reward=RuntimeNorm"}).status(),
      "size-only"));
}

TEST(ConfigTest, BadValuesAreNamed) {
  auto c = LoadTrainConfig(testing::WriteTempFile("v.yaml", "learner:\n  batch_size: lots\n"));
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(Mentions(c.status(), "bad value for 'learner.batch_size': 'lots'")) << c.status();
  EXPECT_TRUE(Mentions(LoadTrainConfig("", {"env.episode_length=0"}).status(), "episode_length"));
  EXPECT_TRUE(Mentions(LoadTrainConfig("", {"novalue"}).status(), "key=value"));
  EXPECT_TRUE(Mentions(LoadTrainConfig("", {"env.start=O9"}).status(), "env.start: start 'O9'"));
  EXPECT_EQ(LoadTrainConfig("", {"env.start=O3"})->worker.start, "O3");
  EXPECT_TRUE(Mentions(LoadTrainConfig("", {"env.runtime_insignificant=half"}).status(),
                       "env.runtime_insignificant: insignificant change value 'half'"));
  EXPECT_TRUE(Mentions(LoadTrainConfig("", {"env.runtime_clock=tsc"}).status(),
                       "env.runtime_clock: run clock 'tsc': expected cpu or wall"));
  EXPECT_EQ(LoadTrainConfig("", {"env.runtime_clock=wall"})->worker.runtime_clock, "wall");
  EXPECT_TRUE(Mentions(LoadTrainConfig("", {"env.runtime_max_pairs=1"}).status(),
                       "env.runtime_max_pairs must be >= 2"));
  EXPECT_TRUE(Mentions(LoadTrainConfig("", {"learner.retain_heap_mb=-1"}).status(),
                       "learner.retain_heap_mb must be >= 0"));
  EXPECT_EQ(LoadTrainConfig("", {"learner.retain_heap_mb=0"})->learner.retain_heap_mb, 0);
  auto yaml = LoadTrainConfig(testing::WriteTempFile("y.yaml", "run: [unclosed\n"));
  EXPECT_TRUE(Mentions(yaml.status(), "bad YAML")) << yaml.status();
  EXPECT_EQ(LoadTrainConfig("/nonexistent.yaml").status().code(), absl::StatusCode::kNotFound);
}

// Values fine alone that cannot work together fail at start, one line naming both keys and where.
TEST(ConfigTest, PairsThatCannotWorkAreNamedWithTheFile) {
  const std::string path = testing::WriteTempFile(
      "pairs.yaml", "learner:\n  warmup_transitions: 5000\nreplay:\n  capacity: 1000\n");
  auto c = LoadTrainConfig(path);
  ASSERT_FALSE(c.ok());
  const std::string message(c.status().message());
  EXPECT_TRUE(Mentions(c.status(), path)) << message;
  EXPECT_TRUE(Mentions(c.status(), "learner.warmup_transitions (5000)")) << message;
  EXPECT_TRUE(Mentions(c.status(), "replay.capacity (1000)")) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
  // Raising the capacity alone makes the same file load.
  EXPECT_TRUE(LoadTrainConfig(path, {"replay.capacity=5000"}).ok());

  const auto pair = [](std::vector<std::string> overrides) {
    return LoadTrainConfig("", overrides).status();
  };
  absl::Status batch = pair({"learner.batch_size=512", "learner.warmup_transitions=100"});
  EXPECT_TRUE(Mentions(batch, "learner.batch_size (512)") &&
              Mentions(batch, "learner.warmup_transitions (100)"))
      << batch;
  absl::Status ports = pair({"learner.port=5555", "learner.weights_port=5555"});
  EXPECT_TRUE(Mentions(ports, "learner.port") && Mentions(ports, "learner.weights_port")) << ports;
  absl::Status beats =
      pair({"learner.heartbeat_timeout_seconds=2", "actor.heartbeat_seconds=5"});
  EXPECT_TRUE(Mentions(beats, "learner.heartbeat_timeout_seconds") &&
              Mentions(beats, "actor.heartbeat_seconds"))
      << beats;
  EXPECT_TRUE(Mentions(pair({"actor.learner_lost_seconds=1"}), "actor.learner_lost_seconds"));
  EXPECT_TRUE(pair({"actor.learner_lost_seconds=0", "learner.port=5555"}).ok());
  // A learning curve on programs the run trains on would not show generalization.
  absl::Status curve = pair({"dataset.name=debian", "dataset.split=validation"});
  EXPECT_TRUE(Mentions(curve, "validation.split") && Mentions(curve, "dataset split")) << curve;
  EXPECT_TRUE(Mentions(pair({"dataset.name=debian", "dataset.split=all"}), "validation.split"));
  EXPECT_TRUE(pair({"dataset.name=debian", "dataset.split=all", "validation.every_seconds=0"}).ok());
  EXPECT_TRUE(pair({"dataset.name=debian", "dataset.split=all", "validation.dataset=csmith"}).ok());
}

TEST(ConfigTest, ActionSetMasksThePolicyShape) {
  auto all = LoadTrainConfig("", {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->action_set, "all");
  auto passes = LoadTrainConfig("", {"env.action_set=passes"});
  ASSERT_TRUE(passes.ok());
  const std::vector<bool> allowed = passes->LearnerForThisBuild().sac.shape.allowed;
  EXPECT_EQ(allowed, envs::AllowedActions(envs::ActionSet::kPasses));
  EXPECT_FALSE(allowed[*envs::ActionIndex("scc-oz-module-inliner")]);
  auto bad = LoadTrainConfig("", {"env.action_set=some"});
  EXPECT_TRUE(Mentions(bad.status(), "env.action_set")) << bad.status();
}

}  // namespace
}  // namespace passrl::launch
