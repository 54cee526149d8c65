// The actor against a fake learner made of real ZeroMQ sockets in the test: it must send hello,
// batches that decode, heartbeats; adopt newer weights only; and stop when told.
#include "actors/actor.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <fstream>
#include <set>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "actors/observation.h"
#include "envs/action_space.h"
#include "gtest/gtest.h"
#include "model/networks.h"
#include "proto/wire.h"
#include "tests/test_util.h"

namespace passrl::actors {
namespace {

std::string Weights(uint64_t version, const std::vector<float>& params, bool stop = false) {
  proto::LearnerMessage m;
  m.set_schema_version(wire::kSchemaVersion);
  m.set_action_space_hash(envs::ActionSpaceHash());
  m.set_version(version);
  m.set_obs_dim(kObservationDim);
  m.set_num_actions(envs::kNumActions);
  m.set_stop(stop);
  m.set_parameters(std::string(reinterpret_cast<const char*>(params.data()), params.size() * 4));
  return m.SerializeAsString();
}

TEST(ActorTest, StreamsTransitionsAdoptsWeightsAndStops) {
  zmq::context_t context(1);
  zmq::socket_t pull(context, zmq::socket_type::pull), pub(context, zmq::socket_type::pub);
  pull.bind("tcp://127.0.0.1:*");
  pub.bind("tcp://127.0.0.1:*");
  pull.set(zmq::sockopt::rcvtimeo, 200);
  ActorOptions o;
  o.actor_id = 3;
  o.transitions_endpoint = pull.get(zmq::sockopt::last_endpoint);
  o.weights_endpoint = pub.get(zmq::sockopt::last_endpoint);
  o.benchmarks = {"bundled/nqueens", "bundled/crc32_table"};
  o.episode_length = 5;
  o.horizon = Horizon::kTerminal;
  o.batch_transitions = 8;
  o.heartbeat_seconds = 0.2;
  o.max_seconds = 60;
  auto env = *InProcessEnvClient::Create(testing::TestDatasetOptions(),
                                         envs::RewardSpace::kIrInstructionCountNorm, 5);
  auto policy = *CreateTorchPolicy({kObservationDim, envs::kNumActions, {16}}, 1);
  const int64_t count = policy->parameter_count();
  Actor actor(o, std::move(env), std::move(policy), &context);
  std::thread run([&] { EXPECT_TRUE(actor.Run().ok()); });

  wire::Expectations expect;
  expect.action_space_hash = envs::ActionSpaceHash();
  expect.obs_dim = kObservationDim;
  expect.num_actions = envs::kNumActions;
  int hellos = 0, heartbeats = 0, transitions = 0, goodbyes = 0, bests = 0;
  std::set<std::string> best_benchmarks;  // a status may come before the batch of its episode
  bool saw_version_5 = false;
  std::set<std::string> benchmarks;
  const std::vector<float> params(static_cast<size_t>(count), 0.01f);
  int older_sent = 0;
  for (int i = 0; i < 2000 && goodbyes == 0; ++i) {
    // Each message is repeated until its effect shows: PUB drops what it sends before the
    // actor's SUB has connected.
    if (!saw_version_5) {
      pub.send(zmq::buffer(Weights(5, params)));
    } else if (older_sent < 20) {
      pub.send(zmq::buffer(Weights(4, params)));  // older: ignored
      ++older_sent;
    } else {
      pub.send(zmq::buffer(Weights(6, params, /*stop=*/true)));
    }
    zmq::message_t m;
    if (!pull.recv(m)) continue;
    auto decoded = wire::DecodeActorMessage(
        absl::string_view(static_cast<const char*>(m.data()), m.size()), expect);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->actor_id(), 3);
    if (decoded->has_batch()) {
      const auto& b = decoded->batch();
      transitions += b.actions_size();
      for (int j = 0; j < b.actions_size(); ++j) {
        benchmarks.insert(b.benchmark_names(b.benchmark_ids(j)));
        // The episode's last step is terminal (Horizon::kTerminal); so is stop, at any step
        // (the untrained policy is uniform, so it sometimes stops).
        const bool stop = b.actions(j) == envs::StopAction();
        EXPECT_EQ(b.truncations(j), b.steps(j) == 4 && !stop);
        EXPECT_EQ(b.terminals(j), b.steps(j) == 4 || stop);
        if (b.policy_versions(j) == 5) saw_version_5 = true;
        EXPECT_NE(b.policy_versions(j), 4u);
      }
    } else {
      switch (decoded->status().kind()) {
        case proto::ActorStatus::HELLO:
          ++hellos;
          break;
        case proto::ActorStatus::HEARTBEAT:
          ++heartbeats;
          for (const proto::BestSequence& best : decoded->status().new_bests()) {
            best_benchmarks.insert(best.benchmark());
            EXPECT_GT(best.ratio_vs_oz(), 0);
            EXPECT_GE(best.actions_size(), 1);
            ++bests;
          }
          break;
        case proto::ActorStatus::GOODBYE:
          ++goodbyes;
          break;
        default:
          break;
      }
    }
  }
  run.join();
  EXPECT_EQ(hellos, 1);
  EXPECT_GE(heartbeats, 1);
  EXPECT_GE(bests, 1);  // improvements on its benchmarks went to the learner's sequence pool
  for (const std::string& b : best_benchmarks) EXPECT_TRUE(benchmarks.count(b)) << b;
  EXPECT_EQ(goodbyes, 1);
  EXPECT_GT(transitions, 8);
  EXPECT_TRUE(saw_version_5);
  EXPECT_EQ(benchmarks.size(), 2u);
  EXPECT_EQ(actor.stats().versions_adopted, 1u);
  EXPECT_EQ(actor.stats().transitions_sent, static_cast<uint64_t>(transitions));
}

// Always picks one action: lets a test steer the actor into a crashing pass.
class FixedPolicy : public Policy {
 public:
  explicit FixedPolicy(int action) : action_(action) {}
  int Act(absl::Span<const float>) override { return action_; }
  std::vector<float> Probabilities(absl::Span<const float>) override {
    std::vector<float> p(envs::kNumActions, 0.f);
    p[action_] = 1.f;
    return p;
  }
  absl::Status SetWeights(uint64_t, absl::Span<const float>) override { return absl::OkStatus(); }
  uint64_t version() const override { return 0; }
  int64_t parameter_count() const override { return 1; }

