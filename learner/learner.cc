#include "learner/learner.h"

#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/durable_file.h"
#include "common/heap_retention.h"
#include "common/pinning.h"
#include "common/status_macros.h"
#include "learner/batch_sampler.h"
#include "learner/ingest.h"
#include "nlohmann/json.hpp"
#include "passrl.pb.h"
#include "proto/curve.h"
#include "proto/weights_publisher.h"
#include "proto/wire.h"
#include "zmq.hpp"

namespace passrl::learner {

struct Learner::Transport {
  explicit Transport(zmq::context_t* context) : pull(*context, zmq::socket_type::pull) {}
  zmq::socket_t pull;
  std::optional<wire::WeightsPublisher> weights;  // the update loop's own
  std::unique_ptr<wire::ZapAuthenticator> zap;  // with curve_dir: admits authorized actors
  proto::ActorMessage scratch;  // the ingest thread's reused decode target (its thread only)
};

struct Learner::ActorInfo {
  proto::ActorStatus last;   // most recent status
  uint64_t transitions = 0;  // received and inserted
  double last_heard = 0;     // steady seconds
  bool reported_silent = false;
  bool ever_silent = false;  // reported silent at least once (summary.json)
};

namespace {

// Whether this CPU multiplies bfloat16 natively (sac.hidden_bfloat16 is slower where it does not).
bool CpuHasBfloat16() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    return line.find(" avx512_bf16") != std::string::npos ||
           line.find(" amx_bf16") != std::string::npos;
  }
  return false;
}

// Messages queued per actor connection before ZeroMQ stops reading from it (TCP then pushes back
// to the actor, whose own queue holds 256): bounds the learner's queued input at N x 4 messages
// (~60 KB each at 32 transitions of 236 floats: ~240 MB for 1,000 actors at worst, ~0 when it
// keeps up).
constexpr int kReceiveHwm = 4;
// Pending connections per socket (capped by net.core.somaxconn): a thousand actors start together.
constexpr int kConnectBacklog = 4096;

// Peak resident set of this process (getrusage: kilobytes on Linux).
int64_t MaxRssBytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;
}

// The port of a bound "tcp://host:port" endpoint.
int PortOf(const std::string& endpoint) {
  return std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
}

}  // namespace

absl::Status LearnerOptions::Validate() const {
  absl::Status s = sac.Validate();
  if (!s.ok()) return s;
  s = replay.Validate();
  if (!s.ok()) return s;
  if (batch_size < 1) return absl::InvalidArgumentError("learner.batch_size must be >= 1");
  if (warmup_transitions < 1)
    return absl::InvalidArgumentError("learner.warmup_transitions must be >= 1");
  if (!(samples_per_insert > 0))
    return absl::InvalidArgumentError("learner.samples_per_insert must be > 0");
  if (publish_every < 1) return absl::InvalidArgumentError("learner.publish_every must be >= 1");
  if (io_threads < 1) return absl::InvalidArgumentError("learner.io_threads must be >= 1");
  if (torch_threads < 0) return absl::InvalidArgumentError("learner.torch_threads must be >= 0");
  if (retain_heap_mb < 0) return absl::InvalidArgumentError("learner.retain_heap_mb must be >= 0");
  if (prefetch != "auto" && prefetch != "on" && prefetch != "off") {
    return absl::InvalidArgumentError(
        absl::StrCat("learner.prefetch must be auto, on or off, not '", prefetch, "'"));
  }
  if (duration_seconds < 0) return absl::InvalidArgumentError("run.duration_seconds must be >= 0");
  if (!(validation_seconds >= 0))
    return absl::InvalidArgumentError("validation.every_seconds must be >= 0");
  if (port < 0 || port > 65535 || weights_port < 0 || weights_port > 65535) {
    return absl::InvalidArgumentError("learner ports must be in [0, 65535]");
  }
  if (run_dir.empty()) return absl::InvalidArgumentError("run.dir must be set");
  CheckpointOptions c = checkpoint;
  if (c.dir.empty()) c.dir = run_dir + "/checkpoints";
  return c.Validate();
}

