#include "actors/actor.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "actors/observation.h"
#include "common/clock.h"
#include "common/host.h"
#include "envs/action_space.h"
#include "nlohmann/json.hpp"
#include "proto/transition.h"
#include "proto/wire.h"

namespace passrl::actors {
namespace {

constexpr size_t kMaxBestsPerStatus = 256;  // keeps a status message small

}  // namespace

absl::Status ActorOptions::Validate() const {
  if (actor_id < 1) return absl::InvalidArgumentError("actor_id must be >= 1");
  if (episode_length < 1) return absl::InvalidArgumentError("env.episode_length must be >= 1");
  if (batch_transitions < 1)
    return absl::InvalidArgumentError("actor.batch_transitions must be >= 1");
  if (!(flush_seconds > 0)) return absl::InvalidArgumentError("actor.flush_seconds must be > 0");
  if (!(heartbeat_seconds > 0))
    return absl::InvalidArgumentError("actor.heartbeat_seconds must be > 0");
  if (!(noop_penalty >= 0 && noop_penalty < 1))
    return absl::InvalidArgumentError("env.noop_penalty must be in [0, 1)");
  if (!benchmark_weights.empty()) {
    if (benchmark_weights.size() != benchmarks.size()) {
      return absl::InvalidArgumentError("one benchmark weight per benchmark");
    }
    double total = 0;
    for (double w : benchmark_weights) {
      if (!(w >= 0) || !std::isfinite(w)) return absl::InvalidArgumentError("bad benchmark weight");
      total += w;
    }
    if (!(total > 0)) return absl::InvalidArgumentError("benchmark weights sum to 0");
  }
  return absl::OkStatus();
}

Actor::Actor(ActorOptions options, std::unique_ptr<EnvClient> env, std::unique_ptr<Policy> policy,
             zmq::context_t* context, Clock clock)
    : options_(std::move(options)),
      env_(std::move(env)),
      policy_(std::move(policy)),
      push_(*context, zmq::socket_type::push),
      sub_(*context, zmq::socket_type::sub),
      clock_(clock ? std::move(clock) : MonotonicSeconds),
      benchmark_rng_(options_.seed * 0x9e3779b97f4a7c15ull + 17),
      benchmark_pick_(options_.benchmark_weights.begin(), options_.benchmark_weights.end()) {}

absl::Status Actor::Run() {
  absl::Status valid = options_.Validate();
  if (!valid.ok()) return valid;
  if (options_.transitions_endpoint.empty() || options_.weights_endpoint.empty()) {
    return absl::InvalidArgumentError("actor needs the learner's endpoints");
  }
  if (options_.benchmarks.empty()) return absl::InvalidArgumentError("actor has no benchmarks");
  if (env_->max_steps() != options_.episode_length) {
    return absl::InvalidArgumentError(absl::StrCat(
        "actor ", options_.actor_id, ": its environment ends episodes after ", env_->max_steps(),
        " steps but env.episode_length is ", options_.episode_length));
  }
  try {
    if (options_.curve) {
      wire::MakeCurveClient(push_, *options_.curve);
      wire::MakeCurveClient(sub_, *options_.curve);
    }
    push_.set(zmq::sockopt::sndhwm, 256);
    push_.set(zmq::sockopt::linger, 2000);
    push_.set(zmq::sockopt::reconnect_ivl_max, 5000);
    push_.connect(options_.transitions_endpoint);
    sub_.set(zmq::sockopt::rcvhwm, 8);  // versions queued between polls; the last is adopted
    sub_.set(zmq::sockopt::subscribe, "");
    sub_.set(zmq::sockopt::maxmsgsize, wire::kMaxMessageBytes);
    sub_.set(zmq::sockopt::reconnect_ivl_max, 5000);
    sub_.connect(options_.weights_endpoint);
    weights_connected_ = options_.weights_endpoint;
  } catch (const zmq::error_t& e) {
    return absl::InvalidArgumentError(absl::StrCat("actor ", options_.actor_id,
                                                   ": cannot connect to ",
                                                   options_.transitions_endpoint, ": ", e.what()));
  }
  start_ = last_heartbeat_ = last_weights_ = last_warning_ = clock_();
  SendStatus(proto::ActorStatus::HELLO);
  while (!stop_) {
    const double now = clock_();
    if (options_.max_seconds > 0 && now - start_ >= options_.max_seconds) break;
    PollWeights();
    if (!in_episode_) StartEpisode();
    if (in_episode_ && !RunEpisodeStep()) in_episode_ = false;
    Flush(false);
    if (now - last_heartbeat_ >= options_.heartbeat_seconds) {
      SendStatus(proto::ActorStatus::HEARTBEAT);
      last_heartbeat_ = now;
    }
    if (options_.learner_lost_seconds > 0 && now - last_weights_ > options_.learner_lost_seconds) {
      // The learner is gone (killed; under `mpirun --enable-recovery` the job would not end).
      Flush(true);
      return absl::UnavailableError(absl::StrFormat(
          "actor %d: no weights from the learner at %s for %.0f s: it is gone; stopping (resume "
          "the run from its checkpoint to continue)",
          options_.actor_id, options_.weights_endpoint, now - last_weights_));
    }
    if (!options_.weights_fallback_endpoint.empty() &&
        weights_connected_ != options_.weights_fallback_endpoint &&
        now - last_weights_ > options_.relay_silence_seconds) {
      std::fprintf(stderr,
                   "actor %d: the node's weights relay at %s is silent for %.0f s; subscribing to "
                   "the learner at %s directly\n",
                   options_.actor_id, weights_connected_.c_str(), now - last_weights_,
                   options_.weights_fallback_endpoint.c_str());
      Resubscribe(options_.weights_fallback_endpoint);
    }
    if (now - last_weights_ > options_.learner_silence_seconds &&
        now - last_warning_ > options_.learner_silence_seconds) {
      std::fprintf(stderr, "actor %d: no weights from the learner at %s for %.0f s; still trying\n",
                   options_.actor_id, options_.weights_endpoint.c_str(), now - last_weights_);
      last_warning_ = now;
    }
  }
  Flush(true);
  SendStatus(proto::ActorStatus::GOODBYE);
  return absl::OkStatus();
}

// Drains the weights socket: adopts the last weights that arrived (decoding only that one), obeys
// a stop, and reconnects when a keepalive names a version this actor does not hold.
void Actor::PollWeights() {
  wire::Expectations expect;
  expect.action_space_hash = envs::SpecOf(options_.compiler).action_space_hash();
  expect.obs_dim = ObservationDim(options_.compiler);
  expect.num_actions = envs::SpecOf(options_.compiler).num_actions();
  auto decode = [&](const zmq::message_t& m) {
    return wire::DecodeLearnerMessage(
        absl::string_view(static_cast<const char*>(m.data()), m.size()), expect,
        policy_->parameter_count());
  };
  zmq::message_t message, newest;
  std::optional<proto::LearnerMessage> keepalive;
  while (sub_.recv(message, zmq::recv_flags::dontwait)) {
    auto header = wire::PeekLearnerMessage(
        absl::string_view(static_cast<const char*>(message.data()), message.size()));
    if (header.ok() && header->has_parameters && !header->stop) {
      newest = std::move(message);
      continue;
    }
    auto decoded = decode(message);
    if (!decoded.ok()) {
      ++stats_.bad_weights;
      continue;
    }
    last_weights_ = clock_();
    if (decoded->stop()) {
      stop_ = true;
      return;
    }
    keepalive = *std::move(decoded);
  }
  if (newest.size() > 0) {
    auto decoded = decode(newest);
    if (!decoded.ok()) {
      ++stats_.bad_weights;
    } else {
      last_weights_ = clock_();
      // A restarted learner (new run id) counts versions afresh: adopt whatever it sends.
      if (decoded->run_id() != learner_run_id_ || decoded->version() > policy_->version()) {
        learner_run_id_ = decoded->run_id();
        if (policy_->SetWeights(decoded->version(), wire::Parameters(*decoded)).ok()) {
          ++stats_.versions_adopted;
        } else {
          ++stats_.bad_weights;
        }
      }
    }
  }
  if (keepalive &&
      wire::MissesVersion(keepalive->run_id(), keepalive->version(), learner_run_id_,
                          policy_->version()) &&
      clock_() - last_resubscribe_ > wire::kResubscribeSeconds) {
    Resubscribe(weights_connected_);
  }
}

void Actor::Resubscribe(const std::string& endpoint) {
  last_resubscribe_ = clock_();
  try {
    sub_.disconnect(weights_connected_);
    sub_.connect(endpoint);
    weights_connected_ = endpoint;
  } catch (const zmq::error_t& e) {
    std::fprintf(stderr, "actor %d: cannot resubscribe to %s: %s\n", options_.actor_id,
                 endpoint.c_str(), e.what());
  }
  last_weights_ = clock_();  // give the new connection its own silence window
}

void Actor::StartEpisode() {
  benchmark_ = options_.benchmark_weights.empty()
                   ? options_.benchmarks[next_benchmark_++ % options_.benchmarks.size()]
                   : options_.benchmarks[benchmark_pick_(benchmark_rng_)];
  auto outcome = env_->Reset(benchmark_);
  if (!outcome.ok()) {
    // Back off while resets keep failing (a broken installation must not spin and fill the disk).
    reset_backoff_ = std::min(reset_backoff_ > 0 ? reset_backoff_ * 2 : 0.05, 30.0);
    std::this_thread::sleep_for(std::chrono::duration<double>(reset_backoff_));
    if (absl::IsUnavailable(outcome.status())) {
      ++stats_.worker_crashes;
      actions_.clear();
      WriteCrashReport(std::string(outcome.status().message()));
    } else {
      std::fprintf(stderr, "actor %d: skipping %s: %s\n", options_.actor_id, benchmark_.c_str(),
                   std::string(outcome.status().message()).c_str());
    }
    return;
  }
  reset_backoff_ = 0;
  in_episode_ = true;
  ++episode_id_;
  actions_.clear();
  episode_return_ = 0;
  start_observation_ = outcome->observation;
  observation_ = Featurize(start_observation_, outcome->observation, actions_,
                           options_.episode_length, options_.horizon, options_.compiler);
  raw_observation_ = std::move(outcome->observation);
}

bool Actor::RunEpisodeStep() {
  const int step = static_cast<int>(actions_.size());
  const int action = policy_->Act(observation_);
  actions_.push_back(action);
  auto outcome = env_->Step(action);
  if (!outcome.ok()) {
    // The worker crashed or hung (or refused the step): the episode ends here. The action is
    // recorded as terminal with a penalty, so the policy learns to avoid it in such states.
    ++stats_.worker_crashes;
    WriteCrashReport(std::string(outcome.status().message()));
    Record(action, observation_, options_.crash_penalty, /*terminal=*/true, /*truncated=*/false,
           step);
    ++stats_.episodes;
    return false;
  }
  ++stats_.steps;
  // The environment decides where the episode ends: `done` (a runtime miscompile, crash or
  // timeout: terminal, no bootstrapping from the broken module) or `truncated` (the step limit:
  // terminal too under Horizon::kTerminal, where the agent sees the time left).
  const bool terminal =
      outcome->done || (outcome->truncated && options_.horizon == Horizon::kTerminal);
  std::vector<float> next = Featurize(start_observation_, outcome->observation, actions_,
                                      options_.episode_length, options_.horizon, options_.compiler);
  // A pass that changed no feature did nothing the agent can see: it costs a little, so stopping
  // is worth more than filling the episode with no-ops.
  double reward = outcome->reward;
  if (action != envs::SpecOf(options_.compiler).stop_action() &&
      outcome->observation == raw_observation_) {
    reward -= options_.noop_penalty;
  }
  Record(action, next, reward, terminal, outcome->truncated && !outcome->done, step);
  observation_ = std::move(next);
  raw_observation_ = std::move(outcome->observation);
  episode_return_ += reward;
  if (!outcome->done) UpdateBest(*outcome);
  if (!outcome->done && !outcome->truncated) return true;
  EndEpisode();
  return false;
}

void Actor::UpdateBest(const EnvOutcome& outcome) {
  if (outcome.ir_instruction_count <= 0) return;
  const double ratio =
      static_cast<double>(outcome.ir_oz) / static_cast<double>(outcome.ir_instruction_count);
  double& best = best_ratio_[benchmark_];
  if (ratio <= best) return;
  best = ratio;
  new_bests_[benchmark_] = {ratio, actions_};
  double log_sum = 0;
  for (const auto& [name, r] : best_ratio_) log_sum += std::log(r);
  stats_.best_ratio_vs_oz = std::exp(log_sum / static_cast<double>(best_ratio_.size()));
  if (benchmark_ == stats_.best_benchmark || stats_.best_benchmark.empty() ||
      ratio > best_ratio_[stats_.best_benchmark]) {
    stats_.best_benchmark = benchmark_;
    stats_.best_actions = envs::SpecOf(options_.compiler).FormatActions(actions_);
  }
}

void Actor::EndEpisode() {
  ++stats_.episodes;
  recent_returns_.push_back(episode_return_);
  if (recent_returns_.size() > 50) recent_returns_.pop_front();
  double sum = 0;
  for (double r : recent_returns_) sum += r;
  stats_.mean_episode_return = sum / static_cast<double>(recent_returns_.size());
}

void Actor::Record(int action, const std::vector<float>& next, double reward, bool terminal,
                   bool truncated, int step) {
  // Benchmark ids are stable for the actor's life; Flush sends the names with each batch.
  const auto it =
      benchmark_ids_.emplace(benchmark_, static_cast<uint32_t>(benchmark_ids_.size())).first;
  wire::TransitionFields f;
  f.action = action;
  f.reward = static_cast<float>(reward);
  f.terminal = terminal;
  f.truncated = truncated;
  f.episode_id = (static_cast<uint64_t>(options_.actor_id) << 40) |
                 (static_cast<uint64_t>(options_.session & 0xff) << 32) | episode_id_;
  f.step = step;
  f.policy_version = policy_->version();
  f.benchmark_id = it->second;
  pending_.set_obs_dim(ObservationDim(options_.compiler));
  if (pending_.actions_size() == 0) pending_since_ = clock_();
  wire::AppendTransition(observation_, next, f, &pending_);
}

void Actor::Flush(bool force) {
  const int n = pending_.actions_size();
  if (n == 0 || (!force && n < options_.batch_transitions &&
                 clock_() - pending_since_ < options_.flush_seconds)) {
    return;
  }
  // Names for every id used so far (ids are stable for the actor's life).
  pending_.clear_benchmark_names();
  std::vector<std::string> names(benchmark_ids_.size());
  for (const auto& [name, id] : benchmark_ids_) names[id] = name;
  for (const auto& name : names) pending_.add_benchmark_names(name);
  proto::ActorMessage message = wire::NewActorMessage(options_.actor_id, envs::SpecOf(options_.compiler).action_space_hash());
  *message.mutable_batch() = std::move(pending_);
  pending_.Clear();
  if (SendOrBackOff(message.SerializeAsString()))
    stats_.transitions_sent += static_cast<uint64_t>(n);
}

bool Actor::SendOrBackOff(const std::string& bytes) {
  for (int attempt = 0;; ++attempt) {
    if (push_.send(zmq::buffer(bytes), zmq::send_flags::dontwait)) {
      backoff_ = 0.1;
      return true;
    }
    if (stop_ || attempt >= 6) return false;  // dropped: the learner is gone for now
    std::fprintf(stderr,
                 "actor %d: learner at %s unreachable (send queue full); retrying in %.1f s\n",
                 options_.actor_id, options_.transitions_endpoint.c_str(), backoff_);
    std::this_thread::sleep_for(std::chrono::duration<double>(backoff_));
    backoff_ = std::min(backoff_ * 2, 5.0);
    PollWeights();
  }
}

void Actor::SendStatus(proto::ActorStatus::Kind kind) {
  proto::ActorMessage message = wire::NewActorMessage(options_.actor_id, envs::SpecOf(options_.compiler).action_space_hash());
  proto::ActorStatus* s = message.mutable_status();
  s->set_kind(kind);
  s->set_hostname(Hostname());
  s->set_pid(getpid());
  s->set_cpu(options_.cpu);
  s->set_policy_version(policy_->version());
  s->set_versions_adopted(stats_.versions_adopted);
  s->set_steps(stats_.steps);
  s->set_episodes(stats_.episodes);
  s->set_transitions_sent(stats_.transitions_sent);
  s->set_mean_episode_return(stats_.mean_episode_return);
  s->set_best_ratio_vs_oz(stats_.best_ratio_vs_oz);
  s->set_best_benchmark(stats_.best_benchmark);
  s->set_best_actions(stats_.best_actions);
  s->set_worker_crashes(stats_.worker_crashes);
  const double elapsed = clock_() - start_;
  s->set_steps_per_second(elapsed > 0 ? static_cast<double>(stats_.steps) / elapsed : 0);
  std::vector<std::string> sent;
  for (const auto& [benchmark, best] : new_bests_) {
    if (sent.size() == kMaxBestsPerStatus) break;
    proto::BestSequence* b = s->add_new_bests();
    b->set_benchmark(benchmark);
    b->set_ratio_vs_oz(best.ratio);
    for (int a : best.actions) b->add_actions(a);
    sent.push_back(benchmark);
  }
  // Dropped (the learner is away): the improvements go with a later status.
  if (!push_.send(zmq::buffer(message.SerializeAsString()), zmq::send_flags::dontwait)) return;
  for (const std::string& benchmark : sent) new_bests_.erase(benchmark);
}

void Actor::WriteCrashReport(const std::string& error) {
  std::fprintf(stderr, "actor %d: %s on %s after actions [%s]; episode truncated\n",
               options_.actor_id, error.c_str(), benchmark_.c_str(),
               envs::SpecOf(options_.compiler).FormatActions(actions_).c_str());
  if (options_.crash_dir.empty()) return;
  nlohmann::json report = {
      {"actor", options_.actor_id},
      {"benchmark", benchmark_},
      {"actions", envs::SpecOf(options_.compiler).FormatActions(actions_)},
      {"error", error},
      {"reproduce", absl::StrCat("passrl env ", options_.compiler == envs::Compiler::kMlir ? "--compiler mlir " : "", "--benchmark ", benchmark_, " --actions ",
                                 envs::SpecOf(options_.compiler).FormatActions(actions_))}};
  const std::string path = absl::StrCat(options_.crash_dir, "/crash-actor", options_.actor_id, "-",
                                        stats_.worker_crashes, ".json");
  std::ofstream(path) << report.dump(2) << "\n";
}

}  // namespace passrl::actors