 private:
  int action_;
};

TEST(ActorTest, CrashingPassBecomesAPenalisedTerminalTransitionAndAReport) {
  const int crash = *envs::ActionIndex("dce");
  zmq::context_t context(1);
  zmq::socket_t pull(context, zmq::socket_type::pull);
  pull.bind("tcp://127.0.0.1:*");
  pull.set(zmq::sockopt::rcvtimeo, 200);
  ActorOptions o;
  o.transitions_endpoint = pull.get(zmq::sockopt::last_endpoint);
  o.weights_endpoint = "tcp://127.0.0.1:1";  // no learner: the actor still runs
  o.benchmarks = {"bundled/nqueens"};
  o.episode_length = 3;
  o.batch_transitions = 1;
  o.max_seconds = 8;
  o.crash_penalty = -2.5;
  o.crash_dir = testing::TempDir();
  WorkerOptions w;
  w.executable = PASSRL_BINARY;
  w.dataset = testing::TestDatasetOptions();
  w.max_steps = 3;
  setenv("PASSRL_TEST_CRASH_ACTION", std::to_string(crash).c_str(), 1);
  Actor actor(o, std::make_unique<WorkerEnvClient>(w), std::make_unique<FixedPolicy>(crash),
              &context);
  std::thread run([&] { EXPECT_TRUE(actor.Run().ok()); });
  wire::Expectations expect;
  expect.action_space_hash = envs::ActionSpaceHash();
  expect.obs_dim = kObservationDim;
  expect.num_actions = envs::kNumActions;
  bool penalised = false;
  for (int i = 0; i < 60 && !penalised; ++i) {
    zmq::message_t m;
    if (!pull.recv(m)) continue;
    auto decoded = wire::DecodeActorMessage(
        absl::string_view(static_cast<const char*>(m.data()), m.size()), expect);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    if (!decoded->has_batch()) continue;
    const auto& b = decoded->batch();
    EXPECT_EQ(b.actions(0), crash);
    EXPECT_FLOAT_EQ(b.rewards(0), -2.5f);
    EXPECT_TRUE(b.terminals(0));
    penalised = true;
  }
  run.join();
  unsetenv("PASSRL_TEST_CRASH_ACTION");
  EXPECT_TRUE(penalised);
  EXPECT_GE(actor.stats().worker_crashes, 1u);
  std::ifstream report(o.crash_dir + "/crash-actor1-1.json");
  std::string text((std::istreambuf_iterator<char>(report)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"benchmark\": \"bundled/nqueens\""), std::string::npos) << text;
  EXPECT_NE(text.find("passrl env --benchmark bundled/nqueens --actions dce"), std::string::npos)
      << text;
}

// With no learner for `learner_lost_seconds`, the actor stops with an error saying so, instead
// of running forever (under `mpirun --enable-recovery` a dead learner does not end the job).
TEST(ActorTest, StopsWhenTheLearnerIsGone) {
  zmq::context_t context(1);
  zmq::socket_t pull(context, zmq::socket_type::pull);
  pull.bind("tcp://127.0.0.1:*");
  ActorOptions o;
  o.transitions_endpoint = pull.get(zmq::sockopt::last_endpoint);
  o.weights_endpoint = "tcp://127.0.0.1:1";  // nobody publishes weights
  o.benchmarks = {"bundled/nqueens"};
  o.episode_length = 3;
  o.max_seconds = 60;
  o.learner_lost_seconds = 1.5;
  auto env = InProcessEnvClient::Create(testing::TestDatasetOptions(),
                                        envs::RewardSpace::kIrInstructionCountNorm, 3);
  ASSERT_TRUE(env.ok()) << env.status();
  Actor actor(o, *std::move(env), std::make_unique<FixedPolicy>(0), &context);
  const auto start = std::chrono::steady_clock::now();
  absl::Status s = actor.Run();
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_NE(s.message().find("learner"), std::string::npos) << s;
  EXPECT_LT(took, 30) << "the actor ran on although the learner was gone";
  EXPECT_GT(actor.stats().steps, 0u);
}

// Transitions of `actor` (run until max_seconds) as the learner would receive them.
std::vector<proto::TransitionBatch> Collect(Actor& actor, zmq::socket_t& pull, int batches) {
  wire::Expectations expect;
  expect.action_space_hash = envs::ActionSpaceHash();
  expect.obs_dim = kObservationDim;
  expect.num_actions = envs::kNumActions;
  std::vector<proto::TransitionBatch> out;
  std::thread run([&] { EXPECT_TRUE(actor.Run().ok()); });
  for (int i = 0; i < 600 && static_cast<int>(out.size()) < batches; ++i) {
    zmq::message_t m;
    if (!pull.recv(m)) continue;
    auto decoded = wire::DecodeActorMessage(
        absl::string_view(static_cast<const char*>(m.data()), m.size()), expect);
    if (decoded.ok() && decoded->has_batch()) out.push_back(decoded->batch());
  }
  run.join();
  return out;
}

ActorOptions SoloOptions(zmq::socket_t& pull, std::vector<std::string> benchmarks, int length) {
  pull.bind("tcp://127.0.0.1:*");
  pull.set(zmq::sockopt::rcvtimeo, 200);
  ActorOptions o;
  o.transitions_endpoint = pull.get(zmq::sockopt::last_endpoint);
  o.weights_endpoint = "tcp://127.0.0.1:1";  // no learner: the actor still runs
  o.benchmarks = std::move(benchmarks);
  o.episode_length = length;
  o.batch_transitions = 1;
  return o;
}

// A runtime-reward step that breaks the program ends the episode there: a terminal transition
// with the penalty, and the next transition starts a new episode (step 0) from the -O0 program.
TEST(ActorTest, RuntimeFailureEndsTheEpisodeAtThatStep) {
  const std::string program = testing::StackHungryProgram();
  zmq::context_t context(1);
  zmq::socket_t pull(context, zmq::socket_type::pull);
  ActorOptions o = SoloOptions(pull, {program}, 5);
  o.max_seconds = 20;
  auto env = InProcessEnvClient::Create(testing::TestDatasetOptions(),
                                        envs::RewardSpace::kRuntimeNorm, 5);
  ASSERT_TRUE(env.ok()) << env.status();
  Actor actor(o, *std::move(env), std::make_unique<FixedPolicy>(*envs::ActionIndex("always-inline")),
              &context);
  const std::vector<proto::TransitionBatch> batches = Collect(actor, pull, 2);
  ASSERT_EQ(batches.size(), 2u);
  for (const proto::TransitionBatch& b : batches) {
    EXPECT_EQ(b.steps(0), 0);  // every episode ends at its first step
    EXPECT_TRUE(b.terminals(0));
    EXPECT_FALSE(b.truncations(0));
    EXPECT_FLOAT_EQ(b.rewards(0), -1.0f);
  }
  EXPECT_NE(batches[0].episode_ids(0), batches[1].episode_ids(0));
  EXPECT_EQ(actor.stats().worker_crashes, 0u);  // the program crashed, not the environment
}

// Horizon::kBootstrap: no time feature, and the step limit's last transition is truncated but
// not terminal (its value bootstraps from the next state).
TEST(ActorTest, BootstrapHorizonDropsTheTimeFeatureAndKeepsTheLastStepOpen) {
  zmq::context_t context(1);
  zmq::socket_t pull(context, zmq::socket_type::pull);
  ActorOptions o = SoloOptions(pull, {"bundled/nqueens"}, 2);
  o.horizon = Horizon::kBootstrap;
  o.max_seconds = 30;
  auto env = InProcessEnvClient::Create(testing::TestDatasetOptions(),
                                        envs::RewardSpace::kIrInstructionCountNorm, 2);
  ASSERT_TRUE(env.ok()) << env.status();
  Actor actor(o, *std::move(env), std::make_unique<FixedPolicy>(*envs::ActionIndex("sroa")),
              &context);
  const std::vector<proto::TransitionBatch> batches = Collect(actor, pull, 4);
  ASSERT_EQ(batches.size(), 4u);
  for (const proto::TransitionBatch& b : batches) {
    EXPECT_FALSE(b.terminals(0));
    EXPECT_EQ(b.truncations(0), b.steps(0) == 1);
    // sroa again changes nothing: the no-op penalty, and nothing else.
    if (b.steps(0) == 1) EXPECT_FLOAT_EQ(b.rewards(0), -static_cast<float>(o.noop_penalty));
    if (b.steps(0) == 0) EXPECT_GT(b.rewards(0), 0.f);
    EXPECT_EQ(b.observations(kObservationDim - 1), 0.f);
    EXPECT_EQ(b.next_observations(kObservationDim - 1), 0.f);
  }
}

TEST(ActorTest, RefusesAnEnvironmentWithAnotherEpisodeLength) {
  zmq::context_t context(1);
  zmq::socket_t pull(context, zmq::socket_type::pull);
  ActorOptions o = SoloOptions(pull, {"bundled/nqueens"}, 5);
  auto env = InProcessEnvClient::Create(testing::TestDatasetOptions(),
                                        envs::RewardSpace::kIrInstructionCountNorm, 3);
  ASSERT_TRUE(env.ok());
  Actor actor(o, *std::move(env), std::make_unique<FixedPolicy>(0), &context);
  absl::Status s = actor.Run();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("env.episode_length"), std::string::npos) << s;
}

