// The learner stopped by SIGTERM (RequestStop) writes a final checkpoint; a learner created with
// resume_from continues from it exactly: counters, policy version, replay contents and order,
// benchmark names. Real ZeroMQ sockets carry real protobuf batches into the first learner.
#include <csignal>
#include <filesystem>
#include <thread>

#include "common/file_cache.h"
#include "gtest/gtest.h"
#include "tests/learner/learner_fixtures.h"

namespace passrl::learner {
namespace {

using fixtures::Batch;
using fixtures::kHash;

LearnerOptions Options(const std::string& run_dir, bool cuda = false) {
  LearnerOptions o = fixtures::SmallLearnerOptions(run_dir);
  o.replay.capacity = 5000;
  o.warmup_transitions = 64;
  o.sac.use_cuda_if_available = cuda;
  return o;
}

// The same run on the CPU and, where there is one, on a GPU (a CUDA checkpoint must resume).
class LearnerDeviceResumeTest : public ::testing::TestWithParam<bool> {};
INSTANTIATE_TEST_SUITE_P(Devices, LearnerDeviceResumeTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "cuda" : "cpu"; });

TEST_P(LearnerDeviceResumeTest, SigtermCheckpointResumesExactly) {
  if (GetParam() && !torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const std::string run = testing::TempDir();
  zmq::context_t context(1);
  auto first = Learner::Create(Options(run, GetParam()), &context);
  ASSERT_TRUE(first.ok()) << first.status();
  zmq::socket_t push(context, zmq::socket_type::push);
  push.connect((*first)->TransitionsEndpoint("127.0.0.1"));
  std::thread runner([&] { EXPECT_TRUE((*first)->Run().ok()); });
  for (int episode = 0; episode < 40; ++episode) {
    const std::string benchmark = episode % 3 ? "bundled/a" : "bundled/b";
    push.send(zmq::buffer(Batch(1 + episode % 2, episode, 20, benchmark).SerializeAsString()));
  }
  // Wait for every transition and some updates, then stop as SIGTERM would.
  for (int i = 0; i < 600 && ((*first)->Counters().transitions_inserted < 800 ||
                              (*first)->Counters().updates < 20);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  (*first)->RequestStop(SIGTERM);
  runner.join();
  const CheckpointCounters before = (*first)->Counters();
  ASSERT_EQ(before.transitions_inserted, 800u);
  ASSERT_GE(before.updates, 20);

  auto loaded = LoadLatestCheckpoint(run, false);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->reason, "stopped by SIGTERM");
  EXPECT_EQ(loaded->counters.updates, before.updates);
  EXPECT_EQ(loaded->counters.policy_version, before.policy_version);
  EXPECT_EQ(loaded->counters.transitions_inserted, 800u);
  EXPECT_EQ(loaded->benchmarks.size(), 3u);  // other, a, b: interned across both actors
  EXPECT_EQ(loaded->config_yaml, "test: true\n");

  LearnerOptions resumed_options = Options(run, GetParam());
  resumed_options.resume_from = run;
  auto second = Learner::Create(resumed_options, &context);
  ASSERT_TRUE(second.ok()) << second.status();
  const CheckpointCounters after = (*second)->Counters();
  EXPECT_EQ(after.updates, before.updates);
  EXPECT_EQ(after.policy_version, before.policy_version);
  EXPECT_EQ(after.transitions_inserted, before.transitions_inserted);
  EXPECT_EQ(after.resumes, 1);
  EXPECT_NEAR(after.elapsed_seconds, before.elapsed_seconds, 1.0);
  const replay::ReplayBuffer& a = (*first)->replay();
  const replay::ReplayBuffer& b = (*second)->replay();
  ASSERT_EQ(a.size(), b.size());
  std::vector<float> oa, na, ob, nb;
  for (int64_t i = 0; i < a.size(); ++i) {
    replay::Transition ta, tb;
    a.Read(i, &oa, &na, &ta);
    b.Read(i, &ob, &nb, &tb);
    ASSERT_EQ(oa, ob);
    ASSERT_EQ(na, nb);
    ASSERT_EQ(ta.reward, tb.reward);
    ASSERT_EQ(ta.episode_id, tb.episode_id);
    ASSERT_EQ(ta.actor_id, tb.actor_id);
    ASSERT_EQ(ta.benchmark_id, tb.benchmark_id);
  }
  // Benchmark ids in replay name the right benchmark.
  replay::Transition t;
  b.Read(0, &ob, &nb, &t);  // episode 0: "bundled/b"
  EXPECT_EQ(loaded->benchmarks.at(t.benchmark_id), "bundled/b");
}

TEST(LearnerResumeTest, RefusesAnotherActionSpaceAndMissingCheckpoints) {
  const std::string run = testing::TempDir();
  zmq::context_t context(1);
  {
    LearnerOptions o = Options(run);
    auto learner = Learner::Create(o, &context);
    ASSERT_TRUE(learner.ok());
    (*learner)->RequestStop(SIGTERM);
    ASSERT_TRUE((*learner)->Run().ok());
  }
  LearnerOptions other = Options(run);
  other.resume_from = run;
  other.action_space_hash = kHash + 1;
  auto refused = Learner::Create(other, &context);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("action space"), std::string::npos) << refused.status();
  other = Options(run);
  other.resume_from = run;
  other.sac.shape.hidden = {32};
  EXPECT_NE(Learner::Create(other, &context).status().message().find("sac.hidden"),
            std::string::npos);
  // A fresh run into a directory that holds checkpoints would mix two runs: refused, and the
  // refusal writes nothing there (the run's config.yaml and TensorBoard files stay as they were).
  std::string config;
  ASSERT_TRUE(ReadFileToString(run + "/config.yaml", &config).ok());
  EXPECT_EQ(config, "test: true\n");
  const auto tb_files = [&run] {  // bytes: a new writer appends a header even to the same file
    uintmax_t bytes = 0;
    for (const auto& f : std::filesystem::directory_iterator(run + "/tb")) bytes += f.file_size();
    return bytes;
  };
  const auto tb_before = tb_files();
  LearnerOptions again = Options(run);
  again.config_yaml = "another: run\n";
  auto fresh = Learner::Create(again, &context);
  ASSERT_FALSE(fresh.ok());
  EXPECT_NE(fresh.status().message().find("--resume"), std::string::npos) << fresh.status();
  ASSERT_TRUE(ReadFileToString(run + "/config.yaml", &config).ok());
  EXPECT_EQ(config, "test: true\n");
  EXPECT_EQ(tb_files(), tb_before);
  LearnerOptions nothing = Options(testing::TempDir());
  nothing.resume_from = testing::TempDir();
  auto missing = Learner::Create(nothing, &context);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("cannot resume"), std::string::npos)
      << missing.status();
}

}  // namespace
}  // namespace passrl::learner
