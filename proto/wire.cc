#include "proto/wire.h"

#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "proto/transition.h"

namespace passrl::wire {
namespace {

// Branch-free so it vectorises: a float is NaN or infinite iff its exponent bits are all ones.
template <typename Floats>
bool AllFinite(const Floats& values) {
  uint32_t bad = 0;
  for (float v : values) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    bad |= static_cast<uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
  }
  return bad == 0;
}

absl::Status CheckBatch(const proto::TransitionBatch& b, const Expectations& e) {
  const int n = b.actions_size();
  if (n == 0) return absl::InvalidArgumentError("empty transition batch");
  if (n > e.max_batch) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch of ", n, " transitions exceeds ", e.max_batch));
  }
  if (b.obs_dim() != e.obs_dim) {
    return absl::InvalidArgumentError(
        absl::StrCat("obs_dim ", b.obs_dim(), ", expected ", e.obs_dim));
  }
  const int64_t floats = static_cast<int64_t>(n) * e.obs_dim;
  if (b.observations_size() != floats || b.next_observations_size() != floats) {
    return absl::InvalidArgumentError("observation arrays do not match actions x obs_dim");
  }
  if (!ColumnsHaveLength(b, n)) {
    return absl::InvalidArgumentError("per-transition arrays have different lengths");
  }
  for (int a : b.actions()) {
    if (a < 0 || a >= e.num_actions) {
      return absl::InvalidArgumentError(absl::StrCat("action ", a, " out of range"));
    }
  }
  for (uint32_t id : b.benchmark_ids()) {
    if (id >= static_cast<uint32_t>(b.benchmark_names_size())) {
      return absl::InvalidArgumentError("benchmark id without a name");
    }
  }
  if (!AllFinite(b.observations()) || !AllFinite(b.next_observations()) ||
      !AllFinite(b.rewards())) {
    return absl::InvalidArgumentError("NaN or infinite value in a transition");
  }
  for (int s : b.steps()) {
    if (s < 0) return absl::InvalidArgumentError("negative step");
  }
  return absl::OkStatus();
}

// Parses `bytes` into `m` and checks the envelope every message has: size, schema version and
// action-space hash. `peer` names the other side for the message ("learner", "actor").
template <typename Message>
absl::Status ParseEnvelope(absl::string_view bytes, uint64_t action_space_hash, const char* peer,
                           Message& m) {
  if (static_cast<int64_t>(bytes.size()) > kMaxMessageBytes) {
    return absl::InvalidArgumentError("message larger than the size limit");
  }
  if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed protobuf (", bytes.size(), " bytes)"));
  }
  if (m.schema_version() != kSchemaVersion) {
    return absl::InvalidArgumentError(
        absl::StrCat("schema version ", m.schema_version(), ", expected ", kSchemaVersion));
  }
  if (m.action_space_hash() != action_space_hash) {
    return absl::InvalidArgumentError(absl::StrCat("action space differs from the ", peer, "'s"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<proto::ActorMessage> DecodeActorMessage(absl::string_view bytes,
                                                       const Expectations& expect) {
  proto::ActorMessage m;
  absl::Status s = DecodeActorMessageInto(bytes, expect, &m);
  if (!s.ok()) return s;
  return m;
}

absl::Status DecodeActorMessageInto(absl::string_view bytes, const Expectations& expect,
                                    proto::ActorMessage* out) {
  proto::ActorMessage& m = *out;
  absl::Status envelope = ParseEnvelope(bytes, expect.action_space_hash, "learner", m);
  if (!envelope.ok()) return envelope;
  if (m.actor_id() < 1 || m.actor_id() > expect.max_actor_id) {
    return absl::InvalidArgumentError(absl::StrCat("actor id ", m.actor_id(), " out of range"));
  }
  switch (m.body_case()) {
    case proto::ActorMessage::kBatch: {
      absl::Status ok = CheckBatch(m.batch(), expect);
      if (!ok.ok()) return ok;
      break;
    }
    case proto::ActorMessage::kStatus:
      if (!std::isfinite(m.status().mean_episode_return()) ||
          !std::isfinite(m.status().best_ratio_vs_oz())) {
        return absl::InvalidArgumentError("NaN or infinite value in a status");
      }
      for (const proto::BestSequence& b : m.status().new_bests()) {
        if (!(b.ratio_vs_oz() > 0) || !std::isfinite(b.ratio_vs_oz()) || b.benchmark().empty() ||
            b.benchmark().size() > 4096 || b.actions_size() > 4096) {
          return absl::InvalidArgumentError("bad best sequence in a status");
        }
        for (int a : b.actions()) {
          if (a < 0 || a >= expect.num_actions) {
            return absl::InvalidArgumentError(
                absl::StrCat("action ", a, " out of range in a best sequence"));
          }
        }
      }
      break;
    default:
      return absl::InvalidArgumentError("message with no body");
  }
  return absl::OkStatus();
}

absl::StatusOr<proto::LearnerMessage> DecodeLearnerMessage(absl::string_view bytes,
                                                           const Expectations& expect,
                                                           int64_t parameter_count) {
  proto::LearnerMessage m;
  absl::Status envelope = ParseEnvelope(bytes, expect.action_space_hash, "actor", m);
  if (!envelope.ok()) return envelope;
  if (m.stop()) return m;
  if (m.obs_dim() != expect.obs_dim || m.num_actions() != expect.num_actions) {
    return absl::InvalidArgumentError(absl::StrCat(
        "network shape differs from this build's: the policy observes ", m.obs_dim(),
        " floats and chooses among ", m.num_actions(), " actions, this build ", expect.obs_dim,
        " and ", expect.num_actions, " (trained by another passrl version? retrain, or use that one)"));
  }
  if (static_cast<int64_t>(m.parameters().size()) != parameter_count * 4) {
    return absl::InvalidArgumentError(absl::StrCat("weights of ", m.parameters().size(),
                                                   " bytes, expected ", parameter_count * 4));
  }
  const float* p = reinterpret_cast<const float*>(m.parameters().data());
  for (int64_t i = 0; i < parameter_count; ++i) {
    if (!std::isfinite(p[i])) return absl::InvalidArgumentError("NaN or infinite weight");
  }
  return m;
}

proto::ActorMessage NewActorMessage(int actor_id, uint64_t action_space_hash) {
  proto::ActorMessage m;
  m.set_schema_version(kSchemaVersion);
  m.set_actor_id(actor_id);
  m.set_action_space_hash(action_space_hash);
  return m;
}

}  // namespace passrl::wire