// A weighted mix: episodes draw benchmarks in proportion to their weights (a weight of 0 never).
TEST(ActorTest, WeightedBenchmarksAreDrawnInProportion) {
  zmq::context_t context(1);
  zmq::socket_t pull(context, zmq::socket_type::pull);
  ActorOptions o = SoloOptions(pull, {"bundled/nqueens", "bundled/crc32_table",
                                      "bundled/bit_tricks"}, 1);
  o.benchmark_weights = {3, 1, 0};
  o.max_seconds = 60;
  auto env = InProcessEnvClient::Create(testing::TestDatasetOptions(),
                                        envs::RewardSpace::kIrInstructionCountNorm, 1);
  ASSERT_TRUE(env.ok()) << env.status();
  Actor actor(o, *std::move(env), std::make_unique<FixedPolicy>(*envs::ActionIndex("sroa")),
              &context);
  std::map<std::string, int> episodes;
  for (const proto::TransitionBatch& b : Collect(actor, pull, 120)) {
    ++episodes[b.benchmark_names(b.benchmark_ids(0))];
  }
  const int total = episodes["bundled/nqueens"] + episodes["bundled/crc32_table"];
  ASSERT_GE(total, 60);
  EXPECT_EQ(episodes["bundled/bit_tricks"], 0);
  EXPECT_NEAR(static_cast<double>(episodes["bundled/nqueens"]) / total, 0.75, 0.15);
  o.benchmark_weights = {1, 1};
  EXPECT_FALSE(o.Validate().ok()) << "one weight per benchmark";
  o.benchmark_weights = {0, 0, 0};
  EXPECT_FALSE(o.Validate().ok());
}

