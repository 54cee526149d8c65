// Shared by the tests that talk to a real Learner over its sockets: a small CPU learner on
// loopback (free ports, no timed checkpoints, ingestion only until warmup is lowered) and valid
// transition batches whose values encode (episode, step), so any mix-up shows.
#pragma once

#include <csignal>
#include <memory>
#include <string>
#include <thread>

#include "gtest/gtest.h"

#include "learner/learner.h"
#include "proto/curve.h"
#include "zmq.hpp"
#include "proto/wire.h"
#include "tests/test_util.h"

namespace passrl::learner::fixtures {

inline constexpr int kDim = 4, kActions = 3;
inline constexpr uint64_t kHash = 77;

inline LearnerOptions SmallLearnerOptions(const std::string& run_dir) {
  LearnerOptions o;
  o.sac.shape = {kDim, kActions, {16}};
  o.sac.use_cuda_if_available = false;
  o.replay.capacity = 100000;
  o.replay.obs_dim = kDim;
  o.batch_size = 16;
  o.warmup_transitions = 1000000;  // ingestion only
  o.samples_per_insert = 4;
  o.publish_every = 5;
  o.duration_seconds = 0;
  o.progress_seconds = 1000;
  o.bind_host = "127.0.0.1";
  o.run_dir = run_dir;
  o.snapshot_seconds = 0;
  o.action_space_hash = kHash;
  o.checkpoint.every_seconds = 0;
  o.config_yaml = "test: true\n";
  return o;
}

// `n` transitions of `episode` from `actor`, on `benchmark` (the batch's name list also holds
// "bundled/other", as an actor's list holds every benchmark it has seen).
inline proto::ActorMessage Batch(int actor, int episode, int n,
                                 const std::string& benchmark = "bundled/x") {
  proto::ActorMessage m = wire::NewActorMessage(actor, kHash);
  proto::TransitionBatch* b = m.mutable_batch();
  b->set_obs_dim(kDim);
  b->add_benchmark_names("bundled/other");
  b->add_benchmark_names(benchmark);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < kDim; ++j) {
      b->add_observations(static_cast<float>(episode * 100 + i) + 0.01f * j);
      b->add_next_observations(static_cast<float>(episode * 100 + i + 1) + 0.01f * j);
    }
    b->add_actions((episode + i) % kActions);
    b->add_rewards(0.1f * static_cast<float>(i % 7) - 0.3f);
    b->add_terminals(i == n - 1);
    b->add_truncations(false);
    b->add_episode_ids(static_cast<uint64_t>(episode));
    b->add_steps(i);
    b->add_policy_versions(1);
    b->add_benchmark_ids(1);
  }
  return m;
}

// A test fixture base: Start() creates the learner and runs it on a thread; TearDown stops it as
// SIGTERM would and joins.
class RunningLearnerTest : public ::testing::Test {
 protected:
  void Start(const LearnerOptions& options) {
    auto l = Learner::Create(options, &context_);
    ASSERT_TRUE(l.ok()) << l.status();
    learner_ = *std::move(l);
    runner_ = std::thread([this] { EXPECT_TRUE(learner_->Run().ok()); });
  }
  void TearDown() override {
    if (!learner_) return;
    learner_->RequestStop(SIGTERM);
    runner_.join();
  }
  zmq::context_t context_{1};
  std::unique_ptr<Learner> learner_;
  std::thread runner_;
};

}  // namespace passrl::learner::fixtures