int LearnerOptions::UpdateThreads(int cpus) const {
  return torch_threads > 0 ? torch_threads : std::max(1, cpus - 2);
}

bool LearnerOptions::Prefetch(bool cuda) const {
  return prefetch == "on" || (prefetch == "auto" && cuda);
}

Learner::Learner(const LearnerOptions& options, zmq::context_t* context)
    : options_(options), io_(std::make_unique<Transport>(context)) {}

Learner::~Learner() {
  stop_ = true;
  ingest_stop_ = true;
  if (ingest_.joinable()) ingest_.join();
  if (validation_thread_.joinable()) validation_thread_.join();
}

absl::StatusOr<std::unique_ptr<Learner>> Learner::Create(const LearnerOptions& options,
                                                         zmq::context_t* context,
                                                         std::unique_ptr<Validator> validator) {
  absl::Status valid = options.Validate();
  if (!valid.ok()) return valid;
  std::unique_ptr<Learner> l(new Learner(options, context));
  auto replay = replay::ReplayBuffer::Create(options.replay);
  if (!replay.ok()) return replay.status();
  l->replay_ = std::move(*replay);
  auto agent = SacAgent::Create(options.sac);
  if (!agent.ok()) return agent.status();
  l->agent_ = std::move(*agent);
  if (l->options_.checkpoint.dir.empty())
    l->options_.checkpoint.dir = options.run_dir + "/checkpoints";
  // Refused before anything is written: a fresh run must not touch another run's files.
  if (options.resume_from.empty() && !ListCheckpoints(l->options_.checkpoint.dir).empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        options.run_dir, " already holds checkpoints of a run: continue it with --resume ",
        options.run_dir, ", or choose another run.dir"));
  }
  auto metrics = MetricsWriter::Open(options.run_dir);
  if (!metrics.ok()) return metrics.status();
  l->metrics_ = std::move(*metrics);
  l->validator_ = std::move(validator);
  auto store = CheckpointStore::Open(l->options_.checkpoint);
  if (!store.ok()) return store.status();
  l->checkpoints_ = std::make_unique<CheckpointStore>(*std::move(store));
  if (!options.resume_from.empty()) PASSRL_RETURN_IF_ERROR(l->Resume());
  if (!options.config_yaml.empty()) {
    PASSRL_RETURN_IF_ERROR(
        ReplaceFileDurably(options.run_dir + "/config.yaml", options.config_yaml));
  }
  std::optional<wire::CurveServerKeys> keys;
  if (!options.curve_dir.empty()) {
    auto loaded = wire::LoadServerKeys(options.curve_dir);
    if (!loaded.ok()) return loaded.status();
    keys = *std::move(loaded);
    auto zap = wire::ZapAuthenticator::Start(context, keys->authorized);
    if (!zap.ok()) return zap.status();
    l->io_->zap = *std::move(zap);
    wire::MakeCurveServer(l->io_->pull, *keys);
    std::printf("learner: CurveZMQ on; %zu authorized actor keys from %s\n",
                keys->authorized.size(), options.curve_dir.c_str());
  }
  try {
    // Bounded memory against floods and absurd messages: size cap, receive high-water mark.
    l->io_->pull.set(zmq::sockopt::maxmsgsize, wire::kMaxMessageBytes);
    // Per connection: with N actors the queue holds at most N x kReceiveHwm messages.
    l->io_->pull.set(zmq::sockopt::rcvhwm, kReceiveHwm);
    l->io_->pull.set(zmq::sockopt::rcvtimeo, 100);
    l->io_->pull.set(zmq::sockopt::backlog, kConnectBacklog);
    l->io_->pull.bind(absl::StrCat("tcp://", options.bind_host, ":",
                               options.port == 0 ? "*" : std::to_string(options.port)));
  } catch (const zmq::error_t& e) {
    return absl::UnavailableError(
        absl::StrCat("learner cannot bind its sockets on ", options.bind_host, ": ", e.what()));
  }
  wire::PublisherOptions p;
  p.bind = absl::StrCat("tcp://", options.bind_host, ":",
                        options.weights_port == 0 ? "*" : std::to_string(options.weights_port));
  p.curve = keys ? &*keys : nullptr;
  auto weights = wire::WeightsPublisher::Bind(context, p);
  if (!weights.ok()) return weights.status();
  l->io_->weights.emplace(*std::move(weights));
  l->port_ = PortOf(l->io_->pull.get(zmq::sockopt::last_endpoint));
  l->weights_port_ = PortOf(l->io_->weights->endpoint());
  return l;
}

