// The transition field list (proto/transition_fields.def) drives the wire helpers: every wire field
// survives Append/Read with its own value, envelope fields stay out of the batch, and a batch
// missing a value in any column is caught.
#include "proto/transition.h"

#include <type_traits>

#include "gtest/gtest.h"
#include "proto/wire.h"

namespace passrl::wire {
namespace {

// Distinct, recognisable values per field (flags alternate).
TransitionFields Numbered(int k) {
  TransitionFields f;
  int i = 0;
#define PASSRL_TRANSITION_FIELD(type, name, column, wire, export_name) \
  f.name = static_cast<type>(std::is_same_v<type, uint8_t> ? (k + i++) % 2 : 10 * k + i++);
#include "proto/transition_fields.def"
#undef PASSRL_TRANSITION_FIELD
  return f;
}

TEST(TransitionFieldsTest, WireFieldsRoundTripAndEnvelopeFieldsStayOut) {
  proto::TransitionBatch batch;
  batch.set_obs_dim(2);
  const float obs[2] = {1, 2}, next[2] = {3, 4};
  for (int k = 1; k <= 3; ++k) AppendTransition(obs, next, Numbered(k), &batch);
  EXPECT_EQ(batch.observations_size(), 6);
  EXPECT_TRUE(ColumnsHaveLength(batch, 3));
  for (int k = 1; k <= 3; ++k) {
    const TransitionFields want = Numbered(k), got = ReadTransition(batch, k - 1);
#define PASSRL_TRANSITION_FIELD(type, name, column, wire, export_name) \
  EXPECT_EQ(got.name, wire ? want.name : type{0}) << #name << " of transition " << k;
#include "proto/transition_fields.def"
#undef PASSRL_TRANSITION_FIELD
  }
}

TEST(TransitionFieldsTest, AShortColumnIsCaughtAndRejected) {
  proto::ActorMessage m = NewActorMessage(1, 42);
  proto::TransitionBatch* b = m.mutable_batch();
  b->set_obs_dim(1);
  b->add_benchmark_names("bundled/x");
  const float obs[1] = {0};
  TransitionFields f;
  AppendTransition(obs, obs, f, b);
  AppendTransition(obs, obs, f, b);
  ASSERT_TRUE(ColumnsHaveLength(*b, 2));
  Expectations e;
  e.action_space_hash = 42;
  e.obs_dim = 1;
  e.num_actions = 5;
  ASSERT_TRUE(DecodeActorMessage(m.SerializeAsString(), e).ok());
  b->mutable_policy_versions()->RemoveLast();
  EXPECT_FALSE(ColumnsHaveLength(*b, 2));
  auto decoded = DecodeActorMessage(m.SerializeAsString(), e);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("different lengths"), absl::string_view::npos);
}

}  // namespace
}  // namespace passrl::wire
