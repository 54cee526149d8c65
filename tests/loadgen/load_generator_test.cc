// The load generator against a real in-process learner on loopback: every transition it counts
// as sent is inserted by the learner, every simulated actor is known to it and gets weights, and
// through relays each relay is one subscriber for its node's actors.
#include "loadgen/load_generator.h"

#include <unistd.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "proto/weights_relay.h"
#include "tests/learner/learner_fixtures.h"

namespace passrl::loadgen {
namespace {

class LoadGeneratorTest : public learner::fixtures::RunningLearnerTest {
 protected:
  void SetUp() override {
    learner::LearnerOptions o = learner::fixtures::SmallLearnerOptions(testing::TempDir());
    o.warmup_transitions = 500;  // train, so new versions are published while the load runs
    o.samples_per_insert = 0.5;
    o.publish_every = 2;
    Start(o);
  }
  LoadOptions Options() {
    LoadOptions o;
    o.actors = 24;
    o.threads = 2;
    o.seconds = 2;
    o.heartbeat_seconds = 0.5;
    o.drain_seconds = 1;
    o.transitions_endpoint = learner_->TransitionsEndpoint("127.0.0.1");
    o.action_space_hash = learner::fixtures::kHash;
    return o;
  }
  std::vector<proto::TransitionBatch> Batches() {
    std::vector<proto::TransitionBatch> b;
    for (int e = 1; e <= 4; ++e) b.push_back(learner::fixtures::Batch(1, e, 8).batch());
    return b;
  }
  // The learner's inserted count once it stops growing toward `expected`.
  uint64_t InsertedBy(uint64_t expected) {
    for (int i = 0; i < 200 && learner_->Counters().transitions_inserted < expected; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return learner_->Counters().transitions_inserted;
  }
};

TEST_F(LoadGeneratorTest, CountsAgreeWithTheLearnerAndEveryActorGetsWeights) {
  LoadOptions o = Options();
  o.weights_endpoints = {learner_->WeightsEndpoint("127.0.0.1")};
  auto r = LoadGenerator(o, Batches()).Run();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GT(r->transitions_sent, 0u);
  EXPECT_EQ(r->transitions_sent, r->batches_sent * 8);
  EXPECT_EQ(InsertedBy(r->transitions_sent), r->transitions_sent);
  EXPECT_EQ(r->actors_without_weights, 0);
  EXPECT_GE(r->versions_seen, 2u);  // the learner trained and published while loaded
  EXPECT_FALSE(r->weights_delays.empty());
  for (double d : r->weights_delays) EXPECT_LT(d, 2.0);
  EXPECT_GE(r->statuses_sent, 24u * 2);  // hello, heartbeats, goodbye each
}

TEST_F(LoadGeneratorTest, ThroughRelaysEachRelayIsOneSubscriberForItsNode) {
  std::vector<std::unique_ptr<wire::WeightsRelay>> relays;
  LoadOptions o = Options();
  for (int n = 0; n < 2; ++n) {
    wire::RelayOptions r;
    r.upstream = learner_->WeightsEndpoint("127.0.0.1");
    r.bind = absl::StrCat("ipc:///tmp/passrl-loadgen-test-", getpid(), "-", n, ".ipc");
    relays.push_back(*wire::WeightsRelay::Start(r));
    o.weights_endpoints.push_back(relays.back()->endpoint());
  }
  auto r = LoadGenerator(o, Batches()).Run();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->actors_without_weights, 0);
  for (const auto& relay : relays) EXPECT_EQ(relay->subscriptions(), 12u);  // its node's half
  EXPECT_EQ(InsertedBy(r->transitions_sent), r->transitions_sent);
}

TEST(LoadOptionsTest, RejectsImpossibleSetups) {
  LoadOptions o;
  o.transitions_endpoint = "tcp://127.0.0.1:1";
  o.weights_endpoints = {"tcp://127.0.0.1:2"};
  EXPECT_TRUE(o.Validate().ok());
  o.actors = 0;
  EXPECT_FALSE(o.Validate().ok());
  o.actors = 1;
  o.weights_endpoints = {"a", "b"};
  EXPECT_NE(o.Validate().message().find("more simulated nodes than actors"), std::string::npos);
}

}  // namespace
}  // namespace passrl::loadgen
