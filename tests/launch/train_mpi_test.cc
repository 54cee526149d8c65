// The whole system for about a minute: `mpirun -np 3 passrl train` (1 learner, 2 actors, real env
// workers, real ZeroMQ, real LibTorch) on the bundled dataset. Asserts that transitions from both
// actors arrived, both adopted at least two weight versions, the losses are finite, and the
// metrics (JSONL and TensorBoard) were written.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "common/crc32c.h"
#include "common/subprocess.h"
#include "corpus/onnx_import.h"
#include "gtest/gtest.h"
#include "learner/metrics.h"
#include "nlohmann/json.hpp"
#include "tests/corpus/onnx_models.h"
#include "tests/test_util.h"
#include "zmq.hpp"

namespace passrl {
namespace {

// `mpirun -np 3 passrl train --config CONFIG --set KEY=VALUE ...` with the test datasets; fails the
// test (printing the output's tail) unless it exits cleanly.
SubprocessResult TrainUnderMpirun(const std::string& config, const std::vector<std::string>& sets,
                                  const std::string& cache, double timeout_seconds) {
  std::vector<std::string> cmd = {"mpirun", "--oversubscribe", "--bind-to", "none"};
  if (getuid() == 0) cmd.push_back("--allow-run-as-root");
  for (const std::string& a : {std::string("-np"), std::string("3"), std::string(PASSRL_BINARY),
                               std::string("train"), std::string("--config"), config}) {
    cmd.push_back(a);
  }
  for (const std::string& set : sets) {
    cmd.push_back("--set");
    cmd.push_back(set);
  }
  for (const std::string& a : {std::string("--datasets-dir"), testing::SourceDir() + "/datasets",
                               std::string("--cache-dir"), cache}) {
    cmd.push_back(a);
  }
  SubprocessOptions options;
  options.timeout_seconds = timeout_seconds;
  auto r = RunSubprocess(cmd, options);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return SubprocessResult{};
  EXPECT_TRUE(r->ok()) << r->Describe() << "\n"
                       << r->out.substr(r->out.size() > 4000 ? r->out.size() - 4000 : 0) << r->err;
  return *r;
}

// The MLIR graph task under mpirun: a graph imported from an ONNX model built in C++, trained on
// by 2 actors whose env workers run MLIR, with the MLIR action table and observation.
TEST(TrainMpiTest, MlirGraphsTrainUnderMpirun) {
  const std::string cache = testing::TestDatasetOptions().build.cache_dir;
  std::filesystem::create_directories(cache + "/mlir/graphs");
  std::ofstream(cache + "/mlir/graphs/mini_mpi.mlir")
      << corpus::ImportOnnx(corpus::testing::MiniResNet(), "mini_mpi")->mlir;
  std::ofstream(cache + "/mlir/graphs/mini_val.mlir")
      << corpus::ImportOnnx(corpus::testing::MiniResNet(), "mini_val")->mlir;
  // resnet: a train family; efficientnet: the validation family (the learning curve's graph).
  std::ofstream(cache + "/mlir/index.tsv") << "mini_mpi\tresnet\nmini_val\tefficientnet\n";
  const std::string run = testing::TempDir() + "/mlir_run";
  const SubprocessResult r = TrainUnderMpirun(
      testing::SourceDir() + "/cluster_configs/mlir_local.yaml",
      {"run.duration_seconds=30", "run.dir=" + run, "replay.capacity=20000",
       "learner.warmup_transitions=256", "sac.hidden=[32]"},
      cache, 300);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r.out.find("mlir: 17 actions, observation 94 floats"), std::string::npos) << r.out.substr(0, 3000);
  EXPECT_NE(r.out.find("x ref"), std::string::npos) << "the progress line names the reference";
  std::ifstream in(run + "/summary.json");
  ASSERT_TRUE(in) << "no summary.json";
  nlohmann::json s = nlohmann::json::parse(in);
  for (const char* id : {"1", "2"}) {
    ASSERT_TRUE(s["actors"].contains(id)) << s.dump(2);
    EXPECT_GT(s["actors"][id]["transitions_received"].get<int64_t>(), 0) << "actor " << id;
  }
  EXPECT_GT(s["updates"].get<int64_t>(), 0);
  EXPECT_EQ(s["messages_rejected"].get<int64_t>(), 0);
  // The learning curve on the validation graph (a child `passrl eval`), and its best policy.
  std::ifstream metrics(run + "/metrics.jsonl");
  std::string line;
  bool curve = false;
  while (std::getline(metrics, line)) curve |= line.find("validation_geomean") != std::string::npos;
  EXPECT_TRUE(curve) << r.out.substr(0, 3000);
  EXPECT_TRUE(std::filesystem::exists(run + "/policy-best.pb"));
}

TEST(TrainMpiTest, ThreeRanksTrainForAMinute) {
  const std::string run = testing::TempDir() + "/run";
  const SubprocessResult r = TrainUnderMpirun(
      testing::SourceDir() + "/cluster_configs/local.yaml",
      {"run.duration_seconds=45", "run.dir=" + run, "replay.capacity=20000",
       "learner.warmup_transitions=256", "learner.publish_every=10", "sac.hidden=[64,64]"},
      testing::TestDatasetOptions().build.cache_dir, 400);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r.out.find("transitions/s"), std::string::npos) << "no progress line";

