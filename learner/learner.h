// The learner process (MPI rank 0, or the rank given --role learner): an ingest thread PULLs transition batches and statuses from
// actors, validates them (proto/wire.h) and fills the replay buffer; the update loop samples,
// runs discrete SAC, and publishes the policy's weights every `publish_every` updates (once per
// version; a small keepalive each second otherwise; proto/weights_publisher.h). A
// sample-to-insert rate limiter (as in Reverb) keeps learning speed matched to data speed. Each
// second it prints a progress line and writes metrics (JSONL + TensorBoard) in the run dir; at the
// end it tells actors to stop, writes a final checkpoint and summary.json. Checkpoints
// (learner/checkpoint.h) are also written every `checkpoint.every_seconds` / `every_updates` and
// on request (SIGUSR2 through RequestCheckpoint); `resume_from` continues a run from one.
//
// Thread-safety: Run() owns the update loop and starts/joins the ingest thread (and, with
// learner.prefetch, the BatchSampler's thread, which only samples the replay); they share only
// the replay buffer (thread-safe), the benchmark table (thread-safe), the actor table (guarded
// by mu_) and counters (atomics). Counters() may be called from any thread while Run()
// runs. RequestStop and RequestCheckpoint only set atomics, so signal handlers may call them.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "common/mutex.h"
#include "learner/checkpoint.h"
#include "learner/ingest.h"
#include "learner/learner_options.h"
#include "learner/metrics.h"
#include "learner/sac.h"
#include "learner/sequence_pool.h"
#include "learner/validator.h"
#include "replay/replay_buffer.h"

namespace zmq {
class context_t;
}  // namespace zmq

namespace passrl::learner {

class Learner {
 public:
  // Binds the sockets (so endpoints are known before actors start).
  // `validator` scores the policy every options.validation_seconds (null: no learning curve).
  static absl::StatusOr<std::unique_ptr<Learner>> Create(const LearnerOptions& options,
                                                         zmq::context_t* context,
                                                         std::unique_ptr<Validator> validator = nullptr);
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
  // The transport (ZeroMQ sockets, CurveZMQ handler, the ingest thread's decode buffer) and
  // what the learner knows of each actor, both defined in learner.cc: this header exposes
  // neither ZeroMQ nor protobuf.
  struct Transport;
  struct ActorInfo;

  Learner(const LearnerOptions& options, zmq::context_t* context);
  absl::Status Resume();
  void Checkpoint(const std::string& reason);
  double Elapsed() const;
  CheckpointSpaces Spaces() const;  // what this learner's networks and transitions mean
  void IngestLoop();
  void Ingest(const void* data, size_t size);
  enum class Sent { kWeights, kKeepalive, kStop };
  // A serialized proto::LearnerMessage; `half`: float16 weights (the wire's option).
  std::string WeightsMessage(Sent kind, bool half);
  ActorInfo& Actor(int id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);  // created on first use
  void Publish(Sent kind);
  std::string SavePolicy(const std::string& name);  // RUN/name; returns the bytes written
  void SaveSequences(const std::string& json);  // RUN/sequences.json
  void Report(double now, double elapsed, const SacLosses& losses);
  // Starts a validation of the current policy when one is due and none runs; writes finished
  // ones to the metrics. `wait`: block for the one in flight (the end of Run).
  void Validate(double now, bool wait);
  void RecordValidation();  // the joined thread's score: printed and written to the metrics
  // A score at least as good as every earlier one (later wins ties): the validated policy is
  // copied to RUN/policy-best.pb and the score to RUN/policy-best.json.
  void KeepIfBest(double score);
  void WriteSummary(double elapsed);

  LearnerOptions options_;
  std::unique_ptr<Transport> io_;
  int port_ = 0, weights_port_ = 0;
  std::unique_ptr<replay::ReplayBuffer> replay_;
  BenchmarkTable benchmarks_;  // names of the benchmark ids in replay
  SequencePool pool_;          // best sequence per benchmark, from actors' statuses
  std::unique_ptr<SacAgent> agent_;
  std::unique_ptr<MetricsWriter> metrics_;
  std::thread ingest_;
  std::atomic<bool> stop_{false}, ingest_stop_{false}, checkpoint_wanted_{false};
  std::atomic<int> stop_signal_{0};
  std::unique_ptr<CheckpointStore> checkpoints_;
  // The learning curve: the validator runs on validation_thread_; the update loop starts it and
  // reads its result after joining (validation_done_ says when), so nothing else is shared.
  std::unique_ptr<Validator> validator_;
  std::thread validation_thread_;
  std::atomic<bool> validation_done_{false};
  absl::StatusOr<double> validation_score_ = 0.0;  // written by validation_thread_ only
  double last_validation_ = 0;                      // update loop only
  int64_t validation_updates_ = 0;                  // updates when the validated policy was saved
  double validation_elapsed_ = 0;
  std::string validation_policy_;                   // the policy file being validated
  // The best score so far (RUN/policy-best.json, read back on resume); its policy is
  // RUN/policy-best.pb. Update loop only.
  double best_validation_ = -std::numeric_limits<double>::infinity();
  std::atomic<double> start_{0};  // when Run() began (steady seconds); 0 before
  // Set by Create (Resume) before any other thread exists; constant afterwards.
  double elapsed_before_ = 0;  // training time of earlier sessions
  int64_t resumes_ = 0;
  std::atomic<uint64_t> received_{0}, rejected_{0}, inserted_{0};
  std::atomic<uint64_t> policy_lag_sum_{0}, policy_lag_count_{0};
  const uint64_t run_id_ = std::random_device{}() * 0x9E3779B97F4A7C15ull + std::random_device{}();
  std::atomic<uint64_t> version_{0};  // written by the update loop, read by ingest
  std::atomic<int64_t> updates_{0};  // written by the update loop only
  mutable Mutex mu_;
  std::map<int, std::unique_ptr<ActorInfo>> actors_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, uint64_t> rejections_ ABSL_GUARDED_BY(mu_);  // by reason
  // The update loop's own (Run() thread only): rates between progress lines, last losses.
  double last_report_ = 0;
  uint64_t last_inserted_ = 0;
  int64_t last_updates_ = 0;
  double last_critic_ = NAN, last_policy_ = NAN;
};

}  // namespace passrl::learner
