#include "proto/weights_relay.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "proto/wire.h"

namespace passrl::wire {

std::string NodeRelayEndpoint(const std::string& learner_weights_endpoint) {
  std::string name = learner_weights_endpoint;
  for (char& c : name) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '-';
  }
  const char* tmp = std::getenv("TMPDIR");
  return absl::StrCat("ipc://", tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/passrl-",
                      getuid(), "-", name, ".ipc");
}

WeightsRelay::WeightsRelay(RelayOptions options)
    : options_(std::move(options)), context_(1), upstream_(context_, zmq::socket_type::sub) {}

absl::StatusOr<std::unique_ptr<WeightsRelay>> WeightsRelay::Start(RelayOptions options) {
  std::unique_ptr<WeightsRelay> r(new WeightsRelay(std::move(options)));
  const RelayOptions& o = r->options_;
  if (o.downstream_curve) {
    auto zap = ZapAuthenticator::Start(&r->context_, o.downstream_curve->authorized);
    if (!zap.ok()) return zap.status();
    r->zap_ = *std::move(zap);
  }
  PublisherOptions p;
  p.bind = o.bind;
  p.send_hwm = o.send_hwm;
  p.curve = o.downstream_curve ? &*o.downstream_curve : nullptr;
  auto publisher = WeightsPublisher::Bind(&r->context_, p);
  if (!publisher.ok()) return publisher.status();
  r->publisher_.emplace(*std::move(publisher));
  r->endpoint_ = r->publisher_->endpoint();
  try {
    if (o.upstream_curve) MakeCurveClient(r->upstream_, *o.upstream_curve);
    r->upstream_.set(zmq::sockopt::subscribe, "");
    r->upstream_.set(zmq::sockopt::maxmsgsize, kMaxMessageBytes);
    r->upstream_.set(zmq::sockopt::reconnect_ivl_max, 5000);
    r->upstream_.set(zmq::sockopt::rcvtimeo, 100);
    r->upstream_.connect(o.upstream);
  } catch (const zmq::error_t& e) {
    return absl::UnavailableError(
        absl::StrCat("weights relay cannot connect to ", o.upstream, ": ", e.what()));
  }
  r->thread_ = std::thread([p = r.get()] { p->Loop(); });
  return r;
}

WeightsRelay::~WeightsRelay() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void WeightsRelay::Loop() {
  while (!stop_) {
    zmq::message_t message;
    bool got = false;
    try {
      got = upstream_.recv(message).has_value();
    } catch (const zmq::error_t&) {
    }
    publisher_->Service();
    subscriptions_ = publisher_->counters().subscriptions;
    if (got) Forward(message);
  }
}

void WeightsRelay::Forward(const zmq::message_t& message) {
  bytes_received_ += message.size();
  const absl::string_view bytes(static_cast<const char*>(message.data()), message.size());
  auto h = PeekLearnerMessage(bytes);
  if (!h.ok()) return;  // not a learner message; actors would drop it too
  const bool keepalive = !h->stop && !h->has_parameters;
  if (!keepalive) {
    if (!h->stop) {
      ++weights_received_;
      if (MissesVersion(h->run_id, h->version, run_id_, version_)) ++versions_received_;
    }
    run_id_ = h->run_id;
    version_ = h->version;
  }
  publisher_->Send(bytes, /*weights=*/!keepalive);
  ++forwarded_;
  const double now = MonotonicSeconds();
  if (keepalive && MissesVersion(h->run_id, h->version, run_id_, version_) &&
      now - last_reconnect_ > kResubscribeSeconds) {
    last_reconnect_ = now;
    upstream_.disconnect(options_.upstream);
    upstream_.connect(options_.upstream);
  }
}

}  // namespace passrl::wire
