// Decoding and validation of everything that crosses the wire. Nothing from a socket reaches the
// replay buffer or the policy before passing these checks: schema version, action-space hash,
// consistent array sizes, actions in range, finite numbers, bounded batch sizes. A failed check is
// an error naming the problem; callers count and drop the message. Pure functions; thread-safe.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "passrl.pb.h"

namespace passrl::wire {

inline constexpr uint32_t kSchemaVersion = 1;
// Socket-level cap (ZMQ_MAXMSGSIZE): bigger messages are dropped by libzmq before parsing.
inline constexpr int64_t kMaxMessageBytes = 64 << 20;

struct Expectations {
  uint64_t action_space_hash = 0;
  int obs_dim = 0;
  int num_actions = 0;
  int max_batch = 4096;  // transitions per message
  int max_actor_id = 1 << 20;
};

absl::StatusOr<proto::ActorMessage> DecodeActorMessage(absl::string_view bytes,
                                                       const Expectations& expect);
// The same into a caller-owned message: reusing one keeps its arrays' capacity (the ingest hot
// path allocates nothing per message). `out` is unspecified after an error.
absl::Status DecodeActorMessageInto(absl::string_view bytes, const Expectations& expect,
                                    proto::ActorMessage* out);
absl::StatusOr<proto::LearnerMessage> DecodeLearnerMessage(absl::string_view bytes,
                                                           const Expectations& expect,
                                                           int64_t parameter_count);

// Stamps schema version and action-space hash.
proto::ActorMessage NewActorMessage(int actor_id, uint64_t action_space_hash);

}  // namespace passrl::wire