std::string Learner::TransitionsEndpoint(const std::string& host) const {
  return absl::StrCat("tcp://", host, ":", port_);
}
std::string Learner::WeightsEndpoint(const std::string& host) const {
  return absl::StrCat("tcp://", host, ":", weights_port_);
}

absl::Status Learner::Resume() {
  auto loaded = LoadLatestCheckpoint(options_.resume_from, options_.resume_fallback);
  if (!loaded.ok()) {
    return absl::Status(
        loaded.status().code(),
        absl::StrCat(
            "cannot resume from ", options_.resume_from, ": ", loaded.status().message(),
            options_.resume_fallback ? "" : " (--resume-fallback tries the previous checkpoint)"));
  }
  PASSRL_RETURN_IF_ERROR(CheckCompatible(loaded->spaces, Spaces()));
  if (loaded->spaces.horizon.empty()) {
    std::printf(
        "learner: %s predates env.horizon (its transitions observed the step fraction and "
        "bootstrapped the last step); its replay now mixes with env.horizon %s transitions\n",
        loaded->path.c_str(), options_.horizon.c_str());
  }
  absl::Status s = agent_->LoadState(loaded->agent_state);
  if (!s.ok()) return absl::DataLossError(absl::StrCat(loaded->path, "/agent.pt: ", s.message()));
  s = replay::RestoreReplaySnapshot(loaded->replay_dir, loaded->replay, replay_.get());
  if (!s.ok()) return s;
  benchmarks_.Restore(loaded->benchmarks);
  if (!loaded->sequences_json.empty()) {
    s = pool_.MergeJson(loaded->sequences_json);
    if (!s.ok()) return absl::DataLossError(absl::StrCat(loaded->path, ": ", s.message()));
  }
  const CheckpointCounters& c = loaded->counters;
  updates_ = c.updates;
  version_ = c.policy_version;
  inserted_ = c.transitions_inserted;
  received_ = c.messages_received;
  rejected_ = c.messages_rejected;
  elapsed_before_ = c.elapsed_seconds;
  resumes_ = c.resumes + 1;
  std::ifstream best(options_.run_dir + "/policy-best.json");  // the run's record goes on
  const nlohmann::json record = nlohmann::json::parse(best, nullptr, /*allow_exceptions=*/false);
  if (!record.is_discarded() && record.contains("validation_geomean") && record["validation_geomean"].is_number()) {
    best_validation_ = record["validation_geomean"].get<double>();
  }
  last_inserted_ = inserted_.load();
  last_updates_ = updates_.load();
  std::printf(
      "learner: resumed from %s (checkpoint %lld, %s): %lld updates, policy version %llu, %lld "
      "transitions in replay of %llu inserted, %.0f s trained\n",
      loaded->path.c_str(), static_cast<long long>(c.sequence), loaded->reason.c_str(),
      static_cast<long long>(updates_.load()), static_cast<unsigned long long>(version_.load()),
      static_cast<long long>(replay_->size()), static_cast<unsigned long long>(inserted_.load()),
      elapsed_before_);
  std::fflush(stdout);
  return absl::OkStatus();
}

