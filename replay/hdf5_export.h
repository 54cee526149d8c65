// Replay export to HDF5 in the D4RL / Minari layout, so h5py, pandas or D4RL-style loaders read
// it directly:
//   observations [N, D] f32, next_observations [N, D] f32, actions [N] i32, rewards [N] f32,
//   terminals [N] bool, timeouts [N] bool (truncated episodes),
//   infos/{sequence i64, episode_id u64, step i32, policy_version u64, actor_id i32,
//          benchmark_id u32, benchmark (names, indexed by benchmark_id), priority f64 if any}
//   root attributes: format, action_names, feature_names, action_space_hash, config, source.
// Booleans use h5py's enum convention (int8 FALSE/TRUE), so numpy sees dtype bool.
// Written chunk by chunk from the snapshot's files (memory: one chunk), to OUT.tmp, then renamed:
// a failed export leaves nothing behind. Thread-compatible (HDF5's C library is not thread-safe).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "replay/replay_snapshot.h"

namespace passrl::replay {

struct ExportMetadata {
  std::vector<std::string> action_names, feature_names, benchmark_names;
  std::string action_space_hash, config_yaml, source;
};

struct ExportStats {
  int64_t transitions = 0, chunks = 0;
  uint64_t bytes = 0;
};

// `progress(done, total)` is called after every chunk.
absl::StatusOr<ExportStats> ExportReplayToHdf5(
    const std::string& snapshot_dir, const ReplaySnapshot& snapshot, const ExportMetadata& meta,
    const std::string& out_path, const std::function<void(int64_t, int64_t)>& progress = nullptr);

// A summary of an exported file: counts, reward statistics, episodes, per-benchmark counts.
absl::StatusOr<std::string> InspectHdf5Replay(const std::string& path);

}  // namespace passrl::replay
