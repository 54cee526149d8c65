#include "learner/checkpoint.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "common/durable_file.h"
#include "common/file_cache.h"
#include "gtest/gtest.h"
#include "learner/sac.h"
#include "tests/test_util.h"

namespace passrl::learner {
namespace {
namespace fs = std::filesystem;

constexpr int kDim = 8;

SacOptions AgentOptions() {
  SacOptions o;
  o.shape = {kDim, 5, {16}};
  o.use_cuda_if_available = false;
  return o;
}

std::unique_ptr<replay::ReplayBuffer> Replay(int64_t n) {
  replay::ReplayOptions o;
  o.capacity = 100000;
  o.obs_dim = kDim;
  auto buffer = *replay::ReplayBuffer::Create(o);
  std::vector<float> obs(kDim);
  for (int64_t i = 0; i < n; ++i) {
    for (int j = 0; j < kDim; ++j) obs[j] = static_cast<float>(i * kDim + j);
    replay::Transition t;
    t.observation = obs;
    t.next_observation = obs;
    t.episode_id = static_cast<uint64_t>(i);
    buffer->Insert(t);
  }
  return buffer;
}

CheckpointSpaces Spaces() { return {0xabcdef, 5, kDim, {16}, "bootstrap"}; }

CheckpointContents Contents(int64_t updates, const replay::ReplayBuffer* replay, SacAgent& agent) {
  CheckpointContents c;
  c.counters.updates = updates;
  c.counters.policy_version = static_cast<uint64_t>(updates / 10);
  c.counters.elapsed_seconds = static_cast<double>(updates);
  c.spaces = Spaces();
  c.agent_state = *agent.SaveState();
  c.config_yaml = "run:\n  dir: x\n";
  c.reason = "test";
  c.replay = replay;
  c.benchmarks = {"bundled/a", "bundled/b"};
  return c;
}

CheckpointOptions Options(const std::string& dir, int keep = 3) {
  CheckpointOptions o;
  o.dir = dir;
  o.keep = keep;
  o.chunk_transitions = 1000;
  return o;
}

TEST(CheckpointTest, WritesLoadsAndKeepsTheLastK) {
  const std::string dir = testing::TempDir() + "/checkpoints";
  auto agent = *SacAgent::Create(AgentOptions());
  auto replay = Replay(2500);
  auto store = CheckpointStore::Open(Options(dir, /*keep=*/2));
  ASSERT_TRUE(store.ok()) << store.status();
  for (int64_t u = 1; u <= 4; ++u) {
    auto path = store->Write(Contents(u * 100, replay.get(), *agent));
    ASSERT_TRUE(path.ok()) << path.status();
  }
  const std::vector<std::string> kept = ListCheckpoints(dir);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(fs::path(kept[0]).filename(), "ckpt-000000003");
  EXPECT_EQ(fs::path(kept[1]).filename(), "ckpt-000000004");
  std::string latest;
  ASSERT_TRUE(ReadFileToString(dir + "/latest", &latest).ok());
  EXPECT_EQ(latest, "ckpt-000000004\n");
  // From the run dir, the checkpoints dir, or the checkpoint itself.
  for (const std::string& where : {fs::path(dir).parent_path().string(), dir, kept[1]}) {
    auto loaded = LoadLatestCheckpoint(where, false);
    ASSERT_TRUE(loaded.ok()) << where << ": " << loaded.status();
    EXPECT_EQ(loaded->counters.updates, 400);
    EXPECT_EQ(loaded->counters.sequence, 4);
    EXPECT_EQ(loaded->counters.transitions_inserted, 2500u);  // the replay's own count
    EXPECT_EQ(loaded->replay.state.size, 2500);
    EXPECT_EQ(loaded->replay.files.size(), 3u);
    EXPECT_EQ(loaded->benchmarks, (std::vector<std::string>{"bundled/a", "bundled/b"}));
    EXPECT_EQ(loaded->config_yaml, "run:\n  dir: x\n");
    EXPECT_TRUE(CheckCompatible(loaded->spaces, Spaces()).ok());
    EXPECT_EQ(loaded->spaces.horizon, "bootstrap");
  }
  // A store reopened later continues the numbering.
  auto again = CheckpointStore::Open(Options(dir, 2));
  auto path = again->Write(Contents(500, replay.get(), *agent));
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(fs::path(*path).filename(), "ckpt-000000005");
}

TEST(CheckpointTest, IncompatibleSpacesAreRefusedNamingTheDifference) {
  CheckpointSpaces now = Spaces();
  now.num_actions = 6;
  now.action_space_hash = 0x1234;
  absl::Status s = CheckCompatible(Spaces(), now);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("action space"), std::string::npos) << s;
  now = Spaces();
  now.obs_dim = kDim + 1;
  EXPECT_NE(CheckCompatible(Spaces(), now).message().find("observation space"), std::string::npos);
  now = Spaces();
  now.hidden = {32};
  EXPECT_NE(CheckCompatible(Spaces(), now).message().find("sac.hidden"), std::string::npos);
  // Transitions recorded under another horizon mean something else: refused, naming both.
  now = Spaces();
  now.horizon = "terminal";
  s = CheckCompatible(Spaces(), now);
  EXPECT_NE(s.message().find("env.horizon bootstrap; config: terminal"), std::string::npos) << s;
  CheckpointSpaces unrecorded = Spaces();
  unrecorded.horizon = "";  // written before horizons: resumable (the learner says so)
  EXPECT_TRUE(CheckCompatible(unrecorded, now).ok());
}

// Damage to any file is found, named, and (when asked) the previous checkpoint is used instead.
TEST(CheckpointTest, CorruptOrTruncatedFilesAreNamedAndFallBack) {
  const std::string dir = testing::TempDir() + "/checkpoints";
  auto agent = *SacAgent::Create(AgentOptions());
  auto replay = Replay(1500);
  auto store = *CheckpointStore::Open(Options(dir));
  ASSERT_TRUE(store.Write(Contents(100, replay.get(), *agent)).ok());
  const std::string newest = *store.Write(Contents(200, replay.get(), *agent));
  struct Damage {
    std::string file;
    bool truncate;
    std::string expect;
  };
  for (const Damage& d :
       {Damage{"agent.pt", false, "checksum mismatch"}, Damage{"agent.pt", true, "truncated"},
        Damage{"replay/chunk-000001.bin", false, "checksum"},
        Damage{"replay/chunk-000000.bin", true, "corrupt replay chunk"},
        Damage{"manifest.json", true, "unreadable manifest"}}) {
    SCOPED_TRACE(d.file);
    const std::string path = newest + "/" + d.file;
    std::string original;
    ASSERT_TRUE(ReadFileToString(path, &original).ok());
    if (d.truncate) {
      fs::resize_file(path, original.size() / 2);
    } else {
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(original.size() / 2));
      f.put(static_cast<char>(original[original.size() / 2] ^ 0x5a));
    }
    auto strict = LoadLatestCheckpoint(dir, /*fallback=*/false);
    ASSERT_FALSE(strict.ok());
    EXPECT_EQ(strict.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(strict.status().message().find(d.file), std::string::npos) << strict.status();
    EXPECT_NE(strict.status().message().find(d.expect), std::string::npos) << strict.status();
    auto fallback = LoadLatestCheckpoint(dir, /*fallback=*/true);
    ASSERT_TRUE(fallback.ok()) << fallback.status();
    EXPECT_EQ(fallback->counters.updates, 100);
    ASSERT_TRUE(WriteFileDurably(path, original).ok());  // repair for the next case
    ASSERT_TRUE(LoadLatestCheckpoint(dir, false).ok());
  }
}

TEST(CheckpointTest, MissingOrGarbledLatestPointerUsesTheNewestComplete) {
  const std::string dir = testing::TempDir() + "/checkpoints";
  auto agent = *SacAgent::Create(AgentOptions());
  auto store = *CheckpointStore::Open(Options(dir));
  ASSERT_TRUE(store.Write(Contents(100, nullptr, *agent)).ok());
  ASSERT_TRUE(store.Write(Contents(200, nullptr, *agent)).ok());
  fs::remove(dir + "/latest");
  EXPECT_EQ(LoadLatestCheckpoint(dir, false)->counters.updates, 200);
  ASSERT_TRUE(WriteFileDurably(dir + "/latest", "garbage").ok());
  EXPECT_EQ(LoadLatestCheckpoint(dir, false)->counters.updates, 200);
  EXPECT_EQ(LoadLatestCheckpoint(testing::TempDir(), false).status().code(),
            absl::StatusCode::kNotFound);
}

// A full disk in the middle of a checkpoint (RLIMIT_FSIZE makes big writes fail with EFBIG):
// the write fails with a clear error, no temp directory is left, the previous checkpoint is
// still the latest and loads.
TEST(CheckpointTest, DiskFullKeepsThePreviousCheckpoint) {
  const std::string dir = testing::TempDir() + "/checkpoints";
  auto agent = *SacAgent::Create(AgentOptions());
  auto small = Replay(10), big = Replay(20000);
  {
    auto store = *CheckpointStore::Open(Options(dir));
    ASSERT_TRUE(store.Write(Contents(100, small.get(), *agent)).ok());
  }
  const std::string agent_state = *agent->SaveState();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    signal(SIGXFSZ, SIG_IGN);
    // A per-file limit: agent.pt (~30 kB) fits, a 10,000-transition replay chunk (~1 MB) does not.
    const rlim_t limit_bytes = 200000;
    rlimit limit{limit_bytes, limit_bytes};
    setrlimit(RLIMIT_FSIZE, &limit);
    CheckpointOptions options = Options(dir);
    options.chunk_transitions = 10000;
    auto store = *CheckpointStore::Open(options);
    CheckpointContents c;
    c.counters.updates = 200;
    c.spaces = Spaces();
    c.agent_state = agent_state;
    c.replay = big.get();
    auto written = store.Write(c);
    const bool clear = !written.ok() &&
                       written.status().code() == absl::StatusCode::kResourceExhausted &&
                       written.status().message().find("disk full") != std::string::npos;
    _exit(clear ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the checkpoint did not fail with a disk-full error";
  for (const auto& e : fs::directory_iterator(dir)) {
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
  }
  auto loaded = LoadLatestCheckpoint(dir, false);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->counters.updates, 100);
}

// The writer of CheckpointKillTest: resumes from the latest checkpoint (if any), then writes
// checkpoints with ever larger update counts, reporting each completed one on stdout.
TEST(CheckpointKillTest, ChildWriter) {
  const char* dir = getenv("PASSRL_CHECKPOINT_CHILD_DIR");
  if (dir == nullptr) GTEST_SKIP() << "run by CheckpointKillTest.SigkillAtRandomMoments";
  auto agent = *SacAgent::Create(AgentOptions());
  int64_t updates = 0;
  if (auto loaded = LoadLatestCheckpoint(dir, false); loaded.ok()) {
    ASSERT_TRUE(agent->LoadState(loaded->agent_state).ok());
    updates = loaded->counters.updates;
  }
  auto replay = Replay(30000);
  auto store = *CheckpointStore::Open(Options(dir, 2));
  for (;;) {
    ++updates;
    auto path = store.Write(Contents(updates, replay.get(), *agent));
    ASSERT_TRUE(path.ok()) << path.status();
    std::printf("done %lld\n", static_cast<long long>(updates));
    std::fflush(stdout);
  }
}

// SIGKILL the writer at random moments, many times: after every kill the latest checkpoint loads
// (each file verified), is at least as new as the last one reported complete, and a restarted
// writer continues its counters from it.
TEST(CheckpointKillTest, SigkillAtRandomMoments) {
  const std::string dir = testing::TempDir() + "/checkpoints";
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> delay_ms(50, 400);
  int64_t acknowledged = 0, mid_write = 0;
  constexpr int kKills = 12;
  for (int round = 0; round < kKills; ++round) {
    int out[2];
    ASSERT_EQ(pipe(out), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      dup2(out[1], 1);
      setenv("PASSRL_CHECKPOINT_CHILD_DIR", dir.c_str(), 1);
      execl("/proc/self/exe", "checkpoint_child", "--gtest_filter=CheckpointKillTest.ChildWriter",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    // Let the writer start and complete at least one checkpoint, then kill it at a random moment.
    std::string text;
    char buf[4096];
    auto read_some = [&] {
      const ssize_t n = read(out[0], buf, sizeof(buf));
      if (n > 0) text.append(buf, static_cast<size_t>(n));
      return n > 0;
    };
    while (text.find("done") == std::string::npos && read_some()) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    while (read_some()) {
    }
    close(out[0]);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer ended by itself:\n" << text;
    const size_t last = text.rfind("done ");
    ASSERT_NE(last, std::string::npos) << text;
    const int64_t reported = std::stoll(text.substr(last + 5));
    ASSERT_GT(reported, acknowledged) << "the restarted writer did not continue the counters";
    acknowledged = reported;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().filename().string().rfind(".tmp-", 0) == 0) ++mid_write;
    }
    auto loaded = LoadLatestCheckpoint(dir, /*fallback=*/false);
    ASSERT_TRUE(loaded.ok()) << "after kill " << round << ": " << loaded.status();
    EXPECT_GE(loaded->counters.updates, acknowledged);
    EXPECT_LE(loaded->counters.updates, acknowledged + 1);  // at most the one being written
    EXPECT_EQ(loaded->replay.state.size, 30000);
    auto agent = *SacAgent::Create(AgentOptions());
    EXPECT_TRUE(agent->LoadState(loaded->agent_state).ok());
  }
  // The kills must really have hit checkpoints in progress, or this test proves little.
  EXPECT_GE(mid_write, kKills / 3) << "only " << mid_write << " kills landed mid-checkpoint";
  std::printf("%lld of %d kills landed while a checkpoint was being written\n",
              static_cast<long long>(mid_write), kKills);
}

}  // namespace
}  // namespace passrl::learner
