// Decoding and validation of everything that crosses the wire. Nothing from a socket reaches the
// replay buffer or the policy before passing these checks: schema version, action-space hash,
// consistent array sizes, actions in range, finite numbers, bounded batch sizes. A failed check is
// an error naming the problem; callers count and drop the message. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <vector>

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

// A policy's weights in a LearnerMessage: float32, or IEEE float16 (round to nearest even) when
// `half`. Parameters() reads either back as float32; call it on a message DecodeLearnerMessage
// accepted (a keepalive has none).
void SetParameters(const std::vector<float>& params, bool half, proto::LearnerMessage* m);
std::vector<float> Parameters(const proto::LearnerMessage& m);
// Neither weights nor stop: the learner is alive and at m.version().
inline bool IsKeepalive(const proto::LearnerMessage& m) {
  return !m.stop() && m.parameters().empty();
}

// What a weights subscriber needs to know of a LearnerMessage without copying its weights (the
// load generator reads thousands of them a second). Unchecked: for measuring, not for acting.
struct WeightsHeader {
  uint64_t version = 0, run_id = 0;
  double published_unix_seconds = 0;
  bool has_parameters = false, stop = false;
};
absl::StatusOr<WeightsHeader> PeekLearnerMessage(absl::string_view bytes);

// What every weights subscriber (actor, relay, simulated actor) does with a keepalive: one that
// names weights it does not hold (a version dropped on the way, or a restarted learner's) makes
// it reconnect, at most once per kResubscribeSeconds, and the publisher's welcome brings them.
inline constexpr double kResubscribeSeconds = 2;
inline bool MissesVersion(uint64_t run_id, uint64_t version, uint64_t held_run_id,
                          uint64_t held_version) {
  return run_id != held_run_id || version > held_version;
}

// Stamps schema version and action-space hash.
proto::ActorMessage NewActorMessage(int actor_id, uint64_t action_space_hash);

}  // namespace passrl::wire
