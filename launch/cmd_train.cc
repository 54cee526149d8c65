// passrl train: one MPI job. Rank 0 is the learner, every other rank an actor, unless --role says
// otherwise (MPMD: `mpirun -np 1 passrl train --role learner : -np 64 passrl train --role actor`,
// so the learner can sit on a GPU node and actors fill CPU nodes; exactly one rank may be the
// learner). MPI gives each process its role and carries the learner's endpoints to the actors (one
// broadcast); the first actor on each node relays the weights to its node (actor.relay_weights,
// proto/weights_relay.h). Then
// every rank leaves MPI (MPI_Finalize) at once: all data flows over ZeroMQ, so a slow or lost
// actor never blocks the learner, and a rank that dies later is no MPI failure (with
// `srun --mpi=pmix`, a rank dying inside MPI cancels the whole step; under mpirun, pass
// --enable-recovery, as launch/train_local.sh does).
//
//   mpirun -np 3 passrl train --config cluster_configs/local.yaml
//   mpirun -np 3 passrl train --resume runs/local        (continues from its latest checkpoint)
// Signals to the learner: SIGTERM/SIGINT/SIGUSR1 write a final checkpoint and end the run (Slurm
// sends USR1 before a time limit or preemption); SIGUSR2 writes a checkpoint and goes on. Actors
// ignore USR1/USR2 (mpirun and srun forward them to every rank) and stop when the learner says so.
#include <mpi.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "actors/actor.h"
#include "actors/observation.h"
#include "common/fd_limit.h"
#include "common/host.h"
#include "common/pinning.h"
#include "common/status_macros.h"
#include "envs/action_space.h"
#include "launch/commands.h"
#include "launch/config.h"
#include "learner/learner.h"
#include "proto/weights_relay.h"

