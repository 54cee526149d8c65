#include "replay/hdf5_export.h"

#include <filesystem>

#include "common/subprocess.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/test_util.h"

namespace passrl::replay {
namespace {

constexpr int kDim = 3;

// 300 transitions through a 200-slot ring: the export holds sequence numbers 100..299.
std::unique_ptr<ReplayBuffer> Filled(bool prioritized) {
  ReplayOptions o;
  o.capacity = 200;
  o.obs_dim = kDim;
  o.prioritized = prioritized;
  auto buffer = *ReplayBuffer::Create(o);
  for (int64_t s = 0; s < 300; ++s) {
    const float obs[kDim] = {static_cast<float>(s), 0.5f, -static_cast<float>(s)};
    const float next[kDim] = {static_cast<float>(s + 1), 0.25f, 1.f};
    Transition t;
    t.observation = obs;
    t.next_observation = next;
    t.action = static_cast<int32_t>(s % 5);
    t.reward = 0.5f;
    t.terminal = s % 10 == 9;
    t.truncated = s % 50 == 0;
    t.episode_id = static_cast<uint64_t>(s / 10);
    t.benchmark_id = static_cast<uint32_t>(s % 2);
    buffer->Insert(t);
  }
  return buffer;
}

ExportMetadata Meta() {
  ExportMetadata m;
  m.action_names = {"a0", "a1", "a2", "a3", "a4"};
  m.feature_names = {"f0", "f1", "f2"};
  m.benchmark_names = {"bundled/x", "bundled/y"};
  m.action_space_hash = "00000000deadbeef";
  m.config_yaml = "run:\n  dir: r\n";
  m.source = "/somewhere/ckpt-000000001";
  return m;
}

std::string Exported(bool prioritized, const ReplayBuffer& buffer) {
  const std::string dir = testing::TempDir();
  auto snap = WriteReplaySnapshot(buffer, dir, /*chunk_transitions=*/64);
  EXPECT_TRUE(snap.ok());
  const std::string out = dir + "/replay.h5";
  int64_t last_done = 0, calls = 0;
  auto stats = ExportReplayToHdf5(dir, *snap, Meta(), out, [&](int64_t done, int64_t total) {
    EXPECT_GT(done, last_done);
    EXPECT_EQ(total, 200);
    last_done = done;
    ++calls;
  });
  EXPECT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->transitions, 200);
  EXPECT_EQ(calls, 4);  // one per chunk: 64 + 64 + 64 + 8
  (void)prioritized;
  return out;
}

TEST(Hdf5ExportTest, H5pyReadsBackShapesTypesAndValues) {
  auto buffer = Filled(/*prioritized=*/true);
  const std::string file = Exported(true, *buffer);
  auto run = RunSubprocess(
      {"/usr/bin/python3", testing::SourceDir() + "/tests/replay/h5py_readback.py", file});
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(run->ok()) << run->Describe() << run->err;
  const nlohmann::json j = nlohmann::json::parse(run->out);
  const auto& ds = j["datasets"];
  EXPECT_EQ(ds["observations"]["shape"], nlohmann::json::array({200, kDim}));
  EXPECT_EQ(ds["observations"]["dtype"], "float32");
  EXPECT_EQ(ds["next_observations"]["shape"], nlohmann::json::array({200, kDim}));
  EXPECT_EQ(ds["actions"]["dtype"], "int32");
  EXPECT_EQ(ds["rewards"]["dtype"], "float32");
  EXPECT_EQ(ds["terminals"]["dtype"], "bool");
  EXPECT_EQ(ds["timeouts"]["dtype"], "bool");
  EXPECT_EQ(ds["infos/episode_id"]["dtype"], "uint64");
  EXPECT_EQ(ds["infos/sequence"]["dtype"], "int64");
  EXPECT_EQ(ds["infos/priority"]["dtype"], "float64");
  EXPECT_TRUE(j["terminals_is_bool"].get<bool>());
  // Values: oldest held is transition 100, newest 299.
  EXPECT_EQ(j["obs_first"], nlohmann::json::array({100.0, 0.5, -100.0}));
  EXPECT_EQ(j["obs_last"], nlohmann::json::array({299.0, 0.5, -299.0}));
  EXPECT_EQ(j["next_obs_last"], nlohmann::json::array({300.0, 0.25, 1.0}));
  EXPECT_DOUBLE_EQ(j["rewards_sum"].get<double>(), 100.0);
  EXPECT_EQ(j["terminals"], 20);  // s % 10 == 9 for s in 100..299
  EXPECT_EQ(j["timeouts"], 4);    // 100, 150, 200, 250
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(j["sequence"][i], 100 + i);
    ASSERT_EQ(j["actions"][i], (100 + i) % 5);
    ASSERT_EQ(j["episode_id"][i], (100 + i) / 10);
    ASSERT_EQ(j["benchmark_id"][i], (100 + i) % 2);
  }
  EXPECT_EQ(j["benchmark"], nlohmann::json::array({"bundled/x", "bundled/y"}));
  EXPECT_TRUE(j["priority_positive"].get<bool>());
  const auto& attrs = j["attrs"];
  EXPECT_EQ(attrs["action_names"], nlohmann::json::array({"a0", "a1", "a2", "a3", "a4"}));
  EXPECT_EQ(attrs["feature_names"], nlohmann::json::array({"f0", "f1", "f2"}));
  EXPECT_EQ(attrs["action_space_hash"], "00000000deadbeef");
  EXPECT_EQ(attrs["config"], "run:\n  dir: r\n");
  EXPECT_EQ(attrs["format"], "passrl-replay-1");
}

