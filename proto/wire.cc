#include "proto/wire.h"

#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "google/protobuf/io/coded_stream.h"
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

// IEEE 754 binary16 <-> binary32. Weights are finite; magnitudes beyond float16's range
// saturate to its largest finite value rather than becoming infinite.
uint16_t FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x477ff000u) return sign | 0x7bffu;  // >= 65520 rounds past the largest half
  if (abs < 0x38800000u) {  // below 2^-14: a subnormal half (or zero)
    float a;
    std::memcpy(&a, &abs, 4);
    return sign | static_cast<uint16_t>(std::nearbyint(a * 16777216.0f));  // units of 2^-24
  }
  // Normal: rebias the exponent, round the 13 dropped mantissa bits to nearest even.
  const uint32_t rebased = abs - 0x38000000u;
  const uint32_t round = 0xfffu + ((rebased >> 13) & 1u);
  return sign | static_cast<uint16_t>((rebased + round) >> 13);
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
  float magnitude;
  if (exponent == 0) {
    magnitude = static_cast<float>(mantissa) / 16777216.0f;  // subnormal: mantissa * 2^-24
  } else {
    const uint32_t bits = ((exponent + 112u) << 23) | (mantissa << 13);
    std::memcpy(&magnitude, &bits, 4);
  }
  uint32_t out;
  std::memcpy(&out, &magnitude, 4);
  out |= sign;
  float f;
  std::memcpy(&f, &out, 4);
  return f;
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
  if (IsKeepalive(m)) return m;
  const bool half = m.encoding() == proto::LearnerMessage::FLOAT16;
  if (!half && m.encoding() != proto::LearnerMessage::FLOAT32) {
    return absl::InvalidArgumentError(absl::StrCat("unknown weights encoding ", m.encoding()));
  }
  const int64_t width = half ? 2 : 4;
  if (static_cast<int64_t>(m.parameters().size()) != parameter_count * width) {
    return absl::InvalidArgumentError(absl::StrCat("weights of ", m.parameters().size(),
                                                   " bytes, expected ", parameter_count * width));
  }
  bool finite = true;
  if (half) {  // exponent bits all ones: infinite or NaN
    const char* p = m.parameters().data();
    for (int64_t i = 0; i < parameter_count; ++i) {
      uint16_t h;
      std::memcpy(&h, p + 2 * i, 2);
      finite &= (h & 0x7c00u) != 0x7c00u;
    }
  } else {
    const float* p = reinterpret_cast<const float*>(m.parameters().data());
    finite = AllFinite(absl::MakeConstSpan(p, parameter_count));
  }
  if (!finite) return absl::InvalidArgumentError("NaN or infinite weight");
  return m;
}

void SetParameters(const std::vector<float>& params, bool half, proto::LearnerMessage* m) {
  m->set_encoding(half ? proto::LearnerMessage::FLOAT16 : proto::LearnerMessage::FLOAT32);
  if (!half) {
    m->set_parameters(std::string(reinterpret_cast<const char*>(params.data()), params.size() * 4));
    return;
  }
  std::string bytes(params.size() * 2, '\0');
  for (size_t i = 0; i < params.size(); ++i) {
    const uint16_t h = FloatToHalf(params[i]);
    std::memcpy(&bytes[2 * i], &h, 2);
  }
  m->set_parameters(std::move(bytes));
}

std::vector<float> Parameters(const proto::LearnerMessage& m) {
  const std::string& bytes = m.parameters();
  if (m.encoding() != proto::LearnerMessage::FLOAT16) {
    std::vector<float> out(bytes.size() / 4);
    std::memcpy(out.data(), bytes.data(), out.size() * 4);
    return out;
  }
  std::vector<float> out(bytes.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    uint16_t h;
    std::memcpy(&h, &bytes[2 * i], 2);
    out[i] = HalfToFloat(h);
  }
  return out;
}

absl::StatusOr<WeightsHeader> PeekLearnerMessage(absl::string_view bytes) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  WeightsHeader h;
  using Field = proto::LearnerMessage;
  while (uint32_t tag = in.ReadTag()) {
    const int field = static_cast<int>(tag >> 3);
    uint64_t varint = 0, fixed = 0;
    uint32_t length = 0;
    bool ok = true;
    switch (tag & 7) {
      case 0:
        ok = in.ReadVarint64(&varint);
        break;
      case 1:
        ok = in.ReadLittleEndian64(&fixed);
        break;
      case 2:
        ok = in.ReadVarint32(&length) && in.Skip(static_cast<int>(length));
        break;
      case 5:
        ok = in.Skip(4);
        break;
      default:
        ok = false;
    }
    if (!ok) return absl::InvalidArgumentError("malformed learner message");
    if (field == Field::kVersionFieldNumber) h.version = varint;
    if (field == Field::kRunIdFieldNumber) h.run_id = varint;
    if (field == Field::kStopFieldNumber) h.stop = varint != 0;
    if (field == Field::kParametersFieldNumber) h.has_parameters = length > 0;
    if (field == Field::kPublishedUnixSecondsFieldNumber) std::memcpy(&h.published_unix_seconds, &fixed, 8);
  }
  return h;
}

proto::ActorMessage NewActorMessage(int actor_id, uint64_t action_space_hash) {
  proto::ActorMessage m;
  m.set_schema_version(kSchemaVersion);
  m.set_actor_id(actor_id);
  m.set_action_space_hash(action_space_hash);
  return m;
}

}  // namespace passrl::wire
