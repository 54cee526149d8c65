// Moving a validated transition batch (proto/wire.h checked it) into the replay buffer: the
// learner's ingest path, shared with the transport benchmark so both measure the same code.
// Thread-safe (ReplayBuffer is).
#pragma once

#include <cstdint>

#include "passrl.pb.h"
#include "replay/replay_buffer.h"

namespace passrl::learner {

// Inserts every transition; returns the summed policy lag (current_version - the version that
// acted) over the batch.
uint64_t InsertBatch(const proto::TransitionBatch& batch, int actor_id, uint64_t current_version,
                     replay::ReplayBuffer& replay);

}  // namespace passrl::learner
