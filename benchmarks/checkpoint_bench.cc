// Checkpoint cost, as ratios against anchors measured in the same run:
//  - replay snapshot (chunked, CRC'd, fsynced) vs writing the same bytes as one fsynced file;
//  - HDF5 export of that snapshot vs the same anchor;
//  - ingestion: inserts/s of a thread inserting during the snapshot vs alone, and the longest
//    time one insert waited (the chunk copy under the lock).
//   build/benchmarks/passrl_checkpoint_bench [--transitions N] [--chunk C] [--dir D]
#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/durable_file.h"
#include "replay/hdf5_export.h"
#include "replay/replay_snapshot.h"

using namespace passrl;

namespace {

constexpr int kDim = 57;

void Insert(replay::ReplayBuffer& buffer, int64_t seq) {
  float obs[kDim];
  for (int j = 0; j < kDim; ++j) obs[j] = static_cast<float>(seq % 1000) * 0.01f + j;
  replay::Transition t;
  t.observation = obs;
  t.next_observation = obs;
  t.action = static_cast<int32_t>(seq % 114);
  t.reward = 0.01f;
  t.episode_id = static_cast<uint64_t>(seq / 24);
  buffer.Insert(t);
}

// Inserts (with a pause every 32, like ingesting 32-transition batches) until `stop`; returns /s.
double IngestWhile(replay::ReplayBuffer& buffer, std::atomic<bool>& stop, double* max_wait) {
  const double start = MonotonicSeconds();
  int64_t n = 0;
  while (!stop) {
    const double t0 = MonotonicSeconds();
    Insert(buffer, 1'000'000'000 + n++);
    *max_wait = std::max(*max_wait, MonotonicSeconds() - t0);
    if (n % 32 == 0) std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  return static_cast<double>(n) / (MonotonicSeconds() - start);
}

}  // namespace

int main(int argc, char** argv) {
  int64_t n = 500000, chunk = 65536;
  std::string dir = "/tmp/passrl-checkpoint-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--transitions")) n = std::stoll(argv[i + 1]);
    if (!strcmp(argv[i], "--chunk")) chunk = std::stoll(argv[i + 1]);
    if (!strcmp(argv[i], "--dir")) dir = argv[i + 1];
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/snap");
  replay::ReplayOptions o;
  o.capacity = n;
  o.obs_dim = kDim;
  auto buffer = *replay::ReplayBuffer::Create(o);
  for (int64_t s = 0; s < n; ++s) Insert(*buffer, s);

  // Anchor: the same number of bytes in one fsynced file.
  replay::SnapshotStats stats;
  double t = MonotonicSeconds();
  auto snap = replay::WriteReplaySnapshot(*buffer, dir + "/snap", chunk, &stats);
  const double snapshot_s = MonotonicSeconds() - t;
  if (!snap.ok()) {
    std::fprintf(stderr, "%s\n", std::string(snap.status().message()).c_str());
    return 1;
  }
  const std::string blob(stats.bytes, 'x');
  t = MonotonicSeconds();
  if (!WriteFileDurably(dir + "/anchor.bin", blob).ok()) return 1;
  const double anchor_s = MonotonicSeconds() - t;
  replay::ExportMetadata meta;
  t = MonotonicSeconds();
  auto exported = replay::ExportReplayToHdf5(dir + "/snap", *snap, meta, dir + "/replay.h5");
  const double export_s = MonotonicSeconds() - t;
  if (!exported.ok()) return 1;

  // Ingestion alone, then during a snapshot of the same length.
  std::atomic<bool> stop{false};
  double wait_alone = 0, wait_during = 0;
  double alone = 0;
  std::thread a([&] { alone = IngestWhile(*buffer, stop, &wait_alone); });
  std::this_thread::sleep_for(std::chrono::duration<double>(std::max(snapshot_s, 0.5)));
  stop = true;
  a.join();
  stop = false;
  double during = 0;
  std::thread b([&] { during = IngestWhile(*buffer, stop, &wait_during); });
  std::filesystem::remove_all(dir + "/snap2");
  std::filesystem::create_directories(dir + "/snap2");
  replay::SnapshotStats stats2;
  auto snap2 = replay::WriteReplaySnapshot(*buffer, dir + "/snap2", chunk, &stats2);
  stop = true;
  b.join();

  std::printf("replay: %lld transitions x %d floats, %.1f MB in %lld chunks of %lld\n",
              static_cast<long long>(n), kDim, stats.bytes / 1e6,
              static_cast<long long>(stats.chunks), static_cast<long long>(chunk));
  std::printf("snapshot %.3f s (%.0f MB/s); one-file anchor %.3f s: ratio %.2fx\n", snapshot_s,
              stats.bytes / 1e6 / snapshot_s, anchor_s, snapshot_s / anchor_s);
  std::printf("HDF5 export %.3f s: ratio %.2fx the anchor\n", export_s, export_s / anchor_s);
  std::printf(
      "ingestion during a snapshot: %.0f inserts/s vs %.0f alone (%.2fx); longest wait %.1f ms "
      "(alone %.2f ms; snapshot's own max lock %.1f ms)\n",
      during, alone, during / alone, wait_during * 1e3, wait_alone * 1e3,
      stats2.max_lock_seconds * 1e3);
  std::filesystem::remove_all(dir);
  return snap2.ok() ? 0 : 1;
}
