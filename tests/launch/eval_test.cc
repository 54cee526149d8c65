// `passrl eval --checkpoint` as a user runs it: every number in its JSON must equal a direct
// replay of the reported sequence in a fresh environment, the baselines must be the env's, the
// geomeans must follow from the rows, beam search must never be worse than its root, and the
// search baselines must have had exactly the policy's budget in compilations.
#include <cmath>
#include <map>

#include "actors/observation.h"
#include "common/file_cache.h"
#include "common/subprocess.h"
#include "envs/action_space.h"
#include "envs/baselines.h"
#include "envs/llvm_env.h"
#include "gtest/gtest.h"
#include "launch/config.h"
#include "learner/checkpoint.h"
#include "learner/sac.h"
#include "nlohmann/json.hpp"
#include "tests/launch/command_fixtures.h"
#include "tests/test_util.h"

namespace passrl {
namespace {

const std::vector<std::string> kBenchmarks = {"bundled/crc32_table", "bundled/bytecode_vm",
                                              "bundled/edit_distance"};

// A run dir with one checkpoint of an untrained agent (a seeded random policy).
std::string MakeCheckpoint(uint64_t action_space_hash) {
  const std::string run = testing::TempDir();
  testing::WriteUntrainedCheckpoint(run, action_space_hash, /*episode_length=*/6);
  return run;
}

using testing::RunPassrl;
SubprocessResult Passrl(std::vector<std::string> args) { return RunPassrl(std::move(args)); }

TEST(EvalTest, TableEqualsADirectReplayOfTheSameSequences) {
  setenv("PASSRL_CACHE_DIR", testing::TestDatasetOptions().build.cache_dir.c_str(), 1);
  setenv("PASSRL_DATASETS_DIR", (testing::SourceDir() + "/datasets").c_str(), 1);
  const std::string run = MakeCheckpoint(envs::ActionSpaceHash());
  const std::string json_path = testing::TempDir() + "/eval.json";
  std::vector<std::string> args = {"eval", "--checkpoint", run,  "--search", "beam",   "--width",
                                   "2",    "--budget",     "20", "--json",   json_path};
  for (const auto& b : kBenchmarks) {
    args.push_back("-b");
    args.push_back(b);
  }
  const SubprocessResult r = Passrl(args);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("geomean greedy        over 3:"), std::string::npos) << r.out;
  // bundled/bytecode_vm grows under -Oz: the geomean is also given without it.
  EXPECT_NE(r.out.find("without the 1 where -Oz grows the program"), std::string::npos) << r.out;
  std::string text;
  ASSERT_TRUE(ReadFileToString(json_path, &text).ok());
  const nlohmann::json j = nlohmann::json::parse(text);
  EXPECT_EQ(j["policy_version"], 9);
  EXPECT_EQ(j["length"], 6);  // from the checkpoint's config
  ASSERT_EQ(j["rows"].size(), 18u);  // greedy, beam, -Oz, -O3, random, greedy-search
  std::map<std::string, int64_t> policy_budget;  // per benchmark: the most states a policy used
  for (const auto& row : j["rows"]) {
    if (row["method"] == "greedy" || row["method"] == "beam") {
      int64_t& b = policy_budget[row["benchmark"]];
      b = std::max(b, row["states"].get<int64_t>());
    }
  }

