// What the learner keeps besides weights: the sequence pool from actors' statuses (in
// RUN/sequences.json and every checkpoint, restored on resume) and the learning curve from an
// injected validator (metrics.jsonl), over real sockets.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <thread>

#include "common/file_cache.h"
#include "envs/action_space.h"
#include "learner/checkpoint.h"
#include "learner/sequence_pool.h"
#include "nlohmann/json.hpp"
#include "tests/learner/learner_fixtures.h"

namespace passrl::learner {
namespace {

// Scores 0.5, 0.6, 0.7, ...; remembers whether each policy file existed when it was asked.
class FakeValidator : public Validator {
 public:
  explicit FakeValidator(std::atomic<int>* calls) : calls_(calls) {}
  absl::StatusOr<double> Score(const std::string& policy_file) override {
    std::string bytes;
    if (!ReadFileToString(policy_file, &bytes).ok() || bytes.empty()) {
      return absl::NotFoundError("no policy file");
    }
    return 0.5 + 0.1 * (*calls_)++;
  }

 private:
  std::atomic<int>* calls_;
};

std::string StatusWithBest(const std::string& benchmark, double ratio, std::vector<int> actions) {
  proto::ActorMessage m = wire::NewActorMessage(1, fixtures::kHash);
  proto::ActorStatus* s = m.mutable_status();
  s->set_kind(proto::ActorStatus::HEARTBEAT);
  proto::BestSequence* b = s->add_new_bests();
  b->set_benchmark(benchmark);
  b->set_ratio_vs_oz(ratio);
  for (int a : actions) b->add_actions(a);
  return m.SerializeAsString();
}

TEST(LearnerPoolTest, BestSequencesAndTheLearningCurveAreKept) {
  const std::string run = testing::TempDir();
  LearnerOptions o = fixtures::SmallLearnerOptions(run);
  o.duration_seconds = 3;
  o.validation_seconds = 1;
  zmq::context_t context(1);
  std::atomic<int> calls{0};
  auto learner = Learner::Create(o, &context, std::make_unique<FakeValidator>(&calls));
  ASSERT_TRUE(learner.ok()) << learner.status();
  std::thread running([&] { EXPECT_TRUE((*learner)->Run().ok()); });
  zmq::socket_t push(context, zmq::socket_type::push);
  push.set(zmq::sockopt::linger, 0);
  push.connect((*learner)->TransitionsEndpoint("127.0.0.1"));
  push.send(zmq::buffer(StatusWithBest("bundled/x", 1.05, {1, 2, 0})));
  push.send(zmq::buffer(StatusWithBest("bundled/x", 1.07, {2})));  // better: replaces
  push.send(zmq::buffer(StatusWithBest("bundled/x", 1.01, {0})));  // worse: ignored
  push.send(zmq::buffer(StatusWithBest("bundled/y", 0.98, {1})));
  running.join();

  std::string text;
  ASSERT_TRUE(ReadFileToString(run + "/sequences.json", &text).ok());
  SequencePool pool;
  ASSERT_TRUE(pool.MergeJson(text).ok());
  auto best = pool.Snapshot();
  ASSERT_EQ(best.size(), 2u);
  EXPECT_DOUBLE_EQ(best.at("bundled/x").ratio_vs_oz, 1.07);
  EXPECT_EQ(best.at("bundled/x").actions, std::vector<int>{2});
  auto ckpt = LoadLatestCheckpoint(run, false, /*verify_replay=*/false);
  ASSERT_TRUE(ckpt.ok()) << ckpt.status();
  EXPECT_EQ(ckpt->sequences_json, text);

  // A point at the start and about one a second after; the last one in flight is waited for.
  EXPECT_GE(calls.load(), 3);
  std::ifstream metrics(run + "/metrics.jsonl");
  std::string line;
  int points = 0;
  while (std::getline(metrics, line)) {
    if (line.find("validation_geomean") != std::string::npos) {
      EXPECT_NE(line.find("elapsed_seconds"), std::string::npos) << line;
      ++points;
    }
  }
  EXPECT_EQ(points, calls.load());

  // A resumed learner starts from the pool it had.
  LearnerOptions again = fixtures::SmallLearnerOptions(run);
  again.resume_from = run;
  again.duration_seconds = 0.5;
  auto resumed = Learner::Create(again, &context);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  ASSERT_TRUE((*resumed)->Run().ok());
  ASSERT_TRUE(ReadFileToString(run + "/sequences.json", &text).ok());
  EXPECT_NE(text.find("bundled/y"), std::string::npos) << text;
}

// Scores each call from a script (the last score repeats); `scored` (the test's, outliving the
// learner that owns the validator) gets the bytes of each policy file it scored.
class ScriptedValidator : public Validator {
 public:
  ScriptedValidator(std::vector<double> scores, std::shared_ptr<std::vector<std::string>> scored = nullptr)
      : scores_(std::move(scores)), scored_(scored ? scored : std::make_shared<std::vector<std::string>>()) {}
  absl::StatusOr<double> Score(const std::string& policy_file) override {
    std::string bytes;
    if (!ReadFileToString(policy_file, &bytes).ok()) return absl::NotFoundError("no policy file");
    scored_->push_back(bytes);
    return scores_[std::min(scored_->size(), scores_.size()) - 1];
  }

