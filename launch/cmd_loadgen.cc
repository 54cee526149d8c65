// passrl loadgen: load-tests one learner with thousands of simulated actors (loadgen/). It starts
// a real learner process (`passrl learner --config`), optionally one weights relay per simulated
// node (proto/weights_relay.h, ipc://), runs the simulated actors with real transitions from a
// run's latest checkpoint, stops the learner (SIGTERM, as Slurm would) and prints a JSON summary
// that joins what the actors measured with the learner's own summary.json.
//
//   passrl loadgen --from runs/log40 --actors 1000 --seconds 20 [--nodes 8] [--json out.json]
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "actors/observation.h"
#include "common/host.h"
#include "common/status_macros.h"
#include "envs/action_space.h"
#include "launch/commands.h"
#include "learner/checkpoint.h"
#include "loadgen/load_generator.h"
#include "nlohmann/json.hpp"
#include "passrl.pb.h"
#include "proto/transition.h"
#include "proto/weights_relay.h"
#include "replay/replay_snapshot.h"
#include "zmq.hpp"

namespace passrl::launch {
namespace {

struct LoadgenFlags {
  std::string from, run_dir = "/tmp/passrl-loadgen", config, json, curve_dir;
  std::vector<std::string> overrides;
  loadgen::LoadOptions load;
  int nodes = 0;
  int batch = 32;
  int distinct_batches = 64;
};

// Up to `count` batches of `size` real transitions from the run's latest checkpoint.
absl::StatusOr<std::vector<proto::TransitionBatch>> RealBatches(const std::string& from, int size,
                                                                int count) {
  PASSRL_ASSIGN_OR_RETURN(learner::LoadedCheckpoint ckpt,
                          learner::LoadLatestCheckpoint(from, /*fallback=*/true));
  if (ckpt.replay.obs_dim != actors::kObservationDim) {
    return absl::FailedPreconditionError(absl::StrCat(
        from, " holds observations of ", ckpt.replay.obs_dim, " floats; this build sends ",
        actors::kObservationDim, ": use a run trained by this version"));
  }
  std::vector<proto::TransitionBatch> batches;
  std::vector<float> obs, next;
  wire::TransitionFields f;
  const absl::Status enough = absl::CancelledError("enough transitions");
  absl::Status visited = replay::ForEachReplayChunk(
      ckpt.replay_dir, ckpt.replay, [&](const replay::ReplayChunk& chunk) {
        for (int64_t row = 0; row < chunk.count; ++row) {
          if (batches.empty() || batches.back().actions_size() == size) {
            if (static_cast<int>(batches.size()) == count) return enough;
            batches.emplace_back().set_obs_dim(chunk.obs_dim);
          }
          chunk.GetRow(row, &obs, &next, &f);
          proto::TransitionBatch& b = batches.back();
          const size_t id = f.benchmark_id;
          f.benchmark_id = static_cast<uint32_t>(b.benchmark_names_size());
          b.add_benchmark_names(id < ckpt.benchmarks.size() ? ckpt.benchmarks[id] : "unknown");
          wire::AppendTransition(obs, next, f, &b);
        }
        return absl::OkStatus();
      });
  if (visited != enough) PASSRL_RETURN_IF_ERROR(visited);
  if (!batches.empty() && batches.back().actions_size() < size) batches.pop_back();
  if (batches.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(from, "'s replay holds fewer than ", size, " transitions"));
  }
  return batches;
}

int FreePort() {
  zmq::context_t context(1);
  zmq::socket_t s(context, zmq::socket_type::pull);
  s.bind("tcp://127.0.0.1:*");
  const std::string e = s.get(zmq::sockopt::last_endpoint);
  return std::stoi(e.substr(e.rfind(':') + 1));
}

// The learner process: started with its output in RUN/learner.log, ready when it says so.
struct LearnerProcess {
  pid_t pid = -1;
  std::string log;
};

absl::StatusOr<LearnerProcess> StartLearner(const LoadgenFlags& flags, int port, int weights_port) {
  std::vector<std::string> argv = {SelfExecutable(), "learner"};
  if (!flags.config.empty()) argv.insert(argv.end(), {"--config", flags.config});
  for (const std::string& s :
       {absl::StrCat("run.dir=", flags.run_dir), std::string("run.duration_seconds=0"),
        std::string("run.snapshot_seconds=0"), std::string("validation.every_seconds=0"),
        std::string("checkpoint.every_seconds=0"), std::string("replay.capacity=200000"),
        std::string("learner.host=127.0.0.1"), absl::StrCat("learner.port=", port),
        absl::StrCat("learner.weights_port=", weights_port)}) {
    argv.insert(argv.end(), {"--set", s});
  }
  if (!flags.curve_dir.empty()) {
    argv.insert(argv.end(), {"--set", absl::StrCat("security.curve_dir=", flags.curve_dir)});
  }
  for (const std::string& s : flags.overrides) argv.insert(argv.end(), {"--set", s});
  std::error_code ec;
  std::filesystem::remove_all(flags.run_dir, ec);  // a fresh run each time
  std::filesystem::create_directories(flags.run_dir, ec);
  LearnerProcess p;
  p.log = flags.run_dir + "/learner.log";
  p.pid = fork();
  if (p.pid < 0) return absl::InternalError("fork failed");
  if (p.pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // the learner ends with the load generator, however it ends
    FILE* out = std::freopen(p.log.c_str(), "w", stdout);
    if (out == nullptr || dup2(fileno(stdout), STDERR_FILENO) < 0) _exit(127);
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  for (int i = 0; i < 600; ++i) {  // a minute at most
    std::ifstream in(p.log);
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().find("learner: transitions on port") != std::string::npos) return p;
    int status = 0;
    if (waitpid(p.pid, &status, WNOHANG) == p.pid) {
      return absl::FailedPreconditionError(
          absl::StrCat("the learner exited at start; its log (", p.log, "):\n", text.str()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(p.pid, SIGKILL);
  waitpid(p.pid, nullptr, 0);
  return absl::DeadlineExceededError(absl::StrCat("the learner did not start; see ", p.log));
}

absl::StatusOr<nlohmann::json> StopLearner(const LearnerProcess& p, const std::string& run_dir) {
  kill(p.pid, SIGTERM);
  int status = 0;
  waitpid(p.pid, &status, 0);
  std::ifstream in(run_dir + "/summary.json");
  if (!in) return absl::InternalError(absl::StrCat("the learner wrote no summary; see ", p.log));
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    return absl::DataLossError(absl::StrCat(run_dir, "/summary.json: ", e.what()));
  }
}

// A relay's counters when the simulated actors stopped listening.
struct RelayCount {
  uint64_t weights = 0, versions = 0;
};

nlohmann::json Summarize(const LoadgenFlags& flags, const loadgen::LoadReport& r,
                         const nlohmann::json& learner, const std::vector<RelayCount>& relays) {
  nlohmann::json s;
  const uint64_t inserted = learner.value("transitions_inserted", uint64_t{0});
  s["actors"] = flags.load.actors;
  s["nodes"] = flags.nodes;
  s["relays"] = relays.size();
  s["seconds"] = r.send_seconds;
  s["transitions_per_batch"] = flags.batch;
  s["curve"] = !flags.curve_dir.empty();
  // Accepted: everything sent was inserted (the counts agree) within delivered_seconds.
  s["transitions_per_second"] = static_cast<double>(inserted) / r.delivered_seconds;
  s["delivered_seconds"] = r.delivered_seconds;
  s["transitions_sent"] = r.transitions_sent;
  s["transitions_inserted"] = inserted;
  s["weights_delay_p50_seconds"] = loadgen::Quantile(r.weights_delays, 0.5);
  s["weights_delay_p99_seconds"] = loadgen::Quantile(r.weights_delays, 0.99);
  s["weights_delay_max_seconds"] = loadgen::Quantile(r.weights_delays, 1.0);
  s["weights_deliveries"] = r.weights_delays.size();
  s["weights_deliveries_missing"] = r.deliveries_missing;
  s["actors_without_weights"] = r.actors_without_weights;
  s["actors_reported_silent"] = learner.value("actors_reported_silent", -1);
  s["actors_known_to_learner"] = learner.value("actors_known", 0);
  s["learner_rss_bytes"] = learner.value("max_rss_bytes", int64_t{0});
  s["learner_updates"] = learner.value("updates", int64_t{0});
  s["versions_seen"] = r.versions_seen;
  // Egress: weights messages the learner's direct subscribers (the relays, or the actors) got
  // (welcomes on joining included), per distinct version.
  uint64_t messages = r.weights_messages_received, versions = r.versions_seen;
  if (!relays.empty()) {
    messages = versions = 0;
    for (const RelayCount& relay : relays) {
      messages += relay.weights;
      versions = std::max(versions, relay.versions);
    }
  }
  const double message_bytes = r.weights_messages_received > 0
                                   ? static_cast<double>(r.weights_bytes_received) /
                                         static_cast<double>(r.weights_messages_received)
                                   : 0;
  const double per_version =
      static_cast<double>(messages) / static_cast<double>(std::max<uint64_t>(versions, 1));
  s["policy_message_bytes"] = message_bytes;
  s["learner_egress_bytes_per_version"] = per_version * message_bytes;
  s["learner_egress_policies_per_version"] = per_version;
  return s;
}

// One relay per simulated node (none for --nodes 0), on ipc:// in the run dir.
absl::StatusOr<std::vector<std::unique_ptr<wire::WeightsRelay>>> StartRelays(
    const LoadgenFlags& flags, const std::string& weights,
    const std::optional<wire::CurveClientKeys>& client,
    const std::optional<wire::CurveServerKeys>& server) {
  std::vector<std::unique_ptr<wire::WeightsRelay>> relays;
  for (int n = 0; n < flags.nodes; ++n) {
    wire::RelayOptions r;
    r.upstream = weights;
    r.bind = absl::StrCat("ipc://", flags.run_dir, "/relay-", n, ".ipc");
    r.upstream_curve = client;
    r.downstream_curve = server;
    PASSRL_ASSIGN_OR_RETURN(auto relay, wire::WeightsRelay::Start(std::move(r)));
    relays.push_back(std::move(relay));
  }
  return relays;
}

absl::Status RunLoadgen(LoadgenFlags flags) {
  PASSRL_ASSIGN_OR_RETURN(auto batches,
                          RealBatches(flags.from, flags.batch, flags.distinct_batches));
  const int port = FreePort(), weights_port = FreePort();
  std::printf("loadgen: %zu batches of %d real transitions from %s; starting a learner (log: "
              "%s/learner.log)\n",
              batches.size(), flags.batch, flags.from.c_str(), flags.run_dir.c_str());
  std::fflush(stdout);
  // Keys before the learner starts: a bad key directory costs nothing.
  std::optional<wire::CurveServerKeys> server;
  loadgen::LoadOptions& o = flags.load;
  if (!flags.curve_dir.empty()) {
    PASSRL_ASSIGN_OR_RETURN(o.curve, wire::LoadClientKeys(flags.curve_dir));
    if (flags.nodes > 0) {
      PASSRL_ASSIGN_OR_RETURN(server, wire::LoadServerKeys(flags.curve_dir));
    }
  }
  PASSRL_ASSIGN_OR_RETURN(LearnerProcess learner, StartLearner(flags, port, weights_port));
  const std::string weights = absl::StrCat("tcp://127.0.0.1:", weights_port);
  o.transitions_endpoint = absl::StrCat("tcp://127.0.0.1:", port);
  o.action_space_hash = envs::ActionSpaceHash();
  auto relays = StartRelays(flags, weights, o.curve, server);
  absl::StatusOr<loadgen::LoadReport> report = absl::UnknownError("not run");
  if (!relays.ok()) {
    report = relays.status();
  } else {
    for (const auto& relay : *relays) o.weights_endpoints.push_back(relay->endpoint());
    if (relays->empty()) o.weights_endpoints = {weights};
    std::printf("loadgen: %d simulated actors%s for %.0f s\n", o.actors,
                flags.nodes > 0 ? absl::StrCat(" on ", flags.nodes, " nodes (one relay each)").c_str()
                                : "",
                o.seconds);
    std::fflush(stdout);
    report = loadgen::LoadGenerator(o, std::move(batches)).Run();
  }
  std::vector<RelayCount> counts;  // read before the learner stops sending
  if (relays.ok()) {
    for (const auto& relay : *relays) {
      counts.push_back({relay->weights_received(), relay->versions_received()});
    }
  }
  auto summary = StopLearner(learner, flags.run_dir);
  PASSRL_RETURN_IF_ERROR(report.status());
  PASSRL_RETURN_IF_ERROR(summary.status());
  const nlohmann::json out = Summarize(flags, *report, *summary, counts);
  std::printf("%s\n", out.dump(2).c_str());
  if (!flags.json.empty()) std::ofstream(flags.json) << out.dump(2) << "\n";
  return absl::OkStatus();
}

}  // namespace

void AddLoadgenCommand(CLI::App& app) {
  auto flags = std::make_shared<LoadgenFlags>();
  CLI::App* cmd = app.add_subcommand(
      "loadgen", "Load-test a learner with thousands of simulated actors (real sockets, real "
                 "transitions); prints a JSON summary");
  cmd->add_option("--from", flags->from,
                  "a run (or checkpoint) whose replay provides the transitions")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--actors", flags->load.actors, "simulated actors")->capture_default_str();
  cmd->add_option("--nodes", flags->nodes,
                  "simulated nodes, each with a weights relay over ipc://; 0: every actor "
                  "subscribes to the learner")
      ->capture_default_str();
  cmd->add_option("--seconds", flags->load.seconds, "sending time")->capture_default_str();
  cmd->add_option("--rate", flags->load.rate,
                  "transitions/s per actor; 0: as fast as the learner takes them")
      ->capture_default_str();
  cmd->add_option("--batch", flags->batch, "transitions per message")->capture_default_str();
  cmd->add_option("--threads", flags->load.threads, "sending threads")->capture_default_str();
  cmd->add_option("--run-dir", flags->run_dir, "the learner's run dir (replaced)")
      ->capture_default_str();
  cmd->add_option("--config,-c", flags->config, "the learner's config (default: built-in)");
  cmd->add_option("--set", flags->overrides, "override a learner config key");
  cmd->add_option("--curve-dir", flags->curve_dir, "CurveZMQ keys (passrl keys generate)");
  cmd->add_option("--json", flags->json, "also write the summary here");
  cmd->callback([flags] { CommandStatus() = RunLoadgen(*flags); });
}

}  // namespace passrl::launch
