#include "common/heap_retention.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

#include "gtest/gtest.h"

namespace passrl {
namespace {

constexpr size_t kBlock = size_t{16} << 20;  // above glibc's default mmap threshold

// With glibc's defaults a 16 MiB block is mmapped and unmapped on free; retained, it comes from
// the heap and its pages stay in the process after free, for the next update to reuse.
TEST(HeapRetentionTest, LargeBlocksComeFromTheHeapAndStayAfterFree) {
  ASSERT_TRUE(RetainFreedHeap(size_t{64} << 20).ok());
  const size_t mmapped_before = mallinfo2().hblks;
  void* volatile block = std::malloc(kBlock);
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, kBlock);
  EXPECT_EQ(mallinfo2().hblks, mmapped_before) << "the block was mmapped";
  std::free(block);
  EXPECT_GE(mallinfo2().fordblks, kBlock) << "the freed block went back to the kernel";
}

TEST(HeapRetentionTest, ZeroKeepsTheDefaults) { EXPECT_TRUE(RetainFreedHeap(0).ok()); }

}  // namespace
}  // namespace passrl
