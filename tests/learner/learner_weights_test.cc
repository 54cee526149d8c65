// The learner's weights channel on its real socket: each version is sent once, in order, while
// the learner trains; with no new version only small keepalives follow the welcome; float16
// weights are half the bytes.
#include <csignal>
#include <thread>

#include "gtest/gtest.h"
#include "learner/learner.h"
#include "tests/learner/learner_fixtures.h"

namespace passrl::learner {
namespace {

// (version, carries weights, parameter bytes) of what a subscriber got within `seconds`.
struct Got {
  uint64_t version;
  bool weights;
  size_t bytes;
};

class LearnerWeightsTest : public fixtures::RunningLearnerTest {
 protected:
  std::vector<Got> Listen(double seconds, const std::function<void()>& between = nullptr) {
    zmq::socket_t sub(context_, zmq::socket_type::sub);
    sub.set(zmq::sockopt::subscribe, "");
    sub.set(zmq::sockopt::rcvtimeo, 50);
    sub.connect(learner_->WeightsEndpoint("127.0.0.1"));
    std::vector<Got> got;
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
      if (between) between();
      zmq::message_t m;
      if (!sub.recv(m)) continue;
      proto::LearnerMessage decoded;
      EXPECT_TRUE(decoded.ParseFromArray(m.data(), static_cast<int>(m.size())));
      if (decoded.stop()) continue;
      got.push_back({decoded.version(), !wire::IsKeepalive(decoded), decoded.parameters().size()});
    }
    return got;
  }
};

TEST_F(LearnerWeightsTest, UnchangedWeightsAreSentOnceThenOnlyKeepalives) {
  Start(fixtures::SmallLearnerOptions(testing::TempDir()));  // ingestion only: no new versions
  // Joining after the first version went out (one joining just as it is sent may get it twice:
  // as the broadcast and as the welcome; actors ignore a version they hold).
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  const std::vector<Got> got = Listen(2.6);
  int weights = 0, keepalives = 0;
  for (const Got& g : got) {
    EXPECT_EQ(g.version, 1u);
    (g.weights ? weights : keepalives) += 1;
  }
  EXPECT_EQ(weights, 1);  // the welcome; before this change the weights came every second
  EXPECT_GE(keepalives, 2);
}

TEST_F(LearnerWeightsTest, EachNewVersionIsSentOnceInOrderAsFloat16WhenAsked) {
  LearnerOptions o = fixtures::SmallLearnerOptions(testing::TempDir());
  o.warmup_transitions = 100;
  o.samples_per_insert = 64;
  o.publish_every = 2;
  o.weights_float16 = true;
  Start(o);
  zmq::socket_t push(context_, zmq::socket_type::push);
  push.connect(learner_->TransitionsEndpoint("127.0.0.1"));
  int episode = 0;
  const std::vector<Got> got = Listen(3, [&] {
    push.send(zmq::buffer(fixtures::Batch(1, ++episode, 20).SerializeAsString()),
              zmq::send_flags::dontwait);
  });
  std::vector<uint64_t> versions;
  for (const Got& g : got) {
    if (!g.weights) continue;
    versions.push_back(g.version);
    // float16: 2 bytes per policy parameter (obs 4 -> 16 -> 3 actions: 4*16+16 + 16*3+3).
    EXPECT_EQ(g.bytes, 2u * (4 * 16 + 16 + 16 * 3 + 3));
  }
  ASSERT_GE(versions.size(), 3u);
  for (size_t i = 1; i < versions.size(); ++i) {
    // Joining just as a version goes out, a subscriber may get it twice (the broadcast and the
    // welcome); after that, each version exactly once, in order.
    if (i == 1 && versions[0] == versions[1]) continue;
    EXPECT_LT(versions[i - 1], versions[i]) << "at " << i;
  }
}

}  // namespace
}  // namespace passrl::learner
