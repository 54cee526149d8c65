// The actor process's loop: roll out episodes with the current policy in an isolated environment,
// batch transitions and PUSH them to the learner (a batch goes when full or `flush_seconds` old),
// adopt new weights between steps (the newest of those queued; not ZMQ_CONFLATE, which would let
// a keepalive replace the weights before they are read), and send heartbeats with statistics. A
// keepalive that names a version this actor never got (dropped for a slow subscriber) makes it
// reconnect, and the publisher's welcome brings the latest; a silent relay makes it subscribe to
// the learner.
//
// Resilience: a crashed or hung env worker ends the episode (truncated), writes a crash report
// that reproduces it, and the actor goes on; while the learner is unreachable, sends back off
// (0.1 s doubling to 5 s) and the actor says so; ZeroMQ reconnects by itself when the learner
// comes back at the same endpoint. Collaborators (env, policy, ZeroMQ context, clock) are
// injected. Not thread-safe: Run() owns the actor.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "actors/env_client.h"
#include "actors/observation.h"
#include "actors/policy.h"
#include "passrl.pb.h"
#include "proto/curve.h"
#include "zmq.hpp"

namespace passrl::actors {

struct ActorOptions {
  int actor_id = 1;
  std::string transitions_endpoint;  // learner's PULL, e.g. tcp://host:5555
  std::string weights_endpoint;      // learner's PUB, or this node's relay (proto/weights_relay.h)
  // With a relay: the learner's own weights endpoint, used when the relay stays silent for
  // `relay_silence_seconds` (its host process died); empty: no fallback.
  std::string weights_fallback_endpoint;
  double relay_silence_seconds = 10;
  std::vector<std::string> benchmarks;
  // One weight per benchmark (a dataset mix): episodes draw benchmarks with these weights (seeded
  // by `seed`); empty: round robin over `benchmarks`.
  std::vector<double> benchmark_weights;
  int episode_length = 24;
  envs::Compiler compiler = envs::Compiler::kLlvm;  // the action table and observation it uses
  Horizon horizon = Horizon::kBootstrap;  // actors/observation.h (measured: BENCHMARKS.md)
  int batch_transitions = 32;
  // A batch not yet full is sent anyway once its first transition is this old (slow steps).
  double flush_seconds = 1;
  double heartbeat_seconds = 2;
  double max_seconds = 0;               // 0: until the learner says stop
  double learner_silence_seconds = 15;  // warn when no weights arrive for this long
  double learner_lost_seconds = 300;    // give up (an error) after this long; 0: never
  int cpu = -1;                         // reported; pinning is done by the caller
  uint64_t seed = 1;
  std::optional<wire::CurveClientKeys> curve;  // CurveZMQ keys when the learner requires them
  uint32_t session = 0;   // resumes of the run so far: episode ids stay unique across sessions
  std::string crash_dir;  // crash reports; empty: none written
  // Reward of the transition recorded when an action crashes or hangs the environment (terminal:
  // the agent learns to avoid passes that crash LLVM on such programs).
  double crash_penalty = -1.0;
  // Subtracted from the reward of a step whose pass changed no Autophase feature (not stop), in
  // the reward's units: a normalised reward of 1 is the whole -O0 to -Oz gain.
  double noop_penalty = 0.01;
  // The values alone (what a config sets); Run() also needs endpoints and benchmarks.
  absl::Status Validate() const;
};

struct ActorStats {
  uint64_t steps = 0, episodes = 0, transitions_sent = 0, versions_adopted = 0;
  uint64_t worker_crashes = 0, bad_weights = 0;
  double mean_episode_return = 0;
  double best_ratio_vs_oz = 0;  // geomean over benchmarks of the best Oz / count reached
  std::string best_benchmark, best_actions;
};

class Actor {
 public:
  using Clock = std::function<double()>;  // monotonic seconds
  Actor(ActorOptions options, std::unique_ptr<EnvClient> env, std::unique_ptr<Policy> policy,
        zmq::context_t* context, Clock clock = nullptr);
  absl::Status Run();
  const ActorStats& stats() const { return stats_; }

 private:
  void PollWeights();
  void Resubscribe(const std::string& endpoint);  // reconnect the weights socket (to `endpoint`)
  bool RunEpisodeStep();  // false if the episode ended
  void EndEpisode();
  void UpdateBest(const EnvOutcome& outcome);  // best ratio vs -Oz per benchmark
  void StartEpisode();
  void Flush(bool force);
  void Record(int action, const std::vector<float>& next, double reward, bool terminal,
              bool truncated, int step);
  void SendStatus(proto::ActorStatus::Kind kind);
  bool SendOrBackOff(const std::string& bytes);
  void WriteCrashReport(const std::string& error);

  ActorOptions options_;
  std::unique_ptr<EnvClient> env_;
  std::unique_ptr<Policy> policy_;
  zmq::socket_t push_, sub_;
  Clock clock_;
  ActorStats stats_;
  bool stop_ = false;
  double start_ = 0, last_heartbeat_ = 0, last_weights_ = 0, last_warning_ = 0;
  double last_resubscribe_ = 0;
  double pending_since_ = 0;  // when the oldest unsent transition was recorded
  std::string weights_connected_;  // the endpoint sub_ is connected to
  double backoff_ = 0.1;
  double reset_backoff_ = 0;
  uint64_t learner_run_id_ = 0;
  uint64_t next_benchmark_ = 0, episode_id_ = 0;
  std::mt19937_64 benchmark_rng_;
  std::discrete_distribution<size_t> benchmark_pick_;  // over benchmark_weights
  // The episode in progress.
  bool in_episode_ = false;
  std::string benchmark_;
  std::vector<int> actions_;
  std::vector<float> observation_;
  std::vector<int64_t> raw_observation_;    // the env's, before featurizing
  std::vector<int64_t> start_observation_;  // the env's at reset
  double episode_return_ = 0;
  std::deque<double> recent_returns_;
  std::map<std::string, double> best_ratio_;  // per benchmark
  // Improvements since the last status message, sent with it (the learner's sequence pool).
  struct Best {
    double ratio = 0;
    std::vector<int> actions;
  };
  std::map<std::string, Best> new_bests_;
  proto::TransitionBatch pending_;
  std::map<std::string, uint32_t> benchmark_ids_;
};

}  // namespace passrl::actors
