#include "launch/config.h"

#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace passrl::launch {
namespace {

bool Mentions(const absl::Status& s, const std::string& what) {
  return std::string(s.message()).find(what) != std::string::npos;
}

TEST(ConfigTest, BundledConfigsLoad) {
  for (const char* name : {"local.yaml", "single_node.yaml", "multi_node.yaml"}) {
    auto c = LoadTrainConfig(testing::SourceDir() + "/cluster_configs/" + name);
    EXPECT_TRUE(c.ok()) << name << ": " << c.status();
  }
}

TEST(ConfigTest, ReadsValuesAndOverrides) {
  const std::string path = testing::WriteTempFile(
      "c.yaml",
      "run:\n  duration_seconds: 7\nsac:\n  hidden: [64, 32]\nreplay:\n  prioritized: true\n");
  auto c = LoadTrainConfig(path, {"learner.batch_size=64", "dataset.benchmarks=[bundled/nqueens]"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->duration_seconds, 7);
  EXPECT_EQ(c->hidden, (std::vector<int>{64, 32}));
  EXPECT_TRUE(c->prioritized);
  EXPECT_EQ(c->batch_size, 64);
  EXPECT_EQ(c->benchmarks, (std::vector<std::string>{"bundled/nqueens"}));
  // Everything printed can be read back.
  auto again = LoadTrainConfig(testing::WriteTempFile("d.yaml", DescribeConfig(*c)));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(DescribeConfig(*again), DescribeConfig(*c));
}

TEST(ConfigTest, UnknownKeyIsNamedWithTheFile) {
  const std::string path = testing::WriteTempFile("bad.yaml", "learner:\n  batchsize: 3\n");
  auto c = LoadTrainConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(Mentions(c.status(), "unknown key 'learner.batchsize'")) << c.status();
  EXPECT_TRUE(Mentions(c.status(), path)) << c.status();
  EXPECT_TRUE(Mentions(LoadTrainConfig("", {"sac.gama=0.5"}).status(), "'sac.gama'"));
}

TEST(ConfigTest, BadValuesAreNamed) {
  auto c = LoadTrainConfig(testing::WriteTempFile("v.yaml", "learner:\n  batch_size: lots\n"));
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(Mentions(c.status(), "bad value for 'learner.batch_size': 'lots'")) << c.status();
  EXPECT_TRUE(Mentions(LoadTrainConfig("", {"env.episode_length=0"}).status(), "episode_length"));
  EXPECT_TRUE(Mentions(LoadTrainConfig("", {"novalue"}).status(), "key=value"));
  auto yaml = LoadTrainConfig(testing::WriteTempFile("y.yaml", "run: [unclosed\n"));
  EXPECT_TRUE(Mentions(yaml.status(), "bad YAML")) << yaml.status();
  EXPECT_EQ(LoadTrainConfig("/nonexistent.yaml").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace passrl::launch
