#include "replay/replay_buffer.h"

#include <cmath>
#include <thread>

#include "gtest/gtest.h"

namespace passrl::replay {
namespace {

// Pearson chi-square statistic of observed counts against expected counts.
double ChiSquare(const std::vector<double>& observed, const std::vector<double>& expected) {
  double chi = 0;
  for (size_t i = 0; i < observed.size(); ++i) {
    chi += (observed[i] - expected[i]) * (observed[i] - expected[i]) / expected[i];
  }
  return chi;
}

std::unique_ptr<ReplayBuffer> Filled(int64_t capacity, int64_t n, bool prioritized) {
  ReplayOptions options;
  options.capacity = capacity;
  options.obs_dim = 2;
  options.prioritized = prioritized;
  options.priority_exponent = 1.0;
  auto buffer = *ReplayBuffer::Create(options);
  for (int64_t i = 0; i < n; ++i) {
    const float obs[2] = {static_cast<float>(i), -static_cast<float>(i)};
    Transition t;
    t.observation = obs;
    t.next_observation = obs;
    t.action = static_cast<int32_t>(i);
    t.reward = static_cast<float>(i) / 2;
    t.episode_id = static_cast<uint64_t>(i);
    buffer->Insert(t);
  }
  return buffer;
}

void InsertZeros(ReplayBuffer& buffer, int n) {
  const float obs[2] = {0, 0};
  for (int i = 0; i < n; ++i) {
    Transition t;
    t.observation = obs;
    t.next_observation = obs;
    buffer.Insert(t);
  }
}

TEST(ReplayBufferTest, RingKeepsTheNewestAndStoresFieldsExactly) {
  auto buffer = Filled(10, 25, false);
  EXPECT_EQ(buffer->size(), 10);
  EXPECT_EQ(buffer->inserted(), 25);
  std::vector<float> obs, next;
  Transition t;
  buffer->Read(0, &obs, &next, &t);
  EXPECT_EQ(t.action, 15);  // oldest kept
  EXPECT_EQ(obs, (std::vector<float>{15, -15}));
  EXPECT_EQ(t.reward, 7.5f);
  buffer->Read(9, &obs, &next, &t);
  EXPECT_EQ(t.episode_id, 24u);
}

TEST(ReplayBufferTest, EmptyBufferSamplesNothing) {
  auto buffer = Filled(4, 0, false);
  SampledBatch batch;
  EXPECT_FALSE(buffer->Sample(8, &batch));
}

TEST(ReplayBufferTest, UniformSamplingIsUniform) {
  constexpr int kN = 20;
  auto buffer = Filled(kN, kN, false);
  std::vector<double> counts(kN, 0);
  SampledBatch batch;
  constexpr int kDraws = 200000;
  for (int i = 0; i < kDraws / 1000; ++i) {
    ASSERT_TRUE(buffer->Sample(1000, &batch));
    for (int j = 0; j < batch.size; ++j) {
      counts[batch.actions[j]] += 1;
      // The row is the transition it claims to be.
      EXPECT_EQ(batch.observations[2 * j], static_cast<float>(batch.actions[j]));
    }
  }
  // 19 degrees of freedom: the 99.9% quantile is 43.8.
  EXPECT_LT(ChiSquare(counts, std::vector<double>(kN, kDraws / double(kN))), 43.8);
}

TEST(ReplayBufferTest, PrioritizedSamplingFollowsPriorities) {
  constexpr int kN = 8;
  auto buffer = Filled(16, kN, true);  // capacity beyond size: empty slots are never drawn
  std::vector<int64_t> indices;
  std::vector<float> priorities;
  for (int i = 0; i < kN; ++i) {
    indices.push_back(i);
    priorities.push_back(static_cast<float>(i + 1));
  }
  buffer->UpdatePriorities(indices, priorities);
  std::vector<double> counts(kN, 0);
  SampledBatch batch;
  constexpr int kDraws = 144000;
  for (int i = 0; i < kDraws / 1000; ++i) {
    ASSERT_TRUE(buffer->Sample(1000, &batch));
    for (int j = 0; j < batch.size; ++j) {
      ASSERT_LT(batch.sequences[j], kN);
      counts[batch.sequences[j]] += 1;
    }
  }
  std::vector<double> expected;
  for (int i = 0; i < kN; ++i) expected.push_back(kDraws * (i + 1) / 36.0);
  // 7 degrees of freedom: the 99.9% quantile is 24.3.
  EXPECT_LT(ChiSquare(counts, expected), 24.3);
  // Importance weights fall with priority; the rarest sample has weight 1.
  ASSERT_TRUE(buffer->Sample(1000, &batch));
  for (int j = 0; j < batch.size; ++j) {
    for (int k = 0; k < batch.size; ++k) {
      if (batch.sequences[j] < batch.sequences[k]) {
        EXPECT_GE(batch.weights[j], batch.weights[k]);
      }
    }
  }
}

TEST(ReplayBufferTest, SampledRowsNameTheirSequenceNumbers) {
  auto buffer = Filled(5, 13, false);  // wrapped: holds sequence numbers 8..12
  SampledBatch batch;
  ASSERT_TRUE(buffer->Sample(200, &batch));
  for (int j = 0; j < batch.size; ++j) {
    EXPECT_GE(batch.sequences[j], 8);
    EXPECT_LE(batch.sequences[j], 12);
    EXPECT_EQ(batch.actions[j], batch.sequences[j]);  // Filled gives transition i action i
  }
}

TEST(ReplayBufferTest, StalePriorityUpdatesAreIgnored) {
  // Sample, then let ingestion overwrite every sampled slot before the TD errors come back: the
  // update names transitions that are gone and must not land on their successors.
  auto buffer = Filled(4, 4, true);
  SampledBatch batch;
  ASSERT_TRUE(buffer->Sample(16, &batch));
  InsertZeros(*buffer, 4);
  const std::vector<float> huge(batch.sequences.size(), 1000.f);
  EXPECT_EQ(buffer->UpdatePriorities(batch.sequences, huge), 0);
  ReplayChunk chunk;
  ASSERT_EQ(buffer->ReadChunk(0, 8, 8, &chunk), 4);
  for (double p : chunk.priorities) EXPECT_DOUBLE_EQ(p, 1.0);  // fresh: max priority (1)^alpha
  // A current sequence number still updates its own transition.
  EXPECT_EQ(buffer->UpdatePriorities(std::vector<int64_t>{6}, std::vector<float>{1000.f}), 1);
  ASSERT_EQ(buffer->ReadChunk(0, 8, 8, &chunk), 4);
  EXPECT_GT(chunk.priorities[2], 1.0);
  EXPECT_DOUBLE_EQ(chunk.priorities[1], 1.0);
}

TEST(ReplayBufferTest, ConcurrentInsertAndSample) {
  auto buffer = Filled(1000, 1, false);
  std::thread writer([&] { InsertZeros(*buffer, 20000); });
  SampledBatch batch;
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE(buffer->Sample(32, &batch));
  writer.join();
  EXPECT_EQ(buffer->inserted(), 20001);
  EXPECT_EQ(buffer->size(), 1000);
}

TEST(ReplayBufferTest, RefusesWhatDoesNotFitInMemory) {
  ReplayOptions options;
  options.capacity = int64_t{1} << 40;
  options.obs_dim = 64;
  auto buffer = ReplayBuffer::Create(options);
  ASSERT_FALSE(buffer.ok());
  EXPECT_EQ(buffer.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(buffer.status().message().find("replay.capacity"), absl::string_view::npos);
  options.capacity = 0;
  EXPECT_FALSE(ReplayBuffer::Create(options).ok());
}

}  // namespace
}  // namespace passrl::replay
