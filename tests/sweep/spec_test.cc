#include "sweep/spec.h"

#include <cmath>
#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "launch/config.h"

namespace passrl::sweep {
namespace {

const std::string kBase = std::string(PASSRL_SOURCE_DIR) + "/cluster_configs/local.yaml";

// The training config's own checks, as `passrl sweep` uses them.
absl::Status Check(const std::string& base, const std::vector<std::string>& overrides) {
  return launch::LoadTrainConfig(base, overrides).status();
}

absl::StatusOr<SweepSpec> Parse(const std::string& body) {
  return ParseSweepSpec("s.yaml", absl::StrCat("base_config: ", kBase, "\n", body), Check);
}

std::string ErrorOf(const std::string& body) {
  auto s = Parse(body);
  return s.ok() ? "OK" : std::string(s.status().message());
}

TEST(SweepSpecTest, ReadsEveryPart) {
  auto s = Parse(R"(
task: text
strategy: random
trials: 5
seed: 7
rungs: {min_seconds: 60, max_seconds: 540, eta: 3}
budget_seconds: 3600
score: {dataset: csmith, split: validation, sample: 8}
local: {concurrent_trials: 2, actors_per_trial: 3}
slurm: {max_running: 4, sbatch_args: [--partition=cpu]}
fixed: {learner.warmup_transitions: 300}
params:
  sac.learning_rate: {range: [0.0001, 0.001], log: true}
  env.episode_length: [12, 24]
  sac.hidden: {choices: [[64, 64], [256, 256]]}
)");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->task, Task::kText);
  EXPECT_EQ(s->trials, 5);
  EXPECT_EQ(s->seed, 7u);
  EXPECT_EQ(s->score.dataset, "csmith");
  EXPECT_EQ(s->local.actors_per_trial, 3);
  EXPECT_EQ(s->slurm.sbatch_args, std::vector<std::string>{"--partition=cpu"});
  EXPECT_EQ(s->fixed, std::vector<std::string>{"learner.warmup_transitions=300"});
  ASSERT_EQ(s->params.size(), 3u);
  EXPECT_TRUE(s->params[0].is_range());
  EXPECT_TRUE(s->params[0].log);
  EXPECT_EQ(s->params[1].choices, (std::vector<std::string>{"12", "24"}));
  EXPECT_EQ(s->params[2].choices, (std::vector<std::string>{"[64, 64]", "[256, 256]"}));
  EXPECT_EQ(s->rungs.Durations(), (std::vector<double>{60, 180, 540}));
}

TEST(SweepSpecTest, RungsEndAtMaxSeconds) {
  Rungs r{100, 500, 3};
  EXPECT_EQ(r.Durations(), (std::vector<double>{100, 300, 500}));
  EXPECT_EQ((Rungs{100, 0, 3}).Durations(), std::vector<double>{100});
  EXPECT_EQ((Rungs{100, 100, 2}).Durations(), std::vector<double>{100});
}

TEST(SweepSpecTest, ErrorsAreOneLineAndNameTheKey) {
  const std::string params = "params: {env.episode_length: [12, 24]}\n";
  struct Case {
    std::string body, expect;
  } cases[] = {
      {"trails: 3\n" + params, "s.yaml: unknown key 'trails'"},
      {"rungs: {minimum: 3}\n" + params, "unknown key 'rungs.minimum'"},
      {"rungz: {}\n" + params, "unknown key 'rungz'"},
      {"trials: many\n" + params, "bad value for 'trials': 'many'"},
      {"task: speed\n" + params, "task 'speed': ir, text or runtime"},
      {"strategy: bayes\n" + params, "strategy 'bayes': random or grid"},
      {"params: {sac.learnig_rate: [0.1]}\n", "params.sac.learnig_rate: --set: unknown key 'sac.learnig_rate'"},
      {"params: {sac.learning_rate: [0.001, -1]}\n", "params.sac.learning_rate:"},
      {"params: {env.episode_length: [12, abc]}\n", "params.env.episode_length: --set: bad value"},
      {"params: {run.duration_seconds: [1, 2]}\n", "params.run.duration_seconds: set by the sweep"},
      {"params: {sac.gamma: {range: [0.99, 0.9]}}\n", "params.sac.gamma: range: low must be <= high"},
      {"params: {sac.gamma: {range: [0, 0.9], log: true}}\n", "a log range needs low > 0"},
      {"params: {sac.gamma: {values: [0.9]}}\n", "params.sac.gamma: unknown key 'values'"},
      {"params: {sac.gamma: []}\n", "choices: an empty list"},
      {"fixed: {sac.bogus: 1}\n" + params, "fixed: --set: unknown key 'sac.bogus'"},
      {"rungs: {eta: 1}\n" + params, "rungs.eta must be >= 2"},
      {"", "params: nothing to vary"},
  };
  for (const Case& c : cases) {
    const std::string error = ErrorOf(c.body);
    EXPECT_NE(error.find(c.expect), std::string::npos) << c.body << " -> " << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  auto bad_yaml = ParseSweepSpec("s.yaml", "params: [unclosed", Check);
  EXPECT_NE(std::string(bad_yaml.status().message()).find("s.yaml:1: bad YAML"), std::string::npos)
      << bad_yaml.status();
}

TEST(SweepSpecTest, GridIsEveryCombination) {
  auto s = Parse("strategy: grid\nparams:\n  env.episode_length: [12, 24, 36]\n"
                 "  sac.gamma: [0.9, 0.99]\n");
  ASSERT_TRUE(s.ok()) << s.status();
  auto trials = DrawTrials(*s, Check);
  ASSERT_TRUE(trials.ok()) << trials.status();
  ASSERT_EQ(trials->size(), 6u);
  std::set<std::vector<std::string>> seen;
  for (const TrialConfig& t : *trials) seen.insert(t.overrides);
  EXPECT_EQ(seen.size(), 6u);
  EXPECT_EQ((*trials)[0].overrides,
            (std::vector<std::string>{"env.episode_length=12", "sac.gamma=0.9"}));
  EXPECT_EQ((*trials)[5].overrides,
            (std::vector<std::string>{"env.episode_length=36", "sac.gamma=0.99"}));
  auto ranged = Parse("strategy: grid\nparams: {sac.gamma: {range: [0.9, 0.99]}}\n");
  ASSERT_TRUE(ranged.ok());
  EXPECT_NE(std::string(DrawTrials(*ranged, Check).status().message()).find("a grid needs choices"),
            std::string::npos);
}

TEST(SweepSpecTest, RandomDrawsStayInRangeAndRepeatWithTheSeed) {
  const std::string body =
      "trials: 200\nparams:\n  sac.learning_rate: {range: [0.0001, 0.01], log: true}\n"
      "  env.episode_length: {range: [4, 40], integer: true}\n  sac.gamma: [0.9, 0.99]\n";
  auto s = Parse(body);
  ASSERT_TRUE(s.ok()) << s.status();
  auto a = DrawTrials(*s, Check), b = DrawTrials(*s, Check);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ(a->size(), 200u);
  int below_1e3 = 0;
  std::set<std::string> gammas;
  for (size_t i = 0; i < a->size(); ++i) {
    EXPECT_EQ((*a)[i].overrides, (*b)[i].overrides);
    double lr = 0;
    int length = 0;
    ASSERT_TRUE(absl::SimpleAtod((*a)[i].overrides[0].substr(18), &lr)) << (*a)[i].overrides[0];
    ASSERT_TRUE(absl::SimpleAtoi((*a)[i].overrides[1].substr(19), &length))
        << (*a)[i].overrides[1];
    EXPECT_GE(lr, 0.0001 * 0.999);
    EXPECT_LE(lr, 0.01 * 1.001);
    EXPECT_GE(length, 4);
    EXPECT_LE(length, 40);
    if (lr < 0.001) ++below_1e3;
    gammas.insert((*a)[i].overrides[2]);
  }
  // Log-uniform: half the draws below the geometric middle (1e-3), not ~9%.
  EXPECT_GT(below_1e3, 70);
  EXPECT_LT(below_1e3, 130);
  EXPECT_EQ(gammas.size(), 2u);
  s->seed = 2;
  EXPECT_NE(DrawTrials(*s, Check)->at(0).overrides, a->at(0).overrides);
}

TEST(SweepSpecTest, DrawnValuesAsPrintedStayInsideTheirRange) {
  auto s = Parse("trials: 300\nparams:\n  sac.gamma: {range: [0.99, 0.9999]}\n"
                 "  env.episode_length: {range: [2, 4], integer: true}\n");
  ASSERT_TRUE(s.ok()) << s.status();
  auto trials = DrawTrials(*s, Check);
  ASSERT_TRUE(trials.ok()) << trials.status();
  std::map<int, int> lengths;
  for (const TrialConfig& t : *trials) {
    double gamma = 0;
    int length = 0;
    ASSERT_TRUE(absl::SimpleAtod(t.overrides[0].substr(10), &gamma)) << t.overrides[0];
    ASSERT_TRUE(absl::SimpleAtoi(t.overrides[1].substr(19), &length)) << t.overrides[1];
    EXPECT_GE(gamma, 0.99) << t.overrides[0];
    EXPECT_LE(gamma, 0.9999) << t.overrides[0];
    ++lengths[length];
  }
  // Each integer as likely as the others, the ends included (rounding would halve the ends).
  ASSERT_EQ(lengths.size(), 3u);
  for (const auto& [length, n] : lengths) {
    EXPECT_GT(n, 70) << length;
    EXPECT_LT(n, 130) << length;
  }
  EXPECT_NE(ErrorOf("params: {env.episode_length: {range: [4.2, 4.8], integer: true}}\n")
                .find("an integer range must hold an integer"),
            std::string::npos);
}

TEST(SweepSpecTest, ACombinationThatCannotWorkNamesTheTrial) {
  // Each value is fine alone; a batch beyond the warmup is not (TrainConfig::CheckPairs).
  auto s = Parse("strategy: grid\nfixed: {learner.warmup_transitions: 300}\n"
                 "params: {learner.batch_size: [64, 400]}\n");
  ASSERT_TRUE(s.ok()) << s.status();
  auto trials = DrawTrials(*s, Check);
  ASSERT_FALSE(trials.ok());
  EXPECT_NE(std::string(trials.status().message()).find("trial 1 (learner.batch_size=400)"),
            std::string::npos)
      << trials.status();
}

}  // namespace
}  // namespace passrl::sweep