CheckpointCounters Learner::Counters() const {
  CheckpointCounters c;
  c.updates = updates_.load();
  c.policy_version = version_.load();
  c.transitions_inserted = inserted_.load();
  c.messages_received = received_.load();
  c.messages_rejected = rejected_.load();
  c.elapsed_seconds = Elapsed();
  c.resumes = resumes_;
  return c;
}

CheckpointSpaces Learner::Spaces() const {
  return {options_.action_space_hash, options_.sac.shape.num_actions, options_.sac.shape.obs_dim,
          options_.sac.shape.hidden, options_.horizon};
}

double Learner::Elapsed() const {
  const double start = start_.load();
  return elapsed_before_ + (start > 0 ? MonotonicSeconds() - start : 0);
}

void Learner::Checkpoint(const std::string& reason) {
  CheckpointContents contents;
  contents.counters = Counters();
  contents.spaces = Spaces();
  auto state = agent_->SaveState();
  if (!state.ok()) {
    std::printf("learner: checkpoint skipped: %s\n", std::string(state.status().message()).c_str());
    return;
  }
  contents.agent_state = *std::move(state);
  contents.config_yaml = options_.config_yaml;
  contents.reason = reason;
  contents.replay = replay_.get();
  contents.benchmarks = benchmarks_.Names();
  contents.sequences_json = pool_.ToJson();
  SaveSequences(contents.sequences_json);
  CheckpointWriteStats stats;
  auto path = checkpoints_->Write(std::move(contents), &stats);
  if (!path.ok()) {
    // Disk full and the like: the previous checkpoints are intact; training goes on.
    std::printf("learner: %s; the previous checkpoint stays the latest, training goes on\n",
                std::string(path.status().message()).c_str());
  } else {
    std::printf(
        "learner: checkpoint %s (%s): %lld updates, %lld transitions, %.1f MB in %.2f s "
        "(ingestion paused at most %.1f ms)\n",
        path->c_str(), reason.c_str(), static_cast<long long>(updates_.load()),
        static_cast<long long>(stats.transitions), stats.bytes / 1e6, stats.seconds,
        stats.replay.max_lock_seconds * 1e3);
  }
  std::fflush(stdout);
}

void Learner::IngestLoop() {
  while (!ingest_stop_) {
    zmq::message_t message;
    try {
      if (!io_->pull.recv(message)) continue;  // timeout: look at stop_
    } catch (const zmq::error_t&) {
      continue;
    }
    Ingest(message.data(), message.size());
  }
}

void Learner::Ingest(const void* data, size_t size) {
  ++received_;
  wire::Expectations expect;
  expect.action_space_hash = options_.action_space_hash;
  expect.obs_dim = options_.sac.shape.obs_dim;
  expect.num_actions = options_.sac.shape.num_actions;
  proto::ActorMessage* decoded = &io_->scratch;
  absl::Status valid = wire::DecodeActorMessageInto(
      absl::string_view(static_cast<const char*>(data), size), expect, decoded);
  if (!valid.ok()) {
    ++rejected_;
    MutexLock lock(&mu_);
    // Keyed by the reason with numbers masked, so hostile input cannot grow the table.
    std::string reason(valid.message().substr(0, 60));
    for (char& ch : reason) {
      if (ch >= '0' && ch <= '9') ch = '#';
    }
    ++rejections_[reason];
    return;
  }
  const int actor = decoded->actor_id();
  if (decoded->has_status()) {
    MutexLock lock(&mu_);
    ActorInfo& info = Actor(actor);
    if (decoded->status().kind() == proto::ActorStatus::HELLO) {
      std::printf("learner: actor %d joined from %s (pid %d, cpu %d)\n", actor,
                  decoded->status().hostname().c_str(), decoded->status().pid(),
                  decoded->status().cpu());
    }
    info.last = decoded->status();
    for (const proto::BestSequence& b : decoded->status().new_bests()) {
      pool_.Offer(b.benchmark(), b.ratio_vs_oz(), {b.actions().begin(), b.actions().end()});
    }
    info.last_heard = MonotonicSeconds();
    info.reported_silent = false;
    return;
  }
  const proto::TransitionBatch& b = decoded->batch();
  const int n = b.actions_size();
  policy_lag_sum_ += InsertBatch(b, actor, version_.load(), benchmarks_, *replay_);
  policy_lag_count_ += static_cast<uint64_t>(n);
  inserted_ += static_cast<uint64_t>(n);
  MutexLock lock(&mu_);
  ActorInfo& info = Actor(actor);
  info.transitions += static_cast<uint64_t>(n);
  info.last_heard = MonotonicSeconds();
  info.reported_silent = false;
}