  envs::EnvOptions options;
  options.cache_dir = testing::TestDatasetOptions().build.cache_dir;
  auto env = *envs::LlvmEnv::Create(options);
  auto dataset = *envs::OpenDataset("bundled", testing::TestDatasetOptions());
  std::map<std::string, double> log_sum;
  for (const auto& row : j["rows"]) {
    const std::string name = row["benchmark"], method = row["method"];
    SCOPED_TRACE(name + " " + method);
    auto b = *dataset->Load(name);
    ASSERT_TRUE(env->Reset(b).ok());
    log_sum[method] += std::log(row["ir_ratio_vs_oz"].get<double>());
    if (method == "-Oz" || method == "-O3") {
      const envs::Baselines& base = env->baselines();
      EXPECT_EQ(row["ir_policy"].get<int64_t>(), method == "-Oz" ? base.ir_oz : base.ir_o3);
      EXPECT_EQ(row["text_policy"].get<int64_t>(), method == "-Oz" ? base.text_oz : base.text_o3);
      EXPECT_EQ(row["oz_grows"].get<bool>(), base.ir_oz > base.ir_o0);
      continue;
    }
    if (method == "random" || method == "greedy-search") {
      EXPECT_EQ(row["budget"].get<int64_t>(), policy_budget[name]);
      EXPECT_LE(row["states"].get<int64_t>(), policy_budget[name]);
      EXPECT_GT(row["states"].get<int64_t>(), 0);
    }
    const auto actions = envs::ParseActionList(row["actions"].get<std::string>());
    ASSERT_TRUE(actions.ok());
    // The greedy rollout ends early at stop or when nothing changes the module any more.
    if (method == "greedy") EXPECT_GE(actions->size(), 1u);
    EXPECT_LE(actions->size(), 6u);
    for (int a : *actions) ASSERT_TRUE(env->Step(a).ok());
    EXPECT_EQ(row["ir_policy"].get<int64_t>(), env->IrInstructionCount());
    EXPECT_EQ(row["text_policy"].get<int64_t>(),
              static_cast<int64_t>(*env->Cost(envs::RewardSpace::kObjectTextSize)));
    EXPECT_EQ(row["ir_o0"].get<int64_t>(), env->baselines().ir_o0);
    EXPECT_EQ(row["ir_oz"].get<int64_t>(), env->baselines().ir_oz);
    EXPECT_EQ(row["text_oz"].get<int64_t>(), env->baselines().text_oz);
    EXPECT_DOUBLE_EQ(row["ir_ratio_vs_oz"].get<double>(),
                     static_cast<double>(env->baselines().ir_oz) / env->IrInstructionCount());
  }
  for (const auto& row : j["rows"]) {
    // Beam search keeps the best state seen, the unoptimised root included.
    if (row["method"] == "beam") EXPECT_LE(row["ir_policy"], row["ir_o0"]);
  }
  EXPECT_EQ(log_sum.size(), 6u);
  for (const auto& [method, sum] : log_sum) {
    const nlohmann::json& g = j["geomean"][method];
    EXPECT_NEAR(g["ir_ratio_vs_oz"].get<double>(), std::exp(sum / 3), 1e-9) << method;
    EXPECT_LE(g["ir"]["ci95_low"].get<double>(), g["ir"]["geomean"].get<double>() + 1e-12);
    EXPECT_GE(g["ir"]["ci95_high"].get<double>(), g["ir"]["geomean"].get<double>() - 1e-12);
    EXPECT_EQ(g["ir_without_oz_growth"]["benchmarks"], 2) << method;
  }
  EXPECT_DOUBLE_EQ(j["geomean"]["-Oz"]["ir_ratio_vs_oz"].get<double>(), 1.0);
}

// A benchmark whose evaluation crashes (a test hook aborts the per-benchmark child, as a crashing
// pass would) costs its own row, reported with the command that reproduces it; every other row
// is there and the geomeans count it as failed.
TEST(EvalTest, CrashOnOneBenchmarkCostsOnlyItsRow) {
  setenv("PASSRL_CACHE_DIR", testing::TestDatasetOptions().build.cache_dir.c_str(), 1);
  setenv("PASSRL_DATASETS_DIR", (testing::SourceDir() + "/datasets").c_str(), 1);
  setenv("PASSRL_TEST_CRASH_BENCHMARK", kBenchmarks[1].c_str(), 1);
  const std::string run = MakeCheckpoint(envs::ActionSpaceHash());
  const std::string json_path = testing::TempDir() + "/eval.json";
  std::vector<std::string> args = {"eval", "--checkpoint", run, "--json", json_path,
                                   "--no-baselines"};
  for (const auto& b : kBenchmarks) {
    args.push_back("-b");
    args.push_back(b);
  }
  const SubprocessResult r = Passrl(args);
  unsetenv("PASSRL_TEST_CRASH_BENCHMARK");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("1 benchmarks FAILED"), std::string::npos) << r.out;
  std::string text;
  ASSERT_TRUE(ReadFileToString(json_path, &text).ok());
  const nlohmann::json j = nlohmann::json::parse(text);
  ASSERT_EQ(j["rows"].size(), 3u);
  for (const auto& row : j["rows"]) {
    const std::string error = row["error"];
    if (row["benchmark"] == kBenchmarks[1]) {
      EXPECT_NE(error.find("crashed (signal 6"), std::string::npos) << error;
      const std::string reproduce = row["reproduce"];
      EXPECT_NE(reproduce.find("eval --checkpoint " + run), std::string::npos) << reproduce;
      EXPECT_NE(reproduce.find("-b " + kBenchmarks[1]), std::string::npos) << reproduce;
      EXPECT_EQ(reproduce.find("--rows-only"), std::string::npos) << reproduce;
      EXPECT_TRUE(row["ir_ratio_vs_oz"].is_null());
    } else {
      EXPECT_EQ(error, "") << row["benchmark"];
      EXPECT_GT(row["ir_ratio_vs_oz"].get<double>(), 0);
    }
  }
  EXPECT_EQ(j["geomean"]["greedy"]["benchmarks"], 2);
  EXPECT_EQ(j["geomean"]["greedy"]["failed"], 1);
}

TEST(EvalTest, RefusesACheckpointOfAnotherActionSpace) {
  const std::string run = MakeCheckpoint(envs::ActionSpaceHash() ^ 1);
  const SubprocessResult r = Passrl({"eval", "--checkpoint", run, "-b", kBenchmarks[0]});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("action space"), std::string::npos) << r.err;
  const SubprocessResult none = Passrl({"eval", "--checkpoint", testing::TempDir()});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no checkpoint"), std::string::npos) << none.err;
}

}  // namespace
}  // namespace passrl
