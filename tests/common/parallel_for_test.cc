#include "common/parallel_for.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace passrl {
namespace {

// Every index runs exactly once, on a thread numbered below the thread count, and both threads
// take work when the items are slow enough to overlap.
TEST(ParallelForTest, EveryIndexOnceOnNumberedThreads) {
  std::vector<std::atomic<int>> calls(200);
  std::vector<std::atomic<int>> by_thread(2);
  ParallelFor(calls.size(), 2, [&](size_t i, int thread) {
    ASSERT_GE(thread, 0);
    ASSERT_LT(thread, 2);
    ++calls[i];
    ++by_thread[static_cast<size_t>(thread)];
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  for (const auto& c : calls) EXPECT_EQ(c.load(), 1);
  EXPECT_GT(by_thread[0].load(), 0);
  EXPECT_GT(by_thread[1].load(), 0);
}

TEST(ParallelForTest, NoThreadsMeansOneAndNoItemsMeansNoCall) {
  int calls = 0;
  ParallelFor(3, 0, [&](size_t, int thread) {
    EXPECT_EQ(thread, 0);
    ++calls;
  });
  EXPECT_EQ(calls, 3);
  ParallelFor(0, 2, [&](size_t, int) { ++calls; });
  EXPECT_EQ(calls, 3);
}

}  // namespace
}  // namespace passrl
