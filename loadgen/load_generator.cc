#include "loadgen/load_generator.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/fd_limit.h"
#include "passrl.pb.h"
#include "proto/wire.h"
#include "zmq.hpp"

namespace passrl::loadgen {
namespace {

// How long closing waits for queued batches to reach the learner.
constexpr int kFlushMs = 120000;

// One simulated actor: its sockets, its reusable batch message, and what it has received.
struct SimActor {
  SimActor(zmq::context_t& context, int id)
      : id(id), push(context, zmq::socket_type::push), sub(context, zmq::socket_type::sub) {}
  int id;
  zmq::socket_t push, sub;
  std::string weights_endpoint;
  const std::string* batch = nullptr;  // a serialized ActorMessage, sent without copying
  int transitions_per_batch = 0;
  double next_send = 0, next_status = 0, last_resubscribe = 0;
  bool greeted = false;
  uint64_t held = 0, held_run = 0;  // newest weights version received, and its learner's run
  double first_weights = 0;    // Unix time of the first weights
  std::vector<std::pair<uint64_t, double>> adoptions;  // (version, Unix arrival)
};

// What one thread's actors did; merged after the threads join.
struct ThreadResult {
  uint64_t transitions = 0, batches = 0, statuses = 0, weights_bytes = 0, weights_messages = 0;
  std::map<uint64_t, double> published;  // version -> Unix publication time
};

std::string Status(int id, uint64_t hash, proto::ActorStatus::Kind kind) {
  proto::ActorMessage m = wire::NewActorMessage(id, hash);
  proto::ActorStatus* s = m.mutable_status();
  s->set_kind(kind);
  s->set_hostname("loadgen");
  s->set_pid(getpid());
  s->set_cpu(-1);
  return m.SerializeAsString();
}

class Worker {
 public:
  Worker(const LoadOptions& o, std::vector<std::unique_ptr<SimActor>>* actors)
      : o_(o), actors_(*actors) {
    for (auto& a : actors_) items_.push_back({a->sub.handle(), 0, ZMQ_POLLIN, 0});
  }

