#include "replay/replay_snapshot.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace passrl::replay {
namespace {

constexpr int kDim = 5;

// Transition number `seq` carries seq in every field, so any mix-up shows.
void InsertNumbered(ReplayBuffer& buffer, int64_t seq) {
  float obs[kDim], next[kDim];
  for (int j = 0; j < kDim; ++j) {
    obs[j] = static_cast<float>(seq) + 0.1f * j;
    next[j] = -obs[j];
  }
  Transition t;
  t.observation = obs;
  t.next_observation = next;
  t.action = static_cast<int32_t>(seq % 17);
  t.reward = static_cast<float>(seq) * 0.25f;
  t.terminal = seq % 3 == 0;
  t.truncated = seq % 5 == 0;
  t.episode_id = static_cast<uint64_t>(seq);
  t.step = static_cast<int32_t>(seq % 24);
  t.policy_version = static_cast<uint64_t>(seq / 10);
  t.actor_id = static_cast<int32_t>(seq % 4);
  t.benchmark_id = static_cast<uint32_t>(seq % 7);
  buffer.Insert(t);
}

std::unique_ptr<ReplayBuffer> Make(int64_t capacity, bool prioritized, uint64_t seed = 3) {
  ReplayOptions o;
  o.capacity = capacity;
  o.obs_dim = kDim;
  o.prioritized = prioritized;
  o.seed = seed;
  return *ReplayBuffer::Create(o);
}

void ExpectSameContents(const ReplayBuffer& a, const ReplayBuffer& b) {
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.inserted(), b.inserted());
  std::vector<float> oa, na, ob, nb;
  for (int64_t i = 0; i < a.size(); ++i) {
    Transition ta, tb;
    a.Read(i, &oa, &na, &ta);
    b.Read(i, &ob, &nb, &tb);
    ASSERT_EQ(oa, ob) << i;
    ASSERT_EQ(na, nb) << i;
    ASSERT_EQ(ta.action, tb.action);
    ASSERT_EQ(ta.reward, tb.reward);
    ASSERT_EQ(ta.terminal, tb.terminal);
    ASSERT_EQ(ta.truncated, tb.truncated);
    ASSERT_EQ(ta.episode_id, tb.episode_id);
    ASSERT_EQ(ta.step, tb.step);
    ASSERT_EQ(ta.policy_version, tb.policy_version);
    ASSERT_EQ(ta.actor_id, tb.actor_id);
    ASSERT_EQ(ta.benchmark_id, tb.benchmark_id);
  }
}

class SnapshotRoundTrip : public ::testing::TestWithParam<bool> {};

// A wrapped ring with priorities: the restored buffer holds the same transitions in the same
// order, and sampling continues exactly as the original would (same generator state and tree).
TEST_P(SnapshotRoundTrip, RestoresContentsAndSamplingExactly) {
  const bool prioritized = GetParam();
  auto original = Make(100, prioritized);
  for (int64_t s = 0; s < 250; ++s) InsertNumbered(*original, s);
  SampledBatch batch;
  ASSERT_TRUE(original->Sample(16, &batch));
  std::vector<float> priorities(batch.sequences.size());
  for (size_t i = 0; i < priorities.size(); ++i) priorities[i] = 0.5f + static_cast<float>(i);
  original->UpdatePriorities(batch.sequences, priorities);

  const std::string dir = testing::TempDir();
  SnapshotStats stats;
  auto snap = WriteReplaySnapshot(*original, dir, /*chunk_transitions=*/7, &stats);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ(stats.chunks, 15);  // ceil(100 / 7)
  EXPECT_EQ(snap->state.size, 100);
  EXPECT_EQ(snap->state.inserted, 250);
  auto parsed = ReplaySnapshotFromJson(ToJson(*snap));  // through the manifest's JSON
  ASSERT_TRUE(parsed.ok()) << parsed.status();

  auto restored = Make(100, prioritized, /*seed=*/999);  // a different seed: the state must win
  ASSERT_TRUE(RestoreReplaySnapshot(dir, *parsed, restored.get()).ok());
  ExpectSameContents(*original, *restored);
  for (int round = 0; round < 3; ++round) {
    SampledBatch a, b;
    ASSERT_TRUE(original->Sample(32, &a));
    ASSERT_TRUE(restored->Sample(32, &b));
    EXPECT_EQ(a.sequences, b.sequences);
    EXPECT_EQ(a.observations, b.observations);
    EXPECT_EQ(a.weights, b.weights);
  }
  // Inserting continues at the same sequence numbers.
  InsertNumbered(*original, 250);
  InsertNumbered(*restored, 250);
  ExpectSameContents(*original, *restored);
}