namespace passrl::launch {
namespace {

struct TrainFlags {
  std::string config, resume;
  bool resume_fallback = false;
  std::vector<std::string> overrides;
  envs::DatasetOptions dataset;
  bool print_config = false;
  std::string role = "auto";  // auto (rank 0 learns), learner, actor
};

// Where this rank sits in the job, decided before MPI is left.
struct Placement {
  int rank = 0, world = 1;
  int learner_rank = 0;
  int actor_index = 0;       // 0-based among the actors
  int local_rank = 0;        // among all ranks on this node (core pinning)
  int node_actor_rank = 0;   // among the actors on this node (0 hosts the relay)
};

constexpr int64_t kLearnerFileLimit = 16384;  // ~8,000 actors' connections

learner::Learner* g_learner = nullptr;
void StopLearner(int signal) {
  if (g_learner) g_learner->RequestStop(signal);
}
void CheckpointLearner(int) {
  if (g_learner) g_learner->RequestCheckpoint();
}

// The learner rank sends a string to everyone; then this rank is done with MPI. Every rank calls
// it exactly once, on every path.
std::string Broadcast(std::string value, int root) {
  int size = static_cast<int>(value.size());
  MPI_Bcast(&size, 1, MPI_INT, root, MPI_COMM_WORLD);
  value.resize(size);
  MPI_Bcast(value.data(), size, MPI_CHAR, root, MPI_COMM_WORLD);
  MPI_Finalize();
  return value;
}

// The benchmarks an actor draws from, and their weights (empty: all alike, round robin).
struct BenchmarkMix {
  std::vector<std::string> names;
  std::vector<double> weights;
};

absl::StatusOr<BenchmarkMix> Benchmarks(const TrainConfig& c, const envs::DatasetOptions& dataset) {
  BenchmarkMix mix;
  if (!c.benchmarks.empty()) {
    mix.names = c.benchmarks;
    return mix;
  }
  PASSRL_ASSIGN_OR_RETURN(std::vector<MixEntry> entries, TrainingMix(c));
  for (const MixEntry& entry : entries) {
    PASSRL_ASSIGN_OR_RETURN(envs::Split split, envs::ParseSplit(entry.split));
    PASSRL_ASSIGN_OR_RETURN(auto d, envs::OpenDataset(entry.dataset, dataset));
    std::vector<std::string> names = d->BenchmarkNames(split);
    if (names.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("dataset ", entry.dataset, " has no benchmarks in split ", entry.split));
    }
    for (std::string& name : names) {
      mix.names.push_back(std::move(name));
      mix.weights.push_back(entry.weight / static_cast<double>(names.size()));
    }
  }
  if (entries.size() == 1) mix.weights.clear();  // one dataset: round robin, as before
  return mix;
}

// `announce` gets the endpoints message for the actors ("" when the learner failed to start):
// MPI's broadcast under `passrl train`, nothing for a standalone `passrl learner`.
// The learning curve's validator, or null (with a note) when the validation split is empty.
std::unique_ptr<learner::Validator> MakeValidator(const TrainConfig& c,
                                                  const envs::DatasetOptions& dataset) {
  if (c.validation.every_seconds <= 0) return nullptr;
  ValidationOptions v = c.validation;
  v.dataset = c.ValidationDataset();
  v.compiler = c.actor.compiler;
  auto d = envs::OpenDataset(v.dataset, dataset);
  const envs::Split split = envs::ParseSplit(v.split).value_or(envs::Split::kValidation);
  if (!d.ok() || (*d)->BenchmarkNames(split).empty()) {
    std::printf("learner: no learning curve: %s has no %s programs (set validation.dataset, e.g. "
                "csmith or debian)\n",
                v.dataset.c_str(), v.split.c_str());
    return nullptr;
  }
  std::printf("learner: learning curve every %.0f s on %d programs of %s split %s\n",
              v.every_seconds, v.sample, v.dataset.c_str(), v.split.c_str());
  return std::make_unique<ChildValidator>(v, dataset, c.learner.run_dir);
}

absl::Status RunLearner(const TrainConfig& c, const envs::DatasetOptions& dataset, int world,
                        const std::string& resume, bool resume_fallback,
                        const std::function<void(const std::string&)>& announce) {
  // The configured options, plus what only this run knows.
  learner::LearnerOptions o = c.LearnerForThisBuild();
  o.sac.seed = o.replay.seed = c.seed;
  o.action_space_hash = envs::SpecOf(c.actor.compiler).action_space_hash();
  o.horizon = actors::HorizonName(c.actor.horizon);
  o.baseline = c.actor.compiler == envs::Compiler::kMlir ? "ref" : "-Oz";
  o.resume_from = resume;
  o.resume_fallback = resume_fallback;
  o.config_yaml = DescribeConfig(c);
  // Two connections per actor (transitions, weights): room for thousands, or say how many.
  absl::Status fds = EnsureFileLimit(kLearnerFileLimit, "a learner with thousands of actors");
  if (!fds.ok()) std::printf("learner: %s\n", std::string(fds.message()).c_str());
  zmq::context_t context(o.io_threads);
  auto learner = learner::Learner::Create(o, &context, MakeValidator(c, dataset));
  if (!learner.ok()) {
    announce("");  // tell the actors there is nothing to connect to
    return learner.status();
  }
  const std::string host = c.host.empty() ? Hostname() : c.host;
  announce(absl::StrCat(host, "\n", (*learner)->TransitionsEndpoint(host), "\n",
                        (*learner)->WeightsEndpoint(host), "\n", (*learner)->Counters().resumes));
  std::printf("learner: %s, %s: %d actions, observation %d floats, %s\n",
              world > 0 ? absl::StrCat(world - 1, " actors").c_str()
                        : "standalone (actors of a running job reconnect)",
              std::string(envs::SpecOf(c.actor.compiler).name).c_str(), o.sac.shape.num_actions,
              o.sac.shape.obs_dim,
              torch::cuda::is_available() && o.sac.use_cuda_if_available ? "CUDA" : "CPU");
  g_learner = learner->get();
  signal(SIGTERM, StopLearner);
  signal(SIGINT, StopLearner);
  signal(SIGUSR1, StopLearner);
  signal(SIGUSR2, CheckpointLearner);
  absl::Status ran = (*learner)->Run();
  g_learner = nullptr;
  return ran;
}

// The node's weights relay when this actor hosts it (null otherwise), and where this actor
// subscribes: the node's relay with the learner as fallback, or the learner.
struct WeightsRoute {
  std::unique_ptr<wire::WeightsRelay> relay;
  std::string endpoint, fallback;
};

absl::StatusOr<WeightsRoute> RouteWeights(const TrainConfig& c, const Placement& where,
                                          const std::string& announced, const std::string& direct) {
  WeightsRoute route;
  route.endpoint = direct;
  if (!c.relay_weights) return route;
  wire::RelayOptions r;
  r.upstream = direct;
  r.bind = wire::NodeRelayEndpoint(announced);
  if (!c.learner.curve_dir.empty()) {
    // Through a relay actors still authenticate: the relay serves with the learner's keys.
    auto server = wire::LoadServerKeys(c.learner.curve_dir);
    if (!server.ok()) {
      if (where.node_actor_rank == 0) {
        std::printf("actor %d: no weights relay (%s); actors subscribe to the learner\n",
                    where.actor_index + 1, std::string(server.status().message()).c_str());
      }
      return route;
    }
    r.downstream_curve = *std::move(server);
    PASSRL_ASSIGN_OR_RETURN(r.upstream_curve,
                            wire::LoadClientKeys(c.learner.curve_dir, c.actor_key));
  }
  route.endpoint = r.bind;
  route.fallback = direct;
  if (where.node_actor_rank != 0) return route;
  auto relay = wire::WeightsRelay::Start(std::move(r));
  if (!relay.ok()) {  // the others fall back to the learner after relay_silence_seconds
    std::printf("actor %d: %s\n", where.actor_index + 1,
                std::string(relay.status().message()).c_str());
    route.endpoint = direct;
    route.fallback.clear();
    return route;
  }
  route.relay = *std::move(relay);
  return route;
}

absl::Status RunActor(const TrainConfig& c, const envs::DatasetOptions& dataset,
                      const Placement& where) {
  const std::string endpoints = Broadcast("", where.learner_rank);
  if (endpoints.empty()) return absl::UnavailableError("the learner failed to start");
  std::vector<std::string> parts = absl::StrSplit(endpoints, '\n');
  std::string transitions = parts[1], weights = parts[2];
  const uint64_t resumes = std::stoull(parts[3]);
  if (parts[0] == Hostname()) {  // same node: loopback
    transitions = absl::StrCat("tcp://127.0.0.1:", transitions.substr(transitions.rfind(':') + 1));
    weights = absl::StrCat("tcp://127.0.0.1:", weights.substr(weights.rfind(':') + 1));
  }
  const int rank = where.actor_index + 1;  // actor ids start at 1
  const int local_rank = where.local_rank;
  PASSRL_ASSIGN_OR_RETURN(WeightsRoute route, RouteWeights(c, where, parts[2], weights));
  int cpu = -1;
  if (c.pin) {
    auto cores = AllowedPhysicalCores();
    if (cores.ok()) {
      cpu = (*cores)[static_cast<size_t>(local_rank) % cores->size()];
      if (!BindToCpu(cpu, /*whole_process=*/true).ok()) cpu = -1;
    }
  }
  // The configured options, plus what only this rank knows.
  actors::ActorOptions o = c.actor;
  o.actor_id = rank;
  o.transitions_endpoint = transitions;
  o.weights_endpoint = route.endpoint;
  o.weights_fallback_endpoint = route.fallback;
  PASSRL_ASSIGN_OR_RETURN(BenchmarkMix mix, Benchmarks(c, dataset));
  o.benchmarks = std::move(mix.names);
  o.benchmark_weights = std::move(mix.weights);
  // Spread actors over the benchmarks: each starts at a different one (a weighted mix draws at
  // random, seeded per actor).
  if (o.benchmark_weights.empty()) {
    std::rotate(o.benchmarks.begin(),
                o.benchmarks.begin() + static_cast<long>((rank - 1) % o.benchmarks.size()),
                o.benchmarks.end());
  }
  o.cpu = cpu;
  // A resumed run's actors must not replay the first session's episodes: mix in the resume count.
  o.seed = c.seed + static_cast<uint64_t>(rank) + resumes * 1000003;
  o.session = static_cast<uint32_t>(resumes);
  o.crash_dir = c.learner.run_dir;
  if (!c.learner.curve_dir.empty()) {
    PASSRL_ASSIGN_OR_RETURN(o.curve, wire::LoadClientKeys(c.learner.curve_dir, c.actor_key));
  }
  // A generous cap: the learner's stop message normally ends the actor.
  const double duration = c.learner.duration_seconds;
  o.max_seconds = duration > 0 ? duration + 120 : 0;
  std::unique_ptr<actors::EnvClient> env;
  if (c.isolate) {
    actors::WorkerOptions w = c.worker;
    w.dataset = dataset;
    w.max_steps = o.episode_length;
    env = std::make_unique<actors::WorkerEnvClient>(w);
  } else if (c.actor.compiler == envs::Compiler::kMlir) {
    envs::MlirEnvOptions mlir;
    PASSRL_ASSIGN_OR_RETURN(mlir.reward, envs::ParseMlirReward(c.worker.reward));
    PASSRL_ASSIGN_OR_RETURN(env, actors::InProcessMlirEnvClient::Create(dataset, mlir, o.episode_length));
  } else {
    PASSRL_ASSIGN_OR_RETURN(envs::EnvOptions env_options, c.worker.Env());
    PASSRL_ASSIGN_OR_RETURN(
        env, actors::InProcessEnvClient::Create(dataset, env_options, o.episode_length));
  }
  PASSRL_ASSIGN_OR_RETURN(auto policy,
                          actors::CreateTorchPolicy(
                                              c.LearnerForThisBuild().sac.shape, o.seed));
  zmq::context_t context(1);
  actors::Actor actor(o, std::move(env), std::move(policy), &context);
  absl::Status ran = actor.Run();
  const actors::ActorStats& s = actor.stats();
  std::printf(
      "actor %d: %llu steps, %llu episodes, %llu transitions sent, %llu weight versions "
      "adopted, %llu worker restarts, best %.3fx %s\n",
      rank, (unsigned long long)s.steps, (unsigned long long)s.episodes,
      (unsigned long long)s.transitions_sent, (unsigned long long)s.versions_adopted,
      (unsigned long long)s.worker_crashes, s.best_ratio_vs_oz,
      c.actor.compiler == envs::Compiler::kMlir ? "the reference" : "-Oz");
  return ran;
}

// The run's configuration: --config (or, resuming, the run's own config.yaml) plus --set; a resumed
// run keeps its directory.
absl::StatusOr<TrainConfig> LoadRunConfig(const TrainFlags& flags) {
  std::string config = flags.config;
  std::vector<std::string> overrides = flags.overrides;
  if (!flags.resume.empty()) {
    if (config.empty()) config = flags.resume + "/config.yaml";
    overrides.push_back("run.dir=" + flags.resume);
  }
  return LoadTrainConfig(config, overrides);
}

// Every rank's role and indices (collective: every rank calls it once). Exactly one learner.
absl::Status Place(const std::string& role, Placement* where) {
  MPI_Comm_rank(MPI_COMM_WORLD, &where->rank);
  MPI_Comm_size(MPI_COMM_WORLD, &where->world);
  const int learns = role == "learner" || (role == "auto" && where->rank == 0) ? 1 : 0;
  std::vector<int> roles(static_cast<size_t>(where->world));
  MPI_Allgather(&learns, 1, MPI_INT, roles.data(), 1, MPI_INT, MPI_COMM_WORLD);
  // Node-local indices: among all ranks (pinning), and among the actors (the relay host).
  MPI_Comm node, actors, node_actors;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, where->rank, MPI_INFO_NULL, &node);
  MPI_Comm_rank(node, &where->local_rank);
  MPI_Comm_split(MPI_COMM_WORLD, learns, where->rank, &actors);
  MPI_Comm_rank(actors, &where->actor_index);
  MPI_Comm_split_type(actors, MPI_COMM_TYPE_SHARED, where->rank, MPI_INFO_NULL, &node_actors);
  MPI_Comm_rank(node_actors, &where->node_actor_rank);
  for (MPI_Comm* comm : {&node, &actors, &node_actors}) MPI_Comm_free(comm);
  const int learners = static_cast<int>(std::count(roles.begin(), roles.end(), 1));
  where->learner_rank = static_cast<int>(std::find(roles.begin(), roles.end(), 1) - roles.begin());
  if (where->world < 2) {
    return absl::FailedPreconditionError(
        "passrl train needs at least 2 MPI ranks (1 learner + actors): run it under "
        "mpirun -np N or srun");
  }
  if (learners != 1 || where->world - learners < 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "passrl train needs exactly one learner rank and at least one actor; this job has ",
        learners, " learner(s) among ", where->world,
        " ranks (--role learner on one rank, --role actor or auto on the others)"));
  }
  return absl::OkStatus();
}