Learner::ActorInfo& Learner::Actor(int id) {
  std::unique_ptr<ActorInfo>& info = actors_[id];
  if (!info) info = std::make_unique<ActorInfo>();
  return *info;
}

std::string Learner::WeightsMessage(Sent kind, bool half) {
  proto::LearnerMessage m;
  m.set_schema_version(wire::kSchemaVersion);
  m.set_action_space_hash(options_.action_space_hash);
  m.set_version(version_.load());
  m.set_run_id(run_id_);
  m.set_obs_dim(options_.sac.shape.obs_dim);
  m.set_num_actions(options_.sac.shape.num_actions);
  m.set_stop(kind == Sent::kStop);
  m.set_published_unix_seconds(UnixSeconds());
  if (kind == Sent::kWeights) wire::SetParameters(agent_->PolicyParameters(), half, &m);
  return m.SerializeAsString();
}

void Learner::Publish(Sent kind) {
  io_->weights->Send(WeightsMessage(kind, options_.weights_float16), kind != Sent::kKeepalive);
}

// The policy as the actors receive it (a LearnerMessage), for `passrl eval --policy`.
void Learner::SaveSequences(const std::string& json) {
  absl::Status s = ReplaceFileDurably(options_.run_dir + "/sequences.json", json);
  if (!s.ok()) std::printf("learner: sequences.json: %s\n", std::string(s.message()).c_str());
}

std::string Learner::SavePolicy(const std::string& name) {
  std::string policy = WeightsMessage(Sent::kWeights, false);
  absl::Status s = ReplaceFileDurably(options_.run_dir + "/" + name, policy);
  if (!s.ok()) {
    std::printf("learner: %s; keeping the previous policy file\n",
                std::string(s.message()).c_str());
  }
  return policy;
}

void Learner::Validate(double now, bool wait) {
  if (validator_ == nullptr || options_.validation_seconds <= 0) return;
  if (validation_thread_.joinable()) {
    if (!wait && !validation_done_.load()) return;
    validation_thread_.join();
    RecordValidation();
  }
  if (wait || now - last_validation_ < options_.validation_seconds) return;
  last_validation_ = now;
  const std::string file = options_.run_dir + "/policy-validation.pb";
  validation_policy_ = SavePolicy("policy-validation.pb");
  validation_updates_ = updates_.load();
  validation_elapsed_ = Elapsed();
  validation_done_ = false;
  validation_thread_ = std::thread([this, file] {
    validation_score_ = validator_->Score(file);
    validation_done_ = true;
  });
}

void Learner::RecordValidation() {
  if (validation_score_.ok()) {
    std::printf("learner: validation at %.1f min (%lld updates): %.4f\n",
                validation_elapsed_ / 60, static_cast<long long>(validation_updates_),
                *validation_score_);
    // At the current step and time (metrics stay in order); the policy's own are beside.
    metrics_->Write(updates_.load(),
                    {{"validation_geomean", *validation_score_},
                     {"validation_policy_seconds", validation_elapsed_},
                     {"validation_policy_updates", static_cast<double>(validation_updates_)},
                     {"elapsed_seconds", Elapsed()}});
    KeepIfBest(*validation_score_);
  } else {
    std::printf("learner: validation failed: %s\n",
                std::string(validation_score_.status().message()).c_str());
  }
  std::fflush(stdout);
}

