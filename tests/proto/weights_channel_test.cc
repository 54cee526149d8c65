// The weights channel on real ZeroMQ sockets: the publisher sends each message once and welcomes
// a late joiner with the latest weights only; the relay forwards in order, welcomes its own late
// joiners, and reaches its subscribers over ipc:// with the learner one hop away.
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "passrl.pb.h"
#include "proto/weights_publisher.h"
#include "proto/weights_relay.h"
#include "proto/wire.h"

namespace passrl::wire {
namespace {

std::string Message(uint64_t version, bool keepalive = false) {
  proto::LearnerMessage m;
  m.set_schema_version(kSchemaVersion);
  m.set_version(version);
  m.set_run_id(42);
  if (!keepalive) SetParameters(std::vector<float>(1000, 0.5f * static_cast<float>(version)), false, &m);
  return m.SerializeAsString();
}

zmq::socket_t Subscriber(zmq::context_t& context, const std::string& endpoint) {
  zmq::socket_t s(context, zmq::socket_type::sub);
  s.set(zmq::sockopt::subscribe, "");
  s.set(zmq::sockopt::rcvtimeo, 300);
  s.connect(endpoint);
  return s;
}

// What `s` receives until it has been quiet for rcvtimeo: (version, keepalive) pairs.
std::vector<std::pair<uint64_t, bool>> Drain(zmq::socket_t& s) {
  std::vector<std::pair<uint64_t, bool>> got;
  zmq::message_t m;
  while (s.recv(m)) {
    proto::LearnerMessage decoded;
    EXPECT_TRUE(decoded.ParseFromArray(m.data(), static_cast<int>(m.size())));
    got.emplace_back(decoded.version(), IsKeepalive(decoded));
  }
  return got;
}

// Services `p` until it has seen `n` subscriptions (connections are asynchronous).
void AwaitSubscribers(WeightsPublisher& p, uint64_t n) {
  for (int i = 0; i < 500 && p.counters().subscriptions < n; ++i) {
    p.Service();
    usleep(10000);
  }
  ASSERT_GE(p.counters().subscriptions, n);
}

TEST(WeightsPublisherTest, SendsEachMessageOnceAndWelcomesLateJoinersWithTheLatest) {
  zmq::context_t context(1);
  PublisherOptions o;
  o.bind = "tcp://127.0.0.1:*";
  auto p = WeightsPublisher::Bind(&context, o);
  ASSERT_TRUE(p.ok()) << p.status();
  zmq::socket_t early = Subscriber(context, p->endpoint());
  AwaitSubscribers(*p, 1);
  p->Send(Message(1), true);
  p->Send(Message(2), true);
  p->Send(Message(2, /*keepalive=*/true), false);
  using Got = std::vector<std::pair<uint64_t, bool>>;
  EXPECT_EQ(Drain(early), (Got{{1, false}, {2, false}, {2, true}}));  // in order, once each
  zmq::socket_t late = Subscriber(context, p->endpoint());
  AwaitSubscribers(*p, 2);
  EXPECT_EQ(Drain(late), (Got{{2, false}}));  // the latest weights, not the keepalive
  EXPECT_TRUE(Drain(early).empty());           // the welcome went to the joiner alone
  EXPECT_EQ(p->counters().messages, 3u);
}

TEST(WeightsPublisherTest, ABusyPortIsAClearError) {
  zmq::context_t context(1);
  PublisherOptions o;
  o.bind = "tcp://127.0.0.1:*";
  auto first = WeightsPublisher::Bind(&context, o);
  ASSERT_TRUE(first.ok());
  o.bind = first->endpoint();
  auto second = WeightsPublisher::Bind(&context, o);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("cannot bind the weights socket"), std::string::npos);
}

TEST(WeightsRelayTest, ForwardsInOrderAndWelcomesItsLateJoiners) {
  zmq::context_t context(1);
  PublisherOptions o;
  o.bind = "tcp://127.0.0.1:*";
  auto learner = WeightsPublisher::Bind(&context, o);
  ASSERT_TRUE(learner.ok());
  RelayOptions r;
  r.upstream = learner->endpoint();
  r.bind = absl::StrCat("ipc:///tmp/passrl-relay-test-", getpid(), ".ipc");
  auto relay = WeightsRelay::Start(r);
  ASSERT_TRUE(relay.ok()) << relay.status();
  zmq::socket_t actor = Subscriber(context, (*relay)->endpoint());
  AwaitSubscribers(*learner, 1);  // the relay, not the actor, subscribes to the learner
  for (int i = 0; i < 300 && (*relay)->subscriptions() < 1; ++i) usleep(10000);
  for (uint64_t v = 1; v <= 5; ++v) {
    learner->Send(Message(v), true);
    usleep(20000);  // a learner's versions are far apart; a burst could meet the send HWM
  }
  learner->Send(Message(5, true), false);
  using Got = std::vector<std::pair<uint64_t, bool>>;
  EXPECT_EQ(Drain(actor), (Got{{1, false}, {2, false}, {3, false}, {4, false}, {5, false},
                               {5, true}}));
  zmq::socket_t late = Subscriber(context, (*relay)->endpoint());
  EXPECT_EQ(Drain(late), (Got{{5, false}}));
  EXPECT_EQ(learner->counters().subscriptions, 1u);  // one upstream subscriber for two actors
  EXPECT_EQ((*relay)->forwarded(), 6u);
}

// Through a relay, CurveZMQ still admits only authorized keys: the relay authenticates to the
// learner with an actor key and serves its node with the learner's keys.
TEST(WeightsRelayTest, WithCurveOnlyAuthorizedActorsGetWeights) {
  const std::string dir = absl::StrCat("/tmp/passrl-relay-keys-", getpid());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(GenerateKeyDirectory(dir).ok());
  auto server = LoadServerKeys(dir);
  auto client = LoadClientKeys(dir);
  ASSERT_TRUE(server.ok() && client.ok());
  zmq::context_t context(1);
  auto zap = ZapAuthenticator::Start(&context, server->authorized);
  ASSERT_TRUE(zap.ok());
  PublisherOptions o;
  o.bind = "tcp://127.0.0.1:*";
  o.curve = &*server;
  auto learner = WeightsPublisher::Bind(&context, o);
  ASSERT_TRUE(learner.ok());
  RelayOptions r;
  r.upstream = learner->endpoint();
  r.bind = absl::StrCat("ipc:///tmp/passrl-relay-curve-test-", getpid(), ".ipc");
  r.upstream_curve = *client;
  r.downstream_curve = *server;
  auto relay = WeightsRelay::Start(r);
  ASSERT_TRUE(relay.ok()) << relay.status();
  auto subscribe = [&](const CurveClientKeys& keys) {
    zmq::socket_t s(context, zmq::socket_type::sub);
    MakeCurveClient(s, keys);
    s.set(zmq::sockopt::subscribe, "");
    s.set(zmq::sockopt::rcvtimeo, 300);
    s.connect((*relay)->endpoint());
    return s;
  };
  CurveClientKeys stranger = *client;
  stranger.client = *GenerateCurveKeyPair();  // knows the server key, holds no authorized key
  zmq::socket_t actor = subscribe(*client), intruder = subscribe(stranger);
  zmq::socket_t plain = Subscriber(context, (*relay)->endpoint());  // no CURVE at all
  AwaitSubscribers(*learner, 1);
  for (int i = 0; i < 300 && (*relay)->subscriptions() < 1; ++i) usleep(10000);
  usleep(200000);  // the intruder's handshake is refused meanwhile
  learner->Send(Message(1), true);
  usleep(20000);
  learner->Send(Message(2), true);
  using Got = std::vector<std::pair<uint64_t, bool>>;
  EXPECT_EQ(Drain(actor), (Got{{1, false}, {2, false}}));
  EXPECT_TRUE(Drain(intruder).empty());
  EXPECT_TRUE(Drain(plain).empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace passrl::wire