absl::Status RunTrain(const TrainFlags& flags) {
  PASSRL_ASSIGN_OR_RETURN(TrainConfig c, LoadRunConfig(flags));
  if (flags.print_config) {
    std::fputs(DescribeConfig(c).c_str(), stdout);
    return absl::OkStatus();
  }
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  Placement where;
  absl::Status status = Place(flags.role, &where);
  if (status.ok() && where.rank == where.learner_rank) {
    status = RunLearner(c, flags.dataset, where.world, flags.resume, flags.resume_fallback,
                        [&where](const std::string& endpoints) {
                          Broadcast(endpoints, where.learner_rank);
                        });
  } else if (status.ok()) {
    signal(SIGUSR1, SIG_IGN);
    signal(SIGUSR2, SIG_IGN);
    status = RunActor(c, flags.dataset, where);
  }
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();  // the single-rank error path
  return status;
}

}  // namespace

void AddTrainCommand(CLI::App& app) {
  auto flags = std::make_shared<TrainFlags>();
  CLI::App* cmd = app.add_subcommand(
      "train", "Distributed SAC training (run under mpirun/srun: rank 0 learner, others actors)");
  cmd->add_option("--config,-c", flags->config, "YAML config (cluster_configs/)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--set", flags->overrides, "override a config key: --set learner.batch_size=128");
  cmd->add_option("--resume", flags->resume,
                  "continue the run in this directory from its latest checkpoint (its config.yaml "
                  "unless --config is given; --set still applies)")
      ->check(CLI::ExistingDirectory);
  cmd->add_flag(
      "--resume-fallback", flags->resume_fallback,
      "if the latest checkpoint is corrupt or incomplete, resume from the newest good one");
  cmd->add_flag("--print-config", flags->print_config, "print the resolved config and exit");
  cmd->add_option("--role", flags->role,
                  "this rank's role: auto (rank 0 learns, the others act), learner or actor (MPMD: "
                  "mpirun -np 1 passrl train --role learner : -np N passrl train --role actor)")
      ->check(CLI::IsMember({"auto", "learner", "actor"}));
  AddDatasetFlags(*cmd, flags->dataset);
  cmd->callback([flags] { CommandStatus() = RunTrain(*flags); });
}

