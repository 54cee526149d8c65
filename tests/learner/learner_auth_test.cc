// CurveZMQ on the learner's real sockets: an actor holding an authorized key sends transitions
// and receives weights; a client with an unknown key, or with no CURVE at all, gets neither:
// its data never reaches the replay buffer. Key files: generation, permissions, bad content.
#include <sys/stat.h>

#include <csignal>
#include <fstream>
#include <thread>

#include "gtest/gtest.h"
#include "proto/curve.h"
#include "tests/learner/learner_fixtures.h"

namespace passrl::learner {
namespace {

std::string Batch(int n) { return fixtures::Batch(1, 1, n).SerializeAsString(); }

TEST(CurveKeysTest, GenerateWritesPrivateKeysThatLoad) {
  const std::string dir = testing::TempDir() + "/keys";
  ASSERT_TRUE(wire::GenerateKeyDirectory(dir).ok());
  ASSERT_TRUE(wire::AddActorKey(dir, "node2").ok());
  struct stat st;
  ASSERT_EQ(stat((dir + "/learner.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto server = wire::LoadServerKeys(dir);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(server->authorized.size(), 2u);
  auto client = wire::LoadClientKeys(dir, "node2.key");
  ASSERT_TRUE(client.ok()) << client.status();
  EXPECT_EQ(client->server_public, server->server.public_key);
  EXPECT_TRUE(server->authorized.count(client->client.public_key));
  EXPECT_EQ(wire::GenerateKeyDirectory(dir).code(), absl::StatusCode::kAlreadyExists);
  // A secret key readable by others is refused, naming the file and the fix.
  chmod((dir + "/actor.key").c_str(), 0644);
  auto open = wire::LoadClientKeys(dir);
  ASSERT_FALSE(open.ok());
  EXPECT_NE(open.status().message().find("chmod 600"), std::string::npos) << open.status();
  std::ofstream(dir + "/authorized_keys", std::ios::app) << "short-key\n";
  auto bad = wire::LoadServerKeys(dir);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("authorized_keys:3"), std::string::npos) << bad.status();
}

class LearnerAuthTest : public fixtures::RunningLearnerTest {
 protected:
  void SetUp() override {
    keys_ = testing::TempDir() + "/keys";
    ASSERT_TRUE(wire::GenerateKeyDirectory(keys_).ok());
    LearnerOptions o = fixtures::SmallLearnerOptions(testing::TempDir());
    o.curve_dir = keys_;
    Start(o);
  }
  // A client socket: with the actor key, with a key the learner never authorized, or plain.
  enum class Key { kAuthorized, kUnknown, kNone };
  zmq::socket_t Client(zmq::socket_type type, Key key, const std::string& endpoint) {
    zmq::socket_t s(context_, type);
    s.set(zmq::sockopt::linger, 0);
    if (key != Key::kNone) {
      wire::CurveClientKeys k = *wire::LoadClientKeys(keys_);
      if (key == Key::kUnknown) k.client = *wire::GenerateCurveKeyPair();
      wire::MakeCurveClient(s, k);
    }
    if (type == zmq::socket_type::sub) s.set(zmq::sockopt::subscribe, "");
    s.set(zmq::sockopt::rcvtimeo, 3000);
    s.connect(endpoint);
    return s;
  }
  std::string keys_;
};

TEST_F(LearnerAuthTest, OnlyAuthorizedActorsSendTransitionsAndReceiveWeights) {
  const std::string transitions = learner_->TransitionsEndpoint("127.0.0.1");
  const std::string weights = learner_->WeightsEndpoint("127.0.0.1");
  zmq::socket_t intruder = Client(zmq::socket_type::push, Key::kUnknown, transitions);
  zmq::socket_t plain = Client(zmq::socket_type::push, Key::kNone, transitions);
  intruder.send(zmq::buffer(Batch(5)), zmq::send_flags::dontwait);
  plain.send(zmq::buffer(Batch(7)), zmq::send_flags::dontwait);
  zmq::socket_t spy = Client(zmq::socket_type::sub, Key::kUnknown, weights);
  zmq::message_t m;
  EXPECT_FALSE(spy.recv(m)) << "an unauthorized subscriber received weights";
  EXPECT_EQ(learner_->replay().size(), 0);
  EXPECT_EQ(learner_->Counters().messages_received, 0u);

  zmq::socket_t actor = Client(zmq::socket_type::push, Key::kAuthorized, transitions);
  actor.send(zmq::buffer(Batch(3)));
  zmq::socket_t subscriber = Client(zmq::socket_type::sub, Key::kAuthorized, weights);
  ASSERT_TRUE(subscriber.recv(m)) << "the authorized actor received no weights";
  proto::LearnerMessage w;
  EXPECT_TRUE(w.ParseFromArray(m.data(), static_cast<int>(m.size())));
  for (int i = 0; i < 100 && learner_->replay().size() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(learner_->replay().size(), 3) << "only the authorized actor's 3 transitions";
}

}  // namespace
}  // namespace passrl::learner
