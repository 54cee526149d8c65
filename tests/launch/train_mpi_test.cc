// The whole system for about a minute: `mpirun -np 3 passrl train` (1 learner, 2 actors, real env
// workers, real ZeroMQ, real LibTorch) on the bundled dataset. Asserts that transitions from both
// actors arrived, both adopted at least two weight versions, the losses are finite, and the
// metrics (JSONL and TensorBoard) were written.
#include <filesystem>
#include <fstream>

#include "common/crc32c.h"
#include "common/subprocess.h"
#include "gtest/gtest.h"
#include "learner/metrics.h"
#include "nlohmann/json.hpp"
#include "tests/test_util.h"

namespace passrl {
namespace {

TEST(TrainMpiTest, ThreeRanksTrainForAMinute) {
  const std::string run = testing::TempDir() + "/run";
  std::vector<std::string> cmd = {"mpirun", "--oversubscribe", "--bind-to", "none"};
  if (getuid() == 0) cmd.push_back("--allow-run-as-root");
  for (const std::string& a : {std::string("-np"),
                               std::string("3"),
                               std::string(PASSRL_BINARY),
                               std::string("train"),
                               std::string("--config"),
                               testing::SourceDir() + "/cluster_configs/local.yaml",
                               std::string("--set"),
                               std::string("run.duration_seconds=45"),
                               std::string("--set"),
                               "run.dir=" + run,
                               std::string("--set"),
                               std::string("replay.capacity=20000"),
                               std::string("--set"),
                               std::string("learner.warmup_transitions=256"),
                               std::string("--set"),
                               std::string("learner.publish_every=10"),
                               std::string("--set"),
                               std::string("sac.hidden=[64,64]"),
                               std::string("--datasets-dir"),
                               testing::SourceDir() + "/datasets",
                               std::string("--cache-dir"),
                               testing::TestDatasetOptions().build.cache_dir}) {
    cmd.push_back(a);
  }
  SubprocessOptions options;
  options.timeout_seconds = 400;
  auto r = RunSubprocess(cmd, options);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->ok()) << r->Describe() << "\n"
                       << r->out.substr(r->out.size() > 4000 ? r->out.size() - 4000 : 0) << r->err;
  EXPECT_NE(r->out.find("transitions/s"), std::string::npos) << "no progress line";

  std::ifstream in(run + "/summary.json");
  ASSERT_TRUE(in) << "no summary.json";
  nlohmann::json s = nlohmann::json::parse(in);
  ASSERT_TRUE(s["actors"].contains("1") && s["actors"].contains("2")) << s.dump(2);
  for (const char* id : {"1", "2"}) {
    const auto& a = s["actors"][id];
    EXPECT_GT(a["transitions_received"].get<int64_t>(), 0) << "actor " << id;
    EXPECT_GE(a["versions_adopted"].get<int64_t>(), 2) << "actor " << id;
  }
  EXPECT_GT(s["updates"].get<int64_t>(), 0);
  ASSERT_FALSE(s["last_critic_loss"].is_null()) << "critic loss not finite";
  ASSERT_FALSE(s["last_policy_loss"].is_null()) << "policy loss not finite";
  EXPECT_EQ(s["messages_rejected"].get<int64_t>(), 0);

  int lines = 0;
  std::ifstream metrics(run + "/metrics.jsonl");
  for (std::string line; std::getline(metrics, line);) {
    nlohmann::json m = nlohmann::json::parse(line);
    EXPECT_TRUE(m.contains("transitions_per_second"));
    ++lines;
  }
  EXPECT_GE(lines, 30);
  // The TensorBoard file is a valid TFRecord stream: check the first record's CRCs.
  std::string events;
  for (const auto& e : std::filesystem::directory_iterator(run + "/tb")) events = e.path();
  std::ifstream tb(events, std::ios::binary);
  uint64_t length = 0;
  uint32_t length_crc = 0;
  tb.read(reinterpret_cast<char*>(&length), 8);
  tb.read(reinterpret_cast<char*>(&length_crc), 4);
  EXPECT_EQ(length_crc, MaskedCrc32c(&length, 8));
  std::string data(length, '\0');
  tb.read(data.data(), static_cast<std::streamsize>(length));
  uint32_t data_crc = 0;
  tb.read(reinterpret_cast<char*>(&data_crc), 4);
  EXPECT_EQ(data_crc, MaskedCrc32c(data.data(), data.size()));
  EXPECT_NE(data.find("brain.Event:2"), std::string::npos);

  // The trained policy evaluates, and its table agrees with replaying its sequences directly.
  const std::string csv = run + "/eval.csv";
  auto eval = RunSubprocess({PASSRL_BINARY, "eval", "--run", run, "--csv", csv, "--cache-dir",
                             testing::TestDatasetOptions().build.cache_dir, "--datasets-dir",
                             testing::SourceDir() + "/datasets"},
                            options);
  ASSERT_TRUE(eval.ok() && eval->ok()) << (eval.ok() ? eval->err : "");
  EXPECT_NE(eval->out.find("geomean ratio vs -Oz over 32 benchmarks"), std::string::npos)
      << eval->out;
  std::ifstream rows(csv);
  std::string header, row;
  std::getline(rows, header);
  int checked = 0;
  while (std::getline(rows, row) && checked < 3) {
    // benchmark,ir_o0,ir_oz,ir_policy,ratio,"actions"
    const std::string name = row.substr(0, row.find(','));
    const size_t quote = row.find('"');
    const std::string actions = row.substr(quote + 1, row.rfind('"') - quote - 1);
    size_t field = 0;
    for (int k = 0; k < 3; ++k) field = row.find(',', field) + 1;
    const long long policy_count = std::atoll(row.c_str() + field);
    auto replay = RunSubprocess({PASSRL_BINARY, "env", "-b", name, "-a", actions, "--observation",
                                 "ActionHistogram", "--cache-dir",
                                 testing::TestDatasetOptions().build.cache_dir, "--datasets-dir",
                                 testing::SourceDir() + "/datasets"});
    ASSERT_TRUE(replay.ok() && replay->ok()) << (replay.ok() ? replay->err : "");
    EXPECT_NE(replay->out.find("final: IR instructions " + std::to_string(policy_count)),
              std::string::npos)
        << name << " [" << actions << "]";
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

}  // namespace
}  // namespace passrl