  std::ifstream in(run + "/summary.json");
  ASSERT_TRUE(in) << "no summary.json";
  nlohmann::json s = nlohmann::json::parse(in);
  ASSERT_TRUE(s["actors"].contains("1") && s["actors"].contains("2")) << s.dump(2);
  for (const char* id : {"1", "2"}) {
    const auto& a = s["actors"][id];
    EXPECT_GT(a["transitions_received"].get<int64_t>(), 0) << "actor " << id;
    EXPECT_GE(a["versions_adopted"].get<int64_t>(), 2) << "actor " << id;
  }
  EXPECT_GT(s["updates"].get<int64_t>(), 0);
  ASSERT_FALSE(s["last_critic_loss"].is_null()) << "critic loss not finite";
  ASSERT_FALSE(s["last_policy_loss"].is_null()) << "policy loss not finite";
  EXPECT_EQ(s["messages_rejected"].get<int64_t>(), 0);

  int lines = 0;
  std::ifstream metrics(run + "/metrics.jsonl");
  for (std::string line; std::getline(metrics, line);) {
    nlohmann::json m = nlohmann::json::parse(line);
    EXPECT_TRUE(m.contains("transitions_per_second"));
    ++lines;
  }
  EXPECT_GE(lines, 30);
  // The TensorBoard file is a valid TFRecord stream: check the first record's CRCs.
  std::string events;
  for (const auto& e : std::filesystem::directory_iterator(run + "/tb")) events = e.path();
  std::ifstream tb(events, std::ios::binary);
  uint64_t length = 0;
  uint32_t length_crc = 0;
  tb.read(reinterpret_cast<char*>(&length), 8);
  tb.read(reinterpret_cast<char*>(&length_crc), 4);
  EXPECT_EQ(length_crc, MaskedCrc32c(&length, 8));
  std::string data(length, '\0');
  tb.read(data.data(), static_cast<std::streamsize>(length));
  uint32_t data_crc = 0;
  tb.read(reinterpret_cast<char*>(&data_crc), 4);
  EXPECT_EQ(data_crc, MaskedCrc32c(data.data(), data.size()));
  EXPECT_NE(data.find("brain.Event:2"), std::string::npos);

