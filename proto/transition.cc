#include "proto/transition.h"

#include "passrl.pb.h"

namespace passrl::wire {

void AppendTransition(absl::Span<const float> observation,
                      absl::Span<const float> next_observation, const TransitionFields& f,
                      proto::TransitionBatch* batch) {
  batch->mutable_observations()->Add(observation.begin(), observation.end());
  batch->mutable_next_observations()->Add(next_observation.begin(), next_observation.end());
#define PASSRL_TRANSITION_FIELD(type, name, column, wire, export_name) \
  PASSRL_IF_WIRE_##wire(batch->add_##column(f.name);)
#include "proto/transition_fields.def"
#undef PASSRL_TRANSITION_FIELD
}

TransitionFields ReadTransition(const proto::TransitionBatch& batch, int i) {
  TransitionFields f;
#define PASSRL_TRANSITION_FIELD(type, name, column, wire, export_name) \
  PASSRL_IF_WIRE_##wire(f.name = static_cast<type>(batch.column(i));)
#include "proto/transition_fields.def"
#undef PASSRL_TRANSITION_FIELD
  return f;
}

bool ColumnsHaveLength(const proto::TransitionBatch& batch, int n) {
  bool same = true;
#define PASSRL_TRANSITION_FIELD(type, name, column, wire, export_name) \
  PASSRL_IF_WIRE_##wire(same = same && batch.column##_size() == n;)
#include "proto/transition_fields.def"
#undef PASSRL_TRANSITION_FIELD
  return same;
}

}  // namespace passrl::wire
