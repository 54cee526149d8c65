// The env worker isolation with a real `passrl env-worker` subprocess: a pass that crashes or
// hangs (test hooks make a chosen action abort or hang) costs the episode, not the client.
#include "actors/env_client.h"

#include <cstdlib>

#include "envs/action_space.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace passrl::actors {
namespace {

WorkerOptions Options() {
  WorkerOptions o;
  o.executable = PASSRL_BINARY;
  o.dataset = testing::TestDatasetOptions();
  o.step_timeout_seconds = 3;
  return o;
}

TEST(WorkerEnvClientTest, MatchesTheInProcessEnvironment) {
  WorkerEnvClient worker(Options());
  auto local = *InProcessEnvClient::Create(testing::TestDatasetOptions(),
                                           envs::RewardSpace::kIrInstructionCountNorm);
  auto a = worker.Reset("bundled/nqueens");
  auto b = local->Reset("bundled/nqueens");
  ASSERT_TRUE(a.ok() && b.ok()) << a.status() << b.status();
  EXPECT_EQ(a->observation, b->observation);
  EXPECT_EQ(a->ir_oz, b->ir_oz);
  const std::vector<int> actions = *envs::ParseActionList("sroa,inline,gvn");
  for (int action : actions) {
    auto x = worker.Step(action);
    auto y = local->Step(action);
    ASSERT_TRUE(x.ok() && y.ok());
    EXPECT_EQ(x->observation, y->observation);
    EXPECT_DOUBLE_EQ(x->reward, y->reward);
    EXPECT_EQ(x->ir_instruction_count, y->ir_instruction_count);
  }
  EXPECT_EQ(worker.restarts(), 0);
}

TEST(WorkerEnvClientTest, BadInputIsAnErrorNotACrash) {
  WorkerEnvClient worker(Options());
  auto r = worker.Reset("bundled/no_such_program");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("no_such_program"), absl::string_view::npos);
  EXPECT_TRUE(worker.Reset("bundled/nqueens").ok());
  EXPECT_FALSE(worker.Step(10000).ok());
  EXPECT_EQ(worker.restarts(), 0);
}

TEST(WorkerEnvClientTest, CrashingPassCostsOneEpisode) {
  const int crash = *envs::ActionIndex("dce");
  setenv("PASSRL_TEST_CRASH_ACTION", std::to_string(crash).c_str(), 1);
  WorkerEnvClient worker(Options());
  ASSERT_TRUE(worker.Reset("bundled/nqueens").ok());  // starts the worker, with the hook
  unsetenv("PASSRL_TEST_CRASH_ACTION");
  ASSERT_TRUE(worker.Step(*envs::ActionIndex("sroa")).ok());
  auto crashed = worker.Step(crash);
  ASSERT_FALSE(crashed.ok());
  EXPECT_EQ(crashed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(crashed.status().message().find("crashed (signal 6"), absl::string_view::npos)
      << crashed.status();
  // A fresh worker (without the hook) serves the next episode.
  ASSERT_TRUE(worker.Reset("bundled/nqueens").ok());
  EXPECT_TRUE(worker.Step(crash).ok());
  EXPECT_EQ(worker.restarts(), 1);
}

TEST(WorkerEnvClientTest, HangingPassTimesOut) {
  const int hang = *envs::ActionIndex("gvn");
  setenv("PASSRL_TEST_HANG_ACTION", std::to_string(hang).c_str(), 1);
  WorkerEnvClient worker(Options());
  ASSERT_TRUE(worker.Reset("bundled/nqueens").ok());
  unsetenv("PASSRL_TEST_HANG_ACTION");
  auto hung = worker.Step(hang);
  ASSERT_FALSE(hung.ok());
  EXPECT_EQ(hung.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(hung.status().message().find("hung for 3 s"), absl::string_view::npos) << hung.status();
  ASSERT_TRUE(worker.Reset("bundled/nqueens").ok());
  EXPECT_EQ(worker.restarts(), 1);
}

}  // namespace
}  // namespace passrl::actors