// Runs an actor until a transition acts with policy `version`. `serve(seen)` is called every
// ~20 ms to send weights; once `seen`, it must send a stop. Returns the actor's stats.
ActorStats RunUntilVersion(ActorOptions o, zmq::context_t& context, zmq::socket_t& pull,
                           uint64_t version, const std::function<void(bool)>& serve) {
  o.benchmarks = {"bundled/nqueens"};
  o.episode_length = 3;
  o.max_seconds = 60;
  auto env = *InProcessEnvClient::Create(testing::TestDatasetOptions(),
                                         envs::RewardSpace::kIrInstructionCountNorm, 3);
  Actor actor(o, std::move(env), *CreateTorchPolicy({kObservationDim, envs::kNumActions, {16}}, 1),
              &context);
  std::atomic<bool> done{false};
  std::thread run([&] {
    EXPECT_TRUE(actor.Run().ok());
    done = true;
  });
  wire::Expectations expect;
  expect.action_space_hash = envs::ActionSpaceHash();
  expect.obs_dim = kObservationDim;
  expect.num_actions = envs::kNumActions;
  pull.set(zmq::sockopt::rcvtimeo, 20);
  bool seen = false;
  for (int i = 0; i < 3000 && !done; ++i) {
    serve(seen);
    zmq::message_t m;
    if (!pull.recv(m)) continue;
    auto decoded = wire::DecodeActorMessage(
        absl::string_view(static_cast<const char*>(m.data()), m.size()), expect);
    EXPECT_TRUE(decoded.ok());
    if (!decoded.ok()) continue;
    if (!decoded->has_batch()) continue;
    for (uint64_t v : decoded->batch().policy_versions()) seen |= v == version;
  }
  EXPECT_TRUE(seen);
  run.join();
  return actor.stats();
}

