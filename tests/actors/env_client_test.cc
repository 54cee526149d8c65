// The episode contract (actors/env_client.h), one conformance suite run against both clients: the
// in-process environment and a real `passrl env-worker` subprocess. Test hooks make a chosen
// action abort or hang the worker; a real program makes a real pass produce a crashing binary.
#include "actors/env_client.h"

#include <cstdlib>

#include "common/file_cache.h"
#include "envs/action_space.h"
#include "envs/features.h"
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

int Action(const char* name) { return *envs::ActionIndex(name); }

// Runs every case against the in-process client (false) and the worker client (true).
class EnvClientConformanceTest : public ::testing::TestWithParam<bool> {
 protected:
  bool isolated() const { return GetParam(); }
  std::unique_ptr<EnvClient> Make(int max_steps = 0,
                                  envs::RewardSpace reward = envs::RewardSpace::kIrInstructionCountNorm) {
    if (isolated()) {
      WorkerOptions o = Options();
      o.max_steps = max_steps;
      o.reward = std::string(envs::Spec(reward).name);
      return std::make_unique<WorkerEnvClient>(o);
    }
    return *InProcessEnvClient::Create(testing::TestDatasetOptions(), reward, max_steps);
  }
};
INSTANTIATE_TEST_SUITE_P(Clients, EnvClientConformanceTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "worker" : "in_process"; });

TEST_P(EnvClientConformanceTest, ResetAndStepFollowTheEpisode) {
  auto env = Make();
  auto reset = env->Reset("bundled/nqueens");
  ASSERT_TRUE(reset.ok()) << reset.status();
  EXPECT_TRUE(env->in_episode());
  EXPECT_EQ(reset->observation.size(), static_cast<size_t>(envs::kAutophaseSize));
  EXPECT_GT(reset->ir_o0, reset->ir_oz);
  int64_t count = reset->ir_instruction_count;
  double total = 0;
  for (const char* name : {"sroa", "instcombine", "simplifycfg"}) {
    auto step = env->Step(Action(name));
    ASSERT_TRUE(step.ok()) << step.status();
    EXPECT_FALSE(step->done || step->truncated);
    total += step->reward;
    count = step->ir_instruction_count;
  }
  EXPECT_EQ(env->steps(), 3);
  // Normalised rewards telescope: the sum is the fraction of the -O0 to -Oz gap closed.
  EXPECT_NEAR(total,
              static_cast<double>(reset->ir_o0 - count) /
                  static_cast<double>(reset->ir_o0 - reset->ir_oz),
              1e-9);
}

TEST_P(EnvClientConformanceTest, StepOutsideAnEpisodeIsRefused) {
  auto env = Make(/*max_steps=*/2);
  EXPECT_EQ(env->Step(Action("sroa")).status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(env->Reset("bundled/nqueens").ok());
  auto first = env->Step(Action("sroa"));
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->truncated);
  auto last = env->Step(Action("instcombine"));
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(last->truncated);  // the step limit
  EXPECT_FALSE(last->done);      // ... is not the environment's end
  EXPECT_FALSE(env->in_episode());
  auto after = env->Step(Action("gvn"));
  EXPECT_EQ(after.status().code(), absl::StatusCode::kFailedPrecondition) << after.status();
  // A new episode starts from the unoptimised program again.
  auto again = env->Reset("bundled/nqueens");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ir_instruction_count, again->ir_o0);
  EXPECT_TRUE(env->Step(Action("sroa")).ok());
}

