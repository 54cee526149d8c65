// The actor against a fake learner made of real ZeroMQ sockets in the test: it must send hello,
// batches that decode, heartbeats; adopt newer weights only; and stop when told.
#include "actors/actor.h"

#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

#include "actors/observation.h"
#include "envs/action_space.h"
#include "gtest/gtest.h"
#include "learner/networks.h"
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
  o.batch_transitions = 8;
  o.heartbeat_seconds = 0.2;
  o.max_seconds = 60;
  auto env = *InProcessEnvClient::Create(testing::TestDatasetOptions(),
                                         envs::RewardSpace::kIrInstructionCountNorm);
  const std::vector<int> hidden = {16};
  auto policy = *CreateTorchPolicy(kObservationDim, envs::kNumActions, hidden, 1);
  const int64_t count = policy->parameter_count();
  Actor actor(o, std::move(env), std::move(policy), &context);
  std::thread run([&] { EXPECT_TRUE(actor.Run().ok()); });

  wire::Expectations expect;
  expect.action_space_hash = envs::ActionSpaceHash();
  expect.obs_dim = kObservationDim;
  expect.num_actions = envs::kNumActions;
  int hellos = 0, heartbeats = 0, transitions = 0, goodbyes = 0;
  bool saw_version_5 = false;
  std::set<std::string> benchmarks;
  const std::vector<float> params(static_cast<size_t>(count), 0.01f);
  for (int i = 0; i < 200 && goodbyes == 0; ++i) {
    if (i == 20) pub.send(zmq::buffer(Weights(5, params)));
    if (i == 30) pub.send(zmq::buffer(Weights(4, params)));  // older: ignored
    if (i == 60) pub.send(zmq::buffer(Weights(6, params, /*stop=*/true)));
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
        EXPECT_EQ(b.truncations(j), b.steps(j) == 4);  // the episode's last step
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
                                        envs::RewardSpace::kIrInstructionCountNorm);
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

TEST(ActorTest, RejectsBadOptions) {
  ActorOptions o;
  EXPECT_FALSE(o.Validate().ok());
  o.transitions_endpoint = o.weights_endpoint = "tcp://127.0.0.1:1";
  o.benchmarks = {"bundled/nqueens"};
  EXPECT_TRUE(o.Validate().ok());
  o.episode_length = 0;
  EXPECT_NE(o.Validate().message().find("episode_length"), absl::string_view::npos);
}

}  // namespace
}  // namespace passrl::actors