  // The trained policy evaluates, and its table agrees with replaying its sequences directly.
  const std::string csv = run + "/eval.csv";
  auto eval = RunSubprocess({PASSRL_BINARY, "eval", "--run", run, "--csv", csv, "--no-baselines",
                             "--cache-dir",
                             testing::TestDatasetOptions().build.cache_dir, "--datasets-dir",
                             testing::SourceDir() + "/datasets"},
                            SubprocessOptions{/*timeout_seconds=*/400});
  ASSERT_TRUE(eval.ok() && eval->ok()) << (eval.ok() ? eval->err : "");
  EXPECT_NE(eval->out.find("geomean greedy        over 32:"), std::string::npos) << eval->out;
  std::ifstream rows(csv);
  std::string header, row;
  std::getline(rows, header);
  int checked = 0;
  while (std::getline(rows, row) && checked < 3) {
    // benchmark,method,ir_o0,ir_oz,ir_policy,...,"actions","error","reproduce"
    const std::string name = row.substr(0, row.find(','));
    const size_t quote = row.find('"');
    const std::string actions = row.substr(quote + 1, row.find('"', quote + 1) - quote - 1);
    size_t field = 0;
    for (int k = 0; k < 4; ++k) field = row.find(',', field) + 1;
    const long long policy_count = std::atoll(row.c_str() + field);
    auto replay = RunSubprocess({PASSRL_BINARY, "env", "-b", name, "-a", actions, "--observation",
                                 "ActionHistogram", "--cache-dir",
                                 testing::TestDatasetOptions().build.cache_dir, "--datasets-dir",
                                 testing::SourceDir() + "/datasets"});
    ASSERT_TRUE(replay.ok() && replay->ok()) << (replay.ok() ? replay->err : "");
    EXPECT_NE(replay->out.find("final: IR instructions " + std::to_string(policy_count)),
              std::string::npos)
        << name << " [" << actions << "]";
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

// The pid of the process whose environment has OMPI_COMM_WORLD_RANK=`rank` and whose command line
// mentions `marker` (this test's run dir), or -1.
pid_t RankProcess(int rank, const std::string& marker) {
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream cmdline(e.path() / "cmdline"), environ(e.path() / "environ");
    std::string cmd((std::istreambuf_iterator<char>(cmdline)), {});
    std::string env((std::istreambuf_iterator<char>(environ)), {});
    if (cmd.find(marker) == std::string::npos || cmd.find("mpirun") == 0) continue;
    if (env.find("OMPI_COMM_WORLD_RANK=" + std::to_string(rank) + '\0') != std::string::npos) {
      return static_cast<pid_t>(std::stoi(name));
    }
  }
  return -1;
}

std::vector<std::string> Mpirun(int ranks, const std::vector<std::string>& args) {
  std::vector<std::string> cmd = {"mpirun", "--oversubscribe", "--bind-to", "none",
                                  "--enable-recovery"};
  if (getuid() == 0) cmd.push_back("--allow-run-as-root");
  cmd.insert(cmd.end(), {"-np", std::to_string(ranks), PASSRL_BINARY, "train"});
  cmd.insert(cmd.end(), args.begin(), args.end());
  cmd.insert(cmd.end(), {"--datasets-dir", testing::SourceDir() + "/datasets", "--cache-dir",
                         testing::TestDatasetOptions().build.cache_dir});
  return cmd;
}

// MPMD with the learner last (`mpirun -np 2 ... --role actor : -np 1 ... --role learner`): the
// actors find it at rank 2, the first actor relays the weights to the other over ipc://, and both
// act with new versions. Two learners are refused with one clear line.
TEST(TrainMpiTest, MpmdRolesPutTheLearnerOnAnyRankAndActorsShareARelay) {
  const std::string run = testing::TempDir() + "/mpmd-run";
  auto part = [&](const char* role, int ranks) {
    std::vector<std::string> p = {"-np", std::to_string(ranks), PASSRL_BINARY, "train",
                                  "--role", role, "--config",
                                  testing::SourceDir() + "/cluster_configs/local.yaml"};
    for (const std::string& set :
         {std::string("run.duration_seconds=25"), "run.dir=" + run,
          std::string("replay.capacity=20000"), std::string("learner.warmup_transitions=256"),
          std::string("learner.publish_every=10"), std::string("sac.hidden=[32]"),
          std::string("checkpoint.every_seconds=0")}) {
      p.insert(p.end(), {"--set", set});
    }
    p.insert(p.end(), {"--datasets-dir", testing::SourceDir() + "/datasets", "--cache-dir",
                       testing::TestDatasetOptions().build.cache_dir});
    return p;
  };
  std::vector<std::string> cmd = {"mpirun", "--oversubscribe", "--bind-to", "none"};
  if (getuid() == 0) cmd.push_back("--allow-run-as-root");
  std::vector<std::string> actors = part("actor", 2), learner = part("learner", 1);
  std::vector<std::string> mpmd = cmd;
  mpmd.insert(mpmd.end(), actors.begin(), actors.end());
  mpmd.push_back(":");
  mpmd.insert(mpmd.end(), learner.begin(), learner.end());
  SubprocessOptions options;
  options.timeout_seconds = 300;
  auto r = RunSubprocess(mpmd, options);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->ok()) << r->Describe() << "\n" << r->out << r->err;
  std::ifstream in(run + "/summary.json");
  ASSERT_TRUE(in) << "no summary.json";
  nlohmann::json s = nlohmann::json::parse(in);
  for (const char* id : {"1", "2"}) {
    ASSERT_TRUE(s["actors"].contains(id)) << s.dump(2);
    EXPECT_GT(s["actors"][id]["transitions_received"].get<int64_t>(), 0) << "actor " << id;
    EXPECT_GE(s["actors"][id]["versions_adopted"].get<int64_t>(), 2) << "actor " << id;
  }
  EXPECT_EQ(s["weights_subscriptions"].get<int64_t>(), 1) << "one relay for the node's actors";

