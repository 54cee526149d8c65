#include "proto/wire.h"

#include <cmath>
#include <random>

#include "gtest/gtest.h"

namespace passrl::wire {
namespace {

Expectations Expect() {
  Expectations e;
  e.action_space_hash = 42;
  e.obs_dim = 3;
  e.num_actions = 5;
  e.max_batch = 100;
  return e;
}

proto::ActorMessage GoodBatch(int n = 2) {
  proto::ActorMessage m = NewActorMessage(1, 42);
  proto::TransitionBatch* b = m.mutable_batch();
  b->set_obs_dim(3);
  b->add_benchmark_names("bundled/x");
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < 3; ++j) {
      b->add_observations(static_cast<float>(i + j));
      b->add_next_observations(static_cast<float>(i - j));
    }
    b->add_actions(i % 5);
    b->add_rewards(0.5f * static_cast<float>(i));
    b->add_terminals(false);
    b->add_truncations(i == n - 1);
    b->add_episode_ids(7);
    b->add_steps(i);
    b->add_policy_versions(3);
    b->add_benchmark_ids(0);
  }
  return m;
}

TEST(WireTest, RoundTripKeepsEveryField) {
  const proto::ActorMessage sent = GoodBatch(3);
  auto got = DecodeActorMessage(sent.SerializeAsString(), Expect());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->SerializeAsString(), sent.SerializeAsString());
  EXPECT_EQ(got->batch().observations(4), 2.f);
  EXPECT_TRUE(got->batch().truncations(2));
}

// The sequence pool's input: a forged best sequence (an action the learner does not have, a
// nonsense ratio) is refused like any bad message.
TEST(WireTest, StatusBestSequencesAreChecked) {
  auto status_with = [](int action, double ratio) {
    proto::ActorMessage m = NewActorMessage(1, 42);
    proto::BestSequence* b = m.mutable_status()->add_new_bests();
    b->set_benchmark("bundled/x");
    b->set_ratio_vs_oz(ratio);
    b->add_actions(0);
    b->add_actions(action);
    return m.SerializeAsString();
  };
  EXPECT_TRUE(DecodeActorMessage(status_with(4, 1.02), Expect()).ok());
  EXPECT_FALSE(DecodeActorMessage(status_with(5, 1.02), Expect()).ok());
  EXPECT_FALSE(DecodeActorMessage(status_with(-1, 1.02), Expect()).ok());
  EXPECT_FALSE(DecodeActorMessage(status_with(1, NAN), Expect()).ok());
  EXPECT_FALSE(DecodeActorMessage(status_with(1, -3), Expect()).ok());
}

TEST(WireTest, RejectsGarbageAndTruncation) {
  std::mt19937 rng(1);
  int rejected = 0;
  for (int i = 0; i < 500; ++i) {
    std::string bytes(rng() % 300, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    rejected += !DecodeActorMessage(bytes, Expect()).ok();
  }
  EXPECT_EQ(rejected, 500);
  const std::string good = GoodBatch(4).SerializeAsString();
  for (size_t cut = 0; cut < good.size(); cut += 3) {
    EXPECT_FALSE(DecodeActorMessage(good.substr(0, cut), Expect()).ok()) << "cut at " << cut;
  }
}

TEST(WireTest, RejectsWrongSchemaAndActionSpace) {
  proto::ActorMessage m = GoodBatch();
  m.set_schema_version(kSchemaVersion + 1);
  auto r = DecodeActorMessage(m.SerializeAsString(), Expect());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("schema version"), absl::string_view::npos);
  m = GoodBatch();
  m.set_action_space_hash(43);
  EXPECT_FALSE(DecodeActorMessage(m.SerializeAsString(), Expect()).ok());
}

TEST(WireTest, RejectsInconsistentOrAbsurdBatches) {
  proto::ActorMessage m = GoodBatch();
  m.mutable_batch()->add_observations(1.f);  // one float too many
  EXPECT_FALSE(DecodeActorMessage(m.SerializeAsString(), Expect()).ok());
  m = GoodBatch();
  m.mutable_batch()->set_actions(0, 5);  // out of range
  EXPECT_NE(DecodeActorMessage(m.SerializeAsString(), Expect()).status().message().find("action 5"),
            absl::string_view::npos);
  m = GoodBatch();
  m.mutable_batch()->set_rewards(0, std::nanf(""));
  EXPECT_NE(DecodeActorMessage(m.SerializeAsString(), Expect()).status().message().find("NaN"),
            absl::string_view::npos);
  m = GoodBatch();
  m.mutable_batch()->set_observations(0, INFINITY);
  EXPECT_FALSE(DecodeActorMessage(m.SerializeAsString(), Expect()).ok());
  EXPECT_FALSE(DecodeActorMessage(GoodBatch(101).SerializeAsString(), Expect()).ok());  // too big
  m = GoodBatch();
  m.mutable_batch()->set_benchmark_ids(0, 9);
  EXPECT_FALSE(DecodeActorMessage(m.SerializeAsString(), Expect()).ok());
  m = GoodBatch();
  m.set_actor_id(0);
  EXPECT_FALSE(DecodeActorMessage(m.SerializeAsString(), Expect()).ok());
  proto::ActorMessage empty = NewActorMessage(1, 42);
  EXPECT_FALSE(DecodeActorMessage(empty.SerializeAsString(), Expect()).ok());
}

