// Checkpoints of a training run: one directory per checkpoint under <run_dir>/checkpoints/,
//   ckpt-000000042/ manifest.json  agent.pt  config.yaml  replay/chunk-*.bin
// plus `latest`, a one-line file naming the newest complete one. A checkpoint is written into a
// hidden temp directory, every file fsynced, the directory renamed into place and fsynced, and only
// then `latest` is replaced (atomically) and old checkpoints beyond `keep` are removed: a crash or
// SIGKILL at any moment leaves the previous checkpoint loadable. The manifest records counters,
// the action/observation spaces, and size + CRC-32C of every file, so loading detects truncation
// and corruption and names the bad file.
//
// Thread-safety: CheckpointStore is used by one thread (the learner's update loop); the replay
// buffer it snapshots may keep receiving inserts meanwhile.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "replay/replay_buffer.h"
#include "replay/replay_snapshot.h"

namespace passrl::learner {

struct CheckpointOptions {
  std::string dir;                    // usually <run_dir>/checkpoints
  double every_seconds = 1800;        // 0: not by time
  int64_t every_updates = 0;          // 0: not by updates
  int keep = 3;                       // complete checkpoints kept
  int64_t chunk_transitions = 65536;  // replay transitions per chunk file
  absl::Status Validate() const;
};

struct CheckpointCounters {
  int64_t sequence = 0;  // checkpoint number (set by the store)
  int64_t updates = 0;
  uint64_t policy_version = 0;
  uint64_t transitions_inserted = 0;
  uint64_t messages_received = 0, messages_rejected = 0;
  double elapsed_seconds = 0;  // training time over all resumes
  int64_t resumes = 0;
};

// What the networks and transitions mean: a checkpoint is usable only where these match.
struct CheckpointSpaces {
  uint64_t action_space_hash = 0;
  int num_actions = 0, obs_dim = 0;
  std::vector<int> hidden;
  // env.horizon: what the replay's terminals and time feature mean. Empty: not recorded (a
  // checkpoint from before horizons: step fraction observed, last step bootstrapped).
  std::string horizon;
};
// FailedPrecondition naming what differs, with both values.
absl::Status CheckCompatible(const CheckpointSpaces& saved, const CheckpointSpaces& now);

struct CheckpointContents {
  CheckpointCounters counters;
  CheckpointSpaces spaces;
  std::string agent_state;  // SacAgent::SaveState()
  std::string config_yaml;
  std::string reason;  // "periodic", "SIGTERM", ...
  const replay::ReplayBuffer* replay = nullptr;
  std::vector<std::string> benchmarks;  // names of the replay's benchmark ids
  std::string sequences_json;           // learner/sequence_pool.h; empty: none
};

struct LoadedCheckpoint {
  std::string path;
  CheckpointCounters counters;
  CheckpointSpaces spaces;
  std::string agent_state, config_yaml, reason;
  std::string replay_dir;
  replay::ReplaySnapshot replay;
  std::vector<std::string> benchmarks;
  std::string sequences_json;  // empty in checkpoints from before the sequence pool
};

struct CheckpointWriteStats {
  double seconds = 0;
  int64_t transitions = 0;  // replay transitions in the checkpoint
  replay::SnapshotStats replay;
  uint64_t bytes = 0;
};

class CheckpointStore {
 public:
  // Creates the directory and removes temp directories that a crash left behind.
  static absl::StatusOr<CheckpointStore> Open(const CheckpointOptions& options);
  // Writes the next checkpoint and returns its path. On failure (disk full, ...) nothing of it
  // remains and the previous checkpoints are untouched.
  absl::StatusOr<std::string> Write(CheckpointContents contents,
                                    CheckpointWriteStats* stats = nullptr);
  const CheckpointOptions& options() const { return options_; }

 private:
  explicit CheckpointStore(const CheckpointOptions& options) : options_(options) {}
  void Prune(const std::string& keep_latest);
  CheckpointOptions options_;
  int64_t next_sequence_ = 1;
};

// Loads one checkpoint directory, verifying every file (size and checksum). Without
// `verify_replay` the replay chunks are left unread (for readers that only need the agent).
absl::StatusOr<LoadedCheckpoint> LoadCheckpoint(const std::string& path, bool verify_replay = true);
// `where` is a run dir, its checkpoints/ dir, or one checkpoint. For a run: the checkpoint that
// `latest` names; with `fallback`, the newest loadable one when that is missing or bad (each one
// passed over is reported on stderr).
absl::StatusOr<LoadedCheckpoint> LoadLatestCheckpoint(const std::string& where, bool fallback,
                                                      bool verify_replay = true);
// The complete checkpoints in a checkpoints dir, oldest first.
std::vector<std::string> ListCheckpoints(const std::string& checkpoints_dir);

}  // namespace passrl::learner