INSTANTIATE_TEST_SUITE_P(UniformAndPrioritized, SnapshotRoundTrip, ::testing::Bool());

TEST(ReplaySnapshotTest, EmptyBufferRoundTrips) {
  auto empty = Make(10, false);
  const std::string dir = testing::TempDir();
  auto snap = WriteReplaySnapshot(*empty, dir, 4);
  ASSERT_TRUE(snap.ok());
  EXPECT_TRUE(snap->files.empty());
  auto restored = Make(10, false);
  ASSERT_TRUE(RestoreReplaySnapshot(dir, *snap, restored.get()).ok());
  EXPECT_EQ(restored->size(), 0);
}

// Checks that a snapshot is one contiguous run of sequence numbers ending at state.inserted.
void ExpectContiguous(const std::string& dir, const ReplaySnapshot& snap) {
  int64_t expected = snap.state.inserted - snap.state.size;
  ASSERT_TRUE(ForEachReplayChunk(dir, snap, [&](const ReplayChunk& c) {
                for (int64_t k = 0; k < c.count; ++k) {
                  EXPECT_EQ(c.episode_ids[k], static_cast<uint64_t>(expected));
                  EXPECT_EQ(c.observations[k * kDim], static_cast<float>(expected));
                  ++expected;
                }
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(expected, snap.state.inserted);
}

// Ingestion goes on while the snapshot is written: the snapshot is exactly what was held when it
// began (the buffer has room, so nothing it holds is overwritten meanwhile), one contiguous range.
TEST(ReplaySnapshotTest, SnapshotDuringInsertsIsContiguous) {
  auto buffer = Make(40000, false);
  for (int64_t s = 0; s < 20000; ++s) InsertNumbered(*buffer, s);
  std::atomic<bool> done{false};
  std::atomic<int64_t> next{20000};
  constexpr int64_t kLast = 40000;  // never beyond the capacity: nothing is overwritten
  std::thread writer([&] {
    // One insert every ~20 us: a gap far shorter than writing 20,000 transitions takes.
    while (!done && next < kLast) {
      InsertNumbered(*buffer, next++);
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
  });
  while (next == 20000) std::this_thread::yield();  // the writer is running
  const std::string dir = testing::TempDir();
  const int64_t before = next.load();
  auto snap = WriteReplaySnapshot(*buffer, dir, 512);
  const int64_t after = next.load();
  done = true;
  writer.join();
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_GT(after, before) << "no insert happened during the snapshot";
  EXPECT_GE(snap->state.size, before);  // everything held when it began ...
  EXPECT_LE(snap->state.size, after);   // ... and nothing inserted after it ended
  EXPECT_EQ(snap->state.size, snap->state.inserted);  // nothing dropped
  ExpectContiguous(dir, *snap);
}

// A flood that laps a small buffer while it is written: the result is still contiguous (a dropped
// prefix, or a restart), or a clear error; never a mix of old and new transitions.
TEST(ReplaySnapshotTest, FloodThatLapsTheBufferNeverMixesTransitions) {
  auto buffer = Make(2000, false);
  for (int64_t s = 0; s < 2000; ++s) InsertNumbered(*buffer, s);
  std::atomic<bool> done{false};
  std::atomic<int64_t> next{2000};
  std::thread writer([&] {
    while (!done) InsertNumbered(*buffer, next++);
  });
  const std::string dir = testing::TempDir();
  auto snap = WriteReplaySnapshot(*buffer, dir, 16);
  done = true;
  writer.join();
  if (!snap.ok()) {
    EXPECT_EQ(snap.status().code(), absl::StatusCode::kUnavailable) << snap.status();
    int left = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      (void)e;
      ++left;
    }
    EXPECT_EQ(left, 0) << "a failed snapshot left chunk files behind";
    return;
  }
  ExpectContiguous(dir, *snap);
}

TEST(ReplaySnapshotTest, SmallerBufferKeepsTheNewest) {
  auto big = Make(100, false);
  for (int64_t s = 0; s < 100; ++s) InsertNumbered(*big, s);
  const std::string dir = testing::TempDir();
  auto snap = WriteReplaySnapshot(*big, dir, 30);
  ASSERT_TRUE(snap.ok());
  auto small = Make(40, false);
  ASSERT_TRUE(RestoreReplaySnapshot(dir, *snap, small.get()).ok());
  ASSERT_EQ(small->size(), 40);
  std::vector<float> o, n;
  Transition t;
  small->Read(0, &o, &n, &t);
  EXPECT_EQ(t.episode_id, 60u);
  small->Read(39, &o, &n, &t);
  EXPECT_EQ(t.episode_id, 99u);
}

std::string WrittenChunk(std::string* dir) {
  auto buffer = Make(50, false);
  for (int64_t s = 0; s < 50; ++s) InsertNumbered(*buffer, s);
  *dir = testing::TempDir();
  auto snap = WriteReplaySnapshot(*buffer, *dir, 50);
  EXPECT_TRUE(snap.ok());
  return *dir + "/" + snap->files.at(0).name;
}

TEST(ReplaySnapshotTest, FlippedByteIsACorruptChunkNamingTheFile) {
  std::string dir;
  const std::string path = WrittenChunk(&dir);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(500);
    f.put('\x7f');
  }
  auto chunk = ReadReplayChunkFile(path);
  ASSERT_FALSE(chunk.ok());
  EXPECT_EQ(chunk.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(chunk.status().message().find(path), std::string::npos);
  EXPECT_NE(chunk.status().message().find("checksum"), std::string::npos);
}

TEST(ReplaySnapshotTest, TruncatedAndForeignFilesAreRejected) {
  std::string dir;
  const std::string path = WrittenChunk(&dir);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 9);
  EXPECT_EQ(ReadReplayChunkFile(path).status().code(), absl::StatusCode::kDataLoss);
  const std::string other = testing::WriteTempFile("notachunk.bin", std::string(100, 'z'));
  auto foreign = ReadReplayChunkFile(other);
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.status().message().find("bad magic"), std::string::npos);
  EXPECT_EQ(ReadReplayChunkFile(dir + "/missing.bin").status().code(), absl::StatusCode::kNotFound);
}

TEST(ReplaySnapshotTest, ManifestMustMatchTheFiles) {
  auto buffer = Make(20, false);
  for (int64_t s = 0; s < 20; ++s) InsertNumbered(*buffer, s);
  const std::string dir = testing::TempDir();
  auto snap = WriteReplaySnapshot(*buffer, dir, 10);
  ASSERT_TRUE(snap.ok());
  nlohmann::json j = ToJson(*snap);
  j["files"][0]["name"] = "../../etc/passwd";
  EXPECT_FALSE(ReplaySnapshotFromJson(j).ok());
  j = ToJson(*snap);
  j["size"] = 19;
  EXPECT_FALSE(ReplaySnapshotFromJson(j).ok());
  ReplaySnapshot swapped = *snap;
  std::swap(swapped.files[0].first_seq, swapped.files[1].first_seq);
  auto restored = Make(20, false);
  EXPECT_EQ(RestoreReplaySnapshot(dir, swapped, restored.get()).code(),
            absl::StatusCode::kDataLoss);
  auto narrow = [] {
    ReplayOptions o;
    o.capacity = 20;
    o.obs_dim = kDim + 1;
    return *ReplayBuffer::Create(o);
  }();
  EXPECT_EQ(RestoreReplaySnapshot(dir, *snap, narrow.get()).code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace passrl::replay
