// The SAC batches the update loop gets, inline and prefetched: nothing from an empty replay, then
// full batches whose rows are rows of the replay (each observation with its own next observation,
// action and reward), on the CPU here.
#include "learner/batch_sampler.h"

#include "gtest/gtest.h"

namespace passrl::learner {
namespace {

constexpr int kDim = 3;

// Transition i: observation (i, i, i), next observation (i + 0.5, ...), action i % 4, reward i.
void Fill(replay::ReplayBuffer& replay, int n) {
  for (int i = 0; i < n; ++i) {
    std::vector<float> obs(kDim, static_cast<float>(i)), next(kDim, i + 0.5f);
    replay::Transition t;
    t.observation = obs;
    t.next_observation = next;
    t.action = i % 4;
    t.reward = static_cast<float>(i);
    replay.Insert(t);
  }
}

class BatchSamplerTest : public ::testing::TestWithParam<bool> {};

TEST_P(BatchSamplerTest, BatchesAreRowsOfTheReplay) {
  replay::ReplayOptions o;
  o.capacity = 1000;
  o.obs_dim = kDim;
  auto replay = *replay::ReplayBuffer::Create(o);
  BatchSampler sampler(replay.get(), 16, torch::kCPU, /*prefetch=*/GetParam());
  ReadyBatch b;
  EXPECT_FALSE(sampler.Next(&b));  // empty replay
  Fill(*replay, 100);
  int got = 0;
  for (int tries = 0; tries < 1000 && got < 5; ++tries) {
    if (!sampler.Next(&b)) continue;
    ++got;
    ASSERT_EQ(b.tensors.observations.sizes(), (std::vector<int64_t>{16, kDim}));
    ASSERT_EQ(b.sequences.size(), 16u);
    for (int r = 0; r < 16; ++r) {
      const float i = b.tensors.observations[r][0].item<float>();
      EXPECT_FLOAT_EQ(b.tensors.next_observations[r][2].item<float>(), i + 0.5f);
      EXPECT_EQ(b.tensors.actions[r].item<int64_t>(), static_cast<int64_t>(i) % 4);
      EXPECT_FLOAT_EQ(b.tensors.rewards[r].item<float>(), i);
      EXPECT_EQ(b.sequences[r], static_cast<int64_t>(i));  // the row's sequence number
    }
  }
  EXPECT_EQ(got, 5);
}

INSTANTIATE_TEST_SUITE_P(InlineAndPrefetched, BatchSamplerTest, ::testing::Bool());

}  // namespace
}  // namespace passrl::learner
