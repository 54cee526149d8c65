// The actor's policy: picks an action for an observation by sampling pi(a|s), and adopts new
// weights from the learner. TorchPolicy runs the shared policy network (model/networks.h) on the
// CPU with LibTorch; tests can inject any other Policy. Not thread-safe: one per actor.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "model/network_shape.h"

namespace passrl::actors {

class Policy {
 public:
  virtual ~Policy() = default;
  virtual int Act(absl::Span<const float> observation) = 0;
  // pi(.|s) over every action (for policy-guided search).
  virtual std::vector<float> Probabilities(absl::Span<const float> observation) = 0;
  // Replaces the weights; InvalidArgument if they do not fit the network.
  virtual absl::Status SetWeights(uint64_t version, absl::Span<const float> parameters) = 0;
  virtual uint64_t version() const = 0;
  virtual int64_t parameter_count() const = 0;
};

// shape: the learner's (hidden widths and allowed actions must match). greedy: act by argmax
// (evaluation) instead of sampling (exploration). Disallowed actions are never chosen.
absl::StatusOr<std::unique_ptr<Policy>> CreateTorchPolicy(const model::NetworkShape& shape,
                                                          uint64_t seed, bool greedy = false);

}  // namespace passrl::actors