void Learner::KeepIfBest(double score) {
  if (score < best_validation_) return;
  const nlohmann::json doc = {{"validation_geomean", score},
                              {"policy_seconds", validation_elapsed_},
                              {"policy_updates", validation_updates_}};
  absl::Status s = ReplaceFileDurably(options_.run_dir + "/policy-best.pb", validation_policy_);
  if (s.ok()) s = ReplaceFileDurably(options_.run_dir + "/policy-best.json", doc.dump(2) + "\n");
  if (!s.ok()) {
    std::printf("learner: keeping the best-validated policy failed: %s\n", std::string(s.message()).c_str());
    return;
  }
  best_validation_ = score;
  std::printf("learner: best validation so far (%.4f): policy-best.pb\n", score);
}

absl::Status Learner::Run() {
  std::printf("learner: transitions on port %d, weights on port %d, device %s, run dir %s\n", port_,
              weights_port_, agent_->device().is_cuda() ? "cuda" : "cpu", options_.run_dir.c_str());
  if (absl::Status kept = RetainFreedHeap(size_t(options_.retain_heap_mb) << 20); !kept.ok()) {
    std::printf("learner: freed memory goes back to the kernel (%s)\n",
                std::string(kept.message()).c_str());
  }
  if (options_.sac.hidden_bfloat16 && !agent_->device().is_cuda() && !CpuHasBfloat16()) {
    std::printf("learner: sac.hidden_bfloat16 on a CPU without AVX512-BF16 or AMX: the bfloat16 "
                "products are emulated, likely slower than float32\n");
  }
  std::fflush(stdout);
  ingest_ = std::thread([this] { IngestLoop(); });
  start_ = MonotonicSeconds();
  last_validation_ = start_ - options_.validation_seconds;  // a first point before training
  last_report_ = start_.load();
  double last_publish = start_.load(), last_snapshot = last_report_, last_checkpoint = last_report_;
  int64_t last_checkpoint_updates = updates_.load();
  if (version_ == 0) version_ = 1;
  Publish(Sent::kWeights);  // the first version: what actors act with until the next
  SacLosses losses;
  const int cpus = AllowedCpuCount();
  torch::set_num_threads(options_.UpdateThreads(cpus));
  const bool prefetch = options_.Prefetch(agent_->device().is_cuda());
  BatchSampler sampler(replay_.get(), options_.batch_size, agent_->device(), prefetch);
  std::printf("learner: %d update threads, %s\n", torch::get_num_threads(),
              prefetch ? "a sampler thread prepares batches" : "batches sampled between updates");
  ReadyBatch batch;
  const CheckpointOptions& ckpt = options_.checkpoint;
  while (!stop_) {
    const double now = MonotonicSeconds();
    if (options_.duration_seconds > 0 && Elapsed() >= options_.duration_seconds) break;
    if (checkpoint_wanted_.exchange(false) ||
        (ckpt.every_seconds > 0 && now - last_checkpoint >= ckpt.every_seconds) ||
        (ckpt.every_updates > 0 && updates_.load() - last_checkpoint_updates >= ckpt.every_updates)) {
      Checkpoint("periodic");
      last_checkpoint = MonotonicSeconds();
      last_checkpoint_updates = updates_.load();
      continue;
    }
    // Each version is sent once (late joiners get it as the welcome); otherwise a keepalive a
    // second tells actors the learner is alive and which version is current.
    io_->weights->Service();
    if (now - last_publish >= 1.0) {
      Publish(Sent::kKeepalive);
      last_publish = now;
    }
    if (now - last_report_ >= options_.progress_seconds) Report(now, Elapsed(), losses);
    if (options_.snapshot_seconds > 0 && now - last_snapshot >= options_.snapshot_seconds) {
      SavePolicy(absl::StrCat("policy-", static_cast<int64_t>(Elapsed()), "s.pb"));
      last_snapshot = now;
    }
    Validate(now, /*wait=*/false);
    const int64_t inserted = static_cast<int64_t>(inserted_.load());
    const double allowed = static_cast<double>(inserted) * options_.samples_per_insert /
                           static_cast<double>(options_.batch_size);
    if (replay_->size() < options_.warmup_transitions || static_cast<double>(updates_.load()) >= allowed) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // wait for data
      continue;
    }
    if (!sampler.Next(&batch)) continue;
    losses = agent_->Update(batch.tensors);
    if (options_.replay.prioritized) {
      for (float& e : losses.td_errors) e += 1e-3f;
      replay_->UpdatePriorities(batch.sequences, losses.td_errors);
    }
    last_critic_ = losses.critic;
    last_policy_ = losses.policy;
    const int64_t updates = ++updates_;
    if (updates % options_.publish_every == 0) {
      ++version_;
      Publish(Sent::kWeights);
      last_publish = now;
    }
  }
  const double elapsed = Elapsed();
  Report(MonotonicSeconds(), elapsed, losses);
  // Tell actors to stop (a few times: PUB drops messages for a subscriber that is reconnecting).
  for (int i = 0; i < 5; ++i) {
    Publish(Sent::kStop);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // goodbyes and last batches
  ingest_stop_ = true;
  ingest_.join();
  Validate(MonotonicSeconds(), /*wait=*/true);  // the last point in flight, if any
  const int sig = stop_signal_.load();
  Checkpoint(sig == 0 ? "final" : absl::StrCat("stopped by SIG", sigabbrev_np(sig)));
  SavePolicy("policy.pb");
  SaveSequences(pool_.ToJson());
  WriteSummary(elapsed);
  return absl::OkStatus();
}

