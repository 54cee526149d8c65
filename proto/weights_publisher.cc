#include "proto/weights_publisher.h"

#include "absl/strings/str_cat.h"
#include "proto/wire.h"

namespace passrl::wire {

absl::StatusOr<WeightsPublisher> WeightsPublisher::Bind(zmq::context_t* context,
                                                         const PublisherOptions& options) {
  zmq::socket_t socket(*context, zmq::socket_type::xpub);
  try {
    if (options.curve != nullptr) MakeCurveServer(socket, *options.curve);
    socket.set(zmq::sockopt::xpub_verbose, 1);  // count every joiner, not only the first
    socket.set(zmq::sockopt::sndhwm, options.send_hwm);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::backlog, options.backlog);
    socket.bind(options.bind);
  } catch (const zmq::error_t& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot bind the weights socket at ", options.bind, ": ", e.what()));
  }
  WeightsPublisher p(std::move(socket), options);
  p.endpoint_ = p.socket_.get(zmq::sockopt::last_endpoint);
  return p;
}

void WeightsPublisher::Send(absl::string_view message, bool weights) {
  ++counters_.messages;
  counters_.bytes += message.size();
  if (weights) socket_.set(zmq::sockopt::xpub_welcome_msg, zmq::buffer(message.data(), message.size()));
  socket_.send(zmq::buffer(message.data(), message.size()), zmq::send_flags::dontwait);
}

void WeightsPublisher::Service() {
  zmq::message_t m;
  while (socket_.recv(m, zmq::recv_flags::dontwait)) {
    if (m.size() > 0 && static_cast<const char*>(m.data())[0] == 1) ++counters_.subscriptions;
  }
}

}  // namespace passrl::wire
