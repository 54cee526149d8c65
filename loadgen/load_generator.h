// Simulated actors for load-testing one learner: N actors in this process, each with its own id,
// its own PUSH socket for transitions and statuses (hello, heartbeats, goodbye) and its own SUB
// socket for weights, on the real wire and sockets (CurveZMQ when keys are given). Each sends a
// real transition batch (from a run's replay) at a chosen rate, or as fast as the learner takes
// it, and records when each weights version reaches it. `passrl loadgen` (launch/) runs one
// against a learner process and prints the summary.
//
// Actors are spread over `threads` threads; actor i subscribes to weights_endpoints[node(i)],
// the actors split into equal contiguous blocks, one per endpoint (the learner, or one relay per
// simulated node). Batches are sent without copying (one serialized message per actor, reused).
//
// Not thread-safe: Run() blocks and owns every socket it creates.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/curve.h"

namespace passrl::proto {
class TransitionBatch;
}  // namespace passrl::proto

namespace passrl::loadgen {

struct LoadOptions {
  int actors = 1000;
  int threads = 2;
  double seconds = 20;          // sending time
  double rate = 0;              // transitions/s per actor; 0: as fast as the learner takes them
  double heartbeat_seconds = 2;  // as real actors
  double drain_seconds = 3;     // after sending: goodbyes, last weights
  std::string transitions_endpoint;
  std::vector<std::string> weights_endpoints;  // one per simulated node; the learner if one
  std::optional<wire::CurveClientKeys> curve;
  uint64_t action_space_hash = 0;
  absl::Status Validate() const;
};

struct LoadReport {
  uint64_t transitions_sent = 0, batches_sent = 0, statuses_sent = 0;  // queued to ZeroMQ
  double send_seconds = 0;
  // From the start until everything queued had reached the learner's sockets (sending, the
  // drain, then closing, which flushes): the learner accepted transitions_sent in this time.
  double delivered_seconds = 0;
  // Weights: one delay per (actor, version published after the actor first got weights): from
  // the version's publication to when the actor first held it or a newer one.
  std::vector<double> weights_delays;
  uint64_t versions_seen = 0;        // distinct versions any actor received
  uint64_t deliveries_missing = 0;   // (actor, version) pairs never reached before the end
  int actors_without_weights = 0;
  uint64_t weights_bytes_received = 0;  // weights messages, over every actor's socket
  uint64_t weights_messages_received = 0;
};

class LoadGenerator {
 public:
  // `batches`: real transitions, reused round robin (actor i sends batches[i % size]).
  LoadGenerator(LoadOptions options, std::vector<proto::TransitionBatch> batches);
  ~LoadGenerator();
  absl::StatusOr<LoadReport> Run();

 private:
  LoadOptions options_;
  std::vector<proto::TransitionBatch> batches_;
};

// Quantile q in [0, 1] of `values` (nearest rank); 0 for none.
double Quantile(std::vector<double> values, double q);

}  // namespace passrl::loadgen