// passrl learner --resume RUN_DIR: the learner alone, without MPI, for when it died and the job's
// actors did not (mpirun --enable-recovery / srun --kill-on-bad-exit=0 keep them running until
// actor.learner_lost_seconds). They reconnect to the same host and ports by themselves and adopt
// the resumed learner's weights (a new run id). Needs fixed learner.port and learner.weights_port.
// passrl learner [--config C]: a fresh learner alone (built-in defaults without --config), for
// actors started elsewhere at those ports (`passrl loadgen` starts one so).
absl::Status RunStandaloneLearner(const TrainFlags& flags) {
  PASSRL_ASSIGN_OR_RETURN(TrainConfig c, LoadRunConfig(flags));
  if (c.learner.port == 0 || c.learner.weights_port == 0) {
    return absl::FailedPreconditionError(
        "a standalone learner must listen where the job's actors reconnect: set learner.port and "
        "learner.weights_port (fixed ports, the same the job used)");
  }
  return RunLearner(c, flags.dataset, 0, flags.resume, flags.resume_fallback,
                    [](const std::string&) {});
}

void AddLearnerCommand(CLI::App& app) {
  auto flags = std::make_shared<TrainFlags>();
  CLI::App* cmd = app.add_subcommand(
      "learner",
      "Restart a run's learner alone (no MPI; the job's running actors rejoin it), or start a "
      "fresh one with --config for actors started elsewhere (fixed learner.port/weights_port)");
  cmd->add_option("--resume", flags->resume, "the run directory to continue")
      ->check(CLI::ExistingDirectory);
  cmd->add_flag("--resume-fallback", flags->resume_fallback,
                "if the latest checkpoint is damaged, resume from the newest good one");
  cmd->add_option("--config,-c", flags->config,
                  "config (default with --resume: the run's config.yaml)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--set", flags->overrides, "override a config key");
  cmd->callback([flags] { CommandStatus() = RunStandaloneLearner(*flags); });
}