TEST(Hdf5ExportTest, InspectSummarisesTheFile) {
  auto buffer = Filled(false);
  const std::string file = Exported(false, *buffer);
  auto summary = InspectHdf5Replay(file);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_NE(summary->find("200 transitions"), std::string::npos) << *summary;
  EXPECT_NE(summary->find("5 actions used"), std::string::npos) << *summary;
  EXPECT_NE(summary->find("20 episodes"), std::string::npos) << *summary;
  EXPECT_NE(summary->find("terminals 20, timeouts 4"), std::string::npos) << *summary;
  EXPECT_NE(summary->find("bundled/x"), std::string::npos) << *summary;
  const std::string not_h5 = testing::WriteTempFile("x.h5", "plain text");
  auto bad = InspectHdf5Replay(not_h5);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("not an HDF5 file"), std::string::npos);
}

TEST(Hdf5ExportTest, UnwritablePathIsAClearErrorAndLeavesNothing) {
  auto buffer = Filled(false);
  const std::string dir = testing::TempDir();
  auto snap = WriteReplaySnapshot(*buffer, dir, 64);
  ASSERT_TRUE(snap.ok());
  auto missing_dir = ExportReplayToHdf5(dir, *snap, Meta(), dir + "/no/such/dir/out.h5");
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_EQ(missing_dir.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(missing_dir.status().message().find("no/such/dir/out.h5"), std::string::npos);
  // A corrupt chunk midway: the export fails naming it, and no partial .h5 or .tmp remains.
  const std::string chunk = dir + "/" + snap->files[2].name;
  std::filesystem::resize_file(chunk, 100);
  const std::string out = dir + "/out.h5";
  auto corrupt = ExportReplayToHdf5(dir, *snap, Meta(), out);
  ASSERT_FALSE(corrupt.ok());
  EXPECT_NE(corrupt.status().message().find(snap->files[2].name), std::string::npos)
      << corrupt.status();
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_FALSE(std::filesystem::exists(out + ".tmp"));
  ExportMetadata wrong = Meta();
  wrong.feature_names.pop_back();
  EXPECT_EQ(ExportReplayToHdf5(dir, *snap, wrong, out).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace passrl::replay