void Learner::Report(double now, double elapsed, const SacLosses& losses) {
  const double dt = std::max(now - last_report_, 1e-9);
  const uint64_t inserted = inserted_.load();
  const double tps = static_cast<double>(inserted - last_inserted_) / dt;
  const double ups = static_cast<double>(updates_.load() - last_updates_) / dt;
  last_report_ = now;
  last_inserted_ = inserted;
  last_updates_ = updates_.load();
  const uint64_t lag_n = policy_lag_count_.exchange(0);
  const double lag = lag_n ? static_cast<double>(policy_lag_sum_.exchange(0)) / lag_n : 0;
  double mean_return = 0, best_ratio = 0;
  int reporting = 0;
  {
    MutexLock lock(&mu_);
    for (auto& [id, entry] : actors_) {
      ActorInfo& info = *entry;
      if (info.last.steps() > 0) {
        mean_return += info.last.mean_episode_return();
        best_ratio = std::max(best_ratio, info.last.best_ratio_vs_oz());
        ++reporting;
      }
      if (!info.reported_silent && now - info.last_heard > options_.heartbeat_timeout_seconds) {
        std::printf(
            "learner: actor %d silent for %.0f s (last heard from %s pid %d); going on "
            "without it\n",
            id, now - info.last_heard, info.last.hostname().c_str(), info.last.pid());
        info.reported_silent = true;
        info.ever_silent = true;
      }
    }
  }
  if (reporting > 0) {
    mean_return /= reporting;
  } else {  // no actor has finished an episode yet (e.g. just after a resume): no value, not 0
    mean_return = best_ratio = NAN;
  }
  std::printf(
      "[%6.0fs] transitions/s %7.0f  updates/s %6.1f  replay %8lld  lag %5.1f  alpha %.4f  "
      "critic %.4f  policy %+.4f  return %+.3f  best %.3fx %s  rejected %llu\n",
      elapsed, tps, ups, static_cast<long long>(replay_->size()), lag, agent_->alpha(),
      losses.critic, losses.policy, mean_return, best_ratio, options_.baseline.c_str(),
      static_cast<unsigned long long>(rejected_.load()));
  std::fflush(stdout);
  metrics_->Write(updates_.load(), {{"transitions_per_second", tps},
                             {"updates_per_second", ups},
                             {"replay_size", static_cast<double>(replay_->size())},
                             {"transitions_inserted", static_cast<double>(inserted)},
                             {"policy_lag", lag},
                             {"alpha", agent_->alpha()},
                             {"loss/critic", losses.critic},
                             {"loss/policy", losses.policy},
                             {"loss/alpha", losses.alpha_loss},
                             {"entropy", losses.entropy},
                             {"q_mean", losses.q_mean},
                             {"mean_episode_return", mean_return},
                             {"best_ratio_vs_oz", best_ratio},
                             {"policy_version", static_cast<double>(version_.load())},
                             {"rejected_messages", static_cast<double>(rejected_.load())},
                             {"elapsed_seconds", elapsed}});
}

