// One transition's fields (proto/transition_fields.def) as a struct, and the two places they meet
// the wire: an actor appends transitions to a TransitionBatch, the learner reads them back out of
// a validated one. Plain data; thread-safe.
#pragma once

#include <cstdint>

#include "absl/types/span.h"

namespace passrl::proto {
class TransitionBatch;  // passrl.pb.h: only transition.cc needs the generated code
}  // namespace passrl::proto

// Expands `x` only for the fields that travel in a TransitionBatch (wire == 1).
#define PASSRL_IF_WIRE_1(...) __VA_ARGS__
#define PASSRL_IF_WIRE_0(...)

namespace passrl::wire {

struct TransitionFields {
#define PASSRL_TRANSITION_FIELD(type, name, column, wire, export_name) type name = 0;
#include "proto/transition_fields.def"
#undef PASSRL_TRANSITION_FIELD
};

// Appends one transition (observations of batch->obs_dim() floats each).
void AppendTransition(absl::Span<const float> observation,
                      absl::Span<const float> next_observation, const TransitionFields& fields,
                      proto::TransitionBatch* batch);
// Transition i's wire fields (the others stay 0); the batch must have passed DecodeActorMessage.
TransitionFields ReadTransition(const proto::TransitionBatch& batch, int i);
// Every wire column holds `n` values.
bool ColumnsHaveLength(const proto::TransitionBatch& batch, int n);

}  // namespace passrl::wire