  std::vector<std::string> two = cmd;
  std::vector<std::string> learners = part("learner", 2);
  two.insert(two.end(), learners.begin(), learners.end());
  auto refused = RunSubprocess(two, options);
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->ok());
  EXPECT_NE((refused->out + refused->err).find("exactly one learner rank"), std::string::npos)
      << refused->out << refused->err;
}

// kill -9 of one actor rank: with `mpirun --enable-recovery` (launch/train_local.sh) the learner
// reports it silent and training goes on with the others to a clean end and a final checkpoint.
// Then `--resume` continues that run from the checkpoint: counters, version and replay.
TEST(TrainMpiTest, LostActorDoesNotEndTheRunAndTheRunResumes) {
  const std::string run = testing::TempDir() + "/lost-actor-run";
  const std::vector<std::string> settings = {"--set", "replay.capacity=20000",
                                             "--set", "learner.warmup_transitions=256",
                                             "--set", "sac.hidden=[32]",
                                             "--set", "learner.heartbeat_timeout_seconds=6",
                                             "--set", "checkpoint.every_seconds=0",
                                             "--set", "actor.learner_lost_seconds=60"};
  std::vector<std::string> first = {
      "--config", testing::SourceDir() + "/cluster_configs/local.yaml",
      "--set",    "run.duration_seconds=30",
      "--set",    "run.dir=" + run};
  first.insert(first.end(), settings.begin(), settings.end());
  std::thread killer([&run] {
    std::this_thread::sleep_for(std::chrono::seconds(14));
    const pid_t victim = RankProcess(3, run);
    EXPECT_GT(victim, 0) << "actor rank 3 not found";
    if (victim > 0) kill(victim, SIGKILL);
  });
  SubprocessOptions options;
  options.timeout_seconds = 300;
  auto r = RunSubprocess(Mpirun(4, first), options);
  killer.join();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0) << r->Describe() << r->err;
  EXPECT_NE(r->out.find("actor 3 silent"), std::string::npos) << r->out.substr(0, 3000);
  std::ifstream in(run + "/summary.json");
  ASSERT_TRUE(in) << "no summary.json: the run did not end cleanly";
  const nlohmann::json s = nlohmann::json::parse(in);
  EXPECT_FALSE(s["actors"]["3"]["said_goodbye"].get<bool>());
  for (const char* id : {"1", "2"}) EXPECT_TRUE(s["actors"][id]["said_goodbye"].get<bool>()) << id;
  const int64_t updates = s["updates"].get<int64_t>();
  const int64_t inserted = s["transitions_inserted"].get<int64_t>();
  ASSERT_GT(updates, 0);

  std::vector<std::string> second = {"--resume", run, "--set", "run.duration_seconds=42"};
  second.insert(second.end(), settings.begin(), settings.end());
  auto resumed = RunSubprocess(Mpirun(3, second), options);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(resumed->exit_code, 0) << resumed->Describe() << resumed->err;
  const std::string line = "(checkpoint 1, final): " + std::to_string(updates) + " updates";
  EXPECT_NE(resumed->out.find(line), std::string::npos) << resumed->out.substr(0, 3000);
  const nlohmann::json after = nlohmann::json::parse(std::ifstream(run + "/summary.json"));
  EXPECT_GT(after["updates"].get<int64_t>(), updates);
  EXPECT_GT(after["transitions_inserted"].get<int64_t>(), inserted);
}