TEST_P(EnvClientConformanceTest, BadActionIsAnErrorAndTheEpisodeGoesOn) {
  auto env = Make();
  ASSERT_TRUE(env->Reset("bundled/nqueens").ok());
  for (int bad : {-1, envs::kNumActions, 10000}) {
    EXPECT_EQ(env->Step(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(env->in_episode());
  EXPECT_EQ(env->steps(), 0);
  EXPECT_TRUE(env->Step(Action("sroa")).ok());
}

TEST_P(EnvClientConformanceTest, UnknownBenchmarkIsAnErrorWithNoEpisode) {
  auto env = Make();
  auto r = env->Reset("bundled/no_such_program");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("no_such_program"), absl::string_view::npos);
  EXPECT_FALSE(env->in_episode());
  EXPECT_EQ(env->Step(Action("sroa")).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(env->Reset("bundled/nqueens").ok());
}

// With a runtime reward, an action after which the program no longer behaves like its -O0 build
// ends the episode at that step: `done`, the penalty, and why.
TEST_P(EnvClientConformanceTest, RuntimeFailureEndsTheEpisodeAtThatStep) {
  auto env = Make(/*max_steps=*/10, envs::RewardSpace::kRuntimeNorm);
  const std::string program = testing::StackHungryProgram();
  auto reset = env->Reset(program);
  ASSERT_TRUE(reset.ok()) << reset.status();
  auto fine = env->Step(Action("sroa"));
  ASSERT_TRUE(fine.ok()) << fine.status();
  EXPECT_FALSE(fine->done) << fine->failure;
  auto broken = env->Step(Action("always-inline"));
  ASSERT_TRUE(broken.ok()) << broken.status();
  EXPECT_TRUE(broken->done);
  EXPECT_FALSE(broken->truncated);
  EXPECT_DOUBLE_EQ(broken->reward, -1.0);  // RuntimeOptions::failure_penalty
  EXPECT_NE(broken->failure.find("crash"), std::string::npos) << broken->failure;
  EXPECT_FALSE(env->in_episode());
  EXPECT_EQ(env->Step(Action("sroa")).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_P(EnvClientConformanceTest, CrashingPassCostsOneEpisode) {
  if (!isolated()) GTEST_SKIP() << "an in-process environment cannot outlive a crash (env.isolate)";
  const int crash = Action("dce");
  setenv("PASSRL_TEST_CRASH_ACTION", std::to_string(crash).c_str(), 1);
  auto env = Make();
  ASSERT_TRUE(env->Reset("bundled/nqueens").ok());  // starts the worker, with the hook
  unsetenv("PASSRL_TEST_CRASH_ACTION");
  ASSERT_TRUE(env->Step(Action("sroa")).ok());
  auto crashed = env->Step(crash);
  ASSERT_FALSE(crashed.ok());
  EXPECT_EQ(crashed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(crashed.status().message().find("crashed (signal 6"), absl::string_view::npos)
      << crashed.status();
  EXPECT_FALSE(env->in_episode());
  EXPECT_EQ(env->Step(Action("sroa")).status().code(), absl::StatusCode::kFailedPrecondition);
  // A fresh worker (without the hook) serves the next episode.
  ASSERT_TRUE(env->Reset("bundled/nqueens").ok());
  EXPECT_TRUE(env->Step(crash).ok());
  EXPECT_EQ(static_cast<WorkerEnvClient&>(*env).restarts(), 1);
}

TEST_P(EnvClientConformanceTest, HangingPassTimesOut) {
  if (!isolated()) GTEST_SKIP() << "an in-process environment cannot stop a hung pass (env.isolate)";
  const int hang = Action("gvn");
  setenv("PASSRL_TEST_HANG_ACTION", std::to_string(hang).c_str(), 1);
  auto env = Make();
  ASSERT_TRUE(env->Reset("bundled/nqueens").ok());
  unsetenv("PASSRL_TEST_HANG_ACTION");
  auto hung = env->Step(hang);
  ASSERT_FALSE(hung.ok());
  EXPECT_EQ(hung.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(hung.status().message().find("hung for 3 s"), absl::string_view::npos) << hung.status();
  EXPECT_FALSE(env->in_episode());
  ASSERT_TRUE(env->Reset("bundled/nqueens").ok());
  EXPECT_TRUE(env->Step(hang).ok());
  EXPECT_EQ(static_cast<WorkerEnvClient&>(*env).restarts(), 1);
}

// With stderr_file, a crashing worker's backtrace lands in that file, and the error names it.
TEST(WorkerEnvClientTest, CrashBacktraceGoesToTheNamedFile) {
  WorkerOptions o = Options();
  o.stderr_file = testing::TempDir() + "/workers.log";
  const int crash = *envs::ActionIndex("dce");
  setenv("PASSRL_TEST_CRASH_ACTION", std::to_string(crash).c_str(), 1);
  WorkerEnvClient env(o);
  ASSERT_TRUE(env.Reset("bundled/nqueens").ok());
  unsetenv("PASSRL_TEST_CRASH_ACTION");
  auto crashed = env.Step(crash);
  ASSERT_FALSE(crashed.ok());
  EXPECT_NE(crashed.status().message().find("its backtrace: " + o.stderr_file), absl::string_view::npos)
      << crashed.status();
  std::string log;
  ASSERT_TRUE(ReadFileToString(o.stderr_file, &log).ok());
  EXPECT_NE(log.find("llvm::sys::PrintStackTrace"), std::string::npos) << log.substr(0, 500);
}

// The worker is the in-process environment behind a pipe: the same numbers.
TEST(WorkerEnvClientTest, MatchesTheInProcessEnvironment) {
  WorkerEnvClient worker(Options());
  auto local = *InProcessEnvClient::Create(testing::TestDatasetOptions(),
                                           *envs::ParseRewardSpace(Options().reward));
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

}  // namespace
}  // namespace passrl::actors