// The learner sent version 2 while this actor was not listening (a slow subscriber's drop): the
// keepalive naming 2 makes it reconnect, and the publisher's welcome brings 2.
TEST(ActorTest, AKeepaliveNamingAMissedVersionBringsItThroughTheWelcome) {
  zmq::context_t context(1);
  zmq::socket_t pull(context, zmq::socket_type::pull), xpub(context, zmq::socket_type::xpub);
  pull.bind("tcp://127.0.0.1:*");
  xpub.bind("tcp://127.0.0.1:*");
  ActorOptions o;
  o.transitions_endpoint = pull.get(zmq::sockopt::last_endpoint);
  o.weights_endpoint = xpub.get(zmq::sockopt::last_endpoint);
  o.batch_transitions = 1;
  auto policy = *CreateTorchPolicy({kObservationDim, envs::kNumActions, {16}}, 1);
  const std::vector<float> params(static_cast<size_t>(policy->parameter_count()), 0.01f);
  proto::LearnerMessage keepalive;
  keepalive.ParseFromString(Weights(2, params));
  keepalive.clear_parameters();
  int subscriptions = 0, calls = 0;
  const ActorStats stats = RunUntilVersion(o, context, pull, 2, [&](bool seen) {
    if (seen) {
      xpub.send(zmq::buffer(Weights(2, params, /*stop=*/true)));
      return;
    }
    zmq::message_t m;
    while (xpub.recv(m, zmq::recv_flags::dontwait)) {
      // The first subscription is the actor joining: only now does the welcome hold version 2,
      // so the actor can get it only by reconnecting.
      if (++subscriptions == 1) xpub.set(zmq::sockopt::xpub_welcome_msg, Weights(2, params));
    }
    if (subscriptions > 0 && ++calls % 5 == 0) {  // ~ every 100 ms, a learner's is 1 s
      xpub.send(zmq::buffer(keepalive.SerializeAsString()));
    }
  });
  // Version 2 was only ever the welcome of a connection made after the actor joined: the actor
  // acting with it proves it reconnected.
  EXPECT_EQ(stats.versions_adopted, 1u);
}

