// One weights relay per node: it subscribes to the learner's weights once and republishes every
// message on the node (ipc://), so the learner's egress grows with nodes, not actors. Messages are
// forwarded in order and unchanged (weights, keepalives, stop); the latest weights (or stop) is
// the relay's own welcome for actors that join late or reconnect (proto/weights_publisher.h).
// With CurveZMQ the relay is a client of the learner and a CURVE server to its actors with the
// learner's keys, admitting the same authorized keys, so actors connect to it unchanged.
//
// The relay has its own ZeroMQ context (and ZAP handler) and thread, started by Start and joined
// by the destructor, so several can share a process (the load generator's simulated nodes) and
// one dies with the process that hosts it (the node's first actor), whose neighbours then fall
// back to the learner (actors/actor.h). Counters are atomics, readable from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "proto/curve.h"
#include "proto/weights_publisher.h"
#include "zmq.hpp"

namespace passrl::wire {

struct RelayOptions {
  std::string upstream;  // the learner's weights endpoint (tcp://host:port)
  std::string bind;      // where this node's actors subscribe, e.g. ipc:///tmp/passrl-....ipc
  std::optional<CurveClientKeys> upstream_curve;    // the learner requires CurveZMQ
  std::optional<CurveServerKeys> downstream_curve;  // actors must authenticate to the relay
  int send_hwm = 8;
};

// The node-local endpoint for a learner's weights: one relay per node and learner, so two jobs
// sharing a node do not collide. Under $TMPDIR (or /tmp).
std::string NodeRelayEndpoint(const std::string& learner_weights_endpoint);

class WeightsRelay {
 public:
  static absl::StatusOr<std::unique_ptr<WeightsRelay>> Start(RelayOptions options);
  ~WeightsRelay();
  const std::string& endpoint() const { return endpoint_; }
  uint64_t forwarded() const { return forwarded_; }             // messages republished
  uint64_t bytes_received() const { return bytes_received_; }  // from the learner
  uint64_t weights_received() const { return weights_received_; }  // messages with weights
  uint64_t versions_received() const { return versions_received_; }  // distinct versions of them
  uint64_t subscriptions() const { return subscriptions_; }     // actors that subscribed

 private:
  explicit WeightsRelay(RelayOptions options);
  void Loop();
  void Forward(const zmq::message_t& message);
  RelayOptions options_;
  zmq::context_t context_;
  std::unique_ptr<ZapAuthenticator> zap_;
  zmq::socket_t upstream_;
  std::optional<WeightsPublisher> publisher_;  // the loop thread's own once started
  uint64_t run_id_ = 0, version_ = 0;          // of the latest weights forwarded (loop thread)
  double last_reconnect_ = 0;                   // loop thread
  std::string endpoint_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> forwarded_{0}, bytes_received_{0}, weights_received_{0}, versions_received_{0},
      subscriptions_{0};
  std::thread thread_;
};

}  // namespace passrl::wire