 private:
  std::vector<double> scores_;
  std::shared_ptr<std::vector<std::string>> scored_;
};

double BestOnRecord(const std::string& run) {
  std::string text;
  if (!ReadFileToString(run + "/policy-best.json", &text).ok()) return -1;
  return nlohmann::json::parse(text)["validation_geomean"].get<double>();
}

// Runs a learner (resuming `run` when asked) with `validator` for `seconds` more of training.
void RunWith(const std::string& run, std::unique_ptr<Validator> validator, double seconds, bool resume) {
  LearnerOptions o = fixtures::SmallLearnerOptions(run);
  o.duration_seconds = seconds;
  if (resume) {
    auto ckpt = LoadLatestCheckpoint(run, false, /*verify_replay=*/false);
    ASSERT_TRUE(ckpt.ok()) << ckpt.status();
    o.duration_seconds += ckpt->counters.elapsed_seconds;  // the time trained so far
  }
  o.validation_seconds = 1;
  if (resume) o.resume_from = run;
  zmq::context_t context(1);
  auto learner = Learner::Create(o, &context, std::move(validator));
  ASSERT_TRUE(learner.ok()) << learner.status();
  ASSERT_TRUE((*learner)->Run().ok());
}

TEST(LearnerPoolTest, TheBestValidatedPolicyIsKeptAcrossResumes) {
  const std::string run = testing::TempDir();
  auto scored = std::make_shared<std::vector<std::string>>();
  RunWith(run, std::make_unique<ScriptedValidator>(std::vector<double>{0.9, 1.3, 0.5}, scored), 3,
          /*resume=*/false);
  ASSERT_GE(scored->size(), 3u);  // a point at the start, then about one a second
  EXPECT_NEAR(BestOnRecord(run), 1.3, 1e-9);
  std::string best;
  ASSERT_TRUE(ReadFileToString(run + "/policy-best.pb", &best).ok());
  EXPECT_TRUE(best == (*scored)[1]);  // the policy that scored 1.3, not a later one

  // A resumed run whose policies score worse keeps the record; a better one replaces it.
  RunWith(run, std::make_unique<ScriptedValidator>(std::vector<double>{1.0}), 1.5, /*resume=*/true);
  EXPECT_NEAR(BestOnRecord(run), 1.3, 1e-9);
  RunWith(run, std::make_unique<ScriptedValidator>(std::vector<double>{1.4}), 1.5, /*resume=*/true);
  EXPECT_NEAR(BestOnRecord(run), 1.4, 1e-9);
}

}  // namespace
}  // namespace passrl::learner