void Learner::WriteSummary(double elapsed) {
  nlohmann::json s;
  s["elapsed_seconds"] = elapsed;
  s["updates"] = updates_.load();
  s["policy_version"] = version_.load();
  s["transitions_inserted"] = inserted_.load();
  s["messages_received"] = received_.load();
  s["messages_rejected"] = rejected_.load();
  s["replay_size"] = replay_->size();
  s["last_critic_loss"] =
      std::isfinite(last_critic_) ? nlohmann::json(last_critic_) : nlohmann::json(nullptr);
  s["last_policy_loss"] =
      std::isfinite(last_policy_) ? nlohmann::json(last_policy_) : nlohmann::json(nullptr);
  s["alpha"] = agent_->alpha();
  s["weights_messages"] = io_->weights->counters().messages;
  s["weights_bytes_sent"] = io_->weights->counters().bytes;  // once per message, not per actor
  s["weights_subscriptions"] = io_->weights->counters().subscriptions;
  s["max_rss_bytes"] = MaxRssBytes();
  if (io_->zap) {
    s["handshakes_allowed"] = io_->zap->allowed();
    s["handshakes_denied"] = io_->zap->denied();
  }
  MutexLock lock(&mu_);
  for (const auto& [reason, count] : rejections_) s["rejections"][reason] = count;
  int silent = 0;
  for (const auto& [id, entry] : actors_) silent += entry->ever_silent ? 1 : 0;
  s["actors_known"] = actors_.size();
  s["actors_reported_silent"] = silent;  // actors reported silent at least once
  for (const auto& [id, entry] : actors_) {
    const ActorInfo& info = *entry;
    nlohmann::json a;
    a["transitions_received"] = info.transitions;
    a["hostname"] = info.last.hostname();
    a["pid"] = info.last.pid();
    a["cpu"] = info.last.cpu();
    a["steps"] = info.last.steps();
    a["episodes"] = info.last.episodes();
    a["versions_adopted"] = info.last.versions_adopted();
    a["policy_version"] = info.last.policy_version();
    a["mean_episode_return"] = info.last.mean_episode_return();
    a["best_ratio_vs_oz"] = info.last.best_ratio_vs_oz();
    a["best_benchmark"] = info.last.best_benchmark();
    a["best_actions"] = info.last.best_actions();
    a["worker_crashes"] = info.last.worker_crashes();
    a["steps_per_second"] = info.last.steps_per_second();
    a["said_goodbye"] = info.last.kind() == proto::ActorStatus::GOODBYE;
    s["actors"][std::to_string(id)] = a;
  }
  std::ofstream(options_.run_dir + "/summary.json") << s.dump(2) << "\n";
  std::printf(
      "learner: %lld updates, %llu transitions, policy version %llu; summary in %s/summary.json\n",
      static_cast<long long>(updates_.load()), static_cast<unsigned long long>(inserted_.load()),
      static_cast<unsigned long long>(version_.load()), options_.run_dir.c_str());
}

}  // namespace passrl::learner
