#include "learner/sequence_pool.h"

#include "envs/action_space.h"
#include "gtest/gtest.h"

namespace passrl::learner {
namespace {

TEST(SequencePoolTest, KeepsTheBestPerBenchmarkAndTheShorterOnATie) {
  SequencePool pool;
  EXPECT_TRUE(pool.Offer("a", 1.01, {1, 2, 3}));
  EXPECT_FALSE(pool.Offer("a", 1.00, {4}));      // worse
  EXPECT_TRUE(pool.Offer("a", 1.01, {5, 6}));    // as good, shorter
  EXPECT_FALSE(pool.Offer("a", 1.01, {7, 8}));   // as good, not shorter: the first stays
  EXPECT_TRUE(pool.Offer("b", 0.9, {9}));
  const auto snap = pool.Snapshot();
  ASSERT_EQ(snap.size(), 2u);
  EXPECT_EQ(snap.at("a").actions, (std::vector<int>{5, 6}));
  EXPECT_DOUBLE_EQ(snap.at("a").ratio_vs_oz, 1.01);
}

TEST(SequencePoolTest, JsonRoundTripMergesAndRefusesBadInput) {
  SequencePool pool;
  pool.Offer("debian/zlib/deflate", 1.02, *envs::ParseActionList("sroa,gvn"));
  SequencePool other;
  other.Offer("debian/zlib/deflate", 1.05, *envs::ParseActionList("instcombine"));
  ASSERT_TRUE(other.MergeJson(pool.ToJson()).ok());
  EXPECT_EQ(other.Snapshot().at("debian/zlib/deflate").actions,
            *envs::ParseActionList("instcombine"));  // the merge keeps the better
  SequencePool fresh;
  ASSERT_TRUE(fresh.MergeJson(pool.ToJson()).ok());
  EXPECT_EQ(fresh.Snapshot().at("debian/zlib/deflate").actions, *envs::ParseActionList("sroa,gvn"));
  EXPECT_EQ(fresh.MergeJson("[1,2]").code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(fresh.MergeJson(R"({"benchmarks": {"x": {"ratio_vs_oz": 1, "actions": "nope"}}})")
                .code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace passrl::learner