  void Run(double end, double drain_end) {
    for (double now = MonotonicSeconds(); now < drain_end; now = MonotonicSeconds()) {
      bool sent = false;
      if (now < end) {
        for (auto& a : actors_) sent |= Send(*a, now);
      }
      Receive(sent || now >= end ? 0 : 1);
      if (now >= end && !goodbyes_) {
        for (auto& a : actors_) {
          result_.statuses += a->push.send(zmq::buffer(Status(a->id, o_.action_space_hash,
                                                              proto::ActorStatus::GOODBYE)),
                                           zmq::send_flags::dontwait)
                                  .has_value();
        }
        goodbyes_ = true;
      }
      if (now >= end) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  const ThreadResult& result() const { return result_; }

 private:
  bool Send(SimActor& a, double now) {
    if (now >= a.next_status) {
      const auto kind = a.greeted ? proto::ActorStatus::HEARTBEAT : proto::ActorStatus::HELLO;
      if (a.push.send(zmq::buffer(Status(a.id, o_.action_space_hash, kind)),
                      zmq::send_flags::dontwait)) {
        ++result_.statuses;
        a.greeted = true;
        a.next_status = now + o_.heartbeat_seconds;
      }
    }
    if (o_.rate > 0 && now < a.next_send) return false;
    // No copy: the bytes outlive the context, which flushes what is queued when it closes.
    zmq::message_t m(const_cast<char*>(a.batch->data()), a.batch->size(), nullptr, nullptr);
    if (!a.push.send(m, zmq::send_flags::dontwait)) return false;
    ++result_.batches;
    result_.transitions += static_cast<uint64_t>(a.transitions_per_batch);
    if (o_.rate > 0) a.next_send = std::max(a.next_send + a.transitions_per_batch / o_.rate, now - 1);
    return true;
  }

  void Receive(int timeout_ms) {
    zmq::poll(items_.data(), items_.size(), std::chrono::milliseconds(timeout_ms));
    for (size_t i = 0; i < items_.size(); ++i) {
      if (!(items_[i].revents & ZMQ_POLLIN)) continue;
      SimActor& a = *actors_[i];
      zmq::message_t m;
      while (a.sub.recv(m, zmq::recv_flags::dontwait)) Record(a, m);
    }
  }

  void Record(SimActor& a, const zmq::message_t& m) {
    auto h = wire::PeekLearnerMessage(
        absl::string_view(static_cast<const char*>(m.data()), m.size()));
    if (!h.ok() || h->stop) return;
    const double now = UnixSeconds();
    if (!h->has_parameters) {  // a keepalive: as actors do
      if (wire::MissesVersion(h->run_id, h->version, a.held_run, a.held) &&
          now - a.last_resubscribe > wire::kResubscribeSeconds) {
        a.last_resubscribe = now;
        a.sub.disconnect(a.weights_endpoint);
        a.sub.connect(a.weights_endpoint);
      }
      return;
    }
    result_.weights_bytes += m.size();
    ++result_.weights_messages;
    result_.published.emplace(h->version, h->published_unix_seconds);
    if (!wire::MissesVersion(h->run_id, h->version, a.held_run, a.held)) return;
    a.held = h->version;
    a.held_run = h->run_id;
    if (a.first_weights == 0) a.first_weights = now;
    a.adoptions.emplace_back(h->version, now);
  }

  const LoadOptions& o_;
  std::vector<std::unique_ptr<SimActor>>& actors_;
  std::vector<zmq::pollitem_t> items_;
  ThreadResult result_;
  bool goodbyes_ = false;
};

// Delays of every (actor, version published after it first got weights), and the pairs missed.
void ScoreDelays(const std::vector<std::unique_ptr<SimActor>>& actors,
                 const std::map<uint64_t, double>& published, LoadReport* r) {
  for (const auto& a : actors) {
    if (a->first_weights == 0) {
      ++r->actors_without_weights;
      continue;
    }
    for (const auto& [version, at] : published) {
      if (at <= a->first_weights) continue;
      auto got = std::find_if(a->adoptions.begin(), a->adoptions.end(),
                              [v = version](const auto& x) { return x.first >= v; });
      if (got == a->adoptions.end()) {
        ++r->deliveries_missing;
      } else {
        r->weights_delays.push_back(std::max(0.0, got->second - at));
      }
    }
  }
}

}  // namespace

absl::Status LoadOptions::Validate() const {
  if (actors < 1) return absl::InvalidArgumentError("--actors must be >= 1");
  if (threads < 1) return absl::InvalidArgumentError("--threads must be >= 1");
  if (!(seconds > 0)) return absl::InvalidArgumentError("--seconds must be > 0");
  if (!(rate >= 0)) return absl::InvalidArgumentError("--rate must be >= 0");
  if (transitions_endpoint.empty() || weights_endpoints.empty()) {
    return absl::InvalidArgumentError("the load generator needs the learner's endpoints");
  }
  if (static_cast<int>(weights_endpoints.size()) > actors) {
    return absl::InvalidArgumentError("more simulated nodes than actors");
  }
  return absl::OkStatus();
}

LoadGenerator::LoadGenerator(LoadOptions options, std::vector<proto::TransitionBatch> batches)
    : options_(std::move(options)), batches_(std::move(batches)) {}

LoadGenerator::~LoadGenerator() = default;

absl::StatusOr<LoadReport> LoadGenerator::Run() {
  const LoadOptions& o = options_;
  absl::Status valid = o.Validate();
  if (!valid.ok()) return valid;
  if (batches_.empty()) return absl::InvalidArgumentError("the load generator has no transitions");
  valid = EnsureFileLimit(2 * static_cast<int64_t>(o.actors) + 256,
                          absl::StrCat(o.actors, " simulated actors"));
  if (!valid.ok()) return valid;
  std::vector<std::string> messages(static_cast<size_t>(o.actors));  // outlive the context
  zmq::context_t context(o.threads);
  context.set(zmq::ctxopt::max_sockets, 2 * o.actors + 64);
  std::vector<std::unique_ptr<SimActor>> actors;
  const int nodes = static_cast<int>(o.weights_endpoints.size());
  try {
    for (int i = 0; i < o.actors; ++i) {
      auto a = std::make_unique<SimActor>(context, i + 1);
      const proto::TransitionBatch& b = batches_[static_cast<size_t>(i) % batches_.size()];
      a->transitions_per_batch = b.actions_size();
      proto::ActorMessage m = wire::NewActorMessage(a->id, o.action_space_hash);
      *m.mutable_batch() = b;
      messages[static_cast<size_t>(i)] = m.SerializeAsString();
      a->batch = &messages[static_cast<size_t>(i)];
      a->weights_endpoint = o.weights_endpoints[static_cast<size_t>(
          static_cast<int64_t>(i) * nodes / o.actors)];
      if (o.curve) {
        wire::MakeCurveClient(a->push, *o.curve);
        wire::MakeCurveClient(a->sub, *o.curve);
      }
      a->push.set(zmq::sockopt::sndhwm, 256);  // as real actors
      a->push.set(zmq::sockopt::linger, kFlushMs);
      a->push.connect(o.transitions_endpoint);
      a->sub.set(zmq::sockopt::rcvhwm, 8);  // as real actors
      a->sub.set(zmq::sockopt::subscribe, "");
      a->sub.connect(a->weights_endpoint);
      actors.push_back(std::move(a));
    }
  } catch (const zmq::error_t& e) {
    return absl::UnavailableError(absl::StrCat("load generator: cannot open actor ",
                                               actors.size() + 1, "'s sockets: ", e.what()));
  }
  // Each thread gets an equal contiguous share of the actors.
  std::vector<std::vector<std::unique_ptr<SimActor>>> shares(static_cast<size_t>(o.threads));
  for (size_t i = 0; i < actors.size(); ++i) {
    shares[i * shares.size() / actors.size()].push_back(std::move(actors[i]));
  }
  std::vector<std::unique_ptr<Worker>> workers;
  for (auto& share : shares) workers.push_back(std::make_unique<Worker>(o, &share));
  const double start = MonotonicSeconds(), end = start + o.seconds;
  std::vector<std::thread> threads;
  for (auto& w : workers) {
    threads.emplace_back([&w, end, &o] { w->Run(end, end + o.drain_seconds); });
  }
  for (std::thread& t : threads) t.join();
  LoadReport r;
  r.send_seconds = o.seconds;
  std::map<uint64_t, double> published;
  for (const auto& w : workers) {
    const ThreadResult& t = w->result();
    r.transitions_sent += t.transitions;
    r.batches_sent += t.batches;
    r.statuses_sent += t.statuses;
    r.weights_bytes_received += t.weights_bytes;
    r.weights_messages_received += t.weights_messages;
    published.insert(t.published.begin(), t.published.end());
  }
  r.versions_seen = published.size();
  for (auto& share : shares) {
    ScoreDelays(share, published, &r);
    for (auto& a : share) a->sub.set(zmq::sockopt::linger, 0);
    share.clear();  // closes the sockets; the context keeps what they still have to send
  }
  context.close();  // blocks until every queued batch reached the learner (or kFlushMs)
  r.delivered_seconds = MonotonicSeconds() - start;
  return r;
}

double Quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace passrl::loadgen
