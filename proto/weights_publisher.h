// The sending end of the weights channel, shared by the learner and the per-node relays
// (proto/weights_relay.h): an XPUB socket that sends each message once to the subscribers it has.
// The latest weights are also the socket's welcome message, which ZeroMQ sends to each newly
// connected subscriber alone: a late joiner, or a subscriber that missed a version and reconnects
// (actors do when a keepalive names a version they do not hold), gets it at once, and nobody
// else is sent anything.
//
// A slow subscriber never blocks the sender: sends are non-blocking and each subscriber queues at
// most `send_hwm` messages (then ZeroMQ drops for it alone; actors keep only the newest anyway).
//
// Not thread-safe: one thread owns it (the learner's update loop, a relay's loop).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/curve.h"
#include "zmq.hpp"

namespace passrl::wire {

struct PublisherOptions {
  std::string bind;              // e.g. tcp://*:0 (a free port), ipc:///tmp/x.ipc
  int send_hwm = 8;              // messages queued per subscriber before it drops
  int backlog = 4096;            // pending connections (capped by net.core.somaxconn)
  const CurveServerKeys* curve = nullptr;  // CURVE server (a ZAP handler must run) or plaintext
};

struct PublisherCounters {
  uint64_t messages = 0;       // Send() calls
  uint64_t subscriptions = 0;  // subscribe messages seen (one per joining subscriber)
  uint64_t bytes = 0;          // message bytes handed to ZeroMQ (once per message, not per peer)
};

class WeightsPublisher {
 public:
  static absl::StatusOr<WeightsPublisher> Bind(zmq::context_t* context,
                                               const PublisherOptions& options);
  // The bound endpoint (the port filled in for tcp://*:0).
  const std::string& endpoint() const { return endpoint_; }
  // Sends to every current subscriber. `weights`: also what each later joiner is welcomed with.
  void Send(absl::string_view message, bool weights);
  // Reads (and counts) subscription messages, so they do not queue up. Call often.
  void Service();
  const PublisherCounters& counters() const { return counters_; }

 private:
  WeightsPublisher(zmq::socket_t socket, const PublisherOptions& options)
      : options_(options), socket_(std::move(socket)) {}
  PublisherOptions options_;
  zmq::socket_t socket_;
  std::string endpoint_;
  PublisherCounters counters_;
};

}  // namespace passrl::wire