// A fake learner of real sockets that publishes one version until an actor acts with it.
struct PublishingLearner {
  PublishingLearner() {
    pull.bind("tcp://127.0.0.1:*");
    pub.bind("tcp://127.0.0.1:*");
  }
  ActorOptions Options() {
    ActorOptions o;
    o.transitions_endpoint = pull.get(zmq::sockopt::last_endpoint);
    o.weights_endpoint = pub.get(zmq::sockopt::last_endpoint);
    return o;
  }
  ActorStats RunUntilVersion(const ActorOptions& o, uint64_t version) {
    const int64_t count =
        (*CreateTorchPolicy({kObservationDim, envs::kNumActions, {16}}, 1))->parameter_count();
    const std::vector<float> params(static_cast<size_t>(count), 0.01f);
    return actors::RunUntilVersion(o, context, pull, version, [&](bool seen) {
      pub.send(zmq::buffer(Weights(version, params, seen)));
    });
  }
  zmq::context_t context{1};
  zmq::socket_t pull{context, zmq::socket_type::pull}, pub{context, zmq::socket_type::pub};
};

// The node's relay is gone (nothing listens at its ipc endpoint): the actor subscribes to the
// learner directly after relay_silence_seconds.
TEST(ActorTest, FallsBackToTheLearnerWhenTheRelayIsSilent) {
  PublishingLearner learner;
  ActorOptions o = learner.Options();
  o.weights_fallback_endpoint = o.weights_endpoint;
  o.weights_endpoint = absl::StrCat("ipc:///tmp/passrl-no-relay-", getpid(), ".ipc");
  o.relay_silence_seconds = 0.5;
  o.batch_transitions = 1;
  EXPECT_EQ(learner.RunUntilVersion(o, 7).versions_adopted, 1u);
}

// A batch that is not full goes out once its oldest transition is flush_seconds old, so slow
// steps do not hold transitions back for a whole batch.
TEST(ActorTest, SendsAnUnfilledBatchAfterFlushSeconds) {
  PublishingLearner learner;
  ActorOptions o = learner.Options();
  o.batch_transitions = 100000;  // never full in this test
  o.flush_seconds = 0.2;
  const ActorStats stats = learner.RunUntilVersion(o, 4);
  EXPECT_GT(stats.transitions_sent, 0u);
  EXPECT_LT(stats.transitions_sent, 100000u);
}

TEST(ActorTest, RejectsBadOptions) {
  ActorOptions o;
  EXPECT_TRUE(o.Validate().ok());
  o.actor_id = 0;
  EXPECT_NE(o.Validate().message().find("actor_id"), absl::string_view::npos);
  o.actor_id = 1;
  o.episode_length = 0;
  EXPECT_NE(o.Validate().message().find("episode_length"), absl::string_view::npos);
}

}  // namespace
}  // namespace passrl::actors
