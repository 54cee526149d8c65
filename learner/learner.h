// The learner process (MPI rank 0): an ingest thread PULLs transition batches and statuses from
// actors, validates them (proto/wire.h) and fills the replay buffer; the update loop samples,
// runs discrete SAC, and PUBlishes the policy's weights every `publish_every` updates. A
// sample-to-insert rate limiter (as in Reverb) keeps learning speed matched to data speed. Each
// second it prints a progress line and writes metrics (JSONL + TensorBoard) in the run dir; at the
// end it tells actors to stop, writes a final checkpoint and summary.json. Checkpoints
// (learner/checkpoint.h) are also written every `checkpoint.every_seconds` / `every_updates` and
// on request (SIGUSR2 through RequestCheckpoint); `resume_from` continues a run from one.
//
// Thread-safety: Run() owns the update loop and starts/joins the ingest thread; the two share
// only the replay buffer (thread-safe), the benchmark table (thread-safe), the actor table
// (guarded by mu_) and counters (atomics). Counters() may be called from any thread while Run()
// runs. RequestStop and RequestCheckpoint only set atomics, so signal handlers may call them.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "learner/checkpoint.h"
#include "learner/ingest.h"
#include "learner/metrics.h"
#include "learner/sac.h"
#include "passrl.pb.h"
#include "proto/curve.h"
#include "replay/replay_buffer.h"
#include "zmq.hpp"

namespace passrl::learner {

struct LearnerOptions {
  SacOptions sac;
  replay::ReplayOptions replay;
  int batch_size = 256;
  int64_t warmup_transitions = 1000;  // no update before the buffer holds this many
  double samples_per_insert = 8;      // rate limiter: sampled transitions per inserted one
  int publish_every = 50;             // updates between weight broadcasts
  double duration_seconds = 60;       // then stop (0: until SIGTERM/SIGINT)
  double heartbeat_timeout_seconds = 30;
  double progress_seconds = 1;
  std::string bind_host = "*";
  int port = 0;          // transitions (PULL); 0: any free port
  int weights_port = 0;  // weights (PUB); 0: any free port
  std::string run_dir;
  double snapshot_seconds = 900;  // policy snapshots (run_dir/policy-<seconds>s.pb); 0: end only
  uint64_t action_space_hash = 0;
  CheckpointOptions checkpoint;  // checkpoint.dir empty: <run_dir>/checkpoints
  std::string resume_from;       // a run dir or checkpoint to continue; empty: a fresh run
  bool resume_fallback = false;  // if the latest checkpoint is bad, resume from an older one
  std::string config_yaml;       // stored in checkpoints
  std::string curve_dir;         // CurveZMQ key directory (proto/curve.h); empty: no authentication
  absl::Status Validate() const;
};

struct ActorInfo {
  proto::ActorStatus last;   // most recent status
  uint64_t transitions = 0;  // received and inserted
  double last_heard = 0;     // steady seconds
  bool reported_silent = false;
};

class Learner {
 public:
  // Binds the sockets (so endpoints are known before actors start).
  static absl::StatusOr<std::unique_ptr<Learner>> Create(const LearnerOptions& options,
                                                         zmq::context_t* context);
  ~Learner();
  // "tcp://<host>:<port>" with the bound ports, for actors to connect to.
  std::string TransitionsEndpoint(const std::string& host) const;
  std::string WeightsEndpoint(const std::string& host) const;
  absl::Status Run();
  // async-signal-safe; `signal` (if any) is recorded as the final checkpoint's reason.
  void RequestStop(int signal = 0) {
    stop_signal_ = signal;
    stop_ = true;
  }
  void RequestCheckpoint() { checkpoint_wanted_ = true; }  // async-signal-safe
  // Counters as a checkpoint would record them now (for tests and progress).
  CheckpointCounters Counters() const;
  const replay::ReplayBuffer& replay() const { return *replay_; }

 private:
  Learner(const LearnerOptions& options, zmq::context_t* context);
  absl::Status Resume();
  void Checkpoint(const std::string& reason);
  double Elapsed() const;
  CheckpointSpaces Spaces() const;  // what this learner's networks and transitions mean
  void IngestLoop();
  void Ingest(const zmq::message_t& message);
  proto::LearnerMessage WeightsMessage(bool stop);
  void Publish(bool stop);
  void SavePolicy(const std::string& name);
  void Report(double now, double elapsed, const SacLosses& losses);
  void WriteSummary(double elapsed);

  LearnerOptions options_;
  zmq::socket_t pull_, pub_;
  int port_ = 0, weights_port_ = 0;
  std::unique_ptr<replay::ReplayBuffer> replay_;
  BenchmarkTable benchmarks_;  // names of the benchmark ids in replay
  std::unique_ptr<SacAgent> agent_;
  std::unique_ptr<MetricsWriter> metrics_;
  std::thread ingest_;
  std::atomic<bool> stop_{false}, ingest_stop_{false}, checkpoint_wanted_{false};
  std::atomic<int> stop_signal_{0};
  std::unique_ptr<CheckpointStore> checkpoints_;
  std::unique_ptr<wire::ZapAuthenticator> zap_;  // with curve_dir: admits authorized actors
  std::atomic<double> start_{0};  // when Run() began (steady seconds); 0 before
  // Set by Create (Resume) before any other thread exists; constant afterwards.
  double elapsed_before_ = 0;  // training time of earlier sessions
  int64_t resumes_ = 0;
  std::atomic<uint64_t> received_{0}, rejected_{0}, inserted_{0};
  std::atomic<uint64_t> policy_lag_sum_{0}, policy_lag_count_{0};
  const uint64_t run_id_ = std::random_device{}() * 0x9E3779B97F4A7C15ull + std::random_device{}();
  std::atomic<uint64_t> version_{0};  // written by the update loop, read by ingest
  std::atomic<int64_t> updates_{0};  // written by the update loop only
  mutable absl::Mutex mu_;
  std::map<int, ActorInfo> actors_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, uint64_t> rejections_ ABSL_GUARDED_BY(mu_);  // by reason
  proto::ActorMessage scratch_;  // the ingest thread's reused decode target (its thread only)
  // The update loop's own (Run() thread only): rates between progress lines, last losses.
  double last_report_ = 0;
  uint64_t last_inserted_ = 0;
  int64_t last_updates_ = 0;
  double last_critic_ = NAN, last_policy_ = NAN;
};

}  // namespace passrl::learner
