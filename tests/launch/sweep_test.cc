// `passrl sweep` end to end, as a user runs it: real training runs under mpirun, scored by real
// `passrl eval` children on csmith validation programs.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "gtest/gtest.h"
#include "launch/config.h"
#include "nlohmann/json.hpp"
#include "tests/launch/command_fixtures.h"

namespace passrl {
namespace {

using testing::RunPassrl;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Temp(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/sweep_test_" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Processes whose command line mentions `needle`.
int ProcessesMentioning(const std::string& needle) {
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string cmdline = Slurp(entry.path().string() + "/cmdline");
    for (char& c : cmdline) {
      if (c == '\0') c = ' ';
    }
    if (cmdline.find(needle) != std::string::npos) ++n;
  }
  return n;
}

const std::string kBase = std::string(PASSRL_SOURCE_DIR) + "/cluster_configs/local.yaml";

TEST(SweepCommandTest, SpecErrorsAreOneLine) {
  const std::string dir = Temp("errors");
  struct Case {
    std::string spec, expect;
  } cases[] = {
      {"base_config: " + kBase + "\nparams: {sac.learning_rate: [0.001]}\nrungz: {}\n",
       "unknown key 'rungz'"},
      {"base_config: " + kBase + "\nparams: {sac.learning_rate: [fast]}\n",
       "params.sac.learning_rate: --set: bad value for 'sac.learning_rate': 'fast'"},
      {"base_config: " + kBase + "\nscore: {dataset: bundled}\nparams: {sac.gamma: [0.9]}\n",
       "score: bundled has no validation programs"},
  };
  for (const Case& c : cases) {
    Write(dir + "/spec.yaml", c.spec);
    SubprocessResult r =
        RunPassrl({"sweep", "--spec", dir + "/spec.yaml", "--out", dir + "/out"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << r.err;
    EXPECT_EQ(Count(r.err, "\n"), 1) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir + "/out/spec.yaml"));
  }
}

// A grid of two learning rates, one of them useless (1e-12: the policy stays at its random
// initialisation). The sweep is killed while the second trial trains, then resumed.
TEST(SweepCommandTest, RanksAUselessSettingLastAndResumesWithoutRerunning) {
  const std::string dir = Temp("tiny");
  const std::string out = dir + "/sweep";
  Write(dir + "/spec.yaml", "base_config: " + kBase + R"(
task: ir
strategy: grid
rungs: {min_seconds: 20, max_seconds: 40, eta: 2}
score: {dataset: csmith, split: validation, sample: 4}
local: {concurrent_trials: 1, actors_per_trial: 1}
fixed:
  learner.warmup_transitions: 200
  checkpoint.every_seconds: 8
params:
  sac.learning_rate: [1.0e-12, 0.0003]
)");
  const std::string first_log = dir + "/first.log";
  const pid_t sweep = fork();
  if (sweep == 0) {
    const int fd = open(first_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    execl(PASSRL_BINARY, PASSRL_BINARY, "sweep", "--spec", (dir + "/spec.yaml").c_str(), "--out",
          out.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until trial 0 has its result and trial 1 has trained a while, then kill the driver.
  const std::string t0_result = out + "/trials/t000/rung-0.json";
  const std::string t1_run = out + "/trials/t001/run/metrics.jsonl";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (!(std::filesystem::exists(t0_result) && std::filesystem::exists(t1_run)) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(std::filesystem::exists(t1_run)) << Slurp(first_log);
  std::this_thread::sleep_for(std::chrono::seconds(5));
  kill(sweep, SIGKILL);
  waitpid(sweep, nullptr, 0);
  ASSERT_FALSE(std::filesystem::exists(out + "/trials/t001/rung-0.json")) << "killed too late";
  const std::string t0_before = Slurp(t0_result);
  // The killed driver's trial stops with it (SIGTERM on its parent's death).
  for (int i = 0; i < 300 && ProcessesMentioning(out + "/trials") > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(ProcessesMentioning(out + "/trials"), 0) << "a trial outlived its sweep";

  SubprocessResult resumed = RunPassrl({"sweep", "--resume", out});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_NE(resumed.out.find("resuming: 1 jobs finished (not re-run)"), std::string::npos)
      << resumed.out;
  EXPECT_EQ(Slurp(t0_result), t0_before);
  EXPECT_EQ(Count(Slurp(out + "/trials/t000/job.log"), "=== sweep: trial 0 rung 0"), 1);

  // The useless setting: last, and not promoted; the other went on to rung 1.
  EXPECT_FALSE(std::filesystem::exists(out + "/trials/t000/rung-1.json"));
  EXPECT_TRUE(std::filesystem::exists(out + "/trials/t001/rung-1.json")) << resumed.out;
  const nlohmann::json results = nlohmann::json::parse(Slurp(out + "/results.json"));
  ASSERT_EQ(results["ranked"].size(), 2u) << results.dump();
  EXPECT_EQ(results["ranked"][0]["trial"], 1);
  EXPECT_EQ(results["ranked"][1]["trial"], 0);
  // At rung 0, where both trained equally long, the useless one scored lower.
  const nlohmann::json t0 = nlohmann::json::parse(Slurp(t0_result));
  const nlohmann::json t1 = nlohmann::json::parse(Slurp(out + "/trials/t001/rung-0.json"));
  EXPECT_LT(t0["score"].get<double>(), t1["score"].get<double>());
  EXPECT_NE(resumed.out.find("sac.learning_rate=1.0e-12"), std::string::npos) << resumed.out;
  EXPECT_NE(Slurp(out + "/results.csv").find("rank,trial,rung"), std::string::npos);
  EXPECT_NE(Slurp(out + "/score_vs_time.svg").find("<svg"), std::string::npos);
  auto best = launch::LoadTrainConfig(out + "/best.yaml");
  ASSERT_TRUE(best.ok()) << best.status();
  EXPECT_DOUBLE_EQ(best->learner.sac.learning_rate, 0.0003);
  EXPECT_DOUBLE_EQ(best->learner.duration_seconds, 40);

  // A second driver on a finished sweep runs nothing and reports the same ranking.
  SubprocessResult again = RunPassrl({"sweep", "--resume", out});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Count(again.out, "started, train to"), 0) << again.out;
  EXPECT_EQ(Count(again.out, "promoted, train to"), 0) << again.out;
}

}  // namespace
}  // namespace passrl