TEST(WireTest, LearnerMessageChecksWeights) {
  proto::LearnerMessage m;
  m.set_schema_version(kSchemaVersion);
  m.set_action_space_hash(42);
  m.set_version(3);
  m.set_obs_dim(3);
  m.set_num_actions(5);
  std::vector<float> w = {1, 2, 3, 4};
  m.set_parameters(std::string(reinterpret_cast<const char*>(w.data()), w.size() * 4));
  EXPECT_TRUE(DecodeLearnerMessage(m.SerializeAsString(), Expect(), 4).ok());
  EXPECT_FALSE(DecodeLearnerMessage(m.SerializeAsString(), Expect(), 5).ok());
  w[2] = std::nanf("");
  m.set_parameters(std::string(reinterpret_cast<const char*>(w.data()), w.size() * 4));
  EXPECT_FALSE(DecodeLearnerMessage(m.SerializeAsString(), Expect(), 4).ok());
  m.set_stop(true);
  EXPECT_TRUE(DecodeLearnerMessage(m.SerializeAsString(), Expect(), 4).ok());
}

// float16 weights: half the bytes, every value within float16's rounding (2^-11 relative) of the
// float32 one, tiny values to the subnormal step, huge ones saturated; NaN rejected; keepalives
// (no weights) accepted and recognised.
TEST(WireTest, Float16WeightsRoundTripWithinTolerance) {
  std::vector<float> w;
  for (int i = -2000; i <= 2000; ++i) w.push_back(static_cast<float>(i) * 0.0137f);
  w.push_back(3e-6f);     // subnormal in float16
  w.push_back(-1e-9f);    // below its smallest subnormal: signed zero
  w.push_back(70000.f);   // beyond its range: saturates at 65504
  w.push_back(65504.f);
  proto::LearnerMessage m;
  m.set_schema_version(kSchemaVersion);
  m.set_action_space_hash(42);
  m.set_obs_dim(3);
  m.set_num_actions(5);
  SetParameters(w, /*half=*/true, &m);
  EXPECT_EQ(m.parameters().size(), w.size() * 2);
  const int64_t n = static_cast<int64_t>(w.size());
  auto decoded = DecodeLearnerMessage(m.SerializeAsString(), Expect(), n);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_FALSE(IsKeepalive(*decoded));
  const std::vector<float> back = Parameters(*decoded);
  ASSERT_EQ(back.size(), w.size());
  for (size_t i = 0; i + 4 < w.size(); ++i) {
    EXPECT_LE(std::fabs(back[i] - w[i]), std::fabs(w[i]) * (1.0f / 2048) + 1e-7f) << w[i];
  }
  EXPECT_NEAR(back[w.size() - 4], 3e-6f, 6e-8f);  // the subnormal step is 2^-24
  EXPECT_EQ(back[w.size() - 3], 0.f);
  EXPECT_EQ(back[w.size() - 2], 65504.f);
  EXPECT_EQ(back[w.size() - 1], 65504.f);
  EXPECT_FALSE(DecodeLearnerMessage(m.SerializeAsString(), Expect(), n + 1).ok());
  std::string bytes = m.parameters();
  bytes[1] = static_cast<char>(0x7e);  // exponent all ones: NaN
  m.set_parameters(bytes);
  EXPECT_FALSE(DecodeLearnerMessage(m.SerializeAsString(), Expect(), n).ok());
  m.clear_parameters();
  auto keepalive = DecodeLearnerMessage(m.SerializeAsString(), Expect(), n);
  ASSERT_TRUE(keepalive.ok());
  EXPECT_TRUE(IsKeepalive(*keepalive));
}

// A policy from an older observation layout is refused, and the error says both sizes.
TEST(WireTest, LearnerMessageOfAnotherObservationSizeNamesBoth) {
  proto::LearnerMessage m;
  m.set_schema_version(kSchemaVersion);
  m.set_action_space_hash(42);
  m.set_obs_dim(57);
  m.set_num_actions(5);
  std::vector<float> w = {1, 2, 3, 4};
  m.set_parameters(std::string(reinterpret_cast<const char*>(w.data()), w.size() * 4));
  auto decoded = DecodeLearnerMessage(m.SerializeAsString(), Expect(), 4);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("observes 57 floats"), absl::string_view::npos)
      << decoded.status();
  EXPECT_NE(decoded.status().message().find("this build 3"), absl::string_view::npos);
}

}  // namespace
}  // namespace passrl::wire
