// libFuzzer target for the learner's message decoders (proto/wire.h): any byte string must be
// either decoded into a message that satisfies every check, or rejected with a status; never a
// crash, hang, leak or undefined behaviour. Built and run by benchmarks/fuzz_wire.sh.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "proto/wire.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  passrl::wire::Expectations expect;
  expect.action_space_hash = 42;
  expect.obs_dim = 3;
  expect.num_actions = 5;
  expect.max_batch = 64;
  auto actor = passrl::wire::DecodeActorMessage(bytes, expect);
  if (actor.ok() && actor->has_batch()) {
    // What the learner relies on after a successful decode.
    const auto& b = actor->batch();
    const int n = b.actions_size();
    if (b.obs_dim() != 3 || b.observations_size() != n * 3 || n > 64) __builtin_trap();
    for (float x : b.observations()) {
      if (!std::isfinite(x)) __builtin_trap();
    }
    for (int a : b.actions()) {
      if (a < 0 || a >= 5) __builtin_trap();
    }
    for (uint32_t id : b.benchmark_ids()) {
      if (id >= static_cast<uint32_t>(b.benchmark_names_size())) __builtin_trap();
    }
  }
  auto learner = passrl::wire::DecodeLearnerMessage(bytes, expect, /*parameter_count=*/10);
  if (learner.ok() && !learner->stop() && learner->parameters().size() != 40) __builtin_trap();
  return 0;
}