// A free TCP port on loopback (bound and released; good enough for a test).
int FreePort() {
  zmq::context_t context(1);
  zmq::socket_t s(context, zmq::socket_type::pull);
  s.bind("tcp://127.0.0.1:*");
  const std::string endpoint = s.get(zmq::sockopt::last_endpoint);
  return std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
}

// The learner dies (kill -9) in a running job; `passrl learner --resume` restarts it alone on the
// same ports, and the job's actors, still running under `mpirun --enable-recovery`, rejoin it
// without the job being restarted; when the restarted learner finishes, it stops them.
TEST(TrainMpiTest, LearnerRestartedAloneAndTheJobsActorsRejoin) {
  const std::string run = testing::TempDir() + "/restarted-learner-run";
  const std::vector<std::string> settings = {
      "--set", "replay.capacity=20000",
      "--set", "learner.warmup_transitions=256",
      "--set", "sac.hidden=[32]",
      "--set", "checkpoint.every_seconds=4",
      "--set", "learner.port=" + std::to_string(FreePort()),
      "--set", "learner.weights_port=" + std::to_string(FreePort()),
      "--set", "actor.learner_lost_seconds=120"};
  std::vector<std::string> job_args = {
      "--config", testing::SourceDir() + "/cluster_configs/local.yaml",
      "--set",    "run.duration_seconds=0",
      "--set",    "run.dir=" + run};
  job_args.insert(job_args.end(), settings.begin(), settings.end());
  SubprocessOptions options;
  options.timeout_seconds = 300;
  absl::StatusOr<SubprocessResult> job;
  std::thread job_thread([&] { job = RunSubprocess(Mpirun(3, job_args), options); });
  // Wait for a checkpoint, then kill the learner.
  for (int i = 0; i < 240 && !std::filesystem::exists(run + "/checkpoints/latest"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const pid_t learner = RankProcess(0, run);
  ASSERT_GT(learner, 0) << "no learner process";
  kill(learner, SIGKILL);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  std::vector<std::string> restart = {PASSRL_BINARY, "learner", "--resume",
                                      run,           "--set",   "run.duration_seconds=30"};
  auto restarted = RunSubprocess(restart, options);
  job_thread.join();
  ASSERT_TRUE(restarted.ok()) << restarted.status();
  EXPECT_EQ(restarted->exit_code, 0) << restarted->Describe() << restarted->err;
  EXPECT_NE(restarted->out.find("learner: resumed from"), std::string::npos) << restarted->out;
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->exit_code, 0) << "the job did not end cleanly when the restarted learner stopped: "
                               << job->Describe() << job->err;
  const nlohmann::json s = nlohmann::json::parse(std::ifstream(run + "/summary.json"));
  for (const char* id : {"1", "2"}) {
    ASSERT_TRUE(s["actors"].contains(id)) << "actor " << id << " never rejoined: " << s.dump(2);
    EXPECT_GT(s["actors"][id]["transitions_received"].get<int64_t>(), 0) << id;
    EXPECT_TRUE(s["actors"][id]["said_goodbye"].get<bool>()) << id;
  }
}

}  // namespace
}  // namespace passrl