void AddEnvWorkerCommand(CLI::App& app) {
  auto dataset = std::make_shared<envs::DatasetOptions>();
  auto worker = std::make_shared<actors::WorkerOptions>();
  CLI::App* cmd = app.add_subcommand(
      "env-worker", "Serve an environment over stdin/stdout (started by actors; not for humans)");
  auto compiler = std::make_shared<std::string>("llvm");
  cmd->add_option("--compiler", *compiler, "llvm or mlir");
  cmd->add_option("--reward", worker->reward, "reward space");
  cmd->add_option("--start", worker->start, "where episodes start: O0 or an -O level");
  cmd->add_option("--insignificant", worker->runtime_insignificant,
                  "runtime rewards: what a change inside the noise is worth (zero|estimate)");
  cmd->add_option("--max-pairs", worker->runtime_max_pairs, "runtime rewards: A/B pairs at most");
  cmd->add_option("--clock", worker->runtime_clock, "runtime rewards: cpu or wall time");
  cmd->add_option("--prefix-cache-mb", worker->prefix_cache_mb,
                  "LLVM: MiB of earlier steps kept for searches (0: none)");
  AddDatasetFlags(*cmd, *dataset);
  cmd->callback([dataset, worker, compiler] {
    absl::StatusOr<envs::Compiler> c = envs::ParseCompiler(*compiler);
    if (!c.ok()) {
      CommandStatus() = c.status();
      return;
    }
    worker->compiler = *c;
    if (worker->compiler == envs::Compiler::kLlvm) {
      if (auto env = worker->Env(); !env.ok()) {  // one line now, not an error per request
        CommandStatus() = env.status();
        return;
      }
    }
    const int code = actors::ServeEnvWorker(0, 1, *dataset, *worker);
    if (code != 0) CommandStatus() = absl::InternalError("env worker: output pipe closed");
  });
}

}  // namespace passrl::launch
