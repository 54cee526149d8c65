// Replay persistence for checkpoints and export: the buffer is written as chunk files of
// columns (observations, next_observations, rewards, actions, ...), each with a CRC-32C trailer,
// plus a description (ReplaySnapshot) that the checkpoint manifest stores as JSON. Chunks are
// copied out one at a time under the buffer's lock, so ingestion keeps running while a large
// buffer is written; readers stream chunk by chunk, so exports need not fit in memory.
//
// Chunk file (little-endian, x86-64): "PRLRPLY1", u32 format, u32 obs_dim, i64 first_seq,
// i64 count, u32 flags (1: priorities present), u32 0, the columns in ReplayChunk order, then
// u32 CRC-32C of every byte before it.
// Thread-safety: free functions; the buffer they read or fill is itself thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "replay/replay_buffer.h"

namespace passrl::replay {

struct ReplaySnapshot {
  struct File {
    std::string name;  // relative to the snapshot directory
    int64_t first_seq = 0, count = 0;
    uint64_t bytes = 0;
    uint32_t crc32c = 0;
  };
  int obs_dim = 0;
  bool prioritized = false;
  ReplayState state;  // counters at the snapshot; state.size == the transitions in `files`
  std::vector<File> files;
};

struct SnapshotStats {
  double seconds = 0;           // whole snapshot
  double max_lock_seconds = 0;  // longest time ingestion waited for one chunk copy
  int64_t chunks = 0;
  uint64_t bytes = 0;
};

// Writes the transitions held now into `dir` (which must exist); fsyncs each file.
absl::StatusOr<ReplaySnapshot> WriteReplaySnapshot(const ReplayBuffer& buffer,
                                                   const std::string& dir,
                                                   int64_t chunk_transitions,
                                                   SnapshotStats* stats = nullptr);
// Reads one chunk file, checking its header, length and checksum; errors name the file.
absl::StatusOr<ReplayChunk> ReadReplayChunkFile(const std::string& path);
// Visits every chunk of a snapshot in order, each verified against the description.
absl::Status ForEachReplayChunk(const std::string& dir, const ReplaySnapshot& snapshot,
                                const std::function<absl::Status(const ReplayChunk&)>& visit);
// Fills an empty buffer from a snapshot.
absl::Status RestoreReplaySnapshot(const std::string& dir, const ReplaySnapshot& snapshot,
                                   ReplayBuffer* buffer);

nlohmann::json ToJson(const ReplaySnapshot& snapshot);
absl::StatusOr<ReplaySnapshot> ReplaySnapshotFromJson(const nlohmann::json& json);

}  // namespace passrl::replay
